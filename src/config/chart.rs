//! Chart pins: which chart, from which repository, at which version, a Helm
//! component installs. The built-in components each pin one by default;
//! `charts.<component>` in the config moves any part of it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Helm chart pin. Every part defaults to the component's built-in pin,
/// so `version:` alone bumps the chart. Written whole, an entry is the shape
/// a Renovate regex manager bumps (`repository`, `chart`, `version` on
/// consecutive lines).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChartPin {
    /// Chart repository as Helm names it: an HTTP(S) index
    /// (`https://helm.neo4j.com/neo4j`) or an OCI registry path
    /// (`oci://registry-1.docker.io/bitnamicharts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Chart name in that repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Chart version (exact, as the repository lists it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}
