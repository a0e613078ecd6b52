//! The audit's forged xor as a run witness, shared by the tests that attack it (feature
//! `tamper`): `x10 = 256 ^ 256` proven as 512, exit code 512, the xor's byte of `a`
//! committed as 256 (a range query `(256, R8)` that no table row answers) and `a & b` as
//! zero (each AND8 query then a table entry), the rest of the run consistent with it.

use crease::circuits::{Batch, Fr};
use crease::nvm::encode::{ecall, xor};
use crease::pcd::{run_witness, CellOverride, RunWitness};
use crease::{Input, Isa, Params, Program};

use crate::support::hand::{self, push_li};

/// The forged run under `params`.
pub fn forged_xor(params: &Params) -> (Program, RunWitness) {
    let mut c = Vec::new();
    push_li(&mut c, 10, 256);
    c.push(xor(10, 10, 10));
    push_li(&mut c, 17, 93);
    c.push(ecall());
    let program = hand::program(&c, &Isa::rv32im());
    let (mut w, exec) = run_witness(params, &program, &Input::default()).expect("runs");
    assert_eq!(exec.exit_code, 0);
    let names: Vec<&str> = params.circuit_names().collect();
    let at = |name: &str| {
        (0..w.records.len())
            .find(|&i| names[w.records[i].0] == name)
            .expect("record")
    };
    let (xor_at, exit_at) = (at("alu_reg"), at("system"));
    w.records[xor_at].1.accesses[2].write = 512;
    let a0 = &mut w.records[exit_at].1.accesses[1];
    (a0.read, a0.write) = (512, 512);
    w.exit_code = 512;
    let cell = w
        .entries
        .iter_mut()
        .find(|e| e.cell.space == 1 && e.cell.addr == 10)
        .expect("a0");
    cell.value = 512;
    let chain = names.iter().position(|n| *n == "alu_reg").expect("alu_reg");
    let circuit = params.circuit(chain).expect("circuit").clone();
    let k = params.k(chain).expect("k");
    let slot = Batch::new(circuit.clone(), chain, k).layout().len();
    let logic = slot - circuit.witness_layout().len();
    // The xor is the chain's only execution (slot 0; the padding slots repeat it): ten op
    // flags, then the bytes of a, of b and of a & b.
    let (ab, cb) = (logic + 10, logic + 18);
    for s in 0..k {
        for (cell, value) in [(ab, 256u64), (ab + 1, 0), (cb + 1, 0)] {
            w.overrides.push(CellOverride {
                chain: chain as u32,
                step: 0,
                cell: s * slot + cell,
                value: Fr::from(value),
            });
        }
    }
    (program, w)
}
