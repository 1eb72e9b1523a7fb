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

use super::qtcm::QREF_SURFACE;
use crate::backend::tensor_from_vec;
use crate::forcing::orbit::sunset_hour_angle;
use crate::physics::constants::STEFAN_BOLTZMANN;
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

    /// The clouds of QTCM1's `OBSCLD` option: deep and anvil cloud from Q_c as in
    /// [`Clouds::diagnose`], altostratus/cumulus ĉ₄ of the rest r = 1 − cld₁ − cld₂, and the
    /// stratus cover chosen so that the total cover equals an observed climatology C_obs
    /// wherever it can:
    ///
    /// cld₃ = min(max(C_obs − cld₁ − cld₂ − ĉ₄ r, 0), (1 − ĉ₄) r),
    ///
    /// i.e. total = C_obs unless the convective and middle clouds alone exceed it (then
    /// cld₃ = 0) or C_obs exceeds what stratus can fill (then overcast). The bounds are those
    /// of a fraction, not a numerical limiter. Prescribing the stratus this way has no
    /// low-cloud feedback, as in QTCM1 (whose `readobscloud` takes the stratus from ISCCP);
    /// here C_obs is the total cloudiness of Esbensen & Kushnir (1981) (`clouds.nc`). Those
    /// are ship reports: over land and the polar oceans (`cloud_observed_fraction` = 0) the
    /// file holds values extrapolated from the nearest observed ocean, a crude fill, as
    /// QTCM1 filled the rows beyond its ±60° data with the zonal mean of the edge row.
    ///
    /// Inputs `[1, nlat, nlon]`: Q_c (W m⁻²), C_obs (1).
    ///
    /// # References
    /// QTCM1 v2.3 `clrad.F90` (`cloud`, `readobscloud`); Zeng, Neelin & Chou (2000) §2c;
    /// Esbensen, S. K. & Kushnir, Y. (1981), Rep. 29, Climatic Research Institute, Oregon
    /// State University.
    pub fn with_observed_total(convective_heating: Tensor<B, 3>, observed: Tensor<B, 3>) -> Self {
        let [_, deep, anvil, _, middle] = Self::diagnose(convective_heating).fraction;
        let rest = (deep.clone() + anvil.clone()).neg() + 1.0;
        let stratus = (observed - deep.clone() - anvil.clone() - middle.clone())
            .clamp_min(0.0)
            .min_pair(rest * (1.0 - MIDDLE_COVER));
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
    /// Absorbed by the Earth system if the sky were clear (type 0 only), the clear-sky
    /// diagnostic rsdt − rsutcs.
    pub toa_absorbed_clear: Tensor<B, 3>,
}

impl<B: Backend> Shortwave<B> {
    /// Absorbed by the Earth system (atmosphere + surface).
    pub fn toa_absorbed(&self) -> Tensor<B, 3> {
        self.atmosphere.clone() + self.surface_net.clone()
    }
}

/// The insolation columns of QTCM1's shortwave for one physics call: for the solar flux
/// s = S₀(a/r)² (W m⁻²) and declination δ (radians) at the latitudes φ (radians, south to
/// north), the per-sky-type coefficients s (A_ik cos Z₂ + B_ik cos Z₁) of the absorbed
/// (i = 0) and surface-downward (i = 1) fluxes of the five sky types k, then the TOA
/// insolation s cos Z₁ (module docs), as one tensor `[11, nlat, 1]`.
///
/// The zenith-angle moments are computed on the host (they need arccos and tan) once per
/// physics call and uploaded as this one tensor, which is forcing, not state: the run driver
/// builds it from the orbit ([`crate::forcing::orbit::Orbit`]) and passes it to the step.
#[derive(Debug, Clone)]
pub struct Insolation<B: Backend> {
    columns: Tensor<B, 3>,
}

/// Index of the TOA insolation s cos Z₁ in [`Insolation`]'s columns.
const TOA_COLUMN: usize = 10;

impl<B: Backend> Insolation<B> {
    /// The columns for solar flux `s` (W m⁻²), declination `delta` (radians) and latitudes
    /// `lat` (radians).
    pub fn new(s: f64, delta: f64, lat: &[f64], device: &B::Device) -> Self {
        let nlat = lat.len();
        let (z1, z2): (Vec<f64>, Vec<f64>) = lat.iter().map(|l| zenith_moments(*l, delta)).unzip();
        let mut v = Vec::with_capacity(11 * nlat);
        for i in 0..2 {
            for k in 0..5 {
                v.extend(
                    z1.iter()
                        .zip(&z2)
                        .map(|(a, b)| s * (SW_A[i][k] * b + SW_B[i][k] * a)),
                );
            }
        }
        v.extend(z1.iter().map(|z| s * z));
        Insolation {
            columns: tensor_from_vec(v, [11, nlat, 1], device),
        }
    }

    /// Coefficient column of flux `i` (0 absorbed, 1 surface down) and sky type `k`,
    /// `[1, nlat, 1]`.
    fn flux(&self, i: usize, k: usize) -> Tensor<B, 3> {
        self.columns.clone().narrow(0, i * 5 + k, 1)
    }

    /// TOA insolation s cos Z₁ (W m⁻²), `[1, nlat, 1]`.
    pub fn toa(&self) -> Tensor<B, 3> {
        self.columns.clone().narrow(0, TOA_COLUMN, 1)
    }
}

/// QTCM1's shortwave for the insolation `ins`, clouds and surface albedo αₛ (1).
pub fn shortwave<B: Backend>(
    ins: &Insolation<B>,
    clouds: &Clouds<B>,
    albedo: Tensor<B, 3>,
) -> Shortwave<B> {
    let flux = |i: usize| -> Tensor<B, 3> {
        let mut total: Option<Tensor<B, 3>> = None;
        for (k, cld) in clouds.fraction.iter().enumerate() {
            let term = cld.clone() * ins.flux(i, k) * (albedo.clone() * SW_C[i][k] + 1.0);
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
    let toa_down = ins.toa() + albedo.zeros_like();
    let clear = |i: usize| ins.flux(i, 0) * (albedo.clone() * SW_C[i][0] + 1.0);
    let toa_absorbed_clear = clear(0) + clear(1) * (albedo.clone().neg() + 1.0);
    Shortwave {
        toa_down,
        atmosphere,
        surface_down,
        surface_net,
        toa_absorbed_clear,
    }
}

/// QTCM1's reference OLR at the reference cloud cover (W m⁻²).
pub const OLR_REFERENCE: f64 = 240.3406;
/// QTCM1's reference downward longwave at the surface (W m⁻²).
pub const SURFACE_DOWN_REFERENCE: f64 = 443.4288;
/// Reference surface temperature of the longwave fit T_s,ref (K).
pub const TS_REFERENCE: f64 = 302.26001;
/// Reference CO₂ concentration of the fit C₀ (ppm; QTCM1's `co2m`).
pub const CO2_REFERENCE: f64 = 330.0;
/// ΔF (W m⁻²): the correction added to QTCM1's clear-sky reference OLR (264.9 W m⁻², from
/// its 240.34 minus the reference clouds' effects). RRTMG (the `climt` 0.31 build; Mlawer
/// et al. 1997, Iacono et al. 2008) on QTCM1's reference column (`T1cTableIn`: T_c(p),
/// α(p) q_sat, Tₛ = 302.26 K, 330 ppm CO₂, 1650 ppb CH₄, 306 ppb N₂O, tropical ozone and
/// stratosphere) gives 275.2 W m⁻² (+10.3; 278.0 without CH₄ and N₂O; ±2–3 from the
/// stratosphere and ozone assumed above 200 hPa). The script is
/// `models/data/reference_olr_rrtmg.py`. The sensitivities ε stay QTCM1's; only the clear-sky
/// emission of the atmosphere ([`Window::emission0`]) and, through it, the stratus type
/// ([`StratusTop`], which keeps QTCM1's cloud effect relative to clear sky) move.
pub const CLEAR_SKY_OLR_CORRECTION: f64 = 10.0;
/// Reference cloud covers cldref₁…₄ of the fit (QTCM1 `cldref`).
pub const CLOUD_REFERENCE: [f64; 4] = [0.1051, 0.1047, 0.1096, 0.2234];

/// Longwave sensitivities per sky type n = 0 (clear) … 4 (Chou & Neelin 1996 as coded in
/// QTCM1 v2.3 `radlw`): rows ε_rTt, ε_rqt, ε_rst (TOA; W m⁻² K⁻¹), ε_rTs, ε_rqs (surface).
const LW_EPS: [[f64; 5]; 5] = [
    [
        0.133_549e1,
        0.152_938e1,
        0.145_419e1,
        0.141_225e1,
        0.140_892e1,
    ],
    [
        -0.806_434,
        -0.644_083e-1,
        -0.352_098,
        -0.471_530,
        -0.421_301,
    ],
    [0.535_400, 0.109_650e-2, 0.208_200, 0.900_000e-3, 0.115_160],
    [
        0.129_186e1,
        0.174_937e1,
        0.151_779e1,
        0.183_933e1,
        0.168_531e1,
    ],
    [0.259_074e1, 0.656_097, 0.173_063e1, 0.118_402, 0.862_426],
];
/// Cloud-cover sensitivities of OLR (ε_rct) and surface downward longwave (ε_rcs), types
/// 1…4 (W m⁻² per unit cover).
const LW_CLOUD: [[f64; 4]; 2] = [
    [-0.100_751e3, -0.616_890e2, -0.122_923e2, -0.276_311e2],
    [0.230_918e2, 0.843_160e1, 0.325_455e2, 0.205_806e2],
];
/// QTCM1's CO₂ sensitivities (option `DELTA_CO2`) per sky type: OLR (ε_rco2t) and surface
/// downward (ε_rco2s), W m⁻² per unit (C − C₀)/C₀. Only their ratio is used here: the
/// share of a TOA CO₂ forcing that reaches the surface.
const LW_CO2: [[f64; 5]; 2] = [
    [
        -0.564_960e1,
        -0.326_653e1,
        -0.419_050e1,
        -0.559_220e1,
        -0.522_538e1,
    ],
    [0.188_300, 0.131_395, 0.165_100, 0.112_100, 0.139_727],
];

/// The CO₂ radiative forcing F = 5.35 ln(C/C₀) W m⁻² (Myhre et al. 1998, Table 3) relative to
/// the fit's C₀ = 330 ppm.
pub fn co2_forcing(co2_ppm: f64) -> f64 {
    5.35 * (co2_ppm / CO2_REFERENCE).ln()
}

/// Longwave fluxes, each `[1, nlat, nlon]` (W m⁻², all positive).
#[derive(Debug, Clone)]
pub struct Longwave<B: Backend> {
    /// Outgoing longwave at the top of the atmosphere (OLR).
    pub toa_up: Tensor<B, 3>,
    /// Downward at the surface.
    pub surface_down: Tensor<B, 3>,
    /// Upward at the surface, σTₛ⁴.
    pub surface_up: Tensor<B, 3>,
    /// Clear-sky OLR (type 0 alone, with the CO₂ forcing): the diagnostic rlutcs.
    pub toa_up_clear: Tensor<B, 3>,
}

impl<B: Backend> Longwave<B> {
    /// Net longwave heating of the atmospheric column, F↑ₛ − F↓ₛ − OLR (W m⁻²).
    pub fn atmosphere(&self) -> Tensor<B, 3> {
        self.surface_up.clone() - self.surface_down.clone() - self.toa_up.clone()
    }

    /// Net longwave into the surface, F↓ₛ − F↑ₛ (W m⁻²).
    pub fn surface_net(&self) -> Tensor<B, 3> {
        self.surface_down.clone() - self.surface_up.clone()
    }
}

/// The clear-sky window transmissivity t(qₛ) = 1/(1 + exp(k(qₛ − q₀))) and its parameters.
///
/// QTCM1's clear-sky OLR depends on Tₛ through ε_rst,0 = 0.535 W m⁻² K⁻¹, which is the
/// surface's emission 4σTₛ³ seen through a window of transmissivity t₀ = ε_rst,0/(4σTₛ,ref³)
/// = 0.085, and on moisture through ε_rqt,0 = −0.806 W m⁻² K⁻¹, read here as the closing of
/// that window by water vapour: ∂t/∂q₁ = ε_rqt,0/(σTₛ,ref⁴ − σT_e0⁴). The logistic in the
/// surface humidity qₛ = q_ref,s + q₁ (K, as L q/c_p) has that value and slope at the
/// reference and stays in (0, 1): dry polar columns open the window (t = 0.43 at qₛ = 0), as
/// they do in line-by-line calculations (Koll & Cronin 2018).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// t₀ at the reference column (1).
    pub t0: f64,
    /// k (K⁻¹).
    pub k: f64,
    /// q₀ (K).
    pub q0: f64,
    /// σT_e0⁴ (W m⁻²): the clear-sky atmospheric emission at the reference.
    pub emission0: f64,
}

/// Reference clear-sky OLR and surface downward longwave (W m⁻²): QTCM1's references minus
/// the reference clouds' effects, 264.9 and 432.0.
fn clear_references() -> (f64, f64) {
    let mut olr = OLR_REFERENCE;
    let mut down = SURFACE_DOWN_REFERENCE;
    for n in 0..4 {
        olr -= CLOUD_REFERENCE[n] * LW_CLOUD[0][n];
        down -= CLOUD_REFERENCE[n] * LW_CLOUD[1][n];
    }
    (olr, down)
}

impl Window {
    /// The window fitted to QTCM1's clear-sky sensitivities (type docs).
    pub fn fitted() -> Self {
        let sigma = STEFAN_BOLTZMANN;
        let olr0 = clear_references().0 + CLEAR_SKY_OLR_CORRECTION;
        let s_ref = sigma * TS_REFERENCE.powi(4);
        let t0 = LW_EPS[2][0] / (4.0 * sigma * TS_REFERENCE.powi(3));
        let emission0 = (olr0 - t0 * s_ref) / (1.0 - t0);
        let slope = LW_EPS[1][0] / (s_ref - emission0);
        let k = -slope / (t0 * (1.0 - t0));
        let q0 = QREF_SURFACE - (1.0 / t0 - 1.0).ln() / k;
        Window {
            t0,
            k,
            q0,
            emission0,
        }
    }

    /// t(qₛ) for q₁ (K), any shape.
    pub fn transmissivity<B: Backend>(&self, q1: Tensor<B, 3>) -> Tensor<B, 3> {
        // 1/x by division, not `recip`: burn-ndarray's f32 `recip` is the ~12-bit SIMD estimate.
        let denominator = ((q1 + (QREF_SURFACE - self.q0)) * self.k)
            .exp()
            .add_scalar(1.0);
        denominator.ones_like() / denominator
    }
}

/// The stratus (type 3) cloud top in the longwave: a low cloud replaces the surface in the
/// clear-sky window,
///
/// OLR₃ = t(qₛ) σT_ct⁴ + (1 − t(qₛ)) σT_e⁴,   T_ct = T_ct0 + a_ct T₁ + b_ct q₁ + c_ct (Tₛ − Tₛ,ref),
///
/// with t and T_e the clear sky's ([`Window`], [`longwave`]). The four constants reproduce
/// QTCM1's type-3 OLR (plus the clear-sky correction ΔF) and its three first derivatives at
/// the reference column exactly:
///
/// t₀σT_ct0⁴ + (1 − t₀)σT_e0⁴ = OLR₀,ref + ΔF + ε_rct,3,
/// t₀ 4σT_ct0³ a_ct = ε_rTt,3 − ε_rTt,0,
/// t′(σT_ct0⁴ − σT_e0⁴) + t₀ 4σT_ct0³ b_ct = ε_rqt,3,
/// t₀ 4σT_ct0³ c_ct = ε_rst,3,
///
/// (t′ = ∂t/∂q₁ at the reference; ΔF = [`CLEAR_SKY_OLR_CORRECTION`]): T_ct0 = 276.1 K,
/// a_ct = 0.188. QTCM1's linear type-3 OLR
/// instead follows T₁ with ε_rTt,3 = 1.41 W m⁻² K⁻¹ and hardly Tₛ, so its stratus top is as
/// cold as the mid-troposphere and a polar stratus deck under an inversion traps 38–45
/// W m⁻² per unit cover; here its longwave effect t(σTₛ⁴ − σT_ct⁴) follows the surface and
/// the window, and vanishes where the cloud top is as warm as the surface.
///
/// # References
/// Chou, C. & Neelin, J. D. (1996), J. Climate 9, 2612–2633 (type-3 sensitivities); QTCM1
/// v2.3 `clrad.F90` (`radlw`); Koll & Cronin (2018), PNAS 115, 10293–10298 (the window).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StratusTop {
    /// T_ct0 (K).
    pub t_ct0: f64,
    /// a_ct (1): ∂T_ct/∂T₁.
    pub a_ct: f64,
    /// b_ct (1): ∂T_ct/∂q₁.
    pub b_ct: f64,
    /// c_ct (1): ∂T_ct/∂Tₛ.
    pub c_ct: f64,
}

impl StratusTop {
    /// The cloud top fitted to QTCM1's type-3 longwave at the reference (type docs).
    pub fn fitted() -> Self {
        let sigma = STEFAN_BOLTZMANN;
        let w = Window::fitted();
        let (olr_clear, _) = clear_references();
        let top4 = (olr_clear + CLEAR_SKY_OLR_CORRECTION + LW_CLOUD[0][2]
            - (1.0 - w.t0) * w.emission0)
            / w.t0;
        let t_ct0 = (top4 / sigma).powf(0.25);
        let slope = w.t0 * 4.0 * sigma * t_ct0.powi(3);
        let dt_dq = -w.k * w.t0 * (1.0 - w.t0);
        StratusTop {
            t_ct0,
            a_ct: (LW_EPS[0][3] - LW_EPS[0][0]) / slope,
            b_ct: (LW_EPS[1][3] - dt_dq * (top4 - w.emission0)) / slope,
            c_ct: LW_EPS[2][3] / slope,
        }
    }
}

/// QTCM1's longwave made valid over the globe's range of temperatures.
///
/// QTCM1 (`radlw`) is linear about a tropical reference column: with E_X = Σₙ ε_rX,n cldₙ
/// over the sky types n = 0 (clear) … 4, OLR = 240.34 + E_Tt T₁ + E_qt q₁ + E_st (Tₛ − Tₛ,ref)
/// plus Σₙ ε_rct,n (cldₙ − cldrefₙ), and F↓ₛ = 443.43 + E_Ts T₁ + E_qs q₁ plus
/// Σₙ ε_rcs,n (cldₙ − cldrefₙ). Those lines cross zero in polar columns (OLR < 0 for T₁ ≲ −200 K). Written per
/// sky type, OLR = Σₙ cldₙ OLRₙ with OLRₙ,ref = OLR₀,ref + ε_rct,n, and here each type's flux
/// is black-body emission with the same reference value and first derivatives:
///
/// clear sky: OLR₀ = t σTₛ⁴ + (1 − t) σT_e⁴,   T_e = T_e0 + ε_rTt,0 T₁/((1 − t₀) 4σT_e0³),
///            F↓ₛ,₀ = (1 − t) σT_b⁴,   T_b = T_b0 + [ε_rTs,0 T₁ + (ε_rqs,0 + t′σT_b0⁴) q₁]/((1 − t₀) 4σT_b0³),
/// cloud type n ≠ 3: OLRₙ = σT_e,n⁴,   T_e,n = T_e,n0 + (ε_rTt,n T₁ + ε_rqt,n q₁ + ε_rst,n (Tₛ − Tₛ,ref))/(4σT_e,n0³),
/// stratus: OLR₃ = t σT_ct⁴ + (1 − t) σT_e⁴ ([`StratusTop`]),
/// all types: F↓ₛ,ₙ = σT_b,n⁴,   T_b,n = T_b,n0 + (ε_rTs,n T₁ + ε_rqs,n q₁)/(4σT_b,n0³),
///
/// with t = t(qₛ) the clear-sky window ([`Window`], t′ = ∂t/∂q₁ at the reference) and the
/// reference temperatures set by the reference fluxes. Then OLR = Σₙ cldₙ OLRₙ − F_CO₂,
/// F↓ₛ = Σₙ cldₙ F↓ₛ,ₙ + r F_CO₂ and F↑ₛ = σTₛ⁴. At the reference column every first
/// derivative equals QTCM1's, and every flux does too except that the clear sky and the
/// stratus (whose window sees the same atmosphere) emit ΔF = [`CLEAR_SKY_OLR_CORRECTION`]
/// = 10 W m⁻² more (RRTMG's clear-sky OLR of QTCM1's reference column; OLR = QTCM1 +
/// ΔF (cld₀ + cld₃)), (F↑ₛ: σTₛ,ref⁴ = 473.3 vs 475.3 W m⁻² and 6.264 vs 6.283
/// W m⁻² K⁻¹, QTCM1's implied emissivity 1.004 taken as 1); away from it the Planck
/// sensitivity 4σT³ falls in cold columns and the window opens in dry ones, as they do
/// physically, and every flux stays positive without a limiter (tested against a grey column
/// model from 180 to 275 K at 500 hPa in `tests/suite/atmos_radiation.rs`). CO₂: the forcing
/// F_CO₂ = 5.35 ln(C/C₀) ([`co2_forcing`]) leaves the OLR, and the fraction
/// r = Σₙ cldₙ (−ε_rco2s,n/ε_rco2t,n) (3.3 % for clear sky; QTCM1's `DELTA_CO2` ratios) reaches
/// the surface.
///
/// Inputs: T₁, q₁ (K), surface temperature Tₛ (K), clouds, CO₂ (ppm); shapes `[1, nlat, nlon]`.
///
/// # References
/// Chou, C. & Neelin, J. D. (1996), J. Climate 9, 2612–2633 (the linearised scheme); Zeng,
/// Neelin & Chou (2000), J. Atmos. Sci. 57, 1767–1796, §2c; QTCM1 v2.3 `clrad.F90`; Myhre, G.
/// et al. (1998), Geophys. Res. Lett. 25, 2715–2718; Koll, D. D. B. & Cronin, T. W. (2018),
/// PNAS 115, 10293–10298 (the closing water-vapour window).
pub fn longwave<B: Backend>(
    t1: Tensor<B, 3>,
    q1: Tensor<B, 3>,
    ts: Tensor<B, 3>,
    clouds: &Clouds<B>,
    co2_ppm: f64,
) -> Longwave<B> {
    let sigma = STEFAN_BOLTZMANN;
    let planck = |x: Tensor<B, 3>| x.powi_scalar(4) * sigma;
    let temp_of = |flux: f64| (flux / sigma).powf(0.25);
    let slope_of = |temp: f64| 4.0 * sigma * temp.powi(3);
    let (olr_clear, down_clear) = clear_references();
    let w = Window::fitted();
    let t = w.transmissivity(q1.clone());
    let opaque = t.clone().neg() + 1.0;
    let surface_up = planck(ts.clone());
    // Clear sky.
    let te0 = temp_of(w.emission0);
    let te = t1.clone() * (LW_EPS[0][0] / ((1.0 - w.t0) * slope_of(te0))) + te0;
    let above = opaque.clone() * planck(te);
    let toa_clear = t.clone() * surface_up.clone() + above.clone();
    let mut toa_up = toa_clear.clone() * clouds.fraction[0].clone();
    let b0 = down_clear / (1.0 - w.t0);
    let tb0 = temp_of(b0);
    let dt_dq = -w.k * w.t0 * (1.0 - w.t0);
    let tb = (t1.clone() * LW_EPS[3][0] + q1.clone() * (LW_EPS[4][0] + dt_dq * b0))
        / ((1.0 - w.t0) * slope_of(tb0))
        + tb0;
    let mut surface_down = opaque * planck(tb) * clouds.fraction[0].clone();
    // Cloud types.
    for n in 1..5 {
        let olr_n = if n == 3 {
            let st = StratusTop::fitted();
            let top = t1.clone() * st.a_ct
                + q1.clone() * st.b_ct
                + (ts.clone() - TS_REFERENCE) * st.c_ct
                + st.t_ct0;
            t.clone() * planck(top) + above.clone()
        } else {
            let e0 = temp_of(olr_clear + LW_CLOUD[0][n - 1]);
            let te = (t1.clone() * LW_EPS[0][n]
                + q1.clone() * LW_EPS[1][n]
                + (ts.clone() - TS_REFERENCE) * LW_EPS[2][n])
                / slope_of(e0)
                + e0;
            planck(te)
        };
        let d0 = temp_of(down_clear + LW_CLOUD[1][n - 1]);
        let tb = (t1.clone() * LW_EPS[3][n] + q1.clone() * LW_EPS[4][n]) / slope_of(d0) + d0;
        toa_up = toa_up + olr_n * clouds.fraction[n].clone();
        surface_down = surface_down + planck(tb) * clouds.fraction[n].clone();
    }
    let f_co2 = co2_forcing(co2_ppm);
    if f_co2 != 0.0 {
        let ratio: [f64; 5] = std::array::from_fn(|n| -LW_CO2[1][n] / LW_CO2[0][n]);
        let mut share = clouds.fraction[0].clone() * ratio[0];
        for (c, r) in clouds.fraction.iter().zip(ratio).skip(1) {
            share = share + c.clone() * r;
        }
        toa_up = toa_up - f_co2;
        surface_down = surface_down + share * f_co2;
    }
    Longwave {
        toa_up,
        surface_down,
        surface_up,
        toa_up_clear: toa_clear - f_co2,
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
        let ins = |d: f64, l: f64| Insolation::<B>::new(1361.0, d, &[l], &Default::default());
        let sw = shortwave(&ins(0.0, 0.0), &clouds, t(vec![0.07]));
        let toa = to_vec_f64(sw.toa_down.clone())[0];
        let atm = to_vec_f64(sw.atmosphere.clone())[0];
        let sfc = to_vec_f64(sw.surface_down.clone())[0];
        let abs = to_vec_f64(sw.toa_absorbed())[0];
        println!("clear equator: TOA {toa:.1}, atmosphere {atm:.1}, surface down {sfc:.1}, absorbed {abs:.1} W m⁻²");
        assert!((toa - 1361.0 / PI).abs() < 1e-9);
        assert!((0.15..0.25).contains(&(atm / toa)) && (0.65..0.8).contains(&(sfc / toa)));
        assert!(abs < toa);
        // Polar night: nothing.
        let dark = shortwave(&ins(-0.4, 1.4), &clouds, t(vec![0.6]));
        assert_eq!(to_vec_f64(dark.toa_absorbed())[0], 0.0);
    }

    #[test]
    fn clouds_and_bright_surfaces_reflect_more() {
        let qc = t(vec![0.0, 600.0, 0.0]);
        let clouds = Clouds::<B>::diagnose(qc);
        let ins = Insolation::<B>::new(1361.0, 0.0, &[0.0], &Default::default());
        let sw = shortwave(&ins, &clouds, t(vec![0.07, 0.07, 0.8]));
        let abs = to_vec_f64(sw.toa_absorbed());
        assert!(abs[1] < abs[0] && abs[2] < abs[0], "{abs:?}");
    }

    /// QTCM1's linear longwave (OLR, F↓ₛ) for one column.
    fn qtcm_linear(t1: f64, q1: f64, ts: f64, cld: [f64; 5]) -> (f64, f64) {
        let e = |row: &[f64; 5]| (0..5).map(|n| row[n] * cld[n]).sum::<f64>();
        let c = |row: &[f64; 4]| {
            (0..4)
                .map(|n| row[n] * (cld[n + 1] - CLOUD_REFERENCE[n]))
                .sum::<f64>()
        };
        (
            OLR_REFERENCE
                + e(&LW_EPS[0]) * t1
                + e(&LW_EPS[1]) * q1
                + e(&LW_EPS[2]) * (ts - TS_REFERENCE)
                + c(&LW_CLOUD[0]),
            SURFACE_DOWN_REFERENCE + e(&LW_EPS[3]) * t1 + e(&LW_EPS[4]) * q1 + c(&LW_CLOUD[1]),
        )
    }

    #[test]
    fn longwave_equals_qtcm_at_the_reference_to_first_order() {
        let cld = [0.3, 0.2, 0.1, 0.15, 0.25];
        let ours = |t1: f64, q1: f64, ts: f64, co2: f64| {
            let clouds = Clouds {
                fraction: cld.map(|c| t(vec![c])),
            };
            let lw = longwave(t(vec![t1]), t(vec![q1]), t(vec![ts]), &clouds, co2);
            (
                to_vec_f64(lw.toa_up)[0],
                to_vec_f64(lw.surface_down)[0],
                to_vec_f64(lw.surface_up)[0],
            )
        };
        // QTCM1's own reference: the reference clouds give 240.3406 and 443.4288.
        let refc = [
            1.0 - CLOUD_REFERENCE.iter().sum::<f64>(),
            CLOUD_REFERENCE[0],
            CLOUD_REFERENCE[1],
            CLOUD_REFERENCE[2],
            CLOUD_REFERENCE[3],
        ];
        let clouds = Clouds {
            fraction: refc.map(|c| t(vec![c])),
        };
        let lw = longwave(
            t(vec![0.0]),
            t(vec![0.0]),
            t(vec![TS_REFERENCE]),
            &clouds,
            330.0,
        );
        let shift = CLEAR_SKY_OLR_CORRECTION * (refc[0] + refc[3]);
        assert!((to_vec_f64(lw.toa_up)[0] - OLR_REFERENCE - shift).abs() < 1e-9);
        assert!((to_vec_f64(lw.surface_down)[0] - SURFACE_DOWN_REFERENCE).abs() < 1e-9);
        // Values and central-difference derivatives at the reference point for other clouds.
        let (o, d, _) = ours(0.0, 0.0, TS_REFERENCE, 330.0);
        let (lo, ld) = qtcm_linear(0.0, 0.0, TS_REFERENCE, cld);
        let lo = lo + CLEAR_SKY_OLR_CORRECTION * (cld[0] + cld[3]);
        assert!(
            (o - lo).abs() < 1e-9 && (d - ld).abs() < 1e-9,
            "{o} {lo} {d} {ld}"
        );
        let h = 1e-3;
        for var in 0..3 {
            let shift = |s: f64| {
                let mut x = [0.0, 0.0, TS_REFERENCE];
                x[var] += s;
                x
            };
            let (p, m) = (shift(h), shift(-h));
            let a = ours(p[0], p[1], p[2], 330.0);
            let b = ours(m[0], m[1], m[2], 330.0);
            let la = qtcm_linear(p[0], p[1], p[2], cld);
            let lb = qtcm_linear(m[0], m[1], m[2], cld);
            let (d_olr, d_down) = ((a.0 - b.0) / (2.0 * h), (a.1 - b.1) / (2.0 * h));
            let (l_olr, l_down) = ((la.0 - lb.0) / (2.0 * h), (la.1 - lb.1) / (2.0 * h));
            assert!(
                (d_olr - l_olr).abs() < 1e-6,
                "OLR ∂/∂x{var}: {d_olr} vs {l_olr}"
            );
            assert!(
                (d_down - l_down).abs() < 1e-6,
                "F↓ ∂/∂x{var}: {d_down} vs {l_down}"
            );
        }
        // CO₂ doubling from the reference: 5.35 ln 2 = 3.708 W m⁻² less OLR.
        let (o2, d2, _) = ours(0.0, 0.0, TS_REFERENCE, 660.0);
        assert!((o - o2 - 5.35 * 2f64.ln()).abs() < 1e-9);
        assert!(d2 > d && d2 - d < 0.05 * (o - o2));
        // Fluxes stay positive in the coldest, driest column the globe has.
        let (oc, dc, uc) = ours(-250.0, -51.0, 200.0, 180.0);
        assert!(oc > 0.0 && dc > 0.0 && uc > 0.0, "{oc} {dc} {uc}");
    }

    #[test]
    fn the_window_is_fitted_to_qtcm() {
        let w = Window::fitted();
        let tw = |q1: f64| to_vec_f64(w.transmissivity(t(vec![q1])))[0];
        assert!((tw(0.0) - w.t0).abs() < 1e-12);
        assert!((w.t0 - 0.0855).abs() < 1e-3, "{}", w.t0);
        // Dry columns open the window, moist ones close it; always within (0, 1).
        assert!(tw(-QREF_SURFACE) > 0.4 && tw(-QREF_SURFACE) < 1.0);
        assert!(tw(30.0) < w.t0 && tw(30.0) > 0.0);
    }

    #[test]
    fn observed_clouds_fill_the_total_cover_where_they_can() {
        // Columns: no convection with observed cover 0.7 (stratus fills it), 0.1 (below the
        // middle cloud alone: no stratus), 1.0 (overcast), and moderate convection with 0.8.
        let qc = t(vec![0.0, 0.0, 0.0, 300.0]);
        let obs = t(vec![0.7, 0.1, 1.0, 0.8]);
        let c = Clouds::<B>::with_observed_total(qc.clone(), obs);
        let f: Vec<Vec<f64>> = c.fraction.iter().map(|x| to_vec_f64(x.clone())).collect();
        let total = |p: usize| 1.0 - f[0][p];
        assert!((total(0) - 0.7).abs() < 1e-14, "{}", total(0));
        assert_eq!(f[3][1], 0.0);
        assert!((total(1) - MIDDLE_COVER).abs() < 1e-14);
        assert!((total(2) - 1.0).abs() < 1e-14);
        assert!((total(3) - 0.8).abs() < 1e-14);
        // Deep, anvil and middle clouds are QTCM1's.
        let d = Clouds::<B>::diagnose(qc);
        for k in [1, 2, 4] {
            assert_eq!(to_vec_f64(d.fraction[k].clone()), f[k]);
        }
        for p in 0..4 {
            assert!((f.iter().map(|x| x[p]).sum::<f64>() - 1.0).abs() < 1e-14);
            assert!(f.iter().all(|x| (0.0..=1.0).contains(&x[p])));
        }
    }

    #[test]
    fn stratus_longwave_effect_follows_the_surface() {
        // QTCM1's stratus traps ε_rct,3 = 12.3 W m⁻² per unit cover at the reference; here too,
        // and less over a surface colder than the cloud top (a polar inversion), where QTCM1's
        // linear form keeps its cold, mid-tropospheric cloud top.
        let cre = |t1: f64, q1: f64, ts: f64| {
            let one = |k: usize| {
                let mut f = [0.0; 5];
                f[k] = 1.0;
                let clouds = Clouds {
                    fraction: f.map(|c| t(vec![c])),
                };
                let lw = longwave(t(vec![t1]), t(vec![q1]), t(vec![ts]), &clouds, 330.0);
                to_vec_f64(lw.toa_up)[0]
            };
            one(0) - one(3)
        };
        assert!((cre(0.0, 0.0, TS_REFERENCE) + LW_CLOUD[0][2]).abs() < 1e-9);
        let polar = cre(-100.0, -50.0, 245.0);
        let st = StratusTop::fitted();
        assert!(
            (st.t_ct0 - 276.1).abs() < 0.1 && (st.a_ct - 0.188).abs() < 1e-3,
            "{st:?}"
        );
        assert!(polar < 2.0, "polar stratus traps {polar} W m⁻²");
        // Clear-sky OLR at the reference is QTCM1's plus the correction.
        let mut f = [0.0; 5];
        f[0] = 1.0;
        let clouds = Clouds {
            fraction: f.map(|c| t(vec![c])),
        };
        let lw = longwave(
            t(vec![0.0]),
            t(vec![0.0]),
            t(vec![TS_REFERENCE]),
            &clouds,
            330.0,
        );
        let want = clear_references().0 + CLEAR_SKY_OLR_CORRECTION;
        assert!((to_vec_f64(lw.toa_up_clear)[0] - want).abs() < 1e-9);
        assert!((want - 274.9).abs() < 0.1, "{want}");
    }
}
