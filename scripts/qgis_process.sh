#!/bin/sh
# QGIS's qgis_process, headless, from a clone of this repository, with the plugin loaded:
#   scripts/qgis_process.sh run cloudscore:compositefolder -- INPUT=resources/demo ... OUTPUT=build/demo/out.tif
# Arguments go to qgis_process unchanged, and so does its exit status. It needs no display
# (QT_QPA_PLATFORM=offscreen) and uses a throwaway profile in build/qgis-profile, never the user's own QGIS
# profile. QGIS finds plugins by folder name, so build/plugins/cloudscore_composite links to the clone (made here
# when missing, as `make link` does); the plugin is enabled in the throwaway profile on the first run.
# QGIS_PROCESS=/path/to/qgis_process chooses the program; by default Debian's /usr/bin/qgis_process.bin (its
# /usr/bin/qgis_process wrapper passes --noversioncheck, which QGIS 3.22 rejects), else qgis_process on PATH.
set -eu

plugin=cloudscore_composite
root=$(cd "$(dirname "$0")/.." && pwd -P)
build=$root/build
profile=$build/qgis-profile

if [ -z "${QGIS_PROCESS:-}" ]; then
    if [ -x /usr/bin/qgis_process.bin ]; then
        QGIS_PROCESS=/usr/bin/qgis_process.bin
    elif command -v qgis_process >/dev/null 2>&1; then
        QGIS_PROCESS=qgis_process
    else
        echo "qgis_process.sh: QGIS's qgis_process was not found: install QGIS (make demo does, on Debian) or set" \
            "QGIS_PROCESS to its path" >&2
        exit 127
    fi
fi

mkdir -p "$build/plugins" "$build/runtime" "$profile"
chmod 700 "$build/runtime"  # Qt refuses a runtime directory others can read
# Replace the link only when it is missing or points elsewhere (another clone), so concurrent runs never see it
# missing.
if [ "$(readlink "$build/plugins/$plugin" 2>/dev/null || true)" != "$root" ]; then
    ln -sfn "$root" "$build/plugins/$plugin"
fi

export QT_QPA_PLATFORM=offscreen
export QGIS_CUSTOM_CONFIG_PATH="$profile"
export QGIS_PLUGINPATH="$build/plugins"
export XDG_RUNTIME_DIR="$build/runtime"
# qgis_process loads raster inputs as layers, and GDAL would save their statistics beside them (.aux.xml):
# inputs stay as they were.
export GDAL_PAM_ENABLED=NO

# Enable the plugin once per profile: every qgis_process start costs seconds. It exits 1 when the plugin is
# enabled already (a concurrent first run): only other failures count.
settings=$profile/profiles/default/QGIS/QGIS3.ini
if ! grep -qx "$plugin=true" "$settings" 2>/dev/null; then
    log=$(mktemp "$build/plugins-enable.XXXXXX")
    if ! "$QGIS_PROCESS" plugins enable "$plugin" >"$log" 2>&1 && ! grep -q "already enabled" "$log"; then
        cat "$log" >&2
        rm -f "$log"
        echo "qgis_process.sh: could not enable the plugin $plugin in the profile $profile" >&2
        exit 1
    fi
    rm -f "$log"
fi

exec "$QGIS_PROCESS" "$@"
