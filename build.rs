//! Finds what the tests that need outside data or tools have on this
//! machine, so `cargo test` reports those that cannot run as ignored, with
//! the reason, instead of passing them silently.
//!
//! Each thing found is a `platgen_has = "NAME"` cfg; a test that needs it
//! carries `#[cfg_attr(not(platgen_has = "NAME"), ignore = "needs …")]`.
//! Under `CI=true` everything counts as found: the tests then run and fail
//! on what is missing. The build itself never depends on any of this.
//!
//! Re-checked when `CI`, `PATH` or one of the `PLATGEN_*` / `KUBERNETES_VALIDATE`
//! variables changes, or when a found path changes; after installing a
//! tool somewhere `PATH` already held, `touch build.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every name a test may ask for.
const NAMES: &[&str] = &[
    "upstream",
    "pyyaml",
    "kubernetes_validate",
    "smoke_venv",
    "serve_venv",
    "dash",
    "busybox",
    "python3",
    "curl",
    "mariadb",
    "time",
    "strace",
    "lua",
    "helm",
    "docker_registry",
    "git",
    "root",
];

fn main() {
    let names: Vec<String> = NAMES.iter().map(|n| format!("\"{n}\"")).collect();
    println!(
        "cargo::rustc-check-cfg=cfg(platgen_has, values({}))",
        names.join(", ")
    );
    for var in [
        "CI",
        "PATH",
        "PLATGEN_UPSTREAM",
        "PLATGEN_SMOKE_VENV",
        "PLATGEN_SERVE_VENV",
        "KUBERNETES_VALIDATE",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    println!("cargo::rerun-if-changed=build.rs");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    for name in NAMES {
        if ci || found(name, &root) {
            println!("cargo::rustc-cfg=platgen_has=\"{name}\"");
        }
    }
}

/// Whether `name` is here; a path that decided it is watched.
fn found(name: &str, root: &Path) -> bool {
    match name {
        "upstream" => {
            let dir = var_or("PLATGEN_UPSTREAM", root.join("../shared/upstream"));
            watch_if(
                dir.join("values").is_dir() && dir.join("crds").is_dir(),
                &dir,
            )
        }
        "pyyaml" => {
            let local = root.join(".tools/venv/bin/python");
            [local, PathBuf::from("python3")].iter().any(|python| {
                Command::new(python)
                    .args(["-c", "import yaml"])
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
        }
        "kubernetes_validate" => {
            std::env::var_os("KUBERNETES_VALIDATE").is_some()
                || file(&root.join(".tools/venv/bin/kubernetes-validate"))
                || on_path("kubernetes-validate")
        }
        "smoke_venv" => {
            let dir = var_or("PLATGEN_SMOKE_VENV", root.join(".tools/smoke-venv"));
            file(&dir.join("bin/mlflow")) && file(&dir.join("bin/ray"))
        }
        "serve_venv" => {
            let dir = var_or("PLATGEN_SERVE_VENV", root.join(".tools/serve-venv"));
            file(&dir.join("bin/serve"))
        }
        "mariadb" => ["mariadbd", "mariadb-install-db", "mysql"]
            .iter()
            .all(|t| on_path(t)),
        // Root with CAP_SYS_ADMIN (bit 21 of the effective set) mounts a
        // tmpfs; read from /proc rather than tried.
        "root" => on_path("mount") && sys_admin(),
        "lua" => on_path("lua5.1"),
        "docker_registry" => on_path("docker-registry"),
        "helm" => file(&root.join(".tools/bin/helm")) || on_path("helm"),
        tool => on_path(tool),
    }
}

fn sys_admin() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid0 = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().nth(1))
        == Some("0");
    let caps = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .unwrap_or(0);
    uid0 && caps & (1 << 21) != 0
}

fn var_or(var: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or(default)
}

/// A regular file at `path`, watched when there.
fn file(path: &Path) -> bool {
    watch_if(path.is_file(), path)
}

fn watch_if(there: bool, path: &Path) -> bool {
    if there {
        println!("cargo::rerun-if-changed={}", path.display());
    }
    there
}

/// A program on `PATH` (or in /usr/sbin, /usr/bin).
fn on_path(name: &str) -> bool {
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths)
        .chain(["/usr/sbin".into(), "/usr/bin".into()])
        .any(|d| d.join(name).is_file())
}
