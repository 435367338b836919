"""Composites exported by an Earth Engine batch task to Cloud Storage: started, polled, cancelled, resumed,
downloaded and read back as one image.

Wire format, as earthengine-api 1.7.50 sends it (``tests/data/earthengine/export_<method>.json`` hold what the
official client sent, recorded by ``make_reference_export.py`` beside them):

- start: ``POST v1/projects/{project}/image:export`` (``python/ee/data.py`` ``exportImage`` ->
  ``_prepare_and_run_export``, which sets ``requestId`` and retries the call only because it carries one) with the
  ``ExportImageRequest`` that ``python/ee/batch.py`` ``Export.image.toCloudStorage`` ->
  ``_prepare_image_export_config`` builds: ``expression``, ``description``, ``fileExportOptions {fileFormat:
  GEO_TIFF, cloudStorageDestination {bucket, filenamePrefix}, geoTiffOptions {cloudOptimized: true}}``
  (``_build_image_file_export_options``, ``_build_cloud_storage_destination``), ``maxPixels {value: "<integer>"}``
  (an Int64Value, "the value itself is a string"), ``requestId``; no ``workloadTag`` when none is set
  (``data._maybe_populate_workload_tag``). The output grid is not sent as a field: as the client does for
  ``crs``, ``crsTransform`` and a two-number ``dimensions`` (``python/ee/image.py`` ``_apply_crs_and_affine``,
  ``_apply_selection_and_scale``: "extract an exact rectangle in that exact projection"), the expression is wrapped
  in ``Image.reproject(crs, crsTransform)`` and ``Image.clipToBoundsAndScale`` to the planar rectangle
  ``[0, 0, width, height]`` in that image's projection. Earth Engine answers an Operation ``{name:
  "projects/P/operations/ID", metadata, done}``. ``requestId``: "If multiple requests from the same user with the
  same non-empty requestId are made, only one of those requests may successfully start a long-running operation";
  a-z, A-Z, 0-9 and ``-``, at most 60 characters (REST reference, ``projects.image.export``).
- poll: ``GET v1/{operation name}`` (``data.getOperation``): ``metadata.state`` PENDING, RUNNING, CANCELLING,
  SUCCEEDED, FAILED or CANCELLED (``_cloud_api_utils.TASK_TO_OPERATION_STATE``), ``metadata.progress`` 0..1, ``done``,
  and when done without success ``error.message`` (``_cloud_api_utils.convert_operation_to_task``).
- cancel: ``POST v1/{operation name}:cancel`` with the body ``{}`` (``data.cancelOperation``).
- list: ``GET v1/projects/{project}/operations?pageSize=500`` then ``pageToken`` (``data.listOperations``).
- files: ``<filenamePrefix>.tif``, or for an image split into several files
  ``<filenamePrefix>-<row offset, 10 digits>-<column offset, 10 digits>.tif``, listed and downloaded with the Cloud
  Storage JSON API (``storage``).

Resuming: the task's operation name and request id are recorded in a small hidden JSON file beside the output
(``.<output name>.export.json``), and the downloaded files are kept in a hidden folder beside it
(``.<output name>.export/``) until the output is written. A run of the same request (same expression, grid,
bucket and project) finds the task again from the record, or, when the record is gone, through the request id
(Earth Engine answers a repeated request id with the task it started for it) and goes on polling or
downloading. A task that failed or was cancelled is never resumed: the next run starts a new one, with the next
attempt number in its request id and file prefix.
"""

import functools
import hashlib
import json
import logging
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt
import rasterio
from affine import Affine
from rasterio.errors import RasterioError
from rasterio.windows import Window
from rasterio.windows import intersect as windows_intersect  # windows sharing only an edge do not

from ..atomic_file import atomic_path
from ..errors import Cancelled, CloudScoreError
from ..grid import Grid
from ..source import ComputedComposite
from .client import EarthEngineClient
from .compute import paste_parts
from .errors import EarthEngineError
from .expression import _call, _constant  # the node builders of the composite's graph
from .storage import StorageClient, StorageObject, is_intact

log = logging.getLogger(__name__)

PENDING, RUNNING, CANCELLING, SUCCEEDED, FAILED, CANCELLED = (
    "PENDING",
    "RUNNING",
    "CANCELLING",
    "SUCCEEDED",
    "FAILED",
    "CANCELLED",
)
"""Operation states (``metadata.state``; earthengine-api ``_cloud_api_utils.TASK_TO_OPERATION_STATE``)."""
LIST_PAGE_SIZE = 500
"""``pageSize`` of an operations listing (earthengine-api ``data.py`` ``_TASKLIST_PAGE_SIZE``)."""
MAX_REQUEST_ID = 60
"""Longest ``requestId`` Earth Engine accepts (REST reference, ``projects.image.export``)."""
FOLDER_NAME = "cloudscore_composite"
"""The folder (object name prefix) of the bucket the exports go to."""
RECORD_VERSION = 1
NEW_TASKS_PER_RUN = 3
"""Most tasks one run starts: an old task of the request that failed, was cancelled or whose files are gone is
replaced by a new one, a few times at most."""
_SHARD = re.compile(r"(?:-(?P<row>\d{10})-(?P<col>\d{10}))?\.tif")

ExportProgress = Callable[[str, float], None]
"""Called with a stage text (``export RUNNING 40%``, ``download 2/4``) and the fraction 0..1 of the export done."""


# --- the request ---------------------------------------------------------------------------------------------


def export_expression(expression: Dict[str, Any], grid: Grid) -> Dict[str, Any]:
    """``expression`` (a compound ``{"result", "values"}`` graph) on exactly ``grid``, as earthengine-api folds
    ``crs``, ``crsTransform`` and ``dimensions="WIDTHxHEIGHT"`` into an export's expression (``python/ee/image.py``
    ``_apply_crs_and_affine`` then ``_apply_selection_and_scale``)::

        image = image.reproject(crs, crsTransform=[a, b, c, d, e, f])
        image = Image.clipToBoundsAndScale(image, geometry=Geometry.Rectangle([0, 0, width, height],
                                           proj=image.projection(), geodesic=False, evenOdd=True))

    The CRS is ``EPSG:<code>`` when the grid's CRS is exactly an EPSG one, else its WKT (as ``fetch.pixel_grid``).
    """
    values = dict(expression["values"])
    result = expression["result"]
    image = values.pop(result)  # its key now names the clipped image (the client's result is "0" too)
    taken = [int(key) for key in list(values) + [result] if key.isdigit()]
    reprojected = str(max(taken, default=0) + 1)
    t = grid.transform
    epsg = grid.crs.to_epsg(100)
    crs = f"EPSG:{epsg}" if epsg is not None else grid.crs.to_wkt()
    values[reprojected] = _call(
        "Image.reproject",
        image=image,
        crs=_call("Projection", crs=_constant(crs)),
        crsTransform=_constant([t.a, t.b, t.c, t.d, t.e, t.f]),
    )
    reference = {"valueReference": reprojected}
    rectangle = _call(
        "GeometryConstructors.Rectangle",
        coordinates=_constant([0, 0, grid.width, grid.height]),
        crs=_call("Image.projection", image=reference),
        geodesic=_constant(False),
        evenOdd=_constant(True),
    )
    values[result] = _call("Image.clipToBoundsAndScale", input=reference, geometry=rectangle)
    return {"result": result, "values": values}


def export_body(
    expression: Dict[str, Any], grid: Grid, bucket: str, prefix: str, description: str, request_id: str
) -> Dict[str, Any]:
    """The ``ExportImageRequest`` of ``image:export``, field for field as earthengine-api's
    ``Export.image.toCloudStorage(image, description, bucket, fileNamePrefix=prefix, crs, crsTransform,
    dimensions, maxPixels=width * height, formatOptions={"cloudOptimized": True})`` followed by ``Task.start()``
    sends it (see the module docstring). ``maxPixels`` is the grid's pixel count: the export covers exactly it."""
    return {
        "expression": export_expression(expression, grid),
        "description": description,
        "fileExportOptions": {
            "fileFormat": "GEO_TIFF",
            "cloudStorageDestination": {"bucket": bucket, "filenamePrefix": prefix},
            "geoTiffOptions": {"cloudOptimized": True},
        },
        "maxPixels": {"value": str(int(grid.width) * int(grid.height))},
        "requestId": request_id,
    }


def export_key(expression: Dict[str, Any], grid: Grid, bucket: str, project: str) -> str:
    """A stable name of one export: SHA-256 (24 hex digits) of the exported expression on ``grid``, the bucket and
    the project. The same request gives the same key, any change (scenes, threshold, method, bands, dates, grid,
    bucket, project) another."""
    text = json.dumps(
        {"expression": export_expression(expression, grid), "bucket": bucket, "project": project},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def request_id(key: str, attempt: int) -> str:
    """``cloudscore-<key>-<attempt>``: a-z, 0-9 and ``-``, well under ``MAX_REQUEST_ID`` characters."""
    return f"cloudscore-{key}-{attempt}"[:MAX_REQUEST_ID]


def file_prefix(key: str, attempt: int) -> str:
    """The ``filenamePrefix`` of an export: ``cloudscore_composite/<key>_<attempt>``."""
    return f"{FOLDER_NAME}/{key}_{attempt}"


def shard_offsets(name: str, prefix: str) -> Optional[Tuple[int, int]]:
    """(row, column) offsets of an exported file of ``prefix``: ``(0, 0)`` for ``<prefix>.tif``, the two numbers
    of ``<prefix>-<row 10 digits>-<col 10 digits>.tif``; None for any other object name (another export whose
    prefix merely starts the same way)."""
    if not name.startswith(prefix):
        return None
    match = _SHARD.fullmatch(name[len(prefix) :])
    if match is None:
        return None
    return (int(match.group("row")), int(match.group("col"))) if match.group("row") else (0, 0)


# --- the task ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationStatus:
    """What ``operations.get`` says of a task.

    Attributes:
        name: ``projects/P/operations/ID``.
        state: one of ``PENDING`` .. ``CANCELLED`` ("" when the answer has none).
        progress: ``metadata.progress``, 0..1.
        done: the task ended.
        error: ``error.message`` of a task that ended without success, else None.
    """

    name: str
    state: str
    progress: float = 0.0
    done: bool = False
    error: Optional[str] = None

    @classmethod
    def from_json(cls, operation: Dict[str, Any]) -> "OperationStatus":
        """An Operation resource.

        Raises:
            EarthEngineError: it has no ``name``.
        """
        if not isinstance(operation, dict) or not operation.get("name"):
            raise EarthEngineError(f"Earth Engine answered no operation: {str(operation)[:200]}")
        metadata = operation.get("metadata") or {}
        error = operation.get("error")
        message = None
        if error:
            message = str(error.get("message") or error) if isinstance(error, dict) else str(error)
        try:
            progress = min(max(float(metadata.get("progress") or 0.0), 0.0), 1.0)
        except (TypeError, ValueError):
            progress = 0.0
        return cls(
            str(operation["name"]), str(metadata.get("state") or ""), progress, bool(operation.get("done")), message
        )

    @property
    def succeeded(self) -> bool:
        """The task ended and wrote its files."""
        return self.done and self.error is None and self.state in (SUCCEEDED, "")

    def describe(self) -> str:
        """``RUNNING 40%``, ``PENDING``, ``SUCCEEDED``..."""
        state = self.state or ("DONE" if self.done else "PENDING")
        return f"{state} {self.progress:.0%}" if state == RUNNING else state


@dataclass
class PollPolicy:
    """How often a running task is asked for its state: after ``first`` seconds, then each wait ``factor`` times
    the last, at most ``longest`` seconds.

    Attributes:
        sleep: called with the seconds to wait (tests pass a recorder, so that they do not wait).
        step: longest single ``sleep``, in seconds: a cancel is noticed within one step.
    """

    first: float = 5.0
    factor: float = 1.5
    longest: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    step: float = 0.2

    def delays(self) -> Iterator[float]:
        """The waits between two polls, in seconds: ``first``, growing by ``factor`` up to ``longest``."""
        delay = self.first
        while True:
            yield delay
            delay = min(self.longest, delay * self.factor)

    def wait(self, seconds: float, should_stop: Optional[Callable[[], bool]] = None) -> None:
        """Sleep ``seconds`` in steps of at most ``step`` seconds, checking ``should_stop`` before each.

        Raises:
            Cancelled: ``should_stop`` returned True.
        """
        remaining = seconds
        while True:
            if should_stop is not None and should_stop():
                raise Cancelled("cancelled by the user")
            if remaining <= 1e-9:
                return
            part = min(remaining, self.step) if self.step > 0 else remaining
            self.sleep(part)
            remaining -= part


@dataclass
class ExportRecord:
    """What a run remembers of its export beside the output, so that a later run finds the task again.

    Attributes:
        key: ``export_key`` of the request.
        attempt: the task's attempt number (in its request id and file prefix).
        operation: the operation name, once known.
        request_id, project, bucket, prefix, description: of the task.
    """

    key: str
    attempt: int
    operation: Optional[str]
    request_id: str
    project: str
    bucket: str
    prefix: str
    description: str
    version: int = RECORD_VERSION

    @staticmethod
    def path(output: Path) -> Path:
        """``.<output name>.export.json`` beside the output."""
        return output.with_name(f".{output.name}.export.json")

    @classmethod
    def load(cls, output: Path) -> Optional["ExportRecord"]:
        """The record beside ``output``, or None (absent, or unreadable: then it is ignored with a warning)."""
        path = cls.path(output)
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            record = cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
            if record.version != RECORD_VERSION or not isinstance(record.attempt, int):
                raise ValueError(f"version {record.version}")
            return record
        except (OSError, ValueError, TypeError) as error:
            log.warning("Ignoring the unreadable export record %s (%s)", path, error)
            return None

    def save(self, output: Path) -> None:
        """Write the record beside ``output`` (under a temporary name, renamed into place).

        Raises:
            OSError: the folder is not writable.
        """
        with atomic_path(self.path(output)) as temporary:
            temporary.write_text(json.dumps(asdict(self), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def cancel_recorded_task(client: EarthEngineClient, output: Path) -> Optional[str]:
    """Cancel the task recorded beside ``output`` when it has not ended, and forget it (the next run starts anew);
    a task that succeeded is kept, so that the next run only downloads its files. Failures to cancel are logged.

    Returns:
        the name of the task cancelled, or None.
    """
    record = ExportRecord.load(output)
    if record is None or not record.operation:
        return None
    try:
        status = OperationStatus.from_json(client.get_json(f"v1/{record.operation}"))
    except CloudScoreError as error:
        log.warning("Could not ask Earth Engine for the export task %s (%s)", record.operation, error)
        status = None
    if status is not None and status.done:
        return None
    try:
        client.post_json(f"v1/{record.operation}:cancel", {})
        log.info("Earth Engine's export task %s is cancelled", record.operation)
    except CloudScoreError as error:
        log.warning(
            "Could not cancel Earth Engine's export task %s (%s): cancel it in Earth Engine's task list",
            record.operation,
            error,
        )
    ExportRecord.path(output).unlink(missing_ok=True)
    return record.operation


def files_folder(output: Path) -> Path:
    """``.<output name>.export/`` beside the output: the downloaded files, until the output is written."""
    return output.with_name(f".{output.name}.export")


@dataclass
class ExportJob:
    """One composite exported by an Earth Engine batch task: ``start`` (or find again), ``wait``, ``download``,
    then read back as a ``ShardComposite``. ``run`` does it all.

    Args:
        client: the Earth Engine client (its project runs the task).
        storage: the Cloud Storage client the files are downloaded with.
        expression: the composite's expression (``expression.composite_expression``), uint16 bands.
        grid: the output grid.
        band_count: bands of the expression's image.
        bucket: the Cloud Storage bucket (``engines.check_bucket``).
        output: the output file; the record and the downloaded files go beside it.
        label: a few words for the task's description, letters, digits, ``_`` or ``-`` (e.g. the dates).
        poll: how often the task is polled.
    """

    client: EarthEngineClient
    storage: StorageClient
    expression: Dict[str, Any]
    grid: Grid
    band_count: int
    bucket: str
    output: Path
    label: str = "composite"
    poll: PollPolicy = field(default_factory=PollPolicy)

    def __post_init__(self) -> None:
        self.output = Path(self.output)
        self.key = export_key(self.expression, self.grid, self.bucket, self.client.project)
        self.attempt = 0
        self.operation: Optional[str] = None

    # -- naming --

    @property
    def request_id(self) -> str:
        """The current attempt's ``requestId``."""
        return request_id(self.key, self.attempt)

    @property
    def prefix(self) -> str:
        """The current attempt's ``filenamePrefix``."""
        return file_prefix(self.key, self.attempt)

    @property
    def description(self) -> str:
        """The current attempt's task description (shown in Earth Engine's task list)."""
        label = re.sub(r"[^A-Za-z0-9_-]", "_", self.label)[:40]
        return f"cloudscore_{label}_{self.key}_{self.attempt}"

    def body(self) -> Dict[str, Any]:
        """The ``image:export`` request of the current attempt (``export_body``)."""
        return export_body(self.expression, self.grid, self.bucket, self.prefix, self.description, self.request_id)

    # -- the record --

    def _save(self) -> None:
        ExportRecord(
            self.key,
            self.attempt,
            self.operation,
            self.request_id,
            self.client.project,
            self.bucket,
            self.prefix,
            self.description,
        ).save(self.output)

    def _next_attempt(self) -> None:
        """Forget the task (it failed, was cancelled or lost its files): the next run starts a new one."""
        self.attempt += 1
        self.operation = None
        self._save()

    # -- the task --

    def start(self, should_stop: Optional[Callable[[], bool]] = None) -> OperationStatus:
        """The task of this export: the one recorded beside the output when it is still alive or succeeded, else
        one started now (or the one Earth Engine started earlier for the same request id).

        Raises:
            EarthEngineError: Earth Engine refused the task (its message), or the recorded task failed or was
                cancelled meanwhile (its message; the next run starts a new task).
            Cancelled: ``should_stop`` returned True.
            OSError: the record could not be written beside the output.
        """
        record = ExportRecord.load(self.output)
        if record is not None and record.key == self.key:
            self.attempt, self.operation = record.attempt, record.operation
        elif record is not None:  # another request wrote to this output before: its files are of no use
            log.info("The export record %s is of another request: a new export starts", ExportRecord.path(self.output))
            shutil.rmtree(files_folder(self.output), ignore_errors=True)
        if self.operation:
            try:
                status = self.status(self.operation, should_stop)
            except EarthEngineError as error:
                if error.status != 404:
                    raise
                log.warning("Earth Engine no longer knows the export task %s: starting a new one", self.operation)
                self.attempt += 1
                self.operation = None
            else:
                if status.done and not status.succeeded:
                    self._next_attempt()
                    raise self._ended(status)
                log.info("Earth Engine export task %s found again (%s)", status.name, status.describe())
                return status
        return self._submit(should_stop)

    def _submit(self, should_stop: Optional[Callable[[], bool]]) -> OperationStatus:
        for _ in range(NEW_TASKS_PER_RUN):
            self._save()  # the request id first: a run stopped during the call finds the task through it
            try:
                answer = self.client.post_json(
                    f"v1/projects/{self.client.project}/image:export", self.body(), should_stop
                )
            except EarthEngineError as error:
                if error.status != 409:  # ALREADY_EXISTS: the request id's task, which the listing names
                    raise
                listed = self._listed(should_stop)
                if listed is None:
                    raise EarthEngineError(
                        f"Earth Engine says the export task {self.request_id} exists ({error}) "
                        "but does not list it: try again later",
                        error.status,
                    ) from error
                answer = listed
            status = OperationStatus.from_json(answer)
            if status.done and not status.succeeded:  # an earlier run's task of this request id, failed: anew
                log.info(
                    "Earth Engine's export task %s of an earlier run ended %s: starting a new one",
                    status.name,
                    status.describe(),
                )
                self.attempt += 1
                continue
            self.operation = status.name
            self._save()
            log.info(
                "Earth Engine export task %s (%s): %s into gs://%s/%s*",
                status.name,
                status.describe(),
                self.description,
                self.bucket,
                self.prefix,
            )
            return status
        raise EarthEngineError(
            f"Earth Engine's export tasks of this request keep ending without success "
            f"({NEW_TASKS_PER_RUN} in a row): see them in Earth Engine's task list"
        )

    def _listed(self, should_stop: Optional[Callable[[], bool]]) -> Optional[Dict[str, Any]]:
        """The operation of the project whose description is this attempt's, from ``operations.list``."""
        token = None
        while True:
            params: Dict[str, Any] = {"pageSize": LIST_PAGE_SIZE}
            if token:
                params["pageToken"] = token
            page = self.client.get_json(f"v1/projects/{self.client.project}/operations", params, should_stop)
            for operation in page.get("operations") or []:
                if (operation.get("metadata") or {}).get("description") == self.description:
                    return dict(operation)
            token = page.get("nextPageToken")
            if not token:
                return None

    def status(self, name: str, should_stop: Optional[Callable[[], bool]] = None) -> OperationStatus:
        """``operations.get`` of the task ``name``.

        Raises:
            EarthEngineError: refused (404: no such task) or unreachable.
            Cancelled: ``should_stop`` returned True.
        """
        return OperationStatus.from_json(self.client.get_json(f"v1/{name}", should_stop=should_stop))

    def wait(
        self,
        status: OperationStatus,
        progress: Optional[ExportProgress] = None,
        should_stop: Optional[Callable[[], bool]] = None,
        cancel_remote: Optional[Callable[[], bool]] = None,
    ) -> OperationStatus:
        """Poll the task until it ends (waits of ``poll.delays()``), reporting its state and progress.

        Raises:
            EarthEngineError: the task failed or was cancelled elsewhere (Earth Engine's message); the next run
                starts a new task.
            Cancelled: ``should_stop`` returned True; the task is cancelled too when ``cancel_remote`` is None or
                returns True, else it goes on and the next run of the request picks it up.
        """
        delays = self.poll.delays()
        while True:
            if progress is not None:
                progress(f"export {status.describe()}", _task_fraction(status))
            if status.done:
                break
            try:
                self.poll.wait(next(delays), should_stop)
                status = self.status(status.name, should_stop)
            except Cancelled:
                self._cancel(status.name, cancel_remote)
                raise
        if status.succeeded:
            return status
        self._next_attempt()
        raise self._ended(status)

    def _cancel(self, name: str, cancel_remote: Optional[Callable[[], bool]]) -> None:
        if cancel_remote is not None and not cancel_remote():
            log.info("Earth Engine's export task %s goes on: run the same composite again to pick it up", name)
            return
        try:
            self.client.post_json(f"v1/{name}:cancel", {})
            log.info("Earth Engine's export task %s is cancelled", name)
        except CloudScoreError as error:  # the user's cancel stands; say the task may run on
            log.warning(
                "Could not cancel Earth Engine's export task %s (%s): cancel it in Earth Engine's task list",
                name,
                error,
            )
        self._next_attempt()

    def _ended(self, status: OperationStatus) -> EarthEngineError:
        how = "was cancelled" if status.state in (CANCELLED, CANCELLING) else "failed"
        reason = (status.error or status.state).strip().rstrip(".")
        return EarthEngineError(
            f"Earth Engine's export task {status.name} {how}: {reason}. Run again to start a new task"
        )

    # -- the files --

    def files(self, should_stop: Optional[Callable[[], bool]] = None) -> List[Tuple[StorageObject, Tuple[int, int]]]:
        """The task's files in the bucket with their (row, column) offsets, in name order.

        Raises:
            StorageError: the listing was refused (the message says why) or failed.
        """
        found = []
        for obj in self.storage.list_objects(self.bucket, self.prefix, should_stop):
            offsets = shard_offsets(obj.name, self.prefix)
            if offsets is not None:
                found.append((obj, offsets))
        return found

    def download(
        self,
        files: Sequence[Tuple[StorageObject, Tuple[int, int]]],
        progress: Optional[ExportProgress] = None,
        should_stop: Optional[Callable[[], bool]] = None,
    ) -> List[Path]:
        """Download the task's files into ``files_folder(output)``; files already there whole (size and MD5) are
        kept, partial ones resumed.

        Raises:
            StorageError: a download was refused or failed for good.
            Cancelled: ``should_stop`` returned True (what was downloaded is kept).
            OSError: the folder could not be written.
        """
        folder = files_folder(self.output)
        folder.mkdir(parents=True, exist_ok=True)
        total = sum(obj.size for obj, _ in files) or 1
        done = [0]

        def report(text: str) -> None:
            if progress is not None:
                progress(text, _DOWNLOAD_START + (1.0 - _DOWNLOAD_START) * min(done[0] / total, 1.0))

        def on_bytes(count: int) -> None:
            done[0] += count
            report(text)

        paths = []
        for index, (obj, _) in enumerate(files, start=1):
            text = f"download {index}/{len(files)}"
            report(text)
            path = folder / obj.name.rsplit("/", 1)[-1]
            if not is_intact(obj, path):
                path.unlink(missing_ok=True)
                self.storage.download(obj, path, should_stop, on_bytes)
                log.info("Downloaded %s (%.1f MB)", obj.uri, obj.size / 2**20)
            else:
                done[0] += obj.size
            paths.append(path)
        report(f"download {len(files)}/{len(files)}")
        return paths

    def run(
        self,
        progress: Optional[ExportProgress] = None,
        should_stop: Optional[Callable[[], bool]] = None,
        cancel_remote: Optional[Callable[[], bool]] = None,
    ) -> "ShardComposite":
        """Start (or find again) the task, wait for it, download its files and return them as one image.

        A succeeded task whose files are no longer in the bucket is replaced by a new one.

        Raises:
            EarthEngineError / StorageError / AuthError: Earth Engine or Cloud Storage refused or failed (their
                message); a failed task's message.
            Cancelled: see ``wait`` and ``download``.
            OSError: the record or the files could not be written beside the output.
        """
        for _ in range(NEW_TASKS_PER_RUN):
            status = self.wait(self.start(should_stop), progress, should_stop, cancel_remote)
            files = self.files(should_stop)
            if files:
                paths = self.download(files, progress, should_stop)
                return ShardComposite(paths, self.grid, self.band_count, self.output)
            log.warning(
                "Earth Engine's export task %s succeeded but gs://%s/%s* holds none of its files (deleted "
                "meanwhile?): starting a new task",
                status.name,
                self.bucket,
                self.prefix,
            )
            self._next_attempt()
        raise EarthEngineError(
            f"Earth Engine's export tasks succeeded but their files never appeared in gs://{self.bucket}/{FOLDER_NAME}/"
        )


_DOWNLOAD_START = 0.8
"""Share of an export's progress that the task takes; the download takes the rest."""


def _task_fraction(status: OperationStatus) -> float:
    if status.succeeded:
        return _DOWNLOAD_START
    if status.state == RUNNING:
        return 0.05 + (_DOWNLOAD_START - 0.05) * status.progress
    return 0.02


# --- the files as one image ----------------------------------------------------------------------------------


class ShardComposite(ComputedComposite):
    """The files of an export, read back window by window as one image on the output grid (the stitching: each
    window is read from the files it overlaps).

    Every file must lie on the grid's pixels (same CRS and pixel size, a whole-pixel offset), hold ``band_count``
    bands, and the files together must cover the grid exactly once.

    Args:
        paths: the downloaded files.
        grid: the output grid.
        band_count: bands per file.
        output: the output whose record and files folder ``release`` deletes (None: keep them).

    Raises:
        EarthEngineError: a file is not a readable GeoTIFF, lies off the grid, or the files do not tile the grid.
    """

    def __init__(self, paths: Sequence[Path], grid: Grid, band_count: int, output: Optional[Path] = None):
        self.grid, self.band_count, self.output = grid, band_count, output
        self.parts: List[Tuple[Path, Window]] = [(Path(p), self._place(Path(p))) for p in paths]
        covered = sum(int(w.width) * int(w.height) for _, w in self.parts)
        overlapping = any(
            windows_intersect(a, b) for i, (_, a) in enumerate(self.parts) for _, b in self.parts[i + 1 :]
        )
        if overlapping or covered != grid.width * grid.height:
            raise EarthEngineError(
                f"the {len(self.parts)} exported file(s) do not tile the {grid.width} x "
                f"{grid.height} output grid exactly ({covered} pixels covered"
                f"{', some twice' if overlapping else ''})"
            )

    def _place(self, path: Path) -> Window:
        try:
            with rasterio.open(path) as src:
                count, crs, transform = src.count, src.crs, src.transform
                width, height = src.width, src.height
        except (RasterioError, OSError) as error:
            raise EarthEngineError(f"the exported file {path.name} does not open as a GeoTIFF ({error})") from error
        grid = self.grid
        col, row = ~grid.transform * (transform.c, transform.f)
        on_grid = (
            crs == grid.crs
            and transform.almost_equals(
                Affine(grid.transform.a, grid.transform.b, transform.c, grid.transform.d, grid.transform.e, transform.f)
            )
            and abs(col - round(col)) < 1e-3
            and abs(row - round(row)) < 1e-3
        )
        window = Window(int(round(col)), int(round(row)), width, height)
        inside = (
            on_grid
            and window.col_off >= 0
            and window.row_off >= 0
            and window.col_off + width <= grid.width
            and window.row_off + height <= grid.height
        )
        if not inside or count != self.band_count:
            raise EarthEngineError(
                f"the exported file {path.name} ({count} bands, {width} x {height} px at column {col:.3f}, row "
                f"{row:.3f}, {crs}) is not a part of the {self.band_count}-band output grid ({grid.width} x "
                f"{grid.height} px, {grid.crs})"
            )
        return window

    def read(self, window: Window) -> npt.NDArray[np.uint16]:
        """uint16 (band_count, window.height, window.width) of the output grid's ``window``; 0 where masked.

        Raises:
            ReadError: a downloaded file cannot be read (its path and GDAL's reason).
        """
        return paste_parts(
            window,
            self.band_count,
            ((part, functools.partial(Path, path)) for path, part in self.parts),
            "exported file",
        )

    def release(self) -> None:
        """Delete the downloaded files and the export record beside the output (the output is written). The
        files in the bucket stay."""
        if self.output is None:
            return
        shutil.rmtree(files_folder(self.output), ignore_errors=True)
        ExportRecord.path(self.output).unlink(missing_ok=True)
