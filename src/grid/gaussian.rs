//! The atmosphere's Gaussian grid.
//!
//! Latitudes are the Gauss–Legendre nodes μⱼ = sin φⱼ, the n_lat roots of the Legendre
//! polynomial P_{n_lat}(μ), with quadrature weights
//!
//! wⱼ = 2 / [(1 − μⱼ²) P′_{n_lat}(μⱼ)²],   Σⱼ wⱼ = 2,
//!
//! so that Σⱼ wⱼ f(μⱼ) = ∫₋₁¹ f(μ) dμ exactly for polynomials of degree ≤ 2n_lat − 1.
//! Cell edges follow the weights: sin φ_{j+½} = −1 + Σ_{k≤j} w_k, so each cell's area is
//! exactly a²·Δλ·wⱼ and the grid covers the sphere (area 4πa²).
//!
//! Order is south to north (j = 0 is the southernmost row); longitudes follow
//! [`LonAxis`] (first centre at 0°E).
//!
//! # References
//! Abramowitz & Stegun (1964), *Handbook of Mathematical Functions*, eq. 25.4.29 (weights);
//! Hortal & Simmons (1991), Mon. Wea. Rev. 119, 1057–1074 (Gaussian grids in spectral models);
//! SCIENCE.md §A6 (reference values).

use super::frame::LonAxis;
use crate::backend::tensor_from_vec;
use crate::physics::constants::DEG_PER_RAD;
use burn_tensor::{backend::Backend, Tensor};

/// Legendre polynomial P_n(x) and its derivative P′_n(x) by the three-term recurrence
/// (k+1)P_{k+1} = (2k+1)x P_k − k P_{k−1}; P′_n = n(x P_n − P_{n−1})/(x² − 1).
pub fn legendre_and_derivative(n: usize, x: f64) -> (f64, f64) {
    let (mut p_prev, mut p) = (1.0, x);
    if n == 0 {
        return (1.0, 0.0);
    }
    for k in 1..n {
        let kf = k as f64;
        let p_next = ((2.0 * kf + 1.0) * x * p - kf * p_prev) / (kf + 1.0);
        p_prev = p;
        p = p_next;
    }
    let dp = n as f64 * (x * p - p_prev) / (x * x - 1.0);
    (p, dp)
}

/// A double-double number hi + lo (about 32 significant digits), for the Legendre
/// recurrence whose rounding errors would otherwise grow like n·ε and spoil Σw = 2 at 1e-15.
#[derive(Clone, Copy)]
struct DoubleDouble(f64, f64);

impl DoubleDouble {
    fn quick(s: f64, e: f64) -> Self {
        let hi = s + e;
        DoubleDouble(hi, e - (hi - s))
    }
    fn add(self, o: Self) -> Self {
        let s = self.0 + o.0;
        let bb = s - self.0;
        let e = (self.0 - (s - bb)) + (o.0 - bb) + self.1 + o.1;
        Self::quick(s, e)
    }
    fn mul(self, b: f64) -> Self {
        let p = self.0 * b;
        let e = self.0.mul_add(b, -p) + self.1 * b;
        Self::quick(p, e)
    }
    fn div(self, b: f64) -> Self {
        let q = self.0 / b;
        let p = q * b;
        let e = q.mul_add(b, -p);
        let r = (self.0 - p - e + self.1) / b;
        Self::quick(q, r)
    }
}

/// P_n(x) and n(x P_n(x) − P_{n−1}(x)) in double-double arithmetic (x exact), returned as f64.
fn legendre_dd(n: usize, x: f64) -> (f64, f64) {
    let (mut p_prev, mut p) = (DoubleDouble(1.0, 0.0), DoubleDouble(x, 0.0));
    for k in 1..n {
        let kf = k as f64;
        let next = p
            .mul(x)
            .mul(2.0 * kf + 1.0)
            .add(p_prev.mul(-kf))
            .div(kf + 1.0);
        p_prev = p;
        p = next;
    }
    let d = p.mul(x).add(p_prev.mul(-1.0)).mul(n as f64);
    (p.0 + p.1, d.0 + d.1)
}

/// Gauss–Legendre nodes μⱼ (ascending, i.e. south to north) and weights wⱼ for `n` points.
///
/// Newton iteration runs on the colatitude θ (μ = cos θ) from the Tricomi first guess
/// θ ≈ π(k + ¾)/(n + ½), so that 1 − μ² = sin²θ is computed without cancellation near the
/// poles; the weights are wⱼ = 2 sin²θⱼ / [n (μⱼ P_n − P_{n−1})]², which is
/// 2/[(1 − μ²) P′_n(μ)²] rewritten with the derivative recurrence.
///
/// Both outputs have length `n`; nodes are antisymmetric (μ_{n−1−j} = −μⱼ) and weights symmetric.
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    let nf = n as f64;
    for k in 0..n.div_ceil(2) {
        // k-th root counted from the North Pole (θ small) toward the equator.
        let mut theta = std::f64::consts::PI * (k as f64 + 0.75) / (nf + 0.5);
        for _ in 0..100 {
            // dP_n(cos θ)/dθ = n (x P_n − P_{n−1}) / sin θ.
            let (p, d) = legendre_dd(n, theta.cos());
            let dtheta = p * theta.sin() / d;
            theta -= dtheta;
            if dtheta.abs() <= 4.0 * f64::EPSILON * theta.abs() {
                break;
            }
        }
        let x = theta.cos();
        let (_, d) = legendre_dd(n, x);
        let s = theta.sin();
        let w = 2.0 * s * s / (d * d);
        // South-to-north order: the root nearest −1 first.
        nodes[k] = -x;
        nodes[n - 1 - k] = x;
        weights[k] = w;
        weights[n - 1 - k] = w;
    }
    if n % 2 == 1 {
        nodes[n / 2] = 0.0;
    }
    (nodes, weights)
}

/// The Gaussian grid of the atmosphere: n_lon × n_lat cells on a sphere of radius a.
#[derive(Debug, Clone)]
pub struct GaussianGrid {
    /// Sphere radius a (m).
    pub radius: f64,
    /// The longitude axis (first centre 0°E).
    pub lon: LonAxis,
    /// Number of latitudes n_lat.
    pub nlat: usize,
    /// μⱼ = sin φⱼ of the Gaussian latitudes, south to north, `[nlat]`.
    pub mu: Vec<f64>,
    /// Gaussian weights wⱼ (dimensionless, Σ = 2), `[nlat]`.
    pub weights: Vec<f64>,
    /// Latitudes φⱼ in degrees north, `[nlat]`.
    pub lat_deg: Vec<f64>,
    /// sin φ at cell edges, −1 + cumulative weights, `[nlat + 1]` from −1 to 1.
    pub mu_edges: Vec<f64>,
    /// Latitude of cell edges in degrees, `[nlat + 1]` from −90 to 90.
    pub lat_edges_deg: Vec<f64>,
}

impl GaussianGrid {
    /// Builds the grid with `nlon` longitudes and `nlat` Gaussian latitudes.
    pub fn new(nlon: usize, nlat: usize, radius: f64) -> Self {
        let (mu, weights) = gauss_legendre(nlat);
        let lat_deg = mu.iter().map(|m| m.asin() * DEG_PER_RAD).collect();
        let mut mu_edges = Vec::with_capacity(nlat + 1);
        mu_edges.push(-1.0);
        let mut acc = -1.0;
        for (j, w) in weights.iter().enumerate() {
            acc += w;
            // Use the symmetry of the weights to keep the edges exactly antisymmetric.
            mu_edges.push(if j + 1 == nlat { 1.0 } else { acc });
        }
        for j in 0..=nlat / 2 {
            let e = 0.5 * (mu_edges[nlat - j] - mu_edges[j]);
            mu_edges[j] = -e;
            mu_edges[nlat - j] = e;
        }
        let lat_edges_deg = mu_edges
            .iter()
            .map(|m: &f64| m.clamp(-1.0, 1.0).asin() * DEG_PER_RAD)
            .collect();
        GaussianGrid {
            radius,
            lon: LonAxis::new(nlon),
            nlat,
            mu,
            weights,
            lat_deg,
            mu_edges,
            lat_edges_deg,
        }
    }

    /// Number of longitudes n_lon.
    pub fn nlon(&self) -> usize {
        self.lon.n
    }

    /// Cell areas a²·Δλ·wⱼ (m²) per latitude row, `[nlat]`; every cell of a row has the same area.
    pub fn row_areas(&self) -> Vec<f64> {
        let f = self.radius * self.radius * self.lon.dlon_rad();
        self.weights.iter().map(|w| f * w).collect()
    }

    /// Cell areas (m²) as a tensor `[nlat, nlon]`.
    pub fn area_tensor<B: Backend>(&self, device: &B::Device) -> Tensor<B, 2> {
        let rows = self.row_areas();
        let n = self.nlon();
        let v = rows
            .iter()
            .flat_map(|a| std::iter::repeat_n(*a, n))
            .collect();
        tensor_from_vec(v, [self.nlat, n], device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64};

    #[test]
    fn weights_sum_to_two_and_match_reference_values() {
        let (mu, w) = gauss_legendre(48);
        assert!((w.iter().sum::<f64>() - 2.0).abs() < 1e-15);
        // SCIENCE.md §A6, from numpy.polynomial.legendre.leggauss.
        let north = mu[47].asin() * DEG_PER_RAD;
        assert!((north - 87.159094556).abs() < 1e-8, "{north}");
        let wmax = w.iter().cloned().fold(0.0, f64::max);
        let wmin = w.iter().cloned().fold(1.0, f64::min);
        assert!((wmax - 6.473769681268e-2).abs() < 1e-14, "{wmax}");
        assert!((wmin - 3.153346052310e-3).abs() < 1e-14, "{wmin}");
        let (mu, w) = gauss_legendre(96);
        assert!((w.iter().sum::<f64>() - 2.0).abs() < 1e-15);
        assert!((mu[95].asin() * DEG_PER_RAD - 88.572168514).abs() < 1e-8);
        assert!((w.iter().cloned().fold(0.0, f64::max) - 3.255061449236e-2).abs() < 1e-14);
        assert!((w.iter().cloned().fold(1.0, f64::min) - 7.967920655519e-4).abs() < 1e-15);
    }

    #[test]
    fn quadrature_is_exact_to_degree_2n_minus_1() {
        for n in [48usize, 96, 5] {
            let (mu, w) = gauss_legendre(n);
            for k in 0..=(2 * n - 1) {
                let q: f64 = mu.iter().zip(&w).map(|(m, w)| w * m.powi(k as i32)).sum();
                let exact = if k % 2 == 0 {
                    2.0 / (k as f64 + 1.0)
                } else {
                    0.0
                };
                assert!((q - exact).abs() < 1e-14, "n={n} k={k}: {q} vs {exact}");
            }
        }
        // ... and not beyond: with 5 points, degree 10 is no longer exact.
        let (mu, w) = gauss_legendre(5);
        let q: f64 = mu.iter().zip(&w).map(|(m, w)| w * m.powi(10)).sum();
        assert!((q - 2.0 / 11.0).abs() > 1e-4);
    }

    #[test]
    fn nodes_are_south_to_north_and_symmetric() {
        let g = GaussianGrid::new(96, 48, 6.371e6);
        for j in 0..47 {
            assert!(g.mu[j] < g.mu[j + 1]);
            assert!(g.mu_edges[j] < g.mu[j] && g.mu[j] < g.mu_edges[j + 1]);
        }
        for j in 0..48 {
            assert_eq!(g.mu[j], -g.mu[47 - j]);
            assert_eq!(g.mu_edges[j], -g.mu_edges[48 - j]);
        }
        assert_eq!(g.lat_edges_deg[0], -90.0);
        assert_eq!(g.lat_edges_deg[48], 90.0);
    }

    #[test]
    fn total_area_is_that_of_the_sphere() {
        for (nlon, nlat) in [(96, 48), (192, 96)] {
            let a = 6.371e6;
            let g = GaussianGrid::new(nlon, nlat, a);
            let exact = 4.0 * std::f64::consts::PI * a * a;
            // The grid's areas, summed without accumulation error: exact to 1e-14.
            let cells = to_vec_f64(g.area_tensor::<Cpu64>(&Default::default()));
            let total = crate::numerics::compensated_sum(cells.iter().copied());
            assert!(
                (total / exact - 1.0).abs() < 1e-14,
                "{nlon}x{nlat}: {}",
                total / exact - 1.0
            );
            // The device reduction adds its own O(n ε) round-off on top.
            let device_total: f64 =
                to_vec_f64(g.area_tensor::<Cpu64>(&Default::default()).sum())[0];
            assert!((device_total / exact - 1.0).abs() < 1e-13);
            // The edge-difference form agrees with the weights.
            for j in 0..nlat {
                assert!((g.mu_edges[j + 1] - g.mu_edges[j] - g.weights[j]).abs() < 1e-15);
            }
        }
    }
}
