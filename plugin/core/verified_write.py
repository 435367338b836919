"""Rasters written with every failure noticed: GDAL's write errors fail the write, and the file is read back and
compared with what was written before it may be renamed into place.

GDAL's GTiff driver reports a full disk (``_tiffWriteProc:No space left on device``) through its error handler
only, and closes the file as if all were well: the file left is truncated or has holes. So the writes and the
close run inside ``gdal_errors.capture``, and every band window written is remembered as a CRC-32 of its bytes
(``VerifiedWriter``); at the end the file is reopened and every window read back and compared (which also decodes
every block written), and for a COG every block of every overview level is read. Only then does
``atomic_file.atomic_path`` rename it.
"""

import logging
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence, Tuple, Union

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.errors import RasterioError
from rasterio.windows import Window

from .atomic_file import free_space_note, write_error
from .errors import WriteError
from .gdal_errors import GdalFailures, capture

log = logging.getLogger(__name__)

READ_BACK_BYTES = 64 * 2**20
"""Most bytes read back at a time while checking a file (rows of a window, all its bands)."""

WindowKey = Tuple[int, int, int, int]  # col_off, row_off, width, height


def _window_key(window, width: int, height: int) -> WindowKey:
    if not window:
        return (0, 0, width, height)
    if isinstance(window, tuple):
        window = Window.from_slices(*window, height=height, width=width)
    return (int(window.col_off), int(window.row_off), int(window.width), int(window.height))


class VerifiedWriter:
    """A rasterio dataset open for writing (every attribute and method is the dataset's) whose ``write`` also
    remembers a CRC-32 of each band window written, for ``check_raster``, and turns GDAL's write errors into
    ``WriteError`` naming ``target``.

    Windows written must not overlap (a later write over part of an earlier window would not match it).
    """

    def __init__(self, dataset, target: Path, failures: GdalFailures):
        object.__setattr__(self, "_dataset", dataset)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "failures", failures)
        object.__setattr__(self, "written", {})  # WindowKey -> {band: crc32}

    def __getattr__(self, name):
        return getattr(self._dataset, name)

    def __setattr__(self, name, value):
        setattr(self._dataset, name, value)

    @property
    def dataset(self):
        """The rasterio dataset."""
        return self._dataset

    def write(self, arr, indexes=None, window=None, masked=False) -> None:
        """``DatasetWriter.write``, remembered for the check.

        Raises:
            WriteError: GDAL failed to write (the message names the target and GDAL's reason).
        """
        dataset = self._dataset
        with capture() as failures:
            try:
                dataset.write(arr, indexes=indexes, window=window, masked=masked)
            except (RasterioError, OSError) as error:
                self._take(failures)
                raise self.error(str(error)) from error
        self._take(failures)
        if isinstance(arr, np.ma.MaskedArray):
            nodata = dataset.nodatavals[0] if len(set(dataset.nodatavals)) == 1 else None
            arr = arr.filled(nodata)
        arr = np.asarray(arr)
        bands = list(dataset.indexes) if indexes is None else [indexes] if isinstance(indexes, int) else list(indexes)
        if isinstance(indexes, int):
            arr = arr[np.newaxis]
        key = _window_key(window, dataset.width, dataset.height)
        record = self.written.setdefault(key, {})
        for position, band in enumerate(bands):
            values = np.require(arr[position], dtype=np.dtype(dataset.dtypes[band - 1]), requirements="C")
            record[band] = zlib.crc32(values.tobytes())

    def _take(self, failures: GdalFailures) -> None:
        for number, message in failures.messages:
            self.failures.add(number, message)

    def error(self, detail: str = "") -> WriteError:
        """The ``WriteError`` for this target: GDAL's reason (the failures reported so far), else ``detail``."""
        reason = self.failures.reason()
        if reason is None:
            return write_error(self.target, (detail or "GDAL could not write it") + free_space_note(self.target))
        more = f" (GDAL: {self.failures.text()})" if self.failures.text() != reason else ""
        return write_error(self.target, reason, detail=more)

    def check_failures(self) -> None:
        """Raise ``error()`` when GDAL reported a failure while writing.

        Raises:
            WriteError: as ``error``.
        """
        if self.failures:
            raise self.error()


def _read_rows(src, bands: Sequence[int], key: WindowKey) -> Iterator[np.ndarray]:
    """The window ``key`` of ``bands`` in slices of whole rows (bands, rows, width), top to bottom."""
    col, row, width, height = key
    per_row = max(1, width * len(bands) * np.dtype(src.dtypes[bands[0] - 1]).itemsize)
    step = max(1, READ_BACK_BYTES // per_row)
    for top in range(row, row + height, step):
        yield src.read(list(bands), window=Window(col, top, width, min(step, row + height - top)))


def check_raster(
    path: Union[str, Path],
    target: Union[str, Path],
    written: Dict[WindowKey, Dict[int, int]],
    shape: Optional[Tuple[int, int, int]] = None,
    overviews: bool = False,
) -> None:
    """Reopen the raster at ``path`` and check it holds what was written: its (count, height, width) is
    ``shape``, every band window in ``written`` (window -> {band: CRC-32 of the bytes written}, see
    ``VerifiedWriter``) reads back with the same CRC-32, and with ``overviews`` every block of every overview
    level of band 1 decodes.

    Raises:
        WriteError: naming ``target``: the file does not open, a block does not decode (GDAL's reason), or a
            window reads back different from what was written.
    """
    with capture() as failures:
        try:
            with rasterio.open(path) as src:
                if shape is not None and (src.count, src.height, src.width) != tuple(shape):
                    raise write_error(
                        target,
                        f"the file reads back as {src.count} x {src.height} x {src.width} "
                        f"(bands x rows x columns), not {' x '.join(map(str, shape))}",
                    )
                for key, crcs in written.items():
                    bands = sorted(crcs)
                    running = dict.fromkeys(bands, 0)
                    for rows in _read_rows(src, bands, key):
                        for position, band in enumerate(bands):
                            running[band] = zlib.crc32(np.ascontiguousarray(rows[position]).tobytes(), running[band])
                    wrong = [band for band in bands if running[band] != crcs[band]]
                    if wrong:
                        raise write_error(
                            target,
                            f"band {wrong[0]} of the window at column {key[0]}, row {key[1]} "
                            f"({key[2]} x {key[3]} px) reads back different from what was "
                            f"written{free_space_note(target)}",
                        )
                levels = len(src.overviews(1)) if overviews and src.count else 0
            for level in range(levels):
                with rasterio.open(path, overview_level=level) as overview:
                    for _, window in overview.block_windows(1):
                        overview.read(1, window=window)
        except (RasterioError, OSError) as error:
            reason = failures.text() or str(error)
            raise write_error(
                target, f"the file written does not read back ({reason}){free_space_note(target)}"
            ) from error


@contextmanager
def verified_raster(
    partial: Union[str, Path], target: Union[str, Path], verify: bool = True, **profile
) -> Iterator[VerifiedWriter]:
    """Open ``partial`` for writing (``rasterio.open(partial, "w", **profile)``) as a ``VerifiedWriter``; when the
    block ends without an exception, close it, fail on any GDAL write error, and (``verify``) check it with
    ``check_raster``. On an exception the dataset is closed and the exception passes on.

    Args:
        partial: the file to write (a temporary name, see ``atomic_file.atomic_path``).
        target: the file the user named, for messages.
        verify: read the file back and compare it (False when it is only an intermediate that is checked
            after a copy, see ``copy_verified``).
        profile: rasterio creation options.

    Raises:
        WriteError: the raster could not be created, written, closed or read back as written; the message names
            ``target`` and GDAL's reason (e.g. ``No space left on device``).
    """
    partial, target = Path(partial), Path(target)
    with capture(watch=partial.name) as everywhere:
        try:
            dataset = rasterio.open(partial, "w", **profile)
        except (RasterioError, OSError) as error:
            reason = everywhere.text() or str(error)
            raise write_error(target, reason + free_space_note(target)) from error
        writer = VerifiedWriter(dataset, target, GdalFailures())
        try:
            yield writer
        except BaseException:
            try:
                dataset.close()
            except Exception:  # noqa: BLE001 (the first error is the one to report)  # nosec B110
                pass
            raise
        with capture() as closing:
            try:
                dataset.close()
            except (RasterioError, OSError) as error:
                writer._take(closing)
                raise writer.error(str(error)) from error
        writer._take(closing)
        writer._take(everywhere)  # messages naming the file, from any thread (e.g. a block-cache flush)
        writer.check_failures()
    if verify:
        # rasterio.open(..., "w") succeeded above, so the profile has all three.
        check_raster(partial, target, writer.written, (profile["count"], profile["height"], profile["width"]))
    log.debug("Checked %s: %d window(s) read back as written", partial.name, len(writer.written))


def copy_verified(
    source: Union[str, Path],
    partial: Union[str, Path],
    target: Union[str, Path],
    written: Dict[WindowKey, Dict[int, int]],
    shape: Tuple[int, int, int],
    **options,
) -> None:
    """``rasterio.shutil.copy(source, partial, **options)`` (e.g. GDAL's COG driver) with GDAL's errors failing
    it, then ``check_raster(partial, ..., written, overviews=True)``.

    Raises:
        WriteError: naming ``target`` and GDAL's reason.
    """
    with capture(watch=Path(partial).name) as failures:
        try:
            rasterio.shutil.copy(str(source), str(partial), **options)
        except (RasterioError, OSError) as error:
            reason = failures.reason() or str(error)
            more = f" (GDAL: {failures.text()})" if failures and failures.text() != reason else ""
            raise write_error(target, reason, detail=more + free_space_note(target)) from error
        if failures:
            raise write_error(target, failures.reason() or failures.text(), detail=f" (GDAL: {failures.text()})")
    check_raster(partial, target, written, shape, overviews=True)
