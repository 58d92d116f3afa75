//! `gen render --hydrate`, the rendered-manifests pattern: a release's
//! objects as Helm renders them, committed one file per object under the
//! env's `rendered/<component>/`, so Argo CD syncs reviewed YAML and runs
//! no Helm. Each object is Helm's text unchanged (re-writing it could
//! change what Kubernetes reads, such as a YAML 1.1 octal `0440`), so Helm
//! hooks keep their `helm.sh/hook` annotations, which Argo CD maps onto
//! its own hooks on any manifest as it does on its Helm renders
//! (`pre-install`/`pre-upgrade`: PreSync, `post-install`/`post-upgrade`:
//! PostSync).
//!
//! A release is hydrated only when that is safe to commit and stable: its
//! render holds no Secret (a chart's generated passwords, keys and
//! certificates stay out of Git) and rendering it twice gives the same
//! bytes (nothing generated at random). Any other release stays a Helm
//! source, and the reason is said.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{jobs, parse, render_twice, Helm, Job, Objects};
use crate::error::{Error, Result};
use crate::resolve::Resolved;
use crate::tree::RenderedTree;

/// One env's hydrated releases.
#[derive(Debug, Clone, Default)]
pub struct Hydrated {
    /// The env.
    pub env: String,
    /// Per hydrated component, its files: `(rendered/<component>/<kind>-<name>.yaml, text)`.
    pub files: BTreeMap<String, Vec<(String, String)>>,
    /// Releases that stay Helm sources, each with why.
    pub kept: Vec<String>,
}

/// Renders every release of `envs` twice (in parallel) and hydrates those
/// whose render is safe and stable; `header` gives an env's generated
/// header.
pub(crate) fn hydrate(
    envs: &[(Resolved, RenderedTree)],
    parsed: &[Objects],
    vendored: &crate::charts::Vendored,
    helm: &Helm,
    header: impl Fn(&str) -> String + Sync,
) -> Result<Vec<Hydrated>> {
    let jobs = jobs(envs, vendored, parsed);
    let labelled: Vec<(&Job<'_>, String)> = jobs
        .iter()
        .map(|(_, j)| (j, format!("{} {}", j.chart.name, j.chart.version)))
        .collect();
    let texts = render_twice(helm, &labelled)?;
    let mut out: Vec<Hydrated> = envs
        .iter()
        .map(|(r, _)| Hydrated {
            env: r.env.clone(),
            ..Hydrated::default()
        })
        .collect();
    for ((i, j), pair) in jobs.iter().zip(&texts) {
        let h = &mut out[*i];
        let label = format!("{} {}", j.chart.name, j.chart.version);
        match objects(j, &label, &pair[0], &pair[1])? {
            Ok(objects) => {
                let head = format!(
                    "{}\n# Rendered by Helm (`gen render --hydrate`): chart {label}, release `{}` in `{}`.\n",
                    header(&h.env),
                    j.release,
                    j.namespace
                );
                let files = files(j.component, objects)
                    .into_iter()
                    .map(|(path, text)| (path, format!("{head}{text}")))
                    .collect();
                h.files.insert(j.component.to_string(), files);
            }
            Err(why) => h.kept.push(format!(
                "{} (chart {label}): stays a Helm source: {why}",
                j.component
            )),
        }
    }
    Ok(out)
}

/// The objects of a release rendered twice as `a` and `b`, each with
/// Helm's text of it, or why it cannot be hydrated.
fn objects(
    j: &Job<'_>,
    label: &str,
    a: &str,
    b: &str,
) -> Result<std::result::Result<Vec<(Value, String)>, String>> {
    if a != b {
        return Ok(Err(
            "it renders differently each time (the chart generates values: passwords, keys or certificates)".into(),
        ));
    }
    let mut objects = Vec::new();
    for text in documents(a) {
        let Some(v) = parse(&format!("helm template {label}"), &text)?.pop() else {
            continue;
        };
        if v.is_null() {
            continue;
        }
        if v["kind"] == "Secret" {
            let name = v["metadata"]["name"].as_str().unwrap_or_default();
            return Ok(Err(format!(
                "it renders Secret `{name}`, and credentials stay out of Git"
            )));
        }
        objects.push((v, text));
    }
    if objects.is_empty() {
        return Err(Error::Usage(crate::error::Diagnostic::new(format!(
            "helm template of chart {label} (release `{}`) rendered no object",
            j.release
        ))));
    }
    Ok(Ok(objects))
}

/// The documents of Helm's output, each as Helm wrote it (its `# Source:`
/// line included), ending in one newline.
fn documents(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut doc = String::new();
    for line in text.lines() {
        if line == "---" || line.starts_with("--- ") {
            out.push(std::mem::take(&mut doc));
            continue;
        }
        doc.push_str(line);
        doc.push('\n');
    }
    out.push(doc);
    out.into_iter()
        .map(|d| format!("{}\n", d.trim_end()))
        .filter(|d| d.trim() != "")
        .collect()
}

/// One file per object: `rendered/<component>/<kind>-<name>.yaml` (the
/// namespace added when two objects would share a name), sorted by path.
fn files(component: &str, objects: Vec<(Value, String)>) -> Vec<(String, String)> {
    let stem = |v: &Value| {
        format!(
            "{}-{}",
            v["kind"].as_str().unwrap_or("object").to_lowercase(),
            v["metadata"]["name"].as_str().unwrap_or("unnamed")
        )
    };
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (v, text) in &objects {
        let shared = objects.iter().filter(|(o, _)| stem(o) == stem(v)).count() > 1;
        let name = match (shared, v["metadata"]["namespace"].as_str()) {
            (true, Some(ns)) => format!("{}-{ns}", stem(v)),
            _ => stem(v),
        };
        let mut path = format!("rendered/{component}/{name}.yaml");
        let mut n = 2;
        while out.contains_key(&path) {
            path = format!("rendered/{component}/{name}-{n}.yaml");
            n += 1;
        }
        out.insert(path, text.clone());
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn helms_documents_are_kept_as_helm_wrote_them() {
        let text = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  mode: 0440\n\n---\n# Source: c/templates/empty.yaml\n---\nkind: Job\n";
        assert_eq!(
            documents(text),
            [
                "# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  mode: 0440\n",
                "# Source: c/templates/empty.yaml\n",
                "kind: Job\n"
            ]
        );
    }

    #[test]
    fn one_file_per_object_named_by_kind_and_name() {
        let objects = vec![
            json!({"kind": "StatefulSet", "metadata": {"name": "graph"}}),
            json!({"kind": "Service", "metadata": {"name": "graph"}}),
            json!({"kind": "Role", "metadata": {"name": "r", "namespace": "a"}}),
            json!({"kind": "Role", "metadata": {"name": "r", "namespace": "b"}}),
        ];
        let files = files(
            "neo4j",
            objects
                .into_iter()
                .enumerate()
                .map(|(i, v)| (v, format!("text {i}\n")))
                .collect(),
        );
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "rendered/neo4j/role-r-a.yaml",
                "rendered/neo4j/role-r-b.yaml",
                "rendered/neo4j/service-graph.yaml",
                "rendered/neo4j/statefulset-graph.yaml"
            ]
        );
        assert_eq!(files[2].1, "text 1\n");
    }
}
