//! Symmetric five-point elliptic operators on masked, x-periodic grids, and an exact
//! dense-inverse preconditioner for them.
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
//! [`DenseInverse`] factorises A once on the host (banded Cholesky in the row-major order of
//! the unknowns, bandwidth ≤ nx), forms A⁻¹ and applies it as one matmul on the device:
//! an exact preconditioner, so CG converges in one or two iterations and autodiff through
//! the solve is cheap. Memory is n² values for n unknowns (T31 ≈ 3000: 72 MB in f64).

use crate::backend::tensor_from_vec;
use crate::numerics::stencil::{east, north, south, west};
use burn_tensor::{backend::Backend, Int, Tensor, TensorData};

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
    host_ce: Vec<f64>,
    host_cn: Vec<f64>,
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
        let mut diag = vec![0.0; ny * nx];
        for j in 0..ny {
            for i in 0..nx {
                let p = j * nx + i;
                if !mask[p] {
                    continue;
                }
                let west_c = ce[j * nx + (i + nx - 1) % nx];
                let south_c = if j > 0 { cn[(j - 1) * nx + i] } else { 0.0 };
                diag[p] = ce[p] + west_c + cn[p] + south_c;
            }
        }
        let m: Vec<f64> = mask.iter().map(|&b| f64::from(u8::from(b))).collect();
        FivePointOperator {
            ce: tensor_from_vec(ce.clone(), [ny, nx], device),
            cn: tensor_from_vec(cn.clone(), [ny, nx], device),
            diag: tensor_from_vec(diag, [ny, nx], device),
            mask: tensor_from_vec(m, [ny, nx], device),
            host_ce: ce,
            host_cn: cn,
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

    /// Number of unknowns n.
    pub fn unknowns(&self) -> usize {
        self.host_mask.iter().filter(|m| **m).count()
    }
}

/// A⁻¹ of a [`FivePointOperator`] as a dense `[n, n]` device matrix, with the gathers that
/// take grid fields to the unknowns and back.
#[derive(Debug, Clone)]
pub struct DenseInverse<B: Backend> {
    inverse: Tensor<B, 2>,
    to_unknowns: Tensor<B, 1, Int>,
    to_grid: Tensor<B, 1, Int>,
    shape: [usize; 2],
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

impl<B: Backend> DenseInverse<B> {
    /// Factorises `op` on the host in f64 (banded Cholesky, O(n·nx²)), inverts it column by
    /// column (O(n²·nx)) and uploads the symmetrised inverse.
    ///
    /// # Errors
    /// [`FactorError::NotPositiveDefinite`] when a pivot is not positive.
    pub fn new(op: &FivePointOperator<B>, device: &B::Device) -> Result<Self, FactorError> {
        let (ny, nx) = (op.ny, op.nx);
        let mut index = vec![usize::MAX; ny * nx];
        let mut points = Vec::new();
        for (p, slot) in index.iter_mut().enumerate() {
            if op.host_mask[p] {
                *slot = points.len();
                points.push(p);
            }
        }
        let n = points.len();
        // Bandwidth: the largest index distance between coupled unknowns.
        let mut entries: Vec<(usize, usize, f64)> = Vec::new(); // (row, col < row, value)
        let mut diag = vec![0.0; n];
        for (a, &p) in points.iter().enumerate() {
            let (j, i) = (p / nx, p % nx);
            let e = j * nx + (i + 1) % nx;
            let w = j * nx + (i + nx - 1) % nx;
            diag[a] = op.host_ce[p]
                + op.host_ce[w]
                + op.host_cn[p]
                + if j > 0 { op.host_cn[p - nx] } else { 0.0 };
            let mut couple = |q: usize, c: f64| {
                if op.host_mask[q] && index[q] < a {
                    entries.push((a, index[q], -c));
                }
            };
            couple(e, op.host_ce[p]);
            couple(w, op.host_ce[w]);
            if j + 1 < ny {
                couple(p + nx, op.host_cn[p]);
            }
            if j > 0 {
                couple(p - nx, op.host_cn[p - nx]);
            }
        }
        let bw = entries.iter().map(|(r, c, _)| r - c).max().unwrap_or(0);
        // Lower band storage: l[r * (bw + 1) + (r − c)].
        let w = bw + 1;
        let mut l = vec![0.0; n * w];
        for (r, &d) in diag.iter().enumerate() {
            l[r * w] = d;
        }
        for (r, c, v) in entries {
            l[r * w + (r - c)] += v;
        }
        // Banded Cholesky A = L Lᵀ.
        for r in 0..n {
            let c0 = r.saturating_sub(bw);
            for c in c0..=r {
                let mut s = l[r * w + (r - c)];
                let k0 = c0.max(c.saturating_sub(bw));
                for k in k0..c {
                    s -= l[r * w + (r - k)] * l[c * w + (c - k)];
                }
                if c == r {
                    if s <= 0.0 || !s.is_finite() {
                        return Err(FactorError::NotPositiveDefinite { index: r, pivot: s });
                    }
                    l[r * w] = s.sqrt();
                } else {
                    l[r * w + (r - c)] = s / l[c * w];
                }
            }
        }
        // Columns of A⁻¹: solve L y = e_q (y starts at q), then Lᵀ x = y.
        let mut inv = vec![0.0; n * n];
        let mut y = vec![0.0; n];
        for q in 0..n {
            y.iter_mut().for_each(|v| *v = 0.0);
            for r in q..n {
                let mut s = if r == q { 1.0 } else { 0.0 };
                for k in r.saturating_sub(bw).max(q)..r {
                    s -= l[r * w + (r - k)] * y[k];
                }
                y[r] = s / l[r * w];
            }
            for r in (0..n).rev() {
                let mut s = y[r];
                for k in (r + 1)..(r + 1 + bw).min(n) {
                    s -= l[k * w + (k - r)] * y[k];
                }
                y[r] = s / l[r * w];
            }
            for r in 0..n {
                inv[r * n + q] = y[r];
            }
        }
        for r in 0..n {
            for c in 0..r {
                let m = 0.5 * (inv[r * n + c] + inv[c * n + r]);
                inv[r * n + c] = m;
                inv[c * n + r] = m;
            }
        }
        let to_unknowns: Vec<i64> = points.iter().map(|&p| p as i64).collect();
        let to_grid: Vec<i64> = index
            .iter()
            .map(|&a| if a == usize::MAX { n as i64 } else { a as i64 })
            .collect();
        let ints = |v: Vec<i64>| {
            let len = v.len();
            Tensor::<B, 1, Int>::from_data(TensorData::new(v, [len]), device)
        };
        Ok(DenseInverse {
            inverse: tensor_from_vec(inv, [n, n], device),
            to_unknowns: ints(to_unknowns),
            to_grid: ints(to_grid),
            shape: [ny, nx],
        })
    }

    /// A⁻¹ r for a grid field r `[ny, nx]`; 0 off the unknowns.
    pub fn apply(&self, r: Tensor<B, 2>) -> Tensor<B, 2> {
        let [ny, nx] = self.shape;
        let n = self.inverse.dims()[0];
        let ru = r
            .reshape([ny * nx])
            .select(0, self.to_unknowns.clone())
            .reshape([n, 1]);
        let xu = self.inverse.clone().matmul(ru).reshape([n]);
        let padded = Tensor::cat(vec![xu.clone(), xu.narrow(0, 0, 1).zeros_like()], 0);
        padded.select(0, self.to_grid.clone()).reshape([ny, nx])
    }
}
