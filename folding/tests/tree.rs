//! The proof tree: honest trees verify, and every binding of the node circuit is attacked.

use std::sync::OnceLock;
use std::time::Instant;

use ark_ff::AdditiveGroup;
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
        let p = TreeParams::new(&chain, &CIRCUIT).unwrap();
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
