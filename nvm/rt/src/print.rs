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

#[doc(hidden)]
pub fn _print(fd: u32, args: fmt::Arguments<'_>) {
    use fmt::Write as _;
    // Nothing useful can be done when the host refuses the output.
    let _ = if fd == 2 {
        Stderr.write_fmt(args)
    } else {
        Stdout.write_fmt(args)
    };
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
