//! Superbee tracer advection through `ocean::superbee_tendency`: conservation on the real T31
//! geometry, and monotonicity and transport speed in an idealised periodic channel.

use burn_tensor::Tensor;
use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64};
use chronos::config::{ConfigRequest, ResolvedConfig};
use chronos::forcing::BoundaryData;
use chronos::grid::ModelGrids;
use chronos::ocean::{superbee_tendency, FaceVelocity, OceanModel};

type B = Cpu64;

use crate::common::noise;

#[test]
fn tracer_content_is_conserved_on_the_real_t31_geometry() {
    let d = Default::default();
    let cfg = ResolvedConfig::builtin("t31").unwrap().model;
    let grids = ModelGrids::new(&cfg).unwrap();
    let data = BoundaryData::load("t31", &grids).unwrap();
    let m = OceanModel::<B>::new(&cfg, &grids, &data, &d).unwrap();
    let shape = m.shape;
    let n: usize = shape.iter().product();
    let t = tensor_from_vec::<B, 3>(noise(n, 1, 30.0), shape, &d) + 10.0;
    let vel = FaceVelocity {
        u: tensor_from_vec(noise(n, 2, 0.4), shape, &d),
        v: tensor_from_vec(noise(n, 3, 0.4), shape, &d),
        w: tensor_from_vec(noise(n, 4, 1e-4), shape, &d),
    };
    let tend = superbee_tendency(&m, t.clone(), &vel, 3600.0);
    let change = to_vec_f64(m.integrate_volume(tend.clone()))[0];
    let scale = to_vec_f64(m.integrate_volume(tend.clone().abs()))[0];
    println!("Σ V ∂T/∂t = {change:e} against Σ V |∂T/∂t| = {scale:e}");
    assert!(
        scale > 0.0 && change.abs() <= 1e-13 * scale,
        "{change:e} vs {scale:e}"
    );
    // Dry cells get no tendency.
    let dry = to_vec_f64(tend * (m.mask_t.clone().neg() + 1.0));
    assert!(dry.iter().all(|x| *x == 0.0));
}

#[test]
fn a_step_is_carried_without_new_extrema_at_the_flow_speed() {
    let d = Default::default();
    // An all-water band 20°S–20°N, 4 levels, no land: a periodic channel.
    let req = ConfigRequest {
        model: Some("t31".into()),
        sets: vec![
            "ocean.lat_south=-21".into(),
            "ocean.lat_north=21".into(),
            "ocean.nlat=12".into(),
            "ocean.nz=4".into(),
            "ocean.depth=400".into(),
        ],
        ..Default::default()
    };
    let cfg = ResolvedConfig::resolve(&req).unwrap().model;
    let grids = ModelGrids::new(&cfg).unwrap();
    let (ny, nx) = (grids.ocean.ny, grids.ocean.nx());
    let m = OceanModel::<B>::from_kbot(&cfg, &grids, &vec![4; ny * nx], &d).unwrap();
    let shape = m.shape;
    // u such that the Courant number is 0.5 on every row: u = 0.5 Δx / Δt.
    let dt = 3600.0;
    let dxt = grids.ocean.dx_t();
    let u: Vec<f64> = (0..shape.iter().product::<usize>())
        .map(|p| 0.5 * dxt[(p / nx) % ny] / dt)
        .collect();
    let vel = FaceVelocity {
        u: tensor_from_vec(u, shape, &d),
        v: Tensor::zeros(shape, (&d, burn_tensor::DType::F64)),
        w: Tensor::zeros(shape, (&d, burn_tensor::DType::F64)),
    };
    // A step: 1 on 20 columns, 0 elsewhere.
    let t0: Vec<f64> = (0..shape.iter().product::<usize>())
        .map(|p| {
            if (10..30).contains(&(p % nx)) {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let mut t = tensor_from_vec::<B, 3>(t0, shape, &d);
    let content0 = to_vec_f64(m.integrate_volume(t.clone()))[0];
    let steps = 40; // 20 cells at C = 0.5
    for _ in 0..steps {
        t = t.clone() + superbee_tendency(&m, t, &vel, dt) * dt;
    }
    let v = to_vec_f64(t.clone());
    let (lo, hi) = v
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        });
    println!("after {steps} steps: min {lo:e}, max {hi}");
    assert!(
        lo >= -1e-12 && hi <= 1.0 + 1e-12,
        "new extrema: [{lo}, {hi}]"
    );
    let content = to_vec_f64(m.integrate_volume(t))[0];
    assert!((content / content0 - 1.0).abs() < 1e-13);
    // The step's centre of mass moved 20 cells east (from 19.5 to 39.5) on every row.
    for j in 0..ny {
        let row = &v[j * nx..(j + 1) * nx];
        let mass: f64 = row.iter().sum();
        let centre: f64 = row
            .iter()
            .enumerate()
            .map(|(i, x)| i as f64 * x)
            .sum::<f64>()
            / mass;
        assert!((centre - 39.5).abs() < 0.05, "row {j}: centre {centre}");
    }
}
