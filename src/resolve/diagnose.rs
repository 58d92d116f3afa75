//! A config value that does not fit its type, worded for the person who
//! wrote it: the place, the field path, and how to fix it.

use crate::config::{LITERAL_SECRET, SECRET_HELP};
use crate::error::Diagnostic;
use crate::merge::{ReadError, What};
use crate::names::{did_you_mean, looks_secret, may_hold_credential};

/// The report of a value read from config that does not fit its type.
pub(crate) fn diagnose(e: ReadError) -> Diagnostic {
    let path = e.path.join(".");
    match e.what {
        What::UnknownKey { key, expected } => {
            let mut d = Diagnostic::new(format!("unknown key `{key}`"))
                .at(e.loc)
                .path(path);
            let secret = looks_secret(&key);
            d = match did_you_mean(&key, expected.iter().map(String::as_str)) {
                Some(m) if secret => d.help(format!("did you mean `{m}`? ({SECRET_HELP})")),
                Some(m) => d.help(format!("did you mean `{m}`?")),
                None if secret => d.help(SECRET_HELP),
                None if !expected.is_empty() => {
                    d.help(format!("valid keys here: {}", expected.join(", ")))
                }
                None => d,
            };
            if secret {
                // The line may hold the very credential: never show it.
                d = d.hide_source();
            }
            d
        }
        What::MissingKey(key) => Diagnostic::new(format!("missing key `{key}`"))
            .at(e.loc)
            .path(path)
            .help(format!("add `{key}:` here")),
        What::Other(message) if message.contains(LITERAL_SECRET) => Diagnostic::new(LITERAL_SECRET)
            .at(e.loc)
            .path(path)
            .help(SECRET_HELP)
            .hide_source(),
        What::Other(message) => {
            let secret = e.path.last().is_some_and(|k| may_hold_credential(k));
            let written = e.loc.as_ref().and_then(written_at);
            match in_yaml_terms(&message, secret, written.as_deref()) {
                Some((message, help)) => {
                    let d = Diagnostic::new(message).at(e.loc).path(path);
                    match help {
                        Some(h) => d.help(h),
                        None => d,
                    }
                }
                None => Diagnostic::new(message).at(e.loc).path(path),
            }
        }
    }
}

/// The value as written at `loc`: the plain token there (up to the end of
/// the line, a comment or a flow separator).
fn written_at(loc: &crate::error::Loc) -> Option<String> {
    let line = loc.line_text()?;
    let rest: String = line.chars().skip(loc.col.checked_sub(1)?).collect();
    let token = rest
        .split(" #")
        .next()
        .unwrap_or_default()
        .split([',', '}', ']'])
        .next()
        .unwrap_or_default()
        .trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// A serde type error (`invalid type: string "3", expected u32`) in the
/// words of the person who wrote the YAML, with how to fix it; `None` for
/// any other message. With `secret`, the value found is not repeated.
fn in_yaml_terms(
    message: &str,
    secret: bool,
    written: Option<&str>,
) -> Option<(String, Option<String>)> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let want = match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "a whole number" => {
            "a whole number"
        }
        "f32" | "f64" => "a number",
        "a boolean" | "bool" => "`true` or `false`",
        "a string" | "string" => "text",
        e if e.starts_with("a sequence") || e == "a list" => "a list",
        e if e.starts_with("struct ") || e.starts_with("a map") => "a map of settings",
        e => e,
    };
    let (kind, value) = match found.split_once(' ') {
        Some(("string", v)) => ("text", Some(v)),
        Some(("integer", v)) | Some(("floating", v)) => {
            ("a number", Some(v.strip_prefix("point ").unwrap_or(v)))
        }
        Some(("boolean", v)) => ("a boolean", Some(v)),
        _ => match found {
            "map" => ("a map", None),
            "sequence" => ("a list", None),
            "null" | "unit value" => ("nothing", None),
            other => (other, None),
        },
    };
    let shown = match (value, secret) {
        (Some(v), false) => format!("{kind} {v}"),
        _ => kind.to_string(),
    };
    let message = format!("expected {want}, found {shown}");
    let unquoted = value.map(|v| v.trim_matches('"'));
    let help = match (want, kind) {
        ("a whole number" | "a number", "text")
            if unquoted.is_some_and(|v| v.parse::<f64>().is_ok()) && !secret =>
        {
            Some(format!("write {} without quotes", unquoted.unwrap_or_default()))
        }
        ("`true` or `false`", "text") => Some(
            "write `true` or `false`: gen reads YAML 1.2, where `yes`, `no`, `on` and `off` are text"
                .to_string(),
        ),
        ("text", "a number" | "a boolean") => Some(match written {
            Some(w) if !secret => format!("quote it: \"{w}\" (unquoted, YAML reads it as {kind})"),
            _ => "quote the value".to_string(),
        }),
        ("a whole number", "a number") if unquoted.is_some_and(|v| v.trim_matches('`').starts_with('-')) => {
            Some("write a whole number of 0 or more".into())
        }
        ("a whole number", "a number") => Some("write a whole number, without a fraction".into()),
        ("a list", _) => Some("write a list: `[a, b]`, or one `- item` per line".into()),
        ("a map of settings", _) => Some("write the settings as `key: value` lines below this key".into()),
        _ => None,
    };
    Some((message, help))
}
