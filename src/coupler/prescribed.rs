//! The surface of the atmosphere-only modes: prescribed ocean and sea-ice cover (AMIP-like,
//! from the boundary data's monthly SST and sea-ice fraction, or the aquaplanet's "Qobs"
//! SST), the [`crate::land`] component on land and land ice, and a slab on the prescribed sea
//! ice; the fluxes of every surface come from the coupler's surface exchange
//! ([`super::surface`]), the same code as in the coupled model, on the atmosphere's own grid
//! ([`Collocated`]).
//!
//! **Surface types** (fractions of the cell, summing to 1): open ocean f_o(1 − c), sea ice
//! f_o c, ice-free land f_l − f_li, land ice f_li, with f_o, f_l, f_li from `atmos_surface.nc`
//! and the sea-ice concentration c from `forcing_monthly.nc` (both interpolated linearly in
//! time between mid-month records, periodic over the year).
//!
//! **Land and land ice** step as in the coupled model: implicit slab with snow, bucket
//! soil water, snow albedo, the air brought to the land's altitude, and the implicit-coupling
//! correction handed to the atmosphere at the next step ([`crate::land`]). Their runoff
//! leaves the system (there is no ocean to route it to).
//!
//! **Sea-ice slab** (QTCM1's heat capacity C = 4.18e5 J m⁻² K⁻¹, 10 cm of water):
//!
//! C dTᵢ/dt = (1 − αᵢ) F_SW↓ + F_LW↓ − σTᵢ⁴ − H − L_s E + G,
//!
//! with G = k_i (T_f − Tᵢ)/h_i the conduction through ice of fixed thickness h_i = 1.5 m
//! (k_i = 2.03 W m⁻¹ K⁻¹, T_f = 271.35 K; AMIP practice: the ice cover is prescribed, its
//! thickness is not modelled), forward Euler over the atmosphere's Δt (stable for
//! λΔt/C < 1 with λ ≲ 90 W m⁻² K⁻¹: 0.26 at Δt = 1200 s). The surface cannot warm above
//! melting, Tᵢ ≤ 273.15 K: the energy beyond melts ice or snow, which the prescribed cover
//! does not follow. This is the phase change, not a numerical limiter.
//!
//! **Albedos**: ocean 0.07, sea ice 0.6, land and land ice from [`crate::land`]. **Roughness**
//! of land: z₀ = 2 m for the forest fraction and 0.1 m for the rest (QTCM1's forest and
//! grass), giving C_D by [`super::SurfaceType::drag_coefficient`].
//!
//! Shapes: `[1, nlat, nlon]`.
//!
//! # References
//! Neale, R. B. & Hoskins, B. J. (2000), Atmos. Sci. Lett. 1, 101–107 (Qobs); Gates, W. L. et
//! al. (1999), Bull. Amer. Meteor. Soc. 80, 29–55 (AMIP); Semtner, A. J. (1976), J. Phys.
//! Oceanogr. 6, 379–389 (zero-layer ice).

use super::bulk::SurfaceType;
use super::surface::{land_step, Collocated, OceanSurface, StepExchange, SurfaceExchange};
use crate::atmos::physics::AtmosDiagnostics;
use crate::backend::tensor_from_vec;
use crate::config::model::LandConfig;
use crate::forcing::climatology::{interpolate, read_records, read_records_filled, record_days};
use crate::forcing::BoundaryData;
use crate::io::{CfError, CfReader, FILL_VALUE};
use crate::land::{LandModel, LandState};
use crate::physics::constants::{LATENT_HEAT_SUBLIMATION, MELTING_POINT, STEFAN_BOLTZMANN};
use crate::physics::SurfaceAir;
use burn_tensor::{backend::Backend, Tensor};

/// Slab heat capacity C of the sea-ice surface (J m⁻² K⁻¹; QTCM1: 10 cm of water).
pub const SLAB_HEAT_CAPACITY: f64 = 4.18e5;
/// Freezing point of sea water T_f (K).
pub const SEAWATER_FREEZING: f64 = 271.35;
/// Sea-ice conductivity k_i (W m⁻¹ K⁻¹).
pub const ICE_CONDUCTIVITY: f64 = 2.03;
/// Prescribed sea-ice thickness h_i (m).
pub const ICE_THICKNESS: f64 = 1.5;
/// Albedo of sea ice.
pub const SEA_ICE_ALBEDO: f64 = 0.6;

/// The prognostic state of the prescribed surface, each `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct PrescribedState<B: Backend> {
    /// Land and land ice ([`crate::land`]).
    pub land: LandState<B>,
    /// Sea-ice surface temperature (K).
    pub sea_ice_temperature: Tensor<B, 3>,
    /// The land's implicit-coupling correction owed to the atmosphere at the next step
    /// (J m⁻² per unit cell area).
    pub land_correction: Tensor<B, 3>,
}

impl<B: Backend> PrescribedState<B> {
    /// The restart variables, by name ([`crate::io::fields`]).
    pub fn visit(&mut self, v: &mut impl crate::io::fields::FieldVisitor<B>) {
        self.land.visit(v);
        v.visit("surface_sea_ice_temperature", &mut self.sea_ice_temperature);
        v.visit("land_correction", &mut self.land_correction);
    }
}

/// A prescribed surface: fractions, monthly SST and ice, the land component.
#[derive(Debug, Clone)]
pub struct PrescribedSurface<B: Backend> {
    grid: Collocated<B>,
    sst: Vec<Tensor<B, 3>>,
    ice: Vec<Tensor<B, 3>>,
    mid_month: Vec<f64>,
    /// The land component.
    pub land: LandModel<B>,
    /// The coupler's surface exchange (transfer coefficients).
    pub exchange: SurfaceExchange<B>,
}

impl<B: Backend> PrescribedSurface<B> {
    /// Fraction of each cell covered by ice-free land (1), `[1, nlat, nlon]`.
    pub fn land_fraction(&self) -> Tensor<B, 3> {
        self.grid.land_fraction.clone()
    }

    /// The land cover f_l + f_li of each cell (1), `[1, nlat, nlon]`.
    pub fn land_cover(&self) -> Tensor<B, 3> {
        self.grid.land_fraction.clone() + self.grid.land_ice_fraction.clone()
    }
}

/// A field of `atmos_surface.nc` with the fill (cells without land) read as 0.
fn surface_field<B: Backend>(
    r: &CfReader,
    name: &str,
    shape: [usize; 3],
    device: &B::Device,
) -> Result<Tensor<B, 3>, CfError> {
    let (v, _) = r.read(name)?;
    let v = v
        .into_iter()
        .map(|x| if x == FILL_VALUE { 0.0 } else { x })
        .collect();
    Ok(tensor_from_vec(v, shape, device))
}

impl<B: Backend> PrescribedSurface<B> {
    /// The AMIP-like surface from the boundary data (`atmos_surface.nc`,
    /// `forcing_monthly.nc`) on a `nlat × nlon` grid, with the `[land]` settings and the
    /// planet's gravity `gravity` (m s⁻²).
    ///
    /// # Errors
    /// [`CfError`] when a file is missing or on another grid.
    pub fn amip(
        data: &BoundaryData,
        land: &LandConfig,
        gravity: f64,
        nlat: usize,
        nlon: usize,
        device: &B::Device,
    ) -> Result<Self, CfError> {
        let shape = [1, nlat, nlon];
        let t = |v: &Vec<f64>| tensor_from_vec::<B, 3>(v.clone(), shape, device);
        let a = &data.atmosphere;
        let surface = CfReader::open(&data.dir.join("atmos_surface.nc"))?;
        let field = |name: &str| surface_field::<B>(&surface, name, shape, device);
        let forest = field("forest_fraction")?;
        let (cd_forest, cd_grass) = (
            SurfaceType::Land.drag_coefficient(2.0),
            SurfaceType::Land.drag_coefficient(0.1),
        );
        let monthly = CfReader::open(&data.dir.join("forcing_monthly.nc"))?;
        let land_ice = t(&a.land_ice_fraction);
        Ok(PrescribedSurface {
            grid: Collocated {
                ocean_fraction: t(&a.ocean_fraction),
                land_fraction: t(&a.land_fraction) - land_ice.clone(),
                land_ice_fraction: land_ice,
            },
            // Cells without ocean have no SST in the data; they get the freezing point, not 0 K,
            // so that q_sat and σT⁴ of the open-ocean fluxes (weighted by a zero fraction) stay
            // finite in f32: q_sat(0 K) ≈ e^131.6 overflows f32, and 0 × ∞ is NaN (issue 17).
            sst: read_records_filled(
                &monthly,
                "sea_surface_temperature",
                12,
                shape,
                SEAWATER_FREEZING,
                device,
            )?,
            ice: read_records(&monthly, "sea_ice_fraction", 12, shape, device)?,
            mid_month: record_days(&monthly)?,
            land: LandModel::new(
                land,
                field("albedo_snow_free")?,
                field("field_capacity")?,
                tensor_from_vec(a.orography.clone(), shape, device).clamp_min(0.0),
            ),
            exchange: SurfaceExchange::new(forest * (cd_forest - cd_grass) + cd_grass, gravity),
        })
    }

    /// The aquaplanet: ocean everywhere with the Neale & Hoskins (2000) "Qobs" SST,
    /// T = 27 °C (1 − (sin²(3φ/2) + sin⁴(3φ/2))/2) for |φ| < 60°, 0 °C poleward, and no ice;
    /// gravity `gravity` (m s⁻²).
    pub fn aquaplanet(
        land: &LandConfig,
        gravity: f64,
        lat_deg: &[f64],
        nlon: usize,
        device: &B::Device,
    ) -> Self {
        let nlat = lat_deg.len();
        let shape = [1, nlat, nlon];
        let sst: Vec<f64> = lat_deg
            .iter()
            .flat_map(|&l| std::iter::repeat_n(qobs(l), nlon))
            .collect();
        let zero = crate::backend::zeros::<B, 3>(shape, device);
        PrescribedSurface {
            grid: Collocated {
                ocean_fraction: zero.clone() + 1.0,
                land_fraction: zero.clone(),
                land_ice_fraction: zero.clone(),
            },
            sst: vec![tensor_from_vec::<B, 3>(sst, shape, device)],
            ice: vec![zero.clone()],
            mid_month: vec![0.0],
            land: LandModel::new(land, zero.clone(), zero.clone(), zero.clone()),
            exchange: SurfaceExchange::new(zero + SurfaceType::Land.drag_coefficient(0.1), gravity),
        }
    }

    /// The initial surface state: land at `land_temperature` (K) with soil water
    /// `soil_water` (kg m⁻²) and snow `snow` (kg m⁻²), ice sheets at most at melting with at
    /// most the snow cap, sea ice at the freezing point.
    pub fn initial_state(
        &self,
        land_temperature: Tensor<B, 3>,
        soil_water: Tensor<B, 3>,
        snow: Tensor<B, 3>,
    ) -> PrescribedState<B> {
        let land = LandState {
            ice_temperature: land_temperature.clone().clamp_max(MELTING_POINT),
            ice_snow: snow.clone().clamp_max(self.land.params.land_ice_snow_cap),
            ice_sheet: land_temperature.zeros_like(),
            temperature: land_temperature,
            soil_water,
            snow,
        };
        PrescribedState {
            land_correction: land.temperature.zeros_like(),
            sea_ice_temperature: self.sst[0].zeros_like() + SEAWATER_FREEZING,
            land,
        }
    }

    /// The open-ocean temperature (K) on day `day`.
    pub fn exchange_sst(&self, day: f64) -> Tensor<B, 3> {
        self.at_day(&self.sst, day)
    }

    /// The area-weighted mean surface temperature (K) of a state on day 0 (open ocean, sea
    /// ice, land and land ice by their fractions).
    pub fn initial_surface_temperature(&self, state: &PrescribedState<B>) -> Tensor<B, 3> {
        let conc = self.at_day(&self.ice, 0.0);
        let sst = self.at_day(&self.sst, 0.0);
        let g = &self.grid;
        g.ocean_fraction.clone() * (conc.clone().neg() + 1.0) * sst
            + g.ocean_fraction.clone() * conc * state.sea_ice_temperature.clone()
            + g.land_fraction.clone() * state.land.temperature.clone()
            + g.land_ice_fraction.clone() * state.land.ice_temperature.clone()
    }

    /// Linear interpolation between mid-month records on day `day` (periodic).
    fn at_day(&self, fields: &[Tensor<B, 3>], day: f64) -> Tensor<B, 3> {
        interpolate(fields, &self.mid_month, day)
    }

    /// The open water and sea ice of day `day`.
    pub fn ocean_surface(&self, state: &PrescribedState<B>, day: f64) -> OceanSurface<B> {
        let sst = self.at_day(&self.sst, day);
        OceanSurface {
            ice_albedo: sst.ones_like() * SEA_ICE_ALBEDO,
            sst,
            concentration: self.at_day(&self.ice, day),
            ice_temperature: state.sea_ice_temperature.clone(),
        }
    }

    /// The fluxes of every surface for the surface air `air` over a step of `dt` (s)
    /// ([`SurfaceExchange::exchange`]).
    pub fn exchange(
        &self,
        state: &PrescribedState<B>,
        ocean: &OceanSurface<B>,
        air: &SurfaceAir<B>,
        dt: f64,
    ) -> StepExchange<B> {
        let no_ice_correction = ocean.sst.zeros_like();
        self.exchange.exchange(
            &self.grid,
            &self.land,
            &state.land,
            ocean,
            air,
            &no_ice_correction,
            &state.land_correction,
            dt,
        )
    }

    /// Steps the land and the sea-ice slab over `dt` (s) with the fluxes of `x` and the
    /// radiation and precipitation of `diag` (module docs).
    pub fn update(
        &self,
        state: PrescribedState<B>,
        x: &StepExchange<B>,
        diag: &AtmosDiagnostics<B>,
        dt: f64,
    ) -> PrescribedState<B> {
        let (land, land_correction, _) = land_step(&self.grid, &self.land, state.land, x, diag, dt);
        let ts = state.sea_ice_temperature;
        let f = &x.sea_ice;
        let net = diag.rsds.clone() * (1.0 - SEA_ICE_ALBEDO) + diag.rlds.clone()
            - ts.clone().powi_scalar(4) * STEFAN_BOLTZMANN
            - f.sensible.clone()
            - f.evaporation.clone() * LATENT_HEAT_SUBLIMATION;
        let conduction =
            (ts.clone().neg() + SEAWATER_FREEZING) * (ICE_CONDUCTIVITY / ICE_THICKNESS);
        PrescribedState {
            land,
            land_correction,
            sea_ice_temperature: (ts + (net + conduction) * (dt / SLAB_HEAT_CAPACITY))
                .clamp_max(MELTING_POINT),
        }
    }
}

/// The Neale & Hoskins (2000) "Qobs" SST (K) at latitude `lat_deg`.
pub fn qobs(lat_deg: f64) -> f64 {
    if lat_deg.abs() >= 60.0 {
        return MELTING_POINT;
    }
    let s = (1.5 * lat_deg.to_radians()).sin().powi(2);
    MELTING_POINT + 27.0 * (1.0 - 0.5 * (s + s * s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64};

    #[test]
    fn qobs_matches_neale_and_hoskins() {
        assert!((qobs(0.0) - (MELTING_POINT + 27.0)).abs() < 1e-12);
        assert_eq!(qobs(60.0), MELTING_POINT);
        assert_eq!(qobs(-75.0), MELTING_POINT);
        assert!((qobs(59.999) - MELTING_POINT).abs() < 1e-6);
        assert_eq!(qobs(20.0), qobs(-20.0));
        // sin²(3φ/2) at 30° is ½: 27 (1 − (½ + ¼)/2) = 16.875 °C.
        assert!((qobs(30.0) - (MELTING_POINT + 16.875)).abs() < 1e-12);
    }

    #[test]
    fn monthly_fields_interpolate_between_mid_months_periodically() {
        let dev = Default::default();
        let land = crate::config::ResolvedConfig::builtin("t31")
            .unwrap()
            .model
            .land;
        let mut s = PrescribedSurface::<Cpu64>::aquaplanet(&land, 9.80616, &[0.0], 1, &dev);
        let t = |v: f64| tensor_from_vec::<Cpu64, 3>(vec![v], [1, 1, 1], &dev);
        s.mid_month = vec![
            15.5, 45.0, 74.5, 105.0, 135.5, 166.0, 196.5, 227.5, 258.0, 288.5, 319.0, 349.5,
        ];
        s.sst = (0..12).map(|k| t(k as f64)).collect();
        let at = |d: f64| to_vec_f64(s.exchange_sst(d))[0];
        assert!((at(15.5) - 0.0).abs() < 1e-12 && (at(45.0) - 1.0).abs() < 1e-12);
        assert!((at(30.25) - 0.5).abs() < 1e-12);
        // Between 15 December (349.5) and 15 January (15.5 + 365): 11 → 0.
        assert!((at(0.0) - (11.0 - 11.0 * (365.0 - 349.5) / 31.0)).abs() < 1e-12);
        assert!((at(360.0) - (11.0 - 11.0 * (10.5 / 31.0))).abs() < 1e-12);
    }
}
