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
use burn_tensor::{backend::Backend, Bool, Tensor};

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

/// Face velocities prepared once per step for any number of tracers: masked velocity, its
/// magnitude, Courant number and sign, per direction.
#[derive(Debug, Clone)]
pub struct PreparedFaces<B: Backend> {
    vel: Tensor<B, 3>,
    speed: Tensor<B, 3>,
    courant: Tensor<B, 3>,
    negative: Tensor<B, 3, Bool>,
}

impl<B: Backend> PreparedFaces<B> {
    fn new(vel: Tensor<B, 3>, spacing: Tensor<B, 3>, dt: f64) -> Self {
        let speed = vel.clone().abs();
        PreparedFaces {
            courant: speed.clone() * dt / spacing,
            negative: vel.clone().lower_elem(0.0),
            vel,
            speed,
        }
    }

    /// The limited flux density F (tracer × m s⁻¹) from the tracer on the upstream-side cell
    /// (`here`) and the masked differences r_j on the face and on the faces before and after.
    fn flux(
        &self,
        here: Tensor<B, 3>,
        rj: Tensor<B, 3>,
        rjm: Tensor<B, 3>,
        rjp: Tensor<B, 3>,
    ) -> Tensor<B, 3> {
        let upwind = rjm.mask_where(self.negative.clone(), rjp);
        let flat = rj.clone().abs().lower_elem(1e-300);
        let ratio = (upwind / rj.clone().mask_fill(flat.clone(), 1.0)).mask_fill(flat, 0.0);
        let psi = (ratio.clone() * 2.0)
            .clamp(0.0, 1.0)
            .max_pair(ratio.clamp(0.0, 2.0));
        let weight = psi.clone().neg() + 1.0 + self.courant.clone() * psi;
        // u (T_i + T_{i+1})/2 with T_{i+1} = T_i + r_j on open faces (closed faces have u = 0).
        self.vel.clone() * (here * 2.0 + rj.clone()) * 0.5 - self.speed.clone() * weight * rj * 0.5
    }
}

/// Face velocities of one step prepared for [`superbee_prepared`].
#[derive(Debug, Clone)]
pub struct PreparedVelocity<B: Backend> {
    x: PreparedFaces<B>,
    y: PreparedFaces<B>,
    z: PreparedFaces<B>,
}

impl<B: Backend> PreparedVelocity<B> {
    /// Masks the velocities and computes their Courant numbers for the step `dt` (s).
    pub fn new(model: &OceanModel<B>, vel: &FaceVelocity<B>, dt: f64) -> Self {
        let [nz, ny, nx] = model.shape;
        let m = &model.metrics;
        let dxt = m.dx_t.clone().reshape([1, ny, nx]);
        let dy = dxt.ones_like() * m.dy;
        let dz = model.dz.clone();
        // Distance between the centres of k−1 and k (unused at the closed surface face).
        let dzw = (dz.clone() + previous(dz, 0, 0.0)) * 0.5;
        let _ = nz;
        PreparedVelocity {
            x: PreparedFaces::new(vel.u.clone() * model.mask_u.clone(), dxt, dt),
            y: PreparedFaces::new(vel.v.clone() * model.mask_v.clone(), dy, dt),
            z: PreparedFaces::new(vel.w.clone() * model.consts.open_top.clone(), dzw, dt),
        }
    }
}

/// ∂T/∂t (tracer unit s⁻¹) from superbee advection of `tracer` `[nz, ny, nx]` by `vel` over a
/// step `dt` (s; it sets the Courant numbers of the limiter). Zero on dry cells.
pub fn superbee_tendency<B: Backend>(
    model: &OceanModel<B>,
    tracer: Tensor<B, 3>,
    vel: &FaceVelocity<B>,
    dt: f64,
) -> Tensor<B, 3> {
    superbee_prepared(model, tracer, &PreparedVelocity::new(model, vel, dt))
}

/// As [`superbee_tendency`] with velocities prepared once per step.
pub fn superbee_prepared<B: Backend>(
    model: &OceanModel<B>,
    tracer: Tensor<B, 3>,
    vel: &PreparedVelocity<B>,
) -> Tensor<B, 3> {
    let [_, ny, nx] = model.shape;
    let m = &model.metrics;
    let t = tracer * model.mask_t.clone();
    let dz = model.dz.clone();
    let area = model.consts.area_t.clone();
    let dxv = model.consts.dx_v.clone();
    // x: faces between (i, i+1), periodic; r_j on the face, on the one west and east of it.
    let rx = (east(t.clone()) - t.clone()) * model.mask_u.clone();
    let fx = vel
        .x
        .flux(t.clone(), rx.clone(), west(rx.clone()), east(rx))
        * dz.clone()
        * m.dy;
    // y: faces between (j, j+1); walls beyond the grid.
    let ry = (north(t.clone(), 0.0) - t.clone()) * model.mask_v.clone();
    let fy = vel.y.flux(
        t.clone(),
        ry.clone(),
        south(ry.clone(), 0.0),
        north(ry, 0.0),
    ) * dz.clone()
        * dxv;
    // z: the top face of cell k, between k (upstream side "here", below) and k−1 (above).
    let rz = (previous(t.clone(), 0, 0.0) - t.clone()) * model.consts.open_top.clone();
    let fz = vel.z.flux(
        t,
        rz.clone(),
        next(rz.clone(), 0, 0.0),
        previous(rz, 0, 0.0),
    ) * area;
    let conv = fx.clone() - west(fx) + fy.clone() - south(fy, 0.0) + fz.clone() - next(fz, 0, 0.0);
    let _ = (ny, nx);
    (conv * model.consts.inv_volume.clone()).neg()
}
