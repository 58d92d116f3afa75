//! `ExternalSecret` (`external-secrets.io/v1`; `v1beta1` is no longer
//! served): the fields gen sets.

use serde::Serialize;

use super::CustomResource;

/// The spec of an ExternalSecret.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecret {
    /// How often the Secret is refreshed (a Go duration).
    pub refresh_interval: String,
    /// The store the values come from.
    pub secret_store_ref: SecretStoreRef,
    /// The Secret it creates.
    pub target: Target,
    /// Its keys.
    pub data: Vec<ExternalSecretData>,
}

impl CustomResource for ExternalSecret {
    const API_VERSION: &'static str = "external-secrets.io/v1";
    const KIND: &'static str = "ExternalSecret";
}

/// A (Cluster)SecretStore.
#[derive(Debug, Clone, Serialize)]
pub struct SecretStoreRef {
    /// `ClusterSecretStore` or `SecretStore`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
}

/// The Secret created.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Its name.
    pub name: String,
    /// `Owner`: the ExternalSecret owns the Secret.
    pub creation_policy: &'static str,
    /// Its type, when it must be a particular one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<TargetTemplate>,
}

/// The created Secret's type.
#[derive(Debug, Clone, Serialize)]
pub struct TargetTemplate {
    /// `kubernetes.io/basic-auth`, ….
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// One key of the Secret.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretData {
    /// The key in the Secret.
    pub secret_key: String,
    /// Where its value is in the store.
    pub remote_ref: RemoteRef,
}

/// A value in the store.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteRef {
    /// The store's key.
    pub key: String,
    /// The property of that key.
    pub property: String,
}
