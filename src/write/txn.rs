//! A write of one or many envs as one transaction in `<out>/.gen-txn/`.
//!
//! Every env is staged first (new files under `stage/<env>/`; nothing
//! visible changes, and a failure removes the staging). Then a journal
//! naming every move is put in place in one rename, the moves are made
//! (each file replaced is kept under `backup/<env>/`), and the journal is
//! removed: that removal is the end of the commit. An error during the
//! moves undoes them in reverse, every undo a rename back, so the previous
//! trees return. A process killed at any point leaves either no journal
//! (the old trees, and staging the next render removes) or the journal,
//! from which the next render, holding the lock, completes the commit
//! (each move is made only if it was not yet made); `gen check` reports
//! the envs it names as interrupted.

use std::collections::BTreeSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::lock::OutLock;
use super::manifest::{self, MANIFEST};
use super::paths::{exists, no_links, read_expecting, safe_relative};
use super::{WriteOptions, WriteReport};
use crate::error::{Diagnostic, Error, Result};
use crate::names::is_dns_label;
use crate::tree::RenderedTree;

/// The transaction directory in the output directory.
pub(super) const TXN: &str = ".gen-txn";
const JOURNAL: &str = "journal";

/// The moves of one env.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct EnvOps {
    pub env: String,
    /// A new env directory, staged whole: one rename.
    pub new: bool,
    /// Files put in place (the manifest among them when it changed).
    pub puts: Vec<String>,
    /// Files gen wrote before and no longer renders.
    pub dels: Vec<String>,
}

impl EnvOps {
    fn is_empty(&self) -> bool {
        !self.new && self.puts.is_empty() && self.dels.is_empty()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    envs: Vec<EnvOps>,
}

/// An env staged in the transaction.
#[derive(Debug)]
pub(super) struct StagedEnv {
    ops: EnvOps,
    report: WriteReport,
}

/// One move made, to undo.
enum Step<'a> {
    NewEnv(&'a str),
    Aside(&'a str, &'a str),
    Put(&'a str, &'a str),
}

/// The envs an interrupted commit names, when `out` holds its journal.
pub(super) fn interrupted(out: &Path) -> Result<BTreeSet<String>> {
    let path = out.join(TXN).join(JOURNAL);
    match fs::read(&path) {
        Ok(bytes) => Ok(parse_journal(&path, &bytes)?
            .envs
            .into_iter()
            .map(|e| e.env)
            .collect()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

fn parse_journal(path: &Path, bytes: &[u8]) -> Result<Journal> {
    let journal: Journal = serde_json::from_slice(bytes).map_err(|e| {
        Error::Usage(
            Diagnostic::new(format!("{} is not a journal gen wrote: {e}", path.display()))
                .help("gen cannot complete that render: restore the output directory from git, then remove the .gen-txn directory"),
        )
    })?;
    let bad = journal
        .envs
        .iter()
        .any(|e| !is_dns_label(&e.env) || e.puts.iter().chain(&e.dels).any(|p| !safe_relative(p)));
    if bad {
        return Err(Error::Usage(
            Diagnostic::new(format!("{} names a path outside its env", path.display()))
                .help("restore the output directory from git, then remove the .gen-txn directory"),
        ));
    }
    Ok(journal)
}

/// A write in progress: the lock, and the transaction directory.
#[derive(Debug)]
pub(super) struct Txn {
    out: PathBuf,
    dir: PathBuf,
    _lock: OutLock,
}

impl Txn {
    /// Locks `out`, completes a commit a killed render left, removes
    /// leftover staging, and opens a new transaction.
    pub(super) fn begin(out: &Path, options: &WriteOptions) -> Result<Txn> {
        let lock = OutLock::exclusive(out, options)?;
        let dir = out.join(TXN);
        let journal = dir.join(JOURNAL);
        match fs::read(&journal) {
            Ok(bytes) => {
                let j = parse_journal(&journal, &bytes)?;
                apply(out, &dir, &j.envs, &mut Vec::new())?;
                prune(out, &j.envs);
                fs::remove_file(&journal).map_err(|e| Error::io("remove", &journal, e))?;
                if let Some(notify) = options.notify {
                    let envs: Vec<&str> = j.envs.iter().map(|e| e.env.as_str()).collect();
                    notify(&format!(
                        "completed the render that was interrupted while writing {} in {}",
                        envs.join(", "),
                        out.display()
                    ));
                }
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("read", journal, e)),
        }
        for left in super::leftovers(out) {
            fs::remove_dir_all(&left).map_err(|e| Error::io("remove", &left, e))?;
            if let Some(notify) = options.notify {
                notify(&format!(
                    "removed {}, left by a render that did not finish",
                    left.display()
                ));
            }
        }
        fs::create_dir(&dir).map_err(|e| Error::io("create", &dir, e))?;
        Ok(Txn {
            out: out.to_path_buf(),
            dir,
            _lock: lock,
        })
    }

    /// Stages one env: checks what it would replace and prune, and writes
    /// its new and changed files under `stage/<env>/`. Envs stage in
    /// parallel; `before_stage` sees each file before it is written.
    pub(super) fn stage(
        &self,
        tree: &RenderedTree,
        before_stage: &mut dyn FnMut(&str) -> std::io::Result<()>,
    ) -> Result<StagedEnv> {
        let env = tree.env.as_str();
        if !is_dns_label(env) {
            return Err(Error::Usage(Diagnostic::new(format!(
                "refusing to write env `{env}`: an env name is a DNS label (no `/`, `..` or absolute paths)"
            ))));
        }
        for path in tree.files.keys() {
            if !safe_relative(path) || path == MANIFEST {
                return Err(Error::Usage(Diagnostic::new(format!(
                    "refusing to write `{path}`: not a relative path inside the env directory"
                ))));
            }
        }
        let env_dir = self.out.join(env);
        let stage = self.dir.join("stage").join(env);
        let manifest = manifest::text(tree);
        let mut ops = EnvOps {
            env: env.to_string(),
            ..EnvOps::default()
        };
        let mut report = WriteReport {
            misplaced: (!super::placement::matches_repo_dir(tree, &self.out))
                .then(|| tree.repo_dir.clone()),
            ..WriteReport::default()
        };
        let mut put: Vec<(&str, &str)> = Vec::new();
        match fs::symlink_metadata(&env_dir) {
            Err(e) if e.kind() == ErrorKind::NotFound => {
                ops.new = true;
                report.written = tree.files.len();
                put.extend(tree.files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
                put.push((MANIFEST, &manifest));
            }
            Err(e) => return Err(Error::io("read", env_dir, e)),
            Ok(m) if !m.is_dir() => {
                return Err(Error::Usage(
                    Diagnostic::new(format!(
                        "{} is {}, not a directory; gen does not write through links",
                        env_dir.display(),
                        if m.file_type().is_symlink() {
                            "a symbolic link"
                        } else {
                            "a file"
                        }
                    ))
                    .help("move it away, or render into another --out directory"),
                ))
            }
            Ok(_) => {
                let owned = manifest::read(&env_dir)?;
                for (path, text) in &tree.files {
                    let target = env_dir.join(path);
                    match no_links(&env_dir, path, "write")? {
                        None => put.push((path, text)),
                        Some(_) if !owned.contains(path) => {
                            return Err(Error::Usage(
                                Diagnostic::new(format!(
                                    "refusing to replace {}: gen did not write it (it is not in {MANIFEST})",
                                    target.display()
                                ))
                                .help("move the file away, or render into another --out directory"),
                            ))
                        }
                        Some(m) if !m.is_file() => {
                            return Err(Error::Usage(
                                Diagnostic::new(format!(
                                    "refusing to replace {}: it is a directory or a link, and gen replaces only files it wrote",
                                    target.display()
                                ))
                                .help("move it away, then render again"),
                            ))
                        }
                        Some(_)
                            if read_expecting(&target, text.len())
                                .is_ok_and(|b| b == text.as_bytes()) =>
                        {
                            report.unchanged += 1
                        }
                        Some(_) => put.push((path, text)),
                    }
                }
                report.written = put.len();
                for path in owned.iter().filter(|p| !tree.files.contains_key(*p)) {
                    match no_links(&env_dir, path, "prune")? {
                        None => {}
                        Some(m) if m.is_file() => ops.dels.push(path.clone()),
                        Some(_) => {
                            return Err(Error::Usage(
                                Diagnostic::new(format!(
                                    "{} lists `{path}`, which is a directory or a link, not a file gen wrote",
                                    env_dir.join(MANIFEST).display()
                                ))
                                .help("gen prunes only files it wrote: remove that line from the manifest"),
                            ))
                        }
                    }
                }
                report.removed = ops.dels.len();
                report.foreign = super::placement::foreign_apps(tree, &env_dir, &owned);
                let current = read_expecting(&env_dir.join(MANIFEST), manifest.len());
                if !current.is_ok_and(|b| b == manifest.as_bytes()) {
                    put.push((MANIFEST, &manifest));
                }
            }
        }
        let mut dirs = BTreeSet::new();
        for (path, text) in &put {
            let staged = stage.join(path);
            let parent = staged.parent().expect("below the stage");
            if dirs.insert(parent.to_path_buf()) {
                fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
            }
            before_stage(path)
                .and_then(|_| fs::write(&staged, text))
                .map_err(|e| Error::io("write", &staged, e))?;
            if !ops.new {
                ops.puts.push(path.to_string());
            }
        }
        Ok(StagedEnv { ops, report })
    }

    /// Puts every staged env in place, all or nothing; a report per env.
    pub(super) fn commit(self, staged: Vec<StagedEnv>) -> Result<Vec<(String, WriteReport)>> {
        let envs: Vec<EnvOps> = staged
            .iter()
            .filter(|s| !s.ops.is_empty())
            .map(|s| s.ops.clone())
            .collect();
        if !envs.is_empty() {
            let journal = self.dir.join(JOURNAL);
            let tmp = self.dir.join("journal.tmp");
            let text =
                serde_json::to_vec(&serde_json::json!({ "envs": &envs })).expect("serialises");
            fs::write(&tmp, text).map_err(|e| Error::io("write", &tmp, e))?;
            fs::rename(&tmp, &journal).map_err(|e| Error::io("write", &journal, e))?;
            let mut done = Vec::new();
            if let Err(e) = apply(&self.out, &self.dir, &envs, &mut done) {
                // Every move undone, the journal goes: the previous trees.
                if undo(&self.out, &self.dir, &done) {
                    let _ = fs::remove_file(&journal);
                }
                return Err(e);
            }
            prune(&self.out, &envs);
            fs::remove_file(&journal).map_err(|e| Error::io("remove", &journal, e))?;
        }
        Ok(staged.into_iter().map(|s| (s.ops.env, s.report)).collect())
    }
}

impl Drop for Txn {
    /// Removes staging and backups, unless a journal is left for the next
    /// render to complete.
    fn drop(&mut self) {
        if !exists(&self.dir.join(JOURNAL)) {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn mkdirs(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))
}

fn rename(from: &Path, to: &Path, action: &'static str) -> Result<()> {
    fs::rename(from, to).map_err(|e| Error::io(action, to, e))
}

/// Makes every move of `envs` not made yet, recording each in `done`.
fn apply<'a>(out: &Path, txn: &Path, envs: &'a [EnvOps], done: &mut Vec<Step<'a>>) -> Result<()> {
    for e in envs {
        let env_dir = out.join(&e.env);
        let stage = txn.join("stage").join(&e.env);
        let backup = txn.join("backup").join(&e.env);
        if e.new {
            if exists(&stage) {
                if exists(&env_dir) {
                    return Err(Error::io(
                        "write",
                        &env_dir,
                        std::io::Error::new(
                            ErrorKind::AlreadyExists,
                            "it appeared while gen was writing it; nothing was changed",
                        ),
                    ));
                }
                rename(&stage, &env_dir, "write")?;
                done.push(Step::NewEnv(&e.env));
            }
            continue;
        }
        for path in &e.puts {
            let (staged, target, kept) = (stage.join(path), env_dir.join(path), backup.join(path));
            if !exists(&staged) {
                continue;
            }
            if exists(&target) && !exists(&kept) {
                mkdirs(kept.parent().expect("below the backup"))?;
                rename(&target, &kept, "move aside")?;
                done.push(Step::Aside(&e.env, path));
            }
            mkdirs(target.parent().expect("below the env"))?;
            rename(&staged, &target, "write")?;
            done.push(Step::Put(&e.env, path));
        }
        for path in &e.dels {
            let (target, kept) = (env_dir.join(path), backup.join(path));
            if exists(&target) && !exists(&kept) {
                mkdirs(kept.parent().expect("below the backup"))?;
                rename(&target, &kept, "remove")?;
                done.push(Step::Aside(&e.env, path));
            }
        }
    }
    Ok(())
}

/// Undoes `done` in reverse, each move a rename back; whether all were.
fn undo(out: &Path, txn: &Path, done: &[Step<'_>]) -> bool {
    let mut ok = true;
    for step in done.iter().rev() {
        let r = match step {
            Step::NewEnv(env) => fs::rename(out.join(env), txn.join("stage").join(env)),
            Step::Put(env, path) => fs::rename(
                out.join(env).join(path),
                txn.join("stage").join(env).join(path),
            ),
            Step::Aside(env, path) => fs::rename(
                txn.join("backup").join(env).join(path),
                out.join(env).join(path),
            ),
        };
        ok &= r.is_ok();
    }
    ok
}

/// Removes the directories that pruning left empty, up to the env's.
fn prune(out: &Path, envs: &[EnvOps]) {
    for e in envs {
        let env_dir = out.join(&e.env);
        for path in &e.dels {
            let mut dir = env_dir.join(path);
            while dir.pop() && dir.starts_with(&env_dir) && dir != env_dir {
                if fs::remove_dir(&dir).is_err() {
                    break;
                }
            }
        }
    }
}
