"""Sanity hints on typed bounds over the real demo scenes (T33TVL, EPSG:32633, about 1 km² near 14.56°E 45.87°N)."""

import pytest

from cloudscore_composite.plugin.core.aoi_hints import (
    LATITUDE_RANGE,
    OUTSIDE,
    SWAPPED,
    BoundsHint,
    bounds_hint,
    swapped,
    touches_any,
)
from cloudscore_composite.plugin.core.folder_source import FolderSource

from ..conftest import DEMO_DIR

INSIDE_LONLAT = (14.556, 45.867, 14.560, 45.870)
INSIDE_UTM = (465300.0, 5079400.0, 465900.0, 5080100.0)


@pytest.fixture(scope="module")
def scenes():
    return FolderSource(DEMO_DIR).scenes


def test_swapped_exchanges_x_and_y():
    assert swapped((1.0, 2.0, 3.0, 4.0)) == (2.0, 1.0, 4.0, 3.0)


def test_bounds_inside_the_scenes_have_no_hint(scenes):
    assert touches_any(scenes, INSIDE_LONLAT, "EPSG:4326") and touches_any(scenes, INSIDE_UTM, "EPSG:32633")
    assert bounds_hint(INSIDE_LONLAT, "EPSG:4326", True, scenes) is None
    assert bounds_hint(INSIDE_UTM, "EPSG:32633", False, scenes) is None


def test_swapped_latitude_and_longitude_are_suggested_back(scenes):
    typed = swapped(INSIDE_LONLAT)  # 45.867, 14.556, ...: in range, but in the Arabian Sea
    assert not touches_any(scenes, typed, "EPSG:4326")
    assert bounds_hint(typed, "EPSG:4326", True, scenes) == BoundsHint(SWAPPED, INSIDE_LONLAT)
    # Scenes of a search (not all the source's) still suggest the swap, but say nothing is outside.
    assert bounds_hint(typed, "EPSG:4326", True, None, scenes) == BoundsHint(SWAPPED, INSIDE_LONLAT)
    assert bounds_hint((2.0, 48.0, 2.1, 48.1), "EPSG:4326", True, None, scenes) is None


def test_latitude_beyond_90_is_wrong_even_without_scenes(scenes):
    typed = (45.867, 100.5, 45.870, 100.6)
    assert bounds_hint(typed, "EPSG:4326", True) == BoundsHint(LATITUDE_RANGE, (100.5, 45.867, 100.6, 45.870))
    assert not touches_any(scenes, typed, "EPSG:4326")  # not transformable: touches nothing (no infinite box)
    both_wrong = (120.0, 95.0, 121.0, 96.0)
    assert bounds_hint(both_wrong, "EPSG:4326", True, scenes) == BoundsHint(LATITUDE_RANGE, None)
    assert bounds_hint(typed, "EPSG:32633", False) is None  # metres: no latitude range


def test_bounds_far_from_the_scenes_are_outside(scenes):
    paris = (2.0, 48.0, 2.1, 48.1)
    assert bounds_hint(paris, "EPSG:4326", True, scenes) == BoundsHint(OUTSIDE)
    assert bounds_hint((0.0, 0.0, 1000.0, 1000.0), "EPSG:32633", False, scenes) == BoundsHint(OUTSIDE)
    assert bounds_hint(paris, "EPSG:4326", True) is None  # nothing known to compare with
