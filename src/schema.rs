//! JSON Schema of the platform config, generated from the Rust types; every
//! field's doc comment is its description.

use crate::config::PlatformConfig;

/// File name of the config schema under `schemas/`.
pub const CONFIG_SCHEMA_FILE: &str = "platform.schema.json";

/// The JSON Schema of a merged platform config (`platform.yaml` with an env
/// overlay applied), pretty-printed with one trailing newline.
pub fn config_schema() -> String {
    let schema = schemars::schema_for!(PlatformConfig);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serialises");
    text.push('\n');
    text
}
