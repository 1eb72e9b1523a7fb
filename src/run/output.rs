//! The coupled run's NetCDF output: one CF-1.8 file of monthly means per component and year
//! (`atmos_YYYY.nc`, `ocean_YYYY.nc`, `land_YYYY.nc`, `seaice_YYYY.nc`) and the monthly
//! global time series `global.nc`.
//!
//! Every file is written by the same calls — [`create`], then per month
//! [`CfWriter::append_record`] and [`CfWriter::sync`] — whether it is written by a run or
//! rebuilt on resume ([`rebuild`]: the records up to the restart's time are copied into a new
//! file). A resumed run therefore writes files byte for byte equal to those of an
//! uninterrupted one.

use crate::io::{Axis, CfError, CfReader, CfWriter, Storage, VarSpec};
use std::path::{Path, PathBuf};

/// One output variable: CMIP-style name, long name, CF standard name, units, dimensions.
pub type VarDef = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static [&'static str],
);

/// Dimensions of a 2-D monthly field.
pub const MAP: &[&str] = &["time", "lat", "lon"];
/// Dimensions of a 3-D monthly ocean field at T points.
pub const VOLUME: &[&str] = &["time", "depth", "lat", "lon"];

/// The land's monthly fields (atmosphere grid, missing where a cell has no land).
pub const LAND_VARS: [VarDef; 5] = [
    (
        "ts_land",
        "ice-free land surface temperature",
        Some("surface_temperature"),
        "K",
        MAP,
    ),
    (
        "mrso",
        "soil water",
        Some("mass_content_of_water_in_soil"),
        "kg m-2",
        MAP,
    ),
    (
        "snw",
        "snow water equivalent on ice-free land",
        Some("surface_snow_amount"),
        "kg m-2",
        MAP,
    ),
    (
        "ts_landice",
        "ice-sheet surface temperature",
        Some("surface_temperature"),
        "K",
        MAP,
    ),
    (
        "snw_landice",
        "snow water equivalent on the ice sheet",
        Some("surface_snow_amount"),
        "kg m-2",
        MAP,
    ),
];

/// The ocean's monthly fields (ocean grid, missing on land).
pub const OCEAN_VARS: [VarDef; 12] = [
    (
        "thetao",
        "sea water potential temperature",
        Some("sea_water_potential_temperature"),
        "degC",
        VOLUME,
    ),
    (
        "so",
        "sea water salinity",
        Some("sea_water_salinity"),
        "g kg-1",
        VOLUME,
    ),
    (
        "uo",
        "sea water eastward velocity (east faces)",
        Some("sea_water_x_velocity"),
        "m s-1",
        &["time", "depth", "lat", "lon_u"],
    ),
    (
        "vo",
        "sea water northward velocity (north faces)",
        Some("sea_water_y_velocity"),
        "m s-1",
        &["time", "depth", "lat_v", "lon"],
    ),
    (
        "wo",
        "sea water upward velocity (cell tops), from the monthly-mean u and v by continuity",
        Some("upward_sea_water_velocity"),
        "m s-1",
        &["time", "depth_w", "lat", "lon"],
    ),
    (
        "agessc",
        "ideal age: time since the water last touched the surface level",
        Some("sea_water_age_since_surface_contact"),
        "yr",
        VOLUME,
    ),
    (
        "tos",
        "sea surface temperature (top level)",
        Some("sea_surface_temperature"),
        "degC",
        MAP,
    ),
    (
        "sos",
        "sea surface salinity (top level)",
        Some("sea_surface_salinity"),
        "g kg-1",
        MAP,
    ),
    (
        "msftbarot",
        "barotropic volume transport streamfunction (cell north-east corners)",
        Some("ocean_barotropic_streamfunction"),
        "m3 s-1",
        &["time", "lat_v", "lon_u"],
    ),
    (
        "mlotst",
        "mixed-layer depth: depth of the first level whose potential density exceeds the top level's by 0.03 kg m-3 (column depth when none does)",
        Some("ocean_mixed_layer_thickness_defined_by_sigma_t"),
        "m",
        MAP,
    ),
    (
        "hfds",
        "net downward heat flux into the sea water (frazil excluded)",
        Some("surface_downward_heat_flux_in_sea_water"),
        "W m-2",
        MAP,
    ),
    (
        "wfo",
        "freshwater flux into the sea water (runoff and hosing included)",
        Some("water_flux_into_sea_water"),
        "kg m-2 s-1",
        MAP,
    ),
];

/// The sea ice's monthly fields (ocean grid, missing on land).
pub const SEAICE_VARS: [VarDef; 5] = [
    (
        "siconc",
        "sea-ice area fraction",
        Some("sea_ice_area_fraction"),
        "1",
        MAP,
    ),
    (
        "sivol",
        "sea-ice volume per unit cell area",
        None,
        "m",
        MAP,
    ),
    (
        "sithick",
        "sea-ice thickness: monthly-mean volume over monthly-mean concentration (missing without ice)",
        Some("sea_ice_thickness"),
        "m",
        MAP,
    ),
    (
        "sisnthick",
        "snow on sea ice, volume per unit cell area",
        None,
        "m",
        MAP,
    ),
    (
        "sitemptop",
        "sea-ice surface temperature (the freezing point where there is no ice)",
        Some("sea_ice_surface_temperature"),
        "K",
        MAP,
    ),
];

/// The monthly global diagnostics of `global.nc`: name, long name, units.
pub const GLOBAL_VARS: [(&str, &str, &str); 17] = [
    ("tas", "global-mean surface air temperature", "K"),
    ("sst", "ocean-area mean sea surface temperature", "degC"),
    ("toa_net", "global-mean net downward TOA flux", "W m-2"),
    ("ocean_heat_uptake", "global-mean heat flux into the ocean", "W m-2"),
    ("siarea_n", "Northern Hemisphere sea-ice area", "1e6 km2"),
    ("siarea_s", "Southern Hemisphere sea-ice area", "1e6 km2"),
    ("sivol_n", "Northern Hemisphere sea-ice volume", "1e3 km3"),
    ("sivol_s", "Southern Hemisphere sea-ice volume", "1e3 km3"),
    ("amoc_26n", "maximum Atlantic overturning at 26.5N below 500 m, monthly-mean v", "Sv"),
    ("drake", "Drake Passage transport, monthly-mean psi", "Sv"),
    ("thetao_mean", "volume-mean ocean potential temperature", "degC"),
    ("thetao_deep", "volume-mean ocean potential temperature below 2000 m", "degC"),
    ("so_mean", "volume-mean ocean salinity", "g kg-1"),
    ("pr", "global-mean precipitation", "kg m-2 s-1"),
    ("energy_residual", "d(total energy)/dt minus TOA net flux over the month, per unit Earth area", "W m-2"),
    ("water_residual", "relative change of total water over the month", "1"),
    ("salt_residual", "relative change of ocean + ice salt (with the virtual salt of the freshwater received) over the month", "1"),
];

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
    pub vars: Vec<VarDef>,
    /// On-disk precision of the data variables.
    pub storage: Storage,
    /// Global attributes after `Conventions`.
    pub attrs: Vec<(String, String)>,
}

impl FileSpec {
    /// The variable names in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.vars.iter().map(|v| v.0).collect()
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
    for &(name, long_name, standard_name, units, dims) in &spec.vars {
        w.define(
            &VarSpec {
                name,
                long_name,
                standard_name,
                units,
                dims,
                restart: false,
            },
            spec.storage,
        )?;
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
