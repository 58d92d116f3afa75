//! Katib v0.19.0 from its upstream standalone kustomize manifests.

use super::kubeflow_pipelines::{KustomizeComponentConfig, NAMESPACE};
use super::{fixed_namespace, DEFAULT_CLASS};
use crate::config::{ImagesConfig, Resources};
use crate::model::{
    Component, Cx, Delivery, Document, Finding, Findings, ImagePatch, KustomizeSource, Own,
    Section, Workload,
};

/// Pinned upstream manifests.
pub(super) const SOURCE: KustomizeSource = KustomizeSource {
    repo_url: "https://github.com/kubeflow/katib",
    revision: "v0.19.0",
    paths: &["manifests/v1beta1/installs/katib-standalone"],
    // Read off `kustomize build` at v0.19.0.
    images: &[
        "ghcr.io/kubeflow/katib/katib-controller:v0.19.0",
        "ghcr.io/kubeflow/katib/katib-db-manager:v0.19.0",
        "ghcr.io/kubeflow/katib/katib-ui:v0.19.0",
        "mysql:8.0.29",
    ],
    mirror_patches,
};

/// `katib-config.yaml` of Katib v0.19.0's `katib-standalone` install
/// (Apache-2.0, kubeflow/katib): the images of the metrics collectors,
/// suggestions and early stopping are set only there, in one ConfigMap
/// key, so a mirror replaces the key whole with these images moved.
const KATIB_CONFIG: &str = include_str!("katib-config.yaml");

fn mirror_patches(images: &ImagesConfig) -> Vec<ImagePatch> {
    let config: String = KATIB_CONFIG
        .lines()
        .map(|line| match line.split_once("image: ") {
            Some((indent, image)) => format!("{indent}image: {}\n", images.pull(image)),
            None => format!("{line}\n"),
        })
        .collect();
    let mut patch =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: katib-config\ndata:\n  katib-config.yaml: |\n");
    for line in config.lines() {
        patch.push_str("    ");
        patch.push_str(line);
        patch.push('\n');
    }
    vec![ImagePatch {
        kind: "ConfigMap",
        name: "katib-config",
        patch,
    }]
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_config_is_the_pinned_versions() {
        let images: Vec<&str> = KATIB_CONFIG
            .lines()
            .filter_map(|l| l.split_once("image: ").map(|(_, i)| i))
            .collect();
        assert_eq!(images.len(), 15);
        for image in images {
            assert!(
                image.ends_with(&format!(":{}", SOURCE.revision)),
                "{image} is not Katib {}",
                SOURCE.revision
            );
        }
    }
}
