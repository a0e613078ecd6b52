//! `crease prove` and `crease verify` of the co-processor example guests (C and Rust): the
//! instruction set grows by `--coprocessor sha256_sigma`, the proof carries that circuit's
//! chain, and verifying without the co-processor is refused.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

/// Batch size: a few thousand executions in all, so small batches keep it quick.
const K: &str = "64";

fn crease(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crease"))
        .args(args)
        .args(["-k", K, "--cache-dir"])
        .arg(cache)
        .output()
        .expect("run crease")
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn examples() -> Vec<PathBuf> {
    let mut elfs = Vec::new();
    if support::have_clang() {
        elfs.push(support::c_example("coprocessor"));
    }
    if support::have_rust_toolchain() {
        elfs.push(support::rust_example("coprocessor"));
    }
    elfs
}

#[test]
fn coprocessor_guests_prove_and_verify_with_their_circuit() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("crease-cli-coprocessor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let cache = dir.join("cache");
    let input = b"crease";
    let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
    let digest: String = Sha256::digest(input)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for (n, elf) in examples().iter().enumerate() {
        let elf_s = elf.to_str().expect("UTF-8 path");
        let proof = dir.join(format!("coprocessor-{n}.proof"));
        let proof_s = proof.to_str().expect("UTF-8 path");
        let with = ["--coprocessor", "sha256_sigma"];
        let args = [
            &["prove", elf_s, "--public-input-hex", &hex, "-o", proof_s][..],
            &with,
        ]
        .concat();
        let out = crease(&args, &cache);
        assert!(out.status.success(), "{}", text(&out));
        let shown = text(&out);
        assert!(shown.contains("sha256_sigma"), "{shown}");

        let verify = [
            &[
                "verify",
                proof_s,
                "--elf",
                elf_s,
                "--public-input-hex",
                &hex,
            ][..],
            &with,
        ]
        .concat();
        let out = crease(&verify, &cache);
        assert!(out.status.success(), "{}", text(&out));
        let shown = text(&out);
        assert!(shown.contains(&format!("32 bytes: {digest}")), "{shown}");
        assert!(shown.contains("exit code       0"), "{shown}");

        // Without the co-processor the ELF does not even load: its custom-0 words decode to
        // no instruction circuit. A clear error, not a panic.
        let out = crease(
            &[
                "verify",
                proof_s,
                "--elf",
                elf_s,
                "--public-input-hex",
                &hex,
            ],
            &cache,
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let err = text(&out);
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.lines().any(|l| l.starts_with("error: ")), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
