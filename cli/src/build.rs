//! Building guest programs into RV32IM ELF files (`crease build`).
//!
//! A Rust guest (a directory with a `Cargo.toml`) is built by cargo with Debian's `rustc`
//! and its library sources (`-Zbuild-std`), linked by `ld.lld-14` (or rustup's `rust-lld`).
//! A C guest (one `.c` file, or a directory of `.c`/`.S` files) is compiled by `clang-14`
//! together with the C runtime in `nvm/rt/c`. docs/GUESTS.md describes both, and
//! `scripts/setup.sh` installs the tools.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// The script that installs the guest toolchains, named in every "tool missing" error.
pub const SETUP_SCRIPT: &str = "scripts/setup.sh";

/// The Rust target triple of guests.
pub const RUST_TARGET: &str = "riscv32im-unknown-none-elf";

/// Where Debian's `rustc` lives; rustup's `rustc` (first on PATH) cannot build `core` from
/// Debian's library sources.
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";

/// Errors of [`build_guest`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A tool the build needs is not installed.
    #[error("{tool} not found ({detail}); run {SETUP_SCRIPT} to install the guest toolchains")]
    ToolMissing {
        /// The tool, e.g. `clang-14`.
        tool: &'static str,
        /// Where it was looked for.
        detail: String,
    },
    /// The path is neither a Rust nor a C guest.
    #[error(
        "{path}: not a guest program: expected a directory with a Cargo.toml, a .c file, \
         or a directory with .c files"
    )]
    NotAGuest {
        /// The path given.
        path: PathBuf,
    },
    /// The crease runtime is not where the checkout should have it.
    #[error(
        "the crease guest runtime is missing at {path}; set CREASE_HOME to the crease checkout"
    )]
    RuntimeMissing {
        /// Where it was expected.
        path: PathBuf,
    },
    /// A command could not be started.
    #[error("cannot run {command}: {source}")]
    Spawn {
        /// The program.
        command: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A build command failed (its own messages went to stderr).
    #[error("{command} failed ({status})")]
    Failed {
        /// The program and its main arguments.
        command: String,
        /// Its exit status.
        status: ExitStatus,
    },
    /// Reading the guest directory or creating the output directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Cargo finished but reported no executable.
    #[error("cargo built no binary in {path}")]
    NoBinary {
        /// The guest directory.
        path: PathBuf,
    },
    /// Cargo built several executables; `crease build` needs one.
    #[error("cargo built {} binaries in {path}; build a single package", names.len())]
    SeveralBinaries {
        /// The guest directory.
        path: PathBuf,
        /// The executables built.
        names: Vec<PathBuf>,
    },
}

/// What kind of guest a path holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuestKind {
    /// A cargo package (or workspace) directory.
    Rust,
    /// C sources: the `.c` and `.S` files to compile.
    C(Vec<PathBuf>),
}

/// The crease checkout: `CREASE_HOME` if set, else the checkout this code was built from
/// (the nearest directory above the compiling package that holds `nvm/rt`).
pub fn crease_home() -> PathBuf {
    match std::env::var_os("CREASE_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home),
        _ => {
            let package = Path::new(env!("CARGO_MANIFEST_DIR"));
            package
                .ancestors()
                .find(|dir| dir.join("nvm/rt/Cargo.toml").is_file())
                .unwrap_or(package)
                .to_path_buf()
        }
    }
}

/// The Rust guest runtime (`crease-rt`) in the checkout.
pub fn runtime_dir() -> PathBuf {
    crease_home().join("nvm").join("rt")
}

/// Builds the guest at `dir` and returns the path of its ELF file.
///
/// `dir` is a Rust guest directory (with a `Cargo.toml`), a C guest directory (with `.c`
/// files), or a single `.c` file. `release` selects optimized builds (cargo's release
/// profile, `-O2` for C). Compiler messages go to this process's stderr.
pub fn build_guest(dir: &Path, release: bool) -> Result<PathBuf, BuildError> {
    match detect(dir)? {
        GuestKind::Rust => build_rust(dir, release),
        GuestKind::C(sources) => build_c(dir, &sources, release),
    }
}

/// Decides whether `path` is a Rust or a C guest.
pub fn detect(path: &Path) -> Result<GuestKind, BuildError> {
    let io_err = |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_file() {
        return if path.extension() == Some(OsStr::new("c")) {
            Ok(GuestKind::C(vec![path.to_path_buf()]))
        } else {
            Err(BuildError::NotAGuest {
                path: path.to_path_buf(),
            })
        };
    }
    if path.join("Cargo.toml").is_file() {
        return Ok(GuestKind::Rust);
    }
    let mut sources = Vec::new();
    let mut has_c = false;
    for entry in std::fs::read_dir(path).map_err(io_err)? {
        let file = entry.map_err(io_err)?.path();
        match file.extension().and_then(OsStr::to_str) {
            Some("c") => {
                has_c = true;
                sources.push(file);
            }
            Some("S") | Some("s") => sources.push(file),
            _ => {}
        }
    }
    if !has_c {
        return Err(BuildError::NotAGuest {
            path: path.to_path_buf(),
        });
    }
    sources.sort();
    Ok(GuestKind::C(sources))
}

/// The tools a Rust guest build uses.
#[derive(Clone, Debug)]
pub struct RustTools {
    /// Debian's `rustc`.
    pub rustc: PathBuf,
    /// The linker: `ld.lld-14`, `ld.lld` or rustup's `rust-lld`.
    pub linker: PathBuf,
    /// `cargo`.
    pub cargo: PathBuf,
}

/// Finds Debian's `rustc` (with its library sources), a linker and cargo.
pub fn find_rust_tools() -> Result<RustTools, BuildError> {
    let rustc = std::env::var_os("CREASE_GUEST_RUSTC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEBIAN_RUSTC));
    if !rustc.is_file() {
        return Err(BuildError::ToolMissing {
            tool: "Debian's rustc (package rustc-web)",
            detail: format!("no {}", rustc.display()),
        });
    }
    let sysroot = command_output(Command::new(&rustc).args(["--print", "sysroot"]))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr"));
    let core = sysroot.join("lib/rustlib/src/rust/library/core/Cargo.toml");
    if !core.is_file() {
        return Err(BuildError::ToolMissing {
            tool: "Rust library sources (package rust-web-src)",
            detail: format!("no {}", core.display()),
        });
    }
    let cargo = find_in_path("cargo").ok_or_else(|| BuildError::ToolMissing {
        tool: "cargo",
        detail: "not on PATH".into(),
    })?;
    Ok(RustTools {
        rustc,
        linker: find_linker()?,
        cargo,
    })
}

/// `ld.lld-14` or `ld.lld` from PATH (by name, as the guests' cargo config names it, so that
/// cargo's fingerprints agree), else rustup's `rust-lld`.
fn find_linker() -> Result<PathBuf, BuildError> {
    for name in ["ld.lld-14", "ld.lld"] {
        if find_in_path(name).is_some() {
            return Ok(PathBuf::from(name));
        }
    }
    // rustup's rustc is the one on PATH; its sysroot carries rust-lld.
    if let Some(sysroot) = command_output(Command::new("rustc").args(["--print", "sysroot"])) {
        let lld = Path::new(&sysroot).join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld");
        if lld.is_file() {
            return Ok(lld);
        }
    }
    Err(BuildError::ToolMissing {
        tool: "a RISC-V linker (ld.lld-14 from package lld-14, or rustup's rust-lld)",
        detail: "not on PATH".into(),
    })
}

/// Finds `clang-14` (or `clang`) on PATH.
pub fn find_clang() -> Result<PathBuf, BuildError> {
    find_clang_in(std::env::var_os("PATH").as_deref())
}

fn find_clang_in(path: Option<&OsStr>) -> Result<PathBuf, BuildError> {
    ["clang-14", "clang"]
        .into_iter()
        .find_map(|name| find_in(path, name))
        .ok_or_else(|| BuildError::ToolMissing {
            tool: "clang-14 (packages clang-14 and lld-14)",
            detail: "not on PATH".into(),
        })
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    find_in(std::env::var_os("PATH").as_deref(), name)
}

fn find_in(path: Option<&OsStr>, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn command_output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn run(cmd: &mut Command, what: &str) -> Result<std::process::Output, BuildError> {
    let out = cmd.output().map_err(|source| BuildError::Spawn {
        command: what.to_string(),
        source,
    })?;
    if !out.status.success() {
        return Err(BuildError::Failed {
            command: what.to_string(),
            status: out.status,
        });
    }
    Ok(out)
}

fn build_rust(dir: &Path, release: bool) -> Result<PathBuf, BuildError> {
    let tools = find_rust_tools()?;
    let mut cmd = Command::new(&tools.cargo);
    // Cargo looks for .cargo/config.toml from its working directory, so run it in `dir`.
    cmd.current_dir(dir)
        .args(["build", "--message-format=json-render-diagnostics"])
        .args(["--target", RUST_TARGET])
        .args([
            "-Zbuild-std=core,alloc",
            "-Zbuild-std-features=compiler-builtins-mem",
        ])
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTC", &tools.rustc)
        .env(
            "CARGO_TARGET_RISCV32IM_UNKNOWN_NONE_ELF_LINKER",
            &tools.linker,
        )
        // Host flags must not replace the guest's, which name the linker script.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    if release {
        cmd.arg("--release");
    }
    let out = run(&mut cmd, "cargo build (guest)")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut names: Vec<PathBuf> = stdout.lines().filter_map(executable_of).collect();
    names.dedup();
    match names.len() {
        0 => Err(BuildError::NoBinary {
            path: dir.to_path_buf(),
        }),
        1 => Ok(names.remove(0)),
        _ => Err(BuildError::SeveralBinaries {
            path: dir.to_path_buf(),
            names,
        }),
    }
}

/// The `"executable"` path of one line of cargo's JSON messages, if it has one.
fn executable_of(line: &str) -> Option<PathBuf> {
    if !line.contains("\"reason\":\"compiler-artifact\"") {
        return None;
    }
    let start = line.find("\"executable\":\"")? + "\"executable\":\"".len();
    let mut path = String::new();
    let mut chars = line[start..].chars();
    loop {
        match chars.next()? {
            '"' => break,
            '\\' => match chars.next()? {
                'n' => path.push('\n'),
                't' => path.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    path.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => path.push(other),
            },
            c => path.push(c),
        }
    }
    Some(PathBuf::from(path))
}

/// Where a C guest's ELF goes: `<dir>/target/crease/<profile>/<name>.elf`, where `dir` is
/// the guest directory (or the directory of a single `.c` file).
pub fn c_output_path(guest: &Path, release: bool) -> PathBuf {
    let (dir, name) = if guest.extension() == Some(OsStr::new("c")) {
        let dir = guest.parent().unwrap_or(Path::new("."));
        (dir.to_path_buf(), guest.file_stem())
    } else {
        (guest.to_path_buf(), guest.file_name())
    };
    let name = name
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "guest".into());
    let profile = if release { "release" } else { "debug" };
    dir.join("target")
        .join("crease")
        .join(profile)
        .join(format!("{name}.elf"))
}

/// The flags that compile and link C guests for the NVM, given the C runtime directory.
pub fn c_flags(rt: &Path, release: bool) -> Vec<String> {
    let mut flags: Vec<String> = [
        "--target=riscv32-unknown-elf",
        "-march=rv32im",
        "-mabi=ilp32",
        "-nostdlib",
        "-ffreestanding",
        "-fno-builtin",
        "-fuse-ld=lld",
        "-Wall",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    flags.push(if release { "-O2" } else { "-O0" }.into());
    if !release {
        flags.push("-g".into());
    }
    flags.push(format!("-I{}", rt.display()));
    flags.push(format!("-Wl,-T,{}", rt.join("link.ld").display()));
    flags.push(rt.join("crt0.S").display().to_string());
    flags.push(rt.join("crease_rt.c").display().to_string());
    flags
}

fn build_c(guest: &Path, sources: &[PathBuf], release: bool) -> Result<PathBuf, BuildError> {
    let clang = find_clang()?;
    let rt = runtime_dir().join("c");
    if !rt.join("crease.h").is_file() {
        return Err(BuildError::RuntimeMissing { path: rt });
    }
    let out = c_output_path(guest, release);
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|source| BuildError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let mut cmd = Command::new(&clang);
    cmd.args(c_flags(&rt, release));
    if guest.is_dir() {
        cmd.arg(format!("-I{}", guest.display()));
    }
    cmd.args(sources)
        .arg("-o")
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    run(&mut cmd, &format!("{} (C guest)", clang.display()))?;
    Ok(out)
}

impl fmt::Display for GuestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuestKind::Rust => f.write_str("Rust guest"),
            GuestKind::C(sources) => write!(f, "C guest ({} sources)", sources.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executable_is_read_from_cargo_json() {
        let line = r#"{"reason":"compiler-artifact","target":{"kind":["bin"]},"executable":"/a/b \"c\"/fib","fresh":true}"#;
        assert_eq!(executable_of(line), Some(PathBuf::from("/a/b \"c\"/fib")));
        let lib = r#"{"reason":"compiler-artifact","executable":null}"#;
        assert_eq!(executable_of(lib), None);
        assert_eq!(executable_of(r#"{"reason":"build-finished"}"#), None);
    }

    #[test]
    fn detect_rejects_non_guests() {
        let dir = std::env::temp_dir().join(format!("crease-detect-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(matches!(detect(&dir), Err(BuildError::NotAGuest { .. })));
        std::fs::write(dir.join("a.c"), "int main(void){return 0;}").unwrap();
        std::fs::write(dir.join("b.S"), "").unwrap();
        match detect(&dir) {
            Ok(GuestKind::C(sources)) => assert_eq!(sources.len(), 2),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            detect(&dir.join("missing")),
            Err(BuildError::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_tool_names_the_setup_script() {
        let err = find_clang_in(Some(OsStr::new(""))).expect_err("empty PATH");
        assert!(matches!(err, BuildError::ToolMissing { .. }));
        let message = err.to_string();
        assert!(message.contains("clang-14"), "{message}");
        assert!(message.contains(SETUP_SCRIPT), "{message}");
        assert!(find_clang_in(None).is_err());
    }

    #[test]
    fn c_output_goes_under_target() {
        let out = c_output_path(Path::new("/x/y/prog.c"), true);
        assert_eq!(out, Path::new("/x/y/target/crease/release/prog.elf"));
    }
}
