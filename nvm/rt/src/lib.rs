//! The runtime for Rust guest programs of the Crease zkVM.
//!
//! A guest is a `#![no_std]`, `#![no_main]` binary for `riscv32im-unknown-none-elf` that names
//! its entry function with [`entry!`]:
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! crease_rt::entry!(main);
//!
//! fn main() {
//!     let input = crease_rt::public_input();
//!     crease_rt::println!("{} bytes of public input", input.len());
//!     crease_rt::commit(&(input.len() as u32).to_le_bytes());
//! }
//! ```
//!
//! The runtime provides the entry point (`_start`), a bump allocator so that `alloc` works,
//! the I/O regions of docs/ABI.md ([`public_input`], [`private_input`], [`commit`]),
//! printing through the `write` system call ([`print!`], [`println!`], [`eprintln!`]),
//! [`exit`], a panic handler that prints the message and exits with code 101, wrappers
//! for co-processor instructions ([`coprocessor`]), and SHA-256 and Keccak-256 on the hash
//! co-processors ([`sha256`], [`keccak`]) behind the `digest` traits.
//!
//! Unsafe code is unavoidable here: the runtime talks to the machine through inline
//! assembly and raw pointers into the memory-mapped I/O regions. Each use says why it is
//! sound.

#![no_std]
#![warn(missing_docs)]

#[cfg(all(feature = "allocator", target_arch = "riscv32"))]
mod heap;
mod io;
mod print;
mod sys;

pub mod coprocessor;
pub mod keccak;
pub mod sha256;

/// The `digest` crate (0.10) whose traits [`sha256::Sha256`] and [`keccak::Keccak256`]
/// implement.
pub use digest;
pub use io::{
    commit, output_len, private_input, public_input, write_output, Reader, PRIVATE_INPUT,
    PUBLIC_INPUT, PUBLIC_OUTPUT, REGION_SIZE,
};
pub use print::{Stderr, Stdout};
pub use sys::{exit, write};

#[doc(hidden)]
pub use print::_print as __print;

/// The exit code of a guest that panicked.
pub const PANIC_EXIT_CODE: i32 = 101;

/// What a guest's entry function may return: `()` exits with 0, an `i32` is the exit code,
/// and a `Result` exits with 0 on `Ok` or prints the error and exits with 1.
pub trait Termination {
    /// The exit code this value stands for (printing anything it has to say first).
    fn report(self) -> i32;
}

impl Termination for () {
    fn report(self) -> i32 {
        0
    }
}

impl Termination for i32 {
    fn report(self) -> i32 {
        self
    }
}

impl<T: Termination, E: core::fmt::Debug> Termination for Result<T, E> {
    fn report(self) -> i32 {
        match self {
            Ok(value) => value.report(),
            Err(err) => {
                eprintln!("Error: {err:?}");
                1
            }
        }
    }
}

/// Declares the guest's entry function: `crease_rt::entry!(main);`.
///
/// The function takes no arguments and returns `()`, `i32` or a `Result` (see
/// [`Termination`]); when it returns, the guest exits with the corresponding code.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub extern "C" fn __crease_main() -> ! {
            let f: fn() -> _ = $main;
            $crate::exit($crate::Termination::report(f()))
        }
    };
}

// `_start` is the ELF entry point. The NVM (or qemu-user) has already set `sp`; the global
// pointer is set when the linker script defines `__global_pointer$` (ours does), and is
// zero otherwise thanks to the weak reference. `norelax` keeps the linker from rewriting
// the `la` that loads gp relative to gp itself.
#[cfg(target_arch = "riscv32")]
core::arch::global_asm!(
    ".section .text._start,\"ax\",@progbits",
    ".globl _start",
    ".type _start,@function",
    ".weak __global_pointer$",
    "_start:",
    ".option push",
    ".option norelax",
    "la gp, __global_pointer$",
    ".option pop",
    "call __crease_main",
    // Not reached: __crease_main exits. Stop with a breakpoint if it ever returns.
    "ebreak",
);

#[cfg(target_arch = "riscv32")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    eprintln!("{info}");
    exit(PANIC_EXIT_CODE)
}
