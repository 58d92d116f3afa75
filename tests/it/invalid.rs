//! The bad-input corpus: every file in `tests/invalid/` is a broken config
//! (by default it replaces `envs/prod.yaml` of the example platform). The
//! real binary runs on each; it must exit with the code the design gives (2
//! for bad config, 1 for a failed check), never panic, write nothing, never
//! repeat a secret, and its report is snapshotted so messages are reviewed
//! like output. Leading comments may set `# args: …` and `# file: …`.

use crate::common;

use std::path::Path;
use std::process::Output;

fn run_case(text: &[u8], file: &str, args: &[&str]) -> (tempfile::TempDir, Output) {
    let w = tempfile::tempdir().unwrap();
    common::write_builtin_config(&w.path().join("cfg"));
    std::fs::write(w.path().join("cfg").join(file), text).unwrap();
    let o = common::gen()
        .current_dir(w.path())
        .args(args)
        .output()
        .unwrap();
    (w, o)
}

fn report(w: &Path, o: &Output) -> String {
    let code = o.status.code().expect("exited, not killed by a signal");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked") && code != 101, "panic:\n{err}");
    assert!(matches!(code, 1 | 2), "exit {code}:\n{err}");
    assert!(o.stdout.is_empty(), "nothing on stdout on error");
    assert!(!w.join("out").exists(), "nothing written");
    format!("exit: {code}\n{err}")
}

#[test]
fn corpus() {
    let count =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid"))
            .unwrap()
            .count();
    assert!(count >= 30, "the corpus has {count} cases");
    insta::glob!("../fixtures/invalid", "*.yaml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let directive = |name: &str| {
            text.lines()
                .take_while(|l| l.starts_with('#'))
                .find_map(|l| l.strip_prefix(&format!("# {name}: ")).map(str::to_string))
        };
        let args_line =
            directive("args").unwrap_or_else(|| "render --env prod --config cfg --out out".into());
        let args: Vec<&str> = args_line.split_whitespace().collect();
        let file = directive("file").unwrap_or_else(|| "envs/prod.yaml".into());
        let (w, o) = run_case(text.as_bytes(), &file, &args);
        let r = report(w.path(), &o);
        // A value marked as secret in the case never reaches the report.
        for word in text.split(|c: char| c.is_whitespace() || c == ':') {
            if word.contains("SECRET-") {
                assert!(!r.contains(word), "{} repeats a secret", path.display());
            }
        }
        insta::assert_snapshot!(r);
    });
}

#[test]
fn non_utf8_bytes() {
    let (w, o) = run_case(
        b"components:\n  kafka:\n    release: k\xff\xfeafka\n",
        "envs/prod.yaml",
        &["render", "--env", "prod", "--config", "cfg", "--out", "out"],
    );
    insta::assert_snapshot!(report(w.path(), &o));
}

#[test]
fn empty_overlay_is_fine_but_empty_base_is_not() {
    let (w, o) = run_case(
        b"",
        "envs/prod.yaml",
        &["render", "--env", "prod", "--config", "cfg", "--out", "out"],
    );
    assert!(o.status.success(), "an empty overlay changes nothing");
    assert!(w.path().join("out/prod/apps/root.yaml").is_file());
    let (w, o) = run_case(
        b"",
        "platform.yaml",
        &["render", "--env", "prod", "--config", "cfg", "--out", "out"],
    );
    insta::assert_snapshot!(report(w.path(), &o));
}

#[test]
fn a_50_mb_file() {
    let mut big = String::from("components:\n  kafka:\n    release: kafka\n# ");
    big.push_str(&"x".repeat(50 * 1024 * 1024));
    big.push('\n');
    let (w, o) = run_case(
        big.as_bytes(),
        "envs/prod.yaml",
        &["render", "--env", "prod", "--config", "cfg", "--out", "out"],
    );
    insta::assert_snapshot!(report(w.path(), &o));
}
