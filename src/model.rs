//! The coupled model: atmosphere, ocean, sea ice and land joined by the coupler.
//!
//! [`CoupledModel`] holds what is constant during a run, [`CoupledState`] what evolves, and
//! [`step`] advances the state by one coupling interval Δt_c (`coupling.interval`) under the
//! interval's [`CoupledForcing`] (CO₂, insolation, hosing: built by [`CoupledModel::forcing`],
//! never written into the model), a pure function of the three (so `Autodiff<B>`
//! differentiates it unchanged). The atmosphere is held through its component interface
//! ([`crate::atmos::Atmosphere`]; QTCM1 by default), so a second atmosphere plugs in without
//! touching this module. Components never see each other: the coupler's surface exchange
//! ([`crate::coupler::surface`]) computes the fluxes per surface type on the side where that
//! surface lives, its interval sums ([`crate::coupler::interval`]) become the ice's and the
//! ocean's forcing and the report, and [`step`] is the orchestration of the list below.
//!
//! **One coupling interval** (N_a = Δt_c/Δt_a atmosphere steps, N_o = Δt_c/Δt_o ocean steps):
//!
//! 1. Every atmosphere step: the surface air (at t − Δt, the level the physics uses) goes to
//!    the ocean grid; open-water and sea-ice fluxes are computed there with the SST and the
//!    ice surface temperature of the interval's start; land and land-ice fluxes on the
//!    Gaussian grid with the air brought to the land's altitude. The atmosphere receives the
//!    area-weighted cell means (ocean part by the conservative remap of the
//!    fraction-weighted fluxes), its physics runs, and the land steps with the resulting
//!    radiation and precipitation, implicitly in its own temperature; the heat its implicit
//!    step gives up beyond what the atmosphere received is added to the atmosphere's sensible
//!    heat at the next step ([`CoupledState::land_correction`]). The ocean side accumulates its fluxes: downward radiation
//!    and precipitation remapped to the ocean grid, the open water's net heat flux and
//!    freshwater, the ice's surface flux F̄ and its temperature derivative, snowfall and
//!    sublimation, and the stress on the ocean (the air's stress on open water and, passed
//!    through the ice, on ice).
//! 2. The sea ice steps over Δt_c with the interval's mean forcing, the ocean heat flux of
//!    the surface water and the frazil of the previous interval ([`crate::ice`]). Its
//!    implicit surface flux exceeds what the atmosphere received by c B (Tₛ⁺ − T⁰); this
//!    **implicit-coupling correction** is passed to the atmosphere as sensible heat during
//!    the next interval (held in [`CoupledState::ice_correction`]).
//! 3. The ocean steps N_o times with the interval's mean fluxes: heat
//!    (1 − c)Q_open + Q_ice→ocean − L_f × solid runoff; freshwater
//!    (1 − c)(P − E) + c × rain + ice melt/growth + routed runoff as the virtual salt flux
//!    F_S = −S₀ F_w/ρ₀ (constant reference S₀, ARCHITECTURE §6) plus the ice's salt; stress
//!    averaged to the C-grid faces. Its frazil becomes ice in the next interval.
//!
//! **Conventions** (ARCHITECTURE §6): fluxes are upward-positive into the atmosphere;
//! precipitation reaches the surface liquid (enthalpy 0) and snowfall releases L_f where it
//! freezes (land, ice); sublimation pays L_s; runoff is liquid, calving carries −L_f per kg.
//! The first step of a cold-started atmosphere is a forward half step in its two-level
//! budget, so the surfaces receive that step's fluxes for Δt_a/2 as well.
//!
//! **Budgets** ([`CoupledModel::stores`]): total energy = atmosphere (two-level mean of
//! moist enthalpy and kinetic energy) + ocean heat ρ₀c_p∫Θ dV + land slabs + the frozen
//! water's −L_f M (snow, sea ice, ice-sheet change) − the pending frazil + the pending
//! ice and land corrections changes only by the TOA flux; total water (atmosphere, land, snow, ice and
//! the freshwater the ocean received, [`CoupledState::ocean_freshwater`]) is constant; ocean +
//! ice salt + S₀ × (ocean freshwater received) is constant (rigid lid: the virtual salt flux
//! −S₀F_w stands for the dilution).
//!
//! Shapes: atmosphere fields `[1, nlat, nlon]`, ocean surface fields `[1, ny, nx]`.

use crate::atmos::component::{Atmosphere, Qtcm};
use crate::atmos::physics::{AtmosPhysics, PhysicsForcing};
use crate::atmos::AtmosModel;
use crate::coupler::bulk::SurfaceType;
pub use crate::coupler::interval::CouplingReport;
use crate::coupler::interval::IntervalSums;
use crate::coupler::surface::{land_step, ocean_fluxes, OceanSurface, SurfaceExchange};
use crate::coupler::ExchangeGrid;
use crate::forcing::orbit::Orbit;
use crate::ice::{SeaIceModel, SeaIceState};
use crate::land::{LandModel, LandState};
use crate::ocean::step::{freezing_point, OceanForcing};
use crate::ocean::{OceanModel, OceanState};
use crate::physics::constants::{CP_SEAWATER as CP_OCEAN, KELVIN, RHO0, SECONDS_PER_DAY};
use burn_tensor::{backend::Backend, Tensor};

/// Freshwater hosing: an extra freshwater flux into the ocean over a region and a period.
#[derive(Debug, Clone)]
pub struct Hosing<B: Backend> {
    /// Freshwater flux per unit ocean area (kg m⁻² s⁻¹), `[1, ny, nx]` (0 outside the region).
    pub flux: Tensor<B, 3>,
    /// Start and end of the hosing (s since the start of the run).
    pub period: (f64, f64),
}

/// The time-dependent forcing of one coupling interval, built by the driver from the
/// experiment's tables ([`CoupledModel::forcing`]) and passed to [`step`]; the model itself
/// never changes during a run.
#[derive(Debug, Clone)]
pub struct CoupledForcing<B: Backend> {
    /// CO₂, time and insolation of each of the interval's N_a atmosphere physics calls.
    pub atmos: Vec<PhysicsForcing<B>>,
    /// The freshwater hosing flux (kg m⁻² s⁻¹, `[1, ny, nx]`) when hosing is on during the
    /// interval, `None` otherwise.
    pub hosing: Option<Tensor<B, 3>>,
}

/// Everything constant during a coupled run, with the atmosphere `A` held through its
/// component interface ([`Atmosphere`]; QTCM1 by default).
#[derive(Debug, Clone)]
pub struct CoupledModel<B: Backend, A: Atmosphere<B> = Qtcm<B>> {
    /// The atmosphere (static model: dynamics and physics).
    pub atmos: A,
    /// Ocean.
    pub ocean: OceanModel<B>,
    /// Sea ice.
    pub ice: SeaIceModel<B>,
    /// Land.
    pub land: LandModel<B>,
    /// Remaps, fractions, rivers.
    pub exchange: ExchangeGrid<B>,
    /// The surface exchange: transfer coefficients of every surface type (the land's from its
    /// forest fraction).
    pub surface: SurfaceExchange<B>,
    /// Reference salinity S₀ of the virtual salt flux (g kg⁻¹).
    pub reference_salinity: f64,
    /// Atmosphere steps per coupling interval N_a.
    pub atmos_steps: usize,
    /// Ocean steps per coupling interval N_o.
    pub ocean_steps: usize,
    /// Coupling interval Δt_c (s).
    pub interval: f64,
    /// Optional freshwater hosing: its field and period (off by default); switched on and
    /// off through [`CoupledForcing::hosing`].
    pub hosing: Option<Hosing<B>>,
}

/// Everything that evolves.
#[derive(Debug, Clone)]
pub struct CoupledState<B: Backend, A: Atmosphere<B> = Qtcm<B>> {
    /// The atmosphere's state (QTCM1: two leapfrog levels).
    pub atmos: A::State,
    /// Ocean.
    pub ocean: OceanState<B>,
    /// Sea ice (ocean grid).
    pub ice: SeaIceState<B>,
    /// Land (atmosphere grid).
    pub land: LandState<B>,
    /// Frazil heat the ocean produced in the last interval, not yet ice (J m⁻², ocean grid).
    pub frazil: Tensor<B, 3>,
    /// Implicit-coupling correction owed to the atmosphere over the next interval
    /// (W m⁻² per unit ocean-cell area, ocean grid).
    pub ice_correction: Tensor<B, 3>,
    /// The land's implicit-coupling correction owed to the atmosphere at its next step
    /// (J m⁻² per unit cell area, atmosphere grid): the heat λ(T⁺ − T)Δt the land and
    /// land-ice surfaces gave up beyond the fluxes the atmosphere received ([`crate::land`]).
    pub land_correction: Tensor<B, 3>,
    /// Freshwater the ocean has received since the start (kg), `[1]`.
    pub ocean_freshwater: Tensor<B, 1>,
    /// Time of the state (s since the start of the run).
    pub time: f64,
}

impl<B: Backend, A: Atmosphere<B>> CoupledState<B, A> {
    /// The restart variables of every component and the coupler's pending fluxes, by name
    /// ([`crate::io::fields`]); the step counters and the clock are the restart's counters.
    pub fn visit(&mut self, v: &mut impl crate::io::fields::FieldVisitor<B>) {
        A::visit(&mut self.atmos, v);
        self.ocean.visit(v);
        self.ice.visit(v);
        self.land.visit(v);
        v.visit("frazil", &mut self.frazil);
        v.visit("ice_correction", &mut self.ice_correction);
        v.visit("land_correction", &mut self.land_correction);
        v.visit("ocean_freshwater", &mut self.ocean_freshwater);
    }
}

/// The global stores of a state (each `[1]`), see the module docs.
#[derive(Debug, Clone)]
pub struct Stores<B: Backend> {
    /// Total energy (J).
    pub energy: Tensor<B, 1>,
    /// Total water (kg).
    pub water: Tensor<B, 1>,
    /// Ocean + ice salt + S₀ × ocean freshwater received (g).
    pub salt: Tensor<B, 1>,
    /// Atmosphere energy (J).
    pub atmos_energy: Tensor<B, 1>,
    /// Ocean heat content ρ₀ c_p ∫Θ dV (J, Θ in °C).
    pub ocean_heat: Tensor<B, 1>,
}

/// Top level of an ocean field `[nz, ny, nx]` → `[1, ny, nx]`.
fn top<B: Backend>(x: &Tensor<B, 3>) -> Tensor<B, 3> {
    x.clone().narrow(0, 0, 1)
}

impl<B: Backend, A: Atmosphere<B>> CoupledModel<B, A> {
    /// Global stores of `state` (module docs).
    pub fn stores(&self, state: &CoupledState<B, A>) -> Stores<B> {
        let ex = &self.exchange;
        let total_area = ex.atmos_area.clone().sum();
        let [column_energy, column_water] = self.atmos.column_stores(&state.atmos);
        let atmos_energy = column_energy * total_area.clone();
        let atmos_water = column_water * total_area;
        let o = &self.ocean;
        let ocean_heat = o.integrate_volume(state.ocean.temperature.clone()) * (RHO0 * CP_OCEAN);
        let ocean_salt = o.integrate_volume(state.ocean.salinity.clone()) * RHO0;
        let [el, ei] = self.land.energy(&state.land);
        let [wl, wi] = self.land.water(&state.land);
        let land_energy =
            ex.integrate_atmos(el * ex.land_fraction.clone() + ei * ex.land_ice_fraction.clone());
        let land_water =
            ex.integrate_atmos(wl * ex.land_fraction.clone() + wi * ex.land_ice_fraction.clone());
        let mask = ex.ocean_mask.clone();
        let ice_energy = ex.integrate_ocean(
            (self.ice.enthalpy(&state.ice) - state.frazil.clone()
                + state.ice_correction.clone() * self.interval)
                * mask.clone(),
        ) + ex.integrate_atmos(state.land_correction.clone());
        let ice_water = ex.integrate_ocean(self.ice.mass(&state.ice) * mask.clone());
        let ice_salt = ex.integrate_ocean(self.ice.salt(&state.ice) * mask);
        Stores {
            energy: atmos_energy.clone() + ocean_heat.clone() + land_energy + ice_energy,
            water: atmos_water + land_water + ice_water + state.ocean_freshwater.clone(),
            salt: ocean_salt + ice_salt + state.ocean_freshwater.clone() * self.reference_salinity,
            atmos_energy,
            ocean_heat,
        }
    }
}

impl<B: Backend, A: Atmosphere<B>> CoupledModel<B, A> {
    /// The forcing of the coupling interval starting at `time` (s since the start of the
    /// run) with CO₂ `co2` (ppm) and `orbit`: the insolation of each atmosphere step at its
    /// own time level, and the hosing when `time` lies in its period.
    pub fn forcing(&self, co2: f64, orbit: &Orbit, time: f64) -> CoupledForcing<B> {
        let device = self.exchange.atmos_area.device();
        let atmos = (0..self.atmos_steps)
            .map(|k| {
                let day = (time + k as f64 * self.atmos.dt()) / SECONDS_PER_DAY;
                self.atmos.forcing(co2, orbit, day, &device)
            })
            .collect();
        let hosing = self
            .hosing
            .as_ref()
            .filter(|h| time >= h.period.0 && time < h.period.1)
            .map(|h| h.flux.clone());
        CoupledForcing { atmos, hosing }
    }
}

/// One coupling interval under `forcing` (module docs). Returns the new state and the
/// interval's report.
pub fn step<B: Backend, A: Atmosphere<B>>(
    m: &CoupledModel<B, A>,
    state: CoupledState<B, A>,
    forcing: &CoupledForcing<B>,
) -> (CoupledState<B, A>, CouplingReport<B>) {
    let ex = &m.exchange;
    let mask = ex.ocean_mask.clone();
    // The ocean grid's surface during the interval.
    let sst = top(&state.ocean.temperature);
    let tf = freezing_point(top(&state.ocean.salinity));
    let surface = OceanSurface::new(sst.clone(), &state.ice, &m.ice);

    // The atmosphere steps: exchange → physics and dynamics → land → sums.
    let mut atmos = state.atmos;
    let mut land = state.land;
    let mut land_correction = state.land_correction;
    let mut sums = IntervalSums::new(&ex.land_fraction, &sst);
    debug_assert_eq!(
        forcing.atmos.len(),
        m.atmos_steps,
        "the forcing of an interval has one entry per atmosphere step"
    );
    for atmos_forcing in &forcing.atmos {
        let w = if A::steps(&atmos) == 0 { 0.5 } else { 1.0 };
        let dt = m.atmos.dt() * w;
        let columns = m.atmos.columns(&atmos);
        let air = m.atmos.surface_air(&columns);
        let x = m.surface.exchange(
            ex,
            &m.land,
            &land,
            &surface,
            &air,
            &state.ice_correction,
            &land_correction,
            dt,
        );
        let (next_atmos, d) = m.atmos.step(atmos, &columns, &air, &x.input, atmos_forcing);
        let d = &d;
        let (next, correction, land_sums) = land_step(ex, &m.land, land, &x, d, dt);
        (land, land_correction) = (next, correction);
        let snowfall_temperature = m.land.params.snowfall_temperature;
        let ocean_sums = ocean_fluxes(
            ex,
            &surface,
            &x,
            d,
            snowfall_temperature,
            &state.ice_correction,
        );
        sums = sums.add(w, m.atmos.dt(), d, land_sums, ocean_sums);
        atmos = next_atmos;
    }

    // Sea ice over the interval, then the ocean.
    let ice_forcing = sums.ice_forcing(
        m.ice.ocean_heat_flux(sst, tf.clone()),
        tf + KELVIN,
        state.frazil.clone(),
    );
    let (ice, iex) = m.ice.step(&state.ice, &ice_forcing, m.interval);
    let ice_correction = (iex.surface_flux.clone() - ice_forcing.heat_flux.clone())
        * (state.ice.concentration.clone() * mask.clone());
    let (ocean_forcing, fluxes) = sums.ocean_forcing(
        ex,
        &surface,
        &iex,
        forcing.hosing.as_ref(),
        m.reference_salinity,
    );
    let (ocean, frazil) = ocean_steps(m, state.ocean, &ocean_forcing);
    let report = sums.report(ex, fluxes, m.interval);
    let state = CoupledState {
        atmos,
        ocean,
        ice,
        land,
        frazil: frazil * mask,
        ice_correction,
        land_correction,
        ocean_freshwater: state.ocean_freshwater + report.ocean_freshwater.clone(),
        time: state.time + m.interval,
    };
    (state, report)
}

/// N_o ocean steps under one forcing; returns the state and the frazil heat they made
/// (J m⁻², `[1, ny, nx]`).
fn ocean_steps<B: Backend, A: Atmosphere<B>>(
    m: &CoupledModel<B, A>,
    mut ocean: OceanState<B>,
    forcing: &OceanForcing<B>,
) -> (OceanState<B>, Tensor<B, 3>) {
    let [_, ny, nx] = m.exchange.ocean_mask.dims();
    let mut frazil = m.exchange.ocean_mask.zeros_like();
    for _ in 0..m.ocean_steps {
        let (next, rep) = crate::ocean::step::step(&m.ocean, ocean, forcing);
        ocean = next;
        frazil = frazil + rep.frazil.reshape([1, ny, nx]);
    }
    (ocean, frazil)
}

/// Errors building the coupled model or its initial state.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Grids or the spectral transform could not be built.
    #[error("{0}")]
    Config(String),
    /// Boundary data missing or on another grid.
    #[error(transparent)]
    Data(#[from] crate::forcing::BoundaryError),
    /// A NetCDF file could not be read.
    #[error(transparent)]
    Cf(#[from] crate::io::CfError),
    /// The ocean could not be built.
    #[error(transparent)]
    Ocean(#[from] crate::ocean::OceanModelError),
    /// Rivers or fractions inconsistent with the grids.
    #[error(transparent)]
    Exchange(#[from] crate::coupler::exchange::ExchangeError),
}

/// Initial sea-ice thickness where the climatology has ice (m): Arctic, Southern Ocean.
pub const INITIAL_ICE_THICKNESS: [f64; 2] = [2.0, 1.0];
/// Initial snow depth on that ice (m): Arctic, Southern Ocean.
pub const INITIAL_SNOW_DEPTH: [f64; 2] = [0.2, 0.1];

impl<B: Backend> CoupledModel<B> {
    /// Builds the coupled model for a model configuration; returns it with the boundary data
    /// it read.
    ///
    /// # Errors
    /// [`ModelError`] when grids, boundary data or the ocean cannot be built.
    pub fn new(
        cfg: &crate::config::ModelConfig,
        device: &B::Device,
    ) -> Result<(Self, crate::forcing::BoundaryData), ModelError> {
        use crate::backend::tensor_from_vec;
        let grids =
            crate::grid::ModelGrids::new(cfg).map_err(|e| ModelError::Config(e.to_string()))?;
        let data = crate::forcing::BoundaryData::load(&cfg.model.name, &grids)?;
        let atmos =
            AtmosModel::<B>::new(cfg, device).map_err(|e| ModelError::Config(e.to_string()))?;
        let g = &grids.atmosphere;
        let shape = [1, g.nlat, g.nlon()];
        let lat: Vec<f64> = g.lat_deg.iter().map(|d| d.to_radians()).collect();
        let physics = AtmosPhysics::new(&cfg.atmosphere_physics, lat, device).with_stratus(
            &cfg.atmosphere_physics,
            &data,
            shape,
            device,
        )?;
        let ocean = OceanModel::<B>::new(cfg, &grids, &data, device)?;
        let exchange = ExchangeGrid::new(&grids, &data, device)?;
        let surface = crate::io::CfReader::open(&data.dir.join("atmos_surface.nc"))?;
        let read = |name: &str| -> Result<Tensor<B, 3>, ModelError> {
            let (v, _) = surface.read(name)?;
            let v = v
                .into_iter()
                .map(|x| if x == crate::io::FILL_VALUE { 0.0 } else { x })
                .collect();
            Ok(tensor_from_vec(v, shape, device))
        };
        let forest = read("forest_fraction")?;
        let (cd_forest, cd_grass) = (
            SurfaceType::Land.drag_coefficient(2.0),
            SurfaceType::Land.drag_coefficient(0.1),
        );
        let land = LandModel::new(
            &cfg.land,
            read("albedo_snow_free")?,
            read("field_capacity")?,
            tensor_from_vec(data.atmosphere.orography.clone(), shape, device).clamp_min(0.0),
        );
        Ok((
            CoupledModel {
                atmos: Qtcm {
                    dynamics: atmos,
                    physics,
                },
                ocean,
                ice: SeaIceModel::new(&cfg.sea_ice, device),
                land,
                exchange,
                surface: SurfaceExchange::new(
                    forest * (cd_forest - cd_grass) + cd_grass,
                    cfg.planet.gravity,
                ),
                reference_salinity: cfg.ocean_physics.reference_salinity,
                atmos_steps: cfg.atmosphere_steps_per_coupling(),
                ocean_steps: cfg.ocean_steps_per_coupling(),
                interval: cfg.coupling.interval,
                hosing: None,
            },
            data,
        ))
    }

    /// The cold-start state on 1 January: the Levitus ocean at rest; sea ice where the
    /// January climatology has it, [`INITIAL_ICE_THICKNESS`] thick with
    /// [`INITIAL_SNOW_DEPTH`] of snow and a surface at the air temperature of the ocean's
    /// climatology; the land's initial temperature, soil moisture and snow from
    /// `land_initial.nc` (ice sheets at most 0 °C, their snow at most the cap); an atmosphere
    /// at rest with T₁ putting the surface air 1 K below the zonal-mean surface temperature
    /// and q₁ at 80 % relative humidity.
    ///
    /// # Errors
    /// [`ModelError`] when a boundary file cannot be read.
    pub fn initial_state(
        &self,
        data: &crate::forcing::BoundaryData,
    ) -> Result<CoupledState<B>, ModelError> {
        use crate::backend::{tensor_from_vec, to_vec_f64};
        use crate::io::{CfReader, FILL_VALUE};
        let device = self.exchange.atmos_area.device();
        let ex = &self.exchange;
        let ocean = OceanState::levitus(&self.ocean, &data.dir.join("ocean_initial.nc"), &device)?;
        let [_, nlat, nlon] = ex.atmos_area.dims();
        let [_, ny, nx] = ex.ocean_mask.dims();
        let shape_a = [1, nlat, nlon];
        let unfill = |v: Vec<f64>, f: f64| -> Vec<f64> {
            v.into_iter()
                .map(|x| if x == FILL_VALUE { f } else { x })
                .collect()
        };

        // Sea ice.
        let r = CfReader::open(&data.dir.join("ocean_forcing_monthly.nc"))?;
        let (conc, _) = r.read("sea_ice_fraction")?;
        let (air, _) = r.read("air_temperature")?;
        let wet = to_vec_f64(ex.ocean_mask.clone());
        let lat_o = self.ocean.grid.lat_t_deg.clone();
        let mut c = vec![0.0; ny * nx];
        let (mut vol, mut snow, mut ts) =
            (vec![0.0; ny * nx], vec![0.0; ny * nx], vec![0.0; ny * nx]);
        let tf0 = to_vec_f64(freezing_point(top(&ocean.salinity)));
        for k in 0..ny * nx {
            let hemi = usize::from(lat_o[k / nx] < 0.0);
            let ck = if conc[k] == FILL_VALUE {
                0.0
            } else {
                conc[k].clamp(0.0, 1.0)
            } * wet[k];
            c[k] = ck;
            vol[k] = ck * INITIAL_ICE_THICKNESS[hemi];
            snow[k] = ck * INITIAL_SNOW_DEPTH[hemi];
            let tf = tf0[k] + KELVIN;
            ts[k] = if ck > 0.0 && air[k] != FILL_VALUE {
                air[k].min(tf)
            } else {
                tf
            };
        }
        let shape_o = [1, ny, nx];
        let ice = SeaIceState {
            concentration: tensor_from_vec(c, shape_o, &device),
            volume: tensor_from_vec(vol, shape_o, &device),
            snow_volume: tensor_from_vec(snow, shape_o, &device),
            surface_temperature: tensor_from_vec(ts, shape_o, &device),
        };

        // Land.
        let r = CfReader::open(&data.dir.join("land_initial.nc"))?;
        let sst_a = to_vec_f64(
            ex.to_atmosphere(top(&ocean.temperature) + KELVIN)
                / ex.ocean_fraction.clone().clamp_min(1e-12),
        );
        let (stl, _) = r.read("land_surface_temperature")?;
        let stl: Vec<f64> = stl
            .iter()
            .zip(&sst_a)
            .map(|(&t, &s)| if t == FILL_VALUE { s.max(250.0) } else { t })
            .collect();
        let (wf, _) = r.read("soil_moisture_fraction")?;
        let (swe, _) = r.read("snow_water_equivalent")?;
        let t_land = tensor_from_vec::<B, 3>(stl, shape_a, &device);
        let soil = tensor_from_vec::<B, 3>(unfill(wf, 0.0), shape_a, &device).clamp(0.0, 1.0)
            * self.land.field_capacity.clone();
        let swe = tensor_from_vec::<B, 3>(unfill(swe, 0.0), shape_a, &device).clamp_min(0.0);
        let land = LandState {
            temperature: t_land.clone(),
            soil_water: soil,
            snow: swe.clone(),
            ice_temperature: t_land
                .clone()
                .clamp_max(crate::physics::constants::MELTING_POINT),
            ice_snow: swe.clamp_max(self.land.params.land_ice_snow_cap),
            ice_sheet: t_land.zeros_like(),
        };

        // Atmosphere: zonally uniform start from the cells' mean surface temperature.
        let t4 = |t: Tensor<B, 3>| t.powi_scalar(4);
        let emission = t4(land.temperature.clone()) * ex.land_fraction.clone()
            + t4(land.ice_temperature.clone()) * ex.land_ice_fraction.clone()
            + ex.to_atmosphere(
                t4(top(&ocean.temperature) + KELVIN) * (ice.concentration.clone().neg() + 1.0)
                    + t4(ice.surface_temperature.clone()) * ice.concentration.clone(),
            );
        let ts_cells = to_vec_f64(emission.powf_scalar(0.25));
        let atmos = self.atmos.dynamics.cold_start(&ts_cells);
        let zo = ex.ocean_mask.zeros_like();
        Ok(CoupledState {
            atmos,
            ocean,
            ice,
            land,
            frazil: zo.clone(),
            ice_correction: zo,
            land_correction: ex.atmos_area.zeros_like(),
            ocean_freshwater: ex.atmos_area.zeros_like().sum(),
            time: 0.0,
        })
    }
}
