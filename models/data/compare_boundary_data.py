#!/usr/bin/env python3
"""Compare regenerated boundary data with the committed files, variable by variable.

    python models/data/compare_boundary_data.py NEW_DIR [--ref models/data] [--sums FILE]

For every file listed in SHA256SUMS (default models/data/SHA256SUMS) the SHA-256 of
NEW_DIR/<file> is compared with the listed one. For a file that differs, the file is opened
next to the committed copy REF/<file> and every difference is printed: dimensions, global
and variable attributes, and for each variable whose values differ the number of differing
elements, the maximum absolute and relative difference and where (indices and the lat/lon/
depth/time of the element; relative to the larger magnitude of the two); sanity.txt is
compared key by key. The last line says how many files differ; the exit status is 1 when
any does (or is missing), else 0.

Also: `--self` first checks that the committed files themselves match SHA256SUMS.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import netCDF4
import numpy as np

HERE = Path(__file__).resolve().parent


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_sums(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            digest, name = line.split(None, 1)
            out.append((name.lstrip("*").strip(), digest))
    return out


def where(ds, var, idx) -> str:
    """'time=3 lat=-61.25 lon=300.0' style description of an element."""
    parts = []
    for dim, k in zip(var.dimensions, idx):
        if dim in ds.variables and ds[dim].ndim == 1 and dim != "bnds":
            parts.append(f"{dim}[{k}]={float(ds[dim][k]):g}")
        else:
            parts.append(f"{dim}[{k}]")
    return " ".join(parts) or "scalar"


def attr_equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    return type(a) is type(b) and a == b


def compare_nc(new: Path, ref: Path, out: list[str]) -> None:
    a = netCDF4.Dataset(new)
    b = netCDF4.Dataset(ref)
    for ds in (a, b):
        ds.set_auto_maskandscale(False)
    try:
        da = {k: len(v) for k, v in a.dimensions.items()}
        db = {k: len(v) for k, v in b.dimensions.items()}
        if da != db:
            out.append(f"    dimensions differ: new {da}, committed {db}")
        for k in sorted(set(a.ncattrs()) | set(b.ncattrs())):
            va, vb = getattr(a, k, None), getattr(b, k, None)
            if va is None or vb is None or not attr_equal(va, vb):
                out.append(f"    global attribute {k!r} differs: new {str(va)[:120]!r}, "
                           f"committed {str(vb)[:120]!r}")
        names = list(b.variables) + [n for n in a.variables if n not in b.variables]
        for name in names:
            if name not in a.variables or name not in b.variables:
                out.append(f"    variable {name}: only in "
                           f"{'the committed file' if name in b.variables else 'the new file'}")
                continue
            va, vb = a[name], b[name]
            if va.dtype != vb.dtype or va.dimensions != vb.dimensions or va.shape != vb.shape:
                out.append(f"    variable {name}: type/shape differ: new {va.dtype}{va.shape} "
                           f"{va.dimensions}, committed {vb.dtype}{vb.shape} {vb.dimensions}")
                continue
            for k in sorted(set(va.ncattrs()) | set(vb.ncattrs())):
                x, y = getattr(va, k, None), getattr(vb, k, None)
                if x is None or y is None or not attr_equal(x, y):
                    out.append(f"    variable {name}: attribute {k!r} differs: new "
                               f"{str(x)[:100]!r}, committed {str(y)[:100]!r}")
            xa, xb = np.asarray(va[:]), np.asarray(vb[:])
            if xa.tobytes() == xb.tobytes():
                continue
            fill = getattr(vb, "_FillValue", None)
            if xa.dtype.kind == "f":
                fa = np.isnan(xa) | ((xa == fill) if fill is not None else False)
                fb = np.isnan(xb) | ((xb == fill) if fill is not None else False)
                both = ~fa & ~fb
                diff = np.zeros(xa.shape)
                diff[both] = np.abs(xa[both].astype(np.float64) - xb[both].astype(np.float64))
                ndiff = int(np.count_nonzero(diff)) + int(np.count_nonzero(fa != fb))
                msg = (f"    variable {name} ({xa.dtype}, {xa.size} values): {ndiff} differ")
                if np.count_nonzero(fa != fb):
                    k = np.unravel_index(np.argmax(fa != fb), xa.shape)
                    msg += (f"; {int(np.count_nonzero(fa != fb))} are fill/NaN in only one file "
                            f"(first at {where(b, vb, k)})")
                if diff.any():
                    k = np.unravel_index(np.argmax(diff), xa.shape)
                    den = np.maximum(np.abs(xa.astype(np.float64)), np.abs(xb.astype(np.float64)))
                    rel = np.where(both & (den > 0), diff / np.where(den > 0, den, 1.0), 0.0)
                    r = np.unravel_index(np.argmax(rel), xa.shape)
                    msg += (f"; max |difference| {diff[k]:.3e} at {where(b, vb, k)} (new "
                            f"{float(xa[k])!r}, committed {float(xb[k])!r}); max relative "
                            f"difference {rel[r]:.3e} at {where(b, vb, r)}")
                out.append(msg)
            else:
                d = xa != xb
                k = np.unravel_index(np.argmax(d), xa.shape)
                big = np.abs(xa.astype(np.int64) - xb.astype(np.int64))
                out.append(f"    variable {name} ({xa.dtype}, {xa.size} values): "
                           f"{int(np.count_nonzero(d))} differ; max |difference| "
                           f"{int(big.max())}; first at {where(b, vb, k)} (new {xa[k]}, "
                           f"committed {xb[k]})")
        if not out:
            out.append("    values and attributes identical: the bytes differ only in the "
                       "file layout (header, padding or variable order)")
    finally:
        a.close()
        b.close()


def compare_text(new: Path, ref: Path, out: list[str]) -> None:
    def parse(p):
        d = {}
        for line in p.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                d[k.strip()] = v.strip()
        return d
    a, b = parse(new), parse(ref)
    for k in list(b) + [k for k in a if k not in b]:
        if a.get(k) == b.get(k):
            continue
        try:
            x, y = float(a[k]), float(b[k])
            out.append(f"    {k}: new {x!r}, committed {y!r} (difference {x - y:+.3e}, "
                       f"relative {abs(x - y) / abs(y) if y else float('inf'):.3e})")
        except (KeyError, ValueError):
            out.append(f"    {k}: new {a.get(k)!r}, committed {b.get(k)!r}")
    if not out:
        out.append("    same keys and values; comments or layout differ")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("new", type=Path, help="directory with the regenerated t31/, t63/")
    ap.add_argument("--ref", type=Path, default=HERE, help="committed data (default models/data)")
    ap.add_argument("--sums", type=Path, default=HERE / "SHA256SUMS")
    ap.add_argument("--label", default="", help="prefix of every line (e.g. the run's name)")
    ap.add_argument("--self", action="store_true",
                    help="also check that the committed files match SHA256SUMS")
    args = ap.parse_args(argv)
    tag = f"{args.label}: " if args.label else ""
    sums = read_sums(args.sums)
    bad = bad_self = 0
    if args.self:
        for name, digest in sums:
            p = args.ref / name
            if not p.exists() or sha256(p) != digest:
                print(f"{tag}committed {name} does not match {args.sums}", flush=True)
                bad_self += 1
    for name, digest in sums:
        new, ref = args.new / name, args.ref / name
        if not new.exists():
            print(f"{tag}{name}: MISSING in {args.new}", flush=True)
            bad += 1
            continue
        if sha256(new) == digest:
            continue
        bad += 1
        lines: list[str] = []
        if not ref.exists():
            lines.append(f"    (no committed copy {ref} to compare with)")
        elif name.endswith(".nc"):
            compare_nc(new, ref, lines)
        else:
            compare_text(new, ref, lines)
        print(f"{tag}{name}: DIFFERS from {args.sums.name} (sha256 {sha256(new)[:16]}..., "
              f"listed {digest[:16]}...)", flush=True)
        for line in lines:
            print(f"{tag}{line}", flush=True)
    print(f"{tag}{len(sums) - bad} of {len(sums)} files bit-identical to {args.sums.name}"
          + (f", {bad} differ" if bad else "")
          + (f"; {bad_self} committed files do not match it" if bad_self else ""), flush=True)
    return 1 if bad or bad_self else 0


if __name__ == "__main__":
    sys.exit(main())
