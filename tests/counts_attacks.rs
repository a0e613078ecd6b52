//! A cheating prover's table counts against a lookup that is no table entry: the counts are
//! fixed before `β` and `α`, so whatever rows and multiplicities it names, the verifier's
//! sum over them cannot take the pole of the non-entry.

use std::sync::OnceLock;

use crease::circuits::pack::tag;
use crease::circuits::tables::all_entries;
use crease::circuits::Fr;
use crease::pcd::Rejection;
use crease::pcd::{prove_witness, RunWitness, TableCount};
use crease::{setup, verify, Error, Isa, Params, Program, SetupConfig};

#[path = "support/forged.rs"]
mod forged;
mod support;

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| setup(&Isa::rv32im(), &SetupConfig::development().with_k(64)).expect("setup"))
}

fn forged_xor() -> (Program, RunWitness) {
    forged::forged_xor(params())
}

fn row_of(program: &Program, tag: u64, payload: u64) -> u32 {
    all_entries(program)
        .iter()
        .position(|e| e.tag == tag && e.payload == Fr::from(payload))
        .expect("an entry") as u32
}

fn with(counts: &[TableCount], row: u32, add: u64) -> Vec<TableCount> {
    let mut v = counts.to_vec();
    match v.iter_mut().find(|c| c.row == row) {
        Some(c) => c.count = c.count.saturating_add(add),
        None => v.push(TableCount { row, count: add }),
    }
    v.sort_by_key(|c| c.row);
    v
}

/// The forged run's prover counts only the queries that are entries. Counts that also name
/// the rows nearest the non-entry `(256, R8)` — the 16-bit entry of the same payload (other
/// tag), the 8-bit entries `0` (256 mod 2^8) and `255`, and a row with the largest count
/// a proof can carry — are absorbed before the challenges like honest ones and still leave
/// the lookups unbalanced.
#[test]
fn counts_cannot_balance_a_query_that_is_no_entry() {
    let (program, w) = forged_xor();
    let honest = prove_witness(params(), &program, &[], &w).expect("proves");
    let base = honest.table_counts().to_vec();
    assert!(matches!(
        verify(params(), &program, &[], &honest),
        Err(Error::Rejected(Rejection::Lookups))
    ));
    let r16 = row_of(&program, tag::R16, 256);
    let (r8_0, r8_255) = (row_of(&program, tag::R8, 0), row_of(&program, tag::R8, 255));
    let claims = [
        with(&base, r16, 1),
        with(&base, r8_0, 1),
        with(&base, r8_255, 1),
        with(&with(&base, r16, 1), r8_0, 1),
        with(&base, r16, u64::MAX),
        base.iter()
            .map(|c| TableCount {
                row: c.row,
                count: u64::MAX,
            })
            .collect(),
    ];
    for (i, claim) in claims.into_iter().enumerate() {
        let mut w = w.clone();
        w.counts_claim = Some(claim);
        let proof = prove_witness(params(), &program, &[], &w).expect("proves");
        let e = verify(params(), &program, &[], &proof).expect_err("accepted");
        assert!(
            matches!(e, Error::Rejected(Rejection::Lookups)),
            "claim {i}: {e}"
        );
    }
}
