//! Sea-ice thermodynamics (`chronos::ice`): Stefan's law, the equilibrium thickness under a
//! constant ocean heat flux, independence of the seasonal cycle from the coupling step, and
//! the ice–ocean exchange closing energy, water and salt.

use burn_tensor::Tensor;
use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::ice::{IceForcing, SeaIceModel, SeaIceState};
use chronos::physics::constants::{CP_SEAWATER as CP_OCEAN, LATENT_HEAT_FUSION, RHO0};

type B = Cpu64;
const SIGMA: f64 = 5.670_374_419e-8;
const TF: f64 = 271.35;
const DAY: f64 = 86_400.0;

fn model() -> SeaIceModel<B> {
    let cfg = ResolvedConfig::builtin("t31").unwrap();
    SeaIceModel::new(&cfg.model.sea_ice, &Default::default())
}

fn t(v: Vec<f64>) -> Tensor<B, 3> {
    let n = v.len();
    tensor_from_vec(v, [1, 1, n], &Default::default())
}

fn s(x: f64) -> Tensor<B, 3> {
    t(vec![x])
}

fn v(x: Tensor<B, 3>) -> f64 {
    to_vec_f64(x)[0]
}

fn column(h: f64) -> SeaIceState<B> {
    SeaIceState {
        concentration: s(1.0),
        volume: s(h),
        snow_volume: s(0.0),
        surface_temperature: s(TF),
    }
}

/// A surface held at `t_air` by a very strong coupling F(T) = Λ (T − T_air).
fn clamp_forcing(state: &SeaIceState<B>, t_air: f64, ocean_heat: f64) -> IceForcing<B> {
    let lambda = 1e7;
    let t0 = v(state.surface_temperature.clone());
    IceForcing {
        heat_flux: s(lambda * (t0 - t_air)),
        heat_flux_derivative: s(lambda),
        snowfall: s(0.0),
        sublimation: s(0.0),
        ocean_heat: s(ocean_heat),
        freezing_temperature: s(TF),
        frazil: s(0.0),
    }
}

#[test]
fn thickness_follows_stefans_law_without_ocean_heat() {
    let m = model();
    let p = &m.params;
    let dtemp = 20.0;
    let h0 = 0.5;
    let kappa = 2.0 * p.conductivity_ice * dtemp / (p.density_ice * LATENT_HEAT_FUSION);
    for (dt, tol) in [(3600.0, 2e-4), (DAY, 5e-3)] {
        let mut st = column(h0);
        let steps = (150.0 * DAY / dt) as usize;
        let mut worst: f64 = 0.0;
        for n in 1..=steps {
            let f = clamp_forcing(&st, TF - dtemp, 0.0);
            st = m.step(&st, &f, dt).0;
            let exact = (h0 * h0 + kappa * n as f64 * dt).sqrt();
            let h = v(m.thickness(&st));
            worst = worst.max((h / exact - 1.0).abs());
        }
        let h = v(m.thickness(&st));
        println!("Δt = {dt} s: h(150 d) = {h:.4} m, worst relative error vs Stefan {worst:.2e}");
        assert!(worst < tol, "Δt = {dt}: {worst:e}");
        assert!((v(st.surface_temperature.clone()) - (TF - dtemp)).abs() < 1e-3);
    }
}

#[test]
fn constant_ocean_heat_gives_the_equilibrium_thickness() {
    let m = model();
    let dtemp = 5.0;
    let f_o = 2.0;
    let h_eq = m.params.conductivity_ice * dtemp / f_o;
    for h_start in [1.0, 8.0] {
        let mut st = column(h_start);
        // (Melting thins the ice by half of the melt and opens leads by the other half
        // (Hibler 1979), so the approach from above is slower.)
        for _ in 0..(600 * 365 / 10) {
            let f = clamp_forcing(&st, TF - dtemp, f_o);
            st = m.step(&st, &f, 10.0 * DAY).0;
        }
        let h = v(m.thickness(&st));
        println!("from {h_start} m: h(600 y) = {h:.5} m, h_eq = {h_eq:.5} m");
        assert!((h / h_eq - 1.0).abs() < 1e-3, "{h} vs {h_eq}");
        // The equilibrium itself is a fixed point of the step, for any step length.
        let mut eq = column(h_eq);
        eq.surface_temperature = s(TF - dtemp);
        for dt in [3600.0, 30.0 * DAY] {
            let next = m.step(&eq, &clamp_forcing(&eq, TF - dtemp, f_o), dt).0;
            assert!((v(m.thickness(&next)) / h_eq - 1.0).abs() < 1e-6);
        }
    }
}

/// An Arctic-like seasonal forcing on day `d`: shortwave, longwave, air temperature.
fn arctic(d: f64) -> (f64, f64, f64) {
    let phase = 2.0 * std::f64::consts::PI * (d - 105.0) / 365.0;
    let sw = (220.0 * (std::f64::consts::PI * (d - 80.0) / 190.0).sin()).max(0.0);
    let sw = if (80.0..270.0).contains(&d) { sw } else { 0.0 };
    (sw, 240.0 + 70.0 * phase.sin(), 252.0 + 20.0 * phase.sin())
}

/// A forced column over a 50-m mixed layer: ice, leads and the slab ocean exchange heat,
/// water and salt; returns per-day (volume, thickness) and the final budget errors.
struct ColumnRun {
    daily_volume: Vec<f64>,
    daily_thickness: Vec<f64>,
    energy_error: f64,
    water_error: f64,
    salt_error: f64,
}

fn forced_column(dt: f64, years: usize) -> ColumnRun {
    let m = model();
    let c_h = 15.0; // ρ_a c_p C_H |V| (W m⁻² K⁻¹)
    let snowfall = 1.0e-5; // kg m⁻² s⁻¹ (0.86 mm/day w.e.) on ice, autumn to spring
    let depth = 50.0;
    let heat_cap = RHO0 * CP_OCEAN * depth;
    let mut st = SeaIceState {
        concentration: s(0.95),
        volume: s(0.95 * 2.0),
        snow_volume: s(0.95 * 0.1),
        surface_temperature: s(250.0),
    };
    // The slab's temperature as its departure from T_f (K), so the budget's sums do not lose
    // digits to a 271-K offset.
    let mut anomaly = 0.0f64;
    let mut frazil = 0.0;
    let (mut salt_ocean, mut water_ocean) = (0.0, 0.0);
    let e0 = v(m.enthalpy(&st)) + heat_cap * anomaly;
    let w0 = v(m.mass(&st));
    let s0 = v(m.salt(&st));
    let (mut energy_in, mut water_in) = (0.0, 0.0);
    let sub = (dt / 3600.0) as usize;
    let mut daily_volume = Vec::new();
    let mut daily_thickness = Vec::new();
    let steps = (years as f64 * 365.0 * DAY / dt) as usize;
    for n in 0..steps {
        let c = v(st.concentration.clone());
        let ts = v(st.surface_temperature.clone());
        let t_ocean = TF + anomaly;
        let alpha = v(m.albedo(&st));
        // Means of the forcing over the step, sampled hourly, at the state's temperatures.
        let (mut f_ice, mut q_open, mut snow) = (0.0, 0.0, 0.0);
        for k in 0..sub {
            let d = ((n * sub + k) as f64 * 3600.0 / DAY) % 365.0;
            let (sw, lw, ta) = arctic(d);
            let sn = if !(150.0..250.0).contains(&d) {
                snowfall
            } else {
                0.0
            };
            f_ice += SIGMA * ts.powi(4) + c_h * (ts - ta)
                - (1.0 - alpha) * sw
                - lw
                - LATENT_HEAT_FUSION * sn;
            q_open += 0.93 * sw + lw - SIGMA * t_ocean.powi(4) - c_h * (t_ocean - ta);
            snow += sn;
        }
        let (f_ice, q_open, snow) = (f_ice / sub as f64, q_open / sub as f64, snow / sub as f64);
        let forcing = IceForcing {
            heat_flux: s(f_ice),
            heat_flux_derivative: s(4.0 * SIGMA * ts.powi(3) + c_h),
            snowfall: s(snow),
            sublimation: s(0.0),
            ocean_heat: m.ocean_heat_flux(s(t_ocean), s(TF)),
            freezing_temperature: s(TF),
            frazil: s(frazil),
        };
        let (next, ex) = m.step(&st, &forcing, dt);
        // What the atmosphere gave the surface: the ice's implicit flux (as the atmosphere
        // sees it: snowfall arrives liquid) and the open water's.
        let f_sfc = v(ex.surface_flux.clone());
        energy_in += (-c * (f_sfc + LATENT_HEAT_FUSION * snow) + (1.0 - c) * q_open) * dt;
        water_in += (c * snow + (1.0 - c) * snow) * dt;
        // The slab ocean: open-water flux, the ice's exchange; water below T_f is frazil.
        anomaly += ((1.0 - c) * q_open + v(ex.heat.clone())) * dt / heat_cap;
        frazil = (-heat_cap * anomaly).max(0.0);
        anomaly += frazil / heat_cap;
        water_ocean += (v(ex.freshwater.clone()) + (1.0 - c) * snow) * dt;
        salt_ocean += v(ex.salt.clone()) * dt;
        st = next;
        if ((n + 1) as f64 * dt) % DAY == 0.0 {
            daily_volume.push(v(st.volume.clone()));
            daily_thickness.push(v(m.thickness(&st)));
        }
    }
    // Energy: ice enthalpy + ocean heat (the pending frazil is already in the ocean and not
    // yet ice: count it as ice-to-be, −frazil).
    let e1 = v(m.enthalpy(&st)) + heat_cap * anomaly - frazil;
    // Water and salt: the pending frazil has not yet moved either.
    let w1 = v(m.mass(&st)) + water_ocean;
    let s1 = v(m.salt(&st)) + salt_ocean;
    ColumnRun {
        daily_volume,
        daily_thickness,
        energy_error: (e1 - e0 - energy_in) / e0.abs(),
        water_error: (w1 - w0 - water_in) / w0,
        salt_error: (s1 - s0) / s0,
    }
}

#[test]
fn seasonal_cycle_does_not_depend_on_the_coupling_step() {
    let years = 4;
    let hourly = forced_column(3600.0, years);
    let daily = forced_column(DAY, years);
    let last = |r: &ColumnRun| r.daily_volume[(years - 1) * 365..].to_vec();
    let max = |x: &[f64]| x.iter().cloned().fold(f64::MIN, f64::max);
    let min = |x: &[f64]| x.iter().cloned().fold(f64::MAX, f64::min);
    let (mh, md) = (max(&last(&hourly)), max(&last(&daily)));
    let (nh, nd) = (min(&last(&hourly)), min(&last(&daily)));
    println!(
        "year {years}: max ice volume {mh:.4} m (1 h) vs {md:.4} m (1 d): {:.2} %; min {nh:.4} vs {nd:.4}",
        100.0 * (md / mh - 1.0)
    );
    for r in [&hourly, &daily] {
        println!(
            "budgets: energy {:.1e}, water {:.1e}, salt {:.1e}",
            r.energy_error, r.water_error, r.salt_error
        );
        assert!(r.energy_error.abs() < 1e-12, "{}", r.energy_error);
        assert!(r.water_error.abs() < 1e-12, "{}", r.water_error);
        assert!(r.salt_error.abs() < 1e-12, "{}", r.salt_error);
    }
    // A real seasonal cycle: growth in winter, melt in summer, perennial ice.
    assert!(mh > 1.0 && nh > 0.2 && mh - nh > 0.3, "{mh} {nh}");
    assert!((md / mh - 1.0).abs() < 0.02, "{md} vs {mh}");
    let hmax = |r: &ColumnRun| max(&r.daily_thickness[(years - 1) * 365..]);
    let (th, td) = (hmax(&hourly), hmax(&daily));
    println!(
        "max thickness {th:.4} m (1 h) vs {td:.4} m (1 d): {:.2} %",
        100.0 * (td / th - 1.0)
    );
    assert!((td / th - 1.0).abs() < 0.02, "{td} vs {th}");
}

#[test]
fn ocean_takes_exactly_the_basal_flux_while_ice_persists() {
    // Cells of thick ice, thin snow-covered ice, melting ice and an ice-free cell: where the
    // ice survives and no frazil forms, the heat the ocean gives up is c F_o exactly.
    let m = model();
    let st = SeaIceState {
        concentration: t(vec![1.0, 0.6, 0.8, 0.0]),
        volume: t(vec![3.0, 0.6 * 0.8, 0.8 * 1.5, 0.0]),
        snow_volume: t(vec![0.0, 0.6 * 0.2, 0.8 * 0.05, 0.0]),
        surface_temperature: t(vec![250.0, 260.0, 273.15, 271.35]),
    };
    let f_o = t(vec![2.0, 15.0, 30.0, 0.0]);
    let forcing = IceForcing {
        heat_flux: t(vec![40.0, 20.0, -150.0, 0.0]),
        heat_flux_derivative: t(vec![18.0, 20.0, 22.0, 20.0]),
        snowfall: t(vec![0.0, 2e-5, 0.0, 0.0]),
        sublimation: t(vec![1e-6, 0.0, -1e-6, 0.0]),
        ocean_heat: f_o.clone(),
        freezing_temperature: t(vec![TF; 4]),
        frazil: t(vec![0.0; 4]),
    };
    let (next, ex) = m.step(&st, &forcing, 3600.0);
    let heat = to_vec_f64(ex.heat);
    let want = to_vec_f64(st.concentration.clone() * f_o);
    for k in 0..4 {
        assert!(
            (heat[k] + want[k]).abs() < 1e-9 * want[k].abs().max(1.0),
            "{k}: {} vs {}",
            heat[k],
            -want[k]
        );
    }
    // The melting cell melted (its surface at 0 °C), the cold cells grew.
    let h_new = to_vec_f64(m.thickness(&next));
    let ts = to_vec_f64(next.surface_temperature);
    assert!(ts[2] == 273.15 && h_new[2] < 1.5);
    assert!(h_new[0] > 3.0 && ts[0] < 273.15);
    assert_eq!(to_vec_f64(next.concentration)[3], 0.0);
}
