//! Boundary data on the model's own grids, read from the NetCDF files that
//! `models/data/make_boundary_data.py` derives from offline sources (see `models/data/README.md`).
//!
//! The ocean wet mask (`ocean_grid.nc`) is the one source of truth for surfaces: the
//! atmosphere's ocean fraction (`atmos_surface.nc`) is its conservative remap onto the
//! Gaussian grid and land fraction = 1 − ocean fraction.
//!
//! Files are found in, in order: `$CHRONOS_DATA_DIR/<model>/`, `<exe>/../share/chronos/data/<model>/`
//! and the source tree's `models/data/<model>/`. Loading checks that the files' coordinates
//! are the model's grids, so data made for another grid is refused with the command that
//! regenerates it.

use crate::grid::ModelGrids;
use crate::io::{CfError, CfReader, FILL_VALUE};
use std::path::{Path, PathBuf};

/// Errors finding or reading boundary data.
#[derive(Debug, thiserror::Error)]
pub enum BoundaryError {
    /// No folder holds the model's files.
    #[error("no boundary data for model `{model}`: looked in {looked}; set CHRONOS_DATA_DIR to a folder holding {model}/ocean_grid.nc, or regenerate them: `bash models/data/fetch_sources.sh /tmp/src && venv-data/bin/python models/data/make_boundary_data.py --sources /tmp/src --out models/data` (models/data/README.md)")]
    NotFound {
        /// Model name.
        model: String,
        /// The folders searched.
        looked: String,
    },
    /// A file could not be read.
    #[error(transparent)]
    File(#[from] CfError),
    /// The file's grid is not the model's.
    #[error("{path}: {what} does not match the model grid ({detail}); the data were made for another grid: regenerate them with `bash models/data/fetch_sources.sh /tmp/src && venv-data/bin/python models/data/make_boundary_data.py --sources /tmp/src --out models/data` (models/data/README.md)")]
    GridMismatch {
        /// The file.
        path: PathBuf,
        /// Which coordinate.
        what: String,
        /// Values found and expected.
        detail: String,
    },
}

/// The ocean's geometry on its C-grid, each `[ny, nx]` row-major.
#[derive(Debug, Clone)]
pub struct OceanGeometry {
    /// Wet (ocean) T cells of the surface level.
    pub wet: Vec<bool>,
    /// Number of wet levels per column (0 on land); level k is wet where k < kbot.
    pub kbot: Vec<usize>,
    /// Model sea-floor depth z_w\[kbot\] (m, positive down; 0 on land).
    pub sea_floor_depth: Vec<f64>,
    /// Basin code: 0 land, 1 Atlantic, 2 Pacific, 3 Indian, 4 Southern, 5 Arctic, 6 marginal seas.
    pub basin: Vec<u8>,
}

/// Surface fields on the atmosphere's Gaussian grid, each `[nlat, nlon]` row-major.
#[derive(Debug, Clone)]
pub struct AtmosphereSurface {
    /// Ocean area fraction (1), the conservative remap of the ocean wet mask.
    pub ocean_fraction: Vec<f64>,
    /// Land area fraction (1) = 1 − ocean fraction.
    pub land_fraction: Vec<f64>,
    /// Mean surface altitude of the land part (m).
    pub orography: Vec<f64>,
    /// Land-ice fraction of the cell (1).
    pub land_ice_fraction: Vec<f64>,
    /// For cells with land, the flat index j·nx + i of the ocean-grid wet cell that receives
    /// their runoff; −1 where the cell has no land.
    pub river_outlet: Vec<i64>,
}

/// The boundary data of one model.
#[derive(Debug, Clone)]
pub struct BoundaryData {
    /// The folder the files came from.
    pub dir: PathBuf,
    /// Ocean geometry.
    pub ocean: OceanGeometry,
    /// Atmosphere surface fields.
    pub atmosphere: AtmosphereSurface,
}

/// The folders searched for `<model>/`, in order.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(d) = std::env::var("CHRONOS_DATA_DIR") {
        if !d.trim().is_empty() {
            dirs.push(PathBuf::from(d));
        }
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        dirs.push(exe_dir.join("../share/chronos/data"));
    }
    dirs.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/data"
    )));
    dirs
}

/// The folder holding `<model>/ocean_grid.nc`.
///
/// # Errors
/// [`BoundaryError::NotFound`] naming the folders searched.
pub fn find_model_dir(model: &str) -> Result<PathBuf, BoundaryError> {
    let dirs = search_dirs();
    dirs.iter()
        .map(|d| d.join(model))
        .find(|d| d.join("ocean_grid.nc").is_file())
        .ok_or_else(|| BoundaryError::NotFound {
            model: model.into(),
            looked: dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn check_axis(
    r: &CfReader,
    path: &Path,
    name: &str,
    want: &[f64],
    tol: f64,
) -> Result<(), BoundaryError> {
    let (got, _) = r.read(name)?;
    let mismatch = |detail: String| BoundaryError::GridMismatch {
        path: path.into(),
        what: name.into(),
        detail,
    };
    if got.len() != want.len() {
        return Err(mismatch(format!(
            "{} values in the file, {} in the model",
            got.len(),
            want.len()
        )));
    }
    if let Some((k, (g, w))) = got
        .iter()
        .zip(want)
        .enumerate()
        .find(|(_, (g, w))| (*g - *w).abs() > tol)
    {
        return Err(mismatch(format!("index {k}: file {g}, model {w}")));
    }
    Ok(())
}

fn unfill(v: Vec<f64>, land: f64) -> Vec<f64> {
    v.into_iter()
        .map(|x| if x == FILL_VALUE { land } else { x })
        .collect()
}

impl BoundaryData {
    /// Loads the boundary data of model `name` (e.g. `t31`) and checks it against `grids`.
    ///
    /// # Errors
    /// [`BoundaryError`] when the files are missing, unreadable or for another grid.
    pub fn load(name: &str, grids: &ModelGrids) -> Result<Self, BoundaryError> {
        let dir = find_model_dir(name)?;
        Self::load_from(&dir, grids)
    }

    /// Loads from an explicit folder (holding `ocean_grid.nc` and `atmos_surface.nc`).
    ///
    /// # Errors
    /// As [`BoundaryData::load`].
    pub fn load_from(dir: &Path, grids: &ModelGrids) -> Result<Self, BoundaryError> {
        let opath = dir.join("ocean_grid.nc");
        let o = CfReader::open(&opath)?;
        check_axis(&o, &opath, "lon", &grids.ocean.lon.centres_deg, 1e-9)?;
        check_axis(&o, &opath, "lat", &grids.ocean.lat_t_deg, 1e-9)?;
        check_axis(&o, &opath, "z_w", &grids.levels.z_w, 1e-6)?;
        let (wet, _) = o.read("wet")?;
        let (kbot, _) = o.read("kbot")?;
        let (depth, _) = o.read("sea_floor_depth")?;
        let (basin, _) = o.read("basin")?;
        let ocean = OceanGeometry {
            wet: wet.iter().map(|&w| w == 1.0).collect(),
            kbot: kbot.iter().map(|&k| k as usize).collect(),
            sea_floor_depth: unfill(depth, 0.0),
            basin: basin.iter().map(|&b| b as u8).collect(),
        };
        let apath = dir.join("atmos_surface.nc");
        let a = CfReader::open(&apath)?;
        check_axis(&a, &apath, "lon", &grids.atmosphere.lon.centres_deg, 1e-9)?;
        check_axis(&a, &apath, "lat", &grids.atmosphere.lat_deg, 1e-9)?;
        let read =
            |name: &str| -> Result<Vec<f64>, BoundaryError> { Ok(unfill(a.read(name)?.0, 0.0)) };
        let atmosphere = AtmosphereSurface {
            ocean_fraction: read("ocean_fraction")?,
            land_fraction: read("land_fraction")?,
            orography: read("orography")?,
            land_ice_fraction: read("land_ice_fraction")?,
            river_outlet: a
                .read("river_outlet")?
                .0
                .iter()
                .map(|&x| x as i64)
                .collect(),
        };
        Ok(BoundaryData {
            dir: dir.into(),
            ocean,
            atmosphere,
        })
    }
}
