//! Proving parameters of an instruction set: one IVC parameter set (augmented circuit shape,
//! CycleFold shape, commitment keys) per chain, cached on disk under a digest of what they
//! depend on, so a second `crease setup` (or `prove`, `verify`) loads instead of rebuilding.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crease_folding::ivc::{IvcParams, DEV_KEY_SEED};
use sha2::{Digest, Sha256};

use crate::chains::Chain;
use crate::error::CliError;
use crate::progress::Phase;

/// The first bytes of a parameter file.
const MAGIC: [u8; 8] = *b"CRSPRM01";
/// Bumped whenever the file layout or a circuit's shape changes meaning.
pub const FORMAT_VERSION: u32 = 1;
/// The environment variable naming the cache directory.
pub const CACHE_ENV: &str = "CREASE_CACHE";

/// The parameters of one chain.
pub struct ChainParams {
    /// The chain's name.
    pub name: String,
    /// Its batch size.
    pub k: usize,
    /// Its IVC parameters.
    pub ivc: IvcParams,
}

/// The parameters of every chain of an instruction set.
pub struct Params {
    /// The digest naming them (of ISA, batch sizes, key seed and format version).
    pub digest: [u8; 32],
    /// One per chain, in the chains' order.
    pub chains: Vec<ChainParams>,
}

/// The digest of what the parameters depend on.
pub fn digest(isa: &crease_nvm::Isa, chains: &[Chain]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"crease/params");
    h.update(FORMAT_VERSION.to_le_bytes());
    h.update(isa.digest());
    for c in chains {
        h.update((c.name.len() as u64).to_le_bytes());
        h.update(c.name.as_bytes());
        h.update((c.k as u64).to_le_bytes());
    }
    h.update((DEV_KEY_SEED.len() as u64).to_le_bytes());
    h.update(DEV_KEY_SEED);
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

/// The file holding the parameters with this digest.
pub fn cache_file(dir: &Path, digest: &[u8; 32]) -> PathBuf {
    dir.join(format!("params-{}.bin", hex(&digest[..8])))
}

impl Params {
    /// Builds the parameters of every chain.
    pub fn build(digest: [u8; 32], chains: &[Chain]) -> Result<Self, CliError> {
        let phase = Phase::new("setup", chains.len() as u64);
        let mut out = Vec::with_capacity(chains.len());
        for (i, c) in chains.iter().enumerate() {
            phase.message(&c.name);
            out.push(ChainParams {
                name: c.name.clone(),
                k: c.k,
                ivc: c.setup(i)?,
            });
            phase.advance(1);
        }
        phase.finish();
        Ok(Params {
            digest,
            chains: out,
        })
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CliError> {
        let mut out = MAGIC.to_vec();
        out.extend(self.digest);
        out.extend((self.chains.len() as u32).to_le_bytes());
        for c in &self.chains {
            let body = c.ivc.to_bytes()?;
            out.extend((c.name.len() as u32).to_le_bytes());
            out.extend(c.name.as_bytes());
            out.extend((c.k as u64).to_le_bytes());
            out.extend((body.len() as u64).to_le_bytes());
            out.extend(body);
        }
        Ok(out)
    }

    /// Reads a parameter file, checking that it holds the parameters of `chains` under
    /// `digest`; `path` names the file in errors.
    pub fn from_bytes(
        bytes: &[u8],
        digest: &[u8; 32],
        chains: &[Chain],
        path: &Path,
    ) -> Result<Self, CliError> {
        let bad = |reason: String| CliError::BadCache {
            path: path.to_path_buf(),
            reason,
        };
        let mut r = Reader { bytes, pos: 0 };
        if r.take(8).ok() != Some(&MAGIC[..]) {
            return Err(bad("not a crease parameter file (bad header)".into()));
        }
        let got = r.take(32).map_err(|_| bad("truncated".into()))?;
        if got != digest {
            return Err(bad(format!(
                "parameters for another instruction set or batch sizes (digest {}, expected {})",
                hex(&got[..8]),
                hex(&digest[..8])
            )));
        }
        let count = r.u32().map_err(|_| bad("truncated".into()))? as usize;
        if count != chains.len() {
            return Err(bad(format!("{count} chains, expected {}", chains.len())));
        }
        let mut out = Vec::with_capacity(count);
        for c in chains {
            let trunc = |_| bad(format!("truncated in chain {}", c.name));
            let name_len = r.u32().map_err(trunc)? as usize;
            let name = r.take(name_len).map_err(trunc)?;
            let k = r.u64().map_err(trunc)?;
            let len = r.u64().map_err(trunc)? as usize;
            let body = r.take(len).map_err(trunc)?;
            if name != c.name.as_bytes() || k != c.k as u64 {
                return Err(bad(format!("chain {} out of place", c.name)));
            }
            let ivc =
                IvcParams::from_bytes(body).map_err(|e| bad(format!("chain {}: {e}", c.name)))?;
            out.push(ChainParams {
                name: c.name.clone(),
                k: c.k,
                ivc,
            });
        }
        if r.pos != bytes.len() {
            return Err(bad("trailing bytes".into()));
        }
        Ok(Params {
            digest: *digest,
            chains: out,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ()> {
        let end = self.pos.checked_add(n).ok_or(())?;
        let s = self.bytes.get(self.pos..end).ok_or(())?;
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, ()> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, ()> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

/// How the parameters were obtained.
pub struct Loaded {
    /// The parameters.
    pub params: Params,
    /// Their file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Whether they were built now (rather than loaded).
    pub built: bool,
    /// Time to build or load them.
    pub time: Duration,
}

/// Loads the cached parameters, or builds and caches them when missing or `force`d.
pub fn load_or_build(
    isa: &crease_nvm::Isa,
    chains: &[Chain],
    dir: &Path,
    force: bool,
) -> Result<Loaded, CliError> {
    let digest = digest(isa, chains);
    let path = cache_file(dir, &digest);
    let start = Instant::now();
    if !force {
        match std::fs::read(&path) {
            Ok(bytes) => {
                let params = Params::from_bytes(&bytes, &digest, chains, &path)?;
                return Ok(Loaded {
                    params,
                    size: bytes.len() as u64,
                    path,
                    built: false,
                    time: start.elapsed(),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!(
                    "crease: no parameters cached at {}; building them (once)",
                    path.display()
                );
            }
            Err(source) => return Err(CliError::Io { path, source }),
        }
    }
    let params = Params::build(digest, chains)?;
    let bytes = params.to_bytes()?;
    let io = |source| CliError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    // Write then rename, so a crash never leaves a half-written file under the final name.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, &bytes).map_err(|source| CliError::Io {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(Loaded {
        params,
        size: bytes.len() as u64,
        path,
        built: true,
        time: start.elapsed(),
    })
}
