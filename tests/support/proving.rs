//! Proving a program and verifying its proof after a round trip through bytes.

use std::time::{Duration, Instant};

use crease::{prove, verify, Execution, Input, Params, Program, Proof, Statement};

/// What one prove → serialize → read back → verify round trip gave.
pub struct RoundTrip {
    /// The proof read back from its bytes.
    pub proof: Proof,
    /// The prover's run of the program.
    pub exec: Execution,
    /// The statement the verifier accepted.
    pub statement: Statement,
    /// The length of the serialized proof.
    pub proof_bytes: usize,
    /// Time to prove.
    pub prove_time: Duration,
    /// Time to verify.
    pub verify_time: Duration,
}

/// Proves `program` on `input`, serializes and reads back the proof, and verifies it
/// against the public input; panics if any step fails.
pub fn round_trip(params: &Params, program: &Program, input: &Input) -> RoundTrip {
    let started = Instant::now();
    let (proof, exec) = prove(params, program, input).expect("proves");
    let prove_time = started.elapsed();
    let bytes = proof.to_bytes().expect("serializes");
    let proof = Proof::from_bytes(&bytes).expect("reads back");
    let started = Instant::now();
    let statement = verify(params, program, &input.public, &proof).expect("verifies");
    RoundTrip {
        proof,
        exec,
        statement,
        proof_bytes: bytes.len(),
        prove_time,
        verify_time: started.elapsed(),
    }
}
