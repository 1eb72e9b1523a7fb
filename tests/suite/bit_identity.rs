//! Outputs do not change under refactoring (issue 18): short runs of the three run modes write
//! NetCDF whose every variable is bit for bit what the code at commit `dd7448f` wrote.
//!
//! Each run below goes to a temporary folder; every variable of every NetCDF file it writes is
//! read as `f64` and hashed (FNV-1a over the IEEE bits, with the shape), and the hashes are
//! compared with `tests/data/output_checksums.txt`, recorded from `dd7448f` with
//! `CHRONOS_RECORD_CHECKSUMS=1 cargo test --release --test suite -- bit_identity::` (which rewrites the
//! file and then fails on purpose, so a recording can never pass as a test). Attributes
//! (history, titles) are not compared. A mode may add a file the recording does not have only
//! if it is a restart (`restart_*.nc`): atmosphere-only and ocean-only runs gained restarts in
//! issue 18.
//!
//! The recorded bits hold on x86-64 CPUs with FMA, where `matrixmultiply` (burn-ndarray's
//! matmul) takes its FMA kernel; on a CPU without FMA its kernel rounds differently and the
//! test says so and stops without comparing.

use chronos::io::CfReader;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common;

/// The runs: a label, the experiment, the backend and the days.
const RUNS: [(&str, &str, &str, &str); 5] = [
    ("coupled-cpu64", "control", "cpu64", "2"),
    ("coupled-cpu", "control", "cpu", "2"),
    ("ocean_only-cpu64", "ocean_only", "cpu64", "2"),
    ("atmos_only-cpu64", "atmos_only", "cpu64", "2"),
    ("aquaplanet-cpu64", "aquaplanet", "cpu64", "2"),
];

const CHECKSUMS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/output_checksums.txt"
);

/// FNV-1a (64 bit) over the shape and the IEEE-754 bits of `data`.
fn fnv1a(data: &[f64], shape: &[usize]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |word: u64| {
        for byte in word.to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    shape.iter().for_each(|&n| eat(n as u64));
    data.iter().for_each(|v| eat(v.to_bits()));
    h
}

/// Runs one experiment and returns `"label/file/variable" → hash` for everything it wrote.
fn run_and_hash(label: &str, exp: &str, backend: &str, days: &str) -> BTreeMap<String, u64> {
    let out = tempfile::tempdir().expect("temporary folder");
    let dir = out.path().join("run");
    let o = common::chronos_command()
        .args(["run", &format!("experiments/{exp}.toml"), "--days", days])
        .args(["--backend", backend, "--out"])
        .arg(&dir)
        .output()
        .expect("the chronos binary runs");
    assert!(
        o.status.success(),
        "{label} failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("output folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "nc"))
        .collect();
    files.sort();
    let mut hashes = BTreeMap::new();
    for file in files {
        let reader = CfReader::open(&file).expect("readable output");
        let fname = file.file_name().unwrap().to_string_lossy().into_owned();
        for var in reader.variables() {
            let (data, shape) = reader.read(&var).expect("numeric variable");
            hashes.insert(format!("{label}/{fname}/{var}"), fnv1a(&data, &shape));
        }
    }
    hashes
}

fn read_recorded(path: &Path) -> BTreeMap<String, u64> {
    let text = std::fs::read_to_string(path).expect("tests/data/output_checksums.txt exists");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (key, hash) = l.split_once(' ').expect("'key hash' lines");
            let hash = u64::from_str_radix(hash.trim(), 16).expect("hex hash");
            (key.to_string(), hash)
        })
        .collect()
}

fn record(path: &Path, all: &BTreeMap<String, u64>) {
    let mut text = String::from(
        "# FNV-1a hashes of every output variable of tests/suite/bit_identity.rs's runs\n\
         # (label/file/variable hash); recorded with CHRONOS_RECORD_CHECKSUMS=1.\n",
    );
    for (k, h) in all {
        text.push_str(&format!("{k} {h:016x}\n"));
    }
    std::fs::write(path, text).expect("write checksums");
}

/// A new file is allowed only when it is a restart of a mode that had none.
fn allowed_new(key: &str) -> bool {
    key.split('/')
        .nth(1)
        .is_some_and(|f| f.starts_with("restart_"))
}

#[test]
fn outputs_are_bit_identical_to_the_recorded_ones() {
    #[cfg(target_arch = "x86_64")]
    if !std::is_x86_feature_detected!("fma") {
        eprintln!("this CPU has no FMA: matrixmultiply rounds differently; not comparing");
        return;
    }
    let mut all = BTreeMap::new();
    for (label, exp, backend, days) in RUNS {
        all.extend(run_and_hash(label, exp, backend, days));
    }
    if std::env::var("CHRONOS_RECORD_CHECKSUMS").is_ok_and(|v| v == "1") {
        record(Path::new(CHECKSUMS), &all);
        panic!(
            "recorded {} checksums in {CHECKSUMS}; run again without CHRONOS_RECORD_CHECKSUMS",
            all.len()
        );
    }
    let recorded = read_recorded(Path::new(CHECKSUMS));
    let mut problems = Vec::new();
    for (key, want) in &recorded {
        match all.get(key) {
            None => problems.push(format!("{key}: missing")),
            Some(got) if got != want => problems.push(format!("{key}: {got:016x} ≠ {want:016x}")),
            _ => {}
        }
    }
    for key in all.keys().filter(|k| !recorded.contains_key(*k)) {
        if !allowed_new(key) {
            problems.push(format!("{key}: not in the recording"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} recorded variables differ:\n{}",
        problems.len(),
        recorded.len(),
        problems.join("\n")
    );
}
