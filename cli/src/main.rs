//! `crease`: run, prove and verify RISC-V guest programs; build and scaffold guests.

#![forbid(unsafe_code)]

mod build;
mod chains;
mod compress;
mod error;
mod info;
mod input;
mod new;
mod params;
mod progress;
mod prove;
mod run;
mod setup;

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
    /// List the instruction set with its circuits' constraints and the folding circuits' sizes.
    Info(info::InfoArgs),
    /// Build the proving parameters (keys) and cache them on disk.
    Setup(setup::SetupArgs),
    /// Prove a run of a guest ELF.
    Prove(prove::ProveArgs),
    /// Compress a proof into a short one of the same statement.
    Compress(compress::CompressArgs),
    /// Verify a proof (full or compressed) against a guest ELF and print what it proves.
    Verify(prove::VerifyArgs),
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
        Command::Info(args) => info::info(&args)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| e.to_string()),
        Command::Setup(args) => setup::setup(&args)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| e.to_string()),
        Command::Prove(args) => prove::prove(&args)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| e.to_string()),
        Command::Compress(args) => compress::compress(&args)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| e.to_string()),
        Command::Verify(args) => prove::verify(&args)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| e.to_string()),
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
