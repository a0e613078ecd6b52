//! End-to-end figures of proving the example guests (BENCHMARKS-prove.md): set-up time and
//! parameter size, and for fibonacci, SHA-256 and sorting: executed instructions, amortized
//! constraints per instruction (per instruction circuit and overall, recursion included),
//! prove throughput, proof size and verify time.
//!
//!     cargo bench --bench prove                   # the default inputs (~100k instructions)
//!     CREASE_BENCH_SCALE=0.1 cargo bench --bench prove    # inputs a tenth of that
//!     CREASE_BENCH_K=1024 cargo bench --bench prove       # another batch size
//!
//! One proof per program is already minutes of work on two cores, so this is a plain
//! measuring program (`harness = false`) rather than a criterion loop over samples.

// Checking bench targets sets `cfg(test)`, which compiles the support module's unit tests
// and their imports.
#[path = "../tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

use std::time::Instant;

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::ConstraintSystem;
use crease::circuits::scan::ScanChain;
use crease::circuits::tables::all_entries;
use crease::circuits::{Batch, Fr};
use crease::pcd::{run_witness, DEFAULT_K};
use crease::{prove, setup, verify, Input, Isa, Params, SetupConfig};
use crease_folding::ivc::IvcParams;
use crease_folding::step::StepCircuit;

/// CPU seconds this process has used (user + system, from `/proc/self/stat`, at the usual
/// 100 ticks per second); 0 where unavailable. On a shared machine wall time alone
/// understates the prover.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which ends with the last ')'): utime is the 12th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

/// Constraints of one step of a step circuit alone (no recursion).
fn step_constraints<C: StepCircuit>(c: &C) -> usize {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let alloc = |n: usize| -> Vec<FpVar<Fr>> {
        (0..n)
            .map(|i| FpVar::new_witness(cs.clone(), || Ok(Fr::from(7 + i as u64))).expect("alloc"))
            .collect()
    };
    let consts = alloc(c.num_constants());
    let z = alloc(c.arity());
    let ext = c.dummy_external_witness();
    let w1 = c.generate_w1(cs.clone(), &ext).expect("w1");
    c.generate_step_constraints(cs.clone(), &consts, &z, &w1, &ext)
        .expect("synthesize");
    cs.num_constraints()
}

/// Constraints a chain spends on `entries` entries in batches of `k`: (logic, recursion).
fn chain_cost(ivc: &IvcParams, step: usize, k: usize, entries: usize) -> (u64, u64) {
    let steps = entries.div_ceil(k) as u64;
    let aug = ivc.shape().num_constraints as u64;
    (steps * step as u64, steps * (aug - step as u64))
}

struct Guest {
    name: &'static str,
    input: Vec<u8>,
}

fn guests(scale: f64) -> Vec<Guest> {
    let n = |base: f64| ((base * scale).round() as usize).max(1);
    let mut state = 0x2545_f491_u32;
    let words: Vec<u8> = (0..n(300.0))
        .flat_map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()
        })
        .collect();
    vec![
        Guest {
            name: "fibonacci",
            input: (n(10_000.0) as u32).to_le_bytes().to_vec(),
        },
        Guest {
            name: "sha256",
            input: vec![b'a'; n(1024.0)],
        },
        Guest {
            name: "sort",
            input: words,
        },
    ]
}

fn measure(params: &Params, isa: &Isa, g: &Guest) {
    let elf = support::rust_example(g.name);
    let program = support::load(&elf, isa);
    let input = Input {
        public: g.input.clone(),
        private: Vec::new(),
    };
    let (w, _) = run_witness(params, &program, &input).expect("runs");
    let t = w.steps;
    let start = Instant::now();
    let cpu = cpu_seconds();
    let (proof, exec) = prove(params, &program, &input).expect("proves");
    let prove_s = start.elapsed().as_secs_f64();
    let prove_cpu = cpu_seconds() - cpu;
    let bytes = proof.to_bytes().expect("serializes");
    let start = Instant::now();
    let st = verify(params, &program, &input.public, &proof).expect("verifies");
    let verify_s = start.elapsed().as_secs_f64();
    assert_eq!(st.steps, exec.cycles);

    println!(
        "\n## {} (public input {} bytes): {t} instructions",
        g.name,
        g.input.len()
    );
    println!("| chain | entries | k | steps | logic/entry | recursion/entry | total/entry |");
    println!("|---|---|---|---|---|---|---|");
    let (mut logic, mut rec) = (0u64, 0u64);
    let row = |name: &str, ivc: &IvcParams, step: usize, k: usize, entries: usize| {
        let (l, r) = chain_cost(ivc, step, k, entries);
        let e = entries.max(1) as f64;
        println!(
            "| {name} | {entries} | {k} | {} | {:.1} | {:.1} | {:.1} |",
            entries.div_ceil(k),
            l as f64 / e,
            r as f64 / e,
            (l + r) as f64 / e
        );
        (l, r)
    };
    for (i, name) in params.circuit_names().enumerate() {
        let count = w.records.iter().filter(|(j, _)| *j == i).count();
        let (Some(c), Some(k), Some(ivc)) =
            (params.circuit(i), params.k(i), params.instruction_params(i))
        else {
            continue;
        };
        if count > 0 {
            let step = step_constraints(&Batch::new(c.clone(), i, k));
            let (l, r) = row(name, ivc, step, k, count);
            logic += l;
            rec += r;
        }
    }
    let (instr_logic, instr_rec) = (logic, rec);
    let (scan_k, scan) = params.scan_params();
    let (scan_logic, scan_rec) = row(
        "scan",
        scan,
        step_constraints(&ScanChain::new(scan_k)),
        scan_k,
        w.entries.len(),
    );
    logic += scan_logic;
    rec += scan_rec;
    let tf = t as f64;
    println!();
    println!(
        "- constraints per instruction: {:.1} overall (instruction chains {:.1} = logic {:.1} \
         + recursion {:.1}; scan {:.1}); {} table rows counted of {}",
        (logic + rec) as f64 / tf,
        (instr_logic + instr_rec) as f64 / tf,
        instr_logic as f64 / tf,
        instr_rec as f64 / tf,
        (scan_logic + scan_rec) as f64 / tf,
        proof.table_counts().len(),
        all_entries(&program).len(),
    );
    println!(
        "- prove: {prove_s:.1} s wall, {:.0} instructions/s ({prove_cpu:.1} CPU s, {:.0} \
         instructions per CPU second); proof {:.1} MB; verify {verify_s:.2} s",
        tf / prove_s,
        tf / prove_cpu.max(1e-9),
        bytes.len() as f64 / 1e6
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let scale: f64 = std::env::var("CREASE_BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    let k: usize = std::env::var("CREASE_BENCH_K")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_K);
    if !support::have_rust_toolchain() {
        return;
    }
    let isa = Isa::rv32im();
    let start = Instant::now();
    let cpu = cpu_seconds();
    let params = setup(&isa, &SetupConfig::development().with_k(k)).expect("setup");
    let setup_s = start.elapsed().as_secs_f64();
    let setup_cpu = cpu_seconds() - cpu;
    let size = params.to_bytes().expect("serializes").len();
    println!("# crease prove figures (k = {k}, scale {scale})");
    println!(
        "setup: {setup_s:.1} s wall ({setup_cpu:.1} CPU s), parameters {:.1} MB ({} instruction chains, scan k = {})",
        size as f64 / 1e6,
        params.circuit_names().count(),
        params.scan_params().0,
    );
    for g in guests(scale) {
        measure(&params, &isa, &g);
    }
}
