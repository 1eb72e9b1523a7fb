//! Seawater δ18O and the site operator on the T31 ocean grid, with the observed annual ocean
//! (Levitus 1982 temperature and salinity from the boundary data, `ocean_initial.nc`) in the
//! model's place:
//!
//! - the LeGrande & Schmidt (2006) field regridded to 3.75° × 3.5°, its regional δw–S slopes,
//!   and δw at the Malevich et al. (2019) core tops against the value the source gives there;
//! - the core-top δ18O through the operator (pooled bayfox, annual, surface): the misfit a
//!   perfect but coarse-grid ocean scores, against the README's perfect-ocean 0.62 ‰;
//! - every late-Holocene site of Tierney et al. (2020) placed on the grid: how many are dry.
//!
//! `cargo test --release --features wgpu --test suite -- proxy_operator:: --nocapture` prints
//! the numbers docs/proxy.md quotes.

use burn_tensor::Tensor;
use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::forcing::BoundaryData;
use chronos::grid::ModelGrids;
use chronos::io::{CfReader, FILL_VALUE};
use chronos::proxy::seawater::REGIONS;
use chronos::proxy::{
    D18oSwProduct, MonthlyOcean, OnDry, ProxyKind, ProxyRecord, Season, SeawaterD18o, SiteOperator,
    SiteOptions, Species, Table,
};
use std::path::{Path, PathBuf};

fn proxies(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models/data/proxies")
        .join(name)
}

struct Observed {
    grids: ModelGrids,
    data: BoundaryData,
    temperature: Vec<f64>,
    salinity: Vec<f64>,
}

fn observed() -> Observed {
    let grids = ModelGrids::new(&ResolvedConfig::builtin("t31").unwrap().model).unwrap();
    let data = BoundaryData::load("t31", &grids).unwrap();
    let r = CfReader::open(&data.dir.join("ocean_initial.nc")).unwrap();
    let read = |name: &str| -> Vec<f64> {
        let v = r.read(name).unwrap().0;
        v.into_iter()
            .map(|x| if x == FILL_VALUE { 0.0 } else { x })
            .collect()
    };
    Observed {
        temperature: read("temperature"),
        salinity: read("salinity"),
        grids,
        data,
    }
}

/// Twelve copies of an annual `[nz·ny·nx]` field, `[12, nz, ny, nx]`.
fn months(o: &Observed, v: &[f64]) -> Tensor<Cpu64, 4> {
    let [nz, ny, nx] = [
        o.grids.levels.dz.len(),
        o.grids.ocean.ny,
        o.grids.ocean.nx(),
    ];
    tensor_from_vec::<Cpu64, 4>(v.to_vec(), [1, nz, ny, nx], &Default::default())
        .expand([12, nz, ny, nx])
}

fn seawater(o: &Observed) -> SeawaterD18o<Cpu64> {
    SeawaterD18o::new(
        &proxies("d18osw_2deg.csv"),
        D18oSwProduct::LeGrande2006,
        &o.grids.ocean,
        &o.grids.levels,
        &o.data.ocean,
        &o.salinity,
        &Default::default(),
    )
    .unwrap()
}

/// The Malevich core tops as annual surface records, with the source's δ18Osw at each.
fn coretops() -> (Vec<ProxyRecord>, Vec<f64>) {
    let t = Table::read(&proxies("malevich2019_coretop_d18o.csv")).unwrap();
    let col = |n: &str| t.column(n).unwrap();
    let (site, lat, lon, sp, d18o, sw) = (
        col("site_id"),
        col("lat"),
        col("lon"),
        col("species"),
        col("d18oc"),
        col("d18osw_vsmow"),
    );
    let records = (0..t.rows.len())
        .map(|r| ProxyRecord {
            site: t.rows[r].1[site].clone(),
            lat: t.number(r, lat).unwrap(),
            lon: t.number(r, lon).unwrap().rem_euclid(360.0),
            kind: ProxyKind::D18o,
            species: Some(Species::parse(&t.rows[r].1[sp]).unwrap()),
            value: t.number(r, d18o).unwrap(),
            sigma: 0.6,
            season: Season::Annual,
            habitat_depth: 0.0,
            age: [0.0, 0.0],
            reference: String::new(),
            line: t.rows[r].0,
        })
        .collect();
    let d18o_sw = (0..t.rows.len())
        .map(|r| t.number(r, sw).unwrap())
        .collect();
    (records, d18o_sw)
}

/// The site operator of `records` on the T31 grid with dry sites dropped.
fn dropping_dry(o: &Observed, records: &[ProxyRecord]) -> SiteOperator<Cpu64> {
    let opts = SiteOptions {
        on_dry: OnDry::Drop,
        ..SiteOptions::default()
    };
    let (g, kbot) = (&o.grids, &o.data.ocean.kbot);
    SiteOperator::new(
        records,
        &g.ocean,
        &g.levels,
        kbot,
        opts,
        &Default::default(),
    )
    .unwrap()
}

/// The observed annual ocean as twelve months, with δw from `sw` at the fitted slopes.
fn observed_ocean(o: &Observed, sw: &SeawaterD18o<Cpu64>) -> MonthlyOcean<Cpu64> {
    let d = Default::default();
    let ice = tensor_from_vec::<Cpu64, 1>(vec![0.0], [1], &d);
    MonthlyOcean {
        temperature: months(o, &o.temperature),
        salinity: months(o, &o.salinity),
        d18o_sw: sw.field(months(o, &o.salinity), sw.slopes(&d), ice),
        covered: [true; 12],
    }
}

fn mean_rms(r: &[f64]) -> (f64, f64) {
    let n = r.len() as f64;
    let mean = r.iter().sum::<f64>() / n;
    (mean, (r.iter().map(|x| x * x).sum::<f64>() / n).sqrt())
}

#[test]
fn seawater_d18o_regridded_with_regional_slopes_and_ice_volume() {
    let o = observed();
    let sw = seawater(&o);
    let d = Default::default();
    for (r, name) in REGIONS.iter().enumerate() {
        println!(
            "δw–S slope {name}: {:.3} ‰ per g/kg over {} cells",
            sw.fitted_slopes[r], sw.slope_cells[r]
        );
    }
    println!("wet cells filled from the nearest 2° cell: {:?}", sw.filled);
    // Every basin region is fitted from many cells and rises with salinity, as the regional
    // regressions behind the product do.
    for (r, name) in REGIONS.iter().enumerate() {
        assert!(
            sw.slope_cells[r] >= 20,
            "{name}: {} cells",
            sw.slope_cells[r]
        );
        assert!(sw.fitted_slopes[r] > 0.0, "{name}: {}", sw.fitted_slopes[r]);
    }
    // S = S_ref gives the product back; +1 g/kg adds each cell's regional slope; Δ_ice adds.
    let s_ref = months(&o, &o.salinity);
    let ice = |x: f64| tensor_from_vec::<Cpu64, 1>(vec![x], [1], &d);
    let base = sw.field(s_ref.clone(), sw.slopes(&d), ice(0.0));
    let prescribed = sw
        .prescribed
        .clone()
        .reshape([1, 15, 48, 96])
        .expand([12, 15, 48, 96]);
    let diff = to_vec_f64((base.clone() - prescribed).abs().max());
    assert_eq!(diff, vec![0.0]);
    let up = sw.field(s_ref + 1.0, sw.slopes(&d), ice(1.0)) - base;
    let up = to_vec_f64(up.narrow(0, 0, 1).narrow(1, 0, 1).reshape([48 * 96]));
    let nx = 96;
    for (c, &du) in up.iter().enumerate() {
        let want = chronos::proxy::seawater::region_of(
            o.data.ocean.basin[c],
            o.grids.ocean.lat_t_deg[c / nx],
        )
        .filter(|_| o.data.ocean.wet[c])
        .map_or(0.0, |r| sw.fitted_slopes[r]);
        assert!((du - 1.0 - want).abs() < 1e-12, "cell {c}: {du}");
    }
    // δw at the core tops (operator, surface) against the source's value there.
    let (records, source) = coretops();
    let op = dropping_dry(&o, &records);
    let kept: Vec<usize> = op
        .records
        .iter()
        .map(|r| records.iter().position(|q| q.line == r.line).unwrap())
        .collect();
    let sw_field = sw.field(months(&o, &o.salinity), sw.slopes(&d), ice(0.0));
    let at = to_vec_f64(
        op.at_habitat(sw_field)
            .narrow(0, 0, 1)
            .reshape([kept.len()]),
    );
    let r: Vec<f64> = kept.iter().zip(&at).map(|(&k, a)| source[k] - a).collect();
    let (mean, rms) = mean_rms(&r);
    println!(
        "δw at {} core tops: source − regridded mean {mean:.3} ‰, RMS {rms:.3} ‰",
        r.len()
    );
    assert!(rms < 0.1 && mean.abs() < 0.05, "{mean} {rms}");
}

#[test]
fn coretop_d18o_through_the_operator_with_the_observed_ocean() {
    let o = observed();
    let sw = seawater(&o);
    let (records, _) = coretops();
    let op = dropping_dry(&o, &records);
    let far = op.dropped.iter().map(|s| s.distance_km).fold(0.0, f64::max);
    println!(
        "core tops: {} placed, {} dry on the T31 ocean grid (nearest wet cell up to {far:.0} km)",
        op.records.len(),
        op.dropped.len()
    );
    let ocean = observed_ocean(&o, &sw);
    let h = to_vec_f64(op.equivalents(&ocean).unwrap());
    let r: Vec<f64> = op
        .records
        .iter()
        .zip(&h)
        .map(|(rec, h)| rec.value - h)
        .collect();
    let (mean, rms) = mean_rms(&r);
    println!("core-top δ18O, observed ocean on the T31 grid, pooled bayfox: mean {mean:.3} ‰, RMS {rms:.3} ‰");
    assert!(
        op.dropped.len() * 10 < records.len(),
        "{} dry",
        op.dropped.len()
    );
    assert!(rms < 1.0 && mean.abs() < 0.3, "{mean} {rms}");
}

#[test]
fn late_holocene_sites_on_the_t31_grid() {
    let o = observed();
    let t = Table::read(&proxies("tierney2020_lh_lgm.csv")).unwrap();
    let col = |n: &str| t.column(n).unwrap();
    let (site, lat, lon, slice, proxy, sp, value) = (
        col("site_id"),
        col("lat"),
        col("lon"),
        col("time_slice"),
        col("proxy"),
        col("species"),
        col("value"),
    );
    let kind = |p: &str| match p {
        "d18O_planktic" => ProxyKind::D18o,
        "uk37" => ProxyKind::Uk37,
        "mgca" => ProxyKind::MgCa,
        _ => ProxyKind::Tex86,
    };
    let records: Vec<ProxyRecord> = (0..t.rows.len())
        .filter(|&r| t.rows[r].1[slice] == "LH")
        .map(|r| {
            let k = kind(&t.rows[r].1[proxy]);
            ProxyRecord {
                site: t.rows[r].1[site].clone(),
                lat: t.number(r, lat).unwrap(),
                lon: t.number(r, lon).unwrap().rem_euclid(360.0),
                kind: k,
                species: k
                    .needs_species()
                    .then(|| Species::parse(&t.rows[r].1[sp]).unwrap()),
                value: t.number(r, value).unwrap(),
                sigma: 1.0,
                season: if k.needs_species() {
                    Season::Growth
                } else {
                    Season::Annual
                },
                habitat_depth: 0.0,
                age: [0.0, 4.0],
                reference: String::new(),
                line: t.rows[r].0,
            }
        })
        .collect();
    assert_eq!(records.len(), 879);
    let d = Default::default();
    let e = SiteOperator::<Cpu64>::new(
        &records,
        &o.grids.ocean,
        &o.grids.levels,
        &o.data.ocean.kbot,
        SiteOptions::default(),
        &d,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("nearest wet cell") && e.contains("km away"),
        "{e}"
    );
    println!("first dry site: {e}");
    let drop = SiteOptions {
        on_dry: OnDry::Drop,
        ..SiteOptions::default()
    };
    let op = SiteOperator::<Cpu64>::new(
        &records,
        &o.grids.ocean,
        &o.grids.levels,
        &o.data.ocean.kbot,
        drop,
        &d,
    )
    .unwrap();
    let near = SiteOptions {
        on_dry: OnDry::Nearest(500.0),
        ..SiteOptions::default()
    };
    let moved = SiteOperator::<Cpu64>::new(
        &records,
        &o.grids.ocean,
        &o.grids.levels,
        &o.data.ocean.kbot,
        near,
        &d,
    );
    println!(
        "late-Holocene records: {} placed, {} dry; within 500 km of a wet cell: {}",
        op.records.len(),
        op.dropped.len(),
        moved.as_ref().map_or("not all".to_string(), |m| format!(
            "all ({} moved)",
            m.moved.len()
        ))
    );
    assert_eq!(op.records.len() + op.dropped.len(), 879);
    // The range warnings count the records whose calibrated temperature lies outside the
    // calibration data's range, which covers both core-top calibration sets.
    let [lo, hi] = chronos::proxy::checks::CALIBRATION_RANGE;
    for (file, column) in [
        ("malevich2019_coretop_d18o.csv", "sst_annual_C"),
        ("bayspline_coretop_uk37.csv", "sst_C"),
    ] {
        let t = Table::read(&proxies(file)).unwrap();
        let c = t.column(column).unwrap();
        let sst: Vec<f64> = (0..t.rows.len()).map(|r| t.number(r, c).unwrap()).collect();
        let (min, max) = sst
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        println!("{file}: SST {min:.2}…{max:.2} °C");
        assert!(lo <= min && max <= hi, "{file}: {min} {max}");
    }
    let sw_sites = vec![0.0; op.records.len()];
    for w in chronos::proxy::range_warnings(&op.records, &SiteOptions::default(), &sw_sites) {
        println!("warning: {w}");
    }
    // Growth seasons, habitat and every proxy kind evaluate to finite values.
    let sw = seawater(&o);
    let ocean = observed_ocean(&o, &sw);
    let h = to_vec_f64(op.equivalents(&ocean).unwrap());
    assert!(h.iter().all(|x| x.is_finite()));
    for k in ProxyKind::ALL {
        let r: Vec<f64> = op
            .records
            .iter()
            .zip(&h)
            .filter(|(r, _)| r.kind == k)
            .map(|(r, h)| r.value - h)
            .collect();
        let (mean, rms) = mean_rms(&r);
        println!(
            "LH {}: {} records, observed − operator(observed ocean) mean {mean:.3}, RMS {rms:.3}",
            k.name(),
            r.len()
        );
    }
}
