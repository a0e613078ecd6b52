//! Random differential tests of the NVM's executor against independent implementations:
//!
//! - random C programs compiled natively (the host's `cc`) and for rv32im (clang-14): the
//!   NVM, `qemu-riscv32` and the native binary must print the same text and exit alike;
//! - random raw RV32IM instruction sequences (every opcode, random registers and
//!   immediates, division by zero, overflow, shift amounts of 32 and more in registers)
//!   in a tiny ELF that dumps all registers and its data area with `write` after each
//!   chunk: the NVM and `qemu-riscv32` must print the same bytes.
//!
//! Seeds are fixed so failures reproduce; `CREASE_DIFF_SEED` picks other ones.

mod support;

use std::path::Path;
use std::process::Command;

use rand::rngs::StdRng;
use rand::SeedableRng;

use support::{cgen, rvgen};

fn base_seed() -> u64 {
    std::env::var("CREASE_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_c0de)
}

/// Explains the first difference between two register/memory dumps.
fn first_difference(nvm: &[u8], qemu: &[u8]) -> String {
    let per_dump = rvgen::DUMP_LEN as usize;
    let Some(at) = nvm.iter().zip(qemu).position(|(a, b)| a != b) else {
        return format!(
            "lengths differ: nvm {} bytes, qemu {}",
            nvm.len(),
            qemu.len()
        );
    };
    let (chunk, off) = (at / per_dump, at % per_dump);
    let word = |b: &[u8], o: usize| {
        let o = o & !3;
        b.get(o..o + 4)
            .map(|w| format!("{:#010x}", u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
            .unwrap_or_default()
    };
    let what = if off >= rvgen::DATA_LEN as usize {
        format!("register x{}", (off - rvgen::DATA_LEN as usize) / 4)
    } else {
        format!("data word at offset {:#x}", off & !3)
    };
    format!(
        "after chunk {chunk}: {what}: nvm {} qemu {}",
        word(nvm, at),
        word(qemu, at)
    )
}

/// The spec's results for the edge cases every raw program starts with, register by
/// register ([`rvgen::EDGE_DESTS`]): an oracle independent of both emulators.
const EDGE_EXPECTED: [u32; 25] = [
    // div: MIN / -1 overflows to MIN; x / 0 = -1
    0x8000_0000,
    0xffff_ffff,
    0xffff_ffff,
    // divu: 0x80000000 / 0xffffffff = 0; x / 0 = all ones
    0,
    0xffff_ffff,
    0xffff_ffff,
    // rem: MIN % -1 = 0; x % 0 = x
    0,
    0x8000_0000,
    1,
    // remu
    0x8000_0000,
    0x8000_0000,
    1,
    // mulh: MIN * -1 = 2^31; MIN * MIN = 2^62; -1 * -1 = 1
    0,
    0x4000_0000,
    0,
    // mulhsu (signed * unsigned): MIN * (2^32 - 1); MIN * 2^31; -1 * (2^32 - 1)
    0x8000_0000,
    0xc000_0000,
    0xffff_ffff,
    // mulhu
    0x7fff_ffff,
    0x4000_0000,
    0xffff_fffe,
    // sll 1 by 37 (= 5), srl and sra MIN by 37, sra MIN by -1 (= 31)
    32,
    0x0400_0000,
    0xfc00_0000,
    0xffff_ffff,
];

#[test]
fn raw_instruction_sequences_match_qemu() {
    if !support::have_qemu() {
        return;
    }
    let dir = support::scratch_dir("differential-raw");
    let (programs, chunks, blocks) = (96, 16, 80);
    let (mut total, mut cycles) = (0usize, 0u64);
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for p in 0..programs {
        let seed = base_seed() ^ (p as u64) << 32;
        let mut rng = StdRng::seed_from_u64(seed);
        let (code, data) = rvgen::random_program(&mut rng, chunks, blocks);
        total += code.len();
        for &word in &code {
            let name = rvgen::mnemonic(word)
                .unwrap_or_else(|| panic!("generated an unclassified word {word:#010x}"));
            *seen.entry(name).or_default() += 1;
        }
        let path = dir.join(format!("raw-{p}.elf"));
        support::write_executable(&path, &support::elf::exec(&code, &data));

        let exec = support::run(&path, &[], &[]);
        cycles += exec.cycles;
        let (qemu_code, qemu_out) = support::qemu(&path);
        assert_eq!(exec.exit_code, 0, "program {p} (seed {seed:#x})");
        assert_eq!(qemu_code, 0, "qemu on program {p} (seed {seed:#x})");
        assert_eq!(
            exec.stdout.len(),
            (chunks + 1) * rvgen::DUMP_LEN as usize,
            "program {p} (seed {seed:#x})"
        );
        for (rd, want) in rvgen::EDGE_DESTS.iter().zip(EDGE_EXPECTED) {
            let at = (rvgen::DATA_LEN + 4 * rd) as usize;
            let got = u32::from_le_bytes([
                exec.stdout[at],
                exec.stdout[at + 1],
                exec.stdout[at + 2],
                exec.stdout[at + 3],
            ]);
            assert_eq!(
                got, want,
                "edge case in x{rd}: {got:#010x}, spec {want:#010x}"
            );
        }
        assert!(
            exec.stdout == qemu_out,
            "program {p} (seed {seed:#x}, {}): {}",
            path.display(),
            first_difference(&exec.stdout, &qemu_out)
        );
    }
    for name in rvgen::ALL_MNEMONICS {
        assert!(
            seen.get(name).copied().unwrap_or(0) >= 10,
            "{name} barely generated: {seen:?}"
        );
    }
    assert!(cycles > 50_000, "only {cycles} instructions executed");
    eprintln!("{programs} programs, {total} instructions, {cycles} executed: NVM and qemu agree");
}

fn native_compile(src: &Path, out: &Path) {
    let status = Command::new("cc")
        .args(["-O1", "-w", "-o"])
        .arg(out)
        .arg(src)
        .status()
        .expect("run cc");
    assert!(status.success(), "cc failed on {}", src.display());
}

#[test]
fn random_c_programs_match_native_and_qemu() {
    if !(support::have_clang() && support::have_cc() && support::have_qemu()) {
        return;
    }
    let dir = support::scratch_dir("differential-c");
    for p in 0..10 {
        let seed = base_seed().wrapping_add(p);
        let mut rng = StdRng::seed_from_u64(seed);
        let src = dir.join(format!("prog-{p}.c"));
        std::fs::write(&src, cgen::random_c_program(&mut rng, 120)).expect("write C");

        let native = dir.join(format!("prog-{p}.native"));
        native_compile(&src, &native);
        let out = Command::new(&native).output().expect("run native");
        let native_code = out.status.code().expect("native exit code");
        assert!(!out.stdout.is_empty(), "native program printed nothing");

        // Two optimization levels give the NVM differently shaped code for the same work.
        for opt in ["-O1", "-O2"] {
            let elf = dir.join(format!("prog-{p}{opt}.elf"));
            support::clang_rv32(&[&src], opt, &elf);
            let exec = support::run(&elf, &[], &[]);
            assert!(exec.cycles > 1_000, "{} instructions only", exec.cycles);
            let context = format!("{} {opt} (seed {seed:#x})", src.display());
            assert_eq!(
                String::from_utf8_lossy(&exec.stdout),
                String::from_utf8_lossy(&out.stdout),
                "NVM vs native: {context}"
            );
            assert_eq!(exec.exit_code, native_code, "NVM vs native: {context}");
            let (qemu_code, qemu_out) = support::qemu(&elf);
            assert_eq!(qemu_out, out.stdout, "qemu vs native: {context}");
            assert_eq!(qemu_code, native_code, "qemu vs native: {context}");
        }
    }
}
