//! Helpers shared by the integration tests. Rendered YAML is read with an
//! independent parser (`serde_norway`, libyaml), never gen's own.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `$PLATGEN_UPSTREAM` (default `../shared/upstream`): the pinned upstream
/// charts' values and CRDs. Tests that read it are ignored where the
/// build did not find it (a user's fresh clone); under `CI=true` they run
/// and its absence fails them.
pub fn upstream() -> Option<PathBuf> {
    let dir = std::env::var_os("PLATGEN_UPSTREAM")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/upstream"));
    if dir.join("values").is_dir() && dir.join("crds").is_dir() {
        return Some(dir);
    }
    absent(&format!(
        "upstream schemas not found at {} (set PLATGEN_UPSTREAM)",
        dir.display()
    ))
}

/// Something a test needs is missing at run time. Tests that need outside
/// data or tools are ignored, with the reason, when the build found them
/// absent (`build.rs`); one that runs has been promised them, so this fails
/// it, saying what to do.
pub fn absent<T>(what: &str) -> Option<T> {
    panic!(
        "{what}; the build found it here (build.rs): re-check with `touch build.rs`, \
         and this test is then reported as ignored"
    )
}

/// The Python with Ray Serve at the RayService's Ray version:
/// `.tools/serve-venv` (which `.ci/run` installs) or `$PLATGEN_SERVE_VENV`.
pub fn serve_venv() -> Option<PathBuf> {
    let dir = std::env::var_os("PLATGEN_SERVE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/serve-venv"));
    if dir.join("bin/serve").is_file() {
        return Some(dir);
    }
    absent(&format!(
        "no Ray Serve in {} (.ci/run installs it)",
        dir.display()
    ))
}

/// Checks Serve configs against Ray Serve's own schema, every key strictly
/// (`tests/support/serve_config.py`); the errors, if any.
pub fn check_serve_configs(venv: &Path, configs: &[String]) -> Result<(), String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(venv.join("bin/python"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/serve_config.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = serde_json::to_vec(configs).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Parses a YAML stream into JSON values, one per document.
pub fn yaml_docs(name: &str, text: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    serde_norway::Deserializer::from_str(text)
        .map(|doc| serde_json::Value::deserialize(doc).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

/// Reads and parses a one-document YAML file.
pub fn yaml_file(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml_docs(&path.display().to_string(), &text).remove(0)
}

/// Writes the built-in example platform's config files into `dir`, as
/// the binary holds them (without `gen init`'s editor line, so line
/// numbers in reports are the built-in files').
pub fn write_builtin_config(dir: &Path) {
    for (rel, text) in platgen::Platform::example_files() {
        if !rel.ends_with(".yaml") {
            continue;
        }
        let text = match text.split_once('\n') {
            Some((first, rest)) if first.starts_with("# yaml-language-server:") => rest.to_string(),
            _ => text,
        };
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Replaces `from` by `to` in `dir/file`, asserting that `from` is there.
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} does not contain {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The real Helm: `.tools/bin/helm` (which `.ci/run` installs) or PATH.
pub fn helm() -> PathBuf {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/helm");
    if local.is_file() {
        return local;
    }
    tool("helm").unwrap()
}

/// The `gen` binary built for these tests.
/// `cmd` with a Git identity set, so commits work on a machine without one.
pub fn with_git_identity(cmd: &mut std::process::Command) -> &mut std::process::Command {
    cmd.env("GIT_AUTHOR_NAME", "A User")
        .env("GIT_AUTHOR_EMAIL", "user@acme.example")
        .env("GIT_COMMITTER_NAME", "A User")
        .env("GIT_COMMITTER_EMAIL", "user@acme.example")
}

pub fn gen() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gen"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Every file below `dir` with its bytes, sorted by path.
pub fn snapshot_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Renders prod of the example platform with `overlay` as `envs/prod.yaml`.
pub fn render_with(overlay: &str) -> Result<platgen::RenderedTree, String> {
    let dir = tempfile::tempdir().unwrap();
    write_builtin_config(dir.path());
    std::fs::write(dir.path().join("envs/prod.yaml"), overlay).unwrap();
    platgen::Platform::load(dir.path())
        .and_then(|p| p.render("prod"))
        .map_err(|e| e.to_string())
}

/// The first document of a rendered file.
pub fn doc(tree: &platgen::RenderedTree, file: &str) -> serde_json::Value {
    yaml_docs(file, &tree.files[file]).remove(0)
}

/// A Python with PyYAML: `.tools/venv` (which `.ci/run` installs), else
/// `python3`. Missing at run time, the test fails (see [`absent`]).
pub fn python_with_pyyaml() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/python");
    for python in [local, PathBuf::from("python3")] {
        let ok = std::process::Command::new(&python)
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(python);
        }
    }
    absent("no Python with PyYAML (run ../shared/tools/install-k8s-tools.sh .tools)")
}

/// A program on PATH (or in /usr/sbin, /usr/bin), or the reason it is
/// absent (a failure under `CI=true`).
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain(["/usr/sbin".into(), "/usr/bin".into()])
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.or_else(|| absent(&format!("`{name}` not found (.ci/run installs it)")))
}

/// `git ARGS` in `dir` with an identity set; a failure fails the test.
pub fn git(dir: &Path, args: &[&str]) {
    let o = with_git_identity(
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir),
    )
    .output()
    .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `gen render --env ENV --config CFG --out OUT`.
pub fn render_to(cfg: &Path, out: &Path, env: &str) -> std::process::Output {
    gen()
        .args(["render", "--env", env, "--config"])
        .arg(cfg)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// A command's standard error as text.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
