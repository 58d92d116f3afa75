//! A RayCluster (`ray.io/v1`; `v1alpha1` is deprecated) for KubeRay, with
//! in-tree autoscaling, and a plain Ingress to its dashboard.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{check_resources, ingress, Component, Delivery, Document, K8sResources};
use crate::config::{PlatformConfig, RayClusterConfig, UpscalingMode};
use {crate::model::Finding, crate::names::is_dns_label};

/// `apiVersion` of RayCluster.
pub const API_VERSION: &str = "ray.io/v1";
/// Dashboard port of the head.
pub const DASHBOARD_PORT: u16 = 8265;
/// GCS port of the head.
pub const GCS_PORT: u16 = 6379;
/// Ray client port of the head.
pub const CLIENT_PORT: u16 = 10001;

/// The `ray-cluster` component.
pub struct RayCluster;

fn config(c: &PlatformConfig) -> Option<&RayClusterConfig> {
    c.components.ray_cluster.as_ref()
}

/// Name of the head Service KubeRay creates.
pub fn head_service(r: &RayClusterConfig) -> String {
    format!("{}-head-svc", r.name)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Cluster<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata<'a>,
    spec: Spec,
}

#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
    namespace: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    ray_version: String,
    enable_in_tree_autoscaling: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    autoscaler_options: Option<AutoscalerOptions>,
    head_group_spec: HeadGroup,
    worker_group_specs: Vec<WorkerGroup>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AutoscalerOptions {
    upscaling_mode: UpscalingMode,
    idle_timeout_seconds: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HeadGroup {
    ray_start_params: BTreeMap<&'static str, &'static str>,
    template: Template,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkerGroup {
    group_name: String,
    replicas: u32,
    min_replicas: u32,
    max_replicas: u32,
    ray_start_params: BTreeMap<&'static str, &'static str>,
    template: Template,
}

#[derive(Serialize)]
struct Template {
    spec: PodSpec,
}

#[derive(Serialize)]
struct PodSpec {
    containers: Vec<Container>,
}

#[derive(Serialize)]
struct Container {
    name: &'static str,
    image: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<ContainerPort>,
    resources: K8sResources,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContainerPort {
    name: &'static str,
    container_port: u16,
}

impl Component for RayCluster {
    fn name(&self) -> &'static str {
        "ray-cluster"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        config(c).map(|x| Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        let mut n = super::needs_namespaces(c);
        n.push("kuberay-operator");
        n
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Manifests
    }
    fn sync_options(&self) -> &'static [&'static str] {
        &["SkipDryRunOnMissingResource=true"]
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let Some(r) = config(c) else { return };
        super::check_placement(c, "rayCluster", "name", &r.name, &r.namespace, f);
        if !r.image.tag.starts_with(&r.ray_version) {
            f.push(Finding::new(
                &["components", "rayCluster", "image"],
                format!(
                    "image tag `{}` does not match rayVersion `{}`",
                    r.image.tag, r.ray_version
                ),
                format!(
                    "use an image of Ray {} (e.g. `rayproject/ray:{}`), or change rayVersion",
                    r.ray_version, r.ray_version
                ),
            ));
        }
        check_resources(
            &r.head.resources,
            &["components", "rayCluster", "head", "resources"],
            f,
        );
        if r.worker_groups.is_empty() {
            f.push(Finding::new(
                &["components", "rayCluster", "workerGroups"],
                "a RayCluster needs at least one worker group",
                "add a group with groupName, replicas, minReplicas, maxReplicas and resources",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, g) in r.worker_groups.iter().enumerate() {
            let idx = i.to_string();
            let p = |leaf: &'static str| {
                [
                    "components",
                    "rayCluster",
                    "workerGroups",
                    idx.as_str(),
                    leaf,
                ]
            };
            if !is_dns_label(&g.group_name) {
                f.push(Finding::new(
                    &p("groupName"),
                    format!("`{}` is not a valid worker group name", g.group_name),
                    "use a non-empty DNS label: lower-case letters, digits and `-`",
                ));
            } else if !seen.insert(g.group_name.as_str()) {
                f.push(Finding::new(
                    &p("groupName"),
                    format!("worker group `{}` is defined twice", g.group_name),
                    "give every worker group its own name",
                ));
            }
            if !(g.min_replicas <= g.replicas && g.replicas <= g.max_replicas) {
                f.push(Finding::new(
                    &p("replicas"),
                    format!(
                        "minReplicas ≤ replicas ≤ maxReplicas does not hold: {} ≤ {} ≤ {}",
                        g.min_replicas, g.replicas, g.max_replicas
                    ),
                    "the autoscaler keeps replicas between minReplicas and maxReplicas",
                ));
            }
            if g.max_replicas == 0 {
                f.push(Finding::new(
                    &p("maxReplicas"),
                    "maxReplicas is 0: the group can never run a worker",
                    "set maxReplicas to 1 or more",
                ));
            }
            check_resources(
                &g.resources,
                &[
                    "components",
                    "rayCluster",
                    "workerGroups",
                    idx.as_str(),
                    "resources",
                ],
                f,
            );
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<crate::model::Workload> {
        use crate::model::{resources, Workload};
        let Some(r) = config(c) else {
            return Vec::new();
        };
        let mut head =
            Workload::pods(self.name(), &r.namespace, "head", 1).container(&r.head.resources);
        if r.autoscaling.enabled {
            head = head.default_container(
                &resources((Some("500m"), Some("512Mi")), (Some("500m"), Some("512Mi"))),
                "head: autoscaler sidecar resources default from KubeRay 1.7.0 (common/pod.go)",
            );
        }
        let mut w = vec![head];
        for g in &r.worker_groups {
            let group = Workload::pods(self.name(), &r.namespace, &g.group_name, g.replicas)
                .container(&g.resources);
            w.push(if r.autoscaling.enabled {
                group.up_to(g.max_replicas)
            } else {
                group
            });
        }
        w
    }

    fn smoke_check(&self, c: &PlatformConfig) -> Option<crate::model::SmokeCheck> {
        use crate::model::{Probe, SmokeCheck};
        let r = config(c)?;
        Some(SmokeCheck {
            namespace: r.namespace.clone(),
            target: (crate::components::service_host(&head_service(r), &r.namespace), CLIENT_PORT),
            probe: Probe::RayJob {
                cluster: r.name.clone(),
                image: r.image.to_string(),
                entrypoint: "python -c \"import ray; ray.init(); assert ray.get(ray.remote(lambda: 42).remote()) == 42; print(ray.cluster_resources())\"",
            },
        })
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let Some(r) = config(c) else {
            return Vec::new();
        };
        let image = r.image.to_string();
        let cluster = Cluster {
            api_version: API_VERSION,
            kind: "RayCluster",
            metadata: Metadata {
                name: &r.name,
                namespace: &r.namespace,
            },
            spec: Spec {
                ray_version: r.ray_version.clone(),
                enable_in_tree_autoscaling: r.autoscaling.enabled,
                autoscaler_options: r.autoscaling.enabled.then_some(AutoscalerOptions {
                    upscaling_mode: r.autoscaling.upscaling_mode,
                    idle_timeout_seconds: r.autoscaling.idle_timeout_seconds,
                }),
                head_group_spec: HeadGroup {
                    ray_start_params: BTreeMap::from([("dashboard-host", "0.0.0.0")]),
                    template: Template {
                        spec: PodSpec {
                            containers: vec![Container {
                                name: "ray-head",
                                image: image.clone(),
                                ports: vec![
                                    ContainerPort {
                                        name: "gcs-server",
                                        container_port: GCS_PORT,
                                    },
                                    ContainerPort {
                                        name: "dashboard",
                                        container_port: DASHBOARD_PORT,
                                    },
                                    ContainerPort {
                                        name: "client",
                                        container_port: CLIENT_PORT,
                                    },
                                ],
                                resources: (&r.head.resources).into(),
                            }],
                        },
                    },
                },
                worker_group_specs: r
                    .worker_groups
                    .iter()
                    .map(|g| WorkerGroup {
                        group_name: g.group_name.clone(),
                        replicas: g.replicas,
                        min_replicas: g.min_replicas,
                        max_replicas: g.max_replicas,
                        ray_start_params: BTreeMap::new(),
                        template: Template {
                            spec: PodSpec {
                                containers: vec![Container {
                                    name: "ray-worker",
                                    image: image.clone(),
                                    ports: Vec::new(),
                                    resources: (&g.resources).into(),
                                }],
                            },
                        },
                    })
                    .collect(),
            },
        };
        let mut docs = vec![Document {
            path: "manifests/ray-cluster.yaml".into(),
            template: "ray-cluster",
            data: serde_json::json!({
                "name": cluster.metadata.name,
                "ray_version": cluster.spec.ray_version,
                "autoscaling": cluster.spec.enable_in_tree_autoscaling,
                "head_service": head_service(r),
                "dashboard_port": DASHBOARD_PORT,
            }),
            view: super::View::One("cluster"),
            expect: vec![crate::yaml::Emitted::of(&cluster)],
        }];
        if let Some(host) = ingress::public_host(c, &r.dashboard) {
            let name = format!("{}-dashboard", r.name);
            if let Some(ing) = ingress::ingress(
                c,
                &name,
                &r.namespace,
                &host,
                &head_service(r),
                DASHBOARD_PORT,
            ) {
                docs.push(ingress::document(
                    "manifests/ray-dashboard-ingress.yaml".into(),
                    &ing,
                ));
            }
        }
        docs
    }
}
