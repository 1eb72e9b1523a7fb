//! The `chronos` command-line interface.

use chronos::backend::{self, BackendJob, BackendKind};
use chronos::config::{ConfigRequest, Environment, ResolvedConfig, RunLength};
use chronos::grid::ModelGrids;
use chronos::run::coupled::Summary;
use chronos::run::{RunError, RunOptions};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Chronos: a differentiable coupled Earth System Model (ocean, atmosphere, land, sea ice).
///
/// Configuration is resolved in layers, later ones winning: the model file
/// (models/t31.toml, models/t63.toml), an experiment file, the environment
/// (CHRONOS_RESOLUTION=T31|T63, CHRONOS_DT_ATMOS=<seconds>), and --set key=value.
#[derive(Parser)]
#[command(name = "chronos", version, about, long_about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  chronos info                                  the default T31 model on cpu64
  chronos info --model t63 --backend cpu64      the T63 model
  CHRONOS_RESOLUTION=T63 chronos info           the same, chosen by the environment
  chronos info experiments/control.toml --set atmosphere.dt=900
  chronos run experiments/ocean_only.toml --days 30 --out /tmp/ocean30
  chronos proxy d18o --calibration bemis-ll --d18o-c 1.0 --d18o-sw 0
  chronos proxy d18o --list

Environment:
  CHRONOS_RESOLUTION   T31 | T63: selects the model file
  CHRONOS_DT_ATMOS     atmospheric time step in seconds
  CHRONOS_MODEL_DIR    a folder searched for <name>.toml before the built-in model files";

#[derive(Subcommand)]
enum Command {
    /// Print the resolved configuration, grid sizes and the memory a coupled state takes.
    Info {
        /// An experiment file (experiments/*.toml).
        #[arg(value_name = "EXPERIMENT.toml", conflicts_with = "model")]
        experiment: Option<PathBuf>,
        /// A model name (t31, t63) or a path to a model file, instead of an experiment.
        #[arg(long, short)]
        model: Option<String>,
        /// Backend: cpu64 (f64, default), cpu (f32) or wgpu (f32, needs the `wgpu` feature).
        #[arg(long, short, value_enum)]
        backend: Option<BackendKind>,
        /// Override a configuration value, e.g. --set atmosphere.dt=900 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Also print the full resolved configuration as TOML.
        #[arg(long)]
        full: bool,
    },
    /// Run an experiment: coupled (experiments/control.toml), ocean-only or atmosphere-only.
    Run {
        /// The experiment file (experiments/*.toml).
        #[arg(value_name = "EXPERIMENT.toml")]
        experiment: PathBuf,
        /// Output folder (default: output/<experiment name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run length in days, instead of the experiment's [run].
        #[arg(long, conflicts_with_all = ["months", "years"])]
        days: Option<u64>,
        /// Run length in months.
        #[arg(long, conflicts_with = "years")]
        months: Option<u64>,
        /// Run length in years.
        #[arg(long)]
        years: Option<u64>,
        /// Backend: cpu64 (f64, default), cpu (f32) or wgpu (f32, needs the `wgpu` feature).
        #[arg(long, short, value_enum)]
        backend: Option<BackendKind>,
        /// Override a configuration value (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Overwrite existing output files in the output folder.
        #[arg(long)]
        force: bool,
    },
    /// Proxy calculator: a proxy value to temperature, or temperature to the proxy value.
    Proxy {
        #[command(subcommand)]
        proxy: ProxyCommand,
    },
}

/// The proxies of `chronos proxy`.
#[derive(Subcommand)]
enum ProxyCommand {
    /// Foraminiferal calcite δ18O (‰ VPDB) ↔ temperature, given seawater δ18O (‰ VSMOW).
    D18o {
        /// The calibration (see --list), e.g. bemis-ll, kim-oneil, bayfox-pooled.
        #[arg(long, default_value = "bayfox-pooled")]
        calibration: String,
        /// Calcite δ18O (‰ VPDB): prints the temperature.
        #[arg(
            long = "d18o-c",
            allow_negative_numbers = true,
            conflicts_with = "temperature"
        )]
        d18o_c: Option<f64>,
        /// Temperature (°C): prints the calcite δ18O.
        #[arg(long, allow_negative_numbers = true)]
        temperature: Option<f64>,
        /// Seawater δ18O (‰ VSMOW).
        #[arg(long = "d18o-sw", allow_negative_numbers = true, default_value_t = 0.0)]
        d18o_sw: f64,
        /// List the calibrations.
        #[arg(long)]
        list: bool,
    },
    /// Alkenone UK'37 ↔ temperature.
    Uk37 {
        /// The calibration: mueller1998 or bayspline.
        #[arg(long, default_value = "bayspline")]
        calibration: String,
        /// UK'37: prints the temperature.
        #[arg(long, allow_negative_numbers = true, conflicts_with = "temperature")]
        value: Option<f64>,
        /// Temperature (°C): prints UK'37.
        #[arg(long, allow_negative_numbers = true)]
        temperature: Option<f64>,
        /// List the calibrations.
        #[arg(long)]
        list: bool,
    },
    /// Foraminiferal Mg/Ca (mmol/mol) ↔ temperature.
    Mgca {
        /// The calibration: anand2003 or baymag-pooled.
        #[arg(long, default_value = "anand2003")]
        calibration: String,
        /// Mg/Ca (mmol/mol): prints the temperature.
        #[arg(long, allow_negative_numbers = true, conflicts_with = "temperature")]
        value: Option<f64>,
        /// Temperature (°C): prints Mg/Ca.
        #[arg(long, allow_negative_numbers = true)]
        temperature: Option<f64>,
        /// Salinity (g/kg), for baymag-pooled.
        #[arg(long, requires_all = ["ph", "omega"])]
        salinity: Option<f64>,
        /// Surface-water pH, for baymag-pooled.
        #[arg(long)]
        ph: Option<f64>,
        /// Bottom-water calcite saturation state Ω, for baymag-pooled.
        #[arg(long)]
        omega: Option<f64>,
        /// Reductively cleaned samples (default oxidative), for baymag-pooled.
        #[arg(long)]
        reductive: bool,
        /// List the calibrations.
        #[arg(long)]
        list: bool,
    },
    /// GDGT TEX86 ↔ temperature (TEX86ᴴ, Kim et al. 2010).
    Tex86 {
        /// TEX86: prints the temperature.
        #[arg(long, allow_negative_numbers = true, conflicts_with = "temperature")]
        value: Option<f64>,
        /// Temperature (°C): prints TEX86.
        #[arg(long, allow_negative_numbers = true)]
        temperature: Option<f64>,
        /// List the calibrations.
        #[arg(long)]
        list: bool,
    },
}

/// One `chronos proxy` calculation: prints the answer, warnings on standard error.
fn proxy(cmd: ProxyCommand) -> Result<(), Box<dyn std::error::Error>> {
    use chronos::proxy::calculator::{self as calc, Given};
    let given = |value: Option<f64>, temperature: Option<f64>| match (value, temperature) {
        (Some(v), None) => Ok(Given::Value(v)),
        (None, Some(t)) => Ok(Given::Temperature(t)),
        _ => Err("give the proxy value or --temperature (see --help)".to_string()),
    };
    let (name, answer) = match cmd {
        ProxyCommand::D18o { list: true, .. } => ("d18o", None),
        ProxyCommand::Uk37 { list: true, .. } => ("uk37", None),
        ProxyCommand::Mgca { list: true, .. } => ("mgca", None),
        ProxyCommand::Tex86 { list: true, .. } => ("tex86", None),
        ProxyCommand::D18o {
            calibration,
            d18o_c,
            temperature,
            d18o_sw,
            ..
        } => (
            "",
            Some(calc::d18o(
                &calibration,
                given(d18o_c, temperature)?,
                d18o_sw,
            )),
        ),
        ProxyCommand::Uk37 {
            calibration,
            value,
            temperature,
            ..
        } => (
            "",
            Some(calc::uk37(&calibration, given(value, temperature)?)),
        ),
        ProxyCommand::Mgca {
            calibration,
            value,
            temperature,
            salinity,
            ph,
            omega,
            reductive,
            ..
        } => {
            let chem = match (salinity, ph, omega) {
                (Some(s), Some(p), Some(o)) => Some([s, p, o, f64::from(u8::from(reductive))]),
                _ => None,
            };
            (
                "",
                Some(calc::mgca(&calibration, given(value, temperature)?, chem)),
            )
        }
        ProxyCommand::Tex86 {
            value, temperature, ..
        } => ("", Some(calc::tex86_calc(given(value, temperature)?))),
    };
    match answer {
        None => print!("{}", calc::list(name)),
        Some(a) => {
            let a = a?;
            for w in &a.warnings {
                eprintln!("warning: {w}");
            }
            println!("{}", a.line);
        }
    }
    Ok(())
}

/// A run stopped by a signal after writing its restart: exit status 128 + the signal.
#[derive(Debug)]
struct Stopped(i32);

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stopped by signal {}", self.0 - 128)
    }
}

impl std::error::Error for Stopped {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(Stopped(code)) = e.downcast_ref::<Stopped>() {
                return ExitCode::from(*code as u8);
            }
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command {
        Command::Proxy { proxy: cmd } => proxy(cmd),
        Command::Run {
            experiment,
            out,
            days,
            months,
            years,
            backend,
            sets,
            force,
        } => {
            let request = ConfigRequest {
                model: None,
                experiment: Some(experiment),
                sets,
                env: Environment::from_process(),
            };
            let cfg = ResolvedConfig::resolve(&request)?;
            for o in &cfg.overrides {
                eprintln!("{o}");
            }
            let exp = cfg.experiment.clone().ok_or(RunError::NoExperiment)?;
            let kind = match backend {
                Some(b) => b,
                None => exp.backend()?,
            };
            let length = days
                .map(RunLength::Days)
                .or(months.map(RunLength::Months))
                .or(years.map(RunLength::Years));
            // SIGINT / SIGTERM (SLURM sends SIGTERM before the wall-time limit) ask a run (every
            // mode) to write a restart and stop; a second signal stops at once.
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            {
                let asked = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
                    signal_hook::flag::register_conditional_shutdown(
                        sig,
                        128 + sig,
                        asked.clone(),
                    )?;
                    signal_hook::flag::register(sig, asked.clone())?;
                    signal_hook::flag::register_usize(sig, stop.clone(), sig as usize)?;
                }
            }
            let opts = RunOptions {
                out: out.unwrap_or_else(|| PathBuf::from("output").join(&exp.experiment.name)),
                length,
                force,
                stop: Some(stop),
            };
            let mode = match exp.experiment.mode {
                chronos::config::RunMode::OceanOnly => Mode::Ocean,
                chronos::config::RunMode::AtmosOnly => Mode::Atmosphere,
                chronos::config::RunMode::Coupled => Mode::Coupled,
            };
            let out_dir = opts.out.clone();
            let summary = backend::dispatch(kind, RunJob { cfg, opts, mode })??;
            if let Some(i) = summary.interrupted {
                let name = if i.signal == signal_hook::consts::SIGINT {
                    "SIGINT"
                } else {
                    "SIGTERM"
                };
                eprintln!(
                    "stopped by {name} at model date {}: restart written to {}; run the same command again to continue",
                    i.date,
                    i.restart.display()
                );
                return Err(Box::new(Stopped(128 + i.signal)));
            }
            println!("done; output in {}:", out_dir.display());
            for f in summary.files {
                println!("  {}", f.display());
            }
            Ok(())
        }
        Command::Info {
            experiment,
            model,
            backend,
            sets,
            full,
        } => {
            let request = ConfigRequest {
                model,
                experiment,
                sets,
                env: Environment::from_process(),
            };
            let cfg = ResolvedConfig::resolve(&request)?;
            for o in &cfg.overrides {
                eprintln!("{o}");
            }
            let kind = match backend {
                Some(b) => b,
                None => match &cfg.experiment {
                    Some(e) => e.backend()?,
                    None => BackendKind::default(),
                },
            };
            let grids = ModelGrids::new(&cfg.model)?;
            let device = backend::dispatch(
                kind,
                DeviceCheck {
                    grids: grids.clone(),
                },
            )??;
            print_info(&cfg, &grids, kind, &device, full);
            match chronos::forcing::BoundaryData::load(&cfg.model.model.name, &grids) {
                Ok(b) => {
                    let wet = b.ocean.wet.iter().filter(|w| **w).count();
                    let rows = grids.atmosphere.row_areas();
                    let n = grids.atmosphere.nlon();
                    let total: f64 = rows.iter().map(|r| r * n as f64).sum();
                    let land: f64 = b
                        .atmosphere
                        .land_fraction
                        .iter()
                        .enumerate()
                        .map(|(p, l)| l * rows[p / n])
                        .sum::<f64>()
                        / total;
                    println!(
                        "boundary     {} ({wet} wet ocean columns, land fraction {land:.4})",
                        b.dir.display()
                    );
                }
                Err(e) => println!("boundary     not available: {e}"),
            }
            Ok(())
        }
    }
}

/// Which driver runs an experiment.
enum Mode {
    Ocean,
    Atmosphere,
    Coupled,
}

/// A run on the chosen backend.
struct RunJob {
    cfg: ResolvedConfig,
    opts: RunOptions,
    mode: Mode,
}

impl BackendJob for RunJob {
    type Output = Result<Summary, RunError>;
    fn run<B: burn_tensor::backend::Backend>(
        self,
        kind: BackendKind,
        device: &B::Device,
    ) -> Self::Output {
        match self.mode {
            Mode::Atmosphere => {
                chronos::run::atmos_only::run::<B>(&self.cfg, &self.opts, kind, device)
            }
            Mode::Ocean => chronos::run::ocean_only::run::<B>(&self.cfg, &self.opts, kind, device),
            Mode::Coupled => chronos::run::coupled::run::<B>(&self.cfg, &self.opts, kind, device),
        }
    }
}

/// Builds the grid's area tensor on the chosen backend and integrates it: proves the
/// backend works and reports its float type.
struct DeviceCheck {
    grids: ModelGrids,
}

struct DeviceReport {
    dtype: String,
    area_ratio: f64,
}

impl BackendJob for DeviceCheck {
    type Output = Result<DeviceReport, String>;
    fn run<B: burn_tensor::backend::Backend>(
        self,
        _: BackendKind,
        device: &B::Device,
    ) -> Self::Output {
        let area = self.grids.atmosphere.area_tensor::<B>(device);
        let dtype = format!("{:?}", area.dtype());
        let total = backend::to_vec_f64(area.sum())[0];
        let a = self.grids.atmosphere.radius;
        Ok(DeviceReport {
            dtype,
            area_ratio: total / (4.0 * std::f64::consts::PI * a * a),
        })
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn print_info(
    cfg: &ResolvedConfig,
    grids: &ModelGrids,
    kind: BackendKind,
    dev: &DeviceReport,
    full: bool,
) {
    let m = &cfg.model;
    let (a, o, l) = (&grids.atmosphere, &grids.ocean, &grids.levels);
    println!("Chronos {}", env!("CARGO_PKG_VERSION"));
    println!(
        "model        {} ({}) from {}",
        m.model.name, m.model.resolution, cfg.model_origin
    );
    println!("             {}", m.model.description);
    if let (Some(e), Some(p)) = (&cfg.experiment, &cfg.experiment_path) {
        println!(
            "experiment   {} from {} — {}",
            e.experiment.name,
            p.display(),
            e.experiment.description
        );
        if let Ok(len) = e.run.length() {
            println!("run length   {len}");
        }
    }
    println!(
        "backend      {} — {} (tensors are {}; sphere area check {:.15})",
        kind,
        kind.describe(),
        dev.dtype,
        dev.area_ratio
    );
    println!("atmosphere   T{} Gaussian grid {}×{} (lon×lat), Δλ = {}°, latitudes {:.3}°…{:.3}°, Δt = {} s",
        m.atmosphere.truncation, a.nlon(), a.nlat, a.lon.dlon_deg, a.lat_deg[0], a.lat_deg[a.nlat - 1], m.atmosphere.dt);
    println!("ocean        C-grid {}×{} (lon×lat) × {} levels, Δλ = {}°, Δφ = {}°, rows {}°…{}° (centres {:.3}°…{:.3}°), Δt = {} s",
        o.nx(), o.ny, l.nz(), o.lon.dlon_deg, o.dlat_deg, o.lat_edges_deg[0], o.lat_edges_deg[o.ny], o.lat_t_deg[0], o.lat_t_deg[o.ny - 1], m.ocean.dt);
    let dz: Vec<String> = l.dz.iter().map(|d| format!("{d:.0}")).collect();
    println!(
        "levels       {} z-levels to {} m; Δz (m) = {}",
        l.nz(),
        m.ocean.depth,
        dz.join(", ")
    );
    println!(
        "coupling     every {} s: {} atmosphere step(s), {} ocean step(s)",
        m.coupling.interval,
        m.atmosphere_steps_per_coupling(),
        m.ocean_steps_per_coupling()
    );
    let mem = grids.memory_estimate(kind.bytes_per_float());
    println!("memory       ≈ {} per coupled state ({} ocean, {} atmosphere, {} land/ice/coupler; {} bytes per value; estimate from grid sizes)",
        mib(mem.total()), mib(mem.ocean), mib(mem.atmosphere), mib(mem.surface), kind.bytes_per_float());
    if cfg.overrides.is_empty() {
        println!("overrides    none");
    } else {
        for o in &cfg.overrides {
            println!(
                "overrides    {} = {} (was {}) from {}",
                o.key, o.value, o.previous, o.source
            );
        }
    }
    if full {
        println!("\n{}", cfg.to_toml());
    }
}
