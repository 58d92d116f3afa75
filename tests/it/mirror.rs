//! One mirror setting moves every image the platform runs: each pinned
//! chart rendered for real (`helm template`) with gen's values pulls only
//! from the mirror, and so do the custom resources and smoke checks gen
//! writes itself. Without a mirror the charts render as before.

use std::path::Path;
use std::process::Command;

use crate::common;

/// Every `image:` value in a YAML stream, at any depth.
fn images(text: &str) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if k == "image" {
                        if let Some(s) = v.as_str() {
                            out.push(s.to_string());
                        }
                    }
                    walk(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for doc in common::yaml_docs("stream", text) {
        walk(&doc, &mut out);
    }
    out
}

/// Renders every Helm release of `tree` with its pinned chart; the images
/// of all of them, per component.
fn chart_images(up: &Path, tree: &platgen::RenderedTree) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    for (path, text) in &tree.files {
        let Some(component) = path
            .strip_prefix("apps/")
            .and_then(|p| p.strip_suffix(".yaml"))
        else {
            continue;
        };
        let app = common::yaml_docs(path, text).remove(0);
        let Some(sources) = app["spec"]["sources"].as_array() else {
            continue;
        };
        let Some(chart) = sources.iter().find(|s| s["chart"].is_string()) else {
            continue;
        };
        let (name, version) = (
            chart["chart"].as_str().unwrap(),
            chart["targetRevision"].as_str().unwrap(),
        );
        let package = up.join(format!("charts/{name}-{version}.tgz"));
        if name == "superset" {
            // An existing release gen links to: no chart here (see the
            // upstream README), and its images are the release's own.
            continue;
        }
        assert!(package.is_file(), "no pinned chart {}", package.display());
        let values = dir.path().join(format!("{component}.yaml"));
        std::fs::write(&values, &tree.files[&format!("values/{component}.yaml")]).unwrap();
        let rendered = Command::new(common::helm())
            .arg("template")
            .arg(chart["helm"]["releaseName"].as_str().unwrap())
            .arg(&package)
            .args([
                "--namespace",
                app["spec"]["destination"]["namespace"].as_str().unwrap(),
            ])
            .args(["--kube-version", "1.33.0", "-f"])
            .arg(&values)
            .output()
            .unwrap();
        assert!(
            rendered.status.success(),
            "helm template {name} failed:\n{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        for image in images(&String::from_utf8(rendered.stdout).unwrap()) {
            out.push((component.to_string(), image));
        }
    }
    out
}

fn with_mirror(mirror: &str) -> platgen::RenderedTree {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    let overlay = std::fs::read_to_string(dir.path().join("envs/prod.yaml")).unwrap();
    std::fs::write(
        dir.path().join("envs/prod.yaml"),
        format!("{overlay}\nimages:\n{mirror}"),
    )
    .unwrap();
    platgen::Platform::load(dir.path())
        .unwrap()
        .render("prod")
        .unwrap()
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn every_image_comes_from_the_mirror() {
    let up = common::upstream().unwrap();
    let mirror = "registry.corp.example:5000/mirror";
    let tree = with_mirror(&format!(
        "  mirror:\n    registry: {mirror}\n    paths:\n      quay.io: quay\n"
    ));
    let mut all = chart_images(&up, &tree);
    let components: std::collections::BTreeSet<&str> =
        all.iter().map(|(c, _)| c.as_str()).collect();
    for c in [
        "elasticsearch",
        "kafka",
        "neo4j",
        "datahub",
        "mlflow",
        "doris-operator",
        "kuberay-operator",
    ] {
        assert!(components.contains(c), "no image rendered for {c}: {all:?}");
    }
    for (path, text) in &tree.files {
        if path.starts_with("manifests/") {
            all.extend(images(text).into_iter().map(|i| (path.clone(), i)));
        }
    }
    assert!(all.len() > 20, "{all:?}");
    for (from, image) in &all {
        assert!(
            image.starts_with(&format!("{mirror}/")),
            "{from}: {image} is not pulled from the mirror"
        );
        assert!(
            !image.contains("/quay.io/"),
            "{from}: {image}: quay.io is renamed `quay` under the mirror"
        );
    }
    // Each source registry keeps its path under the mirror.
    let pulled: Vec<&str> = all.iter().map(|(_, i)| i.as_str()).collect();
    for want in [
        "registry.corp.example:5000/mirror/docker.io/bitnamilegacy/kafka:",
        "registry.corp.example:5000/mirror/docker.io/library/neo4j:5.17.0",
        "registry.corp.example:5000/mirror/quay/kuberay/operator:v1.7.0",
        "registry.corp.example:5000/mirror/docker.io/acryldata/datahub-gms:",
        "registry.corp.example:5000/mirror/docker.io/library/mysql:",
        "registry.corp.example:5000/mirror/docker.io/rayproject/ray:2.9.0",
    ] {
        assert!(
            pulled.iter().any(|i| i.starts_with(want)),
            "no {want}* in {pulled:#?}"
        );
    }
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn bitnami_charts_render_from_a_private_registry_and_from_docker_hub() {
    let up = common::upstream().unwrap();
    // A private registry holding the bitnamilegacy images: the charts'
    // image check needs its switch, which gen sets.
    let tree = with_mirror("  bitnamiRegistry: harbor.corp.example\n");
    let images = chart_images(&up, &tree);
    assert!(images
        .iter()
        .any(|(c, i)| c == "kafka" && i.starts_with("harbor.corp.example/bitnamilegacy/kafka:")));
    // Docker Hub's own copies: no switch, and the charts still render.
    let tree = platgen::Platform::builtin()
        .unwrap()
        .render("prod")
        .unwrap();
    let values = &tree.files["values/kafka.yaml"];
    assert!(!values.contains("allowInsecureImages"), "{values}");
    let images = chart_images(&up, &tree);
    assert!(images.iter().all(|(_, i)| !i.contains("registry.corp")));
}

#[test]
fn the_kubeflow_manifests_images_are_moved_by_argo_cd() {
    let mirror = "mirror.local:5000";
    let tree = with_mirror(&format!("  mirror:\n    registry: {mirror}\n"));
    let mut moved = Vec::new();
    for app in ["apps/kubeflow-pipelines.yaml", "apps/katib.yaml"] {
        let doc = common::doc(&tree, app);
        for source in doc["spec"]["sources"].as_array().unwrap() {
            let Some(k) = source.get("kustomize") else {
                continue;
            };
            let images = k["images"].as_array().unwrap();
            assert!(!images.is_empty(), "{app}");
            for i in images {
                let (name, new) = i.as_str().unwrap().split_once('=').unwrap();
                assert!(
                    !name.rsplit('/').next().unwrap().contains(':'),
                    "{app}: {name} has a tag"
                );
                assert!(new.starts_with(&format!("{mirror}/")), "{app}: {new}");
                assert!(
                    new.contains(name.trim_start_matches("docker.io/")),
                    "{app}: {name} → {new}"
                );
                moved.push(new.to_string());
            }
            // The images outside container fields, in the patches.
            for p in k["patches"].as_array().unwrap() {
                let patch = common::yaml_docs(app, p["patch"].as_str().unwrap()).remove(0);
                if patch["kind"] == "Namespace" {
                    continue;
                }
                let mut text = serde_json::to_string(&patch).unwrap();
                if let Some(config) = patch["data"]["katib-config.yaml"].as_str() {
                    let config = common::yaml_docs("katib-config", config).remove(0);
                    assert_eq!(config["kind"], "KatibConfig");
                    text = serde_json::to_string(&config).unwrap();
                    let n = text.matches("\"image\":").count();
                    assert_eq!(
                        n, 15,
                        "every collector, suggestion and early stopping: {text}"
                    );
                }
                for registry in ["ghcr.io", "quay.io", "docker.io"] {
                    assert!(
                        !text.contains(&format!("\"{registry}/")),
                        "{app}: an image not moved: {text}"
                    );
                }
                assert!(text.contains(mirror), "{app}: {text}");
            }
        }
    }
    for want in [
        "mirror.local:5000/ghcr.io/kubeflow/kfp-api-server:2.17.0",
        "mirror.local:5000/docker.io/library/mysql:8.4",
        "mirror.local:5000/docker.io/alpine:3.23",
        "mirror.local:5000/ghcr.io/kubeflow/katib/katib-controller:v0.19.0",
    ] {
        assert!(moved.iter().any(|m| m == want), "no {want} in {moved:#?}");
    }
    // Without a mirror, Argo CD changes no image.
    let plain = platgen::Platform::builtin()
        .unwrap()
        .render("prod")
        .unwrap();
    assert!(!plain.files["apps/katib.yaml"].contains("images:"));
}
