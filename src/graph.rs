//! The graph stage: the dependency graph of an env's enabled components
//! (what each needs, plus config's `dependsOn`) and the sync wave of each,
//! one more than the highest wave it needs. A cycle, a dependency on a
//! disabled or unknown component, are findings. Drawn as Mermaid or DOT.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::{Component, Finding, Shared};
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

/// The graph of a resolved env's enabled components.
pub fn graph(r: &Resolved, components: &[Shared]) -> Result<Graph> {
    let config = &r.config;
    let mut findings = Vec::new();
    let by_name: BTreeMap<&'static str, &dyn Component> =
        components.iter().map(|c| (c.name(), c.as_ref())).collect();
    let mut needs: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for c in components.iter().filter(|c| c.enabled(config)) {
        let mut deps = c.needs(config);
        for (i, extra) in c.depends_on(config).iter().enumerate() {
            let idx = i.to_string();
            let key = config_key(c.name());
            let path = ["components", key.as_str(), "dependsOn", idx.as_str()];
            match by_name.get(extra.as_str()) {
                Some(d) if d.enabled(config) => deps.push(d.name()),
                Some(d) => findings.push(Finding::new(
                    &path,
                    format!(
                        "`{}` depends on `{}`, which is disabled",
                        c.name(),
                        d.name()
                    ),
                    format!("enable `{}` or remove it from dependsOn", d.name()),
                )),
                None => {
                    let names = by_name.keys().copied();
                    let help = match did_you_mean(extra, names) {
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
        for d in c.needs(config) {
            if !by_name[d].enabled(config) {
                findings.push(Finding::new(
                    &["components", &config_key(d), "enabled"],
                    format!("`{d}` is disabled but `{}` needs it", c.name()),
                    format!("enable `{d}`, or disable `{}` too", c.name()),
                ));
            }
        }
        if c.name() != "external-secrets"
            && config.secret_store.is_some()
            && !c.secrets(config).is_empty()
        {
            // The Secrets it reads are created by the ExternalSecrets.
            deps.push("external-secrets");
        }
        deps.retain(|d| by_name.get(d).is_some_and(|x| x.enabled(config)));
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
                .find(|n| !by_name[*n].depends_on(config).is_empty())
                .unwrap_or(&cycle[0]);
            let key = config_key(culprit);
            findings.push(Finding::new(
                &["components", key.as_str(), "dependsOn"],
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
/// Draws the graph: one node per enabled component labelled with its sync
/// wave, one edge from each dependency to the component that needs it.
pub fn draw(r: &Graph, format: GraphFormat) -> String {
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
