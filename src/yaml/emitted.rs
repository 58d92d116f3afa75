//! A document as the emitter wrote it: the text files are made of, and
//! the values it reads back as, parsed only when someone asks.

use std::sync::Arc;

use serde::Serialize;

use super::{parse_documents, Limits, Source};

/// One YAML document, written from a typed value by
/// [`to_yaml`](super::to_yaml).
#[derive(Debug, Clone)]
pub struct Emitted {
    text: String,
    /// The value it was written from, as JSON, when kept (see
    /// [`keeping_json`]).
    json: Option<Arc<serde_json::Value>>,
}

impl PartialEq for Emitted {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}
impl Eq for Emitted {}

thread_local! {
    static KEEP_JSON: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every document emitted on this thread keeping the value
/// it was written from as JSON, so [`Emitted::to_json`] need not read the
/// text back (`gen verify` reads every object an env's files hold).
pub(crate) fn keeping_json<R>(f: impl FnOnce() -> R) -> R {
    let before = KEEP_JSON.with(|k| k.replace(true));
    let out = f();
    KEEP_JSON.with(|k| k.set(before));
    out
}

impl Emitted {
    /// Writes `value`. Panics on a value YAML cannot hold (a map with
    /// non-text keys, an integer beyond 64 bits): a bug in the type, not
    /// something config can cause.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Emitted {
        match super::to_yaml(value) {
            Ok(text) => Emitted {
                text,
                json: KEEP_JSON
                    .with(std::cell::Cell::get)
                    .then(|| serde_json::to_value(value).ok().map(Arc::new))
                    .flatten(),
            },
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
        if let Some(json) = &self.json {
            return json.as_ref().clone();
        }
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
    fn what_is_kept_is_what_the_text_reads_back_as() {
        let v = serde_json::json!({"b": [1, "on", {"b": null}], "a": "x\ny\n", "f": 1.5});
        let kept = keeping_json(|| Emitted::of(&v));
        assert!(kept.json.is_some());
        let read = Emitted::of(&v);
        assert!(read.json.is_none(), "kept only inside keeping_json");
        assert_eq!(kept.to_json(), read.to_json());
        assert_eq!(kept, read);
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
