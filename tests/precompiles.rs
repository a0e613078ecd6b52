//! Precompiles proved end to end: hand-assembled programs that hash their public input
//! with `sha256_compress` (blocks read from the input region, the state in writable data)
//! and permute it with `keccak_f1600` (copied into writable data) are proved, verified,
//! compressed and verified compressed; the statement is the result.

mod support;

use std::sync::OnceLock;

use crease::nvm::decode::opcode;
use crease::nvm::encode::*;
use crease::nvm::isa::keccak_f1600::{self, KeccakF1600};
use crease::nvm::isa::sha256_compress::{compress, Sha256Compress, IV};
use crease::nvm::layout::{PUBLIC_INPUT, PUBLIC_OUTPUT};
use crease::{
    compress as compress_proof, prove, setup, verify, verify_compressed, Input, Isa, Params,
    Program, Segment, SetupConfig,
};
use sha2::Digest;

const CODE: u32 = 0x1000;
const STATE: u32 = 0x10_0000;

fn isa() -> Isa {
    Isa::rv32im()
        .with(Sha256Compress)
        .and_then(|isa| isa.with(KeccakF1600))
        .expect("custom-1 is free")
}

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| {
        let mut config = SetupConfig::development().with_k(64);
        config.k_per_circuit = vec![("sha256_compress".to_string(), 2)];
        setup(&isa(), &config).expect("setup")
    })
}

/// Compresses the state at `STATE` (SHA-256's IV at entry) with every 64-byte block of the
/// public input, then outputs the eight state words.
fn program() -> Program {
    let mut c = Vec::new();
    c.extend(li(6, STATE));
    c.extend(li(5, PUBLIC_INPUT));
    c.push(lw(7, 5, 0));
    c.push(srli(7, 7, 6));
    c.push(addi(5, 5, 4));
    c.push(r(opcode::CUSTOM_1, 0, 0, 0, 6, 5));
    c.push(addi(5, 5, 64));
    c.push(addi(7, 7, -1));
    c.push(bne(7, 0, -12));
    c.extend(li(18, PUBLIC_OUTPUT));
    c.extend(li(11, 32));
    c.push(sw(11, 18, 0));
    for j in 0..8 {
        c.push(lw(12, 6, 4 * j));
        c.push(sw(12, 18, 4 + 4 * j));
    }
    c.extend(li(10, 0));
    c.extend(li(17, 93));
    c.push(ecall());
    program_of(&c, IV.iter().flat_map(|w| w.to_le_bytes()).collect(), 32)
}

/// `code` at `CODE` and a writable segment of `size` bytes at `STATE` starting as `data`.
fn program_of(code: &[u32], data: Vec<u8>, size: u32) -> Program {
    let segments = vec![
        Segment {
            vaddr: CODE,
            mem_size: 4 * code.len() as u32,
            data: code.iter().flat_map(|w| w.to_le_bytes()).collect(),
            read: true,
            write: false,
            exec: true,
        },
        Segment {
            vaddr: STATE,
            mem_size: size,
            data,
            read: true,
            write: true,
            exec: false,
        },
    ];
    Program::from_parts(CODE, segments, &isa()).expect("program loads")
}

/// `message` with SHA-256's padding.
fn padded(message: &[u8]) -> Vec<u8> {
    let mut m = message.to_vec();
    m.push(0x80);
    while m.len() % 64 != 56 {
        m.push(0);
    }
    m.extend((8 * message.len() as u64).to_be_bytes());
    m
}

#[test]
fn a_hashing_program_proves_verifies_and_compresses() {
    let message: Vec<u8> = (0..150u32).map(|i| (i * 89 + 3) as u8).collect();
    let input = Input {
        public: padded(&message),
        private: vec![],
    };
    let (params, program) = (params(), program());
    let (proof, exec) = prove(params, &program, &input).expect("proves");
    let st = verify(params, &program, &input.public, &proof).expect("verifies");
    // The output is the state words little-endian; the digest is them big-endian.
    let digest: Vec<u8> = st
        .public_output
        .chunks(4)
        .flat_map(|w| [w[3], w[2], w[1], w[0]])
        .collect();
    assert_eq!(digest, sha2::Sha256::digest(&message).to_vec());
    assert_eq!(st.steps, exec.cycles);
    let sha = exec.counts.iter().find(|c| c.name == "sha256_compress");
    assert_eq!(sha.map(|c| c.count), Some(3));
    // Each compression takes two cycles.
    assert_eq!(
        exec.cycles,
        exec.counts.iter().map(|c| c.count).sum::<u64>() + 3
    );

    let other = Input {
        public: padded(b"another message, another digest"),
        private: vec![],
    };
    assert!(verify(params, &program, &other.public, &proof).is_err());

    let c = compress_proof(params, &program, &input.public, &proof).expect("compresses");
    let cst = verify_compressed(params, &program, &input.public, &c).expect("verifies");
    assert_eq!(cst.public_output, st.public_output);
    assert!(verify_compressed(params, &program, &other.public, &c).is_err());
}

#[test]
fn the_native_compression_agrees_with_the_reference_on_the_program_input() {
    let message = b"abc";
    let blocks = padded(message);
    let mut state = IV;
    for b in blocks.chunks(64) {
        let words: [u32; 16] =
            std::array::from_fn(|i| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap()));
        compress(&mut state, &words);
    }
    let digest: Vec<u8> = state.iter().flat_map(|w| w.to_be_bytes()).collect();
    assert_eq!(digest, sha2::Sha256::digest(message).to_vec());
}

/// Copies the 200 bytes of public input into the writable state, permutes it twice, and
/// outputs it.
fn keccak_program() -> Program {
    let mut c = Vec::new();
    c.extend(li(6, STATE));
    c.extend(li(5, PUBLIC_INPUT + 4));
    for j in 0..50 {
        c.push(lw(12, 5, 4 * j));
        c.push(sw(12, 6, 4 * j));
    }
    c.push(r(opcode::CUSTOM_1, 1, 0, 0, 6, 0));
    c.push(r(opcode::CUSTOM_1, 1, 0, 0, 6, 0));
    c.extend(li(18, PUBLIC_OUTPUT));
    c.extend(li(11, 200));
    c.push(sw(11, 18, 0));
    for j in 0..50 {
        c.push(lw(12, 6, 4 * j));
        c.push(sw(12, 18, 4 + 4 * j));
    }
    c.extend(li(10, 0));
    c.extend(li(17, 93));
    c.push(ecall());
    program_of(&c, vec![], 200)
}

#[test]
fn a_permuting_program_proves_verifies_and_compresses() {
    let state: Vec<u8> = (0..200u32).map(|i| (i * 151 + 7) as u8).collect();
    let input = Input {
        public: state.clone(),
        private: vec![],
    };
    let (params, program) = (params(), keccak_program());
    let (proof, exec) = prove(params, &program, &input).expect("proves");
    let st = verify(params, &program, &input.public, &proof).expect("verifies");
    let words: [u32; 50] =
        std::array::from_fn(|j| u32::from_le_bytes(state[4 * j..4 * j + 4].try_into().unwrap()));
    let mut lanes = keccak_f1600::lanes(&words);
    keccak_f1600::f1600(&mut lanes);
    keccak_f1600::f1600(&mut lanes);
    let expected: Vec<u8> = lanes.iter().flat_map(|l| l.to_le_bytes()).collect();
    assert_eq!(st.public_output, expected);
    // Each permutation takes four cycles.
    assert_eq!(
        exec.cycles,
        exec.counts.iter().map(|c| c.count).sum::<u64>() + 6
    );

    let mut other = input.clone();
    other.public[0] ^= 1;
    assert!(verify(params, &program, &other.public, &proof).is_err());

    let c = compress_proof(params, &program, &input.public, &proof).expect("compresses");
    let cst = verify_compressed(params, &program, &input.public, &c).expect("verifies");
    assert_eq!(cst.public_output, st.public_output);
}
