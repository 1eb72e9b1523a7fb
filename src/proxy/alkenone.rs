//! Alkenone UK'37 against temperature.
//!
//! - **Müller et al. (1998)**, global core tops, annual mean SST at 0 m:
//!   UK'37 = 0.033 T + 0.044 (T in °C).
//! - **BAYSPLINE** (Tierney & Tingley 2018): UK'37 = s(T), a quadratic B-spline with knots
//!   (−0.4, 23.6, 29.6) °C, the end knots tripled, coefficients b₁…b₄ (posterior means of the
//!   baysplinepy package, models/data/proxies/calibration_params.csv), continued linearly
//!   outside [−0.4, 29.6] °C; its error τ = √τ² = 0.0486. It is written here in the
//!   truncated-power basis of the same spline,
//!
//!   s(T) = p(T) + (c₂ − c₁)(T − k₂)₊² − c₁(k₁ − T)₊² − c₂(T − k₃)₊²,
//!
//!   p the quadratic of the first interval, c₁ and c₂ the T² coefficients of the two
//!   intervals and (x)₊ = max(x, 0): the same function, C¹ everywhere (the (x)₊² terms have the
//!   continuous derivative 2(x)₊), with no branch on the state. The inverse is Newton's method
//!   from the Müller line, a fixed 30 steps (s is increasing).
//!
//! Shapes: any (elementwise).
//!
//! # References
//! - Müller, P. J., Kirst, G., Ruhland, G., von Storch, I., Rosell-Melé, A. (1998), Geochim.
//!   Cosmochim. Acta 62, 1757–1772 (eq. on p. 1765).
//! - Tierney, J. E., Tingley, M. P. (2018), Paleoceanogr. Paleoclimatol. 33, 281–301.

use burn_tensor::{activation::relu, backend::Backend, Tensor};

/// A UK'37 calibration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uk37Calibration {
    /// Müller et al. (1998): UK'37 = 0.033 T + 0.044.
    Mueller1998,
    /// BAYSPLINE posterior-mean spline (module docs).
    Bayspline,
}

/// BAYSPLINE knots k₁, k₂, k₃ (°C).
pub const BAYSPLINE_KNOTS: [f64; 3] = [-0.4, 23.6, 29.6];
/// BAYSPLINE B-spline coefficients b₁…b₄ (posterior means).
pub const BAYSPLINE_COEFFICIENTS: [f64; 4] = [0.03758, 0.45278, 0.94671, 0.97960];
/// BAYSPLINE error variance τ² (posterior mean).
pub const BAYSPLINE_TAU2: f64 = 0.002361;

/// The value of the BAYSPLINE B-spline at `t` (°C) inside [k₁, k₃] by the Cox–de Boor
/// recursion (host code that sets up the coefficients of the tensor form).
fn bspline(t: f64) -> f64 {
    let [k1, k2, k3] = BAYSPLINE_KNOTS;
    let knots = [k1, k1, k1, k2, k3, k3, k3];
    // Degree 0, then raise to 2; the last interval is closed at k₃.
    let mut n: Vec<f64> = (0..6)
        .map(|i| {
            let inside = knots[i] <= t && t < knots[i + 1];
            let last = t == k3 && knots[i] < knots[i + 1] && knots[i + 1] == k3;
            f64::from(u8::from(inside || last))
        })
        .collect();
    for p in 1..=2 {
        n = (0..6 - p)
            .map(|i| {
                let w = |a: f64, b: f64, x: f64| if b > a { x / (b - a) } else { 0.0 };
                w(knots[i], knots[i + p], (t - knots[i]) * n[i])
                    + w(
                        knots[i + 1],
                        knots[i + p + 1],
                        (knots[i + p + 1] - t) * n[i + 1],
                    )
            })
            .collect();
    }
    n.iter()
        .zip(BAYSPLINE_COEFFICIENTS)
        .map(|(n, b)| n * b)
        .sum()
}

/// The quadratic through the spline at three points of `[lo, hi]`: [c₀, c₁, c₂] of
/// c₀ + c₁T + c₂T².
fn quadratic_of(lo: f64, hi: f64) -> [f64; 3] {
    let x = [lo, 0.5 * (lo + hi), hi];
    let y = x.map(bspline);
    // Newton's divided differences, then expanded.
    let d1 = (y[1] - y[0]) / (x[1] - x[0]);
    let d2 = ((y[2] - y[1]) / (x[2] - x[1]) - d1) / (x[2] - x[0]);
    [
        y[0] - d1 * x[0] + d2 * x[0] * x[1],
        d1 - d2 * (x[0] + x[1]),
        d2,
    ]
}

impl Uk37Calibration {
    /// Every calibration.
    pub const ALL: [Uk37Calibration; 2] = [Self::Mueller1998, Self::Bayspline];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mueller1998 => "mueller1998",
            Self::Bayspline => "bayspline",
        }
    }

    /// The calibration of a command-line name.
    ///
    /// # Errors
    /// A message naming the text and the calibrations.
    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.name() == name.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!("unknown UK'37 calibration `{name}`; known: mueller1998, bayspline")
            })
    }

    /// The reference, for listings.
    pub fn reference(self) -> &'static str {
        match self {
            Self::Mueller1998 => "Mueller et al. (1998), GCA 62, 1757-1772",
            Self::Bayspline => "Tierney & Tingley (2018), Paleoceanogr. Paleoclimatol. 33, 281-301",
        }
    }

    /// The calibration's error in UK'37 units, where it has one (BAYSPLINE's τ).
    pub fn sigma(self) -> Option<f64> {
        match self {
            Self::Mueller1998 => None,
            Self::Bayspline => Some(BAYSPLINE_TAU2.sqrt()),
        }
    }

    /// UK'37 of temperature `t` (°C).
    pub fn uk37<B: Backend, const D: usize>(self, t: Tensor<B, D>) -> Tensor<B, D> {
        match self {
            Self::Mueller1998 => t * 0.033 + 0.044,
            Self::Bayspline => {
                let [k1, k2, k3] = BAYSPLINE_KNOTS;
                let p = quadratic_of(k1, k2);
                let q = quadratic_of(k2, k3);
                let sq = |x: Tensor<B, D>| relu(x).powi_scalar(2);
                t.clone().powi_scalar(2) * p[2]
                    + t.clone() * p[1]
                    + p[0]
                    + sq(t.clone() - k2) * (q[2] - p[2])
                    - sq(t.clone().neg() + k1) * p[2]
                    - sq(t - k3) * q[2]
            }
        }
    }

    /// ∂UK'37/∂T (°C⁻¹) at `t` (°C).
    fn slope<B: Backend, const D: usize>(self, t: Tensor<B, D>) -> Tensor<B, D> {
        match self {
            Self::Mueller1998 => t.zeros_like() + 0.033,
            Self::Bayspline => {
                let [k1, k2, k3] = BAYSPLINE_KNOTS;
                let p = quadratic_of(k1, k2);
                let q = quadratic_of(k2, k3);
                t.clone() * (2.0 * p[2])
                    + p[1]
                    + relu(t.clone() - k2) * (2.0 * (q[2] - p[2]))
                    + relu(t.clone().neg() + k1) * (2.0 * p[2])
                    - relu(t - k3) * (2.0 * q[2])
            }
        }
    }

    /// Temperature (°C) of UK'37 `uk`: exact for Müller, 30 Newton steps for BAYSPLINE.
    pub fn temperature<B: Backend, const D: usize>(self, uk: Tensor<B, D>) -> Tensor<B, D> {
        let linear = (uk.clone() - 0.044) / 0.033;
        match self {
            Self::Mueller1998 => linear,
            Self::Bayspline => (0..30).fold(linear, |t, _| {
                let r = self.uk37(t.clone()) - uk.clone();
                t.clone() - r / self.slope(t)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64};
    use crate::proxy::cpu64_vector as t1;
    use burn_autodiff::Autodiff;

    #[test]
    fn bayspline_tensor_form_is_the_b_spline_and_continues_linearly() {
        let c = Uk37Calibration::Bayspline;
        let ts: Vec<f64> = (-4..=34).map(|k| k as f64 + 0.37).collect();
        let got = to_vec_f64(c.uk37(t1(ts.clone())));
        for (t, g) in ts.iter().zip(&got) {
            if (-0.4..=29.6).contains(t) {
                assert!(
                    (g - bspline(*t)).abs() < 1e-12,
                    "T = {t}: {g} vs {}",
                    bspline(*t)
                );
            }
        }
        // End values are the end coefficients (a clamped B-spline interpolates them).
        let ends = to_vec_f64(c.uk37(t1(vec![-0.4, 29.6])));
        assert!((ends[0] - 0.03758).abs() < 1e-12 && (ends[1] - 0.97960).abs() < 1e-12);
        // Linear outside: equal second differences vanish.
        let lo = to_vec_f64(c.uk37(t1(vec![-5.0, -4.0, -3.0])));
        let hi = to_vec_f64(c.uk37(t1(vec![31.0, 32.0, 33.0])));
        for v in [lo, hi] {
            assert!((v[0] - 2.0 * v[1] + v[2]).abs() < 1e-12, "{v:?}");
        }
    }

    #[test]
    fn inverse_recovers_temperature_and_mueller_is_the_published_line() {
        let ts: Vec<f64> = (-3..=32).map(|k| k as f64).collect();
        for c in Uk37Calibration::ALL {
            let back = to_vec_f64(c.temperature(c.uk37(t1(ts.clone()))));
            for (t, b) in ts.iter().zip(&back) {
                assert!((t - b).abs() < 1e-9, "{}: {t} → {b}", c.name());
            }
            assert_eq!(Uk37Calibration::parse(c.name()), Ok(c));
        }
        let m = to_vec_f64(Uk37Calibration::Mueller1998.uk37(t1(vec![20.0])));
        assert!((m[0] - 0.704).abs() < 1e-12);
    }

    #[test]
    fn bayspline_gradient_is_continuous_across_every_knot() {
        // Autodiff of s at k ± 1e-6: both sides agree with each other and with the slope.
        type A = Autodiff<Cpu64>;
        let c = Uk37Calibration::Bayspline;
        for k in BAYSPLINE_KNOTS {
            let x = [k - 1e-6, k + 1e-6];
            let t = Tensor::<A, 1>::from_data(x, &Default::default()).require_grad();
            let g = c.uk37(t.clone()).sum().backward();
            let g = to_vec_f64(t.grad(&g).unwrap());
            assert!(g[0] > 0.0 && g[1] > 0.0, "{g:?}");
            assert!((g[0] - g[1]).abs() < 1e-6, "knot {k}: {g:?}");
            let s = to_vec_f64(c.slope(t1(x.to_vec())));
            assert!((s[0] - g[0]).abs() < 1e-12 && (s[1] - g[1]).abs() < 1e-12);
        }
    }
}
