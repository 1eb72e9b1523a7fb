//! Chronos's integration tests, built as one test binary: the model's generic physics is
//! compiled and linked once for all of them instead of once per file (on 2 cores this took
//! the release build of the tests from 26 links of about 30 s each to one).
//!
//! Each module is one group, run alone with a name filter, e.g.
//! `cargo test --release --features wgpu --test suite -- cli::` (`--nocapture` prints the
//! measured numbers the docs quote). `common` holds the shared helpers. `tests/backend_dtype.rs`
//! stays a binary of its own: it needs a process where f32 tensors come first.

mod common;

mod atmos_dynamics;
mod atmos_physics;
mod atmos_radiation;
mod bit_identity;
mod boundary_data;
mod cf_model_grids;
mod cli;
mod coupled;
mod elliptic_cg;
mod experiments_smoke;
mod land;
mod ocean_advection;
mod ocean_barotropic;
mod ocean_gradient;
mod ocean_lock_exchange;
mod ocean_munk;
mod ocean_precision;
mod ocean_setup;
mod ocean_step;
mod proxy;
mod proxy_operator;
mod restart;
mod run_driver;
mod sea_ice;
mod shallow_water;
#[cfg(feature = "wgpu")]
mod wgpu_parity;
