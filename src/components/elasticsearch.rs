//! Elasticsearch through bitnami/elasticsearch: master, data, coordinating
//! and ingest node groups.

use serde::Serialize;

use super::{
    check_heap, check_replicas, check_resources, check_storage, service_host, BitnamiImage, Chart,
    Component, Delivery, Document, K8sResources,
};
use crate::config::{EsGroup, EsStatefulGroup, PlatformConfig};
use crate::model::Finding;
use crate::model::Workload;

/// Pinned chart.
pub const CHART: Chart = Chart::pinned(
    "registry-1.docker.io/bitnamicharts",
    "elasticsearch",
    "22.1.7",
);

/// REST port of the chart's client Service.
pub const HTTP_PORT: u16 = 9200;

/// The `elasticsearch` component.
pub struct Elasticsearch;

/// `host:port` of the Elasticsearch REST API.
pub fn http_endpoint(c: &PlatformConfig) -> (String, u16) {
    let es = &c.components.elasticsearch;
    (service_host(&es.release, &es.namespace), HTTP_PORT)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    global: super::BitnamiGlobal,
    image: BitnamiImage,
    sysctl_image: BitnamiImage,
    volume_permissions: super::VolumePermissions,
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
    resources: Option<K8sResources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    persistence: Option<super::Persistence>,
}

fn stateful(g: &EsStatefulGroup, class: &str) -> Group {
    Group {
        enabled: None,
        replica_count: g.replicas,
        heap_size: g.heap_size.clone(),
        resources: g.resources.as_ref().map(K8sResources::from),
        persistence: Some(super::Persistence::new(class, &g.storage)),
    }
}

fn stateless(g: &EsGroup, enabled: Option<bool>) -> Group {
    Group {
        enabled,
        replica_count: g.replicas,
        heap_size: g.heap_size.clone(),
        resources: g.resources.as_ref().map(K8sResources::from),
        persistence: None,
    }
}

impl Component for Elasticsearch {
    fn name(&self) -> &'static str {
        "elasticsearch"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        let x = &c.components.elasticsearch;
        Some(Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        super::needs_namespaces(c)
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Helm(CHART)
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let me = &c.components.elasticsearch;
        super::check_placement(c, "elasticsearch", "release", &me.release, &me.namespace, f);
        let es = &c.components.elasticsearch;
        let base = ["components", "elasticsearch"];
        for (name, g) in [("master", &es.master), ("data", &es.data)] {
            let p = |leaf: &'static str| [base[0], base[1], name, leaf];
            check_replicas(g.replicas, 1, &p("replicas"), f);
            check_storage(&g.storage, &p("storage"), f);
            check_heap(&g.heap_size, &p("heapSize"), f);
            if let Some(r) = &g.resources {
                check_resources(r, &p("resources"), f);
            }
        }
        for (name, g, min) in [
            ("coordinating", &es.coordinating, 1),
            ("ingest", &es.ingest, 0),
        ] {
            let p = |leaf: &'static str| [base[0], base[1], name, leaf];
            check_replicas(g.replicas, min, &p("replicas"), f);
            check_heap(&g.heap_size, &p("heapSize"), f);
            if let Some(r) = &g.resources {
                check_resources(r, &p("resources"), f);
            }
        }
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<Workload> {
        let es = &c.components.elasticsearch;
        let ns = &es.namespace;
        let class = &c.storage_class;
        let pods = |group: &str, replicas, r: &Option<crate::config::Resources>, preset| {
            super::bitnami_pods(self.name(), ns, group, replicas, r.as_ref(), &CHART, preset)
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

    fn smoke_check(&self, c: &PlatformConfig) -> Option<crate::model::SmokeCheck> {
        use crate::model::{images, target_env, Probe, SmokeCheck};
        let (host, port) = http_endpoint(c);
        Some(SmokeCheck {
            namespace: c.components.elasticsearch.namespace.clone(),
            target: (host.clone(), port),
            probe: Probe::Script {
                image: images::CURL.into(),
                // 408 (and so a failure) unless the cluster is yellow or green within 60s.
                script: "curl -fsS \"http://$HOST:$PORT/_cluster/health?wait_for_status=yellow&timeout=60s\"",
                env: target_env(&host, port),
                jvm: false,
            },
        })
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let es = &c.components.elasticsearch;
        let class = &c.storage_class;
        let values = Values {
            global: super::BitnamiGlobal::new(c),
            image: BitnamiImage::new(c, "elasticsearch"),
            sysctl_image: BitnamiImage::new(c, "os-shell"),
            volume_permissions: super::VolumePermissions::new(c),
            master: stateful(&es.master, class),
            data: stateful(&es.data, class),
            coordinating: stateless(&es.coordinating, None),
            ingest: stateless(&es.ingest, Some(es.ingest.replicas > 0)),
        };
        vec![super::values_document(
            self.name(),
            &CHART,
            &es.release,
            &es.namespace,
            &values,
        )]
    }
}
