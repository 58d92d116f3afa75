//! The committed JSON Schemas are current, and every config the project
//! carries validates against them (the same check editors run as you type).

use crate::common;

use std::path::Path;

use serde_json::Value;

#[test]
fn committed_schemas_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let schemas = platgen::Platform::builtin().unwrap().schemas();
    assert_eq!(schemas.len(), 2);
    for (file, text) in schemas {
        let committed = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
        assert!(
            committed == text,
            "schemas/{file} is stale; run `cargo run -- schema --out schemas`"
        );
    }
}

fn schema(file: &str) -> String {
    platgen::Platform::builtin()
        .unwrap()
        .schemas()
        .into_iter()
        .find(|(f, _)| f == file)
        .unwrap()
        .1
}

fn effective(env: &str) -> Value {
    let text = platgen::Platform::builtin()
        .unwrap()
        .effective_config(env)
        .unwrap();
    common::yaml_docs(env, &text).remove(0)
}

fn validator(text: &str) -> jsonschema::Validator {
    jsonschema::validator_for(&serde_json::from_str::<Value>(text).unwrap()).unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn every_config_file_validates_against_its_schema() {
    let base = validator(&schema("platform.schema.json"));
    let overlay = validator(&schema("env.schema.json"));
    let mut checked = 0;
    for (rel, text) in platgen::Platform::example_files() {
        if !rel.ends_with(".yaml") {
            continue;
        }
        let doc = common::yaml_docs(&rel, &text).pop().unwrap_or(Value::Null);
        let v = if rel.starts_with("envs/") {
            &overlay
        } else {
            &base
        };
        let e = errors(v, &doc);
        assert!(e.is_empty(), "{rel}: {e:?}");
        assert!(
            text.starts_with("# yaml-language-server: $schema="),
            "{rel}"
        );
        checked += 1;
    }
    assert_eq!(checked, 4);
    // Every merged env validates against the full schema.
    for env in platgen::Platform::builtin().unwrap().envs() {
        let config = effective(&env);
        assert!(errors(&base, &config).is_empty(), "{env}");
    }
}

#[test]
fn the_schemas_reject_what_the_loader_rejects() {
    let base = validator(&schema("platform.schema.json"));
    let overlay = validator(&schema("env.schema.json"));
    let config = effective("prod");
    let mut bad = config.clone();
    bad["components"]["kafka"]["replicaCount"] = serde_json::json!(3);
    assert!(!base.is_valid(&bad));
    let typo = serde_json::json!({"components": {"kafka": {"controller": {"replicass": 3}}}});
    assert!(!overlay.is_valid(&typo), "an unknown key in an overlay");
    let removal = serde_json::json!({"components": {"datahub": {"endpoint": null}}});
    assert!(overlay.is_valid(&removal), "null removes a key");
    let partial = serde_json::json!({"components": {"kafka": {"controller": {"replicas": 1}}}});
    assert!(
        overlay.is_valid(&partial),
        "an overlay sets only what changes"
    );
    assert!(!base.is_valid(&partial), "the base must be complete");
    let mut no_namespace = config.clone();
    no_namespace["components"]["kafka"]
        .as_object_mut()
        .unwrap()
        .remove("namespace");
    assert!(
        !base.is_valid(&no_namespace),
        "a section's namespace is required"
    );
    let mut unknown = config.clone();
    unknown["components"]["kafak"] = serde_json::json!({});
    assert!(!base.is_valid(&unknown), "an unknown component");
}
