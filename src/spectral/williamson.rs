//! Initial conditions of the Williamson et al. (1992) shallow-water test set on a Gaussian
//! grid (θ latitude, λ longitude in radians, the Chronos frame).
//!
//! Constants (all cases): a = 6.37122e6 m, Ω = 7.292e-5 s⁻¹, g = 9.80616 m s⁻².
//!
//! # References
//! Williamson, Drake, Hack, Jakob & Swarztrauber (1992), J. Comput. Phys. 102, 211–224:
//! case 2 eqs. 90–95, case 5 eqs. 96–99 (mountain eq. 98), case 6 eqs. 100–105.

use crate::backend::tensor_from_vec;
use crate::grid::gaussian::GaussianGrid;
use burn_tensor::{backend::Backend, Tensor};

/// Earth radius of the test set (m).
pub const RADIUS: f64 = 6.37122e6;
/// Rotation rate of the test set (s⁻¹).
pub const OMEGA: f64 = 7.292e-5;
/// Gravity of the test set (m s⁻²).
pub const GRAVITY: f64 = 9.80616;

/// Grid fields of a test case, each `[1, nlat, nlon]`.
#[derive(Debug, Clone)]
pub struct CaseFields<B: Backend> {
    /// Zonal wind u (m s⁻¹).
    pub u: Tensor<B, 3>,
    /// Meridional wind v (m s⁻¹).
    pub v: Tensor<B, 3>,
    /// Fluid geopotential Φ = g (h − hₛ) (m² s⁻²).
    pub phi: Tensor<B, 3>,
    /// Surface geopotential Φₛ = g hₛ (m² s⁻²).
    pub surface_geopotential: Tensor<B, 3>,
    /// Coriolis parameter f (s⁻¹).
    pub coriolis: Tensor<B, 3>,
    /// Area mean of Φ (m² s⁻²), a good semi-implicit reference Φ̄.
    pub mean_phi: f64,
}

fn field<B: Backend>(
    g: &GaussianGrid,
    f: impl Fn(f64, f64) -> f64,
    device: &B::Device,
) -> (Tensor<B, 3>, f64) {
    let mut v = Vec::with_capacity(g.nlat * g.nlon());
    let mut mean = 0.0;
    for (j, lat) in g.lat_deg.iter().enumerate() {
        for lon in &g.lon.centres_deg {
            let x = f(lon.to_radians(), lat.to_radians());
            mean += x * g.weights[j] / (2.0 * g.nlon() as f64);
            v.push(x);
        }
    }
    (tensor_from_vec(v, [1, g.nlat, g.nlon()], device), mean)
}

/// Case 2: steady global zonal geostrophic flow, u₀ = 2πa/12 days, g h₀ = 2.94e4 m² s⁻²,
/// flow axis tilted by `alpha` (rad); the Coriolis parameter is rotated with it, so the
/// initial state is the exact solution at all times.
pub fn case2<B: Backend>(g: &GaussianGrid, alpha: f64, device: &B::Device) -> CaseFields<B> {
    let a = RADIUS;
    let u0 = 2.0 * std::f64::consts::PI * a / (12.0 * 86400.0);
    let gh0 = 2.94e4;
    let (sa, ca) = alpha.sin_cos();
    let rot = move |l: f64, t: f64| -l.cos() * t.cos() * sa + t.sin() * ca;
    let (u, _) = field::<B>(
        g,
        |l, t| u0 * (t.cos() * ca + l.cos() * t.sin() * sa),
        device,
    );
    let (v, _) = field::<B>(g, |l, _| -u0 * l.sin() * sa, device);
    let (phi, mean_phi) = field::<B>(
        g,
        |l, t| gh0 - (a * OMEGA * u0 + u0 * u0 / 2.0) * rot(l, t).powi(2),
        device,
    );
    let (coriolis, _) = field::<B>(g, |l, t| 2.0 * OMEGA * rot(l, t), device);
    let (surface_geopotential, _) = field::<B>(g, |_, _| 0.0, device);
    CaseFields {
        u,
        v,
        phi,
        surface_geopotential,
        coriolis,
        mean_phi,
    }
}

/// Case 5: zonal flow (u₀ = 20 m s⁻¹, h₀ = 5960 m) over a conical mountain of 2000 m,
/// radius π/9, centred at (3π/2, π/6).
pub fn case5<B: Backend>(g: &GaussianGrid, device: &B::Device) -> CaseFields<B> {
    let a = RADIUS;
    let (u0, h0) = (20.0, 5960.0);
    let (rr, lc, tc) = (
        std::f64::consts::PI / 9.0,
        1.5 * std::f64::consts::PI,
        std::f64::consts::PI / 6.0,
    );
    let hs = move |l: f64, t: f64| {
        let r = ((l - lc).powi(2) + (t - tc).powi(2)).sqrt().min(rr);
        2000.0 * (1.0 - r / rr)
    };
    let (u, _) = field::<B>(g, |_, t| u0 * t.cos(), device);
    let (v, _) = field::<B>(g, |_, _| 0.0, device);
    let (phi, mean_phi) = field::<B>(
        g,
        |l, t| {
            GRAVITY * h0 - (a * OMEGA * u0 + u0 * u0 / 2.0) * t.sin().powi(2) - GRAVITY * hs(l, t)
        },
        device,
    );
    let (surface_geopotential, _) = field::<B>(g, |l, t| GRAVITY * hs(l, t), device);
    let (coriolis, _) = field::<B>(g, |_, t| 2.0 * OMEGA * t.sin(), device);
    CaseFields {
        u,
        v,
        phi,
        surface_geopotential,
        coriolis,
        mean_phi,
    }
}

/// Case 6: Rossby–Haurwitz wave of wavenumber R = 4, ω = K = 7.848e-6 s⁻¹, h₀ = 8000 m.
pub fn case6<B: Backend>(g: &GaussianGrid, device: &B::Device) -> CaseFields<B> {
    let a = RADIUS;
    let (w, k, r, h0) = (7.848e-6, 7.848e-6, 4.0f64, 8000.0);
    let (u, _) = field::<B>(
        g,
        |l, t| {
            let c = t.cos();
            a * w * c + a * k * c.powf(r - 1.0) * (r * t.sin().powi(2) - c * c) * (r * l).cos()
        },
        device,
    );
    let (v, _) = field::<B>(
        g,
        |l, t| -a * k * r * t.cos().powf(r - 1.0) * t.sin() * (r * l).sin(),
        device,
    );
    let (phi, mean_phi) = field::<B>(
        g,
        |l, t| {
            let c = t.cos();
            let c2 = c * c;
            let aa = w / 2.0 * (2.0 * OMEGA + w) * c2
                + 0.25
                    * k
                    * k
                    * c.powf(2.0 * r)
                    * ((r + 1.0) * c2 + (2.0 * r * r - r - 2.0) - 2.0 * r * r / c2);
            let bb = 2.0 * (OMEGA + w) * k / ((r + 1.0) * (r + 2.0))
                * c.powf(r)
                * ((r * r + 2.0 * r + 2.0) - (r + 1.0).powi(2) * c2);
            let cc = 0.25 * k * k * c.powf(2.0 * r) * ((r + 1.0) * c2 - (r + 2.0));
            GRAVITY * h0 + a * a * (aa + bb * (r * l).cos() + cc * (2.0 * r * l).cos())
        },
        device,
    );
    let (surface_geopotential, _) = field::<B>(g, |_, _| 0.0, device);
    let (coriolis, _) = field::<B>(g, |_, t| 2.0 * OMEGA * t.sin(), device);
    CaseFields {
        u,
        v,
        phi,
        surface_geopotential,
        coriolis,
        mean_phi,
    }
}
