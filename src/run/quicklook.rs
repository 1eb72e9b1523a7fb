//! Quick-look PNG plots of a coupled run, made beside the NetCDF output when a year is
//! complete (no Python or system libraries needed; pure-Rust PNG encoding):
//!
//! - `quicklook_YYYY_maps.png`: annual means of year YYYY — SST (`tos`), surface air
//!   temperature (`tas`), precipitation (`pr`, mm/day) and net TOA flux (`rtmt`) — and the
//!   March and September sea-ice concentration (`siconc`);
//! - `quicklook_YYYY_series.png`: the monthly global diagnostics of `global.nc` from the start
//!   of the run to the end of year YYYY (global SAT, SST, TOA net flux, AMOC at 26.5°N, Drake
//!   Passage transport, deep-ocean temperature, sea-ice area per hemisphere).
//!
//! Maps are plate carrée: longitude east from 0°E at the left edge, latitude south to north
//! (north at the top), each cell drawn over its bounds. Missing points are grey.

use crate::io::{CfError, CfReader, FILL_VALUE};
use std::path::{Path, PathBuf};

/// Errors of the quick-look plots.
#[derive(Debug, thiserror::Error)]
pub enum QuicklookError {
    /// Reading the output failed.
    #[error(transparent)]
    Cf(#[from] CfError),
    /// Writing a PNG failed.
    #[error("{}: {detail}", path.display())]
    Png {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
}

/// An RGB image.
#[derive(Debug, Clone)]
pub struct Canvas {
    /// Width (pixels).
    pub width: usize,
    /// Height (pixels).
    pub height: usize,
    /// Row-major RGB bytes, top row first.
    pub rgb: Vec<u8>,
}

const WHITE: [u8; 3] = [255, 255, 255];
const BLACK: [u8; 3] = [0, 0, 0];
const GREY: [u8; 3] = [170, 170, 170];

impl Canvas {
    /// A white canvas.
    pub fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            rgb: WHITE.repeat(width * height),
        }
    }

    fn set(&mut self, x: i64, y: i64, c: [u8; 3]) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            let k = 3 * (y as usize * self.width + x as usize);
            self.rgb[k..k + 3].copy_from_slice(&c);
        }
    }

    /// Text in the 8×8 font at (x, y) (top-left), scaled by `s`.
    pub fn text(&mut self, x: i64, y: i64, text: &str, s: i64) {
        let mut cx = x;
        for ch in text.chars() {
            let code = if ch.is_ascii() {
                ch as usize
            } else {
                b'?' as usize
            };
            let glyph = font8x8::legacy::BASIC_LEGACY[code];
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..8 {
                    if bits & (1 << col) != 0 {
                        for dy in 0..s {
                            for dx in 0..s {
                                self.set(cx + col * s + dx, y + row as i64 * s + dy, BLACK);
                            }
                        }
                    }
                }
            }
            cx += 8 * s;
        }
    }

    /// A straight line (Bresenham).
    pub fn line(&mut self, (x0, y0): (i64, i64), (x1, y1): (i64, i64), c: [u8; 3]) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        loop {
            self.set(x, y, c);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    fn rect(&mut self, x: i64, y: i64, w: i64, h: i64) {
        self.line((x, y), (x + w, y), BLACK);
        self.line((x, y + h), (x + w, y + h), BLACK);
        self.line((x, y), (x, y + h), BLACK);
        self.line((x + w, y), (x + w, y + h), BLACK);
    }

    /// Writes the canvas as an 8-bit RGB PNG.
    ///
    /// # Errors
    /// [`QuicklookError::Png`] when the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), QuicklookError> {
        let err = |e: String| QuicklookError::Png {
            path: path.to_path_buf(),
            detail: e,
        };
        let tmp = path.with_extension("png.tmp");
        {
            let f = std::fs::File::create(&tmp).map_err(|e| err(e.to_string()))?;
            let mut enc = png::Encoder::new(
                std::io::BufWriter::new(f),
                self.width as u32,
                self.height as u32,
            );
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().map_err(|e| err(e.to_string()))?;
            w.write_image_data(&self.rgb)
                .map_err(|e| err(e.to_string()))?;
        }
        std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
    }
}

/// A colour map: piecewise-linear between evenly spaced RGB stops.
pub fn colour(stops: &[[u8; 3]], x: f64) -> [u8; 3] {
    let x = if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let f = x * (stops.len() - 1) as f64;
    let i = (f.floor() as usize).min(stops.len() - 2);
    let t = f - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    [0, 1, 2].map(|k| (a[k] as f64 + t * (b[k] as f64 - a[k] as f64)).round() as u8)
}

/// Blue–white–red, for temperatures and fluxes.
pub const DIVERGING: [[u8; 3]; 5] = [
    [33, 102, 172],
    [146, 197, 222],
    [247, 247, 247],
    [244, 165, 130],
    [178, 24, 43],
];
/// White to dark blue, for precipitation and sea ice.
pub const SEQUENTIAL: [[u8; 3]; 4] = [
    [255, 255, 255],
    [158, 202, 225],
    [49, 130, 189],
    [8, 48, 107],
];

/// A map field with its cell bounds.
#[derive(Debug, Clone)]
pub struct MapField {
    /// Values `[nlat·nlon]` (row-major, south to north), [`FILL_VALUE`] where missing.
    pub values: Vec<f64>,
    /// Longitude bounds (degrees east), one pair per column.
    pub lon_bounds: Vec<[f64; 2]>,
    /// Latitude bounds (degrees north), one pair per row, south to north.
    pub lat_bounds: Vec<[f64; 2]>,
}

/// Draws `f` into a `w`×`h` panel at (x, y) with a colour bar from `lo` to `hi` and a title.
#[allow(clippy::too_many_arguments)]
pub fn map_panel(
    c: &mut Canvas,
    (x, y, w, h): (i64, i64, i64, i64),
    f: &MapField,
    (lo, hi): (f64, f64),
    stops: &[[u8; 3]],
    title: &str,
) {
    let nx = f.lon_bounds.len();
    c.text(x, y - 12, title, 1);
    for py in 0..h {
        let lat = 90.0 - 180.0 * (py as f64 + 0.5) / h as f64;
        let row = f
            .lat_bounds
            .iter()
            .position(|b| lat >= b[0].min(b[1]) && lat < b[0].max(b[1]));
        for px in 0..w {
            let lon = 360.0 * (px as f64 + 0.5) / w as f64;
            let col = f.lon_bounds.iter().position(|b| {
                let l = if lon >= b[1] { lon - 360.0 } else { lon };
                l >= b[0] && l < b[1]
            });
            let colour_at = match (row, col) {
                (Some(j), Some(i)) => {
                    let v = f.values[j * nx + i];
                    if v == FILL_VALUE || !v.is_finite() {
                        GREY
                    } else {
                        colour(stops, (v - lo) / (hi - lo))
                    }
                }
                _ => GREY,
            };
            c.set(x + px, y + py, colour_at);
        }
    }
    c.rect(x - 1, y - 1, w + 1, h + 1);
    // Colour bar below.
    let by = y + h + 6;
    for px in 0..w {
        let col = colour(stops, px as f64 / (w - 1) as f64);
        for dy in 0..8 {
            c.set(x + px, by + dy, col);
        }
    }
    c.rect(x - 1, by - 1, w + 1, 9);
    c.text(x, by + 11, &format_value(lo), 1);
    let hs = format_value(hi);
    c.text(x + w - 8 * hs.len() as i64, by + 11, &hs, 1);
    let mid = format_value(0.5 * (lo + hi));
    c.text(x + w / 2 - 4 * mid.len() as i64, by + 11, &mid, 1);
}

fn format_value(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-2..1e5).contains(&a) {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Draws a time series (years, values) into a panel with its range and a title.
pub fn series_panel(
    c: &mut Canvas,
    (x, y, w, h): (i64, i64, i64, i64),
    series: &[(&[f64], [u8; 3])],
    years: &[f64],
    title: &str,
) {
    c.text(x, y - 12, title, 1);
    c.rect(x, y, w, h);
    let finite = |v: &f64| v.is_finite() && *v != FILL_VALUE;
    let all: Vec<f64> = series
        .iter()
        .flat_map(|(v, _)| v.iter().copied().filter(finite))
        .collect();
    if all.is_empty() || years.is_empty() {
        return;
    }
    let (mut lo, mut hi) = all
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if hi - lo < 1e-12 * (1.0 + hi.abs()) {
        lo -= 0.5;
        hi += 0.5;
    }
    let (t0, t1) = (years[0], *years.last().expect("non-empty"));
    let span = (t1 - t0).max(1e-9);
    let px = |t: f64| x + 2 + ((t - t0) / span * (w - 4) as f64).round() as i64;
    let py = |v: f64| y + h - 2 - ((v - lo) / (hi - lo) * (h - 4) as f64).round() as i64;
    for (v, col) in series {
        let pts: Vec<(i64, i64)> = years
            .iter()
            .zip(v.iter())
            .filter(|(_, v)| finite(v))
            .map(|(t, v)| (px(*t), py(*v)))
            .collect();
        if pts.len() == 1 {
            c.set(pts[0].0, pts[0].1, *col);
        }
        for p in pts.windows(2) {
            c.line(p[0], p[1], *col);
        }
    }
    // Enough decimals to tell the ends apart.
    let decimals = (2.0 - (hi - lo).log10().floor()).clamp(0.0, 6.0) as usize;
    c.text(x + 3, y + 3, &format!("max {hi:.decimals$}"), 1);
    c.text(x + 3, y + h - 11, &format!("min {lo:.decimals$}"), 1);
    let yr = format!("years {:.1}-{:.1}", t0, t1);
    c.text(x + w - 8 * yr.len() as i64 - 3, y + h - 11, &yr, 1);
}

/// Reads a monthly map variable from `path` and its lon/lat bounds (any lon/lat names).
fn read_map(path: &Path, name: &str) -> Result<(Vec<Vec<f64>>, MapField), QuicklookError> {
    let r = CfReader::open(path)?;
    let dims = r.var_dims(name)?;
    let (lat_name, lon_name) = (&dims[dims.len() - 2], &dims[dims.len() - 1]);
    let pairs = |v: Vec<f64>| v.chunks(2).map(|p| [p[0], p[1]]).collect::<Vec<_>>();
    let lat_bounds = pairs(r.read(&format!("{lat_name}_bnds"))?.0);
    let lon_bounds = pairs(r.read(&format!("{lon_name}_bnds"))?.0);
    let n = r.dim_len("time").unwrap_or(0);
    let months = (0..n)
        .map(|t| r.read_record(name, t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        months,
        MapField {
            values: Vec::new(),
            lon_bounds,
            lat_bounds,
        },
    ))
}

/// Mean over months, missing where any month is missing.
fn mean(months: &[Vec<f64>], scale: f64) -> Vec<f64> {
    let n = months.len() as f64;
    (0..months.first().map_or(0, Vec::len))
        .map(|k| {
            if months.iter().any(|m| m[k] == FILL_VALUE) {
                FILL_VALUE
            } else {
                months.iter().map(|m| m[k]).sum::<f64>() / n * scale
            }
        })
        .collect()
}

/// Makes the quick-look plots of year `year` in the run folder `dir`; returns the files.
///
/// # Errors
/// [`QuicklookError`] when the year's files cannot be read or a PNG written.
pub fn year(dir: &Path, year: u64) -> Result<Vec<PathBuf>, QuicklookError> {
    let atmos = dir.join(format!("atmos_{year:04}.nc"));
    let ocean = dir.join(format!("ocean_{year:04}.nc"));
    let ice = dir.join(format!("seaice_{year:04}.nc"));
    let (pw, ph) = (360i64, 180i64);
    let mut c = Canvas::new((3 * (pw + 40) + 20) as usize, (2 * (ph + 70) + 56) as usize);
    let experiment = CfReader::open(&atmos)?
        .attr_string(None, "experiment")
        .unwrap_or_default();
    c.text(20, 8, &format!("Chronos {experiment} - year {year:04}"), 1);
    let slot = |k: i64| (20 + (k % 3) * (pw + 40), 56 + (k / 3) * (ph + 70), pw, ph);
    type Panel<'a> = (&'a Path, &'a str, f64, (f64, f64), &'a [[u8; 3]], &'a str);
    let panels: [Panel; 4] = [
        (
            &ocean,
            "tos",
            1.0,
            (-2.0, 30.0),
            &DIVERGING,
            "SST (degC), annual mean",
        ),
        (
            &atmos,
            "tas",
            1.0,
            (230.0, 305.0),
            &DIVERGING,
            "surface air temperature (K)",
        ),
        (
            &atmos,
            "pr",
            86400.0,
            (0.0, 12.0),
            &SEQUENTIAL,
            "precipitation (mm/day)",
        ),
        (
            &atmos,
            "rtmt",
            1.0,
            (-150.0, 150.0),
            &DIVERGING,
            "net TOA flux down (W/m2)",
        ),
    ];
    let mut n_months = 0;
    for (k, (path, name, scale, range, stops, title)) in panels.into_iter().enumerate() {
        let (months, mut f) = read_map(path, name)?;
        n_months = months.len();
        f.values = mean(&months, scale);
        map_panel(&mut c, slot(k as i64), &f, range, stops, title);
    }
    let (months, f) = read_map(&ice, "siconc")?;
    for (k, (m, label)) in [(2usize, "March"), (8, "September")]
        .into_iter()
        .enumerate()
    {
        if let Some(v) = months.get(m) {
            let f = MapField {
                values: v.clone(),
                ..f.clone()
            };
            map_panel(
                &mut c,
                slot(4 + k as i64),
                &f,
                (0.0, 1.0),
                &SEQUENTIAL,
                &format!("sea-ice concentration, {label}"),
            );
        }
    }
    if n_months < 12 {
        c.text(20, 22, &format!("(mean of {n_months} months)"), 1);
    }
    let maps = dir.join(format!("quicklook_{year:04}_maps.png"));
    c.save(&maps)?;

    // Time series of the whole run so far.
    let r = CfReader::open(&dir.join("global.nc"))?;
    let years: Vec<f64> = r.times()?.iter().map(|d| d / 365.0).collect();
    let get = |n: &str| r.read(n).map(|v| v.0);
    let (sw, sh) = (520i64, 150i64);
    let mut c = Canvas::new((2 * (sw + 40) + 20) as usize, (4 * (sh + 40) + 40) as usize);
    c.text(
        20,
        8,
        &format!("Chronos {experiment} - global monthly means"),
        1,
    );
    let slot = |k: i64| (20 + (k % 2) * (sw + 40), 40 + (k / 2) * (sh + 40), sw, sh);
    let red = [178, 24, 43];
    let blue = [33, 102, 172];
    let plots: [(&[&str], &str); 7] = [
        (&["tas"], "global surface air temperature (K)"),
        (&["sst"], "global SST (degC)"),
        (&["toa_net"], "net TOA flux down (W/m2)"),
        (&["amoc_26n"], "AMOC at 26.5N (Sv)"),
        (&["drake"], "Drake Passage transport (Sv)"),
        (&["thetao_deep"], "ocean temperature below 2000 m (degC)"),
        (
            &["siarea_n", "siarea_s"],
            "sea-ice area (1e6 km2): N red, S blue",
        ),
    ];
    for (k, (names, title)) in plots.into_iter().enumerate() {
        let data: Vec<Vec<f64>> = names.iter().map(|n| get(n)).collect::<Result<_, _>>()?;
        let series: Vec<(&[f64], [u8; 3])> = data
            .iter()
            .enumerate()
            .map(|(i, v)| (v.as_slice(), if i == 0 { red } else { blue }))
            .collect();
        series_panel(&mut c, slot(k as i64), &series, &years, title);
    }
    let series = dir.join(format!("quicklook_{year:04}_series.png"));
    c.save(&series)?;
    Ok(vec![maps, series])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_map_ends_and_middle() {
        assert_eq!(colour(&DIVERGING, 0.0), DIVERGING[0]);
        assert_eq!(colour(&DIVERGING, 1.0), DIVERGING[4]);
        assert_eq!(colour(&DIVERGING, 0.5), DIVERGING[2]);
        assert_eq!(colour(&DIVERGING, f64::NAN), DIVERGING[0]);
    }

    #[test]
    fn map_is_in_the_chronos_frame() {
        // One hot cell at 0°E (first column), northernmost row: drawn at the top left.
        let f = MapField {
            values: vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            lon_bounds: vec![[-60.0, 60.0], [60.0, 180.0], [180.0, 300.0]],
            lat_bounds: vec![[-90.0, 0.0], [0.0, 90.0]],
        };
        let mut c = Canvas::new(400, 240);
        map_panel(&mut c, (10, 20, 360, 180), &f, (0.0, 1.0), &SEQUENTIAL, "t");
        let at = |x: usize, y: usize| {
            let k = 3 * (y * c.width + x);
            [c.rgb[k], c.rgb[k + 1], c.rgb[k + 2]]
        };
        let hot = *SEQUENTIAL.last().expect("stops");
        // 30°E, 45°N is in the hot cell; 30°E, 45°S and 120°E, 45°N are not.
        assert_eq!(at(10 + 30, 20 + 45), hot);
        assert_ne!(at(10 + 30, 20 + 135), hot);
        assert_ne!(at(10 + 120, 20 + 45), hot);
        // 330°E wraps into the first column (bounds −60…60).
        assert_eq!(at(10 + 330, 20 + 45), hot);
    }
}
