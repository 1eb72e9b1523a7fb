//! Munk (1950) wind-driven gyre through the production ocean step (SCIENCE.md §A4): a
//! flat-bottom 60° × 38° sector on the 1° sphere, one level, A_h = 5e5 m² s⁻¹, free-slip
//! coasts (the model default; with no slip the eastern layer would shift the interior by
//! δ/(x_E − x), 10% at mid-basin here), no bottom drag,
//! τ_x = −τ₀ cos(π(φ − φ_s)/(φ_n − φ_s)). In steady state the interior transport follows
//! Sverdrup balance and the western boundary layer has the Munk width (A_h/β)^{1/3}.

use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64};
use chronos::config::{ConfigRequest, ResolvedConfig};
use chronos::grid::ModelGrids;
use chronos::ocean::eos::RHO0 as RHO0_OCEAN;
use chronos::ocean::{step, OceanForcing, OceanModel, OceanState};

type B = Cpu64;

#[test]
fn munk_gyre_matches_sverdrup_and_the_munk_width() {
    let d = Default::default();
    let a_h = 5e5;
    let req = ConfigRequest {
        model: Some("t31".into()),
        sets: vec![
            "atmosphere.nlon=360".into(),
            "ocean.lat_south=10".into(),
            "ocean.lat_north=50".into(),
            "ocean.nlat=40".into(),
            "ocean.nz=1".into(),
            "ocean.dz_top=1000".into(),
            "ocean.depth=1000".into(),
            "ocean.dt=900".into(),
            format!("ocean_physics.viscosity_h={a_h}"),
            "ocean_physics.viscosity_cos_power=0".into(),
            "ocean_physics.bottom_drag=0".into(),
            "ocean_physics.equation_of_state=\"linear\"".into(),
        ],
        ..Default::default()
    };
    let cfg = ResolvedConfig::resolve(&req).unwrap().model;
    let grids = ModelGrids::new(&cfg).unwrap();
    let g = &grids.ocean;
    let (ny, nx) = (g.ny, g.nx());
    // Wet: T columns 1..=60 (0.5°E–60.5°E), rows 1..ny−2 (11°N–49°N).
    let (i_w, i_e) = (1usize, 60usize);
    let kbot: Vec<usize> = (0..ny * nx)
        .map(|p| {
            let (j, i) = (p / nx, p % nx);
            usize::from(j >= 1 && j + 2 <= ny && i >= i_w && i <= i_e)
        })
        .collect();
    let model = OceanModel::<B>::from_kbot(&cfg, &grids, &kbot, &d).unwrap();
    let (phi_s, phi_n) = (g.lat_edges_deg[1], g.lat_edges_deg[ny - 1]);
    let tau0 = 0.1;
    let tau = |lat: f64| -tau0 * (std::f64::consts::PI * (lat - phi_s) / (phi_n - phi_s)).cos();
    let tx: Vec<f64> = (0..ny * nx).map(|p| tau(g.lat_t_deg[p / nx])).collect();
    let mut forcing = OceanForcing::zero(&model, &d);
    forcing.tau_x = tensor_from_vec(tx, [ny, nx], &d) * model.mask_u.clone().reshape([ny, nx]);
    let t = tensor_from_vec::<B, 3>(vec![10.0; ny * nx], [1, ny, nx], &d);
    let s = tensor_from_vec::<B, 3>(vec![35.0; ny * nx], [1, ny, nx], &d);
    let mut state = OceanState::at_rest(&model, t, s);
    let steps_per_day = (86400.0 / cfg.ocean.dt) as usize;
    {
        let bt = &model.barotropic;
        let z = state.psi.clone();
        let t0 = std::time::Instant::now();
        for _ in 0..20 {
            let _ = to_vec_f64(bt.solve(z.clone(), z.clone(), z.clone()).psi.sum());
        }
        println!(
            "barotropic solve: {:.1} ms",
            t0.elapsed().as_secs_f64() * 50.0
        );
        let t0 = std::time::Instant::now();
        let mut s1 = state.clone();
        for _ in 0..20 {
            s1 = step(&model, s1, &forcing).0;
        }
        let _ = to_vec_f64(s1.u.sum());
        println!("step: {:.1} ms", t0.elapsed().as_secs_f64() * 50.0);
    }
    let mut prev = to_vec_f64(state.psi.clone());
    let mut change = f64::INFINITY;
    for day in 1..=150 {
        for _ in 0..steps_per_day {
            state = step(&model, state, &forcing).0;
        }
        if day % 5 == 0 {
            let psi = to_vec_f64(state.psi.clone());
            let max = psi.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            change = psi
                .iter()
                .zip(&prev)
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
                / max;
            println!(
                "day {day}: max |ψ| = {:.3} Sv, change over 5 days {change:.2e}",
                max / 1e6
            );
            prev = psi;
            if change < 1e-4 {
                break;
            }
        }
    }
    assert!(change < 1e-4, "not steady: {change:e}");

    // Sverdrup transport on the V row nearest the gyre centre (30°N), integrated westward
    // from ψ = 0 at the eastern wall with the same discrete curl the model sees.
    let psi = to_vec_f64(state.psi.clone());
    let jv = (0..ny - 1)
        .min_by(|a, b| {
            (g.lat_edges_deg[a + 1] - 30.0)
                .abs()
                .total_cmp(&(g.lat_edges_deg[b + 1] - 30.0).abs())
        })
        .unwrap();
    let lat_v = g.lat_edges_deg[jv + 1].to_radians();
    let (radius, omega) = (cfg.planet.radius, cfg.planet.omega);
    let beta = 2.0 * omega * lat_v.cos() / radius;
    let (la, lb) = (
        g.lat_t_deg[jv].to_radians(),
        g.lat_t_deg[jv + 1].to_radians(),
    );
    let curl = -(tau(g.lat_t_deg[jv + 1]) * lb.cos() - tau(g.lat_t_deg[jv]) * la.cos())
        / (radius * (lb - la) * lat_v.cos());
    let v_sverdrup = curl / (RHO0_OCEAN * beta); // depth-integrated, m² s⁻¹
    let dx = g.dx_v()[jv];
    // ζ(jv, i) sits at λ_i + ½Δλ; the western wall is ζ(jv, i_w − 1), the eastern ζ(jv, i_e).
    let sverdrup = |i: usize| -v_sverdrup * dx * (i_e - i) as f64;
    let munk = (a_h / beta).powf(1.0 / 3.0);
    let x_of = |i: usize| (i - (i_w - 1)) as f64 * dx;
    let x_east = x_of(i_e);
    let ratios: Vec<String> = (i_w..i_e)
        .step_by(3)
        .map(|i| format!("{:.3}", psi[jv * nx + i] / sverdrup(i)))
        .collect();
    println!(
        "ψ/ψ_Sverdrup every 3° from the western wall: {}",
        ratios.join(" ")
    );
    // The interior: 8δ from the western wall (where the Munk layer's e^{−x/2δ} is below 2%)
    // to 2δ from the eastern one.
    let interior: Vec<usize> = (i_w..i_e)
        .filter(|&i| x_of(i) >= 8.0 * munk && x_east - x_of(i) >= 2.0 * munk)
        .collect();
    let worst = interior
        .iter()
        .map(|&i| (psi[jv * nx + i] / sverdrup(i) - 1.0).abs())
        .fold(0.0f64, f64::max);
    println!(
        "30°N interior ({} points, {:.0}–{:.0} km from the western wall): Sverdrup ψ up to {:.2} Sv, |model/Sverdrup − 1| ≤ {worst:.4}",
        interior.len(),
        x_of(interior[0]) / 1e3,
        x_of(*interior.last().unwrap()) / 1e3,
        sverdrup(interior[0]) / 1e6
    );
    assert!(interior.len() >= 15);
    assert!(worst < 0.05);

    // Munk boundary layer, free slip (ψ = ψ_xx = 0 at the wall): fit δ in
    // ψ/ψ_I = 1 − e^{−x/2δ}[cos(√3x/2δ) − sin(√3x/2δ)/√3] (x from the western wall) over the
    // first 1500 km.
    let interior = |i: usize| sverdrup(i);
    let profile: Vec<(f64, f64)> = ((i_w - 1)..(i_w + 20))
        .map(|i| (x_of(i), psi[jv * nx + i] / interior(i)))
        .filter(|(x, _)| *x <= 1.5e6)
        .collect();
    let theory = |x: f64, delta: f64| {
        let r = 3f64.sqrt() * x / (2.0 * delta);
        1.0 - (-x / (2.0 * delta)).exp() * (r.cos() - r.sin() / 3f64.sqrt())
    };
    let (mut best, mut best_err) = (0.0, f64::INFINITY);
    for k in 0..2000 {
        let delta = 2e4 + k as f64 * 500.0;
        let err: f64 = profile
            .iter()
            .map(|(x, p)| (p - theory(*x, delta)).powi(2))
            .sum();
        if err < best_err {
            (best, best_err) = (delta, err);
        }
    }
    println!(
        "Munk layer: fitted δ = {:.0} km, (A_h/β)^(1/3) = {:.0} km, ratio {:.3}, rms misfit {:.3}; Δx = {:.0} km",
        best / 1e3,
        munk / 1e3,
        best / munk,
        (best_err / profile.len() as f64).sqrt(),
        dx / 1e3
    );
    assert!((best / munk - 1.0).abs() < 0.2);
}
