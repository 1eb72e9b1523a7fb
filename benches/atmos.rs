//! The QTCM1 atmosphere: one dynamics step (barotropic + baroclinic modes, T₁, q₁), one
//! Betts–Miller convection call, and one full atmosphere-only step (AMIP-like surface:
//! bulk fluxes, convection, condensation, clouds, radiation, slab/bucket update, dynamics),
//! at T31 and T63, cpu64 and cpu; and the forcing of one physics call (the orbit and the
//! insolation columns, built on the host and uploaded; burn-ndarray runs eagerly).
//! Simulated years per day at the model file's Δt.
//! Run: `cargo bench --bench atmos`.

use burn_tensor::backend::Backend;
use chronos::atmos::{AtmosGrid, AtmosModel, Convection};
use chronos::backend::{self, Cpu32, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::forcing::orbit::Orbit;
use chronos::run::atmos_only::{AtmosOnly, SurfaceKind};

mod common;
use common::{median_us, selected};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench<B: Backend>(name: &str, backend_name: &str) {
    let d = Default::default();
    let cfg = ResolvedConfig::builtin(name).unwrap().model;
    let model = AtmosModel::<B>::new(&cfg, &d).unwrap();
    let (nlat, nlon) = (model.transform.nlat, model.transform.nlon);
    // A smooth state with winds of O(10 m/s) in both modes and T₁, q₁ of a few K.
    let field = |f: &dyn Fn(f64, f64) -> f64| {
        let v: Vec<f64> = (0..nlat * nlon)
            .map(|p| {
                let lat = model.transform.mu[p / nlon].asin();
                let lon = std::f64::consts::TAU * (p % nlon) as f64 / nlon as f64;
                f(lon, lat)
            })
            .collect();
        backend::tensor_from_vec::<B, 3>(v, [1, nlat, nlon], &d)
    };
    let g = AtmosGrid {
        u0: field(&|_, la| 20.0 * la.cos() * (2.0 * la).sin().abs()),
        v0: field(&|lo, la| 3.0 * la.cos() * (3.0 * lo).sin()),
        u1: field(&|lo, la| 5.0 * la.cos() * (2.0 * lo).cos()),
        v1: field(&|lo, la| 2.0 * la.cos() * la.sin() * lo.sin()),
        t1: field(&|lo, la| 3.0 * la.cos().powi(2) + 0.5 * (4.0 * lo).cos()),
        q1: field(&|lo, la| 10.0 * la.cos().powi(4) - 5.0 + lo.sin()),
    };
    let mut state = model.initial_state(&g);
    for _ in 0..3 {
        state = model.step(state, None);
    }
    let reps = if name == "t31" { 200 } else { 50 };
    let t_step = median_us(
        || {
            let s = model.step(state.clone(), None);
            let _ = backend::to_vec_f64(s.current.sum());
        },
        reps,
    );
    let conv = Convection::<B>::new(7200.0, &d);
    let t_conv = median_us(
        || {
            let _ = backend::to_vec_f64(conv.compute(g.t1.clone(), g.q1.clone()).heating.sum());
        },
        reps,
    );
    let dt = cfg.atmosphere.dt;
    let mut sim = AtmosOnly::<B>::new(
        &cfg,
        SurfaceKind::Amip,
        284.3,
        Orbit::preset("pi").unwrap(),
        &d,
    )
    .unwrap();
    for k in 0..3 {
        let _ = sim.step(k as f64 / 72.0);
    }
    let t_full = median_us(
        || {
            let _ = sim.step(0.1);
            let _ = backend::to_vec_f64(sim.state.current.clone().sum());
        },
        reps,
    );
    // The forcing of one physics call: the orbit's declination and distance and the
    // insolation columns, computed on the host and uploaded (`AtmosPhysics::forcing`).
    let orbit = Orbit::preset("pi").unwrap();
    let t_forcing = median_us(
        || {
            let _ = sim.physics.forcing(284.3, &orbit, 100.25, &d);
        },
        reps,
    );
    let sypd = |t: f64| 86400.0 / (t * 1e-6 * (365.0 * 86400.0 / dt));
    println!(
        "| {} {nlon}×{nlat} | {backend_name} | {:.2} | {:.0} | {:.3} | {:.2} | {:.0} | {:.0} |",
        name.to_uppercase(),
        t_step / 1e3,
        sypd(t_step),
        t_conv / 1e3,
        t_full / 1e3,
        sypd(t_full),
        t_forcing
    );
}

fn main() {
    let want = selected;
    println!("| grid | backend | dynamics step (ms) | SYPD (dynamics only) | convection (ms) | full atmosphere-only step (ms) | SYPD (full) | forcing of one step (µs) |");
    println!("|---|---|---|---|---|---|---|---|");
    for name in ["t31", "t63"] {
        if want(name) {
            bench::<Cpu64>(name, "cpu64");
            bench::<Cpu32>(name, "cpu");
        }
    }
}
