//! A document as the emitter wrote it: the text files are made of, and
//! the values it reads back as, parsed only when someone asks.

use std::sync::Arc;

use serde::Serialize;

use super::{parse_documents, Limits, Source};

/// One YAML document, written from a typed value by
/// [`to_yaml`](super::to_yaml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emitted {
    text: String,
}

impl Emitted {
    /// Writes `value`. Panics on a value YAML cannot hold (a map with
    /// non-text keys, an integer beyond 64 bits): a bug in the type, not
    /// something config can cause.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Emitted {
        match super::to_yaml(value) {
            Ok(text) => Emitted { text },
            Err(e) => panic!("a document cannot be written as YAML: {e}"),
        }
    }

    /// The block YAML text, ending in one newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The values the text reads back as (the emitter's round trip is
    /// proven by `tests/readback.rs`): for templates that look inside a
    /// document, and for checking a file a template wrote itself.
    pub fn to_json(&self) -> serde_json::Value {
        let source = Arc::new(Source {
            name: "emitted document".into(),
            text: self.text.clone(),
        });
        // The text is gen's own, from a value already in memory: the
        // limits that guard config files would only get in the way (config
        // nests at most 128 deep; documents add a few levels above it).
        let limits = Limits {
            max_bytes: usize::MAX,
            max_nodes: usize::MAX,
            max_depth: 1024,
        };
        match parse_documents(source, limits) {
            Ok(docs) if docs.len() == 1 => docs[0].to_json(),
            _ => panic!("the emitter wrote YAML it cannot read back:\n{}", self.text),
        }
    }
}

impl AsRef<str> for Emitted {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back() {
        let v = serde_json::json!({"a": [1, "on", {"b": null}], "c": "x\ny\n"});
        let e = Emitted::of(&v);
        assert_eq!(e.to_json(), v);
    }

    #[test]
    fn reads_back_deeper_than_config_may_nest() {
        let mut v = serde_json::json!("leaf");
        for i in 0..140 {
            v = if i % 2 == 0 {
                serde_json::json!({ "k": v })
            } else {
                serde_json::json!([v])
            };
        }
        assert_eq!(Emitted::of(&v).to_json(), v);
    }
}
