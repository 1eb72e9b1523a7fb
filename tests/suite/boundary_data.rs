//! The committed boundary data (models/data/t31, t63) on the model grids: grid agreement,
//! known places, connectivity, one source of truth for surfaces, river routing, initial state.
//! The Python self-check `models/data/check_boundary_data.py` tests the same files against
//! the source data; these tests check them through the Rust loader the model uses.

use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::coupler::ConservativeRegrid;
use chronos::forcing::BoundaryData;
use chronos::grid::ModelGrids;
use chronos::io::{CfReader, FILL_VALUE};
use chronos::numerics::compensated_sum;

use crate::common;

fn load(name: &str) -> (ModelGrids, BoundaryData) {
    let grids = ModelGrids::new(&ResolvedConfig::builtin(name).unwrap().model).unwrap();
    let data = BoundaryData::load(name, &grids).unwrap_or_else(|e| panic!("{name}: {e}"));
    (grids, data)
}

/// Ocean-grid cell (j, i) of a place.
fn ocean_cell(g: &ModelGrids, lat: f64, lon: f64) -> (usize, usize) {
    (
        g.ocean.row_of(lat).expect("inside the ocean grid"),
        g.ocean.lon.index_of(lon),
    )
}

/// Gaussian-grid cell (j, i) of a place.
fn atmos_cell(g: &ModelGrids, lat: f64, lon: f64) -> (usize, usize) {
    let j = chronos::grid::frame::lat_index_of(&g.atmosphere.lat_edges_deg, lat).unwrap();
    (j, g.atmosphere.lon.index_of(lon))
}

#[test]
fn known_places_on_every_grid() {
    for name in ["t31", "t63"] {
        let (g, d) = load(name);
        let nx = g.ocean.nx();
        let wet = |lat: f64, lon: f64| {
            let (j, i) = ocean_cell(&g, lat, lon);
            d.ocean.wet[j * nx + i]
        };
        let na = g.atmosphere.nlon();
        let at = |v: &Vec<f64>, lat: f64, lon: f64| {
            let (j, i) = atmos_cell(&g, lat, lon);
            v[j * na + i]
        };
        assert!(!wet(20.0, 10.0), "{name}: Sahara is land");
        assert!(
            at(&d.atmosphere.land_fraction, 20.0, 10.0) > 0.99,
            "{name}: Sahara land fraction"
        );
        assert!(
            wet(0.0, 180.0) && wet(-20.0, -150.0),
            "{name}: central Pacific is ocean"
        );
        assert!(at(&d.atmosphere.ocean_fraction, 0.0, 180.0) > 0.99);
        assert!(
            wet(30.0, -30.0),
            "{name}: North Atlantic at 30°N 30°W is ocean"
        );
        assert!(
            !wet(9.0, -79.5),
            "{name}: Isthmus of Panama is land in the ocean mask"
        );
        assert!(
            wet(79.0, 0.0),
            "{name}: Fram Strait connects the Atlantic and the Arctic"
        );
        assert!(
            at(&d.atmosphere.land_ice_fraction, 72.0, -40.0) > 0.5,
            "{name}: Greenland ice"
        );
        assert!(
            at(&d.atmosphere.land_ice_fraction, -85.0, 0.0) > 0.5,
            "{name}: Antarctic ice"
        );
        assert!(
            at(&d.atmosphere.land_ice_fraction, 20.0, 10.0) == 0.0,
            "{name}: no ice on the Sahara"
        );
        // Drake Passage: a latitude row in 54–64°S that is wet all around the globe.
        let open = (0..g.ocean.ny)
            .filter(|&j| (-64.0..=-54.0).contains(&g.ocean.lat_t_deg[j]))
            .any(|j| (0..nx).all(|i| d.ocean.wet[j * nx + i] && d.ocean.kbot[j * nx + i] >= 2));
        assert!(
            open,
            "{name}: Drake Passage must be open (a circumpolar wet row)"
        );
    }
}

#[test]
fn one_connected_ocean_with_at_least_two_levels() {
    for name in ["t31", "t63"] {
        let (g, d) = load(name);
        let (ny, nx, nz) = (g.ocean.ny, g.ocean.nx(), g.levels.nz());
        for p in 0..ny * nx {
            let k = d.ocean.kbot[p];
            if d.ocean.wet[p] {
                assert!((2..=nz).contains(&k), "{name}: wet cell {p} has kbot {k}");
                assert!((d.ocean.sea_floor_depth[p] - g.levels.z_w[k]).abs() < 1e-3);
                assert!(d.ocean.basin[p] >= 1);
            } else {
                assert_eq!(k, 0);
                assert_eq!(d.ocean.basin[p], 0);
            }
        }
        // Flood fill (periodic in x) from the North Atlantic reaches every wet cell.
        let (j0, i0) = ocean_cell(&g, 30.0, -30.0);
        let mut seen = vec![false; ny * nx];
        let mut stack = vec![j0 * nx + i0];
        seen[j0 * nx + i0] = true;
        while let Some(p) = stack.pop() {
            let (j, i) = (p / nx, p % nx);
            let mut nb = vec![j * nx + (i + 1) % nx, j * nx + (i + nx - 1) % nx];
            if j > 0 {
                nb.push(p - nx);
            }
            if j + 1 < ny {
                nb.push(p + nx);
            }
            for q in nb {
                if d.ocean.wet[q] && !seen[q] {
                    seen[q] = true;
                    stack.push(q);
                }
            }
        }
        let isolated = (0..ny * nx).filter(|&p| d.ocean.wet[p] && !seen[p]).count();
        assert_eq!(
            isolated, 0,
            "{name}: {isolated} wet cells are not connected to the World Ocean"
        );
    }
}

#[test]
fn ocean_fraction_is_the_remapped_wet_mask() {
    let dev = Default::default();
    for name in ["t31", "t63"] {
        let (g, d) = load(name);
        let (ny, nx) = (g.ocean.ny, g.ocean.nx());
        let (nlat, nlon) = (g.atmosphere.nlat, g.atmosphere.nlon());
        let mu = |e: &[f64]| e.iter().map(|l| l.to_radians().sin()).collect::<Vec<_>>();
        let remap = ConservativeRegrid::<Cpu64>::new(
            &g.ocean.lon.edges_deg,
            &mu(&g.ocean.lat_edges_deg),
            &g.atmosphere.lon.edges_deg,
            &g.atmosphere.mu_edges,
            &dev,
        );
        let wet: Vec<f64> = d
            .ocean
            .wet
            .iter()
            .map(|&w| f64::from(u8::from(w)))
            .collect();
        let frac =
            to_vec_f64(remap.apply(tensor_from_vec::<Cpu64, 3>(wet.clone(), [1, ny, nx], &dev)));
        let worst = frac
            .iter()
            .zip(&d.atmosphere.ocean_fraction)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            worst < 1e-12,
            "{name}: file ocean_fraction differs from remap(wet) by {worst:e}"
        );
        for (o, l) in d
            .atmosphere
            .ocean_fraction
            .iter()
            .zip(&d.atmosphere.land_fraction)
        {
            assert!((o + l - 1.0).abs() < 1e-15);
        }
        // Both grids hold the same ocean area.
        let area_o = compensated_sum(
            g.ocean
                .area_t()
                .iter()
                .enumerate()
                .flat_map(|(j, a)| (0..nx).map(move |i| (j, i, *a)))
                .map(|(j, i, a)| a * wet[j * nx + i]),
        );
        let rows = g.atmosphere.row_areas();
        let area_a = compensated_sum(
            (0..nlat * nlon).map(|p| rows[p / nlon] * d.atmosphere.ocean_fraction[p]),
        );
        let rel = (area_a - area_o) / area_o;
        println!("{name}: ocean area {area_o:.6e} m² (ocean grid) vs {area_a:.6e} m² (Gaussian), relative {rel:.1e}");
        assert!(rel.abs() < 1e-13, "{name}: {rel:e}");
        // Land fraction within 0.01 of ETOPO5's 0.2861 over the sphere (models/data/README.md).
        let land = compensated_sum(
            (0..nlat * nlon).map(|p| rows[p / nlon] * d.atmosphere.land_fraction[p]),
        ) / compensated_sum(rows.iter().map(|r| r * nlon as f64));
        println!("{name}: land fraction {land:.4}");
        assert!((land - 0.2861).abs() < 0.01, "{name}: land fraction {land}");
    }
}

#[test]
fn every_land_cell_drains_to_a_coastal_ocean_cell() {
    for name in ["t31", "t63"] {
        let (g, d) = load(name);
        let (ny, nx) = (g.ocean.ny, g.ocean.nx());
        for (p, (&land, &out)) in d
            .atmosphere
            .land_fraction
            .iter()
            .zip(&d.atmosphere.river_outlet)
            .enumerate()
        {
            if land > 0.0 {
                assert!(
                    out >= 0 && (out as usize) < ny * nx,
                    "{name}: cell {p} has outlet {out}"
                );
                let q = out as usize;
                assert!(d.ocean.wet[q], "{name}: outlet of {p} is land");
                let (j, i) = (q / nx, q % nx);
                let coast = [
                    Some(j * nx + (i + 1) % nx),
                    Some(j * nx + (i + nx - 1) % nx),
                    j.checked_sub(1).map(|jm| jm * nx + i),
                    (j + 1 < ny).then(|| (j + 1) * nx + i),
                ]
                .into_iter()
                .any(|n| n.is_none_or(|n| !d.ocean.wet[n]));
                assert!(coast, "{name}: outlet {q} of cell {p} is not coastal");
            } else {
                assert_eq!(out, -1);
            }
        }
    }
}

#[test]
fn initial_ocean_state_is_filled_only_where_dry() {
    for name in ["t31", "t63"] {
        let (g, d) = load(name);
        let r = CfReader::open(&d.dir.join("ocean_initial.nc")).unwrap();
        let (t, shape) = r.read("temperature").unwrap();
        let (s, _) = r.read("salinity").unwrap();
        let (nz, ny, nx) = (g.levels.nz(), g.ocean.ny, g.ocean.nx());
        assert_eq!(shape, vec![nz, ny, nx]);
        for k in 0..nz {
            for p in 0..ny * nx {
                let idx = k * ny * nx + p;
                if k < d.ocean.kbot[p] {
                    assert!(
                        (-2.5..32.0).contains(&t[idx]),
                        "{name}: T = {} at level {k}, cell {p}",
                        t[idx]
                    );
                    assert!(
                        (0.0..42.0).contains(&s[idx]),
                        "{name}: S = {} at level {k}, cell {p}",
                        s[idx]
                    );
                } else {
                    assert_eq!(t[idx], FILL_VALUE);
                    assert_eq!(s[idx], FILL_VALUE);
                }
            }
        }
    }
}

#[test]
fn data_for_another_grid_is_refused() {
    // The T31 files checked against the T63 grids.
    let grids = ModelGrids::new(&ResolvedConfig::builtin("t63").unwrap().model).unwrap();
    let dir = chronos::forcing::boundary::find_model_dir("t31").unwrap();
    let err = BoundaryData::load_from(&dir, &grids)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("does not match the model grid") && err.contains("make_boundary_data.py"),
        "{err}"
    );
}

#[test]
fn every_data_file_passes_the_cf_checker() {
    for name in ["t31", "t63"] {
        let dir = chronos::forcing::boundary::find_model_dir(name).unwrap();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "nc"))
            .collect();
        files.sort();
        assert!(files.len() >= 9, "{name}: {} files", files.len());
        for f in files {
            common::cf_check(&f);
        }
    }
}
