//! # Chronos — a differentiable coupled Earth System Model on Burn
//!
//! Chronos couples a Veros-style primitive-equation ocean, a QTCM atmosphere on a
//! spherical-harmonic engine, land and thermodynamic sea ice through a conservative
//! coupler. Every physics routine is generic over a Burn [`Backend`](burn_tensor::backend::Backend),
//! so the same code runs on the CPU (`NdArray<f64>`, `NdArray<f32>`), on a GPU (`Wgpu`,
//! cargo feature `wgpu`), and under `Autodiff<B>` for gradients.
//!
//! Modules: backends and dispatch ([`backend`]), shared constants and thermodynamics
//! ([`physics`], below every component), configuration ([`config`]), grids and the
//! coordinate frame ([`grid`]), numerics — stencils, CG, elliptic and tridiagonal solvers
//! ([`numerics`]), CF-1.8 NetCDF input/output ([`io`]), the spherical-harmonic engine
//! ([`spectral`]), the coupler — regridding, exchange grid, bulk fluxes, the surface exchange
//! and the interval sums ([`coupler`]) —,
//! boundary data and forcing ([`forcing`]), the components ([`ocean`], [`atmos`], [`ice`],
//! [`land`]), the coupled model ([`model`]), the one run driver of every mode ([`run`]) and
//! the proxy system models ([`proxy`]). No
//! component imports another; the coupler is the only module that knows two of them
//! (docs/architecture.md, "Import map").
//!
//! ```
//! use chronos::{backend::Cpu64, config::ResolvedConfig, grid::ModelGrids};
//! let cfg = ResolvedConfig::builtin("t31").unwrap();          // models/t31.toml
//! let grids = ModelGrids::new(&cfg.model).unwrap();            // Gaussian + ocean C-grid + levels
//! let area = grids.atmosphere.area_tensor::<Cpu64>(&Default::default());
//! assert!((area.sum().into_scalar() / (4.0 * std::f64::consts::PI * 6.371e6f64.powi(2)) - 1.0).abs() < 1e-13);
//! ```
#![warn(missing_docs)]

pub mod atmos;
pub mod backend;
pub mod config;
pub mod coupler;
pub mod forcing;
pub mod grid;
pub mod ice;
pub mod io;
pub mod land;
pub mod model;
pub mod numerics;
pub mod ocean;
pub mod physics;
pub mod proxy;
pub mod run;
pub mod spectral;
