//! The atmosphere's variable table: every field of QTCM1 that a restart saves or a monthly
//! file writes, described once ([`VarSpec`]: name, CF metadata, dimensions, role).
//!
//! - **Restart** entries are the names of [`super::AtmosState::visit`]: both leapfrog levels
//!   of the spectral state `[M, 2, 5, N]` (zonal wavenumber m, real and imaginary part,
//!   field ζ₀ ζ₁ δ₁ T₁ q₁, total wavenumber n).
//! - **Monthly** entries are the step diagnostics of [`super::AtmosDiagnostics::fields`], in
//!   that order (a unit test checks it), summed on the device and written as monthly means on
//!   the Gaussian grid `[time, lat, lon]`.
//! - **Derived** entries are computed at the month's end from the monthly-mean spectral
//!   state ([`super::AtmosModel::upper_air`]).
//!
//! The run drivers build their file lists, monthly sums and restart metadata from this
//! table, so adding a field here is the one change a new diagnostic needs besides its
//! computation.

use crate::io::registry::{VarSpec, MAP};

/// Dimensions the restart entries document (the spectral state `[M, 2, 5, N]`).
const SPECTRAL: &[&str] = &["m", "part", "field", "n"];

/// Every atmosphere variable: restart entries, then the monthly means in
/// [`super::AtmosDiagnostics::fields`] order, then the fields derived from the monthly-mean
/// spectral state.
pub const VARIABLES: [VarSpec; 30] = [
    VarSpec::state(
        "atmos_previous",
        "QTCM1 spectral state (zeta0, zeta1, delta1, T1, q1) at t - dt, filtered",
        "1",
        SPECTRAL,
    ),
    VarSpec::state(
        "atmos_current",
        "QTCM1 spectral state (zeta0, zeta1, delta1, T1, q1) at t",
        "1",
        SPECTRAL,
    ),
    VarSpec::mean(
        "tas",
        "surface air temperature",
        Some("air_temperature"),
        "K",
        MAP,
    ),
    VarSpec::mean(
        "huss",
        "surface specific humidity",
        Some("specific_humidity"),
        "1",
        MAP,
    ),
    VarSpec::mean(
        "uas",
        "surface eastward wind",
        Some("eastward_wind"),
        "m s-1",
        MAP,
    ),
    VarSpec::mean(
        "vas",
        "surface northward wind",
        Some("northward_wind"),
        "m s-1",
        MAP,
    ),
    VarSpec::mean(
        "tauu",
        "surface downward eastward stress",
        Some("surface_downward_eastward_stress"),
        "Pa",
        MAP,
    ),
    VarSpec::mean(
        "tauv",
        "surface downward northward stress",
        Some("surface_downward_northward_stress"),
        "Pa",
        MAP,
    ),
    VarSpec::mean(
        "pr",
        "precipitation",
        Some("precipitation_flux"),
        "kg m-2 s-1",
        MAP,
    ),
    VarSpec::mean(
        "prc",
        "convective precipitation",
        Some("convective_precipitation_flux"),
        "kg m-2 s-1",
        MAP,
    ),
    VarSpec::mean(
        "prls",
        "large-scale precipitation",
        Some("large_scale_precipitation_flux"),
        "kg m-2 s-1",
        MAP,
    ),
    VarSpec::mean(
        "evspsbl",
        "evaporation",
        Some("water_evapotranspiration_flux"),
        "kg m-2 s-1",
        MAP,
    ),
    VarSpec::mean(
        "hfss",
        "surface upward sensible heat flux",
        Some("surface_upward_sensible_heat_flux"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "hfls",
        "surface upward latent heat flux",
        Some("surface_upward_latent_heat_flux"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "rsds",
        "surface downwelling shortwave",
        Some("surface_downwelling_shortwave_flux_in_air"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "rsus",
        "surface upwelling shortwave",
        Some("surface_upwelling_shortwave_flux_in_air"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "rlds",
        "surface downwelling longwave",
        Some("surface_downwelling_longwave_flux_in_air"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "rlus",
        "surface upwelling longwave",
        Some("surface_upwelling_longwave_flux_in_air"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "rsdt",
        "TOA incident shortwave",
        Some("toa_incoming_shortwave_flux"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "rsut",
        "TOA outgoing shortwave",
        Some("toa_outgoing_shortwave_flux"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "rlut",
        "TOA outgoing longwave",
        Some("toa_outgoing_longwave_flux"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "clt",
        "total cloud cover",
        Some("cloud_area_fraction"),
        "1",
        MAP,
    ),
    VarSpec::mean(
        "rlutcs",
        "TOA outgoing clear-sky longwave",
        Some("toa_outgoing_longwave_flux_assuming_clear_sky"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "rsutcs",
        "TOA outgoing clear-sky shortwave",
        Some("toa_outgoing_shortwave_flux_assuming_clear_sky"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "ta500",
        "air temperature at 500 hPa: Tref(500) + a1(500) T1",
        Some("air_temperature"),
        "K",
        MAP,
    ),
    VarSpec::mean(
        "rtmt",
        "net downward radiative flux at the top of the atmosphere",
        None,
        "W m-2",
        MAP,
    ),
    VarSpec::derived(
        "ua300",
        "eastward wind at 9 km (about 300 hPa): u0 + V1(9 km) u1",
        Some("eastward_wind"),
        "m s-1",
        MAP,
    ),
    VarSpec::derived(
        "va300",
        "northward wind at 9 km (about 300 hPa): v0 + V1(9 km) v1",
        Some("northward_wind"),
        "m s-1",
        MAP,
    ),
    VarSpec::derived("t1", "QTCM1 temperature mode amplitude T1", None, "K", MAP),
    VarSpec::derived(
        "q1",
        "QTCM1 moisture mode amplitude q1 (as L q / cp)",
        None,
        "K",
        MAP,
    ),
];
