//! The crate's error type and guest faults.

use std::fmt;

/// A memory region, named in faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// An executable segment of the program image.
    Code,
    /// A read-only data segment of the program image.
    ReadOnlyData,
    /// The public input region.
    PublicInput,
    /// The private input region.
    PrivateInput,
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::Code => "code",
            Region::ReadOnlyData => "read-only data",
            Region::PublicInput => "public input",
            Region::PrivateInput => "private input",
        })
    }
}

/// What went wrong in a guest fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FaultKind {
    /// The word at `pc` is not an instruction of the set.
    #[error("illegal instruction 0x{word:08x} (opcode 0b{:07b})", word & 0x7f)]
    IllegalInstruction {
        /// The instruction word.
        word: u32,
    },
    /// A jump or taken branch to an address that is not a multiple of four.
    #[error("misaligned instruction fetch: target 0x{target:08x}")]
    MisalignedFetch {
        /// The jump target.
        target: u32,
    },
    /// A load or store whose address is not a multiple of its size.
    #[error("misaligned {size}-byte access at 0x{addr:08x}")]
    MisalignedAccess {
        /// The address.
        addr: u32,
        /// The access size in bytes.
        size: u32,
    },
    /// A load or store outside every segment, RAM and I/O region.
    #[error("access outside mapped memory at 0x{addr:08x}")]
    Unmapped {
        /// The address.
        addr: u32,
    },
    /// A store into code, read-only data or an input region.
    #[error("store into {region} at 0x{addr:08x}")]
    StoreToReadOnly {
        /// The address.
        addr: u32,
        /// The region it lies in.
        region: Region,
    },
    /// The pc left the executable segments.
    #[error("pc outside code")]
    PcOutsideCode,
    /// `ecall` with a number the machine does not implement.
    #[error("unknown system call {number}")]
    UnknownSyscall {
        /// The value of `a7`.
        number: u32,
    },
    /// `ebreak`.
    #[error("breakpoint (ebreak)")]
    Breakpoint,
    /// The run reached its cycle limit before exiting.
    #[error("cycle limit {limit} reached")]
    CycleLimit {
        /// The limit.
        limit: u64,
    },
    /// The public output length word exceeds the output region at exit.
    #[error("public output length {len} exceeds the output region")]
    OutputTooLong {
        /// The length the guest wrote.
        len: u32,
    },
    /// Writing guest output to a host sink failed.
    #[error("host output failed: {kind}")]
    HostOutput {
        /// The host's I/O error kind.
        kind: std::io::ErrorKind,
    },
    /// An instruction made more memory and register accesses than one trace step holds.
    #[error("more than {max} accesses in one instruction")]
    TooManyAccesses {
        /// The per-step limit.
        max: u32,
    },
    /// A fault raised by an instruction circuit outside this crate.
    #[error("{instruction}: {message}")]
    Instruction {
        /// The instruction circuit's name.
        instruction: String,
        /// What went wrong.
        message: String,
    },
}

/// A guest fault: what went wrong, at which pc and cycle.
///
/// `cycle` is the number of instructions completed before the faulting one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at pc 0x{pc:08x}, cycle {cycle}")]
pub struct Fault {
    /// What went wrong.
    pub kind: FaultKind,
    /// The pc of the faulting instruction (for a fetch fault, the address fetched).
    pub pc: u32,
    /// Instructions completed before the fault.
    pub cycle: u64,
}

/// Errors of the NVM: loading a program, building an instruction set, running a guest.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes do not start with the ELF magic.
    #[error("not an ELF file")]
    NotElf,
    /// A 64-bit ELF file; the NVM runs RV32 only.
    #[error("64-bit ELF file; expected ELF32 (RV32)")]
    Elf64,
    /// An ELF class byte that is neither 32- nor 64-bit.
    #[error("invalid ELF class {0}")]
    BadClass(u8),
    /// A big-endian ELF file.
    #[error("big-endian ELF file; RISC-V is little-endian")]
    BigEndian,
    /// An ELF data-encoding byte that is neither little- nor big-endian.
    #[error("invalid ELF data encoding {0}")]
    BadEncoding(u8),
    /// An ELF file for another machine.
    #[error("not a RISC-V ELF file (e_machine {machine})")]
    NotRiscV {
        /// The `e_machine` field.
        machine: u16,
    },
    /// An ELF file that is not an executable (`ET_EXEC`).
    #[error("ELF file is not an executable (e_type {e_type})")]
    NotExecutable {
        /// The `e_type` field.
        e_type: u16,
    },
    /// A header field with a value the loader does not accept.
    #[error("invalid ELF header field {field}: {value}")]
    BadHeader {
        /// The field's name.
        field: &'static str,
        /// Its value.
        value: u32,
    },
    /// The ELF flags say the code uses compressed (C-extension) instructions.
    #[error("ELF flags mark compressed (RVC) code; compile for rv32im without C")]
    CompressedElf,
    /// A 16-bit (compressed) instruction in an executable segment.
    #[error("compressed instruction 0x{half:04x} at 0x{address:08x}; compile without C")]
    CompressedInstruction {
        /// The 16-bit parcel.
        half: u16,
        /// Its address.
        address: u32,
    },
    /// The file ends before a structure it declares.
    #[error("truncated ELF file: {what} needs bytes {offset}..{end}, file has {file_len}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Start offset.
        offset: u64,
        /// End offset (exclusive).
        end: u64,
        /// The file length.
        file_len: u64,
    },
    /// A segment whose file size exceeds its memory size.
    #[error("segment at 0x{vaddr:08x}: file size {filesz} exceeds memory size {memsz}")]
    SegmentFileSize {
        /// Segment address.
        vaddr: u32,
        /// File size.
        filesz: u32,
        /// Memory size.
        memsz: u32,
    },
    /// A segment that is not inside the program image range.
    #[error(
        "segment 0x{vaddr:08x}..+0x{memsz:x} outside the program image range \
         0x00000000..0x{:08x}",
        crate::layout::IMAGE_END
    )]
    SegmentOutOfRange {
        /// Segment address.
        vaddr: u32,
        /// Memory size.
        memsz: u32,
    },
    /// Two segments overlap.
    #[error("segments at 0x{first:08x} and 0x{second:08x} overlap")]
    SegmentOverlap {
        /// The lower segment's address.
        first: u32,
        /// The other segment's address.
        second: u32,
    },
    /// Two segments with different permissions share a 4-byte word (memory is mapped in
    /// whole words).
    #[error(
        "segments at 0x{first:08x} and 0x{second:08x} share a 4-byte word but not their permissions"
    )]
    SegmentsShareWord {
        /// The lower segment's address.
        first: u32,
        /// The other segment's address.
        second: u32,
    },
    /// An executable segment that does not start on a 4-byte boundary.
    #[error("executable segment at 0x{vaddr:08x} is not 4-byte aligned")]
    MisalignedCode {
        /// Segment address.
        vaddr: u32,
    },
    /// Executable segments spread over more address space than the decode table allows.
    #[error("executable segments span 0x{span:x} bytes; at most 0x{max:x} are supported")]
    CodeTooLarge {
        /// The span in bytes.
        span: u64,
        /// The limit.
        max: u64,
    },
    /// No executable segment.
    #[error("program has no executable segment")]
    NoCode,
    /// The entry point is not a 4-aligned address inside an executable segment.
    #[error("entry point 0x{entry:08x} is not an aligned address in code")]
    BadEntry {
        /// The entry point.
        entry: u32,
    },
    /// A code word that no instruction of the set decodes.
    #[error(
        "unknown instruction 0x{word:08x} (opcode 0b{opcode:07b}) at 0x{address:08x}: \
         not in the instruction set"
    )]
    UnknownInstruction {
        /// The word.
        word: u32,
        /// Its major opcode (bits 6:0).
        opcode: u32,
        /// Its address.
        address: u32,
    },
    /// Two instructions of a set claim the same word.
    #[error("instructions {first} and {second} both claim word 0x{word:08x}")]
    IsaConflict {
        /// The instruction already in the set.
        first: String,
        /// The instruction being added.
        second: String,
        /// A word both claim.
        word: u32,
    },
    /// Two instructions of a set share a name.
    #[error("instruction name {name} is used twice")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// An instruction that declares a cycle count outside `1..=max`.
    #[error("instruction {name} takes {cycles} cycles; it must take 1 to {max}")]
    Cycles {
        /// The instruction's name.
        name: String,
        /// The cycles it declares.
        cycles: u32,
        /// The limit.
        max: u32,
    },
    /// More instructions than the decode table can index.
    #[error("an instruction set holds at most {max} instructions")]
    TooManyInstructions {
        /// The limit.
        max: usize,
    },
    /// An input longer than its region holds.
    #[error("{which} input is {len} bytes; at most {max} fit")]
    InputTooLarge {
        /// `"public"` or `"private"`.
        which: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The guest faulted. Output it printed before the fault (when not streamed to sinks)
    /// is kept here.
    #[error("guest fault: {fault}")]
    Fault {
        /// The fault.
        fault: Fault,
        /// Bytes the guest wrote to fd 1 (empty when a stdout sink was given).
        stdout: Vec<u8>,
        /// Bytes the guest wrote to fd 2 (empty when a stderr sink was given).
        stderr: Vec<u8>,
    },
}
