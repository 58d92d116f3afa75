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

mod changes;
mod hydrate;
mod objects;
mod operators;

pub(crate) use changes::{object_changes, Side};
pub(crate) use hydrate::hydrate;
pub use hydrate::Hydrated;

/// What `gen verify` found for one env.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verified {
    /// The env.
    pub env: String,
    /// The releases rendered with their charts.
    pub releases: Vec<RenderedRelease>,
    /// Every address checked, as `component role → service.namespace:port`.
    pub checked: Vec<String>,
    /// Addresses nothing gen renders here is seen to create (a Git
    /// source's, a chart's not vendored, a service outside the platform
    /// under `external:`): listed, not checked.
    pub not_checked: Vec<String>,
    /// Every custom resource gen writes whose definition is installed in
    /// time: `Kind name (file) → from component`.
    pub crds_checked: Vec<String>,
    /// Custom resources whose definition no release here installs (an
    /// operator installed outside the platform): listed, not checked.
    pub crds_outside: Vec<String>,
    /// Every Secret the charts' pods read, with where it comes from.
    pub secrets_checked: Vec<String>,
    /// How many image references (the charts' and gen's own manifests')
    /// were checked against the env's registry settings.
    pub images_checked: usize,
    /// What is wrong: an address no chart creates, a custom resource
    /// applied before (or without) its definition.
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
    /// The custom resource definitions it installs, as `Kind.group`.
    pub crds: Vec<String>,
    /// The Secrets it creates itself.
    pub secrets: Vec<String>,
    /// What its pods read from Secrets.
    #[serde(skip)]
    reads: Vec<SecretRead>,
    /// Every image it runs: `(object, image)`.
    #[serde(skip)]
    images: Vec<(String, String)>,
    /// Its pods, Jobs and volumes, for `gen plan`.
    #[serde(skip)]
    pub(crate) workloads: Vec<crate::model::Workload>,
}

/// A Secret a pod reads: `key` is `None` for the whole Secret (`envFrom`,
/// a volume).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
struct SecretRead {
    object: String,
    secret: String,
    key: Option<String>,
}

/// A release to render: its component, chart package and values text.
struct Job<'a> {
    component: &'static str,
    release: String,
    namespace: String,
    chart: &'a Chart,
    package: &'a Path,
    digest: &'a str,
    values: &'a str,
    /// `--kube-version`, when the env sets one.
    kube_version: Option<&'a str>,
    /// `--api-versions`: the custom resources the env's objects are.
    api_versions: &'a [String],
}

/// The real Helm, and where its renders are kept.
pub(crate) struct Helm {
    /// The binary.
    pub path: std::path::PathBuf,
    /// The folder of kept renders, when they are kept.
    pub cache: Option<std::path::PathBuf>,
}

impl Helm {
    /// The Helm `$HELM` or PATH names, its renders kept in `cache`.
    pub(crate) fn named(cache: Option<&Path>) -> Helm {
        Helm {
            path: crate::vendor::helm::named(),
            cache: cache.map(Path::to_path_buf),
        }
    }

    /// What tells this Helm from another: its file's size and time.
    fn identity(&self) -> String {
        let found = if self.path.components().count() > 1 {
            Some(self.path.clone())
        } else {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(&self.path))
                    .find(|p| p.is_file())
            })
        };
        let meta = found.and_then(|p| std::fs::metadata(&p).ok().map(|m| (p, m)));
        match meta {
            Some((p, m)) => {
                let time = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{} {} {time}", p.display(), m.len())
            }
            None => self.path.display().to_string(),
        }
    }
}

/// Where renders are kept unless told otherwise: `$PLATGEN_CACHE_DIR`,
/// else `$XDG_CACHE_HOME/platgen`, else `~/.cache/platgen`.
pub fn default_cache() -> Option<std::path::PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
    };
    var("PLATGEN_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("platgen")))
        .or_else(|| var("HOME").map(|h| h.join(".cache/platgen")))
}

/// The objects of an env's `manifests/` and `apps/`, parsed once, each
/// with its file.
pub(crate) struct Objects {
    manifests: Vec<(String, serde_json::Value)>,
    apps: Vec<(String, serde_json::Value)>,
    /// The custom resources among them, as `--api-versions` takes them.
    apis: Vec<String>,
}

impl Objects {
    /// From every object of an env's `manifests/` and `apps/` files, each
    /// with its file.
    pub(crate) fn new(objects: Vec<(String, serde_json::Value)>) -> Objects {
        let (apps, manifests): (Vec<_>, Vec<_>) = objects
            .into_iter()
            .partition(|(f, _)| f.starts_with("apps/"));
        let apis = api_versions(manifests.iter().chain(&apps).map(|(_, v)| v));
        Objects {
            manifests,
            apps,
            apis,
        }
    }

    /// An env's objects, read from its files.
    #[cfg(test)]
    fn parse(tree: &RenderedTree) -> Objects {
        let mut all = Vec::new();
        for (path, text) in &tree.files {
            if path.starts_with("manifests/") || path.starts_with("apps/") {
                all.extend(
                    parse(path, text)
                        .unwrap()
                        .into_iter()
                        .map(|v| (path.clone(), v)),
                );
            }
        }
        Objects::new(all)
    }
}

/// Every Helm release of `envs` with a vendored chart, with the index of
/// its env.
fn jobs<'a>(
    envs: &'a [(Resolved, RenderedTree)],
    vendored: &'a crate::charts::Vendored,
    objects: &'a [Objects],
) -> Vec<(usize, Job<'a>)> {
    let mut jobs = Vec::new();
    for (i, (r, tree)) in envs.iter().enumerate() {
        for (c, slot) in r.enabled() {
            let Some(chart) = &slot.chart else { continue };
            let Some(values) = tree.files.get(&format!("values/{}.yaml", c.name())) else {
                continue;
            };
            let Some((package, digest)) = vendored.package(chart) else {
                continue;
            };
            let job = Job {
                component: c.name(),
                release: slot
                    .common
                    .release
                    .clone()
                    .unwrap_or_else(|| c.name().to_string()),
                namespace: slot.namespace().to_string(),
                chart,
                package,
                digest,
                values,
                kube_version: r.platform.kubernetes_version.as_deref(),
                api_versions: &objects[i].apis,
            };
            jobs.push((i, job));
        }
    }
    jobs
}

/// Verifies every `(resolved, rendered)` env against the vendored charts:
/// the releases of all of them rendered in one pool.
pub(crate) fn verify(
    envs: &[(Resolved, RenderedTree)],
    objects: &[Objects],
    vendored: &crate::charts::Vendored,
    helm: &Helm,
) -> Result<Vec<Verified>> {
    let jobs = jobs(envs, vendored, objects);
    let identity = helm.identity();
    // A release rendered the same way in several envs (an operator, an env
    // like another) is rendered once.
    let keys: Vec<String> = jobs.iter().map(|(_, j)| key(&identity, j)).collect();
    let mut unique: Vec<(&str, &Job<'_>)> = Vec::new();
    for (k, (_, j)) in keys.iter().zip(&jobs) {
        if !unique.iter().any(|(u, _)| *u == k.as_str()) {
            unique.push((k, j));
        }
    }
    // The slowest charts first, so the workers end together.
    unique.sort_by_key(|(_, j)| std::cmp::Reverse(j.values.len()));
    // Helm itself runs on more than one core, and waits on its files: two
    // processes per core keep the cores busy.
    let extracts = crate::parallel::in_parallel_by(2, &unique, |(k, j)| {
        template(helm, k, j).map(|x| (k.to_string(), x))
    });
    let extracts: BTreeMap<String, Extract> = crate::error::all_of(extracts)?.into_iter().collect();
    let rendered = jobs.iter().zip(&keys).map(|((i, j), k)| {
        let x = &extracts[k];
        let chart = format!("{} {}", j.chart.name, j.chart.version);
        let workloads = x
            .workloads
            .iter()
            .map(|c| {
                objects::workload(
                    c,
                    j.component,
                    &j.namespace,
                    &chart,
                    crate::components::DEFAULT_CLASS,
                )
            })
            .collect();
        Ok((
            *i,
            RenderedRelease {
                component: j.component.to_string(),
                release: j.release.clone(),
                namespace: j.namespace.clone(),
                chart: format!("{} {}", j.chart.name, j.chart.version),
                services: x.services.clone(),
                crds: x.crds.clone(),
                secrets: x.secrets.clone(),
                reads: x.reads.clone(),
                images: x.images.clone(),
                workloads,
            },
        ))
    });
    let mut by_env: Vec<Vec<RenderedRelease>> = envs.iter().map(|_| Vec::new()).collect();
    for (i, rel) in crate::error::all_of(rendered.collect())? {
        by_env[i].push(rel);
    }
    let each: Vec<(usize, Vec<RenderedRelease>)> = by_env.into_iter().enumerate().collect();
    crate::error::all_of(crate::parallel::in_parallel(&each, |(i, releases)| {
        let r = &envs[*i].0;
        let mut releases = releases.clone();
        releases.sort_by_key(|rel| {
            r.all()
                .position(|(c, _)| c.name() == rel.component)
                .unwrap_or(usize::MAX)
        });
        Ok(check(r, &objects[*i], releases))
    }))
}

/// What one env's rendered releases say of what gen wrote.
fn check(r: &Resolved, objects: &Objects, releases: Vec<RenderedRelease>) -> Verified {
    let mut out = Verified {
        env: r.env.clone(),
        releases,
        checked: Vec::new(),
        not_checked: Vec::new(),
        crds_checked: Vec::new(),
        crds_outside: Vec::new(),
        secrets_checked: Vec::new(),
        images_checked: 0,
        findings: Vec::new(),
    };
    let manifests = &objects.manifests;
    let apps = applications(&objects.apps);
    let made = operators::services(manifests);
    let section = |component: &str| {
        r.all()
            .find(|(c, _)| c.name() == component)
            .map(|(c, _)| c.section_path())
            .unwrap_or_default()
    };
    for ((component, role), a) in &r.facts.addresses {
        let shown = format!("{component} {role} → {}:{}", a.host(), a.port);
        // The address is wrong: said at the config path `at`.
        let wrong = |at: &[String], why: String, help: String| {
            Diagnostic::new(format!(
                "{}: {component}'s `{role}` address is {}:{}, but {why}",
                r.env,
                a.host(),
                a.port
            ))
            .at(Some(r.locate(at)))
            .path(at.join("."))
            .help(help)
        };
        let Some(rel) = out.releases.iter().find(|rel| rel.component == *component) else {
            // What an operator makes from the component's custom resources.
            let files: Vec<&String> = apps
                .iter()
                .filter(|app| app.component == *component)
                .flat_map(|app| &app.manifests)
                .collect();
            let own: Vec<&operators::Made> =
                made.iter().filter(|m| files.contains(&&m.file)).collect();
            if own.is_empty() {
                out.not_checked.push(shown);
                continue;
            }
            match made_problem(&own, a) {
                None => out.checked.push(shown),
                Some(why) => out.findings.push(wrong(
                    &section(component),
                    why,
                    format!(
                        "its operator makes {} (the operators' naming rules: `gen verify --help`)",
                        made_listed(&own)
                    ),
                )),
            }
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
                out.findings.push(wrong(
                    &at,
                    why,
                    format!(
                        "chart {} (release `{}` in `{}`) creates {}{passthrough}",
                        rel.chart,
                        rel.release,
                        rel.namespace,
                        listed(&rel.services)
                    ),
                ));
            }
        }
    }
    // Services outside the platform: listed, not checked.
    let external = &r.platform.external;
    for (name, e) in std::iter::once(("postgresql", Some(&external.postgresql)))
        .chain(std::iter::once(("minio", external.minio.as_ref())))
    {
        if let Some(e) = e {
            out.not_checked.push(format!(
                "external {name} → {}:{} (outside the platform)",
                e.host, e.port
            ));
        }
    }
    ingresses(r, manifests, &made, &apps, &mut out);
    for (file, namespace, job, cluster) in operators::selectors(manifests) {
        let exists = manifests.iter().any(|(_, v)| {
            v["apiVersion"] == "ray.io/v1"
                && v["kind"] == "RayCluster"
                && v["metadata"]["name"] == cluster.as_str()
                && v["metadata"]["namespace"] == namespace.as_str()
        });
        if exists {
            out.checked.push(format!(
                "RayJob {job} → RayCluster {cluster} in {namespace}"
            ));
            continue;
        }
        let owner = apps
            .iter()
            .find(|app| app.manifests.contains(&file))
            .map(|app| app.component.clone())
            .unwrap_or_default();
        let at = section(&owner);
        out.findings.push(
            Diagnostic::new(format!(
                "{}: RayJob `{job}` ({file}) runs on RayCluster `{cluster}` (its clusterSelector `ray.io/cluster`), which no manifest here defines in `{namespace}`",
                r.env
            ))
            .at(Some(r.locate(&at)))
            .path(at.join("."))
            .help("KubeRay makes no cluster for a RayJob with a clusterSelector: the RayCluster it names must exist in the RayJob's namespace"),
        );
    }
    let order = crd_order(&apps, manifests, &out.releases);
    out.crds_checked = order.checked;
    out.crds_outside = order.outside;
    for (component, message, help) in order.wrong {
        let at = r
            .all()
            .find(|(c, _)| c.name() == component)
            .map(|(c, _)| c.section_path())
            .unwrap_or_default();
        out.findings.push(
            Diagnostic::new(format!("{}: {message}", r.env))
                .at(Some(r.locate(&at)))
                .path(at.join("."))
                .help(help),
        );
    }
    secrets(r, &mut out);
    images(r, manifests, &mut out);
    out
}

/// Every image the charts and gen's manifests run must come from where the
/// env's `images` settings say: all through the mirror when there is one,
/// and the Bitnami charts' from `bitnamiRegistry`/`bitnamiNamespace`.
fn images(r: &Resolved, manifests: &[(String, serde_json::Value)], out: &mut Verified) {
    let settings = &r.platform.images;
    let mirror = settings
        .mirror
        .as_ref()
        .map(|m| format!("{}/", m.registry.trim_end_matches('/')));
    let bitnami = format!(
        "{}/{}/",
        settings.registry_for(&settings.bitnami_registry),
        settings.bitnami_namespace
    );
    // (where found, image, the prefix it must have, the setting saying so)
    let mut all: Vec<(String, String, String, &str)> = Vec::new();
    let (bitnami_rule, mirror_rule) = ("images.bitnamiRegistry", "images.mirror.registry");
    for rel in &out.releases {
        for (object, image) in &rel.images {
            let from = format!("{object} of chart {}", rel.chart);
            match (
                matches!(rel.component.as_str(), "elasticsearch" | "kafka"),
                &mirror,
            ) {
                (true, _) => all.push((from, image.clone(), bitnami.clone(), bitnami_rule)),
                (false, Some(m)) => all.push((from, image.clone(), m.clone(), mirror_rule)),
                (false, None) => all.push((from, image.clone(), String::new(), mirror_rule)),
            }
        }
    }
    for (path, doc) in manifests {
        let mut found = Vec::new();
        walk_images(doc, &mut found);
        let want = mirror.clone().unwrap_or_default();
        all.extend(
            found
                .into_iter()
                .map(|i| (path.clone(), i, want.clone(), mirror_rule)),
        );
    }
    for (from, image, want, setting) in all {
        out.images_checked += 1;
        if image.starts_with(&want) {
            continue;
        }
        let at: Vec<String> = setting.split('.').map(String::from).collect();
        out.findings.push(
            Diagnostic::new(format!(
                "{}: {from} runs image `{image}`, not one from `{want}` as {setting} says",
                r.env
            ))
            .at(Some(r.locate(&at)))
            .path(setting)
            .help("the image escapes the registry settings: move it through the component's settings (or `values:`)"),
        );
    }
}

/// The custom resources among `objects`, as Helm's `--api-versions`
/// takes them (`group/version/Kind`, sorted): what Argo CD would find the
/// cluster serving once the platform's definitions are installed.
fn api_versions<'a>(objects: impl Iterator<Item = &'a serde_json::Value>) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for v in objects {
        let (Some(api), Some(kind)) = (v["apiVersion"].as_str(), v["kind"].as_str()) else {
            continue;
        };
        let group = api.split_once('/').map_or("", |(g, _)| g);
        if group.contains('.') && !group.ends_with("k8s.io") {
            out.insert(format!("{api}/{kind}"));
        }
    }
    out.into_iter().collect()
}

/// What is wrong with `a` for the Services an operator makes.
fn made_problem(made: &[&operators::Made], a: &Address) -> Option<String> {
    let Some(m) = made
        .iter()
        .find(|m| m.name == a.service && m.namespace == a.namespace)
    else {
        return Some(format!(
            "the operator makes no Service `{}` in `{}`",
            a.service, a.namespace
        ));
    };
    (!m.ports.contains(&a.port)).then(|| {
        format!(
            "Service `{}` that the operator makes from {} has no port {}",
            m.name, m.from, a.port
        )
    })
}

fn made_listed(made: &[&operators::Made]) -> String {
    made.iter()
        .map(|m| {
            let ports: Vec<String> = m.ports.iter().map(u16::to_string).collect();
            format!(
                "{}.{}:{} from {}",
                m.name,
                m.namespace,
                ports.join("/"),
                m.from
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every backend of every Ingress gen writes must be a Service, and a port
/// of it, that a chart or an operator makes in the Ingress's namespace.
/// Where a Git source or a chart not vendored installs too, a backend no
/// one here is seen to make is listed, not checked.
fn ingresses(
    r: &Resolved,
    manifests: &[(String, serde_json::Value)],
    made: &[operators::Made],
    apps: &[App],
    out: &mut Verified,
) {
    let rendered: Vec<&str> = out
        .releases
        .iter()
        .map(|rel| rel.component.as_str())
        .collect();
    let opaque: Vec<&str> = r
        .enabled()
        .filter(|(c, slot)| match c.delivery(r, slot) {
            crate::model::Delivery::Helm(_) => !rendered.contains(&c.name()),
            crate::model::Delivery::Manifests => false,
            _ => true,
        })
        .map(|(_, slot)| slot.namespace())
        .collect();
    let mut findings = Vec::new();
    for (file, v) in manifests {
        if v["kind"] != "Ingress" {
            continue;
        }
        let name = v["metadata"]["name"].as_str().unwrap_or_default();
        let namespace = v["metadata"]["namespace"].as_str().unwrap_or_default();
        let spec = &v["spec"];
        let backends = std::iter::once(&spec["defaultBackend"]).chain(
            spec["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|rule| rule["http"]["paths"].as_array().into_iter().flatten())
                .map(|p| &p["backend"]),
        );
        for b in backends {
            let Some(service) = b["service"]["name"].as_str() else {
                continue;
            };
            let port = &b["service"]["port"];
            let shown_port = port["number"]
                .as_u64()
                .map(|n| n.to_string())
                .or_else(|| port["name"].as_str().map(String::from))
                .unwrap_or_default();
            let shown = format!(
                "Ingress {name} → {}:{shown_port}",
                crate::names::service_host(service, namespace)
            );
            let ports: Option<(Vec<u16>, String)> = out
                .releases
                .iter()
                .filter(|rel| rel.namespace == namespace)
                .find_map(|rel| {
                    rel.services
                        .get(service)
                        .map(|p| (p.clone(), format!("chart {}", rel.chart)))
                })
                .or_else(|| {
                    made.iter()
                        .find(|m| m.namespace == namespace && m.name == service)
                        .map(|m| (m.ports.clone(), format!("the operator, from {}", m.from)))
                });
            let why = match (ports, port["number"].as_u64()) {
                (Some((ports, _)), Some(n)) if ports.iter().any(|p| u64::from(*p) == n) => None,
                (Some(_), None) => None,
                (Some((_, by)), Some(n)) => {
                    Some(format!("Service `{service}` ({by}) has no port {n}"))
                }
                (None, _) if opaque.contains(&namespace) => {
                    out.not_checked.push(shown);
                    continue;
                }
                (None, _) => Some(format!(
                    "no chart or operator here makes Service `{service}` in `{namespace}`"
                )),
            };
            match why {
                None => out.checked.push(shown),
                Some(why) => findings.push((
                    file.clone(),
                    format!(
                        "{}: Ingress `{name}` ({file}) sends to {service}:{shown_port}, but {why}",
                        r.env
                    ),
                )),
            }
        }
    }
    for (file, message) in findings {
        let at = apps
            .iter()
            .find(|app| app.manifests.contains(&file))
            .and_then(|app| r.all().find(|(c, _)| c.name() == app.component))
            .map(|(c, _)| c.section_path())
            .unwrap_or_default();
        out.findings.push(
            Diagnostic::new(message)
                .at(Some(r.locate(&at)))
                .path(at.join("."))
                .help("the Ingress's backend must be a Service its namespace really has: check the component's endpoint settings and the release it points at"),
        );
    }
}

/// Every `image:` text value in `v`, at any depth.
fn walk_images(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match v.as_str() {
                    Some(image) if k == "image" => out.push(image.to_string()),
                    _ => walk_images(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| walk_images(i, out)),
        _ => {}
    }
}

/// Every Secret a chart's pods read (not marked optional) must be created
/// by the chart itself or be one gen knows of — rendered as an
/// ExternalSecret, or listed as a prerequisite — holding the key read.
fn secrets(r: &Resolved, out: &mut Verified) {
    let mut known: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for (_, u) in &r.facts.secrets {
        known
            .entry((&u.namespace, &u.reference.secret))
            .or_default()
            .push(&u.reference.key);
    }
    let mut findings = Vec::new();
    for rel in &out.releases {
        for read in &rel.reads {
            let whole = || format!("{} reads Secret `{}`", read.object, read.secret);
            let shown = match &read.key {
                Some(k) => format!("{} key `{k}`", whole()),
                None => whole(),
            };
            if rel.secrets.contains(&read.secret) {
                out.secrets_checked.push(format!(
                    "{} {}: {shown} → made by the chart",
                    rel.component, rel.namespace
                ));
                continue;
            }
            match known.get(&(rel.namespace.as_str(), read.secret.as_str())) {
                Some(keys) if read.key.as_deref().is_none_or(|k| keys.contains(&k)) => {
                    out.secrets_checked.push(format!(
                        "{} {}: {shown} → known to gen (an ExternalSecret, or a prerequisite)",
                        rel.component, rel.namespace
                    ));
                }
                Some(keys) => findings.push((
                    rel,
                    format!("{shown} in `{}`, but gen provides that Secret with {} only", rel.namespace, keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
                    "name the key the chart reads in the setting that references this Secret".to_string(),
                )),
                None => findings.push((
                    rel,
                    format!("{shown} in `{}`, which neither the chart nor gen creates, and no prerequisite lists", rel.namespace),
                    "reference it from the component's settings so gen renders it (or lists it as a prerequisite), or turn off what reads it".to_string(),
                )),
            }
        }
    }
    for (rel, message, help) in findings {
        let at = r
            .all()
            .find(|(c, _)| c.name() == rel.component)
            .map(|(c, _)| c.section_path())
            .unwrap_or_default();
        out.findings.push(
            Diagnostic::new(format!(
                "{}: {} (chart {}): {message}",
                r.env, rel.component, rel.chart
            ))
            .at(Some(r.locate(&at)))
            .path(at.join("."))
            .help(help),
        );
    }
}

/// What the pods of a rendered object read from Secrets.
fn pod_reads(v: &serde_json::Value, out: &mut Vec<SecretRead>) {
    let spec = match v["kind"].as_str().unwrap_or_default() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            &v["spec"]["template"]["spec"]
        }
        "CronJob" => &v["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        "Pod" => &v["spec"],
        _ => return,
    };
    let object = format!(
        "{} `{}`",
        v["kind"].as_str().unwrap_or_default(),
        v["metadata"]["name"].as_str().unwrap_or_default()
    );
    let optional = |r: &serde_json::Value| r["optional"] == true;
    let mut push = |secret: Option<&str>, key: Option<&str>| {
        if let Some(secret) = secret {
            out.push(SecretRead {
                object: object.clone(),
                secret: secret.to_string(),
                key: key.map(String::from),
            });
        }
    };
    for list in ["containers", "initContainers"] {
        for c in spec[list].as_array().into_iter().flatten() {
            for e in c["env"].as_array().into_iter().flatten() {
                let r = &e["valueFrom"]["secretKeyRef"];
                if !optional(r) {
                    push(r["name"].as_str(), r["key"].as_str());
                }
            }
            for e in c["envFrom"].as_array().into_iter().flatten() {
                let r = &e["secretRef"];
                if !optional(r) {
                    push(r["name"].as_str(), None);
                }
            }
        }
    }
    for vol in spec["volumes"].as_array().into_iter().flatten() {
        let r = &vol["secret"];
        if !optional(r) {
            push(r["secretName"].as_str(), None);
        }
        for src in vol["projected"]["sources"].as_array().into_iter().flatten() {
            let r = &src["secret"];
            if !optional(r) {
                push(r["name"].as_str(), None);
            }
        }
    }
}

/// An env's Application of one component, as rendered.
#[derive(Debug, Clone, PartialEq)]
struct App {
    component: String,
    wave: i64,
    /// `SkipDryRunOnMissingResource=true` among its sync options.
    skips_dry_run: bool,
    /// The files of the env's `manifests/` it applies.
    manifests: Vec<String>,
}

/// The Applications of `tree` (`apps/*.yaml`, the root left out).
fn applications(apps: &[(String, serde_json::Value)]) -> Vec<App> {
    let mut out = Vec::new();
    for (path, v) in apps {
        let Some(component) = path
            .strip_prefix("apps/")
            .and_then(|p| p.strip_suffix(".yaml"))
            .filter(|c| *c != "root")
        else {
            continue;
        };
        let wave = v["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
            .as_str()
            .and_then(|w| w.parse().ok())
            .unwrap_or(0);
        let skips_dry_run = v["spec"]["syncPolicy"]["syncOptions"]
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o == "SkipDryRunOnMissingResource=true"));
        let sources: Vec<&serde_json::Value> = match v["spec"]["sources"].as_array() {
            Some(s) => s.iter().collect(),
            None => vec![&v["spec"]["source"]],
        };
        let mut manifests = Vec::new();
        for s in sources {
            let Some(include) = s["directory"]["include"].as_str() else {
                continue;
            };
            if !s["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/manifests"))
            {
                continue;
            }
            let list = include.trim_start_matches('{').trim_end_matches('}');
            manifests.extend(list.split(',').map(|f| format!("manifests/{f}")));
        }
        out.push(App {
            component: component.to_string(),
            wave,
            skips_dry_run,
            manifests,
        });
    }
    out
}

/// What [`crd_order`] found.
#[derive(Debug, Default)]
struct Order {
    checked: Vec<String>,
    outside: Vec<String>,
    /// `(component, message, help)`.
    wrong: Vec<(String, String, String)>,
}

/// Whether an API group is one of Kubernetes' own (no definition needed).
fn built_in_group(group: &str) -> bool {
    matches!(group, "" | "apps" | "batch" | "policy" | "autoscaling") || group.ends_with(".k8s.io")
}

/// Every custom resource an Application applies must have its definition
/// installed by an Application of an earlier sync wave, or by its own one
/// when that one skips the dry run for missing kinds.
fn crd_order(
    apps: &[App],
    manifests: &[(String, serde_json::Value)],
    releases: &[RenderedRelease],
) -> Order {
    let mut order = Order::default();
    for app in apps {
        for file in &app.manifests {
            for doc in manifests.iter().filter(|(f, _)| f == file).map(|(_, v)| v) {
                let api = doc["apiVersion"].as_str().unwrap_or_default();
                let group = api.rsplit_once('/').map_or("", |(g, _)| g);
                if built_in_group(group) {
                    continue;
                }
                let kind = doc["kind"].as_str().unwrap_or_default();
                let name = doc["metadata"]["name"].as_str().unwrap_or_default();
                let crd = format!("{kind}.{group}");
                let shown = format!("{kind} `{name}` ({file})");
                let from: Vec<(&RenderedRelease, i64)> = releases
                    .iter()
                    .filter(|r| r.crds.contains(&crd))
                    .map(|r| {
                        let wave = apps
                            .iter()
                            .find(|a| a.component == r.component)
                            .map_or(0, |a| a.wave);
                        (r, wave)
                    })
                    .collect();
                let Some(&(rel, wave)) = from.iter().min_by_key(|(_, w)| *w) else {
                    order.outside.push(format!(
                        "{shown}: {crd} is installed by no release here (an operator installed before the platform)"
                    ));
                    continue;
                };
                let in_time =
                    wave < app.wave || (rel.component == app.component && app.skips_dry_run);
                if in_time {
                    order.checked.push(format!(
                        "{shown} → {crd} from {} (wave {wave})",
                        rel.component
                    ));
                    continue;
                }
                order.wrong.push((
                    app.component.clone(),
                    format!(
                        "{shown} is applied in sync wave {}, but its definition {crd} comes from `{}` in wave {wave}: Argo CD cannot apply it until the definition exists",
                        app.wave, rel.component
                    ),
                    format!(
                        "make `{}` depend on `{}` (dependsOn) so it syncs in a later wave",
                        app.component, rel.component
                    ),
                ));
            }
        }
    }
    order
}

/// `helm template` of each job (with its label for errors) twice, in one
/// pool: per job, both texts (a chart that generates values at each render
/// gives two different ones).
fn render_twice(helm: &Helm, jobs: &[(&Job<'_>, String)]) -> Result<Vec<[String; 2]>> {
    let twice: Vec<&(&Job<'_>, String)> = jobs.iter().flat_map(|j| [j, j]).collect();
    let texts =
        crate::parallel::in_parallel_by(2, &twice, |(j, label)| run_template(helm, j, label));
    let mut texts = crate::error::all_of(texts)?.into_iter();
    let mut next = || texts.next().expect("two texts per job");
    Ok(jobs.iter().map(|_| [next(), next()]).collect())
}

/// Runs `helm template` for `j`; its output.
fn run_template(helm: &Helm, j: &Job<'_>, label: &str) -> Result<String> {
    let fail = |why: String| {
        Error::Usage(
            Diagnostic::new(format!(
                "helm template of chart {label} (release `{}`) failed: {why}",
                j.release
            ))
            .help("the chart refuses these values: `gen render` and run the same `helm template` to see it"),
        )
    };
    let mut cmd = Command::new(&helm.path);
    cmd.arg("template").arg(&j.release).arg(j.package).args([
        "--namespace",
        &j.namespace,
        "--include-crds",
        "-f",
        "-",
    ]);
    if let Some(v) = j.kube_version {
        cmd.args(["--kube-version", v]);
    }
    if !j.api_versions.is_empty() {
        cmd.arg("--api-versions").arg(j.api_versions.join(","));
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            crate::vendor::helm::not_run(
                "gen renders each release's vendored chart",
                &helm.path,
                &e,
            )
        })?;
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
    String::from_utf8(output.stdout).map_err(|_| fail("output is not UTF-8".into()))
}

/// Keeps a render: written beside, then renamed into place, so a reader
/// never sees half of one. A cache that cannot be written is no error.
fn keep(path: &Path, text: &str) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("render"),
        std::process::id()
    ));
    if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The documents of a rendered file, as JSON.
fn parse(name: &str, text: &str) -> Result<Vec<serde_json::Value>> {
    crate::yaml::documents(name, text).map_err(|d| Error::Validation(vec![d]))
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

/// `helm template` of one release (or its render kept from before, by
/// what it depends on: Helm, the package, release, namespace and values);
/// the Services it creates.
/// What a render depends on, as one digest: the Helm, the package, the
/// release, namespace, Kubernetes version, API versions and values (its
/// leading comments left out: gen's header names the env).
fn key(identity: &str, j: &Job<'_>) -> String {
    let apis = j.api_versions.join(",");
    let mut values = j.values;
    while values.starts_with('#') {
        values = values.split_once('\n').map_or("", |(_, rest)| rest);
    }
    crate::charts::digest(
        [
            "helm template 3",
            identity,
            j.digest,
            &j.release,
            &j.namespace,
            j.kube_version.unwrap_or_default(),
            &apis,
            values,
        ]
        .join("\0")
        .as_bytes(),
    )
}

/// What verify reads of `helm template` of one release (or of its render
/// kept from before under `key`).
fn template(helm: &Helm, key: &str, j: &Job<'_>) -> Result<Extract> {
    let label = format!("{} {}", j.chart.name, j.chart.version);
    // What is kept is what verify reads of a render, never the render
    // itself: the Secrets a chart generates stay out of the cache.
    let kept = helm.cache.as_ref().map(|d| {
        d.join("helm")
            .join(format!("{}.json", key.trim_start_matches("sha256:")))
    });
    let cached = kept
        .as_ref()
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|b| serde_json::from_slice::<Extract>(&b).ok());
    if let Some(x) = cached {
        return Ok(x);
    }
    let text = run_template(helm, j, &label)?;
    let x = extract(&label, &j.namespace, &text)?;
    if let Some(p) = &kept {
        keep(p, &serde_json::to_string(&x).expect("serialises"));
    }
    Ok(x)
}

/// What verify reads of one release's render.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Extract {
    services: BTreeMap<String, Vec<u16>>,
    crds: Vec<String>,
    secrets: Vec<String>,
    reads: Vec<SecretRead>,
    images: Vec<(String, String)>,
    workloads: Vec<objects::Counted>,
}

/// The Services, definitions, Secrets, Secret reads and images of a
/// render of a release in `namespace`.
fn extract(label: &str, namespace: &str, text: &str) -> Result<Extract> {
    let docs = parse(&format!("helm template {label}"), text)?;
    let mut services = BTreeMap::new();
    let (mut crds, mut secrets, mut reads) = (Vec::new(), Vec::new(), Vec::new());
    let mut images = Vec::new();
    let workloads = objects::count(&docs);
    for v in &docs {
        pod_reads(v, &mut reads);
        let mut found = Vec::new();
        walk_images(v, &mut found);
        let object = format!(
            "{} `{}`",
            v["kind"].as_str().unwrap_or_default(),
            v["metadata"]["name"].as_str().unwrap_or_default()
        );
        images.extend(found.into_iter().map(|i| (object.clone(), i)));
        if v["kind"] == "Secret" {
            if let Some(name) = v["metadata"]["name"].as_str() {
                secrets.push(name.to_string());
            }
            continue;
        }
        if v["kind"] == "CustomResourceDefinition" {
            if let (Some(kind), Some(group)) = (
                v["spec"]["names"]["kind"].as_str(),
                v["spec"]["group"].as_str(),
            ) {
                crds.push(format!("{kind}.{group}"));
            }
            continue;
        }
        if v["kind"] != "Service" {
            continue;
        }
        let ns = v["metadata"]["namespace"].as_str().unwrap_or(namespace);
        let Some(name) = v["metadata"]["name"].as_str().filter(|_| ns == namespace) else {
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
    crds.sort();
    secrets.sort();
    reads.sort();
    reads.dedup();
    Ok(Extract {
        services,
        crds,
        secrets,
        reads,
        images,
        workloads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(component: &str, wave: i64, skips_dry_run: bool, manifests: &[&str]) -> App {
        App {
            component: component.into(),
            wave,
            skips_dry_run,
            manifests: manifests.iter().map(|m| m.to_string()).collect(),
        }
    }

    fn operator(component: &str) -> RenderedRelease {
        RenderedRelease {
            component: component.into(),
            release: component.into(),
            namespace: "ops".into(),
            chart: "op 1.0.0".into(),
            services: BTreeMap::new(),
            crds: vec!["Widget.example.com".into()],
            secrets: Vec::new(),
            reads: Vec::new(),
            images: Vec::new(),
            workloads: Vec::new(),
        }
    }

    fn tree() -> Vec<(String, serde_json::Value)> {
        parse(
            "w.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n",
        )
        .unwrap()
        .into_iter()
        .map(|v| ("manifests/w.yaml".to_string(), v))
        .collect()
    }

    /// The built-in prod env, resolved and rendered, its manifest `file`
    /// edited by `edit`; checked with no release rendered.
    fn operators_checked(file: &str, edit: impl Fn(&str) -> String) -> Verified {
        operators_checked_with(file, edit, Vec::new())
    }

    /// [`operators_checked`], with `releases` rendered.
    fn operators_checked_with(
        file: &str,
        edit: impl Fn(&str) -> String,
        releases: Vec<RenderedRelease>,
    ) -> Verified {
        let p = crate::Platform::builtin().unwrap();
        let (r, mut tree) = (p.resolve("prod").unwrap(), p.render("prod").unwrap());
        let text = tree.files.get_mut(file).unwrap();
        let edited = edit(text);
        assert_ne!(*text, edited, "the edit changes {file}");
        *text = edited;
        check(&r, &Objects::parse(&tree), releases)
    }

    #[test]
    fn addresses_of_what_operators_make_are_checked_by_their_naming_rules() {
        let v = operators_checked("manifests/doris.yaml", |t| format!("{t}# as rendered\n"));
        assert!(v.findings.is_empty(), "{:?}", v.findings);
        for want in [
            "doris query → doris-cluster-fe-service.doris-analytics.svc.cluster.local:9030",
            "ray-cluster dashboard → ml-cluster-head-svc.ml-platform.svc.cluster.local:8265",
            "ray-serve serve → ml-serve-serve-svc.ml-platform.svc.cluster.local:8000",
            "Ingress ml-serve → ml-serve-serve-svc.ml-platform.svc.cluster.local:8000",
            "Ingress ml-cluster-dashboard → ml-cluster-head-svc.ml-platform.svc.cluster.local:8265",
            "RayJob ray-cluster-smoke-check → RayCluster ml-cluster in ml-platform",
        ] {
            assert!(
                v.checked.iter().any(|c| c == want),
                "{want} not in {:?}",
                v.checked
            );
        }
    }

    #[test]
    fn a_ray_service_without_a_serve_port_is_found_at_its_address_and_ingress() {
        // KubeRay makes no Serve Service without a head port named `serve`.
        let unserved = |t: &str| t.replace("name: serve\n", "name: web\n");
        let v = operators_checked("manifests/ray-serve.yaml", unserved);
        let found: Vec<String> = v.findings.iter().map(|d| d.to_string()).collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("prod: ray-serve's `serve` address is ml-serve-serve-svc.ml-platform.svc.cluster.local:8000, but the operator makes no Service `ml-serve-serve-svc` in `ml-platform`"), "{found:?}");
        assert!(
            found[0].contains(
                "ml-serve-head-svc.ml-platform:10001/8265/6379/8080/8000 from RayService ml-serve"
            ),
            "{found:?}"
        );
        assert!(found[0].contains("components.rayServe"), "{found:?}");
        // The MLflow chart shares the namespace and was not rendered: it
        // may make the Ingress's Service, which is then not checked.
        let listed = "Ingress ml-serve → ml-serve-serve-svc.ml-platform.svc.cluster.local:8000";
        assert!(
            v.not_checked.iter().any(|c| c == listed),
            "{:?}",
            v.not_checked
        );
        // Rendered, it does not: the Ingress is found too.
        let mlflow = RenderedRelease {
            namespace: "ml-platform".into(),
            crds: Vec::new(),
            services: BTreeMap::from([("mlflow".to_string(), vec![80])]),
            ..operator("mlflow")
        };
        let v = operators_checked_with("manifests/ray-serve.yaml", unserved, vec![mlflow]);
        let found: Vec<String> = v.findings.iter().map(|d| d.to_string()).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[1].contains("prod: Ingress `ml-serve` (manifests/ray-serve-ingress.yaml) sends to ml-serve-serve-svc:8000, but no chart or operator here makes Service `ml-serve-serve-svc` in `ml-platform`"), "{found:?}");
        assert!(found[1].contains("components.rayServe"), "{found:?}");
    }

    #[test]
    fn a_doris_port_and_a_ray_job_cluster_nobody_defines_are_found() {
        let v = operators_checked("manifests/doris.yaml", |t| {
            t.replace("  beSpec:", "  cnSpec:")
        });
        assert!(
            v.findings.is_empty(),
            "BE or CN: the FE is the address {:?}",
            v.findings
        );
        let v = operators_checked("manifests/doris.yaml", |t| {
            t.replace("  feSpec:", "  brokerSpec:")
        });
        let found: Vec<String> = v.findings.iter().map(|d| d.to_string()).collect();
        assert!(found.iter().any(|f| f.contains("doris's `query` address is doris-cluster-fe-service.doris-analytics.svc.cluster.local:9030, but the operator makes no Service `doris-cluster-fe-service`")), "{found:?}");
        let v = operators_checked("manifests/ray-cluster-smoke-check.yaml", |t| {
            t.replace("ray.io/cluster: ml-cluster", "ray.io/cluster: ml-clustr")
        });
        let found: Vec<String> = v.findings.iter().map(|d| d.to_string()).collect();
        assert!(found.iter().any(|f| f.contains("RayJob `ray-cluster-smoke-check` (manifests/ray-cluster-smoke-check.yaml) runs on RayCluster `ml-clustr` (its clusterSelector `ray.io/cluster`), which no manifest here defines in `ml-platform`")), "{found:?}");
    }

    #[test]
    fn a_custom_resource_needs_its_definition_from_an_earlier_wave() {
        let releases = [operator("op")];
        // In time: the operator's wave comes first.
        let apps = [
            app("op", 1, false, &[]),
            app("w", 2, false, &["manifests/w.yaml"]),
        ];
        let o = crd_order(&apps, &tree(), &releases);
        assert!(o.wrong.is_empty(), "{o:?}");
        assert_eq!(
            o.checked,
            ["Widget `w` (manifests/w.yaml) → Widget.example.com from op (wave 1)"]
        );
        // The same wave: found, naming both and the fix.
        let apps = [
            app("op", 1, false, &[]),
            app("w", 1, true, &["manifests/w.yaml"]),
        ];
        let o = crd_order(&apps, &tree(), &releases);
        assert_eq!(o.wrong.len(), 1, "{o:?}");
        let (component, message, help) = &o.wrong[0];
        assert_eq!(component, "w");
        assert!(message.contains("applied in sync wave 1, but its definition Widget.example.com comes from `op` in wave 1"), "{message}");
        assert!(help.contains("make `w` depend on `op`"), "{help}");
        // Its own Application installs it: fine only when it skips the
        // dry run for kinds not yet there.
        let apps = [app("op", 1, true, &["manifests/w.yaml"])];
        assert!(crd_order(&apps, &tree(), &releases).wrong.is_empty());
        let apps = [app("op", 1, false, &["manifests/w.yaml"])];
        assert_eq!(crd_order(&apps, &tree(), &releases).wrong.len(), 1);
        // No release installs it: listed, not a finding; the Job is
        // Kubernetes' own.
        let o = crd_order(&[app("w", 2, false, &["manifests/w.yaml"])], &tree(), &[]);
        assert!(o.wrong.is_empty() && o.checked.is_empty());
        assert_eq!(o.outside.len(), 1, "{o:?}");
    }
}
