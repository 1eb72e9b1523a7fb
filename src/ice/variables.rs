//! The sea ice's variable table: every sea-ice field that a restart saves or a monthly file
//! writes, described once ([`VarSpec`]). Restart entries are the names of
//! [`super::SeaIceState::visit`]; the monthly fields are on the ocean grid `[time, lat, lon]`,
//! summed on the device (monthly) or computed at the month's end from those means (derived:
//! the thickness is the mean volume over the mean concentration).

use crate::io::registry::{VarSpec, MAP};

/// Every sea-ice variable: restart entries, then the monthly file's fields in file order.
pub const VARIABLES: [VarSpec; 9] = [
    VarSpec::state(
        "ice_concentration",
        "sea-ice concentration",
        "1",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "ice_volume",
        "sea-ice volume per unit cell area",
        "m",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "ice_snow_volume",
        "snow volume on sea ice per unit cell area",
        "m",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "ice_surface_temperature",
        "surface temperature of the ice-covered part",
        "K",
        &["one", "lat", "lon"],
    ),
    VarSpec::mean(
        "siconc",
        "sea-ice area fraction",
        Some("sea_ice_area_fraction"),
        "1",
        MAP,
    ),
    VarSpec::mean(
        "sivol",
        "sea-ice volume per unit cell area",
        None,
        "m",
        MAP,
    ),
    VarSpec::derived(
        "sithick",
        "sea-ice thickness: monthly-mean volume over monthly-mean concentration (missing without ice)",
        Some("sea_ice_thickness"),
        "m",
        MAP,
    ),
    VarSpec::mean(
        "sisnthick",
        "snow on sea ice, volume per unit cell area",
        None,
        "m",
        MAP,
    ),
    VarSpec::mean(
        "sitemptop",
        "sea-ice surface temperature (the freezing point where there is no ice)",
        Some("sea_ice_surface_temperature"),
        "K",
        MAP,
    ),
];
