//! The platform's components. Each lives in one module: its settings
//! (what users write in its section of the config), its [`Component`](crate::model::Component)
//! implementation and its template. [`register`] adds them to a platform:
//! one line each, and nothing else names them.

mod bitnami;
mod datahub;
mod doris;
mod doris_operator;
mod elasticsearch;
mod external_secrets;
pub(crate) mod ingress;
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

use crate::config::{ResourceList, Resources};
use crate::model::{Findings, Registrar};

/// Adds every component the crate ships, in a fixed order (the order of
/// their files in a render and of their rows in a plan).
pub fn register(r: &mut impl Registrar) {
    r.add(namespaces::Namespaces);
    r.add(external_secrets::ExternalSecrets);
    r.add(elasticsearch::Elasticsearch);
    r.add(kafka::Kafka);
    r.add(neo4j::Neo4j);
    r.add(datahub::Datahub);
    r.add(doris_operator::DorisOperator);
    r.add(doris::Doris);
    r.add(superset::Superset);
    r.add(kuberay_operator::KuberayOperator);
    r.add(ray_cluster::RayCluster);
    r.add(mlflow::Mlflow);
    r.add(kubeflow_pipelines::KubeflowPipelines);
    r.add(katib::Katib);
}

/// Storage-class key for volumes whose claim names no class.
pub const DEFAULT_CLASS: &str = "(cluster default)";

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

/// A component installed from upstream manifests is placed in the
/// namespace those manifests hard-code.
pub fn fixed_namespace(namespace: &str, fixed: &str, f: &mut Findings) {
    if namespace != fixed {
        f.at(
            &["namespace"],
            format!("the upstream manifests install into `{fixed}`, not `{namespace}`"),
            format!("set `namespace: {fixed}`"),
        );
    }
}
