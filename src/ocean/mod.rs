//! The ocean: a Veros-class hydrostatic Boussinesq primitive-equation model on the spherical
//! Arakawa C-grid (issue 5, in progress).
//!
//! - [`OceanModel`]: grid metrics, z-levels, 3-D land–sea masks from the boundary data,
//!   operator coefficients and parameters (`[ocean_physics]` in the model file).
//! - [`OceanState`]: Θ, S, ideal age, baroclinic u and v, the streamfunction ψ and the AB2
//!   memory.
//! - [`step()`]: one synchronous momentum + tracer step ([`step`](mod@step) module docs give the
//!   scheme); [`OceanForcing`]: surface heat, virtual salt and momentum fluxes.
//! - [`OceanOnlyForcing`]: the ocean-only mode's COADS stress and labelled restoring;
//!   [`OceanDiagnostics`]: overturning per basin, Drake Passage transport, heat and salt.
//! - Pieces: equations of state ([`EquationOfState`]), superbee advection
//!   ([`superbee_tendency`]), implicit vertical mixing with convective adjustment
//!   ([`VerticalMixing`]), GM eddy advection and Redi isoneutral diffusion with slope
//!   tapering ([`Isoneutral`]), momentum terms ([`momentum`]), the rigid-lid streamfunction with
//!   island conditions ([`BarotropicSolver`]).

//! # Latitude range, polar treatment and time steps
//!
//! Rows run from 80°S (land: Antarctica, which carries ψ = 0) to 88°N, so the Arctic is
//! included; the northern edge is a wall (an island of the streamfunction). The converging
//! meridians are handled without a filter: the lateral viscosity is latitude-scaled,
//! A_h(φ) = A_h cos²φ (`viscosity_cos_power`), which keeps the explicit friction's stability
//! number constant in x; the Coriolis force of the baroclinic flow is forward–backward and that
//! of the depth-mean flow AB2 ([`step`](mod@step) module docs). Stability numbers at the T31 default
//! (Δt = 3600 s for momentum and tracers alike; Δx from 417 km at the equator to 27.3 km on the
//! 86.25°N row, Δy = 389 km):
//!
//! | process | number at Δt = 1 h | limit of the scheme |
//! |---|---|---|
//! | inertial, f Δt (86.25°N) | 0.52 | 2 (forward–backward) |
//! | barotropic Rossby waves, ω Δt ≤ Ω Δt | 0.26 | 0.45 (AB2, ε = 0.1, damped below) |
//! | advection, u Δt/Δx at 0.5 m s⁻¹ on the 27 km row | 0.07 | 1 (superbee TVD) |
//! | internal gravity waves, c₁ Δt/Δx at 3 m s⁻¹ on the 27 km row | 0.40 | ≈ 0.7 (forward–backward, 2-D) |
//! | lateral friction, 4A_h Δt(1/Δx² + 1/Δy²) | 0.27 | ≈ 0.9 (AB2, ε = 0.1, real axis) |
//! | lateral tracer diffusion, 4K_h Δt/Δx² (27 km) | 0.02 | 0.5 (forward Euler) |
//! | vertical mixing, friction, convection | any | implicit |
//!
//! There are no external gravity waves (rigid lid). A one-year T31 run at Δt = 1 h stays finite
//! (`cargo test --release --test suite -- ocean_step:: --ignored`); at Δt = 2 h the same run grew
//! unstable after about 200 days (maximum speed 0.3 → 1.5 m s⁻¹ between days 150 and 210),
//! consistent with Ω Δt = 0.52 leaving AB2's damped range and the Arctic internal-wave number
//! reaching ≈ 0.8, so 1 h is the default.

pub mod advection;
pub mod barotropic;
pub mod diagnostics;
pub mod eos;
pub mod isoneutral;
pub mod model;
pub mod momentum;
pub mod restoring;
pub mod state;
pub mod step;
pub mod variables;
pub mod vertical_mixing;

pub use advection::{superbee_tendency, FaceVelocity};
pub use barotropic::{BarotropicError, BarotropicSolver, Island};
pub use diagnostics::{OceanDiagnostics, OceanScalars};
pub use eos::EquationOfState;
pub use isoneutral::Isoneutral;
pub use model::{OceanModel, OceanModelError, OceanPhysics, CP_OCEAN};
pub use restoring::OceanOnlyForcing;
pub use state::OceanState;
pub use step::{compensated_add, freezing_point, step, OceanForcing, StepReport, FREEZING_SLOPE};
pub use vertical_mixing::VerticalMixing;
