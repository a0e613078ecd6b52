//! Co-processor instructions: R-type instructions in the RISC-V custom-0 (`0b0001011`) and
//! custom-1 (`0b0101011`) major opcodes, selected by `funct3` and `funct7` (docs/ABI.md).
//!
//! [`custom0`] and [`custom1`] emit one such instruction with two source registers and a
//! destination register; the instruction set the program is run with decides what it does.

/// Executes the custom-0 instruction selected by `FUNCT3` (0..8) and `FUNCT7` (0..128) on
/// `rs1` and `rs2`, and returns what it wrote to `rd`.
///
/// ```ignore
/// let r = crease_rt::coprocessor::custom0::<0, 1>(a, b);
/// ```
#[inline(always)]
pub fn custom0<const FUNCT3: u32, const FUNCT7: u32>(rs1: u32, rs2: u32) -> u32 {
    let rd: u32;
    #[cfg(target_arch = "riscv32")]
    // SAFETY: a co-processor instruction reads two registers and writes one; one that
    // touches memory declares so in its own contract, and this asm does not claim `nomem`.
    unsafe {
        core::arch::asm!(
            ".insn r 0x0b, {f3}, {f7}, {rd}, {rs1}, {rs2}",
            f3 = const FUNCT3,
            f7 = const FUNCT7,
            rd = lateout(reg) rd,
            rs1 = in(reg) rs1,
            rs2 = in(reg) rs2,
            options(nostack),
        );
    }
    #[cfg(not(target_arch = "riscv32"))]
    {
        let _ = (rs1, rs2);
        rd = unreachable_off_target();
    }
    rd
}

/// Executes the custom-1 instruction selected by `FUNCT3` and `FUNCT7` on `rs1` and `rs2`,
/// and returns what it wrote to `rd`.
#[inline(always)]
pub fn custom1<const FUNCT3: u32, const FUNCT7: u32>(rs1: u32, rs2: u32) -> u32 {
    let rd: u32;
    #[cfg(target_arch = "riscv32")]
    // SAFETY: as for `custom0`.
    unsafe {
        core::arch::asm!(
            ".insn r 0x2b, {f3}, {f7}, {rd}, {rs1}, {rs2}",
            f3 = const FUNCT3,
            f7 = const FUNCT7,
            rd = lateout(reg) rd,
            rs1 = in(reg) rs1,
            rs2 = in(reg) rs2,
            options(nostack),
        );
    }
    #[cfg(not(target_arch = "riscv32"))]
    {
        let _ = (rs1, rs2);
        rd = unreachable_off_target();
    }
    rd
}

#[cfg(not(target_arch = "riscv32"))]
fn unreachable_off_target() -> u32 {
    panic!("co-processor instructions exist only on the guest target")
}
