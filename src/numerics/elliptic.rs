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

use crate::backend::{index_tensor, tensor_from_vec};
use crate::numerics::stencil::{east, north, south, west};
use burn_tensor::{backend::Backend, Int, Tensor};

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
/// rows (the block Thomas algorithm; Golub & Van Loan 2013, §4.5.1), applied with matmuls on
/// each row's unknowns only.
///
/// Row j's unknowns U_j (n_j of the nx points) form the diagonal block D_j (`[n_j, n_j]`,
/// periodic in x); B_j couples row j to row j − 1 through the north faces between unknowns
/// (a selection with coefficients −c_n). Set-up (host, f64): S₀ = D₀,
/// S_j = D_j − B_j S_{j−1}⁻¹ B_jᵀ, and S_j⁻¹ is stored. Apply:
///
/// y_j = S_j⁻¹ (r_j − B_j y_{j−1}),  x_{ny−1} = y_{ny−1},  x_j = y_j − S_j⁻¹ B_{j+1}ᵀ x_{j+1},
///
/// i.e. 2 ny small sequential matvecs with Σ n_j² stored values (T31: 2.6 MB, T63: 20 MB in
/// f64; a 60-column basin on a 360-column grid stores (60/360)² of the full blocks). The
/// couplings are gathers (`select`) with coefficient vectors. As a CG preconditioner it makes
/// CG converge in one iteration to round-off.
#[derive(Debug, Clone)]
pub struct RowBlockSolver<B: Backend> {
    rows: Vec<RowBlock<B>>,
    /// Flat grid index of every unknown, row by row, `[N]`.
    gather: Tensor<B, 1, Int>,
    /// Position of every grid point in the concatenated unknowns (N: the appended zero).
    scatter: Tensor<B, 1, Int>,
    mask: Tensor<B, 2>,
    shape: [usize; 2],
    unknowns: usize,
}

/// One latitude row of the factorisation.
#[derive(Debug, Clone)]
struct RowBlock<B: Backend> {
    /// Offset of the row's unknowns in the concatenated vector.
    offset: usize,
    /// S_j⁻¹, `[n_j, n_j]`.
    s_inv: Tensor<B, 2>,
    /// For each unknown: its partner's position among row j − 1's unknowns, and −c_n (0 when
    /// there is none). `None` when no unknown has a partner.
    south: Option<(Tensor<B, 1, Int>, Tensor<B, 2>)>,
    /// Likewise towards row j + 1.
    north: Option<(Tensor<B, 1, Int>, Tensor<B, 2>)>,
}

impl<B: Backend> RowBlockSolver<B> {
    /// Factorises `op` (O(Σ n_j³) host work).
    ///
    /// # Errors
    /// [`FactorError::NotPositiveDefinite`] when a Schur complement loses positivity
    /// (a region of unknowns without a Dirichlet point).
    pub fn new(op: &FivePointOperator<B>, device: &B::Device) -> Result<Self, FactorError> {
        let (ny, nx) = (op.ny, op.nx);
        let m = |p: usize| op.host_mask[p];
        let cols: Vec<Vec<usize>> = (0..ny)
            .map(|j| (0..nx).filter(|i| m(j * nx + i)).collect())
            .collect();
        // Position of column i among row j's unknowns.
        let pos: Vec<Vec<Option<usize>>> = cols
            .iter()
            .map(|c| {
                let mut v = vec![None; nx];
                for (a, i) in c.iter().enumerate() {
                    v[*i] = Some(a);
                }
                v
            })
            .collect();
        let mut s_invs: Vec<Vec<f64>> = Vec::with_capacity(ny);
        for j in 0..ny {
            let n = cols[j].len();
            let mut d = vec![0.0; n * n];
            for (a, &i) in cols[j].iter().enumerate() {
                let p = j * nx + i;
                let west_c = op.host_ce[j * nx + (i + nx - 1) % nx];
                let south_c = if j > 0 { op.host_cn[p - nx] } else { 0.0 };
                d[a * n + a] += op.host_ce[p] + west_c + op.host_cn[p] + south_c + op.host_extra[p];
                let e = (i + 1) % nx;
                if let (Some(b), true) = (pos[j][e], e != i) {
                    d[a * n + b] -= op.host_ce[p];
                    d[b * n + a] -= op.host_ce[p];
                }
            }
            if j > 0 && !cols[j - 1].is_empty() {
                let prev = &s_invs[j - 1];
                let np = cols[j - 1].len();
                // Partners (a in row j, c in row j − 1) with coupling b = −c_n(j − 1, i).
                let pairs: Vec<(usize, usize, f64)> = cols[j]
                    .iter()
                    .enumerate()
                    .filter_map(|(a, &i)| {
                        pos[j - 1][i].map(|c| (a, c, -op.host_cn[(j - 1) * nx + i]))
                    })
                    .collect();
                for &(a, c, ba) in &pairs {
                    for &(a2, c2, bb) in &pairs {
                        d[a * n + a2] -= ba * prev[c * np + c2] * bb;
                    }
                }
            }
            for a in 0..n {
                let piv = d[a * n + a];
                if piv <= 0.0 || !piv.is_finite() {
                    return Err(FactorError::NotPositiveDefinite {
                        index: j * nx + cols[j][a],
                        pivot: piv,
                    });
                }
            }
            s_invs.push(if n > 0 {
                dense_inverse(d, n)
            } else {
                Vec::new()
            });
        }
        let link = |j: usize, other: usize| -> Option<(Tensor<B, 1, Int>, Tensor<B, 2>)> {
            let mut idx = Vec::with_capacity(cols[j].len());
            let mut coef = Vec::with_capacity(cols[j].len());
            let mut any = false;
            for &i in &cols[j] {
                let q = if other < j {
                    other * nx + i
                } else {
                    j * nx + i
                };
                match pos[other][i] {
                    Some(c) => {
                        idx.push(c as i64);
                        coef.push(-op.host_cn[q]);
                        any = true;
                    }
                    None => {
                        idx.push(0);
                        coef.push(0.0);
                    }
                }
            }
            let n = coef.len();
            any.then(|| {
                (
                    index_tensor::<B>(idx, device),
                    tensor_from_vec(coef, [n, 1], device),
                )
            })
        };
        let mut rows = Vec::with_capacity(ny);
        let mut offset = 0;
        let mut gather = Vec::new();
        let mut scatter = vec![0i64; ny * nx];
        for j in 0..ny {
            let n = cols[j].len();
            for (a, &i) in cols[j].iter().enumerate() {
                gather.push((j * nx + i) as i64);
                scatter[j * nx + i] = (offset + a) as i64;
            }
            if n > 0 {
                rows.push(RowBlock {
                    offset,
                    s_inv: tensor_from_vec(s_invs[j].clone(), [n, n], device),
                    south: if j > 0 { link(j, j - 1) } else { None },
                    north: if j + 1 < ny { link(j, j + 1) } else { None },
                });
            } else {
                rows.push(RowBlock {
                    offset,
                    s_inv: tensor_from_vec(vec![0.0], [1, 1], device),
                    south: None,
                    north: None,
                });
            }
            offset += n;
        }
        let unknowns = offset;
        for (p, s) in scatter.iter_mut().enumerate() {
            if !m(p) {
                *s = unknowns as i64;
            }
        }
        Ok(RowBlockSolver {
            rows,
            gather: index_tensor::<B>(gather, device),
            scatter: index_tensor::<B>(scatter, device),
            mask: op.mask.clone(),
            shape: [ny, nx],
            unknowns,
        })
    }

    /// x = A⁻¹ r for a grid field r `[ny, nx]`; 0 off the unknowns.
    pub fn apply(&self, r: Tensor<B, 2>) -> Tensor<B, 2> {
        let [ny, nx] = self.shape;
        let n_of = |j: usize| -> usize {
            let next = self.rows.get(j + 1).map_or(self.unknowns, |r| r.offset);
            next - self.rows[j].offset
        };
        let rc = r.reshape([ny * nx]).select(0, self.gather.clone());
        let mut y: Vec<Option<Tensor<B, 2>>> = Vec::with_capacity(ny);
        for j in 0..ny {
            let n = n_of(j);
            if n == 0 {
                y.push(None);
                continue;
            }
            let row = &self.rows[j];
            let mut rj = rc.clone().narrow(0, row.offset, n).reshape([n, 1]);
            if let (Some((idx, coef)), Some(Some(prev))) = (&row.south, y.last()) {
                let pn = prev.dims()[0];
                rj = rj
                    - prev
                        .clone()
                        .reshape([pn])
                        .select(0, idx.clone())
                        .reshape([n, 1])
                        * coef.clone();
            }
            y.push(Some(row.s_inv.clone().matmul(rj)));
        }
        let mut x: Vec<Option<Tensor<B, 2>>> = vec![None; ny];
        for j in (0..ny).rev() {
            let Some(yj) = y[j].clone() else { continue };
            let row = &self.rows[j];
            let n = yj.dims()[0];
            x[j] = Some(match (&row.north, x.get(j + 1).cloned().flatten()) {
                (Some((idx, coef)), Some(next)) => {
                    let nn = next.dims()[0];
                    let t =
                        next.reshape([nn]).select(0, idx.clone()).reshape([n, 1]) * coef.clone();
                    yj - row.s_inv.clone().matmul(t)
                }
                _ => yj,
            });
        }
        let device = self.mask.device();
        let mut parts: Vec<Tensor<B, 2>> = x.into_iter().flatten().collect();
        parts.push(crate::backend::zeros::<B, 2>([1, 1], &device));
        let all = Tensor::cat(parts, 0).reshape([self.unknowns + 1]);
        all.select(0, self.scatter.clone()).reshape([ny, nx])
    }
}
