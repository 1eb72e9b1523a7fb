#!/usr/bin/env bash
# Downloads the pinned offline sources of the Chronos boundary data into DIR:
#   - wheels jcm 3.0.0 (18.6 MB) and climt 0.31.0 (13.7 MB) from PyPI (not installed: the
#     generator reads their data files straight out of the zip archives),
#   - the Debian package ferret-datasets 7.6.0-5 (27.8 MB), unpacked into DIR/ferret (85 MB).
# Usage: bash models/data/fetch_sources.sh DIR      (about 60 MB of downloads, < 1 minute)
# Then:  python models/data/make_boundary_data.py --sources DIR --out models/data
set -euo pipefail
DIR=${1:?usage: fetch_sources.sh DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PY=${PYTHON:-python3}

# Wheels for CPython 3.11 on manylinux x86_64, whatever the local interpreter is (the data
# files inside are what matters; make_boundary_data.py checks their SHA-256).
"$PY" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --python-version 3.11 --implementation cp --platform manylinux_2_28_x86_64 \
  -d "$DIR" jcm==3.0.0 climt==0.31.0

# The Debian package (apt-get download needs no root; an index is needed once).
VERSION=7.6.0-5
if ! ls "$DIR"/ferret-datasets_${VERSION}_all.deb >/dev/null 2>&1; then
  if ! (cd "$DIR" && apt-get download "ferret-datasets=$VERSION" 2>/dev/null); then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    (cd "$DIR" && apt-get download "ferret-datasets=$VERSION")
  fi
fi
rm -rf "$DIR/ferret"
dpkg-deb -x "$DIR/ferret-datasets_${VERSION}_all.deb" "$DIR/ferret"

echo "fetch_sources: $DIR"
(cd "$DIR" && sha256sum ./*.whl ./*.deb)
