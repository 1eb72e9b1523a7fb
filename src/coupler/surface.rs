//! The surface exchange of the coupled model and of the prescribed (AMIP, aquaplanet)
//! surface alike: per-surface bulk fluxes over open ocean, sea
//! ice, land and land ice, their temperature derivatives, and the area-weighted input the
//! atmosphere's physics receives; then the land's step and the ocean grid's fluxes with the
//! physics' radiation and precipitation.
//!
//! **Where each flux lives.** Open water and sea ice are computed on the ocean grid with the
//! surface air remapped there ([`ExchangeGrid::to_ocean`]) and the SST and ice surface
//! temperature of the interval's start ([`OceanSurface`]); land and land ice on the
//! Gaussian grid with the air brought to the land's altitude ([`air_at_altitude`]). The
//! atmosphere receives, per cell,
//!
//! X̄ = f_l X_l + f_li X_li + R[(1 − c) X_o + c X_i],
//!
//! with f_l, f_li the land and land-ice fractions and R the conservative remap of the
//! fraction-weighted ocean-grid field ([`ExchangeGrid::to_atmosphere`]); the surface
//! temperature handed to the radiation is the emission temperature (σ⁻¹ Σ f σT⁴)^¼.
//!
//! **Implicit surfaces.** λ = ∂(σT⁴ + H + L E)/∂T = 4σT³ + ρ_a C|V| (c_p + L β ∂q_sat/∂T)
//! (L = L_v over land, L_s over land ice and sea ice) is the derivative each implicit surface
//! step uses ([`crate::land`], [`crate::ice`]); the heat the land's implicit step gives up
//! beyond what the atmosphere received is owed to the atmosphere at the next step.
//!
//! Shapes: atmosphere fields `[1, nlat, nlon]`, ocean-grid fields `[1, ny, nx]`.
//!
//! # References
//! Neelin & Zeng (2000), J. Atmos. Sci. 57, 1741–1766 (QTCM1 surface fluxes); Balaji et al.
//! (2006), GFDL FMS exchange grid; Large, W. G. & Yeager, S. G. (2004), NCAR TN-460 (fluxes
//! computed where the surface lives).

use super::bulk::{bulk_fluxes, transfer_coefficient, SurfaceFluxes, SurfaceType};
use super::ExchangeGrid;
use crate::atmos::physics::{AtmosDiagnostics, SurfaceInput};
use crate::ice::{SeaIceModel, SeaIceState};
use crate::land::{air_at_altitude, LandModel, LandState, SurfaceForcing};
use crate::physics::constants::{
    CP_AIR, KELVIN, LATENT_HEAT_FUSION, LATENT_HEAT_SUBLIMATION as LS, LATENT_HEAT_VAPOUR,
    OCEAN_ALBEDO, STEFAN_BOLTZMANN,
};
use crate::physics::thermo::dqsat_dt;
use crate::physics::SurfaceAir;
use burn_tensor::{backend::Backend, Bool, Tensor};

/// The grids the surface exchange works between: the atmosphere's, where land and land ice
/// live, and the one open water and sea ice live on. The coupled model's is the
/// [`ExchangeGrid`] (the ocean's own grid, conservative remaps); the prescribed surfaces of
/// the atmosphere-only modes use [`Collocated`] (SST and sea ice on the atmosphere's grid).
pub trait SurfaceGrid<B: Backend> {
    /// An atmosphere field on the ocean side's grid.
    fn to_ocean(&self, x: Tensor<B, 3>) -> Tensor<B, 3>;
    /// An ocean-side flux per unit open-water-or-ice area as its contribution to the
    /// atmosphere cell (weighted by the cell's ocean fraction).
    fn to_atmosphere(&self, y: Tensor<B, 3>) -> Tensor<B, 3>;
    /// Ice-free land fraction f_l of the atmosphere cells (1).
    fn land_fraction(&self) -> Tensor<B, 3>;
    /// Land-ice fraction f_li (1).
    fn land_ice_fraction(&self) -> Tensor<B, 3>;
    /// Wet mask of the ocean side's cells (1 or 0).
    fn ocean_mask(&self) -> Tensor<B, 3>;
}

impl<B: Backend> SurfaceGrid<B> for ExchangeGrid<B> {
    fn to_ocean(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        ExchangeGrid::to_ocean(self, x)
    }
    fn to_atmosphere(&self, y: Tensor<B, 3>) -> Tensor<B, 3> {
        ExchangeGrid::to_atmosphere(self, y)
    }
    fn land_fraction(&self) -> Tensor<B, 3> {
        self.land_fraction.clone()
    }
    fn land_ice_fraction(&self) -> Tensor<B, 3> {
        self.land_ice_fraction.clone()
    }
    fn ocean_mask(&self) -> Tensor<B, 3> {
        self.ocean_mask.clone()
    }
}

/// Open water and sea ice on the atmosphere's own grid (the prescribed surfaces): the ocean
/// side of a cell is its ocean fraction f_o, each `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct Collocated<B: Backend> {
    /// Ocean fraction f_o (1).
    pub ocean_fraction: Tensor<B, 3>,
    /// Ice-free land fraction f_l (1).
    pub land_fraction: Tensor<B, 3>,
    /// Land-ice fraction f_li (1).
    pub land_ice_fraction: Tensor<B, 3>,
}

impl<B: Backend> SurfaceGrid<B> for Collocated<B> {
    fn to_ocean(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        x
    }
    fn to_atmosphere(&self, y: Tensor<B, 3>) -> Tensor<B, 3> {
        y * self.ocean_fraction.clone()
    }
    fn land_fraction(&self) -> Tensor<B, 3> {
        self.land_fraction.clone()
    }
    fn land_ice_fraction(&self) -> Tensor<B, 3> {
        self.land_ice_fraction.clone()
    }
    fn ocean_mask(&self) -> Tensor<B, 3> {
        self.ocean_fraction.clone().greater_elem(0.0).float()
    }
}

/// σT⁴ (W m⁻²).
fn emission<B: Backend>(t: &Tensor<B, 3>) -> Tensor<B, 3> {
    t.clone().powi_scalar(4) * STEFAN_BOLTZMANN
}

/// λ = 4σT³ + ρ_a C|V| (c_p + L β ∂q_sat/∂T) (W m⁻² K⁻¹) of a surface at `t` (K) with
/// `rcv` = ρ_a C|V| (kg m⁻² s⁻¹), evaporation efficiency `beta` and latent heat `l`
/// (J kg⁻¹) (module docs); any shape.
fn lambda<B: Backend>(
    t: &Tensor<B, 3>,
    rcv: Tensor<B, 3>,
    beta: Tensor<B, 3>,
    l: f64,
) -> Tensor<B, 3> {
    t.clone().powi_scalar(3) * (4.0 * STEFAN_BOLTZMANN)
        + rcv * (dqsat_dt(t.clone()) * beta * l + CP_AIR)
}

/// The ocean grid's surfaces during one coupling interval, fixed at its start, each
/// `[1, ny, nx]`.
#[derive(Debug, Clone)]
pub struct OceanSurface<B: Backend> {
    /// SST (K).
    pub sst: Tensor<B, 3>,
    /// Sea-ice concentration c (1).
    pub concentration: Tensor<B, 3>,
    /// Ice (or snow) surface temperature Tᵢ (K).
    pub ice_temperature: Tensor<B, 3>,
    /// Ice albedo αᵢ (1).
    pub ice_albedo: Tensor<B, 3>,
}

impl<B: Backend> OceanSurface<B> {
    /// The surface of the top-level temperature `sst_c` (°C, `[1, ny, nx]`) and the ice.
    pub fn new(sst_c: Tensor<B, 3>, ice: &SeaIceState<B>, ice_model: &SeaIceModel<B>) -> Self {
        OceanSurface {
            sst: sst_c + KELVIN,
            concentration: ice.concentration.clone(),
            ice_temperature: ice.surface_temperature.clone(),
            ice_albedo: ice_model.albedo(ice),
        }
    }

    /// 1 − c.
    fn open(&self) -> Tensor<B, 3> {
        self.concentration.clone().neg() + 1.0
    }
}

/// The static part of the surface exchange: transfer coefficients per surface type.
#[derive(Debug, Clone)]
pub struct SurfaceExchange<B: Backend> {
    /// Neutral transfer coefficient of ice-free land (1, roughness from the forest fraction),
    /// `[1, nlat, nlon]`.
    pub land_drag: Tensor<B, 3>,
    /// Neutral transfer coefficient of open water (1).
    pub ocean_drag: f64,
    /// Neutral transfer coefficient of sea ice and land ice (1).
    pub ice_drag: f64,
    /// Gravitational acceleration g in the bulk Richardson number (m s⁻², the model file's
    /// `planet.gravity`).
    pub gravity: f64,
}

/// The fluxes of one atmosphere step on every surface, before the physics runs.
#[derive(Debug, Clone)]
pub struct StepExchange<B: Backend> {
    /// The cell means the atmosphere's physics receives.
    pub input: SurfaceInput<B>,
    /// Surface air on the ocean grid.
    pub air_ocean: SurfaceAir<B>,
    /// Surface air at the land's altitude.
    pub air_land: SurfaceAir<B>,
    /// Open water (ocean grid).
    pub open: SurfaceFluxes<B>,
    /// Sea ice (ocean grid).
    pub sea_ice: SurfaceFluxes<B>,
    /// ρ_a C|V| of sea ice (kg m⁻² s⁻¹, ocean grid), for its λ.
    pub sea_ice_transfer: Tensor<B, 3>,
    /// Ice-free land, evaporation limited by the water it holds.
    pub land: SurfaceFluxes<B>,
    /// Land ice.
    pub land_ice: SurfaceFluxes<B>,
    /// λ of land and land ice (W m⁻² K⁻¹).
    pub lambda: [Tensor<B, 3>; 2],
    /// The land's correction of the previous step as a flux over this one (W m⁻² per unit
    /// cell area).
    pub owed: Tensor<B, 3>,
}

/// What the land's step gives the interval sums, each `[1, nlat, nlon]` per unit cell area.
#[derive(Debug, Clone)]
pub struct LandExchange<B: Backend> {
    /// Liquid and solid runoff (kg m⁻² s⁻¹).
    pub runoff: Tensor<B, 3>,
    /// Solid runoff (calving, kg m⁻² s⁻¹).
    pub solid: Tensor<B, 3>,
    /// Upward energy flux of the land surfaces as they computed it (W m⁻²).
    pub up: Tensor<B, 3>,
    /// Evaporation minus precipitation over land (kg m⁻² s⁻¹).
    pub evaporation_minus_precipitation: Tensor<B, 3>,
}

/// The ocean grid's fluxes of one atmosphere step, each `[1, ny, nx]`.
#[derive(Debug, Clone)]
pub struct OceanExchange<B: Backend> {
    /// Net downward heat flux into open water Q_o (W m⁻²).
    pub open_heat: Tensor<B, 3>,
    /// Freshwater into the sea water per unit ocean area: (1 − c)(P − E_o) + c × rain
    /// (kg m⁻² s⁻¹).
    pub freshwater: Tensor<B, 3>,
    /// Stress on the ocean (1 − c)τ_o + c τ_i (N m⁻²), eastward and northward.
    pub stress: [Tensor<B, 3>; 2],
    /// Net upward flux at the ice surface F̄ (W m⁻²; snowfall freezing counts as heat in).
    pub ice_flux: Tensor<B, 3>,
    /// Its temperature derivative λᵢ (W m⁻² K⁻¹).
    pub ice_flux_derivative: Tensor<B, 3>,
    /// Snowfall on the ice (kg m⁻² s⁻¹).
    pub snowfall: Tensor<B, 3>,
    /// Sublimation from the ice (kg m⁻² s⁻¹).
    pub sublimation: Tensor<B, 3>,
    /// Upward energy flux as the ocean grid computed it, masked (W m⁻²).
    pub up: Tensor<B, 3>,
    /// Evaporation minus precipitation on the ocean grid, masked (kg m⁻² s⁻¹).
    pub evaporation_minus_precipitation: Tensor<B, 3>,
}

impl<B: Backend> SurfaceExchange<B> {
    /// The exchange with land drag `land_drag` and QTCM1's open-water and smooth-ice
    /// coefficients ([`SurfaceType::drag_coefficient`]), for gravity `gravity` (m s⁻²).
    pub fn new(land_drag: Tensor<B, 3>, gravity: f64) -> Self {
        SurfaceExchange {
            land_drag,
            ocean_drag: SurfaceType::OpenOcean.drag_coefficient(0.0),
            ice_drag: SurfaceType::SeaIce.drag_coefficient(1e-3),
            gravity,
        }
    }

    /// The fluxes of one atmosphere step of length `dt` (s) for the surface air `air`: the
    /// land's evaporation efficiency is limited to the water it holds over `dt`; the
    /// atmosphere's sensible heat includes the sea ice's implicit-coupling correction
    /// `ice_correction` (W m⁻², ocean grid) and the land's `land_correction` (J m⁻²).
    #[allow(clippy::too_many_arguments)]
    pub fn exchange(
        &self,
        ex: &impl SurfaceGrid<B>,
        land_model: &LandModel<B>,
        land: &LandState<B>,
        ocean: &OceanSurface<B>,
        air: &SurfaceAir<B>,
        ice_correction: &Tensor<B, 3>,
        land_correction: &Tensor<B, 3>,
        dt: f64,
    ) -> StepExchange<B> {
        let air_o = SurfaceAir {
            temperature: ex.to_ocean(air.temperature.clone()),
            humidity: ex.to_ocean(air.humidity.clone()),
            u: ex.to_ocean(air.u.clone()),
            v: ex.to_ocean(air.v.clone()),
        };
        let ones_o = ocean.sst.ones_like();
        let ts_i = &ocean.ice_temperature;
        let g = self.gravity;
        let fo = bulk_fluxes(
            &air_o,
            ocean.sst.clone(),
            ones_o.clone(),
            self.ocean_drag,
            g,
        );
        let fi = bulk_fluxes(&air_o, ts_i.clone(), ones_o, self.ice_drag, g);
        let rcv_i = transfer_coefficient(&air_o, ts_i.clone(), self.ice_drag, g);
        let air_l = air_at_altitude(
            air,
            land_model.orography.clone(),
            land_model.params.lapse_rate,
        );
        let (fl, fli, lambda) = self.land_fluxes(land_model, land, &air_l, dt);
        let owed = land_correction.clone() / dt;
        let input = self.cell_means(ex, land_model, land, ocean, [&fl, &fli, &fo, &fi]);
        let input = SurfaceInput {
            sensible: input.sensible + ex.to_atmosphere(ice_correction.clone()) + owed.clone(),
            ..input
        };
        StepExchange {
            input,
            air_ocean: air_o,
            air_land: air_l,
            open: fo,
            sea_ice: fi,
            sea_ice_transfer: rcv_i,
            land: fl,
            land_ice: fli,
            lambda,
            owed,
        }
    }

    /// Land and land-ice fluxes and their λ. Land evaporation is linear in β: it is computed
    /// at β = 1, then β is limited to the water the surface holds over `dt`.
    fn land_fluxes(
        &self,
        land_model: &LandModel<B>,
        land: &LandState<B>,
        air_l: &SurfaceAir<B>,
        dt: f64,
    ) -> (SurfaceFluxes<B>, SurfaceFluxes<B>, [Tensor<B, 3>; 2]) {
        let (ones, g) = (land.temperature.ones_like(), self.gravity);
        let drag = self.land_drag.clone();
        let unit = bulk_fluxes(air_l, land.temperature.clone(), ones.clone(), 1.0, g);
        let fl = SurfaceFluxes {
            sensible: unit.sensible * drag.clone(),
            evaporation: unit.evaporation * drag.clone(),
            stress_x: unit.stress_x * drag.clone(),
            stress_y: unit.stress_y * drag.clone(),
        };
        let beta = land_model.limited_wetness(land, fl.evaporation.clone(), dt);
        let fl = SurfaceFluxes {
            evaporation: fl.evaporation * beta.clone(),
            ..fl
        };
        let fli = bulk_fluxes(
            air_l,
            land.ice_temperature.clone(),
            ones.clone(),
            self.ice_drag,
            g,
        );
        let lambda_l = lambda(
            &land.temperature,
            transfer_coefficient(air_l, land.temperature.clone(), 1.0, g) * drag,
            beta,
            LATENT_HEAT_VAPOUR,
        );
        let lambda_li = lambda(
            &land.ice_temperature,
            transfer_coefficient(air_l, land.ice_temperature.clone(), self.ice_drag, g),
            ones,
            LS,
        );
        (fl, fli, [lambda_l, lambda_li])
    }

    /// The area-weighted cell means of the fluxes `[land, land ice, open water, sea ice]`,
    /// the emission temperature and the albedo (module docs); sensible heat without the
    /// corrections.
    fn cell_means(
        &self,
        ex: &impl SurfaceGrid<B>,
        land_model: &LandModel<B>,
        land: &LandState<B>,
        ocean: &OceanSurface<B>,
        [fl, fli, fo, fi]: [&SurfaceFluxes<B>; 4],
    ) -> SurfaceInput<B> {
        let (f_l, f_li) = (ex.land_fraction(), ex.land_ice_fraction());
        let c = ocean.concentration.clone();
        let ocean_part = |o: Tensor<B, 3>, i: Tensor<B, 3>| {
            ex.to_atmosphere(o * (c.clone().neg() + 1.0) + i * c.clone())
        };
        let cell = |l: Tensor<B, 3>, li: Tensor<B, 3>, o: Tensor<B, 3>, i: Tensor<B, 3>| {
            l * f_l.clone() + li * f_li.clone() + ocean_part(o, i)
        };
        let t4 = emission;
        let emitted = cell(
            t4(&land.temperature),
            t4(&land.ice_temperature),
            t4(&ocean.sst),
            t4(&ocean.ice_temperature),
        );
        let albedo = cell(
            land_model.albedo(land),
            f_l.ones_like() * land_model.params.land_ice_albedo,
            ocean.sst.ones_like() * OCEAN_ALBEDO,
            ocean.ice_albedo.clone(),
        );
        let mean = |x: fn(&SurfaceFluxes<B>) -> Tensor<B, 3>| cell(x(fl), x(fli), x(fo), x(fi));
        SurfaceInput {
            temperature: (emitted / STEFAN_BOLTZMANN).powf_scalar(0.25),
            albedo,
            sensible: mean(|f| f.sensible.clone()),
            evaporation: mean(|f| f.evaporation.clone()),
            stress_x: mean(|f| f.stress_x.clone()),
            stress_y: mean(|f| f.stress_y.clone()),
        }
    }
}

/// The land's step over `dt` (s) with the physics' radiation and precipitation `d` and the
/// step's fluxes `x`: returns the new land state, the correction owed to the atmosphere at
/// the next step (J m⁻² per unit cell area) and the sums' contributions. Surfaces a cell
/// does not have keep their state (their fluxes count zero).
pub fn land_step<B: Backend>(
    ex: &impl SurfaceGrid<B>,
    land_model: &LandModel<B>,
    land: LandState<B>,
    x: &StepExchange<B>,
    d: &AtmosDiagnostics<B>,
    dt: f64,
) -> (LandState<B>, Tensor<B, 3>, LandExchange<B>) {
    let (f_l, f_li) = (ex.land_fraction(), ex.land_ice_fraction());
    let (has_land, has_ice) = (
        f_l.clone().greater_elem(0.0),
        f_li.clone().greater_elem(0.0),
    );
    let [rain_l, snow_l] = land_model.partition(d.pr.clone(), &x.air_land);
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
        emission(t) + f.sensible.clone() + f.evaporation.clone() * LATENT_HEAT_VAPOUR
            - d.rsds.clone() * (albedo.neg() + 1.0)
            - d.rlds.clone()
    };
    let (fl, fli) = (&x.land, &x.land_ice);
    let ice_albedo = f_l.ones_like() * land_model.params.land_ice_albedo;
    let up = net_up(&land.temperature, land_model.albedo(&land), fl) * f_l.clone()
        + net_up(&land.ice_temperature, ice_albedo, fli) * f_li.clone()
        + x.owed.clone();
    let ep = (fl.evaporation.clone() - d.pr.clone()) * f_l.clone()
        + (fli.evaporation.clone() - d.pr.clone()) * f_li.clone();
    let [lambda_l, lambda_li] = x.lambda.clone();
    let (next, r, corr) =
        land_model.step(&land, &forcing(fl, lambda_l), &forcing(fli, lambda_li), dt);
    let correction = (corr.land.mask_fill(has_land.clone().bool_not(), 0.0) * f_l.clone()
        + corr.ice.mask_fill(has_ice.clone().bool_not(), 0.0) * f_li.clone())
        * dt;
    let keep = |old: Tensor<B, 3>, new: Tensor<B, 3>, has: &Tensor<B, 3, Bool>| {
        old.mask_where(has.clone(), new)
    };
    let land = LandState {
        temperature: keep(land.temperature, next.temperature, &has_land),
        soil_water: keep(land.soil_water, next.soil_water, &has_land),
        snow: keep(land.snow, next.snow, &has_land),
        ice_temperature: keep(land.ice_temperature, next.ice_temperature, &has_ice),
        ice_snow: keep(land.ice_snow, next.ice_snow, &has_ice),
        ice_sheet: keep(land.ice_sheet, next.ice_sheet, &has_ice),
    };
    let sums = LandExchange {
        runoff: r.land * f_l.clone() + (r.ice_liquid + r.ice_solid.clone()) * f_li.clone(),
        solid: r.ice_solid * f_li,
        up,
        evaporation_minus_precipitation: ep,
    };
    (land, correction, sums)
}

/// The ocean grid's fluxes of one step: radiation and precipitation remapped from the
/// physics' diagnostics `d`, precipitation falling as snow below `snowfall_temperature` (K)
/// of the air; the ice correction `ice_correction` (W m⁻²) counts as upward flux.
pub fn ocean_fluxes<B: Backend>(
    ex: &impl SurfaceGrid<B>,
    ocean: &OceanSurface<B>,
    x: &StepExchange<B>,
    d: &AtmosDiagnostics<B>,
    snowfall_temperature: f64,
    ice_correction: &Tensor<B, 3>,
) -> OceanExchange<B> {
    let lf = LATENT_HEAT_FUSION;
    let mask = ex.ocean_mask();
    let (fo, fi) = (&x.open, &x.sea_ice);
    let (c, open) = (ocean.concentration.clone(), ocean.open());
    let ts_i = &ocean.ice_temperature;
    let sw_o = ex.to_ocean(d.rsds.clone());
    let lw_o = ex.to_ocean(d.rlds.clone());
    let p_o = ex.to_ocean(d.pr.clone());
    let cold = x
        .air_ocean
        .temperature
        .clone()
        .lower_elem(snowfall_temperature);
    let snow_o = p_o.zeros_like().mask_where(cold, p_o.clone());
    let rain_o = p_o.clone() - snow_o.clone();
    let q = sw_o.clone() * (1.0 - OCEAN_ALBEDO) + lw_o.clone()
        - emission(&ocean.sst)
        - fo.sensible.clone()
        - fo.evaporation.clone() * LATENT_HEAT_VAPOUR;
    let fice = emission(ts_i) + fi.sensible.clone() + fi.evaporation.clone() * LS
        - sw_o * (ocean.ice_albedo.clone().neg() + 1.0)
        - lw_o
        - snow_o.clone() * lf;
    // What the atmosphere sees over the ice: snowfall arrives liquid, vapour carries L_v.
    let fice_seen = fice.clone() + snow_o.clone() * lf - fi.evaporation.clone() * lf;
    let freshwater =
        (p_o.clone() - fo.evaporation.clone()) * (c.clone().neg() + 1.0) + rain_o * c.clone();
    let stress = [
        fo.stress_x.clone() * (c.clone().neg() + 1.0) + fi.stress_x.clone() * c.clone(),
        fo.stress_y.clone() * (c.clone().neg() + 1.0) + fi.stress_y.clone() * c.clone(),
    ];
    let derivative = lambda(ts_i, x.sea_ice_transfer.clone(), ts_i.ones_like(), LS);
    let up = (q.clone().neg() * open.clone() + fice_seen * c.clone()) * mask.clone()
        + ice_correction.clone();
    let ep =
        ((fo.evaporation.clone() - p_o.clone()) * open + (fi.evaporation.clone() - p_o) * c) * mask;
    OceanExchange {
        open_heat: q,
        freshwater,
        stress,
        ice_flux: fice,
        ice_flux_derivative: derivative,
        snowfall: snow_o,
        sublimation: fi.evaporation.clone(),
        up,
        evaporation_minus_precipitation: ep,
    }
}
