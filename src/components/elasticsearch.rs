//! Elasticsearch through bitnami/elasticsearch: master, data, coordinating
//! and ingest node groups.

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
const PIN: Chart = Chart::pinned(
    "registry-1.docker.io/bitnamicharts",
    "elasticsearch",
    "22.1.7",
);

/// REST port of the chart's client Service.
pub(super) const HTTP_PORT: u16 = 9200;

/// Elasticsearch node groups.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ElasticsearchConfig {
    /// Master-eligible nodes (with a data volume).
    pub master: EsStatefulGroup,
    /// Data nodes (with a data volume).
    pub data: EsStatefulGroup,
    /// Coordinating-only nodes (no volume).
    pub coordinating: EsGroup,
    /// Ingest nodes (no volume); `replicas: 0` turns them off.
    pub ingest: EsGroup,
}

/// An Elasticsearch node group with persistent storage.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct EsStatefulGroup {
    /// Number of pods.
    pub replicas: u32,
    /// Size of each pod's data volume.
    pub storage: Quantity,
    /// JVM heap (`512m`, `2g`); the chart's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap_size: Option<String>,
    /// Container resources; the chart's preset when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

/// An Elasticsearch node group without storage.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct EsGroup {
    /// Number of pods.
    pub replicas: u32,
    /// JVM heap (`512m`, `2g`); the chart's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap_size: Option<String>,
    /// Container resources; the chart's preset when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

/// The `elasticsearch` component.
pub(super) struct Elasticsearch;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    global: BitnamiGlobal,
    image: BitnamiImage,
    sysctl_image: BitnamiImage,
    volume_permissions: VolumePermissions,
    master: Group,
    data: Group,
    coordinating: Group,
    ingest: Group,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    replica_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    heap_size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<ResourceRequirements>,
    #[serde(skip_serializing_if = "Option::is_none")]
    persistence: Option<Persistence>,
}

fn stateful(g: &EsStatefulGroup, class: &str) -> Group {
    Group {
        enabled: None,
        replica_count: g.replicas,
        heap_size: g.heap_size.clone(),
        resources: g.resources.as_ref().map(Resources::to_k8s),
        persistence: Some(Persistence::new(class, &g.storage)),
    }
}

fn stateless(g: &EsGroup, enabled: Option<bool>) -> Group {
    Group {
        enabled,
        replica_count: g.replicas,
        heap_size: g.heap_size.clone(),
        resources: g.resources.as_ref().map(Resources::to_k8s),
        persistence: None,
    }
}

impl Component for Elasticsearch {
    type Config = ElasticsearchConfig;
    const CHART: Option<Chart> = Some(PIN);
    const NAME: &'static str = "elasticsearch";
    const ABOUT: &'static str = "Elasticsearch (bitnami/elasticsearch), DataHub's search index.";
    const SECTION: Section = Section::Release;
    const TEMPLATE: Option<&'static str> =
        Some(include_str!("../../templates/elasticsearch.yaml.tera"));

    fn delivery(&self, own: &Own<'_, ElasticsearchConfig>) -> Delivery {
        Delivery::Helm(own.chart().clone())
    }
    fn addresses(&self, own: &Own<'_, ElasticsearchConfig>) -> Vec<Address> {
        // The chart's client Service is its fullname.
        let service = super::fullname::fullname(own, "elasticsearch");
        vec![Address::new("http", service, own.namespace, HTTP_PORT)]
    }
    fn validate(&self, cx: &Cx<'_, ElasticsearchConfig>, f: &mut Findings) {
        let es = cx.config;
        for (name, g) in [("master", &es.master), ("data", &es.data)] {
            rules::replicas(g.replicas, 1, &[name, "replicas"], f);
            rules::storage(&g.storage, &[name, "storage"], f);
            rules::heap(&g.heap_size, &[name, "heapSize"], f);
            rules::maybe_resources(&g.resources, &[name, "resources"], f);
        }
        for (name, g, min) in [
            ("coordinating", &es.coordinating, 1),
            ("ingest", &es.ingest, 0),
        ] {
            rules::replicas(g.replicas, min, &[name, "replicas"], f);
            rules::heap(&g.heap_size, &[name, "heapSize"], f);
            rules::maybe_resources(&g.resources, &[name, "resources"], f);
        }
    }
    fn workloads(&self, own: &Own<'_, ElasticsearchConfig>) -> Vec<Workload> {
        let es = own.config;
        let class = &own.platform.storage_class;
        let pods = |group: &str, replicas, r: &Option<Resources>, preset| {
            bitnami::pods(
                Self::NAME,
                own.namespace,
                group,
                replicas,
                r.as_ref(),
                own.chart(),
                preset,
            )
        };
        vec![
            pods("master", es.master.replicas, &es.master.resources, "small")
                .volume(class, &es.master.storage),
            pods("data", es.data.replicas, &es.data.resources, "medium")
                .volume(class, &es.data.storage),
            pods(
                "coordinating",
                es.coordinating.replicas,
                &es.coordinating.resources,
                "small",
            ),
            pods("ingest", es.ingest.replicas, &es.ingest.resources, "small"),
        ]
    }
    fn smoke(&self, cx: &Cx<'_, ElasticsearchConfig>) -> Option<SmokeCheck> {
        let a = cx.address(Self::NAME, "http").ok()?;
        Some(SmokeCheck::script(
            cx.namespace,
            a,
            images::CURL,
            include_str!("smoke/elasticsearch.sh"),
            false,
        ))
    }
    fn build(&self, cx: &Cx<'_, ElasticsearchConfig>) -> Result<Vec<Document>, Finding> {
        let es = cx.config;
        let p = cx.platform;
        let class = &p.storage_class;
        let values = Values {
            global: BitnamiGlobal::new(p),
            image: BitnamiImage::new(p, "elasticsearch"),
            sysctl_image: BitnamiImage::new(p, "os-shell"),
            volume_permissions: VolumePermissions::new(p),
            master: stateful(&es.master, class),
            data: stateful(&es.data, class),
            coordinating: stateless(&es.coordinating, None),
            ingest: stateless(&es.ingest, Some(es.ingest.replicas > 0)),
        };
        Ok(vec![cx.values_file(&values)])
    }
}
