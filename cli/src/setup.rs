//! `crease setup`: build the proving parameters once and cache them, under the development
//! key or, with `--ptau FILE`, a ceremony's key.

use clap::Args;
use crease_folding::commitment::CommitmentKey;

use crate::error::CliError;
use crate::params::{self, ParamArgs};

/// Arguments of `crease setup`.
#[derive(Args)]
pub struct SetupArgs {
    #[command(flatten)]
    params: ParamArgs,
    /// Rebuild the parameters even if a cached file exists (replacing it).
    #[arg(long)]
    force: bool,
}

/// Builds or loads the parameters and reports where, how big and how long.
pub fn setup(args: &SetupArgs) -> Result<(), CliError> {
    let sel = args.params.select()?;
    let loaded = params::load_or_build(&sel, args.force)?;
    println!(
        "{} parameters of {} chains in {:.2} s: {} ({:.1} MB)",
        if loaded.built { "built" } else { "loaded" },
        sel.chains.len(),
        loaded.time.as_secs_f64(),
        sel.path.display(),
        loaded.size as f64 / 1e6
    );
    println!(
        "commitment key: {}, {} bases",
        sel.key.describe(),
        loaded.params.shared().key().bases().len()
    );
    params::warn_if_development(&loaded.params);
    Ok(())
}
