//! External forcing and boundary data: geography, masks and climatologies on the model
//! grids (from `models/data/<model>/`), and in later issues orbital insolation and CO2.

pub mod boundary;

pub use boundary::{AtmosphereSurface, BoundaryData, BoundaryError, OceanGeometry};
