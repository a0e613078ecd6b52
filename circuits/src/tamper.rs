//! Witness overrides for attack tests: with the cargo feature `tamper` (never in the default
//! build), a test can set any `W1` value of any step to any field element, as a cheating
//! prover would, and the real prover commits and folds what it is given. Without the feature
//! [`Overrides`] is empty and [`Overrides::get`] returns the honest value.

use ark_r1cs_std::fields::fp::FpVar;

use crate::Fr;

/// The overridden `W1` values of one step, by index into its `W1` vector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides(#[cfg(feature = "tamper")] Vec<(usize, Fr)>);

impl Overrides {
    /// `W1` value `i`: `honest`, unless a test set it.
    #[inline]
    pub fn get(&self, i: usize, honest: Fr) -> Fr {
        #[cfg(feature = "tamper")]
        if let Some(&(_, v)) = self.0.iter().rev().find(|(j, _)| *j == i) {
            return v;
        }
        let _ = i;
        honest
    }

    /// The `W1` values of a step as constants: `values`, overridden where a test set them
    /// (the native evaluation of a step's lookups runs its code on these).
    pub fn constants(&self, values: &[u64]) -> Vec<FpVar<Fr>> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| FpVar::Constant(self.get(i, Fr::from(v))))
            .collect()
    }

    /// Sets `W1` value `i` to `v`.
    #[cfg(feature = "tamper")]
    pub fn set(&mut self, i: usize, v: Fr) {
        self.0.push((i, v));
    }
}
