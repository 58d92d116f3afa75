//! In-process benchmark of the phases of one env's render, on the built-in
//! `prod` env: resolve and graph, plan, and the whole render (resolve →
//! graph → build → render → read back), each as the median of many runs on one core.
//! `cargo bench --bench render`; whole-process fleet timings are in
//! `bench/fleet.sh`.

use std::time::{Duration, Instant};

use platgen::Platform;

/// The allocator `gen` uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A named piece of work to time.
type Phase<'a> = (&'a str, Box<dyn Fn() + 'a>);

/// Median wall time of `f` over `runs` runs, after a warm-up.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..runs / 10 + 1 {
        f();
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let runs = std::env::var("RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let platform = Platform::builtin().expect("built-in platform loads");
    let tree = platform.render("prod").expect("prod renders");
    let bytes: usize = tree.files.values().map(String::len).sum();
    let phases: [Phase; 4] = [
        (
            "load + compile templates",
            Box::new(|| {
                Platform::builtin().unwrap();
            }),
        ),
        (
            "resolve + graph (merge, types, rules, waves)",
            Box::new(|| {
                platform.graph("prod").unwrap();
            }),
        ),
        (
            "plan (resolve + capacity)",
            Box::new(|| {
                platform.plan("prod").unwrap();
            }),
        ),
        (
            "render (resolve → build → render → read back)",
            Box::new(|| {
                platform.render("prod").unwrap();
            }),
        ),
    ];
    println!(
        "built-in prod env: {} files, {bytes} bytes; median of {runs} runs",
        tree.files.len()
    );
    println!("| phase | median |");
    println!("|---|---:|");
    for (name, f) in &phases {
        let t = median(runs, f);
        println!("| {name} | {:.1} µs |", t.as_secs_f64() * 1e6);
    }
}
