//! What an env asks of the cluster: the `argocd-cm` health checks gen
//! renders (run here under Lua 5.1, the language of Argo CD's gopher-lua,
//! against objects in each state) and the prerequisites `gen plan` lists.

use serde_json::{json, Value};

use crate::common;

/// A JSON value as a Lua table constructor.
fn lua(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(a) => format!("{{{}}}", a.iter().map(lua).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("[{k:?}] = {}", lua(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Runs a health script on `obj` as Argo CD does; `status|message`.
fn health(lua51: &std::path::Path, script: &str, obj: &Value) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("health.lua");
    let program = format!(
        "obj = {}\nlocal function check()\n{script}\nend\nlocal hs = check()\nio.write(hs.status .. \"|\" .. (hs.message or \"\"))\n",
        lua(obj)
    );
    std::fs::write(&file, program).unwrap();
    let out = std::process::Command::new(lua51)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "lua5.1 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[cfg_attr(
    not(platgen_has = "lua"),
    ignore = "needs lua5.1 on PATH (.ci/run installs it)"
)]
fn every_health_check_reports_each_state_of_its_kind() {
    let lua51 = common::tool("lua5.1").unwrap();
    let tree = platgen::Platform::builtin()
        .unwrap()
        .render("prod")
        .unwrap();
    let cm = common::doc(&tree, "cluster/argocd-cm.yaml");
    assert_eq!(cm["kind"], "ConfigMap");
    assert_eq!(cm["metadata"]["name"], "argocd-cm");
    assert_eq!(cm["metadata"]["namespace"], "argocd");
    let data = cm["data"].as_object().unwrap();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("argoproj.io_Application", json!({}), "Progressing|"),
        (
            "argoproj.io_Application",
            json!({"status": {"health": {"status": "Healthy"}}}),
            "Healthy|",
        ),
        (
            "argoproj.io_Application",
            json!({"status": {"health": {"status": "Degraded", "message": "crash loop"}}}),
            "Degraded|crash loop",
        ),
        ("ray.io_RayJob", json!({"status": {}}), "Progressing|"),
        (
            "ray.io_RayJob",
            json!({"status": {"jobStatus": "RUNNING"}}),
            "Progressing|RUNNING",
        ),
        (
            "ray.io_RayJob",
            json!({"status": {"jobStatus": "SUCCEEDED"}}),
            "Healthy|SUCCEEDED",
        ),
        (
            "ray.io_RayJob",
            json!({"status": {"jobStatus": "FAILED"}}),
            "Degraded|FAILED",
        ),
        (
            "ray.io_RayService",
            json!({}),
            "Progressing|waiting for the Serve applications",
        ),
        (
            "ray.io_RayService",
            json!({"status": {"conditions": [
                {"type": "UpgradeInProgress", "status": "False"},
                {"type": "Ready", "status": "False", "reason": "Initializing"}
            ]}}),
            "Progressing|Initializing",
        ),
        (
            "ray.io_RayService",
            json!({"status": {"conditions": [
                {"type": "Ready", "status": "True", "reason": "RunningServeApps", "message": "ok"}
            ]}}),
            "Healthy|ok",
        ),
    ];
    let mut tested = std::collections::BTreeSet::new();
    for (kind, obj, want) in &cases {
        let key = format!("resource.customizations.health.{kind}");
        let script = data[&key].as_str().unwrap_or_else(|| panic!("no {key}"));
        assert_eq!(&health(&lua51, script, obj), want, "{kind} on {obj}");
        tested.insert(key);
    }
    let keys: std::collections::BTreeSet<String> = data.keys().cloned().collect();
    assert_eq!(keys, tested, "every entry gen renders has its cases here");
}

#[test]
fn the_health_checks_follow_the_components_enabled() {
    // dev has no Ray Serve: no RayService entry; checks off: no RayJob one.
    let dev = platgen::Platform::builtin().unwrap().render("dev").unwrap();
    let data = common::doc(&dev, "cluster/argocd-cm.yaml")["data"].clone();
    assert!(data
        .get("resource.customizations.health.ray.io_RayService")
        .is_none());
    assert!(data
        .get("resource.customizations.health.argoproj.io_Application")
        .is_some());
    let tree = common::render_with("argocd: { namespace: gitops-system }\n").unwrap();
    let cm = common::doc(&tree, "cluster/argocd-cm.yaml");
    assert_eq!(cm["metadata"]["namespace"], "gitops-system");
    let text = &tree.files["cluster/argocd-cm.yaml"];
    assert!(text.contains("kubectl -n gitops-system patch configmap argocd-cm --type merge --patch-file gitops/prod/cluster/argocd-cm.yaml"), "{text}");
    // Argo CD applies only apps/: nothing points at cluster/.
    for (path, t) in &tree.files {
        if path.starts_with("apps/") {
            assert!(!t.contains("prod/cluster"), "{path} points at cluster/");
        }
    }
}

fn prerequisites(tree_env: &str, dir: Option<&std::path::Path>) -> Vec<Value> {
    let p = match dir {
        Some(d) => platgen::Platform::load(d).unwrap(),
        None => platgen::Platform::builtin().unwrap(),
    };
    let plan = p.plan(tree_env).unwrap();
    let json: Value = serde_json::from_str(&plan.report(platgen::PlanFormat::Json)).unwrap();
    json["prerequisites"].as_array().unwrap().clone()
}

fn has(list: &[Value], kind: &str, name: &str) -> bool {
    list.iter().any(|p| p["kind"] == kind && p["name"] == name)
}

#[test]
fn the_plan_lists_what_the_cluster_must_have() {
    let prod = prerequisites("prod", None);
    // With a secret store, the store; without one (dev), every Secret read.
    assert!(has(&prod, "ClusterSecretStore", "vault-backend"));
    assert!(!prod
        .iter()
        .any(|p| p["kind"] == "Secret" && p["name"] == "data-platform/neo4j-auth"));
    let dev = prerequisites("dev", None);
    assert!(!dev.iter().any(|p| p["kind"] == "ClusterSecretStore"));
    let doris = dev
        .iter()
        .find(|p| p["kind"] == "Secret" && p["name"] == "doris-analytics/doris-admin")
        .unwrap();
    let why = doris["why"].as_str().unwrap();
    assert!(
        why.contains("`password`, `username`") && why.contains("basic-auth"),
        "{why}"
    );
    for (kind, name) in [
        ("Helm release", "data-platform/superset"),
        ("StorageClass", "local-storage-standard"),
        ("IngressClass", "nginx"),
        ("Secret", "ml-platform/wildcard-tls"),
        ("DNS", "mlflow.254carbon.com"),
        ("Database", "postgresql.kong.svc.cluster.local:5432/datahub"),
        (
            "Bucket",
            "minio-service.data-platform.svc.cluster.local:9000/mlflow-artifacts",
        ),
    ] {
        assert!(has(&prod, kind, name), "no {kind} {name} in {prod:#?}");
    }
    // Sorted, each once.
    let keys: Vec<(String, String)> = prod
        .iter()
        .map(|p| (p["kind"].to_string(), p["name"].to_string()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted);
}

#[test]
fn another_platform_has_other_prerequisites() {
    // Superset in an external namespace, no public endpoints, no Superset
    // values files: the list follows.
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    common::edit(
        dir.path(),
        "platform.yaml",
        "      ray-system: {}\n",
        "      ray-system: {}\n      bi: { external: true }\n",
    );
    common::edit(
        dir.path(),
        "platform.yaml",
        "    release: superset\n    namespace: data-platform\n",
        "    release: bi-superset\n    namespace: bi\n",
    );
    common::edit(
        dir.path(),
        "platform.yaml",
        "ingress:\n  className: nginx\n  tlsSecret: wildcard-tls\n",
        "",
    );
    let list = prerequisites("prod", Some(dir.path()));
    assert!(has(&list, "Namespace", "bi"));
    assert!(has(&list, "Helm release", "bi/bi-superset"));
    assert!(!list
        .iter()
        .any(|p| p["kind"] == "DNS" || p["kind"] == "IngressClass"));
    assert!(!has(&list, "Namespace", "data-platform"));
}
