//! Physical constants shared by every component (SI units).
//!
//! Each value is the one the component schemes were published and validated with: the
//! atmosphere's c_p and L_v are QTCM1 v2.3's (Neelin & Zeng 2000), the sea-water values
//! Veros' (TEOS-10 c_p⁰, Boussinesq ρ₀), L_f and T_melt those of the zero-layer sea ice
//! (Semtner 1976). Values a model file may change (radius, rotation, gravity) live in
//! [`crate::config::PlanetConfig`].

/// Degrees per radian, 180/π.
pub const DEG_PER_RAD: f64 = 180.0 / std::f64::consts::PI;

/// Radians per degree, π/180.
pub const RAD_PER_DEG: f64 = std::f64::consts::PI / 180.0;

/// Seconds in one day (s).
pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// Days in one year of the `noleap` (365-day) calendar used by every run.
pub const DAYS_PER_YEAR: f64 = 365.0;

/// Seconds in one `noleap` year (s).
pub const SECONDS_PER_YEAR: f64 = DAYS_PER_YEAR * SECONDS_PER_DAY;

/// 0 °C in kelvin (K): T(K) = T(°C) + 273.15.
pub const KELVIN: f64 = 273.15;

/// Melting point of fresh ice and snow T_melt (K).
pub const MELTING_POINT: f64 = 273.15;

/// Stefan–Boltzmann constant σ (W m⁻² K⁻⁴), CODATA 2018.
pub const STEFAN_BOLTZMANN: f64 = 5.670_374_419e-8;

/// Specific heat of air at constant pressure c_p (J kg⁻¹ K⁻¹), QTCM1's value.
pub const CP_AIR: f64 = 1004.0;

/// Latent heat of vaporisation L_v (J kg⁻¹), QTCM1's value (used for condensation and
/// evaporation alike).
pub const LATENT_HEAT_VAPOUR: f64 = 2.43e6;

/// Latent heat of fusion L_f (J kg⁻¹).
pub const LATENT_HEAT_FUSION: f64 = 3.34e5;

/// Latent heat of sublimation L_s = L_v + L_f (J kg⁻¹).
pub const LATENT_HEAT_SUBLIMATION: f64 = LATENT_HEAT_VAPOUR + LATENT_HEAT_FUSION;

/// Boussinesq reference density of sea water ρ₀ (kg m⁻³), Veros' value.
pub const RHO0: f64 = 1024.0;

/// Specific heat of sea water c_p⁰ (J kg⁻¹ K⁻¹), TEOS-10's value for potential enthalpy.
pub const CP_SEAWATER: f64 = 3_991.867_957_119_63;

/// Albedo of open water (1), QTCM1's value.
pub const OCEAN_ALBEDO: f64 = 0.07;
