//! Progress on stderr, one bar or spinner per phase (drawn only when stderr is a terminal)
//! and one line with its time when it ends.

use std::io::IsTerminal;
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
            "{prefix:>12} [{bar:30}] {pos}/{len} steps ({elapsed}, about {eta} left)",
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
    /// When the last progress line was printed (stderr not a terminal).
    last_line: Mutex<Option<Instant>>,
}

/// How often a progress line is printed when stderr is not a terminal (a log file, CI).
const LINE_EVERY: Duration = Duration::from_secs(30);

/// `d` as `h:mm:ss` or `m:ss`.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// The time left at the phase's rate so far, once it has one.
fn time_left(elapsed: Duration, done: u64, total: u64) -> Option<Duration> {
    (done > 0 && total >= done).then(|| elapsed.mul_f64((total - done) as f64 / done as f64))
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
            if bar.bar.length() != Some(total) {
                bar.bar.set_length(total);
            }
            bar.bar.set_position(done);
            if !std::io::stderr().is_terminal() {
                self.line(phase, bar.start.elapsed(), done, total);
            }
        }
    }

    /// Prints a progress line every [`LINE_EVERY`], for a log that has no bar.
    fn line(&self, phase: crease::Phase, elapsed: Duration, done: u64, total: u64) {
        let Ok(mut last) = self.last_line.lock() else {
            return;
        };
        let now = Instant::now();
        match *last {
            None => *last = Some(now),
            Some(t) if now.duration_since(t) >= LINE_EVERY => {
                *last = Some(now);
                let left = time_left(elapsed, done, total).map_or_else(|| "?".to_string(), clock);
                eprintln!(
                    "crease: {} {done}/{total} steps, {} elapsed, about {left} left",
                    phase_name(phase),
                    clock(elapsed)
                );
            }
            Some(_) => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_left_follows_the_rate_so_far() {
        let ten = Duration::from_secs(10);
        assert_eq!(time_left(ten, 0, 100), None);
        assert_eq!(time_left(ten, 25, 100), Some(Duration::from_secs(30)));
        assert_eq!(time_left(ten, 100, 100), Some(Duration::ZERO));
        assert_eq!(clock(Duration::from_secs(59)), "0:59");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
    }
}
