//! ExternalSecrets (`external-secrets.io/v1`) that create every Secret the
//! platform reads, from the env's ClusterSecretStore. Rendered only when the
//! env names a store; components that read Secrets sync after them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::k8s::{
    meta, ExternalSecret, ExternalSecretData, RemoteRef, Resource, SecretStoreRef, Target,
    TargetTemplate,
};
use crate::model::{
    Component, Cx, Delivery, Document, Finding, Findings, Own, SecretUse, Section, View,
};
use crate::names::is_dns_label;
use crate::yaml::Emitted;

/// The `external-secrets` component.
pub(super) struct ExternalSecrets;

/// It has no section: it is on when the env names a `secretStore`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NoSettings {}

/// Every Secret the enabled components read, grouped by (namespace, name),
/// each key once.
fn uses<T>(cx: &Cx<'_, T>) -> BTreeMap<(String, String), Vec<SecretUse>> {
    let mut out: BTreeMap<(String, String), Vec<SecretUse>> = BTreeMap::new();
    for u in cx.secret_uses() {
        let entry = out
            .entry((u.namespace.clone(), u.reference.secret.clone()))
            .or_default();
        if !entry.iter().any(|e| e.reference.key == u.reference.key) {
            entry.push(u.clone());
        }
    }
    out
}

impl Component for ExternalSecrets {
    type Config = NoSettings;
    const NAME: &'static str = "external-secrets";
    const ABOUT: &'static str = "ExternalSecrets creating every Secret the platform reads.";
    const SECTION: Section = Section::None;
    const TEMPLATE: Option<&'static str> =
        Some(include_str!("../../templates/external-secrets.yaml.tera"));
    const SYNC_OPTIONS: &'static [&'static str] = &["SkipDryRunOnMissingResource=true"];
    const CREATES_SECRETS: bool = true;

    fn enabled(&self, own: &Own<'_, NoSettings>) -> bool {
        own.platform.secret_store.is_some()
    }
    fn delivery(&self, _: &Own<'_, NoSettings>) -> Delivery {
        Delivery::Manifests
    }
    /// The components that create the namespaces its ExternalSecrets go to.
    fn needs(&self, cx: &Cx<'_, NoSettings>) -> Vec<&'static str> {
        cx.secret_uses()
            .filter_map(|u| cx.facts.namespaces.get(&u.namespace).copied())
            .collect()
    }
    fn validate(&self, cx: &Cx<'_, NoSettings>, f: &mut Findings) {
        let Some(store) = &cx.platform.secret_store else {
            return;
        };
        if !is_dns_label(&store.name) {
            f.push(Finding::new(
                &["secretStore", "name"],
                format!("`{}` is not a valid ClusterSecretStore name", store.name),
                "use lower-case letters, digits and `-`",
            ));
        }
        for ((ns, name), keys) in uses(cx) {
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
    fn build(&self, cx: &Cx<'_, NoSettings>) -> Result<Vec<Document>, Finding> {
        let Some(store) = &cx.platform.secret_store else {
            return Ok(Vec::new());
        };
        let docs: Vec<Emitted> = uses(cx)
            .into_iter()
            .map(|((namespace, name), keys)| {
                let mut data: Vec<ExternalSecretData> = keys
                    .iter()
                    .map(|u| ExternalSecretData {
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
                Emitted::of(&Resource::new(
                    meta(&name, Some(&namespace)),
                    ExternalSecret {
                        refresh_interval: store.refresh_interval.clone(),
                        secret_store_ref: SecretStoreRef {
                            kind: "ClusterSecretStore",
                            name: store.name.clone(),
                        },
                        target: Target {
                            name,
                            creation_policy: "Owner",
                            template: keys[0].secret_type.map(|kind| TargetTemplate { kind }),
                        },
                        data,
                    },
                ))
            })
            .collect();
        Ok(vec![Document {
            json: None,
            path: "manifests/external-secrets.yaml".into(),
            template: Self::NAME,
            data: serde_json::json!({ "store": store.name }),
            view: View::All("secrets"),
            expect: docs,
        }])
    }
}
