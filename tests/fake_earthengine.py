"""A local stand-in for the Earth Engine REST API (127.0.0.1, ephemeral port), serving the real demo scenes.

It follows the documented contract (../shared/DESIGN.md, the Earth Engine REST reference): ``listAssets`` under
``/v1/projects/earthengine-public/assets/<collection>:listAssets`` with the AIP-160 filter on ``startTime``,
``endTime`` and ``intersects("<GeoJSON>")``, ``pageSize``/``pageToken`` paging, the FULL and BASIC views;
``getPixels`` (POST, GEO_TIFF, ``bandIds``, ``grid``) answering real GeoTIFF bytes read from resources/demo onto
the requested grid (reflectance as uint16 DN, the demo ``clear`` band as Cloud Score+ ``cs`` and ``cs_cdf``,
float32; 0 outside the scene), request limits (48 MiB, 32768 px a side) answered with 400 and an Earth Engine
error body; Bearer tokens (401 when unknown) and an OAuth token endpoint (``/token``, refresh-token grant).

``computePixels`` (POST ``/v1/projects/<project>/image:computePixels``) evaluates the expression graph with numpy
(tests/earthengine_expressions.py, built from Google's serializer and the recorded algorithms list) on the same
demo scenes, validates it (unknown function or argument: 400), applies the same limits with the output bands' own
types, and answers a GeoTIFF on exactly the requested grid.

Tests script faults (``add_fault``: 429 with Retry-After, 5xx storms, truncated bodies, ...), expire tokens,
withhold a scene's score, count requests and the bytes each kind of request was sent back (``bytes_sent``).
"""

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

import numpy as np
import rasterio
from affine import Affine
from rasterio.enums import Resampling
from rasterio.io import MemoryFile
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from .conftest import DEMO_DIR
from .earthengine_expressions import Band, ExpressionError, Image, Pixels, evaluate, load_algorithms, select_bands

PUBLIC = "/v1/projects/earthengine-public/assets/"
L1C, L2A = "COPERNICUS/S2_HARMONIZED", "COPERNICUS/S2_SR_HARMONIZED"
SCORES = "GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED"
S2_BANDS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12")
MAX_BYTES = 48 * 1024 * 1024
MAX_SIDE = 32768
MAX_BANDS = 1024
STRIP_PIXELS = 1 << 18  # computePixels evaluates large grids in strips of about this many pixels
COMPUTE_PIXELS = re.compile(r"/v1/projects/([^/]+)/image:computePixels")
FULL_PAGE_MAX, BASIC_PAGE_MAX = 1000, 10000
TOKEN = "fake-access-token"
REFRESH_TOKEN = "fake-refresh-token"


@dataclass
class DemoScene:
    """One scene the server knows: its system:index, time and the demo file holding its pixels."""

    index: str
    time: datetime
    path: Path
    crs_code: str
    transform: Affine
    width: int
    height: int
    footprint: Dict[str, Any]
    cloudy: float


@dataclass
class Fault:
    """A scripted answer for the next ``times`` requests of ``kind`` (listAssets, getPixels, computePixels, token):
    an error ``status`` with an Earth Engine error body, the real answer cut in half (``truncate``), a complete 200
    answer that does not decode (``garbage``), or for getPixels and computePixels a whole GeoTIFF of the right
    shape on another grid (``misplace``: ``"transform"`` shifted one pixel east, ``"crs"`` labelled with the next
    UTM zone)."""

    kind: str
    status: int = 500
    message: str = "Internal error"
    headers: Dict[str, str] = field(default_factory=dict)
    truncate: bool = False
    garbage: bool = False
    reason: Optional[str] = None
    misplace: Optional[str] = None
    times: int = 1


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _read_demo(path: Path, index: Optional[str] = None, time: Optional[datetime] = None) -> DemoScene:
    with rasterio.open(path) as src:
        tags = src.tags()
        clear = src.read(src.descriptions.index("clear") + 1)
        left, bottom, right, top = transform_bounds(src.crs, "EPSG:4326", *src.bounds)
        footprint = {"type": "Polygon",
                     "coordinates": [[[left, bottom], [right, bottom], [right, top], [left, top], [left, bottom]]]}
        return DemoScene(index or tags["SYSTEM_INDEX"], time or _parse_time(tags["ACQUISITION_TIME"]), path,
                         f"EPSG:{src.crs.to_epsg()}", src.transform, src.width, src.height, footprint,
                         float(100.0 * (clear < 0.5).mean()))


def _bbox(geometry: Dict[str, Any]) -> Tuple[float, float, float, float]:
    points = np.array(geometry["coordinates"][0] if geometry["type"] == "Polygon" else [geometry["coordinates"]],
                      dtype=float).reshape(-1, 2)
    return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


class FakeEarthEngine:
    """The server; use as a context manager (``with FakeEarthEngine() as server: server.url``).

    Args:
        extra_scenes: add this many more scenes (copies of the demo pixels, one a day from 2016-01-01) for paging.
        unscored: system:index values that have no Cloud Score+ image.
        page_size_max: largest page the server gives, whatever the client asks (to force many pages).
        max_bytes: the getPixels size limit (Earth Engine's 48 MiB unless a test lowers it).
    """

    def __init__(self, extra_scenes: int = 0, unscored=(), page_size_max: int = FULL_PAGE_MAX,
                 max_bytes: int = MAX_BYTES):
        demo = [_read_demo(p) for p in sorted(DEMO_DIR.glob("*.tif"))]
        start = datetime(2016, 1, 1, 10, 0, 0, tzinfo=timezone.utc)
        for i in range(extra_scenes):
            when = start + timedelta(days=i)
            stamp = when.strftime("%Y%m%dT%H%M%S")
            demo.append(_read_demo(demo[i % 5].path, f"{stamp}_{stamp}_T33TVL", when))
        self.scenes = {s.index: s for s in demo}
        self.unscored = set(unscored)
        self.page_size_max = page_size_max
        self.max_bytes = max_bytes
        self.tokens = {TOKEN}
        self.refresh_tokens = {REFRESH_TOKEN}
        self.faults: List[Fault] = []
        self.log: List[Tuple[str, str, Dict[str, Any]]] = []
        self.sent: Dict[str, int] = {}
        self.projects: List[Optional[str]] = []
        self._issued = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        """The API root, e.g. ``http://127.0.0.1:40123``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    def __enter__(self) -> "FakeEarthEngine":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- scripting -------------------------------------------------------------------------------------------

    def add_fault(self, kind: str, **fields) -> None:
        """Answer the next request(s) of ``kind`` with a fault (see ``Fault``)."""
        with self._lock:
            self.faults.append(Fault(kind, **fields))

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (401); the refresh token still works."""
        with self._lock:
            self.tokens.clear()

    def count(self, kind: str) -> int:
        """How many requests of ``kind`` (listAssets, getPixels, computePixels, token) arrived, faults
        included."""
        with self._lock:
            return sum(1 for k, _, _ in self.log if k == kind)

    def requests_of(self, kind: str) -> List[Dict[str, Any]]:
        """Query parameters (listAssets) or JSON bodies (getPixels, computePixels) of the requests of ``kind``."""
        with self._lock:
            return [details for k, _, details in self.log if k == kind]

    def bytes_sent(self, kind: str) -> int:
        """How many response body bytes the server wrote for requests of ``kind`` (errors and cut-short bodies
        included, as a client would download them)."""
        with self._lock:
            return self.sent.get(kind, 0)

    def reset_log(self) -> None:
        """Forget the requests and the bytes sent so far."""
        with self._lock:
            self.log.clear()
            self.sent.clear()

    def take_fault(self, kind: str) -> Optional[Fault]:
        with self._lock:
            for fault in self.faults:
                if fault.kind == kind:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def issue_token(self) -> str:
        with self._lock:
            self._issued += 1
            token = f"fake-access-token-{self._issued}"
            self.tokens.add(token)
            return token

    # --- the API ---------------------------------------------------------------------------------------------

    def collection_scenes(self, collection: str) -> List[DemoScene]:
        scenes = sorted(self.scenes.values(), key=lambda s: (s.time, s.index))
        if collection == SCORES:
            return [s for s in scenes if s.index not in self.unscored]
        return scenes

    def asset(self, collection: str, scene: DemoScene, basic: bool) -> Dict[str, Any]:
        asset_id = f"{collection}/{scene.index}"
        entry: Dict[str, Any] = {"type": "IMAGE", "name": f"projects/earthengine-public/assets/{asset_id}",
                                 "id": asset_id}
        if basic:
            return entry
        t = scene.transform
        grid = {"dimensions": {"width": scene.width, "height": scene.height},
                "affineTransform": {"scaleX": t.a, "translateX": t.c, "scaleY": t.e, "translateY": t.f},
                "crsCode": scene.crs_code}
        if collection == SCORES:
            bands = [{"id": b, "dataType": {"precision": "FLOAT"}, "grid": grid} for b in ("cs", "cs_cdf")]
            properties = {"MGRS_TILE": "33TVL"}
        else:
            names = [b for b in S2_BANDS if not (collection == L2A and b == "B10")]  # L2A has no cirrus band
            bands = [{"id": b, "dataType": {"precision": "INT", "range": {"max": 65535}}, "grid": grid} for b in names]
            properties = {"MGRS_TILE": "33TVL", "CLOUDY_PIXEL_PERCENTAGE": scene.cloudy,
                          "SPACECRAFT_NAME": "Sentinel-2A"}
        entry.update(startTime=_iso(scene.time), endTime=_iso(scene.time), geometry=scene.footprint,
                     bands=bands, properties=properties, updateTime="2023-11-01T00:00:00Z")
        return entry

    def list_assets(self, collection: str, query: Dict[str, str]) -> Tuple[int, Dict[str, Any]]:
        if collection not in (L1C, L2A, SCORES):
            return 404, _error(404, f"Asset 'projects/earthengine-public/assets/{collection}' does not exist.")
        try:
            keep = _compile_filter(query.get("filter", ""))
        except ValueError as error:
            return 400, _error(400, f"Invalid filter: {error}")
        basic = query.get("view") == "BASIC"
        limit = min(int(query.get("pageSize") or 100), BASIC_PAGE_MAX if basic else FULL_PAGE_MAX,
                    self.page_size_max)
        matches = [s for s in self.collection_scenes(collection) if keep(s)]
        offset = int(query.get("pageToken") or 0)
        page = matches[offset:offset + limit]
        body: Dict[str, Any] = {"assets": [self.asset(collection, s, basic) for s in page]}
        if offset + limit < len(matches):
            body["nextPageToken"] = str(offset + limit)
        return 200, body

    def get_pixels(self, asset_id: str, body: Dict[str, Any], misplace: Optional[str] = None) -> Tuple[int, Any]:
        collection, _, index = asset_id.rpartition("/")
        scene = self.scenes.get(index)
        if collection not in (L1C, L2A, SCORES) or scene is None or (collection == SCORES and index in self.unscored):
            return 404, _error(404, f"Image asset '{asset_id}' not found.")
        if body.get("fileFormat") != "GEO_TIFF":
            return 400, _error(400, f"this fake serves GEO_TIFF only, not {body.get('fileFormat')!r}")
        names, _ = _collection_bands(collection)
        band_ids = body.get("bandIds") or names
        unknown = [b for b in band_ids if b not in names]
        if unknown:
            return 400, _error(400, f"Image.select: Pattern '{unknown[0]}' did not match any bands.")
        grid = body["grid"]
        width, height = grid["dimensions"]["width"], grid["dimensions"]["height"]
        nbytes = width * height * len(band_ids) * (4 if collection == SCORES else 2)
        if width > MAX_SIDE or height > MAX_SIDE:
            return 400, _error(400, f"Request grid dimensions ({width}x{height}) exceed the limit of {MAX_SIDE}.")
        if nbytes > self.max_bytes:
            return 400, _error(400, f"Total request size ({nbytes} bytes) must be less than or equal to "
                                    f"{self.max_bytes} bytes.")
        return 200, _geotiff(scene, collection, band_ids, grid, misplace)

    def compute_pixels(self, body: Dict[str, Any], misplace: Optional[str] = None) -> Tuple[int, Any]:
        """``image:computePixels``: evaluate ``body["expression"]`` on ``body["grid"]`` and answer a GeoTIFF of its
        ``bandIds`` (all bands when absent) on exactly that grid: one data type for all bands (the widest of
        theirs), masked pixels 0, band descriptions the band names. Refused with 400 like the real service: an
        invalid expression, a grid side over 32768 px, over 1024 bands, or more than ``max_bytes`` counted with each
        output band's own type (width x height x bytes per pixel summed over the bands). Large grids are evaluated
        in strips (every implemented algorithm is per pixel), so memory stays bounded."""
        if body.get("fileFormat") != "GEO_TIFF":
            return 400, _error(400, f"this fake serves GEO_TIFF only, not {body.get('fileFormat')!r}")
        expression, grid = body.get("expression"), body.get("grid")
        if not isinstance(expression, dict):
            return 400, _error(400, "Invalid JSON payload: 'expression' is required.")
        if not (isinstance(grid, dict) and "dimensions" in grid and "affineTransform" in grid
                and (grid.get("crsCode") or grid.get("crsWkt"))):
            return 400, _error(400, "this fake needs an explicit grid: dimensions, affineTransform and crsCode or "
                                    "crsWkt")
        width, height = grid["dimensions"]["width"], grid["dimensions"]["height"]
        if width > MAX_SIDE or height > MAX_SIDE:
            return 400, _error(400, f"Request grid dimensions ({width}x{height}) exceed the limit of {MAX_SIDE}.")
        strips = list(_strips(grid))
        try:
            first = self._evaluate(expression, strips[0][1])
            bands = select_bands(first, body.get("bandIds") or None)  # empty as absent: every band
            if not bands:
                return 400, _error(400, "The image has no bands to compute.")
            if len(bands) > MAX_BANDS:
                return 400, _error(400, f"Number of bands ({len(bands)}) must be less than or equal to "
                                        f"{MAX_BANDS}.")
            nbytes = width * height * sum(np.dtype(b.dtype).itemsize for b in bands)
            if nbytes > self.max_bytes:
                return 400, _error(400, f"Total request size ({nbytes} bytes) must be less than or equal to "
                                        f"{self.max_bytes} bytes.")
            names = [b.name for b in bands]
            dtype = np.result_type(*[b.dtype for b in bands]).name
            crs, transform, _, _ = _parse_grid(grid)
            with MemoryFile() as memory:
                with memory.open(**_profile(crs, transform, width, height, len(bands), dtype, misplace)) as dst:
                    dst.descriptions = tuple(names)
                    for i, (row, strip) in enumerate(strips):
                        image = first if i == 0 else self._evaluate(expression, strip)
                        data = [np.where(mask, values, 0) for values, mask in
                                (b.pixels.get() for b in select_bands(image, names))]
                        rows = strip["dimensions"]["height"]
                        dst.write(np.stack(data).astype(dtype), window=Window(0, row, width, rows))
                return 200, bytes(memory.read())
        except ExpressionError as error:
            return 400, _error(400, str(error))

    def _evaluate(self, expression: Dict[str, Any], grid: Dict[str, Any]) -> Image:
        """The expression's image on ``grid``; anything but an image is refused as the real service does."""
        result = evaluate(expression, self.catalog(grid),
                          (grid["dimensions"]["height"], grid["dimensions"]["width"]), load_algorithms())
        if not isinstance(result, Image):
            raise ExpressionError(f"computePixels needs an Image expression, not {type(result).__name__}.")
        return result

    def catalog(self, grid: Dict[str, Any]):
        """``catalog(collection_id)`` for the expression evaluator: the images of L1C, L2A or Cloud Score+ in
        collection order (unscored scenes have no Cloud Score+ image), with the properties and footprints
        listAssets gives and the bands and types getPixels serves, their pixels read on first use onto ``grid``
        the way getPixels reads them (each file band once per grid); a band is masked where its value is 0
        (the demo nodata and outside the scene)."""
        crs, transform, width, height = _parse_grid(grid)
        read: Dict[Tuple[Path, str], np.ndarray] = {}

        def pixels(path: Path, file_band: str) -> Tuple[np.ndarray, np.ndarray]:
            if (path, file_band) not in read:  # cs and cs_cdf share the clear band
                read[path, file_band] = _read_bands(path, [file_band], crs, transform, width, height)[0].astype(float)
            values = read[path, file_band]
            return values, values != 0

        def image(collection: str, scene: DemoScene) -> Image:
            names, dtype = _collection_bands(collection)
            millis = int(scene.time.timestamp() * 1000)
            properties = {"system:index": scene.index, "system:time_start": millis, "system:time_end": millis,
                          **self.asset(collection, scene, basic=False)["properties"]}
            bands = [Band(n, dtype, Pixels(lambda n=n: pixels(scene.path, "clear" if n in ("cs", "cs_cdf") else n)))
                     for n in names]
            return Image(bands, properties, scene.footprint)

        def images(collection: str) -> Optional[List[Image]]:
            if collection not in (L1C, L2A, SCORES):
                return None
            return [image(collection, s) for s in self.collection_scenes(collection)]

        return images


def _collection_bands(collection: str) -> Tuple[List[str], str]:
    """The band names of a collection's images and their type as Earth Engine reports it."""
    if collection == SCORES:
        return ["cs", "cs_cdf"], "float32"
    return [b for b in S2_BANDS if not (collection == L2A and b == "B10")], "uint16"  # L2A has no cirrus band


def _error(code: int, message: str, status: str = "", reason: Optional[str] = None) -> Dict[str, Any]:
    status = status or {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                        404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED"}.get(code, "INTERNAL")
    error: Dict[str, Any] = {"code": code, "message": message, "status": status}
    if reason:
        error["errors"] = [{"reason": reason, "message": message}]
    return {"error": error}


# The filter as earthengine-api writes it (python/ee/_cloud_api_utils.py,
# _convert_list_images_filter_params_to_list_assets_params): the GeoJSON's double quotes turned into single quotes
# inside one double-quoted literal, no escapes; the end of the range on the acquisition time, startTime.
_TERMS = [
    ("start", re.compile(r'startTime\s*>=\s*"([^"]+)"')),
    ("end", re.compile(r'startTime\s*<\s*"([^"]+)"')),
    ("region", re.compile(r'intersects\("([^"\\]*)"\)')),
]


def _filter_region(literal: str) -> Tuple[float, float, float, float]:
    """The bounding box of the single-quoted GeoJSON inside ``intersects("...")``; ValueError when it is not a
    Point or Polygon."""
    try:
        geometry = json.loads(literal.replace("'", '"'))
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Point", "Polygon"):
            raise ValueError("not a GeoJSON Point or Polygon")
        return _bbox(geometry)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ValueError(f"intersects() needs GeoJSON, got {literal[:80]!r} ({error})") from error


def _compile_filter(text: str):
    """A predicate on scenes from the AIP-160 filter subset Google's client sends (terms joined by AND).

    Raises:
        ValueError: a term of another form or a value that does not parse (list_assets answers HTTP 400 with an
            Earth Engine error body, as the real server does for a malformed filter).
    """
    tests = []
    for term in filter(None, (t.strip() for t in re.split(r"\s+AND\s+", text))):
        for kind, pattern in _TERMS:  # noqa: B007 (kind is read after the break)
            match = pattern.fullmatch(term)
            if match:
                break
        else:
            raise ValueError(f"unsupported term {term!r}")
        if kind == "start":
            low = _parse_time(match.group(1))
            tests.append(lambda s, low=low: s.time >= low)
        elif kind == "end":
            high = _parse_time(match.group(1))
            tests.append(lambda s, high=high: s.time < high)
        else:
            region = _filter_region(match.group(1))
            tests.append(lambda s, r=region: _overlap(_bbox(s.footprint), r))
    return lambda scene: all(test(scene) for test in tests)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _parse_grid(grid: Dict[str, Any]) -> Tuple[str, Affine, int, int]:
    """(crs, transform, width, height) of a REST PixelGrid."""
    t = grid["affineTransform"]
    transform = Affine(t.get("scaleX", 0.0), t.get("shearX", 0.0), t.get("translateX", 0.0),
                       t.get("shearY", 0.0), t.get("scaleY", 0.0), t.get("translateY", 0.0))
    return (grid.get("crsCode") or grid.get("crsWkt"), transform, grid["dimensions"]["width"],
            grid["dimensions"]["height"])


def _strips(grid: Dict[str, Any]):
    """(first row, sub-grid) strips of about STRIP_PIXELS pixels covering ``grid`` top to bottom."""
    crs, transform, width, height = _parse_grid(grid)
    rows = max(1, STRIP_PIXELS // max(width, 1))
    for row in range(0, height, rows):
        t = transform * Affine.translation(0, row)
        yield row, dict(grid, dimensions={"width": width, "height": min(rows, height - row)},
                        affineTransform={"scaleX": t.a, "shearX": t.b, "translateX": t.c, "shearY": t.d,
                                         "scaleY": t.e, "translateY": t.f})


def _read_bands(path: Path, file_bands: List[str], crs: str, transform: Affine, width: int,
                height: int) -> np.ndarray:
    """The demo file's bands ``file_bands`` on the grid (nearest neighbour, 0 outside the scene), as stored. Only
    the part of the grid the file can reach is warped (a large, mostly empty grid stays cheap to read)."""
    with rasterio.open(path) as src:
        descriptions = list(src.descriptions)
        indexes = [descriptions.index(b) + 1 for b in file_bands]
        data = np.zeros((len(indexes), height, width), dtype=src.dtypes[0])
        window = _reach(src, crs, transform, width, height)
        if window is not None:
            col, row, cols, rows = window
            with WarpedVRT(src, crs=crs, transform=transform * Affine.translation(col, row), width=cols,
                           height=rows, resampling=Resampling.nearest, src_nodata=0, nodata=0) as vrt:
                data[:, row:row + rows, col:col + cols] = vrt.read(indexes)
        return data


def _reach(src, crs: str, transform: Affine, width: int, height: int) -> Optional[Tuple[int, int, int, int]]:
    """(col, row, cols, rows) of the grid that the file's bounds cover, a pixel of margin around; None when
    they miss the grid; the whole grid for a rotated one."""
    if transform.b or transform.d:
        return 0, 0, width, height
    left, bottom, right, top = transform_bounds(src.crs, crs, *src.bounds, densify_pts=21)
    inverse = ~transform
    (c0, r0), (c1, r1) = inverse * (left, top), inverse * (right, bottom)
    col0, col1 = max(0, int(np.floor(min(c0, c1))) - 1), min(width, int(np.ceil(max(c0, c1))) + 1)
    row0, row1 = max(0, int(np.floor(min(r0, r1))) - 1), min(height, int(np.ceil(max(r0, r1))) + 1)
    if col1 <= col0 or row1 <= row0:
        return None
    return col0, row0, col1 - col0, row1 - row0


def _profile(crs: str, transform: Affine, width: int, height: int, count: int, dtype: str,
             misplace: Optional[str] = None) -> Dict[str, Any]:
    """The GeoTIFF profile of an answer on the grid, or on a misplaced grid (see ``Fault.misplace``)."""
    if misplace == "transform":
        transform = transform * Affine.translation(1, 0)
    elif misplace == "crs":
        crs = f"EPSG:{rasterio.crs.CRS.from_user_input(crs).to_epsg() + 1}"
    return dict(driver="GTiff", width=width, height=height, count=count, dtype=dtype, crs=crs,
                transform=transform, compress="deflate")


def _geotiff(scene: DemoScene, collection: str, band_ids: List[str], grid: Dict[str, Any],
             misplace: Optional[str] = None) -> bytes:
    """getPixels' answer: the scene's ``band_ids`` on ``grid`` as a GeoTIFF of the collection's type."""
    crs, transform, width, height = _parse_grid(grid)
    data = _read_bands(scene.path, ["clear" if b in ("cs", "cs_cdf") else b for b in band_ids], crs, transform,
                       width, height)
    dtype = _collection_bands(collection)[1]
    with MemoryFile() as memory:
        with memory.open(**_profile(crs, transform, width, height, len(band_ids), dtype, misplace)) as dst:
            dst.write(data.astype(dtype))
        return bytes(memory.read())


def _handler(server: FakeEarthEngine):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        kind: Optional[str] = None  # the kind of the request being answered, for bytes_sent

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: Any, headers: Optional[Dict[str, str]] = None,
                  truncate: bool = False) -> None:
            content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "image/tiff" if isinstance(body, bytes) else "application/json")
            self.send_header("Content-Length", str(len(content)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if truncate:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            sent = content[:len(content) // 2] if truncate else content
            if self.kind:  # the bytes a client downloads, per kind; counted first so a client that has them sees them
                with server._lock:
                    server.sent[self.kind] = server.sent.get(self.kind, 0) + len(sent)
            self.wfile.write(sent)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _authorised(self) -> bool:
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            with server._lock:
                server.projects.append(self.headers.get("X-Goog-User-Project"))
                ok = token in server.tokens
            if not ok:
                self._send(401, _error(401, "Request had invalid authentication credentials. Expected OAuth 2 "
                                            "access token, login cookie or other valid authentication credential."))
            return ok

        def _scripted(self, kind: str) -> Tuple[bool, bool]:
            """(answered, truncate): a scripted error was sent, or the real answer must be cut short."""
            fault = server.take_fault(kind)
            if fault is None:
                return False, False
            if fault.misplace:
                self.misplace = fault.misplace
                return False, False
            if fault.truncate:
                return False, True
            if fault.garbage:  # a whole 200 answer that is not what was asked for
                self._send(200, b"<html>proxy error page, not a GeoTIFF</html>")
                return True, False
            self._send(fault.status, _error(fault.status, fault.message, reason=fault.reason), fault.headers)
            return True, False

        def _record(self, kind: str, details: Dict[str, Any]) -> None:
            self.kind = kind
            with server._lock:
                server.log.append((kind, self.path, details))

        def do_GET(self) -> None:  # noqa: N802
            self.kind = None  # a kept-alive connection's previous request is not this one
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if not (parts.path.startswith(PUBLIC) and parts.path.endswith(":listAssets")):
                self._send(404, _error(404, f"no such method {parts.path}"))
                return
            self._record("listAssets", query)
            if not self._authorised():
                return
            answered, truncate = self._scripted("listAssets")
            if not answered:
                status, body = server.list_assets(parts.path[len(PUBLIC):-len(":listAssets")], query)
                self._send(status, body, truncate=truncate)

        def do_POST(self) -> None:  # noqa: N802
            self.kind = None
            path = urlsplit(self.path).path
            raw = self._body()
            if path == "/token":
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
                self._record("token", form)
                if self._scripted("token")[0]:
                    return
                if form.get("grant_type") == "refresh_token" and form.get("refresh_token") in server.refresh_tokens:
                    self._send(200, {"access_token": server.issue_token(), "expires_in": 3599,
                                     "token_type": "Bearer"})
                else:
                    self._send(400, {"error": "invalid_grant", "error_description": "Token has been expired or "
                                                                                    "revoked."})
                return
            if COMPUTE_PIXELS.fullmatch(path):
                kind = "computePixels"
            elif path.startswith(PUBLIC) and path.endswith(":getPixels"):
                kind = "getPixels"
            else:
                self._send(404, _error(404, f"no such method {path}"))
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = None
            self._record(kind, body)
            if not self._authorised():
                return
            if not isinstance(body, dict):
                self._send(400, _error(400, "Invalid JSON payload received."))
                return
            self.misplace = None
            answered, truncate = self._scripted(kind)
            if not answered:
                if kind == "computePixels":
                    status, answer = server.compute_pixels(body, self.misplace)
                else:
                    status, answer = server.get_pixels(path[len(PUBLIC):-len(":getPixels")], body, self.misplace)
                self._send(status, answer, truncate=truncate)

    return Handler
