//! Bulk aerodynamic surface fluxes, per surface type (ARCHITECTURE §6: they live in the
//! coupler; the atmosphere exports its lowest-level state and receives fluxes).
//!
//! With the surface wind **v**ₛ, the gustiness floor |V| = √(|**v**ₛ|² + V_min²), air density
//! ρ_a, the neutral transfer coefficient C_D of the surface type, surface temperature Tₛ and
//! wetness β (1 over water and ice; the soil's evaporation efficiency over land), and the
//! surface air temperature T_a and specific humidity q_a:
//!
//! **τ** = ρ_a C_D |V| **v**ₛ   (N m⁻², stress of the air on the surface),
//! H = ρ_a c_p C_D |V| (Tₛ − T_a)   (W m⁻², upward),
//! E = ρ_a C_D |V| β (q_sat(Tₛ) − q_a)   (kg m⁻² s⁻¹, upward), latent heat L E.
//!
//! q_sat is QTCM1's saturation humidity at 1000 hPa ([`crate::physics::thermo::qsat`]); c_p
//! and L_v are QTCM1's ([`crate::physics::constants`]). The neutral drag coefficient of a surface with roughness z₀ is the
//! Deardorff (1972) / CCM1 form used by QTCM1 (`bndinit`),
//!
//! C_DN = 1/[ln(0.025 h_PBL/z₀)/κ + 8.4]²,   h_PBL = 2000 m, κ = 0.4,
//!
//! and QTCM1 v2.3's boundary-layer defaults fix the open-ocean value at 1.1e-3 and double the
//! land values for mountain drag ([`SurfaceType::drag_coefficient`]).
//!
//! **Stable surface layers.** QTCM1 limits the sensible heat flux into the ocean to
//! H ≥ −5 W m⁻², a clamp. Here the transfer coefficients of a stable surface layer (air
//! warmer than the surface) fall with the bulk Richardson number, as turbulence does
//! (Louis 1979, the "long-tail" form used for stable layers),
//!
//! C = C_N/(1 + 10 Ri_B),   Ri_B = g z_r (T_a − Tₛ)⁺/(Tₛ |V|²),   z_r = 10 m,
//!
//! applied to heat, moisture and momentum alike (C_N the neutral coefficient; unstable
//! layers keep C_N). The downward heat flux then grows monotonically with T_a − Tₛ towards
//! ρ_a c_p C_N |V|³ Tₛ/(10 g z_r) (32 W m⁻² over a 260 K ocean at the 4.5 m s⁻¹ gustiness
//! floor): bounded by the physics, monotone (so the coupled surface stays stable), smooth
//! except for the ⁺ at neutral stratification, whose gradient is the 0/1 subgradient in both
//! forward and reverse mode.
//!
//! Shapes: grid fields `[1, nlat, nlon]` (any 3-D shape works: everything is elementwise).
//!
//! # References
//! Deardorff, J. W. (1972), Mon. Wea. Rev. 100, 93–106; Neelin & Zeng (2000), J. Atmos. Sci.
//! 57, 1741–1766, §5; Large, W. G. & Pond, S. (1981), J. Phys. Oceanogr. 11, 324–336
//! (C_D ≈ 1.2e-3 over the ocean for moderate winds); QTCM1 v2.3 `sflux.F90`, `abl.F90`.

use crate::physics::constants::{CP_AIR, LATENT_HEAT_VAPOUR};
use crate::physics::thermo::qsat;
pub use crate::physics::SurfaceAir;
use burn_tensor::{backend::Backend, Tensor};

/// Air density ρ_a (kg m⁻³), QTCM1's value.
pub const AIR_DENSITY: f64 = 1.2;
/// Gustiness floor V_min (m s⁻¹), QTCM1 v2.3's `VVsmin`.
pub const MIN_WIND: f64 = 4.5;
/// Reference height z_r of the bulk formulae (m).
pub const REFERENCE_HEIGHT: f64 = 10.0;

/// The four surface types of the exchange grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurfaceType {
    /// Ice-free ocean.
    OpenOcean,
    /// Sea ice (and its snow).
    SeaIce,
    /// Ice-free land (vegetated or bare); its roughness comes from the boundary data.
    Land,
    /// Ice sheets (Greenland, Antarctica).
    LandIce,
}

/// Neutral drag coefficient 1/[ln(0.025 h_PBL/z₀)/κ + 8.4]² for roughness length z₀ (m).
pub fn neutral_drag(z0: f64) -> f64 {
    let x = (0.025 * 2000.0 / z0).ln() / 0.4 + 8.4;
    1.0 / (x * x)
}

impl SurfaceType {
    /// The transfer coefficient C_D (1) of the surface type; for land, `z0` is the
    /// roughness length (m) from the boundary data (QTCM1: forest 2, grass 0.1, desert 0.05)
    /// and the coefficient is doubled (QTCM1 v2.3 ABL, "mountain drag"). Sea ice and land ice
    /// use z₀ = 1 mm (smooth ice with snow).
    pub fn drag_coefficient(self, z0: f64) -> f64 {
        match self {
            SurfaceType::OpenOcean => 1.1e-3,
            SurfaceType::SeaIce | SurfaceType::LandIce => neutral_drag(1e-3),
            SurfaceType::Land => 2.0 * neutral_drag(z0),
        }
    }
}

/// Fluxes from the surface into the atmosphere (upward positive), each `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct SurfaceFluxes<B: Backend> {
    /// Sensible heat H (W m⁻²).
    pub sensible: Tensor<B, 3>,
    /// Evaporation (or sublimation) E (kg m⁻² s⁻¹).
    pub evaporation: Tensor<B, 3>,
    /// Eastward stress of the air on the surface τ_x (N m⁻²).
    pub stress_x: Tensor<B, 3>,
    /// Northward stress τ_y (N m⁻²).
    pub stress_y: Tensor<B, 3>,
}

impl<B: Backend> SurfaceFluxes<B> {
    /// Latent heat L_v E (W m⁻²).
    pub fn latent(&self) -> Tensor<B, 3> {
        self.evaporation.clone() * LATENT_HEAT_VAPOUR
    }

    /// Σᵢ fᵢ Fᵢ: the area-weighted combination of per-type fluxes with fractions fᵢ (1)
    /// that sum to 1 in every cell.
    pub fn combine(parts: Vec<(Tensor<B, 3>, SurfaceFluxes<B>)>) -> SurfaceFluxes<B> {
        let mut it = parts.into_iter();
        let (f0, first) = it.next().expect("at least one surface type");
        let scale = |x: SurfaceFluxes<B>, f: Tensor<B, 3>| SurfaceFluxes {
            sensible: x.sensible * f.clone(),
            evaporation: x.evaporation * f.clone(),
            stress_x: x.stress_x * f.clone(),
            stress_y: x.stress_y * f,
        };
        it.fold(scale(first, f0), |acc, (f, x)| {
            let x = scale(x, f);
            SurfaceFluxes {
                sensible: acc.sensible + x.sensible,
                evaporation: acc.evaporation + x.evaporation,
                stress_x: acc.stress_x + x.stress_x,
                stress_y: acc.stress_y + x.stress_y,
            }
        })
    }
}

/// The bulk transfer coefficient ρ_a C |V| (kg m⁻² s⁻¹) of a surface with temperature `ts`
/// (K) and neutral coefficient `cd`, with the stable-layer factor 1/(1 + 10 Ri_B) and the bulk
/// Richardson number Ri_B = g z_r max(T_a − Tₛ, 0)/(Tₛ |V|²) for gravity `gravity` (m s⁻², the
/// model file's `planet.gravity`): the fluxes are H = ρ_a C|V| c_p (Tₛ − T_a),
/// E = ρ_a C|V| β (q_sat(Tₛ) − q_a), **τ** = ρ_a C|V| **v**ₛ.
pub fn transfer_coefficient<B: Backend>(
    air: &SurfaceAir<B>,
    ts: Tensor<B, 3>,
    cd: f64,
    gravity: f64,
) -> Tensor<B, 3> {
    let speed2 = air.u.clone().powi_scalar(2) + air.v.clone().powi_scalar(2) + MIN_WIND * MIN_WIND;
    let richardson = (air.temperature.clone() - ts.clone()).clamp_min(0.0)
        * (gravity * REFERENCE_HEIGHT)
        / (ts * speed2.clone());
    // 1/x by division, not `recip`: burn-ndarray's f32 `recip` is the ~12-bit SIMD estimate.
    let denominator = richardson * 10.0 + 1.0;
    let stability = denominator.ones_like() / denominator;
    speed2.sqrt() * stability * (AIR_DENSITY * cd)
}

/// Bulk fluxes over one surface type with transfer coefficient `cd` (1), surface
/// temperature `ts` (K), wetness `beta` (1) and gravity `gravity` (m s⁻²), see the module docs.
pub fn bulk_fluxes<B: Backend>(
    air: &SurfaceAir<B>,
    ts: Tensor<B, 3>,
    beta: Tensor<B, 3>,
    cd: f64,
    gravity: f64,
) -> SurfaceFluxes<B> {
    let rcv = transfer_coefficient(air, ts.clone(), cd, gravity);
    SurfaceFluxes {
        sensible: rcv.clone() * (ts.clone() - air.temperature.clone()) * CP_AIR,
        evaporation: rcv.clone() * beta * (qsat(ts) - air.humidity.clone()),
        stress_x: rcv.clone() * air.u.clone(),
        stress_y: rcv * air.v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{tensor_from_vec, to_vec_f64, Cpu64};

    /// The model files' gravity (m s⁻²).
    const G: f64 = 9.80616;

    fn t(v: Vec<f64>) -> Tensor<Cpu64, 3> {
        let n = v.len();
        tensor_from_vec(v, [1, 1, n], &Default::default())
    }

    #[test]
    fn drag_coefficients_match_qtcm() {
        // QTCM1 bndinit: ocean (z₀ = 2.4 mm) 9.039e-4, forest 3.697e-3, grass 1.745e-3,
        // desert 1.518e-3.
        for (z0, cd) in [
            (0.0024, 9.039e-4),
            (2.0, 3.697e-3),
            (0.1, 1.745e-3),
            (0.05, 1.518e-3),
        ] {
            assert!(
                (neutral_drag(z0) / cd - 1.0).abs() < 1e-3,
                "{z0}: {}",
                neutral_drag(z0)
            );
        }
        assert_eq!(SurfaceType::OpenOcean.drag_coefficient(0.0), 1.1e-3);
        assert!((SurfaceType::Land.drag_coefficient(2.0) - 7.394e-3).abs() < 1e-5);
    }

    #[test]
    fn fluxes_have_the_right_signs_and_sizes() {
        // 10 m/s wind, sea 2 K warmer than the air, air at 80 % of saturation at 298 K.
        let qa = 0.8 * to_vec_f64(qsat(t(vec![298.0])))[0];
        let air = SurfaceAir {
            temperature: t(vec![298.0, 300.0]),
            humidity: t(vec![qa, qa]),
            u: t(vec![10.0, 0.0]),
            v: t(vec![0.0, 0.0]),
        };
        let f = bulk_fluxes(&air, t(vec![300.0, 298.0]), t(vec![1.0, 1.0]), 1.1e-3, G);
        let h = to_vec_f64(f.sensible.clone());
        let le = to_vec_f64(f.latent());
        let tx = to_vec_f64(f.stress_x);
        let speed = (100.0f64 + MIN_WIND * MIN_WIND).sqrt();
        assert!((h[0] - 1.2 * 1004.0 * 1.1e-3 * speed * 2.0).abs() < 1e-9);
        // Stable case: air warmer than the surface → downward sensible heat, no floor, reduced
        // by the stability function 1/(1 + 10 Ri_B).
        let ri = G * 10.0 * 2.0 / (298.0 * MIN_WIND * MIN_WIND);
        assert!((h[1] + 1.2 * 1004.0 * 1.1e-3 * MIN_WIND * 2.0 / (1.0 + 10.0 * ri)).abs() < 1e-9);
        // Latent heat over a warm tropical sea with 10 m/s wind: O(100–300) W m⁻².
        assert!((100.0..300.0).contains(&le[0]), "{le:?}");
        assert!((tx[0] - 1.2 * 1.1e-3 * speed * 10.0).abs() < 1e-12);
        // A dry surface (β = 0) does not evaporate.
        let dry = bulk_fluxes(&air, t(vec![300.0, 298.0]), t(vec![0.0, 0.0]), 1.1e-3, G);
        assert_eq!(to_vec_f64(dry.evaporation), vec![0.0, 0.0]);
    }

    #[test]
    fn stable_layers_bound_the_downward_heat_flux_monotonically() {
        // Air 0…60 K warmer than a 260 K surface at the gustiness floor: the downward flux
        // grows monotonically and stays below ρ c_p C_D |V|³ Tₛ/(10 g z_r).
        let n = 61;
        let ta: Vec<f64> = (0..n).map(|k| 260.0 + k as f64).collect();
        let air = SurfaceAir {
            temperature: t(ta),
            humidity: t(vec![0.001; n]),
            u: t(vec![0.0; n]),
            v: t(vec![0.0; n]),
        };
        let f = bulk_fluxes(&air, t(vec![260.0; n]), t(vec![1.0; n]), 1.1e-3, G);
        let h = to_vec_f64(f.sensible);
        let bound = 1.2 * 1004.0 * 1.1e-3 * MIN_WIND.powi(3) * 260.0 / (10.0 * G * 10.0);
        assert_eq!(h[0], 0.0);
        for k in 1..n {
            assert!(
                h[k] < h[k - 1] && -h[k] < bound,
                "{k}: {} (bound {bound})",
                h[k]
            );
        }
        assert!(-h[n - 1] > 0.8 * bound, "{} vs {bound}", h[n - 1]);
    }

    #[test]
    fn combination_is_area_weighted() {
        let air = SurfaceAir {
            temperature: t(vec![280.0]),
            humidity: t(vec![0.005]),
            u: t(vec![5.0]),
            v: t(vec![-3.0]),
        };
        let ocean = bulk_fluxes(&air, t(vec![285.0]), t(vec![1.0]), 1.1e-3, G);
        let ice = bulk_fluxes(&air, t(vec![260.0]), t(vec![1.0]), neutral_drag(1e-3), G);
        let h_o = to_vec_f64(ocean.sensible.clone())[0];
        let h_i = to_vec_f64(ice.sensible.clone())[0];
        let all = SurfaceFluxes::combine(vec![(t(vec![0.3]), ocean), (t(vec![0.7]), ice)]);
        assert!((to_vec_f64(all.sensible)[0] - (0.3 * h_o + 0.7 * h_i)).abs() < 1e-12);
    }
}
