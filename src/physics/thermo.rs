//! Moist thermodynamics shared by the atmosphere and the surfaces.
//!
//! Saturation specific humidity at 1000 hPa after Tetens (1930) in QTCM1's form (`hsat0`,
//! Neelin & Zeng 2000):
//!
//! q_sat(T) = 0.622 e_s(T)/p₀,  e_s = 0.6108 kPa · exp(17.27 T_c/(237.3 + T_c)),
//! p₀ = 100 kPa, T_c = T − 273.15 K,
//!
//! and its derivative ∂q_sat/∂T = q_sat · 17.27 · 237.3/(T_c + 237.3)² (K⁻¹), used for the
//! surfaces' implicit flux derivative λ.
//!
//! Shapes: any (elementwise).

use super::constants::KELVIN;
use burn_tensor::{backend::Backend, Tensor};

/// Saturation specific humidity at 1000 hPa (kg kg⁻¹) of temperature `t` (K), QTCM1's
/// `hsat0`: q_sat = 0.622 · 0.6108 kPa · exp(17.27 T_c/(237.3 + T_c)) / 100 kPa, T_c = T − 273.15.
pub fn qsat_1000(t: f64) -> f64 {
    let tc = t - KELVIN;
    0.622 * 0.6108 * (17.27 * tc / (237.3 + tc)).exp() * 0.01
}

/// [`qsat_1000`] elementwise on a tensor of temperatures (K), any shape.
pub fn qsat<B: Backend, const D: usize>(t: Tensor<B, D>) -> Tensor<B, D> {
    let tc = t - KELVIN;
    (tc.clone() / (tc + 237.3) * 17.27).exp() * (0.622 * 0.6108 * 0.01)
}

/// ∂q_sat/∂T (K⁻¹) of [`qsat`]: q_sat(T) · 17.27 · 237.3/(T_c + 237.3)², elementwise.
pub fn dqsat_dt<B: Backend, const D: usize>(t: Tensor<B, D>) -> Tensor<B, D> {
    let tc = t.clone() - KELVIN;
    qsat(t) * 17.27 * 237.3 / (tc + 237.3).powi_scalar(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{tensor_from_vec, to_vec_f64, Cpu64};

    #[test]
    fn derivative_matches_a_centred_difference() {
        let dev = Default::default();
        for t in [240.0, 273.15, 300.0] {
            let d = to_vec_f64(dqsat_dt(tensor_from_vec::<Cpu64, 1>(vec![t], [1], &dev)))[0];
            let h = 1e-3;
            let fd = (qsat_1000(t + h) - qsat_1000(t - h)) / (2.0 * h);
            assert!((d / fd - 1.0).abs() < 1e-7, "T = {t}: {d} vs {fd}");
        }
    }

    #[test]
    fn tensor_and_scalar_forms_agree() {
        let dev = Default::default();
        let q = to_vec_f64(qsat(tensor_from_vec::<Cpu64, 1>(vec![288.0], [1], &dev)))[0];
        assert!((q / qsat_1000(288.0) - 1.0).abs() < 1e-14);
        // 15 °C at 1000 hPa: e_s = 1.704 kPa, q_sat ≈ 10.6 g/kg.
        assert!((q - 0.0106).abs() < 1e-4, "{q}");
    }
}
