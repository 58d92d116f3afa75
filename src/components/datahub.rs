//! DataHub through acryldata/datahub 1.1.0: GMS, frontend, and the MAE and
//! MCE consumers as their own pods, with Neo4j as graph store and the
//! existing PostgreSQL as SQL store. Addresses of Elasticsearch, Kafka and
//! Neo4j are computed from those components, never typed twice.

use serde::Serialize;

use super::{
    address, check_replicas, check_resources, Chart, Component, Delivery, Document, K8sResources,
};
use crate::config::Resources;
use crate::config::{DatahubService, PlatformConfig, SecretRef};
use crate::model::Finding;
use crate::model::{merged, resources, Workload};

/// Pinned chart.
pub const CHART: Chart = Chart::pinned("https://helm.datahubproject.io/", "datahub", "1.1.0");

/// Port of the GMS Service.
pub const GMS_PORT: u16 = 8080;

/// Host and port of DataHub's metadata service (`<release>-datahub-gms`).
pub fn gms_endpoint(c: &PlatformConfig) -> (String, u16) {
    let d = &c.components.datahub;
    (
        super::service_host(&format!("{}-datahub-gms", d.release), &d.namespace),
        GMS_PORT,
    )
}

/// The `datahub` component.
pub struct Datahub;

#[derive(Serialize)]
struct Values {
    #[serde(rename = "datahub-gms")]
    gms: Service,
    #[serde(rename = "datahub-frontend")]
    frontend: Service,
    #[serde(rename = "datahub-mae-consumer")]
    mae: Service,
    #[serde(rename = "datahub-mce-consumer")]
    mce: Service,
    global: Global,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Service {
    replica_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<ServiceType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<K8sResources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ingress: Option<Ingress>,
}

/// The subcharts default their Services to `LoadBalancer`; the platform
/// keeps them inside the cluster (the frontend is reached through its Ingress).
#[derive(Serialize)]
struct ServiceType {
    #[serde(rename = "type")]
    kind: &'static str,
}

/// The frontend subchart's ingress (`paths` are plain strings there).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Ingress {
    enabled: bool,
    class_name: String,
    hosts: Vec<IngressHost>,
    tls: Vec<IngressTls>,
}

#[derive(Serialize)]
struct IngressHost {
    host: String,
    paths: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IngressTls {
    hosts: Vec<String>,
    secret_name: String,
}

#[derive(Serialize)]
struct Global {
    graph_service_impl: &'static str,
    datahub_standalone_consumers_enabled: bool,
    elasticsearch: Elastic,
    kafka: Kafka,
    neo4j: Neo4j,
    sql: Sql,
    #[serde(skip_serializing_if = "Option::is_none")]
    datahub: Option<Version>,
}

#[derive(Serialize)]
struct Version {
    version: String,
}

#[derive(Serialize)]
struct Elastic {
    host: String,
    port: String,
}

#[derive(Serialize)]
struct Kafka {
    bootstrap: Bootstrap,
}

#[derive(Serialize)]
struct Bootstrap {
    server: String,
}

#[derive(Serialize)]
struct Neo4j {
    host: String,
    uri: String,
    username: &'static str,
    password: ChartSecret,
}

/// The chart's form of a Secret reference.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChartSecret {
    secret_ref: String,
    secret_key: String,
}

impl From<&SecretRef> for ChartSecret {
    fn from(s: &SecretRef) -> Self {
        ChartSecret {
            secret_ref: s.secret.clone(),
            secret_key: s.key.clone(),
        }
    }
}

#[derive(Serialize)]
struct Sql {
    datasource: Datasource,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Datasource {
    host: String,
    /// Required by the chart's schema even when the store is PostgreSQL.
    host_for_mysql_client: String,
    port: String,
    url: String,
    driver: &'static str,
    database: String,
    username: String,
    password: ChartSecret,
}

fn service(s: &DatahubService) -> Service {
    Service {
        replica_count: s.replicas,
        service: None,
        resources: s.resources.as_ref().map(K8sResources::from),
        ingress: None,
    }
}

fn frontend_ingress(c: &PlatformConfig) -> Option<Ingress> {
    let host = super::ingress::public_host(c, &c.components.datahub.endpoint)?;
    let cfg = c.ingress.as_ref()?;
    Some(Ingress {
        enabled: true,
        class_name: cfg.class_name.clone(),
        hosts: vec![IngressHost {
            host: host.clone(),
            paths: vec!["/"],
        }],
        tls: vec![IngressTls {
            hosts: vec![host],
            secret_name: cfg.tls_secret.clone(),
        }],
    })
}

impl Component for Datahub {
    fn name(&self) -> &'static str {
        "datahub"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        let x = &c.components.datahub;
        Some(Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        let mut n = super::needs_namespaces(c);
        n.extend(["elasticsearch", "kafka", "neo4j"]);
        n
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Helm(CHART)
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let me = &c.components.datahub;
        super::check_placement(c, "datahub", "release", &me.release, &me.namespace, f);
        let d = &c.components.datahub;
        let services = [
            ("gms", &d.gms),
            ("frontend", &d.frontend),
            ("maeConsumer", &d.mae_consumer),
            ("mceConsumer", &d.mce_consumer),
        ];
        for (name, s) in services {
            check_replicas(
                s.replicas,
                1,
                &["components", "datahub", name, "replicas"],
                f,
            );
            if let Some(r) = &s.resources {
                check_resources(r, &["components", "datahub", name, "resources"], f);
            }
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<Workload> {
        let d = &c.components.datahub;
        let ns = &d.namespace;
        let src = |key: &str| {
            format!(
                "{key}: resources default from datahub {} values.yaml",
                CHART.version
            )
        };
        let service = |name: &str, key: &str, s: &DatahubService, default: Resources| {
            let w = Workload::pods(self.name(), ns, name, s.replicas)
                .container(&merged(&default, s.resources.as_ref()));
            match &s.resources {
                Some(_) => w.note(format!(
                    "{key}: resources not set here come from the chart's defaults"
                )),
                None => w.note(src(key)),
            }
        };
        let consumer = || resources((Some("100m"), Some("256Mi")), (None, Some("1536Mi")));
        let job = || resources((Some("300m"), Some("2Gi")), (Some("500m"), Some("2Gi")));
        vec![
            service(
                "gms",
                "datahub-gms",
                &d.gms,
                resources((Some("100m"), Some("1Gi")), (None, Some("2Gi"))),
            ),
            service(
                "frontend",
                "datahub-frontend",
                &d.frontend,
                resources((Some("100m"), Some("512Mi")), (None, Some("1400Mi"))),
            ),
            service(
                "mae-consumer",
                "datahub-mae-consumer",
                &d.mae_consumer,
                consumer(),
            ),
            service(
                "mce-consumer",
                "datahub-mce-consumer",
                &d.mce_consumer,
                consumer(),
            ),
            Workload::pods(self.name(), ns, "actions", 1).default_container(
                &resources((Some("300m"), Some("256Mi")), (None, Some("512Mi"))),
                src("acryl-datahub-actions (enabled by chart default, 1 replica)"),
            ),
            Workload::job(self.name(), ns, "system-update").default_container(
                &job(),
                src("datahubSystemUpdate (pre-install/upgrade hook)"),
            ),
            Workload::job(self.name(), ns, "system-update-nonblk").default_container(
                &job(),
                src("datahubSystemUpdate (post-install/upgrade hook)"),
            ),
        ]
    }

    fn smoke_check(&self, c: &PlatformConfig) -> Option<crate::model::SmokeCheck> {
        use crate::model::{images, target_env, Probe, SmokeCheck};
        let (host, port) = gms_endpoint(c);
        Some(SmokeCheck {
            namespace: c.components.datahub.namespace.clone(),
            target: (host.clone(), port),
            probe: Probe::Script {
                image: images::CURL.into(),
                script: "curl -fsS \"http://$HOST:$PORT/health\"",
                env: target_env(&host, port),
                jvm: false,
            },
        })
    }

    fn secrets(&self, c: &PlatformConfig) -> Vec<super::SecretUse> {
        let d = &c.components.datahub;
        vec![
            super::SecretUse::new(&d.namespace, &d.neo4j_password),
            super::SecretUse::new(&d.namespace, &d.sql.password),
        ]
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let d = &c.components.datahub;
        let pg = &c.external.postgresql;
        let (es_host, es_port) = address::elasticsearch(c);
        let values = Values {
            gms: Service {
                service: Some(ServiceType { kind: "ClusterIP" }),
                ..service(&d.gms)
            },
            frontend: Service {
                service: Some(ServiceType { kind: "ClusterIP" }),
                ingress: frontend_ingress(c),
                ..service(&d.frontend)
            },
            mae: service(&d.mae_consumer),
            mce: service(&d.mce_consumer),
            global: Global {
                graph_service_impl: "neo4j",
                datahub_standalone_consumers_enabled: true,
                elasticsearch: Elastic {
                    host: es_host,
                    port: es_port.to_string(),
                },
                kafka: Kafka {
                    bootstrap: Bootstrap {
                        server: address::kafka(c),
                    },
                },
                neo4j: Neo4j {
                    host: address::neo4j_http(c),
                    uri: address::neo4j_bolt(c),
                    username: "neo4j",
                    password: (&d.neo4j_password).into(),
                },
                sql: Sql {
                    datasource: Datasource {
                        host: format!("{}:{}", pg.host, pg.port),
                        host_for_mysql_client: pg.host.clone(),
                        port: pg.port.to_string(),
                        url: format!(
                            "jdbc:postgresql://{}:{}/{}",
                            pg.host, pg.port, d.sql.database
                        ),
                        driver: "org.postgresql.Driver",
                        database: d.sql.database.clone(),
                        username: d.sql.username.clone(),
                        password: (&d.sql.password).into(),
                    },
                },
                datahub: d.version.clone().map(|version| Version { version }),
            },
        };
        vec![super::values_document(
            self.name(),
            &CHART,
            &d.release,
            &d.namespace,
            &values,
        )]
    }
}
