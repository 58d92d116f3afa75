//! Kafka through bitnami/kafka 32.x, KRaft only: `controller.*` and
//! `broker.*` (the chart has no top-level `replicaCount` or `persistence`).

use serde::Serialize;

use super::{
    check_replicas, check_resources, check_storage, service_host, BitnamiImage, Chart, Component,
    Delivery, Document, K8sResources, Persistence,
};
use crate::config::{KafkaNodes, PlatformConfig};
use crate::model::Finding;
use crate::model::Workload;

/// Pinned chart.
pub const CHART: Chart = Chart::pinned("registry-1.docker.io/bitnamicharts", "kafka", "32.4.4");

/// Client port of the chart's bootstrap Service.
pub const CLIENT_PORT: u16 = 9092;

/// The `kafka` component.
pub struct Kafka;

/// `host:port` clients bootstrap from.
pub fn bootstrap_servers(c: &PlatformConfig) -> String {
    let k = &c.components.kafka;
    format!("{}:{CLIENT_PORT}", service_host(&k.release, &k.namespace))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    global: super::BitnamiGlobal,
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
    volume_permissions: super::VolumePermissions,
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
    resources: Option<K8sResources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    persistence: Option<Persistence>,
}

fn nodes(n: &KafkaNodes, class: &str) -> Nodes {
    Nodes {
        replica_count: n.replicas,
        resources: n.resources.as_ref().map(K8sResources::from),
        persistence: Some(Persistence::new(class, &n.storage)),
    }
}

/// Kafka's internal topics default to replication factor 3, which fails on
/// fewer brokers: size them to the cluster (at most 3).
fn replication(k: &crate::config::KafkaConfig) -> std::collections::BTreeMap<&'static str, u32> {
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
    fn name(&self) -> &'static str {
        "kafka"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        let x = &c.components.kafka;
        Some(Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        super::needs_namespaces(c)
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Helm(CHART)
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let me = &c.components.kafka;
        super::check_placement(c, "kafka", "release", &me.release, &me.namespace, f);
        let k = &c.components.kafka;
        let groups = [
            ("controller", Some(&k.controller), 1),
            ("broker", k.broker.as_ref(), 0),
        ];
        for (name, g, min) in groups {
            let Some(g) = g else { continue };
            let p = |leaf: &'static str| ["components", "kafka", name, leaf];
            check_replicas(g.replicas, min, &p("replicas"), f);
            check_storage(&g.storage, &p("storage"), f);
            if let Some(r) = &g.resources {
                check_resources(r, &p("resources"), f);
            }
        }
        // KRaft needs a majority of controllers: an even count adds no tolerance.
        if k.controller.replicas.is_multiple_of(2) && k.controller.replicas > 0 {
            f.push(Finding::new(
                &["components", "kafka", "controller", "replicas"],
                format!(
                    "{} KRaft controllers tolerate no more failures than {}",
                    k.controller.replicas,
                    k.controller.replicas - 1
                ),
                "use an odd number of controllers (1, 3 or 5)",
            ));
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<Workload> {
        let k = &c.components.kafka;
        let class = &c.storage_class;
        let mut w = vec![super::bitnami_pods(
            self.name(),
            &k.namespace,
            "controller",
            k.controller.replicas,
            k.controller.resources.as_ref(),
            &CHART,
            "small",
        )
        .volume(class, &k.controller.storage)];
        if let Some(b) = k.broker.as_ref().filter(|b| b.replicas > 0) {
            w.push(
                super::bitnami_pods(
                    self.name(),
                    &k.namespace,
                    "broker",
                    b.replicas,
                    b.resources.as_ref(),
                    &CHART,
                    "small",
                )
                .volume(class, &b.storage),
            );
        }
        w
    }

    fn smoke_check(&self, c: &PlatformConfig) -> Option<crate::model::SmokeCheck> {
        use crate::model::{images, target_env, Probe, SmokeCheck};
        let k = &c.components.kafka;
        let host = service_host(&k.release, &k.namespace);
        let image = format!(
            "{}/{}/kafka:{}",
            c.images.bitnami_registry,
            c.images.bitnami_namespace,
            images::KAFKA_TAG
        );
        Some(SmokeCheck {
            namespace: k.namespace.clone(),
            target: (host.clone(), CLIENT_PORT),
            probe: Probe::Script {
                image,
                script: "/opt/bitnami/kafka/bin/kafka-topics.sh --bootstrap-server \"$HOST:$PORT\" --list",
                env: target_env(&host, CLIENT_PORT),
                jvm: true,
            },
        })
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let k = &c.components.kafka;
        let class = &c.storage_class;
        let plaintext = || Listener {
            protocol: "PLAINTEXT",
        };
        let values = Values {
            global: super::BitnamiGlobal::new(c),
            image: BitnamiImage::new(c, "kafka"),
            default_init_containers: InitContainers {
                volume_permissions: super::VolumePermissions::new(c),
                auto_discovery: AutoDiscovery {
                    image: BitnamiImage::new(c, "kubectl"),
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
        vec![super::values_document(
            self.name(),
            &CHART,
            &k.release,
            &k.namespace,
            &values,
        )]
    }
}
