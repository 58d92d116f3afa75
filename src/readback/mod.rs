//! The read-back stage: every rendered file is read back before anything
//! is written. It must be valid YAML, hold exactly the documents that were
//! built, and keep strings strings for YAML 1.1 readers (Helm, Argo CD).
//!
//! Two steps, cheapest first:
//! 1. [`is_verbatim`]: the file is the emitted documents unchanged, with
//!    only comment lines, empty lines and `---` markers around them. It
//!    then reads back as what was emitted, and the serialiser writes what
//!    YAML 1.1 and 1.2 readers read back as the values it was given —
//!    proven by property tests against the complete parser and PyYAML,
//!    not re-parsed on every render.
//! 2. Anything else (a template's own YAML, or a difference) is read by
//!    the complete parser, which gives the verdict and the located error.

use std::sync::Arc;

use crate::error::Diagnostic;
use crate::yaml::{parse_documents, Limits, Node, NodeValue, Source};

/// Words a YAML 1.1 reader (Go's yaml.v2, used by Helm and Argo CD) takes
/// for booleans when they stand unquoted.
const YAML11_BOOLS: [&str; 22] = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF", "true", "True", "TRUE", "false", "False", "FALSE",
];

/// True when `text` is the emitted documents `docs`, verbatim and in order,
/// with nothing between them but empty lines, comment lines starting in
/// column 0 and exactly one `---` line between two documents (at most one
/// before the first). Such a file parses back into exactly what was
/// emitted, and the emitter writes what every YAML 1.1 and 1.2 reader
/// reads back as the values it was given (proven by `tests/readback.rs`).
/// Anything else a template wrote gets `false`, and [`full_check`] reads it.
pub(crate) fn is_verbatim<D: AsRef<str>>(text: &str, docs: &[D]) -> bool {
    let mut rest = text;
    let mut docs = docs.iter().peekable();
    // `---` lines seen since the last document (or the start).
    let mut markers = 0;
    let mut started = false;
    while !rest.is_empty() {
        if let Some(doc) = docs.peek() {
            let doc = doc.as_ref();
            if let Some(after) = rest.strip_prefix(doc) {
                // A document after the first must follow one `---`, and
                // each must end its last line.
                if started && markers != 1 || !doc.ends_with('\n') {
                    return false;
                }
                rest = after;
                docs.next();
                markers = 0;
                started = true;
                continue;
            }
        }
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        if line == "---" {
            markers += 1;
            if markers > 1 {
                return false;
            }
        } else if !(line.is_empty() || line.starts_with('#') && plain_comment(line)) {
            return false;
        }
        rest = after;
    }
    // Every document found, and no `---` after the last (an empty document).
    docs.next().is_none() && markers == 0
}

/// A comment line no YAML reader could see more in: no character YAML 1.1
/// or 1.2 takes for a line break or refuses raw (tabs are fine).
fn plain_comment(line: &str) -> bool {
    !line.chars().any(|c| {
        c != '\t'
            && matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
    })
}

/// Reads one rendered file back against the emitted documents it must
/// hold: verbatim needs no parse; anything a template wrote around or into
/// them is read back in full against their values.
pub(crate) fn read_back(
    path: &str,
    text: &str,
    docs: &[crate::yaml::Emitted],
) -> Result<(), Diagnostic> {
    if is_verbatim(text, docs) {
        return Ok(());
    }
    let values: Vec<serde_json::Value> = docs.iter().map(crate::yaml::Emitted::to_json).collect();
    full_check(path, text, &values)
}

/// The read-back by the complete YAML parser, which also words the error.
pub(crate) fn full_check(
    path: &str,
    text: &str,
    expect: &[serde_json::Value],
) -> Result<(), Diagnostic> {
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
mod properties;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_what_was_built() {
        full_check(
            "a.yaml",
            "# c\na: \"on\"\nb: 2\n",
            &[json!({"a": "on", "b": 2})],
        )
        .unwrap();
    }

    #[test]
    fn verbatim_documents_between_comments_and_markers() {
        let docs = ["a: 1\n".to_string(), "- b\n".to_string()];
        for ok in [
            "# h\na: 1\n---\n- b\n",
            "---\na: 1\n\n# between\n---\n# c\n- b\n\n# end\n",
        ] {
            assert!(is_verbatim(ok, &docs), "{ok}");
        }
        for bad in [
            "a: 1\n- b\n",                 // no `---`: one document
            "a: 1\n---\n---\n- b\n",       // an empty document between
            "---\n---\na: 1\n---\n- b\n",  // an empty document first
            "a: 1\n---\n- b\n---\n",       // an empty document last
            "a: 1\n  # c\n---\n- b\n",     // an indented line
            "a: 1\nc: 2\n---\n- b\n",      // more than was emitted
            "a: 1\n---\n",                 // a document missing
            "- b\n---\na: 1\n",            // out of order
            "# x\ry: 2\na: 1\n---\n- b\n", // `\r` ends a comment
            " a: 1\n---\n- b\n",           // moved
        ] {
            assert!(!is_verbatim(bad, &docs), "{bad}");
        }
        assert!(is_verbatim::<&str>("# only\n\n", &[]));
        assert!(!is_verbatim::<&str>("---\n", &[]));
        assert!(!is_verbatim("a: 1", &["a: 1".to_string()]));
    }

    #[test]
    fn rejects_changed_structure() {
        let e = full_check("a.yaml", "a: 1\n", &[json!({"a": 2})]).unwrap_err();
        assert!(e.message.contains("does not parse back"));
        let e = full_check("a.yaml", "a: 1\n---\na: 1\n", &[json!({"a": 1})]).unwrap_err();
        assert!(e.message.contains("holds 2 documents"));
    }

    #[test]
    fn rejects_unquoted_yaml11_boolean() {
        let e = full_check("a.yaml", "a: on\n", &[json!({"a": "on"})]).unwrap_err();
        assert!(e.message.contains("YAML 1.1"));
        let e = full_check("a.yaml", "é: on\n", &[json!({"é": "on"})]).unwrap_err();
        assert!(e.message.contains("YAML 1.1"));
        full_check("a.yaml", "é: \"on\"\n", &[json!({"é": "on"})]).unwrap();
    }
}
