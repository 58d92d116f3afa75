//! Sums an env's workloads per component, per namespace and in total.

use std::collections::BTreeMap;

use super::{Headroom, Plan, Totals};
use crate::model::Workload;
use crate::resolve::Resolved;

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
            prerequisites: Vec::new(),
            not_counted: Vec::new(),
            counted: Vec::new(),
        }
    }
}

/// The plan of a resolved env: every enabled component's workloads, its
/// smoke check's Job included, and what the cluster must already have.
/// Figures of Helm charts are gen's estimates of their defaults.
pub(crate) fn plan(r: &Resolved) -> Plan {
    plan_with(r, &BTreeMap::new())
}

/// [`plan`], with the workloads of the releases in `counted` (component →
/// `(chart, workloads)`) counted from their rendered objects instead.
pub(crate) fn plan_with(r: &Resolved, counted: &BTreeMap<String, (String, Vec<Workload>)>) -> Plan {
    let workloads = r
        .enabled()
        .flat_map(|(c, slot)| {
            let mut w = match counted.get(c.name()) {
                Some((_, w)) => w.clone(),
                None => c.workloads(r, slot),
            };
            if r.platform.smoke_on(c.name()) {
                w.extend(c.smoke(r, slot).map(|check| check.workload(c.name())));
            }
            w
        })
        .collect();
    let mut plan = Plan::new(&r.env, workloads, r.platform.capacity.as_ref());
    plan.prerequisites = super::prereqs::of(r, &plan);
    plan.not_counted = r
        .enabled()
        .filter(|(c, _)| c.section_path()[0] == "releases" && !counted.contains_key(c.name()))
        .filter_map(|(c, slot)| {
            let chart = slot.chart.as_ref()?;
            Some(format!("{} ({} {})", c.name(), chart.name, chart.version))
        })
        .collect();
    plan.counted = r
        .enabled()
        .filter_map(|(c, _)| {
            let (chart, _) = counted.get(c.name())?;
            Some(format!("{} ({chart})", c.name()))
        })
        .collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Quantity, Resources};
    use crate::model::{bytes, cpu, list};

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
