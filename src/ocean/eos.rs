//! Equations of state for the Boussinesq ocean: density anomaly ρ′ = ρ − ρ₀ (kg m⁻³) from
//! potential temperature Θ (°C), salinity S (g kg⁻¹) and depth (m, positive down).
//!
//! - **Linear**: ρ′ = −ρ₀ [β_T (Θ − Θ₀) − β_S (S − S₀)].
//! - **Vallis (2008)**, a simplified nonlinear equation with cabbeling, thermobaricity and
//!   compressibility (Vallis 2006, *Atmospheric and Oceanic Fluid Dynamics*, eq. 1.57; the
//!   form and constants of Veros' `eq_of_state_type = 3`, `nonlinear_eq2`), with z = −depth (m):
//!
//!   ρ′ = −ρ₀ [g z / c_s² + β_T (1 − γ g z ρ₀) Θ′ + (β_T*/2) Θ′² − β_S (S − S₀)],  Θ′ = Θ − Θ₀,
//!
//!   ρ₀ = 1024 kg m⁻³, Θ₀ = 9.85 °C, S₀ = 35 g kg⁻¹, g = 9.81 m s⁻², c_s = 1490 m s⁻¹,
//!   β_T = 1.67e-4 K⁻¹, β_T* = 1e-5 K⁻², β_S = 0.78e-3 (g kg⁻¹)⁻¹, γ = 1.1e-8 Pa⁻¹.
//!
//! Here g = 9.81 m s⁻² is the equation's own constant (it turns depth into pressure,
//! p ≈ ρ₀ g |z|), the `grav = 9.81` of Veros' `nonlinear_eq2` module, so the formula is
//! theirs exactly; the hydrostatic pressure of the momentum equations uses `planet.gravity`
//! (9.80616 m s⁻²).
//!
//! The compressibility term g z/c_s² depends on depth only, so it does not drive flow on
//! z-levels but keeps ρ′ realistic. Inputs `[nz, ny, nx]`, depth `[nz, 1, 1]` (broadcast).
//!
//! # References
//! Vallis, G. K. (2006), *Atmospheric and Oceanic Fluid Dynamics*, Cambridge UP, §1.5;
//! Häfner et al. (2018), Geosci. Model Dev. 11, 3299–3312 (Veros).

use burn_tensor::{backend::Backend, Tensor};

/// Reference density ρ₀ of the Boussinesq approximation (kg m⁻³).
pub use crate::physics::constants::RHO0;

/// The equation of state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EquationOfState {
    /// ρ′ = −ρ₀[β_T(Θ − Θ₀) − β_S(S − S₀)].
    Linear {
        /// Thermal expansion β_T (K⁻¹).
        beta_t: f64,
        /// Haline contraction β_S ((g kg⁻¹)⁻¹).
        beta_s: f64,
        /// Reference temperature Θ₀ (°C).
        theta0: f64,
        /// Reference salinity S₀ (g kg⁻¹).
        s0: f64,
    },
    /// Vallis (2008), constants in the module docs.
    Vallis2008,
}

const THETA0: f64 = 9.85;
const S0: f64 = 35.0;
const GRAV: f64 = 9.81;
const CS: f64 = 1490.0;
const BETA_T: f64 = 1.67e-4;
const BETA_TS: f64 = 1e-5;
const BETA_S: f64 = 0.78e-3;
const GAMMA: f64 = 1.1e-8;

impl EquationOfState {
    /// The linear equation with Veros' constants (β_T = 1.67e-4 K⁻¹, β_S = 0.78e-3, Θ₀ = 9.85 °C, S₀ = 35).
    pub fn linear_default() -> Self {
        EquationOfState::Linear {
            beta_t: BETA_T,
            beta_s: BETA_S,
            theta0: THETA0,
            s0: S0,
        }
    }

    /// Density anomaly ρ′ (kg m⁻³) of Θ (°C) and S (g kg⁻¹) `[nz, ny, nx]` at `depth` (m) `[nz, 1, 1]`.
    pub fn density_anomaly<B: Backend>(
        &self,
        theta: Tensor<B, 3>,
        salt: Tensor<B, 3>,
        depth: Tensor<B, 3>,
    ) -> Tensor<B, 3> {
        match *self {
            EquationOfState::Linear {
                beta_t,
                beta_s,
                theta0,
                s0,
            } => ((theta - theta0) * beta_t - (salt - s0) * beta_s) * (-RHO0),
            EquationOfState::Vallis2008 => {
                let z = depth.neg();
                let tp = theta - THETA0;
                let compress = z.clone() * (GRAV / (CS * CS));
                let thermal = (z * (-GAMMA * GRAV * RHO0) + 1.0) * tp.clone() * BETA_T;
                let cabbeling = tp.clone() * tp * (BETA_TS / 2.0);
                (compress + thermal + cabbeling - (salt - S0) * BETA_S) * (-RHO0)
            }
        }
    }

    /// ∂ρ′/∂Θ (kg m⁻³ K⁻¹) at constant S and depth, `[nz, ny, nx]`.
    pub fn drho_dtheta<B: Backend>(
        &self,
        theta: Tensor<B, 3>,
        depth: Tensor<B, 3>,
    ) -> Tensor<B, 3> {
        match *self {
            EquationOfState::Linear { beta_t, .. } => theta.zeros_like() - RHO0 * beta_t,
            EquationOfState::Vallis2008 => {
                let z = depth.neg();
                ((theta - THETA0) * BETA_TS + (z * (-GAMMA * GRAV * RHO0) + 1.0) * BETA_T) * (-RHO0)
            }
        }
    }

    /// ∂ρ′/∂S (kg m⁻³ (g kg⁻¹)⁻¹) at constant Θ and depth (a constant for both equations).
    pub fn drho_dsalt(&self) -> f64 {
        match *self {
            EquationOfState::Linear { beta_s, .. } => RHO0 * beta_s,
            EquationOfState::Vallis2008 => RHO0 * BETA_S,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{tensor_from_vec, to_vec_f64, Cpu64};

    fn eval(eos: EquationOfState, t: f64, s: f64, depth: f64) -> f64 {
        let d = Default::default();
        let x = |v| tensor_from_vec::<Cpu64, 3>(vec![v], [1, 1, 1], &d);
        to_vec_f64(eos.density_anomaly(x(t), x(s), x(depth)))[0]
    }

    #[test]
    fn check_values() {
        let v = EquationOfState::Vallis2008;
        // At the reference state at the surface ρ′ = 0.
        assert!(eval(v, 9.85, 35.0, 0.0).abs() < 1e-12);
        // 20 °C, 35 g/kg at the surface: −1024 (1.67e-4·10.15 + 0.5e-5·10.15²) = −2.2632064 kg m⁻³.
        assert!(
            (eval(v, 20.0, 35.0, 0.0) + 2.263_206_4).abs() < 1e-9,
            "{}",
            eval(v, 20.0, 35.0, 0.0)
        );
        // Salt adds 1024·0.78e-3 = 0.79872 kg m⁻³ per g/kg.
        assert!((eval(v, 9.85, 36.0, 0.0) - 0.79872).abs() < 1e-12);
        // Compressibility: at 4000 m the reference water is 1024·9.81·4000/1490² = 18.099077 kg m⁻³ denser.
        assert!(
            (eval(v, 9.85, 35.0, 4000.0) - 18.099_076_618).abs() < 1e-8,
            "{}",
            eval(v, 9.85, 35.0, 4000.0)
        );
        let l = EquationOfState::linear_default();
        assert!(
            (eval(l, 20.0, 34.0, 3000.0) - (-1024.0 * (1.67e-4 * 10.15 + 0.78e-3))).abs() < 1e-12
        );
    }

    #[test]
    fn thermobaricity_and_cabbeling() {
        let v = EquationOfState::Vallis2008;
        let d = Default::default();
        let x = |vals: Vec<f64>| tensor_from_vec::<Cpu64, 3>(vals, [2, 1, 1], &d);
        let a = to_vec_f64(v.drho_dtheta(x(vec![5.0, 5.0]), x(vec![0.0, 4000.0])));
        // Water expands more with heat at depth (thermobaricity) ...
        assert!(a[1] < a[0] && a[0] < 0.0);
        // ... and warm water more than cold (cabbeling): |∂ρ/∂Θ| grows with Θ.
        let b = to_vec_f64(v.drho_dtheta(x(vec![0.0, 25.0]), x(vec![0.0, 0.0])));
        assert!(b[1] < b[0]);
        // The derivative matches central differences of the density.
        for (t, z) in [(2.0, 3000.0), (18.0, 100.0)] {
            let e = 1e-4;
            let fd = (eval(v, t + e, 35.0, z) - eval(v, t - e, 35.0, z)) / (2.0 * e);
            let an = to_vec_f64(v.drho_dtheta(x(vec![t, t]), x(vec![z, z])))[0];
            assert!((fd - an).abs() < 1e-8 * an.abs(), "{fd} vs {an}");
        }
        let fd = (eval(v, 4.0, 35.1, 500.0) - eval(v, 4.0, 34.9, 500.0)) / 0.2;
        assert!((fd - v.drho_dsalt()).abs() < 1e-9);
    }
}
