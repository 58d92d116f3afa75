//! How scalars are written: when a string may stand unquoted, when it may
//! be a literal block, how it is double-quoted otherwise, and numbers,
//! keys and indents as the serialiser writes them.
//!
//! A string is written plain only when every YAML reader gen's output meets
//! — YAML 1.2 core (Go's yaml.v3, saphyr) and YAML 1.1 (Go's yaml.v2 as used
//! by Helm and Argo CD, PyYAML) — reads it back as that same string. The
//! rule is deliberately narrower than YAML allows: quoting is always safe.

/// Words YAML 1.1 or 1.2 resolve to a boolean, null or special float when
/// unquoted (compared ASCII-case-insensitively).
const RESERVED: [&str; 12] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "infinity",
];

/// Letters a number or date can hold in some YAML or Go number syntax
/// (hex digits, base prefixes, exponents).
const NUMERIC_LETTERS: &[u8] = b"abcdefABCDEFxXoOpP";

/// Per byte, flags OR-ed together over a string in one pass: bytes that
/// may not stand plain, letters no number can hold, and the three bytes
/// whose pairs (`: `, ` #`) end a plain scalar.
const NONPRINT: u8 = 1;
const WORDY: u8 = 2;
const COLON: u8 = 4;
const SPACE: u8 = 8;
const HASH: u8 = 16;
const CLASS: [u8; 256] = {
    let mut t = [NONPRINT; 256];
    let mut c = 0x20;
    while c < 0x7f {
        t[c] = 0;
        if (c as u8).is_ascii_alphabetic() {
            t[c] = WORDY;
        }
        c += 1;
    }
    let mut i = 0;
    while i < NUMERIC_LETTERS.len() {
        t[NUMERIC_LETTERS[i] as usize] = 0;
        i += 1;
    }
    t[b':' as usize] = COLON;
    t[b' ' as usize] = SPACE;
    t[b'#' as usize] = HASH;
    t
};

/// True when `s` may be written as a plain (unquoted) scalar in block
/// context and reads back as the string `s` under YAML 1.1 and 1.2.
pub(crate) fn plain_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if first == b'-' {
        // An option like `-c` or `-Xmx256m`: a dash, then a word that may
        // stand plain by itself (so not `-1`, `-.5`, `-inf`, `- a`).
        return b.get(1).is_some_and(u8::is_ascii_alphabetic) && plain_ok(&s[1..]);
    }
    if !(first.is_ascii_alphanumeric() || first == b'/' || first == b'_' || first == b'$') {
        return false;
    }
    // One branch-free pass; the pairs are looked for only when both of
    // their bytes occur.
    let flags = b.iter().fold(0u8, |acc, &c| acc | CLASS[usize::from(c)]);
    if flags & NONPRINT != 0 || matches!(b[b.len() - 1], b' ' | b':') {
        return false;
    }
    if flags & (COLON | SPACE) == COLON | SPACE && b.windows(2).any(|w| w == b": ") {
        return false;
    }
    if flags & (SPACE | HASH) == SPACE | HASH && b.windows(2).any(|w| w == b" #") {
        return false;
    }
    if first.is_ascii_digit() {
        // A number, date or time unless some letter rules all of them out.
        return flags & COLON == 0 && flags & WORDY != 0;
    }
    if b.len() <= 8 && matches!(first | 0x20, b'y' | b'n' | b'o' | b't' | b'f' | b'i') {
        return !RESERVED.iter().any(|w| w.eq_ignore_ascii_case(s));
    }
    true
}

/// True for characters YAML 1.1 or 1.2 treat as line breaks or refuse raw.
fn needs_escape(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// True when the multi-line `s` may be written as a literal block scalar
/// (`|` when it ends with one newline, `|-` when it ends with none).
pub(super) fn literal_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.ends_with("\n\n")
        && !s.starts_with([' ', '\n'])
        && !s.chars().any(|c| c != '\n' && needs_escape(c))
        && s.split('\n')
            .all(|line| line.is_empty() || !line.bytes().all(|c| c == b' '))
}

/// Appends `s` double-quoted, escaping what YAML cannot hold raw.
pub(super) fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings() {
        for s in [
            "nginx",
            "10Gi",
            "500m",
            "1Ti",
            "bolt://neo4j.data-platform.svc.cluster.local:7687",
            "jdbc:postgresql://h:5432/db",
            "curl -fsS \"http://$HOST:$PORT/health\"",
            "/",
            "a#b",
            "argocd.argoproj.io/sync-wave",
            "-c",
            "-Xmx256m",
        ] {
            assert!(plain_ok(s), "{s}");
        }
    }

    #[test]
    fn quoted_strings() {
        for s in [
            "",
            "on",
            "On",
            "YES",
            "n",
            "true",
            "Null",
            "~",
            "1",
            "0755",
            "1.5",
            "1e3",
            "0x1F",
            "0o17",
            "1_000",
            "2001-12-14",
            "10:30",
            "-1",
            "-.5",
            "-inf",
            "- a",
            "-",
            "--",
            "-on",
            "-a: b",
            ".inf",
            "+1",
            "a: b",
            "a #b",
            "a:",
            "a ",
            " a",
            "=",
            "<<",
            "*x",
            "&x",
            "!x",
            "|",
            ">",
            "%x",
            "@x",
            "`x",
            "'x",
            "\"x",
            "{a}",
            "[a]",
            "?x",
            ",x",
            "#x",
            "café",
            "a\tb",
            "a\nb",
            "1d",
            "nan",
            "Infinity",
        ] {
            assert!(!plain_ok(s), "{s:?}");
        }
    }

    #[test]
    fn literal_blocks() {
        assert!(literal_ok("a\n  b\n"));
        assert!(literal_ok("a\nb"));
        assert!(!literal_ok("a\n\n"));
        assert!(!literal_ok(" a\nb"));
        assert!(!literal_ok("\na"));
        assert!(!literal_ok("a\n  \nb"));
        assert!(!literal_ok("a\r\nb"));
        assert!(!literal_ok("a\u{2028}\nb"));
        assert!(!literal_ok("one line"));
    }

    #[test]
    fn quoting_escapes() {
        let mut s = String::new();
        push_quoted(&mut s, "a\"\\\n\t\u{1}\u{85}é");
        assert_eq!(s, r#""a\"\\\n\t\u0001\u0085é""#);
    }
}
