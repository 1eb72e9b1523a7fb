//! The proxy part of the assimilation cost and its error model,
//!
//!   J_obs = ½ Σᵢ fᵢ ((Hᵢ − yᵢ)/σᵢ)²,
//!   σᵢ² = σ_meas,i² + σ_cal² + σ_rep² + (∂Hᵢ/∂δw)² σ_δw²,
//!
//! with yᵢ the record's value, Hᵢ its model equivalent ([`super::operator`]), fᵢ = 1 for
//! fitted and 0 for withheld records, σ_meas,i the record's own σ (the proxy file's column),
//! σ_cal the calibration's residual σ (bayfox τ, BAYSPLINE √τ², BAYMAG σ; a stated value for
//! the classical equations, which publish none), σ_rep the representativeness error of a
//! coarse-grid cell mean against one core, and σ_δw the error of the prescribed seawater
//! δ18O. ∂H/∂δw is 1 for calcite δ18O (δc = Δ(T) + δw − o, and the month weights do not
//! depend on δw) and 0 for the other proxies. The floor this sets is what a perfect ocean
//! scores (models/data/proxies/README.md): the target of an assimilation is χ²/N ≈ 1, not 0.
//!
//! [`checkerboard`] splits sites into the two halves of a 20° checkerboard, for fitting one
//! half and scoring the other.

use super::operator::SiteOptions;
use super::records::{ProxyKind, ProxyRecord};
use crate::backend::tensor_from_vec;
use burn_tensor::{backend::Backend, Tensor};

/// The error terms besides each record's own σ (module docs), in the proxies' units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorModel {
    /// σ_rep per kind, in [`ProxyKind::ALL`] order.
    pub representativeness: [f64; 4],
    /// σ_cal per kind for calibrations that publish none.
    pub calibration_fallback: [f64; 4],
    /// σ_δw (‰).
    pub d18o_sw: f64,
}

impl Default for ErrorModel {
    /// σ_rep 0.3 ‰ (δ18O), 0.03 (UK'37), 0.5 mmol mol⁻¹ (Mg/Ca), 0.03 (TEX86): about 1–1.5 °C
    /// of SST; fallback σ_cal 0.25 ‰, 0.05, 0.6 mmol mol⁻¹, 0.04 (≈ 1–2.5 °C); σ_δw 0.2 ‰.
    /// These are stated starting values, not fitted: experiments set their own.
    fn default() -> Self {
        ErrorModel {
            representativeness: [0.3, 0.03, 0.5, 0.03],
            calibration_fallback: [0.25, 0.05, 0.6, 0.04],
            d18o_sw: 0.2,
        }
    }
}

fn kind_index(kind: ProxyKind) -> usize {
    ProxyKind::ALL.iter().position(|&k| k == kind).unwrap_or(0)
}

/// σ_cal of a record's calibration in `options`.
fn calibration_sigma(kind: ProxyKind, options: &SiteOptions, errors: &ErrorModel) -> f64 {
    let published = match kind {
        ProxyKind::D18o => options.d18o.sigma(),
        ProxyKind::Uk37 => options.uk37.sigma(),
        ProxyKind::MgCa => options.mgca.sigma(),
        ProxyKind::Tex86 => None,
    };
    published.unwrap_or(errors.calibration_fallback[kind_index(kind)])
}

/// σᵢ of every record (module docs).
pub fn total_sigma(
    records: &[ProxyRecord],
    options: &SiteOptions,
    errors: &ErrorModel,
) -> Vec<f64> {
    records
        .iter()
        .map(|r| {
            let k = kind_index(r.kind);
            let dw = if r.kind == ProxyKind::D18o {
                errors.d18o_sw
            } else {
                0.0
            };
            let cal = calibration_sigma(r.kind, options, errors);
            (r.sigma.powi(2) + cal.powi(2) + errors.representativeness[k].powi(2) + dw.powi(2))
                .sqrt()
        })
        .collect()
}

/// Whether (lat, lon) lies in the "even" squares of a checkerboard of `size`° squares
/// (⌊lat/size⌋ + ⌊lon/size⌋ even, lon in 0…360).
pub fn checkerboard(lat: f64, lon: f64, size: f64) -> bool {
    let s = (lat / size).floor() as i64 + (lon.rem_euclid(360.0) / size).floor() as i64;
    s.rem_euclid(2) == 0
}

/// J_obs over a fixed set of records (module docs).
#[derive(Debug, Clone)]
pub struct ProxyCost<B: Backend> {
    /// yᵢ, `[n]`.
    pub observed: Tensor<B, 1>,
    /// σᵢ (host).
    pub sigma: Vec<f64>,
    /// fᵢ (host).
    pub fitted: Vec<bool>,
    /// fᵢ/σᵢ, `[n]`.
    weight: Tensor<B, 1>,
}

impl<B: Backend> ProxyCost<B> {
    /// The cost of `records` with σᵢ by `options` and `errors`; `fitted[i]` false withholds
    /// record i (it is scored, not fitted).
    pub fn new(
        records: &[ProxyRecord],
        options: &SiteOptions,
        errors: &ErrorModel,
        fitted: Vec<bool>,
        device: &B::Device,
    ) -> Self {
        let n = records.len();
        let sigma = total_sigma(records, options, errors);
        let w = sigma
            .iter()
            .zip(&fitted)
            .map(|(s, &f)| f64::from(u8::from(f)) / s)
            .collect();
        ProxyCost {
            observed: tensor_from_vec(records.iter().map(|r| r.value).collect(), [n], device),
            weight: tensor_from_vec(w, [n], device),
            sigma,
            fitted,
        }
    }

    /// J_obs = ½ Σ fᵢ ((Hᵢ − yᵢ)/σᵢ)² of equivalents `h` `[n]`, `[1]`.
    pub fn observation(&self, h: Tensor<B, 1>) -> Tensor<B, 1> {
        ((h - self.observed.clone()) * self.weight.clone())
            .powi_scalar(2)
            .sum()
            * 0.5
    }

    /// χ²/N of the fitted (`fitted = true`) or withheld records at host equivalents `h`.
    pub fn chi2_per_record(&self, h: &[f64], observed: &[f64], fitted: bool) -> f64 {
        let terms: Vec<f64> = (0..h.len())
            .filter(|&i| self.fitted[i] == fitted)
            .map(|i| ((h[i] - observed[i]) / self.sigma[i]).powi(2))
            .collect();
        terms.iter().sum::<f64>() / terms.len().max(1) as f64
    }
}

/// The prior term ½ |u′|² of controls `u_scaled` already divided by their prior σ, `[1]`.
pub fn prior<B: Backend>(u_scaled: Tensor<B, 1>) -> Tensor<B, 1> {
    u_scaled.powi_scalar(2).sum() * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64, Cpu64Autodiff};
    use crate::proxy::{Season, Species};

    fn rec(kind: ProxyKind, value: f64, sigma: f64) -> ProxyRecord {
        ProxyRecord {
            site: "A".into(),
            lat: 0.0,
            lon: 0.0,
            kind,
            species: (kind == ProxyKind::D18o).then_some(Species::Ruber),
            value,
            sigma,
            season: Season::Annual,
            habitat_depth: 0.0,
            age: [0.0, 1.0],
            reference: String::new(),
            line: 2,
        }
    }

    #[test]
    fn sigma_sums_the_error_terms_and_the_cost_is_the_weighted_square() {
        let opts = SiteOptions::default();
        let e = ErrorModel::default();
        let recs = [
            rec(ProxyKind::D18o, 1.0, 0.1),
            rec(ProxyKind::Tex86, 0.6, 0.02),
            rec(ProxyKind::Uk37, 0.5, 0.01),
        ];
        let s = total_sigma(&recs, &opts, &e);
        let tau = opts.d18o.sigma().unwrap();
        assert!((s[0] - (0.01 + tau * tau + 0.09 + 0.04f64).sqrt()).abs() < 1e-12);
        assert!((s[1] - (0.0004f64 + 0.0016 + 0.0009).sqrt()).abs() < 1e-12);
        let d = Default::default();
        let cost = ProxyCost::<Cpu64Autodiff>::new(&recs, &opts, &e, vec![true, true, false], &d);
        let h = tensor_from_vec::<Cpu64Autodiff, 1>(vec![1.5, 0.6, 0.9], [3], &d).require_grad();
        let j = cost.observation(h.clone());
        let want = 0.5 * (0.5 / s[0]).powi(2);
        assert!((to_vec_f64(j.clone())[0] - want).abs() < 1e-12);
        // ∂J/∂H = f (H − y)/σ²: the withheld record gets none.
        let g = to_vec_f64(h.grad(&j.backward()).unwrap());
        assert!(
            (g[0] - 0.5 / (s[0] * s[0])).abs() < 1e-12 && g[1] == 0.0 && g[2] == 0.0,
            "{g:?}"
        );
        let host = ProxyCost::<Cpu64>::new(&recs, &opts, &e, vec![true, true, false], &d);
        let chi = host.chi2_per_record(&[1.5, 0.6, 0.9], &[1.0, 0.6, 0.5], false);
        assert!((chi - (0.4 / s[2]).powi(2)).abs() < 1e-12);
        let p = to_vec_f64(prior(tensor_from_vec::<Cpu64, 1>(vec![1.0, -2.0], [2], &d)));
        assert_eq!(p, vec![2.5]);
    }

    #[test]
    fn checkerboard_alternates_every_twenty_degrees() {
        assert!(checkerboard(5.0, 5.0, 20.0));
        assert!(!checkerboard(25.0, 5.0, 20.0));
        assert!(!checkerboard(5.0, -15.0, 20.0));
        assert!(checkerboard(-5.0, -15.0, 20.0));
        assert!(checkerboard(5.0, 345.0, 20.0) == checkerboard(5.0, -15.0, 20.0));
    }
}
