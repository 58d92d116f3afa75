//! Rendered trees read back from disk (`gen diff OLD_DIR NEW_DIR`): each
//! directory below `DIR` is an env, each regular file in it (below any
//! depth, `.gen-manifest` and dot-directories left out) one of its files.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Diagnostic, Error, Result};
use crate::tree::RenderedTree;

/// The largest file read, as for config.
const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// The env trees under `dir`, in env order.
pub fn read_trees(dir: &Path) -> Result<Vec<RenderedTree>> {
    if !dir.is_dir() {
        return Err(Error::Usage(
            Diagnostic::new(format!("{} is not a directory", dir.display()))
                .help("give two directories `gen render --out` wrote (or hydrated trees)"),
        ));
    }
    let mut trees = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io("read", dir, e))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let env = entry.file_name().to_string_lossy().into_owned();
        let root = entry.path();
        let mut files = BTreeMap::new();
        let walk = walkdir::WalkDir::new(&root)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for e in walk {
            let e = e.map_err(|e| {
                let path = e.path().unwrap_or(&root).to_path_buf();
                Error::io("read", path, e.into())
            })?;
            if !e.file_type().is_file() {
                continue;
            }
            let rel = e
                .path()
                .strip_prefix(&root)
                .expect("below the env")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            if size > MAX_BYTES {
                return Err(Error::Usage(Diagnostic::new(format!(
                    "{} is {size} bytes; the limit is {MAX_BYTES}",
                    e.path().display()
                ))));
            }
            let text = std::fs::read_to_string(e.path())
                .map_err(|err| Error::io("read", e.path(), err))?;
            files.insert(rel, text);
        }
        trees.push(RenderedTree {
            repo_dir: env.clone(),
            env,
            files,
        });
    }
    Ok(trees)
}
