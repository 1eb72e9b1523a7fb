//! The ocean's stretched z-level grid.
//!
//! Level thicknesses grow from the surface downward with a power law,
//!
//! Δz_k = Δz_top + (Δz_bot − Δz_top)·(k/(n_z − 1))^p,  k = 0 … n_z − 1,
//!
//! where Δz_top and the total depth H are set in the model file and Δz_bot follows from
//! Σ_k Δz_k = H. Index 0 is the surface level; depths are positive downward (m).
//! p = 1 gives a linear increase like Veros' global 4° grid (15 levels from 50 m: 50 → 643 m
//! over 5200 m; Veros' own list runs 50 → 690 m); the T31 model file's p = 1.2 gives 50 → 698 m.

/// Errors building a vertical grid.
#[derive(Debug, thiserror::Error)]
pub enum VerticalGridError {
    /// The levels cannot reach the depth with the given top thickness.
    #[error("ocean levels: {nz} levels of at least dz_top = {dz_top} m exceed the depth {depth} m; lower ocean.dz_top or raise ocean.depth")]
    TooThin {
        /// Number of levels.
        nz: usize,
        /// Surface thickness (m).
        dz_top: f64,
        /// Total depth (m).
        depth: f64,
    },
    /// One level must span the whole depth.
    #[error("ocean levels: with one level, ocean.dz_top = {dz_top} m must equal ocean.depth = {depth} m; set them equal or use more levels")]
    SingleLevel {
        /// Surface thickness (m).
        dz_top: f64,
        /// Total depth (m).
        depth: f64,
    },
}

/// Stretched z-levels: thicknesses, centre and interface depths (m, positive down).
#[derive(Debug, Clone, PartialEq)]
pub struct VerticalGrid {
    /// Level thicknesses Δz_k (m), surface first, `[nz]`.
    pub dz: Vec<f64>,
    /// Depth of level centres z_k (m), `[nz]`.
    pub z_t: Vec<f64>,
    /// Depth of level interfaces (m), `[nz + 1]`, from 0 to H.
    pub z_w: Vec<f64>,
}

impl VerticalGrid {
    /// Builds `nz` levels from `dz_top` (m) at the surface to total depth `depth` (m) with
    /// stretching exponent `exponent` (p above).
    ///
    /// # Errors
    /// [`VerticalGridError::TooThin`] when n_z·Δz_top ≥ H (thickness would have to shrink).
    pub fn stretched(
        nz: usize,
        dz_top: f64,
        depth: f64,
        exponent: f64,
    ) -> Result<Self, VerticalGridError> {
        if nz == 1 && dz_top != depth {
            return Err(VerticalGridError::SingleLevel { dz_top, depth });
        }
        if nz as f64 * dz_top > depth {
            return Err(VerticalGridError::TooThin { nz, dz_top, depth });
        }
        let shape: Vec<f64> = (0..nz)
            .map(|k| {
                if nz == 1 {
                    0.0
                } else {
                    (k as f64 / (nz - 1) as f64).powf(exponent)
                }
            })
            .collect();
        let sum_shape: f64 = shape.iter().sum();
        let excess = depth - nz as f64 * dz_top;
        let dz: Vec<f64> = shape
            .iter()
            .map(|s| {
                if sum_shape > 0.0 {
                    dz_top + excess * s / sum_shape
                } else {
                    dz_top
                }
            })
            .collect();
        let mut z_w = Vec::with_capacity(nz + 1);
        z_w.push(0.0);
        for d in &dz {
            z_w.push(z_w.last().copied().unwrap_or(0.0) + d);
        }
        // Pin the bottom to the configured depth exactly.
        z_w[nz] = depth;
        let z_t = z_w.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
        Ok(VerticalGrid { dz, z_t, z_w })
    }

    /// Number of levels n_z.
    pub fn nz(&self) -> usize {
        self.dz.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_sum_to_depth_and_thicken_downward() {
        for (nz, top, h, p) in [
            (15, 50.0, 5200.0, 1.0),
            (40, 10.0, 5500.0, 1.5),
            (15, 50.0, 5200.0, 2.0),
        ] {
            let g = VerticalGrid::stretched(nz, top, h, p).unwrap();
            assert_eq!(g.nz(), nz);
            assert!((g.dz.iter().sum::<f64>() - h).abs() < 1e-9 * h);
            assert_eq!(g.dz[0], top);
            assert_eq!(g.z_w[nz], h);
            for k in 0..nz - 1 {
                assert!(g.dz[k + 1] > g.dz[k]);
                assert!(g.z_w[k] < g.z_t[k] && g.z_t[k] < g.z_w[k + 1]);
            }
        }
    }

    #[test]
    fn impossible_levels_are_refused() {
        let e = VerticalGrid::stretched(15, 400.0, 5000.0, 1.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("ocean.dz_top"), "{e}");
    }
}
