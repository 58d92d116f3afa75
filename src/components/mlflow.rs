//! MLflow through community-charts/mlflow 1.11.5: backend store on the
//! existing PostgreSQL, artifacts in a bucket on the existing MinIO, every
//! credential from a Secret, and the chart's own ingress.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ingress;
use crate::config::{PublicEndpoint, Resources, SecretRef};
use crate::k8s::ResourceRequirements;
use crate::model::{
    images, rules, Address, Chart, Component, Cx, Delivery, Document, Finding, Findings, Own,
    Prerequisite, SecretUse, Section, SmokeCheck, Workload,
};

/// Pinned chart.
const PIN: Chart = Chart::pinned(
    "https://community-charts.github.io/helm-charts",
    "mlflow",
    "1.11.5",
);

/// Port of the chart's Service.
pub(super) const SERVICE_PORT: u16 = 80;

/// MLflow tracking server (community-charts/mlflow).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct MlflowConfig {
    /// Tracking server pods.
    #[serde(default = "one")]
    pub replicas: u32,
    /// Container resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Backend store: a database on the existing PostgreSQL.
    pub backend_store: MlflowBackendStore,
    /// Artifact store: a bucket on the existing MinIO (S3 API).
    pub artifacts: MlflowArtifacts,
    /// Public endpoint of the MLflow UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<PublicEndpoint>,
}

fn one() -> u32 {
    1
}

/// MLflow's database; both credentials are keys of one Secret.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct MlflowBackendStore {
    /// Database name on the existing PostgreSQL.
    pub database: String,
    /// Secret key holding the user name.
    pub user: SecretRef,
    /// Secret key holding the password (same Secret as `user`).
    pub password: SecretRef,
}

/// MLflow's artifact bucket; both keys are keys of one Secret.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct MlflowArtifacts {
    /// Bucket name.
    pub bucket: String,
    /// Secret key holding the access key id.
    pub access_key_id: SecretRef,
    /// Secret key holding the secret access key (same Secret as `accessKeyId`).
    pub secret_access_key: SecretRef,
}

/// The `mlflow` component.
pub(super) struct Mlflow;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    replica_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<ResourceRequirements>,
    backend_store: BackendStore,
    artifact_root: ArtifactRoot,
    extra_env_vars: BTreeMap<&'static str, String>,
    /// MLflow refuses requests whose Host it does not know (DNS-rebinding
    /// protection); in-cluster clients use the Service name.
    server_allowed_hosts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ingress: Option<Ingress>,
    /// With a mirror, the chart's image through it (the chart keeps its tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<Image>,
}

#[derive(Serialize)]
struct Image {
    repository: String,
}

/// The chart's image repository (`image.repository` in its values.yaml).
const CHART_IMAGE: &str = "burakince/mlflow";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BackendStore {
    postgres: Postgres,
    existing_database_secret: DatabaseSecret,
}

#[derive(Serialize)]
struct Postgres {
    enabled: bool,
    host: String,
    port: u16,
    database: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DatabaseSecret {
    name: String,
    username_key: String,
    password_key: String,
}

/// Artifacts go through the tracking server (`--serve-artifacts`), so
/// clients need no MinIO credentials of their own.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactRoot {
    proxied_artifact_storage: bool,
    s3: S3,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct S3 {
    enabled: bool,
    bucket: String,
    existing_secret: S3Secret,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct S3Secret {
    name: String,
    key_of_access_key_id: String,
    key_of_secret_access_key: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Ingress {
    enabled: bool,
    class_name: String,
    hosts: Vec<Host>,
    tls: Vec<Tls>,
}

#[derive(Serialize)]
struct Host {
    host: String,
    paths: Vec<Path>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Path {
    path: &'static str,
    path_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tls {
    secret_name: String,
    hosts: Vec<String>,
}

fn same_secret(a: &SecretRef, b: &SecretRef, path: &[&str], other: &str, f: &mut Findings) {
    if a.secret != b.secret {
        f.at(
            path,
            format!(
                "the chart reads both keys from one Secret: `{}` here, `{}` for {other}",
                b.secret, a.secret
            ),
            format!("keep both keys in Secret `{}`", a.secret),
        );
    }
}

impl Component for Mlflow {
    type Config = MlflowConfig;
    const CHART: Option<Chart> = Some(PIN);
    const NAME: &'static str = "mlflow";
    const ABOUT: &'static str = "MLflow tracking server.";
    const SECTION: Section = Section::Release;
    const TEMPLATE: Option<&'static str> = Some(include_str!("../../templates/mlflow.yaml.tera"));

    fn delivery(&self, own: &Own<'_, MlflowConfig>) -> Delivery {
        Delivery::Helm(own.chart().clone())
    }
    fn prerequisites(&self, own: &Own<'_, MlflowConfig>) -> Vec<Prerequisite> {
        let m = own.config;
        let pg = &own.platform.external.postgresql;
        let mut p = vec![Prerequisite::new(
            "Database",
            format!("{}:{}/{}", pg.host, pg.port, m.backend_store.database),
            "on the existing PostgreSQL, for MLflow's tracking store (the user and password in `backendStore`)",
        )];
        if let Some(minio) = &own.platform.external.minio {
            p.push(Prerequisite::new(
                "Bucket",
                format!("{}:{}/{}", minio.host, minio.port, m.artifacts.bucket),
                "on the existing MinIO, for MLflow's artifacts (the keys in `artifacts`)",
            ));
        }
        let host = ingress::public_host(own.platform, &m.endpoint);
        p.extend(ingress::prerequisites(own.platform, own.namespace, host));
        p
    }
    fn addresses(&self, own: &Own<'_, MlflowConfig>) -> Vec<Address> {
        vec![Address::new(
            "tracking",
            // The tracking server's Service is the chart's fullname.
            super::fullname::fullname(own, "mlflow"),
            own.namespace,
            SERVICE_PORT,
        )]
    }
    fn secrets(&self, own: &Own<'_, MlflowConfig>) -> Vec<SecretUse> {
        let m = own.config;
        [
            &m.backend_store.user,
            &m.backend_store.password,
            &m.artifacts.access_key_id,
            &m.artifacts.secret_access_key,
        ]
        .into_iter()
        .map(|r| SecretUse::new(own.namespace, r))
        .collect()
    }
    fn validate(&self, cx: &Cx<'_, MlflowConfig>, f: &mut Findings) {
        let m = cx.config;
        rules::replicas(m.replicas, 1, &["replicas"], f);
        rules::maybe_resources(&m.resources, &["resources"], f);
        let b = &m.backend_store;
        // The chart writes the name into its ConfigMap unquoted
        // (`PGDATABASE: {{ … }}`): it must read back as text.
        if !crate::yaml::plain_ok(&b.database) {
            f.at(
                &["backendStore", "database"],
                format!(
                    "database name `{}` reaches MLflow's ConfigMap unquoted through chart mlflow {}'s template, and YAML reads it back as something other than text",
                    b.database.escape_debug(),
                    cx.chart().version
                ),
                "name the database with letters, digits and `_`, starting with a letter, and not a YAML word such as `no`, `on` or `null`",
            );
        }
        same_secret(
            &b.user,
            &b.password,
            &["backendStore", "password", "secret"],
            "user",
            f,
        );
        let a = &m.artifacts;
        same_secret(
            &a.access_key_id,
            &a.secret_access_key,
            &["artifacts", "secretAccessKey", "secret"],
            "accessKeyId",
            f,
        );
        if cx.platform.external.minio.is_none() {
            f.push(Finding::new(
                &["external"],
                "MLflow stores artifacts on MinIO, but `external.minio` is not set",
                "add `minio: { host: minio-service.data-platform.svc.cluster.local, port: 9000 }` under external",
            ));
        }
    }
    fn workloads(&self, own: &Own<'_, MlflowConfig>) -> Vec<Workload> {
        let m = own.config;
        let w = Workload::pods(Self::NAME, own.namespace, "server", m.replicas);
        vec![match &m.resources {
            Some(r) => w.container(r),
            None => w
                .container(&Resources::default())
                .note("server: no requests or limits (mlflow 1.11.5 values.yaml `resources: {}`)"),
        }]
    }
    fn smoke(&self, cx: &Cx<'_, MlflowConfig>) -> Option<SmokeCheck> {
        let a = cx.address(Self::NAME, "tracking").ok()?;
        Some(SmokeCheck::python(
            cx.namespace,
            a,
            images::MLFLOW,
            include_str!("smoke/mlflow.py"),
        ))
    }
    fn build(&self, cx: &Cx<'_, MlflowConfig>) -> Result<Vec<Document>, Finding> {
        let m = cx.config;
        let p = cx.platform;
        let Some(minio) = p.external.minio.as_ref() else {
            return Ok(Vec::new());
        };
        let pg = &p.external.postgresql;
        let tracking = cx.address(Self::NAME, "tracking")?;
        let host = ingress::public_host(p, &m.endpoint);
        let values = Values {
            image: p.images.mirror.as_ref().map(|_| Image {
                repository: p.images.pull(CHART_IMAGE),
            }),
            replica_count: m.replicas,
            resources: m.resources.as_ref().map(Resources::to_k8s),
            backend_store: BackendStore {
                postgres: Postgres {
                    enabled: true,
                    host: pg.host.clone(),
                    port: pg.port,
                    database: m.backend_store.database.clone(),
                },
                existing_database_secret: DatabaseSecret {
                    name: m.backend_store.user.secret.clone(),
                    username_key: m.backend_store.user.key.clone(),
                    password_key: m.backend_store.password.key.clone(),
                },
            },
            artifact_root: ArtifactRoot {
                proxied_artifact_storage: true,
                s3: S3 {
                    enabled: true,
                    bucket: m.artifacts.bucket.clone(),
                    existing_secret: S3Secret {
                        name: m.artifacts.access_key_id.secret.clone(),
                        key_of_access_key_id: m.artifacts.access_key_id.key.clone(),
                        key_of_secret_access_key: m.artifacts.secret_access_key.key.clone(),
                    },
                },
            },
            extra_env_vars: BTreeMap::from([(
                "MLFLOW_S3_ENDPOINT_URL",
                format!("http://{}:{}", minio.host, minio.port),
            )]),
            server_allowed_hosts: {
                let mut hosts = vec![tracking.host(), tracking.host_port()];
                hosts.extend(host.clone());
                hosts
            },
            ingress: host.zip(p.ingress.as_ref()).map(|(host, cfg)| Ingress {
                enabled: true,
                class_name: cfg.class_name.clone(),
                hosts: vec![Host {
                    host: host.clone(),
                    paths: vec![Path {
                        path: "/",
                        path_type: "Prefix",
                    }],
                }],
                tls: vec![Tls {
                    secret_name: cfg.tls_secret.clone(),
                    hosts: vec![host],
                }],
            }),
        };
        Ok(vec![cx.values_file(&values)])
    }
}
