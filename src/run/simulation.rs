//! [`Simulation`]: the one run driver of every mode (coupled, atmosphere-only,
//! ocean-only).
//!
//! The driver owns what all modes share: the output folder and its lock, the start (cold,
//! from a branch restart, or resumed from the folder's newest valid restart, with the outputs
//! cut back to the restart's month), the `noleap` calendar, month and year ends, restarts (at
//! the start, every `output.restart_years` years, at the end and on SIGINT/SIGTERM), progress
//! lines and the wall-clock accounting. A [`Mode`] supplies the model: it advances one
//! interval, keeps its monthly sums on the device, writes its files at month and year ends,
//! checks for blow-ups, and lists its restart fields by name.
//!
//! # Resume
//! `chronos run` into a folder that holds restarts continues from the newest valid one
//! ([`super::restart::newest_valid`]: a truncated or corrupt restart is reported and the one
//! before used; a restart of other physics stops the run). The output files are cut back to
//! the start of the restart's month and continued, so a run stopped anywhere and resumed
//! gives the same files and state, bit for bit, as an uninterrupted one: the restart holds,
//! besides the state, the mode's partial monthly sums. A run whose newest restart is at its
//! end is finished and is not run again without `--force` (which starts over, deleting the
//! folder's restarts and output files).

use super::calendar::Date;
use super::restart::{self, Field, Restart};
use super::{io_err, length_days, RunError, RunOptions};
use crate::backend::BackendKind;
use crate::config::{ExperimentConfig, ResolvedConfig};
use crate::physics::constants::{SECONDS_PER_DAY, SECONDS_PER_YEAR};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A model the [`Simulation`] can run (module docs).
pub trait Mode {
    /// Length of one [`Mode::advance`] (s); a divisor of a day.
    fn interval(&self) -> f64;
    /// Time of the state (s since the start of the run).
    fn time(&self) -> f64;
    /// One line describing the set-up, for the start of the log.
    fn describe(&self) -> String;
    /// Advances one interval and adds it to the month's sums (`dir`: the run folder, whose
    /// last restart a blow-up error names).
    ///
    /// # Errors
    /// [`RunError::BlowUp`] when a check inside the interval fails.
    fn advance(&mut self, dir: &Path) -> Result<(), RunError>;
    /// Writes the month that started at `month_start` (s) and ends now; `complete` is false
    /// for the partial month at the end of a run, whose sums are kept for the end restart.
    /// Returns the month's line for the log (without speed and ETA).
    ///
    /// # Errors
    /// [`RunError::BlowUp`] for a month outside physical bounds; I/O errors.
    fn close_month(
        &mut self,
        dir: &Path,
        last: &Date,
        month_start: f64,
        complete: bool,
    ) -> Result<String, RunError>;
    /// The year `year` (or the run) is complete: close its yearly files and draw its
    /// quick-looks; returns the files made.
    ///
    /// # Errors
    /// I/O errors.
    fn close_year(&mut self, dir: &Path, year: u64) -> Result<Vec<PathBuf>, RunError>;
    /// The run stops (`complete`: at its end, otherwise on a signal): close every file and
    /// write the end products; returns the files made.
    ///
    /// # Errors
    /// I/O errors.
    fn finish(&mut self, dir: &Path, complete: bool) -> Result<Vec<PathBuf>, RunError>;
    /// The state and the partial monthly sums by name, and the counters (atmosphere steps,
    /// ocean steps, time in s) of a restart.
    fn restart_fields(&self) -> (Vec<Field>, [f64; 3]);
    /// Continues from a restart of this run (state and partial sums).
    ///
    /// # Errors
    /// [`RunError::Restart`] for a missing field or a field of another shape.
    fn resume(&mut self, r: &Restart) -> Result<(), RunError>;
    /// Starts from a restart of another experiment of the same model, its clock reset to 0.
    ///
    /// # Errors
    /// [`RunError::Config`] when the mode cannot start from a restart.
    fn branch(&mut self, r: &Restart) -> Result<(), RunError>;
    /// The output files of `dir` the mode writes (restarts and quick-looks aside).
    fn own_files(&self, dir: &Path) -> Vec<PathBuf>;
    /// Opens the output files: new ones, or (`resume = Some(until)`) the existing ones cut
    /// back to the records ending at or before `until` (days since 0001-01-01).
    ///
    /// # Errors
    /// I/O errors.
    fn open_outputs(&mut self, dir: &Path, resume: Option<f64>) -> Result<(), RunError>;
}

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
    /// Model steps, with the monthly sums added on the device.
    pub model: f64,
    /// Month ends: means to the host, files, global diagnostics, blow-up check, quick-looks,
    /// restarts.
    pub output: f64,
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Files written or continued.
    pub files: Vec<PathBuf>,
    /// Where the wall-clock time went.
    pub timing: Timing,
    /// `Some` when a signal stopped the run (a restart was written).
    pub interrupted: Option<Interrupted>,
}

/// The run driver of every mode (module docs).
pub struct Simulation<'a, M: Mode> {
    mode: M,
    dir: PathBuf,
    physics: String,
    end_time: f64,
    restart_every: u64,
    opts: &'a RunOptions,
    files: Vec<PathBuf>,
    restarts: Vec<PathBuf>,
    timing: Timing,
    _lock: std::fs::File,
}

/// The files of `dir` that `--force` removes besides the mode's own: restarts, quick-looks.
fn driver_files(dir: &Path) -> Vec<PathBuf> {
    super::files_where(dir, |n| {
        (n.starts_with("restart_") && n.ends_with(".nc"))
            || (n.starts_with("quicklook_") && n.ends_with(".png"))
    })
}

/// What a resumed run must share with the restart: the physics (with the mode's surface
/// settings), the backend (bitwise continuation), the experiment and its mode.
pub fn fingerprint(cfg: &ResolvedConfig, exp: &ExperimentConfig, kind: BackendKind) -> String {
    format!(
        "{}\n[run]\nexperiment = \"{}\"\nmode = \"{}\"\nbackend = \"{}\"\n",
        cfg.physics_fingerprint(),
        exp.experiment.name,
        exp.experiment.mode.as_str(),
        kind.name()
    )
}

impl<'a, M: Mode> Simulation<'a, M> {
    /// Takes the output folder for `mode` (only once the model is built and every input
    /// read, so bad input never touches it): starts over (`--force`), resumes from the
    /// newest valid restart, starts from the branch restart `branch`, or cold.
    ///
    /// # Errors
    /// [`RunError`] for a finished run, another run holding the folder, output without a
    /// restart, a restart of other physics, or I/O failures.
    pub fn start(
        mut mode: M,
        cfg: &ResolvedConfig,
        opts: &'a RunOptions,
        kind: BackendKind,
        branch: Option<(PathBuf, Restart)>,
    ) -> Result<Self, RunError> {
        let exp = cfg.experiment.as_ref().ok_or(RunError::NoExperiment)?;
        let days = length_days(opts.length.unwrap_or(exp.run.length()?));
        let end_time = days as f64 * SECONDS_PER_DAY;
        if (SECONDS_PER_DAY / mode.interval()).fract() != 0.0 {
            return Err(RunError::Config(format!(
                "the run interval of {} s does not divide a day; the run driver closes months at midnight: use a divisor of 86400 s (e.g. coupling.interval = 3600)",
                mode.interval()
            )));
        }
        let physics = fingerprint(cfg, exp, kind);
        let dir = opts.out.clone();
        super::create_output_folder(&dir)?;
        let lock = lock_folder(&dir)?;
        let owned = |mode: &M| {
            let mut v = mode.own_files(&dir);
            v.extend(driver_files(&dir));
            v
        };
        if opts.force {
            for p in owned(&mode) {
                std::fs::remove_file(&p).map_err(io_err(&p))?;
            }
        }
        let search = restart::newest_valid(&dir, &physics)?;
        for e in &search.skipped {
            eprintln!("warning: {e}; using an older restart");
        }
        let origin = match search.found {
            Some((path, r)) => {
                if r.time >= end_time - 0.5 {
                    return Err(RunError::Finished {
                        dir: dir.clone(),
                        date: Date::of_seconds(r.time).to_string(),
                    });
                }
                mode.resume(&r)?;
                let until = Date::of_seconds(r.time).month_start() / SECONDS_PER_DAY;
                mode.open_outputs(&dir, Some(until))?;
                format!("resumed from {}", path.display())
            }
            None => {
                if let Some(p) = owned(&mode).first() {
                    return Err(if search.skipped.is_empty() {
                        RunError::OutputExists(p.clone())
                    } else {
                        RunError::Config(format!(
                            "{} holds output but no usable restart (every restart is corrupt, see the warnings above); pass --force to start the run over, or choose another folder with --out",
                            dir.display()
                        ))
                    });
                }
                let origin = match &branch {
                    Some((p, r)) => {
                        mode.branch(r)?;
                        format!("initial state from {}", p.display())
                    }
                    None => "cold start".to_string(),
                };
                mode.open_outputs(&dir, None)?;
                origin
            }
        };
        super::write_config(cfg, kind, &dir)?;
        eprintln!(
            "{}; {origin} at {} to day {days} ({} years); output in {}",
            mode.describe(),
            Date::of_seconds(mode.time()),
            days as f64 / 365.0,
            dir.display()
        );
        let mut sim = Simulation {
            mode,
            files: vec![dir.join("config.toml")],
            dir,
            physics,
            end_time,
            restart_every: exp.output.restart_years,
            opts,
            restarts: Vec::new(),
            timing: Timing::default(),
            _lock: lock,
        };
        if origin.starts_with("resumed") {
            return Ok(sim);
        }
        // The initial restart: every run can be continued or re-run from its start.
        sim.write_restart()?;
        Ok(sim)
    }

    /// Writes a restart of the current state and partial sums; returns its path.
    ///
    /// # Errors
    /// [`RunError::Restart`] when it cannot be written.
    pub fn write_restart(&mut self) -> Result<PathBuf, RunError> {
        let p = restart_path(&self.dir, self.mode.time());
        let (fields, counters) = self.mode.restart_fields();
        restart::write_fields(&p, &fields, counters, &self.physics)?;
        self.restarts.push(p.clone());
        Ok(p)
    }

    /// Runs to the end (or to a signal).
    ///
    /// # Errors
    /// Any [`RunError`] of the mode or the files; the restarts before it are kept.
    pub fn run(mut self) -> Result<Summary, RunError> {
        let tty = std::io::stderr().is_terminal();
        let t0 = Instant::now();
        let mut t_month = Instant::now();
        let run_start = self.mode.time();
        // Off a terminal (batch logs): a progress line every CHRONOS_LOG_SECONDS (default 60) s.
        let log_every: f64 = std::env::var("CHRONOS_LOG_SECONDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60.0);
        let mut last_log = Instant::now();
        let interval = self.mode.interval();
        let end_time = self.end_time;
        let progress = move |time: f64| {
            let done = (time - run_start) / (end_time - run_start);
            let elapsed = t0.elapsed().as_secs_f64();
            (done, eta(elapsed * (1.0 / done.max(1e-12) - 1.0)))
        };
        while self.mode.time() < self.end_time - 0.5 {
            let t_a = Instant::now();
            self.mode.advance(&self.dir)?;
            self.timing.model += t_a.elapsed().as_secs_f64();
            let time = self.mode.time();
            let now = Date::of_seconds(time);
            let month_end = now.day == 1 && now.second == 0;
            let run_end = time >= self.end_time - 0.5;
            if month_end || run_end {
                let t_out = Instant::now();
                let last = Date::of_seconds(time - interval);
                let month_start = last.month_start();
                let line = self
                    .mode
                    .close_month(&self.dir, &last, month_start, month_end)?;
                let month_secs = t_month.elapsed().as_secs_f64();
                t_month = Instant::now();
                let simulated = time - month_start.max(run_start);
                let sypd = (simulated / SECONDS_PER_YEAR) / (month_secs / SECONDS_PER_DAY);
                let (done, eta) = progress(time);
                if tty {
                    eprint!("\r\x1b[K");
                }
                println!(
                    "{line} | {sypd:.0} SYPD, {:.0}% done, ETA {eta}",
                    100.0 * done
                );
                if last.month == 12 || run_end {
                    let mut made = self.mode.close_year(&self.dir, last.year)?;
                    self.files.append(&mut made);
                }
                let year_done = now.month == 1 && now.day == 1 && now.second == 0;
                if run_end || (year_done && (now.year - 1).is_multiple_of(self.restart_every)) {
                    self.write_restart()?;
                }
                self.timing.output += t_out.elapsed().as_secs_f64();
            } else if (tty && now.second == 0)
                || (!tty && last_log.elapsed().as_secs_f64() >= log_every)
            {
                let (done, eta) = progress(time);
                let elapsed = t0.elapsed().as_secs_f64();
                let sypd = ((time - run_start) / SECONDS_PER_YEAR) / (elapsed / SECONDS_PER_DAY);
                let line = format!(
                    "progress {now}  {sypd:.0} SYPD  {:.1}% done  ETA {eta}",
                    100.0 * done
                );
                if tty {
                    eprint!("\r\x1b[K{line}");
                    let _ = std::io::stderr().flush();
                } else {
                    eprintln!("{line}");
                    last_log = Instant::now();
                }
            }
            if let Some(signal) = self.stop_requested() {
                return self.interrupted(signal);
            }
        }
        if tty {
            eprintln!();
        }
        let mut made = self.mode.finish(&self.dir, true)?;
        self.files.append(&mut made);
        Ok(self.summary(None))
    }

    /// The signal of a stop asked by SIGINT / SIGTERM before the end.
    fn stop_requested(&self) -> Option<i32> {
        let stop = self.opts.stop.as_ref()?;
        let sig = stop.load(std::sync::atomic::Ordering::SeqCst);
        (sig != 0 && self.mode.time() < self.end_time - 0.5).then_some(sig as i32)
    }

    /// Writes a restart with the partial sums and closes the files.
    fn interrupted(mut self, signal: i32) -> Result<Summary, RunError> {
        let p = self.write_restart()?;
        let mut made = self.mode.finish(&self.dir, false)?;
        self.files.append(&mut made);
        let date = Date::of_seconds(self.mode.time());
        Ok(self.summary(Some(Interrupted {
            signal,
            restart: p,
            date,
        })))
    }

    fn summary(mut self, interrupted: Option<Interrupted>) -> Summary {
        let t = self.timing;
        let total = t.model + t.output;
        eprintln!(
            "wall time: model {:.1} s, output, diagnostics and restarts {:.1} s ({:.1}%)",
            t.model,
            t.output,
            100.0 * t.output / total.max(1e-12)
        );
        self.files.append(&mut self.restarts);
        self.files.sort();
        self.files.dedup();
        Summary {
            files: self.files,
            timing: t,
            interrupted,
        }
    }
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

/// The restart `initial.from_restart` of experiment `exp` names, read and checked before the
/// output folder is touched: a yearly restart of the same model, outside the folder that
/// `--force` would empty. `None` for a cold start.
///
/// # Errors
/// [`RunError::Config`] naming the problem and the fix.
pub fn read_branch(
    cfg: &ResolvedConfig,
    exp: &ExperimentConfig,
    opts: &RunOptions,
) -> Result<Option<(PathBuf, Restart)>, RunError> {
    let Some(from) = &exp.initial.from_restart else {
        return Ok(None);
    };
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
        .zip(std::fs::canonicalize(&opts.out).ok())
        .is_some_and(|(f, d)| f.starts_with(d));
    if inside && opts.force {
        return Err(RunError::Config(format!(
            "initial.from_restart = {} lies in the output folder {}, which --force would empty; copy it elsewhere or choose another --out",
            p.display(),
            opts.out.display()
        )));
    }
    Ok(Some((p, r)))
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

/// `3h05m` / `12m` / `40s`.
pub fn eta(seconds: f64) -> String {
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
pub fn restart_path(dir: &Path, t: f64) -> PathBuf {
    dir.join(format!("restart_{}.nc", Date::of_seconds(t).label()))
}
