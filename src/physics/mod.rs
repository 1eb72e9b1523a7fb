//! Physical constants, thermodynamics and the surface-air record shared by every component.
//!
//! This module sits below the components (atmosphere, ocean, sea ice, land) and the coupler:
//! each may import it, it imports none of them. Values that a model file may change (planet
//! radius, rotation rate, gravity) live in [`crate::config::PlanetConfig`]; the ones here are
//! fixed by definition or by the published schemes the components follow.
//!
//! - [`constants`]: σ, L_v, L_f, L_s, c_p of air and sea water, ρ₀, T_melt, the calendar.
//! - [`thermo`]: the saturation specific humidity q_sat(T) and its derivative.
//! - [`SurfaceAir`]: the air at the surface, as the atmosphere exports it and every surface
//!   (open ocean, sea ice, land, land ice) receives it through the coupler.

pub mod constants;
pub mod thermo;

use burn_tensor::{backend::Backend, Tensor};

/// The atmosphere's lowest-level state as the surfaces see it (the input of the coupler's bulk
/// formulae, [`crate::coupler::bulk`]), each `[1, nlat, nlon]` (or any one shape).
#[derive(Debug, Clone)]
pub struct SurfaceAir<B: Backend> {
    /// Surface air temperature T_a (K).
    pub temperature: Tensor<B, 3>,
    /// Surface specific humidity q_a (kg kg⁻¹).
    pub humidity: Tensor<B, 3>,
    /// Surface wind, eastward (m s⁻¹).
    pub u: Tensor<B, 3>,
    /// Surface wind, northward (m s⁻¹).
    pub v: Tensor<B, 3>,
}
