//! The atmosphere's component interface: what the coupler needs of any atmosphere, and
//! QTCM1 ([`Qtcm`]) as its first implementation.
//!
//! One step of an atmosphere in the coupled model is: the columns of the physics' time level
//! ([`Atmosphere::columns`]) and their lowest level as the surfaces see it
//! ([`Atmosphere::surface_air`]) → the coupler's surface exchange → physics and dynamics with
//! that surface input under the external forcing ([`Atmosphere::step`]). Every atmosphere has
//! its static model (`Self`), its own state type ([`Atmosphere::State`], restart variables by
//! name through [`Atmosphere::visit`]) and the time step it owns ([`Atmosphere::dt`]); the
//! state goes in and comes out, the forcing is an argument.
//!
//! **Why a trait, not an enum.** The coupled model is generic over its atmosphere
//! (`CoupledModel<B, A: Atmosphere<B>>`): the coupler's step is compiled once per atmosphere
//! with static dispatch, each atmosphere keeps its own state and restart variables, and
//! nothing in the coupler matches on atmosphere kinds. The choice of atmosphere from the
//! model file is made once, at the top of a run, the way the backend is
//! ([`crate::backend::dispatch`]); an enum would put that choice into every call of the step.

use super::dynamics::{AtmosGrid, AtmosModel, AtmosState};
use super::physics::{AtmosDiagnostics, AtmosPhysics, PhysicsForcing, SurfaceInput};
use crate::forcing::orbit::Orbit;
use crate::io::fields::FieldVisitor;
use crate::physics::SurfaceAir;
use burn_tensor::{backend::Backend, Tensor};

/// What the coupler needs of an atmosphere (module docs). Grid fields are `[1, nlat, nlon]`
/// on the Gaussian grid.
pub trait Atmosphere<B: Backend>: Clone + std::fmt::Debug {
    /// The prognostic state.
    type State: Clone + std::fmt::Debug;
    /// The grid columns of the physics' time level, shared by the surface air and the
    /// physics of one step.
    type Columns;

    /// Time step Δt_a (s).
    fn dt(&self) -> f64;
    /// Steps taken by `state` (0 for a cold start, whose first step is a forward half step:
    /// the surfaces receive its fluxes for Δt_a/2).
    fn steps(state: &Self::State) -> usize;
    /// The columns of the physics' time level of `state`.
    fn columns(&self, state: &Self::State) -> Self::Columns;
    /// The lowest level of `columns` as the surfaces see it.
    fn surface_air(&self, columns: &Self::Columns) -> SurfaceAir<B>;
    /// The external forcing of a physics call on day `day` (0 = 1 January 00:00) with CO₂
    /// `co2` (ppm) and `orbit`.
    fn forcing(&self, co2: f64, orbit: &Orbit, day: f64, device: &B::Device) -> PhysicsForcing<B>;
    /// Physics with the surface input `surface` under `forcing`, then the dynamics: the next
    /// state and the step's diagnostics.
    fn step(
        &self,
        state: Self::State,
        columns: &Self::Columns,
        air: &SurfaceAir<B>,
        surface: &SurfaceInput<B>,
        forcing: &PhysicsForcing<B>,
    ) -> (Self::State, AtmosDiagnostics<B>);
    /// Global means of the column energy (moist enthalpy and kinetic energy, J m⁻²) and
    /// water (kg m⁻²) of `state`, each `[1]`, as the budget counts them.
    fn column_stores(&self, state: &Self::State) -> [Tensor<B, 1>; 2];
    /// The restart variables of `state`, by name.
    fn visit(state: &mut Self::State, v: &mut impl FieldVisitor<B>);
}

/// QTCM1: the spectral dynamics of the barotropic and first baroclinic modes
/// ([`AtmosModel`]) and its column physics ([`AtmosPhysics`]).
#[derive(Debug, Clone)]
pub struct Qtcm<B: Backend> {
    /// Dynamics.
    pub dynamics: AtmosModel<B>,
    /// Column physics.
    pub physics: AtmosPhysics<B>,
}

impl<B: Backend> Atmosphere<B> for Qtcm<B> {
    type State = AtmosState<B>;
    type Columns = AtmosGrid<B>;

    fn dt(&self) -> f64 {
        self.dynamics.dt
    }

    fn steps(state: &AtmosState<B>) -> usize {
        state.step
    }

    fn columns(&self, state: &AtmosState<B>) -> AtmosGrid<B> {
        self.dynamics.grid_fields(state.physics_level())
    }

    fn surface_air(&self, columns: &AtmosGrid<B>) -> SurfaceAir<B> {
        self.dynamics.surface_air(columns)
    }

    fn forcing(&self, co2: f64, orbit: &Orbit, day: f64, device: &B::Device) -> PhysicsForcing<B> {
        self.physics.forcing(co2, orbit, day, device)
    }

    fn step(
        &self,
        state: AtmosState<B>,
        columns: &AtmosGrid<B>,
        air: &SurfaceAir<B>,
        surface: &SurfaceInput<B>,
        forcing: &PhysicsForcing<B>,
    ) -> (AtmosState<B>, AtmosDiagnostics<B>) {
        let out = self
            .physics
            .compute(&self.dynamics, columns, air, surface, forcing);
        let next = self.dynamics.step(state, Some(&out.forcing));
        (next, out.diagnostics)
    }

    /// The mean of the two leapfrog levels (the budget-consistent state).
    fn column_stores(&self, state: &AtmosState<B>) -> [Tensor<B, 1>; 2] {
        let budget = |x: &Tensor<B, 4>| {
            let (h, ke, w) = self.dynamics.column_stores(x);
            [h + ke, w]
        };
        let [ha, wa] = budget(&state.previous);
        let [hb, wb] = budget(&state.current);
        [(ha + hb) * 0.5, (wa + wb) * 0.5]
    }

    fn visit(state: &mut AtmosState<B>, v: &mut impl FieldVisitor<B>) {
        state.visit(v);
    }
}
