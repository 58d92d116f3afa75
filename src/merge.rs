//! Base ⊕ overlay: maps merge deeply, lists and scalars replace, `null` removes a key.

use crate::yaml::{Node, NodeValue};

/// Merges `overlay` onto `base`. Every value keeps the location of the file
/// it came from, so later errors point at the line that set it.
pub fn merge(base: &Node, overlay: &Node) -> Node {
    match (&base.value, &overlay.value) {
        (_, NodeValue::Null) if is_empty_document(overlay) => base.clone(),
        (NodeValue::Map(b), NodeValue::Map(o)) => {
            let mut out = b.clone();
            for (key, (key_loc, value)) in o {
                if matches!(value.value, NodeValue::Null) {
                    out.shift_remove(key);
                    continue;
                }
                let merged = match b.get(key) {
                    Some((_, bv)) => merge(bv, value),
                    None => value.clone(),
                };
                out.insert(key.clone(), (key_loc.clone(), merged));
            }
            Node {
                value: NodeValue::Map(out),
                loc: base.loc.clone(),
            }
        }
        _ => overlay.clone(),
    }
}

/// `merge(base, overlay).to_json()` in one pass, without building the
/// merged tree (which is needed only to locate an error).
pub fn merge_json(base: &Node, overlay: &Node) -> serde_json::Value {
    match (&base.value, &overlay.value) {
        (_, NodeValue::Null) if is_empty_document(overlay) => base.to_json(),
        (NodeValue::Map(b), NodeValue::Map(o)) => {
            let mut out = serde_json::Map::new();
            for (key, (_, bv)) in b {
                let value = match o.get(key) {
                    None => bv.to_json(),
                    Some((_, ov)) if matches!(ov.value, NodeValue::Null) => continue,
                    Some((_, ov)) => merge_json(bv, ov),
                };
                out.insert(key.clone(), value);
            }
            for (key, (_, ov)) in o {
                if !b.contains_key(key) && !matches!(ov.value, NodeValue::Null) {
                    out.insert(key.clone(), ov.to_json());
                }
            }
            serde_json::Value::Object(out)
        }
        _ => overlay.to_json(),
    }
}

/// An empty overlay file parses as `null` at 1:1; it changes nothing.
fn is_empty_document(n: &Node) -> bool {
    n.loc.line == 1 && n.loc.col == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_one, Limits, Source};
    use std::sync::Arc;

    fn node(name: &str, text: &str) -> Node {
        parse_one(
            Arc::new(Source {
                name: name.into(),
                text: text.into(),
            }),
            Limits::default(),
        )
        .unwrap()
    }

    #[test]
    fn maps_merge_lists_replace_null_removes() {
        let base = node("base", "a: {x: 1, y: 2}\nl: [1, 2]\nr: 5\n");
        let over = node("over", "a: {y: 3}\nl: [9]\nr: null\n");
        let m = merge(&base, &over).to_json();
        assert_eq!(m, serde_json::json!({"a": {"x": 1, "y": 3}, "l": [9]}));
    }

    #[test]
    fn merged_values_keep_their_file() {
        let base = node("base", "a:\n  x: 1\n  y: 2\n");
        let over = node("over", "a:\n  y: 3\n");
        let m = merge(&base, &over);
        assert_eq!(m.locate(&["a".into(), "y".into()]).source.name, "over");
        assert_eq!(m.locate(&["a".into(), "x".into()]).source.name, "base");
    }

    #[test]
    fn empty_overlay_changes_nothing() {
        let base = node("base", "a: {x: 1}\n");
        assert_eq!(merge(&base, &node("over", "")), base);
    }

    #[test]
    fn json_merge_equals_the_merged_tree() {
        let cases = [
            (
                "a: {x: 1, y: 2}\nl: [1, 2]\nr: 5\n",
                "a: {y: 3, z: {q: 1}}\nl: [9]\nr: null\nn: null\nw: 1\n",
            ),
            ("a: {x: {p: 1}}\n", "a: {x: [1]}\n"),
            ("a: 1\n", ""),
            ("a: {x: 1}\n", "a: null\n"),
            ("a: [1]\n", "b: {c: null}\n"),
        ];
        for (b, o) in cases {
            let (base, over) = (node("base", b), node("over", o));
            // Compared as text: map equality ignores key order, output does not.
            assert_eq!(
                merge_json(&base, &over).to_string(),
                merge(&base, &over).to_json().to_string(),
                "{b} ⊕ {o}"
            );
        }
        let sources = crate::load::load_builtin().unwrap();
        for overlay in sources.envs.values() {
            assert_eq!(
                merge_json(&sources.base, overlay).to_string(),
                merge(&sources.base, overlay).to_json().to_string()
            );
        }
    }
}
