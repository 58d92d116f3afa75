//! Paths inside an env directory: which ones gen may write or prune, and
//! reading a file whose length is expected.

use std::fs;
use std::io::{ErrorKind, Read};
use std::path::{Component, Path};

use crate::error::{Diagnostic, Error, Result};

/// A relative path with no `..`, no root, no empty components, and no
/// character that a manifest line or a shell word would mangle.
pub(super) fn safe_relative(p: &str) -> bool {
    !p.contains(['\\', '\t', '\n', '\r', '\0'])
        && p.split('/').all(|part| !matches!(part, "" | "." | ".."))
        && Path::new(p)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Whether anything (a file, a directory, a link) is at `path`, without
/// following a link.
pub(super) fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// What is at `root/rel`, every directory on the way checked without
/// following links: `Ok(None)` when nothing is there, an error when a
/// directory on the way is a link (`what` says what gen was about to do).
pub(super) fn no_links(root: &Path, rel: &str, what: &str) -> Result<Option<fs::Metadata>> {
    let mut cur = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len() - 1] {
        cur.push(part);
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::Usage(
                    Diagnostic::new(format!(
                        "refusing to {what} {}: {} is a symbolic link; gen never writes or removes through links",
                        root.join(rel).display(),
                        cur.display()
                    ))
                    .help("replace the link with a directory, or render into another --out directory"),
                ))
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", cur, e)),
        }
    }
    match fs::symlink_metadata(root.join(rel)) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", root.join(rel), e)),
    }
}

/// A file's bytes, read into a buffer sized for the expected length (one
/// byte more, to see a longer file) without asking for its size or
/// position first (`File::read_to_end` asks for both): an unchanged file is
/// open, two reads and close.
pub(super) fn read_expecting(path: &Path, len: usize) -> std::io::Result<Vec<u8>> {
    let mut file = fs::File::open(path)?;
    let mut bytes = vec![0u8; len + 1];
    let mut filled = 0;
    loop {
        if filled == bytes.len() {
            bytes.resize(bytes.len() * 2, 0);
        }
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_whole_files_whatever_length_was_expected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let text = "x".repeat(1000);
        std::fs::write(&path, &text).unwrap();
        for expected in [0, 1, 999, 1000, 1001, 5000] {
            assert_eq!(read_expecting(&path, expected).unwrap(), text.as_bytes());
        }
        std::fs::write(&path, "").unwrap();
        assert_eq!(read_expecting(&path, 10).unwrap(), b"");
        assert!(read_expecting(&dir.path().join("missing"), 1).is_err());
    }

    #[test]
    fn only_plain_relative_paths_are_safe() {
        for ok in ["apps/root.yaml", "a", "values/x.y.yaml"] {
            assert!(safe_relative(ok), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a\\b",
            "a\tb",
            "a\nb",
            "a/",
        ] {
            assert!(!safe_relative(bad), "{bad:?}");
        }
    }
}
