//! Adversarial tests of chains shown directly (`crease_folding::direct`, docs/FOLDING.md §9)
//! and of the lazily read node sections of the parameter file, each against the real
//! prover and the real verifier.

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;
use std::time::Instant;

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystem, SynthesisMode};
use crease::circuits::scan::ScanChain;
use crease::circuits::{Batch, Fr};
use crease::nvm::encode::{lw, mul, sw};
use crease::nvm::layout::{PUBLIC_INPUT, RAM_START};
use crease::pcd::{ChainBody, ChainProof};
use crease::{
    prove_with, setup, verify, Error, Input, Isa, Params, Program, Proof, ProveOptions, Rejection,
    SetupConfig, Statement,
};
use crease_folding::direct::DirectShape;
use crease_folding::step::StepCircuit;
use support::hand::{self, push_li};

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| setup(&Isa::rv32im(), &SetupConfig::development().with_k(4)).expect("setup"))
}

fn program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| {
        let mut c = Vec::new();
        push_li(&mut c, 5, PUBLIC_INPUT);
        c.push(lw(6, 5, 4));
        push_li(&mut c, 8, RAM_START);
        c.push(sw(6, 8, 0));
        c.push(lw(9, 8, 0));
        c.push(mul(23, 9, 6));
        hand::push_sum_output_exit(&mut c, 6);
        hand::program(&c, &Isa::rv32im())
    })
}

fn input() -> Input {
    Input {
        public: vec![1, 2, 3, 4, 5, 6, 7, 8],
        private: Vec::new(),
    }
}

fn prove_opts(direct_steps: usize, leaf_steps: usize) -> Proof {
    let options = ProveOptions {
        direct_steps,
        leaf_steps,
        ..ProveOptions::default()
    };
    prove_with(params(), program(), &input(), &options, None)
        .expect("proves")
        .0
}

/// Every chain folded.
fn folded() -> &'static (Proof, Statement) {
    static P: OnceLock<(Proof, Statement)> = OnceLock::new();
    P.get_or_init(|| {
        let p = prove_opts(0, 1 << 20);
        let st = check(&p).expect("the folded proof verifies");
        (p, st)
    })
}

/// Every chain shown directly.
fn shown() -> &'static (Proof, Statement) {
    static P: OnceLock<(Proof, Statement)> = OnceLock::new();
    P.get_or_init(|| {
        let p = prove_opts(1 << 20, 1 << 20);
        assert!(all(&p).all(|c| matches!(c.body, ChainBody::Direct(_))));
        let st = check(&p).expect("the shown proof verifies");
        (p, st)
    })
}

fn all(p: &Proof) -> impl Iterator<Item = &ChainProof> {
    p.chains().iter().chain([p.scan()])
}

fn check(p: &Proof) -> Result<Statement, Error> {
    verify(params(), program(), &input().public, p)
}

/// Verifies, turning a panic into a test failure with a message.
fn check_no_panic(p: &Proof, what: &str) -> Result<Statement, Error> {
    catch_unwind(AssertUnwindSafe(|| check(p)))
        .unwrap_or_else(|_| panic!("{what}: verifier panicked"))
}

fn nth(p: &mut Proof, n: usize) -> &mut ChainProof {
    p.chain_proofs_mut().nth(n).expect("chain")
}

fn steps_of(c: &mut ChainProof) -> &mut Vec<crease_folding::direct::DirectStep> {
    c.body.direct_mut().expect("shown directly").steps_mut()
}

/// The error of a parameter file whose node section does not match its stated digest.
fn is_damaged_parameters(e: &Error) -> bool {
    matches!(
        e,
        Error::Malformed {
            what: "parameters",
            ..
        }
    )
}

fn is_ivc(e: &Error) -> bool {
    matches!(e, Error::Rejected(Rejection::Ivc { .. }))
}

// ---------------------------------------------------------------------------------------
// 1. Mixing the two forms.

/// Both forms of a chain bind the same commitments: any chain's folded body swapped for its
/// shown one (and back) proves the same statement; a proof whose scan is shown and whose
/// instruction chains are folded (and the reverse), too; the threshold's mixed proof too.
#[test]
fn bodies_of_either_form_are_interchangeable_and_mixed_proofs_verify() {
    let (f, st) = folded();
    let (s, st2) = shown();
    assert_eq!(st, st2);
    let n = f.chains().len() + 1;
    assert_eq!(n, s.chains().len() + 1);
    for i in 0..n {
        let mut p = f.clone();
        let mut q = s.clone();
        *nth(&mut p, i) = nth(&mut q.clone(), i).clone();
        assert_eq!(&check(&p).expect("one chain shown, the rest folded"), st);
        *nth(&mut q, i) = nth(&mut f.clone(), i).clone();
        assert_eq!(&check(&q).expect("one chain folded, the rest shown"), st);
    }
    // Scan shown, instruction chains folded, through the prover's threshold: the scan has
    // more batches than any instruction chain here, so no; use the swap above. The prover's
    // own mixed proof: chains of at most 2 batches shown.
    let mixed = prove_opts(2, 16);
    let kinds: Vec<bool> = all(&mixed)
        .map(|c| matches!(c.body, ChainBody::Direct(_)))
        .collect();
    assert!(kinds.contains(&true) && kinds.contains(&false), "{kinds:?}");
    assert_eq!(&check(&mixed).expect("mixed"), st);
}

// ---------------------------------------------------------------------------------------
// 2. The W1/W2 boundary.

/// A value moved across the boundary between the committed `W1` and the free `W2` (so that
/// a `W1` value could be chosen after the challenges), and `W1` grown by a zero, which
/// leaves its commitment and so the challenges unchanged, are all rejected.
#[test]
fn moving_values_across_the_w1_w2_boundary_is_rejected() {
    let (s, _) = shown();
    let zero = Fr::from(0u64);
    let mut identical_z = 0;
    for n in 0..s.chains().len() + 1 {
        let id = all(s).nth(n).expect("chain").chain;
        // W1's last value moved to the front of W2 (W1 one shorter, the commitment changes).
        let mut p = s.clone();
        {
            let st = &mut steps_of(nth(&mut p, n))[0];
            let v = st.w.w1.pop().expect("w1");
            st.w.w2.insert(0, v);
        }
        let e = check_no_panic(&p, "w1 -> w2").expect_err("w1 value moved into w2 accepted");
        assert!(is_ivc(&e), "chain {id}: {e}");
        // W2's first value moved to the end of W1.
        let mut p = s.clone();
        {
            let st = &mut steps_of(nth(&mut p, n))[0];
            let v = st.w.w2.remove(0);
            st.w.w1.push(v);
        }
        let e = check_no_panic(&p, "w2 -> w1").expect_err("w2 value moved into w1 accepted");
        assert!(is_ivc(&e), "chain {id}: {e}");
        // W1 grown by a zero: the same commitment, the same challenges; W2 shortened so
        // that the whole witness keeps its length (the same z vector when W2[0] = 0).
        for step in 0..steps_of(nth(&mut s.clone(), n)).len() {
            let mut p = s.clone();
            {
                let st = &mut steps_of(nth(&mut p, n))[step];
                if st.w.w2[0] == zero {
                    identical_z += 1;
                    st.w.w2.remove(0);
                } else {
                    st.w.w2.pop();
                }
                st.w.w1.push(zero);
            }
            let e = check_no_panic(&p, "w1 ‖ 0").expect_err("W1 ‖ 0 accepted");
            // The challenges are unchanged, so exactly this chain fails.
            match e {
                Error::Rejected(Rejection::Ivc { chain }) if chain == id => {}
                other => panic!("chain {id}, W1 ‖ 0: {other}"),
            }
        }
        // W1 one shorter, W2 unchanged.
        let mut p = s.clone();
        steps_of(nth(&mut p, n))[0].w.w1.pop();
        let e = check_no_panic(&p, "short w1").expect_err("short W1 accepted");
        assert!(is_ivc(&e), "chain {id}: {e}");
    }
    eprintln!("W1 ‖ 0 with the very same z vector: {identical_z} steps");
}

// ---------------------------------------------------------------------------------------
// 3. Crafted bytes of a shown body.

/// Where each chain's body lies in `Proof::to_bytes`: `(tag position, payload start,
/// payload length)`, instruction chains then the scan.
fn body_spans(b: &[u8]) -> Vec<(usize, usize, usize)> {
    let u64_at = |p: usize| u64::from_le_bytes(b[p..p + 8].try_into().expect("8")) as usize;
    let mut p = 8 + 32 + 4 + 8; // header, params digest, exit code, steps
    p += 8 + 8 * u64_at(p); // output words
    let chains = u64_at(p);
    p += 8;
    let mut out = Vec::new();
    for _ in 0..chains + 1 {
        p += 4; // chain id
        p += 8 + 32 * u64_at(p); // z
        let tag = p;
        let len = u64_at(p + 1);
        out.push((tag, p + 9, len));
        p += 9 + len;
    }
    out
}

/// Replaces the body at `span` by `tag ‖ len ‖ payload`.
fn with_body(b: &[u8], span: (usize, usize, usize), tag: u8, payload: &[u8]) -> Vec<u8> {
    let (t, start, len) = span;
    let mut out = b[..t].to_vec();
    out.push(tag);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&b[start + len..]);
    out
}

/// Positions of the scalars of a `DirectProof` payload: `(tag position, magnitude length)`.
fn scalar_spans(d: &[u8]) -> Vec<(usize, usize)> {
    let mut p = 0;
    let varint = |p: &mut usize| {
        let mut v = 0u64;
        let mut s = 0;
        loop {
            let x = d[*p];
            *p += 1;
            v |= u64::from(x & 0x7f) << s;
            s += 7;
            if x & 0x80 == 0 {
                return v as usize;
            }
        }
    };
    let steps = varint(&mut p);
    let mut out = Vec::new();
    for _ in 0..steps {
        for _ in 0..3 {
            let n = varint(&mut p);
            for _ in 0..n {
                let m = usize::from(d[p] & 0x7f);
                out.push((p, m));
                p += 1 + m;
            }
        }
    }
    assert_eq!(p, d.len());
    out
}

/// BN254's scalar modulus, little-endian.
fn modulus_le() -> [u8; 32] {
    let hex = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
    let mut be = [0u8; 32];
    for i in 0..32 {
        be[i] = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
    }
    be.reverse();
    be
}

/// Crafted direct bodies: a wrong tag, the direct bytes under the folded tag, wrong
/// lengths, non-canonical field elements (overlong, negative zero, above the modulus, the
/// longer sign), a huge step count, truncations. Each is a `Malformed` error when read
/// (never a panic); a body that still reads is rejected by the verifier.
#[test]
fn crafted_direct_bytes_are_errors_not_panics() {
    let (s, _) = shown();
    let bytes = s.to_bytes().expect("bytes");
    let spans = body_spans(&bytes);
    assert_eq!(spans.len(), s.chains().len() + 1);
    for &(t, _, _) in &spans {
        assert_eq!(bytes[t], 1, "direct tag");
    }
    // The smallest body, to keep the byte sweep short.
    let span = *spans.iter().min_by_key(|s| s.2).expect("span");
    let payload = bytes[span.1..span.1 + span.2].to_vec();
    let read = |b: &[u8]| {
        catch_unwind(AssertUnwindSafe(|| Proof::from_bytes(b)))
            .unwrap_or_else(|_| panic!("Proof::from_bytes panicked"))
    };
    assert_eq!(
        read(&with_body(&bytes, span, 1, &payload)).expect("same"),
        *s
    );
    let malformed = |b: &[u8], what: &str| match read(b) {
        Err(Error::Malformed { .. }) => {}
        Err(e) => panic!("{what}: {e}"),
        Ok(p) => {
            let e = check_no_panic(&p, what).expect_err(what);
            panic!("{what}: read (then rejected: {e})");
        }
    };
    malformed(&with_body(&bytes, span, 2, &payload), "tag 2");
    malformed(
        &with_body(&bytes, span, 0, &payload),
        "direct bytes as folded",
    );
    malformed(&with_body(&bytes, span, 0xff, &payload), "tag 255");
    // The length field one off either way, and huge.
    for delta in [1i64, -1] {
        let mut b = bytes.clone();
        let len = (span.2 as i64 + delta) as u64;
        b[span.0 + 1..span.0 + 9].copy_from_slice(&len.to_le_bytes());
        malformed(&b, "length off by one");
    }
    let mut b = bytes.clone();
    b[span.0 + 1..span.0 + 9].copy_from_slice(&u64::MAX.to_le_bytes());
    malformed(&b, "length u64::MAX");
    // A huge step count (varint), and an overlong varint of the true one.
    let mut d = vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    d.extend_from_slice(&payload[1..]);
    malformed(&with_body(&bytes, span, 1, &d), "step count 2^64 - 1");
    let mut d = vec![payload[0] | 0x80, 0x00];
    d.extend_from_slice(&payload[1..]);
    malformed(&with_body(&bytes, span, 1, &d), "overlong step count");
    // Truncated payloads (lengths consistent).
    for cut in [1, 2, payload.len() / 2, payload.len() - 1] {
        malformed(&with_body(&bytes, span, 1, &payload[..cut]), "truncated");
    }
    // Trailing byte inside the payload.
    let mut d = payload.clone();
    d.push(0);
    malformed(&with_body(&bytes, span, 1, &d), "trailing byte");
    // Non-canonical scalars, at the first scalar of each kind found.
    let scalars = scalar_spans(&payload);
    let m = modulus_le();
    let replace = |at: (usize, usize), new: &[u8]| {
        let mut d = payload[..at.0].to_vec();
        d.extend_from_slice(new);
        d.extend_from_slice(&payload[at.0 + 1 + at.1..]);
        d
    };
    let zero_at = *scalars.iter().find(|s| s.1 == 0).expect("a zero");
    let small_at = *scalars
        .iter()
        .find(|s| s.1 >= 1 && s.1 < 31 && payload[s.0] & 0x80 == 0)
        .expect("a small positive value");
    // zero as 0x01 0x00 (overlong), and as negated zero.
    malformed(
        &with_body(&bytes, span, 1, &replace(zero_at, &[0x01, 0x00])),
        "overlong zero",
    );
    malformed(
        &with_body(&bytes, span, 1, &replace(zero_at, &[0x80])),
        "negative zero",
    );
    // The modulus itself, and 2^256 − 1.
    let mut v = vec![32u8];
    v.extend_from_slice(&m);
    malformed(&with_body(&bytes, span, 1, &replace(zero_at, &v)), "p");
    let mut v = vec![32u8];
    v.extend([0xff; 32]);
    malformed(
        &with_body(&bytes, span, 1, &replace(zero_at, &v)),
        "2^256 - 1",
    );
    // A tag beyond 32 bytes.
    let mut v = vec![33u8];
    v.extend([0x01; 33]);
    malformed(
        &with_body(&bytes, span, 1, &replace(zero_at, &v)),
        "33-byte magnitude",
    );
    // A small value with a zero byte appended (overlong).
    let (p0, n0) = small_at;
    let mut v = vec![(n0 + 1) as u8];
    v.extend_from_slice(&payload[p0 + 1..p0 + 1 + n0]);
    v.push(0);
    malformed(
        &with_body(&bytes, span, 1, &replace(small_at, &v)),
        "overlong small value",
    );
    // 1 in the longer sign: −(p − 1).
    let one_at = scalars
        .iter()
        .find(|s| s.1 == 1 && payload[s.0] == 1 && payload[s.0 + 1] == 1)
        .copied();
    if let Some(one_at) = one_at {
        let mut pm1 = m;
        pm1[0] -= 1;
        let mut v = vec![0x80 | 32u8];
        v.extend_from_slice(&pm1);
        malformed(
            &with_body(&bytes, span, 1, &replace(one_at, &v)),
            "1 as -(p-1)",
        );
    }
    // Every byte of the payload's first 64 and a spread of the rest, each xor 0x01 or set
    // to 0xff: read errors or rejections, never a panic, never accepted.
    let mut positions: Vec<usize> = (0..payload.len().min(64)).collect();
    positions.extend((64..payload.len()).step_by((payload.len() / 24).max(1)));
    let (mut read_err, mut rejected) = (0, 0);
    let start = Instant::now();
    for &i in &positions {
        let fs: [fn(u8) -> u8; 2] = [|x| x ^ 0x01, |_| 0xff];
        for f in fs {
            let mut d = payload.clone();
            d[i] = f(d[i]);
            if d == payload {
                continue;
            }
            match read(&with_body(&bytes, span, 1, &d)) {
                Err(_) => read_err += 1,
                Ok(p) => {
                    assert_ne!(&p, s);
                    let e = check_no_panic(&p, "mutated byte").expect_err("mutated byte accepted");
                    assert!(matches!(e, Error::Rejected(_)), "byte {i}: {e}");
                    rejected += 1;
                }
            }
        }
    }
    eprintln!(
        "byte sweep over a {}-byte body: {read_err} unreadable, {rejected} rejected, {:.1?}",
        payload.len(),
        start.elapsed()
    );
}

// ---------------------------------------------------------------------------------------
// 4. The verifier's shape against the step as the IVC synthesizes it.

/// Synthesizes the step alone (public `constants ‖ z_in ‖ z_out`, `W1` first) in setup
/// mode, without any value: `(constraints, witness variables)`.
fn setup_mode_counts<C: StepCircuit>(c: &C) -> (usize, usize) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let input = || FpVar::new_input(cs.clone(), || Ok(Fr::from(0u64))).expect("input");
    let consts: Vec<_> = (0..c.num_constants()).map(|_| input()).collect();
    let z: Vec<_> = (0..c.arity()).map(|_| input()).collect();
    let out: Vec<_> = (0..c.arity()).map(|_| input()).collect();
    let ext = c.dummy_external_witness();
    let w1 = c.generate_w1(cs.clone(), &ext).expect("w1");
    let next = c
        .generate_step_constraints(cs.clone(), &consts, &z, &w1, &ext)
        .expect("step");
    for (a, b) in next.iter().zip(&out) {
        a.enforce_equal(b).expect("eq");
    }
    cs.finalize();
    (cs.num_constraints(), cs.num_witness_variables())
}

/// The verifier's `DirectShape` (synthesized on dummy values) has exactly the constraints of
/// the step synthesized without values, for every instruction circuit and the scan; its
/// `W1` length (the external witness's) is the IVC shape's `num_w1` (what pass 1 commits).
#[test]
fn the_direct_shape_is_the_step_the_ivc_embeds() {
    let p = params();
    for i in 0..p.circuit_names().count() {
        let circuit = p.circuit(i).expect("circuit").clone();
        let k = p.k(i).expect("k");
        let batch = Batch::new(circuit.clone(), i, k);
        let t = Instant::now();
        let shape = DirectShape::synthesize(&batch).expect("direct shape");
        let took = t.elapsed();
        let (cons, _) = setup_mode_counts(&batch);
        assert_eq!(shape.num_constraints(), cons, "{}", circuit.name());
        let ivc_w1 = p.instruction_params(i).expect("ivc").shape().num_w1;
        assert_eq!(ivc_w1, batch.k() * batch.slot_len(), "{}", circuit.name());
        eprintln!(
            "{}: {cons} constraints, W1 {ivc_w1}, {took:.1?}",
            circuit.name()
        );
    }
    let (scan_k, scan_ivc) = p.scan_params();
    let scan = ScanChain::new(scan_k);
    let shape = DirectShape::synthesize(&scan).expect("scan shape");
    assert_eq!(shape.num_constraints(), setup_mode_counts(&scan).0, "scan");
    assert_eq!(
        scan_ivc.shape().num_w1,
        scan.dummy_external_witness().values.len()
    );
}

// ---------------------------------------------------------------------------------------
// 5. Lazily read node sections.

/// Offsets of each instruction chain's node section in `Params::to_bytes`: `(start, len)`.
fn node_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let u64_at = |p: usize| u64::from_le_bytes(b[p..p + 8].try_into().expect("8")) as usize;
    let mut p = 8 + 1 + 32;
    p += 8 + u64_at(p); // shared
    let n = u64_at(p);
    p += 8;
    let mut out = Vec::new();
    for _ in 0..n {
        p += 8 + u64_at(p); // name
        p += 8; // k
        p += 8 + u64_at(p); // chain section
        let len = u64_at(p);
        out.push((p + 8, len));
        p += 8 + len;
    }
    out
}

/// A parameter file whose node section of a chain is damaged but states the honest digest
/// loads with the honest parameters' digest (the section is read on first use); a proof
/// with that chain folded is then refused (an error, not a panic, never accepted), while
/// proofs that need no tree for it still verify. Garbage shapes, a swapped section and a
/// changed stated digest are refused too.
#[test]
fn damaged_node_sections_never_verify_a_folded_chain() {
    let p = params();
    let (f, st) = folded();
    let (s, _) = shown();
    let bytes = p.to_bytes().expect("params bytes");
    let spans = node_spans(&bytes);
    assert_eq!(spans.len(), p.circuit_names().count());
    let back = Params::from_bytes(&bytes).expect("reads");
    assert_eq!(back.digest(), p.digest());
    // A chain the proof folds.
    let used: Vec<u32> = f.chains().iter().map(|c| c.chain).collect();
    let i = used[0] as usize;
    let (start, len) = spans[i];
    let load = |b: &[u8]| {
        catch_unwind(AssertUnwindSafe(|| Params::from_bytes(b)))
            .unwrap_or_else(|_| panic!("Params::from_bytes panicked"))
    };
    let verify_with = |q: &Params, proof: &Proof, what: &str| {
        catch_unwind(AssertUnwindSafe(|| {
            verify(q, program(), &input().public, proof)
        }))
        .unwrap_or_else(|_| panic!("{what}: verifier panicked"))
    };
    // Shape bytes damaged at several places, the stated digest kept.
    let mut loaded = 0;
    for at in [
        start + 2,
        start + len / 3,
        start + len / 2,
        start + len - 33,
    ] {
        let fs: [fn(u8) -> u8; 3] = [|x| x ^ 0x01, |x| x ^ 0x80, |_| 0];
        for f_ in fs {
            let mut b = bytes.clone();
            b[at] = f_(b[at]);
            if b == bytes {
                continue;
            }
            let Ok(q) = load(&b) else { continue };
            loaded += 1;
            assert_eq!(q.digest(), p.digest(), "the stated digest is what enters");
            assert!(
                matches!(q.tree_params(i), Some(Err(_))),
                "a damaged node section read as fine"
            );
            let e = verify_with(&q, f, "damaged node").expect_err("accepted with a damaged node");
            assert!(
                is_damaged_parameters(&e),
                "damaged node section at +{}: {e}",
                at - start
            );
            // A proof that folds nothing needs no node section.
            assert_eq!(&verify_with(&q, s, "shown").expect("shown verifies"), st);
        }
    }
    assert!(loaded > 0, "no damaged section loaded lazily");
    // Garbage shapes with the honest digest.
    let digest = bytes[start + len - 32..start + len].to_vec();
    for garbage in [vec![], vec![0xffu8; 40], vec![0x00u8; 40], vec![0x80u8; 12]] {
        let mut sec = Vec::new();
        // varint length of the shape bytes
        let mut l = garbage.len() as u64;
        loop {
            let byte = (l & 0x7f) as u8;
            l >>= 7;
            if l == 0 {
                sec.push(byte);
                break;
            }
            sec.push(byte | 0x80);
        }
        sec.extend_from_slice(&garbage);
        sec.extend_from_slice(&digest);
        let mut b = bytes[..start - 8].to_vec();
        b.extend_from_slice(&(sec.len() as u64).to_le_bytes());
        b.extend_from_slice(&sec);
        b.extend_from_slice(&bytes[start + len..]);
        let Ok(q) = load(&b) else { continue };
        assert_eq!(q.digest(), p.digest());
        let e = verify_with(&q, f, "garbage node").expect_err("accepted with a garbage node");
        assert!(is_damaged_parameters(&e), "{e}");
    }
    // Two chains' node sections swapped: other parameters.
    let j = (0..spans.len()).find(|&j| j != i).expect("two chains");
    let (a, bsp) = if i < j {
        (spans[i], spans[j])
    } else {
        (spans[j], spans[i])
    };
    let mut b = bytes[..a.0 - 8].to_vec();
    b.extend_from_slice(&(bsp.1 as u64).to_le_bytes());
    b.extend_from_slice(&bytes[bsp.0..bsp.0 + bsp.1]);
    b.extend_from_slice(&bytes[a.0 + a.1..bsp.0 - 8]);
    b.extend_from_slice(&(a.1 as u64).to_le_bytes());
    b.extend_from_slice(&bytes[a.0..a.0 + a.1]);
    b.extend_from_slice(&bytes[bsp.0 + bsp.1..]);
    assert_eq!(b.len(), bytes.len());
    if let Ok(q) = load(&b) {
        assert_ne!(q.digest(), p.digest());
        let e = verify_with(&q, f, "swapped").expect_err("accepted");
        assert!(matches!(e, Error::ParamsMismatch), "{e}");
    }
    // The stated digest changed (and non-canonical: all 0xff).
    for d in [[0xffu8; 32], {
        let mut d = [0u8; 32];
        d.copy_from_slice(&digest);
        d[0] ^= 1;
        d
    }] {
        let mut b = bytes.clone();
        b[start + len - 32..start + len].copy_from_slice(&d);
        if let Ok(q) = load(&b) {
            assert_ne!(q.digest(), p.digest());
            let e = verify_with(&q, f, "digest").expect_err("accepted");
            assert!(matches!(e, Error::ParamsMismatch), "{e}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 6. No W2 value alone moves a state.

/// Synthesizes one shown step with its real witness and challenges and returns, for every
/// `W2` variable that can change alone while every constraint except the output equalities
/// still holds (`free`), whether it also enters an output equality (`moves`): a `W2` value,
/// chosen after the challenges, that shifts `z_out` would let a prover claim any sums.
fn free_w2<C: StepCircuit>(
    c: &C,
    ext: &C::ExternalWitness,
    consts: &[Fr],
    z_in: &[Fr],
    step: &crease_folding::direct::DirectStep,
) -> (usize, Vec<usize>) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let input = |v: Fr| FpVar::new_input(cs.clone(), || Ok(v)).expect("input");
    let cv: Vec<_> = consts.iter().map(|v| input(*v)).collect();
    let zv: Vec<_> = z_in.iter().map(|v| input(*v)).collect();
    let ov: Vec<_> = step.z.iter().map(|v| input(*v)).collect();
    let w1 = c.generate_w1(cs.clone(), ext).expect("w1");
    let next = c
        .generate_step_constraints(cs.clone(), &cv, &zv, &w1, ext)
        .expect("step");
    for (a, b) in next.iter().zip(&ov) {
        a.enforce_equal(b).expect("eq");
    }
    assert!(
        cs.is_satisfied().expect("sat"),
        "the shown step re-synthesized"
    );
    cs.finalize();
    let inner = cs.borrow().expect("cs").clone();
    let inst = inner.assignments.instance_assignment.clone();
    let wit = inner.assignments.witness_assignment.clone();
    assert_eq!(inst[0], Fr::from(1u64));
    let mut expect_w = step.w.w1.clone();
    expect_w.extend_from_slice(&step.w.w2);
    assert_eq!(wit, expect_w, "the proof's witness is the synthesized one");
    let num_inst = inst.len();
    let mut z = inst.clone();
    z.extend_from_slice(&wit);
    let m = cs.to_matrices().expect("matrices");
    assert_eq!(m.len(), 1);
    let abc = m.values().next().expect("r1cs");
    let (a, b, cm) = (&abc[0], &abc[1], &abc[2]);
    let eval = |row: &Vec<(Fr, usize)>| -> Fr { row.iter().map(|(k, j)| *k * z[*j]).sum() };
    let nc = consts.len();
    let arity = z_in.len();
    let out_cols = 1 + nc + arity..1 + nc + 2 * arity;
    let w2_start = num_inst + step.w.w1.len();
    // Per column: (row, a, b, c) coefficients.
    let mut cols: std::collections::HashMap<usize, Vec<(usize, Fr, Fr, Fr)>> =
        std::collections::HashMap::new();
    let zero = Fr::from(0u64);
    let mut is_out = vec![false; a.len()];
    for r in 0..a.len() {
        let mut here: std::collections::HashMap<usize, (Fr, Fr, Fr)> =
            std::collections::HashMap::new();
        for (k, j) in &a[r] {
            here.entry(*j).or_insert((zero, zero, zero)).0 += k;
        }
        for (k, j) in &b[r] {
            here.entry(*j).or_insert((zero, zero, zero)).1 += k;
        }
        for (k, j) in &cm[r] {
            here.entry(*j).or_insert((zero, zero, zero)).2 += k;
        }
        is_out[r] = here.keys().any(|j| out_cols.contains(j));
        for (j, (x, y, w)) in here {
            if j >= w2_start {
                cols.entry(j).or_default().push((r, x, y, w));
            }
        }
    }
    let az: Vec<Fr> = a.iter().map(eval).collect();
    let bz: Vec<Fr> = b.iter().map(eval).collect();
    let (mut free, mut moves) = (0, Vec::new());
    for j in w2_start..z.len() {
        let entries = cols.get(&j).cloned().unwrap_or_default();
        let local_free = entries
            .iter()
            .filter(|e| !is_out[e.0])
            .all(|&(r, x, y, w)| x * y == zero && x * bz[r] + y * az[r] - w == zero);
        if local_free {
            free += 1;
            if entries.iter().any(|e| is_out[e.0]) {
                moves.push(j - w2_start);
            }
        }
    }
    (free, moves)
}

/// For every shown step of every chain, with its real challenges: no `W2` value can be
/// changed alone and keep the step's constraints while shifting its output state.
#[test]
fn no_single_w2_value_moves_a_state() {
    use crease::circuits::batch::BatchWitness;
    use crease::circuits::scan::ScanWitness;
    use crease::circuits::tamper::Overrides;
    let (f, _) = folded();
    let (s, _) = shown();
    let consts = f.scan().body.folded().expect("folded").constants().to_vec();
    let p = params();
    let over = |w1: &[Fr]| {
        let mut o = Overrides::default();
        for (i, v) in w1.iter().enumerate() {
            o.set(i, *v);
        }
        o
    };
    let (mut free_total, mut checked) = (0, 0);
    for c in all(s) {
        let d = match &c.body {
            ChainBody::Direct(d) => d,
            ChainBody::Folded(_) => panic!("shown"),
        };
        let steps = d.clone().steps_mut().clone();
        let mut z_in = vec![Fr::from(0u64); c.z.len()];
        for st in &steps {
            let (free, moves) = if c.chain == Proof::SCAN {
                let chain = ScanChain::new(p.scan_params().0);
                let ext = ScanWitness {
                    values: vec![0; st.w.w1.len()],
                    overrides: over(&st.w.w1),
                };
                free_w2(&chain, &ext, &consts, &z_in, st)
            } else {
                let i = c.chain as usize;
                let batch = Batch::new(p.circuit(i).expect("c").clone(), i, p.k(i).expect("k"));
                let ext = BatchWitness {
                    values: vec![0; st.w.w1.len()],
                    overrides: over(&st.w.w1),
                };
                free_w2(&batch, &ext, &consts, &z_in, st)
            };
            assert!(
                moves.is_empty(),
                "chain {}: W2 {moves:?} free and move the state",
                c.chain
            );
            free_total += free;
            checked += 1;
            z_in.clone_from(&st.z);
        }
    }
    eprintln!("{checked} steps checked; {free_total} W2 values free but inert");
}
