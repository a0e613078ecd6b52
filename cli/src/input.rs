//! Reading guest inputs from the command line: a file, or bytes in hex.

use std::path::Path;

/// Parses hexadecimal bytes, with an optional `0x` prefix; whitespace and `_` are ignored.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text
        .trim()
        .trim_start_matches("0x")
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'_')
        .collect();
    if digits.len() % 2 != 0 {
        return Err(format!("odd number of hex digits in `{text}`"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).map_err(|_| format!("invalid hex `{text}`"))?;
            u8::from_str_radix(s, 16).map_err(|_| format!("invalid hex digits `{s}` in `{text}`"))
        })
        .collect()
}

/// The bytes of an input given as a file path, as hex, or not at all.
pub fn read_input(which: &str, file: Option<&Path>, hex: Option<&str>) -> Result<Vec<u8>, String> {
    match (file, hex) {
        (Some(path), None) => std::fs::read(path)
            .map_err(|e| format!("cannot read {which} input {}: {e}", path.display())),
        (None, Some(hex)) => parse_hex(hex).map_err(|e| format!("{which} input: {e}")),
        (None, None) => Ok(Vec::new()),
        (Some(_), Some(_)) => Err(format!(
            "give the {which} input as a file or as hex, not both"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_parses_with_prefix_and_spaces() {
        assert_eq!(parse_hex("0x01ff 10").unwrap(), vec![1, 255, 16]);
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn bad_hex_is_an_error() {
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("zz").is_err());
    }
}
