//! Property tests of quantity parsing against the Kubernetes quantity
//! grammar (`<sign><digits>[.<digits>]<suffix>`, suffix one of the binary
//! `Ki…Ei`, decimal `n u m "" k M G T P E`, or an exponent `e<n>`).

use platgen::config::Quantity;
use proptest::prelude::*;

const BINARY: [(&str, u32); 6] = [
    ("Ki", 1),
    ("Mi", 2),
    ("Gi", 3),
    ("Ti", 4),
    ("Pi", 5),
    ("Ei", 6),
];
const DECIMAL: [(&str, i32); 10] = [
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];

/// Exact value in billionths, computed independently of the parser.
fn expected(int: u64, frac: &str, mult: i128, exp10: i32) -> Option<i128> {
    let digits = format!("{int}{frac}");
    let mantissa: i128 = digits.parse().ok()?;
    let shift = exp10 - frac.len() as i32 + 9;
    let v = mantissa.checked_mul(mult)?;
    if shift >= 0 {
        v.checked_mul(10i128.checked_pow(shift as u32)?)
    } else {
        let d = 10i128.pow((-shift) as u32);
        (v % d == 0).then(|| v / d)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_grammar_string_parses_to_its_exact_value(
        int in 0u64..100_000,
        frac in "[0-9]{0,3}",
        suffix in 0usize..17,
        neg in any::<bool>(),
    ) {
        let (text_suffix, mult, exp10) = if suffix < 6 {
            (BINARY[suffix].0.to_string(), 1i128 << (10 * BINARY[suffix].1), 0)
        } else if suffix < 16 {
            (DECIMAL[suffix - 6].0.to_string(), 1, DECIMAL[suffix - 6].1)
        } else {
            ("e3".to_string(), 1, 3)
        };
        let number = if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") };
        let text = format!("{}{number}{text_suffix}", if neg { "-" } else { "" });
        match expected(int, &frac, mult, exp10) {
            Some(v) => {
                let q: Quantity = text.parse().unwrap_or_else(|e: platgen::config::QuantityError| panic!("{text}: {}", e.message));
                prop_assert_eq!(q.nanos(), if neg { -v } else { v });
                prop_assert_eq!(q.as_str(), text.as_str());
            }
            // Finer than a billionth: refused, never rounded.
            None => prop_assert!(text.parse::<Quantity>().is_err(), "{}", text),
        }
    }

    #[test]
    fn formatted_values_parse_back_exactly(nanos in -1_000_000_000_000_000_000_000i128..1_000_000_000_000_000_000_000i128) {
        let q = Quantity::from_nanos(nanos);
        let back: Quantity = q.as_str().parse().unwrap();
        prop_assert_eq!(back.nanos(), nanos);
    }

    #[test]
    fn order_follows_value(a in "[0-9]{1,4}(Mi|Gi|m|k|)", b in "[0-9]{1,4}(Mi|Gi|m|k|)") {
        let (qa, qb): (Quantity, Quantity) = (a.parse().unwrap(), b.parse().unwrap());
        prop_assert_eq!(qa.cmp(&qb), qa.nanos().cmp(&qb.nanos()));
    }

    #[test]
    fn text_outside_the_grammar_is_refused(s in "[0-9]{1,3}(Gb|gi|KB|mi|x|iB|Gii|\\.\\.|e)") {
        prop_assert!(s.parse::<Quantity>().is_err(), "{}", s);
    }
}
