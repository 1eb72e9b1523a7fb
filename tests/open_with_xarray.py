"""Opens every NetCDF output file of a Chronos run folder with xarray, decoding times, and
checks the time axis: `noleap` cftime dates, strictly increasing, inside their bounds, each
record a calendar month (or the part of one a short run covers).

Usage: venv/bin/python tests/open_with_xarray.py RUN_FOLDER   (exit status 1 on a failure)
"""
import glob
import os
import sys

import cftime
import xarray as xr

folder = sys.argv[1]
files = sorted(
    f for f in glob.glob(os.path.join(folder, "*.nc")) if not os.path.basename(f).startswith("restart_")
)
if not files:
    sys.exit(f"no output files in {folder}")
for f in files:
    with xr.open_dataset(f, decode_times=True, use_cftime=True) as ds:
        t = ds["time"].values
        assert len(t) > 0, f"{f}: no records"
        assert all(isinstance(x, cftime.DatetimeNoLeap) for x in t), f"{f}: times {t!r} are not noleap dates"
        assert all(a < b for a, b in zip(t[:-1], t[1:])), f"{f}: times not increasing"
        b = ds["time_bnds"].values
        for x, (lo, hi) in zip(t, b):
            assert lo <= x <= hi, f"{f}: time {x} outside its bounds {lo}..{hi}"
            assert lo.day == 1 and lo.hour == 0, f"{f}: record starts at {lo}, not at a month start"
            assert (hi.year, hi.month) in [(lo.year, lo.month), (lo.year + (lo.month == 12), lo.month % 12 + 1)], (
                f"{f}: record {lo}..{hi} is longer than a month"
            )
        names = [v for v in ds.data_vars if v != "time_bnds" and not v.endswith("_bnds")]
        for v in names:
            assert ds[v].dims[0] == "time", f"{f}: {v} has dims {ds[v].dims}"
        print(f"{os.path.basename(f)}: {len(t)} records {t[0]}..{t[-1]}, {len(names)} variables")
print("xarray opened every file with decoded noleap times")
