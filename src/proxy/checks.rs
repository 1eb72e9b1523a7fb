//! Proxy values against their calibrations: a record whose value, read back through its
//! calibration, means a temperature outside the range the calibrations were fitted over is
//! kept but counted in a warning (the calibration extrapolates there).
//!
//! The range [`CALIBRATION_RANGE`] is about the SST span of the core-top calibration sets in
//! `models/data/proxies` (Malevich et al. 2019 annual SST 0.05…29.56 °C, BAYSPLINE core tops
//! −0.35…29.56 °C; `tests/suite/proxy_operator.rs` checks it covers both).

use super::mgca::{tex86_temperature, SeawaterChemistry};
use super::operator::SiteOptions;
use super::records::{ProxyKind, ProxyRecord};
use crate::backend::{to_vec_f64, Cpu64};
use burn_tensor::Tensor;

/// The temperature span (°C) of the calibration data (module docs).
pub const CALIBRATION_RANGE: [f64; 2] = [-2.5, 30.5];

/// The records of one proxy kind whose calibrated temperature lies outside
/// [`CALIBRATION_RANGE`].
#[derive(Debug, Clone, PartialEq)]
pub struct RangeWarning {
    /// The proxy.
    pub kind: ProxyKind,
    /// Records outside the range.
    pub outside: usize,
    /// Records of this kind.
    pub total: usize,
    /// The first one: (site, line, temperature °C).
    pub first: (String, usize, f64),
}

impl std::fmt::Display for RangeWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [lo, hi] = CALIBRATION_RANGE;
        write!(
            f,
            "{} of {} {} records mean temperatures outside {lo}…{hi} °C, the calibration data's \
             range (first: `{}`, line {}, {:.1} °C); they are used, with the calibration \
             extrapolated",
            self.outside,
            self.total,
            self.kind.name(),
            self.first.0,
            self.first.1,
            self.first.2
        )
    }
}

/// The calibrated temperature (°C) of every record by `options`' calibrations; δ18O records
/// use `d18o_sw` (‰ VSMOW, one per record; other kinds ignore it), BAYMAG S = 35 g kg⁻¹ and
/// the options' pH, Ω and cleaning.
pub fn temperatures(records: &[ProxyRecord], options: &SiteOptions, d18o_sw: &[f64]) -> Vec<f64> {
    let one = |x: f64| super::cpu64_vector(vec![x]);
    let t = |v: Tensor<Cpu64, 1>| to_vec_f64(v)[0];
    records
        .iter()
        .zip(d18o_sw)
        .map(|(r, &w)| match r.kind {
            ProxyKind::D18o => t(options.d18o.equation().temperature(one(r.value), one(w))),
            ProxyKind::Uk37 => t(options.uk37.temperature(one(r.value))),
            ProxyKind::Tex86 => t(tex86_temperature(one(r.value))),
            ProxyKind::MgCa => {
                let chem = SeawaterChemistry {
                    salinity: one(35.0),
                    ph: one(options.ph),
                    omega: one(options.omega),
                    reductive: one(f64::from(u8::from(options.reductive))),
                };
                t(options.mgca.temperature(one(r.value), Some(&chem)))
            }
        })
        .collect()
}

/// One warning per proxy kind with records outside [`CALIBRATION_RANGE`] (arguments as
/// [`temperatures`]).
pub fn range_warnings(
    records: &[ProxyRecord],
    options: &SiteOptions,
    d18o_sw: &[f64],
) -> Vec<RangeWarning> {
    let temps = temperatures(records, options, d18o_sw);
    let [lo, hi] = CALIBRATION_RANGE;
    let mut out = Vec::new();
    for kind in ProxyKind::ALL {
        let of_kind: Vec<(&ProxyRecord, f64)> = records
            .iter()
            .zip(temps.iter().copied())
            .filter(|(r, _)| r.kind == kind)
            .collect();
        let outside: Vec<&(&ProxyRecord, f64)> = of_kind
            .iter()
            .filter(|(_, t)| !(lo..=hi).contains(t))
            .collect();
        if let Some((r, t)) = outside.first() {
            out.push(RangeWarning {
                kind,
                outside: outside.len(),
                total: of_kind.len(),
                first: (r.site.clone(), r.line, *t),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::{Season, Species};

    #[test]
    fn warm_and_cold_values_are_counted_by_kind() {
        let rec = |kind, value, line| ProxyRecord {
            site: format!("S{line}"),
            lat: 0.0,
            lon: 0.0,
            kind,
            species: (kind == ProxyKind::D18o).then_some(Species::Ruber),
            value,
            sigma: 0.1,
            season: Season::Annual,
            habitat_depth: 0.0,
            age: [0.0, 1.0],
            reference: String::new(),
            line,
        };
        // Pooled bayfox: δc = 4.02 − 0.2307 T + δw − 0.27; δc = −5 means T ≈ 37.9 °C.
        let records = [
            rec(ProxyKind::D18o, -1.0, 2),
            rec(ProxyKind::D18o, -5.0, 3),
            rec(ProxyKind::D18o, 4.5, 4),
            rec(ProxyKind::Uk37, 0.5, 5),
            rec(ProxyKind::Tex86, 0.2, 6),
        ];
        let w = range_warnings(&records, &SiteOptions::default(), &[0.0; 5]);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(
            (w[0].kind, w[0].outside, w[0].total),
            (ProxyKind::D18o, 2, 3)
        );
        assert_eq!(w[0].first.1, 3);
        assert!((w[0].first.2 - 37.9).abs() < 0.1, "{:?}", w[0]);
        // TEX86ᴴ 0.2: 68.4 log₁₀ 0.2 + 38.6 = −9.2 °C.
        assert_eq!((w[1].kind, w[1].outside), (ProxyKind::Tex86, 1));
        let text = w[1].to_string();
        assert!(
            text.contains("1 of 1 tex86 records") && text.contains("line 6"),
            "{text}"
        );
    }
}
