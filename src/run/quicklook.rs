//! Quick-look PNG plots of a run (coupled, atmosphere-only or ocean-only), made beside the
//! NetCDF output when a year is complete, with `plotters` and a bundled TrueType font
//! (DejaVu Sans, Bitstream Vera licence in `src/run/fonts/`), so no Python, system fonts or
//! system libraries are needed:
//!
//! - `quicklook_YYYY_maps.png`: annual means of year YYYY — SST (`tos`, °C), surface air
//!   temperature (`tas`, K), precipitation (`pr`, mm day⁻¹) and net downward TOA flux
//!   (`rtmt`, W m⁻²) — and the March and September sea-ice concentration (`siconc`);
//! - `quicklook_YYYY_series.png`: the monthly global diagnostics of `global.nc` from the start
//!   of the run to the end of year YYYY (global SAT, SST, TOA net flux, AMOC at 26.5°N, Drake
//!   Passage transport, deep-ocean temperature, sea-ice area per hemisphere), lines through
//!   points, so that a single month shows as a point.
//!
//! Maps are plate carrée in the Chronos frame: longitude east from 0°E at the left edge to
//! 360°E, latitude south to north (north at the top), each cell drawn over its bounds, with
//! longitude and latitude axes, the model's coastline (the edges between the ocean model's wet
//! and dry cells, from the `tos` mask) on every map, and a colour bar with units. The colour
//! ranges are fixed per variable so that years can be compared; values beyond them take the
//! end colours. Missing points are grey.

use crate::io::{CfError, CfReader, FILL_VALUE};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Removes the quick-looks `quicklook_YYYY_*.png` of the years from `year` on in `dir`:
/// a run resumed inside year `year` remakes them, and a shorter resumed run must not leave
/// those of the longer run it continues. Returns the files removed.
///
/// # Errors
/// The I/O error of a file that cannot be removed.
pub fn remove_from(dir: &Path, year: u64) -> std::io::Result<Vec<PathBuf>> {
    let year_of = |n: &str| {
        n.strip_prefix("quicklook_")
            .filter(|_| n.ends_with(".png"))
            .and_then(|r| r.get(..4))
            .and_then(|d| d.parse::<u64>().ok())
    };
    let mut removed = super::files_where(dir, |n| year_of(n).is_some_and(|y| y >= year));
    removed.sort();
    for p in &removed {
        std::fs::remove_file(p)?;
    }
    Ok(removed)
}

/// Errors of the quick-look plots.
#[derive(Debug, thiserror::Error)]
pub enum QuicklookError {
    /// Reading the output failed.
    #[error(transparent)]
    Cf(#[from] CfError),
    /// Drawing or writing a PNG failed.
    #[error("{}: {detail}", path.display())]
    Png {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
}

/// The bundled font (DejaVu Sans 2.37).
const FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
/// The font family name the plots use.
const FAMILY: &str = "sans-serif";

/// Registers the bundled font with plotters (once per process).
fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known to parse (tested), so this cannot fail at run time.
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("the bundled DejaVu Sans font does not parse"));
    });
}

/// An RGB image being drawn: row-major bytes, top row first.
#[derive(Debug, Clone)]
pub struct Image {
    /// Width (pixels).
    pub width: u32,
    /// Height (pixels).
    pub height: u32,
    /// Row-major RGB bytes, top row first.
    pub rgb: Vec<u8>,
}

impl Image {
    /// A white image.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            rgb: vec![255; 3 * width as usize * height as usize],
        }
    }

    /// The colour at pixel (x, y).
    pub fn at(&self, x: u32, y: u32) -> [u8; 3] {
        let k = 3 * (y as usize * self.width as usize + x as usize);
        [self.rgb[k], self.rgb[k + 1], self.rgb[k + 2]]
    }

    /// Writes the image as an 8-bit RGB PNG, atomically (temporary file, then rename).
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
            let mut enc = png::Encoder::new(std::io::BufWriter::new(f), self.width, self.height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().map_err(|e| err(e.to_string()))?;
            w.write_image_data(&self.rgb)
                .map_err(|e| err(e.to_string()))?;
        }
        std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
    }
}

/// A colour map: piecewise-linear between evenly spaced RGB stops; x outside [0, 1] takes
/// the end colours, a non-finite x the first.
pub fn colour(stops: &[[u8; 3]], x: f64) -> RGBColor {
    let x = if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let f = x * (stops.len() - 1) as f64;
    let i = (f.floor() as usize).min(stops.len() - 2);
    let t = f - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    let c = [0, 1, 2].map(|k| (a[k] as f64 + t * (b[k] as f64 - a[k] as f64)).round() as u8);
    RGBColor(c[0], c[1], c[2])
}

/// Blue–white–red (ColorBrewer RdBu), for temperatures and fluxes.
pub const DIVERGING: [[u8; 3]; 7] = [
    [33, 102, 172],
    [103, 169, 207],
    [209, 229, 240],
    [247, 247, 247],
    [253, 219, 199],
    [239, 138, 98],
    [178, 24, 43],
];
/// White to dark blue (ColorBrewer Blues), for precipitation and sea ice.
pub const SEQUENTIAL: [[u8; 3]; 5] = [
    [247, 251, 255],
    [198, 219, 239],
    [107, 174, 214],
    [33, 113, 181],
    [8, 48, 107],
];
const GREY: RGBColor = RGBColor(170, 170, 170);

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

/// How a map is coloured: range, colour map, title and the colour bar's label (with units).
#[derive(Debug, Clone, Copy)]
pub struct MapStyle<'a> {
    /// Values mapped to the two ends of the colour map.
    pub range: (f64, f64),
    /// Colour-map stops.
    pub stops: &'a [[u8; 3]],
    /// Panel title.
    pub title: &'a str,
    /// Colour-bar label, with units.
    pub units: &'a str,
}

/// The longitude interval [a, b] split into pieces inside [0, 360] (cells straddling 0°E).
fn lon_pieces([a, b]: [f64; 2]) -> Vec<(f64, f64)> {
    let (a, b) = (a.min(b), a.max(b));
    let mut out = Vec::new();
    for shift in [-360.0, 0.0, 360.0] {
        let (lo, hi) = ((a + shift).max(0.0), (b + shift).min(360.0));
        if hi > lo {
            out.push((lo, hi));
        }
    }
    out
}

/// The coastline of a wet mask on a grid with `lon_bounds`, `lat_bounds` (south to north):
/// the cell edges between a wet and a dry cell (zonally periodic), as segments in degrees.
pub fn coastline(
    wet: &[bool],
    lon_bounds: &[[f64; 2]],
    lat_bounds: &[[f64; 2]],
) -> Vec<[(f64, f64); 2]> {
    let (nx, ny) = (lon_bounds.len(), lat_bounds.len());
    let mut seg = Vec::new();
    let east_edge = |i: usize| lon_bounds[i][1].rem_euclid(360.0);
    for j in 0..ny {
        let (s, n) = (lat_bounds[j][0], lat_bounds[j][1]);
        for i in 0..nx {
            if wet[j * nx + i] != wet[j * nx + (i + 1) % nx] {
                let x = east_edge(i);
                seg.push([(x, s), (x, n)]);
                if x == 0.0 {
                    seg.push([(360.0, s), (360.0, n)]);
                }
            }
            if j + 1 < ny && wet[j * nx + i] != wet[(j + 1) * nx + i] {
                for (a, b) in lon_pieces(lon_bounds[i]) {
                    seg.push([(a, n), (b, n)]);
                }
            }
        }
    }
    seg
}

type DrawResult<T> = Result<T, String>;

/// A linear axis in degrees with fixed ticks (every 60° of longitude, 30° of latitude).
#[derive(Debug, Clone)]
struct DegreeAxis {
    lo: f64,
    hi: f64,
    step: f64,
}

impl Ranged for DegreeAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        // As plotters' own f64 axis.
        let f = (v - self.lo) / (self.hi - self.lo);
        let n = (limit.1 - limit.0) as f64;
        if n >= 0.0 {
            limit.0 + (n * f + 1e-3).floor() as i32
        } else {
            limit.0 + (n * f - 1e-3).ceil() as i32
        }
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        let n = ((self.hi - self.lo) / self.step).round() as usize + 1;
        if hint.max_num_points() < n {
            return Vec::new();
        }
        (0..n).map(|k| self.lo + k as f64 * self.step).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A colour-bar tick: no decimals for whole numbers, else as few as show the value.
fn tick_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 * (1.0 + v.abs()) {
        format!("{:.0}", v.round())
    } else if (10.0 * v - (10.0 * v).round()).abs() < 1e-9 * (1.0 + v.abs()) {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn lon_label(x: &f64) -> String {
    format!("{x:.0}°E")
}

fn lat_label(y: &f64) -> String {
    match *y {
        y if y > 0.0 => format!("{y:.0}°N"),
        y if y < 0.0 => format!("{:.0}°S", -y),
        _ => "0°".into(),
    }
}

/// Draws `f` in `area`: the map with axes and the coastline `coast` above a colour bar.
/// Returns the map's plotting area in pixels, `(x range, y range)`, for tests.
pub fn map_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    f: &MapField,
    coast: &[[(f64, f64); 2]],
    style: MapStyle,
) -> DrawResult<(std::ops::Range<i32>, std::ops::Range<i32>)> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (h, _) = (area.dim_in_pixel().1, 0);
    let (map_area, bar_area) = area.split_vertically(h as i32 - 62);
    let mut chart = ChartBuilder::on(&map_area)
        .caption(style.title, (FAMILY, 15))
        .margin_right(14)
        .x_label_area_size(22)
        .y_label_area_size(44)
        .build_cartesian_2d(
            DegreeAxis {
                lo: 0.0,
                hi: 360.0,
                step: 60.0,
            },
            DegreeAxis {
                lo: -90.0,
                hi: 90.0,
                step: 30.0,
            },
        )
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(7)
        .y_labels(7)
        .x_label_formatter(&lon_label)
        .y_label_formatter(&lat_label)
        .label_style((FAMILY, 11))
        .draw()
        .map_err(e)?;
    chart
        .plotting_area()
        .fill(&GREY)
        .map_err(|x| x.to_string())?;
    let (lo, hi) = style.range;
    let nx = f.lon_bounds.len();
    let cells = f.lat_bounds.iter().enumerate().flat_map(|(j, lat)| {
        f.lon_bounds.iter().enumerate().flat_map(move |(i, lon)| {
            let v = f.values[j * nx + i];
            let c = if v == FILL_VALUE || !v.is_finite() {
                GREY
            } else {
                colour(style.stops, (v - lo) / (hi - lo))
            };
            lon_pieces(*lon)
                .into_iter()
                .map(move |(a, b)| Rectangle::new([(a, lat[0]), (b, lat[1])], c.filled()))
        })
    });
    chart.draw_series(cells).map_err(e)?;
    chart
        .draw_series(
            coast
                .iter()
                .map(|s| PathElement::new(s.to_vec(), BLACK.stroke_width(1))),
        )
        .map_err(e)?;
    let pixels = chart.plotting_area().get_pixel_range();
    colour_bar(&bar_area, style)?;
    Ok(pixels)
}

/// A horizontal colour bar from `lo` to `hi` with ticks and the units label.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    style: MapStyle,
) -> DrawResult<()> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (lo, hi) = style.range;
    let mut bar = ChartBuilder::on(area)
        .margin_top(6)
        .margin_left(60)
        .margin_right(30)
        .x_label_area_size(34)
        .build_cartesian_2d(lo..hi, 0f64..1f64)
        .map_err(e)?;
    let n = 128;
    let step = (hi - lo) / n as f64;
    bar.draw_series((0..n).map(|k| {
        let x0 = lo + k as f64 * step;
        let c = colour(style.stops, (k as f64 + 0.5) / n as f64);
        Rectangle::new([(x0, 0.0), (x0 + step, 1.0)], c.filled())
    }))
    .map_err(e)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_y_axis()
        .x_labels(7)
        .x_label_formatter(&|v| tick_label(*v))
        .x_desc(style.units)
        .label_style((FAMILY, 11))
        .axis_desc_style((FAMILY, 12))
        .draw()
        .map_err(e)?;
    Ok(())
}

/// One time-series panel: `series` (values and colour, with a legend name) against model
/// years, lines through points, y label with units.
pub fn series_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[(&str, &[f64], RGBColor)],
    years: &[f64],
    title: &str,
    units: &str,
) -> DrawResult<()> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let ok = |v: &f64| v.is_finite() && *v != FILL_VALUE;
    let all: Vec<f64> = series
        .iter()
        .flat_map(|(_, v, _)| v.iter().copied().filter(ok))
        .collect();
    let (mut lo, mut hi) = all
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if all.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    // A flat or single-point series gets a range of ±0.5 % of its value (at least ±0.05).
    let pad = (0.08 * (hi - lo))
        .max(0.0025 * (hi.abs() + lo.abs()))
        .max(0.05);
    (lo, hi) = (lo - pad, hi + pad);
    let (t0, t1) = match (years.first(), years.last()) {
        (Some(&a), Some(&b)) => (a, b),
        _ => (1.0, 2.0),
    };
    let tpad = ((t1 - t0) * 0.03).max(1.0 / 24.0);
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FAMILY, 15))
        .margin(6)
        .margin_right(16)
        .x_label_area_size(34)
        .y_label_area_size(64)
        .build_cartesian_2d(t0 - tpad..t1 + tpad, lo..hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(220, 220, 220))
        .x_labels(6)
        .y_labels(6)
        .x_desc("model year")
        .y_desc(units)
        .label_style((FAMILY, 11))
        .axis_desc_style((FAMILY, 12))
        .draw()
        .map_err(e)?;
    for (name, v, c) in series {
        let pts: Vec<(f64, f64)> = years
            .iter()
            .zip(v.iter())
            .filter(|(_, v)| ok(v))
            .map(|(t, v)| (*t, *v))
            .collect();
        let c = *c;
        chart
            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
            .map_err(e)?
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2)));
        chart
            .draw_series(pts.iter().map(|p| Circle::new(*p, 2, c.filled())))
            .map_err(e)?;
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FAMILY, 11))
            .draw()
            .map_err(e)?;
    }
    Ok(())
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

/// Draws with plotters into `img` (white, `title` on top, the rest split into `grid` =
/// (rows, columns) panels handed to `draw`) and saves it to `path`.
fn render(
    img: &mut Image,
    path: &Path,
    title: &str,
    grid: (usize, usize),
    draw: impl FnOnce(&[DrawingArea<BitMapBackend, Shift>]) -> DrawResult<()>,
) -> Result<(), QuicklookError> {
    register_font();
    let err = |detail: String| QuicklookError::Png {
        path: path.to_path_buf(),
        detail,
    };
    {
        let root =
            BitMapBackend::with_buffer(&mut img.rgb, (img.width, img.height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let (head, body) = root.split_vertically(36);
        head.titled(title, (FAMILY, 20))
            .map_err(|e| err(e.to_string()))?;
        draw(&body.split_evenly(grid)).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    img.save(path)
}

/// The maps of year `year` (module docs) into `path`.
fn year_maps(dir: &Path, year: u64, experiment: &str, path: &Path) -> Result<(), QuicklookError> {
    let atmos = dir.join(format!("atmos_{year:04}.nc"));
    let ocean = dir.join(format!("ocean_{year:04}.nc"));
    let ice = dir.join(format!("seaice_{year:04}.nc"));
    let (sst_months, sst_grid) = read_map(&ocean, "tos")?;
    let wet: Vec<bool> = sst_months
        .first()
        .map(|m| m.iter().map(|v| *v != FILL_VALUE).collect())
        .unwrap_or_default();
    let coast = coastline(&wet, &sst_grid.lon_bounds, &sst_grid.lat_bounds);
    let n_months = sst_months.len();
    let mut fields: Vec<(MapField, MapStyle)> = Vec::new();
    let style = |range, stops, title, units| MapStyle {
        range,
        stops,
        title,
        units,
    };
    let annual = if n_months < 12 {
        "mean of the months so far"
    } else {
        "annual mean"
    };
    let titles = [
        format!("sea surface temperature, {annual}"),
        format!("surface air temperature, {annual}"),
        format!("precipitation, {annual}"),
        format!("net downward TOA flux, {annual}"),
    ];
    let sst = MapField {
        values: mean(&sst_months, 1.0),
        ..sst_grid.clone()
    };
    fields.push((sst, style((-2.0, 32.0), &DIVERGING, &titles[0], "°C")));
    type Spec<'a> = (&'a str, f64, (f64, f64), &'a [[u8; 3]], &'a str);
    let specs: [Spec; 3] = [
        ("tas", 1.0, (225.0, 305.0), &DIVERGING, "K"),
        ("pr", 86400.0, (0.0, 15.0), &SEQUENTIAL, "mm/day"),
        ("rtmt", 1.0, (-150.0, 150.0), &DIVERGING, "W m⁻²"),
    ];
    for (k, (name, scale, range, stops, units)) in specs.into_iter().enumerate() {
        let (months, grid) = read_map(&atmos, name)?;
        let f = MapField {
            values: mean(&months, scale),
            ..grid
        };
        fields.push((f, style(range, stops, &titles[k + 1], units)));
    }
    let (ice_months, ice_grid) = read_map(&ice, "siconc")?;
    let ice_titles = [
        "sea-ice concentration, March",
        "sea-ice concentration, September",
    ];
    let mut missing = Vec::new();
    for (m, title) in [2usize, 8].into_iter().zip(ice_titles) {
        match ice_months.get(m) {
            Some(v) => {
                let f = MapField {
                    values: v.clone(),
                    ..ice_grid.clone()
                };
                let s = style((0.0, 1.0), &SEQUENTIAL, title, "fraction of the cell");
                fields.push((f, s));
            }
            None => missing.push(title),
        }
    }
    let plural = if n_months == 1 { "" } else { "s" };
    let title = format!("Chronos {experiment}: year {year:04} ({n_months} month{plural})");
    maps_png(path, &title, &fields, &coast, &missing)
}

/// The maps `fields` with the coastline `coast` into `path`, in 2 × 3 panels; the panels
/// after them are titled `missing` and noted as months not reached yet.
fn maps_png(
    path: &Path,
    title: &str,
    fields: &[(MapField, MapStyle)],
    coast: &[[(f64, f64); 2]],
    missing: &[&str],
) -> Result<(), QuicklookError> {
    let mut img = Image::new(1500, 860);
    render(&mut img, path, title, (2, 3), |panels| {
        for ((f, s), area) in fields.iter().zip(panels.iter()) {
            map_panel(area, f, coast, *s)?;
        }
        for (t, area) in missing.iter().zip(panels.iter().skip(fields.len())) {
            let (w, h) = area.dim_in_pixel();
            let style = (FAMILY, 15).into_font().color(&BLACK);
            area.draw_text(t, &style, (60, 14))
                .map_err(|e| e.to_string())?;
            let note = "(month not reached yet)";
            let grey = (FAMILY, 13).into_font().color(&GREY);
            area.draw_text(note, &grey, (w as i32 / 2 - 70, h as i32 / 2))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// The records of `name` in `path` whose time (days since 0001-01-01, 365-day years) lies
/// in model year `year`, with the map's cell bounds.
fn read_year(
    path: &Path,
    name: &str,
    year: u64,
) -> Result<(Vec<Vec<f64>>, MapField), QuicklookError> {
    let (months, grid) = read_map(path, name)?;
    let times = CfReader::open(path)?.times()?;
    let months = months
        .into_iter()
        .zip(times)
        .filter(|(_, t)| (t / 365.0).floor() as u64 + 1 == year)
        .map(|(m, _)| m)
        .collect();
    Ok((months, grid))
}

/// Quick-looks of year `year` of an atmosphere-only run in `dir` (`atmos_monthly.nc`,
/// `atmos_global.nc`): maps of the year's mean surface air temperature, precipitation, net
/// downward TOA flux rsdt − rsut − rlut, OLR, total cloud cover and the zonal wind at 9 km,
/// with the coastline of `land` (`[nlat·nlon]`, true where the cell is mostly land), and the
/// run's global monthly means so far; titled with the experiment's name `experiment`.
/// Returns the files.
///
/// # Errors
/// [`QuicklookError`] when the files cannot be read or a PNG drawn or written.
pub fn atmos_only_year(
    dir: &Path,
    year: u64,
    experiment: &str,
    land: &[bool],
) -> Result<Vec<PathBuf>, QuicklookError> {
    let monthly = dir.join("atmos_monthly.nc");
    let read = |n: &str| read_year(&monthly, n, year);
    let (tas, grid) = read("tas")?;
    let n_months = tas.len();
    let annual = if n_months < 12 {
        "mean of the months so far"
    } else {
        "annual mean"
    };
    let toa: Vec<Vec<f64>> = {
        let (rsdt, rsut, rlut) = (read("rsdt")?.0, read("rsut")?.0, read("rlut")?.0);
        (0..n_months)
            .map(|m| {
                (0..rsdt[m].len())
                    .map(|k| rsdt[m][k] - rsut[m][k] - rlut[m][k])
                    .collect()
            })
            .collect()
    };
    let titles = [
        format!("surface air temperature, {annual}"),
        format!("precipitation, {annual}"),
        format!("net downward TOA flux, {annual}"),
        format!("outgoing longwave radiation, {annual}"),
        format!("total cloud cover, {annual}"),
        format!("zonal wind at 9 km, {annual}"),
    ];
    type Spec<'a> = (Vec<Vec<f64>>, f64, (f64, f64), &'a [[u8; 3]], &'a str);
    let specs: [Spec; 6] = [
        (tas, 1.0, (225.0, 305.0), &DIVERGING, "K"),
        (read("pr")?.0, 86400.0, (0.0, 15.0), &SEQUENTIAL, "mm/day"),
        (toa, 1.0, (-150.0, 150.0), &DIVERGING, "W m⁻²"),
        (read("rlut")?.0, 1.0, (120.0, 320.0), &SEQUENTIAL, "W m⁻²"),
        (
            read("clt")?.0,
            1.0,
            (0.0, 1.0),
            &SEQUENTIAL,
            "fraction of the cell",
        ),
        (read("ua300")?.0, 1.0, (-40.0, 40.0), &DIVERGING, "m/s"),
    ];
    let fields: Vec<(MapField, MapStyle)> = specs
        .iter()
        .zip(&titles)
        .map(|((months, scale, range, stops, units), title)| {
            let f = MapField {
                values: mean(months, *scale),
                ..grid.clone()
            };
            (
                f,
                MapStyle {
                    range: *range,
                    stops,
                    title,
                    units,
                },
            )
        })
        .collect();
    let wet: Vec<bool> = land.iter().map(|l| !l).collect();
    let coast = coastline(&wet, &grid.lon_bounds, &grid.lat_bounds);
    let plural = if n_months == 1 { "" } else { "s" };
    let title = format!("Chronos {experiment}: year {year:04} ({n_months} month{plural})");
    let maps = dir.join(format!("quicklook_{year:04}_maps.png"));
    maps_png(&maps, &title, &fields, &coast, &[])?;
    let plots: [Plot; 6] = [
        (
            &[("tas", "global")],
            "global surface air temperature",
            "K",
            1.0,
        ),
        (
            &[("pr", "P"), ("evspsbl", "E")],
            "precipitation and evaporation",
            "mm/day",
            86400.0,
        ),
        (
            &[("toa_net", "TOA"), ("surface_net", "surface")],
            "net downward energy flux",
            "W m⁻²",
            1.0,
        ),
        (
            &[("rlut", "OLR"), ("asr", "absorbed SW")],
            "top-of-atmosphere radiation",
            "W m⁻²",
            1.0,
        ),
        (&[("clt", "global")], "total cloud cover", "1", 1.0),
        (
            &[("energy_residual", "global")],
            "energy budget residual",
            "W m⁻²",
            1.0,
        ),
    ];
    let series = dir.join(format!("quicklook_{year:04}_series.png"));
    let title = format!("Chronos {experiment}: global monthly means");
    series_png(&dir.join("atmos_global.nc"), &plots, 3, &title, &series)?;
    Ok(vec![maps, series])
}

/// Quick-looks of year `year` of an ocean-only run in `dir`: `maps` (drawn from the state at
/// the end of the year by the run, at most six, with the coastline `coast`) and the daily
/// diagnostics of `ocean_diagnostics.nc` so far, titled with the experiment's name
/// `experiment`. Returns the files.
///
/// # Errors
/// [`QuicklookError`] when the diagnostics cannot be read or a PNG drawn or written.
pub fn ocean_only_year(
    dir: &Path,
    year: u64,
    experiment: &str,
    maps: &[(MapField, MapStyle)],
    coast: &[[(f64, f64); 2]],
) -> Result<Vec<PathBuf>, QuicklookError> {
    let diagnostics = dir.join("ocean_diagnostics.nc");
    let path = dir.join(format!("quicklook_{year:04}_maps.png"));
    let title = format!("Chronos {experiment}: state at the end of year {year:04}");
    maps_png(&path, &title, maps, coast, &[])?;
    let plots: [Plot; 6] = [
        (
            &[("sst", "area mean")],
            "sea surface temperature",
            "°C",
            1.0,
        ),
        (
            &[("thetao_mean", "volume mean")],
            "ocean temperature",
            "°C",
            1.0,
        ),
        (&[("so_mean", "volume mean")], "ocean salinity", "g/kg", 1.0),
        (&[("amoc_26n", "26.5°N")], "AMOC at 26.5°N", "Sv", 1.0),
        (&[("drake", "Drake")], "Drake Passage transport", "Sv", 1.0),
        (&[("max_speed", "maximum")], "horizontal speed", "m/s", 1.0),
    ];
    let series = dir.join(format!("quicklook_{year:04}_series.png"));
    let title = format!("Chronos {experiment}: global diagnostics");
    series_png(&diagnostics, &plots, 3, &title, &series)?;
    Ok(vec![path, series])
}

/// One panel of a series plot: the variables (name in the file, legend label), title, units
/// and the factor applied to the file's values.
type Plot<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str, f64);

/// The time series `plots` of the file `file` (time in days since 0001-01-01, 365-day years)
/// into `path`, in a grid of `rows` × 2 panels.
fn series_png(
    file: &Path,
    plots: &[Plot],
    rows: usize,
    title: &str,
    path: &Path,
) -> Result<(), QuicklookError> {
    let r = CfReader::open(file)?;
    // Model years: year 1 starts at day 0 of the noleap calendar.
    let years: Vec<f64> = r.times()?.iter().map(|d| 1.0 + d / 365.0).collect();
    let red = RGBColor(178, 24, 43);
    let blue = RGBColor(33, 102, 172);
    let mut data = Vec::new();
    for (vars, _, _, scale) in plots {
        let v: Vec<(String, Vec<f64>)> = vars
            .iter()
            .map(|(n, label)| {
                let v = r.read(n)?.0.iter().map(|x| x * scale).collect();
                Ok(((*label).to_string(), v))
            })
            .collect::<Result<_, CfError>>()?;
        data.push(v);
    }
    let mut img = Image::new(1300, 110 + 260 * rows as u32);
    render(&mut img, path, title, (rows, 2), |panels| {
        for (((_, t, units, _), d), area) in plots.iter().zip(&data).zip(panels.iter()) {
            let series: Vec<(&str, &[f64], RGBColor)> = d
                .iter()
                .enumerate()
                .map(|(i, (l, v))| (l.as_str(), v.as_slice(), if i == 0 { red } else { blue }))
                .collect();
            series_panel(area, &series, &years, t, units)?;
        }
        Ok(())
    })
}

/// The time series of a coupled run so far (module docs) into `path`.
fn run_series(dir: &Path, experiment: &str, path: &Path) -> Result<(), QuicklookError> {
    let plots: [Plot; 7] = [
        (
            &[("tas", "global")],
            "global surface air temperature",
            "K",
            1.0,
        ),
        (
            &[("sst", "global")],
            "global sea surface temperature",
            "°C",
            1.0,
        ),
        (
            &[("toa_net", "global")],
            "net downward TOA flux",
            "W m⁻²",
            1.0,
        ),
        (&[("amoc_26n", "26.5°N")], "AMOC at 26.5°N", "Sv", 1.0),
        (&[("drake", "Drake")], "Drake Passage transport", "Sv", 1.0),
        (
            &[("thetao_deep", "> 2000 m")],
            "ocean temperature below 2000 m",
            "°C",
            1.0,
        ),
        (
            &[("siarea_n", "Arctic"), ("siarea_s", "Antarctic")],
            "sea-ice area",
            "10⁶ km²",
            1.0,
        ),
    ];
    let title = format!("Chronos {experiment}: global monthly means");
    series_png(&dir.join("global.nc"), &plots, 4, &title, path)
}

/// Makes the quick-look plots of year `year` in the run folder `dir`; returns the files.
///
/// # Errors
/// [`QuicklookError`] when the year's files cannot be read or a PNG drawn or written.
pub fn year(dir: &Path, year: u64) -> Result<Vec<PathBuf>, QuicklookError> {
    let experiment = CfReader::open(&dir.join(format!("atmos_{year:04}.nc")))?
        .attr_string(None, "experiment")
        .unwrap_or_default();
    let maps = dir.join(format!("quicklook_{year:04}_maps.png"));
    year_maps(dir, year, &experiment, &maps)?;
    let series = dir.join(format!("quicklook_{year:04}_series.png"));
    run_series(dir, &experiment, &series)?;
    Ok(vec![maps, series])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_map_ends_and_middle() {
        let rgb = |s: [u8; 3]| RGBColor(s[0], s[1], s[2]);
        assert_eq!(colour(&DIVERGING, 0.0), rgb(DIVERGING[0]));
        assert_eq!(colour(&DIVERGING, 1.0), rgb(DIVERGING[6]));
        assert_eq!(colour(&DIVERGING, 0.5), rgb(DIVERGING[3]));
        assert_eq!(colour(&DIVERGING, 2.0), rgb(DIVERGING[6]));
        assert_eq!(colour(&DIVERGING, f64::NAN), rgb(DIVERGING[0]));
    }

    #[test]
    fn remove_from_takes_the_later_years_only() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "quicklook_0001_maps.png",
            "quicklook_0002_maps.png",
            "quicklook_0002_series.png",
            "quicklook_0003_series.png",
            "quicklook_0003_notes.txt",
            "atmos_0003.nc",
        ];
        for n in names {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        let removed = remove_from(dir.path(), 2).unwrap();
        let removed: Vec<_> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            removed,
            [
                "quicklook_0002_maps.png",
                "quicklook_0002_series.png",
                "quicklook_0003_series.png"
            ]
        );
        for n in [names[0], names[4], names[5]] {
            assert!(dir.path().join(n).exists(), "{n} removed");
        }
    }

    #[test]
    fn bundled_font_renders_text() {
        register_font();
        let mut img = Image::new(200, 40);
        {
            let root = BitMapBackend::with_buffer(&mut img.rgb, (200, 40)).into_drawing_area();
            root.draw_text("60°E 30°N", &(FAMILY, 20).into_font().color(&BLACK), (5, 5))
                .unwrap();
            root.present().unwrap();
        }
        let dark = img.rgb.chunks(3).filter(|p| p[0] < 100).count();
        assert!(
            dark > 50,
            "only {dark} dark pixels: the font did not render"
        );
    }

    #[test]
    fn coastline_follows_the_mask_and_wraps() {
        // 3 × 2 cells, one wet cell at 0°E in the south: its east, west (wrapped) and north
        // edges are coast; the west edge is at −60° = 300°E.
        let wet = [true, false, false, false, false, false];
        let lon = [[-60.0, 60.0], [60.0, 180.0], [180.0, 300.0]];
        let lat = [[-90.0, 0.0], [0.0, 90.0]];
        let seg = coastline(&wet, &lon, &lat);
        assert!(seg.contains(&[(60.0, -90.0), (60.0, 0.0)]), "{seg:?}");
        assert!(seg.contains(&[(300.0, -90.0), (300.0, 0.0)]), "{seg:?}");
        assert!(seg.contains(&[(0.0, 0.0), (60.0, 0.0)]), "{seg:?}");
        assert!(seg.contains(&[(300.0, 0.0), (360.0, 0.0)]), "{seg:?}");
        assert_eq!(seg.len(), 4, "{seg:?}");
    }

    #[test]
    fn map_is_in_the_chronos_frame() {
        // One hot cell at 0°E (first column, bounds −60…60), northernmost row: drawn at the
        // top left and, wrapped, at the top right.
        register_font();
        let f = MapField {
            values: vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            lon_bounds: vec![[-60.0, 60.0], [60.0, 180.0], [180.0, 300.0]],
            lat_bounds: vec![[-90.0, 0.0], [0.0, 90.0]],
        };
        let style = MapStyle {
            range: (0.0, 1.0),
            stops: &SEQUENTIAL,
            title: "t",
            units: "1",
        };
        let mut img = Image::new(600, 400);
        let (xr, yr) = {
            let root = BitMapBackend::with_buffer(&mut img.rgb, (600, 400)).into_drawing_area();
            let r = map_panel(&root, &f, &[], style).unwrap();
            root.present().unwrap();
            r
        };
        // Pixel of (lon, lat) inside the plotting area.
        let px = |lon: f64, lat: f64| {
            let x = xr.start as f64 + lon / 360.0 * (xr.end - xr.start) as f64;
            let y = yr.start as f64 + (90.0 - lat) / 180.0 * (yr.end - yr.start) as f64;
            img.at(x as u32, y as u32)
        };
        let hot = SEQUENTIAL[4];
        assert_eq!(px(30.0, 45.0), hot);
        assert_eq!(px(330.0, 45.0), hot);
        assert_ne!(px(30.0, -45.0), hot);
        assert_ne!(px(120.0, 45.0), hot);
    }
}
