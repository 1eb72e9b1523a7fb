//! CF-1.8 files on the real model grids: write, reopen, append, read back exactly; the
//! coordinates are in the Chronos frame; the file passes the CF checker when available.

use crate::common::cf_check;
use chronos::config::ResolvedConfig;
use chronos::grid::ModelGrids;
use chronos::io::{axes, CfReader, CfWriter, Storage, VarSpec, FILL_VALUE};
use std::sync::Mutex;

/// HDF5 locks are held by open file descriptors, which a child process (the CF checker)
/// inherits: tests that open files and spawn the checker must not overlap.
static FILES: Mutex<()> = Mutex::new(());

const GLOBAL: &[(&str, &str)] = &[
    ("title", "Chronos test file"),
    ("history", "written by the chronos test suite"),
];

const SST: VarSpec = VarSpec {
    name: "sst",
    long_name: "Sea surface temperature",
    standard_name: Some("sea_surface_temperature"),
    units: "K",
    dims: &["time", "lat", "lon"],
    restart: false,
    monthly: false,
    output: true,
};
const TEMP: VarSpec = VarSpec {
    name: "thetao",
    long_name: "Sea water potential temperature",
    standard_name: Some("sea_water_potential_temperature"),
    units: "degC",
    dims: &["time", "depth", "lat", "lon"],
    restart: true,
    monthly: false,
    output: true,
};
const AREA: VarSpec = VarSpec {
    name: "areacello",
    long_name: "Grid-cell area",
    standard_name: Some("cell_area"),
    units: "m2",
    dims: &["lat", "lon"],
    restart: false,
    monthly: false,
    output: true,
};

#[test]
fn ocean_file_on_the_t31_grid_round_trips() {
    let _guard = FILES.lock().unwrap_or_else(|e| e.into_inner());
    let grids = ModelGrids::new(&ResolvedConfig::builtin("t31").unwrap().model).unwrap();
    let (o, l) = (&grids.ocean, &grids.levels);
    let (nx, ny, nz) = (o.nx(), o.ny, l.nz());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ocean_0001.nc");
    let [lon, lat] = axes::ocean_axes(o);
    let mut w = CfWriter::create(&path, &[lon, lat, axes::depth_axis(l)], GLOBAL, false).unwrap();
    w.define(&SST, Storage::F32).unwrap();
    w.define(&TEMP, Storage::F64).unwrap();
    w.define(&AREA, Storage::F64).unwrap();
    let area: Vec<f64> = o
        .area_t()
        .iter()
        .flat_map(|a| std::iter::repeat_n(*a, nx))
        .collect();
    w.write_static("areacello", &area).unwrap();
    let field = |month: usize, k: usize| -> Vec<f64> {
        (0..ny * nx)
            .map(|p| {
                if p % 7 == 0 {
                    FILL_VALUE
                } else {
                    271.0 + (p as f64).sin() + month as f64 * 0.1 - k as f64 * 1e-9
                }
            })
            .collect()
    };
    let temp = |m: usize| -> Vec<f64> { (0..nz).flat_map(|k| field(m, k)).collect() };
    for m in 0..2 {
        let t = 15.5 + 31.0 * m as f64;
        w.append_record(
            t,
            [t - 15.5, t + 15.5],
            &[("sst", &field(m, 0)), ("thetao", &temp(m))],
        )
        .unwrap();
    }
    w.close().unwrap();
    let mut w = CfWriter::open_append(&path).unwrap();
    w.append_record(
        74.0,
        [59.0, 90.0],
        &[("sst", &field(2, 0)), ("thetao", &temp(2))],
    )
    .unwrap();
    w.close().unwrap();

    let r = CfReader::open(&path).unwrap();
    assert_eq!(r.times().unwrap(), vec![15.5, 46.5, 74.0]);
    for m in 0..3 {
        assert_eq!(r.read_record("thetao", m).unwrap(), temp(m), "f64 exact");
        let want: Vec<f64> = field(m, 0)
            .iter()
            .map(|&v| if v == FILL_VALUE { v } else { v as f32 as f64 })
            .collect();
        assert_eq!(
            r.read_record("sst", m).unwrap(),
            want,
            "f32 to f32 rounding"
        );
    }
    let (lon, shape) = r.read("lon").unwrap();
    assert_eq!(shape, vec![96]);
    assert_eq!(lon[0], 0.0, "first cell centre at 0°E");
    let (lat, _) = r.read("lat").unwrap();
    assert!(lat[0] < lat[1], "latitude south to north");
    let (a, _) = r.read("areacello").unwrap();
    assert_eq!(a, area);
    assert_eq!(
        r.attr_string(Some("time"), "calendar").as_deref(),
        Some("noleap")
    );
    assert_eq!(
        r.attr_string(None, "Conventions").as_deref(),
        Some("CF-1.8")
    );
    // Never silently overwritten.
    let err = match CfWriter::create(&path, &axes::ocean_axes(o), &[], false) {
        Ok(_) => panic!("an existing file was overwritten"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("already exists") && err.contains("ocean_0001.nc"),
        "{err}"
    );

    cf_check(&path);
}

#[test]
fn atmosphere_axes_have_gaussian_bounds() {
    let _guard = FILES.lock().unwrap_or_else(|e| e.into_inner());
    let grids = ModelGrids::new(&ResolvedConfig::builtin("t63").unwrap().model).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("atmos.nc");
    let w = CfWriter::create(
        &path,
        &axes::gaussian_axes(&grids.atmosphere),
        GLOBAL,
        false,
    )
    .unwrap();
    w.close().unwrap();
    let r = CfReader::open(&path).unwrap();
    let (b, shape) = r.read("lat_bnds").unwrap();
    assert_eq!(shape, vec![96, 2]);
    // Bounds reproduce the Gaussian weights: sin φ_{j+½} − sin φ_{j−½} = w_j.
    for j in 0..96 {
        let dmu = b[2 * j + 1].to_radians().sin() - b[2 * j].to_radians().sin();
        assert!((dmu - grids.atmosphere.weights[j]).abs() < 1e-14);
    }
    cf_check(&path);
}
