//! Conformance with the pinned upstream charts and CRDs, read from
//! `$PLATGEN_UPSTREAM` (never copied into the project): every key path of
//! every values file exists in its chart's `values.yaml`; values validate
//! against `values.schema.json` where the chart has one; every custom
//! resource validates against its CRD with unknown fields rejected; core
//! kinds pass `kubernetes-validate --strict`.

use crate::common;

use std::path::{Path, PathBuf};

use platgen::model::Release;
use platgen::Platform;
use serde_json::Value;

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

/// Every Helm release of every built-in env with the values gen renders
/// for it: `(file, release, values)`.
fn rendered_releases() -> Vec<(String, Release, Value)> {
    let platform = Platform::builtin().unwrap();
    let mut all = Vec::new();
    for env in platform.envs() {
        let tree = platform.render(&env).unwrap();
        for release in platform.releases(&env).unwrap() {
            let file = format!("{env}/{}", release.values_file);
            let values = common::yaml_docs(&file, &tree.files[&release.values_file]).remove(0);
            all.push((file, release, values));
        }
    }
    assert!(all.len() >= 20, "only {} values files", all.len());
    all
}

/// The upstream chart directory of a release's chart, under `values/`.
fn chart_dir(up: &Path, release: &Release) -> PathBuf {
    up.join("values").join(release.chart.name.as_ref())
}

/// Also exercises every optional key the config can set, so the key-path
/// test covers what users can emit, not only the built-in example.
fn maximal_values(stem: &str) -> Option<Value> {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    let resources = "resources:\n        requests:\n          cpu: 500m\n          memory: 1Gi\n        limits:\n          cpu: \"1\"\n          memory: 2Gi\n";
    let es = format!(
        "components:\n  elasticsearch:\n    master:\n      heapSize: 512m\n      {resources}    data:\n      heapSize: 512m\n      {resources}    coordinating:\n      heapSize: 512m\n      {resources}    ingest:\n      heapSize: 512m\n      {resources}  kafka:\n    controller:\n      {resources}    broker:\n      replicas: 1\n      storage: 10Gi\n      {resources}  datahub:\n    version: v1.1.0\n    gms:\n      {resources}    frontend:\n      {resources}    maeConsumer:\n      {resources}    mceConsumer:\n      {resources}"
    );
    std::fs::write(dir.path().join("envs/max.yaml"), es).unwrap();
    let tree = Platform::load(dir.path()).unwrap().render("max").unwrap();
    let text = tree.files.get(&format!("values/{stem}.yaml"))?;
    Some(common::yaml_docs(stem, text).remove(0))
}

/// Whether `path` lies below a map the chart leaves open: the nearest key
/// of the path that `values.yaml` has holds an empty map (`{}`), where the
/// chart takes whatever it is given (`resources: {}`, `podAnnotations: {}`).
fn below_open_map(tree: &Value, path: &[String]) -> bool {
    let mut node = tree;
    for step in path {
        match node.get(step) {
            Some(child) => node = child,
            None => return node.as_object().is_some_and(|m| m.is_empty()),
        }
    }
    false
}

/// Whether the rendered key `path` is one the chart reads: in its
/// `values.yaml` (or a subchart's, under the subchart's name), below a map
/// it leaves open, or below a key the component declares free-form.
fn chart_reads(chart_dir: &Path, defaults: &Value, release: &Release, path: &[String]) -> bool {
    let dotted = path.join(".");
    if release
        .open_values
        .iter()
        .any(|(prefix, _)| dotted == *prefix || dotted.starts_with(&format!("{prefix}.")))
    {
        return true;
    }
    if exists(defaults, path) || below_open_map(defaults, path) {
        return true;
    }
    let sub = chart_dir
        .join("subcharts")
        .join(&path[0])
        .join("values.yaml");
    if path.len() > 1 && sub.is_file() {
        let sub = common::yaml_file(&sub);
        return exists(&sub, &path[1..]) || below_open_map(&sub, &path[1..]);
    }
    false
}

#[test]
#[cfg_attr(
    not(platgen_has = "upstream"),
    ignore = "needs the pinned upstream files: ../shared/upstream or $PLATGEN_UPSTREAM"
)]
fn every_values_key_exists_in_the_pinned_chart() {
    let Some(up) = common::upstream() else { return };
    let mut missing = Vec::new();
    let mut files = rendered_releases();
    let maximal: Vec<_> = files
        .iter()
        .filter(|(f, ..)| f.starts_with("prod/"))
        .filter_map(|(_, r, _)| {
            maximal_values(r.component).map(|v| (format!("max/{}", r.values_file), r.clone(), v))
        })
        .collect();
    files.extend(maximal);
    let mut charts = std::collections::BTreeSet::new();
    for (file, release, values) in files {
        let dir = chart_dir(&up, &release);
        let defaults = common::yaml_file(&dir.join("values.yaml"));
        charts.insert(release.chart.name.to_string());
        let mut paths = Vec::new();
        leaf_paths(&values, &mut Vec::new(), &mut paths);
        for path in paths {
            if !chart_reads(&dir, &defaults, &release, &path) {
                missing.push(format!("{file}: {}", path.join(".")));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys not in the pinned charts:\n{}",
        missing.join("\n")
    );
    assert_eq!(
        charts.len(),
        8,
        "every chart the platform renders values for: {charts:?}"
    );
}

#[test]
fn open_maps_are_found_and_closed_ones_are_not() {
    let tree = serde_json::json!({"resources": {}, "image": {"tag": "1"}, "x": null});
    let p = |s: &str| s.split('.').map(String::from).collect::<Vec<_>>();
    assert!(below_open_map(&tree, &p("resources.limits.cpu")));
    assert!(!below_open_map(&tree, &p("image.repository")));
    assert!(!below_open_map(&tree, &p("x.y")));
    assert!(!below_open_map(&tree, &p("replicaCount")));
}

#[test]
#[cfg_attr(
    not(platgen_has = "upstream"),
    ignore = "needs the pinned upstream files: ../shared/upstream or $PLATGEN_UPSTREAM"
)]
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

pub(crate) fn validation_errors(schema: &Value, doc: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
#[cfg_attr(
    not(platgen_has = "upstream"),
    ignore = "needs the pinned upstream files: ../shared/upstream or $PLATGEN_UPSTREAM"
)]
fn values_validate_against_values_schema_json() {
    let Some(up) = common::upstream() else { return };
    let mut checked = std::collections::BTreeMap::<String, usize>::new();
    for (file, release, values) in rendered_releases() {
        let dir = chart_dir(&up, &release);
        let schema_path = dir.join("values.schema.json");
        if !schema_path.is_file() {
            continue;
        }
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
        let defaults = common::yaml_file(&dir.join("values.yaml"));
        let mut all = vec![(file, values)];
        if let Some(max) = maximal_values(release.component) {
            all.push((format!("max/{}", release.values_file), max));
        }
        for (file, values) in all {
            let errors = validation_errors(&schema, &helm_merge(&defaults, &values));
            assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
            *checked.entry(release.chart.name.to_string()).or_default() += 1;
        }
    }
    // DataHub, MLflow and Superset ship a schema; each is checked for every env.
    for chart in ["datahub", "mlflow", "superset"] {
        assert!(
            checked.get(chart).copied().unwrap_or(0) >= 3,
            "{chart}: {checked:?}"
        );
    }
}

/// The CRD's schema for `apiVersion`, made strict as the API server is:
/// unknown fields are errors unless the schema preserves them.
pub(crate) fn crd_schema(path: &Path, api_version: &str) -> Value {
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

/// The pinned CRD of every custom kind, by (group, kind), read from the
/// CRD files themselves.
pub(crate) fn crds(up: &Path) -> std::collections::BTreeMap<(String, String), PathBuf> {
    let mut out = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(up.join("crds")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let crd = common::yaml_file(&path);
        let group = crd["spec"]["group"].as_str().unwrap().to_string();
        let kind = crd["spec"]["names"]["kind"].as_str().unwrap().to_string();
        out.insert((group, kind), path);
    }
    out
}

/// Whether `api_version` is one of Kubernetes' own groups (validated by
/// `kubernetes-validate`, not by a CRD).
fn core_group(api_version: &str) -> bool {
    match api_version.split_once('/') {
        None => true,
        Some((group, _)) => {
            group.ends_with(".k8s.io")
                || ["apps", "batch", "autoscaling", "policy"].contains(&group)
        }
    }
}

/// The CRD file of a document's kind, when it is a custom resource.
pub(crate) fn crd_of(
    crds: &std::collections::BTreeMap<(String, String), PathBuf>,
    doc: &Value,
) -> Option<PathBuf> {
    let api_version = doc["apiVersion"].as_str().unwrap();
    if core_group(api_version) {
        return None;
    }
    let group = api_version.split_once('/').unwrap().0.to_string();
    let kind = doc["kind"].as_str().unwrap().to_string();
    match crds.get(&(group.clone(), kind.clone())) {
        Some(p) => Some(p.clone()),
        None => panic!("no pinned CRD for {kind} in {group}"),
    }
}

#[test]
#[cfg_attr(
    not(platgen_has = "upstream"),
    ignore = "needs the pinned upstream files: ../shared/upstream or $PLATGEN_UPSTREAM"
)]
fn custom_resources_validate_against_their_crds() {
    let Some(up) = common::upstream() else { return };
    let mut checked = 0;
    let crds = crds(&up);
    for (file, doc) in all_documents() {
        let kind = doc["kind"].as_str().unwrap();
        let Some(crd) = crd_of(&crds, &doc) else {
            continue;
        };
        let schema = crd_schema(&crd, doc["apiVersion"].as_str().unwrap());
        let errors = validation_errors(&schema, &doc);
        assert!(errors.is_empty(), "{file} ({kind}):\n{}", errors.join("\n"));
        checked += 1;
    }
    assert!(checked >= 27, "only {checked} custom resources checked");
}

#[test]
#[cfg_attr(
    not(platgen_has = "upstream"),
    ignore = "needs the pinned upstream files: ../shared/upstream or $PLATGEN_UPSTREAM"
)]
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

/// The Kubernetes version of the core types gen is built with
/// (k8s-openapi's `v1_33` feature), and so of the strict schemas core
/// kinds are validated against.
pub(crate) const K8S_VERSION: &str = "1.33.0";

pub(crate) fn kubernetes_validate() -> Option<PathBuf> {
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
#[cfg_attr(
    not(platgen_has = "kubernetes_validate"),
    ignore = "needs kubernetes-validate (../shared/tools/install-k8s-tools.sh .tools)"
)]
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
                .all(|d| d["kind"].is_string() && core_group(d["apiVersion"].as_str().unwrap()));
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
        .args(["--strict", "-k", K8S_VERSION])
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
        .args(["--strict", "-k", K8S_VERSION])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "kubernetes-validate accepted an unknown field"
    );
}
