//! Releases: any Helm chart as a few lines of config, rendered like a
//! built-in Helm component (values file, Application, sync wave from what
//! it depends on), without Rust.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Helm release of any chart, under `releases.<name>`: `<name>` names its
/// files (`values/<name>.yaml`, `apps/<name>.yaml`) and, unless `release`
/// says otherwise, the release. An env file may switch it off, move its
/// pin or add values.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReleaseConfig {
    /// Whether it is rendered in this env.
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Helm release name (default: its name under `releases`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Namespace it is installed into.
    pub namespace: String,
    /// Components and releases it waits for, by name (`kafka`,
    /// `doris-operator`, another release's name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// The chart it installs, all three parts written (three consecutive
    /// lines, as Renovate's regex manager bumps them). Either this or
    /// `git`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<ReleaseChart>,
    /// Instead of a chart: a directory of a Git repository at a pinned
    /// revision, applied as Argo CD finds it (a kustomization when it holds
    /// `kustomization.yaml`, else plain manifests). It takes no `values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitDir>,
    /// Argo CD `syncOptions` of its Application besides gen's
    /// (`ServerSideApply=true`, `SkipDryRunOnMissingResource=true`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
    /// Its values, written as its values file as they are; with the chart
    /// vendored, every key is checked against it. No credentials: point the
    /// chart at a Secret instead.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub values: serde_json::Map<String, serde_json::Value>,
}

/// A directory of a Git repository at a pinned revision.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GitDir {
    /// Git URL (`https://github.com/kubeflow/pipelines.git`).
    pub repo_url: String,
    /// A tag or commit: what Argo CD checks out (a branch would move
    /// under the env).
    pub revision: String,
    /// The directory inside the repository.
    pub path: String,
}

/// A release's chart.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReleaseChart {
    /// Chart repository as Helm names it: an HTTP(S) index or an
    /// `oci://` registry path.
    pub repository: String,
    /// Chart name in that repository.
    pub chart: String,
    /// Chart version (exact, as the repository lists it).
    pub version: String,
}

impl ReleaseChart {
    /// The same chart as a pin of a built-in component's shape.
    pub fn pin(&self) -> super::ChartPin {
        super::ChartPin {
            repository: Some(self.repository.clone()),
            chart: Some(self.chart.clone()),
            version: Some(self.version.clone()),
        }
    }
}
