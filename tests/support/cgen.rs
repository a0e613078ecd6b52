//! Random C programs for the differential tests: integer work (ALU, 32- and 64-bit multiply
//! and divide, shifts, comparisons, byte/halfword/word loads and stores, branches, short
//! loops, jump-table switches and recursive calls) on state seeded through `volatile`
//! reads, so that the compiler cannot fold it away.
//! Every statement mixes its result into a running hash; at the end the program prints the
//! hash and all its state in hex through `write`.
//!
//! The programs only use C with defined behaviour (unsigned arithmetic, masked shifts,
//! guarded division), so a native build is an independent reference for the RISC-V build.

use std::fmt::Write as _;

use rand::rngs::StdRng;
use rand::Rng;

const NV: usize = 8; // u32 variables
const NW: usize = 4; // u64 variables
const NM: usize = 64; // elements of each memory array

struct Gen<'a> {
    rng: &'a mut StdRng,
    out: String,
    depth: usize,
    loop_var: usize,
}

impl Gen<'_> {
    fn v(&mut self) -> String {
        format!("v[{}]", self.rng.gen_range(0..NV))
    }

    fn w(&mut self) -> String {
        format!("w[{}]", self.rng.gen_range(0..NW))
    }

    fn line(&mut self, s: &str) {
        for _ in 0..=self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn u32_expr(&mut self) -> String {
        let (b, c) = (self.v(), self.v());
        match self.rng.gen_range(0..22) {
            0 => format!("{b} + {c}"),
            1 => format!("{b} - {c}"),
            2 => format!("{b} * {c}"),
            3 => format!("{b} ^ {c}"),
            4 => format!("{b} & {c}"),
            5 => format!("{b} | {c}"),
            6 => format!("{b} << ({c} & 31)"),
            7 => format!("{b} >> ({c} & 31)"),
            8 => format!("(uint32_t)((int32_t){b} >> ({c} & 31))"),
            9 => format!("{c} ? {b} / {c} : 0xffffffffu"),
            10 => format!("{c} ? {b} % {c} : {b}"),
            11 => format!("sdiv({b}, {c})"),
            12 => format!("srem({b}, {c})"),
            13 => format!("(uint32_t)((int32_t){b} < (int32_t){c})"),
            14 => format!("(uint32_t)({b} < {c})"),
            15 => format!("(uint32_t)(((uint64_t){b} * {c}) >> 32)"),
            16 => format!("(uint32_t)(((int64_t)(int32_t){b} * (int32_t){c}) >> 32)"),
            17 => format!("(uint32_t)(((int64_t)(int32_t){b} * (uint64_t){c}) >> 32)"),
            18 => format!("{b} + 0x{:x}u", self.rng.gen::<u32>()),
            19 => format!("(uint32_t)(int32_t)(int8_t)m8[{b} & {}]", NM - 1),
            20 => format!("(uint32_t)(int32_t)(int16_t)m16[{b} & {}]", NM - 1),
            _ => format!(
                "m32[{b} & {}] + m16[{c} & {}] + m8[{c} & {}]",
                NM - 1,
                NM - 1,
                NM - 1
            ),
        }
    }

    fn u64_expr(&mut self) -> String {
        let (b, c) = (self.w(), self.w());
        let v = self.v();
        match self.rng.gen_range(0..9) {
            0 => format!("{b} + {c}"),
            1 => format!("{b} * {c}"),
            2 => format!("(uint64_t){v} * {b}"),
            3 => format!("{c} ? {b} / {c} : 0"),
            4 => format!("{c} ? {b} % {c} : 1"),
            5 => format!("{b} << ({v} & 63)"),
            6 => format!("(uint64_t)((int64_t){b} >> ({v} & 63))"),
            7 => format!("sdiv64({b}, {c})"),
            _ => format!("{b} ^ ((uint64_t){v} << 32 | {c} >> 32)"),
        }
    }

    fn statement(&mut self) {
        match self.rng.gen_range(0..23) {
            0..=8 => {
                let (a, e) = (self.v(), self.u32_expr());
                self.line(&format!("{a} = {e}; MIX({a});"));
            }
            9..=11 => {
                let (a, e) = (self.w(), self.u64_expr());
                self.line(&format!("{a} = {e}; MIX64({a});"));
            }
            12 => {
                let (i, x) = (self.v(), self.v());
                self.line(&format!("m8[{i} & {}] = (uint8_t){x};", NM - 1));
            }
            13 => {
                let (i, x) = (self.v(), self.v());
                self.line(&format!("m16[{i} & {}] = (uint16_t){x};", NM - 1));
            }
            14 => {
                let (i, x) = (self.v(), self.v());
                self.line(&format!("m32[{i} & {}] = {x};", NM - 1));
            }
            15..=17 if self.depth < 3 => {
                let (b, c) = (self.v(), self.v());
                let cond = match self.rng.gen_range(0..4) {
                    0 => format!("{b} == {c}"),
                    1 => format!("(int32_t){b} < (int32_t){c}"),
                    2 => format!("{b} >= {c}"),
                    _ => format!("{b} & 1"),
                };
                self.line(&format!("if ({cond}) {{"));
                self.block(1..4);
                self.line("} else {");
                self.block(1..4);
                self.line("}");
            }
            18 | 19 if self.depth < 2 => {
                let bound = self.v();
                let i = format!("i{}", self.loop_var);
                self.loop_var += 1;
                self.line(&format!(
                    "for (uint32_t {i} = 0; {i} < ({bound} & 7); {i}++) {{"
                ));
                self.depth += 1;
                self.line(&format!(
                    "v[{i} & {}] += {i}; MIX(v[{i} & {}]);",
                    NV - 1,
                    NV - 1
                ));
                self.depth -= 1;
                self.block(1..5);
                self.line("}");
            }
            20 => {
                // A dense switch: compilers turn it into a jump table (data read + jalr).
                let (a, b) = (self.v(), self.v());
                self.line(&format!("switch ({b} & 7) {{"));
                for case in 0..8 {
                    let k: u32 = self.rng.gen();
                    let op = ["+=", "^=", "-=", "|="][self.rng.gen_range(0..4)];
                    self.line(&format!("case {case}: {a} {op} 0x{k:x}u; break;"));
                }
                self.line("}");
                self.line(&format!("MIX({a});"));
            }
            21 => {
                // Recursion: calls, returns and stack traffic.
                let (a, b, c) = (self.v(), self.v(), self.v());
                self.line(&format!("{a} = rec({b}, {c} & 15); MIX({a});"));
            }
            _ => {
                let a = self.v();
                let k: u32 = self.rng.gen();
                self.line(&format!("{a} ^= 0x{k:x}u; MIX({a});"));
            }
        }
    }

    fn block(&mut self, len: std::ops::Range<usize>) {
        self.depth += 1;
        for _ in 0..self.rng.gen_range(len) {
            self.statement();
        }
        self.depth -= 1;
    }
}

const PRELUDE: &str = r#"#include <stdint.h>
#include <stddef.h>
#ifdef __riscv
#include "crease.h"
static void out(const char *s, size_t n) { crease_write(1, s, n); }
#else
#include <unistd.h>
static void out(const char *s, size_t n) { if (write(1, s, n) < 0) _exit(3); }
#endif

static uint32_t v[8];
static uint64_t w[4];
static uint8_t m8[64];
static uint16_t m16[64];
static uint32_t m32[64];
static uint64_t h = 1469598103934665603ull;
#define MIX(x) (h = (h ^ (uint32_t)(x)) * 1099511628211ull)
#define MIX64(x) (MIX(x), MIX((x) >> 32))

static uint32_t sdiv(uint32_t a, uint32_t b) {
  if (b == 0) return 0xffffffffu;
  if (a == 0x80000000u && b == 0xffffffffu) return a;
  return (uint32_t)((int32_t)a / (int32_t)b);
}
static uint32_t srem(uint32_t a, uint32_t b) {
  if (b == 0) return a;
  if (a == 0x80000000u && b == 0xffffffffu) return 0;
  return (uint32_t)((int32_t)a % (int32_t)b);
}
static uint64_t sdiv64(uint64_t a, uint64_t b) {
  if (b == 0 || (a == 0x8000000000000000ull && b == ~0ull)) return a;
  return (uint64_t)((int64_t)a / (int64_t)b);
}

__attribute__((noinline)) static uint32_t rec(uint32_t x, uint32_t depth) {
  uint32_t local[4] = {x, x * 3u + 1u, x >> 1, ~x};
  if (depth == 0) return local[x & 3];
  return rec(local[depth & 3], depth - 1) ^ (local[(x >> 3) & 3] + depth);
}

static char buf[64];
static void hex(uint64_t x, int digits) {
  for (int i = 0; i < digits; i++) buf[i] = "0123456789abcdef"[(x >> (4 * (digits - 1 - i))) & 15];
  buf[digits] = ' ';
  out(buf, (size_t)digits + 1);
}
"#;

/// A random C program; compiled natively or for rv32im it prints the same text.
pub fn random_c_program(rng: &mut StdRng, statements: usize) -> String {
    let mut src = String::from(PRELUDE);
    let seeds: Vec<u32> = (0..NV + 2 * NW + NM)
        .map(|_| super::rvgen::interesting_value(rng))
        .collect();
    let list: Vec<String> = seeds.iter().map(|s| format!("0x{s:x}u")).collect();
    let _ = writeln!(
        src,
        "static volatile uint32_t seed[{}] = {{{}}};",
        seeds.len(),
        list.join(", ")
    );
    let mut g = Gen {
        rng,
        out: String::new(),
        depth: 0,
        loop_var: 0,
    };
    for _ in 0..statements {
        g.statement();
    }
    let body = g.out;
    let _ = write!(
        src,
        r#"
int main(void) {{
  for (int i = 0; i < {NV}; i++) v[i] = seed[i];
  for (int i = 0; i < {NW}; i++) w[i] = (uint64_t)seed[{NV} + 2 * i] << 32 | seed[{NV} + 2 * i + 1];
  for (int i = 0; i < {NM}; i++) {{
    uint32_t s = seed[{NV} + 2 * {NW} + i];
    m8[i] = (uint8_t)s; m16[i] = (uint16_t)(s >> 8); m32[i] = s * 2654435761u;
  }}
{body}
  hex(h, 16);
  for (int i = 0; i < {NV}; i++) hex(v[i], 8);
  for (int i = 0; i < {NW}; i++) hex(w[i], 16);
  for (int i = 0; i < {NM}; i++) {{ hex(m8[i], 2); hex(m16[i], 4); hex(m32[i], 8); }}
  out("\n", 1);
  return (int)(h & 0x7f);
}}
"#
    );
    src
}
