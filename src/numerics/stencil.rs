//! Neighbour shifts on `[.., ny, nx]` tensors, periodic in x (longitude), closed in y.
//!
//! Naming: `west(x)` returns the value of the western neighbour at every point,
//! `west(x)[.., j, i] = x[.., j, i−1]` with i−1 taken modulo n_x; `east`, `south`, `north`
//! likewise. Beyond the southern/northern boundary rows the neighbour is `fill`
//! (usually 0 for a closed wall). The shifts are built from `narrow` and `cat`, whose
//! direction is explicit (Burn's `roll_dim` shifts the opposite way to `torch.roll`); the
//! periodic x-shifts move the flattened tensor by one element and patch the wrapped column.
//! On burn-ndarray a shift costs about as much as ~70 elementwise adds
//! (ARCHITECTURE §9): compose operators so each field is shifted once per step.

use crate::backend::full;
use burn_tensor::{backend::Backend, Bool, Int, Tensor};

/// `y[p] = x[(p + k) mod N]` over the flattened tensor (N elements): two contiguous copies.
fn flat_roll<B: Backend, const D: usize>(x: Tensor<B, D>, k: usize) -> Tensor<B, D> {
    let shape = x.dims();
    let n: usize = shape.iter().product();
    let k = k % n;
    if k == 0 {
        return x;
    }
    let f = x.reshape([n]);
    Tensor::cat(vec![f.clone().narrow(0, k, n - k), f.narrow(0, 0, k)], 0).reshape(shape)
}

/// True in column `col` of the last dimension, broadcast to `shape` (a view on burn-ndarray).
fn column_mask<B: Backend, const D: usize>(
    shape: [usize; D],
    col: usize,
    device: &B::Device,
) -> Tensor<B, D, Bool> {
    let n = shape[D - 1];
    let mut line = [1; D];
    line[D - 1] = n;
    Tensor::<B, 1, Int>::arange(0..n as i64, device)
        .reshape(line)
        .equal_elem(col as i64)
        .expand(shape)
}

/// `x[.., j, i−1]` (periodic in i): the western neighbour, on the last dimension.
///
/// Built as a shift of the flattened tensor by one element (a contiguous copy) with the
/// wrapped column i = 0 replaced by column n_x − 1; on burn-ndarray this costs about a third
/// of a `cat` of two strided `narrow`s on the last dimension (`cargo bench --bench ocean`).
pub fn west<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    let shape = x.dims();
    let n = shape[D - 1];
    if n == 1 {
        return x;
    }
    let total: usize = shape.iter().product();
    let wrap = x.clone().narrow(D - 1, n - 1, 1).expand(shape);
    let mask = column_mask::<B, D>(shape, 0, &x.device());
    flat_roll(x, total - 1).mask_where(mask, wrap)
}

/// `x[.., j, i+1]` (periodic in i): the eastern neighbour, on the last dimension (see [`west`]).
pub fn east<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    let shape = x.dims();
    let n = shape[D - 1];
    if n == 1 {
        return x;
    }
    let wrap = x.clone().narrow(D - 1, 0, 1).expand(shape);
    let mask = column_mask::<B, D>(shape, n - 1, &x.device());
    flat_roll(x, 1).mask_where(mask, wrap)
}

/// `x[.., j−1, i]`: the southern neighbour on the second-to-last dimension, `fill` beyond row 0.
pub fn south<B: Backend, const D: usize>(x: Tensor<B, D>, fill: f64) -> Tensor<B, D> {
    let mut shape = x.dims();
    let ny = shape[D - 2];
    shape[D - 2] = 1;
    let pad = full::<B, D>(shape, fill, &x.device());
    Tensor::cat(vec![pad, x.narrow(D - 2, 0, ny - 1)], D - 2)
}

/// `x[.., j+1, i]`: the northern neighbour on the second-to-last dimension, `fill` beyond the last row.
pub fn north<B: Backend, const D: usize>(x: Tensor<B, D>, fill: f64) -> Tensor<B, D> {
    let mut shape = x.dims();
    let ny = shape[D - 2];
    shape[D - 2] = 1;
    let pad = full::<B, D>(shape, fill, &x.device());
    Tensor::cat(vec![x.narrow(D - 2, 1, ny - 1), pad], D - 2)
}

/// `x[k−1]` along dimension `dim` (e.g. the level above, for `dim = 0`), `fill` at index 0.
/// Shifts along the leading dimension copy contiguous blocks, so the result stays contiguous.
pub fn previous<B: Backend, const D: usize>(
    x: Tensor<B, D>,
    dim: usize,
    fill: f64,
) -> Tensor<B, D> {
    let mut shape = x.dims();
    let n = shape[dim];
    if n == 1 {
        return full::<B, D>(shape, fill, &x.device());
    }
    shape[dim] = 1;
    let pad = full::<B, D>(shape, fill, &x.device());
    Tensor::cat(vec![pad, x.narrow(dim, 0, n - 1)], dim)
}

/// `x[k+1]` along dimension `dim` (e.g. the level below, for `dim = 0`), `fill` at the end.
pub fn next<B: Backend, const D: usize>(x: Tensor<B, D>, dim: usize, fill: f64) -> Tensor<B, D> {
    let mut shape = x.dims();
    let n = shape[dim];
    if n == 1 {
        return full::<B, D>(shape, fill, &x.device());
    }
    shape[dim] = 1;
    let pad = full::<B, D>(shape, fill, &x.device());
    Tensor::cat(vec![x.narrow(dim, 1, n - 1), pad], dim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{tensor_from_vec, to_vec_f64, Cpu64};

    #[test]
    fn shift_directions_are_explicit() {
        // x[j, i] = 10 j + i on a 3 × 4 grid.
        let v: Vec<f64> = (0..3)
            .flat_map(|j| (0..4).map(move |i| (10 * j + i) as f64))
            .collect();
        let x = tensor_from_vec::<Cpu64, 2>(v, [3, 4], &Default::default());
        assert_eq!(to_vec_f64(west(x.clone()))[..4], [3.0, 0.0, 1.0, 2.0]);
        assert_eq!(to_vec_f64(east(x.clone()))[..4], [1.0, 2.0, 3.0, 0.0]);
        let s = to_vec_f64(south(x.clone(), -1.0));
        assert_eq!(s[..4], [-1.0; 4]);
        assert_eq!(s[4..8], [0.0, 1.0, 2.0, 3.0]);
        let n = to_vec_f64(north(x, -1.0));
        assert_eq!(n[..4], [10.0, 11.0, 12.0, 13.0]);
        assert_eq!(n[8..], [-1.0; 4]);
    }

    #[test]
    fn shifts_work_on_3d_tensors() {
        let v: Vec<f64> = (0..24).map(|k| k as f64).collect();
        let x = tensor_from_vec::<Cpu64, 3>(v, [2, 3, 4], &Default::default());
        let w = to_vec_f64(west(x.clone()));
        assert_eq!(w[12..16], [15.0, 12.0, 13.0, 14.0]);
        let n = to_vec_f64(north(x.clone(), 0.0));
        assert_eq!(n[12..16], [16.0, 17.0, 18.0, 19.0]);
        assert_eq!(n[20..24], [0.0; 4]);
        let up = to_vec_f64(previous(x.clone(), 0, -1.0));
        assert_eq!(up[..12], [-1.0; 12]);
        assert_eq!(up[12..16], [0.0, 1.0, 2.0, 3.0]);
        let down = to_vec_f64(next(x, 0, -1.0));
        assert_eq!(down[..4], [12.0, 13.0, 14.0, 15.0]);
        assert_eq!(down[12..], [-1.0; 12]);
    }
}
