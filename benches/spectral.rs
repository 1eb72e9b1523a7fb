//! Forward + inverse spherical-harmonic transform of an 8-level field at T31 and T63.
//!
//! Run: `cargo bench --bench spectral` (add `--features wgpu` and `CHRONOS_BENCH_WGPU=1` to
//! include the GPU backend; a software Vulkan device is for correctness, not speed).
//! FLOPs are those of the four matmuls: Fourier 2·(L·nlat)·nlon·2M twice, Legendre
//! 2·M·2L·nlat·N twice (M = N = T + 1, zero-padded triangle included).

use burn_tensor::backend::Backend;
use chronos::backend::{self, Cpu32, Cpu64};
use chronos::grid::GaussianGrid;
use chronos::spectral::SpectralTransform;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LEVELS: usize = 8;

fn bench<B: Backend>(name: &str, trunc: usize, nlon: usize, nlat: usize, device: &B::Device) {
    let g = GaussianGrid::new(nlon, nlat, 6.371e6);
    let tr = SpectralTransform::<B>::new(trunc, &g, device).unwrap();
    let x = backend::tensor_from_vec::<B, 3>(
        (0..LEVELS * nlat * nlon)
            .map(|k| (k as f64 * 0.1).sin())
            .collect(),
        [LEVELS, nlat, nlon],
        device,
    );
    let run = || backend::to_vec_f64(tr.synthesis(tr.analysis(x.clone())).sum());
    for _ in 0..3 {
        run();
    }
    let reps = if trunc > 40 { 50 } else { 200 };
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            std::hint::black_box(run());
            s.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let t = times[reps / 2];
    let m = (trunc + 1) as f64;
    let (l, nlat_f, nlon_f) = (LEVELS as f64, nlat as f64, nlon as f64);
    let flops =
        2.0 * (2.0 * l * nlat_f * nlon_f * 2.0 * m) + 2.0 * (2.0 * m * 2.0 * l * nlat_f * m);
    println!(
        "| T{trunc} {nlon}×{nlat}×{LEVELS} | {name} | {:.0} | {:.2} | {:.2} |",
        t * 1e6,
        flops / 1e6,
        flops / t / 1e9
    );
}

fn main() {
    println!("| field | backend | forward+inverse (µs) | MFLOP | GFLOP/s |");
    println!("|---|---|---|---|---|");
    for (trunc, nlon, nlat) in [(31, 96, 48), (63, 192, 96)] {
        bench::<Cpu64>("cpu64", trunc, nlon, nlat, &Default::default());
        bench::<Cpu32>("cpu", trunc, nlon, nlat, &Default::default());
        #[cfg(feature = "wgpu")]
        if std::env::var("CHRONOS_BENCH_WGPU").is_ok_and(|v| v == "1") {
            match backend::wgpu_device() {
                Ok(d) => bench::<backend::Gpu>("wgpu", trunc, nlon, nlat, &d),
                Err(e) => eprintln!("wgpu skipped: {e}"),
            }
        }
    }
}
