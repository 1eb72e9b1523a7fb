//! The variable registry: one table describing every field Chronos can write.
//!
//! Each [`VarSpec`] names a field, gives its CF metadata (long name, standard
//! name, units), the NetCDF dimensions it lives on (in file order) and whether
//! it belongs in restart files. The same [`Registry`] drives the diagnostic
//! NetCDF output (see [`super::cf::CfWriter::define`]) and the restart
//! writer, so a field is described exactly once.

use std::collections::HashSet;

/// Name of the record (time) dimension. When a variable uses it, it must be
/// its first dimension.
pub const TIME_DIM: &str = "time";

/// Longest name NetCDF accepts for a variable or dimension (`NC_MAX_NAME`).
const MAX_NAME_LEN: usize = 256;

/// Static description of one model field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VarSpec {
    /// NetCDF variable name, e.g. `"thetao"`.
    pub name: &'static str,
    /// Human-readable description, written as the `long_name` attribute.
    pub long_name: &'static str,
    /// CF standard name, written as `standard_name` when present.
    pub standard_name: Option<&'static str>,
    /// UDUNITS-compatible units; `"1"` for dimensionless quantities.
    pub units: &'static str,
    /// NetCDF dimension names in file order, e.g. `&["time", "depth", "lat", "lon"]`.
    /// `"time"`, when present, must come first.
    pub dims: &'static [&'static str],
    /// Whether the field is part of the model state saved in restart files. Restart files
    /// give each field its own dimensions (`<name>_d0`, …); `dims` then documents the
    /// state tensor's axes.
    pub restart: bool,
    /// Whether the run drivers sum the field on the device at every coupling interval (or
    /// atmosphere step) to make its monthly mean; the partial sums are restart fields
    /// `sum_<name>`.
    pub monthly: bool,
    /// Whether the field is written to its component's monthly file (or the run's global
    /// series); an output that is not `monthly` is derived at the month's end from the
    /// monthly means.
    pub output: bool,
}

/// Dimensions of a 2-D monthly field.
pub const MAP: &[&str] = &["time", "lat", "lon"];
/// Dimensions of a 3-D monthly ocean field at T points.
pub const VOLUME: &[&str] = &["time", "depth", "lat", "lon"];
/// Dimensions of a monthly global scalar.
pub const SERIES: &[&str] = &["time"];

impl VarSpec {
    /// A state field saved in restart files (`restart` only).
    pub const fn state(
        name: &'static str,
        long_name: &'static str,
        units: &'static str,
        dims: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            long_name,
            standard_name: None,
            units,
            dims,
            restart: true,
            monthly: false,
            output: false,
        }
    }

    /// A monthly mean: summed on the device and written (`monthly` and `output`).
    pub const fn mean(
        name: &'static str,
        long_name: &'static str,
        standard_name: Option<&'static str>,
        units: &'static str,
        dims: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            long_name,
            standard_name,
            units,
            dims,
            restart: false,
            monthly: true,
            output: true,
        }
    }

    /// A written field derived at the month's end from the monthly means (`output` only).
    pub const fn derived(
        name: &'static str,
        long_name: &'static str,
        standard_name: Option<&'static str>,
        units: &'static str,
        dims: &'static [&'static str],
    ) -> Self {
        Self {
            monthly: false,
            ..Self::mean(name, long_name, standard_name, units, dims)
        }
    }

    /// A monthly sum that is not written (`monthly` only), e.g. a flux integral a global
    /// budget is built from.
    pub const fn sum(
        name: &'static str,
        long_name: &'static str,
        units: &'static str,
        dims: &'static [&'static str],
    ) -> Self {
        Self {
            output: false,
            ..Self::mean(name, long_name, None, units, dims)
        }
    }

    /// A monthly global scalar of a run's series file, computed at the month's end
    /// (`output` only, dimensions [`SERIES`]).
    pub const fn series(name: &'static str, long_name: &'static str, units: &'static str) -> Self {
        Self::derived(name, long_name, None, units, SERIES)
    }

    /// The same variable as a plain output description (no restart or monthly role), e.g.
    /// for a file writer.
    pub const fn output_only(self) -> Self {
        Self {
            restart: false,
            monthly: false,
            output: true,
            ..self
        }
    }

    /// True when the variable has the record dimension `"time"`.
    pub fn is_time_dependent(&self) -> bool {
        self.dims.first() == Some(&TIME_DIM)
    }

    /// The dimensions other than `"time"`, in file order. The data of one
    /// record is laid out row-major over these.
    pub fn spatial_dims(&self) -> &[&str] {
        if self.is_time_dependent() {
            &self.dims[1..]
        } else {
            self.dims
        }
    }

    /// Checks this spec on its own: a non-empty NetCDF-compatible name,
    /// non-empty units, non-empty unique dimension names, `"time"` only
    /// first. [`Registry::new`] runs this for every entry.
    ///
    /// # Errors
    ///
    /// The [`RegistryError`] describing the first problem found.
    pub fn validate(&self) -> Result<(), RegistryError> {
        validate(self)
    }
}

/// Why a list of [`VarSpec`]s was rejected by [`Registry::new`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Two specs share a name.
    #[error(
        "variable '{name}' is registered twice; every registry entry needs a unique name \
         (remove or rename one of them)"
    )]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// A spec has an empty name.
    #[error(
        "the variable described as '{long_name}' has an empty name; give every variable \
         a NetCDF name"
    )]
    EmptyName {
        /// The `long_name` of the offending entry, to identify it.
        long_name: String,
    },
    /// A name NetCDF cannot store.
    #[error(
        "variable name '{name}' is not a valid NetCDF name ({reason}); use letters, digits \
         and underscores, at most 256 bytes"
    )]
    InvalidName {
        /// The offending name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A spec has empty units.
    #[error(
        "variable '{name}' has empty units; give UDUNITS units, or \"1\" for a \
         dimensionless quantity"
    )]
    EmptyUnits {
        /// The variable without units.
        name: String,
    },
    /// The dimension list of a spec is malformed.
    #[error("variable '{name}' has invalid dims: {reason}; fix its `dims` list")]
    InvalidDims {
        /// The variable with bad dimensions.
        name: String,
        /// What is wrong with them.
        reason: String,
    },
}

/// An ordered, validated set of [`VarSpec`]s with unique names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    vars: Vec<VarSpec>,
}

impl Registry {
    /// Validates and wraps `vars`, keeping their order.
    ///
    /// # Errors
    ///
    /// [`RegistryError`] when an entry fails [`VarSpec::validate`] or two
    /// entries share a name.
    pub fn new(vars: Vec<VarSpec>) -> Result<Self, RegistryError> {
        let mut seen = HashSet::with_capacity(vars.len());
        for spec in &vars {
            spec.validate()?;
            if !seen.insert(spec.name) {
                return Err(RegistryError::DuplicateName {
                    name: spec.name.to_owned(),
                });
            }
        }
        Ok(Self { vars })
    }

    /// The spec called `name`, if registered.
    pub fn get(&self, name: &str) -> Option<&VarSpec> {
        self.vars.iter().find(|v| v.name == name)
    }

    /// All specs, in registration order.
    pub fn iter(&self) -> std::slice::Iter<'_, VarSpec> {
        self.vars.iter()
    }

    /// The specs that belong in restart files, in registration order.
    pub fn restart_vars(&self) -> impl Iterator<Item = &VarSpec> + '_ {
        self.vars.iter().filter(|v| v.restart)
    }

    /// Number of registered variables.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// True when no variable is registered.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }
}

impl<'a> IntoIterator for &'a Registry {
    type Item = &'a VarSpec;
    type IntoIter = std::slice::Iter<'a, VarSpec>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Checks one spec on its own (uniqueness is checked by the caller).
fn validate(spec: &VarSpec) -> Result<(), RegistryError> {
    let name = spec.name;
    if name.is_empty() {
        return Err(RegistryError::EmptyName {
            long_name: spec.long_name.to_owned(),
        });
    }
    if let Some(reason) = name_problem(name) {
        return Err(RegistryError::InvalidName {
            name: name.to_owned(),
            reason,
        });
    }
    if spec.units.trim().is_empty() {
        return Err(RegistryError::EmptyUnits {
            name: name.to_owned(),
        });
    }
    let bad_dims = |reason: String| RegistryError::InvalidDims {
        name: name.to_owned(),
        reason,
    };
    let mut seen = HashSet::with_capacity(spec.dims.len());
    for (pos, dim) in spec.dims.iter().enumerate() {
        if dim.is_empty() {
            return Err(bad_dims(format!("dimension #{pos} has an empty name")));
        }
        if let Some(reason) = name_problem(dim) {
            return Err(bad_dims(format!("dimension '{dim}': {reason}")));
        }
        if *dim == TIME_DIM && pos != 0 {
            return Err(bad_dims(format!(
                "\"{TIME_DIM}\" is dimension #{pos}, but it must be the first dimension"
            )));
        }
        if !seen.insert(*dim) {
            return Err(bad_dims(format!("dimension '{dim}' is listed twice")));
        }
    }
    Ok(())
}

/// Why `name` cannot be a NetCDF object name, if it cannot.
fn name_problem(name: &str) -> Option<&'static str> {
    if name.len() > MAX_NAME_LEN {
        Some("longer than 256 bytes")
    } else if name.contains('/') {
        Some("contains '/'")
    } else if name.contains('\0') {
        Some("contains a NUL byte")
    } else if name.trim() != name {
        Some("has leading or trailing whitespace")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &'static str, units: &'static str, dims: &'static [&'static str]) -> VarSpec {
        VarSpec {
            name,
            long_name: "test variable",
            standard_name: None,
            units,
            dims,
            restart: false,
            monthly: false,
            output: true,
        }
    }

    #[test]
    fn constructors_set_the_roles() {
        let s = VarSpec::state("ocean_u", "u", "m s-1", &["depth", "lat", "lon_u"]);
        assert!(s.restart && !s.monthly && !s.output);
        let m = VarSpec::mean("tas", "t", None, "K", MAP);
        assert!(!m.restart && m.monthly && m.output);
        let d = VarSpec::derived("wo", "w", None, "m s-1", MAP);
        assert!(!d.monthly && d.output);
        let x = VarSpec::sum("toa_energy", "e", "J", &["one"]);
        assert!(x.monthly && !x.output);
        let g = VarSpec::series("drake", "d", "Sv");
        assert_eq!(g.dims, SERIES);
        assert!(g.output && !g.monthly);
        assert!(s.output_only().output && !s.output_only().restart);
    }

    #[test]
    fn time_and_spatial_dims() {
        let t = spec("thetao", "degC", &["time", "depth", "lat", "lon"]);
        assert!(t.is_time_dependent());
        assert_eq!(t.spatial_dims(), &["depth", "lat", "lon"]);
        let s = spec("deptho", "m", &["lat", "lon"]);
        assert!(!s.is_time_dependent());
        assert_eq!(s.spatial_dims(), &["lat", "lon"]);
        let scalar = spec("co2", "1", &[]);
        assert!(!scalar.is_time_dependent());
        assert!(scalar.spatial_dims().is_empty());
    }

    #[test]
    fn lookup_iteration_and_restart_filter() {
        let mut a = spec("a", "1", &["lat", "lon"]);
        a.restart = true;
        let b = spec("b", "K", &["time", "lat", "lon"]);
        let reg = Registry::new(vec![a, b]).expect("valid registry");
        assert_eq!(reg.len(), 2);
        assert!(!reg.is_empty());
        assert_eq!(reg.get("b").map(|v| v.units), Some("K"));
        assert!(reg.get("c").is_none());
        let names: Vec<_> = reg.iter().map(|v| v.name).collect();
        assert_eq!(names, ["a", "b"]);
        let restart: Vec<_> = reg.restart_vars().map(|v| v.name).collect();
        assert_eq!(restart, ["a"]);
        assert_eq!((&reg).into_iter().count(), 2);
    }

    #[test]
    fn duplicate_name_is_rejected() {
        let err = Registry::new(vec![spec("sst", "K", &[]), spec("sst", "K", &[])])
            .expect_err("duplicate must fail");
        assert_eq!(err, RegistryError::DuplicateName { name: "sst".into() });
        assert!(err.to_string().contains("sst"));
    }

    #[test]
    fn empty_name_and_units_are_rejected() {
        assert_eq!(
            Registry::new(vec![spec("ok", "1", &[]), spec("", "K", &[])]),
            Err(RegistryError::EmptyName {
                long_name: "test variable".into()
            })
        );
        assert_eq!(
            Registry::new(vec![spec("sst", "", &[])]),
            Err(RegistryError::EmptyUnits { name: "sst".into() })
        );
        assert_eq!(
            Registry::new(vec![spec("sst", "  ", &[])]),
            Err(RegistryError::EmptyUnits { name: "sst".into() })
        );
        // "1" is the CF way to say dimensionless.
        assert!(Registry::new(vec![spec("sic", "1", &["lat", "lon"])]).is_ok());
    }

    #[test]
    fn bad_names_and_dims_are_rejected() {
        assert!(matches!(
            Registry::new(vec![spec("a/b", "1", &[])]),
            Err(RegistryError::InvalidName { .. })
        ));
        const BAD: [&[&str]; 4] = [&["lat", "time"], &["lat", "lat"], &["", "lon"], &["la/t"]];
        for dims in BAD {
            assert!(
                matches!(
                    Registry::new(vec![spec("x", "1", dims)]),
                    Err(RegistryError::InvalidDims { .. })
                ),
                "{dims:?} should be rejected"
            );
        }
    }
}
