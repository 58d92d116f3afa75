//! Post-deployment smoke checks as Argo CD `PostSync` hooks: a `batch/v1`
//! Job per component (a `RayJob` for Ray) that proves the component
//! answers, with pinned images, resources, a deadline and a backoff limit,
//! credentials from the component's own Secret references, and addresses
//! computed from the component's release name and namespace.

use crate::config::PlatformConfig;
use crate::k8s::{
    env_secret, env_value, meta, string_map, Capabilities, Container, Job, JobSpec, ObjectMeta,
    PodSpec, PodTemplateSpec, RayJob, Resource, SecurityContext,
};
use crate::model::{Document, Env, Probe, SmokeCheck, View};
use crate::yaml::Emitted;

/// Argo CD hook annotations.
pub(crate) const HOOK: &str = "argocd.argoproj.io/hook";
/// Argo CD hook delete policy annotation.
pub(crate) const HOOK_DELETE: &str = "argocd.argoproj.io/hook-delete-policy";

/// The check's metadata: a `PostSync` hook, replaced at the next sync.
fn metadata(component: &str, namespace: &str) -> ObjectMeta {
    ObjectMeta {
        annotations: Some(string_map([
            (HOOK, "PostSync"),
            (HOOK_DELETE, "BeforeHookCreation"),
        ])),
        ..meta(&SmokeCheck::name(component), Some(namespace))
    }
}

/// The check's pod: one container, never restarted, without an Istio
/// sidecar (which would never exit, so the Job would never complete).
fn pod(container: Container) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            annotations: Some(string_map([("sidecar.istio.io/inject", "false")])),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            restart_policy: Some("Never".into()),
            containers: vec![container],
            ..PodSpec::default()
        }),
    }
}

/// The manifest document of a component's check.
pub(crate) fn document(
    c: &PlatformConfig,
    component: &'static str,
    check: &SmokeCheck,
) -> Document {
    let k = c.checks.as_ref().expect("checks are on");
    let metadata = metadata(component, &check.namespace);
    let (kind, doc) = match &check.probe {
        Probe::Script {
            image,
            interpreter,
            script,
            env,
            jvm,
        } => {
            let heap = jvm.then_some(Env::Value("JAVA_TOOL_OPTIONS", "-Xmx256m".into()));
            let env = env
                .iter()
                .chain(heap.as_ref())
                .map(|e| match e {
                    Env::Value(name, value) => env_value(name, value),
                    Env::Secret(name, r) => env_secret(name, &r.secret, &r.key),
                })
                .collect();
            let job = Job {
                metadata,
                spec: Some(JobSpec {
                    active_deadline_seconds: Some(i64::from(k.deadline_seconds)),
                    backoff_limit: Some(i32::try_from(k.backoff_limit).unwrap_or(i32::MAX)),
                    template: pod(Container {
                        name: "check".into(),
                        image: Some(c.images.pull(image)),
                        command: Some(interpreter.command(script)),
                        env: Some(env),
                        resources: Some(check.resources().to_k8s()),
                        security_context: Some(SecurityContext {
                            allow_privilege_escalation: Some(false),
                            capabilities: Some(Capabilities {
                                drop: Some(vec!["ALL".into()]),
                                add: None,
                            }),
                            ..SecurityContext::default()
                        }),
                        ..Container::default()
                    }),
                    ..JobSpec::default()
                }),
                status: None,
            };
            ("Job", Emitted::of(&job))
        }
        Probe::RayJob {
            cluster,
            image,
            source,
        } => {
            let job = Resource::new(
                metadata,
                RayJob {
                    entrypoint: format!("python -c '{source}'"),
                    cluster_selector: string_map([("ray.io/cluster", cluster.as_str())]),
                    active_deadline_seconds: k.deadline_seconds,
                    submitter_pod_template: pod(Container {
                        name: "ray-job-submitter".into(),
                        image: Some(c.images.pull(image)),
                        resources: Some(check.resources().to_k8s()),
                        ..Container::default()
                    }),
                },
            );
            ("RayJob", Emitted::of(&job))
        }
    };
    Document {
        json: None,
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
