//! The platform config as users write it: `platform.yaml` merged with
//! `envs/<env>.yaml`. Every field is documented; the docs become the JSON
//! Schema descriptions. Unknown keys are errors.

mod doris;
mod image;
mod ml;
mod quantity;
mod secret;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use doris::{DorisBe, DorisConfig, DorisFe, DorisOperatorConfig, SupersetLinkConfig};
pub use image::ImageRef;
pub use ml::{
    IngressConfig, KuberayOperatorConfig, KustomizeComponentConfig, MlflowArtifacts,
    MlflowBackendStore, MlflowConfig, PublicEndpoint, RayAutoscaling, RayClusterConfig, RayHead,
    RayWorkerGroup, UpscalingMode,
};
pub use quantity::{Quantity, QuantityError};
pub use secret::{SecretRef, LITERAL_SECRET, SECRET_HELP};

/// The whole platform, for one environment (base and overlay merged).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlatformConfig {
    /// Name of the platform, for the people who read the config.
    pub name: String,
    /// DNS domain under which public endpoints live (e.g. `254carbon.com`).
    pub domain: String,
    /// Storage class for every persistent volume unless a component says otherwise.
    pub storage_class: String,
    /// Where Argo CD finds this repository and how it applies it.
    pub argocd: ArgoCdConfig,
    /// Where container images come from.
    #[serde(default)]
    pub images: ImagesConfig,
    /// Services already running on the cluster that components use.
    pub external: ExternalServices,
    /// Capacity of the cluster this env runs on; `gen plan` shows the
    /// headroom, and a render whose requests exceed it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityConfig>,
    /// The external-secrets ClusterSecretStore that holds this env's
    /// credentials; with it, every Secret reference also yields an
    /// ExternalSecret that creates the Secret. Without it, the Secrets must
    /// exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_store: Option<SecretStoreConfig>,
    /// Smoke checks run after every sync; absent means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<ChecksConfig>,
    /// How public endpoints are exposed; without it, none are rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<IngressConfig>,
    /// The components of the platform.
    pub components: Components,
    /// Config of components added by programs that embed platgen, by
    /// component name; each such component reads and checks its own part.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, serde_json::Value>,
}

/// Argo CD settings: the GitOps repository the output is committed to.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoCdConfig {
    /// Namespace Argo CD runs in (Applications are created there).
    #[serde(default = "default_argocd_namespace")]
    pub namespace: String,
    /// Argo CD project the Applications belong to.
    #[serde(default = "default_project")]
    pub project: String,
    /// Git URL of the GitOps repository holding the rendered output.
    pub repo_url: String,
    /// Branch, tag or commit of the GitOps repository to apply.
    #[serde(default = "default_revision")]
    pub target_revision: String,
    /// Directory inside the GitOps repository where `gen render --out` writes
    /// (the env directories are below it). Empty for the repository root.
    #[serde(default)]
    pub path: String,
    /// API server Argo CD deploys to.
    #[serde(default = "default_server")]
    pub destination_server: String,
}

fn default_argocd_namespace() -> String {
    "argocd".into()
}
fn default_project() -> String {
    "default".into()
}
fn default_revision() -> String {
    "main".into()
}
fn default_server() -> String {
    "https://kubernetes.default.svc".into()
}

/// A `ClusterSecretStore` of external-secrets.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretStoreConfig {
    /// Name of the ClusterSecretStore.
    pub name: String,
    /// How often Secrets are refreshed from the store (a Go duration).
    #[serde(default = "refresh_interval")]
    pub refresh_interval: String,
}

fn refresh_interval() -> String {
    "1h".into()
}

/// Post-deployment smoke checks, run by Argo CD after every sync.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChecksConfig {
    /// Whether checks are rendered.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Components whose check is off (by component name, e.g. `katib`).
    #[serde(default)]
    pub skip: Vec<String>,
    /// Seconds a check may run before it fails.
    #[serde(default = "check_deadline")]
    #[schemars(range(min = 1))]
    pub deadline_seconds: u32,
    /// Retries of a failed check.
    #[serde(default = "check_backoff")]
    pub backoff_limit: u32,
}

impl PlatformConfig {
    /// Whether `component`'s smoke check is on in this env.
    pub fn smoke_on(&self, component: &str) -> bool {
        self.checks
            .as_ref()
            .is_some_and(|k| k.enabled && !k.skip.iter().any(|s| s == component))
    }
}

fn check_deadline() -> u32 {
    300
}
fn check_backoff() -> u32 {
    2
}

/// What the cluster can hold. Compared with the worst case: every pod's
/// requests, autoscaled groups at their maximum.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CapacityConfig {
    /// Allocatable CPU (e.g. `64`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Allocatable memory (e.g. `256Gi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
    /// Pods the platform may add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<u32>,
    /// Free storage per storage class (e.g. `local-storage-standard: 400Gi`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage: BTreeMap<String, Quantity>,
}

/// Image sources.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImagesConfig {
    /// Registry for the Bitnami charts' images.
    #[serde(default = "default_bitnami_registry")]
    pub bitnami_registry: String,
    /// Repository namespace for the Bitnami charts' images. Bitnami's Debian
    /// images are served from `bitnamilegacy`; any other value also sets the
    /// chart's `global.security.allowInsecureImages`.
    #[serde(default = "default_bitnami_namespace")]
    pub bitnami_namespace: String,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            bitnami_registry: default_bitnami_registry(),
            bitnami_namespace: default_bitnami_namespace(),
        }
    }
}

fn default_bitnami_registry() -> String {
    "docker.io".into()
}
fn default_bitnami_namespace() -> String {
    "bitnamilegacy".into()
}

/// Services already on the cluster, only referenced.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExternalServices {
    /// The existing PostgreSQL server.
    pub postgresql: Endpoint,
    /// The existing MinIO (S3 API, plain HTTP inside the cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minio: Option<Endpoint>,
}

/// A host and port.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Endpoint {
    /// DNS name (e.g. `postgresql.kong.svc.cluster.local`).
    pub host: String,
    /// TCP port.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
}

/// Every component of the platform. Each has `enabled` (default true).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Components {
    /// Namespaces the platform creates.
    pub namespaces: NamespacesConfig,
    /// Elasticsearch (bitnami/elasticsearch), DataHub's search index.
    pub elasticsearch: ElasticsearchConfig,
    /// Kafka in KRaft mode (bitnami/kafka), DataHub's event log.
    pub kafka: KafkaConfig,
    /// Neo4j (neo4j/neo4j), DataHub's graph store.
    pub neo4j: Neo4jConfig,
    /// DataHub (acryldata/datahub): GMS, frontend, MAE and MCE consumers.
    pub datahub: DatahubConfig,
    /// The Doris operator; absent means not part of the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doris_operator: Option<DorisOperatorConfig>,
    /// A Doris cluster managed by the operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doris: Option<DorisConfig>,
    /// Doris registered in the existing Superset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superset: Option<SupersetLinkConfig>,
    /// The KubeRay operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kuberay_operator: Option<KuberayOperatorConfig>,
    /// A RayCluster managed by KubeRay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ray_cluster: Option<RayClusterConfig>,
    /// MLflow tracking server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mlflow: Option<MlflowConfig>,
    /// Kubeflow Pipelines 2.17.0 (upstream kustomize manifests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeflow_pipelines: Option<KustomizeComponentConfig>,
    /// Katib v0.19.0 (upstream kustomize manifests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub katib: Option<KustomizeComponentConfig>,
}

/// Namespaces, each with its labels.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NamespacesConfig {
    /// Whether the namespaces are rendered.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Namespace name → its settings.
    pub items: BTreeMap<String, NamespaceConfig>,
}

/// One namespace.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NamespaceConfig {
    /// Labels on the namespace (e.g. `istio-injection: enabled`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// CPU and memory for one resource list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceList {
    /// CPU (e.g. `500m`, `2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Memory (e.g. `512Mi`, `4Gi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
}

/// Requests and limits of a container, as in Kubernetes.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    /// What the scheduler reserves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceList>,
    /// The most the container may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceList>,
}

/// Elasticsearch node groups.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ElasticsearchConfig {
    /// Whether Elasticsearch is rendered.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Helm release name (also the name of its client Service).
    #[serde(default = "es_release")]
    pub release: String,
    /// Namespace it runs in.
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Master-eligible nodes (with a data volume).
    pub master: EsStatefulGroup,
    /// Data nodes (with a data volume).
    pub data: EsStatefulGroup,
    /// Coordinating-only nodes (no volume).
    pub coordinating: EsGroup,
    /// Ingest nodes (no volume); `replicas: 0` turns them off.
    pub ingest: EsGroup,
}

fn es_release() -> String {
    "elasticsearch".into()
}

/// An Elasticsearch node group with persistent storage.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EsStatefulGroup {
    /// Number of pods.
    pub replicas: u32,
    /// Size of each pod's data volume.
    pub storage: Quantity,
    /// JVM heap (`512m`, `2g`); the chart's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap_size: Option<String>,
    /// Container resources; the chart's preset when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

/// An Elasticsearch node group without storage.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EsGroup {
    /// Number of pods.
    pub replicas: u32,
    /// JVM heap (`512m`, `2g`); the chart's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap_size: Option<String>,
    /// Container resources; the chart's preset when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

/// Kafka in KRaft mode.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KafkaConfig {
    /// Whether Kafka is rendered.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Helm release name (also the name of its bootstrap Service).
    #[serde(default = "kafka_release")]
    pub release: String,
    /// Namespace it runs in.
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Controller-eligible nodes; they also act as brokers.
    pub controller: KafkaNodes,
    /// Broker-only nodes (0 by default: the controllers serve clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<KafkaNodes>,
}

fn kafka_release() -> String {
    "kafka".into()
}

/// A group of Kafka nodes.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KafkaNodes {
    /// Number of pods.
    pub replicas: u32,
    /// Size of each pod's data volume.
    pub storage: Quantity,
    /// Container resources; the chart's preset when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

fn neo4j_release() -> String {
    "neo4j".into()
}

/// Neo4j, standalone.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Neo4jConfig {
    /// Whether Neo4j is rendered.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Helm release name (also the name of its Service).
    #[serde(default = "neo4j_release")]
    pub release: String,
    /// Namespace it runs in.
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Size of the data volume.
    pub storage: Quantity,
    /// CPU and memory of the Neo4j container (the chart sets requests = limits).
    pub resources: ResourceList,
    /// Secret holding `NEO4J_AUTH` = `neo4j/<password>` (password ≥ 8 characters).
    pub auth: SecretRef,
}

/// DataHub and what it connects to.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DatahubConfig {
    /// Whether DataHub is rendered.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Helm release name.
    #[serde(default = "datahub_release")]
    pub release: String,
    /// Namespace it runs in.
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// DataHub image tag (`global.datahub.version`); the chart's appVersion when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The metadata service (GMS).
    pub gms: DatahubService,
    /// The web frontend.
    pub frontend: DatahubService,
    /// The metadata-audit-event consumer, as its own pods.
    pub mae_consumer: DatahubService,
    /// The metadata-change-event consumer, as its own pods.
    pub mce_consumer: DatahubService,
    /// Secret key holding the Neo4j password (the plain password, not `NEO4J_AUTH`).
    pub neo4j_password: SecretRef,
    /// DataHub's SQL store on the existing PostgreSQL.
    pub sql: DatahubSql,
    /// Public endpoint of the DataHub frontend (the chart's ingress).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<PublicEndpoint>,
}

fn datahub_release() -> String {
    "datahub".into()
}

/// One DataHub service.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DatahubService {
    /// Number of pods.
    pub replicas: u32,
    /// Container resources; the chart's defaults when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

/// DataHub's database on the existing PostgreSQL.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DatahubSql {
    /// Database name; it must exist (DataHub's system-update job creates the tables).
    pub database: String,
    /// User name.
    pub username: String,
    /// Secret key holding the user's password.
    pub password: SecretRef,
}

pub(crate) fn yes() -> bool {
    true
}
