//! Normalised associated Legendre functions on Gaussian latitudes (host side, f64).
//!
//! **Normalisation and phase.** P̄ₙᵐ(μ) is orthonormal on [−1, 1],
//!
//! ∫₋₁¹ P̄ₙᵐ(μ) P̄ₙ′ᵐ(μ) dμ = δₙₙ′,   P̄ₙᵐ = √((2n+1)/2 · (n−m)!/(n+m)!) Pₙᵐ,
//!
//! **without** the Condon–Shortley phase (−1)ᵐ, so P̄ₘᵐ > 0 for 0 < μ² < 1 (the convention of
//! ECMWF's IFS and SPEEDY). In terms of other libraries: P̄ₙᵐ = (−1)ᵐ √((2n+1)/2 · (n−m)!/(n+m)!)
//! × `scipy.special.lpmv(m, n, μ)` (scipy includes the Condon–Shortley phase), and SHTOOLS'
//! '4π'-normalised functions without that phase are √(2(2 − δₘ₀)) P̄ₙᵐ.
//!
//! Values come from the stable normalised recurrences (no factorials, no overflow):
//!
//! P̄₀⁰ = 1/√2,   P̄ₘᵐ = √((2m+1)/(2m)) √(1−μ²) P̄ₘ₋₁ᵐ⁻¹,   P̄ₘ₊₁ᵐ = √(2m+3) μ P̄ₘᵐ,
//! P̄ₙᵐ = [μ P̄ₙ₋₁ᵐ − εₙ₋₁ᵐ P̄ₙ₋₂ᵐ] / εₙᵐ,   εₙᵐ = √((n² − m²)/(4n² − 1)),
//!
//! and the meridional derivative
//!
//! Hₙᵐ(μ) ≡ (1 − μ²) dP̄ₙᵐ/dμ = −n εₙ₊₁ᵐ P̄ₙ₊₁ᵐ + (n + 1) εₙᵐ P̄ₙ₋₁ᵐ.
//!
//! # References
//! Durran, D. R. (2010), *Numerical Methods for Fluid Dynamics*, 2nd ed., §7.3 (eqs. 7.55–7.60);
//! Hack & Jakob (1992), NCAR/TN-343+STR, §3 (the H operator).

/// εₙᵐ = √((n² − m²)/(4n² − 1)), the coupling coefficient of the recurrences (0 for n ≤ m).
pub fn epsilon(n: usize, m: usize) -> f64 {
    if n < m || n == 0 {
        return 0.0;
    }
    let (n, m) = (n as f64, m as f64);
    ((n * n - m * m) / (4.0 * n * n - 1.0)).sqrt()
}

/// Table of P̄ₙᵐ(μ) for 0 ≤ m ≤ n ≤ `nmax` at one μ, indexed `[m][n]` (zero for n < m).
pub fn legendre_table(nmax: usize, mu: f64) -> Vec<Vec<f64>> {
    let s = (1.0 - mu * mu).max(0.0).sqrt();
    let mut p = vec![vec![0.0; nmax + 1]; nmax + 1];
    let mut pmm = std::f64::consts::FRAC_1_SQRT_2;
    for m in 0..=nmax {
        if m > 0 {
            let mf = m as f64;
            pmm *= ((2.0 * mf + 1.0) / (2.0 * mf)).sqrt() * s;
        }
        p[m][m] = pmm;
        if m < nmax {
            p[m][m + 1] = (2.0 * m as f64 + 3.0).sqrt() * mu * pmm;
        }
        for n in (m + 2)..=nmax {
            p[m][n] = (mu * p[m][n - 1] - epsilon(n - 1, m) * p[m][n - 2]) / epsilon(n, m);
        }
    }
    p
}

/// Values indexed `[m][n][j]` (wavenumber, degree, latitude).
pub type LegendreTable = Vec<Vec<Vec<f64>>>;

/// P̄ₙᵐ(μⱼ) and Hₙᵐ(μⱼ) = (1 − μⱼ²) dP̄ₙᵐ/dμ for m, n ≤ `trunc` at each node:
/// returns `(p, h)` with `p[m][n][j]`, `h[m][n][j]` (zero for n < m).
pub fn legendre_and_h(trunc: usize, mu: &[f64]) -> (LegendreTable, LegendreTable) {
    let nlat = mu.len();
    let mut p = vec![vec![vec![0.0; nlat]; trunc + 1]; trunc + 1];
    let mut h = vec![vec![vec![0.0; nlat]; trunc + 1]; trunc + 1];
    for (j, &x) in mu.iter().enumerate() {
        let t = legendre_table(trunc + 1, x);
        for m in 0..=trunc {
            for n in m..=trunc {
                p[m][n][j] = t[m][n];
                let below = if n > m {
                    (n as f64 + 1.0) * epsilon(n, m) * t[m][n - 1]
                } else {
                    0.0
                };
                h[m][n][j] = -(n as f64) * epsilon(n + 1, m) * t[m][n + 1] + below;
            }
        }
    }
    (p, h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::gaussian::gauss_legendre;

    /// Closed forms (no CS phase), normalised by √((2n+1)/2 · (n−m)!/(n+m)!).
    #[test]
    fn low_degrees_match_closed_forms() {
        for &x in &[-0.9, -0.3, 0.0, 0.2, 0.77] {
            let t = legendre_table(3, x);
            let s = (1.0f64 - x * x).sqrt();
            let norm = |n: f64, m: usize| -> f64 {
                let ratio: f64 = ((n as usize - m + 1)..=(n as usize + m))
                    .map(|k| 1.0 / k as f64)
                    .product();
                ((2.0 * n + 1.0) / 2.0 * ratio).sqrt()
            };
            let cases = [
                (0, 0, 1.0),
                (1, 0, x),
                (1, 1, s),
                (2, 0, 0.5 * (3.0 * x * x - 1.0)),
                (2, 1, 3.0 * x * s),
                (2, 2, 3.0 * s * s),
                (3, 0, 0.5 * (5.0 * x * x * x - 3.0 * x)),
                (3, 1, 1.5 * (5.0 * x * x - 1.0) * s),
                (3, 2, 15.0 * x * s * s),
                (3, 3, 15.0 * s * s * s),
            ];
            for (n, m, raw) in cases {
                let want = norm(n as f64, m) * raw;
                assert!(
                    (t[m][n] - want).abs() < 1e-14,
                    "P({n},{m})({x}) = {} vs {want}",
                    t[m][n]
                );
            }
        }
    }

    /// Values from `scipy.special.lpmv` (scipy 1.x), converted to this normalisation and
    /// phase: P̄ₙᵐ = (−1)ᵐ √((2n+1)/2 · (n−m)!/(n+m)!) lpmv(m, n, μ), computed in
    /// extended precision with `mpmath.legenp` for the high degrees.
    #[test]
    fn high_degrees_match_tabulated_reference_values() {
        for &(n, m, x, want) in REFERENCE {
            let t = legendre_table(n, x);
            assert!(
                (t[m][n] - want).abs() < 1e-12 * want.abs().max(1.0),
                "P({n},{m})({x}) = {:e} vs {want:e}",
                t[m][n]
            );
        }
    }

    /// (n, m, μ, P̄ₙᵐ(μ)), see `high_degrees_match_tabulated_reference_values`; all 17
    /// significant digits of the reference are kept.
    #[allow(clippy::excessive_precision)]
    const REFERENCE: &[(usize, usize, f64, f64)] = &include!("legendre_reference.in");

    #[test]
    fn discrete_orthonormality_on_the_gaussian_grid() {
        for (trunc, nlat) in [(31usize, 48usize), (63, 96)] {
            let (mu, w) = gauss_legendre(nlat);
            let (p, _) = legendre_and_h(trunc, &mu);
            let mut worst: f64 = 0.0;
            for (m, pm) in p.iter().enumerate() {
                for n in m..=trunc {
                    for n2 in m..=trunc {
                        let s: f64 = (0..nlat).map(|j| w[j] * pm[n][j] * pm[n2][j]).sum();
                        let want = if n == n2 { 1.0 } else { 0.0 };
                        worst = worst.max((s - want).abs());
                    }
                }
            }
            assert!(
                worst < 1e-13,
                "T{trunc}: worst orthonormality error {worst:e}"
            );
        }
    }

    #[test]
    fn h_is_the_scaled_derivative() {
        // Central differences of P̄ₙᵐ against H/(1 − μ²).
        let trunc = 20;
        let mu = [-0.6, 0.1, 0.45, 0.8];
        let (_, h) = legendre_and_h(trunc, &mu);
        let d = 1e-6;
        for (j, &x) in mu.iter().enumerate() {
            let (tp, tm) = (legendre_table(trunc, x + d), legendre_table(trunc, x - d));
            for m in 0..=trunc {
                for n in m..=trunc {
                    let fd = (tp[m][n] - tm[m][n]) / (2.0 * d) * (1.0 - x * x);
                    assert!(
                        (fd - h[m][n][j]).abs() < 1e-6 * (1.0 + fd.abs()),
                        "H({n},{m})({x}): {} vs {fd}",
                        h[m][n][j]
                    );
                }
            }
        }
    }
}
