"""The result of a dock run: the layer group, its short names, RGB styling and other band combinations, the count
legend, percentile layers, layer metadata and tooltip; an existing output file is overwritten only when the user
says so, and a rerun replaces its own group; the band lookup for new (``B4_median``) and old (``B4``) files."""

import hashlib

import pytest
import rasterio
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsLayerTreeModel,
    QgsMultiBandColorRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsSingleBandPseudoColorRenderer,
)
from qgis.PyQt.QtCore import Qt

from .dock_support import DEMO_CRS, DEMO_DATES, INSIDE_DEMO, run_to_end


def _rgb_names(layer, descriptions):
    renderer = layer.renderer()
    assert isinstance(renderer, QgsMultiBandColorRenderer)
    for enhancement in (
        renderer.redContrastEnhancement(),
        renderer.greenContrastEnhancement(),
        renderer.blueContrastEnhancement(),
    ):
        assert (enhancement.minimumValue(), enhancement.maximumValue()) == (0, 2500)
    return [descriptions[b - 1] for b in (renderer.redBand(), renderer.greenBand(), renderer.blueBand())]


def test_find_band_reads_new_and_old_band_names():
    from cloudscore_composite.plugin.layers import find_band, statistics

    old = ["B2", "B3", "B4", "count"]
    assert find_band(old, "B4") == 3
    new = ["B2_p25", "B2_p50", "B2_p75", "B4_p25", "B4_p50", "B4_p75", "count"]
    assert find_band(new, "B4") == 5  # p50 preferred
    assert find_band(new, "B4", "p75") == 6
    assert statistics(new) == ["p25", "p50", "p75"] and statistics(old) == []
    assert find_band(["B4_min", "B4_max", "count"], "B4") == 1  # no preferred statistic: the first
    assert find_band(["B4_best", "B4_mean", "count"], "B4") == 2
    assert find_band(["B4_max", "B4_median", "count"], "B4") == 2
    with pytest.raises(KeyError):
        find_band(new, "B8")
    with pytest.raises(KeyError):
        find_band(new, "B4", "median")


def test_median_result_group_styling_and_metadata(dock, demo_folder, tmp_path):
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("median.tif")
    run_to_end(dock)
    with rasterio.open(tmp_path / "median.tif") as src:
        descriptions, scenes = list(src.descriptions), src.tags()["CLOUDSCORE_SCENES"].split(",")
    assert descriptions[3] == "B4_median" and descriptions[-1] == "count"

    group = QgsProject.instance().layerTreeRoot().findGroup(f"T33TVL {DEMO_DATES}")
    assert group is not None
    rgb, count = [node.layer() for node in group.findLayers()]
    # Statistic first and short, so the Layers panel tells them apart.
    assert rgb.name() == "median · T33TVL Jul–Sep 2015" and count.name() == "count · T33TVL Jul–Sep 2015"
    assert all(len(layer.name()) < 30 for layer in (rgb, count))
    assert _rgb_names(rgb, descriptions) == ["B4_median", "B3_median", "B2_median"]
    renderer = count.renderer()
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer)
    assert descriptions[renderer.band() - 1] == "count"
    legend = [label for label, _colour in renderer.legendSymbologyItems()]
    assert legend[0] == "1" and legend[-1] == "5"  # one entry per possible count, 1..5 scenes
    abstract = rgb.metadata().abstract()
    assert all(scene in abstract for scene in scenes)
    assert "QA band: clear" in abstract and "clear threshold: 0.6" in abstract
    assert count.metadata().abstract() == abstract

    dock.ui.combinationCombo.setCurrentText("False colour infrared (B8/B4/B3)")
    assert _rgb_names(rgb, descriptions) == ["B8_median", "B4_median", "B3_median"]
    dock.ui.combinationCombo.setCurrentText("Short-wave infrared (B12/B8A/B4)")
    assert _rgb_names(rgb, descriptions) == ["B12_median", "B8A_median", "B4_median"]


def test_percentiles_with_a_layer_per_percentile(dock, demo_folder, tmp_path):
    dock.set_folder(demo_folder)
    dock.ui.methodCombo.setCurrentText("percentiles")
    dock.ui.percentilesLineEdit.setText("25, 50, 75")
    dock.ui.statisticLayersCheckBox.setChecked(True)
    dock.ui.bandsCombo.setCheckedItems(["B2", "B3", "B4", "B8"])
    dock.ui.combinationCombo.setCurrentText("False colour infrared (B8/B4/B3)")
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("quartiles.tif")

    request = run_to_end(dock)

    assert request.method == "percentiles" and tuple(request.percentiles) == (25, 50, 75)
    assert list(request.bands) == ["B2", "B3", "B4", "B8"]
    with rasterio.open(tmp_path / "quartiles.tif") as src:
        descriptions = list(src.descriptions)
    assert len(descriptions) == 4 * 3 + 1
    group = QgsProject.instance().layerTreeRoot().findGroup(f"T33TVL {DEMO_DATES}")
    layers = {node.layer().name().split(" ")[0]: node for node in group.findLayers()}
    assert set(layers) == {"p50", "p25", "p75", "count"}  # the statistic first
    assert all(len(node.layer().name()) < 30 for node in layers.values())
    assert _rgb_names(layers["p50"].layer(), descriptions) == ["B8_p50", "B4_p50", "B3_p50"]
    assert _rgb_names(layers["p25"].layer(), descriptions) == ["B8_p25", "B4_p25", "B3_p25"]
    assert _rgb_names(layers["p75"].layer(), descriptions) == ["B8_p75", "B4_p75", "B3_p75"]
    assert not layers["p25"].itemVisibilityChecked() and layers["p50"].itemVisibilityChecked()

    dock.ui.combinationCombo.setCurrentText("True colour (B4/B3/B2)")
    assert _rgb_names(layers["p75"].layer(), descriptions) == ["B4_p75", "B3_p75", "B2_p75"]


def test_processing_styler_finds_new_band_names(plugin, demo_folder, tmp_path):
    from datetime import date

    from cloudscore_composite.plugin.algorithms.styling import CompositeStyler
    from cloudscore_composite.plugin.core.folder_source import FolderSource
    from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite

    output = tmp_path / "styled.tif"
    run_composite(CompositeRequest(date(2015, 7, 1), date(2015, 10, 1), "clear", output), FolderSource(demo_folder))
    layer = QgsRasterLayer(str(output), "styled")
    CompositeStyler().postProcessLayer(layer, None, None)
    with rasterio.open(output) as src:
        assert _rgb_names(layer, list(src.descriptions)) == ["B4_median", "B3_median", "B2_median"]


def test_cog_in_bytes_is_shown_in_reflectance(dock, demo_folder, tmp_path):
    """Byte output records its scale (DN = byte x 40); QGIS applies it, so the 0..2500 stretch still holds."""
    dock.set_folder(demo_folder)
    dock.ui.formatCombo.setCurrentText("COG")
    dock.ui.scaleToByteCheckBox.setChecked(True)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("bytes.tif")

    request = run_to_end(dock)

    assert request.output_format == "COG" and request.scale_to_byte
    with rasterio.open(tmp_path / "bytes.tif") as src:
        descriptions = list(src.descriptions)
        assert src.dtypes[0] == "uint8" and src.scales[3] == 40.0
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
    rgb = dock.result_layers().rgb
    assert _rgb_names(rgb, descriptions) == ["B4_median", "B3_median", "B2_median"]
    assert rgb.dataProvider().bandScale(4) == 40.0


def test_missing_band_of_a_combination_falls_back_to_true_colour(dock, demo_folder, tmp_path, qgis_iface):
    from qgis.core import Qgis

    from .dock_support import messages

    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("rgb_only.tif")
    dock.ui.bandsCombo.setCheckedItems(["B2", "B3", "B4"])
    dock.ui.combinationCombo.setCurrentIndex(1)  # false colour B8/B4/B3: B8 is not in the composite
    run_to_end(dock)
    with rasterio.open(tmp_path / "rgb_only.tif") as src:
        descriptions = list(src.descriptions)

    rgb = dock.result_layers().rgb
    assert _rgb_names(rgb, descriptions) == ["B4_median", "B3_median", "B2_median"]  # not blue painted red
    warnings = messages(qgis_iface, Qgis.MessageLevel.Warning)
    assert any("no band B8" in w and "B4/B3/B2" in w for w in warnings), warnings

    qgis_iface.messageBar().clear_messages()
    dock.ui.combinationCombo.setCurrentIndex(0)  # true colour: there, no warning
    assert messages(qgis_iface, Qgis.MessageLevel.Warning) == []
    dock.ui.combinationCombo.setCurrentIndex(2)  # SWIR B12/B8A/B4: missing again
    assert _rgb_names(rgb, descriptions) == ["B4_median", "B3_median", "B2_median"]
    assert len(messages(qgis_iface, Qgis.MessageLevel.Warning)) == 1


def _demo_run(dock, demo_folder, tmp_path, name="composite.tif"):
    dock.set_folder(demo_folder)
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText(name)


def _answer(dock, monkeypatch, answer):
    """Answer the overwrite question with ``answer``; returns the questions asked, as (path, proposed)."""
    asked = []

    def ask(path, proposed):
        asked.append((path, proposed))
        return answer

    monkeypatch.setattr(dock.composite_panel, "ask_overwrite", ask)
    return asked


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _result_groups(name):
    root = QgsProject.instance().layerTreeRoot()
    return [group for group in root.findGroups(True) if group.name() == name]


def test_a_rerun_with_overwrite_replaces_its_own_group(dock, demo_folder, tmp_path, monkeypatch):
    from cloudscore_composite.plugin.dock.composite_panel import OVERWRITE

    output = tmp_path / "composite.tif"
    _demo_run(dock, demo_folder, tmp_path)
    run_to_end(dock)
    first = {node.layerId() for node in dock.result_layers().group.findLayers()}
    asked = _answer(dock, monkeypatch, OVERWRITE)
    dock.set_threshold(0.3)  # another composite into the same file

    request = run_to_end(dock)

    assert asked == [(output, tmp_path / "composite_2.tif")]  # asked, with the next free name proposed
    assert request.output == output and not (tmp_path / "composite_2.tif").exists()
    with rasterio.open(output) as src:
        assert src.tags()["CLOUDSCORE_CLEAR_THRESHOLD"] == "0.3"
    groups = _result_groups(f"T33TVL {DEMO_DATES}")
    assert len(groups) == 1  # not a second group of the same name
    layers = [node.layer() for node in groups[0].findLayers()]
    assert len(layers) == 2 and not first & {layer.id() for layer in layers}
    assert all(layer.source() == str(output) for layer in layers)
    assert all("clear threshold: 0.3" in layer.metadata().abstract() for layer in layers)  # the new run's
    assert not first & set(QgsProject.instance().mapLayers())  # the old layers are gone from the project


def test_a_rerun_with_a_new_name_writes_composite_2_and_keeps_the_first(dock, demo_folder, tmp_path, monkeypatch):
    from cloudscore_composite.plugin.dock.composite_panel import NEW_NAME

    output, second = tmp_path / "composite.tif", tmp_path / "composite_2.tif"
    _demo_run(dock, demo_folder, tmp_path)
    run_to_end(dock)
    before = _digest(output)
    _answer(dock, monkeypatch, NEW_NAME)
    dock.set_threshold(0.3)

    request = run_to_end(dock)

    assert request.output == second and dock.ui.outputNameLineEdit.text() == "composite_2.tif"
    assert _digest(output) == before  # byte-identical
    with rasterio.open(second) as src:
        assert src.tags()["CLOUDSCORE_CLEAR_THRESHOLD"] == "0.3"
    sources = {node.layer().source() for node in QgsProject.instance().layerTreeRoot().findLayers()}
    assert sources == {str(output), str(second)}  # both results, each in its own group
    groups = _result_groups(f"T33TVL {DEMO_DATES}")
    assert [g.customProperty("cloudscore_composite/output") for g in groups] == [str(second), str(output)]


def test_cancelling_the_overwrite_question_starts_nothing(dock, demo_folder, tmp_path, monkeypatch):
    from cloudscore_composite.plugin.dock.composite_panel import KEEP

    output = tmp_path / "composite.tif"
    _demo_run(dock, demo_folder, tmp_path)
    run_to_end(dock)
    before, layers_before = _digest(output), set(QgsProject.instance().mapLayers())
    asked = _answer(dock, monkeypatch, KEEP)
    tasks_before = QgsApplication.taskManager().count()

    assert dock.run() is None

    assert len(asked) == 1 and not dock.is_running() and QgsApplication.taskManager().count() == tasks_before
    assert _digest(output) == before and not (tmp_path / "composite_2.tif").exists()
    assert set(QgsProject.instance().mapLayers()) == layers_before
    assert dock.ui.outputNameLineEdit.text() == "composite.tif" and dock.ui.runButton.isEnabled()


def test_the_abstract_and_tooltip_list_every_parameter(dock, demo_folder, tmp_path):
    dock.set_folder(demo_folder)
    dock.set_aoi_kind("typed")
    dock.ui.boundsLineEdit.setText(", ".join(f"{v:g}" for v in INSIDE_DEMO))
    dock.ui.boundsCrsWidget.setCrs(QgsCoordinateReferenceSystem(DEMO_CRS))
    dock.ui.methodCombo.setCurrentText("percentiles")
    dock.ui.percentilesLineEdit.setText("10, 50, 90")
    dock.ui.bandsCombo.setCheckedItems(["B2", "B3", "B4"])
    dock.ui.formatCombo.setCurrentText("COG")
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("every.tif")
    scene_ids = [scene.scene_id for scene in dock.source_panel.folder_scenes()]

    run_to_end(dock)

    rgb = dock.result_layers().rgb
    assert rgb.name() == "p50 · T33TVL Jul–Sep 2015"
    abstract = rgb.metadata().abstract()
    for expected in (
        "Percentiles: 10, 50, 90.",
        "Area of interest: Typed bounds: 465300, 5079400, 465900, 5080100 in EPSG:32633.",
        "QA band: clear; clear threshold: 0.6",
        "Bands: B2, B3, B4.",
        "Computed on this computer.",
        "Orbits: All scenes together",
        "Format: COG, DEFLATE compression, uint16",
        "2015-07-01 .. 2015-10-01 (end excluded)",
        f"Output: {tmp_path / 'every.tif'}",
    ):
        assert expected in abstract, (expected, abstract)
    assert any(scene_id in abstract for scene_id in scene_ids)
    with rasterio.open(tmp_path / "every.tif") as src:
        width, height, (x_size, y_size) = src.width, src.height, src.res
    assert f"Grid: {width} x {height} pixels of {x_size:g} x {y_size:g} m in EPSG:32633." in abstract
    # The Layers panel's tooltip: the whole title with the exact dates, the abstract and the file.
    model = QgsLayerTreeModel(QgsProject.instance().layerTreeRoot())
    tooltip = model.data(model.node2index(dock.result_layers().group.findLayer(rgb.id())), Qt.ItemDataRole.ToolTipRole)
    assert "p50 composite · T33TVL, 2015-07-01 .. 2015-10-01 (end excluded)" in tooltip
    assert "Percentiles: 10, 50, 90." in tooltip and "every.tif" in tooltip


def test_unticked_scenes_and_the_polygon_layer_are_in_the_abstract(dock, demo_folder, tmp_path):
    from .dock_support import find_to_end

    _demo_run(dock, demo_folder, tmp_path, "ticked.tif")
    find_to_end(dock)
    left_out = dock.scene_model.scenes[0].scene_id
    dock.scene_model.set_included(left_out, False)

    run_to_end(dock)

    abstract = dock.result_layers().rgb.metadata().abstract()
    assert f"Left out (unticked) (1): {left_out}." in abstract
    assert "Area of interest: Whole area of the scenes." in abstract
