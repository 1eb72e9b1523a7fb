//! The atmosphere with its physics (issue #6): energy and water budgets over 30 days of the
//! AMIP-like mode, the Qobs aquaplanet's precipitation and jets, and the gradient of mean
//! precipitation with respect to the convective time scale against finite differences.
//!
//! `cargo test --release --test suite -- atmos_physics:: --nocapture` prints the measured numbers.

use burn_tensor::{backend::Backend, Tensor};
use chronos::atmos::dynamics::UPPER_V1;
use chronos::backend::{to_vec_f64, Cpu64, Cpu64Autodiff};
use chronos::config::{ConfigRequest, Environment, ModelConfig, ResolvedConfig};
use chronos::forcing::orbit::Orbit;
use chronos::physics::constants::SECONDS_PER_DAY;
use chronos::run::atmos_only::{column_budget, AtmosOnly, SurfaceKind};

fn model(sets: &[&str]) -> ModelConfig {
    let req = ConfigRequest {
        model: Some("t31".into()),
        experiment: None,
        sets: sets.iter().map(|s| s.to_string()).collect(),
        env: Environment::default(),
    };
    ResolvedConfig::resolve(&req).expect("model").model
}

fn mean1<B: Backend>(x: Tensor<B, 1>) -> f64 {
    to_vec_f64(x)[0]
}

/// Two-level (leapfrog) budget state: mean over the time levels of energy and water.
fn budget<B: Backend>(sim: &AtmosOnly<B>) -> (f64, f64) {
    let (h0, k0, w0) = column_budget(&sim.model, &sim.state.previous);
    let (h1, k1, w1) = column_budget(&sim.model, &sim.state.current);
    (0.5 * (h0 + k0 + h1 + k1), 0.5 * (w0 + w1))
}

#[test]
fn energy_and_water_budgets_close_over_30_days() {
    let cfg = model(&[]);
    let dev = Default::default();
    let orbit = Orbit::preset("pi").unwrap();
    let mut sim = AtmosOnly::<Cpu64>::new(&cfg, SurfaceKind::Amip, 284.3, orbit, &dev).unwrap();
    let dt = cfg.atmosphere.dt;
    let steps = (30.0 * SECONDS_PER_DAY / dt) as usize;
    let (e0, w0) = budget(&sim);
    let (mut flux_e, mut flux_w, mut abs_w, mut time) = (0.0, 0.0, 0.0, 0.0);
    let mut dissipation = 0.0;
    for k in 0..steps {
        let d = sim.step(k as f64 * dt / SECONDS_PER_DAY);
        // The first (forward) step counts half in the two-level budget.
        let w = if k == 0 { 0.5 * dt } else { dt };
        let f_e = mean1(sim.global_mean(d.toa_net() - d.surface_net()));
        let ep = d.evspsbl.clone() - d.pr.clone();
        flux_e += w * f_e;
        flux_w += w * mean1(sim.global_mean(ep.clone()));
        abs_w += w * mean1(sim.global_mean(d.evspsbl.clone() + d.pr.clone()));
        dissipation += w * mean1(sim.global_mean(d.dissipation.clone()));
        time += w;
    }
    let (e1, w1) = budget(&sim);
    let energy_residual = (e1 - e0) / time - flux_e / time;
    let water_residual = (w1 - w0) - flux_w;
    println!(
        "30 days: column energy change {:+.4} W m⁻², TOA − surface flux {:+.4} W m⁻², residual {:+.2e} W m⁻² (dissipation heat {:.3} W m⁻²)",
        (e1 - e0) / time,
        flux_e / time,
        energy_residual,
        dissipation / time
    );
    println!(
        "30 days: column water change {:+.6e} kg m⁻², ∫(E − P) {:+.6e} kg m⁻², residual {:+.2e} kg m⁻² (∫(E + P) = {:.3e} kg m⁻²)",
        w1 - w0,
        flux_w,
        water_residual,
        abs_w
    );
    assert!(energy_residual.abs() < 0.1, "{energy_residual}");
    assert!(water_residual.abs() < 1e-12 * abs_w, "{water_residual}");
    // The fixers and the heat of dissipation are what closes it: both must be at work.
    assert!(dissipation / time > 0.1);
}

#[test]
fn aquaplanet_rains_at_the_equator_under_westerly_jets() {
    let cfg = model(&[]);
    let dev = Default::default();
    let orbit = Orbit::preset("pi").unwrap();
    let mut sim =
        AtmosOnly::<Cpu64>::new(&cfg, SurfaceKind::Aquaplanet, 284.3, orbit, &dev).unwrap();
    let dt = cfg.atmosphere.dt;
    let per_day = (SECONDS_PER_DAY / dt) as usize;
    let (spin, avg) = (30, 30);
    let mut pr: Option<Tensor<Cpu64, 3>> = None;
    let mut ua: Option<Tensor<Cpu64, 3>> = None;
    for k in 0..(spin + avg) * per_day {
        let d = sim.step(k as f64 / per_day as f64);
        if k >= spin * per_day {
            let g = sim.model.grid_fields(&sim.state.current);
            let u = g.u0 + g.u1 * UPPER_V1;
            pr = Some(pr.map_or(d.pr.clone(), |p| p + d.pr));
            ua = Some(ua.map_or(u.clone(), |a| a + u));
        }
    }
    let n = (avg * per_day) as f64;
    let zonal = |x: Tensor<Cpu64, 3>| -> Vec<f64> { to_vec_f64(x.mean_dim(2) / n) };
    let (p, u) = (zonal(pr.unwrap()), zonal(ua.unwrap()));
    let lat = &sim.physics.lat;
    println!("  lat    P (mm/day)   u(9 km) (m/s)");
    for j in (0..lat.len()).rev() {
        println!(
            "{:6.1} {:10.2} {:10.1}",
            lat[j].to_degrees(),
            p[j] * SECONDS_PER_DAY,
            u[j]
        );
    }
    let jmax = (0..p.len())
        .max_by(|&a, &b| p[a].partial_cmp(&p[b]).unwrap())
        .unwrap();
    let lat_max = lat[jmax].to_degrees();
    let jet = |south: bool| -> (f64, f64) {
        (0..lat.len())
            .filter(|&j| {
                let l = lat[j].to_degrees();
                (if south { -l } else { l }) > 15.0 && l.abs() < 75.0
            })
            .map(|j| (u[j], lat[j].to_degrees()))
            .fold(
                (f64::NEG_INFINITY, 0.0),
                |a, b| if b.0 > a.0 { b } else { a },
            )
    };
    let (us, ls) = jet(true);
    let (un, ln) = jet(false);
    println!(
        "precipitation maximum {:.2} mm/day at {lat_max:.1}°; jets {us:.1} m/s at {ls:.1}° and {un:.1} m/s at {ln:.1}°",
        p[jmax] * SECONDS_PER_DAY
    );
    assert!(lat_max.abs() < 10.0, "{lat_max}");
    assert!(us > 10.0 && un > 10.0, "{us} {un}");
}

/// The 5-day mean global precipitation (kg m⁻² s⁻¹) of a T15 aquaplanet with convective
/// time scale `tau` (s), and its derivative by reverse-mode autodiff.
fn mean_precipitation<B: Backend>(tau: Tensor<B, 1>, dev: &B::Device) -> Tensor<B, 1> {
    // A T15 (48 × 24) variant of the T31 model (the aquaplanet needs no boundary data).
    let mut cfg = model(&[]);
    cfg.atmosphere.truncation = 15;
    cfg.atmosphere.nlon = 48;
    cfg.atmosphere.nlat = 24;
    let orbit = Orbit::preset("pi").unwrap();
    let mut sim = AtmosOnly::<B>::new(&cfg, SurfaceKind::Aquaplanet, 284.3, orbit, dev).unwrap();
    sim.physics.convection.timescale = tau;
    let per_day = (SECONDS_PER_DAY / cfg.atmosphere.dt) as usize;
    let steps = 5 * per_day;
    let mut total: Option<Tensor<B, 1>> = None;
    for k in 0..steps {
        let d = sim.step(k as f64 / per_day as f64);
        let p = sim.global_mean(d.pr);
        total = Some(total.map_or(p.clone(), |t| t + p));
    }
    total.unwrap() / steps as f64
}

#[test]
fn precipitation_gradient_matches_finite_differences() {
    type A = Cpu64Autodiff;
    let dev = Default::default();
    let tau0 = 7200.0;
    let tau = Tensor::<A, 1>::from_floats([tau0], &dev).require_grad();
    let p = mean_precipitation::<A>(tau.clone(), &dev);
    let grads = p.backward();
    let g = to_vec_f64(tau.grad(&grads).unwrap())[0];
    let f = |t: f64| {
        mean1(mean_precipitation::<Cpu64>(
            Tensor::from_floats([t], &dev),
            &dev,
        ))
    };
    let fd = |h: f64| (f(tau0 + h) - f(tau0 - h)) / (2.0 * h);
    let (fd1, fd2) = (fd(1.0), fd(4.0));
    let noise = (fd1 - fd2).abs();
    let rel = (g - fd1).abs() / fd1.abs();
    println!(
        "d(5-day mean P)/dτ_c: autodiff {g:.10e}, central FD (h = 1 s) {fd1:.10e}, (h = 4 s) {fd2:.10e}; relative difference {rel:.2e}, FD spread {:.2e} relative",
        noise / fd1.abs()
    );
    assert!(rel < 1e-4, "{rel}");
    assert!(
        g.abs() > 1e3 * noise.max(1e-300),
        "gradient {g} vs FD noise {noise}"
    );
}
