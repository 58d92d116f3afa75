use std::sync::Arc;

use indexmap::IndexMap;

pub(crate) use crate::error::{Loc, Source};

/// A YAML value with the location of its first character.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// The value.
    pub value: NodeValue,
    /// Where the value starts.
    pub loc: Loc,
}

/// The value of a [`Node`], typed by the YAML 1.2 core schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeValue {
    /// `null`, `~` or empty.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (kept as written so that quantities keep their text).
    Float(f64, String),
    /// A string.
    Str(String),
    /// A sequence (shared: a merged config shares what the overlay leaves
    /// alone with the base).
    Seq(Arc<Vec<Node>>),
    /// A mapping; keys are strings, each with the location of the key
    /// (shared, as sequences are).
    Map(Arc<IndexMap<String, (Loc, Node)>>),
}

impl Node {
    /// Converts to a JSON value (read-back compares documents as values).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Int(i) => Value::from(*i),
            NodeValue::Float(f, _) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            NodeValue::Str(s) => Value::String(s.clone()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(map) => Value::Object(
                map.iter()
                    .map(|(k, (_, v))| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}
