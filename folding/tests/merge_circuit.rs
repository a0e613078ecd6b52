//! The merge verifier circuit agrees with the native merge and pins its size.

use ark_ff::{AdditiveGroup, Field};
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::ConstraintSystem;
use crease_folding::commitment::{PedersenKey, PowersOfTauKey};
use crease_folding::cyclefold::{self, CfInstance, CfWitness};
use crease_folding::merge_circuit::{self, MergeInputs};
use crease_folding::mova::{self, RunningWitness};
use crease_folding::poseidon::{g1_to_absorb, grumpkin_to_absorb, Transcript};
use crease_folding::r1cs::{FreshInstance, R1csShape, RunningInstance};
use crease_folding::testing::{standalone, values, ProductCircuit};
use crease_folding::{Fq, Fr};

struct Fixture {
    shape: R1csShape,
    key: PowersOfTauKey,
    a: (RunningInstance, RunningWitness),
    b: (RunningInstance, RunningWitness),
}

fn fixture() -> Fixture {
    let circuit = ProductCircuit { size: 20, bits: 32 };
    let key = PowersOfTauKey::from_seed(b"merge test", 256);
    let mut z = vec![Fr::ONE, Fr::ZERO];
    let mut fresh = Vec::new();
    let mut shape = None;
    for i in 0..4u64 {
        let (s, x, w) = standalone(&circuit, Fr::from(3u64), &z, &values(i, 20, 32)).unwrap();
        z = x[3..5].to_vec();
        fresh.push((FreshInstance::commit(&key, x, &w).unwrap(), w));
        shape = Some(s);
    }
    let shape = shape.unwrap();
    let acc = |range: std::ops::Range<usize>| {
        let mut u = RunningInstance::zero(&shape);
        let mut w = RunningWitness::zero(&shape);
        for (fu, fw) in &fresh[range] {
            let mut t = Transcript::new(b"fold");
            mova::absorb_running(&mut t, &u);
            mova::absorb_fresh(&mut t, fu);
            let (nu, nw, _, _) = mova::prove(&shape, &mut t, &u, &w, fu, fw).unwrap();
            u = nu;
            w = nw;
        }
        (u, w)
    };
    let a = acc(0..2);
    let b = acc(2..4);
    Fixture { shape, key, a, b }
}

#[test]
fn merge_circuit_matches_native_merge() {
    let f = fixture();
    let cf_shape = cyclefold::shape().unwrap();
    let cf_key = PedersenKey::new(b"cf", cf_shape.num_constraints.max(cf_shape.num_w2));
    let cf = CfInstance::zero(&cf_shape);
    let cf_w = CfWitness::zero(&cf_shape);
    let res = merge_circuit::prove(
        &f.shape, &cf_shape, &cf_key, &f.a.0, &f.a.1, &f.b.0, &f.b.1, &cf, &cf_w,
    )
    .unwrap();
    mova::check(&f.shape, &f.key, &res.running, &res.witness).unwrap();
    cyclefold::check(&cf_shape, &cf_key, &res.cf, &res.cf_witness).unwrap();

    let run = |proof: &crease_folding::merge::MergeProof| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let inp = MergeInputs {
            u1: &f.a.0,
            u2: &f.b.0,
            proof,
            next_cw: [res.running.cw1, res.running.cw2],
            cf: &cf,
            cf_cm_w_new: res.cf_cm_w_new,
            cf_cm_t: res.cf_cm_t,
        };
        let (m, c) = merge_circuit::synthesize(cs.clone(), &inp, f.shape.num_vars()).unwrap();
        assert!(cs.is_satisfied().unwrap());
        (cs.num_constraints(), m, c)
    };
    let (count, m, c) = run(&res.proof);
    println!("merge circuit: {count} constraints");
    // For this shape n = 7; each further error-MLE variable adds a few hundred.
    assert_eq!(count, 12_241);
    let vals = |v: &[ark_r1cs_std::fields::fp::FpVar<Fr>]| -> Vec<Fr> {
        v.iter().map(|x| x.value().unwrap()).collect()
    };
    assert_eq!(vals(&m.absorb_elems()), {
        let mut t = g1_to_absorb(&res.running.cw1).to_vec();
        t.extend(g1_to_absorb(&res.running.cw2));
        t.extend(&res.running.x);
        t.push(res.running.u);
        t.extend(&res.running.r_e);
        t.push(res.running.v_e);
        t
    });
    assert_eq!(
        vals(&c.cm_w.absorb_elems()),
        grumpkin_to_absorb(&res.cf.cm_w).to_vec()
    );
    assert_eq!(
        vals(&c.cm_e.absorb_elems()),
        grumpkin_to_absorb(&res.cf.cm_e).to_vec()
    );
    assert_eq!(Some(vals(&c.x)), res.cf.x_fr());
    assert_eq!(Some(c.u.value().unwrap()), cyclefold::fq_to_fr(&res.cf.u));
    let _ = Fq::ZERO;

    // A tampered message gives the verifier an instance the prover's witness does not
    // satisfy.
    let mut bad = res.proof.clone();
    bad.t += Fr::ONE;
    let (_, m, _) = run(&bad);
    let mut inst = res.running.clone();
    inst.v_e = m.v_e.value().unwrap();
    assert_ne!(inst.v_e, res.running.v_e);
    assert!(mova::check(&f.shape, &f.key, &inst, &res.witness).is_err());
}
