//! Clouds and shortwave radiation of QTCM1 v2.3 (`clrad.F90`, Neelin & Su 2002; Zeng, Neelin
//! & Chou 2000, §2c), with the insolation of [`crate::forcing::orbit`].
//!
//! **Clouds** (four types and clear sky, fractions cld₀…cld₄ summing to 1): deep convective
//! cloud from the convective heating, cld₁ = min(c₁ Q_c, 1) with c₁ = 7.76275869e-4 m² W⁻¹;
//! cirrostratus/anvil cld₂ = min(1.5 cld₁, 1)(1 − cld₁); stratus cld₃ = ĉ₃(1 − cld₁ − cld₂) and
//! altostratus/cumulus cld₄ = ĉ₄(1 − cld₁ − cld₂) with QTCM1's reference covers
//! ĉ₃ = 0.138699, ĉ₄ = 0.282713 (its default without the ISCCP climatology, which is not
//! available offline); cld₀ = 1 − Σ. The two `min`s are the bounds of a fraction, not a
//! numerical limiter.
//!
//! **Shortwave** (Fu & Liou 1993 fitted per cloud type, ocean aerosol). With the daily means
//! of the cosine of the solar zenith angle over the sunlit hours, cos Z₁ = (A H + B sin H)/π
//! and cos Z₂ = ⟨cos²Z⟩ = (A² H + 2AB sin H + B²(H/2 + sin 2H/4))/π, where A = sin φ sin δ,
//! B = cos φ cos δ and H the sunset hour angle (cos Z₂ is the exact daily mean of
//! (A + B cos h)²), and per type k the coefficients C_k,i = a_k,i cos Z₂ + b_k,i cos Z₁:
//!
//! F_atm = S Σₖ cldₖ C_k,1 (1 + c_k,1 αₛ)   (absorbed in the column, W m⁻², heats T₁),
//! F_sfc↓ = S Σₖ cldₖ C_k,2 (1 + c_k,2 αₛ)   (downward at the surface),
//! F_sfc = (1 − αₛ) F_sfc↓   (net at the surface),   F_TOA,abs = F_atm + F_sfc,
//!
//! S = S₀(a/r)² (W m⁻²) and αₛ the surface albedo. The insolation S cos Z₁ minus F_TOA,abs
//! is reflected to space.
//!
//! Shapes: grid fields `[1, nlat, nlon]`; per-latitude factors `[1, nlat, 1]`.
//!
//! # References
//! Zeng, N., Neelin, J. D. & Chou, C. (2000), J. Atmos. Sci. 57, 1767–1796; Fu, Q. & Liou,
//! K. N. (1993), J. Atmos. Sci. 50, 2008–2025; QTCM1 v2.3 `clrad.F90` (jwblin/qtcm).

use crate::backend::tensor_from_vec;
use crate::forcing::orbit::sunset_hour_angle;
use burn_tensor::{backend::Backend, Tensor};
use std::f64::consts::PI;

/// c₁ (m² W⁻¹): deep convective cloud per W m⁻² of convective heating.
pub const DEEP_CLOUD_PER_HEATING: f64 = 7.762_758_69e-4;
/// Anvil (cirrostratus) cover per unit deep cloud cover.
pub const ANVIL_FACTOR: f64 = 1.5;
/// Reference stratus cover ĉ₃ = 0.1096/(1 − 0.1051 − 0.1047).
pub const STRATUS_COVER: f64 = 0.1096 / (1.0 - 0.1051 - 0.1047);
/// Reference altostratus/cumulus cover ĉ₄ = 0.2234/(1 − 0.1051 − 0.1047).
pub const MIDDLE_COVER: f64 = 0.2234 / (1.0 - 0.1051 - 0.1047);

/// a, b (atmosphere: row 0; surface: row 1) and c (row 0/1) per type k = 0 (clear) … 4.
const SW_A: [[f64; 5]; 2] = [
    [
        -0.722_324_1e-1,
        0.279_912_4e-1,
        -0.333_663_5e-1,
        -0.302_587_2e-1,
        -0.519_648_5e-1,
    ],
    [
        0.186_788_6,
        0.146_629_4,
        0.312_514_7,
        0.281_986_3,
        0.379_175_4,
    ],
];
const SW_B: [[f64; 5]; 2] = [
    [
        0.251_165_4,
        0.175_420_0,
        0.218_122_7,
        0.259_309_3,
        0.245_477_0,
    ],
    [
        0.584_892_7,
        0.815_181_1e-1,
        0.358_474_3,
        0.147_982_5,
        0.293_145_4,
    ],
];
const SW_C: [[f64; 5]; 2] = [
    [
        0.166_279_8,
        0.634_188_1e-1,
        0.174_380_9,
        0.697_035_2e-1,
        0.606_132_8,
    ],
    [
        0.116_009_3,
        0.748_566_1,
        0.274_109_5,
        0.586_773_9,
        1.347_113,
    ],
];

/// Cloud fractions cld₀ (clear) … cld₄, each `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct Clouds<B: Backend> {
    /// Fractions of clear sky and the four cloud types (1).
    pub fraction: [Tensor<B, 3>; 5],
}

impl<B: Backend> Clouds<B> {
    /// The diagnostic clouds of QTCM1 from the convective heating Q_c (W m⁻²).
    pub fn diagnose(convective_heating: Tensor<B, 3>) -> Self {
        let deep = (convective_heating * DEEP_CLOUD_PER_HEATING).clamp_max(1.0);
        let anvil = (deep.clone() * ANVIL_FACTOR).clamp_max(1.0) * (deep.clone().neg() + 1.0);
        let rest = (deep.clone() + anvil.clone()).neg() + 1.0;
        let stratus = rest.clone() * STRATUS_COVER;
        let middle = rest * MIDDLE_COVER;
        let clear = (deep.clone() + anvil.clone() + stratus.clone() + middle.clone()).neg() + 1.0;
        Clouds {
            fraction: [clear, deep, anvil, stratus, middle],
        }
    }
}

/// Daily-mean zenith-angle moments (cos Z₁, cos Z₂) at latitude φ for declination δ
/// (radians); 0 in polar night (module docs).
pub fn zenith_moments(lat: f64, delta: f64) -> (f64, f64) {
    let a = lat.sin() * delta.sin();
    let b = lat.cos() * delta.cos();
    let h = sunset_hour_angle(lat, delta);
    let z1 = (a * h + b * h.sin()) / PI;
    let z2 = (a * a * h + 2.0 * a * b * h.sin() + b * b * (h / 2.0 + (2.0 * h).sin() / 4.0)) / PI;
    (z1, z2)
}

/// Shortwave fluxes, each `[1, nlat, nlon]` (W m⁻²).
#[derive(Debug, Clone)]
pub struct Shortwave<B: Backend> {
    /// Insolation at the top of the atmosphere S cos Z₁.
    pub toa_down: Tensor<B, 3>,
    /// Absorbed in the atmospheric column (heats T₁).
    pub atmosphere: Tensor<B, 3>,
    /// Downward at the surface.
    pub surface_down: Tensor<B, 3>,
    /// Net (absorbed) at the surface, (1 − αₛ) × downward.
    pub surface_net: Tensor<B, 3>,
}

impl<B: Backend> Shortwave<B> {
    /// Absorbed by the Earth system (atmosphere + surface).
    pub fn toa_absorbed(&self) -> Tensor<B, 3> {
        self.atmosphere.clone() + self.surface_net.clone()
    }
}

/// QTCM1's shortwave for solar flux `s` = S₀(a/r)² (W m⁻²), declination `delta` (radians),
/// latitudes `lat` (radians, south to north), clouds and surface albedo αₛ (1).
pub fn shortwave<B: Backend>(
    s: f64,
    delta: f64,
    lat: &[f64],
    clouds: &Clouds<B>,
    albedo: Tensor<B, 3>,
) -> Shortwave<B> {
    let device = albedo.device();
    let nlat = lat.len();
    let (z1, z2): (Vec<f64>, Vec<f64>) = lat.iter().map(|l| zenith_moments(*l, delta)).unzip();
    let column = |v: Vec<f64>| tensor_from_vec::<B, 3>(v, [1, nlat, 1], &device);
    let flux = |i: usize| -> Tensor<B, 3> {
        let mut total: Option<Tensor<B, 3>> = None;
        for (k, cld) in clouds.fraction.iter().enumerate() {
            let c = column(
                z1.iter()
                    .zip(&z2)
                    .map(|(a, b)| s * (SW_A[i][k] * b + SW_B[i][k] * a))
                    .collect(),
            );
            let term = cld.clone() * c * (albedo.clone() * SW_C[i][k] + 1.0);
            total = Some(match total {
                Some(t) => t + term,
                None => term,
            });
        }
        total.expect("five sky types")
    };
    let atmosphere = flux(0);
    let surface_down = flux(1);
    let surface_net = surface_down.clone() * (albedo.clone().neg() + 1.0);
    let toa_down = column(z1.iter().map(|z| s * z).collect()) + albedo.zeros_like();
    Shortwave {
        toa_down,
        atmosphere,
        surface_down,
        surface_net,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64};
    use crate::forcing::orbit::daily_mean_insolation;

    type B = Cpu64;

    fn t(v: Vec<f64>) -> Tensor<B, 3> {
        let n = v.len();
        tensor_from_vec(v, [1, 1, n], &Default::default())
    }

    #[test]
    fn zenith_moments_are_the_daily_means() {
        for (lat, delta) in [(0.0, 0.0), (0.7, 0.3), (-1.2, 0.4), (1.3, 0.4), (1.3, -0.4)] {
            let (z1, z2) = zenith_moments(lat, delta);
            // S cos Z₁ is Berger's daily-mean insolation.
            assert!((1361.0 * z1 - daily_mean_insolation(lat, delta, 1361.0)).abs() < 1e-9);
            // Brute-force means over the day of max(cos Z, 0) and max(cos Z, 0)².
            let n = 200_000;
            let (mut m1, mut m2) = (0.0, 0.0);
            for k in 0..n {
                let h = -PI + 2.0 * PI * (k as f64 + 0.5) / n as f64;
                let c = (lat.sin() * delta.sin() + lat.cos() * delta.cos() * h.cos()).max(0.0);
                m1 += c / n as f64;
                m2 += c * c / n as f64;
            }
            assert!(
                (z1 - m1).abs() < 1e-6 && (z2 - m2).abs() < 1e-6,
                "{z1} {m1} {z2} {m2}"
            );
        }
    }

    #[test]
    fn clouds_sum_to_one_and_follow_convection() {
        let c = Clouds::<B>::diagnose(t(vec![0.0, 100.0, 5000.0]));
        let f: Vec<Vec<f64>> = c.fraction.iter().map(|x| to_vec_f64(x.clone())).collect();
        for col in (0..3).map(|p| f.iter().map(|x| x[p]).collect::<Vec<f64>>()) {
            assert!((col.iter().sum::<f64>() - 1.0).abs() < 1e-14);
            assert!(col.iter().all(|c| (0.0..=1.0).contains(c)));
        }
        assert_eq!(f[1][0], 0.0);
        assert!((f[1][1] - 0.0776275869).abs() < 1e-12);
        // Very strong convection: overcast by deep cloud.
        assert_eq!(f[1][2], 1.0);
        assert!((f[3][0] - STRATUS_COVER).abs() < 1e-15);
    }

    #[test]
    fn clear_tropical_column_partitions_sunlight_plausibly() {
        // Equator at equinox, clear sky, ocean albedo 0.07: TOA 433 W m⁻²; Fu–Liou clear-sky
        // columns absorb ~20 % and pass ~70 % to the surface.
        let mut clouds = Clouds::<B>::diagnose(t(vec![0.0]));
        clouds.fraction = [
            t(vec![1.0]),
            t(vec![0.0]),
            t(vec![0.0]),
            t(vec![0.0]),
            t(vec![0.0]),
        ];
        let sw = shortwave(1361.0, 0.0, &[0.0], &clouds, t(vec![0.07]));
        let toa = to_vec_f64(sw.toa_down.clone())[0];
        let atm = to_vec_f64(sw.atmosphere.clone())[0];
        let sfc = to_vec_f64(sw.surface_down.clone())[0];
        let abs = to_vec_f64(sw.toa_absorbed())[0];
        println!("clear equator: TOA {toa:.1}, atmosphere {atm:.1}, surface down {sfc:.1}, absorbed {abs:.1} W m⁻²");
        assert!((toa - 1361.0 / PI).abs() < 1e-9);
        assert!((0.15..0.25).contains(&(atm / toa)) && (0.65..0.8).contains(&(sfc / toa)));
        assert!(abs < toa);
        // Polar night: nothing.
        let dark = shortwave(1361.0, -0.4, &[1.4], &clouds, t(vec![0.6]));
        assert_eq!(to_vec_f64(dark.toa_absorbed())[0], 0.0);
    }

    #[test]
    fn clouds_and_bright_surfaces_reflect_more() {
        let qc = t(vec![0.0, 600.0, 0.0]);
        let clouds = Clouds::<B>::diagnose(qc);
        let sw = shortwave(1361.0, 0.0, &[0.0], &clouds, t(vec![0.07, 0.07, 0.8]));
        let abs = to_vec_f64(sw.toa_absorbed());
        assert!(abs[1] < abs[0] && abs[2] < abs[0], "{abs:?}");
    }
}
