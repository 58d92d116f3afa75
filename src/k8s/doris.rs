//! `DorisCluster` (doris.selectdb.com/v1, operator 26.0.0): the fields gen
//! sets. `persistentVolumes` is a list (not the plan's `persistentVolume`);
//! `feSpec.image` is required.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CustomResource, PersistentVolumeClaimSpec, Quantity};

/// The spec of a DorisCluster.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DorisCluster {
    /// Secret of type `kubernetes.io/basic-auth` the operator manages nodes with.
    pub auth_secret: String,
    /// Frontends.
    pub fe_spec: DorisNodeSpec,
    /// Backends.
    pub be_spec: DorisNodeSpec,
}

impl CustomResource for DorisCluster {
    const API_VERSION: &'static str = "doris.selectdb.com/v1";
    const KIND: &'static str = "DorisCluster";
}

/// FE or BE nodes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DorisNodeSpec {
    /// Pods.
    pub replicas: u32,
    /// FEs taking part in leader election (FE only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub election_number: Option<u32>,
    /// Image.
    pub image: String,
    /// Requests of each pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<BTreeMap<String, Quantity>>,
    /// Limits of each pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<BTreeMap<String, Quantity>>,
    /// Volumes of each pod.
    pub persistent_volumes: Vec<DorisPersistentVolume>,
}

/// A volume of each pod: a claim mounted at a path.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DorisPersistentVolume {
    /// Volume name.
    pub name: String,
    /// Where it is mounted.
    pub mount_path: String,
    /// The claim.
    pub persistent_volume_claim_spec: PersistentVolumeClaimSpec,
}
