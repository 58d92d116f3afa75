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

/// The language of a check's script, and so the command that runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpreter {
    /// POSIX shell: `sh -c SCRIPT` (no bashisms: images may run dash or
    /// busybox).
    Shell,
    /// Python: `python -c SCRIPT`.
    Python,
}

impl Interpreter {
    /// The command that runs `script`.
    pub fn command(self, script: &str) -> Vec<String> {
        let (program, flag) = match self {
            Interpreter::Shell => ("sh", "-c"),
            Interpreter::Python => ("python", "-c"),
        };
        vec![program.into(), flag.into(), script.into()]
    }
}

/// What a check runs.
#[derive(Debug, Clone)]
pub enum Probe {
    /// A script in a pinned image.
    Script {
        /// Pinned image.
        image: String,
        /// The script's language.
        interpreter: Interpreter,
        /// The script (the text of a file beside the component's module);
        /// it reads its inputs from the environment.
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
        /// Python source the job runs (`python -c '<source>'`; it holds no
        /// single quote).
        source: &'static str,
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
        SmokeCheck::run(
            namespace,
            target,
            image.into(),
            Interpreter::Shell,
            script,
            jvm,
        )
    }

    /// A Python script in `image`, as [`script`](SmokeCheck::script).
    pub fn python(
        namespace: &str,
        target: &Address,
        image: impl Into<String>,
        script: &'static str,
    ) -> SmokeCheck {
        SmokeCheck::run(
            namespace,
            target,
            image.into(),
            Interpreter::Python,
            script,
            false,
        )
    }

    fn run(
        namespace: &str,
        target: &Address,
        image: String,
        interpreter: Interpreter,
        script: &'static str,
        jvm: bool,
    ) -> SmokeCheck {
        SmokeCheck {
            namespace: namespace.to_string(),
            target: (target.host(), target.port),
            probe: Probe::Script {
                image,
                interpreter,
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
    /// JVM tool gets room for a 256m heap, a Python one for its imports
    /// (MLflow's client peaks at 174 MiB, measured by the tests).
    pub fn resources(&self) -> Resources {
        match self.probe {
            Probe::Script { jvm: true, .. } => {
                resources((Some("100m"), Some("384Mi")), (Some("500m"), Some("512Mi")))
            }
            Probe::Script {
                interpreter: Interpreter::Python,
                ..
            } => resources((Some("100m"), Some("192Mi")), (Some("500m"), Some("384Mi"))),
            _ => resources((Some("50m"), Some("64Mi")), (Some("200m"), Some("256Mi"))),
        }
    }

    /// The check's Job, for `gen plan` (counted apart from long-running pods).
    pub fn workload(&self, component: &'static str) -> Workload {
        Workload::job(component, &self.namespace, &SmokeCheck::name(component))
            .container(&self.resources())
    }
}
