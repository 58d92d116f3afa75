//! The pods a component creates, with their requests, limits and volumes:
//! what `gen plan` sums.

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
    pub(crate) fn from_list(l: &Option<ResourceList>) -> Amount {
        let get = |q: &Option<Quantity>| q.as_ref().map_or(0, Quantity::nanos);
        l.as_ref().map_or_else(Amount::default, |l| Amount {
            cpu: get(&l.cpu),
            memory: get(&l.memory),
        })
    }
    pub(crate) fn times(self, n: u32) -> Amount {
        Amount {
            cpu: self.cpu * i128::from(n),
            memory: self.memory * i128::from(n),
        }
    }
    pub(crate) fn add(&mut self, o: Amount) {
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
    /// A PersistentVolumeClaim of its own (a chart's): storage, once.
    Volume,
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
    /// The rendered object it was counted from (charts vendored), instead
    /// of estimated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted: Option<String>,
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
            counted: None,
            containers: 0,
        }
    }

    /// A PersistentVolumeClaim of its own: its volume, counted once.
    pub fn volume_claim(component: &'static str, namespace: &str, name: &str) -> Workload {
        Workload {
            kind: Kind::Volume,
            ..Workload::pods(component, namespace, name, 1)
        }
    }

    /// Notes the rendered object it was counted from.
    pub fn counted_from(mut self, object: impl Into<String>) -> Workload {
        self.counted = Some(object.into());
        self
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

pub(crate) fn ser_cpu<S: serde::Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&cpu(*v))
}
pub(crate) fn ser_bytes<S: serde::Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&bytes(*v))
}
pub(crate) fn ser_storage<S: serde::Serializer>(
    v: &BTreeMap<String, i128>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, n) in v {
        m.serialize_entry(k, &bytes(*n))?;
    }
    m.end()
}
