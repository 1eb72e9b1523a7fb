//! The elliptic solver on the real ocean masks: five-point operator, row-block LU
//! preconditioner and a one-iteration PCG solve (its relative residual is printed), T31 and T63.
//! Run: `cargo bench --bench solver`.

use burn_tensor::backend::Backend;
use chronos::backend::{self, Cpu32, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::forcing::BoundaryData;
use chronos::grid::ModelGrids;
use chronos::numerics::cg::pcg;
use chronos::numerics::elliptic::{FivePointOperator, RowBlockSolver};
use std::time::Instant;

mod common;
use common::median_us;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench<B: Backend>(name: &str, backend_name: &str) {
    let device = Default::default();
    let grids = ModelGrids::new(&ResolvedConfig::builtin(name).unwrap().model).unwrap();
    let data = BoundaryData::load(name, &grids).unwrap();
    let (ny, nx) = (grids.ocean.ny, grids.ocean.nx());
    let (dxt, dxv, dy) = (grids.ocean.dx_t(), grids.ocean.dx_v(), grids.ocean.dy());
    let h = &data.ocean.sea_floor_depth;
    let ce: Vec<f64> = (0..ny * nx)
        .map(|p| {
            if data.ocean.wet[p] {
                dy / (dxt[p / nx] * h[p])
            } else {
                0.0
            }
        })
        .collect();
    let cn: Vec<f64> = (0..ny * nx)
        .map(|p| {
            if data.ocean.wet[p] {
                dxv[p / nx] / (dy * h[p])
            } else {
                0.0
            }
        })
        .collect();
    let op = FivePointOperator::<B>::new(ce, cn, data.ocean.wet.clone(), ny, nx, &device);
    let b = backend::tensor_from_vec::<B, 2>(
        (0..ny * nx).map(|p| (p as f64).sin()).collect(),
        [ny, nx],
        &device,
    ) * op.mask.clone();
    let reps = if nx > 100 { 20 } else { 50 };
    let t_op = median_us(
        || drop(backend::to_vec_f64(op.apply(b.clone()).sum())),
        reps,
    );
    let t = Instant::now();
    let rb = RowBlockSolver::new(&op, &device).unwrap();
    let build = t.elapsed().as_secs_f64();
    let t_pre = median_us(
        || drop(backend::to_vec_f64(rb.apply(b.clone()).sum())),
        reps,
    );
    let t_cg = median_us(
        || {
            let (_, res) = pcg(
                |x| op.apply(x),
                |r| rb.apply(r),
                b.clone(),
                b.zeros_like(),
                1,
            );
            std::hint::black_box(res.report());
        },
        reps,
    );
    let residual = pcg(
        |x| op.apply(x),
        |r| rb.apply(r),
        b.clone(),
        b.zeros_like(),
        1,
    )
    .1
    .report()
    .relative_residual;
    println!("| {name} | {backend_name} | row-block LU | {} | {build:.2} | {t_op:.0} | {t_pre:.0} | {t_cg:.0} | {residual:.1e} |", op.unknowns());
}

fn main() {
    println!("| grid | backend | preconditioner | unknowns | build (s) | A·x (µs) | M·r (µs) | PCG, 1 iteration (µs) | its residual |");
    println!("|---|---|---|---|---|---|---|---|---|");
    bench::<Cpu64>("t31", "cpu64");
    bench::<Cpu32>("t31", "cpu");
    bench::<Cpu64>("t63", "cpu64");
    bench::<Cpu32>("t63", "cpu");
}
