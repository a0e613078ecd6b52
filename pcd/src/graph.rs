//! The task graph of a proof, as it ran: every task's kind, the tasks it waited for and its
//! measured time; and a list scheduler that replays the graph on `P` workers, to see how a
//! proof would scale on more cores or machines than it ran on.

use std::sync::Mutex;
use std::time::Instant;

/// What a task did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskKind {
    /// Committed one batch's `W1` (pass 1; before the challenges).
    Commit,
    /// The challenges: waits for every commitment.
    Challenges,
    /// Proved a leaf of an instruction chain.
    Leaf,
    /// Merged two subtrees.
    Merge,
    /// Folded the scan chain (one IVC run) or showed it directly.
    Scan,
    /// Showed an instruction chain of a few batches directly (no folding).
    Show,
}

/// One task as it ran.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRecord {
    /// What it did.
    pub kind: TaskKind,
    /// Its chain (ISA index; `u32::MAX` for none).
    pub chain: u32,
    /// The tasks it waited for (indices into the graph).
    pub inputs: Vec<usize>,
    /// Its measured wall time in seconds.
    pub seconds: f64,
}

/// Records tasks from several threads.
#[derive(Debug, Default)]
pub struct TaskLog {
    tasks: Mutex<Vec<TaskRecord>>,
}

impl TaskLog {
    /// Adds a task; returns its index.
    pub fn add(&self, kind: TaskKind, chain: u32, inputs: Vec<usize>, seconds: f64) -> usize {
        let mut t = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        t.push(TaskRecord {
            kind,
            chain,
            inputs,
            seconds,
        });
        t.len() - 1
    }

    /// Runs `f`, records it as a task and returns its index with `f`'s result.
    pub fn time<T>(
        &self,
        kind: TaskKind,
        chain: u32,
        inputs: Vec<usize>,
        f: impl FnOnce() -> T,
    ) -> (usize, T) {
        let start = Instant::now();
        let out = f();
        let i = self.add(kind, chain, inputs, start.elapsed().as_secs_f64());
        (i, out)
    }

    /// The tasks recorded so far.
    pub fn tasks(&self) -> Vec<TaskRecord> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The outcome of a simulated schedule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    /// Workers.
    pub workers: usize,
    /// When the last task ends.
    pub makespan: f64,
    /// The sum of every task's time (one worker's makespan).
    pub work: f64,
    /// The longest chain of dependent tasks: no number of workers finishes sooner.
    pub critical_path: f64,
}

impl Schedule {
    /// `work / makespan`.
    pub fn speedup(&self) -> f64 {
        self.work / self.makespan.max(f64::MIN_POSITIVE)
    }
}

/// Replays `graph` on `workers` workers by list scheduling: whenever a worker is free it
/// takes, of the tasks whose inputs are done, the one with the longest path to the end of
/// the graph. Tasks must come after their inputs (as a log records them).
pub fn simulate(graph: &[TaskRecord], workers: usize) -> Schedule {
    let n = graph.len();
    let workers = workers.max(1);
    // The longest path from each task to the end, its own time included.
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, t) in graph.iter().enumerate() {
        for &j in t.inputs.iter().filter(|&&j| j < i) {
            users[j].push(i);
        }
    }
    let mut tail = vec![0.0f64; n];
    for i in (0..n).rev() {
        let after = users[i].iter().map(|&u| tail[u]).fold(0.0, f64::max);
        tail[i] = graph[i].seconds + after;
    }
    let critical_path = tail.iter().copied().fold(0.0, f64::max);
    let work: f64 = graph.iter().map(|t| t.seconds).sum();
    // Event simulation: `free` holds each worker's next free time.
    let mut waiting: Vec<usize> = graph.iter().map(|t| t.inputs.len()).collect();
    let mut ready_at = vec![0.0f64; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut running: Vec<(f64, usize)> = Vec::new();
    let mut free = workers;
    let (mut now, mut makespan) = (0.0f64, 0.0f64);
    let mut done = 0;
    while done < n {
        ready.sort_by(|a, b| tail[*a].total_cmp(&tail[*b]));
        while free > 0 {
            let Some(pos) = ready.iter().rposition(|&i| ready_at[i] <= now) else {
                break;
            };
            let i = ready.remove(pos);
            running.push((now + graph[i].seconds, i));
            free -= 1;
        }
        // Advance to the next task's end.
        let Some(k) = (0..running.len()).min_by(|&a, &b| running[a].0.total_cmp(&running[b].0))
        else {
            break;
        };
        let (end, i) = running.swap_remove(k);
        now = end;
        makespan = makespan.max(end);
        free += 1;
        done += 1;
        for &u in &users[i] {
            waiting[u] -= 1;
            ready_at[u] = ready_at[u].max(end);
            if waiting[u] == 0 {
                ready.push(u);
            }
        }
    }
    Schedule {
        workers,
        makespan,
        work,
        critical_path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(inputs: Vec<usize>, seconds: f64) -> TaskRecord {
        TaskRecord {
            kind: TaskKind::Leaf,
            chain: 0,
            inputs,
            seconds,
        }
    }

    #[test]
    fn independent_tasks_spread_over_the_workers() {
        let g: Vec<TaskRecord> = (0..8).map(|_| task(vec![], 1.0)).collect();
        let s = simulate(&g, 4);
        assert_eq!((s.makespan, s.work, s.critical_path), (2.0, 8.0, 1.0));
        assert_eq!(simulate(&g, 1).makespan, 8.0);
        assert_eq!(simulate(&g, 100).makespan, 1.0);
    }

    #[test]
    fn a_tree_is_bounded_by_its_critical_path() {
        // Four leaves of 2 s, two merges of 1 s, a root merge of 1 s.
        let mut g: Vec<TaskRecord> = (0..4).map(|_| task(vec![], 2.0)).collect();
        g.push(task(vec![0, 1], 1.0));
        g.push(task(vec![2, 3], 1.0));
        g.push(task(vec![4, 5], 1.0));
        let s = simulate(&g, 64);
        assert_eq!((s.critical_path, s.makespan, s.work), (4.0, 4.0, 11.0));
        assert_eq!(simulate(&g, 2).makespan, 6.0);
        assert_eq!(simulate(&g, 1).makespan, 11.0);
    }

    #[test]
    fn the_longest_path_goes_first() {
        // A long chain of two tasks and two short independent ones, on two workers: the
        // chain's head starts at once.
        let g = vec![
            task(vec![], 1.0),
            task(vec![], 1.0),
            task(vec![], 3.0),
            task(vec![2], 3.0),
        ];
        assert_eq!(simulate(&g, 2).makespan, 6.0);
    }
}
