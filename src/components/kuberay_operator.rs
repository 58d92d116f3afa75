//! The KubeRay operator through ray-project/kuberay-operator 1.7.0, CRDs
//! included (server-side applied: they exceed client-side apply's limit).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::ImageRef;
use crate::model::{
    resources, Chart, Component, Cx, Delivery, Document, Finding, Own, Section, Workload,
};

/// Pinned chart.
const PIN: Chart = Chart::pinned(
    "https://ray-project.github.io/kuberay-helm/",
    "kuberay-operator",
    "1.7.0",
);

/// The `kuberay-operator` component.
pub(super) struct KuberayOperator;

/// The KubeRay operator (ray-project/kuberay-operator Helm chart, with
/// CRDs); it watches every namespace.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct KuberayOperatorConfig {
    /// Operator image.
    pub image: ImageRef,
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
    type Config = KuberayOperatorConfig;
    const CHART: Option<Chart> = Some(PIN);
    const NAME: &'static str = "kuberay-operator";
    const ABOUT: &'static str = "The KubeRay operator (ray-project/kuberay-operator).";
    const SECTION: Section = Section::Release;
    const TEMPLATE: Option<&'static str> =
        Some(include_str!("../../templates/kuberay-operator.yaml.tera"));
    const SYNC_OPTIONS: &'static [&'static str] = &["ServerSideApply=true"];

    fn delivery(&self, own: &Own<'_, KuberayOperatorConfig>) -> Delivery {
        Delivery::Helm(own.chart().clone())
    }
    fn workloads(&self, own: &Own<'_, KuberayOperatorConfig>) -> Vec<Workload> {
        let r = resources((None, None), (Some("100m"), Some("512Mi")));
        vec![Workload::pods(Self::NAME, own.namespace, "operator", 1).default_container(
            &r,
            "operator: limits from kuberay-operator 1.7.0 values.yaml `resources` (requests default to the limits)",
        )]
    }
    fn build(&self, cx: &Cx<'_, KuberayOperatorConfig>) -> Result<Vec<Document>, Finding> {
        let image = &cx.platform.images.pull_ref(&cx.config.image);
        let values = Values {
            image: Image {
                repository: image.repository.clone(),
                tag: image.tag.clone(),
            },
        };
        Ok(vec![cx.values_file(&values)])
    }
}
