//! What evolves in the ocean (so far: the tracers).

use super::model::OceanModel;
use crate::backend::tensor_from_vec;
use crate::io::{CfError, CfReader, FILL_VALUE};
use burn_tensor::{backend::Backend, Tensor};
use std::path::Path;

/// Ocean prognostic tracers, `[nz, ny, nx]`, zero on dry cells.
#[derive(Debug, Clone)]
pub struct OceanState<B: Backend> {
    /// Potential temperature Θ (°C).
    pub temperature: Tensor<B, 3>,
    /// Salinity S (g kg⁻¹).
    pub salinity: Tensor<B, 3>,
}

impl<B: Backend> OceanState<B> {
    /// The Levitus (1982) annual-mean initial state from `ocean_initial.nc` (boundary data);
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
            Ok(tensor_from_vec(v, shape, device) * model.mask_t.clone())
        };
        Ok(OceanState {
            temperature: read("temperature")?,
            salinity: read("salinity")?,
        })
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
