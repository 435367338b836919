"""A Sentinel-2 scene: identity, acquisition time, MGRS tile, footprint, bands and grid; the output grid of a set of
scenes."""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from affine import Affine
from rasterio.crs import CRS
from rasterio.warp import transform_bounds

from .grid import Bounds, Grid, grid_from_aoi, union

# Earth Engine's system:index of a Sentinel-2 image: datatake sensing start, granule sensing start and MGRS
# tile, e.g. 20230105T184749_20230105T184745_T11SKB (COPERNICUS/S2_HARMONIZED and GOOGLE/CLOUD_SCORE_PLUS share it).
SYSTEM_INDEX = re.compile(r"(?P<datatake>\d{8}T\d{6})_(?P<granule>\d{8}T\d{6})_T(?P<tile>\d{2}[A-Z]{3})")
_COMPACT_TIME = re.compile(r"(?<!\d)(\d{8}T\d{6})(?!\d)")

# Sentinel-2 MSI band names as Earth Engine spells them, in wavelength order.
S2_BANDS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12")

# GeoTIFF tags read for the acquisition time, in this order. (GDAL metadata keys cannot hold a colon, so
# Earth Engine's system:time_start / system:index travel as SYSTEM_TIME_START / SYSTEM_INDEX.)
TIME_TAGS = ("ACQUISITION_TIME", "SYSTEM_TIME_START", "TIFFTAG_DATETIME")


def is_spectral_band(name: str) -> bool:
    """True for a Sentinel-2 MSI band name (``B1``..``B12``, ``B8A``; ``B01`` spellings too)."""
    return canonical_band_name(name) in S2_BANDS


def canonical_band_name(name: str) -> str:
    """Earth Engine's spelling of a Sentinel-2 band name: ``B02`` -> ``B2``, ``b8a`` -> ``B8A``; others unchanged."""
    match = re.fullmatch(r"[Bb]0*(\d{1,2})([Aa]?)", name.strip())
    return f"B{int(match.group(1))}{match.group(2).upper()}" if match else name.strip()


def parse_band_list(text: str) -> List[str]:
    """Band names from ``"B4, B3;B02"`` (commas or semicolons) in Earth Engine's spelling, repeats dropped, in the
    given order: ``["B4", "B3", "B2"]``; an empty text gives ``[]``."""
    names = [canonical_band_name(part) for part in (text or "").replace(";", ",").split(",") if part.strip()]
    return list(dict.fromkeys(names))


def band_sort_key(name: str) -> Tuple[int, str]:
    """Sort key putting Sentinel-2 bands in wavelength order and other bands after them by name."""
    return (S2_BANDS.index(name), "") if name in S2_BANDS else (len(S2_BANDS), name)


def _parse_compact(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)


def parse_time_tag(key: str, value: str) -> datetime:
    """An acquisition time (UTC) from one of ``TIME_TAGS``.

    ``ACQUISITION_TIME`` is ISO 8601 (UTC when no offset is given), ``SYSTEM_TIME_START`` is Earth Engine's
    milliseconds since 1970-01-01 UTC, ``TIFFTAG_DATETIME`` is TIFF's ``YYYY:MM:DD HH:MM:SS``.

    Raises:
        ValueError: the value does not parse.
    """
    value = value.strip()
    if key == "SYSTEM_TIME_START":
        return datetime.fromtimestamp(float(value) / 1000.0, tz=timezone.utc)
    if key == "TIFFTAG_DATETIME":
        parsed = datetime.strptime(value, "%Y:%m:%d %H:%M:%S")
    else:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def parse_scene_name(name: str) -> Tuple[Optional[datetime], Optional[str]]:
    """(acquisition time UTC, MGRS tile) from a file name, each None when the name does not say.

    An Earth Engine ``system:index`` (``20230105T184749_20230105T184745_T11SKB``) gives the datatake
    sensing time and the tile; otherwise the first ``YYYYMMDDTHHMMSS`` in the name gives the time.
    """
    match = SYSTEM_INDEX.search(name)
    if match:
        return _parse_compact(match.group("datatake")), match.group("tile")
    match = _COMPACT_TIME.search(name)
    return (_parse_compact(match.group(1)) if match else None), None


ORBIT_TAG = "SENSING_ORBIT_NUMBER"
"""The relative orbit's tag (Earth Engine's Sentinel-2 property name; GDAL tags take it as it is)."""

RELATIVE_ORBITS = range(1, 144)
"""Sentinel-2's relative orbits: 143 per 10-day repeat cycle (ESA, Sentinel-2 User Handbook)."""


def parse_orbit(value: Any) -> Optional[int]:
    """A relative orbit number 1..143 from a tag or property value (``"22"``, ``22``, ``22.0``); None when the
    value is missing or not such a number."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() and int(number) in RELATIVE_ORBITS else None


def acquisition_time(tags: Mapping[str, str], name: str) -> Optional[datetime]:
    """A scene's acquisition time (UTC): the first of ``TIME_TAGS`` that parses, else the file name."""
    for key in TIME_TAGS:
        if key in tags:
            try:
                return parse_time_tag(key, tags[key])
            except ValueError:
                continue
    return parse_scene_name(name)[0]


@dataclass(frozen=True)
class Scene:
    """One Sentinel-2 scene with its per-pixel clear scores, as a source knows it.

    Attributes:
        scene_id: the scene's ``system:index`` (or file stem when it has none).
        time: acquisition time, timezone-aware UTC.
        tile: MGRS tile (``33TVL``) or None.
        path: where its pixels are (a GeoTIFF for the folder source; None for scenes that are not files,
            such as Earth Engine assets).
        grid: the scene's own grid (for Earth Engine, the grid of its 10 m bands); ``crs``, ``transform``,
            ``width``, ``height`` and ``bounds`` read it.
        band_names: band names in file order (``B1``..``B12``, ``B8A``, QA bands such as ``cs``, ``cs_cdf``).
            A scene whose clear score is not available has no QA band.
        nodata: the file's nodata value, or None.
        cloudy_percentage: the scene's ``CLOUDY_PIXEL_PERCENTAGE`` 0..100 (from the product metadata), or None.
        platform: ``Sentinel-2A``, ``Sentinel-2B``, ... (``SPACECRAFT_NAME``), or None.
        footprint: the scene's footprint as a GeoJSON geometry in EPSG:4326 (lon/lat degrees), or None.
        orbit: the relative orbit 1..143 (Earth Engine's ``SENSING_ORBIT_NUMBER``), or None when not known.
    """

    scene_id: str
    time: datetime
    tile: Optional[str]
    path: Optional[Path]
    grid: Grid
    band_names: Tuple[str, ...]
    nodata: Optional[float]
    cloudy_percentage: Optional[float] = None
    platform: Optional[str] = None
    footprint: Optional[Dict[str, Any]] = field(default=None, compare=False, hash=False)
    orbit: Optional[int] = None

    @property
    def datatake(self) -> Optional[str]:
        """The datatake sensing start of the scene's ``system:index`` (``20230105T184749`` of
        ``20230105T184749_20230105T184745_T11SKB``): granules of one acquisition share it; None without one."""
        match = SYSTEM_INDEX.search(self.scene_id)
        return match.group("datatake") if match else None

    @property
    def crs(self) -> CRS:
        """The CRS of the scene's grid."""
        return self.grid.crs

    @property
    def transform(self) -> Affine:
        """The affine transform of the scene's grid (metres)."""
        return self.grid.transform

    @property
    def width(self) -> int:
        """Columns of the scene's grid."""
        return self.grid.width

    @property
    def height(self) -> int:
        """Rows of the scene's grid."""
        return self.grid.height

    @property
    def bounds(self) -> Bounds:
        """(left, bottom, right, top) of the scene in its own CRS."""
        return self.grid.bounds

    @property
    def spectral_bands(self) -> Tuple[str, ...]:
        """The scene's Sentinel-2 bands, in file order."""
        return tuple(b for b in self.band_names if b in S2_BANDS)

    @property
    def qa_bands(self) -> Tuple[str, ...]:
        """The scene's other bands (QA bands: clear scores such as ``cs``, ``cs_cdf``), in file order."""
        return tuple(b for b in self.band_names if b not in S2_BANDS)


def majority_crs(scenes: Sequence[Scene]) -> CRS:
    """The CRS most scenes share (the earliest scene's among equals); ``scenes`` must not be empty."""
    wkt = Counter(s.crs.to_wkt() for s in scenes).most_common(1)[0][0]
    return next(s.crs for s in scenes if s.crs.to_wkt() == wkt)


def scenes_grid(
    scenes: Sequence[Scene],
    aoi: Optional[Bounds] = None,
    aoi_crs: Union[CRS, str, None] = None,
    resolution: Optional[Union[float, Sequence[float]]] = None,
    crs: Union[CRS, str, None] = None,
) -> Grid:
    """The grid a composite of ``scenes`` is written on.

    In ``crs``, else the CRS most scenes share; anchored on the pixels of the first scene in that CRS, so at the
    scenes' own resolution they are read without resampling (with no such scene the lattice runs through the
    CRS origin: Sentinel-2 grids lie on whole multiples of 60 m from it). It covers the AOI, or without one the
    union of the scenes.

    Args:
        scenes: the scenes (at least one), in time order.
        aoi: (left, bottom, right, top) in ``aoi_crs``; None = the union of the scenes.
        aoi_crs: CRS of ``aoi``; None = the grid's CRS.
        resolution: pixel size in metres; None = the reference scene's own (10 m without one).
        crs: the grid's CRS (projected, metres); None = the majority CRS.

    Raises:
        InputError: ``EXTENT``, ``RESOLUTION`` or ``CRS`` as ``grid_from_aoi``.
    """
    crs = CRS.from_user_input(crs) if crs is not None else majority_crs(scenes)
    reference = next((s for s in scenes if s.crs == crs), None)
    if not resolution:
        resolution = (reference.transform.a, -reference.transform.e) if reference is not None else 10.0
    origin = (reference.transform.c, reference.transform.f) if reference is not None else (0.0, 0.0)
    if aoi is None:
        aoi = union([transform_bounds(s.crs, crs, *s.bounds) if s.crs != crs else s.bounds for s in scenes])
        aoi_crs = crs
    return grid_from_aoi(aoi, aoi_crs or crs, crs, resolution, origin)
