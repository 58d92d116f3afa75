//! The graph stage: the dependency graph of an env's enabled components
//! (what each needs, plus config's `dependsOn`) and the sync wave of each,
//! one more than the highest wave it needs. A cycle, a dependency on a
//! disabled or unknown component, are findings. Drawn as Mermaid or DOT.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::Finding;
use crate::names::{config_key, did_you_mean};
use crate::resolve::Resolved;

/// The dependencies and sync waves of an env's enabled components.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Env name.
    pub env: String,
    /// Sync wave by component name.
    pub waves: BTreeMap<&'static str, u32>,
    /// Dependencies by component name (built-in and `dependsOn`).
    pub needs: BTreeMap<&'static str, Vec<&'static str>>,
}

/// Output formats of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// The graph of a resolved env's enabled components: what each needs,
/// its `dependsOn`, the components that create its namespace, and (when
/// it reads Secrets) the components that create Secrets.
pub(crate) fn graph(r: &Resolved) -> Result<Graph> {
    let mut findings = Vec::new();
    let by_name: BTreeMap<&'static str, bool> =
        r.all().map(|(c, slot)| (c.name(), slot.enabled)).collect();
    let secret_makers: Vec<&'static str> = r
        .enabled()
        .filter(|(c, _)| c.creates_secrets())
        .map(|(c, _)| c.name())
        .collect();
    let mut needs: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    let mut wrote_depends_on = Vec::new();
    let sections: BTreeMap<&'static str, Vec<String>> =
        r.all().map(|(c, _)| (c.name(), c.section_path())).collect();
    let at = |name: &str, rest: &[&str]| -> Vec<String> {
        let mut p = sections
            .get(name)
            .cloned()
            .unwrap_or_else(|| vec!["components".into(), config_key(name)]);
        p.extend(rest.iter().map(|s| s.to_string()));
        p
    };
    for (c, slot) in r.enabled() {
        let mut deps: Vec<&'static str> = Vec::new();
        if !slot.common.depends_on.is_empty() {
            wrote_depends_on.push(c.name());
        }
        for (i, extra) in slot.common.depends_on.iter().enumerate() {
            let idx = i.to_string();
            let path = at(c.name(), &["dependsOn", idx.as_str()]);
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            match by_name.get_key_value(extra.as_str()) {
                Some((d, true)) => deps.push(*d),
                Some((d, false)) => findings.push(Finding::new(
                    &path,
                    format!("`{}` depends on `{d}`, which is disabled", c.name()),
                    format!("enable `{d}` or remove it from dependsOn"),
                )),
                None => {
                    let help = match did_you_mean(extra, by_name.keys().copied()) {
                        Some(m) => format!("did you mean `{m}`?"),
                        None => format!(
                            "components: {}",
                            by_name.keys().copied().collect::<Vec<_>>().join(", ")
                        ),
                    };
                    findings.push(Finding::new(
                        &path,
                        format!("no component named `{extra}`"),
                        help,
                    ));
                }
            }
        }
        for d in c.needs(r, slot) {
            match by_name.get(d) {
                Some(true) => deps.push(d),
                Some(false) => findings.push(Finding::new(
                    &at(d, &["enabled"])
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                    format!("`{d}` is disabled but `{}` needs it", c.name()),
                    format!("enable `{d}`, or disable `{}` too", c.name()),
                )),
                None => findings.push(Finding::new(
                    &at(c.name(), &[])
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                    format!(
                        "`{}` needs `{d}`, which this platform does not have",
                        c.name()
                    ),
                    format!("add the `{d}` component to the platform"),
                )),
            }
        }
        if let Some(creator) = r.facts.namespaces.get(slot.namespace()) {
            deps.push(*creator);
        }
        if !c.secrets(r, slot).is_empty() {
            // The Secrets it reads are created by them.
            deps.extend(secret_makers.iter().copied());
        }
        deps.retain(|d| *d != c.name());
        deps.sort_unstable();
        deps.dedup();
        needs.insert(c.name(), deps);
    }
    let mut waves = BTreeMap::new();
    let mut state: BTreeMap<&'static str, u8> = BTreeMap::new(); // 1 = visiting, 2 = done
    for name in needs.keys().copied().collect::<Vec<_>>() {
        let mut stack = Vec::new();
        if let Err(cycle) = visit(name, &needs, &mut state, &mut waves, &mut stack) {
            // Point at a `dependsOn` the config wrote, where there is one.
            let culprit = cycle
                .iter()
                .find(|n| wrote_depends_on.contains(*n))
                .unwrap_or(&cycle[0]);
            findings.push(Finding::new(
                &at(culprit, &["dependsOn"])
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
                format!("dependency cycle: {}", cycle.join(" → ")),
                "remove one of these dependencies".to_string(),
            ));
            break;
        }
    }
    if !findings.is_empty() {
        return Err(r.located(findings));
    }
    Ok(Graph {
        env: r.env.clone(),
        waves,
        needs,
    })
}

fn visit(
    name: &'static str,
    needs: &BTreeMap<&'static str, Vec<&'static str>>,
    state: &mut BTreeMap<&'static str, u8>,
    waves: &mut BTreeMap<&'static str, u32>,
    stack: &mut Vec<&'static str>,
) -> std::result::Result<u32, Vec<&'static str>> {
    match state.get(name) {
        Some(2) => return Ok(waves[name]),
        Some(1) => {
            let start = stack.iter().position(|n| *n == name).unwrap_or(0);
            let mut cycle = stack[start..].to_vec();
            cycle.push(name);
            return Err(cycle);
        }
        _ => {}
    }
    state.insert(name, 1);
    stack.push(name);
    let mut wave = 0;
    for dep in &needs[name] {
        wave = wave.max(visit(dep, needs, state, waves, stack)? + 1);
    }
    stack.pop();
    state.insert(name, 2);
    waves.insert(name, wave);
    Ok(wave)
}
impl Graph {
    /// Draws the graph: one node per enabled component labelled with its
    /// sync wave, one edge from each dependency to the component that
    /// needs it.
    pub fn draw(&self, format: GraphFormat) -> String {
        draw(self, format)
    }
}

fn draw(r: &Graph, format: GraphFormat) -> String {
    let mut out = String::new();
    match format {
        GraphFormat::Mermaid => {
            out.push_str("flowchart LR\n");
            for (name, wave) in &r.waves {
                out.push_str(&format!("  {}[\"{name}<br/>wave {wave}\"]\n", id(name)));
            }
            for (name, deps) in &r.needs {
                for dep in deps {
                    out.push_str(&format!("  {} --> {}\n", id(dep), id(name)));
                }
            }
        }
        GraphFormat::Dot => {
            out.push_str(&format!("digraph \"{}\" {{\n  rankdir=LR;\n", r.env));
            for (name, wave) in &r.waves {
                out.push_str(&format!("  \"{name}\" [label=\"{name}\\nwave {wave}\"];\n"));
            }
            for (name, deps) in &r.needs {
                for dep in deps {
                    out.push_str(&format!("  \"{dep}\" -> \"{name}\";\n"));
                }
            }
            out.push_str("}\n");
        }
    }
    out
}

/// Mermaid node ids may not contain `-`.
fn id(name: &str) -> String {
    name.replace('-', "_")
}
