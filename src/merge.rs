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

/// An empty overlay file parses as `null` at 1:1; it changes nothing.
pub(crate) fn is_empty_document(n: &Node) -> bool {
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
}
