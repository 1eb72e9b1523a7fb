//! Orbital parameters and daily-mean top-of-atmosphere insolation.
//!
//! **Orbit.** Eccentricity e, obliquity ε and the longitude of perihelion ϖ in the PMIP
//! convention "ϖ − 180°" (the angle printed in the PMIP protocols and by Berger 1978's
//! tables, measured from the moving vernal equinox; perihelion then falls at the true solar
//! longitude λ = ϖ_PMIP + 180°, i.e. early January today). Presets ([`Orbit::preset`]):
//!
//! | preset | e | ε (°) | ϖ − 180° (°) | source |
//! |---|---|---|---|---|
//! | `0ka` (1950 CE) | 0.016724 | 23.446 | 102.04 | Berger (1978); PMIP2/3 "0 ka" |
//! | `pi` (1850 CE) | 0.016764 | 23.459 | 100.33 | PMIP3/CMIP5 piControl |
//! | `6ka` | 0.018682 | 24.105 | 0.87 | PMIP2/3 mid-Holocene |
//! | `21ka` | 0.018994 | 22.949 | 114.42 | PMIP2/3 Last Glacial Maximum |
//!
//! **Calendar.** PMIP fixes the vernal equinox at 21 March noon: day of year 79.5 (0-based,
//! `noleap`, day 0 = 1 January 00:00). The mean longitude of the Sun at the equinox is
//! λ_m0 = 2[(e/2 + e³/8)(1 + β) sin ϖ′ − (e²/4)(½ + β) sin 2ϖ′ + (e³/8)(⅓ + β) sin 3ϖ′]
//! with β = √(1 − e²) and ϖ′ = ϖ_PMIP + 180° (Berger 1978, eq. 5; as in CESM's
//! `shr_orb_params`); it advances uniformly, λ_m = λ_m0 + 2π(d − 79.5)/365, and the true
//! longitude follows from the equation of centre to O(e³):
//! λ = λ_m + (2e − e³/4) sin(λ_m − ϖ′) + (5/4)e² sin 2(λ_m − ϖ′) + (13/12)e³ sin 3(λ_m − ϖ′).
//!
//! **Insolation.** Declination sin δ = sin ε sin λ, Earth–Sun distance factor
//! (a/r)² = [(1 + e cos(λ − ϖ′))/(1 − e²)]², and the daily mean at latitude φ
//! (Berger 1978, eq. 10):
//!
//! Q̄ = (S₀/π)(a/r)² [h₀ sin φ sin δ + cos φ cos δ sin h₀],   cos h₀ = −tan φ tan δ,
//!
//! with h₀ = π in polar day and 0 in polar night (these are the exact limits of the formula,
//! not clamps). The annual mean of the global mean is S₀/(4√(1 − e²)).
//!
//! # References
//! Berger, A. L. (1978), J. Atmos. Sci. 35, 2362–2367, doi:10.1175/1520-0469(1978)035<2362:LTVODI>2.0.CO;2;
//! Braconnot et al. (2007), Clim. Past 3, 261–277 (PMIP2 orbits); Kopp & Lean (2011),
//! Geophys. Res. Lett. 38, L01706 (S₀ = 1361 W m⁻²).

use crate::physics::constants::{DAYS_PER_YEAR, RAD_PER_DEG};
use std::f64::consts::PI;

/// Day of year (0-based, fractional, `noleap`) of the vernal equinox: 21 March, noon (PMIP).
pub const VERNAL_EQUINOX_DAY: f64 = 79.5;

/// Total solar irradiance S₀ (W m⁻²), Kopp & Lean (2011).
pub const SOLAR_CONSTANT: f64 = 1361.0;

/// Orbital elements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orbit {
    /// Eccentricity e (1).
    pub eccentricity: f64,
    /// Obliquity ε (degrees).
    pub obliquity_deg: f64,
    /// Longitude of perihelion in the PMIP convention ϖ − 180° (degrees).
    pub perihelion_deg: f64,
}

/// An unknown orbit preset name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown orbit preset `{0}`: use \"0ka\" (1950), \"pi\" (1850), \"6ka\" or \"21ka\"")]
pub struct UnknownOrbit(pub String);

impl Orbit {
    /// The PMIP presets `0ka`, `pi`, `6ka`, `21ka` (table in the module docs).
    ///
    /// # Errors
    /// [`UnknownOrbit`] for any other name.
    pub fn preset(name: &str) -> Result<Orbit, UnknownOrbit> {
        let (e, eps, w) = match name {
            "0ka" => (0.016724, 23.446, 102.04),
            "pi" => (0.016764, 23.459, 100.33),
            "6ka" => (0.018682, 24.105, 0.87),
            "21ka" => (0.018994, 22.949, 114.42),
            other => return Err(UnknownOrbit(other.to_string())),
        };
        Ok(Orbit {
            eccentricity: e,
            obliquity_deg: eps,
            perihelion_deg: w,
        })
    }

    /// ϖ′ = ϖ_PMIP + 180° (radians): the true solar longitude of perihelion.
    fn perihelion_longitude(&self) -> f64 {
        (self.perihelion_deg + 180.0) * RAD_PER_DEG
    }

    /// True solar longitude λ (radians, 0 at the vernal equinox) on day `day` of the year
    /// (0-based, fractional, `noleap`).
    pub fn true_longitude(&self, day: f64) -> f64 {
        let e = self.eccentricity;
        let w = self.perihelion_longitude();
        let beta = (1.0 - e * e).sqrt();
        let lm0 = 2.0
            * ((0.5 * e + 0.125 * e.powi(3)) * (1.0 + beta) * w.sin()
                - 0.25 * e * e * (0.5 + beta) * (2.0 * w).sin()
                + 0.125 * e.powi(3) * (1.0 / 3.0 + beta) * (3.0 * w).sin());
        let lm = lm0 + 2.0 * PI * (day - VERNAL_EQUINOX_DAY) / DAYS_PER_YEAR;
        let x = lm - w;
        lm + (2.0 * e - 0.25 * e.powi(3)) * x.sin()
            + 1.25 * e * e * (2.0 * x).sin()
            + 13.0 / 12.0 * e.powi(3) * (3.0 * x).sin()
    }

    /// Solar declination δ (radians) and distance factor (a/r)² (1) on day `day`.
    pub fn declination_and_distance(&self, day: f64) -> (f64, f64) {
        let lambda = self.true_longitude(day);
        let e = self.eccentricity;
        let sin_delta = (self.obliquity_deg * RAD_PER_DEG).sin() * lambda.sin();
        let inv_r = (1.0 + e * (lambda - self.perihelion_longitude()).cos()) / (1.0 - e * e);
        (sin_delta.asin(), inv_r * inv_r)
    }

    /// Daily-mean TOA insolation Q̄ (W m⁻²) at latitude `lat` (radians) on day `day` for
    /// solar constant `s0` (W m⁻²); Berger (1978), eq. 10.
    pub fn daily_insolation(&self, lat: f64, day: f64, s0: f64) -> f64 {
        let (delta, dist) = self.declination_and_distance(day);
        daily_mean_insolation(lat, delta, dist * s0)
    }
}

/// Sunset hour angle h₀ (radians) at latitude `lat` for declination `delta`:
/// cos h₀ = −tan φ tan δ, with h₀ = π in polar day and 0 in polar night (|tan φ tan δ| ≥ 1,
/// the exact limits of the formula).
pub fn sunset_hour_angle(lat: f64, delta: f64) -> f64 {
    let x = -lat.tan() * delta.tan();
    if x <= -1.0 {
        PI
    } else if x >= 1.0 {
        0.0
    } else {
        x.acos()
    }
}

/// Q̄ = (S/π)[h₀ sin φ sin δ + cos φ cos δ sin h₀] with cos h₀ = −tan φ tan δ (h₀ = π where
/// the Sun never sets, 0 where it never rises); `s` is S₀ (a/r)² (W m⁻²), angles in radians.
pub fn daily_mean_insolation(lat: f64, delta: f64, s: f64) -> f64 {
    let h0 = sunset_hour_angle(lat, delta);
    s / PI * (h0 * lat.sin() * delta.sin() + lat.cos() * delta.cos() * h0.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauss_mean(orbit: &Orbit, day: f64) -> f64 {
        // Global mean by a fine midpoint rule in sin φ.
        let n = 4000;
        (0..n)
            .map(|j| {
                let mu = -1.0 + (j as f64 + 0.5) * 2.0 / n as f64;
                orbit.daily_insolation(mu.asin(), day, SOLAR_CONSTANT)
            })
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn equinox_and_solstices_fall_on_their_dates() {
        let o = Orbit::preset("0ka").unwrap();
        // Vernal equinox: λ = 0 at day 79.5 up to the equation of centre (≤ 2e rad ≈ 1.9°).
        assert!(o.true_longitude(VERNAL_EQUINOX_DAY).abs() < 0.04);
        // The declination changes sign within a day of the equinox dates (20–21 March).
        let (d1, _) = o.declination_and_distance(78.0);
        let (d2, _) = o.declination_and_distance(80.5);
        assert!(d1 < 0.0 && d2 > 0.0, "{d1} {d2}");
        // Maximum declination = ε near 21 June (day 171).
        let (day_max, dmax) = (0..3650)
            .map(|k| k as f64 * 0.1)
            .map(|d| (d, o.declination_and_distance(d).0))
            .fold((0.0, -1.0), |a, b| if b.1 > a.1 { b } else { a });
        assert!((dmax - 23.446 * RAD_PER_DEG).abs() < 1e-6);
        assert!((day_max - 171.0).abs() < 1.5, "{day_max}");
    }

    #[test]
    fn perihelion_is_in_early_january_today_and_in_september_at_6ka() {
        let closest = |o: &Orbit| {
            (0..3650)
                .map(|k| k as f64 * 0.1)
                .map(|d| (d, o.declination_and_distance(d).1))
                .fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a })
        };
        let (d0, f0) = closest(&Orbit::preset("0ka").unwrap());
        assert!((1.0..5.0).contains(&d0), "perihelion day {d0}");
        // (a/r)² = 1/(1 − e)² at perihelion (0.1-day sampling: λ within 0.05°).
        assert!(
            (f0 - (1.0_f64 / (1.0 - 0.016724)).powi(2)).abs() < 1e-7,
            "{f0}"
        );
        let (d6, _) = closest(&Orbit::preset("6ka").unwrap());
        // ϖ′ = 180.87°: perihelion just after the September equinox (~day 264).
        assert!((255.0..275.0).contains(&d6), "6 ka perihelion day {d6}");
    }

    #[test]
    fn annual_global_mean_is_s0_over_four_sqrt_one_minus_e2() {
        for name in ["0ka", "6ka", "21ka"] {
            let o = Orbit::preset(name).unwrap();
            let n = 365 * 4;
            let mean = (0..n)
                .map(|k| gauss_mean(&o, (k as f64 + 0.5) * DAYS_PER_YEAR / n as f64))
                .sum::<f64>()
                / n as f64;
            let exact = SOLAR_CONSTANT / 4.0 / (1.0 - o.eccentricity.powi(2)).sqrt();
            assert!(
                (mean / exact - 1.0).abs() < 2e-5,
                "{name}: {mean} vs {exact}"
            );
        }
    }

    #[test]
    fn known_values() {
        // Equator at equinox: S/π (with the distance factor of that day).
        let s = 1361.0;
        assert!((daily_mean_insolation(0.0, 0.0, s) - s / PI).abs() < 1e-12);
        // Pole at δ: S sin δ (polar day), and 0 in polar night.
        let d = 23.446 * RAD_PER_DEG;
        assert!((daily_mean_insolation(PI / 2.0 - 1e-12, d, s) - s * d.sin()).abs() < 1e-6);
        assert_eq!(daily_mean_insolation(-PI / 2.0 + 1e-9, d, s), 0.0);
        // North Pole at the June solstice (≈ 524 W m⁻², SCIENCE.md §F) exceeds the equator.
        let o = Orbit::preset("0ka").unwrap();
        let np = o.daily_insolation(PI / 2.0 - 1e-9, 171.0, s);
        let eq = o.daily_insolation(0.0, 171.0, s);
        assert!((np - 524.0).abs() < 3.0 && np > eq, "{np} {eq}");
        // 6 ka: more June insolation at 65°N than today (the mid-Holocene's known +~30 W m⁻²).
        let o6 = Orbit::preset("6ka").unwrap();
        let lat = 65.0 * RAD_PER_DEG;
        let gain = o6.daily_insolation(lat, 171.0, s) - o.daily_insolation(lat, 171.0, s);
        assert!((20.0..45.0).contains(&gain), "6 ka June 65°N gain {gain}");
        assert!(Orbit::preset("7ka").is_err());
    }
}
