//! Runs IVC steps of the bench's `MulCircuit` and prints the wall time per step, for
//! profiling (`perf record`) and quick A/B comparisons:
//!
//!     cargo run --release -p crease-folding --example step_profile -- <log2 size> <u32|grid|full> <steps>
//!
//! With `NOFLOOR` set it skips the floor measurement, so that a profile shows the steps alone.
#![allow(missing_docs)]

use crease_folding::ivc::{IvcParams, IvcProver};
use crease_folding::testing::{Factors, MulCircuit};
use crease_folding::Fr;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let log: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let factors = match args.get(2).map(String::as_str) {
        Some("u32") => Factors::Small,
        Some("full") => Factors::Full,
        _ => Factors::Grid,
    };
    let steps: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20);
    let circuit = MulCircuit {
        size: 1 << log,
        factors,
    };
    let t = Instant::now();
    let params = IvcParams::setup(&circuit).expect("setup");
    params.build_prover_tables();
    let shape = params.shape();
    eprintln!(
        "setup {:?}, {} primary constraints, W1 {} + W2 {} entries",
        t.elapsed(),
        shape.num_constraints,
        shape.num_w1,
        shape.num_w2
    );
    let mut prover =
        IvcProver::new(&params, circuit.clone(), vec![Fr::from(0u64)], vec![]).expect("prover");
    for i in 0..2 {
        prover.prove_step(&circuit.witness(i)).expect("step");
    }
    let (t, cpu) = (Instant::now(), cpu_ms());
    for i in 2..2 + steps {
        prover.prove_step(&circuit.witness(i)).expect("step");
    }
    let wall = t.elapsed().as_secs_f64() * 1e3 / steps as f64;
    let cpu = (cpu_ms() - cpu) / steps as f64;
    // The floor in the same run: the MSMs of the last fresh witness, as the prover makes them
    // (skipped with NOFLOOR set, for profiling the steps alone).
    let fresh = prover.fresh_witness().clone();
    let t = Instant::now();
    for _ in 0..steps * std::env::var("NOFLOOR").is_err() as u64 {
        let _ = params.commit_fresh_witness(&fresh).expect("commit");
    }
    let floor = t.elapsed().as_secs_f64() * 1e3 / steps as f64;
    let floor = if floor > 0.0 {
        format!(", floor {floor:.1} ms, ratio {:.2}", wall / floor)
    } else {
        String::new()
    };
    println!(
        "2^{log} {}: {wall:.1} ms per step, {cpu:.1} ms of CPU ({:.2} cores busy){floor}",
        args.get(2).map_or("grid", String::as_str),
        cpu / wall,
    );
}

/// CPU time of this process so far (user + system), from /proc/self/stat.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    ticks * 10.0
}
