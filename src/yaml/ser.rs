//! Typed values → block YAML in one pass, as a serde serialiser: the one
//! writer of output YAML (typed documents, and the templates' `to_yaml`
//! filter over Tera's values).
//!
//! The layout is fixed: two-space indents, sequences at their key's
//! indent, multi-line strings as literal blocks, every other string plain
//! when [`plain_ok`](super::scalar::plain_ok) allows and double-quoted
//! otherwise; numbers as `serde_json` writes them (NaN and infinities,
//! which it lacks, as `null`). A mapping or sequence is
//! opened lazily, on its first entry, so an empty one can still be written
//! `{}` / `[]` on its key's line. Maps repeat no keys here: unlike
//! `to_value`, which keeps the last of two equal keys, this writes both,
//! so a type whose serialisation repeats a key (two flattened fields of
//! one name) is not for it.

use serde::ser::{self, Serialize};

// Failures carry only their message (see `SerdeMessage`).
use crate::error::SerdeMessage as Error;

use super::scalar::{float_text, indent, push_int, push_key, push_str};

/// Serialises `value` as a block-style YAML document (no `---`, one
/// trailing newline).
pub(crate) fn to_yaml<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let mut out = String::with_capacity(1024);
    value
        .serialize(Value {
            out: &mut out,
            ind: 0,
            at: At::Root,
        })
        .map_err(|e| e.0)?;
    Ok(out)
}

/// Where a value starts: alone at the root, after `key:` or after `-`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    Root,
    Key,
    Dash,
}

/// Serialises one value whose entry (key or dash) sits at indent `ind`.
struct Value<'a> {
    out: &'a mut String,
    ind: usize,
    at: At,
}

impl<'a> Value<'a> {
    /// A scalar written on the current line.
    fn inline(self, text: &str) -> Result<(), Error> {
        if self.at != At::Root {
            self.out.push(' ');
        }
        self.out.push_str(text);
        self.out.push('\n');
        Ok(())
    }

    fn int(self, i: i128) -> Result<(), Error> {
        if self.at != At::Root {
            self.out.push(' ');
        }
        push_int(i, self.out);
        self.out.push('\n');
        Ok(())
    }

    /// A container whose opener waits for its first entry.
    fn open(self, map: bool) -> Block<'a> {
        let (ind, first_inline) = match (self.at, map) {
            (At::Root, _) => (0, false),
            (At::Key, true) => (self.ind + 2, false),
            (At::Key, false) => (self.ind, false),
            (At::Dash, _) => (self.ind + 2, true),
        };
        Block {
            out: self.out,
            at: self.at,
            ind,
            first_inline,
            count: 0,
            map,
        }
    }
}

/// An open mapping or sequence.
struct Block<'a> {
    out: &'a mut String,
    at: At,
    /// Indent of its entries.
    ind: usize,
    /// Whether the first entry continues the line of a `-`.
    first_inline: bool,
    count: usize,
    map: bool,
}

impl Block<'_> {
    /// Starts the next entry: the opener before the first, the indent.
    fn entry(&mut self) {
        if self.count == 0 {
            match self.at {
                At::Root => {}
                At::Key => self.out.push('\n'),
                At::Dash => self.out.push(' '),
            }
        }
        if self.count > 0 || !self.first_inline {
            indent(self.ind, self.out);
        }
        self.count += 1;
    }

    fn key(&mut self, key: &str) {
        self.entry();
        push_key(key, self.out);
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.entry();
        self.out.push('-');
        value.serialize(Value {
            out: self.out,
            ind: self.ind,
            at: At::Dash,
        })
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Value {
            out: self.out,
            ind: self.ind,
            at: At::Key,
        })
    }

    fn close(self) -> Result<(), Error> {
        if self.count == 0 {
            if self.at != At::Root {
                self.out.push(' ');
            }
            self.out.push_str(if self.map { "{}\n" } else { "[]\n" });
        }
        Ok(())
    }
}

/// A one-entry mapping `{variant: …}` (externally tagged enums).
fn tagged<'a>(value: Value<'a>, variant: &str) -> Block<'a> {
    let mut block = value.open(true);
    block.key(variant);
    block
}

/// Integer methods that widen to `i128` and write it.
macro_rules! ints {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), Error> {
            self.int(v.into())
        }
    )*};
}

impl<'a> ser::Serializer for Value<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Block<'a>;
    type SerializeTuple = Block<'a>;
    type SerializeTupleStruct = Block<'a>;
    type SerializeTupleVariant = Variant<'a>;
    type SerializeMap = MapBlock<'a>;
    type SerializeStruct = Block<'a>;
    type SerializeStructVariant = Variant<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.inline(if v { "true" } else { "false" })
    }
    ints!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        if v < i128::from(i64::MIN) || v > i128::from(u64::MAX) {
            return Err(Error("number out of range".into()));
        }
        self.int(v)
    }
    ints!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        match u64::try_from(v) {
            Ok(v) => self.int(v.into()),
            Err(_) => Err(Error("number out of range".into())),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        // JSON has no NaN or infinity: `to_value` makes them null.
        match float_text(v) {
            Some(text) => self.inline(&text),
            None => self.inline("null"),
        }
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, s: &str) -> Result<(), Error> {
        match self.at {
            At::Root => push_str(s, "", 2, self.out),
            _ => push_str(s, " ", self.ind + 2, self.out),
        }
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut block = self.open(false);
        for b in v {
            block.item(b)?;
        }
        block.close()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.inline("null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.inline("null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.inline("null")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let mut block = tagged(self, variant);
        block.value(value)?;
        block.close()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Block<'a>, Error> {
        Ok(self.open(false))
    }
    fn serialize_tuple(self, _: usize) -> Result<Block<'a>, Error> {
        Ok(self.open(false))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Block<'a>, Error> {
        Ok(self.open(false))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Variant<'a>, Error> {
        Ok(Variant::new(self, variant, false))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapBlock<'a>, Error> {
        Ok(MapBlock(self.open(true)))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Block<'a>, Error> {
        Ok(self.open(true))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Variant<'a>, Error> {
        Ok(Variant::new(self, variant, true))
    }
}

/// The sequence-like serde traits: each element is an item of the block.
macro_rules! items {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Block<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.item(value)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeStruct for Block<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.key(key);
        self.value(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A mapping whose keys arrive as values: each must be a string, or a
/// number, boolean or unit variant written as one (as JSON keys are).
struct MapBlock<'a>(Block<'a>);

impl ser::SerializeMap for MapBlock<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let key = key.serialize(KeyText)?;
        self.0.key(&key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.0.value(value)
    }
    fn end(self) -> Result<(), Error> {
        self.0.close()
    }
}

/// `{variant: [...]}` or `{variant: {...}}`: the outer one-entry mapping
/// and the inner block.
struct Variant<'a> {
    inner: Block<'a>,
}

impl<'a> Variant<'a> {
    fn new(value: Value<'a>, variant: &str, map: bool) -> Variant<'a> {
        let block = tagged(value, variant);
        // The outer block has its one entry; the inner opens after `key:`.
        let Block { out, ind, .. } = block;
        let inner = Value {
            out,
            ind,
            at: At::Key,
        }
        .open(map);
        Variant { inner }
    }
}

impl ser::SerializeTupleVariant for Variant<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.inner.item(value)
    }
    fn end(self) -> Result<(), Error> {
        self.inner.close()
    }
}

impl ser::SerializeStructVariant for Variant<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.inner.key(key);
        self.inner.value(value)
    }
    fn end(self) -> Result<(), Error> {
        self.inner.close()
    }
}

/// A map key as text, as `serde_json` makes one.
struct KeyText;

fn key_error() -> Error {
    Error("key must be a string".into())
}

/// Key methods that write the value as its text.
macro_rules! keys_as_text {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<String, Error> {
            Ok(v.to_string())
        }
    )*};
}

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = ser::Impossible<String, Error>;
    type SerializeTuple = ser::Impossible<String, Error>;
    type SerializeTupleStruct = ser::Impossible<String, Error>;
    type SerializeTupleVariant = ser::Impossible<String, Error>;
    type SerializeMap = ser::Impossible<String, Error>;
    type SerializeStruct = ser::Impossible<String, Error>;
    type SerializeStructVariant = ser::Impossible<String, Error>;

    keys_as_text!(
        serialize_str: &str, serialize_char: char, serialize_bool: bool,
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128
    );
    fn serialize_f32(self, _: f32) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_f64(self, _: f64) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn yaml<T: Serialize>(v: &T) -> String {
        to_yaml(v).unwrap()
    }

    #[derive(serde::Serialize)]
    enum E {
        Unit,
        New(u8),
        Tuple(u8, String),
        Struct { a: Vec<u8>, b: Option<()> },
    }

    #[derive(serde::Serialize)]
    struct S {
        e: Vec<E>,
        empty: Vec<u8>,
        none: Option<u8>,
        map: std::collections::BTreeMap<u32, E>,
        c: char,
        f: f32,
        nan: f64,
        text: &'static str,
        nested: Vec<Vec<E>>,
    }

    #[test]
    fn block_layout() {
        let v = json!({
            "a": {"b": 1, "c": [1, {"d": "on", "e": []}, [2, 3]]},
            "f": "x\n  y\n",
            "g": "p\nq",
            "h": {},
            "i": null,
            "j": [{"k": "l\n"}],
            "9": 1.5,
        });
        assert_eq!(
            yaml(&v),
            "a:\n  b: 1\n  c:\n  - 1\n  - d: \"on\"\n    e: []\n  - - 2\n    - 3\n\
             f: |\n  x\n    y\ng: |-\n  p\n  q\nh: {}\ni: null\nj:\n- k: |\n    l\n\"9\": 1.5\n"
        );
        assert_eq!(
            yaml(&json!([[], {}, [[]], [{}], "a\nb", {"k": "l\n"}])),
            "- []\n- {}\n- - []\n- - {}\n- |-\n  a\n  b\n- k: |\n    l\n"
        );
    }

    #[test]
    fn scalars_at_the_root() {
        assert_eq!(yaml(&json!("on")), "\"on\"\n");
        assert_eq!(yaml(&json!([])), "[]\n");
        assert_eq!(yaml(&json!({})), "{}\n");
        assert_eq!(yaml(&json!("a\nb\n")), "|\n  a\n  b\n");
        assert_eq!(
            yaml(&json!([0, -7, i64::MIN, u64::MAX, 2.5, 1e20, 1.5e-7])),
            "- 0\n- -7\n- -9223372036854775808\n- 18446744073709551615\n- 2.5\n- 1.0e+20\n- 1.5e-7\n"
        );
    }

    #[test]
    fn enums_options_and_typed_fields() {
        assert_eq!(yaml(&E::Unit), "Unit\n");
        assert_eq!(yaml(&E::New(1)), "New: 1\n");
        assert_eq!(yaml(&E::Tuple(1, "x".into())), "Tuple:\n- 1\n- x\n");
        assert_eq!(
            yaml(&E::Struct { a: vec![], b: None }),
            "Struct:\n  a: []\n  b: null\n"
        );
        assert_eq!(
            yaml(&vec![
                E::Struct {
                    a: vec![1],
                    b: Some(()),
                },
                E::Tuple(2, "y\n".into()),
            ]),
            "- Struct:\n    a:\n    - 1\n    b: null\n- Tuple:\n  - 2\n  - |\n    y\n"
        );
        let s = S {
            e: vec![
                E::Unit,
                E::New(2),
                E::Tuple(3, "on".into()),
                E::Struct {
                    a: vec![4],
                    b: None,
                },
            ],
            empty: vec![],
            none: None,
            map: [(1, E::Unit), (2, E::Struct { a: vec![], b: None })].into(),
            c: '#',
            f: 0.1,
            nan: f64::NAN,
            text: "multi\nline",
            nested: vec![vec![], vec![E::New(1), E::Unit]],
        };
        // Numeric keys become text; a NaN becomes null, as `serde_json` does.
        assert_eq!(
            yaml(&s),
            "e:\n- Unit\n- New: 2\n- Tuple:\n  - 3\n  - \"on\"\n- Struct:\n    a:\n    - 4\n    b: null\n\
             empty: []\nnone: null\nmap:\n  \"1\": Unit\n  \"2\":\n    Struct:\n      a: []\n      b: null\n\
             c: \"#\"\nf: 0.10000000149011612\n\"nan\": null\ntext: |-\n  multi\n  line\n\
             nested:\n- []\n- - New: 1\n  - Unit\n"
        );
    }

    #[test]
    fn keys_must_be_text() {
        let mut m = std::collections::BTreeMap::new();
        m.insert(vec![1u8], 1);
        assert!(to_yaml(&m).is_err());
        assert!(to_yaml(&u128::MAX).is_err());
    }
}
