//! The spherical-harmonic transform as matrix products (ARCHITECTURE §5).
//!
//! A grid field f(λ, μ) on the Gaussian grid is expanded, for triangular truncation T, as
//!
//! f(λ, μ) = Σ_{m=0}^{T} Σ_{n=m}^{T} P̄ₙᵐ(μ) [Aₙᵐ cos mλ + Bₙᵐ sin mλ],
//!
//! with P̄ₙᵐ orthonormal on [−1, 1] and without Condon–Shortley phase
//! ([`legendre`](super::legendre)). Analysis is a Fourier step (a real cos/sin basis
//! `[nlon, 2(T+1)]`, exact for m ≤ T < nlon/2) followed by Gaussian quadrature per
//! wavenumber (`[T+1, nlat, T+1]` batched Legendre matrices). Both steps are `matmul`s, so
//! the transform is differentiable and identical in structure on every backend.
//!
//! **Layouts.** Grid fields are `[L, nlat, nlon]` (L levels batched, latitudes south to north,
//! first longitude 0°E). Spectral fields are `[M, 2, L, N]` with M = N = T + 1: index
//! `[m, 0, l, n]` holds Aₙᵐ (cosine part), `[m, 1, l, n]` holds Bₙᵐ (sine part); entries with
//! n < m and B₀ are zero. The (0, 0) coefficient is √2 × the global (Gauss-weighted) mean.
//!
//! **Winds.** With U = u cos φ and V = v cos φ, streamfunction ψ and velocity potential χ
//! (ζ = ∇²ψ, δ = ∇²χ), and Hₙᵐ = (1 − μ²) dP̄ₙᵐ/dμ:
//!
//! U = [∂χ/∂λ − (1 − μ²) ∂ψ/∂μ] / a,   V = [∂ψ/∂λ + (1 − μ²) ∂χ/∂μ] / a,
//!
//! and conversely, by Gaussian quadrature after integrating the μ-derivative by parts,
//!
//! ζₙᵐ = (1/a) Σⱼ wⱼ/(1 − μⱼ²) [i m Vᵐ P̄ₙᵐ + Uᵐ Hₙᵐ],   δₙᵐ = (1/a) Σⱼ wⱼ/(1 − μⱼ²) [i m Uᵐ P̄ₙᵐ − Vᵐ Hₙᵐ].
//!
//! # References
//! Hack, J. J. & Jakob, R. (1992), *Description of a global shallow water model based on the
//! spectral transform method*, NCAR/TN-343+STR, eqs. (3.1)–(3.25);
//! Durran, D. R. (2010), *Numerical Methods for Fluid Dynamics*, §7.3.

use super::legendre::legendre_and_h;
use crate::backend::tensor_from_vec;
use crate::grid::gaussian::GaussianGrid;
use burn_tensor::{backend::Backend, Tensor};

/// Errors building a transform.
#[derive(Debug, thiserror::Error)]
pub enum SpectralError {
    /// The grid is too coarse for the truncation.
    #[error("a T{trunc} transform needs nlon ≥ 2T + 1 = {} and nlat ≥ T + 1 = {} (alias-free: nlon ≥ 3T + 1, nlat ≥ (3T + 1)/2); got {nlon}×{nlat}", 2 * trunc + 1, trunc + 1)]
    GridTooCoarse {
        /// Truncation T.
        trunc: usize,
        /// Longitudes.
        nlon: usize,
        /// Latitudes.
        nlat: usize,
    },
}

/// A spherical-harmonic transform for triangular truncation T on a Gaussian grid.
#[derive(Debug, Clone)]
pub struct SpectralTransform<B: Backend> {
    /// Truncation T.
    pub trunc: usize,
    /// Gaussian latitudes.
    pub nlat: usize,
    /// Longitudes.
    pub nlon: usize,
    /// Sphere radius a (m).
    pub radius: f64,
    /// Gaussian μⱼ = sin φⱼ, south to north (host copy).
    pub mu: Vec<f64>,
    /// Gaussian weights wⱼ (host copy).
    pub weights: Vec<f64>,
    fourier_analysis: Tensor<B, 2>,
    fourier_synthesis: Tensor<B, 2>,
    p_analysis: Tensor<B, 3>,
    p_synthesis: Tensor<B, 3>,
    h_synthesis: Tensor<B, 3>,
    p_analysis_cos2: Tensor<B, 3>,
    h_analysis_cos2: Tensor<B, 3>,
    laplacian: Tensor<B, 4>,
    inverse_laplacian: Tensor<B, 4>,
    m_factor: Tensor<B, 4>,
    cos_lat: Tensor<B, 3>,
}

impl<B: Backend> SpectralTransform<B> {
    /// Builds the transform for truncation `trunc` on `grid`, with its matrices on `device`.
    ///
    /// # Errors
    /// [`SpectralError::GridTooCoarse`] when nlon < 2T + 1 or nlat < T + 1 (the transform
    /// would not even be invertible); alias-free products need the larger grids the model
    /// files use (nlon ≥ 3T + 1, nlat ≥ (3T + 1)/2).
    pub fn new(
        trunc: usize,
        grid: &GaussianGrid,
        device: &B::Device,
    ) -> Result<Self, SpectralError> {
        let (nlat, nlon) = (grid.nlat, grid.nlon());
        if nlon < 2 * trunc + 1 || nlat < trunc + 1 {
            return Err(SpectralError::GridTooCoarse { trunc, nlon, nlat });
        }
        let m_count = trunc + 1;
        let a = grid.radius;
        // Fourier matrices, λᵢ = 2π i / nlon (first centre at 0°E).
        let mut fa = vec![0.0; nlon * 2 * m_count];
        let mut fs = vec![0.0; 2 * m_count * nlon];
        for i in 0..nlon {
            let lam = 2.0 * std::f64::consts::PI * i as f64 / nlon as f64;
            for m in 0..m_count {
                let (s, c) = (m as f64 * lam).sin_cos();
                let scale = if m == 0 { 1.0 } else { 2.0 } / nlon as f64;
                fa[i * 2 * m_count + m] = c * scale;
                fa[i * 2 * m_count + m_count + m] = if m == 0 { 0.0 } else { s * scale };
                fs[m * nlon + i] = c;
                fs[(m_count + m) * nlon + i] = if m == 0 { 0.0 } else { s };
            }
        }
        let (p, h) = legendre_and_h(trunc, &grid.mu);
        let mut pa = vec![0.0; m_count * nlat * m_count];
        let mut pa2 = vec![0.0; m_count * nlat * m_count];
        let mut ha2 = vec![0.0; m_count * nlat * m_count];
        let mut ps = vec![0.0; m_count * m_count * nlat];
        let mut hs = vec![0.0; m_count * m_count * nlat];
        for m in 0..m_count {
            for n in m..m_count {
                for j in 0..nlat {
                    let w = grid.weights[j];
                    let c2 = 1.0 - grid.mu[j] * grid.mu[j];
                    let ia = (m * nlat + j) * m_count + n;
                    let is = (m * m_count + n) * nlat + j;
                    pa[ia] = w * p[m][n][j];
                    pa2[ia] = w * p[m][n][j] / c2;
                    ha2[ia] = w * h[m][n][j] / c2;
                    ps[is] = p[m][n][j];
                    hs[is] = h[m][n][j];
                }
            }
        }
        let lap: Vec<f64> = (0..m_count)
            .map(|n| -((n * (n + 1)) as f64) / (a * a))
            .collect();
        let inv: Vec<f64> = lap
            .iter()
            .map(|&l| if l == 0.0 { 0.0 } else { 1.0 / l })
            .collect();
        let cos: Vec<f64> = grid.mu.iter().map(|m| (1.0 - m * m).sqrt()).collect();
        Ok(SpectralTransform {
            trunc,
            nlat,
            nlon,
            radius: a,
            mu: grid.mu.clone(),
            weights: grid.weights.clone(),
            fourier_analysis: tensor_from_vec(fa, [nlon, 2 * m_count], device),
            fourier_synthesis: tensor_from_vec(fs, [2 * m_count, nlon], device),
            p_analysis: tensor_from_vec(pa, [m_count, nlat, m_count], device),
            p_synthesis: tensor_from_vec(ps, [m_count, m_count, nlat], device),
            h_synthesis: tensor_from_vec(hs, [m_count, m_count, nlat], device),
            p_analysis_cos2: tensor_from_vec(pa2, [m_count, nlat, m_count], device),
            h_analysis_cos2: tensor_from_vec(ha2, [m_count, nlat, m_count], device),
            laplacian: tensor_from_vec(lap, [1, 1, 1, m_count], device),
            inverse_laplacian: tensor_from_vec(inv, [1, 1, 1, m_count], device),
            m_factor: tensor_from_vec(
                (0..m_count).map(|m| m as f64).collect(),
                [m_count, 1, 1, 1],
                device,
            ),
            cos_lat: tensor_from_vec(cos, [1, nlat, 1], device),
        })
    }

    /// M = N = T + 1, the spectral dimensions.
    pub fn modes(&self) -> usize {
        self.trunc + 1
    }

    /// Fourier step then per-wavenumber quadrature with `matrix` (`[M, nlat, N]`):
    /// `[L, nlat, nlon]` → `[M, 2, L, N]`.
    fn analysis_with(&self, grid: Tensor<B, 3>, matrix: &Tensor<B, 3>) -> Tensor<B, 4> {
        let [l, nlat, nlon] = grid.dims();
        let mm = self.modes();
        grid.reshape([l * nlat, nlon])
            .matmul(self.fourier_analysis.clone())
            .reshape([l, nlat, 2, mm])
            .permute([3, 2, 0, 1])
            .reshape([mm, 2 * l, nlat])
            .matmul(matrix.clone())
            .reshape([mm, 2, l, mm])
    }

    /// Per-wavenumber sums with `matrix` (`[M, N, nlat]`) then the Fourier sum:
    /// `[M, 2, L, N]` → `[L, nlat, nlon]`.
    fn synthesis_with(&self, spec: Tensor<B, 4>, matrix: &Tensor<B, 3>) -> Tensor<B, 3> {
        let [mm, _, l, n] = spec.dims();
        spec.reshape([mm, 2 * l, n])
            .matmul(matrix.clone())
            .reshape([mm, 2, l, self.nlat])
            .permute([2, 3, 1, 0])
            .reshape([l * self.nlat, 2 * mm])
            .matmul(self.fourier_synthesis.clone())
            .reshape([l, self.nlat, self.nlon])
    }

    /// Analysis: grid `[L, nlat, nlon]` → spectral `[M, 2, L, N]` (Aₙᵐ, Bₙᵐ).
    pub fn analysis(&self, grid: Tensor<B, 3>) -> Tensor<B, 4> {
        self.analysis_with(grid, &self.p_analysis)
    }

    /// Synthesis: spectral `[M, 2, L, N]` → grid `[L, nlat, nlon]`.
    pub fn synthesis(&self, spec: Tensor<B, 4>) -> Tensor<B, 3> {
        self.synthesis_with(spec, &self.p_synthesis)
    }

    /// Zonal derivative ∂/∂λ in spectral space: (A, B) → (m B, −m A). Shape kept `[M, 2, L, N]`.
    pub fn d_dlon(&self, spec: Tensor<B, 4>) -> Tensor<B, 4> {
        let a = spec.clone().narrow(1, 0, 1);
        let b = spec.narrow(1, 1, 1);
        Tensor::cat(
            vec![b * self.m_factor.clone(), a * self.m_factor.clone().neg()],
            1,
        )
    }

    /// (1 − μ²) ∂f/∂μ = cos φ ∂f/∂φ on the grid, from spectral f: `[M, 2, L, N]` → `[L, nlat, nlon]`.
    pub fn cos_dlat_to_grid(&self, spec: Tensor<B, 4>) -> Tensor<B, 3> {
        self.synthesis_with(spec, &self.h_synthesis)
    }

    /// Laplacian ∇² f: multiplies by −n(n+1)/a² (m⁻² × unit of f).
    pub fn laplacian(&self, spec: Tensor<B, 4>) -> Tensor<B, 4> {
        spec * self.laplacian.clone()
    }

    /// Inverse Laplacian ∇⁻² f: divides by −n(n+1)/a²; the n = 0 (global mean) part is set to 0.
    pub fn inverse_laplacian(&self, spec: Tensor<B, 4>) -> Tensor<B, 4> {
        spec * self.inverse_laplacian.clone()
    }

    /// The eigenvalues −n(n+1)/a² as a `[1, 1, 1, N]` tensor (for implicit schemes).
    pub fn laplacian_eigenvalues(&self) -> Tensor<B, 4> {
        self.laplacian.clone()
    }

    /// cos φ-weighted winds (U, V) = (u cos φ, v cos φ) (m s⁻¹) on the grid from spectral
    /// vorticity ζ and divergence δ (s⁻¹): `[M, 2, L, N]` each → `[L, nlat, nlon]` each.
    pub fn uv_cos_from_vort_div(
        &self,
        vort: Tensor<B, 4>,
        div: Tensor<B, 4>,
    ) -> (Tensor<B, 3>, Tensor<B, 3>) {
        let l = vort.dims()[2];
        let psi = self.inverse_laplacian(vort);
        let chi = self.inverse_laplacian(div);
        // One P-synthesis of [∂χ/∂λ, ∂ψ/∂λ] and one H-synthesis of [ψ, χ], batched over 2L.
        let p_part = self.synthesis(self.d_dlon(Tensor::cat(vec![chi.clone(), psi.clone()], 2)));
        let h_part = self.cos_dlat_to_grid(Tensor::cat(vec![psi, chi], 2));
        let inv_a = 1.0 / self.radius;
        let u = (p_part.clone().narrow(0, 0, l) - h_part.clone().narrow(0, 0, l)) * inv_a;
        let v = (p_part.narrow(0, l, l) + h_part.narrow(0, l, l)) * inv_a;
        (u, v)
    }

    /// Winds (u, v) (m s⁻¹) on the grid from spectral ζ and δ: U and V divided by cos φ.
    pub fn uv_from_vort_div(
        &self,
        vort: Tensor<B, 4>,
        div: Tensor<B, 4>,
    ) -> (Tensor<B, 3>, Tensor<B, 3>) {
        let (u, v) = self.uv_cos_from_vort_div(vort, div);
        (u / self.cos_lat.clone(), v / self.cos_lat.clone())
    }

    /// Spectral vorticity ζ and divergence δ (s⁻¹) of cos φ-weighted grid winds U, V
    /// (m s⁻¹), `[L, nlat, nlon]` each → `[M, 2, L, N]` each; exact for winds derived from
    /// T-truncated ζ, δ on an alias-free grid.
    pub fn vort_div_from_uv_cos(
        &self,
        u_cos: Tensor<B, 3>,
        v_cos: Tensor<B, 3>,
    ) -> (Tensor<B, 4>, Tensor<B, 4>) {
        let l = u_cos.dims()[0];
        let both = Tensor::cat(vec![u_cos, v_cos], 0);
        let p = self.analysis_with(both.clone(), &self.p_analysis_cos2);
        let h = self.analysis_with(both, &self.h_analysis_cos2);
        let dp = self.d_dlon(p);
        let inv_a = 1.0 / self.radius;
        let vort = (dp.clone().narrow(2, l, l) + h.clone().narrow(2, 0, l)) * inv_a;
        let div = (dp.narrow(2, 0, l) - h.narrow(2, l, l)) * inv_a;
        (vort, div)
    }

    /// Spectral ζ and δ of grid winds u, v (m s⁻¹): multiplies by cos φ, then [`Self::vort_div_from_uv_cos`].
    pub fn vort_div_from_uv(
        &self,
        u: Tensor<B, 3>,
        v: Tensor<B, 3>,
    ) -> (Tensor<B, 4>, Tensor<B, 4>) {
        self.vort_div_from_uv_cos(u * self.cos_lat.clone(), v * self.cos_lat.clone())
    }

    /// cos φ on the grid as `[1, nlat, 1]` (broadcasts over `[L, nlat, nlon]`).
    pub fn cos_lat(&self) -> Tensor<B, 3> {
        self.cos_lat.clone()
    }

    /// Implicit hyperdiffusion factor 1 / (1 + Δt · κ̂ₙ), `[1, 1, 1, N]`, for
    /// ∂f/∂t = −ν (−∇²)ᵖ f with the damping rate at n = T set to 1/τ:
    /// κ̂ₙ = (λₙ/λ_T)ᵖ/τ with λₙ = n(n+1) − `shift`. Use `shift = 2` for vorticity and
    /// divergence so that solid-body rotation (n = 1) is not damped; `shift = 0` otherwise.
    /// Multiplying the new time level by this factor is the backward-Euler step of the diffusion.
    pub fn hyperdiffusion_factor(
        &self,
        order: u32,
        timescale_s: f64,
        dt: f64,
        shift: f64,
        device: &B::Device,
    ) -> Tensor<B, 4> {
        let t = self.trunc as f64;
        let top = t * (t + 1.0) - shift;
        let f: Vec<f64> = (0..self.modes())
            .map(|n| {
                let ln = ((n * (n + 1)) as f64 - shift).max(0.0);
                1.0 / (1.0 + dt * (ln / top).powi(order as i32) / timescale_s)
            })
            .collect();
        tensor_from_vec(f, [1, 1, 1, self.modes()], device)
    }

    /// Truncation filter: keeps wavenumbers n ≤ `keep` (≤ T), zeroes the rest. `[1, 1, 1, N]` mask.
    pub fn truncation_mask(&self, keep: usize, device: &B::Device) -> Tensor<B, 4> {
        let f: Vec<f64> = (0..self.modes())
            .map(|n| if n <= keep { 1.0 } else { 0.0 })
            .collect();
        tensor_from_vec(f, [1, 1, 1, self.modes()], device)
    }

    /// Global area integral ∫ f dA = a² Σⱼ wⱼ Δλ Σᵢ fᵢⱼ per level: `[L, nlat, nlon]` → `[L]`.
    pub fn integrate(&self, grid: Tensor<B, 3>, device: &B::Device) -> Tensor<B, 1> {
        let l = grid.dims()[0];
        let dl = 2.0 * std::f64::consts::PI / self.nlon as f64;
        let w: Vec<f64> = self
            .weights
            .iter()
            .map(|w| w * dl * self.radius * self.radius)
            .collect();
        let w = tensor_from_vec::<B, 3>(w, [1, self.nlat, 1], device);
        (grid * w).sum_dims(&[1, 2]).reshape([l])
    }
}
