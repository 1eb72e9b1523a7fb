//! Reverse-mode gradients through 20 production ocean steps (T31, f64, ocean-only forcing with
//! restoring, the barotropic CG at its fixed count) against central finite differences:
//! J = mean surface temperature of a North-Atlantic box (50–62°N, 320–345°E) after 20 steps,
//! differentiated with respect to a scale s of the lateral diffusivity (K_h → s K_h) and to
//! the initial temperature at one surface point in the box.
//!
//! Switches (the superbee limiter, convective adjustment) make J piecewise smooth. That no
//! switch that matters flips within ±ε is checked by the finite differences themselves:
//! estimates at ε, ε/2 and 2ε must agree to far better than the tolerance (a flipped switch
//! puts a jump into one of them).

use burn_tensor::Tensor;
use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64Autodiff};
use chronos::config::ResolvedConfig;
use chronos::ocean::{step, OceanModel, OceanOnlyForcing, OceanState};
use chronos::run::ocean_only::OceanOnlySetup;

type AD = Cpu64Autodiff;

struct Case {
    model: OceanModel<AD>,
    init: OceanState<AD>,
    forcing: OceanOnlyForcing<AD>,
    point: Tensor<AD, 3>,
    boxmask: Tensor<AD, 2>,
    box_n: f64,
}

fn j(case: &Case, s: Tensor<AD, 3>, dt0: Tensor<AD, 3>) -> Tensor<AD, 1> {
    let mut m = case.model.clone();
    m.consts.diff_x = m.consts.diff_x.clone() * s.clone();
    m.consts.diff_y = m.consts.diff_y.clone() * s;
    let mut st = case.init.clone();
    st.temperature = st.temperature + case.point.clone() * dt0;
    let [_, ny, nx] = m.shape;
    for n in 0..20 {
        let f = case.forcing.fluxes(&m, &st, 100.0 + n as f64 / 24.0);
        st = step(&m, st, &f).0;
    }
    (st.temperature.narrow(0, 0, 1).reshape([ny, nx]) * case.boxmask.clone()).sum() / case.box_n
}

fn scalar(v: f64) -> Tensor<AD, 3> {
    tensor_from_vec(vec![v], [1, 1, 1], &Default::default())
}

#[test]
fn gradients_match_central_differences_over_20_steps() {
    let d = Default::default();
    let cfg = ResolvedConfig::builtin("t31").unwrap().model;
    let OceanOnlySetup {
        grids,
        data,
        model,
        state: mut init,
        forcing,
        ..
    } = OceanOnlySetup::<AD>::new(&cfg, 30.0, &d).unwrap();
    // Start from a flow that has had a day to develop.
    for n in 0..24 {
        let f = forcing.fluxes(&model, &init, 99.0 + n as f64 / 24.0);
        init = step(&model, init, &f).0;
    }
    let init = OceanState {
        temperature: init.temperature.detach(),
        salinity: init.salinity.detach(),
        temperature_compensation: init.temperature_compensation.detach(),
        salinity_compensation: init.salinity_compensation.detach(),
        age: init.age.detach(),
        passive: Vec::new(),
        u: init.u.detach(),
        v: init.v.detach(),
        du: init.du.detach(),
        dv: init.dv.detach(),
        psi: init.psi.detach(),
        psi_dirichlet: init.psi_dirichlet.detach(),
        steps: init.steps,
    };
    let [nz, ny, nx] = model.shape;
    let g = &grids.ocean;
    let wet = &data.ocean.wet;
    let in_box = |p: usize| {
        let (lat, lon) = (g.lat_t_deg[p / nx], g.lon.centres_deg[p % nx]);
        wet[p] && (50.0..62.0).contains(&lat) && (320.0..345.0).contains(&lon)
    };
    let boxv: Vec<f64> = (0..ny * nx)
        .map(|p| f64::from(u8::from(in_box(p))))
        .collect();
    let box_n: f64 = boxv.iter().sum();
    assert!(box_n >= 6.0, "{box_n} wet cells in the box");
    let p0 = (0..ny * nx).find(|p| in_box(*p)).unwrap();
    let mut pt = vec![0.0; nz * ny * nx];
    pt[p0] = 1.0;
    let case = Case {
        model,
        init,
        forcing,
        point: tensor_from_vec(pt, [nz, ny, nx], &d),
        boxmask: tensor_from_vec(boxv, [ny, nx], &d),
        box_n,
    };

    // Reverse mode.
    let s = scalar(1.0).require_grad();
    let dt0 = scalar(0.0).require_grad();
    let out = j(&case, s.clone(), dt0.clone());
    let j0 = to_vec_f64(out.clone())[0];
    let grads = out.backward();
    let g_s = to_vec_f64(s.grad(&grads).unwrap())[0];
    let g_t = to_vec_f64(dt0.grad(&grads).unwrap())[0];

    // Central differences at ε, ε/2, 2ε.
    let eval = |a: f64, b: f64| to_vec_f64(j(&case, scalar(a), scalar(b)))[0];
    let fd_s = |e: f64| (eval(1.0 + e, 0.0) - eval(1.0 - e, 0.0)) / (2.0 * e);
    let fd_t = |e: f64| (eval(1.0, e) - eval(1.0, -e)) / (2.0 * e);
    let (es, et) = (1e-3, 2e-3);
    let s_fd = [fd_s(es), fd_s(es / 2.0), fd_s(2.0 * es)];
    let t_fd = [fd_t(et), fd_t(et / 2.0), fd_t(2.0 * et)];
    // Rounding noise of a difference quotient: ~1e-16 |J| / ε.
    let noise_s = 1e-16 * j0.abs() / es;
    let noise_t = 1e-16 * j0.abs() / et;
    println!(
        "J = {j0:.12} °C; dJ/ds: autodiff {g_s:.10e}, FD {:.10e} / {:.10e} / {:.10e} (noise ~{noise_s:.0e})",
        s_fd[0], s_fd[1], s_fd[2]
    );
    println!(
        "dJ/dT₀(point): autodiff {g_t:.10e}, FD {:.10e} / {:.10e} / {:.10e} (noise ~{noise_t:.0e})",
        t_fd[0], t_fd[1], t_fd[2]
    );
    let rel = |a: f64, b: f64| (a - b).abs() / a.abs().max(b.abs());
    for (grad, fd, noise) in [(g_s, s_fd, noise_s), (g_t, t_fd, noise_t)] {
        assert!(
            grad.abs() > 1e4 * noise,
            "gradient {grad:e} not above noise {noise:e}"
        );
        // No switch flips: the three estimates agree (truncation error O(ε²) is tiny here).
        assert!(
            rel(fd[0], fd[1]) < 1e-5 && rel(fd[0], fd[2]) < 1e-5,
            "{fd:?}"
        );
        assert!(
            rel(grad, fd[0]) < 1e-4,
            "autodiff {grad:e} vs FD {:e}",
            fd[0]
        );
    }
}
