//! The runs' NetCDF output: in the coupled mode one CF-1.8 file of monthly means per
//! component and year (`atmos_YYYY.nc`, `ocean_YYYY.nc`, `land_YYYY.nc`, `seaice_YYYY.nc`) and
//! the monthly global time series `global.nc`; in the atmosphere-only and ocean-only modes one
//! file of monthly maps or series each ([`Kind`]). The variables of a file are the output
//! entries of its component's table ([`crate::coupler::variables`]).
//!
//! Every file is written by the same calls — [`create`], then per month
//! [`CfWriter::append_record`] and [`CfWriter::sync`] — whether it is written by a run or
//! rebuilt on resume ([`rebuild`]: the records up to the restart's time are copied into a new
//! file). A resumed run therefore writes files byte for byte equal to those of an
//! uninterrupted one.

use crate::io::{Axis, CfError, CfReader, CfWriter, Storage, VarSpec};
use std::path::{Path, PathBuf};

/// A kind of output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `atmos_YYYY.nc`.
    Atmos,
    /// `ocean_YYYY.nc`.
    Ocean,
    /// `land_YYYY.nc`.
    Land,
    /// `seaice_YYYY.nc`.
    SeaIce,
    /// `global.nc`.
    Global,
    /// `atmos_monthly.nc` of an atmosphere-only run.
    AtmosMonthly,
    /// `atmos_global.nc` of an atmosphere-only run.
    AtmosGlobal,
    /// `ocean_diagnostics.nc` of an ocean-only run.
    OceanDiagnostics,
}

/// The per-year components, in file order.
pub const COMPONENTS: [Kind; 4] = [Kind::Atmos, Kind::Ocean, Kind::Land, Kind::SeaIce];

impl Kind {
    /// The file's name stem.
    pub fn stem(self) -> &'static str {
        match self {
            Kind::Atmos => "atmos",
            Kind::Ocean => "ocean",
            Kind::Land => "land",
            Kind::SeaIce => "seaice",
            Kind::Global => "global",
            Kind::AtmosMonthly => "atmos_monthly",
            Kind::AtmosGlobal => "atmos_global",
            Kind::OceanDiagnostics => "ocean_diagnostics",
        }
    }

    /// The file of year `year` (one file for the whole run for [`Kind::Global`] and the
    /// atmosphere-only and ocean-only kinds).
    pub fn path(self, dir: &Path, year: u64) -> PathBuf {
        match self {
            Kind::Atmos | Kind::Ocean | Kind::Land | Kind::SeaIce => {
                dir.join(format!("{}_{year:04}.nc", self.stem()))
            }
            k => dir.join(format!("{}.nc", k.stem())),
        }
    }
}

/// What a file needs to be created: axes, variables, title.
#[derive(Debug, Clone)]
pub struct FileSpec {
    /// The file kind.
    pub kind: Kind,
    /// Spatial axes.
    pub axes: Vec<Axis>,
    /// Data variables in order.
    pub vars: Vec<VarSpec>,
    /// On-disk precision of the data variables.
    pub storage: Storage,
    /// Global attributes after `Conventions`.
    pub attrs: Vec<(String, String)>,
}

impl FileSpec {
    /// The variable names in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.vars.iter().map(|v| v.name).collect()
    }
}

/// Creates `path` for `spec` (never over an existing file).
///
/// # Errors
/// [`CfError`] from the writer, [`CfError::Exists`] when `path` exists.
pub fn create(path: &Path, spec: &FileSpec) -> Result<CfWriter, CfError> {
    let attrs: Vec<(&str, &str)> = spec
        .attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut w = CfWriter::create(path, &spec.axes, &attrs, false)?;
    for v in &spec.vars {
        w.define(&v.output_only(), spec.storage)?;
    }
    Ok(w)
}

/// Appends one month (`[start, end]` in days since 0001-01-01) and flushes it to disk.
///
/// # Errors
/// [`CfError`] from the writer.
pub fn append(
    w: &mut CfWriter,
    bounds: [f64; 2],
    fields: &[(&str, &[f64])],
) -> Result<(), CfError> {
    w.append_record(0.5 * (bounds[0] + bounds[1]), bounds, fields)?;
    w.sync()
}

/// Opens the output file `path` of a run starting (`resume` is `None`: a new file) or
/// resuming from a restart at `resume` (days since 0001-01-01): the file is cut back to the
/// records that end by then ([`rebuild`]). A file missing on resume is started again with a
/// warning on standard error (its months before the restart are not in it).
///
/// # Errors
/// [`CfError`] when the file cannot be read or written.
pub fn reopen(path: &Path, spec: &FileSpec, resume: Option<f64>) -> Result<CfWriter, CfError> {
    if let Some(until) = resume {
        if !path.exists() {
            eprintln!(
                "warning: {} is missing; it starts again at the restart (day {until:.0} since \
                 0001-01-01) without the months before",
                path.display()
            );
        } else if let Some(w) = rebuild(path, spec, until)? {
            return Ok(w);
        }
    }
    create(path, spec)
}

/// Rewrites `path` (written for `spec`) keeping only the records that end at or before
/// `until` (days since 0001-01-01), by the same calls that wrote it, and returns the new
/// file still open for the next record — so that a resumed run continues the file exactly
/// as an uninterrupted run would. The new file is written beside the old one and renamed
/// over it. When no record is kept the file is removed and `None` returned.
///
/// # Errors
/// [`CfError`] when the file cannot be read or written.
pub fn rebuild(path: &Path, spec: &FileSpec, until: f64) -> Result<Option<CfWriter>, CfError> {
    let r = CfReader::open(path)?;
    let (bounds, _) = r.read(crate::io::cf::TIME_BNDS)?;
    let keep = bounds
        .chunks(2)
        .take_while(|b| b[1] <= until + 1e-9)
        .count();
    let names = spec.names();
    let mut records = Vec::with_capacity(keep);
    for t in 0..keep {
        let mut fields = Vec::with_capacity(names.len());
        for n in &names {
            fields.push(r.read_record(n, t)?);
        }
        records.push(([bounds[2 * t], bounds[2 * t + 1]], fields));
    }
    drop(r);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.rebuild.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let io = |e: std::io::Error| CfError::Netcdf {
        path: path.to_path_buf(),
        source: netcdf::Error::Str(e.to_string()),
    };
    if keep == 0 {
        std::fs::remove_file(path).map_err(io)?;
        return Ok(None);
    }
    let mut w = create(&tmp, spec)?;
    for (b, fields) in &records {
        let list: Vec<(&str, &[f64])> = names
            .iter()
            .zip(fields)
            .map(|(n, v)| (*n, v.as_slice()))
            .collect();
        append(&mut w, *b, &list)?;
    }
    // The open file keeps its inode across the rename.
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(Some(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> FileSpec {
        FileSpec {
            kind: Kind::Global,
            axes: vec![],
            vars: vec![VarSpec::series("x", "a test series", "1")],
            storage: Storage::F64,
            attrs: vec![],
        }
    }

    fn records(path: &Path) -> usize {
        CfReader::open(path).unwrap().times().unwrap().len()
    }

    #[test]
    fn reopen_cuts_back_on_resume_and_never_overwrites_a_new_run() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("global.nc");
        let s = spec();
        let mut w = reopen(&p, &s, None).unwrap();
        append(&mut w, [0.0, 31.0], &[("x", &[1.0])]).unwrap();
        append(&mut w, [31.0, 59.0], &[("x", &[2.0])]).unwrap();
        w.close().unwrap();
        assert!(matches!(reopen(&p, &s, None), Err(CfError::Exists { .. })));
        assert_eq!(
            records(&p),
            2,
            "a refused new run leaves the file as it was"
        );
        // A restart on 1 February keeps January only, and the file goes on from there.
        let mut w = reopen(&p, &s, Some(31.0)).unwrap();
        append(&mut w, [31.0, 59.0], &[("x", &[3.0])]).unwrap();
        w.close().unwrap();
        let r = CfReader::open(&p).unwrap();
        assert_eq!(r.read("x").unwrap().0, [1.0, 3.0]);
        drop(r);
        // A restart before the first month's end keeps nothing; a missing file starts again.
        reopen(&p, &s, Some(10.0)).unwrap().close().unwrap();
        assert_eq!(records(&p), 0);
        std::fs::remove_file(&p).unwrap();
        reopen(&p, &s, Some(31.0)).unwrap().close().unwrap();
        assert_eq!(records(&p), 0);
    }
}
