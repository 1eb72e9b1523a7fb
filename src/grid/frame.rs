//! The coordinate frame shared by every grid.
//!
//! - **Longitude** in degrees east, increasing eastward, with the first cell **centre** at
//!   0°E: centres λᵢ = i·Δλ, edges λ_{i±½} = (i ± ½)·Δλ (the first edge at −Δλ/2), with
//!   Δλ = 360°/n_lon. The domain is periodic. Ocean U-points sit at λᵢ + Δλ/2.
//! - **Latitude** in degrees north, increasing from south to north; no cell centre on a pole.
//! - **Depth** in metres, positive downward, index 0 at the surface.
//!
//! Arrays are stored row-major as `[.., lat, lon]` (`[nz, ny, nx]` in 3-D), so the fastest
//! index runs eastward and the second-fastest northward.

use crate::physics::constants::RAD_PER_DEG;

/// A periodic longitude axis in the Chronos frame (first cell centre at 0°E).
#[derive(Debug, Clone, PartialEq)]
pub struct LonAxis {
    /// Number of cells n_lon.
    pub n: usize,
    /// Cell width Δλ in degrees, 360/n_lon.
    pub dlon_deg: f64,
    /// Cell centres λᵢ = i·Δλ (degrees east), `[n]`.
    pub centres_deg: Vec<f64>,
    /// Cell edges λ_{i−½} = (i − ½)·Δλ, `[n + 1]`, from −Δλ/2 to 360° − Δλ/2.
    pub edges_deg: Vec<f64>,
}

impl LonAxis {
    /// The axis with `n` equal cells, the first centred on 0°E.
    pub fn new(n: usize) -> Self {
        let dlon = 360.0 / n as f64;
        LonAxis {
            n,
            dlon_deg: dlon,
            centres_deg: (0..n).map(|i| i as f64 * dlon).collect(),
            edges_deg: (0..=n).map(|i| (i as f64 - 0.5) * dlon).collect(),
        }
    }

    /// Cell width Δλ in radians.
    pub fn dlon_rad(&self) -> f64 {
        self.dlon_deg * RAD_PER_DEG
    }

    /// Index of the cell holding longitude `lon_deg` (any value, wrapped to the frame).
    pub fn index_of(&self, lon_deg: f64) -> usize {
        let x = (lon_deg + 0.5 * self.dlon_deg).rem_euclid(360.0);
        ((x / self.dlon_deg).floor() as usize).min(self.n - 1)
    }
}

/// Index of the latitude cell holding `lat_deg`, given south-to-north cell edges
/// (`edges.len() = n + 1`); `None` outside the axis.
pub fn lat_index_of(edges_deg: &[f64], lat_deg: f64) -> Option<usize> {
    if lat_deg < edges_deg[0] || lat_deg > edges_deg[edges_deg.len() - 1] {
        return None;
    }
    let j = edges_deg.partition_point(|&e| e <= lat_deg);
    Some(j.saturating_sub(1).min(edges_deg.len() - 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_centre_is_greenwich_and_edges_bracket_centres() {
        for n in [96, 192, 7] {
            let ax = LonAxis::new(n);
            assert_eq!(ax.centres_deg[0], 0.0);
            assert!((ax.edges_deg[0] + ax.dlon_deg / 2.0).abs() < 1e-12);
            assert!((ax.edges_deg[n] - ax.edges_deg[0] - 360.0).abs() < 1e-12);
            for i in 0..n {
                assert!(
                    ax.edges_deg[i] < ax.centres_deg[i] && ax.centres_deg[i] < ax.edges_deg[i + 1]
                );
            }
        }
    }

    #[test]
    fn known_longitudes_land_in_the_right_cells() {
        let ax = LonAxis::new(96); // 3.75°
        assert_eq!(ax.index_of(0.0), 0);
        assert_eq!(ax.index_of(1.8), 0);
        assert_eq!(ax.index_of(-1.8), 0); // just west of Greenwich is still cell 0
        assert_eq!(ax.index_of(-2.0), 95);
        assert_eq!(ax.index_of(-30.0), 88); // mid-Atlantic, 30°W = 330°E
        assert_eq!(ax.index_of(330.0), 88);
        assert_eq!(ax.index_of(180.0), 48); // date line
        assert_eq!(ax.index_of(-79.5), 75); // Panama, 79.5°W = 280.5°E, cell 75 spans 279.375–283.125°E
        assert_eq!(ax.index_of(-65.0), 79); // Drake Passage, 65°W = 295°E, cell 79 spans 294.375–298.125°E
    }

    #[test]
    fn latitude_lookup_is_south_to_north() {
        let edges = [-90.0, -30.0, 0.0, 30.0, 90.0];
        assert_eq!(lat_index_of(&edges, -60.0), Some(0));
        assert_eq!(lat_index_of(&edges, 10.0), Some(2));
        assert_eq!(lat_index_of(&edges, 90.0), Some(3));
        assert_eq!(lat_index_of(&edges, 91.0), None);
    }
}
