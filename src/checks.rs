//! Post-deployment smoke checks as Argo CD `PostSync` hooks: a `batch/v1`
//! Job per component (a `RayJob` for Ray) that proves the component
//! answers, with pinned images, resources, a deadline and a backoff limit,
//! credentials from the component's own Secret references, and addresses
//! computed from the component's release name and namespace.

use serde::Serialize;

use crate::components::{Component, Document, EnvVar};
use crate::config::{PlatformConfig, SecretRef};
use crate::plan::{resources, Workload};

/// Argo CD hook annotations.
pub const HOOK: &str = "argocd.argoproj.io/hook";
/// Argo CD hook delete policy annotation.
pub const HOOK_DELETE: &str = "argocd.argoproj.io/hook-delete-policy";

/// An environment variable of a check: a value, or a key of a Secret.
#[derive(Debug, Clone)]
pub enum Env {
    /// A plain value (addresses, user names).
    Value(&'static str, String),
    /// A Secret key (passwords).
    Secret(&'static str, SecretRef),
}

/// What a check runs.
#[derive(Debug, Clone)]
pub enum Probe {
    /// A shell script in a pinned image.
    Script {
        /// Pinned image.
        image: String,
        /// `sh -c` script; reads its inputs from the environment.
        script: &'static str,
        /// Environment: addresses, users, Secret keys.
        env: Vec<Env>,
        /// Whether the tool is a JVM (more memory, a bounded heap).
        jvm: bool,
    },
    /// A RayJob submitted to an existing RayCluster.
    RayJob {
        /// Name of the RayCluster.
        cluster: String,
        /// Python entrypoint.
        entrypoint: &'static str,
    },
}

/// One component's smoke check.
#[derive(Debug, Clone)]
pub struct SmokeCheck {
    /// Namespace the check runs in.
    pub namespace: String,
    /// The address the check talks to (`host`, `port`).
    pub target: (String, u16),
    /// What it runs.
    pub probe: Probe,
}

/// Pinned images of the checks.
pub mod images {
    /// curl, for HTTP health endpoints.
    pub const CURL: &str = "curlimages/curl:8.15.0";
    /// The MySQL 8.4 client, for Doris's MySQL protocol.
    pub const MYSQL: &str = "mysql:8.4.6";
    /// Neo4j's image, for `cypher-shell`.
    pub const NEO4J: &str = "neo4j:5.17.0";
    /// MLflow's client.
    pub const MLFLOW: &str = "ghcr.io/mlflow/mlflow:v3.15.1";
    /// Kafka's tools: the tag the pinned chart deploys.
    pub const KAFKA_TAG: &str = "4.0.0-debian-12-r10";
}

/// Environment variables of a check's target address.
pub fn target_env(host: &str, port: u16) -> Vec<Env> {
    vec![
        Env::Value("HOST", host.to_string()),
        Env::Value("PORT", port.to_string()),
    ]
}

/// Whether `component`'s check is on in this env.
pub fn enabled(c: &PlatformConfig, component: &str) -> bool {
    c.checks
        .as_ref()
        .is_some_and(|k| k.enabled && !k.skip.iter().any(|s| s == component))
}

/// The check of a component, if it has one and it is on.
pub fn of(c: &PlatformConfig, component: &dyn Component) -> Option<SmokeCheck> {
    if !enabled(c, component.name()) {
        return None;
    }
    component.smoke_check(c)
}

fn check_name(component: &str) -> String {
    format!("{component}-smoke-check")
}

/// A Job or RayJob.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Check<S> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    spec: S,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JobSpec<'a> {
    active_deadline_seconds: u32,
    backoff_limit: u32,
    template: PodTemplate<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RayJobSpec<'a> {
    entrypoint: &'a str,
    cluster_selector: std::collections::BTreeMap<&'static str, &'a str>,
    // A RayJob on an existing cluster may not set backoffLimit; its
    // submitter retries on its own.
    active_deadline_seconds: u32,
    submitter_pod_template: PodTemplate<'a>,
}

#[derive(Serialize)]
struct PodTemplate<'a> {
    metadata: PodMetadata,
    spec: PodSpec<'a>,
}

/// An Istio sidecar would never exit and the Job never complete.
#[derive(Serialize)]
struct PodMetadata {
    annotations: std::collections::BTreeMap<&'static str, &'static str>,
}

impl PodMetadata {
    fn no_sidecar() -> PodMetadata {
        PodMetadata {
            annotations: [("sidecar.istio.io/inject", "false")].into_iter().collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PodSpec<'a> {
    restart_policy: &'static str,
    containers: [Container<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Container<'a> {
    name: &'static str,
    image: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<[&'a str; 3]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    env: Option<Vec<EnvVar<'a>>>,
    resources: crate::config::Resources,
    #[serde(skip_serializing_if = "Option::is_none")]
    security_context: Option<SecurityContext>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SecurityContext {
    allow_privilege_escalation: bool,
    capabilities: Capabilities,
}

#[derive(Serialize)]
struct Capabilities {
    drop: [&'static str; 1],
}

#[derive(Serialize)]
struct Metadata {
    name: String,
    namespace: String,
    annotations: std::collections::BTreeMap<&'static str, &'static str>,
}

fn metadata(component: &str, namespace: &str) -> Metadata {
    Metadata {
        name: check_name(component),
        namespace: namespace.to_string(),
        annotations: [(HOOK, "PostSync"), (HOOK_DELETE, "BeforeHookCreation")]
            .into_iter()
            .collect(),
    }
}

/// Requests and limits of a check container (small, bounded; a JVM tool
/// gets room for a 256m heap).
fn check_resources(jvm: bool) -> crate::config::Resources {
    if jvm {
        resources((Some("100m"), Some("384Mi")), (Some("500m"), Some("512Mi")))
    } else {
        resources((Some("50m"), Some("64Mi")), (Some("200m"), Some("256Mi")))
    }
}

fn jvm_of(p: &Probe) -> bool {
    matches!(p, Probe::Script { jvm: true, .. })
}

/// The manifest document of a component's check.
pub fn document(c: &PlatformConfig, component: &'static str, check: &SmokeCheck) -> Document {
    let k = c.checks.as_ref().expect("checks are on");
    let metadata = metadata(component, &check.namespace);
    let (kind, doc) = match &check.probe {
        Probe::Script {
            image,
            script,
            env,
            jvm,
        } => {
            let heap = jvm.then_some(Env::Value("JAVA_TOOL_OPTIONS", "-Xmx256m".into()));
            let env = env
                .iter()
                .chain(heap.as_ref())
                .map(|e| match e {
                    Env::Value(name, value) => EnvVar::value(name, value),
                    Env::Secret(name, r) => EnvVar::secret(name, r),
                })
                .collect();
            let job = Check {
                api_version: "batch/v1",
                kind: "Job",
                metadata,
                spec: JobSpec {
                    active_deadline_seconds: k.deadline_seconds,
                    backoff_limit: k.backoff_limit,
                    template: PodTemplate {
                        metadata: PodMetadata::no_sidecar(),
                        spec: PodSpec {
                            restart_policy: "Never",
                            containers: [Container {
                                name: "check",
                                image,
                                command: Some(["sh", "-c", script]),
                                env: Some(env),
                                resources: check_resources(*jvm),
                                security_context: Some(SecurityContext {
                                    allow_privilege_escalation: false,
                                    capabilities: Capabilities { drop: ["ALL"] },
                                }),
                            }],
                        },
                    },
                },
            };
            ("Job", crate::yaml::Emitted::of(&job))
        }
        Probe::RayJob {
            cluster,
            entrypoint,
        } => {
            let image = ray_image(c);
            let job = Check {
                api_version: crate::components::RAY_API_VERSION,
                kind: "RayJob",
                metadata,
                spec: RayJobSpec {
                    entrypoint,
                    cluster_selector: [("ray.io/cluster", cluster.as_str())].into_iter().collect(),
                    active_deadline_seconds: k.deadline_seconds,
                    submitter_pod_template: PodTemplate {
                        metadata: PodMetadata::no_sidecar(),
                        spec: PodSpec {
                            restart_policy: "Never",
                            containers: [Container {
                                name: "ray-job-submitter",
                                image: &image,
                                command: None,
                                env: None,
                                resources: check_resources(false),
                                security_context: None,
                            }],
                        },
                    },
                },
            };
            ("RayJob", crate::yaml::Emitted::of(&job))
        }
    };
    Document {
        path: format!("manifests/{}.yaml", check_name(component)),
        template: "check",
        data: serde_json::json!({
            "kind": kind,
            "target": format!("{}:{}", check.target.0, check.target.1),
        }),
        view: crate::components::View::One("job"),
        expect: vec![doc],
    }
}

fn ray_image(c: &PlatformConfig) -> String {
    c.components
        .ray_cluster
        .as_ref()
        .map_or_else(String::new, |r| r.image.to_string())
}

/// The check's Job, for `gen plan` (counted apart from long-running pods).
pub fn workload(component: &'static str, check: &SmokeCheck) -> Workload {
    Workload::job(component, &check.namespace, &check_name(component))
        .container(&check_resources(jvm_of(&check.probe)))
}
