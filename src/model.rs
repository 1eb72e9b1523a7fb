//! The coupled model: atmosphere, ocean, sea ice and land joined by the coupler.
//!
//! [`CoupledModel`] holds what is constant during a run, [`CoupledState`] what evolves, and
//! [`step`] advances the state by one coupling interval Δt_c (`coupling.interval`), a pure
//! function of the two (so `Autodiff<B>` differentiates it unchanged). Components never
//! see each other: the coupler's [`ExchangeGrid`] remaps fields between the Gaussian and the
//! ocean grids, the bulk formulae ([`crate::coupler::bulk`]) compute the fluxes per surface
//! type on the side where that surface lives, and this module passes the results on.
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

use crate::atmos::dynamics::SurfaceAir;
use crate::atmos::physics::{AtmosPhysics, SurfaceInput};
use crate::atmos::qtcm::{qsat, CP_AIR, LATENT_HEAT};
use crate::atmos::radiation::STEFAN_BOLTZMANN;
use crate::atmos::{AtmosModel, AtmosState};
use crate::coupler::bulk::{bulk_fluxes, transfer_coefficient, SurfaceFluxes, SurfaceType};
use crate::coupler::ExchangeGrid;
use crate::ice::{IceForcing, SeaIceModel, SeaIceState, LATENT_HEAT_FUSION};
use crate::land::{air_at_altitude, LandModel, LandState, SurfaceForcing};
use crate::numerics::stencil::{east, north};
use crate::ocean::eos::RHO0;
use crate::ocean::model::CP_OCEAN;
use crate::ocean::step::{freezing_point, OceanForcing};
use crate::ocean::{OceanModel, OceanState};
use burn_tensor::{backend::Backend, Tensor};

/// Celsius to kelvin.
const KELVIN: f64 = 273.15;
/// Albedo of open water.
pub const OCEAN_ALBEDO: f64 = 0.07;
/// Neutral transfer coefficient over open water (QTCM1 v2.3).
pub const OCEAN_DRAG: f64 = 1.1e-3;

/// Freshwater hosing: an extra freshwater flux into the ocean over a region and a period.
#[derive(Debug, Clone)]
pub struct Hosing<B: Backend> {
    /// Freshwater flux per unit ocean area (kg m⁻² s⁻¹), `[1, ny, nx]` (0 outside the region).
    pub flux: Tensor<B, 3>,
    /// Start and end of the hosing (s since the start of the run).
    pub period: (f64, f64),
}

/// Everything constant during a coupled run.
#[derive(Debug, Clone)]
pub struct CoupledModel<B: Backend> {
    /// Atmosphere dynamics.
    pub atmos: AtmosModel<B>,
    /// Atmosphere column physics (with the experiment's CO₂ and orbit).
    pub physics: AtmosPhysics<B>,
    /// Ocean.
    pub ocean: OceanModel<B>,
    /// Sea ice.
    pub ice: SeaIceModel<B>,
    /// Land.
    pub land: LandModel<B>,
    /// Remaps, fractions, rivers.
    pub exchange: ExchangeGrid<B>,
    /// Neutral transfer coefficient of ice-free land (roughness from the forest fraction).
    pub land_drag: Tensor<B, 3>,
    /// Reference salinity S₀ of the virtual salt flux (g kg⁻¹).
    pub reference_salinity: f64,
    /// Atmosphere steps per coupling interval N_a.
    pub atmos_steps: usize,
    /// Ocean steps per coupling interval N_o.
    pub ocean_steps: usize,
    /// Coupling interval Δt_c (s).
    pub interval: f64,
    /// Optional freshwater hosing (off by default).
    pub hosing: Option<Hosing<B>>,
}

/// Everything that evolves.
#[derive(Debug, Clone)]
pub struct CoupledState<B: Backend> {
    /// Atmosphere (two leapfrog levels).
    pub atmos: AtmosState<B>,
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

/// Integrals over one coupling interval (each `[1]`, J, kg or g over the globe), for the
/// budget report of the run driver.
#[derive(Debug, Clone)]
pub struct CouplingReport<B: Backend> {
    /// ∫ TOA net downward flux dA dt (J).
    pub toa: Tensor<B, 1>,
    /// Upward energy flux into the atmosphere from the surface, as the atmosphere received it
    /// (J): ∫ (rlus − rlds + rsus − rsds + hfss + hfls) dA dt.
    pub surface_atmos_side: Tensor<B, 1>,
    /// The same, summed from the land's and the ocean grid's own fluxes (J).
    pub surface_component_side: Tensor<B, 1>,
    /// Evaporation minus precipitation as the atmosphere received it (kg).
    pub water_atmos_side: Tensor<B, 1>,
    /// The same from the land's and the ocean grid's fluxes (kg).
    pub water_component_side: Tensor<B, 1>,
    /// Evaporation plus precipitation as the atmosphere received it (kg): the scale of the
    /// water exchange.
    pub water_gross: Tensor<B, 1>,
    /// ∫|net surface energy flux| dt dA on the atmosphere side (J): the scale of the surface
    /// exchange, for relative budget checks (the net integral can pass through zero).
    pub surface_gross: Tensor<B, 1>,
    /// Heat into the ocean over the interval, ∫ Q dA dt (J), frazil excluded.
    pub ocean_heat: Tensor<B, 1>,
    /// Freshwater into the ocean (kg).
    pub ocean_freshwater: Tensor<B, 1>,
    /// Salt into the ocean (g).
    pub ocean_salt: Tensor<B, 1>,
    /// Interval means of the atmosphere's diagnostics for output, each `[1, nlat, nlon]`:
    /// the fields of [`crate::atmos::physics::DIAGNOSTICS`] in its order, then the net
    /// downward TOA flux rsdt − rsut − rlut (W m⁻²).
    pub atmos_means: Vec<Tensor<B, 3>>,
    /// Interval means of the ocean's surface forcing for output, each `[1, ny, nx]` on the
    /// ocean grid (zero on land): net downward heat flux into the sea water (W m⁻², frazil
    /// excluded) and freshwater flux into it (kg m⁻² s⁻¹, runoff and hosing included).
    pub ocean_means: [Tensor<B, 3>; 2],
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

/// dq_sat/dT (K⁻¹) of QTCM1's saturation humidity at 1000 hPa.
fn dqsat_dt<B: Backend>(t: Tensor<B, 3>) -> Tensor<B, 3> {
    let tc = t.clone() - KELVIN;
    qsat(t) * 17.27 * 237.3 / (tc + 237.3).powi_scalar(2)
}

fn scale<B: Backend>(f: SurfaceFluxes<B>, c: Tensor<B, 3>) -> SurfaceFluxes<B> {
    SurfaceFluxes {
        sensible: f.sensible * c.clone(),
        evaporation: f.evaporation * c.clone(),
        stress_x: f.stress_x * c.clone(),
        stress_y: f.stress_y * c,
    }
}

impl<B: Backend> CoupledModel<B> {
    /// Global stores of `state` (module docs).
    pub fn stores(&self, state: &CoupledState<B>) -> Stores<B> {
        let ex = &self.exchange;
        let total_area = ex.atmos_area.clone().sum();
        let two_level = |k: usize| {
            let budget = |x: &Tensor<B, 4>| {
                let (h, ke, w) = self.atmos.column_stores(x);
                [h + ke, w]
            };
            let a = budget(&state.atmos.previous);
            let b = budget(&state.atmos.current);
            (a[k].clone() + b[k].clone()) * 0.5
        };
        let atmos_energy = two_level(0) * total_area.clone();
        let atmos_water = two_level(1) * total_area;
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

/// One coupling interval (module docs). Returns the new state and the interval's report.
pub fn step<B: Backend>(
    m: &CoupledModel<B>,
    state: CoupledState<B>,
) -> (CoupledState<B>, CouplingReport<B>) {
    let ex = &m.exchange;
    let lp = &m.land.params;
    let dta = m.atmos.dt;
    let sigma = STEFAN_BOLTZMANN;
    let lf = LATENT_HEAT_FUSION;
    let ls = LATENT_HEAT + lf;
    let mask = ex.ocean_mask.clone();
    let (f_l, f_li) = (ex.land_fraction.clone(), ex.land_ice_fraction.clone());
    let (has_land, has_ice) = (
        f_l.clone().greater_elem(0.0),
        f_li.clone().greater_elem(0.0),
    );

    // The ocean grid's surface during the interval.
    let sst = top(&state.ocean.temperature);
    let sss = top(&state.ocean.salinity);
    let tf = freezing_point(sss);
    let sst_k = sst.clone() + KELVIN;
    let c = state.ice.concentration.clone();
    let open = (c.clone().neg() + 1.0) * mask.clone();
    let ice_frac = c.clone() * mask.clone();
    let ts_i = state.ice.surface_temperature.clone();
    let alpha_i = m.ice.albedo(&state.ice);
    let ones_o = sst.ones_like();
    let ice_cd = SurfaceType::SeaIce.drag_coefficient(1e-3);

    let mut atmos = state.atmos;
    let mut land = state.land;
    let mut land_correction = state.land_correction;
    let zo = || sst.zeros_like();
    let (mut q_open, mut fw_open, mut tau_x, mut tau_y) = (zo(), zo(), zo(), zo());
    let (mut f_ice, mut b_ice, mut snow_ice, mut sub_ice) = (zo(), zo(), zo(), zo());
    let za = || f_l.zeros_like();
    let (mut runoff, mut solid) = (za(), za());
    // Report fields, time-integrated (× Δt) per cell and reduced to global integrals once per
    // interval.
    let (mut toa, mut sfc_a, mut sfc_c, mut w_a, mut w_c) = (za(), za(), za(), za(), za());
    let (mut w_gross, mut sfc_c_o, mut w_c_o, mut sfc_gross) = (za(), zo(), zo(), za());
    let mut atmos_sums: Option<Vec<Tensor<B, 3>>> = None;
    for k in 0..m.atmos_steps {
        let w = if atmos.step == 0 { 0.5 } else { 1.0 };
        let day = (state.time + k as f64 * dta) / 86_400.0;
        let old = if atmos.step == 0 {
            &atmos.current
        } else {
            &atmos.previous
        };
        let g = m.atmos.grid_fields(old);
        let air = m.atmos.surface_air(&g);

        // Ocean-grid surfaces.
        let air_o = SurfaceAir {
            temperature: ex.to_ocean(air.temperature.clone()),
            humidity: ex.to_ocean(air.humidity.clone()),
            u: ex.to_ocean(air.u.clone()),
            v: ex.to_ocean(air.v.clone()),
        };
        let fo = bulk_fluxes(&air_o, sst_k.clone(), ones_o.clone(), OCEAN_DRAG);
        let fi = bulk_fluxes(&air_o, ts_i.clone(), ones_o.clone(), ice_cd);
        let rcv_i = transfer_coefficient(&air_o, ts_i.clone(), ice_cd);
        // Land surfaces.
        let air_l = air_at_altitude(&air, m.land.orography.clone(), lp.lapse_rate);
        // Land evaporation is linear in β: compute it at β = 1, then limit β to the water
        // the surface holds over this step.
        let fl = scale(
            bulk_fluxes(&air_l, land.temperature.clone(), f_l.ones_like(), 1.0),
            m.land_drag.clone(),
        );
        let beta = m
            .land
            .limited_wetness(&land, fl.evaporation.clone(), dta * w);
        let fl = SurfaceFluxes {
            evaporation: fl.evaporation * beta.clone(),
            ..fl
        };
        let fli = bulk_fluxes(
            &air_l,
            land.ice_temperature.clone(),
            f_l.ones_like(),
            ice_cd,
        );
        // λ = ∂(σT⁴ + H + L E)/∂T of each land surface, for its implicit step.
        let lambda = |t: &Tensor<B, 3>, rcv: Tensor<B, 3>, beta: Tensor<B, 3>, l: f64| {
            t.clone().powi_scalar(3) * (4.0 * sigma)
                + rcv * (dqsat_dt(t.clone()) * beta * l + CP_AIR)
        };
        let lambda_l = lambda(
            &land.temperature,
            transfer_coefficient(&air_l, land.temperature.clone(), 1.0) * m.land_drag.clone(),
            beta,
            LATENT_HEAT,
        );
        let lambda_li = lambda(
            &land.ice_temperature,
            transfer_coefficient(&air_l, land.ice_temperature.clone(), ice_cd),
            f_l.ones_like(),
            ls,
        );
        // The previous step's land correction, as a flux over this step.
        let owed = land_correction.clone() / (dta * w);
        // Cell means for the atmosphere.
        let ocean_part = |o: Tensor<B, 3>, i: Tensor<B, 3>| {
            ex.to_atmosphere(o * (c.clone().neg() + 1.0) + i * c.clone())
        };
        let cell = |l: Tensor<B, 3>, li: Tensor<B, 3>, o: Tensor<B, 3>, i: Tensor<B, 3>| {
            l * f_l.clone() + li * f_li.clone() + ocean_part(o, i)
        };
        let t4 = |t: &Tensor<B, 3>| t.clone().powi_scalar(4) * sigma;
        let emission = cell(
            t4(&land.temperature),
            t4(&land.ice_temperature),
            t4(&sst_k),
            t4(&ts_i),
        );
        let albedo = cell(
            m.land.albedo(&land),
            f_l.ones_like() * lp.land_ice_albedo,
            ones_o.clone() * OCEAN_ALBEDO,
            alpha_i.clone(),
        );
        let input = SurfaceInput {
            temperature: (emission.clone() / sigma).powf_scalar(0.25),
            albedo,
            sensible: cell(
                fl.sensible.clone(),
                fli.sensible.clone(),
                fo.sensible.clone(),
                fi.sensible.clone(),
            ) + ex.to_atmosphere(state.ice_correction.clone())
                + owed.clone(),
            evaporation: cell(
                fl.evaporation.clone(),
                fli.evaporation.clone(),
                fo.evaporation.clone(),
                fi.evaporation.clone(),
            ),
            stress_x: cell(
                fl.stress_x.clone(),
                fli.stress_x.clone(),
                fo.stress_x.clone(),
                fi.stress_x.clone(),
            ),
            stress_y: cell(
                fl.stress_y.clone(),
                fli.stress_y.clone(),
                fo.stress_y.clone(),
                fi.stress_y.clone(),
            ),
        };
        let out = m.physics.compute(&m.atmos, &g, &air, &input, day);
        let d = out.diagnostics;

        // Land.
        let [rain_l, snow_l] = m.land.partition(d.pr.clone(), &air_l);
        let forcing = |f: &SurfaceFluxes<B>, lambda: Tensor<B, 3>| SurfaceForcing {
            sw_down: d.rsds.clone(),
            lw_down: d.rlds.clone(),
            rain: rain_l.clone(),
            snowfall: snow_l.clone(),
            sensible: f.sensible.clone(),
            evaporation: f.evaporation.clone(),
            heat_flux_derivative: lambda,
        };
        let net_up = |t: &Tensor<B, 3>, albedo: Tensor<B, 3>, f: &SurfaceFluxes<B>| {
            t4(t) + f.sensible.clone() + f.evaporation.clone() * LATENT_HEAT
                - d.rsds.clone() * (albedo.neg() + 1.0)
                - d.rlds.clone()
        };
        let land_up = net_up(&land.temperature, m.land.albedo(&land), &fl) * f_l.clone()
            + net_up(
                &land.ice_temperature,
                f_l.ones_like() * lp.land_ice_albedo,
                &fli,
            ) * f_li.clone()
            + owed;
        let land_ep = (fl.evaporation.clone() - d.pr.clone()) * f_l.clone()
            + (fli.evaporation.clone() - d.pr.clone()) * f_li.clone();
        let (next, r, corr) = m.land.step(
            &land,
            &forcing(&fl, lambda_l),
            &forcing(&fli, lambda_li),
            dta * w,
        );
        land_correction = (corr.land.mask_fill(has_land.clone().bool_not(), 0.0) * f_l.clone()
            + corr.ice.mask_fill(has_ice.clone().bool_not(), 0.0) * f_li.clone())
            * (dta * w);
        // Surfaces that the cell does not have keep their state (their fluxes count zero).
        let keep = |old: Tensor<B, 3>, new: Tensor<B, 3>, has: &Tensor<B, 3, burn_tensor::Bool>| {
            old.mask_where(has.clone(), new)
        };
        land = LandState {
            temperature: keep(land.temperature, next.temperature, &has_land),
            soil_water: keep(land.soil_water, next.soil_water, &has_land),
            snow: keep(land.snow, next.snow, &has_land),
            ice_temperature: keep(land.ice_temperature, next.ice_temperature, &has_ice),
            ice_snow: keep(land.ice_snow, next.ice_snow, &has_ice),
            ice_sheet: keep(land.ice_sheet, next.ice_sheet, &has_ice),
        };
        runoff = runoff
            + (r.land * f_l.clone() + (r.ice_liquid + r.ice_solid.clone()) * f_li.clone()) * w;
        solid = solid + r.ice_solid * f_li.clone() * w;

        // Ocean side.
        let sw_o = ex.to_ocean(d.rsds.clone());
        let lw_o = ex.to_ocean(d.rlds.clone());
        let p_o = ex.to_ocean(d.pr.clone());
        let cold = air_o
            .temperature
            .clone()
            .lower_elem(lp.snowfall_temperature);
        let snow_o = p_o.zeros_like().mask_where(cold, p_o.clone());
        let rain_o = p_o.clone() - snow_o.clone();
        let q = sw_o.clone() * (1.0 - OCEAN_ALBEDO) + lw_o.clone()
            - t4(&sst_k)
            - fo.sensible.clone()
            - fo.evaporation.clone() * LATENT_HEAT;
        let fice = t4(&ts_i) + fi.sensible.clone() + fi.evaporation.clone() * ls
            - sw_o * (alpha_i.clone().neg() + 1.0)
            - lw_o
            - snow_o.clone() * lf;
        // What the atmosphere sees over the ice: snowfall arrives liquid, vapour carries L_v.
        let fice_seen = fice.clone() + snow_o.clone() * lf - fi.evaporation.clone() * lf;
        q_open = q_open + q.clone() * w;
        fw_open = fw_open
            + ((p_o.clone() - fo.evaporation.clone()) * (c.clone().neg() + 1.0)
                + rain_o * c.clone())
                * w;
        tau_x = tau_x
            + (fo.stress_x.clone() * (c.clone().neg() + 1.0) + fi.stress_x.clone() * c.clone()) * w;
        tau_y = tau_y
            + (fo.stress_y.clone() * (c.clone().neg() + 1.0) + fi.stress_y.clone() * c.clone()) * w;
        f_ice = f_ice + fice * w;
        b_ice = b_ice
            + (ts_i.clone().powi_scalar(3) * (4.0 * sigma)
                + rcv_i * (dqsat_dt(ts_i.clone()) * ls + CP_AIR))
                * w;
        snow_ice = snow_ice + snow_o * w;
        sub_ice = sub_ice + fi.evaporation.clone() * w;

        // Exchange report (atmosphere side vs component side).
        let dtw = dta * w;
        toa = toa + d.toa_net() * dtw;
        let mut list: Vec<Tensor<B, 3>> = d.fields().into();
        list.push(d.toa_net());
        atmos_sums = Some(match atmos_sums {
            None => list,
            Some(s) => s.into_iter().zip(list).map(|(a, b)| a + b).collect(),
        });
        let sfc_net = d.surface_net();
        sfc_gross = sfc_gross + sfc_net.clone().abs() * dtw;
        sfc_a = sfc_a + sfc_net.neg() * dtw;
        let ocean_up = (q.neg() * (c.clone().neg() + 1.0) + fice_seen * c.clone()) * mask.clone()
            + state.ice_correction.clone();
        sfc_c = sfc_c + land_up * dtw;
        sfc_c_o = sfc_c_o + ocean_up * dtw;
        w_a = w_a + (d.evspsbl.clone() - d.pr.clone()) * dtw;
        w_gross = w_gross + (d.evspsbl.clone() + d.pr.clone()) * dtw;
        let ocean_ep = ((fo.evaporation.clone() - p_o.clone()) * (c.clone().neg() + 1.0)
            + (fi.evaporation.clone() - p_o) * c.clone())
            * mask.clone();
        w_c = w_c + land_ep * dtw;
        w_c_o = w_c_o + ocean_ep * dtw;

        atmos = m.atmos.step(atmos, Some(&out.forcing));
    }
    let n = m.atmos_steps as f64;
    let dtc = m.interval;

    // Sea ice over the interval.
    let tf_k = tf.clone() + KELVIN;
    let ice_forcing = IceForcing {
        heat_flux: f_ice.clone() / n,
        heat_flux_derivative: b_ice / n,
        snowfall: snow_ice / n,
        sublimation: sub_ice / n,
        ocean_heat: m.ice.ocean_heat_flux(sst.clone(), tf.clone()),
        freezing_temperature: tf_k,
        frazil: state.frazil.clone(),
    };
    let (ice, iex) = m.ice.step(&state.ice, &ice_forcing, dtc);
    let ice_correction =
        (iex.surface_flux.clone() - ice_forcing.heat_flux.clone()) * ice_frac.clone();

    // The ocean's forcing: interval means per unit ocean-cell area.
    let routed_heat = ex.route(solid / n * (-lf));
    let heat = open.clone() * q_open / n + iex.heat.clone() * mask.clone() + routed_heat;
    let mut freshwater =
        (fw_open / n + iex.freshwater.clone()) * mask.clone() + ex.route(runoff / n);
    if let Some(h) = &m.hosing {
        if state.time >= h.period.0 && state.time < h.period.1 {
            freshwater = freshwater + h.flux.clone() * mask.clone();
        }
    }
    let salt = freshwater.clone() * (-m.reference_salinity) + iex.salt.clone() * mask.clone();
    let [_, ny, nx] = ex.ocean_mask.dims();
    let (tx, ty) = (tau_x / n * mask.clone(), tau_y / n * mask.clone());
    let forcing = OceanForcing {
        heat_flux: heat.clone().reshape([ny, nx]),
        salt_flux: (salt.clone() / RHO0).reshape([ny, nx]),
        tau_x: ((tx.clone() + east(tx)) * 0.5).reshape([ny, nx]),
        tau_y: ((ty.clone() + north(ty, 0.0)) * 0.5).reshape([ny, nx]),
    };
    let mut ocean = state.ocean;
    let mut frazil = zo();
    for _ in 0..m.ocean_steps {
        let (next, rep) = crate::ocean::step::step(&m.ocean, ocean, &forcing);
        ocean = next;
        frazil = frazil + rep.frazil.reshape([1, ny, nx]);
    }
    let (heat_mean, freshwater_mean) = (heat.clone(), freshwater.clone());
    let ocean_fw = ex.integrate_ocean(freshwater) * dtc;
    let report = CouplingReport {
        toa: ex.integrate_atmos(toa),
        surface_atmos_side: ex.integrate_atmos(sfc_a),
        surface_component_side: ex.integrate_atmos(sfc_c) + ex.integrate_ocean(sfc_c_o),
        water_atmos_side: ex.integrate_atmos(w_a),
        water_component_side: ex.integrate_atmos(w_c) + ex.integrate_ocean(w_c_o),
        water_gross: ex.integrate_atmos(w_gross),
        surface_gross: ex.integrate_atmos(sfc_gross),
        ocean_heat: ex.integrate_ocean(heat) * dtc,
        ocean_freshwater: ocean_fw.clone(),
        ocean_salt: ex.integrate_ocean(salt) * dtc,
        atmos_means: atmos_sums
            .expect("an interval has atmosphere steps")
            .into_iter()
            .map(|x| x / n)
            .collect(),
        ocean_means: [heat_mean, freshwater_mean],
    };
    (
        CoupledState {
            atmos,
            ocean,
            ice,
            land,
            frazil: frazil * mask,
            ice_correction,
            land_correction,
            ocean_freshwater: state.ocean_freshwater + ocean_fw,
            time: state.time + dtc,
        },
        report,
    )
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
    /// Builds the coupled model for a model configuration with CO₂ (ppm) and orbit; returns
    /// it with the boundary data it read.
    ///
    /// # Errors
    /// [`ModelError`] when grids, boundary data or the ocean cannot be built.
    pub fn new(
        cfg: &crate::config::ModelConfig,
        co2: f64,
        orbit: crate::forcing::orbit::Orbit,
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
        let physics = AtmosPhysics::new(&cfg.atmosphere_physics, co2, orbit, lat, device)
            .with_stratus(&cfg.atmosphere_physics, &data, shape, device)?;
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
                atmos,
                physics,
                ocean,
                ice: SeaIceModel::new(&cfg.sea_ice, device),
                land,
                exchange,
                land_drag: forest * (cd_forest - cd_grass) + cd_grass,
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
        use crate::atmos::dynamics::AtmosGrid;
        use crate::atmos::qtcm::{qsat_1000, A1_SURFACE, QREF_SURFACE, TREF_SURFACE};
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
            ice_temperature: t_land.clone().clamp_max(crate::ice::MELTING_POINT),
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
        let ts0: Vec<f64> = ts_cells
            .chunks(nlon)
            .flat_map(|row| std::iter::repeat_n(row.iter().sum::<f64>() / nlon as f64, nlon))
            .collect();
        let t1: Vec<f64> = ts0
            .iter()
            .map(|t| (t - 1.0 - TREF_SURFACE) / A1_SURFACE)
            .collect();
        let q1: Vec<f64> = ts0
            .iter()
            .map(|t| 0.8 * qsat_1000(t - 1.0) * LATENT_HEAT / CP_AIR - QREF_SURFACE)
            .collect();
        let zero = ex.atmos_area.zeros_like();
        let atmos = self.atmos.initial_state(&AtmosGrid {
            u0: zero.clone(),
            v0: zero.clone(),
            u1: zero.clone(),
            v1: zero.clone(),
            t1: tensor_from_vec(t1, shape_a, &device),
            q1: tensor_from_vec(q1, shape_a, &device),
        });
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
