//! ExternalSecrets (`external-secrets.io/v1`) that create every Secret the
//! platform reads, from the env's ClusterSecretStore. Rendered only when the
//! env names a store; components that read Secrets sync after them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{registry, Component, Delivery, Document, SecretUse};
use crate::config::PlatformConfig;
use crate::model::Finding;

/// `apiVersion` of ExternalSecret (`v1beta1` is no longer served).
pub const API_VERSION: &str = "external-secrets.io/v1";

/// The `external-secrets` component.
pub struct ExternalSecrets;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalSecret {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    spec: Spec,
}

#[derive(Serialize)]
struct Metadata {
    name: String,
    namespace: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    refresh_interval: String,
    secret_store_ref: StoreRef,
    target: Target,
    data: Vec<Data>,
}

#[derive(Serialize)]
struct StoreRef {
    kind: &'static str,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    name: String,
    creation_policy: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<Template>,
}

#[derive(Serialize)]
struct Template {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    secret_key: String,
    remote_ref: RemoteRef,
}

#[derive(Serialize)]
struct RemoteRef {
    key: String,
    property: String,
}

/// Every Secret the enabled components read, grouped by (namespace, name).
pub fn uses(c: &PlatformConfig) -> BTreeMap<(String, String), Vec<SecretUse>> {
    let mut out: BTreeMap<(String, String), Vec<SecretUse>> = BTreeMap::new();
    for comp in registry().iter().filter(|x| x.enabled(c)) {
        for u in comp.secrets(c) {
            let entry = out
                .entry((u.namespace.clone(), u.reference.secret.clone()))
                .or_default();
            if !entry.iter().any(|e| e.reference.key == u.reference.key) {
                entry.push(u);
            }
        }
    }
    out
}

impl Component for ExternalSecrets {
    fn name(&self) -> &'static str {
        "external-secrets"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        Some(Placement::new(
            c.secret_store.is_some(),
            &c.argocd.namespace,
            &[],
        ))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        super::needs_namespaces(c)
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Manifests
    }
    fn sync_options(&self) -> &'static [&'static str] {
        &["SkipDryRunOnMissingResource=true"]
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let Some(store) = &c.secret_store else { return };
        if !crate::names::is_dns_label(&store.name) {
            f.push(Finding::new(
                &["secretStore", "name"],
                format!("`{}` is not a valid ClusterSecretStore name", store.name),
                "use lower-case letters, digits and `-`",
            ));
        }
        for ((ns, name), keys) in uses(c) {
            let types: Vec<_> = keys.iter().map(|k| k.secret_type).collect();
            if types.windows(2).any(|w| w[0] != w[1]) {
                f.push(Finding::new(
                    &["secretStore"],
                    format!(
                        "Secret `{name}` in `{ns}` is read both as a typed and as an opaque Secret"
                    ),
                    "give the components separate Secrets",
                ));
            }
        }
    }
    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let Some(store) = &c.secret_store else {
            return Vec::new();
        };
        let docs: Vec<crate::yaml::Emitted> = uses(c)
            .into_iter()
            .map(|((namespace, name), keys)| {
                let mut data: Vec<Data> = keys
                    .iter()
                    .map(|u| Data {
                        secret_key: u.reference.key.clone(),
                        remote_ref: RemoteRef {
                            key: u
                                .reference
                                .remote_key
                                .clone()
                                .unwrap_or_else(|| format!("{namespace}/{name}")),
                            property: u.reference.key.clone(),
                        },
                    })
                    .collect();
                data.sort_by(|a, b| a.secret_key.cmp(&b.secret_key));
                let es = ExternalSecret {
                    api_version: API_VERSION,
                    kind: "ExternalSecret",
                    metadata: Metadata {
                        name: name.clone(),
                        namespace,
                    },
                    spec: Spec {
                        refresh_interval: store.refresh_interval.clone(),
                        secret_store_ref: StoreRef {
                            kind: "ClusterSecretStore",
                            name: store.name.clone(),
                        },
                        target: Target {
                            name,
                            creation_policy: "Owner",
                            template: keys[0].secret_type.map(|kind| Template { kind }),
                        },
                        data,
                    },
                };
                crate::yaml::Emitted::of(&es)
            })
            .collect();
        vec![Document {
            path: "manifests/external-secrets.yaml".into(),
            template: "external-secrets",
            data: serde_json::json!({ "store": store.name }),
            view: super::View::All("secrets"),
            expect: docs,
        }]
    }
    fn workloads(&self, _: &PlatformConfig) -> Vec<crate::model::Workload> {
        Vec::new()
    }
}
