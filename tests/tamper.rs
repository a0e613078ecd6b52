//! Tampered runs and proofs, each rejected by the real verifier. Witnesses are attacked
//! through the prover's test hook (`crease::pcd::prove_witness`), which proves whatever run
//! witness it is given; proofs are attacked in their byte form.

#[path = "support/forged.rs"]
mod forged;
mod support;

use std::sync::OnceLock;

use crease::circuits::scan;
use crease::nvm::encode::*;
use crease::nvm::layout::{PRIVATE_INPUT, PUBLIC_INPUT, PUBLIC_OUTPUT, RAM_START};
use crease::pcd::Rejection;
use crease::pcd::{prove_witness, run_witness, ChainBody, OutputWord, RunWitness, TableCount};
use crease::{prove, setup, verify, Error, Input, Isa, Params, Program, Proof, SetupConfig};
use crease_coprocessor_example::Sigma;
use support::hand::{self, push_li, DATA};

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| setup(&Isa::rv32im(), &SetupConfig::development().with_k(64)).expect("setup"))
}

fn load(code: &[u32], isa: &Isa) -> Program {
    hand::program(code, isa)
}

/// The code of the attacked program; `k` is the loop count.
fn code(k: u32) -> Vec<u32> {
    let mut c = Vec::new();
    push_li(&mut c, 5, PUBLIC_INPUT);
    c.push(lw(6, 5, 4));
    push_li(&mut c, 28, PRIVATE_INPUT);
    c.push(lw(29, 28, 4));
    c.push(add(30, 6, 29));
    push_li(&mut c, 8, RAM_START);
    c.push(sw(30, 8, 0));
    c.push(lw(9, 8, 0));
    push_li(&mut c, 19, DATA);
    c.push(lb(20, 19, 3));
    c.push(mul(23, 20, 6));
    hand::push_sum_output_exit(&mut c, k);
    c
}

fn input() -> Input {
    Input {
        public: vec![1, 2, 3, 4, 5, 6, 7, 8],
        private: vec![0x10, 0x20, 0x30, 0x40],
    }
}

struct Run {
    program: Program,
    witness: RunWitness,
}

fn honest() -> Run {
    let program = load(&code(10), &Isa::rv32im());
    let (witness, exec) = run_witness(params(), &program, &input()).expect("runs");
    assert_eq!(exec.exit_code, 62);
    Run { program, witness }
}

/// The index of the first record of circuit `name` satisfying `pred`.
fn find(w: &RunWitness, params: &Params, name: &str, pred: impl Fn(usize) -> bool) -> usize {
    let names: Vec<&str> = params.circuit_names().collect();
    (0..w.records.len())
        .find(|&i| names[w.records[i].0] == name && pred(i))
        .unwrap_or_else(|| panic!("no {name} record"))
}

/// Proves `w` with the real prover, its chains folded and again shown directly, and checks
/// that the real verifier rejects both proofs for the same reason (a prover that cannot even
/// produce a proof of it counts as an error too, but every attack here yields a proof).
fn rejected(params: &Params, program: &Program, public: &[u8], w: &RunWitness) -> Error {
    let verdict = |direct_steps: usize| {
        let w = RunWitness {
            direct_steps,
            ..w.clone()
        };
        let proof =
            prove_witness(params, program, public, &w).expect("the prover proves any witness");
        let shown = proof
            .chains()
            .iter()
            .chain([proof.scan()])
            .any(|c| matches!(c.body, ChainBody::Direct(_)));
        assert_eq!(shown, direct_steps > 0, "chains shown directly");
        match verify(params, program, public, &proof) {
            Ok(st) => panic!("tampered run accepted (direct steps {direct_steps}): {st:?}"),
            Err(e) => e,
        }
    };
    let folded = verdict(0);
    let shown = verdict(1 << 20);
    assert_eq!(
        shown.to_string(),
        folded.to_string(),
        "shown directly, rejected for another reason"
    );
    folded
}

/// Asserts that `e` is the verifier's rejection by one of `expected` (the binding that
/// catches the attack: the verifier checks the chains, then the memory balance, then the
/// lookups, so an attack breaking several is caught by the first).
fn assert_rejected_by(e: &Error, expected: &[Rejection]) {
    match e {
        Error::Rejected(r) if expected.contains(r) => {}
        other => panic!("rejected for another reason than {expected:?}: {other}"),
    }
}

#[test]
fn the_untampered_witness_is_accepted() {
    let r = honest();
    let proof = prove_witness(params(), &r.program, &input().public, &r.witness).expect("proves");
    let st = verify(params(), &r.program, &input().public, &proof).expect("verifies");
    assert_eq!(st.exit_code, 62);
}

#[test]
fn a_wrong_register_value_is_rejected() {
    let mut r = honest();
    // `add x15, x15, x14` reads x15 one higher and writes the consistently higher sum.
    let i = find(&r.witness, params(), "alu_reg", |i| {
        r.witness.records[i].1.d.rd == 15
    });
    let rec = &mut r.witness.records[i].1;
    rec.accesses[0].read += 1;
    rec.accesses[0].write += 1;
    rec.accesses[2].write += 1;
    let e = rejected(params(), &r.program, &input().public, &r.witness);
    assert_rejected_by(&e, &[Rejection::Memory]);
}

#[test]
fn a_wrong_memory_read_is_rejected() {
    let mut r = honest();
    // `lw x9, 0(x8)` reads the RAM word one higher (and writes that to x9).
    let i = find(&r.witness, params(), "load", |i| {
        r.witness.records[i].1.d.rd == 9
    });
    let rec = &mut r.witness.records[i].1;
    rec.accesses[1].read += 1;
    rec.accesses[1].write += 1;
    rec.accesses[2].write += 1;
    let e = rejected(params(), &r.program, &input().public, &r.witness);
    assert_rejected_by(&e, &[Rejection::Memory]);
}

#[test]
fn a_skipped_instruction_is_rejected() {
    let mut r = honest();
    let at = r.witness.records.len() / 2;
    r.witness.records.remove(at);
    let e = rejected(params(), &r.program, &input().public, &r.witness);
    assert_rejected_by(&e, &[Rejection::Memory]);
}

#[test]
fn a_duplicated_instruction_is_rejected() {
    let mut r = honest();
    let at = r.witness.records.len() / 2;
    let dup = r.witness.records[at].clone();
    r.witness.records.insert(at, dup);
    let e = rejected(params(), &r.program, &input().public, &r.witness);
    assert_rejected_by(&e, &[Rejection::Memory]);
}

#[test]
fn an_altered_jump_target_is_rejected() {
    let mut r = honest();
    // `jal x1, 8` lands on the skipped `nop` instead: imm and next pc both moved by -4.
    let i = find(&r.witness, params(), "jal", |_| true);
    let rec = &mut r.witness.records[i].1;
    rec.d.imm -= 4;
    rec.next_pc -= 4;
    let e = rejected(params(), &r.program, &input().public, &r.witness);
    assert_rejected_by(&e, &[Rejection::Memory, Rejection::Lookups]);
}

#[test]
fn a_wrong_output_is_rejected() {
    let mut r = honest();
    // The scan claims the output word holding 55 ends as 56.
    let e = r
        .witness
        .entries
        .iter_mut()
        .find(|e| e.cell.addr == PUBLIC_OUTPUT + 8 && e.cell.space != 1)
        .expect("the output word");
    assert_eq!(e.value, 55);
    e.value = 56;
    let err = rejected(params(), &r.program, &input().public, &r.witness);
    assert_rejected_by(&err, &[Rejection::Memory]);
}

#[test]
fn a_wrong_output_claim_in_the_proof_is_rejected() {
    let mut r = honest();
    // The proof lists the output word holding 55 as 56, before the challenges are drawn
    // (so they are drawn for that claim): the scan's output sum does not match it.
    let mut claim: Vec<OutputWord> = scan::output_words(&r.witness.entries)
        .into_iter()
        .map(|(addr, value)| OutputWord { addr, value })
        .collect();
    let w = claim
        .iter_mut()
        .find(|w| w.addr == PUBLIC_OUTPUT + 8)
        .expect("the output word");
    assert_eq!(w.value, 55);
    w.value = 56;
    r.witness.output_claim = Some(claim);
    let e = rejected(params(), &r.program, &input().public, &r.witness);
    assert_rejected_by(&e, &[Rejection::Output]);
    // Changed after the challenges were drawn, the challenges no longer match.
    for (mut proof, after) in both_ways(&honest()) {
        let (_, _, output) = proof.claims_mut();
        output[1].value ^= 1;
        let e = verify(params(), &r.program, &input().public, &proof).expect_err("rejected");
        after(&e);
    }
}

/// How a change made after the challenges were drawn is rejected.
type AfterChallenges = fn(&Error);

/// The honest proof of `r` with its chains folded and again shown directly, each with the
/// check of a rejection for a change after the challenges were drawn: a folded chain
/// carries its constants, which no longer match (`Challenges`); a chain shown directly is
/// checked under the verifier's own, and its witness, made for the old ones, fails
/// (`Ivc`).
fn both_ways(r: &Run) -> Vec<(Proof, AfterChallenges)> {
    let prove = |direct_steps| {
        let w = RunWitness {
            direct_steps,
            ..r.witness.clone()
        };
        prove_witness(params(), &r.program, &input().public, &w).expect("proves")
    };
    vec![
        (prove(0), |e: &Error| {
            assert_rejected_by(e, &[Rejection::Challenges])
        }),
        (prove(1 << 20), |e: &Error| {
            assert!(
                matches!(e, Error::Rejected(Rejection::Ivc { .. })),
                "shown directly: {e}"
            )
        }),
    ]
}

/// The audit's finding 1, end to end: `256 ^ 256` made 512 by committing the bytes of `a`
/// as `[256, 0, 0, 0]` and `a & b` as zero (each AND8 query is then a table entry), with
/// the rest of the run consistent with it, exits with 512. The byte's range check is a
/// lookup that no table entry answers.
#[test]
fn xor_made_512_by_a_byte_of_256_is_rejected() {
    let (program, w) = forged::forged_xor(params());
    let e = rejected(params(), &program, &[], &w);
    assert_rejected_by(&e, &[Rejection::Lookups]);
}

/// The table side of the lookup argument is the verifier's own sum over the counted rows of
/// its own tables, so a row cannot be re-tagged or filled with another value (the audit's
/// finding 3 against the table chain that preceded the counts). Counts other than the
/// run's lookups make, absorbed before the challenges like honest ones, leave the sums
/// unbalanced.
#[test]
fn table_counts_other_than_the_lookups_are_rejected() {
    let r = honest();
    let proof = prove_witness(params(), &r.program, &input().public, &r.witness).expect("proves");
    let honest_counts = proof.table_counts().to_vec();
    assert!(honest_counts.len() > 10);
    let rows = crease::circuits::tables::all_entries(&r.program).len() as u32;
    let unused = (0..rows)
        .find(|row| honest_counts.iter().all(|c| c.row != *row))
        .expect("a row the run did not look up");
    let mut claims: Vec<Vec<TableCount>> = Vec::new();
    let mut more = honest_counts.clone();
    more[3].count += 1;
    claims.push(more);
    let mut fewer = honest_counts.clone();
    fewer[3].count -= 1;
    if fewer[3].count == 0 {
        fewer.remove(3);
    }
    claims.push(fewer);
    let mut dropped = honest_counts.clone();
    dropped.remove(0);
    claims.push(dropped);
    let mut added = honest_counts.clone();
    added.push(TableCount {
        row: unused,
        count: 1,
    });
    added.sort_by_key(|c| c.row);
    claims.push(added);
    // One lookup moved to the neighbouring row.
    let mut moved = honest_counts.clone();
    let at = (0..moved.len())
        .find(|&i| moved[i].count > 1 && !moved.iter().any(|c| c.row == moved[i].row + 1))
        .expect("a row looked up twice whose neighbour was not");
    moved[at].count -= 1;
    let row = moved[at].row + 1;
    moved.push(TableCount { row, count: 1 });
    moved.sort_by_key(|c| c.row);
    claims.push(moved);
    for (i, claim) in claims.into_iter().enumerate() {
        let mut w = r.witness.clone();
        w.counts_claim = Some(claim);
        let e = rejected(params(), &r.program, &input().public, &w);
        assert!(
            matches!(e, Error::Rejected(Rejection::Lookups)),
            "claim {i}: {e}"
        );
    }
}

/// The counts are part of the statement the challenges hash, and the verifier accepts only
/// their one form (increasing rows of its tables, positive counts).
#[test]
fn changed_or_malformed_table_counts_in_a_proof_are_rejected() {
    let r = honest();
    for (proof, after) in both_ways(&r) {
        verify(params(), &r.program, &input().public, &proof).expect("the honest proof verifies");
        counts_changed_in(&r, &proof, after);
    }
}

fn counts_changed_in(r: &Run, proof: &Proof, after: AfterChallenges) {
    let rows = crease::circuits::tables::all_entries(&r.program).len() as u32;
    type Edit = Box<dyn Fn(&mut Vec<TableCount>)>;
    let cases: Vec<(&str, Edit, Rejection)> = vec![
        (
            "a count + 1",
            Box::new(|c| c[2].count += 1),
            Rejection::Challenges,
        ),
        (
            "a row swapped for its neighbour",
            Box::new(|c| {
                let i = (0..c.len() - 1)
                    .find(|&i| c[i].row + 1 < c[i + 1].row)
                    .expect("a gap");
                c[i].row += 1;
            }),
            Rejection::Challenges,
        ),
        (
            "a zero count",
            Box::new(|c| c[2].count = 0),
            Rejection::Statement(""),
        ),
        (
            "a row outside the tables",
            Box::new(move |c| {
                c.push(TableCount {
                    row: rows,
                    count: 1,
                })
            }),
            Rejection::Statement(""),
        ),
        (
            "a row twice",
            Box::new(|c| {
                let d = c[4];
                c.insert(4, d)
            }),
            Rejection::Statement(""),
        ),
        (
            "rows out of order",
            Box::new(|c| c.swap(1, 2)),
            Rejection::Statement(""),
        ),
    ];
    for (what, tamper, expected) in cases {
        let mut bad = proof.clone();
        tamper(bad.table_counts_mut());
        let bad = Proof::from_bytes(&bad.to_bytes().expect("writes")).expect("reads");
        let e = verify(params(), &r.program, &input().public, &bad).expect_err(what);
        match (&e, expected) {
            (Error::Rejected(Rejection::Statement(_)), Rejection::Statement(_)) => {}
            (_, Rejection::Challenges) => after(&e),
            _ => panic!("{what}: {e}"),
        }
    }
}

#[test]
fn a_wrong_exit_code_is_rejected() {
    let mut r = honest();
    r.witness.exit_code = 63;
    let e = rejected(params(), &r.program, &input().public, &r.witness);
    assert_rejected_by(&e, &[Rejection::Memory]);
}

#[test]
fn a_different_public_input_is_rejected() {
    let r = honest();
    let mut other = input().public;
    other[4] ^= 1;
    // Proven as if run on another public input.
    let e = rejected(params(), &r.program, &other, &r.witness);
    assert_rejected_by(&e, &[Rejection::Memory]);
    // An honest proof checked against another public input.
    let proof = prove_witness(params(), &r.program, &input().public, &r.witness).expect("proves");
    assert!(verify(params(), &r.program, &other, &proof).is_err());
}

#[test]
fn a_different_program_is_rejected() {
    let r = honest();
    // The same run proven for a program that loops 11 times instead of 10.
    let other = load(&code(11), &Isa::rv32im());
    assert_ne!(other.digest(), r.program.digest());
    let e = rejected(params(), &other, &input().public, &r.witness);
    assert_rejected_by(&e, &[Rejection::Memory, Rejection::Lookups]);
}

#[test]
fn a_forged_init_value_outside_the_private_region_is_rejected() {
    let mut r = honest();
    // The RAM word the program stores to and loads from claims a non-zero initial value,
    // read by the first store.
    let e = r
        .witness
        .entries
        .iter_mut()
        .find(|e| e.cell.addr == RAM_START && e.cell.space == 2)
        .expect("the RAM word");
    assert_eq!(e.init, Some(0));
    e.init = Some(5);
    let i = find(&r.witness, params(), "store", |i| {
        r.witness.records[i].1.accesses[2].addr == RAM_START
    });
    r.witness.records[i].1.accesses[2].read = 5;
    let err = rejected(params(), &r.program, &input().public, &r.witness);
    assert_rejected_by(&err, &[Rejection::Ivc { chain: Proof::SCAN }]);
}

#[test]
fn a_co_processor_returning_a_wrong_result_is_rejected() {
    let isa = crease_coprocessor_example::isa();
    let params = setup(&isa, &SetupConfig::development().with_k(16)).expect("setup");
    let mut c = Vec::new();
    push_li(&mut c, 5, 0x1234_5678);
    c.push(Sigma::Small1.encode(6, 5));
    push_li(&mut c, 18, PUBLIC_OUTPUT);
    push_li(&mut c, 11, 4);
    c.push(sw(11, 18, 0));
    c.push(sw(6, 18, 4));
    push_li(&mut c, 10, 0);
    push_li(&mut c, 17, 93);
    c.push(ecall());
    let program = load(&c, &isa);
    let (mut w, exec) = run_witness(&params, &program, &Input::default()).expect("runs");
    let expected = Sigma::Small1.apply(0x1234_5678);
    assert_eq!(exec.public_output, expected.to_le_bytes());
    let honest = prove_witness(&params, &program, &[], &w).expect("proves");
    let st = verify(&params, &program, &[], &honest).expect("the honest run verifies");
    assert_eq!(st.public_output, expected.to_le_bytes());
    // The co-processor's result in x6 is off by one (and so is everything after it).
    let i = find(&w, &params, "sha256_sigma", |_| true);
    w.records[i].1.accesses[1].write ^= 1;
    let e = rejected(&params, &program, &[], &w);
    // Its chain's IVC proof fails: the circuit checks the co-processor's result.
    let chain = params
        .circuit_names()
        .position(|n| n == "sha256_sigma")
        .expect("the co-processor's chain") as u32;
    assert_rejected_by(&e, &[Rejection::Ivc { chain }]);
}

#[test]
fn a_flipped_byte_in_the_proof_file_is_rejected() {
    let program = load(&code(3), &Isa::rv32im());
    let (proof, _) = prove(params(), &program, &input()).expect("proves");
    let bytes = proof.to_bytes().expect("serializes");
    let ok = Proof::from_bytes(&bytes).expect("reads");
    verify(params(), &program, &input().public, &ok).expect("verifies");
    let n = bytes.len();
    for at in [0, 5, 8, 20, 100, n / 3, n / 2, n - 40, n - 1] {
        let mut bad = bytes.clone();
        bad[at] ^= 0x10;
        if let Ok(p) = Proof::from_bytes(&bad) {
            assert!(
                verify(params(), &program, &input().public, &p).is_err(),
                "flipped byte {at} of {n} accepted"
            );
        }
    }
    assert!(Proof::from_bytes(&bytes[..n - 1]).is_err());
    assert!(Proof::from_bytes(&[]).is_err());
}

/// The machine and the verifier map memory in the same whole words: a byte past a data
/// segment's end in its last word reads as zero natively, and a word past that last word
/// is unmapped both natively and for the verifier (no Init: the run of a program whose
/// segment is one word longer, proven for this one, is rejected). Before, the machine
/// mapped segments byte by byte while the verifier initialized whole words.
#[test]
fn memory_is_mapped_in_the_same_words_natively_and_in_the_proof() {
    let code = |offset: i32| {
        let mut c = Vec::new();
        push_li(&mut c, 5, DATA);
        c.push(lbu(10, 5, offset));
        c.push(addi(10, 10, 5));
        push_li(&mut c, 17, 93);
        c.push(ecall());
        c
    };
    let with_size = |c: &[u32], size: u32| with_data_segment(c, |s| s.mem_size = size);
    let options = crease::RunOptions::default;
    // Byte 254 of a 254-byte segment: in its last word, zero.
    let short = with_size(&code(254), 254);
    let exec = crease::run(&short, &Input::default(), options()).expect("runs");
    assert_eq!(exec.exit_code, 5);
    let (proof, _) = prove(params(), &short, &Input::default()).expect("proves");
    assert_eq!(
        verify(params(), &short, &[], &proof)
            .expect("verifies")
            .exit_code,
        5
    );
    // Byte 256 of a 256-byte segment: the next word, unmapped.
    let exact = with_size(&code(256), 256);
    assert!(crease::run(&exact, &Input::default(), options()).is_err());
    let longer = with_size(&code(256), 260);
    assert_run_rejected_for(&longer, 5, &exact);
}

/// The program of `code` with its data segment edited.
fn with_data_segment(code: &[u32], edit: impl Fn(&mut crease::Segment)) -> Program {
    let mut segs = load(code, &Isa::rv32im()).segments().to_vec();
    edit(&mut segs[1]);
    Program::from_parts(hand::CODE, segs, &Isa::rv32im()).expect("loads")
}

/// The run of `ran` (which exits with `exit`), proven for `other`, is rejected by the memory
/// balance or the scan.
fn assert_run_rejected_for(ran: &Program, exit: i32, other: &Program) {
    let (w, exec) = run_witness(params(), ran, &Input::default()).expect("runs");
    assert_eq!(exec.exit_code, exit);
    let e = rejected(params(), other, &[], &w);
    assert_rejected_by(
        &e,
        &[Rejection::Memory, Rejection::Ivc { chain: Proof::SCAN }],
    );
}

/// A segment without any permission is unreadable natively, and the verifier initializes
/// none of its words: a load from it, proven from the run of the same program with the
/// segment readable, is rejected.
#[test]
fn a_segment_without_permissions_cannot_be_read_in_a_proof() {
    let mut c = Vec::new();
    push_li(&mut c, 5, DATA);
    c.push(lbu(10, 5, 0));
    push_li(&mut c, 17, 93);
    c.push(ecall());
    let with_read = |read: bool| with_data_segment(&c, |s| (s.read, s.write) = (read, false));
    let (none, readable) = (with_read(false), with_read(true));
    assert!(crease::run(&none, &Input::default(), crease::RunOptions::default()).is_err());
    assert_run_rejected_for(&readable, 11, &none);
}

/// The private input's layout is bound: a guest exiting with `W·[L = 0]` (`L` the private
/// length word, `W` the first data word) exits with 0 on every private input the machine
/// accepts; the run on `[1, 0, 0, 0]` forged to `L = 0` with `W = 1` left, exiting with 1,
/// is rejected (the data word's Init must be zero past the length). An attack review found
/// the verifier accepting it when the scan let the prover choose the region's Inits freely.
#[test]
fn a_private_data_word_past_the_private_length_is_rejected() {
    let mut c = Vec::new();
    push_li(&mut c, 5, PRIVATE_INPUT);
    c.push(lw(6, 5, 0));
    c.push(lw(7, 5, 4));
    c.push(sltiu(8, 6, 1));
    c.push(mul(10, 7, 8));
    push_li(&mut c, 17, 93);
    c.push(ecall());
    let program = load(&c, &Isa::rv32im());
    let input = Input {
        public: Vec::new(),
        private: vec![1, 0, 0, 0],
    };
    let (mut w, exec) = run_witness(params(), &program, &input).expect("runs");
    assert_eq!(exec.exit_code, 0);
    let rd =
        |w: &RunWitness, name: &str, rd: u8| find(w, params(), name, |i| w.records[i].1.d.rd == rd);
    let i = rd(&w, "load", 6);
    let r = &mut w.records[i].1;
    assert_eq!(r.accesses[1].read, 4);
    (r.accesses[1].read, r.accesses[1].write, r.accesses[2].write) = (0, 0, 0);
    let i = rd(&w, "alu_imm", 8);
    let r = &mut w.records[i].1;
    (r.accesses[0].read, r.accesses[0].write, r.accesses[1].write) = (0, 0, 1);
    let i = rd(&w, "mul", 10);
    let r = &mut w.records[i].1;
    (r.accesses[1].read, r.accesses[1].write, r.accesses[2].write) = (1, 1, 1);
    let i = find(&w, params(), "system", |_| true);
    let r = &mut w.records[i].1;
    (r.accesses[1].read, r.accesses[1].write) = (1, 1);
    w.exit_code = 1;
    for e in w.entries.iter_mut() {
        match (e.cell.space, e.cell.addr) {
            (3, a) if a == PRIVATE_INPUT => {
                assert_eq!(e.init, Some(4));
                (e.init, e.value) = (Some(0), 0);
            }
            (1, 6) => e.value = 0,
            (1, 8) | (1, 10) => e.value = 1,
            _ => {}
        }
    }
    let e = rejected(params(), &program, &[], &w);
    assert_rejected_by(&e, &[Rejection::Ivc { chain: Proof::SCAN }]);
}
