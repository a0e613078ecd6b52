//! The batched decider argument on a real proof's final accumulators.
//!
//! `CREASE_PARAMS=<parameter file> CREASE_PROOF=<proof of every chain folded>
//! cargo bench --bench decider`: reduces every chain of the proof to its final relaxed
//! instances (as the verifier does), proves them all satisfied in one batched argument,
//! verifies it, and prints the sizes and times beside the plain check of the witnesses.
//! Make the proof with `crease prove --direct 0` (chains shown directly are left out).

use std::time::Instant;

use ark_serialize::CanonicalSerialize;
use crease::pcd::{ChainBody, Params, Proof};
use crease_decider::opening::OpeningKey;
use crease_decider::spark::{self, EvalPoint, SparkCommitment, SparkIndex};
use crease_decider::spartan;
use crease_folding::commitment::PowersOfTauKey;
use crease_folding::mle;
use crease_folding::obligation::{Obligations, PrimaryInstance};
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::{R1csShape, RunningInstance, Witness};
use crease_folding::{ivc, tree, Fr};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("set {name} (see the bench's docs)");
        std::process::exit(2)
    })
}

fn main() {
    let t = Instant::now();
    // A cache file of `crease setup` is `CRSCACHE ‖ 32-byte digest ‖ parameters`.
    let bytes = std::fs::read(env("CREASE_PARAMS")).expect("params");
    let body = if bytes.starts_with(b"CRSCACHE") {
        &bytes[40..]
    } else {
        &bytes[..]
    };
    let params = Params::from_bytes(body).expect("parameters");
    let proof =
        Proof::from_bytes(&std::fs::read(env("CREASE_PROOF")).expect("proof")).expect("proof");
    println!("load: {:.2} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let mut all: Vec<Obligations> = Vec::new();
    for c in proof.chains().iter().chain([proof.scan()]) {
        let ChainBody::Folded(body) = &c.body else {
            eprintln!(
                "chain {} is shown directly: left out (prove with --direct 0)",
                c.chain
            );
            continue;
        };
        let steps = c.body.steps();
        let o = if c.chain == Proof::SCAN {
            let leaf = body.leaf().expect("the scan is one leaf");
            let z0 = vec![Fr::from(0u64); c.z.len()];
            ivc::reduce(params.scan_params().1, steps, &z0, &c.z, leaf)
        } else {
            let tp = params
                .tree_params(c.chain as usize)
                .expect("chain")
                .expect("node section");
            tree::reduce(tp, steps, &c.z, body)
        }
        .expect("reduces");
        all.push(o);
    }
    println!("reduce: {:.2} s", t.elapsed().as_secs_f64());

    // Distinct shapes by address; instances in Mova form (a fresh one at a fixed point).
    let mut shapes: Vec<&R1csShape> = Vec::new();
    let (mut of, mut insts, mut ws): (Vec<usize>, Vec<RunningInstance>, Vec<&Witness>) =
        (Vec::new(), Vec::new(), Vec::new());
    for o in &all {
        for p in &o.primary {
            let s = match shapes.iter().position(|s| std::ptr::eq(*s, p.shape)) {
                Some(s) => s,
                None => {
                    shapes.push(p.shape);
                    shapes.len() - 1
                }
            };
            let inst = match &p.instance {
                PrimaryInstance::Running(u) => u.clone(),
                PrimaryInstance::Fresh(u) => RunningInstance {
                    cw1: u.cw1,
                    cw2: u.cw2,
                    x: u.x.clone(),
                    u: Fr::from(1u64),
                    r_e: vec![Fr::from(7u64); p.shape.num_vars()],
                    v_e: Fr::from(0u64),
                },
            };
            of.push(s);
            insts.push(inst);
            ws.push(p.witness);
        }
    }
    let nnz: usize = shapes.iter().map(|s| s.nnz()).sum();
    let nu = shapes
        .iter()
        .map(|s| mle::num_vars(s.num_w1.max(s.num_w2).max(1 + s.num_io)))
        .max()
        .unwrap_or(1);
    println!(
        "{} instances of {} shapes, {} non-zero matrix entries, rows up to 2^{}, blocks 2^{}",
        insts.len(),
        shapes.len(),
        nnz,
        shapes.iter().map(|s| s.num_vars()).max().unwrap_or(0),
        nu
    );

    for (i, s) in shapes.iter().enumerate() {
        let [a, b, c] = s.matrices();
        println!(
            "  shape {i}: {} constraints, W1 {}, W2 {}, non-zeros A {} B {} C {}",
            s.num_constraints,
            s.num_w1,
            s.num_w2,
            a.nnz(),
            b.nnz(),
            c.nnz()
        );
    }
    for i in 0..shapes.len() {
        for j in i + 1..shapes.len() {
            if shapes[i] == shapes[j] {
                println!("  shapes {i} and {j} are equal");
            } else if shapes[i].num_constraints == shapes[j].num_constraints
                && shapes[i].z_len() == shapes[j].z_len()
            {
                // Rows that differ, found by one random product.
                let z: Vec<Fr> = (0..shapes[i].z_len() as u64)
                    .map(|k| Fr::from(k * k + 7))
                    .collect();
                let (mi, mj) = (shapes[i].matrices(), shapes[j].matrices());
                let rows: Vec<usize> = (0..3)
                    .map(|m| {
                        let (a, b) = (mi[m].mul_vec(&z), mj[m].mul_vec(&z));
                        a.iter().zip(&b).filter(|(x, y)| x != y).count()
                    })
                    .collect();
                println!("  shapes {i} and {j}: rows of A, B, C that differ: {rows:?}");
            }
        }
    }
    let t = Instant::now();
    for o in &all {
        o.discharge().expect("the proof's own check");
    }
    println!(
        "plain check of the witnesses: {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let key = PowersOfTauKey::development(1 << nu);
    let refs: Vec<&RunningInstance> = insts.iter().collect();
    let t = Instant::now();
    let p = spartan::prove(
        &key,
        &shapes,
        &of,
        &refs,
        &ws,
        &mut Transcript::new(b"bench"),
    )
    .expect("prove");
    println!("batched prove: {:.2} s", t.elapsed().as_secs_f64());
    println!(
        "proof: {} bytes (outer {}, evaluations {}, inner {}, openings {}, opening {})",
        p.compressed_size(),
        p.outer.compressed_size(),
        p.abc.compressed_size(),
        p.inner.compressed_size(),
        p.w.compressed_size(),
        p.opening.compressed_size()
    );
    let instance_bytes: usize = insts.iter().map(|u| u.compressed_size()).sum();
    println!("the instances themselves: {instance_bytes} bytes");
    let vk = OpeningKey::of(&key).expect("key");
    for _ in 0..3 {
        let t = Instant::now();
        spartan::verify(&vk, &shapes, &of, &refs, &p, &mut Transcript::new(b"bench"))
            .expect("verify");
        println!("batched verify: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    }

    // The shapes' evaluations at one point proven against set-up commitments (SPARK):
    // what would let the verifier skip evaluating the matrices.
    let t = Instant::now();
    let indices: Vec<SparkIndex> = shapes
        .iter()
        .map(|s| SparkIndex::new(s, nu).expect("index"))
        .collect();
    let entries: usize = indices.iter().map(|ix| ix.num_entries()).sum();
    let m_max = indices.iter().map(|ix| ix.num_vars()).max().unwrap_or(0);
    println!(
        "spark: {} shapes, {} entries (union of A, B, C), largest 2^{}: indexed in {:.2} s",
        indices.len(),
        entries,
        m_max,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let big = PowersOfTauKey::development(1 << m_max.max(nu + 2));
    println!(
        "spark: key of 2^{} in {:.2} s",
        m_max.max(nu + 2),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let commitments: Vec<SparkCommitment> = indices
        .iter()
        .map(|ix| ix.commit(&big).expect("commit"))
        .collect();
    println!(
        "spark: set-up commitments in {:.2} s, {} bytes for all shapes",
        t.elapsed().as_secs_f64(),
        commitments.compressed_size()
    );
    let ny = shapes.iter().map(|s| s.num_vars()).max().unwrap_or(0);
    let r_y: Vec<Fr> = (0..ny).map(|k| Fr::from(3 * k as u64 + 11)).collect();
    let r_x: Vec<Fr> = (0..nu + 2).map(|k| Fr::from(5 * k as u64 + 2)).collect();
    let gamma = Fr::from(12345u64);
    let refs: Vec<&SparkIndex> = indices.iter().collect();
    let at = EvalPoint {
        r_y: &r_y,
        r_x: &r_x,
        gamma,
    };
    let t = Instant::now();
    let (claims, sp) =
        spark::prove(&big, &refs, at, &mut Transcript::new(b"spark")).expect("spark prove");
    println!("spark: prove {:.2} s", t.elapsed().as_secs_f64());
    println!(
        "spark: proof {} bytes (sum-check {}, values {}, opening {})",
        sp.compressed_size(),
        sp.sumcheck.compressed_size(),
        sp.values.compressed_size() + sp.memory_values.compressed_size(),
        sp.opening.compressed_size()
    );
    let big_vk = OpeningKey::of(&big).expect("key");
    let crefs: Vec<&SparkCommitment> = commitments.iter().collect();
    for _ in 0..3 {
        let t = Instant::now();
        spark::verify(
            &big_vk,
            &crefs,
            at,
            &claims,
            &sp,
            &mut Transcript::new(b"spark"),
        )
        .expect("spark verify");
        println!("spark: verify {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    }
    let t = Instant::now();
    let eq_y = crease_decider::sumcheck::eq_table(&r_y);
    let eq_x = crease_decider::sumcheck::eq_table(&r_x);
    let direct: Vec<Fr> = indices
        .iter()
        .map(|ix| ix.evaluate(&eq_y, &eq_x, gamma))
        .collect();
    assert_eq!(direct, claims);
    println!(
        "spark: the same evaluations directly: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
}
