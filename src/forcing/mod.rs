//! External forcing and boundary data: geography, masks and climatologies on the model
//! grids (from `models/data/<model>/`), and orbital insolation ([`orbit`]).

pub mod boundary;
pub mod orbit;

pub use boundary::{AtmosphereSurface, BoundaryData, BoundaryError, OceanGeometry};
pub use orbit::{Orbit, SOLAR_CONSTANT};
