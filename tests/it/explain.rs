//! `gen explain`: every value the built-in prod env renders is explained,
//! and every explanation is checked here by other means: the first config
//! value named is changed in the config files themselves (the prod overlay,
//! as a user would), the env rendered again, and the value must move as
//! the rule said (the value itself, a text holding it, or what each value
//! tried gave).

use std::collections::BTreeMap;

use platgen::explain::Rule;
use serde_json::Value;

use crate::common;

/// A JSON path step of a config path (`components.kafka.x[0].y`).
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        out.push(Step::Key(key.to_string()));
        for i in rest.split('[').filter(|s| !s.is_empty()) {
            out.push(Step::Index(i.trim_end_matches(']').parse().unwrap()));
        }
    }
    out
}

/// `overlay` with the value at `path` set to `value`; a list on the way is
/// copied whole from `effective` (lists replace when merged).
fn set(overlay: &mut Value, effective: &Value, path: &[Step], value: Value) {
    let (mut o, mut e) = (overlay, effective);
    for (i, step) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        match step {
            Step::Key(k) => {
                if !o.is_object() {
                    *o = Value::Object(Default::default());
                }
                let next_e = &e[k.as_str()];
                let entry = o
                    .as_object_mut()
                    .unwrap()
                    .entry(k.clone())
                    .or_insert(Value::Null);
                if last {
                    *entry = value;
                    return;
                }
                if next_e.is_array() && !entry.is_array() {
                    *entry = next_e.clone();
                }
                o = entry;
                e = next_e;
            }
            Step::Index(n) => {
                if last {
                    o[*n] = value;
                    return;
                }
                e = &e[*n];
                o = &mut o[*n];
            }
        }
    }
}

/// The value at `key` in `after`; for an object renamed or moved by the
/// change, its value under the one new name in the file.
fn value_after<'a>(
    after: &'a BTreeMap<(String, Option<String>, String), String>,
    before: &BTreeMap<(String, Option<String>, String), String>,
    key: &(String, Option<String>, String),
) -> Option<&'a String> {
    after.get(key).or_else(|| {
        let renamed: Vec<&String> = after
            .iter()
            .filter(|(k, _)| k.0 == key.0 && k.2 == key.2 && !before.contains_key(*k))
            .map(|(_, v)| v)
            .collect();
        (renamed.len() == 1).then(|| renamed[0])
    })
}

/// A config value as explanations show it: a string without quotes.
fn flow(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value as shown (JSON text) as plain text: a string without quotes.
fn plain(shown: &str) -> String {
    match serde_json::from_str::<Value>(shown) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => shown.to_string(),
    }
}

/// Every value of the env's render: (file, object, path) → shown value.
fn values(tree: &platgen::RenderedTree) -> BTreeMap<(String, Option<String>, String), String> {
    let mut out = BTreeMap::new();
    for (file, text) in &tree.files {
        for (object, path, shown) in platgen::diff::values_of(file, text) {
            out.insert((file.clone(), object, path), shown);
        }
    }
    out
}

#[test]
fn every_value_of_prod_is_explained_and_each_explanation_holds() {
    let platform = platgen::Platform::builtin().unwrap();
    let all = platform.explain_all("prod").unwrap();
    let before = values(&platform.render("prod").unwrap());
    assert_eq!(
        all.len(),
        before.len(),
        "one explanation per rendered value"
    );
    let fed = all.iter().filter(|e| !e.fed_by.is_empty()).count();
    // Most of what gen writes follows from the config.
    assert!(
        fed * 2 > all.len(),
        "{fed} of {} values fed by config",
        all.len()
    );

    // Group the values by the first config value named, and change each
    // of those once, in the files.
    let effective: Value =
        common::yaml_docs("effective", &platform.effective_config("prod").unwrap()).remove(0);
    let mut by_config: BTreeMap<&str, Vec<&platgen::explain::OutputExplanation>> = BTreeMap::new();
    for e in &all {
        if let Some(first) = e.fed_by.first() {
            by_config.entry(first.config.as_str()).or_default().push(e);
        }
    }
    assert!(
        by_config.len() > 50,
        "{} config values feed output",
        by_config.len()
    );
    let files: Vec<(String, String)> = platgen::Platform::example_files()
        .into_iter()
        .filter(|(p, _)| p == "platform.yaml" || p.starts_with("envs/"))
        .collect();
    let prod_overlay: Value = common::yaml_docs(
        "prod",
        &files.iter().find(|(p, _)| p == "envs/prod.yaml").unwrap().1,
    )
    .remove(0);
    let mut unmoved = Vec::new();
    let (mut rules, mut wrong_rules) = ([0usize; 3], Vec::new());
    for (config, explained) in &by_config {
        let path = steps(config);
        // Each value gen says it tried, set in the prod overlay.
        let tried = &explained[0].fed_by[0].tried;
        let mut afters = Vec::new();
        for candidate in tried {
            let mut overlay = prod_overlay.clone();
            set(&mut overlay, &effective, &path, candidate.clone());
            let mut changed = files.clone();
            for (p, t) in changed.iter_mut() {
                if p == "envs/prod.yaml" {
                    *t = serde_norway::to_string(&overlay).unwrap();
                }
            }
            let tree = platgen::Platform::from_files(&changed)
                .and_then(|p| p.render("prod"))
                .unwrap_or_else(|e| panic!("`{config}` = {candidate} does not render: {e}"));
            afters.push((candidate.clone(), values(&tree)));
        }
        assert!(!afters.is_empty(), "no value of `{config}` said tried");
        for e in explained {
            let key = (e.file.clone(), e.object.clone(), e.path.clone());
            if afters
                .iter()
                .all(|(_, after)| after.get(&key) == before.get(&key))
            {
                unmoved.push(format!("{config} → {} {:?} {}", e.file, e.object, e.path));
            }
            // The rule said holds for each value tried, rendered here.
            let feed = &e.fed_by[0];
            for (candidate, after) in &afters {
                let tried = flow(candidate);
                let out = value_after(after, &before, &key).map(|v| plain(v));
                let holds = match &feed.rule {
                    Some(Rule::Same) => {
                        rules[0] += 1;
                        out.as_deref() == Some(tried.as_str())
                    }
                    Some(Rule::Holds) => {
                        rules[1] += 1;
                        out.as_ref().is_some_and(|o| o.contains(&tried))
                    }
                    Some(Rule::Measured(samples)) => {
                        rules[2] += 1;
                        let (_, said) = samples
                            .iter()
                            .skip(1)
                            .find(|(c, _)| *c == tried)
                            .expect("a sample per value tried");
                        // A marker, a value cut or a text's changed lines
                        // is not the value whole.
                        match &out {
                            _ if said.starts_with('(') || said.ends_with('…') => true,
                            Some(o) if o.contains('\n') => true,
                            Some(o) => *o == plain(said),
                            None => false,
                        }
                    }
                    None => true,
                };
                if !holds {
                    wrong_rules.push(format!(
                        "{config} = {tried} → {} {:?} {}: said {:?}, rendered {out:?}",
                        e.file, e.object, e.path, feed.rule
                    ));
                }
            }
        }
    }
    assert!(
        unmoved.is_empty(),
        "explanations that do not hold:\n{}",
        unmoved.join("\n")
    );
    assert!(
        wrong_rules.is_empty(),
        "rules that do not hold:\n{}",
        wrong_rules.join("\n")
    );
    // Each kind of rule is met in prod.
    assert!(rules.iter().all(|n| *n > 10), "rules checked: {rules:?}");

    // A value no config value moves follows from the env's name exactly
    // when it is said to: the same config rendered as env `prodx`.
    let mut renamed = files.clone();
    renamed.push((
        "envs/prodx.yaml".into(),
        files
            .iter()
            .find(|(p, _)| p == "envs/prod.yaml")
            .unwrap()
            .1
            .clone(),
    ));
    let other = values(
        &platgen::Platform::from_files(&renamed)
            .and_then(|p| p.render("prodx"))
            .unwrap(),
    );
    let (mut named, mut wrong) = (0, Vec::new());
    for e in all.iter().filter(|e| e.fed_by.is_empty()) {
        let key = (e.file.clone(), e.object.clone(), e.path.clone());
        let moved = value_after(&other, &before, &key) != before.get(&key);
        named += usize::from(e.follows_env_name);
        if moved != e.follows_env_name {
            wrong.push(format!("{key:?}: said {}", e.follows_env_name));
        }
    }
    assert!(
        wrong.is_empty(),
        "env-name claims that do not hold:\n{}",
        wrong.join("\n")
    );
    assert!(named >= 5, "{named} values follow from the env's name");
}

#[test]
fn the_cli_explains_an_output_value_and_a_config_value() {
    let w = tempfile::tempdir().unwrap();
    common::write_builtin_config(&w.path().join("cfg"));
    common::edit(
        &w.path().join("cfg"),
        "envs/prod.yaml",
        "components:\n",
        "components:\n  kafka:\n    controller:\n      replicas: 5\n",
    );
    let explain = |args: &[&str]| {
        common::gen()
            .current_dir(w.path())
            .args(["explain", "--config", "cfg", "--env", "prod"])
            .args(args)
            .output()
            .unwrap()
    };
    let o = explain(&["values/kafka.yaml", "controller.replicaCount"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("values/kafka.yaml controller.replicaCount = 5\n"),
        "{text}"
    );
    // Set in both files: the base first, the overlay wins.
    assert!(
        text.contains("components.kafka.controller.replicas = 5  (set at cfg/platform.yaml:"),
        "{text}"
    );
    let overlay_at = text
        .split(", then ")
        .nth(1)
        .and_then(|t| t.split(';').next())
        .unwrap();
    assert!(overlay_at.starts_with("cfg/envs/prod.yaml:"), "{text}");
    assert!(text.contains(&format!("; {overlay_at} wins)")), "{text}");
    assert!(
        text.contains("\n    the output is this value as it is\n"),
        "{text}"
    );
    // For tools: the rule, measured.
    let o = explain(&[
        "values/kafka.yaml",
        "controller.replicaCount",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v[0]["fed_by"][0]["rule"],
        serde_json::json!({"kind": "same"})
    );
    let o = explain(&[
        "values/datahub.yaml",
        "global.kafka.bootstrap.server",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let fed = v[0]["fed_by"].as_array().unwrap();
    let release = fed
        .iter()
        .find(|f| f["config"] == "components.kafka.release")
        .unwrap();
    assert_eq!(release["rule"], serde_json::json!({"kind": "holds"}), "{v}");
    let enabled = fed
        .iter()
        .find(|f| f["config"] == "components.datahub.enabled")
        .unwrap();
    assert_eq!(
        enabled["rule"]["samples"][1],
        serde_json::json!({"config": "false", "output": "(not written)"}),
        "{v}"
    );
    let o = explain(&["components.kafka.controller.replicas", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let feeds = v[0]["feeds"].as_array().unwrap();
    assert!(
        feeds
            .iter()
            .any(|f| f["file"] == "values/kafka.yaml" && f["path"] == "controller.replicaCount"),
        "{v}"
    );
    // A typo gets the nearest path.
    let o = explain(&["values/kafka.yaml", "controller.replicaCont"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `controller.replicaCount`?"));
}

/// README's example is what gen prints, in a directory `gen init` wrote.
#[test]
fn the_readme_example_is_what_gen_prints() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```\n")
        .filter(|b| b.starts_with("$ gen explain "))
        // A chart's default needs the charts vendored (tests/it/vendor.rs).
        .filter(|b| !b.contains("the default of chart"))
        .collect();
    assert!(blocks.len() >= 2, "README's gen explain examples");
    let w = tempfile::tempdir().unwrap();
    let run = |line: &str| {
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        let o = common::gen()
            .current_dir(w.path())
            .args(&args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    run("gen init platform");
    for block in blocks {
        let mut printed = String::new();
        for line in block.lines().filter(|l| l.starts_with("$ ")) {
            printed.push_str(line);
            printed.push('\n');
            printed.push_str(&run(&line[2..]));
        }
        assert_eq!(
            printed, block,
            "README's gen explain example is not what gen prints"
        );
    }
}

#[test]
fn a_value_that_saturates_one_way_is_explained_by_what_moves_it_the_other() {
    // Kafka's replication factor is min(3, brokers): more than 3 brokers
    // leave it at 3, fewer lower it.
    let platform = platgen::Platform::builtin().unwrap();
    let found = platform
        .explain(
            "prod",
            "values/kafka.yaml",
            "overrideConfiguration[\"default.replication.factor\"]",
        )
        .unwrap();
    let text = platgen::explain::outputs_report(&found, false);
    assert!(
        text.contains("components.kafka.controller.replicas"),
        "{text}"
    );
}
