//! The proxy system models against real core tops with a perfect modern ocean: each core's own
//! observed SST and seawater δ18O (models/data/proxies/README.md, "What a perfect modern ocean
//! scores").
//!
//! - Malevich et al. (2019) core-top δ18O, 2636 rows, annual SST and LeGrande & Schmidt δ18Osw:
//!   the README's mean residual (observed − modelled) and RMS for pooled bayfox (−0.08 ‰,
//!   0.62 ‰), Bemis et al. low light (0.09 ‰, 0.67 ‰) and Kim & O'Neil (0.12 ‰, 0.65 ‰),
//!   within 0.01 ‰.
//! - BAYSPLINE core tops, 1137 rows: the posterior-mean spline misses its own calibration set
//!   by the calibration's τ (RMS within 5 % of √τ² = 0.0486), unbiased (|mean| < 0.002).

use burn_tensor::Tensor;
use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64};
use chronos::proxy::{D18oCalibration, Table, Uk37Calibration};

fn data(name: &str) -> Table {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/data/proxies");
    Table::read(&p.join(name)).unwrap()
}

fn column(t: &Table, name: &str) -> Tensor<Cpu64, 1> {
    let c = t.column(name).unwrap();
    let v: Vec<f64> = (0..t.rows.len()).map(|r| t.number(r, c).unwrap()).collect();
    let n = v.len();
    tensor_from_vec(v, [n], &Default::default())
}

/// Mean and RMS of `observed − modelled`.
fn misfit(observed: Tensor<Cpu64, 1>, modelled: Tensor<Cpu64, 1>) -> (f64, f64) {
    let r = to_vec_f64(observed - modelled);
    let n = r.len() as f64;
    let mean = r.iter().sum::<f64>() / n;
    let rms = (r.iter().map(|x| x * x).sum::<f64>() / n).sqrt();
    (mean, rms)
}

#[test]
fn d18o_core_tops_score_the_published_perfect_ocean_misfits() {
    let t = data("malevich2019_coretop_d18o.csv");
    assert_eq!(t.rows.len(), 2636);
    let (dc, sst, dw) = (
        column(&t, "d18oc"),
        column(&t, "sst_annual_C"),
        column(&t, "d18osw_vsmow"),
    );
    for (cal, want) in [
        (D18oCalibration::BayfoxPooled, [-0.08, 0.62]),
        (D18oCalibration::BemisLowLight, [0.09, 0.67]),
        (D18oCalibration::KimONeil, [0.12, 0.65]),
    ] {
        let modelled = cal.equation().calcite(sst.clone(), dw.clone());
        let (mean, rms) = misfit(dc.clone(), modelled);
        println!(
            "{:14} mean residual {mean:+.4} ‰, RMS {rms:.4} ‰ (README {:+.2}, {:.2})",
            cal.name(),
            want[0],
            want[1]
        );
        assert!(
            (mean - want[0]).abs() <= 0.01 && (rms - want[1]).abs() <= 0.01,
            "{}: {mean} / {rms} against {want:?}",
            cal.name()
        );
    }
}

#[test]
fn bayspline_misses_its_core_tops_by_its_own_error() {
    let t = data("bayspline_coretop_uk37.csv");
    assert_eq!(t.rows.len(), 1137);
    let (uk, sst) = (column(&t, "uk37"), column(&t, "sst_C"));
    let c = Uk37Calibration::Bayspline;
    let (mean, rms) = misfit(uk.clone(), c.uk37(sst.clone()));
    let tau = c.sigma().unwrap();
    let (m_mean, m_rms) = misfit(uk, Uk37Calibration::Mueller1998.uk37(sst));
    println!("BAYSPLINE mean {mean:+.5}, RMS {rms:.5} (τ = {tau:.5}); Müller 1998 mean {m_mean:+.5}, RMS {m_rms:.5}");
    assert!(mean.abs() < 0.002, "{mean}");
    assert!((rms / tau - 1.0).abs() < 0.05, "RMS {rms} against τ {tau}");
}

/// The posterior means written into `src/proxy/` are those of `calibration_params.csv`.
#[test]
fn calibration_constants_are_the_data_files_posterior_means() {
    use chronos::proxy::alkenone::{BAYSPLINE_COEFFICIENTS, BAYSPLINE_KNOTS, BAYSPLINE_TAU2};
    use chronos::proxy::mgca::BAYMAG_POOLED;
    use chronos::proxy::Species;
    let t = data("calibration_params.csv");
    let [model, species, parameter, mean] =
        ["model", "species", "parameter", "posterior_mean"].map(|c| t.column(c).unwrap());
    let value = |m: &str, s: &str, p: &str| -> f64 {
        let r = t
            .rows
            .iter()
            .position(|(_, f)| f[model] == m && f[species] == s && f[parameter] == p)
            .unwrap_or_else(|| panic!("no row {m} {s} {p}"));
        t.number(r, mean).unwrap()
    };
    let close = |a: f64, b: f64, what: &str| {
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{what}: {a} vs {b}"
        );
    };
    let mut bayfox = vec![(
        D18oCalibration::BayfoxPooled,
        "bayfox_annual_pooled",
        "pooled",
    )];
    for s in Species::ALL {
        bayfox.push((
            D18oCalibration::BayfoxAnnual(s),
            "bayfox_annual_hierarchical",
            s.name(),
        ));
        bayfox.push((
            D18oCalibration::BayfoxSeasonal(s),
            "bayfox_seasonal_hierarchical",
            s.name(),
        ));
    }
    for (cal, m, s) in bayfox {
        // T = a + bΔ with a = −α/β, b = 1/β.
        let e = cal.equation();
        let beta = 1.0 / e.b;
        close(beta, value(m, s, "b"), &cal.name());
        close(-e.a * beta, value(m, s, "a"), &cal.name());
        close(cal.sigma().unwrap(), value(m, s, "tau"), &cal.name());
        assert_eq!(e.offset, 0.27);
    }
    for (i, k) in BAYSPLINE_KNOTS.iter().enumerate() {
        close(
            *k,
            value("bayspline", "all", &format!("knot{}", i + 1)),
            "knot",
        );
    }
    for (i, b) in BAYSPLINE_COEFFICIENTS.iter().enumerate() {
        close(*b, value("bayspline", "all", &format!("b{}", i + 1)), "b");
    }
    close(BAYSPLINE_TAU2, value("bayspline", "all", "tau2"), "tau2");
    let names = [
        "alpha", "betaT", "betaS", "betaP", "betaO", "betaC", "sigma",
    ];
    for (v, p) in BAYMAG_POOLED.iter().zip(names) {
        close(*v, value("baymag_pooled", "pooled", p), p);
    }
}
