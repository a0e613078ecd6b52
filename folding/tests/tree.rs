//! The proof tree: honest trees verify, and every binding of the node circuit is attacked.

use std::sync::OnceLock;
use std::time::Instant;

use ark_ff::{AdditiveGroup, Field};
use crease_folding::ivc::{IvcParams, IvcShape, SharedParams};
use crease_folding::testing::{values, ProductCircuit};
use crease_folding::tree::{self, Node, TreeParams, TreeProof};
use crease_folding::{Fr, G1};

const CIRCUIT: ProductCircuit = ProductCircuit { size: 4, bits: 32 };
const LEAF: usize = 2;

fn params() -> &'static TreeParams {
    static P: OnceLock<TreeParams> = OnceLock::new();
    P.get_or_init(|| {
        let shape = IvcShape::synthesize(&CIRCUIT).unwrap();
        let shared = SharedParams::dev(1 << 18).unwrap();
        let chain = IvcParams::new(shape, &shared).unwrap();
        let t = Instant::now();
        let p = TreeParams::new(chain, &CIRCUIT).unwrap();
        println!("node params: {:?}", t.elapsed());
        p
    })
}

fn exts(steps: usize) -> Vec<Vec<Fr>> {
    (0..steps)
        .map(|i| values(i as u64, CIRCUIT.size, 32))
        .collect()
}

fn gamma() -> Vec<Fr> {
    vec![Fr::from(7u64)]
}

/// The state of `steps` steps from zero: `(0, Σ w)`.
fn z_of(steps: usize) -> Vec<Fr> {
    let sum = exts(steps).iter().flatten().sum();
    vec![Fr::ZERO, sum]
}

fn commitments(steps: usize) -> Vec<G1> {
    let chain = params().chain();
    exts(steps)
        .iter()
        .map(|e| chain.commit_w1(&CIRCUIT, e).unwrap())
        .collect()
}

fn tree_of(steps: usize) -> Node {
    tree::prove(params(), &CIRCUIT, &gamma(), &exts(steps), LEAF).unwrap()
}

fn proof_of(root: &Node) -> TreeProof {
    TreeProof::from_root(params(), root).unwrap()
}

#[test]
fn honest_trees_verify() {
    let p = params();
    println!(
        "node circuit: {} constraints, n_N = {}, chain n_A = {}",
        tree::node_constraints(p),
        p.shape().num_vars(),
        p.chain().shape().num_vars()
    );
    for steps in [2usize, 4, 5, 9] {
        let t = Instant::now();
        let root = tree_of(steps);
        println!(
            "{steps} steps, {} leaves: {:?}",
            steps.div_ceil(LEAF),
            t.elapsed()
        );
        assert_eq!(root.steps(), steps as u64);
        assert_eq!(root.z(), z_of(steps).as_slice());
        let proof = proof_of(&root);
        tree::verify(p, steps as u64, &z_of(steps), &proof).unwrap();
        assert_eq!(
            proof.w1_hash(),
            tree::w1_hash(&commitments(steps), LEAF).unwrap()
        );
        let bytes = root.to_bytes().unwrap();
        assert_eq!(Node::from_bytes(&bytes).unwrap(), root);
    }
}

#[test]
fn the_node_circuit_size_is_pinned() {
    // Per child a leaf and a node hash, the range checks of its CycleFold accumulator and
    // running instances, two scalar fold verifiers and a CycleFold fold; two merges, the
    // CycleFold merge and the output hash (docs/FOLDING.md §8.7).
    assert_eq!(tree::node_constraints(params()), 171_574);
}

fn leaves(sizes: &[usize]) -> Vec<Node> {
    let all = exts(sizes.iter().sum());
    let mut at = 0;
    sizes
        .iter()
        .map(|&n| {
            let leaf = tree::prove_leaf(params(), CIRCUIT, gamma(), &all[at..at + n]).unwrap();
            at += n;
            leaf
        })
        .collect()
}

fn checked_merge(a: &Node, b: &Node) -> Result<Node, crease_folding::Error> {
    let hook = tree::MergeHook {
        check_circuit: true,
        ..Default::default()
    };
    tree::merge_with(params(), &CIRCUIT, a, b, hook)
}

fn rejected(r: Result<Node, crease_folding::Error>) -> bool {
    matches!(r, Err(crease_folding::Error::Unsatisfied("node circuit")))
}

/// Each change to a child's state that its fresh instance's hash binds leaves the node
/// circuit unsatisfied (check 1: the child's `u.x` is the hash of its true state), though
/// every native fold and merge of the tampered child goes through.
#[test]
fn a_node_binds_each_child_completely() {
    let p = params();
    let l = leaves(&[2, 2, 1]);
    let t = Instant::now();
    let n01 = checked_merge(&l[0], &l[1]).expect("an honest merge satisfies the node circuit");
    println!("a merge, with the circuit checked: {:?}", t.elapsed());
    checked_merge(&n01, &l[2]).expect("a node and a leaf");
    checked_merge(&l[2], &n01).expect("a leaf and a node");

    type Edit = fn(&mut Node, &TreeParams);
    let edits: [(&str, Edit); 7] = [
        // The audit's attack: an unsatisfied accumulator traded for the trivial one.
        ("trivial U_A", |n, p| n.trivialize_accumulators(p, false)),
        ("trivial CycleFold accumulator", |n, p| {
            n.trivialize_cyclefold(p)
        }),
        ("step count", |n, _| *n.parts_mut().steps += 1),
        ("z", |n, _| n.parts_mut().z[1] += Fr::ONE),
        ("W1 hash", |n, _| *n.parts_mut().w1_hash += Fr::ONE),
        ("r_E of U_A", |n, _| n.parts_mut().big_a.r_e[0] += Fr::ONE),
        ("u of the CycleFold accumulator", |n, _| {
            n.parts_mut().cf.u += crease_folding::Fq::ONE
        }),
    ];
    for (what, edit) in edits {
        // A leaf child, on either side.
        let mut bad = l[0].clone();
        edit(&mut bad, p);
        assert!(rejected(checked_merge(&bad, &l[1])), "leaf: {what}");
        let mut bad = l[1].clone();
        edit(&mut bad, p);
        assert!(rejected(checked_merge(&l[0], &bad)), "right leaf: {what}");
        // A node child.
        let mut bad = n01.clone();
        edit(&mut bad, p);
        assert!(rejected(checked_merge(&bad, &l[2])), "node: {what}");
    }
    // A node child's node accumulator, traded for the trivial one with its chain one.
    let mut bad = n01.clone();
    bad.trivialize_accumulators(p, true);
    assert!(
        rejected(checked_merge(&bad, &l[2])),
        "node: trivial U_A and U_N"
    );
}

/// A leaf proven under another chain's parameters (the same step circuit, another key)
/// hashes another digest `pp_A`: check 1 rejects it.
#[test]
fn a_leaf_of_another_chain_is_rejected() {
    use crease_folding::commitment::PowersOfTauKey;
    let p = params();
    let shape = IvcShape::synthesize(&CIRCUIT).unwrap();
    let key = PowersOfTauKey::from_seed(b"another chain", shape.key_len());
    let other = IvcParams::new(shape, &SharedParams::with_key(key).unwrap()).unwrap();
    assert_ne!(other.digest(), p.chain().digest());
    let l = leaves(&[2, 2]);
    let stranger = tree::prove_leaf_of_chain(p, &other, CIRCUIT, gamma(), &exts(4)[2..]).unwrap();
    assert_eq!(stranger.z(), l[1].z());
    checked_merge(&l[0], &l[1]).unwrap();
    assert!(rejected(checked_merge(&l[0], &stranger)));
}

/// Leaves swapped or duplicated make another tree, which the node circuit proves, but its
/// `W1` hash is not pass 1's (the caller's check); a dropped leaf changes the step count
/// (the root verifier's check).
#[test]
fn reordered_duplicated_and_dropped_leaves_are_rejected() {
    let p = params();
    let l = leaves(&[2, 2, 1]);
    let m = |a: &Node, b: &Node| tree::merge(p, &CIRCUIT, a, b).unwrap();
    let pass1 = tree::w1_hash(&commitments(5), LEAF).unwrap();
    let z = z_of(5);
    let honest = proof_of(&m(&m(&l[0], &l[1]), &l[2]));
    tree::verify(p, 5, &z, &honest).unwrap();
    assert_eq!(honest.w1_hash(), pass1);

    // Swapped: z is a sum, so it verifies; the W1 hash does not match pass 1.
    let swapped = proof_of(&m(&m(&l[1], &l[0]), &l[2]));
    tree::verify(p, 5, &z, &swapped).unwrap();
    assert_ne!(swapped.w1_hash(), pass1);
    // Duplicated: five steps, another z and another W1 hash.
    let dup = proof_of(&m(&m(&l[0], &l[0]), &l[2]));
    assert!(tree::verify(p, 5, &z, &dup).is_err());
    assert_ne!(dup.w1_hash(), pass1);
    // Dropped: three steps.
    let dropped = proof_of(&m(&l[0], &l[2]));
    assert!(tree::verify(p, 5, &z, &dropped).is_err());
    // Another shape of the same leaves: (0, (1, 2)).
    let reshaped = proof_of(&m(&l[0], &m(&l[1], &l[2])));
    tree::verify(p, 5, &z, &reshaped).unwrap();
    assert_ne!(reshaped.w1_hash(), pass1);
}

/// A forged merge message gives a merged accumulator that no witness satisfies, which the
/// root's checks find (here the merge is the root's, so its `U_A` check; deeper, the next
/// merge carries the false claim up); a tampered final fold fails the same way.
#[test]
fn forged_merges_and_final_folds_are_rejected() {
    let p = params();
    let l = leaves(&[2, 2]);
    let z = z_of(4);
    let hook = tree::MergeHook {
        forge_merge_t: true,
        ..Default::default()
    };
    let forged = tree::merge_with(p, &CIRCUIT, &l[0], &l[1], hook).unwrap();
    let proof = proof_of(&forged);
    assert!(matches!(
        tree::verify(p, 4, &z, &proof),
        Err(crease_folding::Error::Unsatisfied(_))
    ));
    let deeper = tree::merge(p, &CIRCUIT, &forged, &leaves(&[1])[0]).unwrap();
    assert!(tree::verify(p, 5, &z_of(5), &proof_of(&deeper)).is_err());

    let mut proof = proof_of(&tree::merge(p, &CIRCUIT, &l[0], &l[1]).unwrap());
    tree::verify(p, 4, &z, &proof).unwrap();
    proof.node_mut().unwrap().fold_mut().t += Fr::ONE;
    assert!(tree::verify(p, 4, &z, &proof).is_err());
}

#[test]
fn a_merge_costs_about_a_few_leaf_steps() {
    let p = params();
    let t = Instant::now();
    let l = leaves(&[4, 4]);
    let step = t.elapsed() / 8;
    let t = Instant::now();
    let _ = tree::merge(p, &CIRCUIT, &l[0], &l[1]).unwrap();
    println!("leaf step {step:?}, merge {:?}", t.elapsed());
}
