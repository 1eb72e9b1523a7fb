//! The ocean-only run (`chronos run experiments/ocean_only.toml`): the ocean from Levitus at
//! rest under monthly COADS wind stress with the top level restored to monthly SST and
//! Levitus SSS ([`OceanOnlyForcing`]).
//!
//! Run by the [`Simulation`] driver (restarts, resume, signals), one day per interval.
//!
//! Output folder (besides the restarts; never overwritten without `--force`):
//! - `quicklook_YYYY_maps.png` (the state at the end of year YYYY), `quicklook_YYYY_series.png`
//!   (the diagnostics so far), unless `output.quicklook = false`;
//! - `config.toml`: the resolved configuration, every override and the program version;
//! - `ocean_diagnostics.nc`: monthly means of daily samples of the global diagnostics
//!   (SST, volume-mean Θ and S, heat and salt content, Drake Passage transport, Atlantic
//!   overturning at 26.5°N, maximum speed);
//! - `ocean_state.nc`: the final state (Θ, S, ideal age, u and v averaged to T-points, ψ, the
//!   overturning streamfunctions of every basin).
//!
//! The blow-up detector ([`super::blowup`]), once a day: a NaN or a value outside the
//! physical bounds of Θ, S, u or v stops the run naming the field, the place and the date;
//! what was written and the restarts before stay.

use super::calendar::Date;
use super::output::{self, FileSpec, Kind};
use super::restart::{Field, Restart};
use super::simulation::{Mode, Simulation, Summary};
use super::{RunError, RunOptions};
use crate::backend::{to_vec_f64, BackendKind};
use crate::config::ResolvedConfig;
use crate::forcing::BoundaryData;
use crate::grid::ModelGrids;
use crate::io::fields::Collect;
use crate::io::{axes, Axis, CfWriter, Storage, VarSpec};
use crate::numerics::stencil::{south, west};
use crate::ocean::diagnostics::BASINS;
use crate::ocean::{
    step, OceanDiagnostics, OceanModel, OceanOnlyForcing, OceanScalars, OceanState,
};
use crate::physics::constants::SECONDS_PER_DAY;
use burn_tensor::{backend::Backend, Tensor};
use std::path::{Path, PathBuf};

/// Everything an ocean-only run starts from: grids, boundary data, the ocean model, the
/// Levitus state at rest, the restoring forcing and the diagnostics.
pub struct OceanOnlySetup<B: Backend> {
    /// Model grids.
    pub grids: ModelGrids,
    /// Boundary data of the model.
    pub data: BoundaryData,
    /// The ocean.
    pub model: OceanModel<B>,
    /// Levitus at rest.
    pub state: OceanState<B>,
    /// COADS stress and restoring.
    pub forcing: OceanOnlyForcing<B>,
    /// Diagnostics masks.
    pub diagnostics: OceanDiagnostics<B>,
}

impl<B: Backend> OceanOnlySetup<B> {
    /// Builds the ocean-only set-up of `model_cfg` with restoring time `restoring_days`.
    ///
    /// # Errors
    /// [`RunError`] when the grids, data or model cannot be built.
    pub fn new(
        model_cfg: &crate::config::ModelConfig,
        restoring_days: f64,
        device: &B::Device,
    ) -> Result<Self, RunError> {
        let grids = ModelGrids::new(model_cfg).map_err(|e| RunError::Config(e.to_string()))?;
        let data = BoundaryData::load(&model_cfg.model.name, &grids)?;
        let model = OceanModel::<B>::new(model_cfg, &grids, &data, device)?;
        let state = OceanState::levitus(&model, &data.dir.join("ocean_initial.nc"), device)?;
        let forcing = OceanOnlyForcing::load(
            &model,
            &data.dir.join("ocean_forcing_monthly.nc"),
            restoring_days * SECONDS_PER_DAY,
            device,
        )?;
        let diagnostics = OceanDiagnostics::new(&model, &data.ocean.basin, device);
        Ok(OceanOnlySetup {
            grids,
            data,
            model,
            state,
            forcing,
            diagnostics,
        })
    }
}

/// The monthly global series of `ocean_diagnostics.nc`.
const SCALARS: [VarSpec; 9] = [
    VarSpec::series("sst", "area-mean sea surface temperature", "degC"),
    VarSpec::series("thetao_mean", "volume-mean sea water potential temperature", "degC"),
    VarSpec::series("so_mean", "volume-mean sea water salinity", "g kg-1"),
    VarSpec::series("heat_content", "ocean heat content rho0 cp int(theta) dV", "J"),
    VarSpec::series("salt_content", "ocean salt content", "kg"),
    VarSpec::series("drake", "Drake Passage transport (eastward)", "Sv"),
    VarSpec::series("amoc_26n", "maximum Atlantic overturning at 26.5N below 500 m", "Sv"),
    VarSpec::series("max_speed", "maximum horizontal speed", "m s-1"),
    VarSpec::series("hfrazil", "ocean-area mean heat added to water below its freezing point (frazil ice formation; no ice model in ocean-only runs)", "W m-2"),
];

/// The day's values of [`SCALARS`], in its order (looked up by name).
fn values(s: &OceanScalars, frazil: f64) -> Vec<f64> {
    let named = [
        ("sst", s.sst),
        ("thetao_mean", s.mean_temperature),
        ("so_mean", s.mean_salinity),
        ("heat_content", s.heat_content),
        ("salt_content", s.salt_content),
        ("drake", s.drake),
        ("amoc_26n", s.amoc_26n),
        ("max_speed", s.max_speed),
        ("hfrazil", frazil),
    ];
    SCALARS
        .iter()
        .map(|v| {
            named
                .iter()
                .find(|(n, _)| *n == v.name)
                .map(|(_, x)| *x)
                .expect("a value per series")
        })
        .collect()
}

/// Runs (or resumes) the ocean-only experiment with the [`Simulation`] driver.
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
    let exp = cfg.experiment.as_ref().ok_or(RunError::NoExperiment)?;
    if exp.initial.from_restart.is_some() {
        return Err(RunError::Config(
            "initial.from_restart starts coupled experiments; an ocean-only run starts from Levitus at rest (remove the key)".into(),
        ));
    }
    let mode = OceanOnlyRun::<B>::new(cfg, kind, device)?;
    Simulation::start(mode, cfg, opts, kind, None)?.run()
}

/// The ocean-only model as a [`Mode`]: one interval is one day, with a diagnostics sample
/// at its end.
pub struct OceanOnlyRun<B: Backend> {
    setup: OceanOnlySetup<B>,
    time: f64,
    steps_per_day: usize,
    spec: FileSpec,
    writer: Option<CfWriter>,
    sum: [f64; 9],
    samples: usize,
    area: Tensor<B, 2>,
    ocean_area: f64,
    label: String,
    /// The experiment's name, `None` without quick-looks.
    quicklook: Option<String>,
}

impl<B: Backend> OceanOnlyRun<B> {
    /// Builds the ocean-only set-up of the experiment.
    ///
    /// # Errors
    /// [`RunError`] when the section is missing or the grids, data or model cannot be built.
    pub fn new(
        cfg: &ResolvedConfig,
        kind: BackendKind,
        device: &B::Device,
    ) -> Result<Self, RunError> {
        let exp = cfg.experiment.as_ref().ok_or(RunError::NoExperiment)?;
        let restoring_days =
            exp.ocean_only
                .as_ref()
                .map(|o| o.restoring_days)
                .ok_or(RunError::Config(
                    "an ocean_only experiment needs an [ocean_only] section with restoring_days"
                        .into(),
                ))?;
        let setup = OceanOnlySetup::<B>::new(&cfg.model, restoring_days, device)?;
        let model = &setup.model;
        let label = format!(
            "ocean-only {} on {}: Δt = {} s ({} islands in the barotropic solve)",
            cfg.model.model.name,
            kind.name(),
            model.physics.dt,
            model.barotropic.islands.len(),
        );
        let area = model.metrics.area_t.clone();
        let ocean_area = to_vec_f64(
            (area.clone() * model.mask_t.clone().narrow(0, 0, 1).reshape(area.dims())).sum(),
        )[0];
        let attrs = [
            ("history", "created by `chronos run` (ocean-only mode); a resumed run continues the file"),
            ("title", "Chronos ocean-only run"),
            ("source", concat!("Chronos ", env!("CARGO_PKG_VERSION"))),
            (
                "comment",
                "Ocean-only mode: top level restored to monthly SST and Levitus SSS (labelled restoring, not used in coupled runs)",
            ),
        ];
        let spec = FileSpec {
            kind: Kind::OceanDiagnostics,
            axes: vec![],
            vars: SCALARS.to_vec(),
            storage: Storage::F64,
            attrs: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        Ok(OceanOnlyRun {
            steps_per_day: (SECONDS_PER_DAY / model.physics.dt).round() as usize,
            setup,
            time: 0.0,
            spec,
            writer: None,
            sum: [0.0; 9],
            samples: 0,
            area,
            ocean_area,
            label,
            quicklook: exp.output.quicklook.then(|| exp.experiment.name.clone()),
        })
    }
}

impl<B: Backend> Mode for OceanOnlyRun<B> {
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
        let OceanOnlySetup {
            model,
            state,
            forcing,
            diagnostics,
            ..
        } = &mut self.setup;
        let day = (self.time / SECONDS_PER_DAY).round() as u64;
        let doy = (day % 365) as f64;
        let mut frazil_day = self.area.zeros_like();
        for k in 0..self.steps_per_day {
            let t = doy + (k as f64 + 0.5) / self.steps_per_day as f64;
            let f = forcing.fluxes(model, state, t);
            let (next, report) = step(model, state.clone(), &f);
            *state = next;
            frazil_day = frazil_day + report.frazil;
        }
        let s = diagnostics.scalars(model, state);
        let frazil = to_vec_f64((frazil_day * self.area.clone()).sum())[0]
            / self.ocean_area
            / SECONDS_PER_DAY;
        check_state(&self.setup, &Date::of_seconds(self.time).to_string(), dir)?;
        for (a, v) in self.sum.iter_mut().zip(values(&s, frazil)) {
            *a += v;
        }
        self.samples += 1;
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
        let mean: Vec<f64> = self.sum.iter().map(|x| x / self.samples as f64).collect();
        let fields: Vec<(&str, &[f64])> = SCALARS
            .iter()
            .zip(&mean)
            .map(|(spec, v)| (spec.name, std::slice::from_ref(v)))
            .collect();
        let bounds = [month_start / SECONDS_PER_DAY, self.time / SECONDS_PER_DAY];
        output::append(self.writer.as_mut().expect("opened"), bounds, &fields)?;
        if complete {
            self.sum = [0.0; 9];
            self.samples = 0;
        }
        Ok(format!(
            "year {:4} month {:02}: SST {:.3} °C, mean Θ {:.4} °C, Drake {:.1} Sv, AMOC(26.5°N) {:.2} Sv, max speed {:.2} m/s",
            last.year, last.month, mean[0], mean[1], mean[5], mean[6], mean[7],
        ))
    }

    fn close_year(&mut self, dir: &Path, year: u64) -> Result<Vec<PathBuf>, RunError> {
        let Some(name) = &self.quicklook else {
            return Ok(Vec::new());
        };
        Ok(match quicklook_year(&self.setup, dir, year, name) {
            Ok(pngs) => pngs,
            Err(e) => {
                eprintln!("warning: quick-look plots of year {year} not made: {e}");
                Vec::new()
            }
        })
    }

    fn finish(&mut self, dir: &Path, complete: bool) -> Result<Vec<PathBuf>, RunError> {
        let mut files = Vec::new();
        if let Some(w) = self.writer.take() {
            w.close()?;
            files.push(self.spec.kind.path(dir, 0));
        }
        if complete {
            // The final state of the run (a continued run replaces it with its own).
            let p = dir.join("ocean_state.nc");
            let s = &self.setup;
            write_state(&s.model, &s.grids, &s.state, &s.diagnostics, &p, true)?;
            files.push(p);
        }
        Ok(files)
    }

    fn restart_fields(&self) -> (Vec<Field>, [f64; 3]) {
        let mut c = Collect::default();
        self.setup.state.clone().visit(&mut c);
        let mut fields = c.0;
        fields.push(Field {
            name: "month_sums".into(),
            shape: vec![self.sum.len()],
            values: self.sum.to_vec(),
        });
        fields.push(Field {
            name: "month_samples".into(),
            shape: vec![1],
            values: vec![self.samples as f64],
        });
        (fields, [0.0, self.setup.state.steps as f64, self.time])
    }

    fn resume(&mut self, r: &Restart) -> Result<(), RunError> {
        let mut state = r.restore(&self.setup.state, |s, v| s.visit(v))?;
        state.steps = r.ocean_steps;
        self.setup.state = state;
        self.time = r.time;
        self.sum = r
            .field("month_sums")?
            .values
            .clone()
            .try_into()
            .map_err(|_| {
                RunError::Restart(super::restart::RestartError::Corrupt {
                    path: r.path.clone(),
                    detail: "month_sums does not hold 9 values".into(),
                })
            })?;
        self.samples = r.field("month_samples")?.values[0] as usize;
        Ok(())
    }

    fn branch(&mut self, _r: &Restart) -> Result<(), RunError> {
        Err(RunError::Config(
            "initial.from_restart starts coupled experiments only".into(),
        ))
    }

    fn own_files(&self, dir: &Path) -> Vec<PathBuf> {
        [self.spec.kind.path(dir, 0), dir.join("ocean_state.nc")]
            .into_iter()
            .filter(|p| p.exists())
            .collect()
    }

    fn open_outputs(&mut self, dir: &Path, resume: Option<f64>) -> Result<(), RunError> {
        let p = self.spec.kind.path(dir, 0);
        self.writer = Some(output::reopen(&p, &self.spec, resume)?);
        super::remove_stale_quicklooks(dir, resume)
    }
}

/// The axes of `ocean_state.nc`: T-point longitude, latitude and depth, the depth of the level
/// interfaces and the latitude of the V faces (for the overturning).
/// The blow-up detector ([`super::blowup`]) on Θ, S, u and v (dry cells are 0, inside the
/// bounds).
fn check_state<B: Backend>(s: &OceanOnlySetup<B>, when: &str, dir: &Path) -> Result<(), RunError> {
    use super::blowup::{check, Check, Field, GoOn, Place};
    let g = &s.grids;
    let place = Place {
        lon: &g.ocean.lon.centres_deg,
        lat: &g.ocean.lat_t_deg,
        depth: Some(&g.levels.z_t),
    };
    let st = &s.state;
    let c = |field, values| Check {
        field,
        values,
        place,
    };
    let checks = [
        c(Field::OceanTemperature, st.temperature.clone()),
        c(Field::OceanSalinity, st.salinity.clone()),
        c(Field::OceanU, st.u.clone()),
        c(Field::OceanV, st.v.clone()),
    ];
    check("the ocean", when, &checks, dir, GoOn::StartOver("ocean.dt"))
}

/// The quick-looks of year `year` ([`super::quicklook::ocean_only_year`]): maps of the
/// state now — SST, SSS, the surface speed √(u² + v²) (u and v at their C-grid faces, drawn
/// on the T cell to their south-west), the barotropic streamfunction ψ (at each cell's
/// north-east corner, drawn on the cell) and Θ at the level nearest 1000 m — with the
/// model's coastline, and the diagnostics so far.
fn quicklook_year<B: Backend>(
    s: &OceanOnlySetup<B>,
    dir: &Path,
    year: u64,
    experiment: &str,
) -> Result<Vec<PathBuf>, super::quicklook::QuicklookError> {
    use super::quicklook::{coastline, MapField, MapStyle, DIVERGING, SEQUENTIAL};
    use crate::io::FILL_VALUE;
    let [lon, lat] = axes::ocean_axes(&s.grids.ocean);
    let z = &s.grids.levels.z_t;
    let k1000 = (0..z.len())
        .min_by(|a, b| (z[*a] - 1000.0).abs().total_cmp(&(z[*b] - 1000.0).abs()))
        .unwrap_or(0);
    let level = |x: &Tensor<B, 3>, k: usize| to_vec_f64(x.clone().narrow(0, k, 1));
    let masked = |v: Vec<f64>, wet: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(wet)
            .map(|(x, m)| if *m > 0.5 { *x } else { FILL_VALUE })
            .collect()
    };
    let st = &s.state;
    let top = level(&s.model.mask_t, 0);
    let deep = level(&s.model.mask_t, k1000);
    let speed = (st.u.clone().narrow(0, 0, 1).powf_scalar(2.0)
        + st.v.clone().narrow(0, 0, 1).powf_scalar(2.0))
    .sqrt();
    let psi = to_vec_f64(st.psi.clone())
        .iter()
        .map(|p| p * 1e-6)
        .collect();
    let depth_title = format!("ocean temperature at {:.0} m", z[k1000]);
    type Spec<'a> = (Vec<f64>, (f64, f64), &'a [[u8; 3]], &'a str, &'a str);
    let fields: [Spec; 5] = [
        (
            masked(level(&st.temperature, 0), &top),
            (-2.0, 32.0),
            &DIVERGING,
            "sea surface temperature",
            "°C",
        ),
        (
            masked(level(&st.salinity, 0), &top),
            (32.0, 38.0),
            &DIVERGING,
            "sea surface salinity",
            "g/kg",
        ),
        (
            masked(to_vec_f64(speed), &top),
            (0.0, 0.5),
            &SEQUENTIAL,
            "surface speed",
            "m/s",
        ),
        (
            masked(psi, &top),
            (-150.0, 150.0),
            &DIVERGING,
            "barotropic streamfunction",
            "Sv",
        ),
        (
            masked(level(&st.temperature, k1000), &deep),
            (0.0, 12.0),
            &DIVERGING,
            &depth_title,
            "°C",
        ),
    ];
    let maps: Vec<(MapField, MapStyle)> = fields
        .iter()
        .map(|(values, range, stops, title, units)| {
            let f = MapField {
                values: values.clone(),
                lon_bounds: lon.bounds.clone(),
                lat_bounds: lat.bounds.clone(),
            };
            (
                f,
                MapStyle {
                    range: *range,
                    stops,
                    title,
                    units,
                },
            )
        })
        .collect();
    let wet: Vec<bool> = top.iter().map(|m| *m > 0.5).collect();
    let coast = coastline(&wet, &lon.bounds, &lat.bounds);
    super::quicklook::ocean_only_year(dir, year, experiment, &maps, &coast)
}

fn state_axes(grids: &ModelGrids) -> [Axis; 5] {
    let (nz, ny) = (grids.levels.dz.len(), grids.ocean.lat_t_deg.len());
    let [lon, lat] = axes::ocean_axes(&grids.ocean);
    let depth = axes::depth_axis(&grids.levels);
    let zw = &grids.levels.z_w;
    let zt = &grids.levels.z_t;
    let depth_w = Axis {
        name: "depth_w".into(),
        long_name: "depth of level interfaces".into(),
        standard_name: "depth".into(),
        units: "m".into(),
        axis: 'Z',
        positive: Some("down".into()),
        values: zw.clone(),
        bounds: (0..=nz)
            .map(|k| {
                [
                    if k == 0 { 0.0 } else { zt[k - 1] },
                    if k == nz { zw[nz] } else { zt[k] },
                ]
            })
            .collect(),
    };
    let g = &grids.ocean;
    let lat_v = Axis {
        name: "lat_v".into(),
        long_name: "latitude of V faces".into(),
        standard_name: "latitude".into(),
        units: "degrees_north".into(),
        axis: 'Y',
        positive: None,
        values: g.lat_edges_deg[1..].to_vec(),
        bounds: (0..ny)
            .map(|j| {
                [
                    g.lat_t_deg[j],
                    if j + 1 < ny {
                        g.lat_t_deg[j + 1]
                    } else {
                        g.lat_edges_deg[ny]
                    },
                ]
            })
            .collect(),
    };
    [lon, lat, depth, depth_w, lat_v]
}

/// Writes the final state as static fields on the T grid, ψ at ζ-points' T-grid neighbours
/// (each ζ-point (j, i) is written at T cell (j, i), i.e. half a cell to the south-west of its
/// true place, as stated in the variable's comment), and the overturning per basin.
fn write_state<B: Backend>(
    model: &OceanModel<B>,
    grids: &ModelGrids,
    state: &OceanState<B>,
    diag: &OceanDiagnostics<B>,
    path: &Path,
    force: bool,
) -> Result<(), RunError> {
    let [lon, lat, depth, depth_w, lat_v] = state_axes(grids);
    let global = [
        ("history", "created by `chronos run` (ocean-only mode)"),
        ("title", "Chronos ocean-only run: final state"),
        ("source", concat!("Chronos ", env!("CARGO_PKG_VERSION"))),
    ];
    let mut w = CfWriter::create(path, &[lon, lat, depth, depth_w, lat_v], &global, force)?;
    let fill = |x: burn_tensor::Tensor<B, 3>, mask: &burn_tensor::Tensor<B, 3>| -> Vec<f64> {
        let v = to_vec_f64(x);
        let m = to_vec_f64(mask.clone());
        v.into_iter()
            .zip(m)
            .map(|(a, m)| if m > 0.0 { a } else { crate::io::FILL_VALUE })
            .collect()
    };
    let u_t = (state.u.clone() + west(state.u.clone())) * 0.5;
    let v_t = (state.v.clone() + south(state.v.clone(), 0.0)) * 0.5;
    // Θ, S and age as the ocean's table describes them (here without the record dimension);
    // u and v averaged to T points, with the table's units and standard names.
    let table = |name: &str, long_name: Option<&'static str>| {
        let v = crate::coupler::variables::output_spec(name).expect("an ocean output");
        VarSpec {
            long_name: long_name.unwrap_or(v.long_name),
            dims: &["depth", "lat", "lon"],
            ..v.output_only()
        }
    };
    let fields3 = [
        (table("thetao", None), state.temperature.clone()),
        (table("so", None), state.salinity.clone()),
        (table("agessc", None), state.age.clone()),
        (
            table("uo", Some("eastward velocity averaged to T-points")),
            u_t,
        ),
        (
            table("vo", Some("northward velocity averaged to T-points")),
            v_t,
        ),
    ];
    for (spec, t) in fields3 {
        w.define(&spec, Storage::F32)?;
        w.write_static(spec.name, &fill(t, &model.mask_t))?;
    }
    let psi_spec = VarSpec {
        name: "psi",
        long_name: "barotropic transport streamfunction (at the north-east corner of each cell)",
        standard_name: Some("ocean_barotropic_streamfunction"),
        units: "m3 s-1",
        dims: &["lat", "lon"],
        restart: false,
        monthly: false,
        output: true,
    };
    w.define(&psi_spec, Storage::F32)?;
    w.write_static("psi", &to_vec_f64(state.psi.clone()))?;
    let names = ["moc_global", "moc_atlantic", "moc_indopacific"];
    for ((name, basin), moc) in names
        .iter()
        .zip(BASINS)
        .zip(diag.overturning(model, state.v.clone()))
    {
        let long: &'static str = match basin {
            "global" => "overturning streamfunction, global ocean",
            "atlantic" => "overturning streamfunction, Atlantic and Arctic",
            _ => "overturning streamfunction, Indo-Pacific",
        };
        let spec = VarSpec {
            name,
            long_name: long,
            standard_name: None,
            units: "m3 s-1",
            dims: &["depth_w", "lat_v"],
            restart: false,
            monthly: false,
            output: true,
        };
        w.define(&spec, Storage::F32)?;
        // Volume transport (the mass streamfunction of the CF standard name is ρ₀ times this).
        w.write_static(name, &to_vec_f64(moc))?;
    }
    w.close()?;
    Ok(())
}
