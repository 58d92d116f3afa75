//! The trait every component implements, and the views of the platform it
//! is given: its own section of the config ([`Own`]), and with it what the
//! other enabled components declare ([`Cx`]).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{
    Address, Chart, Delivery, Document, Finding, Findings, HealthCheck, Prerequisite, SecretUse,
    SmokeCheck, Workload,
};
use crate::config::PlatformConfig;

/// The keys a component's section of the config has besides its own
/// settings, handled once for every component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// No section: the component is on or off by other settings (see
    /// [`Component::enabled`]).
    None,
    /// `enabled` (default true) and `dependsOn`.
    Plain,
    /// Also `namespace` (required): where its resources go.
    Namespaced,
    /// Also `release` (default: the component's name) and `values` (free-form
    /// values merged onto the typed ones): a Helm release.
    Release,
}

impl Section {
    /// The keys of this kind of section, in the order the schema lists them.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Section::None => &[],
            Section::Plain => &["enabled", "dependsOn"],
            Section::Namespaced => &["enabled", "namespace", "dependsOn"],
            Section::Release => &["enabled", "release", "namespace", "dependsOn", "values"],
        }
    }
}

/// A part of the platform: typed settings read from its own section of the
/// config (`components.<key>`), the files it emits, what it needs and what
/// it costs. Adding one to the platform is one line in a registry
/// ([`Registrar::add`]); nothing else names it.
pub trait Component: Send + Sync + 'static {
    /// Its settings: what users write in its section besides the keys
    /// [`SECTION`](Self::SECTION) gives every section. Every field is
    /// documented (the docs become the JSON Schema); unknown keys are errors.
    type Config: DeserializeOwned + Serialize + JsonSchema + Send + Sync + 'static;

    /// Stable identifier and file stem of its outputs (`kafka`,
    /// `doris-operator`); its config key is the camelCase form
    /// (`dorisOperator`).
    const NAME: &'static str;
    /// What it is, in one line: the description of its config section.
    const ABOUT: &'static str;
    /// The common keys of its section.
    const SECTION: Section;
    /// The text of its template, `templates/<NAME>.yaml.tera`, when it
    /// emits files of its own.
    const TEMPLATE: Option<&'static str> = None;
    /// Argo CD `syncOptions` its Application needs.
    const SYNC_OPTIONS: &'static [&'static str] = &[];
    /// Whether it creates the Kubernetes Secrets other components read
    /// (then every reader syncs after it).
    const CREATES_SECRETS: bool = false;
    /// The chart it installs unless the config's `charts.<key>` moves it
    /// (a Helm component's [`delivery`](Self::delivery) uses
    /// [`Own::chart`], which is this pin with the config's applied).
    const CHART: Option<Chart> = None;
    /// Key paths of its values file where the chart takes free-form
    /// content although its `values.yaml` does not show the keys, each with
    /// the reason (for the conformance tests against the pinned chart).
    const OPEN_VALUES: &'static [(&'static str, &'static str)] = &[];
    /// Argo CD health checks for the custom kinds it (or its smoke check)
    /// creates that Argo CD does not know: gen renders them into the env's
    /// `cluster/argocd-cm.yaml`.
    const HEALTH: &'static [HealthCheck] = &[];

    /// Whether it is on in this env: by default its section's `enabled`
    /// (a component whose section is absent is off without being asked; one
    /// with [`Section::None`] has no section and is on unless it says
    /// otherwise here).
    fn enabled(&self, own: &Own<'_, Self::Config>) -> bool {
        own.enabled
    }
    /// How Argo CD applies it.
    fn delivery(&self, own: &Own<'_, Self::Config>) -> Delivery;
    /// Components it needs, by name, besides config's `dependsOn` (the
    /// components that create its namespace, or the Secrets it reads, are
    /// added by the platform).
    fn needs(&self, _cx: &Cx<'_, Self::Config>) -> Vec<&'static str> {
        Vec::new()
    }
    /// The addresses it serves, for other components to connect to
    /// ([`Cx::address`]).
    fn addresses(&self, _own: &Own<'_, Self::Config>) -> Vec<Address> {
        Vec::new()
    }
    /// The Kubernetes Secrets it reads.
    fn secrets(&self, _own: &Own<'_, Self::Config>) -> Vec<SecretUse> {
        Vec::new()
    }
    /// The namespaces it creates: every other component placed in one of
    /// them syncs after it, and with any declared, a component placed in
    /// another is an error.
    fn namespaces(&self, _own: &Own<'_, Self::Config>) -> Vec<String> {
        Vec::new()
    }
    /// What must already exist on the cluster for it (an existing release
    /// it links to, a namespace it only uses, the TLS Secret of its
    /// endpoint): `gen plan` lists them.
    fn prerequisites(&self, _own: &Own<'_, Self::Config>) -> Vec<Prerequisite> {
        Vec::new()
    }
    /// Values files already in the GitOps repository (paths from its root)
    /// that Argo CD applies before the rendered one.
    fn base_value_files(&self, _own: &Own<'_, Self::Config>) -> Vec<String> {
        Vec::new()
    }
    /// Rules the schema cannot express; each finding names its field path.
    fn validate(&self, _cx: &Cx<'_, Self::Config>, _findings: &mut Findings) {}
    /// The files it emits. An address it needs that nothing serves is a
    /// finding.
    fn build(&self, cx: &Cx<'_, Self::Config>) -> Result<Vec<Document>, Finding>;
    /// The pods it creates, with their requests, limits and volumes.
    fn workloads(&self, _own: &Own<'_, Self::Config>) -> Vec<Workload> {
        Vec::new()
    }
    /// The smoke check that proves it works after a sync, if it has one.
    fn smoke(&self, _cx: &Cx<'_, Self::Config>) -> Option<SmokeCheck> {
        None
    }
}

/// Takes components into a platform: the crate's registry adds
/// the built-in ones through it.
pub trait Registrar {
    /// Adds one component.
    fn add<C: Component>(&mut self, component: C);
}

/// What a component sees of one env: the platform's shared settings and
/// its own section (settings and common keys).
#[derive(Debug)]
pub struct Own<'a, T> {
    /// The component's name ([`Component::NAME`]).
    pub name: &'static str,
    /// Env name.
    pub env: &'a str,
    /// The platform's shared settings (domain, storage class, Argo CD,
    /// images, external services, ingress, …).
    pub platform: &'a PlatformConfig,
    /// Its own settings.
    pub config: &'a T,
    /// Its section's `enabled`.
    pub enabled: bool,
    /// Its section's `namespace` (empty when its section has none).
    pub namespace: &'a str,
    /// Its section's `release` (its name when its section has none).
    pub release: &'a str,
    /// Its section's `dependsOn`.
    pub depends_on: &'a [String],
    /// The chart it installs: its [`Component::CHART`] with the config's
    /// `charts.<key>` applied (`None` for a component without one).
    pub chart: Option<&'a Chart>,
    /// Whether the env's values files are checked against vendored
    /// charts: [`values_file`](Self::values_file) then keeps the values as
    /// JSON beside their text.
    pub checks_values: bool,
    /// Its section's free-form `values:` (merged onto its values file
    /// after [`Component::build`]): a rule the chart enforces on a value
    /// they may set reads it here.
    pub values: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

impl<T> Own<'_, T> {
    /// The value its section's `values:` sets at `path`, if it sets one.
    pub fn value_at(&self, path: &[&str]) -> Option<&serde_json::Value> {
        let mut node = self.values?.get(*path.first()?)?;
        for step in &path[1..] {
            node = node.get(step)?;
        }
        Some(node)
    }
}

impl<T> Own<'_, T> {
    /// The chart it installs.
    ///
    /// # Panics
    ///
    /// For a component that declares no [`Component::CHART`].
    pub fn chart(&self) -> &Chart {
        self.chart
            .unwrap_or_else(|| panic!("component `{}` declares no CHART", self.name))
    }

    /// Its values file for its chart: `values/<name>.yaml`, for its
    /// release and namespace.
    pub fn values_file<V: Serialize>(&self, values: &V) -> Document {
        let mut doc = Document::values(
            self.name,
            self.chart(),
            self.release,
            self.namespace,
            values,
        );
        if self.checks_values {
            doc.json = Some(serde_json::to_value(values).expect("values serialise as JSON"));
        }
        doc
    }
}

impl<T> Clone for Own<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Own<'_, T> {}

/// What the enabled components of an env declare, for the others: the
/// addresses they serve, the Secrets they read.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Addresses by (component, role).
    pub addresses: BTreeMap<(&'static str, &'static str), Address>,
    /// Every Secret an enabled component reads, with the reader's name.
    pub secrets: Vec<(&'static str, SecretUse)>,
    /// Namespaces created by an enabled component: name → creator.
    pub namespaces: BTreeMap<String, &'static str>,
}

/// [`Own`], with what the other enabled components declare.
#[derive(Debug)]
pub struct Cx<'a, T> {
    own: Own<'a, T>,
    /// What the enabled components declare.
    pub facts: &'a Facts,
}

impl<'a, T> Cx<'a, T> {
    /// `own` with `facts`.
    pub fn new(own: Own<'a, T>, facts: &'a Facts) -> Self {
        Cx { own, facts }
    }

    /// The address `role` of `component`: a finding when no enabled
    /// component serves it (declare the need in [`Component::needs`]).
    pub fn address(&self, component: &str, role: &str) -> Result<&'a Address, Finding> {
        self.facts
            .addresses
            .iter()
            .find(|((c, r), _)| *c == component && *r == role)
            .map(|(_, a)| a)
            .ok_or_else(|| {
                Finding::new(
                    &["components"],
                    format!("no enabled component serves the `{role}` address of `{component}`"),
                    format!("enable `{component}`"),
                )
            })
    }

    /// Every Secret an enabled component reads.
    pub fn secret_uses(&self) -> impl Iterator<Item = &'a SecretUse> {
        self.facts.secrets.iter().map(|(_, u)| u)
    }
}

impl<'a, T> std::ops::Deref for Cx<'a, T> {
    type Target = Own<'a, T>;
    fn deref(&self) -> &Own<'a, T> {
        &self.own
    }
}
