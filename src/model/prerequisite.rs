//! What must already exist on the cluster before an env's first sync: the
//! things gen's output refers to but does not create.

use serde::Serialize;

/// One thing the cluster must already have.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Prerequisite {
    /// What kind of thing: `Namespace`, `Secret`, `StorageClass`,
    /// `IngressClass`, `DNS`, `Service`, `Helm release`,
    /// `ClusterSecretStore`, `Argo CD`.
    pub kind: &'static str,
    /// Its name, `namespace/name` where it has a namespace.
    pub name: String,
    /// Who needs it, and what it must hold.
    pub why: String,
}

impl Prerequisite {
    /// A prerequisite of `kind` named `name`, needed because `why`.
    pub fn new(kind: &'static str, name: impl Into<String>, why: impl Into<String>) -> Self {
        Prerequisite {
            kind,
            name: name.into(),
            why: why.into(),
        }
    }
}

/// A resource health check Argo CD needs in `argocd-cm` for a kind it does
/// not know, so that it waits for such objects (sync waves, hooks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HealthCheck {
    /// API group and kind as Argo CD's key spells them (`ray.io_RayJob`).
    pub key: &'static str,
    /// The Lua script (Argo CD runs gopher-lua, Lua 5.1).
    pub lua: &'static str,
}
