//! The spherical-harmonic transform engine (knows nothing of the atmosphere).
//!
//! - [`legendre`]: normalised associated Legendre functions (orthonormal on [−1, 1], no
//!   Condon–Shortley phase) and their meridional derivatives, on the host in f64.
//! - [`transform`]: [`SpectralTransform`], analysis/synthesis as batched matrix products,
//!   derivatives, (inverse) Laplacian, vorticity/divergence ↔ winds, hyperdiffusion, filters.
//! - [`shallow_water`]: a spectral shallow-water model on the sphere (semi-implicit leapfrog
//!   with a Robert–Asselin–Williams filter) that validates the engine against Williamson et al.
//!   (1992) and is reused by the atmosphere's dynamics.

pub mod legendre;
pub mod shallow_water;
pub mod transform;
pub mod williamson;

pub use shallow_water::{ShallowWaterConfig, ShallowWaterModel, ShallowWaterState};
pub use transform::{SpectralError, SpectralTransform};

#[cfg(test)]
mod tests;
