//! Progress on stderr, one bar or spinner per phase (drawn only when stderr is a terminal)
//! and one line with its time when it ends.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A phase of a long command (set-up, execute, commit, fold a chain, ...).
pub struct Phase {
    name: String,
    bar: ProgressBar,
    start: Instant,
}

impl Phase {
    /// Starts a phase of `len` steps.
    pub fn bar(name: &str, len: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix:>12} [{bar:30}] {pos}/{len} steps ({elapsed}, eta {eta})",
        )
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

/// Progress bars for the prover's phases (run, commit `W1`, fold), fed by its callback from
/// several threads.
#[derive(Default)]
pub struct ProveBars {
    current: Mutex<Option<(crease::Phase, Phase)>>,
}

fn phase_name(p: crease::Phase) -> &'static str {
    match p {
        crease::Phase::Run => "execute",
        crease::Phase::Commit => "commit W1",
        crease::Phase::Fold => "fold",
        _ => "prove",
    }
}

impl ProveBars {
    /// The callback for `crease::prove_with_progress`.
    pub fn report(&self, phase: crease::Phase, done: u64, total: u64) {
        let Ok(mut current) = self.current.lock() else {
            return;
        };
        if current.as_ref().map(|(p, _)| *p) != Some(phase) {
            if let Some((_, old)) = current.take() {
                old.finish();
            }
            let bar = Phase::bar(phase_name(phase), total);
            *current = Some((phase, bar));
        }
        if let Some((_, bar)) = current.as_ref() {
            bar.bar.set_position(done);
        }
    }

    /// Ends the last phase.
    pub fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some((_, bar)) = current.take() {
                bar.finish();
            }
        }
    }
}
