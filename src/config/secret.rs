//! References to Kubernetes Secrets. Config never holds a secret value.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// Where a credential lives: a key of a Kubernetes Secret in the
/// component's namespace. The value itself never appears in config or output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretRef {
    /// Name of the Kubernetes Secret.
    pub secret: String,
    /// Key inside the Secret.
    pub key: String,
    /// Key in the external secret store that holds the value (defaults to
    /// `<secret>/<key>`), used when the env names a secret store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_key: Option<String>,
}

/// The message for a literal value where a reference belongs; it never
/// repeats the value.
pub const LITERAL_SECRET: &str = "a literal secret value is not allowed here";

/// How to write a reference instead of a literal.
pub const SECRET_HELP: &str =
    "write a reference to a Kubernetes Secret instead, e.g. `{ secret: datahub-credentials, key: password }`";

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Ref {
            secret: String,
            key: String,
            #[serde(default)]
            remote_key: Option<String>,
        }
        let value = serde_json::Value::deserialize(d)?;
        if !value.is_object() {
            // Never echo the value: it is likely the secret itself.
            return Err(serde::de::Error::custom(LITERAL_SECRET));
        }
        let r = Ref::deserialize(value).map_err(serde::de::Error::custom)?;
        if !crate::names::is_dns_subdomain(&r.secret) {
            return Err(serde::de::Error::custom(format!(
                "`{}` is not a Secret name: lower-case letters, digits, `-` and `.` (a DNS-1123 subdomain, at most 253 characters)",
                r.secret.escape_debug()
            )));
        }
        if !crate::names::is_secret_key(&r.key) {
            return Err(serde::de::Error::custom(format!(
                "`{}` is not a key of a Secret: letters, digits, `-`, `_` and `.` only",
                r.key.escape_debug()
            )));
        }
        Ok(SecretRef {
            secret: r.secret,
            key: r.key,
            remote_key: r.remote_key,
        })
    }
}
