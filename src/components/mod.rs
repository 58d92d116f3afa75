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
mod fullname;
pub(crate) mod ingress;
mod kafka;
mod katib;
mod kubeflow_pipelines;
mod kuberay_operator;
mod mlflow;
mod namespaces;
mod neo4j;
mod ray;
mod ray_cluster;
mod ray_serve;
mod superset;

use crate::model::{Findings, Registrar};

/// Adds every component the crate ships, in a fixed order (the order of
/// their files in a render and of their rows in a plan).
pub(crate) fn register(r: &mut impl Registrar) {
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
    r.add(ray_serve::RayServe);
    r.add(mlflow::Mlflow);
    r.add(kubeflow_pipelines::KubeflowPipelines);
    r.add(katib::Katib);
}

/// Storage-class key for volumes whose claim names no class.
pub(crate) const DEFAULT_CLASS: &str = "(cluster default)";

/// A component installed from upstream manifests is placed in the
/// namespace those manifests hard-code.
pub(crate) fn fixed_namespace(namespace: &str, fixed: &str, f: &mut Findings) {
    if namespace != fixed {
        f.at(
            &["namespace"],
            format!("the upstream manifests install into `{fixed}`, not `{namespace}`"),
            format!("set `namespace: {fixed}`"),
        );
    }
}
