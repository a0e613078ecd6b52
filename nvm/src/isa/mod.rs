//! The instruction-set registry.

pub mod keccak_f1600;
pub mod rv32im;
pub mod sha256_compress;

use std::fmt;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::decode::Decoded;
use crate::trace::MAX_CYCLES_PER_INSTRUCTION;
use crate::{Error, Instruction};

/// The most instruction circuits one set may hold (indices are `u16` in the decode table
/// and the trace, with a few reserved).
pub const MAX_INSTRUCTIONS: usize = 4096;

/// An instruction set: an ordered list of instruction circuits, no two of which claim the
/// same word. The index of an instruction in the list identifies it in traces and counts.
///
/// Cloning is cheap (instructions are shared).
#[derive(Clone, Default)]
pub struct Isa {
    insts: Vec<Arc<dyn Instruction>>,
}

impl fmt::Debug for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Isa {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// RV32IM as the twelve circuits of [`rv32im`], in the order listed there.
    pub fn rv32im() -> Self {
        use rv32im::*;
        let insts: Vec<Arc<dyn Instruction>> = vec![
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
        ];
        // The patterns above are disjoint (checked by a unit test through `push_arc`).
        Isa { insts }
    }

    /// Adds an instruction, returning its index; fails if its name is taken or one of its
    /// patterns overlaps one of an instruction already in the set.
    pub fn push<I: Instruction + 'static>(&mut self, inst: I) -> Result<usize, Error> {
        self.push_arc(Arc::new(inst))
    }

    /// [`push`](Self::push) for a shared instruction.
    pub fn push_arc(&mut self, inst: Arc<dyn Instruction>) -> Result<usize, Error> {
        if self.insts.len() >= MAX_INSTRUCTIONS {
            return Err(Error::TooManyInstructions {
                max: MAX_INSTRUCTIONS,
            });
        }
        let cycles = inst.cycles();
        if cycles == 0 || cycles > MAX_CYCLES_PER_INSTRUCTION {
            return Err(Error::Cycles {
                name: inst.name().to_string(),
                cycles,
                max: MAX_CYCLES_PER_INSTRUCTION,
            });
        }
        for other in &self.insts {
            if other.name() == inst.name() {
                return Err(Error::DuplicateName {
                    name: inst.name().to_string(),
                });
            }
            for p in other.patterns() {
                for q in inst.patterns() {
                    if let Some(word) = p.overlap(q) {
                        return Err(Error::IsaConflict {
                            first: other.name().to_string(),
                            second: inst.name().to_string(),
                            word,
                        });
                    }
                }
            }
        }
        self.insts.push(inst);
        Ok(self.insts.len() - 1)
    }

    /// The set with `inst` added (builder form of [`push`](Self::push)).
    pub fn with<I: Instruction + 'static>(mut self, inst: I) -> Result<Self, Error> {
        self.push(inst)?;
        Ok(self)
    }

    /// Number of instruction circuits.
    pub fn len(&self) -> usize {
        self.insts.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.insts.is_empty()
    }

    /// The instruction at `index`.
    pub fn get(&self, index: usize) -> Option<&dyn Instruction> {
        self.insts.get(index).map(|i| &**i)
    }

    /// The index of the instruction named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.insts.iter().position(|i| i.name() == name)
    }

    /// The instructions in index order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Instruction> {
        self.insts.iter().map(|i| &**i)
    }

    /// The instruction names in index order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.insts.iter().map(|i| i.name())
    }

    /// SHA-256 over the ordered names, patterns and cycle counts: identifies the set in proof
    /// statements. (An instruction of one cycle adds no count, so sets without bulk
    /// co-processors keep the digest they had before cycle counts existed; the count of
    /// patterns carries a flag when one follows.)
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"crease-isa/v1");
        h.update((self.insts.len() as u32).to_le_bytes());
        for inst in &self.insts {
            let name = inst.name().as_bytes();
            h.update((name.len() as u32).to_le_bytes());
            h.update(name);
            let patterns = inst.patterns();
            let cycles = inst.cycles();
            let flag = if cycles == 1 { 0 } else { 1 << 31 };
            h.update((patterns.len() as u32 | flag).to_le_bytes());
            if cycles != 1 {
                h.update(cycles.to_le_bytes());
            }
            for p in patterns {
                h.update(p.mask.to_le_bytes());
                h.update(p.value.to_le_bytes());
            }
        }
        h.finalize().into()
    }

    /// The instruction whose patterns claim `word` and its decoding, if it decodes it.
    pub fn decode(&self, word: u32) -> Option<(usize, Decoded)> {
        let index = self
            .insts
            .iter()
            .position(|i| i.patterns().iter().any(|p| p.matches(word)))?;
        self.insts[index].decode(word).map(|d| (index, d))
    }

    pub(crate) fn shared(&self) -> &[Arc<dyn Instruction>] {
        &self.insts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rv32im_patterns_are_disjoint_and_names_unique() {
        let mut isa = Isa::new();
        for inst in Isa::rv32im().shared() {
            isa.push_arc(inst.clone()).unwrap();
        }
        assert_eq!(isa.digest(), Isa::rv32im().digest());
    }
}
