"""The plugin in QGIS: loading, the Processing provider, and cloudscore:compositefolder run for real."""

import json
import os
import subprocess

import numpy as np
import pytest
import rasterio
from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback

from ..conftest import DEMO_DIR, PLUGINS_DIR, ROOT
from ..core.demo_reference import reference_composite
from .conftest import QGIS_PROCESS

ALGORITHM = "cloudscore:compositefolder"
DEMO = dict(START_DATE="2015-07-01", END_DATE="2015-10-01", QA_BAND="clear", THRESHOLD=0.6)


def run_algorithm(**parameters):
    import processing

    return processing.run(ALGORITHM, parameters)


def test_plugin_registers_the_provider_and_the_algorithm(plugin):
    registry = QgsApplication.processingRegistry()
    provider = registry.providerById("cloudscore")
    assert provider is not None and provider is plugin.provider
    algorithm = registry.algorithmById(ALGORITHM)
    assert algorithm is not None
    assert "clear threshold" in algorithm.shortHelpString()
    names = [p.name() for p in algorithm.parameterDefinitions()]
    assert names == [
        "INPUT",
        "EXTENT",
        "START_DATE",
        "END_DATE",
        "QA_BAND",
        "THRESHOLD",
        "RESOLUTION",
        "CRS",
        "METHOD",
        "PERCENTILES",
        "BANDS",
        "FORMAT",
        "COMPRESSION",
        "SCALE_TO_BYTE",
        "ORBITS",
        "SEAM_WEIGHTS",
        "SEAM_POWER",
        "OUTPUT",
    ]


def test_init_processing_twice_registers_once(plugin):
    plugin.initProcessing()
    ids = [p.id() for p in QgsApplication.processingRegistry().providers()]
    assert ids.count("cloudscore") == 1


def test_run_writes_the_expected_composite(plugin, tmp_path):
    output = tmp_path / "composite.tif"
    result = run_algorithm(INPUT=str(DEMO_DIR), OUTPUT=str(output), **DEMO)
    assert result["OUTPUT"] == str(output)
    assert result["SCENE_COUNT"] == 5
    assert 0.5 < result["CLEAR_FRACTION"] < 0.7
    expected = reference_composite(0.6)
    with rasterio.open(output) as out:
        data = out.read()
        assert out.descriptions[-1] == "count"
    assert np.array_equal(data[:13], expected["median"])
    assert np.array_equal(data[13], expected["count"])


def test_extent_in_another_crs_and_resolution(plugin, tmp_path):
    output = tmp_path / "composite.tif"
    run_algorithm(
        INPUT=str(DEMO_DIR), OUTPUT=str(output), EXTENT="14.555,14.560,45.868,45.872 [EPSG:4326]", RESOLUTION=20, **DEMO
    )
    with rasterio.open(output) as out:
        assert out.res == (20.0, 20.0) and out.crs.to_epsg() == 32633
        assert out.width < 30 and out.height < 30


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(THRESHOLD=1.5), r"THRESHOLD: .*outside the accepted range 0\.\.1"),
        (dict(END_DATE="2015-07-01"), "END_DATE: end date 2015-07-01 must be after start date 2015-07-01"),
        (dict(QA_BAND="cs"), "QA_BAND: no scene has the QA band 'cs'"),
        (dict(EXTENT="13.0,13.1,45.0,45.1 [EPSG:4326]"), "EXTENT: .*touches no scene"),
        (dict(INPUT="EMPTY"), "INPUT: .*holds no Sentinel-2 scene"),
        (dict(METHOD=4, PERCENTILES="25,fifty"), "PERCENTILES: '25,fifty' must be numbers in 0..100"),
        (dict(METHOD=4, PERCENTILES="5,105"), r"PERCENTILES: percentiles \[105.0\] are outside 0..100"),
        (dict(BANDS="B4,B13"), r"BANDS: unknown band\(s\) \['B13'\]"),
    ],
)
def test_bad_input_is_refused_with_the_parameter_name(plugin, tmp_path, changes, message):
    parameters = dict(INPUT=str(DEMO_DIR), OUTPUT=str(tmp_path / "composite.tif"), **DEMO)
    parameters.update(changes)
    if parameters["INPUT"] == "EMPTY":
        parameters["INPUT"] = str(tmp_path)
    with pytest.raises(QgsProcessingException, match=message):
        run_algorithm(**parameters)
    assert not (tmp_path / "composite.tif").exists()


def test_qgis_process_lists_and_runs_the_algorithm(tmp_path):
    """The headless path of `make demo`: QGIS_PLUGINPATH, plugins enable, run."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QGIS_OPTS="",
        QGIS_PLUGINPATH=str(PLUGINS_DIR),
        QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"),
        XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    (tmp_path / "runtime").mkdir(mode=0o700)
    qgis_process = "/usr/bin/qgis_process.bin"
    subprocess.run(
        [qgis_process, "plugins", "enable", "cloudscore_composite"], env=env, check=True, capture_output=True
    )
    helped = subprocess.run([qgis_process, "help", ALGORITHM], env=env, capture_output=True, text=True, check=True)
    assert "clear threshold" in helped.stdout and "THRESHOLD" in helped.stdout
    output = tmp_path / "composite.tif"
    arguments = [f"{k}={v}" for k, v in dict(INPUT=DEMO_DIR, OUTPUT=output, **DEMO).items()]
    run = subprocess.run(
        [qgis_process, "--json", "run", ALGORITHM, "--", *arguments], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout[run.stdout.index("{") :])["results"]
    # qgis_process draws the progress it receives as 0...10...20...: progress reaches it from the run's thread
    plain = subprocess.run(
        [qgis_process, "run", ALGORITHM, "--", *arguments], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert plain.returncode == 0 and "0...10...20" in plain.stdout and "100" in plain.stdout, plain.stdout
    assert results["SCENE_COUNT"] == 5
    with rasterio.open(output) as out:
        assert np.array_equal(out.read(14), reference_composite(0.6)["count"])


def test_percentiles_of_chosen_bands_as_a_cloud_optimized_geotiff(plugin, tmp_path):
    from osgeo_utils.samples.validate_cloud_optimized_geotiff import validate

    output = tmp_path / "quartiles.tif"
    result = run_algorithm(
        INPUT=str(DEMO_DIR), OUTPUT=str(output), METHOD=4, PERCENTILES="25, 50, 75", BANDS="B4,B3,B2", FORMAT=1, **DEMO
    )
    assert result["SCENE_COUNT"] == 5
    assert validate(str(output))[1] == []
    with rasterio.open(output) as out:
        assert out.descriptions == (
            "B2_p25",
            "B2_p50",
            "B2_p75",
            "B3_p25",
            "B3_p50",
            "B3_p75",
            "B4_p25",
            "B4_p50",
            "B4_p75",
            "count",
        )
        quartiles = out.read(list(range(1, 10))).astype(int)
        assert out.tags()["CLOUDSCORE_PERCENTILES"] == "25,50,75"
        assert np.array_equal(out.read(10), reference_composite(0.6)["count"])
    # per band and pixel the quartiles are ordered, and the 50th percentile is the median
    assert (np.diff(quartiles.reshape(3, 3, *quartiles.shape[1:]), axis=1) >= 0).all()
    median = reference_composite(0.6)["median"]
    assert np.array_equal(quartiles[1], median[1]) and np.array_equal(quartiles[7], median[3])


def test_cancel_stops_the_run_and_leaves_no_output(plugin, tmp_path):
    from qgis.core import QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda percent: feedback.cancel())  # cancel at the first progress report
    output = tmp_path / "composite.tif"
    import processing

    with pytest.raises(QgsProcessingException, match="Cancelled"):
        processing.run(ALGORITHM, dict(INPUT=str(DEMO_DIR), OUTPUT=str(output), **DEMO), feedback=feedback)
    assert list(tmp_path.iterdir()) == []


def test_the_loaded_output_is_styled_in_true_colour(plugin, tmp_path):
    from qgis.core import (
        QgsMultiBandColorRenderer,
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProject,
        QgsRasterLayer,
    )

    output = str(tmp_path / "composite.tif")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.addLayerToLoadOnCompletion(
        output, QgsProcessingContext.LayerDetails("Composite", QgsProject.instance(), "OUTPUT")
    )
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    _, ok = algorithm.run(dict(INPUT=str(DEMO_DIR), OUTPUT=output, **DEMO), context, QgsProcessingFeedback())
    assert ok
    post_processor = context.layerToLoadOnCompletionDetails(output).postProcessor()
    layer = QgsRasterLayer(output, "Composite")
    post_processor.postProcessLayer(layer, context, QgsProcessingFeedback())
    renderer = layer.renderer()
    assert isinstance(renderer, QgsMultiBandColorRenderer)
    assert (renderer.redBand(), renderer.greenBand(), renderer.blueBand()) == (4, 3, 2)
    assert renderer.redContrastEnhancement().maximumValue() == 2500


def test_skipped_scenes_are_reported_in_the_algorithm_log(plugin, demo_folder, tmp_path):
    from qgis.core import QgsProcessingFeedback

    first = sorted(demo_folder.glob("*.tif"))[0]
    with rasterio.open(first, "r+") as scene:
        scene.set_band_description(14, "other_score")
    feedback = QgsProcessingFeedback()
    import processing

    result = processing.run(
        ALGORITHM, dict(INPUT=str(demo_folder), OUTPUT=str(tmp_path / "c.tif"), **DEMO), feedback=feedback
    )
    assert result["SCENE_COUNT"] == 4
    assert f"1 scene(s) have no QA band 'clear' and are skipped: {first.stem}" in feedback.textLog()
    assert "Clear fraction:" in feedback.textLog()


class RecordingFeedback(QgsProcessingFeedback):
    """Records what each of the feedback's message methods was told."""

    def __init__(self):
        super().__init__()
        self.said = {"info": [], "warning": [], "error": []}

    def pushInfo(self, info):  # noqa: N802
        self.said["info"].append(info)
        super().pushInfo(info)

    def pushWarning(self, warning):  # noqa: N802
        self.said["warning"].append(warning)
        super().pushWarning(warning)

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        self.said["error"].append(error)
        super().reportError(error, fatalError)


def scenes_with_a_skipped_scene_and_a_damaged_file(folder):
    """Make the first demo scene lose its QA band and add a truncated copy; return (first scene's id)."""
    first = sorted(folder.glob("*.tif"))[0]
    (folder / "copy.tif").write_bytes(first.read_bytes()[:5000])
    with rasterio.open(first, "r+") as scene:
        scene.set_band_description(14, "other_score")
    return first.stem


def test_warnings_of_a_successful_run_are_warnings_said_once(plugin, demo_folder, tmp_path):
    import processing

    skipped = scenes_with_a_skipped_scene_and_a_damaged_file(demo_folder)
    feedback = RecordingFeedback()
    result = processing.run(
        ALGORITHM, dict(INPUT=str(demo_folder), OUTPUT=str(tmp_path / "c.tif"), **DEMO), feedback=feedback
    )
    assert result["SCENE_COUNT"] == 4
    assert feedback.said["error"] == []
    warnings = feedback.said["warning"]
    assert len(warnings) == len(set(warnings)) == 2, warnings
    assert sum(skipped in w for w in warnings) == 1 and sum("copy.tif" in w for w in warnings) == 1
    assert not any(skipped in line or "copy.tif" in line for line in feedback.said["info"])


def test_qgis_process_prints_no_error_for_a_successful_run_with_a_skipped_scene(
    plugin, demo_folder, tmp_path, qgis_process_env
):
    skipped = scenes_with_a_skipped_scene_and_a_damaged_file(demo_folder)
    arguments = [f"{k}={v}" for k, v in dict(DEMO, INPUT=str(demo_folder), OUTPUT=str(tmp_path / "c.tif")).items()]
    done = subprocess.run(
        [QGIS_PROCESS, "run", ALGORITHM, "--", *arguments],
        env=qgis_process_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = done.stdout + done.stderr
    assert done.returncode == 0, text
    assert "ERROR" not in text, text
    assert 1 <= text.count(skipped) <= 2, text
    assert 1 <= text.count("copy.tif") <= 2, text
    assert f"WARNING:\t1 scene(s) have no QA band 'clear' and are skipped: {skipped}" in done.stdout, text
