//! Configuration: model files, experiment files, environment and command-line overrides.
//!
//! A run's configuration is resolved in layers, later layers winning:
//!
//! 1. the **model file** (`models/t31.toml`, `models/t63.toml`, embedded in the binary;
//!    `CHRONOS_MODEL_DIR` may point at a folder with more or changed `<name>.toml` files),
//! 2. the **experiment file**'s `[model.*]` tables (same keys as the model file),
//! 3. the **environment**: `CHRONOS_RESOLUTION` (`T31`|`T63`) selects the model file and
//!    `CHRONOS_DT_ATMOS` (s) sets `atmosphere.dt`,
//! 4. **`--set key=value`** on the command line (`--set model.resolution=T63` selects the model file).
//!
//! Every change is recorded as an [`Override`] (key, new and old value, source) so the CLI
//! can log it and outputs can save it. Unknown keys, wrong types and impossible values are
//! errors that name the key and the fix ([`ConfigError`]).

pub mod choice;
pub mod error;
pub mod experiment;
pub mod model;

pub use error::ConfigError;
pub use experiment::{
    AtmosOnlySettings, AtmosSurface, Co2Setting, ExperimentConfig, ExperimentMeta, ForcingSettings,
    HosingSettings, InitialSeaIce, InitialSettings, OceanOnlySettings, OrbitSetting,
    OutputSettings, RunConfig, RunLength, RunMode,
};

/// Sections of an experiment file that `--set` can change (`--set initial.from_restart=PATH`,
/// `--set output.restart_years=10`, `--set forcing.co2=1137.2`, `--set ocean_only.restoring_days=10`);
/// every other key is a model key.
pub const EXPERIMENT_SECTIONS: [&str; 5] =
    ["initial", "output", "forcing", "ocean_only", "atmos_only"];

fn is_experiment_key(key: &str) -> bool {
    EXPERIMENT_SECTIONS.contains(&key.split('.').next().unwrap_or_default())
}
pub use model::{
    AtmosphereConfig, AtmosphereDynamicsConfig, AtmospherePhysicsConfig, CouplingConfig,
    EquationOfStateChoice, ModelConfig, ModelMeta, OceanConfig, OceanPhysicsConfig, PlanetConfig,
    StratusCover,
};

use serde::Serialize;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// The model files compiled into the binary: (name, TOML text).
pub const BUILTIN_MODELS: &[(&str, &str)] = &[
    ("t31", include_str!("../../models/t31.toml")),
    ("t63", include_str!("../../models/t63.toml")),
];

/// One change to the model file's values, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Dotted key, e.g. `atmosphere.dt`.
    pub key: String,
    /// The new value (TOML syntax).
    pub value: String,
    /// The value it replaced (TOML syntax).
    pub previous: String,
    /// Where the change came from: `experiment <path>`, `CHRONOS_DT_ATMOS`, `--set`.
    pub source: String,
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "override {} = {} (was {}) from {}",
            self.key, self.value, self.previous, self.source
        )
    }
}

/// The environment variables the configuration reads (captured once, so tests can inject them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Environment {
    /// `CHRONOS_RESOLUTION`: `T31` or `T63` (any case) selects `models/t31.toml` / `t63.toml`.
    pub resolution: Option<String>,
    /// `CHRONOS_DT_ATMOS`: the atmospheric time step (s).
    pub dt_atmos: Option<String>,
    /// `CHRONOS_MODEL_DIR`: a folder searched for `<name>.toml` before the embedded models.
    pub model_dir: Option<PathBuf>,
}

impl Environment {
    /// Reads `CHRONOS_RESOLUTION`, `CHRONOS_DT_ATMOS` and `CHRONOS_MODEL_DIR` from the process.
    pub fn from_process() -> Self {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Environment {
            resolution: get("CHRONOS_RESOLUTION"),
            dt_atmos: get("CHRONOS_DT_ATMOS"),
            model_dir: get("CHRONOS_MODEL_DIR").map(PathBuf::from),
        }
    }
}

/// What to resolve: a model or an experiment, plus overrides.
#[derive(Debug, Clone, Default)]
pub struct ConfigRequest {
    /// A model name (`t31`) or path to a model file; used when no experiment is given.
    pub model: Option<String>,
    /// An experiment file.
    pub experiment: Option<PathBuf>,
    /// `--set key=value` arguments, in order.
    pub sets: Vec<String>,
    /// The environment.
    pub env: Environment,
}

/// A fully resolved and validated configuration.
#[derive(Debug, Clone)]
pub struct ResolvedConfig {
    /// The model configuration after all overrides.
    pub model: ModelConfig,
    /// The experiment, when one was given.
    pub experiment: Option<ExperimentConfig>,
    /// The experiment file's path.
    pub experiment_path: Option<PathBuf>,
    /// Where the model file came from (`embedded models/t31.toml` or a path).
    pub model_origin: String,
    /// Every override applied, in order of application.
    pub overrides: Vec<Override>,
}

/// Names of the model files available: embedded ones plus `<name>.toml` in `model_dir`.
pub fn available_models(env: &Environment) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN_MODELS.iter().map(|(n, _)| n.to_string()).collect();
    if let Some(dir) = &env.model_dir {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "toml") {
                    if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                        if !names.iter().any(|n| n == stem) {
                            names.push(stem.to_string());
                        }
                    }
                }
            }
        }
    }
    names.sort();
    names
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })
}

fn parse_table(text: &str, origin: &str) -> Result<Table, ConfigError> {
    text.parse::<Table>().map_err(|e| ConfigError::Parse {
        origin: origin.into(),
        message: e.to_string(),
    })
}

/// Loads a model file's text by name or path; returns (text, origin).
fn load_model_text(
    spec: &str,
    base: Option<&Path>,
    env: &Environment,
) -> Result<(String, String), ConfigError> {
    let looks_like_path = spec.contains('/') || spec.ends_with(".toml");
    if looks_like_path {
        let p = Path::new(spec);
        let p = match base {
            Some(b) if p.is_relative() && !p.exists() => b.join(p),
            _ => p.to_path_buf(),
        };
        return Ok((read(&p)?, p.display().to_string()));
    }
    let name = spec.to_ascii_lowercase();
    if let Some(dir) = &env.model_dir {
        let p = dir.join(format!("{name}.toml"));
        if p.exists() {
            return Ok((read(&p)?, p.display().to_string()));
        }
    }
    BUILTIN_MODELS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, t)| (t.to_string(), format!("embedded models/{n}.toml")))
        .ok_or_else(|| ConfigError::UnknownResolution {
            value: spec.into(),
            origin: "the model name".into(),
            known: available_models(env).join(", "),
        })
}

/// Checks that a resolution label names an available model file; returns its lower-case name.
fn resolution_to_model(
    value: &str,
    origin: &str,
    env: &Environment,
) -> Result<String, ConfigError> {
    let name = value.trim().to_ascii_lowercase();
    let known = available_models(env);
    if known.contains(&name) {
        Ok(name)
    } else {
        Err(ConfigError::UnknownResolution {
            value: value.into(),
            origin: origin.into(),
            known: known
                .iter()
                .map(|k| k.to_ascii_uppercase())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// Parses a command-line value as TOML (number, boolean, string, array), falling back to a bare string.
fn parse_value(raw: &str) -> Value {
    format!("v = {raw}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(raw.to_string()))
}

/// Leaves of a nested table as (dotted key, value).
fn flatten(prefix: &str, table: &Table, out: &mut Vec<(String, Value)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Table(t) => flatten(&key, t, out),
            other => out.push((key, other.clone())),
        }
    }
}

/// Sets `key` in `table`, which must already hold it; integers become floats where the
/// model has a float. Returns the previous value.
fn apply(
    table: &mut Table,
    key: &str,
    value: Value,
    origin: &str,
) -> Result<(Value, Value), ConfigError> {
    let parts: Vec<&str> = key.split('.').collect();
    let mut cur = table;
    for (depth, part) in parts.iter().enumerate() {
        let known = |t: &Table| t.keys().cloned().collect::<Vec<_>>().join(", ");
        if depth + 1 == parts.len() {
            let hint = format!("known keys here are: {}", known(cur));
            let slot = cur
                .get_mut(*part)
                .filter(|v| !v.is_table())
                .ok_or_else(|| ConfigError::UnknownKey {
                    key: key.into(),
                    origin: origin.into(),
                    hint,
                })?;
            let value = match (&*slot, value) {
                (Value::Float(_), Value::Integer(i)) => Value::Float(i as f64),
                (_, v) => v,
            };
            let previous = std::mem::replace(slot, value.clone());
            return Ok((previous, value));
        }
        let hint = format!("known sections are: {}", known(cur));
        cur = match cur.get_mut(*part) {
            Some(Value::Table(t)) => t,
            _ => {
                return Err(ConfigError::UnknownKey {
                    key: key.into(),
                    origin: origin.into(),
                    hint,
                })
            }
        };
    }
    unreachable!("a split always yields at least one part")
}

/// Applies one override and records it.
fn record(
    table: &mut Table,
    overrides: &mut Vec<Override>,
    key: &str,
    value: Value,
    source: &str,
) -> Result<(), ConfigError> {
    let (previous, new) = apply(table, key, value, source)?;
    overrides.push(Override {
        key: key.into(),
        value: new.to_string(),
        previous: previous.to_string(),
        source: source.into(),
    });
    Ok(())
}

/// Typed deserialisation with the failing key's path in the error.
fn typed<T: serde::de::DeserializeOwned>(table: Table, origin: &str) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize::<_, T>(Value::Table(table)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            let field = rest.split('`').next().unwrap_or_default();
            let key = if path == "." || path.is_empty() {
                field.to_string()
            } else {
                format!("{path}.{field}")
            };
            ConfigError::UnknownKey {
                key,
                origin: origin.into(),
                hint: message.clone(),
            }
        } else if let Some((value, fix)) = choice::invalid_choice(&message) {
            ConfigError::Invalid {
                key: path,
                value,
                reason: "is not one of the choices".into(),
                fix,
            }
        } else {
            ConfigError::Type {
                key: path,
                origin: origin.into(),
                message,
            }
        }
    })
}

/// Reads and validates the experiment file at `path`. Returns the experiment, with the
/// `--set` arguments among `sets` that name experiment keys applied (recorded in
/// `overrides`, see [`apply_experiment_sets`]), and the file's `[model]` table, kept apart as
/// model-file overrides (empty when the file has none).
///
/// # Errors
/// [`ConfigError`] for an unreadable or malformed file, a `[model]` that is not a table, or an
/// invalid experiment (before or after the `--set`s).
fn load_experiment(
    path: &Path,
    sets: &[String],
    overrides: &mut Vec<Override>,
) -> Result<(ExperimentConfig, Table), ConfigError> {
    let origin = path.display().to_string();
    let mut table = parse_table(&read(path)?, &origin)?;
    let changes = match table.remove("model") {
        Some(Value::Table(t)) => t,
        Some(_) => {
            return Err(ConfigError::Type {
                key: "model".into(),
                origin,
                message: "must be a table of model-file overrides, e.g. [model.atmosphere]".into(),
            })
        }
        None => Table::new(),
    };
    let exp: ExperimentConfig = typed(table, &origin)?;
    exp.validate()?;
    let exp = apply_experiment_sets(exp, &origin, sets, overrides)?;
    Ok((exp, changes))
}

/// `--set` of experiment keys ([`EXPERIMENT_SECTIONS`]): applies those among `sets` to `exp`
/// with its defaults filled in, records each in `overrides` and validates the result. `exp` is
/// returned unchanged when there are none; `origin` names the experiment file.
///
/// # Errors
/// [`ConfigError`] for an experiment that cannot be changed, an unknown key, or an invalid
/// result.
fn apply_experiment_sets(
    exp: ExperimentConfig,
    origin: &str,
    sets: &[String],
    overrides: &mut Vec<Override>,
) -> Result<ExperimentConfig, ConfigError> {
    let exp_sets: Vec<&String> = sets
        .iter()
        .filter(|a| {
            a.split_once('=')
                .is_some_and(|(k, _)| is_experiment_key(k.trim()))
        })
        .collect();
    if exp_sets.is_empty() {
        return Ok(exp);
    }
    let mut t = match Value::try_from(&exp) {
        Ok(Value::Table(t)) => t,
        other => {
            return Err(ConfigError::Type {
                key: "experiment".into(),
                origin: origin.into(),
                message: format!("cannot be changed by --set: {other:?}"),
            })
        }
    };
    for arg in exp_sets {
        let (k, v) = arg.split_once('=').expect("filtered on '='");
        record(&mut t, overrides, k.trim(), parse_value(v.trim()), "--set")?;
    }
    let exp: ExperimentConfig = typed(t, &format!("{origin} with --set"))?;
    exp.validate()?;
    Ok(exp)
}

/// Splits each `--set key=value` argument into its trimmed (key, value), in order.
///
/// # Errors
/// [`ConfigError::SetSyntax`] for the first argument without `=` or with an empty key.
fn parse_sets(args: &[String]) -> Result<Vec<(String, String)>, ConfigError> {
    let mut sets: Vec<(String, String)> = Vec::new();
    for arg in args {
        let (k, v) = arg
            .split_once('=')
            .ok_or_else(|| ConfigError::SetSyntax { arg: arg.clone() })?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() {
            return Err(ConfigError::SetSyntax { arg: arg.clone() });
        }
        sets.push((k.to_string(), v.to_string()));
    }
    Ok(sets)
}

/// The model file to load: `spec` (from the command line or the experiment), replaced in turn
/// by `CHRONOS_RESOLUTION` (unless `--model` was given) and by each `--set model.resolution`
/// among `sets`. Every change of model file is recorded in `overrides`.
///
/// # Errors
/// [`ConfigError::UnknownResolution`] for a resolution with no model file.
fn select_model(
    mut spec: String,
    req: &ConfigRequest,
    sets: &[(String, String)],
    overrides: &mut Vec<Override>,
) -> Result<String, ConfigError> {
    let env = &req.env;
    let mut selections: Vec<(String, String)> = Vec::new();
    // A model named on the command line (`--model`) outranks the environment.
    if let (Some(r), None) = (&env.resolution, &req.model) {
        selections.push((r.clone(), "CHRONOS_RESOLUTION".into()));
    }
    for (k, v) in sets {
        if k == "model.resolution" {
            selections.push((
                v.trim_matches('"').to_string(),
                "--set model.resolution".into(),
            ));
        }
    }
    for (value, origin) in selections {
        let name = resolution_to_model(&value, &origin, env)?;
        if name != spec.to_ascii_lowercase() {
            overrides.push(Override {
                key: "model.resolution".into(),
                value: format!("\"{}\"", name.to_ascii_uppercase()),
                previous: format!("\"{spec}\""),
                source: origin,
            });
        }
        spec = name;
    }
    Ok(spec)
}

/// Applies layers 2–4 to the model file's `table`, recording each change in `overrides`: the
/// experiment's `[model.*]` tables (`model_changes`), `CHRONOS_DT_ATMOS`, and the `--set`s
/// among `sets` other than `model.resolution` and, with an experiment (`has_experiment`),
/// other than experiment keys (those were applied to the experiment).
///
/// # Errors
/// [`ConfigError`] for an unknown key or a `CHRONOS_DT_ATMOS` that is not a number.
fn apply_model_layers(
    table: &mut Table,
    model_changes: &Table,
    req: &ConfigRequest,
    sets: &[(String, String)],
    has_experiment: bool,
    overrides: &mut Vec<Override>,
) -> Result<(), ConfigError> {
    // Layer 2: the experiment's [model.*] tables.
    let mut leaves = Vec::new();
    flatten("", model_changes, &mut leaves);
    let exp_origin = req
        .experiment
        .as_ref()
        .map(|p| format!("experiment {}", p.display()))
        .unwrap_or_default();
    for (key, value) in leaves {
        record(table, overrides, &key, value, &exp_origin)?;
    }
    // Layer 3: CHRONOS_DT_ATMOS.
    if let Some(raw) = &req.env.dt_atmos {
        let dt: f64 = raw.trim().parse().map_err(|_| ConfigError::Invalid {
            key: "CHRONOS_DT_ATMOS".into(),
            value: raw.clone(),
            reason: "is not a number of seconds".into(),
            fix: "set it to the atmospheric time step in seconds, e.g. CHRONOS_DT_ATMOS=1200, or unset it".into(),
        })?;
        let v = Value::Float(dt);
        record(table, overrides, "atmosphere.dt", v, "CHRONOS_DT_ATMOS")?;
    }
    // Layer 4: --set.
    for (key, raw) in sets
        .iter()
        .filter(|(k, _)| k != "model.resolution" && !(has_experiment && is_experiment_key(k)))
    {
        record(table, overrides, key, parse_value(raw), "--set")?;
    }
    Ok(())
}

impl ResolvedConfig {
    /// Resolves a request through all layers and validates the result.
    ///
    /// # Errors
    /// Any [`ConfigError`]: unreadable or malformed files, unknown keys or resolutions,
    /// wrong types, invalid values.
    pub fn resolve(req: &ConfigRequest) -> Result<Self, ConfigError> {
        let env = &req.env;
        let mut overrides = Vec::new();

        // The experiment file: its [model] table is kept apart as overrides.
        let (experiment, model_changes, exp_dir) = match &req.experiment {
            Some(path) => {
                let (exp, changes) = load_experiment(path, &req.sets, &mut overrides)?;
                (Some(exp), changes, path.parent().map(Path::to_path_buf))
            }
            None => (None, Table::new(), None),
        };

        // Which model file: command line / experiment, then CHRONOS_RESOLUTION, then --set model.resolution.
        let spec = req
            .model
            .clone()
            .or_else(|| experiment.as_ref().map(|e| e.experiment.model.clone()))
            .unwrap_or_else(|| "t31".into());
        let sets = parse_sets(&req.sets)?;
        let spec = select_model(spec, req, &sets, &mut overrides)?;

        let (text, model_origin) = load_model_text(&spec, exp_dir.as_deref(), env)?;
        let mut table = parse_table(&text, &model_origin)?;
        apply_model_layers(
            &mut table,
            &model_changes,
            req,
            &sets,
            experiment.is_some(),
            &mut overrides,
        )?;

        let origin = if overrides.is_empty() {
            model_origin.clone()
        } else {
            format!("{model_origin} with overrides")
        };
        let model: ModelConfig = typed(table, &origin)?;
        model.validate()?;
        Ok(ResolvedConfig {
            model,
            experiment,
            experiment_path: req.experiment.clone(),
            model_origin,
            overrides,
        })
    }

    /// The embedded model file `name` (`t31`, `t63`) with no experiment, environment or overrides.
    ///
    /// # Errors
    /// [`ConfigError::UnknownResolution`] for a name with no embedded model file.
    pub fn builtin(name: &str) -> Result<Self, ConfigError> {
        Self::resolve(&ConfigRequest {
            model: Some(name.into()),
            ..Default::default()
        })
    }

    /// The physics a model state belongs to, as text: the resolved model configuration
    /// (TOML, after every override), the experiment's `[forcing]` and its `[ocean_only]` or
    /// `[atmos_only]` surface settings, but not the run length or the output options. A restart is continued only by a run with the same text
    /// ([`crate::run::restart`]).
    pub fn physics_fingerprint(&self) -> String {
        let mut s = self.model_fingerprint();
        if let Some(e) = &self.experiment {
            #[derive(Serialize)]
            struct Forcing<'a> {
                forcing: &'a ForcingSettings,
                #[serde(skip_serializing_if = "Option::is_none")]
                ocean_only: Option<&'a experiment::OceanOnlySettings>,
                #[serde(skip_serializing_if = "Option::is_none")]
                atmos_only: Option<&'a experiment::AtmosOnlySettings>,
            }
            s.push('\n');
            s.push_str(
                &toml::to_string(&Forcing {
                    forcing: &e.forcing,
                    ocean_only: e.ocean_only.as_ref(),
                    atmos_only: e.atmos_only.as_ref(),
                })
                .unwrap_or_else(|_| format!("[forcing]\n{:?}\n", e.forcing)),
            );
        }
        s
    }

    /// The model part of [`Self::physics_fingerprint`]: what a restart used as an initial
    /// state (`initial.from_restart`) must share with the experiment, whose forcing may differ.
    pub fn model_fingerprint(&self) -> String {
        toml::to_string(&self.model).unwrap_or_else(|_| format!("{:?}", self.model))
    }

    /// The resolved configuration as a TOML document with its provenance in comments:
    /// what is saved beside every output.
    pub fn to_toml(&self) -> String {
        let mut s = String::new();
        s.push_str("# Chronos resolved configuration\n");
        s.push_str(&format!(
            "# chronos version: {}\n",
            env!("CARGO_PKG_VERSION")
        ));
        s.push_str(&format!("# model file: {}\n", self.model_origin));
        if let Some(p) = &self.experiment_path {
            s.push_str(&format!("# experiment file: {}\n", p.display()));
        }
        if self.overrides.is_empty() {
            s.push_str("# overrides: none\n");
        }
        for o in &self.overrides {
            s.push_str(&format!("# {o}\n"));
        }
        s.push('\n');
        s.push_str(
            &toml::to_string_pretty(&self.model)
                .unwrap_or_else(|e| format!("# serialisation failed: {e}\n")),
        );
        if let Some(e) = &self.experiment {
            s.push_str("\n# experiment\n");
            let mut t = Table::new();
            if let Ok(Value::Table(x)) = Value::try_from(e) {
                t.extend(x);
            }
            s.push_str(&toml::to_string_pretty(&t).unwrap_or_default());
        }
        s
    }
}

#[cfg(test)]
mod tests;
