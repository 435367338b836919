"""No user data is ever lost (issue 11), through Processing, qgis_process and the dock: each fault of the issue
ends with the inputs and any older output byte-identical, a message naming the parameter or the file, rc != 0
where the run could not do what was asked, and no Python traceback."""

import shutil
import subprocess

import numpy as np
import pytest
import rasterio
from qgis.core import QgsProcessingException, QgsProcessingFeedback, QgsSettings

from ..conftest import DEMO_DIR
from ..file_faults import checksums, copy_demo_scenes, corrupt_a_block, fill, partial_files, sha256, small_tmpfs
from .conftest import QGIS_PROCESS
from .dock_support import assert_refused

SCENE = "20150731T100009_20150731T100009_T33TVL.tif"
DEMO = dict(START_DATE="2015-07-01", END_DATE="2015-10-01", QA_BAND="clear", THRESHOLD=0.6)
NO_SPACE = "No space left on device"


def run(algorithm, feedback=None, **parameters):
    import processing

    return processing.run(f"cloudscore:{algorithm}", parameters, feedback=feedback)


def refused(algorithm, **parameters) -> str:
    """The message of a run that raises (a ``QgsProcessingException``, as the user sees it; refused by the
    algorithm's check, processing.run puts "Unable to execute algorithm" on a line before it)."""
    with pytest.raises(QgsProcessingException) as error:
        run(algorithm, **parameters)
    return str(error.value).removeprefix("Unable to execute algorithm\n")


@pytest.fixture
def scenes(tmp_path):
    """A private copy of the demo scenes; after the test, their bytes must be as they were."""
    folder = copy_demo_scenes(tmp_path / "scenes")
    before = checksums(folder)
    yield folder
    after = {name: digest for name, digest in checksums(folder).items() if name in before}
    assert after == before


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs (see ``file_faults.small_tmpfs``; tests/core also injects write errors)."""
    with small_tmpfs(tmp_path) as mount:
        yield mount


# ---- the four runs that destroyed data -------------------------------------------------------------------------


def test_compositefolder_refuses_to_write_over_an_input_scene(plugin, scenes):
    message = refused("compositefolder", INPUT=str(scenes), OUTPUT=str(scenes / SCENE), **DEMO)
    assert message.startswith(f"OUTPUT: '{scenes / SCENE}' is one of the input scenes")


def test_fetchscenes_refuses_its_input_folder(plugin, scenes, tmp_path):
    link = tmp_path / "same_folder"
    link.symlink_to(scenes, target_is_directory=True)
    for output in (scenes, link):
        message = refused(
            "fetchscenes",
            INPUT=str(scenes),
            OUTPUT=str(output),
            BANDS="B4",
            EXTENT="14.555,14.560,45.868,45.872 [EPSG:4326]",
            START_DATE=DEMO["START_DATE"],
            END_DATE=DEMO["END_DATE"],
        )
        assert message.startswith(f"OUTPUT: folder '{output}' is the input scene folder")


def test_a_full_disk_fails_compositefolder_and_maskscene_and_keeps_older_outputs(plugin, scenes, small_disk):
    composite, masked = small_disk / "composite.tif", small_disk / "masked.tif"
    run("compositefolder", INPUT=str(scenes), OUTPUT=str(composite), **DEMO)
    run("maskscene", INPUT=str(scenes / SCENE), QA_BAND="clear", THRESHOLD=0.6, OUTPUT=str(masked))
    older = sha256(composite), sha256(masked)
    fill(small_disk)
    message = refused("compositefolder", INPUT=str(scenes), OUTPUT=str(composite), **dict(DEMO, THRESHOLD=0.5))
    assert message.startswith(f"could not write {composite}: {NO_SPACE}")
    message = refused("maskscene", INPUT=str(scenes / SCENE), QA_BAND="clear", THRESHOLD=0.3, OUTPUT=str(masked))
    assert message.startswith(f"could not write {masked}: {NO_SPACE}")
    assert (sha256(composite), sha256(masked)) == older
    assert partial_files(small_disk) == []


def test_qgis_process_reports_a_full_disk_and_an_output_over_an_input_with_rc_1(
    plugin, scenes, small_disk, qgis_process_env
):
    composite = small_disk / "composite.tif"
    run("compositefolder", INPUT=str(scenes), OUTPUT=str(composite), **DEMO)
    older = sha256(composite)
    fill(small_disk)
    arguments = [f"{k}={v}" for k, v in dict(DEMO, INPUT=str(scenes)).items()]
    for output, expected in ((composite, f"could not write {composite}: {NO_SPACE}"), (scenes / SCENE, "OUTPUT: ")):
        done = subprocess.run(
            [QGIS_PROCESS, "run", "cloudscore:compositefolder", "--", *arguments, f"OUTPUT={output}"],
            env=qgis_process_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        text = done.stdout + done.stderr
        assert done.returncode != 0 and expected in text, text
        assert "Traceback" not in text
    assert sha256(composite) == older and partial_files(small_disk) == []


# ---- damaged inputs --------------------------------------------------------------------------------------------


def test_damaged_files_in_the_folder_are_skipped_and_named(plugin, scenes, tmp_path):
    (scenes / "copy.tif").write_bytes((scenes / SCENE).read_bytes()[:5000])
    (scenes / "notes.tif").write_text("not a raster\n")
    feedback = QgsProcessingFeedback()
    output = tmp_path / "composite.tif"
    result = run("compositefolder", feedback=feedback, INPUT=str(scenes), OUTPUT=str(output), **DEMO)
    assert result["SCENE_COUNT"] == 5
    log = feedback.textLog()
    assert "copy.tif (damaged: block 0," in log and "notes.tif (not a readable raster" in log
    with rasterio.open(output) as out:
        assert "copy.tif (damaged:" in out.tags()["CLOUDSCORE_SKIPPED_SCENES"]


def test_a_block_that_does_not_decode_names_the_file_in_every_algorithm(plugin, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in DEMO_DIR.glob("*.tif"):
        shutil.copy(path, broken / path.name)
    corrupt_a_block(broken / SCENE)
    (broken / "copy.tif").write_bytes((DEMO_DIR / SCENE).read_bytes()[:5000])
    message = refused("compositefolder", INPUT=str(broken), OUTPUT=str(tmp_path / "c.tif"), **DEMO)
    assert message.startswith(f"cannot read scene file {broken / SCENE}: ")
    message = refused("maskscene", INPUT=str(broken / SCENE), QA_BAND="clear", OUTPUT=str(tmp_path / "m.tif"))
    assert message.startswith(f"cannot read scene {broken / SCENE}: ")
    message = refused("maskscene", INPUT=str(broken / "copy.tif"), QA_BAND="clear", OUTPUT=str(tmp_path / "m.tif"))
    assert message.startswith(f"INPUT: scene '{broken / 'copy.tif'}' is damaged: block ")
    message = refused(
        "fetchscenes",
        INPUT=str(broken),
        OUTPUT=str(tmp_path / "fetched"),
        START_DATE="2015-07-01",
        END_DATE="2015-10-01",
    )
    assert message.startswith(f"cannot read scene file {broken / SCENE}: ")
    assert not list(tmp_path.glob("*.tif")) and partial_files(tmp_path / "fetched") == []


def test_evaluatemask_names_a_damaged_score_and_keeps_older_csv_and_report(plugin, tmp_path, scenes):
    with rasterio.open(scenes / SCENE) as src:
        profile = dict(src.profile, count=1, dtype="uint8", nodata=0)
    reference = tmp_path / "reference.tif"
    with rasterio.open(reference, "w", **profile) as dst:
        dst.write(np.full((1, profile["height"], profile["width"]), 5, dtype=np.uint8))
    table, report = tmp_path / "scores.csv", tmp_path / "report.html"
    result = run(
        "evaluatemask",
        SCORE=str(scenes / SCENE),
        QA_BAND="clear",
        THRESHOLDS="0.4,0.5",
        REFERENCE=str(reference),
        OUTPUT=str(table),
        REPORT=str(report),
    )
    assert result["OUTPUT"] == str(table) and len(table.read_text().splitlines()) == 1 + 3
    older = sha256(table), sha256(report)
    broken = tmp_path / "broken.tif"
    shutil.copy(scenes / SCENE, broken)
    corrupt_a_block(broken)
    message = refused(
        "evaluatemask",
        SCORE=str(broken),
        QA_BAND="clear",
        REFERENCE=str(reference),
        OUTPUT=str(table),
        REPORT=str(report),
    )
    assert message.startswith(f"cannot read SCORE raster {broken}: ")
    message = refused(
        "evaluatemask",
        SCORE=str(scenes / SCENE),
        QA_BAND="clear",
        REFERENCE=str(reference),
        OUTPUT=str(table),
        REPORT=str(reference),
    )
    assert message.startswith("REPORT: ")
    assert (sha256(table), sha256(report)) == older and partial_files(tmp_path) == []


def test_a_full_disk_keeps_the_older_evaluation_table(plugin, tmp_path, scenes, small_disk):
    with rasterio.open(scenes / SCENE) as src:
        profile = dict(src.profile, count=1, dtype="uint8", nodata=0)
    reference = tmp_path / "reference.tif"
    with rasterio.open(reference, "w", **profile) as dst:
        dst.write(np.full((1, profile["height"], profile["width"]), 5, dtype=np.uint8))
    table = small_disk / "scores.csv"
    run(
        "evaluatemask",
        SCORE=str(scenes / SCENE),
        QA_BAND="clear",
        REFERENCE=str(reference),
        OUTPUT=str(table),
        REPORT=None,
    )
    older = sha256(table)
    fill(small_disk, leave=0)
    message = refused(
        "evaluatemask",
        SCORE=str(scenes / SCENE),
        QA_BAND="clear",
        THRESHOLDS="0.1,0.2,0.3",
        REFERENCE=str(reference),
        OUTPUT=str(table),
        REPORT=None,
    )
    assert message.startswith("OUTPUT: ") and str(table) in message
    assert sha256(table) == older and partial_files(small_disk) == []


# ---- grid, extent, input: clear refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            dict(RESOLUTION=0.001),
            r"^RESOLUTION: the output grid would be 99\d+ x 10\d+ pixels of 0\.001 m x 14 band\(s\)"
            r" = .* GB uncompressed, over the ceiling of 20 GB",
        ),
        (dict(RESOLUTION=10000), r"^RESOLUTION: the output grid would be only 1 x 1 pixels of 10000 m"),
        (
            dict(EXTENT="14.555,14.560,45.868,45.872 [EPSG:999999]"),
            r"^EXTENT: the CRS 'EPSG:999999' of the extent is not one QGIS knows",
        ),
        (dict(INPUT="SCENE_FILE"), r"^INPUT: '.*\.tif' is a file, not a folder"),
    ],
)
def test_bad_grids_and_inputs_are_refused_clearly(plugin, scenes, tmp_path, changes, expected):
    import re

    parameters = dict(DEMO, INPUT=str(scenes), OUTPUT=str(tmp_path / "c.tif"))
    parameters.update(changes)
    if parameters["INPUT"] == "SCENE_FILE":
        parameters["INPUT"] = str(scenes / SCENE)
    message = refused("compositefolder", **parameters)
    assert re.search(expected, message), message
    assert not (tmp_path / "c.tif").exists()


def test_the_output_ceiling_setting_is_honoured(plugin, scenes, tmp_path):
    key = "cloudscore_composite/output_ceiling_gb"
    QgsSettings().setValue(key, 0.0001)
    try:
        message = refused("compositefolder", INPUT=str(scenes), OUTPUT=str(tmp_path / "c.tif"), **DEMO)
        assert (
            message.startswith("EXTENT: the output grid would be 100 x 101 pixels")
            and "over the ceiling of 0.0001 GB" in message
        )
        QgsSettings().setValue(key, 0)  # no ceiling
        run("compositefolder", INPUT=str(scenes), OUTPUT=str(tmp_path / "c.tif"), **DEMO)
    finally:
        QgsSettings().remove(key)


def test_the_dock_refuses_an_output_that_is_an_input_scene(dock, qgis_iface, scenes):
    dock.set_folder(str(scenes))
    dock.refresh_source()
    dock.ui.outputFolderWidget.setFilePath(str(scenes))
    dock.ui.outputNameLineEdit.setText(SCENE)
    assert_refused(dock, qgis_iface, f"'{scenes / SCENE}' is one of the input scenes")
