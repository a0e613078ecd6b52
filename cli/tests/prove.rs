//! `crease setup`, `info`, `prove` and `verify` end to end: the parameter cache, a prove →
//! verify round trip, and rejections of a tampered proof, a wrong program, a wrong public
//! input and a corrupt cache file; and the co-processor example guests proved and verified
//! with `--coprocessor sha256_sigma`, refused without it.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};
use support::elf;

use crease_nvm::encode::*;
use crease_nvm::layout::{PUBLIC_INPUT, PUBLIC_OUTPUT};

const A0: u8 = 10;
const A7: u8 = 17;
const T0: u8 = 5;
const T1: u8 = 6;
const T2: u8 = 7;

/// Small batches keep set-up and proving quick for these few-instruction programs.
const K: &[&str] = &["-k", "4"];

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("crease-cli-prove-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Reads the public input word, adds 5, writes it as the 4-byte public output and exits
/// with `exit_code`.
fn program(dir: &Path, name: &str, exit_code: u32) -> PathBuf {
    let mut code = li(T0, PUBLIC_INPUT).to_vec();
    code.push(lw(T1, T0, 4));
    code.push(addi(T1, T1, 5));
    code.extend(li(T0, PUBLIC_OUTPUT));
    code.extend(li(T2, 4));
    code.push(sw(T2, T0, 0));
    code.push(sw(T1, T0, 4));
    code.extend(li(A0, exit_code));
    code.extend(li(A7, 93));
    code.push(ecall());
    let path = dir.join(name);
    std::fs::write(&path, elf::exec(&code, &[])).expect("write ELF");
    path
}

fn crease(args: &[&str], cache: &Path) -> Output {
    crease_k(args, K, cache)
}

fn crease_k(args: &[&str], k: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crease"))
        .args(args)
        .args(k)
        .arg("--cache-dir")
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

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// The lines of stderr warning that the development key is in use.
fn warnings(out: &Output) -> usize {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("warning: the development key is in use"))
        .count()
}

/// Chains whose longest witness part is about 16,650 entries; with the proof tree's node
/// circuits (about 170,000) a power-17 file holds them.
const PTAU_K: &[&str] = &["-k", "4", "-k", "tables=256"];

#[test]
fn a_ceremony_file_sets_up_proves_and_verifies_and_bad_files_are_refused() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let Some(fx) = support::ptau::fixture(tmp, 17) else {
        return;
    };
    // Not under `scratch()`, which another test removes when it ends.
    let dir = tmp.join(format!("crease-cli-ptau-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cache = dir.join("cache");
    let add5 = program(&dir, "add5.elf", 0);
    let add5_s = path_str(&add5);
    let ptau_s = path_str(&fx.ptau);
    let proof = dir.join("add5.proof");
    let proof_s = path_str(&proof);
    let run = |args: &[&str]| crease_k(args, PTAU_K, &cache);

    let out = run(&["setup", "--ptau", ptau_s]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "commitment key: {ptau_s} (power 17, 2 contributions)"
        )),
        "{}",
        text(&out)
    );
    assert_eq!(warnings(&out), 0, "{}", text(&out));
    let out = run(&["info", "--ptau", ptau_s]);
    assert!(text(&out).contains("(present)"), "{}", text(&out));
    let input = ["--public-input-hex", "25000000"];
    let out = run(&[
        &["prove", add5_s, "--ptau", ptau_s, "-o", proof_s],
        &input[..],
    ]
    .concat());
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(warnings(&out), 0, "{}", text(&out));
    let verify = ["verify", proof_s, "--elf", add5_s];
    let out = run(&[&verify[..], &input, &["--ptau", ptau_s]].concat());
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(warnings(&out), 0, "{}", text(&out));

    // Without --ptau: the development key's own parameters, a warning, and a refusal
    // that names --ptau.
    let out = run(&[&verify[..], &input].concat());
    assert!(!out.status.success(), "{}", text(&out));
    assert_eq!(warnings(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("--ptau"), "{}", text(&out));
    assert_eq!(std::fs::read_dir(&cache).expect("cache").count(), 2);

    // Bad files: one line naming the file and why, exit status 2, no panic.
    let good = std::fs::read(&fx.ptau).expect("ptau");
    let truncated = dir.join("truncated.ptau");
    std::fs::write(&truncated, &good[..good.len() / 2]).expect("write");
    let other = dir.join("not.ptau");
    std::fs::write(&other, b"#!/bin/sh\necho hello\n").expect("write");
    let small = support::ptau::fixture(tmp, 10).expect("power 10 beside power 17");
    for (file, why) in [
        (&truncated, "truncated"),
        (&other, "not a ptau file"),
        (&small.fresh, "no contribution"),
        (&small.ptau, "use a file of power >= 17"),
        (&dir.join("absent.ptau"), "cannot read"),
    ] {
        let out = run(&["setup", "--ptau", path_str(file)]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let last = err.lines().last().unwrap_or_default();
        assert!(
            last.starts_with(&format!("error: {}: ", file.display())) && last.contains(why),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn setup_caches_and_prove_then_verify_round_trips_and_rejects_tampering() {
    let dir = scratch();
    let cache = dir.join("cache");
    let add5 = program(&dir, "add5.elf", 0);
    let other = program(&dir, "other.elf", 1);
    let add5_s = path_str(&add5);

    // Set-up builds once; the second run loads the same file.
    let out = crease(&["setup"], &cache);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("built parameters"), "{}", text(&out));
    let files: Vec<_> = std::fs::read_dir(&cache).expect("cache dir").collect();
    assert_eq!(files.len(), 1, "one cache file");
    let out = crease(&["setup"], &cache);
    assert!(text(&out).contains("loaded parameters"), "{}", text(&out));

    // info reads the augmented circuits' sizes from the cache.
    let out = crease(&["info"], &cache);
    assert!(out.status.success(), "{}", text(&out));
    let info = text(&out);
    assert!(
        info.contains("alu_imm") && info.contains("(present)"),
        "{info}"
    );

    // Prove with the default artifact name, then verify.
    let out = crease(&["prove", add5_s, "--public-input-hex", "25000000"], &cache);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(warnings(&out), 1, "{}", text(&out));
    let proof = dir.join("add5.elf.proof");
    assert!(proof.exists(), "default proof name");
    let proof_s = path_str(&proof);
    let out = crease(
        &[
            "verify",
            proof_s,
            "--elf",
            add5_s,
            "--public-input-hex",
            "25000000",
        ],
        &cache,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(warnings(&out), 1, "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("exit code       0"), "{shown}");
    // 0x25 + 5 = 0x2a, as the 4-byte public output.
    assert!(shown.contains("4 bytes: 2a000000"), "{shown}");
    assert!(shown.contains("25000000"), "{shown}");

    // Another public input, another program, a flipped byte: each rejected, one line.
    let rejected = |args: &[&str]| {
        let out = crease(args, &cache);
        assert!(!out.status.success(), "accepted: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let last = err.lines().last().unwrap_or_default().to_string();
        assert!(last.starts_with("error: "), "{err}");
        last
    };
    rejected(&[
        "verify",
        proof_s,
        "--elf",
        add5_s,
        "--public-input-hex",
        "26000000",
    ]);
    let other_s = path_str(&other);
    rejected(&[
        "verify",
        proof_s,
        "--elf",
        other_s,
        "--public-input-hex",
        "25000000",
    ]);
    let mut bytes = std::fs::read(&proof).expect("proof");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x10;
    let bad = dir.join("flipped.proof");
    std::fs::write(&bad, &bytes).expect("write");
    rejected(&[
        "verify",
        path_str(&bad),
        "--elf",
        add5_s,
        "--public-input-hex",
        "25000000",
    ]);
    std::fs::write(&bad, b"not a proof").expect("write");
    let msg = rejected(&["verify", path_str(&bad), "--elf", add5_s]);
    assert!(msg.contains("not a proof this crease reads"), "{msg}");

    // Verifying with other batch sizes than the proof's says so.
    let out = Command::new(env!("CARGO_BIN_EXE_crease"))
        .args([
            "verify",
            proof_s,
            "--elf",
            add5_s,
            "--public-input-hex",
            "25000000",
        ])
        .args(["-k", "8", "--cache-dir"])
        .arg(dir.join("cache-k8"))
        .output()
        .expect("run crease");
    assert!(!out.status.success());
    assert!(text(&out).contains("other parameters"), "{}", text(&out));

    // A truncated cache file: an error naming the file and `--force`, never a panic.
    let file = files[0].as_ref().expect("entry").path();
    let good = std::fs::read(&file).expect("cache file");
    std::fs::write(&file, &good[..good.len() / 3]).expect("truncate");
    let out = crease(&["prove", add5_s, "--public-input-hex", "25000000"], &cache);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = text(&out);
    assert!(
        err.contains(path_str(&file)) && err.contains("--force"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn foreign_cache_file_is_an_error_naming_it() {
    let dir = scratch().join("foreign");
    std::fs::create_dir_all(&dir).expect("dir");
    let info = |dir: &Path| {
        Command::new(env!("CARGO_BIN_EXE_crease"))
            .args(["info", "-k", "4", "--cache-dir"])
            .arg(dir)
            .output()
            .expect("run crease")
    };
    // No cache yet: info names the file it would use and measures the recursion on one
    // small chain, writing nothing.
    let probe = info(&dir);
    assert!(probe.status.success(), "{}", text(&probe));
    let shown = text(&probe);
    let file = shown
        .lines()
        .find_map(|l| l.strip_prefix("parameter cache: "))
        .and_then(|l| l.strip_suffix(" (absent)"))
        .expect("cache file line")
        .to_string();
    assert!(file.starts_with(path_str(&dir)), "{shown}");
    assert!(
        shown.contains("recursion per fold") && shown.contains(" ~"),
        "{shown}"
    );
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 0);

    for bad in [
        b"garbage".to_vec(),
        b"CRSCACHE".to_vec(),
        [*b"CRSCACHE", [7; 8]].concat(),
    ] {
        std::fs::write(&file, &bad).expect("write");
        for cmd in ["setup", "info"] {
            let out = Command::new(env!("CARGO_BIN_EXE_crease"))
                .args([cmd, "-k", "4", "--cache-dir"])
                .arg(&dir)
                .output()
                .expect("run crease");
            assert_eq!(out.status.code(), Some(2), "{}", text(&out));
            let err = text(&out);
            assert!(err.contains(&file) && err.contains("--force"), "{err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Batch size for the co-processor guests: a few thousand executions in all.
const COPROCESSOR_K: &[&str] = &["-k", "64"];

/// The example guests that use the `sha256_sigma` co-processor, in C and in Rust.
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
        let out = crease_k(&args, COPROCESSOR_K, &cache);
        assert!(out.status.success(), "{}", text(&out));
        let shown = text(&out);
        assert!(shown.contains("sha256_sigma"), "{shown}");

        let verify_args = [
            "verify",
            proof_s,
            "--elf",
            elf_s,
            "--public-input-hex",
            &hex,
        ];
        let verify = [&verify_args[..], &with].concat();
        let out = crease_k(&verify, COPROCESSOR_K, &cache);
        assert!(out.status.success(), "{}", text(&out));
        let shown = text(&out);
        assert!(shown.contains(&format!("32 bytes: {digest}")), "{shown}");
        assert!(shown.contains("exit code       0"), "{shown}");

        // Without the co-processor the ELF does not even load: its custom-0 words decode to
        // no instruction circuit. A clear error, not a panic.
        let out = crease_k(&verify_args, COPROCESSOR_K, &cache);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let err = text(&out);
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.lines().any(|l| l.starts_with("error: ")), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `crease prove` killed part-way and run again with the same arguments resumes from the
/// finished work it kept beside the proof, and makes the proof an uninterrupted run makes.
#[test]
fn a_killed_prove_resumes_where_it_stopped() {
    let dir = scratch().join("resume");
    std::fs::create_dir_all(&dir).expect("dir");
    let cache = dir.join("cache");
    // x15 = 1 + 2 + … + 150 by a loop: 150 executions each of add, addi and bne.
    let mut code = li(14, 150).to_vec();
    code.extend(li(15, 0));
    code.push(add(15, 15, 14));
    code.push(addi(14, 14, -1));
    code.push(bne(14, 0, -8));
    code.push(addi(A0, 15, 0));
    code.extend(li(A7, 93));
    code.push(ecall());
    let elf_path = dir.join("loop.elf");
    std::fs::write(&elf_path, elf::exec(&code, &[])).expect("write ELF");
    let elf_s = path_str(&elf_path);
    let shape = ["--segment", "40", "--leaf", "8"];
    let whole = dir.join("whole.proof");
    let out = crease(
        &[&["prove", elf_s, "-o", path_str(&whole)][..], &shape].concat(),
        &cache,
    );
    assert!(out.status.success(), "{}", text(&out));

    let proof = dir.join("resumed.proof");
    let work = dir.join("resumed.proof.work");
    let mut child = Command::new(env!("CARGO_BIN_EXE_crease"))
        .args([&["prove", elf_s, "-o", path_str(&proof)][..], &shape, K].concat())
        .arg("--cache-dir")
        .arg(&cache)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run crease");
    let started = std::time::Instant::now();
    let saved = |d: &Path| {
        std::fs::read_dir(d).is_ok_and(|mut it| {
            it.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("chain-")))
        })
    };
    while !saved(&work) && started.elapsed().as_secs() < 600 {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let finished = child.try_wait().expect("wait").is_some();
    child.kill().expect("kill");
    child.wait().expect("wait");
    assert!(!finished, "the prover finished before it could be killed");
    assert!(!proof.exists() && saved(&work), "killed after saving work");

    let out = crease(
        &[&["prove", elf_s, "-o", path_str(&proof)][..], &shape].concat(),
        &cache,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("resuming from the finished work"),
        "{}",
        text(&out)
    );
    assert!(
        std::fs::read(&proof).expect("proof") == std::fs::read(&whole).expect("proof"),
        "the resumed proof differs"
    );
    assert!(
        !work.exists(),
        "the work directory is removed once the proof is written"
    );
    let verify = ["verify", path_str(&proof), "--elf", elf_s];
    let out = crease(&verify, &cache);
    assert!(out.status.success(), "{}", text(&out));
}
