//! A proof's finished work on disk, so that an interrupted prover run again with the same
//! arguments resumes instead of starting over.
//!
//! The work directory holds the run's key (a hash of everything the proof depends on), pass
//! 1's result (every batch's `W1` commitment and fingerprint, the scan entries, the table
//! counts, the exit code and step count) and, per instruction chain, the leaves finished so
//! far and the roots of the finished subtrees. Every file ends with a SHA-256 of its
//! contents and is replaced atomically; a file that is damaged, or belongs to another run,
//! is ignored and its work done again.

use std::path::{Path, PathBuf};

use ark_ff::{BigInteger, PrimeField};
use crease_circuits::scan::{Cell, ScanEntry};
use crease_folding::encode::{ByteReader, ByteWriter};
use crease_folding::tree::Node;
use crease_folding::G1;
use crease_nvm::{Input, Program};
use sha2::{Digest, Sha256};

use crate::proof::TableCount;
use crate::{Error, Params};

const KEY_FILE: &str = "run.key";
const PASS1_FILE: &str = "pass1.bin";
const FILE_HEADER: &[u8; 8] = b"CRSWRK01";

/// What pass 1 leaves, as saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pass1State {
    pub commitments: Vec<Vec<G1>>,
    pub fingerprints: Vec<Vec<u64>>,
    pub entries: Vec<ScanEntry>,
    pub counts: Vec<TableCount>,
    pub exit_code: u32,
    pub steps: u64,
}

/// One chain's finished tree work: leaves proven and merged in, and the subtree roots
/// with their levels.
pub(crate) struct ChainState {
    pub leaves: usize,
    pub stack: Vec<(u32, Node)>,
}

/// The work directory of one run.
pub(crate) struct WorkDir {
    dir: PathBuf,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The run's key: the parameters, the program, the input and the options that shape the
/// proof.
pub(crate) fn run_key(
    params: &Params,
    program: &Program,
    input: &Input,
    segment: usize,
    leaf_steps: usize,
    direct_steps: usize,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"crease/pcd/work");
    h.update(params.digest().into_bigint().to_bytes_le());
    h.update(program.digest());
    for part in [&input.public, &input.private] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update((segment as u64).to_le_bytes());
    h.update((leaf_steps as u64).to_le_bytes());
    h.update((direct_steps as u64).to_le_bytes());
    h.finalize().into()
}

impl WorkDir {
    /// Opens `dir` for the run `key`: creates it, or clears the files of another run.
    pub(crate) fn open(dir: &Path, key: [u8; 32]) -> Result<Self, Error> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let key_path = dir.join(KEY_FILE);
        let same = std::fs::read(&key_path).is_ok_and(|k| k == key);
        if !same {
            for e in std::fs::read_dir(dir).map_err(io(dir))? {
                let path = e.map_err(io(dir))?.path();
                if path.extension().is_some_and(|x| x == "bin") {
                    std::fs::remove_file(&path).map_err(io(&path))?;
                }
            }
            write_atomically(&key_path, &key)?;
        }
        Ok(WorkDir {
            dir: dir.to_path_buf(),
        })
    }

    /// Removes the directory once the proof is made.
    pub(crate) fn finish(self) -> Result<(), Error> {
        std::fs::remove_dir_all(&self.dir).map_err(io(&self.dir))
    }

    fn chain_path(&self, chain: usize) -> PathBuf {
        self.dir.join(format!("chain-{chain}.bin"))
    }

    pub(crate) fn save_pass1(&self, s: &Pass1State) -> Result<(), Error> {
        let mut w = ByteWriter::default();
        w.varint(s.commitments.len() as u64);
        for (cms, fps) in s.commitments.iter().zip(&s.fingerprints) {
            w.points(cms)?;
            w.varint(fps.len() as u64);
            for &f in fps {
                w.out.extend_from_slice(&f.to_le_bytes());
            }
        }
        w.varint(s.entries.len() as u64);
        for e in &s.entries {
            w.varint(e.cell.space);
            w.varint(e.cell.addr as u64);
            match e.init {
                Some(v) => {
                    w.varint(1);
                    w.varint(v as u64);
                }
                None => w.varint(0),
            }
            w.varint(e.value as u64);
            w.varint(e.ts);
        }
        w.varint(s.counts.len() as u64);
        for c in &s.counts {
            w.varint(c.row as u64);
            w.varint(c.count);
        }
        w.varint(s.exit_code as u64);
        w.varint(s.steps);
        write_checked(&self.dir.join(PASS1_FILE), &w.out)
    }

    /// Pass 1's saved result, if there is one intact.
    pub(crate) fn load_pass1(&self) -> Option<Pass1State> {
        let body = read_checked(&self.dir.join(PASS1_FILE))?;
        decode_pass1(&body).ok()
    }

    pub(crate) fn save_chain(
        &self,
        chain: usize,
        leaves: usize,
        stack: &[(u32, Node)],
    ) -> Result<(), Error> {
        let mut w = ByteWriter::default();
        w.varint(leaves as u64);
        w.varint(stack.len() as u64);
        for (level, node) in stack {
            w.varint(*level as u64);
            w.bytes(&node.to_bytes()?);
        }
        write_checked(&self.chain_path(chain), &w.out)
    }

    /// A chain's saved tree work, if there is some intact.
    pub(crate) fn load_chain(&self, chain: usize) -> Option<ChainState> {
        let body = read_checked(&self.chain_path(chain))?;
        let mut r = ByteReader::new(&body);
        let leaves = r.varint().ok()? as usize;
        let n = r.count(2).ok()?;
        let mut stack = Vec::with_capacity(n);
        for _ in 0..n {
            let level = u32::try_from(r.varint().ok()?).ok()?;
            stack.push((level, Node::from_bytes(r.bytes().ok()?).ok()?));
        }
        r.finish().ok()?;
        Some(ChainState { leaves, stack })
    }
}

fn decode_pass1(body: &[u8]) -> Result<Pass1State, Error> {
    let mut r = ByteReader::new(body);
    let n = r.count(1)?;
    let (mut commitments, mut fingerprints) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        commitments.push(r.points()?);
        let m = r.count(8)?;
        let fps = (0..m)
            .map(|_| {
                let b = r.take(8)?;
                Ok(u64::from_le_bytes(b.try_into().unwrap_or_default()))
            })
            .collect::<Result<Vec<u64>, Error>>()?;
        fingerprints.push(fps);
    }
    let small = |v: u64| u32::try_from(v).map_err(|_| crease_folding::Error::Malformed("word"));
    let m = r.count(4)?;
    let mut entries = Vec::with_capacity(m);
    for _ in 0..m {
        let space = r.varint()?;
        let addr = small(r.varint()?)?;
        let init = match r.varint()? {
            0 => None,
            _ => Some(small(r.varint()?)?),
        };
        entries.push(ScanEntry {
            cell: Cell { space, addr },
            init,
            value: small(r.varint()?)?,
            ts: r.varint()?,
        });
    }
    let c = r.count(2)?;
    let counts = (0..c)
        .map(|_| {
            Ok(TableCount {
                row: small(r.varint()?)?,
                count: r.varint()?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let exit_code = small(r.varint()?)?;
    let steps = r.varint()?;
    r.finish()?;
    Ok(Pass1State {
        commitments,
        fingerprints,
        entries,
        counts,
        exit_code,
        steps,
    })
}

/// Writes `header ‖ body ‖ SHA-256(body)` atomically.
fn write_checked(path: &Path, body: &[u8]) -> Result<(), Error> {
    let mut out = FILE_HEADER.to_vec();
    out.extend_from_slice(body);
    out.extend_from_slice(&Sha256::digest(body));
    write_atomically(path, &out)
}

/// The body of a file [`write_checked`] wrote, if it is intact.
fn read_checked(path: &Path) -> Option<Vec<u8>> {
    let bytes = std::fs::read(path).ok()?;
    let rest = bytes.strip_prefix(FILE_HEADER.as_slice())?;
    let (body, digest) = rest.split_at_checked(rest.len().checked_sub(32)?)?;
    (Sha256::digest(body).as_slice() == digest).then(|| body.to_vec())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip_and_damage_is_ignored() {
        let dir = std::env::temp_dir().join(format!("crease-work-{}", std::process::id()));
        let w = WorkDir::open(&dir, [7; 32]).expect("opens");
        let s = Pass1State {
            commitments: vec![vec![G1::default()], vec![]],
            fingerprints: vec![vec![u64::MAX], vec![]],
            entries: vec![ScanEntry {
                cell: Cell { space: 2, addr: 8 },
                init: Some(5),
                value: 6,
                ts: 1 << 33,
            }],
            counts: vec![TableCount { row: 3, count: 9 }],
            exit_code: 1,
            steps: 99,
        };
        w.save_pass1(&s).expect("saves");
        assert_eq!(w.load_pass1(), Some(s.clone()));
        let path = dir.join(PASS1_FILE);
        let mut bytes = std::fs::read(&path).expect("reads");
        let at = bytes.len() / 2;
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes).expect("writes");
        assert_eq!(w.load_pass1(), None, "a damaged file is ignored");
        w.save_pass1(&s).expect("saves");
        // Another run's key clears the directory's work.
        let w = WorkDir::open(&dir, [8; 32]).expect("opens");
        assert_eq!(w.load_pass1(), None);
        w.finish().expect("removes");
        assert!(!dir.exists());
    }
}
