//! Compressed proofs: the chains' bodies without their witnesses, and one decider argument
//! that every relation they leave is satisfied (docs/DECIDER.md).
//!
//! [`compress`] checks a proof, keeps of each chain what the verifier reduces (a folded
//! chain's root without its witnesses, a shown chain's steps by their commitments), and
//! proves in one batched argument ([`crease_decider::spartan`]) that all the primary
//! instances this leaves are satisfied, and in another ([`crease_decider::cyclefold`]) that
//! the merged CycleFold accumulators are. [`verify_compressed`] makes the same claims
//! checks, challenges and balance equations as [`crate::verify`], reduces every chain as it
//! does, and checks the two arguments in place of the witnesses.

use ark_ff::{AdditiveGroup, Field};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress};
use crease_circuits::tables::Entry;
use crease_decider::cyclefold::{self as cf_decider, CfProof};
use crease_decider::lookup::{self, LookupProof};
use crease_decider::opening::OpeningKey;
use crease_decider::spartan::{self, SpartanProof};
use crease_folding::commitment::{CommitmentKey, PedersenKey, PowersOfTauKey};
use crease_folding::cyclefold::{extended_key, CfInstance, CfWitness};
use crease_folding::direct::{committed_instances, committed_w1_hash, CommittedStep};
use crease_folding::obligation::{Obligations, PrimaryInstance};
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::{R1csShape, RunningInstance, Witness};
use crease_folding::tree::TreeProof;
use crease_folding::{ivc, tree, G1};
use crease_nvm::Program;

use crate::proof::{ChainBody, OutputWord};
use crate::transcript::{count_commitments, ChainHash, COUNT_CHUNK};
use crate::verifier::{check_balances, check_claims, claimed_challenges, Claimed, Statement};
use crate::{Error, Fr, Params, Proof, Rejection};

const HEADER: &[u8; 8] = b"CRSCMP02";
const LABEL: &[u8] = b"crease/compressed";

/// A compressed proof: see the module docs.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CompressedProof {
    params_digest: Fr,
    exit_code: u32,
    steps: u64,
    output: Vec<OutputWord>,
    /// The instruction chains by increasing ISA index, then the scan.
    chains: Vec<CompressedChain>,
    /// Commitments to the table counts, as the transcript absorbs them.
    count_commitments: Vec<G1>,
    primary: SpartanProof,
    cyclefold: Option<CfProof>,
    lookups: LookupProof,
}

/// One chain of a compressed proof.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CompressedChain {
    chain: u32,
    z: Vec<Fr>,
    body: CompressedBody,
}

impl CompressedChain {
    /// Test hook: the chain's index, final state and body.
    #[doc(hidden)]
    pub fn parts_mut_for_test(&mut self) -> (&mut u32, &mut Vec<Fr>, &mut CompressedBody) {
        (&mut self.chain, &mut self.z, &mut self.body)
    }
}

/// A folded chain's root without its witnesses, or a shown chain's steps by commitment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompressedBody {
    /// [`TreeProof::without_witnesses`].
    Folded(TreeProof),
    /// [`crease_folding::direct::DirectProof::commit`].
    Committed(Vec<CommittedStep>),
}

impl CompressedBody {
    fn steps(&self) -> u64 {
        match self {
            CompressedBody::Folded(t) => t.steps(),
            CompressedBody::Committed(s) => s.len() as u64,
        }
    }
}

impl CompressedChain {
    /// The chain as the transcript sees it: the `W1` hash a folded root carries, or that of
    /// the committed steps' `W1` commitments (the same as of the steps themselves).
    fn chain_hash(&self) -> ChainHash {
        ChainHash {
            chain: self.chain,
            steps: self.body.steps(),
            w1_hash: match &self.body {
                CompressedBody::Folded(t) => t.w1_hash(),
                CompressedBody::Committed(s) => committed_w1_hash(s),
            },
        }
    }
}

crate::proof::two_variant_canonical!(
    CompressedBody,
    Folded(TreeProof),
    Committed(Vec<CommittedStep>)
);

impl CompressedProof {
    /// Whether `bytes` start as a compressed proof of any version does (a verifier's
    /// dispatch: another version is then refused as a compressed proof, by its header).
    pub fn is_compressed(bytes: &[u8]) -> bool {
        bytes.starts_with(&HEADER[..6])
    }

    /// Writes the proof behind a versioned header.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        crate::proof::write_versioned(HEADER, self)
    }

    /// Reads a proof written by [`Self::to_bytes`]; any damage gives an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<CompressedProof, Error> {
        crate::proof::read_versioned(HEADER, "compressed proof", bytes)
    }

    /// The claimed exit code.
    pub fn claimed_exit_code(&self) -> i32 {
        self.exit_code as i32
    }

    /// The claimed number of steps.
    pub fn claimed_steps(&self) -> u64 {
        self.steps
    }

    /// Test hook: the claimed statement.
    #[doc(hidden)]
    pub fn claims_mut(&mut self) -> (&mut u32, &mut u64, &mut Vec<OutputWord>) {
        (&mut self.exit_code, &mut self.steps, &mut self.output)
    }

    /// Test hook: the decider arguments.
    #[doc(hidden)]
    pub fn arguments_mut(&mut self) -> (&mut SpartanProof, Option<&mut CfProof>) {
        (&mut self.primary, self.cyclefold.as_mut())
    }

    /// Bytes of each part of the encoding: the claims, the folded chains' roots, the shown
    /// chains' committed steps, the count commitments, and the three arguments.
    pub fn size_breakdown(&self) -> Vec<(&'static str, usize)> {
        let c = Compress::Yes;
        let (mut folded, mut shown) = (0, 0);
        for ch in &self.chains {
            match &ch.body {
                CompressedBody::Folded(_) => folded += ch.serialized_size(c),
                CompressedBody::Committed(_) => shown += ch.serialized_size(c),
            }
        }
        vec![
            (
                "claims",
                HEADER.len()
                    + self.params_digest.serialized_size(c)
                    + self.exit_code.serialized_size(c)
                    + self.steps.serialized_size(c)
                    + self.output.serialized_size(c),
            ),
            ("folded chains", folded),
            ("shown chains", shown),
            (
                "count commitments",
                self.count_commitments.serialized_size(c),
            ),
            ("primary argument", self.primary.serialized_size(c)),
            ("CycleFold argument", self.cyclefold.serialized_size(c)),
            ("lookup argument", self.lookups.serialized_size(c)),
        ]
    }

    /// Test hook: the table side's argument.
    #[doc(hidden)]
    pub fn lookups_mut_for_test(&mut self) -> &mut LookupProof {
        &mut self.lookups
    }

    /// Test hook: the chains.
    #[doc(hidden)]
    pub fn chains_mut_for_test(&mut self) -> &mut Vec<CompressedChain> {
        &mut self.chains
    }

    /// Test hook: the count commitments.
    #[doc(hidden)]
    pub fn count_commitments_mut_for_test(&mut self) -> &mut Vec<G1> {
        &mut self.count_commitments
    }

    /// Test hook: the CycleFold argument, present or not.
    #[doc(hidden)]
    pub fn cyclefold_mut_for_test(&mut self) -> &mut Option<CfProof> {
        &mut self.cyclefold
    }

    fn claimed(&self) -> Claimed<'_> {
        Claimed {
            params_digest: self.params_digest,
            exit_code: self.exit_code,
            steps: self.steps,
            output: &self.output,
            chains: self.chains.iter().map(|c| c.chain).collect(),
            table_counts: None,
        }
    }
}

/// The relations a batch leaves, in chain order: primary instances (each with its shape
/// and, on the prover's side, its witness) and CycleFold accumulators.
#[derive(Default)]
struct Batch<'a> {
    shapes: Vec<&'a R1csShape>,
    of: Vec<usize>,
    instances: Vec<PrimaryInstance>,
    witnesses: Vec<&'a Witness>,
    cf: Vec<CfInstance>,
    cf_w: Vec<&'a CfWitness>,
    cf_shape: Option<&'a crease_folding::r1cs::R1csShape<crease_folding::Fq>>,
}

impl<'a> Batch<'a> {
    /// Adds an instance of `shape` (shapes are told apart by address: the parameters hold
    /// one of each) with its witness on the prover's side.
    fn add(&mut self, shape: &'a R1csShape, instance: PrimaryInstance, w: Option<&'a Witness>) {
        let s = match self.shapes.iter().position(|s| std::ptr::eq(*s, shape)) {
            Some(i) => i,
            None => {
                self.shapes.push(shape);
                self.shapes.len() - 1
            }
        };
        self.of.push(s);
        self.instances.push(instance);
        self.witnesses.extend(w);
    }

    fn add_obligations(&mut self, o: Obligations<'a>, with_witnesses: bool) {
        for p in o.primary {
            self.add(p.shape, p.instance, with_witnesses.then_some(p.witness));
        }
        self.cf.push(o.cf.clone());
        if with_witnesses {
            self.cf_w.push(o.cf_w);
        }
        self.cf_shape = Some(o.cf_shape);
    }

    /// Binds the fresh instances, then returns every instance in Mova form, a fresh one
    /// read as relaxed (`u = 1`, `v_E = 0`) at one point squeezed after all of them.
    fn relaxed(&self, t: &mut Transcript) -> Vec<RunningInstance> {
        for inst in &self.instances {
            if let PrimaryInstance::Fresh(u) = inst {
                t.absorb_g1(&u.cw1);
                t.absorb_g1(&u.cw2);
                t.absorb_slice(&u.x);
            }
        }
        let n = self.shapes.iter().map(|s| s.num_vars()).max().unwrap_or(0);
        let point = t.challenges(n);
        self.instances
            .iter()
            .zip(&self.of)
            .map(|(inst, &s)| match inst {
                PrimaryInstance::Running(u) => u.clone(),
                PrimaryInstance::Fresh(u) => RunningInstance {
                    cw1: u.cw1,
                    cw2: u.cw2,
                    x: u.x.clone(),
                    u: Fr::ONE,
                    r_e: point[..self.shapes[s].num_vars()].to_vec(),
                    v_e: Fr::ZERO,
                },
            })
            .collect()
    }

    /// The bases the opening key needs: the longest `W1` or `W2` of the batch.
    fn longest_part(&self) -> usize {
        self.shapes
            .iter()
            .map(|s| s.num_w1.max(s.num_w2))
            .max()
            .unwrap_or(1)
    }
}

/// The BN254 key of `n` bases for an opening: the parameters' key, which holds a base per
/// entry of every committed vector (so `n` bases when `n` is the longest witness part or
/// a count chunk no longer than it), extended when it is the development key.
fn opening_key(params: &Params, n: usize) -> Result<PowersOfTauKey, Error> {
    let key = params.shared().key();
    if key.bases().len() >= n {
        return Ok(key.prefix(n)?);
    }
    if key.is_development() {
        return Ok(PowersOfTauKey::development(n));
    }
    Err(Error::Config(
        "the commitment key is too short to compress: set up with a ceremony file of more powers",
    ))
}

/// Compresses `proof` of `program` on `public_input`: checks it (an error if it does not
/// verify), then builds the compressed proof of the same statement.
pub fn compress(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    proof: &Proof,
) -> Result<CompressedProof, Error> {
    compress_with_progress(params, program, public_input, proof, None)
}

/// [`compress`], telling `report` as each phase starts: `"check"`, `"primary"` (the
/// batched argument for the primary instances), `"cyclefold"`, `"lookups"`.
pub fn compress_with_progress(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    proof: &Proof,
    report: Option<&(dyn Fn(&str) + Sync)>,
) -> Result<CompressedProof, Error> {
    let tell = |phase: &str| {
        if let Some(r) = report {
            r(phase)
        }
    };
    tell("check");
    crate::verify(params, program, public_input, proof)?;
    compress_checked(params, program, public_input, proof, &tell)
}

/// Test hook: [`compress`] without checking the proof first, so that a test can compress
/// a proof whose witnesses do not satisfy their relations and see the compressed verifier
/// reject it.
#[cfg(feature = "tamper")]
#[doc(hidden)]
pub fn compress_unchecked(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    proof: &Proof,
) -> Result<CompressedProof, Error> {
    compress_checked(params, program, public_input, proof, &|_| {})
}

fn compress_checked(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    proof: &Proof,
    tell: &dyn Fn(&str),
) -> Result<CompressedProof, Error> {
    let key = params.shared().key();
    let all: Vec<_> = proof.chains().iter().chain([proof.scan()]).collect();
    let mut chains = Vec::with_capacity(all.len());
    let mut batch = Batch::default();
    for c in &all {
        let body = match &c.body {
            ChainBody::Folded(t) => CompressedBody::Folded(t.without_witnesses()),
            ChainBody::Direct(d) => CompressedBody::Committed(d.commit(key)?),
        };
        chains.push(CompressedChain {
            chain: c.chain,
            z: c.z.clone(),
            body,
        });
    }
    let claimed = Claimed {
        params_digest: proof.params_digest(),
        exit_code: proof.claimed_exit_code() as u32,
        steps: proof.claimed_steps(),
        output: proof.output_words(),
        chains: all.iter().map(|c| c.chain).collect(),
        table_counts: Some(proof.table_counts()),
    };
    let hashes: Vec<ChainHash> = chains.iter().map(CompressedChain::chain_hash).collect();
    let entries = crease_circuits::tables::all_entries(program);
    let count_points = count_commitments(key, proof.table_counts(), entries.len())?;
    let constants = claimed_challenges(
        params,
        program,
        public_input,
        &claimed,
        &hashes,
        &count_points,
    );
    for (c, cc) in all.iter().zip(&chains) {
        let steps = c.body.steps();
        match (&c.body, &cc.body) {
            (ChainBody::Folded(t), _) => {
                batch.add_obligations(reduce(params, c.chain, steps, &c.z, t)?, true)
            }
            (ChainBody::Direct(d), CompressedBody::Committed(s)) => {
                let shape = params.direct_shape(c.chain)?;
                let fresh = committed_instances(shape, s, &constants, &c.z)?;
                for (u, w) in fresh.into_iter().zip(d.witnesses()) {
                    batch.add(shape.shape(), PrimaryInstance::Fresh(u), Some(w));
                }
            }
            _ => unreachable!("bodies are built in pairs above"),
        }
    }
    let mut t = Transcript::new(LABEL);
    t.absorb_slice(&constants);
    let running = batch.relaxed(&mut t);
    tell("primary");
    let opening = opening_key(params, batch.longest_part())?;
    let running: Vec<&RunningInstance> = running.iter().collect();
    let primary = spartan::prove(
        &opening,
        &batch.shapes,
        &batch.of,
        &running,
        &batch.witnesses,
        &mut t,
    )?;
    let cyclefold = match batch.cf_shape {
        None => None,
        Some(shape) => {
            tell("cyclefold");
            let cf_key = extended_key(params.shared().cf_key(), cf_decider::key_len(shape));
            let pairs: Vec<_> = batch.cf.iter().zip(batch.cf_w.iter().copied()).collect();
            Some(cf_decider::prove(shape, &cf_key, &pairs, &mut t)?)
        }
    };
    tell("lookups");
    let mut m = vec![Fr::ZERO; entries.len()];
    for c in proof.table_counts() {
        m[c.row as usize] = Fr::from(c.count);
    }
    let d = denominators(&entries, &constants)?;
    let claim: Fr = m.iter().zip(&d).map(|(a, b)| *a * b).sum();
    let count_key = opening_key(params, COUNT_CHUNK)?;
    let lookups = lookup::prove(
        &count_key,
        COUNT_CHUNK,
        &count_points,
        &m,
        &d,
        claim,
        &mut t,
    )?;
    Ok(CompressedProof {
        params_digest: proof.params_digest(),
        exit_code: proof.claimed_exit_code() as u32,
        steps: proof.claimed_steps(),
        output: proof.output_words().to_vec(),
        chains,
        count_commitments: count_points,
        primary,
        cyclefold,
        lookups,
    })
}

/// `1/(β − payload − α·tag)` of every table row (a zero denominator rejects the proof, as
/// the listed-count verifier does).
fn denominators(entries: &[Entry], constants: &[Fr; 3]) -> Result<Vec<Fr>, Error> {
    let [_, beta, alpha] = *constants;
    let mut d: Vec<Fr> = entries
        .iter()
        .map(|e| beta - e.payload - alpha * Fr::from(e.tag))
        .collect();
    if d.contains(&Fr::ZERO) {
        return Err(Error::Rejected(Rejection::Lookups));
    }
    ark_ff::batch_inversion(&mut d);
    Ok(d)
}

/// The obligations of a folded chain: a tree for an instruction chain, an IVC run for the
/// scan.
fn reduce<'a>(
    params: &'a Params,
    chain: u32,
    steps: u64,
    z: &[Fr],
    t: &'a TreeProof,
) -> Result<Obligations<'a>, Error> {
    let bad = || Error::Rejected(Rejection::Ivc { chain });
    if chain == Proof::SCAN {
        let leaf = t.leaf().ok_or_else(bad)?;
        ivc::reduce(params.scan_params().1, steps, &[Fr::ZERO; 5], z, leaf).map_err(|_| bad())
    } else {
        let tp = params.tree_params(chain as usize).ok_or_else(bad)??;
        tree::reduce(tp, steps, z, t).map_err(|_| bad())
    }
}

/// Verifies a compressed proof of `program` on `public_input`; returns what it proves.
pub fn verify_compressed(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    proof: &CompressedProof,
) -> Result<Statement, Error> {
    let claimed = proof.claimed();
    let entries = check_claims(params, program, &claimed)?;
    let hashes: Vec<ChainHash> = proof
        .chains
        .iter()
        .map(CompressedChain::chain_hash)
        .collect();
    let constants = claimed_challenges(
        params,
        program,
        public_input,
        &claimed,
        &hashes,
        &proof.count_commitments,
    );
    let mut batch = Batch::default();
    for c in &proof.chains {
        let bad = || Error::Rejected(Rejection::Ivc { chain: c.chain });
        let arity = if c.chain == Proof::SCAN { 5 } else { 2 };
        if c.z.len() != arity {
            return Err(bad());
        }
        match &c.body {
            CompressedBody::Folded(t) => {
                if t.constants() != constants {
                    return Err(Error::Rejected(Rejection::Challenges));
                }
                batch.add_obligations(reduce(params, c.chain, t.steps(), &c.z, t)?, false);
            }
            CompressedBody::Committed(s) => {
                let shape = params.direct_shape(c.chain)?;
                let fresh = committed_instances(shape, s, &constants, &c.z).map_err(|_| bad())?;
                for u in fresh {
                    batch.add(shape.shape(), PrimaryInstance::Fresh(u), None);
                }
            }
        }
    }
    let rejected = |part| Error::Rejected(Rejection::Decider(part));
    let mut t = Transcript::new(LABEL);
    t.absorb_slice(&constants);
    let running = batch.relaxed(&mut t);
    let vk = OpeningKey::of(params.shared().key()).map_err(|_| rejected("primary instances"))?;
    let running: Vec<&RunningInstance> = running.iter().collect();
    spartan::verify(
        &vk,
        &batch.shapes,
        &batch.of,
        &running,
        &proof.primary,
        &mut t,
    )
    .map_err(|_| rejected("primary instances"))?;
    match (batch.cf_shape, &proof.cyclefold) {
        (None, None) => {}
        (Some(shape), Some(p)) => {
            let cf_key: PedersenKey =
                extended_key(params.shared().cf_key(), cf_decider::key_len(shape));
            let accs: Vec<&CfInstance> = batch.cf.iter().collect();
            cf_decider::verify(shape, cf_key.bases(), &accs, p, &mut t)
                .map_err(|_| rejected("CycleFold accumulators"))?;
        }
        _ => return Err(rejected("CycleFold accumulators")),
    }
    // Lookups: the chains' sum is the table side, over the verifier's own rows, of the
    // committed counts.
    let zs: Vec<&[Fr]> = proof.chains.iter().map(|c| &c.z[..]).collect();
    if zs.iter().any(|z| z.len() < 2) {
        return Err(Error::Rejected(Rejection::Lookups));
    }
    let claim: Fr = zs.iter().map(|z| z[1]).sum();
    let d = denominators(&entries, &constants)?;
    lookup::verify(
        &vk,
        COUNT_CHUNK,
        &proof.count_commitments,
        &d,
        claim,
        &proof.lookups,
        &mut t,
    )
    .map_err(|_| Error::Rejected(Rejection::Lookups))?;
    check_balances(program, public_input, &claimed, &zs, &entries, constants)
}
