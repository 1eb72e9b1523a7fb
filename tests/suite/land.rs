//! Land (`chronos::land`): the bucket fills to capacity and runs off exactly the excess, snow
//! melts with the latent heat of fusion, snow on the ice sheets beyond the cap leaves as
//! solid runoff, and energy and water close for every step.

use burn_tensor::Tensor;
use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::land::{LandModel, LandState, SurfaceForcing};
use chronos::physics::constants::LATENT_HEAT_FUSION;

type B = Cpu64;

fn t(v: Vec<f64>) -> Tensor<B, 3> {
    let n = v.len();
    tensor_from_vec(v, [1, 1, n], &Default::default())
}

fn model(n: usize) -> LandModel<B> {
    let cfg = ResolvedConfig::builtin("t31").unwrap();
    LandModel::new(
        &cfg.model.land,
        t(vec![0.2; n]),
        t(vec![150.0; n]),
        t(vec![0.0; n]),
    )
}

fn forcing(n: usize, rain: f64, snow: f64, sw: f64, lw: f64, e: f64) -> SurfaceForcing<B> {
    SurfaceForcing {
        sw_down: t(vec![sw; n]),
        lw_down: t(vec![lw; n]),
        rain: t(vec![rain; n]),
        snowfall: t(vec![snow; n]),
        sensible: t(vec![0.0; n]),
        evaporation: t(vec![e; n]),
        heat_flux_derivative: t(vec![0.0; n]),
    }
}

fn state(temp: f64, soil: f64, snow: f64, ice_snow: f64) -> LandState<B> {
    LandState {
        temperature: t(vec![temp]),
        soil_water: t(vec![soil]),
        snow: t(vec![snow]),
        ice_temperature: t(vec![temp.min(273.15)]),
        ice_snow: t(vec![ice_snow]),
        ice_sheet: t(vec![0.0]),
    }
}

fn one(x: Tensor<B, 3>) -> f64 {
    to_vec_f64(x)[0]
}

/// Energy and water of the land surfaces must change by exactly what the atmosphere gave
/// them minus what left as runoff (liquid at 0 enthalpy, solid at −L_f per kg).
fn check_budgets(
    m: &LandModel<B>,
    before: &LandState<B>,
    after: &LandState<B>,
    f: &SurfaceForcing<B>,
    runoff: &chronos::land::Runoff<B>,
    land_albedo: f64,
    dt: f64,
) {
    let sigma = 5.670_374_419e-8;
    let lv = 2.43e6;
    let [e0l, e0i] = m.energy(before).map(one);
    let [e1l, e1i] = m.energy(after).map(one);
    let [w0l, w0i] = m.water(before).map(one);
    let [w1l, w1i] = m.water(after).map(one);
    let (sw, lw, h, e, p) = (
        one(f.sw_down.clone()),
        one(f.lw_down.clone()),
        one(f.sensible.clone()),
        one(f.evaporation.clone()),
        one(f.rain.clone()) + one(f.snowfall.clone()),
    );
    for (de, t0, albedo, solid, label) in [
        (
            e1l - e0l,
            one(before.temperature.clone()),
            land_albedo,
            0.0,
            "land",
        ),
        (
            e1i - e0i,
            one(before.ice_temperature.clone()),
            m.ice_albedo(),
            one(runoff.ice_solid.clone()),
            "ice",
        ),
    ] {
        let atmos = (1.0 - albedo) * sw + lw - sigma * t0.powi(4) - h - lv * e;
        let want = (atmos + LATENT_HEAT_FUSION * solid) * dt;
        assert!(
            (de - want).abs() < 1e-9 * want.abs().max(1e3),
            "{label} energy: {de} vs {want}"
        );
    }
    let out_l = one(runoff.land.clone()) * dt;
    let out_i = (one(runoff.ice_liquid.clone()) + one(runoff.ice_solid.clone())) * dt;
    assert!(((w1l - w0l) - ((p - e) * dt - out_l)).abs() < 1e-10 * w0l.max(1.0));
    assert!(((w1i - w0i) - ((p - e) * dt - out_i)).abs() < 1e-10 * w0i.max(1.0));
}

#[test]
fn bucket_fills_to_capacity_and_runs_off_exactly_the_excess() {
    let m = model(1);
    let dt = 1200.0;
    let rain = 1e-3; // 1.2 kg m⁻² per step (86 mm/day)
    let mut st = state(290.0, 100.0, 0.0, 0.0);
    let mut total_runoff = 0.0;
    for n in 1..=100 {
        let f = forcing(1, rain, 0.0, 0.0, 5.670_374_419e-8 * 290f64.powi(4), 0.0);
        let albedo = one(m.albedo(&st));
        let (next, r, _) = m.step(&st, &f, &f, dt);
        check_budgets(&m, &st, &next, &f, &r, albedo, dt);
        let w = one(next.soil_water.clone());
        let filled = 100.0 + rain * dt * n as f64;
        if filled <= 150.0 {
            assert!((w - filled).abs() < 1e-9 && one(r.land.clone()) == 0.0);
        } else {
            assert!((w - 150.0).abs() < 1e-9, "{w}");
        }
        total_runoff += one(r.land) * dt;
        st = next;
    }
    // Everything above capacity ran off, nothing more.
    let excess = 100.0 + rain * dt * 100.0 - 150.0;
    assert!(
        (total_runoff - excess).abs() < 1e-9,
        "{total_runoff} vs {excess}"
    );
    // The evaporation efficiency: β = W/(0.75 W_FC) below, 1 at and above 0.75 W_FC.
    let dry = state(290.0, 56.25, 0.0, 0.0);
    assert!((one(m.wetness(&dry)) - 0.5).abs() < 1e-12);
    assert_eq!(one(m.wetness(&st)), 1.0);
}

#[test]
fn snow_accumulates_when_cold_and_melts_with_the_latent_heat_of_fusion() {
    let m = model(1);
    let dt = 1200.0;
    // Cold: snow accumulates, the surface is not warmed above freezing, albedo rises.
    let mut st = state(260.0, 50.0, 0.0, 0.0);
    let bare = one(m.albedo(&st));
    for _ in 0..72 {
        let f = forcing(1, 0.0, 1e-4, 0.0, 230.0, 0.0);
        let albedo = one(m.albedo(&st));
        let (next, r, _) = m.step(&st, &f, &f, dt);
        check_budgets(&m, &st, &next, &f, &r, albedo, dt);
        st = next;
    }
    let snow = one(st.snow.clone());
    assert!((snow - 1e-4 * dt * 72.0).abs() < 1e-9, "{snow}");
    assert!(one(m.albedo(&st)) > bare + 0.1);
    // Warm: a strong heat input melts the snow; the melt water reaches the soil.
    let soil0 = one(st.soil_water.clone());
    for _ in 0..200 {
        let f = forcing(1, 0.0, 0.0, 800.0, 350.0, 0.0);
        let albedo = one(m.albedo(&st));
        let (next, r, _) = m.step(&st, &f, &f, dt);
        check_budgets(&m, &st, &next, &f, &r, albedo, dt);
        // While snow lies, the surface stays at the melting point once it got there.
        if one(next.snow.clone()) > 0.0 {
            assert!(one(next.temperature.clone()) <= 273.15 + 1e-9);
        }
        st = next;
    }
    assert_eq!(one(st.snow.clone()), 0.0);
    assert!((one(st.soil_water.clone()) - soil0 - snow).abs() < 1e-9);
    assert!(one(st.temperature.clone()) > 273.15);
}

#[test]
fn snow_on_land_ice_beyond_the_cap_leaves_as_solid_runoff() {
    let m = model(1);
    let cap = m.params.land_ice_snow_cap;
    let dt = 1200.0;
    let snowfall = 2e-4; // 0.24 kg m⁻² per step, releasing L_f S = 67 W m⁻²
    let mut st = state(250.0, 0.0, 0.0, cap - 1.0);
    let mut solid = 0.0;
    let steps = 50;
    for _ in 0..steps {
        let f = forcing(1, 0.0, snowfall, 0.0, 200.0, 0.0);
        let (next, r, _) = m.step(&st, &f, &f, dt);
        check_budgets(&m, &st, &next, &f, &r, 0.2, dt);
        assert!(one(next.ice_snow.clone()) <= cap + 1e-9);
        assert!(one(next.ice_temperature.clone()) <= 273.15);
        solid += one(r.ice_solid) * dt;
        st = next;
    }
    let want = cap - 1.0 + snowfall * dt * steps as f64 - cap;
    assert!((solid - want).abs() < 1e-9, "{solid} vs {want}");
    assert!((one(st.ice_snow.clone()) - cap).abs() < 1e-9);
    // Melting the sheet: a warm forcing melts the snow, then the ice, and never warms it
    // above 0 °C; the ice sheet's mass change is tracked.
    let mut st = state(273.0, 0.0, 0.0, 1.0);
    for _ in 0..100 {
        let f = forcing(1, 0.0, 0.0, 900.0, 350.0, 0.0);
        let (next, r, _) = m.step(&st, &f, &f, dt);
        check_budgets(&m, &st, &next, &f, &r, 0.2, dt);
        assert!(one(next.ice_temperature.clone()) <= 273.15 + 1e-12);
        st = next;
    }
    assert_eq!(one(st.ice_snow.clone()), 0.0);
    assert!(one(st.ice_sheet.clone()) < 0.0);
}

#[test]
fn evaporation_never_takes_more_water_than_the_surface_holds() {
    let m = model(3);
    let dt = 1200.0;
    // Dry soil under a thin snow cover, half-full soil, and dew onto dry soil.
    let st = LandState {
        temperature: t(vec![290.0; 3]),
        soil_water: t(vec![0.0, 75.0, 0.0]),
        snow: t(vec![0.01, 0.0, 0.0]),
        ice_temperature: t(vec![260.0; 3]),
        ice_snow: t(vec![0.0; 3]),
        ice_sheet: t(vec![0.0; 3]),
    };
    let e_pot = t(vec![5e-5, 5e-5, -1e-5]);
    let beta = to_vec_f64(m.limited_wetness(&st, e_pot.clone(), dt));
    // Snow lies: β = 1, limited to the 0.01 kg m⁻² there is; β(75/112.5) = 2/3; dew passes.
    assert!((beta[0] - 0.01 / (5e-5 * dt)).abs() < 1e-12, "{beta:?}");
    assert!((beta[1] - 75.0 / 112.5).abs() < 1e-12, "{beta:?}");
    assert_eq!(beta[2], 0.0);
    let e = to_vec_f64(e_pot * t(beta.clone()));
    let f = SurfaceForcing {
        evaporation: t(e),
        ..forcing(3, 0.0, 0.0, 0.0, 300.0, 0.0)
    };
    let (next, _, _) = m.step(&st, &f, &f, dt);
    let soil = to_vec_f64(next.soil_water);
    let snow = to_vec_f64(next.snow);
    assert!(
        soil.iter().chain(&snow).all(|w| *w >= 0.0),
        "{soil:?} {snow:?}"
    );
    assert!(
        snow[0].abs() < 1e-15 && soil[0].abs() < 1e-12,
        "{soil:?} {snow:?}"
    );
}

/// A surface whose upward flux grows steeply with its temperature (wet forest in a gale,
/// λ = 150 W m⁻² K⁻¹, λΔt/C = 0.43 per 1200-s step; 3.4 at Δt = 9600 s, where a forward step
/// oscillates with growing amplitude): the implicit step relaxes monotonically to the
/// equilibrium, and the land's energy changes by the atmosphere's fluxes minus the correction
/// it returns.
#[test]
fn stiff_surface_relaxes_monotonically_and_the_correction_closes_energy() {
    let m = model(1);
    let sigma = 5.670_374_419e-8;
    let (lambda_turb, t_eq_air) = (150.0 - 4.0 * sigma * 290f64.powi(3), 285.0);
    for dt in [1200.0, 9600.0] {
        let mut st = state(300.0, 150.0, 0.0, 0.0);
        for _ in 0..200 {
            let ts = one(st.temperature.clone());
            // Sensible heat linear in Tₛ; longwave down balances σ(290 K)⁴.
            let mut f = forcing(1, 0.0, 0.0, 0.0, sigma * 290f64.powi(4), 0.0);
            f.sensible = t(vec![lambda_turb * (ts - t_eq_air)]);
            f.heat_flux_derivative = t(vec![4.0 * sigma * ts.powi(3) + lambda_turb]);
            let albedo = one(m.albedo(&st));
            let (next, _, corr) = m.step(&st, &f, &f, dt);
            let [e0, _] = m.energy(&st).map(one);
            let [e1, _] = m.energy(&next).map(one);
            let atmos = (1.0 - albedo) * 0.0 + sigma * 290f64.powi(4)
                - sigma * ts.powi(4)
                - lambda_turb * (ts - t_eq_air);
            let want = (atmos - one(corr.land.clone())) * dt;
            assert!((e1 - e0 - want).abs() < 1e-9 * want.abs().max(1e3));
            let t1 = one(next.temperature.clone());
            // Monotone: it cools, and never past the equilibrium (net flux stays ≤ 0).
            let net = sigma * (290f64.powi(4) - t1.powi(4)) - lambda_turb * (t1 - t_eq_air);
            assert!(t1 <= ts + 1e-12, "Δt {dt}: warmed from {ts} to {t1}");
            assert!(
                net <= 1e-9,
                "Δt {dt}: overshot the equilibrium to {t1} ({net} W m⁻²)"
            );
            st = next;
        }
        let tn = one(st.temperature.clone());
        // Equilibrium: σ(290⁴ − T⁴) = λ_turb (T − 285).
        let resid = sigma * (290f64.powi(4) - tn.powi(4)) - lambda_turb * (tn - t_eq_air);
        assert!(
            resid.abs() < 1e-6,
            "Δt {dt}: T = {tn}, residual {resid} W m⁻²"
        );
    }
}

/// Snow melting under the implicit step: the surface ends at 0 °C and the heat that melts
/// snow is what the fluxes give at that final temperature, Δt(F − λ(T_m − T)) − C(T_m − T);
/// energy closes with the correction λ(T_m − T).
#[test]
fn snow_melts_with_the_flux_of_the_final_temperature() {
    let m = model(1);
    let sigma = 5.670_374_419e-8;
    let (dt, t0, lambda, sw) = (7200.0, 273.0, 60.0, 1000.0);
    let st = state(t0, 100.0, 50.0, 500.0);
    let mut f = forcing(1, 0.0, 0.0, sw, 320.0, 0.0);
    f.heat_flux_derivative = t(vec![lambda]);
    let albedo = one(m.albedo(&st));
    let (next, r, corr) = m.step(&st, &f, &f, dt);
    let c = cfg_heat_capacity();
    let tm = 273.15;
    let flux = (1.0 - albedo) * sw + 320.0 - sigma * t0.powi(4);
    for (label, t_new, melt, corr) in [
        (
            "land",
            one(next.temperature.clone()),
            50.0 - one(next.snow.clone()),
            one(corr.land.clone()),
        ),
        (
            "ice",
            one(next.ice_temperature.clone()),
            one(r.ice_liquid.clone()) * dt,
            one(corr.ice.clone()),
        ),
    ] {
        let f_atm = if label == "land" {
            flux
        } else {
            (1.0 - m.ice_albedo()) * sw + 320.0 - sigma * t0.powi(4)
        };
        let want = (dt * (f_atm - lambda * (tm - t0)) - c * (tm - t0)) / LATENT_HEAT_FUSION;
        println!("{label}: T⁺ = {t_new} K, melt {melt:.6} kg m⁻² (want {want:.6})");
        assert!((t_new - tm).abs() < 1e-9, "{label}: {t_new}");
        assert!(
            want > 0.0 && (melt - want).abs() < 1e-9 * want,
            "{label}: {melt} vs {want}"
        );
        assert!((corr - lambda * (tm - t0)).abs() < 1e-9, "{label}: {corr}");
    }
}

fn cfg_heat_capacity() -> f64 {
    ResolvedConfig::builtin("t31")
        .unwrap()
        .model
        .land
        .heat_capacity
}
