//! Every chain's final fold, attacked in a real proof of a small program: the pcd verifier
//! rejects a changed folded witness, fold message or fresh witness, naming the chain.

use crease_folding::ivc::FinalWitness;
use crease_nvm::encode::{add, addi, bne, ecall, li};
use crease_nvm::isa::rv32im::{AluImm, AluReg, Branch, Lui, System};
use crease_nvm::{Input, Isa, Program, Segment};

use super::*;
use crate::{prove, setup, SetupConfig};

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

#[test]
fn tampered_final_folds_are_rejected_by_the_pcd_verifier() {
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
    let (proof, exec) = prove(&params, &program, &Input::default()).expect("proves");
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
                .ivc
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
                    .ivc
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
