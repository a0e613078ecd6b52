//! A whole run through every chain: instruction batches, the scan and the table chain.
//! The memory sums (with the verifier's Init and pc Final) and the lookup sums (with the
//! table chain) cancel, the output sum matches the public output, and tampered runs do not.

mod common;

use std::collections::BTreeMap;

use ark_ff::Field;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use common::*;
use crease_circuits::pack::{mem_tuple, space, HALTED, TS_PER_STEP};
use crease_circuits::scan::{self, ScanChain, ScanEntry};
use crease_circuits::tables::{all_entries, table_hash, Multiplicities, TableChain};
use crease_circuits::{isa, Batch, ExecRecord, Fr, Term};
use crease_folding::step::StepCircuit;
use crease_nvm::encode::*;
use crease_nvm::layout::{PRIVATE_INPUT, PUBLIC_INPUT, PUBLIC_OUTPUT, RAM_START};
use crease_nvm::{Input, Isa};

fn program() -> Vec<u32> {
    let mut c = Vec::new();
    li_into(&mut c, 5, PUBLIC_INPUT);
    c.push(lw(6, 5, 4));
    li_into(&mut c, 28, PRIVATE_INPUT);
    c.push(lw(29, 28, 4));
    c.push(add(30, 6, 29));
    li_into(&mut c, 8, RAM_START);
    c.push(sw(30, 8, 0));
    c.push(sb(6, 8, 5));
    c.push(lw(9, 8, 0));
    c.push(lhu(13, 8, 4));
    li_into(&mut c, 19, DATA);
    c.push(lb(20, 19, 3));
    c.push(sh(20, 19, 6));
    li_into(&mut c, 21, RODATA);
    c.push(lw(22, 21, 8));
    c.push(mul(23, 22, 20));
    c.push(divu(24, 23, 6));
    li_into(&mut c, 14, 10);
    li_into(&mut c, 15, 0);
    c.push(add(15, 15, 14));
    c.push(addi(14, 14, -1));
    c.push(bne(14, 0, -8));
    li_into(&mut c, 18, PUBLIC_OUTPUT);
    li_into(&mut c, 11, 8);
    c.push(sw(11, 18, 0));
    c.push(sw(9, 18, 4));
    c.push(sw(15, 18, 8));
    li_into(&mut c, 17, 64);
    li_into(&mut c, 10, 1);
    li_into(&mut c, 11, DATA);
    li_into(&mut c, 12, 3);
    c.push(ecall());
    c.push(fence());
    c.push(jal(1, 8));
    c.push(0x0000_0013);
    c.push(addi(10, 15, 7));
    li_into(&mut c, 17, 93);
    c.push(ecall());
    c
}

fn input() -> Input {
    Input {
        public: vec![1, 2, 3, 4, 5, 6, 7, 8, 9],
        private: vec![0x10, 0x20, 0x30, 0x40],
    }
}

fn alloc(cs: &ConstraintSystemRef<Fr>, v: &[Fr]) -> Vec<FpVar<Fr>> {
    v.iter()
        .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).expect("alloc"))
        .collect()
}

fn values(v: &[FpVar<Fr>]) -> Vec<Fr> {
    v.iter().map(|x| x.value().expect("value")).collect()
}

/// Sums of every chain of a run.
#[derive(Debug, Default)]
struct Sums {
    mem: Fr,
    lookup: Fr,
    table: Fr,
    hash: Fr,
    out: Fr,
}

fn prove_chains(
    env: &Env,
    records: &[(usize, ExecRecord)],
    entries: &[ScanEntry],
    ch: Challenges,
) -> Result<Sums, String> {
    let consts = [ch.gamma, ch.beta, ch.alpha];
    let mut sums = Sums::default();
    let mut tables = Multiplicities::new(all_entries(&env.program));
    let mut groups: BTreeMap<usize, Vec<ExecRecord>> = BTreeMap::new();
    for (i, r) in records {
        groups.entry(*i).or_default().push(r.clone());
    }
    let add_log = |tables: &mut Multiplicities, log: &[Term]| {
        tables
            .add(log)
            .map_err(|t| format!("lookup outside the tables: {t:?}"))
    };
    for (i, recs) in &groups {
        let batch = Batch::new(env.circuits[*i].clone(), *i, 4);
        for chunk in recs.chunks(4) {
            let w = batch.witness(chunk).map_err(|e| e.to_string())?;
            let cs = ConstraintSystem::<Fr>::new_ref();
            let c = alloc(&cs, &consts);
            let z = alloc(&cs, &[Fr::from(0u64); 2]);
            let w1 = batch
                .generate_w1(cs.clone(), &w)
                .map_err(|e| e.to_string())?;
            let (zn, log) = batch
                .synthesize(cs.clone(), &c, &z, &w1)
                .map_err(|e| e.to_string())?;
            if !cs.is_satisfied().map_err(|e| e.to_string())? {
                return Err(format!("batch of {} unsatisfied", env.circuits[*i].name()));
            }
            assert_eq!(batch.lookups(&w).expect("lookups"), log, "pass-1 lookups");
            add_log(&mut tables, &log)?;
            let zn = values(&zn);
            sums.mem += zn[0];
            sums.lookup += zn[1];
        }
    }
    let chain = ScanChain::new(16);
    let mut z = vec![Fr::from(0u64); 5];
    for w in chain.witness(entries).map_err(|e| e.to_string())? {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let c = alloc(&cs, &consts);
        let zv = alloc(&cs, &z);
        let w1 = chain
            .generate_w1(cs.clone(), &w)
            .map_err(|e| e.to_string())?;
        let (zn, log) = chain
            .synthesize(cs.clone(), &c, &zv, &w1)
            .map_err(|e| e.to_string())?;
        if !cs.is_satisfied().map_err(|e| e.to_string())? {
            return Err(format!(
                "scan unsatisfied: {:?}",
                cs.which_is_unsatisfied().ok().flatten()
            ));
        }
        assert_eq!(chain.lookups(&w).expect("lookups"), log, "pass-1 lookups");
        add_log(&mut tables, &log)?;
        z = values(&zn);
    }
    sums.mem += z[0];
    sums.lookup += z[1];
    sums.out = z[3];
    let k = 1 << 14;
    let chain = TableChain::new(k);
    let mut z = vec![Fr::from(0u64); 2];
    for w in tables.chain_witness(k) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let c = alloc(&cs, &consts);
        let zv = alloc(&cs, &z);
        let w1 = chain
            .generate_w1(cs.clone(), &w)
            .map_err(|e| e.to_string())?;
        let zn = chain
            .generate_step_constraints(cs.clone(), &c, &zv, &w1, &w)
            .map_err(|e| e.to_string())?;
        if !cs.is_satisfied().map_err(|e| e.to_string())? {
            return Err("table chain unsatisfied".into());
        }
        z = values(&zn);
    }
    sums.table = z[0];
    sums.hash = z[1];
    Ok(sums)
}

/// The verifier's part of the memory sum: Init of the pc, registers, image and public
/// input, minus Final of the pc cell.
fn verifier_mem(env: &Env, public: &[u8], exit_code: u32, steps: u64, gamma: Fr) -> Fr {
    let inv = |x: Fr| x.inverse().expect("nonzero");
    let mut s = inv(gamma - mem_tuple(space::PC, 0, env.program.entry() as u64, 0))
        - inv(gamma - mem_tuple(space::PC, 0, HALTED + exit_code as u64, TS_PER_STEP * steps));
    for (cell, v) in scan::verifier_init(&env.program, public).expect("init") {
        s += inv(gamma - mem_tuple(cell.space, cell.addr as u64, v as u64, 0));
    }
    s
}

fn setup() -> (Env, Vec<(usize, ExecRecord)>, Vec<ScanEntry>, Challenges) {
    let env = Env::run(&program(), &Isa::rv32im(), isa::rv32im(), &input());
    let records = env.records();
    let entries = scan::scan_entries(
        &env.program,
        &input().public,
        input().private.len(),
        &env.trace,
    )
    .expect("scan");
    let ch = Challenges::random(&mut rng(99));
    (env, records, entries, ch)
}

#[test]
fn all_chains_balance_on_an_honest_run() {
    let (env, records, entries, ch) = setup();
    assert_eq!(env.exit_code, 62);
    let sums = prove_chains(&env, &records, &entries, ch).expect("honest run proves");
    let steps = records.len() as u64;
    let v = verifier_mem(&env, &input().public, 62, steps, ch.gamma);
    assert_eq!(
        v + sums.mem,
        Fr::from(0u64),
        "memory: Init + WS = RS + Final"
    );
    assert_eq!(
        sums.lookup + sums.table,
        Fr::from(0u64),
        "lookups balance the tables"
    );
    let k = 1 << 14;
    assert_eq!(
        sums.hash,
        table_hash(&all_entries(&env.program), k, ch.gamma, ch.alpha)
    );
    // The output sum is that of the touched output words, which give the public output.
    let words = scan::output_words(&entries);
    let out: Fr = words
        .iter()
        .map(|&(a, v)| {
            (ch.beta - scan::output_payload(a, v))
                .inverse()
                .expect("nonzero")
        })
        .sum();
    assert_eq!(out, sums.out);
    let word = |a: u32| words.iter().find(|w| w.0 == a).map_or(0, |w| w.1);
    assert_eq!(word(PUBLIC_OUTPUT), 8);
    assert_eq!(word(PUBLIC_OUTPUT + 8), 55);
}

#[test]
fn a_wrong_exit_code_or_public_input_does_not_balance() {
    let (env, records, entries, ch) = setup();
    let sums = prove_chains(&env, &records, &entries, ch).expect("proves");
    let steps = records.len() as u64;
    let v = verifier_mem(&env, &input().public, 63, steps, ch.gamma);
    assert_ne!(v + sums.mem, Fr::from(0u64));
    let mut public = input().public;
    public[0] ^= 1;
    let v = verifier_mem(&env, &public, 62, steps, ch.gamma);
    assert_ne!(v + sums.mem, Fr::from(0u64));
    let v = verifier_mem(&env, &input().public, 62, steps + 1, ch.gamma);
    assert_ne!(v + sums.mem, Fr::from(0u64));
}

#[test]
fn skipped_or_duplicated_instructions_do_not_balance() {
    let (env, records, entries, ch) = setup();
    let steps = records.len() as u64;
    let v = verifier_mem(&env, &input().public, 62, steps, ch.gamma);
    for at in [0, 7, records.len() / 2] {
        let mut skipped = records.clone();
        skipped.remove(at);
        let sums = prove_chains(&env, &skipped, &entries, ch).expect("still synthesizes");
        assert_ne!(v + sums.mem, Fr::from(0u64), "skipped step {at} accepted");
        let mut dup = records.clone();
        dup.insert(at, records[at].clone());
        let sums = prove_chains(&env, &dup, &entries, ch).expect("still synthesizes");
        assert_ne!(
            v + sums.mem,
            Fr::from(0u64),
            "duplicated step {at} accepted"
        );
    }
}

#[test]
fn forged_init_values_are_rejected_outside_the_private_input() {
    let (env, records, entries, ch) = setup();
    // A RAM cell initialized to a non-zero value: the scan is unsatisfiable.
    let mut forged = entries.clone();
    let ram = forged
        .iter_mut()
        .find(|e| e.init.is_some() && e.cell.addr >= RAM_START && e.cell.addr < PUBLIC_INPUT)
        .expect("a RAM cell");
    ram.init = Some(5);
    assert!(prove_chains(&env, &records, &forged, ch).is_err());
    // An image cell claimed as scan-initialized: the region table refuses it.
    let mut forged = entries.clone();
    let img = forged
        .iter_mut()
        .find(|e| e.init.is_none() && e.cell.space != space::REG)
        .expect("an image cell");
    img.init = Some(img.value);
    assert!(prove_chains(&env, &records, &forged, ch).is_err());
    // A private-input cell may hold any value, but then its reads disagree.
    let mut forged = entries.clone();
    let private = forged
        .iter_mut()
        .find(|e| e.init.is_some() && e.cell.addr >= PRIVATE_INPUT && e.cell.addr < PUBLIC_OUTPUT)
        .expect("a private cell");
    private.init = Some(private.init.unwrap_or(0) ^ 1);
    let sums = prove_chains(&env, &records, &forged, ch).expect("private init is free");
    let v = verifier_mem(&env, &input().public, 62, records.len() as u64, ch.gamma);
    assert_ne!(v + sums.mem, Fr::from(0u64));
}

#[test]
fn a_dropped_or_reordered_scan_entry_is_rejected() {
    let (env, records, entries, ch) = setup();
    let v = verifier_mem(&env, &input().public, 62, records.len() as u64, ch.gamma);
    let mut dropped = entries.clone();
    dropped.remove(40);
    let sums = prove_chains(&env, &records, &dropped, ch).expect("synthesizes");
    assert_ne!(v + sums.mem, Fr::from(0u64));
    let mut swapped = entries.clone();
    swapped.swap(3, 4);
    assert!(prove_chains(&env, &records, &swapped, ch).is_err());
}

#[test]
fn the_scan_circuit_refuses_cells_out_of_order() {
    let (_env, _records, entries, ch) = setup();
    let chain = ScanChain::new(16);
    let mut w = chain.witness(&entries).expect("witness").remove(0);
    let len = w.values.len() / 16;
    let (a, b) = w.values.split_at_mut(4 * len);
    a[3 * len..4 * len].swap_with_slice(&mut b[..len]);
    let cs = ConstraintSystem::<Fr>::new_ref();
    let c = alloc(&cs, &[ch.gamma, ch.beta, ch.alpha]);
    let z = alloc(&cs, &[Fr::from(0u64); 5]);
    let w1 = chain.generate_w1(cs.clone(), &w).expect("w1");
    chain
        .synthesize(cs.clone(), &c, &z, &w1)
        .expect("synthesizes");
    assert!(!cs.is_satisfied().expect("check"));
}
