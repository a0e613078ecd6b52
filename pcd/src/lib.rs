//! The parallel proof tree of the Crease zkVM.
//!
//! Not built yet: see the project issues.
