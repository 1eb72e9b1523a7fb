//! Timing helper shared by the benchmarks.

use std::time::Instant;

/// Median wall time of `f` in microseconds over `reps` runs, after three warm-up runs.
/// `f` must end with a device sync (a host read) so the work is inside the timed region.
pub fn median_us(mut f: impl FnMut(), reps: usize) -> f64 {
    for _ in 0..3 {
        f();
    }
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    t[reps / 2]
}
