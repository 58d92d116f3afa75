//! The Services the operators make from the custom resources gen writes,
//! by the operators' own naming rules at the pinned versions (read from
//! their source: doris-operator 26.0.0 `api/doris/v1/doriscluster_util.go`
//! and `pkg/common/utils/resource/service.go`, KubeRay 1.7.0
//! `ray-operator/controllers/ray/common/service.go` and `utils/util.go`).
//! No chart renders these, so `gen verify` checks addresses of them, and
//! Ingresses in front of them, against this table:
//!
//! | custom resource `N` | Service | ports |
//! |---|---|---|
//! | DorisCluster with `feSpec` | `N-fe-service` | http 8030, rpc 9020, query 9030, edit log 9010 |
//! | | `N-fe-internal` (headless) | query 9030 |
//! | DorisCluster with `beSpec` | `N-be-service` | be 9060, webserver 8040, heartbeat 9050, brpc 8060 |
//! | | `N-be-internal` (headless) | heartbeat 9050 |
//! | DorisCluster with `cnSpec` | `N-cn-service`, `N-cn-internal` | as the BE's |
//! | DorisCluster with `brokerSpec` | `N-broker-internal` (headless) | broker IPC 8000 |
//! | RayCluster | `N-head-svc`, or `headGroupSpec.headService.metadata.name` | the head container's ports (when it declares none: gcs-server 6379, dashboard 8265, client 10001, serve 8000), and metrics 8080 always |
//! | RayCluster annotated `ray.io/enable-serve-service: "true"` | `N-serve-svc` | the head ports named `serve` or `serve-*` |
//! | RayService | `N-head-svc` | as a RayCluster's head |
//! | | `N-serve-svc`, or `serveService.metadata.name` | the head ports named `serve` or `serve-*`; none, and no `serveService`: no Service at all |
//! | RayJob without `clusterSelector` | `N-head-svc` | as a RayCluster's head |
//!
//! The Doris ports are the operator's defaults, which a `configMapInfo`
//! ConfigMap's `fe.conf`/`be.conf` could move; gen writes none. A RayJob
//! with `clusterSelector` makes no cluster: its `ray.io/cluster` must name
//! a RayCluster in its namespace.

use serde_json::Value;

/// A Service an operator makes from a custom resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Made {
    /// Its namespace: the custom resource's.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its ports.
    pub ports: Vec<u16>,
    /// The custom resource, as `Kind name`.
    pub from: String,
    /// The manifest file holding the custom resource.
    pub file: String,
}

/// The default ports of the Doris FE, BE and broker Services
/// (`pkg/common/utils/resource/configmap.go`).
const FE_PORTS: [u16; 4] = [8030, 9020, 9030, 9010];
const FE_QUERY_PORT: u16 = 9030;
const BE_PORTS: [u16; 4] = [9060, 8040, 9050, 8060];
const BE_HEARTBEAT_PORT: u16 = 9050;
const BROKER_IPC_PORT: u16 = 8000;
/// KubeRay's head ports when the head container declares none
/// (`utils/constant.go`), and the metrics port it always adds.
const RAY_DEFAULT_PORTS: [(&str, u16); 5] = [
    ("client", 10001),
    ("gcs-server", 6379),
    ("dashboard", 8265),
    ("metrics", 8080),
    ("serve", 8000),
];
const RAY_METRICS: (&str, u16) = ("metrics", 8080);

/// Every Service the operators make from the custom resources among
/// `manifests` (`(file, object)`).
pub(super) fn services(manifests: &[(String, Value)]) -> Vec<Made> {
    let mut out = Vec::new();
    for (file, v) in manifests {
        let name = v["metadata"]["name"].as_str().unwrap_or_default();
        let namespace = v["metadata"]["namespace"].as_str().unwrap_or_default();
        let kind = v["kind"].as_str().unwrap_or_default();
        let mut made = |service: String, ports: Vec<u16>| {
            out.push(Made {
                namespace: namespace.to_string(),
                name: service,
                ports,
                from: format!("{kind} {name}"),
                file: file.clone(),
            })
        };
        let spec = &v["spec"];
        match (v["apiVersion"].as_str().unwrap_or_default(), kind) {
            ("doris.selectdb.com/v1", "DorisCluster") => {
                if spec["feSpec"].is_object() {
                    made(format!("{name}-fe-service"), FE_PORTS.to_vec());
                    made(format!("{name}-fe-internal"), vec![FE_QUERY_PORT]);
                }
                for part in ["be", "cn"] {
                    if spec[format!("{part}Spec")].is_object() {
                        made(format!("{name}-{part}-service"), BE_PORTS.to_vec());
                        made(format!("{name}-{part}-internal"), vec![BE_HEARTBEAT_PORT]);
                    }
                }
                if spec["brokerSpec"].is_object() {
                    made(format!("{name}-broker-internal"), vec![BROKER_IPC_PORT]);
                }
            }
            ("ray.io/v1", "RayCluster") => {
                let ports = head_ports(spec);
                let head = spec["headGroupSpec"]["headService"]["metadata"]["name"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .map_or_else(|| format!("{name}-head-svc"), String::from);
                made(head, ports.iter().map(|p| p.1).collect());
                let serve_on =
                    v["metadata"]["annotations"]["ray.io/enable-serve-service"] == "true";
                if serve_on && ports.iter().any(|p| serving(&p.0)) {
                    made(format!("{name}-serve-svc"), serve_ports(&ports));
                }
            }
            ("ray.io/v1", "RayService") => {
                let ports = head_ports(&spec["rayClusterConfig"]);
                made(
                    format!("{name}-head-svc"),
                    ports.iter().map(|p| p.1).collect(),
                );
                let custom = &spec["serveService"];
                let serve = serve_ports(&ports);
                if !serve.is_empty() || custom.is_object() {
                    let service = custom["metadata"]["name"]
                        .as_str()
                        .filter(|n| !n.is_empty())
                        .map_or_else(|| format!("{name}-serve-svc"), String::from);
                    let ports = if serve.is_empty() {
                        custom_ports(custom)
                    } else {
                        serve
                    };
                    made(service, ports);
                }
            }
            ("ray.io/v1", "RayJob") if !spec["clusterSelector"].is_object() => {
                let ports = head_ports(&spec["rayClusterSpec"]);
                made(
                    format!("{name}-head-svc"),
                    ports.iter().map(|p| p.1).collect(),
                );
            }
            _ => {}
        }
    }
    out
}

/// A RayJob that runs on an existing cluster: `(file, namespace, RayJob
/// name, the cluster its selector names)`.
pub(super) fn selectors(manifests: &[(String, Value)]) -> Vec<(String, String, String, String)> {
    manifests
        .iter()
        .filter(|(_, v)| v["apiVersion"] == "ray.io/v1" && v["kind"] == "RayJob")
        .filter_map(|(file, v)| {
            let cluster = v["spec"]["clusterSelector"]["ray.io/cluster"].as_str()?;
            Some((
                file.clone(),
                v["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                v["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                cluster.to_string(),
            ))
        })
        .collect()
}

/// The head Service's ports of a RayCluster spec: the head container's
/// (an unnamed one named `<port>-port`), KubeRay's defaults when it
/// declares none, and metrics always; sorted by name.
fn head_ports(cluster: &Value) -> Vec<(String, u16)> {
    let container = &cluster["headGroupSpec"]["template"]["spec"]["containers"][0];
    let mut ports: Vec<(String, u16)> = container["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let number = u16::try_from(p["containerPort"].as_u64()?).ok()?;
            let name = p["name"]
                .as_str()
                .filter(|n| !n.is_empty())
                .map_or_else(|| format!("{number}-port"), String::from);
            Some((name, number))
        })
        .collect();
    if ports.is_empty() {
        ports = RAY_DEFAULT_PORTS
            .iter()
            .map(|(n, p)| (n.to_string(), *p))
            .collect();
    }
    if !ports.iter().any(|(n, _)| n == RAY_METRICS.0) {
        ports.push((RAY_METRICS.0.to_string(), RAY_METRICS.1));
    }
    ports.sort();
    ports
}

/// KubeRay's serving ports: named `serve` or `serve-*`.
fn serving(name: &str) -> bool {
    name == "serve" || name.starts_with("serve-")
}

fn serve_ports(ports: &[(String, u16)]) -> Vec<u16> {
    ports
        .iter()
        .filter(|(n, _)| serving(n))
        .map(|p| p.1)
        .collect()
}

/// The serving ports a user's `serveService` declares.
fn custom_ports(service: &Value) -> Vec<u16> {
    service["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"].as_str().is_some_and(serving))
        .filter_map(|p| u16::try_from(p["port"].as_u64()?).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn made(objects: &[Value]) -> Vec<(String, Vec<u16>)> {
        let manifests: Vec<(String, Value)> = objects
            .iter()
            .map(|o| ("manifests/x.yaml".to_string(), o.clone()))
            .collect();
        services(&manifests)
            .into_iter()
            .map(|m| (m.name, m.ports))
            .collect()
    }

    fn head(ports: Value) -> Value {
        json!({"headGroupSpec": {"template": {"spec": {"containers": [{"name": "ray-head", "ports": ports}]}}}})
    }

    #[test]
    fn doris_makes_a_service_and_a_headless_one_per_part_it_has() {
        let got = made(&[json!({
            "apiVersion": "doris.selectdb.com/v1", "kind": "DorisCluster",
            "metadata": {"name": "dw", "namespace": "x"},
            "spec": {"feSpec": {}, "beSpec": {}}
        })]);
        assert_eq!(
            got,
            [
                ("dw-fe-service".to_string(), vec![8030, 9020, 9030, 9010]),
                ("dw-fe-internal".to_string(), vec![9030]),
                ("dw-be-service".to_string(), vec![9060, 8040, 9050, 8060]),
                ("dw-be-internal".to_string(), vec![9050]),
            ]
        );
    }

    #[test]
    fn a_ray_head_serves_its_declared_ports_and_metrics_or_the_defaults() {
        let declared = made(&[json!({
            "apiVersion": "ray.io/v1", "kind": "RayCluster",
            "metadata": {"name": "c", "namespace": "x"},
            "spec": head(json!([{"name": "dashboard", "containerPort": 8265}, {"containerPort": 7000}]))
        })]);
        assert_eq!(
            declared,
            [("c-head-svc".to_string(), vec![7000, 8265, 8080])]
        );
        let defaults = made(&[json!({
            "apiVersion": "ray.io/v1", "kind": "RayCluster",
            "metadata": {"name": "c", "namespace": "x"},
            "spec": head(json!([]))
        })]);
        assert_eq!(
            defaults,
            [(
                "c-head-svc".to_string(),
                vec![10001, 8265, 6379, 8080, 8000]
            )]
        );
    }

    #[test]
    fn a_ray_service_without_a_serve_port_gets_no_serve_service() {
        let service = |ports: Value| {
            made(&[json!({
                "apiVersion": "ray.io/v1", "kind": "RayService",
                "metadata": {"name": "s", "namespace": "x"},
                "spec": {"rayClusterConfig": head(ports)}
            })])
        };
        let without = service(json!([{"name": "dashboard", "containerPort": 8265}]));
        assert_eq!(without, [("s-head-svc".to_string(), vec![8265, 8080])]);
        let with = service(json!([{"name": "serve", "containerPort": 8000}]));
        assert_eq!(
            with,
            [
                ("s-head-svc".to_string(), vec![8080, 8000]),
                ("s-serve-svc".to_string(), vec![8000]),
            ]
        );
    }

    #[test]
    fn a_ray_job_on_an_existing_cluster_makes_none_and_names_it() {
        let job = json!({
            "apiVersion": "ray.io/v1", "kind": "RayJob",
            "metadata": {"name": "j", "namespace": "x"},
            "spec": {"clusterSelector": {"ray.io/cluster": "c"}}
        });
        assert!(made(std::slice::from_ref(&job)).is_empty());
        let manifests = vec![("f".to_string(), job)];
        assert_eq!(
            selectors(&manifests),
            [("f".into(), "x".into(), "j".into(), "c".into())]
        );
    }
}
