//! A config value that does not fit its type, worded for the person who
//! wrote it: the place, the field path, and how to fix it.

use crate::config::{LITERAL_SECRET, SECRET_HELP};
use crate::error::Diagnostic;
use crate::merge::{ReadError, What};
use crate::names::{did_you_mean, looks_secret};

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
        What::Other(message) => Diagnostic::new(message).at(e.loc).path(path),
    }
}
