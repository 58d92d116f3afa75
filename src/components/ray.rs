//! What every Ray cluster gen renders shares, whether a RayCluster of its
//! own or the cluster of a RayService: its settings (Ray version, image,
//! autoscaling, head, worker groups), their rules, the cluster spec and
//! the pods it costs.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::{ImageRef, ImagesConfig, Resources};
use crate::k8s::{
    self, string_map, AutoscalerOptions, Container, ContainerPort, HeadGroupSpec, PodSpec,
    PodTemplateSpec, WorkerGroupSpec,
};
use crate::model::{resources, rules, Findings, Workload};
use crate::names::is_dns_label;

/// Dashboard port of the head.
pub(super) const DASHBOARD_PORT: u16 = 8265;
/// GCS port of the head.
pub(super) const GCS_PORT: u16 = 6379;
/// Ray client port of the head.
pub(super) const CLIENT_PORT: u16 = 10001;

/// A Ray cluster's settings, as a section of their own (a RayService's
/// `cluster`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RayClusterShape {
    /// Ray version (`2.9.0`); the image tag must start with it.
    pub ray_version: String,
    /// Image of head and workers (`rayproject/ray:2.9.0`).
    pub image: ImageRef,
    /// In-tree autoscaling of the worker groups.
    #[serde(default)]
    pub autoscaling: RayAutoscaling,
    /// The head pod.
    pub head: RayHead,
    /// Worker groups; each name is unique in the cluster.
    pub worker_groups: Vec<RayWorkerGroup>,
}

/// A Ray cluster's settings, wherever they are written.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape<'a> {
    pub ray_version: &'a str,
    pub image: &'a ImageRef,
    pub autoscaling: &'a RayAutoscaling,
    pub head: &'a RayHead,
    pub worker_groups: &'a [RayWorkerGroup],
}

impl RayClusterShape {
    pub(super) fn shape(&self) -> Shape<'_> {
        Shape {
            ray_version: &self.ray_version,
            image: &self.image,
            autoscaling: &self.autoscaling,
            head: &self.head,
            worker_groups: &self.worker_groups,
        }
    }
}

/// Autoscaler settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RayAutoscaling {
    /// Whether the autoscaler runs (sets `enableInTreeAutoscaling`).
    #[serde(default = "crate::config::yes")]
    pub enabled: bool,
    /// Seconds a worker stays idle before it is removed.
    #[serde(default = "idle_timeout")]
    #[schemars(range(min = 1))]
    pub idle_timeout_seconds: u32,
    /// How fast the autoscaler adds workers.
    #[serde(default)]
    pub upscaling_mode: UpscalingMode,
}

impl Default for RayAutoscaling {
    fn default() -> Self {
        RayAutoscaling {
            enabled: true,
            idle_timeout_seconds: idle_timeout(),
            upscaling_mode: UpscalingMode::default(),
        }
    }
}

fn idle_timeout() -> u32 {
    60
}

/// The autoscaler's `upscalingMode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub(super) enum UpscalingMode {
    /// Scale up in bounded steps.
    #[default]
    Default,
    /// Scale up as fast as demand asks.
    Aggressive,
    /// Scale up one step at a time.
    Conservative,
}

/// The Ray head.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RayHead {
    /// Container resources.
    pub resources: Resources,
}

/// A Ray worker group.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RayWorkerGroup {
    /// Group name (a DNS label, unique in the cluster).
    pub group_name: String,
    /// Workers at start.
    pub replicas: u32,
    /// Fewest workers the autoscaler keeps.
    pub min_replicas: u32,
    /// Most workers the autoscaler starts.
    pub max_replicas: u32,
    /// Container resources of each worker.
    pub resources: Resources,
}

impl UpscalingMode {
    pub(super) fn name(self) -> &'static str {
        match self {
            UpscalingMode::Default => "Default",
            UpscalingMode::Aggressive => "Aggressive",
            UpscalingMode::Conservative => "Conservative",
        }
    }
}

/// A pod of the cluster: one Ray container.
fn pod(
    name: &str,
    image: &str,
    ports: Vec<ContainerPort>,
    resources: &Resources,
) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: None,
        spec: Some(PodSpec {
            containers: vec![Container {
                name: name.to_string(),
                image: Some(image.to_string()),
                ports: (!ports.is_empty()).then_some(ports),
                resources: Some(resources.to_k8s()),
                ..Container::default()
            }],
            ..PodSpec::default()
        }),
    }
}

fn port(name: &str, port: u16) -> ContainerPort {
    ContainerPort {
        name: Some(name.to_string()),
        container_port: i32::from(port),
        ..ContainerPort::default()
    }
}

/// The rules of a cluster's settings, at `at` in the component's section.
pub(super) fn validate(r: Shape<'_>, at: &[&str], f: &mut Findings) {
    let p =
        |rest: &[&str]| -> Vec<String> { at.iter().chain(rest).map(|s| s.to_string()).collect() };
    if !r.image.tag.starts_with(r.ray_version) {
        f.at(
            &refs(&p(&["image"])),
            format!(
                "image tag `{}` does not match rayVersion `{}`",
                r.image.tag, r.ray_version
            ),
            format!(
                "use an image of Ray {} (e.g. `rayproject/ray:{}`), or change rayVersion",
                r.ray_version, r.ray_version
            ),
        );
    }
    rules::resources(&r.head.resources, &refs(&p(&["head", "resources"])), f);
    if r.worker_groups.is_empty() {
        f.at(
            &refs(&p(&["workerGroups"])),
            "a Ray cluster needs at least one worker group",
            "add a group with groupName, replicas, minReplicas, maxReplicas and resources",
        );
    }
    let mut seen = BTreeSet::new();
    for (i, g) in r.worker_groups.iter().enumerate() {
        let idx = i.to_string();
        let g_at = |leaf: &str| p(&["workerGroups", idx.as_str(), leaf]);
        if !is_dns_label(&g.group_name) {
            f.at(
                &refs(&g_at("groupName")),
                format!("`{}` is not a valid worker group name", g.group_name),
                "use a non-empty DNS label: lower-case letters, digits and `-`",
            );
        } else if !seen.insert(g.group_name.as_str()) {
            f.at(
                &refs(&g_at("groupName")),
                format!("worker group `{}` is defined twice", g.group_name),
                "give every worker group its own name",
            );
        }
        if !(g.min_replicas <= g.replicas && g.replicas <= g.max_replicas) {
            f.at(
                &refs(&g_at("replicas")),
                format!(
                    "minReplicas ≤ replicas ≤ maxReplicas does not hold: {} ≤ {} ≤ {}",
                    g.min_replicas, g.replicas, g.max_replicas
                ),
                "the autoscaler keeps replicas between minReplicas and maxReplicas",
            );
        }
        if g.max_replicas == 0 {
            f.at(
                &refs(&g_at("maxReplicas")),
                "maxReplicas is 0: the group can never run a worker",
                "set maxReplicas to 1 or more",
            );
        }
        rules::resources(&g.resources, &refs(&g_at("resources")), f);
    }
}

fn refs(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

/// The pods of a cluster: the head (with the autoscaler beside it) and
/// every worker group, autoscaled ones up to `maxReplicas`.
pub(super) fn workloads(r: Shape<'_>, component: &'static str, namespace: &str) -> Vec<Workload> {
    let mut head = Workload::pods(component, namespace, "head", 1).container(&r.head.resources);
    if r.autoscaling.enabled {
        head = head.default_container(
            &resources((Some("500m"), Some("512Mi")), (Some("500m"), Some("512Mi"))),
            "head: autoscaler sidecar resources default from KubeRay 1.7.0 (common/pod.go)",
        );
    }
    let mut w = vec![head];
    for g in r.worker_groups {
        let group =
            Workload::pods(component, namespace, &g.group_name, g.replicas).container(&g.resources);
        w.push(if r.autoscaling.enabled {
            group.up_to(g.max_replicas)
        } else {
            group
        });
    }
    w
}

/// The cluster's spec: the head with its GCS, dashboard and client ports
/// (and `serve` when given: KubeRay makes a RayService's Serve Service
/// from the head container's `serve` port, and makes none without it),
/// and the worker groups.
pub(super) fn spec(r: Shape<'_>, images: &ImagesConfig, serve: Option<u16>) -> k8s::RayCluster {
    let image = images.pull(&r.image.to_string());
    k8s::RayCluster {
        ray_version: r.ray_version.to_string(),
        enable_in_tree_autoscaling: r.autoscaling.enabled,
        autoscaler_options: r.autoscaling.enabled.then_some(AutoscalerOptions {
            upscaling_mode: r.autoscaling.upscaling_mode.name(),
            idle_timeout_seconds: r.autoscaling.idle_timeout_seconds,
        }),
        head_group_spec: HeadGroupSpec {
            ray_start_params: string_map([("dashboard-host", "0.0.0.0")]),
            template: pod(
                "ray-head",
                &image,
                [
                    port("gcs-server", GCS_PORT),
                    port("dashboard", DASHBOARD_PORT),
                    port("client", CLIENT_PORT),
                ]
                .into_iter()
                .chain(serve.map(|p| port("serve", p)))
                .collect(),
                &r.head.resources,
            ),
        },
        worker_group_specs: r
            .worker_groups
            .iter()
            .map(|g| WorkerGroupSpec {
                group_name: g.group_name.clone(),
                replicas: g.replicas,
                min_replicas: g.min_replicas,
                max_replicas: g.max_replicas,
                ray_start_params: BTreeMap::new(),
                template: pod("ray-worker", &image, Vec::new(), &g.resources),
            })
            .collect(),
    }
}
