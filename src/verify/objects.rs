//! What a chart's rendered objects run, for `gen plan`: pods per
//! Deployment, StatefulSet and ReplicaSet (at most as many as a
//! HorizontalPodAutoscaler allows), Jobs and the Helm hooks that are Jobs,
//! their containers' requests and limits, and persistent volumes — a
//! StatefulSet's claim templates per pod, a chart's own
//! PersistentVolumeClaims once.
//!
//! Left out, and said so: a DaemonSet (one pod per node; counted as one),
//! a CronJob (runs on a schedule), Helm test hooks (Argo CD does not run
//! them), and init containers (the scheduler reserves the larger of them
//! and the containers' sum; the containers are counted).

use serde_json::Value;

use crate::config::{Quantity, ResourceList, Resources};
use crate::model::Workload;

/// One group of pods, a Job or a volume a render holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Counted {
    /// `Deployment`, `StatefulSet`, `Job`, … or `PersistentVolumeClaim`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Pods now (0 for a volume).
    pub replicas: u32,
    /// Pods at most.
    pub max_replicas: u32,
    /// Each container's `(requests, limits)` of CPU and memory, as written.
    pub containers: Vec<[Option<String>; 4]>,
    /// Persistent volumes of one pod (or the claim itself): `(storage
    /// class, size)`, the class empty for the cluster's default.
    pub volumes: Vec<(String, String)>,
    /// Why it is counted the way it is, when that is not plain.
    pub note: Option<String>,
}

/// What `docs` (one release's render) run.
pub(super) fn count(docs: &[Value]) -> Vec<Counted> {
    let mut out = Vec::new();
    for v in docs {
        let kind = v["kind"].as_str().unwrap_or_default();
        let name = v["metadata"]["name"].as_str().unwrap_or_default();
        let hook = v["metadata"]["annotations"]["helm.sh/hook"]
            .as_str()
            .unwrap_or_default();
        if hook.split(',').any(|h| h.trim().starts_with("test")) {
            continue;
        }
        let replicas = || {
            v["spec"]["replicas"]
                .as_u64()
                .map_or(1, |r| u32::try_from(r).unwrap_or(u32::MAX))
        };
        let (pod, replicas, note) = match kind {
            "Deployment" | "StatefulSet" | "ReplicaSet" => {
                (&v["spec"]["template"]["spec"], replicas(), None)
            }
            "DaemonSet" => (
                &v["spec"]["template"]["spec"],
                1,
                Some("a DaemonSet: one pod per node, counted as one".to_string()),
            ),
            "Job" => (
                &v["spec"]["template"]["spec"],
                1,
                (!hook.is_empty()).then(|| format!("Helm hook `{hook}`")),
            ),
            "Pod" => (&v["spec"], 1, None),
            "PersistentVolumeClaim" => {
                out.push(Counted {
                    kind: kind.into(),
                    name: name.into(),
                    replicas: 0,
                    max_replicas: 0,
                    containers: Vec::new(),
                    volumes: claim(&v["spec"]).into_iter().collect(),
                    note: None,
                });
                continue;
            }
            _ => continue,
        };
        let containers = pod["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let r = &c["resources"];
                [
                    quantity(&r["requests"]["cpu"]),
                    quantity(&r["requests"]["memory"]),
                    quantity(&r["limits"]["cpu"]),
                    quantity(&r["limits"]["memory"]),
                ]
            })
            .collect();
        let volumes = v["spec"]["volumeClaimTemplates"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| claim(&t["spec"]))
            .collect();
        out.push(Counted {
            kind: kind.into(),
            name: name.into(),
            replicas,
            max_replicas: replicas,
            containers,
            volumes,
            note,
        });
    }
    // At most what an autoscaler allows.
    for v in docs
        .iter()
        .filter(|v| v["kind"] == "HorizontalPodAutoscaler")
    {
        let target = &v["spec"]["scaleTargetRef"];
        let Some(max) = v["spec"]["maxReplicas"].as_u64() else {
            continue;
        };
        for c in &mut out {
            if target["kind"] == c.kind.as_str() && target["name"] == c.name.as_str() {
                c.max_replicas = c.replicas.max(u32::try_from(max).unwrap_or(u32::MAX));
            }
        }
    }
    out
}

/// A claim's storage class (empty: the cluster's default) and size.
fn claim(spec: &Value) -> Option<(String, String)> {
    let size = quantity(&spec["resources"]["requests"]["storage"])?;
    let class = spec["storageClassName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Some((class, size))
}

/// A quantity as written (`"500m"`, `2`).
fn quantity(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `c` as the plan's workload of `component` in `namespace`, labelled
/// with the chart that made it; a volume without a class in
/// `default_class`.
pub(super) fn workload(
    c: &Counted,
    component: &'static str,
    namespace: &str,
    chart: &str,
    default_class: &str,
) -> Workload {
    let q = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<Quantity>().ok());
    let class = |c: &str| {
        if c.is_empty() {
            default_class.to_string()
        } else {
            c.to_string()
        }
    };
    let mut w = match c.kind.as_str() {
        "Job" => Workload::job(component, namespace, &c.name),
        "PersistentVolumeClaim" => Workload::volume_claim(component, namespace, &c.name),
        _ => Workload::pods(component, namespace, &c.name, c.replicas).up_to(c.max_replicas),
    };
    for [rc, rm, lc, lm] in &c.containers {
        w = w.container(&Resources {
            requests: Some(ResourceList {
                cpu: q(rc),
                memory: q(rm),
            }),
            limits: Some(ResourceList {
                cpu: q(lc),
                memory: q(lm),
            }),
        });
    }
    for (sc, size) in &c.volumes {
        if let Ok(size) = size.parse::<Quantity>() {
            w = w.volume(&class(sc), &size);
        }
    }
    let what = match &c.note {
        Some(n) => format!("{} `{}` of chart {chart} ({n})", c.kind, c.name),
        None => format!("{} `{}` of chart {chart}", c.kind, c.name),
    };
    w.counted_from(what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pods_jobs_and_volumes_are_counted_as_the_objects_say() {
        let docs = [
            json!({"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {
                "replicas": 3,
                "template": {"spec": {"containers": [
                    {"resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": 1, "memory": "2Gi"}}},
                    {"resources": {}}
                ], "initContainers": [{"resources": {"requests": {"cpu": "8"}}}]}},
                "volumeClaimTemplates": [{"spec": {"storageClassName": "fast", "resources": {"requests": {"storage": "10Gi"}}}}]
            }}),
            json!({"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{}]}}}}),
            json!({"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}, "spec": {"maxReplicas": 5, "scaleTargetRef": {"kind": "Deployment", "name": "web"}}}),
            json!({"kind": "Job", "metadata": {"name": "setup", "annotations": {"helm.sh/hook": "pre-install"}}, "spec": {"template": {"spec": {"containers": [{}]}}}}),
            json!({"kind": "Pod", "metadata": {"name": "t", "annotations": {"helm.sh/hook": "test"}}, "spec": {"containers": [{}]}}),
            json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "8Gi"}}}}),
        ];
        let c = count(&docs);
        let names: Vec<(&str, u32, u32)> = c
            .iter()
            .map(|c| (c.name.as_str(), c.replicas, c.max_replicas))
            .collect();
        assert_eq!(
            names,
            [("db", 3, 3), ("web", 1, 5), ("setup", 1, 1), ("data", 0, 0)]
        );
        assert_eq!(c[0].containers.len(), 2, "init containers left out");
        assert_eq!(c[0].containers[0][2].as_deref(), Some("1"));
        assert_eq!(c[0].volumes, [("fast".to_string(), "10Gi".to_string())]);
        assert_eq!(c[2].note.as_deref(), Some("Helm hook `pre-install`"));
        let w: Vec<Workload> = c
            .iter()
            .map(|c| workload(c, "x", "ns", "x 1.0.0", "(cluster default)"))
            .collect();
        let plan = crate::plan::Plan::new("t", w, None);
        let t = &plan.total;
        assert_eq!((t.pods, t.pods_max, t.jobs), (4, 8, 1));
        assert_eq!(crate::model::cpu(t.requests.cpu), "1.5");
        assert_eq!(crate::model::bytes(t.storage["fast"]), "30Gi");
        assert_eq!(crate::model::bytes(t.storage["(cluster default)"]), "8Gi");
        assert_eq!(t.unlimited_pods, 4, "a container without limits");
    }
}
