//! Implicit vertical diffusion of tracers with convective adjustment by enhanced
//! diffusivity (Veros without TKE: κ = κ₀, and κ = κ_conv where the water column is
//! statically unstable).
//!
//! Stability at the top face of cell k (between cells k−1 above and k below) from the
//! density of both cells referenced to the face depth z_f (so compressibility cancels):
//! Δρ_k = ρ′(Θ_k, S_k, z_f) − ρ′(Θ_{k−1}, S_{k−1}, z_f); N² = g Δρ / (ρ₀ Δz_w) and the column
//! is unstable where Δρ < 0 (lighter water below). The diffusivity on that face is
//! κ = κ₀ + κ_conv·\[Δρ < 0\]. Each tracer then takes one backward-Euler step
//!
//! (T⁺_k − T_k)/Δt = [κ_{k} (T⁺_{k−1} − T⁺_k)/Δz_{w,k} − κ_{k+1} (T⁺_k − T⁺_{k+1})/Δz_{w,k+1}] / Δz_k,
//!
//! with no flux through the surface and the sea floor (faces that are not wet on both sides),
//! solved column by column with [`crate::numerics::tridiagonal`]. The scheme conserves
//! Σ Δz T in every column to round-off and is unconditionally stable.
//!
//! # References
//! Marotzke, J. (1991), J. Phys. Oceanogr. 21, 903–907 (convection by enhanced diffusion);
//! Häfner et al. (2018), Geosci. Model Dev. 11, 3299–3312.

use super::eos::EquationOfState;
use super::model::OceanModel;
use super::momentum::{above, below};
use crate::numerics::tridiagonal::solve_tridiagonal;
use burn_tensor::{backend::Backend, Tensor};

/// Vertical mixing parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerticalMixing {
    /// Background diffusivity κ₀ (m² s⁻¹).
    pub background: f64,
    /// Convective diffusivity κ_conv added where the column is unstable (m² s⁻¹).
    pub convective: f64,
}

impl VerticalMixing {
    /// Diffusivity on the top face of every cell (m² s⁻¹), `[nz, ny, nx]`; 0 on faces that are
    /// not wet on both sides (the surface, the sea floor, land).
    pub fn face_diffusivity<B: Backend>(
        &self,
        model: &OceanModel<B>,
        eos: &EquationOfState,
        theta: Tensor<B, 3>,
        salt: Tensor<B, 3>,
        face_depth: Tensor<B, 3>,
    ) -> Tensor<B, 3> {
        let open = model.mask_t.clone() * above(model.mask_t.clone(), 0.0);
        let here = eos.density_anomaly(theta.clone(), salt.clone(), face_depth.clone());
        let up = eos.density_anomaly(above(theta, 0.0), above(salt, 0.0), face_depth);
        let diff = here - up;
        let unstable = diff.zeros_like().mask_fill(diff.lower_elem(0.0), 1.0);
        (unstable * self.convective + self.background) * open
    }

    /// The increment δ of one implicit mixing step of x* = x + Δ (any unit) over `dt` (s), with
    /// face diffusivities `kappa` from [`Self::face_diffusivity`]: the solution of
    /// (I − Δt D) δ = Δt (D x + D Δ), so x* + δ is the backward-Euler step of x* and no small
    /// part of Δ is rounded away by forming x*; `[nz, ny, nx]` in and out.
    pub fn increment<B: Backend>(
        &self,
        model: &OceanModel<B>,
        x: Tensor<B, 3>,
        delta: Tensor<B, 3>,
        kappa: Tensor<B, 3>,
        dt: f64,
    ) -> Tensor<B, 3> {
        let rhs = (explicit_column(model.dz.clone(), kappa.clone(), x)
            + explicit_column(model.dz.clone(), kappa.clone(), delta))
            * dt;
        implicit_column(model.dz.clone(), kappa, None, dt, rhs) * model.mask_t.clone()
    }

    /// One implicit mixing step of `tracer` (any unit) over `dt` (s) with face diffusivities
    /// `kappa` from [`Self::face_diffusivity`]; `[nz, ny, nx]` in and out.
    pub fn step<B: Backend>(
        &self,
        model: &OceanModel<B>,
        tracer: Tensor<B, 3>,
        kappa: Tensor<B, 3>,
        dt: f64,
    ) -> Tensor<B, 3> {
        implicit_column(model.dz.clone(), kappa, None, dt, tracer) * model.mask_t.clone()
    }
}

/// The vertical diffusion operator D x = [κ_k (x_{k−1} − x_k)/Δz_{w,k} −
/// κ_{k+1} (x_k − x_{k+1})/Δz_{w,k+1}] / Δz_k (unit of x per s), with the conventions of
/// [`implicit_column`]; Σ Δz D x = 0 in every column.
pub fn explicit_column<B: Backend>(
    dz: Tensor<B, 3>,
    kappa: Tensor<B, 3>,
    x: Tensor<B, 3>,
) -> Tensor<B, 3> {
    let dzw = (dz.clone() + above(dz.clone(), 0.0)) * 0.5;
    let flux = kappa / dzw * (above(x.clone(), 0.0) - x);
    (flux.clone() - below(flux, 0.0)) / dz
}

/// One backward-Euler step of vertical diffusion in every column,
///
/// (x⁺_k − x_k)/Δt = [κ_k (x⁺_{k−1} − x⁺_k)/Δz_{w,k} − κ_{k+1} (x⁺_k − x⁺_{k+1})/Δz_{w,k+1}] / Δz_k − r_k x⁺_k,
///
/// with `kappa` (m² s⁻¹) on the top face of every cell (0 on closed faces), an optional
/// implicit linear drag r (s⁻¹, e.g. bottom drag on the deepest wet level) and
/// Δz_{w,k} = (Δz_{k−1} + Δz_k)/2. `dz` is `[nz, 1, 1]`, the others `[nz, ny, nx]`. Used for
/// tracers (no drag: Σ Δz x is conserved) and for momentum (vertical friction and bottom drag).
pub fn implicit_column<B: Backend>(
    dz: Tensor<B, 3>,
    kappa: Tensor<B, 3>,
    drag: Option<Tensor<B, 3>>,
    dt: f64,
    x: Tensor<B, 3>,
) -> Tensor<B, 3> {
    // Distance between the centres of k−1 and k (level 0: unused, its face is closed).
    let dzw = (dz.clone() + above(dz.clone(), 0.0)) * 0.5;
    let top = kappa / dzw; // κ_k/Δz_{w,k} on the top face of k
    let bottom = below(top.clone(), 0.0); // the top face of k+1 is the bottom face of k
    let a = top.clone().neg() * dt / dz.clone();
    let c = bottom.clone().neg() * dt / dz.clone();
    let mut b = (top + bottom) * dt / dz + 1.0;
    if let Some(r) = drag {
        b = b + r * dt;
    }
    solve_tridiagonal(a, b, c, x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{tensor_from_vec, to_vec_f64, Cpu64};
    use crate::config::ResolvedConfig;
    use crate::grid::ModelGrids;

    #[test]
    fn convection_mixes_an_unstable_column_and_conserves_heat() {
        let d = Default::default();
        let cfg = ResolvedConfig::builtin("t31").unwrap().model;
        let grids = ModelGrids::new(&cfg).unwrap();
        let (nz, ny, nx) = (grids.levels.nz(), grids.ocean.ny, grids.ocean.nx());
        // Column 0 is 6 levels deep, column 1 stays dry, all others 15 levels.
        let mut kbot = vec![nz; ny * nx];
        kbot[0] = 6;
        kbot[1] = 0;
        let m = OceanModel::<Cpu64>::from_kbot(&cfg, &grids, &kbot, &d).unwrap();
        let n = nz * ny * nx;
        // Unstable: warm (light) water under cold water in every column; salinity uniform.
        let theta: Vec<f64> = (0..n).map(|p| 2.0 + 1.5 * (p / (ny * nx)) as f64).collect();
        let theta = tensor_from_vec::<Cpu64, 3>(theta, [nz, ny, nx], &d) * m.mask_t.clone();
        let salt = tensor_from_vec::<Cpu64, 3>(vec![35.0; n], [nz, ny, nx], &d) * m.mask_t.clone();
        let face_depth =
            tensor_from_vec::<Cpu64, 3>(grids.levels.z_w[..nz].to_vec(), [nz, 1, 1], &d);
        let eos = EquationOfState::Vallis2008;
        let mix = VerticalMixing {
            background: 2e-5,
            convective: 1.0,
        };
        let kappa = mix.face_diffusivity(&m, &eos, theta.clone(), salt.clone(), face_depth.clone());
        let k = to_vec_f64(kappa.clone());
        assert!(
            k[ny * nx + 2] > 0.9,
            "an unstable face gets the convective diffusivity"
        );
        assert_eq!(k[2], 0.0, "the surface is closed");
        assert_eq!(k[6 * ny * nx], 0.0, "the sea floor of column 0 is closed");
        let before = to_vec_f64(m.integrate_volume(theta.clone()))[0];
        let mixed = mix.step(&m, theta, kappa, 10.0 * 86400.0);
        let after = to_vec_f64(m.integrate_volume(mixed.clone()))[0];
        assert!(
            (after / before - 1.0).abs() < 1e-13,
            "heat {before} → {after}"
        );
        // One 10-day backward-Euler step with κ = 1 m² s⁻¹ over the 6-level column (824 m):
        // the gravest mode decays by 1/(1 + π²κΔt/H²) ≈ 0.07, so the initial 7.5 K spread falls
        // below a tenth.
        let v = to_vec_f64(mixed);
        let col: Vec<f64> = (0..6).map(|k| v[k * ny * nx]).collect();
        let spread = col.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - col.iter().cloned().fold(f64::INFINITY, f64::min);
        assert!(spread < 0.75, "column 0 still spans {spread} K: {col:?}");
        assert!(
            v[nz * ny * nx - ny * nx + 1] == 0.0 && v[1] == 0.0,
            "dry cells stay 0"
        );
        // A stable column only feels the weak background diffusion.
        let stable: Vec<f64> = (0..n)
            .map(|p| 20.0 - 1.2 * (p / (ny * nx)) as f64)
            .collect();
        let stable = tensor_from_vec::<Cpu64, 3>(stable, [nz, ny, nx], &d) * m.mask_t.clone();
        let kappa = mix.face_diffusivity(&m, &eos, stable.clone(), salt, face_depth);
        assert!(to_vec_f64(kappa.clone()).iter().all(|k| *k <= 2e-5 + 1e-20));
        let out = to_vec_f64(mix.step(&m, stable.clone(), kappa, 86400.0));
        let diff = to_vec_f64(stable)
            .iter()
            .zip(&out)
            .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
        assert!(diff < 0.05, "a stable column changed by {diff} K in a day");
    }
}
