//! The compressing SNARK of the Crease zkVM.
//!
//! Not built yet: see the project issues.
