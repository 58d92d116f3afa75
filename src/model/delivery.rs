//! How Argo CD applies a component: a Helm chart at a pinned version,
//! plain manifests, or upstream kustomize directories.

use std::borrow::Cow;

use serde::Serialize;

use crate::config::ImagesConfig;

/// A Helm chart at a pinned version.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Chart repository as Argo CD's `repoURL` takes it: an HTTP(S) index,
    /// or an OCI registry path without `oci://`.
    pub repo_url: Cow<'static, str>,
    /// Chart name.
    pub name: Cow<'static, str>,
    /// Pinned chart version.
    pub version: Cow<'static, str>,
}

impl Chart {
    /// The repository as Helm names it: an HTTP(S) index URL, or
    /// `oci://` and the registry path.
    pub fn repository(&self) -> String {
        if self.repo_url.contains("://") {
            self.repo_url.to_string()
        } else {
            format!("oci://{}", self.repo_url)
        }
    }

    /// Whether the repository is an OCI registry.
    pub fn is_oci(&self) -> bool {
        !self.repo_url.contains("://")
    }

    /// This chart with the parts `pin` sets replaced.
    pub fn pinned_by(&self, pin: &crate::config::ChartPin) -> Chart {
        let repo_url = match pin.repository.as_deref() {
            Some(r) => Cow::Owned(r.strip_prefix("oci://").unwrap_or(r).to_string()),
            None => self.repo_url.clone(),
        };
        let or = |v: &Option<String>, d: &Cow<'static, str>| match v {
            Some(v) => Cow::Owned(v.clone()),
            None => d.clone(),
        };
        Chart {
            repo_url,
            name: or(&pin.chart, &self.name),
            version: or(&pin.version, &self.version),
        }
    }

    /// A chart pinned in code.
    pub const fn pinned(
        repo_url: &'static str,
        name: &'static str,
        version: &'static str,
    ) -> Chart {
        Chart {
            repo_url: Cow::Borrowed(repo_url),
            name: Cow::Borrowed(name),
            version: Cow::Borrowed(version),
        }
    }
}

/// How Argo CD applies a component.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// A Helm release of a chart, with the component's values file.
    Helm(Chart),
    /// Plain manifests from the env's `manifests/` directory.
    Manifests,
    /// Upstream kustomize directories at a pinned revision (plus any
    /// manifests the component renders, such as an Ingress).
    Kustomize(KustomizeSource),
    /// A directory of a Git repository at a pinned revision, as Argo CD
    /// finds it (a kustomization or plain manifests).
    Git(crate::config::GitDir),
}

/// Kustomize directories of an upstream Git repository at a pinned revision.
#[derive(Debug, Clone, Copy)]
pub struct KustomizeSource {
    /// Git URL.
    pub repo_url: &'static str,
    /// Pinned tag.
    pub revision: &'static str,
    /// Directories applied, in order.
    pub paths: &'static [&'static str],
    /// Every image the manifests' containers run, pinned (`name:tag`, the
    /// name as the manifests write it, which is what kustomize matches):
    /// with a mirror, Argo CD's kustomize `images` points each at it.
    pub images: &'static [&'static str],
    /// Patches pointing the images set outside container `image` fields
    /// (environment variables, arguments, ConfigMaps) at the mirror.
    pub mirror_patches: fn(&ImagesConfig) -> Vec<ImagePatch>,
}

/// A patch of one object of a kustomize build (strategic merge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePatch {
    /// The object's kind.
    pub kind: &'static str,
    /// The object's name.
    pub name: &'static str,
    /// The patch, as YAML text.
    pub patch: String,
}

impl ImagePatch {
    /// No patches: every image is in a container's `image` field.
    pub fn none(_: &ImagesConfig) -> Vec<ImagePatch> {
        Vec::new()
    }
}

/// A Helm release an env renders: the component, its chart, and the values
/// file gen writes for it.
#[derive(Debug, Clone)]
pub struct Release {
    /// The component (`kafka`).
    pub component: &'static str,
    /// Release name.
    pub name: String,
    /// Namespace it is installed into.
    pub namespace: String,
    /// The chart at its pinned version.
    pub chart: Chart,
    /// The values file, inside the env directory (`values/kafka.yaml`).
    pub values_file: String,
    /// Key paths of the values file the chart takes as free-form content
    /// although its `values.yaml` does not show them, with the reason
    /// ([`Component::OPEN_VALUES`](super::Component::OPEN_VALUES)).
    pub open_values: &'static [(&'static str, &'static str)],
}
