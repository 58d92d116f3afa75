//! Neo4j through neo4j/neo4j 5.x, standalone. The password comes only from
//! a Secret (`neo4j.passwordFromSecret`, key `NEO4J_AUTH`).

use serde::Serialize;

use super::{check_storage, service_host, Chart, Component, Delivery, Document};
use crate::config::{PlatformConfig, Quantity, ResourceList};
use crate::model::Finding;

/// Pinned chart.
pub const CHART: Chart = Chart::pinned("https://helm.neo4j.com/neo4j", "neo4j", "5.17.0");

/// Bolt port.
pub const BOLT_PORT: u16 = 7687;
/// HTTP port.
pub const HTTP_PORT: u16 = 7474;
/// The least memory the chart accepts (`_helpers.tpl` fails below it).
pub const MIN_MEMORY: &str = "2Gi";
/// The key the chart reads from `passwordFromSecret`.
pub const AUTH_KEY: &str = "NEO4J_AUTH";

/// The `neo4j` component.
pub struct Neo4j;

/// `bolt://host:port` of Neo4j.
pub fn bolt_uri(c: &PlatformConfig) -> String {
    let n = &c.components.neo4j;
    format!(
        "bolt://{}:{BOLT_PORT}",
        service_host(&n.release, &n.namespace)
    )
}

/// `host:port` of Neo4j's HTTP API.
pub fn http_endpoint(c: &PlatformConfig) -> String {
    let n = &c.components.neo4j;
    format!("{}:{HTTP_PORT}", service_host(&n.release, &n.namespace))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    /// Argo CD renders with `helm template`, where `lookup` returns nothing.
    disable_lookups: bool,
    neo4j: Server,
    volumes: Volumes,
    services: Services,
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
    fn name(&self) -> &'static str {
        "neo4j"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        let x = &c.components.neo4j;
        Some(Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        super::needs_namespaces(c)
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Helm(CHART)
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let me = &c.components.neo4j;
        super::check_placement(c, "neo4j", "release", &me.release, &me.namespace, f);
        let n = &c.components.neo4j;
        check_storage(&n.storage, &["components", "neo4j", "storage"], f);
        if n.auth.key != AUTH_KEY {
            f.push(Finding::new(
                &["components", "neo4j", "auth", "key"],
                format!("the neo4j chart reads the key `{AUTH_KEY}` of this Secret, not `{}`", n.auth.key),
                format!("set `key: {AUTH_KEY}` and store `neo4j/<password>` (at least 8 characters) under it"),
            ));
        }
        if let Some(mem) = &n.resources.memory {
            let min: Quantity = MIN_MEMORY.parse().expect("constant parses");
            if *mem < min {
                f.push(Finding::new(
                    &["components", "neo4j", "resources", "memory"],
                    format!("memory {mem} is below the neo4j chart's minimum of {MIN_MEMORY}"),
                    format!("set memory to at least {MIN_MEMORY} (the chart refuses to render below it)"),
                ));
            }
        }
        for (what, q) in [("cpu", &n.resources.cpu), ("memory", &n.resources.memory)] {
            if q.is_none() {
                f.push(Finding::new(
                    &["components", "neo4j", "resources"],
                    format!("`{what}` is required: the chart uses it for both request and limit"),
                    format!("add `{what}:` under components.neo4j.resources"),
                ));
            }
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<crate::model::Workload> {
        let n = &c.components.neo4j;
        // The chart uses neo4j.resources for both requests and limits.
        let r = crate::config::Resources {
            requests: Some(n.resources.clone()),
            limits: Some(n.resources.clone()),
        };
        vec![
            crate::model::Workload::pods(self.name(), &n.namespace, "neo4j", 1)
                .container(&r)
                .volume(&c.storage_class, &n.storage),
        ]
    }

    fn smoke_check(&self, c: &PlatformConfig) -> Option<crate::model::SmokeCheck> {
        use crate::model::{images, target_env, Env, Probe, SmokeCheck};
        let n = &c.components.neo4j;
        let host = service_host(&n.release, &n.namespace);
        let mut env = target_env(&host, BOLT_PORT);
        env.push(Env::Secret("NEO4J_AUTH", n.auth.clone()));
        Some(SmokeCheck {
            namespace: n.namespace.clone(),
            target: (host, BOLT_PORT),
            probe: Probe::Script {
                image: images::NEO4J.into(),
                // NEO4J_AUTH is `neo4j/<password>`, the Secret the release itself reads.
                script: "/var/lib/neo4j/bin/cypher-shell -a \"bolt://$HOST:$PORT\" -u neo4j -p \"${NEO4J_AUTH#neo4j/}\" --format plain 'RETURN 1;'",
                env,
                jvm: true,
            },
        })
    }

    fn secrets(&self, c: &PlatformConfig) -> Vec<super::SecretUse> {
        let n = &c.components.neo4j;
        vec![super::SecretUse::new(&n.namespace, &n.auth)]
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let n = &c.components.neo4j;
        let values = Values {
            disable_lookups: true,
            neo4j: Server {
                name: n.release.clone(),
                edition: "community",
                password_from_secret: n.auth.secret.clone(),
                resources: n.resources.clone(),
            },
            volumes: Volumes {
                data: DataVolume {
                    mode: "dynamic",
                    dynamic: Dynamic {
                        storage_class_name: c.storage_class.clone(),
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
        let mut doc =
            super::values_document(self.name(), &CHART, &n.release, &n.namespace, &values);
        doc.data["password_secret"] = values.neo4j.password_from_secret.clone().into();
        vec![doc]
    }
}
