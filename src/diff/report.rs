//! A [`Diff`] for people (text), for a pull-request comment (markdown) and
//! for tools (JSON).

use std::fmt::Write;

use super::{Change, ChangeKind, Diff, EnvChanges};

/// How a diff is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Per group of envs, per file and object, one line per change.
    Text,
    /// A summary table and the details of each group, collapsed.
    Markdown,
    /// `{"changed", "groups": [{"envs", "changes": [...]}]}`.
    Json,
}

pub(super) fn report(d: &Diff, format: Format) -> String {
    match format {
        Format::Text => text(d),
        Format::Markdown => markdown(d),
        Format::Json => json(d),
    }
}

/// The envs of a group: all named up to three, else the first and last
/// and how many.
fn envs_label(g: &EnvChanges) -> String {
    match g.envs.as_slice() {
        [one] => one.clone(),
        few if few.len() <= 3 => format!("{} (the same change)", few.join(", ")),
        many => format!(
            "{} … {} ({} envs, the same change)",
            many[0],
            many[many.len() - 1],
            many.len()
        ),
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// Each change as `(file and object heading, line)`, headings repeated.
fn lines(changes: &[Change], diff_style: bool) -> Vec<(String, String)> {
    changes
        .iter()
        .map(|c| {
            let heading = match &c.object {
                Some(o) => format!("{}  {o}", c.file),
                None => c.file.clone(),
            };
            let at = if c.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", c.path)
            };
            let line = match &c.kind {
                ChangeKind::Added(v) => format!("+ {at}{v}"),
                ChangeKind::Removed(v) => format!("- {at}{v}"),
                ChangeKind::Changed(a, b) if diff_style => format!("- {at}{a}\n+ {at}{b}"),
                ChangeKind::Changed(a, b) => format!("~ {at}{a} → {b}"),
            };
            (heading, line)
        })
        .collect()
}

fn text(d: &Diff) -> String {
    let mut out = String::new();
    for g in &d.groups {
        let _ = writeln!(
            out,
            "{}: {}",
            envs_label(g),
            plural(g.changes.len(), "change")
        );
        let mut last = None;
        for (heading, line) in lines(&g.changes, false) {
            if last.as_ref() != Some(&heading) {
                let _ = writeln!(out, "  {heading}");
                last = Some(heading);
            }
            let _ = writeln!(out, "    {line}");
        }
    }
    for u in &d.upgrades {
        out.push_str(&crate::charts::upgrade::text(u));
    }
    out.push_str(&summary(d));
    out.push('\n');
    out
}

fn summary(d: &Diff) -> String {
    if d.is_empty() {
        return "no change".to_string();
    }
    let envs: usize = d.groups.iter().map(|g| g.envs.len()).sum();
    let changes: usize = d
        .groups
        .iter()
        .map(|g| g.changes.len() * g.envs.len())
        .sum();
    format!(
        "{} changed, {} in all",
        plural(envs, "env"),
        plural(changes, "change")
    )
}

fn markdown(d: &Diff) -> String {
    let mut out = format!("### gen diff: {}\n", summary(d));
    if d.is_empty() {
        return out;
    }
    out.push_str("\n| envs | file | added | removed | changed |\n|---|---|--:|--:|--:|\n");
    for g in &d.groups {
        let mut per_file: Vec<(&str, [usize; 3])> = Vec::new();
        for c in &g.changes {
            let i = match c.kind {
                ChangeKind::Added(_) => 0,
                ChangeKind::Removed(_) => 1,
                ChangeKind::Changed(..) => 2,
            };
            match per_file.iter_mut().find(|(f, _)| *f == c.file) {
                Some((_, n)) => n[i] += 1,
                None => {
                    let mut n = [0; 3];
                    n[i] = 1;
                    per_file.push((&c.file, n));
                }
            }
        }
        for (file, [a, r, c]) in per_file {
            let _ = writeln!(
                out,
                "| {} | `{file}` | {a} | {r} | {c} |",
                cell(&envs_label(g))
            );
        }
    }
    for g in &d.groups {
        let _ = write!(
            out,
            "\n<details><summary>{} — {}</summary>\n\n```diff\n",
            cell(&envs_label(g)),
            plural(g.changes.len(), "change")
        );
        let mut last = None;
        for (heading, line) in lines(&g.changes, true) {
            if last.as_ref() != Some(&heading) {
                let _ = writeln!(out, "@@ {heading}");
                last = Some(heading);
            }
            let _ = writeln!(out, "{}", line.replace("```", "'''"));
        }
        out.push_str("```\n\n</details>\n");
    }
    if !d.upgrades.is_empty() {
        out.push_str("\n#### Chart upgrades\n\n```text\n");
        for u in &d.upgrades {
            out.push_str(&crate::charts::upgrade::text(u).replace("```", "'''"));
        }
        out.push_str("```\n");
    }
    out
}

/// Text fit for a table cell or summary: no pipes or angle brackets.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn json(d: &Diff) -> String {
    use serde_json::json;
    let groups: Vec<serde_json::Value> = d
        .groups
        .iter()
        .map(|g| {
            let changes: Vec<serde_json::Value> = g
                .changes
                .iter()
                .map(|c| {
                    let (kind, old, new) = match &c.kind {
                        ChangeKind::Added(v) => ("added", None, Some(v)),
                        ChangeKind::Removed(v) => ("removed", Some(v), None),
                        ChangeKind::Changed(a, b) => ("changed", Some(a), Some(b)),
                    };
                    // Each side as the value it shows (text where cut or
                    // masked).
                    let value = |v: Option<&String>| {
                        v.map(|v| {
                            serde_json::from_str::<serde_json::Value>(v)
                                .unwrap_or_else(|_| serde_json::Value::String(v.clone()))
                        })
                    };
                    let (old, new) = (value(old), value(new));
                    json!({
                        "file": c.file,
                        "object": c.object,
                        "path": c.path,
                        "kind": kind,
                        "old": old,
                        "new": new,
                    })
                })
                .collect();
            json!({"envs": g.envs, "changes": changes})
        })
        .collect();
    let mut report = json!({"changed": !d.is_empty(), "groups": groups});
    if !d.upgrades.is_empty() {
        report["upgrades"] = json!(d.upgrades);
    }
    format!("{report}\n")
}
