//! Benchmarks of the folding engine.
//!
//! - `inverse/fq/{safegcd,ark}`: 256 inversions in BN254's base field, by
//!   [`crease_folding::inverse`] and by ark-ff;
//! - `poseidon/hash77/{crease,ark}`: a native Poseidon hash of 77 elements (a state hash,
//!   10 permutations) by the crate's sponge and by ark-crypto-primitives';
//! - `msm/{bits,u32,full}/N`: committing N scalars of each width with the BN254 key
//!   (`msm/{bits,u32}_direct/N`: the same values through the width-specific entry points;
//!   `msm/{bits,u32,full}_ark/N`: the same values through ark-ec's own MSMs);
//! - `prove_step/{u32,grid,full}/2^k`: one IVC step whose step circuit has 2^k
//!   multiplications: `u32` takes two fresh 16-bit factors per product (three small witness
//!   values per constraint), `grid` multiplies 16-bit factors along the sides of a grid
//!   (about one 32-bit value per constraint), `full` takes full-size factors; beside
//! - `commit_fresh/{u32,grid,full}/2^k`: the MSMs of that step's own fresh witness, made as
//!   the prover makes them (the floor of a design that commits only the witness), and
//! - `msm_full/2^k`: a full-scalar MSM as long as the step's constraint count (what a
//!   classic Nova fold pays to commit its cross term);
//! - `verify/u32/2^k`: verifying the IVC proof;
//! - `products/grid/2^k`: `A·z, B·z, C·z` of the grid step's fresh witness (what the prover
//!   computes for each fresh instance);
//! - `mle/{restrict_to_line,evaluate}/N`: the fold's two passes over the error terms, for
//!   N = 81,937 entries (the 2^16 step's constraints) and 17 variables.
//!
//! The steps run with the prover's key tables built (`IvcParams::build_prover_tables`; a run
//! builds them itself after 48 steps). `CREASE_BENCH_MAX_LOG` (default 18) caps the sizes.
// criterion's macros generate undocumented public functions.
#![allow(missing_docs)]

use ark_crypto_primitives::sponge::poseidon::PoseidonSponge;
use ark_crypto_primitives::sponge::{CryptographicSponge, FieldBasedCryptographicSponge};
use ark_ec::VariableBaseMSM;
use ark_ff::{Field, UniformRand};
use crease_folding::commitment::{CommitmentKey, PowersOfTauKey};
use crease_folding::inverse::inverse;
use crease_folding::ivc::{verify, IvcParams, IvcProver};
use crease_folding::testing::{Factors, MulCircuit};
use crease_folding::{mle, Fq, Fr, G1Projective};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;

fn max_log() -> usize {
    std::env::var("CREASE_BENCH_MAX_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(18)
}

fn bench_inverse(c: &mut Criterion) {
    let mut g = c.benchmark_group("inverse");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    let mut rng = ark_std::test_rng();
    let xs: Vec<Fq> = (0..256).map(|_| Fq::rand(&mut rng)).collect();
    g.bench_function("fq/safegcd", |b| {
        b.iter(|| xs.iter().map(|x| inverse(x).unwrap()).sum::<Fq>())
    });
    g.bench_function("fq/ark", |b| {
        b.iter(|| xs.iter().map(|x| x.inverse().unwrap()).sum::<Fq>())
    });
    g.finish();
    // A state hash's worth of Poseidon (77 elements, 10 permutations), natively.
    let mut g = c.benchmark_group("poseidon");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    let xs: Vec<Fr> = (0..77).map(|_| Fr::rand(&mut rng)).collect();
    g.bench_function("hash77/crease", |b| {
        b.iter(|| crease_folding::poseidon::hash(b"bench", &xs))
    });
    g.bench_function("hash77/ark", |b| {
        b.iter(|| {
            let mut sponge = PoseidonSponge::new(crease_folding::poseidon::poseidon_config());
            sponge.absorb(&crease_folding::poseidon::label_to_field(b"bench"));
            sponge.absorb(&xs);
            sponge.squeeze_native_field_elements(1)[0]
        })
    });
    g.finish();
}

fn bench_msm(c: &mut Criterion) {
    let mut g = c.benchmark_group("msm");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    let n = 1 << 16;
    let key = PowersOfTauKey::from_seed(b"bench", n);
    let mut rng = ark_std::test_rng();
    let bits: Vec<Fr> = (0..n).map(|i| Fr::from((i * 7 % 3 == 0) as u64)).collect();
    let words: Vec<Fr> = (0..n)
        .map(|_| Fr::from(u32::rand(&mut rng) as u64))
        .collect();
    let full: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    for (name, v) in [("bits", &bits), ("u32", &words), ("full", &full)] {
        g.bench_with_input(BenchmarkId::new(name, n), v, |b, v| {
            b.iter(|| key.commit(v).unwrap())
        });
    }
    // The same values through the width-specific entry points (no classification).
    let raw_words: Vec<u32> = words
        .iter()
        .map(|w| ark_ff::PrimeField::into_bigint(*w).as_ref()[0] as u32)
        .collect();
    let raw_bits: Vec<bool> = bits.iter().map(|b| *b == Fr::from(1u64)).collect();
    g.bench_function(BenchmarkId::new("u32_direct", n), |b| {
        b.iter(|| key.commit_u32(&raw_words).unwrap())
    });
    g.bench_function(BenchmarkId::new("bits_direct", n), |b| {
        b.iter(|| key.commit_bits(&raw_bits).unwrap())
    });
    // ark-ec's own small-scalar MSMs of the same values (Jacobian buckets, for reference).
    g.bench_function(BenchmarkId::new("u32_ark", n), |b| {
        b.iter(|| G1Projective::msm_u32(key.bases(), &raw_words))
    });
    g.bench_function(BenchmarkId::new("bits_ark", n), |b| {
        b.iter(|| G1Projective::msm_u1(key.bases(), &raw_bits))
    });
    // ark-ec's own MSM of the full-size scalars (it runs them on a pool of its own).
    g.bench_function(BenchmarkId::new("full_ark", n), |b| {
        b.iter(|| G1Projective::msm_unchecked(key.bases(), &full))
    });
    g.finish();
}

fn bench_steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("ivc");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for log in (10..=max_log()).step_by(2) {
        for (tag, factors) in [
            ("u32", Factors::Small),
            ("grid", Factors::Grid),
            ("full", Factors::Full),
        ] {
            let circuit = MulCircuit {
                size: 1 << log,
                factors,
            };
            let params = IvcParams::setup(&circuit).unwrap();
            // The steady state of a long run: the prover's key tables in place.
            params.build_prover_tables();
            let m = params.shape().num_constraints;
            let mut prover =
                IvcProver::new(&params, circuit.clone(), vec![Fr::from(0u64)], vec![]).unwrap();
            for i in 0..2 {
                prover.prove_step(&circuit.witness(i)).unwrap();
            }
            let mut i = 2;
            g.bench_function(BenchmarkId::new(format!("prove_step/{tag}"), log), |b| {
                b.iter(|| {
                    prover.prove_step(&circuit.witness(i)).unwrap();
                    i += 1;
                })
            });
            let proof = prover.proof().unwrap();
            let fresh = prover.fresh_witness();
            if factors == Factors::Grid {
                let shape = params.shape();
                let x = vec![Fr::from(0u64); shape.num_io];
                let z = shape.z(Fr::from(1u64), &x, &fresh.w1, &fresh.w2).unwrap();
                // As the prover makes them (the S-box inputs from their outputs), and exact.
                g.bench_function(BenchmarkId::new("products/grid", log), |b| {
                    b.iter(|| shape.products_of_satisfying(&z))
                });
                g.bench_function(BenchmarkId::new("products_exact/grid", log), |b| {
                    b.iter(|| shape.products(&z))
                });
            }
            let (w1, w2) = (&fresh.w1, &fresh.w2);
            g.bench_function(BenchmarkId::new(format!("commit_fresh/{tag}"), log), |b| {
                b.iter(|| params.commit_fresh_witness(fresh).unwrap())
            });
            if factors == Factors::Small {
                let mut rng = ark_std::test_rng();
                let t: Vec<Fr> = (0..m).map(|_| Fr::rand(&mut rng)).collect();
                let key = PowersOfTauKey::from_seed(b"bench", m);
                g.bench_function(BenchmarkId::new("msm_full", log), |b| {
                    b.iter(|| key.commit(&t).unwrap())
                });
                let zn = prover.z().to_vec();
                let steps = proof.steps();
                g.bench_function(BenchmarkId::new("verify/u32", log), |b| {
                    b.iter(|| verify(&params, steps, &[Fr::from(0u64)], &zn, &proof).unwrap())
                });
                let bytes = proof.to_bytes().unwrap();
                println!(
                    "2^{log}: primary constraints {m}, W1 {} + W2 {}, proof {} bytes",
                    w1.len(),
                    w2.len(),
                    bytes.len()
                );
            }
        }
    }
    g.finish();
}

fn bench_mle(c: &mut Criterion) {
    let mut g = c.benchmark_group("mle");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    let (len, n) = (81_937, 17);
    let mut rng = ark_std::test_rng();
    let v: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
    let a: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    let b: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    g.bench_function(BenchmarkId::new("restrict_to_line", len), |bench| {
        bench.iter(|| mle::restrict_to_line(&v, &a, &b))
    });
    g.bench_function(BenchmarkId::new("evaluate", len), |bench| {
        bench.iter(|| mle::evaluate(&v, &a))
    });
    g.finish();
}

criterion_group!(benches, bench_inverse, bench_msm, bench_mle, bench_steps);
criterion_main!(benches);
