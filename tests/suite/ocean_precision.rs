//! f32 against f64 over 10 years: the deep-ocean temperature of a coarse idealised basin
//! (ARCHITECTURE §1: "a test shows the f32 and f64 deep-ocean temperatures after 10 years").
//!
//! Set-up (production `ocean::step`, configuration only): a 32 × 14 × 15 basin (11.25° × 10°,
//! 70°S–70°N, the default 15 levels to 5200 m, one land column), Δt = 3 h, A_h = 2e7 m² s⁻¹
//! (Munk width ≈ one cell), the rest of `[ocean_physics]` from models/t31.toml (Vallis
//! equation of state, GM and Redi on). Forcing: zonal wind −0.1 cos 3φ N m⁻², 30-day
//! restoring of the top level to Θ* = 28 cos²φ − 1 °C and S* = 35 + cos 2φ g kg⁻¹.
//! Initial state: Θ = 2 + 18 e^{−z/800 m} °C, S = 35 g kg⁻¹, at rest.
//!
//! Θ and S are accumulated with compensated (Kahan) summation in every precision
//! ([`chronos::ocean::compensated_add`]); the naive f32 run drops the compensation after
//! every step, i.e. it is plain x + Δ in f32.

use burn_tensor::{backend::Backend, Tensor};
use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu32, Cpu64};
use chronos::config::{ConfigRequest, ResolvedConfig};
use chronos::grid::ModelGrids;
use chronos::ocean::eos::RHO0;
use chronos::ocean::{step, OceanForcing, OceanModel, OceanState, CP_OCEAN};
use std::time::Instant;

const YEARS: usize = 10;

/// Mean deep (below 2000 m) and whole-ocean Θ, and SST, every year.
fn run<B: Backend>(naive: bool, years: usize) -> Vec<[f64; 3]> {
    let d = B::Device::default();
    let req = ConfigRequest {
        model: Some("t31".into()),
        sets: [
            "ocean.nlat=14",
            "ocean.lat_south=-70",
            "ocean.lat_north=70",
            "ocean.dt=10800",
            "coupling.interval=10800",
            "ocean_physics.viscosity_h=1e7",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        ..Default::default()
    };
    let mut cfg = ResolvedConfig::resolve(&req).unwrap().model;
    // 32 longitudes (the ocean takes the atmosphere's); below T31's alias-free minimum, so
    // set after validation: this test has no atmosphere.
    cfg.atmosphere.nlon = 32;
    let grids = ModelGrids::new(&cfg).unwrap();
    let (nz, ny, nx) = (grids.levels.nz(), grids.ocean.ny, grids.ocean.nx());
    let kbot: Vec<usize> = (0..ny * nx)
        .map(|p| if p % nx == 0 { 0 } else { nz })
        .collect();
    let model = OceanModel::<B>::from_kbot(&cfg, &grids, &kbot, &d).unwrap();
    let lat: Vec<f64> = (0..ny * nx)
        .map(|p| grids.ocean.lat_t_deg[p / nx].to_radians())
        .collect();
    let field2 = |f: &dyn Fn(f64) -> f64| -> Tensor<B, 2> {
        tensor_from_vec(lat.iter().map(|l| f(*l)).collect(), [ny, nx], &d)
    };
    let theta_star = field2(&|l| 28.0 * l.cos().powi(2) - 1.0);
    let salt_star = field2(&|l| 35.0 + (2.0 * l).cos());
    let mut forcing = OceanForcing::zero(&model, &d);
    forcing.tau_x = field2(&|l| -0.1 * (3.0 * l).cos())
        * model.mask_u.clone().narrow(0, 0, 1).reshape([ny, nx]);
    let dz0 = grids.levels.dz[0];
    let rate = dz0 / (30.0 * 86400.0);
    let wet0 = model.mask_t.clone().narrow(0, 0, 1).reshape([ny, nx]);
    let theta: Vec<f64> = (0..nz * ny * nx)
        .map(|p| 2.0 + 18.0 * (-grids.levels.z_t[p / (ny * nx)] / 800.0).exp())
        .collect();
    let theta = tensor_from_vec::<B, 3>(theta, [nz, ny, nx], &d);
    let mut state = OceanState::at_rest(&model, theta, model.mask_t.clone() * 35.0);
    let deep: Vec<f64> = (0..nz)
        .map(|k| f64::from(u8::from(grids.levels.z_t[k] > 2000.0)))
        .collect();
    let deep = tensor_from_vec::<B, 3>(deep, [nz, 1, 1], &d) * model.volume_t.clone();
    let deep_volume = to_vec_f64(deep.clone().sum())[0];
    let volume = to_vec_f64(model.volume_t.clone().sum())[0];
    let area = model.metrics.area_t.clone() * wet0.clone();
    let area_sum = to_vec_f64(area.clone().sum())[0];
    let steps_per_year = (365.0 * 86400.0 / cfg.ocean.dt) as usize;
    let mut out = Vec::new();
    for _ in 0..years {
        for _ in 0..steps_per_year {
            let sst = state.temperature.clone().narrow(0, 0, 1).reshape([ny, nx]);
            let sss = state.salinity.clone().narrow(0, 0, 1).reshape([ny, nx]);
            forcing.heat_flux =
                (theta_star.clone() - sst) * (rate * RHO0 * CP_OCEAN) * wet0.clone();
            forcing.salt_flux = (salt_star.clone() - sss) * rate * wet0.clone();
            state = step(&model, state, &forcing).0;
            if naive {
                state.temperature_compensation = state.temperature_compensation.zeros_like();
                state.salinity_compensation = state.salinity_compensation.zeros_like();
            }
        }
        let t = state.temperature.clone();
        let sst = t.clone().narrow(0, 0, 1).reshape([ny, nx]) * area.clone();
        out.push([
            to_vec_f64((t.clone() * deep.clone()).sum())[0] / deep_volume,
            to_vec_f64(model.integrate_volume(t))[0] / volume,
            to_vec_f64(sst.sum())[0] / area_sum,
        ]);
    }
    out
}

#[test]
#[ignore = "release-mode long run (~6 minutes on 2 cores); run by .ci/test"]
fn f32_deep_ocean_follows_f64_over_ten_years() {
    // Three independent runs on threads: f64, compensated f32, and plain x + Δ in f32.
    let t0 = Instant::now();
    let (r64, r32, n32) = std::thread::scope(|s| {
        let a = s.spawn(|| run::<Cpu64>(false, YEARS));
        let b = s.spawn(|| run::<Cpu32>(false, YEARS));
        let c = s.spawn(|| run::<Cpu32>(true, YEARS));
        (a.join().unwrap(), b.join().unwrap(), c.join().unwrap())
    });
    println!("year | deep Θ f64 (°C) | f32 − f64 | naive f32 − f64 | mean Θ f64 | f32 − f64 | SST f64 | f32 − f64");
    for y in 0..YEARS {
        println!(
            "{:4} | {:.6} | {:+.2e} | {:+.2e} | {:.6} | {:+.2e} | {:.4} | {:+.2e}",
            y + 1,
            r64[y][0],
            r32[y][0] - r64[y][0],
            n32[y][0] - r64[y][0],
            r64[y][1],
            r32[y][1] - r64[y][1],
            r64[y][2],
            r32[y][2] - r64[y][2],
        );
    }
    println!("three runs {:.0} s", t0.elapsed().as_secs_f64());
    let last = YEARS - 1;
    let err = (r32[last][0] - r64[last][0]).abs();
    let naive = (n32[last][0] - r64[last][0]).abs();
    let change = (r64[last][0] - r64[0][0]).abs();
    println!(
        "deep Θ change years 1–10 (f64): {change:.3e} K; f32 error after 10 years {err:.3e} K (naive f32 {naive:.3e} K)"
    );
    assert!(r32.iter().flatten().all(|x| x.is_finite()));
    assert!(
        err < 0.01 * change,
        "f32 deep Θ off by {err:e} K against a change of {change:e} K"
    );
    // The bound discriminates: plain f32 summation misses it.
    assert!(
        naive > 0.01 * change,
        "naive f32 error {naive:e} K unexpectedly small"
    );
}
