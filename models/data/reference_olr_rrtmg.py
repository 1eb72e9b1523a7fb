#!/usr/bin/env python3
"""Clear-sky OLR of QTCM1 reference-like columns with RRTMG-LW.

RRTMG comes from climt's PyPI wheel (compiled _rrtmg_lw); climlab 0.9.2 from PyPI
is pure Python and needs `climlab_rrtmg`, which is conda-forge only.
Run with:  python3 models/data/reference_olr_rrtmg.py  (in a venv with climt installed)
(venv: pip install climlab climt six  -- climt-0.31.0 cp311 manylinux wheel)
"""
import sys
import numpy as np
from climt._components.rrtmg.lw.component import RRTMGLongwave

# ---------------- QTCM1 T1cTableIn (convection.rs TABLE) ----------------
TAB = np.array([
    [1000, 0.85, 302.0, 0.302], [950, 0.8353, 297.648, 0.2976],
    [900, 0.8206, 293.085, 0.2931], [850, 0.8059, 291.018, 0.3032],
    [800, 0.7912, 288.798, 0.3150], [700, 0.7618, 283.782, 0.3445],
    [600, 0.7324, 277.725, 0.3863], [500, 0.7029, 270.063, 0.4486],
    [400, 0.6735, 259.692, 0.5451], [300, 0.6441, 244.310, 0.6780],
    [200, 0.6147, 219.906, 0.7456]])
TP, TALPHA, TTSAT, TA1 = TAB.T
LNTP = np.log(TP[::-1])

def tab(col, p):
    """log-p linear interpolation of a table column (p >= 200 hPa)."""
    return np.interp(np.log(p), LNTP, col[::-1])

# McClatchey (1972) tropical: p hPa, T K, air density g/m3, O3 density g/m3
MC_P = np.array([1013, 904, 805, 713, 633, 559, 492, 432, 378, 329, 286, 247, 213, 182, 156, 132, 111, 93.7,
                 78.9, 66.6, 56.5, 48, 40.9, 35, 30, 25.7, 12.2, 6., 3.05, 1.59, 0.854])
MC_T = np.array([300, 294, 288, 284, 277, 270, 264, 257, 250, 244, 237, 230, 224, 217, 210, 204, 197, 195,
                 199, 203, 207, 211, 215, 217, 219, 221, 232, 243, 254, 265, 270.])
MC_RHO = np.array([1167, 1064., 968.9, 875.6, 795.1, 719.9, 650.1, 585.5, 525.8, 470.8, 420.2, 374, 331.6,
                   292.9, 257.8, 226, 197.2, 167.6, 138.2, 114.5, 95.15, 79.38, 66.45, 56.18, 47.63, 40.45,
                   18.31, 8.6, 4.181, 2.097, 1.101])
MC_O3 = np.array([5.6e-5, 5.6e-5, 5.4e-5, 5.1e-5, 4.7e-5, 4.5e-5, 4.3e-5, 4.1e-5, 3.9e-5, 3.9e-5, 3.9e-5,
                  4.1e-5, 4.3e-5, 4.5e-5, 4.5e-5, 4.7e-5, 4.7e-5, 6.9e-5, 9e-5, 1.4e-4, 1.9e-4, 2.4e-4,
                  2.8e-4, 3.2e-4, 3.4e-4, 3.4e-4, 2.4e-4, 9.2e-5, 4.1e-5, 1.3e-5, 4.3e-6])
MC_O3VMR = (MC_O3 / 48.0) / (MC_RHO / 28.964)

def mc(arr, p):
    return np.interp(np.log(p), np.log(MC_P[::-1]), arr[::-1])

def o3_climt(p):
    """climt's default ozone profile (its _data/ozone_profile.npy, 30 pts 998..1 hPa)."""
    import importlib_resources
    f = importlib_resources.files("climt._data").joinpath("ozone_profile.npy")
    ref = np.load(str(f))
    pref = 1000.0 * np.linspace(0.998, 0.001, 30)
    return np.interp(p, pref[::-1], ref[::-1])

def esat(T):  # hPa, Tetens/Bolton over water
    Tc = T - 273.15
    return 6.108 * np.exp(17.27 * Tc / (237.3 + Tc))

def qsat(T, p):
    e = esat(T)
    return 0.622 * e / (p - 0.378 * e)

EPS_V = 18.015 / 28.964

def column(T1=0.0, alpha_scale=1.0, dT=0.0, Ttp=195.0, ptp=100.0, strat="mcc",
           h2o_strat_ppmv=4.0, mid_floor=None):
    """Return functions T(p), q(p) for the column.
    T = Tsat + a1*T1 + dT for p>=200 hPa; above: log-p linear to (ptp, Ttp+dT), then
    stratosphere = McClatchey tropical shifted by (Ttp-195) ('mcc') or isothermal ('iso').
    mid_floor: midlatitude option: T = max(T, mid_floor) above 400 hPa (tropopause cap).
    q = alpha*qsat for p>=200; above: q log-linear from q(200) to strat value at ptp,
    capped by alpha(200)*qsat; constant stratospheric vmr above ptp."""
    def T(p):
        p = np.asarray(p, float)
        T200 = TTSAT[-1] + TA1[-1] * T1 + dT
        Ttrop = tab(TTSAT, np.maximum(p, 200)) + tab(TA1, np.maximum(p, 200)) * T1 + dT
        # 200 -> ptp
        w = (np.log(200.0) - np.log(p)) / (np.log(200.0) - np.log(ptp))
        Tup = T200 + (Ttp + dT - T200) * np.clip(w, 0, 1)
        if strat == "mcc":
            Tst = mc(MC_T, p) - 195.0 + Ttp + dT
            Tst = np.maximum(Tst, Ttp + dT)
        else:
            Tst = np.full_like(p, Ttp + dT)
        out = np.where(p >= 200, Ttrop, np.where(p >= ptp, Tup, Tst))
        if mid_floor is not None:
            out = np.where(p < 400, np.maximum(out, mid_floor + dT), out)
            # midlatitude: warming stratosphere above 50 hPa like US-std/MLS
            out = np.where(p < 50, np.maximum(out, mid_floor + dT + 8.0 * np.log(50.0 / np.maximum(p, 1e-3))), out)
        return out

    qst = h2o_strat_ppmv * 1e-6 * EPS_V
    def q(p):
        p = np.asarray(p, float)
        Tp = T(p)
        a = np.clip(tab(TALPHA, np.maximum(p, 200)) * alpha_scale, 0, 1)
        qlow = a * qsat(Tp, p)
        q200 = TALPHA[-1] * alpha_scale * qsat(T(np.array([200.0]))[0], 200.0)
        w = (np.log(200.0) - np.log(p)) / (np.log(200.0) - np.log(ptp))
        qup = np.exp(np.log(q200) + (np.log(qst) - np.log(q200)) * np.clip(w, 0, 1))
        qup = np.minimum(qup, TALPHA[-1] * alpha_scale * qsat(Tp, p))
        qup = np.maximum(qup, qst)
        return np.where(p >= 200, qlow, np.where(p >= ptp, qup, qst))
    return T, q


def grid(ps=1000.0, ptop=0.5, n_trop=36, n_strat=14):
    pi_t = np.linspace(ps, 100.0, n_trop + 1)
    pi_s = np.exp(np.linspace(np.log(100.0), np.log(ptop), n_strat + 1))[1:]
    pint = np.concatenate([pi_t, pi_s])
    pmid = 0.5 * (pint[:-1] + pint[1:])
    pmid[-1] = np.sqrt(pint[-2] * pint[-1]) if pint[-1] > 0 else pint[-2] / 2
    return pmid, pint

_LW = None
def lw():
    global _LW
    if _LW is None:
        _LW = RRTMGLongwave(calculate_interface_temperature=False)
    return _LW

def olr(T, q, Ts, co2=330e-6, ch4=0.0, n2o=0.0, o3="mcc", grid_kw=None, full=False):
    pmid, pint = grid(**(grid_kw or {}))
    n = pmid.size
    c = lambda v: np.full((n, 1), v, float)
    if o3 == "mcc":
        o3v = mc(MC_O3VMR, pmid)
    elif o3 == "climt":
        o3v = o3_climt(pmid)
    else:
        o3v = np.zeros(n)
    st = {
        "air_pressure": pmid[:, None].copy(),
        "air_pressure_on_interface_levels": pint[:, None].copy(),
        "air_temperature": T(pmid)[:, None].copy(),
        "air_temperature_on_interface_levels": T(pint)[:, None].copy(),
        "surface_temperature": np.array([Ts], float),
        "specific_humidity": q(pmid)[:, None].copy(),
        "mole_fraction_of_ozone_in_air": o3v[:, None].copy(),
        "mole_fraction_of_carbon_dioxide_in_air": c(co2),
        "mole_fraction_of_methane_in_air": c(ch4),
        "mole_fraction_of_nitrous_oxide_in_air": c(n2o),
        "mole_fraction_of_oxygen_in_air": c(0.21),
        "mole_fraction_of_cfc11_in_air": c(0), "mole_fraction_of_cfc12_in_air": c(0),
        "mole_fraction_of_cfc22_in_air": c(0),
        "mole_fraction_of_carbon_tetrachloride_in_air": c(0),
        "surface_longwave_emissivity": np.ones((16, 1)),
        "cloud_area_fraction_in_atmosphere_layer": c(0),
        "longwave_optical_thickness_due_to_cloud": np.zeros((n, 1, 16)),
        "mass_content_of_cloud_ice_in_atmosphere_layer": c(0),
        "mass_content_of_cloud_liquid_water_in_atmosphere_layer": c(0),
        "cloud_ice_particle_size": c(20.0), "cloud_water_droplet_radius": c(10.0),
        "longwave_optical_thickness_due_to_aerosol": np.zeros((16, n, 1)),
    }
    _, d = lw().array_call(st)
    up = d["upwelling_longwave_flux_in_air_assuming_clear_sky"][:, 0]
    if full:
        return up[-1], st, d
    return up[-1]

def pw(q, ps=1000.0):
    pmid, pint = grid(ps=ps)
    return np.sum(q(pmid) * (pint[:-1] - pint[1:]) * 100.0 / 9.81)

GAS = {"CO2 330, CH4/N2O=0": dict(co2=330e-6),
       "CO2 330, CH4 1650 ppb, N2O 306 ppb": dict(co2=330e-6, ch4=1650e-9, n2o=306e-9),
       "CO2 280, CH4/N2O=0": dict(co2=280e-6),
       "CO2 280, CH4/N2O dflt": dict(co2=280e-6, ch4=1650e-9, n2o=306e-9),
       "CO2 400, CH4/N2O=0": dict(co2=400e-6),
       "CO2 400, CH4/N2O dflt": dict(co2=400e-6, ch4=1650e-9, n2o=306e-9)}

def main():
    REF = 264.9
    Ts0 = 302.26
    rows = []
    def rep(label, val, extra=""):
        print(f"{label:58s} {val:7.2f}  dF={val-REF:+6.2f} {extra}")
        sys.stdout.flush()

    print("== Reference column (Ts=302.26, ps=1000, McClatchey trop O3, Ttp=195 K @100 hPa) ==")
    for T1 in (0.0, -3.0):
        T, q = column(T1=T1)
        print(f"-- T1={T1:+.0f} K  precipitable water {pw(q):.1f} kg/m2")
        for g, kw in GAS.items():
            rep(f"  T1={T1:+.0f}  {g}", olr(T, q, Ts0, **kw))

    print("== Sensitivities, T1=0, CO2 330, CH4/N2O=0 unless said ==")
    T, q = column()
    base = olr(T, q, Ts0)
    rep("  base", base)
    rep("  O3 = climt default profile", olr(T, q, Ts0, o3="climt"))
    rep("  O3 = 0", olr(T, q, Ts0, o3="none"))
    for Ttp in (190.0, 200.0):
        T2, q2 = column(Ttp=Ttp)
        rep(f"  tropopause+strat T {Ttp:.0f} K (shifted)", olr(T2, q2, Ts0))
    T2, q2 = column(strat="iso")
    rep("  isothermal 195 K stratosphere", olr(T2, q2, Ts0))
    T2, q2 = column(ptp=90.0, Ttp=192.0)
    rep("  tropopause 192 K @ 90 hPa", olr(T2, q2, Ts0))
    for h in (3.0, 5.0):
        T2, q2 = column(h2o_strat_ppmv=h)
        rep(f"  strat H2O {h:.0f} ppmv", olr(T2, q2, Ts0))
    rep("  Ts = T(1000 hPa) = 302.0 K", olr(T, q, 302.0))
    rep("  finer grid (72+28 layers)", olr(T, q, Ts0, grid_kw=dict(n_trop=72, n_strat=28)))
    rep("  coarse grid (18+8 layers)", olr(T, q, Ts0, grid_kw=dict(n_trop=18, n_strat=8)))
    rep("  top at 0.1 hPa", olr(T, q, Ts0, grid_kw=dict(ptop=0.1, n_strat=20)))
    for s in (1.1, 0.9, 0.8, 0.7, 0.6):
        T2, q2 = column(alpha_scale=s)
        rep(f"  alpha x {s} (PW {pw(q2):.1f})", olr(T2, q2, Ts0))
        rep(f"  alpha x {s} + CH4/N2O dflt", olr(T2, q2, Ts0, ch4=1650e-9, n2o=306e-9))

    print("== dOLR/dTs, fixed RH, +1 K everywhere (T, Ts, tropopause, strat) ==")
    for kw in (dict(co2=330e-6), dict(co2=330e-6, ch4=1650e-9, n2o=306e-9)):
        T1_, q1_ = column(dT=1.0)
        o1 = olr(T1_, q1_, Ts0 + 1.0, **kw)
        o0 = olr(T, q, Ts0, **kw)
        print(f"  {kw}: OLR {o0:.2f} -> {o1:.2f}  dOLR/dTs = {o1-o0:.2f} W/m2/K")
        Tm, qm = column(dT=-1.0)
        om = olr(Tm, qm, Ts0 - 1.0, **kw)
        print(f"     centred (+-1 K): {(o1-om)/2:.2f} W/m2/K")
    # troposphere-only warming (strat fixed)
    def Tt(p, _T=T):
        return _T(p) + np.where(np.asarray(p) >= 100.0, 1.0, 0.0)
    T1_, q1_ = column(dT=1.0)
    # recompute q at fixed RH with T+1 in troposphere only
    def qt(p):
        p = np.asarray(p, float)
        return np.where(p >= 100.0, q1_(p), q(p))
    o1 = olr(Tt, qt, Ts0 + 1.0)
    print(f"  troposphere-only +1 K (p>=100 hPa), fixed RH: dOLR/dTs = {o1-base:.2f}")
    # fixed q (not fixed RH) for reference
    o1 = olr(T1_, q, Ts0 + 1.0)
    print(f"  fixed specific humidity (+1 K all): dOLR/dTs = {o1-base:.2f}")

    print("== Other columns (CO2 330) ==")
    T, q = column(T1=-15.0, alpha_scale=0.6)
    print(f"  subtropical dry: T1=-15, alpha*0.6, Ts=298: PW={pw(q):.1f} kg/m2")
    for g in ("CO2 330, CH4/N2O=0", "CO2 330, CH4 1650 ppb, N2O 306 ppb"):
        rep(f"    {g}", olr(T, q, 298.0, **GAS[g]))
    T, q = column(T1=-40.0)
    print(f"  midlat QTCM-literal: T1=-40, Ts=285 (T200={T(np.array([200.]))[0]:.1f} K; tropical-style top): PW={pw(q):.1f}")
    for g in ("CO2 330, CH4/N2O=0", "CO2 330, CH4 1650 ppb, N2O 306 ppb"):
        rep(f"    {g}", olr(T, q, 285.0, **GAS[g]))
    T, q = column(T1=-40.0, mid_floor=216.5)
    print(f"  midlat w/ 216.5 K tropopause floor (p<400) + MLS-like strat: PW={pw(q):.1f}")
    for g in ("CO2 330, CH4/N2O=0", "CO2 330, CH4 1650 ppb, N2O 306 ppb"):
        rep(f"    {g}", olr(T, q, 285.0, **GAS[g]))
        rep(f"    {g} (climt O3)", olr(T, q, 285.0, o3="climt", **GAS[g]))

MC_WV = np.array([19., 13., 9.3, 4.7, 2.2, 1.5, 0.85, 0.47, 0.25, 0.12, 0.05, 0.017, 0.006, 0.0018, 0.001,
                  0.00076, 0.00064, 0.00056, 0.0005, 0.00049, 0.00045, 0.00051, 0.00051, 0.00054, 0.0006,
                  0.00067, 0.00036, 0.00011, 0.000043, 0.000019, 0.0000063])

def validation():
    """Wrapper check: McClatchey tropical standard atmosphere, Ts=300 K, ps=1013."""
    qmc = MC_WV / MC_RHO
    T = lambda p: mc(MC_T, np.asarray(p, float))
    q = lambda p: np.exp(mc(np.log(qmc), np.asarray(p, float)))
    for kw, lab in ((dict(co2=330e-6), "CO2 330 only"),
                    (dict(co2=355e-6, ch4=1.7e-6, n2o=0.31e-6), "CO2 355, CH4 1.7 ppm, N2O 310 ppb")):
        v = olr(T, q, 300.0, grid_kw=dict(ps=1013.0), **kw)
        print(f"  McClatchey tropical (Ts=300): {lab:36s} OLR = {v:.2f}")

_SW = None
def asr(T, q, Ts, mu=np.pi / 4, insol=418.0, albedo=0.06, co2=330e-6, ch4=0.0, n2o=0.0):
    """Clear-sky ASR: RRTMG-SW at one zenith (mu), result scaled to mean insolation `insol`."""
    import datetime
    global _SW
    from climt._components.rrtmg.sw.component import RRTMGShortwave
    if _SW is None:
        _SW = RRTMGShortwave(ignore_day_of_year=True)
    pmid, pint = grid()
    n = pmid.size
    c = lambda v: np.full((n, 1), v, float)
    st = {
        "time": datetime.datetime(2000, 3, 21),
        "air_pressure": pmid[:, None].copy(),
        "air_pressure_on_interface_levels": pint[:, None].copy(),
        "air_temperature": T(pmid)[:, None].copy(),
        "specific_humidity": q(pmid)[:, None].copy(),
        "mole_fraction_of_ozone_in_air": mc(MC_O3VMR, pmid)[:, None].copy(),
        "mole_fraction_of_carbon_dioxide_in_air": c(co2),
        "mole_fraction_of_methane_in_air": c(ch4),
        "mole_fraction_of_nitrous_oxide_in_air": c(n2o),
        "mole_fraction_of_oxygen_in_air": c(0.21),
        "mass_content_of_cloud_ice_in_atmosphere_layer": c(0),
        "mass_content_of_cloud_liquid_water_in_atmosphere_layer": c(0),
        "cloud_ice_particle_size": c(20.0), "cloud_water_droplet_radius": c(10.0),
        "cloud_area_fraction_in_atmosphere_layer": c(0),
        "surface_temperature": np.array([Ts], float),
        "zenith_angle": np.array([np.arccos(mu)]),
        "surface_albedo_for_direct_shortwave": np.array([albedo]),
        "surface_albedo_for_direct_near_infrared": np.array([albedo]),
        "surface_albedo_for_diffuse_near_infrared": np.array([albedo]),
        "surface_albedo_for_diffuse_shortwave": np.array([albedo]),
        "shortwave_optical_thickness_due_to_cloud": np.zeros((n, 1, 14)),
        "shortwave_optical_thickness_due_to_aerosol": np.zeros((14, n, 1)),
        "single_scattering_albedo_due_to_cloud": np.zeros((n, 1, 14)),
        "single_scattering_albedo_due_to_aerosol": np.zeros((14, n, 1)),
        "cloud_asymmetry_parameter": np.zeros((n, 1, 14)),
        "aerosol_asymmetry_parameter": np.zeros((14, n, 1)),
        "cloud_forward_scattering_fraction": np.zeros((n, 1, 14)),
        "aerosol_optical_depth_at_55_micron": np.zeros((6, n, 1)),
        "solar_cycle_fraction": np.array(0.0),
        "flux_adjustment_for_earth_sun_distance": np.array(1.0),
    }
    _, d = _SW.array_call(st)
    dn = d["downwelling_shortwave_flux_in_air_assuming_clear_sky"][-1, 0]
    up = d["upwelling_shortwave_flux_in_air_assuming_clear_sky"][-1, 0]
    return (1 - up / dn) * insol, up / dn, dn

def sw_part():
    print("== Clear-sky SW (RRTMG-SW, mu=pi/4, ocean albedo 0.06, scaled to 418 W/m2 insolation) ==")
    for lab, (T, q), Ts in (("ref T1=0", column(), 302.26), ("ref T1=-3", column(T1=-3.0), 302.26),
                            ("subtrop dry", column(T1=-15.0, alpha_scale=0.6), 298.0)):
        a, alb, dn = asr(T, q, Ts)
        print(f"  {lab:12s} TOA down {dn:7.1f}  clear-sky planetary albedo {alb:.4f}  ASR(418) = {a:.1f}")

if __name__ == "__main__":
    print("== Wrapper validation ==")
    validation()
    sw_part()
    main()
