//! Kubeflow Pipelines 2.17.0 from its upstream kustomize manifests
//! (cluster-scoped resources, then the platform-agnostic env), and an
//! Ingress to its UI.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{fixed_namespace, ingress, DEFAULT_CLASS};
use crate::config::ImagesConfig;
use crate::config::PublicEndpoint;
use crate::model::{
    images, resources, Address, Component, Cx, Delivery, Document, Finding, Findings, ImagePatch,
    KustomizeSource, Own, Prerequisite, Section, SmokeCheck, Workload,
};

/// Pinned upstream manifests.
pub(super) const SOURCE: KustomizeSource = KustomizeSource {
    repo_url: "https://github.com/kubeflow/pipelines",
    revision: "2.17.0",
    paths: &[
        "manifests/kustomize/cluster-scoped-resources",
        "manifests/kustomize/env/platform-agnostic",
    ],
    // Read off `kustomize build` of both paths at 2.17.0 (the Argo
    // Workflows base at v4.0.5).
    images: &[
        "ghcr.io/kubeflow/kfp-api-server:2.17.0",
        "ghcr.io/kubeflow/kfp-persistence-agent:2.17.0",
        "ghcr.io/kubeflow/kfp-scheduled-workflow-controller:2.17.0",
        "ghcr.io/kubeflow/kfp-frontend:2.17.0",
        "ghcr.io/kubeflow/kfp-viewer-crd-controller:2.17.0",
        "ghcr.io/kubeflow/kfp-visualization-server:2.17.0",
        "ghcr.io/kubeflow/kfp-metadata-writer:2.17.0",
        "ghcr.io/kubeflow/kfp-cache-server:2.17.0",
        "ghcr.io/kubeflow/kfp-cache-deployer:2.17.0",
        "ghcr.io/kubeflow/kfp-metadata-envoy:2.17.0",
        "gcr.io/tfx-oss-public/ml_metadata_store_server:1.14.0",
        "docker.io/alpine:3.23",
        "mysql:8.4",
        "ghcr.io/chrislusf/seaweedfs:4.34",
        "quay.io/argoproj/workflow-controller:v4.0.5",
    ],
    mirror_patches,
};

/// Images the 2.17.0 manifests set outside container `image` fields: the
/// API server's driver and launcher (environment), the Argo executor (the
/// workflow controller's `--executor-image`) and the cache's image
/// (`pipeline-install-config`, untagged upstream).
const DRIVER: &str = "ghcr.io/kubeflow/kfp-driver:2.17.0";
const LAUNCHER: &str = "ghcr.io/kubeflow/kfp-launcher:2.17.0";
const EXECUTOR: &str = "quay.io/argoproj/argoexec:v4.0.5";
const CACHE: &str = "ghcr.io/containerd/busybox";

fn mirror_patches(images: &ImagesConfig) -> Vec<ImagePatch> {
    vec![
        ImagePatch {
            kind: "Deployment",
            name: "ml-pipeline",
            patch: format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ml-pipeline\nspec:\n  template:\n    spec:\n      containers:\n      - name: ml-pipeline-api-server\n        env:\n        - name: V2_DRIVER_IMAGE\n          value: {}\n        - name: V2_LAUNCHER_IMAGE\n          value: {}\n",
                images.pull(DRIVER),
                images.pull(LAUNCHER)
            ),
        },
        ImagePatch {
            kind: "Deployment",
            name: "workflow-controller",
            // A strategic merge replaces a container's `args` whole: these
            // are the 2.17.0 manifests' own, the executor moved.
            patch: format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: workflow-controller\nspec:\n  template:\n    spec:\n      containers:\n      - name: workflow-controller\n        args:\n        - --configmap\n        - workflow-controller-configmap\n        - --executor-image\n        - {}\n        - --namespaced\n",
                images.pull(EXECUTOR)
            ),
        },
        ImagePatch {
            kind: "ConfigMap",
            name: "pipeline-install-config",
            patch: format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pipeline-install-config\ndata:\n  cacheImage: {}\n",
                images.pull(CACHE)
            ),
        },
    ]
}
/// The namespace the manifests install into.
pub(super) const NAMESPACE: &str = "kubeflow";
/// The API server's Service and port.
pub(super) const API_SERVICE: (&str, u16) = ("ml-pipeline", 8888);
/// The UI's Service and port.
pub(super) const UI_SERVICE: (&str, u16) = ("ml-pipeline-ui", 80);

/// Deployments of the upstream manifests (1 replica each) and the requests
/// of their main container, where set.
const UPSTREAM_PODS: [(&str, Option<(&str, &str)>); 14] = [
    ("ml-pipeline", Some(("250m", "500Mi"))),
    ("ml-pipeline-persistenceagent", Some(("120m", "500Mi"))),
    ("ml-pipeline-visualizationserver", Some(("30m", "500Mi"))),
    ("ml-pipeline-ui", Some(("10m", "70Mi"))),
    ("workflow-controller", Some(("100m", "500Mi"))),
    ("mysql", Some(("100m", "800Mi"))),
    ("seaweedfs", Some(("64m", "256Mi"))),
    ("ml-pipeline-scheduledworkflow", None),
    ("ml-pipeline-viewer-crd", None),
    ("cache-server", None),
    ("cache-deployer-deployment", None),
    ("metadata-envoy-deployment", None),
    ("metadata-grpc-deployment", None),
    ("metadata-writer", None),
];
/// Claims of the upstream manifests (no storage class: the cluster default).
const UPSTREAM_VOLUMES: [(&str, &str); 2] = [("mysql", "20Gi"), ("seaweedfs", "20Gi")];

/// The `kubeflow-pipelines` component.
pub(super) struct KubeflowPipelines;

/// A component installed from upstream kustomize manifests at a pinned
/// revision; its namespace is the one upstream fixes (`kubeflow`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct KustomizeComponentConfig {
    /// Public endpoint of its UI, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<PublicEndpoint>,
}

impl Component for KubeflowPipelines {
    type Config = KustomizeComponentConfig;
    const NAME: &'static str = "kubeflow-pipelines";
    const ABOUT: &'static str = "Kubeflow Pipelines 2.17.0 (upstream kustomize manifests).";
    const SECTION: Section = Section::Namespaced;
    // Argo Workflows' CRDs exceed client-side apply's annotation limit.
    const SYNC_OPTIONS: &'static [&'static str] =
        &["ServerSideApply=true", "SkipDryRunOnMissingResource=true"];

    fn delivery(&self, _: &Own<'_, KustomizeComponentConfig>) -> Delivery {
        Delivery::Kustomize(SOURCE)
    }
    fn prerequisites(&self, own: &Own<'_, KustomizeComponentConfig>) -> Vec<Prerequisite> {
        let host = ingress::public_host(own.platform, &own.config.endpoint);
        ingress::prerequisites(own.platform, own.namespace, host)
    }
    fn addresses(&self, own: &Own<'_, KustomizeComponentConfig>) -> Vec<Address> {
        vec![
            Address::new("api", API_SERVICE.0, own.namespace, API_SERVICE.1),
            Address::new("ui", UI_SERVICE.0, own.namespace, UI_SERVICE.1),
        ]
    }
    fn validate(&self, cx: &Cx<'_, KustomizeComponentConfig>, f: &mut Findings) {
        fixed_namespace(cx.namespace, NAMESPACE, f);
    }
    fn workloads(&self, own: &Own<'_, KustomizeComponentConfig>) -> Vec<Workload> {
        let src = "from kubeflow/pipelines 2.17.0 manifests (env/platform-agnostic)";
        UPSTREAM_PODS
            .iter()
            .map(|(name, req)| {
                let r = resources((req.map(|r| r.0), req.map(|r| r.1)), (None, None));
                let mut w = Workload::pods(Self::NAME, own.namespace, name, 1)
                    .default_container(&r, format!("{name}: 1 replica, requests {src}"));
                if let Some((_, size)) = UPSTREAM_VOLUMES.iter().find(|(n, _)| n == name) {
                    w = w.volume(DEFAULT_CLASS, &size.parse().expect("constant parses"));
                }
                w
            })
            .collect()
    }
    fn smoke(&self, cx: &Cx<'_, KustomizeComponentConfig>) -> Option<SmokeCheck> {
        let a = cx.address(Self::NAME, "api").ok()?;
        Some(SmokeCheck::script(
            cx.namespace,
            a,
            images::CURL,
            include_str!("smoke/kubeflow-pipelines.sh"),
            false,
        ))
    }
    fn build(&self, cx: &Cx<'_, KustomizeComponentConfig>) -> Result<Vec<Document>, Finding> {
        let Some(host) = ingress::public_host(cx.platform, &cx.config.endpoint) else {
            return Ok(Vec::new());
        };
        let ui = cx.address(Self::NAME, "ui")?;
        Ok(ingress::document(
            cx.platform,
            "manifests/kubeflow-pipelines-ingress.yaml",
            "kubeflow-pipelines-ui",
            cx.namespace,
            &host,
            ui,
        )
        .into_iter()
        .collect())
    }
}
