//! The Doris operator through apache/doris-operator 26.0.0. Its chart ships
//! the DorisCluster CRD (larger than client-side apply allows, hence
//! server-side apply).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::ImageRef;
use crate::model::{
    resources, Chart, Component, Cx, Delivery, Document, Finding, Own, Section, Workload,
};

/// Pinned chart.
const PIN: Chart = Chart::pinned("https://charts.selectdb.com", "doris-operator", "26.0.0");

/// The `doris-operator` component.
pub(super) struct DorisOperator;

/// The Doris operator (apache/doris-operator Helm chart); it watches every
/// namespace.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct DorisOperatorConfig {
    /// Operator image; the chart's default is `operator-latest`, so pin one.
    pub image: ImageRef,
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
    type Config = DorisOperatorConfig;
    const CHART: Option<Chart> = Some(PIN);
    const NAME: &'static str = "doris-operator";
    const ABOUT: &'static str = "The Doris operator (apache/doris-operator).";
    const SECTION: Section = Section::Release;
    const TEMPLATE: Option<&'static str> =
        Some(include_str!("../../templates/doris-operator.yaml.tera"));
    const SYNC_OPTIONS: &'static [&'static str] = &["ServerSideApply=true"];

    fn delivery(&self, own: &Own<'_, DorisOperatorConfig>) -> Delivery {
        Delivery::Helm(own.chart().clone())
    }
    fn workloads(&self, own: &Own<'_, DorisOperatorConfig>) -> Vec<Workload> {
        let r = resources((Some("2"), Some("4Gi")), (Some("2"), Some("4Gi")));
        vec![Workload::pods(Self::NAME, own.namespace, "operator", 1).default_container(
            &r,
            "operator: resources default from doris-operator 26.0.0 templates/_helpers.tpl (values.yaml `dorisOperator.resources: {}`)",
        )]
    }
    fn build(&self, cx: &Cx<'_, DorisOperatorConfig>) -> Result<Vec<Document>, Finding> {
        let image = &cx.platform.images.pull_ref(&cx.config.image);
        let values = Values {
            doris_operator: Operator {
                image: Image {
                    repository: image.repository.clone(),
                    tag: image.tag.clone(),
                    image_pull_policy: "IfNotPresent",
                },
            },
        };
        Ok(vec![cx.values_file(&values)])
    }
}
