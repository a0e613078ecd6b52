//! Every chain's final fold, attacked in a real proof of a small program: the pcd verifier
//! rejects a changed folded witness, fold message or fresh witness, naming the chain.

use crease_folding::ivc::FinalWitness;
use crease_nvm::encode::{add, addi, bne, ecall, li};
use crease_nvm::isa::rv32im::{AluImm, AluReg, Branch, Lui, System};
use crease_nvm::{Execution, Input, Isa, Program, Segment};

use super::*;
use crate::{prove_with, setup, ProveOptions, SetupConfig};

/// Sums 10 + 9 + … + 1 in a loop and exits with the sum.
fn program(isa: &Isa) -> Program {
    let mut c = Vec::new();
    c.extend(li(14, 10));
    c.extend(li(15, 0));
    c.push(add(15, 15, 14));
    c.push(addi(14, 14, -1));
    c.push(bne(14, 0, -8));
    c.extend(li(17, 93));
    c.push(addi(10, 15, 0));
    c.push(ecall());
    let segment = Segment {
        vaddr: 0x1000,
        mem_size: 4 * c.len() as u32,
        data: c.iter().flat_map(|w| w.to_le_bytes()).collect(),
        read: true,
        write: false,
        exec: true,
    };
    Program::from_parts(0x1000, vec![segment], isa).expect("program loads")
}

/// A change to one chain's final witness or fold.
type Tamper<'a> = Box<dyn Fn(&mut FinalWitness) + 'a>;

fn chain_mut(p: &mut Proof, n: usize) -> &mut ChainProof {
    let len = p.chains.len();
    if n < len {
        &mut p.chains[n]
    } else {
        &mut p.scan
    }
}

/// Five RV32IM circuits at batches of 4, and the program.
fn small() -> (Params, Program) {
    let isa = Isa::new()
        .with(Lui)
        .and_then(|i| i.with(AluImm))
        .and_then(|i| i.with(AluReg))
        .and_then(|i| i.with(Branch))
        .and_then(|i| i.with(System))
        .expect("isa");
    let config = SetupConfig {
        k: 4,
        scan_k: 4,
        ..SetupConfig::development()
    };
    let params = setup(&isa, &config).expect("setup");
    let program = program(&isa);
    (params, program)
}

/// Proves `program`, showing chains of at most `direct_steps` batches directly.
fn prove_shown(params: &Params, program: &Program, direct_steps: usize) -> (Proof, Execution) {
    let options = ProveOptions {
        direct_steps,
        ..ProveOptions::default()
    };
    prove_with(params, program, &Input::default(), &options, None).expect("proves")
}

#[test]
fn tampered_final_folds_are_rejected_by_the_pcd_verifier() {
    let (params, program) = small();
    let (proof, exec) = prove_shown(&params, &program, 0);
    assert_eq!(exec.exit_code, 55);
    verify(&params, &program, &[], &proof).expect("verifies");
    let back = Proof::from_bytes(&proof.to_bytes().expect("bytes")).expect("reads");
    assert_eq!(back, proof);

    let one = Fr::from(1u64);
    let (mut fresh, mut folded) = (0, 0);
    for n in 0..proof.chains.len() + 1 {
        let id = chain_mut(&mut proof.clone(), n).chain;
        let rejects = |bad: &Proof| {
            matches!(
                verify(&params, &program, &[], bad),
                Err(Error::Rejected(Rejection::Ivc { chain })) if chain == id
            )
        };
        let is_folded = matches!(
            chain_mut(&mut proof.clone(), n)
                .body
                .folded()
                .expect("folded")
                .leaf()
                .expect("one leaf")
                .final_witness(),
            FinalWitness::Folded(..)
        );
        let mut cases: Vec<Tamper<'_>> = vec![
            Box::new(|f| match f {
                FinalWitness::Fresh(w) | FinalWitness::Folded(_, w) => w.w1[0] += one,
            }),
            Box::new(|f| match f {
                FinalWitness::Fresh(w) | FinalWitness::Folded(_, w) => {
                    if let Some(v) = w.w2.last_mut() {
                        *v += one;
                    }
                }
            }),
        ];
        if is_folded {
            folded += 1;
            cases.push(Box::new(|f| {
                if let FinalWitness::Folded(fp, _) = f {
                    fp.t += one;
                }
            }));
            cases.push(Box::new(|f| {
                if let FinalWitness::Folded(fp, _) = f {
                    fp.h[0] += one;
                }
            }));
            // The folded witness passed off as a fresh one.
            cases.push(Box::new(|f| {
                if let FinalWitness::Folded(_, w) = f {
                    *f = FinalWitness::Fresh(w.clone());
                }
            }));
        } else {
            fresh += 1;
        }
        for (i, tamper) in cases.iter().enumerate() {
            let mut bad = proof.clone();
            tamper(
                chain_mut(&mut bad, n)
                    .body
                    .folded_mut()
                    .expect("folded")
                    .leaf_mut()
                    .expect("one leaf")
                    .final_witness_mut(),
            );
            assert_ne!(bad, proof, "chain {id}, case {i} changed nothing");
            assert!(rejects(&bad), "chain {id}, case {i} accepted");
        }
    }
    // The loop's chains take several steps (folded); lui and the system call
    // one (fresh).
    assert!(fresh >= 1 && folded >= 2, "fresh {fresh}, folded {folded}");
}

/// The same program with every chain shown directly (`crease_folding::direct`): a changed
/// witness entry or intermediate state, a dropped, repeated or reordered step, a step of
/// another length and an empty chain are all rejected.
#[test]
fn tampered_direct_chains_are_rejected_by_the_pcd_verifier() {
    let (params, program) = small();
    let (proof, _) = prove_shown(&params, &program, 16);
    verify(&params, &program, &[], &proof).expect("verifies");
    let back = Proof::from_bytes(&proof.to_bytes().expect("bytes")).expect("reads");
    assert_eq!(back, proof);

    type Edit<'a> = Box<dyn Fn(&mut ChainProof) + 'a>;
    let one = Fr::from(1u64);
    let steps = |c: &mut ChainProof| {
        c.body
            .direct_mut()
            .expect("shown directly")
            .steps_mut()
            .clone()
    };
    let set = |c: &mut ChainProof, s: Vec<crease_folding::direct::DirectStep>| {
        if let Some(last) = s.last() {
            c.z.clone_from(&last.z);
        }
        *c.body.direct_mut().expect("shown directly").steps_mut() = s;
    };
    let mut several = 0;
    for n in 0..proof.chains.len() + 1 {
        let id = chain_mut(&mut proof.clone(), n).chain;
        let len = steps(chain_mut(&mut proof.clone(), n)).len();
        let mut cases: Vec<(&str, Edit<'_>, bool)> = vec![
            (
                "a W2 entry",
                Box::new(|c| steps_edit(c, |s| *s[0].w.w2.last_mut().expect("w2") += one)),
                true,
            ),
            (
                "a W1 entry",
                Box::new(|c| steps_edit(c, |s| s[0].w.w1[0] += one)),
                false,
            ),
            (
                "a longer W2",
                Box::new(|c| steps_edit(c, |s| s[0].w.w2.push(Fr::from(0u64)))),
                true,
            ),
            ("no steps", Box::new(|c| set(c, Vec::new())), false),
            (
                "a repeated step",
                Box::new(|c| {
                    let mut s = steps(c);
                    s.push(s[s.len() - 1].clone());
                    set(c, s)
                }),
                false,
            ),
        ];
        if len >= 2 {
            several += 1;
            cases.push((
                "an intermediate state",
                Box::new(|c| steps_edit(c, |s| s[0].z[0] += one)),
                true,
            ));
            cases.push((
                "a dropped step",
                Box::new(|c| {
                    let mut s = steps(c);
                    s.remove(0);
                    set(c, s)
                }),
                false,
            ));
            cases.push((
                "swapped steps",
                Box::new(|c| {
                    let mut s = steps(c);
                    s.swap(0, 1);
                    set(c, s)
                }),
                false,
            ));
        }
        for (what, edit, this_chain) in cases {
            let mut bad = proof.clone();
            edit(chain_mut(&mut bad, n));
            assert_ne!(bad, proof, "chain {id}, {what} changed nothing");
            let e = verify(&params, &program, &[], &bad).expect_err("accepted");
            // A changed W1 changes the challenges, so every chain's steps may fail.
            match e {
                Error::Rejected(Rejection::Ivc { chain }) if !this_chain || chain == id => {}
                Error::Rejected(_) if !this_chain => {}
                other => panic!("chain {id}, {what}: {other}"),
            }
        }
    }
    assert!(several >= 2, "{several} chains of several steps");
}

fn steps_edit(c: &mut ChainProof, f: impl Fn(&mut Vec<crease_folding::direct::DirectStep>)) {
    f(c.body.direct_mut().expect("shown directly").steps_mut())
}
