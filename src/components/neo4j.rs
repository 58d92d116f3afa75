//! Neo4j through neo4j/neo4j 5.x, standalone. The password comes only from
//! a Secret (`neo4j.passwordFromSecret`, key `NEO4J_AUTH`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::{Quantity, ResourceList, Resources, SecretRef};
use crate::model::{
    images, rules, Address, Chart, Component, Cx, Delivery, Document, Env, Finding, Findings, Own,
    SecretUse, Section, SmokeCheck, Workload,
};

/// Pinned chart.
const PIN: Chart = Chart::pinned("https://helm.neo4j.com/neo4j", "neo4j", "5.17.0");

/// Bolt port.
pub(super) const BOLT_PORT: u16 = 7687;
/// HTTP port.
pub(super) const HTTP_PORT: u16 = 7474;
/// The least memory the chart accepts (`_helpers.tpl` fails below it).
pub(super) const MIN_MEMORY: &str = "2Gi";
/// The key the chart reads from `passwordFromSecret`.
pub(super) const AUTH_KEY: &str = "NEO4J_AUTH";

/// The `neo4j` component.
pub(super) struct Neo4j;

/// Neo4j, standalone.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Neo4jConfig {
    /// Size of the data volume.
    pub storage: Quantity,
    /// CPU and memory of the Neo4j container (the chart sets requests = limits).
    pub resources: ResourceList,
    /// Secret holding `NEO4J_AUTH` = `neo4j/<password>` (password ≥ 8 characters).
    pub auth: SecretRef,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    /// Argo CD renders with `helm template`, where `lookup` returns nothing.
    disable_lookups: bool,
    neo4j: Server,
    volumes: Volumes,
    services: Services,
    /// With a mirror, the server's image through it.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<Image>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Image {
    custom_image: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Server {
    name: String,
    edition: &'static str,
    password_from_secret: String,
    resources: ResourceList,
}

#[derive(Serialize)]
struct Volumes {
    data: DataVolume,
}

#[derive(Serialize)]
struct DataVolume {
    mode: &'static str,
    dynamic: Dynamic,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dynamic {
    storage_class_name: String,
    requests: Storage,
}

#[derive(Serialize)]
struct Storage {
    storage: Quantity,
}

/// The chart's `services.neo4j` is a LoadBalancer by default; the platform
/// keeps the database inside the cluster (clients use the ClusterIP Service
/// named after the release).
#[derive(Serialize)]
struct Services {
    neo4j: Toggle,
}

#[derive(Serialize)]
struct Toggle {
    enabled: bool,
}

impl Component for Neo4j {
    type Config = Neo4jConfig;
    const CHART: Option<Chart> = Some(PIN);
    const NAME: &'static str = "neo4j";
    const ABOUT: &'static str = "Neo4j (neo4j/neo4j), DataHub's graph store.";
    const SECTION: Section = Section::Release;
    const TEMPLATE: Option<&'static str> = Some(include_str!("../../templates/neo4j.yaml.tera"));

    fn delivery(&self, own: &Own<'_, Neo4jConfig>) -> Delivery {
        Delivery::Helm(own.chart().clone())
    }
    fn addresses(&self, own: &Own<'_, Neo4jConfig>) -> Vec<Address> {
        vec![
            Address::new("bolt", own.release, own.namespace, BOLT_PORT),
            Address::new("http", own.release, own.namespace, HTTP_PORT),
        ]
    }
    fn secrets(&self, own: &Own<'_, Neo4jConfig>) -> Vec<SecretUse> {
        vec![SecretUse::new(own.namespace, &own.config.auth)]
    }
    fn validate(&self, cx: &Cx<'_, Neo4jConfig>, f: &mut Findings) {
        let n = cx.config;
        rules::storage(&n.storage, &["storage"], f);
        if n.auth.key != AUTH_KEY {
            f.at(
                &["auth", "key"],
                format!("the neo4j chart reads the key `{AUTH_KEY}` of this Secret, not `{}`", n.auth.key),
                format!("set `key: {AUTH_KEY}` and store `neo4j/<password>` (at least 8 characters) under it"),
            );
        }
        if let Some(mem) = &n.resources.memory {
            let min: Quantity = MIN_MEMORY.parse().expect("constant parses");
            if *mem < min {
                f.at(
                    &["resources", "memory"],
                    format!("memory {mem} is below the neo4j chart's minimum of {MIN_MEMORY}"),
                    format!("set memory to at least {MIN_MEMORY} (the chart refuses to render below it)"),
                );
            }
        }
        for (what, q) in [("cpu", &n.resources.cpu), ("memory", &n.resources.memory)] {
            if q.is_none() {
                f.at(
                    &["resources"],
                    format!("`{what}` is required: the chart uses it for both request and limit"),
                    format!("add `{what}:` under components.neo4j.resources"),
                );
            }
        }
    }
    fn workloads(&self, own: &Own<'_, Neo4jConfig>) -> Vec<Workload> {
        let n = own.config;
        // The chart uses neo4j.resources for both requests and limits.
        let r = Resources {
            requests: Some(n.resources.clone()),
            limits: Some(n.resources.clone()),
        };
        vec![Workload::pods(Self::NAME, own.namespace, "neo4j", 1)
            .container(&r)
            .volume(&own.platform.storage_class, &n.storage)]
    }
    fn smoke(&self, cx: &Cx<'_, Neo4jConfig>) -> Option<SmokeCheck> {
        let a = cx.address(Self::NAME, "bolt").ok()?;
        let check = SmokeCheck::script(
            cx.namespace,
            a,
            images::NEO4J,
            include_str!("smoke/neo4j.sh"),
            true,
        );
        Some(check.with_env(Env::Secret("NEO4J_AUTH", cx.config.auth.clone())))
    }
    fn build(&self, cx: &Cx<'_, Neo4jConfig>) -> Result<Vec<Document>, Finding> {
        let n = cx.config;
        let values = Values {
            image: cx.platform.images.mirror.as_ref().map(|_| Image {
                custom_image: cx.platform.images.pull(images::NEO4J),
            }),
            disable_lookups: true,
            neo4j: Server {
                name: cx.release.to_string(),
                edition: "community",
                password_from_secret: n.auth.secret.clone(),
                resources: n.resources.clone(),
            },
            volumes: Volumes {
                data: DataVolume {
                    mode: "dynamic",
                    dynamic: Dynamic {
                        storage_class_name: cx.platform.storage_class.clone(),
                        requests: Storage {
                            storage: n.storage.clone(),
                        },
                    },
                },
            },
            services: Services {
                neo4j: Toggle { enabled: false },
            },
        };
        let mut doc = cx.values_file(&values);
        doc.data["password_secret"] = values.neo4j.password_from_secret.clone().into();
        Ok(vec![doc])
    }
}
