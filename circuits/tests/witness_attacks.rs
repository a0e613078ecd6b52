//! Attacks on the witness itself, as a cheating prover makes them: it does not run the
//! witness builder, it chooses every committed value. For every instruction circuit (and
//! the example co-processor) on executions of a real run, and for the scan, every `W1`
//! value of a step is set off its declared width (±1, +2^8, +2^16, +2^32, +2^192, p − 1,
//! 1/2), alone and with the compensating change of a neighbouring value that keeps their
//! packing equal; each attempt must leave the step's R1CS unsatisfied or make a lookup that
//! is no table entry. A change that stays within the declared width must be rejected too,
//! or change nothing the step emits (a harmless second witness, such as an untaken branch's
//! target). Inactive padding slots with any content must contribute nothing. The table
//! chain's rows are re-tagged and re-split, and its padding rows filled.
//!
//! The findings of the audit that motivated this harness are regression tests at the end.

mod common;

use std::sync::Arc;

use ark_ff::{Field, UniformRand};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::ConstraintSystem;
use common::*;
use crease_circuits::pack::{self, pow2};
use crease_circuits::scan::{self, ScanChain, ENTRY_LAYOUT};
use crease_circuits::tables::{all_entries, table_hash, Entry, TableChain, TableWitness};
use crease_circuits::{isa, AccessKind, Batch, ExecRecord, Fr, InstructionCircuit, Term};
use crease_coprocessor_example::Sigma;
use crease_folding::step::StepCircuit;
use crease_nvm::encode::*;
use crease_nvm::layout::{PRIVATE_INPUT, PUBLIC_INPUT, PUBLIC_OUTPUT, RAM_START};
use crease_nvm::{Input, Isa};
use rand::Rng;

/// A program that executes every RV32IM circuit, most operations of each, and the values
/// of the audit's attacks (`256 ^ 256`, `3 << 1`, `256 >> 1`).
fn program() -> Vec<u32> {
    let mut c = Vec::new();
    li_into(&mut c, 5, 256);
    c.push(xor(6, 5, 5));
    li_into(&mut c, 7, 3);
    li_into(&mut c, 10, 1);
    c.push(sll(8, 7, 10));
    c.push(srl(9, 5, 10));
    c.push(sra(11, 5, 10));
    c.push(or(12, 5, 7));
    c.push(and(13, 5, 7));
    c.push(sub(14, 7, 5));
    c.push(slt(15, 14, 7));
    c.push(sltu(16, 14, 7));
    c.push(slli(17, 7, 1));
    c.push(srai(18, 14, 3));
    c.push(xori(19, 5, -1));
    c.push(andi(20, 14, 0x7f));
    c.push(sltiu(21, 7, 4));
    c.push(auipc(22, 1));
    c.push(mulh(23, 14, 5));
    c.push(mul(24, 14, 7));
    c.push(div(25, 14, 7));
    c.push(remu(26, 14, 7));
    li_into(&mut c, 27, PUBLIC_INPUT);
    c.push(lw(28, 27, 4));
    li_into(&mut c, 29, PRIVATE_INPUT);
    c.push(lbu(30, 29, 5));
    li_into(&mut c, 31, RAM_START);
    c.push(sw(14, 31, 0));
    c.push(sb(7, 31, 5));
    c.push(lh(9, 31, 4));
    c.push(beq(7, 7, 8));
    c.push(0x0000_0013);
    c.push(blt(7, 5, 8));
    c.push(0x0000_0013);
    c.push(bgeu(7, 5, 8));
    c.push(jal(1, 8));
    c.push(0x0000_0013);
    // jalr to the next-but-one word.
    c.push(auipc(22, 0));
    c.push(jalr(1, 22, 12));
    c.push(0x0000_0013);
    li_into(&mut c, 18, PUBLIC_OUTPUT);
    li_into(&mut c, 11, 4);
    c.push(sw(11, 18, 0));
    c.push(sw(6, 18, 4));
    c.push(fence());
    li_into(&mut c, 17, 64);
    li_into(&mut c, 10, 1);
    li_into(&mut c, 11, RAM_START);
    li_into(&mut c, 12, 2);
    c.push(ecall());
    li_into(&mut c, 10, 7);
    li_into(&mut c, 17, 93);
    c.push(ecall());
    c
}

fn input() -> Input {
    Input {
        public: vec![1, 2, 3, 4, 5, 6, 7, 8],
        private: vec![0x10, 0x20, 0x30, 0x40, 0x50, 0xf6],
    }
}

fn rv32im_env() -> Env {
    let env = Env::run(&program(), &Isa::rv32im(), isa::rv32im(), &input());
    assert_eq!(env.exit_code, 7);
    env
}

/// The values a cheating prover tries for a cell holding `v`.
fn attempts(v: Fr) -> Vec<(&'static str, Fr)> {
    let one = Fr::from(1u64);
    vec![
        ("+1", v + one),
        ("-1", v - one),
        ("+2^8", v + pow2(8)),
        ("+2^16", v + pow2(16)),
        ("+2^32", v + pow2(32)),
        ("+2^192", v + pow2(192)),
        ("p-1", -one),
        ("1/2", Fr::from(2u64).inverse().expect("invertible")),
    ]
}

fn in_range(x: Fr, bits: u32) -> bool {
    pack::to_u64(x).is_some_and(|u| u < 1 << bits)
}

/// `w1` with value `i` set to `x`: alone, with the next value compensating as the carry
/// into it (keeping `v_i + 2^(b_i)·v_(i+1)`), and with the previous value compensating
/// (keeping `v_(i−1) + 2^(b_(i−1))·v_i`). Values of one word are neighbours in every layout.
fn variants(w1: &[Fr], layout: &[u32], i: usize, x: Fr) -> Vec<(&'static str, Vec<Fr>)> {
    let diff = x - w1[i];
    let mut alone = w1.to_vec();
    alone[i] = x;
    let mut out = vec![("alone", alone.clone())];
    if i + 1 < w1.len() {
        let mut next = alone.clone();
        next[i + 1] -= diff * pow2(layout[i]).inverse().expect("invertible");
        out.push(("carried into the next value", next));
    }
    if i > 0 {
        let mut prev = alone;
        prev[i - 1] -= diff * pow2(layout[i - 1]);
        out.push(("borrowed from the previous value", prev));
    }
    out
}

/// Attacks every `W1` value of the slot of `rec` (a batch of one); returns the number of
/// off-range attempts, all rejected.
fn attack_slot(env: &Env, index: usize, rec: &ExecRecord, ch: Challenges) -> usize {
    let all: Vec<usize> =
        (0..Batch::new(env.circuits[index].clone(), index, 1).slot_len()).collect();
    attack_values(env, index, rec, ch, &all)
}

/// [`attack_slot`] on the `W1` values at `which` only.
fn attack_values(
    env: &Env,
    index: usize,
    rec: &ExecRecord,
    ch: Challenges,
    which: &[usize],
) -> usize {
    let c = &env.circuits[index];
    let batch = Batch::new(c.clone(), index, 1);
    let layout = batch.layout().to_vec();
    let honest = w1_values(c, index, 1, std::slice::from_ref(rec)).expect("witness");
    assert_eq!(honest.len(), layout.len());
    for (v, &bits) in honest.iter().zip(&layout) {
        assert!(
            in_range(*v, bits),
            "{}: honest value off its width",
            c.name()
        );
    }
    let expected = expected_mem(&**c, rec, ch.gamma);
    assert_eq!(check_w1(env, c, index, 1, &honest, ch), Ok(expected));
    let reads = read_side(&**c);
    assert_eq!(reads.len(), layout.len());
    let mut off_range = 0;
    for &i in which {
        for (what, x) in attempts(honest[i]) {
            let off = !in_range(x, layout[i]);
            for (how, w1) in variants(&honest, &layout, i, x) {
                let got = check_w1(env, c, index, 1, &w1, ch);
                let fine = match &got {
                    Err(Reject::Unsatisfied(_)) | Err(Reject::NotInTable(_)) => true,
                    Err(e) => panic!("{}: value {i} {what}: {e:?}", c.name()),
                    // The compensation cleared the activity flag: the execution is gone
                    // (its pc tuples with it), and the slot adds nothing whatever it holds.
                    Ok(mem) if w1[0] == Fr::from(0u64) => *mem == Fr::from(0u64),
                    // Within its width: a second witness that emits the same tuples is
                    // harmless; one that moves only read tuples or the step's place is
                    // caught by the memory balance. A changed decoded field, written value
                    // or logic value that the step accepts with other tuples would be a
                    // wrong result.
                    Ok(mem) => {
                        !off && (*mem == expected
                            || (0..w1.len()).all(|j| w1[j] == honest[j] || reads[j]))
                    }
                };
                assert!(
                    fine,
                    "{}: value {i} ({} bits) set {what} ({how}) accepted: {got:?}\n{rec:?}",
                    c.name(),
                    layout[i]
                );
                off_range += off as usize;
            }
        }
    }
    off_range
}

/// Which values of a slot only place the step or feed a read tuple: the step number, the
/// pc, the timestamp gaps, the values read and the read-only bit (`Batch::layout`'s shared
/// part). A change to one of them that the step accepts moves a read tuple (or the pc
/// path), which the memory balance catches. Every other value — the activity flag, the
/// decoded fields, the written values, the logic witness — must be rejected or change no
/// tuple.
fn read_side(c: &dyn InstructionCircuit) -> Vec<bool> {
    let f = c.fields();
    let fields =
        2 * f.imm as usize + f.op as usize + 2 * f.rd as usize + f.rs1 as usize + f.rs2 as usize;
    let mut v = vec![false, true, true, true, true];
    v.extend(vec![false; fields]);
    for k in c.accesses() {
        let n = if k.is_mem() { 4 } else { 2 };
        v.extend(vec![true; 2 + n]);
        if k.writes() {
            v.extend(vec![false; n]);
        }
        if *k == AccessKind::MemRead {
            v.push(true);
        }
    }
    v.extend(vec![false; c.witness_layout().len()]);
    v
}

/// Attacks up to `per_circuit` executions of every circuit of `env` that it ran.
fn attack_all(env: &Env, per_circuit: usize, seed: u64) {
    let ch = Challenges::random(&mut rng(seed));
    let mut done = vec![0usize; env.circuits.len()];
    for (i, rec) in env.records() {
        if done[i] < per_circuit {
            assert!(attack_slot(env, i, &rec, ch) > 0);
            done[i] += 1;
        }
    }
    for (c, n) in env.circuits.iter().zip(&done) {
        assert!(*n > 0, "{} was not attacked", c.name());
    }
}

#[test]
fn every_rv32im_circuit_rejects_values_off_their_width() {
    attack_all(&rv32im_env(), 4, 1);
}

/// A run of `sigmas` on `0x1234_5678` under the example co-processor's ISA.
fn sigma_env(sigmas: &[Sigma]) -> Env {
    let isa = crease_coprocessor_example::isa();
    let mut circuits = isa::rv32im();
    circuits.push(Arc::new(isa::sha256_sigma::Sha256Sigma));
    let circuits = isa::circuits_for(&isa, &circuits).expect("every instruction has a circuit");
    let mut code = Vec::new();
    li_into(&mut code, 5, 0x1234_5678);
    for f in sigmas {
        code.push(f.encode(6, 5));
    }
    exit(&mut code, 0);
    Env::run(&code, &isa, circuits, &Input::default())
}

#[test]
fn the_coprocessor_rejects_values_off_their_width() {
    let env = sigma_env(&Sigma::ALL);
    let ch = Challenges::random(&mut rng(2));
    let sigma = env.circuits.iter().position(|c| c.name() == "sha256_sigma");
    let mut n = 0;
    for (i, rec) in env.records() {
        if Some(i) == sigma {
            attack_slot(&env, i, &rec, ch);
            n += 1;
        }
    }
    assert_eq!(n, 4);
}

/// The `sha256_compress` co-processor: two compressions (one of a block that is the state
/// itself); every value of the shared part (pointers, timestamps, bytes read and written),
/// the address limbs, and a sample of each kind of logic bit (input bits, `σ`/`Σ` carries,
/// `Ch`, `Maj`, sums and carries, the final carries) set off its width or flipped.
#[test]
fn sha256_compress_rejects_values_off_their_width() {
    use crease_circuits::isa::sha256_compress::Sha256Compress;
    let isa = Isa::rv32im()
        .with(crease_nvm::isa::sha256_compress::Sha256Compress)
        .expect("custom-1 is free");
    let mut circuits = isa::rv32im();
    circuits.push(Arc::new(Sha256Compress));
    let circuits = isa::circuits_for(&isa, &circuits).expect("every instruction has a circuit");
    let mut code = Vec::new();
    li_into(&mut code, 5, DATA + 64);
    li_into(&mut code, 6, RODATA + 8);
    let call = r(crease_nvm::decode::opcode::CUSTOM_1, 0, 0, 0, 5, 6);
    code.push(call);
    code.push(r(crease_nvm::decode::opcode::CUSTOM_1, 0, 0, 0, 5, 5));
    exit(&mut code, 0);
    let env = Env::run(&code, &isa, circuits, &Input::default());
    let ch = Challenges::random(&mut rng(4));
    let sha = env.circuits.len() - 1;
    let mut r = rng(5);
    let mut n = 0;
    for (i, rec) in env.records() {
        if i != sha {
            continue;
        }
        let batch = Batch::new(env.circuits[i].clone(), i, 1);
        let logic = batch.slot_len() - Sha256Compress.witness_layout().len();
        // Pointers and their timestamps, a block word's and a state word's bytes (read and
        // written), the address limbs, the first input bits, then a sample of the rest.
        // (The second compression: the shared part's start, the limbs, the final carries.)
        let mut which: Vec<usize> = (0..24).collect();
        which.extend(logic..logic + 4);
        which.extend(batch.slot_len() - 8..batch.slot_len());
        if n == 0 {
            which.extend(logic - 36..logic + 8);
            which.extend((0..24).map(|_| r.gen_range(logic + 8..batch.slot_len())));
        }
        which.sort_unstable();
        which.dedup();
        assert!(attack_values(&env, i, &rec, ch, &which) > 0);
        n += 1;
    }
    assert_eq!(n, 2);
}

/// The `keccak_f1600` co-processor: one permutation; the pointer, the first words' gaps
/// and bytes (read and written), the address limbs, the first input bits, and a sample of
/// the rounds' bits (`θ`'s carries, `χ`'s ANDs and outputs) set off their width or flipped.
#[test]
fn keccak_f1600_rejects_values_off_their_width() {
    use crease_circuits::isa::keccak_f1600::KeccakF1600;
    let isa = Isa::rv32im()
        .with(crease_nvm::isa::keccak_f1600::KeccakF1600)
        .expect("custom-1 is free");
    let mut circuits = isa::rv32im();
    circuits.push(Arc::new(KeccakF1600));
    let circuits = isa::circuits_for(&isa, &circuits).expect("every instruction has a circuit");
    let mut code = Vec::new();
    li_into(&mut code, 5, DATA + 8);
    code.push(r(crease_nvm::decode::opcode::CUSTOM_1, 1, 0, 0, 5, 0));
    exit(&mut code, 0);
    let env = Env::run(&code, &isa, circuits, &Input::default());
    let ch = Challenges::random(&mut rng(6));
    let keccak = env.circuits.len() - 1;
    let mut r = rng(7);
    let mut n = 0;
    for (i, rec) in env.records() {
        if i != keccak {
            continue;
        }
        let batch = Batch::new(env.circuits[i].clone(), i, 1);
        let logic = batch.slot_len() - KeccakF1600.witness_layout().len();
        let mut which: Vec<usize> = (0..12).collect();
        which.extend(logic - 4..logic + 4);
        which.extend((0..6).map(|_| r.gen_range(logic + 4..batch.slot_len())));
        which.extend(batch.slot_len() - 2..batch.slot_len());
        which.sort_unstable();
        which.dedup();
        assert!(attack_values(&env, i, &rec, ch, &which) > 0);
        n += 1;
    }
    assert_eq!(n, 1);
}

/// Every declared width is enforced on its own: the value alone set to `2^bits` (just off
/// its range), every other value honest, makes a range lookup that is no table entry (or,
/// for a bit, an unsatisfied system), whatever else it breaks.
#[test]
fn each_declared_width_is_enforced_by_a_range_check() {
    let env = rv32im_env();
    let ch = Challenges::random(&mut rng(3));
    let mut seen = vec![false; env.circuits.len()];
    for (index, rec) in env.records() {
        if std::mem::replace(&mut seen[index], true) {
            continue;
        }
        let c = &env.circuits[index];
        let batch = Batch::new(c.clone(), index, 1);
        let honest = w1_values(c, index, 1, std::slice::from_ref(&rec)).expect("witness");
        for (i, &bits) in batch.layout().iter().enumerate() {
            let mut w1 = honest.clone();
            w1[i] = pow2(bits);
            let (satisfied, log) = synthesize(&batch, &w1, ch);
            let caught = if bits == 1 {
                !satisfied
            } else {
                log.iter().any(|t| {
                    (t.tag == pack::tag::R8 || t.tag == pack::tag::R16)
                        && !env.tables.contains(t.tag, t.payload)
                })
            };
            assert!(caught, "{}: value {i} = 2^{bits} passes", c.name());
        }
    }
}

/// Synthesizes a batch of one from raw `W1` values: whether its R1CS holds, and its lookups.
fn synthesize(
    batch: &Batch<Arc<dyn InstructionCircuit>>,
    w1: &[Fr],
    ch: Challenges,
) -> (bool, Vec<Term>) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let alloc = |v: &[Fr]| -> Vec<FpVar<Fr>> {
        v.iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).expect("alloc"))
            .collect()
    };
    let consts = alloc(&[ch.gamma, ch.beta, ch.alpha]);
    let z = alloc(&[Fr::from(0u64); 2]);
    let w = alloc(w1);
    let (_, log) = batch
        .synthesize(cs.clone(), &consts, &z, &w)
        .expect("synthesizes");
    (cs.is_satisfied().expect("check"), log)
}

/// Inactive slots (the padding of a chain's last batch) with any content contribute
/// nothing, or leave the step unsatisfied.
#[test]
fn inactive_slots_with_any_content_are_neutral() {
    let env = rv32im_env();
    let ch = Challenges::random(&mut rng(4));
    let mut r = rng(5);
    let mut seen = vec![false; env.circuits.len()];
    for (index, rec) in env.records() {
        if std::mem::replace(&mut seen[index], true) {
            continue;
        }
        let c = &env.circuits[index];
        let honest = w1_values(c, index, 2, std::slice::from_ref(&rec)).expect("witness");
        let len = honest.len() / 2;
        let expected = expected_mem(&**c, &rec, ch.gamma);
        for trial in 0..20 {
            let mut w1 = honest.clone();
            for v in &mut w1[len + 1..] {
                *v = match trial % 3 {
                    0 => Fr::rand(&mut r),
                    1 => Fr::from(r.gen_range(0..1u64 << 20)),
                    _ => *v + Fr::from(r.gen_range(0..3u64)),
                };
            }
            match check_w1(&env, c, index, 2, &w1, ch) {
                Ok(mem) => assert_eq!(mem, expected, "{}: padding contributed", c.name()),
                Err(Reject::Unsatisfied(_)) => {}
                Err(e) => panic!("{}: padding made {e:?}", c.name()),
            }
        }
        for active in [Fr::from(2u64), -Fr::from(1u64), pow2(8)] {
            let mut w1 = honest.clone();
            w1[len] = active;
            assert!(
                matches!(
                    check_w1(&env, c, index, 2, &w1, ch),
                    Err(Reject::Unsatisfied(_))
                ),
                "{}: activity flag {active} accepted",
                c.name()
            );
        }
    }
}

/// Synthesizes one scan step from raw `W1` values: its outputs `[mem, lookup, last, out]`,
/// or why it is rejected.
fn check_scan(
    env: &Env,
    (last, private_len): (u64, u64),
    w1: &[Fr],
    ch: Challenges,
) -> Result<Vec<Fr>, Reject> {
    let chain = ScanChain::new(w1.len() / ENTRY_LAYOUT.len());
    let cs = ConstraintSystem::<Fr>::new_ref();
    let alloc = |v: &[Fr]| -> Vec<FpVar<Fr>> {
        v.iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).expect("alloc"))
            .collect()
    };
    let consts = alloc(&[ch.gamma, ch.beta, ch.alpha]);
    let zero = Fr::from(0u64);
    let z = alloc(&[zero, zero, Fr::from(last), zero, Fr::from(private_len)]);
    let w = alloc(w1);
    let (zn, log) = chain
        .synthesize(cs.clone(), &consts, &z, &w)
        .map_err(|e| Reject::Witness(e.to_string()))?;
    if !cs.is_satisfied().expect("check") {
        return Err(Reject::Unsatisfied(String::new()));
    }
    if let Some(t) = log.iter().find(|t| !env.tables.contains(t.tag, t.payload)) {
        return Err(Reject::NotInTable(t.tag));
    }
    Ok(zn.iter().map(|v| v.value().expect("value")).collect())
}

#[test]
fn the_scan_rejects_values_off_their_width() {
    let env = rv32im_env();
    let entries = scan::scan_entries(
        &env.program,
        &input().public,
        input().private.len(),
        &env.trace,
    )
    .expect("scan");
    let ch = Challenges::random(&mut rng(6));
    // A register, a read-only image word, RAM, the private input's length word, the output
    // region and the private input's first data word.
    let picks: Vec<usize> = [0u32, 1, 2, 3, 4, 5]
        .iter()
        .filter_map(|&class| {
            entries.iter().position(|e| match class {
                0 => e.cell.space == pack::space::REG,
                1 => e.cell.space == pack::space::RO && e.cell.addr < RAM_START,
                2 => e.cell.addr == RAM_START,
                3 => e.cell.addr == PRIVATE_INPUT && e.init.is_some(),
                5 => e.cell.addr == PRIVATE_INPUT + 4 && e.init.is_some(),
                _ => e.cell.addr >= PUBLIC_OUTPUT && e.cell.space != pack::space::REG,
            })
        })
        .collect();
    assert_eq!(picks.len(), 6);
    for at in picks {
        // The entry alone, continuing from the key of the entry before it.
        let all = ScanChain::new(at + 1)
            .witness(&entries[..=at])
            .expect("witness");
        let start = at * ENTRY_LAYOUT.len();
        let values: Vec<Fr> = all[0].values[start..]
            .iter()
            .map(|&v| Fr::from(v))
            .collect();
        let last = at.checked_sub(1).map_or(0, |p| {
            (entries[p].cell.space << 32) | entries[p].cell.addr as u64
        });
        let state = (last, input().private.len() as u64);
        check_scan(&env, state, &values, ch).expect("honest scan");
        for i in 0..ENTRY_LAYOUT.len() {
            for (what, x) in attempts(values[i]) {
                let off = !in_range(x, ENTRY_LAYOUT[i]);
                for (how, w1) in variants(&values, &ENTRY_LAYOUT, i, x) {
                    let got = check_scan(&env, state, &w1, ch);
                    let fine = match &got {
                        Err(Reject::Unsatisfied(_)) | Err(Reject::NotInTable(_)) => true,
                        Err(e) => panic!("scan value {i} {what}: {e:?}"),
                        // The entry made inactive: dropped, whatever it holds (the memory
                        // balance misses its Final: `whole_run`'s dropped-entry test).
                        Ok(_) if w1[0] == Fr::from(0u64) => true,
                        // Within its width: another Init or Final, which the memory
                        // balance catches.
                        Ok(_) => !off,
                    };
                    assert!(
                        fine,
                        "scan entry {at}: value {i} ({} bits) set {what} ({how}) accepted",
                        ENTRY_LAYOUT[i]
                    );
                }
            }
        }
    }
}

/// One table-chain step over `rows`: its outputs `[lookup, hash]` from the zero state.
fn table_step(rows: &[(Fr, Fr, Fr)], ch: Challenges) -> Vec<Fr> {
    let chain = TableChain::new(rows.len());
    let cs = ConstraintSystem::<Fr>::new_ref();
    let alloc = |v: &[Fr]| -> Vec<FpVar<Fr>> {
        v.iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).expect("alloc"))
            .collect()
    };
    let consts = alloc(&[ch.gamma, ch.beta, ch.alpha]);
    let z = alloc(&[Fr::from(0u64); 2]);
    let flat: Vec<Fr> = rows.iter().flat_map(|r| [r.0, r.1, r.2]).collect();
    let w = alloc(&flat);
    let ext = TableWitness::default();
    let zn = chain
        .generate_step_constraints(cs.clone(), &consts, &z, &w, &ext)
        .expect("synthesizes");
    assert!(cs.is_satisfied().expect("check"));
    zn.iter().map(|v| v.value().expect("value")).collect()
}

/// Table rows whose payload and tag are moved into each other (`(p + 2^192·δ, t − δ)`, the
/// audit's re-tagging), re-split by any other weight, and padding rows given content: the
/// chain's hash no longer equals the verifier's. (Moving `α·δ` between them would keep it,
/// but rows are committed before `α` is drawn.)
#[test]
fn re_tagged_re_split_and_filled_padding_table_rows_change_the_hash() {
    let env = rv32im_env();
    let entries: Vec<Entry> = all_entries(&env.program).into_iter().take(300).collect();
    let k = 512;
    let ch = Challenges::random(&mut rng(7));
    let zero = Fr::from(0u64);
    let honest: Vec<(Fr, Fr, Fr)> = (0..k)
        .map(|i| {
            entries
                .get(i)
                .map_or((zero, zero, zero), |e| (e.payload, Fr::from(e.tag), zero))
        })
        .collect();
    let expected = table_hash(&entries, k, ch.gamma, ch.alpha);
    assert_eq!(table_step(&honest, ch)[1], expected);
    let delta = Fr::from(1u64);
    let r8_200 = entries
        .iter()
        .position(|e| e.tag == pack::tag::R8 && e.payload == Fr::from(200u64))
        .unwrap_or(0);
    let attacks: Vec<(&str, usize, (Fr, Fr))> = vec![
        (
            "an 8-bit entry as a 16-bit one",
            r8_200,
            (
                Fr::from(200u64) + pow2(192) * delta,
                Fr::from(pack::tag::R8) - delta,
            ),
        ),
        (
            "re-split by 2^64",
            5,
            (honest[5].0 + pow2(64), honest[5].1 - delta),
        ),
        (
            "padding filled",
            k - 1,
            (-pow2(192) * Fr::from(5u64), Fr::from(5u64)),
        ),
        ("padding re-tagged", k - 2, (zero, Fr::from(pack::tag::R16))),
    ];
    for (what, row, (p, t)) in attacks {
        let mut rows = honest.clone();
        rows[row] = (p, t, zero);
        assert_ne!(
            table_step(&rows, ch)[1],
            expected,
            "{what} (row {row}): same hash"
        );
    }
}

// --- Regression tests: the audit's findings, each rejected. ---

/// The slot of the first execution of `circuit` satisfying `pred`, and its `W1` values.
fn slot_of(
    env: &Env,
    circuit: &str,
    pred: impl Fn(&ExecRecord) -> bool,
) -> (usize, ExecRecord, Vec<Fr>, usize) {
    let (index, rec) = env
        .records()
        .into_iter()
        .find(|(i, r)| env.circuits[*i].name() == circuit && pred(r))
        .unwrap_or_else(|| panic!("no {circuit} execution"));
    let c = &env.circuits[index];
    let w1 = w1_values(c, index, 1, std::slice::from_ref(&rec)).expect("witness");
    let logic = w1.len() - c.witness_layout().len();
    (index, rec, w1, logic)
}

/// Finding 1: `256 ^ 256` with the bytes of `a` given as `[256, 0, 0, 0]` and `a & b`
/// as zero hits valid AND8 entries with free fields and makes 512; now the bytes are
/// range-checked.
#[test]
fn finding_1_xor_with_a_byte_of_256_is_rejected() {
    let env = rv32im_env();
    let ch = Challenges::random(&mut rng(8));
    let (index, mut rec, mut w1, logic) = slot_of(&env, "alu_reg", |r| r.d.op == 4);
    assert_eq!((rec.read(0), rec.read(1), rec.written(2)), (256, 256, 0));
    let flags = 10;
    let (ab, cb) = (logic + flags, logic + flags + 8);
    w1[ab] = Fr::from(256u64);
    w1[ab + 1] = Fr::from(0u64);
    w1[cb + 1] = Fr::from(0u64);
    // The written value 512 as rd's limbs (the record says so too).
    rec.accesses[2].write = 512;
    let honest_rd =
        w1_values(&env.circuits[index], index, 1, std::slice::from_ref(&rec)).expect("witness");
    let write_at = logic - 2;
    w1[write_at] = honest_rd[write_at];
    w1[write_at + 1] = honest_rd[write_at + 1];
    let got = check_w1(&env, &env.circuits[index], index, 1, &w1, ch);
    assert_eq!(got, Err(Reject::NotInTable(pack::tag::R8)));
}

/// Finding 1: `3 << 1` with `s = 257, p = 1` hit the shift table's entry for `s = 1` and
/// came out as 3; now `s` is range-checked and `2^s` is given as checked limbs.
#[test]
fn finding_1_shift_amount_of_257_is_rejected() {
    let env = rv32im_env();
    let ch = Challenges::random(&mut rng(9));
    let (index, rec, mut w1, logic) = slot_of(&env, "alu_reg", |r| r.d.op == 1);
    assert_eq!((rec.read(0), rec.read(1), rec.written(2)), (3, 1, 6));
    let at = logic + 10 + 12;
    // s (at + 6), r3 (at + 7), 2^s (at + 8, at + 9): s = 257 keeps s + 32·r3 = 1 with
    // r3 = −8, and 2^s = 1 keeps the old packing s + 2^8·p = 1 + 2^8·2.
    w1[at + 6] = Fr::from(257u64);
    w1[at + 7] = -Fr::from(8u64);
    w1[at + 8] = Fr::from(1u64);
    w1[at + 9] = Fr::from(0u64);
    // 3·1 = 3 + 2^32·0, written to rd.
    w1[at + 10] = Fr::from(3u64);
    w1[at + 11] = Fr::from(0u64);
    w1[logic - 2] = Fr::from(3u64);
    let got = check_w1(&env, &env.circuits[index], index, 1, &w1, ch);
    assert_eq!(got, Err(Reject::NotInTable(pack::tag::R8)));
}

/// Finding 2: in the co-processor, `(A ^ B) & C` given as `(d & c) + 1/2` hit an AND8
/// entry with `c + 128`; now the third field is range-checked.
#[test]
fn finding_2_coprocessor_and_with_half_is_rejected() {
    let env = sigma_env(&[Sigma::Small1]);
    let ch = Challenges::random(&mut rng(10));
    let (index, rec, mut w1, logic) = slot_of(&env, "sha256_sigma", |_| true);
    assert_eq!(rec.written(1), 0xa1f7_8649);
    // σ1 is function 3: its (A ^ B) & C bytes follow its A & B bytes. Byte 0 plus 1/2
    // takes one off the result, which is written: σ1(0x12345678) = 0xa1f78648.
    let dc = logic + 4 + 32 + 8 * 3 + 4;
    w1[dc] += Fr::from(2u64).inverse().expect("invertible");
    w1[logic - 2] -= Fr::from(1u64);
    let got = check_w1(&env, &env.circuits[index], index, 1, &w1, ch);
    assert_eq!(got, Err(Reject::NotInTable(pack::tag::R8)));
}

/// A data word's Init past the private length, every count bit and its slack as
/// the constraint wants it, is accepted exactly when it fits the bytes within the length; a
/// length word above `MAX_IO_LEN`, or without its Init, is refused; an inactive one sets no
/// length.
#[test]
fn private_input_layout_forgeries_are_rejected() {
    use crease_nvm::layout::MAX_IO_LEN;
    use scan::{Cell, ScanEntry};
    let env = rv32im_env();
    let ch = Challenges::random(&mut rng(33));
    let ro = pack::space::RO;
    let word = |addr: u32, v: u32| ScanEntry {
        cell: Cell { space: ro, addr },
        init: Some(v),
        value: v,
        ts: 0,
    };
    let n = ENTRY_LAYOUT.len();
    let fr = |v: u64| Fr::from(v);
    let mut accepted_bad = vec![];
    for len in [0u32, 1, 2, 3, 4, 5, 6, 7, 8, 9] {
        for off in [0u32, 4, 8] {
            for v in [
                1u32,
                0xff,
                0x100,
                0xffff,
                0x1_0000,
                0xff_ffff,
                0x100_0000,
                0xffff_ffff,
            ] {
                let bytes_in = len.saturating_sub(off).min(4);
                let honest = bytes_in == 4 || (v as u64) < (1u64 << (8 * bytes_in));
                let entries = [word(PRIVATE_INPUT, len), word(PRIVATE_INPUT + 4 + off, v)];
                let w = ScanChain::new(2).witness(&entries).expect("witness");
                let base: Vec<Fr> = w[0].values.iter().map(|&x| fr(x)).collect();
                let mut ok_any = false;
                for j in 0..5 {
                    let mut w1 = base.clone();
                    for t in 0..5 {
                        w1[n + 21 + t] = fr((t == j) as u64);
                    }
                    // The slack the constraint wants.
                    let offf = fr(off as u64);
                    let l = fr(len as u64);
                    let s = match j {
                        0 => offf - l,
                        4 => l - offf - fr(4),
                        _ => fr(0),
                    };
                    let s_int: num_bigint_like::Big = s.into();
                    let (lo, hi) = num_bigint_like::split(s_int);
                    w1[n + 26] = lo;
                    w1[n + 27] = hi;
                    if check_scan(&env, (0, 0), &w1, ch).is_ok() {
                        ok_any = true;
                    }
                }
                if ok_any != honest {
                    accepted_bad.push((len, off, v, ok_any, honest));
                }
            }
        }
    }
    assert!(accepted_bad.is_empty(), "mismatch: {accepted_bad:?}");
    // A length word above MAX_IO_LEN, with the slack the constraint wants (wrapped).
    for l in [
        MAX_IO_LEN as u64 + 1,
        MAX_IO_LEN as u64 + 4,
        1 << 26,
        0xffff_ffff,
    ] {
        let entries = [word(PRIVATE_INPUT, l as u32)];
        let w = ScanChain::new(1).witness(&entries).expect("witness");
        let mut w1: Vec<Fr> = w[0].values.iter().map(|&x| fr(x)).collect();
        let s = fr(MAX_IO_LEN as u64) - fr(l);
        let (lo, hi) = num_bigint_like::split(s.into());
        w1[26] = lo;
        w1[27] = hi;
        assert!(
            check_scan(&env, (0, 0), &w1, ch).is_err(),
            "L = {l} accepted"
        );
    }
    // The length word without its Init (f = 0) is refused (it could not be read anyway).
    let entries = [word(PRIVATE_INPUT, 100)];
    let w = ScanChain::new(1).witness(&entries).expect("witness");
    let mut w1: Vec<Fr> = w[0].values.iter().map(|&x| fr(x)).collect();
    w1[3] = fr(0);
    assert!(
        check_scan(&env, (0, 0), &w1, ch).is_err(),
        "f = 0 length word"
    );
    // The length word inactive: L stays.
    let mut w1: Vec<Fr> = w[0].values.iter().map(|&x| fr(x)).collect();
    w1[0] = fr(0);
    if let Ok(z) = check_scan(&env, (0, 0), &w1, ch) {
        assert_eq!(z[4], fr(0), "inactive length word set L");
    }
}

mod num_bigint_like {
    use ark_ff::{BigInteger, PrimeField};
    use crease_circuits::Fr;
    pub type Big = <Fr as PrimeField>::BigInt;
    /// Splits into a 16-bit limb and the rest (the rest out of its 10 bits if it is large).
    pub fn split(b: Big) -> (Fr, Fr) {
        let bytes = b.to_bytes_le();
        let lo = bytes[0] as u64 | (bytes[1] as u64) << 8;
        let whole = Fr::from_le_bytes_mod_order(&bytes);
        let lo = Fr::from(lo);
        let hi = (whole - lo) * Fr::from(1u64 << 16).inverse_or_zero();
        (lo, hi)
    }
    trait Inv {
        fn inverse_or_zero(&self) -> Self;
    }
    impl Inv for Fr {
        fn inverse_or_zero(&self) -> Self {
            ark_ff::Field::inverse(self).unwrap_or_default()
        }
    }
}
