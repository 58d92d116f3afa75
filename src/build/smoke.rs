//! Post-deployment smoke checks as Argo CD `PostSync` hooks: a `batch/v1`
//! Job per component (a `RayJob` for Ray) that proves the component
//! answers, with pinned images, resources, a deadline and a backoff limit,
//! credentials from the component's own Secret references, and addresses
//! computed from the component's release name and namespace.

use serde::Serialize;

use crate::components::EnvVar;
use crate::config::PlatformConfig;
use crate::model::{Document, Env, Probe, SmokeCheck, View};

/// Argo CD hook annotations.
pub const HOOK: &str = "argocd.argoproj.io/hook";
/// Argo CD hook delete policy annotation.
pub const HOOK_DELETE: &str = "argocd.argoproj.io/hook-delete-policy";

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
        name: SmokeCheck::name(component),
        namespace: namespace.to_string(),
        annotations: [(HOOK, "PostSync"), (HOOK_DELETE, "BeforeHookCreation")]
            .into_iter()
            .collect(),
    }
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
                                resources: check.resources(),
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
            image,
            entrypoint,
        } => {
            let job = Check {
                api_version: crate::k8s::RAY_API_VERSION,
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
                                image,
                                command: None,
                                env: None,
                                resources: check.resources(),
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
        path: format!("manifests/{}.yaml", SmokeCheck::name(component)),
        template: "smoke",
        data: serde_json::json!({
            "kind": kind,
            "target": format!("{}:{}", check.target.0, check.target.1),
        }),
        view: View::One("job"),
        expect: vec![doc],
    }
}
