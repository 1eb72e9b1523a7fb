#!/usr/bin/env python3
"""Annual means and drifts of coupled runs (`chronos run experiments/spinup.toml`, `control.toml`, ...):
SAT, SST, deep-ocean temperature, TOA, ocean heat uptake, AMOC, Drake, sea ice in March and September,
budget residuals, from each run folder's `global.nc`; then the drift per century of the annual means
(least-squares line over the complete years; with fewer than two years, none).

Usage: venv/bin/python notebooks/coupled_report.py RUN_FOLDER [RUN_FOLDER ...]"""
import sys

import netCDF4 as n
import numpy as np


def report(folder):
    d = n.Dataset(folder + "/global.nc")
    v = {k: np.array(d[k][:]) for k in d.variables if k not in ("time", "time_bnds")}
    nm = len(d["time"][:])
    print(f"== {folder} ({d.getncattr('experiment')}: {d.getncattr('experiment_description')}): {nm} months")
    years = nm // 12
    annual = {k: [] for k in ("tas", "sst", "thetao_deep", "thetao_mean", "toa_net", "ocean_heat_uptake", "amoc_26n")}
    for y in range(years):
        s = slice(12 * y, 12 * y + 12)
        for k in annual:
            annual[k].append(v[k][s].mean())
        print(
            f"year {y+1}: SAT {v['tas'][s].mean():.2f} K, SST {v['sst'][s].mean():.2f} C, "
            f"deep (>2000 m) {v['thetao_deep'][s].mean():.4f} C, mean theta {v['thetao_mean'][s].mean():.4f} C, "
            f"TOA {v['toa_net'][s].mean():+.2f}, ocean uptake {v['ocean_heat_uptake'][s].mean():+.2f} W/m2, "
            f"AMOC {v['amoc_26n'][s].mean():.1f} Sv, Drake {v['drake'][s].mean():.0f} Sv, P {v['pr'][s].mean()*86400:.2f} mm/day, "
            f"ice N Mar {v['siarea_n'][s][2]:.2f} Sep {v['siarea_n'][s][8]:.2f}, S Mar {v['siarea_s'][s][2]:.2f} Sep {v['siarea_s'][s][8]:.2f} (1e6 km2), "
            f"energy residual {v['energy_residual'][s].mean():+.4f} W/m2, max |water| {abs(v['water_residual'][s]).max():.1e}, "
            f"max |salt| {abs(v['salt_residual'][s]).max():.1e}"
        )
    if years >= 2:
        t = np.arange(years)
        for k, unit in (("sst", "K"), ("thetao_deep", "K"), ("thetao_mean", "K"), ("tas", "K"), ("toa_net", "W/m2"), ("amoc_26n", "Sv")):
            slope = np.polyfit(t, np.array(annual[k]), 1)[0]
            print(f"drift of annual-mean {k}: {100 * slope:+.2f} {unit} per century (fit over {years} years)")
    if nm % 12:
        s = slice(12 * years, nm)
        print(f"partial year ({nm % 12} months): SAT {v['tas'][s].mean():.2f} K, SST {v['sst'][s].mean():.2f} C, "
              f"TOA {v['toa_net'][s].mean():+.2f} W/m2, AMOC {v['amoc_26n'][s].mean():.1f} Sv")


for f in sys.argv[1:]:
    report(f)
