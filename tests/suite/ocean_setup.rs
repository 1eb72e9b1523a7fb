//! The ocean's constant fields and initial state built from the boundary data.

use chronos::backend::{to_vec_f64, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::forcing::BoundaryData;
use chronos::grid::ModelGrids;
use chronos::ocean::{OceanModel, OceanState};

/// A number the data generator wrote to `sanity.txt` (computed in Python from the same data).
fn sanity(dir: &std::path::Path, key: &str) -> f64 {
    let text = std::fs::read_to_string(dir.join("sanity.txt")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("{key} not in sanity.txt"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn masks_and_levitus_state_agree_with_the_data() {
    let d = Default::default();
    for name in ["t31", "t63"] {
        let cfg = ResolvedConfig::builtin(name).unwrap().model;
        let grids = ModelGrids::new(&cfg).unwrap();
        let data = BoundaryData::load(name, &grids).unwrap();
        let m = OceanModel::<Cpu64>::new(&cfg, &grids, &data, &d).unwrap();
        let [nz, ny, nx] = m.shape;
        let t = to_vec_f64(m.mask_t.clone());
        let u = to_vec_f64(m.mask_u.clone());
        let v = to_vec_f64(m.mask_v.clone());
        let wet_cells: usize = data.ocean.kbot.iter().sum();
        assert_eq!(
            t.iter().sum::<f64>() as usize,
            wet_cells,
            "{name}: wet T cells = Σ kbot"
        );
        for idx in 0..nz * ny * nx {
            let (j, i) = ((idx / nx) % ny, idx % nx);
            let k = idx / (ny * nx);
            let east = (k * ny + j) * nx + (i + 1) % nx;
            assert_eq!(u[idx], t[idx] * t[east], "{name}: U mask at {idx}");
            let north = if j + 1 < ny { t[idx + nx] } else { 0.0 };
            assert_eq!(v[idx], t[idx] * north, "{name}: V mask at {idx}");
        }
        let s = OceanState::levitus(&m, &data.dir.join("ocean_initial.nc"), &d).unwrap();
        let means = to_vec_f64(s.volume_means(&m));
        let want = sanity(&data.dir, "volume_mean_temp_model_degC");
        println!(
            "{name}: volume-mean Θ = {:.6} °C (Python generator: {want:.6} °C), S = {:.4} g/kg",
            means[0], means[1]
        );
        assert!(
            (means[0] - want).abs() < 1e-5,
            "{name}: {} vs {want}",
            means[0]
        );
        assert!(
            (34.0..35.5).contains(&means[1]),
            "{name}: volume-mean salinity {}",
            means[1]
        );
    }
}
