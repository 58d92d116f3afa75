//! The committed JSON Schema is current, and every config the project
//! carries validates against it.

mod common;

use std::path::Path;

#[test]
fn committed_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(platgen::schema::CONFIG_SCHEMA_FILE);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == platgen::schema::config_schema(),
        "schemas/ is stale; run `cargo run -- schema --out schemas`"
    );
}

#[test]
fn builtin_envs_validate_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&platgen::schema::config_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let platform = platgen::Platform::builtin().unwrap();
    for env in platform.envs() {
        let config = serde_json::to_value(platform.resolve(&env).unwrap().config).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&config)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{env}: {errors:?}");
    }
    // The schema rejects what the loader rejects.
    let mut bad = serde_json::to_value(platform.resolve("prod").unwrap().config).unwrap();
    bad["components"]["kafka"]["replicaCount"] = serde_json::json!(3);
    assert!(!validator.is_valid(&bad));
}
