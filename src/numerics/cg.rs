//! Preconditioned conjugate gradients in Burn tensors, with a fixed iteration count.
//!
//! For a symmetric positive-definite operator A and preconditioner M ≈ A⁻¹ (Hestenes &
//! Stiefel 1952; Saad 2003, Algorithm 9.1):
//!
//! r₀ = b − A x₀, z₀ = M r₀, p₀ = z₀;  for k = 0 … N−1:
//! αₖ = (rₖ·zₖ)/(pₖ·A pₖ), xₖ₊₁ = xₖ + αₖ pₖ, rₖ₊₁ = rₖ − αₖ A pₖ, zₖ₊₁ = M rₖ₊₁,
//! βₖ = (rₖ₊₁·zₖ₊₁)/(rₖ·zₖ), pₖ₊₁ = zₖ₊₁ + βₖ pₖ.
//!
//! The loop runs exactly N iterations with no host read and no data-dependent branch, so
//! autodiff differentiates it exactly and it costs N + 2 operator applications (initial residual,
//! N iterations, final true residual) and N preconditioner applications (the unused last
//! direction is not formed); a step with pₖ·A pₖ = 0 (the residual is already exactly zero) is skipped by
//! a mask rather than divided by zero. The true residual ‖b − A x‖/‖b‖ is computed once at
//! the end and returned in a [`CgReport`]; [`CgReport::check`] turns a missed tolerance into
//! a named error. Solvers report, they do not log.

use burn_tensor::{backend::Backend, Tensor};

/// What a solve achieved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CgReport {
    /// Iterations performed (the fixed count).
    pub iterations: usize,
    /// Relative residual ‖b − A x‖₂ / ‖b‖₂ of the returned solution (0 when b = 0).
    pub relative_residual: f64,
}

/// A solve that missed its tolerance.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("conjugate gradients did not converge: relative residual {residual:.3e} after {iterations} iterations exceeds the tolerance {tolerance:.1e}; raise the iteration count in the model file or check the operator (a singular or non-symmetric system)")]
pub struct CgNotConverged {
    /// Iterations performed.
    pub iterations: usize,
    /// Relative residual reached.
    pub residual: f64,
    /// Tolerance asked for.
    pub tolerance: f64,
}

impl CgReport {
    /// `Ok` when the relative residual is at most `tolerance`.
    ///
    /// # Errors
    /// [`CgNotConverged`] otherwise (also for a NaN residual).
    pub fn check(&self, tolerance: f64) -> Result<(), CgNotConverged> {
        if self.relative_residual <= tolerance {
            Ok(())
        } else {
            Err(CgNotConverged {
                iterations: self.iterations,
                residual: self.relative_residual,
                tolerance,
            })
        }
    }
}

fn dot<B: Backend, const D: usize>(a: Tensor<B, D>, b: Tensor<B, D>) -> Tensor<B, 1> {
    (a * b).sum()
}

/// The relative residual of a solve, still on the device.
#[derive(Debug, Clone)]
pub struct CgResidual<B: Backend> {
    /// Iterations performed.
    pub iterations: usize,
    /// ‖b − A x‖₂ / ‖b‖₂ (‖b − A x‖₂ when b = 0), shape `[1]`.
    pub relative_residual: Tensor<B, 1>,
}

impl<B: Backend> CgResidual<B> {
    /// Reads the residual to the host (a device sync).
    pub fn report(&self) -> CgReport {
        CgReport {
            iterations: self.iterations,
            relative_residual: crate::backend::to_vec_f64(self.relative_residual.clone())[0],
        }
    }
}

/// Solves A x = b by `iterations` steps of preconditioned CG from the warm start `x0`.
/// `op` applies A and `precond` applies M; both map tensors of `b`'s shape to that shape.
pub fn pcg<B: Backend, const D: usize>(
    op: impl Fn(Tensor<B, D>) -> Tensor<B, D>,
    precond: impl Fn(Tensor<B, D>) -> Tensor<B, D>,
    b: Tensor<B, D>,
    x0: Tensor<B, D>,
    iterations: usize,
) -> (Tensor<B, D>, CgResidual<B>) {
    let mut x = x0;
    let mut r = b.clone() - op(x.clone());
    let mut z = precond(r.clone());
    let mut p = z.clone();
    let mut rz = dot(r.clone(), z.clone());
    for k in 0..iterations {
        let ap = op(p.clone());
        let pap = dot(p.clone(), ap.clone());
        let zero = pap.clone().equal_elem(0.0);
        let alpha = (rz.clone() / pap.mask_fill(zero.clone(), 1.0)).mask_fill(zero, 0.0);
        x = x + p.clone() * alpha.clone().reshape([1; D]);
        if k + 1 == iterations {
            break; // the last search direction would not be used
        }
        r = r - ap * alpha.reshape([1; D]);
        z = precond(r.clone());
        let rz_new = dot(r.clone(), z.clone());
        let zero = rz.clone().equal_elem(0.0);
        let beta = (rz_new.clone() / rz.mask_fill(zero.clone(), 1.0)).mask_fill(zero, 0.0);
        p = z.clone() + p * beta.reshape([1; D]);
        rz = rz_new;
    }
    let res = (b.clone() - op(x.clone())).powf_scalar(2.0).sum().sqrt();
    let norm_b = b.powf_scalar(2.0).sum().sqrt();
    let zero = norm_b.clone().equal_elem(0.0);
    let relative_residual = res / norm_b.mask_fill(zero, 1.0);
    (
        x,
        CgResidual {
            iterations,
            relative_residual,
        },
    )
}
