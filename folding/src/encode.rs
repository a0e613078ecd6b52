//! Compact, canonical byte encodings for parameter files and proofs.
//!
//! - Integers are LEB128 varints; an overlong encoding is refused, so every integer has one
//!   encoding.
//! - A field element is a tag byte and the significant little-endian bytes of its smaller
//!   representative: `v` itself, or `−v` (tag bit 7 set) when that is shorter. Zero is the
//!   single byte `0`, `±1` two bytes, a 32-bit word at most five; a full-size element 33.
//!   The decoder accepts only what the encoder writes (minimal length, the shorter sign,
//!   a value below the modulus), so a changed byte never decodes to the same element.
//! - Curve points are written uncompressed (no square root when reading) and checked to be
//!   on the curve; BN254 G1 and Grumpkin have cofactor 1, so that puts them in the group.
//!
//! Every read is bounds-checked and fails with [`Error::Malformed`].

use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_serialize::{Compress, Validate};
use rayon::prelude::*;

use crate::Error;

/// Appends varints, field elements and points to a byte vector.
#[derive(Default)]
pub struct ByteWriter {
    /// The bytes written so far.
    pub out: Vec<u8>,
}

impl ByteWriter {
    /// A varint.
    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    /// A length-prefixed byte string.
    pub fn bytes(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.out.extend_from_slice(b);
    }

    /// One field element (tag byte and magnitude).
    pub fn scalar<F: PrimeField>(&mut self, v: &F) {
        let pos = v.into_bigint().to_bytes_le();
        let neg = (-*v).into_bigint().to_bytes_le();
        let (lp, ln) = (significant(&pos), significant(&neg));
        if ln < lp {
            self.out.push(0x80 | ln as u8);
            self.out.extend_from_slice(&neg[..ln]);
        } else {
            self.out.push(lp as u8);
            self.out.extend_from_slice(&pos[..lp]);
        }
    }

    /// A length-prefixed vector of field elements.
    pub fn scalars<F: PrimeField>(&mut self, v: &[F]) {
        self.varint(v.len() as u64);
        for x in v {
            self.scalar(x);
        }
    }

    /// A point, uncompressed.
    pub fn point<P: AffineRepr>(&mut self, p: &P) -> Result<(), Error> {
        p.serialize_with_mode(&mut self.out, Compress::No)?;
        Ok(())
    }

    /// A length-prefixed vector of points, uncompressed.
    pub fn points<P: AffineRepr>(&mut self, ps: &[P]) -> Result<(), Error> {
        self.varint(ps.len() as u64);
        for p in ps {
            self.point(p)?;
        }
        Ok(())
    }
}

/// Bytes up to the last non-zero one.
fn significant(le: &[u8]) -> usize {
    le.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1)
}

/// Decodes one uncompressed point and refuses any other encoding of it (the flag bits of
/// the identity and of `y` are otherwise free).
fn point_from<P: AffineRepr>(b: &[u8]) -> Result<P, Error> {
    let p = P::deserialize_with_mode(b, Compress::No, Validate::Yes)?;
    let mut again = Vec::with_capacity(b.len());
    p.serialize_with_mode(&mut again, Compress::No)?;
    if again != b {
        return Err(Error::Malformed("non-canonical point"));
    }
    Ok(p)
}

/// Reads what [`ByteWriter`] wrote.
pub struct ByteReader<'a> {
    rest: &'a [u8],
}

impl<'a> ByteReader<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.rest.len() {
            return Err(Error::Malformed("truncated"));
        }
        let (a, b) = self.rest.split_at(n);
        self.rest = b;
        Ok(a)
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let (&b, rest) = self
            .rest
            .split_first()
            .ok_or(Error::Malformed("truncated"))?;
        self.rest = rest;
        Ok(b)
    }

    /// A varint (minimal encoding only).
    pub fn varint(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(Error::Malformed("varint overflows 64 bits"));
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(Error::Malformed("overlong varint"));
                }
                return Ok(v);
            }
        }
        Err(Error::Malformed("varint overflows 64 bits"))
    }

    /// A varint that must be at most `max` (a count or a size).
    pub fn bounded(&mut self, max: u64) -> Result<usize, Error> {
        let v = self.varint()?;
        if v > max {
            return Err(Error::Malformed("count out of range"));
        }
        usize::try_from(v).map_err(|_| Error::Malformed("count out of range"))
    }

    /// A count of items of at least `min_bytes` bytes each: it cannot exceed what is left.
    pub fn count(&mut self, min_bytes: usize) -> Result<usize, Error> {
        let max = self.rest.len() / min_bytes.max(1);
        self.bounded(max as u64)
    }

    /// A length-prefixed byte string.
    pub fn bytes(&mut self) -> Result<&'a [u8], Error> {
        let n = self.count(1)?;
        self.take(n)
    }

    /// One field element, in the encoder's form only.
    pub fn scalar<F: PrimeField>(&mut self) -> Result<F, Error> {
        let tag = self.byte()?;
        let (negated, n) = (tag & 0x80 != 0, usize::from(tag & 0x7f));
        let size = F::MODULUS_BIT_SIZE.div_ceil(8) as usize;
        if n > size || (negated && n == 0) {
            return Err(Error::Malformed("field element tag"));
        }
        let mag = self.take(n)?;
        if n > 0 && mag[n - 1] == 0 {
            return Err(Error::Malformed("non-minimal field element"));
        }
        let mut le = vec![0u8; size];
        le[..n].copy_from_slice(mag);
        let mut big = F::BigInt::default();
        for (limb, chunk) in big.as_mut().iter_mut().zip(le.chunks(8)) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            *limb = u64::from_le_bytes(w);
        }
        let m = F::from_bigint(big).ok_or(Error::Malformed("field element above the modulus"))?;
        let v = if negated { -m } else { m };
        // The other representative must not be strictly shorter (or, for a negated one, must
        // be longer): exactly the encoder's choice.
        let other = significant(&(-m).into_bigint().to_bytes_le());
        let canonical = if negated { other > n } else { other >= n };
        if !canonical {
            return Err(Error::Malformed("field element in the longer sign"));
        }
        Ok(v)
    }

    /// A length-prefixed vector of field elements.
    pub fn scalars<F: PrimeField>(&mut self) -> Result<Vec<F>, Error> {
        let n = self.count(1)?;
        (0..n).map(|_| self.scalar()).collect()
    }

    /// A length-prefixed vector of field elements of a known length.
    pub fn scalars_of<F: PrimeField>(
        &mut self,
        what: &'static str,
        len: usize,
    ) -> Result<Vec<F>, Error> {
        let v = self.scalars()?;
        if v.len() != len {
            return Err(Error::WrongLength {
                what,
                expected: len,
                got: v.len(),
            });
        }
        Ok(v)
    }

    /// A point, uncompressed, checked to be on the curve and in the group.
    pub fn point<P: AffineRepr>(&mut self) -> Result<P, Error> {
        let size = P::zero().serialized_size(Compress::No);
        point_from(self.take(size)?)
    }

    /// A length-prefixed vector of points, checked in parallel.
    pub fn points<P: AffineRepr>(&mut self) -> Result<Vec<P>, Error> {
        let size = P::zero().serialized_size(Compress::No);
        let n = self.count(size)?;
        self.points_n(n)
    }

    /// `n` points without a length prefix, checked in parallel.
    pub fn points_n<P: AffineRepr>(&mut self, n: usize) -> Result<Vec<P>, Error> {
        let size = P::zero().serialized_size(Compress::No);
        let raw = self.take(n.checked_mul(size).ok_or(Error::Malformed("truncated"))?)?;
        raw.par_chunks(size).map(point_from).collect()
    }

    /// Fails unless every byte was read.
    pub fn finish(&self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::Malformed("trailing bytes"))
        }
    }
}

/// Implements `CanonicalSerialize`/`CanonicalDeserialize` for a type with the crate's
/// compact `encode`/`decode`: the encoding, length-prefixed, so that containers can derive
/// their own serialization. Points are always checked, whatever the mode.
macro_rules! compact_canonical {
    ($t:ty) => {
        impl ark_serialize::CanonicalSerialize for $t {
            fn serialize_with_mode<W: std::io::Write>(
                &self,
                mut writer: W,
                _compress: ark_serialize::Compress,
            ) -> Result<(), ark_serialize::SerializationError> {
                let b = self
                    .encode()
                    .map_err(|_| ark_serialize::SerializationError::InvalidData)?;
                ark_serialize::CanonicalSerialize::serialize_with_mode(
                    &(b.len() as u64),
                    &mut writer,
                    ark_serialize::Compress::No,
                )?;
                std::io::Write::write_all(&mut writer, &b)?;
                Ok(())
            }

            fn serialized_size(&self, _compress: ark_serialize::Compress) -> usize {
                8 + self.encode().map_or(0, |b| b.len())
            }
        }

        impl ark_serialize::Valid for $t {
            fn check(&self) -> Result<(), ark_serialize::SerializationError> {
                Ok(())
            }
        }

        impl ark_serialize::CanonicalDeserialize for $t {
            fn deserialize_with_mode<R: std::io::Read>(
                mut reader: R,
                _compress: ark_serialize::Compress,
                _validate: ark_serialize::Validate,
            ) -> Result<Self, ark_serialize::SerializationError> {
                use std::io::Read as _;
                let n = <u64 as ark_serialize::CanonicalDeserialize>::deserialize_with_mode(
                    &mut reader,
                    ark_serialize::Compress::No,
                    ark_serialize::Validate::No,
                )?;
                let mut buf = Vec::new();
                reader.by_ref().take(n).read_to_end(&mut buf)?;
                if buf.len() as u64 != n {
                    return Err(ark_serialize::SerializationError::InvalidData);
                }
                Self::decode(&buf).map_err(|_| ark_serialize::SerializationError::InvalidData)
            }
        }
    };
}
pub(crate) use compact_canonical;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fq, Fr, GrumpkinAffine, G1};
    use ark_ff::{AdditiveGroup, Field, UniformRand};

    #[test]
    fn scalars_round_trip_in_their_shortest_form() {
        let mut rng = ark_std::test_rng();
        let mut vals: Vec<Fr> = vec![
            Fr::ZERO,
            Fr::ONE,
            -Fr::ONE,
            Fr::from(255u64),
            Fr::from(256u64),
            -Fr::from(1u64 << 40),
            Fr::from(u32::MAX),
        ];
        vals.extend((0..50).map(|_| Fr::rand(&mut rng)));
        let mut w = ByteWriter::default();
        w.scalars(&vals);
        let mut r = ByteReader::new(&w.out);
        assert_eq!(r.scalars::<Fr>().unwrap(), vals);
        r.finish().unwrap();
        let len = |v: Fr| {
            let mut w = ByteWriter::default();
            w.scalar(&v);
            w.out.len()
        };
        assert_eq!(len(Fr::ZERO), 1);
        assert_eq!(len(Fr::ONE), 2);
        assert_eq!(len(-Fr::ONE), 2);
        assert_eq!(len(Fr::from(u32::MAX)), 5);
        assert_eq!(len(-Fr::from(u32::MAX)), 5);

        let fq: Vec<Fq> = (0..20).map(|_| Fq::rand(&mut rng)).collect();
        let mut w = ByteWriter::default();
        w.scalars(&fq);
        assert_eq!(ByteReader::new(&w.out).scalars::<Fq>().unwrap(), fq);
    }

    #[test]
    fn only_the_encoders_form_is_accepted() {
        let read = |b: &[u8]| ByteReader::new(b).scalar::<Fr>();
        assert_eq!(read(&[0]).unwrap(), Fr::ZERO);
        assert_eq!(read(&[1, 1]).unwrap(), Fr::ONE);
        assert_eq!(read(&[0x81, 1]).unwrap(), -Fr::ONE);
        // −0, a zero top byte, a too long magnitude, the longer sign, truncation.
        assert!(read(&[0x80]).is_err());
        assert!(read(&[2, 1, 0]).is_err());
        assert!(read(&[33]).is_err());
        let mut long = vec![32u8];
        long.extend((-Fr::ONE).into_bigint().to_bytes_le());
        assert!(read(&long).is_err());
        assert!(read(&[2, 1]).is_err());
        // The modulus itself.
        let mut m = vec![32u8];
        m.extend(Fr::MODULUS.to_bytes_le());
        assert!(read(&m).is_err());

        // Varints: minimal only, at most 64 bits.
        let mut w = ByteWriter::default();
        for v in [0u64, 127, 128, 300, u64::MAX] {
            w.varint(v);
        }
        let mut r = ByteReader::new(&w.out);
        for v in [0u64, 127, 128, 300, u64::MAX] {
            assert_eq!(r.varint().unwrap(), v);
        }
        assert!(ByteReader::new(&[0x80, 0x00]).varint().is_err());
        assert!(ByteReader::new(&[0xff; 10]).varint().is_err());
        assert!(ByteReader::new(&[0x80]).varint().is_err());
    }

    #[test]
    fn points_round_trip_and_off_curve_points_are_refused() {
        let g = G1::generator();
        let h = GrumpkinAffine::generator();
        let mut w = ByteWriter::default();
        w.points(&[g, G1::zero(), (g * Fr::from(5u64)).into()])
            .unwrap();
        w.point(&h).unwrap();
        let mut r = ByteReader::new(&w.out);
        let ps: Vec<G1> = r.points().unwrap();
        assert_eq!(ps[0], g);
        assert!(ps[1].is_zero());
        assert_eq!(r.point::<GrumpkinAffine>().unwrap(), h);
        r.finish().unwrap();
        // Change y of the first point: no longer on the curve.
        let mut bad = w.out.clone();
        bad[1 + 32] ^= 1;
        assert!(ByteReader::new(&bad).points::<G1>().is_err());
        let y = g.y().unwrap_or_default();
        assert_eq!(
            y.square(),
            g.x().unwrap_or_default().pow([3]) + Fq::from(3u64)
        );
    }
}
