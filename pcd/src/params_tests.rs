//! The parameter file: one shared key section, compact chain sections, and damage anywhere
//! is refused.

use crease_folding::commitment::CommitmentKey;
use crease_nvm::isa::rv32im::Lui;

use super::*;

/// One instruction circuit and small chains keep set-up short.
fn small_config() -> SetupConfig {
    SetupConfig {
        k: 2,
        scan_k: 2,
        table_k: 256,
        ..SetupConfig::development()
    }
}

fn small() -> (Isa, Params) {
    let isa = Isa::new().with(Lui).expect("isa");
    let params = setup(&isa, &small_config()).expect("setup");
    (isa, params)
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("section present")
}

#[test]
fn the_key_is_stored_once_and_shared_by_every_chain() {
    let (_, params) = small();
    let chains = [
        params.instruction_params(0).expect("lui"),
        params.scan_params().1,
        params.table_params().1,
    ];
    let node = params
        .tree_params(0)
        .expect("lui's tree")
        .expect("reads")
        .shape();
    let longest = chains
        .iter()
        .map(|c| c.shape())
        .chain([node])
        .map(|s| s.num_w1.max(s.num_w2))
        .max()
        .unwrap_or(0);
    assert_eq!(params.shared().key().max_len(), longest);
    for c in chains {
        assert_eq!(c.shared(), params.shared());
    }
    let bytes = params.to_bytes().expect("serializes");
    let shared = params.shared().to_bytes().expect("shared");
    // The file is the shared section, the chains' own sections and a few bytes of names,
    // batch sizes and lengths.
    let own: usize = chains
        .iter()
        .map(|c| c.chain_to_bytes().expect("chain").len())
        .sum::<usize>()
        + params
            .tree_params(0)
            .expect("tree")
            .expect("reads")
            .node_to_bytes()
            .len();
    assert!(bytes.len() <= shared.len() + own + 200, "{}", bytes.len());
    // Stand-alone files repeat the key; the set holds it once.
    let alone: usize = chains
        .iter()
        .map(|c| c.to_bytes().expect("alone").len())
        .sum();
    let node_section = params
        .tree_params(0)
        .expect("tree")
        .expect("reads")
        .node_to_bytes()
        .len();
    assert!(
        bytes.len() + 2 * shared.len() <= alone + node_section + 1000,
        "{} vs {alone}",
        bytes.len()
    );

    let back = Params::from_bytes(&bytes).expect("reads back");
    assert_eq!(back.digest(), params.digest());
    assert_eq!(back.shared(), params.shared());
    assert_eq!(back.scan_params().1, params.scan_params().1);
    assert_eq!(back.to_bytes().expect("again"), bytes);
}

/// A node section is read when a tree first needs it: a flipped bit in its shape is refused
/// then (its digest, which the parameters' digest covers, no longer matches), and one in
/// its stated digest changes the parameters' digest or is refused at once.
#[test]
fn damage_in_a_node_section_is_refused_when_it_is_read() {
    let (_, params) = small();
    let bytes = params.to_bytes().expect("serializes");
    let node = params
        .tree_params(0)
        .expect("tree")
        .expect("reads")
        .node_to_bytes();
    let start = find(&bytes, &node);
    let len = node.len();
    let mut at: Vec<usize> = (start..start + len).step_by((len / 25).max(1)).collect();
    at.extend([start + len - 33, start + len - 1]);
    for pos in at {
        let mut bad = bytes.clone();
        bad[pos] ^= 0x01;
        let Ok(p) = Params::from_bytes(&bad) else {
            continue;
        };
        assert!(
            p.digest() != params.digest() || p.tree_params(0).expect("tree").is_err(),
            "flip at {pos} of the node section [{start}, {}) accepted",
            start + len
        );
    }
}

#[test]
fn damage_in_any_section_of_the_file_is_refused() {
    let (_, params) = small();
    let bytes = params.to_bytes().expect("serializes");
    let n = bytes.len();
    let shared = params.shared().to_bytes().expect("shared");
    let s0 = find(&bytes, &shared);
    let mut sections = vec![("shared", s0, shared.len())];
    for (what, p) in [
        ("lui", params.instruction_params(0).expect("lui")),
        ("scan", params.scan_params().1),
        ("table", params.table_params().1),
    ] {
        let own = p.chain_to_bytes().expect("chain");
        sections.push((what, find(&bytes, &own), own.len()));
    }
    for (what, start, len) in sections {
        let mut at: Vec<usize> = (start..start + len).step_by((len / 25).max(1)).collect();
        at.push(start + len - 1);
        for pos in at {
            for bit in [0x01u8, 0x80] {
                let mut bad = bytes.clone();
                bad[pos] ^= bit;
                assert!(
                    Params::from_bytes(&bad).is_err(),
                    "{what}: flip {bit:#x} at {pos} accepted"
                );
            }
        }
    }
    // Elsewhere (header, ISA digest, names, batch sizes, node sections) a flip is refused,
    // changes the digest or makes a node section refused when it is read.
    for pos in (0..n).step_by((n / 60).max(1)) {
        let mut bad = bytes.clone();
        bad[pos] ^= 0x04;
        if let Ok(p) = Params::from_bytes(&bad) {
            let trees_read =
                (0..p.circuit_names().count()).all(|i| p.tree_params(i).is_some_and(|t| t.is_ok()));
            assert!(
                p.digest() != params.digest() || !trees_read,
                "flip at {pos} unnoticed"
            );
        }
    }
    for cut in [0, 8, 40, 48, s0 + 10, n / 2, n - 33, n - 1] {
        assert!(Params::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Params::from_bytes(&longer).is_err());
}

#[test]
fn the_key_is_recorded_in_the_digest_and_the_file() {
    let (isa, dev) = small();
    assert!(dev.uses_development_key());
    let bytes = dev.to_bytes().expect("serializes");
    // The marker follows the header; a development key marked otherwise is refused.
    assert_eq!(bytes[HEADER.len()], DEVELOPMENT_KEY);
    let back = Params::from_bytes(&bytes).expect("reads back");
    assert!(back.uses_development_key());
    let mut relabelled = bytes.clone();
    relabelled[HEADER.len()] = OTHER_KEY;
    assert!(matches!(
        Params::from_bytes(&relabelled),
        Err(Error::Malformed { .. })
    ));

    // Another key (here one whose τ the test knows: the parameters cannot tell) is
    // recorded as not the development key, with its own hash, in another digest.
    let key = PowersOfTauKey::from_seed(b"not the development seed", 1 << 18);
    let config = SetupConfig {
        key: KeySource::Key(Arc::new(key)),
        ..small_config()
    };
    let other = setup(&isa, &config).expect("setup");
    assert!(!other.uses_development_key());
    assert_ne!(other.key_hash(), dev.key_hash());
    assert_ne!(other.digest(), dev.digest());
    let bytes = other.to_bytes().expect("serializes");
    assert_eq!(bytes[HEADER.len()], OTHER_KEY);
    let back = Params::from_bytes(&bytes).expect("reads back");
    assert!(!back.uses_development_key());
    assert_eq!(back.digest(), other.digest());
    // It holds only the bases the chains use.
    assert_eq!(back.shared().key().max_len(), dev.shared().key().max_len());

    let short = PowersOfTauKey::from_seed(b"short", 100);
    let config = SetupConfig {
        key: KeySource::Key(Arc::new(short)),
        ..small_config()
    };
    assert!(setup(&isa, &config).is_err());
    let config = SetupConfig {
        key: KeySource::Ptau("/nonexistent/crease-test.ptau".into()),
        ..small_config()
    };
    let err = setup(&isa, &config).expect_err("no such file");
    assert!(matches!(err, Error::Ptau { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("/nonexistent/crease-test.ptau: "),
        "{err}"
    );
}
