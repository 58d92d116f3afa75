//! The writer, probed as a hostile CI job and an unlucky operator would:
//! pruning stays inside the env and never follows links or takes
//! directories, `--all` is all or nothing across envs, a render killed at
//! any rename leaves a state the next render completes (and `gen check`
//! reports), and renders into one directory take turns.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::{self, snapshot_dir};

fn gen_in(dir: &Path, args: &[&str]) -> Output {
    common::gen()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    err
}

fn fails(o: &Output, code: i32, expect: &[&str]) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "{err}");
    for e in expect {
        assert!(err.contains(e), "no `{e}` in:\n{err}");
    }
    err
}

/// Three configs of the example platform that differ in every env: the
/// GitOps repository (in every Application) and, in `a`, staging without
/// Ray Serve (so `b` adds files there).
fn configs(w: &Path) {
    for (name, repo) in [
        ("a", "https://git.example.org/a.git"),
        ("b", "https://git.254carbon.com/platform/gitops.git"),
        ("c", "https://git.example.org/c.git"),
    ] {
        let dir = w.join(name);
        common::write_builtin_config(&dir);
        common::edit(
            &dir,
            "platform.yaml",
            "repoUrl: https://git.254carbon.com/platform/gitops.git",
            &format!("repoUrl: {repo}"),
        );
        if name == "a" {
            let overlay = dir.join("envs/staging.yaml");
            let text = std::fs::read_to_string(&overlay).unwrap();
            assert!(!text.contains("rayServe"));
            std::fs::write(
                &overlay,
                text.replacen(
                    "components:\n",
                    "components:\n  rayServe:\n    enabled: false\n",
                    1,
                ),
            )
            .unwrap();
        }
    }
}

/// `gen render --all --config <config> --out <out>` into `w`.
fn render_all(w: &Path, config: &str, out: &str) -> Output {
    gen_in(w, &["render", "--all", "--config", config, "--out", out])
}

#[test]
fn prune_never_follows_a_link_out_of_the_env() {
    let w = tempfile::tempdir().unwrap();
    configs(w.path());
    ok(&render_all(w.path(), "b", "o"));
    let victim = w.path().join("v");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("important.txt"), "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, w.path().join("o/prod/link")).unwrap();
    let manifest = w.path().join("o/prod/.gen-manifest");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("link/important.txt\n");
    std::fs::write(&manifest, text).unwrap();
    let before = snapshot_dir(&w.path().join("o"));
    fails(
        &render_all(w.path(), "b", "o"),
        2,
        &["refusing to prune", "o/prod/link is a symbolic link"],
    );
    assert_eq!(
        std::fs::read_to_string(victim.join("important.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(snapshot_dir(&w.path().join("o")), before, "nothing changed");
}

#[test]
fn a_manifest_entry_naming_a_directory_or_leaving_the_env_is_refused() {
    let w = tempfile::tempdir().unwrap();
    configs(w.path());
    ok(&render_all(w.path(), "b", "o"));
    std::fs::create_dir(w.path().join("o/prod/mine")).unwrap();
    std::fs::write(w.path().join("o/prod/mine/notes.txt"), "mine").unwrap();
    let manifest = w.path().join("o/prod/.gen-manifest");
    let good = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{good}mine\napps\n")).unwrap();
    let before = snapshot_dir(&w.path().join("o"));
    fails(
        &render_all(w.path(), "b", "o"),
        2,
        &[
            "lists `apps`, which is a directory or a link",
            "remove that line",
        ],
    );
    assert_eq!(
        snapshot_dir(&w.path().join("o")),
        before,
        "mine/ and apps/ kept"
    );
    // Entries that are no plain relative path: refused with their line.
    let lines = good.lines().count();
    for bad in [
        "../outside.txt",
        "/etc/hostname",
        "apps//x.yaml",
        "./apps/root.yaml",
    ] {
        std::fs::write(&manifest, format!("{good}{bad}\n")).unwrap();
        fails(
            &render_all(w.path(), "b", "o"),
            2,
            &[&format!(
                ".gen-manifest:{}: `{bad}` is not a plain relative file path",
                lines + 1
            )],
        );
        fails(
            &gen_in(w.path(), &["check", "--all", "--config", "b", "--out", "o"]),
            2,
            &["is not a plain relative file path"],
        );
    }
    // Not UTF-8, or not a file: an error, not a reason to prune nothing.
    std::fs::write(&manifest, b"apps/\xff.yaml\n").unwrap();
    fails(&render_all(w.path(), "b", "o"), 2, &["is not UTF-8"]);
    std::fs::remove_file(&manifest).unwrap();
    std::fs::create_dir(&manifest).unwrap();
    fails(
        &render_all(w.path(), "b", "o"),
        2,
        &["is not a regular file"],
    );
    assert!(w.path().join("o/prod/mine/notes.txt").is_file());
}

#[test]
fn render_all_changes_no_env_when_one_cannot_be_staged() {
    let w = tempfile::tempdir().unwrap();
    configs(w.path());
    ok(&render_all(w.path(), "a", "o"));
    // A hand-made file where `b` puts a new Application in staging.
    let foreign = w.path().join("o/staging/apps/ray-serve.yaml");
    assert!(!foreign.exists());
    std::fs::write(&foreign, "mine\n").unwrap();
    let before = snapshot_dir(&w.path().join("o"));
    fails(
        &render_all(w.path(), "b", "o"),
        2,
        &[
            "refusing to replace",
            "staging/apps/ray-serve.yaml: gen did not write it",
        ],
    );
    assert_eq!(
        snapshot_dir(&w.path().join("o")),
        before,
        "dev and prod untouched too"
    );
    std::fs::remove_file(&foreign).unwrap();
    ok(&render_all(w.path(), "b", "o"));
    ok(&gen_in(
        w.path(),
        &["check", "--all", "--config", "b", "--out", "o"],
    ));
}

/// Reference renders of each config, each env's files with their bytes.
fn reference(w: &Path, config: &str) -> Vec<(String, Vec<u8>)> {
    let out = format!("ref-{config}");
    if !w.join(&out).exists() {
        ok(&render_all(w, config, &out));
    }
    snapshot_dir(&w.join(out))
}

/// The files of env `env` in a snapshot.
fn env_files(snapshot: &[(String, Vec<u8>)], env: &str) -> Vec<(String, Vec<u8>)> {
    snapshot
        .iter()
        .filter(|(p, _)| p.starts_with(&format!("{env}/")))
        .cloned()
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    let o = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .output()
        .unwrap();
    assert!(o.status.success());
}

/// `gen render --all` under strace, killed (SIGKILL) at its `nth` rename.
fn render_killed_at(w: &Path, config: &str, out: &str, nth: usize) -> Output {
    Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            "trace=rename,renameat,renameat2",
        ])
        .arg("-e")
        .arg(format!(
            "inject=rename,renameat,renameat2:signal=SIGKILL:when={nth}"
        ))
        .arg(env!("CARGO_BIN_EXE_gen"))
        .args(["render", "--all", "--config", config, "--out", out])
        .current_dir(w)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
#[cfg_attr(
    not(platgen_has = "strace"),
    ignore = "needs strace on PATH (.ci/run installs them)"
)]
fn a_render_killed_at_any_rename_is_completed_by_the_next() {
    let Some(_) = common::tool("strace") else {
        return;
    };
    let w = tempfile::tempdir().unwrap();
    let w = w.path();
    configs(w);
    let (ref_a, ref_b) = (reference(w, "a"), reference(w, "b"));
    assert_ne!(ref_a, ref_b);
    let envs = ["dev", "prod", "staging"];
    let mut nth = 1;
    loop {
        let out = format!("o{nth}");
        copy_tree(&w.join("ref-a"), &w.join(&out));
        let o = render_killed_at(w, "b", &out, nth);
        if o.status.success() {
            // Fewer renames than `nth`: the render ran to its end.
            assert_eq!(snapshot_dir(&w.join(&out)), ref_b);
            break;
        }
        assert!(nth < 1000, "still killed at rename {nth}");
        let journal = w.join(&out).join(".gen-txn/journal").exists();
        let now = snapshot_dir(&w.join(&out));
        let txn = |(p, _): &(String, Vec<u8>)| !p.starts_with(".gen-txn/");
        let visible: Vec<_> = now.iter().filter(|f| txn(f)).cloned().collect();
        if !journal {
            // Before the commit began or after it ended: each env whole.
            for env in envs {
                let files = env_files(&visible, env);
                assert!(
                    files == env_files(&ref_a, env) || files == env_files(&ref_b, env),
                    "killed at rename {nth}: {env} is neither the old nor the new tree"
                );
            }
        }
        // `gen check` sees an interrupted render as drift.
        let check = gen_in(w, &["check", "--all", "--config", "b", "--out", &out]);
        if journal {
            let stdout = String::from_utf8_lossy(&check.stdout);
            assert_eq!(check.status.code(), Some(1), "killed at {nth}: {stdout}");
            assert!(stdout.contains("interrupted:"), "{stdout}");
        }
        // Odd steps: the recovery itself is killed at its first rename.
        if journal && nth % 2 == 1 {
            let _ = render_killed_at(w, "b", &out, 1);
        }
        let err = ok(&render_all(w, "b", &out));
        if journal {
            assert!(
                err.contains("note: completed the render that was interrupted"),
                "{err}"
            );
        }
        assert_eq!(snapshot_dir(&w.join(&out)), ref_b, "killed at rename {nth}");
        ok(&gen_in(
            w,
            &["check", "--all", "--config", "b", "--out", &out],
        ));
        std::fs::remove_dir_all(w.join(&out)).unwrap();
        nth += 1;
    }
    eprintln!(
        "killed at each of {} renames, every time completed",
        nth - 1
    );
    assert!(nth > 20, "the commit made {} renames only", nth - 1);
}

#[test]
fn renders_into_one_directory_take_turns() {
    let w = tempfile::tempdir().unwrap();
    let w = w.path();
    configs(w);
    let refs = [reference(w, "a"), reference(w, "b"), reference(w, "c")];
    for round in 0..6 {
        let out = format!("o{round}");
        let n = 2 + round % 3;
        let children: Vec<_> = (0..n)
            .map(|i| {
                common::gen()
                    .current_dir(w)
                    .args([
                        "render",
                        "--all",
                        "--config",
                        ["a", "b", "c"][(round + i) % 3],
                        "--out",
                        &out,
                    ])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            ok(&c.wait_with_output().unwrap());
        }
        let now = snapshot_dir(&w.join(&out));
        assert!(
            refs.contains(&now),
            "round {round}: the output is not wholly one config's render"
        );
        assert_eq!(
            std::fs::read_dir(w.join(&out)).unwrap().count(),
            3,
            "round {round}: only the envs are left"
        );
    }
}

#[test]
fn no_wait_fails_at_once_and_a_waiting_render_says_so() {
    let w = tempfile::tempdir().unwrap();
    let w = w.path();
    configs(w);
    ok(&render_all(w, "b", "o"));
    let held = std::fs::File::open(w.join("o")).unwrap();
    held.lock().unwrap();
    let before = snapshot_dir(&w.join("o"));
    fails(
        &gen_in(
            w,
            &[
                "render",
                "--all",
                "--config",
                "a",
                "--out",
                "o",
                "--no-wait",
            ],
        ),
        2,
        &[
            "another gen is writing or checking o",
            "leave out --no-wait",
        ],
    );
    assert_eq!(snapshot_dir(&w.join("o")), before);
    let child = common::gen()
        .current_dir(w)
        .args(["render", "--all", "--config", "a", "--out", "o"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(snapshot_dir(&w.join("o")), before, "it waits");
    drop(held);
    let err = ok(&child.wait_with_output().unwrap());
    assert!(
        err.contains("note: waiting for another gen to finish with o"),
        "{err}"
    );
    assert_eq!(snapshot_dir(&w.join("o")), reference(w, "a"));
}
