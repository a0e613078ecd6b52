//! The guest memory map (docs/ABI.md).

/// End (exclusive) of the program image range; segments lie in `0..IMAGE_END`.
pub const IMAGE_END: u32 = 0xC000_0000;
/// Start of RAM (heap grows up from here).
pub const RAM_START: u32 = 0xC000_0000;
/// End (exclusive) of RAM, and the initial stack pointer.
pub const RAM_END: u32 = 0xF000_0000;
/// The initial `sp`.
pub const STACK_TOP: u32 = RAM_END;
/// Public input: `u32` length here, bytes from `+4`.
pub const PUBLIC_INPUT: u32 = 0xF000_0000;
/// Private input: the same layout.
pub const PRIVATE_INPUT: u32 = 0xF400_0000;
/// Public output: `u32` length here, bytes from `+4`.
pub const PUBLIC_OUTPUT: u32 = 0xF800_0000;
/// End (exclusive) of the public output region; nothing is mapped above.
pub const PUBLIC_OUTPUT_END: u32 = 0xFC00_0000;
/// Size of each I/O region.
pub const IO_REGION_SIZE: u32 = 0x0400_0000;
/// The largest input or output length: the region minus its length word.
pub const MAX_IO_LEN: usize = IO_REGION_SIZE as usize - 4;

/// System call numbers (in `a7`).
pub mod syscall {
    /// `exit(code)`.
    pub const EXIT: u32 = 93;
    /// `write(fd, buf, len)`.
    pub const WRITE: u32 = 64;
    /// The result of `write` on an fd other than 1 and 2 (`-EBADF`).
    pub const EBADF: u32 = (-9i32) as u32;
}
