//! One test per mistake of the Phase 3 plan (see the design's "What the plan
//! got wrong") that concerns the data-catalog stack: the typed model either
//! rejects the plan's input or cannot emit the plan's output.

use crate::common;

use platgen::Platform;
use serde_json::Value;

fn rendered(env: &str, file: &str) -> Value {
    let tree = Platform::builtin().unwrap().render(env).unwrap();
    common::yaml_docs(file, &tree.files[file]).remove(0)
}

fn all_envs(file: &str) -> Vec<Value> {
    ["dev", "staging", "prod"]
        .iter()
        .map(|e| rendered(e, file))
        .collect()
}

/// The error a config overlay gives, as text.
fn overlay_error(overlay: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    std::fs::write(dir.path().join("envs/prod.yaml"), overlay).unwrap();
    Platform::load(dir.path())
        .unwrap()
        .render("prod")
        .unwrap_err()
        .to_string()
}

#[test]
fn kafka_has_no_top_level_replica_count_persistence_kraft_or_zookeeper() {
    for values in all_envs("values/kafka.yaml") {
        for wrong in ["replicaCount", "persistence", "kraft", "zookeeper"] {
            assert!(
                values.get(wrong).is_none(),
                "kafka values carry top-level {wrong}"
            );
        }
        assert!(values["controller"]["replicaCount"].is_u64());
        assert!(values["controller"]["persistence"]["size"].is_string());
    }
    for wrong in [
        "replicaCount: 3",
        "persistence: {size: 20Gi}",
        "kraft: {enabled: true}",
        "zookeeper: {enabled: false}",
    ] {
        let err = overlay_error(&format!("components:\n  kafka:\n    {wrong}\n"));
        assert!(err.contains("unknown key"), "{wrong}: {err}");
    }
}

#[test]
fn neo4j_needs_name_storage_mode_lookups_off_and_a_secret_password() {
    for values in all_envs("values/neo4j.yaml") {
        assert!(values["neo4j"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()));
        assert_eq!(values["disableLookups"], true);
        assert!(
            values["neo4j"].get("password").is_none(),
            "no password in values"
        );
        assert!(values["neo4j"]["passwordFromSecret"].is_string());
        let mode = values["volumes"]["data"]["mode"].as_str().unwrap();
        assert!(values["volumes"]["data"][mode]["requests"]["storage"].is_string());
        assert!(values.get("core").is_none());
        assert!(values["volumes"]["data"].get("size").is_none());
    }
    assert!(
        overlay_error("components:\n  neo4j:\n    core: {standalone: true}\n")
            .contains("unknown key `core`")
    );
    let err = overlay_error("components:\n  neo4j:\n    auth: datahub_neo4j_password\n");
    assert!(
        err.contains("literal secret") && !err.contains("datahub_neo4j_password"),
        "{err}"
    );
    let err =
        overlay_error("components:\n  neo4j:\n    auth: {secret: neo4j-auth, key: password}\n");
    assert!(err.contains("NEO4J_AUTH"), "{err}");
}

#[test]
fn datahub_has_a_sql_store_on_postgresql() {
    for values in all_envs("values/datahub.yaml") {
        let ds = &values["global"]["sql"]["datasource"];
        assert!(ds["url"]
            .as_str()
            .unwrap()
            .starts_with("jdbc:postgresql://postgresql.kong.svc.cluster.local:5432/"));
        assert_eq!(ds["driver"], "org.postgresql.Driver");
        assert!(
            ds["password"]["secretRef"].is_string(),
            "password is a Secret reference"
        );
        assert_eq!(values["global"]["graph_service_impl"], "neo4j");
        assert_eq!(
            values["global"]["datahub_standalone_consumers_enabled"],
            true
        );
    }
    let err = overlay_error("components:\n  datahub:\n    sql: null\n");
    assert!(err.contains("missing key `sql`"), "{err}");
}

#[test]
fn argo_helm_values_are_files_never_an_inline_map() {
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    for (path, text) in tree.files.iter().filter(|(p, _)| p.starts_with("apps/")) {
        let app = common::yaml_docs(path, text).remove(0);
        for source in app["spec"]["sources"].as_array().into_iter().flatten() {
            if let Some(helm) = source.get("helm") {
                assert!(
                    helm.get("values").is_none() && helm.get("valuesObject").is_none(),
                    "{path}"
                );
                let files = helm["valueFiles"].as_array().unwrap();
                // The last file is the rendered one; earlier ones are a release's own (from config).
                let last = files.last().unwrap().as_str().unwrap();
                let rel = last.strip_prefix("$values/gitops/prod/").unwrap();
                assert!(tree.files.contains_key(rel), "{path}: {last} is rendered");
                assert!(
                    files
                        .iter()
                        .all(|f| f.as_str().unwrap().starts_with("$values/")),
                    "{path}"
                );
            }
        }
    }
}

#[test]
fn no_plain_text_password_reaches_output() {
    for tree in Platform::builtin().unwrap().render_all().unwrap() {
        for (path, text) in &tree.files {
            for word in [
                "datahub_neo4j_password",
                "mlflow_password",
                "minio_secret",
                "doris_password",
            ] {
                assert!(!text.contains(word), "{path}");
            }
            let docs = common::yaml_docs(path, text);
            let mut stack: Vec<(&str, &Value)> = docs.iter().map(|d| ("", d)).collect();
            while let Some((key, v)) = stack.pop() {
                match v {
                    Value::Object(m) => stack.extend(m.iter().map(|(k, v)| (k.as_str(), v))),
                    Value::Array(a) => stack.extend(a.iter().map(|v| (key, v))),
                    // A `password` key never holds a literal string.
                    Value::String(_) => assert!(
                        !key.eq_ignore_ascii_case("password"),
                        "{path}: literal password"
                    ),
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn bitnami_images_come_from_bitnamilegacy() {
    for stem in ["elasticsearch", "kafka"] {
        for values in all_envs(&format!("values/{stem}.yaml")) {
            let mut repos = Vec::new();
            let mut stack = vec![&values];
            while let Some(v) = stack.pop() {
                if let Value::Object(m) = v {
                    if let Some(Value::String(r)) = m.get("repository") {
                        repos.push(r.clone());
                    }
                    stack.extend(m.values());
                }
            }
            assert!(
                repos.len() >= 3,
                "{stem}: main and helper images are pointed somewhere: {repos:?}"
            );
            assert!(
                repos.iter().all(|r| r.starts_with("bitnamilegacy/")),
                "{stem}: {repos:?}"
            );
            assert!(values["global"].get("security").is_none());
        }
    }
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    std::fs::write(
        dir.path().join("envs/prod.yaml"),
        "images:\n  bitnamiRegistry: registry.example.com\n  bitnamiNamespace: mirror\n",
    )
    .unwrap();
    let tree = Platform::load(dir.path()).unwrap().render("prod").unwrap();
    let values = common::yaml_docs("kafka", &tree.files["values/kafka.yaml"]).remove(0);
    assert_eq!(
        values["global"]["security"]["allowInsecureImages"], true,
        "a mirror needs the switch"
    );
    assert_eq!(values["image"]["repository"], "mirror/kafka");
}

#[test]
fn kafka_internal_topics_fit_the_number_of_brokers() {
    let dev = rendered("dev", "values/kafka.yaml");
    assert_eq!(dev["controller"]["replicaCount"], 1);
    assert_eq!(
        dev["overrideConfiguration"]["offsets.topic.replication.factor"],
        1
    );
    assert_eq!(
        dev["overrideConfiguration"]["transaction.state.log.replication.factor"],
        1
    );
    assert_eq!(
        dev["overrideConfiguration"]["transaction.state.log.min.isr"],
        1
    );
    let prod = rendered("prod", "values/kafka.yaml");
    assert_eq!(
        prod["overrideConfiguration"]["offsets.topic.replication.factor"],
        3
    );
    assert_eq!(
        prod["overrideConfiguration"]["transaction.state.log.min.isr"],
        2
    );
}

#[test]
fn neo4j_memory_below_the_charts_minimum_is_refused() {
    let err = overlay_error(
        "components:\n  neo4j:\n    resources:\n      cpu: 500m\n      memory: 1Gi\n",
    );
    assert!(
        err.contains("below the neo4j chart's minimum of 2Gi"),
        "{err}"
    );
    assert!(
        err.contains("envs/prod.yaml:5:"),
        "located at the value: {err}"
    );
    for values in all_envs("values/neo4j.yaml") {
        let mem: platgen::config::Quantity = values["neo4j"]["resources"]["memory"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(mem >= "2Gi".parse().unwrap());
    }
}

#[test]
fn datahub_services_stay_inside_the_cluster() {
    for values in all_envs("values/datahub.yaml") {
        assert_eq!(values["datahub-gms"]["service"]["type"], "ClusterIP");
        assert_eq!(values["datahub-frontend"]["service"]["type"], "ClusterIP");
    }
}
