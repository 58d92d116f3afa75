//! Writing rendered trees, and checking a written tree for drift.
//!
//! A write is all or nothing, for one env or many: under an exclusive lock
//! on the output directory, every env is staged, then put in place as one
//! transaction whose journal lets the next render complete a commit a
//! killed process left (see [`txn`]). Only files gen wrote (listed in
//! `<env>/.gen-manifest`) are ever replaced or pruned, never through a
//! symbolic link, never a directory.

mod lock;
mod manifest;
mod paths;
mod placement;
mod txn;

use std::fs;
use std::path::{Path, PathBuf};

pub use manifest::MANIFEST;

use crate::error::{Diagnostic, Error, Result};
use crate::tree::RenderedTree;
use paths::read_expecting;
use txn::Txn;

/// What a write did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or changed.
    pub written: usize,
    /// Files already up to date.
    pub unchanged: usize,
    /// Generated files no longer produced, removed.
    pub removed: usize,
    /// Files in the env's `apps/` that gen did not write but the root
    /// Application applies (paths in the env directory).
    pub foreign: Vec<String>,
    /// When the env directory written is not where its Applications look
    /// (it does not end in `argocd.path/<env>`): that directory, the
    /// tree's [`RenderedTree::repo_dir`].
    pub misplaced: Option<String>,
}

/// How a write waits and what it says while it does.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// Wait for another gen writing or checking the same output directory
    /// (else fail at once).
    pub wait: bool,
    /// Told what the write does besides writing: waiting for the lock,
    /// completing a render that was killed, removing what one left.
    pub notify: Option<fn(&str)>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            wait: true,
            notify: None,
        }
    }
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
    /// A render was killed while writing this env (the path is the env's);
    /// the next `gen render` completes it.
    Interrupted(String),
    /// Advisory: a file in `apps/` gen did not write, which the root
    /// Application applies all the same.
    Foreign(String),
    /// Advisory: the env directory checked (the path is the env's) does not
    /// end in the directory its Applications read (the second field,
    /// `argocd.path/<env>`).
    Misplaced(String, String),
}

impl Drift {
    /// The path (`<env>/<file>`, or `<env>` when interrupted) concerned.
    pub fn path(&self) -> &str {
        match self {
            Drift::Missing(p)
            | Drift::Changed(p, _)
            | Drift::Stale(p)
            | Drift::Interrupted(p)
            | Drift::Foreign(p)
            | Drift::Misplaced(p, _) => p,
        }
    }

    /// Whether this is worth a warning only: the tree is up to date all the
    /// same.
    pub fn is_advisory(&self) -> bool {
        matches!(self, Drift::Foreign(_) | Drift::Misplaced(..))
    }
}

/// What a killed render left in `out` and the next render removes or
/// completes: its transaction directory, and the staging directories of
/// earlier versions of gen.
pub fn leftovers(out: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(out) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name == txn::TXN || name.starts_with(".gen-stage-") || name.starts_with(".gen-backup-")
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Renders with `render` and writes every env of `envs` under `out` as
/// one transaction: rendering and staging on every core, each tree dropped
/// once staged, nothing put in place unless every env staged.
pub(crate) fn write_envs(
    out: &Path,
    envs: &[String],
    options: &WriteOptions,
    render: impl Fn(&str) -> Result<RenderedTree> + Sync,
) -> Result<Vec<(String, WriteReport)>> {
    let existed = paths::exists(out);
    let txn = Txn::begin(out, options)?;
    let staged =
        crate::parallel::in_parallel(envs, |env| txn.stage(&render(env)?, &mut |_| Ok(())));
    match crate::error::all_of(staged) {
        Ok(staged) => txn.commit(staged),
        Err(e) => {
            drop(txn);
            // A failed render leaves no trace: not even the directory it
            // would have made (removed only when empty).
            if !existed {
                let _ = std::fs::remove_dir(out);
            }
            Err(e)
        }
    }
}

fn check_out(out: &Path) -> Result<()> {
    if out.exists() && !out.is_dir() {
        return Err(Error::Usage(
            Diagnostic::new(format!(
                "--out {} is a file, not a directory",
                out.display()
            ))
            .help("give a directory (it is created if missing)"),
        ));
    }
    Ok(())
}

/// Holds a shared lock on `out` while `f` compares trees with it.
pub(crate) fn checking<T>(out: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    check_out(out)?;
    let _lock = lock::OutLock::shared(out)?;
    f()
}

impl RenderedTree {
    /// Writes the tree to `<out>/<env>/`, all or nothing, waiting for
    /// another gen writing the same `out`.
    pub fn write(&self, out: &Path) -> Result<WriteReport> {
        self.write_with_options(out, &WriteOptions::default())
    }

    /// [`write`](Self::write) with [`WriteOptions`].
    pub fn write_with_options(&self, out: &Path, options: &WriteOptions) -> Result<WriteReport> {
        self.write_with(out, options, &mut |_| Ok(()))
    }

    /// A write with a hook called before each staged file is written
    /// (tests inject faults with it).
    pub(crate) fn write_with(
        &self,
        out: &Path,
        options: &WriteOptions,
        before_stage: &mut dyn FnMut(&str) -> std::io::Result<()>,
    ) -> Result<WriteReport> {
        check_out(out)?;
        let txn = Txn::begin(out, options)?;
        let staged = txn.stage(self, before_stage)?;
        Ok(txn.commit(vec![staged])?.remove(0).1)
    }

    /// Compares the tree with `<out>/<env>/`: missing, changed and stale
    /// generated files, and an interrupted write. Files gen did not write
    /// are ignored.
    pub fn check(&self, out: &Path) -> Result<Vec<Drift>> {
        checking(out, || self.check_locked(out))
    }

    /// [`check`](Self::check), the caller holding the shared lock.
    pub(crate) fn check_locked(&self, out: &Path) -> Result<Vec<Drift>> {
        let env_dir = out.join(&self.env);
        let mut drift = Vec::new();
        if txn::interrupted(out)?.contains(&self.env) {
            drift.push(Drift::Interrupted(self.env.clone()));
        }
        let owned = if env_dir.is_dir() {
            manifest::read(&env_dir)?
        } else {
            Default::default()
        };
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
            if paths::exists(&env_dir.join(path)) {
                drift.push(Drift::Stale(format!("{}/{path}", self.env)));
            }
        }
        for path in placement::foreign_apps(self, &env_dir, &Default::default()) {
            if !owned.contains(&path) {
                drift.push(Drift::Foreign(format!("{}/{path}", self.env)));
            }
        }
        if !placement::matches_repo_dir(self, out) {
            drift.push(Drift::Misplaced(self.env.clone(), self.repo_dir.clone()));
        }
        Ok(drift)
    }
}

#[cfg(test)]
mod tests {
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
            repo_dir: "prod".into(),
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
            .write_with(out, &WriteOptions::default(), &mut |p| {
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
            .write_with(&out, &WriteOptions::default(), &mut |_| {
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
                removed: 0,
                ..WriteReport::default()
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
                removed: 0,
                ..WriteReport::default()
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
                .write_with(&out, &WriteOptions::default(), &mut |p| {
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
            .write_with(&out, &WriteOptions::default(), &mut |_| {
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
