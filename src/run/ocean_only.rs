//! The ocean-only run (`chronos run experiments/ocean_only.toml`): the ocean from Levitus at
//! rest under monthly COADS wind stress with the top level restored to monthly SST and
//! Levitus SSS ([`OceanOnlyForcing`]).
//!
//! Output folder (never overwritten: an existing `ocean_diagnostics.nc` stops the run):
//! - `config.toml`: the resolved configuration, every override and the program version;
//! - `ocean_diagnostics.nc`: monthly means of daily samples of the global diagnostics
//!   (SST, volume-mean Θ and S, heat and salt content, Drake Passage transport, Atlantic
//!   overturning at 26.5°N, maximum speed);
//! - `ocean_state.nc`: the final state (Θ, S, ideal age, u and v averaged to T-points, ψ, the
//!   overturning streamfunctions of every basin).
//!
//! A NaN or a speed above 10 m s⁻¹ stops the run with an error naming the date; what was
//! written stays. Restarts and resume come with the coupled run driver (issue 8).

use super::{length_days, RunError, RunOptions};
use crate::backend::{to_vec_f64, BackendKind};
use crate::config::ResolvedConfig;
use crate::forcing::BoundaryData;
use crate::grid::ModelGrids;
use crate::io::{axes, Axis, CfWriter, Storage, VarSpec};
use crate::numerics::stencil::{south, west};
use crate::ocean::diagnostics::BASINS;
use crate::ocean::{
    step, OceanDiagnostics, OceanModel, OceanOnlyForcing, OceanScalars, OceanState,
};
use crate::physics::constants::SECONDS_PER_DAY;
use burn_tensor::backend::Backend;
use std::path::Path;
use std::time::Instant;

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

pub use super::MONTH_DAYS;

const SCALARS: [(&str, &str, Option<&str>, &str); 9] = [
    ("sst", "area-mean sea surface temperature", None, "degC"),
    (
        "thetao_mean",
        "volume-mean sea water potential temperature",
        None,
        "degC",
    ),
    ("so_mean", "volume-mean sea water salinity", None, "1e-3"),
    (
        "heat_content",
        "ocean heat content rho0 cp int(theta) dV",
        None,
        "J",
    ),
    ("salt_content", "ocean salt content", None, "kg"),
    ("drake", "Drake Passage transport (eastward)", None, "Sv"),
    (
        "amoc_26n",
        "maximum Atlantic overturning at 26.5N below 500 m",
        None,
        "Sv",
    ),
    ("max_speed", "maximum horizontal speed", None, "m s-1"),
    (
        "hfrazil",
        "ocean-area mean heat added to water below its freezing point (frazil ice formation; no ice model in ocean-only runs)",
        None,
        "W m-2",
    ),
];

fn values(s: &OceanScalars, frazil: f64) -> [f64; 9] {
    [
        s.sst,
        s.mean_temperature,
        s.mean_salinity,
        s.heat_content,
        s.salt_content,
        s.drake,
        s.amoc_26n,
        s.max_speed,
        frazil,
    ]
}

/// Runs the ocean-only experiment on backend `B`; returns the output folder's files.
///
/// # Errors
/// [`RunError`] for missing data, an existing output, a blow-up or an I/O failure.
pub fn run<B: Backend>(
    cfg: &ResolvedConfig,
    opts: &RunOptions,
    kind: BackendKind,
    device: &B::Device,
) -> Result<Vec<std::path::PathBuf>, RunError> {
    let exp = cfg.experiment.as_ref().ok_or(RunError::NoExperiment)?;
    let restoring_days =
        exp.ocean_only
            .as_ref()
            .map(|o| o.restoring_days)
            .ok_or(RunError::Config(
                "an ocean_only experiment needs an [ocean_only] section with restoring_days".into(),
            ))?;
    let len = match opts.length {
        Some(l) => l,
        None => exp.run.length()?,
    };
    let days = length_days(len);
    let model_cfg = &cfg.model;
    let diag_path = opts.out.join("ocean_diagnostics.nc");
    let state_path = opts.out.join("ocean_state.nc");
    for p in [&diag_path, &state_path] {
        if p.exists() && !opts.force {
            return Err(RunError::OutputExists(p.clone()));
        }
    }
    let t_setup = Instant::now();
    let OceanOnlySetup {
        grids,
        model,
        mut state,
        forcing,
        diagnostics: diag,
        ..
    } = OceanOnlySetup::<B>::new(model_cfg, restoring_days, device)?;
    super::create_output_folder(&opts.out)?;
    super::write_config(cfg, kind, &opts.out)?;
    eprintln!(
        "ocean-only {} on {}: {} days at Δt = {} s ({} islands in the barotropic solve); set-up {:.1} s; output in {}",
        model_cfg.model.name,
        kind.name(),
        days,
        model.physics.dt,
        model.barotropic.islands.len(),
        t_setup.elapsed().as_secs_f64(),
        opts.out.display()
    );

    let global = [
        ("history", "created by `chronos run` (ocean-only mode)"),
        ("title", "Chronos ocean-only run"),
        ("source", concat!("Chronos ", env!("CARGO_PKG_VERSION"))),
        (
            "comment",
            "Ocean-only mode: top level restored to monthly SST and Levitus SSS (labelled restoring, not used in coupled runs)",
        ),
    ];
    let mut w = CfWriter::create(&diag_path, &[], &global, opts.force)?;
    let specs: Vec<VarSpec> = SCALARS
        .iter()
        .map(|(name, long, std, units)| VarSpec {
            name,
            long_name: long,
            standard_name: *std,
            units,
            dims: &["time"],
            restart: false,
        })
        .collect();
    for s in &specs {
        w.define(s, Storage::F64)?;
    }

    let steps_per_day = (SECONDS_PER_DAY / model.physics.dt).round() as usize;
    let t0 = Instant::now();
    let mut sum = [0.0f64; 9];
    let area = model.metrics.area_t.clone();
    let ocean_area = to_vec_f64(
        (area.clone() * model.mask_t.clone().narrow(0, 0, 1).reshape(area.dims())).sum(),
    )[0];
    let mut frazil_day = area.zeros_like();
    let mut samples = 0usize;
    let (mut year, mut month, mut day_in_month) = (0u64, 0usize, 0u32);
    let mut month_start = 0.0f64;
    for day in 0..days {
        let doy = (day % 365) as f64;
        for k in 0..steps_per_day {
            let t = doy + (k as f64 + 0.5) / steps_per_day as f64;
            let f = forcing.fluxes(&model, &state, t);
            let (next, report) = step(&model, state, &f);
            state = next;
            frazil_day = frazil_day + report.frazil;
        }
        let s = diag.scalars(&model, &state);
        let frazil =
            to_vec_f64((frazil_day.clone() * area.clone()).sum())[0] / ocean_area / SECONDS_PER_DAY;
        frazil_day = frazil_day.zeros_like();
        if !s.max_speed.is_finite() || s.max_speed > 10.0 || !s.sst.is_finite() {
            return Err(RunError::BlowUp(format!(
                "the ocean blew up on year {} month {} day {}: maximum speed {:e} m/s, mean SST {} °C; {} keeps the months before",
                year + 1,
                month + 1,
                day_in_month + 1,
                s.max_speed,
                s.sst,
                diag_path.display()
            )));
        }
        for (a, v) in sum.iter_mut().zip(values(&s, frazil)) {
            *a += v;
        }
        samples += 1;
        day_in_month += 1;
        let last = day + 1 == days;
        if day_in_month == MONTH_DAYS[month] || last {
            let end = (day + 1) as f64;
            let mean: Vec<f64> = sum.iter().map(|x| x / samples as f64).collect();
            let fields: Vec<(&str, &[f64])> = SCALARS
                .iter()
                .zip(&mean)
                .map(|((n, ..), v)| (*n, std::slice::from_ref(v)))
                .collect();
            w.append_record(0.5 * (month_start + end), [month_start, end], &fields)?;
            w.sync()?;
            let elapsed = t0.elapsed().as_secs_f64();
            let sypd = (end / 365.0) / (elapsed / SECONDS_PER_DAY);
            let eta = elapsed * (days as f64 / end - 1.0);
            println!(
                "year {:4} month {:02}: SST {:.3} °C, mean Θ {:.4} °C, Drake {:.1} Sv, AMOC(26.5°N) {:.2} Sv, max speed {:.2} m/s | {:.0} simulated years/day, ETA {:.0} s",
                year + 1,
                month + 1,
                mean[0],
                mean[1],
                mean[5],
                mean[6],
                mean[7],
                sypd,
                eta
            );
            sum = [0.0; 9];
            samples = 0;
            day_in_month = 0;
            month_start = end;
            month = (month + 1) % 12;
            if month == 0 {
                year += 1;
            }
        }
    }
    w.close()?;
    write_state(&model, &grids, &state, &diag, &state_path, opts.force)?;
    Ok(vec![opts.out.join("config.toml"), diag_path, state_path])
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
    let [nz, ny, _] = model.shape;
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
    type Field<B> = (
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
        burn_tensor::Tensor<B, 3>,
    );
    let fields3: [Field<B>; 5] = [
        (
            "thetao",
            "sea water potential temperature",
            Some("sea_water_potential_temperature"),
            "degC",
            state.temperature.clone(),
        ),
        (
            "so",
            "sea water salinity",
            Some("sea_water_salinity"),
            "1e-3",
            state.salinity.clone(),
        ),
        (
            "agessc",
            "ideal age (time since the water left the surface level)",
            Some("sea_water_age_since_surface_contact"),
            "yr",
            state.age.clone(),
        ),
        (
            "uo",
            "eastward velocity averaged to T-points",
            Some("sea_water_x_velocity"),
            "m s-1",
            u_t,
        ),
        (
            "vo",
            "northward velocity averaged to T-points",
            Some("sea_water_y_velocity"),
            "m s-1",
            v_t,
        ),
    ];
    for (name, long, std, units, t) in fields3 {
        let spec = VarSpec {
            name,
            long_name: long,
            standard_name: std,
            units,
            dims: &["depth", "lat", "lon"],
            restart: false,
        };
        w.define(&spec, Storage::F32)?;
        w.write_static(name, &fill(t, &model.mask_t))?;
    }
    let psi_spec = VarSpec {
        name: "psi",
        long_name: "barotropic transport streamfunction (at the north-east corner of each cell)",
        standard_name: Some("ocean_barotropic_streamfunction"),
        units: "m3 s-1",
        dims: &["lat", "lon"],
        restart: false,
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
        };
        w.define(&spec, Storage::F32)?;
        // Volume transport (the mass streamfunction of the CF standard name is ρ₀ times this).
        w.write_static(name, &to_vec_f64(moc))?;
    }
    w.close()?;
    Ok(())
}
