//! Numerical building blocks that know nothing of any component: stencil shifts on
//! periodic-in-longitude grids, preconditioned conjugate gradients, five-point elliptic
//! operators with an exact row-block (block-tridiagonal LU) preconditioner, batched
//! tridiagonal solves and compensated sums.

pub mod cg;
pub mod elliptic;
pub mod stencil;
pub mod tridiagonal;

/// Compensated (Kahan–Babuška–Neumaier) sum of host values: the error is O(ε) independent
/// of the length, where a plain loop accumulates O(n ε). For budgets and grid checks on
/// the host; device reductions use the backend's `sum`.
///
/// # References
/// Neumaier, A. (1974), ZAMM 54, 39–51.
pub fn compensated_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut c) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        c += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + c
}

#[cfg(test)]
mod tests {
    #[test]
    fn compensated_sum_beats_naive_summation() {
        let v: Vec<f64> = std::iter::once(1.0)
            .chain(std::iter::repeat_n(1e-16, 10_000))
            .collect();
        let naive: f64 = v.iter().sum();
        assert_eq!(naive, 1.0); // every tiny term is lost
        assert!((super::compensated_sum(v) - (1.0 + 1e-12)).abs() < 1e-27);
    }
}
