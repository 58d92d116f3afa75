//! Kubeflow Pipelines 2.17.0 from its upstream kustomize manifests
//! (cluster-scoped resources, then the platform-agnostic env), and an
//! Ingress to its UI.

use super::{check_fixed_namespace, ingress, Component, Delivery, Document, KustomizeSource};
use crate::config::{KustomizeComponentConfig, PlatformConfig};
use crate::resolve::Finding;

/// Pinned upstream manifests.
pub const SOURCE: KustomizeSource = KustomizeSource {
    repo_url: "https://github.com/kubeflow/pipelines",
    revision: "2.17.0",
    paths: &[
        "manifests/kustomize/cluster-scoped-resources",
        "manifests/kustomize/env/platform-agnostic",
    ],
};
/// The namespace the manifests install into.
pub const NAMESPACE: &str = "kubeflow";
/// The UI's Service and port.
pub const UI_SERVICE: (&str, u16) = ("ml-pipeline-ui", 80);

/// The `kubeflow-pipelines` component.
pub struct KubeflowPipelines;

fn config(c: &PlatformConfig) -> Option<&KustomizeComponentConfig> {
    c.components.kubeflow_pipelines.as_ref()
}

impl Component for KubeflowPipelines {
    fn name(&self) -> &'static str {
        "kubeflow-pipelines"
    }
    fn enabled(&self, c: &PlatformConfig) -> bool {
        config(c).is_some_and(|k| k.enabled)
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        super::needs_namespaces(c)
    }
    fn depends_on<'a>(&self, c: &'a PlatformConfig) -> &'a [String] {
        config(c).map_or(&[], |k| &k.depends_on)
    }
    fn namespace<'a>(&self, c: &'a PlatformConfig) -> &'a str {
        config(c).map_or("", |k| &k.namespace)
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Kustomize(SOURCE)
    }
    fn sync_options(&self) -> &'static [&'static str] {
        // Argo Workflows' CRDs exceed client-side apply's annotation limit.
        &["ServerSideApply=true", "SkipDryRunOnMissingResource=true"]
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let Some(k) = config(c) else { return };
        super::check_placement(
            c,
            "kubeflowPipelines",
            "namespace",
            &k.namespace,
            &k.namespace,
            f,
        );
        check_fixed_namespace("kubeflowPipelines", &k.namespace, NAMESPACE, f);
    }
    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let Some(k) = config(c) else {
            return Vec::new();
        };
        let Some(host) = ingress::public_host(c, &k.endpoint) else {
            return Vec::new();
        };
        ingress::ingress(
            c,
            "kubeflow-pipelines-ui",
            &k.namespace,
            &host,
            UI_SERVICE.0,
            UI_SERVICE.1,
        )
        .map(|i| ingress::document("manifests/kubeflow-pipelines-ingress.yaml".into(), &i))
        .into_iter()
        .collect()
    }
}
