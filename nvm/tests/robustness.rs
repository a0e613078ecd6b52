//! Bad input never panics: mutated ELF files load or fail with an error, and random code
//! runs to an exit or a fault.

mod common;

use common::*;
use crease_nvm::encode::*;
use crease_nvm::{run, Input, Isa, Program, RunOptions};
use rand::{rngs::StdRng, Rng, SeedableRng};

#[test]
fn mutated_elf_files_never_panic() {
    let mut code = set(T0, 0x1_0000 + 0x1000);
    code.push(lw(T1, T0, 0));
    let base = elf_at(0x1000, &then_exit_with(code, T1));
    let isa = Isa::rv32im();
    let mut rng = StdRng::seed_from_u64(3);
    let mut loaded = 0;
    for _ in 0..20_000 {
        let mut bytes = base.clone();
        for _ in 0..rng.gen_range(1..4) {
            let i = rng.gen_range(0..bytes.len());
            bytes[i] = rng.gen();
        }
        if rng.gen_bool(0.1) {
            bytes.truncate(rng.gen_range(0..bytes.len()));
        }
        if let Ok(program) = Program::from_elf(&bytes, &isa) {
            loaded += 1;
            let options = RunOptions {
                max_cycles: 1000,
                ..RunOptions::default()
            };
            let _ = run(&program, &Input::default(), options);
        }
    }
    assert!(loaded > 0);
}

#[test]
fn random_code_exits_or_faults() {
    let isa = Isa::rv32im();
    let mut rng = StdRng::seed_from_u64(5);
    let mut faults = 0;
    for _ in 0..2_000 {
        // Random words that decode, with some jumps and memory operations aimed at mapped
        // memory (t0 = DATA).
        let mut code = set(T0, DATA);
        while code.len() < 64 {
            let w = match rng.gen_range(0..4) {
                0 => lw(rng.gen_range(6..32), T0, rng.gen_range(0..64) * 4),
                1 => sw(rng.gen_range(0..32), T0, rng.gen_range(-8..64) * 4),
                _ => rng.gen::<u32>() | 3,
            };
            if isa.decode(w).is_some() || w == 0 {
                code.push(w);
            }
        }
        let options = RunOptions {
            max_cycles: 10_000,
            trace: rng.gen_bool(0.5),
            ..RunOptions::default()
        };
        match run(&program(&code), &Input::default(), options) {
            Ok(exec) => assert!(exec.cycles <= 10_000),
            Err(crease_nvm::Error::Fault { fault, .. }) => {
                assert!(fault.cycle <= 10_000);
                faults += 1;
            }
            Err(other) => panic!("{other}"),
        }
    }
    assert!(faults > 0);
}
