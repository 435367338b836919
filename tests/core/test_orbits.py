"""Relative orbits (issue 12): acquisitions counted once, per-orbit composites blended without seams, output CRS
across UTM zones. The seams are measured on a synthetic two-orbit stack with Sentinel-2's real geometry
(``scripts/synthetic_orbits.py``: swaths of 290 km, orbits 200 km apart, orbit 122 brighter by a fixed offset, cloud
blobs, every pass delivered as overlapping MGRS-like tiles)."""

import sys
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.transform import from_origin
from rasterio.warp import transform as warp_transform

from cloudscore_composite.plugin.core.earthengine.search import scene_from_asset
from cloudscore_composite.plugin.core.engines import SERVERS, THIS_COMPUTER
from cloudscore_composite.plugin.core.errors import InputError
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.grid import Grid
from cloudscore_composite.plugin.core.orbits import (
    BLENDED,
    CENTRE_LINE,
    SwathWeights,
    block_compositor,
    coarse_valid,
    edge_distance,
    group_acquisitions,
    stack_layout,
)
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, plan_composite, run_composite
from cloudscore_composite.plugin.core.scene import Scene, parse_orbit
from cloudscore_composite.plugin.core.scene_export import scene_tags
from cloudscore_composite.plugin.core.source import Source

from ..conftest import DEMO_DIR, ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from synthetic_orbits import QA_BAND, write_two_orbit_stack

T0 = datetime(2023, 6, 1, 10, 0, 0, tzinfo=timezone.utc)


def scene(scene_id, seconds=0.0, orbit=None, crs="EPSG:32633"):
    return Scene(
        scene_id,
        T0 + timedelta(seconds=seconds),
        None,
        None,
        Grid(CRS.from_user_input(crs), from_origin(0, 100, 10, 10), 10, 10),
        ("B4", "cs"),
        0.0,
        orbit=orbit,
    )


# ---- scene metadata ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, orbit",
    [
        ("22", 22),
        (122, 122),
        ("7.0", 7),
        (" 143 ", 143),
        ("0", None),
        ("144", None),
        ("R022", None),
        (None, None),
        ("", None),
        ("22.5", None),
    ],
)
def test_relative_orbit_parses_from_tags_and_properties(value, orbit):
    assert parse_orbit(value) == orbit


def test_datatake_is_the_first_part_of_the_system_index():
    assert scene("20230105T184749_20230105T184745_T11SKB").datatake == "20230105T184749"
    assert scene("my_scene").datatake is None


def test_the_folder_source_reads_the_orbit_and_fetched_scenes_write_it(tmp_path):
    stack = write_two_orbit_stack(tmp_path / "stack", pixel=4000.0, passes=1)
    source = FolderSource(stack.folder)
    assert {s.orbit for s in source.scenes} == {22, 122}
    assert scene_tags(source.scenes[0])["SENSING_ORBIT_NUMBER"] == str(source.scenes[0].orbit)
    assert "SENSING_ORBIT_NUMBER" not in scene_tags(scene("x"))
    assert {s.orbit for s in FolderSource(DEMO_DIR).scenes} == {None}  # no tag: orbit "unknown"


def test_the_earth_engine_listing_carries_the_orbit():
    asset = {
        "id": "COPERNICUS/S2_SR_HARMONIZED/20230105T184749_20230105T184745_T11SKB",
        "startTime": "2023-01-05T18:47:49Z",
        "properties": {"SENSING_ORBIT_NUMBER": 70, "MGRS_TILE": "11SKB"},
        "bands": [
            {
                "id": "B2",
                "grid": {
                    "crsCode": "EPSG:32611",
                    "dimensions": {"width": 10, "height": 10},
                    "affineTransform": {"scaleX": 10, "translateX": 0, "scaleY": -10, "translateY": 100},
                },
            }
        ],
    }
    assert scene_from_asset(asset, True).orbit == 70
    del asset["properties"]["SENSING_ORBIT_NUMBER"]
    assert scene_from_asset(asset, True).orbit is None


# ---- acquisitions -----------------------------------------------------------------------------------------------


def test_tiles_of_one_datatake_are_one_acquisition_whatever_their_granule_times():
    scenes = [
        scene("20230601T100000_20230601T100000_T33TUL", 0, 22),
        scene("20230601T100000_20230601T100030_T33TVL", 30, 22),
        scene("20230601T100000_20230601T100400_T33TVK", 240, 22),  # minutes later, same datatake
        scene("20230606T100000_20230606T100000_T33TUL", 5 * 86400, 22),
        scene("20230601T114000_20230601T114000_T33TUL", 6000, 122),
    ]  # another orbit
    assert group_acquisitions(scenes) == [[0, 1, 2], [4], [3]]


def test_files_without_a_system_index_are_one_acquisition_within_60_s_of_their_orbit():
    scenes = [
        scene("a", 0, 22),
        scene("b", 45, 22),
        scene("c", 90, 22),  # a chain of granules, 45 s apart
        scene("d", 200, 22),
        scene("e", 20, 122),
        scene("f", 10, None),
        scene("g", 50, None),
    ]
    assert group_acquisitions(scenes) == [[0, 1, 2], [5, 6], [4], [3]]


def test_two_datatakes_are_never_merged_even_close_in_time():
    scenes = [
        scene("20230601T100000_20230601T100000_T33TUL", 0, 22),
        scene("20230601T100010_20230601T100010_T33TUL", 10, 22),
    ]
    assert group_acquisitions(scenes) == [[0], [1]]


def test_the_layout_puts_each_orbit_together_in_time_order():
    scenes = [
        scene("a", 0, 122),
        scene("b", 1000, 22),
        scene("c", 2000, None),
        scene("d", 3000, 122),
        scene("e", 3010, 122),
    ]
    layout = stack_layout(scenes, BLENDED)
    assert layout.acquisitions == ((1,), (0,), (3, 4), (2,))
    assert layout.slices == (slice(0, 1), slice(1, 3), slice(3, 4)) and layout.orbits == (22, 122, None)
    together = stack_layout(scenes)
    assert together.acquisitions == ((0,), (1,), (2,), (3, 4)) and not together.plain
    assert stack_layout(scenes[:3]).plain


def test_the_plain_path_is_kept_without_duplicates(tmp_path):
    """The default, performance-critical path: no layout compositor when every scene is its own acquisition."""
    request = CompositeRequest(date(2015, 7, 1), date(2015, 10, 1), "clear", tmp_path / "c.tif")
    source = FolderSource(DEMO_DIR)
    assert block_compositor(request, plan_composite(request, source), source) is None
    request.orbits = BLENDED  # one orbit ("unknown"): its composite is the composite
    assert block_compositor(request, plan_composite(request, source), source) is None


# ---- swath edges ------------------------------------------------------------------------------------------------


def test_edge_distance_is_the_exact_euclidean_distance_transform():
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(3)
    for shape, density in (((37, 53), 0.02), ((64, 20), 0.3), ((5, 200), 0.01)):
        edge = rng.random(shape) < density
        edge[0, 0] = True
        assert np.allclose(edge_distance(edge, chunk_bytes=4096), ndimage.distance_transform_edt(~edge))
    assert np.isinf(edge_distance(np.zeros((4, 4), dtype=bool))).all()


def test_seam_weights_are_continuous_across_block_borders_and_fall_to_zero_at_the_edge():
    coarse = Grid(CRS.from_epsg(32633), Affine(100.0, 0, 0, 0, -100.0, 1000), 10, 10)
    field = np.broadcast_to((np.arange(10) * 100.0 - 250.0)[np.newaxis, np.newaxis], (1, 10, 10)).copy()
    weights = SwathWeights(coarse, field, power=2.0)
    grid = Grid(coarse.crs, Affine(10.0, 0, 0, 0, -10.0, 1000), 100, 100)
    whole = weights.distances(grid, grid_window(0, 0, 100, 100))[0]
    parts = np.concatenate(
        [
            weights.distances(grid, grid_window(0, 0, 37, 100))[0],
            weights.distances(grid, grid_window(37, 0, 63, 100))[0],
        ],
        axis=1,
    )
    assert np.array_equal(whole, parts)
    x = (np.arange(100) + 0.5) * 10.0
    assert np.allclose(whole[0], np.maximum(np.clip(x, 50, 950) - 300.0, 0))  # 0 up to the edge at 300 m
    assert np.allclose(weights.weights(grid, grid_window(0, 0, 100, 1))[0, 0], whole[0] ** 2)


def test_the_coarse_valid_data_pass_agrees_with_a_warped_read(tmp_path):
    """A scene read on its own pixels in strips and sampled (the fast path) shows its data where a read warped onto
    the coarse grid does, to a cell along the edge, also in another CRS."""
    size = 2600
    rows, cols = np.mgrid[0:size, 0:size]
    valid = cols < 0.6 * size + 0.1 * rows  # a swath edge through the tile
    path = tmp_path / "20230601T100000_20230601T100000_T33TUL.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=size,
        height=size,
        count=2,
        dtype="uint16",
        nodata=0,
        crs="EPSG:32633",
        transform=from_origin(300000, 5100000, 10, 10),
        tiled=True,
    ) as dst:
        dst.write(np.stack([np.where(valid, 1000, 0), np.where(valid, 9000, 0)]).astype(np.uint16))
        dst.set_band_description(1, "B4")
        dst.set_band_description(2, "cs")
        dst.update_tags(ACQUISITION_TIME=T0.isoformat())
    source = FolderSource(tmp_path)
    for crs, left, top in (("EPSG:32633", 300000.0, 5100000.0), ("EPSG:32634", -170000.0, 5120000.0)):
        coarse = Grid(CRS.from_user_input(crs), Affine(230.0, 0, left, 0, -230.0, top), 150, 150)
        fast = coarse_valid(source.read_block, source.scenes[0], "cs", coarse)
        warped = source.read_block(source.scenes[0], ["cs"], coarse, grid_window(0, 0, 150, 150))[1][0]
        assert warped.mean() > 0.1 and (fast != warped).mean() < 0.01


def grid_window(col, row, width, height):
    from rasterio.windows import Window

    return Window(col, row, width, height)


# ---- the two-orbit stack ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_orbits(tmp_path_factory):
    """The stack, its scene folder, and composites: each orbit alone, together, blended (both seam rules)."""
    folder = tmp_path_factory.mktemp("orbits")
    stack = write_two_orbit_stack(folder / "scenes")
    source = FolderSource(stack.folder)
    ids = {o: [s.scene_id for s in source.scenes if s.orbit == o] for o in (22, 122)}

    def run(name, **changes):
        result = run_composite(
            CompositeRequest(stack.start, stack.end, QA_BAND, folder / f"{name}.tif", **changes), source
        )
        with rasterio.open(result.output) as out:
            return out.read().astype(np.float64), out.tags()

    composites = {"22": run("22", excluded_scenes=ids[122])[0], "122": run("122", excluded_scenes=ids[22])[0]}
    for name, changes in (
        ("together", {}),
        ("blended", dict(orbits=BLENDED)),
        ("centre", dict(orbits=BLENDED, seam_weights=CENTRE_LINE)),
    ):
        composites[name], tags = run(name, **changes)
        composites[name + "_tags"] = tags
    return stack, source, composites


def areas(stack):
    """(only orbit 22 clear, only orbit 122 clear, both clear): bool (rows, cols)."""
    a, b = stack.clear[0].any(axis=0), stack.clear[1].any(axis=0)
    return a & ~b, b & ~a, a & b


def largest_jump(stack, composite, where):
    """The largest step, between horizontal neighbours of which one is in ``where`` and both have data, of the
    composite less the ground truth (so the ground's own texture does not count), over the bands, in DN."""
    residual = composite[:-1] - stack.truth
    steps = np.abs(np.diff(residual, axis=2)).max(axis=0)
    data = composite[-1] > 0
    pairs = (where[:, 1:] | where[:, :-1]) & data[:, 1:] & data[:, :-1]
    return steps[pairs].max()


def test_the_stack_has_two_overlapping_orbits_and_duplicated_tiles(two_orbits):
    stack, source, _ = two_orbits
    only_a, only_b, both = areas(stack)
    assert only_a.mean() > 0.2 and only_b.mean() > 0.2 and both.mean() > 0.15
    assert len(source.scenes) > 2 * len(stack.clear[0])  # several tiles per pass
    assert max(len(files) for files in stack.files.values()) == 4


@pytest.mark.parametrize("mode", ["together", "blended", "centre", "22", "122"])
def test_count_is_the_number_of_distinct_clear_acquisitions(two_orbits, mode):
    stack, _, composites = two_orbits
    expected = {"22": stack.clear[0].sum(axis=0), "122": stack.clear[1].sum(axis=0)}.get(mode, stack.clear_count)
    assert np.array_equal(composites[mode][-1], expected)


def test_tiles_counted_twice_would_inflate_the_count(two_orbits):
    """A per-file count shows a band of higher counts along every tile overlap: what the acquisition rule removes."""
    stack, source, _ = two_orbits
    per_file = np.zeros(stack.shape, dtype=int)
    for scene in source.scenes:
        with rasterio.open(scene.path) as src:
            window = rasterio.windows.from_bounds(*src.bounds, transform=stack.transform)
            row, col = int(round(window.row_off)), int(round(window.col_off))
            per_file[row : row + src.height, col : col + src.width] += src.read(4) >= 6000  # cs >= 0.6
    assert (per_file >= stack.clear_count).all() and (per_file > stack.clear_count).mean() > 0.05


def test_single_orbit_pixels_equal_that_orbits_composite(two_orbits):
    stack, _, composites = two_orbits
    only_a, only_b, _ = areas(stack)
    for name in ("blended", "centre"):
        assert np.array_equal(composites[name][:, only_a], composites["22"][:, only_a])
        assert np.array_equal(composites[name][:, only_b], composites["122"][:, only_b])


def test_overlap_pixels_lie_between_the_orbits_and_move_monotonically_from_one_to_the_other(two_orbits):
    stack, _, composites = two_orbits
    _, _, both = areas(stack)
    a, b, blend = composites["22"][:-1], composites["122"][:-1], composites["blended"][:-1]
    assert ((blend >= np.minimum(a, b) - 0.5) & (blend <= np.maximum(a, b) + 0.5))[:, both].all()
    share = (blend - a) / (b - a)  # 0: orbit 22's value, 1: orbit 122's; orbit 122 lies east
    for row in range(stack.shape[0]):
        columns = np.flatnonzero(both[row])
        steps = np.diff(share[:, row, columns], axis=1)
        assert steps.min() > -0.01  # rounding to whole DN only
        assert share[:, row, columns[0]].max() < 0.02 and share[:, row, columns[-1]].min() > 0.98


def test_the_blend_shows_no_seam_while_together_and_a_stitch_do(two_orbits):
    stack, _, composites = two_orbits
    only_a, _only_b, both = areas(stack)
    offset = stack.offset
    noise = largest_jump(stack, composites["22"], only_a)  # neighbouring steps of the passes' own noise
    blended = largest_jump(stack, composites["blended"], both)
    assert blended < 0.1 * offset and blended < noise + 0.05 * offset
    assert largest_jump(stack, composites["together"], both) > 0.5 * offset
    # a half/half stitch: orbit 22 west of the middle of the overlap, orbit 122 east of it
    columns = np.arange(stack.shape[1])
    middle = np.array([np.flatnonzero(r).mean() if r.any() else 0 for r in both])[:, np.newaxis]
    a, b = composites["22"], composites["122"]
    west = columns[np.newaxis] < middle
    stitch = np.where(west, np.where(a[-1] > 0, a, b), np.where(b[-1] > 0, b, a))
    assert largest_jump(stack, stitch, both) > 0.9 * offset
    # the Pan-European rule leaves a step at each swath edge (an orbit still weighs ~10% there)
    centre = largest_jump(stack, composites["centre"], both)
    assert 0.1 * offset < centre < 0.3 * offset and centre > blended


def test_provenance_says_how_orbits_were_composited(two_orbits):
    _, _, composites = two_orbits
    tags = composites["blended_tags"]
    assert tags["CLOUDSCORE_ORBITS"] == "blended" and tags["CLOUDSCORE_RELATIVE_ORBITS"] == "22,122"
    assert tags["CLOUDSCORE_SEAM_WEIGHTS"] == "swath-edge" and tags["CLOUDSCORE_SEAM_POWER"] == "2"
    assert composites["centre_tags"]["CLOUDSCORE_SEAM_WEIGHTS"] == "centre-line"
    assert composites["together_tags"]["CLOUDSCORE_ORBITS"] == "together"
    assert "CLOUDSCORE_SEAM_WEIGHTS" not in composites["together_tags"]


def test_a_sub_area_equals_a_crop_of_the_full_composite(two_orbits, tmp_path):
    stack, source, composites = two_orbits
    left, top = stack.transform.c + 120_000, stack.transform.f - 30_000  # over the overlap, small blocks
    aoi = (left, top - 60_000, left + 170_000, top)
    result = run_composite(
        CompositeRequest(
            stack.start,
            stack.end,
            QA_BAND,
            tmp_path / "sub.tif",
            aoi=aoi,
            aoi_crs="EPSG:32633",
            orbits=BLENDED,
            block_size=48,
        ),
        source,
    )
    with rasterio.open(result.output) as out:
        sub = out.read().astype(np.float64)
    assert sub.shape[1:] == (60, 170)
    assert np.array_equal(sub, composites["blended"][:, 30:90, 120:290])


@pytest.mark.parametrize("method", ["percentiles", "best", "mean", "max"])
def test_every_method_blends_and_keeps_single_orbit_pixels(two_orbits, tmp_path, method):
    stack, source, _ = two_orbits
    ids = {o: [s.scene_id for s in source.scenes if s.orbit == o] for o in (22, 122)}

    def run(name, **changes):
        result = run_composite(
            CompositeRequest(stack.start, stack.end, QA_BAND, tmp_path / f"{name}.tif", method=method, **changes),
            source,
        )
        with rasterio.open(result.output) as out:
            return out.read().astype(np.float64)

    blend, a, b = run("blend", orbits=BLENDED), run("a", excluded_scenes=ids[122]), run("b", excluded_scenes=ids[22])
    only_a, only_b, both = areas(stack)
    assert np.array_equal(blend[:, only_a], a[:, only_a]) and np.array_equal(blend[:, only_b], b[:, only_b])
    assert np.array_equal(blend[-1], stack.clear_count)
    assert ((blend >= np.minimum(a, b) - 0.5) & (blend <= np.maximum(a, b) + 0.5))[:-1, both].all()


def test_acquisitions_without_a_system_index_count_once_by_the_60_s_rule(tmp_path):
    stack = write_two_orbit_stack(tmp_path / "scenes", pixel=2000.0, system_index=False)
    source = FolderSource(stack.folder)
    assert all(s.datatake is None for s in source.scenes)
    for orbits in ("together", BLENDED):
        result = run_composite(
            CompositeRequest(stack.start, stack.end, QA_BAND, tmp_path / f"{orbits}.tif", orbits=orbits), source
        )
        with rasterio.open(result.output) as out:
            assert np.array_equal(out.read(out.count), stack.clear_count)


# ---- duplicates across CRSs, output CRS across zones ------------------------------------------------------------


def write_utm_tile(path, zone, lon, lat, value, when, datatake, tile, size=300):
    """A 10 m tile of ``size`` px in UTM ``zone`` (north) centred on lon/lat, every pixel ``value``, clear."""
    crs = CRS.from_epsg(32600 + zone)
    (x,), (y,) = warp_transform("EPSG:4326", crs, [lon], [lat])
    left, top = round((x - size * 5) / 10) * 10, round((y + size * 5) / 10) * 10
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=size,
        height=size,
        count=2,
        dtype="float32",
        crs=crs,
        transform=from_origin(left, top, 10, 10),
        nodata=0,
    ) as dst:
        dst.write(np.full((2, size, size), [[[value]], [[0.9]]], dtype=np.float32))
        dst.set_band_description(1, "B4")
        dst.set_band_description(2, "cs")
        dst.update_tags(
            ACQUISITION_TIME=when.isoformat(),
            SENSING_ORBIT_NUMBER="79",
            SYSTEM_INDEX=f"{datatake}_{when:%Y%m%dT%H%M%S}_T{tile}",
        )


def test_a_mosaic_into_epsg_3035_at_30_m_from_two_utm_zones_counts_each_acquisition_once(tmp_path):
    """Tiles of zones 33 and 34 overlap across 18 deg E; two passes, each delivered as both tiles."""
    folder = tmp_path / "scenes"
    folder.mkdir()
    for number, value in ((0, 1000.0), (1, 2000.0)):
        when = T0 + timedelta(days=5 * number)
        datatake = f"{when:%Y%m%dT%H%M%S}"
        write_utm_tile(folder / f"a{number}.tif", 33, 17.99, 45.0, value, when, datatake, "33TYL")
        write_utm_tile(
            folder / f"b{number}.tif", 34, 18.01, 45.0, value + 2, when + timedelta(seconds=4), datatake, "34TBR"
        )
    source = FolderSource(folder)
    assert {s.crs.to_epsg() for s in source.scenes} == {32633, 32634}
    for orbits in ("together", BLENDED):
        result = run_composite(
            CompositeRequest(
                date(2023, 5, 1),
                date(2023, 7, 1),
                "cs",
                tmp_path / f"{orbits}.tif",
                crs="EPSG:3035",
                resolution=30,
                orbits=orbits,
            ),
            source,
        )
        with rasterio.open(result.output) as out:
            assert out.crs.to_epsg() == 3035 and out.res == (30.0, 30.0)
            median, count = out.read(1), out.read(2)
        assert count.max() == 2 and set(np.unique(count)) <= {0, 2}  # both passes, never a tile twice
        # where both tiles of a pass overlap, the pass is their mean: (1000 + 1002) / 2 and (2000 + 2002) / 2
        assert set(np.unique(median[count > 0])) <= {1500, 1501, 1502}
        assert (median == 1501).any()


# ---- refused input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, words",
    [
        (dict(orbits="per-orbit"), "ORBITS", "is not one of 0 together, 1 blended"),
        (dict(seam_weights="idw"), "SEAM_WEIGHTS", "is not one of 0 swath-edge, 1 centre-line"),
        (dict(seam_power=0.0), "SEAM_POWER", "outside the accepted range 0.1..10"),
        (dict(seam_power=11), "SEAM_POWER", "outside the accepted range 0.1..10"),
        (dict(seam_power=float("nan")), "SEAM_POWER", "outside the accepted range"),
        (dict(orbits=BLENDED, engine=SERVERS), "ORBITS", "computed on this computer only"),
    ],
)
def test_bad_orbit_options_are_refused_naming_the_parameter(tmp_path, changes, field, words):
    request = CompositeRequest(date(2015, 7, 1), date(2015, 10, 1), "clear", tmp_path / "c.tif", **changes)
    with pytest.raises(InputError) as caught:
        request.validate()
    assert caught.value.field == field and words in str(caught.value)


class ServerSource(Source):
    """A source that composites on servers by default (as Earth Engine), with the demo's scenes."""

    engines = (SERVERS, THIS_COMPUTER)

    def __init__(self):
        self.folder = FolderSource(DEMO_DIR)

    def describe(self):
        return "servers"

    def search(self, start, end, aoi=None, aoi_crs=None, *, is_canceled=None):
        return self.folder.search(start, end, aoi, aoi_crs)

    def qa_bands(self):
        return ["clear"]


def test_blending_on_the_servers_engine_is_refused_before_any_work(tmp_path):
    request = CompositeRequest(date(2015, 7, 1), date(2015, 10, 1), "clear", tmp_path / "c.tif", orbits=BLENDED)
    with pytest.raises(InputError, match="ORBITS: per-orbit composites blended"):
        plan_composite(request, ServerSource())
    request.engine = THIS_COMPUTER
    assert plan_composite(request, ServerSource()).engine == THIS_COMPUTER
