//! Ceremony files for the tests, made on the spot by snarkjs (`scripts/setup.sh` installs
//! it): `snarkjs powersoftau new` then two contributions. They are made once per target
//! directory and kept under its `tmp/ptau/`; nothing is committed.
//!
//! Standalone (no other support module) so that every crate's tests can include it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Set this (as `.ci/run` does) to turn a missing snarkjs into a failure instead of a skip.
const REQUIRE_ENV: &str = "CREASE_REQUIRE_TOOLCHAINS";

/// Files are made one at a time in a test binary (tests run on threads).
static MAKING: Mutex<()> = Mutex::new(());

/// A made ceremony file and the fresh one it grew from.
pub struct Fixture {
    /// Two contributions.
    pub ptau: PathBuf,
    /// No contribution: `τ = 1`.
    pub fresh: PathBuf,
}

/// The ceremony files of `power` under `dir` (a test's `CARGO_TARGET_TMPDIR`), made if
/// they are not there yet; `None` after a notice when snarkjs is missing and
/// `CREASE_REQUIRE_TOOLCHAINS` is unset.
pub fn fixture(dir: &Path, power: u32) -> Option<Fixture> {
    let dir = dir.join("ptau");
    let fx = Fixture {
        ptau: dir.join(format!("two-contributions-{power}.ptau")),
        fresh: dir.join(format!("fresh-{power}.ptau")),
    };
    let _guard = MAKING.lock().unwrap_or_else(|e| e.into_inner());
    if fx.ptau.exists() && fx.fresh.exists() {
        return Some(fx);
    }
    std::fs::create_dir_all(&dir).expect("ptau fixture dir");
    // Names of this process's own, renamed into place at the end, so that test binaries
    // making the same file at once never read half of one.
    let tmp = |i: u32| dir.join(format!("making-{power}-{}-{i}.ptau", std::process::id()));
    let start = std::time::Instant::now();
    let power_s = power.to_string();
    let steps: [Vec<String>; 3] = [
        args(&["powersoftau", "new", "bn128", &power_s, &s(&tmp(0))]),
        contribute(&tmp(0), &tmp(1), "first", "crease test entropy one"),
        contribute(&tmp(1), &tmp(2), "second", "crease test entropy two"),
    ];
    for step in steps {
        match Command::new("snarkjs").args(&step).output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "snarkjs {step:?} failed: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(err) => {
                if std::env::var_os(REQUIRE_ENV).is_some() {
                    panic!("snarkjs is required ({REQUIRE_ENV} is set) but missing: {err}");
                }
                eprintln!();
                eprintln!("==================================================================");
                eprintln!("SKIPPED: snarkjs is not installed: {err}");
                eprintln!("Run scripts/setup.sh --deps-only to install it.");
                eprintln!("==================================================================");
                return None;
            }
        }
    }
    std::fs::rename(tmp(0), &fx.fresh).expect("fresh ptau into place");
    std::fs::rename(tmp(2), &fx.ptau).expect("ptau into place");
    let _ = std::fs::remove_file(tmp(1));
    eprintln!(
        "made {} with snarkjs in {:.1} s",
        fx.ptau.display(),
        start.elapsed().as_secs_f64()
    );
    Some(fx)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|x| x.to_string()).collect()
}

fn contribute(from: &Path, to: &Path, name: &str, entropy: &str) -> Vec<String> {
    vec![
        "powersoftau".into(),
        "contribute".into(),
        s(from),
        s(to),
        format!("--name={name}"),
        format!("-e={entropy}"),
    ]
}
