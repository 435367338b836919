"""A synthetic two-orbit scene folder with Sentinel-2's real geometry, for the orbit tests and the README figure.

Two relative orbits (22 and 122) 200 km apart, each with a 290 km swath (Sentinel-2 MSI's), tilted like real ground
tracks, overlap over 90 km of a 400 x 120 km area. Orbit 122 sees the ground ``offset`` digital numbers brighter
than orbit 22 in every band (another illumination and view angle), as neighbouring orbits do. Each pass is
delivered as MGRS-like tiles (2 x 2, overlapping by 10 km, each tile's rectangle holding nodata beyond the swath
edge), so the tile overlaps hold every pass twice: one acquisition, two files. Cloud blobs (score 0.1, bright)
cover part of each pass, never more than ``passes - 2`` passes of one orbit at a pixel, so every pixel of a swath
keeps two clear passes.

``write_two_orbit_stack(folder)`` writes the scenes (bands B2, B3, B4 as uint16 DN and ``cs`` as float32, nodata 0)
and returns what the tests compare against: the ground truth, the swaths and the clear passes per orbit.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import rasterio
from rasterio.transform import from_origin

BANDS = ("B2", "B3", "B4")
QA_BAND = "cs"
CRS = "EPSG:32633"
ORBITS = (22, 122)
SWATH_WIDTH_M = 290_000.0
TRACK_SPACING_M = 200_000.0
WIDTH_M, HEIGHT_M = 400_000.0, 120_000.0
TILE_OVERLAP_M = 10_000.0
TILT = 0.12
"""Across-track drift of the ground track per metre along track (real tracks run about 8 degrees off north)."""
LEFT, TOP = 300_000.0, 5_100_000.0


@dataclass
class TwoOrbitStack:
    """What ``write_two_orbit_stack`` wrote.

    Attributes:
        folder: the scene folder.
        transform: the affine transform of the full area (all tiles lie on its pixels).
        shape: (rows, cols) of the full area.
        truth: float64 (bands, rows, cols): the ground as orbit 22 sees it (orbit 122: ``+ offset``).
        offset: digital numbers orbit 122 is brighter by.
        swath: bool (2, rows, cols): where each orbit has data.
        clear: per orbit, bool (passes, rows, cols): where each pass is clear (inside the swath, no cloud).
        files: per orbit and pass, the tile files written.
        start, end: dates around every pass.
    """

    folder: Path
    transform: object
    shape: Tuple[int, int]
    truth: np.ndarray
    offset: float
    swath: np.ndarray
    clear: List[np.ndarray]
    files: Dict[Tuple[int, int], List[Path]] = field(default_factory=dict)
    start: object = None
    end: object = None

    @property
    def clear_count(self) -> np.ndarray:
        """int (rows, cols): distinct clear acquisitions (passes) per pixel, both orbits."""
        return sum(c.sum(axis=0) for c in self.clear)


def _truth(rows: int, cols: int, pixel: float) -> np.ndarray:
    """float64 (3, rows, cols): smooth fields and rivers of reflectance, 400..1600 DN, gentle enough that the
    neighbouring-pixel steps of the ground stay far below an orbit offset of hundreds of DN."""
    y, x = np.mgrid[0:rows, 0:cols] * (pixel / 1000.0)  # km
    base = 900 + 250 * np.sin(x / 23.0) * np.cos(y / 17.0) + 150 * np.sin((x + 2 * y) / 41.0)
    river = 300 * np.exp(-(((y - 60 - 25 * np.sin(x / 50.0)) / 4.0) ** 2))
    return np.stack([base * 0.7 + 100 - river * 0.2, base * 0.9 + 50 - river * 0.4, base - river])


def _swath(rows: int, cols: int, pixel: float, orbit_index: int) -> np.ndarray:
    """bool (rows, cols): inside orbit ``orbit_index``'s swath (centre 90 km + 200 km x index from the left edge at
    the top row, drifting by ``TILT``)."""
    y, x = (np.mgrid[0:rows, 0:cols] + 0.5) * pixel
    centre = 90_000.0 + orbit_index * TRACK_SPACING_M + TILT * y
    return np.abs(x - centre) <= SWATH_WIDTH_M / 2


def _clouds(rng: np.random.Generator, passes: int, rows: int, cols: int, swath: np.ndarray) -> np.ndarray:
    """bool (passes, rows, cols): cloud blobs, at most ``passes - 2`` cloudy passes at any pixel."""
    cloudy = np.zeros((passes, rows, cols), dtype=bool)
    y, x = np.mgrid[0:rows, 0:cols]
    for k in range(passes):
        for _ in range(6):
            cy, cx, r = rng.uniform(0, rows), rng.uniform(0, cols), rng.uniform(4, 12)
            cloudy[k] |= (y - cy) ** 2 + (x - cx) ** 2 <= r**2
    before = np.cumsum(cloudy, axis=0) - cloudy
    return cloudy & (before < passes - 2) & swath


def _tiles(rows: int, cols: int, pixel: float) -> List[Tuple[str, slice, slice]]:
    """MGRS-like tiles (name, rows, cols): 2 x 2 over the area, overlapping by ``TILE_OVERLAP_M``."""
    half_r, half_c, overlap = rows // 2, cols // 2, int(round(TILE_OVERLAP_M / pixel / 2))
    names = (("33TUL", "33TVL"), ("33TUK", "33TVK"))
    return [
        (
            names[i][j],
            slice(0 if i == 0 else half_r - overlap, half_r + overlap if i == 0 else rows),
            slice(0 if j == 0 else half_c - overlap, half_c + overlap if j == 0 else cols),
        )
        for i in range(2)
        for j in range(2)
    ]


def write_two_orbit_stack(
    folder, pixel: float = 1000.0, passes: int = 4, offset: float = 400.0, seed: int = 7, system_index: bool = True
) -> TwoOrbitStack:
    """Write the two-orbit stack into ``folder`` (created) and describe it.

    Args:
        folder: where the scene files go.
        pixel: pixel size in metres (1000 m: 400 x 120 px).
        passes: passes (acquisitions) per orbit, 5 days apart, both orbits one day apart.
        offset: digital numbers orbit 122 is brighter by.
        seed: random seed of the clouds and the noise.
        system_index: name the files by their ``system:index`` (datatake, granule time, tile); False names them
            ``<orbit>_<pass>_<tile>.tif`` with only an ``ACQUISITION_TIME`` tag (the granules seconds apart), so
            acquisitions are told by the 60 s rule.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows, cols = int(round(HEIGHT_M / pixel)), int(round(WIDTH_M / pixel))
    transform = from_origin(LEFT, TOP, pixel, pixel)
    rng = np.random.default_rng(seed)
    truth = _truth(rows, cols, pixel)
    swaths = np.stack([_swath(rows, cols, pixel, k) for k in range(len(ORBITS))])
    first = datetime(2023, 6, 1, 10, 0, 0, tzinfo=timezone.utc)
    clear_all, files = [], {}
    for k, orbit in enumerate(ORBITS):
        clouds = _clouds(rng, passes, rows, cols, swaths[k])
        clear_all.append(swaths[k] & ~clouds)
        for p in range(passes):
            datatake = first + timedelta(days=5 * p + k, minutes=100 * k)
            noise = rng.normal(0, 4, truth.shape)
            seen = truth + offset * k + noise
            data = np.where(clouds[p], 5000.0 + rng.normal(0, 200, truth.shape), seen)
            score = np.where(clouds[p], 0.1, 0.9 + rng.uniform(-0.05, 0.05, (rows, cols))).astype(np.float32)
            reflectance = np.where(swaths[k], np.clip(np.rint(data), 1, 65535), 0).astype(np.uint16)
            score = np.where(swaths[k], score, np.float32(0))
            for t, (tile, rs, cs) in enumerate(_tiles(rows, cols, pixel)):
                if not swaths[k][rs, cs].any():
                    continue
                granule = datatake + timedelta(seconds=3 * t)  # granules of one datatake, seconds apart
                name = (
                    f"{datatake:%Y%m%dT%H%M%S}_{granule:%Y%m%dT%H%M%S}_T{tile}"
                    if system_index
                    else f"orbit{orbit}_pass{p}_{tile}"
                )
                path = folder / f"{name}.tif"
                _write_tile(
                    path,
                    reflectance[:, rs, cs],
                    score[rs, cs],
                    transform * transform.translation(cs.start, rs.start),
                    orbit,
                    granule,
                    tile,
                )
                files.setdefault((orbit, p), []).append(path)
    return TwoOrbitStack(
        folder,
        transform,
        (rows, cols),
        truth,
        offset,
        swaths,
        clear_all,
        files,
        first.date() - timedelta(days=1),
        first.date() + timedelta(days=5 * passes + 2),
    )


def _write_tile(
    path: Path, reflectance: np.ndarray, score: np.ndarray, transform, orbit: int, when: datetime, tile: str
) -> None:
    """One tile: B2, B3, B4 uint16 (nodata 0) and ``cs`` float32 stored as uint16 0..10000 with scale 1e-4."""
    rows, cols = score.shape
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=cols,
        height=rows,
        count=len(BANDS) + 1,
        dtype="uint16",
        crs=CRS,
        transform=transform,
        nodata=0,
    ) as dst:
        dst.write(reflectance, indexes=list(range(1, len(BANDS) + 1)))
        dst.write(np.rint(score * 10000).astype(np.uint16), indexes=len(BANDS) + 1)
        for index, name in enumerate(BANDS + (QA_BAND,), start=1):
            dst.set_band_description(index, name)
        dst.scales = [1.0] * len(BANDS) + [1e-4]
        dst.update_tags(ACQUISITION_TIME=when.isoformat(), SENSING_ORBIT_NUMBER=str(orbit), MGRS_TILE=tile)
