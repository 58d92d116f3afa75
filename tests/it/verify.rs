//! `gen verify`: the addresses gen writes checked against the vendored
//! charts rendered by the real Helm, on a platform unlike the example.

use std::path::Path;
use std::process::Output;

use crate::chart_repo::{helm, ChartRepo};
use crate::common::{self, stderr};
use crate::vendor::{platform_on, vendor};

fn verify(cfg: &Path, args: &[&str]) -> Output {
    common::gen()
        .arg("verify")
        .args(args)
        .arg("--config")
        .arg(cfg)
        .env("HELM", helm())
        .env("PLATGEN_CACHE_DIR", cfg.join(".cache"))
        .output()
        .unwrap()
}

/// The real Helm behind a script in `dir` that appends `what` (shell
/// words of its arguments) to a log: the script and the log.
fn logged_helm(dir: &Path, what: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let log = dir.join("helm.log");
    let wrapper = dir.join("helm-logged");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"{what}\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            helm().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    (wrapper, log)
}

/// The example with every release renamed, Elasticsearch and Kafka in
/// namespaces of their own, every image through a mirror and staging on
/// another cluster, its charts vendored from `repo`.
fn renamed(repo: &ChartRepo) -> tempfile::TempDir {
    let cfg = platform_on(&repo.url);
    common::edit(
        cfg.path(),
        "platform.yaml",
        "images:\n",
        "images:\n  mirror:\n    registry: registry.corp.example:5000/mirror\n",
    );
    common::edit(
        cfg.path(),
        "envs/staging.yaml",
        "domain: staging.254carbon.com\n",
        "domain: staging.254carbon.com\nargocd:\n  destinationServer: https://staging.k8s.corp.example:6443\n",
    );
    for (from, to) in [
        (
            "      data-platform: {}\n",
            "      data-platform: {}\n      search: {}\n      events: {}\n",
        ),
        (
            "release: elasticsearch\n    namespace: data-platform",
            "release: es\n    namespace: search",
        ),
        (
            "release: kafka\n    namespace: data-platform",
            "release: bus\n    namespace: events",
        ),
        ("release: neo4j", "release: graph"),
        ("release: datahub", "release: dh"),
        ("release: mlflow", "release: tracking"),
    ] {
        common::edit(cfg.path(), "platform.yaml", from, to);
    }
    let o = vendor(cfg.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    cfg
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn a_renamed_and_moved_platform_verifies_and_a_planted_port_is_found() {
    let repo = ChartRepo::upstream();
    let cfg = renamed(&repo);
    let o = verify(cfg.path(), &["--all", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let envs = json["envs"].as_array().unwrap();
    assert_eq!(envs.len(), 3, "{json}");
    for env in envs {
        assert_eq!(env["releases"].as_array().unwrap().len(), 7, "{env}");
        let checked: Vec<&str> = env["checked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        for want in [
            "elasticsearch http → es-elasticsearch.search.svc.cluster.local:9200",
            "kafka bootstrap → bus-kafka.events.svc.cluster.local:9092",
            "neo4j bolt → graph.data-platform.svc.cluster.local:7687",
            "datahub gms → dh-datahub-gms.data-platform.svc.cluster.local:8080",
            "mlflow tracking → tracking-mlflow.ml-platform.svc.cluster.local:80",
            // Made by the operators from gen's custom resources.
            "doris query → doris-cluster-fe-service.doris-analytics.svc.cluster.local:9030",
            "ray-cluster client → ml-cluster-head-svc.ml-platform.svc.cluster.local:10001",
            "RayJob ray-cluster-smoke-check → RayCluster ml-cluster in ml-platform",
        ] {
            assert!(checked.contains(&want), "{want} not in {checked:?}");
        }
        // Ray Serve is off in dev.
        let serve = [
            "ray-serve serve → ml-serve-serve-svc.ml-platform.svc.cluster.local:8000",
            "Ingress ml-serve → ml-serve-serve-svc.ml-platform.svc.cluster.local:8000",
        ];
        for want in serve {
            assert_eq!(
                checked.contains(&want),
                env["env"] != "dev",
                "{want}: {checked:?}"
            );
        }
        // Only what Kubeflow Pipelines' Git source makes, and the services
        // outside the platform, are listed, not checked.
        let not: Vec<&str> = env["not_checked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(!not.is_empty());
        assert!(
            not.iter().all(|c| c.starts_with("kubeflow-pipelines ")
                || c.starts_with("Ingress kubeflow-pipelines-ui ")
                || c.starts_with("external ")),
            "{not:?}"
        );
        assert!(
            not.contains(&"external postgresql → postgresql.kong.svc.cluster.local:5432 (outside the platform)"),
            "{not:?}"
        );
    }
    // Every image through the mirror; staging's components on its own
    // cluster, its root Application in Argo CD's.
    for env in envs {
        assert!(env["images_checked"].as_u64().unwrap() > 30, "{env}");
    }
    let out = cfg.path().join("gitops");
    let o = common::render_to(cfg.path(), &out, "staging");
    assert!(o.status.success(), "{}", stderr(&o));
    let app = common::yaml_file(&out.join("staging/apps/kafka.yaml"));
    assert_eq!(
        app["spec"]["destination"]["server"],
        "https://staging.k8s.corp.example:6443"
    );
    let root = common::yaml_file(&out.join("staging/apps/root.yaml"));
    assert_eq!(
        root["spec"]["destination"]["server"],
        "https://kubernetes.default.svc"
    );
    // The chart's client port moved through `values:`: gen's address is
    // now wrong, and verify says so at the release's line.
    let prod = cfg.path().join("envs/prod.yaml");
    let text = std::fs::read_to_string(&prod).unwrap();
    std::fs::write(
        &prod,
        text.replacen(
            "components:\n",
            "components:\n  kafka:\n    values:\n      service:\n        ports:\n          client: 9999\n",
            1,
        ),
    )
    .unwrap();
    // And a Secret the tracking server reads that nothing creates.
    let text = std::fs::read_to_string(&prod).unwrap();
    std::fs::write(
        &prod,
        text.replacen(
            "components:\n",
            "components:\n  mlflow:\n    values:\n      extraSecretNamesForEnvFrom: [tracking-extra]\n",
            1,
        ),
    )
    .unwrap();
    let o = verify(cfg.path(), &["--env", "prod"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("prod: mlflow (chart mlflow 1.11.5): Deployment `tracking-mlflow` reads Secret `tracking-extra` in `ml-platform`, which neither the chart nor gen creates, and no prerequisite lists"),
        "{err}"
    );
    assert!(err.contains("components.mlflow"), "{err}");
    assert!(
        err.contains("prod: kafka's `bootstrap` address is bus-kafka.events.svc.cluster.local:9092, but Service `bus-kafka` has no port 9092"),
        "{err}"
    );
    assert!(err.contains("components.kafka.release"), "{err}");
    assert!(err.contains("creates bus-kafka:9999"), "{err}");
    assert!(
        err.contains("its `values:` may change what the chart creates"),
        "{err}"
    );
}

#[test]
fn without_vendored_charts_verify_says_to_vendor_them() {
    let cfg = tempfile::tempdir().unwrap();
    common::write_builtin_config(cfg.path());
    let o = verify(cfg.path(), &["--env", "prod"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("run `gen vendor` first"),
        "{}",
        stderr(&o)
    );
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn without_helm_verify_says_so_and_what_was_kept_is_no_excuse() {
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    assert!(vendor(cfg.path(), &[]).status.success());
    // Kept from a run with the real Helm: another Helm is another key.
    assert!(verify(cfg.path(), &["--env", "prod"]).status.success());
    let o = common::gen()
        .args(["verify", "--env", "prod", "--config"])
        .arg(cfg.path())
        .env("HELM", cfg.path().join("no-helm-here"))
        .env("PLATGEN_CACHE_DIR", cfg.path().join(".cache"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("gen renders each release's vendored chart with Helm, and $HELM names"),
        "{}",
        stderr(&o)
    );
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn under_a_mirror_every_image_is_the_mirrors_and_one_that_escapes_is_found() {
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    let path = cfg.path().join("platform.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "images:\n",
            "images:\n  mirror:\n    registry: registry.corp.example:5000/mirror\n",
            1,
        ),
    )
    .unwrap();
    assert!(vendor(cfg.path(), &[]).status.success());
    let o = verify(cfg.path(), &["--env", "prod", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        json["envs"][0]["images_checked"].as_u64().unwrap() > 30,
        "{json}"
    );
    // A release of a chart gen has no component for: its images are the
    // chart's own, from Docker Hub, past the mirror.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!(
            "{text}releases:\n  queue:\n    namespace: data-platform\n    chart:\n      repository: {}\n      chart: kafka\n      version: 32.4.4\n",
            repo.url
        ),
    )
    .unwrap();
    let o = verify(cfg.path(), &["--env", "prod"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("prod: StatefulSet `queue-kafka-controller` of chart kafka 32.4.4 runs image `docker.io/bitnami/kafka:"),
        "{err}"
    );
    assert!(
        err.contains(
            "not one from `registry.corp.example:5000/mirror/` as images.mirror.registry says"
        ),
        "{err}"
    );
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn an_unchanged_release_is_not_rendered_again_and_the_cache_holds_no_secret() {
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    assert!(vendor(cfg.path(), &[]).status.success());
    // A Helm that logs what it is asked to do.
    let (wrapper, log) = logged_helm(cfg.path(), "$1 $2");
    let cache = cfg.path().join("kept");
    let run = |extra: &[&str]| {
        let _ = std::fs::remove_file(&log);
        let mut cmd = common::gen();
        cmd.args(["verify", "--env", "prod", "--config"])
            .arg(cfg.path())
            .args(extra)
            .env("HELM", &wrapper);
        if extra.is_empty() {
            cmd.arg("--cache").arg(&cache);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let mut rendered: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("template "))
            .map(String::from)
            .collect();
        rendered.sort();
        (rendered, String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let (cold, cold_err) = run(&[]);
    assert_eq!(
        cold,
        [
            "datahub",
            "doris-operator",
            "elasticsearch",
            "kafka",
            "kuberay-operator",
            "mlflow",
            "neo4j"
        ]
    );
    let (warm, warm_err) = run(&[]);
    assert!(warm.is_empty(), "{warm:?}");
    assert_eq!(
        warm_err, cold_err,
        "the same findings and figures from what was kept"
    );
    // One release's values change: that one alone is rendered again.
    common::edit(
        cfg.path(),
        "platform.yaml",
        "    controller:\n      replicas: 3",
        "    controller:\n      replicas: 5",
    );
    let (changed, _) = run(&[]);
    assert_eq!(changed, ["kafka"]);
    let (all, _) = run(&["--no-cache"]);
    assert_eq!(all.len(), 7, "{all:?}");
    // Every env at once: a release the same in several is rendered once.
    // The operators' values are the same in every env, and so are the
    // custom resources Helm is told of in staging and prod; dev runs no
    // RayService, so Helm is told of other API versions there.
    let _ = std::fs::remove_file(&log);
    let o = common::gen()
        .args(["verify", "--all", "--no-cache", "--config"])
        .arg(cfg.path())
        .env("HELM", &wrapper)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&log).unwrap();
    let count = |release: &str| {
        text.lines()
            .filter(|l| *l == format!("template {release}"))
            .count()
    };
    assert_eq!(count("doris-operator"), 2, "{text}");
    assert_eq!(count("kuberay-operator"), 2, "{text}");
    assert_eq!(count("datahub"), 3, "{text}");
    // What is kept holds no Secret's data: the charts generate some
    // (DataHub's auth secrets, Kafka's KRaft ids).
    for (path, bytes) in common::snapshot_dir(&cache) {
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            !text.contains("\"data\"") && !text.contains("kind: Secret"),
            "{path}: {text}"
        );
        assert!(
            path.starts_with("helm/") && path.ends_with(".json"),
            "{path}"
        );
    }
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn gen_check_verifies_when_charts_are_vendored_unless_told_not_to() {
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    assert!(vendor(cfg.path(), &[]).status.success());
    // The chart's client port moved through `values:`: the tree is up to
    // date once rendered, but gen's Kafka address is wrong.
    common::edit(
        cfg.path(),
        "envs/prod.yaml",
        "components:\n",
        "components:\n  kafka:\n    values:\n      service:\n        ports:\n          client: 9999\n",
    );
    let out = cfg.path().join("gitops");
    let check = |extra: &[&str]| {
        common::gen()
            .args(["check", "--env", "prod", "--config"])
            .arg(cfg.path())
            .arg("--out")
            .arg(&out)
            .args(extra)
            .env("HELM", helm())
            .env("PLATGEN_CACHE_DIR", cfg.path().join(".cache"))
            .output()
            .unwrap()
    };
    let o = common::gen()
        .args(["render", "--env", "prod", "--config"])
        .arg(cfg.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = check(&[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("is up to date"), "{err}");
    assert!(
        err.contains("prod: kafka's `bootstrap` address is kafka.data-platform.svc.cluster.local:9092, but Service `kafka` has no port 9092"),
        "{err}"
    );
    let o = check(&["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["up_to_date"], true, "{json}");
    assert_eq!(
        json["verify"]["findings"].as_array().unwrap().len(),
        1,
        "{json}"
    );
    // Compare only.
    let o = check(&["--no-verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("bootstrap"), "{}", stderr(&o));
    // Without Helm, check says how to compare only.
    let o = common::gen()
        .args(["check", "--env", "prod", "--config"])
        .arg(cfg.path())
        .arg("--out")
        .arg(&out)
        .env("HELM", cfg.path().join("no-helm-here"))
        .env("PLATGEN_CACHE_DIR", cfg.path().join(".cache"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`--no-verify` compares only"),
        "{}",
        stderr(&o)
    );
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn charts_are_rendered_for_the_envs_kubernetes_version_and_custom_resources() {
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    assert!(vendor(cfg.path(), &[]).status.success());
    // A Helm that logs every command line.
    let (wrapper, log) = logged_helm(cfg.path(), "$*");
    let run = || {
        let _ = std::fs::remove_file(&log);
        let o = common::gen()
            .args(["verify", "--env", "prod", "--no-cache", "--config"])
            .arg(cfg.path())
            .env("HELM", &wrapper)
            .output()
            .unwrap();
        (o, std::fs::read_to_string(&log).unwrap_or_default())
    };
    common::edit(
        cfg.path(),
        "envs/prod.yaml",
        "components:\n",
        "kubernetesVersion: v1.35.2\ncomponents:\n",
    );
    let (o, log_text) = run();
    assert!(o.status.success(), "{}", stderr(&o));
    let templates: Vec<&str> = log_text
        .lines()
        .filter(|l| l.starts_with("template "))
        .collect();
    assert_eq!(templates.len(), 7, "{log_text}");
    for line in templates {
        assert!(line.contains("--kube-version v1.35.2"), "{line}");
        let apis = line.split("--api-versions ").nth(1).unwrap_or_default();
        for want in [
            "argoproj.io/v1alpha1/Application",
            "doris.selectdb.com/v1/DorisCluster",
            "ray.io/v1/RayCluster",
            "ray.io/v1/RayJob",
            "ray.io/v1/RayService",
        ] {
            assert!(apis.contains(want), "{want} not in {line}");
        }
    }
    // A cluster older than a chart allows: the chart's refusal, named.
    common::edit(
        cfg.path(),
        "envs/prod.yaml",
        "kubernetesVersion: v1.35.2\n",
        "kubernetesVersion: \"1.18\"\n",
    );
    let (o, _) = run();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "helm template of chart doris-operator 26.0.0 (release `doris-operator`) failed"
        ) && err.contains("incompatible with Kubernetes v1.18"),
        "{err}"
    );
    // Not a version: refused at its line, before anything runs.
    common::edit(
        cfg.path(),
        "envs/prod.yaml",
        "kubernetesVersion: \"1.18\"\n",
        "kubernetesVersion: latest\n",
    );
    let (o, log_text) = run();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("envs/prod.yaml:"), "{err}");
    assert!(
        err.contains("`latest` is not a Kubernetes version"),
        "{err}"
    );
    assert!(err.contains("e.g. `1.35` or `v1.35.2`"), "{err}");
    assert!(log_text.is_empty(), "{log_text}");
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn plan_counts_the_charts_from_their_rendered_objects() {
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    assert!(vendor(cfg.path(), &[]).status.success());
    let plan = |extra: &[&str]| -> serde_json::Value {
        let o = common::gen()
            .args(["plan", "--env", "prod", "--format", "json", "--config"])
            .arg(cfg.path())
            .args(extra)
            .env("HELM", helm())
            .env("PLATGEN_CACHE_DIR", cfg.path().join(".cache"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let (counted, estimated) = (plan(&[]), plan(&["--estimate"]));
    let releases: Vec<&str> = counted["counted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().split(' ').next().unwrap())
        .collect();
    assert_eq!(releases.len(), 7, "{releases:?}");
    assert!(estimated.get("counted").is_none(), "{estimated}");
    // Every workload of a rendered release names the object it was
    // counted from; the estimates name none.
    for w in counted["workloads"].as_array().unwrap() {
        let c = w["component"].as_str().unwrap();
        let is_smoke = w["name"].as_str().unwrap().ends_with("smoke-check");
        assert_eq!(
            w.get("counted").is_some(),
            releases.contains(&c) && !is_smoke,
            "{w}"
        );
    }
    // gen's table of the charts' defaults agrees with the charts: two
    // ways to the same figures, per component.
    for c in &releases {
        assert_eq!(
            counted["components"][c], estimated["components"][c],
            "{c}: counted from the chart vs estimated"
        );
    }
    // A chart value only `values:` sets moves the counted plan alone.
    common::edit(
        cfg.path(),
        "envs/prod.yaml",
        "components:\n  datahub:\n",
        "components:\n  datahub:\n    values:\n      acryl-datahub-actions:\n        enabled: false\n",
    );
    let (after, estimate_after) = (plan(&[]), plan(&["--estimate"]));
    let pods = |p: &serde_json::Value| p["components"]["datahub"]["pods"].as_u64().unwrap();
    assert_eq!(pods(&after) + 1, pods(&counted));
    assert_eq!(pods(&estimate_after), pods(&estimated));
    assert!(
        !after.to_string().contains("datahub-acryl-datahub-actions"),
        "{after}"
    );
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn hydrate_commits_what_helm_renders_for_the_releases_safe_to_commit() {
    let repo = ChartRepo::upstream();
    let cfg = renamed(&repo);
    let out = cfg.path().join("gitops");
    let gen = |args: &[&str]| {
        common::gen()
            .args(args)
            .arg("--config")
            .arg(cfg.path())
            .env("HELM", helm())
            .env("PLATGEN_CACHE_DIR", cfg.path().join(".cache"))
            .output()
            .unwrap()
    };
    let o = gen(&[
        "render",
        "--env",
        "prod",
        "--hydrate",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    // Releases whose charts generate Secrets stay with Helm, and gen says why.
    for kept in [
        "note: prod: kafka (chart kafka 32.4.4): stays a Helm source: it renders differently each time",
        "note: prod: datahub (chart datahub 1.1.0): stays a Helm source: it renders differently each time",
        "note: prod: mlflow (chart mlflow 1.11.5): stays a Helm source: it renders differently each time",
        "note: prod: doris-operator (chart doris-operator 26.0.0): stays a Helm source: it renders Secret `doris-operator-secret-cert`, and credentials stay out of Git",
    ] {
        assert!(err.contains(kept), "{kept}\n{err}");
    }
    let env = out.join("prod");
    let hydrated: Vec<String> = std::fs::read_dir(env.join("rendered"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(hydrated, ["elasticsearch", "kuberay-operator", "neo4j"]);
    let schema = crate::upstream::crd_schema(
        &common::upstream()
            .unwrap()
            .join("crds/argoproj.io_applications.yaml"),
        "argoproj.io/v1alpha1",
    );
    for c in &hydrated {
        // The Application applies the directory: no chart, no Helm.
        let app = common::yaml_file(&env.join(format!("apps/{c}.yaml")));
        let text = app.to_string();
        assert!(!text.contains("\"chart\""), "{text}");
        assert!(
            text.contains(&format!("\"path\":\"gitops/prod/rendered/{c}\"")),
            "{text}"
        );
        let errors = crate::upstream::validation_errors(&schema, &app);
        assert!(errors.is_empty(), "{c}: {errors:?}");
    }
    let kafka = std::fs::read_to_string(env.join("apps/kafka.yaml")).unwrap();
    assert!(kafka.contains("chart: kafka"), "{kafka}");
    // One file per object Helm renders, nothing else, no Secret.
    let values = env.join("values/neo4j.yaml");
    let helm_out = std::process::Command::new(helm())
        .args(["template", "graph"])
        .arg(cfg.path().join("charts/neo4j-5.17.0.tgz"))
        .args(["--namespace", "data-platform", "--include-crds", "-f"])
        .arg(&values)
        .output()
        .unwrap();
    assert!(helm_out.status.success(), "{}", stderr(&helm_out));
    let objects: Vec<serde_json::Value> =
        common::yaml_docs("helm", &String::from_utf8_lossy(&helm_out.stdout))
            .into_iter()
            .filter(|d| !d.is_null())
            .collect();
    let files = common::snapshot_dir(&env.join("rendered/neo4j"));
    assert_eq!(
        files.len(),
        objects.len(),
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (path, bytes) in &files {
        let text = String::from_utf8(bytes.clone()).unwrap();
        let object = common::yaml_docs(path, &text).remove(0);
        let same = objects.iter().find(|o| {
            o["kind"] == object["kind"] && o["metadata"]["name"] == object["metadata"]["name"]
        });
        assert_eq!(same, Some(&object), "{path} is not an object Helm renders");
        assert!(text.starts_with("# Generated by platgen"), "{path}");
    }
    for (path, bytes) in common::snapshot_dir(&env.join("rendered")) {
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains("kind: Secret"), "{path}");
    }
    // Helm's text unchanged: a YAML 1.1 octal mode stays octal.
    let sts = std::fs::read_to_string(env.join("rendered/neo4j/statefulset-graph.yaml")).unwrap();
    assert!(sts.contains("defaultMode: 0440"), "{sts}");
    assert!(
        sts.contains("# Source: neo4j/templates/neo4j-statefulset.yaml"),
        "{sts}"
    );
    if let Some(tool) = crate::upstream::kubernetes_validate() {
        let core: Vec<std::path::PathBuf> = ["neo4j", "elasticsearch"]
            .iter()
            .flat_map(|c| std::fs::read_dir(env.join("rendered").join(c)).unwrap())
            .map(|e| e.unwrap().path())
            .collect();
        let v = std::process::Command::new(tool)
            .args(["--strict", "-k", crate::upstream::K8S_VERSION])
            .args(&core)
            .output()
            .unwrap();
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    }
    // Byte-stable, and checked as hydrated.
    let again = cfg.path().join("again");
    let o = gen(&[
        "render",
        "--env",
        "prod",
        "--hydrate",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        common::snapshot_dir(&again.join("prod")),
        common::snapshot_dir(&env)
    );
    let o = gen(&[
        "check",
        "--env",
        "prod",
        "--hydrate",
        "--no-verify",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = gen(&[
        "check",
        "--env",
        "prod",
        "--no-verify",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // A render without --hydrate writes the Helm sources back.
    let o = gen(&["render", "--env", "prod", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!env.join("rendered").exists());
    let neo4j = std::fs::read_to_string(env.join("apps/neo4j.yaml")).unwrap();
    assert!(neo4j.contains("chart: neo4j"), "{neo4j}");
}
