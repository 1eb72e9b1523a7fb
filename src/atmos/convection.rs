//! Betts–Miller convection projected on the first baroclinic mode (QTCM1 v2.3 `mconvct`,
//! Neelin & Zeng 2000 §4–5), with the nonlinear convective reference temperature of v2.2+.
//!
//! The convective reference profile at mode amplitude T₁c has temperature
//! T_c(p) = T_sat(p) + a₁(p) T₁c and moisture q_c(p) = α(p) q_sat(T_c(p), p) (in K, as L q/c_p),
//! tabulated at 11 levels (1000…200 hPa). Its column-mean moisture is
//!
//! q̂_c(T₁c) = (1/800 hPa) ∫₂₀₀¹⁰⁰⁰ α(p) q_sat(T_sat(p) + a₁(p)T₁c) (L/c_p) (1000 hPa/p) dp
//!
//! (trapezoidal in p over the table levels; q_sat(T) = 0.622 e_s(T)/1000 hPa with
//! e_s = 6.108 exp(17.27 T_c/(237.3 + T_c)) hPa, T_c in °C; QTCM1 `hsat`). T₁c makes the
//! column moist enthalpy of the reference profile equal to the actual one:
//!
//! â₁ T₁c + q̂_c(T₁c) = x ≡ T̂_ref − T̂c_ref + â₁T₁ + q̂_ref + b̂₁q₁.
//!
//! QTCM1 inverts a 601-entry table by bisection; here the monotone equation is solved by
//! Newton's method from the linear closure T₁c⁰ = (â₁T₁ + b̂₁q₁ − ΔT̂ − Δq̂)/(â₁ + B̂₁)
//! (QTCM1 v2.1), a fixed number of iterations in tensor operations, so forward and gradient
//! are smooth and consistent (the converged root's derivative is the implicit-function one).
//! Then (NZ eqs. 5.7–5.9)
//!
//! CAPE₁ = max(â₁(T₁c − T₁) + ΔT̂, 0),   Q_c = ε_c C_pg CAPE₁   (W m⁻²),
//!
//! with ΔT̂ = T̂c_ref − T̂_ref and ε_c = 1/τ_c. Q_c heats the column (T₁ equation) and is the
//! precipitation P = Q_c/L (kg m⁻² s⁻¹) removed from the moisture (q₁ equation). The max is
//! the closure's switch (no convection without instability); its gradient is the
//! subgradient 0/1, the same in forward and reverse mode.
//!
//! Shapes: grid fields `[1, nlat, nlon]`.
//!
//! # References
//! Betts, A. K. & Miller, M. J. (1986), Q. J. R. Meteorol. Soc. 112, 693–709; Neelin & Zeng
//! (2000), J. Atmos. Sci. 57, 1741–1766, §4–5; QTCM1 v2.3 (`mconvct`, `t1ctable`,
//! `T1cTableIn` in jwblin/qtcm).

use super::qtcm::{
    qsat_1000, A1_HAT, B1_HAT, BB1_HAT, CPG, CP_AIR, LATENT_HEAT, QCREF_HAT, QREF_HAT, TCREF_HAT,
    TREF_HAT,
};
use crate::backend::tensor_from_vec;
use burn_tensor::{backend::Backend, Tensor};

/// Table levels p (hPa), relative humidity α, T_sat (K) and a₁ of the convective reference
/// profile (QTCM1 `T1cTableIn`).
pub const TABLE: [[f64; 4]; 11] = [
    [1000.0, 0.850_000_02, 302.000_00, 0.302_039_83],
    [950.0, 0.835_294_13, 297.648_38, 0.297_645_09],
    [900.0, 0.820_588_23, 293.085_27, 0.293_082_03],
    [850.0, 0.805_882_39, 291.018_46, 0.303_234_07],
    [800.0, 0.791_176_50, 288.797_73, 0.314_952_97],
    [700.0, 0.761_764_76, 283.782_35, 0.344_514_82],
    [600.0, 0.732_352_97, 277.724_91, 0.386_301_55],
    [500.0, 0.702_941_18, 270.063_17, 0.448_642_91],
    [400.0, 0.673_529_45, 259.692_08, 0.545_137_70],
    [300.0, 0.644_117_65, 244.309_72, 0.678_012_91],
    [200.0, 0.614_705_92, 219.906_30, 0.745_645_52],
];

/// Trapezoidal weights in p of the table levels, divided by the 800 hPa span (1).
fn trapezoid_weights() -> [f64; 11] {
    let mut w = [0.0; 11];
    for k in 0..10 {
        let dp = TABLE[k][0] - TABLE[k + 1][0];
        w[k] += 0.5 * dp / 800.0;
        w[k + 1] += 0.5 * dp / 800.0;
    }
    w
}

/// Column-mean convective reference moisture q̂_c(T₁c) (K) on the host (module docs).
pub fn qc_hat(t1c: f64) -> f64 {
    let w = trapezoid_weights();
    TABLE
        .iter()
        .zip(w)
        .map(|(r, wk)| {
            wk * r[1] * qsat_1000(r[2] + r[3] * t1c) * (LATENT_HEAT / CP_AIR) * (1000.0 / r[0])
        })
        .sum()
}

/// Column-mean saturation moisture q̂_sat(T₁) (K) on the host ([`Convection::column_saturation`]).
pub fn qsat_hat(t1: f64) -> f64 {
    let w = trapezoid_weights();
    TABLE
        .iter()
        .zip(w)
        .map(|(r, wk)| wk * qsat_1000(r[2] + r[3] * t1) * (LATENT_HEAT / CP_AIR) * (1000.0 / r[0]))
        .sum()
}

/// Betts–Miller convection on the first baroclinic mode.
#[derive(Debug, Clone)]
pub struct Convection<B: Backend> {
    /// Convective time scale τ_c (s), `[1]`: a tensor so that gradients with respect to it
    /// can be taken (set `require_grad` on an autodiff backend); ε_c = 1/τ_c.
    pub timescale: Tensor<B, 1>,
    /// Newton iterations for T₁c (4 reach 1e-10 K from the linear closure's start for
    /// −120 ≤ T₁ ≤ 120 K; 3 leave up to 1e-8 K).
    pub iterations: usize,
    /// Per level `[11, 1, 1]`: trapezoid weight × α × (L/c_p) × (1000/p) × 0.622·0.6108·0.01.
    coef: Tensor<B, 3>,
    /// T_sat per level `[11, 1, 1]` (K).
    tsat: Tensor<B, 3>,
    /// a₁ per level `[11, 1, 1]`.
    a1: Tensor<B, 3>,
    /// As `coef` without α: the column-mean saturation moisture's weights.
    coef_sat: Tensor<B, 3>,
}

/// Convective heating and the reference temperature, `[1, nlat, nlon]` each.
#[derive(Debug, Clone)]
pub struct ConvectionOutput<B: Backend> {
    /// Q_c (W m⁻²): column heating = precipitation × L.
    pub heating: Tensor<B, 3>,
    /// T₁c (K), the convective reference temperature mode.
    pub t1c: Tensor<B, 3>,
}

impl<B: Backend> Convection<B> {
    /// Convection with time scale τ_c (s; QTCM1: 7200).
    pub fn new(timescale_s: f64, device: &B::Device) -> Self {
        let w = trapezoid_weights();
        let col = |f: &dyn Fn(usize) -> f64| -> Tensor<B, 3> {
            tensor_from_vec((0..11).map(f).collect(), [11, 1, 1], device)
        };
        Convection {
            timescale: tensor_from_vec(vec![timescale_s], [1], device),
            iterations: 4,
            coef: col(&|k| {
                w[k] * TABLE[k][1]
                    * (LATENT_HEAT / CP_AIR)
                    * (1000.0 / TABLE[k][0])
                    * 0.622
                    * 0.6108
                    * 0.01
            }),
            coef_sat: col(&|k| {
                w[k] * (LATENT_HEAT / CP_AIR) * (1000.0 / TABLE[k][0]) * 0.622 * 0.6108 * 0.01
            }),
            tsat: col(&|k| TABLE[k][2] - 273.15),
            a1: col(&|k| TABLE[k][3]),
        }
    }

    /// T₁c (K) from T₁ and q₁ (K), `[1, nlat, nlon]`: Newton's method on
    /// â₁T₁c + q̂_c(T₁c) = x from the linear closure.
    pub fn reference_temperature(&self, t1: Tensor<B, 3>, q1: Tensor<B, 3>) -> Tensor<B, 3> {
        let dt_hat = TCREF_HAT - TREF_HAT;
        let dq_hat = QCREF_HAT - QREF_HAT;
        let x = t1.clone() * A1_HAT + q1.clone() * B1_HAT + (TREF_HAT - TCREF_HAT + QREF_HAT);
        let mut t1c = (t1 * A1_HAT + q1 * B1_HAT - (dt_hat + dq_hat)) / (A1_HAT + BB1_HAT);
        for _ in 0..self.iterations {
            // T_c per level in °C, [11, nlat, nlon].
            let tc = self.a1.clone() * t1c.clone() + self.tsat.clone();
            let denom = tc.clone() + 237.3;
            let q = (tc / denom.clone() * 17.27).exp() * self.coef.clone();
            let dq = q.clone() * self.a1.clone() * (17.27 * 237.3) / denom.powi_scalar(2);
            let g = t1c.clone() * A1_HAT + q.sum_dim(0) - x.clone();
            let dg = dq.sum_dim(0) + A1_HAT;
            t1c = t1c - g / dg;
        }
        t1c
    }

    /// Column-mean saturation moisture q̂_sat(T₁) (K, as L q/c_p) of the temperature profile
    /// T(p) = T_sat(p) + a₁(p)T₁: the table's q̂_c without its relative humidity α(p),
    /// q̂_sat = (1/800 hPa) ∫₂₀₀¹⁰⁰⁰ q_sat(T(p)) (L/c_p)(1000 hPa/p) dp, `[1, nlat, nlon]`.
    pub fn column_saturation(&self, t1: Tensor<B, 3>) -> Tensor<B, 3> {
        let tc = self.a1.clone() * t1 + self.tsat.clone();
        ((tc.clone() / (tc + 237.3) * 17.27).exp() * self.coef_sat.clone()).sum_dim(0)
    }

    /// Convective heating Q_c = ε_c C_pg max(â₁(T₁c − T₁) + ΔT̂, 0) (W m⁻²).
    pub fn compute(&self, t1: Tensor<B, 3>, q1: Tensor<B, 3>) -> ConvectionOutput<B> {
        let t1c = self.reference_temperature(t1.clone(), q1);
        let cape = ((t1c.clone() - t1) * A1_HAT + (TCREF_HAT - TREF_HAT)).clamp_min(0.0);
        ConvectionOutput {
            heating: cape / self.timescale.clone().reshape([1, 1, 1]) * CPG,
            t1c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64, Cpu64Autodiff};

    /// Bisection root of â₁T + q̂_c(T) = x on the host.
    fn root(x: f64) -> f64 {
        let (mut lo, mut hi) = (-300.0, 300.0);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if A1_HAT * mid + qc_hat(mid) < x {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    #[test]
    fn reference_profile_is_close_to_qtcm_constants() {
        // q̂_c(0) = 17.2153 K from the 11-level table (1000–200 hPa, trapezoid) against
        // q̂c_ref = 16.159 K of qtcmpar.F90 (par.f90's mean over 1000–150 hPa of its own
        // profile): the two means differ by 6.5 % in QTCM1 itself; the table is what the
        // closure uses.
        let q = qc_hat(0.0);
        assert!((q - 17.215_315_5).abs() < 1e-6, "{q}");
        assert!((q / QCREF_HAT - 1.0).abs() < 0.07, "{q} vs {QCREF_HAT}");
    }

    #[test]
    fn newton_matches_bisection_over_the_climate_range() {
        let d = Default::default();
        let conv = Convection::<Cpu64>::new(7200.0, &d);
        let (t1s, q1s): (Vec<f64>, Vec<f64>) = (0..60)
            .map(|k| (-120.0 + 4.0 * k as f64, -45.0 + 1.2 * k as f64))
            .unzip();
        let t1 = tensor_from_vec::<Cpu64, 3>(t1s.clone(), [1, 6, 10], &d);
        let q1 = tensor_from_vec::<Cpu64, 3>(q1s.clone(), [1, 6, 10], &d);
        let got = to_vec_f64(conv.reference_temperature(t1, q1));
        for (k, g) in got.iter().enumerate() {
            let x = TREF_HAT - TCREF_HAT + A1_HAT * t1s[k] + QREF_HAT + B1_HAT * q1s[k];
            let r = root(x);
            assert!(
                (g - r).abs() < 1e-8,
                "T1 {} q1 {}: {g} vs {r}",
                t1s[k],
                q1s[k]
            );
        }
    }

    #[test]
    fn heating_is_positive_only_for_moist_unstable_columns() {
        let d = Default::default();
        let conv = Convection::<Cpu64>::new(7200.0, &d);
        let t1 = tensor_from_vec::<Cpu64, 3>(vec![0.0, 0.0, 10.0], [1, 1, 3], &d);
        let q1 = tensor_from_vec::<Cpu64, 3>(vec![0.0, -20.0, 0.0], [1, 1, 3], &d);
        let h = to_vec_f64(conv.compute(t1, q1).heating);
        // Reference state convects; a dry column and a warm column do not.
        assert!(h[0] > 0.0, "{h:?}");
        assert_eq!(h[1], 0.0);
        assert_eq!(h[2], 0.0);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        type A = Cpu64Autodiff;
        let d = Default::default();
        let conv = Convection::<A>::new(7200.0, &d);
        let t1 = tensor_from_vec::<A, 3>(vec![-3.0, 1.0], [1, 1, 2], &d).require_grad();
        let q1 = tensor_from_vec::<A, 3>(vec![2.0, 5.0], [1, 1, 2], &d).require_grad();
        let out = conv.compute(t1.clone(), q1.clone()).heating.sum();
        let g = out.backward();
        let gt = to_vec_f64(t1.grad(&g).unwrap());
        let gq = to_vec_f64(q1.grad(&g).unwrap());
        let host = Convection::<Cpu64>::new(7200.0, &d);
        let f = |a: f64, b: f64| {
            let t = tensor_from_vec::<Cpu64, 3>(vec![a], [1, 1, 1], &d);
            let q = tensor_from_vec::<Cpu64, 3>(vec![b], [1, 1, 1], &d);
            to_vec_f64(host.compute(t, q).heating)[0]
        };
        let eps = 1e-4;
        for (k, (a, b)) in [(-3.0, 2.0), (1.0, 5.0)].into_iter().enumerate() {
            let ft = (f(a + eps, b) - f(a - eps, b)) / (2.0 * eps);
            let fq = (f(a, b + eps) - f(a, b - eps)) / (2.0 * eps);
            assert!(
                (gt[k] - ft).abs() < 1e-6 * ft.abs().max(1.0),
                "{} {ft}",
                gt[k]
            );
            assert!(
                (gq[k] - fq).abs() < 1e-6 * fq.abs().max(1.0),
                "{} {fq}",
                gq[k]
            );
            assert!(ft.abs() > 1.0 && fq.abs() > 1.0);
        }
    }
}
