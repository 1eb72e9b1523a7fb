//! Earth's orbital elements for any epoch within ±1 Myr of 1950 CE, from the trigonometric
//! series of Berger (1978).
//!
//! [`orbit_at`] evaluates, for t = years relative to 1950 CE (negative in the past):
//!
//! - the obliquity, a 47-term cosine series (Berger 1978, Table 1),
//!   ε = ε* + Σᵢ Aᵢ cos(fᵢ t + δᵢ), with ε* = 23.320556°;
//! - the eccentricity and the longitude of perihelion measured from the *fixed* vernal
//!   equinox of 1950, π, from the 19-term series (Table 4)
//!   e sin π = Σⱼ Mⱼ sin(gⱼ t + βⱼ),   e cos π = Σⱼ Mⱼ cos(gⱼ t + βⱼ);
//! - the general precession in longitude, a 78-term sine series (Table 5),
//!   ψ = ψ̃ t + ζ + Σₖ Fₖ sin(f′ₖ t + δ′ₖ), with ψ̃ = 50.439273″ yr⁻¹ and ζ = 3.392506°;
//!
//! and returns the longitude of perihelion from the *moving* equinox of date,
//! ϖ = π + ψ (mod 360°). This is the angle tabulated by Berger (1978), printed in the PMIP
//! protocols and returned as `mvelp` by CESM/E3SM's `shr_orb_params`: 102.04° in 1950. It is
//! the geocentric angle, i.e. the heliocentric longitude of perihelion minus 180°, so it is
//! exactly the convention of [`Orbit::perihelion_deg`] and needs no offset.
//!
//! Amplitudes A, F and rates f, g are in arcseconds and arcseconds per year, phases δ, β in
//! degrees; M is dimensionless. The series reproduce the PMIP presets of [`Orbit::preset`]
//! (`0ka`, `pi`, `6ka`, `21ka`) to their printed precision.
//!
//! # References
//! Berger, A. L. (1978), Long-term variations of daily insolation and Quaternary climatic
//! changes, J. Atmos. Sci. 35, 2362–2367, doi:10.1175/1520-0469(1978)035<2362:LTVODI>2.0.CO;2;
//! Berger, A. L. (1978), A simple algorithm to compute long-term variations of daily
//! insolation, Contribution 18, Institut d'Astronomie et de Géophysique G. Lemaître,
//! Université Catholique de Louvain (the full-precision coefficients used here).

use crate::forcing::orbit::Orbit;

/// Constant term ε* of the obliquity series (degrees); Berger (1978), eq. 5.5.
const OBLIQUITY_MEAN_DEG: f64 = 23.320556;

/// Linear rate ψ̃ of the general precession (arcseconds per year); Berger (1978), eq. 7.5.
const PRECESSION_RATE_ARCSEC: f64 = 50.439273;

/// Constant ζ of the general precession (degrees); Berger (1978), eq. 7.5.
const PRECESSION_CONST_DEG: f64 = 3.392506;

/// Arcseconds per degree.
const ARCSEC_PER_DEG: f64 = 3600.0;

// Coefficient tables of Berger (1978), one row per term: (amplitude, rate in ″/yr, phase in °).
// Transcribed from the arrays obamp/obrate/obphas, ecamp/ecrate/ecphas and
// mvamp/mvrate/mvphas of `shr_orb_params` in E3SM's share/util/shr_orb_mod.F90
// (E3SM-Project/E3SM, inherited from NCAR's CESM), and checked row by row against the
// TABLE1, TABLE4 and TABLE5 data of a NASA GISS ModelE-style `ORBPAR` Fortran routine.

/// Obliquity relative to the mean ecliptic of date, Berger (1978) Table 1:
/// (A ″, f ″/yr, δ °), 47 terms.
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
const OBLIQUITY_TERMS: [(f64, f64, f64); 47] = [
    (-2462.2214466, 31.609974, 251.9025),
    (-857.3232075, 32.620504, 280.8325),
    (-629.3231835, 24.172203, 128.3057),
    (-414.2804924, 31.983787, 292.7252),
    (-311.7632587, 44.828336, 15.3747),
    (308.9408604, 30.973257, 263.7951),
    (-162.5533601, 43.668246, 308.4258),
    (-116.1077911, 32.246691, 240.0099),
    (101.1189923, 30.599444, 222.9725),
    (-67.6856209, 42.681324, 268.7809),
    (24.9079067, 43.836462, 316.7998),
    (22.5811241, 47.439436, 319.6024),
    (-21.1648355, 63.219948, 143.8050),
    (-15.6549876, 64.230478, 172.7351),
    (15.3936813, 1.010530, 28.9300),
    (14.6660938, 7.437771, 123.5968),
    (-11.7273029, 55.782177, 20.2082),
    (10.2742696, 0.373813, 40.8226),
    (6.4914588, 13.218362, 123.4722),
    (5.8539148, 62.583231, 155.6977),
    (-5.4872205, 63.593761, 184.6277),
    (-5.4290191, 76.438310, 267.2772),
    (5.1609570, 45.815258, 55.0196),
    (5.0786314, 8.448301, 152.5268),
    (-4.0735782, 56.792707, 49.1382),
    (3.7227167, 49.747842, 204.6609),
    (3.3971932, 12.058272, 56.5233),
    (-2.8347004, 75.278220, 200.3284),
    (-2.6550721, 65.241008, 201.6651),
    (-2.5717867, 64.604291, 213.5577),
    (-2.4712188, 1.647247, 17.0374),
    (2.4625410, 7.811584, 164.4194),
    (2.2464112, 12.207832, 94.5422),
    (-2.0755511, 63.856665, 131.9124),
    (-1.9713669, 56.155990, 61.0309),
    (-1.8813061, 77.448840, 296.2073),
    (-1.8468785, 6.801054, 135.4894),
    (1.8186742, 62.209418, 114.8750),
    (1.7601888, 20.656133, 247.0691),
    (-1.5428851, 48.344406, 256.6114),
    (1.4738838, 55.145460, 32.1008),
    (-1.4593669, 69.000539, 143.6804),
    (1.4192259, 11.071350, 16.8784),
    (-1.1818980, 74.291298, 160.6835),
    (1.1756474, 11.047742, 27.5932),
    (-1.1316126, 0.636717, 348.1074),
    (1.0896928, 12.844549, 82.6496),
];

/// Fundamental elements of the ecliptic, e sin π and e cos π, Berger (1978) Table 4:
/// (M, g ″/yr, β °), 19 terms.
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
const ECCENTRICITY_TERMS: [(f64, f64, f64); 19] = [
    (0.01860798, 4.207205, 28.620089),
    (0.01627522, 7.346091, 193.788772),
    (-0.01300660, 17.857263, 308.307024),
    (0.00988829, 17.220546, 320.199637),
    (-0.00336700, 16.846733, 279.376984),
    (0.00333077, 5.199079, 87.195000),
    (-0.00235400, 18.231076, 349.129677),
    (0.00140015, 26.216758, 128.443387),
    (0.00100700, 6.359169, 154.143880),
    (0.00085700, 16.210016, 291.269597),
    (0.00064990, 3.065181, 114.860583),
    (0.00059900, 16.583829, 332.092251),
    (0.00037800, 18.493980, 296.414411),
    (-0.00033700, 6.190953, 145.769910),
    (0.00027600, 18.867793, 337.237063),
    (0.00018200, 17.425567, 152.092288),
    (-0.00017400, 6.186001, 126.839891),
    (-0.00012400, 18.417441, 210.667199),
    (0.00001250, 0.667863, 72.108838),
];

/// General precession in longitude ψ, Berger (1978) Table 5: (F ″, f′ ″/yr, δ′ °),
/// 78 terms.
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
const PRECESSION_TERMS: [(f64, f64, f64); 78] = [
    (7391.0225890, 31.609974, 251.9025),
    (2555.1526947, 32.620504, 280.8325),
    (2022.7629188, 24.172203, 128.3057),
    (-1973.6517951, 0.636717, 348.1074),
    (1240.2321818, 31.983787, 292.7252),
    (953.8679112, 3.138886, 165.1686),
    (-931.7537108, 30.973257, 263.7951),
    (872.3795383, 44.828336, 15.3747),
    (606.3544732, 0.991874, 58.5749),
    (-496.0274038, 0.373813, 40.8226),
    (456.9608039, 43.668246, 308.4258),
    (346.9462320, 32.246691, 240.0099),
    (-305.8412902, 30.599444, 222.9725),
    (249.6173246, 2.147012, 106.5937),
    (-199.1027200, 10.511172, 114.5182),
    (191.0560889, 42.681324, 268.7809),
    (-175.2936572, 13.650058, 279.6869),
    (165.9068833, 0.986922, 39.6448),
    (161.1285917, 9.874455, 126.4108),
    (139.7878093, 13.013341, 291.5795),
    (-133.5228399, 0.262904, 307.2848),
    (117.0673811, 0.004952, 18.9300),
    (104.6907281, 1.142024, 273.7596),
    (95.3227476, 63.219948, 143.8050),
    (86.7824524, 0.205021, 191.8927),
    (86.0857729, 2.151964, 125.5237),
    (70.5893698, 64.230478, 172.7351),
    (-69.9719343, 43.836462, 316.7998),
    (-62.5817473, 47.439436, 319.6024),
    (61.5450059, 1.384343, 69.7526),
    (-57.9364011, 7.437771, 123.5968),
    (57.1899832, 18.829299, 217.6432),
    (-57.0236109, 9.500642, 85.5882),
    (-54.2119253, 0.431696, 156.2147),
    (53.2834147, 1.160090, 66.9489),
    (52.1223575, 55.782177, 20.2082),
    (-49.0059908, 12.639528, 250.7568),
    (-48.3118757, 1.155138, 48.0188),
    (-45.4191685, 0.168216, 8.3739),
    (-42.2357920, 1.647247, 17.0374),
    (-34.7971099, 10.884985, 155.3409),
    (34.4623613, 5.610937, 94.1709),
    (-33.8356643, 12.658184, 221.1120),
    (33.6689362, 1.010530, 28.9300),
    (-31.2521586, 1.983748, 117.1498),
    (-30.8798701, 14.023871, 320.5095),
    (28.4640769, 0.560178, 262.3602),
    (-27.1960802, 1.273434, 336.2148),
    (27.0860736, 12.021467, 233.0046),
    (-26.3437456, 62.583231, 155.6977),
    (24.7253740, 63.593761, 184.6277),
    (24.6732126, 76.438310, 267.2772),
    (24.4272733, 4.280910, 78.9281),
    (24.0127327, 13.218362, 123.4722),
    (21.7150294, 17.818769, 188.7132),
    (-21.5375347, 8.359495, 180.1364),
    (18.1148363, 56.792707, 49.1382),
    (-16.9603104, 8.448301, 152.5268),
    (-16.1765215, 1.978796, 98.2198),
    (15.5567653, 8.863925, 97.4808),
    (15.4846529, 0.186365, 221.5376),
    (15.2150632, 8.996212, 168.2438),
    (14.5047426, 6.771027, 161.1199),
    (-14.3873316, 45.815258, 55.0196),
    (13.1351419, 12.002811, 262.6495),
    (12.8776311, 75.278220, 200.3284),
    (11.9867234, 65.241008, 201.6651),
    (11.9385578, 18.870667, 294.6547),
    (11.7030822, 22.009553, 99.8233),
    (11.6018181, 64.604291, 213.5577),
    (-11.2617293, 11.498094, 154.1631),
    (-10.4664199, 0.578834, 232.7153),
    (10.4333970, 9.237738, 138.3034),
    (-10.2377466, 49.747842, 204.6609),
    (10.1934446, 2.147012, 106.5938),
    (-10.1280191, 1.196895, 250.4676),
    (10.0289441, 2.133898, 332.3345),
    (-10.0034259, 0.173168, 27.3039),
];

/// Argument f t + δ (radians) of one series term: `rate` in ″/yr, `t` in years relative to
/// 1950 CE, `phase` in degrees.
fn argument(rate: f64, phase: f64, t: f64) -> f64 {
    (rate * t / ARCSEC_PER_DEG + phase).to_radians()
}

/// Orbital elements `years_bp` years before 1950 CE (positive into the past; negative values
/// give the future), from the series of Berger (1978).
///
/// With t = −`years_bp` (years relative to 1950 CE), amplitudes A, F in arcseconds,
/// M dimensionless, rates f, g, f′ in arcseconds per year and phases δ, β, δ′ in degrees:
///
/// - obliquity (47 terms): ε = 23.320556° + Σᵢ Aᵢ cos(fᵢ t + δᵢ);
/// - eccentricity (19 terms): e sin π = Σⱼ Mⱼ sin(gⱼ t + βⱼ),
///   e cos π = Σⱼ Mⱼ cos(gⱼ t + βⱼ), e = √[(e sin π)² + (e cos π)²], where π is the
///   longitude of perihelion from the fixed equinox of 1950;
/// - general precession (78 terms): ψ = 50.439273″ t + 3.392506° + Σₖ Fₖ sin(f′ₖ t + δ′ₖ);
/// - longitude of perihelion from the moving equinox: ϖ = π + ψ, reduced to [0°, 360°).
///
/// The returned [`Orbit`] holds e, ε (degrees) and ϖ (degrees) as
/// [`Orbit::perihelion_deg`]: this ϖ is Berger's tabulated (geocentric) angle, 102.04° in
/// 1950 — the PMIP "ϖ − 180°" convention, identical to `mvelp` of CESM's `shr_orb_params`.
///
/// Valid for |`years_bp`| ≤ 10⁶ (Berger 1978); beyond that the series are evaluated
/// anyway but lose accuracy quickly. Reference: Berger, A. L. (1978), J. Atmos. Sci. 35,
/// 2362–2367.
pub fn orbit_at(years_bp: f64) -> Orbit {
    let t = -years_bp;

    let obliquity_arcsec: f64 = OBLIQUITY_TERMS
        .iter()
        .map(|&(amp, rate, phase)| amp * argument(rate, phase, t).cos())
        .sum();

    let (e_sin_pi, e_cos_pi) =
        ECCENTRICITY_TERMS
            .iter()
            .fold((0.0, 0.0), |(s, c), &(amp, rate, phase)| {
                let (sin, cos) = argument(rate, phase, t).sin_cos();
                (s + amp * sin, c + amp * cos)
            });

    let precession_arcsec: f64 = PRECESSION_TERMS
        .iter()
        .map(|&(amp, rate, phase)| amp * argument(rate, phase, t).sin())
        .sum();
    let precession_deg = (PRECESSION_RATE_ARCSEC * t + precession_arcsec) / ARCSEC_PER_DEG;
    let psi_deg = PRECESSION_CONST_DEG + precession_deg;
    let pi_fixed_deg = e_sin_pi.atan2(e_cos_pi).to_degrees();

    Orbit {
        eccentricity: e_sin_pi.hypot(e_cos_pi),
        obliquity_deg: OBLIQUITY_MEAN_DEG + obliquity_arcsec / ARCSEC_PER_DEG,
        perihelion_deg: (pi_fixed_deg + psi_deg).rem_euclid(360.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Smallest difference between two angles (degrees), in [0°, 180°].
    fn angle_diff(a: f64, b: f64) -> f64 {
        let d = (a - b).rem_euclid(360.0);
        d.min(360.0 - d)
    }

    #[test]
    fn reproduces_pmip_presets() {
        // (preset, years before 1950 CE)
        let cases = [
            ("0ka", 0.0),
            ("pi", 100.0),
            ("6ka", 6000.0),
            ("21ka", 21000.0),
        ];
        for (name, years_bp) in cases {
            let want = Orbit::preset(name).unwrap();
            let got = orbit_at(years_bp);
            assert!(
                (got.eccentricity - want.eccentricity).abs() < 2e-6,
                "{name}: e = {} vs {}",
                got.eccentricity,
                want.eccentricity
            );
            assert!(
                (got.obliquity_deg - want.obliquity_deg).abs() < 2e-3,
                "{name}: ε = {} vs {}",
                got.obliquity_deg,
                want.obliquity_deg
            );
            assert!(
                angle_diff(got.perihelion_deg, want.perihelion_deg) < 0.02,
                "{name}: ϖ = {} vs {}",
                got.perihelion_deg,
                want.perihelion_deg
            );
        }
    }

    #[test]
    fn stays_in_physical_range_over_the_last_million_years() {
        for k in 0..=1000 {
            let years_bp = 1000.0 * f64::from(k);
            let o = orbit_at(years_bp);
            assert!(
                (0.0005..=0.061).contains(&o.eccentricity),
                "{years_bp} BP: e = {}",
                o.eccentricity
            );
            assert!(
                (22.0..=24.6).contains(&o.obliquity_deg),
                "{years_bp} BP: ε = {}",
                o.obliquity_deg
            );
            assert!(
                (0.0..360.0).contains(&o.perihelion_deg),
                "{years_bp} BP: ϖ = {}",
                o.perihelion_deg
            );
        }
    }

    #[test]
    fn perihelion_advances_about_1_7_degrees_per_century() {
        // Near present ϖ grows by ≈ 62″/yr (general precession ≈ 50″/yr plus the perihelion's
        // own advance ≈ 12″/yr), ≈ 1.7° per century: the PMIP `0ka` − `pi` difference.
        let d = orbit_at(0.0).perihelion_deg - orbit_at(100.0).perihelion_deg;
        assert!((1.6..1.85).contains(&d), "{d}");
    }
}
