//! Progress on stderr, one spinner per phase (drawn only when stderr is a terminal) and
//! one line with its time when it ends.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A phase of a long command (set-up, execute, commit, fold a chain, ...).
pub struct Phase {
    name: String,
    bar: ProgressBar,
    start: Instant,
}

impl Phase {
    /// Starts a phase of unknown length, showing `what`.
    pub fn spinner(name: &str, what: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix:>12} {spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(name.to_string());
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Phase {
            name: name.to_string(),
            bar,
            start: Instant::now(),
        }
    }

    /// Ends the phase and prints its time; returns it.
    pub fn finish(self) -> Duration {
        self.bar.finish_and_clear();
        let t = self.start.elapsed();
        eprintln!("crease: {:<10} {:>8.2} s", self.name, t.as_secs_f64());
        t
    }
}
