//! YAML text → JSON values, for text whose locations nobody will be shown
//! (what Helm renders, what gen wrote itself): the same events and the
//! same scalar rules as the located parser, without building its nodes.
//! Anything it does not take — a syntax error, a duplicate key, an unknown
//! tag, an alias, nesting past the located parser's bound — is left to
//! the located parser, which gives the error with its line and column.

use std::sync::Arc;

use saphyr_parser::{Event, Parser};
use serde_json::{Map, Value};

use super::node::{NodeValue, Source};
use super::parse::{parse_documents, scalar, Limits};
use crate::error::Diagnostic;

/// Every document of `text` (named `name` in an error) as JSON.
pub(crate) fn documents(name: &str, text: &str) -> Result<Vec<Value>, Diagnostic> {
    if let Some(docs) = fast(text) {
        return Ok(docs);
    }
    let source = Arc::new(Source {
        name: name.to_string(),
        text: text.to_string(),
    });
    let limits = Limits {
        max_bytes: usize::MAX,
        ..Limits::default()
    };
    Ok(parse_documents(source, limits)?
        .iter()
        .map(|d| d.to_json())
        .collect())
}

/// `None` for anything but plain documents of scalars, lists and maps.
fn fast(text: &str) -> Option<Vec<Value>> {
    let max_depth = Limits::default().max_depth;
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    loop {
        match parser.next_event()?.ok()?.0 {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => return Some(docs),
            Event::DocumentStart(_) => match parser.next_event()?.ok()?.0 {
                Event::DocumentEnd => {}
                first => docs.push(value(&mut parser, first, 0, max_depth)?),
            },
            _ => return None,
        }
    }
}

fn value<'a>(
    parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
    event: Event<'a>,
    depth: usize,
    max_depth: usize,
) -> Option<Value> {
    if depth > max_depth {
        return None;
    }
    match event {
        Event::Scalar(text, style, anchor, tag) => {
            if anchor > 0 || tag.is_some() {
                return None;
            }
            Some(match scalar(&text, style, None) {
                NodeValue::Null => Value::Null,
                NodeValue::Bool(b) => Value::Bool(b),
                NodeValue::Int(i) => Value::from(i),
                NodeValue::Float(f, _) => serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                NodeValue::Str(s) => Value::String(s),
                NodeValue::Seq(_) | NodeValue::Map(_) => return None,
            })
        }
        Event::SequenceStart(anchor, tag) => {
            if anchor > 0 || tag.is_some() {
                return None;
            }
            let mut items = Vec::new();
            loop {
                match parser.next_event()?.ok()?.0 {
                    Event::SequenceEnd => return Some(Value::Array(items)),
                    ev => items.push(value(parser, ev, depth + 1, max_depth)?),
                }
            }
        }
        Event::MappingStart(anchor, tag) => {
            if anchor > 0 || tag.is_some() {
                return None;
            }
            let mut map = Map::new();
            loop {
                let key = match parser.next_event()?.ok()?.0 {
                    Event::MappingEnd => return Some(Value::Object(map)),
                    ev => match value(parser, ev, depth + 1, max_depth)? {
                        Value::String(s) => s,
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => "null".into(),
                        _ => return None,
                    },
                };
                let ev = parser.next_event()?.ok()?.0;
                let v = value(parser, ev, depth + 1, max_depth)?;
                if map.insert(key, v).is_some() {
                    return None;
                }
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The located parser's reading of `text`.
    fn located(text: &str) -> Vec<Value> {
        let source = Arc::new(Source {
            name: "t".into(),
            text: text.into(),
        });
        parse_documents(source, Limits::default())
            .unwrap()
            .iter()
            .map(|d| d.to_json())
            .collect()
    }

    #[test]
    fn reads_what_the_located_parser_reads() {
        for text in [
            "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: ~, f: 1.5, g: 0x10, h: 0o17, i: 0440}\n",
            "---\nkind: A\n---\n---\nkind: B\nlist:\n- true\n- False\n- -3\n- 1e3\n- .inf\n",
            "text: |\n  line one\n  line two\nfolded: >-\n  a\n  b\n1: one\ntrue: yes\n",
            "",
            "# only a comment\n",
        ] {
            assert_eq!(fast(text), Some(located(text)), "{text}");
        }
    }

    #[test]
    fn leaves_what_it_does_not_take_to_the_located_parser() {
        for text in [
            "a: 1\na: 2\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: [1, 2\n",
            "? [a]\n: b\n",
        ] {
            assert_eq!(fast(text), None, "{text}");
        }
        let e = documents("f.yaml", "a: 1\na: 2\n").unwrap_err();
        assert!(e.to_string().contains("duplicate key `a`"), "{e}");
        assert_eq!(
            documents("f.yaml", "a: &x 1\nb: *x\n").unwrap(),
            [serde_json::json!({"a": 1, "b": 1})]
        );
    }
}
