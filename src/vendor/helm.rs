//! The real Helm, for what only it does here: pulling a chart from an HTTP
//! repository or an OCI registry.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Diagnostic, Error, Result};
use crate::model::Chart;

/// The Helm binary: `$HELM` when set, else `helm` on `PATH`, proven to
/// run; `why_needed` says what it is needed for ("gen vendor pulls charts").
pub(crate) fn find(why_needed: &str) -> Result<PathBuf> {
    let helm = named();
    match Command::new(&helm).args(["version", "--short"]).output() {
        Ok(o) if o.status.success() => Ok(helm),
        Ok(o) => Err(missing(
            why_needed,
            format!(
                "`{} version` failed: {}",
                helm.display(),
                String::from_utf8_lossy(&o.stderr).trim()
            ),
        )),
        Err(e) => Err(not_run(why_needed, &helm, &e)),
    }
}

/// The Helm binary `$HELM` or PATH names, not yet run.
pub(crate) fn named() -> PathBuf {
    match std::env::var_os("HELM").filter(|h| !h.is_empty()) {
        Some(h) => PathBuf::from(h),
        None => PathBuf::from("helm"),
    }
}

/// Why `helm` did not start, as the error to show.
pub(crate) fn not_run(why_needed: &str, helm: &Path, e: &std::io::Error) -> Error {
    let from_env = std::env::var_os("HELM").is_some_and(|h| !h.is_empty());
    missing(
        why_needed,
        match (e.kind(), from_env) {
            (std::io::ErrorKind::NotFound, false) => "there is no `helm` on PATH".to_string(),
            (std::io::ErrorKind::NotFound, true) => {
                format!("$HELM names `{}`, which does not exist", helm.display())
            }
            _ => format!("`{}` does not run: {e}", helm.display()),
        },
    )
}

fn missing(why_needed: &str, why: String) -> Error {
    Error::Usage(
        Diagnostic::new(format!("{why_needed} with Helm, and {why}"))
            .help("install Helm 3.8 or later (https://helm.sh/docs/intro/install/), or set HELM to its path; `gen vendor --check`, `gen render` (without --hydrate), `gen check --no-verify`, `gen plan --estimate` and `gen diff` (without --objects) need no Helm"),
    )
}

/// Pulls `chart` into the empty folder `into`; returns the package's path.
/// Helm's error, when it fails, is the message (credentials masked).
pub(crate) fn pull(
    helm: &Path,
    chart: &Chart,
    into: &Path,
    plain_http: bool,
) -> std::result::Result<PathBuf, String> {
    let mut cmd = Command::new(helm);
    cmd.arg("pull");
    if chart.is_oci() {
        cmd.arg(format!("{}/{}", chart.repository(), chart.name));
        if plain_http {
            cmd.arg("--plain-http");
        }
    } else {
        cmd.arg(chart.name.as_ref())
            .arg("--repo")
            .arg(chart.repo_url.as_ref());
    }
    cmd.arg("--version")
        .arg(chart.version.as_ref())
        .arg("--destination")
        .arg(into);
    let out = cmd
        .output()
        .map_err(|e| format!("`{}` does not run: {e}", helm.display()))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        let said: Vec<String> = said
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| crate::names::mask_credentials(l).into_owned())
            .collect();
        return Err(if said.is_empty() {
            format!("helm pull exited with {}", out.status)
        } else {
            said.join("\n")
        });
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(into)
        .map_err(|e| format!("reading {}: {e}", into.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tgz"))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        n => Err(format!("helm pull left {n} packages, not one")),
    }
}
