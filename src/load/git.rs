//! A config as a Git revision holds it, read through the `git` CLI: nothing
//! is checked out, the working tree is left alone. One `git cat-file
//! --batch` reads every file, so a fleet of envs costs one process.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use super::{parse_one, Origin, Sources};
use crate::error::{Diagnostic, Error, Result};
use crate::yaml::{Limits, Source};

/// Runs `git -C dir ARGS`, its standard output trimmed.
fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Error::Usage(
                Diagnostic::new(format!("cannot run git: {e}"))
                    .help("reading a config at a revision needs git on PATH"),
            )
        })?;
    if !o.status.success() {
        return Err(Error::Usage(Diagnostic::new(format!(
            "git {} failed in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&o.stderr).trim()
        ))));
    }
    Ok(String::from_utf8_lossy(&o.stdout).trim_end().to_string())
}

/// The config in `dir` as revision `rev` of the Git repository holding
/// `dir` has it. Errors name files as `REV:path/in/repo.yaml`.
pub(crate) fn load_rev(dir: &Path, rev: &str) -> Result<Sources> {
    if !dir.is_dir() {
        return Err(Error::Usage(Diagnostic::new(format!(
            "{} is not a directory",
            dir.display()
        ))));
    }
    let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|_| {
        Error::Usage(
            Diagnostic::new(format!(
                "{} is not in a Git repository, so it has no revision `{rev}`",
                dir.display()
            ))
            .help(
                "commit the config to Git, or compare two rendered trees: gen diff OLD_DIR NEW_DIR",
            ),
        )
    })?;
    let prefix = git(dir, &["rev-parse", "--show-prefix"])?;
    let commit = git(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| {
        Error::Usage(
            Diagnostic::new(format!("`{rev}` is no commit of the repository at {top}"))
                .help("give a branch, tag or commit (`main`, `HEAD~1`, `origin/main`)"),
        )
    })?;
    // The repository's root is `.` to Git (an empty pathspec is refused).
    let pathspec = if prefix.is_empty() {
        "."
    } else {
        prefix.as_str()
    };
    let listed = git(
        Path::new(&top),
        &[
            "ls-tree",
            "-r",
            "--name-only",
            "-z",
            &commit,
            "--",
            pathspec,
        ],
    )?;
    let base_path = format!("{prefix}platform.yaml");
    let mut env_paths: Vec<(String, String)> = Vec::new();
    let mut has_base = false;
    for path in listed.split('\0').filter(|p| !p.is_empty()) {
        if path == base_path {
            has_base = true;
        } else if let Some(file) = path.strip_prefix(&format!("{prefix}envs/")) {
            let stem = file
                .strip_suffix(".yaml")
                .or_else(|| file.strip_suffix(".yml"));
            if let Some(env) = stem.filter(|s| !s.contains('/') && !s.starts_with(['.', '#'])) {
                env_paths.push((env.to_string(), path.to_string()));
            }
        }
    }
    if !has_base {
        return Err(Error::Usage(
            Diagnostic::new(format!("revision `{rev}` has no {base_path}")).help(
                "the config directory must exist at that revision; give an older or newer one",
            ),
        ));
    }
    let mut paths = vec![base_path.clone()];
    paths.extend(env_paths.iter().map(|(_, p)| p.clone()));
    let texts = cat_files(Path::new(&top), &commit, &paths)?;
    let name = |path: &str| format!("{rev}:{path}");
    let parse = |path: &str, text: &str| {
        parse_one(
            Arc::new(Source {
                name: name(path),
                text: text.to_string(),
            }),
            Limits::default(),
        )
    };
    let mut problems = Vec::new();
    let base = match parse(&base_path, &texts[0]) {
        Ok(b) => Some(b),
        Err(Error::Config(ds)) => {
            problems.extend(ds);
            None
        }
        Err(e) => return Err(e),
    };
    let mut envs = BTreeMap::new();
    for ((env, path), text) in env_paths.iter().zip(&texts[1..]) {
        if !crate::names::is_dns_label(env) {
            return Err(Error::Usage(Diagnostic::new(format!(
                "`{env}` ({}) is not a valid env name",
                name(path)
            ))));
        }
        if envs.contains_key(env) {
            return Err(Error::Usage(Diagnostic::new(format!(
                "env `{env}` has two files at `{rev}` (.yaml and .yml)"
            ))));
        }
        match parse(path, text) {
            Ok(n) => {
                envs.insert(env.clone(), Arc::new(n));
            }
            Err(Error::Config(ds)) => problems.extend(ds),
            Err(e) => return Err(e),
        }
    }
    match base {
        Some(base) if problems.is_empty() => Ok(Sources {
            origin: Origin::Revision {
                dir: dir.to_path_buf(),
                rev: rev.to_string(),
            },
            base: Arc::new(base),
            envs,
        }),
        _ => Err(Error::Config(crate::error::in_file_order(problems))),
    }
}

/// The text of each of `paths` at `commit`, read by one `git cat-file
/// --batch`.
fn cat_files(top: &Path, commit: &str, paths: &[String]) -> Result<Vec<String>> {
    let failed = |e: std::io::Error| Error::io("run git cat-file in", top, e);
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(failed)?;
    let mut stdin = child.stdin.take().expect("piped");
    let requests: String = paths.iter().map(|p| format!("{commit}:{p}\n")).collect();
    // Written on a thread: git answers while it reads, and a fleet's worth
    // of answers would fill the pipe before all the requests are in.
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        let mut header = String::new();
        out.read_line(&mut header).map_err(failed)?;
        let size: usize = match header.split_whitespace().collect::<Vec<_>>().as_slice() {
            [_, "blob", size] => size.parse().unwrap_or(usize::MAX),
            _ => {
                return Err(Error::Usage(Diagnostic::new(format!(
                    "git cannot read {path} at {commit}: {}",
                    header.trim()
                ))))
            }
        };
        if size > Limits::default().max_bytes {
            return Err(Error::Usage(Diagnostic::new(format!(
                "{path} is {size} bytes at {commit}; the limit is {} bytes",
                Limits::default().max_bytes
            ))));
        }
        let mut bytes = vec![0; size + 1];
        out.read_exact(&mut bytes).map_err(failed)?;
        bytes.pop();
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::Usage(
                Diagnostic::new(format!("{path} at {commit} is not UTF-8"))
                    .help("save the file as UTF-8"),
            )
        })?;
        texts.push(text);
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(texts)
}

/// The bytes of `rel` (a path below `dir`) at revision `rev` of the Git
/// repository holding `dir`; `None` when that revision has no such file.
pub(crate) fn file_at(dir: &Path, rev: &str, rel: &str) -> Result<Option<Vec<u8>>> {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", &format!("{rev}:./{rel}")])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io("run git show in", dir, e))?;
    Ok(o.status.success().then_some(o.stdout))
}
