//! The machine state an instruction executes against.

use std::io::Write;

use crate::error::{Fault, FaultKind};
use crate::layout::syscall;
use crate::memory::Memory;
use crate::trace::{max_accesses, Tracer};

/// Where the guest's fd 1 or fd 2 goes.
pub(crate) enum Out<'a> {
    /// Streamed to a host writer as the guest writes.
    Stream(&'a mut dyn Write),
    /// Collected and returned with the execution (or the fault).
    Capture(Vec<u8>),
}

impl Out<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), FaultKind> {
        match self {
            Out::Stream(w) => w
                .write_all(bytes)
                .and_then(|()| w.flush())
                .map_err(|e| FaultKind::HostOutput { kind: e.kind() }),
            Out::Capture(v) => {
                v.extend_from_slice(bytes);
                Ok(())
            }
        }
    }

    pub(crate) fn take(&mut self) -> Vec<u8> {
        match self {
            Out::Stream(_) => Vec::new(),
            Out::Capture(v) => std::mem::take(v),
        }
    }
}

/// The state of the machine while one instruction executes: registers, memory, pc.
///
/// Instructions touch the state only through these methods, so that the executor can
/// record every access for the trace when tracing is on. Register and memory methods are
/// cheap inline functions; faults are returned with the current pc and cycle filled in.
pub struct Machine<'a> {
    regs: [u32; 32],
    pc: u32,
    next_pc: u32,
    cycle: u64,
    pub(crate) mem: Memory,
    pub(crate) tracer: Option<Tracer<'a>>,
    pub(crate) stdout: Out<'a>,
    pub(crate) stderr: Out<'a>,
    pub(crate) exit: Option<i32>,
    scratch: Vec<u8>,
}

impl<'a> Machine<'a> {
    pub(crate) fn new(
        mem: Memory,
        entry: u32,
        sp: u32,
        tracer: Option<Tracer<'a>>,
        stdout: Out<'a>,
        stderr: Out<'a>,
    ) -> Self {
        let mut regs = [0; 32];
        regs[2] = sp;
        Machine {
            regs,
            pc: entry,
            next_pc: entry.wrapping_add(4),
            cycle: 0,
            mem,
            tracer,
            stdout,
            stderr,
            exit: None,
            scratch: Vec::new(),
        }
    }

    /// Sets the pc and cycle of the instruction about to execute.
    #[inline(always)]
    pub(crate) fn begin(&mut self, pc: u32, cycle: u64) {
        self.pc = pc;
        self.next_pc = pc.wrapping_add(4);
        self.cycle = cycle;
    }

    /// The address of the executing instruction.
    #[inline(always)]
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// The address of the next instruction (`pc + 4` unless changed by
    /// [`set_next_pc`](Self::set_next_pc)).
    #[inline(always)]
    pub fn next_pc(&self) -> u32 {
        self.next_pc
    }

    /// Instructions completed before this one.
    #[inline(always)]
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// A fault at the current pc and cycle.
    #[cold]
    pub fn fault(&self, kind: FaultKind) -> Fault {
        Fault {
            kind,
            pc: self.pc,
            cycle: self.cycle,
        }
    }

    /// Reads register `r` (taken modulo 32; `x0` reads zero).
    #[inline(always)]
    pub fn reg(&mut self, r: u8) -> u32 {
        let r = (r & 31) as usize;
        let v = self.regs[r];
        if let Some(t) = &mut self.tracer {
            t.reg(r, v, v);
        }
        v
    }

    /// Writes register `r` (taken modulo 32); a write to `x0` is recorded but leaves it zero.
    #[inline(always)]
    pub fn set_reg(&mut self, r: u8, value: u32) {
        let r = (r & 31) as usize;
        if let Some(t) = &mut self.tracer {
            let written = if r == 0 { 0 } else { value };
            t.reg(r, self.regs[r], written);
        }
        self.regs[r] = value;
        self.regs[0] = 0;
    }

    /// Sets the address of the next instruction; faults if it is not 4-byte aligned.
    #[inline(always)]
    pub fn set_next_pc(&mut self, target: u32) -> Result<(), Fault> {
        if target & 3 != 0 {
            return Err(self.fault(FaultKind::MisalignedFetch { target }));
        }
        self.next_pc = target;
        Ok(())
    }

    #[inline(always)]
    fn load_word_at(&mut self, addr: u32) -> Result<u32, Fault> {
        let w = match self.mem.load_word(addr) {
            Ok(w) => w,
            Err(kind) => return Err(self.fault(kind)),
        };
        if let Some(t) = &mut self.tracer {
            t.mem(addr & !3, w, w);
        }
        Ok(w)
    }

    /// Stores `value` into the bytes selected by `mask` of the word containing `addr`.
    #[inline(always)]
    fn store_masked(&mut self, addr: u32, value: u32, mask: u32) -> Result<(), Fault> {
        let tracing = self.tracer.is_some();
        let old = if mask != u32::MAX || tracing {
            self.mem.peek_word(addr)
        } else {
            0
        };
        let new = (old & !mask) | (value & mask);
        if let Err(kind) = self.mem.store_word(addr, new) {
            return Err(self.fault(kind));
        }
        if let Some(t) = &mut self.tracer {
            t.mem(addr & !3, old, new);
        }
        Ok(())
    }

    #[cold]
    fn misaligned(&self, addr: u32, size: u32) -> Fault {
        self.fault(FaultKind::MisalignedAccess { addr, size })
    }

    /// Loads the byte at `addr`.
    #[inline(always)]
    pub fn load_u8(&mut self, addr: u32) -> Result<u8, Fault> {
        Ok((self.load_word_at(addr)? >> ((addr & 3) * 8)) as u8)
    }

    /// Loads the halfword at `addr` (must be even).
    #[inline(always)]
    pub fn load_u16(&mut self, addr: u32) -> Result<u16, Fault> {
        if addr & 1 != 0 {
            return Err(self.misaligned(addr, 2));
        }
        Ok((self.load_word_at(addr)? >> ((addr & 2) * 8)) as u16)
    }

    /// Loads the word at `addr` (must be a multiple of four).
    #[inline(always)]
    pub fn load_u32(&mut self, addr: u32) -> Result<u32, Fault> {
        if addr & 3 != 0 {
            return Err(self.misaligned(addr, 4));
        }
        self.load_word_at(addr)
    }

    /// Stores a byte at `addr`.
    #[inline(always)]
    pub fn store_u8(&mut self, addr: u32, value: u8) -> Result<(), Fault> {
        let shift = (addr & 3) * 8;
        self.store_masked(addr, (value as u32) << shift, 0xff << shift)
    }

    /// Stores a halfword at `addr` (must be even).
    #[inline(always)]
    pub fn store_u16(&mut self, addr: u32, value: u16) -> Result<(), Fault> {
        if addr & 1 != 0 {
            return Err(self.misaligned(addr, 2));
        }
        let shift = (addr & 2) * 8;
        self.store_masked(addr, (value as u32) << shift, 0xffff << shift)
    }

    /// Stores a word at `addr` (must be a multiple of four).
    #[inline(always)]
    pub fn store_u32(&mut self, addr: u32, value: u32) -> Result<(), Fault> {
        if addr & 3 != 0 {
            return Err(self.misaligned(addr, 4));
        }
        self.store_masked(addr, value, u32::MAX)
    }

    /// The `N` words from the word-aligned `addr` up: one traced load each, in order.
    /// Faults (before any access) if `addr` is not a multiple of four, the range wraps past
    /// `2^32`, or a word is not readable.
    pub fn load_words<const N: usize>(&mut self, addr: u32) -> Result<[u32; N], Fault> {
        self.words_in_range(addr, N as u32, false)?;
        let mut out = [0u32; N];
        for (i, w) in out.iter_mut().enumerate() {
            *w = self.load_word_at(addr + 4 * i as u32)?;
        }
        Ok(out)
    }

    /// Reads the `N` words from the word-aligned `addr` up, lets `f` change them, and
    /// writes them back: one traced access per word (old value, new value), in order. Faults
    /// (before any access) if `addr` is not a multiple of four, the range wraps past `2^32`,
    /// or a word is not writable. This is how a co-processor updates a state in place.
    pub fn update_words<const N: usize>(
        &mut self,
        addr: u32,
        f: impl FnOnce(&mut [u32; N]),
    ) -> Result<(), Fault> {
        self.words_in_range(addr, N as u32, true)?;
        let mut words = [0u32; N];
        for (i, w) in words.iter_mut().enumerate() {
            *w = self.mem.peek_word(addr + 4 * i as u32);
        }
        f(&mut words);
        for (i, &w) in words.iter().enumerate() {
            self.store_masked(addr + 4 * i as u32, w, u32::MAX)?;
        }
        Ok(())
    }

    /// Checks that `n ≥ 1` words from `addr` are aligned, do not wrap, and are readable
    /// (and writable if `write`), without recording anything.
    fn words_in_range(&self, addr: u32, n: u32, write: bool) -> Result<(), Fault> {
        if addr & 3 != 0 {
            return Err(self.misaligned(addr, 4));
        }
        let last = n
            .checked_sub(1)
            .and_then(|k| addr.checked_add(4 * k))
            .ok_or_else(|| self.fault(FaultKind::Unmapped { addr }))?;
        let mut a = addr;
        loop {
            let checked = if write {
                self.mem.check_store(a)
            } else {
                self.mem.load_word(a).map(|_| ())
            };
            if let Err(kind) = checked {
                return Err(self.fault(kind));
            }
            if a == last {
                return Ok(());
            }
            a += 4;
        }
    }

    /// Performs the system call selected by `a7` (docs/ABI.md): `exit` stops the machine
    /// after this instruction, `write` copies guest bytes to the host's stdout or stderr.
    ///
    /// The registers it reads and writes are recorded like any other access; the bytes
    /// `write` reads from memory are not (they change no state).
    pub fn ecall(&mut self) -> Result<(), Fault> {
        let number = self.reg(17);
        match number {
            syscall::EXIT => {
                let code = self.reg(10);
                self.exit = Some(code as i32);
                Ok(())
            }
            syscall::WRITE => {
                let fd = self.reg(10);
                let buf = self.reg(11);
                let len = self.reg(12);
                let result = match fd {
                    1 | 2 => {
                        if let Err(kind) = self.write_out(fd, buf, len) {
                            return Err(self.fault(kind));
                        }
                        len
                    }
                    _ => syscall::EBADF,
                };
                self.set_reg(10, result);
                Ok(())
            }
            _ => Err(self.fault(FaultKind::UnknownSyscall { number })),
        }
    }

    /// Copies guest bytes to fd 1 or 2 in bounded chunks, so a huge `len` costs no huge
    /// buffer; bytes before an unmapped address are written, then the call faults.
    fn write_out(&mut self, fd: u32, buf: u32, len: u32) -> Result<(), FaultKind> {
        const CHUNK: u32 = 1 << 16;
        let mut bytes = std::mem::take(&mut self.scratch);
        let mut done = 0u32;
        let mut result = Ok(());
        while done < len && result.is_ok() {
            let n = (len - done).min(CHUNK);
            let read = self.mem.read_bytes(buf.wrapping_add(done), n, &mut bytes);
            let out = if fd == 1 {
                &mut self.stdout
            } else {
                &mut self.stderr
            };
            let written = out.write(&bytes);
            result = read.and(written);
            done += n;
        }
        self.scratch = bytes;
        result
    }

    /// The fault `ebreak` raises.
    pub fn ebreak(&self) -> Fault {
        self.fault(FaultKind::Breakpoint)
    }

    pub(crate) fn trace_overflow(&self, cycles: u32) -> Fault {
        self.fault(FaultKind::TooManyAccesses {
            max: max_accesses(cycles),
        })
    }
}
