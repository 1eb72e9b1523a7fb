//! CF-1.8 NetCDF-4 output and input.
//!
//! [`CfWriter`] creates a file with CF coordinate variables (longitude,
//! latitude, depth, each with cell bounds), an unlimited `time` axis on the
//! `noleap` calendar, and data variables described by
//! [`VarSpec`]s from the [`super::registry::Registry`]. Records are appended
//! one at a time with [`CfWriter::append_record`]; an existing file can be
//! reopened with [`CfWriter::open_append`] to continue a run.
//!
//! [`CfReader`] reads any variable back as `f64`, whatever its on-disk type.
//!
//! The writer never hides a model blow-up: NaN or infinite values are
//! rejected with [`CfError::NonFinite`] instead of being written as fill.
//! Points that are legitimately missing (land in an ocean field, ...) are
//! passed in as [`FILL_VALUE`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use netcdf::types::{FloatType, NcVariableType};
use netcdf::AttributeValue;

use super::registry::{RegistryError, VarSpec, TIME_DIM};

/// CF fill value for missing points (`_FillValue` and `missing_value`).
///
/// Pass it in the data given to [`CfWriter`] for masked points; [`CfReader`]
/// returns it for them. In `f32` variables it is stored as
/// `FILL_VALUE as f32`.
pub const FILL_VALUE: f64 = 1.0e20;

/// Value of the global `Conventions` attribute.
pub const CONVENTIONS: &str = "CF-1.8";

/// Units of the `time` coordinate.
pub const TIME_UNITS: &str = "days since 0001-01-01 00:00:00";

/// Calendar of the `time` coordinate (365-day years, no leap days).
pub const CALENDAR: &str = "noleap";

/// Name of the shared length-2 dimension of all bounds variables.
pub const BNDS_DIM: &str = "bnds";

/// Name of the time bounds variable.
pub const TIME_BNDS: &str = "time_bnds";

/// Longest name NetCDF accepts (`NC_MAX_NAME`); longer names make some
/// `netcdf` crate lookups panic, so they are screened out first.
const MAX_NAME_LEN: usize = 256;

/// Errors of the CF writer and reader. Every message says what went wrong
/// and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum CfError {
    /// The NetCDF library failed on a file.
    #[error("NetCDF error on '{path}': {source}; {}", netcdf_hint(.source))]
    Netcdf {
        /// The file being accessed.
        path: PathBuf,
        /// The underlying library error.
        source: netcdf::Error,
    },
    /// The output file exists and overwriting was not requested.
    #[error(
        "output file '{path}' already exists and was not overwritten; move or delete it, \
         or choose another output folder"
    )]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// A variable read from a file does not have the shape the model grid needs.
    #[error("variable '{var}' in {path} has shape {got:?} but the model grid needs {expected:?}; the file was made for another grid: regenerate the boundary data for this model file (models/data/README.md)")]
    ReadShape {
        /// Variable name.
        var: String,
        /// The file.
        path: PathBuf,
        /// Shape the model needs.
        expected: Vec<usize>,
        /// Shape in the file.
        got: Vec<usize>,
    },
    /// Data length does not match the variable's dimensions.
    #[error(
        "variable '{var}' needs {expected} values (the product of its dimension lengths, \
         row-major over its non-time dimensions) but {got} were given; pass a field on the \
         grid the file was created with"
    )]
    Shape {
        /// The variable being written.
        var: String,
        /// Number of values the file expects.
        expected: usize,
        /// Number of values given.
        got: usize,
    },
    /// A NaN or infinite value was about to be written.
    #[error(
        "variable '{var}' has a NaN or infinite value at flat index {index}; the model state \
         has probably blown up (NaN is never written as fill); fix the run, e.g. a shorter \
         time step, and pass FILL_VALUE only for genuinely missing points"
    )]
    NonFinite {
        /// The variable (or `time`/`time_bnds`).
        var: String,
        /// Flat (row-major) index of the first bad value.
        index: usize,
    },
    /// A finite value too large for `f32` storage.
    #[error(
        "variable '{var}' has value {value} at flat index {index}, which overflows f32 \
         storage; store the variable as Storage::F64, or check the model state"
    )]
    OutOfRange {
        /// The variable being written.
        var: String,
        /// Flat (row-major) index of the first bad value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A variable uses a dimension the file does not have.
    #[error(
        "variable '{var}' uses dimension '{dim}', which is not a dimension of the file; \
         create the file with an axis of that name (the unlimited 'time' axis is added by \
         CfWriter::create itself), or fix the variable's dims in the registry"
    )]
    MissingDim {
        /// The missing dimension.
        dim: String,
        /// The variable that uses it.
        var: String,
    },
    /// A variable is not in the file.
    #[error(
        "variable '{var}' is not in '{path}'; check the name, and define it with \
         CfWriter::define before writing it"
    )]
    MissingVar {
        /// The missing variable.
        var: String,
        /// The file searched.
        path: PathBuf,
    },
    /// An axis given to [`CfWriter::create`] is malformed.
    #[error("axis '{axis}' is invalid: {reason}; fix the grid definition")]
    Axis {
        /// Name of the axis.
        axis: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A record's time is not after the previous record's time.
    #[error(
        "record time {time} is not after the last record's time {last} (days since \
         0001-01-01); append records in strictly increasing time, and when restarting \
         into an existing file start after its last record (or write a new file)"
    )]
    TimeOrder {
        /// Time of the rejected record.
        time: f64,
        /// Time of the last record in the file.
        last: f64,
    },
    /// A record's time bounds do not enclose its time.
    #[error(
        "time bounds [{lower}, {upper}] do not enclose record time {time}; pass the \
         averaging interval [start, end] with start <= time <= end"
    )]
    TimeBounds {
        /// Time of the rejected record.
        time: f64,
        /// Lower time bound given.
        lower: f64,
        /// Upper time bound given.
        upper: f64,
    },
    /// A static variable was given to `append_record`, or a time-dependent one
    /// to `write_static` / `read_record`.
    #[error("variable '{var}' {}", wrong_kind_hint(*.time_dependent))]
    WrongKind {
        /// The variable.
        var: String,
        /// Whether the variable has the `time` dimension.
        time_dependent: bool,
    },
    /// A record index past the end of the file.
    #[error(
        "record {index} of '{var}' was requested but the file has {records} records; \
         use an index below {records} (see CfReader::times)"
    )]
    RecordOutOfRange {
        /// The variable.
        var: String,
        /// The requested record.
        index: usize,
        /// Number of records in the file.
        records: usize,
    },
    /// `define` was called for a variable already in the file with a
    /// different layout.
    #[error(
        "variable '{var}' is already in '{path}' with different {what}; define it exactly \
         as before, or write to a new file"
    )]
    Conflict {
        /// The variable.
        var: String,
        /// The file.
        path: PathBuf,
        /// What differs (dimensions or storage type).
        what: &'static str,
    },
    /// The [`VarSpec`] given to `define` is malformed.
    #[error("invalid variable spec: {0}")]
    Spec(#[from] RegistryError),
}

/// `NC_EHDFERR`: the generic HDF5 failure code of libnetcdf.
const NC_EHDFERR: i32 = -101;

/// How to fix a [`CfError::Netcdf`].
fn netcdf_hint(source: &netcdf::Error) -> &'static str {
    match source {
        netcdf::Error::Netcdf(NC_EHDFERR) => {
            "HDF5 could not access the file: make sure no other program holds it open (HDF5 \
             locks open files, and a child process started while the file was open keeps \
             the lock until it exits), or set HDF5_USE_FILE_LOCKING=FALSE; also check that \
             it is a NetCDF-4 file and not truncated"
        }
        _ => {
            "check that the path is correct, the folder is writable, the disk is not full \
             and the file is a NetCDF-4 file written by Chronos"
        }
    }
}

/// Explanation for [`CfError::WrongKind`].
fn wrong_kind_hint(time_dependent: bool) -> &'static str {
    if time_dependent {
        "is time-dependent; write it with CfWriter::append_record and read it with \
         CfReader::read_record"
    } else {
        "is static (has no time dimension); write it with CfWriter::write_static and read \
         it with CfReader::read"
    }
}

/// One spatial coordinate axis of the output grid, with cell bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Dimension and coordinate variable name, e.g. `"lon"`.
    pub name: String,
    /// `long_name` attribute.
    pub long_name: String,
    /// CF `standard_name` attribute.
    pub standard_name: String,
    /// `units` attribute.
    pub units: String,
    /// CF `axis` attribute: `'X'`, `'Y'` or `'Z'`.
    pub axis: char,
    /// CF `positive` attribute (`"down"` for depth), written when `Some`.
    pub positive: Option<String>,
    /// Cell-centre coordinates, strictly monotonic.
    pub values: Vec<f64>,
    /// Cell edges `[lower, upper]`, one pair per value, each enclosing its value.
    pub bounds: Vec<[f64; 2]>,
}

impl Axis {
    /// Longitude axis `lon` in `degrees_east` (`axis = "X"`).
    pub fn longitude(values: Vec<f64>, bounds: Vec<[f64; 2]>) -> Self {
        Self {
            name: "lon".into(),
            long_name: "longitude".into(),
            standard_name: "longitude".into(),
            units: "degrees_east".into(),
            axis: 'X',
            positive: None,
            values,
            bounds,
        }
    }

    /// Latitude axis `lat` in `degrees_north` (`axis = "Y"`).
    pub fn latitude(values: Vec<f64>, bounds: Vec<[f64; 2]>) -> Self {
        Self {
            name: "lat".into(),
            long_name: "latitude".into(),
            standard_name: "latitude".into(),
            units: "degrees_north".into(),
            axis: 'Y',
            positive: None,
            values,
            bounds,
        }
    }

    /// Depth axis `depth` in metres, positive down (`axis = "Z"`).
    pub fn depth(values: Vec<f64>, bounds: Vec<[f64; 2]>) -> Self {
        Self {
            name: "depth".into(),
            long_name: "depth below sea surface".into(),
            standard_name: "depth".into(),
            units: "m".into(),
            axis: 'Z',
            positive: Some("down".into()),
            values,
            bounds,
        }
    }

    /// Number of points on the axis.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the axis has no points (such an axis is rejected by
    /// [`CfWriter::create`]).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Name of the bounds variable, `<name>_bnds`.
    pub fn bounds_name(&self) -> String {
        format!("{}_bnds", self.name)
    }

    /// Checks the axis on its own (name clashes are checked by the caller).
    fn validate(&self) -> Result<(), CfError> {
        let fail = |reason: String| CfError::Axis {
            axis: self.name.clone(),
            reason,
        };
        if let Some(reason) = name_problem(&self.name) {
            return Err(fail(format!("its name {reason}")));
        }
        if self.name == TIME_DIM || self.name == BNDS_DIM {
            return Err(fail(format!(
                "'{}' is reserved for the writer's own dimension; rename the axis",
                self.name
            )));
        }
        if !matches!(self.axis, 'X' | 'Y' | 'Z') {
            return Err(fail(format!(
                "axis attribute must be 'X', 'Y' or 'Z', not {:?}",
                self.axis
            )));
        }
        if self.units.trim().is_empty() {
            return Err(fail("units are empty".into()));
        }
        if self.values.is_empty() {
            return Err(fail("it has no points".into()));
        }
        if self.values.len() != self.bounds.len() {
            return Err(fail(format!(
                "it has {} values but {} bounds; give one [lower, upper] pair per value",
                self.values.len(),
                self.bounds.len()
            )));
        }
        if let Some(i) = self.values.iter().position(|v| !v.is_finite()) {
            return Err(fail(format!("value #{i} is not finite")));
        }
        if let Some(i) = self
            .bounds
            .iter()
            .position(|b| !b.iter().all(|v| v.is_finite()))
        {
            return Err(fail(format!("bounds #{i} are not finite")));
        }
        let increasing = self.values.windows(2).all(|w| w[0] < w[1]);
        let decreasing = self.values.windows(2).all(|w| w[0] > w[1]);
        if !increasing && !decreasing {
            return Err(fail(
                "values are not strictly monotonic (no repeats, one direction)".into(),
            ));
        }
        for (i, (&v, &[a, b])) in self.values.iter().zip(&self.bounds).enumerate() {
            if v < a.min(b) || v > a.max(b) {
                return Err(fail(format!(
                    "value #{i} = {v} lies outside its bounds [{a}, {b}]"
                )));
            }
        }
        Ok(())
    }
}

/// On-disk precision of a data variable. Coordinates are always `f64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Storage {
    /// 32-bit float: half the size; values are rounded to the nearest `f32`.
    F32,
    /// 64-bit float: values are stored bit-exactly.
    F64,
}

/// What the writer knows about one data variable.
#[derive(Debug, Clone, PartialEq)]
struct Layout {
    /// Dimension names in file order (including `time` when present).
    dims: Vec<String>,
    storage: Storage,
    /// Lengths of the non-time dimensions.
    shape: Vec<usize>,
}

impl Layout {
    fn time_dependent(&self) -> bool {
        self.dims.first().map(String::as_str) == Some(TIME_DIM)
    }

    fn len(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Data ready to be put into a variable of a given storage type.
enum Buffer<'a> {
    F64(&'a [f64]),
    F32(Vec<f32>),
}

/// Writes a CF-1.8 NetCDF-4 file record by record.
///
/// Typical use: [`create`](Self::create) (or [`open_append`](Self::open_append)),
/// [`define`](Self::define) each registry variable, [`write_static`](Self::write_static)
/// the static ones, then [`append_record`](Self::append_record) once per output
/// interval and finally [`close`](Self::close). Dropping the writer also closes
/// the file, but silently ignores errors.
#[derive(Debug)]
pub struct CfWriter {
    file: netcdf::FileMut,
    path: PathBuf,
    /// Lengths of the fixed-size dimensions (`time` excluded).
    dims: HashMap<String, usize>,
    /// Data variables that can be written.
    vars: HashMap<String, Layout>,
    /// Number of time records in the file.
    records: usize,
    /// Time of the last record.
    last_time: Option<f64>,
}

impl CfWriter {
    /// Creates a new NetCDF-4 file at `path` with the given spatial axes, the
    /// unlimited `time` axis (`noleap` calendar), and global attributes
    /// `Conventions = "CF-1.8"` followed by `global_attrs` (a `Conventions`
    /// entry there replaces the default).
    ///
    /// # Errors
    ///
    /// * [`CfError::Axis`] when an axis is malformed (no points, values and
    ///   bounds of different lengths, not strictly monotonic, a value outside
    ///   its bounds, a reserved or repeated name) — nothing is written then;
    /// * [`CfError::Exists`] when `path` exists and `overwrite` is false — the
    ///   existing file is left untouched;
    /// * [`CfError::Netcdf`] when the library fails; a partly written new
    ///   file is removed.
    pub fn create(
        path: &Path,
        axes: &[Axis],
        global_attrs: &[(&str, &str)],
        overwrite: bool,
    ) -> Result<Self, CfError> {
        let mut dims = HashMap::with_capacity(axes.len());
        for axis in axes {
            axis.validate()?;
            if dims.insert(axis.name.clone(), axis.len()).is_some() {
                return Err(CfError::Axis {
                    axis: axis.name.clone(),
                    reason: "two axes have this name; give each axis its own name".into(),
                });
            }
        }

        let exists_err = || CfError::Exists {
            path: path.to_path_buf(),
        };
        if !overwrite && matches!(path.try_exists(), Ok(true)) {
            return Err(exists_err());
        }
        let options = if overwrite {
            netcdf::Options::NETCDF4
        } else {
            // Guards against the file appearing between the check and here.
            netcdf::Options::NETCDF4 | netcdf::Options::NOCLOBBER
        };
        let file = netcdf::create_with(path, options).map_err(|e| match e {
            netcdf::Error::AlreadyExists => exists_err(),
            source => CfError::Netcdf {
                path: path.to_path_buf(),
                source,
            },
        })?;

        let mut writer = Self {
            file,
            path: path.to_path_buf(),
            dims,
            vars: HashMap::new(),
            records: 0,
            last_time: None,
        };
        if let Err(e) = writer.write_header(axes, global_attrs) {
            // The file is ours and unusable: do not leave it behind.
            drop(writer);
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        Ok(writer)
    }

    /// Writes global attributes, dimensions and coordinate variables.
    fn write_header(
        &mut self,
        axes: &[Axis],
        global_attrs: &[(&str, &str)],
    ) -> Result<(), CfError> {
        let err = nc_err(&self.path);
        let file = &mut self.file;

        file.add_attribute("Conventions", CONVENTIONS)
            .map_err(err)?;
        for &(name, value) in global_attrs {
            file.add_attribute(name, value).map_err(err)?;
        }

        file.add_unlimited_dimension(TIME_DIM).map_err(err)?;
        for axis in axes {
            file.add_dimension(&axis.name, axis.len()).map_err(err)?;
        }
        file.add_dimension(BNDS_DIM, 2).map_err(err)?;

        let mut time = file
            .add_variable::<f64>(TIME_DIM, &[TIME_DIM])
            .map_err(err)?;
        for (name, value) in [
            ("standard_name", "time"),
            ("long_name", "time"),
            ("units", TIME_UNITS),
            ("calendar", CALENDAR),
            ("axis", "T"),
            ("bounds", TIME_BNDS),
        ] {
            time.put_attribute(name, value).map_err(err)?;
        }
        file.add_variable::<f64>(TIME_BNDS, &[TIME_DIM, BNDS_DIM])
            .map_err(err)?;

        for axis in axes {
            let bounds_name = axis.bounds_name();
            let axis_letter = axis.axis.to_string();
            let mut attrs = vec![
                ("standard_name", axis.standard_name.as_str()),
                ("long_name", axis.long_name.as_str()),
                ("units", axis.units.as_str()),
                ("axis", axis_letter.as_str()),
            ];
            if let Some(positive) = &axis.positive {
                attrs.push(("positive", positive.as_str()));
            }
            attrs.push(("bounds", bounds_name.as_str()));

            let mut coord = file
                .add_variable::<f64>(&axis.name, &[axis.name.as_str()])
                .map_err(err)?;
            for (name, value) in attrs {
                coord.put_attribute(name, value).map_err(err)?;
            }
            coord
                .put_values(&axis.values, (vec![0], vec![axis.len()]))
                .map_err(err)?;

            let mut bnds = file
                .add_variable::<f64>(&bounds_name, &[axis.name.as_str(), BNDS_DIM])
                .map_err(err)?;
            let flat: Vec<f64> = axis.bounds.iter().flatten().copied().collect();
            bnds.put_values(&flat, (vec![0, 0], vec![axis.len(), 2]))
                .map_err(err)?;
        }
        Ok(())
    }

    /// Reopens a file written by [`CfWriter::create`] to append more records.
    ///
    /// Dimensions, data variables, the number of records and the last record
    /// time are read from the file, so records continue where it ended.
    ///
    /// # Errors
    ///
    /// [`CfError::Netcdf`] when the file cannot be opened for writing,
    /// [`CfError::MissingDim`] / [`CfError::MissingVar`] when it has no
    /// unlimited `time` dimension or `time` variable (not a Chronos file).
    pub fn open_append(path: &Path) -> Result<Self, CfError> {
        let err = nc_err(path);
        let file = netcdf::append(path).map_err(err)?;

        let mut dims = HashMap::new();
        let mut has_time_dim = false;
        for dim in file.dimensions() {
            let name = dim.name();
            if dim.is_unlimited() {
                has_time_dim |= name == TIME_DIM;
            } else {
                dims.insert(name, dim.len());
            }
        }
        if !has_time_dim {
            return Err(CfError::MissingDim {
                dim: TIME_DIM.into(),
                var: TIME_DIM.into(),
            });
        }

        let mut vars = HashMap::new();
        for var in file.variables() {
            let name = var.name();
            // Coordinates and bounds belong to the writer, not to the caller.
            let is_coordinate = dims.contains_key(&name)
                || name == TIME_DIM
                || name
                    .strip_suffix("_bnds")
                    .is_some_and(|base| base == TIME_DIM || dims.contains_key(base));
            if is_coordinate {
                continue;
            }
            let storage = match var.vartype() {
                NcVariableType::Float(FloatType::F32) => Storage::F32,
                NcVariableType::Float(FloatType::F64) => Storage::F64,
                _ => continue,
            };
            let var_dims: Vec<String> = var.dimensions().iter().map(|d| d.name()).collect();
            let shape = var_dims
                .iter()
                .filter(|d| d.as_str() != TIME_DIM)
                .map(|d| dims.get(d).copied().unwrap_or(0))
                .collect();
            vars.insert(
                name,
                Layout {
                    dims: var_dims,
                    storage,
                    shape,
                },
            );
        }

        let records = file.dimension_len(TIME_DIM).unwrap_or(0);
        let last_time = if records == 0 {
            None
        } else {
            let time = file.variable(TIME_DIM).ok_or_else(|| CfError::MissingVar {
                var: TIME_DIM.into(),
                path: path.to_path_buf(),
            })?;
            Some(time.get_value::<f64, _>(records - 1).map_err(err)?)
        };

        Ok(Self {
            file,
            path: path.to_path_buf(),
            dims,
            vars,
            records,
            last_time,
        })
    }

    /// Defines the data variable described by `spec`, stored as `storage`,
    /// with attributes `long_name`, `units`, `standard_name` (when given),
    /// `_FillValue` and `missing_value` ([`FILL_VALUE`] in the storage type)
    /// and, for time-dependent variables, `cell_methods = "time: mean"`.
    ///
    /// Defining a variable that is already in the file with the same
    /// dimensions and storage (e.g. after [`open_append`](Self::open_append))
    /// does nothing.
    ///
    /// # Errors
    ///
    /// [`CfError::Spec`] for a malformed spec, [`CfError::MissingDim`] when
    /// one of `spec.dims` is not a dimension of the file, [`CfError::Conflict`]
    /// when the variable exists with other dimensions or storage,
    /// [`CfError::Netcdf`] when the library fails.
    pub fn define(&mut self, spec: &VarSpec, storage: Storage) -> Result<(), CfError> {
        spec.validate()?;
        let dims: Vec<String> = spec.dims.iter().map(|d| (*d).to_owned()).collect();
        if let Some(existing) = self.vars.get(spec.name) {
            let what = if existing.dims != dims {
                "dimensions"
            } else if existing.storage != storage {
                "storage type"
            } else {
                return Ok(());
            };
            return Err(CfError::Conflict {
                var: spec.name.into(),
                path: self.path.clone(),
                what,
            });
        }

        let mut shape = Vec::with_capacity(dims.len());
        for dim in spec.spatial_dims() {
            let len = self.dims.get(*dim).ok_or_else(|| CfError::MissingDim {
                dim: (*dim).into(),
                var: spec.name.into(),
            })?;
            shape.push(*len);
        }

        let err = nc_err(&self.path);
        let mut var = match storage {
            Storage::F32 => self.file.add_variable::<f32>(spec.name, spec.dims),
            Storage::F64 => self.file.add_variable::<f64>(spec.name, spec.dims),
        }
        .map_err(err)?;
        var.put_attribute("long_name", spec.long_name)
            .map_err(err)?;
        if let Some(standard_name) = spec.standard_name {
            var.put_attribute("standard_name", standard_name)
                .map_err(err)?;
        }
        var.put_attribute("units", spec.units).map_err(err)?;
        // `set_fill_value` needs the variable's exact type and writes `_FillValue`.
        match storage {
            Storage::F32 => {
                let fill = FILL_VALUE as f32;
                var.set_fill_value(fill).map_err(err)?;
                var.put_attribute("missing_value", fill).map_err(err)?;
            }
            Storage::F64 => {
                var.set_fill_value(FILL_VALUE).map_err(err)?;
                var.put_attribute("missing_value", FILL_VALUE)
                    .map_err(err)?;
            }
        }
        if spec.is_time_dependent() {
            var.put_attribute("cell_methods", "time: mean")
                .map_err(err)?;
        }

        self.vars.insert(
            spec.name.into(),
            Layout {
                dims,
                storage,
                shape,
            },
        );
        Ok(())
    }

    /// Writes the whole of a static (non-time) variable; `data` is row-major
    /// over its dimensions.
    ///
    /// # Errors
    ///
    /// [`CfError::MissingVar`] when not defined, [`CfError::WrongKind`] when it
    /// is time-dependent, [`CfError::Shape`] when `data.len()` is not the
    /// product of its dimension lengths, [`CfError::NonFinite`] /
    /// [`CfError::OutOfRange`] for bad values (nothing is written then),
    /// [`CfError::Netcdf`] when the library fails.
    pub fn write_static(&mut self, name: &str, data: &[f64]) -> Result<(), CfError> {
        let layout = self.layout(name, false)?;
        let buffer = prepare(name, data, layout)?;
        let start = vec![0; layout.shape.len()];
        let count = layout.shape.clone();
        put(&mut self.file, &self.path, name, &buffer, start, count)
    }

    /// Appends one time record and returns its index.
    ///
    /// Writes `time`, `time_bnds` and every variable in `fields`, each given
    /// row-major over its non-time dimensions. Time-dependent variables not in
    /// `fields` read as [`FILL_VALUE`] for this record. All inputs are checked
    /// before anything is written, so a rejected record leaves the file as it
    /// was.
    ///
    /// # Errors
    ///
    /// [`CfError::NonFinite`] for a NaN/infinite value (in a field, `time` or
    /// `time_bounds`), [`CfError::TimeOrder`] when `time` is not after the last
    /// record, [`CfError::TimeBounds`] when the bounds do not enclose `time`,
    /// [`CfError::MissingVar`], [`CfError::WrongKind`], [`CfError::Shape`],
    /// [`CfError::OutOfRange`] for bad fields, [`CfError::Netcdf`] when the
    /// library fails.
    pub fn append_record(
        &mut self,
        time: f64,
        time_bounds: [f64; 2],
        fields: &[(&str, &[f64])],
    ) -> Result<usize, CfError> {
        let index = self.records;
        if !time.is_finite() {
            return Err(CfError::NonFinite {
                var: TIME_DIM.into(),
                index,
            });
        }
        if let Some(i) = time_bounds.iter().position(|b| !b.is_finite()) {
            return Err(CfError::NonFinite {
                var: TIME_BNDS.into(),
                index: 2 * index + i,
            });
        }
        if let Some(last) = self.last_time {
            if time <= last {
                return Err(CfError::TimeOrder { time, last });
            }
        }
        let [lower, upper] = time_bounds;
        if !(lower <= time && time <= upper) {
            return Err(CfError::TimeBounds { time, lower, upper });
        }

        let mut buffers = Vec::with_capacity(fields.len());
        for &(name, data) in fields {
            let layout = self.layout(name, true)?;
            buffers.push((name, prepare(name, data, layout)?, layout.shape.clone()));
        }

        // Time first: once the record exists its coordinate is valid, even if
        // a later write fails.
        let time_buf = [time];
        put(
            &mut self.file,
            &self.path,
            TIME_DIM,
            &Buffer::F64(&time_buf),
            vec![index],
            vec![1],
        )?;
        self.records = index + 1;
        self.last_time = Some(time);
        put(
            &mut self.file,
            &self.path,
            TIME_BNDS,
            &Buffer::F64(&time_bounds),
            vec![index, 0],
            vec![1, 2],
        )?;
        for (name, buffer, shape) in buffers {
            let mut start = vec![0; shape.len() + 1];
            start[0] = index;
            let mut count = Vec::with_capacity(shape.len() + 1);
            count.push(1);
            count.extend_from_slice(&shape);
            put(&mut self.file, &self.path, name, &buffer, start, count)?;
        }
        Ok(index)
    }

    /// Flushes buffered data to disk, so a crash loses no written record.
    ///
    /// # Errors
    ///
    /// [`CfError::Netcdf`] when the library fails.
    pub fn sync(&self) -> Result<(), CfError> {
        self.file.sync().map_err(nc_err(&self.path))
    }

    /// Closes the file, reporting any error from the final flush.
    ///
    /// # Errors
    ///
    /// [`CfError::Netcdf`] when the library fails.
    pub fn close(self) -> Result<(), CfError> {
        let Self { file, path, .. } = self;
        file.close().map_err(nc_err(&path))
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of time records in the file.
    pub fn records(&self) -> usize {
        self.records
    }

    /// Time of the last record, if any (days since 0001-01-01, `noleap`).
    pub fn last_time(&self) -> Option<f64> {
        self.last_time
    }

    /// Looks up a writable data variable and checks its kind.
    fn layout(&self, name: &str, time_dependent: bool) -> Result<&Layout, CfError> {
        let layout = self.vars.get(name).ok_or_else(|| CfError::MissingVar {
            var: name.into(),
            path: self.path.clone(),
        })?;
        if layout.time_dependent() != time_dependent {
            return Err(CfError::WrongKind {
                var: name.into(),
                time_dependent: layout.time_dependent(),
            });
        }
        Ok(layout)
    }
}

/// Checks `data` against `layout` and converts it to the storage type.
fn prepare<'a>(var: &str, data: &'a [f64], layout: &Layout) -> Result<Buffer<'a>, CfError> {
    let expected = layout.len();
    if data.len() != expected {
        return Err(CfError::Shape {
            var: var.into(),
            expected,
            got: data.len(),
        });
    }
    if let Some(index) = data.iter().position(|v| !v.is_finite()) {
        return Err(CfError::NonFinite {
            var: var.into(),
            index,
        });
    }
    match layout.storage {
        Storage::F64 => Ok(Buffer::F64(data)),
        Storage::F32 => data
            .iter()
            .enumerate()
            .map(|(index, &value)| {
                let narrow = value as f32;
                if narrow.is_finite() {
                    Ok(narrow)
                } else {
                    Err(CfError::OutOfRange {
                        var: var.into(),
                        index,
                        value,
                    })
                }
            })
            .collect::<Result<Vec<f32>, CfError>>()
            .map(Buffer::F32),
    }
}

/// Writes `buffer` into the hyperslab `start`/`count` of variable `name`.
///
/// Explicit counts are required: with `..` the extent of an unlimited
/// dimension that is still 0 long would be 0.
fn put(
    file: &mut netcdf::FileMut,
    path: &Path,
    name: &str,
    buffer: &Buffer<'_>,
    start: Vec<usize>,
    count: Vec<usize>,
) -> Result<(), CfError> {
    let mut var = file.variable_mut(name).ok_or_else(|| CfError::MissingVar {
        var: name.into(),
        path: path.to_path_buf(),
    })?;
    match buffer {
        Buffer::F64(data) => var.put_values(data, (start, count)),
        Buffer::F32(data) => var.put_values(data, (start, count)),
    }
    .map_err(nc_err(path))
}

/// Reads CF NetCDF files (any NetCDF file, in fact) as `f64`.
///
/// Data are returned unscaled and unmasked: points equal to a variable's
/// `_FillValue` come back as exactly [`FILL_VALUE`] (also for `f32`
/// variables, whose on-disk fill is `FILL_VALUE as f32`), so callers mask
/// with `v == FILL_VALUE`. `scale_factor`/`add_offset` are not applied.
#[derive(Debug)]
pub struct CfReader {
    file: netcdf::File,
    path: PathBuf,
}

impl CfReader {
    /// Opens `path` read-only.
    ///
    /// # Errors
    ///
    /// [`CfError::Netcdf`] when the file is missing or not NetCDF.
    pub fn open(path: &Path) -> Result<Self, CfError> {
        let file = netcdf::open(path).map_err(nc_err(path))?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Current length of dimension `name` (for `time`: the number of records).
    pub fn dim_len(&self, name: &str) -> Option<usize> {
        if name_problem(name).is_some() {
            return None;
        }
        self.file.dimension_len(name)
    }

    /// Names of all variables, in file order.
    pub fn variables(&self) -> Vec<String> {
        self.file.variables().map(|v| v.name()).collect()
    }

    /// Dimension names of variable `name`, in file order.
    ///
    /// # Errors
    ///
    /// [`CfError::MissingVar`] when there is no such variable.
    pub fn var_dims(&self, name: &str) -> Result<Vec<String>, CfError> {
        let var = self.variable(name)?;
        Ok(var.dimensions().iter().map(|d| d.name()).collect())
    }

    /// Reads a whole variable as `f64` (row-major) with its shape (one length
    /// per dimension, in file order). See the type docs for fill values.
    ///
    /// # Errors
    ///
    /// [`CfError::MissingVar`] when there is no such variable,
    /// [`CfError::Netcdf`] when it is not numeric or the library fails.
    pub fn read(&self, name: &str) -> Result<(Vec<f64>, Vec<usize>), CfError> {
        let var = self.variable(name)?;
        let shape: Vec<usize> = var.dimensions().iter().map(|d| d.len()).collect();
        let start = vec![0; shape.len()];
        let data = self.get(&var, start, shape.clone())?;
        Ok((data, shape))
    }

    /// Reads record `t` of a time-dependent variable, row-major over its
    /// non-time dimensions. See the type docs for fill values.
    ///
    /// # Errors
    ///
    /// [`CfError::MissingVar`] when there is no such variable,
    /// [`CfError::WrongKind`] when its first dimension is not `time`,
    /// [`CfError::RecordOutOfRange`] when `t` is not below the number of
    /// records, [`CfError::Netcdf`] when the library fails.
    pub fn read_record(&self, name: &str, t: usize) -> Result<Vec<f64>, CfError> {
        let var = self.variable(name)?;
        let dims = var.dimensions();
        let records = match dims.first() {
            Some(d) if d.name() == TIME_DIM => d.len(),
            _ => {
                return Err(CfError::WrongKind {
                    var: name.into(),
                    time_dependent: false,
                })
            }
        };
        if t >= records {
            return Err(CfError::RecordOutOfRange {
                var: name.into(),
                index: t,
                records,
            });
        }
        let mut start = vec![0; dims.len()];
        start[0] = t;
        let count: Vec<usize> = std::iter::once(1)
            .chain(dims[1..].iter().map(|d| d.len()))
            .collect();
        self.get(&var, start, count)
    }

    /// Record times (days since 0001-01-01, `noleap`).
    ///
    /// # Errors
    ///
    /// [`CfError::MissingVar`] when the file has no `time` variable,
    /// [`CfError::Netcdf`] when the library fails.
    pub fn times(&self) -> Result<Vec<f64>, CfError> {
        self.read(TIME_DIM).map(|(data, _)| data)
    }

    /// A text attribute of variable `var`, or a global one when `var` is
    /// `None`. `None` when missing or not text.
    pub fn attr_string(&self, var: Option<&str>, attr: &str) -> Option<String> {
        match self.attr_value(var, attr)? {
            AttributeValue::Str(s) => Some(s),
            AttributeValue::Strs(mut v) if v.len() == 1 => v.pop(),
            _ => None,
        }
    }

    /// A single-valued numeric attribute of variable `var` (global when
    /// `var` is `None`), widened to `f64`. An `f32` `_FillValue` therefore
    /// reads as `FILL_VALUE as f32 as f64`. `None` when missing, not
    /// numeric or holding several values.
    pub fn attr_f64(&self, var: Option<&str>, attr: &str) -> Option<f64> {
        attr_to_f64(self.attr_value(var, attr)?)
    }

    /// Raw value of an attribute, `None` when absent or unreadable.
    fn attr_value(&self, var: Option<&str>, attr: &str) -> Option<AttributeValue> {
        if name_problem(attr).is_some() {
            return None;
        }
        match var {
            None => self.file.attribute(attr)?.value().ok(),
            Some(name) => self.variable(name).ok()?.attribute(attr)?.value().ok(),
        }
    }

    /// Looks up a variable without letting odd names reach the panicking
    /// lookups of the `netcdf` crate.
    fn variable(&self, name: &str) -> Result<netcdf::Variable<'_>, CfError> {
        let missing = || CfError::MissingVar {
            var: name.into(),
            path: self.path.clone(),
        };
        if name_problem(name).is_some() {
            return Err(missing());
        }
        self.file.variable(name).ok_or_else(missing)
    }

    /// Reads a hyperslab as `f64`, mapping the variable's fill to [`FILL_VALUE`].
    fn get(
        &self,
        var: &netcdf::Variable<'_>,
        start: Vec<usize>,
        count: Vec<usize>,
    ) -> Result<Vec<f64>, CfError> {
        if count.contains(&0) {
            return Ok(Vec::new());
        }
        let err = nc_err(&self.path);
        let fill = var
            .attribute("_FillValue")
            .and_then(|a| a.value().ok())
            .and_then(attr_to_f64);
        if var.vartype() == NcVariableType::Float(FloatType::F32) {
            // Compare in f32, so the f32 fill maps back to the exact f64 constant.
            let fill = fill.map(|f| f as f32);
            let data = var.get_values::<f32, _>((start, count)).map_err(err)?;
            Ok(data
                .into_iter()
                .map(|v| {
                    if Some(v) == fill {
                        FILL_VALUE
                    } else {
                        f64::from(v)
                    }
                })
                .collect())
        } else {
            let mut data = var.get_values::<f64, _>((start, count)).map_err(err)?;
            if let Some(fill) = fill {
                for v in data.iter_mut().filter(|v| **v == fill) {
                    *v = FILL_VALUE;
                }
            }
            Ok(data)
        }
    }
}

/// Widens a single numeric attribute value to `f64`.
fn attr_to_f64(value: AttributeValue) -> Option<f64> {
    use AttributeValue as A;
    fn single<T: Copy + Into<f64>>(v: &[T]) -> Option<f64> {
        match v {
            [x] => Some((*x).into()),
            _ => None,
        }
    }
    match value {
        A::Double(x) => Some(x),
        A::Float(x) => Some(x.into()),
        A::Uchar(x) => Some(x.into()),
        A::Schar(x) => Some(x.into()),
        A::Ushort(x) => Some(x.into()),
        A::Short(x) => Some(x.into()),
        A::Uint(x) => Some(x.into()),
        A::Int(x) => Some(x.into()),
        // Precision loss above 2^53 is acceptable for attribute values.
        A::Ulonglong(x) => Some(x as f64),
        A::Longlong(x) => Some(x as f64),
        A::Doubles(v) => single(&v),
        A::Floats(v) => single(&v),
        A::Uchars(v) => single(&v),
        A::Schars(v) => single(&v),
        A::Ushorts(v) => single(&v),
        A::Shorts(v) => single(&v),
        A::Uints(v) => single(&v),
        A::Ints(v) => single(&v),
        A::Ulonglongs(v) => match v.as_slice() {
            [x] => Some(*x as f64),
            _ => None,
        },
        A::Longlongs(v) => match v.as_slice() {
            [x] => Some(*x as f64),
            _ => None,
        },
        A::Str(_) | A::Strs(_) => None,
    }
}

/// Names the `netcdf` crate would panic on or mis-parse.
fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.len() > MAX_NAME_LEN {
        Some("is longer than 256 bytes")
    } else if name.contains('/') {
        Some("contains '/'")
    } else if name.contains('\0') {
        Some("contains a NUL byte")
    } else {
        None
    }
}

/// Maps a library error on `path` to [`CfError::Netcdf`].
fn nc_err(path: &Path) -> impl Fn(netcdf::Error) -> CfError + Copy + '_ {
    move |source| CfError::Netcdf {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPTHO: VarSpec = VarSpec {
        name: "deptho",
        long_name: "sea floor depth",
        standard_name: Some("sea_floor_depth_below_geoid"),
        units: "m",
        dims: &["lat", "lon"],
        restart: false,
        monthly: false,
        output: true,
    };
    const THETAO: VarSpec = VarSpec {
        name: "thetao",
        long_name: "sea water potential temperature",
        standard_name: Some("sea_water_potential_temperature"),
        units: "degC",
        dims: &["time", "depth", "lat", "lon"],
        restart: true,
        monthly: false,
        output: true,
    };
    const TOS: VarSpec = VarSpec {
        name: "tos",
        long_name: "sea surface temperature",
        standard_name: None,
        units: "K",
        dims: &["time", "lat", "lon"],
        restart: false,
        monthly: false,
        output: true,
    };
    /// Serialises the tests that open files. HDF5 locks open files and its
    /// descriptors are inherited by child processes, so the `ncdump` spawned
    /// by one test could otherwise keep another test's file locked after it
    /// was closed (and make reopening it fail).
    fn serial() -> std::sync::MutexGuard<'static, ()> {
        static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
        LOCK.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Flat indices of masked (land) points in `tos`.
    const TOS_MASK: [usize; 3] = [0, 5, 11];

    fn axes() -> Vec<Axis> {
        vec![
            Axis::longitude(
                vec![45.0, 135.0, 225.0, 315.0],
                vec![[0.0, 90.0], [90.0, 180.0], [180.0, 270.0], [270.0, 360.0]],
            ),
            Axis::latitude(
                vec![-60.0, 0.0, 60.0],
                vec![[-90.0, -30.0], [-30.0, 30.0], [30.0, 90.0]],
            ),
            Axis::depth(vec![5.0, 15.0], vec![[0.0, 10.0], [10.0, 20.0]]),
        ]
    }

    /// Values using all 52 mantissa bits, so f64 exactness is really tested.
    fn field(n: usize, seed: f64) -> Vec<f64> {
        (0..n)
            .map(|i| (i as f64 * 0.37 + seed).sin() * 17.3 + 1.0 / 3.0)
            .collect()
    }

    fn thetao(t: usize) -> Vec<f64> {
        field(2 * 3 * 4, t as f64)
    }

    fn tos(t: usize) -> Vec<f64> {
        let mut v: Vec<f64> = field(3 * 4, 10.0 + t as f64)
            .into_iter()
            .map(|x| x + 273.15)
            .collect();
        for i in TOS_MASK {
            v[i] = FILL_VALUE;
        }
        v
    }

    const TIMES: [f64; 3] = [15.5, 45.0, 74.5];
    const TIME_BOUNDS: [[f64; 2]; 3] = [[0.0, 31.0], [31.0, 59.0], [59.0, 90.0]];

    fn append(w: &mut CfWriter, t: usize) -> Result<usize, CfError> {
        let (a, b) = (thetao(t), tos(t));
        w.append_record(
            TIMES[t],
            TIME_BOUNDS[t],
            &[("thetao", a.as_slice()), ("tos", b.as_slice())],
        )
    }

    /// A fresh file with the three test variables defined and `deptho` written.
    fn new_writer(path: &Path) -> CfWriter {
        let mut w =
            CfWriter::create(path, &axes(), &[("title", "test")], false).expect("create test file");
        w.define(&DEPTHO, Storage::F64).expect("define deptho");
        w.define(&THETAO, Storage::F64).expect("define thetao");
        w.define(&TOS, Storage::F32).expect("define tos");
        w.write_static("deptho", &field(12, 0.5))
            .expect("write deptho");
        w
    }

    #[test]
    fn round_trip_with_reopen() {
        let _serial = serial();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.nc");

        write_and_reopen(&path);

        let r = CfReader::open(&path).expect("open for reading");
        check_dims_and_variables(&r);
        check_time_and_coordinates(&r);
        check_data(&r);
        check_attributes(&r);
        check_reader_errors(&r);

        drop(r);
        ncdump_check(&path);
    }

    /// Writes records 0 and 1 to a fresh file at `path`, closes it, reopens it for appending
    /// (checking the reopened state, idempotent and conflicting re-definitions and the time
    /// order) and appends record 2.
    fn write_and_reopen(path: &Path) {
        let mut w = new_writer(path);
        assert_eq!(w.path(), path);
        assert_eq!(append(&mut w, 0).expect("record 0"), 0);
        assert_eq!(append(&mut w, 1).expect("record 1"), 1);
        w.close().expect("close");

        let mut w = CfWriter::open_append(path).expect("reopen");
        assert_eq!(w.records(), 2);
        assert_eq!(w.last_time(), Some(TIMES[1]));
        // Re-defining exactly as before is a no-op, so restart code can
        // define the whole registry again.
        w.define(&THETAO, Storage::F64).expect("idempotent define");
        assert!(matches!(
            w.define(&TOS, Storage::F64),
            Err(CfError::Conflict { .. })
        ));
        assert!(matches!(append(&mut w, 1), Err(CfError::TimeOrder { .. })));
        assert_eq!(append(&mut w, 2).expect("record 2"), 2);
        w.close().expect("close after append");
    }

    /// Checks the dimension lengths, that every expected variable is listed and the
    /// dimensions of `thetao` in the file written by [`write_and_reopen`].
    fn check_dims_and_variables(r: &CfReader) {
        assert_eq!(r.dim_len("time"), Some(3));
        assert_eq!(r.dim_len("lon"), Some(4));
        assert_eq!(r.dim_len("lat"), Some(3));
        assert_eq!(r.dim_len("depth"), Some(2));
        assert_eq!(r.dim_len("bnds"), Some(2));
        assert_eq!(r.dim_len("nope"), None);

        let names = r.variables();
        for v in [
            "time",
            "time_bnds",
            "lon",
            "lon_bnds",
            "lat",
            "lat_bnds",
            "depth",
            "depth_bnds",
            "deptho",
            "thetao",
            "tos",
        ] {
            assert!(names.iter().any(|n| n == v), "{v} missing from {names:?}");
        }
        assert_eq!(r.var_dims("thetao").expect("dims"), THETAO.dims);
    }

    /// Checks the time axis with its bounds, and each coordinate with its bounds and
    /// attributes, in the file written by [`write_and_reopen`].
    fn check_time_and_coordinates(r: &CfReader) {
        // Time axis.
        assert_eq!(r.times().expect("times"), TIMES);
        let (tb, shape) = r.read("time_bnds").expect("time_bnds");
        assert_eq!(shape, [3, 2]);
        assert_eq!(tb, TIME_BOUNDS.concat());

        // Coordinates and their bounds.
        for axis in axes() {
            let (values, shape) = r.read(&axis.name).expect("coordinate");
            assert_eq!(shape, [axis.len()]);
            assert_eq!(values, axis.values);
            let (bounds, shape) = r.read(&axis.bounds_name()).expect("bounds");
            assert_eq!(shape, [axis.len(), 2]);
            assert_eq!(bounds, axis.bounds.concat());
            assert_eq!(
                r.attr_string(Some(&axis.name), "bounds"),
                Some(axis.bounds_name())
            );
            assert_eq!(
                r.attr_string(Some(&axis.name), "standard_name"),
                Some(axis.standard_name.clone())
            );
            assert_eq!(r.attr_string(Some(&axis.name), "units"), Some(axis.units));
            assert_eq!(
                r.attr_string(Some(&axis.name), "axis"),
                Some(axis.axis.to_string())
            );
        }
        assert_eq!(
            r.attr_string(Some("depth"), "positive").as_deref(),
            Some("down")
        );
        assert_eq!(r.attr_string(Some("lat"), "positive"), None);
    }

    /// Checks the data of the file written by [`write_and_reopen`]: `deptho` and `thetao`
    /// bit-exact, `tos` exact to f32 rounding with its fill kept as `FILL_VALUE`.
    fn check_data(r: &CfReader) {
        // Static variable: bit-exact.
        let (d, shape) = r.read("deptho").expect("deptho");
        assert_eq!(shape, [3, 4]);
        assert_eq!(bits(&d), bits(&field(12, 0.5)));

        // 3-D f64 time variable: bit-exact, whole and per record.
        let (all, shape) = r.read("thetao").expect("thetao");
        assert_eq!(shape, [3, 2, 3, 4]);
        let expected: Vec<f64> = (0..3).flat_map(thetao).collect();
        assert_eq!(bits(&all), bits(&expected));
        for t in 0..3 {
            let rec = r.read_record("thetao", t).expect("thetao record");
            assert_eq!(bits(&rec), bits(&thetao(t)));
        }

        // 2-D f32 time variable: exact to f32 rounding, fill kept as FILL_VALUE.
        let (all, shape) = r.read("tos").expect("tos");
        assert_eq!(shape, [3, 3, 4]);
        for t in 0..3 {
            let expected: Vec<f64> = tos(t)
                .iter()
                .map(|&v| {
                    if v == FILL_VALUE {
                        FILL_VALUE
                    } else {
                        f64::from(v as f32)
                    }
                })
                .collect();
            let rec = r.read_record("tos", t).expect("tos record");
            assert_eq!(bits(&rec), bits(&expected));
            assert_eq!(bits(&all[t * 12..(t + 1) * 12]), bits(&expected));
            for i in TOS_MASK {
                assert_eq!(rec[i], FILL_VALUE);
            }
        }
    }

    /// Checks the global, time and variable attributes (strings, fill values, missing ones)
    /// of the file written by [`write_and_reopen`].
    fn check_attributes(r: &CfReader) {
        assert_eq!(
            r.attr_string(None, "Conventions").as_deref(),
            Some("CF-1.8")
        );
        assert_eq!(r.attr_string(None, "title").as_deref(), Some("test"));
        assert_eq!(r.attr_string(None, "nope"), None);
        assert_eq!(
            r.attr_string(Some("time"), "calendar").as_deref(),
            Some("noleap")
        );
        assert_eq!(
            r.attr_string(Some("time"), "units").as_deref(),
            Some(TIME_UNITS)
        );
        assert_eq!(
            r.attr_string(Some("time"), "bounds").as_deref(),
            Some(TIME_BNDS)
        );
        assert_eq!(r.attr_string(Some("time"), "axis").as_deref(), Some("T"));
        assert_eq!(
            r.attr_string(Some("time"), "standard_name").as_deref(),
            Some("time")
        );
        assert_eq!(
            r.attr_string(Some("thetao"), "units").as_deref(),
            Some("degC")
        );
        assert_eq!(
            r.attr_string(Some("thetao"), "standard_name").as_deref(),
            THETAO.standard_name
        );
        assert_eq!(
            r.attr_string(Some("thetao"), "long_name").as_deref(),
            Some(THETAO.long_name)
        );
        assert_eq!(
            r.attr_string(Some("thetao"), "cell_methods").as_deref(),
            Some("time: mean")
        );
        assert_eq!(r.attr_string(Some("deptho"), "cell_methods"), None);
        assert_eq!(r.attr_string(Some("tos"), "standard_name"), None);
        assert_eq!(r.attr_f64(Some("thetao"), "_FillValue"), Some(FILL_VALUE));
        assert_eq!(
            r.attr_f64(Some("thetao"), "missing_value"),
            Some(FILL_VALUE)
        );
        let fill32 = f64::from(FILL_VALUE as f32);
        assert_eq!(r.attr_f64(Some("tos"), "_FillValue"), Some(fill32));
        assert_eq!(r.attr_f64(Some("tos"), "missing_value"), Some(fill32));
        assert_eq!(r.attr_f64(Some("time"), "units"), None);
        assert_eq!(r.attr_f64(Some("nope"), "units"), None);
    }

    /// Checks the reader's errors on the file written by [`write_and_reopen`]: missing or
    /// impossible variable names, a record past the end and a record of a static variable.
    fn check_reader_errors(r: &CfReader) {
        assert!(matches!(r.read("nope"), Err(CfError::MissingVar { .. })));
        assert!(matches!(r.read(""), Err(CfError::MissingVar { .. })));
        assert!(matches!(
            r.read(&"x".repeat(300)),
            Err(CfError::MissingVar { .. })
        ));
        assert!(matches!(
            r.read_record("tos", 3),
            Err(CfError::RecordOutOfRange {
                index: 3,
                records: 3,
                ..
            })
        ));
        assert!(matches!(
            r.read_record("deptho", 0),
            Err(CfError::WrongKind {
                time_dependent: false,
                ..
            })
        ));
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Cross-checks the header with the reference `ncdump`, when installed.
    fn ncdump_check(path: &Path) {
        let Ok(out) = std::process::Command::new("ncdump")
            .arg("-h")
            .arg(path)
            .output()
        else {
            eprintln!("ncdump not found; skipping the ncdump cross-check");
            return;
        };
        assert!(out.status.success(), "ncdump failed: {out:?}");
        let header = String::from_utf8_lossy(&out.stdout);
        for needle in [
            "time = UNLIMITED",
            "bnds = 2",
            "time:calendar = \"noleap\"",
            ":Conventions = \"CF-1.8\"",
            "double time_bnds(time, bnds)",
            "double thetao(time, depth, lat, lon)",
            "float tos(time, lat, lon)",
            "tos:_FillValue = 1.e+20f",
            "thetao:_FillValue = 1.e+20",
            "lon:bounds = \"lon_bnds\"",
        ] {
            assert!(
                header.contains(needle),
                "`{needle}` not in header:\n{header}"
            );
        }
    }

    #[test]
    fn existing_file_is_not_overwritten_without_force() {
        let _serial = serial();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.nc");
        let mut w = new_writer(&path);
        append(&mut w, 0).expect("record");
        w.close().expect("close");
        let before = std::fs::read(&path).expect("read file");

        let err = CfWriter::create(&path, &axes(), &[], false).expect_err("must refuse");
        assert!(matches!(&err, CfError::Exists { path: p } if p == &path));
        let msg = err.to_string();
        assert!(
            msg.contains("not overwritten") && msg.contains("out.nc"),
            "{msg}"
        );
        assert_eq!(std::fs::read(&path).expect("read file"), before);

        let w = CfWriter::create(&path, &axes(), &[], true).expect("overwrite");
        w.close().expect("close");
        let r = CfReader::open(&path).expect("open");
        assert_eq!(r.dim_len("time"), Some(0));
        assert!(r.times().expect("times").is_empty());
        assert!(!r.variables().iter().any(|v| v == "thetao"));
    }

    #[test]
    fn bad_values_are_rejected_and_leave_the_file_unchanged() {
        let _serial = serial();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.nc");
        let mut w = new_writer(&path);
        let good = thetao(0);
        let sst = tos(0);

        let mut nan = good.clone();
        nan[7] = f64::NAN;
        let err = w
            .append_record(1.0, [0.0, 2.0], &[("tos", &sst), ("thetao", &nan)])
            .expect_err("NaN must be rejected");
        assert!(
            matches!(&err, CfError::NonFinite { var, index: 7 } if var == "thetao"),
            "{err}"
        );
        assert_eq!(w.records(), 0, "a rejected record must not be written");

        let mut inf = sst.clone();
        inf[2] = f64::NEG_INFINITY;
        assert!(matches!(
            w.append_record(1.0, [0.0, 2.0], &[("tos", &inf)]),
            Err(CfError::NonFinite { index: 2, .. })
        ));
        assert!(matches!(
            w.append_record(f64::NAN, [0.0, 2.0], &[]),
            Err(CfError::NonFinite { .. })
        ));

        let mut huge = sst.clone();
        huge[1] = 1e39;
        assert!(matches!(
            w.append_record(1.0, [0.0, 2.0], &[("tos", &huge)]),
            Err(CfError::OutOfRange { index: 1, .. })
        ));

        let err = w
            .append_record(1.0, [0.0, 2.0], &[("thetao", &good[1..])])
            .expect_err("short field");
        assert!(
            matches!(
                &err,
                CfError::Shape { var, expected: 24, got: 23 } if var == "thetao"
            ),
            "{err}"
        );
        assert!(matches!(
            w.write_static("deptho", &[1.0; 5]),
            Err(CfError::Shape {
                expected: 12,
                got: 5,
                ..
            })
        ));
        let mut bad_static = field(12, 0.0);
        bad_static[3] = f64::NAN;
        assert!(matches!(
            w.write_static("deptho", &bad_static),
            Err(CfError::NonFinite { index: 3, .. })
        ));

        assert!(matches!(
            w.append_record(1.0, [0.0, 2.0], &[("nope", &good)]),
            Err(CfError::MissingVar { .. })
        ));
        assert!(matches!(
            w.append_record(1.0, [0.0, 2.0], &[("deptho", &good[..12])]),
            Err(CfError::WrongKind {
                time_dependent: false,
                ..
            })
        ));
        assert!(matches!(
            w.write_static("tos", &sst),
            Err(CfError::WrongKind {
                time_dependent: true,
                ..
            })
        ));
        assert!(matches!(
            w.append_record(3.0, [0.0, 2.0], &[]),
            Err(CfError::TimeBounds { .. })
        ));
        assert_eq!(w.records(), 0);

        // Nothing above reached the file; a good record is still record 0.
        assert_eq!(
            w.append_record(1.0, [0.0, 2.0], &[("thetao", &good), ("tos", &sst)])
                .expect("good record"),
            0
        );
        let err = w
            .append_record(0.5, [0.0, 2.0], &[("thetao", &good)])
            .expect_err("decreasing time");
        assert!(
            matches!(err, CfError::TimeOrder { time, last } if time == 0.5 && last == 1.0),
            "{err}"
        );
        assert!(matches!(
            w.append_record(1.0, [0.0, 2.0], &[]),
            Err(CfError::TimeOrder { .. })
        ));
        // Fields left out of a record read back as fill.
        assert_eq!(
            w.append_record(2.0, [1.0, 3.0], &[]).expect("empty record"),
            1
        );
        w.close().expect("close");

        let r = CfReader::open(&path).expect("open");
        assert_eq!(r.times().expect("times"), [1.0, 2.0]);
        assert_eq!(r.read_record("thetao", 0).expect("rec 0"), good);
        assert!(r
            .read_record("thetao", 1)
            .expect("rec 1")
            .iter()
            .all(|&v| v == FILL_VALUE));
    }

    #[test]
    fn define_checks_dimensions_and_spec() {
        let _serial = serial();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.nc");
        let mut w = CfWriter::create(&path, &axes(), &[], false).expect("create");

        const SIGMA: VarSpec = VarSpec {
            name: "rho",
            long_name: "density on sigma levels",
            standard_name: None,
            units: "kg m-3",
            dims: &["time", "sigma", "lat", "lon"],
            restart: false,
            monthly: false,
            output: true,
        };
        let err = w.define(&SIGMA, Storage::F32).expect_err("unknown dim");
        assert!(
            matches!(&err, CfError::MissingDim { dim, var } if dim == "sigma" && var == "rho"),
            "{err}"
        );
        let msg = err.to_string();
        assert!(msg.contains("sigma") && msg.contains("rho"), "{msg}");

        const BAD: VarSpec = VarSpec {
            name: "bad",
            long_name: "time not first",
            standard_name: None,
            units: "1",
            dims: &["lat", "time"],
            restart: false,
            monthly: false,
            output: true,
        };
        assert!(matches!(
            w.define(&BAD, Storage::F64),
            Err(CfError::Spec(RegistryError::InvalidDims { .. }))
        ));

        // A scalar static variable works too.
        const SCALAR: VarSpec = VarSpec {
            name: "co2",
            long_name: "atmospheric CO2",
            standard_name: None,
            units: "1e-6",
            dims: &[],
            restart: true,
            monthly: false,
            output: true,
        };
        w.define(&SCALAR, Storage::F64).expect("scalar");
        w.write_static("co2", &[280.0]).expect("write scalar");
        w.close().expect("close");
        let r = CfReader::open(&path).expect("open");
        assert_eq!(r.read("co2").expect("co2"), (vec![280.0], vec![]));
    }

    #[test]
    fn invalid_axes_are_rejected_before_touching_disk() {
        let _serial = serial();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.nc");
        let cases = [
            Axis::longitude(vec![], vec![]),
            Axis::longitude(vec![1.0, 2.0], vec![[0.5, 1.5]]),
            Axis::longitude(vec![1.0, 3.0, 2.0], vec![[0.0, 2.0]; 3]),
            Axis::longitude(vec![1.0, 1.0], vec![[0.0, 2.0]; 2]),
            Axis::latitude(vec![0.0, 10.0], vec![[-5.0, 5.0], [5.0, 9.0]]),
            Axis::depth(vec![f64::NAN], vec![[0.0, 1.0]]),
        ];
        for axis in cases {
            let err = CfWriter::create(&path, std::slice::from_ref(&axis), &[], false)
                .expect_err("invalid axis");
            assert!(matches!(err, CfError::Axis { .. }), "{axis:?}: {err}");
            assert!(!path.exists());
        }
        let dup = [axes()[0].clone(), axes()[0].clone()];
        assert!(matches!(
            CfWriter::create(&path, &dup, &[], false),
            Err(CfError::Axis { .. })
        ));
        // Decreasing axes (e.g. latitude north to south) are fine.
        let north_south = Axis::latitude(vec![45.0, -45.0], vec![[90.0, 0.0], [0.0, -90.0]]);
        CfWriter::create(&path, &[north_south], &[], false)
            .expect("decreasing axis")
            .close()
            .expect("close");
    }

    #[test]
    fn open_append_rejects_missing_files() {
        let _serial = serial();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("missing.nc");
        let err = CfWriter::open_append(&path).expect_err("no file");
        assert!(matches!(&err, CfError::Netcdf { path: p, .. } if p == &path));
        assert!(err.to_string().contains("missing.nc"), "{err}");
        assert!(matches!(CfReader::open(&path), Err(CfError::Netcdf { .. })));
    }
}
