//! A small length-checked byte reader and writer for the parameter file.

use crate::Error;

/// Appends little-endian integers and length-prefixed byte strings.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

impl Writer {
    pub(crate) fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.out.extend_from_slice(b);
    }
}

/// Reads what [`Writer`] wrote; every read is bounds-checked.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { rest: bytes, what }
    }

    fn err(&self, reason: &'static str) -> Error {
        Error::Malformed {
            what: self.what,
            reason,
        }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.rest.len() {
            return Err(self.err("truncated"));
        }
        let (a, b) = self.rest.split_at(n);
        self.rest = b;
        Ok(a)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Error> {
        let b = self.take(8)?;
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        Ok(u64::from_le_bytes(w))
    }

    pub(crate) fn len(&mut self, max: u64) -> Result<usize, Error> {
        let n = self.u64()?;
        if n > max || n > self.rest.len() as u64 {
            return Err(self.err("length out of range"));
        }
        Ok(n as usize)
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], Error> {
        let n = self.len(u64::MAX)?;
        self.take(n)
    }

    pub(crate) fn header(&mut self, expected: &[u8; 8]) -> Result<(), Error> {
        let h = self.take(8).map_err(|_| self.err("no header"))?;
        if h != expected {
            return Err(self.err("unknown header or version"));
        }
        Ok(())
    }

    pub(crate) fn finish(&self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.err("trailing bytes"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_was_written_and_refuses_truncation() {
        let mut w = Writer::default();
        w.out.extend_from_slice(b"HEADER01");
        w.u64(7);
        w.bytes(b"abc");
        let mut r = Reader::new(&w.out, "test");
        r.header(b"HEADER01").expect("header");
        assert_eq!(r.u64().expect("u64"), 7);
        assert_eq!(r.bytes().expect("bytes"), b"abc");
        r.finish().expect("all read");
        for cut in 0..w.out.len() {
            let mut r = Reader::new(&w.out[..cut], "test");
            let all = r
                .header(b"HEADER01")
                .and_then(|_| r.u64())
                .and_then(|_| r.bytes().map(|_| 0));
            assert!(all.is_err(), "truncated at {cut} accepted");
        }
        let mut r = Reader::new(b"HEADER02", "test");
        assert!(r.header(b"HEADER01").is_err());
    }
}
