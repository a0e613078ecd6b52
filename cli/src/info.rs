//! `crease info`: the instruction set, its circuits' sizes and the folding circuits' sizes.

use std::path::PathBuf;

use clap::Args;

use crate::chains::{self, BatchSizes, ChainKind};
use crate::error::CliError;
use crate::params::{self, Params};

/// Arguments of `crease info`.
#[derive(Args)]
pub struct InfoArgs {
    /// Add a co-processor to the instruction set (repeatable).
    #[arg(long = "coprocessor", value_name = "NAME")]
    coprocessors: Vec<String>,
    /// Batch size: `-k N` for every chain, `-k NAME=N` for one (repeatable).
    #[arg(short = 'k', value_name = "N|NAME=N")]
    k: Vec<String>,
    /// The parameter cache (default: $CREASE_CACHE, $XDG_CACHE_HOME/crease, ~/.cache/crease).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

/// Prints the table; folding circuit sizes come from the cached parameters when present,
/// else from set-up of the smallest chain.
pub fn info(args: &InfoArgs) -> Result<(), CliError> {
    let isa = chains::isa(&args.coprocessors)?;
    let chains = chains::chains(&isa, &BatchSizes::parse(&args.k)?)?;
    let digest = params::digest(&isa, &chains);
    let dir = params::cache_dir(args.cache_dir.as_deref())?;
    let path = params::cache_file(&dir, &digest);
    let cached = match std::fs::read(&path) {
        Ok(bytes) => Some(Params::from_bytes(&bytes, &digest, &chains, &path)?),
        Err(_) => None,
    };

    println!(
        "instruction set: {} ({} instruction circuits), ISA digest {}",
        isa.names().collect::<Vec<_>>().join(" "),
        isa.len(),
        params::hex(&isa.digest())
    );
    println!();
    println!(
        "{:<14} {:>6} {:>12} {:>12} {:>12} {:>12}",
        "chain", "k", "per entry", "step", "augmented", "per entry+"
    );
    let mut overhead = None;
    for (i, c) in chains.iter().enumerate() {
        let per = chains::constraints_per_entry(&c.kind)?;
        let step = c.step_constraints(i)?;
        let aug = cached
            .as_ref()
            .and_then(|p| p.chains.get(i))
            .map(|p| p.ivc.shape().num_constraints);
        if let Some(aug) = aug {
            overhead.get_or_insert(aug - step);
        }
        let fmt = |v: Option<usize>| v.map_or("-".to_string(), |v| v.to_string());
        let amortized = aug.map(|a| format!("{:.1}", a as f64 / c.k as f64));
        println!(
            "{:<14} {:>6} {:>12} {:>12} {:>12} {:>12}",
            c.name,
            c.k,
            per,
            step,
            fmt(aug),
            amortized.unwrap_or_else(|| "-".into())
        );
    }
    println!();
    println!("per entry: constraints per execution (per cell for scan, per row for tables);");
    println!("step: one folding step of k entries; augmented: step plus the recursion");
    println!("(fold verifier, hashing, CycleFold instance); per entry+: augmented / k.");
    println!();
    let (source, cf, overhead) = match &cached {
        Some(p) => {
            let cf = p.chains.first().map(|c| c.ivc.cf_shape().num_constraints);
            (
                format!("cached parameters {}", path.display()),
                cf,
                overhead,
            )
        }
        None => {
            // Without cached parameters, set up the smallest chain (one lui per step) to
            // measure the recursion: its size barely depends on the step circuit's.
            let lui = chains
                .iter()
                .position(|c| matches!(c.kind, ChainKind::Instruction(_)))
                .and_then(|i| chains.get(i).map(|c| (i, c.clone())));
            match lui {
                Some((i, mut c)) => {
                    c.k = 1;
                    let p = c.setup(i)?;
                    let step = c.step_constraints(i)?;
                    (
                        format!(
                            "set-up of the {} chain at k = 1 (run `crease setup` for every chain)",
                            c.name
                        ),
                        Some(p.cf_shape().num_constraints),
                        Some(p.shape().num_constraints - step),
                    )
                }
                None => ("nothing".into(), None, None),
            }
        }
    };
    let fmt = |v: Option<usize>| v.map_or("-".to_string(), |v| v.to_string());
    println!(
        "recursion per fold (augmented minus step): {} constraints",
        fmt(overhead)
    );
    println!(
        "CycleFold circuit (Grumpkin):              {} constraints",
        fmt(cf)
    );
    println!("(from {source})");
    Ok(())
}
