"""Search: the listAssets filter, paging, the Cloud Score+ link, scenes without a score, scene metadata."""

import json
import logging
from datetime import date, datetime, timezone

import pytest
from cloudscore_composite.plugin.core.earthengine.errors import EarthEngineError
from cloudscore_composite.plugin.core.earthengine.search import aoi_geometry, asset_filter, parse_rfc3339
from cloudscore_composite.plugin.core.errors import Cancelled, InputError, NoScenesFound
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, plan_composite

from ...fake_earthengine import L2A, SCORES, FakeEarthEngine
from .conftest import END, START, demo_aoi

UNSCORED = "20150820T100728_20150820T100728_T33TVL"


def test_scenes_carry_their_metadata_and_scores(make_source, demo_grid, server):
    scenes = make_source().search(START, END, *demo_aoi(demo_grid))
    assert [s.scene_id for s in scenes] == sorted(server.scenes)
    first = scenes[0]
    assert first.time == datetime(2015, 7, 11, 10, 0, 8, tzinfo=timezone.utc)
    assert first.tile == "33TVL" and first.platform == "Sentinel-2A" and first.path is None
    assert first.crs.to_epsg() == 32633 and (first.width, first.height) == (100, 101)
    assert first.transform == demo_grid.transform
    assert first.band_names[-2:] == ("cs", "cs_cdf") and "B10" in first.band_names
    assert first.footprint["type"] == "Polygon"
    cloudy = {s.scene_id: s.cloudy_percentage for s in scenes}
    assert cloudy[UNSCORED] == 100.0 and cloudy[first.scene_id] == 0.0


def test_the_filter_names_dates_and_region_and_the_score_collection_is_listed(make_source, demo_grid, server):
    make_source().search(date(2015, 7, 31), date(2015, 8, 30), *demo_aoi(demo_grid))
    queries = server.requests_of("listAssets")
    assert len(queries) == 2  # the Cloud Score+ collection, then the scenes
    text = queries[1]["filter"]
    assert text.startswith(
        'startTime >= "2015-07-31T00:00:00Z" AND startTime < "2015-08-30T00:00:00Z" AND '
        "intersects(\"{'type': 'Polygon', "
    )
    assert text.endswith(']]}")') and text.count('"') == 6  # the GeoJSON's own quotes are single quotes
    region = json.loads(text[text.index('intersects("') + len('intersects("') : -2].replace("'", '"'))
    lon = [p[0] for p in region["coordinates"][0]]
    assert region["type"] == "Polygon" and 14.5 < min(lon) < max(lon) < 14.6
    assert queries[0]["view"] == "BASIC"


def test_dates_are_start_included_end_excluded(make_source, demo_grid):
    source = make_source()
    ids = [s.scene_id for s in source.search(date(2015, 7, 11), date(2015, 8, 30), *demo_aoi(demo_grid))]
    assert ids == [
        "20150711T100008_20150711T100008_T33TVL",
        "20150731T100009_20150731T100009_T33TVL",
        "20150820T100728_20150820T100728_T33TVL",
    ]


def test_an_aoi_elsewhere_finds_nothing_and_an_aoi_is_required(make_source):
    source = make_source()
    assert source.search(START, END, (13.0, 45.0, 13.1, 45.1), "EPSG:4326") == []
    no_scene = source.no_scene_error(START, END)
    assert isinstance(no_scene, NoScenesFound) and "START_DATE: Earth Engine lists no scene" in str(no_scene)
    with pytest.raises(InputError, match="EXTENT: Earth Engine needs an area of interest"):
        source.search(START, END, None, None)


def test_every_page_of_many_scenes_is_followed(retry, tmp_path, demo_grid):
    with FakeEarthEngine(extra_scenes=60, page_size_max=7) as server:
        from cloudscore_composite.plugin.core.earthengine.source import EarthEngineSource

        source = EarthEngineSource(
            L2A, project="p", cache_dir=tmp_path, api_url=server.url, credentials="fake-access-token", retry=retry
        )
        scenes = source.search(date(2016, 1, 1), date(2016, 3, 1), *demo_aoi(demo_grid))
        assert len(scenes) == 60 and len({s.scene_id for s in scenes}) == 60
        assert [s.time for s in scenes] == sorted(s.time for s in scenes)
        assert all(s.band_names[-2:] == ("cs", "cs_cdf") and "B10" not in s.band_names for s in scenes)
        pages = server.requests_of("listAssets")
        assert len(pages) == 2 * 9  # 60 scenes in pages of 7, for each collection
        assert [p.get("pageToken") for p in pages[9:]] == [None] + [str(7 * i) for i in range(1, 9)]


def test_a_scene_without_score_is_returned_without_qa_bands_and_reported(retry, tmp_path, demo_grid, caplog):
    with FakeEarthEngine(unscored={UNSCORED}) as server:
        from cloudscore_composite.plugin.core.earthengine.source import EarthEngineSource

        source = EarthEngineSource(
            L2A,
            project="p",
            cache_dir=tmp_path,
            api_url=server.url,
            credentials="fake-access-token",
            retry=retry,
            tile_size=64,
        )
        with caplog.at_level(logging.WARNING):
            scenes = source.search(START, END, *demo_aoi(demo_grid))
        assert len(scenes) == 5 and source.unscored == [UNSCORED]
        unscored = next(s for s in scenes if s.scene_id == UNSCORED)
        assert not {"cs", "cs_cdf"} & set(unscored.band_names) and "B4" in unscored.band_names
        assert f"1 of 5 scene(s) have no Cloud Score+ image yet (skipped): {UNSCORED}" in caplog.text
        # its score is never asked for
        source.fetch(scenes, ["B4", "cs"], demo_grid)
        asked = {body["bandIds"][0] for body in server.requests_of("getPixels")}
        assert asked == {"B4", "cs"}
        assert server.count("getPixels") == 4 * 5 + 4 * 4
        assert not any(path.endswith(f"{SCORES}/{UNSCORED}:getPixels") for _, path, _ in server.log)


def test_rfc3339_and_geometry_helpers():
    assert parse_rfc3339("2023-01-05T18:47:49.123456789Z") == datetime(
        2023, 1, 5, 18, 47, 49, 123456, tzinfo=timezone.utc
    )
    assert parse_rfc3339("2023-01-05T18:47:49Z").tzinfo == timezone.utc
    box = aoi_geometry((14.0, 45.0, 15.0, 46.0), "EPSG:4326")
    ring = box["coordinates"][0]
    assert ring[0] == ring[-1] == [14.0, 46.0] and len(ring) == 4 * 20 + 1
    # counter-clockwise (RFC 7946 exterior ring): positive shoelace area
    assert sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) > 0
    utm = aoi_geometry((465000.0, 5079000.0, 466000.0, 5080000.0), "EPSG:32633")["coordinates"][0]
    assert all(14.5 < x < 14.6 and 45.8 < y < 45.9 for x, y in utm)


def test_the_filter_is_written_as_googles_client_writes_it():
    # earthengine-api python/ee/_cloud_api_utils.py _convert_list_images_filter_params_to_list_assets_params:
    # region = json.dumps(region); region.replace('"', "'"); f'intersects("{region}")' -- json.dumps' default
    # separators, the GeoJSON's double quotes as single quotes; the range on the acquisition time, startTime.
    square = {
        "type": "Polygon",
        "coordinates": [[[14.5, 45.8], [14.6, 45.8], [14.6, 45.9], [14.5, 45.9], [14.5, 45.8]]],
    }
    assert asset_filter(date(2023, 1, 1), date(2023, 2, 1), square) == (
        'startTime >= "2023-01-01T00:00:00Z" AND startTime < "2023-02-01T00:00:00Z" AND '
        """intersects("{'type': 'Polygon', 'coordinates': [[[14.5, 45.8], [14.6, 45.8], [14.6, 45.9], """
        """[14.5, 45.9], [14.5, 45.8]]]}")"""
    )


@pytest.mark.parametrize(
    "bad",
    [
        'startTime >= "2015-07-01T00:00:00Z" AND intersects("{\\"type\\":\\"Polygon\\"}")',  # escaped quotes
        'startTime >= "2015-07-01T00:00:00Z" AND endTime < "2015-10-01T00:00:00Z"',  # not what the client writes
        'startTime >= "July"',
        """intersects("{'type': 'Polygon', 'coordinates': ")""",
        """intersects("{'type': 'LineString', 'coordinates': [[0, 0], [1, 1]]}")""",
    ],
)
def test_the_fake_server_answers_400_to_a_filter_it_cannot_parse(server, make_source, bad, sleeps):
    client = make_source().client()
    with pytest.raises(EarthEngineError, match=r"HTTP 400\): Invalid filter") as raised:
        client.get_json(f"v1/projects/earthengine-public/assets/{L2A}:listAssets", params={"filter": bad})
    assert raised.value.status == 400 and sleeps == []


def test_a_search_can_be_cancelled_through_the_pipeline(make_source, demo_grid, server):
    aoi, crs = demo_aoi(demo_grid)
    with pytest.raises(Cancelled):
        make_source().search(START, END, aoi, crs, is_canceled=lambda: True)
    request = CompositeRequest(START, END, "cs", "unused.tif", aoi=aoi, aoi_crs=crs, excluded_scenes=["x"])
    with pytest.raises(Cancelled):
        plan_composite(request, make_source(), is_canceled=lambda: True)
    assert server.count("listAssets") == 0
    pages = []
    with pytest.raises(Cancelled):  # cancelled after the first listing: the second is never asked for
        make_source().search(START, END, aoi, crs, is_canceled=lambda: pages.append(1) or len(pages) > 1)
    assert server.count("listAssets") == 1
