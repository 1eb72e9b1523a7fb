//! Grids and the coordinate frame.
//!
//! - [`frame`]: longitudes east with the first cell centre at 0°E, latitudes south to north.
//! - [`gaussian`]: the atmosphere's Gaussian grid (nodes and weights by Newton iteration).
//! - [`ocean`]: the ocean's latitude–longitude Arakawa C-grid metrics and flux-form operators.
//! - [`vertical`]: the ocean's stretched z-levels.

pub mod frame;
pub mod gaussian;
pub mod ocean;
pub mod vertical;

pub use frame::LonAxis;
pub use gaussian::GaussianGrid;
pub use ocean::{OceanGrid, OceanMetrics};
pub use vertical::{VerticalGrid, VerticalGridError};

use crate::config::ModelConfig;

/// All grids of a model configuration.
#[derive(Debug, Clone)]
pub struct ModelGrids {
    /// The atmosphere's Gaussian grid (`[nlat, nlon]`).
    pub atmosphere: GaussianGrid,
    /// The ocean's horizontal C-grid (`[ny, nx]`, same longitudes as the atmosphere).
    pub ocean: OceanGrid,
    /// The ocean's z-levels.
    pub levels: VerticalGrid,
}

/// Field counts behind [`ModelGrids::memory_estimate`]: the prognostic variables with all
/// the time levels their schemes keep, plus diagnostics, forcing and coupler exchange fields.
pub mod field_counts {
    /// Ocean 3-D fields: u, v, T, S with two time levels and two Adams–Bashforth tendencies
    /// each (16), plus w, density and two ideal-age levels (4).
    pub const OCEAN_3D: usize = 20;
    /// Ocean 2-D fields: streamfunction (3 levels), surface forcing and fluxes (10).
    pub const OCEAN_2D: usize = 13;
    /// Atmosphere 2-D fields: barotropic and baroclinic winds, temperature and moisture at
    /// two time levels (12), diagnostics and surface fluxes (28).
    pub const ATMOSPHERE_2D: usize = 40;
    /// Land and sea-ice 2-D fields (surface temperature, soil water, snow, ice thickness,
    /// concentration, snow on ice, accumulators).
    pub const SURFACE_2D: usize = 15;
    /// Coupler exchange fields, on each grid.
    pub const COUPLER_2D: usize = 20;
}

/// Bytes a coupled state takes, by component (an estimate from grid sizes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Ocean state (bytes).
    pub ocean: usize,
    /// Atmosphere state (bytes).
    pub atmosphere: usize,
    /// Land, sea ice and coupler fields (bytes).
    pub surface: usize,
}

impl MemoryEstimate {
    /// Total (bytes).
    pub fn total(&self) -> usize {
        self.ocean + self.atmosphere + self.surface
    }
}

impl ModelGrids {
    /// Builds every grid of `model`.
    ///
    /// # Errors
    /// [`VerticalGridError`] for an impossible level specification.
    pub fn new(model: &ModelConfig) -> Result<Self, VerticalGridError> {
        let a = &model.atmosphere;
        let o = &model.ocean;
        let r = model.planet.radius;
        Ok(ModelGrids {
            atmosphere: GaussianGrid::new(a.nlon, a.nlat, r),
            ocean: OceanGrid::new(a.nlon, o.nlat, o.lat_south, o.lat_north, r),
            levels: VerticalGrid::stretched(o.nz, o.dz_top, o.depth, o.stretching_exponent)?,
        })
    }

    /// Memory of one coupled state with `bytes_per_float` (8 for f64, 4 for f32), from the
    /// field counts in [`field_counts`]. Autodiff tapes and checkpoints come on top.
    pub fn memory_estimate(&self, bytes_per_float: usize) -> MemoryEstimate {
        use field_counts::*;
        let n_atm = self.atmosphere.nlon() * self.atmosphere.nlat;
        let n_ocn = self.ocean.nx() * self.ocean.ny;
        let nz = self.levels.nz();
        MemoryEstimate {
            ocean: (OCEAN_3D * nz + OCEAN_2D) * n_ocn * bytes_per_float,
            atmosphere: ATMOSPHERE_2D * n_atm * bytes_per_float,
            surface: (SURFACE_2D * n_atm + COUPLER_2D * (n_atm + n_ocn)) * bytes_per_float,
        }
    }
}
