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
    /// What runs: `"coupled"` (the default) or `"ocean_only"` (needs `[ocean_only]`).
    #[serde(default = "default_mode")]
    pub mode: String,
}

fn default_mode() -> String {
    "coupled".into()
}

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
    pub surface: String,
}

/// `[forcing]`: the radiative forcing of an experiment (defaults: pre-industrial).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForcingSettings {
    /// CO₂ concentration (ppm); PMIP4 pre-industrial 284.3.
    #[serde(default = "default_co2")]
    pub co2: f64,
    /// Orbit preset: `"0ka"`, `"pi"`, `"6ka"` or `"21ka"` ([`crate::forcing::orbit::Orbit::preset`]).
    #[serde(default = "default_orbit")]
    pub orbit: String,
}

fn default_co2() -> f64 {
    284.3
}

fn default_orbit() -> String {
    "pi".into()
}

impl Default for ForcingSettings {
    fn default() -> Self {
        ForcingSettings {
            co2: default_co2(),
            orbit: default_orbit(),
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
}

impl ExperimentConfig {
    /// Checks the run length and the backend name.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.run.length()?;
        self.backend()?;
        let f = &self.forcing;
        if !(f.co2.is_finite() && f.co2 > 0.0) {
            return Err(ConfigError::Invalid {
                key: "forcing.co2".into(),
                value: f.co2.to_string(),
                reason: "must be a positive concentration in ppm".into(),
                fix: "use e.g. 284.3 (pre-industrial) or 1137.2 (4×CO₂)".into(),
            });
        }
        if let Err(e) = crate::forcing::orbit::Orbit::preset(&f.orbit) {
            return Err(ConfigError::Invalid {
                key: "forcing.orbit".into(),
                value: f.orbit.clone(),
                reason: e.to_string(),
                fix: "use \"0ka\", \"pi\", \"6ka\" or \"21ka\"".into(),
            });
        }
        match self.experiment.mode.as_str() {
            "coupled" => {}
            "ocean_only" => match &self.ocean_only {
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
            "atmos_only" => match &self.atmos_only {
                None => return Err(ConfigError::Invalid {
                    key: "atmos_only".into(),
                    value: "missing".into(),
                    reason: "experiment.mode = \"atmos_only\" needs an [atmos_only] section".into(),
                    fix:
                        "add `[atmos_only]` with `surface = \"amip\"` or `surface = \"aquaplanet\"`"
                            .into(),
                }),
                Some(a) if a.surface != "amip" && a.surface != "aquaplanet" => {
                    return Err(ConfigError::Invalid {
                        key: "atmos_only.surface".into(),
                        value: a.surface.clone(),
                        reason: "unknown surface".into(),
                        fix: "use \"amip\" or \"aquaplanet\"".into(),
                    })
                }
                Some(_) => {}
            },
            other => {
                return Err(ConfigError::Invalid {
                    key: "experiment.mode".into(),
                    value: other.into(),
                    reason: "unknown mode".into(),
                    fix: "use \"coupled\", \"ocean_only\" or \"atmos_only\"".into(),
                })
            }
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
