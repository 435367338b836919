"""Fixtures for the Earth Engine source: the local fake server and sources pointed at it."""

import math
from datetime import date

import pytest
from cloudscore_composite.plugin.core.earthengine.client import RetryPolicy
from cloudscore_composite.plugin.core.earthengine.source import EarthEngineSource
from cloudscore_composite.plugin.core.folder_source import FolderSource

from ...conftest import DEMO_DIR
from ...fake_earthengine import L1C, TOKEN, FakeEarthEngine

START, END = date(2015, 7, 1), date(2015, 10, 1)
PROJECT = "my-ee-project"


@pytest.fixture
def server():
    """A fresh fake Earth Engine serving the five demo scenes."""
    with FakeEarthEngine() as fake:
        yield fake


@pytest.fixture
def sleeps():
    """The waits the client asked for, in seconds (nothing really sleeps)."""
    return []


@pytest.fixture
def retry(sleeps):
    """A retry policy that records its waits instead of sleeping (each wait in one step); jitter fixed at one
    half."""
    return RetryPolicy(sleep=sleeps.append, random=lambda: 0.5, poll=math.inf)


@pytest.fixture
def demo_grid():
    """The demo scenes' own grid (the folder source's default grid on them)."""
    scene = FolderSource(DEMO_DIR).scenes[0]
    from cloudscore_composite.plugin.core.grid import Grid

    return Grid(scene.crs, scene.transform, scene.width, scene.height)


@pytest.fixture
def make_source(server, retry, tmp_path):
    """``make_source(**changes)``: an EarthEngineSource of the L1C collection on the fake server, with a
    private cache and 64-pixel tiles (so the 100 x 101 demo grid takes 4 tiles per asset)."""

    def make(**changes):
        arguments = dict(
            collection=L1C,
            project=PROJECT,
            cache_dir=tmp_path / "cache",
            api_url=server.url,
            credentials=TOKEN,
            retry=retry,
            tile_size=64,
        )
        arguments.update(changes)
        return EarthEngineSource(**arguments)

    return make


def demo_aoi(grid):
    """The demo grid's bounds and CRS, as an AOI."""
    return grid.bounds, grid.crs
