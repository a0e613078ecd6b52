//! The proving parameters (`crease::Params`: one IVC parameter set per chain), cached on
//! disk under a digest of what they depend on, so a second `crease setup` (or `prove`,
//! `verify`) loads them instead of rebuilding.
//!
//! A cache file is `MAGIC ‖ digest ‖ Params::to_bytes()`. The digest covers the format
//! version, the ISA digest, every chain's name and batch size and the commitment key (the
//! development key's seed, or a ceremony file's τ·G1 and τ·G2, which fix all its powers);
//! the file name holds its first 8 bytes. So parameters of the development key are never
//! taken for a ceremony's or the other way round.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use crease::{KeySource, Params};
use crease_folding::commitment::PtauFile;
use crease_folding::ivc::DEV_KEY_SEED;
use sha2::{Digest, Sha256};

use crate::chains::{self, BatchSizes, Chain};
use crate::error::CliError;
use crate::progress::Phase;

/// The first bytes of a parameter cache file.
const MAGIC: [u8; 8] = *b"CRSCACHE";
/// Bumped whenever the file layout or a circuit's shape changes meaning.
pub const FORMAT_VERSION: u32 = 6;
/// The environment variable naming the cache directory.
pub const CACHE_ENV: &str = "CREASE_CACHE";

/// The options choosing the parameters, shared by `info`, `setup`, `prove` and `verify`.
#[derive(Args, Clone, Debug)]
pub struct ParamArgs {
    /// Add a co-processor to the instruction set (repeatable).
    #[arg(long = "coprocessor", value_name = "NAME")]
    pub coprocessors: Vec<String>,
    /// Batch size: `-k N` for the instruction chains and the scan, `-k NAME=N` for one chain
    /// (`scan`, `tables` or an instruction circuit); repeatable. Prove and verify must agree.
    #[arg(short = 'k', value_name = "N|NAME=N")]
    pub k: Vec<String>,
    /// The parameter cache (default: $CREASE_CACHE, $XDG_CACHE_HOME/crease, ~/.cache/crease).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// A powers-of-tau ceremony file (snarkjs .ptau, such as Hermez's
    /// powersOfTau28_hez_final_17.ptau) for the commitment key. Without it the development
    /// key is used, whose tau is public: its proofs can be forged. Prove and verify must
    /// agree.
    #[arg(long, value_name = "FILE")]
    pub ptau: Option<PathBuf>,
}

/// The commitment key the options choose.
pub enum KeyChoice {
    /// The development key.
    Development,
    /// A ceremony file's key.
    Ptau {
        /// The file.
        path: PathBuf,
        /// Its key's [`crease_folding::commitment::PowersOfTauKey::tau_id`].
        tau_id: [u8; 32],
        /// Its power.
        power: u32,
        /// The contributions it records.
        contributions: Option<u32>,
    },
}

impl KeyChoice {
    fn from_flag(ptau: Option<&Path>) -> Result<Self, CliError> {
        let Some(path) = ptau else {
            return Ok(KeyChoice::Development);
        };
        let err = |source| CliError::Ptau {
            path: path.to_path_buf(),
            source,
        };
        let mut file = PtauFile::open(path).map_err(err)?;
        Ok(KeyChoice::Ptau {
            path: path.to_path_buf(),
            tau_id: file.tau_id().map_err(err)?,
            power: file.power(),
            contributions: file.contributions(),
        })
    }

    /// The set-up's key source.
    pub fn source(&self) -> KeySource {
        match self {
            KeyChoice::Development => KeySource::Development,
            KeyChoice::Ptau { path, .. } => KeySource::Ptau(path.clone()),
        }
    }

    /// One line naming the key.
    pub fn describe(&self) -> String {
        match self {
            KeyChoice::Development => {
                "the development key (insecure: its proofs can be forged)".into()
            }
            KeyChoice::Ptau {
                path,
                power,
                contributions,
                ..
            } => format!(
                "{} (power {power}, {} contributions)",
                path.display(),
                contributions.map_or("?".into(), |c| c.to_string())
            ),
        }
    }
}

/// The warning `prove` and `verify` print when the parameters use the development key.
pub fn warn_if_development(params: &Params) {
    if params.uses_development_key() {
        eprintln!(
            "warning: the development key is in use: its tau is public, so proofs can be \
             forged (give --ptau FILE for a ceremony's key)"
        );
    }
}

/// What the parameter options resolve to.
pub struct Selection {
    /// The instruction set.
    pub isa: crease_nvm::Isa,
    /// Its chains and their batch sizes.
    pub chains: Vec<Chain>,
    /// The digest naming the parameters.
    pub digest: [u8; 32],
    /// The commitment key.
    pub key: KeyChoice,
    /// Their cache file.
    pub path: PathBuf,
}

impl ParamArgs {
    /// Resolves the instruction set, the chains and the cache file.
    pub fn select(&self) -> Result<Selection, CliError> {
        let isa = chains::isa(&self.coprocessors)?;
        let chains = chains::chains(&isa, &BatchSizes::parse(&self.k)?)?;
        let key = KeyChoice::from_flag(self.ptau.as_deref())?;
        let digest = digest(&isa, &chains, &key);
        let dir = cache_dir(self.cache_dir.as_deref())?;
        let path = dir.join(format!("params-{}.bin", hex(&digest[..8])));
        Ok(Selection {
            isa,
            chains,
            digest,
            key,
            path,
        })
    }
}

/// The digest of what the parameters depend on.
pub fn digest(isa: &crease_nvm::Isa, chains: &[Chain], key: &KeyChoice) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"crease/params-cache");
    h.update(FORMAT_VERSION.to_le_bytes());
    h.update(isa.digest());
    for c in chains {
        h.update((c.name.len() as u64).to_le_bytes());
        h.update(c.name.as_bytes());
        h.update((c.k as u64).to_le_bytes());
    }
    match key {
        KeyChoice::Development => {
            h.update(b"development");
            h.update((DEV_KEY_SEED.len() as u64).to_le_bytes());
            h.update(DEV_KEY_SEED);
        }
        KeyChoice::Ptau { tau_id, .. } => {
            h.update(b"ceremony");
            h.update(tau_id);
        }
    }
    h.finalize().into()
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cache directory: `--cache-dir`, else `$CREASE_CACHE`, else `$XDG_CACHE_HOME/crease`,
/// else `~/.cache/crease`.
pub fn cache_dir(flag: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = env(CACHE_ENV) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = env("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("crease"));
    }
    env("HOME")
        .map(|home| PathBuf::from(home).join(".cache").join("crease"))
        .ok_or(CliError::NoCacheDir)
}

/// Parses a cache file's bytes; `path` names it in errors.
pub fn from_cache_bytes(sel: &Selection, bytes: &[u8]) -> Result<Params, CliError> {
    let bad = |reason: String| CliError::BadCache {
        path: sel.path.clone(),
        reason,
    };
    if bytes.get(..8) != Some(&MAGIC[..]) {
        return Err(bad("not a crease parameter file (bad header)".into()));
    }
    let Some(got) = bytes.get(8..40) else {
        return Err(bad("truncated".into()));
    };
    if got != sel.digest {
        return Err(bad(format!(
            "parameters for another instruction set, batch sizes or key (digest {}, expected {})",
            hex(&got[..8]),
            hex(&sel.digest[..8])
        )));
    }
    let params = Params::from_bytes(&bytes[40..]).map_err(|e| bad(e.to_string()))?;
    let key_match = match &sel.key {
        KeyChoice::Development => params.uses_development_key(),
        KeyChoice::Ptau { tau_id, .. } => {
            !params.uses_development_key() && params.shared().key().tau_id() == *tau_id
        }
    };
    if !key_match {
        return Err(bad(
            "made with another commitment key than its name says".into()
        ));
    }
    let expected = chains::setup_config(&sel.chains, sel.key.source());
    let ks_match = sel
        .chains
        .iter()
        .zip(params.circuit_names())
        .all(|(c, n)| c.name == n)
        && expected
            .k_per_circuit
            .iter()
            .enumerate()
            .all(|(i, (_, k))| params.k(i) == Some(*k))
        && params.scan_params().0 == expected.scan_k
        && params.table_params().0 == expected.table_k
        && params.isa_digest() == sel.isa.digest();
    if !ks_match {
        return Err(bad("contents differ from the digest in its header".into()));
    }
    Ok(params)
}

/// How the parameters were obtained.
pub struct Loaded {
    /// The parameters.
    pub params: Params,
    /// Their file's size in bytes.
    pub size: u64,
    /// Whether they were built now (rather than loaded).
    pub built: bool,
    /// Time to build or load them.
    pub time: Duration,
}

/// Loads the parameters from the cache file if there is one (unless `force`), else
/// builds them and writes the file.
pub fn load_or_build(sel: &Selection, force: bool) -> Result<Loaded, CliError> {
    let start = Instant::now();
    if !force {
        match std::fs::read(&sel.path) {
            Ok(bytes) => {
                let phase = Phase::spinner("load", "parameters");
                let params = from_cache_bytes(sel, &bytes)?;
                phase.finish();
                return Ok(Loaded {
                    params,
                    size: bytes.len() as u64,
                    built: false,
                    time: start.elapsed(),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => eprintln!(
                "crease: no parameters cached at {}; building them (once)",
                sel.path.display()
            ),
            Err(source) => {
                return Err(CliError::Io {
                    path: sel.path.clone(),
                    source,
                })
            }
        }
    }
    let phase = Phase::spinner("setup", &format!("{} chains", sel.chains.len()));
    let params = crease::setup(
        &sel.isa,
        &chains::setup_config(&sel.chains, sel.key.source()),
    )?;
    phase.finish();
    let mut bytes = MAGIC.to_vec();
    bytes.extend(sel.digest);
    bytes.extend(params.to_bytes()?);
    write_atomically(&sel.path, &bytes)?;
    Ok(Loaded {
        params,
        size: bytes.len() as u64,
        built: true,
        time: start.elapsed(),
    })
}

/// Writes a file through a temporary name, so a crash never leaves half a file behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CliError::Io { path, source }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}
