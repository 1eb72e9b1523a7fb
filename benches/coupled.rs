//! The coupled model: one coupling interval (at T31: three atmosphere steps with land, one
//! sea-ice step, one ocean step, the exchange both ways) from a state spun up for a day,
//! at T31 and T63, cpu64 and cpu. Simulated years per day at the model file's interval.
//! Run: `cargo bench --bench coupled` (or `-- t31`).
//!
//! `cargo bench --bench coupled -- driver`: the whole run driver (`chronos run
//! experiments/control.toml --days 31` through the library, cpu64): SYPD of its loop and the
//! shares of the monthly sums and of the month-end output, diagnostics and restarts.

use burn_tensor::backend::Backend;
use chronos::backend::{self, Cpu32, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::forcing::orbit::Orbit;
use chronos::model::{step, CoupledModel};

mod common;
use common::{median_us, selected};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench<B: Backend>(name: &str, backend_name: &str) {
    let d = Default::default();
    let cfg = ResolvedConfig::builtin(name).unwrap().model;
    let (model, data) = CoupledModel::<B>::new(&cfg, &d).unwrap();
    let orbit = Orbit::preset("pi").unwrap();
    let mut state = model.initial_state(&data).unwrap();
    let per_day = (86400.0 / model.interval).round() as usize;
    for _ in 0..per_day {
        let f = model.forcing(284.3, &orbit, state.time);
        state = step(&model, state, &f).0;
    }
    let reps = if name == "t31" { 24 } else { 6 };
    let t = median_us(
        || {
            let f = model.forcing(284.3, &orbit, state.time);
            let (s, _) = step(&model, state.clone(), &f);
            let _ = backend::to_vec_f64(s.ocean.temperature.sum());
        },
        reps,
    );
    let intervals_per_year = 365.0 * 86400.0 / model.interval;
    println!(
        "| {} | {backend_name} | {} s | {:.1} | {:.0} |",
        name.to_uppercase(),
        model.interval,
        t / 1e3,
        86400.0 / (t * 1e-6 * intervals_per_year)
    );
}

fn driver() {
    use chronos::config::{ConfigRequest, RunLength};
    use chronos::run::{coupled, RunOptions};
    let req = ConfigRequest {
        experiment: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/experiments/control.toml").into()),
        ..Default::default()
    };
    let cfg = ResolvedConfig::resolve(&req).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let days = 31;
    let opts = RunOptions {
        out: dir.path().join("run"),
        length: Some(RunLength::Days(days)),
        force: false,
        stop: None,
    };
    let s = coupled::run::<Cpu64>(
        &cfg,
        &opts,
        backend::BackendKind::Cpu64,
        &Default::default(),
    )
    .unwrap();
    let t = s.timing;
    let total = t.model + t.output;
    println!(
        "\n| driver, T31 cpu64, {days} days | model and monthly sums {:.1} s | output, diagnostics, quick-looks, restarts {:.1} s ({:.1}%) | {:.0} SYPD |",
        t.model,
        t.output,
        100.0 * t.output / total,
        days as f64 / 365.0 / (total / 86400.0)
    );
}

fn main() {
    if std::env::args().any(|a| a == "driver") {
        driver();
        return;
    }
    println!("| model | backend | coupling interval | one interval (ms) | SYPD |");
    println!("|---|---|---|---|---|");
    for name in ["t31", "t63"] {
        if selected(name) {
            bench::<Cpu64>(name, "cpu64");
            bench::<Cpu32>(name, "cpu");
        }
    }
}
