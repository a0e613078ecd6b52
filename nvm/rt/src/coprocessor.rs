//! Co-processor instructions: R-type instructions in the RISC-V custom-0 (`0b0001011`) and
//! custom-1 (`0b0101011`) major opcodes, selected by `funct3` and `funct7` (docs/ABI.md).
//!
//! [`custom0`] and [`custom1`] emit one such instruction with two source registers and a
//! destination register, [`custom0_unary`] and [`custom1_unary`] one that reads only `rs1`
//! (`rs2` is `x0`); the instruction set the program is run with decides what it does.
//! [`sha256_sigma`] wraps the example co-processor of `examples/coprocessor`.

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

/// Executes the custom-0 instruction selected by `FUNCT3` and `FUNCT7` on `rs1`, with `rs2`
/// = `x0` (for instructions that read one register), and returns what it wrote to `rd`.
#[inline(always)]
pub fn custom0_unary<const FUNCT3: u32, const FUNCT7: u32>(rs1: u32) -> u32 {
    let rd: u32;
    #[cfg(target_arch = "riscv32")]
    // SAFETY: as for `custom0`.
    unsafe {
        core::arch::asm!(
            ".insn r 0x0b, {f3}, {f7}, {rd}, {rs1}, x0",
            f3 = const FUNCT3,
            f7 = const FUNCT7,
            rd = lateout(reg) rd,
            rs1 = in(reg) rs1,
            options(nostack),
        );
    }
    #[cfg(not(target_arch = "riscv32"))]
    {
        let _ = rs1;
        rd = unreachable_off_target();
    }
    rd
}

/// Executes the custom-1 instruction selected by `FUNCT3` and `FUNCT7` on `rs1`, with `rs2`
/// = `x0`, and returns what it wrote to `rd`.
#[inline(always)]
pub fn custom1_unary<const FUNCT3: u32, const FUNCT7: u32>(rs1: u32) -> u32 {
    let rd: u32;
    #[cfg(target_arch = "riscv32")]
    // SAFETY: as for `custom0`.
    unsafe {
        core::arch::asm!(
            ".insn r 0x2b, {f3}, {f7}, {rd}, {rs1}, x0",
            f3 = const FUNCT3,
            f7 = const FUNCT7,
            rd = lateout(reg) rd,
            rs1 = in(reg) rs1,
            options(nostack),
        );
    }
    #[cfg(not(target_arch = "riscv32"))]
    {
        let _ = rs1;
        rd = unreachable_off_target();
    }
    rd
}

/// The example co-processor of `examples/coprocessor` (crate `crease-coprocessor-example`):
/// the four SHA-256 sigma functions, custom-0 with `funct7 = 1`, `funct3` selecting the
/// function of `rs1`. A program using these must be run with that co-processor in its
/// instruction set (`crease run --coprocessor sha256_sigma`, or
/// `crease_coprocessor_example::isa()` from Rust); with plain RV32IM it fails to load.
pub mod sha256_sigma {
    /// The `funct7` of the co-processor.
    pub const FUNCT7: u32 = 1;

    /// `Σ0(x) = rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22)`, in one instruction.
    #[inline(always)]
    pub fn big_sigma0(x: u32) -> u32 {
        super::custom0_unary::<0, FUNCT7>(x)
    }

    /// `Σ1(x) = rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25)`, in one instruction.
    #[inline(always)]
    pub fn big_sigma1(x: u32) -> u32 {
        super::custom0_unary::<1, FUNCT7>(x)
    }

    /// `σ0(x) = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)`, in one instruction.
    #[inline(always)]
    pub fn small_sigma0(x: u32) -> u32 {
        super::custom0_unary::<2, FUNCT7>(x)
    }

    /// `σ1(x) = rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10)`, in one instruction.
    #[inline(always)]
    pub fn small_sigma1(x: u32) -> u32 {
        super::custom0_unary::<3, FUNCT7>(x)
    }
}

#[cfg(not(target_arch = "riscv32"))]
fn unreachable_off_target() -> u32 {
    panic!("co-processor instructions exist only on the guest target")
}
