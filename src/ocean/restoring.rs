//! Surface forcing of the ocean-only mode: monthly COADS wind stress and restoring of the top
//! level to the monthly sea-surface temperature and to Levitus surface salinity.
//!
//! Restoring exists only in ocean-only (and explicitly labelled) experiments, never in coupled
//! runs. With restoring time τ and top-level thickness Δz₀ the fluxes are
//!
//! Q = ρ₀ c_p Δz₀ (Θ*(t) − Θ₀)/τ  (W m⁻²),   F_S = Δz₀ (S* − S₀)/τ  (g kg⁻¹ m s⁻¹),
//!
//! with Θ* the monthly SST (°C) interpolated linearly in time between mid-month values
//! (cyclic over the 365-day year) and S* the annual-mean Levitus surface salinity. The
//! observed SST never lies below −1.8 °C, so restoring never drives the water below its
//! freezing point (as Veros' global set-up, which forbids cooling below −1.8 °C). Wind stress
//! (`eastward_wind_stress`, `northward_wind_stress`, N m⁻², bulk formula on COADS winds; see
//! `models/data/README.md`) is averaged from T-points to U and V faces:
//! τ_U = ½(τ_{T,i} + τ_{T,i+1}), τ_V = ½(τ_{T,j} + τ_{T,j+1}), zero where either cell is land.
//!
//! # References
//! Haney, R. L. (1971), J. Phys. Oceanogr. 1, 241–248 (restoring boundary condition);
//! da Silva, Young & Levitus (1994), Atlas of Surface Marine Data (COADS).

use super::eos::RHO0;
use super::model::{OceanModel, CP_OCEAN};
use super::state::OceanState;
use super::step::OceanForcing;
use crate::backend::tensor_from_vec;
use crate::io::{CfError, CfReader, FILL_VALUE};
use crate::numerics::stencil::{east, north};
use crate::physics::constants::DAYS_PER_YEAR;
use burn_tensor::{backend::Backend, Tensor};
use std::path::Path;

/// Monthly ocean-only forcing fields on the device.
#[derive(Debug, Clone)]
pub struct OceanOnlyForcing<B: Backend> {
    /// Target SST Θ* (°C) per month, `[12]` × `[ny, nx]`.
    sst: Vec<Tensor<B, 2>>,
    /// τ_x at U faces (N m⁻²) per month.
    tau_x: Vec<Tensor<B, 2>>,
    /// τ_y at V faces (N m⁻²) per month.
    tau_y: Vec<Tensor<B, 2>>,
    /// Target surface salinity S* (g kg⁻¹), `[ny, nx]`.
    sss: Tensor<B, 2>,
    /// Mid-month days of the year (0-based day of year of each record's time).
    mid_month: Vec<f64>,
    /// Restoring time τ (s).
    pub restoring_time: f64,
}

impl<B: Backend> OceanOnlyForcing<B> {
    /// Loads `ocean_forcing_monthly.nc` (boundary data) for `model`, with restoring time
    /// `restoring_time` (s).
    ///
    /// # Errors
    /// [`CfError`] when the file is missing, unreadable or on another grid.
    pub fn load(
        model: &OceanModel<B>,
        path: &Path,
        restoring_time: f64,
        device: &B::Device,
    ) -> Result<Self, CfError> {
        let [_, ny, nx] = model.shape;
        let r = CfReader::open(path)?;
        let wet = model.mask_t.clone().narrow(0, 0, 1).reshape([ny, nx]);
        let read2 = |v: Vec<f64>, offset: f64| -> Tensor<B, 2> {
            let v = v
                .into_iter()
                .map(|x| if x == FILL_VALUE { 0.0 } else { x + offset })
                .collect();
            tensor_from_vec::<B, 2>(v, [ny, nx], device) * wet.clone()
        };
        let shape_check = |name: &str, got: Vec<usize>, expected: Vec<usize>| {
            if got != expected {
                Err(CfError::ReadShape {
                    var: name.into(),
                    path: path.into(),
                    expected,
                    got,
                })
            } else {
                Ok(())
            }
        };
        let monthly = |name: &str, offset: f64| -> Result<Vec<Tensor<B, 2>>, CfError> {
            let (v, got) = r.read(name)?;
            shape_check(name, got, vec![12, ny, nx])?;
            Ok(v.chunks(ny * nx)
                .map(|c| read2(c.to_vec(), offset))
                .collect())
        };
        let sst = monthly("sea_surface_temperature", -273.15)?;
        let mu = model.mask_u.clone().narrow(0, 0, 1).reshape([ny, nx]);
        let mv = model.mask_v.clone().narrow(0, 0, 1).reshape([ny, nx]);
        let tau_x = monthly("eastward_wind_stress", 0.0)?
            .into_iter()
            .map(|t| (t.clone() + east(t)) * 0.5 * mu.clone())
            .collect();
        let tau_y = monthly("northward_wind_stress", 0.0)?
            .into_iter()
            .map(|t| (t.clone() + north(t, 0.0)) * 0.5 * mv.clone())
            .collect();
        let (s, got) = r.read("sea_surface_salinity")?;
        shape_check("sea_surface_salinity", got, vec![ny, nx])?;
        let sss = read2(s, 0.0);
        // Record times are days since 0001-01-01 in the noleap calendar: mid-month day of year.
        let mid_month = r
            .times()?
            .into_iter()
            .map(|t| t.rem_euclid(DAYS_PER_YEAR))
            .collect();
        Ok(OceanOnlyForcing {
            sst,
            tau_x,
            tau_y,
            sss,
            mid_month,
            restoring_time,
        })
    }

    /// The two months around `day_of_year` (0 ≤ d < 365) and their linear weights.
    pub fn month_weights(&self, day_of_year: f64) -> [(usize, f64); 2] {
        crate::forcing::climatology::month_weights(&self.mid_month, day_of_year)
    }

    /// Fluxes at `day_of_year` for the current `state` (restoring depends on its top level).
    pub fn fluxes(
        &self,
        model: &OceanModel<B>,
        state: &OceanState<B>,
        day_of_year: f64,
    ) -> OceanForcing<B> {
        let [_, ny, nx] = model.shape;
        let [(a, wa), (b, wb)] = self.month_weights(day_of_year);
        let mix = |x: &[Tensor<B, 2>]| x[a].clone() * wa + x[b].clone() * wb;
        let dz0 = model.physics_top_thickness();
        let top = |x: &Tensor<B, 3>| x.clone().narrow(0, 0, 1).reshape([ny, nx]);
        let wet = top(&model.mask_t);
        let tau = self.restoring_time;
        OceanForcing {
            heat_flux: (mix(&self.sst) - top(&state.temperature))
                * wet.clone()
                * (RHO0 * CP_OCEAN * dz0 / tau),
            salt_flux: (self.sss.clone() - top(&state.salinity)) * wet * (dz0 / tau),
            tau_x: mix(&self.tau_x),
            tau_y: mix(&self.tau_y),
        }
    }
}
