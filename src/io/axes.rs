//! CF coordinate axes (with bounds) for the model grids, in the Chronos frame
//! (longitude east from a first cell centre at 0°E, latitude south to north, depth down).

use super::cf::Axis;
use crate::grid::{GaussianGrid, LonAxis, OceanGrid, VerticalGrid};

fn bounds(edges: &[f64]) -> Vec<[f64; 2]> {
    edges.windows(2).map(|e| [e[0], e[1]]).collect()
}

/// The `lon` axis (degrees_east) of a longitude axis, bounds at the cell edges.
pub fn longitude_axis(lon: &LonAxis) -> Axis {
    Axis::longitude(lon.centres_deg.clone(), bounds(&lon.edges_deg))
}

/// `lon` and `lat` axes of the atmosphere's Gaussian grid; latitude bounds are the
/// Gaussian-weight edges (sin φ_{j+½} = −1 + Σ_{k≤j} w_k), so bounds give exact cell areas.
pub fn gaussian_axes(grid: &GaussianGrid) -> [Axis; 2] {
    [
        longitude_axis(&grid.lon),
        Axis::latitude(grid.lat_deg.clone(), bounds(&grid.lat_edges_deg)),
    ]
}

/// `lon` and `lat` axes of the ocean C-grid's T-points.
pub fn ocean_axes(grid: &OceanGrid) -> [Axis; 2] {
    [
        longitude_axis(&grid.lon),
        Axis::latitude(grid.lat_t_deg.clone(), bounds(&grid.lat_edges_deg)),
    ]
}

/// The `depth` axis (m, positive down) of the ocean's z-levels, bounds at the interfaces.
pub fn depth_axis(levels: &VerticalGrid) -> Axis {
    Axis::depth(levels.z_t.clone(), bounds(&levels.z_w))
}
