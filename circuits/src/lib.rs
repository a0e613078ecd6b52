//! R1CS instruction circuits for the Crease zkVM.
//!
//! Not built yet: see the project issues.
