//! Experiment files (`experiments/*.toml`): which model, which backend, how long to run,
//! and any changes to the model's settings.
//!
//! ```toml
//! [experiment]
//! name = "control"
//! description = "Pre-industrial control"
//! model = "t31"            # a model name (models/t31.toml) or a path to a model file
//! backend = "cpu64"        # cpu64 | cpu | wgpu
//!
//! [run]
//! years = 100              # exactly one of days, months, years (noleap calendar)
//!
//! [model.atmosphere]       # overrides of the model file, same keys
//! dt = 900.0
//! ```

use super::error::ConfigError;
use crate::backend::BackendKind;
use serde::{Deserialize, Serialize};

/// `[experiment]`: identification and the model it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentMeta {
    /// Short name, used for output folders.
    pub name: String,
    /// One line for humans.
    #[serde(default)]
    pub description: String,
    /// Model name (`t31`, `t63`) or path to a model file (relative to the experiment file).
    pub model: String,
    /// Backend name (`cpu64`, `cpu`, `wgpu`); the command line's `--backend` wins.
    #[serde(default = "default_backend")]
    pub backend: String,
    /// What runs: `"coupled"` (the default), `"ocean_only"` (needs `[ocean_only]`) or
    /// `"atmos_only"` (needs `[atmos_only]`).
    #[serde(default = "default_mode")]
    pub mode: RunMode,
}

fn default_mode() -> RunMode {
    RunMode::Coupled
}

super::choice::choice!(
    /// What an experiment runs ([`ExperimentMeta::mode`]).
    RunMode, "use \"coupled\" (experiments/control.toml), \"ocean_only\" (experiments/ocean_only.toml) or \"atmos_only\" (experiments/atmos_only.toml)" {
        /// Atmosphere, ocean, sea ice and land through the coupler.
        Coupled = "coupled",
        /// The ocean under COADS stress with restoring.
        OceanOnly = "ocean_only",
        /// The atmosphere over a prescribed surface.
        AtmosOnly = "atmos_only",
    }
);

super::choice::choice!(
    /// The surface under an atmosphere-only run ([`AtmosOnlySettings::surface`]).
    AtmosSurface, "use \"amip\" or \"aquaplanet\"" {
        /// Monthly SST and sea ice from the boundary data, the real land.
        Amip = "amip",
        /// The Qobs aquaplanet (Neale & Hoskins 2000), perpetual equinox.
        Aquaplanet = "aquaplanet",
    }
);

super::choice::choice!(
    /// The sea ice of a cold start ([`InitialSettings::sea_ice`]).
    InitialSeaIce, "use \"climatology\" (January sea-ice fraction) or \"none\" (ice-free)" {
        /// The January sea-ice fraction of the boundary data.
        Climatology = "climatology",
        /// Ice-free.
        None = "none",
    }
);

/// `[ocean_only]`: settings of the ocean-only mode (restoring is labelled and exists only here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OceanOnlySettings {
    /// Restoring time of the top level to the monthly SST and Levitus SSS (days).
    pub restoring_days: f64,
}

/// `[atmos_only]`: the surface under an atmosphere-only run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtmosOnlySettings {
    /// `"amip"`: the boundary data's monthly SST and sea-ice fraction, the real land with a
    /// slab-and-bucket surface; `"aquaplanet"`: an all-ocean planet with the zonally symmetric
    /// Neale & Hoskins (2000) "Qobs" SST and no ice.
    pub surface: AtmosSurface,
}

/// `[forcing]`: the forcing of an experiment (defaults: pre-industrial, no hosing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForcingSettings {
    /// CO₂ (ppm): a constant (`co2 = 284.3`, PMIP4 pre-industrial) or a table by model year
    /// (`co2 = [[0, 284.3], [140, 1137.2]]`, linear in between, constant beyond the ends).
    #[serde(default = "default_co2")]
    pub co2: Co2Setting,
    /// The orbit: a preset `"0ka"`, `"pi"`, `"6ka"` or `"21ka"`
    /// ([`crate::forcing::orbit::Orbit::preset`]), a table by model year of
    /// `[year, eccentricity, obliquity (°), perihelion ϖ (°, PMIP convention)]` rows (linear in
    /// between, constant beyond the ends), or the orbit of a calendar year from Berger (1978),
    /// `{ years_bp = 6000 }` (optionally `advance` years per model year).
    #[serde(default = "default_orbit")]
    pub orbit: OrbitSetting,
    /// Freshwater hosing (`[forcing.hosing]`), off when absent.
    #[serde(default)]
    pub hosing: Option<HosingSettings>,
}

/// CO₂ as a constant or a table by year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Co2Setting {
    /// A constant concentration (ppm).
    Constant(f64),
    /// `[model year, ppm]` rows, years increasing.
    Table(Vec<[f64; 2]>),
}

/// The orbit as a preset, a table by year, or the orbit of a calendar year (Berger 1978).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OrbitSetting {
    /// A preset name.
    Preset(String),
    /// `[model year, eccentricity, obliquity (°), perihelion (°)]` rows, years increasing.
    Table(Vec<[f64; 4]>),
    /// `{ years_bp = 6000 }`: the orbit of that many years before 1950 CE from Berger (1978),
    /// advancing `advance` calendar years per model year (0 by default: a fixed orbit; 1 for a
    /// transient run; more for orbital acceleration).
    ByYear(OrbitByYear),
}

/// The orbit of a calendar year, [`crate::forcing::berger::orbit_at`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrbitByYear {
    /// Years before 1950 CE at model year 0 (positive into the past).
    pub years_bp: f64,
    /// Calendar years the orbit advances per model year (toward the present).
    #[serde(default)]
    pub advance: f64,
}

/// `[forcing.hosing]`: an extra freshwater flux into the ocean over a region and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HosingSettings {
    /// Total freshwater flux (Sv = 10⁶ m³ s⁻¹ of fresh water, 1000 kg m⁻³), spread evenly
    /// over the ocean area of the region.
    pub sverdrups: f64,
    /// Southern and northern edge of the region (degrees north).
    pub latitudes: [f64; 2],
    /// Western and eastern edge (degrees east, 0–360; west > east wraps through 0°E).
    pub longitudes: [f64; 2],
    /// First model year of hosing and the year it stops (exclusive), e.g. `[0, 100]`.
    pub years: [f64; 2],
}

/// Piecewise-linear interpolation in a table of rows `[x, y…]` (x increasing), constant
/// beyond the ends.
pub fn interpolate<const N: usize>(table: &[[f64; N]], x: f64) -> [f64; N] {
    let first = table[0];
    let last = table[table.len() - 1];
    if x <= first[0] {
        return first;
    }
    if x >= last[0] {
        return last;
    }
    let k = table
        .iter()
        .position(|r| r[0] > x)
        .unwrap_or(table.len() - 1);
    let (a, b) = (table[k - 1], table[k]);
    let w = (x - a[0]) / (b[0] - a[0]);
    let mut out = a;
    for i in 0..N {
        out[i] = a[i] + w * (b[i] - a[i]);
    }
    out
}

impl Co2Setting {
    /// CO₂ (ppm) in model year `year` (fractional).
    pub fn at(&self, year: f64) -> f64 {
        match self {
            Co2Setting::Constant(c) => *c,
            Co2Setting::Table(t) => interpolate(t, year)[1],
        }
    }
}

impl std::fmt::Display for Co2Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Co2Setting::Constant(c) => write!(f, "{c} ppm"),
            Co2Setting::Table(t) => write!(
                f,
                "table of {} years ({} → {} ppm)",
                t.len(),
                t[0][1],
                t[t.len() - 1][1]
            ),
        }
    }
}

impl OrbitSetting {
    /// The orbit in model year `year`.
    ///
    /// # Errors
    /// An unknown preset name.
    pub fn at(
        &self,
        year: f64,
    ) -> Result<crate::forcing::orbit::Orbit, crate::forcing::orbit::UnknownOrbit> {
        match self {
            OrbitSetting::Preset(name) => crate::forcing::orbit::Orbit::preset(name),
            OrbitSetting::Table(t) => {
                let [_, e, eps, w] = interpolate(t, year);
                Ok(crate::forcing::orbit::Orbit {
                    eccentricity: e,
                    obliquity_deg: eps,
                    perihelion_deg: w,
                })
            }
            OrbitSetting::ByYear(b) => Ok(crate::forcing::berger::orbit_at(
                b.years_bp - b.advance * year,
            )),
        }
    }
}

impl std::fmt::Display for OrbitSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrbitSetting::Preset(p) => write!(f, "{p}"),
            OrbitSetting::Table(t) => write!(f, "table of {} years", t.len()),
            OrbitSetting::ByYear(b) if b.advance == 0.0 => {
                write!(f, "{} years BP (Berger 1978)", b.years_bp)
            }
            OrbitSetting::ByYear(b) => write!(
                f,
                "{} years BP advancing {} years per model year (Berger 1978)",
                b.years_bp, b.advance
            ),
        }
    }
}

fn default_co2() -> Co2Setting {
    Co2Setting::Constant(284.3)
}

fn default_orbit() -> OrbitSetting {
    OrbitSetting::Preset("pi".into())
}

impl Default for ForcingSettings {
    fn default() -> Self {
        ForcingSettings {
            co2: default_co2(),
            orbit: default_orbit(),
            hosing: None,
        }
    }
}

fn default_backend() -> String {
    "cpu64".into()
}

/// `[run]`: the length of the run, as exactly one of days, months or years of the
/// 365-day `noleap` calendar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Length in days.
    pub days: Option<u64>,
    /// Length in calendar months.
    pub months: Option<u64>,
    /// Length in years.
    pub years: Option<u64>,
}

/// The length of a run in the `noleap` calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunLength {
    /// Days.
    Days(u64),
    /// Calendar months.
    Months(u64),
    /// Years of 365 days.
    Years(u64),
}

impl std::fmt::Display for RunLength {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunLength::Days(n) => write!(f, "{n} days"),
            RunLength::Months(n) => write!(f, "{n} months"),
            RunLength::Years(n) => write!(f, "{n} years"),
        }
    }
}

impl RunConfig {
    /// The run length.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] unless exactly one of days, months, years is given and positive.
    pub fn length(&self) -> Result<RunLength, ConfigError> {
        let given: Vec<RunLength> = [
            self.days.map(RunLength::Days),
            self.months.map(RunLength::Months),
            self.years.map(RunLength::Years),
        ]
        .into_iter()
        .flatten()
        .collect();
        match given.as_slice() {
            [one] => {
                let n = match one {
                    RunLength::Days(n) | RunLength::Months(n) | RunLength::Years(n) => *n,
                };
                if n == 0 {
                    return Err(ConfigError::Invalid {
                        key: "run".into(),
                        value: one.to_string(),
                        reason: "a run must be at least one unit long".into(),
                        fix: "give a positive length".into(),
                    });
                }
                Ok(*one)
            }
            _ => Err(ConfigError::Invalid {
                key: "run".into(),
                value: format!("{} lengths given", given.len()),
                reason: "exactly one of run.days, run.months, run.years is needed".into(),
                fix: "keep one of them, e.g. `years = 100`".into(),
            }),
        }
    }
}

/// `[initial]`: the state an experiment starts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialSettings {
    /// The cold start's sea ice: `"climatology"` (the January sea-ice fraction of the boundary
    /// data, [`crate::model::INITIAL_ICE_THICKNESS`] thick) or `"none"` (ice-free). The ocean
    /// always starts from Levitus at rest and the land from `land_initial.nc`.
    #[serde(default = "default_sea_ice")]
    pub sea_ice: InitialSeaIce,
    /// A restart file to start from instead of the cold start (absent: cold start). A relative
    /// path is relative to the experiment file's folder. The file must hold a state at the
    /// start of a year of the same model (the forcing and the time steps may differ); its
    /// clock is reset so the run's first year is year 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_restart: Option<String>,
}

fn default_sea_ice() -> InitialSeaIce {
    InitialSeaIce::Climatology
}

impl Default for InitialSettings {
    fn default() -> Self {
        Self {
            sea_ice: default_sea_ice(),
            from_restart: None,
        }
    }
}

/// `[output]`: restarts and quick-look plots of a coupled run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSettings {
    /// Years between restarts (a restart is also written at the start and the end of every
    /// run and when the run is stopped by SIGINT or SIGTERM).
    #[serde(default = "default_restart_years")]
    pub restart_years: u64,
    /// Quick-look PNG plots of every completed year beside the NetCDF files.
    #[serde(default = "default_true")]
    pub quicklook: bool,
}

fn default_restart_years() -> u64 {
    1
}

fn default_true() -> bool {
    true
}

impl Default for OutputSettings {
    fn default() -> Self {
        Self {
            restart_years: default_restart_years(),
            quicklook: true,
        }
    }
}

/// An experiment file after parsing (its `[model]` overrides are applied by the resolver).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// `[experiment]`.
    pub experiment: ExperimentMeta,
    /// `[run]`.
    #[serde(default)]
    pub run: RunConfig,
    /// `[ocean_only]`, required when `experiment.mode = "ocean_only"`.
    #[serde(default)]
    pub ocean_only: Option<OceanOnlySettings>,
    /// `[atmos_only]`, required when `experiment.mode = "atmos_only"`.
    #[serde(default)]
    pub atmos_only: Option<AtmosOnlySettings>,
    /// `[forcing]`: CO₂ and orbit (pre-industrial when absent).
    #[serde(default)]
    pub forcing: ForcingSettings,
    /// `[initial]`: the initial state of a coupled run (cold start when absent).
    #[serde(default)]
    pub initial: InitialSettings,
    /// `[output]`: restart interval and quick-looks of a coupled run.
    #[serde(default)]
    pub output: OutputSettings,
}

impl ForcingSettings {
    /// Checks CO₂ values, orbit presets and tables, and the hosing settings.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, value: String, reason: &str, fix: &str| ConfigError::Invalid {
            key: key.into(),
            value,
            reason: reason.into(),
            fix: fix.into(),
        };
        let increasing =
            |years: Vec<f64>| years.windows(2).all(|w| w[1] > w[0]) && !years.is_empty();
        match &self.co2 {
            Co2Setting::Constant(c) if !(c.is_finite() && *c > 0.0) => {
                return Err(bad(
                    "forcing.co2",
                    c.to_string(),
                    "must be a positive concentration in ppm",
                    "use e.g. 284.3 (pre-industrial) or 1137.2 (4×CO₂)",
                ))
            }
            Co2Setting::Table(t)
                if !increasing(t.iter().map(|r| r[0]).collect())
                    || t.iter().any(|r| !(r[1].is_finite() && r[1] > 0.0)) =>
            {
                return Err(bad(
                    "forcing.co2",
                    format!("{t:?}"),
                    "a table needs rows [year, ppm] with increasing years and positive ppm",
                    "e.g. co2 = [[0, 284.3], [140, 1137.2]]",
                ))
            }
            _ => {}
        }
        match &self.orbit {
            OrbitSetting::Preset(p) => {
                if let Err(e) = crate::forcing::orbit::Orbit::preset(p) {
                    return Err(bad(
                        "forcing.orbit",
                        p.clone(),
                        &e.to_string(),
                        "use \"0ka\", \"pi\", \"6ka\" or \"21ka\", or a table of [year, eccentricity, obliquity, perihelion] rows",
                    ));
                }
            }
            OrbitSetting::ByYear(b) => {
                if !(b.years_bp.is_finite() && b.years_bp.abs() <= 1e6 && b.advance.is_finite()) {
                    return Err(bad(
                        "forcing.orbit",
                        format!("{b:?}"),
                        "years_bp must lie within ±1,000,000 (the validity of Berger 1978) and advance must be finite",
                        "e.g. orbit = { years_bp = 6000 } or { years_bp = 21000, advance = 1 }",
                    ));
                }
            }
            OrbitSetting::Table(t) => {
                if !increasing(t.iter().map(|r| r[0]).collect())
                    || t.iter()
                        .any(|r| !(0.0..0.1).contains(&r[1]) || !(20.0..27.0).contains(&r[2]))
                {
                    return Err(bad(
                        "forcing.orbit",
                        format!("{t:?}"),
                        "a table needs rows [year, eccentricity (0–0.1), obliquity (20–27°), perihelion (°)] with increasing years",
                        "e.g. orbit = [[0, 0.016764, 23.459, 100.33], [1000, 0.0187, 24.1, 0.87]]",
                    ));
                }
            }
        }
        if let Some(h) = &self.hosing {
            if !h.sverdrups.is_finite()
                || !(-90.0..=90.0).contains(&h.latitudes[0])
                || !(-90.0..=90.0).contains(&h.latitudes[1])
                || h.latitudes[1] <= h.latitudes[0]
                || h.years[1] <= h.years[0]
            {
                return Err(bad(
                    "forcing.hosing",
                    format!("{h:?}"),
                    "needs a finite flux, latitudes [south, north] with south < north, and years [start, end) with start < end",
                    "e.g. sverdrups = 0.1, latitudes = [50, 70], longitudes = [300, 350], years = [0, 100]",
                ));
            }
        }
        Ok(())
    }
}

impl ExperimentConfig {
    /// Checks the run length and the backend name.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.run.length()?;
        self.backend()?;
        self.forcing.validate()?;
        if self
            .initial
            .from_restart
            .as_deref()
            .is_some_and(str::is_empty)
        {
            return Err(ConfigError::Invalid {
                key: "initial.from_restart".into(),
                value: "\"\"".into(),
                reason: "an empty path names no restart".into(),
                fix: "leave the key out for a cold start, or give the path of a yearly restart"
                    .into(),
            });
        }
        if self.output.restart_years == 0 {
            return Err(ConfigError::Invalid {
                key: "output.restart_years".into(),
                value: "0".into(),
                reason: "restarts need a positive interval".into(),
                fix: "use e.g. `restart_years = 1` (restarts are small: about 10 MB at T31)".into(),
            });
        }
        match self.experiment.mode {
            RunMode::Coupled => {}
            RunMode::OceanOnly => match &self.ocean_only {
                None => {
                    return Err(ConfigError::Invalid {
                        key: "ocean_only".into(),
                        value: "missing".into(),
                        reason: "experiment.mode = \"ocean_only\" needs an [ocean_only] section"
                            .into(),
                        fix: "add `[ocean_only]` with `restoring_days = 30.0`".into(),
                    })
                }
                Some(o) if !(o.restoring_days.is_finite() && o.restoring_days > 0.0) => {
                    return Err(ConfigError::Invalid {
                        key: "ocean_only.restoring_days".into(),
                        value: o.restoring_days.to_string(),
                        reason: "must be a positive number of days".into(),
                        fix: "use e.g. 30.0".into(),
                    })
                }
                Some(_) => {}
            },
            RunMode::AtmosOnly if self.atmos_only.is_none() => {
                return Err(ConfigError::Invalid {
                    key: "atmos_only".into(),
                    value: "missing".into(),
                    reason: "experiment.mode = \"atmos_only\" needs an [atmos_only] section".into(),
                    fix:
                        "add `[atmos_only]` with `surface = \"amip\"` or `surface = \"aquaplanet\"`"
                            .into(),
                })
            }
            RunMode::AtmosOnly => {}
        }
        Ok(())
    }

    /// The backend the experiment asks for.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for an unknown name.
    pub fn backend(&self) -> Result<BackendKind, ConfigError> {
        self.experiment
            .backend
            .parse()
            .map_err(|_| ConfigError::Invalid {
                key: "experiment.backend".into(),
                value: self.experiment.backend.clone(),
                reason: "unknown backend".into(),
                fix: "use cpu64, cpu or wgpu".into(),
            })
    }
}
