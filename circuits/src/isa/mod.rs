//! The instruction circuits, mirroring `crease_nvm::isa`.

mod bitwise;
pub mod keccak_f1600;
pub mod rv32im;
pub mod sha256_compress;
pub mod sha256_sigma;
mod util;

use std::sync::Arc;

use crease_nvm::trace::max_accesses;

use crate::{Error, InstructionCircuit};

/// The circuits of `Isa::rv32im()`, in its order.
pub fn rv32im() -> Vec<Arc<dyn InstructionCircuit>> {
    use rv32im::*;
    vec![
        Arc::new(Lui),
        Arc::new(Auipc),
        Arc::new(Jal),
        Arc::new(Jalr),
        Arc::new(Branch),
        Arc::new(Load),
        Arc::new(Store),
        Arc::new(AluImm),
        Arc::new(AluReg),
        Arc::new(Mul),
        Arc::new(Div),
        Arc::new(System),
    ]
}

/// Pairs every instruction of `isa` with its circuit by name, looking in `available`
/// (for example [`rv32im`] plus co-processor circuits). A circuit must take as many cycles
/// as its instruction and make no more accesses than they hold.
pub fn circuits_for(
    isa: &crease_nvm::Isa,
    available: &[Arc<dyn InstructionCircuit>],
) -> Result<Vec<Arc<dyn InstructionCircuit>>, Error> {
    isa.iter()
        .map(|inst| {
            let name = inst.name();
            let circuit = available
                .iter()
                .find(|c| c.name() == name)
                .cloned()
                .ok_or_else(|| Error::UnknownCircuit {
                    name: name.to_string(),
                })?;
            let cycles = inst.cycles();
            if circuit.cycles() != cycles
                || circuit.accesses().len() > max_accesses(cycles) as usize
            {
                return Err(Error::CircuitCycles {
                    name: name.to_string(),
                    native: cycles,
                    circuit: circuit.cycles(),
                    accesses: circuit.accesses().len(),
                });
            }
            Ok(circuit)
        })
        .collect()
}
