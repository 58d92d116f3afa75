//! Namespaces the platform creates, with their labels, and those it only
//! uses (`external: true`), which it never creates or prunes.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::k8s::{meta, Namespace, ObjectMeta};
use crate::model::{
    Component, Cx, Delivery, Document, Finding, Findings, Own, Prerequisite, Section, View,
};
use crate::names::{is_dns_label, is_label_key, DNS_LABEL_HELP};
use crate::yaml::Emitted;

/// Namespaces, each with its labels.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct NamespacesConfig {
    /// Namespace name → its settings.
    pub items: BTreeMap<String, NamespaceConfig>,
}

/// One namespace.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct NamespaceConfig {
    /// Labels on the namespace (e.g. `istio-injection: enabled`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Already on the cluster and owned elsewhere (e.g. an existing
    /// Superset's namespace): components may deploy into it, but gen
    /// neither creates it nor, when the declaration goes, prunes it.
    /// `gen plan` lists it among the env's prerequisites.
    #[serde(default)]
    pub external: bool,
}

/// The `namespaces` component: one `v1/Namespace` per configured item.
pub(super) struct Namespaces;

impl Component for Namespaces {
    type Config = NamespacesConfig;
    const NAME: &'static str = "namespaces";
    const ABOUT: &'static str = "Namespaces the platform creates.";
    const SECTION: Section = Section::Plain;
    const TEMPLATE: Option<&'static str> =
        Some(include_str!("../../templates/namespaces.yaml.tera"));

    fn delivery(&self, _: &Own<'_, NamespacesConfig>) -> Delivery {
        Delivery::Manifests
    }
    fn namespaces(&self, own: &Own<'_, NamespacesConfig>) -> Vec<String> {
        own.config.items.keys().cloned().collect()
    }
    fn prerequisites(&self, own: &Own<'_, NamespacesConfig>) -> Vec<Prerequisite> {
        own.config
            .items
            .iter()
            .filter(|(_, item)| item.external)
            .map(|(ns, _)| {
                Prerequisite::new(
                    "Namespace",
                    ns,
                    "declared external: components deploy into it, gen neither creates nor prunes it",
                )
            })
            .collect()
    }
    fn validate(&self, cx: &Cx<'_, NamespacesConfig>, f: &mut Findings) {
        for (ns, item) in &cx.config.items {
            if !is_dns_label(ns) {
                f.at(
                    &["items", ns],
                    format!("`{ns}` is not a valid namespace name"),
                    DNS_LABEL_HELP,
                );
            }
            if item.external && !item.labels.is_empty() {
                f.at(
                    &["items", ns, "labels"],
                    format!("labels on the external namespace `{ns}` would not be applied"),
                    format!("gen does not manage `{ns}` (external: true): set its labels where it is managed, or drop `external` to let gen create it"),
                );
            }
            for key in item.labels.keys() {
                if !is_label_key(key) {
                    f.at(
                        &["items", ns, "labels", key],
                        format!("`{key}` is not a valid label key"),
                        "a label key is an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`",
                    );
                }
            }
        }
    }
    fn build(&self, cx: &Cx<'_, NamespacesConfig>) -> Result<Vec<Document>, Finding> {
        let docs: Vec<Emitted> = cx
            .config
            .items
            .iter()
            .filter(|(_, item)| !item.external)
            .map(|(name, item)| {
                Emitted::of(&Namespace {
                    metadata: ObjectMeta {
                        labels: (!item.labels.is_empty()).then(|| item.labels.clone()),
                        ..meta(name, None)
                    },
                    ..Namespace::default()
                })
            })
            .collect();
        if docs.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![Document {
            json: None,
            path: "manifests/namespaces.yaml".into(),
            template: Self::NAME,
            expect: docs,
            data: serde_json::json!({}),
            view: View::All("namespaces"),
        }])
    }
}
