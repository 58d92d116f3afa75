//! The crate's shape, enforced: data flows one way. Leaf modules know no
//! stage; components import only leaves; each stage imports only leaves
//! and earlier stages; only the facade (`platform.rs`, `lib.rs`) sees
//! every stage. A module that imports one above it fails this test. A
//! module's unit tests (`#[cfg(test)] mod tests`, at its end) are not part
//! of the flow: they may build their input with the facade.

use std::collections::BTreeMap;
use std::path::Path;

/// Every top-level module of `src/`, lowest first. A module may import
/// only modules of a lower rank (and itself).
const RANKS: &[(&str, u32)] = &[
    // Leaves: the vocabulary every stage shares.
    ("names", 0),
    ("parallel", 0),
    ("error", 1),
    ("yaml", 2),
    ("k8s", 3),
    ("config", 4),
    ("model", 5),
    // The components: leaves only.
    ("components", 6),
    // Vendored chart packages, read and locked.
    ("charts", 6),
    // The stages, in the order data flows through them.
    ("load", 10),
    ("merge", 11),
    ("resolve", 12),
    ("graph", 13),
    ("schema", 13),
    ("build", 14),
    // Values files checked against the vendored charts, once built.
    ("chart_check", 15),
    ("plan", 15),
    ("render", 16),
    ("readback", 17),
    ("tree", 18),
    ("write", 19),
    // What reads rendered trees: a change between two, where a value
    // comes from.
    ("diff", 20),
    // Pulling and locking the charts the envs install.
    ("vendor", 20),
    ("explain", 21),
    // The charts rendered for real and gen's claims checked against them.
    ("verify", 21),
    // The facade.
    ("platform", 30),
    ("lib", 31),
];

/// `crate::<module>` paths in a file's code (comments and the unit tests
/// left out).
fn imports(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" && lines.peek().is_some_and(|l| l.trim() == "mod tests {")
        {
            break;
        }
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let code = code.split(" //").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::{a, b}`: each name inside the braces.
            if let Some(braced) = after.strip_prefix('{') {
                let inner = braced.split('}').next().unwrap_or_default();
                out.extend(
                    inner
                        .split(',')
                        .map(|s| s.trim().split("::").next().unwrap_or_default().to_string())
                        .filter(|s| !s.is_empty()),
                );
            } else if !name.is_empty() {
                out.push(name.clone());
            }
            rest = &after[name.len()..];
        }
    }
    out
}

/// The top-level module a file of `src/` belongs to.
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let ranks: BTreeMap<&str, u32> = RANKS.iter().copied().collect();
    let mut problems = Vec::new();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap();
        let module = module_of(rel);
        // The binary (`main.rs`, `fleet.rs`) uses the library's public API only.
        if matches!(module.as_str(), "main" | "fleet" | "builtin") {
            continue;
        }
        let Some(&rank) = ranks.get(module.as_str()) else {
            problems.push(format!("{}: module `{module}` has no rank", rel.display()));
            continue;
        };
        files += 1;
        let text = std::fs::read_to_string(path).unwrap();
        for import in imports(&text) {
            if import == module || import == "self" {
                continue;
            }
            match ranks.get(import.as_str()) {
                Some(&r) if r < rank => {}
                Some(_) => problems.push(format!(
                    "{}: `{module}` imports `{import}`, which is not below it",
                    rel.display()
                )),
                None => problems.push(format!(
                    "{}: imports `crate::{import}`, which has no rank",
                    rel.display()
                )),
            }
        }
    }
    assert!(files > 50, "only {files} files read");
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_sees_an_import_from_above() {
    assert_eq!(
        imports("use crate::model::Finding;\nlet x = crate::plan::aggregate::plan(r);\n"),
        ["model", "plan"]
    );
    assert_eq!(
        imports("use crate::{error::Result, graph::Graph};\n// crate::write in a comment\n"),
        ["error", "graph"]
    );
    assert_eq!(
        imports(
            "use crate::model::Finding;\n#[cfg(test)]\nmod tests {\n    use crate::Platform;\n}\n"
        ),
        ["model"]
    );
    assert_eq!(module_of(Path::new("components/kafka.rs")), "components");
    assert_eq!(module_of(Path::new("graph.rs")), "graph");
}
