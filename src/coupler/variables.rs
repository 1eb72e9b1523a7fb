//! The coupler's variable table ([`VarSpec`]): the fields the coupler itself owns.
//!
//! - **Restart** entries: the pending fluxes of [`crate::model::CoupledState::visit`]
//!   (frazil, the implicit-coupling corrections, the freshwater the ocean has received) and
//!   of [`super::prescribed::PrescribedState::visit`] (its sea-ice surface temperature).
//! - **Monthly** sums that are not written: the interval integrals of the TOA and ocean heat
//!   fluxes the global energy budget is built from.
//! - **Series**: the monthly global diagnostics of `global.nc`, computed at the month's end.
//!
//! [`all`] chains the component tables and this one; [`restart_spec`] finds a restart entry by
//! name (for the restart writer's attributes), [`output_vars`] gives a table's file variables
//! and [`monthly_names`] its monthly sums.

use crate::io::registry::VarSpec;

/// The coupler's variables: restart entries, monthly sums, then the `global.nc` series.
pub const VARIABLES: [VarSpec; 24] = [
    VarSpec::state(
        "frazil",
        "frazil heat the ocean produced in the last interval, not yet ice",
        "J m-2",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "ice_correction",
        "implicit-coupling correction owed to the atmosphere over the next interval (per unit ocean-cell area)",
        "W m-2",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "land_correction",
        "the land's implicit-coupling correction owed to the atmosphere at its next step",
        "J m-2",
        &["one", "lat", "lon"],
    ),
    VarSpec::state(
        "ocean_freshwater",
        "freshwater the ocean has received since the start",
        "kg",
        &["one"],
    ),
    VarSpec::state(
        "surface_sea_ice_temperature",
        "surface temperature of the prescribed sea ice",
        "K",
        &["one", "lat", "lon"],
    ),
    VarSpec::sum(
        "toa_energy",
        "net downward TOA energy of one coupling interval, integrated over the globe",
        "J",
        &["one", "one_y", "one_x"],
    ),
    VarSpec::sum(
        "ocean_energy",
        "heat into the ocean over one coupling interval (frazil excluded), integrated over the ocean",
        "J",
        &["one", "one_y", "one_x"],
    ),
    VarSpec::series(
        "tas",
        "global-mean surface air temperature",
        "K",
    ),
    VarSpec::series(
        "sst",
        "ocean-area mean sea surface temperature",
        "degC",
    ),
    VarSpec::series(
        "toa_net",
        "global-mean net downward TOA flux",
        "W m-2",
    ),
    VarSpec::series(
        "ocean_heat_uptake",
        "global-mean heat flux into the ocean",
        "W m-2",
    ),
    VarSpec::series(
        "siarea_n",
        "Northern Hemisphere sea-ice area",
        "1e6 km2",
    ),
    VarSpec::series(
        "siarea_s",
        "Southern Hemisphere sea-ice area",
        "1e6 km2",
    ),
    VarSpec::series(
        "sivol_n",
        "Northern Hemisphere sea-ice volume",
        "1e3 km3",
    ),
    VarSpec::series(
        "sivol_s",
        "Southern Hemisphere sea-ice volume",
        "1e3 km3",
    ),
    VarSpec::series(
        "amoc_26n",
        "maximum Atlantic overturning at 26.5N below 500 m, monthly-mean v",
        "Sv",
    ),
    VarSpec::series(
        "drake",
        "Drake Passage transport, monthly-mean psi",
        "Sv",
    ),
    VarSpec::series(
        "thetao_mean",
        "volume-mean ocean potential temperature",
        "degC",
    ),
    VarSpec::series(
        "thetao_deep",
        "volume-mean ocean potential temperature below 2000 m",
        "degC",
    ),
    VarSpec::series(
        "so_mean",
        "volume-mean ocean salinity",
        "g kg-1",
    ),
    VarSpec::series(
        "pr",
        "global-mean precipitation",
        "kg m-2 s-1",
    ),
    VarSpec::series(
        "energy_residual",
        "d(total energy)/dt minus TOA net flux over the month, per unit Earth area",
        "W m-2",
    ),
    VarSpec::series(
        "water_residual",
        "relative change of total water over the month",
        "1",
    ),
    VarSpec::series(
        "salt_residual",
        "relative change of ocean + ice salt (with the virtual salt of the freshwater received) over the month",
        "1",
    ),
];

/// Every table, components first: atmosphere, land, ocean, sea ice, then the coupler.
pub const TABLES: [&[VarSpec]; 5] = [
    &crate::atmos::variables::VARIABLES,
    &crate::land::variables::VARIABLES,
    &crate::ocean::variables::VARIABLES,
    &crate::ice::variables::VARIABLES,
    &VARIABLES,
];

/// Every variable of every table, in [`TABLES`] order.
pub fn all() -> impl Iterator<Item = &'static VarSpec> {
    TABLES.into_iter().flatten()
}

/// The restart entry named `name` (`ocean_passive_3` finds `ocean_passive`), if any.
pub fn restart_spec(name: &str) -> Option<&'static VarSpec> {
    let find = |n: &str| all().find(|v| v.restart && v.name == n);
    find(name).or_else(|| {
        let (base, k) = name.rsplit_once('_')?;
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        find(base)
    })
}

/// The output (monthly or derived) entry named `name`, if any: the first in [`TABLES`]
/// order (`tas` and `pr` are both atmosphere fields and coupler series; this finds the
/// atmosphere's).
pub fn output_spec(name: &str) -> Option<&'static VarSpec> {
    all().find(|v| v.output && v.name == name)
}

/// The names of `table`'s monthly sums, in table order.
pub fn monthly_names(table: &[VarSpec]) -> impl Iterator<Item = &'static str> + '_ {
    table.iter().filter(|v| v.monthly).map(|v| v.name)
}

/// `table`'s output entries with the record dimension (the fields of a monthly file), in
/// table order.
pub fn output_vars(table: &[VarSpec]) -> Vec<VarSpec> {
    table.iter().filter(|v| v.output).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::Registry;

    #[test]
    fn every_table_is_a_valid_registry_and_names_are_unique_across_tables() {
        for t in TABLES {
            Registry::new(t.to_vec()).expect("each table is a valid registry");
        }
        // Restart names share one file, so they must be unique over all tables; output
        // names must be unique within a file (a table), which the registry checks.
        let restart: Vec<_> = all().filter(|v| v.restart).copied().collect();
        Registry::new(restart).expect("restart names unique across tables");
    }

    #[test]
    fn roles_are_consistent() {
        for v in all() {
            assert!(
                !(v.restart && (v.monthly || v.output)),
                "{}: a restart entry is not an output",
                v.name
            );
            if v.output {
                assert!(
                    v.is_time_dependent(),
                    "{}: outputs are monthly records",
                    v.name
                );
            }
        }
    }

    #[test]
    fn passive_tracers_find_their_entry() {
        assert_eq!(
            restart_spec("ocean_passive_12").map(|v| v.name),
            Some("ocean_passive")
        );
        assert_eq!(
            restart_spec("ocean_temperature").map(|v| v.units),
            Some("degC")
        );
        assert!(restart_spec("ocean_passive_").is_none());
        assert!(
            restart_spec("thetao").is_none(),
            "an output is not a restart entry"
        );
        assert_eq!(output_spec("thetao").map(|v| v.units), Some("degC"));
    }
}
