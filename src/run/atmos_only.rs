//! The atmosphere-only modes (`chronos run experiments/atmos_only.toml`,
//! `experiments/aquaplanet.toml`): QTCM1 over a prescribed surface
//! ([`crate::coupler::prescribed`]): AMIP-like monthly SST and sea ice with a slab-and-bucket
//! land, or the Neale & Hoskins (2000) "Qobs" aquaplanet (perpetual equinox, no ice).
//!
//! One step ([`AtmosOnly::step`]): grid fields at t − Δt → surface air → bulk fluxes over each
//! surface type (coupler) → column physics → slab and bucket update → leapfrog step.
//!
//! Output folder (never overwritten without `--force`):
//! - `config.toml`: the resolved configuration, every override and the program version;
//! - `atmos_monthly.nc`: monthly means of every step of the 2-D fields (CMIP names: tas,
//!   huss, uas, vas, tauu, tauv, pr, prc, prls, evspsbl, hfss, hfls, rsds, rsus, rlds, rlus,
//!   rsdt, rsut, rlut, clt, rlutcs, rsutcs, ta500, ts, ua850-like mode winds u0, u1,
//!   upper-level wind ua_upper);
//! - `atmos_global.nc`: monthly global means (surface air temperature, precipitation,
//!   evaporation, OLR, absorbed shortwave, TOA and surface net, the column energy and
//!   water budgets and their residuals).
//!
//! A NaN, a mode wind |u₀| + |u₁| above 400 m s⁻¹ or |T₁| above 400 K (outside anything
//! physical: the wind at the column top is u₀ + ~0.7u₁) stops the run naming the date; the months already written
//! stay. Restarts arrive with the run driver of issue 8.

use super::{length_days, RunError, RunOptions, MONTH_DAYS};
use crate::atmos::dynamics::AtmosGrid;
use crate::atmos::physics::{AtmosDiagnostics, AtmosPhysics, PhysicsForcing, DIAGNOSTICS};
use crate::atmos::qtcm::{A1_SURFACE, QREF_SURFACE, TREF_SURFACE};
use crate::atmos::{AtmosModel, AtmosState};
use crate::backend::{tensor_from_vec, to_vec_f64, BackendKind};
use crate::config::{ExperimentConfig, ModelConfig, ResolvedConfig};
use crate::coupler::prescribed::{PrescribedState, PrescribedSurface};
use crate::forcing::orbit::Orbit;
use crate::forcing::BoundaryData;
use crate::grid::ModelGrids;
use crate::io::{axes, CfReader, CfWriter, Storage, VarSpec, FILL_VALUE};
use crate::physics::constants::SECONDS_PER_DAY;
use crate::physics::constants::{CP_AIR, LATENT_HEAT_VAPOUR as LATENT_HEAT};
use crate::physics::thermo::qsat_1000;
use burn_tensor::{backend::Backend, Tensor};
use std::time::Instant;

/// An atmosphere-only model and its state.
#[derive(Debug, Clone)]
pub struct AtmosOnly<B: Backend> {
    /// The dynamics.
    pub model: AtmosModel<B>,
    /// The column physics.
    pub physics: AtmosPhysics<B>,
    /// The prescribed surface.
    pub surface: PrescribedSurface<B>,
    /// The atmosphere's state.
    pub state: AtmosState<B>,
    /// The surface's state.
    pub surface_state: PrescribedState<B>,
    /// Cell area divided by the sphere's area, `[1, nlat, nlon]` (sums to 1).
    pub area_weight: Tensor<B, 3>,
    /// Perpetual equinox (aquaplanet): the insolation of day 79.5 (20 March) every day.
    pub perpetual_equinox: bool,
    /// CO₂ (ppm) of the forcing.
    pub co2: f64,
    /// The orbit of the forcing.
    pub orbit: Orbit,
}

/// Which atmosphere-only surface (the experiment's `atmos_only.surface`).
pub use crate::config::AtmosSurface as SurfaceKind;

/// The day of the March equinox in the 365-day calendar (0 = 1 January 00:00) used for the
/// aquaplanet's perpetual equinox.
pub const EQUINOX_DAY: f64 = 79.5;

impl<B: Backend> AtmosOnly<B> {
    /// Builds the model for `model_cfg` with CO₂ (ppm) and orbit, over `kind`, and an initial
    /// state at rest: T₁ puts the surface air 1 K below the zonal-mean surface temperature,
    /// q₁ at 80 % relative humidity.
    ///
    /// # Errors
    /// [`RunError`] when grids or boundary data cannot be built or read.
    pub fn new(
        model_cfg: &ModelConfig,
        kind: SurfaceKind,
        co2: f64,
        orbit: Orbit,
        device: &B::Device,
    ) -> Result<Self, RunError> {
        let grids = ModelGrids::new(model_cfg).map_err(|e| RunError::Config(e.to_string()))?;
        let model =
            AtmosModel::<B>::new(model_cfg, device).map_err(|e| RunError::Config(e.to_string()))?;
        let g = &grids.atmosphere;
        let (nlat, nlon) = (g.nlat, g.nlon());
        let lat: Vec<f64> = g.lat_deg.iter().map(|d| d.to_radians()).collect();
        let mut physics = AtmosPhysics::new(&model_cfg.atmosphere_physics, lat, device);
        let dt = model_cfg.atmosphere.dt;
        let shape = [1, nlat, nlon];
        let (surface, land_t, soil) = match kind {
            SurfaceKind::Amip => {
                let data = BoundaryData::load(&model_cfg.model.name, &grids)?;
                // The aquaplanet has no cloud observations: it keeps QTCM1's reference stratus.
                physics =
                    physics.with_stratus(&model_cfg.atmosphere_physics, &data, shape, device)?;
                let surface = PrescribedSurface::amip(&data, nlat, nlon, dt, device)?;
                let r = CfReader::open(&data.dir.join("land_initial.nc"))?;
                let sst0 = to_vec_f64(surface.exchange_sst(0.0));
                let (stl, _) = r.read("land_surface_temperature")?;
                let (wf, _) = r.read("soil_moisture_fraction")?;
                let land = &data.atmosphere.land_fraction;
                let stl: Vec<f64> = stl
                    .iter()
                    .zip(&sst0)
                    .zip(land)
                    .map(|((&t, &s), &l)| if l > 0.0 && t != FILL_VALUE { t } else { s })
                    .collect();
                let r2 = CfReader::open(&data.dir.join("atmos_surface.nc"))?;
                let (fc, _) = r2.read("field_capacity")?;
                let soil: Vec<f64> = wf
                    .iter()
                    .zip(&fc)
                    .map(|(&w, &c)| {
                        if w == FILL_VALUE || c == FILL_VALUE {
                            0.0
                        } else {
                            w.clamp(0.0, 1.0) * c
                        }
                    })
                    .collect();
                (surface, stl, soil)
            }
            SurfaceKind::Aquaplanet => {
                let surface = PrescribedSurface::aquaplanet(&g.lat_deg, nlon, dt, device);
                let sst = to_vec_f64(surface.exchange_sst(0.0));
                (surface, sst, vec![0.0; nlat * nlon])
            }
        };
        let surface_state = surface.initial_state(
            tensor_from_vec(land_t, shape, device),
            tensor_from_vec(soil, shape, device),
        );
        // Initial T₁, q₁ from the zonal mean of the cells' surface temperature (a zonally
        // uniform start avoids a land–sea shock of the T₁ gradients).
        let ts_cells = to_vec_f64(surface.initial_surface_temperature(&surface_state));
        let ts0: Vec<f64> = ts_cells
            .chunks(nlon)
            .flat_map(|row| {
                let m = row.iter().sum::<f64>() / nlon as f64;
                std::iter::repeat_n(m, nlon)
            })
            .collect();
        let t1: Vec<f64> = ts0
            .iter()
            .map(|t| (t - 1.0 - TREF_SURFACE) / A1_SURFACE)
            .collect();
        let q1: Vec<f64> = ts0
            .iter()
            .map(|t| 0.8 * qsat_1000(t - 1.0) * LATENT_HEAT / CP_AIR - QREF_SURFACE)
            .collect();
        let zero = crate::backend::zeros::<B, 3>(shape, device);
        let state = model.initial_state(&AtmosGrid {
            u0: zero.clone(),
            v0: zero.clone(),
            u1: zero.clone(),
            v1: zero.clone(),
            t1: tensor_from_vec(t1, shape, device),
            q1: tensor_from_vec(q1, shape, device),
        });
        let w: Vec<f64> = g
            .weights
            .iter()
            .flat_map(|w| std::iter::repeat_n(w / (2.0 * nlon as f64), nlon))
            .collect();
        Ok(AtmosOnly {
            model,
            physics,
            surface,
            state,
            surface_state,
            area_weight: tensor_from_vec(w, shape, device),
            perpetual_equinox: kind == SurfaceKind::Aquaplanet,
            co2,
            orbit,
        })
    }

    /// One step at time `day` (days since 1 January 00:00 of year 1, the time of the physics'
    /// level t − Δt); returns the physics diagnostics of the step.
    pub fn step(&mut self, day: f64) -> AtmosDiagnostics<B> {
        let day = if self.perpetual_equinox {
            EQUINOX_DAY
        } else {
            day
        };
        let device = self.area_weight.device();
        let forcing = self.physics.forcing(self.co2, &self.orbit, day, &device);
        let (state, sstate, diag) = step(
            &self.model,
            &self.physics,
            &self.surface,
            self.state.clone(),
            self.surface_state.clone(),
            &forcing,
        );
        self.state = state;
        self.surface_state = sstate;
        diag
    }

    /// Area-weighted global mean of a grid field `[1, nlat, nlon]`, as a 1-element tensor.
    pub fn global_mean(&self, x: Tensor<B, 3>) -> Tensor<B, 1> {
        (x * self.area_weight.clone()).sum()
    }
}

/// One atmosphere-only step under the external forcing `forcing` (its day also dates the
/// prescribed surface), as a pure function of the states (for autodiff).
pub fn step<B: Backend>(
    model: &AtmosModel<B>,
    physics: &AtmosPhysics<B>,
    surface: &PrescribedSurface<B>,
    state: AtmosState<B>,
    sstate: PrescribedState<B>,
    forcing: &PhysicsForcing<B>,
) -> (AtmosState<B>, PrescribedState<B>, AtmosDiagnostics<B>) {
    let day = forcing.day;
    let old = if state.step == 0 {
        &state.current
    } else {
        &state.previous
    };
    let g = model.grid_fields(old);
    let air = model.surface_air(&g);
    let ex = surface.exchange(&sstate, &air, day);
    let out = physics.compute(model, &g, &air, &ex.input, forcing);
    let sstate = surface.update(sstate, &ex, &out.diagnostics);
    let state = model.step(state, Some(&out.forcing));
    (state, sstate, out.diagnostics)
}

/// Global means of the column's moist enthalpy C_pg(â₁T₁ + b̂₁q₁) and kinetic energy
/// (p_T/g)(|**v**₀|² + ⟨V₁²⟩|**v**₁|²)/2 (J m⁻²) and of the column water C_pg b̂₁q₁/L
/// (kg m⁻², both relative to the reference profiles) of a spectral level set `[M, 2, 5, N]`
/// (the (0, 0) coefficient is √2 × the global mean).
pub fn column_budget<B: Backend>(model: &AtmosModel<B>, x: &Tensor<B, 4>) -> (f64, f64, f64) {
    let (h, ke, w) = column_budget_tensors(model, x);
    (to_vec_f64(h)[0], to_vec_f64(ke)[0], to_vec_f64(w)[0])
}

/// [`column_budget`] on the device, each `[1]` (no host sync; differentiable).
pub fn column_budget_tensors<B: Backend>(
    model: &AtmosModel<B>,
    x: &Tensor<B, 4>,
) -> (Tensor<B, 1>, Tensor<B, 1>, Tensor<B, 1>) {
    model.column_stores(x)
}

/// Extra monthly fields from the dynamics: the wind at 9 km (about 300 hPa),
/// **v** = **v**₀ + V₁(9 km)**v**₁, and the mode amplitudes.
const DYN_FIELDS: [(&str, &str, Option<&str>, &str); 4] = [
    (
        "ua300",
        "eastward wind at 9 km (about 300 hPa): u0 + V1(9 km) u1",
        Some("eastward_wind"),
        "m s-1",
    ),
    (
        "va300",
        "northward wind at 9 km (about 300 hPa): v0 + V1(9 km) v1",
        Some("northward_wind"),
        "m s-1",
    ),
    ("t1", "QTCM1 temperature mode amplitude T1", None, "K"),
    (
        "q1",
        "QTCM1 moisture mode amplitude q1 (as L q / cp)",
        None,
        "K",
    ),
];

/// V₁ at 9 km, QTCM1's tabulated baroclinic wind profile `V1z1d` (the surface value is
/// −0.2453): the top of its table, about 300 hPa.
pub const UPPER_V1: f64 = 0.235_443_20;

/// Global monthly scalars.
const SCALARS: [(&str, &str, &str); 12] = [
    ("tas", "global-mean surface air temperature", "K"),
    ("pr", "global-mean precipitation", "kg m-2 s-1"),
    ("evspsbl", "global-mean evaporation", "kg m-2 s-1"),
    ("rlut", "global-mean outgoing longwave radiation", "W m-2"),
    (
        "asr",
        "global-mean absorbed shortwave radiation (rsdt - rsut)",
        "W m-2",
    ),
    ("toa_net", "global-mean net downward TOA radiation", "W m-2"),
    (
        "surface_net",
        "global-mean net downward surface energy flux",
        "W m-2",
    ),
    (
        "column_energy",
        "global-mean column moist enthalpy + kinetic energy (relative to the reference profiles)",
        "J m-2",
    ),
    (
        "column_water",
        "global-mean column water vapour (relative to the reference profile)",
        "kg m-2",
    ),
    (
        "energy_residual",
        "d(column energy)/dt minus (TOA net - surface net), monthly",
        "W m-2",
    ),
    (
        "water_residual",
        "d(column water)/dt minus (E - P), monthly",
        "kg m-2 s-1",
    ),
    ("clt", "global-mean total cloud cover", "1"),
];

/// Runs an atmosphere-only experiment; returns the output files.
///
/// # Errors
/// [`RunError`] for missing data, an existing output, a blow-up or an I/O failure.
pub fn run<B: Backend>(
    cfg: &ResolvedConfig,
    opts: &RunOptions,
    kind: BackendKind,
    device: &B::Device,
) -> Result<Vec<std::path::PathBuf>, RunError> {
    let exp: &ExperimentConfig = cfg.experiment.as_ref().ok_or(RunError::NoExperiment)?;
    let settings = exp.atmos_only.as_ref().ok_or(RunError::Config(
        "an atmos_only experiment needs an [atmos_only] section with surface = \"amip\" or \"aquaplanet\"".into(),
    ))?;
    let surface_kind = settings.surface;
    let orbit = exp
        .forcing
        .orbit
        .at(0.0)
        .map_err(|e| RunError::Config(e.to_string()))?;
    let len = match opts.length {
        Some(l) => l,
        None => exp.run.length()?,
    };
    let days = length_days(len);
    let model_cfg = &cfg.model;
    let monthly_path = opts.out.join("atmos_monthly.nc");
    let global_path = opts.out.join("atmos_global.nc");
    for p in [&monthly_path, &global_path] {
        if p.exists() && !opts.force {
            return Err(RunError::OutputExists(p.clone()));
        }
    }
    let t_setup = Instant::now();
    let mut sim = AtmosOnly::<B>::new(
        model_cfg,
        surface_kind,
        exp.forcing.co2.at(0.0),
        orbit,
        device,
    )?;
    let grids = ModelGrids::new(model_cfg).map_err(|e| RunError::Config(e.to_string()))?;
    super::create_output_folder(&opts.out)?;
    super::write_config(cfg, kind, &opts.out)?;
    let dt = model_cfg.atmosphere.dt;
    let steps_per_day = (SECONDS_PER_DAY / dt).round() as usize;
    eprintln!(
        "atmosphere-only ({}) {} on {}: {} days at Δt = {} s, CO₂ {}, orbit {}; set-up {:.1} s; output in {}",
        settings.surface,
        model_cfg.model.name,
        kind.name(),
        days,
        dt,
        exp.forcing.co2,
        if sim.perpetual_equinox { "perpetual equinox".to_string() } else { exp.forcing.orbit.to_string() },
        t_setup.elapsed().as_secs_f64(),
        opts.out.display()
    );
    let comment = match surface_kind {
        SurfaceKind::Amip => "Atmosphere-only (AMIP-like): monthly climatological SST and sea-ice fraction from the boundary data, slab-and-bucket land",
        SurfaceKind::Aquaplanet => "Aquaplanet: Neale & Hoskins (2000) Qobs SST, perpetual equinox, no ice",
    };
    let global = [
        ("history", "created by `chronos run` (atmosphere-only mode)"),
        ("title", "Chronos atmosphere-only run"),
        ("source", concat!("Chronos ", env!("CARGO_PKG_VERSION"))),
        ("comment", comment),
    ];
    let [lon, lat] = axes::gaussian_axes(&grids.atmosphere);
    let mut wm = CfWriter::create(&monthly_path, &[lon, lat], &global, opts.force)?;
    for (name, long, std, units) in DIAGNOSTICS.iter().chain(DYN_FIELDS.iter()) {
        wm.define(
            &VarSpec {
                name,
                long_name: long,
                standard_name: *std,
                units,
                dims: &["time", "lat", "lon"],
                restart: false,
            },
            Storage::F32,
        )?;
    }
    let mut wg = CfWriter::create(&global_path, &[], &global, opts.force)?;
    for (name, long, units) in SCALARS {
        wg.define(
            &VarSpec {
                name,
                long_name: long,
                standard_name: None,
                units,
                dims: &["time"],
                restart: false,
            },
            Storage::F64,
        )?;
    }

    let t0 = Instant::now();
    let mut sums: Option<Vec<Tensor<B, 3>>> = None;
    // The mode fields are linear in the spectral state: accumulate it and synthesise the
    // monthly mean once, instead of a synthesis every step.
    let mut spectral_sum: Option<Tensor<B, 4>> = None;
    let mut samples = 0usize;
    let (mut year, mut month, mut day_in_month) = (0u64, 0usize, 0u32);
    let mut month_start = 0.0f64;
    let area_weight = to_vec_f64(sim.area_weight.clone());
    let budget_of = |s: &AtmosOnly<B>| -> (f64, f64) {
        // Mean of the two time levels: the leapfrog's budget-consistent state.
        let (h0, k0, w0) = column_budget(&s.model, &s.state.previous);
        let (h1, k1, w1) = column_budget(&s.model, &s.state.current);
        (0.5 * (h0 + k0 + h1 + k1), 0.5 * (w0 + w1))
    };
    let (mut e_start, mut w_start) = budget_of(&sim);
    for day in 0..days {
        for k in 0..steps_per_day {
            let t = day as f64 + k as f64 / steps_per_day as f64;
            let d = sim.step(t);
            let list: Vec<Tensor<B, 3>> = d.fields().into();
            sums = Some(match sums {
                None => list,
                Some(s) => s.into_iter().zip(list).map(|(a, b)| a + b).collect(),
            });
            let cur = sim.state.current.clone();
            spectral_sum = Some(spectral_sum.map_or(cur.clone(), |s| s + cur));
            samples += 1;
        }
        // Blow-up check once a day.
        let g = sim.model.grid_fields(&sim.state.current);
        let umax = to_vec_f64((g.u0.clone().abs() + g.u1.clone().abs()).max())[0];
        let t1 = to_vec_f64(g.t1.clone().abs().max())[0];
        if !umax.is_finite() || umax > 400.0 || !t1.is_finite() || t1 > 400.0 {
            return Err(RunError::BlowUp(format!(
                "the atmosphere blew up on year {} month {} day {}: |u₀| + |u₁| reached {umax:e} m/s, max |T₁| {t1:e} K; {} keeps the months before",
                year + 1,
                month + 1,
                day_in_month + 1,
                monthly_path.display()
            )));
        }
        day_in_month += 1;
        let last = day + 1 == days;
        if day_in_month == MONTH_DAYS[month] || last {
            let end = (day + 1) as f64;
            let n = samples as f64;
            let mut month_fields: Vec<Tensor<B, 3>> = sums
                .take()
                .expect("a month has steps")
                .into_iter()
                .map(|x| x / n)
                .collect();
            let g = sim
                .model
                .grid_fields(&(spectral_sum.take().expect("a month has steps") / n));
            month_fields.push(g.u0.clone() + g.u1.clone() * UPPER_V1);
            month_fields.push(g.v0.clone() + g.v1.clone() * UPPER_V1);
            month_fields.push(g.t1);
            month_fields.push(g.q1);
            let means: Vec<Vec<f64>> = month_fields.into_iter().map(to_vec_f64).collect();
            let names: Vec<&str> = DIAGNOSTICS
                .iter()
                .chain(DYN_FIELDS.iter())
                .map(|f| f.0)
                .collect();
            let fields: Vec<(&str, &[f64])> = names
                .iter()
                .zip(&means)
                .map(|(n, v)| (*n, v.as_slice()))
                .collect();
            wm.append_record(0.5 * (month_start + end), [month_start, end], &fields)?;
            wm.sync()?;
            // Global means of this month (weights: Gaussian weights / 2 nlon).
            let gm = |name: &str| -> f64 {
                let i = names.iter().position(|n| *n == name).expect("field");
                means[i].iter().zip(&area_weight).map(|(x, w)| x * w).sum()
            };
            let (tas, pr, ev, olr) = (gm("tas"), gm("pr"), gm("evspsbl"), gm("rlut"));
            let asr = gm("rsdt") - gm("rsut");
            let sfc = gm("rsds") - gm("rsus") + gm("rlds") - gm("rlus") - gm("hfss") - gm("hfls");
            let toa = asr - olr;
            let (e_end, w_end) = budget_of(&sim);
            let seconds = samples as f64 * dt;
            let e_res = (e_end - e_start) / seconds - (toa - sfc);
            let w_res = (w_end - w_start) / seconds - (ev - pr);
            (e_start, w_start) = (e_end, w_end);
            let clt = gm("clt");
            let scal = [
                tas, pr, ev, olr, asr, toa, sfc, e_end, w_end, e_res, w_res, clt,
            ];
            let fields: Vec<(&str, &[f64])> = SCALARS
                .iter()
                .zip(&scal)
                .map(|((n, ..), v)| (*n, std::slice::from_ref(v)))
                .collect();
            wg.append_record(0.5 * (month_start + end), [month_start, end], &fields)?;
            wg.sync()?;
            let elapsed = t0.elapsed().as_secs_f64();
            let sypd = (end / 365.0) / (elapsed / SECONDS_PER_DAY);
            println!(
                "year {:4} month {:02}: SAT {:.2} K, P {:.3} mm/day, E {:.3} mm/day, OLR {:.1}, ASR {:.1}, TOA net {:+.2}, sfc net {:+.2} W m⁻², cloud {:.2}, energy residual {:+.3} W m⁻² | {:.0} simulated years/day, ETA {:.0} s",
                year + 1,
                month + 1,
                tas,
                pr * SECONDS_PER_DAY,
                ev * SECONDS_PER_DAY,
                olr,
                asr,
                toa,
                sfc,
                clt,
                e_res,
                sypd,
                elapsed * (days as f64 / end - 1.0)
            );
            samples = 0;
            day_in_month = 0;
            month_start = end;
            month = (month + 1) % 12;
            if month == 0 {
                year += 1;
            }
        }
    }
    wm.close()?;
    wg.close()?;
    Ok(vec![
        opts.out.join("config.toml"),
        monthly_path,
        global_path,
    ])
}
