//! The platform config as users write it (`platform.yaml` merged with
//! `envs/<env>.yaml`): the settings every component shares, and the input
//! types components build their own settings from. Each component's
//! section under `components` is its own type, in its own module. Every
//! field is documented; the docs become the JSON Schema descriptions.
//! Unknown keys are errors.

mod chart;
mod image;
mod quantity;
mod release;
mod secret;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use chart::ChartPin;
pub use image::{split_registry, ImageRef};
pub use quantity::{Quantity, QuantityError};
pub use release::{GitDir, ReleaseChart, ReleaseConfig};
pub use secret::{SecretRef, LITERAL_SECRET, SECRET_HELP};

/// The platform's shared settings, for one environment (base and overlay
/// merged). Beside them, `components` holds one section per component.
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
    /// The chart each Helm component installs, by component key (`kafka`,
    /// `dorisOperator`): what is written here replaces that part of the
    /// component's built-in pin. `gen vendor` pulls every pinned chart.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub charts: BTreeMap<String, ChartPin>,
    /// Helm releases of any chart besides the components, by name: each
    /// rendered like a built-in Helm component (values file, Application,
    /// sync wave from `dependsOn`), its values checked against the
    /// vendored chart.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub releases: BTreeMap<String, ReleaseConfig>,
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
    /// The Kubernetes version of the cluster this env deploys to (`1.35`,
    /// `v1.35.2`). Argo CD renders each chart for the cluster it syncs to;
    /// `gen verify` renders it for this version (`helm template
    /// --kube-version`). Unset: Helm's own default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
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
    /// API server the env's components deploy to (a cluster registered in
    /// Argo CD). The root Application stays in Argo CD's own cluster, where
    /// Argo CD reads Application objects.
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
    /// A registry every image the platform runs is pulled from instead of
    /// its source (an air-gapped cluster's mirror): every chart's images,
    /// the operators, the custom resources and the smoke checks. Image
    /// `SOURCE/PATH:TAG` becomes `REGISTRY/SOURCE/PATH:TAG`, with the source
    /// registry spelled out (`mysql:8.4.6` is `docker.io/library/mysql`);
    /// `paths` renames the source part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror: Option<MirrorConfig>,
}

/// Where mirrored images live.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MirrorConfig {
    /// The mirror: `host[:port][/path]`, e.g. `registry.corp.example/mirror`.
    pub registry: String,
    /// Path under the mirror per source registry, when it is not the source
    /// registry's name (e.g. Harbor proxy-cache projects:
    /// `{ docker.io: dockerhub, quay.io: quay }`); `""` puts that source's
    /// images at the mirror's root.
    #[serde(default)]
    pub paths: BTreeMap<String, String>,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            bitnami_registry: default_bitnami_registry(),
            bitnami_namespace: default_bitnami_namespace(),
            mirror: None,
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
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Host name under the env's domain (`ray` → `ray.254carbon.com`).
    #[serde(deserialize_with = "subdomain")]
    pub subdomain: String,
}

fn subdomain<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if !crate::names::is_dns_subdomain(&s) {
        return Err(serde::de::Error::custom(format!(
            "`{}` is not a host name: lower-case labels of letters, digits and `-`, joined by `.`",
            s.escape_debug()
        )));
    }
    Ok(s)
}

impl ResourceList {
    /// As Kubernetes writes a resource list: resource name → quantity.
    pub fn to_k8s(&self) -> BTreeMap<String, crate::k8s::Quantity> {
        [("cpu", &self.cpu), ("memory", &self.memory)]
            .into_iter()
            .filter_map(|(k, q)| q.as_ref().map(|q| (k.to_string(), q.to_k8s())))
            .collect()
    }
}

impl Resources {
    /// As a core/v1 `ResourceRequirements`.
    pub fn to_k8s(&self) -> crate::k8s::ResourceRequirements {
        crate::k8s::ResourceRequirements {
            requests: self.requests.as_ref().map(ResourceList::to_k8s),
            limits: self.limits.as_ref().map(ResourceList::to_k8s),
            claims: None,
        }
    }
}

pub(crate) fn yes() -> bool {
    true
}
