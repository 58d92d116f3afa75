//! A Helm component's `values:`: free-form values merged onto the typed
//! ones its values file holds. Maps merge; a key the typed values already
//! hold is a conflict (the typed setting is the one to use), never an
//! override.

use serde_json::{Map, Value};

use crate::model::Document;
use crate::resolve::Resolved;
use crate::yaml::Emitted;

/// A key of a component's `values:` that its typed values already hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Conflict {
    /// The values file (`values/kafka.yaml`).
    pub file: String,
    /// Where the component's section is in config (`components.kafka`).
    pub section: Vec<String>,
    /// The key's path in the values (`controller`, `replicaCount`).
    pub path: Vec<String>,
}

impl Conflict {
    /// Where the key is written in config.
    pub(crate) fn config_path(&self) -> Vec<String> {
        let mut p = self.section.clone();
        p.push("values".into());
        p.extend(self.path.iter().cloned());
        p
    }
}

/// Merges every enabled component's `values:` onto its values file; the
/// keys its typed values already hold, in config order. A file with a
/// conflict is left as it was.
pub(crate) fn apply(r: &Resolved, docs: &mut [Document]) -> Vec<Conflict> {
    let mut out = Vec::new();
    for (c, slot) in r.enabled() {
        let Some(extra) = slot.common.values.as_ref().filter(|v| !v.is_empty()) else {
            continue;
        };
        let file = format!("values/{}.yaml", c.name());
        let Some(doc) = docs.iter_mut().find(|d| d.path == file) else {
            continue;
        };
        let mut values = match (&doc.json, doc.expect.first()) {
            (Some(json), _) => json.clone(),
            (None, Some(e)) => e.to_json(),
            (None, None) => Value::Object(Map::new()),
        };
        let Value::Object(typed) = &mut values else {
            continue;
        };
        let mut conflicts = Vec::new();
        merge(typed, extra, &mut Vec::new(), &mut conflicts);
        if !conflicts.is_empty() {
            let section = c.section_path();
            out.extend(conflicts.into_iter().map(|path| Conflict {
                file: file.clone(),
                section: section.clone(),
                path,
            }));
            continue;
        }
        doc.expect = vec![Emitted::of(&values)];
        if r.checks_values {
            doc.json = Some(values);
        }
    }
    out
}

/// `extra` onto `typed`: a new key is added, maps on both sides merge,
/// anything else already there is a conflict.
fn merge(
    typed: &mut Map<String, Value>,
    extra: &Map<String, Value>,
    at: &mut Vec<String>,
    conflicts: &mut Vec<Vec<String>>,
) {
    for (k, v) in extra {
        at.push(k.clone());
        match (typed.get_mut(k), v) {
            (None, v) => {
                typed.insert(k.clone(), v.clone());
            }
            (Some(Value::Object(t)), Value::Object(e)) => merge(t, e, at, conflicts),
            (Some(_), _) => conflicts.push(at.clone()),
        }
        at.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn merged(typed: Value, extra: Value) -> (Value, Vec<String>) {
        let mut typed = typed;
        let mut conflicts = Vec::new();
        merge(
            typed.as_object_mut().unwrap(),
            extra.as_object().unwrap(),
            &mut Vec::new(),
            &mut conflicts,
        );
        (typed, conflicts.iter().map(|p| p.join(".")).collect())
    }

    #[test]
    fn maps_merge_and_new_keys_follow_the_typed_ones() {
        let (v, c) = merged(
            json!({"controller": {"replicaCount": 3}, "image": {"tag": "1"}}),
            json!({"controller": {"nodeSelector": {"disk": "ssd"}}, "podAnnotations": {"a": "b"}}),
        );
        assert!(c.is_empty());
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"controller":{"replicaCount":3,"nodeSelector":{"disk":"ssd"}},"image":{"tag":"1"},"podAnnotations":{"a":"b"}}"#
        );
    }

    #[test]
    fn a_key_the_typed_values_hold_is_a_conflict_even_with_the_same_value() {
        let (_, c) = merged(
            json!({"controller": {"replicaCount": 3, "persistence": {"size": "8Gi"}}}),
            json!({"controller": {"replicaCount": 3, "persistence": "off", "extra": 1}}),
        );
        assert_eq!(c, ["controller.replicaCount", "controller.persistence"]);
    }

    #[test]
    fn a_map_over_a_typed_scalar_conflicts_at_the_scalar() {
        let (_, c) = merged(json!({"a": {"b": 1}}), json!({"a": {"b": {"c": 2}}}));
        assert_eq!(c, ["a.b"]);
    }
}
