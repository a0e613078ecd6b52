//! How a proof scales with workers: proves the fibonacci guest, records the real task graph
//! (every `W1` commitment, leaf, merge and the scan's fold, with what each waited for and its
//! measured time) and replays it by list scheduling on P workers.
//!
//!     CREASE_N=1000000 RAYON_NUM_THREADS=1 cargo bench --bench scaling   # ~10M instructions
//!
//! Run with one thread, so that each task's time is one worker's (with more, a task's own
//! parallel parts run on several cores and its recorded time understates its work).
//! Prints, for P = 1, 2, 4, 16, 64 and 256, the simulated time and speed-up, and the
//! critical path, the longest chain of dependent tasks.

#[path = "../tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

use std::sync::Arc;
use std::time::Instant;

use crease::pcd::graph::{simulate, TaskKind, TaskLog};
use crease::{setup, Input, Isa, ProveOptions, SetupConfig};

fn main() {
    if !support::have_rust_toolchain() {
        return;
    }
    let n: u32 = std::env::var("CREASE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let isa = Isa::rv32im();
    let params = setup(&isa, &SetupConfig::development()).expect("setup");
    let program = support::load(&support::rust_example("fibonacci"), &isa);
    let input = Input {
        public: n.to_le_bytes().to_vec(),
        private: Vec::new(),
    };
    let log = Arc::new(TaskLog::default());
    let options = ProveOptions {
        tasks: Some(log.clone()),
        ..ProveOptions::default()
    };
    let start = Instant::now();
    let (_, exec) = crease::prove_with(&params, &program, &input, &options, None).expect("proves");
    let wall = start.elapsed().as_secs_f64();
    let graph = log.tasks();
    let count = |k: TaskKind| graph.iter().filter(|t| t.kind == k).count();
    let time = |k: TaskKind| -> f64 {
        graph
            .iter()
            .filter(|t| t.kind == k)
            .map(|t| t.seconds)
            .sum()
    };
    println!(
        "# fibonacci n = {n}: {} instructions, proved in {wall:.1} s (RAYON_NUM_THREADS={})",
        exec.cycles,
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "unset".into())
    );
    for (name, k) in [
        ("commit", TaskKind::Commit),
        ("leaf", TaskKind::Leaf),
        ("merge", TaskKind::Merge),
        ("scan", TaskKind::Scan),
        ("shown chains", TaskKind::Show),
    ] {
        println!("- {name}: {} tasks, {:.1} s", count(k), time(k));
    }
    println!();
    println!("| workers | simulated time | speed-up |");
    println!("|---|---|---|");
    let mut critical = 0.0;
    for p in [1, 2, 4, 16, 64, 256] {
        let s = simulate(&graph, p);
        critical = s.critical_path;
        println!("| {p} | {:.1} s | {:.1}× |", s.makespan, s.speedup());
    }
    println!();
    println!("critical path: {critical:.1} s");
}
