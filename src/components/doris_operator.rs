//! The Doris operator through apache/doris-operator 26.0.0. Its chart ships
//! the DorisCluster CRD (larger than client-side apply allows, hence
//! server-side apply).

use serde::Serialize;

use super::{Chart, Component, Delivery, Document};
use crate::config::{DorisOperatorConfig, PlatformConfig};
use crate::model::Finding;

/// Pinned chart.
pub const CHART: Chart = Chart::pinned("https://charts.selectdb.com", "doris-operator", "26.0.0");

/// The `doris-operator` component.
pub struct DorisOperator;

fn config(c: &PlatformConfig) -> Option<&DorisOperatorConfig> {
    c.components.doris_operator.as_ref()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    doris_operator: Operator,
}

#[derive(Serialize)]
struct Operator {
    image: Image,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Image {
    repository: String,
    tag: String,
    /// The chart pulls `Always` (it defaults to a moving tag); a pinned tag needs not.
    image_pull_policy: &'static str,
}

impl Component for DorisOperator {
    fn name(&self) -> &'static str {
        "doris-operator"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        config(c).map(|x| Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        super::needs_namespaces(c)
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Helm(CHART)
    }
    fn sync_options(&self) -> &'static [&'static str] {
        &["ServerSideApply=true"]
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        if let Some(o) = config(c) {
            super::check_placement(c, "dorisOperator", "release", &o.release, &o.namespace, f);
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<crate::model::Workload> {
        let Some(o) = config(c) else {
            return Vec::new();
        };
        let r = crate::model::resources((Some("2"), Some("4Gi")), (Some("2"), Some("4Gi")));
        vec![crate::model::Workload::pods(self.name(), &o.namespace, "operator", 1).default_container(
            &r,
            "operator: resources default from doris-operator 26.0.0 templates/_helpers.tpl (values.yaml `dorisOperator.resources: {}`)",
        )]
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let Some(o) = config(c) else {
            return Vec::new();
        };
        let values = Values {
            doris_operator: Operator {
                image: Image {
                    repository: o.image.repository.clone(),
                    tag: o.image.tag.clone(),
                    image_pull_policy: "IfNotPresent",
                },
            },
        };
        vec![super::values_document(
            self.name(),
            &CHART,
            &o.release,
            &o.namespace,
            &values,
        )]
    }
}
