//! The GPU path, tested without a GPU: the same generic computation (a C-grid stencil and
//! a global area integral) on `Wgpu` and `NdArray<f32>`, compared to f32 round-off.
//!
//! Runs on Debian's software Vulkan device (lavapipe) where no GPU exists. Without an
//! adapter the test is skipped, unless `CHRONOS_REQUIRE_WGPU=1` (set by `.ci/run`), when
//! it fails.

use burn_tensor::backend::Backend;
use chronos::backend::{self, Cpu32, Gpu};
use chronos::config::ResolvedConfig;
use chronos::grid::ModelGrids;

/// Streamfunction → velocities → divergence and kinetic-energy integral on backend `B`.
fn compute<B: Backend>(
    grids: &ModelGrids,
    psi: &[f64],
    device: &B::Device,
) -> (Vec<f64>, Vec<f64>, f64) {
    let (ny, nx) = (grids.ocean.ny, grids.ocean.nx());
    let m = grids.ocean.metrics::<B>(device);
    let psi = backend::tensor_from_vec::<B, 2>(psi.to_vec(), [ny, nx], device);
    let (u, v) = m.streamfunction_to_uv(psi);
    let div = m.divergence_to_t(u.clone(), v.clone());
    let ke = m.integrate_t((u.clone() * u.clone() + v.clone() * v) * 0.5);
    (
        backend::to_vec_f64(u),
        backend::to_vec_f64(div),
        backend::to_vec_f64(ke)[0],
    )
}

/// The wgpu device, or `None` (test skipped) when no adapter exists — unless
/// `CHRONOS_REQUIRE_WGPU=1`, when that is a failure.
fn gpu_or_skip() -> Option<burn_wgpu::WgpuDevice> {
    match backend::wgpu_device() {
        Ok(d) => Some(d),
        Err(e) if std::env::var("CHRONOS_REQUIRE_WGPU").is_ok_and(|v| v == "1") => {
            panic!("CHRONOS_REQUIRE_WGPU=1 but {e}")
        }
        Err(e) => {
            eprintln!("skipping: {e} (set CHRONOS_REQUIRE_WGPU=1 to make this a failure)");
            None
        }
    }
}

#[test]
fn wgpu_matches_ndarray_f32() {
    let Some(device) = gpu_or_skip() else { return };
    let grids = ModelGrids::new(&ResolvedConfig::builtin("t31").unwrap().model).unwrap();
    let ny = grids.ocean.ny;
    // A smooth gyre-like streamfunction (m² s⁻¹).
    let psi: Vec<f64> = (0..ny)
        .flat_map(|j| {
            let lat = grids.ocean.lat_edges_deg[j + 1].to_radians();
            let lons = grids.ocean.lon.centres_deg.clone();
            lons.into_iter().map(move |lon| {
                let lon = (lon + 0.5 * 3.75f64).to_radians();
                // zero on the northern wall (the last row's corners), where ψ must be constant
                if j + 1 == ny {
                    0.0
                } else {
                    1e4 * (2.0 * lat).sin() * (1.0 + 0.3 * (3.0 * lon).cos())
                }
            })
        })
        .collect();
    let (u_gpu, div_gpu, ke_gpu) = compute::<Gpu>(&grids, &psi, &device);
    let (u_cpu, div_cpu, ke_cpu) = compute::<Cpu32>(&grids, &psi, &Default::default());
    let umax = u_cpu.iter().fold(0.0f64, |a, x| a.max(x.abs()));
    assert!(umax > 1e-3, "the test flow must not be trivial");
    for (g, c) in u_gpu.iter().zip(&u_cpu) {
        assert!(
            (g - c).abs() <= 4.0 * f32::EPSILON as f64 * umax,
            "u: wgpu {g} vs cpu {c}"
        );
    }
    // Divergence: both must be f32 round-off of the |u|/Δx scale, and agree to that scale.
    let dx_min = grids
        .ocean
        .dx_t()
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min);
    let scale = umax / dx_min;
    for (g, c) in div_gpu.iter().zip(&div_cpu) {
        assert!(g.abs() < 1e-5 * scale && c.abs() < 1e-5 * scale && (g - c).abs() < 1e-5 * scale);
    }
    assert!(
        (ke_gpu / ke_cpu - 1.0).abs() < 1e-5,
        "kinetic energy: wgpu {ke_gpu} vs cpu {ke_cpu}"
    );
}

/// Analysis, synthesis and the wind computation on Wgpu and NdArray<f32> (T31).
fn transform_run<B: Backend>(field: &[f64], device: &B::Device) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    use chronos::spectral::SpectralTransform;
    let g = chronos::grid::GaussianGrid::new(96, 48, 6.371e6);
    let tr = SpectralTransform::<B>::new(31, &g, device).unwrap();
    let x = backend::tensor_from_vec::<B, 3>(field.to_vec(), [2, 48, 96], device);
    let spec = tr.analysis(x);
    let back = tr.synthesis(spec.clone());
    let (u, _) = tr.uv_cos_from_vort_div(
        spec.clone().narrow(2, 0, 1) * 1e-5,
        spec.clone().narrow(2, 1, 1) * 1e-5,
    );
    (
        backend::to_vec_f64(spec),
        backend::to_vec_f64(back),
        backend::to_vec_f64(u),
    )
}

#[test]
fn wgpu_transform_matches_ndarray_f32() {
    let Some(device) = gpu_or_skip() else { return };
    let field: Vec<f64> = (0..2 * 48 * 96)
        .map(|k| ((k as f64) * 0.37).sin() + 0.2 * ((k as f64) * 0.011).cos())
        .collect();
    let (s_gpu, b_gpu, u_gpu) = transform_run::<Gpu>(&field, &device);
    let (s_cpu, b_cpu, u_cpu) = transform_run::<Cpu32>(&field, &Default::default());
    for (name, a, b) in [
        ("spectral", &s_gpu, &s_cpu),
        ("synthesis", &b_gpu, &b_cpu),
        ("U", &u_gpu, &u_cpu),
    ] {
        let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let worst = a
            .iter()
            .zip(b.iter())
            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
        println!("{name}: max |wgpu − cpu| = {worst:.3e} of scale {scale:.3e}");
        assert!(
            worst <= 1e-5 * scale,
            "{name}: {worst:e} vs scale {scale:e}"
        );
    }
}
