//! Components of any type in one list: each typed [`Component`] behind one
//! object-safe trait, its settings kept as `dyn Any` in its [`Slot`] and
//! handed back typed to every call.

use std::any::Any;
use std::sync::Arc;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;

use super::Resolved;
use crate::merge::{Merged, ReadError};
use crate::model::{
    Address, Chart, Component, Cx, Delivery, Document, Finding, Findings, HealthCheck, Own,
    Prerequisite, Registrar, SecretUse, Section, SmokeCheck, Workload,
};
use crate::names::config_key;

/// The keys every section may have; which of them a section has is its
/// [`Section`] kind.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Common {
    #[serde(default = "crate::config::yes")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// A Helm component's free-form values, merged onto the typed ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One component's part of a resolved env.
pub(crate) struct Slot {
    /// Whether its section is in the config (always false for
    /// [`Section::None`]).
    pub present: bool,
    /// Its section's common keys (defaults when absent).
    pub common: Common,
    /// Its typed settings, when it has them.
    pub config: Option<Box<dyn Any + Send + Sync>>,
    /// Whether it is on in this env.
    pub enabled: bool,
    /// The chart it installs (its pin with the config's applied).
    pub chart: Option<Chart>,
}

impl Slot {
    /// The namespace of its resources ("" when its section has none).
    pub(crate) fn namespace(&self) -> &str {
        self.common.namespace.as_deref().unwrap_or_default()
    }
}

/// A component of any type.
pub(crate) trait Erased: Send + Sync {
    fn name(&self) -> &'static str;
    /// Its key in config: a component's camelCase name, a release's name.
    fn key(&self) -> String {
        config_key(self.name())
    }
    /// Where its section is in config (`components.kafka`,
    /// `releases.redis`).
    fn section_path(&self) -> Vec<String> {
        vec!["components".into(), self.key()]
    }
    fn about(&self) -> &'static str;
    fn section(&self) -> Section;
    fn template(&self) -> Option<&'static str>;
    fn sync_options(&self) -> Vec<String>;
    /// The free-form values its section writes into its values file
    /// (`values`, at `section_path` + `values`).
    fn written_values<'s>(
        &self,
        slot: &'s Slot,
    ) -> Option<&'s serde_json::Map<String, serde_json::Value>> {
        slot.common.values.as_ref()
    }
    fn creates_secrets(&self) -> bool;
    fn open_values(&self) -> &'static [(&'static str, &'static str)];
    fn chart(&self) -> Option<Chart>;
    /// The schema of its settings.
    fn schema(&self, generator: &mut SchemaGenerator) -> Schema;
    /// Its settings at `at`, without the common keys; `None` when absent.
    fn read(
        &self,
        config: &Merged<'_>,
        at: &[&str],
    ) -> Result<Option<Box<dyn Any + Send + Sync>>, ReadError>;
    /// Its settings for a component with no section.
    fn no_section(&self) -> Result<Box<dyn Any + Send + Sync>, String>;
    /// Its settings as JSON (for the effective config).
    fn to_json(&self, config: &(dyn Any + Send + Sync)) -> serde_json::Value;
    fn enabled(&self, r: &Resolved, slot: &Slot) -> bool;
    fn delivery(&self, r: &Resolved, slot: &Slot) -> Delivery;
    fn needs(&self, r: &Resolved, slot: &Slot) -> Vec<&'static str>;
    fn addresses(&self, r: &Resolved, slot: &Slot) -> Vec<Address>;
    fn secrets(&self, r: &Resolved, slot: &Slot) -> Vec<SecretUse>;
    fn namespaces(&self, r: &Resolved, slot: &Slot) -> Vec<String>;
    fn prerequisites(&self, r: &Resolved, slot: &Slot) -> Vec<Prerequisite>;
    fn health(&self) -> &'static [HealthCheck];
    fn base_value_files(&self, r: &Resolved, slot: &Slot) -> Vec<String>;
    fn validate(&self, r: &Resolved, slot: &Slot, findings: &mut Findings);
    fn build(&self, r: &Resolved, slot: &Slot) -> Result<Vec<Document>, Finding>;
    fn workloads(&self, r: &Resolved, slot: &Slot) -> Vec<Workload>;
    fn smoke(&self, r: &Resolved, slot: &Slot) -> Option<SmokeCheck>;
}

/// A component shared by the platform and its render threads.
pub(crate) type Shared = Arc<dyn Erased>;

/// The platform's components, in the order they were added.
#[derive(Default)]
pub(crate) struct Registry(pub Vec<Shared>);

impl Registrar for Registry {
    fn add<C: Component>(&mut self, component: C) {
        self.0.push(Arc::new(Typed(component)));
    }
}

struct Typed<C>(C);

impl<C: Component> Typed<C> {
    fn own<'a>(&self, r: &'a Resolved, slot: &'a Slot) -> Own<'a, C::Config> {
        Own {
            name: C::NAME,
            env: &r.env,
            platform: &r.platform,
            config: slot
                .config
                .as_deref()
                .and_then(|c| c.downcast_ref::<C::Config>())
                .expect("a called component has its settings, of its own type"),
            enabled: slot.common.enabled,
            namespace: slot.namespace(),
            release: slot.common.release.as_deref().unwrap_or(C::NAME),
            depends_on: &slot.common.depends_on,
            chart: slot.chart.as_ref(),
            checks_values: r.checks_values,
            values: slot.common.values.as_ref(),
        }
    }

    fn cx<'a>(&self, r: &'a Resolved, slot: &'a Slot) -> Cx<'a, C::Config> {
        Cx::new(self.own(r, slot), &r.facts)
    }
}

impl<C: Component> Erased for Typed<C> {
    fn name(&self) -> &'static str {
        C::NAME
    }
    fn about(&self) -> &'static str {
        C::ABOUT
    }
    fn section(&self) -> Section {
        C::SECTION
    }
    fn template(&self) -> Option<&'static str> {
        C::TEMPLATE
    }
    fn sync_options(&self) -> Vec<String> {
        C::SYNC_OPTIONS.iter().map(|o| o.to_string()).collect()
    }
    fn creates_secrets(&self) -> bool {
        C::CREATES_SECRETS
    }
    fn open_values(&self) -> &'static [(&'static str, &'static str)] {
        C::OPEN_VALUES
    }
    fn chart(&self) -> Option<Chart> {
        C::CHART
    }
    fn schema(&self, generator: &mut SchemaGenerator) -> Schema {
        <C::Config as JsonSchema>::json_schema(generator)
    }
    fn read(
        &self,
        config: &Merged<'_>,
        at: &[&str],
    ) -> Result<Option<Box<dyn Any + Send + Sync>>, ReadError> {
        let settings: Option<C::Config> = config.read(at, C::SECTION.keys())?;
        Ok(settings.map(|c| Box::new(c) as Box<dyn Any + Send + Sync>))
    }
    fn no_section(&self) -> Result<Box<dyn Any + Send + Sync>, String> {
        let empty = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(
            std::iter::empty::<(&str, &str)>(),
        );
        C::Config::deserialize(empty)
            .map(|c| Box::new(c) as Box<dyn Any + Send + Sync>)
            .map_err(|e| {
                format!(
                    "component `{}` has no section, but its settings need one: {e}",
                    C::NAME
                )
            })
    }
    fn to_json(&self, config: &(dyn Any + Send + Sync)) -> serde_json::Value {
        let config = config
            .downcast_ref::<C::Config>()
            .expect("settings of the component's own type");
        serde_json::to_value(config).expect("settings serialise")
    }
    fn enabled(&self, r: &Resolved, slot: &Slot) -> bool {
        slot.config.is_some() && self.0.enabled(&self.own(r, slot))
    }
    fn delivery(&self, r: &Resolved, slot: &Slot) -> Delivery {
        self.0.delivery(&self.own(r, slot))
    }
    fn needs(&self, r: &Resolved, slot: &Slot) -> Vec<&'static str> {
        self.0.needs(&self.cx(r, slot))
    }
    fn addresses(&self, r: &Resolved, slot: &Slot) -> Vec<Address> {
        self.0.addresses(&self.own(r, slot))
    }
    fn secrets(&self, r: &Resolved, slot: &Slot) -> Vec<SecretUse> {
        self.0.secrets(&self.own(r, slot))
    }
    fn namespaces(&self, r: &Resolved, slot: &Slot) -> Vec<String> {
        self.0.namespaces(&self.own(r, slot))
    }
    fn prerequisites(&self, r: &Resolved, slot: &Slot) -> Vec<Prerequisite> {
        self.0.prerequisites(&self.own(r, slot))
    }
    fn health(&self) -> &'static [HealthCheck] {
        C::HEALTH
    }
    fn base_value_files(&self, r: &Resolved, slot: &Slot) -> Vec<String> {
        self.0.base_value_files(&self.own(r, slot))
    }
    fn validate(&self, r: &Resolved, slot: &Slot, findings: &mut Findings) {
        self.0.validate(&self.cx(r, slot), findings)
    }
    fn build(&self, r: &Resolved, slot: &Slot) -> Result<Vec<Document>, Finding> {
        self.0.build(&self.cx(r, slot))
    }
    fn workloads(&self, r: &Resolved, slot: &Slot) -> Vec<Workload> {
        self.0.workloads(&self.own(r, slot))
    }
    fn smoke(&self, r: &Resolved, slot: &Slot) -> Option<SmokeCheck> {
        self.0.smoke(&self.cx(r, slot))
    }
}

/// The config key of a component's section (`components.<key>`), or a
/// release's name (`releases.<name>`).
pub(crate) fn key(c: &dyn Erased) -> String {
    c.key()
}
