//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::process::Command;

/// The `chronos` binary as a command run in the project folder, with none of the user's
/// `CHRONOS_*` settings (resolution, atmosphere step, model and data folders) leaking in.
pub fn chronos_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chronos"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in [
        "CHRONOS_RESOLUTION",
        "CHRONOS_DT_ATMOS",
        "CHRONOS_MODEL_DIR",
        "CHRONOS_DATA_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `compliance-checker --test=cf:1.8` when it is installed (CI installs it; set
/// `CHRONOS_CF_CHECKER` to its path, or have it on PATH). `CHRONOS_REQUIRE_CF_CHECKER=1`
/// makes its absence a failure.
pub fn cf_check(path: &std::path::Path) {
    let checker =
        std::env::var("CHRONOS_CF_CHECKER").unwrap_or_else(|_| "compliance-checker".into());
    let out = Command::new(&checker)
        .args(["--test=cf:1.8", "--criteria=strict"])
        .arg(path)
        .output();
    match out {
        Ok(o) => {
            let report = String::from_utf8_lossy(&o.stdout);
            assert!(
                o.status.success(),
                "CF check failed for {}:\n{report}",
                path.display()
            );
        }
        Err(e) => {
            let required = std::env::var("CHRONOS_REQUIRE_CF_CHECKER").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "CHRONOS_REQUIRE_CF_CHECKER=1 but {checker} cannot run: {e}"
            );
            eprintln!("skipping CF check: {checker} not available ({e})");
        }
    }
}

/// Reproducible uniform noise in [−scale/2, scale/2) (a 64-bit LCG), `n` values.
pub fn noise(n: usize, seed: u64, scale: f64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * scale
        })
        .collect()
}

/// Opens every output file of a run folder with xarray (decoded `noleap` times, monthly
/// records), by `tests/open_with_xarray.py` with the Python of `CHRONOS_PYTHON` (default
/// `venv/bin/python`). `CHRONOS_REQUIRE_CF_CHECKER=1` (set by CI) makes a missing Python
/// a failure.
pub fn xarray_check(dir: &std::path::Path) {
    let python = std::env::var("CHRONOS_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/venv/bin/python").into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/open_with_xarray.py");
    match Command::new(&python).arg(script).arg(dir).output() {
        Ok(o) => assert!(
            o.status.success(),
            "xarray check failed for {}:\n{}\n{}",
            dir.display(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            let required = std::env::var("CHRONOS_REQUIRE_CF_CHECKER").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "CHRONOS_REQUIRE_CF_CHECKER=1 but {python} cannot run: {e}"
            );
            eprintln!("skipping xarray check: {python} not available ({e})");
        }
    }
}
