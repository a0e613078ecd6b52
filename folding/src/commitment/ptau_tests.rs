//! The reader against files written here in the ptau layout from a known τ (snarkjs's own
//! files are read in `tests/ptau.rs`): what a good file yields, and each kind of damage
//! refused with its own error.

use std::io::Cursor;

use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::{Field, UniformRand};

use super::*;
use crate::commitment::CommitmentKey;

fn fq_bytes(x: &Fq, out: &mut Vec<u8>) {
    // The Montgomery limbs, as snarkjs writes them.
    for limb in x.0 .0 {
        out.extend_from_slice(&limb.to_le_bytes());
    }
}

fn g1_bytes(p: &G1Affine, out: &mut Vec<u8>) {
    fq_bytes(&p.x, out);
    fq_bytes(&p.y, out);
}

fn g2_bytes(p: &G2Affine, out: &mut Vec<u8>) {
    for c in [p.x.c0, p.x.c1, p.y.c0, p.y.c1] {
        fq_bytes(&c, out);
    }
}

fn section(out: &mut Vec<u8>, id: u32, body: &[u8]) {
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
}

/// A ptau file of `power` for `tau`, with a contributions section of one entry count.
fn file(tau: Fr, power: u32) -> Vec<u8> {
    let mut powers = Vec::new();
    let mut acc = Fr::ONE;
    for _ in 0..(2usize << power) - 1 {
        powers.push(acc);
        acc *= tau;
    }
    let mut out = b"ptau".to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&4u32.to_le_bytes());
    let mut header = 32u32.to_le_bytes().to_vec();
    header.extend_from_slice(&modulus_le());
    header.extend_from_slice(&power.to_le_bytes());
    header.extend_from_slice(&28u32.to_le_bytes());
    section(&mut out, 1, &header);
    let mut g1 = Vec::new();
    for p in G1Projective::normalize_batch(
        &powers
            .iter()
            .map(|t| G1Projective::generator() * t)
            .collect::<Vec<_>>(),
    ) {
        g1_bytes(&p, &mut g1);
    }
    section(&mut out, 2, &g1);
    let mut g2 = Vec::new();
    for t in &powers[..1 << power] {
        g2_bytes(&(G2Projective::generator() * t).into_affine(), &mut g2);
    }
    section(&mut out, 3, &g2);
    section(&mut out, 7, &3u32.to_le_bytes());
    out
}

/// Offset of the `i`th point of tauG1 in [`file`]'s layout.
fn g1_at(i: usize) -> usize {
    12 + 12 + HEADER_BYTES as usize + 12 + i * G1_BYTES
}

fn read(bytes: &[u8], n: usize) -> Result<PowersOfTauKey, PtauError> {
    PtauFile::new(Cursor::new(bytes))?.read_key(n)
}

#[test]
fn a_file_yields_the_powers_of_its_tau() {
    let tau = Fr::rand(&mut ark_std::test_rng());
    let bytes = file(tau, 4);
    let mut f = PtauFile::new(Cursor::new(&bytes)).expect("opens");
    assert_eq!((f.power(), f.ceremony_power()), (4, 28));
    assert_eq!((f.max_bases(), f.contributions()), (31, Some(3)));
    let key = f.read_key(31).expect("reads");
    let g = G1Projective::generator();
    assert_eq!(key.bases()[5], (g * tau.pow([5])).into_affine());
    assert_eq!(
        key.tau_g2(),
        (G2Projective::generator() * tau).into_affine()
    );
    assert_eq!(key.bases().len(), 31);
    assert_eq!(
        f.read_key(1).expect("one").bases(),
        &[G1Affine::generator()]
    );
    assert_eq!(f.tau_id().expect("tau id"), key.tau_id());
    assert_ne!(key.tau_id(), PowersOfTauKey::development(4).tau_id());
}

#[test]
fn the_power_needed_for_a_number_of_bases() {
    type P = PtauFile;
    assert_eq!(
        [P::power_for(3), P::power_for(4), P::power_for(31)],
        [1, 2, 4]
    );
    // The small test set-ups and the default parameters.
    assert_eq!(P::power_for(16_616), 14);
    assert_eq!(P::power_for(115_297), 16);
    assert_eq!(P::power_for(131_071), 16);
    assert_eq!(P::power_for(131_072), 17);
}

#[test]
fn damage_is_refused_with_its_reason() {
    let tau = Fr::rand(&mut ark_std::test_rng());
    let good = file(tau, 3);
    assert!(read(&good, 15).is_ok());

    let too_many = read(&good, 16).expect_err("15 bases at power 3");
    assert!(matches!(
        too_many,
        PtauError::TooFewPowers { min_power: 4, .. }
    ));
    assert_eq!(
        too_many.to_string(),
        "the file has power 3 (15 G1 powers); the parameters need 16 bases: \
         use a file of power >= 4"
    );
    assert!(matches!(
        read(b"\x7fELF\x01\x01", 2),
        Err(PtauError::NotPtau { .. })
    ));
    assert!(matches!(read(b"", 2), Err(PtauError::NotPtau { .. })));
    for cut in [6, 20, 40, g1_at(3) + 5, good.len() - 1] {
        assert!(
            matches!(read(&good[..cut], 2), Err(PtauError::Truncated(_))),
            "cut at {cut}"
        );
    }
    let mut version = good.clone();
    version[4] = 2;
    assert!(matches!(
        read(&version, 2),
        Err(PtauError::Version { got: 2 })
    ));
    let mut curve = good.clone();
    curve[24 + 4] ^= 1;
    assert!(matches!(read(&curve, 2), Err(PtauError::WrongCurve(_))));

    // A flipped byte in a point: off the curve.
    let mut flipped = good.clone();
    flipped[g1_at(5) + 7] ^= 0x20;
    match read(&flipped, 8) {
        Err(PtauError::BadPoint {
            section: "tauG1",
            index: 5,
            problem,
        }) => {
            assert_eq!(problem, PointProblem::NotOnCurve)
        }
        other => panic!("{other:?}"),
    }
    // Beyond the bases read, the same damage is not looked at.
    assert!(read(&flipped, 5).is_ok());
    // A valid point in place of a power: the pairing check.
    let mut replaced = good.clone();
    let mut other = Vec::new();
    g1_bytes(
        &(G1Projective::generator() * Fr::from(5u64)).into_affine(),
        &mut other,
    );
    replaced[g1_at(4)..g1_at(5)].copy_from_slice(&other);
    assert!(matches!(
        read(&replaced, 8),
        Err(PtauError::InconsistentPowers)
    ));
    // A generator replaced: caught before the pairing check.
    let mut moved = good.clone();
    moved[g1_at(0)..g1_at(1)].copy_from_slice(&other);
    assert!(matches!(
        read(&moved, 8),
        Err(PtauError::NotGenerator("tauG1"))
    ));
    // A fresh file that nobody contributed to.
    assert!(matches!(
        read(&file(Fr::ONE, 3), 4),
        Err(PtauError::NoContribution)
    ));
}

#[test]
fn a_g2_point_outside_the_subgroup_is_refused() {
    let good = file(Fr::from(7u64), 2);
    // A point on the twist of a random x: almost surely outside the prime-order subgroup.
    let mut rng = ark_std::test_rng();
    let outside = loop {
        let x = Fq2::rand(&mut rng);
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                break p;
            }
        }
    };
    let tau_g2 = g1_at(7) + 12 + G2_BYTES;
    let mut bytes = good.clone();
    let mut enc = Vec::new();
    g2_bytes(&outside, &mut enc);
    bytes[tau_g2..tau_g2 + G2_BYTES].copy_from_slice(&enc);
    match read(&bytes, 4) {
        Err(PtauError::BadPoint {
            section: "tauG2",
            index: 1,
            problem,
        }) => {
            assert_eq!(problem, PointProblem::NotInSubgroup)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn counts_read_with_separators() {
    assert_eq!(grouped(0), "0");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(65_536), "65,536");
    assert_eq!(grouped(1_234_567), "1,234,567");
}
