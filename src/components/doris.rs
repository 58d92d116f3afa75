//! A `DorisCluster` (doris.selectdb.com/v1) for the Doris operator: FE and
//! BE with their volumes at the paths the images use (`persistentVolumes`,
//! a list, not the plan's `persistentVolume`).

use serde::Serialize;

use super::{
    check_replicas, check_resources, check_storage, service_host, Component, Delivery, Document,
};
use crate::config::{DorisConfig, ImageRef, PlatformConfig, Quantity, ResourceList, Resources};
use crate::model::Finding;

/// `apiVersion` of DorisCluster.
pub const API_VERSION: &str = "doris.selectdb.com/v1";
/// The FE's MySQL-protocol query port.
pub const QUERY_PORT: u16 = 9030;
/// Where the FE image keeps its metadata.
pub const FE_META_PATH: &str = "/opt/apache-doris/fe/doris-meta";
/// Where the BE image keeps its data.
pub const BE_STORAGE_PATH: &str = "/opt/apache-doris/be/storage";

/// The Doris check: the FE answers `SHOW FRONTENDS`, and a table round
/// trip (create, insert, select) works. The password comes from the
/// cluster's `authSecret` through `MYSQL_PWD`.
const DORIS_SCRIPT: &str = "set -e\n\
q() { mysql -h \"$HOST\" -P \"$PORT\" -u \"$DORIS_USER\" --batch --skip-column-names -e \"$1\"; }\n\
q 'SHOW FRONTENDS' | grep -q .\n\
q \"CREATE DATABASE IF NOT EXISTS platgen_smoke\"\n\
q \"CREATE TABLE IF NOT EXISTS platgen_smoke.round_trip (k INT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1')\"\n\
q \"TRUNCATE TABLE platgen_smoke.round_trip\"\n\
q \"INSERT INTO platgen_smoke.round_trip VALUES (1, 42)\"\n\
test \"$(q 'SELECT v FROM platgen_smoke.round_trip WHERE k = 1')\" = 42\n";

/// The `doris` component.
pub struct Doris;

fn config(c: &PlatformConfig) -> Option<&DorisConfig> {
    c.components.doris.as_ref()
}

/// Host and port of the FE's query Service (`<name>-fe-service`).
pub fn query_endpoint(c: &PlatformConfig) -> Option<(String, u16)> {
    config(c).map(|d| {
        (
            service_host(&format!("{}-fe-service", d.name), &d.namespace),
            QUERY_PORT,
        )
    })
}

/// The election number used: configured, or the largest odd number ≤ min(replicas, 3).
pub fn election_number(d: &DorisConfig) -> u32 {
    d.fe.election_number.unwrap_or_else(|| {
        let n = d.fe.replicas.clamp(1, 3);
        if n.is_multiple_of(2) {
            n - 1
        } else {
            n
        }
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DorisCluster<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata<'a>,
    spec: Spec,
}

#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
    namespace: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    auth_secret: String,
    fe_spec: NodeSpec,
    be_spec: NodeSpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeSpec {
    replicas: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    election_number: Option<u32>,
    image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    requests: Option<ResourceList>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limits: Option<ResourceList>,
    persistent_volumes: Vec<PersistentVolume>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PersistentVolume {
    name: String,
    mount_path: &'static str,
    persistent_volume_claim_spec: ClaimSpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClaimSpec {
    access_modes: [&'static str; 1],
    storage_class_name: String,
    resources: ClaimResources,
}

#[derive(Serialize)]
struct ClaimResources {
    requests: Storage,
}

#[derive(Serialize)]
struct Storage {
    storage: Quantity,
}

fn node(
    replicas: u32,
    election_number: Option<u32>,
    image: &ImageRef,
    resources: &Option<Resources>,
    volume: PersistentVolume,
) -> NodeSpec {
    NodeSpec {
        replicas,
        election_number,
        image: image.to_string(),
        requests: resources.as_ref().and_then(|r| r.requests.clone()),
        limits: resources.as_ref().and_then(|r| r.limits.clone()),
        persistent_volumes: vec![volume],
    }
}

fn volume(name: &str, mount_path: &'static str, class: &str, size: &Quantity) -> PersistentVolume {
    PersistentVolume {
        name: name.to_string(),
        mount_path,
        persistent_volume_claim_spec: ClaimSpec {
            access_modes: ["ReadWriteOnce"],
            storage_class_name: class.to_string(),
            resources: ClaimResources {
                requests: Storage {
                    storage: size.clone(),
                },
            },
        },
    }
}

impl Component for Doris {
    fn name(&self) -> &'static str {
        "doris"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        config(c).map(|x| Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        let mut n = super::needs_namespaces(c);
        n.push("doris-operator");
        n
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Manifests
    }
    fn sync_options(&self) -> &'static [&'static str] {
        // The CRD arrives with the operator, one wave earlier.
        &["SkipDryRunOnMissingResource=true"]
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let Some(d) = config(c) else { return };
        super::check_placement(c, "doris", "name", &d.name, &d.namespace, f);
        let p = |group: &'static str, leaf: &'static str| ["components", "doris", group, leaf];
        check_replicas(d.fe.replicas, 1, &p("fe", "replicas"), f);
        check_replicas(d.be.replicas, 1, &p("be", "replicas"), f);
        check_storage(&d.fe.storage, &p("fe", "storage"), f);
        check_storage(&d.be.storage, &p("be", "storage"), f);
        for (group, r) in [("fe", &d.fe.resources), ("be", &d.be.resources)] {
            if let Some(r) = r {
                check_resources(r, &p(group, "resources"), f);
            }
        }
        if let Some(n) = d.fe.election_number {
            if n == 0 || n > d.fe.replicas {
                f.push(Finding::new(
                    &p("fe", "electionNumber"),
                    format!("electionNumber {n} must be between 1 and the FE replicas ({})", d.fe.replicas),
                    "the operator keeps FEs beyond the election number as observers; it cannot elect among FEs that do not exist",
                ));
            } else if n.is_multiple_of(2) {
                f.push(Finding::new(
                    &p("fe", "electionNumber"),
                    format!("electionNumber {n} is even"),
                    format!(
                        "use an odd number ({} or {}) so a majority can always be formed",
                        n - 1,
                        n + 1
                    ),
                ));
            }
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<crate::model::Workload> {
        let Some(d) = config(c) else {
            return Vec::new();
        };
        let class = &c.storage_class;
        let none = crate::config::Resources::default();
        vec![
            crate::model::Workload::pods(self.name(), &d.namespace, "fe", d.fe.replicas)
                .container(d.fe.resources.as_ref().unwrap_or(&none))
                .volume(class, &d.fe.storage),
            crate::model::Workload::pods(self.name(), &d.namespace, "be", d.be.replicas)
                .container(d.be.resources.as_ref().unwrap_or(&none))
                .volume(class, &d.be.storage),
        ]
    }

    fn smoke_check(&self, c: &PlatformConfig) -> Option<crate::model::SmokeCheck> {
        use crate::model::{images, target_env, Env, Probe, SmokeCheck};
        let d = config(c)?;
        let (host, port) = query_endpoint(c)?;
        let secret = |key: &str| crate::config::SecretRef {
            secret: d.auth_secret.clone(),
            key: key.to_string(),
            remote_key: None,
        };
        let mut env = target_env(&host, port);
        env.push(Env::Secret("DORIS_USER", secret("username")));
        env.push(Env::Secret("MYSQL_PWD", secret("password")));
        Some(SmokeCheck {
            namespace: d.namespace.clone(),
            target: (host, port),
            probe: Probe::Script {
                image: images::MYSQL.into(),
                script: DORIS_SCRIPT,
                env,
                jvm: false,
            },
        })
    }

    fn secrets(&self, c: &PlatformConfig) -> Vec<super::SecretUse> {
        let Some(d) = config(c) else {
            return Vec::new();
        };
        ["username", "password"]
            .into_iter()
            .map(|key| super::SecretUse {
                namespace: d.namespace.clone(),
                reference: crate::config::SecretRef {
                    secret: d.auth_secret.clone(),
                    key: key.to_string(),
                    remote_key: None,
                },
                secret_type: Some("kubernetes.io/basic-auth"),
            })
            .collect()
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let Some(d) = config(c) else {
            return Vec::new();
        };
        let class = &c.storage_class;
        let cluster = DorisCluster {
            api_version: API_VERSION,
            kind: "DorisCluster",
            metadata: Metadata {
                name: &d.name,
                namespace: &d.namespace,
            },
            spec: Spec {
                auth_secret: d.auth_secret.clone(),
                fe_spec: node(
                    d.fe.replicas,
                    Some(election_number(d)),
                    &d.fe.image,
                    &d.fe.resources,
                    volume("fe-meta", FE_META_PATH, class, &d.fe.storage),
                ),
                be_spec: node(
                    d.be.replicas,
                    None,
                    &d.be.image,
                    &d.be.resources,
                    volume("be-storage", BE_STORAGE_PATH, class, &d.be.storage),
                ),
            },
        };
        vec![Document {
            path: "manifests/doris.yaml".into(),
            template: "doris",
            data: serde_json::json!({
                "name": cluster.metadata.name,
                "namespace": cluster.metadata.namespace,
                "fe_replicas": cluster.spec.fe_spec.replicas,
                "be_replicas": cluster.spec.be_spec.replicas,
                "auth_secret": cluster.spec.auth_secret,
                "query_port": QUERY_PORT,
            }),
            view: super::View::One("cluster"),
            expect: vec![crate::yaml::Emitted::of(&cluster)],
        }]
    }
}
