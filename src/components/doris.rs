//! A `DorisCluster` (doris.selectdb.com/v1) for the Doris operator: FE and
//! BE with their volumes at the paths the images use (`persistentVolumes`,
//! a list, not the plan's `persistentVolume`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::{ImageRef, Quantity, ResourceList, Resources, SecretRef};
use std::collections::BTreeMap;

use crate::k8s::{
    meta, DorisCluster, DorisNodeSpec, DorisPersistentVolume, PersistentVolumeClaimSpec, Resource,
    VolumeResourceRequirements,
};
use crate::model::{
    images, rules, Address, Component, Cx, Delivery, Document, Env, Finding, Findings, Own,
    SecretUse, Section, SmokeCheck, View, Workload,
};
use crate::yaml::Emitted;

/// The FE's MySQL-protocol query port.
pub(super) const QUERY_PORT: u16 = 9030;
/// Where the FE image keeps its metadata.
pub(super) const FE_META_PATH: &str = "/opt/apache-doris/fe/doris-meta";
/// Where the BE image keeps its data.
pub(super) const BE_STORAGE_PATH: &str = "/opt/apache-doris/be/storage";

/// The Doris check's query that lists the frontends (Doris only).
pub(super) const FRONTENDS_QUERY: &str = "SHOW FRONTENDS";
/// The check table's options after its columns: Doris's key model,
/// distribution and replication (one replica: the smallest cluster has one
/// BE), as Doris's `CREATE TABLE` grammar writes them.
pub(super) const TABLE_OPTIONS: &str =
    "DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ('replication_num' = '1')";

/// The `doris` component.
pub(super) struct Doris;

/// A `DorisCluster` (doris.selectdb.com/v1): FE and BE.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct DorisConfig {
    /// Name of the DorisCluster (its FE Service is `<name>-fe-service`).
    #[serde(default = "doris_name")]
    pub name: String,
    /// Secret of type `kubernetes.io/basic-auth` (keys `username`,
    /// `password`) the operator uses to manage nodes.
    pub auth_secret: String,
    /// Frontends (metadata and query planning).
    pub fe: DorisFe,
    /// Backends (storage and execution).
    pub be: DorisBe,
}

fn doris_name() -> String {
    "doris-cluster".into()
}

/// Doris frontends.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct DorisFe {
    /// Number of FE pods.
    pub replicas: u32,
    /// FEs that take part in leader election (the rest are observers): odd,
    /// at most `replicas`. Default: the largest odd number ≤ min(replicas, 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election_number: Option<u32>,
    /// FE image, e.g. `apache/doris:fe-3.0.8`.
    pub image: ImageRef,
    /// Container resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Size of each FE's metadata volume.
    pub storage: Quantity,
}

/// Doris backends.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct DorisBe {
    /// Number of BE pods.
    pub replicas: u32,
    /// BE image, e.g. `apache/doris:be-3.0.8`.
    pub image: ImageRef,
    /// Container resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Size of each BE's storage volume.
    pub storage: Quantity,
}

/// The election number used: configured, or the largest odd number ≤ min(replicas, 3).
pub(super) fn election_number(d: &DorisConfig) -> u32 {
    d.fe.election_number.unwrap_or_else(|| {
        let n = d.fe.replicas.clamp(1, 3);
        if n.is_multiple_of(2) {
            n - 1
        } else {
            n
        }
    })
}

fn node(
    replicas: u32,
    election_number: Option<u32>,
    image: &ImageRef,
    resources: &Option<Resources>,
    volume: DorisPersistentVolume,
) -> DorisNodeSpec {
    DorisNodeSpec {
        replicas,
        election_number,
        image: image.to_string(),
        requests: resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .map(ResourceList::to_k8s),
        limits: resources
            .as_ref()
            .and_then(|r| r.limits.as_ref())
            .map(ResourceList::to_k8s),
        persistent_volumes: vec![volume],
    }
}

fn volume(name: &str, mount_path: &str, class: &str, size: &Quantity) -> DorisPersistentVolume {
    DorisPersistentVolume {
        name: name.to_string(),
        mount_path: mount_path.to_string(),
        persistent_volume_claim_spec: PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: Some(class.to_string()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_string(), size.to_k8s())])),
                limits: None,
            }),
            ..PersistentVolumeClaimSpec::default()
        },
    }
}

impl Component for Doris {
    type Config = DorisConfig;
    const NAME: &'static str = "doris";
    const ABOUT: &'static str = "A Doris cluster managed by the operator.";
    const SECTION: Section = Section::Namespaced;
    const TEMPLATE: Option<&'static str> = Some(include_str!("../../templates/doris.yaml.tera"));
    // The CRD arrives with the operator, one wave earlier.
    const SYNC_OPTIONS: &'static [&'static str] = &["SkipDryRunOnMissingResource=true"];

    fn delivery(&self, _: &Own<'_, DorisConfig>) -> Delivery {
        Delivery::Manifests
    }
    fn needs(&self, _: &Cx<'_, DorisConfig>) -> Vec<&'static str> {
        vec!["doris-operator"]
    }
    /// The FE's query Service, which the operator names `<name>-fe-service`.
    fn addresses(&self, own: &Own<'_, DorisConfig>) -> Vec<Address> {
        vec![Address::new(
            "query",
            format!("{}-fe-service", own.config.name),
            own.namespace,
            QUERY_PORT,
        )]
    }
    fn secrets(&self, own: &Own<'_, DorisConfig>) -> Vec<SecretUse> {
        ["username", "password"]
            .into_iter()
            .map(|key| SecretUse {
                namespace: own.namespace.to_string(),
                reference: SecretRef {
                    secret: own.config.auth_secret.clone(),
                    key: key.to_string(),
                    remote_key: None,
                },
                secret_type: Some("kubernetes.io/basic-auth"),
            })
            .collect()
    }
    fn validate(&self, cx: &Cx<'_, DorisConfig>, f: &mut Findings) {
        let d = cx.config;
        rules::name(&d.name, &["name"], f);
        rules::replicas(d.fe.replicas, 1, &["fe", "replicas"], f);
        rules::replicas(d.be.replicas, 1, &["be", "replicas"], f);
        rules::storage(&d.fe.storage, &["fe", "storage"], f);
        rules::storage(&d.be.storage, &["be", "storage"], f);
        rules::maybe_resources(&d.fe.resources, &["fe", "resources"], f);
        rules::maybe_resources(&d.be.resources, &["be", "resources"], f);
        if let Some(n) = d.fe.election_number {
            if n == 0 || n > d.fe.replicas {
                f.at(
                    &["fe", "electionNumber"],
                    format!("electionNumber {n} must be between 1 and the FE replicas ({})", d.fe.replicas),
                    "the operator keeps FEs beyond the election number as observers; it cannot elect among FEs that do not exist",
                );
            } else if n.is_multiple_of(2) {
                f.at(
                    &["fe", "electionNumber"],
                    format!("electionNumber {n} is even"),
                    format!(
                        "use an odd number ({} or {}) so a majority can always be formed",
                        n - 1,
                        n + 1
                    ),
                );
            }
        }
    }
    fn workloads(&self, own: &Own<'_, DorisConfig>) -> Vec<Workload> {
        let d = own.config;
        let class = &own.platform.storage_class;
        let none = Resources::default();
        vec![
            Workload::pods(Self::NAME, own.namespace, "fe", d.fe.replicas)
                .container(d.fe.resources.as_ref().unwrap_or(&none))
                .volume(class, &d.fe.storage),
            Workload::pods(Self::NAME, own.namespace, "be", d.be.replicas)
                .container(d.be.resources.as_ref().unwrap_or(&none))
                .volume(class, &d.be.storage),
        ]
    }
    fn smoke(&self, cx: &Cx<'_, DorisConfig>) -> Option<SmokeCheck> {
        let d = cx.config;
        let a = cx.address(Self::NAME, "query").ok()?;
        let secret = |key: &str| SecretRef {
            secret: d.auth_secret.clone(),
            key: key.to_string(),
            remote_key: None,
        };
        let script = include_str!("smoke/doris.sh");
        let check = SmokeCheck::script(cx.namespace, a, images::MYSQL, script, false);
        Some(
            check
                .with_env(Env::Secret("DORIS_USER", secret("username")))
                .with_env(Env::Secret("MYSQL_PWD", secret("password")))
                .with_env(Env::Value("FRONTENDS_QUERY", FRONTENDS_QUERY.into()))
                .with_env(Env::Value("TABLE_OPTIONS", TABLE_OPTIONS.into())),
        )
    }
    fn build(&self, cx: &Cx<'_, DorisConfig>) -> Result<Vec<Document>, Finding> {
        let d = cx.config;
        let class = &cx.platform.storage_class;
        let cluster = Resource::new(
            meta(&d.name, Some(cx.namespace)),
            DorisCluster {
                auth_secret: d.auth_secret.clone(),
                fe_spec: node(
                    d.fe.replicas,
                    Some(election_number(d)),
                    &cx.platform.images.pull_ref(&d.fe.image),
                    &d.fe.resources,
                    volume("fe-meta", FE_META_PATH, class, &d.fe.storage),
                ),
                be_spec: node(
                    d.be.replicas,
                    None,
                    &cx.platform.images.pull_ref(&d.be.image),
                    &d.be.resources,
                    volume("be-storage", BE_STORAGE_PATH, class, &d.be.storage),
                ),
            },
        );
        Ok(vec![Document {
            json: None,
            path: "manifests/doris.yaml".into(),
            template: Self::NAME,
            data: serde_json::json!({
                "name": d.name,
                "namespace": cx.namespace,
                "fe_replicas": cluster.spec.fe_spec.replicas,
                "be_replicas": cluster.spec.be_spec.replicas,
                "auth_secret": cluster.spec.auth_secret,
                "query_port": QUERY_PORT,
            }),
            view: View::One("cluster"),
            expect: vec![Emitted::of(&cluster)],
        }])
    }
}
