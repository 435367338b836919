"""The result of a dock run: the layer group, RGB styling and other band combinations, the count legend,
percentile layers, layer metadata; and the band lookup for new (``B4_median``) and old (``B4``) files."""

import pytest
import rasterio
from qgis.core import QgsMultiBandColorRenderer, QgsProject, QgsRasterLayer, QgsSingleBandPseudoColorRenderer

from .dock_support import DEMO_DATES, run_to_end


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
    layers = {node.layer().name().rsplit(" ", 1)[-1]: node for node in group.findLayers()}
    assert set(layers) == {"composite", "p25", "p75", "count"}
    assert _rgb_names(layers["composite"].layer(), descriptions) == ["B8_p50", "B4_p50", "B3_p50"]
    assert _rgb_names(layers["p25"].layer(), descriptions) == ["B8_p25", "B4_p25", "B3_p25"]
    assert _rgb_names(layers["p75"].layer(), descriptions) == ["B8_p75", "B4_p75", "B3_p75"]
    assert not layers["p25"].itemVisibilityChecked() and layers["composite"].itemVisibilityChecked()

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
