//! The ocean: a Veros-class hydrostatic Boussinesq primitive-equation model on the spherical
//! Arakawa C-grid (issue 5, in progress).
//!
//! - [`OceanModel`]: grid metrics, z-levels, 3-D land–sea masks from the boundary data,
//!   operator coefficients and parameters (`[ocean_physics]` in the model file).
//! - [`OceanState`]: Θ, S, ideal age, baroclinic u and v, the streamfunction ψ and the AB2
//!   memory.
//! - [`step()`]: one synchronous momentum + tracer step ([`step`] module docs give the
//!   scheme); [`OceanForcing`]: surface heat, virtual salt and momentum fluxes.
//! - Pieces: equations of state ([`EquationOfState`]), superbee advection
//!   ([`superbee_tendency`]), implicit vertical mixing with convective adjustment
//!   ([`VerticalMixing`]), momentum terms ([`momentum`]), the rigid-lid streamfunction with
//!   island conditions ([`BarotropicSolver`]).

pub mod advection;
pub mod barotropic;
pub mod diagnostics;
pub mod eos;
pub mod model;
pub mod momentum;
pub mod restoring;
pub mod state;
pub mod step;
pub mod vertical_mixing;

pub use advection::{superbee_tendency, FaceVelocity};
pub use barotropic::{BarotropicError, BarotropicSolver, Island};
pub use diagnostics::{OceanDiagnostics, OceanScalars};
pub use eos::EquationOfState;
pub use model::{OceanModel, OceanModelError, OceanPhysics, CP_OCEAN};
pub use restoring::OceanOnlyForcing;
pub use state::OceanState;
pub use step::{step, OceanForcing, StepReport};
pub use vertical_mixing::VerticalMixing;
