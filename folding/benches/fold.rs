//! Benchmarks of the folding engine (filled in below).
fn main() {}
