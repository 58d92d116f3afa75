//! `gen bootstrap`: one ApplicationSet starts every env. It validates
//! strictly against the pinned ApplicationSet CRD, and each Application its
//! template makes for an env directory is that env's `apps/root.yaml`.

use serde_json::Value;

use crate::common;
use crate::upstream::{crd_of, crd_schema, crds, validation_errors};

fn sets(platform: &platgen::Platform) -> Vec<Value> {
    common::yaml_docs("bootstrap", &platform.bootstrap().unwrap())
}

/// What Argo CD's Git directory generator makes of `set` for the env
/// directory `dir` (`gitops/prod/apps`): the template with `.path.path`
/// and `.path.segments` filled in.
fn generate(set: &Value, dir: &str) -> Value {
    let segments: Vec<&str> = dir.split('/').collect();
    let mut text = serde_json::to_string(&set["spec"]["template"]).unwrap();
    text = text.replace("{{ .path.path }}", dir);
    for (i, s) in segments.iter().enumerate() {
        text = text.replace(&format!("{{{{ index .path.segments {i} }}}}"), s);
    }
    assert!(!text.contains("{{"), "a parameter is left: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Whether the generator's pattern (`gitops/*/apps`) matches `dir`.
fn matches(pattern: &str, dir: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let d: Vec<&str> = dir.split('/').collect();
    p.len() == d.len() && p.iter().zip(&d).all(|(p, d)| *p == "*" || p == d)
}

/// Every env's root, as the generator would make it, is its `apps/root.yaml`.
fn assert_roots(platform: &platgen::Platform) {
    let sets = sets(platform);
    for tree in platform.render_all().unwrap() {
        let root = common::doc(&tree, "apps/root.yaml");
        let dir = root["spec"]["source"]["path"].as_str().unwrap();
        let mut made = sets.iter().filter(|s| {
            let pattern = s["spec"]["generators"][0]["git"]["directories"][0]["path"]
                .as_str()
                .unwrap();
            s["spec"]["generators"][0]["git"]["repoURL"] == root["spec"]["source"]["repoURL"]
                && s["spec"]["generators"][0]["git"]["revision"]
                    == root["spec"]["source"]["targetRevision"]
                && matches(pattern, dir)
        });
        let set = made
            .next()
            .unwrap_or_else(|| panic!("no ApplicationSet finds {dir}"));
        assert!(
            made.next().is_none(),
            "two ApplicationSets make {dir}'s root"
        );
        let app = generate(set, dir);
        assert_eq!(app["metadata"]["name"], root["metadata"]["name"], "{dir}");
        assert_eq!(
            app["metadata"]["finalizers"],
            root["metadata"]["finalizers"]
        );
        assert_eq!(set["metadata"]["namespace"], root["metadata"]["namespace"]);
        assert_eq!(
            app["spec"], root["spec"],
            "{dir}: the generated root differs"
        );
    }
}

#[test]
#[cfg_attr(
    not(platgen_has = "upstream"),
    ignore = "needs the pinned upstream files: ../shared/upstream or $PLATGEN_UPSTREAM"
)]
fn the_bootstrap_validates_against_the_applicationset_crd() {
    let up = common::upstream().unwrap();
    let crds = crds(&up);
    let sets = sets(&platgen::Platform::builtin().unwrap());
    assert_eq!(sets.len(), 1);
    for set in &sets {
        let crd = crd_of(&crds, set).expect("the ApplicationSet CRD is pinned");
        let schema = crd_schema(&crd, set["apiVersion"].as_str().unwrap());
        let errors = validation_errors(&schema, set);
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // And a field the CRD lacks is refused, so the check can fail.
    let mut bad = sets[0].clone();
    bad["spec"]["generators"][0]["git"]["directory"] = Value::from("typo");
    let crd = crd_of(&crds, &bad).unwrap();
    assert!(!validation_errors(&crd_schema(&crd, "argoproj.io/v1alpha1"), &bad).is_empty());
}

#[test]
fn the_generated_roots_are_the_envs_root_applications() {
    assert_roots(&platgen::Platform::builtin().unwrap());
}

#[test]
fn another_layout_and_per_env_directories() {
    // Envs at the repository root, and one env in a directory of its own.
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    common::edit(
        dir.path(),
        "platform.yaml",
        "  path: gitops\n",
        "  path: \"\"\n",
    );
    let staging = std::fs::read_to_string(dir.path().join("envs/staging.yaml")).unwrap();
    std::fs::write(
        dir.path().join("envs/staging.yaml"),
        format!("{staging}\nargocd:\n  path: deploy/clusters/eu\n  destinationServer: https://10.1.0.1:6443\n"),
    )
    .unwrap();
    let platform = platgen::Platform::load(dir.path()).unwrap();
    let sets = sets(&platform);
    assert_eq!(sets.len(), 2, "{sets:#?}");
    let patterns: Vec<&str> = sets
        .iter()
        .map(|s| {
            s["spec"]["generators"][0]["git"]["directories"][0]["path"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(patterns, ["*/apps", "deploy/clusters/eu/*/apps"]);
    assert_roots(&platform);
    // Another cluster gets the components, never the root Application.
    let tree = platform.render("staging").unwrap();
    assert_eq!(
        common::doc(&tree, "apps/root.yaml")["spec"]["destination"]["server"],
        "https://kubernetes.default.svc"
    );
    assert_eq!(
        common::doc(&tree, "apps/kafka.yaml")["spec"]["destination"]["server"],
        "https://10.1.0.1:6443"
    );
}

#[test]
fn envs_in_one_directory_with_different_projects_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    let dev = std::fs::read_to_string(dir.path().join("envs/dev.yaml")).unwrap();
    std::fs::write(
        dir.path().join("envs/dev.yaml"),
        format!("{dev}\nargocd:\n  project: sandbox\n"),
    )
    .unwrap();
    let err = platgen::Platform::load(dir.path())
        .unwrap()
        .bootstrap()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("differ in argocd.namespace or argocd.project"),
        "{err}"
    );
    assert!(err.contains("different argocd.path"), "{err}");
}

#[test]
fn the_cli_prints_it() {
    let out = common::gen().arg("bootstrap").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("# Generated by platgen (`gen bootstrap`)"),
        "{text}"
    );
    assert_eq!(
        common::yaml_docs("stdout", &text)[0]["kind"],
        "ApplicationSet"
    );
}
