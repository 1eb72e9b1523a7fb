//! The sums of one coupling interval: every atmosphere step adds its fluxes
//! ([`IntervalSums::add`]); at the interval's end they become the sea ice's forcing
//! ([`IntervalSums::ice_forcing`]), the ocean's ([`IntervalSums::ocean_forcing`]) and the
//! coupling report ([`IntervalSums::report`]).
//!
//! With N_a atmosphere steps of weight w (½ for the forward half step of a cold-started
//! atmosphere, 1 otherwise), a surface flux F reaches the ice and the ocean as the interval
//! mean F̄ = Σ w F / N_a; the report integrates ∫ F dA dt = Σ w Δt_a ∫ F dA on each side.
//!
//! **The ocean's forcing** (per unit ocean-cell area): heat
//! (1 − c)Q̄_o + Q_ice→ocean − L_f × routed solid runoff; freshwater
//! (1 − c)(P − E) + c × rain + ice melt/growth + routed runoff (+ hosing) as the virtual salt
//! flux F_S = −S₀ F_w/ρ₀ plus the ice's salt; stress averaged from T-points to the C-grid
//! faces.
//!
//! Shapes: atmosphere fields `[1, nlat, nlon]`, ocean-grid fields `[1, ny, nx]`, integrals `[1]`.

use super::surface::{LandExchange, OceanExchange, OceanSurface};
use super::ExchangeGrid;
use crate::atmos::physics::AtmosDiagnostics;
use crate::ice::{IceForcing, IceOceanExchange};
use crate::numerics::stencil::{east, north};
use crate::ocean::step::OceanForcing;
use crate::physics::constants::{LATENT_HEAT_FUSION, RHO0};
use burn_tensor::{backend::Backend, Tensor};

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
    /// the fields of [`AtmosDiagnostics::fields`] in its order (the atmosphere table's
    /// monthly entries, the last the net downward TOA flux rsdt − rsut − rlut, W m⁻²).
    pub atmos_means: Vec<Tensor<B, 3>>,
    /// Interval means of the ocean's surface forcing for output, each `[1, ny, nx]` on the
    /// ocean grid (zero on land): net downward heat flux into the sea water (W m⁻², frazil
    /// excluded) and freshwater flux into it (kg m⁻² s⁻¹, runoff and hosing included).
    pub ocean_means: [Tensor<B, 3>; 2],
}

/// The ocean's surface fluxes of an interval as it received them, each `[1, ny, nx]` per
/// unit ocean-cell area: heat (W m⁻²), freshwater (kg m⁻² s⁻¹), salt (g m⁻² s⁻¹).
#[derive(Debug, Clone)]
pub struct OceanFluxes<B: Backend> {
    /// Net downward heat flux (frazil excluded).
    pub heat: Tensor<B, 3>,
    /// Freshwater flux (runoff and hosing included).
    pub freshwater: Tensor<B, 3>,
    /// Salt flux (virtual salt flux and the ice's salt).
    pub salt: Tensor<B, 3>,
}

/// Running sums of one coupling interval (module docs): weighted flux sums (× w) for the
/// forcing, time integrals (× w Δt_a) per cell for the report.
#[derive(Debug, Clone)]
pub struct IntervalSums<B: Backend> {
    open_heat: Tensor<B, 3>,
    freshwater: Tensor<B, 3>,
    stress: [Tensor<B, 3>; 2],
    ice_flux: Tensor<B, 3>,
    ice_flux_derivative: Tensor<B, 3>,
    snowfall: Tensor<B, 3>,
    sublimation: Tensor<B, 3>,
    runoff: Tensor<B, 3>,
    solid: Tensor<B, 3>,
    toa: Tensor<B, 3>,
    surface_atmos: Tensor<B, 3>,
    surface_land: Tensor<B, 3>,
    surface_ocean: Tensor<B, 3>,
    surface_gross: Tensor<B, 3>,
    water_atmos: Tensor<B, 3>,
    water_land: Tensor<B, 3>,
    water_ocean: Tensor<B, 3>,
    water_gross: Tensor<B, 3>,
    atmos: Option<Vec<Tensor<B, 3>>>,
    steps: usize,
}

impl<B: Backend> IntervalSums<B> {
    /// Zero sums shaped like an atmosphere field `atmos` and an ocean-grid field `ocean`.
    pub fn new(atmos: &Tensor<B, 3>, ocean: &Tensor<B, 3>) -> Self {
        let (za, zo) = (|| atmos.zeros_like(), || ocean.zeros_like());
        IntervalSums {
            open_heat: zo(),
            freshwater: zo(),
            stress: [zo(), zo()],
            ice_flux: zo(),
            ice_flux_derivative: zo(),
            snowfall: zo(),
            sublimation: zo(),
            runoff: za(),
            solid: za(),
            toa: za(),
            surface_atmos: za(),
            surface_land: za(),
            surface_ocean: zo(),
            surface_gross: za(),
            water_atmos: za(),
            water_land: za(),
            water_ocean: zo(),
            water_gross: za(),
            atmos: None,
            steps: 0,
        }
    }

    /// Adds one atmosphere step of weight `w` and length `dt` (s): the physics' diagnostics
    /// `d` (atmosphere side), the land's and the ocean grid's fluxes (component side).
    pub fn add(
        self,
        w: f64,
        dt: f64,
        d: &AtmosDiagnostics<B>,
        land: LandExchange<B>,
        ocean: OceanExchange<B>,
    ) -> Self {
        let dtw = dt * w;
        let list: Vec<Tensor<B, 3>> = d.fields().into_iter().map(|(_, t)| t).collect();
        let atmos = Some(match self.atmos {
            None => list,
            Some(s) => s.into_iter().zip(list).map(|(a, b)| a + b).collect(),
        });
        let sfc_net = d.surface_net();
        let [sx, sy] = self.stress;
        let [ox, oy] = ocean.stress;
        IntervalSums {
            open_heat: self.open_heat + ocean.open_heat * w,
            freshwater: self.freshwater + ocean.freshwater * w,
            stress: [sx + ox * w, sy + oy * w],
            ice_flux: self.ice_flux + ocean.ice_flux * w,
            ice_flux_derivative: self.ice_flux_derivative + ocean.ice_flux_derivative * w,
            snowfall: self.snowfall + ocean.snowfall * w,
            sublimation: self.sublimation + ocean.sublimation * w,
            runoff: self.runoff + land.runoff * w,
            solid: self.solid + land.solid * w,
            toa: self.toa + d.toa_net() * dtw,
            surface_gross: self.surface_gross + sfc_net.clone().abs() * dtw,
            surface_atmos: self.surface_atmos + sfc_net.neg() * dtw,
            surface_land: self.surface_land + land.up * dtw,
            surface_ocean: self.surface_ocean + ocean.up * dtw,
            water_atmos: self.water_atmos + (d.evspsbl.clone() - d.pr.clone()) * dtw,
            water_gross: self.water_gross + (d.evspsbl.clone() + d.pr.clone()) * dtw,
            water_land: self.water_land + land.evaporation_minus_precipitation * dtw,
            water_ocean: self.water_ocean + ocean.evaporation_minus_precipitation * dtw,
            atmos,
            steps: self.steps + 1,
        }
    }

    /// N_a, the number of steps added.
    fn n(&self) -> f64 {
        self.steps as f64
    }

    /// The sea ice's forcing: the interval-mean surface flux F̄, its derivative, snowfall and
    /// sublimation, with the ocean's heat flux into the ice base `ocean_heat` (W m⁻²), the
    /// freezing point `freezing_temperature` (K) and the pending `frazil` (J m⁻²).
    pub fn ice_forcing(
        &self,
        ocean_heat: Tensor<B, 3>,
        freezing_temperature: Tensor<B, 3>,
        frazil: Tensor<B, 3>,
    ) -> IceForcing<B> {
        let n = self.n();
        IceForcing {
            heat_flux: self.ice_flux.clone() / n,
            heat_flux_derivative: self.ice_flux_derivative.clone() / n,
            snowfall: self.snowfall.clone() / n,
            sublimation: self.sublimation.clone() / n,
            ocean_heat,
            freezing_temperature,
            frazil,
        }
    }

    /// The ocean's forcing (module docs) after the ice's step `iex`, with the optional hosing
    /// flux (kg m⁻² s⁻¹) and the reference salinity S₀ (g kg⁻¹); also the fluxes as received.
    pub fn ocean_forcing(
        &self,
        ex: &ExchangeGrid<B>,
        ocean: &OceanSurface<B>,
        iex: &IceOceanExchange<B>,
        hosing: Option<&Tensor<B, 3>>,
        reference_salinity: f64,
    ) -> (OceanForcing<B>, OceanFluxes<B>) {
        let n = self.n();
        let mask = ex.ocean_mask.clone();
        let open = (ocean.concentration.clone().neg() + 1.0) * mask.clone();
        let routed_heat = ex.route(self.solid.clone() / n * (-LATENT_HEAT_FUSION));
        let heat =
            open * self.open_heat.clone() / n + iex.heat.clone() * mask.clone() + routed_heat;
        let mut freshwater = (self.freshwater.clone() / n + iex.freshwater.clone()) * mask.clone()
            + ex.route(self.runoff.clone() / n);
        if let Some(h) = hosing {
            freshwater = freshwater + h.clone() * mask.clone();
        }
        let salt = freshwater.clone() * (-reference_salinity) + iex.salt.clone() * mask.clone();
        let [_, ny, nx] = mask.dims();
        let [sx, sy] = self.stress.clone();
        let (tx, ty) = (sx / n * mask.clone(), sy / n * mask);
        let forcing = OceanForcing {
            heat_flux: heat.clone().reshape([ny, nx]),
            salt_flux: (salt.clone() / RHO0).reshape([ny, nx]),
            tau_x: ((tx.clone() + east(tx)) * 0.5).reshape([ny, nx]),
            tau_y: ((ty.clone() + north(ty, 0.0)) * 0.5).reshape([ny, nx]),
        };
        (
            forcing,
            OceanFluxes {
                heat,
                freshwater,
                salt,
            },
        )
    }

    /// The interval's report: global integrals of the sums and of the ocean's fluxes over
    /// the interval's length `dtc` (s), and the interval-mean atmosphere diagnostics.
    pub fn report(
        self,
        ex: &ExchangeGrid<B>,
        fluxes: OceanFluxes<B>,
        dtc: f64,
    ) -> CouplingReport<B> {
        let n = self.n();
        CouplingReport {
            toa: ex.integrate_atmos(self.toa),
            surface_atmos_side: ex.integrate_atmos(self.surface_atmos),
            surface_component_side: ex.integrate_atmos(self.surface_land)
                + ex.integrate_ocean(self.surface_ocean),
            water_atmos_side: ex.integrate_atmos(self.water_atmos),
            water_component_side: ex.integrate_atmos(self.water_land)
                + ex.integrate_ocean(self.water_ocean),
            water_gross: ex.integrate_atmos(self.water_gross),
            surface_gross: ex.integrate_atmos(self.surface_gross),
            ocean_heat: ex.integrate_ocean(fluxes.heat.clone()) * dtc,
            ocean_freshwater: ex.integrate_ocean(fluxes.freshwater.clone()) * dtc,
            ocean_salt: ex.integrate_ocean(fluxes.salt) * dtc,
            atmos_means: self
                .atmos
                .expect("an interval has atmosphere steps")
                .into_iter()
                .map(|x| x / n)
                .collect(),
            ocean_means: [fluxes.heat, fluxes.freshwater],
        }
    }
}
