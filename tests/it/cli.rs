//! The real binary in a temp directory: bad input exits 2 with
//! file:line:column and writes nothing; check exits 1 with a diff and a hint.

use crate::common;

use std::path::Path;
use std::process::Output;

fn run(dir: &Path, args: &[&str]) -> Output {
    common::gen().current_dir(dir).args(args).output().unwrap()
}

/// Runs `gen` with a whitespace-separated argument line.
fn cmd(dir: &Path, line: &str) -> Output {
    run(dir, &line.split_whitespace().collect::<Vec<_>>())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A config dir `cfg` (the built-in example) inside a temp dir.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(&dir.path().join("cfg"));
    dir
}

fn render_fails(dir: &Path, expect_in_stderr: &[&str]) -> String {
    let o = cmd(dir, "render --env prod --config cfg --out out");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "stderr:\n{err}");
    for want in expect_in_stderr {
        assert!(err.contains(want), "expected {want:?} in:\n{err}");
    }
    assert!(!dir.join("out").exists(), "nothing is written on error");
    err
}

#[test]
fn unknown_key_names_file_line_column_and_suggests() {
    let w = workspace();
    common::edit(
        &w.path().join("cfg"),
        "envs/prod.yaml",
        "    gms:\n",
        "    gms:\n      replicass: 2\n",
    );
    let err = render_fails(
        w.path(),
        &[
            "cfg/envs/prod.yaml:5:7",
            "unknown key `replicass`",
            "did you mean `replicas`?",
        ],
    );
    insta::assert_snapshot!(err);
}

#[test]
fn wrong_type_is_located() {
    let w = workspace();
    common::edit(
        &w.path().join("cfg"),
        "platform.yaml",
        "    controller:\n      replicas: 3",
        "    controller:\n      replicas: three",
    );
    render_fails(
        w.path(),
        &[
            "cfg/platform.yaml:",
            "components.kafka.controller.replicas",
            "expected a whole number, found text \"three\"",
        ],
    );
}

#[test]
fn bad_quantity_suggests_the_binary_suffix() {
    let w = workspace();
    common::edit(
        &w.path().join("cfg"),
        "platform.yaml",
        "storage: 30Gi",
        "storage: 30Gb",
    );
    let err = render_fails(
        w.path(),
        &[
            "cfg/platform.yaml:",
            "components.neo4j.storage",
            "did you mean `30Gi`?",
        ],
    );
    let line = err.lines().next().unwrap();
    let loc: Vec<&str> = line.split(':').collect();
    let text = std::fs::read_to_string(w.path().join("cfg/platform.yaml")).unwrap();
    let line_no: usize = loc[2].parse().unwrap();
    assert!(
        text.lines().nth(line_no - 1).unwrap().contains("30Gb"),
        "line number points at the value"
    );
}

#[test]
fn env_that_does_not_exist() {
    let w = workspace();
    let o = cmd(w.path(), "render --env prdo --config cfg --out out");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("env `prdo` does not exist"));
    assert!(stderr(&o).contains("did you mean `prod`?"));
    assert!(!w.path().join("out").exists());
}

#[test]
fn yaml_syntax_error_is_located() {
    let w = workspace();
    common::edit(
        &w.path().join("cfg"),
        "envs/prod.yaml",
        "  datahub:\n",
        "  datahub: [\n",
    );
    render_fails(w.path(), &["cfg/envs/prod.yaml:", "YAML syntax error"]);
}

#[test]
fn literal_password_is_refused_without_echoing_it() {
    let w = workspace();
    common::edit(
        &w.path().join("cfg"),
        "platform.yaml",
        "    auth:\n      secret: neo4j-auth\n      key: NEO4J_AUTH",
        "    auth: datahub_neo4j_password",
    );
    let err = render_fails(
        w.path(),
        &["components.neo4j.auth", "literal secret", "secret:"],
    );
    assert!(
        !err.contains("datahub_neo4j_password"),
        "the secret leaked:\n{err}"
    );
}

#[test]
fn requests_above_limits_and_zero_replicas_are_rule_errors() {
    let w = workspace();
    std::fs::write(
        w.path().join("cfg/envs/prod.yaml"),
        "components:\n  datahub:\n    gms:\n      replicas: 0\n      resources:\n        requests:\n          memory: 4Gi\n        limits:\n          memory: 2Gi\n",
    )
    .unwrap();
    let err = render_fails(
        w.path(),
        &[
            "cfg/envs/prod.yaml:4:17: components.datahub.gms.replicas: replicas is 0",
            "cfg/envs/prod.yaml:7:19: components.datahub.gms.resources.requests.memory: memory request 4Gi exceeds its limit 2Gi",
        ],
    );
    insta::assert_snapshot!(err);
}

#[test]
fn dependency_cycle_is_named() {
    let w = workspace();
    std::fs::write(
        w.path().join("cfg/envs/prod.yaml"),
        "components:\n  kafka:\n    dependsOn: [datahub]\n",
    )
    .unwrap();
    render_fails(w.path(), &["dependency cycle:", "datahub", "kafka"]);
}

#[test]
fn stdout_stream_has_source_headers() {
    let w = workspace();
    let o = cmd(w.path(), "render --env prod");
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("---\n# Source: prod/apps/datahub.yaml\n"));
    assert!(out.contains("\n# Source: prod/values/kafka.yaml\n"));
    // The same bytes as the files the render writes.
    let tree = platgen::Platform::builtin()
        .unwrap()
        .render("prod")
        .unwrap();
    assert_eq!(out, tree.to_stream());
}

#[test]
fn check_reports_drift_with_diff_and_hint() {
    let w = workspace();
    let o = cmd(w.path(), "render --all --config cfg --out out -q");
    assert!(o.status.success(), "{}", stderr(&o));
    for env in ["dev", "staging", "prod"] {
        assert!(w
            .path()
            .join("out")
            .join(env)
            .join("values/kafka.yaml")
            .is_file());
    }
    let o = cmd(w.path(), "check --env prod --config cfg --out out");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    common::edit(
        &w.path().join("cfg"),
        "platform.yaml",
        "storage: 30Gi",
        "storage: 40Gi",
    );
    let o = cmd(w.path(), "check --env prod --config cfg --out out");
    assert_eq!(o.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&o.stdout);
    assert!(diff.contains("--- a/prod/values/neo4j.yaml"), "{diff}");
    assert!(
        diff.contains("-        storage: 30Gi\n+        storage: 40Gi"),
        "{diff}"
    );
    assert!(stderr(&o).contains("help: run `gen render --env prod --out out --config cfg`"));
}

#[test]
fn pruning_removes_only_generated_files() {
    let w = workspace();
    assert!(cmd(w.path(), "render --env prod --config cfg --out out")
        .status
        .success());
    std::fs::write(w.path().join("out/prod/values/README.md"), "mine").unwrap();
    std::fs::write(
        w.path().join("cfg/envs/prod.yaml"),
        "components:\n  datahub:\n    enabled: false\n",
    )
    .unwrap();
    let o = cmd(w.path(), "render --env prod --config cfg --out out");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!w.path().join("out/prod/values/datahub.yaml").exists());
    assert!(!w.path().join("out/prod/apps/datahub.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(w.path().join("out/prod/values/README.md")).unwrap(),
        "mine"
    );
    let o = cmd(w.path(), "check --env prod --config cfg --out out");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_failed_render_leaves_the_previous_tree_untouched() {
    let w = workspace();
    assert!(cmd(w.path(), "render --all --config cfg --out out")
        .status
        .success());
    let before = common::snapshot_dir(&w.path().join("out"));
    common::edit(
        &w.path().join("cfg"),
        "platform.yaml",
        "storage: 30Gi",
        "storage: 30Gb",
    );
    let o = cmd(w.path(), "render --all --config cfg --out out");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(before, common::snapshot_dir(&w.path().join("out")));
}

#[test]
fn one_env_failing_puts_no_env_in_place() {
    let w = workspace();
    let out = w.path().join("out");
    assert!(cmd(w.path(), "render --env prod --config cfg --out out -q")
        .status
        .success());
    let before = common::snapshot_dir(&out);
    // `a-new` renders (and is staged first); `zz-bad` does not.
    let envs = w.path().join("cfg/envs");
    std::fs::write(envs.join("a-new.yaml"), "domain: new.example.com\n").unwrap();
    std::fs::write(envs.join("zz-bad.yaml"), "nonsense: 1\n").unwrap();
    let o = cmd(w.path(), "render --all --config cfg --out out");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("zz-bad.yaml"), "{}", stderr(&o));
    assert_eq!(before, common::snapshot_dir(&out), "prod untouched");
    let entries: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, ["prod"], "no other env and no staging left behind");
}

#[test]
fn out_that_is_a_file_is_refused() {
    let w = workspace();
    std::fs::write(w.path().join("out"), "x").unwrap();
    let o = cmd(w.path(), "render --env prod --config cfg --out out");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a file"));
    assert_eq!(std::fs::read_to_string(w.path().join("out")).unwrap(), "x");
}

#[test]
fn foreign_file_at_a_generated_path_is_not_overwritten() {
    let w = workspace();
    std::fs::create_dir_all(w.path().join("out/prod/values")).unwrap();
    std::fs::write(w.path().join("out/prod/values/kafka.yaml"), "hand-written").unwrap();
    let o = cmd(w.path(), "render --env prod --config cfg --out out");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("gen did not write it"));
    assert_eq!(
        std::fs::read_to_string(w.path().join("out/prod/values/kafka.yaml")).unwrap(),
        "hand-written"
    );
}

#[test]
fn templates_dir_overrides_a_builtin_template() {
    let w = workspace();
    let tpl = w.path().join("tpl");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::write(
        tpl.join("kafka.yaml.tera"),
        "{{ header }}\n# our own layout\n{{ values | to_yaml }}\n",
    )
    .unwrap();
    let o = cmd(w.path(), "render --env prod --config cfg --templates tpl");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("# our own layout\n"));
    assert!(
        out.contains("# Source: prod/values/elasticsearch.yaml\n"),
        "others keep the built-in template"
    );

    // A template may look inside the values; the file is then read back in
    // full instead of compared as the emitted text.
    std::fs::write(
        tpl.join("kafka.yaml.tera"),
        "{{ header }}\n# {{ values.controller.replicaCount }} controllers\n{{ values | to_yaml }}\n",
    )
    .unwrap();
    let o = cmd(w.path(), "render --env prod --config cfg --templates tpl");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("\n# 3 controllers\n"));

    // A template that changes structured YAML fails the parse-back check (exit 1), writing nothing.
    std::fs::write(
        tpl.join("kafka.yaml.tera"),
        "{{ header }}\nbroker: {}\n{{ values | to_yaml }}\n",
    )
    .unwrap();
    let o = cmd(
        w.path(),
        "render --env prod --config cfg --templates tpl --out out",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!w.path().join("out").exists());

    // An undefined variable is an error, not an empty string.
    std::fs::write(tpl.join("kafka.yaml.tera"), "{{ header }}\n{{ nothing }}\n").unwrap();
    let o = cmd(w.path(), "render --env prod --config cfg --templates tpl");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("kafka.yaml.tera"), "{}", stderr(&o));
}

#[test]
fn doris_rule_violations_exit_2_with_location() {
    for (overlay, want) in [
        ("components:\n  doris:\n    be:\n      replicas: 0\n", "cfg/envs/prod.yaml:4:17: components.doris.be.replicas"),
        (
            "components:\n  doris:\n    fe:\n      resources:\n        requests:\n          memory: 8Gi\n",
            "cfg/envs/prod.yaml:6:19: components.doris.fe.resources.requests.memory: memory request 8Gi exceeds its limit 4Gi",
        ),
    ] {
        let w = workspace();
        std::fs::write(w.path().join("cfg/envs/prod.yaml"), overlay).unwrap();
        render_fails(w.path(), &[want]);
    }
}

#[test]
fn init_writes_an_editable_copy_that_renders_the_same() {
    let w = tempfile::tempdir().unwrap();
    let o = cmd(w.path(), "init platform");
    assert!(o.status.success(), "{}", stderr(&o));
    let first = std::fs::read_to_string(w.path().join("platform/platform.yaml")).unwrap();
    assert!(first.starts_with("# yaml-language-server: $schema=schemas/platform.schema.json\n"));
    assert!(w.path().join("platform/schemas/env.schema.json").is_file());
    // ./platform is the default config directory.
    let ours = cmd(w.path(), "render --env prod");
    let builtin = cmd(&w.path().join("platform/envs"), "render --env prod");
    assert!(ours.status.success() && builtin.status.success());
    // The same files; the header names the config directory.
    let ours = String::from_utf8(ours.stdout).unwrap();
    assert!(ours.contains("from platform/platform.yaml + platform/envs/prod.yaml."));
    assert_eq!(
        ours.replace(
            "from platform/platform.yaml + platform/envs/",
            "from platform.yaml + envs/"
        )
        .into_bytes(),
        builtin.stdout
    );
    // From another working directory, the header is the same.
    let elsewhere = cmd(
        &w.path().join("platform/envs"),
        "render --env prod --config ..",
    );
    assert_eq!(String::from_utf8(elsewhere.stdout).unwrap(), ours);
    // Never over an existing directory.
    let o = cmd(w.path(), "init platform");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not empty"));
}

#[test]
fn completions_for_each_shell() {
    let w = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef gen"),
        ("fish", "complete -c gen"),
        ("elvish", "edit:completion:arg-completer[gen]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = run(w.path(), &["completions", shell]);
        assert!(o.status.success());
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(text.contains(marker), "{shell}");
        assert!(
            text.contains("render") && text.contains("plan"),
            "{shell} completes the subcommands"
        );
    }
}

#[test]
fn check_json_for_machines() {
    let w = workspace();
    assert!(cmd(w.path(), "render --env prod --config cfg --out out -q")
        .status
        .success());
    let o = cmd(
        w.path(),
        "check --env prod --config cfg --out out --format json",
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["up_to_date"], true);
    assert_eq!(v["drift"], serde_json::json!([]));
    std::fs::remove_file(w.path().join("out/prod/values/kafka.yaml")).unwrap();
    common::edit(
        &w.path().join("cfg"),
        "platform.yaml",
        "storage: 30Gi",
        "storage: 40Gi",
    );
    let o = cmd(
        w.path(),
        "check --env prod --config cfg --out out --format json",
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<(&str, &str)> = v["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("prod/values/kafka.yaml", "missing"),
            ("prod/values/neo4j.yaml", "changed")
        ]
    );
}

#[test]
fn no_colour_escapes_in_any_output() {
    let w = workspace();
    common::edit(
        &w.path().join("cfg"),
        "platform.yaml",
        "storage: 30Gi",
        "storage: 30Gb",
    );
    for args in [
        &["render", "--env", "prod", "--config", "cfg"][..],
        &["plan", "--env", "prod"][..],
        &["--help"][..],
    ] {
        for no_color in [false, true] {
            let mut cmd = common::gen();
            cmd.current_dir(w.path()).args(args);
            if no_color {
                cmd.env("NO_COLOR", "1");
            }
            let o = cmd.output().unwrap();
            assert!(
                !o.stdout.contains(&0x1b) && !o.stderr.contains(&0x1b),
                "{args:?}"
            );
        }
    }
}

#[test]
fn a_section_for_a_component_the_platform_lacks_is_an_error() {
    let w = workspace();
    common::edit(
        &w.path().join("cfg"),
        "platform.yaml",
        "\ncomponents:\n",
        "\ncomponents:\n  rediss:\n    namespace: data-platform\n",
    );
    let err = render_fails(
        w.path(),
        &["components.rediss: no component named `rediss`"],
    );
    assert!(err.contains("cfg/platform.yaml:"), "{err}");
    // The ExternalSecrets have no section: a section for them says how they are switched.
    let w = workspace();
    common::edit(
        &w.path().join("cfg"),
        "platform.yaml",
        "\ncomponents:\n",
        "\ncomponents:\n  externalSecrets:\n    enabled: true\n",
    );
    render_fails(
        w.path(),
        &["component `externalSecrets` has no section", "secretStore"],
    );
}

#[test]
fn leftovers_of_an_interrupted_render_are_named() {
    let w = workspace();
    let o = cmd(w.path(), "render --env prod --config cfg --out out");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("interrupted"), "{}", stderr(&o));
    // What a render killed while staging leaves beside the envs: check
    // names it, the next render removes it and says so.
    std::fs::create_dir_all(w.path().join("out/.gen-stage-prod-k1ll3d/prod")).unwrap();
    std::fs::create_dir_all(w.path().join("out/.gen-txn/stage/prod")).unwrap();
    let o = cmd(w.path(), "check --env prod --config cfg --out out");
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    for left in ["out/.gen-stage-prod-k1ll3d", "out/.gen-txn"] {
        assert!(
            err.contains(&format!(
                "warning: {left} was left by an interrupted render"
            )),
            "{err}"
        );
    }
    assert!(
        err.contains("the next `gen render --out out` completes or removes it"),
        "{err}"
    );
    let o = cmd(w.path(), "render --env prod --config cfg --out out");
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "note: removed out/.gen-stage-prod-k1ll3d, left by a render that did not finish"
        ),
        "{err}"
    );
    assert!(!w.path().join("out/.gen-txn").exists());
    assert_eq!(
        std::fs::read_dir(w.path().join("out")).unwrap().count(),
        1,
        "only the env is left"
    );
    let o = cmd(w.path(), "--quiet check --env prod --config cfg --out out");
    assert!(o.status.success() && o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn plan_over_capacity_shows_the_table_and_exits_1() {
    let w = workspace();
    std::fs::write(
        w.path().join("cfg/envs/prod.yaml"),
        "capacity:\n  cpu: \"8\"\n",
    )
    .unwrap();
    let o = cmd(w.path(), "plan --env prod --config cfg");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("OVER"));
    assert!(stderr(&o).contains("error: env `prod` exceeds its declared capacity"));
    std::fs::write(
        w.path().join("cfg/envs/prod.yaml"),
        "capacity:\n  cpu: \"64\"\n",
    )
    .unwrap();
    let o = cmd(w.path(), "plan --env prod --config cfg");
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn the_benchmark_helper_is_out_of_the_main_help() {
    let w = tempfile::tempdir().unwrap();
    let help = String::from_utf8_lossy(&cmd(w.path(), "--help").stdout).into_owned();
    let listed = |name: &str| {
        help.lines()
            .any(|l| l.split_whitespace().next() == Some(name) && l.starts_with("  "))
    };
    assert!(
        listed("render") && listed("bootstrap") && !listed("fleet"),
        "{help}"
    );
    assert!(cmd(w.path(), "fleet --help").status.success());
}

#[test]
fn an_unknown_env_of_the_built_in_example_says_it_is_the_example() {
    let w = tempfile::tempdir().unwrap();
    let o = cmd(w.path(), "render --env qa");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("env `qa` does not exist in the built-in example platform (no --config was given and there is no ./platform/platform.yaml)"),
        "{err}"
    );
    assert!(err.contains("`gen init platform`"), "{err}");
}

/// One run reports the problems of every file and every env: the base
/// first, then each overlay, by line; a problem of the base that every env
/// meets is reported once; a long list is cut, saying how many are left.
#[test]
fn every_problem_of_every_file_is_reported_at_once_in_file_order() {
    let w = workspace();
    let cfg = w.path().join("cfg");
    common::edit(
        &cfg,
        "platform.yaml",
        "  refreshInterval: 1h\n",
        "  refreshInterval: 1h\n  bogus: 1\n",
    );
    std::fs::write(
        cfg.join("envs/staging.yaml"),
        "components:\n  datahub:\n    enabled: no\n",
    )
    .unwrap();
    std::fs::write(
        cfg.join("envs/prod.yaml"),
        "components:\n  kafka:\n    controler: {}\n  mlflow:\n    replicas: \"2\"\n",
    )
    .unwrap();
    let o = cmd(w.path(), "render --all --config cfg --out out");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let firsts: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(firsts.len(), 4, "{err}");
    assert!(firsts[0].starts_with("error: cfg/platform.yaml:"), "{err}");
    assert!(firsts[0].contains("secretStore.bogus"), "{err}");
    assert!(
        firsts[1].starts_with("error: cfg/envs/prod.yaml:3:5"),
        "{err}"
    );
    assert!(
        firsts[2].starts_with("error: cfg/envs/prod.yaml:5:15"),
        "{err}"
    );
    assert!(
        firsts[3].starts_with("error: cfg/envs/staging.yaml:3:14"),
        "{err}"
    );
    assert!(!w.path().join("out").exists());

    // Forty unknown keys (and the base's one): twenty are shown, the rest
    // counted.
    let keys: String = (0..40).map(|i| format!("  extra{i:02}: 1\n")).collect();
    std::fs::write(cfg.join("envs/prod.yaml"), format!("checks:\n{keys}")).unwrap();
    let o = cmd(w.path(), "render --env prod --config cfg --out out");
    let err = stderr(&o);
    let firsts: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(firsts.len(), 21, "{err}");
    assert!(firsts[0].contains("secretStore.bogus"), "{err}");
    assert!(
        firsts[1].contains("`extra00`") && firsts[19].contains("`extra18`"),
        "{err}"
    );
    assert_eq!(
        firsts[20],
        "error: 21 more problems not shown: fix these and run again"
    );
}

/// `--out` that is not where the Applications read, and a hand-made file in
/// `apps/` (which the root Application applies): warnings from render and
/// check, neither of which fails for them; `-q` silences them, and
/// `check --format json` lists them apart from drift.
#[test]
fn a_tree_its_applications_will_not_find_and_foreign_apps_are_warned_of() {
    let w = workspace();
    // argocd.path is `gitops`.
    let o = cmd(w.path(), "render --env prod --config cfg --out elsewhere");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: elsewhere/prod does not end in gitops/prod"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("help: render into the directory argocd.path names (--out gitops)"));
    let o = cmd(w.path(), "render --env prod --config cfg --out gitops");
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));

    std::fs::write(
        w.path().join("gitops/prod/apps/extra.yaml"),
        "kind: Application\n",
    )
    .unwrap();
    std::fs::write(w.path().join("gitops/prod/apps/README.md"), "notes\n").unwrap();
    let warned = "warning: gitops/prod/apps/extra.yaml is not gen's";
    let o = cmd(w.path(), "render --env prod --config cfg --out gitops");
    assert!(o.status.success());
    assert!(stderr(&o).contains(warned), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("README.md"),
        "Argo CD does not apply it"
    );
    let o = cmd(w.path(), "check --env prod --config cfg --out gitops");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains(warned), "{}", stderr(&o));
    let o = cmd(w.path(), "check --env prod --config cfg --out gitops -q");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let o = cmd(
        w.path(),
        "check --env prod --config cfg --out elsewhere --format json",
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["up_to_date"], true);
    assert_eq!(v["drift"], serde_json::json!([]));
    assert_eq!(
        v["warnings"],
        serde_json::json!([{"path": "prod", "kind": "misplaced", "expected": "gitops/prod"}])
    );
    // The file is kept: gen never touches what it did not write.
    assert!(w.path().join("gitops/prod/apps/extra.yaml").exists());
}
