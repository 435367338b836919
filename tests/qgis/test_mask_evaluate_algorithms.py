"""cloudscore:maskscene and cloudscore:evaluatemask run for real through processing.run and qgis_process."""

import csv
import json
import re
import shutil
import subprocess

import numpy as np
import pytest
import rasterio
from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback

from ..conftest import ROOT
from ..core.alcd_reference import ESA_MASK, reference_class_map
from ..core.demo_reference import demo_files
from .conftest import QGIS_PROCESS

MASK_SCENE = "cloudscore:maskscene"
EVALUATE = "cloudscore:evaluatemask"
SCENE = demo_files()[1]  # 2015-07-31, partly cloudy: scores 0.04..0.77
QA = 14  # band number of the demo's QA band `clear`
NOT_CLEAR, CLEAR = (2, 3, 4), (5, 6, 7)


def run(algorithm, feedback=None, **parameters):
    import processing

    return processing.run(algorithm, parameters, feedback=feedback)


def demo_score():
    with rasterio.open(SCENE) as src:
        return src.read(QA), src.profile


def expected(classes, not_clear_predicted):
    """Independent count (tp, fp, fn, tn) of the not-clear class over the labelled pixels."""
    truth_nc, truth_c = np.isin(classes, NOT_CLEAR), np.isin(classes, CLEAR)
    return (
        int((truth_nc & not_clear_predicted).sum()),
        int((truth_c & not_clear_predicted).sum()),
        int((truth_nc & ~not_clear_predicted).sum()),
        int((truth_c & ~not_clear_predicted).sum()),
    )


@pytest.fixture
def reference(tmp_path):
    """An ALCD-style class map over the demo grid: random classes 0..7 (0, 1 ignored), and its array."""
    score, profile = demo_score()
    classes = np.random.default_rng(21).integers(0, 8, size=score.shape).astype(np.uint8)
    path = tmp_path / "reference.tif"
    with rasterio.open(path, "w", **dict(profile, count=1, dtype="uint8", nodata=None)) as dst:
        dst.write(classes, 1)
    return path, classes


def table_rows(path):
    with open(path, newline="", encoding="utf-8") as table:
        return list(csv.DictReader(table))


def test_both_algorithms_are_registered_with_help(plugin):
    registry = QgsApplication.processingRegistry()
    mask = registry.algorithmById(MASK_SCENE)
    evaluate = registry.algorithmById(EVALUATE)
    assert mask is not None and evaluate is not None
    assert "clear threshold" in mask.shortHelpString() and "nodata" in mask.shortHelpString()
    assert "ALCD" in evaluate.shortHelpString() and "F1" in evaluate.shortHelpString()
    assert [p.name() for p in mask.parameterDefinitions()] == ["INPUT", "QA_BAND", "THRESHOLD", "OUTPUT", "CLEAR_MASK"]
    assert [p.name() for p in evaluate.parameterDefinitions()] == [
        "SCORE",
        "QA_BAND",
        "THRESHOLD",
        "THRESHOLDS",
        "MASK",
        "MASK_BANDS",
        "MASK_MEANING",
        "REFERENCE",
        "REFERENCE_BAND",
        "NOT_CLEAR_CLASSES",
        "CLEAR_CLASSES",
        "OUTPUT",
        "REPORT",
    ]


def test_maskscene_masks_the_demo_scene(plugin, tmp_path):
    out, mask = tmp_path / "masked.tif", tmp_path / "clear.tif"
    result = run(MASK_SCENE, INPUT=str(SCENE), QA_BAND="clear", THRESHOLD=0.4, OUTPUT=str(out), CLEAR_MASK=str(mask))
    with rasterio.open(SCENE) as src:
        data = src.read()
    unclear = data[QA - 1] < np.float32(0.4)
    with rasterio.open(out) as src:
        masked = src.read()
    assert np.all(masked[:, unclear] == 0) and np.array_equal(masked[:, ~unclear], data[:, ~unclear])
    with rasterio.open(mask) as src:
        assert np.array_equal(src.read(1), (~unclear).astype(np.uint8))
    assert result["OUTPUT"] == str(out) and result["CLEAR_MASK"] == str(mask)
    assert result["CLEAR_PIXELS"] == int((~unclear).sum()) and result["SCORED_PIXELS"] == unclear.size
    assert result["CLEAR_FRACTION"] == pytest.approx((~unclear).mean())


def test_maskscene_without_a_clear_mask(plugin, tmp_path):
    run(MASK_SCENE, INPUT=str(SCENE), QA_BAND="14", THRESHOLD=0.5, OUTPUT=str(tmp_path / "masked.tif"))
    assert [p.name for p in tmp_path.iterdir()] == ["masked.tif"]


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(THRESHOLD=1.5), r"THRESHOLD: .*accepted range 0\.\.1"),
        (dict(QA_BAND="cs"), r"QA_BAND: .* has no band 'cs'; its bands are .*14 clear"),
        (dict(QA_BAND="20"), r"QA_BAND: band number 20 is outside 1\.\.14"),
    ],
)
def test_maskscene_refuses_bad_input_naming_the_parameter(plugin, tmp_path, changes, message):
    parameters = dict(INPUT=str(SCENE), QA_BAND="clear", THRESHOLD=0.5, OUTPUT=str(tmp_path / "masked.tif"))
    parameters.update(changes)
    with pytest.raises(QgsProcessingException, match=message):
        run(MASK_SCENE, **parameters)
    assert list(tmp_path.iterdir()) == []


def check(algorithm, **parameters):
    """What the dialog's Run button (and every batch row) asks before a run: ``checkParameterValues``."""
    from qgis.core import QgsProcessingContext

    alg = QgsApplication.processingRegistry().createAlgorithmById(algorithm)
    return alg.checkParameterValues(parameters, QgsProcessingContext())


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(OUTPUT="masked.png"), "OUTPUT: .* must be a GeoTIFF"),
        (dict(OUTPUT="SCENE"), r"OUTPUT: '.*' is the input scene \(INPUT\): writing it would destroy that input"),
        (dict(CLEAR_MASK="masked.tif"), "CLEAR_MASK: the clear mask must be written to another file"),
    ],
)
def test_maskscene_check_refuses_bad_outputs_before_the_run(plugin, tmp_path, changes, message):
    parameters = dict(INPUT=str(SCENE), QA_BAND="clear", THRESHOLD=0.5, OUTPUT=str(tmp_path / "masked.tif"))
    parameters.update({k: str(SCENE) if v == "SCENE" else str(tmp_path / v) for k, v in changes.items()})
    ok, text = check(MASK_SCENE, **parameters)
    assert not ok and re.match(message, text)
    assert check(
        MASK_SCENE,
        INPUT=str(SCENE),
        QA_BAND="clear",
        THRESHOLD=0.5,
        OUTPUT=str(tmp_path / "m.tif"),
        CLEAR_MASK=str(tmp_path / "clear.tif"),
    )[0]
    assert list(tmp_path.iterdir()) == []


def test_maskscene_cancel_leaves_no_output(plugin, tmp_path):
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda percent: feedback.cancel())
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        run(
            MASK_SCENE,
            feedback,
            INPUT=str(SCENE),
            QA_BAND="clear",
            THRESHOLD=0.5,
            OUTPUT=str(tmp_path / "masked.tif"),
            CLEAR_MASK=str(tmp_path / "clear.tif"),
        )
    assert list(tmp_path.iterdir()) == []


def test_evaluatemask_csv_holds_numbers_that_ogr_and_qgis_read_as_numbers(plugin, tmp_path, reference):
    from osgeo import ogr
    from qgis.core import QgsVectorLayer

    path, _ = reference
    table = tmp_path / "scores.csv"
    run(
        EVALUATE,
        SCORE=str(SCENE),
        QA_BAND="clear",
        THRESHOLD=0.4,
        THRESHOLDS="0.2,0.6",
        REFERENCE=str(path),
        OUTPUT=str(table),
    )
    assert '"' not in table.read_text(encoding="utf-8")
    types = "Real,Integer64,Integer64,Integer64,Integer64,Real,Real,Real,Real\n"
    assert (tmp_path / "scores.csvt").read_text() == types
    counts, ratios = ("tp", "fp", "fn", "tn"), ("threshold", "accuracy", "precision", "recall", "f1")
    source = ogr.Open(str(table))
    definition = source.GetLayer(0).GetLayerDefn()
    ogr_types = {
        definition.GetFieldDefn(i).GetName(): definition.GetFieldDefn(i).GetType()
        for i in range(definition.GetFieldCount())
    }
    assert {ogr_types[k] for k in counts} == {ogr.OFTInteger64}
    assert {ogr_types[k] for k in ratios} == {ogr.OFTReal}
    source = None
    layer = QgsVectorLayer(str(table), "scores", "ogr")
    assert layer.isValid() and layer.featureCount() == 3
    fields = layer.fields()
    assert {fields.field(k).typeName() for k in counts} == {"Integer64"}
    assert {fields.field(k).typeName() for k in ratios} == {"Real"}
    feature = next(layer.getFeatures())
    assert isinstance(feature["tp"], int) and isinstance(feature["f1"], float)


def test_evaluatemask_scores_thresholds_against_a_class_map(plugin, tmp_path, reference):
    path, classes = reference
    score, _ = demo_score()
    table, report = tmp_path / "scores.csv", tmp_path / "report.html"
    result = run(
        EVALUATE,
        SCORE=str(SCENE),
        QA_BAND="clear",
        THRESHOLD=0.4,
        THRESHOLDS="0.2,0.3,0.5,0.6",
        REFERENCE=str(path),
        OUTPUT=str(table),
        REPORT=str(report),
    )
    rows = table_rows(table)
    assert [float(r["threshold"]) for r in rows] == [0.2, 0.3, 0.4, 0.5, 0.6]
    for row in rows:
        counts = tuple(int(row[k]) for k in ("tp", "fp", "fn", "tn"))
        assert counts == expected(classes, score < np.float32(float(row["threshold"])))
        tp, fp, fn, tn = counts
        assert float(row["f1"]) == pytest.approx(2 * tp / (2 * tp + fp + fn))
    tp, fp, fn, tn = expected(classes, score < np.float32(0.4))
    assert (result["TP"], result["FP"], result["FN"], result["TN"]) == (tp, fp, fn, tn)
    assert result["PRECISION"] == pytest.approx(tp / (tp + fp)) and result["RECALL"] == pytest.approx(tp / (tp + fn))
    assert result["ACCURACY"] == pytest.approx((tp + tn) / (tp + fp + fn + tn))
    assert result["BEST_THRESHOLD"] in (0.2, 0.3, 0.4, 0.5, 0.6)
    text = report.read_text(encoding="utf-8")
    assert result["REPORT"] == str(report) and "<svg" in text and "reference.tif" in text


def test_evaluatemask_of_maskscenes_clear_mask(plugin, tmp_path, reference):
    path, classes = reference
    score, _ = demo_score()
    mask = tmp_path / "clear.tif"
    run(
        MASK_SCENE,
        INPUT=str(SCENE),
        QA_BAND="clear",
        THRESHOLD=0.45,
        OUTPUT=str(tmp_path / "m.tif"),
        CLEAR_MASK=str(mask),
    )
    result = run(
        EVALUATE,
        MASK=str(mask),
        MASK_MEANING=0,
        REFERENCE=str(path),
        OUTPUT=str(tmp_path / "scores.csv"),
        REPORT=str(tmp_path / "report.html"),
    )
    assert (result["TP"], result["FP"], result["FN"], result["TN"]) == expected(classes, score < np.float32(0.45))


def test_evaluatemask_esa_cloud_mask_against_alcd_labels(plugin, tmp_path):
    """The real example: ESA's MSK_CLASSI (opaque clouds or cirrus) against ALCD's labelled points."""
    path, classes = reference_class_map(tmp_path / "alcd.tif")
    result = run(
        EVALUATE,
        MASK=str(ESA_MASK),
        MASK_BANDS=[1, 2],
        MASK_MEANING=1,
        REFERENCE=str(path),
        OUTPUT=str(tmp_path / "scores.csv"),
        REPORT=str(tmp_path / "report.html"),
    )
    with rasterio.open(ESA_MASK) as src:
        cloudy = (src.read(1) != 0) | (src.read(2) != 0)
    assert (result["TP"], result["FP"], result["FN"], result["TN"]) == expected(classes, cloudy)
    assert result["PRECISION"] > 0.8 and 0.5 < result["RECALL"] < 0.7  # shadows are missed: no shadow layer
    assert len(table_rows(tmp_path / "scores.csv")) == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(THRESHOLDS="0.4,abc"), r"THRESHOLDS: 'abc' is not a clear threshold in the accepted range 0\.\.1"),
        (dict(THRESHOLDS="0.4 1.5"), r"THRESHOLDS: '1.5' is not a clear threshold"),
        (dict(THRESHOLD=-1), r"THRESHOLD: .*accepted range 0\.\.1"),
        (dict(QA_BAND="cs"), "QA_BAND: .* has no band 'cs'"),
        (dict(SCORE=None), "SCORE: give either .* not neither"),
        (dict(MASK=str(SCENE)), "SCORE: give either .* not both"),
        (dict(CLEAR_CLASSES="5,6,x"), "CLEAR_CLASSES: class value.* x are not whole numbers"),
        (dict(CLEAR_CLASSES="4,5"), "CLEAR_CLASSES: class.* 4 cannot be both clear and not clear"),
        (dict(REFERENCE="FAR"), "REFERENCE: the reference far.tif does not overlap the clear score raster"),
    ],
)
def test_evaluatemask_refuses_bad_input_naming_the_parameter(plugin, tmp_path, reference, changes, message):
    path, classes = reference
    out = tmp_path / "out"
    out.mkdir()
    parameters = dict(
        SCORE=str(SCENE),
        QA_BAND="clear",
        THRESHOLD=0.5,
        REFERENCE=str(path),
        OUTPUT=str(out / "scores.csv"),
        REPORT=str(out / "report.html"),
    )
    parameters.update(changes)
    if parameters["REFERENCE"] == "FAR":
        with rasterio.open(path) as src:
            profile = dict(src.profile, transform=src.transform * src.transform.translation(0, 5000))
        with rasterio.open(tmp_path / "far.tif", "w", **profile) as dst:
            dst.write(classes, 1)
        parameters["REFERENCE"] = str(tmp_path / "far.tif")
    parameters = {k: v for k, v in parameters.items() if v is not None}
    with pytest.raises(QgsProcessingException, match=message):
        run(EVALUATE, **parameters)
    assert list(out.iterdir()) == []


def test_evaluatemask_check_refuses_a_report_that_is_not_html(plugin, tmp_path, reference):
    path, _ = reference
    parameters = dict(
        SCORE=str(SCENE), QA_BAND="clear", THRESHOLD=0.5, REFERENCE=str(path), OUTPUT=str(tmp_path / "scores.csv")
    )
    ok, text = check(EVALUATE, **parameters, REPORT=str(tmp_path / "report.txt"))
    assert not ok and text.startswith("REPORT: ") and "must be an HTML file" in text
    ok, text = check(EVALUATE, **parameters, REPORT=str(tmp_path / "missing" / "report.html"))
    assert not ok and text.startswith("REPORT: ") and "does not exist or is not writable" in text
    assert check(EVALUATE, **parameters, REPORT=str(tmp_path / "report.html"))[0]


def test_evaluatemask_report_is_for_the_clear_threshold_like_the_outputs(plugin, tmp_path, reference):
    """THRESHOLD 0.3 is not the best F1: the report's matrix and per-class table are still 0.3's."""
    path, classes = reference
    score, _ = demo_score()
    report = tmp_path / "report.html"
    result = run(
        EVALUATE,
        SCORE=str(SCENE),
        QA_BAND="clear",
        THRESHOLD=0.3,
        THRESHOLDS="0.5,0.7",
        REFERENCE=str(path),
        OUTPUT=str(tmp_path / "scores.csv"),
        REPORT=str(report),
    )
    assert result["BEST_THRESHOLD"] != 0.3
    tp, fp, fn, tn = expected(classes, score < np.float32(0.3))
    assert (result["TP"], result["FP"], result["FN"], result["TN"]) == (tp, fp, fn, tn)
    text = report.read_text(encoding="utf-8")
    assert "Confusion matrix (threshold 0.3)" in text
    assert f"<td>{tp} (TP)</td><td>{fn} (FN)</td>" in text and f"<td>{fp} (FP)</td><td>{tn} (TN)</td>" in text
    assert f'<tr class="best"><td>{result["BEST_THRESHOLD"]:.3g}</td>' in text


def test_evaluatemask_writes_no_report_when_the_table_cannot_be_created(plugin, tmp_path, reference):
    path, _ = reference
    report = tmp_path / "report.html"
    with pytest.raises(QgsProcessingException):
        run(
            EVALUATE,
            SCORE=str(SCENE),
            QA_BAND="clear",
            THRESHOLD=0.5,
            REFERENCE=str(path),
            OUTPUT=str(tmp_path / "no such folder" / "scores.csv"),
            REPORT=str(report),
        )
    assert not report.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_evaluatemask_cancel_leaves_no_table_and_no_report(plugin, tmp_path, reference):
    path, _ = reference
    out = tmp_path / "out"
    out.mkdir()
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda percent: feedback.cancel())
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        run(
            EVALUATE,
            feedback,
            SCORE=str(SCENE),
            QA_BAND="clear",
            THRESHOLD=0.5,
            REFERENCE=str(path),
            OUTPUT=str(out / "scores.csv"),
            REPORT=str(out / "report.html"),
        )
    assert list(out.iterdir()) == []


def test_qgis_process_help_and_run(tmp_path, reference, qgis_process_env):
    """The headless path: help for both algorithms, then a maskscene and an evaluatemask run."""
    env = qgis_process_env
    helped = subprocess.run([QGIS_PROCESS, "help", MASK_SCENE], env=env, capture_output=True, text=True, check=True)
    assert "clear threshold" in helped.stdout and "QA_BAND" in helped.stdout and "CLEAR_MASK" in helped.stdout
    helped = subprocess.run([QGIS_PROCESS, "help", EVALUATE], env=env, capture_output=True, text=True, check=True)
    assert "ALCD" in helped.stdout and "THRESHOLDS" in helped.stdout and "REPORT" in helped.stdout

    def run_json(algorithm, **parameters):
        arguments = [f"{k}={v}" for k, v in parameters.items()]
        done = subprocess.run(
            [QGIS_PROCESS, "--json", "run", algorithm, "--", *arguments],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout[done.stdout.index("{") :])["results"]

    # qgis_process itself (C++, before the plugin's code) loads a layer input as a styled QGIS layer, whose
    # statistics GDAL saves beside the file: it is given a copy, so the bundled demo stays as it is.
    scene = tmp_path / SCENE.name
    shutil.copyfile(SCENE, scene)
    mask = tmp_path / "clear.tif"
    masked = run_json(
        MASK_SCENE, INPUT=scene, QA_BAND="clear", THRESHOLD=0.4, OUTPUT=tmp_path / "masked.tif", CLEAR_MASK=mask
    )
    score, _ = demo_score()
    assert masked["CLEAR_PIXELS"] == int((score >= np.float32(0.4)).sum())
    path, classes = reference
    scores = run_json(
        EVALUATE, MASK=mask, REFERENCE=path, OUTPUT=tmp_path / "scores.csv", REPORT=tmp_path / "report.html"
    )
    assert (scores["TP"], scores["FP"], scores["FN"], scores["TN"]) == expected(classes, score < np.float32(0.4))
    assert (tmp_path / "report.html").exists() and len(table_rows(tmp_path / "scores.csv")) == 1
