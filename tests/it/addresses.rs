//! Every in-cluster address gen writes (DataHub's Elasticsearch, Kafka and
//! Neo4j, every smoke check's target) names a Service and port that the
//! chart behind it really creates, proven with `helm template` of the
//! pinned charts — on a platform unlike the example: every release
//! renamed, Elasticsearch and Kafka in namespaces of their own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::common;

/// `(Service, namespace)` → its ports, of every Helm release of `tree`
/// rendered with its pinned chart and gen's values.
fn chart_services(up: &Path, tree: &platgen::RenderedTree) -> BTreeMap<(String, String), Vec<u64>> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = BTreeMap::new();
    for (path, text) in &tree.files {
        let Some(component) = path
            .strip_prefix("apps/")
            .and_then(|p| p.strip_suffix(".yaml"))
        else {
            continue;
        };
        let app = common::yaml_docs(path, text).remove(0);
        let Some(chart) = app["spec"]["sources"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["chart"].is_string()))
        else {
            continue;
        };
        let name = chart["chart"].as_str().unwrap();
        if name == "superset" {
            continue; // not among the pinned packages (see their README)
        }
        let package = up.join(format!(
            "charts/{name}-{}.tgz",
            chart["targetRevision"].as_str().unwrap()
        ));
        let values = dir.path().join(format!("{component}.yaml"));
        std::fs::write(&values, &tree.files[&format!("values/{component}.yaml")]).unwrap();
        let namespace = app["spec"]["destination"]["namespace"].as_str().unwrap();
        let rendered = Command::new(common::helm())
            .arg("template")
            .arg(chart["helm"]["releaseName"].as_str().unwrap())
            .arg(&package)
            .args(["--namespace", namespace, "--kube-version", "1.33.0", "-f"])
            .arg(&values)
            .output()
            .unwrap();
        assert!(
            rendered.status.success(),
            "helm template {name} failed:\n{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        for doc in common::yaml_docs(name, &String::from_utf8(rendered.stdout).unwrap()) {
            if doc["kind"] != "Service" {
                continue;
            }
            let ports = doc["spec"]["ports"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["port"].as_u64().unwrap())
                .collect();
            let ns = doc["metadata"]["namespace"].as_str().unwrap_or(namespace);
            out.insert(
                (
                    doc["metadata"]["name"].as_str().unwrap().to_string(),
                    ns.to_string(),
                ),
                ports,
            );
        }
    }
    out
}

/// Every `<service>.<namespace>.svc.cluster.local[:port]` in the tree,
/// with where it was found; a smoke check's `HOST` gets its `PORT`.
fn addresses(tree: &platgen::RenderedTree) -> Vec<(String, String, Option<u64>, String)> {
    fn walk(
        v: &serde_json::Value,
        from: &str,
        out: &mut Vec<(String, String, Option<u64>, String)>,
    ) {
        match v {
            serde_json::Value::String(s) => {
                for word in s.split(|c: char| c.is_whitespace() || "\"'/,@".contains(c)) {
                    let Some((host, rest)) = word.split_once(".svc.cluster.local") else {
                        continue;
                    };
                    let Some((svc, ns)) = host.rsplit_once('.') else {
                        continue;
                    };
                    let port = rest.strip_prefix(':').and_then(|p| p.parse().ok());
                    out.push((svc.to_string(), ns.to_string(), port, from.to_string()));
                }
            }
            serde_json::Value::Array(items) => {
                // A container's env: HOST and PORT together.
                let var = |n: &str| {
                    items
                        .iter()
                        .find(|e| e["name"] == n)
                        .and_then(|e| e["value"].as_str())
                };
                if let (Some(host), Some(port)) = (var("HOST"), var("PORT")) {
                    if let Some((svc, ns)) = host
                        .strip_suffix(".svc.cluster.local")
                        .and_then(|h| h.rsplit_once('.'))
                    {
                        out.push((
                            svc.into(),
                            ns.into(),
                            port.parse().ok(),
                            format!("{from} (HOST, PORT)"),
                        ));
                    }
                }
                items.iter().for_each(|i| walk(i, from, out));
            }
            serde_json::Value::Object(m) => m.values().for_each(|i| walk(i, from, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (path, text) in &tree.files {
        for doc in common::yaml_docs(path, text) {
            walk(&doc, path, &mut out);
        }
    }
    out
}

/// Checks every address in `tree` against the Services its charts create
/// (config in `dir`); the `<service>.<namespace>` it checked.
fn every_address_resolves(up: &Path, dir: &Path, tree: &platgen::RenderedTree) -> BTreeSet<String> {
    let services = chart_services(up, tree);
    // What no chart here creates: the custom resources' Services (made by
    // their operators), Kubeflow's (a Git source), and the services the
    // platform only connects to (`external:`).
    let effective = common::yaml_file(&dir.join("platform.yaml"));
    let external: BTreeSet<String> = ["postgresql", "minio"]
        .iter()
        .filter_map(|k| effective["external"][k]["host"].as_str())
        .map(|h| h.trim_end_matches(".svc.cluster.local").to_string())
        .collect();
    let mut not_charts = BTreeSet::new();
    for (path, text) in &tree.files {
        for doc in common::yaml_docs(path, text) {
            let kind = doc["kind"].as_str().unwrap_or_default();
            if ["DorisCluster", "RayCluster", "RayService"].contains(&kind) {
                not_charts.insert((
                    doc["metadata"]["name"].as_str().unwrap().to_string(),
                    doc["metadata"]["namespace"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    let found = addresses(tree);
    let mut checked = BTreeSet::new();
    for (svc, ns, port, from) in &found {
        if external.contains(&format!("{svc}.{ns}"))
            || ns == "kubeflow"
            || not_charts
                .iter()
                .any(|(cr, cr_ns)| cr_ns == ns && svc.starts_with(&format!("{cr}-")))
        {
            continue;
        }
        let ports = services.get(&(svc.clone(), ns.clone())).unwrap_or_else(|| {
            panic!(
                "{from}: `{svc}.{ns}` is no Service the charts create; they create {:?}",
                services.keys().collect::<Vec<_>>()
            )
        });
        if let Some(p) = port {
            assert!(
                ports.contains(p),
                "{from}: `{svc}.{ns}` has no port {p}, only {ports:?}"
            );
        }
        checked.insert(format!("{svc}.{ns}"));
    }
    checked
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn every_address_names_a_service_and_port_the_chart_creates_when_releases_are_renamed() {
    let up = common::upstream().unwrap();
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
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
        common::edit(dir.path(), "platform.yaml", from, to);
    }
    let tree = platgen::Platform::load(dir.path())
        .unwrap()
        .render("prod")
        .unwrap();
    let checked = every_address_resolves(&up, dir.path(), &tree);
    // The renamed releases' addresses were among them, each in its own
    // namespace.
    let want = [
        "es-elasticsearch.search",
        "bus-kafka.events",
        "graph.data-platform",
        "dh-datahub-gms.data-platform",
        "tracking-mlflow.ml-platform",
    ];
    for w in want {
        assert!(
            checked.contains(w),
            "no address of {w} checked: {checked:?}"
        );
    }
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn a_name_override_in_values_moves_the_addresses_with_it() {
    let up = common::upstream().unwrap();
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    std::fs::write(
        dir.path().join("envs/prod.yaml"),
        "components:\n  kafka:\n    values:\n      fullnameOverride: events\n  elasticsearch:\n    values:\n      nameOverride: logs\n",
    )
    .unwrap();
    let tree = platgen::Platform::load(dir.path())
        .unwrap()
        .render("prod")
        .unwrap();
    let checked = every_address_resolves(&up, dir.path(), &tree);
    for w in ["events.data-platform", "elasticsearch-logs.data-platform"] {
        assert!(
            checked.contains(w),
            "no address of {w} checked: {checked:?}"
        );
    }
}
