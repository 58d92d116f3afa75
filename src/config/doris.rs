//! Config of the Doris OLAP stack: the operator, the cluster, and the
//! link that registers it in the existing Superset.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ImageRef, Quantity, Resources, SecretRef};

/// The Doris operator (apache/doris-operator Helm chart).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DorisOperatorConfig {
    /// Whether the operator is rendered.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Helm release name.
    #[serde(default = "doris_operator_release")]
    pub release: String,
    /// Namespace it runs in (it watches every namespace).
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Operator image; the chart's default is `operator-latest`, so pin one.
    pub image: ImageRef,
}

fn doris_operator_release() -> String {
    "doris-operator".into()
}

/// A `DorisCluster` (doris.selectdb.com/v1): FE and BE.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DorisConfig {
    /// Whether the cluster is rendered.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Name of the DorisCluster (its FE Service is `<name>-fe-service`).
    #[serde(default = "doris_name")]
    pub name: String,
    /// Namespace of the cluster.
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Secret of type `kubernetes.io/basic-auth` (keys `username`,
    /// `password`) the operator uses to manage nodes.
    pub auth_secret: String,
    /// Frontends (metadata and query planning).
    pub fe: DorisFe,
    /// Backends (storage and execution).
    pub be: DorisBe,
}

fn doris_name() -> String {
    "doris-cluster".into()
}

/// Doris frontends.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DorisFe {
    /// Number of FE pods.
    pub replicas: u32,
    /// FEs that take part in leader election (the rest are observers): odd,
    /// at most `replicas`. Default: the largest odd number ≤ min(replicas, 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election_number: Option<u32>,
    /// FE image, e.g. `apache/doris:fe-3.0.8`.
    pub image: ImageRef,
    /// Container resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Size of each FE's metadata volume.
    pub storage: Quantity,
}

/// Doris backends.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DorisBe {
    /// Number of BE pods.
    pub replicas: u32,
    /// BE image, e.g. `apache/doris:be-3.0.8`.
    pub image: ImageRef,
    /// Container resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Size of each BE's storage volume.
    pub storage: Quantity,
}

/// Registers the Doris cluster as a database in the existing Superset
/// release, declaratively (the chart's `import_datasources` step).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SupersetLinkConfig {
    /// Whether the link is rendered.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Name of the existing Superset Helm release.
    #[serde(default = "superset_release")]
    pub release: String,
    /// Namespace of the existing Superset release.
    pub namespace: String,
    /// Components this one waits for, in addition to the built-in ones.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Version of the apache/superset chart the release runs.
    pub chart_version: String,
    /// The release's own values files in the GitOps repository (paths from
    /// the repository root), applied before the rendered one.
    #[serde(default)]
    pub base_value_files: Vec<String>,
    /// Name of the database in Superset.
    #[serde(default = "database_name")]
    pub database_name: String,
    /// Doris user Superset connects as.
    pub username: String,
    /// Doris database (`catalog.database`) the connection opens.
    #[serde(default = "doris_database")]
    pub database: String,
    /// That user's password, in a Secret in Superset's namespace.
    pub password: SecretRef,
}

fn superset_release() -> String {
    "superset".into()
}
fn database_name() -> String {
    "Doris OLAP".into()
}
fn doris_database() -> String {
    "internal.information_schema".into()
}
