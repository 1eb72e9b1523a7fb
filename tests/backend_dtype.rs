//! Burn 0.21 caches the default float dtype per device, and `NdArray<f32>` and
//! `NdArray<f64>` share one device. This test runs in its own process (its own test
//! binary, one test, outside `tests/suite`) so that f32 tensors are created first, as in a
//! mixed run, and then checks that every cpu64 tensor Chronos builds is f64.

use burn_tensor::{DType, Tensor};
use chronos::backend::{self, Cpu32, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::grid::ModelGrids;
use chronos::numerics::stencil;

#[test]
fn cpu64_tensors_stay_f64_after_f32_tensors_exist() {
    let device = Default::default();
    // 1. f32 first, through Burn's default creation path (no dtype given).
    let f32_tensor: Tensor<Cpu32, 2> = Tensor::zeros([4, 4], &device);
    assert_eq!(f32_tensor.dtype(), DType::F32);
    let grids = ModelGrids::new(&ResolvedConfig::builtin("t31").unwrap().model).unwrap();
    let f32_area = grids.atmosphere.area_tensor::<Cpu32>(&device);
    assert_eq!(f32_area.dtype(), DType::F32);

    // 2. Every cpu64 tensor Chronos builds is f64.
    let mut dtypes = Vec::new();
    let area = grids.atmosphere.area_tensor::<Cpu64>(&device);
    dtypes.push(("gaussian area", area.dtype()));
    let m = grids.ocean.metrics::<Cpu64>(&device);
    dtypes.push(("ocean dx_t", m.dx_t.dtype()));
    dtypes.push(("ocean dx_v", m.dx_v.dtype()));
    dtypes.push(("ocean area_t", m.area_t.dtype()));
    let psi = backend::full::<Cpu64, 2>([grids.ocean.ny, grids.ocean.nx()], 1.0, &device);
    let (u, v) = m.streamfunction_to_uv(psi.clone());
    dtypes.push(("u", u.dtype()));
    dtypes.push(("v", v.dtype()));
    dtypes.push(("divergence", m.divergence_to_t(u, v).dtype()));
    dtypes.push(("south shift", stencil::south(psi.clone(), 0.0).dtype()));
    dtypes.push(("north shift", stencil::north(psi, 0.0).dtype()));
    dtypes.push((
        "zeros",
        backend::zeros::<Cpu64, 3>([2, 2, 2], &device).dtype(),
    ));
    dtypes.push((
        "from_vec",
        backend::tensor_from_vec::<Cpu64, 1>(vec![1.0], [1], &device).dtype(),
    ));
    for (name, dtype) in &dtypes {
        assert_eq!(*dtype, DType::F64, "{name} is {dtype:?}");
    }
    // And the values are really f64: 1 + 1e-12 survives.
    let x = backend::tensor_from_vec::<Cpu64, 1>(vec![1.0 + 1e-12], [1], &device);
    assert_eq!(backend::to_vec_f64(x)[0], 1.0 + 1e-12);
}
