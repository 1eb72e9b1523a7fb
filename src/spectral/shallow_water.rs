//! A spectral shallow-water model on the sphere, built on [`SpectralTransform`].
//!
//! Vorticity–divergence form (Hack & Jakob 1992, eqs. 2.1–2.3; Williamson et al. 1992, eqs. 1–3),
//! with U = u cos φ, V = v cos φ, absolute vorticity η = ζ + f, fluid geopotential Φ = g D
//! (D fluid depth), surface geopotential Φₛ = g hₛ and Φ = Φ̄ + Φ′:
//!
//! ∂ζ/∂t = −∇·(η **v**),
//! ∂δ/∂t = **k**·∇×(η **v**) − ∇²(E + Φₛ) − ∇²Φ′,   E = (U² + V²)/(2(1 − μ²)),
//! ∂Φ′/∂t = −∇·(Φ′ **v**) − Φ̄ δ.
//!
//! **Time scheme.** Leapfrog over 2Δt with the gravity-wave terms (−∇²Φ′ and −Φ̄δ) averaged
//! between t − Δt and t + Δt (semi-implicit; Robert 1969), so the step is limited by
//! advection only (Courant number |u| T Δt / a ≲ 0.5). Solving the two implicit equations per
//! wavenumber, with λₙ = n(n + 1)/a² and h = Δt:
//!
//! Φ′⁺ = [Φ′⁻ (1 − h² Φ̄ λₙ) + 2h (N_Φ − Φ̄ δ⁻) − 2h² Φ̄ N_δ] / (1 + h² Φ̄ λₙ),
//! δ⁺ = δ⁻ + 2h N_δ + h λₙ (Φ′⁺ + Φ′⁻),   ζ⁺ = ζ⁻ + 2h N_ζ,
//!
//! where N are the explicit (nonlinear) tendencies at t. Optional implicit hyperdiffusion
//! (−ν(−∇²)ᵖ, backward Euler on the new level) follows, then the Robert–Asselin–Williams
//! filter (Williams 2009, eqs. 7–8): d = ν_RA/2 (x⁻ − 2x⁰ + x⁺), x⁰ += α d, x⁺ −= (1 − α) d.
//! The first step is a semi-implicit forward step over Δt.
//!
//! Mass is conserved to round-off: the n = 0 coefficient of Φ′ changes only through δ₀⁰ ≡ 0.
//!
//! # References
//! Hack & Jakob (1992), NCAR/TN-343+STR; Robert, A. (1969), Proc. WMO/IUGG Symp. NWP Tokyo, VII-19–24 (semi-implicit);
//! Williams, P. D. (2009), Mon. Wea. Rev. 137, 2538–2546; Williamson et al. (1992),
//! J. Comput. Phys. 102, 211–224.

use super::transform::SpectralTransform;
use crate::backend::{tensor_from_vec, to_vec_f64};
use burn_tensor::{backend::Backend, Tensor};

/// Implicit hyperdiffusion −ν(−∇²)ᵖ, set by its e-folding time at the truncation limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyperdiffusion {
    /// Order p (2 for ∇⁴).
    pub order: u32,
    /// e-folding time of the smallest resolved scale n = T (s).
    pub timescale_s: f64,
}

/// Parameters of the shallow-water model.
#[derive(Debug, Clone, PartialEq)]
pub struct ShallowWaterConfig {
    /// Time step Δt (s).
    pub dt: f64,
    /// Gravitational acceleration g (m s⁻²).
    pub gravity: f64,
    /// Reference geopotential Φ̄ (m² s⁻²) for the semi-implicit terms (the mean of Φ works best).
    pub mean_geopotential: f64,
    /// Hyperdiffusion, or `None`.
    pub hyperdiffusion: Option<Hyperdiffusion>,
    /// Robert–Asselin coefficient ν_RA (1; 0.2 is usual, 0 switches the filter off).
    pub raw_nu: f64,
    /// Williams' α (1; 0.53 is usual, 1 gives the classic Robert–Asselin filter).
    pub raw_alpha: f64,
}

impl ShallowWaterConfig {
    /// Defaults for a time step `dt` and reference geopotential Φ̄: g = 9.80616 m s⁻²,
    /// ∇⁴ hyperdiffusion with a 12-hour e-folding time at n = T, RAW filter ν = 0.2, α = 0.53.
    pub fn new(dt: f64, mean_geopotential: f64) -> Self {
        ShallowWaterConfig {
            dt,
            gravity: 9.80616,
            mean_geopotential,
            hyperdiffusion: Some(Hyperdiffusion {
                order: 2,
                timescale_s: 12.0 * 3600.0,
            }),
            raw_nu: 0.2,
            raw_alpha: 0.53,
        }
    }
}

/// The prognostic state: two time levels of spectral ζ, δ, Φ′ stacked as levels
/// 0, 1, 2 of a `[M, 2, 3, N]` tensor.
#[derive(Debug, Clone)]
pub struct ShallowWaterState<B: Backend> {
    /// ζ (s⁻¹), δ (s⁻¹), Φ′ (m² s⁻²) at t − Δt (filtered).
    pub previous: Tensor<B, 4>,
    /// ζ, δ, Φ′ at t.
    pub current: Tensor<B, 4>,
    /// Steps taken.
    pub step: usize,
}

/// Global diagnostics (Williamson et al. 1992, eqs. 136–138).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShallowWaterDiagnostics {
    /// Mass ∫ D dA (m³).
    pub mass: f64,
    /// Total energy ∫ [½ D |**v**|² + ½ g ((D + hₛ)² − hₛ²)] dA (m⁵ s⁻²).
    pub energy: f64,
    /// Potential enstrophy ∫ (ζ + f)² / (2D) dA (m s⁻²).
    pub potential_enstrophy: f64,
}

/// The shallow-water model: transform, Coriolis parameter, surface geopotential, parameters.
#[derive(Debug, Clone)]
pub struct ShallowWaterModel<B: Backend> {
    /// The spectral transform.
    pub transform: SpectralTransform<B>,
    /// Parameters.
    pub config: ShallowWaterConfig,
    coriolis: Tensor<B, 3>,
    surface_geopotential: Tensor<B, 3>,
    inv_cos2: Tensor<B, 3>,
    lambda: Tensor<B, 4>,
    diffusion_vd: [Tensor<B, 4>; 2],
    diffusion_phi: [Tensor<B, 4>; 2],
    device: B::Device,
}

fn level<B: Backend>(x: &Tensor<B, 4>, k: usize) -> Tensor<B, 4> {
    x.clone().narrow(2, k, 1)
}

impl<B: Backend> ShallowWaterModel<B> {
    /// A model on `transform`'s grid with Coriolis parameter f (s⁻¹) and surface geopotential
    /// Φₛ (m² s⁻²), both `[1, nlat, nlon]` grid fields (f may be rotated, as in Williamson case 2).
    pub fn new(
        transform: SpectralTransform<B>,
        config: ShallowWaterConfig,
        coriolis: Tensor<B, 3>,
        surface_geopotential: Tensor<B, 3>,
        device: &B::Device,
    ) -> Self {
        let inv_cos2 = tensor_from_vec(
            transform.mu.iter().map(|m| 1.0 / (1.0 - m * m)).collect(),
            [1, transform.nlat, 1],
            device,
        );
        let lambda = transform.laplacian_eigenvalues().neg();
        let factors = |shift: f64| -> [Tensor<B, 4>; 2] {
            [1.0, 2.0].map(|k| match config.hyperdiffusion {
                Some(h) => transform.hyperdiffusion_factor(
                    h.order,
                    h.timescale_s,
                    k * config.dt,
                    shift,
                    device,
                ),
                None => transform.truncation_mask(transform.trunc, device),
            })
        };
        let diffusion_vd = factors(2.0);
        let diffusion_phi = factors(0.0);
        ShallowWaterModel {
            transform,
            config,
            coriolis,
            surface_geopotential,
            inv_cos2,
            lambda,
            diffusion_vd,
            diffusion_phi,
            device: device.clone(),
        }
    }

    /// The initial state from grid winds u, v (m s⁻¹) and fluid geopotential Φ = g D (m² s⁻²),
    /// each `[1, nlat, nlon]`; both time levels equal.
    pub fn initial_state(
        &self,
        u: Tensor<B, 3>,
        v: Tensor<B, 3>,
        phi: Tensor<B, 3>,
    ) -> ShallowWaterState<B> {
        let (zeta, delta) = self.transform.vort_div_from_uv(u, v);
        let phi_prime = self.transform.analysis(phi - self.config.mean_geopotential);
        let current = Tensor::cat(vec![zeta, delta, phi_prime], 2);
        ShallowWaterState {
            previous: current.clone(),
            current,
            step: 0,
        }
    }

    /// Explicit tendencies (N_ζ, N_δ, N_Φ) at the current level, without the gravity-wave
    /// terms −∇²Φ′ and −Φ̄δ; each `[M, 2, 1, N]`.
    pub fn explicit_tendencies(
        &self,
        current: &Tensor<B, 4>,
    ) -> (Tensor<B, 4>, Tensor<B, 4>, Tensor<B, 4>) {
        let tr = &self.transform;
        let (zeta, delta, phi) = (level(current, 0), level(current, 1), level(current, 2));
        let grid = tr.synthesis(Tensor::cat(vec![zeta.clone(), phi], 2));
        let (zeta_g, phi_g) = (grid.clone().narrow(0, 0, 1), grid.narrow(0, 1, 1));
        let (u, v) = tr.uv_cos_from_vort_div(zeta, delta);
        let eta = zeta_g + self.coriolis.clone();
        let flux_u = Tensor::cat(vec![eta.clone() * u.clone(), phi_g.clone() * u.clone()], 0);
        let flux_v = Tensor::cat(vec![eta * v.clone(), phi_g * v.clone()], 0);
        let (curl, div) = tr.vort_div_from_uv_cos(flux_u, flux_v);
        let energy = (u.clone() * u + v.clone() * v) * self.inv_cos2.clone() * 0.5;
        let bernoulli = tr.analysis(energy + self.surface_geopotential.clone());
        let n_zeta = level(&div, 0).neg();
        let n_delta = level(&curl, 0) - tr.laplacian(bernoulli);
        let n_phi = level(&div, 1).neg();
        (n_zeta, n_delta, n_phi)
    }

    /// One time step (see the module docs for the scheme).
    pub fn step(&self, state: ShallowWaterState<B>) -> ShallowWaterState<B> {
        let first = state.step == 0;
        let h = self.config.dt;
        let two_h = if first { h } else { 2.0 * h };
        let half = two_h / 2.0;
        let phibar = self.config.mean_geopotential;
        let (n_zeta, n_delta, n_phi) = self.explicit_tendencies(&state.current);
        let old = if first {
            state.current.clone()
        } else {
            state.previous.clone()
        };
        let (zeta_m, delta_m, phi_m) = (level(&old, 0), level(&old, 1), level(&old, 2));
        let hl = self.lambda.clone() * (half * half * phibar);
        let phi_p = (phi_m.clone() * (hl.clone().neg() + 1.0)
            + (n_phi - delta_m.clone() * phibar) * two_h
            - n_delta.clone() * (half * two_h * phibar))
            / (hl + 1.0);
        let delta_p =
            delta_m + n_delta * two_h + (phi_p.clone() + phi_m) * self.lambda.clone() * half;
        let zeta_p = zeta_m + n_zeta * two_h;
        let k = usize::from(!first);
        let new = Tensor::cat(
            vec![
                zeta_p * self.diffusion_vd[k].clone(),
                delta_p * self.diffusion_vd[k].clone(),
                phi_p * self.diffusion_phi[k].clone(),
            ],
            2,
        );
        if first || self.config.raw_nu == 0.0 {
            return ShallowWaterState {
                previous: state.current,
                current: new,
                step: state.step + 1,
            };
        }
        let d = (old - state.current.clone() * 2.0 + new.clone()) * (0.5 * self.config.raw_nu);
        ShallowWaterState {
            previous: state.current + d.clone() * self.config.raw_alpha,
            current: new - d * (1.0 - self.config.raw_alpha),
            step: state.step + 1,
        }
    }

    /// Runs `steps` steps.
    pub fn run(&self, mut state: ShallowWaterState<B>, steps: usize) -> ShallowWaterState<B> {
        for _ in 0..steps {
            state = self.step(state);
        }
        state
    }

    /// Grid fields of the current level: (u, v, Φ) with Φ = Φ̄ + Φ′ the fluid geopotential,
    /// each `[1, nlat, nlon]` (m s⁻¹, m s⁻¹, m² s⁻²).
    pub fn grid_fields(
        &self,
        state: &ShallowWaterState<B>,
    ) -> (Tensor<B, 3>, Tensor<B, 3>, Tensor<B, 3>) {
        let tr = &self.transform;
        let (u, v) = tr.uv_from_vort_div(level(&state.current, 0), level(&state.current, 1));
        let phi = tr.synthesis(level(&state.current, 2)) + self.config.mean_geopotential;
        (u, v, phi)
    }

    /// Mass, total energy and potential enstrophy of the current level (host values; a device sync).
    pub fn diagnostics(&self, state: &ShallowWaterState<B>) -> ShallowWaterDiagnostics {
        let tr = &self.transform;
        let g = self.config.gravity;
        let (u, v, phi) = self.grid_fields(state);
        let depth = phi / g;
        let hs = self.surface_geopotential.clone() / g;
        let zeta = tr.synthesis(level(&state.current, 0));
        let total = depth.clone() + hs.clone();
        let energy = depth.clone() * (u.clone() * u + v.clone() * v) * 0.5
            + (total.clone() * total - hs.clone() * hs) * (0.5 * g);
        let eta = zeta + self.coriolis.clone();
        let enstrophy = eta.clone() * eta / (depth.clone() * 2.0);
        let all = Tensor::cat(vec![depth, energy, enstrophy], 0);
        let v = to_vec_f64(tr.integrate(all, &self.device));
        ShallowWaterDiagnostics {
            mass: v[0],
            energy: v[1],
            potential_enstrophy: v[2],
        }
    }
}
