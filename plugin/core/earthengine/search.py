"""Find Sentinel-2 scenes over an AOI and dates with ``listAssets``, and link each to its Cloud Score+ image.

REST facts (Earth Engine REST reference, ``projects.assets.listAssets``): ``GET v1/{parent}:listAssets`` with an
AIP-160 ``filter`` over ``startTime``, ``endTime`` and ``intersects("<GeoJSON>")`` (written as Google's client
writes it, see ``asset_filter``), ``pageSize`` (at most 1000 in the FULL view, 10000 in the BASIC view) and
``pageToken``; the answer is ``{assets: [...], nextPageToken}``.
A Cloud Score+ image shares its ``system:index`` with the Sentinel-2 scene it scores (Earth Engine catalogue,
GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED).
"""

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

from affine import Affine
from rasterio.crs import CRS
from rasterio.warp import transform_geom

from ..errors import InputError
from ..folder_source import utc_midnight
from ..footprints import WGS84, densified_ring
from ..grid import Bounds, Grid
from ..scene import ORBIT_TAG, S2_BANDS, Scene, parse_orbit, parse_scene_name
from .client import EarthEngineClient

log = logging.getLogger(__name__)

PUBLIC_ASSETS = "projects/earthengine-public/assets"
COLLECTIONS = ("COPERNICUS/S2_SR_HARMONIZED", "COPERNICUS/S2_HARMONIZED")
"""Sentinel-2 collections this source lists: L2A surface reflectance, L1C top-of-atmosphere (both harmonized)."""
SCORE_COLLECTION = "GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED"
SCORE_BANDS = ("cs", "cs_cdf")
FULL_PAGE_SIZE = 1000
BASIC_PAGE_SIZE = 10000
_FRACTION = re.compile(r"(\.\d+)")


def asset_name(asset_id: str) -> str:
    """The REST resource name of a public asset: ``projects/earthengine-public/assets/<id>``."""
    return f"{PUBLIC_ASSETS}/{asset_id}"


def score_asset_id(scene_id: str) -> str:
    """The Cloud Score+ image of the Sentinel-2 scene with this ``system:index``."""
    return f"{SCORE_COLLECTION}/{scene_id}"


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 timestamp as Earth Engine writes it (``2023-01-05T18:47:49.123Z``), timezone-aware UTC."""
    text = _FRACTION.sub(lambda m: m.group(1)[:7].ljust(7, "0"), text.strip().replace("Z", "+00:00"), count=1)
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def _rfc3339(day: date) -> str:
    return utc_midnight(day).strftime("%Y-%m-%dT%H:%M:%SZ")


def aoi_geometry(aoi: Bounds, aoi_crs: Union[CRS, str, None]) -> Dict[str, Any]:
    """The AOI as a GeoJSON polygon in EPSG:4326 (lon/lat), its sides densified (``footprints.densified_ring``)
    so a reprojected box stays covered; counter-clockwise, as RFC 7946 wants an exterior ring."""
    source_crs = CRS.from_user_input(aoi_crs) if aoi_crs is not None else WGS84
    polygon: Dict[str, Any] = {"type": "Polygon", "coordinates": [densified_ring(*aoi)[::-1]]}
    if source_crs != WGS84:
        polygon = transform_geom(source_crs, WGS84, polygon)
    ring = [[round(x, 7), round(y, 7)] for x, y in polygon["coordinates"][0]]
    return {"type": "Polygon", "coordinates": [ring]}


def asset_filter(start: date, end: date, geometry: Dict[str, Any]) -> str:
    """The AIP-160 ``listAssets`` filter for scenes acquired in ``[start, end)`` (UTC days) intersecting
    ``geometry``, e.g. ``startTime >= "2020-01-01T00:00:00Z" AND startTime < "2020-02-01T00:00:00Z" AND
    intersects("{'type': 'Polygon', 'coordinates': [[[14.0, 45.0], ...]]}")``.

    The region is written as earthengine-api writes it (``python/ee/_cloud_api_utils.py``
    ``_convert_list_images_filter_params_to_list_assets_params``): ``json.dumps`` of the GeoJSON with its double
    quotes turned into single quotes, inside ``intersects("...")``. Both ends bound the acquisition time
    (``startTime``): a scene is taken in an instant, and ``[start, end)`` is the search's contract.
    """
    # Google's client: double quotes are not valid inside the double-quoted literal, so they become single quotes
    # (no escaping); json.dumps with its default separators, as there.
    region = json.dumps(geometry).replace('"', "'")
    return f'startTime >= "{_rfc3339(start)}" AND startTime < "{_rfc3339(end)}" AND intersects("{region}")'


def list_assets(
    client: EarthEngineClient,
    collection: str,
    filter_text: str,
    basic: bool = False,
    should_stop: Optional[Callable[[], bool]] = None,
) -> Iterator[Dict[str, Any]]:
    """Every asset of ``collection`` matching the filter, following each ``nextPageToken``.

    Args:
        basic: ask for the BASIC view (name and id only, larger pages).
        should_stop: polled before each page and during retry waits.

    Raises:
        EarthEngineError, AuthError: a page could not be listed (see ``EarthEngineClient.request``).
        Cancelled: ``should_stop`` returned True.
    """
    params: Dict[str, Any] = {"filter": filter_text, "pageSize": BASIC_PAGE_SIZE if basic else FULL_PAGE_SIZE}
    if basic:
        params["view"] = "BASIC"
    path = f"v1/{asset_name(collection)}:listAssets"
    while True:
        page = client.get_json(path, params=params, should_stop=should_stop)
        yield from page.get("assets") or []
        token = page.get("nextPageToken")
        if not token:
            return
        params = dict(params, pageToken=token)


def system_index(asset: Dict[str, Any]) -> str:
    """The ``system:index`` of an asset: the last part of its id (or name)."""
    return str(asset.get("id") or asset.get("name", "")).rsplit("/", 1)[-1]


def _band_grid(asset: Dict[str, Any]) -> Tuple[CRS, Affine, int, int]:
    # The scene's grid is that of its 10 m bands (B2 first); Earth Engine omits zero-valued transform terms.
    bands = {b.get("id"): b for b in asset.get("bands") or []}
    band = next((bands[b] for b in ("B2", "B3", "B4", "B8") if b in bands), None) or next(iter(bands.values()))
    grid = band["grid"]
    crs = CRS.from_user_input(grid.get("crsCode") or grid["crsWkt"])
    t = grid.get("affineTransform") or {}
    transform = Affine(
        float(t.get("scaleX", 0)),
        float(t.get("shearX", 0)),
        float(t.get("translateX", 0)),
        float(t.get("shearY", 0)),
        float(t.get("scaleY", 0)),
        float(t.get("translateY", 0)),
    )
    dimensions = grid.get("dimensions") or {}
    return crs, transform, int(dimensions.get("width", 0)), int(dimensions.get("height", 0))


def scene_from_asset(asset: Dict[str, Any], scored: bool) -> Scene:
    """A ``Scene`` from a ``listAssets`` entry (FULL view): id, time, MGRS tile, grid, bands, cloudy
    percentage, platform, footprint, relative orbit (``SENSING_ORBIT_NUMBER``); QA bands ``cs``, ``cs_cdf`` only
    when ``scored``.

    Raises:
        KeyError, ValueError: the entry lacks a start time or a band grid.
    """
    index = system_index(asset)
    properties = asset.get("properties") or {}
    crs, transform, width, height = _band_grid(asset)
    bands = tuple(b.get("id") for b in asset.get("bands") or [] if b.get("id") in S2_BANDS)
    cloudy = properties.get("CLOUDY_PIXEL_PERCENTAGE")
    return Scene(
        scene_id=index,
        time=parse_rfc3339(asset["startTime"]),
        tile=properties.get("MGRS_TILE") or parse_scene_name(index)[1],
        path=None,
        grid=Grid(crs, transform, width, height),
        band_names=bands + (SCORE_BANDS if scored else ()),
        nodata=0.0,
        cloudy_percentage=float(cloudy) if cloudy is not None else None,
        platform=properties.get("SPACECRAFT_NAME"),
        footprint=asset.get("geometry"),
        orbit=parse_orbit(properties.get(ORBIT_TAG)),
    )


@dataclass
class SearchResult:
    """What a search found: scenes in time order, and the ids of those without a Cloud Score+ image yet."""

    scenes: List[Scene]
    unscored: List[str] = field(default_factory=list)


def search_scenes(
    client: EarthEngineClient,
    collection: str,
    start: date,
    end: date,
    aoi: Optional[Bounds],
    aoi_crs: Union[CRS, str, None],
    should_stop: Optional[Callable[[], bool]] = None,
) -> SearchResult:
    """Scenes of ``collection`` acquired in ``[start, end)`` over the AOI, each linked to its Cloud Score+ image.

    Scenes without a score are returned without QA bands (so the pipeline reports them as skipped), counted
    and named in a logged warning.

    Raises:
        InputError: ``EXTENT`` without an AOI (Earth Engine holds the whole world), ``COLLECTION`` for a
            collection this source does not know.
        EarthEngineError: the listing failed.
    """
    if aoi is None:
        raise InputError("EXTENT", "Earth Engine needs an area of interest: draw or choose an extent")
    if collection not in COLLECTIONS:
        raise InputError("COLLECTION", f"collection {collection!r} is not one of {', '.join(COLLECTIONS)}")
    filter_text = asset_filter(start, end, aoi_geometry(aoi, aoi_crs))
    scored = {system_index(a) for a in list_assets(client, SCORE_COLLECTION, filter_text, True, should_stop)}
    low, high = utc_midnight(start), utc_midnight(end)
    scenes = []
    for asset in list_assets(client, collection, filter_text, False, should_stop):
        scene = scene_from_asset(asset, system_index(asset) in scored)
        if low <= scene.time < high:  # the filter is on the server's side; the contract is [start, end)
            scenes.append(scene)
    scenes.sort(key=lambda s: (s.time, s.scene_id))
    unscored = [s.scene_id for s in scenes if not set(SCORE_BANDS) & set(s.band_names)]
    if unscored:
        log.warning(
            "%d of %d scene(s) have no Cloud Score+ image yet (skipped): %s",
            len(unscored),
            len(scenes),
            ", ".join(unscored),
        )
    log.info("Earth Engine: %d scene(s) of %s between %s and %s (end excluded)", len(scenes), collection, start, end)
    return SearchResult(scenes, unscored)
