//! Symmetric five-point elliptic operators on masked, x-periodic grids, and an exact
//! direct solver for them used as the CG preconditioner.
//!
//! On unknown points p of a `[ny, nx]` grid (mask 1; others hold the Dirichlet value 0),
//!
//! (A x)ₚ = Σ_faces c_f (xₚ − x_q),
//!
//! summed over the four faces of p: east face c_e(j, i) couples (j, i)–(j, i+1) (periodic),
//! north face c_n(j, i) couples (j, i)–(j+1, i); a face to a non-unknown point (or the
//! northern wall, row ny−1's north face) adds c_f xₚ only. With positive coefficients and
//! every connected set of unknowns touching a Dirichlet point, A is symmetric positive definite
//! — the structure of the ocean's barotropic streamfunction operator −∇·(H⁻¹∇ψ).
//!
//! [`RowBlockSolver`] solves A x = r exactly by block-tridiagonal LU over latitude rows,
//! applied with matmuls: as the CG preconditioner it makes CG converge in one or two
//! iterations, so autodiff through the fixed-count solve is exact and cheap. (A dense A⁻¹
//! over the unknowns was tried first: exact too, but its n² values made every application
//! memory-bound — 12 ms at T31 — and its set-up took 92 s and 2.6 GB at T63; see
//! `benches/README.md`.)

use crate::backend::tensor_from_vec;
use crate::numerics::stencil::{east, north, south, west};
use burn_tensor::{backend::Backend, Tensor};

/// A five-point operator: coefficients and the unknown mask on the device, and a host copy.
#[derive(Debug, Clone)]
pub struct FivePointOperator<B: Backend> {
    /// East-face coefficients c_e, `[ny, nx]`.
    pub ce: Tensor<B, 2>,
    /// North-face coefficients c_n, `[ny, nx]`.
    pub cn: Tensor<B, 2>,
    /// Diagonal Σ_faces c_f on unknowns (0 elsewhere), `[ny, nx]`.
    pub diag: Tensor<B, 2>,
    /// 1 on unknowns, 0 elsewhere, `[ny, nx]`.
    pub mask: Tensor<B, 2>,
    /// Σ_faces c_f at every point (unknown or not), `[ny, nx]`, for [`Self::apply_full`].
    pub diag_full: Tensor<B, 2>,
    host_ce: Vec<f64>,
    host_cn: Vec<f64>,
    host_extra: Vec<f64>,
    host_mask: Vec<bool>,
    ny: usize,
    nx: usize,
}

impl<B: Backend> FivePointOperator<B> {
    /// Builds the operator from host coefficients (row-major `[ny, nx]`) and the unknown mask.
    pub fn new(
        ce: Vec<f64>,
        cn: Vec<f64>,
        mask: Vec<bool>,
        ny: usize,
        nx: usize,
        device: &B::Device,
    ) -> Self {
        let extra = vec![0.0; ny * nx];
        Self::with_diagonal(ce, cn, extra, mask, ny, nx, device)
    }

    /// As [`Self::new`] with an extra non-negative diagonal term dₚ (links to Dirichlet points
    /// outside the grid, e.g. beyond the southern row): (A x)ₚ gains dₚ xₚ.
    pub fn with_diagonal(
        ce: Vec<f64>,
        cn: Vec<f64>,
        extra: Vec<f64>,
        mask: Vec<bool>,
        ny: usize,
        nx: usize,
        device: &B::Device,
    ) -> Self {
        let mut diag = vec![0.0; ny * nx];
        let mut diag_full = vec![0.0; ny * nx];
        for j in 0..ny {
            for i in 0..nx {
                let p = j * nx + i;
                let west_c = ce[j * nx + (i + nx - 1) % nx];
                let south_c = if j > 0 { cn[(j - 1) * nx + i] } else { 0.0 };
                diag_full[p] = ce[p] + west_c + cn[p] + south_c + extra[p];
                if mask[p] {
                    diag[p] = diag_full[p];
                }
            }
        }
        let m: Vec<f64> = mask.iter().map(|&b| f64::from(u8::from(b))).collect();
        FivePointOperator {
            ce: tensor_from_vec(ce.clone(), [ny, nx], device),
            cn: tensor_from_vec(cn.clone(), [ny, nx], device),
            diag: tensor_from_vec(diag, [ny, nx], device),
            mask: tensor_from_vec(m, [ny, nx], device),
            diag_full: tensor_from_vec(diag_full, [ny, nx], device),
            host_ce: ce,
            host_cn: cn,
            host_extra: extra,
            host_mask: mask,
            ny,
            nx,
        }
    }

    /// A x for x `[ny, nx]` (values off the unknowns are ignored); output 0 off the unknowns.
    pub fn apply(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        let x = x * self.mask.clone();
        let off = self.ce.clone() * east(x.clone())
            + west(self.ce.clone() * x.clone())
            + self.cn.clone() * north(x.clone(), 0.0)
            + south(self.cn.clone() * x.clone(), 0.0);
        (self.diag.clone() * x - off) * self.mask.clone()
    }

    /// The unmasked operator (A_full x)ₚ = Σ_faces c_f (xₚ − x_q) at every point, unknown or
    /// not (faces beyond the southern and northern rows count as links to 0); `[ny, nx]`.
    /// Summed over a set of boundary points it gives the circulation around them (island
    /// conditions of the barotropic streamfunction).
    pub fn apply_full(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        let off = self.ce.clone() * east(x.clone())
            + west(self.ce.clone() * x.clone())
            + self.cn.clone() * north(x.clone(), 0.0)
            + south(self.cn.clone() * x.clone(), 0.0);
        self.diag_full.clone() * x - off
    }

    /// Number of unknowns n.
    pub fn unknowns(&self) -> usize {
        self.host_mask.iter().filter(|m| **m).count()
    }
}

/// Errors factorising an operator.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FactorError {
    /// The matrix is not positive definite (e.g. a set of unknowns with no Dirichlet point).
    #[error("the elliptic operator is not positive definite at unknown {index} (pivot {pivot:e}): some connected region of unknowns touches no boundary point; check the mask (islands need their own unknowns)")]
    NotPositiveDefinite {
        /// Unknown index.
        index: usize,
        /// The failing pivot.
        pivot: f64,
    },
}

/// Inverse of a dense n×n matrix (row-major) by Gauss–Jordan elimination with partial pivoting.
pub(crate) fn dense_inverse(mut a: Vec<f64>, n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&x, &y| a[x * n + col].abs().total_cmp(&a[y * n + col].abs()))
            .unwrap_or(col);
        if piv != col {
            for k in 0..n {
                a.swap(col * n + k, piv * n + k);
                inv.swap(col * n + k, piv * n + k);
            }
        }
        let d = a[col * n + col];
        for k in 0..n {
            a[col * n + k] /= d;
            inv[col * n + k] /= d;
        }
        for r in 0..n {
            let f = a[r * n + col];
            if r != col && f != 0.0 {
                for k in 0..n {
                    a[r * n + k] -= f * a[col * n + k];
                    inv[r * n + k] -= f * inv[col * n + k];
                }
            }
        }
    }
    inv
}

/// An exact direct solver for a [`FivePointOperator`] by block-tridiagonal LU over latitude
/// rows (the block Thomas algorithm; Golub & Van Loan 2013, §4.5.1), applied with matmuls.
///
/// With rows as blocks, A has diagonal blocks D_j (`[nx, nx]`, periodic in x) and diagonal
/// couplings B_j between rows j and j − 1. Set-up (host, f64): S₀ = D₀,
/// S_j = D_j − B_j S_{j−1}⁻¹ B_jᵀ, F_j = S_j⁻¹ B_j, E_j = S_j⁻¹ B_{j+1}ᵀ. Apply:
///
/// c_j = S_j⁻¹ r_j (one batched matmul),  y₀ = c₀, y_j = c_j − F_j y_{j−1},
/// x_{ny−1} = y_{ny−1}, x_j = y_j − E_j x_{j+1},
///
/// i.e. one batched matmul and 2(ny − 1) small sequential matvecs, with 3·ny·nx² stored
/// values (T31: 10 MB, T63: 85 MB in f64). Non-unknown points are given the identity row, so
/// they stay 0. As a CG preconditioner it makes CG converge in one or two iterations.
#[derive(Debug, Clone)]
pub struct RowBlockSolver<B: Backend> {
    s_inv: Tensor<B, 3>,
    forward: Vec<Tensor<B, 2>>,
    backward: Vec<Tensor<B, 2>>,
    mask: Tensor<B, 2>,
    shape: [usize; 2],
}

impl<B: Backend> RowBlockSolver<B> {
    /// Factorises `op` (O(ny·nx³) host work: T63 ≈ 0.7 GFLOP).
    ///
    /// # Errors
    /// [`FactorError::NotPositiveDefinite`] when a Schur complement loses positivity
    /// (a region of unknowns without a Dirichlet point).
    pub fn new(op: &FivePointOperator<B>, device: &B::Device) -> Result<Self, FactorError> {
        let (ny, nx) = (op.ny, op.nx);
        let m = |p: usize| op.host_mask[p];
        // Diagonal coupling of row j to row j − 1 (j ≥ 1): b_j[i] = −c_n(j−1, i) between unknowns.
        let coupling = |j: usize| -> Vec<f64> {
            (0..nx)
                .map(|i| {
                    let (p, q) = (j * nx + i, (j - 1) * nx + i);
                    if m(p) && m(q) {
                        -op.host_cn[q]
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let mut s_inv_all = Vec::with_capacity(ny * nx * nx);
        let mut forward = Vec::with_capacity(ny);
        let mut backward = Vec::with_capacity(ny);
        let mut prev_inv: Option<Vec<f64>> = None;
        let mut s_invs: Vec<Vec<f64>> = Vec::with_capacity(ny);
        for j in 0..ny {
            let mut d = vec![0.0; nx * nx];
            for i in 0..nx {
                let p = j * nx + i;
                if !m(p) {
                    d[i * nx + i] = 1.0;
                    continue;
                }
                let west_c = op.host_ce[j * nx + (i + nx - 1) % nx];
                let south_c = if j > 0 { op.host_cn[p - nx] } else { 0.0 };
                d[i * nx + i] = op.host_ce[p] + west_c + op.host_cn[p] + south_c + op.host_extra[p];
                let e = (i + 1) % nx;
                if m(j * nx + e) && e != i {
                    d[i * nx + e] -= op.host_ce[p];
                    d[e * nx + i] -= op.host_ce[p];
                }
            }
            if let (Some(pinv), true) = (&prev_inv, j > 0) {
                let b = coupling(j);
                for a in 0..nx {
                    if b[a] == 0.0 {
                        continue;
                    }
                    for c in 0..nx {
                        d[a * nx + c] -= b[a] * pinv[a * nx + c] * b[c];
                    }
                }
            }
            for i in 0..nx {
                let piv = d[i * nx + i];
                if piv <= 0.0 || !piv.is_finite() {
                    return Err(FactorError::NotPositiveDefinite {
                        index: j * nx + i,
                        pivot: piv,
                    });
                }
            }
            let inv = dense_inverse(d, nx);
            s_inv_all.extend_from_slice(&inv);
            prev_inv = Some(inv.clone());
            s_invs.push(inv);
        }
        for (j, inv) in s_invs.iter().enumerate() {
            if j > 0 {
                let b = coupling(j);
                let f: Vec<f64> = (0..nx * nx).map(|k| inv[k] * b[k % nx]).collect();
                forward.push(tensor_from_vec(f, [nx, nx], device));
            }
            if j + 1 < ny {
                let b = coupling(j + 1);
                let e: Vec<f64> = (0..nx * nx).map(|k| inv[k] * b[k % nx]).collect();
                backward.push(tensor_from_vec(e, [nx, nx], device));
            }
        }
        Ok(RowBlockSolver {
            s_inv: tensor_from_vec(s_inv_all, [ny, nx, nx], device),
            forward,
            backward,
            mask: op.mask.clone(),
            shape: [ny, nx],
        })
    }

    /// x = A⁻¹ r for a grid field r `[ny, nx]`; 0 off the unknowns.
    pub fn apply(&self, r: Tensor<B, 2>) -> Tensor<B, 2> {
        let [ny, nx] = self.shape;
        let r = r * self.mask.clone();
        let c = self
            .s_inv
            .clone()
            .matmul(r.reshape([ny, nx, 1]))
            .reshape([ny, nx]);
        let mut y: Vec<Tensor<B, 2>> = Vec::with_capacity(ny);
        y.push(c.clone().narrow(0, 0, 1).reshape([nx, 1]));
        for j in 1..ny {
            let cj = c.clone().narrow(0, j, 1).reshape([nx, 1]);
            let prev = y[j - 1].clone();
            y.push(cj - self.forward[j - 1].clone().matmul(prev));
        }
        let mut x = vec![y[ny - 1].clone(); ny];
        for j in (0..ny - 1).rev() {
            x[j] = y[j].clone() - self.backward[j].clone().matmul(x[j + 1].clone());
        }
        Tensor::cat(x, 1).swap_dims(0, 1) * self.mask.clone()
    }
}
