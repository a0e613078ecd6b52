//! Set-up: one IVC parameter set per instruction circuit, the scan chain and the table chain.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use ark_ff::PrimeField;
use crease_circuits::isa::sha256_sigma::Sha256Sigma;
use crease_circuits::scan::ScanChain;
use crease_circuits::tables::TableChain;
use crease_circuits::{isa, Batch, InstructionCircuit};
use crease_folding::commitment::{CommitmentKey, PowersOfTauKey, PtauFile};
use crease_folding::direct::DirectShape;
use crease_folding::ivc::{IvcParams, IvcShape, SharedParams};
use crease_folding::poseidon;
use crease_folding::tree::{NodeShape, TreeParams};
use crease_nvm::Isa;
use rayon::prelude::*;

use crate::wire::{Reader, Writer};
use crate::{Error, Fr};

/// Default executions per step of an instruction chain. Measured on the fibonacci guest
/// (11,350 steps, 2 cores): k = 1024 proves at 339 instructions/s, k = 256 at 295 (the
/// recursion overhead of a step is ~26k constraints, so larger batches amortize it better;
/// the proof grows with k: 90 MB against 44 MB in the format before the final fold and the
/// compact encoding).
pub const DEFAULT_K: usize = 1024;
/// Default cells per step of the scan chain.
pub const DEFAULT_SCAN_K: usize = 1024;
/// Default table entries per step of the table chain (about 131k fixed entries plus the
/// program's code: five steps). Measured on the same run: 22.1 s with 2^15, 26.5 s with 2^13.
pub const DEFAULT_TABLE_K: usize = 1 << 15;
/// The largest batch size accepted (a step's `W1` must stay addressable).
const MAX_K: usize = 1 << 20;

const HEADER: &[u8; 8] = b"CRSPCD07";
const DIGEST_LABEL: &[u8] = b"crease/pcd/params";
/// The key marker of the parameter file and digest.
const DEVELOPMENT_KEY: u8 = 0;
const OTHER_KEY: u8 = 1;

fn key_marker(development: bool) -> u8 {
    if development {
        DEVELOPMENT_KEY
    } else {
        OTHER_KEY
    }
}

/// Where the powers-of-τ commitment key comes from. Whoever knows τ can open a commitment
/// to other values and so forge proofs: only a ceremony's key, whose τ nobody knows as
/// long as one contributor was honest, makes proofs sound.
#[derive(Clone)]
pub enum KeySource {
    /// The development key: τ derives from a public seed, so every proof is forgeable.
    /// For tests and first runs.
    Development,
    /// A ceremony's key read from a snarkjs `.ptau` file at set-up (only as many bases as
    /// the parameters need are read, and checked).
    Ptau(PathBuf),
    /// A key already loaded (for example from a `.ptau` file by
    /// [`PtauFile::read_key`]), with at least as many bases as the parameters need.
    Key(Arc<PowersOfTauKey>),
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Development => f.write_str("Development"),
            KeySource::Ptau(path) => f.debug_tuple("Ptau").field(path).finish(),
            KeySource::Key(key) => write!(f, "Key({} bases)", key.bases().len()),
        }
    }
}

/// How to set up: the commitment key, batch sizes and the co-processor circuits besides
/// RV32IM's. There is no default: [`Self::new`] names the key, [`Self::development`] the
/// development key.
#[derive(Clone)]
pub struct SetupConfig {
    /// The commitment key.
    pub key: KeySource,
    /// Executions per step of every instruction chain not named in `k_per_circuit`.
    pub k: usize,
    /// Per-circuit batch sizes, by instruction circuit name.
    pub k_per_circuit: Vec<(String, usize)>,
    /// Cells per step of the scan chain.
    pub scan_k: usize,
    /// Entries per step of the table chain.
    pub table_k: usize,
    /// Instruction circuits of co-processors (the example `sha256_sigma` is always known).
    pub coprocessors: Vec<Arc<dyn InstructionCircuit>>,
}

impl fmt::Debug for SetupConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.coprocessors.iter().map(|c| c.name()).collect();
        f.debug_struct("SetupConfig")
            .field("key", &self.key)
            .field("k", &self.k)
            .field("k_per_circuit", &self.k_per_circuit)
            .field("scan_k", &self.scan_k)
            .field("table_k", &self.table_k)
            .field("coprocessors", &names)
            .finish()
    }
}

impl SetupConfig {
    /// The default batch sizes under `key`.
    pub fn new(key: KeySource) -> Self {
        SetupConfig {
            key,
            k: DEFAULT_K,
            k_per_circuit: Vec::new(),
            scan_k: DEFAULT_SCAN_K,
            table_k: DEFAULT_TABLE_K,
            coprocessors: Vec::new(),
        }
    }

    /// The default batch sizes under the development key (proofs are forgeable: for tests
    /// and first runs).
    pub fn development() -> Self {
        Self::new(KeySource::Development)
    }

    /// The same with one batch size for every instruction chain and the scan.
    pub fn with_k(self, k: usize) -> Self {
        SetupConfig {
            k,
            scan_k: k,
            ..self
        }
    }

    /// The batch size of `circuit`'s chain: the one named for it, else `k` capped by the
    /// circuit's own [`InstructionCircuit::max_batch`].
    fn k_of(&self, circuit: &dyn InstructionCircuit) -> usize {
        let default = circuit.max_batch().map_or(self.k, |cap| self.k.min(cap));
        self.k_per_circuit
            .iter()
            .find(|(n, _)| n == circuit.name())
            .map_or(default, |(_, k)| *k)
    }
}

fn check_k(k: usize) -> Result<usize, Error> {
    if k == 0 || k > MAX_K {
        return Err(Error::Config("batch sizes must lie in 1..=2^20"));
    }
    Ok(k)
}

/// The chain of one instruction circuit: its IVC parameters and the node parameters that
/// merge its leaves (docs/FOLDING.md §8).
#[derive(Clone)]
pub(crate) struct InstChain {
    pub(crate) k: usize,
    pub(crate) circuit: Arc<dyn InstructionCircuit>,
    ivc: IvcParams,
    /// The node section as the parameter file has it, and the digest it states.
    node_bytes: Arc<Vec<u8>>,
    node_digest: Fr,
    /// The node parameters, read from `node_bytes` when a tree is first made or checked
    /// (most runs' chains are one leaf or shown directly, and need none).
    tree: OnceLock<TreeParams>,
    /// The step circuit alone, for chains shown directly (made on first use).
    pub(crate) direct: OnceLock<DirectShape>,
}

impl InstChain {
    fn made(k: usize, circuit: Arc<dyn InstructionCircuit>, tree: TreeParams) -> Self {
        InstChain {
            k,
            circuit,
            ivc: tree.chain().clone(),
            node_bytes: Arc::new(tree.node_to_bytes()),
            node_digest: tree.digest(),
            tree: OnceLock::from(tree),
            direct: OnceLock::new(),
        }
    }

    fn read(
        k: usize,
        circuit: Arc<dyn InstructionCircuit>,
        ivc: IvcParams,
        node_bytes: &[u8],
    ) -> Result<Self, Error> {
        Ok(InstChain {
            k,
            circuit,
            ivc,
            node_digest: TreeParams::node_section_digest(node_bytes)?,
            node_bytes: Arc::new(node_bytes.to_vec()),
            tree: OnceLock::new(),
            direct: OnceLock::new(),
        })
    }

    /// The chain's IVC parameters.
    pub(crate) fn ivc(&self) -> &IvcParams {
        &self.ivc
    }

    /// The chain's node parameters, read on first use; a section whose shape does not
    /// hash to the digest it states (and the parameters' digest covers) is refused.
    pub(crate) fn tree(&self) -> Result<&TreeParams, Error> {
        if let Some(t) = self.tree.get() {
            return Ok(t);
        }
        let t = TreeParams::node_from_bytes(self.ivc.clone(), &self.node_bytes).map_err(|_| {
            Error::Malformed {
                what: "parameters",
                reason: "a node section does not read or match its digest",
            }
        })?;
        Ok(self.tree.get_or_init(|| t))
    }
}

/// Public parameters of every chain of an ISA.
///
/// All chains share one powers-of-τ commitment key (a ceremony's or the development key,
/// recorded in the digest and the file), each using the prefix of bases its shape needs,
/// and one set of CycleFold parameters: [`SharedParams`], held once in memory and once in
/// the file.
#[derive(Clone)]
pub struct Params {
    pub(crate) shared: SharedParams,
    development_key: bool,
    pub(crate) isa_digest: [u8; 32],
    pub(crate) inst: Vec<InstChain>,
    pub(crate) scan_k: usize,
    pub(crate) scan: IvcParams,
    /// The scan's step circuit alone, for a scan shown directly (made on first use).
    scan_direct: OnceLock<DirectShape>,
    pub(crate) table_k: usize,
    pub(crate) table: IvcParams,
    pub(crate) digest: Fr,
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Params")
            .field("circuits", &self.circuit_names().collect::<Vec<_>>())
            .field("scan_k", &self.scan_k)
            .field("table_k", &self.table_k)
            .field("development_key", &self.development_key)
            .field("digest", &self.digest)
            .finish()
    }
}

fn known_circuits(extra: &[Arc<dyn InstructionCircuit>]) -> Vec<Arc<dyn InstructionCircuit>> {
    let mut v: Vec<Arc<dyn InstructionCircuit>> = extra.to_vec();
    v.extend(isa::rv32im());
    v.push(Arc::new(Sha256Sigma));
    v.push(Arc::new(isa::sha256_compress::Sha256Compress));
    v.push(Arc::new(isa::keccak_f1600::KeccakF1600));
    v
}

enum Job {
    Inst(usize),
    Scan,
    Table,
}

/// Sets up the chains of `isa`: one IVC per instruction circuit (batch size from
/// `config`), the scan chain and the table chain. Chains of circuits a program never
/// executes cost nothing when proving.
pub fn setup(isa: &Isa, config: &SetupConfig) -> Result<Params, Error> {
    let circuits = isa::circuits_for(isa, &known_circuits(&config.coprocessors))?;
    let ks: Vec<usize> = circuits
        .iter()
        .map(|c| check_k(config.k_of(&**c)))
        .collect::<Result<_, _>>()?;
    let (scan_k, table_k) = (check_k(config.scan_k)?, check_k(config.table_k)?);
    let jobs: Vec<Job> = (0..circuits.len())
        .map(Job::Inst)
        .chain([Job::Scan, Job::Table])
        .collect();
    let shapes: Vec<IvcShape> = jobs
        .par_iter()
        .map(|j| match j {
            Job::Inst(i) => IvcShape::synthesize(&Batch::new(circuits[*i].clone(), *i, ks[*i])),
            Job::Scan => IvcShape::synthesize(&ScanChain::new(scan_k)),
            Job::Table => IvcShape::synthesize(&TableChain::new(table_k)),
        })
        .collect::<Result<_, _>>()?;
    // One key for all chains and their node circuits: as long as the longest witness part
    // of any of them. The node shapes' sizes do not depend on the key, so they are
    // synthesized under a development key first.
    let chain_need = shapes.iter().map(IvcShape::key_len).max().unwrap_or(0);
    let probe = SharedParams::dev(chain_need)?;
    let node_shapes: Vec<NodeShape> = (0..circuits.len())
        .into_par_iter()
        .map(|i| {
            let chain = IvcParams::new(shapes[i].clone(), &probe)?;
            NodeShape::synthesize(&chain, &Batch::new(circuits[i].clone(), i, ks[i]))
        })
        .collect::<Result<_, crease_folding::Error>>()?;
    let need = node_shapes
        .iter()
        .map(NodeShape::key_len)
        .max()
        .unwrap_or(0)
        .max(chain_need);
    let shared = SharedParams::with_key(key(&config.key, need)?)?;
    let mut made: Vec<IvcParams> = shapes
        .into_par_iter()
        .map(|s| IvcParams::new(s, &shared))
        .collect::<Result<_, _>>()?;
    let (Some(table), Some(scan)) = (made.pop(), made.pop()) else {
        return Err(Error::Config("no chains"));
    };
    let inst = circuits
        .into_par_iter()
        .zip(ks)
        .zip(made)
        .zip(node_shapes)
        .map(|(((circuit, k), ivc), node)| {
            let tree = TreeParams::from_shape(ivc, node)?;
            Ok(InstChain::made(k, circuit, tree))
        })
        .collect::<Result<_, Error>>()?;
    Ok(Params::assemble(
        shared,
        isa.digest(),
        inst,
        scan_k,
        scan,
        table_k,
        table,
    ))
}

/// The first `need` bases of the configured key.
fn key(source: &KeySource, need: usize) -> Result<PowersOfTauKey, Error> {
    Ok(match source {
        KeySource::Development => PowersOfTauKey::development(need),
        KeySource::Ptau(path) => PtauFile::open(path)
            .and_then(|mut f| f.read_key(need))
            .map_err(|source| Error::Ptau {
                path: path.clone(),
                source,
            })?,
        KeySource::Key(key) => key.prefix(need)?,
    })
}

/// A 32-byte digest as two field elements (injective).
pub(crate) fn digest_to_fields(d: &[u8; 32]) -> [Fr; 2] {
    [
        Fr::from_le_bytes_mod_order(&d[..16]),
        Fr::from_le_bytes_mod_order(&d[16..]),
    ]
}

impl Params {
    fn assemble(
        shared: SharedParams,
        isa_digest: [u8; 32],
        inst: Vec<InstChain>,
        scan_k: usize,
        scan: IvcParams,
        table_k: usize,
        table: IvcParams,
    ) -> Params {
        // What the key is, beside the prefix hashes in each chain's digest: a user reads
        // the marker, and the digest of a development set never equals a ceremony's.
        let development_key = shared.key().is_development();
        let mut xs = vec![Fr::from(key_marker(development_key))];
        xs.extend(digest_to_fields(&shared.key_hash()));
        xs.extend(digest_to_fields(&isa_digest));
        xs.push(Fr::from(inst.len() as u64));
        for c in &inst {
            xs.push(Fr::from(c.k as u64));
            xs.push(c.ivc().digest());
            xs.push(c.node_digest);
        }
        xs.extend([
            Fr::from(scan_k as u64),
            scan.digest(),
            Fr::from(table_k as u64),
            table.digest(),
        ]);
        let digest = poseidon::hash(DIGEST_LABEL, &xs);
        Params {
            shared,
            development_key,
            isa_digest,
            inst,
            scan_k,
            scan,
            scan_direct: OnceLock::new(),
            table_k,
            table,
            digest,
        }
    }

    /// The step circuit alone of chain `chain` (an instruction chain's ISA index or
    /// [`crate::Proof::SCAN`]), what a chain shown directly is checked against: synthesized
    /// from the circuit on first use, never read from a file.
    pub(crate) fn direct_shape(&self, chain: u32) -> Result<&DirectShape, Error> {
        if chain == crate::Proof::SCAN {
            if let Some(s) = self.scan_direct.get() {
                return Ok(s);
            }
            let s = DirectShape::synthesize(&ScanChain::new(self.scan_k))?;
            return Ok(self.scan_direct.get_or_init(|| s));
        }
        let c = self
            .inst
            .get(chain as usize)
            .ok_or(Error::Config("no such chain"))?;
        if let Some(s) = c.direct.get() {
            return Ok(s);
        }
        let s = DirectShape::synthesize(&Batch::new(c.circuit.clone(), chain as usize, c.k))?;
        Ok(c.direct.get_or_init(|| s))
    }

    /// The digest of every chain's parameters, the batch sizes, the ISA digest and the key
    /// (whether it is the development key, and a hash of its bases).
    pub fn digest(&self) -> Fr {
        self.digest
    }

    /// Whether the commitment key is the development key, whose τ is public: proofs under
    /// these parameters can be forged.
    pub fn uses_development_key(&self) -> bool {
        self.development_key
    }

    /// SHA-256 of the commitment key the parameters use (its bases and `G2` points).
    pub fn key_hash(&self) -> [u8; 32] {
        self.shared.key_hash()
    }

    /// The digest of the ISA the parameters were made for.
    pub fn isa_digest(&self) -> [u8; 32] {
        self.isa_digest
    }

    /// The instruction circuits' names, in ISA order.
    pub fn circuit_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.inst.iter().map(|c| c.circuit.name())
    }

    /// The instruction circuit at ISA index `i`.
    pub fn circuit(&self, i: usize) -> Option<&Arc<dyn InstructionCircuit>> {
        self.inst.get(i).map(|c| &c.circuit)
    }

    /// The batch size of the chain of ISA index `i`.
    pub fn k(&self, i: usize) -> Option<usize> {
        self.inst.get(i).map(|c| c.k)
    }

    /// The IVC parameters of the chain of ISA index `i` (its augmented circuit's shape).
    pub fn instruction_params(&self, i: usize) -> Option<&IvcParams> {
        self.inst.get(i).map(InstChain::ivc)
    }

    /// The node parameters of the chain of ISA index `i` (read from the parameter file's
    /// section on first use: an error if it is damaged).
    pub fn tree_params(&self, i: usize) -> Option<Result<&TreeParams, Error>> {
        self.inst.get(i).map(InstChain::tree)
    }

    /// Cells per scan step and the scan chain's IVC parameters.
    pub fn scan_params(&self) -> (usize, &IvcParams) {
        (self.scan_k, &self.scan)
    }

    /// Entries per table step and the table chain's IVC parameters.
    pub fn table_params(&self) -> (usize, &IvcParams) {
        (self.table_k, &self.table)
    }

    /// The key and CycleFold parameters all chains share.
    pub fn shared(&self) -> &SharedParams {
        &self.shared
    }

    /// Writes the parameters behind a versioned header: the key marker, the ISA digest, the
    /// shared section (key, CycleFold shape and key) once, then each chain's name, batch
    /// size and own section (compact shape, sizes, digest).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::default();
        w.out.extend_from_slice(HEADER);
        w.out.push(key_marker(self.development_key));
        w.out.extend_from_slice(&self.isa_digest);
        w.bytes(&self.shared.to_bytes()?);
        w.u64(self.inst.len() as u64);
        for c in &self.inst {
            w.bytes(c.circuit.name().as_bytes());
            w.u64(c.k as u64);
            w.bytes(&c.ivc().chain_to_bytes()?);
            w.bytes(&c.node_bytes);
        }
        w.u64(self.scan_k as u64);
        w.bytes(&self.scan.chain_to_bytes()?);
        w.u64(self.table_k as u64);
        w.bytes(&self.table.chain_to_bytes()?);
        Ok(w.out)
    }

    /// Reads parameters written by [`Self::to_bytes`] (instruction circuits of RV32IM and
    /// the example co-processor).
    pub fn from_bytes(bytes: &[u8]) -> Result<Params, Error> {
        Self::from_bytes_with(bytes, &[])
    }

    /// Reads parameters whose ISA includes the given co-processor circuits. Every point is
    /// checked to be on its curve, every chain's digest is recomputed and compared (the
    /// chains in parallel), and the key marker must say what the key is.
    pub fn from_bytes_with(
        bytes: &[u8],
        coprocessors: &[Arc<dyn InstructionCircuit>],
    ) -> Result<Params, Error> {
        let known = known_circuits(coprocessors);
        let mut r = Reader::new(bytes, "parameters");
        r.header(HEADER)?;
        let marker = r.take(1)?[0];
        let mut isa_digest = [0u8; 32];
        isa_digest.copy_from_slice(r.take(32)?);
        let shared_bytes = r.bytes()?;
        let n = r.len(1 << 16)?;
        let bad = |reason| Error::Malformed {
            what: "parameters",
            reason,
        };
        let mut sections = Vec::with_capacity(n + 2);
        let mut nodes = Vec::with_capacity(n);
        let mut heads = Vec::with_capacity(n);
        for _ in 0..n {
            let name = std::str::from_utf8(r.bytes()?).map_err(|_| bad("circuit name"))?;
            let circuit = known
                .iter()
                .find(|c| c.name() == name)
                .cloned()
                .ok_or(bad("unknown instruction circuit"))?;
            let k = check_k(r.u64()? as usize).map_err(|_| bad("batch size"))?;
            heads.push((circuit, k));
            sections.push(r.bytes()?);
            nodes.push(r.bytes()?);
        }
        let scan_k = check_k(r.u64()? as usize).map_err(|_| bad("batch size"))?;
        sections.push(r.bytes()?);
        let table_k = check_k(r.u64()? as usize).map_err(|_| bad("batch size"))?;
        sections.push(r.bytes()?);
        r.finish()?;
        let shared = SharedParams::from_bytes(shared_bytes)?;
        if marker != key_marker(shared.key().is_development()) {
            return Err(bad("the key marker does not match the key"));
        }
        let mut ivcs: Vec<IvcParams> = sections
            .par_iter()
            .map(|b| IvcParams::chain_from_bytes(b, &shared))
            .collect::<Result<_, _>>()?;
        let (Some(table), Some(scan)) = (ivcs.pop(), ivcs.pop()) else {
            return Err(bad("no chains"));
        };
        let inst = heads
            .into_par_iter()
            .zip(ivcs)
            .zip(nodes)
            .map(|(((circuit, k), ivc), node)| InstChain::read(k, circuit, ivc, node))
            .collect::<Result<_, Error>>()?;
        Ok(Params::assemble(
            shared, isa_digest, inst, scan_k, scan, table_k, table,
        ))
    }
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
