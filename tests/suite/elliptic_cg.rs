//! Conjugate gradients with the exact row-block (block-tridiagonal LU) preconditioner on the real ocean masks:
//! an operator with the structure of the barotropic one, −∇·(H⁻¹∇ψ), on the wet T cells
//! of the boundary data (ψ = 0 on land).

use burn_tensor::backend::Backend;
use chronos::backend::{tensor_from_vec, to_vec_f64, Cpu32, Cpu64};
use chronos::config::ResolvedConfig;
use chronos::forcing::BoundaryData;
use chronos::grid::ModelGrids;
use chronos::numerics::cg::pcg;
use chronos::numerics::elliptic::{FivePointOperator, RowBlockSolver};
use std::time::Instant;

/// c_e = Δy / (Δx_T H_e), c_n = Δx_V / (Δy H_n), H at faces the shallower neighbour (m).
fn operator<B: Backend>(name: &str, device: &B::Device) -> (FivePointOperator<B>, usize, usize) {
    let grids = ModelGrids::new(&ResolvedConfig::builtin(name).unwrap().model).unwrap();
    let data = BoundaryData::load(name, &grids).unwrap();
    let (ny, nx) = (grids.ocean.ny, grids.ocean.nx());
    let (dxt, dxv, dy) = (grids.ocean.dx_t(), grids.ocean.dx_v(), grids.ocean.dy());
    let h = &data.ocean.sea_floor_depth;
    let wet = &data.ocean.wet;
    let mut ce = vec![0.0; ny * nx];
    let mut cn = vec![0.0; ny * nx];
    for j in 0..ny {
        for i in 0..nx {
            let p = j * nx + i;
            if !wet[p] {
                continue;
            }
            let e = j * nx + (i + 1) % nx;
            let he = if wet[e] { h[p].min(h[e]) } else { h[p] };
            ce[p] = dy / (dxt[j] * he);
            let hn = if j + 1 < ny && wet[p + nx] {
                h[p].min(h[p + nx])
            } else {
                h[p]
            };
            cn[p] = dxv[j] / (dy * hn);
        }
    }
    (
        FivePointOperator::new(ce, cn, wet.clone(), ny, nx, device),
        ny,
        nx,
    )
}

fn rhs<B: Backend>(
    ny: usize,
    nx: usize,
    seed: u64,
    device: &B::Device,
) -> burn_tensor::Tensor<B, 2> {
    let mut s = seed;
    let v = (0..ny * nx)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect();
    tensor_from_vec(v, [ny, nx], device)
}

#[test]
fn row_block_cg_converges_where_jacobi_does_not() {
    let d = Default::default();
    let (op, ny, nx) = operator::<Cpu64>("t31", &d);
    let pre = RowBlockSolver::new(&op, &d).unwrap();
    println!("T31: {} unknowns", op.unknowns());
    let b = rhs::<Cpu64>(ny, nx, 1, &d) * op.mask.clone();
    let x0 = b.clone().zeros_like();
    let (x, res) = pcg(|x| op.apply(x), |r| pre.apply(r), b.clone(), x0.clone(), 2);
    let rep = res.report();
    println!(
        "T31 row-block PCG: {} iterations, relative residual {:.2e}",
        rep.iterations, rep.relative_residual
    );
    rep.check(1e-8).unwrap();
    // Plain Jacobi needs far more iterations for the same residual.
    let diag = op.diag.clone() + op.mask.clone().neg() + 1.0;
    let (_, res) = pcg(
        |x| op.apply(x),
        |r| r / diag.clone(),
        b.clone(),
        x0.clone(),
        100,
    );
    let jac = res.report();
    println!(
        "T31 Jacobi PCG: 100 iterations, relative residual {:.2e}",
        jac.relative_residual
    );
    assert!(jac.relative_residual > 1e-8);
    // One iteration already reaches the tolerance (the preconditioner is an exact solver).
    let (_, res) = pcg(|x| op.apply(x), |r| pre.apply(r), b.clone(), x0, 1);
    println!(
        "T31 row-block PCG, 1 iteration: relative residual {:.2e}",
        res.report().relative_residual
    );
    res.report().check(1e-8).unwrap();
    drop(x);
    // Not converged is a named error.
    let err = chronos::numerics::cg::CgReport {
        iterations: 2,
        relative_residual: 1e-3,
    }
    .check(1e-8)
    .unwrap_err();
    assert!(err.to_string().contains("did not converge"));
}

#[test]
fn single_precision_reaches_its_tolerance() {
    let d = Default::default();
    let (op, ny, nx) = operator::<Cpu32>("t31", &d);
    let pre = RowBlockSolver::new(&op, &d).unwrap();
    let b = rhs::<Cpu32>(ny, nx, 3, &d) * op.mask.clone();
    let (_, res) = pcg(
        |x| op.apply(x),
        |r| pre.apply(r),
        b.clone(),
        b.zeros_like(),
        3,
    );
    let rep = res.report();
    println!(
        "T31 f32 row-block PCG: relative residual {:.2e}",
        rep.relative_residual
    );
    rep.check(1e-5).unwrap();
}

#[test]
fn row_block_solver_is_exact_on_t31_and_t63() {
    let d = Default::default();
    for name in ["t31", "t63"] {
        let (op, ny, nx) = operator::<Cpu64>(name, &d);
        let t = Instant::now();
        let pre = RowBlockSolver::new(&op, &d).unwrap();
        println!(
            "{name}: row-block LU built in {:.2} s",
            t.elapsed().as_secs_f64()
        );
        let b = rhs::<Cpu64>(ny, nx, 7, &d) * op.mask.clone();
        let x0 = b.zeros_like();
        let (x, res) = pcg(|x| op.apply(x), |r| pre.apply(r), b.clone(), x0.clone(), 1);
        let rep = res.report();
        println!(
            "{name} row-block PCG: {} iterations, relative residual {:.2e}",
            rep.iterations, rep.relative_residual
        );
        // One iteration with the exact preconditioner reaches round-off.
        rep.check(1e-12).unwrap();
        let c = rhs::<Cpu64>(ny, nx, 8, &d) * op.mask.clone();
        let (y, _) = pcg(|x| op.apply(x), |r| pre.apply(r), c.clone(), x0, 1);
        let (l, r) = (to_vec_f64((x * c).sum())[0], to_vec_f64((b * y).sum())[0]);
        assert!(
            (l - r).abs() <= 1e-10 * l.abs(),
            "{name}: ⟨A⁻¹b, c⟩ = {l} vs ⟨b, A⁻¹c⟩ = {r}"
        );
    }
}
