//! Namespaces the platform creates, with their labels.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::{Component, Delivery, Document};
use crate::config::PlatformConfig;
use crate::model::Finding;

/// The `namespaces` component: one `v1/Namespace` per configured item.
pub struct Namespaces;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Namespace<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Meta<'a>,
}

#[derive(Serialize)]
struct Meta<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: &'a BTreeMap<String, String>,
}

impl Component for Namespaces {
    fn name(&self) -> &'static str {
        "namespaces"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        let n = &c.components.namespaces;
        Some(Placement::new(
            n.enabled,
            &c.argocd.namespace,
            &n.depends_on,
        ))
    }
    fn needs(&self, _: &PlatformConfig) -> Vec<&'static str> {
        Vec::new()
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Manifests
    }
    fn validate(&self, c: &PlatformConfig, findings: &mut Vec<Finding>) {
        for (ns, item) in &c.components.namespaces.items {
            for key in item.labels.keys() {
                if !is_label_key(key) {
                    findings.push(Finding::new(
                        &["components", "namespaces", "items", ns, "labels", key],
                        format!("`{key}` is not a valid label key"),
                        "a label key is an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`",
                    ));
                }
            }
        }
    }
    fn workloads(&self, _: &PlatformConfig) -> Vec<crate::model::Workload> {
        Vec::new()
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let docs: Vec<Namespace> = c
            .components
            .namespaces
            .items
            .iter()
            .map(|(name, item)| Namespace {
                api_version: "v1",
                kind: "Namespace",
                metadata: Meta {
                    name,
                    labels: &item.labels,
                },
            })
            .collect();
        vec![Document {
            path: "manifests/namespaces.yaml".into(),
            template: "namespaces",
            expect: docs.iter().map(crate::yaml::Emitted::of).collect(),
            data: json!({}),
            view: super::View::All("namespaces"),
        }]
    }
}

fn is_label_key(key: &str) -> bool {
    let name = key.rsplit_once('/').map_or(key, |(_, n)| n);
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
}
