//! The platform's components. Each lives in one module with a template of
//! the same stem; adding one means one module, one template and one line in
//! [`registry`].

mod datahub;
mod doris;
mod doris_operator;
mod elasticsearch;
mod external_secrets;
pub mod ingress;
mod kafka;
mod katib;
mod kubeflow_pipelines;
mod kuberay_operator;
mod mlflow;
mod namespaces;
mod neo4j;
mod ray_cluster;
mod superset;

use serde::Serialize;

use crate::config::{PlatformConfig, Quantity, ResourceList, Resources};
pub use crate::model::{
    Chart, Component, Delivery, Document, Finding, KustomizeSource, Placement, SecretUse, Shared,
    View,
};

/// The typed config of an added component, from `extensions.<name>`:
/// `Ok(None)` when absent, a finding with the field path when it does not
/// fit `T`.
pub fn extension<T: serde::de::DeserializeOwned>(
    c: &PlatformConfig,
    name: &str,
) -> Result<Option<T>, Finding> {
    let Some(v) = c.extensions.get(name) else {
        return Ok(None);
    };
    serde_path_to_error::deserialize(v.clone())
        .map(Some)
        .map_err(|e| {
            let mut path = vec!["extensions".to_string(), name.to_string()];
            path.extend(
                e.path()
                    .iter()
                    .map(|s| s.to_string().trim_start_matches('.').to_string())
                    .filter(|s| !s.is_empty()),
            );
            Finding {
                path,
                message: e.inner().to_string(),
                help: format!("see the documentation of the `{name}` component"),
            }
        })
}

/// Every component the crate ships, in a fixed order.
pub fn registry() -> Vec<Box<dyn Component>> {
    vec![
        Box::new(namespaces::Namespaces),
        Box::new(external_secrets::ExternalSecrets),
        Box::new(elasticsearch::Elasticsearch),
        Box::new(kafka::Kafka),
        Box::new(neo4j::Neo4j),
        Box::new(datahub::Datahub),
        Box::new(doris_operator::DorisOperator),
        Box::new(doris::Doris),
        Box::new(superset::Superset),
        Box::new(kuberay_operator::KuberayOperator),
        Box::new(ray_cluster::RayCluster),
        Box::new(mlflow::Mlflow),
        Box::new(kubeflow_pipelines::KubeflowPipelines),
        Box::new(katib::Katib),
    ]
}

pub use ray_cluster::API_VERSION as RAY_API_VERSION;

pub use crate::names::service_host;

/// Public addresses other components compute from config.
pub mod address {
    pub use super::doris::query_endpoint as doris_query;
    pub use super::elasticsearch::http_endpoint as elasticsearch;
    pub use super::kafka::bootstrap_servers as kafka;
    pub use super::neo4j::{bolt_uri as neo4j_bolt, http_endpoint as neo4j_http};
}

/// Kubernetes `ResourceRequirements` as Helm charts take them.
#[derive(Debug, Clone, Serialize, Default)]
pub struct K8sResources {
    /// Requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceList>,
    /// Limits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceList>,
}

impl From<&Resources> for K8sResources {
    fn from(r: &Resources) -> Self {
        K8sResources {
            requests: r.requests.clone(),
            limits: r.limits.clone(),
        }
    }
}

/// Checks requests ≤ limits for CPU and memory.
pub fn check_resources(r: &Resources, path: &[&str], findings: &mut Vec<Finding>) {
    let (Some(req), Some(lim)) = (&r.requests, &r.limits) else {
        return;
    };
    let pairs: [(&str, &Option<Quantity>, &Option<Quantity>); 2] = [
        ("cpu", &req.cpu, &lim.cpu),
        ("memory", &req.memory, &lim.memory),
    ];
    for (what, rq, lm) in pairs {
        if let (Some(rq), Some(lm)) = (rq, lm) {
            if rq > lm {
                let mut p: Vec<&str> = path.to_vec();
                p.extend(["requests", what]);
                findings.push(Finding::new(
                    &p,
                    format!("{what} request {rq} exceeds its limit {lm}"),
                    format!("lower requests.{what} to at most {lm}, or raise limits.{what}"),
                ));
            }
        }
    }
}

/// Checks that a replica count is at least `min`.
pub fn check_replicas(n: u32, min: u32, path: &[&str], findings: &mut Vec<Finding>) {
    if n < min {
        findings.push(Finding::new(
            path,
            format!("replicas is {n}; at least {min} is needed"),
            format!(
                "set replicas to {min} or more (or set `enabled: false` to turn the component off)"
            ),
        ));
    }
}

/// Checks that a volume size is positive.
pub fn check_storage(q: &Quantity, path: &[&str], findings: &mut Vec<Finding>) {
    if !q.is_positive() {
        findings.push(Finding::new(
            path,
            format!("volume size {q} must be positive"),
            "give a size such as `20Gi`".to_string(),
        ));
    }
}

/// Checks a JVM heap size (`512m`, `2g`): Elasticsearch reads it as `-Xmx`.
pub fn check_heap(heap: &Option<String>, path: &[&str], findings: &mut Vec<Finding>) {
    if let Some(h) = heap {
        let ok = h.len() > 1
            && h[..h.len() - 1].bytes().all(|b| b.is_ascii_digit())
            && matches!(
                h.as_bytes()[h.len() - 1],
                b'k' | b'm' | b'g' | b'K' | b'M' | b'G'
            );
        if !ok {
            findings.push(Finding::new(
                path,
                format!("`{h}` is not a JVM heap size"),
                "write a whole number with k, m or g, e.g. `512m` or `2g`".to_string(),
            ));
        }
    }
}

/// Every component but `namespaces` needs the namespaces first, when they
/// are rendered at all.
pub fn needs_namespaces(c: &PlatformConfig) -> Vec<&'static str> {
    if c.components.namespaces.enabled {
        vec!["namespaces"]
    } else {
        Vec::new()
    }
}

/// A values file document (see [`Document::values`]).
pub fn values_document<V: Serialize>(
    stem: &'static str,
    chart: &Chart,
    release: &str,
    namespace: &str,
    values: &V,
) -> Document {
    Document::values(stem, chart, release, namespace, values)
}

/// A core/v1 `EnvVar`: a plain value, or a key of a Secret.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar<'a> {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_from: Option<ValueFrom<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ValueFrom<'a> {
    secret_key_ref: KeyRef<'a>,
}

#[derive(Debug, Serialize)]
struct KeyRef<'a> {
    name: &'a str,
    key: &'a str,
}

impl<'a> EnvVar<'a> {
    /// `name` set to `value`.
    pub fn value(name: &'static str, value: &'a str) -> EnvVar<'a> {
        EnvVar {
            name,
            value: Some(value),
            value_from: None,
        }
    }

    /// `name` read from the Secret key `r`.
    pub fn secret(name: &'static str, r: &'a crate::config::SecretRef) -> EnvVar<'a> {
        EnvVar {
            name,
            value: None,
            value_from: Some(ValueFrom {
                secret_key_ref: KeyRef {
                    name: &r.secret,
                    key: &r.key,
                },
            }),
        }
    }
}

/// `global` of a Bitnami chart: storage class, and the image-verification
/// switch when images come from elsewhere than `bitnamilegacy`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BitnamiGlobal {
    default_storage_class: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    security: Option<BitnamiSecurity>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BitnamiSecurity {
    allow_insecure_images: bool,
}

impl BitnamiGlobal {
    /// From the platform's storage class and image settings.
    pub fn new(c: &PlatformConfig) -> Self {
        let legacy = c.images.bitnami_namespace == "bitnamilegacy";
        BitnamiGlobal {
            default_storage_class: c.storage_class.clone(),
            security: (!legacy).then_some(BitnamiSecurity {
                allow_insecure_images: true,
            }),
        }
    }
}

/// A Bitnami image reference (`registry` + `repository`; the chart keeps its tag).
#[derive(Debug, Serialize)]
pub struct BitnamiImage {
    registry: String,
    repository: String,
}

impl BitnamiImage {
    /// `<registry>/<bitnamiNamespace>/<name>`.
    pub fn new(c: &PlatformConfig, name: &str) -> Self {
        BitnamiImage {
            registry: c.images.bitnami_registry.clone(),
            repository: format!("{}/{name}", c.images.bitnami_namespace),
        }
    }
}

/// `volumePermissions.image` of a Bitnami chart (an `os-shell` init container).
#[derive(Debug, Serialize)]
pub struct VolumePermissions {
    image: BitnamiImage,
}

impl VolumePermissions {
    /// Points the init container's image at the configured registry.
    pub fn new(c: &PlatformConfig) -> Self {
        VolumePermissions {
            image: BitnamiImage::new(c, "os-shell"),
        }
    }
}

/// `persistence` of a Bitnami chart.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Persistence {
    enabled: bool,
    storage_class: String,
    size: Quantity,
}

impl Persistence {
    /// An enabled volume of `size` in `class`.
    pub fn new(class: &str, size: &Quantity) -> Self {
        Persistence {
            enabled: true,
            storage_class: class.to_string(),
            size: size.clone(),
        }
    }
}

/// Checks a release (or resource) name and that its namespace is declared.
pub fn check_placement(
    c: &PlatformConfig,
    component: &str,
    name_key: &str,
    name: &str,
    namespace: &str,
    f: &mut Vec<Finding>,
) {
    let label_help =
        "use lower-case letters, digits and `-` (a DNS-1123 label, at most 63 characters)";
    if !crate::names::is_dns_label(name) {
        f.push(Finding::new(
            &["components", component, name_key],
            format!("`{name}` is not a valid name"),
            label_help,
        ));
    }
    let ns = &c.components.namespaces;
    if ns.enabled && !ns.items.contains_key(namespace) {
        let known: Vec<&str> = ns.items.keys().map(String::as_str).collect();
        let help = match crate::names::did_you_mean(namespace, known.iter().copied()) {
            Some(m) => format!(
                "did you mean `{m}`? (or add `{namespace}` under components.namespaces.items)"
            ),
            None => format!(
                "add `{namespace}` under components.namespaces.items, or use one of: {}",
                known.join(", ")
            ),
        };
        f.push(Finding::new(
            &["components", component, "namespace"],
            format!("namespace `{namespace}` is not declared"),
            help,
        ));
    }
}

/// Checks that a component installed from upstream manifests is placed in
/// the namespace those manifests hard-code.
pub fn check_fixed_namespace(component: &str, namespace: &str, fixed: &str, f: &mut Vec<Finding>) {
    if namespace != fixed {
        f.push(Finding::new(
            &["components", component, "namespace"],
            format!("the upstream manifests install into `{fixed}`, not `{namespace}`"),
            format!("set `namespace: {fixed}`"),
        ));
    }
}

/// Storage-class key for volumes whose claim names no class.
pub const DEFAULT_CLASS: &str = "(cluster default)";

/// The requests and limits of a Bitnami `resourcesPreset`
/// (bitnami/common 2.31 `templates/_resources.tpl`).
pub fn bitnami_preset(name: &str) -> Resources {
    use crate::model::resources;
    let (req, lim) = match name {
        "nano" => (("100m", "128Mi"), ("150m", "192Mi")),
        "micro" => (("250m", "256Mi"), ("375m", "384Mi")),
        "small" => (("500m", "512Mi"), ("750m", "768Mi")),
        "medium" => (("500m", "1024Mi"), ("750m", "1536Mi")),
        "large" => (("1", "2048Mi"), ("1.5", "3072Mi")),
        "xlarge" => (("1", "3072Mi"), ("3", "6144Mi")),
        _ => (("1", "3072Mi"), ("6", "12288Mi")),
    };
    resources((Some(req.0), Some(req.1)), (Some(lim.0), Some(lim.1)))
}

/// A Bitnami node group's pods: the configured resources, or the chart's
/// preset (named with its source) when none are configured.
pub fn bitnami_pods(
    component: &'static str,
    namespace: &str,
    group: &str,
    replicas: u32,
    resources: Option<&Resources>,
    chart: &Chart,
    preset: &str,
) -> crate::model::Workload {
    let w = crate::model::Workload::pods(component, namespace, group, replicas);
    match resources {
        Some(r) => w.container(r),
        None => w.default_container(
            &bitnami_preset(preset),
            format!(
                "{group}: resources from preset `{preset}` ({} {} values.yaml `{group}.resourcesPreset`)",
                chart.name, chart.version
            ),
        ),
    }
}
