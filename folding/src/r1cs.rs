//! Relaxed R1CS over BN254 Fr: shapes, instances, witnesses and satisfiability.
//!
//! A shape holds sparse matrices `A, B, C` with `m` rows over `z = (u, x, W1, W2)`. A witness
//! is split in two parts, each committed on its own: `W1` (fixed before any challenge of the
//! run) and `W2` (the rest). A *fresh* instance has `u = 1` and satisfies `Az ∘ Bz = Cz`. A
//! *running* instance `(C_W1, C_W2, x, u, r_E, v_E)` claims that the error vector
//! `E = Az ∘ Bz − u·Cz` has multilinear extension `v_E` at `r_E` (see `docs/FOLDING.md`).

use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field, PrimeField, Zero};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError, R1CS_PREDICATE_LABEL};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;

use crate::commitment::{CommitmentKey, PowersOfTauKey};
use crate::encode::{ByteReader, ByteWriter};
use crate::{mle, Error, Fr, G1};

/// A sparse matrix in compressed-row form. Coefficients are indices into a table of the
/// distinct values (most are `±1` or powers of two), most frequent first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparseMatrix<F: PrimeField = Fr> {
    row_start: Vec<u64>,
    cols: Vec<u32>,
    vals: Vec<u32>,
    coeffs: Vec<F>,
}

/// No row (see [`SparseMatrix::rows_in`]), or no column (see
/// [`SparseMatrix::copied_columns`]).
pub(crate) const NO_ROW: u32 = u32::MAX;

/// The indices of `1` and `−1` in `coeffs` (`u32::MAX` if absent).
fn unit_indices<F: PrimeField>(coeffs: &[F]) -> [u32; 2] {
    [F::ONE, -F::ONE].map(|u| {
        coeffs
            .iter()
            .position(|c| *c == u)
            .map_or(u32::MAX, |i| i as u32)
    })
}

impl<F: PrimeField> SparseMatrix<F> {
    fn from_rows(rows: &[Vec<(F, usize)>]) -> Self {
        // Distinct coefficients, numbered by frequency (then by first use), so that the
        // common ones get one-byte indices in the compact encoding.
        let mut first: HashMap<F, usize> = HashMap::new();
        let mut distinct: Vec<(F, usize)> = Vec::new();
        for (v, _) in rows.iter().flatten() {
            let i = *first.entry(*v).or_insert_with(|| {
                distinct.push((*v, 0));
                distinct.len() - 1
            });
            distinct[i].1 += 1;
        }
        let mut order: Vec<usize> = (0..distinct.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(distinct[i].1), i));
        let mut rank = vec![0u32; distinct.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32;
        }
        let coeffs = order.iter().map(|&i| distinct[i].0).collect();
        let mut row_start = Vec::with_capacity(rows.len() + 1);
        let mut cols = Vec::new();
        let mut vals = Vec::new();
        row_start.push(0);
        for row in rows {
            for (v, c) in row {
                cols.push(*c as u32);
                vals.push(rank[first[v]]);
            }
            row_start.push(cols.len() as u64);
        }
        Self {
            row_start,
            cols,
            vals,
            coeffs,
        }
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.row_start.len().saturating_sub(1)
    }

    /// Number of non-zero entries.
    pub fn nnz(&self) -> usize {
        self.vals.len()
    }

    /// The non-zero entries `(row, column, coefficient)`, row by row.
    pub fn entries(&self) -> impl Iterator<Item = (usize, usize, F)> + '_ {
        (0..self.num_rows()).flat_map(move |i| {
            let (s, e) = (self.row_start[i] as usize, self.row_start[i + 1] as usize);
            (s..e).map(move |j| (i, self.cols[j] as usize, self.coeffs[self.vals[j] as usize]))
        })
    }

    /// `Mᵀ·w` over `num_cols` columns: the rows weighted by `w` and summed (rows from
    /// `w.len()` on weigh nothing). A decider binds a matrix's row variables with it:
    /// `MLE(M)(r_y, ·)` is `Mᵀ·eq(r_y, ·)`. Every column index must be below `num_cols`.
    pub fn transpose_mul(&self, w: &[F], num_cols: usize) -> Vec<F> {
        let mut out = vec![F::ZERO; num_cols];
        for (i, wi) in w.iter().enumerate().take(self.num_rows()) {
            if wi.is_zero() {
                continue;
            }
            let (s, e) = (self.row_start[i] as usize, self.row_start[i + 1] as usize);
            for j in s..e {
                out[self.cols[j] as usize] += self.coeffs[self.vals[j] as usize] * wi;
            }
        }
        out
    }

    /// `M·z`. Every column index must be below `z.len()` (checked by the shape).
    pub fn mul_vec(&self, z: &[F]) -> Vec<F> {
        self.mul_vec_reusing(z, &[], &[], &[])
    }

    /// `M·z`, taking row `i` as `z[copies[i]]` where `copies[i]` exists and is not
    /// [`NO_ROW`] (the row copies that entry, [`Self::copied_columns`]), else as
    /// `known[same[i]]` where `same[i]` exists and is not [`NO_ROW`] (a row with the same
    /// linear combination as row `same[i]` of the matrix `known` was made by).
    fn mul_vec_reusing(&self, z: &[F], copies: &[u32], same: &[u32], known: &[F]) -> Vec<F> {
        let units = unit_indices(&self.coeffs);
        (0..self.num_rows())
            .into_par_iter()
            .map(|i| match (copies.get(i), same.get(i)) {
                (Some(&c), _) if c != NO_ROW => z[c as usize],
                (_, Some(&j)) if j != NO_ROW => known[j as usize],
                _ => self.row_dot(i, z, units),
            })
            .collect()
    }

    /// Row `i` of `M·z`. Products are summed three at a time with one Montgomery reduction
    /// (`sum_of_products`): the recursion circuit's rows hold long linear combinations with
    /// full-size coefficients. Entries of coefficient ±1 (`units`, their indices in the
    /// coefficient table) are added or subtracted without loading or comparing the
    /// coefficient.
    fn row_dot(&self, i: usize, z: &[F], units: [u32; 2]) -> F {
        const GROUP: usize = 3;
        let (s, e) = (self.row_start[i] as usize, self.row_start[i + 1] as usize);
        let mut acc = F::ZERO;
        let (mut vs, mut xs, mut k) = ([F::ZERO; GROUP], [F::ZERO; GROUP], 0);
        for j in s..e {
            let (c, x) = (self.vals[j], z[self.cols[j] as usize]);
            if c == units[0] {
                acc += x;
            } else if c == units[1] {
                acc -= x;
            } else {
                (vs[k], xs[k]) = (self.coeffs[c as usize], x);
                k += 1;
                if k == GROUP {
                    acc += F::sum_of_products(&vs, &xs);
                    k = 0;
                }
            }
        }
        for (v, x) in vs.iter().zip(&xs).take(k) {
            acc += *v * x;
        }
        acc
    }

    /// Row `i` as (column, coefficient) pairs.
    fn row(&self, i: usize) -> impl Iterator<Item = (u32, F)> + '_ {
        let (s, e) = (self.row_start[i] as usize, self.row_start[i + 1] as usize);
        (s..e).map(move |j| (self.cols[j], self.coeffs[self.vals[j] as usize]))
    }

    /// For every row of `self`, a row of `other` with the same linear combination, or
    /// [`NO_ROW`] (rows of fewer than two entries are left out: evaluating them costs no
    /// more than reading a copy). A Poseidon S-box `s·s = x2, x2·x2 = x4, x4·s = x5` has
    /// the linear combination `s` (long, across the partial rounds) in `A` and `B` of its
    /// first row and in `B` of its third: with `B`'s rows found in `A`, the products of the
    /// recursion circuit evaluate each `s` once instead of three times.
    fn rows_in(&self, other: &Self) -> Vec<u32> {
        let key = |m: &Self, i: usize| m.row(i).collect::<Vec<_>>();
        let mut index: HashMap<Vec<(u32, F)>, u32> = HashMap::new();
        for i in 0..other.num_rows() {
            if other.row_start[i + 1] - other.row_start[i] >= 2 {
                index.entry(key(other, i)).or_insert(i as u32);
            }
        }
        (0..self.num_rows())
            .map(|i| {
                if self.row_start[i + 1] - self.row_start[i] < 2 {
                    return NO_ROW;
                }
                index.get(&key(self, i)).copied().unwrap_or(NO_ROW)
            })
            .collect()
    }

    /// For every row, the column of its only entry if that entry's coefficient is 1, else
    /// [`NO_ROW`]: such a row of `M·z` is a copy of an entry of `z`.
    fn copied_columns(&self) -> Vec<u32> {
        let one = unit_indices(&self.coeffs)[0];
        (0..self.num_rows())
            .map(|i| {
                let (s, e) = (self.row_start[i] as usize, self.row_start[i + 1] as usize);
                if e == s + 1 && self.vals[s] == one {
                    self.cols[s]
                } else {
                    NO_ROW
                }
            })
            .collect()
    }

    /// Whether row `i` of `self` and row `j` of `other` hold the same linear combination.
    fn same_row(&self, i: usize, other: &Self, j: usize) -> bool {
        self.row(i).eq(other.row(j))
    }

    fn is_well_formed(&self) -> bool {
        self.row_start.first() == Some(&0)
            && self.row_start.windows(2).all(|w| w[0] <= w[1])
            && self.row_start.last().map(|&l| l as usize) == Some(self.cols.len())
            && self.cols.len() == self.vals.len()
            && self.vals.iter().all(|&v| (v as usize) < self.coeffs.len())
    }

    fn max_col(&self) -> Option<usize> {
        self.cols.iter().max().map(|&c| c as usize)
    }

    /// Compact encoding: the coefficient table, then per row its length and per entry the
    /// column (zigzag delta from the previous one in the row) and the coefficient index.
    fn write(&self, w: &mut ByteWriter) {
        w.scalars(&self.coeffs);
        for row in self.row_start.windows(2) {
            let (s, e) = (row[0] as usize, row[1] as usize);
            w.varint((e - s) as u64);
            let mut prev = 0i64;
            for k in s..e {
                let c = i64::from(self.cols[k]);
                let d = c - prev;
                w.varint(((d << 1) ^ (d >> 63)) as u64);
                w.varint(u64::from(self.vals[k]));
                prev = c;
            }
        }
    }

    /// Reads [`Self::write`]'s encoding of `rows` rows whose columns lie below `z_len`.
    fn read(r: &mut ByteReader<'_>, rows: usize, z_len: usize) -> Result<Self, Error> {
        let coeffs: Vec<F> = r.scalars()?;
        let mut row_start = Vec::with_capacity(rows + 1);
        let mut cols = Vec::new();
        let mut vals = Vec::new();
        row_start.push(0);
        for _ in 0..rows {
            let n = r.count(2)?;
            let mut prev = 0i64;
            for _ in 0..n {
                let zz = r.varint()?;
                let d = (zz >> 1) as i64 ^ -((zz & 1) as i64);
                let c = prev
                    .checked_add(d)
                    .filter(|c| (0..z_len as i64).contains(c))
                    .ok_or(Error::Malformed("matrix column out of range"))?;
                let v = r.varint()?;
                if v >= coeffs.len() as u64 {
                    return Err(Error::Malformed("matrix coefficient index out of range"));
                }
                cols.push(c as u32);
                vals.push(v as u32);
                prev = c;
            }
            row_start.push(cols.len() as u64);
        }
        Ok(Self {
            row_start,
            cols,
            vals,
            coeffs,
        })
    }
}

/// The largest number of public inputs a shape read from bytes may declare.
const MAX_IO: u64 = 1 << 16;

/// The shape of a relaxed R1CS: matrices and the sizes of the parts of `z`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1csShape<F: PrimeField = Fr> {
    /// Number of constraints `m`.
    pub num_constraints: usize,
    /// Number of public inputs (not counting the leading `u`).
    pub num_io: usize,
    /// Length of `W1`.
    pub num_w1: usize,
    /// Length of `W2`.
    pub num_w2: usize,
    a: SparseMatrix<F>,
    b: SparseMatrix<F>,
    c: SparseMatrix<F>,
    /// For each row of `B`, the row of `A` with the same linear combination (found at the
    /// first product and kept).
    b_in_a: Derived<Vec<u32>>,
    /// [`SparseMatrix::copied_columns`] of `A`, `B` and `C` (found at the first fold and
    /// kept).
    copies: Derived<[Vec<u32>; 3]>,
    /// The S-boxes whose input is a linear combination (found at the first fresh product
    /// and kept).
    sboxes: Derived<Sboxes>,
}

/// The S-boxes `s·s = x2, x2·x2 = x4, x4·s = x5` of a shape (three consecutive rows) whose
/// input `s` is a linear combination of two entries or more: a Poseidon permutation's, whose
/// `s` grows across the partial rounds to dozens of terms. A satisfying `z` gives
/// `s = x5 / x4` (or 0 when `x4` is), cheaper than the combination.
#[derive(Clone, Debug, Default)]
struct Sboxes {
    /// Per row of `A`: the index of the S-box whose first row it is, or [`NO_ROW`].
    first_row: Vec<u32>,
    /// Per S-box: the columns of `x4` and `x5`.
    x4_x5: Vec<(u32, u32)>,
}

/// A value computed from a shape's matrices when first needed and kept: equal whatever it
/// holds, since it follows from the matrices.
#[derive(Clone, Debug)]
struct Derived<T>(std::sync::OnceLock<T>);

impl<T> Default for Derived<T> {
    fn default() -> Self {
        Self(std::sync::OnceLock::new())
    }
}

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Derived<T> {}

impl<F: PrimeField> R1csShape<F> {
    /// Extracts the shape of a synthesized constraint system whose first `num_w1` witness
    /// variables form `W1`. Call it once, at setup.
    pub fn from_cs(cs: &ConstraintSystemRef<F>, num_w1: usize) -> Result<Self, Error> {
        Self::from_cs_moving(cs, num_w1, 0..0)
    }

    /// [`Self::from_cs`] with the witness variables `moved` (indices among the witness
    /// variables, after `W1`) placed at the end of the witness; [`move_to_end`] orders a
    /// witness assignment the same way.
    pub fn from_cs_moving(
        cs: &ConstraintSystemRef<F>,
        num_w1: usize,
        moved: Range<usize>,
    ) -> Result<Self, Error> {
        cs.finalize();
        let num_inst = cs.num_instance_variables();
        let num_io = num_inst - 1;
        let num_w = cs.num_witness_variables();
        if num_w1 > num_w {
            return Err(Error::WrongLength {
                what: "W1 (more than all witness variables)",
                expected: num_w,
                got: num_w1,
            });
        }
        if !moved.is_empty() && (moved.start < num_w1 || moved.end > num_w) {
            return Err(Error::WrongLength {
                what: "moved witness range",
                expected: num_w,
                got: moved.end,
            });
        }
        let matrices = cs
            .borrow()
            .ok_or(SynthesisError::MissingCS)?
            .to_matrices()?;
        let column = |c: usize| {
            let Some(j) = c.checked_sub(num_inst) else {
                return c;
            };
            let j = if j < moved.start {
                j
            } else if j < moved.end {
                num_w - moved.len() + (j - moved.start)
            } else {
                j - moved.len()
            };
            num_inst + j
        };
        let remap = |rows: &[Vec<(F, usize)>]| -> Vec<Vec<(F, usize)>> {
            rows.iter()
                .map(|row| row.iter().map(|&(v, c)| (v, column(c))).collect())
                .collect()
        };
        let (a, b, c) = match matrices.get(R1CS_PREDICATE_LABEL) {
            Some(m) if m.len() == 3 => (
                SparseMatrix::from_rows(&remap(&m[0])),
                SparseMatrix::from_rows(&remap(&m[1])),
                SparseMatrix::from_rows(&remap(&m[2])),
            ),
            _ => {
                let empty = SparseMatrix::from_rows(&[]);
                (empty.clone(), empty.clone(), empty)
            }
        };
        let shape = Self {
            num_constraints: a.num_rows(),
            num_io,
            num_w1,
            num_w2: num_w - num_w1,
            a,
            b,
            c,
            b_in_a: Derived::default(),
            copies: Derived::default(),
            sboxes: Derived::default(),
        };
        shape.check_columns()?;
        Ok(shape)
    }

    /// The compact encoding of the shape (sizes, then `A`, `B`, `C`; see
    /// [`crate::encode`]). About three bytes per non-zero entry.
    pub fn to_compact(&self) -> Vec<u8> {
        let mut w = ByteWriter::default();
        for n in [self.num_constraints, self.num_io, self.num_w1, self.num_w2] {
            w.varint(n as u64);
        }
        for m in [&self.a, &self.b, &self.c] {
            m.write(&mut w);
        }
        w.out
    }

    /// Reads [`Self::to_compact`]'s encoding and validates the shape.
    pub fn from_compact(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = ByteReader::new(bytes);
        // Every row takes at least one byte in each matrix.
        let m = r.count(3)?;
        let num_io = r.bounded(MAX_IO)?;
        let num_w1 = r.bounded(u64::from(u32::MAX))?;
        let num_w2 = r.bounded(u64::from(u32::MAX))?;
        let z_len = 1 + num_io + num_w1 + num_w2;
        if z_len > u32::MAX as usize {
            return Err(Error::Malformed("shape longer than 2^32 variables"));
        }
        let a = SparseMatrix::read(&mut r, m, z_len)?;
        let b = SparseMatrix::read(&mut r, m, z_len)?;
        let c = SparseMatrix::read(&mut r, m, z_len)?;
        r.finish()?;
        let shape = Self {
            num_constraints: m,
            num_io,
            num_w1,
            num_w2,
            a,
            b,
            c,
            b_in_a: Derived::default(),
            copies: Derived::default(),
            sboxes: Derived::default(),
        };
        shape.validate()?;
        Ok(shape)
    }

    /// Checks that the matrices are well formed for the declared sizes (run on every shape
    /// read from bytes, so that a crafted file cannot make a product index out of bounds).
    pub fn validate(&self) -> Result<(), Error> {
        for m in [&self.a, &self.b, &self.c] {
            if !m.is_well_formed() {
                return Err(Error::Unsatisfied("malformed sparse matrix"));
            }
        }
        self.check_columns()
    }

    fn check_columns(&self) -> Result<(), Error> {
        let len = self.z_len();
        for m in [&self.a, &self.b, &self.c] {
            if m.num_rows() != self.num_constraints {
                return Err(Error::WrongLength {
                    what: "matrix rows",
                    expected: self.num_constraints,
                    got: m.num_rows(),
                });
            }
            if let Some(c) = m.max_col() {
                if c >= len {
                    return Err(Error::WrongLength {
                        what: "matrix columns",
                        expected: len,
                        got: c + 1,
                    });
                }
            }
        }
        Ok(())
    }

    /// The matrices `A`, `B`, `C`.
    pub fn matrices(&self) -> [&SparseMatrix<F>; 3] {
        [&self.a, &self.b, &self.c]
    }

    /// Length of `z = (u, x, W1, W2)`.
    pub fn z_len(&self) -> usize {
        1usize
            .saturating_add(self.num_io)
            .saturating_add(self.num_w1)
            .saturating_add(self.num_w2)
    }

    /// Number of variables of the error vector's MLE: `⌈log2 m⌉`.
    pub fn num_vars(&self) -> usize {
        mle::num_vars(self.num_constraints)
    }

    /// Total non-zero entries of `A, B, C`.
    pub fn nnz(&self) -> usize {
        self.a.nnz() + self.b.nnz() + self.c.nnz()
    }

    /// Builds `z` after checking the lengths of its parts.
    pub fn z(&self, u: F, x: &[F], w1: &[F], w2: &[F]) -> Result<Vec<F>, Error> {
        check_len("x", self.num_io, x.len())?;
        check_len("W1", self.num_w1, w1.len())?;
        check_len("W2", self.num_w2, w2.len())?;
        let mut z = Vec::with_capacity(self.z_len());
        z.push(u);
        z.extend_from_slice(x);
        z.extend_from_slice(w1);
        z.extend_from_slice(w2);
        Ok(z)
    }

    /// Entry `col` of `z = (u, x, W1, W2)` without building `z` (the layout of [`Self::z`];
    /// the parts must have the shape's lengths).
    pub(crate) fn z_entry<'a>(
        &self,
        u: F,
        x: &'a [F],
        w1: &'a [F],
        w2: &'a [F],
    ) -> impl Fn(u32) -> F + Sync + 'a {
        let (num_io, num_w1) = (self.num_io, self.num_w1);
        move |col| {
            let col = col as usize;
            if col == 0 {
                u
            } else if col <= num_io {
                x[col - 1]
            } else if col <= num_io + num_w1 {
                w1[col - 1 - num_io]
            } else {
                w2[col - 1 - num_io - num_w1]
            }
        }
    }

    /// `(Az, Bz, Cz)`.
    pub fn products(&self, z: &[F]) -> (Vec<F>, Vec<F>, Vec<F>) {
        self.products_with(z, None)
    }

    /// `(Az, Bz, Cz)` of a `z` that satisfies the shape's S-box rows (a fresh instance's
    /// honest witness): each S-box input `s` whose linear combination is long is `x5 / x4`
    /// instead of the combination's sum (a Poseidon permutation's partial rounds: the
    /// products of the grid step took 1.68 → 0.68 ms at 2^10, 2.99 → 1.96 ms at 2^16,
    /// `ivc/products*` in the folding bench). For a `z` that does not satisfy them,
    /// the rows of those inputs are not `A·z`, and a fold made from them does not verify;
    /// [`Self::products`] is exact for any `z`.
    pub fn products_of_satisfying(&self, z: &[F]) -> (Vec<F>, Vec<F>, Vec<F>) {
        let same = self.b_in_a.0.get_or_init(|| self.b.rows_in(&self.a));
        let sboxes = self.sboxes.0.get_or_init(|| self.find_sboxes(same));
        self.products_with(z, Some(sboxes))
    }

    /// The products, reading copied rows from `z`, `B`'s rows found in `A` from `Az`, and
    /// (with `sboxes`) the S-box inputs from their outputs.
    fn products_with(&self, z: &[F], sboxes: Option<&Sboxes>) -> (Vec<F>, Vec<F>, Vec<F>) {
        // The rows are matched serially once (no rayon job inside, so a thread that waits
        // here for another's match waits for nothing of its own).
        let same = self.b_in_a.0.get_or_init(|| self.b.rows_in(&self.a));
        let [ca, cb, cc] = self.copied_columns();
        let ((az, bz), cz) = rayon::join(
            || {
                let az = match sboxes {
                    Some(sb) => {
                        let mut inputs: Vec<F> =
                            sb.x4_x5.iter().map(|&(x4, _)| z[x4 as usize]).collect();
                        ark_ff::batch_inversion(&mut inputs);
                        inputs
                            .par_iter_mut()
                            .zip(&sb.x4_x5)
                            .for_each(|(s, &(_, x5))| *s *= z[x5 as usize]);
                        self.a.mul_vec_reusing(z, ca, &sb.first_row, &inputs)
                    }
                    None => self.a.mul_vec_reusing(z, ca, &[], &[]),
                };
                let bz = self.b.mul_vec_reusing(z, cb, same, &az);
                (az, bz)
            },
            || self.c.mul_vec_reusing(z, cc, &[], &[]),
        );
        (az, bz, cz)
    }

    /// The S-boxes of the shape (see [`Sboxes`]), given `B`'s rows found in `A`. Serial, like
    /// the row matching.
    fn find_sboxes(&self, b_in_a: &[u32]) -> Sboxes {
        let [ca, cb, cc] = self.copied_columns();
        let m = self.num_constraints;
        let mut out = Sboxes {
            first_row: vec![NO_ROW; m],
            x4_x5: Vec::new(),
        };
        let mut k = 0;
        while k + 2 < m {
            let (v2, v4) = (cc[k], cc[k + 1]);
            let is_sbox = b_in_a[k] != NO_ROW
                && self.a.same_row(k, &self.b, k)
                && self.a.same_row(k, &self.b, k + 2)
                && v2 != NO_ROW
                && v4 != NO_ROW
                && cc[k + 2] != NO_ROW
                && ca[k + 1] == v2
                && cb[k + 1] == v2
                && ca[k + 2] == v4;
            if is_sbox {
                out.first_row[k] = out.x4_x5.len() as u32;
                out.x4_x5.push((v4, cc[k + 2]));
                k += 3;
            } else {
                k += 1;
            }
        }
        out
    }

    /// For `A`, `B` and `C`, each row's column if the row copies one entry of `z` (its only
    /// entry, with coefficient 1), else [`NO_ROW`]. The products read such a row's entry
    /// directly, and a fold writes it as the folded `z`'s entry instead of folding the
    /// products (a VM step's and a Poseidon S-box's rows are mostly copies).
    pub(crate) fn copied_columns(&self) -> &[Vec<u32>; 3] {
        self.copies.0.get_or_init(|| {
            [
                self.a.copied_columns(),
                self.b.copied_columns(),
                self.c.copied_columns(),
            ]
        })
    }

    /// `E = Az ∘ Bz − u·Cz`.
    pub fn error_vector(&self, z: &[F], u: F) -> Vec<F> {
        let (az, bz, cz) = self.products(z);
        az.par_iter()
            .zip(&bz)
            .zip(&cz)
            .map(|((a, b), c)| *a * b - u * c)
            .collect()
    }
}

impl R1csShape<Fr> {
    /// Checks a fresh instance: commitments open to the witness and `Az ∘ Bz = Cz`.
    pub fn check_fresh(
        &self,
        key: &PowersOfTauKey,
        u: &FreshInstance,
        w: &Witness,
    ) -> Result<(), Error> {
        self.check_exact(&u.x, w)?;
        check_commitments(key, &u.cw1, &u.cw2, w)
    }

    /// Checks `Az ∘ Bz = Cz` for `z = (1, x, W1, W2)` (an exact, unrelaxed instance).
    pub fn check_exact(&self, x: &[Fr], w: &Witness) -> Result<(), Error> {
        let z = self.z(Fr::ONE, x, &w.w1, &w.w2)?;
        let (az, bz, cz) = self.products(&z);
        let ok = az
            .par_iter()
            .zip(&bz)
            .zip(&cz)
            .all(|((a, b), c)| *a * b == *c);
        if !ok {
            return Err(Error::Unsatisfied("Az ∘ Bz ≠ Cz"));
        }
        Ok(())
    }

    /// Checks a running instance: commitments open to the witness and
    /// `MLE(Az ∘ Bz − u·Cz)(r_E) = v_E`.
    pub fn check_running(
        &self,
        key: &PowersOfTauKey,
        inst: &RunningInstance,
        w: &Witness,
    ) -> Result<(), Error> {
        check_len("r_E", self.num_vars(), inst.r_e.len())?;
        let z = self.z(inst.u, &inst.x, &w.w1, &w.w2)?;
        let e = self.error_vector(&z, inst.u);
        if mle::evaluate(&e, &inst.r_e) != inst.v_e {
            return Err(Error::Unsatisfied("MLE(E)(r_E) ≠ v_E"));
        }
        check_commitments(key, &inst.cw1, &inst.cw2, w)
    }
}

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), Error> {
    if expected != got {
        return Err(Error::WrongLength {
            what,
            expected,
            got,
        });
    }
    Ok(())
}

fn check_commitments(key: &PowersOfTauKey, cw1: &G1, cw2: &G1, w: &Witness) -> Result<(), Error> {
    if key.commit(&w.w1)? != *cw1 {
        return Err(Error::CommitmentMismatch("C_W1"));
    }
    if key.commit(&w.w2)? != *cw2 {
        return Err(Error::CommitmentMismatch("C_W2"));
    }
    Ok(())
}

/// Moves the entries `moved` of a witness assignment to its end, keeping the order of the
/// others (the column order of [`R1csShape::from_cs_moving`]).
pub fn move_to_end<T>(w: &mut [T], moved: Range<usize>) {
    w[moved.start..].rotate_left(moved.len());
}

/// A witness `(W1, W2)`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Witness {
    /// The part fixed before any challenge of the run.
    pub w1: Vec<Fr>,
    /// The rest.
    pub w2: Vec<Fr>,
}

impl Witness {
    /// The all-zero witness of a shape.
    pub fn zero(shape: &R1csShape) -> Self {
        Self {
            w1: vec![Fr::ZERO; shape.num_w1],
            w2: vec![Fr::ZERO; shape.num_w2],
        }
    }
}

/// A fresh (strict) instance: `u = 1`, `E = 0`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct FreshInstance {
    /// Commitment to `W1`.
    pub cw1: G1,
    /// Commitment to `W2`.
    pub cw2: G1,
    /// Public inputs.
    pub x: Vec<Fr>,
}

impl FreshInstance {
    /// Commits to a witness and forms the instance.
    pub fn commit(key: &PowersOfTauKey, x: Vec<Fr>, w: &Witness) -> Result<Self, Error> {
        Ok(Self {
            cw1: key.commit(&w.w1)?,
            cw2: key.commit(&w.w2)?,
            x,
        })
    }
}

/// A running instance: commitments, `x`, `u`, and the claim `MLE(E)(r_E) = v_E`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct RunningInstance {
    /// Commitment to `W1`.
    pub cw1: G1,
    /// Commitment to `W2`.
    pub cw2: G1,
    /// Public inputs.
    pub x: Vec<Fr>,
    /// The relaxation scalar.
    pub u: Fr,
    /// The evaluation point of the error claim.
    pub r_e: Vec<Fr>,
    /// The claimed evaluation of `MLE(E)` at `r_E`.
    pub v_e: Fr,
}

impl RunningInstance {
    /// The trivial running instance (zero witness, `u = 0`, `E = 0`), satisfied by
    /// [`Witness::zero`].
    pub fn zero(shape: &R1csShape) -> Self {
        Self {
            cw1: G1::zero(),
            cw2: G1::zero(),
            x: vec![Fr::ZERO; shape.num_io],
            u: Fr::ZERO,
            r_e: vec![Fr::ZERO; shape.num_vars()],
            v_e: Fr::ZERO,
        }
    }

    /// Whether this is exactly [`Self::zero`].
    pub fn is_zero(&self) -> bool {
        self.cw1.is_zero()
            && self.cw2.is_zero()
            && self.x.iter().all(Zero::is_zero)
            && self.u.is_zero()
            && self.r_e.iter().all(Zero::is_zero)
            && self.v_e.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::step::StepCircuit;
    use crate::testing::{values, ProductCircuit};
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_r1cs_std::prelude::*;
    use ark_relations::gr1cs::{ConstraintSystem, LinearCombination};

    /// A Poseidon hash of twelve witnesses (two permutations), synthesized with its matrices,
    /// and its shape.
    fn hash_shape() -> (ConstraintSystemRef<Fr>, R1csShape) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let xs: Vec<FpVar<Fr>> = (0..12u64)
            .map(|v| FpVar::new_witness(cs.clone(), || Ok(Fr::from(v))).unwrap())
            .collect();
        let _hash = crate::poseidon::hash_var(cs.clone(), b"rows", &xs).unwrap();
        let shape = R1csShape::from_cs(&cs, 0).unwrap();
        (cs, shape)
    }

    /// The products reuse `A`'s value for every `B` row with the same linear combination:
    /// a Poseidon hash has two such rows per S-box, and the products equal the plain
    /// matrix–vector products at any `z`, satisfying or not.
    #[test]
    fn products_reuse_rows_of_a_found_in_b() {
        use ark_std::UniformRand;
        let (_cs, shape) = hash_shape();
        let same = shape.b.rows_in(&shape.a);
        let found = same.iter().filter(|&&j| j != NO_ROW).count();
        // Two permutations of 135 S-boxes, two rows each (536 of 540: a few S-boxes of the
        // first round take a lone variable, which is left out).
        assert!(found >= 2 * 2 * 130, "{found} rows found");
        for (i, &j) in same.iter().enumerate() {
            if j != NO_ROW {
                assert!(shape.b.row(i).eq(shape.a.row(j as usize)));
            }
        }
        let mut rng = ark_std::test_rng();
        let z: Vec<Fr> = (0..shape.z_len()).map(|_| Fr::rand(&mut rng)).collect();
        let (az, bz, cz) = shape.products(&z);
        assert_eq!(az, shape.a.mul_vec(&z));
        assert_eq!(bz, shape.b.mul_vec(&z));
        assert_eq!(cz, shape.c.mul_vec(&z));
    }

    fn assignment(cs: &ConstraintSystemRef<Fr>) -> Vec<Fr> {
        let mut z = cs.instance_assignment().unwrap();
        z.extend(cs.witness_assignment().unwrap());
        z
    }

    /// The S-boxes of a Poseidon hash are found, and at a satisfying `z` the products that
    /// take their inputs as `x5 / x4` are the matrix products; at a `z` with one S-box's
    /// `x5` changed they are not.
    #[test]
    fn products_of_satisfying_take_sbox_inputs_from_their_outputs() {
        let (cs, shape) = hash_shape();
        assert!(cs.is_satisfied().unwrap());
        let z = assignment(&cs);
        let (az, bz, cz) = shape.products_of_satisfying(&z);
        let sboxes = shape.sboxes.0.get().unwrap();
        // Two permutations of 135 S-boxes, less the few of the first round whose input is a
        // lone variable.
        assert!(sboxes.x4_x5.len() >= 2 * 130, "{}", sboxes.x4_x5.len());
        assert_eq!(az, shape.a.mul_vec(&z));
        assert_eq!(bz, shape.b.mul_vec(&z));
        assert_eq!(cz, shape.c.mul_vec(&z));
        let mut bad = z.clone();
        bad[sboxes.x4_x5[7].1 as usize] += Fr::ONE;
        assert_ne!(shape.products_of_satisfying(&bad).0, shape.a.mul_vec(&bad));
    }

    /// The fresh products assume satisfied S-boxes; a witness with one S-box's `x5` changed
    /// gets products that are not its own, and the fold made from them is rejected by the
    /// verifier's check (which uses the exact products), while the honest witness's passes.
    #[test]
    fn a_fold_of_a_witness_with_a_false_sbox_is_rejected() {
        use crate::mova;
        use crate::poseidon::Transcript;
        let (cs, shape) = hash_shape();
        let key = PowersOfTauKey::from_seed(b"sbox fold", shape.num_w2);
        let x = cs.instance_assignment().unwrap()[1..].to_vec();
        let honest = cs.witness_assignment().unwrap();
        let _ = shape.products_of_satisfying(&assignment(&cs));
        // A partial round's S-box: its input is a long combination.
        let (_, x5) = shape.sboxes.0.get().unwrap().x4_x5[100];
        let first_w = 1 + shape.num_io + shape.num_w1;
        let mut tampered = honest.clone();
        tampered[x5 as usize - first_w] += Fr::ONE;
        for (w2, accepted) in [(honest, true), (tampered, false)] {
            let w = Witness { w1: vec![], w2 };
            let u = FreshInstance::commit(&key, x.clone(), &w).unwrap();
            let (big_u, big_w) = (
                RunningInstance::zero(&shape),
                mova::RunningWitness::zero(&shape),
            );
            let transcript = || {
                let mut t = Transcript::new(b"sbox fold");
                mova::absorb_running(&mut t, &big_u);
                mova::absorb_fresh(&mut t, &u);
                t
            };
            let (_, folded_w, proof, _) =
                mova::prove(&shape, &mut transcript(), &big_u, &big_w, &u, &w, None).unwrap();
            let (folded, _) = mova::verify(&shape, &mut transcript(), &big_u, &u, &proof).unwrap();
            let checked = mova::check(&shape, &key, &folded, &folded_w);
            assert_eq!(checked.is_ok(), accepted, "{checked:?}");
        }
    }

    /// An S-box whose input is zero (`x4 = 0`, no inverse) takes the input zero; rows that
    /// only look like an S-box (the third row's `B` another combination) are evaluated.
    #[test]
    fn sbox_inputs_of_zero_and_lookalike_rows() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let w = |v: Fr| cs.new_witness_variable(|| Ok(v)).unwrap();
        for (a, b, twin) in [(5i64, -5i64, true), (3, 4, true), (3, 4, false)] {
            let (a, b) = (Fr::from(a), Fr::from(b));
            let s = a + b;
            let (va, vb) = (w(a), w(b));
            let (x2, x4, x5) = (s.square(), s.square().square(), s.square().square() * s);
            let (v2, v4, v5) = (w(x2), w(x4), w(x5));
            let lc = || LinearCombination::from(va) + vb;
            // The lookalike's third row multiplies by `a − b` (its `x5` is `x4·(a − b)`).
            let (third_b, v5) = if twin {
                (lc(), v5)
            } else {
                (LinearCombination::from(va) - vb, w(x4 * (a - b)))
            };
            cs.enforce_r1cs_constraint(lc, lc, || v2.into()).unwrap();
            cs.enforce_r1cs_constraint(|| v2.into(), || v2.into(), || v4.into())
                .unwrap();
            cs.enforce_r1cs_constraint(|| v4.into(), || third_b, || v5.into())
                .unwrap();
        }
        assert!(cs.is_satisfied().unwrap());
        let shape = R1csShape::from_cs(&cs, 0).unwrap();
        let z = assignment(&cs);
        let (az, bz, cz) = shape.products_of_satisfying(&z);
        assert_eq!(shape.sboxes.0.get().unwrap().x4_x5.len(), 2);
        assert_eq!(az[0], Fr::ZERO);
        assert_eq!(az, shape.a.mul_vec(&z));
        assert_eq!(bz, shape.b.mul_vec(&z));
        assert_eq!(cz, shape.c.mul_vec(&z));
    }

    /// A product circuit's shape with its `W2` head moved to the end is satisfied by the
    /// witness moved the same way, and not by the witness in allocation order.
    #[test]
    fn moved_columns_match_the_moved_witness() {
        let circuit = ProductCircuit { size: 9, bits: 16 };
        let ext = values(7, circuit.size, circuit.bits);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let w1 = circuit.generate_w1(cs.clone(), &ext).unwrap();
        let num_w1 = cs.num_witness_variables();
        let g = FpVar::new_input(cs.clone(), || Ok(Fr::from(5u64))).unwrap();
        let z: Vec<FpVar<Fr>> = [3u64, 4]
            .iter()
            .map(|v| FpVar::new_input(cs.clone(), || Ok(Fr::from(*v))).unwrap())
            .collect();
        circuit
            .generate_step_constraints(cs.clone(), &[g], &z, &w1, &ext)
            .unwrap();
        let num_w = cs.num_witness_variables();
        assert!(num_w > num_w1 + 4);
        let moved = num_w1..num_w1 + 3;
        let shape = R1csShape::from_cs_moving(&cs, num_w1, moved.clone()).unwrap();
        let x = cs.instance_assignment().unwrap()[1..].to_vec();
        let w = cs.witness_assignment().unwrap();
        let mut wm = w.clone();
        move_to_end(&mut wm, moved.clone());
        assert_eq!(wm[num_w - 3..], w[moved.clone()]);
        assert_eq!(wm[num_w1..num_w - 3], w[moved.end..]);
        let (w1v, w2v) = wm.split_at(num_w1);
        let e = shape.error_vector(&shape.z(Fr::ONE, &x, w1v, w2v).unwrap(), Fr::ONE);
        assert!(e.iter().all(|v| v.is_zero()));
        let (w1v, w2v) = w.split_at(num_w1);
        let e = shape.error_vector(&shape.z(Fr::ONE, &x, w1v, w2v).unwrap(), Fr::ONE);
        assert!(!e.iter().all(|v| v.is_zero()));
        // A range reaching into W1 or past the witness is refused.
        assert!(R1csShape::from_cs_moving(&cs, num_w1, 0..2).is_err());
        assert!(R1csShape::from_cs_moving(&cs, num_w1, num_w1..num_w + 1).is_err());
    }
}
