//! Flux-form tracer advection with the superbee flux limiter (Roe 1986; Veros'
//! `adv_flux_superbee`).
//!
//! On each face between an upstream-side cell i and a downstream-side cell i+1 (east faces
//! in x, north faces in y, top faces in z with "i+1" the cell above), with face velocity u,
//! Courant number C = |u|Δt/Δ (Δ the distance between the cell centres) and the masked
//! differences r_j = T_{i+1} − T_i, r_{j−1} = T_i − T_{i−1}, r_{j+1} = T_{i+2} − T_{i+1}:
//!
//! F = u (T_i + T_{i+1})/2 − |u| [(1 − ψ(ρ)) + C ψ(ρ)] r_j/2,
//! ρ = r_{j−1}/r_j (u > 0) or r_{j+1}/r_j (u < 0),   ψ(ρ) = max(0, min(1, 2ρ), min(2, ρ)),
//!
//! i.e. upwind where ψ = 0 and Lax–Wendroff where ψ = 1 (second order in smooth regions,
//! total-variation diminishing for C ≤ 1). Fluxes are multiplied by the face areas and their
//! divergence divided by the cell volume:
//!
//! ∂T/∂t = −[A_x(F_{i+½} − F_{i−½}) + (A_y F)_{j+½} − (A_y F)_{j−½} + A_T (F_{k,top} − F_{k+1,top})] / V_T,
//!
//! with A_x = Δy Δz (east faces), A_y = Δx_V Δz (north faces), A_T the T-cell area (top faces).
//! Faces are masked (no flux through land, the sea floor or the rigid-lid surface), so the
//! tracer content Σ V_T T changes only by round-off. Velocities: u at U, v at V, w (positive
//! upward) at the top face of each T cell, `[nz, ny, nx]`, with w = 0 in level 0.
//!
//! # References
//! Roe, P. L. (1986), Annu. Rev. Fluid Mech. 18, 337–365 (superbee); Häfner et al. (2018),
//! Geosci. Model Dev. 11, 3299–3312.

use super::model::OceanModel;
use crate::numerics::stencil::{east, next, north, previous, south, west};
use burn_tensor::{backend::Backend, Tensor};

/// Face velocities (m s⁻¹) for tracer advection, each `[nz, ny, nx]`.
#[derive(Debug, Clone)]
pub struct FaceVelocity<B: Backend> {
    /// Eastward velocity at U faces.
    pub u: Tensor<B, 3>,
    /// Northward velocity at V faces.
    pub v: Tensor<B, 3>,
    /// Upward velocity at the top face of each T cell (0 in level 0).
    pub w: Tensor<B, 3>,
}

/// The limited flux density F (tracer × m s⁻¹) on faces between `here` (i) and `next` (i+1).
#[allow(clippy::too_many_arguments)]
fn limited_flux<B: Backend>(
    vel: Tensor<B, 3>,
    courant: Tensor<B, 3>,
    prev: Tensor<B, 3>,
    here: Tensor<B, 3>,
    next: Tensor<B, 3>,
    next2: Tensor<B, 3>,
    mask_prev: Tensor<B, 3>,
    mask: Tensor<B, 3>,
    mask_next: Tensor<B, 3>,
) -> Tensor<B, 3> {
    let rj = (next.clone() - here.clone()) * mask;
    let rjm = (here.clone() - prev) * mask_prev;
    let rjp = (next2 - next.clone()) * mask_next;
    let upwind = rjm.mask_where(vel.clone().lower_elem(0.0), rjp);
    let flat = rj.clone().abs().lower_elem(1e-300);
    let ratio = (upwind / rj.clone().mask_fill(flat.clone(), 1.0)).mask_fill(flat, 0.0);
    let psi = (ratio.clone() * 2.0)
        .clamp(0.0, 1.0)
        .max_pair(ratio.clamp(0.0, 2.0));
    let weight = psi.clone().neg() + 1.0 + courant * psi;
    vel.clone() * (here + next) * 0.5 - vel.abs() * weight * rj * 0.5
}

/// ∂T/∂t (tracer unit s⁻¹) from superbee advection of `tracer` `[nz, ny, nx]` by `vel` over a
/// step `dt` (s; it sets the Courant numbers of the limiter). Zero on dry cells.
pub fn superbee_tendency<B: Backend>(
    model: &OceanModel<B>,
    tracer: Tensor<B, 3>,
    vel: &FaceVelocity<B>,
    dt: f64,
) -> Tensor<B, 3> {
    let [_, ny, nx] = model.shape;
    let m = &model.metrics;
    let t = tracer * model.mask_t.clone();
    let dz = model.dz.clone();
    let area = m.area_t.clone().reshape([1, ny, nx]);
    let dxt = m.dx_t.clone().reshape([1, ny, nx]);
    let dxv = m.dx_v.clone().reshape([1, ny, nx]);

    // x: faces between (i, i+1), periodic.
    let (mu, u) = (model.mask_u.clone(), vel.u.clone() * model.mask_u.clone());
    let cx = u.clone().abs() * dt / dxt;
    let fx = limited_flux(
        u,
        cx,
        west(t.clone()),
        t.clone(),
        east(t.clone()),
        east(east(t.clone())),
        west(mu.clone()),
        mu.clone(),
        east(mu),
    ) * dz.clone()
        * m.dy;
    // y: faces between (j, j+1); walls beyond the grid.
    let (mv, v) = (model.mask_v.clone(), vel.v.clone() * model.mask_v.clone());
    let cy = v.clone().abs() * (dt / m.dy);
    let fy = limited_flux(
        v,
        cy,
        south(t.clone(), 0.0),
        t.clone(),
        north(t.clone(), 0.0),
        north(north(t.clone(), 0.0), 0.0),
        south(mv.clone(), 0.0),
        mv.clone(),
        north(mv, 0.0),
    ) * dz.clone()
        * dxv;
    // z: top face of cell k, between k ("here", below) and k−1 ("next", above).
    let up = |x: Tensor<B, 3>, fill: f64| previous(x, 0, fill); // x[k−1]
    let down = |x: Tensor<B, 3>, fill: f64| next(x, 0, fill); // x[k+1]
                                                              // A top face is open where the cells on both sides are wet (never at the surface).
    let mw = model.mask_t.clone() * up(model.mask_t.clone(), 0.0);
    let w = vel.w.clone() * mw.clone();
    let dzw = (dz.clone() + up(dz.clone(), 0.0)) * 0.5; // distance between centres k−1 and k
    let cz = w.clone().abs() * dt / dzw;
    let fz = limited_flux(
        w,
        cz,
        down(t.clone(), 0.0),
        t.clone(),
        up(t.clone(), 0.0),
        up(up(t.clone(), 0.0), 0.0),
        down(mw.clone(), 0.0),
        mw.clone(),
        up(mw, 0.0),
    ) * area.clone();
    let conv = fx.clone() - west(fx) + fy.clone() - south(fy, 0.0) + fz.clone() - down(fz, 0.0);
    let volume = model.volume_t.clone() + model.mask_t.clone().neg() + 1.0; // 1 on dry cells (no division by 0)
    (conv / volume).neg() * model.mask_t.clone()
}
