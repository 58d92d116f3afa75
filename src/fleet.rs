//! `gen fleet`: a synthetic fleet for benchmarks, the example platform with
//! N env overlays, one per cluster, varying replicas, volume sizes and
//! image tags by index.

/// `(relative path, text)` of a config with `count` envs (`c0001`, …).
pub fn files(count: usize) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = platgen::Platform::example_files()
        .into_iter()
        .filter(|(p, _)| p == "platform.yaml")
        .collect();
    for i in 1..=count {
        let overlay = format!(
            "domain: c{i:04}.fleet.example\n\
             components:\n\
             \x20 elasticsearch:\n\
             \x20   data:\n\
             \x20     replicas: {data}\n\
             \x20     storage: {es}Gi\n\
             \x20 kafka:\n\
             \x20   controller:\n\
             \x20     storage: {kafka}Gi\n\
             \x20 neo4j:\n\
             \x20   storage: {neo}Gi\n\
             \x20 doris:\n\
             \x20   fe:\n\
             \x20     image: apache/doris:fe-3.0.{patch}\n\
             \x20   be:\n\
             \x20     replicas: {be}\n\
             \x20     image: apache/doris:be-3.0.{patch}\n",
            data = 1 + i % 3,
            es = 20 + i % 80,
            kafka = 10 + i % 40,
            neo = 10 + i % 30,
            be = 1 + i % 4,
            patch = 1 + i % 8,
        );
        files.push((format!("envs/c{i:04}.yaml"), overlay));
    }
    files
}
