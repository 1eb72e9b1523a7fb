//! Running experiments: the drivers behind `chronos run`.
//!
//! One driver, [`simulation::Simulation`], runs every mode: the coupled model ([`coupled`]),
//! the atmosphere-only modes ([`atmos_only`]) and the ocean-only mode ([`ocean_only`]), each a
//! [`simulation::Mode`]; with the `noleap` calendar ([`calendar`]), files of monthly means
//! ([`output`]), restarts and resume ([`restart`]) and quick-look plots ([`quicklook`]).

pub mod atmos_only;
pub mod blowup;
pub mod calendar;
pub mod coupled;
pub mod ocean_only;
pub mod output;
pub mod quicklook;
pub mod restart;
pub mod simulation;
pub mod sums;

use crate::backend::BackendKind;
use crate::config::{ConfigError, ResolvedConfig, RunLength};
use std::path::{Path, PathBuf};

/// CO₂ (ppm) and the orbit of model day `day` (days since the run's start) from the
/// experiment's `[forcing]` tables, which are given by model year (day / 365).
///
/// # Errors
/// [`RunError::Config`] when the orbit table cannot be evaluated.
pub fn forcing_of_day(
    f: &crate::config::ForcingSettings,
    day: u64,
) -> Result<(f64, crate::forcing::orbit::Orbit), RunError> {
    let y = day as f64 / 365.0;
    let orbit = f.orbit.at(y).map_err(|e| RunError::Config(e.to_string()))?;
    Ok((f.co2.at(y), orbit))
}

/// Days of each month of the `noleap` calendar.
pub const MONTH_DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// Days of a run length in the `noleap` calendar (months counted from January).
pub fn length_days(len: RunLength) -> u64 {
    match len {
        RunLength::Days(n) => n,
        RunLength::Months(n) => (0..n)
            .map(|m| u64::from(MONTH_DAYS[(m % 12) as usize]))
            .sum(),
        RunLength::Years(n) => 365 * n,
    }
}

/// What the command line adds to an experiment.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output folder.
    pub out: PathBuf,
    /// Run length overriding the experiment's `[run]`.
    pub length: Option<RunLength>,
    /// Overwrite existing output files (the run starts over, deleting the folder's restarts
    /// and output files).
    pub force: bool,
    /// Set to a signal number (SIGINT, SIGTERM) to ask a run (any mode) to write a restart
    /// and stop at the end of the current interval.
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,
}

/// Errors of a run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// `chronos run` needs an experiment file.
    #[error(
        "chronos run needs an experiment file, e.g. `chronos run experiments/ocean_only.toml`"
    )]
    NoExperiment,
    /// A configuration problem.
    #[error("{0}")]
    Config(String),
    /// Invalid configuration values.
    #[error(transparent)]
    Invalid(#[from] ConfigError),
    /// Output files exist.
    #[error("{} exists; choose another folder with --out DIR, or pass --force to overwrite it", .0.display())]
    OutputExists(PathBuf),
    /// The run in the folder is complete.
    #[error("the run in {} is finished (its newest restart is at {date}, the end of the requested length); ask for a longer run to continue it (e.g. --years N with N larger), choose another folder with --out, or pass --force to run it again from the start (deletes its restarts and output)", dir.display())]
    Finished {
        /// The run folder.
        dir: PathBuf,
        /// The date of its last restart.
        date: String,
    },
    /// The model state left physical bounds.
    #[error("{0}")]
    BlowUp(String),
    /// Boundary data could not be read.
    #[error(transparent)]
    Data(#[from] crate::forcing::BoundaryError),
    /// NetCDF input or output failed.
    #[error(transparent)]
    Cf(#[from] crate::io::CfError),
    /// The ocean could not be built.
    #[error(transparent)]
    Ocean(#[from] crate::ocean::OceanModelError),
    /// A restart could not be written or read.
    #[error(transparent)]
    Restart(#[from] restart::RestartError),
    /// The output folder could not be created.
    #[error(
        "cannot create the output folder {}: {source}; choose a folder you can write to with \
         --out DIR (its parent must exist or be creatable)",
        path.display()
    )]
    OutputFolder {
        /// The folder.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// A file system operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
}

/// The files of `dir` whose names `keep` accepts (none when `dir` cannot be read).
pub(crate) fn files_where(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| keep(p.file_name().and_then(|n| n.to_str()).unwrap_or_default()))
        .collect()
}

/// The [`RunError::Io`] of a file operation on `path`, for `map_err`.
pub(crate) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// On resume from a restart at `resume` (days since 0001-01-01), removes the quick-looks of
/// its year and later ([`quicklook::remove_from`]): the resumed run remakes those it reaches.
///
/// # Errors
/// [`RunError::Io`] when a file cannot be removed.
pub(crate) fn remove_stale_quicklooks(dir: &Path, resume: Option<f64>) -> Result<(), RunError> {
    let Some(until) = resume else {
        return Ok(());
    };
    let year = calendar::Date::of_seconds(until * crate::physics::constants::SECONDS_PER_DAY).year;
    quicklook::remove_from(dir, year).map_err(io_err(dir))?;
    Ok(())
}

/// Creates the output folder `out` (and its parents).
///
/// # Errors
/// [`RunError::OutputFolder`], naming the folder and what to do.
pub fn create_output_folder(out: &Path) -> Result<(), RunError> {
    std::fs::create_dir_all(out).map_err(|source| RunError::OutputFolder {
        path: out.to_path_buf(),
        source,
    })
}

/// Writes `config.toml` (resolved configuration, overrides, backend and version) into `out`
/// atomically (temporary file, then rename).
///
/// # Errors
/// [`RunError::Io`] when the file cannot be written.
pub fn write_config(cfg: &ResolvedConfig, kind: BackendKind, out: &Path) -> Result<(), RunError> {
    let text = format!(
        "# written by chronos {} (backend {})\n{}",
        env!("CARGO_PKG_VERSION"),
        kind.name(),
        cfg.to_toml()
    );
    let path = out.join("config.toml");
    let tmp = out.join(".config.toml.tmp");
    std::fs::write(&tmp, text).map_err(|source| RunError::Io {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, &path).map_err(|source| RunError::Io { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::experiment::{Co2Setting, ForcingSettings};

    /// The forcing tables are read by model year: a CO₂ ramp from 280 ppm at year 0 to 560
    /// ppm at year 2 gives 420 ppm on day 365; a constant stays constant.
    #[test]
    fn forcing_of_day_follows_the_tables_by_model_year() {
        let mut f = ForcingSettings {
            co2: Co2Setting::Table(vec![[0.0, 280.0], [2.0, 560.0]]),
            ..Default::default()
        };
        assert_eq!(forcing_of_day(&f, 0).unwrap().0, 280.0);
        assert!((forcing_of_day(&f, 365).unwrap().0 - 420.0).abs() < 1e-9);
        f.co2 = Co2Setting::Constant(284.3);
        assert_eq!(forcing_of_day(&f, 1000).unwrap().0, 284.3);
    }
}
