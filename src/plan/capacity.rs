//! The declared capacity against the worst case: findings where an env's
//! requests exceed it, naming the largest consumers.

use super::{Plan, Totals};
use crate::error::Diagnostic;
use crate::model::{bytes, cpu};
use crate::resolve::Resolved;

/// Findings where the worst case exceeds the declared capacity, each naming
/// the largest consumers and located at the capacity it exceeds.
pub(crate) fn over_capacity(r: &Resolved, p: &Plan) -> Vec<Diagnostic> {
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
            Diagnostic::new(format!(
                "{what} {used} exceed the capacity of {cap} (largest: {})",
                largest.join(", ")
            ))
            .at(Some(r.locate(&path)))
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
