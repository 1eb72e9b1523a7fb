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

/// The staggered axes of the ocean C-grid: `lon_u` (east faces of T cells, the longitudes of
/// u; bounds between neighbouring T centres), `lat_v` (north faces, the latitudes of v; bounds
/// between neighbouring T centres, the last closed at the grid's northern edge) and
/// `depth_w` (tops of the T cells, the depths of w; bounds between the T-cell centres above
/// and below, the first closed at the surface). The barotropic streamfunction ψ lives on
/// (`lat_v`, `lon_u`), the cell's north-east corners.
pub fn ocean_staggered_axes(grid: &OceanGrid, levels: &VerticalGrid) -> [Axis; 3] {
    let dl = grid.lon.dlon_deg;
    let lon_u = Axis {
        name: "lon_u".into(),
        long_name: "longitude of the east faces of T cells (u points)".into(),
        ..Axis::longitude(
            grid.lon.centres_deg.iter().map(|c| c + 0.5 * dl).collect(),
            grid.lon.centres_deg.iter().map(|c| [*c, c + dl]).collect(),
        )
    };
    let ny = grid.ny;
    let lat = &grid.lat_t_deg;
    let lat_v = Axis {
        name: "lat_v".into(),
        long_name: "latitude of the north faces of T cells (v points)".into(),
        ..Axis::latitude(
            grid.lat_edges_deg[1..=ny].to_vec(),
            (0..ny)
                .map(|j| {
                    [
                        lat[j],
                        if j + 1 < ny {
                            lat[j + 1]
                        } else {
                            grid.lat_edges_deg[ny]
                        },
                    ]
                })
                .collect(),
        )
    };
    let nz = levels.nz();
    let depth_w = Axis {
        name: "depth_w".into(),
        long_name: "depth of the tops of T cells (w points)".into(),
        ..Axis::depth(
            levels.z_w[..nz].to_vec(),
            (0..nz)
                .map(|k| [if k == 0 { 0.0 } else { levels.z_t[k - 1] }, levels.z_t[k]])
                .collect(),
        )
    };
    [lon_u, lat_v, depth_w]
}
