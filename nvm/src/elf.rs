//! A small ELF32 reader: just enough to load RISC-V executables.

use crate::program::Segment;
use crate::Error;

const EM_RISCV: u16 = 243;
const ET_EXEC: u16 = 2;
const PT_LOAD: u32 = 1;
const EF_RISCV_RVC: u32 = 1;
const EHDR_SIZE: usize = 52;
const PHDR_SIZE: usize = 32;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;

/// An executable's entry point and loadable segments, before validation against the
/// memory map.
pub(crate) struct ElfImage {
    pub entry: u32,
    pub segments: Vec<Segment>,
}

fn bytes_at<'a>(
    file: &'a [u8],
    offset: u64,
    len: u64,
    what: &'static str,
) -> Result<&'a [u8], Error> {
    let end = offset + len;
    let truncated = Error::Truncated {
        what,
        offset,
        end,
        file_len: file.len() as u64,
    };
    if end > file.len() as u64 {
        return Err(truncated);
    }
    file.get(offset as usize..end as usize).ok_or(truncated)
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses the ELF header and program headers of a little-endian ELF32 RISC-V executable.
pub(crate) fn parse(file: &[u8]) -> Result<ElfImage, Error> {
    if file.len() < 4 || file[..4] != *b"\x7fELF" {
        return Err(Error::NotElf);
    }
    let ident = bytes_at(file, 0, 16, "ELF identification")?;
    match ident[4] {
        1 => {}
        2 => return Err(Error::Elf64),
        c => return Err(Error::BadClass(c)),
    }
    match ident[5] {
        1 => {}
        2 => return Err(Error::BigEndian),
        d => return Err(Error::BadEncoding(d)),
    }
    if ident[6] != 1 {
        return Err(Error::BadHeader {
            field: "EI_VERSION",
            value: ident[6] as u32,
        });
    }
    let h = bytes_at(file, 0, EHDR_SIZE as u64, "ELF header")?;
    let machine = u16_at(h, 18);
    if machine != EM_RISCV {
        return Err(Error::NotRiscV { machine });
    }
    let e_type = u16_at(h, 16);
    if e_type != ET_EXEC {
        return Err(Error::NotExecutable { e_type });
    }
    let entry = u32_at(h, 24);
    let phoff = u32_at(h, 28) as u64;
    let flags = u32_at(h, 36);
    let phentsize = u16_at(h, 42);
    let phnum = u16_at(h, 44);
    if flags & EF_RISCV_RVC != 0 {
        return Err(Error::CompressedElf);
    }
    if phnum == 0xffff {
        // PN_XNUM: the real count lives in a section header; no executable needs that many.
        return Err(Error::BadHeader {
            field: "e_phnum",
            value: phnum as u32,
        });
    }
    if phnum > 0 && phentsize as usize != PHDR_SIZE {
        return Err(Error::BadHeader {
            field: "e_phentsize",
            value: phentsize as u32,
        });
    }
    let table = bytes_at(
        file,
        phoff,
        phnum as u64 * PHDR_SIZE as u64,
        "program header table",
    )?;
    let mut segments = Vec::new();
    for ph in table.chunks_exact(PHDR_SIZE) {
        if u32_at(ph, 0) != PT_LOAD {
            continue;
        }
        let offset = u32_at(ph, 4) as u64;
        let vaddr = u32_at(ph, 8);
        let filesz = u32_at(ph, 16);
        let memsz = u32_at(ph, 20);
        let pflags = u32_at(ph, 24);
        if filesz > memsz {
            return Err(Error::SegmentFileSize {
                vaddr,
                filesz,
                memsz,
            });
        }
        if memsz == 0 {
            continue;
        }
        let data = bytes_at(file, offset, filesz as u64, "segment contents")?.to_vec();
        segments.push(Segment {
            vaddr,
            mem_size: memsz,
            data,
            read: pflags & PF_R != 0,
            write: pflags & PF_W != 0,
            exec: pflags & PF_X != 0,
        });
    }
    Ok(ElfImage { entry, segments })
}
