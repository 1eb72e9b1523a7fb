"""Veros-JAX reference timing for the ocean benchmark (issue 5): Veros' `acc` setup resized
to Chronos' T31 ocean (models/t31.toml), with matched switches.

Run (numbers in benches/README.md):

    python3 -m venv /tmp/verosenv
    /tmp/verosenv/bin/pip install "veros[jax]==1.7.0" jax==0.10.2 jaxlib==0.10.2
    OPENBLAS_NUM_THREADS=1 /tmp/verosenv/bin/python benches/veros_acc.py [steps] [--profile]

(Python 3.11; pip then resolved numpy 2.4.6, scipy 1.17.1, ml_dtypes 0.6.0, opt_einsum 3.4.0.
veros 1.7.0 requires jax/jaxlib >= 0.2.10, <= 0.11.2; 0.10.2 was the newest on PyPI.)

It prints the versions, the mean wall time per step over [steps] steps (default 50) after 10
warm-up steps (JIT compilation), and Veros' own timer breakdown over the timed steps. Veros
runs in a fresh temporary directory, so no output lands in the repository. Without
`--profile` JAX may dispatch asynchronously, so time can shift between the per-phase timers
(the host-side SciPy streamfunction solve and the per-step sanity check in "diagnostics"
force syncs); `--profile` sets Veros' profile_mode, which blocks after every routine and
also prints per-routine times, at the cost of the sync overhead in the total. (In a short
run the two breakdowns agreed within ~10 %.) Quote the wall time without `--profile`.

Set-up, every switch (Veros name = value; Chronos equivalent in brackets):
  grid       nx, ny, nz = 96, 48, 15; dxt = 3.75°, dyt = 3.5°; coord_degree, enable_cyclic_x;
             x_origin = 1.875 so T-points are at 0°, 3.75°, … (T31 longitudes);
             y_origin = -76.5 so T-rows are at -78.25 … 86.25 (edges 80°S–88°N);
             dzt from the t31.toml rule Δz_k = 50 + (Δz_bot − 50)(k/14)^1.2, Σ = 5200 m
             (≈ 50 … 671 m; Veros' acc levels also sum to 5200 m but are spaced differently)
  planet     radius = 6.371e6 m, degtom = radius·π/180, omega = 7.292e-5 s⁻¹,
             grav = 9.80616 m s⁻² (t31.toml [planet]); rho_0 = 1024 (Veros default)
  time       dt_mom = dt_tracer = 3600 s (synchronous); AB_eps = 0.1 [ab2_epsilon]
  EOS        eq_of_state_type = 2 (Vallis 2008) [equation_of_state = "vallis2008"]
  friction   enable_hor_friction, A_h = 1.5e6 m² s⁻¹, enable_hor_friction_cos_scaling,
             hor_friction_cosPower = 2 [viscosity_h, viscosity_cos_power]; free slip
             (enable_noslip_lateral off) [no_slip = false]; enable_bottom_friction,
             r_bot = 1e-5 s⁻¹ [bottom_drag]; enable_implicit_vert_friction
  vertical   enable_tke = enable_eke = enable_idemix = False; kappaM_0 = 1e-3 [viscosity_v],
             kappaH_0 = 2e-5 [diffusivity_v]; Veros then sets κ_H = 1 where N² < 0
             (core/tke.py) [convective_diffusivity = 1.0]
  eddies     enable_neutral_diffusion, K_iso_0 = 1000 [isoneutral_diffusivity],
             K_iso_steep = 1000 (Veros' horizontal K_11 = K_22 = max(K_iso_steep, K_iso·taper),
             i.e. an untapered horizontal diffusivity of 1000) [diffusivity_h = 1000];
             iso_slopec = 0.01, iso_dslope = 0.001 (same tanh taper) [slope_max, slope_width];
             enable_skew_diffusion, K_gm_0 = 1000 (fixed, no EKE) [gm_diffusivity];
             enable_hor_diffusion off (K_iso_steep already gives the horizontal part)
  advection  enable_superbee_advection = True (tracers) [Chronos: superbee]
  external   enable_streamfunction = True (rigid lid); Veros' default CPU solver: SciPy
             BiCGstab + ILU on the host, atol 1e-8 [Chronos: exact block preconditioner, 1 CG
             iteration]; monitor_streamfunction_residual left at its default (True)
  precision  float64, backend jax, device cpu, OPENBLAS_NUM_THREADS=1
  TDMA       Veros' default on CPU: its Cython custom call (use_special_tdma = None → on).
             With jaxlib 0.10.2 XLA logs "Custom call API version API_VERSION_STATUS_RETURNING
             is not supported" (E-level, once per compiled kernel); it is a deprecation notice:
             the results are bit-identical to VEROS_USE_SPECIAL_TDMA=0 (pure-JAX TDMA).
  geometry   acc's: periodic channel south of 20°S, a one-column meridional wall (T-column at
             0°E) from 20°S to the northern edge, flat bottom (kbot = 1 elsewhere)
  forcing    acc's, unchanged (it scales with the y range): zonal wind stress, a sin hump over
             the channel (peak 0.1 N m⁻² near 52°S) and 0.1(1 − cos) north of 10°N;
             surface temperature restoring (30 d on the top level) to T* = linear 0→15 °C
             from the southern halo to 20°S, 15 °C to 20°N, linear 15→0 °C to the northern
             halo; no salt flux; S = 35. Initial T = T*(y)(1 − z/z_w[0]) °C, i.e. acc's
             profile 15(1 − z/z_w[0]) scaled by T*(y)/15 (the bottom level starts slightly
             below 0 °C, as in acc itself). acc's unscaled state (15 °C at the surface at every
             latitude, strongly stratified down to 5 km at 86°N) diverges at step 56 at
             86.25°N on this grid (first-baroclinic gravity wave c ≈ NH/π ≈ 4 m/s,
             cΔt/(a cosφ Δλ) ≈ 0.5 on the 27 km polar Δx, the likely cause); the scaled state
             ran 120 steps stably. The cost of a step does not depend on the state.
  output     all diagnostics off (output/sampling frequency 0), no restart file.

Not matched: Chronos' real T31 land-sea mask, bathymetry and Levitus initial state (the
benches/ocean.rs step) vs. acc's flat channel-and-wall basin (the wet-point count differs,
but Veros computes on the full array, so the cost depends on the array size, not the mask);
Chronos' ocean-only surface fluxes (heat, P−E, wind) vs. acc's wind + temperature
restoring; Chronos' third tracer (age) – Veros has none (a third superbee tracer costs Chronos
≈ 4 ms per step); Veros' ILU-BiCGstab on the host vs. Chronos' direct-preconditioned CG;
Veros still runs its per-step sanity check and isoneutral_diag_streamfunction (counted in
the diagnostics timer and in the wall time).
"""

import os
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from veros import runtime_settings  # noqa: E402

runtime_settings.backend = "jax"
runtime_settings.float_type = "float64"
runtime_settings.device = "cpu"
PROFILE = "--profile" in sys.argv[1:]
if PROFILE:
    runtime_settings.profile_mode = True

from veros import veros_routine  # noqa: E402
from veros.core.operators import numpy as npx, update, at  # noqa: E402
from veros.setups.acc import ACCSetup  # noqa: E402

NX, NY, NZ = 96, 48, 15
DX, DY = 3.75, 3.5
LAT_SOUTH = -80.0
DZ_TOP, DEPTH, STRETCH = 50.0, 5200.0, 1.2
RADIUS = 6.371e6


def chronos_levels():
    """Δz_k (surface first) from t31.toml: Δz_k = Δz_top + (Δz_bot − Δz_top)(k/(nz − 1))^p, Σ = depth."""
    s = sum((k / (NZ - 1)) ** STRETCH for k in range(NZ))
    dz_bot = DZ_TOP + (DEPTH - NZ * DZ_TOP) / s
    return [DZ_TOP + (dz_bot - DZ_TOP) * (k / (NZ - 1)) ** STRETCH for k in range(NZ)]


class ChronosMatched(ACCSetup):
    @veros_routine
    def set_parameter(self, state):
        # acc's own parameters and variables (t_star, t_rest) first, then the overrides.
        super().set_parameter(state)
        s = state.settings
        s.identifier = "acc_chronos_t31"
        s.description = "Veros acc resized to Chronos T31, matched switches"
        s.nx, s.ny, s.nz = NX, NY, NZ
        s.dt_mom = 3600.0
        s.dt_tracer = 3600.0
        s.AB_eps = 0.1
        s.runlen = 86400 * 365
        s.radius = RADIUS
        s.degtom = RADIUS / 180.0 * s.pi
        s.omega = 7.292e-5
        s.grav = 9.80616
        # Veros: yu[2] = y_origin, yt[2] = y_origin − dyt/2; likewise in x.
        s.x_origin = DX / 2
        s.y_origin = LAT_SOUTH + DY
        s.coord_degree = True
        s.enable_cyclic_x = True
        s.enable_neutral_diffusion = True
        s.K_iso_0 = 1000.0
        s.K_iso_steep = 1000.0
        s.iso_dslope = 0.001
        s.iso_slopec = 0.01
        s.enable_skew_diffusion = True
        s.K_gm_0 = 1000.0
        s.enable_hor_diffusion = False
        s.enable_hor_friction = True
        s.A_h = 1.5e6
        s.enable_hor_friction_cos_scaling = True
        s.hor_friction_cosPower = 2
        s.enable_noslip_lateral = False
        s.enable_bottom_friction = True
        s.r_bot = 1e-5
        s.enable_implicit_vert_friction = True
        s.enable_tke = False
        s.enable_eke = False
        s.enable_idemix = False
        s.enable_kappaH_profile = False
        s.kappaM_0 = 1e-3
        s.kappaH_0 = 2e-5
        s.eq_of_state_type = 2
        s.enable_superbee_advection = True
        s.enable_streamfunction = True
        s.restart_frequency = 0

    @veros_routine
    def set_grid(self, state):
        vs = state.variables
        ddz = npx.array(chronos_levels())
        vs.dxt = update(vs.dxt, at[...], DX)
        vs.dyt = update(vs.dyt, at[...], DY)
        vs.dzt = update(vs.dzt, at[...], ddz[::-1])  # Veros: index 0 is the bottom level

    @veros_routine
    def set_initial_conditions(self, state):
        # acc's initial state and forcing, then its temperature profile scaled by the restoring
        # profile T*(y)/15: T = T*(y)(1 − z/z_w[0]). acc's own state (15 °C → 0 °C at every
        # latitude) blows up at step 56 at 86.25°N (first-baroclinic wave speed ≈ NH/π ≈ 4 m/s on
        # the 27 km polar Δx: cΔt/Δx ≈ 0.5); the scaled state runs stably (checked to 120 steps).
        super().set_initial_conditions(state)
        vs = state.variables
        vs.temp = vs.temp * (vs.t_star / 15.0)[npx.newaxis, :, npx.newaxis, npx.newaxis]

    @veros_routine
    def set_topography(self, state):
        vs = state.variables
        x, y = npx.meshgrid(vs.xt, vs.yt, indexing="ij")
        # acc's geometry: a periodic channel south of 20°S and a one-column meridional wall
        # (the T-column at 0°E, |x| < 1°) from 20°S to the northern edge.
        vs.kbot = npx.logical_or(npx.abs(x) > 1.0, y < -20).astype("int")

    @veros_routine
    def set_diagnostics(self, state):
        for d in state.diagnostics.values():
            d.output_frequency = 0.0
            d.sampling_frequency = 0.0


def versions():
    import jax
    import jaxlib
    import numpy
    import scipy
    import veros

    jaxlib_version = getattr(jaxlib, "__version__", None) or jaxlib.version.__version__
    return (
        f"veros {veros.__version__}, jax {jax.__version__}, jaxlib {jaxlib_version}, "
        f"numpy {numpy.__version__}, scipy {scipy.__version__}, python {sys.version.split()[0]}"
    )


def reset_timers(st):
    for t in list(st.timers.values()) + list(st.profile_timers.values()):
        t.total_time = 0.0


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    steps = int(args[0]) if args else 50
    warmup = 10
    os.chdir(tempfile.mkdtemp(prefix="veros_acc_"))
    sim = ChronosMatched()
    sim.setup()
    st = sim.state
    vs = st.variables
    print(f"yt[2], yt[-3] = {float(vs.yt[2]):.2f}, {float(vs.yt[-3]):.2f}; xt[2] = {float(vs.xt[2]):.3f}; "
          f"dzt (surface first) = {[round(float(d), 1) for d in vs.dzt[::-1]]}; depth {float(-vs.zw[0] + vs.dzt[0]):.0f} m")
    for _ in range(warmup):
        sim.step(st)
    float(vs.temp[2, 2, -1, vs.tau])
    reset_timers(st)
    t0 = time.perf_counter()
    for _ in range(steps):
        sim.step(st)
    # Make sure JAX finished the last step's arrays.
    float(vs.temp[2, 2, -1, vs.tau])
    float(vs.psi[2, 2, 0])
    dt = (time.perf_counter() - t0) / steps
    print(versions())
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, profile_mode={PROFILE}, "
          f"streamfunction solver {_solver_name()}")
    print(
        f"Veros-JAX acc resized to T31 ({NX}x{NY}x{NZ}, f64, dt 3600 s): {dt * 1e3:.1f} ms per step "
        f"(mean of {steps} steps after {warmup} warm-up steps)"
    )
    print(f"max |u| = {float(npx.max(npx.abs(vs.u))):.3e} m/s, T range {float(npx.min(vs.temp[..., vs.tau])):.2f} … "
          f"{float(npx.max(vs.temp[..., vs.tau])):.2f} °C")
    print(f"checksums: sum T = {float(npx.sum(vs.temp[..., vs.tau])):.12e}, sum u = {float(npx.sum(vs.u[..., vs.tau])):.12e}, "
          f"sum psi = {float(npx.sum(vs.psi[..., vs.tau])):.12e}, use_special_tdma = {runtime_settings.use_special_tdma} (None: auto, Cython ext on CPU)")
    print("Veros timers over the timed steps (ms per step):")
    for name in ("main", "forcing", "momentum", "pressure", "friction", "thermodynamics", "advection",
                 "eke", "tke", "idemix", "boundary_exchange", "diagnostics", "plugins"):
        if name in st.timers:
            print(f"  {name:18s} {st.timers[name].total_time / steps * 1e3:8.2f}")
    if PROFILE:
        print("Veros profile timers (per routine, ms per step, nested routines overlap):")
        items = sorted(st.profile_timers.items(), key=lambda kv: -kv[1].total_time)
        for name, t in items:
            if t.total_time > 0:
                print(f"  {name:40s} {t.total_time / steps * 1e3:8.2f}")


def _solver_name():
    from veros.core.external.solvers import _get_solver_class

    return _get_solver_class().__name__


if __name__ == "__main__":
    main()
