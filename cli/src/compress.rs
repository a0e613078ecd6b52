//! `crease compress`, and the compression step of `crease prove --compress`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use crease::nvm::Program;
use crease::{CompressedProof, Params, Proof};

use crate::error::CliError;
use crate::params::{self, ParamArgs};
use crate::prove::{load_program, PublicInputArgs};

/// Arguments of `crease compress`.
#[derive(Args)]
pub struct CompressArgs {
    /// The proof to compress (as `crease prove` wrote it).
    proof: PathBuf,
    /// The guest program the proof is about.
    #[arg(long, value_name = "ELF")]
    elf: PathBuf,
    #[command(flatten)]
    public: PublicInputArgs,
    /// Where to write the compressed proof (default: the proof's path with `.compressed`
    /// appended).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    params: ParamArgs,
}

/// The default compressed proof file of a proof: its path with `.compressed` appended.
pub fn default_path(proof: &Path) -> PathBuf {
    let mut p = proof.as_os_str().to_owned();
    p.push(".compressed");
    PathBuf::from(p)
}

/// Compresses a proof file.
pub fn compress(args: &CompressArgs) -> Result<(), CliError> {
    let bytes = std::fs::read(&args.proof).map_err(|source| CliError::Io {
        path: args.proof.clone(),
        source,
    })?;
    if CompressedProof::is_compressed(&bytes) {
        return Err(CliError::BadProof {
            path: args.proof.clone(),
            reason: "already compressed".into(),
        });
    }
    let proof = Proof::from_bytes(&bytes).map_err(|e| CliError::BadProof {
        path: args.proof.clone(),
        reason: e.to_string(),
    })?;
    let public = args.public.read()?;
    let sel = args.params.select()?;
    let program = load_program(&args.elf, &sel)?;
    let loaded = params::load_or_build(&sel, false)?;
    params::warn_if_development(&loaded.params);
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| default_path(&args.proof));
    compress_to(&loaded.params, &program, &public, &proof, &out)
}

/// Compresses `proof`, writes it to `out` and reports sizes and time.
pub fn compress_to(
    params: &Params,
    program: &Program,
    public: &[u8],
    proof: &Proof,
    out: &Path,
) -> Result<(), CliError> {
    let start = Instant::now();
    let phase_start = std::sync::Mutex::new(Instant::now());
    let report = |phase: &str| {
        let mut t = phase_start.lock().unwrap_or_else(|e| e.into_inner());
        let what = match phase {
            "check" => "checking the proof",
            "primary" => "proving the primary instances satisfied",
            "cyclefold" => "proving the CycleFold accumulators satisfied",
            _ => "proving the table side of the lookups",
        };
        eprintln!(
            "crease: compress: {what} ({:.1} s so far)",
            start.elapsed().as_secs_f64()
        );
        *t = Instant::now();
    };
    let compressed =
        crease::pcd::compress_with_progress(params, program, public, proof, Some(&report))
            .map_err(|e| match e {
                crease::Error::ParamsMismatch => CliError::ParamsMismatch,
                e => CliError::Pcd(e),
            })?;
    let bytes = compressed.to_bytes()?;
    params::write_atomically(out, &bytes)?;
    println!(
        "compressed proof: {} ({:.1} kB), compressed in {:.2} s",
        out.display(),
        bytes.len() as f64 / 1e3,
        start.elapsed().as_secs_f64()
    );
    let parts: Vec<String> = compressed
        .size_breakdown()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{what} {:.1} kB", n as f64 / 1e3))
        .collect();
    println!("  {}", parts.join(", "));
    Ok(())
}
