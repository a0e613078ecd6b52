//! The `crease` binary end to end: output piping, exit statuses, inputs and bad input.

#[path = "../../tests/support/elf.rs"]
mod elf;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crease_nvm::encode::*;

const A0: u8 = 10;
const A1: u8 = 11;
const A2: u8 = 12;
const A7: u8 = 17;
const T0: u8 = 5;

fn exit_with(code: u32) -> Vec<u32> {
    let mut words = li(A0, code).to_vec();
    words.extend(li(A7, 93));
    words.push(ecall());
    words
}

/// `write(fd, DATA_BASE, len)`: the data segment holds the bytes.
fn write_data(fd: u32, len: u32) -> Vec<u32> {
    let mut words = li(A0, fd).to_vec();
    words.extend(li(A1, elf::DATA_BASE));
    words.extend(li(A2, len));
    words.extend(li(A7, 64));
    words.push(ecall());
    words
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crease-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn program(name: &str, code: &[u32], data: &[u8]) -> PathBuf {
    let path = scratch(name);
    std::fs::write(&path, elf::exec(code, data)).expect("write ELF");
    path
}

fn crease(args: &[&str], elf: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crease"))
        .arg("run")
        .arg(elf)
        .args(args)
        .output()
        .expect("run crease")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn guest_output_is_piped_byte_for_byte() {
    let data = b"hello\x00\xff\n";
    let mut code = write_data(1, data.len() as u32);
    code.extend(write_data(2, 5));
    code.extend(exit_with(0));
    let out = crease(&[], &program("hello.elf", &code, data));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, data);
    assert!(out.stderr.starts_with(b"hello"));
    assert!(stderr(&out).contains("exit code 0 after"));
}

#[test]
fn nonzero_guest_exit_code_gives_status_1() {
    let out = crease(&[], &program("exit3.elf", &exit_with(3), &[]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("exit code 3"));
}

#[test]
fn guest_fault_gives_status_2_with_pc_and_reason() {
    let mut code = li(T0, 0xFC00_0000).to_vec();
    code.push(lw(A0, T0, 0));
    let out = crease(&[], &program("fault.elf", &code, &[]));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("access outside mapped memory"), "{err}");
    assert!(err.contains("pc 0x0001000"), "{err}");
}

#[test]
fn output_before_a_fault_is_not_lost() {
    let mut code = write_data(1, 3);
    code.push(ebreak());
    let out = crease(&[], &program("partial.elf", &code, b"abc"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"abc");
    assert!(stderr(&out).contains("breakpoint"));
}

#[test]
fn cycle_limit_stops_an_endless_loop() {
    let out = crease(
        &["--max-cycles", "1000"],
        &program("loop.elf", &[jal(0, 0)], &[]),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cycle limit 1000"),
        "{}",
        stderr(&out)
    );
}

/// Echoes the public input to stdout and copies its first word to the public output.
fn echo_program() -> PathBuf {
    let mut code = li(T0, 0xF000_0000).to_vec();
    code.extend([lw(A2, T0, 0), addi(A1, T0, 4), addi(A0, 0, 1)]);
    code.extend(li(A7, 64));
    code.push(ecall());
    code.extend(li(T0, 0xF800_0000));
    code.extend(li(A0, 4));
    code.push(sw(A0, T0, 0));
    code.extend(li(A1, 0xF000_0004));
    code.extend([lw(A0, A1, 0), sw(A0, T0, 4)]);
    code.extend(exit_with(0));
    program("echo.elf", &code, &[])
}

#[test]
fn public_input_from_hex_or_file_and_output_to_file() {
    let elf = echo_program();
    let out = crease(&["--public-input-hex", "0x6162 6364 65"], &elf);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, b"abcde");
    assert!(stderr(&out).contains("public output (4 bytes): 61626364"));

    let input = scratch("input.bin");
    std::fs::write(&input, b"wxyz!").expect("write input");
    let output = scratch("output.bin");
    let out = crease(
        &[
            "--public-input",
            input.to_str().expect("utf-8 path"),
            "--output",
            output.to_str().expect("utf-8 path"),
        ],
        &elf,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, b"wxyz!");
    assert_eq!(std::fs::read(&output).expect("output file"), b"wxyz");
}

#[test]
fn bad_inputs_are_one_line_errors_with_status_2() {
    let not_elf = scratch("not.elf");
    std::fs::write(&not_elf, b"#!/bin/sh\necho hi\n").expect("write");
    let truncated = scratch("truncated.elf");
    std::fs::write(&truncated, &elf::exec(&exit_with(0), &[])[..40]).expect("write");
    let echo = echo_program();
    let cases: [(&[&str], &Path, &str); 5] = [
        (&[], &not_elf, "not an ELF file"),
        (&[], &truncated, "truncated"),
        (&[], Path::new("/nonexistent/x.elf"), "cannot read"),
        (
            &["--public-input-hex", "abc"],
            &echo,
            "odd number of hex digits",
        ),
        (
            &["--coprocessor", "nope"],
            &echo,
            "unknown co-processor `nope`",
        ),
    ];
    for (args, elf, expected) in cases {
        let out = crease(args, elf);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?} {err}");
        assert!(
            err.starts_with("error: ") && err.contains(expected),
            "{err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}
