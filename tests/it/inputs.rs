//! Input gen did not expect: devices and FIFOs where config files go,
//! files larger than any config, counts no fleet has, editor litter in
//! `envs/`. Each is refused at once with a located error, or ignored.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use crate::common;

fn gen_in(dir: &Path, args: &[&str]) -> Output {
    let mut child = common::gen()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("gen {args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn refused(o: &Output, expect: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for e in expect {
        assert!(err.contains(e), "no `{e}` in:\n{err}");
    }
}

fn render(dir: &Path) -> Output {
    gen_in(dir, &["render", "--all", "--config", "cfg", "--out", "out"])
}

#[test]
fn devices_fifos_and_huge_files_are_refused_at_once() {
    let w = tempfile::tempdir().unwrap();
    let cfg = w.path().join("cfg");
    common::write_builtin_config(&cfg);
    let prod = cfg.join("envs/prod.yaml");
    std::fs::remove_file(&prod).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &prod).unwrap();
    refused(
        &render(w.path()),
        &["envs/prod.yaml:1:1", "not a regular file"],
    );
    std::fs::remove_file(&prod).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&prod)
        .status()
        .unwrap();
    assert!(made.success());
    refused(
        &render(w.path()),
        &["envs/prod.yaml:1:1", "not a regular file"],
    );
    std::fs::remove_file(&prod).unwrap();
    std::fs::write(&prod, "# x\n".repeat(3 << 20)).unwrap();
    refused(
        &render(w.path()),
        &["envs/prod.yaml:1:1", "larger than 8388608 bytes"],
    );
    assert!(!w.path().join("out").exists());
}

#[test]
fn a_huge_manifest_is_refused_fast() {
    let w = tempfile::tempdir().unwrap();
    common::write_builtin_config(&w.path().join("cfg"));
    assert!(render(w.path()).status.success());
    let manifest = w.path().join("out/prod/.gen-manifest");
    let lines: String = (0..3_000_000)
        .map(|i| format!("apps/x{i}.yaml\n"))
        .collect();
    std::fs::write(&manifest, lines).unwrap();
    let started = Instant::now();
    refused(&render(w.path()), &["larger than 4 MiB"]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn fleet_counts_are_bounded() {
    let w = tempfile::tempdir().unwrap();
    for count in ["18446744073709551615", "0", "100001"] {
        let o = gen_in(w.path(), &["fleet", "--count", count, "--out", "f"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("--count"), "{err}");
        assert!(!w.path().join("f").exists());
    }
}

#[test]
fn editor_litter_in_envs_is_ignored_and_two_files_for_one_env_are_an_error() {
    let w = tempfile::tempdir().unwrap();
    let cfg = w.path().join("cfg");
    common::write_builtin_config(&cfg);
    for litter in [
        ".prod.yaml.swp",
        ".#prod.yaml",
        "#prod.yaml#",
        "prod.yaml~",
        ".hidden.yaml",
    ] {
        std::fs::write(cfg.join("envs").join(litter), "{{ not yaml").unwrap();
    }
    let o = render(w.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_dir(w.path().join("out")).unwrap().count(), 3);
    std::fs::write(cfg.join("envs/prod.yml"), "components: {}\n").unwrap();
    refused(
        &render(w.path()),
        &[
            "env `prod` has two files",
            "prod.yaml and",
            "prod.yml",
            "keep one of them",
        ],
    );
}
