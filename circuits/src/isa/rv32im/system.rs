//! System instructions: ECALL (exit, write), FENCE; EBREAK has no satisfying witness.

use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::SynthesisError;
use crease_nvm::layout::syscall;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::pack::HALTED;
use crate::Fr;

/// The circuit of `system`. Witness: `e` (ECALL rather than FENCE), `x` (the call is
/// `exit`, else `write`) and `ok` (the fd is 1 or 2). Accesses, as the NVM makes them:
/// `a7`, `a0` (ECALL), `a1`, `a2` and the write of `a0` (`write` only). `exit(code)` writes
/// `HALTED + code` into the pc cell: no instruction can follow it, and the verifier's
/// Final of the pc cell carries the exit code. `a7` must be `exit` or `write`.
///
/// Not proven: that `write`'s buffer is readable memory (it changes no state; the native
/// machine faults on an unmapped buffer). The bytes written to stdout are not part of the
/// statement.
#[derive(Clone, Copy, Debug, Default)]
pub struct System;

const ACCESSES: [AccessKind; 5] = [
    AccessKind::RegRead(Reg::Fixed(17)),
    AccessKind::RegRead(Reg::Fixed(10)),
    AccessKind::RegRead(Reg::Fixed(11)),
    AccessKind::RegRead(Reg::Fixed(12)),
    AccessKind::RegWrite(Reg::Fixed(10)),
];

impl InstructionCircuit for System {
    fn name(&self) -> &str {
        "system"
    }
    fn fields(&self) -> Fields {
        Fields {
            op: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn witness_layout(&self) -> Vec<u32> {
        vec![1; 3]
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        let e = (rec.d.op == 0) as u64;
        let x = (e == 1 && rec.read(0) == syscall::EXIT) as u64;
        let ok = matches!(rec.read(1), 1 | 2) as u64;
        vec![e, x, ok]
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let one = FpVar::Constant(Fr::from(1u64));
        let zero = FpVar::Constant(Fr::from(0u64));
        let (e, is_exit, ok) = (&w[0], &w[1], &w[2]);
        // op ∈ {ECALL = 0, FENCE = 2}: EBREAK (1) is unsatisfiable.
        ctx.equal(&x.op, &((&one - e) * Fr::from(2u64)))?;
        ctx.enforce_mul(is_exit, &(&one - e), &zero)?;
        let is_write = e - is_exit;
        let a7 = x.acc[0].read.clone();
        let a7_off = &a7 - Fr::from(syscall::WRITE as u64);
        ctx.enforce_mul(
            e,
            &a7_off,
            &(is_exit * Fr::from((syscall::EXIT - syscall::WRITE) as u64)),
        )?;
        for j in 0..5 {
            x.acc[j].enable = Some(if j < 2 { e.clone() } else { is_write.clone() });
        }
        // write: a0 = len if fd ∈ {1, 2}, else EBADF.
        let fd = x.acc[1].read.clone();
        let g = ctx.mul(&(&fd - Fr::from(1u64)), &(&fd - Fr::from(2u64)));
        ctx.enforce_mul(ok, &g, &zero)?;
        let g_val = g.value().unwrap_or_default();
        let inv = ctx.w2(|| crate::pack::inv_or_zero(g_val))?;
        ctx.enforce_mul(&g, &inv, &(&one - ok))?;
        let ebadf = Fr::from(syscall::EBADF as u64);
        let len = x.acc[3].read.clone();
        let chosen = ctx.mul(ok, &(len - ebadf)) + ebadf;
        ctx.enforce_mul(&is_write, &chosen, &x.acc[4].write)?;
        // exit: the pc cell becomes HALTED + code.
        let fall = &x.pc + Fr::from(4u64);
        let halted = &x.acc[1].read + Fr::from(HALTED);
        Ok(ctx.select(is_exit, &halted, &fall))
    }
}
