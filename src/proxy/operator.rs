//! The site operator H: from the model's monthly-mean ocean to each proxy record's value.
//!
//! For record i with horizontal cell weights wᵢc, level weights wᵢck and month weights wᵢm,
//!
//!   Tᵢm = Σ_c Σ_k wᵢc wᵢck T_m(c, k),   Hᵢ = Σ_m wᵢm Pᵢ(Tᵢm, Sᵢm, δwᵢm) / Σ_m wᵢm,
//!
//! with P the record's proxy system model ([`super::d18o`], [`super::alkenone`],
//! [`super::mgca`]) applied month by month (a sediment averages what grew in each month):
//!
//! - **Horizontal**: bilinear in longitude and latitude between the four ocean T cells around
//!   the site, dry corners left out and the rest renormalised. Rows beyond the first or last
//!   T row use that row. A site whose four corners are all land (or beyond the grid) is
//!   dry: by [`OnDry`] an error naming the site, the nearest wet cell and its distance,
//!   dropped and listed, or moved to the nearest wet cell if it lies within a distance.
//! - **Depth habitat**: linear in depth between the two level centres around the record's
//!   habitat depth h (above the first centre, the top level); at a corner whose sea floor is
//!   above h, its deepest wet level.
//! - **Season**: `annual` weights every month 1; a month mask weights its months 1, the rest
//!   0; `growth` weights month m by σ((SSTᵢm − T_lo)/s)·σ((T_hi − SSTᵢm)/s), σ the logistic
//!   function, [T_lo, T_hi] the species' growth range ([`Species::growth_range`]) and s the
//!   sharpness ([`SiteOptions::season_sharpness`], default 1 °C): the smooth form of "the
//!   months whose SST lies in the range" (models/data/proxies/README.md), differentiable
//!   in SST on both sides of each end. Months missing from the window weigh 0.
//!
//! The weights are fixed at construction (host-side, from the grid and the records); the
//! evaluation [`SiteOperator::equivalents`] is Burn tensor operations: one gather of the
//! flattened fields at all (site, corner, level) points, weighted sums, the proxy models and
//! the seasonal means, differentiable in temperature, salinity and δw.

use super::d18o::D18oCalibration;
use super::mgca::{tex86, MgCaCalibration, SeawaterChemistry};
use super::records::{ProxyKind, ProxyRecord, Season};
use super::seawater::great_circle_km;
use super::Uk37Calibration;
use crate::backend::{index_tensor, tensor_from_vec};
use crate::grid::ocean::OceanGrid;
use crate::grid::vertical::VerticalGrid;
use burn_tensor::activation::sigmoid;
use burn_tensor::{backend::Backend, Tensor};

/// What to do with a site whose surrounding ocean cells are all land.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OnDry {
    /// Stop with [`OperatorError::Dry`].
    Error,
    /// Leave the record out and list it in [`SiteOperator::dropped`].
    Drop,
    /// Use the nearest wet cell if it lies within this distance (km); otherwise an error.
    Nearest(f64),
}

/// The calibrations and settings of a site operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteOptions {
    /// Dry sites.
    pub on_dry: OnDry,
    /// s in the growth-season weights (°C).
    pub season_sharpness: f64,
    /// Calcite δ18O calibration.
    pub d18o: D18oCalibration,
    /// UK'37 calibration.
    pub uk37: Uk37Calibration,
    /// Mg/Ca calibration.
    pub mgca: MgCaCalibration,
    /// Surface pH for BAYMAG (one value for every site).
    pub ph: f64,
    /// Bottom-water calcite saturation Ω for BAYMAG (one value for every site).
    pub omega: f64,
    /// Cleaning for BAYMAG: true reductive, false oxidative.
    pub reductive: bool,
}

impl Default for SiteOptions {
    /// Errors on dry sites, s = 1 °C, pooled bayfox, BAYSPLINE, Anand et al. (2003); for
    /// BAYMAG pH 8.1, Ω 1.5 and oxidative cleaning.
    fn default() -> Self {
        SiteOptions {
            on_dry: OnDry::Error,
            season_sharpness: 1.0,
            d18o: D18oCalibration::BayfoxPooled,
            uk37: Uk37Calibration::Bayspline,
            mgca: MgCaCalibration::Anand2003,
            ph: 8.1,
            omega: 1.5,
            reductive: false,
        }
    }
}

/// A site error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OperatorError {
    /// All four ocean cells around a site are land.
    #[error(
        "proxy site `{site}` (line {line}, {lat:.2}°N {lon:.2}°E) is on land or under an ice \
         sheet on the model's ocean grid: the nearest wet cell is at {near_lat:.2}°N \
         {near_lon:.2}°E, {distance_km:.0} km away; correct the site's position, or drop dry \
         sites (on_dry = \"drop\") or move them (on_dry = \"nearest\" with max_distance_km)"
    )]
    Dry {
        /// Core name.
        site: String,
        /// Line of its proxy file.
        line: usize,
        /// Latitude (°N).
        lat: f64,
        /// Longitude (°E).
        lon: f64,
        /// Nearest wet cell latitude (°N).
        near_lat: f64,
        /// Nearest wet cell longitude (°E).
        near_lon: f64,
        /// Its distance (km).
        distance_km: f64,
    },
    /// A record averages months of which none is in the window.
    #[error("proxy site `{site}` (line {line}) averages months none of which is in the window; lengthen the window to cover them")]
    NoMonths {
        /// Core name.
        site: String,
        /// Line of its proxy file.
        line: usize,
    },
}

/// A record left out because its site is dry.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedSite {
    /// The record.
    pub record: ProxyRecord,
    /// Nearest wet cell (°N, °E).
    pub nearest: [f64; 2],
    /// Its distance (km).
    pub distance_km: f64,
}

/// Monthly-mean ocean fields, each `[12, nz, ny, nx]` (January first); months the window
/// does not cover may hold anything finite (they weigh 0).
#[derive(Debug, Clone)]
pub struct MonthlyOcean<B: Backend> {
    /// Potential temperature (°C).
    pub temperature: Tensor<B, 4>,
    /// Salinity (g kg⁻¹).
    pub salinity: Tensor<B, 4>,
    /// Seawater δ18O (‰ VSMOW), e.g. [`super::seawater::SeawaterD18o::field`].
    pub d18o_sw: Tensor<B, 4>,
    /// Which months the window covers.
    pub covered: [bool; 12],
}

/// Points per record: 4 corners × 2 levels.
const POINTS: usize = 8;

/// (flat index, weight) pairs of one record, padded to [`POINTS`].
#[derive(Debug, Clone)]
struct Placement {
    habitat: Vec<(usize, f64)>,
    surface: Vec<(usize, f64)>,
}

/// The ocean grid as the operator sees it (host).
struct Geometry<'g> {
    grid: &'g OceanGrid,
    z_t: &'g [f64],
    kbot: &'g [usize],
}

impl Geometry<'_> {
    /// The four corner cells around (lat, lon) with their bilinear weights.
    fn corners(&self, lat: f64, lon: f64) -> [(usize, f64); 4] {
        let (ny, nx) = (self.grid.ny, self.grid.nx());
        let x = lon.rem_euclid(360.0) / self.grid.lon.dlon_deg;
        let (i0, fx) = (x.floor() as usize % nx, x - x.floor());
        let i1 = (i0 + 1) % nx;
        let lat_t = &self.grid.lat_t_deg;
        let y = (lat - lat_t[0]) / self.grid.dlat_deg;
        let (j0, j1, fy) = if y <= 0.0 {
            (0, 0, 0.0)
        } else if y >= (ny - 1) as f64 {
            (ny - 1, ny - 1, 0.0)
        } else {
            let j = y.floor() as usize;
            (j, j + 1, y - j as f64)
        };
        [
            (j0 * nx + i0, (1.0 - fx) * (1.0 - fy)),
            (j0 * nx + i1, fx * (1.0 - fy)),
            (j1 * nx + i0, (1.0 - fx) * fy),
            (j1 * nx + i1, fx * fy),
        ]
    }

    /// The nearest wet cell to (lat, lon): (cell, lat, lon, km).
    fn nearest_wet(&self, lat: f64, lon: f64) -> (usize, f64, f64, f64) {
        let nx = self.grid.nx();
        (0..self.kbot.len())
            .filter(|&c| self.kbot[c] > 0)
            .map(|c| {
                let (la, lo) = (
                    self.grid.lat_t_deg[c / nx],
                    self.grid.lon.centres_deg[c % nx],
                );
                (c, la, lo, great_circle_km(lat, lon, la, lo))
            })
            .min_by(|a, b| a.3.total_cmp(&b.3))
            .expect("the ocean grid has a wet cell")
    }

    /// Level weights at depth h in a column of `kbot` wet levels.
    fn levels(&self, h: f64, kbot: usize) -> [(usize, f64); 2] {
        let z = &self.z_t[..kbot];
        if h <= z[0] {
            return [(0, 1.0), (0, 0.0)];
        }
        match z.iter().position(|&zk| zk >= h) {
            None => [(kbot - 1, 1.0), (0, 0.0)],
            Some(k1) => {
                let f = (h - z[k1 - 1]) / (z[k1] - z[k1 - 1]);
                [(k1 - 1, 1.0 - f), (k1, f)]
            }
        }
    }

    /// The placement of a record whose wet corners are `corners` (weights summing to > 0).
    fn place(&self, corners: &[(usize, f64)], h: f64) -> Placement {
        let plane = self.kbot.len();
        let total: f64 = corners.iter().map(|c| c.1).sum();
        let mut habitat = Vec::with_capacity(POINTS);
        let mut surface = Vec::with_capacity(POINTS);
        for &(c, w) in corners {
            surface.push((c, w / total));
            for (k, wk) in self.levels(h, self.kbot[c]) {
                habitat.push((k * plane + c, w * wk / total));
            }
        }
        habitat.resize(POINTS, (0, 0.0));
        surface.resize(POINTS, (0, 0.0));
        Placement { habitat, surface }
    }
}

/// The records of one proxy system model, with their gather indices and weights.
#[derive(Debug, Clone)]
struct Group<B: Backend> {
    kind: ProxyKind,
    /// Positions of the group's records in [`SiteOperator::records`].
    members: Vec<usize>,
    habitat_index: Tensor<B, 1, burn_tensor::Int>,
    habitat_weight: Tensor<B, 3>,
    surface_index: Tensor<B, 1, burn_tensor::Int>,
    surface_weight: Tensor<B, 3>,
    /// 1 for growth-season records, `[1, n]`.
    growth: Tensor<B, 2>,
    /// Fixed month weights of the others, `[12, n]`.
    fixed: Tensor<B, 2>,
    /// Growth range ends (°C), `[1, n]` each.
    lo: Tensor<B, 2>,
    hi: Tensor<B, 2>,
    /// Host copy of the month rules, for the window check.
    seasons: Vec<Season>,
}

/// The site operator (module docs).
#[derive(Debug, Clone)]
pub struct SiteOperator<B: Backend> {
    /// The records evaluated, in the order of [`SiteOperator::equivalents`].
    pub records: Vec<ProxyRecord>,
    /// Records left out as dry ([`OnDry::Drop`]).
    pub dropped: Vec<DroppedSite>,
    /// Records moved to their nearest wet cell ([`OnDry::Nearest`]), with the distance (km).
    pub moved: Vec<(usize, f64)>,
    /// The options it was built with.
    pub options: SiteOptions,
    groups: Vec<Group<B>>,
    /// Position in `records` of each entry of the concatenated groups.
    order: Tensor<B, 1, burn_tensor::Int>,
    shape: [usize; 3],
}

impl<B: Backend> SiteOperator<B> {
    /// Places `records` on the ocean grid (`grid`, `levels`, `kbot`: wet levels per column,
    /// `[ny·nx]`).
    ///
    /// # Errors
    /// [`OperatorError::Dry`] for the first dry site (unless [`OnDry::Drop`]).
    pub fn new(
        records: &[ProxyRecord],
        grid: &OceanGrid,
        levels: &VerticalGrid,
        kbot: &[usize],
        options: SiteOptions,
        device: &B::Device,
    ) -> Result<Self, OperatorError> {
        let geo = Geometry {
            grid,
            z_t: &levels.z_t,
            kbot,
        };
        let mut kept = Vec::new();
        let mut placements = Vec::new();
        let mut dropped = Vec::new();
        let mut moved = Vec::new();
        for r in records {
            let wet: Vec<(usize, f64)> = geo
                .corners(r.lat, r.lon)
                .into_iter()
                .filter(|&(c, w)| kbot[c] > 0 && w > 0.0)
                .collect();
            if !wet.is_empty() {
                placements.push(geo.place(&wet, r.habitat_depth));
                kept.push(r.clone());
                continue;
            }
            let (cell, near_lat, near_lon, distance_km) = geo.nearest_wet(r.lat, r.lon);
            match options.on_dry {
                OnDry::Drop => dropped.push(DroppedSite {
                    record: r.clone(),
                    nearest: [near_lat, near_lon],
                    distance_km,
                }),
                OnDry::Nearest(max) if distance_km <= max => {
                    moved.push((kept.len(), distance_km));
                    placements.push(geo.place(&[(cell, 1.0)], r.habitat_depth));
                    kept.push(r.clone());
                }
                _ => {
                    return Err(OperatorError::Dry {
                        site: r.site.clone(),
                        line: r.line,
                        lat: r.lat,
                        lon: r.lon,
                        near_lat,
                        near_lon,
                        distance_km,
                    })
                }
            }
        }
        let shape = [levels.dz.len(), grid.ny, grid.nx()];
        let groups = group(&kept, &placements, device);
        let order: Vec<i64> = groups
            .iter()
            .flat_map(|g| g.members.iter().map(|&m| m as i64))
            .collect();
        let mut inverse = vec![0i64; order.len()];
        for (pos, &m) in order.iter().enumerate() {
            inverse[m as usize] = pos as i64;
        }
        Ok(SiteOperator {
            records: kept,
            dropped,
            moved,
            options,
            groups,
            order: index_tensor(inverse, device),
            shape,
        })
    }

    /// The model equivalents H of [`SiteOperator::records`] from the monthly ocean, `[n]`.
    ///
    /// # Errors
    /// [`OperatorError::NoMonths`] when a record's months are all outside the window.
    pub fn equivalents(&self, ocean: &MonthlyOcean<B>) -> Result<Tensor<B, 1>, OperatorError> {
        let device = ocean.temperature.device();
        let covered: Vec<f64> = ocean
            .covered
            .iter()
            .map(|&c| f64::from(u8::from(c)))
            .collect();
        let covered = tensor_from_vec::<B, 2>(covered, [12, 1], &device);
        let flat = |f: &Tensor<B, 4>| f.clone().reshape([12, self.shape.iter().product()]);
        let (t, s, w) = (
            flat(&ocean.temperature),
            flat(&ocean.salinity),
            flat(&ocean.d18o_sw),
        );
        let mut parts = Vec::with_capacity(self.groups.len());
        for g in &self.groups {
            self.check_months(g, &ocean.covered)?;
            let at = |f: &Tensor<B, 2>, idx: &Tensor<B, 1, burn_tensor::Int>, wt: &Tensor<B, 3>| {
                gather(g, f, idx, wt)
            };
            let th = at(&t, &g.habitat_index, &g.habitat_weight);
            let sst = at(&t, &g.surface_index, &g.surface_weight);
            let months = self.month_weights(g, sst) * covered.clone();
            let p = self.proxy(
                g,
                th,
                || at(&s, &g.habitat_index, &g.habitat_weight),
                || at(&w, &g.habitat_index, &g.habitat_weight),
            );
            let h = (p * months.clone()).sum_dim(0) / months.sum_dim(0);
            parts.push(h.reshape([g.members.len()]));
        }
        Ok(Tensor::cat(parts, 0).select(0, self.order.clone()))
    }

    /// A field `[12, nz, ny, nx]` at every record's habitat (its corners and levels, as the
    /// proxy models see it), `[12, n]` in the order of [`SiteOperator::records`].
    pub fn at_habitat(&self, field: Tensor<B, 4>) -> Tensor<B, 2> {
        let flat = field.reshape([12, self.shape.iter().product()]);
        let parts = self
            .groups
            .iter()
            .map(|g| gather(g, &flat, &g.habitat_index, &g.habitat_weight))
            .collect();
        Tensor::cat(parts, 1).select(1, self.order.clone())
    }

    fn check_months(&self, g: &Group<B>, covered: &[bool; 12]) -> Result<(), OperatorError> {
        for (&m, season) in g.members.iter().zip(&g.seasons) {
            let none = match season {
                Season::Months(mask) => !mask.iter().zip(covered).any(|(a, b)| *a && *b),
                _ => !covered.contains(&true),
            };
            if none {
                let r = &self.records[m];
                return Err(OperatorError::NoMonths {
                    site: r.site.clone(),
                    line: r.line,
                });
            }
        }
        Ok(())
    }

    /// Month weights `[12, n]` from the sites' SST `[12, n]` (module docs).
    fn month_weights(&self, g: &Group<B>, sst: Tensor<B, 2>) -> Tensor<B, 2> {
        let s = self.options.season_sharpness;
        let smooth = sigmoid((sst.clone() - g.lo.clone()) / s) * sigmoid((g.hi.clone() - sst) / s);
        smooth * g.growth.clone() + g.fixed.clone()
    }

    /// The group's proxy model of habitat temperature `t` `[12, n]`; salinity and δw are
    /// gathered only where the model needs them.
    fn proxy(
        &self,
        g: &Group<B>,
        t: Tensor<B, 2>,
        salinity: impl Fn() -> Tensor<B, 2>,
        d18o_w: impl Fn() -> Tensor<B, 2>,
    ) -> Tensor<B, 2> {
        let o = &self.options;
        match g.kind {
            ProxyKind::D18o => o.d18o.equation().calcite(t, d18o_w()),
            ProxyKind::Uk37 => o.uk37.uk37(t),
            ProxyKind::Tex86 => tex86(t),
            ProxyKind::MgCa => {
                let s = salinity();
                let c = |v: f64| s.zeros_like() + v;
                let chem = SeawaterChemistry {
                    ph: c(o.ph),
                    omega: c(o.omega),
                    reductive: c(f64::from(u8::from(o.reductive))),
                    salinity: s.clone(),
                };
                o.mgca.mgca(t, Some(&chem))
            }
        }
    }
}

/// The weighted sums `[12, n]` of a flattened field `[12, nz·ny·nx]` at a group's points.
fn gather<B: Backend>(
    g: &Group<B>,
    field: &Tensor<B, 2>,
    index: &Tensor<B, 1, burn_tensor::Int>,
    weight: &Tensor<B, 3>,
) -> Tensor<B, 2> {
    let n = g.members.len();
    let v = field
        .clone()
        .select(1, index.clone())
        .reshape([12, n, POINTS]);
    (v * weight.clone()).sum_dim(2).reshape([12, n])
}

/// Splits the records into one group per proxy kind (in [`ProxyKind::ALL`] order) and builds
/// their tensors.
fn group<B: Backend>(
    records: &[ProxyRecord],
    placements: &[Placement],
    device: &B::Device,
) -> Vec<Group<B>> {
    let mut groups = Vec::new();
    for kind in ProxyKind::ALL {
        let members: Vec<usize> = (0..records.len())
            .filter(|&i| records[i].kind == kind)
            .collect();
        if members.is_empty() {
            continue;
        }
        let n = members.len();
        let pairs = |f: fn(&Placement) -> &Vec<(usize, f64)>| {
            let p: Vec<(usize, f64)> = members
                .iter()
                .flat_map(|&m| f(&placements[m]).clone())
                .collect();
            let idx = index_tensor(p.iter().map(|q| q.0 as i64).collect(), device);
            let w = tensor_from_vec(p.iter().map(|q| q.1).collect(), [1, n, POINTS], device);
            (idx, w)
        };
        let (habitat_index, habitat_weight) = pairs(|p| &p.habitat);
        let (surface_index, surface_weight) = pairs(|p| &p.surface);
        let row = |f: &dyn Fn(&ProxyRecord) -> f64| {
            tensor_from_vec::<B, 2>(
                members.iter().map(|&m| f(&records[m])).collect(),
                [1, n],
                device,
            )
        };
        let range = |r: &ProxyRecord| r.species.map_or([0.0, 0.0], |s| s.growth_range());
        let mut fixed = vec![0.0; 12 * n];
        for (col, &m) in members.iter().enumerate() {
            for (month, f) in fixed.chunks_mut(n).enumerate() {
                f[col] = match records[m].season {
                    Season::Annual => 1.0,
                    Season::Months(mask) => f64::from(u8::from(mask[month])),
                    Season::Growth => 0.0,
                };
            }
        }
        groups.push(Group {
            kind,
            habitat_index,
            habitat_weight,
            surface_index,
            surface_weight,
            growth: row(&|r| f64::from(u8::from(r.season == Season::Growth))),
            fixed: tensor_from_vec(fixed, [12, n], device),
            lo: row(&|r| range(r)[0]),
            hi: row(&|r| range(r)[1]),
            seasons: members.iter().map(|&m| records[m].season).collect(),
            members,
        });
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64, Cpu64Autodiff};
    use crate::proxy::Species;

    fn record(lat: f64, lon: f64, kind: ProxyKind, season: Season, depth: f64) -> ProxyRecord {
        ProxyRecord {
            site: format!("S{lat}_{lon}"),
            lat,
            lon,
            kind,
            species: kind.needs_species().then_some(Species::Bulloides),
            value: 0.0,
            sigma: 1.0,
            season,
            habitat_depth: depth,
            age: [0.0, 4.0],
            reference: String::new(),
            line: 2,
        }
    }

    /// 8 × 4 cells of 45° × 30° (T rows at −45, −15, 15, 45 °N), levels 50, 150, 300 m;
    /// the column at 90°E, 15°N is land, the one at 0°E, 15°N has one level.
    fn toy() -> (OceanGrid, VerticalGrid, Vec<usize>) {
        let grid = OceanGrid::new(8, 4, -60.0, 60.0, 6.371e6);
        let levels = VerticalGrid {
            dz: vec![100.0, 100.0, 200.0],
            z_t: vec![50.0, 150.0, 300.0],
            z_w: vec![0.0, 100.0, 200.0, 400.0],
        };
        let mut kbot = vec![3; 32];
        kbot[2 * 8 + 2] = 0;
        kbot[2 * 8] = 1;
        (grid, levels, kbot)
    }

    /// Monthly fields T = month + lon/10 + lat/100 − z/1000, S = 35, δw = 0.
    fn ocean<B: Backend>(
        grid: &OceanGrid,
        levels: &VerticalGrid,
        covered: [bool; 12],
    ) -> MonthlyOcean<B> {
        let mut t = Vec::new();
        for m in 0..12 {
            for z in &levels.z_t {
                for la in &grid.lat_t_deg {
                    for lo in &grid.lon.centres_deg {
                        t.push(m as f64 + lo / 10.0 + la / 100.0 - z / 1000.0);
                    }
                }
            }
        }
        let shape = [12, 3, 4, 8];
        let d = Default::default();
        MonthlyOcean {
            temperature: tensor_from_vec(t, shape, &d),
            salinity: tensor_from_vec(vec![35.0; 12 * 96], shape, &d),
            d18o_sw: tensor_from_vec(vec![0.0; 12 * 96], shape, &d),
            covered,
        }
    }

    #[test]
    fn bilinear_and_depth_interpolation_of_a_linear_field_is_exact() {
        let (grid, levels, kbot) = toy();
        let tex = |lat, lon, depth| {
            record(
                lat,
                lon,
                ProxyKind::Tex86,
                Season::Months([true; 12]),
                depth,
            )
        };
        // Interior sites away from the land column; TEX86ᴴ inverted gives back temperature.
        let recs = [
            tex(-30.0, 200.0, 0.0),
            tex(0.0, 300.0, 100.0),
            tex(-30.0, 20.0, 225.0),
        ];
        let op = SiteOperator::<Cpu64>::new(
            &recs,
            &grid,
            &levels,
            &kbot,
            SiteOptions::default(),
            &Default::default(),
        )
        .unwrap();
        // TEX86 is exponential in T, so a many-month mean is not exp of the mean T:
        // compare January alone.
        let jan = [
            true, false, false, false, false, false, false, false, false, false, false, false,
        ];
        let h = op.equivalents(&ocean(&grid, &levels, jan)).unwrap();
        let t = to_vec_f64(crate::proxy::tex86_temperature(h));
        for (r, got) in recs.iter().zip(t) {
            let want = r.lon / 10.0 + r.lat / 100.0 - r.habitat_depth.max(50.0) / 1000.0;
            assert!((got - want).abs() < 1e-9, "{}: {got} vs {want}", r.site);
        }
    }

    #[test]
    fn dry_sites_error_drop_or_move_and_dry_corners_are_left_out() {
        let (grid, levels, kbot) = toy();
        let d = Default::default();
        let opts = SiteOptions::default();
        // Next to the land column: only its wet neighbours count (T varies by lon/10 only
        // along the row, so the value is the wet corner's).
        let tex = |lat, lon| record(lat, lon, ProxyKind::Tex86, Season::Annual, 0.0);
        let op = SiteOperator::<Cpu64>::new(&[tex(15.0, 80.0)], &grid, &levels, &kbot, opts, &d)
            .unwrap();
        let jan = std::array::from_fn(|m| m == 0);
        let t = to_vec_f64(crate::proxy::tex86_temperature(
            op.equivalents(&ocean(&grid, &levels, jan)).unwrap(),
        ));
        assert!((t[0] - (4.5 + 0.15 - 0.05)).abs() < 1e-9, "{t:?}");
        // A site on a grid whose only wet column is far away.
        let mut dry = vec![0; 32];
        dry[8 + 5] = 3;
        let e = SiteOperator::<Cpu64>::new(&[tex(40.0, 80.0)], &grid, &levels, &dry, opts, &d)
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("S40_80") && msg.contains("-15.00°N 225.00°E") && msg.contains("km away"),
            "{msg}"
        );
        let drop = SiteOptions {
            on_dry: OnDry::Drop,
            ..opts
        };
        let op = SiteOperator::<Cpu64>::new(
            &[tex(40.0, 80.0), tex(-15.0, 225.0)],
            &grid,
            &levels,
            &dry,
            drop,
            &d,
        )
        .unwrap();
        assert_eq!((op.records.len(), op.dropped.len()), (1, 1));
        assert_eq!(op.dropped[0].nearest, [-15.0, 225.0]);
        let near = SiteOptions {
            on_dry: OnDry::Nearest(20_000.0),
            ..opts
        };
        let op =
            SiteOperator::<Cpu64>::new(&[tex(40.0, 80.0)], &grid, &levels, &dry, near, &d).unwrap();
        assert_eq!(op.moved.len(), 1);
        let short = SiteOptions {
            on_dry: OnDry::Nearest(10.0),
            ..opts
        };
        assert!(
            SiteOperator::<Cpu64>::new(&[tex(40.0, 80.0)], &grid, &levels, &dry, short, &d)
                .is_err()
        );
    }

    /// The growth-season weights pass gradient to SST on both sides of each range end, and
    /// a record's months outside the window are an error.
    #[test]
    fn growth_season_gradients_are_nonzero_on_both_sides_of_the_range_ends() {
        let (grid, levels, kbot) = toy();
        let d = Default::default();
        let rec = [record(-30.0, 200.0, ProxyKind::D18o, Season::Growth, 0.0)];
        let op = SiteOperator::<Cpu64Autodiff>::new(
            &rec,
            &grid,
            &levels,
            &kbot,
            SiteOptions::default(),
            &d,
        )
        .unwrap();
        let [lo, hi] = Species::Bulloides.growth_range();
        let eq = D18oCalibration::BayfoxPooled.equation();
        assert_eq!(eq.c, 0.0);
        let w = |t: f64| {
            let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
            sig(t - lo) * sig(hi - t)
        };
        for (sst, inside) in [
            (lo - 0.5, lo + 10.0),
            (lo + 0.5, lo + 10.0),
            (hi - 0.5, hi - 10.0),
            (hi + 0.5, hi - 10.0),
        ] {
            // January at `sst`, the other months well inside the range.
            let t: Vec<f64> = (0..12 * 96)
                .map(|i| if i < 96 { sst } else { inside })
                .collect();
            let t = Tensor::<Cpu64Autodiff, 4>::from_data(
                burn_tensor::TensorData::new(t, [12, 3, 4, 8]),
                &d,
            )
            .require_grad();
            let mut o = ocean::<Cpu64Autodiff>(&grid, &levels, [true; 12]);
            o.temperature = t.clone();
            let g = op.equivalents(&o).unwrap().sum().backward();
            let g = to_vec_f64(
                t.grad(&g)
                    .unwrap()
                    .sum_dim(1)
                    .sum_dim(2)
                    .sum_dim(3)
                    .reshape([12]),
            );
            // With frozen weights ∂H/∂T_Jan would be w_Jan (1/b) / Σw; the rest is the
            // weight's own derivative, which a hard mask would not have.
            let frozen = w(sst) / eq.b / (w(sst) + 11.0 * w(inside));
            assert!(
                (g[0] - frozen).abs() > 1e-3 * frozen.abs(),
                "sst {sst}: {} vs frozen {frozen}",
                g[0]
            );
        }
        let jan = std::array::from_fn(|m| m == 0);
        let mask = record(
            -30.0,
            200.0,
            ProxyKind::Uk37,
            Season::Months(std::array::from_fn(|m| m == 6)),
            0.0,
        );
        let op =
            SiteOperator::<Cpu64>::new(&[mask], &grid, &levels, &kbot, SiteOptions::default(), &d)
                .unwrap();
        let e = op.equivalents(&ocean(&grid, &levels, jan)).unwrap_err();
        assert!(
            e.to_string().contains("none of which is in the window"),
            "{e}"
        );
    }
}
