//! Kafka through bitnami/kafka 32.x, KRaft only: `controller.*` and
//! `broker.*` (the chart has no top-level `replicaCount` or `persistence`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::bitnami::{self, BitnamiGlobal, BitnamiImage, Persistence, VolumePermissions};
use crate::config::{Quantity, Resources};
use crate::k8s::ResourceRequirements;
use crate::model::{
    images, rules, Address, Chart, Component, Cx, Delivery, Document, Finding, Findings, Own,
    Section, SmokeCheck, Workload,
};

/// Pinned chart.
const PIN: Chart = Chart::pinned("registry-1.docker.io/bitnamicharts", "kafka", "32.4.4");

/// Client port of the chart's bootstrap Service.
pub(super) const CLIENT_PORT: u16 = 9092;

/// Kafka in KRaft mode.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct KafkaConfig {
    /// Controller-eligible nodes; they also act as brokers.
    pub controller: KafkaNodes,
    /// Broker-only nodes (0 by default: the controllers serve clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<KafkaNodes>,
}

/// A group of Kafka nodes.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct KafkaNodes {
    /// Number of pods.
    pub replicas: u32,
    /// Size of each pod's data volume.
    pub storage: Quantity,
    /// Container resources; the chart's preset when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

/// The `kafka` component.
pub(super) struct Kafka;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    global: BitnamiGlobal,
    image: BitnamiImage,
    default_init_containers: InitContainers,
    listeners: Listeners,
    override_configuration: std::collections::BTreeMap<&'static str, u32>,
    controller: Nodes,
    broker: Nodes,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitContainers {
    volume_permissions: VolumePermissions,
    auto_discovery: AutoDiscovery,
}

#[derive(Serialize)]
struct AutoDiscovery {
    image: BitnamiImage,
}

/// DataHub's Kafka clients speak PLAINTEXT inside the cluster.
#[derive(Serialize)]
struct Listeners {
    client: Listener,
    controller: Listener,
    interbroker: Listener,
}

#[derive(Serialize)]
struct Listener {
    protocol: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Nodes {
    replica_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<ResourceRequirements>,
    #[serde(skip_serializing_if = "Option::is_none")]
    persistence: Option<Persistence>,
}

fn nodes(n: &KafkaNodes, class: &str) -> Nodes {
    Nodes {
        replica_count: n.replicas,
        resources: n.resources.as_ref().map(Resources::to_k8s),
        persistence: Some(Persistence::new(class, &n.storage)),
    }
}

/// Kafka's internal topics default to replication factor 3, which fails on
/// fewer brokers: size them to the cluster (at most 3).
fn replication(k: &KafkaConfig) -> std::collections::BTreeMap<&'static str, u32> {
    let brokers = k.controller.replicas + k.broker.as_ref().map_or(0, |b| b.replicas);
    let factor = brokers.clamp(1, 3);
    std::collections::BTreeMap::from([
        ("default.replication.factor", factor),
        ("offsets.topic.replication.factor", factor),
        ("transaction.state.log.min.isr", factor.min(2)),
        ("transaction.state.log.replication.factor", factor),
    ])
}

impl Component for Kafka {
    type Config = KafkaConfig;
    const CHART: Option<Chart> = Some(PIN);
    const NAME: &'static str = "kafka";
    const ABOUT: &'static str = "Kafka in KRaft mode (bitnami/kafka), DataHub's event log.";
    const SECTION: Section = Section::Release;
    const TEMPLATE: Option<&'static str> = Some(include_str!("../../templates/kafka.yaml.tera"));

    fn delivery(&self, own: &Own<'_, KafkaConfig>) -> Delivery {
        Delivery::Helm(own.chart().clone())
    }
    fn addresses(&self, own: &Own<'_, KafkaConfig>) -> Vec<Address> {
        // The chart's client Service is its fullname.
        vec![Address::new(
            "bootstrap",
            super::fullname::fullname(own, "kafka"),
            own.namespace,
            CLIENT_PORT,
        )]
    }
    fn validate(&self, cx: &Cx<'_, KafkaConfig>, f: &mut Findings) {
        let k = cx.config;
        let groups = [
            ("controller", Some(&k.controller), 1),
            ("broker", k.broker.as_ref(), 0),
        ];
        for (name, g, min) in groups {
            let Some(g) = g else { continue };
            rules::replicas(g.replicas, min, &[name, "replicas"], f);
            rules::storage(&g.storage, &[name, "storage"], f);
            rules::maybe_resources(&g.resources, &[name, "resources"], f);
        }
        // KRaft needs a majority of controllers: an even count adds no tolerance.
        if k.controller.replicas.is_multiple_of(2) && k.controller.replicas > 0 {
            f.at(
                &["controller", "replicas"],
                format!(
                    "{} KRaft controllers tolerate no more failures than {}",
                    k.controller.replicas,
                    k.controller.replicas - 1
                ),
                "use an odd number of controllers (1, 3 or 5)",
            );
        }
    }
    fn workloads(&self, own: &Own<'_, KafkaConfig>) -> Vec<Workload> {
        let k = own.config;
        let class = &own.platform.storage_class;
        let mut w = vec![bitnami::pods(
            Self::NAME,
            own.namespace,
            "controller",
            k.controller.replicas,
            k.controller.resources.as_ref(),
            own.chart(),
            "small",
        )
        .volume(class, &k.controller.storage)];
        if let Some(b) = k.broker.as_ref().filter(|b| b.replicas > 0) {
            w.push(
                bitnami::pods(
                    Self::NAME,
                    own.namespace,
                    "broker",
                    b.replicas,
                    b.resources.as_ref(),
                    own.chart(),
                    "small",
                )
                .volume(class, &b.storage),
            );
        }
        w
    }
    fn smoke(&self, cx: &Cx<'_, KafkaConfig>) -> Option<SmokeCheck> {
        let a = cx.address(Self::NAME, "bootstrap").ok()?;
        let images = &cx.platform.images;
        let image = format!(
            "{}/{}/kafka:{}",
            images.bitnami_registry,
            images.bitnami_namespace,
            images::KAFKA_TAG
        );
        Some(SmokeCheck::script(
            cx.namespace,
            a,
            image,
            include_str!("smoke/kafka.sh"),
            true,
        ))
    }
    fn build(&self, cx: &Cx<'_, KafkaConfig>) -> Result<Vec<Document>, Finding> {
        let k = cx.config;
        let p = cx.platform;
        let class = &p.storage_class;
        let plaintext = || Listener {
            protocol: "PLAINTEXT",
        };
        let values = Values {
            global: BitnamiGlobal::new(p),
            image: BitnamiImage::new(p, "kafka"),
            default_init_containers: InitContainers {
                volume_permissions: VolumePermissions::new(p),
                auto_discovery: AutoDiscovery {
                    image: BitnamiImage::new(p, "kubectl"),
                },
            },
            listeners: Listeners {
                client: plaintext(),
                controller: plaintext(),
                interbroker: plaintext(),
            },
            override_configuration: replication(k),
            controller: nodes(&k.controller, class),
            broker: match &k.broker {
                Some(b) => nodes(b, class),
                None => Nodes {
                    replica_count: 0,
                    resources: None,
                    persistence: None,
                },
            },
        };
        Ok(vec![cx.values_file(&values)])
    }
}
