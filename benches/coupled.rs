//! The coupled model: one coupling interval (at T31: three atmosphere steps with land, one
//! sea-ice step, one ocean step, the exchange both ways) from a state spun up for a day,
//! at T31 and T63, cpu64 and cpu. Simulated years per day at the model file's interval.
//! Run: `cargo bench --bench coupled` (or `-- t31`).

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
    let (model, data) =
        CoupledModel::<B>::new(&cfg, 284.3, Orbit::preset("pi").unwrap(), &d).unwrap();
    let mut state = model.initial_state(&data).unwrap();
    let per_day = (86400.0 / model.interval).round() as usize;
    for _ in 0..per_day {
        state = step(&model, state).0;
    }
    let reps = if name == "t31" { 24 } else { 6 };
    let t = median_us(
        || {
            let (s, _) = step(&model, state.clone());
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

fn main() {
    println!("| model | backend | coupling interval | one interval (ms) | SYPD |");
    println!("|---|---|---|---|---|");
    for name in ["t31", "t63"] {
        if selected(name) {
            bench::<Cpu64>(name, "cpu64");
            bench::<Cpu32>(name, "cpu");
        }
    }
}
