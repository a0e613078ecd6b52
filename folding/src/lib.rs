//! Cross-term-free Nova-style folding with CycleFold over BN254/Grumpkin.
