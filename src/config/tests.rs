//! Tests of configuration loading, precedence and validation.

use super::*;
use std::io::Write;

fn req(model: &str) -> ConfigRequest {
    ConfigRequest {
        model: Some(model.into()),
        ..Default::default()
    }
}

fn err(r: ConfigRequest) -> String {
    ResolvedConfig::resolve(&r).unwrap_err().to_string()
}

fn experiment_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn builtin_models_parse_and_validate() {
    let t31 = ResolvedConfig::builtin("t31").unwrap();
    assert_eq!(
        (t31.model.atmosphere.nlon, t31.model.atmosphere.nlat),
        (96, 48)
    );
    assert_eq!((t31.model.ocean.nlat, t31.model.ocean.nz), (48, 15));
    assert_eq!(t31.model.atmosphere_steps_per_coupling(), 3);
    let t63 = ResolvedConfig::builtin("T63").unwrap();
    assert_eq!(
        (t63.model.atmosphere.nlon, t63.model.atmosphere.nlat),
        (192, 96)
    );
    assert_eq!(t63.model.ocean.nz, 40);
    assert!(t31.overrides.is_empty());
}

#[test]
fn every_embedded_model_is_named_after_its_file() {
    for (name, _) in BUILTIN_MODELS {
        let cfg = ResolvedConfig::builtin(name).unwrap();
        assert_eq!(&cfg.model.model.name, name);
        assert_eq!(cfg.model.model.resolution, name.to_ascii_uppercase());
    }
}

#[test]
fn precedence_is_set_over_env_over_experiment_over_model() {
    let exp = experiment_file(
        "[experiment]\nname = \"x\"\nmodel = \"t31\"\n[run]\ndays = 2\n[model.atmosphere]\ndt = 900\n[model.ocean]\ndt = 1800.0\n",
    );
    // Experiment over model.
    let r = ResolvedConfig::resolve(&ConfigRequest {
        experiment: Some(exp.path().into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.model.atmosphere.dt, 900.0);
    assert_eq!(r.model.ocean.dt, 1800.0);
    assert_eq!(r.overrides.len(), 2);
    assert!(r.overrides[0].source.starts_with("experiment"));
    // Environment over experiment.
    let env = Environment {
        dt_atmos: Some("600".into()),
        ..Default::default()
    };
    let r = ResolvedConfig::resolve(&ConfigRequest {
        experiment: Some(exp.path().into()),
        env: env.clone(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.model.atmosphere.dt, 600.0);
    assert_eq!(r.overrides.last().unwrap().source, "CHRONOS_DT_ATMOS");
    assert_eq!(r.overrides.last().unwrap().previous, "900.0");
    // --set over environment.
    let r = ResolvedConfig::resolve(&ConfigRequest {
        experiment: Some(exp.path().into()),
        env,
        sets: vec!["atmosphere.dt=400".into()],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.model.atmosphere.dt, 400.0);
    assert_eq!(r.overrides.len(), 4);
    // The provenance is written into the saved configuration.
    let saved = r.to_toml();
    assert!(
        saved.contains("override atmosphere.dt = 400.0 (was 600.0) from --set"),
        "{saved}"
    );
    assert!(saved.contains("dt = 400.0"));
}

#[test]
fn resolution_comes_from_env_and_set() {
    let env = Environment {
        resolution: Some("T63".into()),
        ..Default::default()
    };
    let r = ResolvedConfig::resolve(&ConfigRequest {
        env: env.clone(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.model.atmosphere.nlon, 192);
    assert_eq!(r.overrides[0].source, "CHRONOS_RESOLUTION");
    let r = ResolvedConfig::resolve(&ConfigRequest {
        env,
        sets: vec!["model.resolution=T31".into()],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.model.atmosphere.nlon, 96);
    assert_eq!(r.overrides.last().unwrap().source, "--set model.resolution");
}

#[test]
fn command_line_model_outranks_the_environment() {
    let env = Environment {
        resolution: Some("T63".into()),
        ..Default::default()
    };
    let r = ResolvedConfig::resolve(&ConfigRequest {
        model: Some("t31".into()),
        env,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.model.atmosphere.nlon, 96);
}

#[test]
fn unknown_resolution_is_a_clear_error() {
    let e = err(ConfigRequest {
        env: Environment {
            resolution: Some("T32".into()),
            ..Default::default()
        },
        ..Default::default()
    });
    assert!(
        e.contains("T32") && e.contains("CHRONOS_RESOLUTION") && e.contains("T31, T63"),
        "{e}"
    );
    let e = err(ConfigRequest {
        sets: vec!["model.resolution=T32".into()],
        ..Default::default()
    });
    assert!(
        e.contains("T32") && e.contains("--set model.resolution"),
        "{e}"
    );
    let e = err(req("t32"));
    assert!(e.contains("t32"), "{e}");
}

#[test]
fn negative_time_step_names_the_key() {
    let e = err(ConfigRequest {
        sets: vec!["atmosphere.dt=-5".into()],
        ..Default::default()
    });
    assert!(
        e.contains("atmosphere.dt") && e.contains("-5") && e.contains("positive"),
        "{e}"
    );
    let e = err(ConfigRequest {
        sets: vec!["ocean.dt=0".into()],
        ..Default::default()
    });
    assert!(e.contains("ocean.dt"), "{e}");
    let e = err(ConfigRequest {
        env: Environment {
            dt_atmos: Some("fast".into()),
            ..Default::default()
        },
        ..Default::default()
    });
    assert!(e.contains("CHRONOS_DT_ATMOS") && e.contains("fast"), "{e}");
}

#[test]
fn steps_must_divide_the_coupling_interval() {
    let e = err(ConfigRequest {
        sets: vec!["atmosphere.dt=1000".into()],
        ..Default::default()
    });
    assert!(
        e.contains("atmosphere.dt") && e.contains("coupling.interval"),
        "{e}"
    );
    let e = err(ConfigRequest {
        sets: vec!["ocean.dt=7200".into()],
        ..Default::default()
    });
    assert!(
        e.contains("ocean.dt") && e.contains("coupling.interval"),
        "{e}"
    );
    assert!(ResolvedConfig::resolve(&ConfigRequest {
        sets: vec!["atmosphere.dt=900".into()],
        ..Default::default()
    })
    .is_ok());
}

#[test]
fn unknown_keys_and_wrong_types_are_named() {
    let e = err(ConfigRequest {
        sets: vec!["atmosphere.dtt=900".into()],
        ..Default::default()
    });
    assert!(e.contains("atmosphere.dtt") && e.contains("dt"), "{e}");
    let e = err(ConfigRequest {
        sets: vec!["atmos.dt=900".into()],
        ..Default::default()
    });
    assert!(e.contains("atmos.dt") && e.contains("atmosphere"), "{e}");
    let e = err(ConfigRequest {
        sets: vec!["atmosphere.nlat=\"many\"".into()],
        ..Default::default()
    });
    assert!(e.contains("atmosphere.nlat") && e.contains("string"), "{e}");
    let e = err(ConfigRequest {
        sets: vec!["atmosphere.dt".into()],
        ..Default::default()
    });
    assert!(e.contains("key=value"), "{e}");
    // An unknown key inside an experiment's [model] table.
    let exp = experiment_file("[experiment]\nname = \"x\"\nmodel = \"t31\"\n[run]\ndays = 1\n[model.ocean]\nviscosity = 3\n");
    let e = err(ConfigRequest {
        experiment: Some(exp.path().into()),
        ..Default::default()
    });
    assert!(
        e.contains("ocean.viscosity") && e.contains("experiment"),
        "{e}"
    );
    // An unknown key in the experiment itself.
    let exp = experiment_file(
        "[experiment]\nname = \"x\"\nmodel = \"t31\"\ncolour = \"red\"\n[run]\ndays = 1\n",
    );
    let e = err(ConfigRequest {
        experiment: Some(exp.path().into()),
        ..Default::default()
    });
    assert!(e.contains("experiment.colour"), "{e}");
}

#[test]
fn broken_toml_and_bad_model_files_are_reported() {
    let exp = experiment_file("[experiment\nname = \"x\"\n");
    let e = err(ConfigRequest {
        experiment: Some(exp.path().into()),
        ..Default::default()
    });
    assert!(e.contains("not valid TOML") && e.contains("line 1"), "{e}");
    // A model file missing a key, given through CHRONOS_MODEL_DIR.
    let dir = tempfile::tempdir().unwrap();
    let text = BUILTIN_MODELS[0].1.replace("gravity = 9.80616", "");
    std::fs::write(dir.path().join("t31.toml"), text).unwrap();
    let env = Environment {
        model_dir: Some(dir.path().into()),
        ..Default::default()
    };
    let e = err(ConfigRequest {
        env,
        ..Default::default()
    });
    assert!(e.contains("planet") && e.contains("gravity"), "{e}");
    // A model file whose resolution label disagrees with its truncation.
    let text = BUILTIN_MODELS[0]
        .1
        .replace("resolution = \"T31\"", "resolution = \"T32\"");
    std::fs::write(dir.path().join("t31.toml"), text).unwrap();
    let env = Environment {
        model_dir: Some(dir.path().into()),
        ..Default::default()
    };
    let e = err(ConfigRequest {
        env,
        ..Default::default()
    });
    assert!(e.contains("model.resolution") && e.contains("T32"), "{e}");
}

#[test]
fn model_dir_adds_models() {
    let dir = tempfile::tempdir().unwrap();
    let text = BUILTIN_MODELS[0]
        .1
        .replace("name = \"t31\"", "name = \"t21\"")
        .replace("\"T31\"", "\"T21\"")
        .replace("truncation = 31", "truncation = 21")
        .replace("nlon = 96 ", "nlon = 64 ")
        .replace("nlat = 48 ", "nlat = 32 ");
    std::fs::write(dir.path().join("t21.toml"), text).unwrap();
    let env = Environment {
        resolution: Some("T21".into()),
        model_dir: Some(dir.path().into()),
        ..Default::default()
    };
    let r = ResolvedConfig::resolve(&ConfigRequest {
        env,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.model.atmosphere.truncation, 21);
    assert!(r.model_origin.ends_with("t21.toml"));
}

#[test]
fn experiment_run_length_is_validated() {
    let exp = experiment_file(
        "[experiment]\nname = \"x\"\nmodel = \"t31\"\n[run]\ndays = 1\nyears = 2\n",
    );
    let e = err(ConfigRequest {
        experiment: Some(exp.path().into()),
        ..Default::default()
    });
    assert!(e.contains("exactly one"), "{e}");
    let exp = experiment_file(
        "[experiment]\nname = \"x\"\nmodel = \"t31\"\nbackend = \"tpu\"\n[run]\ndays = 1\n",
    );
    let e = err(ConfigRequest {
        experiment: Some(exp.path().into()),
        ..Default::default()
    });
    assert!(e.contains("experiment.backend") && e.contains("tpu"), "{e}");
}

#[test]
fn every_experiment_file_resolves() {
    let dir = format!("{}/experiments", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "toml") {
            let r = ResolvedConfig::resolve(&ConfigRequest {
                experiment: Some(e.path()),
                ..Default::default()
            })
            .unwrap_or_else(|err| panic!("{}: {err}", e.path().display()));
            assert!(r.experiment.is_some());
            n += 1;
        }
    }
    assert!(n >= 2, "expected shipped experiments, found {n}");
}

#[test]
fn forcing_tables_interpolate_and_bad_ones_are_refused() {
    let parse = |text: &str| -> ForcingSettings { toml::from_str(text).unwrap() };
    let f = parse("co2 = [[0, 284.3], [100, 1137.2]]\norbit = [[0, 0.0167, 23.4, 100.0], [10, 0.0187, 24.1, 0.0]]\n");
    assert!(f.validate().is_ok());
    assert_eq!(f.co2.at(-5.0), 284.3);
    assert!((f.co2.at(50.0) - 0.5 * (284.3 + 1137.2)).abs() < 1e-9);
    assert_eq!(f.co2.at(200.0), 1137.2);
    let o = f.orbit.at(5.0).unwrap();
    assert!((o.eccentricity - 0.0177).abs() < 1e-12 && (o.obliquity_deg - 23.75).abs() < 1e-12);
    assert!((o.perihelion_deg - 50.0).abs() < 1e-12);
    let c = parse("co2 = 560.0\norbit = \"6ka\"\n");
    assert_eq!(c.co2.at(7.0), 560.0);
    assert_eq!(
        c.orbit.at(3.0).unwrap(),
        crate::forcing::orbit::Orbit::preset("6ka").unwrap()
    );
    assert!(ForcingSettings::default().hosing.is_none());
    // The orbit of a calendar year (Berger 1978): 6000 years BP is PMIP's 6 ka; advancing one
    // year per model year, model year 6000 is 1950 CE (PMIP's 0 ka).
    let b = parse("orbit = { years_bp = 6000.0, advance = 1.0 }\n");
    assert!(b.validate().is_ok());
    for (year, preset) in [(0.0, "6ka"), (6000.0, "0ka")] {
        let (got, want) = (
            b.orbit.at(year).unwrap(),
            crate::forcing::orbit::Orbit::preset(preset).unwrap(),
        );
        assert!(
            (got.eccentricity - want.eccentricity).abs() < 2e-6,
            "{got:?}"
        );
        assert!(
            (got.obliquity_deg - want.obliquity_deg).abs() < 2e-3,
            "{got:?}"
        );
        assert!(
            (got.perihelion_deg - want.perihelion_deg).abs() < 2e-2,
            "{got:?}"
        );
    }
    for (text, key) in [
        ("co2 = [[10, 284.3], [5, 300.0]]\n", "forcing.co2"),
        ("co2 = -1.0\n", "forcing.co2"),
        ("orbit = \"7ka\"\n", "forcing.orbit"),
        ("orbit = [[0, 0.5, 23.4, 100.0]]\n", "forcing.orbit"),
        ("orbit = { years_bp = 2e6 }\n", "forcing.orbit"),
        (
            "[hosing]\nsverdrups = 0.1\nlatitudes = [70, 50]\nlongitudes = [300, 350]\nyears = [0, 10]\n",
            "forcing.hosing",
        ),
    ] {
        let e = parse(text).validate().unwrap_err().to_string();
        assert!(e.contains(key), "{text}: {e}");
    }
}

#[test]
fn scheme_choices_are_enums_with_clear_errors() {
    let resolve = |text: &str| {
        let exp = experiment_file(text);
        ResolvedConfig::resolve(&ConfigRequest {
            experiment: Some(exp.path().into()),
            ..Default::default()
        })
    };
    let head = "[experiment]\nname = \"x\"\nmodel = \"t31\"\n";
    let ok = resolve(&format!(
        "{head}mode = \"atmos_only\"\n[atmos_only]\nsurface = \"aquaplanet\"\n[run]\ndays = 1\n"
    ))
    .unwrap();
    let e = ok.experiment.unwrap();
    assert_eq!(e.experiment.mode, RunMode::AtmosOnly);
    assert_eq!(e.atmos_only.unwrap().surface, AtmosSurface::Aquaplanet);
    assert_eq!(e.initial.sea_ice, InitialSeaIce::Climatology);
    assert_eq!(e.initial.from_restart, None);
    for (text, key, value, choices) in [
        (
            "mode = \"coupld\"\n[run]\ndays = 1\n",
            "experiment.mode",
            "coupld",
            "\"ocean_only\"",
        ),
        (
            "mode = \"atmos_only\"\n[atmos_only]\nsurface = \"sea\"\n[run]\ndays = 1\n",
            "atmos_only.surface",
            "sea",
            "\"aquaplanet\"",
        ),
        (
            "[run]\ndays = 1\n[initial]\nsea_ice = \"some\"\n",
            "initial.sea_ice",
            "some",
            "\"none\"",
        ),
        (
            "[run]\ndays = 1\n[model.ocean_physics]\nequation_of_state = \"teos10\"\n",
            "ocean_physics.equation_of_state",
            "teos10",
            "\"vallis2008\"",
        ),
    ] {
        let msg = resolve(&format!("{head}{text}")).unwrap_err().to_string();
        assert!(
            msg.contains(key) && msg.contains(value) && msg.contains(choices),
            "{msg}"
        );
    }
    // An empty restart path is refused (absent means a cold start).
    let msg = resolve(&format!(
        "{head}[run]\ndays = 1\n[initial]\nfrom_restart = \"\"\n"
    ))
    .unwrap_err()
    .to_string();
    assert!(
        msg.contains("initial.from_restart") && msg.contains("leave the key out"),
        "{msg}"
    );
    // The choices serialise as the strings of the files (config.toml and fingerprints).
    let cfg = ResolvedConfig::builtin("t31").unwrap();
    assert!(cfg
        .model_fingerprint()
        .contains("equation_of_state = \"vallis2008\""));
}

/// A restart is continued only under the same mode settings: the ocean-only restoring time
/// and the atmosphere-only surface are part of the physics fingerprint.
#[test]
fn mode_settings_are_part_of_the_physics_fingerprint() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let fp = |exp: &str, sets: &[&str]| {
        ResolvedConfig::resolve(&ConfigRequest {
            experiment: Some(format!("{dir}/experiments/{exp}").into()),
            sets: sets.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
        .unwrap()
        .physics_fingerprint()
    };
    let base = fp("ocean_only.toml", &[]);
    assert!(base.contains("[ocean_only]"), "{base}");
    assert_ne!(
        base,
        fp("ocean_only.toml", &["ocean_only.restoring_days=10"])
    );
    let amip = fp("atmos_only.toml", &[]);
    assert!(amip.contains("surface = \"amip\""), "{amip}");
    assert_ne!(
        amip,
        fp("atmos_only.toml", &["atmos_only.surface=aquaplanet"])
    );
}
