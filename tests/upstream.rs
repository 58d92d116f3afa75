//! Conformance with the pinned upstream charts and CRDs, read from
//! `$PLATGEN_UPSTREAM` (never copied into the project): every key path of
//! every values file exists in its chart's `values.yaml`; values validate
//! against `values.schema.json` where the chart has one; every custom
//! resource validates against its CRD with unknown fields rejected; core
//! kinds pass `kubernetes-validate --strict`.

mod common;

use std::path::{Path, PathBuf};

use platgen::Platform;
use serde_json::Value;

/// Keys under which a chart takes free-form content, each with its reason.
/// A rendered key below one of these is accepted without being in the
/// chart's `values.yaml`.
const FREE_FORM: &[(&str, &str, &str)] = &[
    (
        "elasticsearch",
        "master.resources",
        "core/v1 ResourceRequirements (chart default `{}`)",
    ),
    (
        "elasticsearch",
        "data.resources",
        "core/v1 ResourceRequirements (chart default `{}`)",
    ),
    (
        "elasticsearch",
        "coordinating.resources",
        "core/v1 ResourceRequirements (chart default `{}`)",
    ),
    (
        "elasticsearch",
        "ingest.resources",
        "core/v1 ResourceRequirements (chart default `{}`)",
    ),
    (
        "kafka",
        "overrideConfiguration",
        "Kafka server properties by name (chart default `{}`)",
    ),
    (
        "kafka",
        "controller.resources",
        "core/v1 ResourceRequirements (chart default `{}`)",
    ),
    (
        "kafka",
        "broker.resources",
        "core/v1 ResourceRequirements (chart default `{}`)",
    ),
    (
        "datahub",
        "datahub-frontend.ingress.className",
        "read by the frontend subchart's templates/ingress.yaml (`ingressClassName`); commented out in its values.yaml",
    ),
    (
        "mlflow",
        "extraEnvVars",
        "environment variables by name (chart default `{}`)",
    ),
    (
        "mlflow",
        "resources",
        "core/v1 ResourceRequirements (chart default `{}`)",
    ),
    (
        "datahub",
        "datahub-gms.resources",
        "core/v1 ResourceRequirements",
    ),
    (
        "datahub",
        "datahub-frontend.resources",
        "core/v1 ResourceRequirements (subchart default `{}`)",
    ),
    (
        "datahub",
        "datahub-mae-consumer.resources",
        "core/v1 ResourceRequirements",
    ),
    (
        "datahub",
        "datahub-mce-consumer.resources",
        "core/v1 ResourceRequirements",
    ),
];

/// Charts whose values files the platform renders: values file stem →
/// directory under `upstream/values/`.
const CHARTS: &[(&str, &str)] = &[
    ("elasticsearch", "elasticsearch"),
    ("kafka", "kafka"),
    ("neo4j", "neo4j"),
    ("datahub", "datahub"),
    ("doris-operator", "doris-operator"),
    ("kuberay-operator", "kuberay-operator"),
    ("mlflow", "mlflow"),
];

fn leaf_paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, child) in map {
                prefix.push(k.clone());
                leaf_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => out.push(prefix.clone()),
    }
}

/// Whether `path` exists in `tree` (a parsed values.yaml); a path may stop
/// at any existing key.
fn exists(tree: &Value, path: &[String]) -> bool {
    let mut node = tree;
    for step in path {
        match node.get(step) {
            Some(child) => node = child,
            None => return false,
        }
    }
    true
}

fn rendered_values(stem: &str) -> Vec<(String, Value)> {
    let platform = Platform::builtin().unwrap();
    let mut all = Vec::new();
    for tree in platform.render_all().unwrap() {
        if let Some(text) = tree.files.get(&format!("values/{stem}.yaml")) {
            all.push((
                format!("{}/values/{stem}.yaml", tree.env),
                common::yaml_docs(stem, text).remove(0),
            ));
        }
    }
    assert!(!all.is_empty(), "no env renders values/{stem}.yaml");
    all
}

/// Also exercises every optional key the config can set, so the key-path
/// test covers what users can emit, not only the built-in example.
fn maximal_values(stem: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    let resources = "resources:\n        requests:\n          cpu: 500m\n          memory: 1Gi\n        limits:\n          cpu: \"1\"\n          memory: 2Gi\n";
    let es = format!(
        "components:\n  elasticsearch:\n    master:\n      heapSize: 512m\n      {resources}    data:\n      heapSize: 512m\n      {resources}    coordinating:\n      heapSize: 512m\n      {resources}    ingest:\n      heapSize: 512m\n      {resources}  kafka:\n    controller:\n      {resources}    broker:\n      replicas: 1\n      storage: 10Gi\n      {resources}  datahub:\n    version: v1.1.0\n    gms:\n      {resources}    frontend:\n      {resources}    maeConsumer:\n      {resources}    mceConsumer:\n      {resources}"
    );
    std::fs::write(dir.path().join("envs/max.yaml"), es).unwrap();
    let tree = Platform::load(dir.path()).unwrap().render("max").unwrap();
    common::yaml_docs(stem, &tree.files[&format!("values/{stem}.yaml")]).remove(0)
}

#[test]
fn every_values_key_exists_in_the_pinned_chart() {
    let Some(up) = common::upstream() else { return };
    let mut missing = Vec::new();
    for (stem, dir) in CHARTS {
        let chart_dir = up.join("values").join(dir);
        let defaults = common::yaml_file(&chart_dir.join("values.yaml"));
        let mut files = rendered_values(stem);
        files.push((format!("max/values/{stem}.yaml"), maximal_values(stem)));
        for (file, values) in files {
            let mut paths = Vec::new();
            leaf_paths(&values, &mut Vec::new(), &mut paths);
            for path in paths {
                let dotted = path.join(".");
                if FREE_FORM.iter().any(|(c, prefix, _)| {
                    c == stem && (dotted == *prefix || dotted.starts_with(&format!("{prefix}.")))
                }) {
                    continue;
                }
                let mut found = exists(&defaults, &path);
                // A subchart's keys live in its own values.yaml.
                let sub = chart_dir
                    .join("subcharts")
                    .join(&path[0])
                    .join("values.yaml");
                if !found && path.len() > 1 && sub.is_file() {
                    found = exists(&common::yaml_file(&sub), &path[1..]);
                }
                if !found {
                    missing.push(format!("{file}: {dotted}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys not in the pinned charts:\n{}",
        missing.join("\n")
    );
}

#[test]
fn key_path_check_catches_the_plans_kafka_keys() {
    let Some(up) = common::upstream() else { return };
    let defaults = common::yaml_file(&up.join("values/kafka/values.yaml"));
    for wrong in ["replicaCount", "persistence", "kraft", "zookeeper"] {
        assert!(
            !exists(&defaults, &[wrong.to_string()]),
            "kafka 32.x has no top-level {wrong}"
        );
    }
    assert!(exists(
        &defaults,
        &["controller".into(), "replicaCount".into()]
    ));
}

/// Merges chart defaults with rendered values as Helm does (maps merge,
/// everything else replaces).
fn helm_merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                let merged = match b.get(k) {
                    Some(bv) => helm_merge(bv, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        _ => over.clone(),
    }
}

fn validation_errors(schema: &Value, doc: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn values_validate_against_values_schema_json() {
    let Some(up) = common::upstream() else { return };
    let mut checked = 0;
    for (stem, dir) in CHARTS {
        let schema_path = up.join("values").join(dir).join("values.schema.json");
        if !schema_path.is_file() {
            continue;
        }
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
        let defaults = common::yaml_file(&up.join("values").join(dir).join("values.yaml"));
        let mut files = rendered_values(stem);
        files.push((format!("max/values/{stem}.yaml"), maximal_values(stem)));
        for (file, values) in files {
            let errors = validation_errors(&schema, &helm_merge(&defaults, &values));
            assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "datahub's schema must be checked for every env"
    );
}

/// The CRD's schema for `apiVersion`, made strict as the API server is:
/// unknown fields are errors unless the schema preserves them.
fn crd_schema(path: &Path, api_version: &str) -> Value {
    let crd = common::yaml_file(path);
    let version = api_version.rsplit('/').next().unwrap();
    let v = crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == version && v["served"] == true)
        .unwrap_or_else(|| panic!("{} does not serve {api_version}", path.display()));
    let mut schema = v["schema"]["openAPIV3Schema"].clone();
    strict(&mut schema);
    schema
}

fn strict(s: &mut Value) {
    if let Value::Object(map) = s {
        let preserve = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        if map.contains_key("properties") && !map.contains_key("additionalProperties") && !preserve
        {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        if map.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
            map.remove("type");
        }
        for v in map.values_mut() {
            strict(v);
        }
    } else if let Value::Array(items) = s {
        items.iter_mut().for_each(strict);
    }
}

fn all_documents() -> Vec<(String, Value)> {
    let mut docs = Vec::new();
    for tree in Platform::builtin().unwrap().render_all().unwrap() {
        for (path, text) in &tree.files {
            if path.starts_with("values/") {
                continue;
            }
            for doc in common::yaml_docs(path, text) {
                docs.push((format!("{}/{path}", tree.env), doc));
            }
        }
    }
    docs
}

/// CRD file for each custom kind the platform emits.
fn crd_for(kind: &str) -> Option<&'static str> {
    match kind {
        "Application" => Some("argoproj.io_applications.yaml"),
        "DorisCluster" => Some("doris.selectdb.com_dorisclusters.yaml"),
        "RayCluster" => Some("ray.io_rayclusters.yaml"),
        "RayJob" => Some("ray.io_rayjobs.yaml"),
        "ExternalSecret" => Some("external-secrets.io_externalsecrets.yaml"),
        _ => None,
    }
}

#[test]
fn custom_resources_validate_against_their_crds() {
    let Some(up) = common::upstream() else { return };
    let mut checked = 0;
    for (file, doc) in all_documents() {
        let kind = doc["kind"].as_str().unwrap();
        let Some(crd) = crd_for(kind) else { continue };
        let schema = crd_schema(
            &up.join("crds").join(crd),
            doc["apiVersion"].as_str().unwrap(),
        );
        let errors = validation_errors(&schema, &doc);
        assert!(errors.is_empty(), "{file} ({kind}):\n{}", errors.join("\n"));
        checked += 1;
    }
    assert!(checked >= 27, "only {checked} custom resources checked");
}

#[test]
fn strict_crd_schema_rejects_the_plans_helm_values_map() {
    let Some(up) = common::upstream() else { return };
    let schema = crd_schema(
        &up.join("crds/argoproj.io_applications.yaml"),
        "argoproj.io/v1alpha1",
    );
    let (_, mut app) = all_documents()
        .into_iter()
        .find(|(f, _)| f == "prod/apps/kafka.yaml")
        .unwrap();
    // `helm.values` is a string; a map there is what the plan's style produces.
    app["spec"]["sources"][0]["helm"]["values"] = serde_json::json!({"replicaCount": 3});
    assert!(!validation_errors(&schema, &app).is_empty());
    // And an unknown field is an error, as on the API server.
    let (_, mut app) = all_documents()
        .into_iter()
        .find(|(f, _)| f == "prod/apps/kafka.yaml")
        .unwrap();
    app["spec"]["syncPolicy"]["automatic"] = Value::Bool(true);
    assert!(!validation_errors(&schema, &app).is_empty());
}

fn kubernetes_validate() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KUBERNETES_VALIDATE") {
        return Some(PathBuf::from(p));
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/kubernetes-validate");
    if local.is_file() {
        return Some(local);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("kubernetes-validate"))
            .find(|p| p.is_file())
    });
    found.or_else(|| {
        common::absent(
            "kubernetes-validate not found (run ../shared/tools/install-k8s-tools.sh .tools)",
        )
    })
}

#[test]
fn core_kinds_pass_kubernetes_validate_strict() {
    let Some(tool) = kubernetes_validate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for tree in Platform::builtin().unwrap().render_all().unwrap() {
        for (path, text) in &tree.files {
            let core = common::yaml_docs(path, text)
                .iter()
                .all(|d| d["kind"].is_string() && crd_for(d["kind"].as_str().unwrap()).is_none());
            if path.starts_with("values/") || !core {
                continue;
            }
            let file = dir
                .path()
                .join(format!("{}-{}", tree.env, path.replace('/', "-")));
            std::fs::write(&file, text).unwrap();
            files.push(file);
        }
    }
    assert!(!files.is_empty());
    let out = std::process::Command::new(tool)
        .args(["--strict", "-k", "1.31.0"])
        .args(&files)
        .output()
        .expect("kubernetes-validate runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "kubernetes-validate failed:\n{text}");
    // A deliberately wrong Namespace must fail, or the tool is not checking.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labelz: {}\n",
    )
    .unwrap();
    let out = std::process::Command::new(kubernetes_validate().unwrap())
        .args(["--strict", "-k", "1.31.0"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "kubernetes-validate accepted an unknown field"
    );
}
