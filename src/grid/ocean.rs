//! The ocean's latitude–longitude Arakawa C-grid: metrics and the basic flux-form operators.
//!
//! Staggering (Arakawa & Lamb 1977; as in Veros/pyOM2), for the cell (i, j):
//!
//! | point | position        | holds                         | stored at `[j, i]`        |
//! |-------|-----------------|-------------------------------|---------------------------|
//! | T     | (λᵢ, φⱼ)        | temperature, salinity, ρ, div | cell centre               |
//! | U     | (λ_{i+½}, φⱼ)   | zonal velocity u              | east face of cell (i, j)  |
//! | V     | (λᵢ, φ_{j+½})   | meridional velocity v         | north face of cell (i, j) |
//! | ζ     | (λ_{i+½}, φ_{j+½}) | streamfunction ψ, vorticity | north-east corner         |
//!
//! All fields have shape `[ny, nx]` (or `[nz, ny, nx]`); x is periodic; the grid's southern
//! and northern edges are walls: the V faces south of row 0 and north of row ny − 1 carry no
//! flux (Δx_V is stored as 0 on the northern wall), and ψ on the southern edge is 0. Latitude rows are uniform from `lat_south` to `lat_north` (edges).
//! Operators are named by where their output lives (`divergence_to_t`, `streamfunction_to_uv`).
//!
//! Metrics (a = radius, Δλ, Δφ in radians):
//! - Δx_T(j) = a cos φⱼ Δλ (zonal width at T and U points), Δx_V(j) = a cos φ_{j+½} Δλ (length of the north face),
//! - Δy = a Δφ (uniform),
//! - A_T(j) = a² Δλ (sin φ_{j+½} − sin φ_{j−½}) (exact spherical cell area).

use super::frame::{lat_index_of, LonAxis};
use crate::backend::tensor_from_vec;
use crate::numerics::stencil::{south, west};
use crate::physics::constants::RAD_PER_DEG;
use burn_tensor::{backend::Backend, Tensor};

/// Host-side description of the ocean C-grid (f64, built once at start-up).
#[derive(Debug, Clone)]
pub struct OceanGrid {
    /// Sphere radius a (m).
    pub radius: f64,
    /// Longitude axis (T-points at λᵢ = i·Δλ, U-points at λᵢ + Δλ/2).
    pub lon: LonAxis,
    /// Number of latitude rows n_y.
    pub ny: usize,
    /// Row spacing Δφ (degrees).
    pub dlat_deg: f64,
    /// Latitude of T rows φⱼ (degrees north), south to north, `[ny]`.
    pub lat_t_deg: Vec<f64>,
    /// Latitude of row edges φ_{j−½} (degrees north), `[ny + 1]`; V row j sits at edge j + 1.
    pub lat_edges_deg: Vec<f64>,
}

impl OceanGrid {
    /// Builds a grid of `nx` × `ny` cells with row edges uniformly spaced from
    /// `lat_south` to `lat_north` (degrees north).
    pub fn new(nx: usize, ny: usize, lat_south: f64, lat_north: f64, radius: f64) -> Self {
        let dlat = (lat_north - lat_south) / ny as f64;
        OceanGrid {
            radius,
            lon: LonAxis::new(nx),
            ny,
            dlat_deg: dlat,
            lat_t_deg: (0..ny)
                .map(|j| lat_south + (j as f64 + 0.5) * dlat)
                .collect(),
            lat_edges_deg: (0..=ny).map(|j| lat_south + j as f64 * dlat).collect(),
        }
    }

    /// Number of longitudes n_x.
    pub fn nx(&self) -> usize {
        self.lon.n
    }

    /// cos φⱼ at T rows, `[ny]`.
    pub fn cos_t(&self) -> Vec<f64> {
        self.lat_t_deg
            .iter()
            .map(|l| (l * RAD_PER_DEG).cos())
            .collect()
    }

    /// cos φ_{j+½} at V rows (north faces), `[ny]`.
    pub fn cos_v(&self) -> Vec<f64> {
        self.lat_edges_deg[1..]
            .iter()
            .map(|l| (l * RAD_PER_DEG).cos())
            .collect()
    }

    /// Zonal width Δx_T(j) = a cos φⱼ Δλ at T and U points (m), `[ny]`.
    pub fn dx_t(&self) -> Vec<f64> {
        let f = self.radius * self.lon.dlon_rad();
        self.cos_t().iter().map(|c| f * c).collect()
    }

    /// Zonal length of the north face Δx_V(j) = a cos φ_{j+½} Δλ (m), `[ny]`.
    pub fn dx_v(&self) -> Vec<f64> {
        let f = self.radius * self.lon.dlon_rad();
        // cos(±90°) is 6e-17, not 0: set faces on a pole to exactly zero length.
        self.lat_edges_deg[1..]
            .iter()
            .map(|l| {
                if l.abs() == 90.0 {
                    0.0
                } else {
                    f * (l * RAD_PER_DEG).cos()
                }
            })
            .collect()
    }

    /// Meridional spacing Δy = a Δφ (m), the same for every row.
    pub fn dy(&self) -> f64 {
        self.radius * self.dlat_deg * RAD_PER_DEG
    }

    /// Exact T-cell areas A_T(j) = a² Δλ (sin φ_{j+½} − sin φ_{j−½}) (m²), `[ny]`.
    pub fn area_t(&self) -> Vec<f64> {
        let f = self.radius * self.radius * self.lon.dlon_rad();
        self.lat_edges_deg
            .windows(2)
            .map(|e| f * ((e[1] * RAD_PER_DEG).sin() - (e[0] * RAD_PER_DEG).sin()))
            .collect()
    }

    /// Row index of the T cell holding `lat_deg`, `None` outside the ocean grid.
    pub fn row_of(&self, lat_deg: f64) -> Option<usize> {
        lat_index_of(&self.lat_edges_deg, lat_deg)
    }

    /// The metric tensors on `device`, each expanded to `[ny, nx]`.
    pub fn metrics<B: Backend>(&self, device: &B::Device) -> OceanMetrics<B> {
        let rows = |v: Vec<f64>| -> Tensor<B, 2> {
            let nx = self.nx();
            let data = v.iter().flat_map(|x| std::iter::repeat_n(*x, nx)).collect();
            tensor_from_vec(data, [self.ny, nx], device)
        };
        let ny = self.ny;
        let mut dx_v_open = self.dx_v();
        dx_v_open[ny - 1] = 0.0; // the northern edge is a wall
        let inv_dx_v = dx_v_open
            .iter()
            .map(|d| if *d > 0.0 { 1.0 / d } else { 0.0 })
            .collect();
        OceanMetrics {
            dx_t: rows(self.dx_t()),
            dx_v: rows(dx_v_open),
            inv_dx_v: rows(inv_dx_v),
            dy: self.dy(),
            area_t: rows(self.area_t()),
        }
    }
}

/// Ocean C-grid metrics as tensors, all `[ny, nx]` (see [`OceanGrid`] for definitions).
#[derive(Debug, Clone)]
pub struct OceanMetrics<B: Backend> {
    /// Δx_T = a cos φⱼ Δλ (m) at T and U points.
    pub dx_t: Tensor<B, 2>,
    /// Δx_V = a cos φ_{j+½} Δλ (m), length of each cell's north face; 0 in the last row
    /// (the northern wall carries no flux).
    pub dx_v: Tensor<B, 2>,
    /// 1/Δx_V (m⁻¹) on open north faces, 0 on the northern wall and on faces at a pole.
    pub inv_dx_v: Tensor<B, 2>,
    /// Δy = a Δφ (m).
    pub dy: f64,
    /// A_T (m²), exact spherical T-cell area.
    pub area_t: Tensor<B, 2>,
}

impl<B: Backend> OceanMetrics<B> {
    /// Velocities from a streamfunction ψ (m² s⁻¹) held at ζ-points (north-east corners):
    ///
    /// u_{i+½,j} = −(ψ_{i+½,j+½} − ψ_{i+½,j−½}) / Δy,  v_{i,j+½} = (ψ_{i+½,j+½} − ψ_{i−½,j+½}) / Δx_V,
    ///
    /// with ψ = 0 on the southern edge and v = 0 on the northern wall (the last row's north
    /// faces). Input `[ny, nx]`, outputs u at U and v at V, `[ny, nx]` (m s⁻¹).
    pub fn streamfunction_to_uv(&self, psi: Tensor<B, 2>) -> (Tensor<B, 2>, Tensor<B, 2>) {
        let u = (psi.clone() - south(psi.clone(), 0.0)) * (-1.0 / self.dy);
        let v = (psi.clone() - west(psi)) * self.inv_dx_v.clone();
        (u, v)
    }

    /// Flux-form horizontal divergence at T-points (s⁻¹) of a C-grid velocity (m s⁻¹):
    ///
    /// ∇·u = [Δy (u_{i+½} − u_{i−½}) + (Δx_V v)_{j+½} − (Δx_V v)_{j−½}] / A_T,
    ///
    /// with no flux through the southern edge or the northern wall. Inputs and output `[ny, nx]`.
    pub fn divergence_to_t(&self, u: Tensor<B, 2>, v: Tensor<B, 2>) -> Tensor<B, 2> {
        let flux_x = u * self.dy;
        let flux_y = v * self.dx_v.clone();
        (flux_x.clone() - west(flux_x) + flux_y.clone() - south(flux_y, 0.0)) / self.area_t.clone()
    }

    /// Area integral ∫ f dA = Σ A_T f over all T cells; input `[ny, nx]` (any unit), output `[1]` (unit·m²).
    pub fn integrate_t(&self, field: Tensor<B, 2>) -> Tensor<B, 1> {
        (field * self.area_t.clone()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64};
    use std::f64::consts::PI;

    #[test]
    fn the_northern_edge_is_a_wall_even_at_the_pole() {
        for north_edge in [88.0, 90.0] {
            let (nx, ny) = (96, 48);
            let g = OceanGrid::new(nx, ny, -80.0, north_edge, 6.371e6);
            let m = g.metrics::<Cpu64>(&Default::default());
            // ψ varying along the northern edge would drive flow through the wall.
            let psi: Vec<f64> = (0..ny * nx)
                .map(|p| 1e4 * ((p % nx) as f64 * 0.3).sin() * (1.0 + (p / nx) as f64))
                .collect();
            let (u, v) =
                m.streamfunction_to_uv(tensor_from_vec(psi, [ny, nx], &Default::default()));
            let v = to_vec_f64(v);
            assert!(
                v[(ny - 1) * nx..].iter().all(|x| *x == 0.0),
                "north {north_edge}: flow through the wall"
            );
            assert!(v.iter().all(|x| x.is_finite()));
            let div =
                to_vec_f64(m.divergence_to_t(u, tensor_from_vec(v, [ny, nx], &Default::default())));
            assert!(div.iter().all(|x| x.is_finite()));
            // The last row loses its northern outflow, so only row-(ny−1) divergences may be non-zero.
            let umax = 1e4 * 48.0 / g.dy();
            assert!(div[..(ny - 1) * nx].iter().all(|d| d.abs() < 1e-12 * umax));
        }
    }

    #[test]
    fn whole_sphere_area_is_exact() {
        let a = 6.371e6;
        for (nx, ny) in [(96, 48), (192, 96), (10, 7)] {
            let g = OceanGrid::new(nx, ny, -90.0, 90.0, a);
            let m = g.metrics::<Cpu64>(&Default::default());
            let total =
                to_vec_f64(m.integrate_t(crate::backend::full([ny, nx], 1.0, &Default::default())))
                    [0];
            assert!((total / (4.0 * PI * a * a) - 1.0).abs() < 1e-14);
        }
    }

    #[test]
    fn partial_grid_area_matches_the_band_formula() {
        let a = 6.371e6;
        let g = OceanGrid::new(96, 48, -80.0, 88.0, a);
        let total: f64 = g.area_t().iter().sum::<f64>() * 96.0;
        let exact = 2.0 * PI * a * a * ((88.0 * RAD_PER_DEG).sin() - (-80.0 * RAD_PER_DEG).sin());
        assert!((total / exact - 1.0).abs() < 1e-14);
        assert!((g.dlat_deg - 3.5).abs() < 1e-14);
        assert_eq!(g.row_of(-79.0), Some(0));
        assert_eq!(g.row_of(87.9), Some(47));
        assert_eq!(g.row_of(89.0), None);
    }

    #[test]
    fn divergence_of_a_streamfunction_flow_vanishes() {
        // A random streamfunction (deterministic LCG) on the T31 ocean grid, scaled to 1e5 m² s⁻¹.
        let (nx, ny) = (96, 48);
        let g = OceanGrid::new(nx, ny, -80.0, 88.0, 6.371e6);
        let m = g.metrics::<Cpu64>(&Default::default());
        let mut s = 12345u64;
        // ψ is constant (0) on the walls: the southern edge by construction, the northern
        // edge (the last row's north-east corners) here.
        let psi: Vec<f64> = (0..nx * ny)
            .map(|p| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e5;
                if p >= (ny - 1) * nx {
                    0.0
                } else {
                    r
                }
            })
            .collect();
        let psi = tensor_from_vec::<Cpu64, 2>(psi, [ny, nx], &Default::default());
        let (u, v) = m.streamfunction_to_uv(psi);
        let umax = to_vec_f64(u.clone().abs().max())[0];
        let div = to_vec_f64(m.divergence_to_t(u, v));
        // Scale: |u|/Δx is the size of each term; the residual must be round-off of that.
        let scale = umax / g.dx_t().iter().cloned().fold(f64::INFINITY, f64::min);
        let worst = div.iter().fold(0.0f64, |a, d| a.max(d.abs()));
        assert!(
            worst < 1e-13 * scale,
            "max |div| = {worst:e}, term scale {scale:e}"
        );
        // A flow that is *not* non-divergent is detected (the test can fail).
        let (u2, v2) = (
            crate::backend::full::<Cpu64, 2>([ny, nx], 0.0, &Default::default()),
            crate::backend::full::<Cpu64, 2>([ny, nx], 0.1, &Default::default()),
        );
        let div2 = to_vec_f64(m.divergence_to_t(u2, v2));
        assert!(div2.iter().any(|d| d.abs() > 1e-9));
    }
}
