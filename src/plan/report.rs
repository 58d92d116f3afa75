//! A plan as a table, Markdown or JSON, and the difference of two.

use super::{Plan, Totals};
use crate::model::{bytes, cpu};

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
pub(crate) fn format(p: &Plan, format: Format) -> String {
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
    if !p.counted.is_empty() {
        out.push('\n');
        out.push_str(&h(
            "Counted from the charts rendered by Helm (pods, requests, limits, volumes and hook Jobs of these releases)",
        ));
        if md {
            out.push('\n');
        }
        for r in &p.counted {
            out.push_str(&format!("- {r}\n"));
        }
    }
    if !p.not_counted.is_empty() {
        out.push('\n');
        out.push_str(&h(
            "Not counted: releases whose charts gen does not model (their pods, requests and volumes are missing above)",
        ));
        if md {
            out.push('\n');
        }
        for r in &p.not_counted {
            out.push_str(&format!("- {r}\n"));
        }
    }
    if !p.prerequisites.is_empty() {
        out.push('\n');
        out.push_str(&h(
            "Prerequisites: what the cluster must have before the first sync",
        ));
        if md {
            out.push('\n');
        }
        for q in &p.prerequisites {
            let name = if md {
                format!("`{}`", q.name)
            } else {
                q.name.clone()
            };
            out.push_str(&format!("- {} {name}: {}\n", q.kind, q.why));
        }
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
        out.push_str(&h(if p.counted.is_empty() {
            "Figures decided by chart or operator defaults (estimates: with the charts vendored, `gen plan` counts the charts' from their rendered objects)"
        } else {
            "Figures decided by chart or operator defaults"
        }));
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
pub(crate) fn compare(a: &Plan, b: &Plan, format: Format) -> String {
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
