//! A component's post-sync smoke check, as the component declares it: what
//! runs, against which address, with which environment.

use super::{resources, Address, Workload};
use crate::config::{Resources, SecretRef};

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
        /// Image of the submitter pod (the cluster's Ray image).
        image: String,
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

impl SmokeCheck {
    /// A shell script in `image` run in `namespace` against `target`,
    /// which it reads from `$HOST` and `$PORT`.
    pub fn script(
        namespace: &str,
        target: &Address,
        image: impl Into<String>,
        script: &'static str,
        jvm: bool,
    ) -> SmokeCheck {
        SmokeCheck {
            namespace: namespace.to_string(),
            target: (target.host(), target.port),
            probe: Probe::Script {
                image: image.into(),
                script,
                env: target_env(&target.host(), target.port),
                jvm,
            },
        }
    }

    /// With one more environment variable for its script.
    pub fn with_env(mut self, var: Env) -> SmokeCheck {
        if let Probe::Script { env, .. } = &mut self.probe {
            env.push(var);
        }
        self
    }

    /// Name of the Job (or RayJob) of `component`'s check.
    pub fn name(component: &str) -> String {
        format!("{component}-smoke-check")
    }

    /// Requests and limits of the check's container: small and bounded; a
    /// JVM tool gets room for a 256m heap.
    pub fn resources(&self) -> Resources {
        if matches!(self.probe, Probe::Script { jvm: true, .. }) {
            resources((Some("100m"), Some("384Mi")), (Some("500m"), Some("512Mi")))
        } else {
            resources((Some("50m"), Some("64Mi")), (Some("200m"), Some("256Mi")))
        }
    }

    /// The check's Job, for `gen plan` (counted apart from long-running pods).
    pub fn workload(&self, component: &'static str) -> Workload {
        Workload::job(component, &self.namespace, &SmokeCheck::name(component))
            .container(&self.resources())
    }
}
