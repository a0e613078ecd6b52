//! A cheating prover against the proof tree: kind bits that lie, a leaf that carries a node
//! accumulator, children of other constants or node parameters, damaged node bytes and
//! malformed nodes handed to a merge.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use ark_ff::{AdditiveGroup, Field};
use crease_folding::ivc::{IvcParams, IvcShape, SharedParams};
use crease_folding::testing::{values, ProductCircuit};
use crease_folding::tree::{self, MergeHook, Node, TreeParams, TreeProof};
use crease_folding::{Error, Fr};

const CIRCUIT: ProductCircuit = ProductCircuit { size: 4, bits: 32 };

fn params() -> &'static TreeParams {
    static P: OnceLock<TreeParams> = OnceLock::new();
    P.get_or_init(|| {
        let shape = IvcShape::synthesize(&CIRCUIT).expect("shape");
        let shared = SharedParams::dev(1 << 18).expect("key");
        let chain = IvcParams::new(shape, &shared).expect("chain");
        TreeParams::new(chain, &CIRCUIT).expect("node params")
    })
}

fn exts(steps: usize) -> Vec<Vec<Fr>> {
    (0..steps)
        .map(|i| values(i as u64 + 100, CIRCUIT.size, 32))
        .collect()
}

fn gamma() -> Vec<Fr> {
    vec![Fr::from(11u64)]
}

/// Leaves of consecutive runs of the given sizes, under `constants`.
fn leaves_under(sizes: &[usize], constants: &[Fr]) -> Vec<Node> {
    let all = exts(sizes.iter().sum());
    let mut at = 0;
    sizes
        .iter()
        .map(|&n| {
            let c = constants.to_vec();
            let leaf = tree::prove_leaf(params(), CIRCUIT, c, &all[at..at + n]).expect("leaf");
            at += n;
            leaf
        })
        .collect()
}

fn leaves(sizes: &[usize]) -> Vec<Node> {
    leaves_under(sizes, &gamma())
}

fn z_sum(nodes: &[&Node]) -> Vec<Fr> {
    let mut z = vec![Fr::ZERO; 2];
    for n in nodes {
        for (a, b) in z.iter_mut().zip(n.z()) {
            *a += b;
        }
    }
    z
}

/// A merge whose node circuit is checked (`Err(Unsatisfied)` unless it holds).
fn checked(a: &Node, b: &Node, hook: MergeHook) -> Result<Node, Error> {
    let hook = MergeHook {
        check_circuit: true,
        ..hook
    };
    tree::merge_with(params(), &CIRCUIT, a, b, hook)
}

fn unsatisfied(r: Result<Node, Error>) -> bool {
    matches!(r, Err(Error::Unsatisfied("node circuit")))
}

fn claim(left: Option<bool>, right: Option<bool>) -> MergeHook {
    MergeHook {
        claim_node: [left, right],
        ..Default::default()
    }
}

/// The kind bit is a free witness, bound by nothing but the child's hash: a leaf claimed as
/// a node hashes `H_A` where `H_N` is checked (and the other way round), whichever side
/// it is on. Claiming the true kinds through the same hook is satisfied.
#[test]
fn a_child_whose_kind_bit_lies_is_rejected() {
    let l = leaves(&[2, 2, 1]);
    let n01 = tree::merge(params(), &CIRCUIT, &l[0], &l[1]).expect("merge");
    checked(&l[0], &l[1], claim(Some(false), Some(false))).expect("true kinds");
    checked(&n01, &l[2], claim(Some(true), Some(false))).expect("true kinds");
    checked(&l[2], &n01, claim(Some(false), Some(true))).expect("true kinds");

    assert!(unsatisfied(checked(&l[0], &l[1], claim(Some(true), None))));
    assert!(unsatisfied(checked(&l[0], &l[1], claim(None, Some(true)))));
    assert!(unsatisfied(checked(
        &l[0],
        &l[1],
        claim(Some(true), Some(true))
    )));
    assert!(unsatisfied(checked(&n01, &l[2], claim(Some(false), None))));
    assert!(unsatisfied(checked(&l[2], &n01, claim(None, Some(false)))));
    assert!(unsatisfied(checked(
        &n01,
        &n01,
        claim(Some(false), Some(false))
    )));
}

/// A leaf's hash does not bind a node accumulator, so a leaf child must carry the trivial
/// one (check 2): a leaf given a real node's `U_N`, satisfied witness and all, leaves the
/// node circuit unsatisfied on either side, though its hash still holds.
#[test]
fn a_leaf_carrying_a_node_accumulator_is_rejected() {
    let l = leaves(&[2, 2, 1]);
    let n01 = tree::merge(params(), &CIRCUIT, &l[0], &l[1]).expect("merge");
    let n = tree::merge(params(), &CIRCUIT, &n01, &l[2]).expect("merge");
    let mut smuggler = l[2].clone();
    smuggler.take_node_accumulator(&n);
    assert!(unsatisfied(checked(&n01, &smuggler, MergeHook::default())));
    assert!(unsatisfied(checked(&smuggler, &n01, MergeHook::default())));
    // The trivial accumulator it had is the only one accepted.
    smuggler.take_node_accumulator(&l[0]);
    checked(&n01, &smuggler, MergeHook::default()).expect("a leaf's own U_N");
}

/// One constants variable enters both children's hashes and the node's: a leaf proven
/// under other constants (another γ) cannot be merged with one of the run's, on either
/// side, even when the prover skips the native check.
#[test]
fn children_of_other_constants_are_rejected() {
    let l = leaves(&[2, 2]);
    let other = leaves_under(&[2, 2], &[Fr::from(12u64)]);
    let mixed = MergeHook {
        mixed_constants: true,
        ..Default::default()
    };
    assert!(tree::merge(params(), &CIRCUIT, &l[0], &other[1]).is_err());
    checked(&l[0], &l[1], mixed).expect("the same constants");
    checked(&other[0], &other[1], mixed).expect("the same constants");
    assert!(unsatisfied(checked(&l[0], &other[1], mixed)));
    assert!(unsatisfied(checked(&other[0], &l[1], mixed)));
}

/// `pp_N` is a witness of the node circuit: a node over two leaves is satisfied under any
/// digest, and a whole tree under one false digest is too. A parent of the true digest
/// rejects such a child (its hash names the parent's digest), and the root verifier, which
/// hashes its own digest, rejects such a tree.
#[test]
fn a_tree_under_other_node_parameters_is_rejected() {
    let p = params();
    let l = leaves(&[2, 2, 1]);
    let fake = MergeHook {
        pp: Some(p.digest() + Fr::ONE),
        ..Default::default()
    };
    let n01 = checked(&l[0], &l[1], fake).expect("any pp_N satisfies a node of leaves");
    let proof = TreeProof::from_root(p, &n01).expect("proof");
    assert!(tree::verify(p, 4, &z_sum(&[&l[0], &l[1]]), &proof).is_err());

    assert!(unsatisfied(checked(&n01, &l[2], MergeHook::default())));
    let root = checked(&n01, &l[2], fake).expect("one false pp_N throughout");
    let proof = TreeProof::from_root(p, &root).expect("proof");
    let z = z_sum(&[&l[0], &l[1], &l[2]]);
    assert!(matches!(
        tree::verify(p, 5, &z, &proof),
        Err(Error::IvcVerification(_))
    ));
}

/// Runs `f`, failing the test if it panics.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("{what}: panicked"))
}

/// Damaged, truncated, extended or foreign node bytes give an error, never a panic, and a
/// changed byte never decodes to the same node.
#[test]
fn damaged_node_bytes_are_refused_without_a_panic() {
    let l = leaves(&[2, 1]);
    let n = tree::merge(params(), &CIRCUIT, &l[0], &l[1]).expect("merge");
    for node in [&l[0], &n] {
        let bytes = node.to_bytes().expect("bytes");
        assert_eq!(&Node::from_bytes(&bytes).expect("reads"), node);
        let len = bytes.len();
        let mut cuts: Vec<usize> = (0..len).step_by(len / 400 + 1).collect();
        cuts.extend(len.saturating_sub(80)..len);
        for cut in cuts {
            let r = no_panic("truncated", || Node::from_bytes(&bytes[..cut]));
            assert!(r.is_err(), "truncated to {cut} of {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(no_panic("extended", || Node::from_bytes(&longer)).is_err());
        let mut at: Vec<usize> = (0..len).step_by(len / 300 + 1).collect();
        at.extend(0..64.min(len));
        at.extend(len.saturating_sub(64)..len);
        for i in at {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut bad = bytes.clone();
                bad[i] ^= mask;
                if let Ok(got) = no_panic("flipped", || Node::from_bytes(&bad)) {
                    assert_ne!(&got, node, "byte {i} ^ {mask:#x} decodes to the same node");
                }
            }
        }
    }
    for foreign in [
        &b""[..],
        b"CRSNOD0",
        b"CRSNOD01",
        b"CRSNOD02\x00\x01",
        b"CRSPRF06\x00\x00\x00\x00",
        &[0xffu8; 64][..],
    ] {
        assert!(no_panic("foreign", || Node::from_bytes(foreign)).is_err());
    }
    let mut tail = b"CRSNOD01".to_vec();
    tail.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    assert!(no_panic("noise", || Node::from_bytes(&tail)).is_err());
}

/// A merge task takes nodes from bytes it did not make: a node whose kind byte was flipped,
/// or whose parts have other lengths or an impossible step count, is refused with an
/// error (or at worst merged into a node the circuit does not hold), never a panic.
#[test]
fn a_merge_of_malformed_nodes_errs_without_a_panic() {
    let p = params();
    let l = leaves(&[2, 2]);
    let n01 = tree::merge(p, &CIRCUIT, &l[0], &l[1]).expect("merge");

    for node in [&l[0], &n01] {
        let mut bytes = node.to_bytes().expect("bytes");
        bytes[8] ^= 1;
        let flipped = Node::from_bytes(&bytes).expect("the other kind decodes");
        for (a, b) in [(&flipped, &l[1]), (&l[1], &flipped)] {
            let r = no_panic("kind flipped", || tree::merge(p, &CIRCUIT, a, b));
            assert!(r.is_err(), "a child of the other kind is merged");
        }
    }

    type Edit = fn(&mut Node);
    let edits: [(&str, Edit); 11] = [
        ("z longer", |n| n.parts_mut().z.push(Fr::ONE)),
        ("z shorter", |n| {
            n.parts_mut().z.pop();
        }),
        ("no fresh x", |n| n.parts_mut().u.x.clear()),
        ("two fresh x", |n| n.parts_mut().u.x.push(Fr::ONE)),
        ("r_E of U_A shorter", |n| {
            n.parts_mut().big_a.r_e.pop();
        }),
        ("x of U_A empty", |n| n.parts_mut().big_a.x.clear()),
        ("r_E of U_N longer", |n| {
            n.parts_mut().big_n.r_e.push(Fr::ONE)
        }),
        ("x of U_N empty", |n| n.parts_mut().big_n.x.clear()),
        ("CycleFold x shorter", |n| {
            n.parts_mut().cf.x.pop();
        }),
        ("no steps", |n| *n.parts_mut().steps = 0),
        ("u64::MAX steps", |n| *n.parts_mut().steps = u64::MAX),
    ];
    for (what, edit) in edits {
        for node in [&l[0], &n01] {
            let mut bad = node.clone();
            edit(&mut bad);
            let bad = Node::from_bytes(&bad.to_bytes().expect("bytes")).expect("decodes");
            for (a, b) in [(&bad, &l[1]), (&l[1], &bad)] {
                let r = no_panic(what, || tree::merge(p, &CIRCUIT, a, b));
                let r2 = no_panic(what, || checked(a, b, MergeHook::default()));
                assert!(r2.is_err(), "{what}: the node circuit holds");
                if let Ok(m) = r {
                    let proof = TreeProof::from_root(p, &m);
                    if let Ok(proof) = proof {
                        let z = m.z().to_vec();
                        let v = no_panic(what, || tree::verify(p, m.steps(), &z, &proof));
                        assert!(v.is_err(), "{what}: a tree of it verifies");
                    }
                }
            }
        }
    }
}
