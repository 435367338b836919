"""A local stand-in for the Earth Engine REST API (127.0.0.1, ephemeral port), serving the real demo scenes.

It follows the documented contract (../shared/DESIGN.md, the Earth Engine REST reference): ``listAssets`` under
``/v1/projects/earthengine-public/assets/<collection>:listAssets`` with the AIP-160 filter on ``startTime``,
``endTime`` and ``intersects("<GeoJSON>")``, ``pageSize``/``pageToken`` paging, the FULL and BASIC views;
``getPixels`` (POST, GEO_TIFF, ``bandIds``, ``grid``) answering real GeoTIFF bytes read from resources/demo onto
the requested grid (reflectance as uint16 DN; the demo ``clear`` band as Cloud Score+ ``cs``, and
``cs_cdf_from_clear`` of it, ``clear * (2 - clear)``, as ``cs_cdf``: a monotone but different score, so a test
mixing the two bands up fails; float32; 0 outside the scene), request limits (48 MiB, 32768 px a side)
answered with 400 and an Earth Engine error body; Bearer tokens (401 when unknown) and an OAuth token endpoint
(``/token``, refresh-token grant).

``computePixels`` (POST ``/v1/projects/<project>/image:computePixels``) evaluates the expression graph with numpy
(tests/earthengine_expressions.py, built from Google's serializer and the recorded algorithms list) on the same
demo scenes, validates it (unknown function or argument: 400), applies the same limits with the output bands' own
types, and answers a GeoTIFF on exactly the requested grid.

Batch exports (built from what earthengine-api 1.7.50 sends, tests/data/earthengine/export_<method>.json, and the
REST reference): ``POST /v1/projects/<project>/image:export`` checks the ExportImageRequest's shape, takes the export
grid from the expression as the official client folds it (``Image.clipToBoundsAndScale`` of ``Image.reproject`` to
the rectangle ``[0, 0, width, height]`` in that projection) or from a ``grid`` field, evaluates the expression on it
with the same numpy evaluator, and answers an Operation; a repeated ``requestId`` answers the task it started (or
409 with ``duplicate_conflict``). ``GET /v1/projects/<project>/operations/<id>`` moves the task through PENDING,
RUNNING (with ``metadata.progress``) and SUCCEEDED over a few polls (``export_polls``), or ends it FAILED
(``export_outcome``, or maxPixels exceeded, or an expression the evaluator refuses); ``POST .../<id>:cancel``
cancels it; ``GET /v1/projects/<project>/operations`` lists them. A SUCCEEDED task writes its image as
Cloud-Optimized GeoTIFFs into a fake bucket, one ``<prefix>.tif`` or, with ``export_file_side`` smaller than the
grid, shards ``<prefix>-<row offset 10 digits>-<col offset 10 digits>.tif``, which the fake Cloud Storage JSON API
serves: ``GET /storage/v1/b/<bucket>/o?prefix=`` (paged by ``storage_page_size`` and ``nextPageToken``) and
``GET /storage/v1/b/<bucket>/o/<name>?alt=media`` with ``Range: bytes=N-`` (206).

Tests script faults (``add_fault``: 429 with Retry-After, 5xx storms, truncated bodies, ...), expire tokens,
withhold a scene's score, count requests and the bytes each kind of request was sent back (``bytes_sent``).
Export kinds: export, operation, cancel, listOperations, storageList, storageMedia.
"""

import base64
import hashlib
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
import rasterio
from affine import Affine
from rasterio.enums import Resampling
from rasterio.io import MemoryFile
from rasterio.shutil import copy as raster_copy
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from .conftest import DEMO_DIR
from .earthengine_expressions import (
    Band,
    ExpressionError,
    Image,
    Pixels,
    evaluate,
    load_algorithms,
    select_bands,
    validate,
)

PUBLIC = "/v1/projects/earthengine-public/assets/"
L1C, L2A = "COPERNICUS/S2_HARMONIZED", "COPERNICUS/S2_SR_HARMONIZED"
SCORES = "GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED"
S2_BANDS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12")
MAX_BYTES = 48 * 1024 * 1024
MAX_SIDE = 32768
MAX_BANDS = 1024
STRIP_PIXELS = 1 << 18  # computePixels evaluates large grids in strips of about this many pixels
COMPUTE_PIXELS = re.compile(r"/v1/projects/([^/]+)/image:computePixels")
EXPORT_IMAGE = re.compile(r"/v1/projects/([^/]+)/image:export")
OPERATION = re.compile(r"/v1/(projects/[^/]+/operations/[^/:]+)")
CANCEL_OPERATION = re.compile(r"/v1/(projects/[^/]+/operations/[^/:]+):cancel")
LIST_OPERATIONS = re.compile(r"/v1/projects/([^/]+)/operations")
STORAGE = re.compile(r"/storage/v1/b/([^/]+)/o(?:/(.+))?")
DEFAULT_MAX_PIXELS = 100_000_000  # Export.image's default maxPixels (earthengine-api batch.py docstring)
EXPORT_KEYS = {
    "expression",
    "description",
    "maxPixels",
    "grid",
    "requestId",
    "workloadTag",
    "priority",
    "fileExportOptions",
    "assetExportOptions",
    "maxWorkers",
}  # ExportImageRequest (REST reference)
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
    """A scripted answer for the next ``times`` requests of ``kind`` (listAssets, getPixels, computePixels, token;
    export, operation, cancel, listOperations, storageList, storageMedia):
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


@dataclass
class FakeOperation:
    """An export task: its request, the files it will write, and where it is in its life (``polls`` so far)."""

    name: str
    project: str
    request_id: str
    description: str
    bucket: str
    prefix: str
    files: Dict[str, bytes]
    pending_polls: int
    running_polls: int
    outcome: str = "SUCCEEDED"
    message: str = ""
    polls: int = 0
    cancelled: bool = False
    written: bool = False
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass
class StoredObject:
    """An object of the fake Cloud Storage."""

    data: bytes
    generation: int

    @property
    def md5(self) -> str:
        return base64.b64encode(hashlib.md5(self.data).digest()).decode("ascii")


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _read_demo(path: Path, index: Optional[str] = None, time: Optional[datetime] = None) -> DemoScene:
    with rasterio.open(path) as src:
        tags = src.tags()
        clear = src.read(src.descriptions.index("clear") + 1)
        left, bottom, right, top = transform_bounds(src.crs, "EPSG:4326", *src.bounds)
        footprint = {
            "type": "Polygon",
            "coordinates": [[[left, bottom], [right, bottom], [right, top], [left, top], [left, bottom]]],
        }
        return DemoScene(
            index or tags["SYSTEM_INDEX"],
            time or _parse_time(tags["ACQUISITION_TIME"]),
            path,
            f"EPSG:{src.crs.to_epsg()}",
            src.transform,
            src.width,
            src.height,
            footprint,
            float(100.0 * (clear < 0.5).mean()),
        )


def _bbox(geometry: Dict[str, Any]) -> Tuple[float, float, float, float]:
    points = np.array(
        geometry["coordinates"][0] if geometry["type"] == "Polygon" else [geometry["coordinates"]], dtype=float
    ).reshape(-1, 2)
    return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


class FakeEarthEngine:
    """The server; use as a context manager (``with FakeEarthEngine() as server: server.url``).

    Args:
        extra_scenes: add this many more scenes (copies of the demo pixels, one a day from 2016-01-01) for paging.
        unscored: system:index values that have no Cloud Score+ image.
        page_size_max: largest page the server gives, whatever the client asks (to force many pages).
        max_bytes: the getPixels size limit (Earth Engine's 48 MiB unless a test lowers it).
    """

    def __init__(
        self, extra_scenes: int = 0, unscored=(), page_size_max: int = FULL_PAGE_MAX, max_bytes: int = MAX_BYTES
    ):
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
        self.operations: Dict[str, FakeOperation] = {}
        self.export_requests: Dict[Tuple[str, str], str] = {}
        self.export_polls = (1, 3)  # (PENDING polls, RUNNING polls) before a task ends
        self.export_outcome, self.export_message = "SUCCEEDED", ""  # for tasks started from now on
        self.export_file_side: Optional[int] = None  # split exports into files of at most this many pixels a side
        self.duplicate_conflict = False  # answer a repeated requestId with 409 instead of its task
        self.buckets: Dict[str, Dict[str, StoredObject]] = {}
        self.storage_page_size = 1000
        self._generation = 1000
        self._issued = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

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

    def operation(self, name: str) -> FakeOperation:
        """The export task ``name`` (``projects/P/operations/ID``)."""
        with self._lock:
            return self.operations[name]

    def put_object(self, bucket: str, name: str, data: bytes) -> None:
        """Store an object in the fake Cloud Storage (the bucket is created when needed)."""
        with self._lock:
            self._generation += 1
            self.buckets.setdefault(bucket, {})[name] = StoredObject(bytes(data), self._generation)

    def object_names(self, bucket: str) -> List[str]:
        """The names of the objects of ``bucket``, sorted."""
        with self._lock:
            return sorted(self.buckets.get(bucket, {}))

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
        entry: Dict[str, Any] = {
            "type": "IMAGE",
            "name": f"projects/earthengine-public/assets/{asset_id}",
            "id": asset_id,
        }
        if basic:
            return entry
        t = scene.transform
        grid = {
            "dimensions": {"width": scene.width, "height": scene.height},
            "affineTransform": {"scaleX": t.a, "translateX": t.c, "scaleY": t.e, "translateY": t.f},
            "crsCode": scene.crs_code,
        }
        if collection == SCORES:
            bands = [{"id": b, "dataType": {"precision": "FLOAT"}, "grid": grid} for b in ("cs", "cs_cdf")]
            properties = {"MGRS_TILE": "33TVL"}
        else:
            names = [b for b in S2_BANDS if not (collection == L2A and b == "B10")]  # L2A has no cirrus band
            bands = [{"id": b, "dataType": {"precision": "INT", "range": {"max": 65535}}, "grid": grid} for b in names]
            properties = {
                "MGRS_TILE": "33TVL",
                "CLOUDY_PIXEL_PERCENTAGE": scene.cloudy,
                "SPACECRAFT_NAME": "Sentinel-2A",
            }
        entry.update(
            startTime=_iso(scene.time),
            endTime=_iso(scene.time),
            geometry=scene.footprint,
            bands=bands,
            properties=properties,
            updateTime="2023-11-01T00:00:00Z",
        )
        return entry

    def list_assets(self, collection: str, query: Dict[str, str]) -> Tuple[int, Dict[str, Any]]:
        if collection not in (L1C, L2A, SCORES):
            return 404, _error(404, f"Asset 'projects/earthengine-public/assets/{collection}' does not exist.")
        try:
            keep = _compile_filter(query.get("filter", ""))
        except ValueError as error:
            return 400, _error(400, f"Invalid filter: {error}")
        basic = query.get("view") == "BASIC"
        limit = min(int(query.get("pageSize") or 100), BASIC_PAGE_MAX if basic else FULL_PAGE_MAX, self.page_size_max)
        matches = [s for s in self.collection_scenes(collection) if keep(s)]
        offset = int(query.get("pageToken") or 0)
        page = matches[offset : offset + limit]
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
            return 400, _error(
                400, f"Total request size ({nbytes} bytes) must be less than or equal to {self.max_bytes} bytes."
            )
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
        if not (
            isinstance(grid, dict)
            and "dimensions" in grid
            and "affineTransform" in grid
            and (grid.get("crsCode") or grid.get("crsWkt"))
        ):
            return 400, _error(
                400, "this fake needs an explicit grid: dimensions, affineTransform and crsCode or crsWkt"
            )
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
                return 400, _error(400, f"Number of bands ({len(bands)}) must be less than or equal to {MAX_BANDS}.")
            nbytes = width * height * sum(np.dtype(b.dtype).itemsize for b in bands)
            if nbytes > self.max_bytes:
                return 400, _error(
                    400, f"Total request size ({nbytes} bytes) must be less than or equal to {self.max_bytes} bytes."
                )
            names = [b.name for b in bands]
            dtype = np.result_type(*[b.dtype for b in bands]).name
            crs, transform, _, _ = _parse_grid(grid)
            with MemoryFile() as memory:
                with memory.open(**_profile(crs, transform, width, height, len(bands), dtype, misplace)) as dst:
                    dst.descriptions = tuple(names)
                    for i, (row, strip) in enumerate(strips):
                        image = first if i == 0 else self._evaluate(expression, strip)
                        data = [
                            np.where(mask, values, 0)
                            for values, mask in (b.pixels.get() for b in select_bands(image, names))
                        ]
                        rows = strip["dimensions"]["height"]
                        dst.write(np.stack(data).astype(dtype), window=Window(0, row, width, rows))
                return 200, bytes(memory.read())
        except ExpressionError as error:
            return 400, _error(400, str(error))

    def _evaluate(self, expression: Dict[str, Any], grid: Dict[str, Any]) -> Image:
        """The expression's image on ``grid``; anything but an image is refused as the real service does."""
        result = evaluate(
            expression,
            self.catalog(grid),
            (grid["dimensions"]["height"], grid["dimensions"]["width"]),
            load_algorithms(),
        )
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

        def pixels(path: Path, band: str) -> Tuple[np.ndarray, np.ndarray]:
            if (path, band) not in read:  # cs and cs_cdf are made from the clear band
                read[path, band] = _served_bands(path, [band], crs, transform, width, height)[0].astype(float)
            values = read[path, band]
            return values, values != 0

        def image(collection: str, scene: DemoScene) -> Image:
            names, dtype = _collection_bands(collection)
            millis = int(scene.time.timestamp() * 1000)
            properties = {
                "system:index": scene.index,
                "system:time_start": millis,
                "system:time_end": millis,
                **self.asset(collection, scene, basic=False)["properties"],
            }
            bands = [Band(n, dtype, Pixels(lambda n=n: pixels(scene.path, n))) for n in names]
            return Image(bands, properties, scene.footprint)

        def images(collection: str) -> Optional[List[Image]]:
            if collection not in (L1C, L2A, SCORES):
                return None
            return [image(collection, s) for s in self.collection_scenes(collection)]

        return images

    # --- batch exports and Cloud Storage --------------------------------------------------------------------------

    def export_image(self, project: str, body: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        """``image:export``: check the request's shape (400 as the real service: unknown fields, no file export to
        Cloud Storage, a bad ``requestId``, an expression that does not validate or carries no grid), evaluate the
        expression on the export grid into the task's files, and answer the Operation. A repeated ``requestId``
        (same project) answers the task it started, or 409 ALREADY_EXISTS with ``duplicate_conflict``."""
        problem = _export_problem(body)
        if problem:
            return 400, _error(400, f"Invalid JSON payload received. {problem}")
        request_id = body.get("requestId") or ""
        with self._lock:
            known = self.export_requests.get((project, request_id)) if request_id else None
            if known is not None:
                if self.duplicate_conflict:
                    return 409, _error(
                        409, f"A request with requestId '{request_id}' was already made.", "ALREADY_EXISTS"
                    )
                return 200, self._operation_json(self.operations[known])
        try:
            grid, image = _export_target(body)
            validate(image, load_algorithms())
        except ExpressionError as error:
            return 400, _error(400, str(error))
        destination = body["fileExportOptions"]["cloudStorageDestination"]
        bucket, prefix = destination["bucket"], destination.get("filenamePrefix") or body.get("description", "")
        width, height = grid["dimensions"]["width"], grid["dimensions"]["height"]
        max_pixels = body.get("maxPixels", {"value": str(DEFAULT_MAX_PIXELS)})
        max_pixels = int(max_pixels["value"] if isinstance(max_pixels, dict) else max_pixels)
        outcome, message, files = self.export_outcome, self.export_message, {}
        if width * height > max_pixels:
            outcome, message = (
                "FAILED",
                (f"Too many pixels in the region. Found {width * height}, but maxPixels allows only {max_pixels}."),
            )
        elif outcome == "SUCCEEDED":
            try:
                files = self._export_files(image, grid, prefix)
            except ExpressionError as error:
                outcome, message = "FAILED", f"Error: {error}"
        name = f"projects/{project}/operations/{uuid.uuid4().hex.upper()[:24]}"
        pending, running = self.export_polls
        operation = FakeOperation(
            name,
            project,
            request_id,
            str(body.get("description") or ""),
            bucket,
            prefix,
            files,
            pending,
            running,
            outcome,
            message or "Internal error.",
        )
        with self._lock:
            self.operations[name] = operation
            if request_id:
                self.export_requests[(project, request_id)] = name
            return 200, self._operation_json(operation)

    def _export_files(self, image: Dict[str, Any], grid: Dict[str, Any], prefix: str) -> Dict[str, bytes]:
        """The task's files: the image on ``grid`` as Cloud-Optimized GeoTIFFs of at most ``export_file_side``
        pixels a side (all bands in the widest of their types, masked pixels 0, band descriptions the names)."""
        crs, transform, width, height = _parse_grid(grid)
        side = self.export_file_side or max(width, height)
        windows = [
            (row, col, min(side, height - row), min(side, width - col))
            for row in range(0, height, side)
            for col in range(0, width, side)
        ]
        files = {}
        for row, col, rows, cols in windows:
            t = transform * Affine.translation(col, row)
            part = _sub_grid(grid, t, cols, rows)
            bands = select_bands(self._evaluate(image, part))
            dtype = np.result_type(*[b.dtype for b in bands]).name
            data = np.stack([np.where(mask, values, 0) for values, mask in (b.pixels.get() for b in bands)])
            with MemoryFile() as plain:
                with plain.open(**_profile(crs, t, cols, rows, len(bands), dtype)) as dst:
                    dst.descriptions = tuple(b.name for b in bands)
                    dst.write(data.astype(dtype))
                with MemoryFile() as cog:
                    raster_copy(plain.name, cog.name, driver="COG")
                    content = bytes(cog.read())
            name = f"{prefix}.tif" if len(windows) == 1 else f"{prefix}-{row:010d}-{col:010d}.tif"
            files[name] = content
        return files

    def poll_operation(self, name: str) -> Tuple[int, Dict[str, Any]]:
        """``operations.get``: one more poll of the task (its state moves on), answered as an Operation."""
        with self._lock:
            operation = self.operations.get(name)
            if operation is None:
                return 404, _error(404, f"Operation {name} not found.")
            operation.polls += 1
            answer = self._operation_json(operation)
        if answer["done"] and "error" not in answer and not operation.written:
            for file_name, data in operation.files.items():
                self.put_object(operation.bucket, file_name, data)
            operation.written = True
        return 200, answer

    def cancel_operation(self, name: str) -> Tuple[int, Dict[str, Any]]:
        """``operations.cancel``: a task not done yet ends CANCELLED; a done one answers 400."""
        with self._lock:
            operation = self.operations.get(name)
            if operation is None:
                return 404, _error(404, f"Operation {name} not found.")
            if self._operation_json(operation)["done"]:
                return 400, _error(400, f"Operation {name} has already completed.", "FAILED_PRECONDITION")
            operation.cancelled = True
            return 200, {}

    def list_operations(self, project: str, query: Dict[str, str]) -> Tuple[int, Dict[str, Any]]:
        """``operations.list`` of a project, newest first, paged by ``pageSize`` / ``pageToken``."""
        with self._lock:
            found = sorted(
                (o for o in self.operations.values() if o.project == project), key=lambda o: o.created, reverse=True
            )
            offset, size = int(query.get("pageToken") or 0), max(1, int(query.get("pageSize") or 50))
            body: Dict[str, Any] = {"operations": [self._operation_json(o) for o in found[offset : offset + size]]}
        if offset + size < len(found):
            body["nextPageToken"] = str(offset + size)
        return 200, body

    def _operation_json(self, operation: FakeOperation) -> Dict[str, Any]:
        """The Operation resource of a task at its current poll (REST reference, OperationMetadata)."""
        pending, running = operation.pending_polls, operation.running_polls
        metadata: Dict[str, Any] = {
            "@type": "type.googleapis.com/google.earthengine.v1.OperationMetadata",
            "description": operation.description,
            "type": "EXPORT_IMAGE",
            "priority": 100,
            "createTime": _iso(operation.created),
            "updateTime": _iso(datetime.now(timezone.utc)),
            "attempt": 1,
            "destinationUris": [
                f"https://console.developers.google.com/storage/browser/{operation.bucket}/"
                f"{operation.prefix.rpartition('/')[0]}"
            ],
        }
        answer: Dict[str, Any] = {"name": operation.name, "metadata": metadata, "done": False}
        if operation.cancelled:
            metadata["state"] = "CANCELLED"
            answer.update(done=True, error={"code": 1, "message": "Cancelled."})
        elif operation.polls <= pending:
            metadata["state"] = "PENDING"
        elif operation.polls <= pending + running:
            metadata.update(state="RUNNING", progress=(operation.polls - pending) / (running + 1))
        elif operation.outcome == "SUCCEEDED":
            metadata.update(state="SUCCEEDED", progress=1.0)
            answer.update(done=True, response={"@type": "type.googleapis.com/google.protobuf.Empty"})
        else:
            metadata["state"] = operation.outcome
            answer.update(
                done=True, error={"code": 1 if operation.outcome == "CANCELLED" else 3, "message": operation.message}
            )
        return answer

    def storage_list(self, bucket: str, query: Dict[str, str]) -> Tuple[int, Dict[str, Any]]:
        """``objects.list``: the objects whose names start with ``prefix``, by name, ``storage_page_size`` (or
        ``maxResults``, the smaller) a page."""
        with self._lock:
            if bucket not in self.buckets:
                return 404, _error(404, "The specified bucket does not exist.")
            names = sorted(n for n in self.buckets[bucket] if n.startswith(query.get("prefix", "")))
            offset = int(query.get("pageToken") or 0)
            size = min(int(query.get("maxResults") or 1000), self.storage_page_size)
            items = [self._object_json(bucket, n) for n in names[offset : offset + size]]
        body: Dict[str, Any] = {"kind": "storage#objects"}
        if items:
            body["items"] = items
        if offset + size < len(names):
            body["nextPageToken"] = str(offset + size)
        return 200, body

    def _object_json(self, bucket: str, name: str) -> Dict[str, Any]:
        stored = self.buckets[bucket][name]
        return {
            "kind": "storage#object",
            "id": f"{bucket}/{name}/{stored.generation}",
            "name": name,
            "bucket": bucket,
            "generation": str(stored.generation),
            "contentType": "image/tiff",
            "size": str(len(stored.data)),
            "md5Hash": stored.md5,
            "storageClass": "STANDARD",
        }

    def storage_object(
        self, bucket: str, name: str, query: Dict[str, str], range_header: Optional[str]
    ) -> Tuple[int, Any, Dict[str, str]]:
        """``objects.get``: the object's metadata, or with ``alt=media`` its bytes (a ``Range: bytes=N-`` or
        ``bytes=N-M`` header: 206 with ``Content-Range``; a range past the end: 416)."""
        with self._lock:
            stored = self.buckets.get(bucket, {}).get(name)
            if stored is None or (query.get("generation") and query["generation"] != str(stored.generation)):
                return 404, _error(404, f"No such object: {bucket}/{name}"), {}
            if query.get("alt") != "media":
                return 200, self._object_json(bucket, name), {}
        data = stored.data
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header or "")
        if not match:
            return 200, data, {}
        first = int(match.group(1))
        last = min(int(match.group(2)) if match.group(2) else len(data) - 1, len(data) - 1)
        if first >= len(data):
            return 416, _error(416, "Requested range not satisfiable"), {"Content-Range": f"bytes */{len(data)}"}
        return 206, data[first : last + 1], {"Content-Range": f"bytes {first}-{last}/{len(data)}"}


def _collection_bands(collection: str) -> Tuple[List[str], str]:
    """The band names of a collection's images and their type as Earth Engine reports it."""
    if collection == SCORES:
        return ["cs", "cs_cdf"], "float32"
    return [b for b in S2_BANDS if not (collection == L2A and b == "B10")], "uint16"  # L2A has no cirrus band


def _error(code: int, message: str, status: str = "", reason: Optional[str] = None) -> Dict[str, Any]:
    status = status or {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        429: "RESOURCE_EXHAUSTED",
    }.get(code, "INTERNAL")
    error: Dict[str, Any] = {"code": code, "message": message, "status": status}
    if reason:
        error["errors"] = [{"reason": reason, "message": message}]
    return {"error": error}


def _export_problem(body: Dict[str, Any]) -> Optional[str]:
    """What makes an ExportImageRequest unacceptable to this fake (None: nothing): a field the REST reference does
    not list, no expression, no GEO_TIFF file export to a Cloud Storage bucket, options of the wrong shape, a
    ``requestId`` of other characters than a-z, A-Z, 0-9 and ``-`` or over 60 long."""
    unknown = sorted(set(body) - EXPORT_KEYS)
    if unknown:
        return f'Unknown name "{unknown[0]}": Cannot find field.'
    if not isinstance(body.get("expression"), dict):
        return "'expression' is required."
    options = body.get("fileExportOptions")
    if not isinstance(options, dict):
        return "this fake exports files only: 'fileExportOptions' is required."
    extra = sorted(set(options) - {"fileFormat", "cloudStorageDestination", "geoTiffOptions"})
    if extra:
        return f"Unknown name \"{extra[0]}\" at 'file_export_options' (this fake: Cloud Storage only)."
    if options.get("fileFormat") != "GEO_TIFF":
        return f"this fake exports GEO_TIFF only, not {options.get('fileFormat')!r}."
    destination = options.get("cloudStorageDestination")
    if not (
        isinstance(destination, dict)
        and isinstance(destination.get("bucket"), str)
        and destination["bucket"]
        and set(destination) <= {"bucket", "filenamePrefix", "permissions", "bucketCorsUris"}
        and isinstance(destination.get("filenamePrefix", ""), str)
    ):
        return "'cloudStorageDestination' needs a 'bucket' (and an optional 'filenamePrefix')."
    tiff = options.get("geoTiffOptions", {})
    if not (
        isinstance(tiff, dict)
        and set(tiff) <= {"cloudOptimized", "tileDimensions", "skipEmptyFiles", "tileSize", "noData"}
        and isinstance(tiff.get("cloudOptimized", False), bool)
    ):
        return f"bad 'geoTiffOptions': {tiff!r}."
    max_pixels = body.get("maxPixels")
    value = max_pixels.get("value") if isinstance(max_pixels, dict) else max_pixels
    if max_pixels is not None and not (isinstance(value, str) and value.isdigit()):
        return f"'maxPixels' must be an Int64Value (a decimal string), not {max_pixels!r}."
    request_id = body.get("requestId", "")
    if not (isinstance(request_id, str) and re.fullmatch(r"[A-Za-z0-9-]{0,60}", request_id)):
        return f"'requestId' {request_id!r} may hold only a..z, A..Z, 0-9 and '-', at most 60 characters."
    if not isinstance(body.get("description", ""), str):
        return "'description' must be a string."
    return None


def _export_target(body: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(export grid as a PixelGrid, the expression of the image to export on it): the ``grid`` field with the whole
    expression, or, as earthengine-api sends an export with ``crs``, ``crsTransform`` and ``dimensions``
    (python/ee/image.py ``_apply_crs_and_affine``), the result ``Image.clipToBoundsAndScale(input:
    Image.reproject(image, crs: Projection(crs), crsTransform), geometry: GeometryConstructors.Rectangle([0, 0,
    width, height], crs: Image.projection(<that reprojected image>), geodesic: false))``: the grid of that CRS and
    transform, ``width`` x ``height``, and ``image``. Anything else is an ExpressionError (HTTP 400)."""
    expression = body["expression"]
    if "grid" in body:
        return body["grid"], expression
    values = expression.get("values", {})

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "valueReference" in node:
            node = values[node["valueReference"]]
        return node

    def arguments(node: Any, function: str) -> Optional[Dict[str, Any]]:
        """The arguments of a call of ``function``, checked against its signature in algorithms.json."""
        call = resolve(node).get("functionInvocationValue") if isinstance(resolve(node), dict) else None
        if not call or call.get("functionName") != function:
            return None
        signature, given = load_algorithms()[function], call.get("arguments", {})
        unknown = [a for a in given if a not in signature.arguments]
        missing = [a for a in signature.required if a not in given]
        if unknown or missing:
            raise ExpressionError(
                f"{function}: arguments {sorted(given)} do not fit its signature "
                f"{list(signature.arguments)} (required {list(signature.required)})."
            )
        return given

    def constant(node: Any) -> Any:
        node = resolve(node)
        if isinstance(node, dict) and "arrayValue" in node:
            return [constant(v) for v in node["arrayValue"].get("values", [])]
        return node.get("constantValue") if isinstance(node, dict) else None

    clip = arguments(values.get(expression.get("result")), "Image.clipToBoundsAndScale")
    reproject = arguments(clip.get("input"), "Image.reproject") if clip else None
    rectangle = arguments(clip.get("geometry"), "GeometryConstructors.Rectangle") if clip else None
    projection = arguments(reproject.get("crs"), "Projection") if reproject else None
    of_image = arguments(rectangle.get("crs"), "Image.projection") if rectangle else None
    if not (projection and of_image and resolve(of_image.get("image")) == resolve(clip["input"])):
        raise ExpressionError(
            "the export has no grid: give 'grid', or crs, crsTransform and dimensions as "
            "earthengine-api folds them into the expression (reproject, clipToBoundsAndScale)"
        )
    crs, transform = constant(projection.get("crs")), constant(reproject.get("crsTransform"))
    corners = constant(rectangle.get("coordinates"))
    if not (
        isinstance(crs, str)
        and isinstance(transform, list)
        and len(transform) == 6
        and isinstance(corners, list)
        and len(corners) == 4
        and corners[:2] == [0, 0]
        and constant(rectangle.get("geodesic")) is False
    ):
        raise ExpressionError(
            f"the export grid is not a planar rectangle [0, 0, width, height] of a CRS and "
            f"transform: crs {crs!r}, crsTransform {transform!r}, coordinates {corners!r}"
        )
    a, b, c, d, e, f = (float(v) for v in transform)
    grid = {
        "dimensions": {"width": int(corners[2]), "height": int(corners[3])},
        "affineTransform": {"scaleX": a, "shearX": b, "translateX": c, "shearY": d, "scaleY": e, "translateY": f},
        ("crsCode" if crs.upper().startswith("EPSG:") else "crsWkt"): crs,
    }
    inner = dict(values, __export_image__=reproject["image"])
    return grid, {"result": "__export_image__", "values": inner}


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
    transform = Affine(
        t.get("scaleX", 0.0),
        t.get("shearX", 0.0),
        t.get("translateX", 0.0),
        t.get("shearY", 0.0),
        t.get("scaleY", 0.0),
        t.get("translateY", 0.0),
    )
    return (
        grid.get("crsCode") or grid.get("crsWkt"),
        transform,
        grid["dimensions"]["width"],
        grid["dimensions"]["height"],
    )


def _strips(grid: Dict[str, Any]):
    """(first row, sub-grid) strips of about STRIP_PIXELS pixels covering ``grid`` top to bottom."""
    _crs, transform, width, height = _parse_grid(grid)
    rows = max(1, STRIP_PIXELS // max(width, 1))
    for row in range(0, height, rows):
        yield row, _sub_grid(grid, transform * Affine.translation(0, row), width, min(rows, height - row))


def _sub_grid(grid: Dict[str, Any], t: Affine, width: int, height: int) -> Dict[str, Any]:
    """The REST PixelGrid ``grid`` (its CRS) with ``width`` x ``height`` pixels and the affine transform ``t``."""
    affine = {"scaleX": t.a, "shearX": t.b, "translateX": t.c, "shearY": t.d, "scaleY": t.e, "translateY": t.f}
    return dict(grid, dimensions={"width": width, "height": height}, affineTransform=affine)


def cs_cdf_from_clear(clear: np.ndarray) -> np.ndarray:
    """The fake's ``cs_cdf``: ``clear * (2 - clear)`` in float32, monotone on 0..1 (0 stays 0, nodata; 1 stays 1)
    but unlike ``clear`` (served as ``cs``) everywhere in between."""
    clear = np.asarray(clear, dtype=np.float32)
    return (clear * (np.float32(2) - clear)).astype(np.float32)


def _served_bands(path: Path, band_ids: List[str], crs: str, transform: Affine, width: int, height: int) -> np.ndarray:
    """The bands Earth Engine serves as ``band_ids`` from the demo file, on the grid: ``cs`` is the file's
    ``clear`` band, ``cs_cdf`` is ``cs_cdf_from_clear`` of it, the others are the file's bands of those names."""
    data = _read_bands(path, ["clear" if b in ("cs", "cs_cdf") else b for b in band_ids], crs, transform, width, height)
    for i, band in enumerate(band_ids):
        if band == "cs_cdf":
            data[i] = cs_cdf_from_clear(data[i])
    return data


def _read_bands(path: Path, file_bands: List[str], crs: str, transform: Affine, width: int, height: int) -> np.ndarray:
    """The demo file's bands ``file_bands`` on the grid (nearest neighbour, 0 outside the scene), as stored. Only
    the part of the grid the file can reach is warped (a large, mostly empty grid stays cheap to read)."""
    with rasterio.open(path) as src:
        descriptions = list(src.descriptions)
        indexes = [descriptions.index(b) + 1 for b in file_bands]
        data = np.zeros((len(indexes), height, width), dtype=src.dtypes[0])
        window = _reach(src, crs, transform, width, height)
        if window is not None:
            col, row, cols, rows = window
            with WarpedVRT(
                src,
                crs=crs,
                transform=transform * Affine.translation(col, row),
                width=cols,
                height=rows,
                resampling=Resampling.nearest,
                src_nodata=0,
                nodata=0,
            ) as vrt:
                data[:, row : row + rows, col : col + cols] = vrt.read(indexes)
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


def _profile(
    crs: str, transform: Affine, width: int, height: int, count: int, dtype: str, misplace: Optional[str] = None
) -> Dict[str, Any]:
    """The GeoTIFF profile of an answer on the grid, or on a misplaced grid (see ``Fault.misplace``)."""
    if misplace == "transform":
        transform = transform * Affine.translation(1, 0)
    elif misplace == "crs":
        crs = f"EPSG:{rasterio.crs.CRS.from_user_input(crs).to_epsg() + 1}"
    return dict(
        driver="GTiff",
        width=width,
        height=height,
        count=count,
        dtype=dtype,
        crs=crs,
        transform=transform,
        compress="deflate",
    )


def _geotiff(
    scene: DemoScene, collection: str, band_ids: List[str], grid: Dict[str, Any], misplace: Optional[str] = None
) -> bytes:
    """getPixels' answer: the scene's ``band_ids`` on ``grid`` as a GeoTIFF of the collection's type."""
    crs, transform, width, height = _parse_grid(grid)
    data = _served_bands(scene.path, band_ids, crs, transform, width, height)
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

        def _send(
            self, status: int, body: Any, headers: Optional[Dict[str, str]] = None, truncate: bool = False
        ) -> None:
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
            sent = content[: len(content) // 2] if truncate else content
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
                self._send(
                    401,
                    _error(
                        401,
                        "Request had invalid authentication credentials. Expected OAuth 2 "
                        "access token, login cookie or other valid authentication credential.",
                    ),
                )
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

        def do_GET(self) -> None:
            self.kind = None  # a kept-alive connection's previous request is not this one
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            storage = STORAGE.fullmatch(parts.path)
            if storage or OPERATION.fullmatch(parts.path) or LIST_OPERATIONS.fullmatch(parts.path):
                self._export_get(parts.path, query, storage)
                return
            if not (parts.path.startswith(PUBLIC) and parts.path.endswith(":listAssets")):
                self._send(404, _error(404, f"no such method {parts.path}"))
                return
            self._record("listAssets", query)
            if not self._authorised():
                return
            answered, truncate = self._scripted("listAssets")
            if not answered:
                status, body = server.list_assets(parts.path[len(PUBLIC) : -len(":listAssets")], query)
                self._send(status, body, truncate=truncate)

        def _export_get(self, path: str, query: Dict[str, str], storage) -> None:
            """Operations (get, list) and the fake Cloud Storage (list, objects and their bytes)."""
            if storage:
                kind = "storageMedia" if storage.group(2) else "storageList"
            else:
                kind = "operation" if OPERATION.fullmatch(path) else "listOperations"
            ranged = self.headers.get("Range")
            self._record(kind, dict(query, Range=ranged) if ranged else query)
            if not self._authorised():
                return
            answered, truncate = self._scripted(kind)
            if answered:
                return
            headers: Dict[str, str] = {}
            if kind == "storageMedia":
                status, body, headers = server.storage_object(
                    unquote(storage.group(1)), unquote(storage.group(2)), query, ranged
                )
            elif kind == "storageList":
                status, body = server.storage_list(unquote(storage.group(1)), query)
            elif kind == "operation":
                status, body = server.poll_operation(OPERATION.fullmatch(path).group(1))
            else:
                status, body = server.list_operations(LIST_OPERATIONS.fullmatch(path).group(1), query)
            self._send(status, body, headers, truncate=truncate)

        def do_POST(self) -> None:
            self.kind = None
            path = urlsplit(self.path).path
            raw = self._body()
            if path == "/token":
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
                self._record("token", form)
                if self._scripted("token")[0]:
                    return
                if form.get("grant_type") == "refresh_token" and form.get("refresh_token") in server.refresh_tokens:
                    self._send(200, {"access_token": server.issue_token(), "expires_in": 3599, "token_type": "Bearer"})
                else:
                    self._send(
                        400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
                    )
                return
            if COMPUTE_PIXELS.fullmatch(path):
                kind = "computePixels"
            elif path.startswith(PUBLIC) and path.endswith(":getPixels"):
                kind = "getPixels"
            elif EXPORT_IMAGE.fullmatch(path):
                kind = "export"
            elif CANCEL_OPERATION.fullmatch(path):
                kind = "cancel"
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
                elif kind == "export":
                    status, answer = server.export_image(EXPORT_IMAGE.fullmatch(path).group(1), body)
                elif kind == "cancel":
                    status, answer = server.cancel_operation(CANCEL_OPERATION.fullmatch(path).group(1))
                else:
                    status, answer = server.get_pixels(path[len(PUBLIC) : -len(":getPixels")], body, self.misplace)
                self._send(status, answer, truncate=truncate)

    return Handler
