//! Mesoscale eddy parameterisation: Gent–McWilliams (GM) eddy-induced advection and
//! isoneutral (Redi) diffusion in the small-slope approximation, with the
//! Danabasoglu–McWilliams slope taper.
//!
//! **Slopes.** With z positive up and ρ the locally referenced density, the isoneutral slopes
//! are S_x = −∂_xρ/∂_zρ and S_y = −∂_yρ/∂_zρ. They live on the top faces of the U and V
//! cells ("UW" and "VW" points, between levels k−1 and k of a wet velocity column):
//!
//! ∂_xρ|_UW = ½(∂_xρ|_{U,k−1} + ∂_xρ|_{U,k}),   ∂_zρ|_UW = ½(∂_zρ|_{W,i} + ∂_zρ|_{W,i+1}),
//!
//! with ∂_xρ|_U = (ρ′_{i+1} − ρ′_i)/Δx_T from ρ′(Θ, S, z_k) at the level's depth and
//! ∂_zρ|_W = [ρ′(Θ_{k−1}, S_{k−1}, z_f) − ρ′(Θ_k, S_k, z_f)]/Δz_w at the face depth z_f (so the
//! compressibility of the Vallis equation cancels); likewise in y. Where the column is
//! neutral or unstable (∂_zρ ≥ 0) the slope is undefined; the denominator is bounded away
//! from zero by min(∂_zρ, −ε), ε = 10⁻¹² kg m⁻⁴, which only matters where the taper below is
//! already exactly 0 in floating point (|S| ≥ 10⁴ there for any horizontal gradient
//! above 10⁻⁸ kg m⁻⁴). Each slope is multiplied by the taper
//!
//! f(S) = ½[1 + tanh((S_max − |S|)/S_d)]   (Danabasoglu & McWilliams 1995, eq. 3),
//!
//! (`slope_max`, `slope_width` in the model file; each direction with its own |S|), so GM and
//! Redi fade out in the mixed layer and in convective regions; S̃ = f(S) S.
//!
//! **GM** (Gent & McWilliams 1990; Gent et al. 1995, eq. 9): the eddy-induced
//! ("bolus") velocity is the curl of the vector streamfunction Ψ = K_GM (S̃_x, S̃_y) held at
//! the UW/VW points, zero at the surface and below the deepest wet velocity level:
//!
//! u* = −∂_z Ψ_x = −(Ψ_{x,k} − Ψ_{x,k+1})/Δz_k,   v* = −∂_z Ψ_y,
//! w* = ∂_xΨ_x + ∂_yΨ_y (from continuity of u*, v*, as for the resolved flow).
//!
//! Σ_k u* Δz_k = 0 in every column, so the barotropic flow is untouched, and tracers are
//! advected by u + u* with the same flux-form superbee scheme: the parameterisation is
//! adiabatic and conserves every tracer to round-off.
//!
//! **Redi** (Redi 1982; small-slope tensor of Gent & McWilliams 1990, Griffies 2004 eq.
//! 14.60): the diffusive flux −K∇T has, in the tracer's (−flux) convention,
//!
//! G_x = K_h ∂_xT + K_iso S̃_x ∂_zT,   G_y = K_h ∂_yT + K_iso S̃_y ∂_zT,
//! G_z = K_iso (S̃_x ∂_xT + S̃_y ∂_yT) + K_iso (S̃_x² + S̃_y²) ∂_zT,
//!
//! where the K_h terms are the lateral diffusion already in [`super::step`](mod@super::step) and K_iso ≤ K_h
//! keeps the tensor positive semi-definite (K_h K_iso S̃² ≥ (K_iso S̃)²). The off-diagonal
//! terms are explicit, averaged as in Cox (1987): K_iso S̃_x ∂_zT at UW points with ∂_zT
//! averaged from the two W points, then to the U face from the UW points above and below;
//! K_iso S̃_x ∂_xT at UW points with ∂_xT averaged from the two U levels, then to the W point
//! from the UW points east and west. The K₃₃ = K_iso (S̃_x² + S̃_y²) term (the average of the
//! neighbouring UW and VW values at each W point) joins the implicit vertical diffusivity,
//! so steep slopes cannot make the step unstable. For a field that is a function of density
//! alone and linear in space, the slope terms cancel the horizontal diffusion exactly (tested).
//!
//! Shapes: all fields `[nz, ny, nx]`; UW/VW values on the top face of level k (0 in level 0).
//!
//! # References
//! Gent, P. R. & McWilliams, J. C. (1990), J. Phys. Oceanogr. 20, 150–155; Gent, P. R.,
//! Willebrand, J., McDougall, T. J. & McWilliams, J. C. (1995), J. Phys. Oceanogr. 25,
//! 463–474; Redi, M. H. (1982), J. Phys. Oceanogr. 12, 1154–1158; Cox, M. D. (1987), Ocean
//! Modelling 74, 1–5; Danabasoglu, G. & McWilliams, J. C. (1995), J. Climate 8, 2967–2987;
//! Griffies, S. M. (2004), Fundamentals of Ocean Climate Models, ch. 14–15.

use super::model::OceanModel;
use super::momentum::{above, below, vertical_velocity};
use crate::numerics::stencil::{east, north, south, west};
use burn_tensor::{backend::Backend, Tensor};

/// Bound on the vertical density gradient in the slope's denominator (kg m⁻⁴).
const MIN_STRATIFICATION: f64 = 1e-12;

/// Tapered isoneutral slopes and what GM and Redi derive from them for one step.
#[derive(Debug, Clone)]
pub struct Isoneutral<B: Backend> {
    /// Tapered slope S̃_x = f S_x at UW points (1), `[nz, ny, nx]`.
    pub slope_x: Tensor<B, 3>,
    /// Tapered slope S̃_y = f S_y at VW points (1), `[nz, ny, nx]`.
    pub slope_y: Tensor<B, 3>,
    /// GM bolus velocity u* at U faces (m s⁻¹).
    pub bolus_u: Tensor<B, 3>,
    /// GM bolus velocity v* at V faces (m s⁻¹).
    pub bolus_v: Tensor<B, 3>,
    /// GM bolus velocity w* on the top faces of T cells (m s⁻¹).
    pub bolus_w: Tensor<B, 3>,
    /// Implicit Redi diffusivity K₃₃ = K_iso (S̃_x² + S̃_y²) on T top faces (m² s⁻¹).
    pub k33: Tensor<B, 3>,
    k_iso: f64,
}

/// Danabasoglu–McWilliams taper ½[1 + tanh((S_max − |S|)/S_d)] times S.
fn tapered<B: Backend>(s: Tensor<B, 3>, s_max: f64, s_d: f64) -> Tensor<B, 3> {
    let f = ((s.clone().abs().neg() + s_max) / s_d).tanh() * 0.5 + 0.5;
    s * f
}

impl<B: Backend> Isoneutral<B> {
    /// Slopes, bolus velocities and K₃₃ of the tracers (Θ, S) at the start of the step.
    pub fn new(model: &OceanModel<B>, theta: Tensor<B, 3>, salt: Tensor<B, 3>) -> Self {
        let c = &model.consts;
        let ph = &model.physics;
        let s = &ph.settings;
        let inv_dy = 1.0 / model.metrics.dy;
        // Locally referenced density differences.
        let rho = ph
            .eos
            .density_anomaly(theta.clone(), salt.clone(), c.z_t.clone());
        let drho_x = (east(rho.clone()) - rho.clone()) * c.inv_dx_t.clone() * model.mask_u.clone();
        let drho_y = (north(rho.clone(), 0.0) - rho) * inv_dy * model.mask_v.clone();
        let here = ph
            .eos
            .density_anomaly(theta.clone(), salt.clone(), c.z_top.clone());
        let up = ph
            .eos
            .density_anomaly(above(theta, 0.0), above(salt, 0.0), c.z_top.clone());
        let drho_z = (up - here) / dz_w(model) * c.open_top.clone();
        // Slopes at UW and VW points.
        let slope = |dh: Tensor<B, 3>, dz_pair: Tensor<B, 3>, open: Tensor<B, 3>| {
            let dh = (above(dh.clone(), 0.0) + dh) * 0.5;
            let dzr = (dz_pair * 0.5).clamp_max(-MIN_STRATIFICATION);
            tapered(dh.neg() / dzr, s.slope_max, s.slope_width) * open
        };
        let slope_x = slope(
            drho_x,
            drho_z.clone() + east(drho_z.clone()),
            c.open_top_u.clone(),
        );
        let slope_y = slope(
            drho_y,
            drho_z.clone() + north(drho_z, 0.0),
            c.open_top_v.clone(),
        );
        // GM: bolus velocities from Ψ = K_GM S̃.
        let bolus = |psi: Tensor<B, 3>| (below(psi.clone(), 0.0) - psi) / model.dz.clone();
        let bolus_u = bolus(slope_x.clone() * s.gm_diffusivity) * model.mask_u.clone();
        let bolus_v = bolus(slope_y.clone() * s.gm_diffusivity) * model.mask_v.clone();
        let bolus_w = vertical_velocity(model, bolus_u.clone(), bolus_v.clone());
        // K₃₃ at W points from the neighbouring UW and VW points.
        let sx2 = slope_x.clone().powi_scalar(2);
        let sy2 = slope_y.clone().powi_scalar(2);
        let k33 = ((sx2.clone() + west(sx2) + sy2.clone() + south(sy2, 0.0))
            * (0.5 * s.isoneutral_diffusivity))
            * c.open_top.clone();
        Isoneutral {
            slope_x,
            slope_y,
            bolus_u,
            bolus_v,
            bolus_w,
            k33,
            k_iso: s.isoneutral_diffusivity,
        }
    }

    /// Explicit Redi slope terms ∂_x(K_iso S̃_x ∂_zT) + ∂_y(K_iso S̃_y ∂_zT) +
    /// ∂_z[K_iso(S̃_x ∂_xT + S̃_y ∂_yT)] (unit of `x` per s), flux form with no flux through
    /// land, the sea floor or the surface; `[nz, ny, nx]` in and out.
    pub fn redi_tendency(&self, model: &OceanModel<B>, x: Tensor<B, 3>) -> Tensor<B, 3> {
        let c = &model.consts;
        let dy = model.metrics.dy;
        // Vertical gradient at W points and horizontal gradients at U and V faces.
        let gz = (above(x.clone(), 0.0) - x.clone()) / dz_w(model) * c.open_top.clone();
        let gx = (east(x.clone()) - x.clone()) * c.inv_dx_t.clone() * model.mask_u.clone();
        let gy = (north(x.clone(), 0.0) - x) * (1.0 / dy) * model.mask_v.clone();
        let k = self.k_iso;
        // Horizontal fluxes: K S̃ ∂_zT at UW/VW, then to the faces of levels k.
        let ax = self.slope_x.clone() * (gz.clone() + east(gz.clone())) * (0.5 * k);
        let ay = self.slope_y.clone() * (gz.clone() + north(gz, 0.0)) * (0.5 * k);
        let fx = (ax.clone() + below(ax, 0.0)) * (0.5 * dy);
        let fy = (ay.clone() + below(ay, 0.0)) * (c.dx_v.clone() * 0.5);
        // Vertical flux: K S̃ ∂_hT at UW/VW with ∂_hT from the two levels, then to W points.
        let bx = self.slope_x.clone() * (above(gx.clone(), 0.0) + gx) * (0.5 * k);
        let by = self.slope_y.clone() * (above(gy.clone(), 0.0) + gy) * (0.5 * k);
        let fz = ((bx.clone() + west(bx) + by.clone() + south(by, 0.0)) * 0.5) * c.open_top.clone();
        ((fx.clone() - west(fx) + fy.clone() - south(fy, 0.0)) / c.area_t.clone()
            + (fz.clone() - below(fz, 0.0)) / model.dz.clone())
            * model.mask_t.clone()
    }
}

/// Distance between the centres of levels k−1 and k, Δz_w = (Δz_{k−1} + Δz_k)/2 (m),
/// `[nz, 1, 1]` (level 0: Δz₀/2, unused since its top face is closed).
fn dz_w<B: Backend>(model: &OceanModel<B>) -> Tensor<B, 3> {
    (model.dz.clone() + above(model.dz.clone(), 0.0)) * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{tensor_from_vec, to_vec_f64, Cpu64};
    use crate::config::{ConfigRequest, ResolvedConfig};
    use crate::grid::ModelGrids;
    use crate::ocean::advection::{superbee_tendency, FaceVelocity};
    use crate::ocean::step::lateral_diffusion;

    type B = Cpu64;

    /// A flat-bottom box of 10 levels of 100 m between 10°N and 50°N, 3.75° columns
    /// 2..=29 wet, linear equation of state, K_h = K_iso = K_GM = 1000 m² s⁻¹.
    fn box_model() -> (OceanModel<B>, ModelGrids) {
        let req = ConfigRequest {
            model: Some("t31".into()),
            sets: [
                "ocean.lat_south=10",
                "ocean.lat_north=50",
                "ocean.nlat=20",
                "ocean.nz=10",
                "ocean.dz_top=100",
                "ocean.depth=1000",
                "ocean_physics.equation_of_state=\"linear\"",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            ..Default::default()
        };
        let cfg = ResolvedConfig::resolve(&req).unwrap().model;
        let grids = ModelGrids::new(&cfg).unwrap();
        let (ny, nx) = (grids.ocean.ny, grids.ocean.nx());
        let kbot: Vec<usize> = (0..ny * nx)
            .map(|p| {
                let (j, i) = (p / nx, p % nx);
                if (1..ny - 1).contains(&j) && (2..30).contains(&i) {
                    10
                } else {
                    0
                }
            })
            .collect();
        let m = OceanModel::<B>::from_kbot(&cfg, &grids, &kbot, &Default::default()).unwrap();
        (m, grids)
    }

    /// Θ = 20 °C − a·depth + b·(distance), in y (`along_y`) or x, and S = 35.
    fn field(m: &OceanModel<B>, g: &ModelGrids, b: f64, along_y: bool) -> Tensor<B, 3> {
        let [nz, ny, nx] = m.shape;
        let a = 0.005;
        let rad = m.physics.radius;
        let v: Vec<f64> = (0..nz * ny * nx)
            .map(|p| {
                let (k, j, i) = (p / (ny * nx), (p / nx) % ny, p % nx);
                let dist = if along_y {
                    j as f64 * m.metrics.dy
                } else {
                    i as f64 * rad * g.ocean.lon.dlon_rad()
                };
                20.0 - a * g.levels.z_t[k] + b * dist
            })
            .collect();
        tensor_from_vec(v, [nz, ny, nx], &Default::default()) * m.mask_t.clone()
    }

    /// Cells at least two cells from walls, the surface and the floor.
    fn interior(m: &OceanModel<B>) -> Vec<bool> {
        let [nz, ny, nx] = m.shape;
        (0..nz * ny * nx)
            .map(|p| {
                let (k, j, i) = (p / (ny * nx), (p / nx) % ny, p % nx);
                (2..nz - 2).contains(&k) && (3..ny - 3).contains(&j) && (4..28).contains(&i)
            })
            .collect()
    }

    #[test]
    fn redi_leaves_functions_of_density_unchanged_in_the_interior() {
        let (m, g) = box_model();
        let ny = m.shape[1];
        for along_y in [true, false] {
            // Slope |S| = b/a = 1e-3, where the taper is 1 − 1.5e-8.
            let theta = field(&m, &g, 5e-6, along_y);
            let salt = theta.ones_like() * 35.0 * m.mask_t.clone();
            let iso = Isoneutral::new(&m, theta.clone(), salt);
            let s = to_vec_f64(if along_y {
                iso.slope_y.clone()
            } else {
                iso.slope_x.clone()
            });
            let smax = s.iter().fold(0.0f64, |a, x| a.max(x.abs()));
            // In x, Θ is linear in longitude, so the slope is b/(a cos φ) ≤ 1.56e-3 at 50°N.
            let expect = if along_y {
                1e-3
            } else {
                1e-3 / g.ocean.lat_t_deg[ny - 2].to_radians().cos()
            };
            assert!(
                (smax / expect - 1.0).abs() < 1e-6,
                "slope {smax} vs {expect}"
            );
            // A tracer that is a function of density: C = Θ². Horizontal diffusion alone
            // changes it (∇·(K∇Θ²) = 2K|∇_hΘ|²); with the Redi slope terms (−2K|∇_hΘ|² from
            // each off-diagonal pair, +2K|∇_hΘ|² from K₃₃) it does not.
            let c = theta.clone().powi_scalar(2);
            let horizontal = to_vec_f64(lateral_diffusion(&m, c.clone()));
            // The K₃₃ part (implicit in the step) written out explicitly here.
            let gz = (above(c.clone(), 0.0) - c.clone()) / dz_w(&m) * iso.k33.clone();
            let k33 = (gz.clone() - below(gz, 0.0)) / m.dz.clone();
            let total = to_vec_f64(
                lateral_diffusion(&m, c.clone()) + iso.redi_tendency(&m, c.clone()) + k33,
            );
            let inside = interior(&m);
            let (mut hmax, mut tmax) = (0.0f64, 0.0f64);
            for p in 0..inside.len() {
                if inside[p] {
                    hmax = hmax.max(horizontal[p].abs());
                    tmax = tmax.max(total[p].abs());
                }
            }
            println!("along_y {along_y}: horizontal {hmax:e}, with Redi {tmax:e}");
            assert!(hmax > 1e-12, "horizontal diffusion of Θ² is {hmax}");
            assert!(tmax < 1e-6 * hmax, "Redi left {tmax:e} of {hmax:e}");
        }
    }

    #[test]
    fn gm_bolus_flattens_isopycnals_conserves_heat_and_is_depth_free() {
        let (m, g) = box_model();
        let [nz, ny, nx] = m.shape;
        let theta = field(&m, &g, 5e-6, true);
        let salt = theta.ones_like() * 35.0 * m.mask_t.clone();
        let iso = Isoneutral::new(&m, theta.clone(), salt);
        // Uniform slope S = −b/a: Ψ = K_GM S̃ in the interior, so v* = K_GM S̃/Δz₀ in level 0
        // (southward: light water spreads over dense water), −K_GM S̃/Δz_bottom in the
        // deepest level and 0 between.
        let s = -1e-3;
        let st = s * 0.5 * (1.0 + ((0.01 - 1e-3) / 1e-3f64).tanh());
        let v = to_vec_f64(iso.bolus_v.clone());
        let p = (ny / 2) * nx + 10;
        let expect_top = 1000.0 * st / 100.0;
        assert!(
            (v[p] / expect_top - 1.0).abs() < 1e-9,
            "{} vs {expect_top}",
            v[p]
        );
        assert!((v[(nz - 1) * ny * nx + p] / -expect_top - 1.0).abs() < 1e-9);
        for k in 1..nz - 1 {
            assert!(v[k * ny * nx + p].abs() < 1e-12 * expect_top.abs());
        }
        // Σ_k v* Δz = 0 in every column.
        let col = to_vec_f64((iso.bolus_v.clone() * m.dz.clone()).sum_dim(0));
        let vmax = v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        assert!(
            col.iter().all(|c| c.abs() < 1e-12 * vmax * 1000.0),
            "{col:?}"
        );
        // Advection by the bolus velocity conserves heat and lowers the potential energy
        // ∫ g ρ′ z dV (z up) of the linear-EOS fluid, where ρ′ = −ρ₀β_T(Θ − Θ₀).
        let vel = FaceVelocity {
            u: iso.bolus_u.clone(),
            v: iso.bolus_v.clone(),
            w: iso.bolus_w.clone(),
        };
        let tend = superbee_tendency(&m, theta.clone(), &vel, 3600.0);
        let dheat = to_vec_f64(m.integrate_volume(tend.clone()))[0];
        let heat_scale = to_vec_f64(m.integrate_volume(theta.clone().abs()))[0];
        assert!(
            dheat.abs() < 1e-15 * heat_scale,
            "heat changes at {dheat:e}"
        );
        let z = m.consts.z_t.clone().neg();
        let dpe =
            to_vec_f64(m.integrate_volume(tend * z * (-m.physics.gravity * 1024.0 * 1.67e-4)))[0];
        assert!(
            dpe < 0.0,
            "GM must release potential energy, dPE/dt = {dpe:e}"
        );
    }

    #[test]
    fn taper_switches_gm_and_redi_off_in_unstratified_water() {
        let (m, g) = box_model();
        let [nz, ny, nx] = m.shape;
        // No vertical gradient: the slope is unbounded; the taper makes it exactly 0.
        let v: Vec<f64> = (0..nz * ny * nx)
            .map(|p| 10.0 + 1e-5 * ((p / nx) % ny) as f64 * m.metrics.dy)
            .collect();
        let theta =
            tensor_from_vec::<B, 3>(v, [nz, ny, nx], &Default::default()) * m.mask_t.clone();
        let salt = theta.ones_like() * 35.0 * m.mask_t.clone();
        let iso = Isoneutral::new(&m, theta, salt);
        let _ = g;
        for f in [iso.slope_x, iso.slope_y, iso.bolus_v, iso.bolus_w, iso.k33] {
            let x = to_vec_f64(f);
            assert!(
                x.iter().all(|x| *x == 0.0),
                "{:?}",
                x.iter().find(|x| **x != 0.0)
            );
        }
    }
}
