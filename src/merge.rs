//! The merge stage: an env overlay merged onto the base into one tree
//! ([`merge`]; maps merge deeply, lists and scalars replace, `null` removes
//! a key, an empty overlay changes nothing), and that tree read by serde
//! ([`Merged::read`]). Every value keeps the file, line and column it came
//! from, so reading is located: a value that does not fit its type fails
//! with its place (or its key's, for an unknown key) and field path, in
//! the same pass that reads it.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use crate::yaml::{Loc, Node, NodeValue};

/// `overlay` merged onto `base`. Every value keeps the place it came
/// from: a key the overlay sets is the overlay's, the rest the base's.
pub(crate) fn merge(base: &Node, overlay: &Node) -> Node {
    match (&base.value, &overlay.value) {
        _ if is_empty_document(overlay) => base.clone(),
        (NodeValue::Map(b), NodeValue::Map(o)) => {
            // What the overlay leaves alone stays shared with the base.
            let mut out = (**b).clone();
            for (key, (key_loc, value)) in o.iter() {
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
                value: NodeValue::Map(Arc::new(out)),
                loc: base.loc.clone(),
            }
        }
        _ => overlay.clone(),
    }
}

/// One env's merged config, to read typed values from and to locate
/// findings in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Merged<'a> {
    root: &'a Node,
    /// Values read as if absent: the places earlier reads failed at, so a
    /// read again reports the next problem (see [`Merged::gather`]).
    skip: &'a [Vec<String>],
}

/// What went wrong reading a value, and where.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReadError {
    /// What is wrong.
    pub what: What,
    /// Where: the value, or the unknown key.
    pub loc: Option<Loc>,
    /// The field path of the value (for an unknown key, including it).
    pub path: Vec<String>,
}

/// The kinds of [`ReadError`] a report words differently.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum What {
    /// A key the type does not have, and the keys it has.
    UnknownKey {
        /// The key.
        key: String,
        /// The keys the map may hold.
        expected: Vec<String>,
    },
    /// A required key that is absent.
    MissingKey(String),
    /// Anything else, as serde words it.
    Other(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.what {
            What::UnknownKey { key, .. } => write!(f, "unknown key `{key}`"),
            What::MissingKey(key) => write!(f, "missing key `{key}`"),
            What::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ReadError::new(What::Other(msg.to_string()))
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        ReadError::new(What::UnknownKey {
            key: field.to_string(),
            expected: expected.iter().map(|s| s.to_string()).collect(),
        })
    }
    fn missing_field(field: &'static str) -> Self {
        ReadError::new(What::MissingKey(field.to_string()))
    }
}

impl ReadError {
    fn new(what: What) -> Self {
        ReadError {
            what,
            loc: None,
            path: Vec::new(),
        }
    }

    /// Places an error that has no place yet at `loc` and `path`: the
    /// innermost value an error passes through is where it is.
    fn place(mut self, loc: &Loc, path: &Path<'_>) -> Self {
        if self.loc.is_none() {
            self.loc = Some(loc.clone());
            self.path = path.to_vec();
        }
        self
    }
}

impl<'a> Merged<'a> {
    /// The merged tree `root` (see [`merge`]).
    pub(crate) fn new(root: &'a Node) -> Self {
        Merged { root, skip: &[] }
    }

    /// Every problem `read` finds, up to `cap`, not only the first: after
    /// each, the value it is about is read as absent and `read` runs again.
    /// A key then missing only because it was left out ends the search (it
    /// is not reported), as does any problem at or above a value left out.
    /// Problems come in the order found.
    pub(crate) fn gather<T>(
        &self,
        cap: usize,
        mut read: impl FnMut(&Merged<'_>) -> Result<T, ReadError>,
    ) -> Result<T, Vec<ReadError>> {
        let mut skip: Vec<Vec<String>> = Vec::new();
        let mut found = Vec::new();
        loop {
            let e = match read(&Merged {
                root: self.root,
                skip: &skip,
            }) {
                Ok(v) if found.is_empty() => return Ok(v),
                Ok(_) => return Err(found),
                Err(e) => e,
            };
            // A problem at or above a value left out may be caused by
            // leaving it out (a key now missing, a type that reads the
            // whole map): the search ends there, unreported.
            let mut at = e.path.clone();
            if let What::MissingKey(key) = &e.what {
                at.push(key.clone());
            }
            if skip.iter().any(|s| s.starts_with(&at)) {
                return Err(found);
            }
            let last = matches!(e.what, What::MissingKey(_));
            skip.push(e.path.clone());
            found.push(e);
            if last || found.len() >= cap {
                return Err(found);
            }
        }
    }

    /// Whether the value at `path` is read as absent.
    fn skipped(skip: &[Vec<String>], path: &Path<'_>, last: &str) -> bool {
        if skip.is_empty() {
            return false;
        }
        let mut at = path.to_vec();
        at.push(last.to_string());
        skip.contains(&at)
    }

    /// The value at the map keys `at`, with the location an error about it
    /// names; `None` when it is absent.
    fn at(&self, at: &[&str]) -> Option<(&'a Node, &'a Loc)> {
        if self
            .skip
            .iter()
            .any(|s| at.starts_with(&s.iter().map(String::as_str).collect::<Vec<_>>()))
        {
            return None;
        }
        let mut node = self.root;
        let mut loc = &node.loc;
        for key in at {
            let NodeValue::Map(map) = &node.value else {
                return None;
            };
            let (key_loc, child) = map.get(*key)?;
            loc = shown_at(key_loc, child);
            node = child;
        }
        Some((node, loc))
    }

    /// Reads `T` from the value at the map keys `at`, leaving out the keys
    /// `hide` of that map (another reader takes them); `None` when the
    /// value is absent. An unknown key's error lists `hide` among the keys
    /// the map may hold.
    pub(crate) fn read<T: Deserialize<'a>>(
        &self,
        at: &[&str],
        hide: &'a [&'a str],
    ) -> Result<Option<T>, ReadError> {
        let Some((node, loc)) = self.at(at) else {
            return Ok(None);
        };
        let keys: Vec<&str> = at.to_vec();
        let path = Path::of(&keys);
        let view = View {
            node,
            path: &path,
            hide,
            skip: self.skip,
        };
        T::deserialize(view).map(Some).map_err(|e| {
            let mut e = e.place(loc, &path);
            if let What::UnknownKey { expected, .. } = &mut e.what {
                if e.path.len() == at.len() + 1 {
                    expected.extend(hide.iter().map(|k| k.to_string()));
                }
            }
            e
        })
    }

    /// The keys of the map at `at`, in order, with the location of each.
    pub(crate) fn keys(&self, at: &[&str]) -> Vec<(&'a str, &'a Loc)> {
        match self.at(at) {
            Some((
                Node {
                    value: NodeValue::Map(map),
                    ..
                },
                _,
            )) => map.iter().map(|(k, (l, _))| (k.as_str(), l)).collect(),
            _ => Vec::new(),
        }
    }

    /// Where the value at `path` (map keys and list indices) is: the key
    /// holding a map or list, the value itself otherwise, or the deepest
    /// place reached when the path goes further than the config.
    pub(crate) fn locate(&self, path: &[String]) -> Loc {
        let mut node = self.root;
        let mut loc = &node.loc;
        for step in path {
            match &node.value {
                NodeValue::Map(map) => match map.get(step) {
                    Some((key_loc, child)) => {
                        loc = shown_at(key_loc, child);
                        node = child;
                    }
                    None => break,
                },
                NodeValue::Seq(items) => {
                    match step.parse::<usize>().ok().and_then(|i| items.get(i)) {
                        Some(item) => {
                            loc = &item.loc;
                            node = item;
                        }
                        None => break,
                    }
                }
                _ => break,
            }
        }
        loc.clone()
    }
}

/// Where an error about a map entry's value points: the key of a map or
/// list, the value itself otherwise.
fn shown_at<'a>(key_loc: &'a Loc, value: &'a Node) -> &'a Loc {
    if matches!(value.value, NodeValue::Map(_) | NodeValue::Seq(_)) {
        key_loc
    } else {
        &value.loc
    }
}

/// An empty overlay file parses as `null` at 1:1; it changes nothing.
fn is_empty_document(n: &Node) -> bool {
    matches!(n.value, NodeValue::Null) && n.loc.line == 1 && n.loc.col == 1
}

/// The field path of a value being read, kept on the stack: it becomes a
/// `Vec` only for an error.
#[derive(Clone, Copy)]
enum Path<'p> {
    Keys(&'p [&'p str]),
    Key(&'p str, &'p Path<'p>),
    Index(usize, &'p Path<'p>),
}

impl<'p> Path<'p> {
    fn of(keys: &'p [&'p str]) -> Path<'p> {
        Path::Keys(keys)
    }

    fn to_vec(self) -> Vec<String> {
        let mut out = Vec::new();
        self.push_into(&mut out);
        out
    }

    fn push_into(&self, out: &mut Vec<String>) {
        match self {
            Path::Keys(keys) => out.extend(keys.iter().map(|k| k.to_string())),
            Path::Key(k, parent) => {
                parent.push_into(out);
                out.push(k.to_string());
            }
            Path::Index(i, parent) => {
                parent.push_into(out);
                out.push(i.to_string());
            }
        }
    }
}

/// A value being read: the merged node, its path, and (for the map a read
/// starts at) the keys left out. An error it raises is placed by the map
/// entry or list item that holds it.
struct View<'a, 'p> {
    node: &'a Node,
    path: &'p Path<'p>,
    hide: &'a [&'a str],
    skip: &'a [Vec<String>],
}

impl<'de> Deserializer<'de> for View<'de, '_> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match &self.node.value {
            NodeValue::Null => visitor.visit_unit(),
            NodeValue::Bool(b) => visitor.visit_bool(*b),
            NodeValue::Int(i) if *i >= 0 => visitor.visit_u64(*i as u64),
            NodeValue::Int(i) => visitor.visit_i64(*i),
            NodeValue::Float(f, _) if f.is_finite() => visitor.visit_f64(*f),
            // JSON, and so every earlier reader, had no NaN or infinity.
            NodeValue::Float(..) => visitor.visit_unit(),
            NodeValue::Str(s) => visitor.visit_borrowed_str(s),
            NodeValue::Seq(items) => visitor.visit_seq(Items {
                items: items.iter(),
                index: 0,
                path: self.path,
                skip: self.skip,
            }),
            NodeValue::Map(map) => visitor.visit_map(Entries {
                entries: map.iter(),
                hide: self.hide,
                path: self.path,
                value: None,
                skip: self.skip,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match &self.node.value {
            NodeValue::Null => visitor.visit_none(),
            NodeValue::Float(f, _) if !f.is_finite() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match &self.node.value {
            NodeValue::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            NodeValue::Map(m) if m.len() == 1 => {
                let (key, (key_loc, value)) = m.iter().next().expect("one entry");
                visitor.visit_enum(Variant {
                    key,
                    key_loc,
                    value,
                    path: self.path,
                    skip: self.skip,
                })
            }
            _ => Err(de::Error::custom(
                "expected a variant name, or a map of one variant name to its value",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// An enum written as a map of one variant name to its value.
struct Variant<'a, 'p> {
    key: &'a str,
    key_loc: &'a Loc,
    value: &'a Node,
    path: &'p Path<'p>,
    skip: &'a [Vec<String>],
}

impl<'de, 'p> de::EnumAccess<'de> for Variant<'de, 'p> {
    type Error = ReadError;
    type Variant = Self;

    fn variant_seed<S: de::DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self), ReadError> {
        let key_path = Path::Key(self.key, self.path);
        let v = seed
            .deserialize(de::value::BorrowedStrDeserializer::new(self.key))
            .map_err(|e: ReadError| e.place(self.key_loc, &key_path))?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'de, '_> {
    type Error = ReadError;

    fn unit_variant(self) -> Result<(), ReadError> {
        Err(de::Error::custom(
            "this variant takes no value; write its name alone",
        ))
    }

    fn newtype_variant_seed<S: de::DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<S::Value, ReadError> {
        let path = Path::Key(self.key, self.path);
        let loc = shown_at(self.key_loc, self.value);
        seed.deserialize(View {
            node: self.value,
            path: &path,
            hide: &[],
            skip: self.skip,
        })
        .map_err(|e| e.place(loc, &path))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, ReadError> {
        self.newtype_variant_seed(Seed(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.newtype_variant_seed(Seed(visitor))
    }
}

/// A visitor as a seed: lets a tuple or struct variant read its value.
struct Seed<V>(V);

impl<'de, V: Visitor<'de>> de::DeserializeSeed<'de> for Seed<V> {
    type Value = V::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        d.deserialize_any(self.0)
    }
}

/// A sequence's items.
struct Items<'a, 'p> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
    path: &'p Path<'p>,
    skip: &'a [Vec<String>],
}

impl<'de> SeqAccess<'de> for Items<'de, '_> {
    type Error = ReadError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ReadError> {
        let item = loop {
            let Some(item) = self.items.next() else {
                return Ok(None);
            };
            self.index += 1;
            if !Merged::skipped(self.skip, self.path, &(self.index - 1).to_string()) {
                break item;
            }
        };
        let path = Path::Index(self.index - 1, self.path);
        seed.deserialize(View {
            node: item,
            path: &path,
            hide: &[],
            skip: self.skip,
        })
        .map(Some)
        .map_err(|e| e.place(&item.loc, &path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A map's entries, `hide`'s keys left out.
struct Entries<'a, 'p> {
    entries: indexmap::map::Iter<'a, String, (Loc, Node)>,
    hide: &'a [&'a str],
    path: &'p Path<'p>,
    value: Option<(&'a str, &'a Loc, &'a Node)>,
    skip: &'a [Vec<String>],
}

impl<'a> Entries<'a, '_> {
    fn next_entry(&mut self) -> Option<(&'a str, &'a Loc, &'a Node)> {
        self.entries
            .by_ref()
            .find(|(k, _)| {
                !self.hide.contains(&k.as_str()) && !Merged::skipped(self.skip, self.path, k)
            })
            .map(|(k, (key_loc, v))| (k.as_str(), key_loc, v))
    }
}

impl<'de> MapAccess<'de> for Entries<'de, '_> {
    type Error = ReadError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ReadError> {
        let Some((key, key_loc, value)) = self.next_entry() else {
            return Ok(None);
        };
        self.value = Some((key, key_loc, value));
        let path = Path::Key(key, self.path);
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
            .map_err(|e: ReadError| e.place(key_loc, &path))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ReadError> {
        let (key, key_loc, node) = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value without a key"))?;
        let path = Path::Key(key, self.path);
        let loc = shown_at(key_loc, node);
        seed.deserialize(View {
            node,
            path: &path,
            hide: &[],
            skip: self.skip,
        })
        .map_err(|e| e.place(loc, &path))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::yaml::{parse_one, Limits, Source};

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

    fn merged(base: &str, overlay: &str) -> serde_json::Value {
        let (b, o) = (node("base", base), node("over", overlay));
        Merged::new(&merge(&b, &o)).read(&[], &[]).unwrap().unwrap()
    }

    #[test]
    fn maps_merge_lists_replace_null_removes() {
        let base = "a: 1\nb: {c: 2, d: [1, 2]}\ne: x\n";
        for (overlay, want) in [
            ("", r#"{"a":1,"b":{"c":2,"d":[1,2]},"e":"x"}"#),
            (
                "b: {c: null, f: -3}\na: 1.5\n",
                r#"{"a":1.5,"b":{"d":[1,2],"f":-3},"e":"x"}"#,
            ),
            (
                "b: [1]\ng: null\ne: {h: ~}\n",
                r#"{"a":1,"b":[1],"e":{"h":null}}"#,
            ),
            ("- 1\n", "[1]"),
            (
                "e: null\nz: {y: 1}\n",
                r#"{"a":1,"b":{"c":2,"d":[1,2]},"z":{"y":1}}"#,
            ),
        ] {
            // Compared as text: key order is output order.
            assert_eq!(merged(base, overlay).to_string(), want, "{overlay}");
        }
        assert_eq!(
            merged("a: {x: {p: 1}}\n", "a: {x: [1]}\n").to_string(),
            r#"{"a":{"x":[1]}}"#
        );
        assert_eq!(merged("a: {x: 1}\n", "a: null\n").to_string(), "{}");
    }

    #[test]
    fn errors_name_the_place_in_the_file_that_set_the_value() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            n: u32,
            #[serde(default)]
            l: Vec<u32>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            a: Inner,
            b: Option<String>,
        }
        let read = |base: &str, overlay: &str| {
            let (b, o) = (node("base", base), node("over", overlay));
            Merged::new(&merge(&b, &o)).read::<T>(&[], &[]).unwrap_err()
        };
        let at = |e: &ReadError| {
            let l = e.loc.as_ref().unwrap();
            (l.source.name.clone(), l.line, l.col, e.path.join("."))
        };
        let e = read("a:\n  n: 1\n", "a:\n  n: x\n");
        assert_eq!(at(&e), ("over".into(), 2, 6, "a.n".into()));
        // A list item is placed at the item, with its index in the path.
        let e = read("a:\n  n: 1\n  l: [1, -2]\n", "");
        assert_eq!(at(&e), ("base".into(), 3, 10, "a.l.1".into()));
        let e = read("a:\n  n: 1\n", "a:\n  nn: 2\n");
        assert_eq!(at(&e), ("over".into(), 2, 3, "a.nn".into()));
        assert!(
            matches!(&e.what, What::UnknownKey { key, expected } if key == "nn" && expected == &["n", "l"])
        );
        let e = read("a:\n  l: []\n", "");
        assert_eq!(at(&e), ("base".into(), 1, 1, "a".into()));
        assert_eq!(e.what, What::MissingKey("n".into()));
    }

    #[test]
    fn gather_reports_every_problem_and_stops_where_one_is_caused_by_another() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            #[serde(default)]
            n: u32,
            #[serde(default)]
            l: Vec<u32>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            a: Inner,
            b: Option<bool>,
            c: u32,
        }
        let gather = |text: &str| {
            let tree = node("f", text);
            Merged::new(&tree)
                .gather(10, |m| m.read::<T>(&[], &[]))
                .map(|_| ())
                .unwrap_err()
                .into_iter()
                .map(|e| e.path.join("."))
                .collect::<Vec<_>>()
        };
        // A type error, a list item, an unknown key and a wrong boolean: all four.
        assert_eq!(
            gather("a:\n  n: x\n  l: [1, -2, 3, -4]\n  m: 1\nb: no\nc: 1\n"),
            ["a.n", "a.l.1", "a.l.3", "a.m", "b"]
        );
        // `c` is required: once its bad value is left out, the missing key
        // is the reader's own doing and is not reported; the unknown key
        // after it is.
        assert_eq!(gather("a: {}\nc: x\nd: 1\n"), ["c", "d"]);
        // A genuinely missing key is reported, and ends the search.
        assert_eq!(gather("a: {n: x}\n"), ["a.n", ""]);
        // The cap bounds the search.
        let tree = node(
            "f",
            "a: {l: [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]}\nc: 1\n",
        );
        let found = Merged::new(&tree)
            .gather(10, |m| m.read::<T>(&[], &[]))
            .unwrap_err();
        assert_eq!(found.len(), 10);
        // Good input reads as before.
        let tree = node("f", "a: {n: 1}\nc: 2\n");
        assert!(Merged::new(&tree)
            .gather(10, |m| m.read::<T>(&[], &[]))
            .is_ok());
    }

    #[test]
    fn reads_at_a_path_hiding_keys_and_locates() {
        let (b, o) = (
            node("base", "c:\n  k:\n    enabled: true\n    x: 1\n"),
            node("over", "c:\n  k:\n    x: 2\n  j: {}\n"),
        );
        let tree = merge(&b, &o);
        let l = Merged::new(&tree);
        let v: serde_json::Value = l.read(&["c", "k"], &["enabled"]).unwrap().unwrap();
        assert_eq!(v, serde_json::json!({"x": 2}));
        assert!(l
            .read::<serde_json::Value>(&["c", "none"], &[])
            .unwrap()
            .is_none());
        let keys: Vec<&str> = l.keys(&["c"]).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["k", "j"]);
        let loc = l.locate(&["c".into(), "k".into(), "x".into()]);
        assert_eq!(
            (loc.source.name.as_str(), loc.line, loc.col),
            ("over", 3, 8)
        );
        let loc = l.locate(&["c".into(), "k".into(), "enabled".into()]);
        assert_eq!(
            (loc.source.name.as_str(), loc.line, loc.col),
            ("base", 3, 14)
        );
        let loc = l.locate(&["c".into(), "k".into(), "missing".into()]);
        assert_eq!((loc.source.name.as_str(), loc.line), ("over", 2));
    }

    #[test]
    fn enums_read_from_names_and_one_entry_maps() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        enum E {
            A,
            B(u32),
            C { x: u32 },
        }
        let read = |t: &str| -> Result<Vec<E>, ReadError> {
            let b = node("base", t);
            Merged::new(&b).read(&[], &[]).map(Option::unwrap)
        };
        assert_eq!(
            read("[A, {B: 2}, {C: {x: 3}}]").unwrap(),
            [E::A, E::B(2), E::C { x: 3 }]
        );
        let e = read("[A, {C: {y: 3}}]").unwrap_err();
        assert_eq!(
            (e.what, e.path),
            (What::MissingKey("x".into()), vec!["1".into(), "C".into()])
        );
        let e = read("[{B: x}]").unwrap_err();
        assert_eq!(e.path, ["0", "B"]);
    }
}
