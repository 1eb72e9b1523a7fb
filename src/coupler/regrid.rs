//! First-order conservative regridding between latitude–longitude-type grids.
//!
//! The overlap of two lat–lon cells is again a lat–lon cell, with area
//! A_nk = a² Δλ_overlap Δ(sin φ)_overlap, so the remap is separable (ARCHITECTURE §6;
//! SCIENCE.md §E; Jones 1999, eq. 3 with exact areas):
//!
//! F_k = Σ_n f_n A_nk / A_k   ⇔   F = W_μ · f · W_λᵀ,
//!
//! W_μ[k, n] = Δμ_overlap(k, n)/Δμ_k (`[ny_dst, ny_src]`), W_λ[k, n] = Δλ_overlap(k, n)/Δλ_k
//! (`[nx_dst, nx_src]`, periodic). A destination cell that the source grid covers only partly
//! (e.g. a Gaussian polar cap north of the ocean grid) receives the covered part only:
//! remapping a source field of ones gives that covered fraction. With a source mask m
//! (fractional allowed) the masked mean is F = W(m f) / W(m) ("fracarea").
//! Global integrals Σ F_k A_k = Σ f_n A_n are conserved to round-off whenever the destination
//! covers the source, and the weights are constant, so the remap is a linear, differentiable map.
//!
//! # References
//! Jones, P. W. (1999), Mon. Wea. Rev. 127, 2204–2210.

use crate::backend::tensor_from_vec;
use burn_tensor::{backend::Backend, Tensor};

/// Overlap length of [a0, a1] and [b0, b1] on a circle of circumference `period`
/// (`None` for a non-periodic axis).
fn overlap(a: [f64; 2], b: [f64; 2], period: Option<f64>) -> f64 {
    let shifts: &[f64] = match period {
        Some(_) => &[-1.0, 0.0, 1.0],
        None => &[0.0],
    };
    shifts
        .iter()
        .map(|s| {
            let off = s * period.unwrap_or(0.0);
            (a[1].min(b[1] + off) - a[0].max(b[0] + off)).max(0.0)
        })
        .sum()
}

/// Row-normalised 1-D overlap weights W[k, n] = |dst_k ∩ src_n| / |dst_k|, row-major `[nd, ns]`.
pub fn overlap_weights(dst_edges: &[f64], src_edges: &[f64], period: Option<f64>) -> Vec<f64> {
    let (nd, ns) = (dst_edges.len() - 1, src_edges.len() - 1);
    let mut w = vec![0.0; nd * ns];
    for k in 0..nd {
        let d = [dst_edges[k], dst_edges[k + 1]];
        let len = d[1] - d[0];
        for n in 0..ns {
            w[k * ns + n] = overlap(d, [src_edges[n], src_edges[n + 1]], period) / len;
        }
    }
    w
}

/// A separable conservative remap from one lat–lon-type grid to another.
#[derive(Debug, Clone)]
pub struct ConservativeRegrid<B: Backend> {
    /// W_μ, `[ny_dst, ny_src]`.
    pub w_lat: Tensor<B, 2>,
    /// W_λᵀ, `[nx_src, nx_dst]`.
    pub w_lon_t: Tensor<B, 2>,
    /// Destination shape (ny, nx).
    pub dst: (usize, usize),
    /// Source shape (ny, nx).
    pub src: (usize, usize),
}

impl<B: Backend> ConservativeRegrid<B> {
    /// Weights from cell edges: longitudes in degrees (periodic, 360°), latitudes as
    /// sin φ edges (south to north), for the source and destination grids.
    pub fn new(
        src_lon_edges: &[f64],
        src_mu_edges: &[f64],
        dst_lon_edges: &[f64],
        dst_mu_edges: &[f64],
        device: &B::Device,
    ) -> Self {
        let (nys, nxs) = (src_mu_edges.len() - 1, src_lon_edges.len() - 1);
        let (nyd, nxd) = (dst_mu_edges.len() - 1, dst_lon_edges.len() - 1);
        let w_lat = overlap_weights(dst_mu_edges, src_mu_edges, None);
        let w_lon = overlap_weights(dst_lon_edges, src_lon_edges, Some(360.0));
        let mut w_lon_t = vec![0.0; nxs * nxd];
        for k in 0..nxd {
            for n in 0..nxs {
                w_lon_t[n * nxd + k] = w_lon[k * nxs + n];
            }
        }
        ConservativeRegrid {
            w_lat: tensor_from_vec(w_lat, [nyd, nys], device),
            w_lon_t: tensor_from_vec(w_lon_t, [nxs, nxd], device),
            dst: (nyd, nxd),
            src: (nys, nxs),
        }
    }

    /// Remaps `[L, ny_src, nx_src]` → `[L, ny_dst, nx_dst]` (area-weighted means; unit kept).
    pub fn apply(&self, field: Tensor<B, 3>) -> Tensor<B, 3> {
        let l = field.dims()[0];
        let (nys, nxs) = self.src;
        let (nyd, nxd) = self.dst;
        let x = field.reshape([l * nys, nxs]).matmul(self.w_lon_t.clone()); // [L·nys, nxd]
        let x = x
            .reshape([l, nys, nxd])
            .swap_dims(0, 1)
            .reshape([nys, l * nxd]);
        self.w_lat
            .clone()
            .matmul(x)
            .reshape([nyd, l, nxd])
            .swap_dims(0, 1)
    }

    /// Masked mean: W(m f) / W(m), with `mask` `[1, ny_src, nx_src]` (fractions in [0, 1]);
    /// destination cells with no valid source are 0 (their weight W(m) is returned as well).
    pub fn apply_masked(
        &self,
        field: Tensor<B, 3>,
        mask: Tensor<B, 3>,
    ) -> (Tensor<B, 3>, Tensor<B, 3>) {
        let l = field.dims()[0];
        let weight = self.apply(mask.clone());
        let num = self.apply(field * mask);
        let safe = weight
            .clone()
            .mask_fill(weight.clone().equal_elem(0.0), 1.0);
        let out = num / safe.repeat_dim(0, l);
        (out, weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{to_vec_f64, Cpu64};
    use crate::grid::{GaussianGrid, OceanGrid};
    use crate::numerics::compensated_sum;

    fn mu_edges(lat_edges_deg: &[f64]) -> Vec<f64> {
        lat_edges_deg.iter().map(|l| l.to_radians().sin()).collect()
    }

    fn field(ny: usize, nx: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..ny * nx)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64 + 0.5
            })
            .collect()
    }

    #[test]
    fn gaussian_to_ocean_and_back_conserve_and_keep_constants() {
        let d = Default::default();
        let a = 6.371e6;
        let gg = GaussianGrid::new(96, 48, a);
        let og = OceanGrid::new(96, 48, -90.0, 90.0, a); // full sphere, so integrals must match
        let (gm, om) = (gg.mu_edges.clone(), mu_edges(&og.lat_edges_deg));
        let g2o =
            ConservativeRegrid::<Cpu64>::new(&gg.lon.edges_deg, &gm, &og.lon.edges_deg, &om, &d);
        let o2g =
            ConservativeRegrid::<Cpu64>::new(&og.lon.edges_deg, &om, &gg.lon.edges_deg, &gm, &d);
        let ga: Vec<f64> = gg
            .row_areas()
            .iter()
            .flat_map(|x| std::iter::repeat_n(*x, 96))
            .collect();
        let oa: Vec<f64> = og
            .area_t()
            .iter()
            .flat_map(|x| std::iter::repeat_n(*x, 96))
            .collect();
        let f = field(48, 96, 5);
        let integral =
            |v: &[f64], area: &[f64]| compensated_sum(v.iter().zip(area).map(|(x, a)| x * a));
        let fo = to_vec_f64(g2o.apply(tensor_from_vec(f.clone(), [1, 48, 96], &d)));
        let rel = integral(&fo, &oa) / integral(&f, &ga) - 1.0;
        assert!(rel.abs() < 1e-13, "Gaussian → ocean: {rel:e}");
        let fg = to_vec_f64(o2g.apply(tensor_from_vec(fo.clone(), [1, 48, 96], &d)));
        let rel = integral(&fg, &ga) / integral(&fo, &oa) - 1.0;
        assert!(rel.abs() < 1e-13, "ocean → Gaussian: {rel:e}");
        for r in [&g2o, &o2g] {
            let ones = to_vec_f64(r.apply(crate::backend::full([2, 48, 96], 1.0, &d)));
            assert!(ones.iter().all(|x| (x - 1.0).abs() < 1e-14));
        }
    }

    #[test]
    fn nested_grids_are_exact_and_partial_cover_counts_as_missing() {
        let d = Default::default();
        let a = 6.371e6;
        // T63-like ocean rows nest in T31 ones (1.75° in 3.5°), longitudes 1.875° in 3.75°.
        let fine = OceanGrid::new(192, 96, -80.0, 88.0, a);
        let coarse = OceanGrid::new(96, 48, -80.0, 88.0, a);
        let c2f = ConservativeRegrid::<Cpu64>::new(
            &coarse.lon.edges_deg,
            &mu_edges(&coarse.lat_edges_deg),
            &fine.lon.edges_deg,
            &mu_edges(&fine.lat_edges_deg),
            &d,
        );
        let f = field(48, 96, 9);
        let out = to_vec_f64(c2f.apply(tensor_from_vec(f.clone(), [1, 48, 96], &d)));
        // A fine cell lies inside one coarse cell in latitude; in longitude fine cell 2i lies in
        // coarse cell i, while fine cell 2i+1 straddles coarse cells i and i+1 equally.
        for j in 0..96 {
            for i in 0..96 {
                let want = f[(j / 2) * 96 + i];
                assert!((out[j * 192 + 2 * i] - want).abs() < 1e-14);
                let next = f[(j / 2) * 96 + (i + 1) % 96];
                assert!((out[j * 192 + 2 * i + 1] - 0.5 * (want + next)).abs() < 1e-14);
            }
        }
        // Gaussian cells reaching beyond 88°N are only partly covered.
        let gg = GaussianGrid::new(96, 48, a);
        let o2g = ConservativeRegrid::<Cpu64>::new(
            &coarse.lon.edges_deg,
            &mu_edges(&coarse.lat_edges_deg),
            &gg.lon.edges_deg,
            &gg.mu_edges,
            &d,
        );
        let ones = to_vec_f64(o2g.apply(crate::backend::full([1, 48, 96], 1.0, &d)));
        let top = ones[47 * 96];
        let want = ((88f64.to_radians().sin()) - gg.mu_edges[47]) / gg.weights[47];
        // (sin φ differences of nearby edges, divided by the small polar weight: ~1e-14 round-off)
        assert!(
            (top - want).abs() < 1e-13 && top < 1.0,
            "top {top} want {want}"
        );
        assert!((ones[24 * 96] - 1.0).abs() < 1e-14);
    }

    #[test]
    fn masked_remap_returns_the_mean_of_valid_sources() {
        let d = Default::default();
        let edges_x = [0.0, 10.0, 20.0];
        let edges_y = [-0.5, 0.0, 0.5];
        let r =
            ConservativeRegrid::<Cpu64>::new(&edges_x, &edges_y, &[0.0, 20.0], &[-0.5, 0.5], &d);
        let f = tensor_from_vec::<Cpu64, 3>(vec![1.0, 2.0, 3.0, 40.0], [1, 2, 2], &d);
        let m = tensor_from_vec::<Cpu64, 3>(vec![1.0, 1.0, 1.0, 0.0], [1, 2, 2], &d);
        let (out, w) = r.apply_masked(f, m);
        assert!((to_vec_f64(out)[0] - 2.0).abs() < 1e-14);
        assert!((to_vec_f64(w)[0] - 0.75).abs() < 1e-14);
    }
}
