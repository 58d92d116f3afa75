//! Every file in `tests/snapshots/` belongs to an assertion that still
//! exists: a renamed test or a removed corpus case must take its snapshot
//! with it, or the stale file would pass unnoticed.

use std::path::Path;

/// Whether the snapshot `name` (without `<module>__` and `.snap`) is made by
/// an assertion in `source`, the text of `tests/<module>.rs`.
fn made_by(name: &str, source: &str, tests: &Path) -> Result<(), String> {
    let defines = |f: &str| source.contains(&format!("fn {f}("));
    // `insta::glob!` cases: `<test fn>@<input file>`.
    if let Some((f, input)) = name.split_once('@') {
        if !defines(f) {
            return Err(format!("no test fn `{f}`"));
        }
        let dirs: Vec<&str> = source
            .match_indices("insta::glob!(\"")
            .filter_map(|(at, m)| source[at + m.len()..].split_once('/').map(|(d, _)| d))
            .collect();
        return if dirs.iter().any(|d| tests.join(d).join(input).is_file()) {
            Ok(())
        } else {
            Err(format!("no input `{input}` in {dirs:?}"))
        };
    }
    // A second assertion in one test is `<fn>-2`.
    let base = match name.rsplit_once('-') {
        Some((b, n)) if n.chars().all(|c| c.is_ascii_digit()) => b,
        _ => name,
    };
    if defines(base) || source.contains(&format!("\"{name}\"")) {
        return Ok(());
    }
    // A name made by `format!("<prefix>{…}")`; for the built-in renders the
    // rest must be one of the built-in envs.
    for (at, m) in source.match_indices("format!(\"") {
        let prefix = source[at + m.len()..].split('{').next().unwrap_or_default();
        if let Some(rest) = name.strip_prefix(prefix).filter(|r| !r.is_empty()) {
            if prefix == "render_" {
                let envs = platgen::Platform::builtin().unwrap().envs();
                return if envs.iter().any(|e| e == rest) {
                    Ok(())
                } else {
                    Err(format!("no built-in env `{rest}`"))
                };
            }
            return Ok(());
        }
    }
    Err("no assertion makes it".into())
}

#[test]
fn every_snapshot_has_its_assertion() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut stale = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(tests.join("snapshots")).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = file.strip_suffix(".snap") else {
            stale.push(format!("{file}: not a snapshot (a pending `.snap.new`?)"));
            continue;
        };
        count += 1;
        let verdict = match stem.split_once("__") {
            None => Err("not named `<module>__<name>.snap`".into()),
            Some((module, name)) => {
                match std::fs::read_to_string(tests.join(format!("{module}.rs"))) {
                    Err(_) => Err(format!("no tests/{module}.rs")),
                    Ok(source) => made_by(name, &source, &tests),
                }
            }
        };
        if let Err(why) = verdict {
            stale.push(format!("{file}: {why}"));
        }
    }
    assert!(count > 40, "only {count} snapshots found");
    assert!(
        stale.is_empty(),
        "stale snapshot files; delete them or restore their tests:\n{}",
        stale.join("\n")
    );
}

#[test]
fn a_stale_snapshot_is_named() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let source = "#[test]\nfn kept() {\n    insta::glob!(\"invalid/*.yaml\", |p| {});\n    insta::assert_snapshot!(format!(\"render_{env}\"), x);\n}\n";
    assert!(made_by("kept", source, &tests).is_ok());
    assert!(made_by("kept-2", source, &tests).is_ok());
    assert!(made_by("render_prod", source, &tests).is_ok());
    assert!(made_by("kept@01-syntax-unclosed-flow.yaml", source, &tests).is_ok());
    assert!(made_by("renamed", source, &tests).is_err());
    assert!(made_by("render_qa", source, &tests).is_err());
    assert!(made_by("kept@99-gone.yaml", source, &tests).is_err());
    assert!(made_by("gone@01-syntax-unclosed-flow.yaml", source, &tests).is_err());
}
