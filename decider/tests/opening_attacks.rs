//! Attacks on the multilinear opening ([`crease_decider::opening`]): Gemini's folds with the
//! three values of the batched polynomial `B` at `β, −β, β²` proved by two quotients
//! (SHPLONK's one-polynomial case).
//!
//! The cheating prover is re-implemented in stages ([`start`], [`absorb_evals`],
//! [`batched`], quotient strategies) so that every value it sends can be changed after the
//! challenges it sees; with no change it is the honest prover (checked first). Every false
//! opening is asserted to be rejected, and by which check. A key with a known τ
//! ([`trapdoor_key`]) shows that the forgeries are well formed: with the trapdoor they pass,
//! so only τ's secrecy (and the order of the challenges) stops them.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ark_bn254::{Bn254, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, Field, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_decider::opening::{self, OpeningKey, OpeningProof};
use crease_decider::Error;
use crease_folding::commitment::{CommitmentKey, PowersOfTauKey};
use crease_folding::poseidon::Transcript;
use crease_folding::{mle, Fq, Fr, G1Projective, G1};
use rand::{rngs::StdRng, SeedableRng};

// ---------------------------------------------------------------------------------------
// Polynomial helpers (coefficients, constant first).

fn horner(p: &[Fr], x: Fr) -> Fr {
    p.iter().rev().fold(Fr::ZERO, |acc, c| acc * x + c)
}

/// The quotient of `p` by `X − a`, the remainder dropped.
fn divide_by_root(p: &[Fr], a: Fr) -> Vec<Fr> {
    let mut q = vec![Fr::ZERO; p.len().saturating_sub(1)];
    let mut carry = Fr::ZERO;
    for i in (1..p.len()).rev() {
        carry = p[i] + carry * a;
        q[i - 1] = carry;
    }
    q
}

/// `R(x)` for the polynomial of degree at most 2 through `(a_k, y_k)` (distinct `a_k`).
fn interp(a: [Fr; 3], y: [Fr; 3], x: Fr) -> Fr {
    (0..3)
        .map(|k| {
            let (mut num, mut den) = (Fr::ONE, Fr::ONE);
            for j in (0..3).filter(|&j| j != k) {
                num *= x - a[j];
                den *= a[k] - a[j];
            }
            y[k] * num * den.inverse().expect("distinct points")
        })
        .sum()
}

fn vanishing(a: [Fr; 3], x: Fr) -> Fr {
    a.iter().map(|p| x - p).product()
}

fn rand_vec(rng: &mut StdRng, n: usize) -> Vec<Fr> {
    (0..n).map(|_| Fr::rand(rng)).collect()
}

fn points_of(beta: Fr) -> [Fr; 3] {
    [beta, -beta, beta.square()]
}

// ---------------------------------------------------------------------------------------
// Keys, transcripts, the verifier.

const SEED: &[u8] = b"opening attacks";

/// A key whose τ is known: written with the key file's header and read back (which checks
/// the power structure).
fn trapdoor_key(tau: Fr, n: usize) -> PowersOfTauKey {
    let g = G1Projective::generator();
    let mut acc = Fr::ONE;
    let mut bases = Vec::with_capacity(n);
    for _ in 0..n {
        bases.push((g * acc).into_affine());
        acc *= tau;
    }
    let g2 = G2Projective::generator();
    let mut bytes = b"CRSPTAU1".to_vec();
    (bases, g2.into_affine(), (g2 * tau).into_affine())
        .serialize_compressed(&mut bytes)
        .expect("serialize");
    PowersOfTauKey::read(&bytes[..]).expect("a key of valid powers")
}

/// A transcript that binds the statement, as every caller does before opening.
fn bound(c: &G1, point: &[Fr], v: Fr) -> Transcript {
    let mut t = Transcript::new(b"opening attacks");
    t.absorb_g1(c);
    t.absorb_slice(point);
    t.absorb(&v);
    t
}

fn verify_with(
    key: &PowersOfTauKey,
    c: &G1,
    point: &[Fr],
    v: Fr,
    p: &OpeningProof,
) -> Result<(), Error> {
    let vk = OpeningKey::of(key).expect("key");
    opening::verify(&vk, c, point, v, p, &mut bound(c, point, v))
}

fn honest(key: &PowersOfTauKey, f: &[Fr], point: &[Fr]) -> (G1, Fr, OpeningProof) {
    let c = key.commit(f).expect("commit");
    let v = mle::evaluate(f, point);
    let p = opening::prove(key, f, point, &mut bound(&c, point, v)).expect("prove");
    (c, v, p)
}

fn rejected_by(r: Result<(), Error>, what: &str) -> bool {
    matches!(&r, Err(Error::Rejected(m)) if m.contains(what))
}

const PAIRING: &str = "pairing check fails";
const FOLDS: &str = "folds are inconsistent";

/// The pairing equation of `verify` for a given `z` (which `verify` squeezes itself).
fn equation(
    key: &PowersOfTauKey,
    c_b: G1Projective,
    points: [Fr; 3],
    y: [Fr; 3],
    z: Fr,
    [w, w2]: [G1; 2],
) -> bool {
    let vk = OpeningKey::of(key).expect("key");
    let c_l = c_b - vk.g * interp(points, y, z) - w * vanishing(points, z);
    Bn254::multi_pairing(
        [
            (c_l + w2 * z).into_affine(),
            (-w2.into_group()).into_affine(),
        ],
        [vk.g2, vk.tau_g2],
    )
    .is_zero()
}

// ---------------------------------------------------------------------------------------
// The prover in stages.

/// `f_0 = f, f_1, …, f_n` (each the previous one's pairs bound at `r_j`, over all of its
/// coefficients, so also for vectors longer than `2^n`).
fn fold_all(f: &[Fr], point: &[Fr]) -> Vec<Vec<Fr>> {
    let mut polys = vec![if f.is_empty() {
        vec![Fr::ZERO]
    } else {
        f.to_vec()
    }];
    for r in point {
        let last = polys.last().expect("a poly");
        let next = last
            .chunks(2)
            .map(|p| p[0] + *r * (p.get(1).copied().unwrap_or(Fr::ZERO) - p[0]))
            .collect();
        polys.push(next);
    }
    polys
}

/// After step 1: the committed `f_1 … f_{n−1}` absorbed, `β` squeezed.
struct Run {
    t: Transcript,
    folds: Vec<G1>,
    beta: Fr,
}

/// Step 1 for the polynomials `polys = f_0 … f_{n−1}` (the first is the opened one and is
/// not committed here).
fn start(key: &PowersOfTauKey, polys: &[Vec<Fr>], mut t: Transcript) -> Run {
    let folds: Vec<G1> = polys[1..]
        .iter()
        .map(|p| key.commit(p).expect("commit"))
        .collect();
    for c in &folds {
        t.absorb_g1(c);
    }
    let beta = t.challenge();
    Run { t, folds, beta }
}

fn true_evals(polys: &[Vec<Fr>], beta: Fr) -> Vec<[Fr; 3]> {
    polys
        .iter()
        .map(|p| points_of(beta).map(|a| horner(p, a)))
        .collect()
}

/// Step 2's absorption; returns `q`.
fn absorb_evals(run: &mut Run, evals: &[[Fr; 3]]) -> Fr {
    for e in evals {
        run.t.absorb_slice(e);
    }
    run.t.challenge()
}

fn powers(x: Fr, n: usize) -> Vec<Fr> {
    let mut out = Vec::with_capacity(n);
    let mut acc = Fr::ONE;
    for _ in 0..n {
        out.push(acc);
        acc *= x;
    }
    out
}

/// `B = Σ q^j f_j`.
fn batched(polys: &[Vec<Fr>], q: Fr) -> Vec<Fr> {
    let len = polys.iter().map(Vec::len).max().unwrap_or(0);
    let mut b = vec![Fr::ZERO; len];
    for (p, qj) in polys.iter().zip(powers(q, polys.len())) {
        for (x, y) in b.iter_mut().zip(p) {
            *x += qj * y;
        }
    }
    b
}

/// The values of `B` the verifier derives from the sent ones.
fn claimed(evals: &[[Fr; 3]], q: Fr) -> [Fr; 3] {
    let qs = powers(q, evals.len());
    [0, 1, 2].map(|k| evals.iter().zip(&qs).map(|(e, p)| e[k] * p).sum())
}

/// The verifier's `C_B`.
fn c_b_of(c: &G1, folds: &[G1], q: Fr) -> G1Projective {
    c.into_group() + G1Projective::msm_unchecked(folds, &powers(q, folds.len() + 1)[1..])
}

/// `W = (B − R_y) div Z` and `W' = L div (X − z)` with `L = B − R_y(z) − Z(z)·W`, the
/// remainders dropped (exact when `y` are `B`'s values). Returns the commitments and `z`.
fn quotients(
    key: &PowersOfTauKey,
    b: &[Fr],
    points: [Fr; 3],
    y: [Fr; 3],
    t: &mut Transcript,
) -> ([G1; 2], Fr) {
    // R_y has degree at most 2, so (B − R_y) div Z = B div Z.
    let mut w = b.to_vec();
    for a in points {
        w = divide_by_root(&w, a);
    }
    let c_w = key.commit(&w).expect("commit");
    t.absorb_g1(&c_w);
    let z = t.challenge();
    let mut l = b.to_vec();
    l[0] -= interp(points, y, z);
    let zz = vanishing(points, z);
    for (x, wi) in l.iter_mut().zip(&w) {
        *x -= zz * wi;
    }
    let c_w2 = key.commit(&divide_by_root(&l, z)).expect("commit");
    t.absorb_g1(&c_w2);
    ([c_w, c_w2], z)
}

/// The change to `f_{j}(β)` that moves the fold check `j` from `next` to `next + delta`.
fn shift_beta(beta: Fr, r: Fr, delta: Fr) -> Fr {
    beta.double() * delta * ((Fr::ONE - r) * beta + r).inverse().expect("r")
}

/// The change to `f_{j}(−β)` that does the same.
fn shift_minus_beta(beta: Fr, r: Fr, delta: Fr) -> Fr {
    beta.double() * delta * ((Fr::ONE - r) * beta - r).inverse().expect("r")
}

/// The staged prover with the evaluations edited after `β` and the claimed value `v`
/// (quotients from [`quotients`] through the sent values).
fn lying(
    key: &PowersOfTauKey,
    polys: &[Vec<Fr>],
    c: &G1,
    point: &[Fr],
    v: Fr,
    edit: impl FnOnce(Fr, &mut Vec<[Fr; 3]>),
) -> OpeningProof {
    let mut run = start(key, polys, bound(c, point, v));
    let mut evals = true_evals(polys, run.beta);
    edit(run.beta, &mut evals);
    let q = absorb_evals(&mut run, &evals);
    let b = batched(polys, q);
    let (quotients, _) = quotients(key, &b, points_of(run.beta), claimed(&evals, q), &mut run.t);
    OpeningProof {
        folds: run.folds,
        evals,
        quotients,
    }
}

fn setup(len: usize, n: usize, seed: u64) -> (PowersOfTauKey, Vec<Fr>, Vec<Fr>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let key = PowersOfTauKey::from_seed(SEED, len.max(1));
    (key, rand_vec(&mut rng, len), rand_vec(&mut rng, n))
}

// ---------------------------------------------------------------------------------------
// The staged prover is the honest one.

#[test]
fn the_staged_prover_is_the_honest_one() {
    for (len, n) in [(1usize, 1usize), (2, 1), (3, 2), (8, 3), (37, 6)] {
        let (key, f, r) = setup(len, n, len as u64);
        let (c, v, p) = honest(&key, &f, &r);
        let polys = fold_all(&f, &r);
        let mine = lying(&key, &polys[..n], &c, &r, v, |_, _| ());
        assert_eq!(mine, p, "len {len}");
        assert!(verify_with(&key, &c, &r, v, &p).is_ok());
    }
}

#[test]
fn the_trapdoor_key_is_a_key() {
    let tau = Fr::from(12345u64);
    let key = trapdoor_key(tau, 16);
    let (_, f, r) = setup(16, 4, 1);
    let (c, v, p) = honest(&key, &f, &r);
    assert!(verify_with(&key, &c, &r, v, &p).is_ok());
}

// ---------------------------------------------------------------------------------------
// 1. A wrong value.

/// False values consistent with every fold check, quotients through them (their
/// remainders dropped): the pairing check fails.
#[test]
fn a_wrong_value_made_consistent_with_the_folds_is_rejected_by_the_pairing() {
    for (len, n) in [(2usize, 1usize), (4, 2), (13, 4), (64, 6)] {
        let (key, f, r) = setup(len, n, 10 + len as u64);
        let c = key.commit(&f).expect("commit");
        let v = mle::evaluate(&f, &r);
        let polys = fold_all(&f, &r);
        let fake = v + Fr::from(7u64);
        let last = r[n - 1];
        // The lie at f_{n−1}(β), at f_{n−1}(−β), or split between them.
        for how in 0..3 {
            let p = lying(&key, &polys[..n], &c, &r, fake, |beta, e| match how {
                0 => e[n - 1][0] += shift_beta(beta, last, fake - v),
                1 => e[n - 1][1] += shift_minus_beta(beta, last, fake - v),
                _ => {
                    let half = (fake - v) * Fr::from(2u64).inverse().expect("2");
                    e[n - 1][0] += shift_beta(beta, last, half);
                    e[n - 1][1] += shift_minus_beta(beta, last, half);
                }
            });
            let out = verify_with(&key, &c, &r, fake, &p);
            assert!(rejected_by(out, PAIRING), "len {len} how {how}");
        }
        // The same with the quotients of the true values.
        let p = {
            let mut run = start(&key, &polys[..n], bound(&c, &r, fake));
            let mut evals = true_evals(&polys[..n], run.beta);
            evals[n - 1][0] += shift_beta(run.beta, last, fake - v);
            let q = absorb_evals(&mut run, &evals);
            let b = batched(&polys[..n], q);
            let quotients =
                opening::prove_values(&key, &b, points_of(run.beta), &mut run.t).expect("W");
            OpeningProof {
                folds: run.folds,
                evals,
                quotients,
            }
        };
        assert!(rejected_by(verify_with(&key, &c, &r, fake, &p), PAIRING));
    }
}

/// Sanity for the test above: the same forgery with `W'` computed through τ passes, so the
/// false proofs are well formed and the pairing check is what stops them.
#[test]
fn with_the_trapdoor_the_same_forgery_passes() {
    let tau = Fr::from(987654321u64);
    let (n, len) = (4usize, 13usize);
    let key = trapdoor_key(tau, len);
    let mut rng = StdRng::seed_from_u64(4);
    let (f, r) = (rand_vec(&mut rng, len), rand_vec(&mut rng, n));
    let c = key.commit(&f).expect("commit");
    let v = mle::evaluate(&f, &r);
    let fake = v + Fr::ONE;
    let polys = fold_all(&f, &r);
    let mut run = start(&key, &polys[..n], bound(&c, &r, fake));
    let mut evals = true_evals(&polys[..n], run.beta);
    evals[n - 1][0] += shift_beta(run.beta, r[n - 1], fake - v);
    let q = absorb_evals(&mut run, &evals);
    let b = batched(&polys[..n], q);
    let points = points_of(run.beta);
    let y = claimed(&evals, q);
    let mut w = b.clone();
    for a in points {
        w = divide_by_root(&w, a);
    }
    let c_w = key.commit(&w).expect("commit");
    run.t.absorb_g1(&c_w);
    let z = run.t.challenge();
    let c_l = c_b_of(&c, &run.folds, q)
        - key.bases()[0] * interp(points, y, z)
        - c_w * vanishing(points, z);
    let c_w2 = (c_l * (tau - z).inverse().expect("τ ≠ z")).into_affine();
    let p = OpeningProof {
        folds: run.folds,
        evals,
        quotients: [c_w, c_w2],
    };
    assert!(verify_with(&key, &c, &r, fake, &p).is_ok());
}

/// A false `f_{n−1}` committed so that it folds to the false value, its value at `β²` sent
/// as the true fold's (so check `n − 2` passes): `B`'s value at `β²` is then false.
#[test]
fn a_false_fold_that_folds_to_the_false_value_is_rejected() {
    for (len, n) in [(4usize, 2usize), (16, 4), (50, 6)] {
        let (key, f, r) = setup(len, n, 20 + len as u64);
        let c = key.commit(&f).expect("commit");
        let v = mle::evaluate(&f, &r);
        let fake = v - Fr::from(3u64);
        let mut polys = fold_all(&f, &r);
        let honest_last = polys[n - 1].clone();
        // f'_{n−1} = f_{n−1} + d with d's pair bound at r_{n−1} equal to fake − v.
        let last = &mut polys[n - 1];
        last.resize(2, Fr::ZERO);
        last[0] += fake - v;
        last[1] += fake - v;
        let p = lying(&key, &polys[..n], &c, &r, fake, |beta, e| {
            e[n - 1][2] = horner(&honest_last, beta.square());
        });
        assert!(rejected_by(verify_with(&key, &c, &r, fake, &p), PAIRING));
        // Without the lie at β² the fold check n − 2 fails.
        let p = lying(&key, &polys[..n], &c, &r, fake, |_, _| ());
        assert!(rejected_by(verify_with(&key, &c, &r, fake, &p), FOLDS));
    }
}

/// `W` shifted by a constant that would cancel the remainder at a predicted `z` (the `z` of
/// a first attempt): the shift changes `z`. At the predicted `z` the equation holds, which
/// shows that absorbing `C_W` before `z` is what stops it.
#[test]
fn a_quotient_that_cancels_at_a_predicted_z_is_rejected() {
    let (n, len) = (5usize, 30usize);
    let (key, f, r) = setup(len, n, 31);
    let c = key.commit(&f).expect("commit");
    let v = mle::evaluate(&f, &r);
    let fake = v + Fr::from(11u64);
    let polys = fold_all(&f, &r);
    let mut run = start(&key, &polys[..n], bound(&c, &r, fake));
    let mut evals = true_evals(&polys[..n], run.beta);
    evals[n - 1][0] += shift_beta(run.beta, r[n - 1], fake - v);
    let q = absorb_evals(&mut run, &evals);
    let b = batched(&polys[..n], q);
    let points = points_of(run.beta);
    let y = claimed(&evals, q);
    let truth = points.map(|a| horner(&b, a));
    let mut w = b.clone();
    for a in points {
        w = divide_by_root(&w, a);
    }
    // The first attempt's z.
    let mut t0 = run.t.clone();
    t0.absorb_g1(&key.commit(&w).expect("commit"));
    let z0 = t0.challenge();
    // L = B − R_y(z) − Z(z)·W: its value at z is (R − R_y)(z) − Z(z)·c for W + c.
    let shift = (interp(points, truth, z0) - interp(points, y, z0))
        * vanishing(points, z0).inverse().expect("Z(z0)");
    let mut w_shifted = w.clone();
    w_shifted[0] += shift;
    let c_w = key.commit(&w_shifted).expect("commit");
    let build = |z: Fr| {
        let mut l = b.clone();
        l[0] -= interp(points, y, z);
        let zz = vanishing(points, z);
        for (x, wi) in l.iter_mut().zip(&w_shifted) {
            *x -= zz * wi;
        }
        assert_eq!(z == z0, horner(&l, z).is_zero());
        key.commit(&divide_by_root(&l, z)).expect("commit")
    };
    let c_b = c_b_of(&c, &run.folds, q);
    // At the predicted z the equation would hold.
    assert!(equation(&key, c_b, points, y, z0, [c_w, build(z0)]));
    // But z is squeezed after C_W.
    run.t.absorb_g1(&c_w);
    let z = run.t.challenge();
    assert_ne!(z, z0);
    for w2 in [build(z), build(z0)] {
        let p = OpeningProof {
            folds: run.folds.clone(),
            evals: evals.clone(),
            quotients: [c_w, w2],
        };
        assert!(rejected_by(verify_with(&key, &c, &r, fake, &p), PAIRING));
    }
}

/// Lies at two levels that keep every fold check and cancel in all three of `B`'s values
/// for a guessed `q` (the one the honest values would give): `f_{n−1}(±β)` moved to fit the
/// false value, `f_0(±β)` moved by `−q^{n−1}` times that and kept on fold check 0. With
/// the guessed `q` the values are `B`'s; but `q` is squeezed after the values, so it is not
/// the guessed one and the pairing check fails.
#[test]
fn lies_that_cancel_in_b_for_a_guessed_q_are_rejected() {
    let (n, len) = (4usize, 16usize);
    let (key, f, r) = setup(len, n, 41);
    let c = key.commit(&f).expect("commit");
    let v = mle::evaluate(&f, &r);
    let fake = v + Fr::ONE;
    let polys = fold_all(&f, &r);
    let run0 = start(&key, &polys[..n], bound(&c, &r, fake));
    let beta = run0.beta;
    let mut guess = run0.t.clone();
    for e in true_evals(&polys[..n], beta) {
        guess.absorb_slice(&e);
    }
    let q0 = guess.challenge();
    let big_q = q0.pow([(n - 1) as u64]);
    // Level n−1: c+·d0 + c−·d1 = 2β·(fake − v); level 0: c'+·a0 + c'−·a1 = 0 with
    // a = −Q·d, i.e. c'+·d0 + c'−·d1 = 0.
    let coeffs = |r: Fr| ((Fr::ONE - r) * beta + r, (Fr::ONE - r) * beta - r);
    let ((p1, m1), (p0, m0)) = (coeffs(r[n - 1]), coeffs(r[0]));
    let rhs = beta.double() * (fake - v);
    let det = p1 * m0 - m1 * p0;
    let d0 = rhs * m0 / det;
    let d1 = -rhs * p0 / det;
    let edit = |_: Fr, e: &mut Vec<[Fr; 3]>| {
        e[n - 1][0] += d0;
        e[n - 1][1] += d1;
        e[0][0] -= big_q * d0;
        e[0][1] -= big_q * d1;
    };
    let mut evals = true_evals(&polys[..n], beta);
    edit(beta, &mut evals);
    let b0 = batched(&polys[..n], q0);
    assert_eq!(claimed(&evals, q0), points_of(beta).map(|a| horner(&b0, a)));
    let p = lying(&key, &polys[..n], &c, &r, fake, edit);
    assert_eq!(p.evals, evals);
    assert!(rejected_by(verify_with(&key, &c, &r, fake, &p), PAIRING));
}

/// `n = 1`: no folds, the value checked against `f_0(±β)` only.
#[test]
fn a_wrong_value_with_one_variable_is_rejected() {
    for len in [1usize, 2] {
        let (key, f, r) = setup(len, 1, 50 + len as u64);
        let c = key.commit(&f).expect("commit");
        let v = mle::evaluate(&f, &r);
        let polys = fold_all(&f, &r);
        for fake in [v + Fr::ONE, Fr::ZERO, -v] {
            let p = lying(&key, &polys[..1], &c, &r, fake, |beta, e| {
                e[0][0] += shift_beta(beta, r[0], fake - v);
            });
            assert!(rejected_by(verify_with(&key, &c, &r, fake, &p), PAIRING));
        }
    }
}

/// The commitment is not absorbed by the opening itself: a statement whose commitment the
/// prover picks after the challenges is forged (with no trapdoor). Every caller (Spartan,
/// the lookup, SPARK) absorbs the commitments, the point's source and the value first; this
/// test documents the precondition.
#[test]
fn an_unbound_commitment_can_be_chosen_last_so_callers_must_bind_it() {
    let (n, key) = (3usize, PowersOfTauKey::from_seed(SEED, 8));
    let r = rand_vec(&mut StdRng::seed_from_u64(5), n);
    let v = Fr::from(424242u64);
    let mut t = Transcript::new(b"unbound");
    t.absorb_slice(&r);
    t.absorb(&v);
    let folds = vec![G1::zero(); n - 1];
    let mut pt = t.clone();
    for c in &folds {
        pt.absorb_g1(c);
    }
    let beta = pt.challenge();
    let mut evals = vec![[Fr::ZERO; 3]; n];
    evals[n - 1][0] = shift_beta(beta, r[n - 1], v);
    for e in &evals {
        pt.absorb_slice(e);
    }
    let q = pt.challenge();
    let c_w = key.bases()[1];
    pt.absorb_g1(&c_w);
    let z = pt.challenge();
    let points = points_of(beta);
    let c = (key.bases()[0] * interp(points, claimed(&evals, q), z) + c_w * vanishing(points, z))
        .into_affine();
    let p = OpeningProof {
        folds,
        evals,
        quotients: [c_w, G1::zero()],
    };
    let vk = OpeningKey::of(&key).expect("key");
    assert!(opening::verify(&vk, &c, &r, v, &p, &mut t.clone()).is_ok());
    // Bound first, the same commitment is refused.
    assert!(verify_with(&key, &c, &r, v, &p).is_err());
}

// ---------------------------------------------------------------------------------------
// 2. Degenerate points.

#[test]
fn quotients_at_coinciding_points_are_refused_without_panic() {
    let key = PowersOfTauKey::from_seed(SEED, 8);
    let b = rand_vec(&mut StdRng::seed_from_u64(6), 8);
    for beta in [Fr::ZERO, Fr::ONE, -Fr::ONE] {
        let out = opening::prove_values(&key, &b, points_of(beta), &mut Transcript::new(b"d"));
        assert!(
            matches!(out, Err(Error::Rejected(m)) if m.contains("coincide")),
            "β = {beta}"
        );
    }
    // Any other β gives three distinct points (β² = β needs β ∈ {0, 1}, β² = −β needs
    // β ∈ {0, −1}); a cube root of unity is not special.
    let omega = {
        // ω = g^((r−1)/3) for a non-cube g: order 3.
        let e = (-Fr::ONE) * Fr::from(3u64).inverse().expect("3");
        let e = ark_ff::PrimeField::into_bigint(e);
        let mut found = None;
        for g in 2u64..50 {
            let w = Fr::from(g).pow(e);
            if w != Fr::ONE {
                found = Some(w);
                break;
            }
        }
        found.expect("a cube root of unity")
    };
    assert_eq!(omega.pow([3u64]), Fr::ONE);
    let pts = points_of(omega);
    assert!(pts[0] != pts[1] && pts[1] != pts[2] && pts[0] != pts[2]);
    assert!(opening::prove_values(&key, &b, pts, &mut Transcript::new(b"d")).is_ok());
}

/// The verifier's equation at a `z` equal to one of the points (`Z(z) = 0`) reads only
/// `B`'s value there: simulated, values false at the other two points pass. `verify`
/// squeezes `z` after `C_W` (probability `3/|F|` of a hit), and at any other `z` the same
/// forgery fails. (Suggestion: refuse `Z(z) = 0` as β's degenerate values are refused.)
#[test]
fn a_z_at_one_of_the_points_would_check_one_value_only() {
    let key = PowersOfTauKey::from_seed(SEED, 16);
    let mut rng = StdRng::seed_from_u64(7);
    let b = rand_vec(&mut rng, 16);
    let c_b = key.commit(&b).expect("commit").into_group();
    let beta = Fr::rand(&mut rng);
    let points = points_of(beta);
    for k in 0..3 {
        let mut y = points.map(|a| horner(&b, a));
        y[(k + 1) % 3] += Fr::ONE;
        y[(k + 2) % 3] -= Fr::from(5u64);
        let a = points[k];
        let mut l = b.clone();
        l[0] -= y[k];
        let w2 = key.commit(&divide_by_root(&l, a)).expect("commit");
        // Any W: Z(z) = 0 removes it.
        let w = key.bases()[3];
        assert!(equation(&key, c_b, points, y, a, [w, w2]), "point {k}");
        // At a random z it fails.
        let z = Fr::rand(&mut rng);
        assert!(!equation(&key, c_b, points, y, z, [w, w2]));
    }
}

/// Points with coordinates 0 and 1 (the MLE reads one entry), and repeated coordinates.
#[test]
fn boolean_and_repeated_coordinates_open_only_to_the_value() {
    let (key, f, _) = setup(16, 4, 8);
    let two = Fr::from(2u64);
    for r in [
        vec![Fr::ZERO; 4],
        vec![Fr::ONE; 4],
        vec![Fr::ONE, Fr::ZERO, Fr::ONE, Fr::ZERO],
        vec![two; 4],
        vec![-Fr::ONE; 4],
    ] {
        let (c, v, p) = honest(&key, &f, &r);
        assert!(verify_with(&key, &c, &r, v, &p).is_ok());
        let polys = fold_all(&f, &r);
        let fake = v + Fr::ONE;
        let p = lying(&key, &polys[..4], &c, &r, fake, |beta, e| {
            e[3][0] += shift_beta(beta, r[3], Fr::ONE);
        });
        assert!(rejected_by(verify_with(&key, &c, &r, fake, &p), PAIRING));
    }
}

// ---------------------------------------------------------------------------------------
// 3. Lengths.

/// Every length up to `2^n` under a key of exactly that many bases (one for the empty
/// vector): the honest proof verifies, the next value does not.
#[test]
fn every_short_vector_opens_under_a_key_of_its_length() {
    let mut rng = StdRng::seed_from_u64(9);
    for n in 1..=4usize {
        for len in 0..=(1usize << n) {
            let key = PowersOfTauKey::from_seed(SEED, len.max(1));
            let f = rand_vec(&mut rng, len);
            let r = rand_vec(&mut rng, n);
            let (c, v, p) = honest(&key, &f, &r);
            assert!(verify_with(&key, &c, &r, v, &p).is_ok(), "n {n} len {len}");
            assert!(verify_with(&key, &c, &r, v + Fr::ONE, &p).is_err());
            // The same proof as under a key of 2^n bases.
            let long = PowersOfTauKey::from_seed(SEED, 1 << n);
            let q = opening::prove(&long, &f, &r, &mut bound(&c, &r, v)).expect("prove");
            assert_eq!(p, q, "n {n} len {len}");
        }
    }
}

#[test]
fn a_key_shorter_than_the_vector_is_an_error_not_a_panic() {
    let (_, f, r) = setup(9, 4, 10);
    for bases in [0usize, 1, 5, 7] {
        let key = PowersOfTauKey::from_seed(SEED, bases);
        let out = catch_unwind(AssertUnwindSafe(|| {
            opening::prove(&key, &f, &r, &mut Transcript::new(b"k")).map(|_| ())
        }));
        assert!(matches!(out, Ok(Err(_))), "{bases} bases");
    }
    assert!(OpeningKey::of(&PowersOfTauKey::from_seed(SEED, 0)).is_err());
    // The prover never commits f itself: its longest commitment is W' (one entry fewer),
    // so one base fewer than the vector suffices to prove (the commitment needs them all).
    let key = PowersOfTauKey::from_seed(SEED, 8);
    let full = PowersOfTauKey::from_seed(SEED, 9);
    let c = full.commit(&f).expect("commit");
    let v = mle::evaluate(&f, &r);
    let p = opening::prove(&key, &f, &r, &mut bound(&c, &r, v)).expect("prove");
    assert!(verify_with(&full, &c, &r, v, &p).is_ok());
}

/// A committed vector longer than `2^n`, opened by a Gemini prover over all its
/// coefficients or with the folds of its first `2^n` entries, at the first block's value:
/// rejected (by the folds or, with the values lied to fit them, by the pairing).
#[test]
fn a_vector_longer_than_the_point_allows_gives_no_false_value() {
    for (len, n) in [(5usize, 2usize), (9, 3), (40, 4)] {
        let (key, f, r) = setup(len, n, 60 + len as u64);
        assert!(opening::prove(&key, &f, &r, &mut Transcript::new(b"x")).is_err());
        let c = key.commit(&f).expect("commit");
        let low = mle::evaluate(&f[..1 << n], &r);
        let mut padded_r = r.clone();
        padded_r.resize(64 - (len as u64).leading_zeros() as usize, Fr::ZERO);
        let padded = mle::evaluate(&f, &padded_r);
        assert_eq!(low, padded);
        let all = fold_all(&f, &r);
        let mut firsts = fold_all(&f[..1 << n], &r);
        firsts[0] = f.clone();
        for polys in [&all, &firsts] {
            let p = lying(&key, &polys[..n], &c, &r, low, |_, _| ());
            assert!(rejected_by(verify_with(&key, &c, &r, low, &p), FOLDS));
        }
        // Values lied to pass the folds: the last check for the full folds (f_n is not a
        // constant), check 0 for the first block's.
        let p = lying(&key, &all[..n], &c, &r, low, |beta, e| {
            let truth = horner(&all[n], beta.square());
            e[n - 1][0] += shift_beta(beta, r[n - 1], low - truth);
        });
        assert!(rejected_by(verify_with(&key, &c, &r, low, &p), PAIRING));
        let p = lying(&key, &firsts[..n], &c, &r, low, |beta, e| {
            let want = horner(&firsts[1], beta.square());
            let got = ((Fr::ONE - r[0]) * beta * (e[0][0] + e[0][1]) + r[0] * (e[0][0] - e[0][1]))
                * beta.double().inverse().expect("β");
            e[0][0] += shift_beta(beta, r[0], want - got);
        });
        assert!(rejected_by(verify_with(&key, &c, &r, low, &p), PAIRING));
    }
}

/// The one way a longer vector opens: every block past the first has MLE zero at the point,
/// which needs the point before the vector (callers squeeze it after the commitment). It
/// then opens to the first block's value, which is the longer vector's MLE at the point
/// padded with zero coordinates: not a false value.
#[test]
fn a_longer_vector_opens_only_when_its_upper_blocks_vanish_at_a_known_point() {
    let n = 3;
    let mut rng = StdRng::seed_from_u64(11);
    let key = PowersOfTauKey::from_seed(SEED, 16);
    let r = rand_vec(&mut rng, n);
    let mut f = rand_vec(&mut rng, 16);
    let upper = mle::evaluate(&f[8..], &r);
    let eq0: Fr = r.iter().map(|x| Fr::ONE - x).product();
    f[8] -= upper / eq0;
    assert!(mle::evaluate(&f[8..], &r).is_zero());
    let c = key.commit(&f).expect("commit");
    let v = mle::evaluate(&f[..8], &r);
    let mut padded_r = r.clone();
    padded_r.push(Fr::ZERO);
    assert_eq!(v, mle::evaluate(&f, &padded_r));
    let polys = fold_all(&f, &r);
    let p = lying(&key, &polys[..n], &c, &r, v, |_, _| ());
    assert!(verify_with(&key, &c, &r, v, &p).is_ok());
    assert!(verify_with(&key, &c, &r, v + Fr::ONE, &p).is_err());
}

// ---------------------------------------------------------------------------------------
// 4. Odd points and borrowed parts.

fn off_curve() -> G1 {
    G1::new_unchecked(Fq::from(1u64), Fq::from(1u64))
}

#[test]
fn identity_and_off_curve_points_are_rejected_without_panic() {
    let (key, f, r) = setup(20, 5, 12);
    let (c, v, p) = honest(&key, &f, &r);
    assert!(!off_curve().is_on_curve());
    for bad in [G1::zero(), off_curve()] {
        for j in 0..p.folds.len() {
            let mut q = p.clone();
            q.folds[j] = bad;
            assert!(verify_with(&key, &c, &r, v, &q).is_err(), "fold {j}");
        }
        for k in 0..2 {
            let mut q = p.clone();
            q.quotients[k] = bad;
            assert!(verify_with(&key, &c, &r, v, &q).is_err(), "quotient {k}");
        }
        let mut q = p.clone();
        q.quotients = [bad; 2];
        q.folds.iter_mut().for_each(|x| *x = bad);
        assert!(verify_with(&key, &c, &r, v, &q).is_err());
        assert!(verify_with(&key, &bad, &r, v, &p).is_err());
    }
    // An off-curve point does not deserialize.
    let mut bytes = Vec::new();
    let mut q = p.clone();
    q.quotients[1] = off_curve();
    q.serialize_uncompressed(&mut bytes).expect("serialize");
    assert!(OpeningProof::deserialize_uncompressed(&bytes[..]).is_err());
    // The all-zero proof opens the zero commitment at zero (true) and nothing else.
    let zero = OpeningProof {
        folds: vec![G1::zero(); 4],
        evals: vec![[Fr::ZERO; 3]; 5],
        quotients: [G1::zero(); 2],
    };
    assert!(verify_with(&key, &G1::zero(), &r, Fr::ZERO, &zero).is_ok());
    assert!(verify_with(&key, &G1::zero(), &r, Fr::ONE, &zero).is_err());
    assert!(verify_with(&key, &c, &r, Fr::ZERO, &zero).is_err());
}

#[test]
fn rearranged_or_borrowed_quotients_are_rejected() {
    let (key, f, r) = setup(24, 5, 13);
    let (c, v, p) = honest(&key, &f, &r);
    let [w, w2] = p.quotients;
    let neg = |x: G1| (-x.into_group()).into_affine();
    let dbl = |x: G1| (x.into_group().double()).into_affine();
    for quotients in [
        [w2, w],
        [w, w],
        [w2, w2],
        [neg(w), w2],
        [w, neg(w2)],
        [dbl(w), w2],
        [w, dbl(w2)],
    ] {
        let mut q = p.clone();
        q.quotients = quotients;
        assert!(rejected_by(verify_with(&key, &c, &r, v, &q), PAIRING));
    }
    // Parts of other openings: the same vector at another point, another vector at the
    // same point, the same statement under another transcript.
    let mut rng = StdRng::seed_from_u64(14);
    let r2 = rand_vec(&mut rng, 5);
    let (_, _, other_point) = honest(&key, &f, &r2);
    let g = rand_vec(&mut rng, 24);
    let (_, _, other_vector) = honest(&key, &g, &r);
    let other_transcript =
        opening::prove(&key, &f, &r, &mut Transcript::new(b"other")).expect("prove");
    for other in [&other_point, &other_vector, &other_transcript] {
        let mut q = p.clone();
        q.quotients = other.quotients;
        assert!(rejected_by(verify_with(&key, &c, &r, v, &q), PAIRING));
        let mut q = p.clone();
        q.quotients[1] = other.quotients[1];
        assert!(rejected_by(verify_with(&key, &c, &r, v, &q), PAIRING));
        assert!(verify_with(&key, &c, &r, v, other).is_err());
    }
    // The whole proof for another statement.
    let c2 = key.commit(&g).expect("commit");
    assert!(verify_with(&key, &c2, &r, v, &p).is_err());
    assert!(verify_with(&key, &c, &r2, v, &p).is_err());
    assert!(verify_with(&key, &c, &r, -v, &p).is_err());
    let shorter = &r[..4];
    let trimmed = OpeningProof {
        folds: p.folds[..3].to_vec(),
        evals: p.evals[..4].to_vec(),
        quotients: p.quotients,
    };
    assert!(verify_with(&key, &c, shorter, v, &trimmed).is_err());
}

// ---------------------------------------------------------------------------------------
// 5. The transcript.

/// The verifier's absorptions replayed by hand: folds, β, values, q, `C_W`, z, `C_W'`, and
/// nothing after; the prover ends in the same state.
#[test]
fn prover_and_verifier_transcripts_end_in_the_same_state() {
    let (key, f, r) = setup(20, 5, 15);
    let c = key.commit(&f).expect("commit");
    let v = mle::evaluate(&f, &r);
    let mut tp = bound(&c, &r, v);
    let p = opening::prove(&key, &f, &r, &mut tp).expect("prove");
    let mut tv = bound(&c, &r, v);
    let vk = OpeningKey::of(&key).expect("key");
    opening::verify(&vk, &c, &r, v, &p, &mut tv).expect("verifies");
    let mut th = bound(&c, &r, v);
    for x in &p.folds {
        th.absorb_g1(x);
    }
    th.challenge();
    for e in &p.evals {
        th.absorb_slice(e);
    }
    th.challenge();
    th.absorb_g1(&p.quotients[0]);
    th.challenge();
    th.absorb_g1(&p.quotients[1]);
    let [a, b, h] = [tp, tv, th].map(|mut t| t.challenges(3));
    assert_eq!(a, b);
    assert_eq!(a, h);
}

/// Changing `C_W'` alone changes the verifier's state after the opening (it is absorbed)
/// but not the challenges before it.
#[test]
fn the_last_quotient_is_absorbed() {
    let (key, f, r) = setup(12, 4, 16);
    let (c, v, p) = honest(&key, &f, &r);
    let vk = OpeningKey::of(&key).expect("key");
    let mut q = p.clone();
    q.quotients[1] = key.bases()[2];
    let mut t1 = bound(&c, &r, v);
    let mut t2 = bound(&c, &r, v);
    assert!(opening::verify(&vk, &c, &r, v, &p, &mut t1).is_ok());
    assert!(opening::verify(&vk, &c, &r, v, &q, &mut t2).is_err());
    assert_ne!(t1.challenge(), t2.challenge());
}

/// Two openings and a further challenge on one transcript, and the proofs swapped.
#[test]
fn openings_in_sequence_keep_the_transcripts_together() {
    let mut rng = StdRng::seed_from_u64(17);
    let key = PowersOfTauKey::from_seed(SEED, 32);
    let (f, g) = (rand_vec(&mut rng, 32), rand_vec(&mut rng, 7));
    let (r, s) = (rand_vec(&mut rng, 5), rand_vec(&mut rng, 3));
    let (cf, cg) = (
        key.commit(&f).expect("commit"),
        key.commit(&g).expect("commit"),
    );
    let (vf, vg) = (mle::evaluate(&f, &r), mle::evaluate(&g, &s));
    let mut tp = bound(&cf, &r, vf);
    let pf = opening::prove(&key, &f, &r, &mut tp).expect("prove");
    tp.absorb_g1(&cg);
    tp.absorb_slice(&s);
    tp.absorb(&vg);
    let pg = opening::prove(&key, &g, &s, &mut tp).expect("prove");
    let after_p = tp.challenge();
    let vk = OpeningKey::of(&key).expect("key");
    let run = |pf: &OpeningProof, pg: &OpeningProof| -> (Result<(), Error>, Fr) {
        let mut tv = bound(&cf, &r, vf);
        let first = opening::verify(&vk, &cf, &r, vf, pf, &mut tv);
        tv.absorb_g1(&cg);
        tv.absorb_slice(&s);
        tv.absorb(&vg);
        let second = opening::verify(&vk, &cg, &s, vg, pg, &mut tv);
        (first.and(second), tv.challenge())
    };
    let (ok, after_v) = run(&pf, &pg);
    assert!(ok.is_ok());
    assert_eq!(after_p, after_v);
    // Each proof alone at the other's place.
    let (bad, _) = run(&pg, &pf);
    assert!(bad.is_err());
    // The second proof made on a fresh transcript does not verify after the first.
    let fresh = opening::prove(&key, &g, &s, &mut bound(&cg, &s, vg)).expect("prove");
    assert!(run(&pf, &fresh).0.is_err());
}

// ---------------------------------------------------------------------------------------
// 6. Malformed proofs and inputs.

#[test]
fn malformed_proofs_are_rejected_by_their_lengths_without_panic() {
    let (key, f, r) = setup(16, 4, 18);
    let (c, v, p) = honest(&key, &f, &r);
    let g = key.bases()[1];
    for n in 1..=4usize {
        let point = &r[..n];
        for (folds, evals) in [
            (n.saturating_sub(2), n),
            (n, n),
            (n + 1, n),
            (n - 1, n - 1),
            (n - 1, n + 1),
            (n - 1, 0),
            (0, 0),
        ] {
            if folds == n - 1 && evals == n {
                continue;
            }
            let q = OpeningProof {
                folds: vec![g; folds],
                evals: vec![[Fr::ONE; 3]; evals],
                quotients: p.quotients,
            };
            let out = catch_unwind(AssertUnwindSafe(|| verify_with(&key, &c, point, v, &q)));
            assert!(
                matches!(out, Ok(Err(Error::WrongLength { .. }))),
                "n {n}: {folds} folds, {evals} values"
            );
        }
    }
    // The empty point, with an empty proof or the real one.
    for q in [
        OpeningProof {
            folds: vec![],
            evals: vec![],
            quotients: p.quotients,
        },
        p.clone(),
    ] {
        let out = catch_unwind(AssertUnwindSafe(|| verify_with(&key, &c, &[], v, &q)));
        assert!(matches!(out, Ok(Err(Error::WrongLength { .. }))));
    }
    // A long point with a proof of its shape: no panic, rejected.
    let long = vec![Fr::from(3u64); 70];
    let q = OpeningProof {
        folds: vec![g; 69],
        evals: vec![[Fr::ONE; 3]; 70],
        quotients: p.quotients,
    };
    let out = catch_unwind(AssertUnwindSafe(|| verify_with(&key, &c, &long, v, &q)));
    assert!(matches!(out, Ok(Err(_))));
    // A truncated serialization does not deserialize.
    let mut bytes = Vec::new();
    p.serialize_compressed(&mut bytes).expect("serialize");
    for cut in [0, 1, 8, bytes.len() / 2, bytes.len() - 1] {
        assert!(OpeningProof::deserialize_compressed(&bytes[..cut]).is_err());
    }
}

/// `prove` at a point of 64 or more coordinates: `1 << n` overflowed (found by this
/// review, fixed: the bound saturates).
#[test]
fn prove_at_a_point_of_64_coordinates_does_not_panic() {
    let key = PowersOfTauKey::from_seed(SEED, 4);
    let f = vec![Fr::ONE; 2];
    for n in [64usize, 65, 100] {
        let r = vec![Fr::from(2u64); n];
        let out = catch_unwind(AssertUnwindSafe(|| {
            opening::prove(&key, &f, &r, &mut Transcript::new(b"p")).map(|_| ())
        }));
        assert!(out.is_ok(), "n = {n} panics");
    }
}
