//! DataHub through acryldata/datahub 1.1.0: GMS, frontend, and the MAE and
//! MCE consumers as their own pods, with Neo4j as graph store and the
//! existing PostgreSQL as SQL store. Addresses of Elasticsearch, Kafka and
//! Neo4j are computed from those components, never typed twice.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ingress;
use crate::config::{PublicEndpoint, Resources, SecretRef};
use crate::k8s::ResourceRequirements;
use crate::model::{
    images, merged, resources, rules, Address, Chart, Component, Cx, Delivery, Document, Finding,
    Findings, Own, Prerequisite, SecretUse, Section, SmokeCheck, Workload,
};

/// Pinned chart.
const PIN: Chart = Chart::pinned("https://helm.datahubproject.io/", "datahub", "1.1.0");

/// Port of the GMS Service.
pub(super) const GMS_PORT: u16 = 8080;

/// DataHub and what it connects to.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct DatahubConfig {
    /// DataHub image tag (`global.datahub.version`); the chart's appVersion when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The metadata service (GMS).
    pub gms: DatahubService,
    /// The web frontend.
    pub frontend: DatahubService,
    /// The metadata-audit-event consumer, as its own pods.
    pub mae_consumer: DatahubService,
    /// The metadata-change-event consumer, as its own pods.
    pub mce_consumer: DatahubService,
    /// Secret key holding the Neo4j password (the plain password, not `NEO4J_AUTH`).
    pub neo4j_password: SecretRef,
    /// DataHub's SQL store on the existing PostgreSQL.
    pub sql: DatahubSql,
    /// Public endpoint of the DataHub frontend (the chart's ingress).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<PublicEndpoint>,
}

/// One DataHub service.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct DatahubService {
    /// Number of pods.
    pub replicas: u32,
    /// Container resources; the chart's defaults when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

/// DataHub's database on the existing PostgreSQL.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct DatahubSql {
    /// Database name; it must exist (DataHub's system-update job creates the tables).
    pub database: String,
    /// User name.
    pub username: String,
    /// Secret key holding the user's password.
    pub password: SecretRef,
}

/// The `datahub` component.
pub(super) struct Datahub;

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
    resources: Option<ResourceRequirements>,
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
    /// The registry of every DataHub image (the chart's default is
    /// `docker.io`); set with a mirror.
    #[serde(rename = "imageRegistry", skip_serializing_if = "Option::is_none")]
    image_registry: Option<String>,
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
        resources: s.resources.as_ref().map(Resources::to_k8s),
        ingress: None,
    }
}

fn frontend_ingress(cx: &Cx<'_, DatahubConfig>) -> Option<Ingress> {
    let host = ingress::public_host(cx.platform, &cx.config.endpoint)?;
    let cfg = cx.platform.ingress.as_ref()?;
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
    type Config = DatahubConfig;
    const CHART: Option<Chart> = Some(PIN);
    const NAME: &'static str = "datahub";
    const ABOUT: &'static str =
        "DataHub (acryldata/datahub): GMS, frontend, MAE and MCE consumers.";
    const SECTION: Section = Section::Release;
    const TEMPLATE: Option<&'static str> = Some(include_str!("../../templates/datahub.yaml.tera"));
    const OPEN_VALUES: &'static [(&'static str, &'static str)] = &[
        (
            "datahub-frontend.ingress.className",
            "read by the frontend subchart's templates/ingress.yaml (`ingressClassName`); commented out in its values.yaml",
        ),
        ("datahub-gms.resources", "core/v1 ResourceRequirements"),
        ("datahub-mae-consumer.resources", "core/v1 ResourceRequirements"),
        ("datahub-mce-consumer.resources", "core/v1 ResourceRequirements"),
    ];

    fn delivery(&self, own: &Own<'_, DatahubConfig>) -> Delivery {
        Delivery::Helm(own.chart().clone())
    }
    fn prerequisites(&self, own: &Own<'_, DatahubConfig>) -> Vec<Prerequisite> {
        let pg = &own.platform.external.postgresql;
        let mut p = vec![Prerequisite::new(
            "Database",
            format!("{}:{}/{}", pg.host, pg.port, own.config.sql.database),
            format!(
                "on the existing PostgreSQL, owned by `{}` (DataHub's system-update job creates the tables)",
                own.config.sql.username
            ),
        )];
        let host = ingress::public_host(own.platform, &own.config.endpoint);
        p.extend(ingress::prerequisites(own.platform, own.namespace, host));
        p
    }
    fn needs(&self, _: &Cx<'_, DatahubConfig>) -> Vec<&'static str> {
        vec!["elasticsearch", "kafka", "neo4j"]
    }
    fn addresses(&self, own: &Own<'_, DatahubConfig>) -> Vec<Address> {
        vec![Address::new(
            "gms",
            format!("{}-datahub-gms", own.release),
            own.namespace,
            GMS_PORT,
        )]
    }
    fn secrets(&self, own: &Own<'_, DatahubConfig>) -> Vec<SecretUse> {
        let d = own.config;
        vec![
            SecretUse::new(own.namespace, &d.neo4j_password),
            SecretUse::new(own.namespace, &d.sql.password),
        ]
    }
    fn validate(&self, cx: &Cx<'_, DatahubConfig>, f: &mut Findings) {
        let d = cx.config;
        let services = [
            ("gms", &d.gms),
            ("frontend", &d.frontend),
            ("maeConsumer", &d.mae_consumer),
            ("mceConsumer", &d.mce_consumer),
        ];
        for (name, s) in services {
            rules::replicas(s.replicas, 1, &[name, "replicas"], f);
            rules::maybe_resources(&s.resources, &[name, "resources"], f);
        }
        // The chart's MCE consumer template fails with more than one
        // replica in strict mode with managed ingestion on (both its
        // defaults), standalone consumers being gen's.
        let off = |path: &[&str]| cx.value_at(path) == Some(&serde_json::Value::Bool(false));
        let managed = !off(&["global", "datahub", "managed_ingestion", "enabled"]);
        let strict = !off(&["global", "strict_mode"]);
        if d.mce_consumer.replicas > 1 && managed && strict {
            f.at(
                &["mceConsumer", "replicas"],
                format!(
                    "chart datahub {} refuses {} MCE consumers while managed ingestion is on (\"Managed ingestion can not be used with multiple MCE Processor instances\")",
                    cx.chart().version,
                    d.mce_consumer.replicas
                ),
                "set `mceConsumer.replicas: 1`, or turn managed ingestion off: `values: {global: {datahub: {managed_ingestion: {enabled: false}}}}`",
            );
        }
    }
    fn workloads(&self, own: &Own<'_, DatahubConfig>) -> Vec<Workload> {
        let d = own.config;
        let ns = own.namespace;
        let src = |key: &str| {
            format!(
                "{key}: resources default from datahub {} values.yaml",
                own.chart().version
            )
        };
        let service = |name: &str, key: &str, s: &DatahubService, default: Resources| {
            let w = Workload::pods(Self::NAME, ns, name, s.replicas)
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
            Workload::pods(Self::NAME, ns, "actions", 1).default_container(
                &resources((Some("300m"), Some("256Mi")), (None, Some("512Mi"))),
                src("acryl-datahub-actions (enabled by chart default, 1 replica)"),
            ),
            Workload::job(Self::NAME, ns, "system-update").default_container(
                &job(),
                src("datahubSystemUpdate (pre-install/upgrade hook)"),
            ),
            Workload::job(Self::NAME, ns, "system-update-nonblk").default_container(
                &job(),
                src("datahubSystemUpdate (post-install/upgrade hook)"),
            ),
        ]
    }
    fn smoke(&self, cx: &Cx<'_, DatahubConfig>) -> Option<SmokeCheck> {
        let a = cx.address(Self::NAME, "gms").ok()?;
        Some(SmokeCheck::script(
            cx.namespace,
            a,
            images::CURL,
            include_str!("smoke/datahub.sh"),
            false,
        ))
    }
    fn build(&self, cx: &Cx<'_, DatahubConfig>) -> Result<Vec<Document>, Finding> {
        let d = cx.config;
        let pg = &cx.platform.external.postgresql;
        let es = cx.address("elasticsearch", "http")?;
        let kafka = cx.address("kafka", "bootstrap")?;
        let bolt = cx.address("neo4j", "bolt")?;
        let neo4j_http = cx.address("neo4j", "http")?;
        let values = Values {
            gms: Service {
                service: Some(ServiceType { kind: "ClusterIP" }),
                ..service(&d.gms)
            },
            frontend: Service {
                service: Some(ServiceType { kind: "ClusterIP" }),
                ingress: frontend_ingress(cx),
                ..service(&d.frontend)
            },
            mae: service(&d.mae_consumer),
            mce: service(&d.mce_consumer),
            global: Global {
                image_registry: cx
                    .platform
                    .images
                    .mirror
                    .as_ref()
                    .map(|_| cx.platform.images.registry_for("docker.io")),
                graph_service_impl: "neo4j",
                datahub_standalone_consumers_enabled: true,
                elasticsearch: Elastic {
                    host: es.host(),
                    port: es.port.to_string(),
                },
                kafka: Kafka {
                    bootstrap: Bootstrap {
                        server: kafka.host_port(),
                    },
                },
                neo4j: Neo4j {
                    host: neo4j_http.host_port(),
                    uri: format!("bolt://{}", bolt.host_port()),
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
        Ok(vec![cx.values_file(&values)])
    }
}
