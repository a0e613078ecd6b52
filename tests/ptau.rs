//! Parameters under a ceremony's key read from a snarkjs `.ptau` file (power 17, two
//! contributions, made on the spot): a program proves, verifies, compresses and verifies
//! compressed; the parameters record the key in their digest and file; a file of too small a
//! power is refused by name.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use crease::nvm::encode::lw;
use crease::nvm::layout::PUBLIC_INPUT;
use crease::pcd::KeySource;
use crease::{
    compress, setup, verify, verify_compressed, CompressedProof, Error, Input, Isa, Params,
    Program, SetupConfig,
};
use crease_folding::commitment::{PowersOfTauKey, PtauError, PtauFile};
use support::hand::{self, push_li};

/// The smallest power whose file holds the small set-up's bases: its chains need about
/// 16,650, the proof tree's node circuits about 170,000, whatever the batch size (2^18 − 1
/// G1 powers).
const POWER: u32 = 17;

fn fixture(power: u32) -> Option<support::ptau::Fixture> {
    support::ptau::fixture(Path::new(env!("CARGO_TARGET_TMPDIR")), power)
}

/// Small chains: every chain's longest witness part is about 16,650 entries (the node
/// circuits' are larger).
fn config(key: KeySource) -> SetupConfig {
    SetupConfig {
        table_k: 256,
        ..SetupConfig::new(key).with_k(4)
    }
}

fn program() -> Program {
    let mut c = Vec::new();
    push_li(&mut c, 5, PUBLIC_INPUT);
    c.push(lw(9, 5, 4));
    hand::push_sum_output_exit(&mut c, 5);
    hand::program(&c, &Isa::rv32im())
}

#[test]
fn a_ceremony_key_proves_and_verifies_and_is_recorded() {
    let Some(fx) = fixture(POWER) else { return };
    let isa = Isa::rv32im();
    let t = Instant::now();
    let params = setup(&isa, &config(KeySource::Ptau(fx.ptau.clone()))).expect("setup");
    eprintln!(
        "set-up with the power-{POWER} file: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    assert!(!params.uses_development_key());

    let input = Input {
        public: vec![1, 2, 3, 4, 42, 0, 0, 0],
        private: Vec::new(),
    };
    let rt = support::proving::round_trip(&params, &program(), &input);
    assert_eq!(rt.statement.exit_code, 15 + 7);

    // Compression opens the commitments under the ceremony's own key, as many bases as
    // the parameters read: no longer file is needed.
    let compressed = compress(&params, &program(), &input.public, &rt.proof)
        .expect("compresses under the ceremony key");
    let bytes = compressed.to_bytes().expect("serializes");
    let back = CompressedProof::from_bytes(&bytes).expect("reads back");
    let statement = verify_compressed(&params, &program(), &input.public, &back).expect("verifies");
    assert_eq!(statement, rt.statement);

    // The file keeps the marker and the key; the development set differs in its digest.
    let bytes = params.to_bytes().expect("serializes");
    let back = Params::from_bytes(&bytes).expect("reads back");
    assert!(!back.uses_development_key());
    assert_eq!(
        (back.digest(), back.key_hash()),
        (params.digest(), params.key_hash())
    );
    let dev = setup(&isa, &config(KeySource::Development)).expect("dev setup");
    assert!(dev.uses_development_key());
    assert_ne!(dev.digest(), params.digest());
    assert!(matches!(
        verify(&dev, &program(), &input.public, &rt.proof),
        Err(Error::ParamsMismatch)
    ));
    // The development key under a ceremony's marker is refused.
    let mut relabelled = dev.to_bytes().expect("dev bytes");
    relabelled[8] ^= 1;
    assert!(Params::from_bytes(&relabelled).is_err());

    // A loaded key gives the same parameters as its file.
    let mut file = PtauFile::open(&fx.ptau).expect("opens");
    let key = file.read_key(file.max_bases()).expect("whole key");
    let same = setup(&isa, &config(KeySource::Key(Arc::new(key)))).expect("setup");
    assert_eq!(same.digest(), params.digest());
    // Any other key the caller vouches for is not the development key, and differs.
    let other = PowersOfTauKey::from_seed(b"a test key", 1 << 18);
    let other = setup(&isa, &config(KeySource::Key(Arc::new(other)))).expect("setup");
    assert_ne!(other.digest(), params.digest());
}

#[test]
fn a_file_of_too_small_a_power_is_refused_by_name() {
    let Some(fx) = fixture(10) else { return };
    let err = setup(&Isa::rv32im(), &config(KeySource::Ptau(fx.ptau.clone())))
        .expect_err("2,047 bases are too few");
    match &err {
        Error::Ptau {
            path,
            source: PtauError::TooFewPowers { min_power, .. },
        } => assert_eq!((path, *min_power), (&fx.ptau, POWER)),
        other => panic!("{other}"),
    }
    let text = err.to_string();
    assert!(text.contains("use a file of power >= 17"), "{text}");
    assert!(text.starts_with(&fx.ptau.display().to_string()), "{text}");
}
