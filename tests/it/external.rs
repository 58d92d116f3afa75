//! Namespaces the platform uses but does not own (`external: true`): never
//! created, never pruned, and Applications into them create nothing.

use crate::common;

/// The example with the existing Superset in its own namespace, `bi`, which
/// gen only uses.
fn superset_in_bi(dir: &std::path::Path) {
    common::write_builtin_config(dir);
    common::edit(
        dir,
        "platform.yaml",
        "      ray-system: {}\n",
        "      ray-system: {}\n      bi: { external: true }\n",
    );
    common::edit(
        dir,
        "platform.yaml",
        "    release: superset\n    namespace: data-platform\n",
        "    release: superset\n    namespace: bi\n",
    );
}

fn apps(tree: &platgen::RenderedTree) -> Vec<(String, serde_json::Value)> {
    tree.files
        .iter()
        .filter(|(p, _)| p.starts_with("apps/"))
        .map(|(p, t)| (p.clone(), common::yaml_docs(p, t).remove(0)))
        .collect()
}

#[test]
fn an_external_namespace_is_used_but_never_created() {
    let dir = tempfile::tempdir().unwrap();
    superset_in_bi(dir.path());
    let tree = platgen::Platform::load(dir.path())
        .unwrap()
        .render("prod")
        .unwrap();
    let names: Vec<String> = common::yaml_docs("ns", &tree.files["manifests/namespaces.yaml"])
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"data-platform".to_string()), "{names:?}");
    assert!(!names.contains(&"bi".to_string()), "{names:?}");
    let superset = common::doc(&tree, "apps/superset.yaml");
    assert_eq!(superset["spec"]["destination"]["namespace"], "bi");
    // Its ExternalSecret goes where the Secret is read.
    let secrets = common::yaml_docs("es", &tree.files["manifests/external-secrets.yaml"]);
    assert!(secrets
        .iter()
        .any(|s| s["metadata"]["namespace"] == "bi" && s["metadata"]["name"] == "superset-doris"));
    // No Application creates a namespace behind gen's back.
    for (path, app) in apps(&tree) {
        let options = app["spec"]["syncPolicy"]["syncOptions"].to_string();
        assert!(!options.contains("CreateNamespace"), "{path}: {options}");
    }
}

#[test]
fn with_every_namespace_external_there_is_no_namespaces_application() {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    let text = std::fs::read_to_string(dir.path().join("platform.yaml")).unwrap();
    let (head, rest) = text.split_once("  namespaces:\n    items:\n").unwrap();
    let (_, tail) = rest.split_once("\n\n").unwrap();
    let items = "      data-platform: { external: true }\n      doris-analytics: { external: true }\n      ml-platform: { external: true }\n      ray-system: { external: true }\n      kubeflow: { external: true }\n";
    std::fs::write(
        dir.path().join("platform.yaml"),
        format!("{head}  namespaces:\n    items:\n{items}\n{tail}"),
    )
    .unwrap();
    let platform = platgen::Platform::load(dir.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    // Rendered first with gen's namespaces, then with none of them owned:
    // the file and its Application are pruned from the tree.
    platgen::Platform::builtin()
        .unwrap()
        .render("prod")
        .unwrap()
        .write(out.path())
        .unwrap();
    assert!(out.path().join("prod/manifests/namespaces.yaml").is_file());
    let tree = platform.render("prod").unwrap();
    assert!(!tree.files.contains_key("manifests/namespaces.yaml"));
    assert!(!tree.files.contains_key("apps/namespaces.yaml"));
    tree.write(out.path()).unwrap();
    assert!(!out.path().join("prod/manifests/namespaces.yaml").exists());
    assert!(!out.path().join("prod/apps/namespaces.yaml").exists());
    assert!(out.path().join("prod/apps/datahub.yaml").is_file());
}
