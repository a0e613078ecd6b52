//! The proof tree end to end: a chain's leaves reordered, dropped, duplicated or merged with
//! a forged message, through the real prover (feature `tamper`: `RunWitness::tree_edit`)
//! and the real verifier (docs/SOUNDNESS.md, "The proof tree").
//!
//! Each edit is made two ways: after the challenges, so that pass 1 hashed the honest tree,
//! and as a consistent cheater would, hashing the edited tree in pass 1 so that the
//! challenges come from it.

mod support;

use std::sync::OnceLock;

use crease::pcd::{prove_witness, run_witness, Rejection, RunWitness, TreeEdit};
use crease::{setup, verify, Error, Input, Isa, Params, Program, SetupConfig};
use support::hand::{self, push_li};

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| setup(&Isa::rv32im(), &SetupConfig::development().with_k(64)).expect("setup"))
}

/// ~900 instructions: five batches of 64 in each of `alu_imm`, `alu_reg` and `branch`,
/// proven as trees of five one-batch leaves.
fn run() -> (Program, RunWitness, u32) {
    let mut c = Vec::new();
    push_li(&mut c, 9, 0x1234_5678);
    hand::push_sum_output_exit(&mut c, 300);
    let program = hand::program(&c, &Isa::rv32im());
    let (mut w, exec) = run_witness(params(), &program, &Input::default()).expect("runs");
    assert_eq!(exec.exit_code, 300 * 301 / 2 + 7);
    w.leaf_steps = 1;
    let chain = params()
        .circuit_names()
        .position(|n| n == "alu_reg")
        .expect("alu_reg") as u32;
    (program, w, chain)
}

fn outcome(program: &Program, w: &RunWitness) -> Result<crease::Statement, Error> {
    let proof = prove_witness(params(), program, &[], w).expect("the prover folds any tree");
    verify(params(), program, &[], &proof)
}

fn assert_rejected_by(r: Result<crease::Statement, Error>, expected: &[Rejection], what: &str) {
    match r {
        Err(Error::Rejected(got)) if expected.contains(&got) => {}
        Err(e) => panic!("{what}: rejected for another reason than {expected:?}: {e}"),
        Ok(st) => panic!("{what}: accepted: {st:?}"),
    }
}

#[test]
fn the_honest_tree_verifies() {
    let (program, w, _) = run();
    let st = outcome(&program, &w).expect("verifies");
    assert_eq!(st.exit_code, 300 * 301 / 2 + 7);
}

/// Leaves swapped after the challenges change the root's `W1` hash, so the challenges the
/// verifier derives are not the ones the chains were folded with. Swapped before them, the
/// tree proves the same statement: memory checking and the chains' sums do not depend on
/// the order of a chain's batches, so the order is the prover's to choose, and the `W1`
/// hash only has to fix it before the challenges.
#[test]
fn swapped_leaves_are_bound_by_the_w1_hash() {
    let (program, mut w, chain) = run();
    w.tree_edit = Some(TreeEdit::Swap { chain, leaf: 1 });
    assert_rejected_by(
        outcome(&program, &w),
        &[Rejection::Challenges],
        "swapped after",
    );
    w.tree_edit_in_pass1 = true;
    let st = outcome(&program, &w).expect("the same statement, another order");
    assert_eq!(st.exit_code, 300 * 301 / 2 + 7);
}

/// A dropped leaf leaves its memory tuples and lookups out of the chain's sums; a
/// duplicated one counts them twice.
#[test]
fn dropped_and_duplicated_leaves_are_rejected() {
    let (program, w, chain) = run();
    for edit in [
        TreeEdit::Drop { chain, leaf: 2 },
        TreeEdit::Duplicate { chain, leaf: 2 },
        TreeEdit::Drop { chain, leaf: 4 },
    ] {
        let mut w = w.clone();
        w.tree_edit = Some(edit);
        assert_rejected_by(
            outcome(&program, &w),
            &[Rejection::Challenges],
            &format!("{edit:?} after"),
        );
        w.tree_edit_in_pass1 = true;
        assert_rejected_by(
            outcome(&program, &w),
            &[Rejection::Memory, Rejection::Lookups],
            &format!("{edit:?} before"),
        );
    }
}

/// A merge whose message is forged yields an accumulator its witness does not satisfy,
/// which the parent's node circuit carries up to the root.
#[test]
fn a_forged_merge_is_rejected() {
    let (program, mut w, chain) = run();
    w.tree_edit = Some(TreeEdit::ForgeMerge { chain });
    assert_rejected_by(outcome(&program, &w), &[Rejection::Ivc { chain }], "forged");
}

/// Leaves and merges are tasks that take bytes and give bytes: a task read back from its
/// bytes is the same task, running it from bytes gives the node running it in memory gives,
/// and damaged bytes are an error, never a panic.
#[test]
fn leaves_and_merges_run_from_bytes() {
    use crease::circuits::Batch;
    use crease::circuits::Fr;
    use crease::pcd::{run_task, LeafTask, MergeTask, Task};

    let (_, w, chain) = run();
    let params = params();
    let i = chain as usize;
    let (circuit, k) = (params.circuit(i).expect("circuit"), params.k(i).expect("k"));
    let batch = Batch::new(circuit.clone(), i, k);
    let recs: Vec<_> = w
        .records
        .iter()
        .filter(|(j, _)| *j == i)
        .map(|(_, r)| r.clone())
        .collect();
    let ivc = params.instruction_params(i).expect("chain");
    let leaf = |n: usize| {
        let batches: Vec<_> = recs
            .chunks(k)
            .skip(n)
            .take(2)
            .map(|c| batch.witness(c).expect("witness"))
            .collect();
        let commitments = batches
            .iter()
            .map(|b| ivc.commit_w1(&batch, b).expect("commits"))
            .collect();
        Task::Leaf(LeafTask {
            chain,
            constants: [Fr::from(3u64), Fr::from(5u64), Fr::from(7u64)],
            batches,
            commitments,
        })
    };
    let (a, b) = (leaf(0), leaf(2));
    let bytes = a.to_bytes().expect("writes");
    assert_eq!(Task::from_bytes(&bytes).expect("reads"), a);
    let left = run_task(params, &bytes).expect("runs");
    assert_eq!(
        left,
        a.run(params).expect("runs").to_bytes().expect("writes")
    );
    let right = run_task(params, &b.to_bytes().expect("writes")).expect("runs");
    let merge = Task::Merge(Box::new(MergeTask {
        chain,
        left: crease::pcd::Node::from_bytes(&left).expect("node"),
        right: crease::pcd::Node::from_bytes(&right).expect("node"),
    }));
    let merge_bytes = merge.to_bytes().expect("writes");
    let node = run_task(params, &merge_bytes).expect("merges");
    assert_eq!(
        crease::pcd::Node::from_bytes(&node).expect("node").steps(),
        4
    );

    for bytes in [&bytes, &merge_bytes] {
        for cut in [0, 7, 8, 9, bytes.len() / 2, bytes.len() - 1] {
            assert!(Task::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in (0..bytes.len()).step_by(bytes.len() / 97 + 1) {
            let mut bad = bytes.clone();
            bad[at] ^= 0x5a;
            if let Ok(t) = Task::from_bytes(&bad) {
                assert_ne!(t.to_bytes().expect("writes"), *bytes, "byte {at}");
            }
        }
    }
    let mut other = a.clone();
    if let Task::Leaf(t) = &mut other {
        t.chain = 1000;
    }
    assert!(run_task(params, &other.to_bytes().expect("writes")).is_err());
}

/// A prover stopped part-way keeps pass 1's result and each chain's finished subtrees in its
/// work directory; run again with the same arguments it resumes from them (a damaged file
/// is ignored and its work done again), and the proof is the one an uninterrupted run makes.
#[test]
fn an_interrupted_proof_resumes_from_its_finished_work() {
    let (program, _, _) = run();
    let dir = std::env::temp_dir().join(format!("crease-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = |stop: Option<usize>, work: bool| crease::ProveOptions {
        segment: 200,
        leaf_steps: 1,
        work_dir: work.then(|| dir.clone()),
        stop_after_leaves: stop,
        ..Default::default()
    };
    let prove = |o: crease::ProveOptions| {
        crease::prove_with(params(), &program, &Input::default(), &o, None)
            .map(|(p, _)| p.to_bytes().expect("writes"))
    };
    let whole = prove(options(None, false)).expect("proves");
    let e = prove(options(Some(4), true)).expect_err("stopped");
    assert!(matches!(e, Error::Interrupted), "{e}");
    let saved: Vec<String> = std::fs::read_dir(&dir)
        .expect("work dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(saved.iter().any(|f| f == "pass1.bin"), "{saved:?}");
    assert!(saved.iter().any(|f| f.starts_with("chain-")), "{saved:?}");
    // Resume, stop again, damage one chain's file, then finish.
    let e = prove(options(Some(4), true)).expect_err("stopped again");
    assert!(matches!(e, Error::Interrupted), "{e}");
    let chain_file = std::fs::read_dir(&dir)
        .expect("work dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.to_string_lossy().contains("chain-"))
        .expect("a chain file");
    let mut bytes = std::fs::read(&chain_file).expect("reads");
    let at = bytes.len() / 3;
    bytes[at] ^= 0x10;
    std::fs::write(&chain_file, bytes).expect("writes");
    let resumed = prove(options(None, true)).expect("finishes");
    assert!(resumed == whole, "the resumed proof differs");
    assert!(
        !dir.exists(),
        "the work directory is removed once the proof is made"
    );
}
