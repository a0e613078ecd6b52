//! Inactive padding slots contribute nothing, whatever real record fills them; batches of
//! several executions sum their slots.

mod common;

use common::*;
use crease_circuits::{isa, Fr};
use crease_nvm::encode::*;
use crease_nvm::{Input, Isa};

#[test]
fn padding_slots_contribute_nothing() {
    let mut code = Vec::new();
    for v in [3u32, 0x8000_0000, 7, 0xffff_ffff, 12, 5] {
        li_into(&mut code, 5, v);
        li_into(&mut code, 6, v.rotate_left(7));
        code.push(add(7, 5, 6));
    }
    exit(&mut code, 0);
    let env = Env::run(&code, &Isa::rv32im(), isa::rv32im(), &Input::default());
    let ch = Challenges::random(&mut rng(5));
    let adds: Vec<_> = env
        .records()
        .into_iter()
        .filter(|(i, _)| env.circuits[*i].name() == "alu_reg")
        .collect();
    let i = adds[0].0;
    let c = &env.circuits[i];
    let recs: Vec<_> = adds.iter().map(|(_, r)| r.clone()).collect();
    let single = |r| {
        let w1 = w1_values(c, i, 1, std::slice::from_ref(r)).expect("witness");
        check_w1(&env, c, i, 1, &w1, ch).expect("satisfied")
    };
    let expected: Fr = recs[..3].iter().map(single).sum();
    // A batch of 8 with 3 real executions; the 5 padding slots hold other real records.
    let mut w1 = w1_values(c, i, 8, &recs[..3]).expect("witness");
    let slot = w1.len() / 8;
    for s in 3..8 {
        let other = w1_values(c, i, 1, std::slice::from_ref(&recs[s % recs.len()])).expect("w");
        w1[s * slot..(s + 1) * slot].copy_from_slice(&other);
        w1[s * slot] = Fr::from(0u64);
    }
    assert_eq!(
        check_w1(&env, c, i, 8, &w1, ch).expect("satisfied"),
        expected
    );
    // Activity must be a bit.
    w1[3 * slot] = Fr::from(2u64);
    assert!(check_w1(&env, c, i, 8, &w1, ch).is_err());
}
