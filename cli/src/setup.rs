//! `crease setup`: build the proving parameters once and cache them.

use std::path::PathBuf;

use clap::Args;

use crate::chains::{self, BatchSizes};
use crate::error::CliError;
use crate::params;

/// Arguments of `crease setup`.
#[derive(Args)]
pub struct SetupArgs {
    /// Add a co-processor to the instruction set (repeatable).
    #[arg(long = "coprocessor", value_name = "NAME")]
    pub coprocessors: Vec<String>,
    /// Batch size: `-k N` for every chain, `-k NAME=N` for one (repeatable).
    #[arg(short = 'k', value_name = "N|NAME=N")]
    pub k: Vec<String>,
    /// The parameter cache (default: $CREASE_CACHE, $XDG_CACHE_HOME/crease, ~/.cache/crease).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Rebuild the parameters even if a cached file exists (replacing it).
    #[arg(long)]
    pub force: bool,
}

/// Builds or loads the parameters and reports where, how big and how long.
pub fn setup(args: &SetupArgs) -> Result<(), CliError> {
    let isa = chains::isa(&args.coprocessors)?;
    let chains = chains::chains(&isa, &BatchSizes::parse(&args.k)?)?;
    let dir = params::cache_dir(args.cache_dir.as_deref())?;
    let loaded = params::load_or_build(&isa, &chains, &dir, args.force)?;
    println!(
        "{} {} chains in {:.2} s: {} ({:.1} MB)",
        if loaded.built { "built" } else { "loaded" },
        loaded.params.chains.len(),
        loaded.time.as_secs_f64(),
        loaded.path.display(),
        loaded.size as f64 / 1e6
    );
    Ok(())
}
