//! Batched tridiagonal solves along the first (vertical) dimension, in Burn tensors.
//!
//! Solves, independently for every column (j, i),
//!
//! a_k x_{k−1} + b_k x_k + c_k x_{k+1} = d_k,   k = 0 … nz − 1   (a₀ and c_{nz−1} unused),
//!
//! by the Thomas algorithm (Press et al. 2007, *Numerical Recipes* 3rd ed., §2.4):
//! c′₀ = c₀/b₀, d′₀ = d₀/b₀; c′_k = c_k/m_k, d′_k = (d_k − a_k d′_{k−1})/m_k with
//! m_k = b_k − a_k c′_{k−1}; then x_{nz−1} = d′_{nz−1}, x_k = d′_k − c′_k x_{k+1}.
//! Stable without pivoting for diagonally dominant systems — implicit vertical diffusion
//! and friction, (1 + Δt K terms) on the diagonal, are. All inputs are `[nz, ny, nx]`; the
//! loop over levels is sequential (2·nz small tensor steps), every column is done at once,
//! and autodiff differentiates it like any other tensor code.

use burn_tensor::{backend::Backend, Tensor};

/// x solving the tridiagonal systems (a, b, c, d), each `[nz, ny, nx]`; output `[nz, ny, nx]`.
pub fn solve_tridiagonal<B: Backend>(
    a: Tensor<B, 3>,
    b: Tensor<B, 3>,
    c: Tensor<B, 3>,
    d: Tensor<B, 3>,
) -> Tensor<B, 3> {
    let nz = b.dims()[0];
    let level = |t: &Tensor<B, 3>, k: usize| t.clone().narrow(0, k, 1);
    let mut cp: Vec<Tensor<B, 3>> = Vec::with_capacity(nz);
    let mut dp: Vec<Tensor<B, 3>> = Vec::with_capacity(nz);
    let b0 = level(&b, 0);
    cp.push(level(&c, 0) / b0.clone());
    dp.push(level(&d, 0) / b0);
    for k in 1..nz {
        let ak = level(&a, k);
        let m = level(&b, k) - ak.clone() * cp[k - 1].clone();
        cp.push(level(&c, k) / m.clone());
        dp.push((level(&d, k) - ak * dp[k - 1].clone()) / m);
    }
    let mut x = vec![dp[nz - 1].clone(); nz];
    for k in (0..nz - 1).rev() {
        x[k] = dp[k].clone() - cp[k].clone() * x[k + 1].clone();
    }
    Tensor::cat(x, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{tensor_from_vec, to_vec_f64, Cpu64};

    /// Host Thomas algorithm for one column, the reference.
    fn thomas(a: &[f64], b: &[f64], c: &[f64], d: &[f64]) -> Vec<f64> {
        let n = b.len();
        let (mut cp, mut dp) = (vec![0.0; n], vec![0.0; n]);
        cp[0] = c[0] / b[0];
        dp[0] = d[0] / b[0];
        for k in 1..n {
            let m = b[k] - a[k] * cp[k - 1];
            cp[k] = c[k] / m;
            dp[k] = (d[k] - a[k] * dp[k - 1]) / m;
        }
        let mut x = vec![0.0; n];
        x[n - 1] = dp[n - 1];
        for k in (0..n - 1).rev() {
            x[k] = dp[k] - cp[k] * x[k + 1];
        }
        x
    }

    #[test]
    fn matches_the_host_algorithm_and_satisfies_the_system() {
        let (nz, ny, nx) = (15, 3, 4);
        let n = nz * ny * nx;
        let mut s = 3u64;
        let mut rnd = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let a: Vec<f64> = (0..n).map(|_| -rnd()).collect();
        let c: Vec<f64> = (0..n).map(|_| -rnd()).collect();
        let b: Vec<f64> = (0..n).map(|p| 2.5 + a[p].abs() + c[p].abs()).collect();
        let d: Vec<f64> = (0..n).map(|_| rnd() - 0.5).collect();
        let dev = Default::default();
        let t = |v: &Vec<f64>| tensor_from_vec::<Cpu64, 3>(v.clone(), [nz, ny, nx], &dev);
        let x = to_vec_f64(solve_tridiagonal(t(&a), t(&b), t(&c), t(&d)));
        let cols = ny * nx;
        for col in 0..cols {
            let pick = |v: &Vec<f64>| (0..nz).map(|k| v[k * cols + col]).collect::<Vec<_>>();
            let want = thomas(&pick(&a), &pick(&b), &pick(&c), &pick(&d));
            for k in 0..nz {
                assert!((x[k * cols + col] - want[k]).abs() < 1e-14);
                // Residual of the system itself.
                let p = k * cols + col;
                let mut r = b[p] * x[p] - d[p];
                if k > 0 {
                    r += a[p] * x[p - cols];
                }
                if k + 1 < nz {
                    r += c[p] * x[p + cols];
                }
                assert!(r.abs() < 1e-14, "residual {r:e}");
            }
        }
    }

    #[test]
    fn implicit_diffusion_conserves_the_column_integral() {
        // (x⁺ − x)/Δt = ∂z(K ∂z x⁺) with no-flux ends on uneven levels: Σ Δz x is conserved.
        let dz = [50.0, 70.0, 100.0, 140.0, 190.0, 240.0];
        let nz = dz.len();
        let (kappa, dt) = (1.0, 86400.0); // a large convective diffusivity (m² s⁻¹) and a day
        let mut a = vec![0.0; nz];
        let mut b = vec![1.0; nz];
        let mut c = vec![0.0; nz];
        for k in 0..nz {
            if k > 0 {
                let f = dt * kappa / (dz[k] * 0.5 * (dz[k] + dz[k - 1]));
                a[k] = -f;
                b[k] += f;
            }
            if k + 1 < nz {
                let f = dt * kappa / (dz[k] * 0.5 * (dz[k] + dz[k + 1]));
                c[k] = -f;
                b[k] += f;
            }
        }
        let x0: Vec<f64> = (0..nz).map(|k| 20.0 - 3.0 * k as f64).collect();
        let dev = Default::default();
        let t = |v: &[f64]| tensor_from_vec::<Cpu64, 3>(v.to_vec(), [nz, 1, 1], &dev);
        let x = to_vec_f64(solve_tridiagonal(t(&a), t(&b), t(&c), t(&x0)));
        let before: f64 = x0.iter().zip(&dz).map(|(x, d)| x * d).sum();
        let after: f64 = x.iter().zip(&dz).map(|(x, d)| x * d).sum();
        assert!(
            (after - before).abs() < 1e-12 * before.abs(),
            "{before} → {after}"
        );
        // And it mixes: the profile is flatter than before.
        assert!(x[0] - x[nz - 1] < x0[0] - x0[nz - 1]);
    }
}
