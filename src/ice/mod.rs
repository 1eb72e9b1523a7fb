//! Thermodynamic sea ice: Semtner's (1976) zero-layer model with snow, leads and an exact
//! energy, water and salt exchange with the ocean.
//!
//! **State** per cell (on the ocean grid, each `[1, ny, nx]`): ice concentration c (1), ice
//! volume V = c h (m per unit cell area), snow volume V_s = c h_s (m of snow per unit cell
//! area) and the surface temperature Tₛ (K) of the ice-covered part. The ice has no heat
//! capacity ("zero layers"): its enthalpy is that of its frozen water only,
//!
//! ℋ = −L_f (ρ_i V + ρ_s V_s)   (J m⁻², relative to liquid water at 0 °C).
//!
//! **Surface.** The coupler hands over, per unit ice area and averaged over the step, the net
//! upward heat flux F̄ = σTₛ⁴ + H + L_s E − (1 − α)F_SW↓ − F_LW↓ − L_f S at the state's
//! Tₛ = T⁰ (sublimation E pays L_s = L_v + L_f; snowfall S freezes at the surface and
//! releases L_f there, since the atmosphere delivers precipitation as liquid) and its
//! derivative B = ∂F/∂Tₛ, so F(T) = F̄ + B (T − T⁰). Heat is conducted through ice and snow
//! in series from the base at the freezing point T_f,
//!
//! F_c = (T_f − Tₛ)/R,   R = h/k_i + h_s/k_s   (Semtner 1976, eq. 2 with zero layers),
//!
//! and the surface balances F(Tₛ) = F_c, unless that needs Tₛ > T_m = 0 °C: then Tₛ = T_m,
//! the ice is isothermal at the melting point (no conduction; with a fixed T_f the
//! zero-layer conduction (T_f − T_m)/R would only move melt from the top to the base and
//! diverge for thin ice) and the surface's heat gain −F melts snow, then ice, from the top.
//!
//! **Base.** ρ_i L_f dh/dt = F_c − F_o with the ocean's heat flux into the ice
//! F_o = ρ₀ c_p c_h u* (T − T_f) (McPhee 1992; [`SeaIceModel::ocean_heat_flux`]).
//!
//! **Time step** (any length: a coupling interval of an hour or of a day). Thickness and
//! surface temperature are implicit: with Tₛ eliminated, h⁺ solves
//! (ρ_i L_f/Δt)(h⁺ − h)(p + q h⁺) = g − F_o (p + q h⁺), a quadratic with one positive root
//! ([`growth_root`]), where (p, q, g) = (1 + B R_s, B/k_i, F(T_f)) and R_s = h_s/k_s (a
//! melting surface: ρ_i L_f (h⁺ − h) = −F_o Δt). The step is unconditionally stable, has the equilibrium h_eq = k_i(T_f − Tₛ)/F_o exactly and reduces to Stefan's law
//! h² − h₀² = 2k_iΔT t/(ρ_i L_f) without ocean heat. The ice loses F(Tₛ⁺) at its top, the
//! implicit flux; a coupler that gave the atmosphere F̄ during the step owes it
//! B(Tₛ⁺ − T⁰) per unit ice area ([`IceOceanExchange::surface_flux`]).
//!
//! **Snow** accumulates from S, loses sublimation first (then ice) and melts first; snow
//! beyond hydrostatic freeboard, ρ_s h_s > (ρ₀ − ρ_i) h, floods and becomes ice (taking the
//! ice salinity from the ocean). Where all ice melts the remaining heat warms the ocean.
//!
//! **Leads** (Hibler 1979, eq. 16): open water freezes as new ice of thickness h₀. The frazil
//! volume ΔV_f = Q_frazil/(ρ_i L_f) that the ocean reports (per unit cell area) is the open
//! water's growth f₀Δt(1 − c), so ∂c/∂t = (1 − c)f₀/h₀ integrated over the step gives
//! c⁺ = 1 − (1 − c) exp(−ΔV_f/((1 − c)h₀)) (c stays below 1); melting opens leads, c ∝ √h
//! (Hibler's c/(2h) dh, integrated).
//!
//! **Exchange with the ocean** (per unit cell area, [`IceOceanExchange`]): the heat the ice
//! took from the ocean closes the ice's energy budget,
//! Q_oi Δt = Δℋ + c Δt (F(Tₛ⁺) + L_f(S − E)) + Q_frazil (the ocean already gained the frazil
//! heat), which is c F_o Δt unless the ice vanished; freshwater c(S − E) − Δ(ρ_iV + ρ_sV_s)/Δt;
//! salt −S_i ρ_i ΔV/Δt. Ocean + ice salt and the energy and water of atmosphere, ice and
//! ocean are then conserved exactly (tests/suite/sea_ice.rs).
//!
//! **Albedo** α = α_i + (α_s − α_i) h_s/(h_s + d); α_i is a tensor parameter (autodiff).
//!
//! # References
//! Semtner, A. J. (1976), J. Phys. Oceanogr. 6, 379–389; Hibler, W. D. (1979), J. Phys.
//! Oceanogr. 9, 815–846; Maykut, G. A. & Untersteiner, N. (1971), J. Geophys. Res. 76,
//! 1550–1575; McPhee, M. G. (1992), J. Geophys. Res. 97, 5365–5379; Stefan, J. (1891),
//! Ann. Phys. 278, 269–286.

use crate::backend::tensor_from_vec;
use crate::config::model::SeaIceConfig;
use crate::physics::constants::{CP_SEAWATER, LATENT_HEAT_FUSION, MELTING_POINT, RHO0};
use burn_tensor::{backend::Backend, Tensor};

pub mod variables;

/// Density of sea water under the ice for the freeboard, the ocean's ρ₀ (kg m⁻³).
const SEAWATER_DENSITY: f64 = RHO0;

/// The sea-ice model: constants and the fitted albedo parameter.
#[derive(Debug, Clone)]
pub struct SeaIceModel<B: Backend> {
    /// The `[sea_ice]` settings.
    pub params: SeaIceConfig,
    /// Albedo of bare ice α_i (1), `[1]`: a parameter that assimilation may fit.
    pub albedo_ice: Tensor<B, 1>,
}

/// The prognostic sea-ice state, each `[1, ny, nx]` on the ocean grid.
#[derive(Debug, Clone)]
pub struct SeaIceState<B: Backend> {
    /// Ice concentration c (1).
    pub concentration: Tensor<B, 3>,
    /// Ice volume per unit cell area V = c h (m).
    pub volume: Tensor<B, 3>,
    /// Snow volume per unit cell area V_s = c h_s (m).
    pub snow_volume: Tensor<B, 3>,
    /// Surface temperature Tₛ of the ice-covered part (K).
    pub surface_temperature: Tensor<B, 3>,
}

impl<B: Backend> SeaIceState<B> {
    /// The restart variables, by name ([`crate::io::fields`]).
    pub fn visit(&mut self, v: &mut impl crate::io::fields::FieldVisitor<B>) {
        v.visit("ice_concentration", &mut self.concentration);
        v.visit("ice_volume", &mut self.volume);
        v.visit("ice_snow_volume", &mut self.snow_volume);
        v.visit("ice_surface_temperature", &mut self.surface_temperature);
    }
}

/// What the atmosphere and ocean give the ice over one step, per unit **ice** area (means
/// over the step), each `[1, ny, nx]`.
#[derive(Debug, Clone)]
pub struct IceForcing<B: Backend> {
    /// Net upward heat flux F̄ at the state's surface temperature (W m⁻², module docs).
    pub heat_flux: Tensor<B, 3>,
    /// Its derivative B = ∂F/∂Tₛ (W m⁻² K⁻¹, > 0).
    pub heat_flux_derivative: Tensor<B, 3>,
    /// Snowfall S (kg m⁻² s⁻¹).
    pub snowfall: Tensor<B, 3>,
    /// Sublimation E (kg m⁻² s⁻¹; negative for deposition).
    pub sublimation: Tensor<B, 3>,
    /// Ocean heat flux into the ice base F_o (W m⁻²).
    pub ocean_heat: Tensor<B, 3>,
    /// Freezing point of the surface water T_f (K).
    pub freezing_temperature: Tensor<B, 3>,
    /// Frazil heat the ocean gained since the last ice step (J m⁻² per unit **cell** area):
    /// it becomes new ice.
    pub frazil: Tensor<B, 3>,
}

/// What the ice gives the ocean over one step, per unit **cell** area, each `[1, ny, nx]`.
#[derive(Debug, Clone)]
pub struct IceOceanExchange<B: Backend> {
    /// Heat into the ocean −Q_oi/Δt (W m⁻²), beyond the frazil heat it already gained.
    pub heat: Tensor<B, 3>,
    /// Freshwater into the ocean (kg m⁻² s⁻¹).
    pub freshwater: Tensor<B, 3>,
    /// Salt into the ocean (g m⁻² s⁻¹).
    pub salt: Tensor<B, 3>,
    /// The upward heat flux the ice surface gave the atmosphere over the step at its new
    /// temperature, F(Tₛ⁺) = F̄ + B(Tₛ⁺ − T⁰) (W m⁻² per unit **ice** area). A coupler that
    /// passed F̄ owes the atmosphere c B (Tₛ⁺ − T⁰) (implicit coupling).
    pub surface_flux: Tensor<B, 3>,
}

/// The physical root x ≥ 0 of (a)(x − h)(p + q x) = g − f (p + q x) with a, q > 0, p ≥ 0, or
/// 0 when there is none (all ice melts within the step):
/// a q x² + (a p − a q h + f q) x − (a h p + g − f p) = 0, written with the root formula that
/// does not cancel.
pub fn growth_root<B: Backend>(
    a: f64,
    h: Tensor<B, 3>,
    p: Tensor<B, 3>,
    q: Tensor<B, 3>,
    g: Tensor<B, 3>,
    f: Tensor<B, 3>,
) -> Tensor<B, 3> {
    let b = p.clone() * a - q.clone() * h.clone() * a + f.clone() * q.clone();
    let c = h * p.clone() * a + g - f * p;
    let disc = b.clone().powi_scalar(2) + q.clone() * c.clone() * (4.0 * a);
    let pos_b = b.clone().greater_equal_elem(0.0);
    // A root ≥ 0 exists where c > 0 (one positive root) or where b < 0 with real roots (both
    // ≥ 0; the larger continues the c > 0 branch); elsewhere all ice melts within the step.
    let real = disc.clone().greater_elem(0.0);
    let ok = c
        .clone()
        .greater_elem(0.0)
        .bool_or(pos_b.clone().bool_not().bool_and(real.clone()));
    // Keep masked cells' arithmetic finite so no branch produces NaN (its gradient would
    // poison the selected one).
    let disc = disc.mask_fill(real.bool_not(), 1.0).sqrt();
    let denom_plus = (b.clone() + disc.clone()).mask_fill(pos_b.clone().bool_not(), 1.0);
    let root_plus = c * 2.0 / denom_plus; // for b ≥ 0
    let root_minus = (disc - b) / (q * (2.0 * a)); // for b < 0
    let root = root_minus.mask_where(pos_b, root_plus);
    root.mask_fill(ok.bool_not(), 0.0)
}

/// x / y where `positive` holds, `otherwise` elsewhere, without evaluating x/0.
fn safe_div<B: Backend>(
    x: Tensor<B, 3>,
    y: Tensor<B, 3>,
    positive: Tensor<B, 3, burn_tensor::Bool>,
    otherwise: f64,
) -> Tensor<B, 3> {
    let y = y.mask_fill(positive.clone().bool_not(), 1.0);
    (x / y).mask_fill(positive.bool_not(), otherwise)
}

impl<B: Backend> SeaIceModel<B> {
    /// The model with the `[sea_ice]` settings.
    pub fn new(params: &SeaIceConfig, device: &B::Device) -> Self {
        SeaIceModel {
            albedo_ice: tensor_from_vec(vec![params.albedo_ice], [1], device),
            params: params.clone(),
        }
    }

    /// A state without ice, surface temperature T_f (`like` gives the shape and device).
    pub fn ice_free(&self, like: &Tensor<B, 3>, freezing: f64) -> SeaIceState<B> {
        let zero = like.zeros_like();
        SeaIceState {
            concentration: zero.clone(),
            volume: zero.clone(),
            snow_volume: zero.clone(),
            surface_temperature: zero + freezing,
        }
    }

    /// Snow depth per unit ice area h_s (m) (0 where there is no ice).
    pub fn snow_depth(&self, state: &SeaIceState<B>) -> Tensor<B, 3> {
        let has = state.concentration.clone().greater_elem(0.0);
        safe_div(
            state.snow_volume.clone(),
            state.concentration.clone(),
            has,
            0.0,
        )
    }

    /// Ice thickness per unit ice area h = V/c (m) (0 where there is no ice).
    pub fn thickness(&self, state: &SeaIceState<B>) -> Tensor<B, 3> {
        let has = state.concentration.clone().greater_elem(0.0);
        safe_div(state.volume.clone(), state.concentration.clone(), has, 0.0)
    }

    /// Surface albedo α = α_i + (α_s − α_i) h_s/(h_s + d) of the ice-covered part (1).
    pub fn albedo(&self, state: &SeaIceState<B>) -> Tensor<B, 3> {
        let p = &self.params;
        let hs = self.snow_depth(state);
        let cover = hs.clone() / (hs + p.snow_albedo_depth);
        let a_i = self.albedo_ice.clone().reshape([1, 1, 1]);
        (cover.clone().neg() + 1.0) * a_i + cover * p.albedo_snow
    }

    /// Ocean heat flux into the ice base F_o = ρ₀ c_p c_h u* (T − T_f) (W m⁻²) for the
    /// surface-level ocean temperature `t` and freezing point `t_f` (K or °C, alike).
    pub fn ocean_heat_flux(&self, t: Tensor<B, 3>, t_f: Tensor<B, 3>) -> Tensor<B, 3> {
        (t - t_f) * (RHO0 * CP_SEAWATER * self.params.ocean_transfer_velocity)
    }

    /// Frozen-water enthalpy ℋ = −L_f(ρ_i V + ρ_s V_s) (J m⁻² per unit cell area).
    pub fn enthalpy(&self, state: &SeaIceState<B>) -> Tensor<B, 3> {
        self.mass(state) * (-LATENT_HEAT_FUSION)
    }

    /// Ice and snow mass ρ_i V + ρ_s V_s (kg m⁻² per unit cell area).
    pub fn mass(&self, state: &SeaIceState<B>) -> Tensor<B, 3> {
        state.volume.clone() * self.params.density_ice
            + state.snow_volume.clone() * self.params.density_snow
    }

    /// Salt held by the ice S_i ρ_i V (g m⁻² per unit cell area).
    pub fn salt(&self, state: &SeaIceState<B>) -> Tensor<B, 3> {
        state.volume.clone() * (self.params.density_ice * self.params.salinity)
    }

    /// One thermodynamic step of length `dt` (s), see the module docs.
    pub fn step(
        &self,
        state: &SeaIceState<B>,
        forcing: &IceForcing<B>,
        dt: f64,
    ) -> (SeaIceState<B>, IceOceanExchange<B>) {
        let p = &self.params;
        let (rho_i, rho_s, lf) = (p.density_ice, p.density_snow, LATENT_HEAT_FUSION);
        let (k_i, k_s) = (p.conductivity_ice, p.conductivity_snow);
        let c = state.concentration.clone();
        let has = c.clone().greater_elem(0.0);
        let h0 = self.thickness(state);
        let ms0 = self.snow_depth(state) * rho_s;
        let t0 = state.surface_temperature.clone();
        let tf = forcing.freezing_temperature.clone();
        let b = forcing.heat_flux_derivative.clone();
        let fo = forcing.ocean_heat.clone();

        // Snowfall and sublimation: snow first, the rest from the ice (a partition of mass).
        let ms1 = ms0 + (forcing.snowfall.clone() - forcing.sublimation.clone()) * dt;
        let from_ice = ms1.clone().clamp_max(0.0).neg();
        let ms = ms1.clamp_min(0.0);
        let h = h0.clone() - from_ice / rho_i;
        let rs = ms.clone() / (rho_s * k_s);

        // Implicit thickness and surface temperature, freezing and melting surface.
        let a = rho_i * lf / dt;
        let g = forcing.heat_flux.clone() + b.clone() * (tf.clone() - t0.clone());
        let x1 = growth_root(
            a,
            h.clone(),
            b.clone() * rs.clone() + 1.0,
            b.clone() / k_i,
            g.clone(),
            fo.clone(),
        );
        let r1 = rs.clone() + x1.clone() / k_i;
        let fc1 = g / (b.clone() * r1.clone() + 1.0);
        let t1 = tf.clone() - fc1.clone() * r1;
        let melting = t1.clone().greater_elem(MELTING_POINT);
        // A melting surface: the ice is isothermal at the melting point (no conduction), so the
        // ocean's heat melts the base and the surface's excess the top.
        let x2 = h.clone() - fo * (dt / (rho_i * lf));
        let fc2 = fc1.zeros_like();
        let x = x1.mask_where(melting.clone(), x2);
        let fc = fc1.mask_where(melting.clone(), fc2);
        let ts = t1.mask_fill(melting, MELTING_POINT);

        // The flux the surface lost at its new temperature, F(Tₛ⁺) = F̄ + B(Tₛ⁺ − T⁰); the
        // surface's gain F_c − F(Tₛ⁺) (zero unless melting) melts snow first, then ice.
        let surface_flux = forcing.heat_flux.clone() + b * (ts.clone() - t0);
        let melt = (fc - surface_flux.clone()) * (dt / lf);
        let snow_melt = melt.clone().clamp_min(0.0).min_pair(ms.clone());
        let ms = ms - snow_melt.clone();
        let h = x - (melt - snow_melt) / rho_i;
        // All ice gone: the snow goes too (its water and enthalpy reach the ocean).
        let gone = h.clone().lower_equal_elem(0.0);
        let h = h.clamp_min(0.0);
        let ms = ms.mask_fill(gone, 0.0);
        // Flooding: snow below the waterline becomes ice.
        let flood = (ms.clone() - h.clone() * (SEAWATER_DENSITY - rho_i)).clamp_min(0.0);
        let ms = ms - flood.clone();
        let h = h + flood / rho_i;

        // Leads: melting opens them (c ∝ √h); frazil closes them.
        let ratio = safe_div(h.clone(), h0.clone(), h0.clone().greater_elem(0.0), 1.0);
        let shrinking = ratio.clone().lower_elem(1.0);
        let ratio_pos = ratio.clone().greater_elem(0.0);
        let sqrt_ratio = ratio
            .clone()
            .mask_fill(ratio_pos.clone().bool_not(), 1.0)
            .sqrt()
            .mask_fill(ratio_pos.bool_not(), 0.0);
        let c_melt = c.clone() * sqrt_ratio.mask_fill(shrinking.bool_not(), 1.0);
        let c_melt = c_melt.mask_fill(has.clone().bool_not(), 0.0);
        // Hibler's ∂c/∂t = (1 − c) f₀/h₀ with the open-water growth f₀Δt = ΔV_f/(1 − c),
        // integrated over the step: c⁺ = 1 − (1 − c) exp(−ΔV_f/((1 − c)h₀)).
        let new_volume = forcing.frazil.clone() / (rho_i * lf);
        let open = c_melt.neg() + 1.0;
        let has_open = open.clone().greater_elem(0.0);
        let closing = safe_div(
            new_volume.clone(),
            open.clone() * p.new_ice_thickness,
            has_open,
            0.0,
        );
        let c_new = (open * closing.neg().exp()).neg() + 1.0;
        let volume = (c.clone() * h).mask_fill(has.clone().bool_not(), 0.0) + new_volume;
        let snow_volume = (c.clone() * ms / rho_s).mask_fill(has.bool_not(), 0.0);
        let ice = c_new.clone().greater_elem(0.0);
        let ts = ts.mask_where(ice.bool_not(), tf);
        let new = SeaIceState {
            concentration: c_new,
            volume,
            snow_volume,
            surface_temperature: ts,
        };

        // Exchange with the ocean, closing the ice's budgets.
        let d_mass = self.mass(&new) - self.mass(state);
        let d_enthalpy = d_mass.clone() * (-lf);
        let inflow = forcing.snowfall.clone() - forcing.sublimation.clone();
        let q_oi = d_enthalpy
            + state.concentration.clone() * (surface_flux.clone() + inflow.clone() * lf) * dt
            + forcing.frazil.clone();
        let exchange = IceOceanExchange {
            heat: q_oi / (-dt),
            freshwater: state.concentration.clone() * inflow - d_mass / dt,
            salt: (new.volume.clone() - state.volume.clone()) * (-(rho_i * p.salinity) / dt),
            surface_flux,
        };
        (new, exchange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64};

    fn t(v: Vec<f64>) -> Tensor<Cpu64, 3> {
        let n = v.len();
        tensor_from_vec(v, [1, 1, n], &Default::default())
    }

    #[test]
    fn growth_root_solves_the_quadratic_on_every_branch() {
        // a (x − h)(p + q x) = g − f (p + q x); check the residual at the returned root, for
        // growth (c > 0), strong melting from below of thick ice (c ≤ 0, b < 0: the larger
        // of two positive roots) and ice melting away (no root ≥ 0: 0).
        let a = 917.0 * 3.34e5 / 86400.0;
        let cases = [
            (1.0, 1.5, 10.0, 30.0, 2.0),
            (3.0, 1.0, 20.0, -20000.0, 5.0),
            (0.01, 1.0, 20.0, -50.0, 400.0),
        ];
        let col = |k: usize| t(cases.iter().map(|c| [c.0, c.1, c.2, c.3, c.4][k]).collect());
        let x = to_vec_f64(growth_root(a, col(0), col(1), col(2), col(3), col(4)));
        for (k, &(h, p, q, g, f)) in cases.iter().enumerate() {
            let resid = a * (x[k] - h) * (p + q * x[k]) - g + f * (p + q * x[k]);
            if k < 2 {
                assert!(
                    x[k] > 0.0 && resid.abs() < 1e-9 * a,
                    "{k}: x {} resid {resid}",
                    x[k]
                );
            } else {
                assert_eq!(x[k], 0.0);
            }
        }
        // Case 1 (b < 0, c ≤ 0) continues the thick ice: the larger root, near h.
        assert!((x[1] - 3.0).abs() < 0.1, "{}", x[1]);
    }
}
