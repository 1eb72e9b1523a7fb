//! Monthly climatologies on a model grid: twelve mid-month records read from a boundary
//! file, interpolated linearly in time between mid-month dates, periodic over the 365-day
//! year (the AMIP convention for climatological boundary fields; Taylor, Williamson & Zwiers
//! 2000 use mid-month values whose monthly means are preserved, which linear interpolation
//! approximates to within the curvature of the annual cycle).
//!
//! Shapes: each record `[1, nlat, nlon]`.

use crate::backend::tensor_from_vec;
use crate::io::cf::{CfError, CfReader, FILL_VALUE};
use crate::physics::constants::DAYS_PER_YEAR;
use burn_tensor::{backend::Backend, Tensor};
use std::path::Path;

/// Records of one variable and the day of the year (0 = 1 January 00:00) each belongs to.
#[derive(Debug, Clone)]
pub struct MonthlyClimatology<B: Backend> {
    /// The records, `[1, nlat, nlon]` each.
    pub fields: Vec<Tensor<B, 3>>,
    /// Day of the year of each record (days, in [0, 365)).
    pub mid_month: Vec<f64>,
}

/// Reads `n` records of `name` on the `shape` grid (fill values read as 0).
///
/// # Errors
/// [`CfError`] when the variable is missing or has another shape.
pub fn read_records<B: Backend>(
    r: &CfReader,
    name: &str,
    n: usize,
    shape: [usize; 3],
    device: &B::Device,
) -> Result<Vec<Tensor<B, 3>>, CfError> {
    read_records_filled(r, name, n, shape, 0.0, device)
}

/// Reads `n` records of `name` on the `shape` grid with fill values read as `fill`: a value
/// valid for the quantity where the formulas applied to it must stay finite even though the
/// point's area fraction is 0 (in f32, `0 × ∞` is NaN).
///
/// # Errors
/// [`CfError`] when the variable is missing or has another shape.
pub fn read_records_filled<B: Backend>(
    r: &CfReader,
    name: &str,
    n: usize,
    shape: [usize; 3],
    fill: f64,
    device: &B::Device,
) -> Result<Vec<Tensor<B, 3>>, CfError> {
    let (v, _) = r.read(name)?;
    let len = shape[1] * shape[2];
    if v.len() != n * len {
        return Err(CfError::ReadShape {
            var: name.into(),
            path: r.path().into(),
            expected: vec![n, shape[1], shape[2]],
            got: vec![v.len() / len.max(1), shape[1], shape[2]],
        });
    }
    Ok(v.chunks(len)
        .map(|c| {
            let c = c
                .iter()
                .map(|&x| if x == FILL_VALUE { fill } else { x })
                .collect();
            tensor_from_vec(c, shape, device)
        })
        .collect())
}

/// The days of the year of a file's time axis (mid-month records), wrapped into [0, 365).
///
/// # Errors
/// [`CfError`] when the file has no time axis.
pub fn record_days(r: &CfReader) -> Result<Vec<f64>, CfError> {
    Ok(r.times()?
        .into_iter()
        .map(|x| x.rem_euclid(DAYS_PER_YEAR))
        .collect())
}

/// The two records around day `day` of the year (mid-month days `mid_month`, increasing,
/// periodic over the year) and their linear weights: `[(k₀, 1 − w), (k₁, w)]`.
pub fn month_weights(mid_month: &[f64], day: f64) -> [(usize, f64); 2] {
    let n = mid_month.len();
    let d = day.rem_euclid(DAYS_PER_YEAR);
    let mut k1 = mid_month.iter().position(|&m| m > d).unwrap_or(n);
    let k0 = (k1 + n - 1) % n;
    k1 %= n;
    let (m0, mut m1) = (mid_month[k0], mid_month[k1]);
    let mut x = d;
    if m1 <= m0 {
        m1 += DAYS_PER_YEAR;
        if x < m0 {
            x += DAYS_PER_YEAR;
        }
    }
    let w = (x - m0) / (m1 - m0);
    [(k0, 1.0 - w), (k1, w)]
}

/// Linear interpolation of `fields` (at the days `mid_month`, increasing) to day `day`,
/// periodic over the year; a single record is constant.
pub fn interpolate<B: Backend>(
    fields: &[Tensor<B, 3>],
    mid_month: &[f64],
    day: f64,
) -> Tensor<B, 3> {
    if fields.len() == 1 {
        return fields[0].clone();
    }
    let [(k0, w0), (k1, w1)] = month_weights(mid_month, day);
    fields[k0].clone() * w0 + fields[k1].clone() * w1
}

impl<B: Backend> MonthlyClimatology<B> {
    /// Reads the twelve monthly records of `name` from the file `path` on the `shape` grid.
    ///
    /// # Errors
    /// [`CfError`] when the file or variable is missing or on another grid.
    pub fn read(
        path: &Path,
        name: &str,
        shape: [usize; 3],
        device: &B::Device,
    ) -> Result<Self, CfError> {
        let r = CfReader::open(path)?;
        let mid_month = record_days(&r)?;
        if mid_month.len() != 12 || mid_month.windows(2).any(|w| w[0] >= w[1]) {
            return Err(CfError::ReadShape {
                var: "time (12 increasing mid-month days within one year)".into(),
                path: path.into(),
                expected: vec![12],
                got: vec![mid_month.len()],
            });
        }
        Ok(MonthlyClimatology {
            fields: read_records(&r, name, 12, shape, device)?,
            mid_month,
        })
    }

    /// The field on day `day` of the year (0 = 1 January 00:00), `[1, nlat, nlon]`.
    pub fn at_day(&self, day: f64) -> Tensor<B, 3> {
        interpolate(&self.fields, &self.mid_month, day)
    }
}
