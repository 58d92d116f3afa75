//! The dependency graph of an env's components and their sync waves, as
//! Mermaid or Graphviz DOT.

use crate::resolve::Resolved;

/// Output formats of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// Draws the graph: one node per enabled component labelled with its sync
/// wave, one edge from each dependency to the component that needs it.
pub fn draw(r: &Resolved, format: GraphFormat) -> String {
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
