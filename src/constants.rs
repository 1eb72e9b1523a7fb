//! Physical constants shared by every component.
//!
//! Values that a model file may change (planet radius, rotation rate, gravity) live in
//! [`crate::config::PlanetConfig`]; the ones here are fixed by definition.

/// Degrees per radian, 180/π.
pub const DEG_PER_RAD: f64 = 180.0 / std::f64::consts::PI;

/// Radians per degree, π/180.
pub const RAD_PER_DEG: f64 = std::f64::consts::PI / 180.0;

/// Seconds in one day (s).
pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// Days in one year of the `noleap` (365-day) calendar used by every run.
pub const DAYS_PER_YEAR: f64 = 365.0;
