//! The trait every component implements, and what it declares about itself.

use super::{Delivery, Document, Finding, SmokeCheck, Workload};
use crate::config::PlatformConfig;

/// What every component provides.
pub trait Component: Send + Sync {
    /// Stable identifier, also the file stem of its outputs (`kafka`).
    fn name(&self) -> &'static str;
    /// Its switch, namespace and extra dependencies as config gives them;
    /// `None` when config has no section for it (then it is off).
    fn placement<'a>(&self, config: &'a PlatformConfig) -> Option<Placement<'a>>;
    /// Whether it is on in this env.
    fn enabled(&self, config: &PlatformConfig) -> bool {
        self.placement(config).is_some_and(|p| p.enabled)
    }
    /// Components it needs, by name (before config's `dependsOn`).
    fn needs(&self, config: &PlatformConfig) -> Vec<&'static str>;
    /// Extra dependencies from config (`dependsOn`).
    fn depends_on<'a>(&self, config: &'a PlatformConfig) -> &'a [String] {
        self.placement(config).map_or(&[], |p| p.depends_on)
    }
    /// Namespace its resources go to (the Application's destination).
    fn namespace<'a>(&self, config: &'a PlatformConfig) -> &'a str {
        self.placement(config).map_or("", |p| p.namespace)
    }
    /// How Argo CD applies it.
    fn delivery(&self, config: &PlatformConfig) -> Delivery;
    /// Values files already in the GitOps repository (paths from its root)
    /// that Argo CD applies before the rendered one.
    fn base_value_files(&self, _config: &PlatformConfig) -> Vec<String> {
        Vec::new()
    }
    /// Argo CD `syncOptions` the component's Application needs.
    fn sync_options(&self) -> &'static [&'static str] {
        &[]
    }
    /// Rules the schema cannot express; each finding names its field path.
    fn validate(&self, config: &PlatformConfig, findings: &mut Vec<Finding>);
    /// The files it emits.
    fn build(&self, config: &PlatformConfig) -> Vec<Document>;
    /// The pods it creates, with their requests, limits and volumes.
    fn workloads(&self, config: &PlatformConfig) -> Vec<Workload>;
    /// The Kubernetes Secrets it reads: (namespace, reference).
    fn secrets(&self, _config: &PlatformConfig) -> Vec<SecretUse> {
        Vec::new()
    }
    /// The smoke check that proves it works after a sync, if it has one.
    fn smoke_check(&self, _config: &PlatformConfig) -> Option<SmokeCheck> {
        None
    }
}

/// A component shared by the platform and its render threads.
pub type Shared = std::sync::Arc<dyn Component>;

/// Where a component runs and whether it is on, as its config says.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    /// The component's `enabled`.
    pub enabled: bool,
    /// Namespace of its resources.
    pub namespace: &'a str,
    /// Its `dependsOn`.
    pub depends_on: &'a [String],
}

impl<'a> Placement<'a> {
    /// From a component config's `enabled`, `namespace` and `dependsOn`.
    pub fn new(enabled: bool, namespace: &'a str, depends_on: &'a [String]) -> Self {
        Placement {
            enabled,
            namespace,
            depends_on,
        }
    }
}

/// A Secret a component reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretUse {
    /// Namespace of the Secret (the reader's).
    pub namespace: String,
    /// The Secret and key.
    pub reference: crate::config::SecretRef,
    /// Kubernetes Secret type, when it must be a particular one.
    pub secret_type: Option<&'static str>,
}

impl SecretUse {
    /// An opaque Secret key read in `namespace`.
    pub fn new(namespace: &str, reference: &crate::config::SecretRef) -> SecretUse {
        SecretUse {
            namespace: namespace.to_string(),
            reference: reference.clone(),
            secret_type: None,
        }
    }
}
