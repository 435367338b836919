"""Masking one scene on the real demo scenes, checked pixel by pixel against the input read with rasterio."""

import logging
import shutil

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.windows import Window

from cloudscore_composite.plugin.core.errors import Cancelled, InputError
from cloudscore_composite.plugin.core.folder_source import read_scene
from cloudscore_composite.plugin.core.mask_scene import (
    CLEAR,
    NO_SCORE,
    NOT_CLEAR,
    MaskSceneRequest,
    check_mask_outputs,
    check_mask_scene,
    mask_scene,
)
from cloudscore_composite.plugin.core.masking import clear_rule_tags
from cloudscore_composite.plugin.core.grid import Grid
from cloudscore_composite.plugin.core.score_raster import lattice_offset, read_bands

from .demo_reference import demo_files

PARTLY_CLOUDY = demo_files()[1]  # 2015-07-31: scores 0.04..0.77 (data README)
QA = 14  # the demo's QA band `clear` is band 14


def read(path):
    with rasterio.open(path) as src:
        return src.read(), src.profile, src.descriptions, src.tags()


@pytest.mark.parametrize("scene", demo_files(), ids=lambda p: p.stem[:8])
@pytest.mark.parametrize("threshold", [0.3, 0.6])
def test_masked_exactly_where_the_score_is_below_the_threshold(tmp_path, scene, threshold):
    out, mask = tmp_path / "masked.tif", tmp_path / "mask.tif"
    result = mask_scene(MaskSceneRequest(scene, "clear", out, threshold, clear_mask=mask))
    data, _profile, descriptions, tags = read(scene)
    masked, out_profile, out_descriptions, out_tags = read(out)
    score = data[QA - 1]
    unclear = (score < np.float32(threshold)) | (score == 0)  # 0 is the demo's nodata
    assert masked.dtype == data.dtype and out_profile["nodata"] == 0
    assert np.all(masked[:, unclear] == 0)
    assert np.array_equal(masked[:, ~unclear], data[:, ~unclear])
    assert out_descriptions == descriptions
    assert out_tags["SYSTEM_INDEX"] == tags["SYSTEM_INDEX"] and out_tags["CLOUDSCORE_QA_BAND"] == "clear"
    assert float(out_tags["CLOUDSCORE_CLEAR_THRESHOLD"]) == threshold
    with rasterio.open(mask) as src:
        assert src.nodata == NO_SCORE and src.dtypes[0] == "uint8"
        assert np.array_equal(src.read(1), np.where(unclear, NOT_CLEAR, CLEAR))
    assert result.pixels == result.scored_pixels == score.size
    assert result.clear_pixels == int((~unclear).sum())
    assert list(tmp_path.iterdir()) != [] and all(not p.name.startswith(".") for p in tmp_path.iterdir())


def test_the_partly_cloudy_scene_is_partly_masked(tmp_path):
    result = mask_scene(MaskSceneRequest(PARTLY_CLOUDY, "clear", tmp_path / "m.tif", 0.3))
    assert 0.2 < result.clear_fraction < 0.6


def test_a_score_equal_to_the_threshold_is_kept_and_nodata_scores_are_masked(tmp_path):
    scene = tmp_path / PARTLY_CLOUDY.name
    shutil.copy(PARTLY_CLOUDY, scene)
    with rasterio.open(scene, "r+") as src:
        score = src.read(QA)
        score[0, :5] = 0.0  # the file's nodata
        score[1, :5] = np.nan
        src.write(score, QA)
    threshold = float(score[50, 50])  # a real score of the scene, exactly
    out, mask = tmp_path / "masked.tif", tmp_path / "mask.tif"
    result = mask_scene(MaskSceneRequest(scene, "clear", out, threshold, clear_mask=mask))
    masked, *_ = read(out)
    with rasterio.open(mask) as src:
        clear = src.read(1)
    assert clear[50, 50] == CLEAR and masked[0, 50, 50] != 0
    assert np.all(clear[:2, :5] == NO_SCORE) and np.all(masked[:, :2, :5] == 0)
    assert result.scored_pixels == score.size - 10
    assert result.clear_pixels == int((score[np.isfinite(score) & (score != 0)] >= np.float32(threshold)).sum())


def test_blocks_do_not_change_the_result(tmp_path):
    whole, blocks = tmp_path / "whole.tif", tmp_path / "blocks.tif"
    mask_scene(MaskSceneRequest(PARTLY_CLOUDY, "clear", whole, 0.4))
    progress = []
    mask_scene(MaskSceneRequest(PARTLY_CLOUDY, "clear", blocks, 0.4, block_size=16), progress=progress.append)
    assert np.array_equal(read(whole)[0], read(blocks)[0])
    assert progress == sorted(progress) and len(progress) == 49 and progress[-1] == 100.0


@pytest.mark.parametrize("band", ["14", 14, "CLEAR"])
def test_the_qa_band_by_number_or_any_case(tmp_path, band):
    by_name, other = tmp_path / "a.tif", tmp_path / "b.tif"
    mask_scene(MaskSceneRequest(PARTLY_CLOUDY, "clear", by_name, 0.5))
    mask_scene(MaskSceneRequest(PARTLY_CLOUDY, band, other, 0.5))
    assert np.array_equal(read(by_name)[0], read(other)[0])


def test_a_scaled_uint8_score_is_read_as_0_to_1(tmp_path):
    scene = tmp_path / "scaled.tif"
    data, profile, *_ = read(PARTLY_CLOUDY)
    percent = np.clip(np.rint(data[QA - 1] * 100), 1, 100).astype(np.uint16)
    profile.update(count=2, dtype="uint16")
    with rasterio.open(scene, "w", **profile) as dst:
        dst.write(np.stack([data[3].astype(np.uint16), percent]))
        dst.descriptions = ("B4", "cs")
        dst.scales = (1.0, 0.01)
    result = mask_scene(MaskSceneRequest(scene, "cs", tmp_path / "m.tif", 0.5))
    masked, *_ = read(tmp_path / "m.tif")
    assert np.array_equal(masked[0] != 0, percent >= 50)
    assert result.clear_pixels == int((percent >= 50).sum())


def test_the_masked_scene_is_still_a_folder_source_scene(tmp_path):
    out = tmp_path / PARTLY_CLOUDY.name
    mask_scene(MaskSceneRequest(PARTLY_CLOUDY, "clear", out, 0.5))
    scene = read_scene(out)
    assert scene is not None and "clear" in scene.band_names and scene.time.date().isoformat() == "2015-07-31"


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(threshold=1.5), r"THRESHOLD: .*accepted range 0\.\.1"),
        (dict(threshold=-0.1), r"THRESHOLD: .*accepted range 0\.\.1"),
        (dict(qa_band="cs"), r"QA_BAND: .* has no band 'cs'; its bands are .*14 clear"),
        (dict(qa_band="15"), r"QA_BAND: band number 15 is outside 1\.\.14"),
        (dict(qa_band=""), "QA_BAND: name the band"),
        (dict(scene="README.md"), "INPUT: .* is not a raster file GDAL can read"),
        (dict(scene=""), "INPUT: choose a raster file"),
        (dict(output="masked.png"), "OUTPUT: .* must be a GeoTIFF"),
        (dict(output="SCENE"), r"OUTPUT: .* is the input scene \(INPUT\): writing it would destroy that input"),
        (dict(clear_mask="mask.jpg"), "CLEAR_MASK: .* must be a GeoTIFF"),
        (dict(clear_mask="OUT"), "CLEAR_MASK: .* another file"),
        (dict(block_size=4), "BLOCK_SIZE"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(tmp_path, changes, message):
    scene = tmp_path / "scene.tif"
    shutil.copy(PARTLY_CLOUDY, scene)
    (tmp_path / "README.md").write_text("not a raster")
    fields = dict(scene=scene, qa_band="clear", output=tmp_path / "out.tif", threshold=0.5)
    fields.update(changes)
    for key, value in fields.items():
        if value == "SCENE":
            fields[key] = scene
        elif value == "OUT":
            fields[key] = fields["output"]
        elif key in ("scene", "output", "clear_mask") and isinstance(value, str) and value:
            fields[key] = tmp_path / value
    with pytest.raises(InputError, match=message):
        mask_scene(MaskSceneRequest(**fields))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "scene.tif"]


def test_check_returns_the_qa_band_label():
    assert check_mask_scene(MaskSceneRequest(PARTLY_CLOUDY, "14", "", 0.5)) == "clear"


def test_cancel_leaves_no_output_and_keeps_an_older_one(tmp_path):
    out, mask = tmp_path / "masked.tif", tmp_path / "mask.tif"
    out.write_bytes(b"older")
    calls = []

    def cancel_on_third_block():
        calls.append(1)
        return len(calls) >= 3

    with pytest.raises(Cancelled):
        mask_scene(
            MaskSceneRequest(PARTLY_CLOUDY, "clear", out, 0.5, clear_mask=mask, block_size=16),
            is_canceled=cancel_on_third_block,
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["masked.tif"]
    assert out.read_bytes() == b"older"


def test_outputs_are_checked_without_reading_the_scene(tmp_path):
    """What ``maskscene``'s check runs before the run: .tif names, not the input, the clear mask not OUTPUT."""
    check_mask_outputs(MaskSceneRequest(PARTLY_CLOUDY, "clear", tmp_path / "out.tif", 0.5, tmp_path / "mask.tif"))
    with pytest.raises(InputError, match="CLEAR_MASK: .* another file"):
        check_mask_outputs(MaskSceneRequest(PARTLY_CLOUDY, "clear", tmp_path / "o.tif", 0.5, tmp_path / "o.tif"))
    with pytest.raises(InputError, match=r"OUTPUT: .* is the input scene \(INPUT\)"):
        check_mask_outputs(MaskSceneRequest(PARTLY_CLOUDY, "clear", PARTLY_CLOUDY, 0.5))
    assert list(tmp_path.iterdir()) == []


def test_outputs_carry_the_clear_rule_tags_and_the_plugins_geotiff_layout(tmp_path):
    out, mask = tmp_path / "masked.tif", tmp_path / "mask.tif"
    mask_scene(MaskSceneRequest(PARTLY_CLOUDY, "clear", out, 0.55, clear_mask=mask))
    tags = clear_rule_tags("clear", 0.55)
    assert tags["CLOUDSCORE_CLEAR_RULE"] == "clear where score >= threshold"
    assert float(tags["CLOUDSCORE_CLEAR_THRESHOLD"]) == 0.55 and tags["CLOUDSCORE_QA_BAND"] == "clear"
    for path in (out, mask):
        with rasterio.open(path) as src:
            assert tags.items() <= src.tags().items()
            assert src.profile["tiled"] and src.block_shapes[0] == (256, 256)
            assert src.compression.name.lower() == "deflate"


def test_a_0_to_100_score_without_a_scale_is_warned_about(tmp_path, caplog):
    scene = tmp_path / "percent.tif"
    data, profile, *_ = read(PARTLY_CLOUDY)
    with rasterio.open(scene, "w", **dict(profile, count=2)) as dst:
        dst.write(np.stack([data[3], data[QA - 1] * 100]))
        dst.descriptions = ("B4", "cs")
    with caplog.at_level(logging.WARNING):
        mask_scene(MaskSceneRequest(scene, "cs", tmp_path / "m.tif", 0.5))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "QA band cs reaches" in warnings[0] and "above the 0..1" in warnings[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        mask_scene(MaskSceneRequest(PARTLY_CLOUDY, "clear", tmp_path / "ok.tif", 0.5))
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def test_read_bands_on_an_aligned_grid_reads_pixels_as_they_are_and_scales_only_the_chosen_bands(tmp_path):
    """A grid on the scene's own lattice (here shifted 3 columns left and 2 rows down, so partly outside the
    scene) is read without warping and gives the same as the warped read; ``scaled`` limits the scaling."""
    scene = tmp_path / "scaled.tif"
    data, profile, *_ = read(PARTLY_CLOUDY)
    with rasterio.open(scene, "w", **dict(profile, count=2)) as dst:
        dst.write(np.stack([data[3], data[QA - 1]]))
        dst.scales = (0.5, 2.0)
    with rasterio.open(scene) as src:
        t = src.transform
        grid = Grid(src.crs, Affine(t.a, 0, t.c - 3 * t.a, 0, t.e, t.f + 2 * t.e), 40, 30)
        assert lattice_offset(src, grid) == (-3, 2)
        window = Window(0, 0, 40, 30)
        aligned, valid = read_bands(src, [1, 2], window, grid, scaled=[2])
        own, own_valid = read_bands(src, [1, 2], Window(0, 2, 37, 30))
    assert aligned.shape == valid.shape == (2, 30, 40)
    assert not valid[:, :, :3].any()  # outside the scene
    expected = data[[3, QA - 1], 2:32, :37].astype(np.float32)
    assert np.array_equal(aligned[0, :, 3:], expected[0])  # not scaled: not in ``scaled``
    assert np.array_equal(aligned[1, :, 3:], expected[1] * 2.0)
    assert np.array_equal(own[0], expected[0] * 0.5)  # ``scaled`` None: every band
    assert np.array_equal(valid[:, :, 3:], own_valid)
    with rasterio.open(scene) as src:  # the same grid half a pixel off: warped (nearest), not aligned
        shifted = Grid(grid.crs, grid.transform * Affine.translation(0.5, 0), 40, 30)
        assert lattice_offset(src, shifted) is None
        warped, warped_valid = read_bands(src, [1, 2], window, shifted, scaled=[2])
    assert warped.shape == (2, 30, 40) and warped_valid[:, :, 3:].all() and not warped_valid[:, :, :2].any()
    assert set(np.unique(warped[1][warped_valid[1]])) <= set(np.unique(data[QA - 1] * np.float32(2.0)))
