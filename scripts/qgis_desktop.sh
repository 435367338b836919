#!/bin/sh
# QGIS's desktop window under Xvfb, with a throwaway profile in which the plugin is enabled, running a Python file
# once the window is up (QGIS's --code): `make screenshot` and the real-window tests (tests/desktop) use it.
#
#   scripts/qgis_desktop.sh WIDTHxHEIGHT PROFILE_DIR SCRIPT.py
#
# The screen is WIDTHxHEIGHT (the window is maximised on it); PROFILE_DIR is emptied first. The plugin is found
# through build/plugins/cloudscore_composite (`make link`). Exit status: QGIS's, which the script sets.
set -eu
size=$1
profile=$2
script=$3
root=$(cd "$(dirname "$0")/.." && pwd)
[ -e "$root/build/plugins/cloudscore_composite" ] || (cd "$root" && make -s link)
mkdir -p "$root/build/runtime" && chmod 700 "$root/build/runtime"
rm -rf "$profile" && mkdir -p "$profile/profiles/default/QGIS"
printf '[PythonPlugins]\ncloudscore_composite=true\n' > "$profile/profiles/default/QGIS/QGIS3.ini"
QGIS_PLUGINPATH="$root/build/plugins" XDG_RUNTIME_DIR="$root/build/runtime" \
	exec xvfb-run -a -s "-screen 0 ${size}x24" /usr/bin/qgis.bin --nologo --noversioncheck \
	--profiles-path "$profile" --code "$script"
