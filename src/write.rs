//! Writing rendered trees, and checking a written tree for drift.
//!
//! A write is all or nothing. A new env directory is built complete in a
//! temporary directory beside the output and renamed into place. Into an
//! existing one, files are staged in a temporary directory beside the
//! output, then moved into place one by one with the previous files kept
//! aside, and put back if any move fails. Only files gen wrote (listed in
//! `<env>/.gen-manifest`) are ever replaced or pruned.

use std::collections::BTreeSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::names::is_dns_label;
use crate::tree::RenderedTree;

/// Name of the file, in each env directory, listing the files gen owns there.
pub const MANIFEST: &str = ".gen-manifest";

/// What a write did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or changed.
    pub written: usize,
    /// Files already up to date.
    pub unchanged: usize,
    /// Generated files no longer produced, removed.
    pub removed: usize,
}

/// One difference between a rendered tree and what is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The file should exist and does not.
    Missing(String),
    /// The file differs; a unified diff from disk to the render.
    Changed(String, String),
    /// A generated file that the render no longer produces.
    Stale(String),
}

impl Drift {
    /// The path (`<env>/<file>`) concerned.
    pub fn path(&self) -> &str {
        match self {
            Drift::Missing(p) | Drift::Changed(p, _) | Drift::Stale(p) => p,
        }
    }
}

/// Staging and backup directories in `out` that no write of this process
/// holds: left by a render that was killed or crashed. Nothing reads them;
/// their env was (or will be) rewritten whole by the next render.
pub fn leftovers(out: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(out) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(".gen-stage-") || name.starts_with(".gen-backup-")
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

fn manifest_text(tree: &RenderedTree) -> String {
    let mut s = String::from(
        "# Files written by gen in this directory; gen prunes and checks these only.\n",
    );
    for path in tree.files.keys() {
        s.push_str(path);
        s.push('\n');
    }
    s
}

fn read_manifest(env_dir: &Path) -> BTreeSet<String> {
    fs::read_to_string(env_dir.join(MANIFEST))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter(|l| safe_relative(l))
        .map(str::to_string)
        .collect()
}

/// A file's bytes, read into a buffer sized for the expected length (one
/// byte more, to see a longer file) without asking for its size or
/// position first (`File::read_to_end` asks for both): an unchanged file is
/// open, two reads and close.
fn read_expecting(path: &Path, len: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{ErrorKind, Read};
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

/// A relative path with no `..`, no root and no empty components.
fn safe_relative(p: &str) -> bool {
    let path = Path::new(p);
    !p.is_empty()
        && !p.contains('\\')
        && path.components().all(|c| matches!(c, Component::Normal(_)))
}

fn check_target(out: &Path, env: &str) -> Result<PathBuf> {
    if !is_dns_label(env) {
        return Err(Error::Usage(Diagnostic::new(format!(
            "refusing to write env `{env}`: an env name is a DNS label (no `/`, `..` or absolute paths)"
        ))));
    }
    if out.exists() && !out.is_dir() {
        return Err(Error::Usage(
            Diagnostic::new(format!(
                "--out {} is a file, not a directory",
                out.display()
            ))
            .help("give a directory (it is created if missing)"),
        ));
    }
    let env_dir = out.join(env);
    if let Ok(meta) = fs::symlink_metadata(&env_dir) {
        if meta.file_type().is_symlink() {
            return Err(Error::Usage(Diagnostic::new(format!(
                "{} is a symbolic link; gen does not write through links",
                env_dir.display()
            ))));
        }
    }
    Ok(env_dir)
}

/// Refuses a path whose directories inside `root` include a symbolic link;
/// `seen` holds the directories already found not to be links.
fn no_links_below(root: &Path, rel: &str, seen: &mut BTreeSet<PathBuf>) -> Result<()> {
    let mut cur = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        cur.push(part);
        if seen.contains(&cur) {
            continue;
        }
        seen.insert(cur.clone());
        if let Ok(meta) = fs::symlink_metadata(&cur) {
            if meta.file_type().is_symlink() {
                return Err(Error::Usage(Diagnostic::new(format!(
                    "{} is a symbolic link; gen does not write through links",
                    cur.display()
                ))));
            }
        }
    }
    Ok(())
}

impl RenderedTree {
    /// Writes the tree to `<out>/<env>/`, all or nothing.
    pub fn write(&self, out: &Path) -> Result<WriteReport> {
        self.write_with(out, &mut |_| Ok(()))
    }

    /// [`write`](Self::write) with a hook called before each staged file is
    /// written (tests inject faults with it).
    pub(crate) fn write_with(
        &self,
        out: &Path,
        before_stage: &mut dyn FnMut(&str) -> std::io::Result<()>,
    ) -> Result<WriteReport> {
        let env_dir = check_target(out, &self.env)?;
        if fs::symlink_metadata(&env_dir).is_err_and(|e| e.kind() == ErrorKind::NotFound) {
            return self.write_fresh(out, &env_dir, before_stage);
        }
        let mut seen = BTreeSet::new();
        for path in self.files.keys() {
            if !safe_relative(path) {
                return Err(Error::Usage(Diagnostic::new(format!(
                    "refusing to write `{path}`: not a relative path inside the env directory"
                ))));
            }
            no_links_below(&env_dir, path, &mut seen)?;
        }
        let owned = read_manifest(&env_dir);
        let mut report = WriteReport::default();
        let manifest = manifest_text(self);
        let mut install: Vec<(&str, &str)> = Vec::new();
        for (path, text) in self.files.iter().map(|(p, t)| (p.as_str(), t.as_str())) {
            let target = env_dir.join(path);
            match fs::symlink_metadata(&target) {
                Ok(meta) if !owned.contains(path) => {
                    let _ = meta;
                    return Err(Error::Usage(
                        Diagnostic::new(format!(
                            "refusing to replace {}: gen did not write it (it is not in {MANIFEST})",
                            target.display()
                        ))
                        .help("move the file away, or render into another --out directory"),
                    ));
                }
                Ok(meta)
                    if meta.is_file()
                        && read_expecting(&target, text.len())
                            .is_ok_and(|b| b == text.as_bytes()) =>
                {
                    report.unchanged += 1;
                }
                _ => install.push((path, text)),
            }
        }
        let remove: Vec<&String> = owned
            .iter()
            .filter(|p| !self.files.contains_key(*p))
            .collect();
        let manifest_changed =
            fs::read_to_string(env_dir.join(MANIFEST)).ok().as_deref() != Some(&manifest);
        if install.is_empty() && remove.is_empty() && !manifest_changed {
            return Ok(report);
        }
        if manifest_changed {
            install.push((MANIFEST, &manifest));
        }
        fs::create_dir_all(out).map_err(|e| Error::io("create", out, e))?;
        let stage = tempfile::Builder::new()
            .prefix(&format!(".gen-stage-{}-", self.env))
            .tempdir_in(out)
            .map_err(|e| Error::io("create a staging directory in", out, e))?;
        for (path, text) in &install {
            let staged = stage.path().join(path);
            if let Some(parent) = staged.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
            }
            before_stage(path)
                .and_then(|_| fs::write(&staged, text))
                .map_err(|e| Error::io("write", &staged, e))?;
        }
        let backup = tempfile::Builder::new()
            .prefix(&format!(".gen-backup-{}-", self.env))
            .tempdir_in(out)
            .map_err(|e| Error::io("create a backup directory in", out, e))?;
        let mut journal = Journal::default();
        let result = commit(
            &env_dir,
            stage.path(),
            backup.path(),
            &install,
            &remove,
            &mut journal,
        );
        if let Err(e) = result {
            journal.roll_back(&env_dir, backup.path());
            return Err(e);
        }
        report.written = install.len() - usize::from(manifest_changed);
        report.removed = remove.len();
        for path in &remove {
            prune_empty_dirs(&env_dir, path);
        }
        Ok(report)
    }

    /// Writes an env whose directory does not exist yet: the whole directory
    /// is built in a staging directory beside it, then renamed into place in
    /// one step. On failure the staging directory is removed and `<env>` is
    /// not created.
    fn write_fresh(
        &self,
        out: &Path,
        env_dir: &Path,
        before_stage: &mut dyn FnMut(&str) -> std::io::Result<()>,
    ) -> Result<WriteReport> {
        self.stage_fresh(out, env_dir, before_stage)?.commit()
    }

    /// The first half of a write, for many envs written together: an env
    /// whose directory does not exist yet is built whole in a staging
    /// directory (nothing visible changes until [`Prepared::commit`]); any
    /// other env is kept for a write at commit time.
    pub(crate) fn prepare(self, out: &Path) -> Result<Prepared> {
        let env_dir = check_target(out, &self.env)?;
        if fs::symlink_metadata(&env_dir).is_err_and(|e| e.kind() == ErrorKind::NotFound) {
            let staged = self.stage_fresh(out, &env_dir, &mut |_| Ok(()))?;
            return Ok(Prepared::Staged(self.env, staged));
        }
        Ok(Prepared::Tree(self))
    }

    fn stage_fresh(
        &self,
        out: &Path,
        env_dir: &Path,
        before_stage: &mut dyn FnMut(&str) -> std::io::Result<()>,
    ) -> Result<Staged> {
        let mut dirs = BTreeSet::new();
        for path in self.files.keys() {
            if !safe_relative(path) {
                return Err(Error::Usage(Diagnostic::new(format!(
                    "refusing to write `{path}`: not a relative path inside the env directory"
                ))));
            }
            // Every directory above the file; a parent sorts before its children.
            let mut dir = PathBuf::new();
            let mut parts = Path::new(path).components().peekable();
            while let Some(part) = parts.next() {
                if parts.peek().is_some() {
                    dir.push(part);
                    dirs.insert(dir.clone());
                }
            }
        }
        let manifest = manifest_text(self);
        fs::create_dir_all(out).map_err(|e| Error::io("create", out, e))?;
        let stage = tempfile::Builder::new()
            .prefix(&format!(".gen-stage-{}-", self.env))
            .tempdir_in(out)
            .map_err(|e| Error::io("create a staging directory in", out, e))?;
        // Built inside the staging directory, whose drop removes whatever a
        // failure left; created like any directory gen writes (default mode).
        let staged_env = stage.path().join(&self.env);
        fs::create_dir(&staged_env).map_err(|e| Error::io("create", &staged_env, e))?;
        for dir in &dirs {
            let staged = staged_env.join(dir);
            fs::create_dir(&staged).map_err(|e| Error::io("create", &staged, e))?;
        }
        let files = self.files.iter().map(|(p, t)| (p.as_str(), t.as_str()));
        for (path, text) in files.chain([(MANIFEST, manifest.as_str())]) {
            let staged = staged_env.join(path);
            before_stage(path)
                .and_then(|_| fs::write(&staged, text))
                .map_err(|e| Error::io("write", &staged, e))?;
        }
        Ok(Staged {
            _stage: stage,
            staged_env,
            env_dir: env_dir.to_path_buf(),
            files: self.files.len(),
        })
    }

    /// Compares the tree with `<out>/<env>/`: missing, changed and stale
    /// generated files. Files gen did not write are ignored.
    pub fn check(&self, out: &Path) -> Result<Vec<Drift>> {
        let env_dir = out.join(&self.env);
        let owned = read_manifest(&env_dir);
        let mut drift = Vec::new();
        for (path, text) in &self.files {
            let shown = format!("{}/{path}", self.env);
            match read_expecting(&env_dir.join(path), text.len()) {
                Err(_) => drift.push(Drift::Missing(shown)),
                Ok(bytes) if bytes != text.as_bytes() => {
                    let old = String::from_utf8_lossy(&bytes);
                    let diff = similar::TextDiff::from_lines(old.as_ref(), text.as_str())
                        .unified_diff()
                        .context_radius(3)
                        .header(&format!("a/{shown}"), &format!("b/{shown}"))
                        .to_string();
                    drift.push(Drift::Changed(shown, diff));
                }
                Ok(_) => {}
            }
        }
        for path in owned.iter().filter(|p| !self.files.contains_key(*p)) {
            if env_dir.join(path).exists() {
                drift.push(Drift::Stale(format!("{}/{path}", self.env)));
            }
        }
        Ok(drift)
    }
}

/// An env directory built whole in a staging directory beside its place.
#[derive(Debug)]
pub(crate) struct Staged {
    /// Removes the staging directory (and whatever is left in it) on drop.
    _stage: tempfile::TempDir,
    staged_env: PathBuf,
    env_dir: PathBuf,
    files: usize,
}

impl Staged {
    /// Moves the staged env directory into place in one rename.
    pub(crate) fn commit(&self) -> Result<WriteReport> {
        let env_dir = &self.env_dir;
        // rename(2) would silently replace an empty directory that appeared
        // meanwhile; a non-empty one or a file makes it fail.
        match fs::symlink_metadata(env_dir) {
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("write", env_dir, e)),
            Ok(_) => {
                return Err(Error::io(
                    "write",
                    env_dir,
                    std::io::Error::new(
                        ErrorKind::AlreadyExists,
                        "it appeared while gen was writing it; nothing was changed",
                    ),
                ))
            }
        }
        fs::rename(&self.staged_env, env_dir).map_err(|e| Error::io("write", env_dir, e))?;
        Ok(WriteReport {
            written: self.files,
            unchanged: 0,
            removed: 0,
        })
    }
}

/// An env ready to be written: staged whole, or kept to be written in place.
#[derive(Debug)]
pub(crate) enum Prepared {
    /// A new env directory, staged.
    Staged(String, Staged),
    /// An existing env directory: written file by file at commit.
    Tree(RenderedTree),
}

impl Prepared {
    /// The env's name.
    pub(crate) fn env(&self) -> &str {
        match self {
            Prepared::Staged(env, _) => env,
            Prepared::Tree(tree) => &tree.env,
        }
    }

    /// Puts the env in place: the staged directory's rename, or the write of
    /// the kept tree (all or nothing, as [`RenderedTree::write`]).
    pub(crate) fn commit(&self, out: &Path) -> Result<WriteReport> {
        match self {
            Prepared::Staged(_, staged) => staged.commit(),
            Prepared::Tree(tree) => tree.write(out),
        }
    }
}

#[derive(Default)]
struct Journal {
    /// Files moved aside into the backup directory.
    backed_up: Vec<String>,
    /// Files moved into place.
    installed: Vec<String>,
}

impl Journal {
    fn roll_back(&self, env_dir: &Path, backup: &Path) {
        for path in self.installed.iter().rev() {
            let _ = fs::remove_file(env_dir.join(path));
        }
        for path in self.backed_up.iter().rev() {
            let _ = fs::rename(backup.join(path), env_dir.join(path));
        }
    }
}

fn commit(
    env_dir: &Path,
    stage: &Path,
    backup: &Path,
    install: &[(&str, &str)],
    remove: &[&String],
    journal: &mut Journal,
) -> Result<()> {
    let aside = |path: &str, journal: &mut Journal| -> Result<()> {
        let target = env_dir.join(path);
        if fs::symlink_metadata(&target).is_ok() {
            let kept = backup.join(path);
            if let Some(parent) = kept.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
            }
            fs::rename(&target, &kept).map_err(|e| Error::io("move aside", &target, e))?;
            journal.backed_up.push(path.to_string());
        }
        Ok(())
    };
    for (path, _) in install {
        aside(path, journal)?;
        let target = env_dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        fs::rename(stage.join(path), &target).map_err(|e| Error::io("write", &target, e))?;
        journal.installed.push(path.to_string());
    }
    for path in remove {
        aside(path, journal)?;
    }
    Ok(())
}

fn prune_empty_dirs(env_dir: &Path, removed: &str) {
    let mut dir = env_dir.join(removed);
    while dir.pop() && dir.starts_with(env_dir) && dir != env_dir {
        if fs::remove_dir(&dir).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::read_expecting;

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

    use super::*;

    /// A rendered env of 24 files in two directories.
    fn sample_tree() -> RenderedTree {
        let files = (0..24)
            .map(|i| {
                let dir = if i % 2 == 0 { "apps" } else { "values" };
                (
                    format!("{dir}/f{i:02}.yaml"),
                    format!("# generated\nn: {i}\n"),
                )
            })
            .collect();
        RenderedTree {
            env: "prod".into(),
            files,
        }
    }

    /// Every file below `dir` with its bytes, sorted by path.
    fn snapshot_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(dir).unwrap().display().to_string();
                    files.push((rel, fs::read(&p).unwrap()));
                }
            }
        }
        files.sort();
        files
    }

    /// Paths the writer passed to its staging hook, and the report.
    fn write_recording(tree: &RenderedTree, out: &Path) -> (Vec<String>, WriteReport) {
        let mut staged = Vec::new();
        let report = tree
            .write_with(out, &mut |p| {
                staged.push(p.to_string());
                Ok(())
            })
            .unwrap();
        (staged, report)
    }

    /// Names of the entries of `dir`, sorted.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Every directory below `dir` with its permission bits, sorted.
    fn dir_modes(dir: &Path) -> Vec<(String, u32)> {
        use std::os::unix::fs::PermissionsExt;
        let mut modes: Vec<(String, u32)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_dir())
            .map(|e| {
                (
                    e.path().strip_prefix(dir).unwrap().display().to_string(),
                    e.metadata().unwrap().permissions().mode() & 0o7777,
                )
            })
            .collect();
        modes.sort();
        modes
    }

    #[test]
    fn a_fault_while_staging_a_new_env_leaves_no_trace() {
        let w = tempfile::tempdir().unwrap();
        let out = w.path().join("out");
        let tree = sample_tree();
        assert!(tree.files.len() > 10);
        let mut n = 0;
        let err = tree
            .write_with(&out, &mut |_| {
                n += 1;
                if n == 10 {
                    Err(std::io::Error::other("injected fault"))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert!(err.to_string().contains("injected fault"), "{err}");
        assert_eq!(n, 10, "staging stops at the fault");
        assert!(std::fs::symlink_metadata(out.join("prod")).is_err());
        assert_eq!(
            entries(&out),
            Vec::<String>::new(),
            "no env directory and no staging directory left"
        );
    }

    #[test]
    fn a_new_env_is_written_whole() {
        let w = tempfile::tempdir().unwrap();
        let out = w.path().join("out");
        let tree = sample_tree();
        let (staged, report) = write_recording(&tree, &out);
        assert_eq!(
            report,
            WriteReport {
                written: tree.files.len(),
                unchanged: 0,
                removed: 0
            }
        );
        let mut expected_staged: Vec<String> = tree.files.keys().cloned().collect();
        expected_staged.push(MANIFEST.to_string());
        assert_eq!(
            staged, expected_staged,
            "the hook sees each file once, in order"
        );
        let mut manifest = String::from(
            "# Files written by gen in this directory; gen prunes and checks these only.\n",
        );
        let mut expected: Vec<(String, Vec<u8>)> = Vec::new();
        for (path, text) in &tree.files {
            manifest.push_str(path);
            manifest.push('\n');
            expected.push((format!("prod/{path}"), text.as_bytes().to_vec()));
        }
        expected.push((format!("prod/{MANIFEST}"), manifest.into_bytes()));
        expected.sort();
        assert_eq!(snapshot_dir(&out), expected);
        assert_eq!(entries(&out), ["prod"], "no staging directory left");
        // Written again: all unchanged.
        assert_eq!(
            tree.write(&out).unwrap(),
            WriteReport {
                written: 0,
                unchanged: tree.files.len(),
                removed: 0
            }
        );
        assert_eq!(snapshot_dir(&out), expected);
    }

    #[test]
    fn an_existing_empty_env_directory_is_written_into_like_a_new_one() {
        let w = tempfile::tempdir().unwrap();
        let tree = sample_tree();
        let fresh = w.path().join("fresh");
        let (fresh_staged, fresh_report) = write_recording(&tree, &fresh);
        let existing = w.path().join("existing");
        std::fs::create_dir_all(existing.join("prod")).unwrap();
        let (staged, report) = write_recording(&tree, &existing);
        assert_eq!(report, fresh_report);
        assert_eq!(staged, fresh_staged);
        assert_eq!(snapshot_dir(&existing), snapshot_dir(&fresh));
        assert_eq!(dir_modes(&existing), dir_modes(&fresh), "same permissions");
        assert_eq!(entries(&existing), ["prod"]);
    }

    #[test]
    fn an_env_directory_that_appears_while_a_new_env_is_staged_is_left_alone() {
        let tree = sample_tree();
        for foreign in [None, Some("mine.txt")] {
            let w = tempfile::tempdir().unwrap();
            let out = w.path().join("out");
            let env_dir = out.join("prod");
            let err = tree
                .write_with(&out, &mut |p| {
                    if p == MANIFEST {
                        std::fs::create_dir(&env_dir)?;
                        if let Some(name) = foreign {
                            std::fs::write(env_dir.join(name), "mine")?;
                        }
                    }
                    Ok(())
                })
                .unwrap_err();
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().contains("cannot write"), "{err}");
            let left: Vec<(String, Vec<u8>)> = foreign
                .map(|n| (format!("prod/{n}"), b"mine".to_vec()))
                .into_iter()
                .collect();
            assert_eq!(snapshot_dir(&out), left, "{foreign:?}");
            assert_eq!(entries(&out), ["prod"], "no staging directory left");
            assert_eq!(entries(&env_dir).len(), left.len());
        }
    }

    #[test]
    fn an_error_half_way_through_writing_an_existing_env_keeps_it() {
        let w = tempfile::tempdir().unwrap();
        let out = w.path().join("out");
        let mut tree = sample_tree();
        tree.write(&out).unwrap();
        let before = snapshot_dir(&out);
        for text in tree.files.values_mut().step_by(3) {
            text.push_str("changed: true\n");
        }
        tree.files.remove("apps/f00.yaml");
        let mut n = 0;
        let err = tree
            .write_with(&out, &mut |_| {
                n += 1;
                if n == 2 {
                    Err(std::io::Error::other("injected fault"))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert!(err.to_string().contains("injected fault"), "{err}");
        assert_eq!(before, snapshot_dir(&out), "previous tree byte-for-byte");
    }
}
