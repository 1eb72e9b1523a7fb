//! The run driver end to end (`chronos run`, T31, release binary): a coupled, an
//! atmosphere-only and an ocean-only run extended from a shorter one, stopped by SIGTERM in
//! the middle of a month and resumed is bitwise identical to an uninterrupted one; truncated
//! restarts, changed physics, finished runs, `--force`, initial states from restarts and bad
//! input are handled with clear messages and without losing data.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common;

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = common::chronos_command();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn chronos(args: &[&str], env: &[(&str, &str)]) -> Output {
    command(args, env)
        .output()
        .expect("the chronos binary runs")
}

fn err_of(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    )
}

/// Every file of a folder (name → bytes).
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn names(snap: &[(String, Vec<u8>)]) -> Vec<&str> {
    snap.iter().map(|(n, _)| n.as_str()).collect()
}

/// Seconds of model time in a restart name `restart_YYYY-MM-DD-SSSSS.nc`.
fn restart_seconds(name: &str) -> f64 {
    let d = name
        .strip_prefix("restart_")
        .and_then(|r| r.strip_suffix(".nc"))
        .unwrap();
    let p: Vec<u64> = d.split('-').map(|x| x.parse().unwrap()).collect();
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let doy: u64 = month_days[..(p[1] as usize - 1)].iter().sum::<u64>() + p[2] - 1;
    (((p[0] - 1) * 365 + doy) * 86400 + p[3]) as f64
}

/// Runs `args` with a progress line on every interval, sends it a real SIGTERM from outside
/// at its first progress line starting with `at`, asserts that it stopped with exit status
/// 143 (128 + SIGTERM) naming the signal, and returns its standard error.
fn run_until_sigterm(args: &[&str], at: &str) -> String {
    let mut child = command(args, &[("CHRONOS_LOG_SECONDS", "0")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut log = String::new();
    let mut sent = false;
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if !sent && line.starts_with(at) {
            // The shell's built-in kill: /bin/kill (procps) is not on every Debian image.
            let ok = Command::new("sh")
                .args(["-c", &format!("kill -TERM {}", child.id())])
                .status()
                .unwrap();
            assert!(ok.success());
            sent = true;
        }
    }
    let status = child.wait().unwrap();
    assert!(sent, "no progress line {at:?} seen:\n{log}");
    assert_eq!(
        status.code(),
        Some(143),
        "exit 128 + SIGTERM expected:\n{log}"
    );
    assert!(
        log.contains("stopped by SIGTERM") && log.contains("run the same command again"),
        "{log}"
    );
    log
}

/// The restart a signal wrote in February of year 1 (the only one there).
fn february_restart(dir: &Path) -> String {
    let stop: Vec<String> = names(&snapshot(dir))
        .into_iter()
        .filter(|n| n.starts_with("restart_0001-02"))
        .map(String::from)
        .collect();
    assert_eq!(stop.len(), 1, "one restart written at the stop: {stop:?}");
    stop[0].clone()
}

/// Every file of `run` but the restarts `extra` is byte-identical to that of `reference`.
fn assert_same_files(reference: &Path, run: &Path, extra: &[&str]) {
    let sa = snapshot(reference);
    let s: Vec<(String, Vec<u8>)> = snapshot(run)
        .into_iter()
        .filter(|(n, _)| !extra.contains(&n.as_str()))
        .collect();
    assert_eq!(names(&sa), names(&s), "{}", run.display());
    for ((n, x), (_, y)) in sa.iter().zip(&s) {
        assert!(
            x == y,
            "{n} differs between {} and {}",
            reference.display(),
            run.display()
        );
    }
}

/// A T31 control run of 3 days (it ends inside January: the partial month is written and its
/// sums kept in the end restart), extended to 33 days, stopped there by a real SIGTERM from
/// outside in the middle of February (January's records are then kept and the files
/// continued) and resumed, gives the same files — every NetCDF file, restart and quick-look —
/// bit for bit as the same 33 days run uninterrupted.
#[test]
fn extended_then_stopped_by_sigterm_mid_month_then_resumed_is_bitwise_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let args = |out: &Path, days: &str| -> Vec<String> {
        ["run", "experiments/control.toml", "--days", days, "--out"]
            .iter()
            .map(|s| s.to_string())
            .chain([out.to_str().unwrap().to_string()])
            .collect()
    };
    let args_a = args(&a, "33");
    let uninterrupted = std::thread::spawn(move || {
        let refs: Vec<&str> = args_a.iter().map(String::as_str).collect();
        chronos(&refs, &[])
    });
    let args_short = args(&b, "3");
    let refs: Vec<&str> = args_short.iter().map(String::as_str).collect();
    let short = chronos(&refs, &[]);
    assert!(short.status.success(), "{}", err_of(&short));

    // The extension, stopped once the model is past 1 February 12:00 (36 coupling intervals
    // before the end, so that a fast machine cannot finish first).
    let args_b = args(&b, "33");
    let refs: Vec<&str> = args_b.iter().map(String::as_str).collect();
    let log = run_until_sigterm(&refs, "progress 0001-02-01 12:00");
    assert!(log.contains("resumed from"), "{log}");
    let mid = february_restart(&b);
    let t = restart_seconds(&mid);
    assert!(
        (31.5 * 86400.0..33.0 * 86400.0).contains(&t),
        "stopped at {t} s: inside February, before the end"
    );
    let r = chronos::io::CfReader::open(&b.join("ocean_0001.nc")).unwrap();
    assert_eq!(r.times().unwrap().len(), 1, "January written at the stop");
    drop(r);

    // Resume.
    let o = chronos(&refs, &[]);
    assert!(o.status.success(), "{}", err_of(&o));
    assert!(err_of(&o).contains("resumed from"), "{}", err_of(&o));
    let full = uninterrupted.join().unwrap();
    assert!(full.status.success(), "{}", err_of(&full));

    // B holds two more restarts (the short run's end, the stop's); the rest is identical.
    assert_same_files(&a, &b, &["restart_0001-01-04-00000.nc", &mid]);
    let sa = snapshot(&a);
    let r = chronos::io::CfReader::open(&b.join("ocean_0001.nc")).unwrap();
    assert_eq!(
        r.times().unwrap().len(),
        2,
        "January and the part of February"
    );
    for n in [
        "atmos_0001.nc",
        "ocean_0001.nc",
        "global.nc",
        "restart_0001-02-03-00000.nc",
    ] {
        assert!(names(&sa).contains(&n), "{n} missing: {:?}", names(&sa));
    }
    common::xarray_check(&b);
}

/// A short run, then: a truncated newest restart is reported and the one before used; a
/// resume with other physics is refused with nothing changed; a finished run is refused
/// without --force; a restart at the start of a year starts another experiment, one in
/// the middle of a year is refused.
#[test]
fn restarts_truncated_physics_changed_finished_and_branching() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let out_s = out.to_str().unwrap();
    let run = |days: &str, extra: &[&str]| {
        let mut a = vec![
            "run",
            "experiments/control.toml",
            "--days",
            days,
            "--out",
            out_s,
        ];
        a.extend_from_slice(extra);
        chronos(&a, &[])
    };
    let o = run("2", &[]);
    assert!(o.status.success(), "{}", err_of(&o));
    let last = out.join("restart_0001-01-03-00000.nc");
    assert!(last.is_file());
    // Truncate the newest restart: a longer run resumes from the one before, saying so.
    let bytes = std::fs::read(&last).unwrap();
    std::fs::write(&last, &bytes[..bytes.len() / 2]).unwrap();
    let o = run("3", &[]);
    let e = err_of(&o);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains("corrupt or truncated") && e.contains("restart_0001-01-03-00000.nc"),
        "{e}"
    );
    assert!(
        e.contains("resumed from") && e.contains("restart_0001-01-01-00000.nc"),
        "{e}"
    );
    let newest = out.join("restart_0001-01-04-00000.nc");
    assert!(newest.is_file(), "the resumed run wrote its end restart");

    // Other physics: refused, naming the difference; nothing changed.
    let before = snapshot(&out);
    let o = run("5", &["--set", "ocean.dt=1800"]);
    let e = err_of(&o);
    assert!(!o.status.success(), "{e}");
    assert!(e.contains("other physics") && e.contains("dt"), "{e}");
    assert_eq!(before, snapshot(&out), "nothing written or removed");

    // Finished: refused without --force, nothing changed.
    let o = run("3", &[]);
    let e = err_of(&o);
    assert!(
        !o.status.success() && e.contains("finished") && e.contains("--force"),
        "{e}"
    );
    assert_eq!(before, snapshot(&out));

    // A restart at the start of a year starts another experiment (other forcing allowed).
    let branch = dir.path().join("branch");
    let from = format!(
        "initial.from_restart={}",
        out.join("restart_0001-01-01-00000.nc").display()
    );
    let o = chronos(
        &[
            "run",
            "experiments/abrupt4xco2.toml",
            "--days",
            "1",
            "--out",
            branch.to_str().unwrap(),
            "--set",
            &from,
        ],
        &[],
    );
    let e = err_of(&o);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains("initial state from") && e.contains("1137.2"),
        "{e}"
    );
    // One in the middle of a year is refused.
    let from = format!("initial.from_restart={}", newest.display());
    let o = chronos(
        &[
            "run",
            "experiments/abrupt4xco2.toml",
            "--days",
            "1",
            "--out",
            dir.path().join("b2").to_str().unwrap(),
            "--set",
            &from,
        ],
        &[],
    );
    let e = err_of(&o);
    assert!(
        !o.status.success() && e.contains("not at the start of a year"),
        "{e}"
    );

    // --force starts over.
    let o = run("1", &["--force"]);
    assert!(o.status.success(), "{}", err_of(&o));
    assert!(
        !last.exists() && !newest.exists(),
        "--force removed the old run's restarts"
    );
}

/// An unknown --set key, a missing boundary file and a broken experiment file each stop
/// `chronos run` with a clear error and a non-zero status, leaving an existing run folder
/// untouched.
#[test]
fn bad_input_gives_clear_errors_and_overwrites_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out_s = out.to_str().unwrap();
    let o = chronos(
        &[
            "run",
            "experiments/control.toml",
            "--days",
            "1",
            "--out",
            out_s,
        ],
        &[],
    );
    assert!(o.status.success(), "{}", err_of(&o));
    let before = snapshot(&out);
    let check = |o: Output, words: &[&str]| {
        let e = err_of(&o);
        assert!(!o.status.success(), "{e}");
        for w in words {
            assert!(e.contains(w), "`{w}` missing from: {e}");
        }
        assert_eq!(before, snapshot(&out), "the run folder changed");
    };
    // Unknown --set key (a model key and an experiment key).
    check(
        chronos(
            &[
                "run",
                "experiments/control.toml",
                "--days",
                "2",
                "--out",
                out_s,
                "--set",
                "ocean.dtt=5",
            ],
            &[],
        ),
        &["ocean.dtt", "known keys"],
    );
    check(
        chronos(
            &[
                "run",
                "experiments/control.toml",
                "--days",
                "2",
                "--out",
                out_s,
                "--set",
                "initial.from=x",
            ],
            &[],
        ),
        &["initial.from", "known keys"],
    );
    // A missing boundary file.
    let data = dir.path().join("data");
    let t31 = data.join("t31");
    std::fs::create_dir_all(&t31).unwrap();
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/data/t31");
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap() != "land_initial.nc" {
            std::os::unix::fs::symlink(&p, t31.join(p.file_name().unwrap())).unwrap();
        }
    }
    check(
        chronos(
            &[
                "run",
                "experiments/control.toml",
                "--days",
                "2",
                "--out",
                out_s,
                "--force",
            ],
            &[("CHRONOS_DATA_DIR", data.to_str().unwrap())],
        ),
        &["land_initial.nc"],
    );
    // A broken experiment file.
    let bad = dir.path().join("broken.toml");
    std::fs::write(&bad, "[experiment]\nname = \"broken\nmodel = \"t31\"\n").unwrap();
    check(
        chronos(
            &[
                "run",
                bad.to_str().unwrap(),
                "--days",
                "2",
                "--out",
                out_s,
                "--force",
            ],
            &[],
        ),
        &["broken.toml"],
    );
}

/// The atmosphere-only (AMIP surface), aquaplanet and ocean-only modes run on the same
/// driver (issue 18): a 10-day run extended to 35 days, stopped there by a real SIGTERM on
/// 2 February and resumed, gives the same files bit for bit as the same 35 days run
/// uninterrupted, with restarts at the start and the end.
#[test]
fn atmosphere_and_ocean_only_runs_extend_stop_and_resume_bitwise() {
    let dir = tempfile::tempdir().unwrap();
    for exp in ["atmos_only", "aquaplanet", "ocean_only"] {
        let file = format!("experiments/{exp}.toml");
        let (a, c) = (
            dir.path().join(format!("{exp}-a")),
            dir.path().join(format!("{exp}-c")),
        );
        let args = |out: &Path, days: &'static str| {
            [
                "run",
                file.as_str(),
                "--days",
                days,
                "--out",
                out.to_str().unwrap(),
            ]
            .map(String::from)
        };
        for (out, days) in [(&a, "35"), (&c, "10")] {
            let o = chronos(&args(out, days).each_ref().map(String::as_str), &[]);
            assert!(o.status.success(), "{exp}: {}", err_of(&o));
        }
        let sa = snapshot(&a);
        assert!(
            names(&sa).contains(&"restart_0001-01-01-00000.nc")
                && names(&sa).contains(&"restart_0001-02-05-00000.nc"),
            "{exp}: {:?}",
            names(&sa)
        );
        let long = args(&c, "35");
        let long = long.each_ref().map(String::as_str);
        let log = run_until_sigterm(&long, "progress 0001-02-02");
        assert!(log.contains("resumed from"), "{exp}: {log}");
        let stop = february_restart(&c);
        let o = chronos(&long, &[]);
        assert!(o.status.success(), "{exp}: {}", err_of(&o));
        assert!(err_of(&o).contains("resumed from"), "{exp}: {}", err_of(&o));
        assert_same_files(&a, &c, &["restart_0001-01-11-00000.nc", &stop]);
    }
}
