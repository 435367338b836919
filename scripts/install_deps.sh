#!/usr/bin/env bash
# Install what `make test` and `make demo` need on a Debian 12 machine, skipping what is already there:
# QGIS 3.22 and its Python bindings, GDAL's Python utilities (the COG validator), rasterio, requests, Xvfb
# (Debian packages), pylupdate5 and lrelease (make translations and its tests), then a virtual environment
# on Debian's Python (QGIS's) with the test tools from requirements-dev.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PYTHON=/usr/bin/python3
VENV=.venv
APT_PACKAGES=(qgis python3-qgis qgis-providers python3-gdal python3-numpy python3-rasterio python3-requests xvfb
    pyqt5-dev-tools qttools5-dev-tools)

have_system_deps() {
    [ -x /usr/bin/qgis_process.bin ] && command -v Xvfb >/dev/null &&
        command -v pylupdate5 >/dev/null && [ -x /usr/lib/qt5/bin/lrelease ] &&
        "$SYSTEM_PYTHON" -c "import qgis.core, numpy, rasterio, requests, osgeo_utils" >/dev/null 2>&1
}

if ! have_system_deps; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installing ${APT_PACKAGES[*]} (Debian packages) ..."
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"
    have_system_deps || { echo "QGIS, GDAL, numpy, rasterio or requests still missing after apt-get install" >&2; exit 1; }
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating $VENV on $SYSTEM_PYTHON (with its site packages, for QGIS) ..."
    "$SYSTEM_PYTHON" -m venv --system-site-packages "$VENV"
fi
if ! cmp -s requirements-dev.txt "$VENV/.requirements-dev.txt"; then
    "$VENV/bin/python" -m pip install -q -r requirements-dev.txt
    cp requirements-dev.txt "$VENV/.requirements-dev.txt"
fi
