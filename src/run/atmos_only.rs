//! The atmosphere-only modes (`chronos run experiments/atmos_only.toml`,
//! `experiments/aquaplanet.toml`): QTCM1 over a prescribed surface
//! ([`crate::coupler::prescribed`]): AMIP-like monthly SST and sea ice with the land
//! component, or the Neale & Hoskins (2000) "Qobs" aquaplanet (perpetual equinox, no ice),
//! run by the [`Simulation`] driver (restarts, resume, signals) one day per interval.
//!
//! One step ([`AtmosOnly::step`]): grid fields at t − Δt → surface air → the coupler's surface
//! exchange over each surface type → column physics → land and sea-ice slab step → leapfrog
//! step.
//!
//! Output folder (besides the restarts; never overwritten without `--force`):
//! - `quicklook_YYYY_maps.png`, `quicklook_YYYY_series.png` at the end of each year and of
//!   the run (unless `output.quicklook = false`; [`super::quicklook::atmos_only_year`]);
//! - `config.toml`: the resolved configuration, every override and the program version;
//! - `atmos_monthly.nc`: monthly means of every step of the 2-D fields (CMIP names: tas,
//!   huss, uas, vas, tauu, tauv, pr, prc, prls, evspsbl, hfss, hfls, rsds, rsus, rlds, rlus,
//!   rsdt, rsut, rlut, clt, rlutcs, rsutcs, ta500, rtmt, the wind at 9 km ua300 and va300,
//!   and the mode amplitudes t1 and q1: the output entries of [`crate::atmos::variables`]);
//! - `atmos_global.nc`: monthly global means (surface air temperature, precipitation,
//!   evaporation, OLR, absorbed shortwave, TOA and surface net, the column energy and
//!   water budgets and their residuals).
//!
//! The blow-up detector ([`super::blowup`]), once a day: a NaN, |T₁| above 400 K, a mode wind
//! |u₀| + |u₁| above 400 m s⁻¹ (outside anything physical: the wind at the column top is
//! u₀ + ~0.7u₁) or a land surface outside 150…350 K stops the run naming the field, the place
//! and the date; the months already written and the restarts before stay.

use super::calendar::Date;
use super::output::{self, FileSpec, Kind};
use super::restart::{Field, Restart};
use super::simulation::{Mode, Simulation, Summary};
use super::sums::MonthlySums;
use super::{RunError, RunOptions};
use crate::atmos::physics::{AtmosDiagnostics, AtmosPhysics, PhysicsForcing};
use crate::atmos::{AtmosModel, AtmosState};
use crate::backend::{tensor_from_vec, to_vec_f64, BackendKind};
use crate::config::{ExperimentConfig, ModelConfig, ResolvedConfig};
use crate::coupler::prescribed::{PrescribedState, PrescribedSurface};
use crate::forcing::orbit::Orbit;
use crate::forcing::BoundaryData;
use crate::grid::ModelGrids;
use crate::io::fields::Collect;
use crate::io::registry::VarSpec;
use crate::io::{axes, CfReader, CfWriter, Storage, FILL_VALUE};
use crate::physics::constants::SECONDS_PER_DAY;
use burn_tensor::{backend::Backend, Tensor};
use std::path::{Path, PathBuf};

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
        Self::on_grids(model_cfg, &grids, kind, co2, orbit, device)
    }

    /// [`AtmosOnly::new`] on grids already built for `model_cfg`.
    ///
    /// # Errors
    /// [`RunError`] when the boundary data cannot be read.
    pub fn on_grids(
        model_cfg: &ModelConfig,
        grids: &ModelGrids,
        kind: SurfaceKind,
        co2: f64,
        orbit: Orbit,
        device: &B::Device,
    ) -> Result<Self, RunError> {
        let model =
            AtmosModel::<B>::new(model_cfg, device).map_err(|e| RunError::Config(e.to_string()))?;
        let g = &grids.atmosphere;
        let (nlat, nlon) = (g.nlat, g.nlon());
        let lat: Vec<f64> = g.lat_deg.iter().map(|d| d.to_radians()).collect();
        let mut physics = AtmosPhysics::new(&model_cfg.atmosphere_physics, lat, device);
        let (shape, gravity) = ([1, nlat, nlon], model_cfg.planet.gravity);
        let (surface, land_t, soil, snow) = match kind {
            SurfaceKind::Amip => {
                let data = BoundaryData::load(&model_cfg.model.name, grids)?;
                // The aquaplanet has no cloud observations: it keeps QTCM1's reference stratus.
                physics =
                    physics.with_stratus(&model_cfg.atmosphere_physics, &data, shape, device)?;
                let surface =
                    PrescribedSurface::amip(&data, &model_cfg.land, gravity, nlat, nlon, device)?;
                let r = CfReader::open(&data.dir.join("land_initial.nc"))?;
                let sst0 = to_vec_f64(surface.exchange_sst(0.0));
                let (stl, _) = r.read("land_surface_temperature")?;
                let (wf, _) = r.read("soil_moisture_fraction")?;
                let (swe, _) = r.read("snow_water_equivalent")?;
                let snow: Vec<f64> = swe
                    .into_iter()
                    .map(|x| if x == FILL_VALUE { 0.0 } else { x.max(0.0) })
                    .collect();
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
                (surface, stl, soil, snow)
            }
            SurfaceKind::Aquaplanet => {
                let surface = PrescribedSurface::aquaplanet(
                    &model_cfg.land,
                    gravity,
                    &g.lat_deg,
                    nlon,
                    device,
                );
                let sst = to_vec_f64(surface.exchange_sst(0.0));
                (surface, sst, vec![0.0; nlat * nlon], vec![0.0; nlat * nlon])
            }
        };
        let surface_state = surface.initial_state(
            tensor_from_vec(land_t, shape, device),
            tensor_from_vec(soil, shape, device),
            tensor_from_vec(snow, shape, device),
        );
        let ts_cells = to_vec_f64(surface.initial_surface_temperature(&surface_state));
        let state = model.cold_start(&ts_cells);
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
    // A cold start's first step is a forward half step: the surfaces see Δt/2.
    let dt = model.dt * if state.step == 0 { 0.5 } else { 1.0 };
    let g = model.grid_fields(state.physics_level());
    let air = model.surface_air(&g);
    let ocean = surface.ocean_surface(&sstate, forcing.day);
    let x = surface.exchange(&sstate, &ocean, &air, dt);
    let out = physics.compute(model, &g, &air, &x.input, forcing);
    let sstate = surface.update(sstate, &x, &out.diagnostics, dt);
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

/// Global monthly scalars.
const SCALARS: [VarSpec; 12] = [
    VarSpec::series("tas", "global-mean surface air temperature", "K"),
    VarSpec::series("pr", "global-mean precipitation", "kg m-2 s-1"),
    VarSpec::series("evspsbl", "global-mean evaporation", "kg m-2 s-1"),
    VarSpec::series("rlut", "global-mean outgoing longwave radiation", "W m-2"),
    VarSpec::series(
        "asr",
        "global-mean absorbed shortwave radiation (rsdt - rsut)",
        "W m-2",
    ),
    VarSpec::series("toa_net", "global-mean net downward TOA radiation", "W m-2"),
    VarSpec::series(
        "surface_net",
        "global-mean net downward surface energy flux",
        "W m-2",
    ),
    VarSpec::series(
        "column_energy",
        "global-mean column moist enthalpy + kinetic energy (relative to the reference profiles)",
        "J m-2",
    ),
    VarSpec::series(
        "column_water",
        "global-mean column water vapour (relative to the reference profile)",
        "kg m-2",
    ),
    VarSpec::series(
        "energy_residual",
        "d(column energy)/dt minus (TOA net - surface net), monthly",
        "W m-2",
    ),
    VarSpec::series(
        "water_residual",
        "d(column water)/dt minus (E - P), monthly",
        "kg m-2 s-1",
    ),
    VarSpec::series("clt", "global-mean total cloud cover", "1"),
];

/// Runs (or resumes) an atmosphere-only experiment with the [`Simulation`] driver.
///
/// # Errors
/// [`RunError`] for missing data, an existing output without restart, a blow-up or an I/O
/// failure.
pub fn run<B: Backend>(
    cfg: &ResolvedConfig,
    opts: &RunOptions,
    kind: BackendKind,
    device: &B::Device,
) -> Result<Summary, RunError> {
    let exp: &ExperimentConfig = cfg.experiment.as_ref().ok_or(RunError::NoExperiment)?;
    if exp.initial.from_restart.is_some() {
        return Err(RunError::Config(
            "initial.from_restart starts coupled experiments; an atmosphere-only run starts from its surface climatology (remove the key)".into(),
        ));
    }
    let mode = AtmosOnlyRun::<B>::new(cfg, exp, kind, device)?;
    Simulation::start(mode, cfg, opts, kind, None)?.run()
}

/// The atmosphere-only model as a [`Mode`]: one interval is one day.
pub struct AtmosOnlyRun<B: Backend> {
    sim: AtmosOnly<B>,
    time: f64,
    steps_per_day: usize,
    specs: [FileSpec; 2],
    writers: [Option<CfWriter>; 2],
    /// Sums of the step diagnostics and of the spectral state (the derived fields are
    /// linear in it: synthesised once a month), and the number of steps.
    sums: MonthlySums<B>,
    samples: usize,
    /// Column energy and water at the start of the month.
    budget_start: [f64; 2],
    area_weight: Vec<f64>,
    label: String,
    /// The experiment's name and the cells mostly land (the quick-looks' coastline,
    /// `[nlat·nlon]`); `None` without quick-looks.
    quicklook: Option<(String, Vec<bool>)>,
    /// Longitudes and latitudes of the cell centres (degrees), for the blow-up detector.
    lon: Vec<f64>,
    lat: Vec<f64>,
    /// The experiment's `[forcing]`: CO₂ and the orbit of each day.
    forcing: crate::config::ForcingSettings,
}

impl<B: Backend> AtmosOnlyRun<B> {
    /// Builds the model over the experiment's surface and its initial state at rest.
    ///
    /// # Errors
    /// [`RunError`] when the grids or boundary data cannot be built or read.
    pub fn new(
        cfg: &ResolvedConfig,
        exp: &ExperimentConfig,
        kind: BackendKind,
        device: &B::Device,
    ) -> Result<Self, RunError> {
        let settings = exp.atmos_only.as_ref().ok_or(RunError::Config(
            "an atmos_only experiment needs an [atmos_only] section with surface = \"amip\" or \"aquaplanet\"".into(),
        ))?;
        let orbit = exp
            .forcing
            .orbit
            .at(0.0)
            .map_err(|e| RunError::Config(e.to_string()))?;
        let model_cfg = &cfg.model;
        let grids = ModelGrids::new(model_cfg).map_err(|e| RunError::Config(e.to_string()))?;
        let sim = AtmosOnly::<B>::on_grids(
            model_cfg,
            &grids,
            settings.surface,
            exp.forcing.co2.at(0.0),
            orbit,
            device,
        )?;
        let dt = model_cfg.atmosphere.dt;
        let label = format!(
            "atmosphere-only ({}) {} on {}: Δt = {} s, CO₂ {}, orbit {}",
            settings.surface,
            model_cfg.model.name,
            kind.name(),
            dt,
            exp.forcing.co2,
            if sim.perpetual_equinox {
                "perpetual equinox".to_string()
            } else {
                exp.forcing.orbit.to_string()
            },
        );
        let area_weight = to_vec_f64(sim.area_weight.clone());
        let quicklook = exp.output.quicklook.then(|| {
            let cover = to_vec_f64(sim.surface.land_cover());
            let land = cover.iter().map(|f| *f > 0.5).collect();
            (exp.experiment.name.clone(), land)
        });
        let mut run = AtmosOnlyRun {
            quicklook,
            lon: grids.atmosphere.lon.centres_deg.clone(),
            lat: grids.atmosphere.lat_deg.clone(),
            specs: file_specs(settings.surface, &grids),
            writers: [None, None],
            time: 0.0,
            steps_per_day: (SECONDS_PER_DAY / dt).round() as usize,
            sums: MonthlySums::new(atmos_monthly_names(), true),
            forcing: exp.forcing.clone(),
            samples: 0,
            budget_start: [0.0; 2],
            area_weight,
            label,
            sim,
        };
        run.budget_start = run.budget();
        Ok(run)
    }

    /// The blow-up detector ([`super::blowup`]) on T₁, |u₀| + |u₁| and the land surface
    /// temperature (where the cell has ice-free land, as in the coupled mode).
    fn check(&self, when: &str, dir: &Path) -> Result<(), RunError> {
        use super::blowup::{check, Check, Field, GoOn, Place};
        let s = &self.sim;
        let g = s.model.grid_fields(&s.state.current);
        let no_land = s.surface.land_fraction().lower_equal_elem(0.0);
        let t_land = s
            .surface_state
            .land
            .temperature
            .clone()
            .mask_fill(no_land, 250.0);
        let place = Place {
            lon: &self.lon,
            lat: &self.lat,
            depth: None,
        };
        let c = |field, values| Check {
            field,
            values,
            place,
        };
        let checks = [
            c(Field::AtmosT1, g.t1),
            c(Field::AtmosWind, g.u0.abs() + g.u1.abs()),
            c(Field::LandTemperature, t_land),
        ];
        check(
            "the atmosphere",
            when,
            &checks,
            dir,
            GoOn::StartOver("atmosphere.dt"),
        )
    }

    /// Global-mean column energy and water of the mean of the two time levels (the
    /// leapfrog's budget-consistent state).
    fn budget(&self) -> [f64; 2] {
        let s = &self.sim;
        let (h0, k0, w0) = column_budget(&s.model, &s.state.previous);
        let (h1, k1, w1) = column_budget(&s.model, &s.state.current);
        [0.5 * (h0 + k0 + h1 + k1), 0.5 * (w0 + w1)]
    }

    /// The month's mean fields by name: the step diagnostics and the derived fields.
    fn month_means(&mut self, complete: bool) -> std::collections::HashMap<&'static str, Vec<f64>> {
        let means = self.sums.means(self.samples as f64, complete);
        let spectral = means
            .spectral
            .as_ref()
            .expect("the sums hold the spectral state");
        let derived = self.sim.model.upper_air(spectral);
        means
            .iter()
            .map(|(n, t)| (n, t.clone()))
            .chain(derived)
            .map(|(n, t)| (n, to_vec_f64(t)))
            .collect()
    }
}

/// The atmosphere table's monthly entries: what the atmosphere-only run sums.
fn atmos_monthly_names() -> Vec<&'static str> {
    crate::coupler::variables::monthly_names(&crate::atmos::variables::VARIABLES).collect()
}

/// The two files of an atmosphere-only run: monthly maps and monthly global means.
fn file_specs(surface: SurfaceKind, grids: &ModelGrids) -> [FileSpec; 2] {
    let comment = match surface {
        SurfaceKind::Amip => "Atmosphere-only (AMIP-like): monthly climatological SST and sea-ice fraction from the boundary data, slab-and-bucket land",
        SurfaceKind::Aquaplanet => "Aquaplanet: Neale & Hoskins (2000) Qobs SST, perpetual equinox, no ice",
    };
    let attrs: Vec<(String, String)> = [
        (
            "history",
            "created by `chronos run` (atmosphere-only mode); a resumed run continues the file",
        ),
        ("title", "Chronos atmosphere-only run"),
        ("source", concat!("Chronos ", env!("CARGO_PKG_VERSION"))),
        ("comment", comment),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let [lon, lat] = axes::gaussian_axes(&grids.atmosphere);
    [
        FileSpec {
            kind: Kind::AtmosMonthly,
            axes: vec![lon, lat],
            vars: crate::coupler::variables::output_vars(&crate::atmos::variables::VARIABLES),
            storage: Storage::F32,
            attrs: attrs.clone(),
        },
        FileSpec {
            kind: Kind::AtmosGlobal,
            axes: vec![],
            vars: SCALARS.to_vec(),
            storage: Storage::F64,
            attrs,
        },
    ]
}

impl<B: Backend> Mode for AtmosOnlyRun<B> {
    fn interval(&self) -> f64 {
        SECONDS_PER_DAY
    }

    fn time(&self) -> f64 {
        self.time
    }

    fn describe(&self) -> String {
        self.label.clone()
    }

    fn advance(&mut self, dir: &Path) -> Result<(), RunError> {
        let day = (self.time / SECONDS_PER_DAY).round();
        // CO₂ and the orbit follow the experiment's tables day by day (by model year).
        (self.sim.co2, self.sim.orbit) = super::forcing_of_day(&self.forcing, day as u64)?;
        for k in 0..self.steps_per_day {
            let t = day + k as f64 / self.steps_per_day as f64;
            let d = self.sim.step(t);
            self.sums
                .add(d.fields(), Some(self.sim.state.current.clone()));
            self.samples += 1;
        }
        // Blow-up check once a day.
        self.check(&Date::of_seconds(self.time).to_string(), dir)?;
        self.time += SECONDS_PER_DAY;
        Ok(())
    }

    fn close_month(
        &mut self,
        _dir: &Path,
        last: &Date,
        month_start: f64,
        complete: bool,
    ) -> Result<String, RunError> {
        let means = self.month_means(complete);
        let names = self.specs[0].names();
        let fields: Vec<(&str, &[f64])> = names.iter().map(|n| (*n, means[n].as_slice())).collect();
        let bounds = [month_start / SECONDS_PER_DAY, self.time / SECONDS_PER_DAY];
        output::append(self.writers[0].as_mut().expect("opened"), bounds, &fields)?;
        // Global means of this month (weights: Gaussian weights / 2 nlon).
        let gm = |name: &str| -> f64 {
            means[name]
                .iter()
                .zip(&self.area_weight)
                .map(|(x, w)| x * w)
                .sum()
        };
        let (tas, pr, ev, olr) = (gm("tas"), gm("pr"), gm("evspsbl"), gm("rlut"));
        let asr = gm("rsdt") - gm("rsut");
        let sfc = gm("rsds") - gm("rsus") + gm("rlds") - gm("rlus") - gm("hfss") - gm("hfls");
        let toa = asr - olr;
        let [e_end, w_end] = self.budget();
        let seconds = self.samples as f64 * self.sim.model.dt;
        let e_res = (e_end - self.budget_start[0]) / seconds - (toa - sfc);
        let w_res = (w_end - self.budget_start[1]) / seconds - (ev - pr);
        let clt = gm("clt");
        let scal: std::collections::HashMap<&str, f64> = [
            ("tas", tas),
            ("pr", pr),
            ("evspsbl", ev),
            ("rlut", olr),
            ("asr", asr),
            ("toa_net", toa),
            ("surface_net", sfc),
            ("column_energy", e_end),
            ("column_water", w_end),
            ("energy_residual", e_res),
            ("water_residual", w_res),
            ("clt", clt),
        ]
        .into_iter()
        .collect();
        let fields: Vec<(&str, &[f64])> = SCALARS
            .iter()
            .map(|v| (v.name, std::slice::from_ref(&scal[v.name])))
            .collect();
        output::append(self.writers[1].as_mut().expect("opened"), bounds, &fields)?;
        if complete {
            self.budget_start = [e_end, w_end];
            self.samples = 0;
        }
        Ok(format!(
            "year {:4} month {:02}: SAT {:.2} K, P {:.3} mm/day, E {:.3} mm/day, OLR {:.1}, ASR {:.1}, TOA net {:+.2}, sfc net {:+.2} W m⁻², cloud {:.2}, energy residual {:+.3} W m⁻²",
            last.year,
            last.month,
            tas,
            pr * SECONDS_PER_DAY,
            ev * SECONDS_PER_DAY,
            olr,
            asr,
            toa,
            sfc,
            clt,
            e_res,
        ))
    }

    fn close_year(&mut self, dir: &Path, year: u64) -> Result<Vec<PathBuf>, RunError> {
        let Some((name, land)) = &self.quicklook else {
            return Ok(Vec::new());
        };
        Ok(
            match super::quicklook::atmos_only_year(dir, year, name, land) {
                Ok(pngs) => pngs,
                Err(e) => {
                    eprintln!("warning: quick-look plots of year {year} not made: {e}");
                    Vec::new()
                }
            },
        )
    }

    fn finish(&mut self, dir: &Path, _complete: bool) -> Result<Vec<PathBuf>, RunError> {
        let mut files = Vec::new();
        for (w, spec) in self.writers.iter_mut().zip(&self.specs) {
            if let Some(w) = w.take() {
                w.close()?;
                files.push(spec.kind.path(dir, 0));
            }
        }
        Ok(files)
    }

    fn restart_fields(&self) -> (Vec<Field>, [f64; 3]) {
        let mut c = Collect::default();
        self.sim.state.clone().visit(&mut c);
        self.sim.surface_state.clone().visit(&mut c);
        let mut fields = c.0;
        fields.push(Field {
            name: "month_budget".into(),
            shape: vec![2],
            values: self.budget_start.to_vec(),
        });
        fields.push(Field {
            name: "month_samples".into(),
            shape: vec![1],
            values: vec![self.samples as f64],
        });
        fields.extend(self.sums.restart_fields());
        (fields, [self.sim.state.step as f64, 0.0, self.time])
    }

    fn resume(&mut self, r: &Restart) -> Result<(), RunError> {
        let mut state = r.restore(&self.sim.state, |s, v| s.visit(v))?;
        state.step = r.atmosphere_steps;
        self.sim.state = state;
        self.sim.surface_state = r.restore(&self.sim.surface_state, |s, v| s.visit(v))?;
        self.time = r.time;
        self.budget_start = r
            .field("month_budget")?
            .values
            .clone()
            .try_into()
            .map_err(|_| corrupt(r, "month_budget is not 2 values"))?;
        self.samples = r.field("month_samples")?.values[0] as usize;
        let device = self.sim.state.current.device();
        self.sums.restore(r, &device)?;
        Ok(())
    }

    fn branch(&mut self, _r: &Restart) -> Result<(), RunError> {
        Err(RunError::Config(
            "initial.from_restart starts coupled experiments only".into(),
        ))
    }

    fn own_files(&self, dir: &Path) -> Vec<PathBuf> {
        self.specs
            .iter()
            .map(|s| s.kind.path(dir, 0))
            .filter(|p| p.exists())
            .collect()
    }

    fn open_outputs(&mut self, dir: &Path, resume: Option<f64>) -> Result<(), RunError> {
        for (w, spec) in self.writers.iter_mut().zip(&self.specs) {
            *w = Some(output::reopen(&spec.kind.path(dir, 0), spec, resume)?);
        }
        super::remove_stale_quicklooks(dir, resume)
    }
}

/// A restart that lacks what a mode needs.
fn corrupt(r: &Restart, detail: &str) -> RunError {
    RunError::Restart(super::restart::RestartError::Corrupt {
        path: r.path.clone(),
        detail: detail.into(),
    })
}
