//! The hashers' host path (software compression and permutation) against `sha2`, `sha3`
//! and `keccak`: every padding case, updates split anywhere, unaligned inputs, reset and
//! clone.

use crease_rt::keccak::{self, Keccak256};
use crease_rt::sha256::{self, Sha256};
use digest::{Digest, FixedOutputReset};

/// A small xorshift generator: the tests need varied bytes, not good randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lengths around every block and padding edge of both hashes, and a few long ones.
fn lengths() -> impl Iterator<Item = usize> {
    (0..=300).chain([407, 408, 409, 1000, 4096, 4099, 10_000])
}

/// Hashes `data` with `D` in pieces cut at varied points, from a copy offset by `skew`
/// bytes so that whole blocks taken from the input are not aligned.
fn in_pieces<D: Digest>(data: &[u8], skew: usize, rng: &mut Rng) -> Vec<u8> {
    let mut buf = vec![0u8; skew];
    buf.extend_from_slice(data);
    let mut rest = &buf[skew..];
    let mut h = D::new();
    while !rest.is_empty() {
        let n = (rng.next() as usize % 300).min(rest.len());
        h.update(&rest[..n]);
        rest = &rest[n..];
    }
    h.finalize().to_vec()
}

#[test]
fn sha256_matches_sha2() {
    let mut rng = Rng(0x5a5a_2560_1234_5678);
    for len in lengths() {
        let data = rng.bytes(len);
        let expected = sha2::Sha256::digest(&data);
        assert_eq!(Sha256::digest(&data), expected, "{len} bytes");
        assert_eq!(sha256::digest(&data), expected.as_slice(), "{len} bytes");
        for skew in 0..4 {
            let got = in_pieces::<Sha256>(&data, skew, &mut rng);
            assert_eq!(got, expected.as_slice(), "{len} bytes, skew {skew}");
        }
    }
    assert_eq!(
        hex(&sha256::digest(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn sha256_compress_matches_sha2_aligned_or_not() {
    let mut rng = Rng(99);
    for _ in 0..1000 {
        let state: [u32; 8] = std::array::from_fn(|_| rng.next() as u32);
        let raw = rng.bytes(68);
        let mut expected = state;
        let block = sha2::digest::generic_array::GenericArray::clone_from_slice(&raw[..64]);
        sha2::compress256(&mut expected, &[block]);
        for skew in 0..4 {
            let mut buf = vec![0u8; skew];
            buf.extend_from_slice(&raw[..64]);
            let mut s = state;
            sha256::compress(&mut s, buf[skew..].try_into().unwrap());
            assert_eq!(s, expected, "skew {skew}");
        }
        let words: [u32; 16] =
            std::array::from_fn(|i| u32::from_ne_bytes(raw[4 * i..4 * i + 4].try_into().unwrap()));
        let mut s = state;
        sha256::compress_words(&mut s, &words);
        assert_eq!(s, expected);
    }
}

#[test]
fn keccak256_matches_sha3() {
    let mut rng = Rng(0x00ec_cac2_5600_0001);
    for len in lengths() {
        let data = rng.bytes(len);
        let expected = sha3::Keccak256::digest(&data);
        assert_eq!(Keccak256::digest(&data), expected, "{len} bytes");
        assert_eq!(keccak::digest(&data), expected.as_slice(), "{len} bytes");
        for skew in 0..4 {
            let got = in_pieces::<Keccak256>(&data, skew, &mut rng);
            assert_eq!(got, expected.as_slice(), "{len} bytes, skew {skew}");
        }
    }
    // Ethereum's hash of the empty string, and not SHA3-256's.
    assert_eq!(
        hex(&keccak::digest(b"")),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
}

#[test]
fn f1600_matches_the_keccak_crate() {
    let mut rng = Rng(1600);
    let mut cases = vec![[0u64; 25], [u64::MAX; 25]];
    for _ in 0..1000 {
        cases.push(std::array::from_fn(|_| rng.next()));
    }
    for state in cases {
        let (mut a, mut b) = (state, state);
        keccak::f1600(&mut a);
        ::keccak::f1600(&mut b);
        assert_eq!(a, b);
    }
}

#[test]
fn reset_clone_and_default_behave_like_the_reference() {
    let mut h = Keccak256::default();
    h.update(b"some prefix");
    let fork = h.clone();
    h.update(b" and more");
    let full = h.finalize_fixed_reset();
    assert_eq!(full, sha3::Keccak256::digest(b"some prefix and more"));
    // After the reset the hasher starts afresh; the clone kept its own prefix.
    assert_eq!(h.finalize(), sha3::Keccak256::digest(b""));
    assert_eq!(fork.finalize(), sha3::Keccak256::digest(b"some prefix"));

    let mut s = Sha256::new_with_prefix(b"ab");
    Digest::update(&mut s, b"c");
    let abc = s.finalize_reset();
    assert_eq!(abc, sha2::Sha256::digest(b"abc"));
    assert_eq!(s.finalize(), sha2::Sha256::digest(b""));
    assert!(format!("{:?}", Sha256::new()).contains("Sha256"));
}
