//! A RayCluster (`ray.io/v1`; `v1alpha1` is deprecated) for KubeRay, with
//! in-tree autoscaling, and a plain Ingress to its dashboard.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ingress;
use super::ray::{
    self, RayAutoscaling, RayHead, RayWorkerGroup, Shape, CLIENT_PORT, DASHBOARD_PORT,
};
use crate::config::{ImageRef, PublicEndpoint};
use crate::k8s::{meta, Resource};
use crate::model::{
    rules, Address, Component, Cx, Delivery, Document, Finding, Findings, HealthCheck, Own,
    Prerequisite, Probe, Section, SmokeCheck, View, Workload,
};
use crate::yaml::Emitted;

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

/// Name of the head Service KubeRay creates.
pub(super) fn head_service(r: &RayClusterConfig) -> String {
    format!("{}-head-svc", r.name)
}

impl RayClusterConfig {
    fn shape(&self) -> Shape<'_> {
        Shape {
            ray_version: &self.ray_version,
            image: &self.image,
            autoscaling: &self.autoscaling,
            head: &self.head,
            worker_groups: &self.worker_groups,
        }
    }
}

/// A RayJob is healthy when its job succeeded, degraded when it failed or
/// was stopped, progressing until then.
const RAY_JOB_HEALTH: &str = r#"hs = { status = "Progressing", message = "" }
if obj.status ~= nil and obj.status.jobStatus ~= nil then
  if obj.status.jobStatus == "SUCCEEDED" then hs.status = "Healthy" end
  if obj.status.jobStatus == "FAILED" or obj.status.jobStatus == "STOPPED" then hs.status = "Degraded" end
  hs.message = obj.status.jobStatus
end
return hs
"#;

impl Component for RayCluster {
    type Config = RayClusterConfig;
    const NAME: &'static str = "ray-cluster";
    const ABOUT: &'static str = "A RayCluster managed by KubeRay.";
    const SECTION: Section = Section::Namespaced;
    const TEMPLATE: Option<&'static str> =
        Some(include_str!("../../templates/ray-cluster.yaml.tera"));
    const SYNC_OPTIONS: &'static [&'static str] = &["SkipDryRunOnMissingResource=true"];
    // Its smoke check is a RayJob: Argo CD waits for the hook only if it
    // knows a RayJob's health.
    const HEALTH: &'static [HealthCheck] = &[HealthCheck {
        key: "ray.io_RayJob",
        lua: RAY_JOB_HEALTH,
    }];

    fn delivery(&self, _: &Own<'_, RayClusterConfig>) -> Delivery {
        Delivery::Manifests
    }
    fn prerequisites(&self, own: &Own<'_, RayClusterConfig>) -> Vec<Prerequisite> {
        let host = ingress::public_host(own.platform, &own.config.dashboard);
        ingress::prerequisites(own.platform, own.namespace, host)
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
        rules::name(&cx.config.name, &["name"], f);
        ray::validate(cx.config.shape(), &[], f);
    }
    fn workloads(&self, own: &Own<'_, RayClusterConfig>) -> Vec<Workload> {
        ray::workloads(own.config.shape(), Self::NAME, own.namespace)
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
        let spec = ray::spec(r.shape(), &cx.platform.images, None);
        let cluster = Resource::new(meta(&r.name, Some(cx.namespace)), spec);
        let mut docs = vec![Document {
            json: None,
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
