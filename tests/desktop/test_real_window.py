"""The dock in QGIS's real window on a 1280 x 800 screen (Xvfb): the checks of ``real_window_checks.py``.

One QGIS run (about a minute) walks the journey; each test reads one check from its report. The pictures of each
stage are left in build/desktop/ to look at.
"""

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "desktop"
SCREEN = "1280x800"
TIMEOUT_S = 300
EARTH_ENGINE_VARIABLES = ("CLOUDSCORE_EE_", "GOOGLE_APPLICATION_CREDENTIALS", "EARTHENGINE_")
"""Prefixes of the environment variables that could hand the journey Earth Engine credentials or a server."""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Run the journey once in QGIS's window; its report ({check: {"ok", "detail"}})."""
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    report_path = OUT / "report.json"
    report_path.unlink(missing_ok=True)
    home = tmp_path_factory.mktemp("home")  # no Earth Engine credentials file of this machine's user
    env = {k: v for k, v in os.environ.items() if not k.startswith(EARTH_ENGINE_VARIABLES)}
    env.update(HOME=str(home), CLOUDSCORE_DESKTOP_REPORT=str(report_path), GDAL_PAM_ENABLED="NO")
    outputs = OUT / "outputs"
    shutil.rmtree(outputs, ignore_errors=True)  # the journey's first run must not find its file there
    command = [
        str(ROOT / "scripts" / "qgis_desktop.sh"),
        SCREEN,
        str(ROOT / "build" / "desktop-profile"),
        str(Path(__file__).with_name("real_window_checks.py")),
    ]
    # Its own session: on a timeout, QGIS and Xvfb are stopped together.
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as process:
        try:
            _, stderr = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate()
            pytest.fail(f"QGIS did not finish the journey in {TIMEOUT_S} s (a dialog left open?):\n{stderr[-4000:]}")
    assert report_path.exists(), f"QGIS wrote no report (exit {process.returncode}):\n{stderr[-4000:]}"
    results = json.loads(report_path.read_text())
    assert results["journey"]["ok"], results["journey"]["detail"]
    return results


CHECKS = [
    "window_size",
    "dock_opens_at_its_preferred_width",
    "fits_at_default_width",
    "fits_with_earth_engine_source",
    "source_page_sized_to_its_content",
    "fits_with_every_aoi_kind",
    "fits_during_a_run",
    "wheel_leaves_unfocused_values",
    "threshold_and_table_visible_together",
    "progress_bar_hidden_after_search",
    "scene_table_shows_every_column",
    "run_and_cancel_visible_during_run",
    "run_succeeded",
    "refused_run_replaces_status",
    "rerun_leaves_one_group",
    "earth_engine_setup_message_short_no_task",
    "status_line_shows_all_refused_run",
    "status_line_shows_all_earth_engine",
    "earth_engine_authentication_in_view",
]


@pytest.mark.parametrize("check", CHECKS)
def test_real_window(report, check):
    assert check in report, f"the journey stopped before {check}"
    assert report[check]["ok"], report[check]["detail"]
