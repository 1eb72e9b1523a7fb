//! One ocean time step: tracers, then momentum, then the rigid-lid projection.
//!
//! From state n to n + 1 with one step Δt for momentum and tracers (synchronous):
//!
//! 1. w from continuity of (uⁿ, vⁿ) ([`super::momentum::vertical_velocity`]).
//! 2. Tracers Θ, S and the ideal age: Θ* = Θⁿ + Δt [A(Θⁿ; uⁿ + u*) + ∇·(K_h∇Θⁿ) + R(Θⁿ)] +
//!    Δt Q/(ρ₀c_pΔz₀) (level 0), with superbee advection A ([`super::advection`]) by the
//!    resolved plus the GM bolus velocity u* and the explicit Redi slope terms R, both from
//!    the isoneutral slopes of (Θⁿ, Sⁿ) ([`super::isoneutral`]); S likewise with the salt
//!    flux F_S/Δz₀; the age gains Δt everywhere. Then implicit vertical diffusion with
//!    convective adjustment from (Θ*, S*) plus the Redi K₃₃ ([`super::vertical_mixing`]);
//!    the age is reset to 0 in level 0. Passive tracers take the same steps with no source.
//!    Surface water left below its freezing point T_f = −0.054 S is brought back to T_f
//!    and the heat this needs is reported as the frazil flux ([`StepReport::frazil`]) for
//!    the sea-ice model.
//! 3. Density ρ′ⁿ⁺¹ = ρ′(Θⁿ⁺¹, Sⁿ⁺¹, z) and the hydrostatic pressure pⁿ⁺¹ — the momentum step
//!    uses the new density (forward–backward for internal gravity waves).
//! 4. Momentum: Gⁿ = advection + metric terms + lateral friction of (uⁿ, vⁿ, wⁿ) + the
//!    Coriolis force of the depth-mean flow (ūⁿ, v̄ⁿ), stepped by Adams–Bashforth 2 with
//!    Veros' off-centring ε: (3/2 + ε)Gⁿ − (1/2 + ε)Gⁿ⁻¹ (forward Euler in the first step;
//!    with ε = 0.1 AB2 damps oscillations up to ωΔt ≈ 0.45, above the barotropic Rossby
//!    waves' ω ≤ Ω, ΩΔt = 0.26 at Δt = 1 h). The Coriolis force of the baroclinic flow
//!    (u − ū, v − v̄) — inertial oscillations, f Δt up to 0.53 at 86°N with Δt = 1 h — is
//!    forward–backward: u from the baroclinic vⁿ, then v from the baroclinic part of the new
//!    u, which is neutral for fΔt < 2 and, using only baroclinic parts (which the rigid-lid
//!    projection leaves alone), has exactly the steady states of the continuous equations.
//!    Pressure gradient from pⁿ⁺¹; wind stress τ/(ρ₀Δz₀) in level 0; then implicit vertical
//!    friction κ_M and linear bottom drag r on the deepest wet level ([`implicit_column`]).
//! 5. Rigid lid: the depth mean of (u*, v*) is replaced by the non-divergent ū(ψ) of the
//!    streamfunction solve ([`super::barotropic`]).
//!
//! **Precision.** Every tracer change is formed as an increment (the implicit mixing too, as
//! the solution δ of (I − ΔtD)δ = ΔtD(x + Δ)), and Θ and S are accumulated by compensated
//! (Kahan) summation with the compensation kept in the state ([`compensated_add`]). In f32 a
//! deep-ocean change of 1e-8 K per step is far below half an ulp of Θ (1.2e-7 K at 2 °C) and
//! would be lost by a plain x + Δ; with the compensation it accumulates (tests/suite/ocean_precision.rs
//! compares f32 with f64 over 10 years).
//!
//! With zero surface fluxes, Σ V_T Θ and Σ V_T S change only by round-off: advection and
//! lateral and Redi diffusion are in flux form with closed boundaries, the bolus velocity is
//! non-divergent, vertical mixing conserves every column.
//!
//! # References
//! Häfner et al. (2018), Geosci. Model Dev. 11, 3299–3312 (Veros); Griffies (2004),
//! Fundamentals of Ocean Climate Models, §12 (time stepping).

use super::advection::{superbee_prepared, FaceVelocity, PreparedVelocity};
use super::eos::RHO0;
use super::isoneutral::Isoneutral;
use super::model::{OceanModel, CP_OCEAN};
use super::momentum::{
    advection, coriolis_u, coriolis_v, friction, pressure, pressure_gradient, vertical_velocity,
};
use super::state::OceanState;
use super::vertical_mixing::implicit_column;
use crate::backend::zeros;
use crate::numerics::cg::CgResidual;
use crate::numerics::stencil::{east, north, south, west};
use crate::physics::constants::SECONDS_PER_YEAR;
use burn_tensor::{backend::Backend, Tensor};

/// Surface fluxes into the ocean, each `[ny, nx]` (ARCHITECTURE §6 conventions).
#[derive(Debug, Clone)]
pub struct OceanForcing<B: Backend> {
    /// Net downward heat flux Q (W m⁻²) at T-points, positive warming the ocean.
    pub heat_flux: Tensor<B, 2>,
    /// Virtual salt flux F_S = −S₀(P − E + R) (g kg⁻¹ m s⁻¹) at T-points, positive raising S.
    pub salt_flux: Tensor<B, 2>,
    /// Eastward wind stress τ_x (N m⁻²) at U faces.
    pub tau_x: Tensor<B, 2>,
    /// Northward wind stress τ_y (N m⁻²) at V faces.
    pub tau_y: Tensor<B, 2>,
}

impl<B: Backend> OceanForcing<B> {
    /// No fluxes at all.
    pub fn zero(model: &OceanModel<B>, device: &B::Device) -> Self {
        let [_, ny, nx] = model.shape;
        let z = zeros::<B, 2>([ny, nx], device);
        OceanForcing {
            heat_flux: z.clone(),
            salt_flux: z.clone(),
            tau_x: z.clone(),
            tau_y: z,
        }
    }
}

/// What a step reports besides the new state (all on the device; no host sync).
#[derive(Debug, Clone)]
pub struct StepReport<B: Backend> {
    /// CG iterations and relative residual of the streamfunction solve.
    pub barotropic: CgResidual<B>,
    /// Vertical velocity wⁿ (m s⁻¹) used by the tracer step, `[nz, ny, nx]`.
    pub w: Tensor<B, 3>,
    /// Density anomaly ρ′ⁿ⁺¹ (kg m⁻³), `[nz, ny, nx]`.
    pub density: Tensor<B, 3>,
    /// Frazil heat of this step (J m⁻², ≥ 0), `[ny, nx]`: the heat ρ₀c_pΔz₀(T_f − Θ*) added
    /// to surface water that the step left below its freezing point T_f(S). The sea-ice
    /// model turns it into new ice (ρ_i L_f Δh = frazil); ocean-only runs report its mean
    /// flux, so no heat is created or lost unnoticed.
    pub frazil: Tensor<B, 2>,
}

/// Freezing-point slope μ of sea water (K (g kg⁻¹)⁻¹): T_f = −μ S.
pub const FREEZING_SLOPE: f64 = 0.054;

/// Freezing point of sea water at the surface, T_f = −μS with μ = 0.054 K (g kg⁻¹)⁻¹
/// (−1.89 °C at S = 35; the linearisation used by Bitz & Lipscomb 1999, J. Geophys. Res.
/// 104, 15669; SCIENCE.md §F), any shape.
pub fn freezing_point<B: Backend, const D: usize>(salt: Tensor<B, D>) -> Tensor<B, D> {
    salt * (-FREEZING_SLOPE)
}

/// Lateral diffusion ∇·(K_h∇x) (unit s⁻¹) of a tracer in flux form, zero on dry cells.
pub fn lateral_diffusion<B: Backend>(model: &OceanModel<B>, x: Tensor<B, 3>) -> Tensor<B, 3> {
    let c = &model.consts;
    let fx = (east(x.clone()) - x.clone()) * c.diff_x.clone();
    let fy = (north(x.clone(), 0.0) - x) * c.diff_y.clone();
    (fx.clone() - west(fx) + fy.clone() - south(fy, 0.0)) / c.area_t.clone() * model.mask_t.clone()
}

/// Compensated (Kahan 1965) summation x + Δ: returns the new x and the new compensation c
/// (the low-order part of the sum that x could not hold), y = Δ − c, x⁺ = x + y,
/// c⁺ = (x⁺ − x) − y. Keeps the long-run accumulation of small increments exact to the
/// working precision's round-off per step instead of losing increments below half an ulp of x.
pub fn compensated_add<B: Backend, const D: usize>(
    x: Tensor<B, D>,
    compensation: Tensor<B, D>,
    delta: Tensor<B, D>,
) -> (Tensor<B, D>, Tensor<B, D>) {
    let y = delta - compensation;
    let sum = x.clone() + y.clone();
    let compensation = (sum.clone() - x) - y;
    (sum, compensation)
}

/// The velocities of the state at step n and the AB2 memory, borrowed for [`momentum`].
struct Velocity<'a, B: Backend> {
    u: &'a Tensor<B, 3>,
    v: &'a Tensor<B, 3>,
    du: &'a Tensor<B, 3>,
    dv: &'a Tensor<B, 3>,
    steps: u64,
}

/// The momentum step before the rigid lid, and its AB2 tendencies.
struct Momentum<B: Backend> {
    /// u* and v* after the implicit vertical viscosity and bottom drag (m s⁻¹).
    u: Tensor<B, 3>,
    v: Tensor<B, 3>,
    /// Depth means of u* and v* (m s⁻¹), `[ny, nx]`.
    u_mean: Tensor<B, 2>,
    v_mean: Tensor<B, 2>,
    /// G_u, G_v of this step (advection, friction, barotropic Coriolis; m s⁻²).
    tendency_u: Tensor<B, 3>,
    tendency_v: Tensor<B, 3>,
}

/// Momentum: the Coriolis force on the depth mean (ū, v̄) joins the AB2 tendencies; the one
/// on the baroclinic part (u − ū, v − v̄) is forward–backward; the pressure gradient
/// `px`, `py` of the new tracers; the surface stress and the implicit vertical viscosity and
/// bottom drag.
fn momentum<B: Backend>(
    model: &OceanModel<B>,
    state: Velocity<'_, B>,
    w: Tensor<B, 3>,
    px: Tensor<B, 3>,
    py: Tensor<B, 3>,
    forcing: &OceanForcing<B>,
) -> Momentum<B> {
    let [_, ny, nx] = model.shape;
    let s = &model.physics.settings;
    let dt = model.physics.dt;
    let c = &model.consts;
    let bt = &model.barotropic;
    let depth_mean = |x: Tensor<B, 3>, inv_h: Tensor<B, 2>| -> Tensor<B, 2> {
        (x * model.dz.clone()).sum_dim(0).reshape([ny, nx]) * inv_h
    };
    let u_bar =
        depth_mean(state.u.clone(), bt.inv_h_u.clone()).reshape([1, ny, nx]) * model.mask_u.clone();
    let v_bar =
        depth_mean(state.v.clone(), bt.inv_h_v.clone()).reshape([1, ny, nx]) * model.mask_v.clone();
    let (adv_u, adv_v) = advection(model, state.u.clone(), state.v.clone(), w.clone());
    let (fr_u, fr_v) = friction(model, state.u.clone(), state.v.clone());
    let gu = adv_u + fr_u + coriolis_u(model, v_bar.clone());
    let gv = adv_v + fr_v + coriolis_v(model, u_bar);
    let (ab_u, ab_v) = if state.steps == 0 {
        (gu.clone(), gv.clone())
    } else {
        let (a, b) = (1.5 + s.ab2_epsilon, 0.5 + s.ab2_epsilon);
        (
            gu.clone() * a - state.du.clone() * b,
            gv.clone() * a - state.dv.clone() * b,
        )
    };
    let kappa_u = c.open_top_u.clone() * s.viscosity_v;
    let kappa_v = c.open_top_v.clone() * s.viscosity_v;
    let drag_u = c.bottom_u.clone() * s.bottom_drag;
    let drag_v = c.bottom_v.clone() * s.bottom_drag;
    let tx = c.surface_u.clone() * forcing.tau_x.clone().reshape([1, ny, nx]) * (dt / RHO0);
    let ty = c.surface_v.clone() * forcing.tau_y.clone().reshape([1, ny, nx]) * (dt / RHO0);
    let v_clinic = state.v.clone() - v_bar;
    let u1 = state.u.clone() + (ab_u + px + coriolis_u(model, v_clinic)) * dt + tx;
    let u1 =
        implicit_column(model.dz.clone(), kappa_u, Some(drag_u), dt, u1) * model.mask_u.clone();
    let u1_mean = depth_mean(u1.clone(), bt.inv_h_u.clone());
    let u1_clinic = (u1.clone() - u1_mean.clone().reshape([1, ny, nx])) * model.mask_u.clone();
    let v1 = state.v.clone() + (ab_v + py + coriolis_v(model, u1_clinic)) * dt + ty;
    let v1 =
        implicit_column(model.dz.clone(), kappa_v, Some(drag_v), dt, v1) * model.mask_v.clone();

    let v1_mean = depth_mean(v1.clone(), bt.inv_h_v.clone());
    Momentum {
        u: u1,
        v: v1,
        u_mean: u1_mean,
        v_mean: v1_mean,
        tendency_u: gu,
        tendency_v: gv,
    }
}

/// Advances the ocean by one step Δt = `model.physics.dt` under `forcing`.
pub fn step<B: Backend>(
    model: &OceanModel<B>,
    state: OceanState<B>,
    forcing: &OceanForcing<B>,
) -> (OceanState<B>, StepReport<B>) {
    let [nz, ny, nx] = model.shape;
    let ph = &model.physics;
    let s = &ph.settings;
    let dt = ph.dt;
    let c = &model.consts;

    // 1. Vertical velocity from continuity; GM/Redi slopes of the tracers at step n.
    let w = vertical_velocity(model, state.u.clone(), state.v.clone());
    let eddies = (s.gm_diffusivity > 0.0 || s.isoneutral_diffusivity > 0.0)
        .then(|| Isoneutral::new(model, state.temperature.clone(), state.salinity.clone()));
    let vel = match &eddies {
        Some(e) if s.gm_diffusivity > 0.0 => FaceVelocity {
            u: state.u.clone() + e.bolus_u.clone(),
            v: state.v.clone() + e.bolus_v.clone(),
            w: w.clone() + e.bolus_w.clone(),
        },
        _ => FaceVelocity {
            u: state.u.clone(),
            v: state.v.clone(),
            w: w.clone(),
        },
    };

    // 2. Tracers, advected by the residual (resolved + bolus) velocity.
    let prepared = PreparedVelocity::new(model, &vel, dt);
    let redi = eddies.as_ref().filter(|_| s.isoneutral_diffusivity > 0.0);
    // Every tracer change is formed as an increment Δ (advection and lateral diffusion plus
    // the surface flux, then the implicit vertical mixing of x + Δ as a second increment),
    // so Θ and S can be accumulated with compensated (Kahan) summation: in f32 a deep-ocean
    // change of 1e-8 K per step would otherwise vanish under the rounding of Θ itself.
    let explicit = |x: Tensor<B, 3>| -> Tensor<B, 3> {
        let mut tend =
            superbee_prepared(model, x.clone(), &prepared) + lateral_diffusion(model, x.clone());
        if let Some(e) = redi {
            tend = tend + e.redi_tendency(model, x);
        }
        tend * dt
    };
    let q = forcing.heat_flux.clone().reshape([1, ny, nx]) * (dt / (RHO0 * CP_OCEAN));
    let d_theta = explicit(state.temperature.clone()) + c.surface_t.clone() * q;
    let fs = forcing.salt_flux.clone().reshape([1, ny, nx]) * dt;
    let d_salt = explicit(state.salinity.clone()) + c.surface_t.clone() * fs;
    let d_age = explicit(state.age.clone()) + model.mask_t.clone() * (dt / SECONDS_PER_YEAR);
    let mixing = ph.vertical_mixing();
    let theta_star = state.temperature.clone() + d_theta.clone();
    let salt_star = state.salinity.clone() + d_salt.clone();
    let mut kappa = mixing.face_diffusivity(model, &ph.eos, theta_star, salt_star, c.z_top.clone());
    if let Some(e) = redi {
        kappa = kappa + e.k33.clone();
    }
    let mix = |x: &Tensor<B, 3>, d: Tensor<B, 3>| {
        d.clone() + mixing.increment(model, x.clone(), d, kappa.clone(), dt)
    };
    let d_theta = mix(&state.temperature, d_theta);
    let d_salt = mix(&state.salinity, d_salt);
    let not_surface = c
        .surface_t
        .clone()
        .ones_like()
        .mask_fill(c.surface_t.clone().greater_elem(0.0), 0.0);
    let age = (state.age.clone() + mix(&state.age, d_age)) * not_surface;
    let passive = state
        .passive
        .iter()
        .map(|x| x.clone() + mix(x, explicit(x.clone())))
        .collect();
    let (salt, salt_comp) = compensated_add(state.salinity, state.salinity_compensation, d_salt);
    // Water below its freezing point in the surface level is warmed back to it; the heat
    // this takes is what a sea-ice model turns into ice (the frazil flux).
    let theta0 = (state.temperature.clone() + d_theta.clone()).narrow(0, 0, 1);
    let deficit = (freezing_point(salt.clone().narrow(0, 0, 1)) - theta0).clamp_min(0.0)
        * model.mask_t.clone().narrow(0, 0, 1);
    let d_theta = d_theta + deficit.clone() * c.surface_t.clone() * model.levels.dz[0];
    let frazil = deficit.reshape([ny, nx]) * (RHO0 * CP_OCEAN * model.levels.dz[0]);
    let (theta, theta_comp) =
        compensated_add(state.temperature, state.temperature_compensation, d_theta);

    // 3. Density and hydrostatic pressure of the new tracers.
    let rho = ph
        .eos
        .density_anomaly(theta.clone(), salt.clone(), c.z_t.clone())
        * model.mask_t.clone();
    let p = pressure(model, rho.clone());
    let (px, py) = pressure_gradient(model, p);

    // 4. Momentum (before the rigid lid).
    let bt = &model.barotropic;
    let velocity = Velocity {
        u: &state.u,
        v: &state.v,
        du: &state.du,
        dv: &state.dv,
        steps: state.steps,
    };
    let m = momentum(model, velocity, w.clone(), px, py, forcing);
    let (u1, v1, u1_mean) = (m.u, m.v, m.u_mean);
    let (gu, gv) = (m.tendency_u, m.tendency_v);

    // 5. Rigid lid.
    let v1_mean = m.v_mean;
    let sol = bt.solve(
        u1_mean.clone(),
        v1_mean.clone(),
        state.psi_dirichlet.clone(),
    );
    let u = (u1 + (sol.u_mean - u1_mean).reshape([1, ny, nx])) * model.mask_u.clone();
    let v = (v1 + (sol.v_mean - v1_mean).reshape([1, ny, nx])) * model.mask_v.clone();
    debug_assert_eq!(u.dims(), [nz, ny, nx]);

    (
        OceanState {
            temperature: theta,
            salinity: salt,
            temperature_compensation: theta_comp,
            salinity_compensation: salt_comp,
            age,
            passive,
            u,
            v,
            du: gu,
            dv: gv,
            psi: sol.psi,
            psi_dirichlet: sol.psi_dirichlet,
            steps: state.steps + 1,
        },
        StepReport {
            barotropic: sol.residual,
            w,
            density: rho,
            frazil,
        },
    )
}
