//! `crease info`: the instruction set, its circuits' sizes and the folding circuits' sizes.

use clap::Args;
use crease_circuits::Batch;
use crease_folding::ivc::IvcParams;

use crate::chains::{self, ChainKind};
use crate::error::CliError;
use crate::params::{self, ParamArgs};

/// Arguments of `crease info`.
#[derive(Args)]
pub struct InfoArgs {
    #[command(flatten)]
    params: ParamArgs,
}

/// Prints the table. The augmented circuits' sizes come from the cached parameters when
/// `crease setup` made them; otherwise the recursion is measured on one small chain and
/// added to each step (marked `~`).
pub fn info(args: &InfoArgs) -> Result<(), CliError> {
    let sel = args.params.select()?;
    let cached = match std::fs::read(&sel.path) {
        Ok(bytes) => Some(params::from_cache_bytes(&sel, &bytes)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(CliError::Io {
                path: sel.path.clone(),
                source,
            })
        }
    };
    println!(
        "parameter cache: {} ({})",
        sel.path.display(),
        if cached.is_some() {
            "present"
        } else {
            "absent"
        }
    );
    println!("commitment key: {}", sel.key.describe());
    let isa = &sel.isa;
    println!(
        "instruction set: {} ({} instruction circuits)",
        isa.names().collect::<Vec<_>>().join(" "),
        isa.len(),
    );
    println!("ISA digest: {}", params::hex(&isa.digest()));

    // Without cached parameters, set up the first chain at k = 1 to measure the recursion;
    // its size barely depends on the step circuit's (only through the error-MLE length).
    let measured = match (&cached, sel.chains.first().map(|c| &c.kind)) {
        (None, Some(ChainKind::Instruction(c))) => {
            let batch = Batch::new(c.clone(), 0, 1);
            let p = IvcParams::setup(&batch)?;
            let step = chains::step_constraints(&batch)?;
            Some((
                p.shape().num_constraints.saturating_sub(step),
                p.cf_shape().num_constraints,
                c.name().to_string(),
            ))
        }
        _ => None,
    };

    println!();
    println!(
        "{:<14} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "chain", "k", "per entry", "step", "augmented", "amortized", "node"
    );
    let mut overhead = measured.as_ref().map(|m| m.0);
    let mut cf = measured.as_ref().map(|m| m.1);
    for (i, c) in sel.chains.iter().enumerate() {
        let per = chains::constraints_per_entry(&c.kind)?;
        let step = c.step_constraints(i)?;
        let ivc = cached.as_ref().and_then(|p| match c.kind {
            ChainKind::Instruction(_) => p.instruction_params(i),
            ChainKind::Scan => Some(p.scan_params().1),
            ChainKind::Tables => Some(p.table_params().1),
        });
        let (aug, mark) = match ivc {
            Some(p) => {
                overhead.get_or_insert(p.shape().num_constraints.saturating_sub(step));
                cf.get_or_insert(p.cf_shape().num_constraints);
                (Some(p.shape().num_constraints), "")
            }
            None => (measured.as_ref().map(|m| step + m.0), "~"),
        };
        let node = cached
            .as_ref()
            .and_then(|p| p.tree_params(i))
            .filter(|_| matches!(c.kind, ChainKind::Instruction(_)))
            .map_or("-".into(), |t| match t {
                Ok(t) => t.shape().num_constraints.to_string(),
                Err(_) => "damaged".into(),
            });
        println!(
            "{:<14} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10}",
            c.name,
            c.k,
            per,
            step,
            aug.map_or("-".into(), |a| format!("{mark}{a}")),
            aug.map_or("-".into(), |a| format!(
                "{mark}{:.1}",
                a as f64 / c.k as f64
            )),
            node,
        );
    }
    println!();
    println!("per entry: constraints per execution (per cell for scan, per row for tables)");
    println!("step:      one folding step of k entries, without the recursion");
    println!("augmented: the step plus the recursion (fold verifier, hashes, CycleFold fold)");
    println!("amortized: augmented / k, per entry");
    println!("node:      the proof tree's node circuit, which merges two subtrees of the chain");
    println!("tables:    not folded in a proof, which lists the rows' counts for the verifier");
    println!();
    let fmt = |v: Option<usize>| v.map_or("-".to_string(), |v| v.to_string());
    println!(
        "recursion per fold (augmented - step): {} constraints",
        fmt(overhead)
    );
    println!(
        "CycleFold circuit (over Grumpkin):     {} constraints",
        fmt(cf)
    );
    match (&cached, &measured) {
        (Some(_), _) => println!("(sizes from the cached parameters)"),
        (None, Some((_, _, name))) => println!(
            "(~: estimated from a set-up of the {name} chain at k = 1; `crease setup` gives \
             every chain's exact size)"
        ),
        (None, None) => {}
    }
    Ok(())
}
