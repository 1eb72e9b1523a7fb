//! Foraminiferal Mg/Ca (mmol mol⁻¹) against temperature, and the GDGT index TEX86.
//!
//! - **Anand et al. (2003)**, all planktic species (sediment-trap calibration, their eq. for
//!   the multi-species fit): Mg/Ca = 0.38 exp(0.09 T), T in °C.
//! - **BAYMAG pooled** (Tierney et al. 2019, annual SST, posterior means of
//!   models/data/proxies/calibration_params.csv, row `baymag_pooled`):
//!
//!   ln(Mg/Ca) = α + β_T T + β_S S + β_pH pH + β_Ω Ω⁻² + (1 − β_C C),
//!
//!   S the salinity (g kg⁻¹ ≈ PSU), pH the surface-water pH, Ω the bottom-water calcite
//!   saturation state and C = 1 for reductive, 0 for oxidative cleaning (the form and term
//!   order of the baymag code, where the constant 1 of the cleaning term is part of the
//!   fit); its error σ = 0.206 in ln(Mg/Ca). α and β_pH are strongly correlated and are
//!   used together.
//! - **TEX86ᴴ** (Kim et al. 2010): T = 68.4 log₁₀(TEX86) + 38.6, so
//!   TEX86 = 10^((T − 38.6)/68.4).
//!
//! Each inverse is exact. Shapes: any (elementwise).
//!
//! # References
//! - Anand, P., Elderfield, H., Conte, M. H. (2003), Paleoceanography 18, 1050.
//! - Tierney, J. E., Malevich, S. B., Gray, W., Vetter, L., Thirumalai, K. (2019),
//!   Paleoceanogr. Paleoclimatol. 34, 2005–2030 (BAYMAG).
//! - Kim, J.-H., van der Meer, J., Schouten, S., et al. (2010), Geochim. Cosmochim. Acta 74,
//!   4639–4654 (TEX86ᴴ).

use burn_tensor::{backend::Backend, Tensor};

/// BAYMAG pooled (annual) posterior means: α, β_T, β_S, β_pH, β_Ω, β_C, σ.
pub const BAYMAG_POOLED: [f64; 7] = [
    2.34109, 0.06465, 0.04531, -0.62014, -0.26731, 0.16784, 0.20603,
];

/// What BAYMAG needs besides temperature, each the shape of the temperature.
#[derive(Debug, Clone)]
pub struct SeawaterChemistry<B: Backend, const D: usize> {
    /// Salinity S (g kg⁻¹).
    pub salinity: Tensor<B, D>,
    /// Surface-water pH.
    pub ph: Tensor<B, D>,
    /// Bottom-water calcite saturation state Ω.
    pub omega: Tensor<B, D>,
    /// Cleaning C: 1 reductive, 0 oxidative.
    pub reductive: Tensor<B, D>,
}

/// A Mg/Ca calibration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MgCaCalibration {
    /// Anand et al. (2003): Mg/Ca = 0.38 exp(0.09 T).
    Anand2003,
    /// BAYMAG pooled, annual (module docs).
    BaymagPooled,
}

impl MgCaCalibration {
    /// Every calibration.
    pub const ALL: [MgCaCalibration; 2] = [Self::Anand2003, Self::BaymagPooled];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Anand2003 => "anand2003",
            Self::BaymagPooled => "baymag-pooled",
        }
    }

    /// The calibration of a command-line name.
    ///
    /// # Errors
    /// A message naming the text and the calibrations.
    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.name() == name.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!("unknown Mg/Ca calibration `{name}`; known: anand2003, baymag-pooled")
            })
    }

    /// The reference, for listings.
    pub fn reference(self) -> &'static str {
        match self {
            Self::Anand2003 => "Anand et al. (2003), Paleoceanography 18, 1050",
            Self::BaymagPooled => {
                "Tierney et al. (2019), Paleoceanogr. Paleoclimatol. 34, 2005-2030 (BAYMAG)"
            }
        }
    }

    /// The calibration's error in ln(Mg/Ca), where it has one (BAYMAG's σ).
    pub fn sigma(self) -> Option<f64> {
        match self {
            Self::Anand2003 => None,
            Self::BaymagPooled => Some(BAYMAG_POOLED[6]),
        }
    }

    /// ln(Mg/Ca) minus its temperature term: ln 0.38, or BAYMAG's non-temperature terms.
    fn intercept<B: Backend, const D: usize>(
        self,
        like: &Tensor<B, D>,
        chem: Option<&SeawaterChemistry<B, D>>,
    ) -> Tensor<B, D> {
        let [alpha, _, bs, bp, bo, bc, _] = BAYMAG_POOLED;
        match (self, chem) {
            (Self::Anand2003, _) => like.zeros_like() + 0.38f64.ln(),
            (Self::BaymagPooled, Some(c)) => {
                c.salinity.clone() * bs
                    + c.ph.clone() * bp
                    + c.omega.clone().powi_scalar(-2) * bo
                    + (c.reductive.clone() * (-bc) + 1.0)
                    + alpha
            }
            (Self::BaymagPooled, None) => {
                panic!("BAYMAG needs salinity, pH, Ω and the cleaning (SeawaterChemistry)")
            }
        }
    }

    /// The temperature coefficient (ln(Mg/Ca) per °C).
    fn beta(self) -> f64 {
        match self {
            Self::Anand2003 => 0.09,
            Self::BaymagPooled => BAYMAG_POOLED[1],
        }
    }

    /// Mg/Ca (mmol mol⁻¹) at temperature `t` (°C); BAYMAG needs `chem`.
    ///
    /// # Panics
    /// BAYMAG without `chem`.
    pub fn mgca<B: Backend, const D: usize>(
        self,
        t: Tensor<B, D>,
        chem: Option<&SeawaterChemistry<B, D>>,
    ) -> Tensor<B, D> {
        (self.intercept(&t, chem) + t * self.beta()).exp()
    }

    /// Temperature (°C) of Mg/Ca `mgca` (mmol mol⁻¹): (ln Mg/Ca − intercept)/β.
    ///
    /// # Panics
    /// BAYMAG without `chem`.
    pub fn temperature<B: Backend, const D: usize>(
        self,
        mgca: Tensor<B, D>,
        chem: Option<&SeawaterChemistry<B, D>>,
    ) -> Tensor<B, D> {
        (mgca.clone().log() - self.intercept(&mgca, chem)) / self.beta()
    }
}

/// TEX86 of temperature `t` (°C) by TEX86ᴴ (Kim et al. 2010): 10^((T − 38.6)/68.4).
pub fn tex86<B: Backend, const D: usize>(t: Tensor<B, D>) -> Tensor<B, D> {
    ((t - 38.6) * (std::f64::consts::LN_10 / 68.4)).exp()
}

/// Temperature (°C) of TEX86 `x` by TEX86ᴴ: 68.4 log₁₀(TEX86) + 38.6.
pub fn tex86_temperature<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    x.log() * (68.4 / std::f64::consts::LN_10) + 38.6
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::to_vec_f64;
    use crate::proxy::cpu64_vector as t1;

    #[test]
    fn published_points_and_exact_inverses() {
        let a = to_vec_f64(MgCaCalibration::Anand2003.mgca(t1(vec![0.0, 20.0]), None));
        assert!((a[0] - 0.38).abs() < 1e-14 && (a[1] - 0.38 * 1.8f64.exp()).abs() < 1e-12);
        let x = to_vec_f64(tex86(t1(vec![38.6, 38.6 - 68.4])));
        assert!(
            (x[0] - 1.0).abs() < 1e-14 && (x[1] - 0.1).abs() < 1e-14,
            "{x:?}"
        );
        let ts = vec![-1.0, 5.0, 18.0, 29.0];
        let chem = SeawaterChemistry {
            salinity: t1(vec![35.0, 34.0, 36.5, 35.2]),
            ph: t1(vec![8.05; 4]),
            omega: t1(vec![3.0, 4.0, 5.0, 2.5]),
            reductive: t1(vec![0.0, 1.0, 0.0, 1.0]),
        };
        for c in MgCaCalibration::ALL {
            let chem = Some(&chem);
            let back = to_vec_f64(c.temperature(c.mgca(t1(ts.clone()), chem), chem));
            for (t, b) in ts.iter().zip(&back) {
                assert!((t - b).abs() < 1e-11, "{}: {t} → {b}", c.name());
            }
            assert_eq!(MgCaCalibration::parse(c.name()), Ok(c));
        }
        let back = to_vec_f64(tex86_temperature(tex86(t1(ts.clone()))));
        for (t, b) in ts.iter().zip(&back) {
            assert!((t - b).abs() < 1e-11);
        }
    }

    #[test]
    fn baymag_pooled_gives_a_realistic_value_and_reductive_cleaning_lowers_it() {
        // 25 °C, S = 35, pH 8.05, Ω = 4: about 4.6 mmol/mol (core-top G. ruber range);
        // reductive cleaning lowers it by the factor exp(−β_C).
        let chem = |c: f64| SeawaterChemistry {
            salinity: t1(vec![35.0]),
            ph: t1(vec![8.05]),
            omega: t1(vec![4.0]),
            reductive: t1(vec![c]),
        };
        let m =
            |c| to_vec_f64(MgCaCalibration::BaymagPooled.mgca(t1(vec![25.0]), Some(&chem(c))))[0];
        let (ox, red) = (m(0.0), m(1.0));
        assert!((3.0..7.0).contains(&ox), "{ox}");
        assert!((red / ox - (-BAYMAG_POOLED[5]).exp()).abs() < 1e-12);
    }
}
