//! Lock exchange (SCIENCE.md §A5; Ilicak et al. 2012, Ocean Modelling 45–46, 37–58): a
//! 64 km long, 20 m deep, non-rotating channel with dense water in the western half and
//! light water in the eastern half, released from rest. The gravity currents' fronts travel
//! at u_f = ½√(g′H) (Benjamin 1968, energy-conserving), g′ = gΔρ/ρ₀.
//!
//! Run through the production `ocean::step`, changing only configuration: a one-row
//! "Cartesian" slice on a small sphere (radius chosen so Δx = 500 m; the row spans ±0.0075°
//! of latitude, so cos φ = 1 − 9e-9 and the metric is Cartesian to that accuracy), Ω = 0,
//! the linear equation of state, 20 levels of 1 m, free slip, no bottom drag, no explicit
//! tracer diffusion (convective adjustment on), Δt = 20 s, near-inviscid: ν_h = 10 m² s⁻¹
//! (grid Reynolds number uΔx/ν_h ≈ 10) and ν_v = 1e-6 m² s⁻¹.
//!
//! The theory is inviscid, and viscosity slows the fronts. Measured front speeds between 3 h
//! and 9 h (this test with the viscosities changed): ν_v = 1e-6 and ν_h = 1 → 0.203 m s⁻¹,
//! ν_h = 10 → 0.210 (this test; 0.205 between 6 h and 12 h), ν_h = 100 with ν_v = 1e-4 →
//! 0.205; ν_h = 1 with ν_v = 1e-4 → 0.200, ν_v = 1e-3 → 0.167. The rows north and south of the channel and
//! one column are land, so the rigid lid leaves no depth-mean flow and v = 0.
//!
//! Density contrast: SCIENCE.md's setup has α_T = 0.2 kg m⁻³ K⁻¹ and ΔT = 5 K, i.e.
//! Δρ = 1 kg m⁻³; our linear equation has ρ₀β_T = 1024·1.67e-4 = 0.171 kg m⁻³ K⁻¹, so
//! ΔT = 1/0.171 = 5.847 K gives the same Δρ, hence u_f = ½√(9.80616·(1/1024)·20) = 0.219 m s⁻¹.

use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64};
use chronos::config::{ConfigRequest, ResolvedConfig};
use chronos::grid::ModelGrids;
use chronos::ocean::{step, OceanForcing, OceanModel, OceanState};

type B = Cpu64;

#[test]
fn lock_exchange_front_speed_is_half_the_two_layer_wave_speed() {
    let d = Default::default();
    let nx = 129usize; // 128 wet cells of 500 m + one land column (the channel's end walls)
    let dx = 500.0;
    let radius = dx * nx as f64 / (2.0 * std::f64::consts::PI);
    let dt = 20.0;
    let req = ConfigRequest {
        model: Some("t31".into()),
        sets: vec![
            format!("planet.radius={radius}"),
            "planet.omega=0".into(),
            format!("atmosphere.nlon={nx}"),
            "ocean.nlat=3".into(),
            "ocean.lat_south=-0.0075".into(),
            "ocean.lat_north=0.0075".into(),
            "ocean.nz=20".into(),
            "ocean.dz_top=1".into(),
            "ocean.depth=20".into(),
            format!("ocean.dt={dt}"),
            "ocean_physics.equation_of_state=\"linear\"".into(),
            "ocean_physics.viscosity_cos_power=0".into(),
            "ocean_physics.bottom_drag=0".into(),
            "ocean_physics.diffusivity_h=0".into(),
            "ocean_physics.diffusivity_v=0".into(),
            "ocean_physics.gm_diffusivity=0".into(),
            "ocean_physics.isoneutral_diffusivity=0".into(),
            "ocean_physics.viscosity_h=10".into(),
            "ocean_physics.viscosity_v=1e-6".into(),
        ],
        ..Default::default()
    };
    let cfg = ResolvedConfig::resolve(&req).unwrap().model;
    let grids = ModelGrids::new(&cfg).unwrap();
    let (ny, nz) = (grids.ocean.ny, grids.levels.nz());
    assert_eq!((ny, nz, grids.ocean.nx()), (3, 20, nx));
    assert!((grids.ocean.dx_t()[1] / dx - 1.0).abs() < 1e-8);
    let kbot: Vec<usize> = (0..ny * nx)
        .map(|p| if p / nx == 1 && p % nx != 0 { nz } else { 0 })
        .collect();
    let model = OceanModel::<B>::from_kbot(&cfg, &grids, &kbot, &d).unwrap();
    let (t_dense, t_light) = (5.0, 5.0 + 1.0 / (1024.0 * 1.67e-4));
    let mid = 1 + 128 / 2; // first cell of the light half
    let theta: Vec<f64> = (0..nz * ny * nx)
        .map(|p| if p % nx < mid { t_dense } else { t_light })
        .collect();
    let theta = tensor_from_vec::<B, 3>(theta, [nz, ny, nx], &d) * model.mask_t.clone();
    let salt = model.mask_t.clone() * 35.0;
    let mut state = OceanState::at_rest(&model, theta, salt);
    let forcing = OceanForcing::zero(&model, &d);

    // Front positions (m from the lock) at the bottom (dense current heading east) and at
    // the top (light current heading west): where the level crosses the mean temperature,
    // linearly interpolated between cell centres.
    let t_mid = 0.5 * (t_dense + t_light);
    let front = |t: &[f64], k: usize, eastward: bool| -> f64 {
        let row = |i: usize| t[(k * ny + 1) * nx + i];
        let x = |i: usize| (i as f64 - mid as f64 + 0.5) * dx;
        if eastward {
            // Dense water (cold) runs east along the floor: the easternmost crossing.
            (1..nx - 1)
                .rev()
                .find(|&i| row(i) < t_mid && row(i + 1) >= t_mid)
                .map(|i| x(i) + dx * (t_mid - row(i)) / (row(i + 1) - row(i)))
                .unwrap()
        } else {
            (1..nx - 1)
                .find(|&i| row(i) < t_mid && row(i + 1) >= t_mid)
                .map(|i| x(i) + dx * (t_mid - row(i)) / (row(i + 1) - row(i)))
                .unwrap()
        }
    };
    let hours = [3.0, 9.0];
    let mut fronts = Vec::new();
    let mut n = 0usize;
    for h in hours {
        while (n as f64) * dt < h * 3600.0 {
            state = step(&model, state, &forcing).0;
            n += 1;
        }
        let t = to_vec_f64(state.temperature.clone());
        assert!(t.iter().all(|x| x.is_finite()));
        fronts.push((front(&t, nz - 1, true), front(&t, 0, false)));
    }
    let span = (hours[1] - hours[0]) * 3600.0;
    let u_bottom = (fronts[1].0 - fronts[0].0) / span;
    let u_top = (fronts[0].1 - fronts[1].1) / span;
    let g_prime = cfg.planet.gravity * 1.0 / 1024.0;
    let theory = 0.5 * (g_prime * 20.0).sqrt();
    let t = to_vec_f64(state.temperature.clone());
    let wet: Vec<f64> = t
        .iter()
        .enumerate()
        .filter(|(p, _)| (p / nx) % ny == 1 && p % nx != 0)
        .map(|(_, x)| *x)
        .collect();
    let (lo, hi) = wet
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        });
    println!(
        "fronts at {hours:?} h: bottom {:.0} → {:.0} m, top {:.0} → {:.0} m; speed bottom {u_bottom:.4} m/s, top {u_top:.4} m/s; theory ½√(g′H) = {theory:.4} m/s; Θ range after {} h [{lo:.6}, {hi:.6}] (initial [{t_dense}, {t_light:.6}])",
        fronts[0].0, fronts[1].0, fronts[0].1, fronts[1].1, hours[1]
    );
    for u in [u_bottom, u_top] {
        assert!((0.20..=0.23).contains(&u), "front speed {u} m/s");
    }
    // Superbee keeps the tracer within its initial range (no new extrema) up to round-off.
    assert!(lo > t_dense - 1e-9 && hi < t_light + 1e-9, "[{lo}, {hi}]");
}
