//! `crease run`: execute a guest and report.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use crease::nvm::{self, Input, Isa, Program, RunOptions, DEFAULT_MAX_CYCLES};

use crate::input::read_input;

/// Arguments of `crease run`.
#[derive(Args)]
pub struct RunArgs {
    /// The guest program: an ELF32 RISC-V (RV32IM) executable.
    elf: PathBuf,
    /// A file whose bytes are the public input.
    #[arg(long, value_name = "FILE")]
    public_input: Option<PathBuf>,
    /// The public input as hex bytes (e.g. `0x68656c6c6f`).
    #[arg(long, value_name = "HEX", conflicts_with = "public_input")]
    public_input_hex: Option<String>,
    /// A file whose bytes are the private input.
    #[arg(long, value_name = "FILE")]
    private_input: Option<PathBuf>,
    /// The private input as hex bytes.
    #[arg(long, value_name = "HEX", conflicts_with = "private_input")]
    private_input_hex: Option<String>,
    /// Stop with an error after this many instructions.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CYCLES)]
    max_cycles: u64,
    /// Also print the executions per instruction circuit and the speed.
    #[arg(long)]
    stats: bool,
    /// Write the public output's bytes to this file.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Add a co-processor to the instruction set (repeatable); see `--list-coprocessors`.
    #[arg(long = "coprocessor", value_name = "NAME")]
    coprocessors: Vec<String>,
    /// List the co-processors this binary knows and exit.
    #[arg(long, exclusive = true)]
    list_coprocessors: bool,
}

/// Adds one co-processor to an instruction set.
type Register = fn(&mut Isa) -> Result<(), nvm::Error>;

/// Co-processors compiled into the `crease` binary, by name.
pub(crate) fn known_coprocessors() -> Vec<(&'static str, Register)> {
    vec![
        ("sha256_sigma", |isa| {
            isa.push(crease_coprocessor_example::Sha256Sigma).map(drop)
        }),
        ("sha256_compress", |isa| {
            isa.push(nvm::isa::sha256_compress::Sha256Compress)
                .map(drop)
        }),
        ("keccak_f1600", |isa| {
            isa.push(nvm::isa::keccak_f1600::KeccakF1600).map(drop)
        }),
    ]
}

fn isa(coprocessors: &[String]) -> Result<Isa, String> {
    let mut isa = Isa::rv32im();
    let known = known_coprocessors();
    for name in coprocessors {
        let (_, register) = known.iter().find(|(n, _)| n == name).ok_or_else(|| {
            let names: Vec<_> = known.iter().map(|(n, _)| *n).collect();
            format!(
                "unknown co-processor `{name}` (known: {})",
                names.join(", ")
            )
        })?;
        register(&mut isa).map_err(|e| e.to_string())?;
    }
    Ok(isa)
}

/// Runs the guest; the exit status follows the guest's exit code (see the README).
pub fn run(args: &RunArgs) -> Result<ExitCode, String> {
    if args.list_coprocessors {
        for (name, _) in known_coprocessors() {
            println!("{name}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let input = Input {
        public: read_input(
            "public",
            args.public_input.as_deref(),
            args.public_input_hex.as_deref(),
        )?,
        private: read_input(
            "private",
            args.private_input.as_deref(),
            args.private_input_hex.as_deref(),
        )?,
    };
    let bytes =
        std::fs::read(&args.elf).map_err(|e| format!("cannot read {}: {e}", args.elf.display()))?;
    let isa = isa(&args.coprocessors)?;
    let program = Program::from_elf(&bytes, &isa).map_err(|e| {
        let hint = match e {
            nvm::Error::UnknownInstruction { opcode, .. }
                if opcode == nvm::decode::opcode::CUSTOM_0
                    || opcode == nvm::decode::opcode::CUSTOM_1 =>
            {
                " (a co-processor instruction: add its circuit with --coprocessor NAME)"
            }
            _ => "",
        };
        format!("{}: {e}{hint}", args.elf.display())
    })?;

    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    let options = RunOptions {
        max_cycles: args.max_cycles,
        trace: false,
        stdout: Some(&mut stdout),
        stderr: Some(&mut stderr),
    };
    let start = Instant::now();
    let result = nvm::run(&program, &input, options);
    let elapsed = start.elapsed();
    drop(stdout);
    let execution = result.map_err(|e| e.to_string())?;

    if let Some(path) = &args.output {
        std::fs::write(path, &execution.public_output)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut report = String::new();
    report.push_str(&format!(
        "crease: exit code {} after {} cycles\n",
        execution.exit_code, execution.cycles
    ));
    if !execution.public_output.is_empty() {
        report.push_str(&format!(
            "crease: public output ({} bytes): {}\n",
            execution.public_output.len(),
            hex(&execution.public_output, 64)
        ));
    }
    if args.stats {
        report.push_str(&stats(&execution, elapsed.as_secs_f64()));
    }
    // The guest's own output is already out; a failed report write is not worth an error.
    let _ = std::io::stderr().write_all(report.as_bytes());
    Ok(if execution.exit_code == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn hex(bytes: &[u8], max: usize) -> String {
    let mut s: String = bytes.iter().take(max).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > max {
        s.push_str("...");
    }
    s
}

fn stats(execution: &nvm::Execution, seconds: f64) -> String {
    let mut s = String::from("crease: instruction circuit      executions   share\n");
    let total = execution.cycles.max(1) as f64;
    for c in execution.counts.iter().filter(|c| c.count > 0) {
        s.push_str(&format!(
            "crease:   {:<24} {:>12}  {:>5.1}%\n",
            c.name,
            c.count,
            100.0 * c.count as f64 / total
        ));
    }
    s.push_str(&format!(
        "crease: {:.3} s, {:.1} million instructions/s\n",
        seconds,
        execution.cycles as f64 / seconds.max(1e-9) / 1e6
    ));
    s
}
