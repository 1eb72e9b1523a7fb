#!/usr/bin/env python3
"""Self-check of the Chronos boundary data made by make_boundary_data.py.

    python models/data/check_boundary_data.py --data models/data [--sources DIR]

Every acceptance check prints one line, PASS or FAIL with its numbers; the last line is
"N passed, M failed" and the exit status is non-zero on any FAIL. Without --sources the
source-side reference numbers (ETOPO5 land fraction, jcm SST over the model mask,
Levitus over the model's volume) are read from <res>/sanity.txt written by the generator;
with --sources they are recomputed here from the original files.

Grids are rebuilt from models/<res>.toml (the generator's Gauss-Legendre nodes, uniform ocean
rows, the stretched levels of src/grid/vertical.rs), so a model file edited without
regenerating the data fails the grid checks. The ocean-only forcing must be consistent with
its sea ice: monthly air temperature below +2 degC over >= 90 % ice, specific humidity at or
below saturation (the model's q_sat at 1000 hPa) at the air temperature.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import tomllib  # noqa: E402
from pathlib import Path  # noqa: E402

import netCDF4  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_boundary_data as mk  # noqa: E402

FILES = ["ocean_grid.nc", "atmos_surface.nc", "forcing_monthly.nc", "ocean_forcing_monthly.nc",
         "ocean_initial.nc", "land_initial.nc", "clouds.nc", "validation_ocean.nc",
         "validation_atmos.nc"]
GLOBAL_ATTRS = ["Conventions", "title", "source", "license", "method", "references"]
COORDS = {"lat", "lon", "depth", "time", "lat_bnds", "lon_bnds", "depth_bnds", "time_bnds",
          "z_w", "dz", "cell_area"}
# Expected places (lat N, lon E).
GREENLAND = (72.0, -40.0)
ANTARCTICA = (-85.0, 0.0)
SAHARA = (20.0, 10.0)
DRAKE_LON = -65.0
LEVITUS_BOTTOM = 5000.0   # m, lower edge of the deepest Levitus level


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def __call__(self, ok, name, detail=""):
        ok = bool(ok)
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""),
              flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def read(path):
    ds = netCDF4.Dataset(path)
    ds.set_auto_mask(False)
    return ds


def data(ds, name):
    """Variable as float64 with NaN where it holds the fill value."""
    v = ds[name]
    a = np.asarray(v[:])
    if a.dtype.kind == "f":
        a = a.astype(np.float64)
        fill = getattr(v, "_FillValue", None)
        if fill is not None:
            a = np.where(a == np.float64(np.float32(fill)) if v.dtype == np.float32
                         else a == fill, np.nan, a)
    return a


def read_sanity(path):
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        out[k.strip()] = float(v.strip())
    return out


def check_resolution(res, datadir, models, ck, sources):
    cfg = tomllib.loads((models / f"{res}.toml").read_text())
    R = float(cfg["planet"]["radius"])
    a, o = cfg["atmosphere"], cfg["ocean"]
    gauss = mk.gaussian_grid(int(a["nlon"]), int(a["nlat"]), R)
    ogrid = mk.ocean_grid(int(a["nlon"]), int(o["nlat"]), float(o["lat_south"]),
                          float(o["lat_north"]), R)
    dz, z_t, z_w = mk.vertical_grid(int(o["nz"]), float(o["dz_top"]), float(o["depth"]),
                                    float(o["stretching_exponent"]))
    nz = len(dz)
    d = datadir / res
    print(f"== {res}: {d}")
    missing = [f for f in FILES if not (d / f).exists()]
    if not ck(not missing, f"{res} all files present", ", ".join(missing) or f"{len(FILES)} files"):
        return
    ds = {f: read(d / f) for f in FILES}
    sanity = read_sanity(d / "sanity.txt") if (d / "sanity.txt").exists() else {}

    # ---- metadata ----
    bad = []
    for f, x in ds.items():
        for att in GLOBAL_ATTRS:
            if not str(getattr(x, att, "")).strip():
                bad.append(f"{f}: global {att}")
        if getattr(x, "Conventions", "") != "CF-1.8":
            bad.append(f"{f}: Conventions")
        for name, v in x.variables.items():
            if name.endswith("_bnds"):
                continue
            for att in ("units", "long_name"):
                if not hasattr(v, att):
                    bad.append(f"{f}:{name} {att}")
        for c, units in (("lat", "degrees_north"), ("lon", "degrees_east"), ("depth", "m")):
            if c in x.variables:
                v = x[c]
                if getattr(v, "units", "") != units or getattr(v, "bounds", "") != f"{c}_bnds" \
                        or f"{c}_bnds" not in x.variables:
                    bad.append(f"{f}:{c} units/bounds")
        if "depth" in x.variables and getattr(x["depth"], "positive", "") != "down":
            bad.append(f"{f}: depth positive")
        if "time" in x.variables:
            t = x["time"]
            if t.calendar != "noleap" or not t.units.startswith("days since 0001-01-01") or \
                    len(t) != 12 or "time_bnds" not in x.variables:
                bad.append(f"{f}: time axis")
        for key, want in (("ocean_nz", nz), ("atmosphere_nlon", gauss.nlon),
                          ("atmosphere_nlat", gauss.nlat), ("ocean_nlat", ogrid.nlat)):
            if int(getattr(x, key, -1)) != want:
                bad.append(f"{f}: attribute {key}")
    ck(not bad, f"{res} CF metadata (global provenance, units, long_name, bounds, noleap time)",
       "; ".join(bad[:8]) or "all present")

    # ---- grids follow the model file ----
    err = 0.0
    for f, x in ds.items():
        grid = ogrid if f in ("ocean_grid.nc", "ocean_forcing_monthly.nc", "ocean_initial.nc",
                              "validation_ocean.nc") else gauss
        err = max(err, np.max(np.abs(x["lat"][:] - grid.lat_c)),
                  np.max(np.abs(x["lon"][:] - grid.lon_c)),
                  np.max(np.abs(x["lat_bnds"][:, 0] - grid.lat_e[:-1])),
                  np.max(np.abs(x["lon_bnds"][:, 1] - grid.lon_e[1:])))
        if "depth" in x.variables:
            err = max(err, np.max(np.abs(x["depth"][:] - z_t)), np.max(np.abs(x["z_w"][:] - z_w)))
    ck(err < 1e-9, f"{res} coordinates equal the grids of models/{res}.toml",
       f"max |difference| {err:.2e}")
    t = ds["forcing_monthly.nc"]["time"][:]
    tb = ds["forcing_monthly.nc"]["time_bnds"][:]
    ck(np.allclose(tb[:, 1] - tb[:, 0], mk.NOLEAP_MONTH_DAYS) and np.allclose(t, tb.mean(1))
       and tb[0, 0] == 0 and tb[-1, 1] == 365, f"{res} mid-month times of a 365-day year",
       f"{t[0]}, {t[1]}, ... {t[-1]}")

    # ---- no NaN / inf in the raw data ----
    bad = []
    for f, x in ds.items():
        for name, v in x.variables.items():
            arr = np.asarray(v[:])
            if arr.dtype.kind == "f" and not np.isfinite(arr).all():
                bad.append(f"{f}:{name}")
    ck(not bad, f"{res} no NaN or Inf stored", ", ".join(bad) or "none")

    og = ds["ocean_grid.nc"]
    wet = og["wet"][:].astype(bool)
    kbot = og["kbot"][:]
    basin = og["basin"][:]
    at = ds["atmos_surface.nc"]
    of = at["ocean_fraction"][:]
    lf = at["land_fraction"][:]
    area_o = ogrid.area()
    area_g = gauss.area()

    # ---- fill values exactly where expected ----
    def fill_pattern(f, name, expect_valid):
        arr = data(ds[f], name)
        valid = np.isfinite(arr)
        ev = np.broadcast_to(expect_valid, valid.shape)
        return bool(np.array_equal(valid, ev)), int(np.sum(valid != ev))

    wet3 = np.arange(nz)[:, None, None] < kbot[None]
    bad = []
    for f, names, expect in (
            ("ocean_grid.nc", ["sea_floor_depth", "etopo_mean_depth"], wet),
            ("ocean_forcing_monthly.nc", ["sea_surface_temperature", "sea_ice_fraction",
                                          "air_temperature", "specific_humidity", "eastward_wind",
                                          "northward_wind", "wind_speed", "sea_level_pressure",
                                          "eastward_wind_stress", "northward_wind_stress",
                                          "cloud_fraction", "sea_surface_salinity"], wet),
            ("ocean_initial.nc", ["temperature", "salinity"], wet3),
            ("forcing_monthly.nc", ["sea_surface_temperature", "sea_ice_fraction"], of > 0),
            ("atmos_surface.nc", ["albedo_snow_free", "vegetation_fraction", "forest_fraction",
                                  "field_capacity"], lf > 0),
            ("land_initial.nc", ["soil_moisture_fraction", "snow_water_equivalent",
                                 "land_surface_temperature"], lf > 0)):
        for name in names:
            ok, n = fill_pattern(f, name, expect)
            if not ok:
                bad.append(f"{f}:{name} ({n} cells)")
    ck(not bad, f"{res} _FillValue exactly on land (ocean fields) / below kbot / on ocean "
                f"(land fields)", "; ".join(bad) or "all fields")
    bad = []
    for f, msk in (("validation_ocean.nc", ~wet), ("validation_atmos.nc", ~(of > 0))):
        for name in ("sst_oisst", "sst_coads", "air_temperature_coads"):
            arr = data(ds[f], name)
            if np.isfinite(arr[:, msk]).any():
                bad.append(f"{f}:{name}")
    ck(not bad, f"{res} validation fields have no values on land", ", ".join(bad) or "ok")

    # ---- value ranges ----
    def rng(f, name):
        arr = data(ds[f], name)
        return np.nanmin(arr), np.nanmax(arr)
    bad = []
    for f, name, lo, hi in (
            ("atmos_surface.nc", "ocean_fraction", 0, 1), ("atmos_surface.nc", "land_fraction", 0, 1),
            ("atmos_surface.nc", "land_ice_fraction", 0, 1),
            ("atmos_surface.nc", "albedo_snow_free", 0.03, 0.9),
            ("atmos_surface.nc", "vegetation_fraction", 0, 1),
            ("atmos_surface.nc", "orography", -500, 6000),
            ("forcing_monthly.nc", "sea_surface_temperature", 271.0, 310.0),
            ("forcing_monthly.nc", "sea_ice_fraction", 0, 1),
            ("ocean_forcing_monthly.nc", "sea_surface_temperature", 271.0, 310.0),
            ("ocean_forcing_monthly.nc", "air_temperature", 220.0, 310.0),
            ("ocean_forcing_monthly.nc", "specific_humidity", 0.0, 0.03),
            ("ocean_forcing_monthly.nc", "wind_speed", 0.0, 30.0),
            ("ocean_forcing_monthly.nc", "eastward_wind_stress", -1.0, 1.0),
            ("ocean_forcing_monthly.nc", "sea_level_pressure", 9.5e4, 1.06e5),
            ("ocean_forcing_monthly.nc", "cloud_fraction", 0, 1),
            ("ocean_forcing_monthly.nc", "sea_surface_salinity", 5.0, 42.0),
            ("ocean_initial.nc", "temperature", -2.5, 32.0),
            ("ocean_initial.nc", "salinity", 5.0, 42.0),
            ("land_initial.nc", "soil_moisture_fraction", 0, 1),
            ("land_initial.nc", "snow_water_equivalent", 0, 1.0001e4),
            ("land_initial.nc", "land_surface_temperature", 190.0, 330.0),
            ("clouds.nc", "cloud_fraction", 0, 1)):
        lo_v, hi_v = rng(f, name)
        if not (lo <= lo_v and hi_v <= hi):
            bad.append(f"{f}:{name} [{lo_v:.4g}, {hi_v:.4g}] outside [{lo}, {hi}]")
    ck(not bad, f"{res} physical value ranges", "; ".join(bad) or "all within bounds")

    # ---- ocean-only forcing over sea ice: air temperature and humidity ----
    fo = ds["ocean_forcing_monthly.nc"]
    ta = data(fo, "air_temperature")
    qa = data(fo, "specific_humidity")
    sic = data(fo, "sea_ice_fraction")
    lat_o3 = np.broadcast_to(ogrid.lat_c[None, :, None], ta.shape)
    lon_o3 = np.broadcast_to(ogrid.lon_c[None, None, :], ta.shape)

    def argmax_at(mask, values):
        k = np.unravel_index(np.nanargmax(np.where(mask, values, -np.inf)), values.shape)
        return k, f"month {k[0] + 1}, {lat_o3[k]:.2f} N {lon_o3[k]:.2f} E"
    ice90 = np.isfinite(ta) & (sic >= 0.9)
    ice50 = np.isfinite(ta) & (sic >= 0.5)
    k, where = argmax_at(ice90, ta)
    t90 = ta[k] - 273.15
    ck(t90 < 2.0, f"{res} monthly air temperature over >= 90 % sea ice below +2 degC",
       f"max {t90:.2f} degC ({where}, ice {sic[k]:.3f}) over {int(ice90.sum())} cell-months; "
       f"over >= 50 % ice {100 * np.mean(ta[ice50] > 273.15):.1f} % of {int(ice50.sum())} "
       f"cell-months above 0 degC, {int(np.sum(ta[ice50] > 274.15))} above +1 degC")
    # Saturation humidity of the model (src/atmos/qtcm.rs qsat_1000, QTCM1 hsat0) at 1000 hPa.
    tc = ta - 273.15
    with np.errstate(invalid="ignore"):
        ratio = qa / (0.622 * 0.6108 * np.exp(17.27 * tc / (237.3 + tc)) * 0.01)
    ok = np.isfinite(ratio)
    k, where = argmax_at(ok, ratio)
    ck(ratio[k] <= 1.0 + 1e-5, f"{res} specific humidity at or below saturation at the air "
                               f"temperature (q_sat of src/atmos/qtcm.rs qsat_1000, 1000 hPa; "
                               f"float32 tolerance 1e-5)",
       f"max q/q_sat {ratio[k]:.6f} ({where}, {tc[k]:.2f} degC, {1e3 * qa[k]:.3f} g/kg); "
       f"{int(np.sum(ratio[ok] > 0.99999))} of {int(ok.sum())} cell-months at or above 0.99999 "
       f"q_sat; max q "
       f"over >= 90 % ice {1e3 * np.nanmax(qa[ice90]):.2f} g/kg")

    # ---- ocean mask ----
    lab, n = mk.components(wet)
    ck(n == 1, f"{res} exactly one connected ocean (4-neighbour, periodic x)",
       f"{n} component(s), {int(wet.sum())} wet cells")
    inlets = wet & (mk.land_neighbours4(wet) >= 3)
    ck(not inlets.any(), f"{res} no one-cell dead-end inlets (>= 3 land among N/S/E/W)",
       f"{int(inlets.sum())} found")
    bad = []
    for name, (lat, lon, want) in mk.CHECK_POINTS.items():
        j, i = ogrid.cell_of(lat, lon)
        if bool(wet[j, i]) != want:
            bad.append(name)
    ck(not bad, f"{res} known places wet/land on the ocean grid",
       ", ".join(bad) or ", ".join(f"{k} {'wet' if v[2] else 'land'}" for k, v in mk.CHECK_POINTS.items()))
    # Isthmus of Panama: the Caribbean cannot reach the Pacific inside 0-25 N, 100-60 W.
    boxm = mk.box(ogrid, 0.0, 25.0, 260.0, 300.0)
    carib = mk.flood(wet & boxm, ogrid.cell_of(15.0, -75.0))
    pac = ogrid.cell_of(5.0, -85.0)
    ck(wet[pac] and carib.any() and not carib[pac],
       f"{res} Isthmus of Panama closed (no Caribbean-Pacific path within 0-25 N, 100-60 W)",
       f"Caribbean region {int(carib.sum())} cells, Pacific cell {pac} not reached")
    i_d = ogrid.cell_of(-60.0, DRAKE_LON)[1]
    rows = [j for j in range(ogrid.nlat) if -63.0 <= ogrid.lat_c[j] <= -56.0]
    col_wet = [bool(wet[j, i_d]) for j in rows]
    around = mk.winds_around(wet, ogrid.lat_c, -70.0, -45.0)
    ck(all(col_wet) and around, f"{res} Drake Passage open (wet band at 65 W, 56-63 S; "
                                f"circumpolar path)",
       f"column {DRAKE_LON} E rows {[round(float(ogrid.lat_c[j]), 2) for j in rows]} wet {col_wet}; "
       f"circumpolar {around}")
    atl = ogrid.cell_of(75.0, 0.0)
    arc = ogrid.cell_of(85.0, 0.0)
    nordic = mk.flood(wet & mk.box(ogrid, 40.0, 90.0, -45.0, 60.0), ogrid.cell_of(45.0, -30.0))
    ck(nordic[atl] and nordic[arc], f"{res} Atlantic-Arctic connection (Nordic Seas, Fram "
                                    f"Strait / Barents)",
       "North Atlantic (45 N, 30 W) reaches 75 N 0 E and 85 N 0 E within 45 W-60 E")
    ck(np.all(kbot[wet] >= mk.MIN_WET_LEVELS) and np.all(kbot[~wet] == 0) and kbot.max() <= nz,
       f"{res} kbot: >= {mk.MIN_WET_LEVELS} levels in wet columns, 0 on land, <= nz",
       f"range on wet {kbot[wet].min()}..{kbot[wet].max()} of {nz}")
    depth = data(og, "sea_floor_depth")
    ck(np.allclose(depth[wet], z_w[kbot[wet]], rtol=1e-6), f"{res} sea_floor_depth = z_w[kbot]",
       f"{np.nanmin(depth):.1f}..{np.nanmax(depth):.1f} m")
    bad = []
    for name, (lat, lon), code in (("North Atlantic", (30.0, -30.0), 1),
                                   ("central Pacific", (0.0, 180.0), 2),
                                   ("North Pacific", (30.0, -150.0), 2),
                                   ("Indian", (-10.0, 80.0), 3),
                                   ("Southern", (-60.0, 0.0), 4), ("Arctic", (85.0, 0.0), 5),
                                   ("Mediterranean", (35.0, 18.0), 6)):
        j, i = ogrid.cell_of(lat, lon)
        if basin[j, i] != code:
            bad.append(f"{name} = {basin[j, i]} (want {code})")
    ck(not bad and np.all(basin[wet] >= 1) and np.all(basin[wet] <= 6) and np.all(basin[~wet] == 0),
       f"{res} basin codes", "; ".join(bad) or
       "counts " + ", ".join(f"{c}:{int(np.sum(basin == c))}" for c in range(1, 7)))

    # ---- fractions and conservation ----
    Rgo = mk.Remap(gauss, ogrid)
    of_re = Rgo.integral(wet.astype(float)) / area_g
    ck(np.max(np.abs(of_re - of)) < 1e-11 and np.max(np.abs(of + lf - 1)) < 1e-15,
       f"{res} ocean_fraction = conservative remap of the wet mask; land = 1 - ocean",
       f"max |diff| {np.max(np.abs(of_re - of)):.1e}")
    a_o = float(np.sum(wet * area_o))
    a_g = float(np.sum(of * area_g))
    rel = abs(a_g - a_o) / a_o
    ck(rel < 1e-12, f"{res} ocean area: ocean grid vs sum(ocean_fraction * Gaussian area)",
       f"{a_o:.12e} m2 vs {a_g:.12e} m2, relative difference {rel:.1e}")
    lf_model = float(np.sum(lf * area_g) / area_g.sum())
    lf_src = sources.get("land_fraction_etopo5_sphere", res) if sources else \
        sanity.get("land_fraction_etopo5_sphere")
    if lf_src is None:
        ck(False, f"{res} land fraction vs ETOPO5", "no reference (sanity.txt or --sources)")
    else:
        ck(abs(lf_model - lf_src) <= 0.01, f"{res} land fraction (Gaussian, area-weighted) vs "
                                           f"ETOPO5 (ROSE >= 0) on the sphere",
           f"{lf_model:.4f} vs {lf_src:.4f}, difference {lf_model - lf_src:+.4f} (limit 0.01)")
    lf_o = float(np.sum(~wet * area_o) / area_o.sum())
    lf_band = sources.get("land_fraction_etopo5_ocean_band", res, ogrid) if sources else \
        sanity.get("land_fraction_etopo5_ocean_band")
    if lf_band is not None:
        ck(abs(lf_o - lf_band) <= 0.01, f"{res} land fraction on the ocean grid vs ETOPO5 in the "
                                        f"same latitude band",
           f"{lf_o:.4f} vs {lf_band:.4f}, difference {lf_o - lf_band:+.4f} (limit 0.01)")

    # ---- known places on the Gaussian grid ----
    jg, ig = gauss.cell_of(*SAHARA)
    li = at["land_ice_fraction"][:]
    ck(lf[jg, ig] > 0.99 and li[jg, ig] == 0, f"{res} Sahara (20 N, 10 E) land without ice",
       f"land {lf[jg, ig]:.3f}, ice {li[jg, ig]:.3f}")
    bad = []
    for name, (lat, lon) in (("central Pacific", (0.0, 180.0)), ("South Pacific", (-20.0, -150.0)),
                             ("North Atlantic", (30.0, -30.0))):
        j, i = gauss.cell_of(lat, lon)
        if of[j, i] < 0.999:
            bad.append(f"{name} {of[j, i]:.3f}")
    ck(not bad, f"{res} open ocean on the Gaussian grid (0N 180E, 20S 150W, 30N 30W)",
       ", ".join(bad) or "ocean_fraction 1")
    jgr, igr = gauss.cell_of(*GREENLAND)
    jan, ian = gauss.cell_of(*ANTARCTICA)
    ck(li[jgr, igr] > 0.5 and li[jan, ian] > 0.9, f"{res} land ice on Greenland (72 N, 40 W) and "
                                                   f"Antarctica (85 S, 0 E)",
       f"{li[jgr, igr]:.3f}, {li[jan, ian]:.3f}")
    ck(np.all(li <= lf + 1e-6), f"{res} land_ice_fraction <= land_fraction",
       f"global land-ice area fraction {float(np.sum(li * area_g) / area_g.sum()):.4f}")

    # ---- rivers ----
    ro = at["river_outlet"][:]
    land = lf > 0
    coast = mk.coastal_cells(wet)
    ok_idx = (ro[land] >= 0) & (ro[land] < wet.size)
    tgt = ro[land][ok_idx]
    tj, ti = np.divmod(tgt, ogrid.nlon)
    ck(np.all(ro[~land] == -1) and ok_idx.all() and np.all(wet[tj, ti]) and np.all(coast[tj, ti]),
       f"{res} river_outlet: every land cell -> a wet coastal ocean-grid cell, -1 elsewhere",
       f"{int(land.sum())} land cells -> {len(np.unique(tgt))} distinct outlets")

    # ---- SST means ----
    sst_g = data(ds["forcing_monthly.nc"], "sea_surface_temperature")
    wg = of * area_g
    der = float(np.nansum(sst_g * wg[None]) / (12 * np.sum(wg)))
    src_m = sources.get("sst_gaussian_source_same_mask_K", res, (gauss, of)) if sources else \
        sanity.get("sst_gaussian_source_same_mask_K")
    if src_m is not None:
        ck(abs(der - src_m) <= 0.1, f"{res} global-mean SST (Gaussian forcing) vs jcm source over "
                                    f"the same mask",
           f"{der:.3f} K vs {src_m:.3f} K, difference {der - src_m:+.3f} K (limit 0.1)")
    sst_o = data(ds["ocean_forcing_monthly.nc"], "sea_surface_temperature")
    wo = wet * area_o
    der_o = float(np.nansum(sst_o * wo[None]) / (12 * np.sum(wo)))
    wet_in_g = Rgo.integral(wet.astype(float))
    src_o = float(np.nansum(sst_g * wet_in_g[None]) / (12 * np.sum(wet_in_g)))
    ck(abs(der_o - src_o) <= 0.1, f"{res} global-mean SST on the ocean grid vs the Gaussian "
                                  f"forcing over the same wet area (conservation)",
       f"{der_o:.4f} K vs {src_o:.4f} K, difference {der_o - src_o:+.1e} K")

    # ---- validation SST (OISST) and the jcm grid ----
    oi = data(ds["validation_ocean.nc"], "sst_oisst") - 273.15
    cov = np.isfinite(oi)
    der_oi = float(np.sum(np.where(cov, oi, 0.0) * area_o[None]) / np.sum(cov * area_o[None]))
    ref_oi = sanity.get("oisst_source_same_mask_degC")
    if ref_oi is not None:
        ck(abs(der_oi - ref_oi) <= 0.1, f"{res} global-mean OISST (validation, ocean grid) vs "
                                        f"OISST over the same wet area",
           f"{der_oi:.3f} degC vs {ref_oi:.3f} degC, difference {der_oi - ref_oi:+.1e} K; "
           f"the OISST file's whole-globe mean (land filled in) "
           f"{sanity.get('oisst_source_whole_globe_mean_degC', float('nan')):.3f} degC, its mean "
           f"over sea {sanity.get('oisst_source_sea_mean_degC', float('nan')):.3f} degC")
    err_lat = sanity.get("jcm_grid_max_lat_diff_deg")
    if err_lat is not None:
        ck(err_lat <= 1e-3, f"{res} jcm source grid is the model's Gaussian grid",
           f"max |latitude difference| {err_lat:.1e} deg (SPEEDY T30 files store 0.001 deg)")

    # ---- volume-mean temperature ----
    # Model side from the file: per-layer area means over wet cells, weighted by the model's
    # layer volumes, over the layers Levitus reaches (tops above its 5000 m bottom edge).
    temp = data(ds["ocean_initial.nc"], "temperature")
    vol = area_o[None] * dz[:, None, None]
    vm = float(np.nansum(temp * vol) / np.sum(wet3 * vol))
    has = z_w[:-1] < LEVITUS_BOTTOM
    mod = float(np.nansum(temp[has] * vol[has]) / np.sum(wet3[has] * vol[has]))
    lev = sources.get("levitus_same_volume", res, (ogrid, kbot, z_w)) if sources else \
        sanity.get("volume_mean_temp_levitus_same_volume_degC")
    if lev is not None:
        ck(abs(mod - lev) <= 0.1, f"{res} volume-mean ocean temperature vs Levitus over the same "
                                  f"volume",
           f"model {mod:.4f} degC vs Levitus {lev:.4f} degC, difference {mod - lev:+.4f} K "
           f"(limit 0.1; layers above {LEVITUS_BOTTOM:.0f} m, {float(np.sum(wet3[has] * vol[has]) / np.sum(wet3 * vol)):.4f} "
           f"of the wet volume; mean over all wet levels {vm:.4f} degC)")
    for f in ds.values():
        f.close()


class SourceRefs:
    """Source-side reference numbers recomputed from the original files (--sources)."""

    def __init__(self, root, models):
        self.src = mk.Sources(root)
        self.models = models
        self.cache = {}

    def get(self, key, res, extra=None):
        cfg = tomllib.loads((self.models / f"{res}.toml").read_text())
        R = float(cfg["planet"]["radius"])
        if key == "land_fraction_etopo5_sphere":
            e = mk.read_etopo5(self.src, R)
            area = e["grid"].area()
            return float(np.sum(area * (e["rose"] >= 0)) / area.sum())
        if key == "land_fraction_etopo5_ocean_band":
            e = mk.read_etopo5(self.src, R)
            r = mk.Remap(extra, e["grid"])
            ocean = r.integral((e["rose"] < 0).astype(float))
            return 1.0 - float(ocean.sum() / extra.area().sum())
        if key == "sst_gaussian_source_same_mask_K":
            gauss, of = extra
            if res == "t31":
                sst, _ = mk.read_jcm_gaussian(self.src.open("t30_sst"), "sst", gauss, "t30")
                valid = np.isfinite(sst)
            else:
                ds = self.src.open("t63_forcing")
                sst, _ = mk.read_jcm_gaussian(ds, "sst", gauss, "t63")
                lsm, _ = mk.read_jcm_gaussian(ds, "lsm", gauss, "t63")
                valid = np.broadcast_to(lsm < 1.0, sst.shape)
            w = (of * gauss.area())[None] * valid * (of > 0)[None]
            floor = np.maximum(np.nan_to_num(sst), mk.T_FREEZE_SEA)
            return float(np.sum(floor * w) / np.sum(w))
        if key == "levitus_same_volume":
            # For each model layer: Levitus native cells (own level edges) times their overlap
            # with the model's wet cells of that layer; layer means weighted by model volumes.
            ogrid, kbot, z_w = extra
            lev = mk.read_levitus(self.src, R)
            ze = lev["z_edges"]
            t = lev["temp"]
            ok = np.isfinite(t) & np.isfinite(lev["salt"])
            use = np.cumprod(ok, axis=0).astype(bool)
            r = mk.Remap(ogrid, lev["grid"])
            a_t = [r.integral(np.where(use[l], t[l], 0.0)) for l in range(len(ze) - 1)]
            a_v = [r.integral(use[l].astype(float)) for l in range(len(ze) - 1)]
            area = ogrid.area()
            num_tot = vol_tot = 0.0
            for k in range(len(z_w) - 1):
                wk = kbot > k
                num = den = 0.0
                for l in range(len(ze) - 1):
                    ov = max(0.0, min(z_w[k + 1], ze[l + 1]) - max(z_w[k], ze[l]))
                    if ov > 0:
                        num += ov * float(np.sum(a_t[l][wk]))
                        den += ov * float(np.sum(a_v[l][wk]))
                if den > 0:
                    v = float(np.sum(area[wk])) * (z_w[k + 1] - z_w[k])
                    num_tot += v * num / den
                    vol_tot += v
            return num_tot / vol_tot
        raise KeyError(key)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parent,
                    help="directory holding t31/ and t63/ (default: models/data)")
    ap.add_argument("--models", type=Path, default=Path(__file__).resolve().parent.parent,
                    help="directory holding <res>.toml (default: models/)")
    ap.add_argument("--sources", type=Path, default=None,
                    help="recompute the source-side references from these sources")
    ap.add_argument("--resolutions", nargs="+", default=["t31", "t63"])
    args = ap.parse_args(argv)
    ck = Checker()
    sources = SourceRefs(args.sources, args.models) if args.sources else None
    for res in args.resolutions:
        check_resolution(res, args.data, args.models, ck, sources)
    print(f"{ck.passed} passed, {ck.failed} failed")
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
