//! Restart files of the coupled model (issue 8): a state written and read back continues
//! bit for bit like the uninterrupted run; truncated or altered files are detected and the
//! previous restart is used; a run with other physics is refused.

use burn_tensor::{backend::Backend, Tensor};
use chronos::backend::{to_vec_f64, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::forcing::orbit::Orbit;
use chronos::model::{step, CoupledModel, CoupledState};
use chronos::run::restart::{self, Field, Restart, RestartError};

type B = Cpu64;

/// One coupling interval under pre-industrial forcing (284.3 ppm, the 1850 orbit).
fn advance<Bk: Backend>(
    m: &CoupledModel<Bk>,
    s: CoupledState<Bk>,
) -> (CoupledState<Bk>, chronos::model::CouplingReport<Bk>) {
    let f = m.forcing(284.3, &Orbit::preset("pi").unwrap(), s.time);
    step(m, s, &f)
}

fn build() -> (CoupledModel<B>, CoupledState<B>) {
    let cfg = ResolvedConfig::builtin("t31").unwrap().model;
    let (m, data) = CoupledModel::<B>::new(&cfg, &Default::default()).unwrap();
    let s = m.initial_state(&data).unwrap();
    (m, s)
}

fn bits<Bk: Backend, const D: usize>(t: &Tensor<Bk, D>) -> Vec<u64> {
    to_vec_f64(t.clone()).iter().map(|v| v.to_bits()).collect()
}

fn same_state(a: &CoupledState<B>, b: &CoupledState<B>) -> bool {
    let (fa, ca) = restart::state_fields(a);
    let (fb, cb) = restart::state_fields(b);
    ca == cb
        && fa.len() == fb.len()
        && fa.iter().zip(&fb).all(|(x, y)| {
            x.name == y.name
                && x.shape == y.shape
                && x.values
                    .iter()
                    .map(|v| v.to_bits())
                    .eq(y.values.iter().map(|v| v.to_bits()))
        })
}

#[test]
fn a_restart_continues_bit_for_bit_and_bad_files_are_caught() {
    let dir = std::env::temp_dir().join(format!("chronos-restart-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let physics = "[model]\nname = \"t31\"\n[forcing]\nco2 = 284.3\n";
    let (m, mut s) = build();
    // Two intervals (the first is the atmosphere's forward half step), then a restart.
    for _ in 0..2 {
        s = advance(&m, s).0;
    }
    let extra = [Field {
        name: "monthly_tas_sum".into(),
        shape: vec![2, 3],
        values: vec![1.0, 2.5, -3.0, 1e-300, f64::MAX, 0.1],
    }];
    let older = dir.join("restart_0001-01-01.nc");
    let newer = dir.join("restart_0001-01-02.nc");
    restart::write(&older, &s, &extra, physics).unwrap();
    // The file appeared atomically: no temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["restart_0001-01-01.nc".to_string()]);

    let r = Restart::read(&older, physics).unwrap();
    let back = r.state(&s).unwrap();
    assert!(
        same_state(&s, &back),
        "the state did not round-trip bit for bit"
    );
    assert_eq!(r.field("monthly_tas_sum").unwrap(), &extra[0]);
    // Two more intervals from the original and from the restart: identical.
    let (mut a, mut b) = (s.clone(), back);
    for _ in 0..2 {
        a = advance(&m, a).0;
        b = advance(&m, b).0;
    }
    assert!(
        same_state(&a, &b),
        "the resumed run differs from the uninterrupted one"
    );
    assert_eq!(bits(&a.ocean.temperature), bits(&b.ocean.temperature));

    // A newer restart that is truncated is skipped with a report; the older one is used.
    restart::write(&newer, &a, &[], physics).unwrap();
    let full = std::fs::read(&newer).unwrap();
    std::fs::write(&newer, &full[..full.len() / 2]).unwrap();
    let search = restart::newest_valid(&dir, physics).unwrap();
    let skipped = search.skipped;
    let (path, _) = search.found.expect("the older restart");
    assert_eq!(path, older);
    assert_eq!(skipped.len(), 1);
    assert!(
        matches!(skipped[0], RestartError::Corrupt { .. }),
        "{}",
        skipped[0]
    );
    println!("truncated restart: {}", skipped[0]);

    // A restart whose data were altered after writing is caught by its checksum.
    restart::write(&newer, &a, &[], physics).unwrap();
    let mut f = netcdf::append(&newer).unwrap();
    let mut v = f.variable_mut("ocean_temperature").unwrap();
    v.put_values(&[12.345], (vec![3, 10, 10], vec![1, 1, 1]))
        .unwrap();
    drop(f);
    let err = Restart::read(&newer, physics).unwrap_err();
    assert!(matches!(err, RestartError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("checksum"), "{err}");

    // So is an altered clock.
    restart::write(&newer, &a, &[], physics).unwrap();
    let mut f = netcdf::append(&newer).unwrap();
    f.add_attribute("time_seconds", 12345.0).unwrap();
    drop(f);
    let err = Restart::read(&newer, physics).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");

    // Other physics: refused, naming the first difference.
    restart::write(&newer, &a, &[], physics).unwrap();
    let other = physics.replace("284.3", "1137.2") + "extra = 1\n";
    let err = restart::newest_valid(&dir, &other).unwrap_err();
    println!("other physics: {err}");
    assert!(
        matches!(&err, RestartError::PhysicsChanged { restart, run, .. } if restart.contains("284.3") && run.contains("1137.2")),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every restart field of the coupled state and of the prescribed (AMIP) surface is an entry
/// of its component's variable table, so restarts carry its long name and units, and every
/// monthly sum is described too.
#[test]
fn every_restart_field_is_a_table_entry() {
    use chronos::coupler::variables::{all, restart_spec};
    let (m, s) = build();
    let (fields, _) = restart::state_fields(&s);
    let cfg = ResolvedConfig::builtin("t31").unwrap();
    let orbit = Orbit::preset("pi").unwrap();
    let amip = chronos::run::atmos_only::AtmosOnly::<B>::new(
        &cfg.model,
        chronos::run::atmos_only::SurfaceKind::Amip,
        284.3,
        orbit,
        &Default::default(),
    )
    .unwrap();
    let mut c = chronos::io::fields::Collect::default();
    amip.surface_state.clone().visit(&mut c);
    assert!(!c.0.is_empty());
    for f in fields.iter().chain(&c.0) {
        let spec = restart_spec(&f.name)
            .unwrap_or_else(|| panic!("restart field `{}` is in no variable table", f.name));
        assert!(spec.restart);
        assert!(restart::describe(&f.name).is_some());
    }
    for v in all().filter(|v| v.monthly) {
        let (long, units) = restart::describe(&format!("sum_{}", v.name)).unwrap();
        assert!(
            long.contains(v.long_name) && units == v.units,
            "sum_{}",
            v.name
        );
    }
    assert!(restart::describe("no_such_field").is_none());
    // The written file carries them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("restart.nc");
    restart::write(&path, &s, &[], "physics").unwrap();
    let r = chronos::io::CfReader::open(&path).unwrap();
    assert_eq!(
        r.attr_string(Some("ocean_salinity"), "units").as_deref(),
        Some("g kg-1")
    );
    assert_eq!(
        r.attr_string(Some("atmos_current"), "long_name").as_deref(),
        Some("QTCM1 spectral state (zeta0, zeta1, delta1, T1, q1) at t")
    );
    drop(m);
}
