//! The exchange between the atmosphere's Gaussian grid and the ocean's C-grid: conservative
//! remaps both ways, the surface fractions, and river routing.
//!
//! **Fractions** (ARCHITECTURE §5, one source of truth): the ocean fraction of an atmosphere
//! cell is the conservative remap of the ocean's wet mask m, f_o = W_{o→a} m; land is
//! f_l = 1 − f_o, of which the boundary data's land-ice fraction f_li (at most f_l) is ice
//! sheet and f_l − f_li ice-free land.
//!
//! **Conservation.** With A_nk the overlap area of ocean cell n and atmosphere cell k, the
//! atmosphere → ocean remap is x_n = Σ_k A_nk x_k / A_n (every ocean cell lies inside the
//! Gaussian grid's sphere) and the ocean → atmosphere remap of a per-ocean-area flux y is
//! Y_k = Σ_n A_nk m_n y_n / A_k. So a downward flux x (e.g. shortwave, precipitation) that
//! the ocean receives as x_n on its open area integrates to Σ_n A_n m_n x_n =
//! Σ_k A_k f_o,k x_k, what the atmosphere gave its ocean part, and an upward flux y the
//! ocean computes integrates to what the atmosphere receives, Σ_k A_k Y_k = Σ_n A_n m_n y_n
//! — exactly, to round-off, in both directions (the `coupler::regrid` tests and
//! `tests/suite/coupled.rs`).
//!
//! **Rivers.** Each atmosphere cell with land sends its runoff (kg s⁻¹ = R A_k) to the ocean
//! cell the boundary data names (`river_outlet`), where it arrives per unit ocean area;
//! no water is lost.
//!
//! Shapes: atmosphere fields `[1, nlat, nlon]`, ocean fields `[1, ny, nx]`.

use super::regrid::ConservativeRegrid;
use crate::backend::{index_tensor, tensor_from_vec, to_vec_f64};
use crate::forcing::BoundaryData;
use crate::grid::ModelGrids;
use burn_tensor::{backend::Backend, Int, Tensor};

/// Remaps, fractions and routing between the two grids.
#[derive(Debug, Clone)]
pub struct ExchangeGrid<B: Backend> {
    /// Atmosphere → ocean (per-area means).
    pub a2o: ConservativeRegrid<B>,
    /// Ocean → atmosphere (per-area means over the atmosphere cell).
    pub o2a: ConservativeRegrid<B>,
    /// Ocean wet mask of the surface level m (1), ocean grid.
    pub ocean_mask: Tensor<B, 3>,
    /// Ocean fraction f_o = W_{o→a} m (1), atmosphere grid.
    pub ocean_fraction: Tensor<B, 3>,
    /// Ice-free land fraction f_l − f_li (1), atmosphere grid.
    pub land_fraction: Tensor<B, 3>,
    /// Land-ice fraction f_li (1), atmosphere grid.
    pub land_ice_fraction: Tensor<B, 3>,
    /// Atmosphere cell areas A_k (m²).
    pub atmos_area: Tensor<B, 3>,
    /// Ocean cell areas A_n (m²).
    pub ocean_area: Tensor<B, 3>,
    /// Flat indices of the atmosphere cells that have land and an outlet.
    land_cells: Tensor<B, 1, Int>,
    /// Their outlets: flat indices of ocean cells.
    outlets: Tensor<B, 1, Int>,
    /// Atmosphere grid (nlat, nlon) and ocean grid (ny, nx).
    shapes: [(usize, usize); 2],
}

/// The boundary data and the grids disagree (a river without an outlet, an outlet on land).
#[derive(Debug, thiserror::Error)]
#[error("boundary data: {0}; regenerate the data with models/data/make_boundary_data.py (models/data/README.md)")]
pub struct ExchangeError(pub String);

impl<B: Backend> ExchangeGrid<B> {
    /// Builds the exchange from the grids and the boundary data.
    ///
    /// # Errors
    /// [`ExchangeError`] when a land cell has no outlet or an outlet is not ocean.
    pub fn new(
        grids: &ModelGrids,
        data: &BoundaryData,
        device: &B::Device,
    ) -> Result<Self, ExchangeError> {
        let g = &grids.atmosphere;
        let o = &grids.ocean;
        let (nlat, nlon, ny, nx) = (g.nlat, g.nlon(), o.ny, o.nx());
        let mu =
            |edges: &[f64]| -> Vec<f64> { edges.iter().map(|l| l.to_radians().sin()).collect() };
        let o_mu = mu(&o.lat_edges_deg);
        let a2o = ConservativeRegrid::new(
            &g.lon.edges_deg,
            &g.mu_edges,
            &o.lon.edges_deg,
            &o_mu,
            device,
        );
        let o2a = ConservativeRegrid::new(
            &o.lon.edges_deg,
            &o_mu,
            &g.lon.edges_deg,
            &g.mu_edges,
            device,
        );
        let wet: Vec<f64> = data
            .ocean
            .wet
            .iter()
            .map(|&w| f64::from(u8::from(w)))
            .collect();
        let ocean_mask = tensor_from_vec::<B, 3>(wet.clone(), [1, ny, nx], device);
        let ocean_fraction = o2a.apply(ocean_mask.clone());
        let f_o = to_vec_f64(ocean_fraction.clone());
        // Round-off of the remap (|1 − f_o| < 1e-12) is not land.
        let land: Vec<f64> = f_o
            .iter()
            .map(|f| if 1.0 - f < 1e-12 { 0.0 } else { 1.0 - f })
            .collect();
        let ice: Vec<f64> = data
            .atmosphere
            .land_ice_fraction
            .iter()
            .zip(&land)
            .map(|(&i, &l)| i.max(0.0).min(l.max(0.0)))
            .collect();
        let free: Vec<f64> = land.iter().zip(&ice).map(|(l, i)| l - i).collect();
        let rows = |areas: Vec<f64>, n: usize| -> Vec<f64> {
            areas
                .iter()
                .flat_map(|a| std::iter::repeat_n(*a, n))
                .collect()
        };
        let mut cells = Vec::new();
        let mut outlets = Vec::new();
        for (k, (&l, &out)) in land.iter().zip(&data.atmosphere.river_outlet).enumerate() {
            if l <= 0.0 {
                continue;
            }
            if out < 0 || out as usize >= ny * nx || !data.ocean.wet[out as usize] {
                return Err(ExchangeError(format!(
                    "atmosphere cell {k} (lat {:.2}, lon {:.2}) has land (fraction {l:.3}) but its river outlet {out} is not an ocean cell",
                    g.lat_deg[k / nlon],
                    g.lon.centres_deg[k % nlon]
                )));
            }
            cells.push(k as i64);
            outlets.push(out);
        }
        let shape_a = [1, nlat, nlon];
        Ok(ExchangeGrid {
            a2o,
            o2a,
            ocean_mask,
            ocean_fraction,
            land_fraction: tensor_from_vec(free, shape_a, device),
            land_ice_fraction: tensor_from_vec(ice, shape_a, device),
            atmos_area: tensor_from_vec(rows(g.row_areas(), nlon), shape_a, device),
            ocean_area: tensor_from_vec(rows(o.area_t(), nx), [1, ny, nx], device),
            land_cells: index_tensor(cells, device),
            outlets: index_tensor(outlets, device),
            shapes: [(nlat, nlon), (ny, nx)],
        })
    }

    /// Atmosphere field → ocean grid (area mean).
    pub fn to_ocean(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        self.a2o.apply(x)
    }

    /// A flux per unit ocean area (any values on land: the mask removes them) → its
    /// contribution per unit atmosphere-cell area, Y_k = Σ_n A_nk m_n y_n / A_k.
    pub fn to_atmosphere(&self, y: Tensor<B, 3>) -> Tensor<B, 3> {
        self.o2a.apply(y * self.ocean_mask.clone())
    }

    /// River routing: a runoff per unit atmosphere-cell area R (kg m⁻² s⁻¹, already
    /// weighted by the land fractions) → per unit ocean-cell area at the outlets.
    pub fn route(&self, runoff: Tensor<B, 3>) -> Tensor<B, 3> {
        let [(nlat, nlon), (ny, nx)] = self.shapes;
        let mass = (runoff * self.atmos_area.clone()).reshape([nlat * nlon]);
        let mass = mass.select(0, self.land_cells.clone());
        let device = self.ocean_area.device();
        let out = crate::backend::zeros::<B, 1>([ny * nx], &device).select_assign(
            0,
            self.outlets.clone(),
            mass,
            burn_tensor::IndexingUpdateOp::Add,
        );
        out.reshape([1, ny, nx]) / self.ocean_area.clone()
    }

    /// Global integral Σ A_k x_k of an atmosphere field (`[1]`).
    pub fn integrate_atmos(&self, x: Tensor<B, 3>) -> Tensor<B, 1> {
        (x * self.atmos_area.clone()).sum()
    }

    /// Global integral Σ A_n x_n of an ocean field (`[1]`; masked by the caller if needed).
    pub fn integrate_ocean(&self, x: Tensor<B, 3>) -> Tensor<B, 1> {
        (x * self.ocean_area.clone()).sum()
    }
}
