//! Shared helpers of the integration tests: building guests, running them on the NVM and
//! under qemu-user, and deciding whether a toolchain is present.
//!
//! Each test binary uses a different part of this module.
#![allow(dead_code)]

/// The guest builder of `crease build`, compiled into the tests so that they exercise it.
#[path = "../../cli/src/build.rs"]
pub mod build;
pub mod cgen;
pub mod elf;
pub mod hand;
pub mod proving;
pub mod ptau;
pub mod rvgen;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crease::nvm::{self, Execution, Input, Isa, Program, RunOptions};

/// Set this (as `.ci/run` does) to turn a missing toolchain into a failure instead of a skip.
pub const REQUIRE_ENV: &str = "CREASE_REQUIRE_TOOLCHAINS";

/// The crease checkout: the package's directory or, for a workspace member's tests, the
/// nearest ancestor holding the example guests.
pub fn root() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    dir.ancestors()
        .find(|d| d.join("examples/guests").is_dir())
        .map_or(dir.clone(), Path::to_path_buf)
}

/// Reports a missing toolchain: fails the test when [`REQUIRE_ENV`] is set, otherwise prints
/// a loud notice and returns, so that the caller skips.
fn missing(what: &str, err: &dyn std::fmt::Display) {
    if std::env::var_os(REQUIRE_ENV).is_some() {
        panic!("{what} is required ({REQUIRE_ENV} is set) but missing: {err}");
    }
    eprintln!();
    eprintln!("==================================================================");
    eprintln!("SKIPPED: {what} is not installed: {err}");
    eprintln!("Run scripts/setup.sh to install the guest toolchains.");
    eprintln!("==================================================================");
}

/// Whether the Rust guest toolchain is installed (announcing a skip if not).
pub fn have_rust_toolchain() -> bool {
    match build::find_rust_tools() {
        Ok(_) => true,
        Err(err) => {
            missing("the Rust guest toolchain", &err);
            false
        }
    }
}

/// Whether clang-14 (with lld) is installed (announcing a skip if not).
pub fn have_clang() -> bool {
    match build::find_clang() {
        Ok(_) => true,
        Err(err) => {
            missing("clang-14", &err);
            false
        }
    }
}

/// Whether `qemu-riscv32` is installed (announcing a skip if not).
pub fn have_qemu() -> bool {
    match Command::new("qemu-riscv32").arg("--version").output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            missing("qemu-riscv32", &format!("exit status {}", out.status));
            false
        }
        Err(err) => {
            missing("qemu-riscv32 (package qemu-user)", &err);
            false
        }
    }
}

/// Whether a native C compiler (`cc`) is installed (announcing a skip if not).
pub fn have_cc() -> bool {
    match Command::new("cc").arg("--version").output() {
        Ok(out) if out.status.success() => true,
        _ => {
            missing("a native C compiler (cc)", &"`cc --version` failed");
            false
        }
    }
}

/// Guest builds share cargo's target directory; one at a time keeps their output readable.
static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// Builds a guest (a Rust guest directory or a C file) in release mode.
pub fn build_guest(path: &Path) -> PathBuf {
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    match build::build_guest(path, true) {
        Ok(elf) => elf,
        Err(err) => panic!("building {} failed: {err}", path.display()),
    }
}

/// Builds the Rust example guest `name` (in `examples/guests`).
pub fn rust_example(name: &str) -> PathBuf {
    build_guest(&root().join("examples/guests").join(name))
}

/// Builds the C example guest `name` (`examples/c/<name>.c`).
pub fn c_example(name: &str) -> PathBuf {
    build_guest(&root().join("examples/c").join(format!("{name}.c")))
}

/// Loads an ELF file for `isa`.
pub fn load(path: &Path, isa: &Isa) -> Program {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Program::from_elf(&bytes, isa).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs an ELF file on RV32IM with the given inputs; the run must end with `exit`.
pub fn run(path: &Path, public: &[u8], private: &[u8]) -> Execution {
    run_with_isa(path, &Isa::rv32im(), public, private)
}

/// Runs an ELF file with an instruction set; the run must end with `exit`.
pub fn run_with_isa(path: &Path, isa: &Isa, public: &[u8], private: &[u8]) -> Execution {
    let program = load(path, isa);
    let input = Input {
        public: public.to_vec(),
        private: private.to_vec(),
    };
    match nvm::run(&program, &input, RunOptions::default()) {
        Ok(exec) => exec,
        Err(err) => panic!("{} faulted: {err}", path.display()),
    }
}

/// Runs an ELF file under `qemu-riscv32` and returns (exit code, stdout).
pub fn qemu(path: &Path) -> (i32, Vec<u8>) {
    let out = Command::new("qemu-riscv32")
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("qemu-riscv32 {}: {e}", path.display()));
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "qemu-riscv32 {} was killed: {} (stderr: {})",
            path.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, out.stdout)
}

/// Writes an executable file (qemu-user refuses to run files without execute permission).
pub fn write_executable(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// A fresh scratch directory under the target directory, removed first if it exists.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = root().join("target").join("test-scratch").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Compiles freestanding rv32im C sources with the C runtime's `crt0.S` and `crease.h`,
/// linked at 0x10000 by `tests/data/link-0x10000.ld` (qemu-user may refuse to map lower
/// pages), into `out`. The program uses the stack it is given and only write/exit.
pub fn clang_rv32(sources: &[&Path], opt: &str, out: &Path) {
    let clang = build::find_clang().unwrap_or_else(|e| panic!("{e}"));
    let rt = root().join("nvm/rt/c");
    let status = Command::new(clang)
        .args([
            "--target=riscv32-unknown-elf",
            "-march=rv32im",
            "-mabi=ilp32",
            "-nostdlib",
            "-ffreestanding",
            "-fno-builtin",
            "-fuse-ld=lld",
            opt,
        ])
        .arg(format!("-I{}", rt.display()))
        .arg(format!(
            "-Wl,-T,{}",
            root().join("tests/data/link-0x10000.ld").display()
        ))
        .arg(rt.join("crt0.S"))
        .arg(rt.join("crease_rt.c"))
        .args(sources)
        .arg("-o")
        .arg(out)
        .status()
        .unwrap_or_else(|e| panic!("clang: {e}"));
    assert!(status.success(), "clang failed on {sources:?}");
}
