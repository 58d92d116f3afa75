//! `gen graph`: edges are the dependencies, labels the sync waves, and the
//! README shows the current graph of the built-in prod env.

use platgen::graph::{draw, GraphFormat};
use platgen::Platform;

#[test]
fn readme_shows_the_current_prod_graph() {
    let resolved = Platform::builtin().unwrap().resolve("prod").unwrap();
    let mermaid = draw(&resolved, GraphFormat::Mermaid);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&format!("```mermaid\n{mermaid}```")),
        "README's graph is stale; paste `gen graph --env prod`:\n{mermaid}"
    );
}

#[test]
fn edges_run_from_dependency_to_dependent() {
    let resolved = Platform::builtin().unwrap().resolve("prod").unwrap();
    let dot = draw(&resolved, GraphFormat::Dot);
    for dep in ["elasticsearch", "kafka", "neo4j", "namespaces"] {
        assert!(dot.contains(&format!("\"{dep}\" -> \"datahub\";")), "{dot}");
    }
    assert!(dot.contains("\"datahub\" [label=\"datahub\\nwave 2\"];"));
    assert!(!dot.contains("\"datahub\" ->"), "nothing needs datahub");
}
