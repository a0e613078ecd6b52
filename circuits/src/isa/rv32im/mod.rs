//! The circuits of the twelve RV32IM instruction circuits of `crease_nvm::isa::rv32im`,
//! one file each at the mirrored path.

mod alu;
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

pub use alu_imm::AluImm;
pub use alu_reg::AluReg;
pub use auipc::Auipc;
pub use branch::Branch;
pub use div::Div;
pub use jal::Jal;
pub use jalr::Jalr;
pub use load::Load;
pub use lui::Lui;
pub use mul::Mul;
pub use store::Store;
pub use system::System;
