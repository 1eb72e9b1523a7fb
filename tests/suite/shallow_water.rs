//! Validation of the spectral engine with the spectral shallow-water model (f64, release
//! mode): Williamson et al. (1992) cases 2, 5 and 6, and autodiff against finite differences.
//! Measured numbers are printed (run with `--nocapture` to see them).

use burn_tensor::Tensor;
use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64, Cpu64Autodiff};
use chronos::grid::gaussian::GaussianGrid;
use chronos::spectral::williamson::{self, CaseFields};
use chronos::spectral::{
    ShallowWaterConfig, ShallowWaterModel, ShallowWaterState, SpectralTransform,
};

type B = Cpu64;

fn grid(trunc: usize) -> GaussianGrid {
    let (nlon, nlat) = match trunc {
        21 => (64, 32),
        31 => (96, 48),
        63 => (192, 96),
        _ => panic!("no grid for T{trunc}"),
    };
    GaussianGrid::new(nlon, nlat, williamson::RADIUS)
}

fn model<Bk: burn_tensor::backend::Backend>(
    trunc: usize,
    case: &CaseFields<Bk>,
    dt: f64,
    diffusion: bool,
    device: &Bk::Device,
) -> ShallowWaterModel<Bk> {
    let g = grid(trunc);
    let tr = SpectralTransform::<Bk>::new(trunc, &g, device).unwrap();
    let mut cfg = ShallowWaterConfig::new(dt, case.mean_phi);
    cfg.gravity = williamson::GRAVITY;
    if !diffusion {
        cfg.hyperdiffusion = None;
    }
    ShallowWaterModel::new(
        tr,
        cfg,
        case.coriolis.clone(),
        case.surface_geopotential.clone(),
        device,
    )
}

/// Williamson's l2 norm of the height error, eq. 83.
fn l2(tr: &SpectralTransform<B>, h: Tensor<B, 3>, exact: Tensor<B, 3>) -> f64 {
    let d = Default::default();
    let num = to_vec_f64(tr.integrate((h - exact.clone()).powf_scalar(2.0), &d))[0];
    let den = to_vec_f64(tr.integrate(exact.powf_scalar(2.0), &d))[0];
    (num / den).sqrt()
}

fn dt_for(trunc: usize) -> f64 {
    match trunc {
        21 => 1800.0,
        31 => 1200.0,
        _ => 600.0,
    }
}

fn steps(days: f64, dt: f64) -> usize {
    (days * 86400.0 / dt).round() as usize
}

#[test]
fn case2_steady_zonal_flow_is_exact() {
    let d = Default::default();
    for trunc in [31, 63] {
        for alpha in [0.0, std::f64::consts::FRAC_PI_4] {
            let case = williamson::case2::<B>(&grid(trunc), alpha, &d);
            let dt = dt_for(trunc);
            for diffusion in [false, true] {
                let m = model(trunc, &case, dt, diffusion, &d);
                let s = m.run(
                    m.initial_state(case.u.clone(), case.v.clone(), case.phi.clone()),
                    steps(5.0, dt),
                );
                let (u, _, phi) = m.grid_fields(&s);
                let err = l2(
                    &m.transform,
                    phi / williamson::GRAVITY,
                    case.phi.clone() / williamson::GRAVITY,
                );
                let uerr = to_vec_f64((u - case.u.clone()).abs().max())[0];
                println!("case 2 T{trunc} α={alpha:.4} hyperdiffusion={diffusion}: l2(h) = {err:.3e}, l∞(u) = {uerr:.3e} m/s");
                if diffusion {
                    assert!(err < 1e-3, "with hyperdiffusion l2(h) = {err:e}");
                } else {
                    assert!(err <= 1e-10, "T{trunc} α={alpha}: l2(h) = {err:e}");
                    assert!(uerr <= 1e-8, "T{trunc} α={alpha}: l∞(u) = {uerr:e}");
                }
            }
        }
    }
}

#[test]
fn case6_rossby_haurwitz_conserves_mass() {
    let d = Default::default();
    let trunc = 31;
    let case = williamson::case6::<B>(&grid(trunc), &d);
    let dt = dt_for(trunc);
    let m = model(trunc, &case, dt, false, &d);
    let s0 = m.initial_state(case.u.clone(), case.v.clone(), case.phi.clone());
    let d0 = m.diagnostics(&s0);
    let s = m.run(s0, steps(14.0, dt));
    let d1 = m.diagnostics(&s);
    let mass = (d1.mass - d0.mass) / d0.mass;
    let energy = (d1.energy - d0.energy) / d0.energy;
    let enstrophy = (d1.potential_enstrophy - d0.potential_enstrophy) / d0.potential_enstrophy;
    println!("case 6 T{trunc} 14 days: Δmass = {mass:.3e}, Δenergy = {energy:.3e}, Δpotential enstrophy = {enstrophy:.3e} (relative)");
    assert!(mass.abs() <= 1e-12, "mass drift {mass:e}");
    assert!(
        energy.abs() < 1e-4 && enstrophy.abs() < 1e-3,
        "energy {energy:e}, enstrophy {enstrophy:e}"
    );
    assert!(to_vec_f64(s.current.abs().max())[0].is_finite());
}

/// Case 5 at truncation T, 15 days without diffusion: (state, relative energy and
/// potential-enstrophy changes).
fn case5_run(trunc: usize) -> (ShallowWaterState<B>, f64, f64) {
    let d = Default::default();
    let case = williamson::case5::<B>(&grid(trunc), &d);
    let dt = dt_for(trunc);
    let m = model(trunc, &case, dt, false, &d);
    let s0 = m.initial_state(case.u.clone(), case.v.clone(), case.phi.clone());
    let d0 = m.diagnostics(&s0);
    let s = m.run(s0, steps(15.0, dt));
    let d1 = m.diagnostics(&s);
    let mass = (d1.mass - d0.mass) / d0.mass;
    let de = (d1.energy - d0.energy) / d0.energy;
    let dz = (d1.potential_enstrophy - d0.potential_enstrophy) / d0.potential_enstrophy;
    println!("case 5 T{trunc} 15 days: Δmass = {mass:.3e}, Δenergy = {de:.3e}, Δpotential enstrophy = {dz:.3e}");
    assert!(mass.abs() <= 1e-12);
    (s, de, dz)
}

/// l2 difference of the Φ′ coefficients of two runs over the modes of the lower truncation.
fn spectral_difference(hi: &ShallowWaterState<B>, lo: &ShallowWaterState<B>, t_lo: usize) -> f64 {
    let k = t_lo + 1;
    let phi_hi = hi
        .current
        .clone()
        .narrow(2, 2, 1)
        .narrow(0, 0, k)
        .narrow(3, 0, k);
    let phi_lo = lo.current.clone().narrow(2, 2, 1);
    to_vec_f64((phi_hi - phi_lo).powf_scalar(2.0).sum())[0].sqrt()
}

#[test]
fn case5_mountain_conserves_invariants_and_converges() {
    let (s21, _, _) = case5_run(21);
    let (s31, de31, dz31) = case5_run(31);
    let (s63, de63, dz63) = case5_run(63);
    for (t, de, dz) in [(31, de31, dz31), (63, de63, dz63)] {
        assert!(
            de.abs() <= 1e-4 && dz.abs() <= 1e-4,
            "T{t}: Δenergy {de:e}, Δenstrophy {dz:e}"
        );
    }
    let d63_31 = spectral_difference(&s63, &s31, 31);
    let d31_21 = spectral_difference(&s31, &s21, 21);
    println!("case 5 self-convergence: ‖Φ′(T63) − Φ′(T31)‖ = {d63_31:.4e}, ‖Φ′(T31) − Φ′(T21)‖ = {d31_21:.4e} m² s⁻²");
    assert!(
        d63_31 < d31_21,
        "T31–T63 {d63_31:e} should be closer than T21–T31 {d31_21:e}"
    );
}

/// Central finite differences of J(x) = Σ w · F(x) along a random direction, against
/// the autodiff directional derivative ⟨∇J, d⟩.
fn check_gradient<F>(x: Vec<f64>, shape: [usize; 4], f: F, label: &str)
where
    F: Fn(Tensor<Cpu64Autodiff, 4>) -> Tensor<Cpu64Autodiff, 4>,
{
    let d = Default::default();
    let n = x.len();
    let mut s = 17u64;
    let mut rnd = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let w: Vec<f64> = (0..n).map(|_| rnd()).collect();
    let dir: Vec<f64> = x.iter().map(|xi| rnd() * xi.abs().max(1e-12)).collect();
    let out_shape = f(tensor_from_vec(x.clone(), shape, &d)).dims();
    let wt = tensor_from_vec::<Cpu64Autodiff, 4>(w.clone(), out_shape, &d);
    let j = |xs: Vec<f64>| -> f64 {
        let y = f(tensor_from_vec(xs, shape, &d));
        to_vec_f64((y * wt.clone()).sum())[0]
    };
    let xt = tensor_from_vec::<Cpu64Autodiff, 4>(x.clone(), shape, &d).require_grad();
    let grads = (f(xt.clone()) * wt.clone()).sum().backward();
    let g = to_vec_f64(xt.grad(&grads).expect("gradient"));
    let ad: f64 = g.iter().zip(&dir).map(|(a, b)| a * b).sum();
    let eps = 1e-3;
    let plus: Vec<f64> = x.iter().zip(&dir).map(|(a, b)| a + eps * b).collect();
    let minus: Vec<f64> = x.iter().zip(&dir).map(|(a, b)| a - eps * b).collect();
    let fd = (j(plus) - j(minus)) / (2.0 * eps);
    println!(
        "{label}: autodiff {ad:.12e}, central FD {fd:.12e}, relative difference {:.2e}",
        (ad - fd).abs() / fd.abs()
    );
    // The issue asks for 1e-6; measured agreement is 4e-12 – 4e-9, so 1e-8 is asserted.
    assert!((ad - fd).abs() <= 1e-8 * fd.abs(), "{label}: {ad} vs {fd}");
}

#[test]
fn gradients_match_finite_differences() {
    type A = Cpu64Autodiff;
    let d = Default::default();
    let trunc = 21;
    let case = williamson::case6::<A>(&grid(trunc), &d);
    let m = model::<A>(trunc, &case, dt_for(trunc), true, &d);
    let s0 = m.initial_state(case.u.clone(), case.v.clone(), case.phi.clone());
    let x = to_vec_f64(s0.current.clone());
    let shape = s0.current.dims();
    // One shallow-water step (the forward semi-implicit step; then a leapfrog step).
    check_gradient(
        x.clone(),
        shape,
        |c| {
            m.step(ShallowWaterState {
                previous: c.clone(),
                current: c,
                step: 0,
            })
            .current
        },
        "one shallow-water step",
    );
    check_gradient(
        x.clone(),
        shape,
        |c| {
            m.step(ShallowWaterState {
                previous: c.clone() * 0.999,
                current: c,
                step: 1,
            })
            .current
        },
        "one leapfrog step",
    );
    // Five leapfrog steps (nonlinear beyond quadratic, so finite differences are not exact).
    check_gradient(
        x.clone(),
        shape,
        |c| {
            let mut s = ShallowWaterState {
                previous: c.clone() * 0.999,
                current: c,
                step: 1,
            };
            for _ in 0..5 {
                s = m.step(s);
            }
            s.current
        },
        "five leapfrog steps",
    );
    // A transform round trip spectral → grid → spectral.
    check_gradient(
        x,
        shape,
        |c| m.transform.analysis(m.transform.synthesis(c)),
        "transform round trip",
    );
}
