//! The rigid-lid barotropic mode: a transport streamfunction with island circulation
//! conditions, solved by preconditioned conjugate gradients in Burn tensors.
//!
//! Under a rigid lid the depth-integrated transport (U, V) = Σ_k Δz_k (u_k, v_k) (m² s⁻¹) is
//! non-divergent, so U = −∂ψ/∂y, V = ∂ψ/∂x with ψ (m³ s⁻¹) at ζ-points (cell north-east
//! corners, [`crate::grid::ocean`]). Given the velocities u*, v* of a step with every force
//! except the (unknown) surface pressure, the surface pressure π adds a depth-independent
//! correction −Δt ∇π; its circulation around every closed path vanishes. So the depth-mean
//! velocity ū = U/H from ψ must have the same circulation as ū* = U*/H around every dual cell
//! and every island (Bryan 1969; Veros' `streamfunction_init`, `solve_stream`):
//!
//! Γ(ū(ψ)) = Γ(ū*),  Γ(ū)_{j,i} = Δy (v̄_{j,i+1} − v̄_{j,i}) − (Δx_{T,j+1} ū_{j+1,i} − Δx_{T,j} ū_{j,i}),
//!
//! the circulation around the dual cell of ζ(j, i) (m² s⁻¹). In terms of ψ this is the
//! symmetric positive-definite five-point system A ψ = −Γ(ū*), the discrete −∇·(H⁻¹∇ψ) with
//!
//! c_e(j,i) = Δy / (Δx_{V,j} H_V(j,i+1)),  c_n(j,i) = Δx_{T,j+1} / (Δy H_U(j+1,i)),
//!
//! (0 across dry faces). Interior ζ-points (all four surrounding T cells wet) are unknowns. The
//! other ζ-points lie on land; connected through dry faces they form land masses. The
//! southern edge of the grid is a wall with ψ = 0 (links to it through the U faces of the
//! first row enter the diagonal); it and the land joined to it (Antarctica) hold ψ = 0; every other land
//! mass n (continents, islands, the northern wall) holds an unknown constant ψₙ fixed by its
//! circulation condition Σ_{p∈n}(A ψ + Γ(ū*))ₚ = 0. With ψ = ψ₀ + Σₙ ψₙ χₙ, where ψ₀ solves
//! the Dirichlet problem and χₙ = eₙ − A_int⁻¹ A eₙ is the harmonic extension of land mass n's
//! indicator eₙ (precomputed), the island values solve the small SPD capacitance system
//!
//! Σₙ Mₘₙ ψₙ = Σ_{p∈m} (−Γ(ū*) − A ψ₀)ₚ,  Mₘₙ = eₘᵀ A χₙ.
//!
//! ψ₀ comes from [`pcg`] with the exact row-block preconditioner ([`RowBlockSolver`]) at a
//! fixed iteration count from the model file, warm-started from the previous step, so the
//! solve is one fixed tensor graph that autodiff differentiates exactly. The transport then
//! satisfies ∇·(U, V) = 0 to round-off in every T cell, and the velocities become
//! u = u* − ū* + ū(ψ).
//!
//! # References
//! Bryan, K. (1969), J. Comput. Phys. 4, 347–376; Häfner et al. (2018), Geosci. Model Dev.
//! 11, 3299–3312 (Veros); Golub & Van Loan (2013), Matrix Computations, §10.2 (PCG).

use crate::backend::{float_dtype, tensor_from_vec, to_vec_f64, Cpu64};
use crate::grid::OceanGrid;
use crate::numerics::cg::{pcg, CgNotConverged, CgResidual};
use crate::numerics::elliptic::{dense_inverse, FactorError, FivePointOperator, RowBlockSolver};
use crate::numerics::stencil::{east, north, south, west};
use burn_tensor::{backend::Backend, Tensor};

/// Errors setting up the barotropic solver.
#[derive(Debug, thiserror::Error)]
pub enum BarotropicError {
    /// The Dirichlet operator could not be factorised.
    #[error(transparent)]
    Factor(#[from] FactorError),
    /// The set-up solves for the island fields did not converge.
    #[error("barotropic set-up: {0}")]
    Setup(#[from] CgNotConverged),
    /// The capacitance matrix of the island conditions is singular.
    #[error("the island capacitance matrix is not positive definite (land mass {island}, diagonal {diagonal:e}); a land mass touches no ocean")]
    Capacitance {
        /// Land mass index.
        island: usize,
        /// Its diagonal entry.
        diagonal: f64,
    },
}

/// A land mass with its own streamfunction value.
#[derive(Debug, Clone, PartialEq)]
pub struct Island {
    /// ζ-points on it.
    pub points: usize,
    /// Longitude (°E) and latitude (°N) of its south-westernmost ζ-point.
    pub lon: f64,
    /// See `lon`.
    pub lat: f64,
}

/// The barotropic solver: operator, preconditioner and island fields, all constant in a run.
#[derive(Debug, Clone)]
pub struct BarotropicSolver<B: Backend> {
    op: FivePointOperator<B>,
    pre: RowBlockSolver<B>,
    /// 1/H_U (m⁻¹) at U faces, 0 where dry, `[ny, nx]`.
    pub inv_h_u: Tensor<B, 2>,
    /// 1/H_V (m⁻¹) at V faces, 0 where dry, `[ny, nx]`.
    pub inv_h_v: Tensor<B, 2>,
    /// Column depth H_U (m) at U faces, `[ny, nx]`.
    pub h_u: Tensor<B, 2>,
    /// Column depth H_V (m) at V faces, `[ny, nx]`.
    pub h_v: Tensor<B, 2>,
    dx_t: Tensor<B, 2>,
    inv_dx_v: Tensor<B, 2>,
    dy: f64,
    indicator: Option<Tensor<B, 2>>,
    chi: Option<Tensor<B, 2>>,
    cap_inv: Option<Tensor<B, 2>>,
    /// The land masses with an unknown ψ (all but the southern one).
    pub islands: Vec<Island>,
    /// Land-mass label of every ζ-point: −1 interior, 0 the southern (ψ = 0) mass, n ≥ 1
    /// island n − 1 of [`Self::islands`]; row-major `[ny, nx]`.
    pub labels: Vec<i32>,
    /// CG iterations per solve.
    pub iterations: usize,
    shape: [usize; 2],
}

/// The result of one barotropic solve.
#[derive(Debug, Clone)]
pub struct BarotropicSolution<B: Backend> {
    /// ψ (m³ s⁻¹) at ζ-points, `[ny, nx]`.
    pub psi: Tensor<B, 2>,
    /// ψ₀, the Dirichlet part (next step's warm start), `[ny, nx]`.
    pub psi_dirichlet: Tensor<B, 2>,
    /// Depth-mean velocity ū(ψ) (m s⁻¹) at U faces, `[ny, nx]`.
    pub u_mean: Tensor<B, 2>,
    /// Depth-mean velocity v̄(ψ) (m s⁻¹) at V faces, `[ny, nx]`.
    pub v_mean: Tensor<B, 2>,
    /// CG iterations and relative residual of the Dirichlet solve.
    pub residual: CgResidual<B>,
}

/// Connected components of the non-interior ζ-points through dry faces (periodic in x);
/// component 0 is the southern wall with the land connected to it through dry U faces of
/// the first row (`south_dry`).
fn label_land(
    interior: &[bool],
    ce_dry: &[bool],
    cn_dry: &[bool],
    south_dry: &[bool],
    ny: usize,
    nx: usize,
) -> (Vec<i32>, usize) {
    let mut label = vec![-2i32; ny * nx];
    let mut stack: Vec<usize> = (0..nx).filter(|i| !interior[*i] && south_dry[*i]).collect();
    for p in &stack {
        label[*p] = 0;
    }
    let mut count = 0usize;
    let mut seeds = (0..ny * nx).filter(|p| !interior[*p]);
    loop {
        if stack.is_empty() {
            count += 1;
            match seeds.find(|p| label[*p] == -2) {
                Some(start) => {
                    label[start] = count as i32;
                    stack.push(start);
                }
                None => break,
            }
        }
        let p = stack.pop().expect("seeded");
        {
            let (j, i) = (p / nx, p % nx);
            let mut nb = Vec::with_capacity(4);
            let e = j * nx + (i + 1) % nx;
            if ce_dry[p] {
                nb.push(e);
            }
            let w = j * nx + (i + nx - 1) % nx;
            if ce_dry[w] {
                nb.push(w);
            }
            if j + 1 < ny && cn_dry[p] {
                nb.push(p + nx);
            }
            if j > 0 && cn_dry[p - nx] {
                nb.push(p - nx);
            }
            for q in nb {
                if !interior[q] && label[q] == -2 {
                    label[q] = label[p];
                    stack.push(q);
                }
            }
        }
    }
    for l in label.iter_mut() {
        if *l == -2 {
            *l = -1;
        }
    }
    (label, count)
}

impl<B: Backend> BarotropicSolver<B> {
    /// Builds the operator from the grid, the bottom index per column (`[ny, nx]`, 0 = land)
    /// and the level thicknesses, factorises the preconditioner and precomputes the island
    /// fields. `iterations` is the fixed CG count per solve.
    ///
    /// # Errors
    /// [`BarotropicError`] when the southern row is open, the operator cannot be factorised,
    /// or the island set-up fails.
    pub fn new(
        grid: &OceanGrid,
        kbot: &[usize],
        dz: &[f64],
        iterations: usize,
        device: &B::Device,
    ) -> Result<Self, BarotropicError> {
        let (ny, nx) = (grid.ny, grid.nx());
        let depth = |k: usize| -> f64 { dz[..k].iter().sum() };
        let mut h_u = vec![0.0; ny * nx];
        let mut h_v = vec![0.0; ny * nx];
        for j in 0..ny {
            for i in 0..nx {
                let p = j * nx + i;
                h_u[p] = depth(kbot[p].min(kbot[j * nx + (i + 1) % nx]));
                if j + 1 < ny {
                    h_v[p] = depth(kbot[p].min(kbot[p + nx]));
                }
            }
        }
        let inv = |h: &Vec<f64>| -> Vec<f64> {
            h.iter()
                .map(|x| if *x > 0.0 { 1.0 / x } else { 0.0 })
                .collect()
        };
        let (inv_h_u, inv_h_v) = (inv(&h_u), inv(&h_v));
        let (dxt, dxv, dy) = (grid.dx_t(), grid.dx_v(), grid.dy());
        let mut ce = vec![0.0; ny * nx];
        let mut cn = vec![0.0; ny * nx];
        let mut interior = vec![false; ny * nx];
        for j in 0..ny {
            for i in 0..nx {
                let p = j * nx + i;
                let e = j * nx + (i + 1) % nx;
                if j + 1 < ny {
                    ce[p] = dy * inv_h_v[e] / dxv[j];
                    cn[p] = dxt[j + 1] * inv_h_u[p + nx] / dy;
                    interior[p] =
                        kbot[p] > 0 && kbot[e] > 0 && kbot[p + nx] > 0 && kbot[e + nx] > 0;
                }
            }
        }
        // Links of the first ζ row to the southern wall (ψ = 0) through the U faces of row 0.
        let mut extra = vec![0.0; ny * nx];
        for i in 0..nx {
            extra[i] = dxt[0] * inv_h_u[i] / dy;
        }
        let ce_dry: Vec<bool> = ce.iter().map(|c| *c == 0.0).collect();
        let cn_dry: Vec<bool> = cn.iter().map(|c| *c == 0.0).collect();
        let south_dry: Vec<bool> = extra[..nx].iter().map(|c| *c == 0.0).collect();
        let (labels, masses) = label_land(&interior, &ce_dry, &cn_dry, &south_dry, ny, nx);
        let op = FivePointOperator::with_diagonal(ce, cn, extra, interior, ny, nx, device);
        let pre = RowBlockSolver::new(&op, device)?;
        let lon_u = |i: usize| grid.lon.centres_deg[i] + grid.lon.dlon_deg / 2.0;
        let mut islands = Vec::new();
        for n in 1..masses {
            let pts: Vec<usize> = (0..ny * nx).filter(|p| labels[*p] == n as i32).collect();
            islands.push(Island {
                points: pts.len(),
                lon: lon_u(pts[0] % nx),
                lat: grid.lat_edges_deg[pts[0] / nx + 1],
            });
        }
        let rows = |v: Vec<f64>| -> Tensor<B, 2> {
            let data = v.iter().flat_map(|x| std::iter::repeat_n(*x, nx)).collect();
            tensor_from_vec(data, [ny, nx], device)
        };
        let inv_dxv: Vec<f64> = dxv
            .iter()
            .enumerate()
            .map(|(j, d)| if *d > 0.0 && j + 1 < ny { 1.0 / d } else { 0.0 })
            .collect();
        let mut solver = BarotropicSolver {
            op,
            pre,
            inv_h_u: tensor_from_vec(inv_h_u, [ny, nx], device),
            inv_h_v: tensor_from_vec(inv_h_v, [ny, nx], device),
            h_u: tensor_from_vec(h_u, [ny, nx], device),
            h_v: tensor_from_vec(h_v, [ny, nx], device),
            dx_t: rows(dxt),
            inv_dx_v: rows(inv_dxv),
            dy,
            indicator: None,
            chi: None,
            cap_inv: None,
            islands,
            labels,
            iterations,
            shape: [ny, nx],
        };
        if float_dtype::<B>() == burn_tensor::DType::F64 {
            solver.setup_islands(device)?;
        } else {
            // In f32 the harmonic extensions χₙ cannot be computed to 1e-5: evaluating
            // b − Aχ alone has a round-off floor of 2.7e-5 of ‖b‖ at T63. They are fixed
            // fields, so build them in f64 on the host and convert.
            let reference =
                BarotropicSolver::<Cpu64>::new(grid, kbot, dz, iterations, &Default::default())?;
            let convert = |t: &Option<Tensor<Cpu64, 2>>| {
                t.as_ref()
                    .map(|t| tensor_from_vec::<B, 2>(to_vec_f64(t.clone()), t.dims(), device))
            };
            solver.indicator = convert(&reference.indicator);
            solver.chi = convert(&reference.chi);
            solver.cap_inv = convert(&reference.cap_inv);
        }
        Ok(solver)
    }

    fn setup_islands(&mut self, device: &B::Device) -> Result<(), BarotropicError> {
        let n_isl = self.islands.len();
        if n_isl == 0 {
            return Ok(());
        }
        let [ny, nx] = self.shape;
        let n = ny * nx;
        let mut ind = vec![0.0; n_isl * n];
        for (p, l) in self.labels.iter().enumerate() {
            if *l >= 1 {
                ind[(*l as usize - 1) * n + p] = 1.0;
            }
        }
        let indicator = tensor_from_vec::<B, 2>(ind, [n_isl, n], device);
        let setup_tolerance = if float_dtype::<B>() == burn_tensor::DType::F64 {
            1e-10
        } else {
            1e-5
        };
        let mut chis = Vec::with_capacity(n_isl);
        for m in 0..n_isl {
            let e = indicator.clone().narrow(0, m, 1).reshape([ny, nx]);
            let b = self.op.apply_full(e.clone()).neg() * self.op.mask.clone();
            let (phi, res) = pcg(
                |x| self.op.apply(x),
                |r| self.pre.apply(r),
                b.clone(),
                b.zeros_like(),
                4,
            );
            res.report().check(setup_tolerance)?;
            chis.push((e + phi).reshape([n, 1]));
        }
        let chi = Tensor::cat(chis, 1); // [n, n_isl]
                                        // M = Eᵀ A χ: apply A_full to every χₙ, then sum over each island.
        let a_chi: Vec<Tensor<B, 2>> = (0..n_isl)
            .map(|k| {
                self.op
                    .apply_full(chi.clone().narrow(1, k, 1).reshape([ny, nx]))
                    .reshape([n, 1])
            })
            .collect();
        let cap = indicator.clone().matmul(Tensor::cat(a_chi, 1));
        let mut m = to_vec_f64(cap);
        for a in 0..n_isl {
            for b in 0..a {
                let s = 0.5 * (m[a * n_isl + b] + m[b * n_isl + a]);
                m[a * n_isl + b] = s;
                m[b * n_isl + a] = s;
            }
            let d = m[a * n_isl + a];
            if d <= 0.0 || !d.is_finite() {
                return Err(BarotropicError::Capacitance {
                    island: a,
                    diagonal: d,
                });
            }
        }
        let inv = dense_inverse(m, n_isl);
        self.cap_inv = Some(tensor_from_vec(inv, [n_isl, n_isl], device));
        self.indicator = Some(indicator);
        self.chi = Some(chi);
        Ok(())
    }

    /// Number of interior unknowns.
    pub fn unknowns(&self) -> usize {
        self.op.unknowns()
    }

    /// Γ(ū) (m² s⁻¹) at every ζ-point for depth-mean velocities at U and V faces, `[ny, nx]`.
    pub fn circulation(&self, u_mean: Tensor<B, 2>, v_mean: Tensor<B, 2>) -> Tensor<B, 2> {
        let ux = u_mean * self.dx_t.clone();
        (east(v_mean.clone()) - v_mean) * self.dy - (north(ux.clone(), 0.0) - ux)
    }

    /// Depth-mean velocities (m s⁻¹) at U and V faces from ψ (m³ s⁻¹), 0 on dry faces.
    pub fn velocities(&self, psi: Tensor<B, 2>) -> (Tensor<B, 2>, Tensor<B, 2>) {
        let u = (psi.clone() - south(psi.clone(), 0.0)) * (-1.0 / self.dy) * self.inv_h_u.clone();
        let v = (psi.clone() - west(psi)) * self.inv_dx_v.clone() * self.inv_h_v.clone();
        (u, v)
    }

    /// Solves for ψ whose depth-mean flow has the circulation of (ū*, v̄*) (m s⁻¹, `[ny, nx]`)
    /// around every dual cell and land mass; `warm` is the previous ψ₀.
    pub fn solve(
        &self,
        u_star_mean: Tensor<B, 2>,
        v_star_mean: Tensor<B, 2>,
        warm: Tensor<B, 2>,
    ) -> BarotropicSolution<B> {
        let rhs = self.circulation(u_star_mean, v_star_mean).neg();
        let (psi, psi_dirichlet, residual) = self.solve_rhs(rhs, warm);
        let (u_mean, v_mean) = self.velocities(psi.clone());
        BarotropicSolution {
            psi,
            psi_dirichlet,
            u_mean,
            v_mean,
            residual,
        }
    }

    /// Solves A ψ = b on the unknowns with the island conditions Σ_{p∈n}(A ψ − b)ₚ = 0 for a
    /// right-hand side b (m² s⁻¹) at every ζ-point; returns ψ, its Dirichlet part ψ₀ and the
    /// CG residual. The map b ↦ ψ is symmetric: ⟨ψ(b), c⟩ = ⟨b, ψ(c)⟩.
    pub fn solve_rhs(
        &self,
        rhs: Tensor<B, 2>,
        warm: Tensor<B, 2>,
    ) -> (Tensor<B, 2>, Tensor<B, 2>, CgResidual<B>) {
        let [ny, nx] = self.shape;
        let (psi0, residual) = pcg(
            |x| self.op.apply(x),
            |r| self.pre.apply(r),
            rhs.clone() * self.op.mask.clone(),
            warm * self.op.mask.clone(),
            self.iterations,
        );
        let psi = match (&self.indicator, &self.chi, &self.cap_inv) {
            (Some(e), Some(chi), Some(cinv)) => {
                let res = (rhs - self.op.apply_full(psi0.clone())).reshape([ny * nx, 1]);
                let g = e.clone().matmul(res);
                let s = cinv.clone().matmul(g);
                psi0.clone() + chi.clone().matmul(s).reshape([ny, nx])
            }
            _ => psi0.clone(),
        };
        (psi, psi0, residual)
    }

    /// The island values ψₙ (m³ s⁻¹) of a solution, `[n_islands]` (empty without islands).
    pub fn island_values(&self, psi: Tensor<B, 2>) -> Option<Tensor<B, 1>> {
        let [ny, nx] = self.shape;
        let e = self.indicator.clone()?;
        let counts = e.clone().sum_dim(1).reshape([self.islands.len()]);
        Some(
            e.matmul(psi.reshape([ny * nx, 1]))
                .reshape([self.islands.len()])
                / counts,
        )
    }
}
