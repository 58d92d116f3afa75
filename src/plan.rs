//! What an env costs before anything is applied: pods, CPU and memory
//! requests and limits, and persistent storage per storage class, per
//! component, per namespace and in total, against the env's declared
//! capacity. Figures a chart default decides say so, and where from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{Quantity, ResourceList, Resources};

/// CPU and memory of one pod, summed over its long-running containers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Amount {
    /// CPU in billionths of a core.
    #[serde(serialize_with = "ser_cpu")]
    pub cpu: i128,
    /// Memory in billionths of a byte.
    #[serde(serialize_with = "ser_bytes")]
    pub memory: i128,
}

impl Amount {
    fn from_list(l: &Option<ResourceList>) -> Amount {
        let get = |q: &Option<Quantity>| q.as_ref().map_or(0, Quantity::nanos);
        l.as_ref().map_or_else(Amount::default, |l| Amount {
            cpu: get(&l.cpu),
            memory: get(&l.memory),
        })
    }
    fn times(self, n: u32) -> Amount {
        Amount {
            cpu: self.cpu * i128::from(n),
            memory: self.memory * i128::from(n),
        }
    }
    fn add(&mut self, o: Amount) {
        self.cpu += o.cpu;
        self.memory += o.memory;
    }
}

/// Whether a workload runs continuously or to completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Long-running pods (Deployment, StatefulSet, operator-managed pods).
    Pod,
    /// A Job (hooks, setup): counted apart from long-running pods.
    Job,
}

/// One group of identical pods a component creates.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    /// Component that creates it.
    pub component: &'static str,
    /// Namespace the pods run in.
    pub namespace: String,
    /// Name of the group (`master`, `fe`, `workers`).
    pub name: String,
    /// Pods or Job.
    pub kind: Kind,
    /// Pods now.
    pub replicas: u32,
    /// Pods at most (an autoscaled group's `maxReplicas`).
    pub max_replicas: u32,
    /// Requests of one pod.
    pub requests: Amount,
    /// Limits of one pod.
    pub limits: Amount,
    /// Whether every container of the pod has a CPU and memory limit.
    pub limited: bool,
    /// Persistent volumes of one pod: storage class → size.
    #[serde(serialize_with = "ser_storage")]
    pub storage: BTreeMap<String, i128>,
    /// Figures decided by a chart or operator default, each with its source.
    pub defaults: Vec<String>,
    #[serde(skip)]
    containers: u32,
}

impl Workload {
    /// `replicas` long-running pods.
    pub fn pods(component: &'static str, namespace: &str, name: &str, replicas: u32) -> Workload {
        Workload {
            component,
            namespace: namespace.to_string(),
            name: name.to_string(),
            kind: Kind::Pod,
            replicas,
            max_replicas: replicas,
            requests: Amount::default(),
            limits: Amount::default(),
            limited: false,
            storage: BTreeMap::new(),
            defaults: Vec::new(),
            containers: 0,
        }
    }

    /// A Job run once per sync or release.
    pub fn job(component: &'static str, namespace: &str, name: &str) -> Workload {
        Workload {
            kind: Kind::Job,
            ..Workload::pods(component, namespace, name, 1)
        }
    }

    /// Adds a container's resources. As in Kubernetes, a resource with a
    /// limit and no request is requested at its limit.
    pub fn container(mut self, r: &Resources) -> Workload {
        let first = self.containers == 0;
        self.containers += 1;
        let req = r.requests.clone().unwrap_or_default();
        let lim = r.limits.clone().unwrap_or_default();
        let effective = ResourceList {
            cpu: req.cpu.or_else(|| lim.cpu.clone()),
            memory: req.memory.or_else(|| lim.memory.clone()),
        };
        self.requests.add(Amount::from_list(&Some(effective)));
        self.limits.add(Amount::from_list(&Some(lim.clone())));
        let has_limits = lim.cpu.is_some() && lim.memory.is_some();
        self.limited = if first {
            has_limits
        } else {
            self.limited && has_limits
        };
        self
    }

    /// Adds a container whose resources a chart default decides.
    pub fn default_container(self, r: &Resources, source: impl Into<String>) -> Workload {
        let mut w = self.container(r);
        w.defaults.push(source.into());
        w
    }

    /// Sets the most pods an autoscaler may run.
    pub fn up_to(mut self, max: u32) -> Workload {
        self.max_replicas = max.max(self.replicas);
        self
    }

    /// Adds a persistent volume per pod.
    pub fn volume(mut self, class: &str, size: &Quantity) -> Workload {
        *self.storage.entry(class.to_string()).or_default() += size.nanos();
        self
    }

    /// Notes that a chart default decides a figure.
    pub fn note(mut self, source: impl Into<String>) -> Workload {
        self.defaults.push(source.into());
        self
    }
}

/// Resources with requests and limits from constants.
pub fn resources(
    req: (Option<&str>, Option<&str>),
    lim: (Option<&str>, Option<&str>),
) -> Resources {
    Resources {
        requests: list(req.0, req.1),
        limits: list(lim.0, lim.1),
    }
}

/// A chart's default resources with a user's overrides merged over them,
/// key by key, as Helm merges values maps.
pub fn merged(default: &Resources, user: Option<&Resources>) -> Resources {
    let Some(u) = user else {
        return default.clone();
    };
    let pick = |d: &Option<ResourceList>, u: &Option<ResourceList>| -> Option<ResourceList> {
        let d = d.clone().unwrap_or_default();
        let u = u.clone().unwrap_or_default();
        Some(ResourceList {
            cpu: u.cpu.or(d.cpu),
            memory: u.memory.or(d.memory),
        })
    };
    Resources {
        requests: pick(&default.requests, &u.requests),
        limits: pick(&default.limits, &u.limits),
    }
}

/// Shorthand for a resource list.
pub fn list(cpu: Option<&str>, memory: Option<&str>) -> Option<ResourceList> {
    let q = |s: &str| s.parse::<Quantity>().expect("constant quantity parses");
    Some(ResourceList {
        cpu: cpu.map(q),
        memory: memory.map(q),
    })
}

/// Sums of a set of workloads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Long-running pods now.
    pub pods: u32,
    /// Long-running pods at most (autoscaled groups at `maxReplicas`).
    pub pods_max: u32,
    /// Job pods.
    pub jobs: u32,
    /// Requests of long-running pods now.
    pub requests: Amount,
    /// Requests of long-running pods at most.
    pub requests_max: Amount,
    /// Limits of long-running pods now.
    pub limits: Amount,
    /// Long-running pods with a container lacking a CPU or memory limit.
    pub unlimited_pods: u32,
    /// Persistent storage by storage class.
    #[serde(serialize_with = "ser_storage")]
    pub storage: BTreeMap<String, i128>,
}

impl Totals {
    fn add(&mut self, w: &Workload) {
        if w.kind == Kind::Job {
            self.jobs += w.replicas;
            return;
        }
        self.pods += w.replicas;
        self.pods_max += w.max_replicas;
        self.requests.add(w.requests.times(w.replicas));
        self.requests_max.add(w.requests.times(w.max_replicas));
        self.limits.add(w.limits.times(w.replicas));
        if !w.limited {
            self.unlimited_pods += w.replicas;
        }
        for (class, size) in &w.storage {
            *self.storage.entry(class.clone()).or_default() += size * i128::from(w.replicas);
        }
    }

    /// Total storage over all classes.
    pub fn storage_total(&self) -> i128 {
        self.storage.values().sum()
    }
}

/// The plan of one env.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Env name.
    pub env: String,
    /// Every workload, in component order.
    pub workloads: Vec<Workload>,
    /// Totals per component.
    pub components: BTreeMap<&'static str, Totals>,
    /// Totals per namespace.
    pub namespaces: BTreeMap<String, Totals>,
    /// Totals of the env.
    pub total: Totals,
    /// Declared capacity and what is left of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Headroom>,
}

/// Declared capacity against the worst case (autoscaled groups at their maximum).
#[derive(Debug, Clone, Serialize)]
pub struct Headroom {
    /// Pods: used (worst case) and declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods: Option<(u32, u32)>,
    /// CPU requests: used and declared.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_cpu_pair"
    )]
    pub cpu: Option<(i128, i128)>,
    /// Memory requests: used and declared.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_bytes_pair"
    )]
    pub memory: Option<(i128, i128)>,
    /// Storage per class: used and declared.
    #[serde(serialize_with = "ser_storage_pairs")]
    pub storage: BTreeMap<String, (i128, i128)>,
}

impl Plan {
    /// Sums workloads per component, per namespace and in total.
    pub fn new(
        env: &str,
        workloads: Vec<Workload>,
        capacity: Option<&crate::config::CapacityConfig>,
    ) -> Plan {
        let mut components: BTreeMap<&'static str, Totals> = BTreeMap::new();
        let mut namespaces: BTreeMap<String, Totals> = BTreeMap::new();
        let mut total = Totals::default();
        for w in &workloads {
            components.entry(w.component).or_default().add(w);
            namespaces.entry(w.namespace.clone()).or_default().add(w);
            total.add(w);
        }
        let capacity = capacity.map(|c| Headroom {
            pods: c.pods.map(|p| (total.pods_max, p)),
            cpu: c.cpu.as_ref().map(|q| (total.requests_max.cpu, q.nanos())),
            memory: c
                .memory
                .as_ref()
                .map(|q| (total.requests_max.memory, q.nanos())),
            storage: c
                .storage
                .iter()
                .map(|(class, q)| {
                    (
                        class.clone(),
                        (total.storage.get(class).copied().unwrap_or(0), q.nanos()),
                    )
                })
                .collect(),
        });
        Plan {
            env: env.to_string(),
            workloads,
            components,
            namespaces,
            total,
            capacity,
        }
    }
}

/// CPU in cores, exact, without trailing zeros (`2.5`, `0.75`, `12`).
pub fn cpu(nanos: i128) -> String {
    let whole = nanos / 1_000_000_000;
    let frac = (nanos % 1_000_000_000).abs();
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:09}");
    let sign = if nanos < 0 && whole == 0 { "-" } else { "" };
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

/// Memory or storage as an exact Kubernetes quantity (`12Gi`, `1536Mi`).
pub fn bytes(nanos: i128) -> String {
    Quantity::from_nanos(nanos).as_str().to_string()
}

fn ser_cpu<S: serde::Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&cpu(*v))
}
fn ser_bytes<S: serde::Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&bytes(*v))
}
fn ser_storage<S: serde::Serializer>(v: &BTreeMap<String, i128>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, n) in v {
        m.serialize_entry(k, &bytes(*n))?;
    }
    m.end()
}
fn ser_cpu_pair<S: serde::Serializer>(v: &Option<(i128, i128)>, s: S) -> Result<S::Ok, S::Error> {
    let (used, cap) = v.expect("skipped when none");
    serde::Serialize::serialize(
        &serde_json::json!({"used": cpu(used), "capacity": cpu(cap)}),
        s,
    )
}
fn ser_bytes_pair<S: serde::Serializer>(v: &Option<(i128, i128)>, s: S) -> Result<S::Ok, S::Error> {
    let (used, cap) = v.expect("skipped when none");
    serde::Serialize::serialize(
        &serde_json::json!({"used": bytes(used), "capacity": bytes(cap)}),
        s,
    )
}
fn ser_storage_pairs<S: serde::Serializer>(
    v: &BTreeMap<String, (i128, i128)>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, (used, cap)) in v {
        m.serialize_entry(
            k,
            &serde_json::json!({"used": bytes(*used), "capacity": bytes(*cap)}),
        )?;
    }
    m.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_is_exact() {
        assert_eq!(cpu(2_500_000_000), "2.5");
        assert_eq!(cpu(750_000_000), "0.75");
        assert_eq!(cpu(12_000_000_000), "12");
    }

    #[test]
    fn totals_count_jobs_apart_and_autoscaling_at_max() {
        let r = Resources {
            requests: list(Some("1"), Some("1Gi")),
            limits: list(Some("2"), Some("2Gi")),
        };
        let class = "standard";
        let size: Quantity = "10Gi".parse().unwrap();
        let plan = Plan::new(
            "t",
            vec![
                Workload::pods("a", "ns", "x", 2)
                    .container(&r)
                    .up_to(4)
                    .volume(class, &size),
                Workload::job("a", "ns", "setup").container(&r),
            ],
            None,
        );
        let t = &plan.total;
        assert_eq!((t.pods, t.pods_max, t.jobs), (2, 4, 1));
        assert_eq!(cpu(t.requests.cpu), "2");
        assert_eq!(cpu(t.requests_max.cpu), "4");
        assert_eq!(bytes(t.storage["standard"]), "20Gi");
        assert_eq!(t.unlimited_pods, 0);
    }
}

/// The plan of a resolved env: every enabled component's workloads.
pub fn plan(r: &crate::resolve::Resolved, components: &[crate::components::Shared]) -> Plan {
    let workloads = components
        .iter()
        .filter(|c| c.enabled(&r.config))
        .flat_map(|c| {
            let mut w = c.workloads(&r.config);
            if let Some(check) = crate::checks::of(&r.config, c.as_ref()) {
                w.push(crate::checks::workload(c.name(), &check));
            }
            w
        })
        .collect();
    Plan::new(&r.env, workloads, r.config.capacity.as_ref())
}

/// Findings where the worst case exceeds the declared capacity, each naming
/// the largest consumers and located at the capacity it exceeds.
pub fn over_capacity(r: &crate::resolve::Resolved, p: &Plan) -> Vec<crate::error::Diagnostic> {
    let Some(h) = &p.capacity else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut report = |path: &[&str],
                      what: &str,
                      used: String,
                      cap: String,
                      key: &dyn Fn(&Totals) -> i128,
                      show: &dyn Fn(i128) -> String| {
        let mut top: Vec<(&str, i128)> = p
            .components
            .iter()
            .map(|(n, t)| (*n, key(t)))
            .filter(|(_, v)| *v > 0)
            .collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let largest: Vec<String> = top
            .iter()
            .take(3)
            .map(|(n, v)| format!("{n} {}", show(*v)))
            .collect();
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        out.push(
            crate::error::Diagnostic::new(format!(
                "{what} {used} exceed the capacity of {cap} (largest: {})",
                largest.join(", ")
            ))
            .at(Some(r.tree().locate(&path)))
            .path(path.join("."))
            .help("raise the capacity, or lower replicas, requests or volume sizes of the largest consumers (`gen plan` shows them all)"),
        );
    };
    if let Some((used, cap)) = h.pods.filter(|(u, c)| u > c) {
        report(
            &["capacity", "pods"],
            "pods at worst case",
            used.to_string(),
            cap.to_string(),
            &|t| i128::from(t.pods_max),
            &|v| v.to_string(),
        );
    }
    if let Some((used, cap)) = h.cpu.filter(|(u, c)| u > c) {
        report(
            &["capacity", "cpu"],
            "CPU requests at worst case",
            cpu(used),
            cpu(cap),
            &|t| t.requests_max.cpu,
            &cpu,
        );
    }
    if let Some((used, cap)) = h.memory.filter(|(u, c)| u > c) {
        report(
            &["capacity", "memory"],
            "memory requests at worst case",
            bytes(used),
            bytes(cap),
            &|t| t.requests_max.memory,
            &bytes,
        );
    }
    for (class, (used, cap)) in h.storage.iter().filter(|(_, (u, c))| u > c) {
        let k = class.clone();
        report(
            &["capacity", "storage", class],
            &format!("volumes in `{class}`"),
            bytes(*used),
            bytes(*cap),
            &move |t| t.storage.get(&k).copied().unwrap_or(0),
            &bytes,
        );
    }
    out
}

/// Output format of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// JSON for machines.
    Json,
}

fn grid(head: &[&str], rows: &[Vec<String>], format: Format) -> String {
    let mut out = String::new();
    if format == Format::Markdown {
        out.push_str(&format!("| {} |\n", head.join(" | ")));
        let align: Vec<&str> = head
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { "---" } else { "---:" })
            .collect();
        out.push_str(&format!("| {} |\n", align.join(" | ")));
        for r in rows {
            out.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        return out;
    }
    let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = width[i] - c.chars().count();
                if i == 0 {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect();
        format!("{}\n", parts.join("  ").trim_end())
    };
    out.push_str(&line(head.iter().map(|h| h.to_string()).collect()));
    for r in rows {
        out.push_str(&line(r.clone()));
    }
    out
}

fn storage_cell(t: &Totals) -> String {
    if t.storage.is_empty() {
        return "-".into();
    }
    bytes(t.storage_total())
}

fn row(name: &str, t: &Totals) -> Vec<String> {
    let pods_max = if t.pods_max == t.pods {
        "".into()
    } else {
        t.pods_max.to_string()
    };
    vec![
        name.to_string(),
        t.pods.to_string(),
        pods_max,
        t.jobs.to_string(),
        cpu(t.requests.cpu),
        bytes(t.requests.memory),
        cpu(t.limits.cpu),
        bytes(t.limits.memory),
        storage_cell(t),
    ]
}

const HEAD: [&str; 9] = [
    "", "PODS", "AT MAX", "JOBS", "CPU REQ", "MEM REQ", "CPU LIM", "MEM LIM", "STORAGE",
];

/// Renders a plan.
pub fn format(p: &Plan, format: Format) -> String {
    if format == Format::Json {
        let mut s = serde_json::to_string_pretty(p).expect("plan serialises");
        s.push('\n');
        return s;
    }
    let md = format == Format::Markdown;
    let h = |s: &str| {
        if md {
            format!("### {s}\n\n")
        } else {
            format!("{s}\n")
        }
    };
    let t = &p.total;
    let mut out = String::new();
    out.push_str(&if md {
        format!("## Plan of `{}`\n\n", p.env)
    } else {
        format!("Plan of env `{}`\n", p.env)
    });
    out.push_str(&format!(
        "{}{} long-running pods ({} with autoscaled groups at their maximum), {} job pods\n",
        if md { "" } else { "  " },
        t.pods,
        t.pods_max,
        t.jobs
    ));
    out.push_str(&format!(
        "{}requests {} CPU / {} memory (at maximum {} CPU / {}); limits {} CPU / {} memory{}\n",
        if md { "\n" } else { "  " },
        cpu(t.requests.cpu),
        bytes(t.requests.memory),
        cpu(t.requests_max.cpu),
        bytes(t.requests_max.memory),
        cpu(t.limits.cpu),
        bytes(t.limits.memory),
        if t.unlimited_pods > 0 {
            format!(
                " ({} pods without a CPU and memory limit)",
                t.unlimited_pods
            )
        } else {
            String::new()
        },
    ));
    let classes: Vec<String> = t
        .storage
        .iter()
        .map(|(c, n)| format!("{c} {}", bytes(*n)))
        .collect();
    out.push_str(&format!(
        "{}storage {} ({})\n\n",
        if md { "\n" } else { "  " },
        bytes(t.storage_total()),
        if classes.is_empty() {
            "none".into()
        } else {
            classes.join(", ")
        }
    ));
    let mut comp_head = HEAD;
    comp_head[0] = "COMPONENT";
    let mut rows: Vec<Vec<String>> = p.components.iter().map(|(n, t)| row(n, t)).collect();
    rows.push(row("TOTAL", t));
    out.push_str(&h("Per component"));
    if md {
        out.push('\n');
    }
    out.push_str(&grid(&comp_head, &rows, format));
    out.push('\n');
    let mut ns_head = HEAD;
    ns_head[0] = "NAMESPACE";
    let rows: Vec<Vec<String>> = p.namespaces.iter().map(|(n, t)| row(n, t)).collect();
    out.push_str(&h("Per namespace"));
    if md {
        out.push('\n');
    }
    out.push_str(&grid(&ns_head, &rows, format));
    if let Some(c) = &p.capacity {
        out.push('\n');
        out.push_str(&h(
            "Capacity (worst case: every request, autoscaled groups at their maximum)",
        ));
        if md {
            out.push('\n');
        }
        let mut rows = Vec::new();
        let mut add = |what: String, used: i128, cap: i128, show: &dyn Fn(i128) -> String| {
            let status = if used > cap { "OVER" } else { "ok" };
            rows.push(vec![
                what,
                show(used),
                show(cap),
                show(cap - used),
                status.to_string(),
            ]);
        };
        if let Some((u, k)) = c.pods {
            add("pods".into(), i128::from(u), i128::from(k), &|v| {
                v.to_string()
            });
        }
        if let Some((u, k)) = c.cpu {
            add("cpu requests".into(), u, k, &cpu);
        }
        if let Some((u, k)) = c.memory {
            add("memory requests".into(), u, k, &bytes);
        }
        for (class, (u, k)) in &c.storage {
            add(format!("storage {class}"), *u, *k, &bytes);
        }
        out.push_str(&grid(
            &["", "USED", "CAPACITY", "HEADROOM", ""],
            &rows,
            format,
        ));
    }
    let notes: Vec<String> = p
        .workloads
        .iter()
        .flat_map(|w| {
            w.defaults
                .iter()
                .map(move |d| format!("{}: {d}", w.component))
        })
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        out.push_str(&h("Figures decided by chart or operator defaults"));
        if md {
            out.push('\n');
        }
        for n in notes {
            out.push_str(&format!("- {n}\n"));
        }
    }
    out
}

/// The difference between two envs' plans (`b − a`), per component and in
/// total, in the same units.
pub fn compare(a: &Plan, b: &Plan, format: Format) -> String {
    let names: std::collections::BTreeSet<&str> = a
        .components
        .keys()
        .chain(b.components.keys())
        .copied()
        .collect();
    let empty = Totals::default();
    let delta = |x: i128, y: i128, show: &dyn Fn(i128) -> String| -> String {
        if x == y {
            "=".into()
        } else if y > x {
            format!("+{}", show(y - x))
        } else {
            format!("-{}", show(x - y))
        }
    };
    let diff_row = |name: &str, x: &Totals, y: &Totals| -> Vec<String> {
        vec![
            name.to_string(),
            delta(i128::from(x.pods), i128::from(y.pods), &|v| v.to_string()),
            delta(i128::from(x.pods_max), i128::from(y.pods_max), &|v| {
                v.to_string()
            }),
            delta(i128::from(x.jobs), i128::from(y.jobs), &|v| v.to_string()),
            delta(x.requests.cpu, y.requests.cpu, &cpu),
            delta(x.requests.memory, y.requests.memory, &bytes),
            delta(x.limits.cpu, y.limits.cpu, &cpu),
            delta(x.limits.memory, y.limits.memory, &bytes),
            delta(x.storage_total(), y.storage_total(), &bytes),
        ]
    };
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = names
            .iter()
            .map(|n| {
                let r = diff_row(n, a.components.get(n).unwrap_or(&empty), b.components.get(n).unwrap_or(&empty));
                serde_json::json!({"component": r[0], "pods": r[1], "pods_max": r[2], "jobs": r[3], "cpu_requests": r[4], "memory_requests": r[5], "cpu_limits": r[6], "memory_limits": r[7], "storage": r[8]})
            })
            .collect();
        let mut s = serde_json::to_string_pretty(
            &serde_json::json!({"from": a.env, "to": b.env, "components": rows}),
        )
        .expect("serialises");
        s.push('\n');
        return s;
    }
    let mut rows: Vec<Vec<String>> = names
        .iter()
        .map(|n| {
            diff_row(
                n,
                a.components.get(n).unwrap_or(&empty),
                b.components.get(n).unwrap_or(&empty),
            )
        })
        .collect();
    rows.push(diff_row("TOTAL", &a.total, &b.total));
    let mut head = HEAD;
    head[0] = "COMPONENT";
    let title = format!("{} compared with {} ({} − {})", b.env, a.env, b.env, a.env);
    let mut out = if format == Format::Markdown {
        format!("## {title}\n\n")
    } else {
        format!("{title}\n")
    };
    out.push_str(&grid(&head, &rows, format));
    out
}
