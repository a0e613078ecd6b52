//! Compressed proofs: every example guest compressed and verified, and attacks on a
//! compressed proof (bytes, claimed evaluations, witnesses, statement).

mod support;

use std::sync::OnceLock;

use ark_ff::Field;
use crease::pcd::{compress_unchecked, ChainBody, Rejection};
use crease::{
    compress, prove, setup, verify_compressed, CompressedProof, Error, Input, Isa, Params, Program,
    Proof, ProveOptions, SetupConfig,
};
use crease_folding::ivc::FinalWitness;
use crease_folding::Fr;
use support::hand::{self, push_li};

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| setup(&Isa::rv32im(), &SetupConfig::development().with_k(64)).expect("setup"))
}

/// A loop of ~900 instructions: several batches of 64 in three chains.
fn loop_program(k: u32) -> Program {
    let mut c = Vec::new();
    push_li(&mut c, 9, 0x1234_5678);
    hand::push_sum_output_exit(&mut c, k);
    hand::program(&c, &Isa::rv32im())
}

/// Proves `program` with its chains folded (trees of two batches per leaf) or shown.
fn proof_of(params: &Params, program: &Program, input: &Input, folded: bool) -> Proof {
    let options = ProveOptions {
        leaf_steps: 2,
        direct_steps: if folded { 0 } else { 4 },
        ..Default::default()
    };
    crease::prove_with(params, program, input, &options, None)
        .expect("proves")
        .0
}

fn compressed(folded: bool) -> &'static (Program, Proof, CompressedProof) {
    static F: OnceLock<(Program, Proof, CompressedProof)> = OnceLock::new();
    static S: OnceLock<(Program, Proof, CompressedProof)> = OnceLock::new();
    let make = || {
        let program = loop_program(300);
        let proof = proof_of(params(), &program, &Input::default(), folded);
        let c = compress(params(), &program, &[], &proof).expect("compresses");
        (program, proof, c)
    };
    if folded {
        F.get_or_init(make)
    } else {
        S.get_or_init(make)
    }
}

fn check(program: &Program, public: &[u8], c: &CompressedProof) -> Result<(), Error> {
    let bytes = c.to_bytes()?;
    let read = CompressedProof::from_bytes(&bytes)?;
    verify_compressed(params(), program, public, &read).map(|_| ())
}

#[test]
fn compressed_proofs_verify_and_state_what_the_full_proof_states() {
    for folded in [true, false] {
        let (program, proof, c) = compressed(folded);
        let full = crease::verify(params(), program, &[], proof).expect("full proof verifies");
        let bytes = c.to_bytes().expect("serializes");
        let st = verify_compressed(
            params(),
            program,
            &[],
            &CompressedProof::from_bytes(&bytes).expect("reads"),
        )
        .expect("compressed proof verifies");
        assert_eq!(st, full);
        assert!(CompressedProof::is_compressed(&bytes));
        assert!(!CompressedProof::is_compressed(
            &proof.to_bytes().expect("bytes")
        ));
        eprintln!(
            "folded {folded}: full proof {} bytes, compressed {} bytes",
            proof.to_bytes().expect("bytes").len(),
            bytes.len()
        );
    }
}

/// A flipped byte anywhere (sampled across the whole proof, the header and the last byte
/// included) gives an unreadable proof or a rejected one, never an accepted one or a panic.
#[test]
fn a_flipped_byte_anywhere_is_refused() {
    let (program, _, c) = compressed(true);
    let bytes = c.to_bytes().expect("bytes");
    let step = (bytes.len() / 40).max(1);
    let mut positions: Vec<usize> = (0..bytes.len()).step_by(step).collect();
    positions.extend([1, 9, bytes.len() - 1]);
    for i in positions {
        let mut bad = bytes.clone();
        bad[i] ^= 0x04;
        if let Ok(p) = CompressedProof::from_bytes(&bad) {
            assert!(
                verify_compressed(params(), program, &[], &p).is_err(),
                "byte {i} of {} flipped and accepted",
                bytes.len()
            );
        }
    }
    assert!(CompressedProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    // A compressed proof of an earlier format is refused as such, by its header.
    let mut older = bytes.clone();
    older[..8].copy_from_slice(b"CRSCMP01");
    assert!(CompressedProof::is_compressed(&older));
    let err = CompressedProof::from_bytes(&older).expect_err("an earlier format");
    assert!(err.to_string().contains("another version"), "{err}");
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(CompressedProof::from_bytes(&longer).is_err());
}

fn decider_rejection(r: Result<(), Error>) -> bool {
    matches!(
        r,
        Err(Error::Rejected(Rejection::Decider(_))) | Err(Error::Rejected(Rejection::Lookups))
    )
}

/// Every evaluation a compressed proof claims, changed by one, is rejected by the argument
/// it belongs to.
#[test]
fn each_claimed_evaluation_changed_is_rejected() {
    for folded in [true, false] {
        let (program, _, c) = compressed(folded);
        let (primary, cf) = {
            let mut c = c.clone();
            let (p, cf) = c.arguments_mut();
            (p.clone(), cf.cloned())
        };
        for i in 0..primary.abc.len() {
            for k in 0..3 {
                let mut bad = c.clone();
                bad.arguments_mut().0.abc[i][k] += Fr::ONE;
                assert!(decider_rejection(check(program, &[], &bad)), "abc {i} {k}");
            }
            for k in 0..2 {
                let mut bad = c.clone();
                bad.arguments_mut().0.w[i][k] += Fr::ONE;
                assert!(decider_rejection(check(program, &[], &bad)), "w {i} {k}");
            }
        }
        for j in 0..primary.opening.evals.len() {
            let mut bad = c.clone();
            bad.arguments_mut().0.opening.evals[j][1] += Fr::ONE;
            assert!(decider_rejection(check(program, &[], &bad)), "opening {j}");
        }
        if let Some(cf) = cf {
            for k in 0..4 {
                let mut bad = c.clone();
                if let Some(p) = bad.arguments_mut().1 {
                    p.abce[k] += crease_folding::Fq::ONE;
                }
                assert!(
                    decider_rejection(check(program, &[], &bad)),
                    "CycleFold {k}"
                );
            }
            let mut bad = c.clone();
            if let Some(p) = bad.arguments_mut().1 {
                p.w += crease_folding::Fq::ONE;
            }
            assert!(decider_rejection(check(program, &[], &bad)));
            assert!(
                cf.merges.len() + 1 >= 2,
                "several chains' accumulators merged"
            );
        } else {
            assert!(!folded, "a folded proof has CycleFold accumulators");
        }
        let n = c.clone().lookups_mut_for_test().chunks.len();
        for j in 0..n {
            let mut bad = c.clone();
            bad.lookups_mut_for_test().chunks[j] += Fr::ONE;
            assert!(
                decider_rejection(check(program, &[], &bad)),
                "count chunk {j}"
            );
        }
        let mut bad = c.clone();
        bad.lookups_mut_for_test().sumcheck.rounds[0][0] += Fr::ONE;
        assert!(decider_rejection(check(program, &[], &bad)));
    }
}

/// A compressed proof of an accumulator its witness does not satisfy (the scan's final
/// witness changed, then compressed without the check `compress` makes first): rejected.
#[test]
fn a_compressed_proof_of_an_unsatisfied_accumulator_is_rejected() {
    let (program, proof, _) = compressed(true);
    let mut bad = proof.clone();
    let scan = bad.chain_proofs_mut().last().expect("the scan");
    let ChainBody::Folded(t) = &mut scan.body else {
        panic!("the scan is folded");
    };
    let leaf = t.leaf_mut().expect("the scan is one leaf");
    match leaf.final_witness_mut() {
        FinalWitness::Fresh(w) | FinalWitness::Folded(_, w) => w.w2[3] += Fr::ONE,
    }
    assert!(crease::verify(params(), program, &[], &bad).is_err());
    assert!(
        compress(params(), program, &[], &bad).is_err(),
        "compress checks first"
    );
    let c = compress_unchecked(params(), program, &[], &bad).expect("compresses anyway");
    assert!(decider_rejection(check(program, &[], &c)));
}

/// A compressed proof checked against another program, public input, output or exit code.
#[test]
fn a_compressed_proof_is_bound_to_its_statement() {
    let (program, _, c) = compressed(true);
    check(program, &[], c).expect("verifies");
    let other = loop_program(301);
    assert!(check(&other, &[], c).is_err(), "another program");
    assert!(check(program, &[1], c).is_err(), "another public input");
    let mut bad = c.clone();
    *bad.claims_mut().0 += 1;
    assert!(check(program, &[], &bad).is_err(), "another exit code");
    let mut bad = c.clone();
    *bad.claims_mut().1 += 1;
    assert!(check(program, &[], &bad).is_err(), "another step count");
    let mut bad = c.clone();
    if let Some(w) = bad.claims_mut().2.first_mut() {
        w.value ^= 1;
    }
    assert!(check(program, &[], &bad).is_err(), "another output");
    let mut bad = c.clone();
    bad.claims_mut().2.clear();
    assert!(check(program, &[], &bad).is_err(), "no output");
}

/// Every example guest, proved with the default options, compressed and verified.
#[test]
fn every_example_guest_compresses_and_verifies() {
    let fib = 20u32.to_le_bytes().to_vec();
    let sort: Vec<u8> = [5u32, 3, 9, 1, 7]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let (p, q) = (65_521u64, 65_519u64);
    let n = p * q;
    let hint = [q.to_le_bytes(), p.to_le_bytes()].concat();
    let guests: Vec<(&str, Vec<u8>, Vec<u8>)> = vec![
        ("fibonacci", fib, vec![]),
        ("sha256", b"abc".to_vec(), vec![]),
        ("sort", sort, vec![]),
        ("sieve", 60u32.to_le_bytes().to_vec(), vec![]),
        ("collections", 8u32.to_le_bytes().to_vec(), vec![]),
        ("factor", n.to_le_bytes().to_vec(), hint),
    ];
    let mut elfs = Vec::new();
    for (name, public, private) in &guests {
        if support::have_rust_toolchain() {
            elfs.push((support::rust_example(name), public.clone(), private.clone()));
        }
        if support::have_clang() {
            elfs.push((support::c_example(name), public.clone(), private.clone()));
        }
    }
    for (elf, public, private) in elfs {
        let program = support::load(&elf, &Isa::rv32im());
        let input = Input {
            public: public.clone(),
            private,
        };
        let (proof, exec) = prove(params(), &program, &input).expect("proves");
        assert_eq!(exec.exit_code, 0, "{}", elf.display());
        let c = compress(params(), &program, &public, &proof).expect("compresses");
        let st = verify_compressed(params(), &program, &public, &c).expect("verifies");
        assert_eq!(st.steps, exec.cycles);
        assert_eq!(st.public_output, exec.public_output);
        eprintln!(
            "{}: {} steps, compressed proof {} bytes",
            elf.display(),
            exec.cycles,
            c.to_bytes().expect("bytes").len()
        );
    }
}

/// The co-processor example under its own instruction set.
#[test]
fn the_coprocessor_guest_compresses_and_verifies() {
    let isa = crease_coprocessor_example::isa();
    let params = setup(&isa, &SetupConfig::development().with_k(64)).expect("setup");
    let mut elfs = Vec::new();
    if support::have_rust_toolchain() {
        elfs.push(support::rust_example("coprocessor"));
    }
    if support::have_clang() {
        elfs.push(support::c_example("coprocessor"));
    }
    for elf in elfs {
        let program = support::load(&elf, &isa);
        let input = Input {
            public: b"abc".to_vec(),
            private: vec![],
        };
        let (proof, _) = prove(&params, &program, &input).expect("proves");
        let c = compress(&params, &program, &input.public, &proof).expect("compresses");
        verify_compressed(&params, &program, &input.public, &c).expect("verifies");
    }
}
