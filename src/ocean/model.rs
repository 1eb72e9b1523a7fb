//! What is constant during an ocean run: metrics, levels, masks, operator coefficients, the
//! barotropic solver and the physical parameters.

use super::barotropic::{BarotropicError, BarotropicSolver};
use super::eos::{EquationOfState, RHO0};
use super::momentum::above;
use super::vertical_mixing::VerticalMixing;
use crate::backend::tensor_from_vec;
use crate::config::model::EquationOfStateChoice;
use crate::config::{ModelConfig, OceanPhysicsConfig};
use crate::forcing::BoundaryData;
use crate::grid::{ModelGrids, OceanGrid, OceanMetrics, VerticalGrid};
use crate::numerics::stencil::{east, north};
use crate::physics::constants::RAD_PER_DEG;
use burn_tensor::{backend::Backend, Tensor};

/// Specific heat capacity of sea water c_p (J kg⁻¹ K⁻¹), Veros' c_p0 (the shared constant).
pub use crate::physics::constants::CP_SEAWATER as CP_OCEAN;

/// Errors building the ocean model.
#[derive(Debug, thiserror::Error)]
pub enum OceanModelError {
    /// The boundary data's bottom index exceeds the model's levels.
    #[error("ocean_grid.nc has kbot = {kbot} at cell {cell} but the model has {nz} levels; regenerate the boundary data for this model file (models/data/README.md)")]
    Levels {
        /// The offending bottom index.
        kbot: usize,
        /// Flat cell index j·nx + i.
        cell: usize,
        /// Model levels.
        nz: usize,
    },
    /// The barotropic solver could not be set up.
    #[error(transparent)]
    Barotropic(#[from] BarotropicError),
}

/// The ocean's physical parameters (host values; see `[ocean_physics]` in the model file).
#[derive(Debug, Clone, PartialEq)]
pub struct OceanPhysics {
    /// Time step Δt (s), momentum and tracers alike.
    pub dt: f64,
    /// Gravitational acceleration g (m s⁻²).
    pub gravity: f64,
    /// Rotation rate Ω (s⁻¹).
    pub omega: f64,
    /// Sphere radius a (m).
    pub radius: f64,
    /// Equation of state.
    pub eos: EquationOfState,
    /// The `[ocean_physics]` settings.
    pub settings: OceanPhysicsConfig,
}

impl OceanPhysics {
    /// Parameters from a (validated) model configuration.
    pub fn from_config(config: &ModelConfig) -> Self {
        let eos = match config.ocean_physics.equation_of_state {
            EquationOfStateChoice::Linear => EquationOfState::linear_default(),
            EquationOfStateChoice::Vallis2008 => EquationOfState::Vallis2008,
        };
        OceanPhysics {
            dt: config.ocean.dt,
            gravity: config.planet.gravity,
            omega: config.planet.omega,
            radius: config.planet.radius,
            eos,
            settings: config.ocean_physics.clone(),
        }
    }

    /// The vertical tracer mixing (background and convective diffusivities).
    pub fn vertical_mixing(&self) -> VerticalMixing {
        VerticalMixing {
            background: self.settings.diffusivity_v,
            convective: self.settings.convective_diffusivity,
        }
    }
}

/// Precomputed coefficient tensors of the momentum and tracer operators. Row-dependent
/// factors are `[1, ny, nx]`; see [`super::momentum`] for the formulas they enter.
#[derive(Debug, Clone)]
pub struct OceanConsts<B: Backend> {
    /// Δx_V (m), 0 on the northern wall.
    pub dx_v: Tensor<B, 3>,
    /// A_T (m²).
    pub area_t: Tensor<B, 3>,
    /// 1/(Δx_V Δy) (m⁻²), 0 on the northern wall.
    pub inv_area_v: Tensor<B, 3>,
    /// 1/Δx_T (m⁻¹).
    pub inv_dx_t: Tensor<B, 3>,
    /// tan φ_j / a at U rows (m⁻¹).
    pub tan_over_a_t: Tensor<B, 3>,
    /// tan φ_{j+½} / a at V rows (m⁻¹).
    pub tan_over_a_v: Tensor<B, 3>,
    /// Coriolis pair coefficient c_N(j) (m s⁻¹).
    pub cor_n: Tensor<B, 3>,
    /// Coriolis pair coefficient c_S(j) (m s⁻¹).
    pub cor_s: Tensor<B, 3>,
    /// 1/(4Δx_T) (m⁻¹).
    pub inv_4dx_t: Tensor<B, 3>,
    /// 1/(4Δx_V) (m⁻¹), 0 on the northern wall.
    pub inv_4dx_v: Tensor<B, 3>,
    /// A_h(φ_j) Δy/Δx_T (m² s⁻¹): friction of u across T-points (free slip: 0 unless both
    /// U faces are wet), `[nz, ny, nx]`.
    pub visc_x_t: Tensor<B, 3>,
    /// A_h(φ_{j+½}) Δx_V/Δy (m² s⁻¹): friction of u across ζ-points (`[nz, ny, nx]`; free
    /// slip: 0 unless both U faces are wet; no slip: doubled where exactly one is).
    pub visc_y_z: Tensor<B, 3>,
    /// A_h(φ_{j+½}) Δy/Δx_V (m² s⁻¹): friction of v across ζ-points, `[nz, ny, nx]`, with
    /// the coast condition of `visc_y_z`.
    pub visc_x_z: Tensor<B, 3>,
    /// A_h(φ_{j+1}) Δx_{T,j+1}/Δy (m² s⁻¹): friction of v across T-points, `[nz, ny, nx]`.
    pub visc_y_t: Tensor<B, 3>,
    /// K_h Δy/Δx_T on wet U faces (m² s⁻¹).
    pub diff_x: Tensor<B, 3>,
    /// K_h Δx_V/Δy on wet V faces (m² s⁻¹).
    pub diff_y: Tensor<B, 3>,
    /// (g/ρ₀)·L with L_{kk′} = Δz_{k′} (k′ < k), Δz_k/2 (k′ = k): p/ρ₀ = L ρ′, `[nz, nz]`.
    pub hydrostatic: Tensor<B, 2>,
    /// −1 where k′ ≥ k, else 0: w_k = C (Δz ∇·u), `[nz, nz]`.
    pub continuity: Tensor<B, 2>,
    /// 1/V_T on wet cells, 0 on dry ones (m⁻³), `[nz, ny, nx]`.
    pub inv_volume: Tensor<B, 3>,
    /// 1 on top faces with wet cells on both sides, `[nz, ny, nx]` (0 at the surface).
    pub open_top: Tensor<B, 3>,
    /// 1 on top faces of U cells with wet U faces on both sides, `[nz, ny, nx]`.
    pub open_top_u: Tensor<B, 3>,
    /// 1 on top faces of V cells with wet V faces on both sides, `[nz, ny, nx]`.
    pub open_top_v: Tensor<B, 3>,
    /// mask_t/Δz₀ in level 0, 0 below (m⁻¹): turns a surface flux into a level-0 tendency.
    pub surface_t: Tensor<B, 3>,
    /// mask_u/Δz₀ in level 0, 0 below (m⁻¹).
    pub surface_u: Tensor<B, 3>,
    /// mask_v/Δz₀ in level 0, 0 below (m⁻¹).
    pub surface_v: Tensor<B, 3>,
    /// 1 on the deepest wet U face of each column, `[nz, ny, nx]`.
    pub bottom_u: Tensor<B, 3>,
    /// 1 on the deepest wet V face of each column, `[nz, ny, nx]`.
    pub bottom_v: Tensor<B, 3>,
    /// Depth of level centres (m), `[nz, 1, 1]`.
    pub z_t: Tensor<B, 3>,
    /// Depth of the top face of each level (m), `[nz, 1, 1]`.
    pub z_top: Tensor<B, 3>,
}

/// The ocean's constant fields.
///
/// Masks follow the C-grid ([`crate::grid::ocean`]): a T cell (k, j, i) is wet where
/// k < kbot(j, i); a U face is wet where both T cells beside it are (periodic in x); a V face
/// where the T cells south and north of it are (the northern edge is a wall).
#[derive(Debug, Clone)]
pub struct OceanModel<B: Backend> {
    /// Horizontal metrics `[ny, nx]`.
    pub metrics: OceanMetrics<B>,
    /// Level thicknesses Δz_k (m) as `[nz, 1, 1]`.
    pub dz: Tensor<B, 3>,
    /// T-cell mask (1 wet, 0 dry), `[nz, ny, nx]`.
    pub mask_t: Tensor<B, 3>,
    /// U-face mask, `[nz, ny, nx]`.
    pub mask_u: Tensor<B, 3>,
    /// V-face mask, `[nz, ny, nx]`.
    pub mask_v: Tensor<B, 3>,
    /// T-cell volumes A_T Δz mask_t (m³), `[nz, ny, nx]`.
    pub volume_t: Tensor<B, 3>,
    /// Operator coefficients.
    pub consts: OceanConsts<B>,
    /// The rigid-lid streamfunction solver.
    pub barotropic: BarotropicSolver<B>,
    /// Physical parameters.
    pub physics: OceanPhysics,
    /// Bottom-level index per column (host), `[ny, nx]` row-major, 0 = land.
    pub kbot: Vec<usize>,
    /// The horizontal grid (host).
    pub grid: OceanGrid,
    /// The z-levels (host).
    pub levels: VerticalGrid,
    /// (nz, ny, nx).
    pub shape: [usize; 3],
}

impl<B: Backend> OceanModel<B> {
    /// Builds the ocean of `config` on the boundary data's bathymetry.
    ///
    /// # Errors
    /// [`OceanModelError`] when the data's bottom indices exceed the model's levels or the
    /// barotropic solver cannot be set up.
    pub fn new(
        config: &ModelConfig,
        grids: &ModelGrids,
        data: &BoundaryData,
        device: &B::Device,
    ) -> Result<Self, OceanModelError> {
        Self::from_kbot(config, grids, &data.ocean.kbot, device)
    }

    /// Builds the ocean from a bottom-level index per column (`[ny, nx]` row-major; 0 = land),
    /// e.g. an idealised basin for tests.
    ///
    /// # Errors
    /// As [`Self::new`].
    pub fn from_kbot(
        config: &ModelConfig,
        grids: &ModelGrids,
        kbot: &[usize],
        device: &B::Device,
    ) -> Result<Self, OceanModelError> {
        let (nz, ny, nx) = (grids.levels.nz(), grids.ocean.ny, grids.ocean.nx());
        if let Some((cell, &k)) = kbot.iter().enumerate().find(|(_, k)| **k > nz) {
            return Err(OceanModelError::Levels { kbot: k, cell, nz });
        }
        let physics = OceanPhysics::from_config(config);
        let mut t = vec![0.0; nz * ny * nx];
        let mut u = vec![0.0; nz * ny * nx];
        let mut v = vec![0.0; nz * ny * nx];
        let mut bu = vec![0.0; nz * ny * nx];
        let mut bv = vec![0.0; nz * ny * nx];
        for j in 0..ny {
            for i in 0..nx {
                let p = j * nx + i;
                let ku = kbot[p].min(kbot[j * nx + (i + 1) % nx]);
                let kv = if j + 1 < ny {
                    kbot[p].min(kbot[p + nx])
                } else {
                    0
                };
                for k in 0..nz {
                    let idx = (k * ny + j) * nx + i;
                    t[idx] = f64::from(u8::from(k < kbot[p]));
                    u[idx] = f64::from(u8::from(k < ku));
                    v[idx] = f64::from(u8::from(k < kv));
                    bu[idx] = f64::from(u8::from(k + 1 == ku));
                    bv[idx] = f64::from(u8::from(k + 1 == kv));
                }
            }
        }
        let metrics = grids.ocean.metrics::<B>(device);
        let dz = tensor_from_vec::<B, 3>(grids.levels.dz.clone(), [nz, 1, 1], device);
        let mask_t = tensor_from_vec::<B, 3>(t, [nz, ny, nx], device);
        let volume_t = mask_t.clone() * dz.clone() * metrics.area_t.clone().reshape([1, ny, nx]);
        let mask_u = tensor_from_vec::<B, 3>(u, [nz, ny, nx], device);
        let mask_v = tensor_from_vec::<B, 3>(v, [nz, ny, nx], device);
        let consts = Self::consts(grids, &physics, &mask_t, &mask_u, &mask_v, bu, bv, device);
        let barotropic = BarotropicSolver::new(
            &grids.ocean,
            kbot,
            &grids.levels.dz,
            config.ocean_physics.barotropic_iterations,
            device,
        )?;
        Ok(OceanModel {
            metrics,
            dz,
            mask_t,
            mask_u,
            mask_v,
            volume_t,
            consts,
            barotropic,
            physics,
            kbot: kbot.to_vec(),
            grid: grids.ocean.clone(),
            levels: grids.levels.clone(),
            shape: [nz, ny, nx],
        })
    }

    /// The operator coefficients ([`OceanConsts`]) of the grids, physics and masks, with the
    /// host bottom-face flags `bottom_u`, `bottom_v` (`[nz, ny, nx]` row-major).
    #[allow(clippy::too_many_arguments)]
    fn consts(
        grids: &ModelGrids,
        physics: &OceanPhysics,
        mask_t: &Tensor<B, 3>,
        mask_u: &Tensor<B, 3>,
        mask_v: &Tensor<B, 3>,
        bottom_u: Vec<f64>,
        bottom_v: Vec<f64>,
        device: &B::Device,
    ) -> OceanConsts<B> {
        let g = &grids.ocean;
        let (nz, ny, nx) = (grids.levels.nz(), g.ny, g.nx());
        let rows = |v: Vec<f64>| -> Tensor<B, 3> {
            let data = v.iter().flat_map(|x| std::iter::repeat_n(*x, nx)).collect();
            tensor_from_vec(data, [1, ny, nx], device)
        };
        let geo = RowGeometry::new(g, physics);
        let (lat_t, lat_v) = (&geo.lat_t, &geo.lat_v);
        let (dy, dxt, dxv) = (geo.dy, &geo.dxt, &geo.dxv);
        let s = &physics.settings;
        let ah = |lat_deg: f64| horizontal_viscosity(s, lat_deg);
        let kh = s.diffusivity_h;
        let no_slip = s.no_slip;
        let dzs = &grids.levels.dz;
        let (hydro, cont) = vertical_operators(dzs, physics.gravity / RHO0);
        let mut l0 = vec![0.0; nz];
        l0[0] = 1.0 / dzs[0];
        let level0 = tensor_from_vec::<B, 3>(l0, [nz, 1, 1], device);
        OceanConsts {
            dx_v: rows(dxv.clone()),
            area_t: rows(geo.area.clone()),
            inv_area_v: rows(geo.open_rows(|j| 1.0 / (dxv[j] * dy))),
            inv_dx_t: rows(dxt.iter().map(|d| 1.0 / d).collect()),
            tan_over_a_t: rows(geo.tan_over_a_t()),
            tan_over_a_v: rows(geo.tan_over_a_v()),
            cor_n: rows(geo.coriolis(&geo.lat_v)),
            cor_s: rows(geo.coriolis(&geo.lat_s)),
            inv_4dx_t: rows(dxt.iter().map(|d| 0.25 / d).collect()),
            inv_4dx_v: rows(geo.open_rows(|j| 0.25 / dxv[j])),
            visc_x_t: rows(geo.all_rows(|j| ah(lat_t[j]) * dy / dxt[j]))
                * normal_weight(no_slip, mask_u.clone(), east(mask_u.clone())),
            visc_y_z: rows(geo.all_rows(|j| ah(lat_v[j]) * dxv[j] / dy))
                * tangential_weight(no_slip, mask_u.clone(), north(mask_u.clone(), 0.0)),
            visc_x_z: rows(geo.open_rows(|j| ah(lat_v[j]) * dy / dxv[j]))
                * tangential_weight(no_slip, mask_v.clone(), east(mask_v.clone())),
            visc_y_t: rows(geo.open_rows(|j| ah(lat_t[j + 1]) * dxt[j + 1] / dy))
                * normal_weight(no_slip, mask_v.clone(), north(mask_v.clone(), 0.0)),
            diff_x: rows(geo.all_rows(|j| kh * dy / dxt[j])) * mask_u.clone(),
            diff_y: rows(geo.all_rows(|j| kh * dxv[j] / dy)) * mask_v.clone(),
            hydrostatic: tensor_from_vec(hydro, [nz, nz], device),
            continuity: tensor_from_vec(cont, [nz, nz], device),
            open_top: mask_t.clone() * above(mask_t.clone(), 0.0),
            inv_volume: inverse_volume(
                mask_t,
                rows(geo.area.clone()),
                tensor_from_vec::<B, 3>(dzs.clone(), [nz, 1, 1], device),
            ),
            open_top_u: mask_u.clone() * above(mask_u.clone(), 0.0),
            open_top_v: mask_v.clone() * above(mask_v.clone(), 0.0),
            surface_t: mask_t.clone() * level0.clone(),
            surface_u: mask_u.clone() * level0.clone(),
            surface_v: mask_v.clone() * level0,
            bottom_u: tensor_from_vec(bottom_u, [nz, ny, nx], device),
            bottom_v: tensor_from_vec(bottom_v, [nz, ny, nx], device),
            z_t: tensor_from_vec(grids.levels.z_t.clone(), [nz, 1, 1], device),
            z_top: tensor_from_vec(grids.levels.z_w[..nz].to_vec(), [nz, 1, 1], device),
        }
    }

    /// Thickness of the surface level Δz₀ (m).
    pub fn physics_top_thickness(&self) -> f64 {
        self.levels.dz[0]
    }

    /// Volume integral ∫ f dV = Σ f A_T Δz over wet T cells, `[nz, ny, nx]` → `[1]` (unit·m³).
    pub fn integrate_volume(&self, field: Tensor<B, 3>) -> Tensor<B, 1> {
        (field * self.volume_t.clone()).sum()
    }
}

/// Host geometry of the ocean grid's rows, one value per row j (south to north), from which
/// the row-dependent coefficients of [`OceanConsts`] are built.
struct RowGeometry {
    /// Number of rows n_y.
    ny: usize,
    /// Sphere radius a (m).
    a: f64,
    /// Longitude spacing Δλ (rad).
    dlon: f64,
    /// Rotation rate Ω (s⁻¹).
    omega: f64,
    /// Row spacing Δy (m).
    dy: f64,
    /// Latitude of the T rows φ_j (degrees north).
    lat_t: Vec<f64>,
    /// Latitude of the V rows φ_{j+½}, the northern edge of each row (degrees north).
    lat_v: Vec<f64>,
    /// Latitude of the southern edge of each row φ_{j−½} (degrees north).
    lat_s: Vec<f64>,
    /// Δx_T (m).
    dxt: Vec<f64>,
    /// Δx_V (m), 0 on the northern wall.
    dxv: Vec<f64>,
    /// A_T (m²).
    area: Vec<f64>,
}

impl RowGeometry {
    /// The row geometry of `g` on the sphere (radius a) and rotation Ω of `physics`.
    fn new(g: &OceanGrid, physics: &OceanPhysics) -> Self {
        let ny = g.ny;
        let mut geo = RowGeometry {
            ny,
            a: physics.radius,
            dlon: g.lon.dlon_rad(),
            omega: physics.omega,
            dy: g.dy(),
            lat_t: g.lat_t_deg.clone(),
            lat_v: g.lat_edges_deg[1..].to_vec(),
            lat_s: g.lat_edges_deg[..ny].to_vec(),
            dxt: Vec::new(),
            dxv: Vec::new(),
            area: g.area_t(),
        };
        geo.dxt = geo.lat_t.iter().map(|l| geo.dx_at(*l)).collect();
        geo.dxv = geo.open_rows(|j| geo.dx_at(geo.lat_v[j]));
        geo
    }

    /// Whether row j has an open V face (every row but the northernmost, whose V face is the wall).
    fn open_v(&self, j: usize) -> bool {
        j + 1 < self.ny
    }

    /// Zonal cell width a cos φ Δλ (m) at latitude `lat_deg` (degrees north).
    fn dx_at(&self, lat_deg: f64) -> f64 {
        self.a * (lat_deg * RAD_PER_DEG).cos() * self.dlon
    }

    /// Coriolis parameter f = 2Ω sin φ (s⁻¹) at latitude `lat_deg` (degrees north).
    fn f_at(&self, lat_deg: f64) -> f64 {
        2.0 * self.omega * (lat_deg * RAD_PER_DEG).sin()
    }

    /// `value(j)` for every row j.
    fn all_rows(&self, value: impl Fn(usize) -> f64) -> Vec<f64> {
        (0..self.ny).map(value).collect()
    }

    /// `value(j)` for every row j with an open V face, 0 on the northern wall.
    fn open_rows(&self, value: impl Fn(usize) -> f64) -> Vec<f64> {
        (0..self.ny)
            .map(|j| if self.open_v(j) { value(j) } else { 0.0 })
            .collect()
    }

    /// tan φ_j / a at the T rows (m⁻¹).
    fn tan_over_a_t(&self) -> Vec<f64> {
        self.lat_t
            .iter()
            .map(|l| (l * RAD_PER_DEG).tan() / self.a)
            .collect()
    }

    /// tan φ_{j+½} / a at the V rows (m⁻¹), 0 on a V row at a pole.
    fn tan_over_a_v(&self) -> Vec<f64> {
        self.lat_v
            .iter()
            .map(|l| {
                if l.abs() < 90.0 {
                    (l * RAD_PER_DEG).tan() / self.a
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Coriolis pair coefficient f(½(φ_j + φ_e)) · ½(Δx_T + Δx(φ_e)) (m s⁻¹) of each row with
    /// its edge at latitude φ_e = `edge[j]` (degrees north): c_N with the northern edges
    /// (`lat_v`), c_S with the southern ones (`lat_s`).
    fn coriolis(&self, edge: &[f64]) -> Vec<f64> {
        self.all_rows(|j| {
            self.f_at(0.5 * (self.lat_t[j] + edge[j])) * 0.5 * (self.dxt[j] + self.dx_at(edge[j]))
        })
    }
}

/// Horizontal viscosity A_h(φ) = A_h · max(cos φ, 0)^p (m² s⁻¹) at latitude `lat_deg`
/// (degrees north), with A_h = `viscosity_h` and p = `viscosity_cos_power` of `s`.
fn horizontal_viscosity(s: &OceanPhysicsConfig, lat_deg: f64) -> f64 {
    s.viscosity_h
        * (lat_deg * RAD_PER_DEG)
            .cos()
            .max(0.0)
            .powf(s.viscosity_cos_power)
}

/// Weight of a tangential friction flux between two velocity points with masks `a` and `b`.
/// Free slip (Veros): a·b, only between two wet points. No slip: |a − b| + 1, doubled where
/// exactly one is wet (mirrored ghost velocity).
fn tangential_weight<B: Backend>(no_slip: bool, a: Tensor<B, 3>, b: Tensor<B, 3>) -> Tensor<B, 3> {
    if no_slip {
        (a - b).abs() + 1.0
    } else {
        a * b
    }
}

/// Weight of a normal friction flux between two velocity points with masks `a` and `b`.
/// Free slip (Veros): a·b, only between two wet points. No slip: 1, keeping the flux against
/// the coast's zero normal velocity.
fn normal_weight<B: Backend>(no_slip: bool, a: Tensor<B, 3>, b: Tensor<B, 3>) -> Tensor<B, 3> {
    if no_slip {
        a.ones_like()
    } else {
        a * b
    }
}

/// The hydrostatic and continuity matrices, `[nz, nz]` row-major, on levels of thickness
/// `dz` (m): `scale`·L with L_{kk′} = Δz_{k′} (k′ < k), Δz_k/2 (k′ = k), 0 (k′ > k), and C
/// with −1 where k′ ≥ k, else 0. `scale` is g/ρ₀ (m⁴ kg⁻¹ s⁻²).
fn vertical_operators(dz: &[f64], scale: f64) -> (Vec<f64>, Vec<f64>) {
    let nz = dz.len();
    let mut hydro = vec![0.0; nz * nz];
    let mut cont = vec![0.0; nz * nz];
    for k in 0..nz {
        for kk in 0..nz {
            hydro[k * nz + kk] = scale
                * match kk.cmp(&k) {
                    std::cmp::Ordering::Less => dz[kk],
                    std::cmp::Ordering::Equal => 0.5 * dz[kk],
                    std::cmp::Ordering::Greater => 0.0,
                };
            if kk >= k {
                cont[k * nz + kk] = -1.0;
            }
        }
    }
    (hydro, cont)
}

/// 1/V_T on wet cells and 0 on dry ones (m⁻³), `[nz, ny, nx]`, from the T mask, the T-cell
/// areas `area_t` (m², `[1, ny, nx]`) and the level thicknesses `dz` (m, `[nz, 1, 1]`).
fn inverse_volume<B: Backend>(
    mask_t: &Tensor<B, 3>,
    area_t: Tensor<B, 3>,
    dz: Tensor<B, 3>,
) -> Tensor<B, 3> {
    // 1/x by division, not `recip`: burn-ndarray's f32 `recip` is the ~12-bit SIMD
    // estimate (`_mm512_rcp14_ps`/`_mm256_rcp_ps`), different on each CPU.
    let volume = mask_t.clone() * area_t * dz + mask_t.clone().neg() + 1.0;
    volume.ones_like() / volume * mask_t.clone()
}
