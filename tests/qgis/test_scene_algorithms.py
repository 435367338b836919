"""cloudscore:searchscenes, fetchscenes and seasonalcomposites run for real on the demo scenes, in batch and in
the shipped graphical model."""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import rasterio
from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer

from ..conftest import DEMO_DIR, ROOT
from ..core.demo_reference import CLOUDY_SCENE, read_demo
from .conftest import QGIS_PROCESS

DATES = dict(START_DATE="2015-07-01", END_DATE="2015-10-01")
AOI = "14.555,14.560,45.868,45.872 [EPSG:4326]"  # inside the demo patch (x min, x max, y min, y max)
MODEL = ROOT / "resources" / "models" / "search_fetch_composite.model3"


def run(algorithm, feedback=None, **parameters):
    import processing

    return processing.run(f"cloudscore:{algorithm}", parameters, feedback=feedback)


def composite(folder, output, **extra):
    return run(
        "compositefolder", INPUT=str(folder), OUTPUT=str(output), QA_BAND="clear", THRESHOLD=0.6, **DATES, **extra
    )


def read(path):
    with rasterio.open(path) as dataset:
        return dataset.read(), dataset.transform, dataset.descriptions


# --- searchscenes -------------------------------------------------------------------------------------------


def test_search_lists_every_demo_scene_with_its_clear_fraction(plugin, tmp_path):
    result = run(
        "searchscenes",
        INPUT=str(DEMO_DIR),
        QA_BAND="clear",
        THRESHOLD=0.6,
        OUTPUT=str(tmp_path / "scenes.gpkg"),
        **DATES,
    )
    assert (result["SCENE_COUNT"], result["SCORED_COUNT"]) == (5, 5)
    layer = QgsVectorLayer(result["OUTPUT"], "scenes")
    assert layer.isValid() and layer.crs().authid() == "EPSG:4326"
    features = list(layer.getFeatures())
    names = layer.fields().names()
    assert [n for n in names if n != "fid"] == [
        "id",
        "time",
        "tile",
        "platform",
        "cloud_pct",
        "score_available",
        "clear_fraction",
        "orbit",
    ]
    ids, _, scores, _ = read_demo()
    assert [f["id"] for f in features] == ids
    assert [f["time"].toString("yyyy-MM-dd") for f in features] == [
        "2015-07-11",
        "2015-07-31",
        "2015-08-20",
        "2015-08-30",
        "2015-09-09",
    ]
    assert features[0]["time"].toUTC().toString("yyyy-MM-ddTHH:mm:ss") == "2015-07-11T10:00:08"
    assert {f["tile"] for f in features} == {"33TVL"} and all(f["score_available"] for f in features)
    # The clear fraction over the whole scene (no AOI): clear scores >= 0.6 among the scored (non-nodata) pixels.
    expected = [(s >= np.float32(0.6)).sum() / (s != 0).sum() for s in scores]
    assert [f["clear_fraction"] for f in features] == pytest.approx(expected, abs=1e-6)
    assert dict(zip(ids, expected, strict=True))[CLOUDY_SCENE] < 0.05
    extent = features[0].geometry().boundingBox()
    assert 14.54 < extent.xMinimum() < 14.56 and 45.86 < extent.yMinimum() < 45.88


def test_search_in_the_scene_crs_over_an_aoi(plugin, tmp_path):
    result = run(
        "searchscenes",
        INPUT=str(DEMO_DIR),
        QA_BAND="clear",
        EXTENT=AOI,
        FOOTPRINT_CRS=1,
        OUTPUT=str(tmp_path / "scenes.gpkg"),
        **DATES,
    )
    layer = QgsVectorLayer(result["OUTPUT"], "scenes")
    assert layer.crs().authid() == "EPSG:32633"
    feature = next(layer.getFeatures())
    with rasterio.open(DEMO_DIR / f"{feature['id']}.tif") as scene:
        assert feature.geometry().area() == pytest.approx(scene.width * scene.height * scene.res[0] * scene.res[1])
    # In the AOI the fraction differs from the whole scene's and stays a fraction.
    assert all(0.0 <= f["clear_fraction"] <= 1.0 for f in layer.getFeatures())


def test_scenes_without_the_qa_band_are_listed_as_not_scored(plugin, demo_folder, tmp_path):
    first = sorted(demo_folder.glob("*.tif"))[0]
    with rasterio.open(first, "r+") as scene:
        scene.set_band_description(14, "other_score")
    result = run("searchscenes", INPUT=str(demo_folder), QA_BAND="clear", OUTPUT=str(tmp_path / "s.gpkg"), **DATES)
    assert (result["SCENE_COUNT"], result["SCORED_COUNT"]) == (5, 4)
    feature = next(QgsVectorLayer(result["OUTPUT"], "s").getFeatures())
    assert feature["id"] == first.stem and not feature["score_available"]
    assert feature["clear_fraction"] is None or str(feature["clear_fraction"]) == "NULL"


def test_cancelled_search_writes_no_layer(plugin, tmp_path):
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda percent: feedback.cancel())  # after the first scene's scores
    with pytest.raises(QgsProcessingException, match="Cancelled: no footprint layer was written"):
        run(
            "searchscenes",
            feedback=feedback,
            INPUT=str(DEMO_DIR),
            QA_BAND="clear",
            OUTPUT=str(tmp_path / "scenes.gpkg"),
            **DATES,
        )
    assert list(tmp_path.iterdir()) == []


# --- fetchscenes --------------------------------------------------------------------------------------------


def test_fetch_the_search_result_and_composite_it_like_the_whole_folder(plugin, tmp_path):
    search = run(
        "searchscenes", INPUT=str(DEMO_DIR), QA_BAND="clear", EXTENT=AOI, OUTPUT=str(tmp_path / "s.gpkg"), **DATES
    )
    fetched = run(
        "fetchscenes", INPUT=str(DEMO_DIR), SCENES=search["OUTPUT"], EXTENT=AOI, OUTPUT=str(tmp_path / "fetched")
    )
    assert fetched["OUTPUT"] == str(tmp_path / "fetched") and fetched["SCENE_COUNT"] == 5
    assert sorted(p.stem for p in (tmp_path / "fetched").iterdir()) == sorted(fetched["SCENE_IDS"].split(","))
    direct = read(composite(DEMO_DIR, tmp_path / "direct.tif", EXTENT=AOI)["OUTPUT"])
    chained = read(composite(fetched["OUTPUT"], tmp_path / "chained.tif", EXTENT=AOI)["OUTPUT"])
    assert chained[1] == direct[1] and chained[2] == direct[2]
    assert np.array_equal(chained[0], direct[0])


def test_fetch_only_the_chosen_scenes_and_bands_without_a_clip(plugin, tmp_path):
    search = run("searchscenes", INPUT=str(DEMO_DIR), QA_BAND="clear", OUTPUT=str(tmp_path / "s.gpkg"), **DATES)
    import processing

    chosen = processing.run(
        "native:extractbyexpression",
        dict(INPUT=search["OUTPUT"], EXPRESSION="clear_fraction > 0.9", OUTPUT=str(tmp_path / "clear.gpkg")),
    )
    fetched = run(
        "fetchscenes",
        INPUT=str(DEMO_DIR),
        SCENES=chosen["OUTPUT"],
        BANDS="B4, B3,B2,clear",
        OUTPUT=str(tmp_path / "fetched"),
    )
    files = sorted((tmp_path / "fetched").glob("*.tif"))
    assert CLOUDY_SCENE not in fetched["SCENE_IDS"] and 1 <= len(files) < 5
    with rasterio.open(files[0]) as copy, rasterio.open(DEMO_DIR / files[0].name) as original:
        assert copy.descriptions == ("B4", "B3", "B2", "clear")
        assert (copy.transform, copy.shape) == (original.transform, original.shape)
        assert np.array_equal(copy.read(4), original.read(14))


def test_fetch_by_dates_without_a_scene_layer_into_a_temporary_folder(plugin):
    fetched = run(
        "fetchscenes", INPUT=str(DEMO_DIR), START_DATE="2015-08-01", END_DATE="2015-09-01", OUTPUT="TEMPORARY_OUTPUT"
    )
    assert "TEMPORARY_OUTPUT" not in fetched["OUTPUT"]
    assert len(list(Path(fetched["OUTPUT"]).glob("*.tif"))) == 2
    assert fetched["SCENE_IDS"].split(",") == [
        "20150820T100728_20150820T100728_T33TVL",
        "20150830T100547_20150830T100547_T33TVL",
    ]


def test_cancelled_fetch_leaves_no_partial_file(plugin, tmp_path):
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda percent: feedback.cancel())  # after the first block
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        run("fetchscenes", feedback=feedback, INPUT=str(DEMO_DIR), OUTPUT=str(tmp_path / "out"), **DATES)
    left = list((tmp_path / "out").iterdir())
    assert not [p for p in left if p.name.startswith(".")]  # no hidden partial file
    for path in left:  # what is there is complete and readable
        with rasterio.open(path) as scene:
            scene.read()


# --- the Earth Engine source (a local fake of its REST API serving the demo scenes) ---------------------------


@pytest.fixture
def earth_engine(monkeypatch, tmp_path):
    """Earth Engine on 127.0.0.1 (tests/fake_earthengine.py), reached through the source's environment settings."""
    from ..fake_earthengine import TOKEN, FakeEarthEngine

    with FakeEarthEngine() as server:
        monkeypatch.setenv("CLOUDSCORE_EE_API_URL", server.url)
        monkeypatch.setenv("CLOUDSCORE_EE_TOKEN", TOKEN)
        monkeypatch.setenv("CLOUDSCORE_EE_PROJECT", "my-ee-project")
        monkeypatch.setenv("CLOUDSCORE_EE_CACHE", str(tmp_path / "ee-cache"))
        yield server


EE = dict(SOURCE=1, COLLECTION=1, EXTENT=AOI, QA_BAND="cs", **DATES)  # COLLECTION 1: COPERNICUS/S2_HARMONIZED


def test_search_earth_engine_lists_cloud_percentage_and_no_local_fraction(plugin, earth_engine, tmp_path):
    result = run("searchscenes", OUTPUT=str(tmp_path / "ee.gpkg"), **EE)
    assert (result["SCENE_COUNT"], result["SCORED_COUNT"]) == (5, 5)
    features = list(QgsVectorLayer(result["OUTPUT"], "ee").getFeatures())
    assert [f["id"] for f in features] == read_demo()[0]
    assert all(f["score_available"] and 0 <= f["cloud_pct"] <= 100 for f in features)
    assert all(str(f["clear_fraction"]) == "NULL" or f["clear_fraction"] is None for f in features)
    assert earth_engine.count("getPixels") == 0  # a search downloads no pixel


def test_fetch_from_earth_engine_composites_like_the_demo_folder(plugin, earth_engine, tmp_path):
    search = run("searchscenes", OUTPUT=str(tmp_path / "ee.gpkg"), **EE)
    fetched = run(
        "fetchscenes",
        SOURCE=1,
        COLLECTION=1,
        SCENES=search["OUTPUT"],
        EXTENT=AOI,
        BANDS="B2,B3,B4,cs",
        OUTPUT=str(tmp_path / "fetched"),
    )
    assert fetched["SCENE_COUNT"] == 5 and earth_engine.count("getPixels") > 0
    bands = dict(QA_BAND="cs", THRESHOLD=0.6, EXTENT=AOI, **DATES)
    from_ee = read(run("compositefolder", INPUT=fetched["OUTPUT"], OUTPUT=str(tmp_path / "ee.tif"), **bands)["OUTPUT"])
    local = read(composite(DEMO_DIR, tmp_path / "local.tif", EXTENT=AOI)["OUTPUT"])
    assert from_ee[1] == local[1]
    # B2, B3, B4 and count of the Earth Engine scenes are the demo folder's (its ``clear`` served as ``cs``).
    assert np.array_equal(from_ee[0][:3], local[0][1:4]) and np.array_equal(from_ee[0][-1], local[0][-1])


def test_earth_engine_needs_an_extent(plugin, earth_engine, tmp_path):
    for algorithm in ("searchscenes", "fetchscenes", "seasonalcomposites"):
        with pytest.raises(QgsProcessingException, match="EXTENT: the Earth Engine .* needs an area of interest"):
            run(algorithm, OUTPUT=str(tmp_path / "out"), YEARS="2015", **dict(EE, EXTENT=None))
    assert earth_engine.count("listAssets") == 0  # refused before any request


# --- seasonalcomposites -------------------------------------------------------------------------------------


def test_meteorological_seasons_of_the_demo_year(plugin, tmp_path):
    feedback = QgsProcessingFeedback()
    result = run(
        "seasonalcomposites",
        feedback=feedback,
        INPUT=str(DEMO_DIR),
        YEARS="2015",
        QA_BAND="clear",
        THRESHOLD=0.6,
        OUTPUT=str(tmp_path / "seasons"),
    )
    names = [os.path.basename(p) for p in result["OUTPUTS"]]
    assert names == ["composite_2015_JJA.tif", "composite_2015_SON.tif"]
    assert result["COMPOSITE_COUNT"] == 2 and result["SKIPPED"] == "2015_DJF,2015_MAM"
    assert "Season 2015_DJF (2014-12-01 to 2015-03-01, end excluded) skipped: no scene" in feedback.textLog()
    summer = read(result["OUTPUTS"][0])
    direct = read(
        run(
            "compositefolder",
            INPUT=str(DEMO_DIR),
            START_DATE="2015-06-01",
            END_DATE="2015-09-01",
            QA_BAND="clear",
            THRESHOLD=0.6,
            OUTPUT=str(tmp_path / "jja.tif"),
        )["OUTPUT"]
    )
    assert np.array_equal(summer[0], direct[0]) and summer[1] == direct[1]
    with rasterio.open(result["OUTPUTS"][1]) as autumn:
        assert autumn.tags()["CLOUDSCORE_SCENES"] == "20150909T100017_20150909T100017_T33TVL"


def test_custom_seasons_over_several_years(plugin, tmp_path):
    result = run(
        "seasonalcomposites",
        INPUT=str(DEMO_DIR),
        YEARS="2015-2016",
        SEASONS="jul=7;late=8-9",
        QA_BAND="clear",
        PREFIX="s2",
        EXTENT=AOI,
        OUTPUT=str(tmp_path / "seasons"),
    )
    assert [os.path.basename(p) for p in result["OUTPUTS"]] == ["s2_2015_jul.tif", "s2_2015_late.tif"]
    assert result["SKIPPED"] == "2016_jul,2016_late"
    with rasterio.open(result["OUTPUTS"][1]) as late:
        assert late.tags()["CLOUDSCORE_START_DATE"] == "2015-08-01"
        assert late.tags()["CLOUDSCORE_END_DATE"] == "2015-10-01"


def test_cancelled_seasonal_run_leaves_no_partial_file(plugin, tmp_path):
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda percent: feedback.cancel())
    with pytest.raises(QgsProcessingException, match="Cancelled") as raised:
        run(
            "seasonalcomposites",
            feedback=feedback,
            INPUT=str(DEMO_DIR),
            YEARS="2015",
            QA_BAND="clear",
            OUTPUT=str(tmp_path / "seasons"),
        )
    left = sorted(p.name for p in (tmp_path / "seasons").iterdir())
    assert left in ([], ["composite_2015_JJA.tif"])  # no partial file; a season finished before the cancel stays
    assert "composite_2015_SON.tif" not in left
    if left:
        assert "finished before it are kept" in str(raised.value)
        with rasterio.open(tmp_path / "seasons" / left[0]) as kept:
            assert kept.descriptions[-1] == "count"


def test_seasons_from_earth_engine(plugin, earth_engine, tmp_path):
    feedback = QgsProcessingFeedback()
    result = run(
        "seasonalcomposites",
        feedback=feedback,
        SOURCE=1,
        COLLECTION=1,
        EXTENT=AOI,
        YEARS="2015",
        QA_BAND="cs",
        BANDS="B4,B3,B2",
        ENGINE=1,
        OUTPUT=str(tmp_path / "ee"),
    )
    assert [os.path.basename(p) for p in result["OUTPUTS"]] == ["composite_2015_JJA.tif", "composite_2015_SON.tif"]
    # Each season is searched once, by its own run; DJF and MAM find nothing there and are skipped.
    assert result["SKIPPED"] == "2015_DJF,2015_MAM"
    assert (
        "Season 2015_MAM (2015-03-01 to 2015-06-01, end excluded) skipped: Earth Engine lists no scene"
        in feedback.textLog()
    )
    searches = [path for kind, path, _ in earth_engine.log if kind == "listAssets"]
    assert searches and len(searches) == len(set(searches))
    local = run(
        "seasonalcomposites",
        INPUT=str(DEMO_DIR),
        EXTENT=AOI,
        YEARS="2015",
        QA_BAND="clear",
        BANDS="B4,B3,B2",
        OUTPUT=str(tmp_path / "local"),
    )
    for from_ee, from_folder in zip(result["OUTPUTS"], local["OUTPUTS"], strict=True):
        ee, folder = read(from_ee), read(from_folder)
        assert ee[1] == folder[1] and ee[2] == folder[2] and np.array_equal(ee[0], folder[0])


def test_seasons_of_a_folder_with_either_local_engine(plugin, tmp_path):
    """ENGINE 0 (the default, Earth Engine's servers) means this computer for a folder; 1 says it outright."""
    for engine in (0, 1):
        result = run(
            "seasonalcomposites",
            INPUT=str(DEMO_DIR),
            YEARS="2015",
            SEASONS="late=8-9",
            QA_BAND="clear",
            ENGINE=engine,
            OUTPUT=str(tmp_path / f"engine{engine}"),
        )
        with rasterio.open(result["OUTPUTS"][0]) as composite:
            assert composite.tags()["CLOUDSCORE_ENGINE"] == "this-computer"


def test_seasons_from_earth_engine_refuse_an_export_without_a_bucket(plugin, earth_engine, tmp_path):
    with pytest.raises(QgsProcessingException, match=r"BUCKET: the export to Cloud Storage \(ENGINE 2\) needs"):
        run(
            "seasonalcomposites",
            SOURCE=1,
            COLLECTION=1,
            EXTENT=AOI,
            YEARS="2015",
            QA_BAND="cs",
            ENGINE=2,
            OUTPUT=str(tmp_path / "ee"),
        )
    assert earth_engine.count("listAssets") == 0


# --- bad input, help ----------------------------------------------------------------------------------------

SEARCH = dict(INPUT=str(DEMO_DIR), QA_BAND="clear", **DATES)
SEASONAL = dict(INPUT=str(DEMO_DIR), YEARS="2015", QA_BAND="clear")


@pytest.mark.parametrize(
    "algorithm, parameters, message",
    [
        ("searchscenes", dict(SEARCH, END_DATE="2015-06-01"), "END_DATE: end date 2015-06-01 must be after"),
        ("searchscenes", dict(SEARCH, QA_BAND="cs"), "QA_BAND: no scene has the QA band 'cs'; QA bands found: clear"),
        (
            "searchscenes",
            dict(SEARCH, START_DATE="2016-01-01", END_DATE="2016-02-01"),
            "START_DATE: no scene was acquired between 2016-01-01 and 2016-02-01",
        ),
        ("searchscenes", dict(SEARCH, EXTENT="13.0,13.1,45.0,45.1 [EPSG:4326]"), "EXTENT: .*touches no scene"),
        ("searchscenes", dict(SEARCH, THRESHOLD=2), "THRESHOLD"),
        ("fetchscenes", dict(INPUT=str(DEMO_DIR)), "START_DATE: give the start date"),
        (
            "fetchscenes",
            dict(INPUT=str(DEMO_DIR), BANDS="B4,cs", **DATES),
            "BANDS: scene.* lack some of the bands B4, cs",
        ),
        ("fetchscenes", dict(INPUT="EMPTY", **DATES), "INPUT: .*holds no Sentinel-2 scene"),
        ("seasonalcomposites", dict(SEASONAL, YEARS="2016"), r"YEARS: no season \(DJF, MAM, JJA, SON\) of 2016"),
        ("seasonalcomposites", dict(SEASONAL, YEARS="15"), "YEARS: '15' is not a year"),
        ("seasonalcomposites", dict(SEASONAL, SEASONS="summer=6-13"), "SEASONS: month 13"),
        ("seasonalcomposites", dict(SEASONAL, PREFIX="a/b"), "PREFIX: prefix 'a/b'"),
        ("seasonalcomposites", dict(SEASONAL, QA_BAND="cs"), "YEARS: .*QA band 'cs'"),
        ("seasonalcomposites", dict(SEASONAL, ENGINE=2, BUCKET="b-1"), r"ENGINE: this source cannot composite export"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(plugin, tmp_path, algorithm, parameters, message):
    if parameters["INPUT"] == "EMPTY":
        parameters = dict(parameters, INPUT=str(tmp_path))
    with pytest.raises(QgsProcessingException, match=message):
        run(algorithm, OUTPUT=str(tmp_path / "out"), **parameters)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_fetch_with_unknown_ids_reports_them(plugin, tmp_path):
    layer = QgsVectorLayer("None?field=id:string", "ids", "memory")
    from qgis.core import QgsFeature, QgsProject

    for scene_id in ("20150711T100008_20150711T100008_T33TVL", "20160101T000000_20160101T000000_T33TVL"):
        feature = QgsFeature(layer.fields())
        feature["id"] = scene_id
        layer.dataProvider().addFeature(feature)
    QgsProject.instance().addMapLayer(layer)
    try:
        feedback = QgsProcessingFeedback()
        result = run(
            "fetchscenes", feedback=feedback, INPUT=str(DEMO_DIR), SCENES=layer.id(), OUTPUT=str(tmp_path / "out")
        )
        assert result["SCENE_COUNT"] == 1
        assert "not found in the folder" in feedback.textLog() and "20160101T000000" in feedback.textLog()
        with pytest.raises(QgsProcessingException, match="ID_FIELD: the scene layer has no field 'name'"):
            run("fetchscenes", INPUT=str(DEMO_DIR), SCENES=layer.id(), ID_FIELD="name", OUTPUT=str(tmp_path / "o"))
    finally:
        QgsProject.instance().removeMapLayer(layer.id())


@pytest.mark.parametrize(
    "algorithm, words",
    [
        ("searchscenes", ["clear_fraction", "score_available", "EPSG:4326"]),
        ("fetchscenes", ["compositefolder", "id field", "temporary name", "SCENE_IDS"]),
        (
            "seasonalcomposites",
            [
                "meteorological",
                "previous",
                "winter=12-2;summer=6-8",
                "composite_2016_MAM.tif",
                "ENGINE",
                "both mean this computer",
            ],
        ),
        (
            "compositeearthengine",
            [
                "Cloud Score+",
                "CLOUDSCORE_EE_PROJECT",
                "downloaded in tiles",
                "UTM zone",
                "COLLECTION",
                "ENGINE",
                "earthengine.computations.create",
                "On Earth Engine's servers (only the composite is downloaded)",
                "On this computer (downloads every scene; cached, re-threshold offline)",
                "CLOUDSCORE_ENGINE",
            ],
        ),
    ],
)
def test_qgis_process_prints_the_help(qgis_process_env, algorithm, words):
    helped = subprocess.run(
        [QGIS_PROCESS, "help", f"cloudscore:{algorithm}"],
        env=qgis_process_env,
        capture_output=True,
        text=True,
        check=True,
    )
    for word in words:
        assert word in helped.stdout


def test_qgis_process_lists_every_algorithm(qgis_process_env):
    listed = subprocess.run([QGIS_PROCESS, "list"], env=qgis_process_env, capture_output=True, text=True, check=True)
    ids = {word for line in listed.stdout.splitlines() for word in line.split() if word.startswith("cloudscore:")}
    assert ids == {
        f"cloudscore:{name}"
        for name in (
            "compositefolder",
            "compositeearthengine",
            "searchscenes",
            "fetchscenes",
            "seasonalcomposites",
            "maskscene",
            "evaluatemask",
        )
    }


def test_an_unreadable_scene_folder_is_refused_naming_the_parameter(plugin, tmp_path, monkeypatch):
    """An OSError while reading the inputs (here: listing the folder) is a message naming INPUT, no traceback."""
    folder = tmp_path / "locked"
    folder.mkdir()
    real_iterdir = Path.iterdir

    def iterdir(path):
        if path == folder:
            raise PermissionError(13, "Permission denied", str(folder))
        return real_iterdir(path)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    for algorithm, parameters in (
        ("searchscenes", dict(QA_BAND="clear", **DATES)),
        ("fetchscenes", DATES),
        ("seasonalcomposites", dict(YEARS="2015", QA_BAND="clear")),
    ):
        with pytest.raises(QgsProcessingException, match=f"INPUT: cannot read the folder '{folder}': Permission"):
            run(algorithm, INPUT=str(folder), OUTPUT=str(tmp_path / "out"), **parameters)


def test_an_oserror_in_any_check_is_a_message_not_a_traceback(plugin, tmp_path, monkeypatch):
    from qgis.core import QgsProcessingContext

    from cloudscore_composite.plugin.algorithms.mask_scene import MaskSceneAlgorithm

    def check(self, parameters, context):
        raise FileNotFoundError(2, "No such file or directory", "/gone/scene.tif")

    monkeypatch.setattr(MaskSceneAlgorithm, "check", check)
    alg = QgsApplication.processingRegistry().createAlgorithmById("cloudscore:maskscene")
    assert alg.checkParameterValues({}, QgsProcessingContext()) == (
        False,
        "cannot read '/gone/scene.tif': No such file or directory",
    )


# --- batch and the shipped model ----------------------------------------------------------------------------


def test_batch_dialog_runs_compositefolder_over_several_extents(plugin, qgis_iface, tmp_path, monkeypatch):
    """QGIS's own batch machinery: a batch file as the batch panel saves it, loaded and run by the dialog."""
    from processing.gui.BatchAlgorithmDialog import BatchAlgorithmDialog
    from qgis.PyQt.QtWidgets import QFileDialog

    extents = ["14.550,14.555,45.866,45.870 [EPSG:4326]", AOI, "14.556,14.562,45.870,45.875 [EPSG:4326]"]
    rows = [
        {
            "PARAMETERS": {
                "INPUT": repr(str(DEMO_DIR)),
                "EXTENT": repr(extent),
                "START_DATE": repr("2015-07-01"),
                "END_DATE": repr("2015-10-01"),
                "QA_BAND": repr("clear"),
                "THRESHOLD": "0.6",
            },
            "OUTPUTS": {"OUTPUT": repr(str(tmp_path / f"batch_{i}.tif"))},
        }
        for i, extent in enumerate(extents)
    ]
    batch_file = tmp_path / "batch.json"
    batch_file.write_text(json.dumps(rows))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(batch_file), ""))
    algorithm = QgsApplication.processingRegistry().createAlgorithmById("cloudscore:compositefolder")
    dialog = BatchAlgorithmDialog(algorithm, parent=qgis_iface.mainWindow())
    dialog.mainWidget().load()
    assert dialog.mainWidget().batchRowCount() == 3
    dialog.runAlgorithm()
    for i, extent in enumerate(extents):
        batch = read(tmp_path / f"batch_{i}.tif")
        single = read(composite(DEMO_DIR, tmp_path / f"single_{i}.tif", EXTENT=extent)["OUTPUT"])
        assert batch[1] == single[1] and np.array_equal(batch[0], single[0])
    dialog.deleteLater()


def test_the_shipped_model_runs_headless_and_matches_the_direct_composite(plugin, qgis_process_env, tmp_path):
    output = tmp_path / "model.tif"
    arguments = [
        f"scenes={DEMO_DIR}",
        f"aoi={AOI}",
        "start_date=2015-07-01",
        "end_date=2015-10-01",
        "qa_band=clear",
        "threshold=0.6",
        f"composite:Composite={output}",
    ]
    ran = subprocess.run(
        [QGIS_PROCESS, "--json", "run", str(MODEL), "--", *arguments],
        env=qgis_process_env,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert json.loads(ran.stdout[ran.stdout.index("{") :])["results"]["composite:Composite"] == str(output)
    direct = read(composite(DEMO_DIR, tmp_path / "direct.tif", EXTENT=AOI)["OUTPUT"])
    modelled = read(output)
    assert modelled[1] == direct[1] and modelled[2] == direct[2]
    assert np.array_equal(modelled[0], direct[0])


def test_the_shipped_model_is_what_the_script_writes(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run(
        ["/usr/bin/python3", str(ROOT / "scripts" / "make_model.py"), "--output", str(tmp_path / "model.model3")],
        env=env,
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "model.model3").read_bytes() == MODEL.read_bytes()
