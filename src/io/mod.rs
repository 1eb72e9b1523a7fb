//! Input and output: the variable registry ([`registry`]) that drives NetCDF output, the
//! restart variables of every state by name ([`fields`]), and CF-1.8 NetCDF files with a
//! `noleap` time axis ([`cf`]).

pub mod axes;
pub mod cf;
pub mod fields;
pub mod registry;

pub use cf::{Axis, CfError, CfReader, CfWriter, Storage, FILL_VALUE};
pub use registry::{Registry, RegistryError, VarSpec};
