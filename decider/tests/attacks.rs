//! Attacks on the batched argument, its sum-checks and its openings, by a prover that
//! controls every value of the proof and every witness.
//!
//! Most tests go through [`cheat`], a re-implementation of the prover that takes witnesses
//! of any length, can put junk in the padding rows of the error terms' tables, and can close
//! the first two stages' final checks after seeing their challenges (changing the claimed
//! `a, b, c` and `W1` values). It is checked against the honest prover first.

use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field};
use crease_decider::opening::{self, OpeningKey, OpeningProof};
use crease_decider::spartan::{self, SpartanProof};
use crease_decider::sumcheck::{self, eq, eq_table, SumcheckProof, Terms};
use crease_decider::Error;
use crease_folding::commitment::{CommitmentKey, PowersOfTauKey};
use crease_folding::mova;
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::{R1csShape, RunningInstance, Witness};
use crease_folding::testing::ProductCircuit;
use crease_folding::{mle, Fq, Fr, G1};

mod common;
use common::{batch, prove, steps, Batch};

// ---------------------------------------------------------------------------------------
// Set-up (`tests/common`).

/// Only the small shape's accumulator.
fn small_only(b: &Batch) -> Batch {
    Batch {
        key: b.key.clone(),
        shapes: vec![b.shapes[1].clone()],
        of: vec![0],
        instances: vec![b.instances[2].clone()],
        witnesses: vec![b.witnesses[2].clone()],
    }
}

fn check(
    b: &Batch,
    instances: &[RunningInstance],
    of: &[usize],
    p: &SpartanProof,
) -> Result<(), Error> {
    let shapes: Vec<&R1csShape> = b.shapes.iter().collect();
    let insts: Vec<&RunningInstance> = instances.iter().collect();
    let vk = OpeningKey::of(&b.key).expect("key");
    spartan::verify(&vk, &shapes, of, &insts, p, &mut Transcript::new(b"t"))
}

fn verify(b: &Batch, p: &SpartanProof) -> bool {
    check(b, &b.instances, &b.of, p).is_ok()
}

/// Whether the error is the opening's: every earlier check passed.
fn opening_rejects(r: Result<(), Error>) -> bool {
    matches!(r, Err(Error::Rejected(m)) if m.starts_with("an opening"))
}

// ---------------------------------------------------------------------------------------
// The cheating prover.

fn dims(shapes: &[R1csShape]) -> (usize, usize) {
    spartan::batch_dims(&shapes.iter().collect::<Vec<_>>())
}

use spartan::{bound_rows, column};

fn powers(x: Fr, n: usize) -> Vec<Fr> {
    let mut out = Vec::with_capacity(n);
    let mut acc = Fr::ONE;
    for _ in 0..n {
        out.push(acc);
        acc *= x;
    }
    out
}

fn padded(r: &[Fr], n: usize) -> Vec<Fr> {
    let mut p = r.to_vec();
    p.resize(n, Fr::ZERO);
    p
}

/// The verifier's final claim of a sum-check from `claim`.
fn replay(claim: Fr, proof: &SumcheckProof, point: &[Fr]) -> Fr {
    let mut c = claim;
    for (sent, r) in proof.rounds.iter().zip(point) {
        let mut evals = vec![sent[0], c - sent[0]];
        evals.extend_from_slice(&sent[1..]);
        c = sumcheck::interpolate(&evals, *r);
    }
    c
}

/// What the cheating prover does beyond proving honestly.
#[derive(Clone, Copy, Default)]
struct Cheat {
    /// Close both sum-checks' final checks by changing instance `i`'s claimed values.
    fix: Option<usize>,
    /// Add `v` to row `row` of instance `i`'s `Cz` table in the error terms' sum-check.
    junk_c: Option<(usize, usize, Fr)>,
}

/// The prover, for witnesses of any length: `z` reads each part's first `num_w1`/`num_w2`
/// entries; the claimed `W` values are the MLEs of the parts' first `2^ν` entries; the
/// opening is of the whole combination (Gemini over any degree when it is longer).
fn cheat(b: &Batch, how: Cheat) -> SpartanProof {
    let (shapes, of, insts, ws) = (&b.shapes, &b.of, &b.instances, &b.witnesses);
    let n = insts.len();
    let (ny, nu) = dims(shapes);
    let mut t = Transcript::new(b"t");
    for (s, inst) in of.iter().zip(insts) {
        t.absorb(&Fr::from(*s as u64));
        mova::absorb_running(&mut t, inst);
    }
    let lambda = t.challenge();
    let lp = powers(lambda, n);
    let mut tables = Vec::new();
    let mut terms = Vec::new();
    let mut zs = Vec::new();
    for i in 0..n {
        let (s, inst, w) = (&shapes[of[i]], &insts[i], &ws[i]);
        let z = s
            .z(inst.u, &inst.x, &w.w1[..s.num_w1], &w.w2[..s.num_w2])
            .expect("z");
        let (mut az, mut bz, mut cz) = s.products(&z);
        for v in [&mut az, &mut bz, &mut cz] {
            v.resize(1 << ny, Fr::ZERO);
        }
        if let Some((j, row, v)) = how.junk_c {
            if j == i {
                cz[row] += v;
            }
        }
        let base = tables.len();
        tables.push(eq_table(&padded(&inst.r_e, ny)));
        tables.extend([az, bz, cz]);
        terms.push((lp[i], vec![base, base + 1, base + 2]));
        terms.push((-lp[i] * inst.u, vec![base, base + 3]));
        zs.push(z);
    }
    let claim: Fr = insts.iter().zip(&lp).map(|(u, l)| u.v_e * l).sum();
    let (outer, r_y, finals) = sumcheck::prove(&Terms { terms }, tables, &mut t);
    let mut abc: Vec<[Fr; 3]> = (0..n)
        .map(|i| [finals[4 * i + 1], finals[4 * i + 2], finals[4 * i + 3]])
        .collect();
    let eqs: Vec<Fr> = insts
        .iter()
        .map(|u| eq(&padded(&u.r_e, ny), &r_y))
        .collect();
    if let Some(f) = how.fix {
        let last = replay(claim, &outer, &r_y);
        let expected: Fr = (0..n)
            .map(|i| {
                let [a, b, c] = abc[i];
                lp[i] * eqs[i] * (a * b - insts[i].u * c)
            })
            .sum();
        let gap = (last - expected) / (lp[f] * eqs[f]);
        let u = insts[f].u;
        if u != Fr::ZERO {
            abc[f][2] -= gap / u;
        } else if abc[f][1] != Fr::ZERO {
            let b = abc[f][1];
            abc[f][0] += gap / b;
        } else {
            let ab = abc[f][0] * abc[f][1];
            abc[f] = [ab + gap, Fr::ONE, abc[f][2]];
        }
    }
    for v in &abc {
        t.absorb_slice(v);
    }

    let gamma = t.challenge();
    let mu = t.challenge();
    let theta = t.challenge();
    let r_t = t.challenges(nu + 2);
    let eq_t = eq_table(&r_t);
    let mp = powers(mu, n);
    let eq_y = eq_table(&r_y);
    let width = 4usize << nu;
    let mut tables = Vec::new();
    let mut terms = Vec::new();
    for (si, s) in shapes.iter().enumerate() {
        let members: Vec<usize> = (0..n).filter(|&i| of[i] == si).collect();
        if members.is_empty() {
            continue;
        }
        let bound = bound_rows(s, &eq_y[..s.num_constraints.min(eq_y.len())], gamma);
        let mut m = vec![Fr::ZERO; width];
        let mut zc = vec![Fr::ZERO; width];
        for (col, v) in bound.iter().enumerate() {
            m[column(s, nu, col)] = *v;
        }
        spartan::add_tail(&mut m, s, nu, theta, &eq_t);
        for &i in &members {
            for (col, v) in zs[i].iter().enumerate() {
                zc[column(s, nu, col)] += mp[i] * v;
            }
            // Entries past the shape's parts, inside the blocks (no column of `z`).
            let block = 1usize << nu;
            let (w1, w2) = (&ws[i].w1, &ws[i].w2);
            for k in s.num_w1..w1.len().min(block) {
                zc[k] += mp[i] * w1[k];
            }
            for k in s.num_w2..w2.len().min(block) {
                zc[block + k] += mp[i] * w2[k];
            }
        }
        terms.push((Fr::ONE, vec![tables.len(), tables.len() + 1]));
        tables.extend([m, zc]);
    }
    let claim: Fr = (0..n)
        .map(|i| {
            let [a, b, c] = abc[i];
            mp[i] * (a + gamma * (b + gamma * c))
        })
        .sum();
    let (inner, r_x, _) = sumcheck::prove(&Terms { terms }, tables, &mut t);
    let r_lo = &r_x[..nu];
    let block = 1usize << nu;
    let low = |v: &[Fr]| mle::evaluate(&v[..v.len().min(block)], r_lo);
    let mut w: Vec<[Fr; 2]> = ws.iter().map(|w| [low(&w.w1), low(&w.w2)]).collect();
    if let Some(f) = how.fix {
        let last = replay(claim, &inner, &r_x);
        let (expected, ms) = inner_expected(b, &w, &r_y, &r_x, gamma, mu, (theta, &r_t));
        let (b0, b1) = (r_x[nu], r_x[nu + 1]);
        let blk0 = (Fr::ONE - b0) * (Fr::ONE - b1);
        w[f][0] += (last - expected) / (ms[of[f]] * mp[f] * blk0);
    }
    for v in &w {
        t.absorb_slice(v);
    }

    let rho = t.challenge();
    let rp = powers(rho, 2 * n);
    let len = ws
        .iter()
        .map(|w| w.w1.len().max(w.w2.len()))
        .max()
        .unwrap_or(0)
        .max(block);
    let mut combined = vec![Fr::ZERO; len];
    for (i, wi) in ws.iter().enumerate() {
        for (part, coeff) in [(&wi.w1, rp[2 * i]), (&wi.w2, rp[2 * i + 1])] {
            for (c, v) in combined.iter_mut().zip(part) {
                *c += coeff * v;
            }
        }
    }
    let opening = if len == block {
        opening::prove(&b.key, &combined, r_lo, &mut t).expect("opening")
    } else {
        gemini(&b.key, &combined, r_lo, &mut t, false)
    };
    SpartanProof {
        outer,
        abc,
        inner,
        w,
        opening,
    }
}

/// The verifier's final claim of the inner sum-check, and each shape's `M_s(r_y, r_x)`.
fn inner_expected(
    b: &Batch,
    w: &[[Fr; 2]],
    r_y: &[Fr],
    r_x: &[Fr],
    gamma: Fr,
    mu: Fr,
    (theta, r_t): (Fr, &[Fr]),
) -> (Fr, Vec<Fr>) {
    let (_, nu) = dims(&b.shapes);
    let n = b.instances.len();
    let mp = powers(mu, n);
    let (r_lo, b0, b1) = (&r_x[..nu], r_x[nu], r_x[nu + 1]);
    let blocks = [
        (Fr::ONE - b0) * (Fr::ONE - b1),
        b0 * (Fr::ONE - b1),
        (Fr::ONE - b0) * b1,
    ];
    let eq_y = eq_table(r_y);
    let eq_lo = eq_table(r_lo);
    let mut expected = Fr::ZERO;
    let mut ms = Vec::new();
    for (si, s) in b.shapes.iter().enumerate() {
        let bound = bound_rows(s, &eq_y[..s.num_constraints.min(eq_y.len())], gamma);
        let m: Fr = bound
            .iter()
            .enumerate()
            .map(|(col, v)| {
                let at = column(s, nu, col);
                *v * blocks[at >> nu] * eq_lo[at & ((1 << nu) - 1)]
            })
            .sum::<Fr>()
            + theta * spartan::tail_sum(s, nu, r_t, r_x);
        ms.push(m);
        for i in (0..n).filter(|&i| b.of[i] == si) {
            let u = &b.instances[i];
            let mut ux = vec![u.u];
            ux.extend_from_slice(&u.x);
            let [w1, w2] = w[i];
            expected += m
                * mp[i]
                * (blocks[0] * w1 + blocks[1] * w2 + blocks[2] * mle::evaluate(&ux, r_lo));
        }
    }
    (expected, ms)
}

fn horner(p: &[Fr], x: Fr) -> Fr {
    p.iter().rev().fold(Fr::ZERO, |acc, c| acc * x + c)
}

/// The Gemini prover for a polynomial `f` of any degree. With `low_folds`, the committed
/// `f_1 … f_{n−1}` are the folds of `f`'s first `2^n` coefficients only (as if `f` were
/// that short); otherwise the folds of the whole `f` (so `f_n` is not a constant). The
/// values and quotients are always the committed polynomials' own.
fn gemini(
    key: &PowersOfTauKey,
    f: &[Fr],
    point: &[Fr],
    t: &mut Transcript,
    low_folds: bool,
) -> OpeningProof {
    let n = point.len();
    let fold = |first: Vec<Fr>| {
        let mut polys = vec![first];
        for r in point {
            let last = polys.last().expect("a poly");
            let next: Vec<Fr> = last
                .chunks(2)
                .map(|p| p[0] + *r * (p.get(1).copied().unwrap_or(Fr::ZERO) - p[0]))
                .collect();
            polys.push(next);
        }
        polys
    };
    let mut polys = if low_folds {
        fold(f[..1 << n].to_vec())
    } else {
        fold(f.to_vec())
    };
    polys[0] = f.to_vec();
    let folds: Vec<G1> = polys[1..n]
        .iter()
        .map(|p| key.commit(p).expect("commit"))
        .collect();
    for c in &folds {
        t.absorb_g1(c);
    }
    let beta = t.challenge();
    let points = [beta, -beta, beta.square()];
    let evals: Vec<[Fr; 3]> = polys[..n]
        .iter()
        .map(|p| points.map(|a| horner(p, a)))
        .collect();
    for e in &evals {
        t.absorb_slice(e);
    }
    let q = t.challenge();
    let mut bpoly = polys[0].clone();
    let mut qj = Fr::ONE;
    for p in &polys[1..n] {
        qj *= q;
        for (x, y) in bpoly.iter_mut().zip(p) {
            *x += qj * y;
        }
    }
    let quotients = opening::prove_values(key, &bpoly, points, t).expect("quotients");
    OpeningProof {
        folds,
        evals,
        quotients,
    }
}

// ---------------------------------------------------------------------------------------
// The cheating prover is the honest one when it does not cheat.

#[test]
fn the_cheating_prover_is_the_honest_one_when_it_does_not_cheat() {
    let b = batch();
    let p = cheat(&b, Cheat::default());
    assert_eq!(p, prove(&b));
    assert!(verify(&b, &p));
    // Closing the final checks of true claims changes nothing.
    let fixed = cheat(
        &b,
        Cheat {
            fix: Some(1),
            ..Cheat::default()
        },
    );
    assert_eq!(fixed, p);
}

// ---------------------------------------------------------------------------------------
// False claims, with each stage's final check closed after its challenges.

/// A false `v_E` (on a folded accumulator of either shape, or the fresh instance): the
/// prover sends honest round messages (the verifier's `p(1) = claim − p(0)` carries the
/// error to the end), then changes `c` to close the error terms' final check, then `W1`'s
/// value to close the matrices' final check. Only the opening is left, and it rejects.
#[test]
fn a_false_v_e_closed_at_both_sum_checks_is_rejected_by_the_opening() {
    for target in [0usize, 2, 3] {
        let mut b = batch();
        b.instances[target].v_e += Fr::ONE;
        let p = cheat(
            &b,
            Cheat {
                fix: Some(target),
                ..Cheat::default()
            },
        );
        assert!(
            opening_rejects(check(&b, &b.instances, &b.of, &p)),
            "target {target}"
        );
        // Without the fix-ups the error terms' check already fails.
        let p = cheat(&b, Cheat::default());
        assert!(!verify(&b, &p));
        // The fix-up put on another instance of another shape fails as well.
        let other = if target == 2 { 0 } else { 2 };
        let p = cheat(
            &b,
            Cheat {
                fix: Some(other),
                ..Cheat::default()
            },
        );
        assert!(opening_rejects(check(&b, &b.instances, &b.of, &p)));
    }
}

/// An accumulator whose `u` is set to 0 (its `−u·Cz` term vanishes, so its `c` is free in
/// the error terms' check): the false claim is closed through `a`, and `c` stays bound by
/// the matrices' sum-check. The zero instance with `v_E = 1` likewise.
#[test]
fn a_false_claim_on_an_instance_whose_u_is_zero_is_rejected() {
    let mut b = batch();
    b.instances[0].u = Fr::ZERO;
    let shape = &b.shapes[0];
    assert!(shape
        .check_running(&b.key, &b.instances[0], &b.witnesses[0])
        .is_err());
    let p = cheat(
        &b,
        Cheat {
            fix: Some(0),
            ..Cheat::default()
        },
    );
    assert!(opening_rejects(check(&b, &b.instances, &b.of, &p)));

    let mut b = batch();
    b.instances[2] = RunningInstance::zero(&b.shapes[1]);
    b.witnesses[2] = Witness::zero(&b.shapes[1]);
    assert!(verify(&b, &prove(&b)));
    b.instances[2].v_e = Fr::ONE;
    let p = cheat(
        &b,
        Cheat {
            fix: Some(2),
            ..Cheat::default()
        },
    );
    assert!(opening_rejects(check(&b, &b.instances, &b.of, &p)));
}

/// Two false claims that cancel for fixed weights (`+δ` and `−δ`, on two accumulators or on
/// two copies of one): `λ` is drawn after the instances, so they do not cancel.
#[test]
fn false_claims_that_would_cancel_without_the_batching_challenge_are_rejected() {
    let delta = Fr::from(5u64);
    let mut b = batch();
    b.instances[0].v_e += delta;
    b.instances[1].v_e -= delta;
    assert!(!verify(&b, &cheat(&b, Cheat::default())));
    let p = cheat(
        &b,
        Cheat {
            fix: Some(1),
            ..Cheat::default()
        },
    );
    assert!(opening_rejects(check(&b, &b.instances, &b.of, &p)));

    let mut b = batch();
    b.instances.push(b.instances[2].clone());
    b.witnesses.push(b.witnesses[2].clone());
    b.of.push(1);
    assert!(verify(&b, &prove(&b)), "duplicates are fine");
    b.instances[2].v_e += delta;
    b.instances[4].v_e -= delta;
    assert!(!verify(&b, &cheat(&b, Cheat::default())));
    let p = cheat(
        &b,
        Cheat {
            fix: Some(4),
            ..Cheat::default()
        },
    );
    assert!(opening_rejects(check(&b, &b.instances, &b.of, &p)));
}

/// A false `v_E` "explained" by junk in the padding rows of `Cz` (rows the shape does not
/// have, below `2^num_vars` so that `eq(r_E, ·)` weighs them, or beyond it up to `2^n_y`
/// for the small shape): the error terms' sum-check then passes without any fix-up, but
/// the claimed `c` is no longer the matrices' product, and the matrices' sum-check and the
/// opening catch it.
#[test]
fn junk_in_the_padding_rows_of_the_error_tables_is_rejected() {
    let b0 = batch();
    let (ny, _) = dims(&b0.shapes);
    let mut cases = Vec::new();
    for (i, s) in [(0usize, &b0.shapes[0]), (2, &b0.shapes[1])] {
        if s.num_constraints < 1 << s.num_vars() {
            cases.push((i, s.num_constraints));
        }
        if s.num_vars() < ny {
            cases.push((i, (1 << ny) - 1));
        }
    }
    assert!(cases.len() >= 2, "the batch has padding rows");
    for (i, row) in cases {
        let mut b = batch();
        let junk = Fr::from(7u64);
        let inst = &b.instances[i];
        let weight = eq_table(&padded(&inst.r_e, ny))[row];
        let shift = inst.u * junk * weight;
        b.instances[i].v_e -= shift;
        let how = Cheat {
            junk_c: Some((i, row, junk)),
            ..Cheat::default()
        };
        let p = cheat(&b, how);
        assert!(!verify(&b, &p), "instance {i} row {row}");
        let p = cheat(
            &b,
            Cheat {
                fix: Some(i),
                ..how
            },
        );
        assert!(
            opening_rejects(check(&b, &b.instances, &b.of, &p)),
            "instance {i} row {row}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Committed vectors longer than their shape's parts.

/// Entries beyond `2^ν` (the block) of a committed `W1`: the combined polynomial then has
/// degree at least `2^ν`. Whether the folds are the whole polynomial's (then `f_ν` is not
/// a constant) or its first `2^ν` coefficients' (then `f_1` is not `f_0`'s fold), the
/// opening rejects.
#[test]
fn a_committed_w1_longer_than_the_block_is_rejected() {
    let (_, nu) = dims(&batch().shapes);
    for target in [0usize, 2] {
        let mut b = batch();
        // Zero up to the block (the tail check passes), non-zero past it.
        let w1 = &mut b.witnesses[target].w1;
        w1.resize(1 << nu, Fr::ZERO);
        w1.extend([Fr::from(11u64); 3]);
        b.instances[target].cw1 = b.key.commit(&b.witnesses[target].w1).expect("commit");
        let p = cheat(&b, Cheat::default());
        assert!(opening_rejects(check(&b, &b.instances, &b.of, &p)));
    }
}

/// Entries of `W1` (or `W2`) past the shape's `num_w1` (`num_w2`) but inside the block of
/// `2^ν`: no column of the matrices reads them, but the folding scheme's relation has no
/// such entries (`check_running` needs `W1` of exactly `num_w1`), so the verifier's tail
/// term must reject them, whatever the batch (the small shape alone, beside the large one,
/// or with the large one listed but unused).
#[test]
fn entries_past_num_w1_inside_the_block_are_rejected() {
    let full = batch();
    let small = &full.shapes[1];
    let (_, nu_small) = dims(std::slice::from_ref(small));
    let (_, nu_big) = dims(&full.shapes);
    assert!(small.num_w1 < 1 << nu_small && nu_small < nu_big);

    // The small shape alone: W1 grown to its own block.
    let mut b = small_only(&full);
    b.witnesses[0].w1.resize(1 << nu_small, Fr::from(12345u64));
    b.instances[0].cw1 = b.key.commit(&b.witnesses[0].w1).expect("commit");
    assert!(b.shapes[0]
        .check_running(&b.key, &b.instances[0], &b.witnesses[0])
        .is_err());
    assert!(!verify(&b, &cheat(&b, Cheat::default())), "W1 past num_w1");

    // Beside the large shape: W1 and W2 grown to the large shape's block, together and
    // one at a time.
    for (grow1, grow2) in [(true, true), (true, false), (false, true)] {
        let mut b = batch();
        let w = &mut b.witnesses[2];
        if grow1 {
            w.w1.resize(1 << nu_big, Fr::from(777u64));
        }
        if grow2 {
            w.w2.resize(1 << nu_big, Fr::from(778u64));
        }
        b.instances[2].cw1 = b.key.commit(&b.witnesses[2].w1).expect("commit");
        b.instances[2].cw2 = b.key.commit(&b.witnesses[2].w2).expect("commit");
        assert!(
            !verify(&b, &cheat(&b, Cheat::default())),
            "W1 {grow1}, W2 {grow2} past the small shape's parts"
        );
        // With the large shape listed but unused.
        let mut unused = small_only(&b);
        unused.shapes.push(full.shapes[0].clone());
        assert!(!verify(&unused, &cheat(&unused, Cheat::default())));
    }
}

// ---------------------------------------------------------------------------------------
// The opening alone.

fn opening_setup(len: usize, n: usize) -> (PowersOfTauKey, Vec<Fr>, Vec<Fr>) {
    let key = PowersOfTauKey::from_seed(b"attack", 1 << (n + 2));
    let f = (0..len).map(|i| Fr::from(3 + 5 * i as u64)).collect();
    let r = (0..n).map(|i| Fr::from(1000 + 7 * i as u64)).collect();
    (key, f, r)
}

fn open_check(key: &PowersOfTauKey, c: &G1, r: &[Fr], v: Fr, p: &OpeningProof) -> bool {
    let vk = OpeningKey::of(key).expect("key");
    opening::verify(&vk, c, r, v, p, &mut Transcript::new(b"o")).is_ok()
}

/// A polynomial of degree `≥ 2^n` opened as a vector of `2^n` entries, at the value of its
/// first `2^n` entries, of its last ones, or of the whole (read as padded): rejected with
/// either choice of folds.
#[test]
fn an_opening_of_a_polynomial_of_degree_at_least_two_to_the_n_is_rejected() {
    let n = 4;
    for len in [(1 << n) + 1, 2 << n, 3 << n] {
        let (key, f, r) = opening_setup(len, n);
        let c = key.commit(&f).expect("commit");
        let mut big_r = r.clone();
        big_r.extend([Fr::ZERO, Fr::ZERO]);
        let values = [
            mle::evaluate(&f[..1 << n], &r),
            mle::evaluate(&f[1 << n..len.min(2 << n)], &r),
            mle::evaluate(&f, &big_r),
            Fr::ZERO,
        ];
        for low_folds in [false, true] {
            let p = gemini(&key, &f, &r, &mut Transcript::new(b"o"), low_folds);
            for v in values {
                assert!(!open_check(&key, &c, &r, v, &p), "len {len}");
            }
        }
        // The honest prover refuses it.
        assert!(opening::prove(&key, &f, &r, &mut Transcript::new(b"o")).is_err());
    }
    // Sanity: the same prover on a vector that fits is accepted.
    let (key, f, r) = opening_setup(1 << n, n);
    let c = key.commit(&f).expect("commit");
    let p = gemini(&key, &f, &r, &mut Transcript::new(b"o"), false);
    assert!(open_check(&key, &c, &r, mle::evaluate(&f, &r), &p));
}

/// Points off the curve (or of order 2 on a twist `y² = x³ + b'`) in place of folds or
/// quotients, and the identity: rejected, never a panic.
#[test]
fn invalid_points_in_an_opening_are_rejected_without_panic() {
    let n = 3;
    let (key, f, r) = opening_setup(8, n);
    let c = key.commit(&f).expect("commit");
    let v = mle::evaluate(&f, &r);
    let p = opening::prove(&key, &f, &r, &mut Transcript::new(b"o")).expect("prove");
    assert!(open_check(&key, &c, &r, v, &p));
    let bad = [
        G1::new_unchecked(Fq::ONE, Fq::ONE),
        G1::new_unchecked(Fq::from(5u64), Fq::ZERO),
        G1::new_unchecked(Fq::ZERO, Fq::ZERO),
        G1::new_unchecked(Fq::ZERO, Fq::ONE),
        G1::identity(),
    ];
    for pt in bad {
        assert!(!pt.is_on_curve() || pt.is_zero());
        for k in 0..2 {
            let mut q = p.clone();
            q.quotients[k] = pt;
            assert!(!open_check(&key, &c, &r, v, &q));
        }
        for j in 0..p.folds.len() {
            let mut q = p.clone();
            q.folds[j] = pt;
            assert!(!open_check(&key, &c, &r, v, &q));
        }
        let mut q = p.clone();
        q.quotients = [pt; 2];
        q.folds = vec![pt; p.folds.len()];
        assert!(!open_check(&key, &c, &r, v, &q));
    }
}

// ---------------------------------------------------------------------------------------
// Malformed proofs and inputs: an error, never a panic.

#[test]
fn malformed_proofs_are_errors_not_panics() {
    let b = batch();
    let p = prove(&b);
    assert!(verify(&b, &p));
    let mut bad: Vec<SpartanProof> = Vec::new();
    let mut push = |f: &dyn Fn(&mut SpartanProof)| {
        let mut q = p.clone();
        f(&mut q);
        bad.push(q);
    };
    push(&|q| q.outer.rounds.clear());
    push(&|q| q.outer.rounds.push(vec![Fr::ZERO; 3]));
    push(&|q| {
        q.outer.rounds.pop();
    });
    push(&|q| q.outer.rounds[0].clear());
    push(&|q| q.outer.rounds[0].push(Fr::ZERO));
    push(&|q| {
        q.outer.rounds.last_mut().expect("a round").pop();
    });
    push(&|q| q.inner.rounds.clear());
    push(&|q| q.inner.rounds.push(vec![Fr::ZERO; 2]));
    push(&|q| q.inner.rounds[1].push(Fr::ZERO));
    push(&|q| q.inner.rounds[0].clear());
    push(&|q| q.abc.clear());
    push(&|q| q.abc.push([Fr::ZERO; 3]));
    push(&|q| q.w.clear());
    push(&|q| {
        q.w.pop();
    });
    push(&|q| q.w.push([Fr::ZERO; 2]));
    push(&|q| q.opening.folds.clear());
    push(&|q| q.opening.folds.push(G1::identity()));
    push(&|q| q.opening.evals.clear());
    push(&|q| q.opening.evals.push([Fr::ZERO; 3]));
    push(&|q| {
        q.opening.evals.pop();
    });
    push(&|q| q.opening.quotients = [G1::identity(); 2]);
    push(&|q| q.opening.folds.iter_mut().for_each(|c| *c = G1::identity()));
    push(&|q| q.opening.evals.iter_mut().for_each(|e| *e = [Fr::ZERO; 3]));
    push(&|q| {
        *q = SpartanProof {
            outer: SumcheckProof { rounds: vec![] },
            abc: vec![],
            inner: SumcheckProof { rounds: vec![] },
            w: vec![],
            opening: OpeningProof {
                folds: vec![],
                evals: vec![],
                quotients: [G1::identity(); 2],
            },
        }
    });
    for (k, q) in bad.iter().enumerate() {
        assert!(check(&b, &b.instances, &b.of, q).is_err(), "case {k}");
    }
}

#[test]
fn malformed_inputs_are_errors_not_panics() {
    let b = batch();
    let p = prove(&b);
    let err = |insts: &[RunningInstance], of: &[usize]| check(&b, insts, of, &p).is_err();
    assert!(err(&b.instances, &[0, 0, 1]));
    assert!(err(&b.instances, &[0, 0, 1, 0, 0]));
    assert!(err(&b.instances, &[0, 0, 2, 0]));
    assert!(err(&b.instances, &[0, 0, usize::MAX, 0]));
    assert!(err(&[], &[]));
    assert!(err(&b.instances[..3], &b.of[..3]));
    for i in 0..b.instances.len() {
        let mut insts = b.instances.clone();
        insts[i].x.push(Fr::ONE);
        assert!(err(&insts, &b.of));
        let mut insts = b.instances.clone();
        insts[i].x.pop();
        assert!(err(&insts, &b.of));
        let mut insts = b.instances.clone();
        insts[i].r_e.push(Fr::ONE);
        assert!(err(&insts, &b.of));
        let mut insts = b.instances.clone();
        insts[i].r_e.clear();
        assert!(err(&insts, &b.of));
    }
    // No shapes at all.
    let vk = OpeningKey::of(&b.key).expect("key");
    let insts: Vec<&RunningInstance> = b.instances.iter().collect();
    assert!(spartan::verify(&vk, &[], &b.of, &insts, &p, &mut Transcript::new(b"t")).is_err());
    // A shape listed but unused that widens the batch: the proof made without it is
    // refused (lengths), and one made with it verifies.
    let mut wide = batch();
    let (big, _) = steps(&wide.key, &ProductCircuit { size: 90, bits: 8 }, 7, 1);
    wide.shapes.push(big);
    assert!(check(&wide, &wide.instances, &wide.of, &p).is_err());
    assert!(verify(&wide, &prove(&wide)));
}

// ---------------------------------------------------------------------------------------
// Binding.

/// The shape index of every instance is absorbed: the same instance named by another index
/// of an identical shape needs its own proof; so does a batch with an instance repeated,
/// dropped or reordered.
#[test]
fn the_shape_indices_and_the_instance_list_are_bound() {
    let mut b = batch();
    b.shapes.push(b.shapes[0].clone());
    let p = prove(&b);
    assert!(verify(&b, &p));
    assert!(check(&b, &b.instances, &[2, 0, 1, 0], &p).is_err());
    let mut renamed = batch();
    renamed.shapes.push(renamed.shapes[0].clone());
    renamed.of = vec![2, 0, 1, 0];
    assert!(verify(&renamed, &prove(&renamed)));

    let b = batch();
    let p = prove(&b);
    let mut more = b.instances.clone();
    more.push(b.instances[0].clone());
    assert!(check(&b, &more, &[0, 0, 1, 0, 0], &p).is_err());
    let mut fewer = b.instances.clone();
    fewer.pop();
    assert!(check(&b, &fewer, &[0, 0, 1], &p).is_err());
    let mut order = b.instances.clone();
    order.swap(1, 3);
    assert!(check(&b, &order, &b.of, &p).is_err());
}

/// A proof is bound to the transcript it starts from.
#[test]
fn a_proof_is_bound_to_its_transcript() {
    let b = batch();
    let p = prove(&b);
    let shapes: Vec<&R1csShape> = b.shapes.iter().collect();
    let insts: Vec<&RunningInstance> = b.instances.iter().collect();
    let vk = OpeningKey::of(&b.key).expect("key");
    let mut t = Transcript::new(b"t");
    t.absorb(&Fr::ONE);
    assert!(spartan::verify(&vk, &shapes, &b.of, &insts, &p, &mut t).is_err());
    assert!(spartan::verify(&vk, &shapes, &b.of, &insts, &p, &mut Transcript::new(b"u")).is_err());
    // Another key (another τ): the pairing check fails.
    let other = OpeningKey::of(&PowersOfTauKey::from_seed(b"other", 4)).expect("key");
    assert!(spartan::verify(
        &other,
        &shapes,
        &b.of,
        &insts,
        &p,
        &mut Transcript::new(b"t")
    )
    .is_err());
}
