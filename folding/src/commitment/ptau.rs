//! A powers-of-τ key read from a snarkjs `.ptau` file, the format in which the public BN254
//! ceremonies (Hermez's, the Perpetual Powers of Tau) publish their output.
//!
//! ```text
//! file      "ptau" ‖ version = 1: u32 ‖ count: u32 ‖ count × (id: u32 ‖ size: u64 ‖ body)
//! section 1 n8 = 32: u32 ‖ q: n8 bytes ‖ power: u32 ‖ ceremony power: u32
//! section 2 tauG1: 2^(power+1) − 1 points τ^i·G1
//! section 3 tauG2: 2^power points τ^i·G2
//! section 7 the contributions: count: u32 ‖ …
//! ```
//!
//! Sections 4–6 hold the α and β powers a Groth16 phase 2 needs, 12–15 the Lagrange bases of
//! a prepared file; none of them is read. Integers are little-endian; a coordinate is its
//! field element in Montgomery form (`x·2^256 mod q`) as 32 little-endian bytes, an `Fq2`
//! coordinate is `c0 ‖ c1`, a point `x ‖ y`, and the point at infinity all zeros. A file of
//! a large power is gigabytes: only the header, the section table and the bases asked for
//! are read.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};
use rayon::prelude::*;

use super::PowersOfTauKey;
use crate::Error;

const MAGIC: [u8; 4] = *b"ptau";
const VERSION: u32 = 1;
const HEADER: u32 = 1;
const TAU_G1: u32 = 2;
const TAU_G2: u32 = 3;
const CONTRIBUTIONS: u32 = 7;
const FQ_BYTES: usize = 32;
const G1_BYTES: usize = 2 * FQ_BYTES;
const G2_BYTES: usize = 4 * FQ_BYTES;
/// The header section: n8, q, power, ceremony power.
const HEADER_BYTES: u64 = 4 + FQ_BYTES as u64 + 4 + 4;
/// Ceremonies stop at 2^28; a larger power is a damaged header (and keeps sizes in range).
const MAX_POWER: u32 = 40;

/// Why a `.ptau` file was refused. The reader's own error rather than variants of
/// [`crate::Error`]: its callers name the file, and every case here is about the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PtauError {
    /// Reading the file failed.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    /// The file does not start with `ptau`.
    #[error("not a ptau file (it starts with \"{}\", not \"ptau\")", got.escape_ascii())]
    NotPtau {
        /// Its first bytes.
        got: Vec<u8>,
    },
    /// A format version other than snarkjs's 1.
    #[error("ptau format version {got} is not supported (only version 1 is)")]
    Version {
        /// The version in the file.
        got: u32,
    },
    /// The file ends before a section or a point it announces.
    #[error("the file is truncated: {0}")]
    Truncated(&'static str),
    /// A section this reader needs is missing or given twice.
    #[error("the {name} section ({id}) is {problem}")]
    Section {
        /// The section's number.
        id: u32,
        /// Its name.
        name: &'static str,
        /// "missing" or "duplicated".
        problem: &'static str,
    },
    /// A section's size differs from the one its header implies.
    #[error("the {name} section holds {got} bytes, {expected} expected for power {power}")]
    SectionSize {
        /// The section.
        name: &'static str,
        /// Its size.
        got: u64,
        /// The size the power implies.
        expected: u64,
        /// The power in the header.
        power: u32,
    },
    /// The file is for another curve than BN254.
    #[error("the file is not for BN254: its base field {0}")]
    WrongCurve(&'static str),
    /// A power of 0 (no τ at all) or beyond any ceremony's.
    #[error("the header's power {0} is outside 1..=40")]
    Power(u32),
    /// The file has fewer G1 powers than the parameters need.
    #[error(
        "the file has power {power} ({} G1 powers); the parameters need {} bases: \
         use a file of power >= {min_power}",
        grouped(*available as u64),
        grouped(*needed as u64)
    )]
    TooFewPowers {
        /// The file's power.
        power: u32,
        /// Its G1 powers.
        available: usize,
        /// The bases needed.
        needed: usize,
        /// The smallest power that has them.
        min_power: u32,
    },
    /// A point that is no valid point of its group.
    #[error("point {index} of {section} {problem}")]
    BadPoint {
        /// `tauG1` or `tauG2`.
        section: &'static str,
        /// Its index in the section.
        index: usize,
        /// What is wrong with it.
        problem: PointProblem,
    },
    /// The first point of a section is not the group's generator.
    #[error("the first point of {0} is not the generator")]
    NotGenerator(&'static str),
    /// `τ = 1`: a file made by `snarkjs powersoftau new` that nobody contributed to.
    #[error("tau is 1: the file has no contribution")]
    NoContribution,
    /// The G1 points are not successive powers of the τ of `τ·G2`.
    #[error(
        "the tauG1 points are not successive powers of the tau in tauG2 \
         (the file is damaged or forged)"
    )]
    InconsistentPowers,
    /// Checking the key failed for another reason than its powers.
    #[error("checking the key: {0}")]
    Check(#[source] Box<Error>),
}

/// What is wrong with a point of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointProblem {
    /// A coordinate not below q.
    Coordinate,
    /// The point at infinity, which no power of a non-zero τ is.
    Infinity,
    /// Not on the curve.
    NotOnCurve,
    /// On the curve but outside the prime-order subgroup.
    NotInSubgroup,
}

impl fmt::Display for PointProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PointProblem::Coordinate => "has a coordinate not below q",
            PointProblem::Infinity => "is the point at infinity",
            PointProblem::NotOnCurve => "is not on the BN254 curve",
            PointProblem::NotInSubgroup => "is not in the prime-order subgroup",
        })
    }
}

/// `n` with thousands separators: a count a user reads.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn read_err(e: std::io::Error) -> PtauError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        PtauError::Truncated("a section ends past the end of the file")
    } else {
        PtauError::Io(e)
    }
}

/// An opened `.ptau` file whose header and section table have been checked.
#[derive(Debug)]
pub struct PtauFile<R = BufReader<File>> {
    reader: R,
    power: u32,
    ceremony_power: u32,
    tau_g1: u64,
    tau_g2: u64,
    contributions: Option<u32>,
}

impl PtauFile {
    /// Opens a file and checks its header and section table.
    pub fn open(path: &Path) -> Result<Self, PtauError> {
        let file = File::open(path).map_err(PtauError::Io)?;
        Self::new(BufReader::new(file))
    }
}

/// One entry of the section table.
struct Section {
    id: u32,
    pos: u64,
    size: u64,
}

impl<R: Read + Seek> PtauFile<R> {
    /// Reads the header and the section table from `reader`: the magic, the version, that
    /// every section lies within the file, that the field is BN254's base field, and that
    /// the tauG1 and tauG2 sections have the sizes the power implies.
    pub fn new(mut reader: R) -> Result<Self, PtauError> {
        let len = reader.seek(SeekFrom::End(0)).map_err(PtauError::Io)?;
        reader.seek(SeekFrom::Start(0)).map_err(PtauError::Io)?;
        let mut magic = [0u8; 4];
        let n = read_up_to(&mut reader, &mut magic)?;
        if n < 4 || magic != MAGIC {
            return Err(PtauError::NotPtau {
                got: magic[..n].to_vec(),
            });
        }
        let version = u32_le(&mut reader)?;
        if version != VERSION {
            return Err(PtauError::Version { got: version });
        }
        let count = u32_le(&mut reader)?;
        let mut sections = Vec::new();
        let mut pos = 12u64;
        for _ in 0..count {
            if len - pos < 12 {
                return Err(PtauError::Truncated("the section table runs past the end"));
            }
            reader.seek(SeekFrom::Start(pos)).map_err(PtauError::Io)?;
            let id = u32_le(&mut reader)?;
            let size = u64_le(&mut reader)?;
            let body = pos + 12;
            if size > len - body {
                return Err(PtauError::Truncated(
                    "a section ends past the end of the file",
                ));
            }
            sections.push(Section {
                id,
                pos: body,
                size,
            });
            pos = body + size;
        }
        let header = unique(&sections, HEADER, "header")?;
        if header.size != HEADER_BYTES {
            return Err(PtauError::WrongCurve("elements are not 32 bytes"));
        }
        reader
            .seek(SeekFrom::Start(header.pos))
            .map_err(PtauError::Io)?;
        if u32_le(&mut reader)? != FQ_BYTES as u32 {
            return Err(PtauError::WrongCurve("elements are not 32 bytes"));
        }
        let mut q = [0u8; FQ_BYTES];
        reader.read_exact(&mut q).map_err(read_err)?;
        if q != modulus_le() {
            return Err(PtauError::WrongCurve("modulus q is not BN254's"));
        }
        let power = u32_le(&mut reader)?;
        let ceremony_power = u32_le(&mut reader)?;
        if power == 0 || power > MAX_POWER {
            return Err(PtauError::Power(power));
        }
        let g1 = unique(&sections, TAU_G1, "tauG1")?;
        let g2 = unique(&sections, TAU_G2, "tauG2")?;
        let sizes = [
            (g1, "tauG1", ((2u64 << power) - 1) * G1_BYTES as u64),
            (g2, "tauG2", (1u64 << power) * G2_BYTES as u64),
        ];
        for (s, name, expected) in sizes {
            if s.size != expected {
                return Err(PtauError::SectionSize {
                    name,
                    got: s.size,
                    expected,
                    power,
                });
            }
        }
        let (tau_g1, tau_g2) = (g1.pos, g2.pos);
        // The number of contributions is only reported; a file without the section (or with
        // it empty) is still judged by its points.
        let contributions = match unique(&sections, CONTRIBUTIONS, "contributions") {
            Ok(s) if s.size >= 4 => {
                reader.seek(SeekFrom::Start(s.pos)).map_err(PtauError::Io)?;
                Some(u32_le(&mut reader)?)
            }
            _ => None,
        };
        Ok(Self {
            reader,
            power,
            ceremony_power,
            tau_g1,
            tau_g2,
            contributions,
        })
    }

    /// The file's power: it holds `2^(power+1) − 1` G1 powers and `2^power` G2 powers.
    pub fn power(&self) -> u32 {
        self.power
    }

    /// The power of the ceremony the file was cut from (Hermez's files: 28).
    pub fn ceremony_power(&self) -> u32 {
        self.ceremony_power
    }

    /// The number of contributions the file records, if it has that section.
    pub fn contributions(&self) -> Option<u32> {
        self.contributions
    }

    /// How many bases a key read from this file can have.
    pub fn max_bases(&self) -> usize {
        usize::try_from((2u64 << self.power) - 1).unwrap_or(usize::MAX)
    }

    /// The smallest power of a file holding `n` G1 powers.
    pub fn power_for(n: usize) -> u32 {
        // 2^(p+1) − 1 ≥ n  ⇔  p + 1 ≥ log2(n + 1).
        let bits = (n as u64)
            .saturating_add(1)
            .next_power_of_two()
            .trailing_zeros();
        bits.saturating_sub(1)
    }

    /// The [`PowersOfTauKey::tau_id`] of the file's key, from its first two points of each
    /// group alone (checked as [`Self::read_key`] checks them, but not the powers).
    pub fn tau_id(&mut self) -> Result<[u8; 32], PtauError> {
        let g1 = self.g1_points(2)?;
        let [_, tau_g2] = self.g2_points()?;
        Ok(super::kzg::tau_id(&g1[1], &tau_g2))
    }

    /// A key of the first `n` G1 powers with `G2` and `τ·G2`. Every point read is checked
    /// to be in its group, the first of each section to be the generator, τ to differ
    /// from 1, and the G1 points to be successive powers of the τ of `τ·G2`
    /// ([`PowersOfTauKey::check_powers`]: one pairing check whose randomness is a hash of
    /// every point checked, so the file cannot anticipate it).
    pub fn read_key(&mut self, n: usize) -> Result<PowersOfTauKey, PtauError> {
        if n > self.max_bases() {
            return Err(PtauError::TooFewPowers {
                power: self.power,
                available: self.max_bases(),
                needed: n,
                min_power: Self::power_for(n),
            });
        }
        let [g2, tau_g2] = self.g2_points()?;
        // At least τ·G1, so that the check ties the G1 side to τ·G2.
        let mut g1 = self.g1_points(n.max(2))?;
        let check = PowersOfTauKey::from_parts(g1.clone(), g2, tau_g2);
        check.check_powers().map_err(|e| match e {
            Error::InvalidKey(_) => PtauError::InconsistentPowers,
            other => PtauError::Check(Box::new(other)),
        })?;
        g1.truncate(n);
        Ok(PowersOfTauKey::from_parts(g1, g2, tau_g2))
    }

    /// The first `n ≥ 2` points of tauG1, checked; the first must be the generator and the
    /// second not (τ ≠ 1).
    fn g1_points(&mut self, n: usize) -> Result<Vec<G1Affine>, PtauError> {
        let bytes = self.read_at(self.tau_g1, n * G1_BYTES)?;
        let points = bytes
            .par_chunks_exact(G1_BYTES)
            .enumerate()
            .map(|(index, b)| {
                g1_from(b).map_err(|problem| PtauError::BadPoint {
                    section: "tauG1",
                    index,
                    problem,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if points[0] != G1Affine::generator() {
            return Err(PtauError::NotGenerator("tauG1"));
        }
        if points[1] == points[0] {
            return Err(PtauError::NoContribution);
        }
        Ok(points)
    }

    /// `G2` and `τ·G2`, checked (the subgroup check matters: G2 has a large cofactor).
    fn g2_points(&mut self) -> Result<[G2Affine; 2], PtauError> {
        let bytes = self.read_at(self.tau_g2, 2 * G2_BYTES)?;
        let mut out = [G2Affine::zero(); 2];
        for (index, (p, b)) in out.iter_mut().zip(bytes.chunks_exact(G2_BYTES)).enumerate() {
            *p = g2_from(b).map_err(|problem| PtauError::BadPoint {
                section: "tauG2",
                index,
                problem,
            })?;
        }
        if out[0] != G2Affine::generator() {
            return Err(PtauError::NotGenerator("tauG2"));
        }
        if out[1] == out[0] {
            return Err(PtauError::NoContribution);
        }
        Ok(out)
    }

    fn read_at(&mut self, pos: u64, len: usize) -> Result<Vec<u8>, PtauError> {
        self.reader
            .seek(SeekFrom::Start(pos))
            .map_err(PtauError::Io)?;
        let mut bytes = vec![0u8; len];
        self.reader.read_exact(&mut bytes).map_err(read_err)?;
        Ok(bytes)
    }
}

fn unique<'a>(
    sections: &'a [Section],
    id: u32,
    name: &'static str,
) -> Result<&'a Section, PtauError> {
    let mut found = sections.iter().filter(|s| s.id == id);
    let problem = |problem| PtauError::Section { id, name, problem };
    let first = found.next().ok_or(problem("missing"))?;
    if found.next().is_some() {
        return Err(problem("duplicated"));
    }
    Ok(first)
}

/// Reads as many bytes as there are, up to `buf`'s length.
fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize, PtauError> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(PtauError::Io(e)),
        }
    }
    Ok(n)
}

fn u32_le<R: Read>(r: &mut R) -> Result<u32, PtauError> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).map_err(read_err)?;
    Ok(u32::from_le_bytes(b))
}

fn u64_le<R: Read>(r: &mut R) -> Result<u64, PtauError> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b).map_err(read_err)?;
    Ok(u64::from_le_bytes(b))
}

/// BN254's base field modulus as 32 little-endian bytes.
fn modulus_le() -> [u8; FQ_BYTES] {
    let mut out = [0u8; FQ_BYTES];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(Fq::MODULUS.0) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

/// A coordinate from its Montgomery form. arkworks keeps BN254's base field in Montgomery
/// form with the same R = 2^256, so the limbs are the element's own representation once
/// they are known to lie below q (the generator checks confirm the convention).
fn fq_from(bytes: &[u8]) -> Result<Fq, PointProblem> {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(b);
    }
    let m = BigInt::new(limbs);
    if m >= Fq::MODULUS {
        return Err(PointProblem::Coordinate);
    }
    Ok(Fq::new_unchecked(m))
}

fn g1_from(b: &[u8]) -> Result<G1Affine, PointProblem> {
    if b.iter().all(|&x| x == 0) {
        return Err(PointProblem::Infinity);
    }
    let p = G1Affine::new_unchecked(fq_from(&b[..FQ_BYTES])?, fq_from(&b[FQ_BYTES..])?);
    checked(p)
}

fn g2_from(b: &[u8]) -> Result<G2Affine, PointProblem> {
    if b.iter().all(|&x| x == 0) {
        return Err(PointProblem::Infinity);
    }
    let f = |i: usize| fq_from(&b[i * FQ_BYTES..(i + 1) * FQ_BYTES]);
    let p = G2Affine::new_unchecked(Fq2::new(f(0)?, f(1)?), Fq2::new(f(2)?, f(3)?));
    checked(p)
}

fn checked<C: ark_ec::short_weierstrass::SWCurveConfig>(
    p: ark_ec::short_weierstrass::Affine<C>,
) -> Result<ark_ec::short_weierstrass::Affine<C>, PointProblem> {
    if !p.is_on_curve() {
        return Err(PointProblem::NotOnCurve);
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(PointProblem::NotInSubgroup);
    }
    Ok(p)
}

#[cfg(test)]
#[path = "ptau_tests.rs"]
mod tests;
