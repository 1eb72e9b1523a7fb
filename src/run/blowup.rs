//! The blow-up detector of every run mode: fields that must stay finite and inside physical
//! bounds far outside anything a sound run reaches ([`BOUNDS`]). A check counts the bad
//! values of all its fields on the device and reads those counts back as one small tensor;
//! only when one is non-zero is that field read whole, to name its first bad value, the place
//! (longitude, latitude and, in the ocean, depth) and the date, with the newest restart
//! and how to go on ([`GoOn`]). The modes call it at their own cadence (the coupled model once a month,
//! the atmosphere- and ocean-only runs once a day); what was written before stays.

use super::restart;
use super::RunError;
use crate::backend::to_vec_f64;
use burn_tensor::{backend::Backend, Tensor};
use std::path::Path;

/// A field's name, units and physical bounds [lo, hi].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The field, as named in the error.
    pub field: &'static str,
    /// Its units.
    pub units: &'static str,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

const fn bound(field: &'static str, units: &'static str, lo: f64, hi: f64) -> Bound {
    Bound {
        field,
        units,
        lo,
        hi,
    }
}

/// The bounds every mode checks its fields against, in the order of [`Field`].
pub const BOUNDS: [Bound; 9] = [
    bound("ocean temperature", "°C", -3.0, 40.0),
    bound("ocean salinity", "g/kg", 0.0, 50.0),
    bound("ocean eastward velocity", "m/s", -3.0, 3.0),
    bound("ocean northward velocity", "m/s", -3.0, 3.0),
    bound("surface air temperature (monthly mean)", "K", 150.0, 350.0),
    bound("land surface temperature", "K", 150.0, 350.0),
    bound("sea-ice volume per area", "m", 0.0, 30.0),
    bound("atmosphere temperature mode T₁", "K", -400.0, 400.0),
    bound("atmosphere wind |u₀| + |u₁|", "m/s", 0.0, 400.0),
];

/// The checked fields (indices into [`BOUNDS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Θ (°C).
    OceanTemperature,
    /// S (g/kg).
    OceanSalinity,
    /// u (m/s).
    OceanU,
    /// v (m/s).
    OceanV,
    /// Monthly-mean surface air temperature (K).
    SurfaceAir,
    /// Land surface temperature (K).
    LandTemperature,
    /// Sea-ice volume per area (m).
    SeaIceVolume,
    /// T₁ (K).
    AtmosT1,
    /// |u₀| + |u₁| (m/s).
    AtmosWind,
}

/// The cell centres of a field's grid (degrees east, degrees north south to north, and for
/// ocean fields the level depths in m).
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    /// Longitudes of the columns.
    pub lon: &'a [f64],
    /// Latitudes of the rows.
    pub lat: &'a [f64],
    /// Depths of the levels (ocean fields), `None` for single-level fields.
    pub depth: Option<&'a [f64]>,
}

/// One field to check: its kind, values `[levels, nlat, nlon]` and grid.
#[derive(Debug, Clone)]
pub struct Check<'a, B: Backend> {
    /// Which field.
    pub field: Field,
    /// Its values (mask dry or absent cells with a value inside the bounds).
    pub values: Tensor<B, 3>,
    /// Its grid.
    pub place: Place<'a>,
}

/// The first field outside its bounds, its first bad value and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The field's bounds.
    pub bound: Bound,
    /// The first bad value (NaN, ±∞ or outside the bounds).
    pub value: f64,
    /// `"LON°E, LAT°N"` with `", DEPTH m depth"` in the ocean or `" (level K)"` for a
    /// higher level of a multi-level atmosphere field.
    pub place: String,
    /// How many values of the field are bad.
    pub count: f64,
}

/// The first field of `checks` with a value that is not finite or lies outside its bounds.
pub fn first_violation<B: Backend>(checks: &[Check<B>]) -> Option<Violation> {
    let counts: Vec<Tensor<B, 1>> = checks
        .iter()
        .map(|c| {
            let b = BOUNDS[c.field as usize];
            let x = c.values.clone();
            x.clone()
                .greater_equal_elem(b.lo)
                .bool_and(x.lower_equal_elem(b.hi))
                .bool_not()
                .float()
                .sum()
        })
        .collect();
    if counts.is_empty() {
        return None;
    }
    let bad = to_vec_f64(Tensor::cat(counts, 0));
    let i = bad.iter().position(|n| *n > 0.0)?;
    let c = &checks[i];
    let b = BOUNDS[c.field as usize];
    let [_, ny, nx] = c.values.dims();
    let v = to_vec_f64(c.values.clone());
    let j = v.iter().position(|x| !(*x >= b.lo && *x <= b.hi))?;
    let (lev, row, col) = (j / (ny * nx), (j % (ny * nx)) / nx, j % nx);
    let (lon, lat) = (c.place.lon[col], c.place.lat[row]);
    let place = match c.place.depth {
        Some(z) => format!("{lon:.2}°E, {lat:.2}°N, {:.0} m depth", z[lev]),
        None if lev > 0 => format!("{lon:.2}°E, {lat:.2}°N (level {lev})"),
        None => format!("{lon:.2}°E, {lat:.2}°N"),
    };
    Some(Violation {
        bound: b,
        value: v[j],
        place,
        count: bad[i],
    })
}

/// How a blown-up run can go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoOn {
    /// From a yearly restart in a new folder (`initial.from_restart`, coupled experiments).
    Branch,
    /// From the start in a new folder with a shorter step of the model key named (the
    /// atmosphere- and ocean-only modes, which cannot branch; e.g. `"atmosphere.dt"`).
    StartOver(&'static str),
}

/// Checks `checks`; on a violation, the error: "`model` blew up in `when`: FIELD = VALUE
/// UNITS at PLACE (N points outside LO…HI UNITS)", the newest restart of `dir` and how to
/// go on with a shorter time step (`go_on`).
///
/// # Errors
/// [`RunError::BlowUp`] for the first field outside its bounds.
pub fn check<B: Backend>(
    model: &str,
    when: &str,
    checks: &[Check<B>],
    dir: &Path,
    go_on: GoOn,
) -> Result<(), RunError> {
    let Some(v) = first_violation(checks) else {
        return Ok(());
    };
    let Bound {
        field,
        units,
        lo,
        hi,
    } = v.bound;
    let last = restart::list(dir)
        .first()
        .map_or("none".to_string(), |p| p.display().to_string());
    let advice: String = match go_on {
        GoOn::Branch => "to go on with a shorter time step, start a new folder from a yearly restart before the blow-up: --out NEW --set initial.from_restart=RESTART --set atmosphere.dt=… (or ocean.dt=…)".into(),
        GoOn::StartOver(dt) => format!(
            "to go on with a shorter time step, run again into a new folder: --out NEW --set {dt}=…"
        ),
    };
    Err(RunError::BlowUp(format!(
        "{model} blew up in {when}: {field} = {} {units} at {} ({} points outside {lo}…{hi} {units}); the output files keep the months before and the newest restart is {last}; {advice}",
        v.value, v.place, v.count
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{tensor_from_vec, Cpu64};

    /// A sound field passes; NaN, +∞ and an out-of-bounds value are each found with their
    /// place, the first field in order wins, and the message names the restart.
    #[test]
    fn finds_the_first_bad_value_and_its_place() {
        let device = Default::default();
        let lon = [0.0, 120.0, 240.0];
        let lat = [-45.0, 45.0];
        let depth = [5.0, 500.0];
        let ocean = Place {
            lon: &lon,
            lat: &lat,
            depth: Some(&depth),
        };
        let surface = Place {
            lon: &lon,
            lat: &lat,
            depth: None,
        };
        let field =
            |v: Vec<f64>, levels: usize| tensor_from_vec::<Cpu64, 3>(v, [levels, 2, 3], &device);
        let sound = vec![10.0; 12];
        let mut nan = sound.clone();
        nan[6 + 4] = f64::NAN; // level 1, row 1, column 1
        let mut hot = vec![280.0; 6];
        hot[2] = 400.0;
        let mk = |f, values, place| Check {
            field: f,
            values,
            place,
        };
        let ok = [mk(Field::OceanTemperature, field(sound.clone(), 2), ocean)];
        assert_eq!(first_violation(&ok), None);
        let checks = [
            mk(Field::OceanTemperature, field(nan, 2), ocean),
            mk(Field::LandTemperature, field(hot.clone(), 1), surface),
        ];
        let v = first_violation(&checks).unwrap();
        assert!(v.value.is_nan());
        assert_eq!(v.place, "120.00°E, 45.00°N, 500 m depth");
        assert_eq!(v.count, 1.0);
        let v = first_violation(&checks[1..]).unwrap();
        assert_eq!((v.value, v.place.as_str()), (400.0, "240.00°E, -45.00°N"));
        let mut inf = vec![0.0; 6];
        inf[0] = f64::INFINITY;
        let v = first_violation(&[mk(Field::AtmosT1, field(inf, 1), surface)]).unwrap();
        assert_eq!(v.value, f64::INFINITY);

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("restart_0001-01-01-00000.nc"), b"").unwrap();
        let e = check(
            "the atmosphere",
            "0001-02-03",
            &checks[1..],
            dir.path(),
            GoOn::StartOver("atmosphere.dt"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            !e.contains("from_restart") && e.contains("--set atmosphere.dt=…"),
            "{e}"
        );
        for w in [
            "the atmosphere blew up in 0001-02-03",
            "land surface temperature = 400 K at 240.00°E, -45.00°N (1 points outside 150…350 K)",
            "restart_0001-01-01-00000.nc",
        ] {
            assert!(e.contains(w), "`{w}` missing from: {e}");
        }
    }
}
