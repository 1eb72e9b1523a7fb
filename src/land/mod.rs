//! Land: a slab surface with a Manabe bucket and snow on ice-free land, and the surface of
//! the ice sheets (Greenland, Antarctica), on the atmosphere's Gaussian grid.
//!
//! **Surface energy** (per unit area of each surface; C = QTCM1's 4.18e5 J m⁻² K⁻¹):
//!
//! C (T⁺ − T)/Δt = F − L_f E_snow − λ (T⁺ − T),   F = (1 − α) F_SW↓ + F_LW↓ − σT⁴ − H − L_v E + L_f S,
//!
//! backward in time for the surface's own response: F holds the fluxes the atmosphere
//! received (at T), and λ = 4σT³ + ρ_a C|V| (c_p + L β ∂q_sat/∂T) ≥ 0 is the growth of the
//! upward flux with T ([`SurfaceForcing::heat_flux_derivative`]), so
//! T⁺ = T + Δt (F − L_f E_snow)/(C + λΔt) is stable for any λΔt/C (the explicit step of
//! commit e4a16a2 oscillated for λΔt/C > 1, wet forest in winds above ~9 m s⁻¹). The extra upward
//! flux λ(T⁺ − T) the land gave up is returned by [`LandModel::step`] and handed to the
//! atmosphere over the next step (the coupler's implicit-coupling correction, as for sea
//! ice), so energy is exchanged exactly.
//! Snowfall S freezes at the surface and releases L_f there (the atmosphere delivers
//! precipitation as liquid); evaporation from snow (E_snow, taken before soil water)
//! pays L_s = L_v + L_f. Where snow lies on land warmer than T_m = 0 °C after the step, the
//! heat (C + λΔt)(T⁺ − T_m) melts it (up to all of it) and T⁺ falls by L_f × melt/(C + λΔt),
//! so the surface's implicit flux is that of its final temperature: a phase change, not a
//! limiter. Land ice melts the same way at T_m: its surface never exceeds
//! 0 °C and the melt (snow first, then the ice sheet) runs off, as does rain on land ice.
//!
//! **Bucket** (Manabe 1969): soil water W (kg m⁻²) with field capacity W_FC (boundary
//! data), evaporation efficiency β = min(1, W/(0.75 W_FC)) (1 where snow lies), limited so a
//! step never evaporates more than the snow and soil hold ([`LandModel::limited_wetness`]),
//! dW/dt = P_rain + M − E_soil − R; the runoff R is exactly the water above capacity.
//!
//! **Snow albedo** α = α₀ + (α_s − α₀) W_s/(W_s + W_c) (W_s snow water equivalent,
//! α₀ the snow-free albedo from the boundary data); α_s is a tensor parameter (autodiff).
//!
//! **Ice sheets**: albedo `land_ice_albedo`, no soil water; snow is kept up to
//! W_cap (`land_ice_snow_cap`, 1 m water equivalent): the excess leaves as solid runoff
//! (calving) carrying its enthalpy −L_f per kg into the ocean, so snow cannot pile up for
//! ever and drain the ocean. Sublimation beyond the snow and melt beyond the snow come from
//! the ice sheet, whose mass change is tracked ([`LandState::ice_sheet`]) so water is closed.
//!
//! **Altitude** ([`air_at_altitude`]): the atmosphere's surface air is at sea level; the
//! land sees it at its mean altitude z, T_a − Γz, with unchanged relative humidity.
//!
//! Shapes: `[1, nlat, nlon]`. Runoff is per unit area of its surface (land or land ice); the
//! coupler routes it to the ocean.
//!
//! # References
//! Manabe, S. (1969), Mon. Wea. Rev. 97, 739–774; Neelin & Zeng (2000), J. Atmos. Sci. 57,
//! 1741–1766 (slab heat capacity); Robock, A. (1983), J. Atmos. Sci. 40, 986–997 (snow
//! albedo); Winton, M. (2000), J. Atmos. Ocean. Tech. 17, 525–531 (snow cap as solid runoff,
//! as in GFDL models).

use crate::backend::tensor_from_vec;
use crate::config::model::LandConfig;
use crate::physics::constants::{
    LATENT_HEAT_FUSION, LATENT_HEAT_VAPOUR as LATENT_HEAT, MELTING_POINT, STEFAN_BOLTZMANN,
};
use crate::physics::thermo::qsat;
use crate::physics::SurfaceAir;
use burn_tensor::{backend::Backend, Tensor};

pub mod variables;

/// The land model: settings, surface parameters and the fitted snow albedo.
#[derive(Debug, Clone)]
pub struct LandModel<B: Backend> {
    /// The `[land]` settings.
    pub params: LandConfig,
    /// Albedo of deep snow on land α_s (1), `[1]`: a parameter assimilation may fit.
    pub snow_albedo: Tensor<B, 1>,
    /// Snow-free albedo α₀ (1).
    pub bare_albedo: Tensor<B, 3>,
    /// Field capacity W_FC (kg m⁻²; positive everywhere).
    pub field_capacity: Tensor<B, 3>,
    /// Mean altitude of the land z (m).
    pub orography: Tensor<B, 3>,
}

/// The prognostic land state, each `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct LandState<B: Backend> {
    /// Ice-free land surface temperature (K).
    pub temperature: Tensor<B, 3>,
    /// Soil water W (kg m⁻²).
    pub soil_water: Tensor<B, 3>,
    /// Snow water equivalent on ice-free land W_s (kg m⁻²).
    pub snow: Tensor<B, 3>,
    /// Ice-sheet surface temperature (K).
    pub ice_temperature: Tensor<B, 3>,
    /// Snow water equivalent on the ice sheet (kg m⁻²).
    pub ice_snow: Tensor<B, 3>,
    /// Accumulated mass change of the ice sheet below its snow (kg m⁻²; negative when it
    /// has lost mass to melt or sublimation since the start).
    pub ice_sheet: Tensor<B, 3>,
}

impl<B: Backend> LandState<B> {
    /// The restart variables, by name ([`crate::io::fields`]).
    pub fn visit(&mut self, v: &mut impl crate::io::fields::FieldVisitor<B>) {
        v.visit("land_temperature", &mut self.temperature);
        v.visit("land_soil_water", &mut self.soil_water);
        v.visit("land_snow", &mut self.snow);
        v.visit("land_ice_temperature", &mut self.ice_temperature);
        v.visit("land_ice_snow", &mut self.ice_snow);
        v.visit("land_ice_sheet", &mut self.ice_sheet);
    }
}

/// What the atmosphere gives one land surface over a step, per unit area of that surface.
#[derive(Debug, Clone)]
pub struct SurfaceForcing<B: Backend> {
    /// Downward shortwave F_SW↓ (W m⁻²).
    pub sw_down: Tensor<B, 3>,
    /// Downward longwave F_LW↓ (W m⁻²).
    pub lw_down: Tensor<B, 3>,
    /// Rain (kg m⁻² s⁻¹).
    pub rain: Tensor<B, 3>,
    /// Snowfall S (kg m⁻² s⁻¹).
    pub snowfall: Tensor<B, 3>,
    /// Sensible heat flux H (W m⁻², upward).
    pub sensible: Tensor<B, 3>,
    /// Evaporation E (kg m⁻² s⁻¹, upward).
    pub evaporation: Tensor<B, 3>,
    /// λ = ∂(upward longwave + H + L E)/∂T at the surface's temperature (W m⁻² K⁻¹, ≥ 0).
    pub heat_flux_derivative: Tensor<B, 3>,
}

/// The implicit-coupling corrections of one step: the extra upward heat flux λ(T⁺ − T) the
/// surfaces gave up beyond the fluxes the atmosphere received (W m⁻², per unit area of
/// ice-free land and of land ice), owed to the atmosphere.
#[derive(Debug, Clone)]
pub struct HeatCorrection<B: Backend> {
    /// Over ice-free land.
    pub land: Tensor<B, 3>,
    /// Over the ice sheets.
    pub ice: Tensor<B, 3>,
}

/// Water leaving the land surfaces over a step (kg m⁻² s⁻¹ per unit area of each surface).
#[derive(Debug, Clone)]
pub struct Runoff<B: Backend> {
    /// Liquid runoff from ice-free land (soil water above capacity).
    pub land: Tensor<B, 3>,
    /// Liquid runoff (melt water) from the ice sheets.
    pub ice_liquid: Tensor<B, 3>,
    /// Solid runoff (calving of snow above the cap) from the ice sheets, enthalpy −L_f per kg.
    pub ice_solid: Tensor<B, 3>,
}

/// The surface air seen at altitude z: T_a − Γz, with the humidity scaled by
/// q_sat(T_a − Γz)/q_sat(T_a) (relative humidity kept); winds unchanged.
pub fn air_at_altitude<B: Backend>(
    air: &SurfaceAir<B>,
    orography: Tensor<B, 3>,
    lapse_rate: f64,
) -> SurfaceAir<B> {
    let t = air.temperature.clone() - orography * lapse_rate;
    let q = air.humidity.clone() * qsat(t.clone()) / qsat(air.temperature.clone());
    SurfaceAir {
        temperature: t,
        humidity: q,
        u: air.u.clone(),
        v: air.v.clone(),
    }
}

impl<B: Backend> LandModel<B> {
    /// The model from the `[land]` settings and the boundary data's snow-free albedo,
    /// field capacity (kg m⁻²; non-positive values, i.e. cells without land, become 150) and
    /// land altitude (m), each `[1, nlat, nlon]`.
    pub fn new(
        params: &LandConfig,
        bare_albedo: Tensor<B, 3>,
        field_capacity: Tensor<B, 3>,
        orography: Tensor<B, 3>,
    ) -> Self {
        let device = bare_albedo.device();
        let empty = field_capacity.clone().lower_equal_elem(0.0);
        LandModel {
            snow_albedo: tensor_from_vec(vec![params.snow_albedo], [1], &device),
            params: params.clone(),
            bare_albedo,
            field_capacity: field_capacity.mask_fill(empty, 150.0),
            orography,
        }
    }

    /// Evaporation efficiency β = min(1, W/(0.75 W_FC)) of the soil; 1 where snow lies
    /// (snow evaporates freely).
    pub fn wetness(&self, state: &LandState<B>) -> Tensor<B, 3> {
        let beta =
            (state.soil_water.clone() / (self.field_capacity.clone() * 0.75)).clamp(0.0, 1.0);
        beta.mask_fill(state.snow.clone().greater_elem(0.0), 1.0)
    }

    /// The evaporation efficiency that evaporation `e_pot` (kg m⁻² s⁻¹, at β = 1) can have
    /// over a step `dt` (s) without taking more than the snow and soil water hold:
    /// β_eff = min(β, (W_s + W)/(E_pot Δt)) where E_pot > 0, β elsewhere (dew is not limited).
    pub fn limited_wetness(
        &self,
        state: &LandState<B>,
        e_pot: Tensor<B, 3>,
        dt: f64,
    ) -> Tensor<B, 3> {
        let beta = self.wetness(state);
        let drying = e_pot.clone().greater_elem(0.0);
        let available = state.snow.clone() + state.soil_water.clone().clamp_min(0.0);
        let demand = e_pot.mask_fill(drying.clone().bool_not(), 1.0) * dt;
        let cap = (available / demand).mask_fill(drying.bool_not(), 1.0);
        beta.min_pair(cap)
    }

    /// Albedo of ice-free land α = α₀ + (α_s − α₀) W_s/(W_s + W_c) (1).
    pub fn albedo(&self, state: &LandState<B>) -> Tensor<B, 3> {
        let cover = state.snow.clone() / (state.snow.clone() + self.params.snow_albedo_depth);
        let a_s = self.snow_albedo.clone().reshape([1, 1, 1]);
        self.bare_albedo.clone() + (self.bare_albedo.clone().neg() + a_s) * cover
    }

    /// Albedo of the ice sheets (1).
    pub fn ice_albedo(&self) -> f64 {
        self.params.land_ice_albedo
    }

    /// Splits precipitation `p` (kg m⁻² s⁻¹) into (rain, snow) by the surface air at the
    /// land's altitude: snow where it is colder than `snowfall_temperature`.
    pub fn partition(&self, p: Tensor<B, 3>, air_at_altitude: &SurfaceAir<B>) -> [Tensor<B, 3>; 2] {
        let cold = air_at_altitude
            .temperature
            .clone()
            .lower_elem(self.params.snowfall_temperature);
        let snow = p.zeros_like().mask_where(cold.clone(), p.clone());
        let rain = p.mask_fill(cold, 0.0);
        [rain, snow]
    }

    /// Frozen-water enthalpy of the land −L_f (W_s + W_ice snow + ice-sheet change) and the
    /// slab heat C T, per unit area of land and of land ice: `(land, ice)` (J m⁻²).
    pub fn energy(&self, state: &LandState<B>) -> [Tensor<B, 3>; 2] {
        let c = self.params.heat_capacity;
        [
            state.temperature.clone() * c - state.snow.clone() * LATENT_HEAT_FUSION,
            state.ice_temperature.clone() * c
                - (state.ice_snow.clone() + state.ice_sheet.clone()) * LATENT_HEAT_FUSION,
        ]
    }

    /// Water held per unit area of land (soil + snow) and of land ice (snow + ice-sheet
    /// change): `(land, ice)` (kg m⁻²).
    pub fn water(&self, state: &LandState<B>) -> [Tensor<B, 3>; 2] {
        [
            state.soil_water.clone() + state.snow.clone(),
            state.ice_snow.clone() + state.ice_sheet.clone(),
        ]
    }

    /// One step of length `dt` (s) with the forcing over ice-free land and over land ice:
    /// the new state, the runoff, and the implicit-coupling corrections λ(T⁺ − T) owed to the
    /// atmosphere (module docs).
    pub fn step(
        &self,
        state: &LandState<B>,
        land: &SurfaceForcing<B>,
        ice: &SurfaceForcing<B>,
        dt: f64,
    ) -> (LandState<B>, Runoff<B>, HeatCorrection<B>) {
        let p = &self.params;
        let lf = LATENT_HEAT_FUSION;
        let net = |t: &Tensor<B, 3>, albedo: Tensor<B, 3>, f: &SurfaceForcing<B>| {
            f.sw_down.clone() * (albedo.neg() + 1.0) + f.lw_down.clone()
                - t.clone().powi_scalar(4) * STEFAN_BOLTZMANN
                - f.sensible.clone()
                - f.evaporation.clone() * LATENT_HEAT
                + f.snowfall.clone() * lf
        };
        // Evaporation from snow first (a partition of mass); sublimation pays L_f more.
        let snow_budget = |snow: Tensor<B, 3>, f: &SurfaceForcing<B>| {
            let s1 = snow + (f.snowfall.clone() - f.evaporation.clone()) * dt;
            let short = s1.clone().clamp_max(0.0).neg(); // evaporation beyond the snow
            (s1.clamp_min(0.0), short)
        };

        // Ice-free land.
        let (snow, from_soil) = snow_budget(state.snow.clone(), land);
        let e_snow = land.evaporation.clone() - from_soil.clone() / dt;
        // Effective heat capacity of the implicit step, C + λΔt (J m⁻² K⁻¹).
        let capacity =
            |f: &SurfaceForcing<B>| f.heat_flux_derivative.clone() * dt + p.heat_capacity;
        let cap_land = capacity(land);
        let t1 = state.temperature.clone()
            + (net(&state.temperature, self.albedo(state), land) - e_snow * lf) * dt
                / cap_land.clone();
        // Above melting, the heat (C + λΔt)(T¹ − T_m) melts snow: the surface's flux is
        // that of its final temperature.
        let excess = (t1.clone() - MELTING_POINT).clamp_min(0.0) * cap_land.clone() / lf;
        let melt = excess.min_pair(snow.clone());
        let temperature = t1 - melt.clone() * lf / cap_land;
        let corr_land =
            (temperature.clone() - state.temperature.clone()) * land.heat_flux_derivative.clone();
        let snow = snow - melt.clone();
        let water = state.soil_water.clone() + land.rain.clone() * dt + melt - from_soil;
        let runoff = (water.clone() - self.field_capacity.clone()).clamp_min(0.0);
        let soil_water = water - runoff.clone();

        // Ice sheets.
        // All evaporation from land ice is sublimation (of snow, then of the sheet): L_s.
        let (ice_snow, from_sheet) = snow_budget(state.ice_snow.clone(), ice);
        let albedo = state.ice_temperature.ones_like() * p.land_ice_albedo;
        let cap_ice = capacity(ice);
        let t1 = state.ice_temperature.clone()
            + (net(&state.ice_temperature, albedo, ice) - ice.evaporation.clone() * lf) * dt
                / cap_ice.clone();
        let melt = (t1.clone() - MELTING_POINT).clamp_min(0.0) * cap_ice.clone() / lf;
        let ice_temperature = t1 - melt.clone() * lf / cap_ice;
        let corr_ice = (ice_temperature.clone() - state.ice_temperature.clone())
            * ice.heat_flux_derivative.clone();
        let snow_melt = melt.clone().min_pair(ice_snow.clone());
        let ice_snow = ice_snow - snow_melt.clone();
        let sheet_melt = melt.clone() - snow_melt;
        let calving = (ice_snow.clone() - p.land_ice_snow_cap).clamp_min(0.0);
        let ice_snow = ice_snow - calving.clone();
        let ice_sheet = state.ice_sheet.clone() - sheet_melt - from_sheet;

        (
            LandState {
                temperature,
                soil_water,
                snow,
                ice_temperature,
                ice_snow,
                ice_sheet,
            },
            Runoff {
                land: runoff / dt,
                ice_liquid: melt / dt + ice.rain.clone(),
                ice_solid: calving / dt,
            },
            HeatCorrection {
                land: corr_land,
                ice: corr_ice,
            },
        )
    }
}
