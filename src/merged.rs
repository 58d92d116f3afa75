//! Base and overlay read as one merged value by serde, without building the
//! merged tree: typed config deserialises straight from the two parsed
//! files. The result is the one [`merge`](crate::merge::merge) and
//! `serde_json` would give (proven by tests); errors carry no place, so a
//! failure is read again through the merged tree to locate it.

use serde::de::{self, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};

// Failures carry only their message (see `SerdeMessage`).
use crate::error::SerdeMessage as Error;

use crate::merge::is_empty_document;
use crate::yaml::{Node, NodeValue};

/// Deserialises `T` from `overlay` merged onto `base`.
pub fn deserialize<'a, T: de::Deserialize<'a>>(
    base: &'a Node,
    overlay: &'a Node,
) -> Result<T, Error> {
    T::deserialize(Merged::of(Some(base), overlay))
}

/// One value of the merge: `top` alone, or `top` merged onto `base`.
#[derive(Clone, Copy)]
struct Merged<'a> {
    base: Option<&'a Node>,
    top: &'a Node,
}

impl<'a> Merged<'a> {
    /// The value `merge(base, top)` makes, as far as its shape goes:
    /// an empty overlay file leaves the base; two maps merge; otherwise the
    /// overlay wins.
    fn of(base: Option<&'a Node>, top: &'a Node) -> Merged<'a> {
        match base {
            Some(b) if matches!(top.value, NodeValue::Null) && is_empty_document(top) => {
                Merged { base: None, top: b }
            }
            Some(b)
                if matches!(b.value, NodeValue::Map(_))
                    && matches!(top.value, NodeValue::Map(_)) =>
            {
                Merged { base, top }
            }
            _ => Merged { base: None, top },
        }
    }
}

impl<'de> Deserializer<'de> for Merged<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let (Some(base), NodeValue::Map(_)) = (self.base, &self.top.value) {
            return visitor.visit_map(Entries::merged(base, self.top));
        }
        match &self.top.value {
            NodeValue::Null => visitor.visit_unit(),
            NodeValue::Bool(b) => visitor.visit_bool(*b),
            // As `serde_json::Value::from(i64)` stores them.
            NodeValue::Int(i) if *i >= 0 => visitor.visit_u64(*i as u64),
            NodeValue::Int(i) => visitor.visit_i64(*i),
            NodeValue::Float(f, _) if f.is_finite() => visitor.visit_f64(*f),
            NodeValue::Float(..) => visitor.visit_unit(),
            NodeValue::Str(s) => visitor.visit_borrowed_str(s),
            NodeValue::Seq(items) => visitor.visit_seq(Items(items.iter())),
            NodeValue::Map(_) => visitor.visit_map(Entries::plain(self.top)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match (&self.top.value, self.base) {
            (NodeValue::Null, _) => visitor.visit_none(),
            (NodeValue::Float(f, _), None) if !f.is_finite() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.top.value {
            NodeValue::Str(s) if self.base.is_none() => {
                visitor.visit_enum(s.as_str().into_deserializer())
            }
            _ => Err(de::Error::custom("an enum here is read through JSON")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// A sequence's items.
struct Items<'a>(std::slice::Iter<'a, Node>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|n| seed.deserialize(Merged { base: None, top: n }))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

type MapIter<'a> = indexmap::map::Iter<'a, String, (crate::yaml::Loc, Node)>;

/// A map's entries in `merge`'s order: the base's keys (an overlay
/// `null` drops one, an overlay value merges onto it), then the overlay's
/// own keys, nulls left out.
struct Entries<'a> {
    /// The base map, walked first, with the overlay map beside it.
    base: Option<MapIter<'a>>,
    overlay: &'a indexmap::IndexMap<String, (crate::yaml::Loc, Node)>,
    /// The overlay's entries: walked second, or alone.
    top: MapIter<'a>,
    /// When merging, the base map: its keys were walked already.
    merged_onto: Option<&'a indexmap::IndexMap<String, (crate::yaml::Loc, Node)>>,
    value: Option<Merged<'a>>,
}

fn map_of(n: &Node) -> &indexmap::IndexMap<String, (crate::yaml::Loc, Node)> {
    match &n.value {
        NodeValue::Map(m) => m,
        _ => unreachable!("checked to be a map"),
    }
}

impl<'a> Entries<'a> {
    fn plain(top: &'a Node) -> Entries<'a> {
        let m = map_of(top);
        Entries {
            base: None,
            overlay: m,
            top: m.iter(),
            merged_onto: None,
            value: None,
        }
    }

    fn merged(base: &'a Node, top: &'a Node) -> Entries<'a> {
        let m = map_of(top);
        let b = map_of(base);
        Entries {
            base: Some(b.iter()),
            overlay: m,
            top: m.iter(),
            merged_onto: Some(b),
            value: None,
        }
    }

    fn next_entry(&mut self) -> Option<(&'a str, Merged<'a>)> {
        if let Some(base) = &mut self.base {
            for (key, (_, bv)) in base.by_ref() {
                match self.overlay.get(key) {
                    None => {
                        return Some((
                            key,
                            Merged {
                                base: None,
                                top: bv,
                            },
                        ))
                    }
                    Some((_, ov)) if matches!(ov.value, NodeValue::Null) => continue,
                    Some((_, ov)) => return Some((key, Merged::of(Some(bv), ov))),
                }
            }
            self.base = None;
        }
        for (key, (_, ov)) in self.top.by_ref() {
            if let Some(base) = self.merged_onto {
                // Only the overlay's own keys, and no nulls.
                if base.contains_key(key) || matches!(ov.value, NodeValue::Null) {
                    continue;
                }
            }
            return Some((
                key,
                Merged {
                    base: None,
                    top: ov,
                },
            ));
        }
        None
    }
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.next_entry() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value without a key"))?;
        seed.deserialize(value)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;
    use crate::config::PlatformConfig;
    use crate::merge::merge;

    fn merge_json(base: &Node, overlay: &Node) -> serde_json::Value {
        merge(base, overlay).to_json()
    }
    use crate::yaml::{parse_one, Limits, Source};

    fn node(text: &str) -> Node {
        parse_one(
            Arc::new(Source {
                name: "t.yaml".into(),
                text: text.into(),
            }),
            Limits::default(),
        )
        .unwrap()
    }

    /// The typed config read from the two files equals the one read from
    /// the merged tree, for every built-in env and a fleet's.
    #[test]
    fn configs_read_as_through_json() {
        let mut files = crate::fleet::files(12);
        files.extend(
            crate::load::builtin_files()
                .into_iter()
                .filter(|(p, _)| p.starts_with("envs/"))
                .map(|(p, t)| (p.replace("envs/", "envs/builtin-"), t.to_string())),
        );
        let sources = crate::load::load_files(&files).unwrap();
        assert_eq!(sources.envs.len(), 15);
        for (env, overlay) in &sources.envs {
            let direct: PlatformConfig = deserialize(&sources.base, overlay).unwrap();
            let json = PlatformConfig::deserialize(&merge_json(&sources.base, overlay)).unwrap();
            assert_eq!(
                serde_json::to_value(&direct).unwrap(),
                serde_json::to_value(&json).unwrap(),
                "{env}"
            );
        }
    }

    #[test]
    fn merge_rules() {
        let base = node("a: 1\nb: {c: 2, d: [1, 2]}\ne: x\n");
        for (overlay, want) in [
            (
                "",
                serde_json::json!({"a": 1, "b": {"c": 2, "d": [1, 2]}, "e": "x"}),
            ),
            (
                "b: {c: null, f: -3}\na: 1.5\n",
                serde_json::json!({"a": 1.5, "b": {"d": [1, 2], "f": -3}, "e": "x"}),
            ),
            (
                "b: [1]\ng: null\ne: {h: ~}\n",
                serde_json::json!({"a": 1, "b": [1], "e": {"h": null}}),
            ),
            ("- 1\n", serde_json::json!([1])),
        ] {
            let o = node(overlay);
            let got: serde_json::Value = deserialize(&base, &o).unwrap();
            assert_eq!(got, want, "{overlay}");
            assert_eq!(got, merge_json(&base, &o), "{overlay}");
        }
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
            let (base, over) = (node(b), node(o));
            let got: serde_json::Value = deserialize(&base, &over).unwrap();
            // Compared as text: map equality ignores key order, output does not.
            assert_eq!(
                got.to_string(),
                merge_json(&base, &over).to_string(),
                "{b} ⊕ {o}"
            );
        }
    }

    fn yaml() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            (-1e3f64..1e3).prop_map(serde_json::Value::from),
            prop::sample::select(vec!["a", "b", "on", "1Gi", ""]).prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::Array),
                prop::collection::vec(
                    (prop::sample::select(vec!["a", "b", "c", "d"]), inner),
                    0..4
                )
                .prop_map(|kv| serde_json::Value::Object(
                    kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                )),
            ]
        })
    }

    proptest! {
        /// Any two files merge as `merge` merges them.
        #[test]
        fn merges_as_merge_json(b in yaml(), o in yaml()) {
            let base = node(&crate::yaml::to_yaml(&b).unwrap());
            let overlay = node(&crate::yaml::to_yaml(&o).unwrap());
            let got: serde_json::Value = deserialize(&base, &overlay).unwrap();
            prop_assert_eq!(got, merge_json(&base, &overlay));
        }
    }
}
