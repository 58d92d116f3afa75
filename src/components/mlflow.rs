//! MLflow through community-charts/mlflow 1.11.5: backend store on the
//! existing PostgreSQL, artifacts in a bucket on the existing MinIO, every
//! credential from a Secret, and the chart's own ingress.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    check_replicas, check_resources, ingress, Chart, Component, Delivery, Document, K8sResources,
};
use crate::config::{MlflowConfig, PlatformConfig, SecretRef};
use crate::model::Finding;

/// Pinned chart.
pub const CHART: Chart = Chart::pinned(
    "https://community-charts.github.io/helm-charts",
    "mlflow",
    "1.11.5",
);

/// Port of the chart's Service.
pub const SERVICE_PORT: u16 = 80;

/// The MLflow check: the health endpoint answers and a test run is logged.
const MLFLOW_SCRIPT: &str = "set -e\n\
python - <<'PY'\n\
import os, urllib.request\n\
import mlflow\n\
url = f\"http://{os.environ['HOST']}:{os.environ['PORT']}\"\n\
assert urllib.request.urlopen(url + '/health', timeout=30).status == 200\n\
mlflow.set_tracking_uri(url)\n\
mlflow.set_experiment('platgen-smoke')\n\
with mlflow.start_run(run_name='post-sync'):\n\
    mlflow.log_param('check', 'post-sync')\n\
    mlflow.log_metric('ok', 1.0)\n\
PY\n";

/// Host and port of the tracking server's Service (named after the release,
/// which contains `mlflow`; otherwise `<release>-mlflow`).
pub fn tracking_endpoint(m: &MlflowConfig) -> (String, u16) {
    let name = if m.release.contains("mlflow") {
        m.release.clone()
    } else {
        format!("{}-mlflow", m.release)
    };
    (super::service_host(&name, &m.namespace), SERVICE_PORT)
}

/// The `mlflow` component.
pub struct Mlflow;

fn config(c: &PlatformConfig) -> Option<&MlflowConfig> {
    c.components.mlflow.as_ref()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    replica_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<K8sResources>,
    backend_store: BackendStore,
    artifact_root: ArtifactRoot,
    extra_env_vars: BTreeMap<&'static str, String>,
    /// MLflow refuses requests whose Host it does not know (DNS-rebinding
    /// protection); in-cluster clients use the Service name.
    server_allowed_hosts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ingress: Option<Ingress>,
}

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

fn same_secret(a: &SecretRef, b: &SecretRef, path: &[&str], other: &str, f: &mut Vec<Finding>) {
    if a.secret != b.secret {
        f.push(Finding::new(
            path,
            format!(
                "the chart reads both keys from one Secret: `{}` here, `{}` for {other}",
                b.secret, a.secret
            ),
            format!("keep both keys in Secret `{}`", a.secret),
        ));
    }
}

impl Component for Mlflow {
    fn name(&self) -> &'static str {
        "mlflow"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        config(c).map(|x| Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        super::needs_namespaces(c)
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Helm(CHART)
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let Some(m) = config(c) else { return };
        super::check_placement(c, "mlflow", "release", &m.release, &m.namespace, f);
        check_replicas(m.replicas, 1, &["components", "mlflow", "replicas"], f);
        if let Some(r) = &m.resources {
            check_resources(r, &["components", "mlflow", "resources"], f);
        }
        let b = &m.backend_store;
        same_secret(
            &b.user,
            &b.password,
            &["components", "mlflow", "backendStore", "password", "secret"],
            "user",
            f,
        );
        let a = &m.artifacts;
        same_secret(
            &a.access_key_id,
            &a.secret_access_key,
            &[
                "components",
                "mlflow",
                "artifacts",
                "secretAccessKey",
                "secret",
            ],
            "accessKeyId",
            f,
        );
        if c.external.minio.is_none() {
            f.push(Finding::new(
                &["external"],
                "MLflow stores artifacts on MinIO, but `external.minio` is not set",
                "add `minio: { host: minio-service.data-platform.svc.cluster.local, port: 9000 }` under external",
            ));
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<crate::model::Workload> {
        let Some(m) = config(c) else {
            return Vec::new();
        };
        let w = crate::model::Workload::pods(self.name(), &m.namespace, "server", m.replicas);
        vec![match &m.resources {
            Some(r) => w.container(r),
            None => w
                .container(&crate::config::Resources::default())
                .note("server: no requests or limits (mlflow 1.11.5 values.yaml `resources: {}`)"),
        }]
    }

    fn smoke_check(&self, c: &PlatformConfig) -> Option<crate::model::SmokeCheck> {
        use crate::model::{images, target_env, Probe, SmokeCheck};
        let m = config(c)?;
        let (host, port) = tracking_endpoint(m);
        Some(SmokeCheck {
            namespace: m.namespace.clone(),
            target: (host.clone(), port),
            probe: Probe::Script {
                image: images::MLFLOW.into(),
                script: MLFLOW_SCRIPT,
                env: target_env(&host, port),
                jvm: false,
            },
        })
    }

    fn secrets(&self, c: &PlatformConfig) -> Vec<super::SecretUse> {
        let Some(m) = config(c) else {
            return Vec::new();
        };
        [
            &m.backend_store.user,
            &m.backend_store.password,
            &m.artifacts.access_key_id,
            &m.artifacts.secret_access_key,
        ]
        .into_iter()
        .map(|r| super::SecretUse::new(&m.namespace, r))
        .collect()
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let (Some(m), Some(minio)) = (config(c), c.external.minio.as_ref()) else {
            return Vec::new();
        };
        let pg = &c.external.postgresql;
        let host = ingress::public_host(c, &m.endpoint);
        let values = Values {
            replica_count: m.replicas,
            resources: m.resources.as_ref().map(K8sResources::from),
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
                let (svc, port) = tracking_endpoint(m);
                let mut hosts = vec![svc.clone(), format!("{svc}:{port}")];
                hosts.extend(host.clone());
                hosts
            },
            ingress: host.zip(c.ingress.as_ref()).map(|(host, cfg)| Ingress {
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
        vec![super::values_document(
            self.name(),
            &CHART,
            &m.release,
            &m.namespace,
            &values,
        )]
    }
}
