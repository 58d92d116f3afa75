//! `<env>/.gen-manifest`: the files gen wrote in an env directory, the only
//! ones it ever replaces or prunes there.

use std::collections::BTreeSet;
use std::fs;
use std::io::{ErrorKind, Read};
use std::path::Path;

use super::paths::safe_relative;
use crate::error::{Diagnostic, Error, Result};
use crate::tree::RenderedTree;

/// Name of the file, in each env directory, listing the files gen owns there.
pub const MANIFEST: &str = ".gen-manifest";

/// Largest manifest gen reads (a 1000-file env's is about 40 KiB).
const MAX_BYTES: u64 = 4 << 20;

/// The manifest of a rendered tree.
pub(super) fn text(tree: &RenderedTree) -> String {
    let mut s = String::from(
        "# Files written by gen in this directory; gen prunes and checks these only.\n",
    );
    for path in tree.files.keys() {
        s.push_str(path);
        s.push('\n');
    }
    s
}

/// The files the manifest of `env_dir` lists (none when there is no
/// manifest). A manifest that is not a regular file, too large, not UTF-8,
/// or with a line that is not a plain relative file path is an error: gen
/// neither prunes nothing nor everything on a manifest it cannot read.
pub(super) fn read(env_dir: &Path) -> Result<BTreeSet<String>> {
    let path = env_dir.join(MANIFEST);
    let fix = format!(
        "gen writes one plain relative file path per line (`apps/root.yaml`); fix or remove the line, or delete {} and the files it named, then render again",
        path.display()
    );
    match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(Error::io("read", path, e)),
        Ok(m) if !m.is_file() => {
            return Err(Error::Usage(
                Diagnostic::new(format!(
                    "{} is not a regular file (a link, a directory or a device)",
                    path.display()
                ))
                .help(fix),
            ))
        }
        Ok(_) => {}
    }
    let mut bytes = Vec::new();
    fs::File::open(&path)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io("read", &path, e))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Error::Usage(
            Diagnostic::new(format!(
                "{} is larger than {} MiB; gen does not write manifests that large",
                path.display(),
                MAX_BYTES >> 20
            ))
            .help(fix),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::Usage(Diagnostic::new(format!("{} is not UTF-8", path.display())).help(fix.clone()))
    })?;
    let mut owned = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !safe_relative(line) || line == MANIFEST {
            return Err(Error::Usage(
                Diagnostic::new(format!(
                    "{}:{}: `{}` is not a plain relative file path inside the env directory",
                    path.display(),
                    n + 1,
                    line.escape_debug()
                ))
                .help(fix),
            ));
        }
        owned.insert(line.to_string());
    }
    Ok(owned)
}
