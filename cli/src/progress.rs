//! Progress bars on stderr, one per phase; drawn only when stderr is a terminal.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A phase of a long command (set-up, execute, commit, fold a chain, ...).
pub struct Phase {
    name: String,
    bar: ProgressBar,
    start: Instant,
}

impl Phase {
    /// Starts a phase of `len` units.
    pub fn new(name: &str, len: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(name.to_string());
        Phase {
            name: name.to_string(),
            bar,
            start: Instant::now(),
        }
    }

    /// Shows what is being worked on.
    pub fn message(&self, msg: &str) {
        self.bar.set_message(msg.to_string());
    }

    /// Marks `n` more units done.
    pub fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Ends the phase and prints its time; returns it.
    pub fn finish(self) -> Duration {
        self.bar.finish_and_clear();
        let t = self.start.elapsed();
        eprintln!("crease: {:<10} {:>8.2} s", self.name, t.as_secs_f64());
        t
    }
}
