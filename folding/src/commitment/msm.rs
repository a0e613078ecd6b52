//! A multi-scalar multiplication that never leaves the caller's rayon pool.
//!
//! ark-ec 0.6 runs the full-size scalars of `VariableBaseMSM::msm` on a two-thread rayon pool
//! it builds for every call, and the calling thread waits for it. When the caller is itself a
//! worker of the global pool — as in the prover, which folds several chains at once — the
//! waiting worker keeps taking jobs from its own pool, such as another chain's entire fold,
//! and the commitment it waits for is only picked up when that job ends. Nested like this the
//! provers of two chains can hold each other up for minutes.
//!
//! [`msm`] sorts the scalars into classes and sums each class on the current pool:
//!
//! - `±1` (bits, most often) by halving: the upper half of the points is added onto the
//!   lower half, again and again, each round one batch of independent additions;
//! - `±m` with `m < 2^64` by signed-digit buckets, with a window and a number of windows
//!   fitted to the widest magnitude of the class (a 32-bit word takes three 11-bit digits),
//!   the points split into one part per thread;
//! - full-size scalars by signed-digit buckets, one parallel task per window.
//!
//! Every addition lands in affine coordinates, in batches that share one field inversion
//! (Montgomery's trick): about six multiplications per addition instead of the ten of a
//! mixed addition into extended Jacobian buckets, which is what ark-ec's own small-scalar
//! paths pay.

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField, Zero};
use rayon::prelude::*;

/// A group whose MSM [`msm`] computes with affine buckets.
pub trait FullMsm: VariableBaseMSM {
    /// `Σ scalars[i]·bases[i]` for full-size scalars.
    fn full_sum(
        bases: &[Self::MulBase],
        scalars: &[<Self::ScalarField as PrimeField>::BigInt],
    ) -> Self;

    /// `Σ ±m·bases[index]` over `entries`, every magnitude `m` below `2^bits`.
    fn small_sum(bases: &[Self::MulBase], entries: &[Small], bits: u32) -> Self;

    /// `Σ ±bases[index]` over `entries` (the magnitudes are ignored).
    fn unit_sum(bases: &[Self::MulBase], entries: &[Small]) -> Self;
}

impl<P: SWCurveConfig> FullMsm for Projective<P> {
    fn full_sum(bases: &[Affine<P>], scalars: &[<P::ScalarField as PrimeField>::BigInt]) -> Self {
        signed_buckets::<P>(bases, scalars)
    }

    fn small_sum(bases: &[Affine<P>], entries: &[Small], bits: u32) -> Self {
        small_buckets::<P>(bases, entries, bits)
    }

    fn unit_sum(bases: &[Affine<P>], entries: &[Small]) -> Self {
        let parts = parts_for(entries.len());
        entries
            .par_chunks(entries.len().div_ceil(parts).max(1))
            .map(|part| {
                let points = part
                    .iter()
                    .map(|e| {
                        let p = bases[e.index];
                        if e.negative {
                            -p
                        } else {
                            p
                        }
                    })
                    .collect();
                halving_sum::<P>(points)
            })
            .sum()
    }
}

/// A scalar `±magnitude` with a magnitude below `2^64`, at `index` in its MSM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Small {
    /// The position of the scalar (and its base).
    pub index: usize,
    /// Whether the scalar is `−magnitude`.
    pub negative: bool,
    /// `|scalar|`.
    pub magnitude: u64,
}

/// A scalar as [`msm`] sums it.
enum Class<B> {
    Zero,
    Small(bool, u64),
    Full(B),
}

/// Sorts `s` into its class: ark-ec's small scalars are those that, or whose negation, have
/// at most 64 bits.
fn classify<B: BigInteger>(s: &B, modulus: &B) -> Class<B> {
    if s.is_zero() {
        return Class::Zero;
    }
    if s.num_bits() <= 64 {
        return Class::Small(false, s.as_ref()[0]);
    }
    let mut neg = *modulus;
    neg.sub_with_borrow(s);
    if neg.num_bits() <= 64 {
        Class::Small(true, neg.as_ref()[0])
    } else {
        Class::Full(*s)
    }
}

/// Whether [`msm`] sums `s` as a small scalar (it or its negation has at most 64 bits).
fn is_small<B: BigInteger>(s: &B, modulus: &B) -> bool {
    !matches!(classify(s, modulus), Class::Full(_))
}

/// The widths the small scalars are grouped by: one bucket sum per group, with digits for
/// the group's widest magnitude.
const SMALL_WIDTHS: [u32; 4] = [8, 16, 32, 64];

/// `Σ scalars[i]·bases[i]` over the first `min(len)` pairs.
pub fn msm<G: FullMsm>(bases: &[G::MulBase], scalars: &[G::ScalarField]) -> G {
    let n = bases.len().min(scalars.len());
    let modulus = G::ScalarField::MODULUS;
    let classes: Vec<_> = scalars[..n]
        .par_iter()
        .map(|s| classify(&s.into_bigint(), &modulus))
        .collect();
    let mut small = Vec::new();
    let mut full_bases = Vec::new();
    let mut full_scalars = Vec::new();
    for (index, class) in classes.into_iter().enumerate() {
        match class {
            Class::Zero => {}
            Class::Small(negative, magnitude) => small.push(Small {
                index,
                negative,
                magnitude,
            }),
            Class::Full(b) => {
                full_bases.push(bases[index]);
                full_scalars.push(b);
            }
        }
    }
    let mut total = small_msm::<G>(bases, small);
    if !full_scalars.is_empty() {
        total += G::full_sum(&full_bases, &full_scalars);
    }
    total
}

/// `Σ ±m·bases[index]` over `entries`: the units summed by halving, the others grouped by
/// width ([`SMALL_WIDTHS`]) into bucket sums.
pub fn small_msm<G: FullMsm>(bases: &[G::MulBase], entries: Vec<Small>) -> G {
    let mut units = Vec::new();
    let mut groups: [Vec<Small>; SMALL_WIDTHS.len()] = Default::default();
    for e in entries {
        match e.magnitude {
            0 => {}
            1 => units.push(e),
            m => {
                let bits = u64::BITS - m.leading_zeros();
                let g = SMALL_WIDTHS
                    .iter()
                    .position(|&w| bits <= w)
                    .unwrap_or(SMALL_WIDTHS.len() - 1);
                groups[g].push(e);
            }
        }
    }
    let mut total = G::zero();
    if !units.is_empty() {
        total += G::unit_sum(bases, &units);
    }
    for (entries, bits) in groups.iter().zip(SMALL_WIDTHS) {
        if !entries.is_empty() {
            total += G::small_sum(bases, entries, bits);
        }
    }
    total
}

/// The number of parts (parallel tasks, one bucket reduction each) `len` small entries are
/// split into: one per thread once each part has a few thousand points.
fn parts_for(len: usize) -> usize {
    (len / 4096).clamp(1, rayon::current_num_threads())
}

/// Window width for `n` full-size scalars: about `ln n + 2` bits.
fn window_bits(n: usize) -> usize {
    if n < 32 {
        3
    } else {
        (usize::BITS - n.leading_zeros()) as usize * 69 / 100 + 2
    }
}

/// The window for `n` magnitudes below `2^bits`, and the number of windows: the width that
/// minimizes `windows·(n + 2·buckets)` (filling a bucket costs one affine addition, reducing
/// it two: [`AffineBuckets::weighted_sum`]).
fn small_window(n: usize, bits: u32) -> (usize, usize) {
    (2..=16usize)
        .map(|c| (c, (bits as usize + 1).div_ceil(c)))
        .min_by_key(|&(c, windows)| windows * (n + (2 << (c - 1))))
        .expect("a non-empty range of widths")
}

/// Digit `w` of `m` in the signed base-`2^c` recoding whose digit `w` is bits
/// `wc .. wc + c` of `m`, plus bit `wc − 1`, minus `2^c` times bit `wc + c − 1`: each digit
/// in `[−2^(c−1), 2^(c−1)]`, computed from `m` alone (no carry chain).
fn recoded_digit(m: u64, w: usize, c: usize) -> i32 {
    let m = m as u128;
    let low = w * c;
    let raw = (m >> low) & ((1 << c) - 1);
    let carry = if low == 0 { 0 } else { (m >> (low - 1)) & 1 };
    let top = (m >> (low + c - 1)) & 1;
    (raw + carry) as i32 - ((top as i32) << c)
}

/// Entries per task of [`small_buckets`] (a fraction of a millisecond for each window).
const SMALL_PART: usize = 2048;

/// Signed-digit buckets over small magnitudes. Every window has its own sum whose bucket
/// sets the tasks share ([`TableSum`]: one set per task running at a time), so the entries
/// go in short tasks — a part of [`SMALL_PART`] entries and one window each — at no more
/// bucket reductions than one set per thread and window; the window's width fits the
/// points per thread ([`parts_for`]). Short tasks keep the threads even when a commitment
/// runs beside other work (a 32-bit class of 32,768 points a task took about 5 ms, and the
/// last one ran alone).
fn small_buckets<P: SWCurveConfig>(
    bases: &[Affine<P>],
    entries: &[Small],
    bits: u32,
) -> Projective<P> {
    let per_thread = entries.len().div_ceil(parts_for(entries.len())).max(1);
    let (c, windows) = small_window(per_thread, bits);
    let parts = entries.len().div_ceil(SMALL_PART).max(1);
    let sums: Vec<TableSum<P>> = (0..windows).map(|_| TableSum::new()).collect();
    (0..parts * windows).into_par_iter().for_each(|task| {
        let (part, w) = (task / windows, task % windows);
        let mut acc = sums[w].take(1 << (c - 1));
        for e in entries.chunks(SMALL_PART).nth(part).unwrap_or(&[]) {
            let d = recoded_digit(e.magnitude, w, c);
            acc.add_digit(if e.negative { -d } else { d }, &bases[e.index]);
        }
        sums[w].put(acc);
    });
    let by_window: Vec<Projective<P>> = sums.into_par_iter().map(TableSum::finish).collect();
    let mut total = Projective::<P>::zero();
    for s in by_window.iter().rev() {
        for _ in 0..c {
            total.double_in_place();
        }
        total += s;
    }
    total
}

/// `Σ points` by halving: each round adds the upper half of the list onto the lower half in
/// batches of independent affine additions.
fn halving_sum<P: SWCurveConfig>(mut points: Vec<Affine<P>>) -> Projective<P> {
    let mut inverses = Vec::with_capacity(BATCH);
    while points.len() > 16 {
        let half = points.len() / 2;
        let (low, high) = points.split_at_mut(half);
        for (q, p) in low.chunks_mut(BATCH).zip(high[..half].chunks(BATCH)) {
            add_batch(q, p, &mut inverses);
        }
        if points.len() % 2 == 1 {
            points.swap(half, 2 * half);
            points.truncate(half + 1);
        } else {
            points.truncate(half);
        }
    }
    points.iter().fold(Projective::zero(), |acc, p| acc + p)
}

/// The signed base-`2^c` digits of `s`, each in `[−2^(c−1), 2^(c−1)]`, `count` of them.
fn signed_digits<B: BigInteger>(s: &B, c: usize, count: usize, out: &mut [i32]) {
    let limbs = s.as_ref();
    let half = 1i64 << (c - 1);
    let mut carry = 0i64;
    for (w, d) in out.iter_mut().enumerate().take(count) {
        let bit = w * c;
        let (limb, off) = (bit / 64, bit % 64);
        let mut raw = limbs.get(limb).map_or(0, |l| l >> off);
        if off + c > 64 {
            if let Some(next) = limbs.get(limb + 1) {
                raw |= next << (64 - off);
            }
        }
        let mut v = (raw & ((1u64 << c) - 1)) as i64 + carry;
        carry = 0;
        if v > half {
            v -= 1 << c;
            carry = 1;
        }
        *d = v as i32;
    }
}

/// Pippenger's bucket method with signed digits: `2^(c−1)` affine buckets per window,
/// windows in parallel on the current pool.
fn signed_buckets<P: SWCurveConfig>(
    bases: &[Affine<P>],
    scalars: &[<P::ScalarField as PrimeField>::BigInt],
) -> Projective<P> {
    let n = scalars.len();
    let c = window_bits(n);
    // One more window than the bit length needs, for the last carry.
    let windows = (P::ScalarField::MODULUS_BIT_SIZE as usize).div_ceil(c) + 1;
    let mut digits = vec![0i32; n * windows];
    digits
        .par_chunks_mut(windows)
        .zip(scalars.par_iter())
        .for_each(|(d, s)| signed_digits(s, c, windows, d));
    let sums: Vec<Projective<P>> = (0..windows)
        .into_par_iter()
        .map(|w| {
            let mut acc = AffineBuckets::<P>::new(1 << (c - 1));
            for (i, base) in bases.iter().enumerate() {
                acc.add_digit(digits[i * windows + w], base);
            }
            acc.finish();
            acc.weighted_sum()
        })
        .collect();
    let mut total = Projective::<P>::zero();
    for s in sums.iter().rev() {
        for _ in 0..c {
            total.double_in_place();
        }
        total += s;
    }
    total
}

/// Additions per shared inversion.
const BATCH: usize = 256;

/// Buckets per lane of [`AffineBuckets::weighted_sum`] (up to [`BATCH`] lanes).
const LANE: usize = 16;

/// `qs[k] += ps[k]` for every `k`, in affine coordinates, with one field inversion shared by
/// all the additions (`inverses` is scratch space).
fn add_batch<P: SWCurveConfig>(
    qs: &mut [Affine<P>],
    ps: &[Affine<P>],
    inverses: &mut Vec<P::BaseField>,
) {
    // The denominator of each addition's slope (one where no slope is needed), and their
    // running products.
    let denominator = |q: &Affine<P>, p: &Affine<P>| {
        if q.is_zero() || p.is_zero() {
            P::BaseField::ONE
        } else if q.x != p.x {
            p.x - q.x
        } else if q.y == p.y && !q.y.is_zero() {
            q.y.double()
        } else {
            P::BaseField::ONE
        }
    };
    inverses.clear();
    let mut prod = P::BaseField::ONE;
    for (q, p) in qs.iter().zip(ps) {
        inverses.push(prod);
        prod *= denominator(q, p);
    }
    // One inversion; then walk back, turning each prefix product into an inverse.
    let mut inv = crate::inverse::inverse(&prod).unwrap_or(P::BaseField::ZERO);
    for k in (0..inverses.len()).rev() {
        let d = denominator(&qs[k], &ps[k]);
        inverses[k] *= inv;
        inv *= d;
    }
    for ((q, p), inverse) in qs.iter_mut().zip(ps).zip(inverses.iter()) {
        if p.is_zero() {
            continue;
        }
        if q.is_zero() {
            *q = *p;
            continue;
        }
        let lambda = if q.x != p.x {
            (p.y - q.y) * inverse
        } else if q.y == p.y && !q.y.is_zero() {
            let x2 = q.x.square();
            (x2.double() + x2 + P::COEFF_A) * inverse
        } else {
            // p = −q.
            *q = Affine::identity();
            continue;
        };
        let x3 = lambda.square() - q.x - p.x;
        let y3 = lambda * (q.x - x3) - q.y;
        *q = Affine::new_unchecked(x3, y3);
    }
}

/// Affine buckets filled by batched additions. A batch holds at most one addition per bucket;
/// an addition to a bucket already in the batch waits for the next batch, up to a batch's
/// worth of them, and beyond that (or when it meets its bucket in the next batch again) goes
/// to the bucket's extended Jacobian twin: the top windows of full-size scalars use only a
/// few buckets, and waiting alone would make batches of a few additions each there.
struct AffineBuckets<P: SWCurveConfig> {
    buckets: Vec<Affine<P>>,
    overflow: Vec<<Projective<P> as VariableBaseMSM>::Bucket>,
    /// `stamp[b] == epoch` when bucket `b` is in the current batch.
    stamp: Vec<u32>,
    epoch: u32,
    /// The current batch: bucket `targets[k]` gets `points[k]`.
    targets: Vec<usize>,
    points: Vec<Affine<P>>,
    /// Additions that wait for the next batch, and a spare list to swap with.
    waiting: Vec<(usize, Affine<P>)>,
    spare: Vec<(usize, Affine<P>)>,
    /// Scratch: the batch's buckets while they are added to, and the inverses.
    sums: Vec<Affine<P>>,
    inverses: Vec<P::BaseField>,
}

impl<P: SWCurveConfig> AffineBuckets<P> {
    fn new(count: usize) -> Self {
        Self {
            buckets: vec![Affine::identity(); count],
            overflow: vec![Projective::<P>::ZERO_BUCKET; count],
            stamp: vec![0; count],
            epoch: 1,
            targets: Vec::with_capacity(BATCH),
            points: Vec::with_capacity(BATCH),
            waiting: Vec::with_capacity(BATCH),
            spare: Vec::with_capacity(BATCH),
            sums: Vec::with_capacity(BATCH),
            inverses: Vec::with_capacity(BATCH),
        }
    }

    /// Schedules `d·p` for a signed digit `d` (bucket `|d| − 1`, `p` negated for `d < 0`).
    fn add_digit(&mut self, d: i32, p: &Affine<P>) {
        if d > 0 {
            self.add((d - 1) as usize, *p);
        } else if d < 0 {
            self.add((-d - 1) as usize, -*p);
        }
    }

    /// Schedules `buckets[b] += p`.
    fn add(&mut self, b: usize, p: Affine<P>) {
        if self.stamp[b] == self.epoch {
            if self.waiting.len() < BATCH {
                self.waiting.push((b, p));
            } else {
                self.overflow[b] += p;
            }
            return;
        }
        self.schedule(b, p);
        if self.targets.len() >= BATCH {
            self.flush();
        }
    }

    /// Puts `buckets[b] += p` in the current batch (`b` not in it yet).
    fn schedule(&mut self, b: usize, p: Affine<P>) {
        self.stamp[b] = self.epoch;
        self.targets.push(b);
        self.points.push(p);
    }

    /// Performs every scheduled addition.
    fn finish(&mut self) {
        while !self.targets.is_empty() {
            self.flush();
        }
    }

    /// `Σ_j (j+1)·bucket_j` (after [`Self::finish`]), by running sums from the top made in
    /// affine coordinates: the buckets are cut into lanes of about [`LANE`] consecutive
    /// ones, and the lanes' running sums and sums of running sums advance together, each a
    /// batch of additions sharing one inversion. Lane `l` from bucket `l·s` ends with its
    /// plain sum `S_l` and its weighted sum with weights counted from its start, so the
    /// total is `Σ_l sums_l + s·Σ_l l·S_l`, the last one running sum over the lanes. The
    /// twins are first added into their buckets. Two batched affine additions a bucket cost
    /// about half of the extended Jacobian running sum's two additions.
    fn weighted_sum(&mut self) -> Projective<P> {
        let twins: Vec<usize> = (0..self.buckets.len())
            .filter(|&b| self.overflow[b] != Projective::<P>::ZERO_BUCKET)
            .collect();
        if !twins.is_empty() {
            let mut sums: Vec<Affine<P>> = twins.iter().map(|&b| self.buckets[b]).collect();
            let points = Projective::normalize_batch(
                &twins
                    .iter()
                    .map(|&b| Projective::from(self.overflow[b]))
                    .collect::<Vec<_>>(),
            );
            add_batch(&mut sums, &points, &mut self.inverses);
            for (&b, s) in twins.iter().zip(sums) {
                self.buckets[b] = s;
                self.overflow[b] = Projective::<P>::ZERO_BUCKET;
            }
        }
        let n = self.buckets.len();
        let lanes = (n / LANE).clamp(1, BATCH);
        let s = n.div_ceil(lanes);
        let mut running = vec![Affine::<P>::identity(); lanes];
        let mut sums = vec![Affine::<P>::identity(); lanes];
        let mut column = Vec::with_capacity(lanes);
        for t in (0..s).rev() {
            column.clear();
            column.extend((0..lanes).map(|l| {
                self.buckets
                    .get(l * s + t)
                    .copied()
                    .unwrap_or(Affine::identity())
            }));
            add_batch(&mut running, &column, &mut self.inverses);
            add_batch(&mut sums, &running, &mut self.inverses);
        }
        let mut total: Projective<P> = sums.iter().map(|p| p.into_group()).sum();
        let (mut run, mut lane_sum) = (Projective::<P>::zero(), Projective::<P>::zero());
        for lane in running.iter().skip(1).rev() {
            run += lane;
            lane_sum += run;
        }
        total += lane_sum.mul_bigint([s as u64]);
        total
    }

    /// Performs the additions of the current batch with one inversion.
    fn flush(&mut self) {
        if self.targets.is_empty() {
            return;
        }
        self.sums.clear();
        self.sums
            .extend(self.targets.iter().map(|&b| self.buckets[b]));
        add_batch(&mut self.sums, &self.points, &mut self.inverses);
        for (&b, s) in self.targets.iter().zip(&self.sums) {
            self.buckets[b] = *s;
        }
        self.targets.clear();
        self.points.clear();
        self.epoch += 1;
        // The waiting additions open the next batch; one that meets its bucket there again
        // goes to the twin.
        std::mem::swap(&mut self.waiting, &mut self.spare);
        for k in 0..self.spare.len() {
            let (b, p) = self.spare[k];
            if self.stamp[b] == self.epoch {
                self.overflow[b] += p;
            } else {
                self.schedule(b, p);
            }
        }
        self.spare.clear();
    }
}

/// Window width of [`FixedBaseTable`].
/// Window of a [`FixedBaseTable`] of up to 8,192 bases (measured best for the CycleFold key's
/// ~2,600).
const FIXED_WINDOW: usize = 12;
/// Window of a larger table (measured on ~16,000 full-size scalars: 12 bits 33 ms, 13 bits
/// 30 ms, 14 bits 30 ms; 13 keeps the table smaller).
const FIXED_WINDOW_LARGE: usize = 13;

/// The multiples `2^(c·j)·G_i` of fixed bases `G_i` for every window `j`, so that an MSM over
/// them puts the digits of all windows into one set of buckets: no doublings and one bucket
/// reduction per thread instead of one per window. Worth its memory (`windows` points per
/// base) for short keys used by every step, such as the CycleFold key.
pub struct FixedBaseTable<P: SWCurveConfig> {
    window: usize,
    windows: usize,
    /// `points[i·windows + j] = 2^(c·j)·G_i`.
    points: Vec<Affine<P>>,
}

impl<P: SWCurveConfig> std::fmt::Debug for FixedBaseTable<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FixedBaseTable({} bases, {} windows of {} bits)",
            self.len(),
            self.windows,
            self.window
        )
    }
}

impl<P: SWCurveConfig> FixedBaseTable<P> {
    /// Computes the table of `bases`.
    pub fn new(bases: &[Affine<P>]) -> Self {
        let window = if bases.len() > 8192 {
            FIXED_WINDOW_LARGE
        } else {
            FIXED_WINDOW
        };
        let windows = (P::ScalarField::MODULUS_BIT_SIZE as usize).div_ceil(window) + 1;
        let projective: Vec<Projective<P>> = bases
            .par_iter()
            .flat_map_iter(|b| {
                let mut p = b.into_group();
                (0..windows).map(move |_| {
                    let out = p;
                    for _ in 0..window {
                        p.double_in_place();
                    }
                    out
                })
            })
            .collect();
        Self {
            window,
            windows,
            points: Projective::normalize_batch(&projective),
        }
    }

    /// The number of bases.
    pub fn len(&self) -> usize {
        self.points.len() / self.windows
    }

    /// Whether the table has no bases.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// `Σ scalars[i]·G_i` over the first `min(len)` pairs (in [`table_parts`] parallel
    /// parts).
    pub fn msm(&self, scalars: &[P::ScalarField]) -> Projective<P> {
        let n = scalars.len().min(self.len());
        let entries: Vec<(usize, P::ScalarField)> = scalars[..n]
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, s)| !s.is_zero())
            .collect();
        self.sum_rows(&entries, table_parts(entries.len()))
    }

    /// `Σ s·G_i` over the entries `(i, s)` (each `i` below [`Self::len`]), split evenly into
    /// `parts` parallel tasks.
    fn sum_rows(&self, entries: &[(usize, P::ScalarField)], parts: usize) -> Projective<P> {
        let sum = TableSum::new();
        self.add_rows(&sum, entries, parts);
        sum.finish()
    }

    /// Adds `Σ s·G_i` over the entries `(i, s)` to `sum` (split evenly into `parts` parallel
    /// tasks, each filling one of the sum's bucket sets).
    fn add_rows(&self, sum: &TableSum<P>, entries: &[(usize, P::ScalarField)], parts: usize) {
        if entries.is_empty() {
            return;
        }
        let chunk = entries.len().div_ceil(parts.max(1)).max(1);
        entries.par_chunks(chunk).for_each(|part| {
            let mut acc = sum.take(1 << (self.window - 1));
            let mut digits = vec![0i32; self.windows];
            for (i, s) in part {
                signed_digits(&s.into_bigint(), self.window, self.windows, &mut digits);
                let row = &self.points[i * self.windows..][..self.windows];
                for (&d, p) in digits.iter().zip(row) {
                    acc.add_digit(d, p);
                }
            }
            sum.put(acc);
        });
    }
}

/// A sum through one [`FixedBaseTable`] made in several calls, such as the pieces of a
/// witness committed as their values become final: the pieces share bucket sets (one per
/// task running at a time), so the sum pays one bucket reduction per set at
/// [`Self::finish`] instead of one per task. Each set holds `2^(c−1)` buckets of the
/// table's window `c` (4,096 for the BN254 key's table), and reducing one costs about as
/// much as 2,000 bucket additions.
pub struct TableSum<P: SWCurveConfig> {
    sets: std::sync::Mutex<Vec<AffineBuckets<P>>>,
}

impl<P: SWCurveConfig> Default for TableSum<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: SWCurveConfig> TableSum<P> {
    /// An empty sum.
    pub fn new() -> Self {
        Self {
            sets: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// A bucket set of `count` buckets to fill: an idle one of this sum, or a new one.
    fn take(&self, count: usize) -> AffineBuckets<P> {
        let mut sets = self.sets.lock().unwrap_or_else(|e| e.into_inner());
        match sets.iter().position(|b| b.buckets.len() == count) {
            Some(k) => sets.swap_remove(k),
            None => AffineBuckets::new(count),
        }
    }

    /// Returns a set, its additions perhaps still scheduled.
    fn put(&self, set: AffineBuckets<P>) {
        self.sets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(set);
    }

    /// The sum: every set's scheduled additions made and its buckets reduced, the sets in
    /// parallel.
    pub fn finish(self) -> Projective<P> {
        let sets = self.sets.into_inner().unwrap_or_else(|e| e.into_inner());
        sets.into_par_iter()
            .map(|mut set| {
                set.finish();
                set.weighted_sum()
            })
            .sum()
    }
}

/// Entries per part of a [`FixedBaseTable`] sum (about a millisecond of additions).
const TABLE_PART: usize = 256;

/// The number of parallel parts of a table sum of `len` entries. The parts share the sum's
/// bucket sets (one per part running at a time), so short parts cost no more reductions, and
/// they keep the threads even: rayon lets a thread that waits for its own work run any
/// queued job, and a long part picked up that way (1,024 entries took about 3.5 ms) held up
/// the step while the other core idled.
fn table_parts(len: usize) -> usize {
    len.div_ceil(TABLE_PART).max(1)
}

/// A value built at most once and never waited for: the first caller of
/// [`Self::build_with`] builds it, and any caller meanwhile gets `None` and goes on without
/// it. For the prover's tables, which are caches built with rayon: a thread that builds one
/// may, while it waits for its own parallel work, run another queued job that needs the
/// same table, and a cell that made that job wait for the build (`OnceLock::get_or_init`)
/// would deadlock the thread on itself.
pub struct BuiltOnce<T> {
    value: std::sync::OnceLock<T>,
    building: std::sync::atomic::AtomicBool,
}

impl<T> Default for BuiltOnce<T> {
    fn default() -> Self {
        Self {
            value: std::sync::OnceLock::new(),
            building: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl<T> BuiltOnce<T> {
    /// The value if it is built.
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// The value, built by `build` now unless it is built already (`Some`) or another call
    /// is building it (`None`, at once).
    pub fn build_with(&self, build: impl FnOnce() -> T) -> Option<&T> {
        use std::sync::atomic::Ordering;
        if let Some(v) = self.value.get() {
            return Some(v);
        }
        if self.building.swap(true, Ordering::AcqRel) {
            return self.value.get();
        }
        let built = build();
        Some(self.value.get_or_init(|| built))
    }
}

impl<T> std::fmt::Debug for BuiltOnce<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BuiltOnce(built: {})", self.value.get().is_some())
    }
}

/// A [`FixedBaseTable`] of a key's first `len` bases, for a prover whose witnesses hold
/// their full-size entries mostly there (a step's recursion circuit — Poseidon states, most
/// of them — comes first in `W2`). It is built on the `after`-th commitment, once the steps
/// about to be committed repay its build time (about 0.5 s for 16,000 BN254 bases on two
/// cores, saving ~10 ms a step). A cache: its commitments equal [`msm`]'s, and any two
/// compare equal.
pub struct PrefixTable<P: SWCurveConfig> {
    len: usize,
    after: usize,
    uses: std::sync::atomic::AtomicUsize,
    table: BuiltOnce<FixedBaseTable<P>>,
}

impl<P: SWCurveConfig> PrefixTable<P> {
    /// A table of the first `len` bases, built on the `after`-th call of [`Self::msm`].
    pub fn new(len: usize, after: usize) -> Self {
        Self {
            len,
            after,
            uses: std::sync::atomic::AtomicUsize::new(0),
            table: BuiltOnce::default(),
        }
    }

    /// Builds the table now if it is not built yet (for a prover that knows it will commit
    /// many witnesses); `bases` must be the key the table is for. `None` while another call
    /// builds it ([`BuiltOnce`]: nothing waits for a build).
    pub fn build(&self, bases: &[Affine<P>]) -> Option<&FixedBaseTable<P>> {
        self.table
            .build_with(|| FixedBaseTable::new(&bases[..self.len.min(bases.len())]))
    }

    /// `Σ scalars[i]·bases[i]` over the first `min(len)` pairs, as [`msm`], counted as a use
    /// towards building the table; `bases` must be the key the table is for, every time.
    pub fn msm(&self, bases: &[Affine<P>], scalars: &[P::ScalarField]) -> Projective<P> {
        let sum = TableSum::new();
        let rest = self.msm_counted_into(&sum, bases, 0, scalars);
        rest + sum.finish()
    }

    /// [`Self::msm_at_into`], counted as a use towards building the table (the table is
    /// built on the `after`-th such call).
    pub fn msm_counted_into(
        &self,
        sum: &TableSum<P>,
        bases: &[Affine<P>],
        offset: usize,
        scalars: &[P::ScalarField],
    ) -> Projective<P> {
        use std::sync::atomic::Ordering;
        let uses = self.uses.fetch_add(1, Ordering::Relaxed);
        if uses + 1 >= self.after && self.len > 0 {
            self.build(bases);
        }
        self.msm_at_into(sum, bases, offset, scalars)
    }

    /// `Σ scalars[j]·bases[offset + j]`, through the table if it is built (this does not
    /// count as a use towards building it), for a prover that commits a witness in pieces as
    /// their values become final: the table's share, spread over the threads
    /// ([`table_parts`]), is added to `sum` (which the pieces of one commitment share, and
    /// with it their bucket reductions); the rest is returned.
    pub fn msm_at_into(
        &self,
        sum: &TableSum<P>,
        bases: &[Affine<P>],
        offset: usize,
        scalars: &[P::ScalarField],
    ) -> Projective<P> {
        let n = bases.len().saturating_sub(offset).min(scalars.len());
        let bases = &bases[offset.min(bases.len())..];
        let Some(table) = self.table.get() else {
            return msm::<Projective<P>>(&bases[..n], &scalars[..n]);
        };
        // Full-size entries the table covers go through it, all others through `msm`.
        let modulus = P::ScalarField::MODULUS;
        let head = n.min(table.len().saturating_sub(offset));
        let mut rest = scalars[..n].to_vec();
        let in_table: Vec<(usize, P::ScalarField)> = rest[..head]
            .iter_mut()
            .enumerate()
            .filter(|(_, s)| !is_small(&s.into_bigint(), &modulus))
            .map(|(j, s)| (offset + j, std::mem::take(s)))
            .collect();
        let ((), b) = rayon::join(
            || table.add_rows(sum, &in_table, table_parts(in_table.len())),
            || msm::<Projective<P>>(&bases[..n], &rest),
        );
        b
    }
}

impl<P: SWCurveConfig> PartialEq for PrefixTable<P> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<P: SWCurveConfig> Eq for PrefixTable<P> {}

impl<P: SWCurveConfig> std::fmt::Debug for PrefixTable<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PrefixTable({} bases, after {} uses, built: {})",
            self.len,
            self.after,
            self.table.get().is_some()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fq, Fr, G1Projective, GrumpkinAffine, GrumpkinProjective, G1 as G1Affine};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::{AdditiveGroup, UniformRand};
    use ark_std::rand::Rng;

    fn naive<G: CurveGroup>(bases: &[G::Affine], scalars: &[G::ScalarField]) -> G {
        bases
            .iter()
            .zip(scalars)
            .fold(G::zero(), |acc, (b, s)| acc + *b * s)
    }

    #[test]
    fn agrees_with_the_naive_sum_for_every_scalar_class() {
        let mut rng = ark_std::test_rng();
        for n in [0usize, 1, 5, 31, 32, 200, 1500] {
            let bases: Vec<G1Affine> = (0..n)
                .map(|_| G1Projective::rand(&mut rng).into_affine())
                .collect();
            let scalars: Vec<Fr> = (0..n)
                .map(|i| match i % 6 {
                    0 => Fr::rand(&mut rng),
                    1 => Fr::from(rng.gen::<u32>()),
                    2 => -Fr::from(rng.gen::<u64>()),
                    3 => Fr::ZERO,
                    4 => -Fr::from(1u64),
                    _ => Fr::from(u64::MAX) * Fr::from(3u64),
                })
                .collect();
            let expected = naive::<G1Projective>(&bases, &scalars);
            assert_eq!(msm::<G1Projective>(&bases, &scalars), expected, "n = {n}");
        }
        let bases: Vec<GrumpkinAffine> = (0..300)
            .map(|_| GrumpkinProjective::rand(&mut rng).into_affine())
            .collect();
        let scalars: Vec<Fq> = (0..300).map(|_| Fq::rand(&mut rng)).collect();
        let expected = naive::<GrumpkinProjective>(&bases, &scalars);
        assert_eq!(msm::<GrumpkinProjective>(&bases, &scalars), expected);
    }

    #[test]
    fn recoded_digits_recompose_within_their_range() {
        let mut rng = ark_std::test_rng();
        let mut values = vec![0u64, 1, 2, 3, u64::MAX, 1 << 63, (1 << 32) - 1, 1 << 32];
        values.extend((0..64).map(|k| (1u64 << k) - 1));
        values.extend((0..200).map(|_| rng.gen::<u64>() >> rng.gen_range(0..64)));
        for bits in [8u32, 16, 32, 64] {
            let (c, windows) = small_window(1000, bits);
            assert!(windows * c > bits as usize);
        }
        for c in 2..=16usize {
            let windows = 65usize.div_ceil(c);
            for &m in &values {
                let mut sum = 0i128;
                for w in 0..windows {
                    let d = recoded_digit(m, w, c);
                    assert!(d.abs() <= 1 << (c - 1), "m {m}, c {c}, w {w}: digit {d}");
                    sum += (d as i128) << (w * c);
                }
                assert_eq!(sum, m as i128, "m {m}, c {c}");
                // The digit above the last window is zero: the windows suffice.
                assert_eq!(recoded_digit(m, windows, c), 0, "m {m}, c {c}");
            }
        }
    }

    /// Every small class, both signs, extremes included, in lists long enough to be split
    /// into parts, against the naive sum.
    #[test]
    fn small_classes_agree_with_the_naive_sum() {
        let mut rng = ark_std::test_rng();
        let n = 9000;
        let distinct: Vec<G1Affine> = (0..n / 8)
            .map(|_| G1Projective::rand(&mut rng).into_affine())
            .collect();
        let bases: Vec<G1Affine> = distinct.iter().copied().cycle().take(n).collect();
        for width in [1u32, 8, 16, 32, 64] {
            let scalars: Vec<Fr> = (0..n)
                .map(|i| {
                    let m = match (i % 5, width) {
                        (0, _) => 1,
                        (1, 64) => u64::MAX,
                        (1, w) => (1 << w) - 1,
                        (2, w) => 1 << (w - 1),
                        _ => rng.gen::<u64>() >> (64 - width),
                    };
                    if rng.gen() {
                        -Fr::from(m)
                    } else {
                        Fr::from(m)
                    }
                })
                .collect();
            let expected = naive::<G1Projective>(&bases, &scalars);
            assert_eq!(
                msm::<G1Projective>(&bases, &scalars),
                expected,
                "width {width}"
            );
        }
        // Units alone, including opposite and repeated points, and an odd count.
        let g = G1Affine::generator();
        let mut points = vec![g, -g, g, g, (g + g).into_affine(), G1Affine::zero()];
        points.extend(bases.iter().take(1001));
        let expected: G1Projective = points.iter().map(|p| p.into_group()).sum();
        assert_eq!(halving_sum(points), expected);
    }

    #[test]
    fn affine_buckets_double_cancel_and_overflow() {
        let g = G1Affine::generator();
        let g2 = (g + g).into_affine();
        let mut acc = AffineBuckets::<ark_bn254::g1::Config>::new(3);
        // Bucket 0: g, then g again in a later batch (the doubling formula), then −2g in a
        // third (cancellation to the identity), then g (the empty-bucket case).
        acc.add(0, g);
        acc.flush();
        acc.add(0, g);
        acc.flush();
        assert_eq!(acc.buckets[0], g2);
        acc.add(0, -g2);
        acc.flush();
        assert!(acc.buckets[0].is_zero());
        acc.add(0, g);
        // Bucket 1: two additions in one batch (the second waits for the next batch), and
        // the identity added (skipped).
        acc.add(1, g);
        acc.add(1, g2);
        assert_eq!(acc.waiting.len(), 1);
        acc.add(2, G1Affine::zero());
        acc.finish();
        assert_eq!(acc.buckets[0], g);
        assert_eq!(acc.buckets[1], (g + g2).into_affine());
        assert!(acc.buckets[2].is_zero());
        assert!(acc.overflow.iter().all(|o| o.is_zero()));
        // 1·g + 2·(g + 2g) + 3·0 = 7g.
        let expected = G1Projective::from(g) * Fr::from(7u64);
        assert_eq!(acc.weighted_sum(), expected);

        // A full waiting list sends the next clash to the twin, and the waiting additions
        // that meet their bucket again in the next batch go there too.
        let mut acc = AffineBuckets::<ark_bn254::g1::Config>::new(2);
        for _ in 0..BATCH + 2 {
            acc.add(0, g);
        }
        assert_eq!(acc.waiting.len(), BATCH);
        assert_eq!(G1Projective::from(acc.overflow[0]), G1Projective::from(g));
        acc.finish();
        assert_eq!(acc.buckets[0], g2);
        let expected = G1Projective::from(g) * Fr::from(BATCH as u64);
        assert_eq!(G1Projective::from(acc.overflow[0]), expected);
        assert!(acc.waiting.is_empty() && acc.targets.is_empty());
        // (2 + BATCH)·g in bucket 0.
        let expected = G1Projective::from(g) * Fr::from(BATCH as u64 + 2);
        assert_eq!(acc.weighted_sum(), expected);
    }

    #[test]
    fn weighted_sums_over_lanes_with_twins_agree_with_the_naive_sum() {
        let mut rng = ark_std::test_rng();
        for count in [1, 5, 16, 17, 100, 1024, 4096, 5000] {
            let mut acc = AffineBuckets::<ark_bn254::g1::Config>::new(count);
            let mut expected = G1Projective::zero();
            for k in 0..3 * count + 2 * BATCH {
                // Every third addition floods the last two buckets, so their twins fill up;
                // some go to the identity or add a point to itself.
                let b = if k % 3 == 0 {
                    count - 1 - k % 2.min(count)
                } else {
                    rng.gen_range(0..count)
                };
                let p = if k % 7 == 0 {
                    G1Affine::generator()
                } else {
                    G1Projective::rand(&mut rng).into_affine()
                };
                acc.add(b, p);
                expected += p * Fr::from(b as u64 + 1);
            }
            acc.finish();
            assert!(count < 2 || acc.overflow.iter().any(|o| !o.is_zero()));
            assert_eq!(acc.weighted_sum(), expected, "{count} buckets");
        }
    }

    fn grumpkin_bases(rng: &mut impl Rng, n: usize) -> Vec<GrumpkinAffine> {
        (0..n)
            .map(|_| GrumpkinProjective::rand(rng).into_affine())
            .collect()
    }

    #[test]
    fn fixed_base_table_agrees_with_the_naive_sum() {
        let mut rng = ark_std::test_rng();
        let bases = grumpkin_bases(&mut rng, 700);
        let table = FixedBaseTable::new(&bases);
        assert_eq!(table.len(), 700);
        for n in [0usize, 1, 2, 333, 700] {
            let scalars: Vec<Fq> = (0..n)
                .map(|i| match i % 4 {
                    0 => Fq::rand(&mut rng),
                    1 => Fq::from(rng.gen::<u64>()),
                    2 => -Fq::from(1u64),
                    _ => Fq::ZERO,
                })
                .collect();
            let expected = naive::<GrumpkinProjective>(&bases[..n], &scalars);
            assert_eq!(table.msm(&scalars), expected, "n = {n}");
        }
        // Longer scalar lists use the first `len` bases only.
        let scalars: Vec<Fq> = (0..800).map(|_| Fq::rand(&mut rng)).collect();
        let expected = naive::<GrumpkinProjective>(&bases, &scalars[..700]);
        assert_eq!(table.msm(&scalars), expected);
    }

    #[test]
    fn prefix_table_agrees_with_the_naive_sum_before_and_after_its_build() {
        let mut rng = ark_std::test_rng();
        let bases = grumpkin_bases(&mut rng, 600);
        // Built on the third call, over the first 400 bases; also a table longer than the key.
        for len in [400usize, 1000] {
            let table = PrefixTable::new(len, 3);
            for (call, n) in [0usize, 150, 400, 401, 600, 250].into_iter().enumerate() {
                let scalars: Vec<Fq> = (0..n)
                    .map(|i| match i % 3 {
                        0 => Fq::rand(&mut rng),
                        1 => Fq::from(rng.gen::<u32>()),
                        _ => -Fq::from(rng.gen::<u8>()),
                    })
                    .collect();
                let expected = naive::<GrumpkinProjective>(&bases[..n], &scalars);
                assert_eq!(table.msm(&bases, &scalars), expected, "len {len}, n = {n}");
                assert_eq!(table.table.get().is_some(), call >= 2);
            }
        }
    }

    /// A witness committed in pieces at offsets (as a step commits its `W2`) sums to the
    /// whole commitment, with pieces inside, across and beyond the table, the table's share
    /// in one part or several.
    #[test]
    fn pieces_at_offsets_sum_to_the_whole() {
        let mut rng = ark_std::test_rng();
        let n = 3000;
        let bases = grumpkin_bases(&mut rng, n);
        let scalars: Vec<Fq> = (0..n)
            .map(|i| match i % 10 {
                0 => Fq::from(rng.gen::<u32>()),
                1 => Fq::ZERO,
                _ => Fq::rand(&mut rng),
            })
            .collect();
        let whole = naive::<GrumpkinProjective>(&bases, &scalars);
        let table = PrefixTable::new(2800, 1);
        for built in [false, true] {
            if built {
                table.build(&bases);
            }
            for cuts in [
                vec![0, n],
                vec![0, 150, 2800, n],
                vec![0, 2799, 2801, n],
                vec![0, 1000, 1500, n],
            ] {
                let sum: GrumpkinProjective = cuts
                    .windows(2)
                    .map(|w| {
                        let own = TableSum::new();
                        let rest = table.msm_at_into(&own, &bases, w[0], &scalars[w[0]..w[1]]);
                        rest + own.finish()
                    })
                    .sum();
                assert_eq!(sum, whole, "cuts {cuts:?}, table built: {built}");
                // The same pieces sharing one table sum, in parallel, the last one counted.
                let shared = TableSum::new();
                let rests: Vec<GrumpkinProjective> = cuts
                    .par_windows(2)
                    .map(|w| {
                        let piece = &scalars[w[0]..w[1]];
                        if w[1] == n {
                            table.msm_counted_into(&shared, &bases, w[0], piece)
                        } else {
                            table.msm_at_into(&shared, &bases, w[0], piece)
                        }
                    })
                    .collect();
                let sum = rests.into_iter().sum::<GrumpkinProjective>() + shared.finish();
                assert_eq!(sum, whole, "shared, cuts {cuts:?}, table built: {built}");
            }
        }
    }

    #[test]
    fn a_table_is_never_waited_for_by_a_thread_that_builds_it() {
        // Commitments through a table built on first use, on two threads, more of them
        // arriving while the table is built: the thread that builds it runs queued jobs
        // while it waits for its own parallel work, and may pick up one of them. A cell
        // that made such a job wait for the build deadlocked the builder on itself.
        let mut rng = ark_std::test_rng();
        let n = 3000;
        let bases = grumpkin_bases(&mut rng, n);
        let scalars: Vec<Fq> = (0..n).map(|_| Fq::rand(&mut rng)).collect();
        let whole = naive::<GrumpkinProjective>(&bases, &scalars);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for round in 0..12 {
                let table = PrefixTable::new(n, 1);
                let sums: Vec<GrumpkinProjective> = std::thread::scope(|s| {
                    let first = s.spawn(|| pool.install(|| table.msm(&bases, &scalars)));
                    std::thread::sleep(std::time::Duration::from_millis(10 * round));
                    let later: Vec<_> = (0..6)
                        .map(|_| s.spawn(|| pool.install(|| table.msm(&bases, &scalars))))
                        .collect();
                    std::iter::once(first)
                        .chain(later)
                        .map(|h| h.join().unwrap())
                        .collect()
                });
                assert!(sums.iter().all(|s| *s == whole), "round {round}");
                assert!(table.table.get().is_some(), "round {round}: no table built");
            }
            done.send(()).unwrap();
        });
        // A few seconds when nothing waits; a deadlock never ends.
        let outcome = finished.recv_timeout(std::time::Duration::from_secs(120));
        assert!(
            outcome.is_ok(),
            "commitments through the table deadlocked (or failed)"
        );
    }

    #[test]
    fn extreme_scalars_and_repeated_bases() {
        let g = G1Affine::generator();
        let bases = vec![g; 100];
        // −1, the largest element, 2^k − 1 patterns whose digits all carry.
        let mut scalars = vec![-Fr::from(1u64), Fr::from(0u64) - Fr::from(2u64)];
        let mut ones = Fr::from(1u64);
        for _ in 0..98 {
            ones = ones.double() + Fr::from(1u64);
            scalars.push(ones);
        }
        let expected = naive::<G1Projective>(&bases, &scalars);
        assert_eq!(msm::<G1Projective>(&bases, &scalars), expected);
    }
}
