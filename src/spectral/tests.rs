//! Transform tests in f64: round trips, Laplacian eigenvalues, winds ↔ vorticity/divergence.

use super::transform::SpectralTransform;
use crate::backend::{tensor_from_vec, to_vec_f64, Cpu64};
use crate::grid::gaussian::GaussianGrid;
use burn_tensor::Tensor;

type B = Cpu64;
const A: f64 = 6.371e6;

fn setup(trunc: usize, nlon: usize, nlat: usize) -> (SpectralTransform<B>, GaussianGrid) {
    let g = GaussianGrid::new(nlon, nlat, A);
    (
        SpectralTransform::new(trunc, &g, &Default::default()).unwrap(),
        g,
    )
}

fn lcg(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
}

/// Random triangular coefficients `[M, 2, L, N]` (zero for n < m and for B₀).
fn random_spec(trunc: usize, levels: usize, seed: u64) -> Tensor<B, 4> {
    let mm = trunc + 1;
    let mut s = seed;
    let mut v = vec![0.0; mm * 2 * levels * mm];
    for m in 0..mm {
        for part in 0..2 {
            for l in 0..levels {
                for n in 0..mm {
                    let idx = ((m * 2 + part) * levels + l) * mm + n;
                    if n >= m && !(m == 0 && part == 1) {
                        v[idx] = lcg(&mut s);
                    }
                }
            }
        }
    }
    tensor_from_vec(v, [mm, 2, levels, mm], &Default::default())
}

fn grid_field(g: &GaussianGrid, f: impl Fn(f64, f64) -> f64) -> Tensor<B, 3> {
    let mut v = Vec::with_capacity(g.nlat * g.nlon());
    for lat in &g.lat_deg {
        for lon in &g.lon.centres_deg {
            v.push(f(lon.to_radians(), lat.to_radians()));
        }
    }
    tensor_from_vec(v, [1, g.nlat, g.nlon()], &Default::default())
}

fn max_abs(t: Tensor<B, 3>) -> f64 {
    to_vec_f64(t.abs().max())[0]
}

fn max_abs4(t: Tensor<B, 4>) -> f64 {
    to_vec_f64(t.abs().max())[0]
}

#[test]
fn round_trips_are_exact_at_t31_and_t63() {
    for (trunc, nlon, nlat) in [(31, 96, 48), (63, 192, 96)] {
        let (tr, _) = setup(trunc, nlon, nlat);
        let spec = random_spec(trunc, 3, 7);
        let back = tr.analysis(tr.synthesis(spec.clone()));
        let err = max_abs4(back - spec.clone()) / max_abs4(spec);
        assert!(
            err < 1e-12,
            "T{trunc}: spectral→grid→spectral relative error {err:e}"
        );
        // grid → spectral → grid is a projection.
        let mut s = 99u64;
        let noise: Vec<f64> = (0..2 * nlat * nlon).map(|_| lcg(&mut s)).collect();
        let g = tensor_from_vec::<B, 3>(noise, [2, nlat, nlon], &Default::default());
        let p1 = tr.synthesis(tr.analysis(g));
        let p2 = tr.synthesis(tr.analysis(p1.clone()));
        let err = max_abs(p2 - p1.clone()) / max_abs(p1);
        assert!(err < 1e-12, "T{trunc}: projection not idempotent, {err:e}");
    }
}

#[test]
fn mean_coefficient_is_root_two_times_the_global_mean() {
    let (tr, g) = setup(31, 96, 48);
    let f = grid_field(&g, |lam, phi| {
        3.0 + phi.sin().powi(3) + lam.cos() * phi.cos()
    });
    let spec = to_vec_f64(tr.analysis(f.clone()));
    let mean =
        to_vec_f64(tr.integrate(f, &Default::default()))[0] / (4.0 * std::f64::consts::PI * A * A);
    assert!(
        (spec[0] - 2f64.sqrt() * mean).abs() < 1e-13,
        "{} vs {}",
        spec[0],
        2f64.sqrt() * mean
    );
}

#[test]
fn laplacian_eigenvalues_and_zonal_derivative() {
    let (tr, g) = setup(31, 96, 48);
    // Degree-n functions: ∇² f = −n(n+1)/a² f.
    type Case = (usize, fn(f64, f64) -> f64);
    let cases: [Case; 4] = [
        (1, |_, p| p.sin()),
        (1, |l, p| p.cos() * l.cos()),
        (2, |_, p| 3.0 * p.sin().powi(2) - 1.0),
        (3, |l, p| p.cos().powi(3) * (3.0 * l).sin()),
    ];
    for (n, f) in cases {
        let field = grid_field(&g, f);
        // In spectral space the Laplacian is exactly the eigenvalue times each coefficient.
        let spec = tr.analysis(field.clone());
        let lap_spec = to_vec_f64(tr.laplacian(spec.clone()));
        let want_spec = to_vec_f64(spec.clone() * (-((n * (n + 1)) as f64) / (A * A)));
        let scale = want_spec.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let big = lap_spec
            .iter()
            .zip(&want_spec)
            .filter(|(_, w)| w.abs() > 1e-6 * scale);
        for (l, w) in big {
            assert!((l - w).abs() <= 1e-14 * scale, "degree {n}: {l:e} vs {w:e}");
        }
        // On the grid, round-off in the analysis (≈1e-15 at high n) is amplified by up to
        // T(T+1)/(n(n+1)) relative to the degree-n signal: ≈5e-12 for n = 1 at T31.
        let lap = tr.synthesis(tr.laplacian(spec));
        let want = field.clone() * (-((n * (n + 1)) as f64) / (A * A));
        let err = max_abs(lap - want.clone()) / max_abs(want);
        assert!(err < 1e-10, "degree {n}: {err:e}");
        // The inverse Laplacian undoes it.
        let back = tr.synthesis(tr.inverse_laplacian(tr.laplacian(tr.analysis(field.clone()))));
        assert!(max_abs(back - field.clone()) < 1e-12 * max_abs(field));
    }
    // ∂/∂λ of cos²φ sin 2λ is 2 cos²φ cos 2λ.
    let f = grid_field(&g, |l, p| p.cos().powi(2) * (2.0 * l).sin());
    let want = grid_field(&g, |l, p| 2.0 * p.cos().powi(2) * (2.0 * l).cos());
    let d = tr.synthesis(tr.d_dlon(tr.analysis(f)));
    let err = max_abs(d - want);
    assert!(err < 1e-13 * 2.0 * 31.0, "∂/∂λ error {err:e}");
    // cos φ ∂/∂φ of sin φ is cos²φ.
    let f = grid_field(&g, |_, p| p.sin());
    let want = grid_field(&g, |_, p| p.cos().powi(2));
    let err = max_abs(tr.cos_dlat_to_grid(tr.analysis(f)) - want);
    assert!(err < 1e-12, "cos φ ∂/∂φ error {err:e}");
}

#[test]
fn solid_body_rotation_is_recovered_from_its_vorticity() {
    for (trunc, nlon, nlat) in [(31, 96, 48), (63, 192, 96)] {
        let (tr, g) = setup(trunc, nlon, nlat);
        let u0 = 38.61068276698372;
        let vort = tr.analysis(grid_field(&g, |_, p| 2.0 * u0 * p.sin() / A));
        let zero = vort.clone().zeros_like();
        let (u, v) = tr.uv_from_vort_div(vort.clone(), zero);
        let want = grid_field(&g, |_, p| u0 * p.cos());
        assert!(max_abs(u.clone() - want) < 1e-12 * u0, "T{trunc}");
        assert!(max_abs(v.clone()) < 1e-12 * u0, "T{trunc}");
        // And back: ζ from (u, v).
        let (z, d) = tr.vort_div_from_uv(u, v);
        assert!(max_abs4(z - vort.clone()) < 1e-12 * max_abs4(vort.clone()));
        let (dmax, zmax) = (max_abs4(d), max_abs4(vort.clone()));
        assert!(
            dmax < 1e-12 * zmax,
            "T{trunc}: δ = {dmax:e} for ζ = {zmax:e}"
        );
    }
}

#[test]
fn nondivergent_and_irrotational_winds() {
    for (trunc, nlon, nlat) in [(31, 96, 48), (63, 192, 96)] {
        let (tr, _) = setup(trunc, nlon, nlat);
        // Remove the n = 0 mode: a vorticity or divergence field has zero global mean.
        let mask = tr.truncation_mask(trunc, &Default::default())
            - tr.truncation_mask(0, &Default::default());
        let zeta = random_spec(trunc, 2, 3) * mask.clone() * 1e-5;
        let delta = random_spec(trunc, 2, 4) * mask * 1e-5;
        let zero = zeta.clone().zeros_like();
        let (u, v) = tr.uv_cos_from_vort_div(zeta.clone(), zero.clone());
        let (z, d) = tr.vort_div_from_uv_cos(u, v);
        let scale = max_abs4(zeta.clone());
        assert!(
            max_abs4(d) < 1e-12 * scale,
            "T{trunc}: ∇·(non-divergent) ≠ 0"
        );
        assert!(
            max_abs4(z - zeta) < 1e-12 * scale,
            "T{trunc}: ζ not recovered"
        );
        let (u, v) = tr.uv_cos_from_vort_div(zero, delta.clone());
        let (z, d) = tr.vort_div_from_uv_cos(u, v);
        assert!(
            max_abs4(z) < 1e-12 * scale,
            "T{trunc}: ∇×(irrotational) ≠ 0"
        );
        assert!(
            max_abs4(d - delta) < 1e-12 * scale,
            "T{trunc}: δ not recovered"
        );
    }
}
