//! A minimal ELF32 RISC-V executable writer for raw instruction sequences: one code segment
//! (read + execute) and one data segment (read + write), nothing else.

/// Where [`exec`] places the code.
pub const CODE_BASE: u32 = 0x10000;
/// Where [`exec`] places the data.
pub const DATA_BASE: u32 = 0x20000;

const PAGE: usize = 0x1000;
const EHDR: usize = 52;
const PHDR: usize = 32;

fn push16(b: &mut Vec<u8>, x: u16) {
    b.extend_from_slice(&x.to_le_bytes());
}

fn push32(b: &mut Vec<u8>, x: u32) {
    b.extend_from_slice(&x.to_le_bytes());
}

/// An executable with `code` at [`CODE_BASE`] (also the entry point) and `data` at
/// [`DATA_BASE`].
pub fn exec(code: &[u32], data: &[u8]) -> Vec<u8> {
    let code_bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    let code_off = PAGE;
    let data_off = (code_off + code_bytes.len()).div_ceil(PAGE) * PAGE;
    assert!(
        (CODE_BASE as usize + code_bytes.len()) <= DATA_BASE as usize,
        "code too long"
    );

    let mut b = Vec::with_capacity(data_off + data.len());
    // e_ident: magic, 32-bit, little-endian, version 1, System V ABI.
    b.extend_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1, 0]);
    b.extend_from_slice(&[0; 8]);
    push16(&mut b, 2); // e_type: ET_EXEC
    push16(&mut b, 243); // e_machine: EM_RISCV
    push32(&mut b, 1); // e_version
    push32(&mut b, CODE_BASE); // e_entry
    push32(&mut b, EHDR as u32); // e_phoff
    push32(&mut b, 0); // e_shoff
    push32(&mut b, 0); // e_flags: no compressed code, soft float
    push16(&mut b, EHDR as u16);
    push16(&mut b, PHDR as u16);
    push16(&mut b, 2); // e_phnum
    push16(&mut b, 0); // e_shentsize: no section headers (qemu-user rejects 40 with none)
    push16(&mut b, 0); // e_shnum
    push16(&mut b, 0); // e_shstrndx
    for (off, addr, len, flags) in [
        (code_off, CODE_BASE, code_bytes.len(), 5u32), // PF_R | PF_X
        (data_off, DATA_BASE, data.len(), 6u32),       // PF_R | PF_W
    ] {
        push32(&mut b, 1); // PT_LOAD
        push32(&mut b, off as u32);
        push32(&mut b, addr); // p_vaddr
        push32(&mut b, addr); // p_paddr
        push32(&mut b, len as u32); // p_filesz
        push32(&mut b, len as u32); // p_memsz
        push32(&mut b, flags);
        push32(&mut b, PAGE as u32);
    }
    b.resize(code_off, 0);
    b.extend_from_slice(&code_bytes);
    b.resize(data_off, 0);
    b.extend_from_slice(data);
    b
}
