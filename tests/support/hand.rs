//! Hand-assembled programs for the proving tests: code at [`CODE`], a 256-byte writable data
//! segment at [`DATA`] whose first 64 bytes are a fixed pattern.

use crease::nvm::encode::li;
use crease::{Isa, Program, Segment};

/// Where the code is placed (also the entry point).
pub const CODE: u32 = 0x1000;
/// Where the data segment is placed.
pub const DATA: u32 = 0x10_0000;

/// Appends `li rd, v`.
pub fn push_li(c: &mut Vec<u32>, rd: u8, v: u32) {
    c.extend(li(rd, v));
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
