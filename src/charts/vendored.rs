//! The vendored charts of a config directory, loaded once: every package
//! `charts.lock` lists, its digest verified, read into [`ChartKeys`].

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{digest, ChartKeys, Lock, Package, CHARTS_DIR, LOCK_FILE};
use crate::error::Diagnostic;
use crate::model::Chart;

/// The charts a config directory has vendored, by name, version and
/// repository.
#[derive(Debug, Default)]
pub struct Vendored {
    charts: BTreeMap<(String, String, String), Arc<ChartKeys>>,
}

impl Vendored {
    /// Loads `dir`'s vendored charts; `None` when it has no `charts.lock`.
    pub fn load(dir: &Path) -> Result<Option<Vendored>, Vec<Diagnostic>> {
        let lock_path = dir.join(LOCK_FILE);
        if !lock_path.is_file() {
            return Ok(None);
        }
        let lock = Lock::read(&lock_path).map_err(|e| match e {
            crate::error::Error::Config(ds) => ds,
            other => vec![Diagnostic::new(other.to_string())],
        })?;
        let loaded = crate::parallel::in_parallel(&lock.charts, |l| {
            let path = dir.join(CHARTS_DIR).join(&l.file);
            let help =
                "run `gen vendor` to pull it again (`gen vendor --check` lists every mismatch)";
            let fail = |m: String| Diagnostic::new(m).help(help);
            let bytes = std::fs::read(&path)
                .map_err(|e| fail(format!("{}: {e} (charts.lock lists it)", path.display())))?;
            if digest(&bytes) != l.digest {
                return Err(fail(format!(
                    "{} is not the package charts.lock records",
                    path.display()
                )));
            }
            let package =
                Package::read(&bytes).map_err(|e| fail(format!("{}: {e}", path.display())))?;
            let keys =
                ChartKeys::of(&package).map_err(|e| fail(format!("{}: {e}", path.display())))?;
            Ok((
                (l.name.clone(), l.version.clone(), l.repository.clone()),
                Arc::new(keys),
            ))
        });
        let mut charts = BTreeMap::new();
        let mut errors = Vec::new();
        for r in loaded {
            match r {
                Ok((k, v)) => {
                    charts.insert(k, v);
                }
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Some(Vendored { charts }))
    }

    /// The vendored chart a pin names.
    pub fn get(&self, chart: &Chart) -> Option<&ChartKeys> {
        self.charts
            .get(&(
                chart.name.to_string(),
                chart.version.to_string(),
                chart.repository(),
            ))
            .map(|k| k.as_ref())
    }
}
