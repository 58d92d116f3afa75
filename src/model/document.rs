//! The files a component emits, before templating.

use serde::Serialize;

use super::Chart;
use crate::yaml::Emitted;

/// One file a component emits, before templating.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path inside the env directory (`values/kafka.yaml`).
    pub path: String,
    /// Template stem in `templates/` (`kafka` → `kafka.yaml.tera`).
    pub template: &'static str,
    /// What the template sees besides the documents: small facts for its
    /// comments (names, counts, ports).
    pub data: serde_json::Value,
    /// The name under which the template sees the documents.
    pub view: View,
    /// The YAML documents the file holds, in order, as the emitter wrote
    /// them: what the template lays out and what the rendered file must
    /// hold (verbatim, or parsing back into the same values).
    pub expect: Vec<Emitted>,
    /// A values file's values as JSON, when kept for checking them against
    /// the chart ([`Own::checks_values`](super::Own::checks_values));
    /// otherwise read from the text when needed.
    pub json: Option<serde_json::Value>,
}

/// How a template sees a file's documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The file's one document, under this name (`{{ values | to_yaml }}`).
    One(&'static str),
    /// The list of documents, under this name (`{% for ns in namespaces %}`).
    All(&'static str),
}

impl Document {
    /// A values file (`values/<stem>.yaml`): the template sees the chart,
    /// release, namespace and the typed values.
    pub fn values<V: Serialize>(
        stem: &'static str,
        chart: &Chart,
        release: &str,
        namespace: &str,
        values: &V,
    ) -> Document {
        Document {
            path: format!("values/{stem}.yaml"),
            template: stem,
            data: serde_json::json!({
                "chart": chart,
                "release": release,
                "namespace": namespace,
            }),
            view: View::One("values"),
            expect: vec![Emitted::of(values)],
            json: None,
        }
    }
}
