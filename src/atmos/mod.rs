//! The atmosphere: QTCM1 (Neelin & Zeng 2000) made global on the spherical-harmonic engine.
//!
//! - [`qtcm`]: the vertical-structure constants of QTCM1 v2.3 (mode projections, advection
//!   interaction coefficients, gross stabilities, reference profiles).
//! - [`dynamics`]: [`AtmosModel`] and [`AtmosState`]: the barotropic vorticity and the first
//!   baroclinic mode (vorticity, divergence, T₁, q₁) in spherical harmonics, semi-implicit
//!   leapfrog with a Robert–Asselin–Williams filter.
//! - [`convection`]: Betts–Miller convection on mode 1 (nonlinear T₁c closure by Newton).
//! - [`radiation`]: QTCM1's diagnostic clouds, Fu–Liou-fitted shortwave and the longwave made
//!   valid over the globe's temperatures.
//! - [`physics`]: the column physics driver ([`AtmosPhysics`]): convection, condensation,
//!   clouds, radiation and dissipation heating → [`AtmosForcing`] and the output diagnostics.
//!
//! Physics (Betts–Miller convection, clouds and radiation, surface fluxes through the coupler)
//! enters the dynamics as column heating, moistening and surface stress ([`AtmosForcing`]).

pub mod component;
pub mod convection;
pub mod dynamics;
pub mod physics;
pub mod qtcm;
pub mod radiation;
pub mod variables;

pub use component::{Atmosphere, Qtcm};
pub use convection::Convection;
pub use dynamics::{AtmosForcing, AtmosGrid, AtmosModel, AtmosState, DynamicsSwitches, SurfaceAir};
pub use physics::{AtmosDiagnostics, AtmosPhysics, PhysicsForcing, PhysicsOutput, SurfaceInput};
