//! Ray Serve applications as a `RayService` (`ray.io/v1`) for KubeRay: the
//! Serve config built from typed applications and deployments, on a
//! cluster typed and checked as the RayCluster's is, and an Ingress to
//! the Serve Service KubeRay creates (`<name>-serve-svc:8000`).

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ingress;
use super::ray::{self, RayClusterShape};
use crate::config::PublicEndpoint;
use crate::k8s::{meta, ClusterUpgradeOptions, RayService, Resource, UpgradeStrategy};
use crate::model::{
    images, rules, Address, Component, Cx, Delivery, Document, Env, Finding, Findings, HealthCheck,
    Own, Prerequisite, Section, SmokeCheck, View, Workload,
};
use crate::yaml::Emitted;

/// Port of the Serve Service.
pub(super) const SERVE_PORT: u16 = 8000;

/// Ray Serve applications on a cluster KubeRay manages for them.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RayServeConfig {
    /// Name of the RayService (its Serve Service is `<name>-serve-svc`).
    pub name: String,
    /// The Ray cluster the applications run on.
    pub cluster: RayClusterShape,
    /// The Serve applications, each on its own route.
    pub applications: Vec<ServeApplication>,
    /// How KubeRay replaces the cluster when its spec changes.
    #[serde(default)]
    pub upgrade: Upgrade,
    /// Public endpoint of the applications (every route under one host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<PublicEndpoint>,
}

/// A Serve application.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ServeApplication {
    /// Application name, unique in the RayService.
    pub name: String,
    /// HTTP route the application answers under (`/fruit`); unique.
    pub route_prefix: String,
    /// The application: `module:attribute` (`fruit:deployment_graph`).
    pub import_path: String,
    /// Code and packages the application needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_env: Option<RuntimeEnv>,
    /// Settings of the application's deployments, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deployments: Vec<ServeDeployment>,
}

/// Where an application's code comes from.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RuntimeEnv {
    /// The `.zip` archive holding the application's modules, as a remote
    /// URI Serve fetches (`https://`, `s3://`, `gs://` or `file://`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Python packages to install (`pip` requirement strings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pip: Vec<String>,
}

/// One deployment of an application.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ServeDeployment {
    /// The deployment's name in the application's code.
    pub name: String,
    /// A fixed number of replicas, at least 1 (or `autoscaling`, not both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub num_replicas: Option<u32>,
    /// Replicas between a minimum and a maximum, by load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<ServeAutoscaling>,
    /// Resources of each replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ray_actor_options: Option<ActorOptions>,
}

/// A deployment's autoscaling.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ServeAutoscaling {
    /// Fewest replicas (0 lets Serve scale the deployment to zero).
    pub min_replicas: u32,
    /// Most replicas (at least 1).
    #[schemars(range(min = 1))]
    pub max_replicas: u32,
    /// Ongoing requests per replica the autoscaler aims for (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub target_ongoing_requests: Option<u32>,
}

/// Resources of a replica.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ActorOptions {
    /// CPUs (`0.5`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub num_cpus: Option<f64>,
    /// GPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub num_gpus: Option<f64>,
}

/// How KubeRay upgrades the cluster when its spec changes.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(super) enum Upgrade {
    /// A whole new cluster, then the traffic at once (needs twice the
    /// capacity during the upgrade).
    #[default]
    NewCluster,
    /// A new cluster scaled up while the traffic moves to it in steps,
    /// through a Gateway API gateway (KubeRay's alpha
    /// `RayServiceIncrementalUpgrade` feature gate).
    Incremental(IncrementalUpgrade),
}

/// The steps of an incremental upgrade.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct IncrementalUpgrade {
    /// The GatewayClass of the gateway that splits the traffic.
    pub gateway_class_name: String,
    /// Seconds between two steps.
    pub interval_seconds: u32,
    /// Percent of the traffic each step moves (1–100).
    pub step_size_percent: u32,
    /// Percent of capacity the new cluster may add at once (1–100).
    #[serde(default = "full")]
    pub max_surge_percent: u32,
}

fn full() -> u32 {
    100
}

/// Serve's own config (`serveConfigV2`), in Serve 2.9's snake_case schema.
#[derive(Serialize)]
struct ServeConfig<'a> {
    applications: Vec<ServeApp<'a>>,
}

#[derive(Serialize)]
struct ServeApp<'a> {
    name: &'a str,
    route_prefix: &'a str,
    import_path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    runtime_env: Option<ServeRuntimeEnv<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    deployments: Vec<ServeDeploymentConfig<'a>>,
}

#[derive(Serialize)]
struct ServeRuntimeEnv<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    working_dir: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pip: &'a [String],
}

#[derive(Serialize)]
struct ServeDeploymentConfig<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    num_replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    autoscaling_config: Option<ServeAutoscalingConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ray_actor_options: Option<ActorOptionsWire>,
}

#[derive(Serialize)]
struct ServeAutoscalingConfig {
    min_replicas: u32,
    max_replicas: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_num_ongoing_requests_per_replica: Option<u32>,
}

/// A replica's resources under Ray's names.
#[derive(Serialize)]
struct ActorOptionsWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    num_cpus: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    num_gpus: Option<f64>,
}

fn serve_config(s: &RayServeConfig) -> String {
    let config = ServeConfig {
        applications: s
            .applications
            .iter()
            .map(|a| ServeApp {
                name: &a.name,
                route_prefix: &a.route_prefix,
                import_path: &a.import_path,
                runtime_env: a.runtime_env.as_ref().map(|r| ServeRuntimeEnv {
                    working_dir: r.working_dir.as_deref(),
                    pip: &r.pip,
                }),
                deployments: a
                    .deployments
                    .iter()
                    .map(|d| ServeDeploymentConfig {
                        name: &d.name,
                        num_replicas: d.num_replicas,
                        autoscaling_config: d.autoscaling.as_ref().map(|x| {
                            ServeAutoscalingConfig {
                                min_replicas: x.min_replicas,
                                max_replicas: x.max_replicas,
                                target_num_ongoing_requests_per_replica: x.target_ongoing_requests,
                            }
                        }),
                        ray_actor_options: d.ray_actor_options.as_ref().map(|o| ActorOptionsWire {
                            num_cpus: o.num_cpus,
                            num_gpus: o.num_gpus,
                        }),
                    })
                    .collect(),
            })
            .collect(),
    };
    crate::yaml::to_yaml(&config).expect("the Serve config serialises")
}

/// Whether `c` may appear in a route prefix: URL path characters that
/// need no quoting in a URL or a shell word.
fn route_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '.' | '_' | '~')
}

/// Whether `uri` is one Serve can fetch a working directory from: a
/// `.zip` archive over HTTPS, in S3 or GCS, or a file on every node.
fn archive_uri_ok(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return false;
    };
    matches!(scheme, "https" | "s3" | "gs" | "file")
        && rest.len() > ".zip".len()
        && rest.ends_with(".zip")
        && !rest.contains(char::is_whitespace)
}

/// Whether `path` is `module:attribute`, each a dotted Python identifier.
fn import_path_ok(path: &str) -> bool {
    let ident = |s: &str| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let dotted = |s: &str| s.split('.').all(ident);
    matches!(path.split_once(':'), Some((m, a)) if dotted(m) && dotted(a))
}

/// The `ray-serve` component.
pub(super) struct RayServe;

/// A RayService is healthy once its `Ready` condition is true (its Serve
/// applications run), progressing until then.
const RAY_SERVICE_HEALTH: &str = r#"hs = { status = "Progressing", message = "waiting for the Serve applications" }
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" and c.status == "True" then hs.status = "Healthy" end
    if c.type == "Ready" then hs.message = c.message or c.reason or "" end
  end
end
return hs
"#;

impl Component for RayServe {
    type Config = RayServeConfig;
    const NAME: &'static str = "ray-serve";
    const ABOUT: &'static str = "Ray Serve applications as a RayService managed by KubeRay.";
    const SECTION: Section = Section::Namespaced;
    const TEMPLATE: Option<&'static str> =
        Some(include_str!("../../templates/ray-serve.yaml.tera"));
    // The CRD arrives with the operator, one wave earlier.
    const SYNC_OPTIONS: &'static [&'static str] = &["SkipDryRunOnMissingResource=true"];
    // The smoke check runs once the Serve applications are up: KubeRay sets
    // `Ready` then; without this entry Argo CD counts a RayService healthy
    // at once.
    const HEALTH: &'static [HealthCheck] = &[HealthCheck {
        key: "ray.io_RayService",
        lua: RAY_SERVICE_HEALTH,
    }];

    fn delivery(&self, _: &Own<'_, RayServeConfig>) -> Delivery {
        Delivery::Manifests
    }
    fn prerequisites(&self, own: &Own<'_, RayServeConfig>) -> Vec<Prerequisite> {
        let host = ingress::public_host(own.platform, &own.config.endpoint);
        ingress::prerequisites(own.platform, own.namespace, host)
    }
    fn needs(&self, _: &Cx<'_, RayServeConfig>) -> Vec<&'static str> {
        vec!["kuberay-operator"]
    }
    /// The Serve Service KubeRay creates for the RayService.
    fn addresses(&self, own: &Own<'_, RayServeConfig>) -> Vec<Address> {
        vec![Address::new(
            "serve",
            format!("{}-serve-svc", own.config.name),
            own.namespace,
            SERVE_PORT,
        )]
    }
    fn validate(&self, cx: &Cx<'_, RayServeConfig>, f: &mut Findings) {
        let s = cx.config;
        rules::name(&s.name, &["name"], f);
        ray::validate(s.cluster.shape(), &["cluster"], f);
        if s.applications.is_empty() {
            f.at(
                &["applications"],
                "a RayService needs at least one application",
                "add an application with name, routePrefix and importPath",
            );
        }
        let (mut names, mut routes) = (BTreeSet::new(), BTreeSet::new());
        for (i, a) in s.applications.iter().enumerate() {
            let idx = i.to_string();
            let at = |leaf: &'static str| ["applications", idx.as_str(), leaf];
            if a.name.is_empty() || !names.insert(a.name.as_str()) {
                f.at(
                    &at("name"),
                    format!("application name `{}` is empty or used twice", a.name),
                    "give every application its own name",
                );
            }
            if let Some(c) = a.route_prefix.chars().find(|c| !route_char(*c)) {
                f.at(
                    &at("routePrefix"),
                    format!("route prefix `{}` holds `{c}`", a.route_prefix),
                    "use letters, digits and `/-._~` only",
                );
            } else if !a.route_prefix.starts_with('/') {
                f.at(
                    &at("routePrefix"),
                    format!("route prefix `{}` does not start with `/`", a.route_prefix),
                    format!("write `/{}`", a.route_prefix.trim_start_matches('/')),
                );
            } else if !routes.insert(a.route_prefix.as_str()) {
                f.at(
                    &at("routePrefix"),
                    format!("two applications answer on `{}`", a.route_prefix),
                    "give every application its own route prefix",
                );
            }
            if !import_path_ok(&a.import_path) {
                f.at(
                    &at("importPath"),
                    format!("`{}` is not `module:attribute`", a.import_path),
                    match a.import_path.rsplit_once('.') {
                        Some((m, attr)) if !a.import_path.contains(':') => {
                            format!("the attribute follows a colon: `{m}:{attr}`")
                        }
                        _ => "name the module and the application in it, e.g. \
                              `fruit:deployment_graph`"
                            .into(),
                    },
                );
            }
            if let Some(dir) = a
                .runtime_env
                .as_ref()
                .and_then(|r| r.working_dir.as_deref())
            {
                if !archive_uri_ok(dir) {
                    f.at(
                        &["applications", idx.as_str(), "runtimeEnv", "workingDir"],
                        format!("`{dir}` is not a remote URI of a .zip archive"),
                        "Serve fetches the code itself: give an https://, s3://, gs:// or \
                         file:// URI ending in .zip (a GitHub archive link works)",
                    );
                }
            }
            let mut deployments = BTreeSet::new();
            for (j, d) in a.deployments.iter().enumerate() {
                let jdx = j.to_string();
                let dat = |leaf: &'static str| {
                    [
                        "applications",
                        idx.as_str(),
                        "deployments",
                        jdx.as_str(),
                        leaf,
                    ]
                };
                if !deployments.insert(d.name.as_str()) {
                    f.at(
                        &dat("name"),
                        format!("deployment `{}` is set twice", d.name),
                        "set each deployment once",
                    );
                }
                if d.num_replicas.is_some() && d.autoscaling.is_some() {
                    f.at(
                        &dat("numReplicas"),
                        "numReplicas and autoscaling are both set",
                        "keep numReplicas for a fixed count, or autoscaling for a range",
                    );
                }
                if d.num_replicas == Some(0) {
                    f.at(
                        &dat("numReplicas"),
                        "numReplicas is 0: Serve needs at least one replica",
                        "set numReplicas to 1 or more, or autoscaling with minReplicas: 0",
                    );
                }
                if let Some(o) = &d.ray_actor_options {
                    for (key, v) in [("numCpus", o.num_cpus), ("numGpus", o.num_gpus)] {
                        if v.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                            f.at(
                                &[
                                    "applications",
                                    idx.as_str(),
                                    "deployments",
                                    jdx.as_str(),
                                    "rayActorOptions",
                                    key,
                                ],
                                format!("{key} must be a number ≥ 0"),
                                "give a fraction or a whole number, e.g. 0.5",
                            );
                        }
                    }
                }
                if let Some(x) = &d.autoscaling {
                    if x.target_ongoing_requests == Some(0) {
                        f.at(
                            &[
                                "applications",
                                idx.as_str(),
                                "deployments",
                                jdx.as_str(),
                                "autoscaling",
                                "targetOngoingRequests",
                            ],
                            "targetOngoingRequests is 0",
                            "aim for at least one ongoing request per replica",
                        );
                    }
                    if x.max_replicas == 0 || x.min_replicas > x.max_replicas {
                        f.at(
                            &dat("autoscaling"),
                            format!(
                                "minReplicas {} and maxReplicas {} make no range",
                                x.min_replicas, x.max_replicas
                            ),
                            "set 1 ≤ maxReplicas and minReplicas ≤ maxReplicas",
                        );
                    }
                }
            }
        }
        if let Upgrade::Incremental(u) = &s.upgrade {
            for (key, v) in [
                ("stepSizePercent", u.step_size_percent),
                ("maxSurgePercent", u.max_surge_percent),
            ] {
                if !(1..=100).contains(&v) {
                    f.at(
                        &["upgrade", "incremental", key],
                        format!("{key} is {v}, not a percentage"),
                        "give a whole number from 1 to 100",
                    );
                }
            }
            if u.interval_seconds == 0 {
                f.at(
                    &["upgrade", "incremental", "intervalSeconds"],
                    "intervalSeconds is 0",
                    "wait at least one second between steps",
                );
            }
        }
    }
    fn workloads(&self, own: &Own<'_, RayServeConfig>) -> Vec<Workload> {
        ray::workloads(own.config.cluster.shape(), Self::NAME, own.namespace)
    }
    fn smoke(&self, cx: &Cx<'_, RayServeConfig>) -> Option<SmokeCheck> {
        let a = cx.address(Self::NAME, "serve").ok()?;
        let routes: Vec<&str> = cx
            .config
            .applications
            .iter()
            .map(|a| a.route_prefix.as_str())
            .collect();
        let check = SmokeCheck::script(
            cx.namespace,
            a,
            images::CURL,
            include_str!("smoke/ray-serve.sh"),
            false,
        );
        Some(check.with_env(Env::Value("ROUTES", routes.join(" "))))
    }
    fn build(&self, cx: &Cx<'_, RayServeConfig>) -> Result<Vec<Document>, Finding> {
        let s = cx.config;
        let upgrade = match &s.upgrade {
            Upgrade::NewCluster => UpgradeStrategy {
                kind: "NewCluster",
                cluster_upgrade_options: None,
            },
            Upgrade::Incremental(u) => UpgradeStrategy {
                kind: "NewClusterWithIncrementalUpgrade",
                cluster_upgrade_options: Some(ClusterUpgradeOptions {
                    gateway_class_name: u.gateway_class_name.clone(),
                    interval_seconds: u.interval_seconds,
                    step_size_percent: u.step_size_percent,
                    max_surge_percent: u.max_surge_percent,
                }),
            },
        };
        let service = Resource::new(
            meta(&s.name, Some(cx.namespace)),
            RayService {
                serve_config_v2: serve_config(s),
                ray_cluster_config: ray::spec(
                    s.cluster.shape(),
                    &cx.platform.images,
                    Some(SERVE_PORT),
                ),
                upgrade_strategy: Some(upgrade),
            },
        );
        let serve = cx.address(Self::NAME, "serve")?;
        let mut docs = vec![Document {
            json: None,
            path: "manifests/ray-serve.yaml".into(),
            template: Self::NAME,
            data: serde_json::json!({
                "name": s.name,
                "serve_service": serve.service,
                "serve_port": serve.port,
                "applications": s.applications.iter().map(|a| &a.route_prefix).collect::<Vec<_>>(),
            }),
            view: View::One("service"),
            expect: vec![Emitted::of(&service)],
        }];
        if let Some(host) = ingress::public_host(cx.platform, &s.endpoint) {
            docs.extend(ingress::document(
                cx.platform,
                "manifests/ray-serve-ingress.yaml",
                &s.name,
                cx.namespace,
                &host,
                serve,
            ));
        }
        Ok(docs)
    }
}
