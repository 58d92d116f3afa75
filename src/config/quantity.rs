//! Kubernetes resource quantities (`500m`, `2`, `4Gi`, `1.5G`), parsed and
//! compared exactly.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Kubernetes quantity, kept as written and as an exact value in
/// billionths of a unit (so `500m` == `0.5`, `1Gi` == `1073741824`).
#[derive(Debug, Clone)]
pub struct Quantity {
    text: String,
    nanos: i128,
}

/// What is wrong with a quantity's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityError {
    /// Explanation, with a suggestion when one fits.
    pub message: String,
}

const BINARY: [(&str, u32); 6] = [
    ("Ki", 1),
    ("Mi", 2),
    ("Gi", 3),
    ("Ti", 4),
    ("Pi", 5),
    ("Ei", 6),
];
const DECIMAL: [(&str, i32); 9] = [
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];

impl Quantity {
    /// The quantity as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The exact value in billionths of a unit.
    pub fn nanos(&self) -> i128 {
        self.nanos
    }

    /// The quantity as Kubernetes' own type holds it (its text).
    pub fn to_k8s(&self) -> crate::k8s::Quantity {
        crate::k8s::Quantity(self.text.clone())
    }

    /// Whether the quantity is above zero.
    pub fn is_positive(&self) -> bool {
        self.nanos > 0
    }

    /// Builds a quantity from an exact value in billionths, written in the
    /// shortest exact form (binary suffixes for whole multiples of 1024).
    pub fn from_nanos(nanos: i128) -> Quantity {
        let text = format_nanos(nanos);
        Quantity { text, nanos }
    }
}

fn format_nanos(nanos: i128) -> String {
    const N: i128 = 1_000_000_000;
    if nanos % N == 0 {
        let units = nanos / N;
        if units != 0 {
            for (suffix, power) in BINARY.iter().rev() {
                let scale = 1i128 << (10 * power);
                if units % scale == 0 {
                    return format!("{}{suffix}", units / scale);
                }
            }
        }
        return units.to_string();
    }
    if nanos % 1_000_000 == 0 {
        return format!("{}m", nanos / 1_000_000);
    }
    if nanos % 1_000 == 0 {
        return format!("{}u", nanos / 1_000);
    }
    format!("{nanos}n")
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |m: String| QuantityError { message: m };
        let t = s.trim();
        if t.is_empty() {
            return Err(err("empty quantity".into()));
        }
        let (neg, body) = match t.as_bytes()[0] {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let num_end = body
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(body.len());
        let (number, suffix) = body.split_at(num_end);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(err(format!(
                "`{s}` is not a quantity: it must start with a number (e.g. `500m`, `2`, `4Gi`)"
            )));
        }
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        // Exact value of the number as mantissa × 10^-frac_len.
        let mut mantissa: i128 = 0;
        for d in int_part.bytes().chain(frac_part.bytes()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(d - b'0')))
                .ok_or_else(|| err(format!("`{s}` is too large to be a quantity")))?;
        }
        let mut exp10: i32 = -(frac_part.len() as i32);
        let mut mult: i128 = 1;
        if let Some((_, p)) = BINARY.iter().find(|(suf, _)| *suf == suffix) {
            mult = 1i128 << (10 * p);
        } else if let Some((_, e)) = DECIMAL.iter().find(|(suf, _)| *suf == suffix) {
            exp10 += e;
        } else if suffix.is_empty() {
        } else if let Some(e) = suffix.strip_prefix(['e', 'E']) {
            let e: i32 = e
                .parse()
                .map_err(|_| err(format!("`{s}` has a malformed exponent")))?;
            exp10 += e;
        } else {
            return Err(err(unknown_suffix(s, number, suffix)));
        }
        // nanos = mantissa * mult * 10^(exp10 + 9)
        let shift = exp10 + 9;
        let too_big = || err(format!("`{s}` is too large to be a quantity"));
        let mut nanos = mantissa.checked_mul(mult).ok_or_else(too_big)?;
        if shift >= 0 {
            nanos = nanos
                .checked_mul(10i128.checked_pow(shift as u32).ok_or_else(too_big)?)
                .ok_or_else(too_big)?;
        } else {
            let div = 10i128
                .checked_pow((-shift) as u32)
                .ok_or_else(|| err(format!("`{s}` is more precise than a billionth")))?;
            if nanos % div != 0 {
                return Err(err(format!(
                    "`{s}` is more precise than a billionth of a unit"
                )));
            }
            nanos /= div;
        }
        if neg {
            nanos = -nanos;
        }
        Ok(Quantity {
            text: t.to_string(),
            nanos,
        })
    }
}

fn unknown_suffix(s: &str, number: &str, suffix: &str) -> String {
    let lower = suffix.to_ascii_lowercase();
    let guess = match lower.as_str() {
        "kb" | "kib" | "ki" => Some("Ki"),
        "mb" | "mib" | "mi" => Some("Mi"),
        "gb" | "gib" | "gi" | "g" => Some("Gi"),
        "tb" | "tib" | "ti" | "t" => Some("Ti"),
        "pb" | "pib" | "pi" => Some("Pi"),
        _ => None,
    };
    let mut m = format!(
        "`{s}` is not a Kubernetes quantity: unknown suffix `{suffix}` (binary: Ki Mi Gi Ti Pi Ei; decimal: n u m k M G T P E)"
    );
    if let Some(g) = guess {
        m.push_str(&format!("; did you mean `{number}{g}`?"));
    }
    m
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}
impl Eq for Quantity {}
impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            I(i64),
            F(f64),
        }
        let text = match Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom("expected a quantity such as `500m`, `2` or `20Gi`")
        })? {
            Raw::S(s) => s,
            Raw::I(i) => i.to_string(),
            Raw::F(f) => f.to_string(),
        };
        text.parse()
            .map_err(|e: QuantityError| serde::de::Error::custom(e.message))
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A Kubernetes quantity: a number with an optional suffix (n u m k M G T P E, Ki Mi Gi Ti Pi Ei), e.g. `500m`, `2`, `20Gi`.",
            "anyOf": [
                {"type": "string", "pattern": "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$"},
                {"type": "number"}
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        s.parse().unwrap()
    }

    #[test]
    fn parses_the_grammar() {
        assert_eq!(q("500m").nanos(), 500_000_000);
        assert_eq!(q("2").nanos(), 2_000_000_000);
        assert_eq!(q("0.5"), q("500m"));
        assert_eq!(q("1Gi").nanos(), 1_073_741_824 * 1_000_000_000);
        assert_eq!(q("1.5G").nanos(), 1_500_000_000 * 1_000_000_000);
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("100Mi").nanos(), 100 * 1_048_576 * 1_000_000_000);
        assert!(q("4Gi") > q("2Gi"));
        assert!(q("1") < q("1001m"));
    }

    #[test]
    fn rejects_bad_text_with_suggestion() {
        let e = "30Gb".parse::<Quantity>().unwrap_err();
        assert!(e.message.contains("did you mean `30Gi`"), "{}", e.message);
        assert!("Gi".parse::<Quantity>().is_err());
        assert!("1.2.3".parse::<Quantity>().is_err());
        assert!("1x".parse::<Quantity>().is_err());
        assert!("0.1n".parse::<Quantity>().is_err());
    }

    #[test]
    fn formats_shortest_exact() {
        assert_eq!(Quantity::from_nanos(q("20Gi").nanos() * 2).as_str(), "40Gi");
        assert_eq!(Quantity::from_nanos(q("1500m").nanos()).as_str(), "1500m");
        assert_eq!(Quantity::from_nanos(q("3").nanos()).as_str(), "3");
    }
}
