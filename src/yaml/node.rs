use indexmap::IndexMap;

pub use crate::error::{Loc, Source};

/// A YAML value with the location of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: NodeValue,
    /// Where the value starts.
    pub loc: Loc,
}

/// The value of a [`Node`], typed by the YAML 1.2 core schema.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
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
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping; keys are strings, each with the location of the key.
    Map(IndexMap<String, (Loc, Node)>),
}

impl Node {
    /// Converts to a JSON value for typed deserialisation.
    pub fn to_json(&self) -> serde_json::Value {
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

    /// Finds the node at a path of map keys and sequence indices. Returns the
    /// deepest node reached and, when the last step is a map key, that key's
    /// location.
    pub fn locate(&self, path: &[String]) -> Loc {
        let mut node = self;
        let mut loc = self.loc.clone();
        for step in path {
            match &node.value {
                NodeValue::Map(map) => match map.get(step) {
                    Some((key_loc, child)) => {
                        loc = if matches!(child.value, NodeValue::Map(_) | NodeValue::Seq(_)) {
                            key_loc.clone()
                        } else {
                            child.loc.clone()
                        };
                        node = child;
                    }
                    None => return loc,
                },
                NodeValue::Seq(items) => {
                    match step.parse::<usize>().ok().and_then(|i| items.get(i)) {
                        Some(child) => {
                            loc = child.loc.clone();
                            node = child;
                        }
                        None => return loc,
                    }
                }
                _ => return loc,
            }
        }
        loc
    }

    /// Location of the key `name` inside the map at `path`, if present.
    pub fn key_loc(&self, path: &[String], name: &str) -> Option<Loc> {
        let mut node = self;
        for step in path {
            node = match &node.value {
                NodeValue::Map(map) => &map.get(step)?.1,
                NodeValue::Seq(items) => items.get(step.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        match &node.value {
            NodeValue::Map(map) => map.get(name).map(|(l, _)| l.clone()),
            _ => None,
        }
    }
}
