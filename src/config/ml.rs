//! Config of the ML platform: KubeRay and a RayCluster, MLflow, Kubeflow
//! Pipelines and Katib, and the public endpoints of the platform.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ImageRef, Resources, SecretRef};

/// How public endpoints are exposed: one ingress class and one TLS
/// certificate Secret for the env's domain.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressConfig {
    /// `ingressClassName` of every Ingress.
    pub class_name: String,
    /// Name of the TLS Secret (present in each namespace that has an endpoint).
    pub tls_secret: String,
}

/// A component's public endpoint: `<subdomain>.<domain>`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PublicEndpoint {
    /// Whether the endpoint is rendered.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Host name under the env's domain (`ray` → `ray.254carbon.com`).
    pub subdomain: String,
}

/// The KubeRay operator (ray-project/kuberay-operator Helm chart, with CRDs).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KuberayOperatorConfig {
    /// Whether the operator is rendered.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Helm release name.
    #[serde(default = "kuberay_release")]
    pub release: String,
    /// Namespace it runs in (it watches every namespace).
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Operator image.
    pub image: ImageRef,
}

fn kuberay_release() -> String {
    "kuberay-operator".into()
}

/// A RayCluster (`ray.io/v1`) with in-tree autoscaling.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RayClusterConfig {
    /// Whether the cluster is rendered.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Name of the RayCluster (its head Service is `<name>-head-svc`).
    pub name: String,
    /// Namespace of the cluster.
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Ray version (`2.9.0`); the image tag must start with it.
    pub ray_version: String,
    /// Image of head and workers (`rayproject/ray:2.9.0`).
    pub image: ImageRef,
    /// In-tree autoscaling of the worker groups.
    #[serde(default)]
    pub autoscaling: RayAutoscaling,
    /// The head pod.
    pub head: RayHead,
    /// Worker groups; each name is unique in the cluster.
    pub worker_groups: Vec<RayWorkerGroup>,
    /// Public endpoint of the Ray dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<PublicEndpoint>,
}

/// Autoscaler settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RayAutoscaling {
    /// Whether the autoscaler runs (sets `enableInTreeAutoscaling`).
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Seconds a worker stays idle before it is removed.
    #[serde(default = "idle_timeout")]
    #[schemars(range(min = 1))]
    pub idle_timeout_seconds: u32,
    /// How fast the autoscaler adds workers.
    #[serde(default)]
    pub upscaling_mode: UpscalingMode,
}

impl Default for RayAutoscaling {
    fn default() -> Self {
        RayAutoscaling {
            enabled: true,
            idle_timeout_seconds: idle_timeout(),
            upscaling_mode: UpscalingMode::default(),
        }
    }
}

fn idle_timeout() -> u32 {
    60
}

/// The autoscaler's `upscalingMode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum UpscalingMode {
    /// Scale up in bounded steps.
    #[default]
    Default,
    /// Scale up as fast as demand asks.
    Aggressive,
    /// Scale up one step at a time.
    Conservative,
}

/// The Ray head.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RayHead {
    /// Container resources.
    pub resources: Resources,
}

/// A Ray worker group.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RayWorkerGroup {
    /// Group name (a DNS label, unique in the cluster).
    pub group_name: String,
    /// Workers at start.
    pub replicas: u32,
    /// Fewest workers the autoscaler keeps.
    pub min_replicas: u32,
    /// Most workers the autoscaler starts.
    pub max_replicas: u32,
    /// Container resources of each worker.
    pub resources: Resources,
}

/// MLflow tracking server (community-charts/mlflow).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MlflowConfig {
    /// Whether MLflow is rendered.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Helm release name (also the name of its Service).
    #[serde(default = "mlflow_release")]
    pub release: String,
    /// Namespace it runs in.
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Tracking server pods.
    #[serde(default = "one")]
    pub replicas: u32,
    /// Container resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Backend store: a database on the existing PostgreSQL.
    pub backend_store: MlflowBackendStore,
    /// Artifact store: a bucket on the existing MinIO (S3 API).
    pub artifacts: MlflowArtifacts,
    /// Public endpoint of the MLflow UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<PublicEndpoint>,
}

fn mlflow_release() -> String {
    "mlflow".into()
}
fn one() -> u32 {
    1
}

/// MLflow's database; both credentials are keys of one Secret.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MlflowBackendStore {
    /// Database name on the existing PostgreSQL.
    pub database: String,
    /// Secret key holding the user name.
    pub user: SecretRef,
    /// Secret key holding the password (same Secret as `user`).
    pub password: SecretRef,
}

/// MLflow's artifact bucket; both keys are keys of one Secret.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MlflowArtifacts {
    /// Bucket name.
    pub bucket: String,
    /// Secret key holding the access key id.
    pub access_key_id: SecretRef,
    /// Secret key holding the secret access key (same Secret as `accessKeyId`).
    pub secret_access_key: SecretRef,
}

/// A component installed from upstream kustomize manifests at a pinned revision.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KustomizeComponentConfig {
    /// Whether it is rendered.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Namespace the manifests install into (fixed by upstream: `kubeflow`).
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Public endpoint of its UI, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<PublicEndpoint>,
}
