//! The land's variable table: every land field that a restart saves or a monthly file
//! writes, described once ([`VarSpec`]). Restart entries are the names of
//! [`super::LandState::visit`]; the monthly fields are on the atmosphere grid
//! `[time, lat, lon]`, summed on the device and missing where a cell has no land (no ice
//! sheet for the `_landice` fields).

use crate::io::registry::{VarSpec, MAP};

/// Every land variable: restart entries, then the monthly file's fields in file order.
pub const VARIABLES: [VarSpec; 11] = [
    VarSpec::state(
        "land_temperature",
        "ice-free land surface temperature",
        "K",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "land_soil_water",
        "soil water",
        "kg m-2",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "land_snow",
        "snow water equivalent on ice-free land",
        "kg m-2",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "land_ice_temperature",
        "ice-sheet surface temperature",
        "K",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "land_ice_snow",
        "snow water equivalent on the ice sheet",
        "kg m-2",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "land_ice_sheet",
        "accumulated mass change of the ice sheet below its snow",
        "kg m-2",
        &["one", "lat", "lon"],
    ),
    VarSpec::mean(
        "ts_land",
        "ice-free land surface temperature",
        Some("surface_temperature"),
        "K",
        MAP,
    ),
    VarSpec::mean(
        "mrso",
        "soil water",
        Some("mass_content_of_water_in_soil"),
        "kg m-2",
        MAP,
    ),
    VarSpec::mean(
        "snw",
        "snow water equivalent on ice-free land",
        Some("surface_snow_amount"),
        "kg m-2",
        MAP,
    ),
    VarSpec::mean(
        "ts_landice",
        "ice-sheet surface temperature",
        Some("surface_temperature"),
        "K",
        MAP,
    ),
    VarSpec::mean(
        "snw_landice",
        "snow water equivalent on the ice sheet",
        Some("surface_snow_amount"),
        "kg m-2",
        MAP,
    ),
];
