//! Proxy files: one proxy observation per row of a CSV table with the columns
//!
//! | column | meaning |
//! |---|---|
//! | `site` | core name |
//! | `lat`, `lon` | degrees north (−90…90) and east (−180…360; stored as 0…360) |
//! | `proxy` | `d18o` (calcite, ‰ VPDB), `uk37`, `mgca` (mmol mol⁻¹) or `tex86` |
//! | `species` | foraminifera ([`Species::parse`]) for `d18o` and `mgca`, empty otherwise |
//! | `value` | the observation in the proxy's units |
//! | `sigma` | its error σ in the same units (> 0) |
//! | `season` | `annual`, `growth` (the species' growth range) or 12 characters of `0`/`1`, January first |
//! | `habitat_depth` | the depth the record stands for (m, ≥ 0; 0 for the surface) |
//! | `age_min`, `age_max` | the age window (ka BP, `age_min` ≤ `age_max`) |
//! | `reference` | the source (free text, may be quoted) |
//!
//! Columns may come in any order and extra columns are ignored. Every error names the file,
//! the line and the column, and says what a valid entry looks like.

use super::species::Species;
use super::table::{Table, TableError};
use std::path::Path;

/// The proxy kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyKind {
    /// Foraminiferal calcite δ18O (‰ VPDB).
    D18o,
    /// Alkenone UK'37.
    Uk37,
    /// Foraminiferal Mg/Ca (mmol mol⁻¹).
    MgCa,
    /// GDGT TEX86.
    Tex86,
}

impl ProxyKind {
    /// Every kind.
    pub const ALL: [ProxyKind; 4] = [Self::D18o, Self::Uk37, Self::MgCa, Self::Tex86];

    /// The name in proxy files.
    pub fn name(self) -> &'static str {
        match self {
            Self::D18o => "d18o",
            Self::Uk37 => "uk37",
            Self::MgCa => "mgca",
            Self::Tex86 => "tex86",
        }
    }

    /// Whether a record of this kind names its foraminifera species.
    pub fn needs_species(self) -> bool {
        matches!(self, Self::D18o | Self::MgCa)
    }
}

/// The months a record averages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Season {
    /// All twelve months.
    Annual,
    /// The months in the species' growth range ([`Species::growth_range`]).
    Growth,
    /// The months flagged, January first.
    Months([bool; 12]),
}

/// One proxy observation.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyRecord {
    /// Core name.
    pub site: String,
    /// Latitude (°N).
    pub lat: f64,
    /// Longitude (°E, 0…360).
    pub lon: f64,
    /// The proxy.
    pub kind: ProxyKind,
    /// The species, for foraminiferal proxies.
    pub species: Option<Species>,
    /// The observation.
    pub value: f64,
    /// Its error σ (> 0).
    pub sigma: f64,
    /// The months it averages.
    pub season: Season,
    /// The depth it stands for (m).
    pub habitat_depth: f64,
    /// The age window [min, max] (ka BP).
    pub age: [f64; 2],
    /// The source.
    pub reference: String,
    /// The line of the file it came from.
    pub line: usize,
}

const COLUMNS: [&str; 12] = [
    "site",
    "lat",
    "lon",
    "proxy",
    "species",
    "value",
    "sigma",
    "season",
    "habitat_depth",
    "age_min",
    "age_max",
    "reference",
];

fn parse_season(text: &str) -> Result<Season, String> {
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "annual" => return Ok(Season::Annual),
        "growth" => return Ok(Season::Growth),
        _ => {}
    }
    let flags: Vec<Option<bool>> = t
        .chars()
        .map(|c| match c {
            '1' => Some(true),
            '0' => Some(false),
            _ => None,
        })
        .collect();
    match <[Option<bool>; 12]>::try_from(flags) {
        Ok(f) if f.iter().all(Option::is_some) && f.contains(&Some(true)) => {
            Ok(Season::Months(f.map(|x| x == Some(true))))
        }
        _ => Err(format!(
            "`{text}` is not a season: write `annual`, `growth` or 12 characters 0/1 from \
             January with at least one 1 (e.g. 000001110000 for June-August)"
        )),
    }
}

/// Reads a proxy file (module docs).
///
/// # Errors
/// [`TableError`] naming the file, line and column of the first bad entry.
pub fn read(path: &Path) -> Result<Vec<ProxyRecord>, TableError> {
    let t = Table::read(path)?;
    let mut col = [0; 12];
    for (c, name) in col.iter_mut().zip(COLUMNS) {
        *c = t.column(name)?;
    }
    let [site, lat, lon, proxy, species, value, sigma, season, depth, amin, amax, reference] = col;
    let mut out = Vec::with_capacity(t.rows.len());
    for r in 0..t.rows.len() {
        let (line, fields) = &t.rows[r];
        let bad = |c: usize, detail: String| TableError {
            path: t.path.clone(),
            line: *line,
            column: Some(t.header[c].clone()),
            detail,
        };
        let num = |c: usize| t.number(r, c);
        let kind = ProxyKind::ALL
            .into_iter()
            .find(|k| k.name() == fields[proxy].trim().to_ascii_lowercase())
            .ok_or_else(|| {
                bad(
                    proxy,
                    format!(
                        "unknown proxy `{}`; write d18o, uk37, mgca or tex86",
                        fields[proxy]
                    ),
                )
            })?;
        let sp = match (kind.needs_species(), fields[species].trim()) {
            (true, "") => {
                return Err(bad(
                    species,
                    format!("a {} record names its species", kind.name()),
                ))
            }
            (true, s) => Some(Species::parse(s).map_err(|e| bad(species, e))?),
            (false, _) => None,
        };
        let (la, lo) = (num(lat)?, num(lon)?);
        if !(-90.0..=90.0).contains(&la) {
            return Err(bad(lat, format!("latitude {la} is outside −90…90 °N")));
        }
        if !(-180.0..360.0).contains(&lo) {
            return Err(bad(lon, format!("longitude {lo} is outside −180…360 °E")));
        }
        let s = num(sigma)?;
        if s <= 0.0 {
            return Err(bad(sigma, format!("σ = {s}: an error must be positive")));
        }
        let h = num(depth)?;
        if h < 0.0 {
            return Err(bad(depth, format!("{h} m: depths are positive down")));
        }
        let age = [num(amin)?, num(amax)?];
        if age[0] > age[1] {
            return Err(bad(
                amax,
                format!("age_max {} is below age_min {}", age[1], age[0]),
            ));
        }
        let months = parse_season(&fields[season]).map_err(|e| bad(season, e))?;
        if months == Season::Growth && sp.is_none() {
            let fix = "`growth` needs a species; write annual or a month mask";
            return Err(bad(season, fix.into()));
        }
        out.push(ProxyRecord {
            site: fields[site].trim().to_string(),
            lat: la,
            lon: lo.rem_euclid(360.0),
            kind,
            species: sp,
            value: num(value)?,
            sigma: s,
            season: months,
            habitat_depth: h,
            age,
            reference: fields[reference].trim().to_string(),
            line: *line,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str =
        "site,lat,lon,proxy,species,value,sigma,season,habitat_depth,age_min,age_max,reference";

    fn load(rows: &str) -> Result<Vec<ProxyRecord>, TableError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.csv");
        std::fs::write(&p, format!("{HEAD}\n{rows}")).unwrap();
        read(&p)
    }

    #[test]
    fn a_good_file_reads() {
        let r = load(
            "GeoB1,-27.5,-71.2,d18o,G. ruber white,-1.2,0.6,growth,0,0,4,\"Smith, 2001\"\n\
             MD2,10,120,uk37,,0.9,0.05,000001110000,0,0,4,x\n",
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].species, Some(Species::Ruber));
        assert!((r[0].lon - 288.8).abs() < 1e-12);
        assert_eq!(r[0].reference, "Smith, 2001");
        assert_eq!(r[1].kind, ProxyKind::Uk37);
        assert!(matches!(r[1].season, Season::Months(m) if m[5] && m[7] && !m[8]));
        assert_eq!(r[1].line, 3);
    }

    #[test]
    fn every_bad_entry_names_line_and_column() {
        for (row, column, says) in [
            (
                "A,95,0,d18o,G. ruber,1,0.5,annual,0,0,4,x",
                "lat",
                "outside −90…90",
            ),
            (
                "A,0,400,d18o,G. ruber,1,0.5,annual,0,0,4,x",
                "lon",
                "outside −180…360",
            ),
            (
                "A,0,0,d13c,G. ruber,1,0.5,annual,0,0,4,x",
                "proxy",
                "unknown proxy `d13c`",
            ),
            (
                "A,0,0,d18o,,1,0.5,annual,0,0,4,x",
                "species",
                "names its species",
            ),
            (
                "A,0,0,d18o,O. universa,1,0.5,annual,0,0,4,x",
                "species",
                "unknown species",
            ),
            (
                "A,0,0,d18o,G. ruber,NaN,0.5,annual,0,0,4,x",
                "value",
                "not a finite number",
            ),
            (
                "A,0,0,d18o,G. ruber,1,0,annual,0,0,4,x",
                "sigma",
                "must be positive",
            ),
            (
                "A,0,0,d18o,G. ruber,1,0.5,summer,0,0,4,x",
                "season",
                "not a season",
            ),
            (
                "A,0,0,uk37,,0.5,0.05,growth,0,0,4,x",
                "season",
                "needs a species",
            ),
            (
                "A,0,0,uk37,,0.5,0.05,annual,-5,0,4,x",
                "habitat_depth",
                "positive down",
            ),
            (
                "A,0,0,uk37,,0.5,0.05,annual,0,5,4,x",
                "age_max",
                "below age_min",
            ),
        ] {
            let e = load(&format!("A,0,0,uk37,,0.5,0.05,annual,0,0,4,x\n{row}\n")).unwrap_err();
            assert_eq!(e.line, 3, "{row}: {e}");
            assert_eq!(e.column.as_deref(), Some(column), "{row}: {e}");
            assert!(e.to_string().contains(says), "{row}: {e}");
        }
    }
}
