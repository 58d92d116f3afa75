use platgen::yaml::{holds, parse_documents, Limits, Source};
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let mut cases = Vec::new();
    for e in walkdir::WalkDir::new("output/prod") {
        let e = e.unwrap();
        if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "yaml") {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let docs = parse_documents(
                std::sync::Arc::new(Source {
                    name: "x".into(),
                    text: text.clone(),
                }),
                Limits::default(),
            )
            .unwrap();
            let json: Vec<serde_json::Value> = docs.iter().map(|d| d.to_json()).collect();
            cases.push((text, json));
        }
    }
    let n = 3000;
    let mut best = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        for _ in 0..n {
            for (text, json) in &cases {
                assert!(holds(text, json));
            }
        }
        best = best.min(t.elapsed() / n);
    }
    let bytes: usize = cases.iter().map(|c| c.0.len()).sum();
    let t = std::time::Instant::now();
    for _ in 0..n {
        for (_, json) in &cases {
            for j in json {
                std::hint::black_box(platgen::yaml::emit(j).unwrap());
            }
        }
    }
    let e = t.elapsed() / n;
    println!(
        "holds {:?} per pass ({:.0} MB/s); emit {:?}",
        best,
        bytes as f64 / best.as_secs_f64() / 1e6,
        e
    );
}
