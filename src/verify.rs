//! `gen verify`: what gen claims about the charts, checked against the
//! charts rendered for real. Every Helm release of an env is rendered with
//! its vendored chart and the values gen wrote (`helm template`, one
//! process per release, in parallel), and every address a component
//! declares — what DataHub, Superset and the smoke checks connect to —
//! must name a Service, and a port of it, that the component's chart
//! creates in that namespace.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Diagnostic, Error, Result};
use crate::model::{Address, Chart};
use crate::resolve::Resolved;
use crate::tree::RenderedTree;

/// What `gen verify` found for one env.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verified {
    /// The env.
    pub env: String,
    /// The releases rendered with their charts.
    pub releases: Vec<RenderedRelease>,
    /// Every address checked, as `component role → service.namespace:port`.
    pub checked: Vec<String>,
    /// Addresses no vendored chart here creates (a custom resource's
    /// operator, a Git source): listed, not checked.
    pub not_checked: Vec<String>,
    /// What is wrong: an address no chart creates.
    #[serde(skip)]
    pub findings: Vec<Diagnostic>,
}

/// One release rendered with its chart.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RenderedRelease {
    /// The component installing it.
    pub component: String,
    /// Release name.
    pub release: String,
    /// Namespace.
    pub namespace: String,
    /// `name version` of the chart.
    pub chart: String,
    /// The Services it creates: `name` → ports.
    pub services: BTreeMap<String, Vec<u16>>,
}

/// A release to render: its component, chart package and values text.
struct Job<'a> {
    component: &'static str,
    release: String,
    namespace: String,
    chart: &'a Chart,
    package: &'a Path,
    values: &'a str,
}

/// Verifies `r` (rendered as `tree`) against the vendored charts.
pub(crate) fn verify(
    r: &Resolved,
    tree: &RenderedTree,
    vendored: &crate::charts::Vendored,
    helm: &Path,
) -> Result<Verified> {
    let mut jobs = Vec::new();
    for (c, slot) in r.enabled() {
        let Some(chart) = &slot.chart else { continue };
        let Some(values) = tree.files.get(&format!("values/{}.yaml", c.name())) else {
            continue;
        };
        let Some(package) = vendored.package(chart) else {
            continue;
        };
        jobs.push(Job {
            component: c.name(),
            release: slot
                .common
                .release
                .clone()
                .unwrap_or_else(|| c.name().to_string()),
            namespace: slot.namespace().to_string(),
            chart,
            package,
            values,
        });
    }
    let rendered = crate::parallel::in_parallel(&jobs, |j| template(helm, j));
    let releases = crate::error::all_of(rendered)?;
    let mut out = Verified {
        env: r.env.clone(),
        releases,
        checked: Vec::new(),
        not_checked: Vec::new(),
        findings: Vec::new(),
    };
    for ((component, role), a) in &r.facts.addresses {
        let shown = format!("{component} {role} → {}:{}", a.host(), a.port);
        let Some(rel) = out.releases.iter().find(|rel| rel.component == *component) else {
            out.not_checked.push(shown);
            continue;
        };
        match problem(rel, a) {
            None => out.checked.push(shown),
            Some(why) => {
                let found = r.all().find(|(c, _)| c.name() == *component);
                let mut at = found.map(|(c, _)| c.section_path()).unwrap_or_default();
                at.push("release".into());
                let passthrough = if found.is_some_and(|(_, s)| s.common.values.is_some()) {
                    "; its `values:` may change what the chart creates"
                } else {
                    ""
                };
                out.findings.push(
                    Diagnostic::new(format!(
                        "{}: {component}'s `{role}` address is {}:{}, but {why}",
                        r.env,
                        a.host(),
                        a.port
                    ))
                    .at(Some(r.locate(&at)))
                    .path(at.join("."))
                    .help(format!(
                        "chart {} (release `{}` in `{}`) creates {}{passthrough}",
                        rel.chart,
                        rel.release,
                        rel.namespace,
                        listed(&rel.services)
                    )),
                );
            }
        }
    }
    Ok(out)
}

/// What is wrong with `a` for the release that should serve it.
fn problem(rel: &RenderedRelease, a: &Address) -> Option<String> {
    if a.namespace != rel.namespace {
        return Some(format!(
            "the release is installed in namespace `{}`",
            rel.namespace
        ));
    }
    match rel.services.get(&a.service) {
        None => Some(format!("the chart creates no Service `{}`", a.service)),
        Some(ports) if !ports.contains(&a.port) => {
            Some(format!("Service `{}` has no port {}", a.service, a.port))
        }
        Some(_) => None,
    }
}

fn listed(services: &BTreeMap<String, Vec<u16>>) -> String {
    if services.is_empty() {
        return "no Service".into();
    }
    services
        .iter()
        .map(|(name, ports)| {
            let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
            format!("{name}:{}", ports.join("/"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `helm template` of one release; the Services it creates.
fn template(helm: &Path, j: &Job<'_>) -> Result<RenderedRelease> {
    let label = format!("{} {}", j.chart.name, j.chart.version);
    let fail = |why: String| {
        Error::Usage(
            Diagnostic::new(format!(
                "helm template of chart {label} (release `{}`) failed: {why}",
                j.release
            ))
            .help("the chart refuses these values: `gen render` and run the same `helm template` to see it"),
        )
    };
    let mut child = Command::new(helm)
        .arg("template")
        .arg(&j.release)
        .arg(j.package)
        .args(["--namespace", &j.namespace, "--include-crds", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("{} does not run: {e}", helm.display())))?;
    let mut stdin = child.stdin.take().expect("piped");
    let values = j.values.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(values.as_bytes()));
    let output = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
    let _ = writer.join();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(fail(
            crate::names::mask_credentials(stderr.trim()).into_owned(),
        ));
    }
    let text = String::from_utf8(output.stdout).map_err(|_| fail("output is not UTF-8".into()))?;
    let source = std::sync::Arc::new(crate::error::Source {
        name: format!("helm template {label}"),
        text,
    });
    let limits = crate::yaml::Limits {
        max_bytes: usize::MAX,
        ..crate::yaml::Limits::default()
    };
    let docs = crate::yaml::parse_documents(source, limits).map_err(|d| fail(d.message))?;
    let mut services = BTreeMap::new();
    for doc in docs {
        let v = doc.to_json();
        if v["kind"] != "Service" {
            continue;
        }
        let ns = v["metadata"]["namespace"].as_str().unwrap_or(&j.namespace);
        let Some(name) = v["metadata"]["name"].as_str().filter(|_| ns == j.namespace) else {
            continue;
        };
        let ports = v["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["port"].as_u64())
            .filter_map(|p| u16::try_from(p).ok())
            .collect();
        services.insert(name.to_string(), ports);
    }
    Ok(RenderedRelease {
        component: j.component.to_string(),
        release: j.release.clone(),
        namespace: j.namespace.clone(),
        chart: label,
        services,
    })
}
