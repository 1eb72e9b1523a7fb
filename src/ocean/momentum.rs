//! Baroclinic momentum tendencies on the C-grid: flux-form advection with the spherical
//! metric term, Coriolis, the hydrostatic pressure gradient and harmonic lateral friction.
//!
//! All velocities are `[nz, ny, nx]` (u at U faces, v at V faces, zero where dry); w (m s⁻¹,
//! positive up) sits on the top face of every T cell. Notation: Δx_T, Δx_V, Δy, A_T as in
//! [`crate::grid::ocean`]; per-level transports U = uΔy, V = vΔx_V, W = wA_T.
//!
//! **Advection** (flux form, second-order centred as in Veros' `momentum_advection`):
//! for u, fluxes ½(U_i + U_{i+1})·½(u_i + u_{i+1}) through the U cell's east side,
//! ½(V_i + V_{i+1})·½(u_j + u_{j+1}) through its north side and ½(W_i + W_{i+1})·½(u_k + u_{k−1})
//! through its top, divided by the cell's area A_T (and Δz for the vertical part); likewise
//! for v. The spherical metric terms ∂u/∂t ⊃ u v̄ tanφ/a, ∂v/∂t ⊃ −ū² tanφ/a use
//! four-point averages.
//!
//! **Coriolis** (energy-neutral C-grid average): with pair coefficients
//! c_N(j) = f(φ_{j+¼})·½(Δx_{T,j} + Δx_{V,j}) (U row j with V row j) and
//! c_S(j) = f(φ_{j−¼})·½(Δx_{T,j} + Δx_{V,j−1}) (U row j with V row j − 1),
//!
//! a_u = [c_N(j)(v_{j,i} + v_{j,i+1}) + c_S(j)(v_{j−1,i} + v_{j−1,i+1})] / (4Δx_{T,j}),
//! a_v = −[c_N(j)(u_{j,i} + u_{j,i−1}) + c_S(j+1)(u_{j+1,i} + u_{j+1,i−1})] / (4Δx_{V,j}),
//!
//! so Σ A_U u a_u + Σ A_V v a_v = 0 exactly (no energy from the Coriolis force). It is stepped
//! forward–backward (u from vⁿ, then v from the new u), which is neutral for f Δt < 2.
//!
//! **Pressure**: the hydrostatic pressure at T-points, p_k/ρ₀ = (g/ρ₀)[Σ_{k′<k} ρ′_{k′}Δz_{k′} +
//! ρ′_k Δz_k/2], and −∂_x p/ρ₀ = −(p_{i+1} − p_i)/(ρ₀Δx_T), −∂_y p/ρ₀ = −(p_{j+1} − p_j)/(ρ₀Δy)
//! on wet faces. The surface pressure is the rigid lid's ([`super::barotropic`]).
//!
//! **Lateral friction**: ∂u/∂t ⊃ ∇·(A_h∇u) per component in flux form with
//! A_h(φ) = A_h cosᵖφ at every flux point. Coasts are free slip by default (fluxes only
//! between two wet velocity points, as Veros); with `no_slip = true` the flux across a coast
//! parallel to the component (u across zonal coasts, v across meridional ones) uses a
//! mirrored ghost velocity, so the tangential velocity vanishes on the coast itself.
//!
//! # References
//! Arakawa & Lamb (1977), Methods Comput. Phys. 17, 173–265 (C-grid); Häfner et al. (2018),
//! Geosci. Model Dev. 11, 3299–3312 (Veros); Griffies (2004), Fundamentals of Ocean Climate
//! Models, §7 (hydrostatic pressure), §17 (friction).

use super::model::OceanModel;
use crate::numerics::stencil::{east, next, north, previous, south, west};
use burn_tensor::{backend::Backend, Tensor};

/// `x[k−1]` along the first dimension, `fill` in level 0.
pub fn above<B: Backend>(x: Tensor<B, 3>, fill: f64) -> Tensor<B, 3> {
    previous(x, 0, fill)
}

/// `x[k+1]` along the first dimension, `fill` below the last level.
pub fn below<B: Backend>(x: Tensor<B, 3>, fill: f64) -> Tensor<B, 3> {
    next(x, 0, fill)
}

/// Momentum advection with the metric terms (m s⁻²) at U and V faces, `[nz, ny, nx]` each.
pub fn advection<B: Backend>(
    model: &OceanModel<B>,
    u: Tensor<B, 3>,
    v: Tensor<B, 3>,
    w: Tensor<B, 3>,
) -> (Tensor<B, 3>, Tensor<B, 3>) {
    let c = &model.consts;
    let m = &model.metrics;
    let ut = u.clone() * m.dy;
    let vt = v.clone() * c.dx_v.clone();
    let wt = w * c.area_t.clone();
    // u
    let fx = (ut.clone() + east(ut.clone())) * (east(u.clone()) + u.clone()) * 0.25;
    let fy = (vt.clone() + east(vt.clone())) * (north(u.clone(), 0.0) + u.clone()) * 0.25;
    let fz = (wt.clone() + east(wt.clone())) * (above(u.clone(), 0.0) + u.clone()) * 0.25;
    let adv_u = ((fx.clone() - west(fx) + fy.clone() - south(fy, 0.0)) / c.area_t.clone()
        + (fz.clone() - below(fz, 0.0)) / (c.area_t.clone() * model.dz.clone()))
    .neg();
    // v
    let gx = (ut.clone() + north(ut, 0.0)) * (east(v.clone()) + v.clone()) * 0.25;
    let gy = (vt.clone() + north(vt, 0.0)) * (north(v.clone(), 0.0) + v.clone()) * 0.25;
    let gz = (wt.clone() + north(wt, 0.0)) * (above(v.clone(), 0.0) + v.clone()) * 0.25;
    let adv_v = ((gx.clone() - west(gx) + gy.clone() - south(gy, 0.0)) * c.inv_area_v.clone()
        + (gz.clone() - below(gz, 0.0)) * c.inv_area_v.clone() / model.dz.clone())
    .neg();
    // Metric terms with four-point averages.
    let v_at_u = (v.clone() + east(v.clone()) + south(v.clone(), 0.0) + south(east(v), 0.0)) * 0.25;
    let u_at_v =
        (u.clone() + west(u.clone()) + north(u.clone(), 0.0) + north(west(u.clone()), 0.0)) * 0.25;
    let met_u = u * v_at_u * c.tan_over_a_t.clone();
    let met_v = u_at_v.clone() * u_at_v * c.tan_over_a_v.clone();
    (
        (adv_u + met_u) * model.mask_u.clone(),
        (adv_v - met_v) * model.mask_v.clone(),
    )
}

/// Coriolis acceleration (m s⁻²) at U faces from v `[nz, ny, nx]`.
pub fn coriolis_u<B: Backend>(model: &OceanModel<B>, v: Tensor<B, 3>) -> Tensor<B, 3> {
    let c = &model.consts;
    let pair = v.clone() + east(v);
    (pair.clone() * c.cor_n.clone() + south(pair, 0.0) * c.cor_s.clone())
        * c.inv_4dx_t.clone()
        * model.mask_u.clone()
}

/// Coriolis acceleration (m s⁻²) at V faces from u `[nz, ny, nx]`.
pub fn coriolis_v<B: Backend>(model: &OceanModel<B>, u: Tensor<B, 3>) -> Tensor<B, 3> {
    let c = &model.consts;
    let pair = u.clone() + west(u);
    let s_pair = pair.clone() * c.cor_s.clone();
    (pair * c.cor_n.clone() + north(s_pair, 0.0)).neg() * c.inv_4dx_v.clone() * model.mask_v.clone()
}

/// Hydrostatic pressure over ρ₀ (m² s⁻²) at T-points from the density anomaly ρ′ (kg m⁻³),
/// `[nz, ny, nx]` in and out.
pub fn pressure<B: Backend>(model: &OceanModel<B>, rho: Tensor<B, 3>) -> Tensor<B, 3> {
    let [nz, ny, nx] = model.shape;
    model
        .consts
        .hydrostatic
        .clone()
        .matmul(rho.reshape([nz, ny * nx]))
        .reshape([nz, ny, nx])
}

/// Pressure-gradient acceleration −∇p/ρ₀ (m s⁻²) at U and V faces from p/ρ₀ at T-points.
pub fn pressure_gradient<B: Backend>(
    model: &OceanModel<B>,
    p: Tensor<B, 3>,
) -> (Tensor<B, 3>, Tensor<B, 3>) {
    let c = &model.consts;
    let gx = (east(p.clone()) - p.clone()) * c.inv_dx_t.clone() * model.mask_u.clone();
    let gy = (north(p.clone(), 0.0) - p) * (1.0 / model.metrics.dy) * model.mask_v.clone();
    (gx.neg(), gy.neg())
}

/// Harmonic lateral friction ∇·(A_h∇u), ∇·(A_h∇v) (m s⁻²) at U and V faces.
pub fn friction<B: Backend>(
    model: &OceanModel<B>,
    u: Tensor<B, 3>,
    v: Tensor<B, 3>,
) -> (Tensor<B, 3>, Tensor<B, 3>) {
    let c = &model.consts;
    // u: x-fluxes at T(j, i+1), y-fluxes at ζ(j, i).
    let fx = (east(u.clone()) - u.clone()) * c.visc_x_t.clone();
    let fy = (north(u.clone(), 0.0) - u) * c.visc_y_z.clone();
    let fu = (fx.clone() - west(fx) + fy.clone() - south(fy, 0.0)) / c.area_t.clone();
    // v: x-fluxes at ζ(j, i), y-fluxes at T(j+1, i).
    let gx = (east(v.clone()) - v.clone()) * c.visc_x_z.clone();
    let gy = (north(v.clone(), 0.0) - v) * c.visc_y_t.clone();
    let fv = (gx.clone() - west(gx) + gy.clone() - south(gy, 0.0)) * c.inv_area_v.clone();
    (fu * model.mask_u.clone(), fv * model.mask_v.clone())
}

/// Vertical velocity w (m s⁻¹, positive up) on the top face of every T cell from continuity,
/// w_k = −Σ_{k′≥k} Δz_{k′} ∇_h·u_{k′} (w = 0 at the sea floor), zero on closed faces and at
/// the surface (where the rigid lid makes it vanish to round-off).
pub fn vertical_velocity<B: Backend>(
    model: &OceanModel<B>,
    u: Tensor<B, 3>,
    v: Tensor<B, 3>,
) -> Tensor<B, 3> {
    let [nz, ny, nx] = model.shape;
    let c = &model.consts;
    let fx = u * model.metrics.dy;
    let fy = v * c.dx_v.clone();
    let div = (fx.clone() - west(fx) + fy.clone() - south(fy, 0.0)) / c.area_t.clone();
    let w = c
        .continuity
        .clone()
        .matmul((div * model.dz.clone()).reshape([nz, ny * nx]))
        .reshape([nz, ny, nx]);
    w * c.open_top.clone()
}
