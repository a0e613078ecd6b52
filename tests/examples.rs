//! End-to-end tests of the example guests: each is built (Rust with Debian's rustc, C with
//! clang-14), run on the NVM with several inputs, and its exit code, printed output and
//! public output are checked against values computed here on the host.

mod support;

use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use sha3::Keccak256;

/// Which toolchain builds the guest.
#[derive(Clone, Copy, Debug)]
enum Lang {
    Rust,
    C,
}

/// Builds an example, or returns `None` (after a loud notice) if its toolchain is absent.
fn example(lang: Lang, name: &str) -> Option<PathBuf> {
    match lang {
        Lang::Rust => support::have_rust_toolchain().then(|| support::rust_example(name)),
        Lang::C => support::have_clang().then(|| support::c_example(name)),
    }
}

/// Runs `elf` and checks exit code 0, the exact stdout and the public output.
fn expect(elf: &Path, public: &[u8], private: &[u8], stdout: &str, output: &[u8]) {
    let exec = support::run(elf, public, private);
    let name = elf.display();
    assert_eq!(
        exec.exit_code,
        0,
        "{name}: stderr {}",
        String::from_utf8_lossy(&exec.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&exec.stdout), stdout, "{name}");
    assert_eq!(exec.public_output, output, "{name}");
}

fn le_words(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn check_fibonacci(lang: Lang) {
    let Some(elf) = example(lang, "fibonacci") else {
        return;
    };
    let fib = |n: u32| {
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n {
            (a, b) = (b, a.wrapping_add(b));
        }
        a
    };
    assert_eq!(fib(10), 55);
    for (input, n) in [(vec![], 10), (0u32.to_le_bytes().to_vec(), 0)]
        .into_iter()
        .chain([1u32, 2, 50, 93, 94, 1000].map(|n| (n.to_le_bytes().to_vec(), n)))
    {
        let f = fib(n);
        expect(
            &elf,
            &input,
            &[],
            &format!("fib({n}) = {f}\n"),
            &f.to_le_bytes(),
        );
    }
}

fn check_sha256(lang: Lang) {
    let Some(elf) = example(lang, "sha256") else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(256);
    // Every padding case: empty, short, 55/56 (one or two padding blocks), block edges.
    for len in [
        0usize, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4099,
    ] {
        let input: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let digest = Sha256::digest(&input);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        expect(
            &elf,
            &input,
            &[],
            &format!("sha256 of {len} bytes: {hex}\n"),
            &digest,
        );
    }
    let abc = Sha256::digest(b"abc");
    assert_eq!(
        format!("{abc:x}"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

fn check_sort(lang: Lang) {
    let Some(elf) = example(lang, "sort") else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(5027);
    for len in [0usize, 1, 2, 7, 100, 2048] {
        // Few distinct values in some runs, so that duplicates are sorted too.
        let range = if len % 2 == 0 { u32::MAX } else { 16 };
        let words: Vec<u32> = (0..len).map(|_| rng.gen_range(0..=range)).collect();
        let mut sorted = words.clone();
        sorted.sort_unstable();
        let stdout = match (sorted.first(), sorted.last()) {
            (Some(min), Some(max)) => format!("sorted {len} words, min {min}, max {max}\n"),
            _ => "sorted 0 words\n".to_string(),
        };
        expect(&elf, &le_words(&words), &[], &stdout, &le_words(&sorted));
    }
}

fn check_sieve(lang: Lang) {
    let Some(elf) = example(lang, "sieve") else {
        return;
    };
    // Trial division, independent of the guest's sieve.
    let is_prime = |n: u32| n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0);
    for (input, limit) in [(vec![], 1000u32)]
        .into_iter()
        .chain([0u32, 1, 2, 3, 100, 7919, 65_537].map(|n| (n.to_le_bytes().to_vec(), n)))
    {
        let primes: Vec<u32> = (0..=limit).filter(|&n| is_prime(n)).collect();
        let (count, largest) = (primes.len() as u32, primes.last().copied().unwrap_or(0));
        expect(
            &elf,
            &input,
            &[],
            &format!("{count} primes up to {limit}, the largest is {largest}\n"),
            &le_words(&[count, largest]),
        );
    }
}

fn check_collections(lang: Lang) {
    let Some(elf) = example(lang, "collections") else {
        return;
    };
    let collatz_len_peak = |mut x: u64| {
        let (mut len, mut peak) = (1u32, x);
        while x != 1 {
            x = if x % 2 == 0 { x / 2 } else { 3 * x + 1 };
            len += 1;
            peak = peak.max(x);
        }
        (len, peak)
    };
    for (input, n) in [(vec![], 30u32)]
        .into_iter()
        .chain([1u32, 2, 27, 500].map(|n| (n.to_le_bytes().to_vec(), n)))
    {
        let (mut best, mut best_len, mut best_peak, mut total) = (1u64, 0u32, 0u64, 0u32);
        for start in 1..=n as u64 {
            let (len, peak) = collatz_len_peak(start);
            total += len;
            // The first start value of the longest sequence wins.
            if len > best_len {
                (best, best_len, best_peak) = (start, len, peak);
            }
        }
        expect(
            &elf,
            &input,
            &[],
            &format!(
                "longest Collatz sequence up to {n} starts at {best} ({best_len} terms, peak {best_peak})\n"
            ),
            &le_words(&[best as u32, best_len, total]),
        );
    }
}

fn check_factor(lang: Lang) {
    let Some(elf) = example(lang, "factor") else {
        return;
    };
    let (p, q) = (4_294_967_291u64, 4_294_967_279u64); // the two largest primes below 2^32
    let n = p * q;
    let hint = |a: u64, b: u64| [a.to_le_bytes(), b.to_le_bytes()].concat();
    expect(
        &elf,
        &n.to_le_bytes(),
        &hint(q, p),
        &format!("{n} has a non-trivial factorization\n"),
        &n.to_le_bytes(),
    );
    // A wrong hint, a trivial one, one that overflows, and a missing one are all refused,
    // and nothing is committed.
    for (private, code) in [
        (hint(q, p + 2), 1),
        (hint(1, n), 1),
        (hint(n, 1), 1),
        (hint(1 << 33, 1 << 33), 1),
        (vec![1, 2, 3], 2),
    ] {
        let exec = support::run(&elf, &n.to_le_bytes(), &private);
        assert_eq!(exec.exit_code, code, "{}: hint {private:?}", elf.display());
        assert!(exec.public_output.is_empty());
        assert!(exec.stdout.is_empty());
        assert!(!exec.stderr.is_empty(), "the guest explains the refusal");
    }
    let exec = support::run(&elf, &[], &[]);
    assert_eq!(exec.exit_code, 2, "missing public input");
}

fn check_coprocessor(lang: Lang) {
    let (Some(elf), Some(plain)) = (example(lang, "coprocessor"), example(lang, "sha256")) else {
        return;
    };
    let isa = crease_coprocessor_example::isa();
    let mut rng = StdRng::seed_from_u64(11);
    for len in [0usize, 3, 56, 64, 1000] {
        let input: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let digest = Sha256::digest(&input);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let exec = support::run_with_isa(&elf, &isa, &input, &[]);
        assert_eq!(exec.exit_code, 0);
        assert_eq!(
            String::from_utf8_lossy(&exec.stdout),
            format!("sha256 (co-processor) of {len} bytes: {hex}\n")
        );
        assert_eq!(exec.public_output, digest.as_slice());
        let sigma = exec
            .counts
            .iter()
            .find(|c| c.name == "sha256_sigma")
            .map_or(0, |c| c.count);
        // 48 message-schedule words (2 sigmas each) and 64 rounds (2 each) per block.
        let blocks = (len as u64 + 9).div_ceil(64);
        assert_eq!(sigma, blocks * (2 * 48 + 2 * 64), "{lang:?}, {len} bytes");
        let baseline = support::run(&plain, &input, &[]);
        assert!(
            exec.cycles < baseline.cycles,
            "{lang:?}: {} cycles with the co-processor, {} without",
            exec.cycles,
            baseline.cycles
        );
    }
    // Without the co-processor in the instruction set, the program does not load, and the
    // error names the custom-0 opcode and where the word is.
    let bytes = std::fs::read(&elf).expect("read ELF");
    match crease::nvm::Program::from_elf(&bytes, &crease::nvm::Isa::rv32im()) {
        Err(crease::nvm::Error::UnknownInstruction {
            opcode, address, ..
        }) => {
            assert_eq!(opcode, 0b000_1011);
            assert!(address >= 0x1000);
        }
        other => panic!("expected an unknown-instruction error, got {other:?}"),
    }
}

/// RV32IM with both hash co-processors, as `crease run --coprocessor sha256_compress
/// --coprocessor keccak_f1600` builds it.
fn hash_isa() -> crease::nvm::Isa {
    use crease::nvm::isa::{keccak_f1600::KeccakF1600, sha256_compress::Sha256Compress};
    crease::nvm::Isa::rv32im()
        .with(Sha256Compress)
        .and_then(|isa| isa.with(KeccakF1600))
        .expect("custom-1 funct3 0 and 1 are free in RV32IM")
}

fn count_of(exec: &crease::nvm::Execution, name: &str) -> u64 {
    exec.counts
        .iter()
        .find(|c| c.name == name)
        .map_or(0, |c| c.count)
}

/// Co-processor calls for `len` bytes: SHA-256 blocks (with 9 bytes of padding at least)
/// and Keccak-256 blocks of 136 bytes (with one byte of padding at least).
fn hash_calls(len: usize) -> (u64, u64) {
    ((len as u64 + 9).div_ceil(64), len as u64 / 136 + 1)
}

fn check_hash(lang: Lang) {
    let Some(elf) = example(lang, "hash") else {
        return;
    };
    let isa = hash_isa();
    let mut rng = StdRng::seed_from_u64(1600);
    for len in [
        0usize, 1, 3, 55, 56, 63, 64, 119, 120, 135, 136, 137, 271, 272, 1000, 4099,
    ] {
        let input: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let sha = Sha256::digest(&input);
        let keccak = Keccak256::digest(&input);
        let exec = support::run_with_isa(&elf, &isa, &input, &[]);
        assert_eq!(exec.exit_code, 0, "{lang:?}, {len} bytes");
        assert_eq!(
            String::from_utf8_lossy(&exec.stdout),
            format!("sha256 of {len} bytes: {sha:x}\nkeccak256 of {len} bytes: {keccak:x}\n"),
        );
        assert_eq!(
            exec.public_output,
            [sha.as_slice(), keccak.as_slice()].concat()
        );
        let (blocks, permutations) = hash_calls(len);
        assert_eq!(
            count_of(&exec, "sha256_compress"),
            blocks,
            "{lang:?}, {len} bytes"
        );
        assert_eq!(
            count_of(&exec, "keccak_f1600"),
            permutations,
            "{lang:?}, {len} bytes"
        );
    }
    assert_eq!(
        format!("{:x}", Keccak256::digest(b"")),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
}

#[test]
fn hash_rust() {
    check_hash(Lang::Rust);
}

#[test]
fn hash_c() {
    check_hash(Lang::C);
}

/// The benchmark guest: every mode gives the reference digest, from the private input or
/// from bytes it generates, and the co-processor modes take fewer cycles.
#[test]
fn hashbench_modes_agree() {
    let Some(elf) = example(Lang::Rust, "hashbench") else {
        return;
    };
    let isa = hash_isa();
    let public = |mode: u8, n: usize| [&[mode][..], &(n as u32).to_le_bytes()].concat();
    for n in [0usize, 64, 136, 1000, 4096] {
        let data: Vec<u8> = (0..n).map(|i| (i * 7 + (i >> 8)) as u8).collect();
        let sha = Sha256::digest(&data);
        let keccak = Keccak256::digest(&data);
        let mut cycles = [0u64; 4];
        for (mode, name, digest) in [
            (0u8, "sha2::Sha256", sha),
            (1, "crease_rt::sha256::Sha256", sha),
            (2, "sha3::Keccak256", keccak),
            (3, "crease_rt::keccak::Keccak256", keccak),
        ] {
            for private in [&data[..], &[]] {
                let exec = support::run_with_isa(&elf, &isa, &public(mode, n), private);
                assert_eq!(exec.exit_code, 0, "mode {mode}, {n} bytes");
                assert_eq!(
                    String::from_utf8_lossy(&exec.stdout),
                    format!("{name} of {n} bytes: {digest:x}\n")
                );
                assert_eq!(
                    exec.public_output,
                    digest.as_slice(),
                    "mode {mode}, {n} bytes"
                );
                cycles[mode as usize] = exec.cycles;
            }
        }
        assert!(cycles[1] < cycles[0], "{n} bytes: {cycles:?}");
        assert!(cycles[3] < cycles[2], "{n} bytes: {cycles:?}");
    }
    for bad in [vec![], vec![1, 0, 0], public(4, 10)] {
        let exec = support::run_with_isa(&elf, &isa, &bad, &[]);
        assert_eq!(exec.exit_code, 2, "public input {bad:?}");
        assert!(exec.public_output.is_empty());
    }
}

#[test]
fn coprocessor_rust() {
    check_coprocessor(Lang::Rust);
}

#[test]
fn coprocessor_c() {
    check_coprocessor(Lang::C);
}

#[test]
fn fibonacci_rust() {
    check_fibonacci(Lang::Rust);
}

#[test]
fn fibonacci_c() {
    check_fibonacci(Lang::C);
}

#[test]
fn sha256_rust() {
    check_sha256(Lang::Rust);
}

#[test]
fn sha256_c() {
    check_sha256(Lang::C);
}

#[test]
fn sort_rust() {
    check_sort(Lang::Rust);
}

#[test]
fn sort_c() {
    check_sort(Lang::C);
}

#[test]
fn sieve_rust() {
    check_sieve(Lang::Rust);
}

#[test]
fn sieve_c() {
    check_sieve(Lang::C);
}

#[test]
fn collections_rust() {
    check_collections(Lang::Rust);
}

#[test]
fn collections_c() {
    check_collections(Lang::C);
}

#[test]
fn factor_rust() {
    check_factor(Lang::Rust);
}

#[test]
fn factor_c() {
    check_factor(Lang::C);
}

#[test]
fn sha256_of_one_mebibyte() {
    for lang in [Lang::Rust, Lang::C] {
        let Some(elf) = example(lang, "sha256") else {
            continue;
        };
        let input: Vec<u8> = (0..1u32 << 20).map(|i| (i * 7 + (i >> 8)) as u8).collect();
        let exec = support::run(&elf, &input, &[]);
        assert_eq!(exec.exit_code, 0);
        assert_eq!(exec.public_output, Sha256::digest(&input).as_slice());
        // The benchmark workload: tens of millions of instructions.
        assert!(exec.cycles > 10_000_000, "{lang:?}: {} cycles", exec.cycles);
    }
}

#[test]
fn rust_panics_print_the_message_and_exit_101() {
    let Some(elf) = example(Lang::Rust, "sieve") else {
        return;
    };
    // A limit whose sieve cannot be allocated: the allocation failure is a panic.
    let exec = support::run(&elf, &0xffff_fff0u32.to_le_bytes(), &[]);
    assert_eq!(exec.exit_code, 101);
    let stderr = String::from_utf8_lossy(&exec.stderr);
    assert!(stderr.contains("panicked at"), "stderr: {stderr}");
    assert!(exec.public_output.is_empty());
}

#[test]
fn c_panics_print_the_message_and_exit_101() {
    let Some(elf) = example(Lang::C, "sieve") else {
        return;
    };
    let exec = support::run(&elf, &(2u32 << 20).to_le_bytes(), &[]);
    assert_eq!(exec.exit_code, 101);
    assert_eq!(
        String::from_utf8_lossy(&exec.stderr),
        "panicked: limit too large\n"
    );
}

#[test]
fn scaffolded_guest_builds_and_runs() {
    if !support::have_rust_toolchain() {
        return;
    }
    let parent = support::root().join("target/test-scratch/new-guest");
    let dir = parent.join("hello-guest");
    // Keep the previous run's cargo target directory (the guest's `core` takes ~25 s to
    // build) while the guest itself is scaffolded afresh.
    let cache = parent.join("target-cache");
    let _ = std::fs::remove_dir_all(&cache);
    let _ = std::fs::rename(dir.join("target"), &cache);
    let _ = std::fs::remove_dir_all(&dir);
    // The scaffolder lives in the CLI; the test drives it through the same module files.
    new::new_guest(&dir, "hello-guest").expect("scaffold");
    let _ = std::fs::rename(&cache, dir.join("target"));
    let elf = support::build_guest(&dir);
    let exec = support::run(&elf, b"abc", &[]);
    assert_eq!(exec.exit_code, 0);
    assert_eq!(
        String::from_utf8_lossy(&exec.stdout),
        "Hello from hello-guest! 3 bytes of public input\n"
    );
    assert_eq!(exec.public_output, (97u32 + 98 + 99).to_le_bytes());
}

/// `crease new`'s scaffolder, compiled into this test next to the builder it relies on.
#[path = "../cli/src/new.rs"]
mod new;

mod build {
    pub use crate::support::build::*;
}

#[test]
fn c_guest_directory_builds_from_several_files() {
    if !support::have_clang() {
        return;
    }
    let dir = support::scratch_dir("c-dir-guest").join("twofiles");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("square.h"), "unsigned square(unsigned x);\n").expect("write");
    std::fs::write(
        dir.join("square.c"),
        "#include \"square.h\"\nunsigned square(unsigned x) { return x * x; }\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("main.c"),
        r#"#include "crease.h"
#include "square.h"
int main(void) {
  size_t len;
  const uint8_t *in = crease_public_input(&len);
  unsigned sum = 0;
  for (size_t i = 0; i < len; i++) sum += square(in[i]);
  crease_printf("%u\n", sum);
  crease_commit_u32(sum);
  return (int)len;
}
"#,
    )
    .expect("write");
    let elf = support::build_guest(&dir);
    assert_eq!(elf, dir.join("target/crease/release/twofiles.elf"));
    let exec = support::run(&elf, &[1, 2, 3], &[]);
    assert_eq!(exec.exit_code, 3);
    assert_eq!(String::from_utf8_lossy(&exec.stdout), "14\n");
    assert_eq!(exec.public_output, 14u32.to_le_bytes());
}

#[test]
fn a_guest_that_does_not_compile_is_a_build_error() {
    if !support::have_clang() {
        return;
    }
    let dir = support::scratch_dir("c-broken-guest");
    let file = dir.join("broken.c");
    std::fs::write(&file, "int main(void) { return undefined_name; }\n").expect("write");
    match build::build_guest(&file, true) {
        Err(build::BuildError::Failed { command, .. }) => assert!(command.contains("clang")),
        other => panic!("expected a failed build, got {other:?}"),
    }
    let not_a_guest = dir.join("notes.txt");
    std::fs::write(&not_a_guest, "hello").expect("write");
    assert!(matches!(
        build::build_guest(&not_a_guest, true),
        Err(build::BuildError::NotAGuest { .. })
    ));
}
