//! External forcing and boundary data: geography, masks and climatologies on the model
//! grids (from `models/data/<model>/`), orbital insolation ([`orbit`]) and the orbital
//! elements of any year from Berger (1978) ([`berger`]), monthly climatologies
//! ([`climatology`]).

pub mod berger;
pub mod boundary;
pub mod climatology;
pub mod orbit;

pub use boundary::{AtmosphereSurface, BoundaryData, BoundaryError, OceanGeometry};
pub use orbit::{Orbit, SOLAR_CONSTANT};
