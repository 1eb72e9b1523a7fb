//! End-to-end tests of the `chronos` binary.

use std::process::Output;

fn chronos(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::chronos_command();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the chronos binary runs")
}

/// (arguments, environment, words the error must contain).
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a [&'a str]);

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn info_t63_prints_grid_sizes() {
    let o = chronos(&["info", "--model", "t63", "--backend", "cpu64"], &[]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("192×96"), "{out}");
    assert!(out.contains("40 levels"), "{out}");
    assert!(out.contains("tensors are F64"), "{out}");
}

#[test]
fn resolution_from_environment_agrees() {
    let o = chronos(&["info"], &[("CHRONOS_RESOLUTION", "T63")]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("192×96") && out.contains("40 levels"), "{out}");
    assert!(
        err.contains("override model.resolution") && err.contains("CHRONOS_RESOLUTION"),
        "{err}"
    );
    // And the default is T31.
    let (out, _) = text(&chronos(&["info"], &[]));
    assert!(out.contains("96×48") && out.contains("15 levels"), "{out}");
}

#[test]
fn negative_time_step_fails_naming_the_key() {
    let o = chronos(&["info", "--set", "atmosphere.dt=-5"], &[]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("atmosphere.dt") && err.contains("-5"), "{err}");
}

#[test]
fn bad_inputs_are_clear_errors() {
    let cases: &[Case] = &[
        (
            &["info"],
            &[("CHRONOS_RESOLUTION", "T32")],
            &["T32", "CHRONOS_RESOLUTION"],
        ),
        (
            &["info"],
            &[("CHRONOS_DT_ATMOS", "abc")],
            &["CHRONOS_DT_ATMOS"],
        ),
        (
            &["info", "--set", "atmosphere.dt=1000"],
            &[],
            &["coupling.interval"],
        ),
        (&["info", "--set", "ocean.nz=fifteen"], &[], &["ocean.nz"]),
        (
            &["info", "no/such/experiment.toml"],
            &[],
            &["no/such/experiment.toml"],
        ),
    ];
    // An output folder that cannot be made: each mode says what failed and what to do.
    let forbidden: Vec<[&str; 6]> = ["control", "atmos_only", "ocean_only"]
        .iter()
        .map(|e| {
            let exp: &'static str = Box::leak(format!("experiments/{e}.toml").into_boxed_str());
            ["run", exp, "--days", "1", "--out", "/proc/forbidden/run"]
        })
        .collect();
    for args in &forbidden {
        let o = chronos(args, &[]);
        let (_, err) = text(&o);
        assert!(!o.status.success(), "{args:?} should fail");
        for n in [
            "cannot create the output folder /proc/forbidden/run",
            "--out DIR",
        ] {
            assert!(err.contains(n), "{args:?}: `{n}` not in: {err}");
        }
    }
    for (args, env, needles) in cases {
        let o = chronos(args, env);
        let (_, err) = text(&o);
        assert!(!o.status.success(), "{args:?} should fail");
        for n in *needles {
            assert!(err.contains(n), "{args:?}: `{n}` not in: {err}");
        }
    }
}

#[test]
fn experiment_files_work_with_overrides_logged() {
    let o = chronos(
        &[
            "info",
            "experiments/t63_short.toml",
            "--set",
            "ocean.dt=900",
            "--full",
        ],
        &[("CHRONOS_DT_ATMOS", "300")],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("run length   10 days"), "{out}");
    // Each layer is logged: experiment (450), environment (300), --set (ocean.dt).
    assert!(
        err.contains("atmosphere.dt = 450.0 (was 600.0) from experiment"),
        "{err}"
    );
    assert!(
        err.contains("atmosphere.dt = 300.0 (was 450.0) from CHRONOS_DT_ATMOS"),
        "{err}"
    );
    assert!(
        err.contains("ocean.dt = 900.0 (was 1800.0) from --set"),
        "{err}"
    );
    assert!(out.contains("dt = 300.0"), "{out}");
}

#[test]
fn wgpu_request_is_handled() {
    let o = chronos(&["info", "--backend", "wgpu"], &[]);
    let (out, err) = text(&o);
    if cfg!(feature = "wgpu") {
        // Either it runs (an adapter exists, e.g. lavapipe in CI) or it says how to get one;
        // with CHRONOS_REQUIRE_WGPU=1 it must run.
        let required = std::env::var("CHRONOS_REQUIRE_WGPU").is_ok_and(|v| v == "1");
        if o.status.success() || required {
            assert!(o.status.success(), "CHRONOS_REQUIRE_WGPU=1 but: {err}");
            assert!(out.contains("tensors are F32"), "{out}");
        } else {
            assert!(err.contains("no wgpu adapter"), "{err}");
        }
    } else {
        assert!(!o.status.success());
        assert!(err.contains("--features wgpu"), "{err}");
    }
}

#[test]
fn help_lists_the_commands_and_environment() {
    let (out, _) = text(&chronos(&["--help"], &[]));
    assert!(
        out.contains("info") && out.contains("CHRONOS_RESOLUTION") && out.contains("--set"),
        "{out}"
    );
}

use crate::common;

/// Runs `experiment` for three days into `out`; asserts success, returns the arguments (to
/// repeat the run) and the standard output.
fn run_three_days<'a>(experiment: &'a str, out: &'a str) -> ([&'a str; 6], String) {
    let args = ["run", experiment, "--days", "3", "--out", out];
    let o = chronos(&args, &[]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}\n{stdout}");
    (args, stdout)
}

/// `chronos run` in ocean-only mode: a few days, CF-1.8 files, the resolved configuration in
/// the output folder, a finished run not run again (no silent overwrite).
#[test]
fn ocean_only_run_writes_cf_files_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("oo");
    let out_s = out.to_str().unwrap();
    let (args, stdout) = run_three_days("experiments/ocean_only.toml", out_s);
    assert!(
        stdout.contains("month 01") && stdout.contains("Drake"),
        "{stdout}"
    );
    let config = std::fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(
        config.contains("restoring_days") && config.contains("[ocean_physics]"),
        "{config}"
    );
    for f in ["ocean_diagnostics.nc", "ocean_state.nc"] {
        common::cf_check(&out.join(f));
    }
    let before = std::fs::metadata(out.join("ocean_state.nc"))
        .unwrap()
        .modified()
        .unwrap();
    // The same command again: the run is finished (its restart is at its end); refused,
    // nothing touched.
    let o = chronos(&args, &[]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("finished") && err.contains("--force"), "{err}");
    let after = std::fs::metadata(out.join("ocean_state.nc"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "nothing overwritten");
}

/// `chronos run` in the coupled mode: a few days of the T31 control, CF-1.8 files, the
/// resolved configuration with the forcing; hosing and CO₂ tables from an experiment file
/// run, and a broken table is refused naming the key, with nothing written.
#[test]
fn coupled_run_writes_cf_files_and_reads_forcing_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cpl");
    let out_s = out.to_str().unwrap();
    let (args, stdout) = run_three_days("experiments/control.toml", out_s);
    assert!(
        stdout.contains("0001-01:") && stdout.contains("sea ice N") && stdout.contains("AMOC"),
        "{stdout}"
    );
    for f in [
        "global.nc",
        "atmos_0001.nc",
        "ocean_0001.nc",
        "land_0001.nc",
        "seaice_0001.nc",
    ] {
        common::cf_check(&out.join(f));
    }
    common::xarray_check(&out);
    for f in [
        "quicklook_0001_maps.png",
        "quicklook_0001_series.png",
        "restart_0001-01-01-00000.nc",
        "restart_0001-01-04-00000.nc",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let r = chronos::io::CfReader::open(&out.join("global.nc")).unwrap();
    for v in [
        "tas",
        "sst",
        "toa_net",
        "siarea_n",
        "siarea_s",
        "amoc_26n",
        "drake",
        "thetao_deep",
        "energy_residual",
    ] {
        let (x, _) = r.read(v).unwrap();
        assert!(x.len() == 1 && x[0].is_finite(), "{v}: {x:?}");
    }
    let (res, _) = r.read("energy_residual").unwrap();
    assert!(res[0].abs() < 0.1, "energy residual {res:?} W m-2");
    let o = chronos::io::CfReader::open(&out.join("ocean_0001.nc")).unwrap();
    let vars = o.variables();
    for v in [
        "thetao",
        "so",
        "uo",
        "vo",
        "wo",
        "agessc",
        "tos",
        "sos",
        "msftbarot",
        "mlotst",
    ] {
        assert!(vars.iter().any(|x| x == v), "{v} missing from {vars:?}");
    }
    // The run is finished: running it again is refused without --force.
    let o = chronos(&args, &[]);
    let (_, err) = text(&o);
    assert!(
        !o.status.success() && err.contains("finished") && err.contains("--force"),
        "{err}"
    );

    let base = std::fs::read_to_string("experiments/control.toml")
        .unwrap()
        .replace(
            "model = \"t31\"",
            &format!("model = \"{}/models/t31.toml\"", env!("CARGO_MANIFEST_DIR")),
        );
    let tables = format!(
        "{base}\n[forcing]\nco2 = [[0, 284.3], [100, 1137.2]]\norbit = \"6ka\"\n[forcing.hosing]\nsverdrups = 0.5\nlatitudes = [50, 70]\nlongitudes = [300, 350]\nyears = [0, 10]\n"
    );
    let good = dir.path().join("hosing.toml");
    std::fs::write(&good, &tables).unwrap();
    let o = chronos(
        &[
            "run",
            good.to_str().unwrap(),
            "--days",
            "1",
            "--out",
            dir.path().join("h").to_str().unwrap(),
        ],
        &[],
    );
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("hosing on") && err.contains("6ka"), "{err}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, tables.replace("[100, 1137.2]", "[-5, 1137.2]")).unwrap();
    let o = chronos(
        &[
            "run",
            bad.to_str().unwrap(),
            "--days",
            "1",
            "--out",
            dir.path().join("bad").to_str().unwrap(),
        ],
        &[],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success() && err.contains("forcing.co2"), "{err}");
    assert!(
        !dir.path().join("bad").exists(),
        "nothing written for a broken experiment"
    );
}

/// `chronos run` in atmosphere-only mode (AMIP-like): a few days, CF-1.8 files with the
/// issue's output fields, no silent overwrite, and a bad orbit name refused clearly.
#[test]
fn atmos_only_run_writes_cf_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ao");
    let out_s = out.to_str().unwrap();
    let (args, stdout) = run_three_days("experiments/atmos_only.toml", out_s);
    assert!(
        stdout.contains("month 01") && stdout.contains("OLR") && stdout.contains("energy residual"),
        "{stdout}"
    );
    let config = std::fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(
        config.contains("[atmosphere_physics]") && config.contains("surface = \"amip\""),
        "{config}"
    );
    for f in ["atmos_monthly.nc", "atmos_global.nc"] {
        common::cf_check(&out.join(f));
    }
    let r = chronos::io::CfReader::open(&out.join("atmos_monthly.nc")).unwrap();
    let vars = r.variables();
    for v in [
        "tas", "huss", "uas", "vas", "tauu", "tauv", "pr", "prc", "prls", "evspsbl", "hfss",
        "hfls", "rsds", "rsus", "rlds", "rlus", "rsdt", "rsut", "rlut", "clt", "ua300",
    ] {
        assert!(vars.iter().any(|x| x == v), "{v} missing from {vars:?}");
    }
    let o = chronos(&args, &[]);
    let (_, err) = text(&o);
    assert!(!o.status.success() && err.contains("--force"), "{err}");
    let text_exp = std::fs::read_to_string("experiments/atmos_only.toml")
        .unwrap()
        .replace("orbit = \"pi\"", "orbit = \"99ka\"")
        .replace(
            "model = \"t31\"",
            &format!("model = \"{}/models/t31.toml\"", env!("CARGO_MANIFEST_DIR")),
        );
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, text_exp).unwrap();
    let o = chronos(
        &[
            "run",
            bad.to_str().unwrap(),
            "--days",
            "1",
            "--out",
            dir.path().join("bad").to_str().unwrap(),
        ],
        &[],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("99ka") && err.contains("forcing.orbit"),
        "{err}"
    );
    assert!(
        !dir.path().join("bad").exists(),
        "nothing written for a broken experiment"
    );
}

/// `chronos proxy`: the examples, a list, warnings and errors with their fix.
#[test]
fn proxy_calculator_answers_lists_and_explains_bad_input() {
    let run = |args: &[&str]| {
        let o = chronos(args, &[]);
        let (out, err) = text(&o);
        (o.status.success(), out, err)
    };
    let (ok, out, err) = run(&[
        "proxy",
        "d18o",
        "--calibration",
        "bemis-ll",
        "--d18o-c",
        "1.0",
        "--d18o-sw",
        "0",
    ]);
    assert!(ok && out.starts_with("T = 10.404 °C"), "{out}{err}");
    let (ok, out, _) = run(&[
        "proxy",
        "d18o",
        "--calibration",
        "bemis-ll",
        "--temperature",
        "20",
        "--d18o-sw",
        "0",
    ]);
    assert!(ok && out.starts_with("δc = -0.999 ‰ VPDB"), "{out}");
    let (ok, out, _) = run(&["proxy", "d18o", "--list"]);
    assert!(
        ok && out.contains("kim-oneil") && out.contains("mulitza-ruber"),
        "{out}"
    );
    let (ok, out, err) = run(&["proxy", "uk37", "--value", "1.2"]);
    assert!(
        ok && out.starts_with("T = ") && err.contains("outside 0…1"),
        "{out}{err}"
    );
    let (ok, out, _) = run(&["proxy", "tex86", "--temperature", "-1.5"]);
    assert!(ok && out.starts_with("TEX86 = "), "{out}");
    for (args, says) in [
        (
            &["proxy", "d18o", "--calibration", "bemis", "--d18o-c", "1"][..],
            "known: bemis-ll",
        ),
        (
            &[
                "proxy",
                "mgca",
                "--calibration",
                "baymag-pooled",
                "--value",
                "3",
            ],
            "--salinity",
        ),
        (&["proxy", "mgca", "--value", "-1"], "must be positive"),
        (&["proxy", "uk37"], "give the proxy value or --temperature"),
    ] {
        let (ok, _, err) = run(args);
        assert!(!ok && err.contains(says), "{args:?}: {err}");
    }
}
