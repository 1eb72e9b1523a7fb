//! The coupler: conservative regridding between the atmosphere's Gaussian grid and the
//! ocean's latitude–longitude grid ([`regrid`]), the exchange grid with the surface fractions
//! and river routing ([`exchange`]), the bulk surface-flux formulae per surface type
//! ([`bulk`]) and the prescribed surfaces of the atmosphere-only modes ([`prescribed`]). The
//! coupling schedule and the coupled step are in [`crate::model`]. Components never see each
//! other's grids; they meet here.

pub mod bulk;
pub mod exchange;
pub mod interval;
pub mod prescribed;
pub mod regrid;
pub mod surface;

pub use bulk::{bulk_fluxes, SurfaceAir, SurfaceFluxes, SurfaceType};
pub use exchange::ExchangeGrid;
pub use prescribed::{PrescribedState, PrescribedSurface};
pub use regrid::ConservativeRegrid;
