//! Every field a custom resource can carry, not only those the example
//! sets, is proven against its pinned CRD: random valid configs that turn
//! every optional part of DorisCluster, RayCluster, RayJob, RayService,
//! ExternalSecret and Application on and off are rendered, and each custom resource is
//! validated strictly (unknown fields rejected, as on the API server); the
//! core kinds they bring (Ingresses, Jobs) go through
//! `kubernetes-validate --strict` in one run, and every RayService's Serve
//! config through Ray Serve 2.9.0's own schema, every key checked.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::Value;

use crate::common;
use crate::upstream::{crd_of, crd_schema, crds, kubernetes_validate};

/// Resources within their limits, or some of them absent.
fn resources(ind: usize) -> impl Strategy<Value = String> {
    let pad = " ".repeat(ind);
    prop_oneof![
        Just("null".to_string()),
        Just(format!("\n{pad}requests: {{cpu: 500m}}\n{pad}limits: null")),
        Just(format!(
            "\n{pad}requests: null\n{pad}limits: {{memory: 16Gi}}"
        )),
        Just(format!(
            "\n{pad}requests: {{cpu: \"1\", memory: 1Gi}}\n{pad}limits: {{cpu: \"2\", memory: 4Gi}}"
        )),
    ]
}

/// An odd election number ≤ FE replicas, or none (the default applies).
fn fe() -> impl Strategy<Value = (u32, Option<u32>)> {
    (1u32..6).prop_flat_map(|replicas| {
        let odd: Vec<u32> = (1..=replicas).filter(|n| n % 2 == 1).collect();
        (Just(replicas), prop::option::of(prop::sample::select(odd)))
    })
}

/// A worker group: `minReplicas ≤ replicas ≤ maxReplicas`, `maxReplicas ≥ 1`.
fn group(i: usize) -> impl Strategy<Value = String> {
    (0u32..3, 0u32..3, 0u32..3, resources(10)).prop_map(move |(min, up, more, r)| {
        let replicas = min + up;
        let max = (replicas + more).max(1);
        // A new group has no base to merge onto: a removal means none.
        let r = if r == "null" {
            "{requests: {cpu: 250m}}".to_string()
        } else {
            r.replace(": null", ": {}")
        };
        format!(
            "      - groupName: group-{i}\n        replicas: {replicas}\n        minReplicas: {min}\n        maxReplicas: {max}\n        resources: {r}\n"
        )
    })
}

/// A Serve deployment: a fixed count or an autoscaling range, resources or none.
fn deployment(i: usize) -> impl Strategy<Value = String> {
    (
        prop::option::of(1u32..4),
        (0u32..3, 1u32..4, prop::option::of(1u32..50)),
        prop::option::of((
            prop::option::of(prop::sample::select(vec!["0.5", "1", "2"])),
            prop::option::of(Just("1")),
        )),
    )
        .prop_map(move |(fixed, (min, more, target), actor)| {
            let mut d = format!("          - name: Deployment{i}\n");
            match fixed {
                Some(n) => d.push_str(&format!("            numReplicas: {n}\n")),
                None => {
                    d.push_str(&format!(
                        "            autoscaling:\n              minReplicas: {min}\n              maxReplicas: {}\n",
                        min + more
                    ));
                    if let Some(t) = target {
                        d.push_str(&format!("              targetOngoingRequests: {t}\n"));
                    }
                }
            }
            if let Some((cpus, gpus)) = actor {
                d.push_str("            rayActorOptions:\n");
                if let Some(c) = cpus {
                    d.push_str(&format!("              numCpus: {c}\n"));
                }
                if let Some(g) = gpus {
                    d.push_str(&format!("              numGpus: {g}\n"));
                }
                if cpus.is_none() && gpus.is_none() {
                    d.push_str("              {}\n");
                }
            }
            d
        })
}

/// A Serve application on route `/app-{i}` (or `/` for the first).
fn application(i: usize) -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::sample::select(vec!["sleepy_pid:app", "fruit:deployment_graph", "pkg.serve:app.bound"]),
        prop::option::of((any::<bool>(), prop::collection::vec(prop::sample::select(vec!["requests==2.31.0", "numpy<2", "scikit-learn"]), 0..3))),
        prop::collection::vec(0usize..1, 0..3),
    )
        .prop_flat_map(move |(root, import, env, deployments)| {
            let ds: Vec<_> = (0..deployments.len()).map(deployment).collect();
            (Just(root), Just(import), Just(env), ds)
        })
        .prop_map(move |(root, import, env, ds)| {
            let route = if root && i == 0 { "/".to_string() } else { format!("/app-{i}") };
            let mut a = format!(
                "      - name: app-{i}\n        routePrefix: {route}\n        importPath: {import}\n"
            );
            if let Some((dir, pip)) = env {
                a.push_str("        runtimeEnv:\n");
                if dir {
                    a.push_str("          workingDir: https://example.com/serve/app.zip\n");
                }
                if !pip.is_empty() {
                    a.push_str(&format!("          pip: {pip:?}\n"));
                }
                if !dir && pip.is_empty() {
                    a.push_str("          {}\n");
                }
            }
            if !ds.is_empty() {
                a.push_str("        deployments:\n");
                a.push_str(&ds.concat());
            }
            a
        })
}

/// A RayService: its cluster, applications, upgrade strategy and endpoint.
fn serve() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["ml-serve", "inference"]),
        any::<bool>(),
        prop::collection::vec(0usize..1, 1..3),
        prop::collection::vec(0usize..1, 1..4),
        prop::option::of((1u32..600, 1u32..101, prop::option::of(1u32..101))),
        prop::option::of(any::<bool>()),
    )
        .prop_flat_map(|(name, autoscale, groups, apps, upgrade, endpoint)| {
            let groups: Vec<_> = (0..groups.len()).map(group).collect();
            let apps: Vec<_> = (0..apps.len()).map(application).collect();
            (Just(name), Just(autoscale), groups, apps, Just(upgrade), Just(endpoint))
        })
        .prop_map(|(name, autoscale, groups, apps, upgrade, endpoint)| {
            // The RayCluster's groups, two more spaces in.
            let groups: String = groups
                .concat()
                .lines()
                .map(|l| format!("  {l}\n"))
                .collect();
            let mut o = format!(
                "  rayServe:\n    enabled: true\n    name: {name}\n    cluster:\n      autoscaling:\n        enabled: {autoscale}\n      workerGroups:\n{groups}    applications:\n{}",
                apps.concat()
            );
            match upgrade {
                None => o.push_str("    upgrade: newCluster\n"),
                Some((interval, step, surge)) => {
                    o.push_str(&format!(
                        "    upgrade:\n      incremental:\n        gatewayClassName: istio\n        intervalSeconds: {interval}\n        stepSizePercent: {step}\n"
                    ));
                    if let Some(m) = surge {
                        o.push_str(&format!("        maxSurgePercent: {m}\n"));
                    }
                }
            }
            match endpoint {
                None => o.push_str("    endpoint: null\n"),
                Some(true) => o.push_str("    endpoint:\n      subdomain: models\n"),
                Some(false) => {}
            }
            o
        })
}

/// A valid prod overlay varying every optional part of the custom resources.
fn overlay() -> impl Strategy<Value = String> {
    let argocd = (
        prop::sample::select(vec!["", "gitops", "deploy/clusters"]),
        prop::sample::select(vec!["default", "data-platform"]),
        prop::sample::select(vec![
            "https://kubernetes.default.svc",
            "https://10.0.0.1:6443",
        ]),
    );
    let store = prop::option::of((
        prop::sample::select(vec!["1h", "15m", "24h"]),
        any::<bool>(),
        any::<bool>(),
    ));
    let checks = prop::option::of((1u32..3600, 0u32..6));
    let doris = (
        prop::sample::select(vec!["doris-cluster", "olap"]),
        fe(),
        resources(8),
        1u32..5,
        resources(8),
        (1u32..500, 1u32..500),
    );
    let ray = (
        any::<bool>(),
        1u32..900,
        prop::sample::select(vec!["Default", "Aggressive", "Conservative"]),
        prop::collection::vec(0usize..1, 1..4),
        prop::option::of(any::<bool>()),
    )
        .prop_flat_map(|(autoscale, idle, mode, groups, dashboard)| {
            let groups: Vec<_> = (0..groups.len()).map(group).collect();
            (
                Just(autoscale),
                Just(idle),
                Just(mode),
                groups,
                Just(dashboard),
            )
        });
    let apps = (any::<bool>(), any::<bool>(), any::<bool>());
    let mirror = prop::option::of(prop::sample::select(vec![
        "registry.corp.example/mirror",
        "mirror.local:5000",
    ]));
    (argocd, store, checks, doris, ray, apps, any::<bool>(), serve(), mirror).prop_map(
        |(
            (path, project, server),
            store,
            checks,
            (name, (fe_n, election), fe_r, be_n, be_r, (fe_s, be_s)),
            (autoscale, idle, mode, groups, dashboard),
            (base_values, kfp_endpoint, katib),
            ingress,
            serve,
            mirror,
        )| {
            let mut o = format!(
                "argocd:\n  path: \"{path}\"\n  project: {project}\n  destinationServer: {server}\n"
            );
            match store {
                None => o.push_str("secretStore: null\n"),
                Some((interval, ..)) => o.push_str(&format!(
                    "secretStore:\n  name: vault-backend\n  refreshInterval: {interval}\n"
                )),
            }
            match checks {
                None => o.push_str("checks: null\n"),
                Some((deadline, backoff)) => o.push_str(&format!(
                    "checks:\n  deadlineSeconds: {deadline}\n  backoffLimit: {backoff}\n"
                )),
            }
            if !ingress {
                o.push_str("ingress: null\n");
            }
            if let Some(m) = mirror {
                o.push_str(&format!("images:\n  mirror:\n    registry: {m}\n"));
            }
            o.push_str("components:\n");
            o.push_str(&format!(
                "  doris:\n    name: {name}\n    fe:\n      replicas: {fe_n}\n      electionNumber: {}\n      resources: {fe_r}\n      storage: {fe_s}Gi\n    be:\n      replicas: {be_n}\n      resources: {be_r}\n      storage: {be_s}Gi\n",
                election.map_or("null".to_string(), |n| n.to_string())
            ));
            o.push_str(&format!(
                "  rayCluster:\n    autoscaling:\n      enabled: {autoscale}\n      idleTimeoutSeconds: {idle}\n      upscalingMode: {mode}\n    workerGroups:\n{}",
                groups.concat()
            ));
            match dashboard {
                None => o.push_str("    dashboard: null\n"),
                Some(on) => o.push_str(&format!(
                    "    dashboard:\n      enabled: {on}\n      subdomain: ray\n"
                )),
            }
            o.push_str(&serve);
            if !base_values {
                o.push_str("  superset:\n    baseValueFiles: []\n");
            }
            if !kfp_endpoint {
                o.push_str("  kubeflowPipelines:\n    endpoint: null\n");
            }
            if !katib {
                o.push_str("  katib:\n    enabled: false\n");
            }
            // A remote key of one's own, on some references.
            if let Some((_, remote_sql, remote_mlflow)) = store {
                if remote_sql {
                    o.push_str("  datahub:\n    sql:\n      password:\n        remoteKey: prod/datahub/sql-password\n");
                }
                if remote_mlflow {
                    o.push_str("  mlflow:\n    artifacts:\n      accessKeyId:\n        remoteKey: prod/mlflow/s3\n      secretAccessKey:\n        remoteKey: prod/mlflow/s3\n");
                }
            }
            o
        },
    )
}

/// Cases; `PLATGEN_FUZZ_CASES` runs more.
fn cases() -> usize {
    std::env::var("PLATGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

#[test]
#[cfg_attr(
    not(all(
        platgen_has = "upstream",
        platgen_has = "kubernetes_validate",
        platgen_has = "serve_venv"
    )),
    ignore = "needs the pinned upstream files: ../shared/upstream or $PLATGEN_UPSTREAM; kubernetes-validate (../shared/tools/install-k8s-tools.sh .tools); Ray Serve 2.9.0 in .tools/serve-venv or $PLATGEN_SERVE_VENV (.ci/run installs it)"
)]
fn every_field_a_custom_resource_can_emit_validates_against_its_crd() {
    let Some(up) = common::upstream() else { return };
    let crds = crds(&up);
    let mut validators = std::collections::BTreeMap::new();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let dir = tempfile::tempdir().unwrap();
    let mut core_files = Vec::new();
    let mut core_texts = BTreeSet::new();
    // Every (kind, field path) seen, to show the cases reach what they claim to.
    let mut seen = BTreeSet::new();
    // Every Serve config, for Ray Serve's own schema.
    let mut serve_configs = Vec::new();
    for case in 0..cases() {
        let overlay = overlay().new_tree(&mut runner).unwrap().current();
        let tree = common::render_with(&overlay).unwrap_or_else(|e| panic!("{overlay}\n{e}"));
        for (path, text) in &tree.files {
            if path.starts_with("values/") {
                continue;
            }
            let docs = common::yaml_docs(path, text);
            let mut core = true;
            for doc in &docs {
                let Some(crd) = crd_of(&crds, doc) else {
                    continue;
                };
                core = false;
                let kind = doc["kind"].as_str().unwrap().to_string();
                fields(&kind, doc, &mut String::new(), &mut seen);
                if kind == "RayService" {
                    serve_configs.push(doc["spec"]["serveConfigV2"].as_str().unwrap().to_string());
                }
                let api_version = doc["apiVersion"].as_str().unwrap().to_string();
                let validator = validators
                    .entry((crd.clone(), api_version.clone()))
                    .or_insert_with(|| {
                        jsonschema::validator_for(&crd_schema(&crd, &api_version)).unwrap()
                    });
                let errors: Vec<String> = validator
                    .iter_errors(doc)
                    .map(|e| format!("{e} at {}", e.instance_path()))
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{path} ({kind}) with overlay:\n{overlay}\n{}",
                    errors.join("\n")
                );
            }
            if core && core_texts.insert(text.clone()) {
                let file = dir
                    .path()
                    .join(format!("{case}-{}", path.replace('/', "-")));
                std::fs::write(&file, text).unwrap();
                core_files.push(file);
            }
        }
    }
    // The optional parts were generated, and reached the resources.
    for (kind, field) in [
        ("DorisCluster", "spec.feSpec.electionNumber"),
        ("DorisCluster", "spec.feSpec.requests.cpu"),
        ("DorisCluster", "spec.beSpec.limits.memory"),
        ("RayCluster", "spec.autoscalerOptions.upscalingMode"),
        (
            "RayCluster",
            "spec.workerGroupSpecs.template.spec.containers.resources.limits.cpu",
        ),
        (
            "RayJob",
            "spec.submitterPodTemplate.spec.containers.resources.requests.cpu",
        ),
        ("RayService", "spec.serveConfigV2"),
        (
            "RayService",
            "spec.upgradeStrategy.clusterUpgradeOptions.maxSurgePercent",
        ),
        (
            "RayService",
            "spec.rayClusterConfig.workerGroupSpecs.template.spec.containers.resources.limits.cpu",
        ),
        ("ExternalSecret", "spec.target.template.type"),
        ("ExternalSecret", "spec.data.remoteRef.key"),
        ("Application", "spec.sources.helm.valueFiles"),
        ("Application", "spec.sources.kustomize.patches.patch"),
        ("Application", "spec.sources.directory.include"),
        ("Application", "spec.source.directory.exclude"),
        ("Application", "spec.syncPolicy.syncOptions"),
        ("Application", "spec.sources.kustomize.images"),
        ("Application", "spec.sources.kustomize.patches.target.name"),
    ] {
        assert!(
            seen.contains(&(kind.to_string(), field.to_string())),
            "no case emitted {kind} {field}"
        );
    }
    // The CRD takes serveConfigV2 as a string: Ray Serve's schema reads it.
    let venv = common::serve_venv().unwrap();
    common::check_serve_configs(&venv, &serve_configs)
        .unwrap_or_else(|e| panic!("Ray Serve refuses a config gen emits:\n{e}"));
    let Some(tool) = kubernetes_validate() else {
        return;
    };
    let out = std::process::Command::new(tool)
        .args(["--strict", "-k", crate::upstream::K8S_VERSION])
        .args(&core_files)
        .output()
        .expect("kubernetes-validate runs");
    assert!(
        out.status.success(),
        "kubernetes-validate failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Records every leaf field path of `v` (list items share their list's path).
fn fields(kind: &str, v: &Value, path: &mut String, seen: &mut BTreeSet<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                fields(kind, child, path, seen);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            if items.iter().all(|i| !i.is_object() && !i.is_array()) {
                seen.insert((kind.to_string(), path.clone()));
            }
            for item in items {
                fields(kind, item, path, seen);
            }
        }
        _ => {
            seen.insert((kind.to_string(), path.clone()));
        }
    }
}
