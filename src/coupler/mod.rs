//! The coupler: conservative regridding between the atmosphere's Gaussian grid and the
//! ocean's latitude–longitude grid (and, in later issues, bulk fluxes and the exchange
//! schedule). Components never see each other's grids; they meet here.

pub mod regrid;

pub use regrid::ConservativeRegrid;
