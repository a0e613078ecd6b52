//! Native packing of memory tuples and lookup entries into field elements (docs/CIRCUITS.md).
//!
//! A memory tuple `(space, addr, value, ts)` packs as `ts + 2^40·value + 2^80·addr +
//! 2^120·space`. Every piece the circuits produce is an integer of at most 39 bits in
//! absolute value (values and addresses below `2^34`, timestamps in `(-2^32, 2^33)`,
//! space below 4), so the packing is injective on everything a satisfying witness can hold.
//!
//! A lookup entry of table `tag` with payload `p` enters the logUp sums as `p + tag·α`; `α`
//! is a challenge drawn after every payload is committed, so payloads of different tables
//! cannot collide.

use ark_ff::{Field, PrimeField};
use crease_nvm::Decoded;

use crate::Fr;

/// Timestamps per step (`nvm::trace::TS_PER_STEP`).
pub const TS_PER_STEP: u64 = crease_nvm::trace::TS_PER_STEP;
/// Steps one proof may hold: timestamps stay below `2^32`.
pub const MAX_STEPS: u64 = (1 << 28) - 1;
/// The pc cell holds `HALTED + code` after `exit(code)`: no fetch entry has a pc that large.
pub const HALTED: u64 = 1 << 32;

/// Bit offset of the value in a memory tuple.
pub const SHIFT_VALUE: u32 = 40;
/// Bit offset of the address in a memory tuple.
pub const SHIFT_ADDR: u32 = 80;
/// Bit offset of the space in a memory tuple.
pub const SHIFT_SPACE: u32 = 120;

/// The address spaces of memory tuples.
pub mod space {
    /// The pc cell (address 0).
    pub const PC: u64 = 0;
    /// Registers (address 0–31).
    pub const REG: u64 = 1;
    /// Writable memory words (RAM, public output, writable data).
    pub const RW: u64 = 2;
    /// Read-only memory words (code, read-only data, public and private input).
    pub const RO: u64 = 3;
}

/// Lookup table tags.
pub mod tag {
    /// `0 ≤ v < 2^16`.
    pub const R16: u64 = 1;
    /// `0 ≤ v < 2^8`.
    pub const R8: u64 = 2;
    /// Bytes `a`, `b` and `a & b`: payload `a + 2^8·b + 2^16·(a & b)`.
    pub const AND8: u64 = 3;
    /// Shift amounts: payload `s + 2^8·2^s` for `s < 32`.
    pub const POW: u64 = 4;
    /// Address classes by top byte: payload `b + 2^8·class` (see [`crate::scan`]).
    pub const REGION: u64 = 5;
    /// The decoded program table of ISA entry `i` has tag `FETCH + i`.
    pub const FETCH: u64 = 16;
}

/// `2^n` in the field (`n < 256`, from a table built once).
pub fn pow2(n: u32) -> Fr {
    static TABLE: std::sync::OnceLock<Vec<Fr>> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut v = Vec::with_capacity(256);
        let mut x = Fr::from(1u64);
        for _ in 0..256 {
            v.push(x);
            x += x;
        }
        v
    });
    t.get(n as usize)
        .copied()
        .unwrap_or_else(|| Fr::from(2u64).pow([n as u64]))
}

/// Packs a memory tuple; `ts` may be negative only in a malicious witness.
pub fn mem_tuple(space: u64, addr: u64, value: u64, ts: u64) -> Fr {
    Fr::from(ts)
        + pow2(SHIFT_VALUE) * Fr::from(value)
        + pow2(SHIFT_ADDR) * Fr::from(addr)
        + pow2(SHIFT_SPACE) * Fr::from(space)
}

/// The native twin of [`Ctx::lookup_packed`](crate::Ctx::lookup_packed): `Σ v_i·2^(o_i)`
/// for `(v_i, slot bits)` from the least significant, `o_i` the sum of the slots before.
pub fn packed(fields: &[(u64, u32)]) -> Fr {
    let mut at = 0;
    let mut x = Fr::from(0u64);
    for &(v, slot) in fields {
        x += pow2(at) * Fr::from(v);
        at += slot;
    }
    x
}

/// The fetch payload of a decoded instruction at `pc`: `pc` (40-bit slot), the immediate as
/// a 32-bit pattern, `op`, `rd`, `rs1`, `rs2` (bytes) and `rd ≠ 0` (a bit).
pub fn fetch_payload(pc: u32, d: &Decoded) -> Fr {
    packed(&[
        (pc as u64, 40),
        (d.imm as u32 as u64, 32),
        (d.op as u64, 8),
        (d.rd as u64, 8),
        (d.rs1 as u64, 8),
        (d.rs2 as u64, 8),
        ((d.rd != 0) as u64, 1),
    ])
}

/// The payload of the shift-amount table at `s < 32`: `s` (a byte) and `2^s` (32 bits).
pub fn pow_payload(s: u32) -> Fr {
    packed(&[(s as u64, 8), (1u64 << s, 32)])
}

/// The payload of the AND table at bytes `a`, `b`: `a`, `b`, `a & b`, a byte each.
pub fn and_payload(a: u8, b: u8) -> Fr {
    packed(&[(a as u64, 8), (b as u64, 8), ((a & b) as u64, 8)])
}

/// The payload of the address-region table at top byte `b`: `b` and its class, a byte each.
pub fn region_payload(b: u8, class: u8) -> Fr {
    packed(&[(b as u64, 8), (class as u64, 8)])
}

/// The value a lookup term is the inverse of: `β − payload − tag·α`.
pub fn lookup_denominator(beta: Fr, alpha: Fr, tag: u64, payload: Fr) -> Fr {
    beta - payload - Fr::from(tag) * alpha
}

/// `1/x`, or zero (a satisfying witness never needs the inverse of zero).
pub fn inv_or_zero(x: Fr) -> Fr {
    x.inverse().unwrap_or_default()
}

/// A field element from a two's complement 64-bit integer.
pub fn signed(x: i64) -> Fr {
    if x < 0 {
        -Fr::from(x.unsigned_abs())
    } else {
        Fr::from(x as u64)
    }
}

/// Whether a field element is a small integer below `2^64` (for native checks).
pub fn to_u64(x: Fr) -> Option<u64> {
    let big = x.into_bigint();
    let limbs = big.as_ref();
    limbs[1..].iter().all(|&l| l == 0).then_some(limbs[0])
}
