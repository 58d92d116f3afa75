//! Every rendered file is parsed back before anything is written: it must be
//! valid YAML, hold exactly the documents that were built, and keep strings
//! strings for YAML 1.1 readers (Helm, Argo CD).
//!
//! Two readers do it. [`yaml::holds`](crate::yaml::holds) reads the subset
//! the emitter writes and compares as it goes; it decides "holds" only when
//! every YAML 1.1 and 1.2 reader would agree. Whatever it does not show
//! (a template's own YAML, or a difference) is read by the complete parser,
//! which gives the verdict and the located error.

use std::sync::Arc;

use crate::error::Diagnostic;
use crate::yaml::{parse_documents, Limits, Node, NodeValue, Source};

/// Words a YAML 1.1 reader (Go's yaml.v2, used by Helm and Argo CD) takes
/// for booleans when they stand unquoted.
const YAML11_BOOLS: [&str; 22] = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF", "true", "True", "TRUE", "false", "False", "FALSE",
];

/// Checks one rendered file against the documents it must hold.
pub fn check_file(path: &str, text: &str, expect: &[serde_json::Value]) -> Result<(), Diagnostic> {
    // The emitter's output is shown correct by the fast reader; anything
    // else a template produced goes through the full parser.
    if crate::yaml::holds(text, expect) {
        return Ok(());
    }
    full_check(path, text, expect)
}

/// The check by the complete YAML parser, which also words the error.
pub fn full_check(path: &str, text: &str, expect: &[serde_json::Value]) -> Result<(), Diagnostic> {
    let source = Arc::new(Source {
        name: path.to_string(),
        text: text.to_string(),
    });
    let docs = parse_documents(source, Limits::default()).map_err(|d| {
        Diagnostic::new(format!("rendered file does not parse back: {}", d.message)).at(d.loc)
    })?;
    if docs.len() != expect.len() {
        return Err(Diagnostic::new(format!(
            "rendered file {path} holds {} documents; {} were built",
            docs.len(),
            expect.len()
        ))
        .help("a template dropped or repeated a document"));
    }
    for (doc, want) in docs.iter().zip(expect) {
        if &doc.to_json() != want {
            return Err(Diagnostic::new(format!(
                "rendered file {path} does not parse back into the values that were built"
            ))
            .at(Some(doc.loc.clone()))
            .help("a template changed structured YAML; pass it through `to_yaml`"));
        }
        if let Some(loc) = yaml11_trap(doc, text) {
            return Err(Diagnostic::new(
                "an unquoted string here reads as a boolean in YAML 1.1 (Helm, Argo CD)",
            )
            .at(Some(loc))
            .help("quote the value"));
        }
    }
    Ok(())
}

/// The first string scalar written unquoted that a YAML 1.1 reader would
/// take for a boolean.
fn yaml11_trap(node: &Node, text: &str) -> Option<crate::yaml::Loc> {
    match &node.value {
        NodeValue::Str(s) if YAML11_BOOLS.contains(&s.as_str()) => {
            // Columns count characters, not bytes.
            let line = text.lines().nth(node.loc.line - 1)?;
            let first = line.chars().nth(node.loc.col - 1)?;
            let quoted = first == '"' || first == '\'';
            (!quoted).then(|| node.loc.clone())
        }
        NodeValue::Seq(items) => items.iter().find_map(|i| yaml11_trap(i, text)),
        NodeValue::Map(map) => map.values().find_map(|(_, v)| yaml11_trap(v, text)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_what_was_built() {
        check_file(
            "a.yaml",
            "# c\na: \"on\"\nb: 2\n",
            &[json!({"a": "on", "b": 2})],
        )
        .unwrap();
    }

    #[test]
    fn rejects_changed_structure() {
        let e = check_file("a.yaml", "a: 1\n", &[json!({"a": 2})]).unwrap_err();
        assert!(e.message.contains("does not parse back"));
        let e = check_file("a.yaml", "a: 1\n---\na: 1\n", &[json!({"a": 1})]).unwrap_err();
        assert!(e.message.contains("holds 2 documents"));
    }

    #[test]
    fn rejects_unquoted_yaml11_boolean() {
        let e = check_file("a.yaml", "a: on\n", &[json!({"a": "on"})]).unwrap_err();
        assert!(e.message.contains("YAML 1.1"));
        let e = full_check("a.yaml", "é: on\n", &[json!({"é": "on"})]).unwrap_err();
        assert!(e.message.contains("YAML 1.1"));
        full_check("a.yaml", "é: \"on\"\n", &[json!({"é": "on"})]).unwrap();
    }
}
