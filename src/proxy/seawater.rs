//! Seawater δ18O on the ocean grid: a prescribed field, a salinity term with regional slopes
//! and a global ice-volume offset,
//!
//!   δw(x, z) = δw₀(x, z) + s_r(x) · (S(x, z) − S_ref(x, z)) + Δ_ice      (‰ VSMOW)
//!
//! - δw₀ is a gridded product read from `models/data/proxies/d18osw_2deg.csv` (2° cells):
//!   LeGrande & Schmidt (2006, GRL 33, L12604, doi:10.1029/2006GL026011) at the 0–50 m mean,
//!   100 m and 200 m, or the Tierney et al. (2020, Nature 584, 569) late-Holocene or LGM
//!   surface field. Each ocean cell takes the cos φ-weighted mean of the 2° cells whose
//!   centres fall in it; a wet cell with none takes the nearest 2° cell with a value
//!   (great-circle distance; [`SeawaterD18o::filled`] counts them). In depth, the value at a
//!   level centre is linear between the product's depths (0–50 m mean placed at 25 m),
//!   constant above the first and below the last; a surface-only product is used at every
//!   level.
//! - S_ref is the salinity the product is consistent with (the caller passes the observed
//!   climatology, Levitus 1982 annual mean on the model grid, g kg⁻¹), so a model with the
//!   observed salinity gets δw₀ back.
//! - s_r (‰ per g kg⁻¹) is one slope per region [`REGIONS`] (basin × latitude band).
//!   [`SeawaterD18o::fitted_slopes`] are the weighted least-squares slopes of δw₀ against
//!   S_ref over the region's surface cells that hold data (weights cos φ); LeGrande & Schmidt
//!   build their product from regional δw–S regressions of the same kind, with surface slopes
//!   of about 0.1–0.6 ‰ per psu. The slopes enter [`SeawaterD18o::field`] as a tensor so
//!   they can be control variables.
//! - Δ_ice (‰) is a global offset (ice volume; about +1 ‰ at the LGM, Schrag et al. 2002),
//!   a tensor for the same reason.
//!
//! The table and regridding are host-side set-up; [`SeawaterD18o::field`] is Burn tensor
//! operations, differentiable in S, s_r and Δ_ice.

use super::table::{Table, TableError};
use crate::backend::tensor_from_vec;
use crate::forcing::boundary::OceanGeometry;
use crate::grid::ocean::OceanGrid;
use crate::grid::vertical::VerticalGrid;
use crate::physics::constants::RAD_PER_DEG;
use burn_tensor::{backend::Backend, Tensor};
use std::path::Path;

/// The regions of the δw–S slopes: (name, basin code, latitude band).
///
/// Basin codes are the boundary data's (1 Atlantic, 2 Pacific, 3 Indian, 4 Southern,
/// 5 Arctic, 6 marginal seas); the bands split the Atlantic and Pacific at ±20°.
pub const REGIONS: [&str; 10] = [
    "North Atlantic",
    "tropical Atlantic",
    "South Atlantic",
    "North Pacific",
    "tropical Pacific",
    "South Pacific",
    "Indian",
    "Southern Ocean",
    "Arctic",
    "marginal seas",
];

/// The region index of a wet cell of basin `basin` at latitude `lat` (°N); `None` on land.
pub fn region_of(basin: u8, lat: f64) -> Option<usize> {
    let band = if lat > 20.0 {
        0
    } else if lat >= -20.0 {
        1
    } else {
        2
    };
    match basin {
        1 => Some(band),
        2 => Some(3 + band),
        3 => Some(6),
        4 => Some(7),
        5 => Some(8),
        6 => Some(9),
        _ => None,
    }
}

/// The gridded seawater δ18O products in `d18osw_2deg.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum D18oSwProduct {
    /// LeGrande & Schmidt (2006), modern, 0–50 m mean, 100 m and 200 m.
    LeGrande2006,
    /// Tierney et al. (2020) late Holocene (0–4 ka) surface.
    Tierney2020LateHolocene,
    /// Tierney et al. (2020) LGM (19–23 ka) surface, ice volume included.
    Tierney2020Lgm,
}

impl D18oSwProduct {
    /// Every product.
    pub const ALL: [D18oSwProduct; 3] = [
        Self::LeGrande2006,
        Self::Tierney2020LateHolocene,
        Self::Tierney2020Lgm,
    ];

    /// The name in experiment files.
    pub fn name(self) -> &'static str {
        match self {
            Self::LeGrande2006 => "legrande2006",
            Self::Tierney2020LateHolocene => "tierney2020-lh",
            Self::Tierney2020Lgm => "tierney2020-lgm",
        }
    }

    /// The product of a name.
    ///
    /// # Errors
    /// A message naming the text and the products known.
    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == name.trim())
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "unknown seawater δ18O product `{name}`; known: {}",
                    known.join(", ")
                )
            })
    }

    /// (depth m, column of `d18osw_2deg.csv`) of each of the product's depths.
    fn columns(self) -> &'static [(f64, &'static str)] {
        match self {
            Self::LeGrande2006 => &[
                (25.0, "legrande2006_top50m"),
                (100.0, "legrande2006_100m"),
                (200.0, "legrande2006_200m"),
            ],
            Self::Tierney2020LateHolocene => &[(0.0, "tierney2020_lh_surface")],
            Self::Tierney2020Lgm => &[(0.0, "tierney2020_lgm_surface")],
        }
    }
}

/// Great-circle distance (km) between two points given in degrees, on a sphere of radius
/// 6371 km (haversine formula).
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1 * RAD_PER_DEG, lat2 * RAD_PER_DEG);
    let dp = p2 - p1;
    let dl = (lon2 - lon1) * RAD_PER_DEG;
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// One column of the 2° table: (lat, lon, value) of every cell with a value.
fn read_column(t: &Table, name: &str) -> Result<Vec<(f64, f64, f64)>, TableError> {
    let (lat, lon, c) = (t.column("lat")?, t.column("lon")?, t.column(name)?);
    let mut out = Vec::new();
    for r in 0..t.rows.len() {
        if t.rows[r].1[c].trim().is_empty() {
            continue;
        }
        out.push((t.number(r, lat)?, t.number(r, lon)?, t.number(r, c)?));
    }
    Ok(out)
}

/// A 2° column on the ocean grid, `[ny·nx]`: cos φ-weighted cell means, the nearest value at
/// wet cells without one. Returns the field, which cells had data, and the fill count.
fn regrid(
    points: &[(f64, f64, f64)],
    grid: &OceanGrid,
    wet: &[bool],
) -> (Vec<f64>, Vec<bool>, usize) {
    let (ny, nx) = (grid.ny, grid.nx());
    let mut sum = vec![0.0; ny * nx];
    let mut weight = vec![0.0; ny * nx];
    let edges = &grid.lat_edges_deg;
    for &(lat, lon, v) in points {
        let Some(j) = (0..ny).find(|&j| edges[j] <= lat && lat < edges[j + 1]) else {
            continue;
        };
        let i = (lon.rem_euclid(360.0) / grid.lon.dlon_deg).round() as usize % nx;
        let w = (lat * RAD_PER_DEG).cos();
        sum[j * nx + i] += w * v;
        weight[j * nx + i] += w;
    }
    let had: Vec<bool> = weight.iter().map(|&w| w > 0.0).collect();
    let mut field: Vec<f64> = sum
        .iter()
        .zip(&weight)
        .map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 })
        .collect();
    let mut filled = 0;
    for c in (0..ny * nx).filter(|&c| wet[c] && !had[c]) {
        let (lat, lon) = (grid.lat_t_deg[c / nx], grid.lon.centres_deg[c % nx]);
        let nearest = points.iter().min_by(|a, b| {
            let da = great_circle_km(lat, lon, a.0, a.1);
            da.total_cmp(&great_circle_km(lat, lon, b.0, b.1))
        });
        if let Some(p) = nearest {
            field[c] = p.2;
            filled += 1;
        }
    }
    (field, had, filled)
}

/// Piecewise-linear interpolation in depth: `anchors` (depth, value), constant beyond the ends.
fn in_depth(anchors: &[(f64, f64)], z: f64) -> f64 {
    let (first, last) = (anchors[0], anchors[anchors.len() - 1]);
    if z <= first.0 {
        return first.1;
    }
    if z >= last.0 {
        return last.1;
    }
    let k = anchors.windows(2).position(|w| z <= w[1].0).unwrap_or(0);
    let ((z0, v0), (z1, v1)) = (anchors[k], anchors[k + 1]);
    v0 + (v1 - v0) * (z - z0) / (z1 - z0)
}

/// Weighted least-squares slope of `y` on `x` (weights `w`); `None` with fewer than 3 points
/// or no spread in `x`.
fn slope(points: &[(f64, f64, f64)]) -> Option<f64> {
    let sw: f64 = points.iter().map(|p| p.2).sum();
    if points.len() < 3 || sw <= 0.0 {
        return None;
    }
    let mx = points.iter().map(|p| p.2 * p.0).sum::<f64>() / sw;
    let my = points.iter().map(|p| p.2 * p.1).sum::<f64>() / sw;
    let sxx: f64 = points.iter().map(|p| p.2 * (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| p.2 * (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// Seawater δ18O on the ocean grid (module docs).
#[derive(Debug, Clone)]
pub struct SeawaterD18o<B: Backend> {
    /// The product.
    pub product: D18oSwProduct,
    /// δw₀, ‰ VSMOW, `[nz, ny, nx]` (0 on land).
    pub prescribed: Tensor<B, 3>,
    /// S_ref, g kg⁻¹, `[nz, ny, nx]`.
    pub reference_salinity: Tensor<B, 3>,
    /// Region of each horizontal cell as a one-hot matrix, `[R, ny·nx]` (a zero column on land).
    pub regions: Tensor<B, 2>,
    /// The fitted slope of each region (‰ per g kg⁻¹), `[R]` ([`REGIONS`] order).
    pub fitted_slopes: Vec<f64>,
    /// Surface cells (of `[ny·nx]`) behind each fitted slope.
    pub slope_cells: Vec<usize>,
    /// Wet cells that took the nearest 2° value, per product depth.
    pub filled: Vec<usize>,
    /// (nz, ny, nx).
    pub shape: [usize; 3],
}

impl<B: Backend> SeawaterD18o<B> {
    /// Reads `product` from `table` (`d18osw_2deg.csv`) onto the ocean grid (`grid`,
    /// `levels`, `geometry`), with `reference_salinity` (g kg⁻¹, `[nz·ny·nx]` row-major, the
    /// climatology the product is consistent with), and fits the regional slopes.
    ///
    /// # Errors
    /// [`TableError`] when the table cannot be read or lacks the product's columns, and when
    /// a region with wet cells has too few data for its slope (naming the region).
    pub fn new(
        table: &Path,
        product: D18oSwProduct,
        grid: &OceanGrid,
        levels: &VerticalGrid,
        geometry: &OceanGeometry,
        reference_salinity: &[f64],
        device: &B::Device,
    ) -> Result<Self, TableError> {
        let t = Table::read(table)?;
        let (nz, ny, nx) = (levels.dz.len(), grid.ny, grid.nx());
        let mut anchors = Vec::new();
        let mut filled = Vec::new();
        let mut had_surface = Vec::new();
        for (k, &(depth, column)) in product.columns().iter().enumerate() {
            let (field, had, n) = regrid(&read_column(&t, column)?, grid, &geometry.wet);
            anchors.push((depth, field));
            filled.push(n);
            if k == 0 {
                had_surface = had;
            }
        }
        let mut prescribed = vec![0.0; nz * ny * nx];
        for (k, &z) in levels.z_t.iter().enumerate() {
            for c in (0..ny * nx).filter(|&c| geometry.wet[c]) {
                let a: Vec<(f64, f64)> = anchors.iter().map(|(d, f)| (*d, f[c])).collect();
                prescribed[k * ny * nx + c] = in_depth(&a, z);
            }
        }
        let region: Vec<Option<usize>> = (0..ny * nx)
            .map(|c| {
                region_of(geometry.basin[c], grid.lat_t_deg[c / nx]).filter(|_| geometry.wet[c])
            })
            .collect();
        let mut fitted_slopes = Vec::with_capacity(REGIONS.len());
        let mut slope_cells = Vec::with_capacity(REGIONS.len());
        for (r, name) in REGIONS.iter().enumerate() {
            let pts: Vec<(f64, f64, f64)> = (0..ny * nx)
                .filter(|&c| region[c] == Some(r) && had_surface[c])
                .map(|c| {
                    (
                        reference_salinity[c],
                        prescribed[c],
                        (grid.lat_t_deg[c / nx] * RAD_PER_DEG).cos(),
                    )
                })
                .collect();
            let has_cells = region.contains(&Some(r));
            let s = match slope(&pts) {
                Some(s) => s,
                None if !has_cells => 0.0,
                None => {
                    return Err(TableError {
                        path: table.into(),
                        line: 0,
                        column: Some(product.columns()[0].1.into()),
                        detail: format!(
                            "{name}: {} cells with data, too few for a δw–S slope; use a product \
                             with data there",
                            pts.len()
                        ),
                    })
                }
            };
            fitted_slopes.push(s);
            slope_cells.push(pts.len());
        }
        let rows: Vec<i64> = region.iter().map(|r| r.map_or(-1, |r| r as i64)).collect();
        Ok(SeawaterD18o {
            product,
            prescribed: tensor_from_vec(prescribed, [nz, ny, nx], device),
            reference_salinity: tensor_from_vec(reference_salinity.to_vec(), [nz, ny, nx], device),
            regions: one_hot(&rows, REGIONS.len(), device),
            fitted_slopes,
            slope_cells,
            filled,
            shape: [nz, ny, nx],
        })
    }

    /// The fitted slopes as a tensor `[R]`, the default for [`SeawaterD18o::field`].
    pub fn slopes(&self, device: &B::Device) -> Tensor<B, 1> {
        tensor_from_vec(self.fitted_slopes.clone(), [REGIONS.len()], device)
    }

    /// δw (‰ VSMOW) for salinity `salinity` (g kg⁻¹, `[m, nz, ny, nx]`, e.g. m monthly means),
    /// regional slopes `slopes` (`[R]`, ‰ per g kg⁻¹) and ice-volume offset `ice_volume`
    /// (`[1]`, ‰): δw₀ + s_r (S − S_ref) + Δ_ice, `[m, nz, ny, nx]`.
    pub fn field(
        &self,
        salinity: Tensor<B, 4>,
        slopes: Tensor<B, 1>,
        ice_volume: Tensor<B, 1>,
    ) -> Tensor<B, 4> {
        let [nz, ny, nx] = self.shape;
        let s_r = slopes
            .reshape([1, REGIONS.len()])
            .matmul(self.regions.clone())
            .reshape([1, 1, ny, nx]);
        let anomaly = salinity - self.reference_salinity.clone().reshape([1, nz, ny, nx]);
        self.prescribed.clone().reshape([1, nz, ny, nx])
            + s_r * anomaly
            + ice_volume.reshape([1, 1, 1, 1])
    }
}

/// The one-hot matrix `[n_classes, n]` of class indices `rows` (−1: no class).
fn one_hot<B: Backend>(rows: &[i64], n_classes: usize, device: &B::Device) -> Tensor<B, 2> {
    let n = rows.len();
    let mut m = vec![0.0; n_classes * n];
    for (c, &r) in rows.iter().enumerate() {
        if r >= 0 {
            m[r as usize * n + c] = 1.0;
        }
    }
    tensor_from_vec(m, [n_classes, n], device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_cover_every_wet_basin_and_depth_is_piecewise_linear() {
        assert_eq!(region_of(1, 40.0), Some(0));
        assert_eq!(region_of(1, 0.0), Some(1));
        assert_eq!(region_of(2, -30.0), Some(5));
        assert_eq!(region_of(0, 0.0), None);
        assert_eq!(REGIONS[region_of(4, -60.0).unwrap()], "Southern Ocean");
        let a = [(25.0, 1.0), (100.0, 0.4), (200.0, 0.2)];
        assert_eq!(in_depth(&a, 0.0), 1.0);
        assert!((in_depth(&a, 62.5) - 0.7).abs() < 1e-12);
        assert_eq!(in_depth(&a, 4000.0), 0.2);
        assert_eq!(in_depth(&[(0.0, 3.0)], 500.0), 3.0);
        let d = great_circle_km(0.0, 0.0, 0.0, 90.0);
        assert!(
            (d - 6371.0 * std::f64::consts::FRAC_PI_2).abs() < 1e-9,
            "{d}"
        );
        let s = slope(&[(34.0, 0.0, 1.0), (35.0, 0.5, 1.0), (36.0, 1.0, 2.0)]).unwrap();
        assert!((s - 0.5).abs() < 1e-12, "{s}");
    }
}
