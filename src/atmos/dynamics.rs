//! QTCM1 dynamics on the sphere in spherical harmonics: a non-divergent barotropic mode and
//! the first baroclinic mode with its temperature T₁ and moisture q₁.
//!
//! **Equations** (Neelin & Zeng 2000, §5; QTCM1 v2.3 `advctuv`, `advctTq`, `barcl`,
//! `bartr`; constants in [`super::qtcm`]). With **v**ᵢ = (uᵢ, vᵢ), ζᵢ = **k**·∇×**v**ᵢ,
//! δ₁ = ∇·**v**₁, ∇·**v**₀ = 0, the momentum equations as QTCM1 writes them,
//!
//! ∂**v**₀/∂t = −(**v**₀·∇)**v**₀ − V₁₁₀(**v**₁·∇)**v**₁ − Vw₁₁₀ δ₁**v**₁ − f**k**×**v**₀ − ∇φ₀ − (g/p_T)**τ**,
//!
//! ∂**v**₁/∂t = −(**v**₁·∇)**v**₀ − (**v**₀·∇)**v**₁ − V₁₁₁(**v**₁·∇)**v**₁ − Vw₁₁₁ δ₁**v**₁ − f**k**×**v**₁ − R∇T₁ − ε_i1 **v**₁ − ε_τ **τ**,
//!
//! are written in the vector-invariant form ((**a**·∇)**b** + (**b**·∇)**a** = ∇(**a**·**b**) +
//! ζ_b **k**×**a** + ζ_a **k**×**b**), which keeps the spherical metric terms that the
//! Fortran's Cartesian-style advection drops. With **P** = (ζ₀ + f)**k**×**v**₀ + V₁₁₀ζ₁**k**×**v**₁ +
//! Vw₁₁₀δ₁**v**₁ and **Q** = (ζ₀ + f + V₁₁₁ζ₁)**k**×**v**₁ + ζ₁**k**×**v**₀ + Vw₁₁₁δ₁**v**₁:
//!
//! ∂ζ₀/∂t = −**k**·∇×**P** − (g/p_T)**k**·∇×**τ**,
//! ∂ζ₁/∂t = −**k**·∇×**Q** − ε_i1 ζ₁ − ε_τ **k**·∇×**τ**,
//! ∂δ₁/∂t = −∇·**Q** − ∇²(**v**₀·**v**₁ + V₁₁₁|**v**₁|²/2) − R∇²T₁ − ε_i1 δ₁ − ε_τ ∇·**τ**,
//! ∂T₁/∂t = −∇·(T₁**v**₀) − DT₁₁₁(∇·(T₁**v**₁) − T₁δ₁) − (M_s/â₁)δ₁ + H/(C_pg â₁) + ν∇²T₁,
//! ∂q₁/∂t = −∇·(q₁**v**₀) − Dq₁₁₁(∇·(q₁**v**₁) − q₁δ₁) + (M_q/b̂₁)δ₁ + W/(C_pg b̂₁) + ν∇²q₁,
//!
//! M_s = M_sr + M_qp max(q₁, q₁ₘ) and M_q = M_qr + M_qp q₁ (QTCM1 v2.3 `barcl`; the max is
//! QTCM1's cloud-top correction of the gross dry stability, a physical closure). H and W
//! (W m⁻²) are the column heating (convection, radiation, sensible heat) and moistening
//! (evaporation minus precipitation) from the physics; **τ** (N m⁻²) the surface stress.
//! ζ₀ and ζ₁, δ₁ also carry −ν₄(−∇²)ᵖ hyperdiffusion (QTCM1: ∇⁴ on momentum).
//!
//! **Time scheme.** Leapfrog over 2Δt; the linear gravity-wave terms −R∇²T₁ and −(M_sr/â₁)δ₁
//! are averaged between t − Δt and t + Δt (semi-implicit), so the step is limited by
//! advection alone. With λₙ = n(n + 1)/a², h = Δt and c² = R M_sr/â₁ (the dry wave speed,
//! 47.4 m s⁻¹), per spectral coefficient:
//!
//! T₁⁺ = [T₁⁻(1 − h²c²λₙ) + 2h N_T − 2h(M_sr/â₁)δ₁⁻ − 2h²(M_sr/â₁)N_δ] / (1 + h²c²λₙ),
//! δ₁⁺ = δ₁⁻ + 2h N_δ + hRλₙ(T₁⁺ + T₁⁻),
//!
//! N being the explicit tendencies at t (advection, the non-constant parts of M_s and M_q)
//! plus the physics and damping evaluated at t − Δt (forward over 2Δt, which is stable for
//! decay rates r with 2rΔt < 1; the convective time scale τ_c = 2 h gives 2Δt/τ_c = 0.33 at
//! Δt = 1200 s). Diffusion is implicit (backward Euler on the new level), then the
//! Robert–Asselin–Williams filter (Williams 2009). The first step is a forward step.
//!
//! **Stability at the defaults** (T31, Δt = 1200 s): advection Courant number
//! |u|_max T Δt/a = 0.29 for 50 m s⁻¹ jets; explicit gravity waves would allow cTΔt/a =
//! 0.29 too, but the semi-implicit terms make them unconditionally stable; inertial
//! fΔt ≤ 0.175. Measured (`cargo test --release --test suite -- atmos_dynamics:: --nocapture
//! full_dynamics`): a 40 m s⁻¹ jet with both modes, T₁ and q₁ active runs 30 days
//! unchanged at Δt = 1200, 2400, 3600 and 4800 s and blows up at 6000 s (Courant number
//! 0.93 → 1.17, the leapfrog limit of 1), so the default step has a margin of four.
//!
//! **Conservation.** The mode-truncated equations do not conserve column energy or water by
//! themselves: the advection of T₁, q₁ by **v**₁ (DT₁₁₁, Dq₁₁₁) and the moisture-dependent
//! stabilities M_s, M_q have non-zero global means, and the pressure work R⟨V₁²⟩∫T₁δ₁ that
//! makes kinetic energy has no matching sink in the linear T₁ budget. Every step therefore
//! (i) removes the global mean of the adiabatic q₁ tendency (water fixer), (ii) sets the
//! global mean of the adiabatic T₁ tendency so that the total energy
//! E = C_pg(â₁T₁ + b̂₁q₁) + (p_T/g)(|**v**₀|² + ⟨V₁²⟩|**v**₁|²)/2 does not change (energy fixer;
//! the kinetic-energy tendency is the spectral inner product Σ w (ζ ∂ζ/∂t + δ ∂δ/∂t) with
//! w = c_m a²/(n(n + 1)), the semi-implicit pressure term included), (iii) returns the kinetic
//! energy removed by the implicit hyperdiffusion as uniform heat, and (iv) leaves the global
//! means of T₁ and q₁ out of the RAW filter, so that their leapfrog budget (the mean of the
//! two time levels changes by Δt × the forcing) closes exactly. Drag and ε_i1 return their
//! kinetic energy as local heat in the physics ([`super::physics`]). Measured over 30 days of
//! the AMIP-like mode (`cargo test --release --test suite -- atmos_physics:: --nocapture`): the
//! column energy changes by the integrated TOA minus surface flux to 1.6e-2 W m⁻², and the
//! column water by ∫(E − P) to 6e-14 kg m⁻² (round-off).
//!
//! Prognostic state: spectral ζ₀, ζ₁, δ₁ (s⁻¹), T₁, q₁ (K) as levels 0–4 of a `[M, 2, 5, N]`
//! tensor, two time levels.
//!
//! # References
//! Neelin & Zeng (2000), J. Atmos. Sci. 57, 1741–1766 (eqs. 5.1–5.5); Hoskins & Simmons
//! (1975), Q. J. R. Meteorol. Soc. 101, 637–655 (semi-implicit spectral schemes); Williams,
//! P. D. (2009), Mon. Wea. Rev. 137, 2538–2546 (RAW filter).

use super::qtcm::{
    A1_HAT, A1_SURFACE, B1_HAT, B1_SURFACE, CPG, CP_AIR, DQ111, DT111, EPS_I1, EPS_TAU, GMQ_P,
    GMQ_R, GMS_R, G_OVER_PT, LATENT_HEAT, Q1_CLOUD_TOP, QREF_SURFACE, R_AIR, TREF_SURFACE, V110,
    V111, V1_SQ_HAT, V1_SURFACE, VW110, VW111,
};
use crate::backend::tensor_from_vec;
use crate::config::{AtmosphereDynamicsConfig, ModelConfig};
use crate::grid::GaussianGrid;
use crate::spectral::{SpectralError, SpectralTransform};
use burn_tensor::{backend::Backend, Tensor};

/// Number of prognostic spectral fields: ζ₀, ζ₁, δ₁, T₁, q₁.
pub const FIELDS: usize = 5;
/// Index of ζ₀ (barotropic vorticity, s⁻¹).
pub const ZETA0: usize = 0;
/// Index of ζ₁ (baroclinic vorticity, s⁻¹).
pub const ZETA1: usize = 1;
/// Index of δ₁ (baroclinic divergence, s⁻¹).
pub const DELTA1: usize = 2;
/// Index of T₁ (temperature mode, K).
pub const T1: usize = 3;
/// Index of q₁ (moisture mode, K).
pub const Q1: usize = 4;

/// Switches of the dynamics, for tests and idealised runs (all on by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DynamicsSwitches {
    /// Evolve the baroclinic mode and T₁, q₁ (off: ζ₀ alone, the barotropic vorticity equation).
    pub baroclinic: bool,
    /// Nonlinear advection terms (off: the equations linearised about rest).
    pub advection: bool,
    /// Mode-1 internal damping ε_i1.
    pub damping: bool,
}

impl Default for DynamicsSwitches {
    fn default() -> Self {
        DynamicsSwitches {
            baroclinic: true,
            advection: true,
            damping: true,
        }
    }
}

/// The atmosphere's constant part for the dynamics: transform, Coriolis parameter,
/// implicit diffusion factors, settings.
#[derive(Debug, Clone)]
pub struct AtmosModel<B: Backend> {
    /// Spectral transform on the Gaussian grid.
    pub transform: SpectralTransform<B>,
    /// Time step Δt (s).
    pub dt: f64,
    /// Rotation rate Ω (s⁻¹).
    pub omega: f64,
    /// Numerical settings (`[atmosphere_dynamics]`).
    pub settings: AtmosphereDynamicsConfig,
    /// Switches (all on in production).
    pub switches: DynamicsSwitches,
    /// f = 2Ω sin φ on the grid, `[1, nlat, 1]` (s⁻¹).
    pub coriolis: Tensor<B, 3>,
    inv_cos2: Tensor<B, 3>,
    lambda: Tensor<B, 4>,
    /// Implicit diffusion factors per field `[1, 1, 5, N]`, for steps of Δt and 2Δt.
    diffusion: [Tensor<B, 4>; 2],
    /// Kinetic-energy weights (p_T/g)·c_m a²/(n(n + 1)) per coefficient and field `[M, 1, 5, N]`
    /// (ζ₀: 1; ζ₁, δ₁: ⟨V₁²⟩; T₁, q₁: 0), c₀ = ½, c_{m>0} = ¼, zero at n = 0.
    ke_weight: Tensor<B, 4>,
    /// ke_weight × (1 − D²) for the diffusion factors D of steps Δt and 2Δt: the kinetic
    /// energy the implicit diffusion removes is ½Σ x² × this.
    ke_loss_weight: [Tensor<B, 4>; 2],
    /// ke_weight × R λₙ at δ₁ (zero elsewhere): the semi-implicit pressure work.
    pg_weight: Tensor<B, 4>,
    /// 1 at the (0, 0) coefficient of T₁ `[M, 2, 5, N]`.
    t1_mean: Tensor<B, 4>,
    /// 1 at the (0, 0) coefficients of T₁ and q₁.
    tq_mean: Tensor<B, 4>,
    device: B::Device,
}

/// Two time levels of the spectral state `[M, 2, 5, N]` (see the module docs).
#[derive(Debug, Clone)]
pub struct AtmosState<B: Backend> {
    /// ζ₀, ζ₁, δ₁, T₁, q₁ at t − Δt (filtered).
    pub previous: Tensor<B, 4>,
    /// The same at t.
    pub current: Tensor<B, 4>,
    /// Steps taken.
    pub step: usize,
}

impl<B: Backend> AtmosState<B> {
    /// The restart variables (both leapfrog levels), by name ([`crate::io::fields`]).
    pub fn visit(&mut self, v: &mut impl crate::io::fields::FieldVisitor<B>) {
        v.visit("atmos_previous", &mut self.previous);
        v.visit("atmos_current", &mut self.current);
    }

    /// The level the column physics uses: t − Δt, or t on a cold start's forward first step.
    pub fn physics_level(&self) -> &Tensor<B, 4> {
        if self.step == 0 {
            &self.current
        } else {
            &self.previous
        }
    }
}

/// V₁ at 9 km, QTCM1's tabulated baroclinic wind profile `V1z1d` (the surface value is
/// −0.2453): the top of its table, about 300 hPa (Neelin & Zeng 2000; QTCM1 v2.3).
pub const UPPER_V1: f64 = 0.235_443_20;

/// Physics forcing of one step on the grid, each `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct AtmosForcing<B: Backend> {
    /// Column heating H (W m⁻²): convective heating + net radiative + sensible heat flux.
    pub heating: Tensor<B, 3>,
    /// Column moistening W (W m⁻², in L·kg m⁻² s⁻¹): evaporation minus precipitation.
    pub moistening: Tensor<B, 3>,
    /// Eastward surface stress τ_x (N m⁻²): the stress the air exerts on the surface, as in
    /// the bulk formula τ = ρC_D|V|**v**ₛ (positive for an eastward surface wind; the air
    /// feels −τ).
    pub stress_x: Tensor<B, 3>,
    /// Northward surface stress τ_y (N m⁻²), same convention.
    pub stress_y: Tensor<B, 3>,
}

/// The atmosphere's lowest-level state exported to the coupler (shared with the surfaces).
pub use crate::physics::SurfaceAir;

/// Grid fields of one time level, each `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct AtmosGrid<B: Backend> {
    /// Barotropic wind u₀, v₀ (m s⁻¹).
    pub u0: Tensor<B, 3>,
    /// Barotropic northward wind v₀ (m s⁻¹).
    pub v0: Tensor<B, 3>,
    /// Baroclinic wind u₁ (m s⁻¹).
    pub u1: Tensor<B, 3>,
    /// Baroclinic northward wind v₁ (m s⁻¹).
    pub v1: Tensor<B, 3>,
    /// Temperature mode T₁ (K).
    pub t1: Tensor<B, 3>,
    /// Moisture mode q₁ (K).
    pub q1: Tensor<B, 3>,
}

fn level<B: Backend>(x: &Tensor<B, 4>, k: usize) -> Tensor<B, 4> {
    x.clone().narrow(2, k, 1)
}

fn level3<B: Backend>(x: &Tensor<B, 3>, k: usize) -> Tensor<B, 3> {
    x.clone().narrow(0, k, 1)
}

impl<B: Backend> AtmosModel<B> {
    /// Builds the dynamics for `config` (truncation, grid, Δt, `[atmosphere_dynamics]`).
    ///
    /// # Errors
    /// [`SpectralError`] if the Gaussian grid is too coarse for the truncation.
    pub fn new(config: &ModelConfig, device: &B::Device) -> Result<Self, SpectralError> {
        let a = &config.atmosphere;
        let grid = GaussianGrid::new(a.nlon, a.nlat, config.planet.radius);
        let transform = SpectralTransform::new(a.truncation, &grid, device)?;
        Ok(Self::from_transform(
            transform,
            a.dt,
            config.planet.omega,
            config.atmosphere_dynamics.clone(),
            DynamicsSwitches::default(),
            device,
        ))
    }

    /// Builds the dynamics on an existing transform.
    pub fn from_transform(
        transform: SpectralTransform<B>,
        dt: f64,
        omega: f64,
        settings: AtmosphereDynamicsConfig,
        switches: DynamicsSwitches,
        device: &B::Device,
    ) -> Self {
        let nlat = transform.nlat;
        let coriolis = tensor_from_vec(
            transform.mu.iter().map(|m| 2.0 * omega * m).collect(),
            [1, nlat, 1],
            device,
        );
        let inv_cos2 = tensor_from_vec(
            transform.mu.iter().map(|m| 1.0 / (1.0 - m * m)).collect(),
            [1, nlat, 1],
            device,
        );
        let lambda = transform.laplacian_eigenvalues().neg();
        let t = transform.trunc as f64;
        let lambda_top = t * (t + 1.0) / transform.radius.powi(2);
        let diffusion = [1.0, 2.0].map(|k| {
            let h = k * dt;
            let momentum = transform.hyperdiffusion_factor(
                settings.momentum_diffusion_order,
                settings.momentum_diffusion_timescale,
                h,
                2.0,
                device,
            );
            let tracer = if settings.tracer_diffusivity > 0.0 {
                // ν∇² as order-1 hyperdiffusion with κ̂_T = νλ_T.
                transform.hyperdiffusion_factor(
                    1,
                    1.0 / (settings.tracer_diffusivity * lambda_top),
                    h,
                    0.0,
                    device,
                )
            } else {
                transform.truncation_mask(transform.trunc, device)
            };
            Tensor::cat(
                vec![
                    momentum.clone(),
                    momentum.clone(),
                    momentum,
                    tracer.clone(),
                    tracer,
                ],
                2,
            )
        });
        let m = transform.modes();
        let a2 = transform.radius * transform.radius;
        let mut kw = vec![0.0; m * FIELDS * m];
        for mm in 0..m {
            for n in mm.max(1)..m {
                let c = if mm == 0 { 0.5 } else { 0.25 };
                let w = c * a2 / (n * (n + 1)) as f64 / G_OVER_PT;
                kw[(mm * FIELDS + ZETA0) * m + n] = w;
                kw[(mm * FIELDS + ZETA1) * m + n] = w * V1_SQ_HAT;
                kw[(mm * FIELDS + DELTA1) * m + n] = w * V1_SQ_HAT;
            }
        }
        let ke_weight: Tensor<B, 4> = tensor_from_vec(kw, [m, 1, FIELDS, m], device);
        let ke_loss_weight = diffusion
            .clone()
            .map(|d| ke_weight.clone() * (d.powi_scalar(2).neg() + 1.0));
        let pg_weight = ke_weight.clone().narrow(2, DELTA1, 1) * lambda.clone() * R_AIR;
        let unit = |fields: &[usize]| {
            let mut v = vec![0.0; m * 2 * FIELDS * m];
            for &f in fields {
                v[f * m] = 1.0;
            }
            tensor_from_vec::<B, 4>(v, [m, 2, FIELDS, m], device)
        };
        AtmosModel {
            transform,
            dt,
            omega,
            settings,
            switches,
            coriolis,
            inv_cos2,
            lambda,
            diffusion,
            ke_weight,
            ke_loss_weight,
            pg_weight,
            t1_mean: unit(&[T1]),
            tq_mean: unit(&[T1, Q1]),
            device: device.clone(),
        }
    }

    /// The state from grid fields (both time levels equal): winds (m s⁻¹), T₁, q₁ (K), each
    /// `[1, nlat, nlon]`. The divergent part of **v**₀ is discarded (∇·**v**₀ = 0).
    pub fn initial_state(&self, g: &AtmosGrid<B>) -> AtmosState<B> {
        let tr = &self.transform;
        let (z, d) = tr.vort_div_from_uv(
            Tensor::cat(vec![g.u0.clone(), g.u1.clone()], 0),
            Tensor::cat(vec![g.v0.clone(), g.v1.clone()], 0),
        );
        let tq = tr.analysis(Tensor::cat(vec![g.t1.clone(), g.q1.clone()], 0));
        let current = Tensor::cat(vec![level(&z, 0), level(&z, 1), level(&d, 1), tq], 2);
        AtmosState {
            previous: current.clone(),
            current,
            step: 0,
        }
    }

    /// The cold-start state over a surface of temperature `ts` (K, `[nlat·nlon]`, row-major
    /// from the south): at rest and zonally uniform (a zonal start avoids a land–sea shock of
    /// the T₁ gradients), with T₁ putting the surface air 1 K below the zonal mean T̄_s,
    /// T_s,air = T_ref,s + â₁,s T₁ = T̄_s − 1 K, and q₁ at 80 % relative humidity of it,
    /// (L/c_p)·0.8 q*(T̄_s − 1 K, 1000 hPa) = q_ref,s + q₁, with QTCM1's surface values of
    /// the reference profiles and vertical structures ([`super::qtcm`]: `TREF_SURFACE`,
    /// `A1_SURFACE`, `QREF_SURFACE`).
    pub fn cold_start(&self, ts: &[f64]) -> AtmosState<B> {
        use crate::physics::thermo::qsat_1000;
        let (nlat, nlon) = (self.transform.nlat, self.transform.nlon);
        assert_eq!(ts.len(), nlat * nlon, "one surface temperature per cell");
        let ts0: Vec<f64> = ts
            .chunks(nlon)
            .flat_map(|row| std::iter::repeat_n(row.iter().sum::<f64>() / nlon as f64, nlon))
            .collect();
        let t1: Vec<f64> = ts0
            .iter()
            .map(|t| (t - 1.0 - TREF_SURFACE) / A1_SURFACE)
            .collect();
        let q1: Vec<f64> = ts0
            .iter()
            .map(|t| 0.8 * qsat_1000(t - 1.0) * LATENT_HEAT / CP_AIR - QREF_SURFACE)
            .collect();
        let shape = [1, nlat, nlon];
        let zero = crate::backend::zeros::<B, 3>(shape, &self.device);
        self.initial_state(&AtmosGrid {
            u0: zero.clone(),
            v0: zero.clone(),
            u1: zero.clone(),
            v1: zero,
            t1: tensor_from_vec(t1, shape, &self.device),
            q1: tensor_from_vec(q1, shape, &self.device),
        })
    }

    /// A state at rest with T₁ = q₁ = 0 (the QTCM reference profiles).
    pub fn rest_state(&self) -> AtmosState<B> {
        let m = self.transform.modes();
        let current = crate::backend::zeros::<B, 4>([m, 2, FIELDS, m], &self.device);
        AtmosState {
            previous: current.clone(),
            current,
            step: 0,
        }
    }

    /// The derived entries of the atmosphere's table ([`super::variables::VARIABLES`]) from
    /// a (monthly-mean) spectral state `[M, 2, 5, N]`, each `[1, nlat, nlon]`: the winds at
    /// 9 km u₀ + V₁(9 km) u₁ and v₀ + V₁(9 km) v₁ (m s⁻¹, [`UPPER_V1`]) and the mode
    /// amplitudes T₁ and q₁ (K). They are linear in the state, so the mean state gives their
    /// means.
    pub fn upper_air(&self, spec: &Tensor<B, 4>) -> [(&'static str, Tensor<B, 3>); 4] {
        let g = self.grid_fields(spec);
        [
            ("ua300", g.u0 + g.u1 * UPPER_V1),
            ("va300", g.v0 + g.v1 * UPPER_V1),
            ("t1", g.t1),
            ("q1", g.q1),
        ]
    }

    /// Grid fields of a spectral level set `[M, 2, 5, N]`.
    pub fn grid_fields(&self, spec: &Tensor<B, 4>) -> AtmosGrid<B> {
        let tr = &self.transform;
        let zeta = spec.clone().narrow(2, ZETA0, 2);
        let delta = Tensor::cat(
            vec![level(spec, DELTA1).zeros_like(), level(spec, DELTA1)],
            2,
        );
        let (u, v) = tr.uv_from_vort_div(zeta, delta);
        let tq = tr.synthesis(spec.clone().narrow(2, T1, 2));
        AtmosGrid {
            u0: level3(&u, 0),
            v0: level3(&v, 0),
            u1: level3(&u, 1),
            v1: level3(&v, 1),
            t1: level3(&tq, 0),
            q1: level3(&tq, 1),
        }
    }

    /// Explicit adiabatic tendencies at one level set `x` (`[M, 2, 5, N]` in and out):
    /// advection, Coriolis, the pressure-gradient and stability terms beyond the
    /// semi-implicit linear part (which [`Self::step`] adds).
    pub fn explicit_tendencies(&self, x: &Tensor<B, 4>) -> Tensor<B, 4> {
        let tr = &self.transform;
        let f = self.coriolis.clone();
        let sw = self.switches;
        let grid = tr.synthesis(x.clone());
        let (z0, z1, d1, t1, q1) = (
            level3(&grid, ZETA0),
            level3(&grid, ZETA1),
            level3(&grid, DELTA1),
            level3(&grid, T1),
            level3(&grid, Q1),
        );
        let zeta = x.clone().narrow(2, ZETA0, 2);
        let delta = Tensor::cat(vec![level(x, DELTA1).zeros_like(), level(x, DELTA1)], 2);
        // cos φ-weighted winds U = u cos φ, V = v cos φ of both modes.
        let (uu, vv) = tr.uv_cos_from_vort_div(zeta, delta);
        let (u0, v0, u1, v1) = (
            level3(&uu, 0),
            level3(&vv, 0),
            level3(&uu, 1),
            level3(&vv, 1),
        );
        let abs0 = z0.clone() + f.clone();
        if !sw.baroclinic {
            let (curl, _) = tr.vort_div_from_uv_cos(abs0.clone() * v0.neg(), abs0 * u0);
            let n0 = curl.neg();
            let zero = n0.clone().zeros_like();
            return Tensor::cat(vec![n0, zero.clone(), zero.clone(), zero.clone(), zero], 2);
        }
        let adv = if sw.advection { 1.0 } else { 0.0 };
        // P (mode 0) and Q (mode 1) in cos-weighted components; k×v = (−v, u).
        let (p_u, p_v) = if sw.advection {
            (
                abs0.clone() * v0.clone().neg() - z1.clone() * v1.clone() * V110
                    + d1.clone() * u1.clone() * VW110,
                abs0.clone() * u0.clone()
                    + z1.clone() * u1.clone() * V110
                    + d1.clone() * v1.clone() * VW110,
            )
        } else {
            (f.clone() * v0.clone().neg(), f.clone() * u0.clone())
        };
        let a1 = (z0.clone() + z1.clone() * V111) * adv + f.clone();
        let q_u = a1.clone() * v1.clone().neg()
            + (z1.clone() * v0.clone().neg() + d1.clone() * u1.clone() * VW111) * adv;
        let q_v =
            a1 * u1.clone() + (z1.clone() * u0.clone() + d1.clone() * v1.clone() * VW111) * adv;
        // Tracer fluxes T₁(v₀ + DT₁₁₁ v₁), q₁(v₀ + Dq₁₁₁ v₁).
        let ft_u = t1.clone() * (u0.clone() + u1.clone() * DT111) * adv;
        let ft_v = t1.clone() * (v0.clone() + v1.clone() * DT111) * adv;
        let fq_u = q1.clone() * (u0.clone() + u1.clone() * DQ111) * adv;
        let fq_v = q1.clone() * (v0.clone() + v1.clone() * DQ111) * adv;
        let (curl, div) = tr.vort_div_from_uv_cos(
            Tensor::cat(vec![p_u, q_u, ft_u, fq_u], 0),
            Tensor::cat(vec![p_v, q_v, ft_v, fq_v], 0),
        );
        // Scalars: the Bernoulli term of mode 1, and the grid-point sources of T₁, q₁.
        let bern = (u0 * u1.clone()
            + v0 * v1.clone()
            + (u1.clone() * u1 + v1.clone() * v1) * (0.5 * V111))
            * self.inv_cos2.clone()
            * adv;
        let ms_extra = q1.clone().clamp_min(Q1_CLOUD_TOP) * (GMQ_P / A1_HAT);
        let s_t = d1.clone() * (t1 * (DT111 * adv) - ms_extra);
        let s_q = d1 * (q1.clone() * (DQ111 * adv) + (q1 * GMQ_P + GMQ_R) / B1_HAT);
        let scal = tr.analysis(Tensor::cat(vec![bern, s_t, s_q], 0));
        let n_z0 = level(&curl, 0).neg();
        let n_z1 = level(&curl, 1).neg();
        let n_d1 = level(&div, 1).neg() - tr.laplacian(level(&scal, 0));
        let n_t1 = level(&div, 2).neg() + level(&scal, 1);
        let n_q1 = level(&div, 3).neg() + level(&scal, 2);
        Tensor::cat(vec![n_z0, n_z1, n_d1, n_t1, n_q1], 2)
    }

    /// Spectral tendencies `[M, 2, 5, N]` of the physics forcing and of the mode-1 damping
    /// ε_i1 at level set `x` (evaluated at t − Δt by [`Self::step`]).
    pub fn forcing_tendencies(
        &self,
        x: &Tensor<B, 4>,
        forcing: Option<&AtmosForcing<B>>,
    ) -> Tensor<B, 4> {
        let tr = &self.transform;
        let damp = if self.switches.damping && self.switches.baroclinic {
            EPS_I1
        } else {
            0.0
        };
        let mut n = Tensor::cat(
            vec![
                level(x, ZETA0).zeros_like(),
                level(x, ZETA1) * (-damp),
                level(x, DELTA1) * (-damp),
                level(x, T1).zeros_like(),
                level(x, Q1).zeros_like(),
            ],
            2,
        );
        if let Some(fc) = forcing {
            let cos = tr.cos_lat();
            let (curl, div) = tr
                .vort_div_from_uv_cos(fc.stress_x.clone() * cos.clone(), fc.stress_y.clone() * cos);
            let hq = tr.analysis(Tensor::cat(
                vec![
                    fc.heating.clone() * (1.0 / (CPG * A1_HAT)),
                    fc.moistening.clone() * (1.0 / (CPG * B1_HAT)),
                ],
                0,
            ));
            let base = if self.switches.baroclinic { 1.0 } else { 0.0 };
            n = n + Tensor::cat(
                vec![
                    curl.clone() * (-G_OVER_PT),
                    curl * (-EPS_TAU * base),
                    div * (-EPS_TAU * base),
                    level(&hq, 0) * base,
                    level(&hq, 1) * base,
                ],
                2,
            );
        }
        n
    }

    /// Global-mean kinetic energy (p_T/g)(|**v**₀|² + ⟨V₁²⟩|**v**₁|²)/2 (J m⁻²) of a level
    /// set `[M, 2, 5, N]`, as a 1-element tensor (no host sync).
    pub fn kinetic_energy(&self, x: &Tensor<B, 4>) -> Tensor<B, 1> {
        (x.clone().powi_scalar(2) * self.ke_weight.clone()).sum() * 0.5
    }

    /// The global-mean total-energy tendency (W m⁻²) of adiabatic tendencies `n` at level
    /// set `x`: moist enthalpy C_pg(â₁ ∂T̄₁/∂t + b̂₁ ∂q̄₁/∂t) plus kinetic energy
    /// Σ w (ζ₀ ∂ζ₀/∂t + ⟨V₁²⟩(ζ₁ ∂ζ₁/∂t + δ₁ ∂δ₁/∂t)), including the semi-implicit
    /// pressure-gradient term R λₙ T₁ of the divergence equation.
    fn energy_tendency(&self, x: &Tensor<B, 4>, n: &Tensor<B, 4>) -> Tensor<B, 1> {
        let ke = (x.clone() * n.clone() * self.ke_weight.clone()).sum()
            + (level(x, DELTA1) * level(x, T1) * self.pg_weight.clone()).sum();
        let enthalpy = (n.clone() * self.t1_mean.clone()).sum()
            * (CPG * A1_HAT / std::f64::consts::SQRT_2)
            + (level(n, Q1) * self.tq_mean.clone().narrow(2, Q1, 1)).sum()
                * (CPG * B1_HAT / std::f64::consts::SQRT_2);
        ke + enthalpy
    }

    /// The global-mean total-energy tendency (W m⁻²) the adiabatic dynamics would have at
    /// level set `x` without the energy fixer (after the water fixer): what the fixer
    /// removes. A diagnostic; it costs one evaluation of the explicit tendencies.
    pub fn unfixed_energy_tendency(&self, x: &Tensor<B, 4>) -> Tensor<B, 1> {
        let n = self.explicit_tendencies(x);
        let q_mean = self.tq_mean.clone() - self.t1_mean.clone();
        let n = n.clone() - n * q_mean;
        self.energy_tendency(x, &n)
    }

    /// The energy and water fixers of the adiabatic dynamics (module docs): the global mean
    /// of the q₁ tendency is removed, and the T₁ mean tendency set so that moist enthalpy
    /// plus kinetic energy does not change.
    fn fix_conservation(&self, x: &Tensor<B, 4>, n: Tensor<B, 4>) -> Tensor<B, 4> {
        let q_mean = self.tq_mean.clone() - self.t1_mean.clone();
        let n = n.clone() - n * q_mean;
        let e = self.energy_tendency(x, &n);
        n - self.t1_mean.clone()
            * e.reshape([1, 1, 1, 1])
            * (std::f64::consts::SQRT_2 / (CPG * A1_HAT))
    }

    /// One leapfrog step (module docs) with the physics `forcing` (evaluated by the caller
    /// at t − Δt, i.e. from `state.previous`; `None`: adiabatic).
    pub fn step(&self, state: AtmosState<B>, forcing: Option<&AtmosForcing<B>>) -> AtmosState<B> {
        let first = state.step == 0;
        let h = self.dt;
        let two_h = if first { h } else { 2.0 * h };
        let half = two_h / 2.0;
        let old = if first {
            state.current.clone()
        } else {
            state.previous.clone()
        };
        let mut explicit = self.explicit_tendencies(&state.current);
        if self.switches.baroclinic {
            explicit = self.fix_conservation(&state.current, explicit);
        }
        let n = explicit + self.forcing_tendencies(&old, forcing);
        let ms = if self.switches.baroclinic {
            GMS_R / A1_HAT
        } else {
            0.0
        };
        let c2 = R_AIR * ms;
        let (d_m, t_m) = (level(&old, DELTA1), level(&old, T1));
        let (n_d, n_t) = (level(&n, DELTA1), level(&n, T1));
        let hl = self.lambda.clone() * (half * half * c2);
        let t_p = (t_m.clone() * (hl.clone().neg() + 1.0) + n_t * two_h
            - d_m.clone() * (two_h * ms)
            - n_d.clone() * (half * two_h * ms))
            / (hl + 1.0);
        let d_p = d_m + n_d * two_h + (t_p.clone() + t_m) * self.lambda.clone() * (half * R_AIR);
        let z_p = old.clone().narrow(2, ZETA0, 2) + n.clone().narrow(2, ZETA0, 2) * two_h;
        let q_p = level(&old, Q1) + level(&n, Q1) * two_h;
        let k = usize::from(!first);
        let undiffused = Tensor::cat(vec![z_p, d_p, t_p, q_p], 2);
        let mut new = undiffused.clone() * self.diffusion[k].clone();
        if self.switches.baroclinic {
            // The kinetic energy the implicit diffusion removes returns as heat (global mean).
            let lost = (undiffused.powi_scalar(2) * self.ke_loss_weight[k].clone()).sum() * 0.5;
            new = new
                + self.t1_mean.clone()
                    * lost.reshape([1, 1, 1, 1])
                    * (std::f64::consts::SQRT_2 / (CPG * A1_HAT));
        }
        let nu = self.settings.raw_nu;
        if first || nu == 0.0 {
            return AtmosState {
                previous: state.current,
                current: new,
                step: state.step + 1,
            };
        }
        let alpha = self.settings.raw_alpha;
        // The filter leaves the global means of T₁ and q₁ alone, so that their leapfrog budget
        // (mean of the two time levels) closes exactly.
        let d = (old - state.current.clone() * 2.0 + new.clone()) * (0.5 * nu);
        let d = d.clone() - d * self.tq_mean.clone();
        AtmosState {
            previous: state.current + d.clone() * alpha,
            current: new - d * (1.0 - alpha),
            step: state.step + 1,
        }
    }

    /// The atmosphere's lowest-level state for the coupler's bulk formulae (NZ eqs. 5.16–5.17,
    /// 4.13): surface air temperature T_ref,s + a₁ₛT₁ (K), specific humidity
    /// (q_ref,s + b₁ₛq₁) c_p/L (kg kg⁻¹) and wind **v**₀ + V₁ₛ**v**₁ (m s⁻¹), from grid fields.
    pub fn surface_air(&self, g: &AtmosGrid<B>) -> SurfaceAir<B> {
        SurfaceAir {
            temperature: g.t1.clone() * A1_SURFACE + TREF_SURFACE,
            humidity: (g.q1.clone() * B1_SURFACE + QREF_SURFACE) * (CP_AIR / LATENT_HEAT),
            u: g.u0.clone() + g.u1.clone() * V1_SURFACE,
            v: g.v0.clone() + g.v1.clone() * V1_SURFACE,
        }
    }

    /// Global means (J m⁻², J m⁻², kg m⁻²; each `[1]`, on the device) of the column's moist
    /// enthalpy C_pg(â₁T₁ + b̂₁q₁), kinetic energy (p_T/g)(|**v**₀|² + ⟨V₁²⟩|**v**₁|²)/2 and
    /// water C_pg b̂₁q₁/L, relative to the reference profiles, of a spectral level set
    /// `[M, 2, 5, N]` (the (0, 0) coefficient is √2 × the global mean).
    pub fn column_stores(&self, x: &Tensor<B, 4>) -> (Tensor<B, 1>, Tensor<B, 1>, Tensor<B, 1>) {
        use super::qtcm::{A1_HAT, B1_HAT, CPG, LATENT_HEAT};
        let ke = self.kinetic_energy(x);
        let mean = |k: usize| -> Tensor<B, 1> {
            x.clone()
                .narrow(2, k, 1)
                .narrow(0, 0, 1)
                .narrow(1, 0, 1)
                .narrow(3, 0, 1)
                .reshape([1])
                / std::f64::consts::SQRT_2
        };
        let (t1, q1) = (mean(T1), mean(Q1));
        (
            (t1 * A1_HAT + q1.clone() * B1_HAT) * CPG,
            ke,
            q1 * (CPG * B1_HAT / LATENT_HEAT),
        )
    }

    /// The device the model lives on.
    pub fn device(&self) -> &B::Device {
        &self.device
    }
}
