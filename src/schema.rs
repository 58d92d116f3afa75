//! JSON Schema of the platform config, generated from the Rust types; every
//! field's doc comment is its description.

use crate::config::PlatformConfig;

/// File name of the config schema under `schemas/`.
pub const CONFIG_SCHEMA_FILE: &str = "platform.schema.json";
/// File name of the env overlay schema under `schemas/`.
pub const OVERLAY_SCHEMA_FILE: &str = "env.schema.json";

/// The JSON Schema of a merged platform config (`platform.yaml` with an env
/// overlay applied), pretty-printed with one trailing newline.
pub fn config_schema() -> String {
    let schema = schemars::schema_for!(PlatformConfig);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serialises");
    text.push('\n');
    text
}

/// The JSON Schema of an env overlay (`envs/<env>.yaml`): the config's
/// schema with every key optional and `null` allowed (it removes a key).
pub fn overlay_schema() -> String {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(PlatformConfig)).expect("schema serialises");
    loosen(&mut schema);
    if let Some(o) = schema.as_object_mut() {
        o.insert("title".into(), "PlatformOverlay".into());
        o.insert(
            "description".into(),
            "An env overlay: merged onto platform.yaml (maps merge, lists replace, null removes a key).".into(),
        );
    }
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serialises");
    text.push('\n');
    text
}

fn loosen(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.remove("required");
            if let Some(serde_json::Value::Object(props)) = map.get_mut("properties") {
                for p in props.values_mut() {
                    loosen(p);
                    let inner = std::mem::take(p);
                    *p = serde_json::json!({ "anyOf": [inner, { "type": "null" }] });
                }
            }
            for (k, child) in map.iter_mut() {
                if k != "properties" {
                    loosen(child);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(loosen),
        _ => {}
    }
}

/// The example platform as editable config: `(path, text)` of each file,
/// each starting with the `yaml-language-server` line that gives editors
/// its schema, plus the two schemas under `schemas/`.
pub fn init_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (path, text) in crate::load::builtin_files() {
        let schema = if path.starts_with("envs/") {
            format!("../schemas/{OVERLAY_SCHEMA_FILE}")
        } else {
            format!("schemas/{CONFIG_SCHEMA_FILE}")
        };
        files.push((
            path,
            format!("# yaml-language-server: $schema={schema}\n{text}"),
        ));
    }
    files.push((format!("schemas/{CONFIG_SCHEMA_FILE}"), config_schema()));
    files.push((format!("schemas/{OVERLAY_SCHEMA_FILE}"), overlay_schema()));
    files
}
