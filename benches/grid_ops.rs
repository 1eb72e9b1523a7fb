//! Benchmarks of the foundation's grid operators on the CPU backends.
//!
//! Run: `cargo bench --bench grid_ops`. Each case reports the median of repeated runs,
//! with a device sync (a host read of a reduction) inside the timed region. Results are
//! tabulated in `benches/README.md`.

use burn_tensor::backend::Backend;
use chronos::backend::{self, Cpu32, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::grid::{gaussian, ModelGrids};

mod common;
use common::median_us;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// ψ → (u, v) → ∇·u on one `[ny, nx]` field of the ocean C-grid (the barotropic case),
/// with a global sum read back to the host.
fn stencil<B: Backend>(grids: &ModelGrids, reps: usize) -> f64 {
    let device = Default::default();
    let (ny, nx) = (grids.ocean.ny, grids.ocean.nx());
    let m = grids.ocean.metrics::<B>(&device);
    let psi = backend::tensor_from_vec::<B, 2>(
        (0..ny * nx).map(|p| (p as f64).sin()).collect(),
        [ny, nx],
        &device,
    );
    median_us(
        || {
            let (u, v) = m.streamfunction_to_uv(psi.clone());
            let d = m.divergence_to_t(u, v);
            std::hint::black_box(backend::to_vec_f64(d.sum()));
        },
        reps,
    )
}

fn main() {
    println!("| case | grid | backend | median (µs) |");
    println!("|---|---|---|---|");
    for name in ["t31", "t63"] {
        let grids = ModelGrids::new(&ResolvedConfig::builtin(name).unwrap().model).unwrap();
        let g = format!("{}×{}", grids.ocean.nx(), grids.ocean.ny);
        println!(
            "| ψ → (u,v) → ∇·u + sum | ocean {g} | cpu64 | {:.1} |",
            stencil::<Cpu64>(&grids, 200)
        );
        println!(
            "| ψ → (u,v) → ∇·u + sum | ocean {g} | cpu | {:.1} |",
            stencil::<Cpu32>(&grids, 200)
        );
        let nlat = grids.atmosphere.nlat;
        let t = median_us(
            || {
                std::hint::black_box(gaussian::gauss_legendre(nlat));
            },
            50,
        );
        println!(
            "| Gauss–Legendre nodes+weights (double-double) | {nlat} latitudes | host | {t:.1} |"
        );
    }
}
