#!/usr/bin/env python3
"""Global and zonal annual means of an atmosphere-only run (`chronos run experiments/atmos_only.toml`):
TOA budget, clear-sky fluxes, cloud cover, surface air and 500-hPa temperature, ITCZ and jets.
Usage: venv/bin/python notebooks/amip_zonal.py OUTDIR"""
import sys, numpy as np, netCDF4 as nc
d = nc.Dataset(sys.argv[1] + '/atmos_monthly.nc')
lat = d['lat'][:]; w = np.cos(np.radians(lat)); w /= w.sum()
def zm(v): return d[v][:].mean(axis=(0, 2))
def gm(v): return (zm(v) * w).sum()
names = ['rlut', 'rlutcs', 'rsut', 'rsutcs', 'rsdt', 'clt', 'tas', 'ta500', 'pr']
print('global annual: ' + ', '.join(f'{n} {gm(n):.3g}' for n in names if n in d.variables))
print('TOA net %.2f  LW CRE %.1f  SW CRE %.1f' % (gm('rsdt') - gm('rsut') - gm('rlut'), gm('rlutcs') - gm('rlut'), gm('rsutcs') - gm('rsut')))
net = zm('rsdt') - zm('rsut') - zm('rlut')
print(' lat   net   rlut  rlutcs  rsut  rsutcs  clt   tas   ta500')
for j in range(0, len(lat), 3):
    print(f"{lat[j]:6.1f} {net[j]:6.1f} {zm('rlut')[j]:6.1f} {zm('rlutcs')[j]:6.1f} {zm('rsut')[j]:6.1f} {zm('rsutcs')[j]:6.1f} {zm('clt')[j]:5.2f} {zm('tas')[j]:6.1f} {zm('ta500')[j]:6.1f}")
pr = d['pr'][:] * 86400
zpr = pr.mean(axis=(0, 2)); j = zpr.argmax()
print(f'ITCZ annual {zpr[j]:.2f} mm/day at {lat[j]:.1f}')
for name, months in (('DJF', [11, 0, 1]), ('JJA', [5, 6, 7])):
    if pr.shape[0] >= 12:
        z = pr[months].mean(axis=(0, 2)); print(f'  {name} max at {lat[z.argmax()]:.1f}')
ua = d['ua300'][:].mean(axis=(0, 2))
n = lat > 0
print(f'jets: {ua[n].max():.1f} m/s at {lat[n][ua[n].argmax()]:.1f}N, {ua[~n].max():.1f} at {lat[~n][ua[~n].argmax()]:.1f}')
print(f'global pr {(zpr*w).sum():.3f} mm/day')
for v in ('hfss', 'hfls'):
    if v in d.variables:
        print(f'global {v} {gm(v):.2f} W m-2')
tas = zm('tas')
print(f'tas north of 60N {tas[lat > 60].mean():.2f} K, south of 60S {tas[lat < -60].mean():.2f} K')
g = nc.Dataset(sys.argv[1] + '/atmos_global.nc')
print(f"energy budget residual, mean {np.mean(g['energy_residual'][:]):+.3f} W m-2")
