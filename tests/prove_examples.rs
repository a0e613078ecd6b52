//! Every example guest, in Rust and in C, proved and verified end to end on small inputs:
//! the verified statement must equal what the NVM computes natively.

mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crease::{setup, verify, Input, Isa, Params, Program, SetupConfig};

fn rv32im_params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| setup(&Isa::rv32im(), &SetupConfig::development()).expect("setup"))
}

fn examples(name: &str) -> Vec<PathBuf> {
    let mut elfs = Vec::new();
    if support::have_rust_toolchain() {
        elfs.push(support::rust_example(name));
    }
    if support::have_clang() {
        elfs.push(support::c_example(name));
    }
    elfs
}

fn prove_and_verify(params: &Params, isa: &Isa, elf: &Path, public: &[u8], private: &[u8]) {
    let program: Program = support::load(elf, isa);
    let input = Input {
        public: public.to_vec(),
        private: private.to_vec(),
    };
    let native = support::run_with_isa(elf, isa, public, private);
    let support::proving::RoundTrip {
        proof,
        exec,
        statement: st,
        prove_time,
        verify_time,
        ..
    } = support::proving::round_trip(params, &program, &input);
    let name = elf.display();
    eprintln!(
        "{name}: {} instructions, proved in {prove_time:.1?}, verified in {verify_time:.1?}",
        exec.cycles
    );
    assert_eq!(exec.cycles, native.cycles, "{name}");
    assert_eq!(st.steps, native.cycles, "{name}");
    assert_eq!(st.exit_code, native.exit_code, "{name}");
    assert_eq!(st.public_output, native.public_output, "{name}");
    assert_eq!(st.public_input, public, "{name}");
    assert_eq!(st.program_digest, program.digest(), "{name}");
    // The same proof does not verify for another public input.
    let mut other = public.to_vec();
    other.push(1);
    assert!(verify(params, &program, &other, &proof).is_err(), "{name}");
}

fn prove_all(name: &str, public: &[u8], private: &[u8]) {
    for elf in examples(name) {
        prove_and_verify(rv32im_params(), &Isa::rv32im(), &elf, public, private);
    }
}

#[test]
fn fibonacci() {
    prove_all("fibonacci", &25u32.to_le_bytes(), &[]);
}

#[test]
fn sha256() {
    prove_all("sha256", b"abc", &[]);
}

#[test]
fn sort() {
    let words: Vec<u8> = [9u32, 3, 7, 3, 0xffff_ffff, 1, 42, 5]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    prove_all("sort", &words, &[]);
}

#[test]
fn sieve() {
    prove_all("sieve", &200u32.to_le_bytes(), &[]);
}

#[test]
fn collections() {
    prove_all("collections", &12u32.to_le_bytes(), &[]);
}

#[test]
fn factor_with_a_private_hint() {
    let (p, q) = (65_521u64, 65_519u64);
    let hint = [p.to_le_bytes(), q.to_le_bytes()].concat();
    prove_all("factor", &(p * q).to_le_bytes(), &hint);
}

#[test]
fn coprocessor() {
    let isa = crease_coprocessor_example::isa();
    let params = setup(&isa, &SetupConfig::development()).expect("setup");
    for elf in examples("coprocessor") {
        prove_and_verify(&params, &isa, &elf, b"crease", &[]);
    }
}
