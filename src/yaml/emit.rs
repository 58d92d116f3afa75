//! Typed values → YAML text that Go YAML parsers (Helm, Argo CD) read back
//! as the same values.

use serde::Serialize;

/// Serialises a value as a block-style YAML document (no `---`, one
/// trailing newline). Strings that a YAML 1.1 reader would take for
/// booleans, numbers or null are quoted.
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, String> {
    let mut out = serde_saphyr::to_string(value).map_err(|e| e.to_string())?;
    if out.starts_with("---\n") {
        out.drain(..4);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}
