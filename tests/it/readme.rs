//! The README's figures are the program's: the prod plan's totals, the
//! table comparing it with the Phase 3 plan, and the prerequisites quoted
//! (the graph has its own test in `graph.rs`).

use platgen::{Plan, Platform};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// A storage figure as the plan prints it (`120Gi`).
fn gi(size: i128) -> String {
    platgen::model::bytes(size)
}

/// The number just before `word` in `text` (`43 long-running` → 43).
fn number_before(text: &str, word: &str) -> u32 {
    let at = text
        .find(word)
        .unwrap_or_else(|| panic!("no `{word}` in {text:?}"));
    let digits: String = text[..at]
        .trim_end()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.chars().rev().collect::<String>().parse().unwrap()
}

fn prod() -> Plan {
    Platform::builtin().unwrap().plan("prod").unwrap()
}

#[test]
fn the_prod_totals_in_the_readme_are_gen_plans() {
    let text = readme();
    let start = text.find("`gen plan --env prod` counts").unwrap();
    let para: String = text[start..text[start..].find("\n\n").unwrap() + start].replace('\n', " ");
    let t = prod().total;
    let help = "README's prod plan figures are stale; see `gen plan --env prod`";
    assert_eq!(number_before(&para, " long-running pods"), t.pods, "{help}");
    assert_eq!(
        number_before(&para, " with Ray at `maxReplicas`"),
        t.pods_max,
        "{help}"
    );
    assert_eq!(number_before(&para, " Job pods"), t.jobs, "{help}");
    assert!(
        para.contains(&format!("and {} (", gi(t.storage_total()))),
        "{help}: {para}"
    );
    for (class, size) in &t.storage {
        let class = if class.starts_with('(') {
            "the cluster's default class"
        } else {
            class
        };
        assert!(
            para.contains(&format!("{} in ", gi(*size))) && para.contains(class),
            "{help}: {class} {}",
            gi(*size)
        );
    }
}

/// The table's `gen` column, per row: the components it sums.
const ROWS: &[(&str, &[&str])] = &[
    ("| Elasticsearch |", &["elasticsearch"]),
    ("| Kafka |", &["kafka"]),
    ("| Neo4j |", &["neo4j"]),
    ("| DataHub |", &["datahub"]),
    (
        "| Doris (operator, FE, 2 BE) |",
        &["doris-operator", "doris"],
    ),
    (
        "| Ray (operator, head, 2 workers) |",
        &["kuberay-operator", "ray-cluster"],
    ),
    ("| Ray Serve (`ray-serve`) |", &["ray-serve"]),
    ("| MLflow |", &["mlflow"]),
    (
        "| Kubeflow Pipelines + Katib |",
        &["kubeflow-pipelines", "katib"],
    ),
];

#[test]
fn the_table_against_the_phase3_plan_has_gen_plans_figures() {
    let text = readme();
    let plan = prod();
    for (row, components) in ROWS {
        let line = text
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no README row {row}"));
        let gen = line.split('|').nth(3).unwrap().trim();
        let mut pods = 0;
        let mut max = 0;
        let mut storage = 0;
        let mut jobs = 0;
        for c in *components {
            let t = &plan.components[c];
            pods += t.pods;
            max += t.pods_max;
            storage += t.storage_total();
            // Smoke checks are counted in the totals, not in this table.
            jobs += plan
                .workloads
                .iter()
                .filter(|w| w.component == *c && w.kind == platgen::model::Kind::Job)
                .filter(|w| !w.name.contains("smoke"))
                .map(|w| w.replicas)
                .sum::<u32>();
        }
        let stale = format!("README row {row} is stale: gen plan says {pods} pods ({max} at max), {} storage, {jobs} Jobs; the row says {gen:?}", gi(storage));
        assert!(gen.starts_with(&format!("{pods} pod")), "{stale}");
        if max != pods {
            assert!(
                gen.contains(&format!("({max} at `maxReplicas`)")),
                "{stale}"
            );
        }
        if storage > 0 {
            assert!(gen.contains(&gi(storage)), "{stale}");
        } else {
            assert!(!gen.contains("Gi"), "{stale}");
        }
        if jobs > 0 {
            assert!(gen.contains(&format!("+ {jobs} Jobs")), "{stale}");
        }
    }
}

#[test]
fn the_prerequisites_quoted_are_gen_plans_lines() {
    let text = readme();
    let report = prod().report(platgen::PlanFormat::Table);
    let start = text
        .find("Prerequisites: what the cluster must have")
        .unwrap();
    let block = &text[start..start + text[start..].find("```").unwrap()];
    for line in block.lines().filter(|l| l.starts_with("- ")) {
        assert!(
            report.lines().any(|r| r == line),
            "README quotes a prerequisite gen plan does not print: {line}"
        );
    }
}

/// The output of `gen ARGS`.
fn gen_help(args: &[&str]) -> String {
    let o = crate::common::gen().args(args).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The README's CLI table lists every command `gen --help` lists (and no
/// other), and the shells `gen completions` takes.
#[test]
fn the_cli_table_is_the_cli() {
    let text = readme();
    let table = &text[text.find("## CLI").unwrap()..text.find("## Errors and exit codes").unwrap()];
    let mut in_readme: Vec<&str> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `gen "))
        .filter_map(|l| l.split([' ', '`']).next())
        .collect();
    in_readme.sort();
    in_readme.dedup();
    let help = gen_help(&["--help"]);
    let commands = &help[help.find("Commands:").unwrap()..help.find("Options:").unwrap()];
    let mut listed: Vec<&str> = commands
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    listed.sort();
    assert_eq!(
        in_readme, listed,
        "README's CLI table and `gen --help` differ"
    );

    let row = table
        .lines()
        .find(|l| l.starts_with("| `gen completions "))
        .unwrap();
    let shells = row["| `gen completions ".len()..]
        .split('`')
        .next()
        .unwrap();
    let mut shells: Vec<&str> = shells.split("\\|").collect();
    shells.sort();
    let help = gen_help(&["completions", "--help"]);
    let values = help
        .split("[possible values: ")
        .nth(1)
        .and_then(|v| v.split(']').next())
        .unwrap();
    let mut takes: Vec<&str> = values.split(", ").collect();
    takes.sort();
    assert_eq!(
        shells, takes,
        "README's shells and `gen completions`'s differ"
    );
}

/// The Renovate managers the README gives find every chart pin of the
/// built-in config, with its repository, chart and version, and each pin
/// once.
#[test]
fn the_renovate_patterns_in_the_readme_find_every_chart_pin() {
    let text = readme();
    let start = text.find("Renovate's regex").unwrap();
    let block = &text[start..];
    let json = &block[block.find("```json\n").unwrap() + 8..];
    let config: serde_json::Value =
        serde_json::from_str(&json[..json.find("```").unwrap()]).unwrap();
    let base = Platform::example_files()
        .into_iter()
        .find(|(path, _)| path == "platform.yaml")
        .unwrap()
        .1;
    let mut found = Vec::new();
    for m in config["customManagers"].as_array().unwrap() {
        for pattern in m["managerFilePatterns"].as_array().unwrap() {
            let p = pattern.as_str().unwrap();
            let files = regex::Regex::new(&p[1..p.len() - 1]).unwrap();
            for path in ["platform/platform.yaml", "platform/envs/prod.yaml"] {
                assert!(files.is_match(path), "{p} misses {path}");
            }
        }
        let template = m["registryUrlTemplate"].as_str();
        for pattern in m["matchStrings"].as_array().unwrap() {
            let re = regex::Regex::new(pattern.as_str().unwrap()).unwrap();
            for c in re.captures_iter(&base) {
                let url = &c["registryUrl"];
                let repository = match template {
                    // The docker datasource is given the registry over HTTPS.
                    Some(t) => {
                        assert_eq!(t, "https://{{{registryUrl}}}");
                        format!("oci://{url}")
                    }
                    None => url.to_string(),
                };
                found.push((
                    repository,
                    c["depName"].to_string(),
                    c["currentValue"].to_string(),
                ));
            }
        }
    }
    found.sort();
    let effective = Platform::builtin()
        .unwrap()
        .effective_config("prod")
        .unwrap();
    let config: serde_json::Value = serde_norway::from_str(&effective).unwrap();
    let mut pins: Vec<(String, String, String)> = config["charts"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| {
            let part = |k: &str| p[k].as_str().unwrap().to_string();
            (part("repository"), part("chart"), part("version"))
        })
        .collect();
    pins.sort();
    assert_eq!(pins.len(), 8, "one pin per Helm component");
    assert_eq!(found, pins);
}

/// The fenced block of `lang` after `heading`.
fn block_after(text: &str, heading: &str, lang: &str) -> String {
    let at = text
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?}"));
    let fence = format!("```{lang}\n");
    let rest = &text[at..];
    let body = &rest[rest.find(&fence).unwrap() + fence.len()..];
    body[..body.find("```").unwrap()].to_string()
}

#[test]
fn the_values_example_renders_and_its_error_is_what_gen_prints() {
    let text = readme();
    let heading = "### Values the typed settings do not cover";
    let example = block_after(&text, heading, "yaml");
    let shown = block_after(&text, heading, "text");
    let section = example.strip_prefix("components:\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("platform");
    crate::common::write_builtin_config(&cfg);
    crate::common::edit(
        &cfg,
        "platform.yaml",
        "  kafka:\n    release: kafka\n    namespace: data-platform\n    controller:\n      replicas: 3\n      storage: 20Gi\n",
        section,
    );
    let tree = Platform::load(&cfg).unwrap().render("prod").unwrap();
    let kafka = crate::common::doc(&tree, "values/kafka.yaml");
    assert_eq!(kafka["controller"]["nodeSelector"]["disktype"], "ssd");
    assert_eq!(kafka["controller"]["tolerations"][0]["value"], "kafka");

    crate::common::edit(
        &cfg,
        "platform.yaml",
        "    values:\n      controller:\n",
        "    values:\n      controller:\n        replicaCount: 5\n",
    );
    let o = crate::common::gen()
        .current_dir(dir.path())
        .args([
            "render", "--env", "prod", "--config", "platform", "--out", "out",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let want: Vec<&str> = shown.lines().collect();
    assert_eq!(lines[0], want[0], "{err}");
    assert_eq!(lines.last().unwrap(), want.last().unwrap(), "{err}");
}

#[test]
fn the_release_examples_render_and_renovate_finds_their_pins() {
    let text = readme();
    let heading = "### Any chart as a release";
    let redis = block_after(&text, heading, "yaml");
    let rest = &text[text.find(heading).unwrap()..];
    let git = block_after(
        &rest[rest.find("A directory of a Git").unwrap()..],
        "",
        "yaml",
    );
    let dir = tempfile::tempdir().unwrap();
    crate::common::write_builtin_config(dir.path());
    let path = dir.path().join("platform.yaml");
    let base = std::fs::read_to_string(&path).unwrap();
    let git_entry = git.strip_prefix("releases:\n").unwrap();
    std::fs::write(&path, format!("{base}{redis}{git_entry}")).unwrap();
    let tree = Platform::load(dir.path()).unwrap().render("prod").unwrap();
    assert!(tree.files.contains_key("values/redis.yaml"));
    assert!(tree.files.contains_key("apps/spark-operator.yaml"));
    // The HTTP/OCI pattern of the README's Renovate config finds the pin.
    let json = block_after(&text, "Renovate's regex", "json");
    let config: serde_json::Value = serde_json::from_str(&json).unwrap();
    let found: Vec<String> = config["customManagers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["matchStrings"].as_array().unwrap().clone())
        .flat_map(|p| {
            let re = regex::Regex::new(p.as_str().unwrap()).unwrap();
            re.captures_iter(&redis)
                .map(|c| {
                    format!(
                        "{} {} {}",
                        &c["registryUrl"], &c["depName"], &c["currentValue"]
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(found, ["registry-1.docker.io/bitnamicharts redis 20.1.0"]);
}
