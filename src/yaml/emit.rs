//! Values → block-style YAML that Go YAML parsers (Helm, Argo CD) read back
//! as the same values.
//!
//! The layout is fixed: two-space indents, sequences at their key's
//! indent, multi-line strings as literal blocks, every other string plain
//! when [`plain_ok`](super::scalar::plain_ok) allows and double-quoted
//! otherwise. The emitter walks the value tree once and writes into one
//! buffer; it works on `serde_json` values and on Tera's (for the
//! templates' `to_yaml` filter) through [`Tree`].

use super::scalar::{literal_ok, plain_ok, push_quoted};

/// What one node of a value tree is, as far as YAML output cares.
pub enum Shape<'a, T> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// Another number, already formatted.
    Number(String),
    /// A string.
    Str(&'a str),
    /// A sequence.
    Seq(&'a [T]),
    /// A mapping with this many entries (see [`Tree::entries`]).
    Map(usize),
}

/// A value tree the emitter can walk.
pub trait Tree: Sized {
    /// The shape of this node; an error for values YAML cannot hold.
    fn shape(&self) -> Result<Shape<'_, Self>, String>;
    /// Calls `f` with each entry of a mapping, in order.
    fn entries(&self, f: &mut dyn FnMut(&str, &Self) -> Result<(), String>) -> Result<(), String>;
}

impl Tree for serde_json::Value {
    fn shape(&self) -> Result<Shape<'_, Self>, String> {
        use serde_json::Value as V;
        Ok(match self {
            V::Null => Shape::Null,
            V::Bool(b) => Shape::Bool(*b),
            V::Number(n) => match n.as_i64() {
                Some(i) => Shape::Int(i.into()),
                None => match n.as_u64() {
                    Some(u) => Shape::Int(u.into()),
                    None => Shape::Number(yaml11_float(n.to_string())),
                },
            },
            V::String(s) => Shape::Str(s),
            V::Array(a) => Shape::Seq(a),
            V::Object(m) => Shape::Map(m.len()),
        })
    }

    fn entries(&self, f: &mut dyn FnMut(&str, &Self) -> Result<(), String>) -> Result<(), String> {
        if let serde_json::Value::Object(m) = self {
            for (k, v) in m {
                f(k, v)?;
            }
        }
        Ok(())
    }
}

impl Tree for tera::Value {
    fn shape(&self) -> Result<Shape<'_, Self>, String> {
        use tera::value::ValueKind as K;
        Ok(match self.kind() {
            K::None => Shape::Null,
            K::Bool => Shape::Bool(self.as_bool().unwrap_or_default()),
            K::U64 | K::I64 | K::U128 | K::I128 => match self.as_i128() {
                Some(i) => Shape::Int(i),
                None => Shape::Number(self.to_string()),
            },
            K::F64 => Shape::Number(float(self.as_f64().unwrap_or_default())),
            K::String => Shape::Str(self.as_str().unwrap_or_default()),
            K::Array => Shape::Seq(self.as_array().unwrap_or_default()),
            K::Map => Shape::Map(self.as_map().map_or(0, |m| m.len())),
            _ => return Err(format!("cannot write a {} as YAML", self.name())),
        })
    }

    fn entries(&self, f: &mut dyn FnMut(&str, &Self) -> Result<(), String>) -> Result<(), String> {
        if let Some(map) = self.as_map() {
            for (k, v) in map {
                match k.as_str() {
                    Some(k) => f(k, v)?,
                    None => f(&k.to_string(), v)?,
                }
            }
        }
        Ok(())
    }
}

/// A float as YAML writes it (`.nan`, `.inf` for the values JSON lacks).
fn float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf" } else { "-.inf" }.into()
    } else {
        let text = serde_json::Number::from_f64(f).map_or_else(|| f.to_string(), |n| n.to_string());
        yaml11_float(text)
    }
}

/// A finite float as `serde_json` writes it, in YAML 1.1 form; `None` for
/// NaN and the infinities, which JSON lacks.
pub(super) fn float_text(f: f64) -> Option<String> {
    serde_json::Number::from_f64(f).map(|n| yaml11_float(n.to_string()))
}

/// A float's shortest form as YAML 1.1 also reads it: a `.` before any
/// exponent and a signed exponent (`1e20` → `1.0e+20`, `1e-7` → `1.0e-7`);
/// YAML 1.1 takes `1e20` for a string.
fn yaml11_float(text: String) -> String {
    let Some(e) = text.find(['e', 'E']) else {
        return text;
    };
    let (mantissa, exponent) = text.split_at(e);
    let exponent = &exponent[1..];
    let dot = if mantissa.contains('.') { "" } else { ".0" };
    let sign = if exponent.starts_with(['-', '+']) {
        ""
    } else {
        "+"
    };
    format!("{mantissa}{dot}e{sign}{exponent}")
}

/// A value tree already in memory as a block-style YAML document (no
/// `---`, one trailing newline); typed values go through
/// [`to_yaml`](super::to_yaml), which writes the same text.
pub fn emit<T: Tree>(value: &T) -> Result<String, String> {
    let mut out = String::with_capacity(1024);
    match value.shape()? {
        Shape::Map(n) if n > 0 => map(value, 0, false, &mut out)?,
        Shape::Seq(items) if !items.is_empty() => seq(items, 0, false, &mut out)?,
        Shape::Str(s) => push_str(s, "", 2, &mut out),
        shape => {
            inline(shape, &mut out);
            out.push('\n');
        }
    }
    Ok(out)
}

pub(super) fn indent(n: usize, out: &mut String) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// An integer in decimal, without the formatting machinery.
pub(super) fn push_int(i: i128, out: &mut String) {
    let mut buf = [0u8; 40];
    let mut at = buf.len();
    let mut n = i.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    out.push_str(std::str::from_utf8(&buf[at..]).expect("ASCII digits"));
}

/// A scalar or empty collection on the current line (no newline).
fn inline<T>(shape: Shape<'_, T>, out: &mut String) {
    match shape {
        Shape::Null => out.push_str("null"),
        Shape::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Shape::Int(i) => push_int(i, out),
        Shape::Number(n) => out.push_str(&n),
        Shape::Str(s) if plain_ok(s) => out.push_str(s),
        Shape::Str(s) => push_quoted(out, s),
        Shape::Seq(_) => out.push_str("[]"),
        Shape::Map(_) => out.push_str("{}"),
    }
}

/// A string scalar and its line end, after `lead` (`""` alone at the
/// root, `" "` after `key:` or `-`); a literal block's lines go at `ind`.
/// Most strings stand plain: one scan decides (a newline fails it).
pub(super) fn push_str(s: &str, lead: &str, ind: usize, out: &mut String) {
    out.push_str(lead);
    if plain_ok(s) {
        out.push_str(s);
        out.push('\n');
    } else if s.contains('\n') && literal_ok(s) {
        out.push('|');
        push_literal(s, ind, out);
    } else {
        push_quoted(out, s);
        out.push('\n');
    }
}

/// A mapping key and its `:`.
pub(super) fn push_key(k: &str, out: &mut String) {
    if plain_ok(k) {
        out.push_str(k);
    } else {
        push_quoted(out, k);
    }
    out.push(':');
}

/// The rest of a `|` / `|-` header line and the block's lines at `ind`.
fn push_literal(s: &str, ind: usize, out: &mut String) {
    let body = match s.strip_suffix('\n') {
        Some(body) => body,
        None => {
            out.push('-');
            s
        }
    };
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(ind, out);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// What follows `key:` or `-` on a line whose entry sits at `ind`.
fn value<T: Tree>(v: &T, ind: usize, after_dash: bool, out: &mut String) -> Result<(), String> {
    match v.shape()? {
        Shape::Map(n) if n > 0 => {
            if after_dash {
                out.push(' ');
                map(v, ind + 2, true, out)
            } else {
                out.push('\n');
                map(v, ind + 2, false, out)
            }
        }
        Shape::Seq(items) if !items.is_empty() => {
            if after_dash {
                out.push(' ');
                seq(items, ind + 2, true, out)
            } else {
                out.push('\n');
                seq(items, ind, false, out)
            }
        }
        Shape::Str(s) => {
            push_str(s, " ", ind + 2, out);
            Ok(())
        }
        shape => {
            out.push(' ');
            inline(shape, out);
            out.push('\n');
            Ok(())
        }
    }
}

fn map<T: Tree>(v: &T, ind: usize, first_inline: bool, out: &mut String) -> Result<(), String> {
    let mut first = first_inline;
    v.entries(&mut |k, item| {
        if !std::mem::take(&mut first) {
            indent(ind, out);
        }
        push_key(k, out);
        value(item, ind, false, out)
    })
}

fn seq<T: Tree>(
    items: &[T],
    ind: usize,
    first_inline: bool,
    out: &mut String,
) -> Result<(), String> {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !first_inline {
            indent(ind, out);
        }
        out.push('-');
        value(item, ind, true, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
            emit(&v).unwrap(),
            "a:\n  b: 1\n  c:\n  - 1\n  - d: \"on\"\n    e: []\n  - - 2\n    - 3\n\
             f: |\n  x\n    y\ng: |-\n  p\n  q\nh: {}\ni: null\nj:\n- k: |\n    l\n\"9\": 1.5\n"
        );
    }

    #[test]
    fn scalars_at_the_root() {
        assert_eq!(emit(&json!("on")).unwrap(), "\"on\"\n");
        assert_eq!(emit(&json!([])).unwrap(), "[]\n");
        assert_eq!(
            emit(&json!([0, -7, i64::MIN, u64::MAX, 2.5, 1e20, 1.5e-7])).unwrap(),
            "- 0\n- -7\n- -9223372036854775808\n- 18446744073709551615\n- 2.5\n- 1.0e+20\n- 1.5e-7\n"
        );
        assert_eq!(emit(&json!("a\nb\n")).unwrap(), "|\n  a\n  b\n");
    }
}
