//! The surface of the atmosphere-only modes: prescribed ocean and sea-ice cover (AMIP-like,
//! from the boundary data's monthly SST and sea-ice fraction, or the aquaplanet's "Qobs"
//! SST), a slab-and-bucket land and slab ice surfaces; bulk fluxes per surface type
//! ([`super::bulk`]) combined by area.
//!
//! **Surface types** (fractions of the cell, summing to 1): open ocean f_o(1 − c), sea ice
//! f_o c, ice-free land f_l − f_li, land ice f_li, with f_o, f_l, f_li from `atmos_surface.nc`
//! and the sea-ice concentration c from `forcing_monthly.nc` (both interpolated linearly in
//! time between mid-month records, periodic over the year).
//!
//! **Slab surfaces** (land, land ice, sea ice; QTCM1's land heat capacity C = 4.18e5
//! J m⁻² K⁻¹, 10 cm of water):
//!
//! C dTₖ/dt = (1 − αₖ) F_SW↓ + F_LW↓ − σTₖ⁴ − Sₖ − L Eₖ + G,
//!
//! with G = k_i (T_f − Tₖ)/h_i the conduction through sea ice of fixed thickness h_i = 1.5 m
//! (k_i = 2.03 W m⁻¹ K⁻¹, T_f = 271.35 K; AMIP practice: the ice cover is prescribed, its
//! thickness is not modelled), 0 elsewhere. Forward Euler over the atmosphere's Δt (stable for
//! λΔt/C < 1 with λ = ∂(net flux)/∂T ≲ 90 W m⁻² K⁻¹: 0.26 at Δt = 1200 s). Ice surfaces
//! cannot warm above melting, T ≤ 273.15 K: the energy beyond melts ice or snow, which the
//! prescribed cover does not follow (it is reported by the budget as the melt flux). This is
//! the phase change, not a numerical limiter.
//!
//! **Bucket** (Manabe 1969): soil water W (kg m⁻²) with field capacity W_FC from the boundary
//! data, dW/dt = P − E − R, evaporation efficiency β = min(1, W/(0.75 W_FC)) and runoff R the
//! water above capacity (removed at once). In the atmosphere-only modes the runoff leaves the
//! system (the coupled model routes it to the ocean, issue 7); no snow on land yet.
//!
//! **Albedos**: ocean 0.07, sea ice 0.6, land ice 0.75, land the boundary data's snow-free
//! albedo. **Roughness** of land: z₀ = 2 m for the forest fraction and 0.1 m for the rest
//! (QTCM1's forest and grass), giving C_D by [`super::SurfaceType::drag_coefficient`].
//!
//! Shapes: `[1, nlat, nlon]`.
//!
//! # References
//! Neale, R. B. & Hoskins, B. J. (2000), Atmos. Sci. Lett. 1, 101–107 (Qobs); Manabe, S.
//! (1969), Mon. Wea. Rev. 97, 739–774; Gates, W. L. et al. (1999), Bull. Amer. Meteor. Soc.
//! 80, 29–55 (AMIP); Semtner, A. J. (1976), J. Phys. Oceanogr. 6, 379–389 (zero-layer ice).

use super::bulk::{bulk_fluxes, SurfaceFluxes, SurfaceType};
use crate::atmos::physics::{AtmosDiagnostics, SurfaceInput};
use crate::backend::tensor_from_vec;
use crate::forcing::climatology::{interpolate, read_records, read_records_filled, record_days};
use crate::forcing::BoundaryData;
use crate::io::{CfError, CfReader};
use crate::physics::constants::{
    LATENT_HEAT_VAPOUR as LATENT_HEAT, MELTING_POINT, OCEAN_ALBEDO, STEFAN_BOLTZMANN,
};
use crate::physics::SurfaceAir;
use burn_tensor::{backend::Backend, Tensor};

/// Slab heat capacity C of land and ice surfaces (J m⁻² K⁻¹; QTCM1: 10 cm of water).
pub const SLAB_HEAT_CAPACITY: f64 = 4.18e5;
/// Freezing point of sea water T_f (K).
pub const SEAWATER_FREEZING: f64 = 271.35;
/// Sea-ice conductivity k_i (W m⁻¹ K⁻¹).
pub const ICE_CONDUCTIVITY: f64 = 2.03;
/// Prescribed sea-ice thickness h_i (m).
pub const ICE_THICKNESS: f64 = 1.5;
/// Albedo of sea ice.
pub const SEA_ICE_ALBEDO: f64 = 0.6;
/// Albedo of land ice.
pub const LAND_ICE_ALBEDO: f64 = 0.75;

/// The prognostic state of the prescribed surface, each `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct PrescribedState<B: Backend> {
    /// Land slab temperature (K).
    pub land_temperature: Tensor<B, 3>,
    /// Land-ice surface temperature (K).
    pub land_ice_temperature: Tensor<B, 3>,
    /// Sea-ice surface temperature (K).
    pub sea_ice_temperature: Tensor<B, 3>,
    /// Soil water W (kg m⁻²).
    pub soil_water: Tensor<B, 3>,
}

/// The per-type fluxes of one exchange, kept for the surface update.
#[derive(Debug, Clone)]
pub struct Exchange<B: Backend> {
    /// Cell-mean input to the atmosphere's physics.
    pub input: SurfaceInput<B>,
    /// Fluxes over land, land ice and sea ice (for their slabs).
    pub land: SurfaceFluxes<B>,
    /// Land ice.
    pub land_ice: SurfaceFluxes<B>,
    /// Sea ice.
    pub sea_ice: SurfaceFluxes<B>,
    /// Area fractions of open ocean, sea ice, land and land ice.
    pub fractions: [Tensor<B, 3>; 4],
    /// The open-ocean temperature used (K).
    pub sst: Tensor<B, 3>,
}

/// A prescribed surface: fractions, monthly SST and ice, land parameters.
#[derive(Debug, Clone)]
pub struct PrescribedSurface<B: Backend> {
    ocean: Tensor<B, 3>,
    land: Tensor<B, 3>,
    land_ice: Tensor<B, 3>,
    sst: Vec<Tensor<B, 3>>,
    ice: Vec<Tensor<B, 3>>,
    mid_month: Vec<f64>,
    land_albedo: Tensor<B, 3>,
    field_capacity: Tensor<B, 3>,
    cd_land: Tensor<B, 3>,
    /// Atmosphere time step Δt (s) of the slab and bucket updates.
    pub dt: f64,
}

impl<B: Backend> PrescribedSurface<B> {
    /// The AMIP-like surface from the boundary data (`atmos_surface.nc`,
    /// `forcing_monthly.nc`) on a `nlat × nlon` grid.
    ///
    /// # Errors
    /// [`CfError`] when a file is missing or on another grid.
    pub fn amip(
        data: &BoundaryData,
        nlat: usize,
        nlon: usize,
        dt: f64,
        device: &B::Device,
    ) -> Result<Self, CfError> {
        let shape = [1, nlat, nlon];
        let t = |v: &Vec<f64>| tensor_from_vec::<B, 3>(v.clone(), shape, device);
        let a = &data.atmosphere;
        let surface = CfReader::open(&data.dir.join("atmos_surface.nc"))?;
        let one = |name: &str| -> Result<Tensor<B, 3>, CfError> {
            Ok(read_records(&surface, name, 1, shape, device)?.remove(0))
        };
        let forest = one("forest_fraction")?;
        let cd_forest = SurfaceType::Land.drag_coefficient(2.0);
        let cd_grass = SurfaceType::Land.drag_coefficient(0.1);
        let monthly = CfReader::open(&data.dir.join("forcing_monthly.nc"))?;
        let mid_month = record_days(&monthly)?;
        Ok(PrescribedSurface {
            ocean: t(&a.ocean_fraction),
            land: t(&a.land_fraction),
            land_ice: t(&a.land_ice_fraction),
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
            mid_month,
            land_albedo: one("albedo_snow_free")?,
            // The fill value (cells without land) reads as 0; any positive value will do there.
            field_capacity: {
                let fc = one("field_capacity")?;
                let empty = fc.clone().lower_equal_elem(0.0);
                fc.mask_fill(empty, 150.0)
            },
            cd_land: forest.clone() * (cd_forest - cd_grass) + cd_grass,
            dt,
        })
    }

    /// The aquaplanet: ocean everywhere with the Neale & Hoskins (2000) "Qobs" SST,
    /// T = 27 °C (1 − (sin²(3φ/2) + sin⁴(3φ/2))/2) for |φ| < 60°, 0 °C poleward, and no ice.
    pub fn aquaplanet(lat_deg: &[f64], nlon: usize, dt: f64, device: &B::Device) -> Self {
        let nlat = lat_deg.len();
        let shape = [1, nlat, nlon];
        let sst: Vec<f64> = lat_deg
            .iter()
            .flat_map(|&l| {
                let v = qobs(l);
                std::iter::repeat_n(v, nlon)
            })
            .collect();
        let zero = crate::backend::zeros::<B, 3>(shape, device);
        let sst = tensor_from_vec::<B, 3>(sst, shape, device);
        PrescribedSurface {
            ocean: zero.clone() + 1.0,
            land: zero.clone(),
            land_ice: zero.clone(),
            sst: vec![sst],
            ice: vec![zero.clone()],
            mid_month: vec![0.0],
            land_albedo: zero.clone(),
            field_capacity: zero.clone() + 150.0,
            cd_land: zero + SurfaceType::Land.drag_coefficient(0.1),
            dt,
        }
    }

    /// The initial surface state: land and ice slabs at `land_temperature` (K; ice capped at
    /// melting), soil water `soil_water` (kg m⁻²).
    pub fn initial_state(
        &self,
        land_temperature: Tensor<B, 3>,
        soil_water: Tensor<B, 3>,
    ) -> PrescribedState<B> {
        let ice = land_temperature.clone().clamp_max(MELTING_POINT);
        PrescribedState {
            land_temperature,
            land_ice_temperature: ice,
            sea_ice_temperature: self.sst[0].zeros_like() + SEAWATER_FREEZING,
            soil_water,
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
        self.ocean.clone() * (conc.clone().neg() + 1.0) * sst
            + self.ocean.clone() * conc * state.sea_ice_temperature.clone()
            + (self.land.clone() - self.land_ice.clone()) * state.land_temperature.clone()
            + self.land_ice.clone() * state.land_ice_temperature.clone()
    }

    /// Linear interpolation between mid-month records on day `day` (periodic).
    fn at_day(&self, fields: &[Tensor<B, 3>], day: f64) -> Tensor<B, 3> {
        interpolate(fields, &self.mid_month, day)
    }

    /// Surface fluxes for the surface-air state `air` on day `day`.
    pub fn exchange(
        &self,
        state: &PrescribedState<B>,
        air: &SurfaceAir<B>,
        day: f64,
    ) -> Exchange<B> {
        let sst = self.at_day(&self.sst, day);
        let conc = self.at_day(&self.ice, day);
        let f_open = self.ocean.clone() * (conc.clone().neg() + 1.0);
        let f_ice = self.ocean.clone() * conc;
        let f_land = self.land.clone() - self.land_ice.clone();
        let f_li = self.land_ice.clone();
        let one = sst.ones_like();
        let beta = (state.soil_water.clone() / (self.field_capacity.clone() * 0.75)).clamp_max(1.0);
        let ocean = bulk_fluxes(air, sst.clone(), one.clone(), 1.1e-3);
        let ice_cd = SurfaceType::SeaIce.drag_coefficient(1e-3);
        let sea_ice = bulk_fluxes(air, state.sea_ice_temperature.clone(), one.clone(), ice_cd);
        let land_ice = bulk_fluxes(air, state.land_ice_temperature.clone(), one, ice_cd);
        // Land: the per-cell drag coefficient enters through the flux scale (fluxes ∝ C_D).
        let land_unit = bulk_fluxes(air, state.land_temperature.clone(), beta, 1.0);
        let land = SurfaceFluxes {
            sensible: land_unit.sensible * self.cd_land.clone(),
            evaporation: land_unit.evaporation * self.cd_land.clone(),
            stress_x: land_unit.stress_x * self.cd_land.clone(),
            stress_y: land_unit.stress_y * self.cd_land.clone(),
        };
        let all = SurfaceFluxes::combine(vec![
            (f_open.clone(), ocean),
            (f_ice.clone(), sea_ice.clone()),
            (f_land.clone(), land.clone()),
            (f_li.clone(), land_ice.clone()),
        ]);
        let t4 = |t: &Tensor<B, 3>| t.clone().powi_scalar(4);
        let emission = f_open.clone() * t4(&sst)
            + f_ice.clone() * t4(&state.sea_ice_temperature)
            + f_land.clone() * t4(&state.land_temperature)
            + f_li.clone() * t4(&state.land_ice_temperature);
        let albedo = f_open.clone() * OCEAN_ALBEDO
            + f_ice.clone() * SEA_ICE_ALBEDO
            + f_land.clone() * self.land_albedo.clone()
            + f_li.clone() * LAND_ICE_ALBEDO;
        Exchange {
            input: SurfaceInput {
                temperature: emission.powf_scalar(0.25),
                albedo,
                sensible: all.sensible,
                evaporation: all.evaporation,
                stress_x: all.stress_x,
                stress_y: all.stress_y,
            },
            land,
            land_ice,
            sea_ice,
            fractions: [f_open, f_ice, f_land, f_li],
            sst,
        }
    }

    /// Steps the slabs and the bucket over Δt with the fluxes of `ex` and the radiation and
    /// precipitation of `diag` (module docs).
    pub fn update(
        &self,
        state: PrescribedState<B>,
        ex: &Exchange<B>,
        diag: &AtmosDiagnostics<B>,
    ) -> PrescribedState<B> {
        let k = self.dt / SLAB_HEAT_CAPACITY;
        let slab = |t: Tensor<B, 3>, albedo: Tensor<B, 3>, f: &SurfaceFluxes<B>| {
            let net = diag.rsds.clone() * (albedo.neg() + 1.0) + diag.rlds.clone()
                - t.clone().powi_scalar(4) * STEFAN_BOLTZMANN
                - f.sensible.clone()
                - f.evaporation.clone() * LATENT_HEAT;
            (t, net)
        };
        let ones = diag.rsds.ones_like();
        let (tl, nl) = slab(state.land_temperature, self.land_albedo.clone(), &ex.land);
        let (ti, ni) = slab(
            state.land_ice_temperature,
            ones.clone() * LAND_ICE_ALBEDO,
            &ex.land_ice,
        );
        let (ts, ns) = slab(
            state.sea_ice_temperature,
            ones * SEA_ICE_ALBEDO,
            &ex.sea_ice,
        );
        let conduction =
            (ts.clone().neg() + SEAWATER_FREEZING) * (ICE_CONDUCTIVITY / ICE_THICKNESS);
        let water = state.soil_water + (diag.pr.clone() - ex.land.evaporation.clone()) * self.dt;
        let runoff = (water.clone() - self.field_capacity.clone()).clamp_min(0.0);
        PrescribedState {
            land_temperature: tl + nl * k,
            land_ice_temperature: (ti + ni * k).clamp_max(MELTING_POINT),
            sea_ice_temperature: (ts + (ns + conduction) * k).clamp_max(MELTING_POINT),
            soil_water: water - runoff,
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
        let mut s = PrescribedSurface::<Cpu64>::aquaplanet(&[0.0], 1, 1200.0, &dev);
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
