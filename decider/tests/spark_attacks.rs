//! Attacks on SPARK ([`crease_decider::spark`]) by a prover that controls every part of the
//! proof: wrong eq lookups made consistent with every later step, sums moved between the
//! groups of the grouped sum-check, vectors that are not what the zero-padded opening reads,
//! mismatched inputs and malformed proofs (none of which may panic the verifier).
//!
//! Most tests go through [`cheat`], a re-implementation of [`spark::prove`] over a
//! re-derived index ([`Ix`], the same vectors as [`SparkIndex`], whose fields are private)
//! with knobs ([`Knobs`]) at every step. It is checked against the honest prover first.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_decider::opening::{self, OpeningKey};
use crease_decider::spark::{self, SparkCommitment, SparkIndex, SparkProof};
use crease_decider::spartan::{batch_dims, column};
use crease_decider::sumcheck::{self, eq_table, Group, Terms};
use crease_decider::Error;
use crease_folding::commitment::{CommitmentKey, PowersOfTauKey};
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::R1csShape;
use crease_folding::testing::{standalone, values, ProductCircuit};
use crease_folding::{mle, Fr, G1};
use rand::{rngs::StdRng, SeedableRng};

/// [`spark::prove`] with its point given as parts.
fn sp_prove(
    key: &PowersOfTauKey,
    indices: &[&SparkIndex],
    r_y: &[Fr],
    r_x: &[Fr],
    gamma: Fr,
    t: &mut Transcript,
) -> Result<(Vec<Fr>, SparkProof), Error> {
    spark::prove(key, indices, spark::EvalPoint { r_y, r_x, gamma }, t)
}

/// [`spark::verify`] with its point given as parts.
#[allow(clippy::too_many_arguments)]
fn sp_verify(
    key: &OpeningKey,
    indices: &[&SparkCommitment],
    r_y: &[Fr],
    r_x: &[Fr],
    gamma: Fr,
    claims: &[Fr],
    proof: &SparkProof,
    t: &mut Transcript,
) -> Result<(), Error> {
    spark::verify(
        key,
        indices,
        spark::EvalPoint { r_y, r_x, gamma },
        claims,
        proof,
        t,
    )
}

// ---------------------------------------------------------------------------------------
// Set-up: the module's own test shapes, and the index re-derived.

fn shape(size: usize, bits: u32) -> R1csShape {
    let circuit = ProductCircuit { size, bits };
    let z = [Fr::ONE, Fr::ZERO];
    standalone(&circuit, Fr::from(5u64), &z, &values(1, size, bits))
        .expect("shape")
        .0
}

/// [`SparkIndex`]'s vectors, re-derived the same way.
#[derive(Clone, Debug)]
struct Ix {
    m: usize,
    row: Vec<u32>,
    col: Vec<u32>,
    vals: [Vec<Fr>; 3],
    row_counts: Vec<u32>,
    col_counts: Vec<u32>,
}

impl Ix {
    fn new(shape: &R1csShape, nu: usize) -> Self {
        let mut all: Vec<(u32, u32, usize, Fr)> = Vec::new();
        for (k, matrix) in shape.matrices().into_iter().enumerate() {
            for (r, c, v) in matrix.entries() {
                all.push((r as u32, column(shape, nu, c) as u32, k, v));
            }
        }
        all.sort_by_key(|e| (e.0, e.1));
        let (mut row, mut col) = (Vec::new(), Vec::new());
        let mut vals: [Vec<Fr>; 3] = Default::default();
        for (r, c, k, v) in all {
            if row.last() != Some(&r) || col.last() != Some(&c) {
                row.push(r);
                col.push(c);
                vals.iter_mut().for_each(|vs| vs.push(Fr::ZERO));
            }
            let last = vals[k].len() - 1;
            vals[k][last] += v;
        }
        let m = mle::num_vars(row.len().max(1));
        row.resize(1 << m, 0);
        col.resize(1 << m, 0);
        let counts = |idx: &[u32]| {
            let len = idx.iter().max().map_or(1, |&x| x as usize + 1);
            let mut counts = vec![0u32; len];
            idx.iter().for_each(|&x| counts[x as usize] += 1);
            counts
        };
        let (row_counts, col_counts) = (counts(&row), counts(&col));
        Self {
            m,
            row,
            col,
            vals,
            row_counts,
            col_counts,
        }
    }

    fn commit(&self, key: &PowersOfTauKey) -> SparkCommitment {
        SparkCommitment {
            m: self.m as u32,
            row: key.commit_u32(&self.row).expect("row"),
            col: key.commit_u32(&self.col).expect("col"),
            vals: [0, 1, 2].map(|k| key.commit(&self.vals[k]).expect("vals")),
            row_counts: key.commit_u32(&self.row_counts).expect("counts"),
            col_counts: key.commit_u32(&self.col_counts).expect("counts"),
        }
    }

    /// `a + γb + γ²c` over the `2^m` entries.
    fn val(&self, gamma: Fr) -> Vec<Fr> {
        let mut v: Vec<Fr> = (0..self.vals[0].len())
            .map(|i| self.vals[0][i] + gamma * self.vals[1][i] + gamma.square() * self.vals[2][i])
            .collect();
        v.resize(1 << self.m, Fr::ZERO);
        v
    }

    /// The first entry (not padding) with a non-zero value.
    fn live(&self, gamma: Fr) -> usize {
        let v = self.val(gamma);
        (0..v.len()).find(|&i| !v[i].is_zero()).expect("an entry")
    }
}

struct Setup {
    key: PowersOfTauKey,
    ix: Vec<Ix>,
    real: Vec<SparkIndex>,
    cs: Vec<SparkCommitment>,
    r_y: Vec<Fr>,
    r_x: Vec<Fr>,
    gamma: Fr,
}

fn setup() -> Setup {
    let shapes = [shape(37, 32), shape(5, 8), shape(12, 16)];
    let refs: Vec<&R1csShape> = shapes.iter().collect();
    let (ny, nu) = batch_dims(&refs);
    let key = PowersOfTauKey::from_seed(b"spark test", 1 << 12);
    let real: Vec<SparkIndex> = shapes
        .iter()
        .map(|s| SparkIndex::new(s, nu).expect("index"))
        .collect();
    let cs: Vec<SparkCommitment> = real
        .iter()
        .map(|ix| ix.commit(&key).expect("commit"))
        .collect();
    let ix: Vec<Ix> = shapes.iter().map(|s| Ix::new(s, nu)).collect();
    let mut rng = StdRng::seed_from_u64(7);
    let r_y = (0..ny).map(|_| Fr::rand(&mut rng)).collect();
    let r_x = (0..nu + 2).map(|_| Fr::rand(&mut rng)).collect();
    Setup {
        key,
        ix,
        real,
        cs,
        r_y,
        r_x,
        gamma: Fr::rand(&mut rng),
    }
}

/// The statement a proof is checked against.
#[derive(Clone)]
struct Statement {
    cs: Vec<SparkCommitment>,
    r_y: Vec<Fr>,
    r_x: Vec<Fr>,
    gamma: Fr,
}

impl Setup {
    fn statement(&self) -> Statement {
        Statement {
            cs: self.cs.clone(),
            r_y: self.r_y.clone(),
            r_x: self.r_x.clone(),
            gamma: self.gamma,
        }
    }

    fn honest(&self) -> (Vec<Fr>, SparkProof) {
        let ix: Vec<&SparkIndex> = self.real.iter().collect();
        let mut t = Transcript::new(b"spark");
        sp_prove(&self.key, &ix, &self.r_y, &self.r_x, self.gamma, &mut t).expect("prove")
    }

    /// The true `M_s(r_y, r_x)`.
    fn truth(&self) -> Vec<Fr> {
        let (eq_y, eq_x) = (eq_table(&self.r_y), eq_table(&self.r_x));
        self.real
            .iter()
            .map(|ix| ix.evaluate(&eq_y, &eq_x, self.gamma))
            .collect()
    }
}

/// Runs the verifier; a panic fails the test with the input's description.
fn check_at(s: &Setup, st: &Statement, claims: &[Fr], proof: &SparkProof) -> Result<(), Error> {
    let vk = OpeningKey::of(&s.key).expect("key");
    let cs: Vec<&SparkCommitment> = st.cs.iter().collect();
    let run = || {
        let mut t = Transcript::new(b"spark");
        sp_verify(&vk, &cs, &st.r_y, &st.r_x, st.gamma, claims, proof, &mut t)
    };
    catch_unwind(AssertUnwindSafe(run)).expect("the verifier panicked")
}

fn check(s: &Setup, claims: &[Fr], proof: &SparkProof) -> Result<(), Error> {
    check_at(s, &s.statement(), claims, proof)
}

const SUMCHECK: &str = "the matrix evaluations' sum-check ends off its claim";

fn rejected_by(r: Result<(), Error>, what: &str) -> bool {
    matches!(&r, Err(Error::Rejected(m)) if m.starts_with(what))
}

fn by_sumcheck(r: Result<(), Error>) -> bool {
    rejected_by(r, SUMCHECK)
}

fn by_opening(r: Result<(), Error>) -> bool {
    rejected_by(r, "an opening")
}

// ---------------------------------------------------------------------------------------
// The cheating prover.

type EHook = dyn Fn(usize, &mut Vec<Fr>, &mut Vec<Fr>);
type HHook = dyn Fn(usize, Fr, Fr, &mut Vec<Fr>, &mut Vec<Fr>);
type ValuesHook = dyn Fn(&mut Vec<[Fr; 9]>, &mut [Fr; 4], &[Fr]);
type ClaimsHook = dyn Fn(&mut Vec<Fr>);
type SumsHook = dyn Fn(&mut Vec<[Fr; 2]>);

/// What the cheating prover changes. Every default is the honest prover.
#[derive(Default)]
struct Knobs {
    /// Changes a shape's `E_r`, `E_c` before they are committed (the claims, `h`, `g` and
    /// the sums then follow what was committed).
    e: Option<Box<EHook>>,
    /// Entries appended to a shape's committed `E_r` past its `2^m` (the sum-check sees only
    /// the first `2^m`).
    e_high: Option<Box<dyn Fn(usize) -> Vec<Fr>>>,
    /// Sends, for a vector with entries past its group's length, the opened value divided
    /// by the pad factor (else the value of its first part at the prefix).
    over_pad: bool,
    /// Changes the claims (computed from the committed `E`) before they are absorbed.
    claims: Option<Box<ClaimsHook>>,
    /// Changes a shape's `h_r`, `h_c` after `α, β` (arguments `α, β`).
    h: Option<Box<HHook>>,
    /// Changes the sums sent (computed from the committed `h`).
    sums: Option<Box<SumsHook>>,
    /// Changes the values at the point (and the memory values) before they are absorbed.
    values: Option<Box<ValuesHook>>,
    /// Runs each shape's group of the sum-check zero-padded to `2^n` instead of repeated.
    zero_pad_groups: bool,
}

fn entry_terms(w: &[Fr], alpha: Fr, beta: Fr) -> Terms {
    let (val, er, ec, hr, hc, row, col, et) = (0, 1, 2, 3, 4, 5, 6, 7);
    Terms {
        terms: vec![
            (w[0], vec![val, er, ec]),
            (w[1], vec![hr]),
            (w[2], vec![hc]),
            (w[3] * beta, vec![et, hr]),
            (-w[3], vec![et, hr, row]),
            (-w[3] * alpha, vec![et, hr, er]),
            (-w[3], vec![et]),
            (w[4] * beta, vec![et, hc]),
            (-w[4], vec![et, hc, col]),
            (-w[4] * alpha, vec![et, hc, ec]),
            (-w[4], vec![et]),
        ],
    }
}

fn memory_terms(w: &[Fr], alpha: Fr, beta: Fr) -> Terms {
    let (g, m, et, id, e) = (0, 1, 2, 3, 4);
    Terms {
        terms: vec![
            (w[0], vec![g]),
            (w[1] * beta, vec![et, g]),
            (-w[1], vec![et, g, id]),
            (-w[1] * alpha, vec![et, g, e]),
            (-w[1], vec![et, m]),
        ],
    }
}

fn powers(x: Fr, n: usize) -> Vec<Fr> {
    std::iter::successors(Some(Fr::ONE), |p| Some(*p * x))
        .take(n)
        .collect()
}

fn pad_factor(p: &[Fr], k: usize) -> Fr {
    p[k.min(p.len())..].iter().map(|x| Fr::ONE - x).product()
}

fn field(v: &[u32]) -> Vec<Fr> {
    v.iter().map(|&x| Fr::from(x)).collect()
}

fn inv(mut v: Vec<Fr>) -> Vec<Fr> {
    assert!(v.iter().all(|x| !x.is_zero()));
    ark_ff::batch_inversion(&mut v);
    v
}

/// What the prover sends for the committed vector `f` of a group of `2^bits` entries.
fn value_of(f: &[Fr], point: &[Fr], bits: usize, over_pad: bool) -> Fr {
    if f.len() <= 1 << bits {
        mle::evaluate(f, &point[..bits])
    } else if over_pad {
        mle::evaluate(f, point) * pad_factor(point, bits).inverse().expect("pad")
    } else {
        mle::evaluate(&f[..1 << bits], &point[..bits])
    }
}

/// `counts` summed over the indices, folded into a memory of `len` (aliasing past it).
fn memory_counts(counts: &[&[u32]], len: usize) -> Vec<Fr> {
    let mut m = vec![Fr::ZERO; len];
    for c in counts {
        for (j, x) in c.iter().enumerate() {
            m[j % len] += Fr::from(*x);
        }
    }
    m
}

/// `counts` summed over the indices as committed (no folding).
fn committed_counts(counts: &[&[u32]]) -> Vec<Fr> {
    let len = counts.iter().map(|c| c.len()).max().unwrap_or(0);
    let mut m = vec![Fr::ZERO; len];
    for c in counts {
        for (j, x) in c.iter().enumerate() {
            m[j] += Fr::from(*x);
        }
    }
    m
}

/// [`spark::prove`] re-implemented over [`Ix`] with [`Knobs`]. Rows and columns past the
/// memories alias into them.
fn cheat(
    key: &PowersOfTauKey,
    ix: &[&Ix],
    r_y: &[Fr],
    r_x: &[Fr],
    gamma: Fr,
    k: &Knobs,
) -> Result<(Vec<Fr>, SparkProof), Error> {
    let (ny, nx) = (r_y.len(), r_x.len());
    let n = ix.iter().map(|x| x.m).fold(ny.max(nx), usize::max);
    let (eq_y, eq_x) = (eq_table(r_y), eq_table(r_x));
    let mut t = Transcript::new(b"spark");

    // 1. E, committed; the claims follow from them.
    let mut er: Vec<Vec<Fr>> = Vec::new();
    let mut ec: Vec<Vec<Fr>> = Vec::new();
    for (s, x) in ix.iter().enumerate() {
        let mut a: Vec<Fr> = x
            .row
            .iter()
            .map(|&j| eq_y[j as usize % eq_y.len()])
            .collect();
        let mut b: Vec<Fr> = x
            .col
            .iter()
            .map(|&j| eq_x[j as usize % eq_x.len()])
            .collect();
        if let Some(f) = &k.e {
            f(s, &mut a, &mut b);
        }
        er.push(a);
        ec.push(b);
    }
    let er_committed: Vec<Vec<Fr>> = er
        .iter()
        .enumerate()
        .map(|(s, a)| {
            let mut a = a.clone();
            if let Some(f) = &k.e_high {
                a.extend(f(s));
            }
            a
        })
        .collect();
    let mut claims: Vec<Fr> = ix
        .iter()
        .enumerate()
        .map(|(s, x)| {
            let v = x.val(gamma);
            (0..v.len()).map(|i| v[i] * er[s][i] * ec[s][i]).sum()
        })
        .collect();
    if let Some(f) = &k.claims {
        f(&mut claims);
    }
    t.absorb_slice(&claims);
    let e: Vec<[G1; 2]> = (0..ix.len())
        .map(|s| [key.commit(&er_committed[s]), key.commit(&ec[s])])
        .map(|[a, b]| Ok([a?, b?]))
        .collect::<Result<_, Error>>()?;
    e.iter().flatten().for_each(|p| t.absorb_g1(p));
    let alpha = t.challenge();
    let beta = t.challenge();

    // 2. h, g and the sums.
    let mut hr: Vec<Vec<Fr>> = Vec::new();
    let mut hc: Vec<Vec<Fr>> = Vec::new();
    for (s, x) in ix.iter().enumerate() {
        let d = |idx: &[u32], e: &[Fr]| -> Vec<Fr> {
            idx.iter()
                .zip(e)
                .map(|(&j, e)| beta - Fr::from(j) - alpha * e)
                .collect()
        };
        let mut a = inv(d(&x.row, &er[s]));
        let mut b = inv(d(&x.col, &ec[s]));
        if let Some(f) = &k.h {
            f(s, alpha, beta, &mut a, &mut b);
        }
        hr.push(a);
        hc.push(b);
    }
    let rc: Vec<&[u32]> = ix.iter().map(|x| x.row_counts.as_slice()).collect();
    let cc: Vec<&[u32]> = ix.iter().map(|x| x.col_counts.as_slice()).collect();
    let m_r = memory_counts(&rc, 1 << ny);
    let m_c = memory_counts(&cc, 1 << nx);
    let g_of = |m: &[Fr], e: &[Fr]| -> Vec<Fr> {
        let d: Vec<Fr> = (0..m.len())
            .map(|j| beta - Fr::from(j as u64) - alpha * e[j])
            .collect();
        inv(d).iter().zip(m).map(|(a, b)| *a * b).collect()
    };
    let (g_r, g_c) = (g_of(&m_r, &eq_y), g_of(&m_c, &eq_x));
    let g = [key.commit(&g_r)?, key.commit(&g_c)?];
    let h: Vec<[G1; 2]> = (0..ix.len())
        .map(|s| Ok([key.commit(&hr[s])?, key.commit(&hc[s])?]))
        .collect::<Result<_, Error>>()?;
    let mut sums: Vec<[Fr; 2]> = (0..ix.len())
        .map(|s| [hr[s].iter().sum(), hc[s].iter().sum()])
        .collect();
    if let Some(f) = &k.sums {
        f(&mut sums);
    }
    h.iter().flatten().chain(&g).for_each(|p| t.absorb_g1(p));
    sums.iter().for_each(|x| t.absorb_slice(x));
    let lambda = t.challenge();
    let tau = t.challenges(n);

    // 3. The sum-check.
    let w = powers(lambda, 5 * ix.len() + 4);
    let mut groups = Vec::new();
    for (s, x) in ix.iter().enumerate() {
        let mut tables = vec![
            x.val(gamma),
            er[s].clone(),
            ec[s].clone(),
            hr[s].clone(),
            hc[s].clone(),
            field(&x.row),
            field(&x.col),
            eq_table(&tau[..x.m]),
        ];
        if k.zero_pad_groups {
            tables.iter_mut().for_each(|t| t.resize(1 << n, Fr::ZERO));
        }
        groups.push(Group {
            terms: entry_terms(&w[5 * s..], alpha, beta),
            tables,
        });
    }
    let base = 5 * ix.len();
    for (j, (gm, mm, ev, bits)) in [(&g_r, &m_r, &eq_y, ny), (&g_c, &m_c, &eq_x, nx)]
        .into_iter()
        .enumerate()
    {
        groups.push(Group {
            terms: memory_terms(&w[base + 2 * j..], alpha, beta),
            tables: vec![
                gm.clone(),
                mm.clone(),
                eq_table(&tau[..bits]),
                (0..1u64 << bits).map(Fr::from).collect(),
                ev.clone(),
            ],
        });
    }
    let (sumcheck, point, _) = sumcheck::prove_groups(groups, &mut t);

    // 4. Values and the opening, of what was committed.
    let m_r_committed = committed_counts(&rc);
    let m_c_committed = committed_counts(&cc);
    let vectors: Vec<[Vec<Fr>; 9]> = ix
        .iter()
        .enumerate()
        .map(|(s, x)| {
            [
                field(&x.row),
                field(&x.col),
                x.vals[0].clone(),
                x.vals[1].clone(),
                x.vals[2].clone(),
                er_committed[s].clone(),
                ec[s].clone(),
                hr[s].clone(),
                hc[s].clone(),
            ]
        })
        .collect();
    let mut vals: Vec<[Fr; 9]> = vectors
        .iter()
        .zip(ix)
        .map(|(vs, x)| vs.clone().map(|v| value_of(&v, &point, x.m, k.over_pad)))
        .collect();
    let mems = [&g_r, &m_r_committed, &g_c, &m_c_committed];
    let mut memory_values = [0, 1, 2, 3].map(|j| {
        let bits = if j < 2 { ny } else { nx };
        value_of(mems[j], &point, bits, k.over_pad)
    });
    if let Some(f) = &k.values {
        f(&mut vals, &mut memory_values, &point);
    }
    vals.iter().for_each(|v| t.absorb_slice(v));
    t.absorb_slice(&memory_values);
    let kappa = t.challenge();
    let kp = powers(kappa, 9 * ix.len() + 4);
    let all: Vec<&Vec<Fr>> = vectors.iter().flatten().chain(mems).collect();
    let len = all.iter().map(|v| v.len()).max().unwrap_or(0).max(1 << n);
    let mut combined = vec![Fr::ZERO; len];
    for (c, v) in kp.iter().zip(&all) {
        combined
            .iter_mut()
            .zip(v.iter())
            .for_each(|(a, b)| *a += *c * b);
    }
    let opening = opening::prove(key, &combined, &point, &mut t)?;
    Ok((
        claims,
        SparkProof {
            e,
            h,
            g,
            sums,
            sumcheck,
            values: vals,
            memory_values,
            opening,
        },
    ))
}

fn run(s: &Setup, k: &Knobs) -> (Vec<Fr>, SparkProof) {
    let ix: Vec<&Ix> = s.ix.iter().collect();
    cheat(&s.key, &ix, &s.r_y, &s.r_x, s.gamma, k).expect("cheat")
}

// ---------------------------------------------------------------------------------------
// The cheating prover is the honest one without knobs.

#[test]
fn the_cheating_prover_without_knobs_is_the_honest_prover() {
    let s = setup();
    for (ix, c) in s.ix.iter().zip(&s.cs) {
        assert_eq!(ix.commit(&s.key), *c, "re-derived index");
    }
    let (claims, proof) = s.honest();
    let (c2, p2) = run(&s, &Knobs::default());
    assert_eq!(claims, c2);
    assert_eq!(claims, s.truth());
    assert_eq!(proof, p2);
    check(&s, &claims, &proof).expect("honest proof verifies");
}

// ---------------------------------------------------------------------------------------
// 1. Wrong eq lookups, every later step consistent with the committed E.

/// One entry of `E_r` (or `E_c`) changed in each shape in turn; h, g, the sums and the
/// claim follow the committed E. The claim is false and the memory check cannot close.
#[test]
fn one_changed_e_entry_with_consistent_h_g_and_sums_is_rejected() {
    let s = setup();
    let truth = s.truth();
    for shape in 0..s.ix.len() {
        for which in 0..2 {
            let i = s.ix[shape].live(s.gamma);
            let k = Knobs {
                e: Some(Box::new(move |sh, a, b| {
                    if sh == shape {
                        let t = if which == 0 { a } else { b };
                        t[i] += Fr::from(3u64);
                    }
                })),
                ..Default::default()
            };
            let (claims, proof) = run(&s, &k);
            assert_ne!(claims[shape], truth[shape], "the claim is false");
            assert!(by_sumcheck(check(&s, &claims, &proof)), "{shape} {which}");
        }
    }
}

/// E_r changed to another row's eq value (a value that is in the memory, at another row).
#[test]
fn an_e_entry_set_to_another_rows_eq_is_rejected() {
    let s = setup();
    let eq_y = eq_table(&s.r_y);
    let ix = &s.ix[0];
    let i = ix.live(s.gamma);
    let other = (ix.row[i] as usize + 1) % eq_y.len();
    let target = eq_y[other];
    let k = Knobs {
        e: Some(Box::new(move |sh, a, _| {
            if sh == 0 {
                a[i] = target;
            }
        })),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &k);
    assert_ne!(claims[0], s.truth()[0]);
    assert!(by_sumcheck(check(&s, &claims, &proof)));
}

/// Two entries of one row shifted by `+δ` and `−δ` (the row's sum of E unchanged), and two
/// entries of different rows swapping their E values (the multiset of E values unchanged).
#[test]
fn compensating_changes_to_e_are_rejected() {
    let s = setup();
    let ix = &s.ix[0];
    let v = ix.val(s.gamma);
    // Two live entries in the same row.
    let (i, j) = (0..v.len())
        .flat_map(|i| (i + 1..v.len()).map(move |j| (i, j)))
        .find(|&(i, j)| ix.row[i] == ix.row[j] && !v[i].is_zero() && !v[j].is_zero())
        .expect("two entries of one row");
    let d = Fr::from(11u64);
    let k = Knobs {
        e: Some(Box::new(move |sh, a, _| {
            if sh == 0 {
                a[i] += d;
                a[j] -= d;
            }
        })),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &k);
    assert_ne!(claims[0], s.truth()[0]);
    assert!(by_sumcheck(check(&s, &claims, &proof)));

    // Two live entries of different rows swap their E_r.
    let (i, j) = (0..v.len())
        .flat_map(|i| (i + 1..v.len()).map(move |j| (i, j)))
        .find(|&(i, j)| ix.row[i] != ix.row[j] && !v[i].is_zero() && !v[j].is_zero())
        .expect("two entries of two rows");
    let k = Knobs {
        e: Some(Box::new(move |sh, a, _| {
            if sh == 0 {
                a.swap(i, j);
            }
        })),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &k);
    assert_ne!(claims[0], s.truth()[0]);
    assert!(by_sumcheck(check(&s, &claims, &proof)));
}

/// E changed so that the main sum stays right (a true claim, entries `i, j` moved against
/// each other), and E changed only on padding entries (value 0): the lookup is broken and
/// the verifier still rejects.
#[test]
fn a_broken_lookup_that_keeps_the_main_sum_is_rejected() {
    let s = setup();
    let ix = &s.ix[0];
    let v = ix.val(s.gamma);
    let eq_x = eq_table(&s.r_x);
    let live: Vec<usize> = (0..v.len()).filter(|&i| !v[i].is_zero()).collect();
    let (i, j) = (live[0], live[1]);
    let d = Fr::from(5u64);
    let (ci, cj) = (
        v[i] * eq_x[ix.col[i] as usize],
        v[j] * eq_x[ix.col[j] as usize],
    );
    let (di, dj) = (
        d * ci.inverse().expect("nz"),
        -d * cj.inverse().expect("nz"),
    );
    let k = Knobs {
        e: Some(Box::new(move |sh, a, _| {
            if sh == 0 {
                a[i] += di;
                a[j] += dj;
            }
        })),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &k);
    assert_eq!(claims, s.truth(), "the main sum is kept");
    assert!(by_sumcheck(check(&s, &claims, &proof)));

    if let Some(p) = (0..v.len()).rev().find(|&p| p >= ix.vals[0].len()) {
        let k = Knobs {
            e: Some(Box::new(move |sh, a, b| {
                if sh == 0 {
                    a[p] += Fr::ONE;
                    b[p] += Fr::ONE;
                }
            })),
            ..Default::default()
        };
        let (claims, proof) = run(&s, &k);
        assert_eq!(claims, s.truth());
        assert!(by_sumcheck(check(&s, &claims, &proof)));
    }
}

/// Wrong E; h committed as the honest inverses (so that Σ h and the memory agree) — the
/// zero check of h against the committed E fails. And wrong E with true inverses of it, but
/// the sums sent as the honest ones (which the memory total matches) — Σ h is off.
#[test]
fn wrong_e_with_h_or_sums_made_to_balance_the_memory_is_rejected() {
    let s = setup();
    let eq_y = eq_table(&s.r_y);
    let ix = s.ix[0].clone();
    let i = ix.live(s.gamma);
    let honest = eq_y[ix.row[i] as usize];
    let row = Fr::from(ix.row[i]);
    let k = Knobs {
        e: Some(Box::new(move |sh, a, _| {
            if sh == 0 {
                a[i] += Fr::ONE;
            }
        })),
        h: Some(Box::new(move |sh, alpha, beta, hr, _| {
            if sh == 0 {
                hr[i] = (beta - row - alpha * honest).inverse().expect("nz");
            }
        })),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &k);
    assert_ne!(claims[0], s.truth()[0]);
    // The logUp identity itself holds now: only the zero check can catch it.
    assert!(by_sumcheck(check(&s, &claims, &proof)));

    // The sums: send what the honest h would sum to (h the true inverses of the wrong E).
    let k = Knobs {
        e: Some(Box::new(move |sh, a, _| {
            if sh == 0 {
                a[i] += Fr::ONE;
            }
        })),
        ..Default::default()
    };
    let (claims_a, proof_a) = run(&s, &k);
    // The honest S_r of shape 0 is the sum of the true inverses; recompute it with the
    // transcript's α, β (same claims and E as proof_a, so the same α, β).
    let (alpha, beta) = {
        let mut t = Transcript::new(b"spark");
        t.absorb_slice(&claims_a);
        proof_a.e.iter().flatten().for_each(|p| t.absorb_g1(p));
        (t.challenge(), t.challenge())
    };
    let honest_sr: Fr = ix
        .row
        .iter()
        .map(|&j| {
            (beta - Fr::from(j) - alpha * eq_y[j as usize])
                .inverse()
                .expect("nz")
        })
        .sum();
    assert_ne!(proof_a.sums[0][0], honest_sr);
    let k = Knobs {
        e: Some(Box::new(move |sh, a, _| {
            if sh == 0 {
                a[i] += Fr::ONE;
            }
        })),
        sums: Some(Box::new(move |sums| sums[0][0] = honest_sr)),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &k);
    assert_eq!(claims, claims_a);
    assert!(by_sumcheck(check(&s, &claims, &proof)));
}

// ---------------------------------------------------------------------------------------
// 2. The grouped sum-check.

/// Per-shape sums changed with their total kept: between shapes (also scaled by the
/// groups' repetition factors `2^(n − m_s)`), and between `S_r` and `S_c` of one shape.
#[test]
fn sums_moved_between_groups_are_rejected() {
    let s = setup();
    let n =
        s.ix.iter()
            .map(|x| x.m)
            .fold(s.r_y.len().max(s.r_x.len()), usize::max);
    let d = Fr::from(9u64);
    let two = Fr::from(2u64);
    let (m0, m1) = (s.ix[0].m, s.ix[1].m);
    assert_ne!(m0, m1, "shapes of different sizes");
    let scaled = d * two.pow([(n - m0) as u64]) * two.pow([(n - m1) as u64]).inverse().expect("nz");
    let moves: Vec<Box<SumsHook>> = vec![
        Box::new(move |x| {
            x[0][0] += d;
            x[1][0] -= d;
        }),
        Box::new(move |x| {
            x[0][1] += d;
            x[2][1] -= d;
        }),
        Box::new(move |x| {
            x[0][0] += d;
            x[0][1] -= d;
        }),
        // Keeps Σ_s 2^(n − m_s)·S_r[s] instead.
        Box::new(move |x| {
            x[0][0] += d;
            x[1][0] -= scaled;
        }),
        // Moves value from a sum into a claim.
        Box::new(move |x| {
            x[1][0] -= d;
        }),
    ];
    for (k, mv) in moves.into_iter().enumerate() {
        let last = k == 4;
        let knobs = Knobs {
            sums: Some(mv),
            claims: last.then(|| Box::new(move |c: &mut Vec<Fr>| c[1] += d) as Box<_>),
            ..Default::default()
        };
        let (claims, proof) = run(&s, &knobs);
        assert!(by_sumcheck(check(&s, &claims, &proof)), "move {k}");
    }
}

/// Claims moved between two copies of one index (duplicated indices), and between shapes.
#[test]
fn claims_moved_between_shapes_or_duplicates_are_rejected() {
    let s = setup();
    let d = Fr::from(4u64);
    let knobs = Knobs {
        claims: Some(Box::new(move |c| {
            c[0] += d;
            c[1] -= d;
        })),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &knobs);
    assert!(by_sumcheck(check(&s, &claims, &proof)));

    // Duplicated index: honest proof verifies; moved claims do not.
    let ix: Vec<&Ix> = vec![&s.ix[1], &s.ix[1]];
    let st = Statement {
        cs: vec![s.cs[1], s.cs[1]],
        ..s.statement()
    };
    let (claims, proof) =
        cheat(&s.key, &ix, &s.r_y, &s.r_x, s.gamma, &Knobs::default()).expect("cheat");
    check_at(&s, &st, &claims, &proof).expect("a duplicated index is fine");
    let (claims, proof) = cheat(&s.key, &ix, &s.r_y, &s.r_x, s.gamma, &knobs).expect("cheat");
    assert!(by_sumcheck(check_at(&s, &st, &claims, &proof)));
}

/// The prover runs each shape's group zero-padded to `2^n` (the opening's semantics)
/// instead of repeated (the sum-check's): the batched claim and the final check disagree.
#[test]
fn zero_padded_groups_in_the_sumcheck_are_rejected() {
    let s = setup();
    let knobs = Knobs {
        zero_pad_groups: true,
        ..Default::default()
    };
    let (claims, proof) = run(&s, &knobs);
    assert!(by_sumcheck(check(&s, &claims, &proof)));
    // Even with the claims scaled to what the zero-padded groups sum to in the big cube
    // (a short group counts once instead of 2^(n − m) times) it cannot close.
    let n =
        s.ix.iter()
            .map(|x| x.m)
            .fold(s.r_y.len().max(s.r_x.len()), usize::max);
    let ms: Vec<usize> = s.ix.iter().map(|x| x.m).collect();
    let knobs = Knobs {
        zero_pad_groups: true,
        claims: Some(Box::new(move |c| {
            for (x, m) in c.iter_mut().zip(&ms) {
                *x *= Fr::from(2u64).pow([(n - m) as u64]).inverse().expect("nz");
            }
        })),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &knobs);
    assert!(check(&s, &claims, &proof).is_err());
}

// ---------------------------------------------------------------------------------------
// 3. The opening and the zero-padding.

/// A committed `E_r` longer than its group (junk past `2^m`): with the values of its first
/// part, the opening fails; with the opened value over the pad factor, the sum-check's
/// final check fails. The junk is chosen to change nothing in the sum-check's view.
#[test]
fn a_vector_longer_than_its_group_is_rejected() {
    let s = setup();
    // The smallest shape, so that 2^m < 2^n.
    let small = (0..s.ix.len()).min_by_key(|&k| s.ix[k].m).expect("shapes");
    let n =
        s.ix.iter()
            .map(|x| x.m)
            .fold(s.r_y.len().max(s.r_x.len()), usize::max);
    assert!(s.ix[small].m < n);
    let len = 1usize << s.ix[small].m;
    for over_pad in [false, true] {
        let knobs = Knobs {
            e_high: Some(Box::new(move |sh| {
                if sh == small {
                    (0..len).map(|i| Fr::from(i as u64 + 1)).collect()
                } else {
                    Vec::new()
                }
            })),
            over_pad,
            ..Default::default()
        };
        let (claims, proof) = run(&s, &knobs);
        assert_eq!(claims, s.truth());
        let r = check(&s, &claims, &proof);
        let msg = format!("{r:?}");
        if over_pad {
            assert!(by_sumcheck(r), "over the pad: {msg}");
        } else {
            assert!(by_opening(r), "first part: {msg}");
        }
    }
}

/// Values sent as the zero-padded vectors' values at the whole point (not divided by the
/// pad factor), or one short vector's value changed and another's changed to keep the
/// opened combination — rejected.
#[test]
fn values_read_with_the_wrong_padding_are_rejected() {
    let s = setup();
    let ms: Vec<usize> = s.ix.iter().map(|x| x.m).collect();
    let (ny, nx) = (s.r_y.len(), s.r_x.len());
    let knobs = Knobs {
        values: Some(Box::new(move |v, mv, p| {
            for (x, m) in v.iter_mut().zip(&ms) {
                let pad = pad_factor(p, *m);
                x.iter_mut().for_each(|y| *y *= pad);
            }
            for (j, y) in mv.iter_mut().enumerate() {
                *y *= pad_factor(p, if j < 2 { ny } else { nx });
            }
        })),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &knobs);
    assert!(check(&s, &claims, &proof).is_err());

    // Each value in turn changed by one: the final check or the opening catches it.
    for sh in 0..s.ix.len() {
        for j in 0..9 {
            let knobs = Knobs {
                values: Some(Box::new(move |v, _, _| v[sh][j] += Fr::ONE)),
                ..Default::default()
            };
            let (claims, proof) = run(&s, &knobs);
            assert!(check(&s, &claims, &proof).is_err(), "value {sh} {j}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 4. Mismatched inputs.

#[test]
fn mismatched_statements_are_rejected_without_panics() {
    let s = setup();
    let (claims, proof) = s.honest();
    let base = s.statement();
    let mut bad: Vec<(&str, Statement, Vec<Fr>)> = Vec::new();
    let mut st = base.clone();
    st.cs.swap(0, 1);
    bad.push(("commitments of other shapes", st, claims.clone()));
    let mut st = base.clone();
    st.cs.reverse();
    let mut c = claims.clone();
    c.reverse();
    bad.push(("shapes and claims reversed", st, c));
    let mut st = base.clone();
    st.gamma += Fr::ONE;
    bad.push(("another γ", st, claims.clone()));
    for (what, f) in [
        ("r_y longer", 0),
        ("r_y shorter", 1),
        ("r_x longer", 2),
        ("r_x shorter", 3),
        ("r_y and r_x swapped", 4),
        ("r_y empty", 5),
        ("both empty", 6),
        ("r_y of 41", 7),
        ("r_y of 40", 8),
    ] {
        let mut st = base.clone();
        match f {
            0 => st.r_y.push(Fr::ZERO),
            1 => {
                st.r_y.pop();
            }
            2 => st.r_x.push(Fr::ZERO),
            3 => {
                st.r_x.pop();
            }
            4 => std::mem::swap(&mut st.r_y, &mut st.r_x),
            5 => st.r_y.clear(),
            6 => {
                st.r_y.clear();
                st.r_x.clear();
            }
            7 => st.r_y = vec![Fr::ONE; 41],
            _ => st.r_y = vec![Fr::ONE; 40],
        }
        bad.push((what, st, claims.clone()));
    }
    for m in [
        s.cs[0].m + 1,
        s.cs[0].m.saturating_sub(1),
        0,
        39,
        40,
        41,
        64,
        u32::MAX,
    ] {
        let mut st = base.clone();
        st.cs[0].m = m;
        bad.push(("m changed", st, claims.clone()));
    }
    let mut st = base.clone();
    st.cs.clear();
    bad.push(("no indices, no claims", st, Vec::new()));
    let mut st = base.clone();
    st.cs.clear();
    bad.push(("no indices", st, claims.clone()));
    let mut st = base.clone();
    st.cs.push(s.cs[0]);
    bad.push(("an index more", st, claims.clone()));
    let mut st = base.clone();
    st.cs[1] = st.cs[0];
    bad.push(("an index duplicated", st, claims.clone()));
    for (what, st, c) in &bad {
        assert!(check_at(&s, st, c, &proof).is_err(), "{what}");
    }
}

/// A proof made (honestly) for a duplicated or reordered or empty list of indices is
/// checked against its own statement; the empty one must not panic either way.
#[test]
fn duplicated_reordered_and_empty_index_lists() {
    let s = setup();
    let ix: Vec<&SparkIndex> = vec![&s.real[2], &s.real[0], &s.real[2]];
    let mut t = Transcript::new(b"spark");
    let (claims, proof) = sp_prove(&s.key, &ix, &s.r_y, &s.r_x, s.gamma, &mut t).expect("p");
    let st = Statement {
        cs: vec![s.cs[2], s.cs[0], s.cs[2]],
        ..s.statement()
    };
    check_at(&s, &st, &claims, &proof).expect("reordered and duplicated verify");
    assert_eq!(claims, vec![s.truth()[2], s.truth()[0], s.truth()[2]]);
    assert!(check(&s, &claims, &proof).is_err());

    let mut t = Transcript::new(b"spark");
    let (claims, proof) = sp_prove(&s.key, &[], &s.r_y, &s.r_x, s.gamma, &mut t).expect("p");
    assert!(claims.is_empty());
    let st = Statement {
        cs: Vec::new(),
        ..s.statement()
    };
    // An empty statement (nothing claimed) verifies; no claim can ride on it.
    check_at(&s, &st, &claims, &proof).expect("the empty statement");
    assert!(check_at(&s, &st, &[Fr::ONE], &proof).is_err());
    // Empty everything: n = 0.
    let st0 = Statement {
        cs: Vec::new(),
        r_y: Vec::new(),
        r_x: Vec::new(),
        gamma: s.gamma,
    };
    assert!(check_at(&s, &st0, &[], &proof).is_err());
    let r = catch_unwind(AssertUnwindSafe(|| {
        sp_prove(
            &s.key,
            &[],
            &[],
            &[],
            s.gamma,
            &mut Transcript::new(b"spark"),
        )
    }));
    assert!(
        matches!(r, Ok(Err(_))),
        "prove on nothing: an error, not a panic"
    );
}

/// `r_y` shorter than the index's rows: the honest prover refuses; a prover that aliases the
/// rows past the memory into it (eq of the low bits) is rejected.
#[test]
fn rows_past_the_memory_are_rejected() {
    let s = setup();
    let mut r_y = s.r_y.clone();
    r_y.pop();
    let ix: Vec<&SparkIndex> = s.real.iter().collect();
    let r = sp_prove(
        &s.key,
        &ix,
        &r_y,
        &s.r_x,
        s.gamma,
        &mut Transcript::new(b"spark"),
    );
    assert!(r.is_err());
    let st = Statement {
        r_y: r_y.clone(),
        ..s.statement()
    };
    for over_pad in [false, true] {
        let knobs = Knobs {
            over_pad,
            ..Default::default()
        };
        let ixs: Vec<&Ix> = s.ix.iter().collect();
        let (claims, proof) = cheat(&s.key, &ixs, &r_y, &s.r_x, s.gamma, &knobs).expect("cheat");
        assert!(check_at(&s, &st, &claims, &proof).is_err(), "{over_pad}");
    }
}

// ---------------------------------------------------------------------------------------
// 5. Malformed proofs: rejected, never a panic.

#[test]
fn malformed_proofs_are_rejected_without_panics() {
    let s = setup();
    let (claims, proof) = s.honest();
    let g = s.key.bases()[1];
    let zero = G1::zero();
    let mut bad: Vec<(String, SparkProof)> = Vec::new();
    let mut add = |what: &str, f: &dyn Fn(&mut SparkProof)| {
        let mut p = proof.clone();
        f(&mut p);
        bad.push((what.to_string(), p));
    };
    add("e short", &|p| {
        p.e.pop();
    });
    add("e long", &|p| p.e.push([g, g]));
    add("e empty", &|p| p.e.clear());
    add("h short", &|p| {
        p.h.pop();
    });
    add("h long", &|p| p.h.push([g, g]));
    add("sums short", &|p| {
        p.sums.pop();
    });
    add("sums long", &|p| p.sums.push([Fr::ONE; 2]));
    add("values short", &|p| {
        p.values.pop();
    });
    add("values long", &|p| p.values.push([Fr::ONE; 9]));
    add("rounds short", &|p| {
        p.sumcheck.rounds.pop();
    });
    add("rounds long", &|p| p.sumcheck.rounds.push(vec![Fr::ONE; 3]));
    add("rounds empty", &|p| p.sumcheck.rounds.clear());
    add("a round short", &|p| {
        p.sumcheck.rounds[0].pop();
    });
    add("a round long", &|p| p.sumcheck.rounds[0].push(Fr::ONE));
    add("a round empty", &|p| p.sumcheck.rounds[3].clear());
    add("last round empty", &|p| {
        p.sumcheck.rounds.last_mut().expect("r").clear()
    });
    add("folds short", &|p| {
        p.opening.folds.pop();
    });
    add("folds long", &|p| p.opening.folds.push(g));
    add("folds empty", &|p| p.opening.folds.clear());
    add("evals short", &|p| {
        p.opening.evals.pop();
    });
    add("evals long", &|p| p.opening.evals.push([Fr::ONE; 3]));
    add("evals empty", &|p| p.opening.evals.clear());
    add("identity points", &|p| {
        p.e.iter_mut().flatten().for_each(|x| *x = zero);
        p.h.iter_mut().flatten().for_each(|x| *x = zero);
        p.g = [zero; 2];
        p.opening.folds.iter_mut().for_each(|x| *x = zero);
        p.opening.quotients = [zero; 2];
    });
    add("zero values", &|p| {
        p.values.iter_mut().flatten().for_each(|x| *x = Fr::ZERO);
        p.memory_values = [Fr::ZERO; 4];
        p.sums.iter_mut().flatten().for_each(|x| *x = Fr::ZERO);
    });
    // A point off the curve (only reachable without deserialization's checks).
    add("a point off the curve", &|p| {
        p.e[0][0] = G1::new_unchecked(ark_bn254::Fq::ONE, ark_bn254::Fq::ONE);
    });
    let empty = SparkProof {
        e: Vec::new(),
        h: Vec::new(),
        g: [zero; 2],
        sums: Vec::new(),
        sumcheck: sumcheck::SumcheckProof { rounds: Vec::new() },
        values: Vec::new(),
        memory_values: [Fr::ZERO; 4],
        opening: opening::OpeningProof {
            folds: Vec::new(),
            evals: Vec::new(),
            quotients: [zero; 2],
        },
    };
    bad.push(("all empty".into(), empty.clone()));
    for (what, p) in &bad {
        assert!(check(&s, &claims, p).is_err(), "{what}");
    }
    // The empty proof against the empty statement, with n = 0 and n > 0.
    for (r_y, r_x) in [(vec![], vec![]), (vec![Fr::ONE], vec![])] {
        let st = Statement {
            cs: Vec::new(),
            r_y,
            r_x,
            gamma: s.gamma,
        };
        assert!(check_at(&s, &st, &[], &empty).is_err());
    }
}

/// Truncated bytes, a huge length prefix and flipped bytes: deserialization fails or the
/// verifier rejects, and nothing panics or allocates without bound.
#[test]
fn malformed_proof_bytes_do_not_panic() {
    let s = setup();
    let (claims, proof) = s.honest();
    let mut bytes = Vec::new();
    proof.serialize_compressed(&mut bytes).expect("ser");
    let read = |b: &[u8]| {
        catch_unwind(AssertUnwindSafe(|| {
            SparkProof::deserialize_compressed(b).map(|p| check(&s, &claims, &p))
        }))
        .expect("no panic")
    };
    assert!(matches!(read(&bytes), Ok(Ok(()))));
    for cut in [0, 1, 8, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(read(&bytes[..cut]).is_err(), "cut {cut}");
    }
    let mut huge = bytes.clone();
    huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(read(&huge).is_err());
    for pos in (0..bytes.len()).step_by(97) {
        let mut b = bytes.clone();
        b[pos] ^= 0x41;
        assert!(!matches!(read(&b), Ok(Ok(()))), "flip at {pos}");
    }
}

// ---------------------------------------------------------------------------------------
// 6. The transcript.

/// The prover picks E after α, β: with a dry run's α, β it builds a wrong E_r (a false
/// claim) whose logUp sum equals the honest one *at those challenges* (two entries of one
/// row: the first moved, the second solved for). Committing it changes α, β, so the real
/// proof fails — the transcript binds E before α, β.
#[test]
fn e_chosen_after_alpha_beta_does_not_help() {
    let s = setup();
    let (claims, proof) = s.honest();
    let (alpha, beta) = {
        let mut t = Transcript::new(b"spark");
        t.absorb_slice(&claims);
        proof.e.iter().flatten().for_each(|p| t.absorb_g1(p));
        (t.challenge(), t.challenge())
    };
    let ix = &s.ix[0];
    let v = ix.val(s.gamma);
    let (i, j) = (0..v.len())
        .flat_map(|i| (i + 1..v.len()).map(move |j| (i, j)))
        .find(|&(i, j)| ix.row[i] == ix.row[j] && !v[i].is_zero())
        .expect("two entries of one row");
    let eq_y = eq_table(&s.r_y);
    let (r, e) = (Fr::from(ix.row[i]), eq_y[ix.row[i] as usize]);
    let q = |x: Fr| (beta - r - alpha * x).inverse().expect("nz");
    let ei = e + Fr::from(2u64);
    // 1/(β − r − α e_j) = 2/(β − r − α e) − 1/(β − r − α e_i).
    let target = (q(e).double() - q(ei)).inverse().expect("nz");
    let ej = (beta - r - target) * alpha.inverse().expect("nz");
    assert_eq!(
        q(ei) + q(ej),
        q(e).double(),
        "balanced at the dry run's α, β"
    );
    let knobs = Knobs {
        e: Some(Box::new(move |sh, a, _| {
            if sh == 0 {
                a[i] = ei;
                a[j] = ej;
            }
        })),
        ..Default::default()
    };
    let (claims, proof) = run(&s, &knobs);
    assert_ne!(claims[0], s.truth()[0]);
    assert!(by_sumcheck(check(&s, &claims, &proof)));
}

/// What the verifier's transcript absorbs: the claims, E, h, g and the sums, the rounds,
/// the values — a proof replayed under a transcript that absorbed anything before is
/// rejected, and one with a claim changed is rejected even when everything after is
/// recomputed honestly for the original claim.
#[test]
fn the_transcript_binds_the_claims_and_its_start() {
    let s = setup();
    let (claims, proof) = s.honest();
    let vk = OpeningKey::of(&s.key).expect("key");
    let cs: Vec<&SparkCommitment> = s.cs.iter().collect();
    let mut t = Transcript::new(b"spark");
    t.absorb(&Fr::ONE);
    assert!(sp_verify(&vk, &cs, &s.r_y, &s.r_x, s.gamma, &claims, &proof, &mut t).is_err());
    // r_y, r_x, γ and the set-up commitments are NOT absorbed by the module: two
    // statements that differ only there share α, β, λ, τ and the point. The caller must
    // absorb them (or derive them from its transcript) before calling.
    let mut other = s.statement();
    other.gamma += Fr::ONE;
    assert!(check_at(&s, &other, &claims, &proof).is_err());
}

/// The prover on absurd point lengths: an error, not a panic (prover side only: the
/// verifier bounds `n` by 40 before anything else).
#[test]
fn prove_on_absurd_point_lengths_errs() {
    let s = setup();
    let ix: Vec<&SparkIndex> = s.real.iter().collect();
    for len in [41usize, 63] {
        let r_y = vec![Fr::ONE; len];
        let r = catch_unwind(AssertUnwindSafe(|| {
            sp_prove(
                &s.key,
                &ix,
                &r_y,
                &s.r_x,
                s.gamma,
                &mut Transcript::new(b"spark"),
            )
        }));
        assert!(matches!(r, Ok(Err(_))), "r_y of {len}");
    }
}

/// Found by this review (prover side): `spark::prove` computed `1 << ny` before bounding
/// `ny`, so an `r_y` of 64 or more coordinates panicked with a shift overflow (and in
/// release wrapped, fooling the key-length check). `prove` now bounds both memories first,
/// as `verify` does.
#[test]
fn prove_on_an_r_y_of_64_errs() {
    let s = setup();
    let ix: Vec<&SparkIndex> = s.real.iter().collect();
    let r_y = vec![Fr::ONE; 64];
    let r = catch_unwind(AssertUnwindSafe(|| {
        sp_prove(
            &s.key,
            &ix,
            &r_y,
            &s.r_x,
            s.gamma,
            &mut Transcript::new(b"spark"),
        )
    }));
    assert!(matches!(r, Ok(Err(_))), "panicked");
}
