//! `crease`: run RISC-V guest programs on the NVM, build and scaffold guests.

#![forbid(unsafe_code)]

mod build;
mod input;
mod new;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Crease: a folding-based zkVM for RISC-V RV32IM programs.
#[derive(Parser)]
#[command(name = "crease", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a guest ELF on the NVM: its output on stdout/stderr, a report on stderr.
    Run(run::RunArgs),
    /// Build a guest (a Rust crate, a directory of C files or one C file) into an ELF.
    Build {
        /// The guest: a Rust crate directory, a directory of C files, or a C file.
        guest: PathBuf,
        /// Build without optimizations (Rust guests).
        #[arg(long)]
        debug: bool,
    },
    /// Scaffold a new Rust guest that builds and runs.
    New {
        /// The directory to create; its last component names the guest.
        path: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Build { guest, debug } => build::build_guest(&guest, !debug)
            .map(|elf| {
                println!("{}", elf.display());
                ExitCode::SUCCESS
            })
            .map_err(|e| e.to_string()),
        Command::New { path } => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            new::new_guest(&path, &name)
                .map(|()| {
                    eprintln!(
                        "created guest `{name}`; build it with `crease build {}`",
                        path.display()
                    );
                    ExitCode::SUCCESS
                })
                .map_err(|e| e.to_string())
        }
    };
    result.unwrap_or_else(|reason| {
        eprintln!("error: {reason}");
        ExitCode::from(2)
    })
}
