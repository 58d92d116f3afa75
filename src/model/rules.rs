//! Rules many components share: replica counts, volume sizes, requests
//! within limits, JVM heap sizes, names. Paths are relative to the
//! component's section.

use super::Findings;
use crate::config::{Quantity, Resources};
use crate::names::{is_dns_label, DNS_LABEL_HELP};

/// Requests ≤ limits for CPU and memory.
pub fn resources(r: &Resources, path: &[&str], f: &mut Findings) {
    let (Some(req), Some(lim)) = (&r.requests, &r.limits) else {
        return;
    };
    let pairs: [(&str, &Option<Quantity>, &Option<Quantity>); 2] = [
        ("cpu", &req.cpu, &lim.cpu),
        ("memory", &req.memory, &lim.memory),
    ];
    for (what, rq, lm) in pairs {
        if let (Some(rq), Some(lm)) = (rq, lm) {
            if rq > lm {
                let mut p: Vec<&str> = path.to_vec();
                p.extend(["requests", what]);
                f.at(
                    &p,
                    format!("{what} request {rq} exceeds its limit {lm}"),
                    format!("lower requests.{what} to at most {lm}, or raise limits.{what}"),
                );
            }
        }
    }
}

/// Optional resources: requests ≤ limits when set.
pub fn maybe_resources(r: &Option<Resources>, path: &[&str], f: &mut Findings) {
    if let Some(r) = r {
        resources(r, path, f);
    }
}

/// A replica count of at least `min`.
pub fn replicas(n: u32, min: u32, path: &[&str], f: &mut Findings) {
    if n < min {
        f.at(
            path,
            format!("replicas is {n}; at least {min} is needed"),
            format!(
                "set replicas to {min} or more (or set `enabled: false` to turn the component off)"
            ),
        );
    }
}

/// A positive volume size.
pub fn storage(q: &Quantity, path: &[&str], f: &mut Findings) {
    if !q.is_positive() {
        f.at(
            path,
            format!("volume size {q} must be positive"),
            "give a size such as `20Gi`",
        );
    }
}

/// A JVM heap size (`512m`, `2g`), as Elasticsearch reads it for `-Xmx`.
pub fn heap(heap: &Option<String>, path: &[&str], f: &mut Findings) {
    if let Some(h) = heap {
        let ok = h.len() > 1
            && h[..h.len() - 1].bytes().all(|b| b.is_ascii_digit())
            && matches!(
                h.as_bytes()[h.len() - 1],
                b'k' | b'm' | b'g' | b'K' | b'M' | b'G'
            );
        if !ok {
            f.at(
                path,
                format!("`{h}` is not a JVM heap size"),
                "write a whole number with k, m or g, e.g. `512m` or `2g`",
            );
        }
    }
}

/// A release or resource name that is a DNS-1123 label.
pub fn name(name: &str, path: &[&str], f: &mut Findings) {
    if !is_dns_label(name) {
        f.at(
            path,
            format!("`{name}` is not a valid name"),
            DNS_LABEL_HELP,
        );
    }
}
