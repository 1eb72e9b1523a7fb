//! The coupled mode behind `chronos run experiments/control.toml`
//! (`experiment.mode = "coupled"`), a [`Mode`] of the [`Simulation`] driver (which owns the
//! calendar, restarts, resume and signals): monthly means built on the device, yearly files,
//! the global diagnostics and the blow-up detector.
//!
//! # Output folder
//! - `config.toml`: the resolved configuration (after `--set` > environment > experiment >
//!   model), every override, the backend and the program version;
//! - `atmos_YYYY.nc`, `ocean_YYYY.nc`, `land_YYYY.nc`, `seaice_YYYY.nc`: monthly means of year
//!   YYYY ([`super::output`]), each closed when its year is complete;
//! - `global.nc`: the monthly global diagnostics of the whole run
//!   (the series of [`crate::coupler::variables::VARIABLES`]);
//! - `restart_YYYY-MM-DD-SSSSS.nc`: restarts ([`super::restart`]) at the start of the run,
//!   every `output.restart_years` years, at its end and when SIGINT or SIGTERM stops it;
//! - `quicklook_YYYY_*.png`: maps and time series of every completed year
//!   ([`super::quicklook`]).
//!
//! # Resume
//! See [`super::simulation`]: the restart holds, besides the state, the partial monthly sums
//! and the stores at the start of the month, so a resumed run writes the same files bit for
//! bit as an uninterrupted one.
//!
//! # Monthly means
//! Every coupling interval adds the atmosphere's interval means, the land, ocean and sea-ice
//! state and the ocean's surface forcing to sums on the device; nothing is read back to the
//! host until the month ends. The mixed-layer depth is computed each interval (it is not
//! linear in the state); w is diagnosed from the monthly-mean u, v (it is linear in them).
//!
//! CO₂ and the orbit follow the experiment's `[forcing]` tables day by day (by model year
//! since the run's start); hosing, when set, is on over its years. There is no flux
//! correction.

use super::calendar::Date;
use super::output::{self, FileSpec, Kind, COMPONENTS};
use super::restart::{self, Field, Restart};
use super::simulation::{self, Mode, Simulation};
use super::sums::{MonthlyMeans, MonthlySums};
use super::{io_err, RunError, RunOptions};
use crate::backend::{tensor_from_vec, to_vec_f64, BackendKind};
use crate::config::{ExperimentConfig, ResolvedConfig};
use crate::coupler::variables::{self as vars, TABLES};
use crate::forcing::orbit::Orbit;
use crate::grid::ModelGrids;
use crate::io::{axes, Storage, FILL_VALUE};
use crate::model::{step, CoupledModel, CoupledState, Hosing};
use crate::ocean::diagnostics::OceanDiagnostics;
use crate::physics::constants::{SECONDS_PER_DAY, SECONDS_PER_YEAR};
use burn_tensor::{backend::Backend, Tensor};
use std::path::{Path, PathBuf};

/// Names of the device sums: the monthly entries of every table, in [`TABLES`] order (the
/// atmosphere's interval means, the land, ocean and sea-ice state, the ocean's surface
/// forcing and the coupler's two flux integrals, J).
fn sum_names() -> Vec<&'static str> {
    TABLES.iter().flat_map(|t| vars::monthly_names(t)).collect()
}

/// The quantities of one coupling interval that the monthly sums add up, by name, each
/// rank 3.
fn interval_fields<B: Backend>(
    m: &CoupledModel<B>,
    s: &CoupledState<B>,
    r: crate::model::CouplingReport<B>,
    mld: &MixedLayer<B>,
) -> Vec<(&'static str, Tensor<B, 3>)> {
    let [_, ny, nx] = m.exchange.ocean_mask.dims();
    let atmos_names: Vec<_> = vars::monthly_names(&crate::atmos::variables::VARIABLES).collect();
    debug_assert_eq!(
        atmos_names.len(),
        r.atmos_means.len(),
        "one mean per atmosphere sum"
    );
    let mut v: Vec<_> = atmos_names.into_iter().zip(r.atmos_means).collect();
    let (l, o, i) = (&s.land, &s.ocean, &s.ice);
    let [hfds, wfo] = r.ocean_means;
    v.extend([
        ("ts_land", l.temperature.clone()),
        ("mrso", l.soil_water.clone()),
        ("snw", l.snow.clone()),
        ("ts_landice", l.ice_temperature.clone()),
        ("snw_landice", l.ice_snow.clone()),
        ("thetao", o.temperature.clone()),
        ("so", o.salinity.clone()),
        ("uo", o.u.clone()),
        ("vo", o.v.clone()),
        ("agessc", o.age.clone()),
        ("msftbarot", o.psi.clone().reshape([1, ny, nx])),
        ("mlotst", mld.depth(&m.ocean, &o.temperature, &o.salinity)),
        ("hfds", hfds),
        ("wfo", wfo),
        ("siconc", i.concentration.clone()),
        ("sivol", i.volume.clone()),
        ("sisnthick", i.snow_volume.clone()),
        ("sitemptop", i.surface_temperature.clone()),
        ("toa_energy", r.toa.reshape([1, 1, 1])),
        ("ocean_energy", r.ocean_heat.reshape([1, 1, 1])),
    ]);
    v
}

/// The mixed-layer depth criterion on the device.
struct MixedLayer<B: Backend> {
    /// z_t (m) broadcast `[nz, ny, nx]`.
    z: Tensor<B, 3>,
    /// Column depth Σ Δz (m) broadcast `[nz, ny, nx]`.
    column: Tensor<B, 3>,
    /// Zero depth `[nz, 1, 1]` (potential density at the surface).
    surface: Tensor<B, 3>,
}

/// Density difference of the mixed-layer criterion (kg m⁻³), de Boyer Montégut et al. (2004).
pub const MLD_DENSITY_STEP: f64 = 0.03;

impl<B: Backend> MixedLayer<B> {
    fn new(m: &crate::ocean::OceanModel<B>) -> Self {
        let [nz, ny, nx] = m.shape;
        let device = m.mask_t.device();
        let z =
            tensor_from_vec::<B, 3>(m.levels.z_t.clone(), [nz, 1, 1], &device).expand([nz, ny, nx]);
        let column = (m.mask_t.clone() * m.dz.clone())
            .sum_dim(0)
            .expand([nz, ny, nx]);
        Self {
            z,
            column,
            surface: Tensor::zeros([nz, 1, 1], &device),
        }
    }

    /// MLD (m) `[1, ny, nx]`: z_t of the first wet level with σ_θ > σ_θ(top) + 0.03 kg m⁻³,
    /// the column depth when no level is that dense (zero on land).
    fn depth(
        &self,
        m: &crate::ocean::OceanModel<B>,
        t: &Tensor<B, 3>,
        s: &Tensor<B, 3>,
    ) -> Tensor<B, 3> {
        let [nz, ny, nx] = m.shape;
        let rho = m
            .physics
            .eos
            .density_anomaly(t.clone(), s.clone(), self.surface.clone());
        let top = rho.clone().narrow(0, 0, 1).expand([nz, ny, nx]);
        let dense = (rho - top)
            .greater_elem(MLD_DENSITY_STEP)
            .bool_and(m.mask_t.clone().greater_elem(0.5));
        self.column
            .clone()
            .mask_where(dense, self.z.clone())
            .min_dim(0)
    }
}

pub use super::simulation::{Interrupted, Summary, Timing};

/// The files of a run folder the coupled mode writes: yearly files and `global.nc`.
fn own_files(dir: &Path) -> Vec<PathBuf> {
    super::files_where(dir, |n| n == "global.nc" || yearly_file(n).is_some())
}

/// The component and year of a yearly file name `STEM_YYYY.nc`.
fn yearly_file(name: &str) -> Option<(usize, u64)> {
    COMPONENTS.iter().enumerate().find_map(|(i, k)| {
        name.strip_prefix(k.stem())
            .and_then(|r| r.strip_prefix('_'))
            .and_then(|r| r.strip_suffix(".nc"))
            .filter(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))
            .and_then(|y| y.parse().ok())
            .map(|y| (i, y))
    })
}

/// Runs (or resumes) a coupled experiment with the [`Simulation`] driver (module docs).
///
/// # Errors
/// [`RunError`] for bad configuration or data, a run that is finished or has other physics,
/// a blow-up (the restarts before it are kept) or an I/O failure.
pub fn run<B: Backend>(
    cfg: &ResolvedConfig,
    opts: &RunOptions,
    kind: BackendKind,
    device: &B::Device,
) -> Result<Summary, RunError> {
    let exp: &ExperimentConfig = cfg.experiment.as_ref().ok_or(RunError::NoExperiment)?;
    let mode = Coupled::<B>::new(cfg, exp, kind, device)?;
    // The initial restart of a branch, read before the folder is touched.
    let branch = simulation::read_branch(cfg, exp, opts)?;
    Simulation::start(mode, cfg, opts, kind, branch)?.run()
}

/// The coupled model as a [`Mode`] of the [`Simulation`]: the state, the forcing tables,
/// the monthly sums on the device and the open yearly files.
pub struct Coupled<'c, B: Backend> {
    exp: &'c ExperimentConfig,
    model: CoupledModel<B>,
    state: CoupledState<B>,
    grids: ModelGrids,
    specs: Vec<FileSpec>,
    writers: Vec<Option<crate::io::CfWriter>>,
    global: Option<crate::io::CfWriter>,
    sums: MonthlySums<B>,
    month_stores: Vec<f64>,
    diag: OceanDiagnostics<B>,
    mld: MixedLayer<B>,
    hosts: HostMasks,
    area: f64,
    ocean_area: f64,
    co2: f64,
    orbit: Orbit,
    forcing_day: u64,
    label: String,
}

impl<'c, B: Backend> Coupled<'c, B> {
    /// Builds the model and its cold start (Levitus ocean at rest, `initial.sea_ice`).
    ///
    /// # Errors
    /// [`RunError::Config`] when the grids, data or model cannot be built.
    pub fn new(
        cfg: &ResolvedConfig,
        exp: &'c ExperimentConfig,
        kind: BackendKind,
        device: &B::Device,
    ) -> Result<Self, RunError> {
        let config = |e: &dyn std::fmt::Display| RunError::Config(e.to_string());
        let orbit = exp.forcing.orbit.at(0.0).map_err(|e| config(&e))?;
        let (mut model, data) =
            CoupledModel::<B>::new(&cfg.model, device).map_err(|e| config(&e))?;
        let grids = ModelGrids::new(&cfg.model).map_err(|e| config(&e))?;
        if let Some(h) = &exp.forcing.hosing {
            model.hosing = Some(hosing(&model, &grids, h));
        }
        let mut state = model.initial_state(&data).map_err(|e| config(&e))?;
        if exp.initial.sea_ice == crate::config::InitialSeaIce::None {
            let tf = state.ice.surface_temperature.clone();
            state.ice = crate::ice::SeaIceState {
                concentration: tf.zeros_like(),
                volume: tf.zeros_like(),
                snow_volume: tf.zeros_like(),
                surface_temperature: tf,
            };
        }
        let ex = &model.exchange;
        let area = to_vec_f64(ex.atmos_area.clone().sum())[0];
        let ocean_area = to_vec_f64(ex.integrate_ocean(ex.ocean_mask.clone()))[0];
        let label = format!(
            "coupled {} on {}: coupling every {} s ({} atmosphere and {} ocean steps), CO₂ {}, orbit {}{}",
            cfg.model.model.name,
            kind.name(),
            model.interval,
            model.atmos_steps,
            model.ocean_steps,
            exp.forcing.co2,
            exp.forcing.orbit,
            if model.hosing.is_some() { ", hosing on" } else { "" },
        );
        let mut mode = Coupled {
            exp,
            diag: OceanDiagnostics::new(&model.ocean, &data.ocean.basin, device),
            mld: MixedLayer::new(&model.ocean),
            hosts: HostMasks::new(&model, &grids),
            specs: file_specs(cfg, &grids),
            writers: (0..COMPONENTS.len()).map(|_| None).collect(),
            global: None,
            sums: MonthlySums::new(sum_names(), true),
            month_stores: Vec::new(),
            area,
            ocean_area,
            co2: exp.forcing.co2.at(0.0),
            orbit,
            forcing_day: u64::MAX,
            label,
            grids,
            model,
            state,
        };
        mode.month_stores = mode.stores();
        Ok(mode)
    }

    /// Total energy, water and salt of the state (host values).
    fn stores(&self) -> Vec<f64> {
        let st = self.model.stores(&self.state);
        to_vec_f64(Tensor::cat(vec![st.energy, st.water, st.salt], 0))
    }

    fn spec(&self, k: Kind) -> &FileSpec {
        self.specs
            .iter()
            .find(|s| s.kind == k)
            .expect("a spec per kind")
    }
}

impl<B: Backend> Mode for Coupled<'_, B> {
    fn interval(&self) -> f64 {
        self.model.interval
    }

    fn time(&self) -> f64 {
        self.state.time
    }

    fn describe(&self) -> String {
        self.label.clone()
    }

    fn advance(&mut self, _dir: &Path) -> Result<(), RunError> {
        // CO₂ and the orbit follow the experiment's tables day by day (by model year).
        let day = (self.state.time / SECONDS_PER_DAY).floor() as u64;
        if day != self.forcing_day {
            (self.co2, self.orbit) = super::forcing_of_day(&self.exp.forcing, day)?;
            self.forcing_day = day;
        }
        let forcing = self.model.forcing(self.co2, &self.orbit, self.state.time);
        let (next, r) = step(&self.model, self.state.clone(), &forcing);
        self.state = next;
        let list = interval_fields(&self.model, &self.state, r, &self.mld);
        self.sums.add(list, Some(self.state.atmos.current.clone()));
        Ok(())
    }

    fn close_month(
        &mut self,
        dir: &Path,
        last: &Date,
        month_start: f64,
        complete: bool,
    ) -> Result<String, RunError> {
        let n = ((self.state.time - month_start) / self.model.interval).round();
        // A run that ends inside a month writes the partial month and keeps its sums for the
        // end restart: a longer run continuing it rewrites that month whole.
        let means = self.sums.means(n, complete);
        let tas = means.get("tas");
        check_bounds(&self.model, &self.state, tas, &self.grids, last, dir)?;
        let fields = host_fields(&self.model, &means, &self.hosts);
        let bounds = [
            month_start / SECONDS_PER_DAY,
            self.state.time / SECONDS_PER_DAY,
        ];
        for (i, k) in COMPONENTS.iter().enumerate() {
            if self.writers[i].is_none() {
                let w = output::create(&k.path(dir, last.year), self.spec(*k))?;
                self.writers[i] = Some(w);
            }
            let names = self.spec(*k).names();
            let list: Vec<(&str, &[f64])> = names
                .iter()
                .map(|n| (*n, fields.get(n).expect("a host field per name").as_slice()))
                .collect();
            output::append(
                self.writers[i].as_mut().expect("opened above"),
                bounds,
                &list,
            )?;
        }
        let now_stores = self.stores();
        let values = global_values(
            &self.model,
            &self.state,
            &means,
            &self.diag,
            &self.hosts,
            self.area,
            self.ocean_area,
            n * self.model.interval,
            &self.month_stores,
            &now_stores,
        );
        let list: Vec<(&str, &[f64])> = self
            .spec(Kind::Global)
            .vars
            .iter()
            .map(|v| (v.name, std::slice::from_ref(&values[v.name])))
            .collect();
        output::append(
            self.global.as_mut().expect("opened at the start"),
            bounds,
            &list,
        )?;
        if complete {
            self.month_stores = now_stores;
        }
        let v = |n: &str| values[n];
        Ok(format!(
            "{:04}-{:02}: SAT {:.2} K, SST {:.2} °C, TOA {:+.2} W m⁻², ocean uptake {:+.2} W m⁻², sea ice N {:.2} / S {:.2} 10⁶ km², AMOC {:.1} Sv, Drake {:.0} Sv, Θ {:.4} °C, energy residual {:+.3} W m⁻²",
            last.year,
            last.month,
            v("tas"),
            v("sst"),
            v("toa_net"),
            v("ocean_heat_uptake"),
            v("siarea_n"),
            v("siarea_s"),
            v("amoc_26n"),
            v("drake"),
            v("thetao_mean"),
            v("energy_residual"),
        ))
    }

    fn close_year(&mut self, dir: &Path, year: u64) -> Result<Vec<PathBuf>, RunError> {
        let mut files = Vec::new();
        for (w, k) in self.writers.iter_mut().zip(COMPONENTS) {
            if let Some(w) = w.take() {
                w.close()?;
                files.push(k.path(dir, year));
            }
        }
        if self.exp.output.quicklook {
            match super::quicklook::year(dir, year) {
                Ok(mut pngs) => files.append(&mut pngs),
                Err(e) => eprintln!("warning: quick-look plots of year {year} not made: {e}"),
            }
        }
        Ok(files)
    }

    fn finish(&mut self, dir: &Path, _complete: bool) -> Result<Vec<PathBuf>, RunError> {
        // Files of a year still open (a run stopped by a signal inside the year).
        let mut files = Vec::new();
        for w in self.writers.iter_mut() {
            if let Some(w) = w.take() {
                files.push(w.path().to_path_buf());
                w.close()?;
            }
        }
        if let Some(g) = self.global.take() {
            g.close()?;
        }
        files.push(Kind::Global.path(dir, 0));
        Ok(files)
    }

    fn restart_fields(&self) -> (Vec<Field>, [f64; 3]) {
        let (mut fields, counters) = restart::state_fields(&self.state);
        fields.push(Field {
            name: "month_stores".into(),
            shape: vec![self.month_stores.len()],
            values: self.month_stores.clone(),
        });
        fields.extend(self.sums.restart_fields());
        (fields, counters)
    }

    fn resume(&mut self, r: &Restart) -> Result<(), RunError> {
        let device = self.state.frazil.device();
        self.state = r.state(&self.state)?;
        self.sums.restore(r, &device)?;
        self.month_stores = r.field("month_stores")?.values.clone();
        Ok(())
    }

    fn branch(&mut self, r: &Restart) -> Result<(), RunError> {
        let mut s = r.state(&self.state)?;
        s.time = 0.0;
        self.state = s;
        self.month_stores = self.stores();
        Ok(())
    }

    fn own_files(&self, dir: &Path) -> Vec<PathBuf> {
        own_files(dir)
    }

    fn open_outputs(&mut self, dir: &Path, resume: Option<f64>) -> Result<(), RunError> {
        let g_path = Kind::Global.path(dir, 0);
        if let Some(until) = resume {
            // Cut the output back to the start of the restart's month (a partial month
            // written at the end of a shorter run is rewritten whole); the files of its year
            // stay open.
            let year = Date::of_seconds(until * SECONDS_PER_DAY).year;
            for p in own_files(dir) {
                let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                let Some((i, y)) = yearly_file(n) else {
                    continue;
                };
                if y > year {
                    std::fs::remove_file(&p).map_err(io_err(&p))?;
                } else if y == year {
                    self.writers[i] = output::rebuild(&p, self.spec(COMPONENTS[i]), until)?;
                }
            }
        }
        self.global = Some(output::reopen(&g_path, self.spec(Kind::Global), resume)?);
        super::remove_stale_quicklooks(dir, resume)
    }
}

/// Host copies of the masks and grid facts the month's output needs.
struct HostMasks {
    /// Ocean T mask `[nz·ny·nx]`.
    t: Vec<f64>,
    /// Ocean u and v masks.
    u: Vec<f64>,
    v: Vec<f64>,
    /// Ice-free land present in the atmosphere cell, `[nlat·nlon]`.
    land: Vec<bool>,
    /// Ice sheet present in the atmosphere cell, `[nlat·nlon]`.
    land_ice: Vec<bool>,
    /// Ocean-grid surface cells north of the equator, 1/0, `[1, ny, nx]` (device).
    north: Vec<f64>,
    /// Deep ocean (centre below 2000 m) `[nz, 1, 1]`.
    deep: Vec<f64>,
    /// Surface layer size ny·nx.
    plane: usize,
}

impl HostMasks {
    fn new<B: Backend>(m: &CoupledModel<B>, grids: &ModelGrids) -> Self {
        let o = &m.ocean;
        let [_, ny, nx] = o.shape;
        let fl = to_vec_f64(m.exchange.land_fraction.clone());
        let fi = to_vec_f64(m.exchange.land_ice_fraction.clone());
        Self {
            t: to_vec_f64(o.mask_t.clone()),
            u: to_vec_f64(o.mask_u.clone()),
            v: to_vec_f64(o.mask_v.clone()),
            land: fl.iter().map(|f| *f > 0.0).collect(),
            land_ice: fi.iter().map(|f| *f > 0.0).collect(),
            north: grids
                .ocean
                .lat_t_deg
                .iter()
                .flat_map(|&l| std::iter::repeat_n(f64::from(u8::from(l > 0.0)), nx))
                .collect(),
            deep: o
                .levels
                .z_t
                .iter()
                .map(|z| f64::from(u8::from(*z > 2000.0)))
                .collect(),
            plane: ny * nx,
        }
    }
}

/// The month's output fields on the host by output name, land or ocean points missing.
fn host_fields<B: Backend>(
    m: &CoupledModel<B>,
    means: &MonthlyMeans<B>,
    h: &HostMasks,
) -> std::collections::HashMap<&'static str, Vec<f64>> {
    let get = |n: &str| to_vec_f64(means.get(n));
    let fill = |v: Vec<f64>, mask: &[f64]| -> Vec<f64> {
        v.into_iter()
            .zip(mask.iter().cycle())
            .map(|(x, w)| if *w > 0.0 { x } else { FILL_VALUE })
            .collect()
    };
    let surface = &h.t[..h.plane];
    let mut out = std::collections::HashMap::new();
    for n in vars::monthly_names(&crate::atmos::variables::VARIABLES) {
        out.insert(n, get(n));
    }
    let spectral = means
        .spectral
        .as_ref()
        .expect("the coupled sums hold the spectral state");
    for (n, t) in m.atmos.dynamics.upper_air(spectral) {
        out.insert(n, to_vec_f64(t));
    }
    for n in vars::monthly_names(&crate::land::variables::VARIABLES) {
        let mask = if n.ends_with("landice") {
            &h.land_ice
        } else {
            &h.land
        };
        let v = get(n)
            .into_iter()
            .zip(mask)
            .map(|(x, l)| if *l { x } else { FILL_VALUE })
            .collect();
        out.insert(n, v);
    }
    let theta = get("thetao");
    let so = get("so");
    out.insert("tos", fill(theta[..h.plane].to_vec(), surface));
    out.insert("sos", fill(so[..h.plane].to_vec(), surface));
    out.insert("thetao", fill(theta, &h.t));
    out.insert("so", fill(so, &h.t));
    out.insert("uo", fill(get("uo"), &h.u));
    out.insert("vo", fill(get("vo"), &h.v));
    let w = crate::ocean::momentum::vertical_velocity(&m.ocean, means.get("uo"), means.get("vo"));
    out.insert("wo", fill(to_vec_f64(w), &h.t));
    out.insert("agessc", fill(get("agessc"), &h.t));
    out.insert("msftbarot", get("msftbarot"));
    for n in [
        "mlotst",
        "hfds",
        "wfo",
        "siconc",
        "sivol",
        "sisnthick",
        "sitemptop",
    ] {
        out.insert(n, fill(get(n), surface));
    }
    let c = &out["siconc"];
    let thick: Vec<f64> = c
        .iter()
        .zip(&out["sivol"])
        .map(|(c, v)| {
            if *c > 0.0 && *c != FILL_VALUE {
                v / c
            } else {
                FILL_VALUE
            }
        })
        .collect();
    out.insert("sithick", thick);
    out
}

/// The month's global diagnostics (the coupler table's series) by name.
#[allow(clippy::too_many_arguments)]
fn global_values<B: Backend>(
    m: &CoupledModel<B>,
    state: &CoupledState<B>,
    means: &MonthlyMeans<B>,
    diag: &OceanDiagnostics<B>,
    h: &HostMasks,
    area: f64,
    ocean_area: f64,
    seconds: f64,
    start: &[f64],
    now: &[f64],
) -> std::collections::HashMap<&'static str, f64> {
    let at = |n: &str| means.get(n);
    let ex = &m.exchange;
    let device = ex.ocean_mask.device();
    let [nz, ny, nx] = m.ocean.shape;
    let north = tensor_from_vec::<B, 3>(h.north.clone(), [1, ny, nx], &device);
    let south = north.clone().neg() + 1.0;
    let deep = tensor_from_vec::<B, 3>(h.deep.clone(), [nz, 1, 1], &device);
    let mut ocean = state.ocean.clone();
    ocean.temperature = at("thetao");
    ocean.salinity = at("so");
    ocean.u = at("uo");
    ocean.v = at("vo");
    ocean.psi = at("msftbarot").reshape([ny, nx]);
    let s = diag.scalars(&m.ocean, &ocean);
    let om = |x: Tensor<B, 3>| ex.integrate_ocean(x * ex.ocean_mask.clone());
    let gm = |x: Tensor<B, 3>| ex.integrate_atmos(x);
    let (c, vol) = (at("siconc"), at("sivol"));
    // Every integral in one tensor, read to the host at once.
    let integrals = [
        ("tas", gm(at("tas"))),
        ("sst", om(at("thetao").narrow(0, 0, 1))),
        ("pr", gm(at("pr"))),
        ("area_n", om(c.clone() * north.clone())),
        ("area_s", om(c * south.clone())),
        ("vol_n", om(vol.clone() * north)),
        ("vol_s", om(vol * south)),
        (
            "deep_volume",
            m.ocean.integrate_volume(deep.clone().expand([nz, ny, nx])),
        ),
        (
            "deep_heat",
            m.ocean.integrate_volume(ocean.temperature.clone() * deep),
        ),
        ("toa", at("toa_energy").reshape([1])),
        ("ocean", at("ocean_energy").reshape([1])),
    ];
    let (names, list): (Vec<&str>, Vec<Tensor<B, 1>>) = integrals.into_iter().unzip();
    let host = to_vec_f64(Tensor::cat(list, 0));
    let i = |n: &str| host[names.iter().position(|x| *x == n).expect("an integral")];
    let n_samples = seconds / m.interval;
    let (toa_j, ocean_j) = (i("toa") * n_samples, i("ocean") * n_samples);
    let deep_mean = if i("deep_volume") > 0.0 {
        i("deep_heat") / i("deep_volume")
    } else {
        FILL_VALUE
    };
    [
        ("tas", i("tas") / area),
        ("sst", i("sst") / ocean_area),
        ("toa_net", toa_j / (area * seconds)),
        ("ocean_heat_uptake", ocean_j / (area * seconds)),
        ("siarea_n", i("area_n") / 1e12),
        ("siarea_s", i("area_s") / 1e12),
        ("sivol_n", i("vol_n") / 1e12),
        ("sivol_s", i("vol_s") / 1e12),
        ("amoc_26n", s.amoc_26n),
        ("drake", s.drake),
        ("thetao_mean", s.mean_temperature),
        ("thetao_deep", deep_mean),
        ("so_mean", s.mean_salinity),
        ("pr", i("pr") / area),
        (
            "energy_residual",
            (now[0] - start[0] - toa_j) / (area * seconds),
        ),
        ("water_residual", (now[1] - start[1]) / start[1].abs()),
        ("salt_residual", (now[2] - start[2]) / start[2].abs()),
    ]
    .into_iter()
    .collect()
}

/// Stops the run when a field is NaN, infinite or outside its bounds
/// ([`super::blowup::BOUNDS`]), naming the field, the place and the month.
fn check_bounds<B: Backend>(
    m: &CoupledModel<B>,
    state: &CoupledState<B>,
    tas: Tensor<B, 3>,
    grids: &ModelGrids,
    date: &Date,
    dir: &Path,
) -> Result<(), RunError> {
    use super::blowup::{check, Check, Field, GoOn, Place};
    let g = m.atmos.dynamics.grid_fields(&state.atmos.current);
    // Land temperature only where the cell has ice-free land (250 K elsewhere).
    let no_land = m.exchange.land_fraction.clone().lower_equal_elem(0.0);
    let t_land = state.land.temperature.clone().mask_fill(no_land, 250.0);
    let (o, a) = (&grids.ocean, &grids.atmosphere);
    let ocean = Place {
        lon: &o.lon.centres_deg,
        lat: &o.lat_t_deg,
        depth: Some(&grids.levels.z_t),
    };
    let ice = Place {
        depth: None,
        ..ocean
    };
    let air = Place {
        lon: &a.lon.centres_deg,
        lat: &a.lat_deg,
        depth: None,
    };
    let c = |field, values, place| Check {
        field,
        values,
        place,
    };
    let checks = [
        c(
            Field::OceanTemperature,
            state.ocean.temperature.clone(),
            ocean,
        ),
        c(Field::OceanSalinity, state.ocean.salinity.clone(), ocean),
        c(Field::OceanU, state.ocean.u.clone(), ocean),
        c(Field::OceanV, state.ocean.v.clone(), ocean),
        c(Field::SurfaceAir, tas, air),
        c(Field::LandTemperature, t_land, air),
        c(Field::SeaIceVolume, state.ice.volume.clone(), ice),
        c(Field::AtmosT1, g.t1, air),
        c(Field::AtmosWind, g.u0.abs() + g.u1.abs(), air),
    ];
    let when = format!("{:04}-{:02}", date.year, date.month);
    check("the coupled model", &when, &checks, dir, GoOn::Branch)
}

/// The file specs of a run: one per component and the global series.
pub fn file_specs(cfg: &ResolvedConfig, grids: &ModelGrids) -> Vec<FileSpec> {
    let exp_name = cfg
        .experiment
        .as_ref()
        .map_or("coupled".to_string(), |e| e.experiment.name.clone());
    let exp_description = cfg
        .experiment
        .as_ref()
        .map_or(String::new(), |e| e.experiment.description.clone());
    let attrs = |what: &str| {
        vec![
            ("title".to_string(), format!("Chronos {exp_name}: {what}")),
            ("source".to_string(), format!("Chronos {} (QTCM1 atmosphere, z-level ocean, Semtner sea ice, bucket land)", env!("CARGO_PKG_VERSION"))),
            ("experiment".to_string(), exp_name.clone()),
            ("experiment_description".to_string(), exp_description.clone()),
            ("history".to_string(), "written by `chronos run` (coupled mode); a resumed run continues the file".to_string()),
            ("model".to_string(), cfg.model.model.name.clone()),
            ("comment".to_string(), "monthly means of the coupled run; no flux correction; the resolved configuration is config.toml beside this file".to_string()),
        ]
    };
    let [lon, lat] = axes::gaussian_axes(&grids.atmosphere);
    let [olon, olat] = axes::ocean_axes(&grids.ocean);
    let depth = axes::depth_axis(&grids.levels);
    let [lon_u, lat_v, depth_w] = axes::ocean_staggered_axes(&grids.ocean, &grids.levels);
    let table = |t: &[crate::io::VarSpec]| vars::output_vars(t);
    vec![
        FileSpec {
            kind: Kind::Atmos,
            axes: vec![lon.clone(), lat.clone()],
            vars: table(&crate::atmos::variables::VARIABLES),
            storage: Storage::F32,
            attrs: attrs("atmosphere"),
        },
        FileSpec {
            kind: Kind::Ocean,
            axes: vec![olon.clone(), olat.clone(), depth, lon_u, lat_v, depth_w],
            vars: table(&crate::ocean::variables::VARIABLES),
            storage: Storage::F32,
            attrs: attrs("ocean"),
        },
        FileSpec {
            kind: Kind::Land,
            axes: vec![lon, lat],
            vars: table(&crate::land::variables::VARIABLES),
            storage: Storage::F32,
            attrs: attrs("land"),
        },
        FileSpec {
            kind: Kind::SeaIce,
            axes: vec![olon, olat],
            vars: table(&crate::ice::variables::VARIABLES),
            storage: Storage::F32,
            attrs: attrs("sea ice"),
        },
        FileSpec {
            kind: Kind::Global,
            axes: vec![],
            vars: table(&vars::VARIABLES),
            storage: Storage::F64,
            attrs: attrs("global diagnostics"),
        },
    ]
}

/// The hosing flux (kg m⁻² s⁻¹ per unit ocean area) spread evenly over the ocean cells of
/// the region: 1 Sv = 10⁹ kg s⁻¹ of fresh water.
fn hosing<B: Backend>(
    model: &CoupledModel<B>,
    grids: &ModelGrids,
    h: &crate::config::HosingSettings,
) -> Hosing<B> {
    let o = &grids.ocean;
    let nx = o.nx();
    let [w, e] = h.longitudes.map(|l| l.rem_euclid(360.0));
    let inside_lon = |l: f64| {
        if w <= e {
            l >= w && l <= e
        } else {
            l >= w || l <= e
        }
    };
    let region: Vec<f64> = o
        .lat_t_deg
        .iter()
        .flat_map(|&lat| {
            o.lon.centres_deg.iter().map(move |&lon| {
                f64::from(u8::from(
                    lat >= h.latitudes[0] && lat <= h.latitudes[1] && inside_lon(lon),
                ))
            })
        })
        .collect();
    let device = model.exchange.ocean_mask.device();
    let region =
        tensor_from_vec::<B, 3>(region, [1, o.ny, nx], &device) * model.exchange.ocean_mask.clone();
    let area = to_vec_f64(model.exchange.integrate_ocean(region.clone()))[0].max(1.0);
    Hosing {
        flux: region * (h.sverdrups * 1e9 / area),
        period: (h.years[0] * SECONDS_PER_YEAR, h.years[1] * SECONDS_PER_YEAR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Cpu64;

    /// A NaN in the ocean and a too-warm land surface stop the run naming the field, the
    /// place, the month and the newest restart; a sound state passes.
    #[test]
    fn blow_up_names_field_place_and_date() {
        let cfg = ResolvedConfig::builtin("t31").unwrap();
        let device = Default::default();
        let (model, data) = CoupledModel::<Cpu64>::new(&cfg.model, &device).unwrap();
        let grids = ModelGrids::new(&cfg.model).unwrap();
        let mut state = model.initial_state(&data).unwrap();
        let [_, nlat, nlon] = model.exchange.atmos_area.dims();
        let means: Tensor<Cpu64, 3> = Tensor::full([1, nlat, nlon], 280.0, &device);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("restart_0001-01-01-00000.nc"), b"").unwrap();
        let date = Date::of_seconds(70.0 * 86400.0);
        check_bounds(&model, &state, means.clone(), &grids, &date, dir.path()).unwrap();

        // NaN at the third level of a wet column.
        let [nz, ny, nx] = model.ocean.shape;
        let mask = to_vec_f64(model.ocean.mask_t.clone());
        let k = 2 * ny * nx + (0..ny * nx).find(|&c| mask[2 * ny * nx + c] > 0.0).unwrap();
        let (j, i) = ((k % (ny * nx)) / nx, k % nx);
        let mut t = to_vec_f64(state.ocean.temperature.clone());
        t[k] = f64::NAN;
        let good = state.ocean.temperature.clone();
        state.ocean.temperature = tensor_from_vec(t, [nz, ny, nx], &device);
        let e = check_bounds(&model, &state, means.clone(), &grids, &date, dir.path())
            .unwrap_err()
            .to_string();
        let place = format!(
            "{:.2}°E, {:.2}°N, {:.0} m depth",
            grids.ocean.lon.centres_deg[i], grids.ocean.lat_t_deg[j], grids.levels.z_t[2]
        );
        for w in [
            "ocean temperature = NaN",
            place.as_str(),
            "0001-03",
            "restart_0001-01-01-00000.nc",
        ] {
            assert!(e.contains(w), "`{w}` missing from: {e}");
        }

        // A land surface at 400 K where there is land.
        state.ocean.temperature = good;
        let fl = to_vec_f64(model.exchange.land_fraction.clone());
        let c = fl.iter().position(|f| *f > 0.5).unwrap();
        let mut tl = to_vec_f64(state.land.temperature.clone());
        tl[c] = 400.0;
        state.land.temperature = tensor_from_vec(tl, [1, nlat, nlon], &device);
        let e = check_bounds(&model, &state, means.clone(), &grids, &date, dir.path())
            .unwrap_err()
            .to_string();
        let place = format!(
            "{:.2}°E, {:.2}°N",
            grids.atmosphere.lon.centres_deg[c % nlon],
            grids.atmosphere.lat_deg[c / nlon]
        );
        assert!(
            e.contains("land surface temperature = 400 K") && e.contains(&place),
            "{e}"
        );
    }
}
