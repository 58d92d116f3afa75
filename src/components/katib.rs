//! Katib v0.19.0 from its upstream standalone kustomize manifests.

use super::{check_fixed_namespace, Component, Delivery, Document, KustomizeSource};
use crate::config::{KustomizeComponentConfig, PlatformConfig};
use crate::model::Finding;

/// Pinned upstream manifests.
pub const SOURCE: KustomizeSource = KustomizeSource {
    repo_url: "https://github.com/kubeflow/katib",
    revision: "v0.19.0",
    paths: &["manifests/v1beta1/installs/katib-standalone"],
};

/// The `katib` component.
pub struct Katib;

fn config(c: &PlatformConfig) -> Option<&KustomizeComponentConfig> {
    c.components.katib.as_ref()
}

impl Component for Katib {
    fn name(&self) -> &'static str {
        "katib"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        config(c).map(|x| Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        super::needs_namespaces(c)
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Kustomize(SOURCE)
    }
    fn sync_options(&self) -> &'static [&'static str] {
        &["ServerSideApply=true", "SkipDryRunOnMissingResource=true"]
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let Some(k) = config(c) else { return };
        super::check_placement(c, "katib", "namespace", &k.namespace, &k.namespace, f);
        check_fixed_namespace(
            "katib",
            &k.namespace,
            super::kubeflow_pipelines::NAMESPACE,
            f,
        );
        if k.endpoint.is_some() {
            f.push(Finding::new(
                &["components", "katib", "endpoint"],
                "Katib's UI is served through the Kubeflow dashboard, not on its own host",
                "remove `endpoint` from katib",
            ));
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<crate::model::Workload> {
        let Some(k) = config(c) else {
            return Vec::new();
        };
        let none = crate::config::Resources::default();
        [
            "katib-controller",
            "katib-db-manager",
            "katib-mysql",
            "katib-ui",
        ]
        .iter()
        .map(|name| {
            let mut w = crate::model::Workload::pods(self.name(), &k.namespace, name, 1)
                .default_container(
                    &none,
                    format!("{name}: 1 replica, no requests (katib v0.19.0 katib-standalone)"),
                );
            if *name == "katib-mysql" {
                w = w.volume(
                    super::DEFAULT_CLASS,
                    &"10Gi".parse().expect("constant parses"),
                );
            }
            w
        })
        .collect()
    }

    fn build(&self, _: &PlatformConfig) -> Vec<Document> {
        Vec::new()
    }
}
