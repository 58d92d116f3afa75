//! Kubeflow Pipelines 2.17.0 from its upstream kustomize manifests
//! (cluster-scoped resources, then the platform-agnostic env), and an
//! Ingress to its UI.

use super::{check_fixed_namespace, ingress, Component, Delivery, Document, KustomizeSource};
use crate::config::{KustomizeComponentConfig, PlatformConfig};
use crate::model::Finding;

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
/// The API server's Service and port.
pub const API_SERVICE: (&str, u16) = ("ml-pipeline", 8888);
/// The UI's Service and port.
pub const UI_SERVICE: (&str, u16) = ("ml-pipeline-ui", 80);

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
pub struct KubeflowPipelines;

fn config(c: &PlatformConfig) -> Option<&KustomizeComponentConfig> {
    c.components.kubeflow_pipelines.as_ref()
}

impl Component for KubeflowPipelines {
    fn name(&self) -> &'static str {
        "kubeflow-pipelines"
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
    fn workloads(&self, c: &PlatformConfig) -> Vec<crate::model::Workload> {
        let Some(k) = config(c) else {
            return Vec::new();
        };
        let src = "from kubeflow/pipelines 2.17.0 manifests (env/platform-agnostic)";
        UPSTREAM_PODS
            .iter()
            .map(|(name, req)| {
                let r = crate::model::resources((req.map(|r| r.0), req.map(|r| r.1)), (None, None));
                let mut w = crate::model::Workload::pods(self.name(), &k.namespace, name, 1)
                    .default_container(&r, format!("{name}: 1 replica, requests {src}"));
                if let Some((_, size)) = UPSTREAM_VOLUMES.iter().find(|(n, _)| n == name) {
                    w = w.volume(
                        super::DEFAULT_CLASS,
                        &size.parse().expect("constant parses"),
                    );
                }
                w
            })
            .collect()
    }

    fn smoke_check(&self, c: &PlatformConfig) -> Option<crate::model::SmokeCheck> {
        use crate::model::{images, target_env, Probe, SmokeCheck};
        let k = config(c)?;
        let host = super::service_host(API_SERVICE.0, &k.namespace);
        Some(SmokeCheck {
            namespace: k.namespace.clone(),
            target: (host.clone(), API_SERVICE.1),
            probe: Probe::Script {
                image: images::CURL.into(),
                script: "curl -fsS \"http://$HOST:$PORT/apis/v2beta1/healthz\"",
                env: target_env(&host, API_SERVICE.1),
                jvm: false,
            },
        })
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
