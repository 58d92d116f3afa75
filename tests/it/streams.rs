//! Standard output and error that fail: a full disk, a reader gone. Every
//! command ends with a clear error and exit 2, or with 141 (a process
//! killed by SIGPIPE) when the reader went away; never a panic.

use std::process::{Output, Stdio};

use crate::common;

/// Every command that writes to standard output.
const COMMANDS: &[&[&str]] = &[
    &["plan", "--env", "prod"],
    &["graph", "--env", "prod"],
    &["schema"],
    &["completions", "bash"],
    &["render", "--env", "prod"],
    &["check", "--all", "--out", "stale"],
    &["check", "--all", "--out", "stale", "--format", "json"],
];

fn run(args: &[&str], stdout: Stdio, stderr: Stdio, dir: &std::path::Path) -> Output {
    common::gen()
        .current_dir(dir)
        .args(args)
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .unwrap()
}

/// A directory with an `stale/` tree every check finds out of date.
fn workspace() -> tempfile::TempDir {
    let w = tempfile::tempdir().unwrap();
    let o = run(
        &["render", "--all", "--out", "stale", "--quiet"],
        Stdio::null(),
        Stdio::piped(),
        w.path(),
    );
    assert!(o.status.success());
    for env in ["dev", "staging", "prod"] {
        for e in std::fs::read_dir(w.path().join("stale").join(env).join("apps")).unwrap() {
            let p = e.unwrap().path();
            let mut t = std::fs::read_to_string(&p).unwrap();
            t.push_str("# edited\n");
            std::fs::write(p, t).unwrap();
        }
    }
    w
}

#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    let w = workspace();
    for args in COMMANDS {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = run(args, full.into(), Stdio::piped(), w.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("error: cannot write standard output: No space left on device"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_reader_gone_ends_gen_as_sigpipe_does() {
    let w = workspace();
    for args in COMMANDS {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = run(args, writer.into(), Stdio::piped(), w.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(141), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_full_or_closed_stderr_changes_no_exit_code() {
    let w = workspace();
    let cases: &[(&[&str], i32)] = &[
        (&["render", "--env", "nope"], 2),
        (&["check", "--all", "--out", "stale"], 1),
        (&["render", "--all", "--out", "fresh"], 0),
    ];
    for (args, code) in cases {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = run(args, Stdio::null(), full.into(), w.path());
        assert_eq!(o.status.code(), Some(*code), "{args:?} with stderr full");
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = run(args, Stdio::null(), writer.into(), w.path());
        assert_eq!(o.status.code(), Some(*code), "{args:?} with stderr closed");
    }
}
