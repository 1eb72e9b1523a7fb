//! The model configuration (`models/<name>.toml`): grids, time steps, coupling, constants.
//!
//! Every key is required in a model file (no silent defaults), every section rejects
//! unknown keys, and [`ModelConfig::validate`] checks values once at load.
//! Units are SI and given beside every field.

use super::error::ConfigError;
use serde::{Deserialize, Serialize};

/// A complete model configuration, as in `models/t31.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Name, resolution label and description.
    pub model: ModelMeta,
    /// Planetary constants.
    pub planet: PlanetConfig,
    /// Atmosphere grid and time step.
    pub atmosphere: AtmosphereConfig,
    /// Atmosphere dynamics: diffusion and time filter.
    pub atmosphere_dynamics: AtmosphereDynamicsConfig,
    /// Atmosphere physics: convection, condensation, solar constant.
    pub atmosphere_physics: AtmospherePhysicsConfig,
    /// Ocean grid and time step.
    pub ocean: OceanConfig,
    /// Ocean physics: mixing coefficients, equation of state, solver settings.
    pub ocean_physics: OceanPhysicsConfig,
    /// Thermodynamic sea ice ([`crate::ice`]).
    pub sea_ice: SeaIceConfig,
    /// Land surface and land ice ([`crate::land`]).
    pub land: LandConfig,
    /// Coupling schedule.
    pub coupling: CouplingConfig,
}

/// `[model]`: identification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelMeta {
    /// Short name, equal to the model file's stem (`t31`).
    pub name: String,
    /// Resolution label `T<truncation>` (`T31`); `CHRONOS_RESOLUTION` selects model files by it.
    pub resolution: String,
    /// One line for humans.
    pub description: String,
}

/// `[planet]`: constants every grid and component shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanetConfig {
    /// Mean radius a (m).
    pub radius: f64,
    /// Rotation rate Ω (s⁻¹).
    pub omega: f64,
    /// Gravitational acceleration g (m s⁻²).
    pub gravity: f64,
}

/// `[atmosphere]`: spectral truncation, Gaussian grid and time step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtmosphereConfig {
    /// Triangular truncation T (1).
    pub truncation: usize,
    /// Gaussian-grid longitudes n_lon (1); alias-free needs n_lon ≥ 3T + 1.
    pub nlon: usize,
    /// Gaussian latitudes n_lat (1); alias-free needs n_lat ≥ (3T + 1)/2.
    pub nlat: usize,
    /// Time step Δt (s); `CHRONOS_DT_ATMOS` overrides it.
    pub dt: f64,
}

/// `[atmosphere_dynamics]`: the numerical settings of the QTCM1 dynamics
/// (see [`crate::atmos::dynamics`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtmosphereDynamicsConfig {
    /// Order p of the implicit hyperdiffusion −ν(−∇²)ᵖ of vorticity and divergence (1).
    pub momentum_diffusion_order: u32,
    /// e-folding time of that hyperdiffusion at the truncation wavenumber n = T (s).
    pub momentum_diffusion_timescale: f64,
    /// Harmonic diffusivity ν of the temperature and moisture modes T₁, q₁ (m² s⁻¹;
    /// QTCM1's viscT = viscQ = 1.2e6).
    pub tracer_diffusivity: f64,
    /// Robert–Asselin coefficient ν_RA of the leapfrog filter (1).
    pub raw_nu: f64,
    /// Williams' α of the Robert–Asselin–Williams filter (1; 1 is the classic filter).
    pub raw_alpha: f64,
}

/// `[atmosphere_physics]`: the parameters of the QTCM1 column physics
/// (see [`crate::atmos::physics`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtmospherePhysicsConfig {
    /// Betts–Miller convective adjustment time τ_c (s; QTCM1: 7200).
    pub convection_timescale: f64,
    /// Large-scale condensation time τ_ls of column supersaturation (s).
    pub condensation_timescale: f64,
    /// Total solar irradiance S₀ at 1 AU (W m⁻²).
    pub solar_constant: f64,
    /// Stratus cover: `"reference"` (QTCM1's constant ĉ₃ of the cloud-free rest) or
    /// `"observed"` (QTCM1's `OBSCLD`: stratus fills the total cover up to the monthly
    /// climatology of `clouds.nc`; [`crate::atmos::radiation::Clouds::with_observed_total`]).
    /// The aquaplanet has no cloud observations and always uses the reference cover.
    pub stratus: StratusCover,
}

/// How the stratus cover is set ([`AtmospherePhysicsConfig::stratus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StratusCover {
    /// QTCM1's reference cover ĉ₃ of the part free of convective cloud.
    Reference,
    /// Total cover from the boundary data's monthly cloud climatology (`clouds.nc`).
    Observed,
}

super::choice::choice!(
    /// The ocean's equation of state ([`OceanPhysicsConfig::equation_of_state`];
    /// [`crate::ocean::eos::EquationOfState`]).
    EquationOfStateChoice, "use \"linear\" or \"vallis2008\"" {
        /// Linear in Θ and S with Veros' default coefficients.
        Linear = "linear",
        /// Vallis (2008), Veros' `eq_of_state_type = 2`: thermal expansion growing with depth
        /// and cabbeling.
        Vallis2008 = "vallis2008",
    }
);

/// `[ocean]`: C-grid rows, z-levels and time step. The ocean shares the atmosphere's longitudes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OceanConfig {
    /// Number of latitude rows n_y (1).
    pub nlat: usize,
    /// Southern edge of the first row (degrees north).
    pub lat_south: f64,
    /// Northern edge of the last row (degrees north).
    pub lat_north: f64,
    /// Number of z-levels n_z (1).
    pub nz: usize,
    /// Thickness of the surface level Δz_top (m).
    pub dz_top: f64,
    /// Total depth H of the level grid (m).
    pub depth: f64,
    /// Stretching exponent p of Δz_k = Δz_top + (Δz_bot − Δz_top)(k/(n_z − 1))^p (1).
    pub stretching_exponent: f64,
    /// Momentum and tracer time step Δt (s).
    pub dt: f64,
}

/// `[ocean_physics]`: the ocean's closures and numerical settings (see [`crate::ocean`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OceanPhysicsConfig {
    /// Equation of state: `"linear"` or `"vallis2008"`.
    pub equation_of_state: EquationOfStateChoice,
    /// Lateral (harmonic) viscosity A_h at the equator (m² s⁻¹).
    pub viscosity_h: f64,
    /// p in the latitude scaling A_h(φ) = A_h cosᵖφ (1).
    pub viscosity_cos_power: f64,
    /// Lateral boundary condition of the friction: `false` free slip (Veros), `true` no slip.
    pub no_slip: bool,
    /// Vertical viscosity κ_M (m² s⁻¹).
    pub viscosity_v: f64,
    /// Linear bottom drag r on the deepest wet level (s⁻¹).
    pub bottom_drag: f64,
    /// Lateral tracer diffusivity K_h (m² s⁻¹).
    pub diffusivity_h: f64,
    /// Background vertical diffusivity κ_H (m² s⁻¹).
    pub diffusivity_v: f64,
    /// Diffusivity added where the column is statically unstable (m² s⁻¹).
    pub convective_diffusivity: f64,
    /// Gent–McWilliams thickness diffusivity K_GM of the eddy-induced (bolus) transport
    /// (m² s⁻¹); 0 turns it off.
    pub gm_diffusivity: f64,
    /// Isoneutral (Redi) diffusivity K_iso of the slope terms of the small-slope tensor
    /// (m² s⁻¹); at most `diffusivity_h` so the tensor stays positive semi-definite.
    pub isoneutral_diffusivity: f64,
    /// Slope S_max where the Danabasoglu–McWilliams taper falls to ½ (1).
    pub slope_max: f64,
    /// Width S_d of the taper ½[1 + tanh((S_max − |S|)/S_d)] (1).
    pub slope_width: f64,
    /// ε of the Adams–Bashforth 2 momentum step (1).
    pub ab2_epsilon: f64,
    /// Fixed CG iteration count of the barotropic solve (1).
    pub barotropic_iterations: usize,
    /// Reference salinity S₀ of the virtual salt flux (g kg⁻¹).
    pub reference_salinity: f64,
}

/// `[sea_ice]`: Semtner (1976) zero-layer thermodynamic sea ice ([`crate::ice`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeaIceConfig {
    /// Thermal conductivity of ice k_i (W m⁻¹ K⁻¹; Maykut & Untersteiner 1971: 2.03).
    pub conductivity_ice: f64,
    /// Thermal conductivity of snow k_s (W m⁻¹ K⁻¹; 0.31).
    pub conductivity_snow: f64,
    /// Density of sea ice ρ_i (kg m⁻³; 917).
    pub density_ice: f64,
    /// Density of snow on sea ice ρ_s (kg m⁻³; 330).
    pub density_snow: f64,
    /// Salinity of sea ice S_i (g kg⁻¹; 4), exchanged with the ocean on growth and melt.
    pub salinity: f64,
    /// Albedo of bare ice α_i (1; 0.6).
    pub albedo_ice: f64,
    /// Albedo of deep snow on ice α_s (1; 0.8).
    pub albedo_snow: f64,
    /// Snow depth d of the albedo transition α = α_i + (α_s − α_i) h_s/(h_s + d) (m).
    pub snow_albedo_depth: f64,
    /// Thickness h₀ of new ice in leads, the closing rate of open water (m; Hibler 1979: 0.5).
    pub new_ice_thickness: f64,
    /// Ocean–ice heat transfer velocity c_h u* of F_o = ρ₀ c_p c_h u* (T − T_f) (m s⁻¹;
    /// McPhee 1992: 0.006 × 0.01).
    pub ocean_transfer_velocity: f64,
}

/// `[land]`: slab land with bucket hydrology, snow and land ice ([`crate::land`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandConfig {
    /// Heat capacity C of the land and land-ice surface slab (J m⁻² K⁻¹; QTCM1: 4.18e5).
    pub heat_capacity: f64,
    /// Lapse rate Γ that brings the atmosphere's surface air to the land's altitude (K m⁻¹).
    pub lapse_rate: f64,
    /// Albedo of deep snow on ice-free land (1).
    pub snow_albedo: f64,
    /// Snow water equivalent W_c of the albedo transition α = α₀ + (α_s − α₀) W_s/(W_s + W_c)
    /// (kg m⁻²).
    pub snow_albedo_depth: f64,
    /// Albedo of land ice (1).
    pub land_ice_albedo: f64,
    /// Largest snow water equivalent kept on land ice; more leaves as solid runoff (kg m⁻²).
    pub land_ice_snow_cap: f64,
    /// Precipitation falls as snow where the (altitude-corrected) surface air is colder (K).
    pub snowfall_temperature: f64,
}

/// `[coupling]`: how often components exchange fluxes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouplingConfig {
    /// Coupling interval (s); every component's time step must divide it.
    pub interval: f64,
}

fn invalid(key: &str, value: impl std::fmt::Display, reason: &str, fix: &str) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        value: value.to_string(),
        reason: reason.into(),
        fix: fix.into(),
    }
}

fn positive(key: &str, v: f64, fix: &str) -> Result<(), ConfigError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(invalid(key, v, "must be a positive, finite number", fix))
    }
}

fn divides(key: &str, dt: f64, interval: f64) -> Result<(), ConfigError> {
    let n = interval / dt;
    if (n - n.round()).abs() > 1e-9 * n.max(1.0) || n.round() < 1.0 {
        return Err(invalid(
            key,
            dt,
            &format!("does not divide coupling.interval = {interval} s ({n:.4} steps per coupling interval)"),
            &format!(
                "choose a step that divides {interval} s exactly (e.g. {} s), or change coupling.interval",
                interval / n.ceil().max(1.0)
            ),
        ));
    }
    Ok(())
}

impl ModelConfig {
    /// Checks every value; the first problem is returned as an error naming the key and the fix.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for the first offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let a = &self.atmosphere;
        if self.model.resolution != format!("T{}", a.truncation) {
            return Err(invalid(
                "model.resolution",
                &self.model.resolution,
                &format!("does not match atmosphere.truncation = {}", a.truncation),
                &format!(
                    "set model.resolution = \"T{}\" or change atmosphere.truncation",
                    a.truncation
                ),
            ));
        }
        positive(
            "planet.radius",
            self.planet.radius,
            "use metres, e.g. 6.371e6",
        )?;
        positive(
            "planet.gravity",
            self.planet.gravity,
            "use m s⁻², e.g. 9.80616",
        )?;
        if !self.planet.omega.is_finite() {
            return Err(invalid(
                "planet.omega",
                self.planet.omega,
                "must be finite",
                "use s⁻¹, e.g. 7.292e-5",
            ));
        }
        if a.truncation == 0 {
            return Err(invalid(
                "atmosphere.truncation",
                0,
                "must be at least 1",
                "use e.g. 31 or 63",
            ));
        }
        if a.nlon < 3 * a.truncation + 1 {
            return Err(invalid(
                "atmosphere.nlon",
                a.nlon,
                &format!(
                    "is below 3T + 1 = {} (aliasing of quadratic terms)",
                    3 * a.truncation + 1
                ),
                &format!("use at least {} longitudes", 3 * a.truncation + 1),
            ));
        }
        if 2 * a.nlat < 3 * a.truncation + 1 || a.nlat % 2 == 1 {
            return Err(invalid(
                "atmosphere.nlat",
                a.nlat,
                &format!(
                    "must be even and at least (3T + 1)/2 = {}",
                    (3 * a.truncation + 1).div_ceil(2)
                ),
                "use e.g. 48 for T31, 96 for T63",
            ));
        }
        positive(
            "atmosphere.dt",
            a.dt,
            "give the atmospheric time step in seconds, e.g. 1200 (or set CHRONOS_DT_ATMOS)",
        )?;
        self.validate_atmosphere_physics()?;
        self.validate_surfaces()?;
        self.validate_ocean_physics()?;
        Ok(())
    }

    /// `[atmosphere_dynamics]`, `[atmosphere_physics]` and `[coupling]`.
    fn validate_atmosphere_physics(&self) -> Result<(), ConfigError> {
        let a = &self.atmosphere;
        let o = &self.ocean;
        let ad = &self.atmosphere_dynamics;
        if ad.momentum_diffusion_order == 0 || ad.momentum_diffusion_order > 8 {
            return Err(invalid(
                "atmosphere_dynamics.momentum_diffusion_order",
                ad.momentum_diffusion_order,
                "must lie in 1..=8",
                "use 2 (∇⁴, as QTCM1) or 4 (∇⁸)",
            ));
        }
        positive(
            "atmosphere_dynamics.momentum_diffusion_timescale",
            ad.momentum_diffusion_timescale,
            "give the e-folding time at n = T in seconds, e.g. 21600",
        )?;
        if !(ad.tracer_diffusivity.is_finite() && ad.tracer_diffusivity >= 0.0) {
            return Err(invalid(
                "atmosphere_dynamics.tracer_diffusivity",
                ad.tracer_diffusivity,
                "must be a finite number ≥ 0",
                "use m² s⁻¹, e.g. 1.2e6 (QTCM1)",
            ));
        }
        if !(0.0..=1.0).contains(&ad.raw_nu) {
            return Err(invalid(
                "atmosphere_dynamics.raw_nu",
                ad.raw_nu,
                "must lie in [0, 1]",
                "use 0.2 (0 switches the leapfrog filter off, which lets the computational mode grow)",
            ));
        }
        if !(0.5..=1.0).contains(&ad.raw_alpha) {
            return Err(invalid(
                "atmosphere_dynamics.raw_alpha",
                ad.raw_alpha,
                "must lie in [0.5, 1]",
                "use 0.53 (Williams 2009) or 1 (classic Robert–Asselin)",
            ));
        }
        let ap = &self.atmosphere_physics;
        positive(
            "atmosphere_physics.convection_timescale",
            ap.convection_timescale,
            "give τ_c in seconds, e.g. 7200 (QTCM1)",
        )?;
        positive(
            "atmosphere_physics.condensation_timescale",
            ap.condensation_timescale,
            "give τ_ls in seconds, e.g. 7200",
        )?;
        positive(
            "atmosphere_physics.solar_constant",
            ap.solar_constant,
            "give S₀ in W m⁻², e.g. 1361",
        )?;
        for (key, tau) in [
            (
                "atmosphere_physics.convection_timescale",
                ap.convection_timescale,
            ),
            (
                "atmosphere_physics.condensation_timescale",
                ap.condensation_timescale,
            ),
        ] {
            if tau <= 2.0 * a.dt {
                return Err(invalid(
                    key,
                    tau,
                    &format!(
                        "must exceed 2Δt = {} s: the physics is stepped forward over 2Δt, which is stable only for relaxation times longer than that",
                        2.0 * a.dt
                    ),
                    "raise the time scale or shorten atmosphere.dt",
                ));
            }
        }
        positive(
            "ocean.dt",
            o.dt,
            "give the ocean time step in seconds, e.g. 3600",
        )?;
        positive(
            "coupling.interval",
            self.coupling.interval,
            "give the coupling interval in seconds, e.g. 3600",
        )?;
        Ok(())
    }

    /// `[sea_ice]`, `[land]` and the `[ocean]` level grid.
    fn validate_surfaces(&self) -> Result<(), ConfigError> {
        let a = &self.atmosphere;
        let o = &self.ocean;
        let si = &self.sea_ice;
        for (key, v) in [
            ("sea_ice.conductivity_ice", si.conductivity_ice),
            ("sea_ice.conductivity_snow", si.conductivity_snow),
            ("sea_ice.density_ice", si.density_ice),
            ("sea_ice.density_snow", si.density_snow),
            ("sea_ice.snow_albedo_depth", si.snow_albedo_depth),
            ("sea_ice.new_ice_thickness", si.new_ice_thickness),
            (
                "sea_ice.ocean_transfer_velocity",
                si.ocean_transfer_velocity,
            ),
            ("land.heat_capacity", self.land.heat_capacity),
            ("land.snow_albedo_depth", self.land.snow_albedo_depth),
            ("land.land_ice_snow_cap", self.land.land_ice_snow_cap),
            ("land.snowfall_temperature", self.land.snowfall_temperature),
        ] {
            positive(
                key,
                v,
                "see the comment beside the key in models/t31.toml for a typical value",
            )?;
        }
        if !(0.0..1000.0).contains(&si.salinity) {
            return Err(invalid(
                "sea_ice.salinity",
                si.salinity,
                "must lie in [0, 1000) g kg⁻¹",
                "use 4",
            ));
        }
        for (key, v) in [
            ("sea_ice.albedo_ice", si.albedo_ice),
            ("sea_ice.albedo_snow", si.albedo_snow),
            ("land.snow_albedo", self.land.snow_albedo),
            ("land.land_ice_albedo", self.land.land_ice_albedo),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(invalid(
                    key,
                    v,
                    "an albedo must lie in [0, 1]",
                    "use e.g. 0.6",
                ));
            }
        }
        if !(self.land.lapse_rate >= 0.0 && self.land.lapse_rate < 0.0342) {
            return Err(invalid(
                "land.lapse_rate",
                self.land.lapse_rate,
                "must lie in [0, g/c_p = 0.0098·3.5) K m⁻¹",
                "use 0.0065 (the standard atmosphere)",
            ));
        }
        divides("atmosphere.dt", a.dt, self.coupling.interval)?;
        divides("ocean.dt", o.dt, self.coupling.interval)?;
        if o.nlat == 0 {
            return Err(invalid(
                "ocean.nlat",
                0,
                "must be at least 1",
                "use e.g. 48",
            ));
        }
        if !(-90.0..90.0).contains(&o.lat_south) {
            return Err(invalid(
                "ocean.lat_south",
                o.lat_south,
                "must lie in [−90, 90)",
                "give the southern edge of the first row in degrees north, e.g. -80",
            ));
        }
        if !(o.lat_north > o.lat_south && o.lat_north <= 90.0) {
            return Err(invalid(
                "ocean.lat_north",
                o.lat_north,
                &format!("must lie in (ocean.lat_south = {}, 90]", o.lat_south),
                "give the northern edge of the last row in degrees north, e.g. 88",
            ));
        }
        if o.nz == 0 {
            return Err(invalid("ocean.nz", 0, "must be at least 1", "use e.g. 15"));
        }
        positive(
            "ocean.dz_top",
            o.dz_top,
            "give the surface level thickness in metres, e.g. 50",
        )?;
        positive(
            "ocean.depth",
            o.depth,
            "give the total depth in metres, e.g. 5200",
        )?;
        positive(
            "ocean.stretching_exponent",
            o.stretching_exponent,
            "use 1 for linear growth of the level thickness",
        )?;
        if o.nz == 1 && o.dz_top != o.depth {
            return Err(invalid(
                "ocean.dz_top",
                o.dz_top,
                "with one level the level is the whole depth",
                "set ocean.dz_top equal to ocean.depth, or use more levels",
            ));
        }
        Ok(())
    }

    /// `[ocean_physics]` and the level grid against it.
    fn validate_ocean_physics(&self) -> Result<(), ConfigError> {
        let o = &self.ocean;
        let p = &self.ocean_physics;
        for (key, v) in [
            ("ocean_physics.viscosity_h", p.viscosity_h),
            ("ocean_physics.viscosity_cos_power", p.viscosity_cos_power),
            ("ocean_physics.viscosity_v", p.viscosity_v),
            ("ocean_physics.bottom_drag", p.bottom_drag),
            ("ocean_physics.diffusivity_h", p.diffusivity_h),
            ("ocean_physics.diffusivity_v", p.diffusivity_v),
            (
                "ocean_physics.convective_diffusivity",
                p.convective_diffusivity,
            ),
            ("ocean_physics.gm_diffusivity", p.gm_diffusivity),
            (
                "ocean_physics.isoneutral_diffusivity",
                p.isoneutral_diffusivity,
            ),
            ("ocean_physics.ab2_epsilon", p.ab2_epsilon),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(invalid(
                    key,
                    v,
                    "must be a finite number ≥ 0",
                    "see the units beside the key in models/t31.toml",
                ));
            }
        }
        positive(
            "ocean_physics.slope_max",
            p.slope_max,
            "use e.g. 0.01 (Danabasoglu & McWilliams 1995)",
        )?;
        positive(
            "ocean_physics.slope_width",
            p.slope_width,
            "use e.g. 0.001 (Danabasoglu & McWilliams 1995)",
        )?;
        if p.isoneutral_diffusivity > p.diffusivity_h {
            return Err(invalid(
                "ocean_physics.isoneutral_diffusivity",
                p.isoneutral_diffusivity,
                "exceeds ocean_physics.diffusivity_h, so the small-slope Redi tensor would not be positive semi-definite (K_h·K_iso·S² ≥ (K_iso·S)² needs K_iso ≤ K_h)",
                "lower isoneutral_diffusivity or raise diffusivity_h",
            ));
        }
        if p.barotropic_iterations == 0 {
            return Err(invalid(
                "ocean_physics.barotropic_iterations",
                0,
                "must be at least 1",
                "use 2 (the exact row-block preconditioner converges in one or two)",
            ));
        }
        positive(
            "ocean_physics.reference_salinity",
            p.reference_salinity,
            "use e.g. 34.7",
        )?;
        if o.nz as f64 * o.dz_top > o.depth {
            return Err(invalid(
                "ocean.dz_top",
                o.dz_top,
                &format!(
                    "{} levels of {} m exceed ocean.depth = {} m",
                    o.nz, o.dz_top, o.depth
                ),
                "lower ocean.dz_top, reduce ocean.nz or raise ocean.depth",
            ));
        }
        Ok(())
    }

    /// Atmosphere steps per coupling interval.
    pub fn atmosphere_steps_per_coupling(&self) -> usize {
        (self.coupling.interval / self.atmosphere.dt).round() as usize
    }

    /// Ocean steps per coupling interval.
    pub fn ocean_steps_per_coupling(&self) -> usize {
        (self.coupling.interval / self.ocean.dt).round() as usize
    }
}
