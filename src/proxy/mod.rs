//! Proxy system models: what a sediment core would record given the model's ocean.
//!
//! Each model maps temperature (°C) and, where the proxy needs it, seawater δ18O, salinity
//! or carbonate chemistry to the proxy's native units, and back:
//!
//! - [`d18o`]: foraminiferal calcite δ18O (‰ VPDB), Bemis et al. (1998) and the other
//!   paleotemperature equations in the same form, and the Bayesian bayfox models;
//! - [`alkenone`]: UK'37, Müller et al. (1998) and BAYSPLINE;
//! - [`mgca`]: Mg/Ca (Anand et al. 2003, BAYMAG pooled) and TEX86ᴴ (Kim et al. 2010).
//!
//! Every model is a generic function over `B: Backend` built from Burn tensor operations,
//! elementwise on tensors of any shape, so it runs on every backend and under `Autodiff<B>`;
//! none has a clamp or a branch on the state (BAYSPLINE's knots enter through C¹ truncated
//! powers, tested to have continuous, non-zero gradients on both sides of every knot).
//! [`seawater`] builds seawater δ18O on the ocean grid (a prescribed product, regional δw–S
//! slopes, an ice-volume offset) and [`operator`] maps the model's monthly ocean to each
//! record (interpolation to the core, depth habitat, smooth growth seasons, window means).
//! [`cost`] holds the observation cost and its error model, [`checks`] the warnings for
//! values outside the calibrations' range.
//! [`species`] holds the foraminifera and their growth ranges, [`records`] the proxy file
//! format and its loader, [`table`] the CSV reader underneath, and [`calculator`] the
//! `chronos proxy` command. The calibration numbers and the real proxy data are in
//! `models/data/proxies/` (its README gives sources, licences and columns).
//!
//! Validation against the real core tops of `models/data/proxies/` (a perfect modern ocean:
//! the sites' own observed SST and seawater δ18O) is in `tests/suite/proxy.rs`.

pub mod alkenone;
pub mod calculator;
pub mod checks;
pub mod cost;
pub mod d18o;
pub mod mgca;
pub mod operator;
pub mod records;
pub mod seawater;
pub mod species;
pub mod table;

pub use alkenone::Uk37Calibration;
pub use checks::{range_warnings, RangeWarning};
pub use cost::{checkerboard, ErrorModel, ProxyCost};
pub use d18o::{D18oCalibration, PaleoTemperature};
pub use mgca::{tex86, tex86_temperature, MgCaCalibration, SeawaterChemistry};
pub use operator::{MonthlyOcean, OnDry, OperatorError, SiteOperator, SiteOptions};
pub use records::{ProxyKind, ProxyRecord, Season};
pub use seawater::{D18oSwProduct, SeawaterD18o};
pub use species::Species;
pub use table::{Table, TableError};

/// A 1-D `cpu64` tensor of `v`: the inputs of the calculator and of the unit tests.
pub(crate) fn cpu64_vector(v: Vec<f64>) -> burn_tensor::Tensor<crate::backend::Cpu64, 1> {
    let n = v.len();
    crate::backend::tensor_from_vec(v, [n], &Default::default())
}
