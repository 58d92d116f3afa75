//! A RayCluster (`ray.io/v1`; `v1alpha1` is deprecated) for KubeRay, with
//! in-tree autoscaling, and a plain Ingress to its dashboard.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ingress;
use crate::config::{ImageRef, PublicEndpoint, Resources};
use crate::k8s::{
    self, meta, string_map, AutoscalerOptions, Container, ContainerPort, HeadGroupSpec, PodSpec,
    PodTemplateSpec, Resource, WorkerGroupSpec,
};
use crate::model::{
    resources, rules, Address, Component, Cx, Delivery, Document, Finding, Findings, Own, Probe,
    Section, SmokeCheck, View, Workload,
};
use crate::names::is_dns_label;
use crate::yaml::Emitted;

/// Dashboard port of the head.
pub(super) const DASHBOARD_PORT: u16 = 8265;
/// GCS port of the head.
pub(super) const GCS_PORT: u16 = 6379;
/// Ray client port of the head.
pub(super) const CLIENT_PORT: u16 = 10001;

/// The `ray-cluster` component.
pub(super) struct RayCluster;

/// A RayCluster (`ray.io/v1`) with in-tree autoscaling.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RayClusterConfig {
    /// Name of the RayCluster (its head Service is `<name>-head-svc`).
    pub name: String,
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
    /// Public endpoint of the Ray dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<PublicEndpoint>,
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

/// Name of the head Service KubeRay creates.
pub(super) fn head_service(r: &RayClusterConfig) -> String {
    format!("{}-head-svc", r.name)
}

impl UpscalingMode {
    fn name(self) -> &'static str {
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

impl Component for RayCluster {
    type Config = RayClusterConfig;
    const NAME: &'static str = "ray-cluster";
    const ABOUT: &'static str = "A RayCluster managed by KubeRay.";
    const SECTION: Section = Section::Namespaced;
    const TEMPLATE: Option<&'static str> =
        Some(include_str!("../../templates/ray-cluster.yaml.tera"));
    const SYNC_OPTIONS: &'static [&'static str] = &["SkipDryRunOnMissingResource=true"];

    fn delivery(&self, _: &Own<'_, RayClusterConfig>) -> Delivery {
        Delivery::Manifests
    }
    fn needs(&self, _: &Cx<'_, RayClusterConfig>) -> Vec<&'static str> {
        vec!["kuberay-operator"]
    }
    /// The head Service KubeRay creates: dashboard and Ray client ports.
    fn addresses(&self, own: &Own<'_, RayClusterConfig>) -> Vec<Address> {
        let head = head_service(own.config);
        vec![
            Address::new("dashboard", head.clone(), own.namespace, DASHBOARD_PORT),
            Address::new("client", head, own.namespace, CLIENT_PORT),
        ]
    }
    fn validate(&self, cx: &Cx<'_, RayClusterConfig>, f: &mut Findings) {
        let r = cx.config;
        rules::name(&r.name, &["name"], f);
        if !r.image.tag.starts_with(&r.ray_version) {
            f.at(
                &["image"],
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
        rules::resources(&r.head.resources, &["head", "resources"], f);
        if r.worker_groups.is_empty() {
            f.at(
                &["workerGroups"],
                "a RayCluster needs at least one worker group",
                "add a group with groupName, replicas, minReplicas, maxReplicas and resources",
            );
        }
        let mut seen = BTreeSet::new();
        for (i, g) in r.worker_groups.iter().enumerate() {
            let idx = i.to_string();
            let p = |leaf: &'static str| ["workerGroups", idx.as_str(), leaf];
            if !is_dns_label(&g.group_name) {
                f.at(
                    &p("groupName"),
                    format!("`{}` is not a valid worker group name", g.group_name),
                    "use a non-empty DNS label: lower-case letters, digits and `-`",
                );
            } else if !seen.insert(g.group_name.as_str()) {
                f.at(
                    &p("groupName"),
                    format!("worker group `{}` is defined twice", g.group_name),
                    "give every worker group its own name",
                );
            }
            if !(g.min_replicas <= g.replicas && g.replicas <= g.max_replicas) {
                f.at(
                    &p("replicas"),
                    format!(
                        "minReplicas ≤ replicas ≤ maxReplicas does not hold: {} ≤ {} ≤ {}",
                        g.min_replicas, g.replicas, g.max_replicas
                    ),
                    "the autoscaler keeps replicas between minReplicas and maxReplicas",
                );
            }
            if g.max_replicas == 0 {
                f.at(
                    &p("maxReplicas"),
                    "maxReplicas is 0: the group can never run a worker",
                    "set maxReplicas to 1 or more",
                );
            }
            rules::resources(&g.resources, &p("resources"), f);
        }
    }
    fn workloads(&self, own: &Own<'_, RayClusterConfig>) -> Vec<Workload> {
        let r = own.config;
        let mut head =
            Workload::pods(Self::NAME, own.namespace, "head", 1).container(&r.head.resources);
        if r.autoscaling.enabled {
            head = head.default_container(
                &resources((Some("500m"), Some("512Mi")), (Some("500m"), Some("512Mi"))),
                "head: autoscaler sidecar resources default from KubeRay 1.7.0 (common/pod.go)",
            );
        }
        let mut w = vec![head];
        for g in &r.worker_groups {
            let group = Workload::pods(Self::NAME, own.namespace, &g.group_name, g.replicas)
                .container(&g.resources);
            w.push(if r.autoscaling.enabled {
                group.up_to(g.max_replicas)
            } else {
                group
            });
        }
        w
    }
    fn smoke(&self, cx: &Cx<'_, RayClusterConfig>) -> Option<SmokeCheck> {
        let r = cx.config;
        let client = cx.address(Self::NAME, "client").ok()?;
        Some(SmokeCheck {
            namespace: cx.namespace.to_string(),
            target: (client.host(), client.port),
            probe: Probe::RayJob {
                cluster: r.name.clone(),
                image: r.image.to_string(),
                source: include_str!("smoke/ray-cluster.py"),
            },
        })
    }
    fn build(&self, cx: &Cx<'_, RayClusterConfig>) -> Result<Vec<Document>, Finding> {
        let r = cx.config;
        let image = r.image.to_string();
        let spec = k8s::RayCluster {
            ray_version: r.ray_version.clone(),
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
                    vec![
                        port("gcs-server", GCS_PORT),
                        port("dashboard", DASHBOARD_PORT),
                        port("client", CLIENT_PORT),
                    ],
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
        };
        let cluster = Resource::new(meta(&r.name, Some(cx.namespace)), spec);
        let mut docs = vec![Document {
            path: "manifests/ray-cluster.yaml".into(),
            template: Self::NAME,
            data: serde_json::json!({
                "name": r.name,
                "ray_version": cluster.spec.ray_version,
                "autoscaling": cluster.spec.enable_in_tree_autoscaling,
                "head_service": head_service(r),
                "dashboard_port": DASHBOARD_PORT,
            }),
            view: View::One("cluster"),
            expect: vec![Emitted::of(&cluster)],
        }];
        if let Some(host) = ingress::public_host(cx.platform, &r.dashboard) {
            let dashboard = cx.address(Self::NAME, "dashboard")?;
            docs.extend(ingress::document(
                cx.platform,
                "manifests/ray-dashboard-ingress.yaml",
                &format!("{}-dashboard", r.name),
                cx.namespace,
                &host,
                dashboard,
            ));
        }
        Ok(docs)
    }
}
