//! Katib v0.19.0 from its upstream standalone kustomize manifests.

use super::kubeflow_pipelines::{KustomizeComponentConfig, NAMESPACE};
use super::{fixed_namespace, DEFAULT_CLASS};
use crate::config::Resources;
use crate::model::{
    Component, Cx, Delivery, Document, Finding, Findings, KustomizeSource, Own, Section, Workload,
};

/// Pinned upstream manifests.
pub(super) const SOURCE: KustomizeSource = KustomizeSource {
    repo_url: "https://github.com/kubeflow/katib",
    revision: "v0.19.0",
    paths: &["manifests/v1beta1/installs/katib-standalone"],
};

/// The `katib` component.
pub(super) struct Katib;

impl Component for Katib {
    type Config = KustomizeComponentConfig;
    const NAME: &'static str = "katib";
    const ABOUT: &'static str = "Katib v0.19.0 (upstream kustomize manifests).";
    const SECTION: Section = Section::Namespaced;
    const SYNC_OPTIONS: &'static [&'static str] =
        &["ServerSideApply=true", "SkipDryRunOnMissingResource=true"];

    fn delivery(&self, _: &Own<'_, KustomizeComponentConfig>) -> Delivery {
        Delivery::Kustomize(SOURCE)
    }
    fn validate(&self, cx: &Cx<'_, KustomizeComponentConfig>, f: &mut Findings) {
        fixed_namespace(cx.namespace, NAMESPACE, f);
        if cx.config.endpoint.is_some() {
            f.at(
                &["endpoint"],
                "Katib's UI is served through the Kubeflow dashboard, not on its own host",
                "remove `endpoint` from katib",
            );
        }
    }
    fn workloads(&self, own: &Own<'_, KustomizeComponentConfig>) -> Vec<Workload> {
        let none = Resources::default();
        [
            "katib-controller",
            "katib-db-manager",
            "katib-mysql",
            "katib-ui",
        ]
        .iter()
        .map(|name| {
            let mut w = Workload::pods(Self::NAME, own.namespace, name, 1).default_container(
                &none,
                format!("{name}: 1 replica, no requests (katib v0.19.0 katib-standalone)"),
            );
            if *name == "katib-mysql" {
                w = w.volume(DEFAULT_CLASS, &"10Gi".parse().expect("constant parses"));
            }
            w
        })
        .collect()
    }
    fn build(&self, _: &Cx<'_, KustomizeComponentConfig>) -> Result<Vec<Document>, Finding> {
        Ok(Vec::new())
    }
}
