//! The coupler: conservative regridding between the atmosphere's Gaussian grid and the
//! ocean's latitude–longitude grid ([`regrid`]), the exchange grid with the surface fractions
//! and river routing ([`exchange`]), the bulk surface-flux formulae per surface type
//! ([`bulk`]), the surface exchange over open ocean, sea ice, land and land ice
//! ([`surface`]), the sums of a coupling interval that become the ice's and the ocean's
//! forcing ([`interval`]) and the prescribed surfaces of the atmosphere-only modes
//! ([`prescribed`], on the same surface exchange). The coupled step that orchestrates them is
//! [`crate::model::step`]. Components never see each other; they meet here, the only module
//! that imports two of them.

pub mod bulk;
pub mod exchange;
pub mod interval;
pub mod prescribed;
pub mod regrid;
pub mod surface;
pub mod variables;

pub use bulk::{bulk_fluxes, SurfaceAir, SurfaceFluxes, SurfaceType};
pub use exchange::ExchangeGrid;
pub use prescribed::{PrescribedState, PrescribedSurface};
pub use regrid::ConservativeRegrid;
