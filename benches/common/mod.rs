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

/// Whether the case `name` was selected on the command line (`cargo bench --bench X -- t31`);
/// with no names given every case runs. Arguments starting with `-` (cargo's) are ignored.
#[allow(dead_code)]
pub fn selected(name: &str) -> bool {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    only.is_empty() || only.iter().any(|o| o == name)
}
