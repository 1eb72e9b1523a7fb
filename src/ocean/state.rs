//! What evolves in the ocean: tracers, baroclinic velocities, the streamfunction and the
//! Adams–Bashforth memory of the momentum equations.

use super::model::OceanModel;
use crate::backend::{tensor_from_vec, zeros};
use crate::io::fields::FieldVisitor;
use crate::io::{CfError, CfReader, FILL_VALUE};
use burn_tensor::{backend::Backend, Tensor};
use std::path::Path;

/// The ocean's prognostic state. 3-D fields are `[nz, ny, nx]` and zero where dry; 2-D
/// fields `[ny, nx]`.
#[derive(Debug, Clone)]
pub struct OceanState<B: Backend> {
    /// Potential temperature Θ (°C).
    pub temperature: Tensor<B, 3>,
    /// Salinity S (g kg⁻¹).
    pub salinity: Tensor<B, 3>,
    /// Compensation of Θ's Kahan summation (°C): the low-order part of the accumulated
    /// increments that Θ cannot hold ([`super::step::compensated_add`]).
    pub temperature_compensation: Tensor<B, 3>,
    /// Compensation of S's Kahan summation (g kg⁻¹).
    pub salinity_compensation: Tensor<B, 3>,
    /// Ideal age (years since the water last touched the surface level).
    pub age: Tensor<B, 3>,
    /// Passive tracers (any unit; none by default): advected, mixed and diffused exactly as
    /// Θ and S (GM, Redi, convection included), with no surface flux. Push fields (masked,
    /// `[nz, ny, nx]`) to carry dyes or water-mass tags.
    pub passive: Vec<Tensor<B, 3>>,
    /// Eastward velocity u (m s⁻¹) at U faces.
    pub u: Tensor<B, 3>,
    /// Northward velocity v (m s⁻¹) at V faces.
    pub v: Tensor<B, 3>,
    /// Explicit momentum tendency of the previous step at U faces (m s⁻²), for AB2.
    pub du: Tensor<B, 3>,
    /// Explicit momentum tendency of the previous step at V faces (m s⁻²), for AB2.
    pub dv: Tensor<B, 3>,
    /// Barotropic transport streamfunction ψ (m³ s⁻¹) at ζ-points.
    pub psi: Tensor<B, 2>,
    /// Dirichlet part ψ₀ of the last solve (the warm start of the next), at ζ-points.
    pub psi_dirichlet: Tensor<B, 2>,
    /// Steps taken (0: the next step starts Adams–Bashforth with a forward step).
    pub steps: u64,
}

impl<B: Backend> OceanState<B> {
    /// The restart variables (all prognostic tensors, the Adams–Bashforth memory, the Kahan
    /// compensations and the streamfunction's warm start), by name ([`crate::io::fields`]).
    pub fn visit(&mut self, v: &mut impl FieldVisitor<B>) {
        v.visit("ocean_temperature", &mut self.temperature);
        v.visit("ocean_salinity", &mut self.salinity);
        v.visit(
            "ocean_temperature_compensation",
            &mut self.temperature_compensation,
        );
        v.visit(
            "ocean_salinity_compensation",
            &mut self.salinity_compensation,
        );
        v.visit("ocean_age", &mut self.age);
        v.visit("ocean_u", &mut self.u);
        v.visit("ocean_v", &mut self.v);
        v.visit("ocean_du", &mut self.du);
        v.visit("ocean_dv", &mut self.dv);
        for (k, t) in self.passive.iter_mut().enumerate() {
            v.visit(&format!("ocean_passive_{k}"), t);
        }
        v.visit("ocean_psi", &mut self.psi);
        v.visit("ocean_psi_dirichlet", &mut self.psi_dirichlet);
    }

    /// An ocean at rest with the given tracers (masked), zero age and no AB2 memory.
    pub fn at_rest(
        model: &OceanModel<B>,
        temperature: Tensor<B, 3>,
        salinity: Tensor<B, 3>,
    ) -> Self {
        let [nz, ny, nx] = model.shape;
        let device = temperature.device();
        let z3 = zeros::<B, 3>([nz, ny, nx], &device);
        let z2 = zeros::<B, 2>([ny, nx], &device);
        OceanState {
            temperature: temperature * model.mask_t.clone(),
            salinity: salinity * model.mask_t.clone(),
            temperature_compensation: z3.clone(),
            salinity_compensation: z3.clone(),
            age: z3.clone(),
            passive: Vec::new(),
            u: z3.clone(),
            v: z3.clone(),
            du: z3.clone(),
            dv: z3,
            psi: z2.clone(),
            psi_dirichlet: z2,
            steps: 0,
        }
    }

    /// The Levitus (1982) annual-mean state from `ocean_initial.nc` (boundary data), at rest;
    /// fill values (land, below the bottom) become 0 and are masked by the model's T mask.
    ///
    /// # Errors
    /// [`CfError`] when the file is missing or unreadable.
    pub fn levitus(
        model: &OceanModel<B>,
        path: &Path,
        device: &B::Device,
    ) -> Result<Self, CfError> {
        let r = CfReader::open(path)?;
        let shape = model.shape;
        let read = |name: &str| -> Result<Tensor<B, 3>, CfError> {
            let (v, got) = r.read(name)?;
            if got != shape {
                return Err(CfError::ReadShape {
                    var: name.into(),
                    path: path.into(),
                    expected: shape.to_vec(),
                    got,
                });
            }
            let v = v
                .into_iter()
                .map(|x| if x == FILL_VALUE { 0.0 } else { x })
                .collect();
            Ok(tensor_from_vec(v, shape, device))
        };
        Ok(Self::at_rest(
            model,
            read("temperature")?,
            read("salinity")?,
        ))
    }

    /// Volume-mean potential temperature (°C) and salinity (g kg⁻¹), as `[2]` on the device.
    pub fn volume_means(&self, model: &OceanModel<B>) -> Tensor<B, 1> {
        let vol = model.volume_t.clone().sum();
        Tensor::cat(
            vec![
                model.integrate_volume(self.temperature.clone()) / vol.clone(),
                model.integrate_volume(self.salinity.clone()) / vol,
            ],
            0,
        )
    }
}
