//! Writer faults: links, hostile env names, a read-only directory and a
//! full disk. Each leaves the previous tree byte-for-byte as it was and
//! touches nothing gen did not write. The read-only and full-disk tests
//! mount a small tmpfs, which needs root; elsewhere they say why they did
//! not run.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use platgen::{Platform, RenderedTree};

#[test]
fn a_symlink_inside_the_output_is_never_followed() {
    let w = tempfile::tempdir().unwrap();
    let outside = w.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("keep.txt"), "mine").unwrap();
    let out = w.path().join("out");
    std::fs::create_dir_all(out.join("prod")).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("prod/values")).unwrap();
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    let err = tree.write(&out).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(
        common::snapshot_dir(&outside),
        vec![("keep.txt".to_string(), b"mine".to_vec())]
    );
    // The env directory itself as a link is refused too.
    std::fs::remove_file(out.join("prod/values")).unwrap();
    std::fs::remove_dir(out.join("prod")).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("prod")).unwrap();
    assert!(tree
        .write(&out)
        .unwrap_err()
        .to_string()
        .contains("symbolic link"));
    assert_eq!(common::snapshot_dir(&outside).len(), 1);
}

#[test]
fn env_and_file_names_cannot_leave_the_output() {
    let w = tempfile::tempdir().unwrap();
    let files = [("apps/root.yaml".to_string(), "x: 1\n".to_string())]
        .into_iter()
        .collect();
    for env in ["../escape", "/etc", "a/b", "..", ""] {
        let tree = RenderedTree {
            env: env.to_string(),
            repo_dir: env.to_string(),
            files: Default::default(),
        };
        let err = tree.write(w.path()).unwrap_err();
        assert!(err.to_string().contains("refusing"), "{env}: {err}");
    }
    let tree = RenderedTree {
        env: "prod".into(),
        repo_dir: "prod".into(),
        files,
    };
    tree.write(w.path()).unwrap();
    for path in ["../x.yaml", "/etc/x.yaml", "apps/../../x.yaml"] {
        let mut t = tree.clone();
        t.files.insert(path.to_string(), "x: 1\n".into());
        assert!(
            t.write(w.path())
                .unwrap_err()
                .to_string()
                .contains("refusing"),
            "{path}"
        );
    }
    assert!(!w.path().parent().unwrap().join("x.yaml").exists());
    // An env file whose name is not a DNS label is refused when loading.
    let cfg = w.path().join("cfg");
    common::write_builtin_config(&cfg);
    std::fs::write(cfg.join("envs/Bad..Name.yaml"), "").unwrap();
    assert!(Platform::load(&cfg)
        .unwrap_err()
        .to_string()
        .contains("not a valid env name"));
}

/// Mounts a tmpfs at `dir` with `options`; `None` (after saying why) when
/// this machine does not allow it.
fn mount(dir: &Path, options: &str) -> Option<Mount> {
    std::fs::create_dir_all(dir).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return crate::common::absent("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
    }
    Some(Mount(dir.to_path_buf()))
}

struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
#[cfg_attr(
    not(platgen_has = "root"),
    ignore = "needs root with CAP_SYS_ADMIN and mount(8), to mount a small tmpfs"
)]
fn a_read_only_directory_is_an_error_and_changes_nothing() {
    let w = tempfile::tempdir().unwrap();
    let out = w.path().join("ro");
    let Some(_m) = mount(&out, "size=4m") else {
        return;
    };
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    tree.write(&out).unwrap();
    let before = common::snapshot_dir(&out);
    assert!(Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&out)
        .status()
        .unwrap()
        .success());
    let cfg = w.path().join("cfg");
    common::write_builtin_config(&cfg);
    common::edit(&cfg, "platform.yaml", "storage: 30Gi", "storage: 40Gi");
    let changed = Platform::load(&cfg).unwrap().render("prod").unwrap();
    let err = changed.write(&out).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("Read-only file system"), "{err}");
    assert_eq!(before, common::snapshot_dir(&out));
}

#[test]
#[cfg_attr(
    not(platgen_has = "root"),
    ignore = "needs root with CAP_SYS_ADMIN and mount(8), to mount a small tmpfs"
)]
fn a_full_disk_leaves_the_previous_tree() {
    let w = tempfile::tempdir().unwrap();
    let out = w.path().join("small");
    let Some(_m) = mount(&out, "size=1m") else {
        return;
    };
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    tree.write(&out).unwrap();
    // Fill the disk but for a few kilobytes: too little for a new tree.
    let mut filler = std::fs::File::create(out.join("filler")).unwrap();
    let chunk = vec![0u8; 4096];
    use std::io::Write;
    while filler.write_all(&chunk).is_ok() {}
    drop(filler);
    let before = common::snapshot_dir(&out);
    let cfg = w.path().join("cfg");
    common::write_builtin_config(&cfg);
    common::edit(&cfg, "platform.yaml", "storage: 30Gi", "storage: 40Gi");
    common::edit(&cfg, "platform.yaml", "storage: 20Gi", "storage: 25Gi");
    let changed = Platform::load(&cfg).unwrap().render("prod").unwrap();
    let err = changed.write(&out).unwrap_err();
    assert!(err.to_string().contains("No space left on device"), "{err}");
    assert_eq!(
        before,
        common::snapshot_dir(&out),
        "the previous tree, byte for byte"
    );
    // Nothing of the failed attempt is left behind.
    assert!(!std::fs::read_dir(&out).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".gen-")));
}
