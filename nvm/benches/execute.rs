//! Executor throughput: instructions per second with and without the full trace.
//!
//! The program is hand-assembled: a loop of ALU operations, a multiply, a load, a store and
//! a branch over a 4 KiB RAM buffer, i.e. the instruction mix of a hashing or sorting
//! kernel. Each iteration is 16 instructions.
//!
//! When the example guests have been built (`examples/guests`, `examples/c`), the SHA-256
//! guests are also run over 1 MiB of public input: the headline figure.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use crease_nvm::encode::*;
use crease_nvm::layout::RAM_START;
use crease_nvm::{
    run, run_with_sink, Access, Input, Isa, Program, RunOptions, Segment, Step, Trace, TraceSink,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const S0: u8 = 8;
const T0: u8 = 5;
const T1: u8 = 6;
const A0: u8 = 10;
const A1: u8 = 11;
const A2: u8 = 12;
const A3: u8 = 13;
const A4: u8 = 14;
const A5: u8 = 15;
const A6: u8 = 16;
const A7: u8 = 17;

/// A program running `iterations` loop iterations (16 instructions each).
fn kernel(iterations: u32) -> Program {
    let mut code = Vec::new();
    code.extend(li(S0, RAM_START));
    code.extend(li(T1, iterations));
    code.push(addi(A0, 0, 1));
    let body = [
        andi(T0, T1, 0x3fc),
        add(T0, T0, S0),
        lw(A1, T0, 0),
        add(A0, A0, A1),
        xor(A2, A0, T1),
        slli(A3, A2, 3),
        srli(A4, A2, 7),
        or(A3, A3, A4),
        sw(A3, T0, 4),
        addi(A4, T1, 7),
        and(A5, A4, A3),
        sub(A0, A0, A5),
        mul(A6, A0, T1),
        xor(A0, A0, A6),
        addi(T1, T1, -1),
    ];
    code.extend(body);
    code.push(bne(T1, 0, -4 * body.len() as i32));
    code.push(addi(A7, 0, 93));
    code.push(ecall());
    let segment = Segment {
        vaddr: 0x1000,
        mem_size: 4 * code.len() as u32,
        data: code.iter().flat_map(|w| w.to_le_bytes()).collect(),
        read: true,
        write: false,
        exec: true,
    };
    match Program::from_parts(0x1000, vec![segment], &Isa::rv32im()) {
        Ok(p) => p,
        Err(e) => panic!("bench program: {e}"),
    }
}

/// Counts steps and accesses without storing them: the cost of producing the trace.
struct CountingSink(u64);

impl TraceSink for CountingSink {
    fn step(&mut self, _step: &Step, accesses: &[Access]) {
        self.0 += accesses.len() as u64;
    }
}

/// Records the full trace into memory in chunks of [`CHUNK`] steps, handing each full chunk
/// on (here: dropping it) as the prover takes its batches; memory stays bounded.
struct ChunkedTrace {
    chunk: Trace,
    steps: u64,
}

const CHUNK: usize = 1 << 20;

impl TraceSink for ChunkedTrace {
    fn step(&mut self, step: &Step, accesses: &[Access]) {
        if self.chunk.steps.len() == CHUNK {
            self.steps += CHUNK as u64;
            self.chunk.steps.clear();
            self.chunk.accesses.clear();
        }
        self.chunk.step(step, accesses);
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("execute");
    group.sample_size(10);
    for (name, iterations) in [("no_trace", 1_000_000u32), ("trace", 100_000)] {
        let program = kernel(iterations);
        let cycles = match run(&program, &Input::default(), RunOptions::default()) {
            Ok(e) => e.cycles,
            Err(e) => panic!("bench program: {e}"),
        };
        group.throughput(Throughput::Elements(cycles));
        group.bench_with_input(BenchmarkId::new(name, cycles), &program, |b, p| {
            b.iter(|| {
                let options = RunOptions {
                    trace: name == "trace",
                    ..RunOptions::default()
                };
                run(p, &Input::default(), options).map(|e| e.cycles).ok()
            })
        });
        if name == "trace" {
            group.bench_with_input(BenchmarkId::new("trace_sink", cycles), &program, |b, p| {
                b.iter(|| {
                    let mut sink = CountingSink(0);
                    run_with_sink(p, &Input::default(), RunOptions::default(), &mut sink).ok();
                    sink.0
                })
            });
        }
    }
    group.finish();
    sha256_guests(c);
}

/// The SHA-256 example guests over 1 MiB, if built.
fn sha256_guests(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let guests = [
        (
            "rust",
            root.join("examples/guests/target/riscv32im-unknown-none-elf/release/sha256"),
        ),
        (
            "c",
            root.join("examples/c/target/crease/release/sha256.elf"),
        ),
    ];
    // A fixed pseudo-random input (xorshift), so runs are comparable.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let public: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let input = Input {
        public,
        private: Vec::new(),
    };
    let mut group = c.benchmark_group("sha256_1mib");
    group.sample_size(10);
    for (lang, path) in guests {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!(
                "skipping {lang} SHA-256 guest: {} not built",
                path.display()
            );
            continue;
        };
        let program = match Program::from_elf(&bytes, &Isa::rv32im()) {
            Ok(p) => p,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        let cycles = match run(&program, &input, RunOptions::default()) {
            Ok(e) => e.cycles,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        group.throughput(Throughput::Elements(cycles));
        group.bench_with_input(BenchmarkId::new("no_trace", lang), &program, |b, p| {
            b.iter(|| run(p, &input, RunOptions::default()).map(|e| e.cycles).ok())
        });
        group.bench_with_input(BenchmarkId::new("trace_sink", lang), &program, |b, p| {
            b.iter(|| {
                let mut sink = CountingSink(0);
                run_with_sink(p, &input, RunOptions::default(), &mut sink).ok();
                sink.0
            })
        });
        group.bench_with_input(BenchmarkId::new("trace_chunks", lang), &program, |b, p| {
            b.iter(|| {
                let mut sink = ChunkedTrace {
                    chunk: Trace::default(),
                    steps: 0,
                };
                run_with_sink(p, &input, RunOptions::default(), &mut sink).ok();
                sink.steps + sink.chunk.steps.len() as u64
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
