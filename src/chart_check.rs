//! Closed values: every values file an env renders for a vendored chart
//! is checked against it before anything is written: each key path must
//! be one the chart (or a subchart) reads, and the values coalesced with
//! the chart's defaults must pass its `values.schema.json`.

use crate::charts::Vendored;
use crate::error::Diagnostic;
use crate::model::Document;
use crate::resolve::erased::key;
use crate::resolve::Resolved;

/// What the vendored charts find wrong with an env's values files.
pub(crate) fn check(r: &Resolved, docs: &[Document], vendored: &Vendored) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (c, slot) in r.enabled() {
        let Some(chart) = &slot.chart else { continue };
        let file = format!("values/{}.yaml", c.name());
        let Some(doc) = docs.iter().find(|d| d.path == file) else {
            continue;
        };
        let label = || format!("{} {}", chart.name, chart.version);
        let Some(keys) = vendored.get(chart) else {
            let (k, section) = (key(c), c.section_path());
            let pin = match section[0].as_str() {
                "releases" => [section.clone(), vec!["chart".to_string()]].concat(),
                _ => vec!["charts".to_string(), k.clone()],
            };
            let at = if section[0] == "releases" || r.platform.charts.contains_key(&k) {
                r.locate(&pin)
            } else {
                r.locate(&section)
            };
            out.push(
                Diagnostic::new(format!(
                    "chart {} ({}) is not vendored, and charts.lock exists: {file} cannot be checked",
                    label(),
                    chart.repository()
                ))
                .at(Some(at))
                .path(pin.join("."))
                .help("run `gen vendor` to pull it (charts.lock lists the charts this config checks its values against)"),
            );
            continue;
        };
        let values = match (&doc.json, doc.expect.first()) {
            (Some(json), _) => std::borrow::Cow::Borrowed(json),
            (None, Some(e)) => std::borrow::Cow::Owned(e.to_json()),
            (None, None) => continue,
        };
        let open: Vec<&str> = c.open_values().iter().map(|(p, _)| *p).collect();
        // A key `values:` wrote is placed at its line; the others at the
        // component's section.
        let place = |path: &[String]| {
            let section = c.section_path();
            match passthrough(c.written_values(slot), path) {
                Some(p) => {
                    let mut at = section;
                    at.push("values".into());
                    at.extend(p);
                    (r.locate(&at), at.join("."))
                }
                None => (r.locate(&section), section.join(".")),
            }
        };
        for u in keys.unknown_keys(&values, &open) {
            let label = label();
            let help = match &u.suggestion {
                Some(s) => format!("did you mean `{s}`? (chart {label} has no such key in its values.yaml, templates or schema)"),
                None => format!("chart {label} has no such key in its values.yaml, templates or schema: the chart ignores it"),
            };
            let (loc, path) = place(&u.path);
            out.push(
                Diagnostic::new(format!(
                    "{file}: `{}` is not a value chart {label} reads",
                    u.path.join(".")
                ))
                .at(Some(loc))
                .path(path)
                .help(help),
            );
        }
        for (path, message) in keys.schema_errors(&values) {
            let label = label();
            let shown = if path.is_empty() {
                "(top level)".to_string()
            } else {
                format!("`{path}`")
            };
            let steps: Vec<String> = path.split('.').map(String::from).collect();
            let (loc, at_path) = place(&steps);
            out.push(
                Diagnostic::new(format!(
                    "{file}: {shown} fails chart {label}'s values.schema.json: {}",
                    crate::names::mask_credentials(&message)
                ))
                .at(Some(loc))
                .path(at_path)
                .help("the chart refuses these values at install; change the setting that writes this key"),
            );
        }
    }
    out
}

/// The longest start of `path` that a component's `values:` writes, if it
/// writes its first key.
fn passthrough(
    values: Option<&serde_json::Map<String, serde_json::Value>>,
    path: &[String],
) -> Option<Vec<String>> {
    let mut node = values?;
    let mut out = Vec::new();
    for step in path {
        let Some(v) = node.get(step) else { break };
        out.push(step.clone());
        match v {
            serde_json::Value::Object(m) => node = m,
            _ => break,
        }
    }
    (!out.is_empty()).then_some(out)
}
