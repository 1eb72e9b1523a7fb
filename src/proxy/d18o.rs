//! Foraminiferal calcite δ18O: paleotemperature equations, forward (temperature and seawater
//! δ18O → calcite δ18O) and inverse (calcite δ18O → temperature).
//!
//! Every equation is written in the form of Bemis et al. (1998, Table 1),
//!
//! T = a + b Δ + c Δ²,  Δ = δc − (δw − o),
//!
//! with T in °C, δc the calcite δ18O (‰ VPDB), δw the seawater δ18O (‰ VSMOW) and o the
//! VSMOW→VPDB offset the equation was published with (0.27 ‰ for Bemis et al., Kim & O'Neil
//! and Mulitza et al.; 0.20 ‰ for Shackleton 1974 and O'Neil et al. 1969; 0.22 ‰ for Erez &
//! Luz 1983). The Bayesian bayfox models (Malevich et al. 2019, eq. 1),
//! δc = α + β T + (δw − 0.27), are the same form with a = −α/β, b = 1/β, c = 0.
//!
//! **Forward.** For c ≠ 0 the quadratic has two roots; the forward model takes the one that is
//! continuous with the linear limit c → 0, in the form that does not cancel,
//!
//! Δ = 2 (T − a) / (b + sgn(b) √(b² + 4 c (T − a))),
//!
//! which is Δ = (T − a)/b exactly when c = 0. It is smooth wherever the discriminant is
//! positive, i.e. for T > a − b²/(4c) (−31 °C for O'Neil et al., −43 °C for Kim & O'Neil,
//! −153 °C for Erez & Luz), far below sea water's freezing point. Shapes: any (elementwise, broadcasting as Burn does).
//!
//! # References
//! - Bemis, B. E., Spero, H. J., Bijma, J., Lea, D. W. (1998), Paleoceanography 13, 150–160
//!   (Table 1; eqs. for *O. universa* low and high light and *G. bulloides* 11–13 chambers,
//!   and the fit to Kim & O'Neil 1997).
//! - Kim, S.-T., O'Neil, J. R. (1997), Geochim. Cosmochim. Acta 61, 3461–3475.
//! - Shackleton, N. J. (1974), Colloques Internationaux du CNRS 219, 203–209 (*Uvigerina*,
//!   and his form of O'Neil et al. 1969, J. Chem. Phys. 51, 5547–5558).
//! - Erez, J., Luz, B. (1983), Geochim. Cosmochim. Acta 47, 1025–1031 (*T. sacculifer*).
//! - Mulitza, S., Boltovskoy, D., Donner, B., Meggers, H., Paul, A., Wefer, G. (2003),
//!   Palaeogeogr. Palaeoclimatol. Palaeoecol. 202, 143–152 (per species); Mulitza et al.
//!   (2004), in *The South Atlantic in the Late Quaternary*, Springer, 121–142 (pooled).
//! - The coefficients as tabulated by Gaskell & Hull (2023), Clim. Past 19, 1265–1274.
//! - Malevich, S. B., Vetter, L., Tierney, J. E. (2019), Paleoceanogr. Paleoclimatol. 34,
//!   1292–1315 (bayfox; posterior means in models/data/proxies/calibration_params.csv).

use super::species::Species;
use burn_tensor::{backend::Backend, Tensor};

/// The coefficients of T = a + bΔ + cΔ², Δ = δc − (δw − o) (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaleoTemperature {
    /// a (°C).
    pub a: f64,
    /// b (°C ‰⁻¹).
    pub b: f64,
    /// c (°C ‰⁻²).
    pub c: f64,
    /// The VSMOW→VPDB offset o of the seawater δ18O (‰).
    pub offset: f64,
}

impl PaleoTemperature {
    /// The equation of a linear model δc = α + β T + (δw − o): a = −α/β, b = 1/β, c = 0.
    pub fn from_linear(alpha: f64, beta: f64, offset: f64) -> Self {
        Self {
            a: -alpha / beta,
            b: 1.0 / beta,
            c: 0.0,
            offset,
        }
    }

    /// Temperature (°C) of calcite δ18O `d18o_c` (‰ VPDB) grown in water of `d18o_w`
    /// (‰ VSMOW): T = a + bΔ + cΔ².
    pub fn temperature<B: Backend, const D: usize>(
        &self,
        d18o_c: Tensor<B, D>,
        d18o_w: Tensor<B, D>,
    ) -> Tensor<B, D> {
        let delta = d18o_c - d18o_w + self.offset;
        delta.clone().powi_scalar(2) * self.c + delta * self.b + self.a
    }

    /// Calcite δ18O (‰ VPDB) grown at temperature `t` (°C) in water of `d18o_w` (‰ VSMOW):
    /// δc = Δ + δw − o with the root Δ continuous with the linear limit (module docs).
    pub fn calcite<B: Backend, const D: usize>(
        &self,
        t: Tensor<B, D>,
        d18o_w: Tensor<B, D>,
    ) -> Tensor<B, D> {
        let x = t - self.a;
        let delta = if self.c == 0.0 {
            x / self.b
        } else {
            let root = (x.clone() * (4.0 * self.c) + self.b * self.b).sqrt();
            x * 2.0 / (root * self.b.signum() + self.b)
        };
        delta + d18o_w - self.offset
    }
}

/// A named calcite δ18O calibration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum D18oCalibration {
    /// Bemis et al. (1998), *O. universa* low light: T = 16.5 − 4.80 Δ.
    BemisLowLight,
    /// Bemis et al. (1998), *O. universa* high light: T = 14.9 − 4.80 Δ.
    BemisHighLight,
    /// Bemis et al. (1998), *G. bulloides* 11 chambers: T = 12.6 − 5.07 Δ.
    BemisBulloides11,
    /// Bemis et al. (1998), *G. bulloides* 12 chambers: T = 13.2 − 4.89 Δ.
    BemisBulloides12,
    /// Bemis et al. (1998), *G. bulloides* 13 chambers: T = 13.6 − 4.77 Δ.
    BemisBulloides13,
    /// Kim & O'Neil (1997) inorganic calcite in the form of Bemis et al. (1998):
    /// T = 16.1 − 4.64 Δ + 0.09 Δ².
    KimONeil,
    /// Shackleton (1974), benthic *Uvigerina*: T = 16.9 − 4.0 Δ, o = 0.20 ‰.
    Shackleton,
    /// O'Neil et al. (1969) inorganic calcite in Shackleton's (1974) form:
    /// T = 16.9 − 4.38 Δ + 0.10 Δ², o = 0.20 ‰.
    ONeil,
    /// Erez & Luz (1983), *T. sacculifer*: T = 17.0 − 4.52 Δ + 0.03 Δ², o = 0.22 ‰.
    ErezLuz,
    /// Mulitza et al. (2003), per species: *G. ruber* (white) T = 14.20 − 4.44 Δ,
    /// *G. bulloides* 14.62 − 4.70 Δ, *T. sacculifer* 14.91 − 4.35 Δ, *N. pachyderma*
    /// 12.69 − 3.55 Δ (no *N. incompta* fit).
    Mulitza(Species),
    /// Mulitza et al. (2004), all planktic species pooled: T = 14.32 − 4.28 Δ + 0.07 Δ².
    MulitzaPooled,
    /// bayfox, annual, all species pooled (posterior means).
    BayfoxPooled,
    /// bayfox, annual, per species (hierarchical model, posterior means).
    BayfoxAnnual(Species),
    /// bayfox, seasonal, per species (hierarchical model, posterior means).
    BayfoxSeasonal(Species),
}

/// bayfox posterior means (α ‰, β ‰ K⁻¹, τ ‰): `calibration_params.csv`, rows
/// `bayfox_annual_pooled`, `bayfox_annual_hierarchical`, `bayfox_seasonal_hierarchical`.
const BAYFOX_POOLED: [f64; 3] = [4.02013, -0.23073, 0.54387];

/// bayfox annual, per species in [`Species::ALL`] order: α, β, τ.
const BAYFOX_ANNUAL: [[f64; 3]; 5] = [
    [2.55559, -0.17895, 0.40213],
    [3.95898, -0.22335, 0.58421],
    [1.97288, -0.14344, 0.40537],
    [3.97181, -0.18530, 0.47895],
    [3.02066, -0.15301, 0.51217],
];

/// bayfox seasonal, per species in [`Species::ALL`] order: α, β, τ.
const BAYFOX_SEASONAL: [[f64; 3]; 5] = [
    [4.38819, -0.24216, 0.47620],
    [4.05645, -0.22911, 0.58884],
    [3.09408, -0.18428, 0.40529],
    [4.08482, -0.20872, 0.46869],
    [3.49417, -0.19091, 0.54835],
];

/// The species with a Mulitza et al. (2003) fit.
const MULITZA_SPECIES: [Species; 4] = [
    Species::Ruber,
    Species::Bulloides,
    Species::Sacculifer,
    Species::Pachyderma,
];

fn species_index(s: Species) -> usize {
    Species::ALL.iter().position(|x| *x == s).expect("in ALL")
}

impl D18oCalibration {
    /// Every calibration, in the order `chronos proxy d18o --list` prints them.
    pub fn all() -> Vec<D18oCalibration> {
        let mut v = vec![
            Self::BemisLowLight,
            Self::BemisHighLight,
            Self::BemisBulloides11,
            Self::BemisBulloides12,
            Self::BemisBulloides13,
            Self::KimONeil,
            Self::Shackleton,
            Self::ONeil,
            Self::ErezLuz,
        ];
        v.extend(MULITZA_SPECIES.map(Self::Mulitza));
        v.push(Self::MulitzaPooled);
        v.push(Self::BayfoxPooled);
        v.extend(Species::ALL.map(Self::BayfoxAnnual));
        v.extend(Species::ALL.map(Self::BayfoxSeasonal));
        v
    }

    /// The command-line name, e.g. `bemis-ll`, `bayfox-annual-ruber`.
    pub fn name(self) -> String {
        match self {
            Self::BemisLowLight => "bemis-ll".into(),
            Self::BemisHighLight => "bemis-hl".into(),
            Self::BemisBulloides11 => "bemis-bulloides-11".into(),
            Self::BemisBulloides12 => "bemis-bulloides-12".into(),
            Self::BemisBulloides13 => "bemis-bulloides-13".into(),
            Self::KimONeil => "kim-oneil".into(),
            Self::Shackleton => "shackleton".into(),
            Self::ONeil => "oneil".into(),
            Self::ErezLuz => "erez-luz".into(),
            Self::Mulitza(s) => format!("mulitza-{}", s.key()),
            Self::MulitzaPooled => "mulitza-pooled".into(),
            Self::BayfoxPooled => "bayfox-pooled".into(),
            Self::BayfoxAnnual(s) => format!("bayfox-annual-{}", s.key()),
            Self::BayfoxSeasonal(s) => format!("bayfox-seasonal-{}", s.key()),
        }
    }

    /// The calibration of a command-line name.
    ///
    /// # Errors
    /// A message naming the text and every calibration.
    pub fn parse(name: &str) -> Result<D18oCalibration, String> {
        Self::all()
            .into_iter()
            .find(|c| c.name() == name.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                let names: Vec<String> = Self::all().iter().map(|c| c.name()).collect();
                format!(
                    "unknown δ18O calibration `{name}`; known: {}",
                    names.join(", ")
                )
            })
    }

    /// Its equation.
    pub fn equation(self) -> PaleoTemperature {
        let bemis = |a, b| PaleoTemperature {
            a,
            b,
            c: 0.0,
            offset: 0.27,
        };
        let bayfox = |p: [f64; 3]| PaleoTemperature::from_linear(p[0], p[1], 0.27);
        match self {
            Self::BemisLowLight => bemis(16.5, -4.80),
            Self::BemisHighLight => bemis(14.9, -4.80),
            Self::BemisBulloides11 => bemis(12.6, -5.07),
            Self::BemisBulloides12 => bemis(13.2, -4.89),
            Self::BemisBulloides13 => bemis(13.6, -4.77),
            Self::KimONeil => PaleoTemperature {
                c: 0.09,
                ..bemis(16.1, -4.64)
            },
            Self::Shackleton => PaleoTemperature {
                offset: 0.20,
                ..bemis(16.9, -4.0)
            },
            Self::ONeil => PaleoTemperature {
                a: 16.9,
                b: -4.38,
                c: 0.10,
                offset: 0.20,
            },
            Self::ErezLuz => PaleoTemperature {
                a: 17.0,
                b: -4.52,
                c: 0.03,
                offset: 0.22,
            },
            Self::Mulitza(s) => match s {
                Species::Ruber => bemis(14.20, -4.44),
                Species::Bulloides => bemis(14.62, -4.70),
                Species::Sacculifer => bemis(14.91, -4.35),
                // Not a variant `all()` lists: N. incompta falls back to N. pachyderma's fit.
                Species::Pachyderma | Species::Incompta => bemis(12.69, -3.55),
            },
            Self::MulitzaPooled => PaleoTemperature {
                c: 0.07,
                ..bemis(14.32, -4.28)
            },
            Self::BayfoxPooled => bayfox(BAYFOX_POOLED),
            Self::BayfoxAnnual(s) => bayfox(BAYFOX_ANNUAL[species_index(s)]),
            Self::BayfoxSeasonal(s) => bayfox(BAYFOX_SEASONAL[species_index(s)]),
        }
    }

    /// The calibration's own error (‰ δc): bayfox's posterior-mean τ; `None` for the
    /// equations published without one.
    pub fn sigma(self) -> Option<f64> {
        match self {
            Self::BayfoxPooled => Some(BAYFOX_POOLED[2]),
            Self::BayfoxAnnual(s) => Some(BAYFOX_ANNUAL[species_index(s)][2]),
            Self::BayfoxSeasonal(s) => Some(BAYFOX_SEASONAL[species_index(s)][2]),
            _ => None,
        }
    }

    /// The reference, for listings.
    pub fn reference(self) -> &'static str {
        match self {
            Self::BemisLowLight | Self::BemisHighLight => {
                "Bemis et al. (1998), Paleoceanography 13, 150-160, Table 1 (O. universa)"
            }
            Self::BemisBulloides11 | Self::BemisBulloides12 | Self::BemisBulloides13 => {
                "Bemis et al. (1998), Paleoceanography 13, 150-160, Table 1 (G. bulloides)"
            }
            Self::KimONeil => {
                "Kim & O'Neil (1997), GCA 61, 3461-3475, in the form of Bemis et al. (1998)"
            }
            Self::Shackleton => "Shackleton (1974), Colloq. Int. CNRS 219, 203-209 (Uvigerina)",
            Self::ONeil => "O'Neil et al. (1969), J. Chem. Phys. 51, 5547-5558, Shackleton's form",
            Self::ErezLuz => "Erez & Luz (1983), GCA 47, 1025-1031 (T. sacculifer)",
            Self::Mulitza(_) => "Mulitza et al. (2003), Palaeo3 202, 143-152",
            Self::MulitzaPooled => {
                "Mulitza et al. (2004), The South Atlantic in the Late Quaternary, 121-142"
            }
            Self::BayfoxPooled | Self::BayfoxAnnual(_) | Self::BayfoxSeasonal(_) => {
                "Malevich et al. (2019), Paleoceanogr. Paleoclimatol. 34, 1292-1315 (bayfox)"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64};
    use crate::proxy::cpu64_vector as t1;
    use burn_autodiff::Autodiff;

    type B = Cpu64;

    #[test]
    fn published_points() {
        // Bemis low light at Δ = 0: 16.5 °C; at δc = 1, δw = 0: Δ = 1.27, T = 10.404 °C.
        let e = D18oCalibration::BemisLowLight.equation();
        let t = to_vec_f64(e.temperature(t1(vec![-0.27, 1.0]), t1(vec![0.0, 0.0])));
        assert!(
            (t[0] - 16.5).abs() < 1e-12 && (t[1] - 10.404).abs() < 1e-12,
            "{t:?}"
        );
        // O'Neil (Shackleton's form) at δc = δw − 0.20 + 1: 16.9 − 4.38 + 0.10.
        let e = D18oCalibration::ONeil.equation();
        let t = to_vec_f64(e.temperature(t1(vec![0.8]), t1(vec![0.0])));
        assert!((t[0] - 12.62).abs() < 1e-12, "{t:?}");
        // bayfox pooled: δc = α + βT + δw − 0.27.
        let e = D18oCalibration::BayfoxPooled.equation();
        let dc = to_vec_f64(e.calcite(t1(vec![20.0]), t1(vec![0.5])));
        assert!((dc[0] - (4.02013 - 0.23073 * 20.0 + 0.5 - 0.27)).abs() < 1e-12);
    }

    #[test]
    fn forward_inverts_temperature_for_every_calibration() {
        let temps: Vec<f64> = (-2..=32).map(|t| t as f64).collect();
        let n = temps.len();
        for cal in D18oCalibration::all() {
            let e = cal.equation();
            let dw = t1(vec![0.3; n]);
            let dc = e.calcite(t1(temps.clone()), dw.clone());
            let back = to_vec_f64(e.temperature(dc, dw));
            for (t, b) in temps.iter().zip(&back) {
                assert!((t - b).abs() < 1e-11, "{}: {t} → {b}", cal.name());
            }
            assert_eq!(D18oCalibration::parse(&cal.name()), Ok(cal));
        }
        let e = D18oCalibration::parse("bemis").unwrap_err();
        assert!(
            e.contains("bemis-ll") && e.contains("bayfox-seasonal-incompta"),
            "{e}"
        );
    }

    #[test]
    fn quadratic_root_is_the_linear_limit_and_warmer_is_lighter() {
        // As c → 0 the forward model tends to the linear one, and δc falls with T.
        let lin = PaleoTemperature {
            c: 0.0,
            ..D18oCalibration::KimONeil.equation()
        };
        let tiny = PaleoTemperature { c: 1e-9, ..lin };
        let t = t1(vec![0.0, 15.0, 30.0]);
        let z = t1(vec![0.0; 3]);
        let a = to_vec_f64(lin.calcite(t.clone(), z.clone()));
        let b = to_vec_f64(tiny.calcite(t.clone(), z.clone()));
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-7, "{x} vs {y}");
        }
        let q = to_vec_f64(D18oCalibration::KimONeil.equation().calcite(t, z));
        assert!(q[0] > q[1] && q[1] > q[2], "{q:?}");
    }

    #[test]
    fn gradients_match_the_analytic_derivative() {
        // ∂δc/∂T = 1/(b + 2cΔ) and ∂δc/∂δw = 1, by autodiff, at cold and warm temperatures.
        type A = Autodiff<B>;
        let d = Default::default();
        let e = D18oCalibration::ONeil.equation();
        let t = Tensor::<A, 1>::from_data([0.0, 28.0], &d).require_grad();
        let w = Tensor::<A, 1>::from_data([0.1, -0.4], &d).require_grad();
        let dc = e.calcite(t.clone(), w.clone());
        let delta = to_vec_f64(dc.clone().inner()) // Δ = δc − δw + o
            .iter()
            .zip([0.1, -0.4])
            .map(|(c, w)| c - w + e.offset)
            .collect::<Vec<_>>();
        let g = dc.sum().backward();
        let gt = to_vec_f64(t.grad(&g).unwrap());
        let gw = to_vec_f64(w.grad(&g).unwrap());
        for k in 0..2 {
            let want = 1.0 / (e.b + 2.0 * e.c * delta[k]);
            assert!((gt[k] - want).abs() < 1e-12, "{} vs {want}", gt[k]);
            assert!((gw[k] - 1.0).abs() < 1e-12);
            assert!(gt[k] < 0.0);
        }
    }
}
