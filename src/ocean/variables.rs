//! The ocean's variable table: every ocean field that a restart saves or a monthly file
//! writes, described once ([`VarSpec`]).
//!
//! - **Restart** entries are the names of [`super::OceanState::visit`] (`ocean_passive`
//!   stands for the passive tracers `ocean_passive_0`, `ocean_passive_1`, …).
//! - **Monthly** entries are summed on the device every coupling interval and written as
//!   monthly means; **derived** entries are computed at the month's end from those means
//!   (w by continuity from the mean u, v; the top level of Θ and S).
//!
//! Output dimensions: T points `[depth, lat, lon]`, east faces `lon_u`, north faces `lat_v`,
//! cell tops `depth_w`, streamfunction corners `[lat_v, lon_u]`. The surface forcing the
//! ocean receives (`hfds`, `wfo`) is part of its table: it is the ocean's boundary condition,
//! whoever computes it.

use crate::io::registry::{VarSpec, MAP, VOLUME};

/// Every ocean variable: restart entries, then the monthly file's fields in file order.
pub const VARIABLES: [VarSpec; 24] = [
    VarSpec::state(
        "ocean_temperature",
        "sea water potential temperature",
        "degC",
        &["depth", "lat", "lon"],
    ),
    VarSpec::state(
        "ocean_salinity",
        "sea water salinity",
        "g kg-1",
        &["depth", "lat", "lon"],
    ),
    VarSpec::state(
        "ocean_temperature_compensation",
        "Kahan compensation of the potential temperature sum",
        "degC",
        &["depth", "lat", "lon"],
    ),
    VarSpec::state(
        "ocean_salinity_compensation",
        "Kahan compensation of the salinity sum",
        "g kg-1",
        &["depth", "lat", "lon"],
    ),
    VarSpec::state(
        "ocean_age",
        "ideal age: time since the water last touched the surface level",
        "yr",
        &["depth", "lat", "lon"],
    ),
    VarSpec::state(
        "ocean_u",
        "eastward velocity at east faces",
        "m s-1",
        &["depth", "lat", "lon_u"],
    ),
    VarSpec::state(
        "ocean_v",
        "northward velocity at north faces",
        "m s-1",
        &["depth", "lat_v", "lon"],
    ),
    VarSpec::state(
        "ocean_du",
        "explicit eastward momentum tendency of the previous step (Adams-Bashforth memory)",
        "m s-2",
        &["depth", "lat", "lon_u"],
    ),
    VarSpec::state(
        "ocean_dv",
        "explicit northward momentum tendency of the previous step (Adams-Bashforth memory)",
        "m s-2",
        &["depth", "lat_v", "lon"],
    ),
    VarSpec::state(
        "ocean_passive",
        "passive tracer (ocean_passive_0, ocean_passive_1, ...)",
        "1",
        &["depth", "lat", "lon"],
    ),
    VarSpec::state(
        "ocean_psi",
        "barotropic transport streamfunction",
        "m3 s-1",
        &["lat_v", "lon_u"],
    ),
    VarSpec::state(
        "ocean_psi_dirichlet",
        "Dirichlet part of the last streamfunction solve (warm start of the next)",
        "m3 s-1",
        &["lat_v", "lon_u"],
    ),
    VarSpec::mean(
        "thetao",
        "sea water potential temperature",
        Some("sea_water_potential_temperature"),
        "degC",
        VOLUME,
    ),
    VarSpec::mean(
        "so",
        "sea water salinity",
        Some("sea_water_salinity"),
        "g kg-1",
        VOLUME,
    ),
    VarSpec::mean(
        "uo",
        "sea water eastward velocity (east faces)",
        Some("sea_water_x_velocity"),
        "m s-1",
        &["time", "depth", "lat", "lon_u"],
    ),
    VarSpec::mean(
        "vo",
        "sea water northward velocity (north faces)",
        Some("sea_water_y_velocity"),
        "m s-1",
        &["time", "depth", "lat_v", "lon"],
    ),
    VarSpec::derived(
        "wo",
        "sea water upward velocity (cell tops), from the monthly-mean u and v by continuity",
        Some("upward_sea_water_velocity"),
        "m s-1",
        &["time", "depth_w", "lat", "lon"],
    ),
    VarSpec::mean(
        "agessc",
        "ideal age: time since the water last touched the surface level",
        Some("sea_water_age_since_surface_contact"),
        "yr",
        VOLUME,
    ),
    VarSpec::derived(
        "tos",
        "sea surface temperature (top level)",
        Some("sea_surface_temperature"),
        "degC",
        MAP,
    ),
    VarSpec::derived(
        "sos",
        "sea surface salinity (top level)",
        Some("sea_surface_salinity"),
        "g kg-1",
        MAP,
    ),
    VarSpec::mean(
        "msftbarot",
        "barotropic volume transport streamfunction (cell north-east corners)",
        Some("ocean_barotropic_streamfunction"),
        "m3 s-1",
        &["time", "lat_v", "lon_u"],
    ),
    VarSpec::mean(
        "mlotst",
        "mixed-layer depth: depth of the first level whose potential density exceeds the top level's by 0.03 kg m-3 (column depth when none does)",
        Some("ocean_mixed_layer_thickness_defined_by_sigma_t"),
        "m",
        MAP,
    ),
    VarSpec::mean(
        "hfds",
        "net downward heat flux into the sea water (frazil excluded)",
        Some("surface_downward_heat_flux_in_sea_water"),
        "W m-2",
        MAP,
    ),
    VarSpec::mean(
        "wfo",
        "freshwater flux into the sea water (runoff and hosing included)",
        Some("water_flux_into_sea_water"),
        "kg m-2 s-1",
        MAP,
    ),
];
