//! The `chronos proxy` calculator: one proxy value to a temperature, or a temperature to the
//! proxy value, by a named calibration, through the same tensor code the assimilation uses
//! (on `cpu64`, one-element tensors).

use super::{tex86, tex86_temperature, D18oCalibration, MgCaCalibration, SeawaterChemistry};
use super::{Species, Uk37Calibration};
use crate::backend::{to_vec_f64, Cpu64};
use burn_tensor::Tensor;

/// What the user gave: the proxy value (to get a temperature) or a temperature (°C).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Given {
    /// The proxy value in its native units.
    Value(f64),
    /// Temperature (°C).
    Temperature(f64),
}

/// A calculation's answer: the line to print and warnings for standard error.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The result, e.g. `T = 10.404 °C`.
    pub line: String,
    /// Warnings (e.g. outside the calibration's data).
    pub warnings: Vec<String>,
}

fn one(x: f64) -> Tensor<Cpu64, 1> {
    super::cpu64_vector(vec![x])
}

fn scalar(t: Tensor<Cpu64, 1>) -> f64 {
    to_vec_f64(t)[0]
}

/// A warning when a temperature lies outside the ocean's range (−2…40 °C).
fn ocean_range(t: f64, warnings: &mut Vec<String>) {
    if !(-2.0..=40.0).contains(&t) {
        warnings.push(format!(
            "{t:.2} °C is outside the ocean's −2…40 °C: the input lies beyond any calibration's data"
        ));
    }
}

/// δ18O of calcite: temperature from δc (‰ VPDB), or δc from temperature, with seawater
/// δ18O `d18o_sw` (‰ VSMOW), by calibration `name` ([`D18oCalibration::parse`]).
///
/// # Errors
/// An unknown calibration, or a non-finite input.
pub fn d18o(name: &str, given: Given, d18o_sw: f64) -> Result<Answer, String> {
    let cal = D18oCalibration::parse(name)?;
    finite(&[given_value(given), d18o_sw])?;
    let e = cal.equation();
    let mut warnings = Vec::new();
    let line = match given {
        Given::Value(dc) => {
            let t = scalar(e.temperature(one(dc), one(d18o_sw)));
            ocean_range(t, &mut warnings);
            format!(
                "T = {t:.3} °C  (δc = {dc} ‰ VPDB, δw = {d18o_sw} ‰ VSMOW; {})",
                cal.name()
            )
        }
        Given::Temperature(t) => {
            ocean_range(t, &mut warnings);
            let dc = scalar(e.calcite(one(t), one(d18o_sw)));
            format!(
                "δc = {dc:.3} ‰ VPDB  (T = {t} °C, δw = {d18o_sw} ‰ VSMOW; {})",
                cal.name()
            )
        }
    };
    Ok(Answer { line, warnings })
}

/// UK'37: temperature from the index, or the index from temperature.
///
/// # Errors
/// An unknown calibration, or a non-finite input.
pub fn uk37(name: &str, given: Given) -> Result<Answer, String> {
    let cal = Uk37Calibration::parse(name)?;
    finite(&[given_value(given)])?;
    let mut warnings = Vec::new();
    let line = match given {
        Given::Value(uk) => {
            if !(0.0..=1.0).contains(&uk) {
                warnings.push(format!("UK'37 = {uk} is outside 0…1, the index's range"));
            }
            let t = scalar(cal.temperature(one(uk)));
            ocean_range(t, &mut warnings);
            format!("T = {t:.3} °C  (UK'37 = {uk}; {})", cal.name())
        }
        Given::Temperature(t) => {
            ocean_range(t, &mut warnings);
            format!(
                "UK'37 = {:.4}  (T = {t} °C; {})",
                scalar(cal.uk37(one(t))),
                cal.name()
            )
        }
    };
    Ok(Answer { line, warnings })
}

/// Mg/Ca (mmol mol⁻¹): temperature from Mg/Ca, or Mg/Ca from temperature. BAYMAG needs
/// `chem` = [salinity (g kg⁻¹), pH, Ω, reductive (1) or oxidative (0)].
///
/// # Errors
/// An unknown calibration, BAYMAG without `chem`, Mg/Ca ≤ 0 or a non-finite input.
pub fn mgca(name: &str, given: Given, chem: Option<[f64; 4]>) -> Result<Answer, String> {
    let cal = MgCaCalibration::parse(name)?;
    finite(&[given_value(given)])?;
    if cal == MgCaCalibration::BaymagPooled && chem.is_none() {
        return Err(
            "baymag-pooled needs --salinity, --ph and --omega (and --reductive for \
                    reductively cleaned samples)"
                .into(),
        );
    }
    let chem = chem.map(|c| SeawaterChemistry {
        salinity: one(c[0]),
        ph: one(c[1]),
        omega: one(c[2]),
        reductive: one(c[3]),
    });
    let mut warnings = Vec::new();
    let line = match given {
        Given::Value(m) => {
            if m <= 0.0 {
                return Err(format!("Mg/Ca = {m} mmol/mol: a ratio must be positive"));
            }
            let t = scalar(cal.temperature(one(m), chem.as_ref()));
            ocean_range(t, &mut warnings);
            format!("T = {t:.3} °C  (Mg/Ca = {m} mmol/mol; {})", cal.name())
        }
        Given::Temperature(t) => {
            ocean_range(t, &mut warnings);
            let m = scalar(cal.mgca(one(t), chem.as_ref()));
            format!("Mg/Ca = {m:.4} mmol/mol  (T = {t} °C; {})", cal.name())
        }
    };
    Ok(Answer { line, warnings })
}

/// TEX86 by TEX86ᴴ: temperature from the index, or the index from temperature.
///
/// # Errors
/// TEX86 ≤ 0 or a non-finite input.
pub fn tex86_calc(given: Given) -> Result<Answer, String> {
    finite(&[given_value(given)])?;
    let mut warnings = Vec::new();
    let line = match given {
        Given::Value(x) => {
            if x <= 0.0 {
                return Err(format!("TEX86 = {x}: the index must be positive"));
            }
            let t = scalar(tex86_temperature(one(x)));
            ocean_range(t, &mut warnings);
            format!("T = {t:.3} °C  (TEX86 = {x}; tex86h, Kim et al. 2010)")
        }
        Given::Temperature(t) => {
            ocean_range(t, &mut warnings);
            format!(
                "TEX86 = {:.4}  (T = {t} °C; tex86h, Kim et al. 2010)",
                scalar(tex86(one(t)))
            )
        }
    };
    Ok(Answer { line, warnings })
}

fn given_value(g: Given) -> f64 {
    match g {
        Given::Value(x) | Given::Temperature(x) => x,
    }
}

fn finite(xs: &[f64]) -> Result<(), String> {
    match xs.iter().find(|x| !x.is_finite()) {
        Some(x) => Err(format!("{x} is not a finite number")),
        None => Ok(()),
    }
}

/// Every calibration of `proxy` (`d18o`, `uk37`, `mgca`, `tex86`) with its equation's source.
pub fn list(proxy: &str) -> String {
    let mut out = String::new();
    let mut row = |name: String, sigma: Option<f64>, reference: &str| {
        let s = sigma.map(|s| format!("  σ = {s}")).unwrap_or_default();
        out.push_str(&format!("{name:28} {reference}{s}\n"));
    };
    match proxy {
        "d18o" => {
            for c in D18oCalibration::all() {
                let e = c.equation();
                let eq = format!(
                    "T = {} {:+} Δ {:+} Δ², Δ = δc − (δw − {})",
                    e.a, e.b, e.c, e.offset
                );
                row(c.name(), c.sigma(), &format!("{eq}; {}", c.reference()));
            }
        }
        "uk37" => Uk37Calibration::ALL
            .into_iter()
            .for_each(|c| row(c.name().into(), c.sigma(), c.reference())),
        "mgca" => MgCaCalibration::ALL
            .into_iter()
            .for_each(|c| row(c.name().into(), c.sigma(), c.reference())),
        _ => row(
            "tex86h".into(),
            None,
            "T = 68.4 log10(TEX86) + 38.6; Kim et al. (2010), GCA 74, 4639-4654",
        ),
    }
    let species: Vec<&str> = Species::ALL.iter().map(|s| s.key()).collect();
    if proxy == "d18o" {
        out.push_str(&format!("(species keys: {})\n", species.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_examples_and_clear_errors() {
        let a = d18o("bemis-ll", Given::Value(1.0), 0.0).unwrap();
        assert!(a.line.starts_with("T = 10.404 °C"), "{}", a.line);
        let a = d18o("bemis-ll", Given::Temperature(20.0), 0.0).unwrap();
        // δc = (20 − 16.5)/(−4.80) − 0.27 = −0.999…
        assert!(a.line.starts_with("δc = -0.999 ‰ VPDB"), "{}", a.line);
        assert!(a.warnings.is_empty());
        let e = d18o("bemis", Given::Value(1.0), 0.0).unwrap_err();
        assert!(e.contains("unknown δ18O calibration `bemis`"), "{e}");
        let a = uk37("mueller1998", Given::Temperature(20.0)).unwrap();
        assert!(a.line.starts_with("UK'37 = 0.7040"), "{}", a.line);
        let a = uk37("bayspline", Given::Value(1.2)).unwrap();
        assert_eq!(a.warnings.len(), 2, "{a:?}");
        let a = mgca("anand2003", Given::Temperature(0.0), None).unwrap();
        assert!(a.line.starts_with("Mg/Ca = 0.3800"), "{}", a.line);
        assert!(mgca("baymag-pooled", Given::Value(3.0), None).is_err());
        assert!(mgca("anand2003", Given::Value(-1.0), None).is_err());
        let a = tex86_calc(Given::Value(0.1)).unwrap();
        assert!(
            a.line.starts_with("T = -29.800 °C") && a.warnings.len() == 1,
            "{a:?}"
        );
        assert!(d18o("bemis-ll", Given::Value(f64::NAN), 0.0).is_err());
        let l = list("d18o");
        assert!(
            l.contains("bemis-ll") && l.contains("bayfox-seasonal-ruber"),
            "{l}"
        );
        assert!(list("uk37").contains("bayspline") && list("mgca").contains("anand2003"));
    }
}
