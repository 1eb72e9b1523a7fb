//! Restart files of every run mode: everything the next interval needs, at full precision,
//! written atomically and checked when read.
//!
//! A coupled restart is a NetCDF-4 file holding every tensor of [`CoupledState`] (both atmosphere
//! time levels, every ocean field including the Adams–Bashforth memory, the Kahan
//! compensations and the streamfunction's warm start, sea ice, land, the pending frazil
//! and the implicit-coupling corrections, the freshwater the ocean received) as `f64`
//! variables with their own dimensions, the step counters and the clock as global
//! attributes, any extra arrays the run driver adds (its partial monthly sums), and:
//!
//! - `restart_format` (`chronos-restart-1`) and the program version;
//! - `physics`: the resolved physics the state belongs to (text; the caller's fingerprint,
//!   e.g. the model file and the experiment's forcing after all overrides). A restart is
//!   refused when the run that would continue it has other physics;
//! - `checksum`: FNV-1a (64 bit) over every variable's name, shape and the bits of its
//!   values, the counters and the physics text, so a corrupt file is detected even where
//!   the NetCDF library reads it.
//!
//! Each variable carries the `long_name` and `units` of its entry in the variable tables
//! ([`describe`]). The atmosphere-only and ocean-only modes write their own states the same
//! way ([`write_fields`]).
//!
//! **Atomic:** the file is written as `.<name>.tmp` beside the target, flushed to disk, and
//! renamed (the folder is flushed too; a failed write removes the temporary file): a crash leaves either the old set of restarts or the new one, never a partial
//! file under a restart's name. `f32` backends round-trip exactly through `f64`.
//!
//! # References
//! Fowler, Noll & Vo, FNV hash (IETF draft-eastlake-fnv, 64-bit FNV-1a constants).

use crate::backend::tensor_from_vec;
use crate::io::fields::{Collect, FieldVisitor};
use crate::io::CfReader;
use crate::model::CoupledState;
use burn_tensor::{backend::Backend, Tensor};
use std::path::{Path, PathBuf};

/// The value of the `restart_format` attribute this version writes and reads.
pub const RESTART_FORMAT: &str = "chronos-restart-1";

pub use crate::io::fields::Field;

/// Errors reading or writing restarts.
#[derive(Debug, thiserror::Error)]
pub enum RestartError {
    /// A file system or NetCDF failure.
    #[error("restart '{}': {detail}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The file is not a complete, intact restart.
    #[error("restart '{}' is corrupt or truncated ({detail}); it cannot be used — delete or move it", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The restart belongs to a run with other physics.
    #[error("restart '{}' was written with other physics than this run resolves to (first difference: restart has `{restart}`, this run has `{run}`); continue it with the same model file, experiment and --set options, or start a new run in another folder (--out)", path.display())]
    PhysicsChanged {
        /// The file.
        path: PathBuf,
        /// The first differing line in the restart.
        restart: String,
        /// The same line of this run.
        run: String,
    },
}

/// 64-bit FNV-1a over the fields' names, shapes and value bits, the counters' bits and the
/// physics text.
pub fn checksum(fields: &[Field], counters: [f64; 3], physics: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    };
    for f in fields {
        eat(f.name.as_bytes());
        for d in &f.shape {
            eat(&(*d as u64).to_le_bytes());
        }
        for v in &f.values {
            eat(&v.to_bits().to_le_bytes());
        }
    }
    for c in counters {
        eat(&c.to_bits().to_le_bytes());
    }
    eat(physics.as_bytes());
    h
}

/// The fields of a coupled state (by name, from [`CoupledState::visit`]) and its counters
/// (atmosphere steps, ocean steps, time in s).
pub fn state_fields<B: Backend>(s: &CoupledState<B>) -> (Vec<Field>, [f64; 3]) {
    let mut c = Collect::default();
    s.clone().visit(&mut c);
    (c.0, [s.atmos.step as f64, s.ocean.steps as f64, s.time])
}

/// Replaces every visited tensor by the restart's field of the same name (shape checked).
pub struct Restore<'r> {
    restart: &'r Restart,
    error: Option<RestartError>,
}

impl<B: Backend> FieldVisitor<B> for Restore<'_> {
    fn visit<const D: usize>(&mut self, name: &str, t: &mut Tensor<B, D>) {
        if self.error.is_some() {
            return;
        }
        match self.restart.field(name) {
            Ok(f) if f.shape == t.dims() => {
                *t = tensor_from_vec(f.values.clone(), t.dims(), &t.device());
            }
            Ok(f) => {
                self.error = Some(RestartError::Corrupt {
                    path: self.restart.path.clone(),
                    detail: format!(
                        "field `{name}` has shape {:?}, the model needs {:?}",
                        f.shape,
                        t.dims()
                    ),
                })
            }
            Err(e) => self.error = Some(e),
        }
    }
}

fn io_err(path: &Path) -> impl Fn(String) -> RestartError + '_ {
    move |detail| RestartError::Io {
        path: path.into(),
        detail,
    }
}

/// Writes `state` (plus the driver's `extra` fields) to `path` atomically, labelled with the
/// run's `physics` (module docs).
///
/// # Errors
/// [`RestartError::Io`] when the file cannot be written or renamed.
pub fn write<B: Backend>(
    path: &Path,
    state: &CoupledState<B>,
    extra: &[Field],
    physics: &str,
) -> Result<(), RestartError> {
    let (mut fields, counters) = state_fields(state);
    fields.extend(extra.iter().cloned());
    write_fields(path, &fields, counters, physics)
}

/// Writes `fields` with `counters` (atmosphere steps, ocean steps, time in s) to `path`
/// atomically (a temporary file flushed to disk, then renamed), labelled with `physics`.
///
/// # Errors
/// [`RestartError::Io`] when the file cannot be written or renamed.
pub fn write_fields(
    path: &Path,
    fields: &[Field],
    counters: [f64; 3],
    physics: &str,
) -> Result<(), RestartError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "restart.nc".into());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let result = write_file(&tmp, fields, counters, physics).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| io_err(path)(e.to_string()))?;
        // The rename itself reaches the disk with the folder's metadata.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io_err(dir)(e.to_string()))?;
        }
        Ok(())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes the restart file `tmp` and flushes it to disk.
fn write_file(
    tmp: &Path,
    fields: &[Field],
    counters: [f64; 3],
    physics: &str,
) -> Result<(), RestartError> {
    let err = io_err(tmp);
    {
        let mut file = netcdf::create(tmp).map_err(|e| err(e.to_string()))?;
        let attrs: [(&str, netcdf::AttributeValue); 8] = [
            ("restart_format", RESTART_FORMAT.into()),
            ("chronos_version", env!("CARGO_PKG_VERSION").into()),
            ("physics", physics.into()),
            ("atmosphere_steps", counters[0].into()),
            ("ocean_steps", counters[1].into()),
            ("time_seconds", counters[2].into()),
            (
                "checksum",
                format!("{:016x}", checksum(fields, counters, physics)).into(),
            ),
            (
                "fields",
                fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
                    .into(),
            ),
        ];
        for (k, v) in attrs {
            file.add_attribute(k, v).map_err(|e| err(e.to_string()))?;
        }
        for f in fields {
            let dims: Vec<String> = (0..f.shape.len())
                .map(|d| format!("{}_d{d}", f.name))
                .collect();
            for (d, n) in dims.iter().zip(&f.shape) {
                file.add_dimension(d, *n).map_err(|e| err(e.to_string()))?;
            }
            let refs: Vec<&str> = dims.iter().map(String::as_str).collect();
            let mut var = file
                .add_variable::<f64>(&f.name, &refs)
                .map_err(|e| err(e.to_string()))?;
            var.put_values(&f.values, (vec![0; f.shape.len()], f.shape.clone()))
                .map_err(|e| err(e.to_string()))?;
            if let Some((long_name, units)) = describe(&f.name) {
                var.put_attribute("long_name", long_name)
                    .map_err(|e| err(e.to_string()))?;
                var.put_attribute("units", units)
                    .map_err(|e| err(e.to_string()))?;
            }
        }
        file.close().map_err(|e| err(e.to_string()))?;
    }
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| err(e.to_string()))
}

/// The `long_name` and `units` of a restart field: a state field's entry in its component's
/// variable table ([`crate::coupler::variables::restart_spec`]), a partial monthly sum
/// (`sum_<name>`, the table's entry of `<name>`), or one of the drivers' month-start records;
/// `None` for a field no table describes.
pub fn describe(name: &str) -> Option<(String, &'static str)> {
    use crate::coupler::variables::{all, restart_spec};
    if let Some(v) = restart_spec(name) {
        return Some((v.long_name.to_string(), v.units));
    }
    let driver = match name {
        "sum_spectral" => Some((
            "partial monthly sum of the spectral atmosphere state (one sample per step or interval)",
            "1",
        )),
        "month_stores" => Some((
            "total energy (J), water (kg) and salt (g) of the coupled model at the start of the month",
            "1",
        )),
        "month_budget" => Some((
            "global-mean column energy (J m-2) and water (kg m-2) at the start of the month",
            "1",
        )),
        "month_samples" => Some((
            "samples in the partial month (atmosphere steps, or days of an ocean-only run)",
            "1",
        )),
        "month_sums" => Some((
            "partial monthly sums of the ocean-only run's global series, in its file's order",
            "1",
        )),
        _ => None,
    };
    if let Some((l, u)) = driver {
        return Some((l.to_string(), u));
    }
    let base = name.strip_prefix("sum_")?;
    let v = all().find(|v| v.monthly && v.name == base)?;
    Some((
        format!(
            "partial monthly sum of {} (one sample per step or interval)",
            v.long_name
        ),
        v.units,
    ))
}

/// The stored fingerprint of a restart as the run `physics` compares it. A restart written
/// before the fingerprint named the mode (2026-12-07, issue 18) is taken to be of the reading
/// run's mode: its `[run]` table gains that run's `mode = …` line after `experiment = …`.
/// Coupled restarts of that time resume; atmosphere- and ocean-only ones still differ by their
/// `[atmos_only]`/`[ocean_only]` table, which is then the difference named.
fn with_mode_of(stored: &str, physics: &str) -> String {
    let is_mode = |l: &&str| l.starts_with("mode = ");
    let (Some(mode), false) = (
        physics.lines().find(is_mode),
        stored.lines().any(|l| is_mode(&l)),
    ) else {
        return stored.to_string();
    };
    let mut lines: Vec<&str> = stored.lines().collect();
    let Some(at) = lines.iter().rposition(|l| l.starts_with("experiment = ")) else {
        return stored.to_string();
    };
    lines.insert(at + 1, mode);
    let mut out = lines.join("\n");
    if stored.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A restart read back: its fields (state and extra, by name), counters and physics.
#[derive(Debug, Clone)]
pub struct Restart {
    /// Every field in the file, in file order.
    pub fields: Vec<Field>,
    /// Atmosphere steps taken.
    pub atmosphere_steps: usize,
    /// Ocean steps taken.
    pub ocean_steps: u64,
    /// Time of the state (s since the start of the run).
    pub time: f64,
    /// The physics the state belongs to.
    pub physics: String,
    /// The file it was read from.
    pub path: PathBuf,
}

impl Restart {
    /// Reads and verifies `path` (format, completeness, checksum) and checks that it was
    /// written with `physics`.
    ///
    /// # Errors
    /// [`RestartError::Corrupt`] for an unreadable, truncated or altered file,
    /// [`RestartError::PhysicsChanged`] for other physics.
    pub fn read(path: &Path, physics: &str) -> Result<Self, RestartError> {
        Self::read_checked(path, physics, false)
    }

    /// Reads and verifies `path` like [`Self::read`], but asks only that its model physics
    /// ([`crate::config::ResolvedConfig::model_fingerprint`]) is `model` apart from the time
    /// steps (`dt`): a restart used as the initial state of another experiment, whose forcing
    /// and time steps may differ.
    ///
    /// # Errors
    /// As [`Self::read`].
    pub fn read_branch(path: &Path, model: &str) -> Result<Self, RestartError> {
        Self::read_checked(path, model, true)
    }

    fn read_checked(path: &Path, physics: &str, prefix: bool) -> Result<Self, RestartError> {
        let corrupt = |detail: String| RestartError::Corrupt {
            path: path.into(),
            detail,
        };
        let r = CfReader::open(path).map_err(|e| corrupt(e.to_string()))?;
        match r.attr_string(None, "restart_format").as_deref() {
            Some(RESTART_FORMAT) => {}
            other => {
                return Err(corrupt(format!(
                    "restart_format is {other:?}, expected {RESTART_FORMAT}"
                )))
            }
        }
        let text = |k: &str| {
            r.attr_string(None, k)
                .ok_or_else(|| corrupt(format!("no `{k}` attribute")))
        };
        let num = |k: &str| {
            r.attr_f64(None, k)
                .ok_or_else(|| corrupt(format!("no `{k}` attribute")))
        };
        let names = text("fields")?;
        let mut fields = Vec::new();
        for name in names.split_whitespace() {
            let (values, shape) = r.read(name).map_err(|e| corrupt(e.to_string()))?;
            fields.push(Field {
                name: name.into(),
                shape,
                values,
            });
        }
        let counters = [
            num("atmosphere_steps")?,
            num("ocean_steps")?,
            num("time_seconds")?,
        ];
        let stored = text("physics")?;
        let want = text("checksum")?;
        let got = format!("{:016x}", checksum(&fields, counters, &stored));
        if got != want {
            return Err(corrupt(format!("checksum {got}, recorded {want}")));
        }
        // A branch may change the time steps (e.g. to go on past a blow-up) and the forcing.
        let no_dt = |t: &str| -> String {
            t.lines()
                .filter(|l| !l.trim_start().starts_with("dt ="))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let same = if prefix {
            let n = physics.lines().count();
            let head: String = stored.lines().take(n).collect::<Vec<_>>().join("\n");
            no_dt(&head) == no_dt(physics)
        } else {
            with_mode_of(&stored, physics) == physics
        };
        if !same {
            let stored_part = if prefix {
                stored
                    .lines()
                    .take(physics.lines().count())
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                with_mode_of(&stored, physics)
            };
            let (a, b): (Vec<&str>, Vec<&str>) =
                (stored_part.lines().collect(), physics.lines().collect());
            let k = (0..a.len().max(b.len()))
                .find(|&k| a.get(k) != b.get(k))
                .unwrap_or(0);
            let line = |v: &Vec<&str>| {
                v.get(k)
                    .map_or("(no such line)".to_string(), |l| l.trim().to_string())
            };
            return Err(RestartError::PhysicsChanged {
                path: path.into(),
                restart: line(&a),
                run: line(&b),
            });
        }
        Ok(Restart {
            fields,
            atmosphere_steps: counters[0] as usize,
            ocean_steps: counters[1] as u64,
            time: counters[2],
            physics: stored,
            path: path.into(),
        })
    }

    /// The field `name`.
    ///
    /// # Errors
    /// [`RestartError::Corrupt`] when it is missing.
    pub fn field(&self, name: &str) -> Result<&Field, RestartError> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| RestartError::Corrupt {
                path: self.path.clone(),
                detail: format!("no field `{name}`"),
            })
    }

    /// A state like `like` with every tensor that `visit` names replaced by the restart's
    /// field of that name.
    ///
    /// # Errors
    /// [`RestartError::Corrupt`] when a field is missing or has another shape.
    pub fn restore<S: Clone>(
        &self,
        like: &S,
        visit: impl FnOnce(&mut S, &mut Restore<'_>),
    ) -> Result<S, RestartError> {
        let mut s = like.clone();
        let mut r = Restore {
            restart: self,
            error: None,
        };
        visit(&mut s, &mut r);
        match r.error {
            Some(e) => Err(e),
            None => Ok(s),
        }
    }

    /// The coupled state, with `like` (e.g. the run's initial state) giving every field's
    /// expected shape; fields are read by name ([`CoupledState::visit`]).
    ///
    /// # Errors
    /// [`RestartError::Corrupt`] when a field is missing or has another shape.
    pub fn state<B: Backend>(
        &self,
        like: &CoupledState<B>,
    ) -> Result<CoupledState<B>, RestartError> {
        let mut s = self.restore(like, |s, v| s.visit(v))?;
        s.atmos.step = self.atmosphere_steps;
        s.ocean.steps = self.ocean_steps;
        s.time = self.time;
        Ok(s)
    }
}

/// The restart files `restart_*.nc` in `dir`, newest first (names sort by the date they
/// hold).
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("restart_") && n.ends_with(".nc"))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v.reverse();
    v
}

/// The newest restart in `dir` that reads intact with `physics`, and the problems met with
/// newer ones (corrupt or truncated files are skipped — the caller reports them and uses
/// the older restart found; a physics mismatch stops the search, since every older restart
/// of the folder belongs to the same run).
///
/// # Errors
/// [`RestartError::PhysicsChanged`] when the newest intact restart has other physics.
pub fn newest_valid(dir: &Path, physics: &str) -> Result<Search, RestartError> {
    let mut skipped = Vec::new();
    for p in list(dir) {
        match Restart::read(&p, physics) {
            Ok(r) => {
                return Ok(Search {
                    found: Some((p, r)),
                    skipped,
                })
            }
            Err(e @ RestartError::PhysicsChanged { .. }) => return Err(e),
            Err(e) => skipped.push(e),
        }
    }
    Ok(Search {
        found: None,
        skipped,
    })
}

/// The result of [`newest_valid`].
#[derive(Debug)]
pub struct Search {
    /// The newest intact restart and its path, if any.
    pub found: Option<(PathBuf, Restart)>,
    /// The newer files that were skipped, with why.
    pub skipped: Vec<RestartError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fingerprint without a mode line takes the reading run's; one with a mode line, or
    /// read by a run whose fingerprint has none, is compared as it is.
    #[test]
    fn legacy_fingerprints_take_the_mode_of_the_reading_run() {
        let old =
            "[model]\nname = \"t31\"\n\n[run]\nexperiment = \"control\"\nbackend = \"cpu64\"\n";
        let run = "[model]\nname = \"t31\"\n\n[run]\nexperiment = \"control\"\nmode = \"coupled\"\nbackend = \"cpu64\"\n";
        assert_eq!(with_mode_of(old, run), run);
        let other = run.replace("coupled", "atmos_only");
        assert_eq!(with_mode_of(&other, run), other, "a recorded mode is kept");
        assert_eq!(with_mode_of(old, old), old);
    }
}
