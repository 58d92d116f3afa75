//! Post-sync smoke checks: one per component, each a PostSync hook with a
//! pinned image, resources, a deadline and a backoff limit, credentials only
//! from Secret references, and targets equal to the addresses the
//! components render (so renaming a release moves its check).

use crate::common;

use std::collections::BTreeMap;

use platgen::Platform;
use serde_json::Value;

fn render(dir: Option<&std::path::Path>, env: &str) -> platgen::RenderedTree {
    match dir {
        Some(d) => Platform::load(d).unwrap().render(env).unwrap(),
        None => Platform::builtin().unwrap().render(env).unwrap(),
    }
}

fn doc(tree: &platgen::RenderedTree, file: &str) -> Value {
    common::yaml_docs(file, &tree.files[file]).remove(0)
}

/// Check file → (namespace, HOST, PORT) or, for the RayJob, its cluster.
fn targets(tree: &platgen::RenderedTree) -> BTreeMap<String, (String, String, String)> {
    let mut out = BTreeMap::new();
    for path in tree
        .files
        .keys()
        .filter(|p| p.ends_with("-smoke-check.yaml"))
    {
        let d = doc(tree, path);
        let ns = d["metadata"]["namespace"].as_str().unwrap().to_string();
        let component = path
            .trim_start_matches("manifests/")
            .trim_end_matches("-smoke-check.yaml")
            .to_string();
        if d["kind"] == "RayJob" {
            let cluster = d["spec"]["clusterSelector"]["ray.io/cluster"]
                .as_str()
                .unwrap()
                .to_string();
            out.insert(component, (ns, cluster, String::new()));
            continue;
        }
        let env = &d["spec"]["template"]["spec"]["containers"][0]["env"];
        let get = |n: &str| {
            env.as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"] == n)
                .unwrap()["value"]
                .as_str()
                .unwrap()
                .to_string()
        };
        out.insert(component, (ns, get("HOST"), get("PORT")));
    }
    out
}

/// The address each component renders, read from its own files.
fn rendered_addresses(tree: &platgen::RenderedTree) -> BTreeMap<String, (String, String, String)> {
    let app = |c: &str| doc(tree, &format!("apps/{c}.yaml"));
    let helm = |c: &str| {
        let a = app(c);
        let release = a["spec"]["sources"][0]["helm"]["releaseName"]
            .as_str()
            .unwrap()
            .to_string();
        let ns = a["spec"]["destination"]["namespace"]
            .as_str()
            .unwrap()
            .to_string();
        (release, ns)
    };
    let svc = |name: &str, ns: &str| format!("{name}.{ns}.svc.cluster.local");
    // Helm's fullname: the release, or `<release>-<chart>` unless the
    // release already contains the chart's name.
    let full = |release: &str, chart: &str| {
        if release.contains(chart) {
            release.to_string()
        } else {
            format!("{release}-{chart}")
        }
    };
    let mut out = BTreeMap::new();
    let (r, ns) = helm("elasticsearch");
    out.insert(
        "elasticsearch".into(),
        (
            ns.clone(),
            svc(&full(&r, "elasticsearch"), &ns),
            "9200".into(),
        ),
    );
    let (r, ns) = helm("kafka");
    out.insert(
        "kafka".into(),
        (ns.clone(), svc(&full(&r, "kafka"), &ns), "9092".into()),
    );
    let (r, ns) = helm("neo4j");
    out.insert("neo4j".into(), (ns.clone(), svc(&r, &ns), "7687".into()));
    let (r, ns) = helm("datahub");
    out.insert(
        "datahub".into(),
        (
            ns.clone(),
            svc(&format!("{r}-datahub-gms"), &ns),
            "8080".into(),
        ),
    );
    let dc = doc(tree, "manifests/doris.yaml");
    let (name, ns) = (
        dc["metadata"]["name"].as_str().unwrap(),
        dc["metadata"]["namespace"].as_str().unwrap(),
    );
    out.insert(
        "doris".into(),
        (
            ns.to_string(),
            svc(&format!("{name}-fe-service"), ns),
            "9030".into(),
        ),
    );
    let rc = doc(tree, "manifests/ray-cluster.yaml");
    out.insert(
        "ray-cluster".into(),
        (
            rc["metadata"]["namespace"].as_str().unwrap().into(),
            rc["metadata"]["name"].as_str().unwrap().into(),
            String::new(),
        ),
    );
    // KubeRay names a RayService's Serve Service `<name>-serve-svc`.
    let rs = doc(tree, "manifests/ray-serve.yaml");
    let ns = rs["metadata"]["namespace"].as_str().unwrap();
    out.insert(
        "ray-serve".into(),
        (
            ns.to_string(),
            svc(
                &format!("{}-serve-svc", rs["metadata"]["name"].as_str().unwrap()),
                ns,
            ),
            "8000".into(),
        ),
    );
    let (r, ns) = helm("mlflow");
    out.insert("mlflow".into(), (ns.clone(), svc(&r, &ns), "80".into()));
    let ns = app("kubeflow-pipelines")["spec"]["destination"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    out.insert(
        "kubeflow-pipelines".into(),
        (ns.clone(), svc("ml-pipeline", &ns), "8888".into()),
    );
    out
}

#[test]
fn every_check_targets_the_address_its_component_renders() {
    let tree = render(None, "prod");
    assert_eq!(targets(&tree), rendered_addresses(&tree));
    // The Superset link and DataHub's config point where the checks do.
    let superset = doc(&tree, "values/superset.yaml");
    let t = targets(&tree);
    assert!(superset["extraConfigs"]["import_datasources.yaml"]
        .as_str()
        .unwrap()
        .contains(&format!("@{}:{}/", t["doris"].1, t["doris"].2)));
    let dh = doc(&tree, "values/datahub.yaml");
    assert_eq!(
        dh["global"]["elasticsearch"]["host"].as_str().unwrap(),
        t["elasticsearch"].1
    );
    assert_eq!(
        dh["global"]["kafka"]["bootstrap"]["server"]
            .as_str()
            .unwrap(),
        format!("{}:{}", t["kafka"].1, t["kafka"].2)
    );
    assert_eq!(
        dh["global"]["neo4j"]["uri"].as_str().unwrap(),
        format!("bolt://{}:{}", t["neo4j"].1, t["neo4j"].2)
    );
}

#[test]
fn renaming_releases_moves_every_check() {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    for (from, to) in [
        ("release: elasticsearch", "release: search"),
        ("release: kafka", "release: events"),
        ("release: neo4j", "release: graph"),
        ("release: datahub", "release: catalog"),
        ("name: doris-cluster", "name: olap"),
        ("name: ml-cluster", "name: compute"),
        ("name: ml-serve", "name: inference"),
        ("release: mlflow", "release: tracking-mlflow"),
    ] {
        common::edit(dir.path(), "platform.yaml", from, to);
    }
    let tree = render(Some(dir.path()), "prod");
    let t = targets(&tree);
    assert_eq!(t, rendered_addresses(&tree));
    assert_eq!(
        t["elasticsearch"].1,
        "search-elasticsearch.data-platform.svc.cluster.local"
    );
    assert_eq!(
        t["datahub"].1,
        "catalog-datahub-gms.data-platform.svc.cluster.local"
    );
    assert_eq!(
        t["doris"].1,
        "olap-fe-service.doris-analytics.svc.cluster.local"
    );
    assert_eq!(t["ray-cluster"].1, "compute");
    assert_eq!(
        t["ray-serve"].1,
        "inference-serve-svc.ml-platform.svc.cluster.local"
    );
    assert_eq!(
        t["mlflow"].1,
        "tracking-mlflow.ml-platform.svc.cluster.local"
    );
}

#[test]
fn checks_are_hooks_with_pinned_images_bounds_and_secret_credentials() {
    for env in ["dev", "staging", "prod"] {
        let tree = render(None, env);
        for path in tree
            .files
            .keys()
            .filter(|p| p.ends_with("-smoke-check.yaml"))
        {
            let d = doc(&tree, path);
            assert_eq!(
                d["metadata"]["annotations"]["argocd.argoproj.io/hook"], "PostSync",
                "{path}"
            );
            assert!(
                d["metadata"]["annotations"]["argocd.argoproj.io/hook-delete-policy"].is_string(),
                "{path}"
            );
            assert!(
                d["spec"]["activeDeadlineSeconds"].as_u64().unwrap() > 0,
                "{path}"
            );
            let pod = if d["kind"] == "RayJob" {
                assert_eq!(d["apiVersion"], "ray.io/v1");
                &d["spec"]["submitterPodTemplate"]
            } else {
                assert_eq!(d["apiVersion"], "batch/v1");
                assert!(d["spec"]["backoffLimit"].is_u64(), "{path}");
                &d["spec"]["template"]
            };
            let c = &pod["spec"]["containers"][0];
            let image = c["image"].as_str().unwrap();
            let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or("");
            assert!(
                !tag.is_empty() && tag != "latest" && !tag.contains('/'),
                "{path}: {image}"
            );
            assert!(
                c["resources"]["requests"]["cpu"].is_string()
                    && c["resources"]["limits"]["memory"].is_string(),
                "{path}"
            );
            for e in c["env"].as_array().into_iter().flatten() {
                let name = e["name"].as_str().unwrap();
                if name.contains("PWD") || name.contains("PASSWORD") || name.contains("AUTH") {
                    assert!(
                        e.get("value").is_none() && e["valueFrom"]["secretKeyRef"].is_object(),
                        "{path}: {name}"
                    );
                }
            }
            // Every hook belongs to its component's Application.
            let component = path
                .trim_start_matches("manifests/")
                .trim_end_matches("-smoke-check.yaml");
            let app = doc(&tree, &format!("apps/{component}.yaml"));
            let includes: Vec<String> = app["spec"]["sources"]
                .as_array()
                .map(|s| s.to_vec())
                .unwrap_or_else(|| vec![app["spec"]["source"].clone()])
                .iter()
                .filter_map(|s| s["directory"]["include"].as_str().map(str::to_string))
                .collect();
            let file = path.trim_start_matches("manifests/");
            assert!(
                includes.iter().any(|i| i == file || i.contains(file)),
                "{path} not in its Application: {includes:?}"
            );
        }
    }
}

#[test]
fn checks_switch_per_env_and_count_as_jobs() {
    let prod = Platform::builtin().unwrap().plan("prod").unwrap();
    let checks = render(None, "prod")
        .files
        .keys()
        .filter(|p| p.ends_with("-smoke-check.yaml"))
        .count();
    assert_eq!(checks, 9);
    // DataHub's two hook Jobs, plus one per check; long-running pods unchanged.
    assert_eq!(prod.total.jobs as usize, 2 + checks);
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    std::fs::write(
        dir.path().join("envs/prod.yaml"),
        "checks:\n  skip: [kafka, doris]\n",
    )
    .unwrap();
    let tree = render(Some(dir.path()), "prod");
    assert!(!tree.files.contains_key("manifests/kafka-smoke-check.yaml"));
    assert!(!tree.files.contains_key("manifests/doris-smoke-check.yaml"));
    assert!(tree.files.contains_key("manifests/neo4j-smoke-check.yaml"));
    let plan = Platform::load(dir.path()).unwrap().plan("prod").unwrap();
    assert_eq!(plan.total.pods, prod.total.pods);
    assert_eq!(plan.total.jobs, prod.total.jobs - 2);
    std::fs::write(
        dir.path().join("envs/prod.yaml"),
        "checks:\n  enabled: false\n",
    )
    .unwrap();
    let tree = render(Some(dir.path()), "prod");
    assert!(!tree.files.keys().any(|p| p.contains("smoke-check")));
}
