//! System calls: `exit` and `write`, with the Linux RISC-V numbers (docs/ABI.md).

/// `a7` for `exit(code)`.
const SYS_EXIT: u32 = 93;
/// `a7` for `write(fd, buf, len)`.
const SYS_WRITE: u32 = 64;

/// Stops the machine with `code` as the guest's exit code.
#[cfg(target_arch = "riscv32")]
pub fn exit(code: i32) -> ! {
    // SAFETY: the exit call never returns and touches no memory.
    unsafe {
        core::arch::asm!("ecall", in("a7") SYS_EXIT, in("a0") code, options(noreturn, nostack));
    }
}

/// Writes `bytes` to file descriptor `fd` (1 = stdout, 2 = stderr) and returns what the
/// call returned: the number of bytes written, or a negative error number.
#[cfg(target_arch = "riscv32")]
pub fn write(fd: u32, bytes: &[u8]) -> isize {
    let ret: isize;
    // SAFETY: the call only reads `bytes.len()` bytes from `bytes.as_ptr()`, a valid slice.
    unsafe {
        core::arch::asm!(
            "ecall",
            in("a7") SYS_WRITE,
            inlateout("a0") fd as isize => ret,
            in("a1") bytes.as_ptr(),
            in("a2") bytes.len(),
            options(nostack, readonly),
        );
    }
    ret
}

/// Stops the machine with `code` as the guest's exit code.
///
/// Off the guest target (e.g. when a guest's pure logic is unit-tested on the host) there is
/// no machine to stop.
#[cfg(not(target_arch = "riscv32"))]
pub fn exit(code: i32) -> ! {
    let _ = SYS_EXIT;
    panic!("crease_rt::exit({code}) called off the guest target")
}

/// Writes `bytes` to file descriptor `fd`; off the guest target this writes nothing.
#[cfg(not(target_arch = "riscv32"))]
pub fn write(_fd: u32, bytes: &[u8]) -> isize {
    let _ = SYS_WRITE;
    bytes.len() as isize
}
