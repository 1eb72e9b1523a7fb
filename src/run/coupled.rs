//! The coupled mode (`chronos run experiments/control.toml`, `experiment.mode = "coupled"`):
//! [`crate::model`] stepped interval by interval from the cold start, with monthly output.
//! (The full run driver — restarts, resume, yearly files, signals — is issue 8.)
//!
//! Output folder (never overwritten without `--force`):
//! - `config.toml`: the resolved configuration, overrides and program version;
//! - `coupled_global.nc`: monthly global diagnostics — surface air temperature, SST, TOA net
//!   flux, ocean heat uptake, sea-ice area and volume per hemisphere, AMOC at 26.5°N, Drake
//!   Passage transport, volume-mean ocean temperature and salinity, and the energy, water
//!   and salt budget residuals of the whole system;
//! - `coupled_monthly.nc`: monthly mean maps on the atmosphere grid (tas, pr, TOA net) and
//!   `ocean_monthly.nc` on the ocean grid (SST, sea-ice concentration and thickness).
//!
//! - `restart_YYYY-01-01.nc` at the start of every new year ([`super::restart`]: the full
//!   state at full precision, written atomically). Resuming from them is the run driver's
//!   next step (issue 8).
//!
//! CO₂ and the orbit follow the experiment's `[forcing]` tables year by year; hosing, when
//! set, is on over its years. There is no flux correction.
//!
//! A NaN or an ocean speed above 3 m s⁻¹ stops the run naming the month; written months stay.

use super::{length_days, RunError, RunOptions, MONTH_DAYS};
use crate::backend::{to_vec_f64, BackendKind};
use crate::config::{ExperimentConfig, ResolvedConfig};
use crate::constants::SECONDS_PER_DAY;
use crate::grid::ModelGrids;
use crate::io::{axes, CfWriter, Storage, VarSpec};
use crate::model::{step, CoupledModel, Hosing};
use crate::ocean::diagnostics::OceanDiagnostics;
use burn_tensor::{backend::Backend, Tensor};
use std::time::Instant;

/// Monthly global diagnostics: name, long name, units.
pub const SCALARS: [(&str, &str, &str); 17] = [
    ("tas", "global-mean surface air temperature", "K"),
    ("sst", "ocean-area mean sea surface temperature", "degC"),
    ("toa_net", "global-mean net downward TOA flux", "W m-2"),
    ("ocean_heat_uptake", "global-mean heat flux into the ocean", "W m-2"),
    ("siarea_n", "Northern Hemisphere sea-ice area", "1e6 km2"),
    ("siarea_s", "Southern Hemisphere sea-ice area", "1e6 km2"),
    ("sivol_n", "Northern Hemisphere sea-ice volume", "1e3 km3"),
    ("sivol_s", "Southern Hemisphere sea-ice volume", "1e3 km3"),
    ("amoc_26n", "maximum Atlantic overturning at 26.5N below 500 m", "Sv"),
    ("drake", "Drake Passage transport", "Sv"),
    ("thetao_mean", "volume-mean ocean potential temperature", "degC"),
    ("so_mean", "volume-mean ocean salinity", "g kg-1"),
    ("pr", "global-mean precipitation", "kg m-2 s-1"),
    ("energy_residual", "d(total energy)/dt minus TOA net flux, monthly", "W m-2"),
    ("water_residual", "relative change of total water over the month", "1"),
    ("salt_residual", "relative change of ocean + ice salt (with the virtual salt of the freshwater received) over the month", "1"),
    ("sypd", "simulated years per wall-clock day of the month", "1"),
];

fn define(
    w: &mut CfWriter,
    name: &'static str,
    long: &'static str,
    std: Option<&'static str>,
    units: &'static str,
    dims: &'static [&'static str],
    st: Storage,
) -> Result<(), crate::io::CfError> {
    w.define(
        &VarSpec {
            name,
            long_name: long,
            standard_name: std,
            units,
            dims,
            restart: false,
        },
        st,
    )
}

/// Runs a coupled experiment; returns the output files.
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
    let model_cfg = &cfg.model;
    let days = length_days(opts.length.unwrap_or(exp.run.length()?));
    let global_path = opts.out.join("coupled_global.nc");
    let atmos_path = opts.out.join("coupled_monthly.nc");
    let ocean_path = opts.out.join("ocean_monthly.nc");
    for p in [&global_path, &atmos_path, &ocean_path] {
        if p.exists() && !opts.force {
            return Err(RunError::OutputExists(p.clone()));
        }
    }
    let t_setup = Instant::now();
    let orbit0 = exp
        .forcing
        .orbit
        .at(0.0)
        .map_err(|e| RunError::Config(e.to_string()))?;
    let (mut model, data) =
        CoupledModel::<B>::new(model_cfg, exp.forcing.co2.at(0.0), orbit0, device)
            .map_err(|e| RunError::Config(e.to_string()))?;
    let grids = ModelGrids::new(model_cfg).map_err(|e| RunError::Config(e.to_string()))?;
    if let Some(h) = &exp.forcing.hosing {
        model.hosing = Some(hosing(&model, &grids, h));
    }
    let mut state = model
        .initial_state(&data)
        .map_err(|e| RunError::Config(e.to_string()))?;
    let diag = OceanDiagnostics::new(&model.ocean, &data.ocean.basin, device);
    std::fs::create_dir_all(&opts.out).map_err(|e| RunError::Io {
        path: opts.out.clone(),
        source: e,
    })?;
    super::write_config(cfg, kind, &opts.out)?;
    let intervals_per_day = (SECONDS_PER_DAY / model.interval).round() as usize;
    eprintln!(
        "coupled {} on {}: {} days, coupling every {} s ({} atmosphere and {} ocean steps), CO₂ {}, orbit {}{}; set-up {:.1} s; output in {}",
        model_cfg.model.name,
        kind.name(),
        days,
        model.interval,
        model.atmos_steps,
        model.ocean_steps,
        exp.forcing.co2,
        exp.forcing.orbit,
        if model.hosing.is_some() { ", hosing on" } else { "" },
        t_setup.elapsed().as_secs_f64(),
        opts.out.display()
    );

    let global = [
        ("history", "created by `chronos run` (coupled mode)"),
        ("title", "Chronos coupled run"),
        ("source", concat!("Chronos ", env!("CARGO_PKG_VERSION"))),
        ("comment", "Coupled atmosphere (QTCM1), ocean, Semtner sea ice and bucket land from a cold start (Levitus ocean at rest); no flux correction"),
    ];
    let mut wg = CfWriter::create(&global_path, &[], &global, opts.force)?;
    for (name, long, units) in SCALARS {
        define(&mut wg, name, long, None, units, &["time"], Storage::F64)?;
    }
    let [lon, lat] = axes::gaussian_axes(&grids.atmosphere);
    let mut wa = CfWriter::create(&atmos_path, &[lon, lat], &global, opts.force)?;
    let atmos_fields = [
        (
            "tas",
            "surface air temperature",
            Some("air_temperature"),
            "K",
        ),
        (
            "pr",
            "precipitation",
            Some("precipitation_flux"),
            "kg m-2 s-1",
        ),
        ("toa_net", "net downward TOA radiative flux", None, "W m-2"),
    ];
    for (name, long, std, units) in atmos_fields {
        define(
            &mut wa,
            name,
            long,
            std,
            units,
            &["time", "lat", "lon"],
            Storage::F32,
        )?;
    }
    let [olon, olat] = axes::ocean_axes(&grids.ocean);
    let mut wo = CfWriter::create(&ocean_path, &[olon, olat], &global, opts.force)?;
    let ocean_fields = [
        (
            "tos",
            "sea surface temperature",
            Some("sea_surface_temperature"),
            "degC",
        ),
        (
            "siconc",
            "sea-ice area fraction",
            Some("sea_ice_area_fraction"),
            "1",
        ),
        (
            "sithick",
            "sea-ice thickness",
            Some("sea_ice_thickness"),
            "m",
        ),
    ];
    for (name, long, std, units) in ocean_fields {
        define(
            &mut wo,
            name,
            long,
            std,
            units,
            &["time", "lat", "lon"],
            Storage::F32,
        )?;
    }

    let ex = model.exchange.clone();
    let lat_o = &grids.ocean.lat_t_deg;
    let nx = grids.ocean.nx();
    let north: Vec<f64> = lat_o
        .iter()
        .flat_map(|&l| std::iter::repeat_n(f64::from(u8::from(l > 0.0)), nx))
        .collect();
    let north = crate::backend::tensor_from_vec::<B, 3>(north, [1, lat_o.len(), nx], device);
    let south = north.clone().neg() + 1.0;
    let area = to_vec_f64(ex.atmos_area.clone().sum())[0];
    let ocean_area = to_vec_f64(ex.integrate_ocean(ex.ocean_mask.clone()))[0];
    let stores = |m: &CoupledModel<B>, s: &crate::model::CoupledState<B>| {
        let st = m.stores(s);
        [st.energy, st.water, st.salt].map(|x| to_vec_f64(x)[0])
    };
    let mut start = stores(&model, &state);
    let t0 = Instant::now();
    let mut t_month = Instant::now();
    let (mut year, mut month, mut day_in_month) = (0u64, 0usize, 0u32);
    let mut month_start = 0.0f64;
    let mut sums: Option<Vec<Tensor<B, 3>>> = None;
    let mut scal = [0.0f64; 4]; // toa J, ocean heat J, plus counts
    let mut samples = 0usize;
    let mut flux_sums: Option<(Tensor<B, 1>, Tensor<B, 1>)> = None;
    let physics = cfg.physics_fingerprint();
    let mut restarts = Vec::new();
    for day in 0..days {
        let y = day as f64 / 365.0;
        model.physics.co2 = exp.forcing.co2.at(y);
        model.physics.orbit = exp
            .forcing
            .orbit
            .at(y)
            .map_err(|e| RunError::Config(e.to_string()))?;
        for _ in 0..intervals_per_day {
            let (next, r) = step(&model, state);
            state = next;
            // Accumulated on the device; read once a month.
            flux_sums = Some(match flux_sums {
                None => (r.toa, r.ocean_heat),
                Some((a, b)) => (a + r.toa, b + r.ocean_heat),
            });
            let c = state.ice.concentration.clone();
            let h = model.ice.thickness(&state.ice);
            let sst = state.ocean.temperature.clone().narrow(0, 0, 1);
            let [tas, pr, toa] = r.atmos_means;
            let list = vec![tas, pr, toa, sst, c, h];
            sums = Some(match sums {
                None => list,
                Some(s) => s.into_iter().zip(list).map(|(a, b)| a + b).collect(),
            });
            samples += 1;
        }
        day_in_month += 1;
        let last = day + 1 == days;
        if day_in_month == MONTH_DAYS[month] || last {
            let end = (day + 1) as f64;
            let n = samples as f64;
            if let Some((a, b)) = flux_sums.take() {
                scal[0] = to_vec_f64(a)[0];
                scal[1] = to_vec_f64(b)[0];
            }
            let means: Vec<Tensor<B, 3>> = sums
                .take()
                .expect("a month has intervals")
                .into_iter()
                .map(|x| x / n)
                .collect();
            let host: Vec<Vec<f64>> = means.iter().cloned().map(to_vec_f64).collect();
            let t_mid = 0.5 * (month_start + end);
            wa.append_record(
                t_mid,
                [month_start, end],
                &[("tas", &host[0]), ("pr", &host[1]), ("toa_net", &host[2])],
            )?;
            wa.sync()?;
            wo.append_record(
                t_mid,
                [month_start, end],
                &[
                    ("tos", &host[3]),
                    ("siconc", &host[4]),
                    ("sithick", &host[5]),
                ],
            )?;
            wo.sync()?;
            let gm = |x: &Tensor<B, 3>| to_vec_f64(ex.integrate_atmos(x.clone()))[0] / area;
            let om = |x: Tensor<B, 3>| to_vec_f64(ex.integrate_ocean(x * ex.ocean_mask.clone()))[0];
            let s = diag.scalars(&model.ocean, &state.ocean);
            let vol = |hemi: &Tensor<B, 3>| om(state.ice.volume.clone() * hemi.clone()) / 1e12;
            let seconds = samples as f64 * model.interval;
            let now = stores(&model, &state);
            let e_res = (now[0] - start[0] - scal[0]) / (area * seconds);
            let w_res = (now[1] - start[1]) / start[1].abs();
            let s_res = (now[2] - start[2]) / start[2].abs();
            let month_secs = t_month.elapsed().as_secs_f64();
            let sypd = (seconds / (365.0 * SECONDS_PER_DAY)) / (month_secs / SECONDS_PER_DAY);
            let values = [
                gm(&means[0]),
                om(means[3].clone()) / ocean_area,
                scal[0] / (area * seconds),
                scal[1] / (area * seconds),
                om(means[4].clone() * north.clone()) / 1e12,
                om(means[4].clone() * south.clone()) / 1e12,
                vol(&north),
                vol(&south),
                s.amoc_26n,
                s.drake,
                s.mean_temperature,
                s.mean_salinity,
                gm(&means[1]),
                e_res,
                w_res,
                s_res,
                sypd,
            ];
            if values.iter().any(|v| !v.is_finite()) || s.max_speed > 3.0 {
                return Err(RunError::BlowUp(format!(
                    "the coupled model blew up in year {} month {}: global values {values:?}, ocean max speed {} m/s; {} keeps the months before",
                    year + 1, month + 1, s.max_speed, global_path.display()
                )));
            }
            let fields: Vec<(&str, &[f64])> = SCALARS
                .iter()
                .zip(&values)
                .map(|((n, ..), v)| (*n, std::slice::from_ref(v)))
                .collect();
            wg.append_record(t_mid, [month_start, end], &fields)?;
            wg.sync()?;
            let elapsed = t0.elapsed().as_secs_f64();
            println!(
                "year {:4} month {:02}: SAT {:.2} K, SST {:.2} °C, TOA {:+.2} W m⁻², ocean uptake {:+.2} W m⁻², sea ice N {:.2} / S {:.2} 10⁶ km², AMOC {:.1} Sv, Drake {:.0} Sv, mean Θ {:.4} °C, energy residual {:+.3} W m⁻² | {:.0} SYPD, ETA {:.0} s",
                year + 1, month + 1, values[0], values[1], values[2], values[3], values[4], values[5],
                values[8], values[9], values[10], e_res, sypd, elapsed * (days as f64 / end - 1.0)
            );
            start = now;
            scal = [0.0; 4];
            samples = 0;
            day_in_month = 0;
            month_start = end;
            t_month = Instant::now();
            month = (month + 1) % 12;
            if month == 0 {
                year += 1;
                // A restart at every new year (the monthly sums are empty here).
                let path = opts.out.join(format!("restart_{:04}-01-01.nc", year + 1));
                super::restart::write(&path, &state, &[], &physics)?;
                restarts.push(path);
            }
        }
    }
    wg.close()?;
    wa.close()?;
    wo.close()?;
    let mut files = vec![
        opts.out.join("config.toml"),
        global_path,
        atmos_path,
        ocean_path,
    ];
    files.extend(restarts);
    Ok(files)
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
    let region = crate::backend::tensor_from_vec::<B, 3>(region, [1, o.ny, nx], &device)
        * model.exchange.ocean_mask.clone();
    let area = to_vec_f64(model.exchange.integrate_ocean(region.clone()))[0].max(1.0);
    Hosing {
        flux: region * (h.sverdrups * 1e9 / area),
        period: (
            h.years[0] * 365.0 * SECONDS_PER_DAY,
            h.years[1] * 365.0 * SECONDS_PER_DAY,
        ),
    }
}
