//! `charts.lock`: the chart packages `gen vendor` keeps in `charts/`, each
//! with the repository it came from and the digest of its bytes.

use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Error, Result};

/// The lock file's name in the config directory.
pub const LOCK_FILE: &str = "charts.lock";

const HEADER: &str = "# Written by `gen vendor`: the chart packages in charts/ and their digests.\n# `gen vendor --check` verifies them; change a pin in the config and run\n# `gen vendor` to refresh that chart. Do not edit.\n";

/// Every vendored package, sorted by chart, version and repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The packages.
    pub charts: Vec<Locked>,
}

/// One vendored package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locked {
    /// Chart name.
    pub name: String,
    /// Repository it was pulled from (an HTTP(S) index or `oci://` path).
    pub repository: String,
    /// Chart version.
    pub version: String,
    /// The package's file in `charts/`.
    pub file: String,
    /// `sha256:<hex>` of the package's bytes.
    pub digest: String,
}

impl Lock {
    /// Reads `path`; a missing file is an empty lock.
    pub fn read(path: &std::path::Path) -> Result<Lock> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lock::default()),
            Err(e) => return Err(Error::io("read", path, e)),
        };
        Lock::parse(&path.display().to_string(), text)
    }

    /// Reads a lock's `text`, named `name` in errors.
    pub fn parse(name: &str, text: String) -> Result<Lock> {
        let path = std::path::Path::new(name);
        let source = std::sync::Arc::new(crate::error::Source {
            name: name.to_string(),
            text,
        });
        let node = crate::yaml::parse_one(source, crate::yaml::Limits::default())
            .map_err(Error::config)?;
        let help =
            "it is gen vendor's own file: restore it from Git, or delete it and run `gen vendor`";
        let lock: Lock = serde_json::from_value(node.to_json()).map_err(|e| {
            Error::config(
                Diagnostic::new(format!("{} is not a chart lock: {e}", path.display()))
                    .at(Some(node.loc.clone()))
                    .help(help),
            )
        })?;
        for l in &lock.charts {
            let plain = |s: &str| !s.is_empty() && !s.contains(['/', '\\']) && s != "..";
            if !plain(&l.file) || !l.file.ends_with(".tgz") {
                return Err(Error::config(
                    Diagnostic::new(format!(
                        "{}: `{}` is not a package file name in charts/",
                        path.display(),
                        l.file
                    ))
                    .help(help),
                ));
            }
        }
        Ok(lock)
    }

    /// The file's text: a header, then the entries in order.
    pub fn to_text(&self) -> String {
        let mut lock = self.clone();
        lock.charts.sort_by(|a, b| {
            (&a.name, &a.version, &a.repository).cmp(&(&b.name, &b.version, &b.repository))
        });
        let body = crate::yaml::to_yaml(&lock).expect("a lock serialises");
        format!("{HEADER}{body}")
    }

    /// The entry for a chart pin.
    pub fn find(&self, name: &str, repository: &str, version: &str) -> Option<&Locked> {
        self.charts
            .iter()
            .find(|l| l.name == name && l.repository == repository && l.version == version)
    }
}
