//! `gen vendor`: every chart the platform's envs install, pulled once with
//! the real Helm into the config directory's `charts/` and recorded in
//! `charts.lock`; `--check` proves the files are the ones recorded.
//!
//! A pull is staged beside `charts/` and nothing is put in place unless
//! every chart pulled and read back as the package it was pinned as; a
//! chart whose pin and file match the lock is not pulled again.

pub(crate) mod helm;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::charts::{digest, Lock, Locked, Package, Upgrade, CHARTS_DIR, LOCK_FILE};
use crate::error::{Diagnostic, Error, Loc, Result};
use crate::model::Chart;

/// A chart some env's enabled component installs.
#[derive(Debug, Clone)]
pub struct ChartUse {
    /// The chart.
    pub chart: Chart,
    /// Who installs it: `env/component`, sorted.
    pub used_by: Vec<String>,
    /// Where the config pins it, when it does (the first env's place).
    pub at: Option<Loc>,
}

impl ChartUse {
    /// The chart's file in `charts/`, as Helm names a package.
    pub fn file(&self) -> String {
        format!("{}-{}.tgz", self.chart.name, self.chart.version)
    }

    fn label(&self) -> String {
        format!(
            "{} {} from {}",
            self.chart.name,
            self.chart.version,
            self.chart.repository()
        )
    }
}

/// How `gen vendor` pulls.
#[derive(Debug, Clone, Default)]
pub struct VendorOptions {
    /// Pull from OCI registries over plain HTTP (`helm pull --plain-http`),
    /// for a registry without TLS.
    pub plain_http: bool,
}

/// What `gen vendor` did to one chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Pulled with Helm and written.
    Pulled,
    /// Already vendored as the lock records it.
    Kept,
}

/// What `gen vendor` did.
#[derive(Debug, Clone, Default)]
pub struct VendorReport {
    /// Every pinned chart, as locked, with what was done.
    pub charts: Vec<(Locked, Action)>,
    /// Packages removed from `charts/`: the lock listed them and no env
    /// installs them any more.
    pub removed: Vec<String>,
    /// For each chart pulled at a new version, what the move does to the
    /// values gen writes for it (against the version vendored before).
    pub upgrades: Vec<Upgrade>,
    /// Charts pulled at a new version: the previous version's package
    /// bytes and the new one's, for the upgrade report.
    pub(crate) moved: Vec<Moved>,
}

/// A chart pulled at a new version, with the package vendored before.
#[derive(Debug, Clone)]
pub(crate) struct Moved {
    /// Who installs the new version: `env/component key`.
    pub used_by: Vec<String>,
    /// The package vendored before.
    pub old: Vec<u8>,
    /// The package pulled now.
    pub new: Vec<u8>,
}

/// Gathers the charts of `envs`, each once.
pub(crate) fn uses(
    envs: impl IntoIterator<Item = (String, Vec<(String, Chart, Option<Loc>)>)>,
) -> Result<Vec<ChartUse>> {
    let mut by_pin: BTreeMap<(String, String, String), ChartUse> = BTreeMap::new();
    for (env, charts) in envs {
        for (component, chart, at) in charts {
            let id = (
                chart.name.to_string(),
                chart.version.to_string(),
                chart.repository(),
            );
            let u = by_pin.entry(id).or_insert_with(|| ChartUse {
                chart,
                used_by: Vec::new(),
                at: None,
            });
            u.used_by.push(format!("{env}/{component}"));
            if u.at.is_none() {
                u.at = at;
            }
        }
    }
    let uses: Vec<ChartUse> = by_pin.into_values().collect();
    let mut files: BTreeMap<String, &ChartUse> = BTreeMap::new();
    for u in &uses {
        if let Some(other) = files.insert(u.file(), u) {
            return Err(Error::config(
                Diagnostic::new(format!(
                    "{} and {} would both be charts/{}",
                    other.label(),
                    u.label(),
                    u.file()
                ))
                .at(u.at.clone().or_else(|| other.at.clone()))
                .help("pin the chart from one repository in every env"),
            ));
        }
    }
    Ok(uses)
}

fn lock_path(dir: &Path) -> PathBuf {
    dir.join(LOCK_FILE)
}

/// Reads and checks one vendored package against its lock entry.
fn verify(dir: &Path, locked: &Locked) -> std::result::Result<Vec<u8>, String> {
    let path = dir.join(CHARTS_DIR).join(&locked.file);
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{} is missing", path.display()),
        _ => format!("{}: {e}", path.display()),
    })?;
    let found = digest(&bytes);
    if found != locked.digest {
        return Err(format!(
            "{} is not the package charts.lock records: its digest is {found}, the lock's {}",
            path.display(),
            locked.digest
        ));
    }
    let p = Package::read(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if (p.name.as_str(), p.version.as_str()) != (locked.name.as_str(), locked.version.as_str()) {
        return Err(format!(
            "{} holds chart {} {}, not {} {}",
            path.display(),
            p.name,
            p.version,
            locked.name,
            locked.version
        ));
    }
    Ok(bytes)
}

/// Problems `gen vendor --check` finds: a pinned chart not vendored, a
/// package missing, changed or unreadable, a locked chart no env installs.
/// Empty when the lock, the files and the pins agree.
pub(crate) fn check(dir: &Path, uses: &[ChartUse]) -> Result<Vec<String>> {
    let lock = Lock::read(&lock_path(dir))?;
    let mut problems = Vec::new();
    for u in uses {
        let c = &u.chart;
        match lock.find(&c.name, &c.repository(), &c.version) {
            None => problems.push(format!(
                "{} is pinned (by {}) but not vendored",
                u.label(),
                u.used_by.join(", ")
            )),
            Some(l) => {
                if let Err(e) = verify(dir, l) {
                    problems.push(e);
                }
            }
        }
    }
    for l in &lock.charts {
        if !uses.iter().any(|u| {
            u.chart.name == l.name
                && u.chart.version == l.version
                && u.chart.repository() == l.repository
        }) {
            problems.push(format!(
                "charts.lock lists {} {} ({}), which no env installs",
                l.name, l.version, l.repository
            ));
        }
    }
    Ok(problems)
}

/// Pulls every chart of `uses` that the lock does not already hold as
/// pinned into `dir/charts/`, then writes the lock; removes packages the
/// old lock listed that no env installs. All or nothing.
pub(crate) fn vendor(
    dir: &Path,
    uses: &[ChartUse],
    options: &VendorOptions,
) -> Result<VendorReport> {
    let old = Lock::read(&lock_path(dir))?;
    let charts = dir.join(CHARTS_DIR);
    let mut report = VendorReport::default();
    let mut to_pull = Vec::new();
    for u in uses {
        let c = &u.chart;
        match old.find(&c.name, &c.repository(), &c.version) {
            Some(l) if verify(dir, l).is_ok() => report.charts.push((l.clone(), Action::Kept)),
            _ => to_pull.push(u),
        }
    }
    let mut staged = Vec::new();
    let stage = if to_pull.is_empty() {
        None
    } else {
        let helm = helm::find("gen vendor pulls charts")?;
        std::fs::create_dir_all(&charts).map_err(|e| Error::io("create", &charts, e))?;
        let stage = tempfile::Builder::new()
            .prefix(".gen-vendor-")
            .tempdir_in(&charts)
            .map_err(|e| Error::io("create a folder in", &charts, e))?;
        let mut errors = Vec::new();
        for (i, u) in to_pull.iter().enumerate() {
            let into = stage.path().join(i.to_string());
            std::fs::create_dir(&into).map_err(|e| Error::io("create", &into, e))?;
            match pull_one(&helm, u, &into, &old, options) {
                Ok((path, locked)) => staged.push((path, locked)),
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Config(errors));
        }
        Some(stage)
    };
    // The version each moved chart had before, read while it is still here.
    for (u, (path, locked)) in to_pull.iter().zip(&staged) {
        let before = old
            .charts
            .iter()
            .filter(|l| l.name == locked.name && l.version != locked.version)
            .max_by_key(|l| {
                let replaced = !uses
                    .iter()
                    .any(|u| u.chart.name == l.name && u.chart.version == l.version);
                (replaced, l.repository == locked.repository)
            });
        if let Some(l) = before {
            if let (Ok(old), Ok(new)) = (verify(dir, l), std::fs::read(path)) {
                report.moved.push(Moved {
                    used_by: u.used_by.clone(),
                    old,
                    new,
                });
            }
        }
    }
    // Everything pulled and read back: put it in place, then the lock.
    for (path, locked) in staged {
        let to = charts.join(&locked.file);
        std::fs::rename(&path, &to).map_err(|e| Error::io("move into place", &to, e))?;
        report.charts.push((locked, Action::Pulled));
    }
    drop(stage);
    let lock = Lock {
        charts: report.charts.iter().map(|(l, _)| l.clone()).collect(),
    };
    let text = lock.to_text();
    let path = lock_path(dir);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .map_err(|e| Error::io("create a file in", dir, e))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())
            .map_err(|e| Error::io("write", tmp.path().to_path_buf(), e))?;
        tmp.persist(&path)
            .map_err(|e| Error::io("write", &path, e.error))?;
    }
    for l in &old.charts {
        if !lock.charts.iter().any(|k| k.file == l.file) {
            let p = charts.join(&l.file);
            match std::fs::remove_file(&p) {
                Ok(()) => report.removed.push(l.file.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("remove", &p, e)),
            }
        }
    }
    report
        .charts
        .sort_by(|(a, _), (b, _)| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    Ok(report)
}

/// Pulls one chart and proves it is the package pinned (and, when the old
/// lock knew this pin, the same bytes).
fn pull_one(
    helm: &Path,
    u: &ChartUse,
    into: &Path,
    old: &Lock,
    options: &VendorOptions,
) -> std::result::Result<(PathBuf, Locked), Diagnostic> {
    let c = &u.chart;
    let fail = |message: String, help: &str| {
        Diagnostic::new(message)
            .at(u.at.clone())
            .path(format!(
                "charts.{}",
                u.used_by[0].split_once('/').map_or("", |(_, c)| c)
            ))
            .help(help)
    };
    let path = helm::pull(helm, c, into, options.plain_http).map_err(|said| {
        fail(
            format!(
                "helm pull of {} (for {}) failed: {said}",
                u.label(),
                u.used_by.join(", ")
            ),
            "check the repository URL and that it has this version (`helm show chart` lists a chart's versions' details); the repository must be reachable from here",
        )
    })?;
    let bytes = std::fs::read(&path).map_err(|e| fail(format!("{}: {e}", path.display()), ""))?;
    let p = Package::read(&bytes).map_err(|e| {
        fail(
            format!("{} is refused: {e}", u.label()),
            "a chart package is a .tgz of one folder named after the chart, regular files only",
        )
    })?;
    if p.name != c.name || p.version != c.version {
        return Err(fail(
            format!("{} is chart {} {} inside", u.label(), p.name, p.version),
            "the repository serves another chart under this name and version",
        ));
    }
    let locked = Locked {
        name: c.name.to_string(),
        repository: c.repository(),
        version: c.version.to_string(),
        file: u.file(),
        digest: digest(&bytes),
    };
    if let Some(l) = old.find(&c.name, &c.repository(), &c.version) {
        if l.digest != locked.digest {
            return Err(fail(
                format!(
                    "{} is not the package charts.lock records: the repository serves {}, the lock says {}",
                    u.label(),
                    locked.digest,
                    l.digest
                ),
                "a published version changed, or the vendored file was altered: if the new package is expected, remove its entry from charts.lock and run gen vendor again",
            ));
        }
    }
    Ok((path, locked))
}
