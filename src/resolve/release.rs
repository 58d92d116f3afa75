//! The config's `releases:` as components: each one a Helm release of the
//! chart it pins, with its values as its values file, placed and ordered
//! like a built-in Helm component. What its chart creates is not known
//! to gen (`gen plan` lists it as not counted).

use std::any::Any;
use std::sync::Arc;

use schemars::{Schema, SchemaGenerator};

use super::erased::{Common, Erased, Shared, Slot};
use super::Resolved;
use crate::config::ReleaseConfig;
use crate::merge::{Merged, ReadError};
use crate::model::{
    Address, Chart, Delivery, Document, Finding, Findings, HealthCheck, Prerequisite, SecretUse,
    Section, SmokeCheck, View, Workload,
};
use crate::yaml::Emitted;

/// The stem of the template every release's values file is written with.
pub(crate) const TEMPLATE: &str = "release";

/// One `releases.<name>` entry.
pub(crate) struct Release {
    name: &'static str,
    chart: Chart,
    sync_options: Vec<String>,
}

/// `name` as a `&'static str`, each distinct name allocated once per
/// process (component names are `'static`; releases are few).
fn intern(name: &str) -> &'static str {
    static NAMES: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    match names.get(name) {
        Some(n) => n,
        None => {
            let n: &'static str = Box::leak(name.to_string().into_boxed_str());
            names.insert(n);
            n
        }
    }
}

/// The releases of `config`, each with its slot (the chart is pinned in
/// full: nothing defaults).
pub(crate) fn releases(
    config: &std::collections::BTreeMap<String, ReleaseConfig>,
) -> Vec<(Shared, Slot)> {
    config
        .iter()
        .map(|(name, r)| {
            let chart = Chart {
                repo_url: std::borrow::Cow::Owned(
                    r.chart
                        .repository
                        .strip_prefix("oci://")
                        .unwrap_or(&r.chart.repository)
                        .to_string(),
                ),
                name: std::borrow::Cow::Owned(r.chart.chart.clone()),
                version: std::borrow::Cow::Owned(r.chart.version.clone()),
            };
            let release = Release {
                name: intern(name),
                chart: chart.clone(),
                sync_options: r.sync_options.clone(),
            };
            let slot = Slot {
                present: true,
                common: Common {
                    enabled: r.enabled,
                    release: r.release.clone(),
                    namespace: Some(r.namespace.clone()),
                    depends_on: r.depends_on.clone(),
                    values: None,
                },
                config: Some(Box::new(r.values.clone())),
                enabled: false,
                chart: Some(chart),
            };
            (Arc::new(release) as Shared, slot)
        })
        .collect()
}

impl Release {
    fn values<'s>(&self, slot: &'s Slot) -> &'s serde_json::Map<String, serde_json::Value> {
        slot.config
            .as_deref()
            .and_then(|c| c.downcast_ref())
            .expect("a release's settings are its values")
    }
}

impl Erased for Release {
    fn name(&self) -> &'static str {
        self.name
    }
    fn key(&self) -> String {
        self.name.to_string()
    }
    fn section_path(&self) -> Vec<String> {
        vec!["releases".into(), self.name.to_string()]
    }
    fn about(&self) -> &'static str {
        "A Helm release declared under `releases`."
    }
    fn section(&self) -> Section {
        Section::Release
    }
    fn template(&self) -> Option<&'static str> {
        None
    }
    fn sync_options(&self) -> Vec<String> {
        self.sync_options.clone()
    }
    fn creates_secrets(&self) -> bool {
        false
    }
    fn open_values(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    fn chart(&self) -> Option<Chart> {
        Some(self.chart.clone())
    }
    fn schema(&self, generator: &mut SchemaGenerator) -> Schema {
        generator.subschema_for::<ReleaseConfig>()
    }
    fn read(
        &self,
        _config: &Merged<'_>,
        _at: &[&str],
    ) -> Result<Option<Box<dyn Any + Send + Sync>>, ReadError> {
        unreachable!("a release is read with the platform's settings")
    }
    fn no_section(&self) -> Result<Box<dyn Any + Send + Sync>, String> {
        unreachable!("a release has its section")
    }
    fn to_json(&self, config: &(dyn Any + Send + Sync)) -> serde_json::Value {
        let values = config
            .downcast_ref::<serde_json::Map<String, serde_json::Value>>()
            .expect("a release's values");
        serde_json::Value::Object(values.clone())
    }
    fn enabled(&self, _r: &Resolved, slot: &Slot) -> bool {
        slot.common.enabled
    }
    fn delivery(&self, _r: &Resolved, _slot: &Slot) -> Delivery {
        Delivery::Helm(self.chart.clone())
    }
    fn needs(&self, _r: &Resolved, _slot: &Slot) -> Vec<&'static str> {
        Vec::new()
    }
    fn addresses(&self, _r: &Resolved, _slot: &Slot) -> Vec<Address> {
        Vec::new()
    }
    fn secrets(&self, _r: &Resolved, _slot: &Slot) -> Vec<SecretUse> {
        Vec::new()
    }
    fn namespaces(&self, _r: &Resolved, _slot: &Slot) -> Vec<String> {
        Vec::new()
    }
    fn prerequisites(&self, _r: &Resolved, _slot: &Slot) -> Vec<Prerequisite> {
        Vec::new()
    }
    fn health(&self) -> &'static [HealthCheck] {
        &[]
    }
    fn base_value_files(&self, _r: &Resolved, _slot: &Slot) -> Vec<String> {
        Vec::new()
    }
    fn validate(&self, _r: &Resolved, _slot: &Slot, f: &mut Findings) {
        crate::model::rules::name(self.name, &[], f);
        for (i, o) in self.sync_options.iter().enumerate() {
            let ok = o
                .split_once('=')
                .is_some_and(|(k, v)| !k.is_empty() && !v.is_empty() && !o.contains(' '));
            if !ok {
                f.at(
                    &["syncOptions", &i.to_string()],
                    format!("`{o}` is not an Argo CD sync option"),
                    "write `Name=value`, e.g. `ServerSideApply=true` or `SkipDryRunOnMissingResource=true`",
                );
            }
        }
    }
    fn build(&self, r: &Resolved, slot: &Slot) -> Result<Vec<Document>, Finding> {
        let values = self.values(slot);
        let release = slot.common.release.as_deref().unwrap_or(self.name);
        Ok(vec![Document {
            path: format!("values/{}.yaml", self.name),
            template: TEMPLATE,
            data: serde_json::json!({
                "chart": &self.chart,
                "release": release,
                "namespace": slot.namespace(),
                "name": self.name,
            }),
            view: View::One("values"),
            expect: vec![Emitted::of(values)],
            json: r
                .checks_values
                .then(|| serde_json::Value::Object(values.clone())),
        }])
    }
    fn workloads(&self, _r: &Resolved, _slot: &Slot) -> Vec<Workload> {
        Vec::new()
    }
    fn smoke(&self, _r: &Resolved, _slot: &Slot) -> Option<SmokeCheck> {
        None
    }
}
