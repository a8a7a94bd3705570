//! Measuring a benchmark by the CPU time of its thread, not the wall clock.
//!
//! The figures we report are "per second on one core". On a shared machine (two cores, builds
//! running) the wall clock also counts the time the scheduler gave to other processes, which
//! made runs of the same code differ by 2×. The thread's own CPU time (`utime + stime` from
//! `/proc/thread-self/stat`, 10 ms ticks) does not; samples here run for seconds, so the tick
//! is under 1%. Where `/proc` is missing (not Linux) the wall clock is used.

use std::time::{Duration, Instant};

/// The CPU time this thread has used so far, or `None` off Linux.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10)) // USER_HZ is 100 on Linux
}

/// Runs `routine` on a fresh `setup()` value `iters` times and returns the time `routine` took
/// (setup excluded), for `criterion`'s `iter_custom`.
#[allow(dead_code)] // not every bench needs a setup
pub fn time_with_setup<S, R>(
    iters: u64,
    mut setup: impl FnMut() -> S,
    mut routine: impl FnMut(&mut S) -> R,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let mut input = setup();
        total += time(|| std::hint::black_box(routine(&mut input)));
        drop(input);
    }
    total
}

/// The time `work` takes: CPU time of this thread where available, else wall time.
pub fn time<R>(work: impl FnOnce() -> R) -> Duration {
    match thread_cpu_time() {
        Some(start) => {
            std::hint::black_box(work());
            thread_cpu_time().map_or(Duration::ZERO, |end| end.saturating_sub(start))
        }
        None => {
            let start = Instant::now();
            std::hint::black_box(work());
            start.elapsed()
        }
    }
}
