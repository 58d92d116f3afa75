//! `gen graph`: edges are the dependencies, labels the sync waves, and the
//! README shows the current graph of the built-in prod env.

use platgen::GraphFormat;
use platgen::Platform;

#[test]
fn readme_shows_the_current_prod_graph() {
    let resolved = Platform::builtin().unwrap().graph("prod").unwrap();
    let mermaid = resolved.draw(GraphFormat::Mermaid);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&format!("```mermaid\n{mermaid}```")),
        "README's graph is stale; paste `gen graph --env prod`:\n{mermaid}"
    );
}

#[test]
fn edges_run_from_dependency_to_dependent_and_waves_follow_them() {
    for env in ["dev", "staging", "prod"] {
        let resolved = Platform::builtin().unwrap().graph(env).unwrap();
        let dot = resolved.draw(GraphFormat::Dot);
        let mut waves = std::collections::BTreeMap::new();
        let mut edges = Vec::new();
        for line in dot.lines().map(str::trim) {
            if let Some((node, rest)) = line.split_once(" [label=\"") {
                let wave: u32 = rest
                    .rsplit("wave ")
                    .next()
                    .unwrap()
                    .trim_end_matches("\"];")
                    .parse()
                    .unwrap();
                waves.insert(node.trim_matches('"').to_string(), wave);
            } else if let Some((from, to)) = line.split_once(" -> ") {
                edges.push((
                    from.trim_matches('"').to_string(),
                    to.trim_end_matches(';').trim_matches('"').to_string(),
                ));
            }
        }
        for dep in ["elasticsearch", "kafka", "neo4j", "namespaces"] {
            assert!(
                edges.contains(&(dep.to_string(), "datahub".to_string())),
                "{env}: {dep} -> datahub"
            );
        }
        assert!(
            !edges.iter().any(|(from, _)| from == "datahub"),
            "nothing needs datahub"
        );
        // A component's wave is one more than the highest wave it needs.
        for (node, wave) in &waves {
            let expected = edges
                .iter()
                .filter(|(_, to)| to == node)
                .map(|(from, _)| waves[from] + 1)
                .max()
                .unwrap_or(0);
            assert_eq!(*wave, expected, "{env}: {node}");
        }
    }
}
