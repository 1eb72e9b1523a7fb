//! The coupled run driver behind `chronos run experiments/control.toml`
//! (`experiment.mode = "coupled"`): the `noleap` calendar, monthly means built on the
//! device, yearly files, restarts, resume, signals and the blow-up detector.
//!
//! # Output folder
//! - `config.toml`: the resolved configuration (after `--set` > environment > experiment >
//!   model), every override, the backend and the program version;
//! - `atmos_YYYY.nc`, `ocean_YYYY.nc`, `land_YYYY.nc`, `seaice_YYYY.nc`: monthly means of year
//!   YYYY ([`super::output`]), each closed when its year is complete;
//! - `global.nc`: the monthly global diagnostics of the whole run
//!   ([`super::output::GLOBAL_VARS`]);
//! - `restart_YYYY-MM-DD-SSSSS.nc`: restarts ([`super::restart`]) at the start of the run,
//!   every `output.restart_years` years, at its end and when SIGINT or SIGTERM stops it;
//! - `quicklook_YYYY_*.png`: maps and time series of every completed year
//!   ([`super::quicklook`]).
//!
//! # Resume
//! `chronos run` into a folder that holds restarts continues from the newest valid one
//! ([`super::restart::newest_valid`]: a truncated or corrupt restart is reported and the
//! one before used; a restart of other physics stops the run). The output files are cut back
//! to the restart's time and continued, so a run stopped anywhere and resumed gives the same
//! files and state, bit for bit, as an uninterrupted one: the restart holds, besides the
//! state, the partial monthly sums and the stores at the start of the month. A run whose
//! newest restart is at its end is finished and is not run again without `--force` (which
//! starts over, deleting the folder's restarts and output files).
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
use super::output::{self, FileSpec, Kind, COMPONENTS, GLOBAL_VARS};
use super::restart::{self, Field, Restart};
use super::{length_days, RunError, RunOptions};
use crate::atmos::physics::DIAGNOSTICS;
use crate::backend::{tensor_from_vec, to_vec_f64, BackendKind};
use crate::config::{ExperimentConfig, ResolvedConfig};
use crate::grid::ModelGrids;
use crate::io::{axes, Storage, FILL_VALUE};
use crate::model::{step, CoupledModel, CoupledState, Hosing};
use crate::ocean::diagnostics::OceanDiagnostics;
use crate::physics::constants::{SECONDS_PER_DAY, SECONDS_PER_YEAR};
use burn_tensor::{backend::Backend, Tensor};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Names of the device sums, in order: the atmosphere's interval means, the land state, the
/// ocean state (3-D then 2-D), the ocean's surface forcing, the sea-ice state and the two
/// flux integrals (J).
fn sum_names() -> Vec<String> {
    let mut v: Vec<String> = DIAGNOSTICS.iter().map(|d| d.0.to_string()).collect();
    v.push("rtmt".into());
    for n in [
        "ts_land",
        "mrso",
        "snw",
        "ts_landice",
        "snw_landice",
        "thetao",
        "so",
        "uo",
        "vo",
        "agessc",
        "msftbarot",
        "mlotst",
        "hfds",
        "wfo",
        "siconc",
        "sivol",
        "sisnthick",
        "sitemptop",
        "toa_energy",
        "ocean_energy",
    ] {
        v.push(n.into());
    }
    v
}

/// The quantities of one coupling interval that the monthly sums add up, in [`sum_names`]
/// order, each rank 3.
fn interval_fields<B: Backend>(
    m: &CoupledModel<B>,
    s: &CoupledState<B>,
    r: crate::model::CouplingReport<B>,
    mld: &MixedLayer<B>,
) -> Vec<Tensor<B, 3>> {
    let [_, ny, nx] = m.exchange.ocean_mask.dims();
    let mut v = r.atmos_means;
    let l = &s.land;
    v.extend([
        l.temperature.clone(),
        l.soil_water.clone(),
        l.snow.clone(),
        l.ice_temperature.clone(),
        l.ice_snow.clone(),
    ]);
    let o = &s.ocean;
    v.extend([
        o.temperature.clone(),
        o.salinity.clone(),
        o.u.clone(),
        o.v.clone(),
        o.age.clone(),
        o.psi.clone().reshape([1, ny, nx]),
        mld.depth(&m.ocean, &o.temperature, &o.salinity),
    ]);
    let [hfds, wfo] = r.ocean_means;
    v.extend([hfds, wfo]);
    let i = &s.ice;
    v.extend([
        i.concentration.clone(),
        i.volume.clone(),
        i.snow_volume.clone(),
        i.surface_temperature.clone(),
        r.toa.reshape([1, 1, 1]),
        r.ocean_heat.reshape([1, 1, 1]),
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

/// The physical bounds of the blow-up detector: field, units, lower, upper.
const BOUNDS: [(&str, &str, f64, f64); 9] = [
    ("ocean temperature", "°C", -3.0, 40.0),
    ("ocean salinity", "g/kg", 0.0, 50.0),
    ("ocean eastward velocity", "m/s", -3.0, 3.0),
    ("ocean northward velocity", "m/s", -3.0, 3.0),
    ("surface air temperature (monthly mean)", "K", 150.0, 350.0),
    ("land surface temperature", "K", 150.0, 350.0),
    ("sea-ice volume per area", "m", 0.0, 30.0),
    ("atmosphere temperature mode T₁", "K", -400.0, 400.0),
    ("atmosphere wind |u₀| + |u₁|", "m/s", 0.0, 400.0),
];

/// A run stopped by a signal.
#[derive(Debug, Clone)]
pub struct Interrupted {
    /// The signal number.
    pub signal: i32,
    /// The restart written.
    pub restart: PathBuf,
    /// The model date reached.
    pub date: Date,
}

/// Wall-clock seconds a run spent in each part of its loop.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timing {
    /// Coupled model steps.
    pub model: f64,
    /// Adding each interval to the monthly sums on the device.
    pub sums: f64,
    /// Month ends: means to the host, files, global diagnostics, blow-up check, quick-looks,
    /// restarts.
    pub output: f64,
}

/// The outcome of a coupled run.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Files written or continued.
    pub files: Vec<PathBuf>,
    /// Where the wall-clock time went.
    pub timing: Timing,
    /// `Some` when a signal stopped the run (a restart was written).
    pub interrupted: Option<Interrupted>,
}

/// The files of a run folder that `--force` removes: restarts, yearly files, `global.nc`,
/// quick-looks.
fn own_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            n == "global.nc"
                || (n.starts_with("restart_") && n.ends_with(".nc"))
                || (n.starts_with("quicklook_") && n.ends_with(".png"))
                || COMPONENTS.iter().any(|k| {
                    n.strip_prefix(k.stem())
                        .and_then(|r| r.strip_prefix('_'))
                        .and_then(|r| r.strip_suffix(".nc"))
                        .is_some_and(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))
                })
        })
        .collect()
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Runs (or resumes) a coupled experiment: the `Simulation` driver of issue 8 (module docs).
///
/// # Errors
/// [`RunError`] for bad configuration or data, a run that is finished or has other physics,
/// a blow-up (the restarts before it are kept) or an I/O failure.
#[doc(alias = "Simulation")]
pub fn run<B: Backend>(
    cfg: &ResolvedConfig,
    opts: &RunOptions,
    kind: BackendKind,
    device: &B::Device,
) -> Result<Summary, RunError> {
    let exp: &ExperimentConfig = cfg.experiment.as_ref().ok_or(RunError::NoExperiment)?;
    let model_cfg = &cfg.model;
    let days = length_days(opts.length.unwrap_or(exp.run.length()?));
    let end_time = days as f64 * SECONDS_PER_DAY;
    // What a resumed run must share with the restart: the physics, the backend (bitwise
    // continuation) and the experiment.
    let physics = format!(
        "{}\n[run]\nexperiment = \"{}\"\nbackend = \"{}\"\n",
        cfg.physics_fingerprint(),
        exp.experiment.name,
        kind.name()
    );
    if (SECONDS_PER_DAY / model_cfg.coupling.interval).fract() != 0.0 {
        return Err(RunError::Config(format!(
            "coupling.interval = {} s does not divide a day; the run driver closes months at midnight: use a divisor of 86400 s (e.g. 3600)",
            model_cfg.coupling.interval
        )));
    }
    let dir = &opts.out;
    let t_setup = Instant::now();

    // The model.
    let mut orbit = exp
        .forcing
        .orbit
        .at(0.0)
        .map_err(|e| RunError::Config(e.to_string()))?;
    let mut co2 = exp.forcing.co2.at(0.0);
    let (mut model, data) =
        CoupledModel::<B>::new(model_cfg, device).map_err(|e| RunError::Config(e.to_string()))?;
    let grids = ModelGrids::new(model_cfg).map_err(|e| RunError::Config(e.to_string()))?;
    if let Some(h) = &exp.forcing.hosing {
        model.hosing = Some(hosing(&model, &grids, h));
    }
    let mut cold = model
        .initial_state(&data)
        .map_err(|e| RunError::Config(e.to_string()))?;
    if exp.initial.sea_ice == crate::config::InitialSeaIce::None {
        let tf = cold.ice.surface_temperature.clone();
        cold.ice = crate::ice::SeaIceState {
            concentration: tf.zeros_like(),
            volume: tf.zeros_like(),
            snow_volume: tf.zeros_like(),
            surface_temperature: tf,
        };
    }
    // The initial restart of a branch, read before the folder is touched.
    let branch = if let Some(from) = &exp.initial.from_restart {
        let p = resolve_path(cfg, from);
        let r = Restart::read_branch(&p, &cfg.model_fingerprint()).map_err(|e| match e {
            restart::RestartError::Io { .. } | restart::RestartError::Corrupt { .. }
                if !p.exists() =>
            {
                RunError::Config(format!(
                    "initial.from_restart = {}: no such file; run the experiment that makes it first (e.g. `chronos run experiments/spinup.toml`) or point initial.from_restart at an existing restart (--set initial.from_restart=PATH)",
                    p.display()
                ))
            }
            e => e.into(),
        })?;
        if (r.time / SECONDS_PER_YEAR).fract().abs() > 1e-9 {
            return Err(RunError::Config(format!(
                "initial.from_restart = {}: the state is at {}, not at the start of a year; use a yearly restart (restart_YYYY-01-01-00000.nc)",
                p.display(),
                Date::of_seconds(r.time)
            )));
        }
        let inside = std::fs::canonicalize(&p)
            .ok()
            .zip(std::fs::canonicalize(dir).ok())
            .is_some_and(|(f, d)| f.starts_with(d));
        if inside && opts.force {
            return Err(RunError::Config(format!(
                "initial.from_restart = {} lies in the output folder {}, which --force would empty; copy it elsewhere or choose another --out",
                p.display(),
                dir.display()
            )));
        }
        Some((p, r))
    } else {
        None
    };

    // The folder (only once the model is built and every input read: bad input never touches
    // it): start over (--force), resume, or start.
    super::create_output_folder(dir)?;
    let _lock = lock_folder(dir)?;
    if opts.force {
        for p in own_files(dir) {
            std::fs::remove_file(&p).map_err(io_err(&p))?;
        }
    }
    let search = restart::newest_valid(dir, &physics)?;
    for e in &search.skipped {
        eprintln!("warning: {e}; using an older restart");
    }
    let resume = match search.found {
        Some((path, r)) => {
            if r.time >= end_time - 0.5 {
                return Err(RunError::Finished {
                    dir: dir.clone(),
                    date: Date::of_seconds(r.time).to_string(),
                });
            }
            Some((path, r))
        }
        None => {
            if let Some(p) = own_files(dir).first() {
                return Err(if search.skipped.is_empty() {
                    RunError::OutputExists(p.clone())
                } else {
                    RunError::Config(format!(
                        "{} holds output but no usable restart (every restart is corrupt, see the warnings above); pass --force to start the run over, or choose another folder with --out",
                        dir.display()
                    ))
                });
            }
            None
        }
    };

    let names = sum_names();
    let (mut state, mut sums, mut month_stores, origin) = match &resume {
        Some((path, r)) => {
            let s = r.state(&cold)?;
            let sums = restore_sums::<B>(r, &names, device)?;
            let stores = r.field("month_stores")?.values.clone();
            (
                s,
                sums,
                Some(stores),
                format!("resumed from {}", path.display()),
            )
        }
        None if branch.is_some() => {
            let (p, r) = branch.as_ref().expect("checked");
            let mut s = r.state(&cold)?;
            s.time = 0.0;
            (s, None, None, format!("initial state from {}", p.display()))
        }
        None => (
            cold.clone(),
            None,
            None,
            "cold start: Levitus ocean at rest".to_string(),
        ),
    };
    drop(cold);
    let diag = OceanDiagnostics::new(&model.ocean, &data.ocean.basin, device);
    let mld = MixedLayer::new(&model.ocean);
    super::write_config(cfg, kind, dir)?;
    let interval = model.interval;

    // Output specs.
    let specs = file_specs(cfg, &grids);
    let spec = |k: Kind| specs.iter().find(|s| s.kind == k).expect("a spec per kind");
    let start_date = Date::of_seconds(state.time);
    let mut writers: Vec<Option<crate::io::CfWriter>> =
        (0..COMPONENTS.len()).map(|_| None).collect();
    let g_path = Kind::Global.path(dir, 0);
    let mut global = None;
    if resume.is_some() {
        // Cut the output back to the start of the restart's month (a partial month written at
        // the end of a shorter run is rewritten whole); the files of its year stay open.
        let until = start_date.month_start() / SECONDS_PER_DAY;
        if g_path.exists() {
            global = output::rebuild(&g_path, spec(Kind::Global), until)?;
        }
        for p in own_files(dir) {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            for (i, k) in COMPONENTS.iter().enumerate() {
                if let Some(y) = n
                    .strip_prefix(k.stem())
                    .and_then(|r| r.strip_prefix('_'))
                    .and_then(|r| r.strip_suffix(".nc"))
                    .and_then(|y| y.parse::<u64>().ok())
                {
                    if y > start_date.year {
                        std::fs::remove_file(&p).map_err(io_err(&p))?;
                        for q in ["maps", "series"] {
                            let _ =
                                std::fs::remove_file(dir.join(format!("quicklook_{y:04}_{q}.png")));
                        }
                    } else if y == start_date.year {
                        writers[i] = output::rebuild(&p, spec(*k), until)?;
                    }
                }
            }
        }
    }
    let mut global = match global {
        Some(w) => w,
        None => output::create(&g_path, spec(Kind::Global))?,
    };
    eprintln!(
        "coupled {} on {}: {} from {} to day {} ({} years), coupling every {} s ({} atmosphere and {} ocean steps), CO₂ {}, orbit {}{}; set-up {:.1} s; output in {}",
        model_cfg.model.name,
        kind.name(),
        origin,
        start_date,
        days,
        days as f64 / 365.0,
        interval,
        model.atmos_steps,
        model.ocean_steps,
        exp.forcing.co2,
        exp.forcing.orbit,
        if model.hosing.is_some() { ", hosing on" } else { "" },
        t_setup.elapsed().as_secs_f64(),
        dir.display()
    );

    // Host constants.
    let ex = model.exchange.clone();
    let hosts = HostMasks::new(&model, &grids);
    let area = to_vec_f64(ex.atmos_area.clone().sum())[0];
    let ocean_area = to_vec_f64(ex.integrate_ocean(ex.ocean_mask.clone()))[0];
    let stores = |model: &CoupledModel<B>, s: &CoupledState<B>| {
        let st = model.stores(s);
        to_vec_f64(Tensor::cat(vec![st.energy, st.water, st.salt], 0))
    };
    let mut files: Vec<PathBuf> = vec![dir.join("config.toml")];
    let mut restarts_written = Vec::new();
    let restart_every = exp.output.restart_years;
    let quicklook = exp.output.quicklook;

    // The initial restart: every run can be continued or re-run from its start.
    if resume.is_none() {
        let p = restart_path(dir, state.time);
        month_stores = Some(stores(&model, &state));
        restart::write(
            &p,
            &state,
            &extras::<B>(&names, &None, month_stores.as_deref()),
            &physics,
        )?;
        restarts_written.push(p);
    }
    let mut month_stores = month_stores.unwrap_or_else(|| stores(&model, &state));

    files.push(g_path.clone());
    let tty = std::io::stderr().is_terminal();
    let t0 = Instant::now();
    let mut t_month = Instant::now();
    let run_start_time = state.time;
    let mut forcing_day = u64::MAX;
    // Off a terminal (batch logs): a progress line every CHRONOS_LOG_SECONDS (default 60) s.
    let log_every: f64 = std::env::var("CHRONOS_LOG_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60.0);
    let mut last_log = Instant::now();
    let mut timing = Timing::default();
    while state.time < end_time - 0.5 {
        let day = (state.time / SECONDS_PER_DAY).floor() as u64;
        if day != forcing_day {
            let y = day as f64 / 365.0;
            co2 = exp.forcing.co2.at(y);
            orbit = exp
                .forcing
                .orbit
                .at(y)
                .map_err(|e| RunError::Config(e.to_string()))?;
            forcing_day = day;
        }
        let t_a = Instant::now();
        let forcing = model.forcing(co2, &orbit, state.time);
        let (next, r) = step(&model, state, &forcing);
        state = next;
        let t_b = Instant::now();
        let list = interval_fields(&model, &state, r, &mld);
        sums = Some(match sums {
            None => list,
            Some(s) => s.into_iter().zip(list).map(|(a, b)| a + b).collect(),
        });
        timing.model += (t_b - t_a).as_secs_f64();
        timing.sums += t_b.elapsed().as_secs_f64();

        let now = Date::of_seconds(state.time);
        let month_end = now.day == 1 && now.second == 0;
        let run_end = state.time >= end_time - 0.5;
        if month_end || run_end {
            let t_out = Instant::now();
            let last = Date::of_seconds(state.time - interval);
            // Runs start at 0001-01-01 (a resumed run continues its month's sums).
            let month_start = last.month_start();
            let n = ((state.time - month_start) / interval).round();
            // A run that ends inside a month writes the partial month and keeps its sums for
            // the end restart: a longer run continuing it rewrites that month whole.
            let month_sums = if month_end { sums.take() } else { sums.clone() };
            let means: Vec<Tensor<B, 3>> = month_sums
                .expect("a month has intervals")
                .into_iter()
                .map(|x| x / n)
                .collect();
            check_bounds(&model, &state, &means, &grids, &last, dir)?;
            let fields = host_fields(&model, &means, &hosts);
            let bounds = [month_start / SECONDS_PER_DAY, state.time / SECONDS_PER_DAY];
            for (i, k) in COMPONENTS.iter().enumerate() {
                let p = k.path(dir, last.year);
                if writers[i].is_none() {
                    writers[i] = Some(output::create(&p, spec(*k))?);
                }
                if !files.contains(&p) {
                    files.push(p);
                }
                let names = spec(*k).names();
                let list: Vec<(&str, &[f64])> = names
                    .iter()
                    .map(|n| (*n, fields.get(n).expect("a host field per name").as_slice()))
                    .collect();
                output::append(writers[i].as_mut().expect("opened above"), bounds, &list)?;
            }
            // Global diagnostics.
            let seconds = n * interval;
            let now_stores = stores(&model, &state);
            let values = global_values(
                &model,
                &state,
                &means,
                &diag,
                &hosts,
                area,
                ocean_area,
                seconds,
                &month_stores,
                &now_stores,
            );
            let list: Vec<(&str, &[f64])> = GLOBAL_VARS
                .iter()
                .zip(&values)
                .map(|((n, ..), v)| (*n, std::slice::from_ref(v)))
                .collect();
            output::append(&mut global, bounds, &list)?;
            if month_end {
                month_stores = now_stores;
            }
            let month_secs = t_month.elapsed().as_secs_f64();
            t_month = Instant::now();
            let simulated = state.time - month_start.max(run_start_time);
            let sypd = (simulated / SECONDS_PER_YEAR) / (month_secs / SECONDS_PER_DAY);
            let done = (state.time - run_start_time) / (end_time - run_start_time);
            let elapsed = t0.elapsed().as_secs_f64();
            if tty {
                eprint!("\r\x1b[K");
            }
            println!(
                "{:04}-{:02}: SAT {:.2} K, SST {:.2} °C, TOA {:+.2} W m⁻², ocean uptake {:+.2} W m⁻², sea ice N {:.2} / S {:.2} 10⁶ km², AMOC {:.1} Sv, Drake {:.0} Sv, Θ {:.4} °C, energy residual {:+.3} W m⁻² | {:.0} SYPD, {:.0}% done, ETA {}",
                last.year, last.month, values[0], values[1], values[2], values[3], values[4], values[5],
                values[8], values[9], values[10], values[14], sypd, 100.0 * done,
                eta(elapsed * (1.0 / done.max(1e-12) - 1.0))
            );
            if last.month == 12 || run_end {
                // The year (or the run) is complete: close its files.
                for w in writers.iter_mut() {
                    if let Some(w) = w.take() {
                        w.close()?;
                    }
                }
                if quicklook {
                    match super::quicklook::year(dir, last.year) {
                        Ok(mut pngs) => files.append(&mut pngs),
                        Err(e) => eprintln!(
                            "warning: quick-look plots of year {} not made: {e}",
                            last.year
                        ),
                    }
                }
            }
            let year_done = now.month == 1 && now.day == 1 && now.second == 0;
            if run_end || (year_done && (now.year - 1).is_multiple_of(restart_every)) {
                let p = restart_path(dir, state.time);
                restart::write(
                    &p,
                    &state,
                    &extras::<B>(&names, &sums, Some(&month_stores)),
                    &physics,
                )?;
                restarts_written.push(p);
            }
            timing.output += t_out.elapsed().as_secs_f64();
        } else if (tty && now.second == 0)
            || (!tty && last_log.elapsed().as_secs_f64() >= log_every)
        {
            let done = (state.time - run_start_time) / (end_time - run_start_time);
            let elapsed = t0.elapsed().as_secs_f64();
            let sypd =
                ((state.time - run_start_time) / SECONDS_PER_YEAR) / (elapsed / SECONDS_PER_DAY);
            let line = format!(
                "progress {now}  {sypd:.0} SYPD  {:.1}% done  ETA {}",
                100.0 * done,
                eta(elapsed * (1.0 / done.max(1e-12) - 1.0))
            );
            if tty {
                eprint!("\r\x1b[K{line}");
                let _ = std::io::stderr().flush();
            } else {
                eprintln!("{line}");
                last_log = Instant::now();
            }
        }

        // A stop requested by SIGINT / SIGTERM: write a restart with the partial sums.
        if let Some(stop) = &opts.stop {
            let sig = stop.load(std::sync::atomic::Ordering::SeqCst);
            if sig != 0 && state.time < end_time - 0.5 {
                let p = restart_path(dir, state.time);
                restart::write(
                    &p,
                    &state,
                    &extras(&names, &sums, Some(&month_stores)),
                    &physics,
                )?;
                for w in writers.iter_mut() {
                    if let Some(w) = w.take() {
                        w.close()?;
                    }
                }
                global.close()?;
                files.extend(restarts_written);
                files.push(p.clone());
                return Ok(Summary {
                    files,
                    timing,
                    interrupted: Some(Interrupted {
                        signal: sig as i32,
                        restart: p,
                        date: Date::of_seconds(state.time),
                    }),
                });
            }
        }
    }
    if tty {
        eprintln!();
    }
    global.close()?;
    let total = timing.model + timing.sums + timing.output;
    eprintln!(
        "wall time: model {:.1} s, monthly sums {:.1} s ({:.1}%), output, diagnostics and restarts {:.1} s ({:.1}%)",
        timing.model,
        timing.sums,
        100.0 * timing.sums / total.max(1e-12),
        timing.output,
        100.0 * timing.output / total.max(1e-12)
    );
    files.extend(restarts_written);
    files.sort();
    files.dedup();
    Ok(Summary {
        files,
        timing,
        interrupted: None,
    })
}

/// An exclusive lock on `DIR/.lock` held while the run writes the folder, so that two runs
/// (e.g. a requeued batch job overlapping the old one) never write the same files.
fn lock_folder(dir: &Path) -> Result<std::fs::File, RunError> {
    let p = dir.join(".lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .map_err(io_err(&p))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(RunError::Config(format!(
            "another chronos run is writing {} (it holds {}); wait for it to stop, or choose another --out",
            dir.display(),
            p.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(io_err(&p)(e)),
    }
}

/// `3h05m` / `12m` / `40s`.
fn eta(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "?".into();
    }
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// `dir/restart_YYYY-MM-DD-SSSSS.nc` of model time `t`.
fn restart_path(dir: &Path, t: f64) -> PathBuf {
    dir.join(format!("restart_{}.nc", Date::of_seconds(t).label()))
}

/// A path from the experiment, relative to the experiment file's folder.
fn resolve_path(cfg: &ResolvedConfig, p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    if p.is_absolute() {
        return p;
    }
    match cfg.experiment_path.as_ref().and_then(|e| e.parent()) {
        Some(d) if !d.as_os_str().is_empty() => d.join(p),
        _ => p,
    }
}

/// The driver's extra restart fields: the stores at the start of the month and the
/// partial monthly sums (`sum_<name>`, absent at a month boundary).
fn extras<B: Backend>(
    names: &[String],
    sums: &Option<Vec<Tensor<B, 3>>>,
    month_stores: Option<&[f64]>,
) -> Vec<Field> {
    let mut v = Vec::new();
    if let Some(st) = month_stores {
        v.push(Field {
            name: "month_stores".into(),
            shape: vec![st.len()],
            values: st.to_vec(),
        });
    }
    if let Some(s) = sums {
        for (n, t) in names.iter().zip(s) {
            v.push(Field::of(&format!("sum_{n}"), t));
        }
    }
    v
}

/// The partial monthly sums of a restart (none at a month boundary).
fn restore_sums<B: Backend>(
    r: &Restart,
    names: &[String],
    device: &B::Device,
) -> Result<Option<Vec<Tensor<B, 3>>>, RunError> {
    if !r.fields.iter().any(|f| f.name.starts_with("sum_")) {
        return Ok(None);
    }
    let mut v = Vec::with_capacity(names.len());
    for n in names {
        let f = r.field(&format!("sum_{n}"))?;
        let shape: [usize; 3] = f.shape.clone().try_into().map_err(|_| {
            RunError::Restart(restart::RestartError::Corrupt {
                path: r.path.clone(),
                detail: format!("sum_{n} is not a 3-D field"),
            })
        })?;
        v.push(tensor_from_vec::<B, 3>(f.values.clone(), shape, device));
    }
    Ok(Some(v))
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
    means: &[Tensor<B, 3>],
    h: &HostMasks,
) -> std::collections::HashMap<&'static str, Vec<f64>> {
    let names = sum_names();
    let idx = |n: &str| {
        names
            .iter()
            .position(|x| x == n)
            .expect("a sum of that name")
    };
    let get = |n: &str| to_vec_f64(means[idx(n)].clone());
    let fill = |v: Vec<f64>, mask: &[f64]| -> Vec<f64> {
        v.into_iter()
            .zip(mask.iter().cycle())
            .map(|(x, w)| if *w > 0.0 { x } else { FILL_VALUE })
            .collect()
    };
    let surface = &h.t[..h.plane];
    let mut out = std::collections::HashMap::new();
    for (i, d) in DIAGNOSTICS.iter().enumerate() {
        out.insert(d.0, to_vec_f64(means[i].clone()));
    }
    out.insert("rtmt", get("rtmt"));
    for n in ["ts_land", "mrso", "snw", "ts_landice", "snw_landice"] {
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
    let w = crate::ocean::momentum::vertical_velocity(
        &m.ocean,
        means[idx("uo")].clone(),
        means[idx("vo")].clone(),
    );
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

/// The month's global diagnostics in [`GLOBAL_VARS`] order.
#[allow(clippy::too_many_arguments)]
fn global_values<B: Backend>(
    m: &CoupledModel<B>,
    state: &CoupledState<B>,
    means: &[Tensor<B, 3>],
    diag: &OceanDiagnostics<B>,
    h: &HostMasks,
    area: f64,
    ocean_area: f64,
    seconds: f64,
    start: &[f64],
    now: &[f64],
) -> Vec<f64> {
    let names = sum_names();
    let at = |n: &str| means[names.iter().position(|x| x == n).expect("sum")].clone();
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
    let c = at("siconc");
    let vol = at("sivol");
    let deep_vol = m.ocean.integrate_volume(deep.clone().expand([nz, ny, nx]));
    let deep_heat = m.ocean.integrate_volume(ocean.temperature.clone() * deep);
    let list = Tensor::cat(
        vec![
            gm(at("tas")),
            om(at("thetao").narrow(0, 0, 1)),
            gm(at("pr")),
            om(c.clone() * north.clone()),
            om(c * south.clone()),
            om(vol.clone() * north),
            om(vol * south),
            deep_vol,
            deep_heat,
            at("toa_energy").reshape([1]),
            at("ocean_energy").reshape([1]),
        ],
        0,
    );
    let v = to_vec_f64(list);
    let n_samples = seconds / m.interval;
    let (toa_j, ocean_j) = (v[9] * n_samples, v[10] * n_samples);
    vec![
        v[0] / area,
        v[1] / ocean_area,
        toa_j / (area * seconds),
        ocean_j / (area * seconds),
        v[3] / 1e12,
        v[4] / 1e12,
        v[5] / 1e12,
        v[6] / 1e12,
        s.amoc_26n,
        s.drake,
        s.mean_temperature,
        if v[7] > 0.0 { v[8] / v[7] } else { FILL_VALUE },
        s.mean_salinity,
        v[2] / area,
        (now[0] - start[0] - toa_j) / (area * seconds),
        (now[1] - start[1]) / start[1].abs(),
        (now[2] - start[2]) / start[2].abs(),
    ]
}

/// Stops the run when a field is NaN, infinite or outside [`BOUNDS`], naming the field,
/// the place and the date.
fn check_bounds<B: Backend>(
    m: &CoupledModel<B>,
    state: &CoupledState<B>,
    means: &[Tensor<B, 3>],
    grids: &ModelGrids,
    date: &Date,
    dir: &Path,
) -> Result<(), RunError> {
    let names = sum_names();
    let tas = means[names.iter().position(|x| x == "tas").expect("tas")].clone();
    let g = m.atmos.grid_fields(&state.atmos.current);
    // Land temperature only where the cell has ice-free land (250 K elsewhere).
    let no_land = m.exchange.land_fraction.clone().lower_equal_elem(0.0);
    let t_land = state.land.temperature.clone().mask_fill(no_land, 250.0);
    let checks: Vec<(usize, Tensor<B, 3>)> = vec![
        (0, state.ocean.temperature.clone()),
        (1, state.ocean.salinity.clone()),
        (2, state.ocean.u.clone()),
        (3, state.ocean.v.clone()),
        (4, tas),
        (5, t_land),
        (6, state.ice.volume.clone()),
        (7, g.t1),
        (8, g.u0.abs() + g.u1.abs()),
    ];
    let counts: Vec<Tensor<B, 1>> = checks
        .iter()
        .map(|(k, x)| {
            let (_, _, lo, hi) = BOUNDS[*k];
            x.clone()
                .greater_equal_elem(lo)
                .bool_and(x.clone().lower_equal_elem(hi))
                .bool_not()
                .float()
                .sum()
        })
        .collect();
    let bad = to_vec_f64(Tensor::cat(counts, 0));
    let Some(i) = bad.iter().position(|n| *n > 0.0) else {
        return Ok(());
    };
    let (k, x) = &checks[i];
    let (field, units, lo, hi) = BOUNDS[*k];
    let dims = x.dims();
    let v = to_vec_f64(x.clone());
    let j = v
        .iter()
        .position(|x| !(*x >= lo && *x <= hi))
        .expect("a bad value");
    let (plane, row) = (dims[1] * dims[2], dims[2]);
    let (lev, jj, ii) = (j / plane, (j % plane) / row, j % row);
    let place = if *k <= 3 {
        format!(
            "{:.2}°E, {:.2}°N, {:.0} m depth",
            grids.ocean.lon.centres_deg[ii], grids.ocean.lat_t_deg[jj], grids.levels.z_t[lev]
        )
    } else if *k == 6 {
        format!(
            "{:.2}°E, {:.2}°N",
            grids.ocean.lon.centres_deg[ii], grids.ocean.lat_t_deg[jj]
        )
    } else {
        format!(
            "{:.2}°E, {:.2}°N{}",
            grids.atmosphere.lon.centres_deg[ii],
            grids.atmosphere.lat_deg[jj],
            if lev > 0 {
                format!(" (level {lev})")
            } else {
                String::new()
            }
        )
    };
    let last = restart::list(dir)
        .first()
        .map_or("none".to_string(), |p| p.display().to_string());
    Err(RunError::BlowUp(format!(
        "the coupled model blew up in {:04}-{:02}: {field} = {} {units} at {place} ({} points outside {lo}…{hi} {units}); the output files keep the months before and the last good restart is {last}; to go on with a shorter time step, start a new folder from the last good yearly restart: --out NEW --set initial.from_restart=RESTART --set atmosphere.dt=… (or ocean.dt=…)",
        date.year, date.month, v[j], bad[i]
    )))
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
    let mut atmos_vars: Vec<output::VarDef> = DIAGNOSTICS
        .iter()
        .map(|&(n, l, s, u)| (n, l, s, u, output::MAP))
        .collect();
    atmos_vars.push((
        "rtmt",
        "net downward radiative flux at the top of the atmosphere",
        None,
        "W m-2",
        output::MAP,
    ));
    vec![
        FileSpec {
            kind: Kind::Atmos,
            axes: vec![lon.clone(), lat.clone()],
            vars: atmos_vars,
            storage: Storage::F32,
            attrs: attrs("atmosphere"),
        },
        FileSpec {
            kind: Kind::Ocean,
            axes: vec![olon.clone(), olat.clone(), depth, lon_u, lat_v, depth_w],
            vars: output::OCEAN_VARS.to_vec(),
            storage: Storage::F32,
            attrs: attrs("ocean"),
        },
        FileSpec {
            kind: Kind::Land,
            axes: vec![lon, lat],
            vars: output::LAND_VARS.to_vec(),
            storage: Storage::F32,
            attrs: attrs("land"),
        },
        FileSpec {
            kind: Kind::SeaIce,
            axes: vec![olon, olat],
            vars: output::SEAICE_VARS.to_vec(),
            storage: Storage::F32,
            attrs: attrs("sea ice"),
        },
        FileSpec {
            kind: Kind::Global,
            axes: vec![],
            vars: GLOBAL_VARS
                .iter()
                .map(|&(n, l, u)| (n, l, None, u, &["time"][..]))
                .collect(),
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
    /// place, the month and the last good restart; a sound state passes.
    #[test]
    fn blow_up_names_field_place_and_date() {
        let cfg = ResolvedConfig::builtin("t31").unwrap();
        let device = Default::default();
        let (model, data) = CoupledModel::<Cpu64>::new(&cfg.model, &device).unwrap();
        let grids = ModelGrids::new(&cfg.model).unwrap();
        let mut state = model.initial_state(&data).unwrap();
        let [_, nlat, nlon] = model.exchange.atmos_area.dims();
        let means: Vec<Tensor<Cpu64, 3>> = sum_names()
            .iter()
            .map(|_| Tensor::full([1, nlat, nlon], 280.0, &device))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("restart_0001-01-01-00000.nc"), b"").unwrap();
        let date = Date::of_seconds(70.0 * 86400.0);
        check_bounds(&model, &state, &means, &grids, &date, dir.path()).unwrap();

        // NaN at the third level of a wet column.
        let [nz, ny, nx] = model.ocean.shape;
        let mask = to_vec_f64(model.ocean.mask_t.clone());
        let k = 2 * ny * nx + (0..ny * nx).find(|&c| mask[2 * ny * nx + c] > 0.0).unwrap();
        let (j, i) = ((k % (ny * nx)) / nx, k % nx);
        let mut t = to_vec_f64(state.ocean.temperature.clone());
        t[k] = f64::NAN;
        let good = state.ocean.temperature.clone();
        state.ocean.temperature = tensor_from_vec(t, [nz, ny, nx], &device);
        let e = check_bounds(&model, &state, &means, &grids, &date, dir.path())
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
        let e = check_bounds(&model, &state, &means, &grids, &date, dir.path())
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
