//! Attacks on `sha256_compress` and on instructions of several cycles, written as a
//! cheating prover: every committed value is chosen, nothing the honest witness builder does
//! is assumed. Each test asserts that the forgery is rejected and says by what: a
//! constraint of the step (`Reject::Unsatisfied`), a lookup outside the tables
//! (`Reject::NotInTable`), or the memory balance of the whole run (`Init + Σ writes − Σ
//! reads − Final ≠ 0`, computed here from the real batches, the real scan chain and the
//! verifier's own Init).
//!
//! - Wrong compressions: a native mirror of the circuit's witness ([`forge`]) makes one
//!   gadget output wrong (a `σ`/`Σ` carry bit, a `Ch` or `Maj` bit, a sum's result or carry
//!   bit, a final carry, an input bit) and recomputes everything after it as the circuit
//!   relates it, so the written state is the consistent result of the lie; the message
//!   word or the state word `d` given by bytes that compose to the same memory word but
//!   another message word (the big-endian/little-endian split).
//! - Addresses: misaligned, wrapping, out of range, disagreeing with the register.
//! - Regions (whole run): a state or block pointer taken from the private input, aimed at
//!   read-only data, code, the public input, unmapped memory.
//! - Cycles: a two-cycle step retimed as one cycle, an instruction hidden in the second
//!   cycle, native and circuit cycle counts that differ, the ISA digest.
//! - Inactive slots holding a forged compression.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use ark_ff::Field;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::ConstraintSystem;
use common::*;
use crease_circuits::isa::sha256_compress::Sha256Compress;
use crease_circuits::pack::{mem_tuple, space, tag, HALTED, TS_PER_STEP};
use crease_circuits::scan::{initial_cells, verifier_init, Cell, ScanChain, ScanEntry};
use crease_circuits::{isa, AccessKind, Batch, ExecRecord, Fr, InstructionCircuit};
use crease_nvm::decode::opcode;
use crease_nvm::encode::*;
use crease_nvm::isa::sha256_compress::{self as native, K};
use crease_nvm::layout::{PRIVATE_INPUT, PUBLIC_INPUT};
use crease_nvm::{Input, Isa};

const SHA: &str = "sha256_compress";

fn sha_isa() -> (Isa, Vec<Arc<dyn InstructionCircuit>>) {
    let isa = Isa::rv32im()
        .with(native::Sha256Compress)
        .expect("custom-1 is free");
    let mut circuits = isa::rv32im();
    circuits.push(Arc::new(Sha256Compress));
    let circuits = isa::circuits_for(&isa, &circuits).expect("every instruction has a circuit");
    (isa, circuits)
}

fn sha_word(rs1: u8, rs2: u8) -> u32 {
    r(opcode::CUSTOM_1, 0, 0, 0, rs1, rs2)
}

fn is_sha(env: &Env, i: usize) -> bool {
    env.circuits[i].name() == SHA
}

/// A few compressions with state and block in writable data (one block in read-only data),
/// so that the records carry varied values.
fn few_compressions() -> Env {
    let (isa, circuits) = sha_isa();
    let mut code = Vec::new();
    for (state, block) in [
        (DATA + 64, DATA + 128),
        (DATA + 64, RODATA + 8),
        (DATA + 192, DATA + 4),
    ] {
        li_into(&mut code, 5, state);
        li_into(&mut code, 6, block);
        code.push(sha_word(5, 6));
    }
    exit(&mut code, 0);
    Env::run(&code, &isa, circuits, &Input::default())
}

fn sha_records(env: &Env) -> Vec<(usize, ExecRecord)> {
    env.records()
        .into_iter()
        .filter(|(i, _)| is_sha(env, *i))
        .collect()
}

fn fr(x: i128) -> Fr {
    if x >= 0 {
        Fr::from(x as u128)
    } else {
        -Fr::from((-x) as u128)
    }
}

// ---------------------------------------------------------------------------------------
// A native mirror of the circuit's logic witness, with a hook to lie at one place.
// ---------------------------------------------------------------------------------------

/// A place of the logic witness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Site {
    /// Bit `i` of state word `j` (`j` in `0, 1, 2, 4, 5, 6`).
    StateBit(usize, usize),
    /// Bit `i` of message word `m` (`m ≥ 1`).
    MsgBit(usize, usize),
    /// Schedule word `t`: the carry bit `h` of bit `i` of `σ0` (0) or `σ1` (1).
    SchedH(usize, usize, usize),
    /// Schedule word `t`: result bit `i`.
    SchedRes(usize, usize),
    /// Schedule word `t`: carry bit `k`.
    SchedCarry(usize, usize),
    /// Round `t`: the carry bit `h` of bit `i` of `Σ1` (0) or `Σ0` (1).
    RoundH(usize, usize, usize),
    /// Round `t`: bit `i` of `Ch`.
    Ch(usize, usize),
    /// Round `t`: bit `i` of `Maj`.
    Maj(usize, usize),
    /// Round `t`: result bit `i` of the new `e` (0) or `a` (1).
    RoundRes(usize, usize, usize),
    /// Round `t`: carry bit `k` of the new `e` (0) or `a` (1).
    RoundCarry(usize, usize, usize),
    /// The final addition's carry of state word `j`.
    Final(usize),
}

type Tweak<'a> = &'a dyn Fn(Site, i128) -> i128;

const STATE_BITS: [usize; 6] = [0, 1, 2, 4, 5, 6];

#[derive(Clone, Copy)]
enum Move {
    Rotr(usize),
    Shr(usize),
}

impl Move {
    fn source(self, i: usize) -> Option<usize> {
        match self {
            Move::Rotr(r) => Some((i + r) % 32),
            Move::Shr(r) => (i + r < 32).then_some(i + r),
        }
    }
}

const BIG_SIGMA0: [Move; 3] = [Move::Rotr(2), Move::Rotr(13), Move::Rotr(22)];
const BIG_SIGMA1: [Move; 3] = [Move::Rotr(6), Move::Rotr(11), Move::Rotr(25)];
const SMALL_SIGMA0: [Move; 3] = [Move::Rotr(7), Move::Rotr(18), Move::Shr(3)];
const SMALL_SIGMA1: [Move; 3] = [Move::Rotr(17), Move::Rotr(19), Move::Shr(10)];

type Bits = [i128; 32];

fn bits_of(x: i128) -> Bits {
    std::array::from_fn(|i| (x >> i) & 1)
}

fn value(b: &Bits) -> i128 {
    b.iter().enumerate().map(|(i, &v)| v << i).sum()
}

/// What the forger derives: the logic witness after the four address limbs, and the state
/// words it writes (`old + v − 2^32·carry`, possibly outside `[0, 2^32)`).
struct Forged {
    logic: Vec<i128>,
    written: [i128; 8],
}

/// The circuit's logic witness (after the address limbs) of the compression of `old` with
/// the message words `msg` (values as the circuit composes them from the bytes read),
/// computed as the circuit relates the values, with `tw` applied to every value when it is
/// made; everything after a changed value is derived from the changed value.
fn forge(old: [i128; 8], msg: [i128; 16], tw: Tweak) -> Forged {
    let mut w: Vec<i128> = Vec::new();
    let xor = |w: &mut Vec<i128>, x: &Bits, moves: &[Move; 3], site: &dyn Fn(usize) -> Site| {
        let mut v = 0i128;
        for i in 0..32 {
            let s: i128 = moves.iter().filter_map(|m| m.source(i)).map(|b| x[b]).sum();
            let h = tw(site(i), (s >= 2) as i128);
            w.push(h);
            v += (s - 2 * h) << i;
        }
        v
    };
    let add = |w: &mut Vec<i128>,
               sum: i128,
               n: usize,
               res: &dyn Fn(usize) -> Site,
               car: &dyn Fn(usize) -> Site|
     -> Bits {
        let (r, c) = (sum.rem_euclid(1 << 32), sum.div_euclid(1 << 32));
        let mut b = bits_of(r);
        for (i, bit) in b.iter_mut().enumerate() {
            *bit = tw(res(i), *bit);
        }
        w.extend(b);
        for k in 0..n {
            let cb = if k + 1 == n { c >> k } else { (c >> k) & 1 };
            w.push(tw(car(k), cb));
        }
        b
    };
    let mut sb = Vec::new();
    for j in STATE_BITS {
        let mut b = bits_of(old[j]);
        for (i, bit) in b.iter_mut().enumerate() {
            *bit = tw(Site::StateBit(j, i), *bit);
        }
        w.extend(b);
        sb.push(b);
    }
    let mut sched: Vec<Bits> = vec![[0; 32]];
    let mut sv: Vec<i128> = vec![msg[0]];
    for (m, &x) in msg.iter().enumerate().skip(1) {
        let mut b = bits_of(x);
        for (i, bit) in b.iter_mut().enumerate() {
            *bit = tw(Site::MsgBit(m, i), *bit);
        }
        w.extend(b);
        sched.push(b);
        sv.push(x);
    }
    for t in 16..64 {
        let s0 = xor(&mut w, &sched[t - 15], &SMALL_SIGMA0, &|i| {
            Site::SchedH(t, 0, i)
        });
        let s1 = xor(&mut w, &sched[t - 2], &SMALL_SIGMA1, &|i| {
            Site::SchedH(t, 1, i)
        });
        let sum = s1 + sv[t - 7] + s0 + sv[t - 16];
        let b = add(&mut w, sum, 2, &|i| Site::SchedRes(t, i), &|k| {
            Site::SchedCarry(t, k)
        });
        sv.push(value(&b));
        sched.push(b);
    }
    let (mut a, mut b, mut c) = (sb[0], sb[1], sb[2]);
    let (mut e, mut f, mut g) = (sb[3], sb[4], sb[5]);
    let (mut d, mut h) = (old[3], old[7]);
    for t in 0..64 {
        let sigma1 = xor(&mut w, &e, &BIG_SIGMA1, &|i| Site::RoundH(t, 0, i));
        let mut ch = [0i128; 32];
        for i in 0..32 {
            ch[i] = tw(Site::Ch(t, i), g[i] + e[i] * (f[i] - g[i]));
        }
        w.extend(ch);
        let sigma0 = xor(&mut w, &a, &BIG_SIGMA0, &|i| Site::RoundH(t, 1, i));
        let mut maj = [0i128; 32];
        for i in 0..32 {
            maj[i] = tw(Site::Maj(t, i), (a[i] + b[i] + c[i] >= 2) as i128);
        }
        w.extend(maj);
        let t1 = h + sigma1 + value(&ch) + sv[t] + K[t] as i128;
        let new_e = add(&mut w, t1 + d, 3, &|i| Site::RoundRes(t, 0, i), &|k| {
            Site::RoundCarry(t, 0, k)
        });
        let new_a = add(
            &mut w,
            t1 + sigma0 + value(&maj),
            3,
            &|i| Site::RoundRes(t, 1, i),
            &|k| Site::RoundCarry(t, 1, k),
        );
        h = value(&g);
        d = value(&c);
        (g, f, e) = (f, e, new_e);
        (c, b, a) = (b, a, new_a);
    }
    let finals = [
        value(&a),
        value(&b),
        value(&c),
        d,
        value(&e),
        value(&f),
        value(&g),
        h,
    ];
    let mut written = [0i128; 8];
    for j in 0..8 {
        let s = old[j] + finals[j];
        let carry = tw(Site::Final(j), s.div_euclid(1 << 32));
        w.push(carry);
        written[j] = s - (carry << 32);
    }
    Forged { logic: w, written }
}

/// Where the values of a sha slot are: per access, the index of its first read byte (or
/// register limb), and of its first written byte; the start of the logic witness.
struct Offsets {
    read: Vec<usize>,
    write: Vec<usize>,
    logic: usize,
}

fn offsets() -> Offsets {
    // active, t (2), pc (2), rs1, rs2.
    let mut at = 7;
    let (mut read, mut write) = (Vec::new(), Vec::new());
    for kind in Sha256Compress.accesses() {
        at += 2; // the timestamp gap
        read.push(at);
        let n = if kind.is_mem() { 4 } else { 2 };
        at += n;
        write.push(if kind.writes() { at } else { usize::MAX });
        if kind.writes() {
            at += n;
        }
        if *kind == AccessKind::MemRead {
            at += 1;
        }
    }
    let batch = Batch::new(Sha256Compress, 0, 1);
    assert_eq!(batch.slot_len() - Sha256Compress.witness_layout().len(), at);
    Offsets {
        read,
        write,
        logic: at,
    }
}

const BLOCK: usize = 2;
const STATE: usize = 18;

/// The old state and message words of an honest record.
fn inputs(rec: &ExecRecord) -> ([i128; 8], [i128; 16]) {
    let old = std::array::from_fn(|j| rec.read(STATE + j) as i128);
    let msg = std::array::from_fn(|i| rec.read(BLOCK + i).swap_bytes() as i128);
    (old, msg)
}

/// Little-endian bytes of a (possibly out-of-range) word: the low three canonical, the
/// top one whatever is left.
fn bytes_of(x: i128) -> [i128; 4] {
    let low = x.rem_euclid(1 << 24);
    [
        low & 0xff,
        (low >> 8) & 0xff,
        low >> 16,
        x.div_euclid(1 << 24),
    ]
}

/// The slot of `rec` with the forger's logic and written state in place of the honest
/// ones.
fn forged_slot(env: &Env, index: usize, rec: &ExecRecord, f: &Forged) -> Vec<Fr> {
    let o = offsets();
    let mut w1 = w1_values(&env.circuits[index], index, 1, std::slice::from_ref(rec))
        .expect("honest witness");
    for (k, &v) in f.logic.iter().enumerate() {
        w1[o.logic + 4 + k] = fr(v);
    }
    for j in 0..8 {
        for (k, b) in bytes_of(f.written[j]).into_iter().enumerate() {
            w1[o.write[STATE + j] + k] = fr(b);
        }
    }
    w1
}

fn is_bit(x: i128) -> bool {
    x == 0 || x == 1
}

#[test]
fn the_mirror_reproduces_the_honest_witness() {
    let env = few_compressions();
    for (i, rec) in sha_records(&env) {
        let (old, msg) = inputs(&rec);
        let f = forge(old, msg, &|_, v| v);
        let honest: Vec<i128> = Sha256Compress.witness(&rec)[4..]
            .iter()
            .map(|&v| v as i128)
            .collect();
        assert_eq!(f.logic, honest);
        for j in 0..8 {
            assert_eq!(f.written[j], rec.written(STATE + j) as i128);
        }
        let ch = Challenges::random(&mut rng(1));
        let w1 = forged_slot(&env, i, &rec, &f);
        assert_eq!(
            check_w1(&env, &env.circuits[i], i, 1, &w1, ch),
            Ok(expected_mem(&*env.circuits[i], &rec, ch.gamma))
        );
    }
}

/// One lie at `site` (the value `v` replaced by `lie(v)`), the rest derived from it.
fn lie_at(site: Site, lie: fn(i128) -> i128) -> impl Fn(Site, i128) -> i128 {
    move |s, v| if s == site { lie(v) } else { v }
}

/// Every gadget's output changed in turn, at several places, with everything after it
/// recomputed: the state written is the consistent result of the lie (and differs from
/// the true compression), and the step's R1CS is unsatisfied.
#[test]
fn a_wrong_gadget_output_carried_through_the_compression_is_unsatisfied() {
    let env = few_compressions();
    let ch = Challenges::random(&mut rng(2));
    let mut r = rng(3);
    use rand::Rng;
    let flip: fn(i128) -> i128 = |v| 1 - v;
    let plus_one: fn(i128) -> i128 = |v| v + 1;
    let minus_one: fn(i128) -> i128 = |v| v - 1;
    let (mut tried, mut changed) = (0, 0);
    for (idx, rec) in sha_records(&env).into_iter().take(2) {
        let (old, msg) = inputs(&rec);
        let mut sites = Vec::new();
        for _ in 0..2 {
            let (t, tt, i) = (r.gen_range(16..64), r.gen_range(0..64), r.gen_range(0..32));
            let which = r.gen_range(0..2);
            sites.extend([
                (Site::SchedH(t, which, i), flip),
                (Site::SchedH(t, 0, 31), flip), // a two-term XOR bit of σ0 (the shift)
                (Site::SchedH(t, 1, 25), flip), // and of σ1
                (Site::SchedRes(t, i), flip),
                (Site::SchedCarry(t, r.gen_range(0..2)), flip),
                (Site::RoundH(tt, which, i), flip),
                (Site::Ch(tt, i), flip),
                (Site::Maj(tt, i), flip),
                (Site::RoundRes(tt, which, i), flip),
                (Site::RoundCarry(tt, which, r.gen_range(0..3)), flip),
                (Site::StateBit(STATE_BITS[r.gen_range(0..6)], i), flip),
                (Site::MsgBit(r.gen_range(1..16), i), flip),
                (Site::Final(r.gen_range(0..8)), flip),
                // Values off {0, 1} where a bit is expected.
                (Site::Ch(tt, i), plus_one),
                (Site::Maj(tt, i), minus_one),
                (Site::RoundCarry(tt, 1, 2), plus_one),
            ]);
        }
        for (site, lie) in sites {
            let f = forge(old, msg, &lie_at(site, lie));
            let truth: Vec<i128> = (0..8).map(|j| rec.written(STATE + j) as i128).collect();
            changed += (f.written.to_vec() != truth) as usize;
            let w1 = forged_slot(&env, idx, &rec, &f);
            let got = check_w1(&env, &env.circuits[idx], idx, 1, &w1, ch);
            let wrapped = f.written.iter().any(|&x| !(0..1 << 32).contains(&x));
            assert!(
                matches!(got, Err(Reject::Unsatisfied(_)))
                    || (wrapped && matches!(got, Err(Reject::NotInTable(_)))),
                "{site:?}: {got:?}"
            );
            tried += 1;
        }
    }
    assert_eq!(tried, 64);
    // Every lie but a lone carry flip (which only the sum's equation sees) moves the state.
    assert!(changed >= 48, "only {changed} lies moved the state");
}

/// The lies a bit-level forger would try first, each recomputed downstream, and each
/// caught by the one relation it breaks; for every gadget the lie's output is shown not
/// to be a bit, or the sum not to hold.
#[test]
fn every_way_to_keep_the_bits_while_lying_fails_a_named_relation() {
    let env = few_compressions();
    let (idx, rec) = sha_records(&env)[0].clone();
    let (old, msg) = inputs(&rec);
    let ch = Challenges::random(&mut rng(6));
    let run = |site: Site, lie: fn(i128) -> i128| {
        let f = forge(old, msg, &lie_at(site, lie));
        let w1 = forged_slot(&env, idx, &rec, &f);
        (f, check_w1(&env, &env.circuits[idx], idx, 1, &w1, ch))
    };
    // XOR: flipping the carry bit h makes the output bit s − 2h one of −1, 2 (three-term
    // bits and the two-term bits of the shift alike). Every h of one σ0, one σ1, one Σ0.
    for i in 0..32 {
        for site in [
            Site::SchedH(20, 0, i),
            Site::SchedH(33, 1, i),
            Site::RoundH(50, 1, i),
        ] {
            let (_, got) = run(site, |v| 1 - v);
            assert!(
                matches!(got, Err(Reject::Unsatisfied(_))),
                "{site:?}: {got:?}"
            );
        }
        let (_, got) = run(Site::SchedH(20, 0, i), |v| 1 - v);
        assert!(
            matches!(got, Err(Reject::Unsatisfied(_))),
            "σ0 bit {i}: {got:?}"
        );
    }
    // Maj: every flip of one round's 32 bits.
    for i in 0..32 {
        let (_, got) = run(Site::Maj(40, i), |v| 1 - v);
        assert!(
            matches!(got, Err(Reject::Unsatisfied(_))),
            "Maj bit {i}: {got:?}"
        );
    }
    // Ch: every flip of one round's 32 bits.
    for i in 0..32 {
        let (_, got) = run(Site::Ch(7, i), |v| 1 - v);
        assert!(
            matches!(got, Err(Reject::Unsatisfied(_))),
            "Ch bit {i}: {got:?}"
        );
    }
    // A sum's carry absorbing 2^32: the new a (or e) given as its word plus 2^32 (bit 31
    // raised by 2) with the carry one less, so the sum's equation holds; the bits feed Σ0
    // (Σ1) and Maj (Ch) as non-bits. The bit's own constraint rejects it.
    for (t, which) in [(0usize, 1usize), (30, 0), (63, 1)] {
        let lie = move |s: Site, v: i128| match s {
            Site::RoundRes(tt, w, 31) if tt == t && w == which => v + 2,
            Site::RoundCarry(tt, w, 0) if tt == t && w == which => v - 1,
            _ => v,
        };
        let f = forge(old, msg, &lie);
        let truth: Vec<i128> = (0..8).map(|j| rec.written(STATE + j) as i128).collect();
        // (After the last round the extra 2^32 only meets the final addition, whose carry
        // absorbs it: the same state, still rejected.)
        assert_eq!(f.written.to_vec() != truth, t < 63, "round {t}");
        let w1 = forged_slot(&env, idx, &rec, &f);
        let got = check_w1(&env, &env.circuits[idx], idx, 1, &w1, ch);
        assert!(
            matches!(got, Err(Reject::Unsatisfied(_))),
            "round {t}: {got:?}"
        );
    }
    // A state word's bits that compose its value but are no bits (2 at bit i, 0 at i + 1,
    // where the value has bit i + 1 set and bit i clear).
    let j = 4;
    let x = old[j];
    if let Some(i) = (0..31).find(|&i| (x >> i) & 3 == 2) {
        let lie = move |s: Site, v: i128| match s {
            Site::StateBit(jj, ii) if jj == j && ii == i => 2,
            Site::StateBit(jj, ii) if jj == j && ii == i + 1 => 0,
            _ => v,
        };
        let f = forge(old, msg, &lie);
        let w1 = forged_slot(&env, idx, &rec, &f);
        let got = check_w1(&env, &env.circuits[idx], idx, 1, &w1, ch);
        assert!(matches!(got, Err(Reject::Unsatisfied(_))), "{got:?}");
    }
    // The final carry: flipping it moves the written word by ±2^32, which no four bytes
    // hold. R1CS holds (the forger composes the word from a top byte of 256 + b or b − 256,
    // the carry a bit); the byte lookup is what rejects it.
    for j in 0..8 {
        let (f, got) = run(Site::Final(j), |v| 1 - v);
        assert!(f.logic.iter().all(|&v| is_bit(v)));
        assert!(!(0..1i128 << 32).contains(&f.written[j]));
        assert_eq!(got, Err(Reject::NotInTable(tag::R8)), "final carry {j}");
    }
}

/// The same memory word read as other bytes: `(x_k + 256, x_{k+1} − 1)` keeps the
/// little-endian value (the memory tuple) and moves the big-endian message word by
/// `2^(8(4−k)) − 2^(8(2−k))`. With `k = 1` the message word moves by `2^24 − 2^8` and stays a
/// word, so every relation of the compression holds for the other message and the memory
/// tuples are the honest reads: only the byte range lookup stops it. `W0`, used as a value
/// only, is also tried with `k = 0` (a value of `2^32` and more, absorbed by the carries).
#[test]
fn a_message_word_made_of_other_bytes_of_the_same_memory_word_is_caught_by_the_byte_range() {
    let env = few_compressions();
    let ch = Challenges::random(&mut rng(7));
    let o = offsets();
    let mut n = 0;
    for (idx, rec) in sha_records(&env) {
        for (m, k) in [(0usize, 1usize), (5, 1), (15, 1), (0, 0), (0, 2)] {
            let word = rec.read(BLOCK + m);
            let mut x: [i128; 4] = word.to_le_bytes().map(|b| b as i128);
            x[k] += 256;
            x[k + 1] -= 1;
            let msg_value = (x[0] << 24) + (x[1] << 16) + (x[2] << 8) + x[3];
            let mem_value: i128 = x.iter().enumerate().map(|(i, &b)| b << (8 * i)).sum();
            assert_eq!(mem_value, word as i128, "the memory tuple is unchanged");
            if m > 0 && !(0..1i128 << 32).contains(&msg_value) {
                continue; // its bits cannot compose it: the decomposition rejects it
            }
            let (old, mut msg) = inputs(&rec);
            assert_ne!(msg_value, msg[m]);
            msg[m] = msg_value;
            let f = forge(old, msg, &|_, v| v);
            if !f.logic.iter().all(|&v| is_bit(v)) {
                // A carry that overflows its bits: the R1CS rejects it anyway.
                continue;
            }
            let mut w1 = forged_slot(&env, idx, &rec, &f);
            for (i, &b) in x.iter().enumerate() {
                w1[o.read[BLOCK + m] + i] = fr(b);
            }
            let truth: Vec<i128> = (0..8).map(|j| rec.written(STATE + j) as i128).collect();
            assert_ne!(f.written.to_vec(), truth);
            assert!(f.written.iter().all(|&x| (0..1i128 << 32).contains(&x)));
            let got = check_w1(&env, &env.circuits[idx], idx, 1, &w1, ch);
            assert_eq!(got, Err(Reject::NotInTable(tag::R8)), "word {m}, k = {k}");
            n += 1;
        }
    }
    assert!(n >= 8, "only {n} splits tried");
}

/// The state words `d` and `h` enter only as values: a read byte of 256 + b (the word plus
/// 2^32, absorbed by the round carries) or a written top byte of 256 + b (carry 0 instead of
/// 1) would chain a non-word through memory. Both are byte-range failures.
#[test]
fn a_state_word_off_by_2_pow_32_is_caught_by_the_byte_range() {
    let env = few_compressions();
    let ch = Challenges::random(&mut rng(8));
    let o = offsets();
    for (idx, rec) in sha_records(&env) {
        for j in [3usize, 7] {
            let (mut old, msg) = inputs(&rec);
            old[j] += 1 << 32;
            // The forger keeps every carry a bit: the final one at most 1, so the word
            // written may be 2^32 or more (a top byte past 255).
            let f = forge(old, msg, &|s, v| match s {
                Site::Final(_) => v.min(1),
                _ => v,
            });
            assert!(f.logic.iter().all(|&v| is_bit(v)));
            let mut w1 = forged_slot(&env, idx, &rec, &f);
            let top = o.read[STATE + j] + 3;
            w1[top] += Fr::from(256u64);
            let got = check_w1(&env, &env.circuits[idx], idx, 1, &w1, ch);
            assert!(
                matches!(got, Err(Reject::NotInTable(_))),
                "d/h read as a word + 2^32: {got:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Addresses.
// ---------------------------------------------------------------------------------------

/// A sha slot whose pointer register `which` (0 state, 1 block) reads `ptr` and whose last
/// word index limbs are `(lo, hi)`.
fn with_pointer(
    env: &Env,
    idx: usize,
    rec: &ExecRecord,
    which: usize,
    ptr: u32,
    lo: Fr,
    hi: Fr,
) -> Vec<Fr> {
    let o = offsets();
    let mut w1 = w1_values(&env.circuits[idx], idx, 1, std::slice::from_ref(rec)).expect("w1");
    w1[o.read[which]] = Fr::from(ptr as u64 & 0xffff);
    w1[o.read[which] + 1] = Fr::from(ptr as u64 >> 16);
    w1[o.logic + 2 * which] = lo;
    w1[o.logic + 2 * which + 1] = hi;
    w1
}

/// `(lo, hi)` with `4·(lo + 2^16·hi) = ptr + 4(n − 1)` in the field, `lo` the low limb of
/// the integer quotient.
fn field_limbs(ptr: u32, n: u64) -> (Fr, Fr) {
    let end = Fr::from(ptr as u64 + 4 * (n - 1));
    let last = end * Fr::from(4u64).inverse().expect("4 ≠ 0");
    let lo = ((ptr as u64 + 4 * (n - 1)) / 4) & 0xffff;
    let hi = (last - Fr::from(lo)) * Fr::from(1u64 << 16).inverse().expect("nonzero");
    (Fr::from(lo), hi)
}

fn int_limbs(ptr: u32, n: u64) -> (Fr, Fr) {
    let last = (ptr as u64 + 4 * (n - 1)) / 4;
    (Fr::from(last & 0xffff), Fr::from(last >> 16))
}

#[test]
fn misaligned_wrapping_and_disagreeing_addresses_are_rejected() {
    let env = few_compressions();
    let (idx, rec) = sha_records(&env)[0].clone();
    let ch = Challenges::random(&mut rng(9));
    let check = |w1: &[Fr]| check_w1(&env, &env.circuits[idx], idx, 1, w1, ch);
    for (which, n) in [(0usize, 8u64), (1, 16)] {
        let honest_ptr = rec.read(which);
        // Misaligned: no integer last index exists; integer limbs break the equation, limbs
        // solved in the field are off their widths.
        for ptr in [honest_ptr + 1, honest_ptr + 2, honest_ptr + 3] {
            let (lo, hi) = int_limbs(ptr, n);
            let got = check(&with_pointer(&env, idx, &rec, which, ptr, lo, hi));
            assert!(
                matches!(got, Err(Reject::Unsatisfied(_))),
                "{ptr:#x}: {got:?}"
            );
            let (lo, hi) = field_limbs(ptr, n);
            let got = check(&with_pointer(&env, idx, &rec, which, ptr, lo, hi));
            assert!(
                matches!(got, Err(Reject::NotInTable(_))),
                "{ptr:#x}: {got:?}"
            );
        }
        // Wrapping past 2^32: the last index is 2^30 or more, past the 14-bit top limb.
        for ptr in [
            0u32.wrapping_sub(4 * (n as u32 - 1)) + 4,
            0xffff_fffc,
            0xffff_ff00 + 4 * 60,
        ] {
            let (lo, hi) = int_limbs(ptr, n);
            assert!((ptr as u64 + 4 * (n - 1)) >= 1 << 32);
            let got = check(&with_pointer(&env, idx, &rec, which, ptr, lo, hi));
            assert!(
                matches!(got, Err(Reject::NotInTable(_))),
                "{ptr:#x}: {got:?}"
            );
            // The wrapped index (mod 2^30) in range: the equation fails.
            let last = ((ptr as u64 + 4 * (n - 1)) / 4) & ((1 << 30) - 1);
            let got = check(&with_pointer(
                &env,
                idx,
                &rec,
                which,
                ptr,
                Fr::from(last & 0xffff),
                Fr::from(last >> 16),
            ));
            assert!(
                matches!(got, Err(Reject::Unsatisfied(_))),
                "{ptr:#x}: {got:?}"
            );
        }
        // The highest run that does not wrap is accepted by the equation (the register
        // tuple then differs from the honest one: the balance decides).
        let top = (1u64 << 32) - 4 * n;
        let (lo, hi) = int_limbs(top as u32, n);
        let got = check(&with_pointer(&env, idx, &rec, which, top as u32, lo, hi));
        assert!(got.is_ok(), "{top:#x}: {got:?}");
        // The last index one off the register's value, either way.
        let (lo, hi) = int_limbs(honest_ptr, n);
        for d in [Fr::from(1u64), -Fr::from(1u64), Fr::from(1u64 << 14)] {
            let got = check(&with_pointer(
                &env,
                idx,
                &rec,
                which,
                honest_ptr,
                lo + d,
                hi,
            ));
            assert!(
                matches!(
                    got,
                    Err(Reject::Unsatisfied(_)) | Err(Reject::NotInTable(_))
                ),
                "{got:?}"
            );
        }
        // The register's value given by limbs that are no 16-bit limbs.
        let o = offsets();
        let mut w1 = with_pointer(&env, idx, &rec, which, honest_ptr, lo, hi);
        w1[o.read[which]] += Fr::from(1u64 << 16);
        w1[o.read[which] + 1] -= Fr::from(1u64);
        let got = check(&w1);
        assert!(matches!(got, Err(Reject::NotInTable(_))), "{got:?}");
    }
}

// ---------------------------------------------------------------------------------------
// The whole run's memory balance, from the real batches, the real scan and the verifier's
// Init.
// ---------------------------------------------------------------------------------------

fn inv(x: Fr) -> Fr {
    x.inverse().expect("nonzero")
}

fn key(c: &Cell) -> u64 {
    (c.space << 32) | c.addr as u64
}

/// The scan entries of a list of records (the forger's), as the circuits see the cells:
/// a write access is always to a writable word.
fn scan_of(
    env: &Env,
    records: &[(usize, ExecRecord)],
    public: &[u8],
    private_len: usize,
) -> Vec<ScanEntry> {
    let mut cells: BTreeMap<u64, ScanEntry> =
        initial_cells(&env.program, public, private_len).expect("cells");
    let mut accesses: Vec<(u64, usize, usize)> = Vec::new();
    for (r, (_, rec)) in records.iter().enumerate() {
        for j in 0..rec.accesses.len() {
            accesses.push((TS_PER_STEP * (rec.t + 1) + 1 + j as u64, r, j));
        }
    }
    accesses.sort_unstable();
    for (ts, r, j) in accesses {
        let (i, rec) = &records[r];
        let a = rec.accesses[j];
        let sp = match env.circuits[*i].accesses()[j] {
            AccessKind::RegRead(_) | AccessKind::RegWrite(_) => space::REG,
            AccessKind::MemRead if a.read_only => space::RO,
            AccessKind::MemRead | AccessKind::MemWrite => space::RW,
        };
        let cell = Cell {
            space: sp,
            addr: a.addr,
        };
        let e = cells.entry(key(&cell)).or_insert(ScanEntry {
            cell,
            init: Some(a.read),
            value: a.read,
            ts: 0,
        });
        e.value = a.write;
        e.ts = ts;
    }
    cells.into_values().collect()
}

/// Sets every access's previous timestamp to the last access to its cell before it, in
/// timestamp order (what a consistent forger does after moving steps).
fn rechain(env: &Env, records: &mut [(usize, ExecRecord)]) {
    let mut order: Vec<(u64, usize, usize)> = Vec::new();
    for (r, (_, rec)) in records.iter().enumerate() {
        for j in 0..rec.accesses.len() {
            order.push((TS_PER_STEP * (rec.t + 1) + 1 + j as u64, r, j));
        }
    }
    order.sort_unstable();
    let mut last: BTreeMap<(u64, u32), u64> = BTreeMap::new();
    for (ts, r, j) in order {
        let i = records[r].0;
        let a = records[r].1.accesses[j];
        let sp = match env.circuits[i].accesses()[j] {
            AccessKind::RegRead(_) | AccessKind::RegWrite(_) => space::REG,
            AccessKind::MemRead if a.read_only => space::RO,
            _ => space::RW,
        };
        let prev = last.insert((sp, a.addr), ts).unwrap_or(0);
        records[r].1.accesses[j].prev_ts = prev;
    }
}

/// `Init + Σ writes − Σ reads − Final` over the whole run: every record in a batch of one
/// (each satisfied, its lookups in the tables), the scan chain over `entries` (satisfied,
/// lookups in the tables), the verifier's Init and the pc cell's Init and Final for
/// `steps` cycles and exit code 0. Zero for a run the verifier accepts.
fn imbalance(
    env: &Env,
    records: &[(usize, ExecRecord)],
    entries: &[ScanEntry],
    public: &[u8],
    steps: u64,
    ch: Challenges,
) -> Result<Fr, Reject> {
    let mut total = Fr::from(0u64);
    for (cell, v) in verifier_init(&env.program, public).expect("init") {
        total += inv(ch.gamma - mem_tuple(cell.space, cell.addr as u64, v as u64, 0));
    }
    total += inv(ch.gamma - mem_tuple(space::PC, 0, env.program.entry() as u64, 0));
    total -= inv(ch.gamma - mem_tuple(space::PC, 0, HALTED, TS_PER_STEP * steps));
    for (i, rec) in records {
        let c = &env.circuits[*i];
        let w1 = w1_values(c, *i, 1, std::slice::from_ref(rec))?;
        total += check_w1(env, c, *i, 1, &w1, ch)?;
    }
    let chain = ScanChain::new(entries.len());
    let ws = chain
        .witness(entries)
        .map_err(|e| Reject::Witness(e.to_string()))?;
    let cs = ConstraintSystem::<Fr>::new_ref();
    let consts: Vec<FpVar<Fr>> = [ch.gamma, ch.beta, ch.alpha]
        .iter()
        .map(|c| FpVar::new_input(cs.clone(), || Ok(*c)).expect("alloc"))
        .collect();
    let z: Vec<FpVar<Fr>> = (0..5)
        .map(|_| FpVar::new_witness(cs.clone(), || Ok(Fr::from(0u64))).expect("alloc"))
        .collect();
    let w: Vec<FpVar<Fr>> = ws[0]
        .values
        .iter()
        .map(|v| FpVar::new_witness(cs.clone(), || Ok(Fr::from(*v))).expect("alloc"))
        .collect();
    let (zn, log) = chain
        .synthesize(cs.clone(), &consts, &z, &w)
        .map_err(|e| Reject::Witness(e.to_string()))?;
    if !cs.is_satisfied().expect("satisfiability") {
        let which = cs.which_is_unsatisfied().ok().flatten().unwrap_or_default();
        return Err(Reject::Unsatisfied(format!("scan: {which}")));
    }
    if let Some(t) = log.iter().find(|t| !env.tables.contains(t.tag, t.payload)) {
        return Err(Reject::NotInTable(t.tag));
    }
    total += zn[0].value().expect("value");
    Ok(total)
}

/// `li x7, PRIVATE_INPUT; lw x5, 4(x7); lw x6, 8(x7); sha(x5, x6); exit(0); nop`: the state
/// and block pointers come from the private input, so a cheating prover chooses them.
fn pointer_program() -> Vec<u32> {
    let mut code = Vec::new();
    li_into(&mut code, 7, PRIVATE_INPUT);
    code.push(lw(5, 7, 4));
    code.push(lw(6, 7, 8));
    code.push(sha_word(5, 6));
    exit(&mut code, 0);
    code.push(addi(0, 0, 0));
    code
}

fn pointer_env(state: u32, block: u32) -> Env {
    let (isa, circuits) = sha_isa();
    let mut private = state.to_le_bytes().to_vec();
    private.extend(block.to_le_bytes());
    Env::run(
        &pointer_program(),
        &isa,
        circuits,
        &Input {
            public: vec![],
            private,
        },
    )
}

/// The value the verifier's Init (or an untouched scan cell) gives a word: the image's
/// word if the verifier initializes it in either space, else zero.
fn image_word(env: &Env, addr: u32) -> u32 {
    verifier_init(&env.program, &[])
        .expect("init")
        .into_iter()
        .find(|(c, _)| c.space != space::REG && c.addr == addr)
        .map_or(0, |(_, v)| v)
}

/// The honest run's records with the pointers the private input gives replaced by
/// `state`, `block`: the loads return them, the sha step reads and writes the words there
/// (as the circuit sees them: the block in the space `block_ro` says, the state writable),
/// the state written the true compression of what it read.
fn repoint(env: &Env, state: u32, block: u32, block_ro: bool) -> Vec<(usize, ExecRecord)> {
    let mut records = env.records();
    let mut loads = 0;
    for (i, rec) in records.iter_mut() {
        let name = env.circuits[*i].name().to_string();
        if name == "load" {
            let v = if loads == 0 { state } else { block };
            rec.accesses[1].read = v;
            rec.accesses[1].write = v;
            rec.accesses[2].write = v;
            loads += 1;
        } else if name == SHA {
            rec.accesses[0].read = state;
            rec.accesses[0].write = state;
            rec.accesses[1].read = block;
            rec.accesses[1].write = block;
            let mut words = [0u32; 16];
            for (k, word) in words.iter_mut().enumerate() {
                let a = &mut rec.accesses[BLOCK + k];
                a.addr = block + 4 * k as u32;
                a.read = image_word(env, a.addr);
                a.write = a.read;
                a.read_only = block_ro;
                *word = a.read;
            }
            let mut s: [u32; 8] = std::array::from_fn(|j| image_word(env, state + 4 * j as u32));
            let old = s;
            native::compress(&mut s, &words);
            for j in 0..8 {
                let a = &mut rec.accesses[STATE + j];
                a.addr = state + 4 * j as u32;
                a.read = old[j];
                a.write = s[j];
                a.read_only = false;
            }
        }
    }
    assert_eq!(loads, 2);
    rechain(env, &mut records);
    records
}

#[test]
fn the_whole_run_balance_accepts_honest_and_legitimately_repointed_runs() {
    let ch = Challenges::random(&mut rng(10));
    let env = pointer_env(DATA + 64, RODATA + 32);
    let steps = env.trace.iter().map(|(s, _)| s.t).max().expect("steps") + 1;
    let records = env.records();
    let entries = scan_of(&env, &records, &[], 8);
    let honest =
        crease_circuits::scan::scan_entries(&env.program, &[], 8, &env.trace).expect("entries");
    assert_eq!(
        entries, honest,
        "the forger's scan of honest records is the honest scan"
    );
    assert_eq!(
        imbalance(&env, &records, &entries, &[], steps, ch),
        Ok(Fr::from(0u64))
    );
    // The forger's machinery on a target the machine allows (RAM the run never touched,
    // a block in writable data): balanced, as the honest run on that input is.
    for (state, block, ro) in [
        (0xc000_0100u32, DATA + 8, false),
        (DATA + 96, DATA + 96, false),
    ] {
        let forged = repoint(&env, state, block, ro);
        let entries = scan_of(&env, &forged, &[], 8);
        assert_eq!(
            imbalance(&env, &forged, &entries, &[], steps, ch),
            Ok(Fr::from(0u64)),
            "{state:#x}"
        );
        let native = pointer_env(state, block);
        assert_eq!(forged, native.records(), "the forgery is the machine's run");
    }
}

/// A state aimed where the machine refuses to write (read-only data, code, the public
/// input, unmapped memory in the image's range or past every region), a block aimed
/// where it refuses to read: the words the step writes are writable-space cells that
/// nobody may initialize. With the scan's Init for them the scan is unsatisfied (or its
/// region lookup is no entry); without it the run does not balance.
#[test]
fn a_state_or_block_in_a_region_the_machine_refuses_is_rejected() {
    let ch = Challenges::random(&mut rng(11));
    let env = pointer_env(DATA + 64, DATA + 128);
    let steps = env.trace.iter().map(|(s, _)| s.t).max().expect("steps") + 1;
    let cases: [(u32, u32, bool, &str); 7] = [
        (RODATA + 64, DATA + 128, false, "state in read-only data"),
        (CODE, DATA + 128, false, "state over the code"),
        (PUBLIC_INPUT, DATA + 128, false, "state in the public input"),
        (
            0x0800_0000,
            DATA + 128,
            false,
            "state in an unmapped hole of the image",
        ),
        (0xff00_0000, DATA + 128, false, "state past every region"),
        (
            DATA + 64,
            0x0800_0000,
            false,
            "block unmapped, writable space",
        ),
        (
            DATA + 64,
            0x0800_0000,
            true,
            "block unmapped, read-only space",
        ),
    ];
    for (state, block, ro, what) in cases {
        let forged = repoint(&env, state, block, ro);
        let entries = scan_of(&env, &forged, &[], 8);
        let with_init = imbalance(&env, &forged, &entries, &[], steps, ch);
        // Every record is satisfied (see below); the scan's Init is what fails.
        assert!(
            matches!(&with_init, Err(Reject::Unsatisfied(w)) if w.starts_with("scan:")),
            "{what}, scan Init: {with_init:?}"
        );
        // Without the scan's Init for the forged cells (the verifier's Init of the same
        // address is in the other space, or absent).
        let verifier: Vec<u64> = verifier_init(&env.program, &[])
            .expect("init")
            .iter()
            .map(|(c, _)| key(c))
            .collect();
        let entries: Vec<ScanEntry> = entries
            .into_iter()
            .map(|mut e| {
                let private = e.cell.space == space::RO && e.cell.addr >= PRIVATE_INPUT;
                if !verifier.contains(&key(&e.cell)) && !private {
                    e.init = None;
                }
                e
            })
            .collect();
        let without = imbalance(&env, &forged, &entries, &[], steps, ch);
        assert!(
            matches!(without, Ok(x) if x != Fr::from(0u64)),
            "{what}, no Init: {without:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Cycles.
// ---------------------------------------------------------------------------------------

fn sha_env_for_cycles() -> Env {
    pointer_env(DATA + 64, DATA + 128)
}

/// The two-cycle step proven as if it took one: everything after it one cycle earlier,
/// the run one cycle shorter, every previous timestamp re-chained. The sha step's pc write
/// is at `16(t + 2)` whatever the prover says, so the pc path breaks.
#[test]
fn a_two_cycle_step_retimed_as_one_cycle_is_unbalanced() {
    let ch = Challenges::random(&mut rng(12));
    let env = sha_env_for_cycles();
    let steps = env.trace.iter().map(|(s, _)| s.t).max().expect("steps") + 1;
    let mut records = env.records();
    let t_sha = records
        .iter()
        .find(|(i, _)| is_sha(&env, *i))
        .map(|(_, r)| r.t)
        .expect("a sha step");
    for (_, rec) in records.iter_mut() {
        if rec.t > t_sha {
            rec.t -= 1;
        }
    }
    rechain(&env, &mut records);
    let entries = scan_of(&env, &records, &[], 8);
    for claimed in [steps - 1, steps] {
        let got = imbalance(&env, &records, &entries, &[], claimed, ch);
        assert!(matches!(got, Ok(x) if x != Fr::from(0u64)), "{got:?}");
    }
}

/// An instruction executed in the sha step's second cycle (a `nop` from the code that the
/// machine never runs, at cycle `t + 1`, its accesses interleaved with the sha step's),
/// the rest unchanged: its pc read at `16(t + 1)` has no write, its pc write at `16(t + 2)`
/// is a second one.
#[test]
fn an_instruction_hidden_in_the_second_cycle_is_unbalanced() {
    let ch = Challenges::random(&mut rng(13));
    let env = sha_env_for_cycles();
    let steps = env.trace.iter().map(|(s, _)| s.t).max().expect("steps") + 1;
    let mut records = env.records();
    let (pos, t_sha) = records
        .iter()
        .enumerate()
        .find(|(_, (i, _))| is_sha(&env, *i))
        .map(|(p, (_, r))| (p, r.t))
        .expect("a sha step");
    // The nop is the last code word; its record is an `addi x0, x0, 0`'s.
    let code = pointer_program();
    let nop_pc = CODE + 4 * (code.len() as u32 - 1);
    let (alu, template) = records
        .iter()
        .find(|(i, r)| env.circuits[*i].name() == "alu_imm" && r.d.rd != 0)
        .cloned()
        .expect("an addi");
    let d = env
        .program
        .code_word(nop_pc)
        .and_then(|c| c.decoded)
        .map(|(_, d)| d)
        .expect("the nop decodes");
    let mut nop = template.clone();
    nop.t = t_sha + 1;
    nop.pc = nop_pc;
    nop.next_pc = nop_pc + 4;
    nop.d = d;
    for a in nop.accesses.iter_mut() {
        a.addr = 0;
        a.read = 0;
        a.write = 0;
    }
    records.insert(pos + 1, (alu, nop));
    rechain(&env, &mut records);
    let entries = scan_of(&env, &records, &[], 8);
    for claimed in [steps, steps + 1] {
        let got = imbalance(&env, &records, &entries, &[], claimed, ch);
        assert!(matches!(got, Ok(x) if x != Fr::from(0u64)), "{got:?}");
    }
}

/// A circuit whose cycle count differs from its instruction's, or that makes more accesses
/// than its cycles hold, is refused when the circuits are paired with the ISA; an
/// instruction of 0 or 17 cycles is refused by the ISA; the ISA digest binds the count.
#[test]
fn cycle_counts_are_bound_at_pairing_and_in_the_isa_digest() {
    #[derive(Clone, Copy)]
    struct Cycles<T>(T, u32);
    impl<T: InstructionCircuit> InstructionCircuit for Cycles<T> {
        fn name(&self) -> &str {
            self.0.name()
        }
        fn fields(&self) -> crease_circuits::instruction::Fields {
            self.0.fields()
        }
        fn accesses(&self) -> &[AccessKind] {
            self.0.accesses()
        }
        fn cycles(&self) -> u32 {
            self.1
        }
        fn witness_layout(&self) -> Vec<u32> {
            self.0.witness_layout()
        }
        fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
            self.0.witness(rec)
        }
        fn constrain(
            &self,
            ctx: &mut crease_circuits::Ctx,
            x: &mut crease_circuits::instruction::ExecVar,
            w: &crease_circuits::instruction::Logic,
        ) -> Result<FpVar<Fr>, ark_relations::gr1cs::SynthesisError> {
            self.0.constrain(ctx, x, w)
        }
    }
    let (isa, _) = sha_isa();
    for cycles in [1, 3] {
        let mut circuits = isa::rv32im();
        circuits.push(Arc::new(Cycles(Sha256Compress, cycles)));
        assert!(
            isa::circuits_for(&isa, &circuits).is_err(),
            "a {cycles}-cycle sha circuit paired with the 2-cycle instruction"
        );
    }
    // A native sha of one cycle cannot hold the circuit's 26 accesses.
    struct NativeCycles(u32);
    impl crease_nvm::Instruction for NativeCycles {
        fn name(&self) -> &str {
            SHA
        }
        fn patterns(&self) -> &[crease_nvm::decode::Pattern] {
            crease_nvm::Instruction::patterns(&native::Sha256Compress)
        }
        fn decode(&self, word: u32) -> Option<crease_nvm::Decoded> {
            crease_nvm::Instruction::decode(&native::Sha256Compress, word)
        }
        fn execute(
            &self,
            d: &crease_nvm::Decoded,
            m: &mut crease_nvm::Machine<'_>,
        ) -> Result<(), crease_nvm::Fault> {
            crease_nvm::Instruction::execute(&native::Sha256Compress, d, m)
        }
        fn cycles(&self) -> u32 {
            self.0
        }
    }
    let one = Isa::rv32im()
        .with(NativeCycles(1))
        .expect("one cycle is allowed");
    let mut circuits = isa::rv32im();
    circuits.push(Arc::new(Cycles(Sha256Compress, 1)));
    assert!(
        isa::circuits_for(&one, &circuits).is_err(),
        "26 accesses in one cycle"
    );
    for bad in [0, 17] {
        assert!(
            Isa::rv32im().with(NativeCycles(bad)).is_err(),
            "{bad} cycles"
        );
    }
    let three = Isa::rv32im().with(NativeCycles(3)).expect("three cycles");
    assert_ne!(isa.digest(), three.digest());
    assert_ne!(isa.digest(), one.digest());
    assert_ne!(one.digest(), three.digest());
}

// ---------------------------------------------------------------------------------------
// Inactive slots.
// ---------------------------------------------------------------------------------------

/// A batch of two: an honest compression, and an inactive slot holding a forgery that an
/// active slot rejects only by its lookups (a message word made of other bytes, a misaligned
/// pointer with limbs solved in the field, the step, pc and timestamp gaps set to field
/// elements): the batch is satisfied, logs no lookup of the inactive slot, and sums exactly
/// the honest slot's tuples. The same slot with an activity flag of 2 or p − 1 is
/// unsatisfied, and with 1 it is rejected.
#[test]
fn an_inactive_slot_holding_a_forgery_adds_nothing() {
    let env = few_compressions();
    let ch = Challenges::random(&mut rng(14));
    let o = offsets();
    let recs = sha_records(&env);
    let (idx, rec) = recs[0].clone();
    let (_, other) = recs[1].clone();
    let c = &env.circuits[idx];
    let honest = w1_values(c, idx, 1, std::slice::from_ref(&rec)).expect("w1");
    // The forgery, from the second record.
    let (old, mut msg) = inputs(&other);
    let word = other.read(BLOCK + 3);
    let mut x: [i128; 4] = word.to_le_bytes().map(|b| b as i128);
    x[1] += 256;
    x[2] -= 1;
    msg[3] = (x[0] << 24) + (x[1] << 16) + (x[2] << 8) + x[3];
    let f = forge(old, msg, &|_, v| v);
    let mut slot = forged_slot(&env, idx, &other, &f);
    for (i, &b) in x.iter().enumerate() {
        slot[o.read[BLOCK + 3] + i] = fr(b);
    }
    let ptr = other.read(0) + 2;
    let (lo, hi) = field_limbs(ptr, 8);
    slot[o.read[0]] = Fr::from(ptr as u64 & 0xffff);
    slot[o.read[0] + 1] = Fr::from(ptr as u64 >> 16);
    slot[o.logic] = lo;
    slot[o.logic + 1] = hi;
    let wild = -Fr::from(12345u64);
    for k in [1usize, 2, 3, 4, 7, 8] {
        slot[k] += wild; // step, pc, the first access's timestamp gap
    }
    slot[0] = Fr::from(0u64);
    let batch_of = |second: &[Fr]| {
        let mut w1 = honest.clone();
        w1.extend_from_slice(second);
        check_w1(&env, c, idx, 2, &w1, ch)
    };
    assert_eq!(
        batch_of(&slot),
        Ok(expected_mem(&**c, &rec, ch.gamma)),
        "the inactive forgery adds nothing"
    );
    for active in [Fr::from(2u64), -Fr::from(1u64)] {
        let mut s = slot.clone();
        s[0] = active;
        assert!(matches!(batch_of(&s), Err(Reject::Unsatisfied(_))));
    }
    let mut s = slot.clone();
    s[0] = Fr::from(1u64);
    assert!(matches!(batch_of(&s), Err(Reject::NotInTable(_))));
}

/// Malformed records and witnesses never panic: too many accesses, a step too late for two
/// cycles, witnesses of the wrong length, a record with no accesses.
#[test]
fn malformed_input_is_an_error_not_a_panic() {
    let env = few_compressions();
    let (idx, rec) = sha_records(&env)[0].clone();
    let c = &env.circuits[idx];
    let batch = Batch::new(c.clone(), idx, 1);
    let mut long = rec.clone();
    long.accesses.push(Default::default());
    assert!(batch.witness(std::slice::from_ref(&long)).is_err());
    let mut late = rec.clone();
    late.t = crease_circuits::pack::MAX_STEPS - 1;
    assert!(batch.witness(std::slice::from_ref(&late)).is_err());
    let mut last_ok = rec.clone();
    last_ok.t = crease_circuits::pack::MAX_STEPS - 2;
    assert!(batch.witness(std::slice::from_ref(&last_ok)).is_ok());
    let mut empty = rec.clone();
    empty.accesses.clear();
    let w = batch.witness(std::slice::from_ref(&empty));
    assert!(
        w.is_ok(),
        "an empty record still has a witness (of zeros): {w:?}"
    );
    let ch = Challenges::random(&mut rng(15));
    let w1 = w1_values(c, idx, 1, std::slice::from_ref(&rec)).expect("w1");
    for len in [0, w1.len() - 1, w1.len() + 1] {
        let mut v = w1.clone();
        v.resize(len, Fr::from(0u64));
        assert!(matches!(
            check_w1(&env, c, idx, 1, &v, ch),
            Err(Reject::Witness(_))
        ));
    }
}
