//! A loaded program: memory image, entry point and the pre-decoded code table.

use sha2::{Digest, Sha256};

use crate::decode::Decoded;
use crate::layout::IMAGE_END;
use crate::memory::{Memory, SegmentPerm};
use crate::{elf, Error, Isa};

/// The largest address span the executable segments may cover together.
pub const MAX_CODE_SPAN: u64 = 64 << 20;

/// A loadable segment of the program image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Its first address.
    pub vaddr: u32,
    /// Its size in memory; bytes past `data` are zero (bss).
    pub mem_size: u32,
    /// Its initial contents (at most `mem_size` bytes).
    pub data: Vec<u8>,
    /// Readable (`PF_R`). Writable and executable segments are readable too.
    pub read: bool,
    /// Writable (`PF_W`); ignored for executable segments, which are never writable.
    pub write: bool,
    /// Executable (`PF_X`): code.
    pub exec: bool,
}

impl Segment {
    fn end(&self) -> u64 {
        self.vaddr as u64 + self.mem_size as u64
    }

    /// Whether the machine maps it readable: a segment with any permission is.
    pub fn readable(&self) -> bool {
        self.read || self.write || self.exec
    }

    /// Whether guest stores may write it (code never is).
    pub fn writable(&self) -> bool {
        self.write && !self.exec
    }

    /// The words it maps: `[vaddr rounded down, end rounded up)` to multiples of four.
    /// Memory is mapped in whole words, as the circuits see it: the bytes of a segment's
    /// first and last word outside the segment are zero and have its permissions.
    pub fn word_span(&self) -> (u32, u64) {
        (self.vaddr & !3, self.end().next_multiple_of(4))
    }
}

/// One entry of the decode table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub d: Decoded,
    pub word: u32,
    /// Index into the ISA, or one of the reserved indices below (relative to its length).
    pub inst: u16,
}

/// Reserved slot kinds, as offsets past the last ISA index.
pub(crate) const ILLEGAL: u16 = 0;
pub(crate) const NOT_CODE: u16 = 1;

/// What the decode table says about one code address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeWord {
    /// The word in the image.
    pub word: u32,
    /// The instruction (index in the ISA) and decoded form, or `None` for an illegal word
    /// (faults if executed).
    pub decoded: Option<(usize, Decoded)>,
}

/// A program ready to run: its image, entry point, instruction set and decode table.
#[derive(Clone)]
pub struct Program {
    pub(crate) isa: Isa,
    pub(crate) entry: u32,
    pub(crate) segments: Vec<Segment>,
    pub(crate) memory: Memory,
    pub(crate) code_base: u32,
    pub(crate) slots: Vec<Slot>,
    digest: [u8; 32],
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("entry", &format_args!("0x{:08x}", self.entry))
            .field("segments", &self.segments.len())
            .field("isa", &self.isa)
            .finish()
    }
}

impl Program {
    /// Loads an ELF32 RISC-V executable for the instruction set `isa`.
    ///
    /// Every word of every executable segment is decoded now. A word no instruction of the
    /// set decodes fails the load with [`Error::UnknownInstruction`] naming the word, its
    /// opcode and its address, and a 16-bit parcel fails it with
    /// [`Error::CompressedInstruction`]. The exceptions are the [`TRAP_WORDS`] (padding,
    /// `unimp`), which are recorded as illegal and fault only if executed.
    pub fn from_elf(bytes: &[u8], isa: &Isa) -> Result<Program, Error> {
        let image = elf::parse(bytes)?;
        Program::from_parts(image.entry, image.segments, isa)
    }

    /// Builds a program from segments and an entry point, with the same checks as
    /// [`from_elf`](Self::from_elf).
    pub fn from_parts(entry: u32, segments: Vec<Segment>, isa: &Isa) -> Result<Program, Error> {
        let mut segments: Vec<Segment> = segments.into_iter().filter(|s| s.mem_size > 0).collect();
        for s in &segments {
            if s.data.len() as u64 > s.mem_size as u64 {
                return Err(Error::SegmentFileSize {
                    vaddr: s.vaddr,
                    filesz: s.data.len() as u32,
                    memsz: s.mem_size,
                });
            }
            if s.end() > IMAGE_END as u64 {
                return Err(Error::SegmentOutOfRange {
                    vaddr: s.vaddr,
                    memsz: s.mem_size,
                });
            }
            if s.exec && s.vaddr % 4 != 0 {
                return Err(Error::MisalignedCode { vaddr: s.vaddr });
            }
        }
        segments.sort_by_key(|s| s.vaddr);
        for pair in segments.windows(2) {
            if pair[0].end() > pair[1].vaddr as u64 {
                return Err(Error::SegmentOverlap {
                    first: pair[0].vaddr,
                    second: pair[1].vaddr,
                });
            }
            let perms = |s: &Segment| (s.readable(), s.writable(), s.exec);
            if pair[0].word_span().1 > pair[1].word_span().0 as u64
                && perms(&pair[0]) != perms(&pair[1])
            {
                return Err(Error::SegmentsShareWord {
                    first: pair[0].vaddr,
                    second: pair[1].vaddr,
                });
            }
        }
        let code: Vec<&Segment> = segments.iter().filter(|s| s.exec).collect();
        let (Some(first), Some(last)) = (code.first(), code.last()) else {
            return Err(Error::NoCode);
        };
        let code_base = first.vaddr;
        let code_end = last.end().next_multiple_of(4);
        let span = code_end - code_base as u64;
        if span > MAX_CODE_SPAN {
            return Err(Error::CodeTooLarge {
                span,
                max: MAX_CODE_SPAN,
            });
        }
        let in_code = code
            .iter()
            .any(|s| s.vaddr <= entry && (entry as u64) < s.end());
        if entry % 4 != 0 || !in_code {
            return Err(Error::BadEntry { entry });
        }

        // Whole words (`Segment::word_span`); two segments sharing a word have the same
        // permissions (checked above), so the later one starts where the earlier ends.
        let mut perms: Vec<SegmentPerm> = Vec::with_capacity(segments.len());
        for s in &segments {
            let (mut start, end) = s.word_span();
            if let Some(prev) = perms.last() {
                start = start.max(prev.end);
            }
            if (start as u64) < end {
                perms.push(SegmentPerm {
                    start,
                    end: end as u32,
                    read: s.readable(),
                    write: s.writable(),
                    exec: s.exec,
                });
            }
        }
        let mut memory = Memory::new(perms);
        for s in &segments {
            memory.poke_bytes(s.vaddr, &s.data);
        }

        let slots = decode_code(&memory, &code, code_base, span, isa)?;
        let digest = program_digest(entry, &segments, isa);
        Ok(Program {
            isa: isa.clone(),
            entry,
            segments,
            memory,
            code_base,
            slots,
            digest,
        })
    }

    /// The entry point.
    pub fn entry(&self) -> u32 {
        self.entry
    }

    /// The instruction set the program was decoded for.
    pub fn isa(&self) -> &Isa {
        &self.isa
    }

    /// The loadable segments, sorted by address.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The address range `[start, end)` covered by the decode table.
    pub fn code_range(&self) -> (u32, u32) {
        let end = self.code_base as u64 + 4 * self.slots.len() as u64;
        (self.code_base, end as u32)
    }

    /// The decode table's entry for `addr`, if `addr` is an aligned address in code.
    pub fn code_word(&self, addr: u32) -> Option<CodeWord> {
        if addr % 4 != 0 {
            return None;
        }
        let slot = self
            .slots
            .get((addr.wrapping_sub(self.code_base) / 4) as usize)?;
        let n = self.isa.len() as u16;
        if slot.inst == n + NOT_CODE {
            return None;
        }
        Some(CodeWord {
            word: slot.word,
            decoded: (slot.inst < n).then_some((slot.inst as usize, slot.d)),
        })
    }

    /// SHA-256 identifying the program: its segments (address, size, permissions,
    /// contents), entry point and the ISA digest.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }
}

fn decode_code(
    memory: &Memory,
    code: &[&Segment],
    code_base: u32,
    span: u64,
    isa: &Isa,
) -> Result<Vec<Slot>, Error> {
    let n = isa.len() as u16;
    let not_code = Slot {
        d: Decoded::default(),
        word: 0,
        inst: n + NOT_CODE,
    };
    let mut slots = vec![not_code; (span / 4) as usize];
    for s in code {
        let mut addr = s.vaddr as u64;
        while addr < s.end() {
            let a = addr as u32;
            let word = memory.peek_word(a);
            let index = ((a - code_base) / 4) as usize;
            slots[index] = decode_word(word, a, isa, n)?;
            addr += 4;
        }
    }
    Ok(slots)
}

/// Words compilers and linkers place in code on purpose as traps or padding: recorded as
/// illegal (a fault if executed) instead of failing the load. `0x00000000` and `0xffffffff`
/// are illegal by the spec; `0xc0001073` is the assembler's `unimp` (`csrrw x0, cycle, x0`),
/// which LLVM emits for `abort` and unreachable code.
pub const TRAP_WORDS: [u32; 3] = [0x0000_0000, 0xffff_ffff, 0xc000_1073];

fn decode_word(word: u32, address: u32, isa: &Isa, n: u16) -> Result<Slot, Error> {
    let illegal = Slot {
        // The illegal-instruction fault reports the word, which it finds here.
        d: Decoded {
            imm: word as i32,
            ..Decoded::default()
        },
        word,
        inst: n + ILLEGAL,
    };
    if TRAP_WORDS.contains(&word) {
        return Ok(illegal);
    }
    if word & 3 != 3 {
        return Err(Error::CompressedInstruction {
            half: word as u16,
            address,
        });
    }
    match isa.decode(word) {
        Some((index, d)) => Ok(Slot {
            d,
            word,
            inst: index as u16,
        }),
        None => Err(Error::UnknownInstruction {
            word,
            opcode: word & 0x7f,
            address,
        }),
    }
}

fn program_digest(entry: u32, segments: &[Segment], isa: &Isa) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"crease-program/v1");
    h.update(entry.to_le_bytes());
    h.update(isa.digest());
    h.update((segments.len() as u32).to_le_bytes());
    for s in segments {
        h.update(s.vaddr.to_le_bytes());
        h.update(s.mem_size.to_le_bytes());
        h.update([s.read as u8 | (s.write as u8) << 1 | (s.exec as u8) << 2]);
        h.update((s.data.len() as u32).to_le_bytes());
        h.update(&s.data);
    }
    h.finalize().into()
}
