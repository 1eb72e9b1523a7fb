#!/usr/bin/env python3
"""Annual means of a coupled run (`chronos run experiments/control.toml`): SAT, SST, TOA, ocean heat uptake,
AMOC, Drake, sea ice in March and September, budget residuals. Usage: venv/bin/python notebooks/coupled_report.py OUTDIR"""
import netCDF4 as n, numpy as np, sys
d = n.Dataset(sys.argv[1] + '/coupled_global.nc')
t = d['time'][:]
nm = len(t)
print(f"{nm} months")
v = {k: np.array(d[k][:]) for k in d.variables if k not in ('time', 'time_bnds')}
for y in range(nm // 12):
    s = slice(12 * y, 12 * y + 12)
    print(f"year {y+1}: SAT {v['tas'][s].mean():.2f} K, SST {v['sst'][s].mean():.2f} C, TOA {v['toa_net'][s].mean():+.2f}, "
          f"ocean uptake {v['ocean_heat_uptake'][s].mean():+.2f} W/m2, AMOC {v['amoc_26n'][s].mean():.1f} Sv, Drake {v['drake'][s].mean():.0f} Sv, "
          f"P {v['pr'][s].mean()*86400:.2f} mm/day, mean theta {v['thetao_mean'][s][-1]:.4f} C, "
          f"ice N Mar {v['siarea_n'][s][2]:.2f} Sep {v['siarea_n'][s][8]:.2f}, S Mar {v['siarea_s'][s][2]:.2f} Sep {v['siarea_s'][s][8]:.2f} (1e6 km2), "
          f"energy residual {v['energy_residual'][s].mean():+.4f}, max |water| {abs(v['water_residual'][s]).max():.1e}, max |salt| {abs(v['salt_residual'][s]).max():.1e}, SYPD median {np.median(v['sypd'][s]):.0f}")
for k in range(nm):
    print(k + 1, f"SAT {v['tas'][k]:.2f} SST {v['sst'][k]:.2f} TOA {v['toa_net'][k]:+.1f} iceN {v['siarea_n'][k]:.2f} iceS {v['siarea_s'][k]:.2f} AMOC {v['amoc_26n'][k]:.1f} theta {v['thetao_mean'][k]:.4f}")
