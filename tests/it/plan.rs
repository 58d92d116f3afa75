//! `gen plan`: the built-in prod plan (snapshot), its totals checked by
//! independent arithmetic over the rendered files and the pinned charts'
//! values, and capacity enforced by render.

use crate::common;

use platgen::Platform;
use serde_json::Value;

fn q(v: &Value) -> i128 {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return 0,
    };
    text.parse::<platgen::config::Quantity>().unwrap().nanos()
}

/// bitnami/common `_resources.tpl`: preset → (requests cpu, memory).
fn preset(name: &str) -> (i128, i128) {
    let mi = 1024 * 1024 * 1_000_000_000i128;
    let m = 1_000_000i128;
    match name {
        "nano" => (100 * m, 128 * mi),
        "small" => (500 * m, 512 * mi),
        "medium" => (500 * m, 1024 * mi),
        other => panic!("preset {other} not in this test's table"),
    }
}

#[derive(Default, Debug, PartialEq)]
struct Sum {
    pods: u32,
    pods_max: u32,
    cpu: i128,
    memory: i128,
    storage: i128,
}

impl Sum {
    fn add(&mut self, n: u32, max: u32, cpu: i128, mem: i128, storage: i128) {
        self.pods += n;
        self.pods_max += max;
        self.cpu += cpu * i128::from(n);
        self.memory += mem * i128::from(n);
        self.storage += storage * i128::from(n);
    }
}

/// Requests of a resources map, a limit standing in for a missing request.
fn requests(r: &Value) -> (i128, i128) {
    let pick = |k: &str| {
        let req = &r["requests"][k];
        if req.is_null() {
            q(&r["limits"][k])
        } else {
            q(req)
        }
    };
    (pick("cpu"), pick("memory"))
}

#[test]
#[cfg_attr(
    not(platgen_has = "upstream"),
    ignore = "needs the pinned upstream files: ../shared/upstream or $PLATGEN_UPSTREAM"
)]
fn prod_totals_agree_with_arithmetic_over_the_rendered_files() {
    let Some(up) = common::upstream() else { return };
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    let file = |f: &str| common::yaml_docs(f, &tree.files[f]).remove(0);
    let chart = |d: &str| common::yaml_file(&up.join("values").join(d).join("values.yaml"));
    let mut sum = Sum::default();

    // Bitnami charts: replicas, configured resources or the chart's preset, volumes.
    for (stem, groups) in [
        (
            "elasticsearch",
            &["master", "data", "coordinating", "ingest"][..],
        ),
        ("kafka", &["controller", "broker"][..]),
    ] {
        let v = file(&format!("values/{stem}.yaml"));
        let d = chart(stem);
        for g in groups {
            if v[*g]["enabled"] == false {
                continue;
            }
            let n = v[*g]["replicaCount"]
                .as_u64()
                .unwrap_or_else(|| d[*g]["replicaCount"].as_u64().unwrap())
                as u32;
            let (cpu, mem) = match v[*g].get("resources") {
                Some(r) => requests(r),
                None => preset(d[*g]["resourcesPreset"].as_str().unwrap()),
            };
            let storage = if v[*g]["persistence"]["enabled"] == true {
                q(&v[*g]["persistence"]["size"])
            } else {
                0
            };
            sum.add(n, n, cpu, mem, storage);
        }
    }
    // Neo4j: one pod, resources as requests.
    let v = file("values/neo4j.yaml");
    sum.add(
        1,
        1,
        q(&v["neo4j"]["resources"]["cpu"]),
        q(&v["neo4j"]["resources"]["memory"]),
        q(&v["volumes"]["data"]["dynamic"]["requests"]["storage"]),
    );
    // DataHub: each service's replicas and resources, the chart's values under ours.
    let v = file("values/datahub.yaml");
    let d = chart("datahub");
    for sub in [
        "datahub-gms",
        "datahub-frontend",
        "datahub-mae-consumer",
        "datahub-mce-consumer",
        "acryl-datahub-actions",
    ] {
        let standalone = v["global"]["datahub_standalone_consumers_enabled"] == true;
        if sub.ends_with("consumer") && !standalone {
            continue;
        }
        let subchart = common::yaml_file(
            &up.join("values/datahub/subcharts")
                .join(sub)
                .join("values.yaml"),
        );
        let n = v[sub]["replicaCount"]
            .as_u64()
            .or(d[sub]["replicaCount"].as_u64())
            .or(subchart["replicaCount"].as_u64())
            .unwrap_or(1) as u32;
        let mut r = d[sub]["resources"].clone();
        for part in ["requests", "limits"] {
            if let Some(Value::Object(m)) = v[sub]["resources"].get(part) {
                for (k, val) in m {
                    r[part][k] = val.clone();
                }
            }
        }
        let (cpu, mem) = requests(&r);
        sum.add(n, n, cpu, mem, 0);
    }
    // Doris operator (its chart's default resources) and the DorisCluster.
    sum.add(1, 1, q(&Value::from("2")), q(&Value::from("4Gi")), 0);
    let dc = file("manifests/doris.yaml");
    for spec in ["feSpec", "beSpec"] {
        let s = &dc["spec"][spec];
        let n = s["replicas"].as_u64().unwrap() as u32;
        let storage: i128 = s["persistentVolumes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| q(&p["persistentVolumeClaimSpec"]["resources"]["requests"]["storage"]))
            .sum();
        sum.add(
            n,
            n,
            q(&s["requests"]["cpu"]),
            q(&s["requests"]["memory"]),
            storage,
        );
    }
    // KubeRay operator: limits only in its chart's values, requested at the limits.
    let (cpu, mem) = requests(&chart("kuberay-operator")["resources"]);
    sum.add(1, 1, cpu, mem, 0);
    // RayCluster and the RayService's cluster: head (plus the autoscaler
    // sidecar KubeRay adds), workers up to maxReplicas.
    let rc = file("manifests/ray-cluster.yaml");
    let rs = file("manifests/ray-serve.yaml");
    for spec in [&rc["spec"], &rs["spec"]["rayClusterConfig"]] {
        let head = &spec["headGroupSpec"]["template"]["spec"]["containers"][0]["resources"];
        let (cpu, mem) = requests(head);
        let sidecar = if spec["enableInTreeAutoscaling"] == true {
            (500_000_000, 512 * 1024 * 1024 * 1_000_000_000i128)
        } else {
            (0, 0)
        };
        sum.add(1, 1, cpu + sidecar.0, mem + sidecar.1, 0);
        for g in spec["workerGroupSpecs"].as_array().unwrap() {
            let (cpu, mem) = requests(&g["template"]["spec"]["containers"][0]["resources"]);
            sum.add(
                g["replicas"].as_u64().unwrap() as u32,
                g["maxReplicas"].as_u64().unwrap() as u32,
                cpu,
                mem,
                0,
            );
        }
    }
    // MLflow: replicas, no requests when none are rendered.
    let v = file("values/mlflow.yaml");
    let (cpu, mem) = v.get("resources").map_or((0, 0), requests);
    let n = v["replicaCount"].as_u64().unwrap() as u32;
    sum.add(n, n, cpu, mem, 0);

    // Kubeflow Pipelines and Katib come from upstream kustomize manifests
    // gen does not render: they are left out of both sides.
    let plan = Platform::builtin().unwrap().plan("prod").unwrap();
    let mut ours = Sum::default();
    for (name, t) in &plan.components {
        if matches!(*name, "kubeflow-pipelines" | "katib") {
            continue;
        }
        ours.pods += t.pods;
        ours.pods_max += t.pods_max;
        ours.cpu += t.requests.cpu;
        ours.memory += t.requests.memory;
        ours.storage += t.storage_total();
    }
    assert_eq!(
        ours, sum,
        "gen plan and arithmetic over the rendered files disagree"
    );
}

#[test]
fn prod_plan_snapshot() {
    let plan = Platform::builtin().unwrap().plan("prod").unwrap();
    insta::assert_snapshot!("plan_prod", plan.report(platgen::PlanFormat::Table));
}

#[test]
fn over_capacity_fails_render_naming_the_largest_consumers() {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    std::fs::write(
        dir.path().join("envs/prod.yaml"),
        "capacity:\n  cpu: \"16\"\n  memory: 256Gi\n  pods: 100\n  storage:\n    local-storage-standard: 400Gi\n",
    )
    .unwrap();
    let platform = Platform::load(dir.path()).unwrap();
    let err = platform.render("prod").unwrap_err();
    assert_eq!(err.exit_code(), 1);
    let text = err.to_string();
    assert!(text.contains("envs/prod.yaml:2:8: capacity.cpu: CPU requests at worst case 27.474 exceed the capacity of 16 (largest: ray-cluster 9.5, doris 5, ray-serve 4.5)"), "{text}");
    assert!(text.contains("capacity.storage.local-storage-standard: volumes in `local-storage-standard` 440Gi exceed the capacity of 400Gi (largest: doris 230Gi, elasticsearch 120Gi"), "{text}");
    assert!(!text.contains("capacity.memory"), "memory fits: {text}");
    // Within capacity, the plan shows the headroom and render succeeds.
    std::fs::write(
        dir.path().join("envs/prod.yaml"),
        "capacity:\n  cpu: \"32\"\n  storage:\n    local-storage-standard: 500Gi\n",
    )
    .unwrap();
    let platform = Platform::load(dir.path()).unwrap();
    platform.render("prod").unwrap();
    let table = platform
        .plan("prod")
        .unwrap()
        .report(platgen::PlanFormat::Table);
    let line = table
        .lines()
        .find(|l| l.starts_with("cpu requests"))
        .unwrap_or_default();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        cells,
        ["cpu", "requests", "27.474", "32", "4.526", "ok"],
        "{table}"
    );
}

#[test]
fn plan_formats_and_compare() {
    let platform = Platform::builtin().unwrap();
    let prod = platform.plan("prod").unwrap();
    let json: Value = serde_json::from_str(&prod.report(platgen::PlanFormat::Json)).unwrap();
    assert_eq!(json["total"]["pods"], prod.total.pods);
    assert_eq!(json["total"]["storage"]["local-storage-standard"], "440Gi");
    let md = prod.report(platgen::PlanFormat::Markdown);
    assert!(md.contains("| COMPONENT | PODS |"));
    let staging = platform.plan("staging").unwrap();
    let diff = prod.compare(&staging, platgen::PlanFormat::Table);
    assert!(diff.contains("TOTAL") && diff.contains("+220Gi"), "{diff}");
    let dev = platform.plan("dev").unwrap();
    assert!(dev.total.pods < prod.total.pods);
}
