//! What an env costs before anything is applied: pods, CPU and memory
//! requests and limits, and persistent storage per storage class, per
//! component, per namespace and in total, against the env's declared
//! capacity. Figures a chart default decides say so, and where from.
//!
//! The plan's own model is here; [`aggregate`] sums workloads into it,
//! [`capacity`] compares it with what the env declares, [`report`] prints it.

pub(crate) mod aggregate;
pub(crate) mod capacity;
pub(crate) mod prereqs;
pub(crate) mod report;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{bytes, cpu, ser_storage, Amount, Kind, Prerequisite, Workload};

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
    pub(crate) fn add(&mut self, w: &Workload) {
        match w.kind {
            Kind::Job => {
                self.jobs += w.replicas;
                return;
            }
            Kind::Volume => {
                for (class, size) in &w.storage {
                    *self.storage.entry(class.clone()).or_default() += size;
                }
                return;
            }
            Kind::Pod => {}
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
    /// What must exist on the cluster before the first sync.
    pub prerequisites: Vec<Prerequisite>,
    /// Releases declared under `releases:`, whose pods are not counted:
    /// what their charts create is not known to gen. `name (chart version)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_counted: Vec<String>,
    /// Releases counted from their charts rendered by Helm (charts
    /// vendored), not estimated: `name (chart version)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counted: Vec<String>,
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

impl Headroom {
    /// Whether the worst case exceeds anything declared.
    pub fn exceeded(&self) -> bool {
        self.pods.is_some_and(|(u, c)| u > c)
            || self.cpu.is_some_and(|(u, c)| u > c)
            || self.memory.is_some_and(|(u, c)| u > c)
            || self.storage.values().any(|(u, c)| u > c)
    }
}

impl Plan {
    /// Whether the worst case exceeds the env's declared capacity (render
    /// and check refuse such an env).
    pub fn over_capacity(&self) -> bool {
        self.capacity.as_ref().is_some_and(Headroom::exceeded)
    }

    /// The plan as an aligned table, Markdown or JSON.
    pub fn report(&self, format: report::Format) -> String {
        report::format(self, format)
    }

    /// What changes from `base` to this plan (`self − base`), per
    /// component and in total, in the same units.
    pub fn compare(&self, base: &Plan, format: report::Format) -> String {
        report::compare(base, self, format)
    }
}
