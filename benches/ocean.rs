//! The ocean step on the real T31 and T63 geometry from Levitus under a wind stress: the
//! whole production step, the phases it is made of, and simulated years per day at the
//! model file's step. Run: `cargo bench --bench ocean` (`-- t31` for T31 only).

use burn_tensor::backend::Backend;
use burn_tensor::Tensor;
use chronos::backend::{self, Cpu32, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::ocean::advection::{superbee_tendency, FaceVelocity};
use chronos::ocean::momentum::{advection, friction, pressure, vertical_velocity};
use chronos::ocean::step::lateral_diffusion;
use chronos::ocean::{step, Isoneutral, OceanForcing};
use chronos::run::ocean_only::OceanOnlySetup;

mod common;
use common::{median_us, selected};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn sync<B: Backend, const D: usize>(x: Tensor<B, D>) {
    let _ = backend::to_vec_f64(x.sum());
}

fn bench<B: Backend>(name: &str, backend_name: &str) {
    let d = Default::default();
    let cfg = ResolvedConfig::builtin(name).unwrap().model;
    let OceanOnlySetup {
        model,
        state: levitus,
        forcing: ocean_only,
        ..
    } = OceanOnlySetup::<B>::new(&cfg, 30.0, &d).unwrap();
    // Spin up for 24 steps so every term is non-trivial.
    let mut state = levitus;
    for _ in 0..24 {
        let f = ocean_only.fluxes(&model, &state, 15.0);
        state = step(&model, state, &f).0;
    }
    let forcing: OceanForcing<B> = ocean_only.fluxes(&model, &state, 15.0);
    let [nz, ny, nx] = model.shape;
    let reps = if name == "t31" { 40 } else { 10 };
    let full = median_us(
        || {
            let (s, _) = step(&model, state.clone(), &forcing);
            sync(s.temperature);
        },
        reps,
    );
    let with_forcing = median_us(
        || {
            let f = ocean_only.fluxes(&model, &state, 15.0);
            let (s, _) = step(&model, state.clone(), &f);
            sync(s.temperature);
        },
        reps,
    );
    let w = vertical_velocity(&model, state.u.clone(), state.v.clone());
    let vel = FaceVelocity {
        u: state.u.clone(),
        v: state.v.clone(),
        w: w.clone(),
    };
    let dt = model.physics.dt;
    let t_w = median_us(
        || sync(vertical_velocity(&model, state.u.clone(), state.v.clone())),
        reps,
    );
    let t_adv = median_us(
        || {
            sync(superbee_tendency(
                &model,
                state.temperature.clone(),
                &vel,
                dt,
            ))
        },
        reps,
    );
    let t_hdiff = median_us(
        || sync(lateral_diffusion(&model, state.temperature.clone())),
        reps,
    );
    let mixing = model.physics.vertical_mixing();
    let t_kappa = median_us(
        || {
            sync(mixing.face_diffusivity(
                &model,
                &model.physics.eos,
                state.temperature.clone(),
                state.salinity.clone(),
                model.consts.z_top.clone(),
            ))
        },
        reps,
    );
    let kappa = mixing.face_diffusivity(
        &model,
        &model.physics.eos,
        state.temperature.clone(),
        state.salinity.clone(),
        model.consts.z_top.clone(),
    );
    let t_vmix = median_us(
        || sync(mixing.step(&model, state.temperature.clone(), kappa.clone(), dt)),
        reps,
    );
    let t_rho = median_us(
        || {
            let rho = model.physics.eos.density_anomaly(
                state.temperature.clone(),
                state.salinity.clone(),
                model.consts.z_t.clone(),
            );
            sync(pressure(&model, rho))
        },
        reps,
    );
    let t_madv = median_us(
        || {
            let (a, b) = advection(&model, state.u.clone(), state.v.clone(), w.clone());
            sync(a + b)
        },
        reps,
    );
    let t_fric = median_us(
        || {
            let (a, b) = friction(&model, state.u.clone(), state.v.clone());
            sync(a + b)
        },
        reps,
    );
    let bt = &model.barotropic;
    let um = (state.u.clone() * model.dz.clone())
        .sum_dim(0)
        .reshape([ny, nx])
        * bt.inv_h_u.clone();
    let vm = (state.v.clone() * model.dz.clone())
        .sum_dim(0)
        .reshape([ny, nx])
        * bt.inv_h_v.clone();
    let t_bt = median_us(
        || {
            sync(
                bt.solve(um.clone(), vm.clone(), state.psi_dirichlet.clone())
                    .psi,
            )
        },
        reps,
    );
    let t_iso = median_us(
        || {
            let e = Isoneutral::new(&model, state.temperature.clone(), state.salinity.clone());
            sync(e.k33 + e.bolus_w)
        },
        reps,
    );
    let eddies = Isoneutral::new(&model, state.temperature.clone(), state.salinity.clone());
    let t_redi = median_us(
        || sync(eddies.redi_tendency(&model, state.temperature.clone())),
        reps,
    );
    let x = state.temperature.clone();
    let y = state.salinity.clone();
    let t_add = median_us(|| sync(x.clone() + y.clone()), reps);
    let t_mul3 = median_us(|| sync(x.clone() * y.clone() * x.clone() + y.clone()), reps);
    let t_shift = median_us(|| sync(chronos::numerics::stencil::west(x.clone())), reps);
    let t_shift_y = median_us(
        || sync(chronos::numerics::stencil::north(x.clone(), 0.0)),
        reps,
    );
    let t_sum = median_us(|| sync(x.clone()), reps);
    let n_all = nz * ny * nx;
    let t_flat = median_us(
        || {
            let f = x.clone().reshape([n_all]);
            let sh = Tensor::cat(
                vec![f.clone().narrow(0, n_all - 1, 1), f.narrow(0, 0, n_all - 1)],
                0,
            );
            sync(sh.reshape([nz, ny, nx]))
        },
        reps,
    );
    let mask_i0 = x.clone().equal_elem(1e300);
    let t_where = median_us(
        || sync(x.clone().mask_where(mask_i0.clone(), y.clone())),
        reps,
    );
    println!(
        "  flat 1-D shift {:.0} µs, mask_where {:.0} µs",
        t_flat - t_sum,
        t_where - t_sum
    );
    let sypd = 86400.0 / (with_forcing * 1e-6 * (365.0 * 86400.0 / dt));
    println!(
        "{name} {backend_name} ({nx}×{ny}×{nz}, Δt = {dt} s): step {:.1} ms ({:.1} ms with the ocean-only forcing) → {sypd:.0} simulated years/day",
        full / 1e3,
        with_forcing / 1e3
    );
    println!(
        "  parts (ms): w {:.2} | superbee, one tracer {:.2} | lateral diffusion {:.2} | convective κ {:.2} | vertical mixing, one tracer {:.2} | density+pressure {:.2} | momentum advection {:.2} | friction {:.2} | barotropic solve {:.2} ({:.0}% of the step) | slopes + GM {:.2} | Redi, one tracer {:.2}",
        t_w / 1e3,
        t_adv / 1e3,
        t_hdiff / 1e3,
        t_kappa / 1e3,
        t_vmix / 1e3,
        t_rho / 1e3,
        t_madv / 1e3,
        t_fric / 1e3,
        t_bt / 1e3,
        100.0 * t_bt / full,
        t_iso / 1e3,
        t_redi / 1e3
    );
    println!(
        "  primitives on one 3-D field (µs, incl. a sum and host read of {:.0} µs): a + b {:.0} | a·b·a + b {:.0} | west shift {:.0} | north shift {:.0}",
        t_sum, t_add, t_mul3, t_shift, t_shift_y
    );
}

fn main() {
    let want = selected;
    if want("t31") {
        bench::<Cpu64>("t31", "cpu64");
        bench::<Cpu32>("t31", "cpu");
    }
    if want("t63") {
        bench::<Cpu64>("t63", "cpu64");
    }
    if want("t63") || want("t63-cpu") {
        bench::<Cpu32>("t63", "cpu");
    }
}
