"""Scene identity from Earth Engine-style names and tags."""

from datetime import datetime, timezone

import pytest

from cloudscore_composite.plugin.core.scene import (
    acquisition_time,
    band_sort_key,
    canonical_band_name,
    is_spectral_band,
    parse_scene_name,
)


def test_system_index_name_gives_datatake_time_and_tile():
    when, tile = parse_scene_name("20230105T184749_20230105T184745_T11SKB")
    assert when == datetime(2023, 1, 5, 18, 47, 49, tzinfo=timezone.utc)
    assert tile == "11SKB"


def test_a_plain_compact_time_in_a_name_is_enough():
    assert parse_scene_name("S2A_MSIL1C_20150711T100008_extra") == (
        datetime(2015, 7, 11, 10, 0, 8, tzinfo=timezone.utc),
        None,
    )
    assert parse_scene_name("no_date_here") == (None, None)


@pytest.mark.parametrize(
    "tags, expected",
    [
        ({"ACQUISITION_TIME": "2015-07-11T10:00:08Z"}, datetime(2015, 7, 11, 10, 0, 8, tzinfo=timezone.utc)),
        ({"ACQUISITION_TIME": "2015-07-11T12:00:08+02:00"}, datetime(2015, 7, 11, 10, 0, 8, tzinfo=timezone.utc)),
        ({"SYSTEM_TIME_START": "1436608808000"}, datetime(2015, 7, 11, 10, 0, 8, tzinfo=timezone.utc)),
        ({"TIFFTAG_DATETIME": "2015:07:11 10:00:08"}, datetime(2015, 7, 11, 10, 0, 8, tzinfo=timezone.utc)),
    ],
)
def test_time_tags_win_over_the_name(tags, expected):
    assert acquisition_time(tags, "20230105T184749_20230105T184745_T11SKB") == expected


def test_unparsable_tag_falls_back_to_the_name():
    assert acquisition_time({"ACQUISITION_TIME": "yesterday"}, "20230105T184749_20230105T184745_T11SKB") == datetime(
        2023, 1, 5, 18, 47, 49, tzinfo=timezone.utc
    )


def test_band_names():
    assert canonical_band_name("B02") == "B2"
    assert canonical_band_name("b8a") == "B8A"
    assert canonical_band_name("cs_cdf") == "cs_cdf"
    assert is_spectral_band("B12") and not is_spectral_band("cs") and not is_spectral_band("B13")
    assert sorted(["cs", "B8A", "B11", "B2", "B8"], key=band_sort_key) == ["B2", "B8", "B8A", "B11", "cs"]


def test_band_lists_take_commas_or_semicolons_and_earth_engine_spelling():
    from cloudscore_composite.plugin.core.scene import parse_band_list

    assert parse_band_list("B4, b03;B02,,B4 ") == ["B4", "B3", "B2"]
    assert parse_band_list("") == [] and parse_band_list(None) == []
