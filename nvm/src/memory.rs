//! Sparse paged guest memory with per-page permissions.
//!
//! The 4 GiB address space is split into 64 KiB pages held behind a flat table; a page is
//! allocated on its first store, so untouched memory (the 768 MiB of RAM, most of the I/O
//! regions) costs nothing, and reads of an unallocated page see zeros. Each page has a
//! permission byte. Pages that a program segment covers only partly (or that two segments
//! with different permissions share) are marked `MIXED` and checked byte-exactly against the
//! segment list on a slow path, so permissions are exact while the common case is one table
//! lookup.

use crate::error::{FaultKind, Region};
use crate::layout::*;

pub(crate) const PAGE_SHIFT: u32 = 16;
pub(crate) const PAGE_WORDS: usize = 1 << (PAGE_SHIFT - 2);
pub(crate) const N_PAGES: usize = 1 << (32 - PAGE_SHIFT);

type Page = [u32; PAGE_WORDS];

const READ: u8 = 1;
const WRITE: u8 = 2;
/// Permissions differ within the page: check the segment list.
const MIXED: u8 = 4;

/// A program segment's placement and permissions, for the slow path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SegmentPerm {
    pub start: u32,
    /// Exclusive; at most `IMAGE_END`, so it fits.
    pub end: u32,
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

impl SegmentPerm {
    fn bits(&self) -> u8 {
        (if self.read { READ } else { 0 }) | (if self.write { WRITE } else { 0 })
    }
    fn contains(&self, addr: u32) -> bool {
        self.start <= addr && addr < self.end
    }
}

/// Guest memory.
#[derive(Clone)]
pub(crate) struct Memory {
    perm: Box<[u8; N_PAGES]>,
    pages: Box<[Option<Box<Page>>; N_PAGES]>,
    segments: Vec<SegmentPerm>,
}

#[inline]
fn page_of(addr: u32) -> usize {
    (addr >> PAGE_SHIFT) as usize
}

#[inline]
fn word_in_page(addr: u32) -> usize {
    ((addr >> 2) as usize) & (PAGE_WORDS - 1)
}

fn zero_page() -> Box<Page> {
    match vec![0u32; PAGE_WORDS].into_boxed_slice().try_into() {
        Ok(page) => page,
        Err(_) => unreachable!("the vector has exactly PAGE_WORDS entries"),
    }
}

impl Memory {
    /// The memory map with the given program segments (sorted, non-overlapping, inside the
    /// image range) and no contents.
    pub(crate) fn new(segments: Vec<SegmentPerm>) -> Self {
        let perm: Box<[u8; N_PAGES]> = match vec![0u8; N_PAGES].into_boxed_slice().try_into() {
            Ok(p) => p,
            Err(_) => unreachable!("the vector has exactly N_PAGES entries"),
        };
        let pages: Box<[Option<Box<Page>>; N_PAGES]> =
            match vec![None; N_PAGES].into_boxed_slice().try_into() {
                Ok(p) => p,
                Err(_) => unreachable!("the vector has exactly N_PAGES entries"),
            };
        let mut mem = Memory {
            perm,
            pages,
            segments,
        };
        mem.set_range(RAM_START, RAM_END, READ | WRITE);
        mem.set_range(PUBLIC_INPUT, PRIVATE_INPUT, READ);
        mem.set_range(PRIVATE_INPUT, PUBLIC_OUTPUT, READ);
        mem.set_range(PUBLIC_OUTPUT, PUBLIC_OUTPUT_END, READ | WRITE);
        mem.set_segment_pages();
        mem
    }

    fn set_range(&mut self, start: u32, end: u32, bits: u8) {
        for p in page_of(start)..page_of(end) {
            self.perm[p] = bits;
        }
    }

    /// Fast permissions for pages that segments cover uniformly, `MIXED` otherwise.
    fn set_segment_pages(&mut self) {
        let page_size = 1u64 << PAGE_SHIFT;
        let mut touched: Vec<usize> = Vec::new();
        for s in &self.segments {
            if s.end > s.start {
                touched.extend(page_of(s.start)..=page_of(s.end - 1));
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for p in touched {
            let lo = p as u64 * page_size;
            let hi = lo + page_size;
            // Segments are sorted and disjoint: the page is uniform iff the segments meeting
            // it tile it without gaps and share one permission.
            let mut cursor = lo;
            let mut bits: Option<u8> = None;
            let mut uniform = true;
            for s in &self.segments {
                let (s_lo, s_hi) = (s.start as u64, s.end as u64);
                if s_hi <= lo || s_lo >= hi {
                    continue;
                }
                if s_lo.max(lo) != cursor || bits.is_some_and(|b| b != s.bits()) {
                    uniform = false;
                }
                bits = Some(s.bits());
                cursor = s_hi.min(hi);
            }
            self.perm[p] = match bits {
                Some(b) if uniform && cursor == hi => b,
                _ => MIXED,
            };
        }
    }

    fn segment_at(&self, addr: u32) -> Option<&SegmentPerm> {
        let i = self.segments.partition_point(|s| s.end <= addr);
        self.segments.get(i).filter(|s| s.contains(addr))
    }

    /// Whether `addr` may be read.
    fn readable(&self, addr: u32) -> bool {
        let bits = self.perm[page_of(addr)];
        if bits & MIXED == 0 {
            bits & READ != 0
        } else {
            self.segment_at(addr).is_some_and(|s| s.read)
        }
    }

    /// Why a store to `addr` is refused, or `None` if it is allowed.
    fn store_denied(&self, addr: u32) -> Option<FaultKind> {
        let bits = self.perm[page_of(addr)];
        if bits & MIXED == 0 && bits & WRITE != 0 {
            return None;
        }
        let region = if (PUBLIC_INPUT..PRIVATE_INPUT).contains(&addr) {
            Region::PublicInput
        } else if (PRIVATE_INPUT..PUBLIC_OUTPUT).contains(&addr) {
            Region::PrivateInput
        } else {
            match self.segment_at(addr) {
                Some(s) if s.write => return None,
                Some(s) if s.exec => Region::Code,
                Some(s) if s.read => Region::ReadOnlyData,
                _ => return Some(FaultKind::Unmapped { addr }),
            }
        };
        Some(FaultKind::StoreToReadOnly { addr, region })
    }

    /// Loads the aligned word containing `addr` (the low two bits are ignored).
    #[inline]
    pub(crate) fn load_word(&self, addr: u32) -> Result<u32, FaultKind> {
        let p = page_of(addr);
        if self.perm[p] & READ == 0 && !self.readable(addr) {
            return Err(FaultKind::Unmapped { addr });
        }
        Ok(match &self.pages[p] {
            Some(page) => page[word_in_page(addr)],
            None => 0,
        })
    }

    /// Whether a store to the word containing `addr` would succeed (its fault if not).
    #[inline]
    pub(crate) fn check_store(&self, addr: u32) -> Result<(), FaultKind> {
        let p = page_of(addr);
        if self.perm[p] & WRITE == 0 || self.perm[p] & MIXED != 0 {
            if let Some(denied) = self.store_denied(addr) {
                return Err(denied);
            }
        }
        Ok(())
    }

    /// Stores the aligned word containing `addr` (the low two bits are ignored).
    #[inline]
    pub(crate) fn store_word(&mut self, addr: u32, value: u32) -> Result<(), FaultKind> {
        self.check_store(addr)?;
        let p = page_of(addr);
        self.pages[p].get_or_insert_with(zero_page)[word_in_page(addr)] = value;
        Ok(())
    }

    /// Reads a word without permission checks (host side: program image, output).
    pub(crate) fn peek_word(&self, addr: u32) -> u32 {
        match &self.pages[page_of(addr)] {
            Some(page) => page[word_in_page(addr)],
            None => 0,
        }
    }

    /// Writes a word without permission checks (loading the image and inputs).
    pub(crate) fn poke_word(&mut self, addr: u32, value: u32) {
        if value == 0 && self.pages[page_of(addr)].is_none() {
            return;
        }
        self.pages[page_of(addr)].get_or_insert_with(zero_page)[word_in_page(addr)] = value;
    }

    /// Writes bytes without permission checks, starting at any address.
    pub(crate) fn poke_bytes(&mut self, addr: u32, bytes: &[u8]) {
        let mut a = addr;
        let mut rest = bytes;
        while !rest.is_empty() {
            let offset = (a & 3) as usize;
            let take = rest.len().min(4 - offset);
            let mut word = self.peek_word(a).to_le_bytes();
            word[offset..offset + take].copy_from_slice(&rest[..take]);
            self.poke_word(a, u32::from_le_bytes(word));
            rest = &rest[take..];
            a = a.wrapping_add(take as u32);
        }
    }

    /// Copies `len` bytes at `addr` into `out`, checking read permission on each byte;
    /// on a fault, `out` holds the bytes before the faulting address.
    pub(crate) fn read_bytes(
        &self,
        addr: u32,
        len: u32,
        out: &mut Vec<u8>,
    ) -> Result<(), FaultKind> {
        out.clear();
        for i in 0..len {
            let Some(a) = addr.checked_add(i) else {
                return Err(FaultKind::Unmapped {
                    addr: addr.wrapping_add(i),
                });
            };
            let w = self.load_word(a)?;
            out.push((w >> ((a & 3) * 8)) as u8);
        }
        Ok(())
    }

    /// Reads bytes without permission checks.
    pub(crate) fn peek_bytes(&self, addr: u32, len: u32) -> Vec<u8> {
        (0..len)
            .map(|i| {
                let a = addr.wrapping_add(i);
                (self.peek_word(a) >> ((a & 3) * 8)) as u8
            })
            .collect()
    }
}
