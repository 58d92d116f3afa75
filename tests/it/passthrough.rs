//! `values:` on a Helm component: free-form values merged onto the typed
//! ones, never over them, and never holding a credential (checking them
//! against the vendored chart is in `vendor.rs`); and values the real
//! charts refuse or misread, refused before rendering (`values:` lifting
//! the refusal where the chart does).

use std::path::Path;
use std::process::Output;

use crate::common;

fn config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    dir
}

fn render(cfg: &Path, out: &Path) -> Output {
    common::render_to(cfg, out, "prod")
}

use common::stderr;

/// Adds `values` (YAML lines at the section's indent) to the Kafka
/// section of `platform.yaml`.
fn kafka_values(cfg: &Path, values: &str) {
    common::edit(
        cfg,
        "platform.yaml",
        "      replicas: 3\n      storage: 20Gi\n",
        &format!("      replicas: 3\n      storage: 20Gi\n    values:\n{values}"),
    );
}

#[test]
fn free_form_values_merge_after_the_typed_ones_and_follow_the_layers() {
    let cfg = config();
    let before = platgen::Platform::load(cfg.path())
        .unwrap()
        .render("prod")
        .unwrap();
    kafka_values(
        cfg.path(),
        "      controller:\n        nodeSelector:\n          disktype: ssd\n        tolerations:\n          - {key: dedicated, operator: Equal, value: kafka, effect: NoSchedule}\n      podAnnotations:\n        team: data\n        \"on\": \"yes\"\n",
    );
    // The overlay adds a key below the base's map and removes another.
    common::edit(
        cfg.path(),
        "envs/prod.yaml",
        "components:\n",
        "components:\n  kafka:\n    values:\n      controller:\n        priorityClassName: high\n      podAnnotations:\n        team: null\n",
    );
    let platform = platgen::Platform::load(cfg.path()).unwrap();
    let tree = platform.render("prod").unwrap();
    let kafka = common::doc(&tree, "values/kafka.yaml");
    let typed = common::doc(&before, "values/kafka.yaml");
    let controller = &kafka["controller"];
    assert_eq!(controller["nodeSelector"]["disktype"], "ssd");
    assert_eq!(controller["tolerations"][0]["effect"], "NoSchedule");
    assert_eq!(controller["priorityClassName"], "high");
    assert_eq!(kafka["podAnnotations"], serde_json::json!({"on": "yes"}));
    // Every typed value is still there, unchanged, and first.
    for (k, v) in typed["controller"].as_object().unwrap() {
        assert_eq!(&controller[k], v, "controller.{k}");
    }
    let keys: Vec<&String> = controller.as_object().unwrap().keys().collect();
    let typed_keys: Vec<&String> = typed["controller"].as_object().unwrap().keys().collect();
    assert_eq!(keys[..typed_keys.len()], typed_keys[..]);
    let top: Vec<&String> = kafka.as_object().unwrap().keys().collect();
    assert_eq!(top.last().unwrap().as_str(), "podAnnotations");
    // The text quotes what YAML 1.1 would misread (Helm reads it so).
    let text = &tree.files["values/kafka.yaml"];
    assert!(text.contains("\"on\": \"yes\""), "{text}");
    // Only Kafka's values file moved.
    for (file, text) in &tree.files {
        if file != "values/kafka.yaml" {
            assert_eq!(Some(text), before.files.get(file), "{file}");
        }
    }
    // Byte-stable, and the effective config shows the merged values last.
    assert_eq!(platform.render("prod").unwrap().files, tree.files);
    let effective = platform.effective_config("prod").unwrap();
    let effective = &common::yaml_docs("effective", &effective)[0];
    let section = effective["components"]["kafka"].as_object().unwrap();
    assert_eq!(section.keys().next_back().unwrap(), "values");
    assert_eq!(
        section["values"]["podAnnotations"],
        serde_json::json!({"on": "yes"})
    );
}

#[test]
fn a_key_gen_writes_is_refused_naming_the_setting_to_use() {
    let cfg = config();
    kafka_values(
        cfg.path(),
        "      controller:\n        replicaCount: 5\n        nodeSelector: {disktype: ssd}\n      listeners:\n        client:\n          protocol: SASL_SSL\n",
    );
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("keep"), "previous output").unwrap();
    let o = render(cfg.path(), out.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("error:").count(), 2, "{err}");
    // Placed at the line, and the typed setting named: found by changing
    // it, so it is the one that writes the value.
    let line = std::fs::read_to_string(cfg.path().join("platform.yaml"))
        .unwrap()
        .lines()
        .position(|l| l.contains("replicaCount: 5"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "platform.yaml:{line}:23: components.kafka.values.controller.replicaCount: values/kafka.yaml: `controller.replicaCount` is written by gen"
        )),
        "{err}"
    );
    assert!(
        err.contains("set `components.kafka.controller.replicas` instead"),
        "{err}"
    );
    // A value no setting moves: gen's own.
    assert!(
        err.contains("`listeners.client.protocol` is written by gen")
            && err.contains("gen always writes this value"),
        "{err}"
    );
    assert_eq!(
        common::snapshot_dir(out.path()),
        vec![("keep".to_string(), b"previous output".to_vec())],
        "a refused render writes nothing"
    );
    // A map gen writes, replaced whole by a scalar, is the same conflict.
    let cfg = config();
    kafka_values(
        cfg.path(),
        "      controller:\n        persistence: false\n",
    );
    let err = stderr(&render(cfg.path(), out.path()));
    assert!(
        err.contains("`controller.persistence` is written by gen")
            && err.contains("components.kafka.controller.storage"),
        "{err}"
    );
}

#[test]
fn credentials_are_refused_in_values_and_never_shown() {
    for (values, want) in [
        (
            "      auth:\n        password: hunter2\n",
            "components.kafka.values.auth.password: a literal secret value is not allowed here",
        ),
        (
            "      extraEnvVars:\n        - {name: X, value: x}\n      sasl:\n        client:\n          passwords: [hunter2]\n",
            "components.kafka.values.sasl.client.passwords.0: a literal secret value",
        ),
        (
            "      externalZookeeper:\n        servers: [\"zk://admin:hunter2@zk:2181\"]\n",
            "components.kafka.values.externalZookeeper.servers.0: a password in a URL",
        ),
    ] {
        let cfg = config();
        kafka_values(cfg.path(), values);
        // Off or on, a credential in config is refused.
        common::edit(
            cfg.path(),
            "platform.yaml",
            "  kafka:\n    release: kafka\n",
            "  kafka:\n    enabled: false\n    release: kafka\n",
        );
        let o = render(cfg.path(), tempfile::tempdir().unwrap().path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "{want:?} not in:\n{err}");
        assert!(err.contains("point the chart at a Kubernetes Secret"), "{err}");
        assert!(!err.contains("hunter2"), "the credential is shown:\n{err}");
    }
    // A key that names a Secret, or a flag, is no credential.
    let cfg = config();
    kafka_values(
        cfg.path(),
        "      auth:\n        existingSecret: kafka-auth\n        passwordSecretName: kafka-auth\n      tls:\n        passwordsSecret: kafka-tls\n      enablePassword: true\n",
    );
    let o = render(cfg.path(), tempfile::tempdir().unwrap().path());
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn only_helm_components_take_values() {
    let cfg = config();
    common::edit(
        cfg.path(),
        "platform.yaml",
        "  doris:\n",
        "  doris:\n    values: {a: 1}\n",
    );
    let o = render(cfg.path(), tempfile::tempdir().unwrap().path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unknown key `values`") && err.contains("components.doris.values"),
        "{err}"
    );
    // `values` must be a map.
    let cfg = config();
    kafka_values(cfg.path(), "      - a\n");
    let err = stderr(&render(cfg.path(), tempfile::tempdir().unwrap().path()));
    assert!(err.contains("components.kafka.values"), "{err}");
}

#[test]
fn explain_names_the_values_key_behind_an_output_value() {
    let cfg = config();
    kafka_values(
        cfg.path(),
        "      controller:\n        nodeSelector:\n          disktype: ssd\n",
    );
    let platform = platgen::Platform::load(cfg.path()).unwrap();
    let found = platform
        .explain(
            "prod",
            "values/kafka.yaml",
            "controller.nodeSelector.disktype",
        )
        .unwrap();
    let fed: Vec<&str> = found[0].fed_by.iter().map(|o| o.config.as_str()).collect();
    assert_eq!(
        fed,
        ["components.kafka.values.controller.nodeSelector.disktype"]
    );
    let at = &found[0].fed_by[0].set_at;
    assert!(at.len() == 1 && at[0].contains("platform.yaml:"), "{at:?}");
}

#[test]
fn the_schema_offers_values_on_every_helm_component_only() {
    let schema: serde_json::Value = serde_json::from_str(
        &platgen::Platform::builtin()
            .unwrap()
            .schemas()
            .into_iter()
            .find(|(n, _)| n == "platform.schema.json")
            .unwrap()
            .1,
    )
    .unwrap();
    let sections = schema["properties"]["components"]["properties"]
        .as_object()
        .unwrap();
    let with: Vec<&str> = sections
        .iter()
        .filter(|(_, s)| s["properties"].get("values").is_some())
        .map(|(k, _)| k.as_str())
        .collect();
    let helm: Vec<&str> = sections
        .iter()
        .filter(|(_, s)| s["properties"].get("release").is_some())
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(with, helm);
    assert!(
        with.contains(&"kafka") && !with.contains(&"doris"),
        "{with:?}"
    );
    let kafka = &sections["kafka"]["properties"];
    assert_eq!(kafka["values"]["type"], "object");
    // Last, after the typed settings.
    assert_eq!(
        kafka.as_object().unwrap().keys().next_back().unwrap(),
        "values"
    );
}

/// `helm template` of the pinned DataHub chart with a rendered values file:
/// the chart's own refusal, if any.
fn datahub_chart_refuses(values: &str) -> Option<String> {
    let up = common::upstream()?;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("datahub.yaml");
    std::fs::write(&file, values).unwrap();
    let o = std::process::Command::new(common::helm())
        .arg("template")
        .arg("datahub")
        .arg(up.join("charts/datahub-1.1.0.tgz"))
        .args([
            "--namespace",
            "data-platform",
            "--kube-version",
            "1.33.0",
            "-f",
        ])
        .arg(&file)
        .output()
        .unwrap();
    (!o.status.success()).then(|| String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn two_mce_consumers_are_refused_as_the_chart_would_unless_values_turn_managed_ingestion_off() {
    let two = "components:\n  datahub:\n    mceConsumer:\n      replicas: 2\n";
    // The real chart refuses it: gen refuses first, at the line.
    let cfg = config();
    std::fs::write(cfg.path().join("envs/prod.yaml"), two).unwrap();
    let o = render(cfg.path(), tempfile::tempdir().unwrap().path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("envs/prod.yaml:4:17: components.datahub.mceConsumer.replicas: chart datahub 1.1.0 refuses 2 MCE consumers while managed ingestion is on"),
        "{err}"
    );
    let off = "components:\n  datahub:\n    mceConsumer:\n      replicas: 1\n";
    std::fs::write(cfg.path().join("envs/prod.yaml"), off).unwrap();
    let one = platgen::Platform::load(cfg.path())
        .unwrap()
        .render("prod")
        .unwrap();
    let mut text = one.files["values/datahub.yaml"].replace(
        "datahub-mce-consumer:\n  replicaCount: 1",
        "datahub-mce-consumer:\n  replicaCount: 2",
    );
    assert!(text.contains("replicaCount: 2"));
    let refusal = datahub_chart_refuses(&text).expect("the chart refuses two MCE consumers");
    assert!(
        refusal.contains("Managed ingestion can not be used with multiple MCE Processor instances"),
        "{refusal}"
    );
    // With managed ingestion off through `values:`, both gen and the chart
    // take two.
    std::fs::write(
        cfg.path().join("envs/prod.yaml"),
        format!("{two}    values:\n      global:\n        datahub:\n          managed_ingestion:\n            enabled: false\n"),
    )
    .unwrap();
    let tree = platgen::Platform::load(cfg.path())
        .unwrap()
        .render("prod")
        .unwrap();
    text = tree.files["values/datahub.yaml"].clone();
    let values = common::doc(&tree, "values/datahub.yaml");
    assert_eq!(values["datahub-mce-consumer"]["replicaCount"], 2);
    assert_eq!(
        values["global"]["datahub"]["managed_ingestion"]["enabled"],
        false
    );
    assert_eq!(datahub_chart_refuses(&text), None);
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm", platgen_has = "pyyaml")),
    ignore = "needs the pinned upstream charts, helm and PyYAML (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn an_mlflow_database_name_yaml_misreads_is_refused_as_the_chart_would_misread_it() {
    // The real chart writes the name unquoted into its ConfigMap, where a
    // YAML 1.1 reader (Helm's, Argo CD's, PyYAML's) takes `no` for false.
    let cfg = config();
    let tree = platgen::Platform::load(cfg.path())
        .unwrap()
        .render("prod")
        .unwrap();
    let values = tree.files["values/mlflow.yaml"].replace("database: mlflow", "database: \"no\"");
    assert!(values.contains("database: \"no\""));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mlflow.yaml"), &values).unwrap();
    let up = common::upstream().unwrap();
    let o = std::process::Command::new(common::helm())
        .args(["template", "mlflow"])
        .arg(up.join("charts/mlflow-1.11.5.tgz"))
        .args([
            "--namespace",
            "ml-platform",
            "--kube-version",
            "1.33.0",
            "-f",
        ])
        .arg(dir.path().join("mlflow.yaml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(dir.path().join("out.yaml"), &o.stdout).unwrap();
    let read = std::process::Command::new(common::python_with_pyyaml().unwrap())
        .args([
            "-c",
            "import sys, yaml\nfor d in yaml.safe_load_all(open(sys.argv[1])):\n    if d and d.get('kind') == 'ConfigMap' and 'PGDATABASE' in (d.get('data') or {}):\n        print(repr(d['data']['PGDATABASE']))",
        ])
        .arg(dir.path().join("out.yaml"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), "False");

    for name in ["no", "on", "null", "123", "1e3"] {
        let cfg = config();
        common::edit(
            cfg.path(),
            "platform.yaml",
            "      database: mlflow\n",
            &format!("      database: \"{name}\"\n"),
        );
        let o = render(cfg.path(), tempfile::tempdir().unwrap().path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(&format!("components.mlflow.backendStore.database: database name `{name}` reaches MLflow's ConfigMap unquoted")),
            "{name}: {err}"
        );
    }
    let cfg = config();
    common::edit(
        cfg.path(),
        "platform.yaml",
        "      database: mlflow\n",
        "      database: mlflow_tracking\n",
    );
    assert!(render(cfg.path(), tempfile::tempdir().unwrap().path())
        .status
        .success());
}
