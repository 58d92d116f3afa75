//! `releases:`: any chart as a few lines of config, rendered like a
//! built-in Helm component: its values file, a multi-source Application
//! that validates against Argo CD's CRD, a sync wave after what it depends
//! on, in the graph, pruned when an env turns it off, and refused with a
//! clear error when wrong.

use crate::common;

const REDIS: &str = "releases:
  redis:
    namespace: data-platform
    dependsOn: [kafka]
    chart:
      repository: oci://registry-1.docker.io/bitnamicharts
      chart: redis
      version: 20.1.0
    syncOptions: [ServerSideApply=true]
    values:
      architecture: standalone
      auth:
        existingSecret: redis-auth
      \"on\": yes
";

fn config(releases: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    let path = dir.path().join("platform.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}{releases}")).unwrap();
    dir
}

use common::render_to as render;

use common::stderr;

#[test]
fn a_release_renders_like_a_helm_component() {
    let cfg = config(REDIS);
    let platform = platgen::Platform::load(cfg.path()).unwrap();
    let tree = platform.render("prod").unwrap();
    // The values as written, under the release's name.
    let values = common::doc(&tree, "values/redis.yaml");
    assert_eq!(
        values,
        serde_json::json!({"architecture": "standalone", "auth": {"existingSecret": "redis-auth"}, "on": "yes"})
    );
    let text = &tree.files["values/redis.yaml"];
    // Config is YAML 1.2: `yes` is text, and stays text for Helm's 1.1.
    assert!(text.contains("\"on\": \"yes\""), "{text}");
    assert!(
        text.contains("# Helm values for chart redis 20.1.0 (registry-1.docker.io/bitnamicharts),"),
        "{text}"
    );
    // The Application: the chart at its pin, the values file, the extra
    // sync option, a wave after Kafka's.
    let app = common::doc(&tree, "apps/redis.yaml");
    let kafka = common::doc(&tree, "apps/kafka.yaml");
    let wave = |a: &serde_json::Value| {
        a["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
            .as_str()
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    assert!(wave(&app) > wave(&kafka));
    assert_eq!(app["metadata"]["name"], "prod-redis");
    assert_eq!(app["spec"]["destination"]["namespace"], "data-platform");
    let chart = &app["spec"]["sources"][0];
    assert_eq!(chart["repoURL"], "registry-1.docker.io/bitnamicharts");
    assert_eq!(chart["chart"], "redis");
    assert_eq!(chart["targetRevision"], "20.1.0");
    assert_eq!(chart["helm"]["releaseName"], "redis");
    assert_eq!(
        chart["helm"]["valueFiles"],
        serde_json::json!(["$values/gitops/prod/values/redis.yaml"])
    );
    assert_eq!(app["spec"]["sources"][1]["ref"], "values");
    assert_eq!(
        app["spec"]["syncPolicy"]["syncOptions"],
        serde_json::json!(["ServerSideApply=true"])
    );
    // The root app-of-apps picks it up like any Application file, and it
    // validates against the pinned Argo CD CRD.
    if let Some(up) = common::upstream() {
        let schema = crate::upstream::crd_schema(
            &up.join("crds/argoproj.io_applications.yaml"),
            "argoproj.io/v1alpha1",
        );
        let errors = crate::upstream::validation_errors(&schema, &app);
        assert!(errors.is_empty(), "{errors:?}");
    }
    // In the graph and the plan (not counted), and in the effective config,
    // which renders the same files again.
    let graph = platform.graph("prod").unwrap();
    assert_eq!(graph.needs["redis"], ["kafka", "namespaces"]);
    assert_eq!(graph.waves["redis"], wave(&app));
    let plan = platform.plan("prod").unwrap();
    assert_eq!(plan.not_counted, ["redis (redis 20.1.0)"]);
    assert!(!plan.workloads.iter().any(|w| w.component == "redis"));
    let effective = platform.effective_config("prod").unwrap();
    let again = platgen::Platform::from_files(&[
        ("platform.yaml".into(), effective),
        ("envs/prod.yaml".into(), String::new()),
    ])
    .unwrap()
    .render("prod")
    .unwrap();
    for file in ["values/redis.yaml", "apps/redis.yaml"] {
        assert_eq!(
            common::doc(&again, file),
            common::doc(&tree, file),
            "{file}"
        );
    }
    // And `gen explain` follows a value to its config line.
    let found = platform
        .explain("prod", "values/redis.yaml", "architecture")
        .unwrap();
    let fed: Vec<&str> = found[0].fed_by.iter().map(|o| o.config.as_str()).collect();
    assert!(
        fed.contains(&"releases.redis.values.architecture"),
        "{fed:?}"
    );
}

#[test]
fn an_env_moves_switches_and_prunes_a_release() {
    let cfg = config(REDIS);
    let out = tempfile::tempdir().unwrap();
    let o = render(cfg.path(), out.path(), "prod");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.path().join("prod/apps/redis.yaml").is_file());
    // One env bumps the chart and adds a value; maps merge.
    common::edit(
        cfg.path(),
        "envs/prod.yaml",
        "components:\n",
        "releases:\n  redis:\n    chart:\n      version: 20.2.0\n    values:\n      auth:\n        enabled: true\ncomponents:\n",
    );
    let tree = platgen::Platform::load(cfg.path())
        .unwrap()
        .render("prod")
        .unwrap();
    let app = common::doc(&tree, "apps/redis.yaml");
    assert_eq!(app["spec"]["sources"][0]["targetRevision"], "20.2.0");
    assert_eq!(
        common::doc(&tree, "values/redis.yaml")["auth"],
        serde_json::json!({"existingSecret": "redis-auth", "enabled": true})
    );
    // Another turns it off: its files go, and Argo CD prunes the app.
    common::edit(
        cfg.path(),
        "envs/prod.yaml",
        "releases:\n  redis:\n",
        "releases:\n  redis:\n    enabled: false\n",
    );
    let o = render(cfg.path(), out.path(), "prod");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.path().join("prod/apps/redis.yaml").exists());
    assert!(!out.path().join("prod/values/redis.yaml").exists());
    assert!(platgen::Platform::load(cfg.path())
        .unwrap()
        .plan("prod")
        .unwrap()
        .not_counted
        .is_empty());
}

#[test]
fn a_wrong_release_is_a_clear_error_and_writes_nothing() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "the name of a component",
            "releases:\n  kafka:\n    namespace: data-platform\n    chart: {repository: https://charts.example.com, chart: kafka, version: 1.0.0}\n",
            &["releases.kafka", "has the name of the component `kafka`"],
        ),
        (
            "not a DNS label",
            "releases:\n  My_Redis:\n    namespace: data-platform\n    chart: {repository: https://charts.example.com, chart: redis, version: 1.0.0}\n",
            &["releases.My_Redis", "`My_Redis` is not a valid name"],
        ),
        (
            "a part of the pin missing",
            "releases:\n  redis:\n    namespace: data-platform\n    chart: {repository: https://charts.example.com, chart: redis}\n",
            &["releases.redis.chart", "missing key `version`"],
        ),
        (
            "a repository Helm cannot pull from",
            "releases:\n  redis:\n    namespace: data-platform\n    chart: {repository: charts.example.com, chart: redis, version: 1.0.0}\n",
            &["releases.redis.chart.repository", "is not a chart repository Helm can pull from"],
        ),
        (
            "a dependency nobody has",
            "releases:\n  redis:\n    namespace: data-platform\n    dependsOn: [kafak]\n    chart: {repository: https://charts.example.com, chart: redis, version: 1.0.0}\n",
            &["releases.redis.dependsOn.0", "did you mean `kafka`?"],
        ),
        (
            "a malformed sync option",
            "releases:\n  redis:\n    namespace: data-platform\n    syncOptions: [ServerSideApply]\n    chart: {repository: https://charts.example.com, chart: redis, version: 1.0.0}\n",
            &["releases.redis.syncOptions.0", "is not an Argo CD sync option"],
        ),
        (
            "a namespace nobody declares",
            "releases:\n  redis:\n    namespace: cache\n    chart: {repository: https://charts.example.com, chart: redis, version: 1.0.0}\n",
            &["releases.redis.namespace", "namespace `cache` is not declared"],
        ),
        (
            "an unknown key",
            "releases:\n  redis:\n    namespace: data-platform\n    value: {a: 1}\n    chart: {repository: https://charts.example.com, chart: redis, version: 1.0.0}\n",
            &["releases.redis.value", "did you mean `values`?"],
        ),
        (
            "a credential in its values",
            "releases:\n  redis:\n    namespace: data-platform\n    chart: {repository: https://charts.example.com, chart: redis, version: 1.0.0}\n    values:\n      auth:\n        password: hunter2\n",
            &["releases.redis.values.auth.password", "a literal secret value is not allowed here"],
        ),
    ];
    for (what, releases, want) in cases {
        let cfg = config(releases);
        let out = tempfile::tempdir().unwrap();
        let o = render(cfg.path(), out.path(), "prod");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        for w in *want {
            assert!(err.contains(w), "{what}: no {w:?} in:\n{err}");
        }
        assert!(
            err.contains("platform.yaml:"),
            "{what}: not located:\n{err}"
        );
        assert!(!err.contains("hunter2"), "{what}: {err}");
        assert!(common::snapshot_dir(out.path()).is_empty(), "{what}: wrote");
    }
}

#[test]
fn a_git_directory_at_a_pinned_revision_is_a_release_too() {
    let cfg = config(
        "releases:\n  spark-operator:\n    namespace: data-platform\n    git:\n      repoUrl: https://github.com/kubeflow/spark-operator.git\n      revision: v2.1.0\n      path: config/default\n    syncOptions: [ServerSideApply=true]\n",
    );
    let platform = platgen::Platform::load(cfg.path()).unwrap();
    let tree = platform.render("prod").unwrap();
    assert!(!tree.files.contains_key("values/spark-operator.yaml"));
    let app = common::doc(&tree, "apps/spark-operator.yaml");
    assert_eq!(
        app["spec"]["source"],
        serde_json::json!({
            "repoURL": "https://github.com/kubeflow/spark-operator.git",
            "targetRevision": "v2.1.0",
            "path": "config/default",
        })
    );
    assert!(app["spec"].get("sources").is_none());
    assert_eq!(app["spec"]["destination"]["namespace"], "data-platform");
    if let Some(up) = common::upstream() {
        let schema = crate::upstream::crd_schema(
            &up.join("crds/argoproj.io_applications.yaml"),
            "argoproj.io/v1alpha1",
        );
        let errors = crate::upstream::validation_errors(&schema, &app);
        assert!(errors.is_empty(), "{errors:?}");
    }
    // Nothing to vendor: no chart.
    assert!(platform
        .chart_uses()
        .unwrap()
        .iter()
        .all(|u| !u.used_by.iter().any(|w| w.ends_with("/spark-operator"))));

    for (what, release, want) in [
        ("neither", "    namespace: data-platform\n", "a release needs `chart` or `git`"),
        (
            "both",
            "    namespace: data-platform\n    chart: {repository: https://charts.example.com, chart: x, version: 1.0.0}\n    git: {repoUrl: https://git.example.com/x.git, revision: v1, path: x}\n",
            "`chart` or `git`, not both",
        ),
        (
            "a moving revision",
            "    namespace: data-platform\n    git: {repoUrl: https://git.example.com/x.git, revision: HEAD, path: x}\n",
            "releases.x.git.revision: `HEAD` does not pin a revision",
        ),
        (
            "values for a directory",
            "    namespace: data-platform\n    git: {repoUrl: https://git.example.com/x.git, revision: v1, path: x}\n    values: {a: 1}\n",
            "releases.x.values: a Git directory takes no values",
        ),
        (
            "a path out of the repository",
            "    namespace: data-platform\n    git: {repoUrl: https://git.example.com/x.git, revision: v1, path: ../x}\n",
            "releases.x.git.path: `../x` is not a directory inside the repository",
        ),
    ] {
        let cfg = config(&format!("releases:\n  x:\n{release}"));
        let o = render(cfg.path(), tempfile::tempdir().unwrap().path(), "prod");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(want), "{what}: no {want:?} in:\n{err}");
    }
}
