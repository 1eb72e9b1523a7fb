//! Backend aliases, precision, host↔device conversion and run-time dispatch.
//!
//! Chronos runs one generic code path on three backends, chosen on the command line
//! with `--backend`:
//!
//! | name    | type            | precision | use                                            |
//! |---------|-----------------|-----------|------------------------------------------------|
//! | `cpu64` | [`Cpu64`]       | f64       | default; coupled and ocean runs, validation, gradients |
//! | `cpu`   | [`Cpu32`]       | f32       | atmosphere-only and short runs; CPU twin of the GPU path |
//! | `wgpu`  | `Gpu` (feature `wgpu`) | f32 | GPUs (and Debian's software Vulkan, lavapipe) |
//!
//! Gradients come from `Autodiff<B>` over any of them ([`Cpu64Autodiff`]).
//!
//! **Every tensor must be created with an explicit dtype.** Burn 0.21 caches the default
//! float dtype per *device*, and `NdArray<f32>` and `NdArray<f64>` share one device
//! (`NdArrayDevice::Cpu`): a process that first builds f32 tensors silently gets f32
//! tensors from `NdArray<f64>` when no dtype is given. The helpers here
//! ([`float_options`], [`tensor_from_vec`], [`zeros`], [`full`]) always pass
//! `B::FloatElem`'s dtype. This is the only module that knows which backend runs.

use burn_tensor::backend::Backend;
use burn_tensor::{DType, Element, Int, Tensor, TensorCreationOptions, TensorData};

/// `NdArray<f64>`: the default CPU backend in double precision.
pub type Cpu64 = burn_ndarray::NdArray<f64>;
/// `NdArray<f32>`: the CPU backend in single precision (the CPU twin of the GPU path).
pub type Cpu32 = burn_ndarray::NdArray<f32>;
/// `Autodiff<NdArray<f64>>`: reverse-mode gradients in double precision.
pub type Cpu64Autodiff = burn_autodiff::Autodiff<Cpu64>;
/// `Wgpu<f32>`: the GPU backend (WGSL has no f64, so f32 only).
#[cfg(feature = "wgpu")]
pub type Gpu = burn_wgpu::Wgpu<f32, i32, u32>;

/// The backend a run uses, as named on the command line (`--backend cpu64|cpu|wgpu`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BackendKind {
    /// `NdArray<f64>` on the CPU (default).
    #[default]
    Cpu64,
    /// `NdArray<f32>` on the CPU.
    Cpu,
    /// `Wgpu` (f32) on a GPU or a software Vulkan device; needs the cargo feature `wgpu`.
    Wgpu,
}

impl BackendKind {
    /// The name used on the command line and in output metadata.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Cpu64 => "cpu64",
            BackendKind::Cpu => "cpu",
            BackendKind::Wgpu => "wgpu",
        }
    }

    /// Bytes per floating-point value on this backend (8 for `cpu64`, 4 otherwise).
    pub fn bytes_per_float(self) -> usize {
        match self {
            BackendKind::Cpu64 => 8,
            BackendKind::Cpu | BackendKind::Wgpu => 4,
        }
    }

    /// A one-line description: tensor type and precision.
    pub fn describe(self) -> &'static str {
        match self {
            BackendKind::Cpu64 => "NdArray<f64> on the CPU (double precision)",
            BackendKind::Cpu => "NdArray<f32> on the CPU (single precision)",
            BackendKind::Wgpu => "Wgpu<f32> (single precision, GPU or software Vulkan)",
        }
    }
}

impl std::fmt::Display for BackendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for BackendKind {
    type Err = BackendError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cpu64" => Ok(BackendKind::Cpu64),
            "cpu" | "cpu32" => Ok(BackendKind::Cpu),
            "wgpu" | "gpu" => Ok(BackendKind::Wgpu),
            _ => Err(BackendError::Unknown(s.to_string())),
        }
    }
}

/// Errors choosing or starting a backend.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The name is not one of `cpu64`, `cpu`, `wgpu`.
    #[error(
        "unknown backend `{0}`: choose one of cpu64 (default, f64), cpu (f32) or wgpu (f32, GPU)"
    )]
    Unknown(String),
    /// `wgpu` was requested from a binary built without the `wgpu` feature.
    #[error(
        "the wgpu backend is not compiled into this binary: rebuild with `cargo build --release --features wgpu`, or use --backend cpu64 / cpu"
    )]
    WgpuNotCompiled,
    /// No GPU or Vulkan adapter could be opened.
    #[error(
        "no wgpu adapter found ({0}): install a GPU driver, or on Debian the software Vulkan device (`apt-get install mesa-vulkan-drivers libvulkan1`), or use --backend cpu64 / cpu"
    )]
    NoAdapter(String),
}

/// The float dtype of backend `B` (f64 for [`Cpu64`], f32 for [`Cpu32`] and `Gpu`).
pub fn float_dtype<B: Backend>() -> DType {
    <B::FloatElem as Element>::dtype()
}

/// Tensor-creation options on `device` with `B`'s float dtype passed explicitly.
pub fn float_options<B: Backend>(device: &B::Device) -> TensorCreationOptions<B> {
    TensorCreationOptions::new(device.clone()).with_dtype(float_dtype::<B>())
}

/// A float tensor of shape `shape` from row-major host values (converted to `B`'s float type).
///
/// # Panics
/// If `values.len()` is not the product of `shape`.
#[track_caller]
pub fn tensor_from_vec<B: Backend, const D: usize>(
    values: Vec<f64>,
    shape: [usize; D],
    device: &B::Device,
) -> Tensor<B, D> {
    let n: usize = shape.iter().product();
    assert_eq!(
        values.len(),
        n,
        "tensor_from_vec: {} values for shape {shape:?}",
        values.len()
    );
    let data = TensorData::new(values, shape).convert_dtype(float_dtype::<B>());
    Tensor::from_data(data, float_options::<B>(device))
}

/// A 1-D integer (index) tensor from host values, with `B`'s integer dtype passed explicitly.
pub fn index_tensor<B: Backend>(values: Vec<i64>, device: &B::Device) -> Tensor<B, 1, Int> {
    let n = values.len();
    let dtype = <B::IntElem as Element>::dtype();
    let data = TensorData::new(values, [n]).convert_dtype(dtype);
    Tensor::from_data(
        data,
        TensorCreationOptions::new(device.clone()).with_dtype(dtype),
    )
}

/// A float tensor of zeros with `B`'s float dtype.
pub fn zeros<B: Backend, const D: usize>(shape: [usize; D], device: &B::Device) -> Tensor<B, D> {
    Tensor::zeros(shape, float_options::<B>(device))
}

/// A float tensor filled with `value`, with `B`'s float dtype.
pub fn full<B: Backend, const D: usize>(
    shape: [usize; D],
    value: f64,
    device: &B::Device,
) -> Tensor<B, D> {
    Tensor::full(shape, value, float_options::<B>(device))
}

/// Copies a tensor to the host as row-major `f64` values. This is a device sync: keep it
/// out of inner loops (diagnostics and output only).
pub fn to_vec_f64<B: Backend, const D: usize>(tensor: Tensor<B, D>) -> Vec<f64> {
    tensor
        .into_data()
        .convert::<f64>()
        .into_vec::<f64>()
        .expect("a converted TensorData holds f64 values")
}

/// A computation to run on whichever backend the user chose; see [`dispatch`].
///
/// Generic closures do not exist in Rust, so a job is a value with one generic method.
pub trait BackendJob {
    /// What the job returns.
    type Output;
    /// Runs the job on backend `B` and its device.
    fn run<B: Backend>(self, kind: BackendKind, device: &B::Device) -> Self::Output;
}

/// Runs `job` on the backend named by `kind`: the one place that maps names to types.
///
/// # Errors
/// [`BackendError::WgpuNotCompiled`] or [`BackendError::NoAdapter`] for an unusable `wgpu`.
pub fn dispatch<J: BackendJob>(kind: BackendKind, job: J) -> Result<J::Output, BackendError> {
    match kind {
        BackendKind::Cpu64 => Ok(job.run::<Cpu64>(kind, &Default::default())),
        BackendKind::Cpu => Ok(job.run::<Cpu32>(kind, &Default::default())),
        BackendKind::Wgpu => run_wgpu(job),
    }
}

#[cfg(feature = "wgpu")]
fn run_wgpu<J: BackendJob>(job: J) -> Result<J::Output, BackendError> {
    let device = wgpu_device()?;
    Ok(job.run::<Gpu>(BackendKind::Wgpu, &device))
}

#[cfg(not(feature = "wgpu"))]
fn run_wgpu<J: BackendJob>(_job: J) -> Result<J::Output, BackendError> {
    Err(BackendError::WgpuNotCompiled)
}

/// Opens the default wgpu device and checks that an adapter answers, turning the
/// panic that cubecl raises when no adapter exists into [`BackendError::NoAdapter`].
///
/// # Errors
/// [`BackendError::NoAdapter`] when no GPU or Vulkan device is available.
#[cfg(feature = "wgpu")]
pub fn wgpu_device() -> Result<burn_wgpu::WgpuDevice, BackendError> {
    use std::sync::OnceLock;
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    let device = burn_wgpu::WgpuDevice::default();
    let probe = PROBE.get_or_init(|| {
        let dev = device.clone();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result = std::panic::catch_unwind(move || {
            let t: Tensor<Gpu, 1> = full([4], 1.0, &dev);
            to_vec_f64(t.sum())
        });
        std::panic::set_hook(previous);
        match result {
            Ok(v) if v == [4.0] => Ok(()),
            Ok(v) => Err(format!("test reduction returned {v:?} instead of [4.0]")),
            Err(e) => Err(e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "adapter request panicked".into())),
        }
    });
    match probe {
        Ok(()) => Ok(device),
        Err(msg) => Err(BackendError::NoAdapter(msg.clone())),
    }
}

/// Whether this binary was built with the `wgpu` feature.
pub const WGPU_COMPILED: bool = cfg!(feature = "wgpu");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_names_round_trip() {
        for k in [BackendKind::Cpu64, BackendKind::Cpu, BackendKind::Wgpu] {
            assert_eq!(k.name().parse::<BackendKind>().unwrap(), k);
        }
        let err = "cuda".parse::<BackendKind>().unwrap_err().to_string();
        assert!(err.contains("cuda") && err.contains("cpu64"), "{err}");
    }

    #[test]
    fn host_round_trip_is_exact_in_f64() {
        let v: Vec<f64> = (0..12).map(|i| (i as f64).sqrt() * 1e-3 + 275.0).collect();
        let t = tensor_from_vec::<Cpu64, 2>(v.clone(), [3, 4], &Default::default());
        assert_eq!(t.dtype(), DType::F64);
        assert_eq!(to_vec_f64(t), v);
    }

    #[cfg(not(feature = "wgpu"))]
    #[test]
    fn wgpu_without_feature_is_a_clear_error() {
        struct Noop;
        impl BackendJob for Noop {
            type Output = ();
            fn run<B: Backend>(self, _: BackendKind, _: &B::Device) {}
        }
        let err = dispatch(BackendKind::Wgpu, Noop).unwrap_err().to_string();
        assert!(err.contains("--features wgpu"), "{err}");
    }
}
