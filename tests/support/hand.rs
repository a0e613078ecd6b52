//! Hand-assembled programs for the proving tests: code at [`CODE`], a 256-byte writable data
//! segment at [`DATA`] whose first 64 bytes are a fixed pattern.

use crease::nvm::encode::{add, addi, bne, ecall, jal, li, sw};
use crease::nvm::layout::PUBLIC_OUTPUT;
use crease::{Isa, Program, Segment};

/// Where the code is placed (also the entry point).
pub const CODE: u32 = 0x1000;
/// Where the data segment is placed.
pub const DATA: u32 = 0x10_0000;

/// Appends `li rd, v`.
pub fn push_li(c: &mut Vec<u32>, rd: u8, v: u32) {
    c.extend(li(rd, v));
}

/// Appends the common tail of the hand programs: `x15 = k + (k−1) + … + 1` by a loop on
/// `x14`, then the public output `[x9, x15]` (8 bytes), a `jal` over one `nop`, and
/// `exit(x15 + 7)`.
pub fn push_sum_output_exit(c: &mut Vec<u32>, k: u32) {
    push_li(c, 14, k);
    push_li(c, 15, 0);
    c.push(add(15, 15, 14));
    c.push(addi(14, 14, -1));
    c.push(bne(14, 0, -8));
    push_li(c, 18, PUBLIC_OUTPUT);
    push_li(c, 11, 8);
    c.push(sw(11, 18, 0));
    c.push(sw(9, 18, 4));
    c.push(sw(15, 18, 8));
    c.push(jal(1, 8));
    c.push(0x0000_0013);
    c.push(addi(10, 15, 7));
    push_li(c, 17, 93);
    c.push(ecall());
}

/// A program of `code` and the data segment, for `isa`.
pub fn program(code: &[u32], isa: &Isa) -> Program {
    let data: Vec<u8> = (0..64u32).map(|i| (i * 37 + 11) as u8).collect();
    let segments = vec![
        Segment {
            vaddr: CODE,
            mem_size: 4 * code.len() as u32,
            data: code.iter().flat_map(|w| w.to_le_bytes()).collect(),
            read: true,
            write: false,
            exec: true,
        },
        Segment {
            vaddr: DATA,
            mem_size: 256,
            data,
            read: true,
            write: true,
            exec: false,
        },
    ];
    Program::from_parts(CODE, segments, isa).expect("program loads")
}
