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
    source: Source,
    sync_options: Vec<String>,
}

/// What a release applies.
#[derive(Clone)]
enum Source {
    Chart(Chart),
    Git(crate::config::GitDir),
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

/// The releases of `config`, each with its slot (a chart is pinned in
/// full: nothing defaults). One with neither or both of `chart` and `git`
/// is left out: [`problems`] reports it.
pub(crate) fn releases(
    config: &std::collections::BTreeMap<String, ReleaseConfig>,
) -> Vec<(Shared, Slot)> {
    config
        .iter()
        .filter_map(|(name, r)| {
            let source = match (&r.chart, &r.git) {
                (Some(c), None) => Source::Chart(Chart {
                    repo_url: std::borrow::Cow::Owned(
                        c.repository
                            .strip_prefix("oci://")
                            .unwrap_or(&c.repository)
                            .to_string(),
                    ),
                    name: std::borrow::Cow::Owned(c.chart.clone()),
                    version: std::borrow::Cow::Owned(c.version.clone()),
                }),
                (None, Some(g)) => Source::Git(g.clone()),
                _ => return None,
            };
            let chart = match &source {
                Source::Chart(c) => Some(c.clone()),
                Source::Git(_) => None,
            };
            let release = Release {
                name: intern(name),
                source,
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
                chart,
            };
            Some((Arc::new(release) as Shared, slot))
        })
        .collect()
}

/// What is wrong with a release that [`releases`] cannot see: `(path below
/// the release, message, help)`.
pub(crate) fn problems(r: &ReleaseConfig) -> Vec<(Vec<&'static str>, String, String)> {
    let mut out = Vec::new();
    match (&r.chart, &r.git) {
        (None, None) => out.push((
            vec![],
            "a release needs `chart` or `git`".to_string(),
            "add `chart: {repository, chart, version}` for a Helm chart, or `git: {repoUrl, revision, path}` for a directory of a Git repository".to_string(),
        )),
        (Some(_), Some(_)) => out.push((
            vec!["git"],
            "a release has `chart` or `git`, not both".to_string(),
            "keep the one it installs".to_string(),
        )),
        (None, Some(g)) => {
            if !r.values.is_empty() {
                out.push((
                    vec!["values"],
                    "a Git directory takes no values".to_string(),
                    "remove `values`, or install the directory's chart through `chart`".to_string(),
                ));
            }
            let scheme = ["https://", "http://", "ssh://", "git@"]
                .iter()
                .find(|s| g.repo_url.starts_with(*s));
            if scheme.is_none_or(|s| g.repo_url.len() == s.len()) {
                out.push((
                    vec!["git", "repoUrl"],
                    format!("`{}` is not a Git URL Argo CD can clone", g.repo_url),
                    "write an https:// or ssh:// URL (or git@host:path)".to_string(),
                ));
            }
            let revision = g.revision.trim();
            if revision.is_empty() || revision == "HEAD" || revision.contains(char::is_whitespace) {
                out.push((
                    vec!["git", "revision"],
                    format!("`{}` does not pin a revision", g.revision),
                    "write a tag or a commit (`v2.3.0`, `8f3c1a2`): the env then moves only when the config does".to_string(),
                ));
            }
            if g.path.starts_with('/') || g.path.split('/').any(|p| p == "..") {
                out.push((
                    vec!["git", "path"],
                    format!("`{}` is not a directory inside the repository", g.path),
                    "write the path from the repository's root, without a leading `/` or `..`".to_string(),
                ));
            }
        }
        (Some(_), None) => {}
    }
    out
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
    fn written_values<'s>(
        &self,
        slot: &'s Slot,
    ) -> Option<&'s serde_json::Map<String, serde_json::Value>> {
        Some(self.values(slot))
    }
    fn creates_secrets(&self) -> bool {
        false
    }
    fn open_values(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    fn chart(&self) -> Option<Chart> {
        match &self.source {
            Source::Chart(c) => Some(c.clone()),
            Source::Git(_) => None,
        }
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
        match &self.source {
            Source::Chart(c) => Delivery::Helm(c.clone()),
            Source::Git(g) => Delivery::Git(g.clone()),
        }
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
        let Source::Chart(chart) = &self.source else {
            // Argo CD applies the directory as it is.
            return Ok(Vec::new());
        };
        let values = self.values(slot);
        let release = slot.common.release.as_deref().unwrap_or(self.name);
        Ok(vec![Document {
            path: format!("values/{}.yaml", self.name),
            template: TEMPLATE,
            data: serde_json::json!({
                "chart": chart,
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
