//! KubeRay's `RayCluster` and `RayJob` (`ray.io/v1`, KubeRay 1.7.0): the
//! fields gen sets. Every worker group has `groupName` and `template`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CustomResource, PodTemplateSpec, RAY_API_VERSION};

/// The spec of a RayCluster.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RayCluster {
    /// Ray version of the image.
    pub ray_version: String,
    /// Whether the in-tree autoscaler runs.
    pub enable_in_tree_autoscaling: bool,
    /// The autoscaler's settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaler_options: Option<AutoscalerOptions>,
    /// The head.
    pub head_group_spec: HeadGroupSpec,
    /// The worker groups.
    pub worker_group_specs: Vec<WorkerGroupSpec>,
}

impl CustomResource for RayCluster {
    const API_VERSION: &'static str = RAY_API_VERSION;
    const KIND: &'static str = "RayCluster";
}

/// The autoscaler's settings.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoscalerOptions {
    /// `Default`, `Aggressive` or `Conservative`.
    pub upscaling_mode: &'static str,
    /// Seconds a worker stays idle before it is removed.
    pub idle_timeout_seconds: u32,
}

/// The head pod.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeadGroupSpec {
    /// `ray start` parameters.
    pub ray_start_params: BTreeMap<String, String>,
    /// The pod.
    pub template: PodTemplateSpec,
}

/// A worker group.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerGroupSpec {
    /// Group name, unique in the cluster.
    pub group_name: String,
    /// Workers at start.
    pub replicas: u32,
    /// Fewest workers.
    pub min_replicas: u32,
    /// Most workers.
    pub max_replicas: u32,
    /// `ray start` parameters.
    pub ray_start_params: BTreeMap<String, String>,
    /// The pod.
    pub template: PodTemplateSpec,
}

/// The spec of a RayJob on an existing cluster.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RayJob {
    /// The command the job runs.
    pub entrypoint: String,
    /// Labels selecting the existing RayCluster.
    pub cluster_selector: BTreeMap<String, String>,
    /// Seconds the job may run. (A RayJob on an existing cluster may not
    /// set `backoffLimit`; its submitter retries on its own.)
    pub active_deadline_seconds: u32,
    /// The pod that submits the job.
    pub submitter_pod_template: PodTemplateSpec,
}

impl CustomResource for RayJob {
    const API_VERSION: &'static str = RAY_API_VERSION;
    const KIND: &'static str = "RayJob";
}

/// The spec of a RayService: Serve applications on a cluster KubeRay
/// manages for them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RayService {
    /// The Serve config (YAML text, Serve's own snake_case schema).
    #[serde(rename = "serveConfigV2")]
    pub serve_config_v2: String,
    /// The cluster the applications run on.
    pub ray_cluster_config: RayCluster,
    /// How KubeRay replaces the cluster when its spec changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade_strategy: Option<UpgradeStrategy>,
}

impl CustomResource for RayService {
    const API_VERSION: &'static str = RAY_API_VERSION;
    const KIND: &'static str = "RayService";
}

/// A RayService's upgrade strategy.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeStrategy {
    /// `NewCluster` or `NewClusterWithIncrementalUpgrade`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// How traffic moves to the new cluster, for an incremental upgrade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_upgrade_options: Option<ClusterUpgradeOptions>,
}

/// Steps of an incremental upgrade (through a Gateway API gateway).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterUpgradeOptions {
    /// The GatewayClass of the gateway that splits the traffic.
    pub gateway_class_name: String,
    /// Seconds between two steps.
    pub interval_seconds: u32,
    /// Percent of the traffic each step moves.
    pub step_size_percent: u32,
    /// Percent of capacity the new cluster may add at once.
    pub max_surge_percent: u32,
}
