//! The cross-term-free fold: honest folds stay satisfied, tampering is caught.

use ark_ff::{AdditiveGroup, Field};
use crease_folding::commitment::PowersOfTauKey;
use crease_folding::mova::{self, FoldProof, RunningWitness};
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::{FreshInstance, R1csShape, RunningInstance, Witness};
use crease_folding::testing::{standalone, values, ProductCircuit};
use crease_folding::{Error, Fr};

struct Setup {
    shape: R1csShape,
    key: PowersOfTauKey,
    steps: Vec<(FreshInstance, Witness)>,
}

fn setup(num_steps: usize) -> Setup {
    let circuit = ProductCircuit { size: 37, bits: 32 };
    let gamma = Fr::from(12345u64);
    let mut z = vec![Fr::ONE, Fr::ZERO];
    let mut steps = Vec::new();
    let mut shape = None;
    let key = PowersOfTauKey::from_seed(b"mova test", 256);
    for i in 0..num_steps {
        let ext = values(i as u64, circuit.size, circuit.bits);
        let (s, x, w) = standalone(&circuit, gamma, &z, &ext).unwrap();
        z = x[3..5].to_vec();
        let u = FreshInstance::commit(&key, x, &w).unwrap();
        s.check_fresh(&key, &u, &w).unwrap();
        if let Some(prev) = &shape {
            assert_eq!(prev, &s, "the shape does not depend on the witness");
        }
        shape = Some(s);
        steps.push((u, w));
    }
    Setup {
        shape: shape.unwrap(),
        key,
        steps,
    }
}

/// Folds every step; `tamper` may change the fresh pair or the proof of step `i` before the
/// verifier sees it. Returns the result of checking the final accumulator.
fn run(
    s: &Setup,
    tamper: impl Fn(usize, &mut FreshInstance, &mut Witness, &mut FoldProof),
) -> Result<(), Error> {
    let mut big_u = RunningInstance::zero(&s.shape);
    let mut big_w = RunningWitness::zero(&s.shape);
    let mut consistent = true;
    s.shape.check_running(&s.key, &big_u, &big_w.w)?;
    for (i, (u, w)) in s.steps.iter().enumerate() {
        let (mut u, mut w) = (u.clone(), w.clone());
        let honest_w = w.clone();
        // The prover folds what it holds; tampering the proof affects only the verifier.
        let mut dummy = FoldProof {
            h: vec![],
            t: Fr::ZERO,
        };
        tamper(i, &mut u, &mut w, &mut dummy);
        // The prover's fresh products assume a satisfying witness.
        consistent &= w == honest_w;
        let mut tp = Transcript::new(b"fold");
        mova::absorb_running(&mut tp, &big_u);
        mova::absorb_fresh(&mut tp, &u);
        let (pu, pw, mut proof, pc) = mova::prove(&s.shape, &mut tp, &big_u, &big_w, &u, &w, None)?;
        // The folded products (folded, or read from the folded z where a row copies an entry)
        // are the products of the folded witness, while the witnesses are honest and the
        // prover's running pair is the verifier's (a tampered proof makes the verifier's
        // instance differ).
        if consistent {
            assert_eq!(RunningWitness::new(&s.shape, &pu, pw.w.clone())?, pw);
        }
        if !dummy.h.is_empty() || dummy.t != Fr::ZERO {
            for (a, b) in proof.h.iter_mut().zip(&dummy.h) {
                *a += b;
            }
            proof.t += dummy.t;
        }
        let mut tv = Transcript::new(b"fold");
        mova::absorb_running(&mut tv, &big_u);
        mova::absorb_fresh(&mut tv, &u);
        let (vu, vc) = mova::verify(&s.shape, &mut tv, &big_u, &u, &proof)?;
        if dummy.h.is_empty() && dummy.t == Fr::ZERO {
            assert_eq!(vu, pu);
            assert_eq!(vc, pc);
        } else {
            consistent = false;
        }
        big_u = vu;
        big_w = pw;
    }
    mova::check(&s.shape, &s.key, &big_u, &big_w)
}

#[test]
fn honest_folds_stay_satisfied() {
    let s = setup(4);
    assert!(s.shape.num_constraints > 37);
    run(&s, |_, _, _, _| {}).unwrap();
}

#[test]
fn unsatisfying_fresh_witness_is_caught() {
    let s = setup(3);
    for step in 0..3 {
        let r = run(&s, |i, u, w, _| {
            if i == step {
                w.w2[0] += Fr::ONE;
                *u = FreshInstance::commit(&s.key, u.x.clone(), w).unwrap();
            }
        });
        assert!(
            matches!(r, Err(Error::Unsatisfied(_))),
            "step {step}: {r:?}"
        );
    }
    // A wrong public input is a wrong witness too.
    let r = run(&s, |i, u, _, _| {
        if i == 1 {
            u.x[2] += Fr::ONE;
        }
    });
    assert!(matches!(r, Err(Error::Unsatisfied(_))), "{r:?}");
}

#[test]
fn tampered_fold_messages_are_caught() {
    let s = setup(3);
    let r = run(&s, |i, _, _, p| {
        if i == 1 {
            p.h = vec![Fr::ZERO; s.shape.num_vars()];
            p.h[0] = Fr::ONE;
        }
    });
    assert!(matches!(r, Err(Error::Unsatisfied(_))), "{r:?}");
    let r = run(&s, |i, _, _, p| {
        if i == 2 {
            p.t = Fr::ONE;
        }
    });
    assert!(matches!(r, Err(Error::Unsatisfied(_))), "{r:?}");
}

#[test]
fn tampered_commitments_and_claims_are_caught() {
    let s = setup(3);
    let r = run(&s, |i, u, _, _| {
        if i == 1 {
            u.cw1 = s.steps[0].0.cw1;
        }
    });
    assert!(matches!(r, Err(Error::CommitmentMismatch("C_W1"))), "{r:?}");
    let r = run(&s, |i, u, _, _| {
        if i == 2 {
            u.cw2 = s.steps[0].0.cw2;
        }
    });
    assert!(matches!(r, Err(Error::CommitmentMismatch("C_W2"))), "{r:?}");

    // A running instance whose error claim is false stays false after a fold.
    let mut big_u = RunningInstance::zero(&s.shape);
    let big_w = RunningWitness::zero(&s.shape);
    big_u.v_e = Fr::ONE;
    let (u, w) = &s.steps[0];
    let mut t = Transcript::new(b"fold");
    let (fu, fw, _, _) = mova::prove(&s.shape, &mut t, &big_u, &big_w, u, w, None).unwrap();
    assert!(matches!(
        mova::check(&s.shape, &s.key, &fu, &fw),
        Err(Error::Unsatisfied(_))
    ));
}

#[test]
fn verifier_rejects_malformed_proofs() {
    let s = setup(1);
    let big_u = RunningInstance::zero(&s.shape);
    let proof = FoldProof {
        h: vec![Fr::ZERO; 2],
        t: Fr::ZERO,
    };
    let mut t = Transcript::new(b"fold");
    assert!(matches!(
        mova::verify(&s.shape, &mut t, &big_u, &s.steps[0].0, &proof),
        Err(Error::WrongLength { what: "h", .. })
    ));
}

/// Folds `steps[range]` into a fresh accumulator.
fn accumulate(s: &Setup, range: std::ops::Range<usize>) -> (RunningInstance, RunningWitness) {
    let mut big_u = RunningInstance::zero(&s.shape);
    let mut big_w = RunningWitness::zero(&s.shape);
    for (u, w) in &s.steps[range] {
        let mut t = Transcript::new(b"fold");
        mova::absorb_running(&mut t, &big_u);
        mova::absorb_fresh(&mut t, u);
        let (nu, nw, _, _) = mova::prove(&s.shape, &mut t, &big_u, &big_w, u, w, None).unwrap();
        big_u = nu;
        big_w = nw;
    }
    (big_u, big_w)
}

fn merge_and_check(
    s: &Setup,
    a: &(RunningInstance, RunningWitness),
    b: &(RunningInstance, RunningWitness),
    tamper: impl Fn(&mut merge::MergeProof),
) -> Result<(), Error> {
    let mut tp = Transcript::new(b"merge");
    mova::absorb_running(&mut tp, &a.0);
    mova::absorb_running(&mut tp, &b.0);
    let mut tv = tp.clone();
    let (pu, pw, mut proof, _) = merge::prove(&s.shape, &mut tp, &a.0, &a.1, &b.0, &b.1)?;
    tamper(&mut proof);
    let (vu, _) = merge::verify(&s.shape, &mut tv, &a.0, &b.0, &proof)?;
    if vu != pu {
        return Err(Error::Unsatisfied("verifier's merged instance differs"));
    }
    mova::check(&s.shape, &s.key, &vu, &pw)
}

use crease_folding::merge;

#[test]
fn merges_of_running_instances() {
    let s = setup(5);
    let a = accumulate(&s, 0..3);
    let b = accumulate(&s, 3..5);
    merge_and_check(&s, &a, &b, |_| {}).unwrap();
    merge_and_check(&s, &b, &a, |_| {}).unwrap();
    // With the trivial accumulator on either side, and a merge of merges.
    let zero = (
        RunningInstance::zero(&s.shape),
        RunningWitness::zero(&s.shape),
    );
    merge_and_check(&s, &zero, &a, |_| {}).unwrap();
    merge_and_check(&s, &a, &zero, |_| {}).unwrap();

    // False claims on either side are caught.
    let mut bad_b = b.clone();
    bad_b.0.v_e += Fr::ONE;
    assert!(matches!(
        merge_and_check(&s, &a, &bad_b, |_| {}),
        Err(Error::Unsatisfied(_))
    ));
    let mut bad_a = a.clone();
    bad_a.0.r_e[0] += Fr::ONE;
    assert!(matches!(
        merge_and_check(&s, &bad_a, &b, |_| {}),
        Err(Error::Unsatisfied(_))
    ));
    // Tampered messages are caught.
    for k in 0..3 {
        let r = merge_and_check(&s, &a, &b, |p| match k {
            0 => p.h1[0] += Fr::ONE,
            1 => p.h2[1] += Fr::ONE,
            _ => p.t += Fr::ONE,
        });
        assert!(r.is_err(), "message {k}");
    }
}
