//! Ceremony files made by snarkjs itself (power 10, two contributions): the key read from
//! one, and each kind of damage to it refused with its reason.

#[path = "../../tests/support/ptau.rs"]
mod ptau_fixture;

use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

use ark_bn254::G1Affine;
use ark_ec::AffineRepr;
use crease_folding::commitment::ptau::PointProblem;
use crease_folding::commitment::{CommitmentKey, PtauError, PtauFile};

const POWER: u32 = 10;
const G1_BYTES: usize = 64;

fn fixture() -> Option<ptau_fixture::Fixture> {
    ptau_fixture::fixture(Path::new(env!("CARGO_TARGET_TMPDIR")), POWER)
}

/// Where the body of section `id` starts (snarkjs writes them in order, but the table is
/// read rather than assumed).
fn section(bytes: &[u8], id: u32) -> usize {
    let word = |at: usize, n: usize| {
        let mut v = [0u8; 8];
        v[..n].copy_from_slice(&bytes[at..at + n]);
        u64::from_le_bytes(v) as usize
    };
    let mut pos = 12;
    for _ in 0..word(8, 4) {
        if word(pos, 4) == id as usize {
            return pos + 12;
        }
        pos += 12 + word(pos + 4, 8);
    }
    panic!("no section {id}");
}

fn read(bytes: &[u8], n: usize) -> Result<(), PtauError> {
    PtauFile::new(Cursor::new(bytes))?.read_key(n).map(|_| ())
}

#[test]
fn a_snarkjs_file_loads_with_all_its_g1_powers() {
    let Some(fx) = fixture() else { return };
    let start = Instant::now();
    let mut file = PtauFile::open(&fx.ptau).expect("opens");
    assert_eq!(file.power(), POWER);
    assert_eq!(file.contributions(), Some(2));
    assert_eq!(file.max_bases(), 2047);
    let key = file.read_key(2047).expect("a good file");
    eprintln!(
        "read and checked 2,047 bases in {:.3} s",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(key.max_len(), 2047);
    assert_eq!(key.bases()[0], G1Affine::generator());
    assert!(!key.is_development());
    assert_eq!(file.tau_id().expect("tau id"), key.tau_id());
}

#[test]
fn damage_to_a_snarkjs_file_is_refused() {
    let Some(fx) = fixture() else { return };
    let good = std::fs::read(&fx.ptau).expect("read fixture");
    let g1 = section(&good, 2);
    assert!(read(&good, 100).is_ok());

    let cut = read(&good[..good.len() / 2], 100).expect_err("truncated");
    assert!(matches!(cut, PtauError::Truncated(_)), "{cut}");

    let mut flipped = good.clone();
    flipped[g1 + 37 * G1_BYTES + 3] ^= 0x01;
    match read(&flipped, 100) {
        Err(PtauError::BadPoint {
            section: "tauG1",
            index: 37,
            problem: PointProblem::NotOnCurve,
        }) => {}
        other => panic!("{other:?}"),
    }

    // Another valid point (the 50th power) in place of the 37th.
    let mut replaced = good.clone();
    let at = |i: usize| g1 + i * G1_BYTES..g1 + (i + 1) * G1_BYTES;
    let other = good[at(50)].to_vec();
    replaced[at(37)].copy_from_slice(&other);
    assert!(matches!(
        read(&replaced, 100),
        Err(PtauError::InconsistentPowers)
    ));

    let small = read(&good, 2048).expect_err("power 10 has 2,047 bases");
    assert_eq!(
        small.to_string(),
        "the file has power 10 (2,047 G1 powers); the parameters need 2,048 bases: \
         use a file of power >= 11"
    );

    let foreign = read(b"{\"protocol\": \"groth16\"}\n", 4).expect_err("json");
    assert!(matches!(foreign, PtauError::NotPtau { .. }), "{foreign}");

    let fresh = PtauFile::open(&fx.fresh)
        .expect("opens")
        .read_key(4)
        .expect_err("no contribution");
    assert!(matches!(fresh, PtauError::NoContribution), "{fresh}");
}
