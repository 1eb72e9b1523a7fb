//! What is constant during an ocean run: metrics, levels and masks as tensors.

use crate::backend::tensor_from_vec;
use crate::forcing::BoundaryData;
use crate::grid::{ModelGrids, OceanMetrics};
use burn_tensor::{backend::Backend, Tensor};

/// Errors building the ocean model.
#[derive(Debug, thiserror::Error)]
pub enum OceanModelError {
    /// The boundary data's bottom index exceeds the model's levels.
    #[error("ocean_grid.nc has kbot = {kbot} at cell {cell} but the model has {nz} levels; regenerate the boundary data for this model file (models/data/README.md)")]
    Levels {
        /// The offending bottom index.
        kbot: usize,
        /// Flat cell index j·nx + i.
        cell: usize,
        /// Model levels.
        nz: usize,
    },
}

/// The ocean's constant fields.
///
/// Masks follow the C-grid ([`crate::grid::ocean`]): a T cell (k, j, i) is wet where
/// k < kbot(j, i); a U face is wet where both T cells beside it are (periodic in x); a V face
/// where the T cells south and north of it are (the northern edge is a wall).
#[derive(Debug, Clone)]
pub struct OceanModel<B: Backend> {
    /// Horizontal metrics `[ny, nx]`.
    pub metrics: OceanMetrics<B>,
    /// Level thicknesses Δz_k (m) as `[nz, 1, 1]`.
    pub dz: Tensor<B, 3>,
    /// T-cell mask (1 wet, 0 dry), `[nz, ny, nx]`.
    pub mask_t: Tensor<B, 3>,
    /// U-face mask, `[nz, ny, nx]`.
    pub mask_u: Tensor<B, 3>,
    /// V-face mask, `[nz, ny, nx]`.
    pub mask_v: Tensor<B, 3>,
    /// T-cell volumes A_T Δz mask_t (m³), `[nz, ny, nx]`.
    pub volume_t: Tensor<B, 3>,
    /// (nz, ny, nx).
    pub shape: [usize; 3],
}

impl<B: Backend> OceanModel<B> {
    /// Builds the constant fields from the model grids and the boundary data.
    ///
    /// # Errors
    /// [`OceanModelError::Levels`] when the data's bottom indices exceed the model's levels.
    pub fn new(
        grids: &ModelGrids,
        data: &BoundaryData,
        device: &B::Device,
    ) -> Result<Self, OceanModelError> {
        Self::from_kbot(grids, &data.ocean.kbot, device)
    }

    /// Builds the constant fields from the model grids and a bottom-level index per column
    /// (`[ny, nx]` row-major; 0 = land), e.g. an idealised basin for tests.
    ///
    /// # Errors
    /// [`OceanModelError::Levels`] when an index exceeds the model's levels.
    pub fn from_kbot(
        grids: &ModelGrids,
        kbot: &[usize],
        device: &B::Device,
    ) -> Result<Self, OceanModelError> {
        let (nz, ny, nx) = (grids.levels.nz(), grids.ocean.ny, grids.ocean.nx());
        if let Some((cell, &k)) = kbot.iter().enumerate().find(|(_, k)| **k > nz) {
            return Err(OceanModelError::Levels { kbot: k, cell, nz });
        }
        let mut t = vec![0.0; nz * ny * nx];
        let mut u = vec![0.0; nz * ny * nx];
        let mut v = vec![0.0; nz * ny * nx];
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    let p = j * nx + i;
                    let wet = |q: usize| k < kbot[q];
                    let idx = (k * ny + j) * nx + i;
                    t[idx] = f64::from(u8::from(wet(p)));
                    u[idx] = f64::from(u8::from(wet(p) && wet(j * nx + (i + 1) % nx)));
                    v[idx] = f64::from(u8::from(j + 1 < ny && wet(p) && wet(p + nx)));
                }
            }
        }
        let metrics = grids.ocean.metrics::<B>(device);
        let dz = tensor_from_vec::<B, 3>(grids.levels.dz.clone(), [nz, 1, 1], device);
        let mask_t = tensor_from_vec::<B, 3>(t, [nz, ny, nx], device);
        let volume_t = mask_t.clone() * dz.clone() * metrics.area_t.clone().reshape([1, ny, nx]);
        Ok(OceanModel {
            metrics,
            dz,
            mask_t,
            mask_u: tensor_from_vec(u, [nz, ny, nx], device),
            mask_v: tensor_from_vec(v, [nz, ny, nx], device),
            volume_t,
            shape: [nz, ny, nx],
        })
    }

    /// Volume integral ∫ f dV = Σ f A_T Δz over wet T cells, `[nz, ny, nx]` → `[1]` (unit·m³).
    pub fn integrate_volume(&self, field: Tensor<B, 3>) -> Tensor<B, 1> {
        (field * self.volume_t.clone()).sum()
    }
}
