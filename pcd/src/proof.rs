//! The proof: the claimed statement and one IVC proof per chain.

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use crease_folding::direct::DirectProof;
use crease_folding::tree::TreeProof;

use crate::{Error, Fr};

const HEADER: &[u8; 8] = b"CRSPRF09";

/// One chain's proof: which chain, its final state and the proof of its steps.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct ChainProof {
    /// The ISA index of an instruction chain ([`Proof::SCAN`] for the scan).
    pub chain: u32,
    /// The final state `z_n`.
    pub z: Vec<Fr>,
    /// The proof of `z_0 = 0 → z_n`.
    pub body: ChainBody,
}

/// How a chain's steps are proven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainBody {
    /// Folded (it carries the constants and the `W1` hash): a tree of leaves for an
    /// instruction chain (one leaf is a plain IVC proof), one leaf for the scan.
    Folded(TreeProof),
    /// Shown step by step, each step's witness checked as it is (a chain of a few steps,
    /// where folding costs more than it saves; `crease_folding::direct`).
    Direct(DirectProof),
}

impl ChainBody {
    /// Steps of the chain.
    pub fn steps(&self) -> u64 {
        match self {
            ChainBody::Folded(t) => t.steps(),
            ChainBody::Direct(d) => d.steps(),
        }
    }

    /// The folded proof, if the chain is folded.
    pub fn folded(&self) -> Option<&TreeProof> {
        match self {
            ChainBody::Folded(t) => Some(t),
            ChainBody::Direct(_) => None,
        }
    }

    /// Test hook: the folded proof, mutably.
    #[doc(hidden)]
    pub fn folded_mut(&mut self) -> Option<&mut TreeProof> {
        match self {
            ChainBody::Folded(t) => Some(t),
            ChainBody::Direct(_) => None,
        }
    }

    /// Test hook: the direct proof, mutably.
    #[doc(hidden)]
    pub fn direct_mut(&mut self) -> Option<&mut DirectProof> {
        match self {
            ChainBody::Folded(_) => None,
            ChainBody::Direct(d) => Some(d),
        }
    }
}

/// `CanonicalSerialize`/`CanonicalDeserialize` for an enum of two one-field variants: a tag
/// byte (0 or 1, any other is refused), then the variant's field.
macro_rules! two_variant_canonical {
    ($ty:ident, $a:ident($ta:ty), $b:ident($tb:ty)) => {
        impl ark_serialize::CanonicalSerialize for $ty {
            fn serialize_with_mode<W: std::io::Write>(
                &self,
                mut writer: W,
                compress: ark_serialize::Compress,
            ) -> Result<(), ark_serialize::SerializationError> {
                match self {
                    $ty::$a(x) => {
                        0u8.serialize_with_mode(&mut writer, compress)?;
                        x.serialize_with_mode(writer, compress)
                    }
                    $ty::$b(x) => {
                        1u8.serialize_with_mode(&mut writer, compress)?;
                        x.serialize_with_mode(writer, compress)
                    }
                }
            }

            fn serialized_size(&self, compress: ark_serialize::Compress) -> usize {
                1 + match self {
                    $ty::$a(x) => x.serialized_size(compress),
                    $ty::$b(x) => x.serialized_size(compress),
                }
            }
        }

        impl ark_serialize::Valid for $ty {
            fn check(&self) -> Result<(), ark_serialize::SerializationError> {
                Ok(())
            }
        }

        impl ark_serialize::CanonicalDeserialize for $ty {
            fn deserialize_with_mode<R: std::io::Read>(
                mut reader: R,
                compress: ark_serialize::Compress,
                validate: ark_serialize::Validate,
            ) -> Result<Self, ark_serialize::SerializationError> {
                match u8::deserialize_with_mode(&mut reader, compress, validate)? {
                    0 => Ok($ty::$a(<$ta>::deserialize_with_mode(
                        reader, compress, validate,
                    )?)),
                    1 => Ok($ty::$b(<$tb>::deserialize_with_mode(
                        reader, compress, validate,
                    )?)),
                    _ => Err(ark_serialize::SerializationError::InvalidData),
                }
            }
        }
    };
}
pub(crate) use two_variant_canonical;

two_variant_canonical!(ChainBody, Folded(TreeProof), Direct(DirectProof));

/// A word of the public output region, as the scan finished it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct OutputWord {
    /// Its address.
    pub addr: u32,
    /// Its final value.
    pub value: u32,
}

/// A table row the run looked up, and how often: `row` indexes the program's tables
/// (`crease_circuits::tables::all_entries`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct TableCount {
    /// The row.
    pub row: u32,
    /// Its lookups (at least one).
    pub count: u64,
}

/// A proof of one run: the claimed exit code, step count and output words, the chain
/// proofs of every instruction circuit the run used (in ISA order), the scan, and how
/// often the run looked up each table row.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Proof {
    pub(crate) params_digest: Fr,
    pub(crate) exit_code: u32,
    pub(crate) steps: u64,
    pub(crate) output: Vec<OutputWord>,
    pub(crate) chains: Vec<ChainProof>,
    pub(crate) scan: ChainProof,
    pub(crate) table_counts: Vec<TableCount>,
}

impl Proof {
    /// The chain id of the scan.
    pub const SCAN: u32 = u32::MAX - 1;

    /// The claimed exit code (established only by [`crate::verify`]).
    pub fn claimed_exit_code(&self) -> i32 {
        self.exit_code as i32
    }

    /// The claimed number of executed instructions.
    pub fn claimed_steps(&self) -> u64 {
        self.steps
    }

    /// The digest of the parameters the proof was made with.
    pub fn params_digest(&self) -> Fr {
        self.params_digest
    }

    /// The instruction chains' proofs, in ISA order.
    pub fn chains(&self) -> &[ChainProof] {
        &self.chains
    }

    /// The scan's proof.
    pub fn scan(&self) -> &ChainProof {
        &self.scan
    }

    /// Test hook: mutable access to every chain's proof (the instruction chains', then the
    /// scan's).
    #[doc(hidden)]
    pub fn chain_proofs_mut(&mut self) -> impl Iterator<Item = &mut ChainProof> {
        self.chains.iter_mut().chain([&mut self.scan])
    }

    /// Writes the proof behind a versioned header.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        write_versioned(HEADER, self)
    }

    /// Reads a proof written by [`Self::to_bytes`]; any damage gives an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Proof, Error> {
        read_versioned(HEADER, "proof", bytes)
    }

    /// The claimed output words.
    pub fn output_words(&self) -> &[OutputWord] {
        &self.output
    }

    /// The table rows the run looked up, by increasing row, with their counts.
    pub fn table_counts(&self) -> &[TableCount] {
        &self.table_counts
    }

    /// Test hook: mutable access to the table counts, to tamper with a real proof.
    #[doc(hidden)]
    pub fn table_counts_mut(&mut self) -> &mut Vec<TableCount> {
        &mut self.table_counts
    }

    /// Test hook: mutable access to the claimed statement, to tamper with a real proof.
    #[doc(hidden)]
    pub fn claims_mut(&mut self) -> (&mut u32, &mut u64, &mut Vec<OutputWord>) {
        (&mut self.exit_code, &mut self.steps, &mut self.output)
    }
}

/// `header ‖ canonical encoding of value`.
pub(crate) fn write_versioned<T: CanonicalSerialize>(
    header: &[u8; 8],
    value: &T,
) -> Result<Vec<u8>, Error> {
    let mut out = header.to_vec();
    value
        .serialize_compressed(&mut out)
        .map_err(crease_folding::Error::from)?;
    Ok(out)
}

/// Reads what [`write_versioned`] wrote: checks the header, decodes with validation and
/// refuses trailing bytes (`what` names the kind of file in the error).
pub(crate) fn read_versioned<T: CanonicalDeserialize>(
    header: &[u8; 8],
    what: &'static str,
    bytes: &[u8],
) -> Result<T, Error> {
    let bad = |reason| Error::Malformed { what, reason };
    let mut reader = match bytes.strip_prefix(header.as_slice()) {
        Some(rest) => rest,
        // The same kind (the first six bytes), another format version.
        None if bytes.len() >= 8 && bytes[..6] == header[..6] => {
            return Err(bad(
                "written by another version of crease (make it again with this one)",
            ))
        }
        None => return Err(bad("unknown header or version")),
    };
    let value = T::deserialize_with_mode(&mut reader, Compress::Yes, Validate::Yes)
        .map_err(|_| bad("undecodable"))?;
    if !reader.is_empty() {
        return Err(bad("trailing bytes"));
    }
    Ok(value)
}
