//! Every shipped experiment runs on every backend the README offers for it (issue 17): each
//! file in `experiments/` for 2 days on `cpu` (f32) and `cpu64` (f64) at its own resolution
//! (T31; `t63_short` at T63), and the
//! coupled control for 1 day on `wgpu` (lavapipe without a GPU). Each run must succeed and
//! write output whose every value is finite (or the CF fill), with the surface air and sea
//! temperatures in physical bounds. The branches (`midholocene`, `abrupt4xco2`) start from
//! the control's first restart, as they would from the spin-up's last.

use chronos::io::{CfReader, FILL_VALUE};
use std::path::{Path, PathBuf};

use crate::common;

/// The experiments and the days each runs; the test fails if `experiments/` holds another.
const EXPERIMENTS: [(&str, &str); 8] = [
    ("control", "2"),
    ("spinup", "2"),
    ("midholocene", "2"),
    ("abrupt4xco2", "2"),
    ("atmos_only", "2"),
    ("aquaplanet", "2"),
    ("ocean_only", "2"),
    ("t63_short", "2"),
];

/// Runs `chronos run experiments/NAME.toml` into `out`; panics with its output on failure.
fn run(name: &str, days: &str, backend: &str, out: &Path, extra: &[String]) {
    let exp = format!("experiments/{name}.toml");
    let mut cmd = common::chronos_command();
    cmd.args(["run", &exp, "--days", days, "--backend", backend, "--out"])
        .arg(out)
        .args(extra);
    let o = cmd.output().expect("the chronos binary runs");
    assert!(
        o.status.success(),
        "{name} on {backend} failed ({}):\n{}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Bounds (K or °C) of variables whose values must be physical, not only finite.
const BOUNDS: [(&str, f64, f64); 4] = [
    ("tas", 150.0, 350.0),
    ("tos", -3.0, 40.0),
    ("thetao", -3.0, 40.0),
    ("sst", -3.0, 40.0),
];

/// Every variable of every NetCDF output file in `out` (restarts aside) is finite or fill, and
/// the [`BOUNDS`] variables are in their bounds; returns the number of files read.
fn check_output(name: &str, backend: &str, out: &Path) -> usize {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("output folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "nc"))
        // Restarts are checked by their checksum when read; these are the outputs.
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("restart_"))
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "{name} on {backend}: no NetCDF output in {}",
        out.display()
    );
    for f in &files {
        let r = CfReader::open(f).expect("output opens");
        for var in r.variables() {
            let (v, _) = r.read(&var).expect("variable reads");
            let bad = v.iter().filter(|x| !x.is_finite()).count();
            assert_eq!(
                bad,
                0,
                "{name} on {backend}: {var} in {} has {bad} non-finite values",
                f.display()
            );
            if let Some((_, lo, hi)) = BOUNDS.iter().find(|b| b.0 == var) {
                let out_of = v
                    .iter()
                    .filter(|x| **x != FILL_VALUE && !(*lo..=*hi).contains(*x))
                    .count();
                assert_eq!(
                    out_of,
                    0,
                    "{name} on {backend}: {var} in {} has {out_of} values outside {lo}…{hi}",
                    f.display()
                );
            }
        }
    }
    files.len()
}

fn every_experiment_on(backend: &str) {
    let listed: Vec<String> = EXPERIMENTS.iter().map(|e| e.0.to_string()).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    let mut shipped: Vec<String> = std::fs::read_dir(&dir)
        .expect("experiments/")
        .filter_map(|e| {
            let p = e.expect("entry").path();
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            (p.extension()? == "toml").then_some(stem)
        })
        .collect();
    shipped.sort();
    for s in &shipped {
        assert!(
            listed.contains(s),
            "experiments/{s}.toml is not in this smoke test"
        );
    }
    let tmp = tempfile::tempdir().expect("temporary folder");
    for (name, days) in EXPERIMENTS {
        let out = tmp.path().join(name);
        let extra = match name {
            "midholocene" | "abrupt4xco2" => {
                let r = tmp.path().join("control/restart_0001-01-01-00000.nc");
                vec![
                    "--set".into(),
                    format!("initial.from_restart={}", r.display()),
                ]
            }
            _ => Vec::new(),
        };
        run(name, days, backend, &out, &extra);
        let n = check_output(name, backend, &out);
        eprintln!("{name} on {backend}: {days} days, {n} NetCDF files finite");
    }
}

#[test]
fn every_experiment_runs_on_cpu_f32() {
    every_experiment_on("cpu");
}

#[test]
fn every_experiment_runs_on_cpu64() {
    every_experiment_on("cpu64");
}

/// The coupled control for one day on wgpu (lavapipe in CI; about 2.5 minutes there).
#[cfg(feature = "wgpu")]
#[test]
fn coupled_control_runs_on_wgpu() {
    if let Err(e) = chronos::backend::wgpu_device() {
        if std::env::var("CHRONOS_REQUIRE_WGPU").is_ok_and(|v| v == "1") {
            panic!("CHRONOS_REQUIRE_WGPU=1 but {e}");
        }
        eprintln!("skipping: {e} (set CHRONOS_REQUIRE_WGPU=1 to make this a failure)");
        return;
    }
    let tmp = tempfile::tempdir().expect("temporary folder");
    let out = tmp.path().join("control");
    run("control", "1", "wgpu", &out, &[]);
    let n = check_output("control", "wgpu", &out);
    eprintln!("control on wgpu: 1 day, {n} NetCDF files finite");
}
