//! A cheating prover's compressed proofs: every chain, body, state, count commitment and
//! argument of an honest compressed proof edited (chains listed twice, missing, reordered or
//! relabelled; folded and shown bodies swapped; committed steps dropped, repeated, reordered,
//! unchained or recommitted; states of the wrong length; count commitments of the wrong
//! number or value; arguments truncated, extended or taken from another proof; the CycleFold
//! argument absent or superfluous), each rejected without a panic; and the count
//! commitments a full proof's verifier computes, checked against a dense commitment.

mod support;

use std::sync::OnceLock;

use ark_ff::{AdditiveGroup, Field};
use crease::pcd::{CompressedBody, CompressedChain, TableCount};
use crease::{
    compress, setup, verify, verify_compressed, CompressedProof, Input, Isa, Params, Program,
    Proof, ProveOptions, SetupConfig,
};
use crease_decider::lookup::LookupProof;
use crease_decider::spartan::SpartanProof;
use crease_folding::commitment::msm::{small_msm, Small};
use crease_folding::commitment::{CommitmentKey, PowersOfTauKey};
use crease_folding::direct::CommittedStep;
use crease_folding::{Fr, G1Projective, G1};
use support::hand::{self, push_li};

/// A named edit of a part of a proof.
type Edit<T> = (&'static str, fn(&mut T));
type BoxedEdit<T> = Box<dyn Fn(&mut T)>;

fn num_inst() -> u32 {
    (0..)
        .take_while(|&i| params().instruction_params(i).is_some())
        .count() as u32
}

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| setup(&Isa::rv32im(), &SetupConfig::development().with_k(64)).expect("setup"))
}

/// A loop of ~900 instructions: several batches of 64 in three chains.
fn loop_program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| {
        let mut c = Vec::new();
        push_li(&mut c, 9, 0x1234_5678);
        hand::push_sum_output_exit(&mut c, 300);
        hand::program(&c, &Isa::rv32im())
    })
}

/// How the chains of a proof are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Every chain folded.
    Folded,
    /// Chains of one leaf of up to two batches shown, longer ones folded.
    Mixed,
    /// Every chain shown.
    Shown,
}

const FORMS: [Form; 3] = [Form::Folded, Form::Mixed, Form::Shown];

fn proof(form: Form) -> &'static (Proof, CompressedProof) {
    static F: [OnceLock<(Proof, CompressedProof)>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (i, leaf_steps, direct_steps) = match form {
        Form::Folded => (0, 2, 0),
        Form::Mixed => (1, 2, 4),
        Form::Shown => (2, 1 << 20, 1 << 20),
    };
    F[i].get_or_init(|| {
        let options = ProveOptions {
            leaf_steps,
            direct_steps,
            ..Default::default()
        };
        let p = crease::prove_with(params(), loop_program(), &Input::default(), &options, None)
            .expect("proves")
            .0;
        let c = compress(params(), loop_program(), &[], &p).expect("compresses");
        (p, c)
    })
}

fn compressed(form: Form) -> &'static CompressedProof {
    &proof(form).1
}

/// Verifies `c` as read back from its bytes; `true` if accepted.
fn accepted(c: &CompressedProof) -> bool {
    let bytes = c.to_bytes().expect("serializes");
    match CompressedProof::from_bytes(&bytes) {
        Ok(read) => verify_compressed(params(), loop_program(), &[], &read).is_ok(),
        Err(_) => false,
    }
}

fn assert_rejected(c: &CompressedProof, what: &str) {
    assert!(!accepted(c), "accepted: {what}");
}

fn chains(c: &mut CompressedProof) -> &mut Vec<CompressedChain> {
    c.chains_mut_for_test()
}

fn is_folded(ch: &CompressedChain) -> bool {
    matches!(ch.clone().parts_mut_for_test().2, CompressedBody::Folded(_))
}

fn id_of(ch: &CompressedChain) -> u32 {
    *ch.clone().parts_mut_for_test().0
}

fn committed_steps(ch: &mut CompressedChain) -> Option<&mut Vec<CommittedStep>> {
    match ch.parts_mut_for_test().2 {
        CompressedBody::Committed(s) => Some(s),
        CompressedBody::Folded(_) => None,
    }
}

fn add(a: G1, b: G1) -> G1 {
    G1::from(G1Projective::from(a) + G1Projective::from(b))
}

fn identity() -> G1 {
    G1::from(G1Projective::default())
}

#[test]
fn the_honest_compressed_proofs_verify() {
    for form in FORMS {
        let mut c = compressed(form).clone();
        let folded = chains(&mut c).iter_mut().filter(|ch| is_folded(ch)).count();
        let n = chains(&mut c).len();
        eprintln!("{form:?}: {folded} of {n} chains folded");
        match form {
            Form::Folded => assert_eq!(folded, n),
            Form::Mixed => assert!(folded > 0 && folded < n, "both kinds of chain"),
            Form::Shown => assert_eq!(folded, 0),
        }
        assert!(accepted(&c), "{form:?}");
        assert_eq!(c.cyclefold_mut_for_test().is_some(), folded > 0);
    }
}

/// A chain listed twice, missing, out of order, relabelled as another instruction chain,
/// as the scan, or past the ISA.
#[test]
fn the_chains_listed_must_be_the_runs() {
    for form in FORMS {
        let c = compressed(form);
        let n = chains(&mut c.clone()).len();
        assert!(n >= 3, "two instruction chains and the scan");
        for i in 0..n {
            let mut bad = c.clone();
            let dup = chains(&mut bad)[i].clone();
            chains(&mut bad).insert(i, dup);
            assert_rejected(&bad, &format!("{form:?}: chain {i} listed twice"));
            let mut bad = c.clone();
            chains(&mut bad).remove(i);
            assert_rejected(&bad, &format!("{form:?}: chain {i} missing"));
        }
        let mut bad = c.clone();
        chains(&mut bad).swap(0, 1);
        assert_rejected(&bad, &format!("{form:?}: instruction chains swapped"));
        let mut bad = c.clone();
        chains(&mut bad).swap(0, n - 1);
        assert_rejected(&bad, &format!("{form:?}: the scan first"));
        let ids: Vec<u32> = chains(&mut c.clone())
            .iter_mut()
            .map(|ch| *ch.parts_mut_for_test().0)
            .collect();
        let unused = (0..num_inst())
            .find(|i| !ids.contains(i))
            .expect("an instruction the run does not use");
        for (i, to) in [
            (0, unused),
            (n - 2, unused),
            (0, Proof::SCAN),
            (n - 1, unused),
            (0, num_inst()),
            (0, u32::MAX),
        ] {
            let mut bad = c.clone();
            *chains(&mut bad)[i].parts_mut_for_test().0 = to;
            let mut sorted = bad.clone();
            let (inst, _) = chains(&mut sorted).split_at_mut(n - 1);
            inst.sort_by_key(id_of);
            assert_rejected(&bad, &format!("{form:?}: chain {i} relabelled {to}"));
            assert_rejected(&sorted, &format!("{form:?}: chain {i} relabelled {to}"));
        }
    }
}

/// Any chain's final state changed, shortened, lengthened or emptied (a state of the wrong
/// length must not panic the balance equations or the lookup claim).
#[test]
fn a_chains_state_must_be_its_own() {
    for form in FORMS {
        let c = compressed(form);
        let n = chains(&mut c.clone()).len();
        for i in 0..n {
            let edits: [Edit<Vec<Fr>>; 6] = [
                ("mem", |z| z[0] += Fr::ONE),
                ("lookup", |z| z[1] += Fr::ONE),
                ("shorter", |z| {
                    z.pop();
                }),
                ("longer", |z| z.push(Fr::ZERO)),
                ("empty", |z| z.clear()),
                ("one entry", |z| z.truncate(1)),
            ];
            for (what, edit) in edits {
                let mut bad = c.clone();
                edit(chains(&mut bad)[i].parts_mut_for_test().1);
                assert_rejected(&bad, &format!("{form:?}: chain {i} state {what}"));
            }
        }
    }
}

/// Bodies swapped between chains, a folded chain's body replaced by committed steps (none,
/// or the same chain's from another form of the proof) and a shown chain's by a folded
/// root.
#[test]
fn a_chains_body_must_be_its_own() {
    for form in FORMS {
        let c = compressed(form);
        let n = chains(&mut c.clone()).len();
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                let mut bad = c.clone();
                let body = chains(&mut bad)[j].parts_mut_for_test().2.clone();
                *chains(&mut bad)[i].parts_mut_for_test().2 = body;
                assert_rejected(&bad, &format!("{form:?}: chain {i} given chain {j}'s body"));
                // With the state that body ends in.
                let z = chains(&mut bad)[j].parts_mut_for_test().1.clone();
                *chains(&mut bad)[i].parts_mut_for_test().1 = z;
                assert_rejected(&bad, &format!("{form:?}: chain {i} given chain {j}'s"));
            }
            let mut bad = c.clone();
            *chains(&mut bad)[i].parts_mut_for_test().2 = CompressedBody::Committed(Vec::new());
            assert_rejected(&bad, &format!("{form:?}: chain {i} of no steps"));
        }
        // The same chain in another form: folded here, shown there, or the reverse.
        for other in FORMS {
            if other == form {
                continue;
            }
            let mut theirs = compressed(other).clone();
            for i in 0..n {
                let mut bad = c.clone();
                let id = *chains(&mut bad)[i].parts_mut_for_test().0;
                let Some(t) = chains(&mut theirs).iter_mut().find(|ch| id_of(ch) == id) else {
                    continue;
                };
                if is_folded(t) == is_folded(&chains(&mut bad)[i]) {
                    continue;
                }
                chains(&mut bad)[i] = t.clone();
                assert_rejected(
                    &bad,
                    &format!("{form:?}: chain {id} as in the {other:?} proof"),
                );
            }
            // Every chain from the other form, the arguments from this one.
            let mut bad = c.clone();
            *chains(&mut bad) = chains(&mut theirs).clone();
            assert_rejected(&bad, &format!("{form:?} arguments, {other:?} chains"));
        }
    }
}

/// A shown chain's committed steps edited: one dropped (the state moved to the new last
/// step's), the first dropped, one repeated, two swapped, a state broken in the middle,
/// of the wrong length, a `W1` commitment swapped with the rest's, doubled, zero, or
/// another step's.
#[test]
fn a_shown_chains_steps_must_be_its_steps() {
    for form in [Form::Mixed, Form::Shown] {
        let c = compressed(form);
        let n = chains(&mut c.clone()).len();
        let mut tried = 0;
        let tried_edits = std::cell::Cell::new(0);
        for i in 0..n {
            if committed_steps(&mut chains(&mut c.clone())[i]).is_none() {
                continue;
            }
            let edit = |f: &dyn Fn(&mut Vec<CommittedStep>), what: &str| {
                let mut bad = c.clone();
                let ch = &mut chains(&mut bad)[i];
                let s = committed_steps(ch).expect("shown");
                f(s);
                let last = s.last().map(|s| s.z.clone());
                if bad == *c {
                    return; // A chain of one step reversed, say.
                }
                tried_edits.set(tried_edits.get() + 1);
                assert_rejected(&bad, &format!("{form:?}: chain {i}: {what}"));
                // And with the chain's state made the edited steps' last one.
                if let Some(z) = last {
                    *chains(&mut bad)[i].parts_mut_for_test().1 = z;
                    assert_rejected(&bad, &format!("{form:?}: chain {i}: {what}, state moved"));
                }
            };
            edit(
                &|s| {
                    s.pop();
                },
                "last step dropped",
            );
            edit(
                &|s| {
                    s.remove(0);
                },
                "first step dropped",
            );
            edit(&|s| s.push(s[s.len() - 1].clone()), "last step repeated");
            edit(&|s| s.insert(0, s[0].clone()), "first step repeated");
            edit(&|s| s.reverse(), "steps reversed");
            edit(&|s| s[0].z[0] += Fr::ONE, "first state changed");
            edit(&|s| s[0].z[1] += Fr::ONE, "first lookup sum changed");
            edit(&|s| s[0].z.push(Fr::ZERO), "first state longer");
            edit(&|s| s[0].z.clear(), "first state empty");
            edit(
                &|s| {
                    let l = s.len() - 1;
                    s[l].z.pop();
                },
                "last state shorter",
            );
            edit(
                &|s| {
                    let st = &mut s[0];
                    std::mem::swap(&mut st.cw1, &mut st.cw2);
                },
                "W1 and the rest swapped",
            );
            edit(&|s| s[0].cw1 = add(s[0].cw1, s[0].cw1), "W1 doubled");
            edit(&|s| s[0].cw2 = add(s[0].cw2, s[0].cw2), "the rest doubled");
            edit(&|s| s[0].cw1 = identity(), "W1 zero");
            edit(&|s| s[0].cw2 = identity(), "the rest zero");
            edit(
                &|s| {
                    let l = s.len() - 1;
                    s[0].cw1 = s[l].cw1;
                },
                "W1 of the last step in the first",
            );
            edit(
                &|s| {
                    let l = s.len() - 1;
                    s[0].cw1 = add(s[0].cw1, s[l].cw1);
                    s[l].cw1 = add(s[l].cw1, -s[0].cw1);
                },
                "W1 moved between steps",
            );
            // Every step's state zero: the commitments of honest steps, the states of none.
            edit(
                &|s| {
                    for st in s.iter_mut() {
                        st.z.iter_mut().for_each(|v| *v = Fr::ZERO);
                    }
                },
                "every state zero",
            );
            tried += 1;
        }
        assert!(tried > 0, "{form:?} has shown chains");
        eprintln!(
            "{form:?}: {} edits of {tried} shown chains",
            tried_edits.get()
        );
    }
}

/// The count commitments: one fewer, one more, reordered, changed, zero, negated; and the
/// table side's argument truncated or extended.
#[test]
fn the_count_commitments_and_their_argument_are_checked() {
    // Both forms prove the same run: the same counts, the same commitments.
    let mut a = compressed(Form::Folded).clone();
    let mut b = compressed(Form::Shown).clone();
    assert_eq!(
        a.count_commitments_mut_for_test(),
        b.count_commitments_mut_for_test()
    );
    for form in FORMS {
        let c = compressed(form);
        let n = c.clone().count_commitments_mut_for_test().len();
        assert!(n >= 2, "the tables take two chunks");
        let edits: [Edit<Vec<G1>>; 8] = [
            ("one fewer", |v| {
                v.pop();
            }),
            ("one more", |v| v.push(v[0])),
            ("one more, zero", |v| v.push(identity())),
            ("none", |v| v.clear()),
            ("swapped", |v| v.swap(0, 1)),
            ("doubled", |v| v[0] = add(v[0], v[0])),
            ("zero", |v| v[1] = identity()),
            ("negated", |v| v[0] = -v[0]),
        ];
        for (what, edit) in edits {
            let mut bad = c.clone();
            edit(bad.count_commitments_mut_for_test());
            assert_rejected(&bad, &format!("{form:?}: count commitments {what}"));
        }
        let lookups: [Edit<LookupProof>; 8] = [
            ("chunk value dropped", |l| {
                l.chunks.pop();
            }),
            ("chunk value added", |l| l.chunks.push(Fr::ZERO)),
            ("round dropped", |l| {
                l.sumcheck.rounds.pop();
            }),
            ("round added", |l| {
                let r = l.sumcheck.rounds[0].clone();
                l.sumcheck.rounds.push(r)
            }),
            ("round of higher degree", |l| {
                l.sumcheck.rounds[0].push(Fr::ZERO)
            }),
            ("round of lower degree", |l| {
                l.sumcheck.rounds[0].pop();
            }),
            ("opening fold dropped", |l| {
                l.opening.folds.pop();
            }),
            ("opening evaluations dropped", |l| {
                l.opening.evals.pop();
            }),
        ];
        for (what, edit) in lookups {
            let mut bad = c.clone();
            edit(bad.lookups_mut_for_test());
            assert_rejected(&bad, &format!("{form:?}: table side {what}"));
        }
    }
}

/// The arguments truncated, extended, or taken from another form of the same proof; the
/// CycleFold argument absent where folded chains leave accumulators, present where none do.
#[test]
fn the_arguments_must_be_of_these_chains() {
    for form in FORMS {
        let c = compressed(form);
        let primary: [Edit<SpartanProof>; 8] = [
            ("abc dropped", |p| {
                p.abc.pop();
            }),
            ("abc added", |p| p.abc.push([Fr::ZERO; 3])),
            ("w dropped", |p| {
                p.w.pop();
            }),
            ("w added", |p| p.w.push([Fr::ZERO; 2])),
            ("outer round dropped", |p| {
                p.outer.rounds.pop();
            }),
            ("inner round added", |p| {
                let r = p.inner.rounds[0].clone();
                p.inner.rounds.push(r)
            }),
            ("opening fold dropped", |p| {
                p.opening.folds.pop();
            }),
            ("opening fold added", |p| {
                let f = p.opening.folds[0];
                p.opening.folds.push(f)
            }),
        ];
        for (what, edit) in primary {
            let mut bad = c.clone();
            edit(bad.arguments_mut().0);
            assert_rejected(&bad, &format!("{form:?}: primary {what}"));
        }
        for other in FORMS {
            if other == form {
                continue;
            }
            let mut theirs = compressed(other).clone();
            let mut bad = c.clone();
            *bad.arguments_mut().0 = theirs.arguments_mut().0.clone();
            assert_rejected(
                &bad,
                &format!("{form:?} with the {other:?} primary argument"),
            );
            let mut bad = c.clone();
            *bad.cyclefold_mut_for_test() = theirs.cyclefold_mut_for_test().clone();
            if bad != *c {
                assert_rejected(&bad, &format!("{form:?} with the {other:?} CycleFold part"));
            }
            let mut bad = c.clone();
            *bad.lookups_mut_for_test() = theirs.lookups_mut_for_test().clone();
            assert_rejected(&bad, &format!("{form:?} with the {other:?} table side"));
        }
        let mut bad = c.clone();
        let cf = bad.cyclefold_mut_for_test();
        match cf {
            Some(p) => {
                let mut more = p.clone();
                let m = more.merges.first().copied();
                if let Some(m) = m {
                    more.merges.push(m);
                }
                let mut fewer = p.clone();
                fewer.merges.pop();
                *cf = None;
                assert_rejected(&bad, &format!("{form:?}: no CycleFold argument"));
                for (what, p) in [("more merges", more), ("fewer merges", fewer)] {
                    let mut bad = c.clone();
                    *bad.cyclefold_mut_for_test() = Some(p);
                    assert_rejected(&bad, &format!("{form:?}: CycleFold {what}"));
                }
            }
            None => {
                assert_eq!(form, Form::Shown);
                *cf = compressed(Form::Folded)
                    .clone()
                    .cyclefold_mut_for_test()
                    .clone();
                assert_rejected(&bad, "a CycleFold argument for no folded chain");
            }
        }
    }
}

/// The claims a compressed proof makes besides its chains: a step count of zero or beyond
/// the range, the exit code, and output words out of order or outside the region.
#[test]
fn the_claims_are_checked_as_the_full_verifiers_are() {
    let c = compressed(Form::Mixed);
    for steps in [0, u64::MAX, c.claimed_steps() - 1] {
        let mut bad = c.clone();
        *bad.claims_mut().1 = steps;
        assert_rejected(&bad, &format!("steps {steps}"));
    }
    let mut bad = c.clone();
    let out = bad.claims_mut().2;
    assert!(!out.is_empty(), "the program writes output");
    out.reverse();
    if out.len() > 1 {
        assert_rejected(&bad, "output words in decreasing order");
    }
    let mut bad = c.clone();
    let out = bad.claims_mut().2;
    let w = out[0];
    out.push(w);
    assert_rejected(&bad, "an output word listed twice");
    let mut bad = c.clone();
    bad.claims_mut().2[0].addr = 0;
    assert_rejected(&bad, "an output word outside the region");
    for other in [&[1u8][..], &[0u8; 17][..]] {
        let bytes = c.to_bytes().expect("bytes");
        let read = CompressedProof::from_bytes(&bytes).expect("reads");
        assert!(verify_compressed(params(), loop_program(), other, &read).is_err());
    }
}

/// The commitments a full proof's verifier computes from the listed counts: a count of any
/// width (8, 16, 32, 64 bits: each of `small_msm`'s classes, the top bit included) commits
/// as the dense vector does, so distinct lists bind distinct challenges; a full proof whose
/// counts are changed after the challenges, by a huge count or a row past the tables, is
/// rejected.
#[test]
fn count_commitments_bind_the_listed_counts() {
    let n = 64;
    let key = PowersOfTauKey::development(n);
    let mags: [u64; 12] = [
        1,
        2,
        255,
        256,
        65_535,
        65_536,
        u32::MAX as u64,
        1 << 32,
        (1 << 63) - 1,
        1 << 63,
        u64::MAX - 1,
        u64::MAX,
    ];
    let entries: Vec<Small> = mags
        .iter()
        .enumerate()
        .map(|(i, &m)| Small {
            index: 3 * i + 1,
            negative: false,
            magnitude: m,
        })
        .collect();
    let mut dense = vec![Fr::ZERO; n];
    for e in &entries {
        dense[e.index] = Fr::from(e.magnitude);
    }
    let sum = small_msm::<G1Projective>(&key.bases()[..n], entries.clone());
    assert_eq!(G1::from(sum), key.commit(&dense).expect("commits"));
    for e in &entries {
        let one = small_msm::<G1Projective>(&key.bases()[..n], vec![*e]);
        let mut d = vec![Fr::ZERO; n];
        d[e.index] = Fr::from(e.magnitude);
        assert_eq!(G1::from(one), key.commit(&d).expect("commits"), "{e:?}");
    }

    let (p, _) = proof(Form::Mixed);
    verify(params(), loop_program(), &[], p).expect("verifies");
    let rows = crease::circuits::tables::all_entries(loop_program()).len() as u32;
    let edits: [(&str, BoxedEdit<Vec<TableCount>>); 5] = [
        ("a huge count", Box::new(|v| v[0].count = u64::MAX)),
        (
            "a count with its top bit flipped",
            Box::new(|v| v[0].count = v[0].count.wrapping_add(1 << 63)),
        ),
        (
            "a row past the tables",
            Box::new(move |v| {
                v.push(TableCount {
                    row: rows,
                    count: 1,
                })
            }),
        ),
        (
            "the last row past the chunks",
            Box::new(|v| {
                v.push(TableCount {
                    row: u32::MAX,
                    count: 1,
                })
            }),
        ),
        ("a count of zero", Box::new(|v| v[0].count = 0)),
    ];
    for (what, edit) in edits {
        let mut bad = p.clone();
        edit(bad.table_counts_mut());
        assert!(
            verify(params(), loop_program(), &[], &bad).is_err(),
            "full proof with {what}"
        );
    }
}
