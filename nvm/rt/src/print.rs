//! `print!`, `println!`, `eprint!` and `eprintln!` through the `write` system call.

use core::fmt;

/// The guest's standard output (file descriptor 1), as a [`fmt::Write`] sink.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stdout;

/// The guest's standard error (file descriptor 2), as a [`fmt::Write`] sink.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stderr;

fn write_all(fd: u32, mut bytes: &[u8]) -> fmt::Result {
    while !bytes.is_empty() {
        let n = crate::write(fd, bytes);
        if n <= 0 {
            return Err(fmt::Error);
        }
        bytes = bytes.get(n as usize..).unwrap_or(&[]);
    }
    Ok(())
}

impl fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(1, s.as_bytes())
    }
}

impl fmt::Write for Stderr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(2, s.as_bytes())
    }
}

/// Gathers one formatted message so that it costs a few `write` calls rather than one per
/// piece: every call is an `ecall` that the prover pays for.
struct Buffered {
    fd: u32,
    len: usize,
    buf: [u8; 128],
}

impl Buffered {
    fn flush(&mut self) -> fmt::Result {
        let len = core::mem::take(&mut self.len);
        write_all(self.fd, &self.buf[..len])
    }
}

impl fmt::Write for Buffered {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let bytes = s.as_bytes();
        if bytes.len() > self.buf.len() - self.len {
            self.flush()?;
            if bytes.len() > self.buf.len() {
                return write_all(self.fd, bytes);
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
        Ok(())
    }
}

#[doc(hidden)]
pub fn _print(fd: u32, args: fmt::Arguments<'_>) {
    use fmt::Write as _;
    let mut out = Buffered {
        fd,
        len: 0,
        buf: [0; 128],
    };
    // Nothing useful can be done when the host refuses the output.
    let _ = out.write_fmt(args).and_then(|()| out.flush());
}

/// Prints to the guest's standard output, like `std::print!`.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::__print(1, format_args!($($arg)*)) };
}

/// Prints a line to the guest's standard output, like `std::println!`.
#[macro_export]
macro_rules! println {
    () => { $crate::__print(1, format_args!("\n")) };
    ($($arg:tt)*) => { $crate::__print(1, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to the guest's standard error, like `std::eprint!`.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::__print(2, format_args!($($arg)*)) };
}

/// Prints a line to the guest's standard error, like `std::eprintln!`.
#[macro_export]
macro_rules! eprintln {
    () => { $crate::__print(2, format_args!("\n")) };
    ($($arg:tt)*) => { $crate::__print(2, format_args!("{}\n", format_args!($($arg)*))) };
}
