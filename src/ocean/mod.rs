//! The ocean: a Veros-class hydrostatic Boussinesq primitive-equation model on the spherical
//! Arakawa C-grid (issue 5, in progress).
//!
//! In place so far: [`OceanModel`] (grid metrics, z-levels and the 3-D land–sea masks from the
//! boundary data, as tensors), [`OceanState`] (potential temperature and salinity, initialised
//! from Levitus), the volume integrals used by conservation diagnostics, and the equations of
//! state ([`EquationOfState`]: linear and Vallis 2008) and superbee flux-limited tracer
//! advection ([`superbee_tendency`]) and implicit vertical mixing with convective adjustment
//! ([`VerticalMixing`]). The dynamics
//! (momentum, barotropic streamfunction with the CG solver of [`crate::numerics::cg`],
//! tracer advection and mixing) follow.

pub mod advection;
pub mod eos;
pub mod model;
pub mod state;
pub mod vertical_mixing;

pub use advection::{superbee_tendency, FaceVelocity};
pub use eos::EquationOfState;
pub use model::{OceanModel, OceanModelError};
pub use state::OceanState;
pub use vertical_mixing::VerticalMixing;
