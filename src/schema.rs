//! JSON Schemas of the platform config, generated from the Rust types:
//! the shared settings, and a section per component of the platform (its
//! settings type plus the common keys of its kind). Every field's doc
//! comment is its description.

use schemars::SchemaGenerator;
use serde_json::{json, Map, Value};

use crate::config::PlatformConfig;
use crate::model::Section;
use crate::resolve::erased::key;
use crate::resolve::Shared;

/// File name of the config schema under `schemas/`.
pub(crate) const CONFIG_SCHEMA_FILE: &str = "platform.schema.json";
/// File name of the env overlay schema under `schemas/`.
pub(crate) const OVERLAY_SCHEMA_FILE: &str = "env.schema.json";

/// The JSON Schema of a merged platform config (`platform.yaml` with an env
/// overlay applied) for a platform of `components`.
pub(crate) fn config_schema(components: &[Shared]) -> Value {
    let mut generator = SchemaGenerator::default();
    let mut sections = Map::new();
    for c in components.iter().filter(|c| c.section() != Section::None) {
        sections.insert(key(c.as_ref()), section(c.as_ref(), &mut generator));
    }
    let mut root: Value = generator
        .into_root_schema_for::<PlatformConfig>()
        .to_value();
    root["properties"]["components"] = json!({
        "description": "The components of the platform, each under its name in camelCase. A component without a section is off.",
        "type": "object",
        "properties": sections,
        "additionalProperties": false,
    });
    root
}

/// The schema of one component's section: its settings and the common
/// keys of its kind.
fn section(c: &dyn crate::resolve::erased::Erased, generator: &mut SchemaGenerator) -> Value {
    let mut schema = c.schema(generator).to_value();
    let obj = schema.as_object_mut().expect("settings are a map");
    obj.insert("description".into(), c.about().into());
    let mut properties = Map::new();
    let mut last = Map::new();
    for k in c.section().keys() {
        let p = match *k {
            "enabled" => json!({
                "description": "Whether the component is rendered in this env.",
                "type": "boolean",
                "default": true,
            }),
            "release" => json!({
                "description": "Helm release name.",
                "type": "string",
                "default": c.name(),
            }),
            "namespace" => json!({
                "description": "Namespace its resources go to.",
                "type": "string",
            }),
            "dependsOn" => json!({
                "description": "Components this one waits for, besides the ones it needs.",
                "type": "array",
                "items": { "type": "string" },
                "default": [],
            }),
            "values" => {
                last.insert(
                    (*k).to_string(),
                    json!({
                        "description": "Values for the chart that the typed settings do not cover (nodeSelector, tolerations, podAnnotations, a tuning key), merged onto the values gen writes: maps merge, anything else is set as written. A key gen already writes is an error naming the setting to use instead; with the chart vendored, every key is checked against it. No credentials: point the chart at a Secret instead.",
                        "type": "object",
                        "additionalProperties": true,
                    }),
                );
                continue;
            }
            other => unreachable!("no common key `{other}`"),
        };
        properties.insert(k.to_string(), p);
    }
    if let Some(Value::Object(own)) = obj.remove("properties") {
        properties.extend(own);
    }
    properties.extend(last);
    obj.insert("properties".into(), Value::Object(properties));
    if matches!(c.section(), Section::Namespaced | Section::Release) {
        let required = obj
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = required {
            list.insert(0, "namespace".into());
        }
    }
    schema
}

/// The JSON Schema of an env overlay (`envs/<env>.yaml`): the config's
/// schema with every key optional and `null` allowed (it removes a key).
pub(crate) fn overlay_schema(components: &[Shared]) -> Value {
    let mut schema = config_schema(components);
    loosen(&mut schema);
    if let Some(o) = schema.as_object_mut() {
        o.insert("title".into(), "PlatformOverlay".into());
        o.insert(
            "description".into(),
            "An env overlay: merged onto platform.yaml (maps merge, lists replace, null removes a key).".into(),
        );
    }
    schema
}

/// Pretty JSON with one trailing newline.
pub(crate) fn text(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("schema serialises");
    text.push('\n');
    text
}

fn loosen(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("required");
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for p in props.values_mut() {
                    loosen(p);
                    let inner = std::mem::take(p);
                    *p = json!({ "anyOf": [inner, { "type": "null" }] });
                }
            }
            for (k, child) in map.iter_mut() {
                if k != "properties" {
                    loosen(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(loosen),
        _ => {}
    }
}

/// The example platform as editable config: `(path, text)` of each file,
/// each starting with the `yaml-language-server` line that gives editors
/// its schema, plus the two schemas under `schemas/`.
pub(crate) fn init_files(components: &[Shared]) -> Vec<(String, String)> {
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
    for (name, text) in schema_files(components) {
        files.push((format!("schemas/{name}"), text));
    }
    files
}

/// The two schema files of a platform of `components`: `(file name, text)`.
pub(crate) fn schema_files(components: &[Shared]) -> Vec<(String, String)> {
    vec![
        (
            CONFIG_SCHEMA_FILE.to_string(),
            text(&config_schema(components)),
        ),
        (
            OVERLAY_SCHEMA_FILE.to_string(),
            text(&overlay_schema(components)),
        ),
    ]
}
