//! The vendored charts of a config directory, loaded once: every package
//! `charts.lock` lists, its digest verified, read into [`ChartKeys`].

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use super::{digest, ChartKeys, Lock, Package, CHARTS_DIR, LOCK_FILE};
use crate::error::Diagnostic;
use crate::model::Chart;

/// The charts a config directory has vendored, by name, version and
/// repository.
#[derive(Debug, Default)]
pub struct Vendored {
    charts: BTreeMap<Key, Arc<ChartKeys>>,
    /// Each chart's package file and its digest (`sha256:…`).
    files: BTreeMap<Key, (std::path::PathBuf, String)>,
}

/// A chart's name, version and repository.
type Key = (String, String, String);

impl Vendored {
    /// Loads `dir`'s vendored charts; `None` when it has no `charts.lock`.
    pub fn load(dir: &Path) -> Result<Option<Vendored>, Vec<Diagnostic>> {
        match Loader::start(dir) {
            Some(loader) => loader.finish().map(Some),
            None => Ok(None),
        }
    }

    /// The vendored chart a pin names.
    pub fn get(&self, chart: &Chart) -> Option<&ChartKeys> {
        self.key(chart)
            .and_then(|k| self.charts.get(k))
            .map(|k| k.as_ref())
    }

    /// The package file of the vendored chart a pin names, and its
    /// digest (`sha256:…`, as charts.lock records it).
    pub fn package(&self, chart: &Chart) -> Option<(&Path, &str)> {
        self.key(chart)
            .and_then(|k| self.files.get(k))
            .map(|(p, d)| (p.as_path(), d.as_str()))
    }

    /// Packages to render, their keys not read ([`get`](Self::get) finds
    /// none): each locked chart with its package file (its digest checked
    /// by the caller).
    pub fn packages(
        files: impl IntoIterator<Item = (super::Locked, std::path::PathBuf)>,
    ) -> Vendored {
        Vendored {
            charts: BTreeMap::new(),
            files: files
                .into_iter()
                .map(|(l, path)| ((l.name, l.version, l.repository), (path, l.digest)))
                .collect(),
        }
    }

    /// The package file of a locked chart, when it is vendored here with
    /// the digest the lock records.
    pub fn locked_file(&self, l: &super::Locked) -> Option<&Path> {
        let key = (l.name.clone(), l.version.clone(), l.repository.clone());
        self.files
            .get(&key)
            .filter(|(_, d)| *d == l.digest)
            .map(|(p, _)| p.as_path())
    }

    fn key(&self, chart: &Chart) -> Option<&Key> {
        let oci = chart.is_oci();
        self.files.keys().find(|(name, version, repository)| {
            *name == chart.name
                && *version == chart.version
                && match repository.strip_prefix("oci://") {
                    Some(r) => oci && r == chart.repo_url,
                    None => !oci && *repository == chart.repo_url,
                }
        })
    }
}

/// One locked package, its digest verified, read into [`ChartKeys`].
fn read(dir: &Path, l: &super::Locked) -> Loaded {
    let path = dir.join(CHARTS_DIR).join(&l.file);
    let help = "run `gen vendor` to pull it again (`gen vendor --check` lists every mismatch)";
    let fail = |m: String| Diagnostic::new(m).help(help);
    let bytes = std::fs::read(&path)
        .map_err(|e| fail(format!("{}: {e} (charts.lock lists it)", path.display())))?;
    if digest(&bytes) != l.digest {
        return Err(fail(format!(
            "{} is not the package charts.lock records",
            path.display()
        )));
    }
    let package = Package::read(&bytes).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    let keys = ChartKeys::of(&package).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    Ok((
        (l.name.clone(), l.version.clone(), l.repository.clone()),
        Arc::new(keys),
        (path, l.digest.clone()),
    ))
}

/// What reading one package gives.
type Loaded = Result<(Key, Arc<ChartKeys>, (std::path::PathBuf, String)), Diagnostic>;

/// The vendored charts being read: a thread of its own reads the packages,
/// largest first, from [`start`](Self::start) on; whoever needs them then
/// reads the rest beside it ([`finish`](Self::finish)).
#[derive(Debug)]
pub struct Loader {
    dir: std::path::PathBuf,
    /// The lock's entries, or why it could not be read.
    lock: Result<Vec<super::Locked>, Vec<Diagnostic>>,
    /// Entry indexes, largest package first.
    order: Vec<usize>,
    next: AtomicUsize,
    read: Mutex<Vec<Option<Loaded>>>,
    all_read: Condvar,
}

impl Loader {
    /// Starts reading `dir`'s vendored charts; `None` when it has no
    /// `charts.lock`.
    pub fn start(dir: &Path) -> Option<Arc<Loader>> {
        let lock_path = dir.join(LOCK_FILE);
        if !lock_path.is_file() {
            return None;
        }
        let lock = Lock::read(&lock_path)
            .map(|l| l.charts)
            .map_err(|e| match e {
                crate::error::Error::Config(ds) => ds,
                other => vec![Diagnostic::new(other.to_string())],
            });
        let entries = lock.as_deref().unwrap_or_default();
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_cached_key(|&i| {
            let file = dir.join(CHARTS_DIR).join(&entries[i].file);
            std::cmp::Reverse(std::fs::metadata(file).map_or(0, |m| m.len()))
        });
        let loader = Arc::new(Loader {
            dir: dir.to_path_buf(),
            read: Mutex::new((0..entries.len()).map(|_| None).collect()),
            lock,
            order,
            next: AtomicUsize::new(0),
            all_read: Condvar::new(),
        });
        let worker = loader.clone();
        std::thread::spawn(move || worker.work());
        Some(loader)
    }

    /// Reads packages nobody has taken yet, until none is left.
    fn work(&self) {
        let Ok(entries) = &self.lock else { return };
        loop {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = self.order.get(n) else { return };
            let loaded =
                std::panic::catch_unwind(|| read(&self.dir, &entries[i])).unwrap_or_else(|_| {
                    Err(Diagnostic::new(format!(
                        "reading the vendored chart {} failed",
                        entries[i].file
                    )))
                });
            let mut done = self.read.lock().unwrap_or_else(|p| p.into_inner());
            done[i] = Some(loaded);
            if done.iter().all(Option::is_some) {
                self.all_read.notify_all();
            }
        }
    }

    /// Reads what is left beside the thread, then the charts; the errors
    /// in the lock's order.
    pub fn finish(&self) -> Result<Vendored, Vec<Diagnostic>> {
        if let Err(ds) = &self.lock {
            return Err(ds.clone());
        }
        self.work();
        let mut done = self.read.lock().unwrap_or_else(|p| p.into_inner());
        while !done.iter().all(Option::is_some) {
            done = self.all_read.wait(done).unwrap_or_else(|p| p.into_inner());
        }
        let (mut charts, mut files) = (BTreeMap::new(), BTreeMap::new());
        let mut errors = Vec::new();
        for r in done.iter_mut().filter_map(Option::take) {
            match r {
                Ok((k, v, path)) => {
                    files.insert(k.clone(), path);
                    charts.insert(k, v);
                }
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Vendored { charts, files })
    }
}
