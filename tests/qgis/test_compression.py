"""ZSTD as an option of the output (issue 17): the algorithms' COMPRESSION and the dock's format combo."""

import numpy as np
import pytest
import rasterio

from ..conftest import DEMO_DIR
from ..core.demo_reference import reference_composite
from .dock_support import run_to_end

DEMO = dict(START_DATE="2015-07-01", END_DATE="2015-10-01", QA_BAND="clear", THRESHOLD=0.6)


@pytest.fixture
def zstd_available():
    from cloudscore_composite.plugin.core.raster_output import available_compressions

    if "ZSTD" not in available_compressions():
        pytest.skip("this GDAL has no ZSTD")


def test_compression_1_writes_zstd_with_the_same_pixels(plugin, tmp_path, zstd_available):
    import processing

    output = tmp_path / "zstd.tif"
    processing.run("cloudscore:compositefolder", dict(INPUT=str(DEMO_DIR), OUTPUT=str(output), COMPRESSION=1, **DEMO))
    expected = reference_composite(0.6)
    with rasterio.open(output) as out:
        assert out.compression.name == "zstd"
        data = out.read()
    assert np.array_equal(data[:13], expected["median"]) and np.array_equal(data[13], expected["count"])


def test_the_dock_offers_zstd_formats_after_the_deflate_ones(dock, demo_folder, tmp_path, zstd_available):
    combo = dock.ui.formatCombo
    assert [combo.itemText(i) for i in range(combo.count())] == ["GeoTIFF", "COG", "GeoTIFF (ZSTD)", "COG (ZSTD)"]
    assert [combo.itemData(i) for i in range(combo.count())] == ["GTiff", "COG", "GTiff ZSTD", "COG ZSTD"]
    assert "ZSTD" in combo.toolTip()
    dock.set_folder(demo_folder)
    combo.setCurrentText("COG (ZSTD)")
    dock.ui.outputFolderWidget.setFilePath(str(tmp_path))
    dock.ui.outputNameLineEdit.setText("zstd.tif")

    request = run_to_end(dock)

    assert request.output_format == "COG" and request.compression == "ZSTD"
    with rasterio.open(tmp_path / "zstd.tif") as src:
        assert src.compression.name == "zstd" and src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
