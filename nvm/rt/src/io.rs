//! The memory-mapped I/O regions of docs/ABI.md: public input, private input, public output.
//!
//! Each region starts with a little-endian `u32` byte length followed by the bytes.

/// Start of the public-input region.
pub const PUBLIC_INPUT: usize = 0xF000_0000;
/// Start of the private-input region.
pub const PRIVATE_INPUT: usize = 0xF400_0000;
/// Start of the public-output region.
pub const PUBLIC_OUTPUT: usize = 0xF800_0000;
/// Size of each I/O region; the bytes after the length word fill the rest.
pub const REGION_SIZE: usize = 0x0400_0000;

/// The largest number of bytes a region holds after its length word.
const MAX_LEN: usize = REGION_SIZE - 4;

fn input_region(base: usize) -> &'static [u8] {
    #[cfg(target_arch = "riscv32")]
    {
        // SAFETY: the NVM maps the whole region readable and fills the length word and the
        // bytes before the guest starts; input regions are never written afterwards, so a
        // shared 'static borrow is sound. The length is clamped to the region.
        unsafe {
            let len = core::ptr::read_volatile(base as *const u32) as usize;
            core::slice::from_raw_parts((base + 4) as *const u8, len.min(MAX_LEN))
        }
    }
    #[cfg(not(target_arch = "riscv32"))]
    {
        let _ = (base, MAX_LEN);
        &[]
    }
}

/// The public input: bytes the verifier knows.
pub fn public_input() -> &'static [u8] {
    input_region(PUBLIC_INPUT)
}

/// The private input (hints): bytes only the prover knows.
pub fn private_input() -> &'static [u8] {
    input_region(PRIVATE_INPUT)
}

/// The number of bytes committed to the public output so far.
pub fn output_len() -> usize {
    #[cfg(target_arch = "riscv32")]
    {
        // SAFETY: the length word of the output region is mapped and writable.
        unsafe { core::ptr::read_volatile(PUBLIC_OUTPUT as *const u32) as usize }
    }
    #[cfg(not(target_arch = "riscv32"))]
    {
        0
    }
}

/// Appends `bytes` to the public output and updates its length word.
///
/// Panics if the output region would overflow.
pub fn commit(bytes: &[u8]) {
    let len = output_len();
    let new_len = match len.checked_add(bytes.len()) {
        Some(n) if n <= MAX_LEN => n,
        _ => panic!("public output overflows its {MAX_LEN}-byte region"),
    };
    #[cfg(target_arch = "riscv32")]
    // SAFETY: `len + 4 .. new_len + 4` lies inside the writable output region (checked
    // above), which no Rust reference aliases.
    unsafe {
        let dst = (PUBLIC_OUTPUT + 4 + len) as *mut u8;
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len());
        core::ptr::write_volatile(PUBLIC_OUTPUT as *mut u32, new_len as u32);
    }
    #[cfg(not(target_arch = "riscv32"))]
    let _ = new_len;
}

/// Appends `bytes` to the public output; the same as [`commit`].
pub fn write_output(bytes: &[u8]) {
    commit(bytes)
}

/// A cursor over input bytes (typically [`private_input`]) that reads little-endian values.
#[derive(Clone, Debug)]
pub struct Reader {
    bytes: &'static [u8],
}

impl Reader {
    /// A reader over the public input.
    pub fn public() -> Self {
        Reader {
            bytes: public_input(),
        }
    }

    /// A reader over the private input.
    pub fn private() -> Self {
        Reader {
            bytes: private_input(),
        }
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'static [u8] {
        self.bytes
    }

    /// Reads the next `n` bytes, or `None` if fewer remain.
    pub fn read_bytes(&mut self, n: usize) -> Option<&'static [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Some(head)
    }

    /// Reads a little-endian `u32`.
    pub fn read_u32(&mut self) -> Option<u32> {
        let b = self.read_bytes(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a little-endian `u64`.
    pub fn read_u64(&mut self) -> Option<u64> {
        let lo = self.read_u32()? as u64;
        let hi = self.read_u32()? as u64;
        Some(lo | (hi << 32))
    }
}
