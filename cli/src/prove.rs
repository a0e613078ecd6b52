//! `crease prove` and `crease verify`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use crease::nvm::{Input, Program};
use crease::{CompressedProof, Proof, Statement};

use crate::error::CliError;
use crate::input::read_input;
use crate::params::{self, hex, ParamArgs, Selection};
use crate::progress::ProveBars;

/// The public input options of `prove` and `verify`.
#[derive(Args, Clone, Debug)]
pub struct PublicInputArgs {
    /// A file whose bytes are the public input.
    #[arg(long, value_name = "FILE")]
    public_input: Option<PathBuf>,
    /// The public input as hex bytes (e.g. `0x68656c6c6f`).
    #[arg(long, value_name = "HEX", conflicts_with = "public_input")]
    public_input_hex: Option<String>,
}

impl PublicInputArgs {
    /// The public input's bytes.
    pub fn read(&self) -> Result<Vec<u8>, CliError> {
        read_input(
            "public",
            self.public_input.as_deref(),
            self.public_input_hex.as_deref(),
        )
        .map_err(CliError::Input)
    }
}

/// Arguments of `crease prove`.
#[derive(Args)]
pub struct ProveArgs {
    /// The guest program: an ELF32 RISC-V (RV32IM) executable.
    elf: PathBuf,
    #[command(flatten)]
    public: PublicInputArgs,
    /// A file whose bytes are the private input.
    #[arg(long, value_name = "FILE")]
    private_input: Option<PathBuf>,
    /// The private input as hex bytes.
    #[arg(long, value_name = "HEX", conflicts_with = "private_input")]
    private_input_hex: Option<String>,
    /// Where to write the proof (default: the ELF's path with `.proof` appended).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Instructions per segment: the prover holds one segment's records and witnesses at a
    /// time, about 200 bytes per instruction, so this bounds its memory beside the
    /// parameters and the chains' accumulators.
    #[arg(long, value_name = "N", default_value_t = crease::pcd::DEFAULT_SEGMENT as u64,
          value_parser = clap::value_parser!(u64).range(1..=1 << 28))]
    segment: u64,
    /// Batches per leaf of each instruction chain's proof tree: leaves are proven in
    /// parallel and merged pairwise (a chain of at most this many batches is one leaf).
    #[arg(long, value_name = "N", default_value_t = crease::pcd::DEFAULT_LEAF_STEPS as u64,
          value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    leaf: u64,
    /// Chains of at most this many batches (and one leaf) are shown directly instead of
    /// folded: the proof carries their witnesses, checked constraint by constraint, which
    /// makes small runs fast at some proof size (0: fold every chain).
    #[arg(long, value_name = "N", default_value_t = crease::pcd::DEFAULT_DIRECT_STEPS as u64,
          value_parser = clap::value_parser!(u64).range(0..=1 << 20))]
    direct: u64,
    /// Also compress the proof, into the proof's path with `.compressed` appended (see
    /// `crease compress`).
    #[arg(long)]
    compress: bool,
    #[command(flatten)]
    params: ParamArgs,
}

/// Arguments of `crease verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The proof file.
    proof: PathBuf,
    /// The guest program the proof is about.
    #[arg(long, value_name = "ELF")]
    elf: PathBuf,
    #[command(flatten)]
    public: PublicInputArgs,
    #[command(flatten)]
    params: ParamArgs,
}

/// The default proof file of an ELF: its path with `.proof` appended.
pub fn default_proof_path(elf: &Path) -> PathBuf {
    let mut p = elf.as_os_str().to_owned();
    p.push(".proof");
    PathBuf::from(p)
}

pub fn load_program(elf: &Path, sel: &Selection) -> Result<Program, CliError> {
    let bytes = std::fs::read(elf).map_err(|source| CliError::Io {
        path: elf.to_path_buf(),
        source,
    })?;
    Program::from_elf(&bytes, &sel.isa).map_err(|source| CliError::Program {
        path: elf.to_path_buf(),
        source: Box::new(source),
    })
}

/// Proves a run: executes, proves every chain, writes the proof and prints the claims.
pub fn prove(args: &ProveArgs) -> Result<(), CliError> {
    let input = Input {
        public: args.public.read()?,
        private: read_input(
            "private",
            args.private_input.as_deref(),
            args.private_input_hex.as_deref(),
        )
        .map_err(CliError::Input)?,
    };
    let sel = args.params.select()?;
    let program = load_program(&args.elf, &sel)?;
    let out_path = args
        .output
        .clone()
        .unwrap_or_else(|| default_proof_path(&args.elf));
    let loaded = params::load_or_build(&sel, false)?;
    params::warn_if_development(&loaded.params);

    let bars = ProveBars::default();
    let report = |phase, done, total| bars.report(phase, done, total);
    let start = Instant::now();
    // Finished work is kept beside the proof until it is written, so that an interrupted
    // run started again with the same arguments resumes.
    let work_dir = {
        let mut p = out_path.as_os_str().to_owned();
        p.push(".work");
        PathBuf::from(p)
    };
    if work_dir.exists() {
        eprintln!(
            "crease: resuming from the finished work in {} (if it is for this run)",
            work_dir.display()
        );
    }
    let options = crease::ProveOptions {
        segment: args.segment as usize,
        leaf_steps: args.leaf as usize,
        direct_steps: args.direct as usize,
        work_dir: Some(work_dir),
        ..Default::default()
    };
    let result = crease::prove_with(&loaded.params, &program, &input, &options, Some(&report));
    bars.finish();
    let (proof, exec) = result?;
    let prove_time = start.elapsed();
    let bytes = proof.to_bytes()?;
    params::write_atomically(&out_path, &bytes)?;

    println!("proved {}", args.elf.display());
    println!("  program digest  {}", hex(&program.digest()));
    println!("  public input    {}", show_bytes(&input.public));
    println!("  public output   {}", show_bytes(&exec.public_output));
    println!("  exit code       {}", exec.exit_code);
    println!("  steps           {}", exec.cycles);
    let used: Vec<String> = exec
        .counts
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| format!("{} {}", c.name, c.count))
        .collect();
    println!("  executions      {}", used.join(", "));
    println!(
        "proof: {} ({:.1} kB), proved in {:.2} s ({:.0} instructions/s)",
        out_path.display(),
        bytes.len() as f64 / 1e3,
        prove_time.as_secs_f64(),
        exec.cycles as f64 / prove_time.as_secs_f64().max(1e-9)
    );
    if args.compress {
        let out = crate::compress::default_path(&out_path);
        crate::compress::compress_to(&loaded.params, &program, &input.public, &proof, &out)?;
    }
    Ok(())
}

/// Verifies a proof and prints what it proves.
pub fn verify(args: &VerifyArgs) -> Result<(), CliError> {
    let bytes = std::fs::read(&args.proof).map_err(|source| CliError::Io {
        path: args.proof.clone(),
        source,
    })?;
    let bad = |e: crease::Error| CliError::BadProof {
        path: args.proof.clone(),
        reason: e.to_string(),
    };
    enum Read {
        Full(Box<Proof>),
        Compressed(Box<CompressedProof>),
    }
    let proof = if CompressedProof::is_compressed(&bytes) {
        Read::Compressed(Box::new(CompressedProof::from_bytes(&bytes).map_err(bad)?))
    } else {
        Read::Full(Box::new(Proof::from_bytes(&bytes).map_err(bad)?))
    };
    let public = args.public.read()?;
    let sel = args.params.select()?;
    let program = load_program(&args.elf, &sel)?;
    let loaded = params::load_or_build(&sel, false)?;
    params::warn_if_development(&loaded.params);
    let start = Instant::now();
    let result = match &proof {
        Read::Full(p) => crease::verify(&loaded.params, &program, &public, p),
        Read::Compressed(p) => crease::verify_compressed(&loaded.params, &program, &public, p),
    };
    let statement = result.map_err(|e| match e {
        crease::Error::ParamsMismatch => CliError::ParamsMismatch,
        e => CliError::Pcd(e),
    })?;
    if matches!(proof, Read::Compressed(_)) {
        println!("compressed proof");
    }
    let time = start.elapsed();
    print_statement(&args.elf, &statement);
    println!("verified in {:.3} s", time.as_secs_f64());
    Ok(())
}

fn print_statement(elf: &Path, s: &Statement) {
    println!("verified: {} ran to exit", elf.display());
    println!("  program digest  {}", hex(&s.program_digest));
    println!("  ISA digest      {}", hex(&s.isa_digest));
    println!("  public input    {}", show_bytes(&s.public_input));
    println!("  public output   {}", show_bytes(&s.public_output));
    println!("  exit code       {}", s.exit_code);
    println!("  steps           {}", s.steps);
}

/// Bytes as length, hex (the first 64) and, when printable, text.
fn show_bytes(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty)".into();
    }
    let mut s = format!(
        "{} bytes: {}",
        bytes.len(),
        hex(&bytes[..bytes.len().min(64)])
    );
    if bytes.len() > 64 {
        s.push_str("...");
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.chars().all(|c| !c.is_control() || c == '\n') {
            s.push_str(&format!(" ({:?})", text.trim_end()));
        }
    }
    s
}
