//! The KubeRay operator through ray-project/kuberay-operator 1.7.0, CRDs
//! included (server-side applied: they exceed client-side apply's limit).

use serde::Serialize;

use super::{Chart, Component, Delivery, Document};
use crate::config::{KuberayOperatorConfig, PlatformConfig};
use crate::model::Finding;

/// Pinned chart.
pub const CHART: Chart = Chart::pinned(
    "https://ray-project.github.io/kuberay-helm/",
    "kuberay-operator",
    "1.7.0",
);

/// The `kuberay-operator` component.
pub struct KuberayOperator;

fn config(c: &PlatformConfig) -> Option<&KuberayOperatorConfig> {
    c.components.kuberay_operator.as_ref()
}

#[derive(Serialize)]
struct Values {
    image: Image,
}

#[derive(Serialize)]
struct Image {
    repository: String,
    tag: String,
}

impl Component for KuberayOperator {
    fn name(&self) -> &'static str {
        "kuberay-operator"
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
            super::check_placement(c, "kuberayOperator", "release", &o.release, &o.namespace, f);
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<crate::model::Workload> {
        let Some(o) = config(c) else {
            return Vec::new();
        };
        let r = crate::model::resources((None, None), (Some("100m"), Some("512Mi")));
        vec![crate::model::Workload::pods(self.name(), &o.namespace, "operator", 1).default_container(
            &r,
            "operator: limits from kuberay-operator 1.7.0 values.yaml `resources` (requests default to the limits)",
        )]
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let Some(o) = config(c) else {
            return Vec::new();
        };
        let values = Values {
            image: Image {
                repository: o.image.repository.clone(),
                tag: o.image.tag.clone(),
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
