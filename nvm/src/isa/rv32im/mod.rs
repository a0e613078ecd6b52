//! The RV32IM instruction set as twelve instruction circuits.
//!
//! The split follows the encoding's major opcodes, with the M extension split into
//! multiplication and division (their circuits differ the most) and the ALU split into
//! immediate and register forms (different operand accesses):
//!
//! | circuit | instructions |
//! |---|---|
//! | `lui` | LUI |
//! | `auipc` | AUIPC |
//! | `jal` | JAL |
//! | `jalr` | JALR |
//! | `branch` | BEQ BNE BLT BGE BLTU BGEU |
//! | `load` | LB LH LW LBU LHU |
//! | `store` | SB SH SW |
//! | `alu_imm` | ADDI SLTI SLTIU XORI ORI ANDI SLLI SRLI SRAI |
//! | `alu_reg` | ADD SUB SLL SLT SLTU XOR SRL SRA OR AND |
//! | `mul` | MUL MULH MULHSU MULHU |
//! | `div` | DIV DIVU REM REMU |
//! | `system` | ECALL EBREAK FENCE |
//!
//! Finer or coarser splits are built from the same trait; which one proves fastest is
//! measured, not assumed.

mod alu_imm;
mod alu_reg;
mod auipc;
mod branch;
mod div;
mod jal;
mod jalr;
mod load;
mod lui;
mod mul;
mod store;
mod system;

pub use alu_imm::{op as alu_imm_op, AluImm};
pub use alu_reg::{op as alu_reg_op, AluReg};
pub use auipc::Auipc;
pub use branch::Branch;
pub use div::Div;
pub use jal::Jal;
pub use jalr::Jalr;
pub use load::Load;
pub use lui::Lui;
pub use mul::Mul;
pub use store::Store;
pub use system::{op as system_op, System};
