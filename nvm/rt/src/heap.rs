//! A bump allocator over the RAM heap (from `0xC000_0000` upward, docs/ABI.md).
//!
//! Memory is never reused: guests are short-lived, and a bump allocator costs a handful of
//! instructions per allocation, which matters when every instruction is proven. An
//! allocation fails (and `alloc` reports it) when it would come within [`STACK_GUARD`]
//! bytes of the stack pointer, since the stack grows down toward the heap.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

/// First byte of the heap.
const HEAP_START: usize = 0xC000_0000;
/// Bytes kept free below the stack pointer.
const STACK_GUARD: usize = 64 * 1024;

struct BumpAlloc {
    next: Cell<usize>,
}

// SAFETY: a guest has a single thread of execution.
unsafe impl Sync for BumpAlloc {}

fn stack_pointer() -> usize {
    #[cfg(target_arch = "riscv32")]
    {
        let sp: usize;
        // SAFETY: reads a register, touches no memory.
        unsafe { core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack)) };
        sp
    }
    #[cfg(not(target_arch = "riscv32"))]
    {
        usize::MAX
    }
}

// SAFETY: every block returned is fresh (the bump pointer only moves up), aligned as asked,
// and inside RAM below the stack guard.
unsafe impl GlobalAlloc for BumpAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mask = layout.align() - 1;
        let limit = stack_pointer().saturating_sub(STACK_GUARD);
        let start = self.next.get().checked_add(mask).map(|n| n & !mask);
        match start.and_then(|start| Some((start, start.checked_add(layout.size())?))) {
            Some((start, end)) if end <= limit && start >= HEAP_START => {
                self.next.set(end);
                start as *mut u8
            }
            _ => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // The most recent block can be given back; anything else stays allocated.
        if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Growing the most recent block in place turns `Vec::push` loops into no copies.
        if ptr as usize + layout.size() == self.next.get() {
            let limit = stack_pointer().saturating_sub(STACK_GUARD);
            if let Some(end) = (ptr as usize).checked_add(new_size) {
                if end <= limit {
                    self.next.set(end);
                    return ptr;
                }
            }
            return core::ptr::null_mut();
        }
        // SAFETY: the caller upholds GlobalAlloc::realloc's contract, which is alloc's.
        let new =
            unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for the smaller size and do not overlap.
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        }
        new
    }
}

#[cfg(target_arch = "riscv32")]
#[global_allocator]
static ALLOCATOR: BumpAlloc = BumpAlloc {
    next: Cell::new(HEAP_START),
};
