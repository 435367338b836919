"""Clear fractions of scenes inside an AOI, the threshold preview mask and scene subsets, on the demo scenes."""

from datetime import date

import numpy as np
import pytest
import rasterio
import rasterio.warp

from ..conftest import DEMO_DIR

DEMO_START, DEMO_END = date(2015, 7, 1), date(2015, 10, 1)
SUB_AOI = (465300.0, 5079400.0, 465900.0, 5080100.0)  # inside the demo scenes, EPSG:32633


@pytest.fixture(scope="module")
def source():
    from cloudscore_composite.plugin.core.folder_source import FolderSource

    return FolderSource(DEMO_DIR)


def _reference_fraction(scene, aoi, threshold):
    """Clear fraction read straight from the file with rasterio (the demo is on one grid, no resampling)."""
    with rasterio.open(scene.path) as src:
        window = rasterio.windows.from_bounds(*aoi, transform=src.transform).round_offsets().round_lengths()
        score = src.read(src.descriptions.index("clear") + 1, window=window, boundless=True, fill_value=0)
    valid = score != 0
    return float(((score >= np.float32(threshold)) & valid).sum()) / float(valid.sum())


def test_find_scenes_reads_scores_and_fractions_follow_the_threshold(source):
    from cloudscore_composite.plugin.core.scene_stats import find_scenes

    search = find_scenes(source, DEMO_START, DEMO_END, SUB_AOI, "EPSG:32633", "clear")

    assert [s.scene_id for s in search.scenes] == [s.scene_id for s in source.scenes]
    assert search.grid.crs.to_epsg() == 32633 and search.grid.width == 61 and search.grid.height == 71
    low, high = search.clear_fractions(0.2), search.clear_fractions(0.9)
    for scene in search.scenes:
        assert 0.0 <= high[scene.scene_id] <= low[scene.scene_id] <= 1.0
        scores = search.scores[scene.scene_id]
        assert scores.score.shape == (71, 61) and scores.score.dtype == np.float32
    # A scene with clouds over the AOI: fewer clear pixels at a higher threshold.
    assert any(high[k] < low[k] for k in low)


def test_clear_fraction_matches_the_file(source):
    from cloudscore_composite.plugin.core.scene_stats import find_scenes

    aoi = (465400.0, 5079500.0, 465800.0, 5079900.0)
    search = find_scenes(source, DEMO_START, DEMO_END, aoi, "EPSG:32633", "clear")
    scene = search.scenes[0]
    got = search.scores[scene.scene_id].clear_fraction(0.6)
    assert got == pytest.approx(_reference_fraction(scene, search.grid.bounds, 0.6), abs=0.02)


def test_scenes_without_the_qa_band_have_no_scores(source):
    from cloudscore_composite.plugin.core.scene_stats import find_scenes

    search = find_scenes(source, DEMO_START, DEMO_END, None, None, "cs")
    assert all(not s.has_scores for s in search.scores.values())
    assert set(search.clear_fractions(0.6).values()) == {None}


def test_read_scores_false_reads_nothing(source):
    from cloudscore_composite.plugin.core.scene_stats import find_scenes

    search = find_scenes(source, DEMO_START, DEMO_END, None, None, "clear", read_scores=False)
    assert len(search.scenes) == 5 and search.grid is None and search.scores == {}


def test_clip_polygon_limits_the_pixels_counted(source):
    from cloudscore_composite.plugin.core.scene_stats import find_scenes

    left, bottom, right, top = SUB_AOI
    triangle = {"type": "Polygon", "coordinates": [[(left, bottom), (right, bottom), (left, top), (left, bottom)]]}
    full = find_scenes(source, DEMO_START, DEMO_END, SUB_AOI, "EPSG:32633", "clear")
    clipped = find_scenes(source, DEMO_START, DEMO_END, SUB_AOI, "EPSG:32633", "clear", clip=[triangle])
    scene_id = full.scenes[0].scene_id
    full_count = full.scores[scene_id].valid.sum()
    clipped_count = clipped.scores[scene_id].valid.sum()
    assert clipped_count == pytest.approx(full_count / 2, rel=0.05)
    # Above the diagonal (top right) is outside the triangle, its right-angle corner (bottom left) inside.
    assert not clipped.scores[scene_id].valid[1, -2] and clipped.scores[scene_id].valid[-2, 1]


def test_score_grid_is_coarsened_to_the_pixel_budget(source):
    from cloudscore_composite.plugin.core.scene_stats import score_grid

    grid = score_grid(source.scenes, None, None, max_pixels=1000)
    assert grid.width * grid.height <= 1000
    assert grid.resolution[0] == pytest.approx(4 * source.scenes[0].transform.a)


def test_no_scene_in_the_aoi_raises_the_sources_error(source):
    from cloudscore_composite.plugin.core.errors import InputError
    from cloudscore_composite.plugin.core.scene_stats import find_scenes

    with pytest.raises(InputError) as raised:
        find_scenes(source, DEMO_START, DEMO_END, (0, 0, 1000, 1000), "EPSG:32633", "clear")
    assert raised.value.field == "EXTENT"


def test_cancel_stops_reading(source):
    from cloudscore_composite.plugin.core.errors import Cancelled
    from cloudscore_composite.plugin.core.scene_stats import find_scenes

    with pytest.raises(Cancelled):
        find_scenes(source, DEMO_START, DEMO_END, None, None, "clear", is_canceled=lambda: True)


def test_mask_preview_classes_and_file(source, tmp_path):
    from cloudscore_composite.plugin.core.mask_preview import CLEAR, NO_SCORE, NOT_CLEAR, write_mask_preview
    from cloudscore_composite.plugin.core.scene_stats import find_scenes

    search = find_scenes(source, DEMO_START, DEMO_END, SUB_AOI, "EPSG:32633", "clear")
    scores = search.scores[search.scenes[0].scene_id]
    path = write_mask_preview(tmp_path / "mask.tif", search.grid, scores, 0.6)
    with rasterio.open(path) as src:
        classes = src.read(1)
        assert src.nodata == NO_SCORE and src.crs == search.grid.crs and src.transform == search.grid.transform
    np.testing.assert_array_equal(classes == CLEAR, scores.clear(0.6))
    np.testing.assert_array_equal(classes == NOT_CLEAR, scores.valid & ~scores.clear(0.6))
    assert (classes == CLEAR).sum() / scores.valid.sum() == pytest.approx(scores.clear_fraction(0.6))


def _grid(source):
    from cloudscore_composite.plugin.core.scene_stats import score_grid

    return score_grid(source.scenes, None, None)


@pytest.mark.parametrize("max_pixels", [10**6, 900, 300])
def test_fetched_scores_sampled_on_a_coarse_grid(source, max_pixels):
    """Sampling the run's own grid gives the scores of the pixels nearest the coarse pixels' centres."""
    from cloudscore_composite.plugin.core.scene_stats import decimated_grid, find_scenes, read_fetched_scores

    full = find_scenes(source, DEMO_START, DEMO_END, None, None, "clear")  # the demo: 100 x 101, one grid
    grid = full.grid
    sampled = read_fetched_scores(source, full.scenes, "clear", grid, max_pixels=max_pixels)
    coarse, factor = decimated_grid(grid, max_pixels)
    assert sampled.grid == coarse and coarse.width * coarse.height <= max(max_pixels, grid.width * grid.height)
    assert coarse.resolution[0] == pytest.approx(grid.resolution[0] * factor)
    for scene in full.scenes:
        want = full.scores[scene.scene_id].score[factor // 2 :: factor, factor // 2 :: factor]
        got = sampled.scores[scene.scene_id].score
        np.testing.assert_array_equal(got[: want.shape[0], : want.shape[1]], want)
    if factor == 1:
        assert sampled.clear_fractions(0.6) == full.clear_fractions(0.6)
    else:
        for scene_id, fraction in full.clear_fractions(0.6).items():
            assert sampled.clear_fractions(0.6)[scene_id] == pytest.approx(fraction, abs=0.08)


def test_sampled_scores_are_the_same_block_by_block(source):
    from cloudscore_composite.plugin.core.scene_stats import find_scenes, read_sampled_scores

    full = find_scenes(source, DEMO_START, DEMO_END, None, None, "clear")
    scene = full.scenes[1]
    whole = read_sampled_scores(source, scene, "clear", full.grid, 3, block_size=4096)
    blocks = read_sampled_scores(source, scene, "clear", full.grid, 3, block_size=16)  # 15-px blocks
    np.testing.assert_array_equal(blocks.score, whole.score)
    np.testing.assert_array_equal(blocks.valid, whole.valid)
    assert whole.score.shape == (34, 34)


def test_composite_pixel_count_is_the_composite_grid(source):
    from cloudscore_composite.plugin.core.scene import scenes_grid
    from cloudscore_composite.plugin.core.scene_stats import composite_pixel_count

    # In the scenes' CRS, on their pixels: the AOI is widened to whole 10 m pixels (61 x 71).
    assert composite_pixel_count(SUB_AOI, "EPSG:32633", None, source.scenes) == 61 * 71
    assert composite_pixel_count(SUB_AOI, "EPSG:32633", 20.0, source.scenes) == 31 * 36
    # An AOI given in degrees counts the pixels of the scenes' UTM grid, not of a box measured in degrees.
    wgs84 = rasterio.warp.transform_bounds("EPSG:32633", "EPSG:4326", *SUB_AOI)
    grid = scenes_grid(source.scenes, wgs84, "EPSG:4326")
    assert composite_pixel_count(wgs84, "EPSG:4326", None, source.scenes) == grid.width * grid.height
    # Scenes not known yet (Earth Engine): the UTM zone of the AOI's centre, here the scenes' own zone 33N.
    assert composite_pixel_count(SUB_AOI, "EPSG:32633", 10.0) == 60 * 70


def test_scored_scenes_keeps_the_scenes_with_the_qa_band(source):
    import dataclasses

    from cloudscore_composite.plugin.core.scene_stats import scored_scenes

    unscored = dataclasses.replace(
        source.scenes[0], band_names=tuple(b for b in source.scenes[0].band_names if b != "clear")
    )
    scenes = [unscored] + list(source.scenes[1:])
    assert scored_scenes(scenes, "clear") == list(source.scenes[1:])


@pytest.mark.parametrize(
    "text, expected", [("25, 50, 75", (25.0, 50.0, 75.0)), ("10;90", (10.0, 90.0)), (" 5 ,", (5.0,))]
)
def test_parse_percentiles(text, expected):
    from cloudscore_composite.plugin.core.compositing import parse_percentiles

    assert parse_percentiles(text) == expected


@pytest.mark.parametrize("text", ["", "a, 50", "101", "50, 50"])
def test_parse_percentiles_refuses_bad_text(text):
    from cloudscore_composite.plugin.core.compositing import parse_percentiles
    from cloudscore_composite.plugin.core.errors import InputError

    with pytest.raises(InputError) as raised:
        parse_percentiles(text, "P")
    assert raised.value.field == "P"
