//! The column physics of the atmosphere: convection, large-scale condensation, clouds,
//! radiation and the heat of dissipated kinetic energy, turned into the forcing of the
//! dynamics ([`AtmosForcing`]) and the diagnostics the coupler and the output files need.
//!
//! Per column (all W m⁻², upward surface fluxes positive; NZ = Neelin & Zeng 2000):
//!
//! - Betts–Miller convection Q_c ([`super::convection`]; NZ eqs. 5.7–5.9), precipitation
//!   P_c = Q_c/L.
//! - Large-scale condensation of column supersaturation, L P_ls = C_pg (q̂ − q̂_sat(T₁))⁺/τ_ls,
//!   with q̂ = q̂_ref + b̂₁q₁ the column-mean moisture and q̂_sat(T₁) the saturation moisture of
//!   the mode-1 temperature profile ([`super::Convection::column_saturation`]). QTCM1 has no
//!   such scheme: its convective reference profile is sub-saturated (α ≤ 0.85), so
//!   Betts–Miller removes moisture before the column saturates in most columns; this term
//!   catches the rest (stable, moist columns). The ⁺ is the switch "condense only when
//!   supersaturated"; its gradient is 0/1 on either side, consistent in forward and reverse
//!   mode.
//! - Clouds from Q_c (stratus either QTCM1's reference cover or filling the total cover up to
//!   the monthly climatology of `clouds.nc`, QTCM1's `OBSCLD`) and shortwave ([`super::radiation::shortwave`]) with the insolation of
//!   the experiment's orbit on the day of the year (Berger 1978), longwave
//!   ([`super::radiation::longwave`]) with the experiment's CO₂.
//! - Kinetic energy removed by surface drag, τ·**v**ₛ (the stress terms take exactly this
//!   from the modes' kinetic energy (p_T/g)(|**v**₀|² + ⟨V₁²⟩|**v**₁|²)/2), and by the mode-1
//!   damping, (p_T/g)⟨V₁²⟩ε_i1|**v**₁|², returns as heat D where it is removed.
//!
//! Then the column heating and moistening of the dynamics are
//!
//! H = Q_c + L P_ls + F_SW,atm + (F↑ₛ − F↓ₛ − OLR) + S + D,   W = L E − Q_c − L P_ls,
//!
//! with S the sensible and L E the latent heat flux from the surface. The column's moist
//! enthalpy C_pg(â₁T₁ + b̂₁q₁) thus changes by H + W = F_SW,atm + F_LW,atm + S + L E + D: the
//! net radiation of the column plus the surface's turbulent fluxes (precipitation only
//! converts latent into sensible heat), and D is paid by the kinetic energy.
//!
//! Shapes: grid fields `[1, nlat, nlon]`.
//!
//! # References
//! Neelin, J. D. & Zeng, N. (2000), J. Atmos. Sci. 57, 1741–1766; Zeng, Neelin & Chou (2000),
//! J. Atmos. Sci. 57, 1767–1796; Berger, A. L. (1978), J. Atmos. Sci. 35, 2362–2367.

use super::convection::Convection;
use super::dynamics::{AtmosForcing, AtmosGrid, AtmosModel, SurfaceAir};
use super::qtcm::{B1_HAT, CPG, EPS_I1, G_OVER_PT, LATENT_HEAT, QREF_HAT, V1_SQ_HAT};
use super::qtcm::{TCREF_HAT, TREF_HAT};
use super::radiation::{longwave, shortwave, Clouds, Insolation};
use crate::config::{AtmospherePhysicsConfig, StratusCover};
use crate::forcing::climatology::MonthlyClimatology;
use crate::forcing::orbit::Orbit;
use crate::forcing::BoundaryData;
use crate::io::CfError;
use burn_tensor::{backend::Backend, Tensor};

/// The surface as the atmosphere sees it (from the coupler), cell means `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct SurfaceInput<B: Backend> {
    /// Radiative surface temperature Tₛ (K): σTₛ⁴ is the cell-mean upward longwave.
    pub temperature: Tensor<B, 3>,
    /// Surface albedo αₛ (1).
    pub albedo: Tensor<B, 3>,
    /// Sensible heat flux S into the atmosphere (W m⁻²).
    pub sensible: Tensor<B, 3>,
    /// Evaporation E into the atmosphere (kg m⁻² s⁻¹).
    pub evaporation: Tensor<B, 3>,
    /// Eastward stress of the air on the surface τ_x (N m⁻²).
    pub stress_x: Tensor<B, 3>,
    /// Northward stress τ_y (N m⁻²).
    pub stress_y: Tensor<B, 3>,
}

/// Diagnostics of one physics call, each `[1, nlat, nlon]` (CMIP variable names).
#[derive(Debug, Clone)]
pub struct AtmosDiagnostics<B: Backend> {
    /// Surface air temperature (K).
    pub tas: Tensor<B, 3>,
    /// Surface specific humidity (kg kg⁻¹).
    pub huss: Tensor<B, 3>,
    /// Surface eastward wind (m s⁻¹).
    pub uas: Tensor<B, 3>,
    /// Surface northward wind (m s⁻¹).
    pub vas: Tensor<B, 3>,
    /// Eastward surface stress of the air on the surface (N m⁻²).
    pub tauu: Tensor<B, 3>,
    /// Northward surface stress (N m⁻²).
    pub tauv: Tensor<B, 3>,
    /// Total precipitation (kg m⁻² s⁻¹).
    pub pr: Tensor<B, 3>,
    /// Convective precipitation (kg m⁻² s⁻¹).
    pub prc: Tensor<B, 3>,
    /// Large-scale precipitation (kg m⁻² s⁻¹).
    pub prls: Tensor<B, 3>,
    /// Evaporation (kg m⁻² s⁻¹).
    pub evspsbl: Tensor<B, 3>,
    /// Sensible heat flux, upward (W m⁻²).
    pub hfss: Tensor<B, 3>,
    /// Latent heat flux, upward (W m⁻²).
    pub hfls: Tensor<B, 3>,
    /// Surface downward shortwave (W m⁻²).
    pub rsds: Tensor<B, 3>,
    /// Surface upward (reflected) shortwave (W m⁻²).
    pub rsus: Tensor<B, 3>,
    /// Surface downward longwave (W m⁻²).
    pub rlds: Tensor<B, 3>,
    /// Surface upward longwave (W m⁻²).
    pub rlus: Tensor<B, 3>,
    /// TOA incident shortwave (W m⁻²).
    pub rsdt: Tensor<B, 3>,
    /// TOA outgoing (reflected) shortwave (W m⁻²).
    pub rsut: Tensor<B, 3>,
    /// TOA outgoing longwave (W m⁻²).
    pub rlut: Tensor<B, 3>,
    /// Total cloud cover (1).
    pub clt: Tensor<B, 3>,
    /// Clear-sky TOA outgoing longwave (W m⁻²).
    pub rlutcs: Tensor<B, 3>,
    /// Clear-sky TOA outgoing (reflected) shortwave (W m⁻²).
    pub rsutcs: Tensor<B, 3>,
    /// Air temperature at 500 hPa (K), T_ref(500) + a₁(500) T₁ ([`TA500_REFERENCE`]).
    pub ta500: Tensor<B, 3>,
    /// Heat of dissipated kinetic energy (drag and mode-1 damping) (W m⁻²).
    pub dissipation: Tensor<B, 3>,
}

impl<B: Backend> AtmosDiagnostics<B> {
    /// The step diagnostics with their output names, each `[1, nlat, nlon]`: the monthly
    /// entries of the atmosphere's table ([`super::variables::VARIABLES`]) in its order
    /// (a unit test checks it), the last being rtmt = [`Self::toa_net`].
    pub fn fields(&self) -> Vec<(&'static str, Tensor<B, 3>)> {
        vec![
            ("tas", self.tas.clone()),
            ("huss", self.huss.clone()),
            ("uas", self.uas.clone()),
            ("vas", self.vas.clone()),
            ("tauu", self.tauu.clone()),
            ("tauv", self.tauv.clone()),
            ("pr", self.pr.clone()),
            ("prc", self.prc.clone()),
            ("prls", self.prls.clone()),
            ("evspsbl", self.evspsbl.clone()),
            ("hfss", self.hfss.clone()),
            ("hfls", self.hfls.clone()),
            ("rsds", self.rsds.clone()),
            ("rsus", self.rsus.clone()),
            ("rlds", self.rlds.clone()),
            ("rlus", self.rlus.clone()),
            ("rsdt", self.rsdt.clone()),
            ("rsut", self.rsut.clone()),
            ("rlut", self.rlut.clone()),
            ("clt", self.clt.clone()),
            ("rlutcs", self.rlutcs.clone()),
            ("rsutcs", self.rsutcs.clone()),
            ("ta500", self.ta500.clone()),
            ("rtmt", self.toa_net()),
        ]
    }

    /// Net downward radiation at the top of the atmosphere, rsdt − rsut − rlut (W m⁻²).
    pub fn toa_net(&self) -> Tensor<B, 3> {
        self.rsdt.clone() - self.rsut.clone() - self.rlut.clone()
    }

    /// Net downward energy flux into the surface,
    /// rsds − rsus + rlds − rlus − hfss − hfls (W m⁻²).
    pub fn surface_net(&self) -> Tensor<B, 3> {
        self.rsds.clone() - self.rsus.clone() + self.rlds.clone()
            - self.rlus.clone()
            - self.hfss.clone()
            - self.hfls.clone()
    }
}

/// The forcing of the dynamics and the diagnostics of one physics call.
#[derive(Debug, Clone)]
pub struct PhysicsOutput<B: Backend> {
    /// Column heating, moistening and surface stress for [`AtmosModel::step`].
    pub forcing: AtmosForcing<B>,
    /// Output fields.
    pub diagnostics: AtmosDiagnostics<B>,
}

/// T_ref at 500 hPa (K): QTCM1's convective reference T_c(500) = 270.063 K (`T1cTableIn`)
/// shifted by the column-mean difference of the two reference profiles, T̂_ref − T̂c_ref =
/// −1.213 K (the reference profile itself is not tabulated in QTCM1's code).
pub const TA500_REFERENCE: f64 = 270.063_17 + TREF_HAT - TCREF_HAT;
/// a₁ at 500 hPa (1), QTCM1 `T1cTableIn`.
pub const A1_500: f64 = 0.448_642_91;

/// The time-dependent external forcing of one physics call, passed in by the driver (never
/// stored in the model): the time, CO₂ and the insolation of the orbit at that time.
#[derive(Debug, Clone)]
pub struct PhysicsForcing<B: Backend> {
    /// Day of the 365-day year of the physics' time level (0 = 1 January 00:00), for the
    /// monthly cloud climatology.
    pub day: f64,
    /// CO₂ (ppm).
    pub co2: f64,
    /// The shortwave's insolation columns for the orbit on `day`.
    pub insolation: Insolation<B>,
}

/// The column physics: parameters and the precomputed convection tables (constant in a run;
/// CO₂ and the orbit arrive with each call as [`PhysicsForcing`]).
#[derive(Debug, Clone)]
pub struct AtmosPhysics<B: Backend> {
    /// Betts–Miller convection (τ_c).
    pub convection: Convection<B>,
    /// Large-scale condensation rate 1/τ_ls (s⁻¹).
    pub condensation_rate: f64,
    /// Total solar irradiance S₀ (W m⁻²).
    pub solar_constant: f64,
    /// Gaussian latitudes (radians, south to north).
    pub lat: Vec<f64>,
    /// The observed total cloud cover the stratus fills up to (`stratus = "observed"`), or
    /// `None` for QTCM1's reference stratus cover.
    pub observed_cloud: Option<MonthlyClimatology<B>>,
}

impl<B: Backend> AtmosPhysics<B> {
    /// The physics with `[atmosphere_physics]` settings and the grid's latitudes (radians).
    pub fn new(settings: &AtmospherePhysicsConfig, lat: Vec<f64>, device: &B::Device) -> Self {
        AtmosPhysics {
            convection: Convection::new(settings.convection_timescale, device),
            condensation_rate: 1.0 / settings.condensation_timescale,
            solar_constant: settings.solar_constant,
            lat,
            observed_cloud: None,
        }
    }

    /// Reads the cloud climatology (`clouds.nc`, variable `cloud_fraction`) of the boundary
    /// data when `settings.stratus` is `"observed"`; with `"reference"` returns `self`
    /// unchanged.
    ///
    /// # Errors
    /// [`CfError`] when `clouds.nc` is missing or on another grid.
    pub fn with_stratus(
        mut self,
        settings: &AtmospherePhysicsConfig,
        data: &BoundaryData,
        shape: [usize; 3],
        device: &B::Device,
    ) -> Result<Self, CfError> {
        if settings.stratus == StratusCover::Observed {
            self.observed_cloud = Some(MonthlyClimatology::read(
                &data.dir.join("clouds.nc"),
                "cloud_fraction",
                shape,
                device,
            )?);
        }
        Ok(self)
    }

    /// The forcing of a physics call on day `day` of the 365-day year (0 = 1 January 00:00)
    /// with CO₂ `co2` (ppm) and `orbit`: the declination δ and Earth–Sun distance of the day
    /// (Berger 1978) give the insolation S₀(a/r)² cos Z of every latitude.
    pub fn forcing(
        &self,
        co2: f64,
        orbit: &Orbit,
        day: f64,
        device: &B::Device,
    ) -> PhysicsForcing<B> {
        let (delta, dist2) = orbit.declination_and_distance(day);
        PhysicsForcing {
            day,
            co2,
            insolation: Insolation::new(self.solar_constant * dist2, delta, &self.lat, device),
        }
    }

    /// One physics call on the grid fields `g` (at t − Δt) with the surface `sfc` and its
    /// bulk-formula input `air`, under the external forcing `f`.
    pub fn compute(
        &self,
        model: &AtmosModel<B>,
        g: &AtmosGrid<B>,
        air: &SurfaceAir<B>,
        sfc: &SurfaceInput<B>,
        f: &PhysicsForcing<B>,
    ) -> PhysicsOutput<B> {
        let day = f.day;
        let conv = self.convection.compute(g.t1.clone(), g.q1.clone());
        let q_hat = g.q1.clone() * B1_HAT + QREF_HAT;
        let excess = (q_hat - self.convection.column_saturation(g.t1.clone())).clamp_min(0.0);
        let condensation = excess * (CPG * self.condensation_rate);
        let clouds = match &self.observed_cloud {
            Some(obs) => Clouds::with_observed_total(conv.heating.clone(), obs.at_day(day)),
            None => Clouds::diagnose(conv.heating.clone()),
        };
        let clt = clouds.fraction[0].clone().neg() + 1.0;
        let ta500 = g.t1.clone() * A1_500 + TA500_REFERENCE;
        let sw = shortwave(&f.insolation, &clouds, sfc.albedo.clone());
        let lw = longwave(
            g.t1.clone(),
            g.q1.clone(),
            sfc.temperature.clone(),
            &clouds,
            f.co2,
        );
        let mut dissipation =
            sfc.stress_x.clone() * air.u.clone() + sfc.stress_y.clone() * air.v.clone();
        if model.switches.damping && model.switches.baroclinic {
            dissipation = dissipation
                + (g.u1.clone().powi_scalar(2) + g.v1.clone().powi_scalar(2))
                    * (V1_SQ_HAT * EPS_I1 / G_OVER_PT);
        }
        let latent = sfc.evaporation.clone() * LATENT_HEAT;
        let heating = conv.heating.clone()
            + condensation.clone()
            + sw.atmosphere.clone()
            + lw.atmosphere()
            + sfc.sensible.clone()
            + dissipation.clone();
        let moistening = latent.clone() - conv.heating.clone() - condensation.clone();
        let prc = conv.heating / LATENT_HEAT;
        let prls = condensation / LATENT_HEAT;
        let rsus = sw.surface_down.clone() - sw.surface_net.clone();
        let rsut = sw.toa_down.clone() - sw.toa_absorbed();
        let rsutcs = sw.toa_down.clone() - sw.toa_absorbed_clear.clone();
        PhysicsOutput {
            forcing: AtmosForcing {
                heating,
                moistening,
                stress_x: sfc.stress_x.clone(),
                stress_y: sfc.stress_y.clone(),
            },
            diagnostics: AtmosDiagnostics {
                tas: air.temperature.clone(),
                huss: air.humidity.clone(),
                uas: air.u.clone(),
                vas: air.v.clone(),
                tauu: sfc.stress_x.clone(),
                tauv: sfc.stress_y.clone(),
                pr: prc.clone() + prls.clone(),
                prc,
                prls,
                evspsbl: sfc.evaporation.clone(),
                hfss: sfc.sensible.clone(),
                hfls: latent,
                rsds: sw.surface_down,
                rsus,
                rlds: lw.surface_down,
                rlus: lw.surface_up,
                rsdt: sw.toa_down,
                rsut,
                rlut: lw.toa_up,
                clt,
                rlutcs: lw.toa_up_clear,
                rsutcs,
                ta500,
                dissipation,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{tensor_from_vec, to_vec_f64, Cpu64};
    use crate::config::ResolvedConfig;

    #[test]
    fn column_energy_changes_by_radiation_turbulent_fluxes_and_dissipation() {
        // H + W = F_SW,atm + F_LW,atm + S + L E + D for any column: precipitation only turns
        // latent into sensible heat.
        let cfg = ResolvedConfig::builtin("t31").unwrap().model;
        let dev = Default::default();
        let model = AtmosModel::<Cpu64>::new(&cfg, &dev).unwrap();
        let (nlat, nlon) = (model.transform.nlat, model.transform.nlon);
        let n = nlat * nlon;
        let field = |f: &dyn Fn(usize) -> f64| {
            tensor_from_vec::<Cpu64, 3>((0..n).map(f).collect(), [1, nlat, nlon], &dev)
        };
        let g = AtmosGrid {
            u0: field(&|p| 10.0 * ((p % 7) as f64 - 3.0)),
            v0: field(&|p| (p % 5) as f64),
            u1: field(&|p| 3.0 * ((p % 3) as f64 - 1.0)),
            v1: field(&|p| (p % 2) as f64),
            t1: field(&|p| -60.0 + (p % 70) as f64),
            q1: field(&|p| -40.0 + (p % 45) as f64),
        };
        let air = model.surface_air(&g);
        let sfc = SurfaceInput {
            temperature: field(&|p| 250.0 + (p % 50) as f64),
            albedo: field(&|p| 0.07 + 0.01 * (p % 50) as f64),
            sensible: field(&|p| (p % 40) as f64 - 10.0),
            evaporation: field(&|p| 1e-5 * (p % 9) as f64),
            stress_x: field(&|p| 0.01 * ((p % 11) as f64 - 5.0)),
            stress_y: field(&|p| 0.01 * ((p % 4) as f64)),
        };
        let lat: Vec<f64> = model.transform.mu.iter().map(|m| m.asin()).collect();
        let physics = AtmosPhysics::<Cpu64>::new(&cfg.atmosphere_physics, lat, &dev);
        let f = physics.forcing(400.0, &Orbit::preset("pi").unwrap(), 172.0, &dev);
        let out = physics.compute(&model, &g, &air, &sfc, &f);
        let d = &out.diagnostics;
        // The named fields are the table's monthly entries, in order.
        let names: Vec<_> = d.fields().into_iter().map(|(n, _)| n).collect();
        let table: Vec<_> = super::super::variables::VARIABLES
            .iter()
            .filter(|v| v.monthly)
            .map(|v| v.name)
            .collect();
        assert_eq!(names, table);
        let lhs = to_vec_f64(out.forcing.heating.clone() + out.forcing.moistening.clone());
        let rhs = to_vec_f64(d.toa_net() - d.surface_net() + d.dissipation.clone());
        let worst = lhs
            .iter()
            .zip(&rhs)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-9, "{worst}");
        // It rains somewhere, and the total is the sum of its parts.
        let pr = to_vec_f64(d.pr.clone());
        let parts = to_vec_f64(d.prc.clone() + d.prls.clone());
        assert!(pr.iter().any(|p| *p > 0.0));
        assert!(pr.iter().zip(&parts).all(|(a, b)| (a - b).abs() < 1e-18));
    }
}
