"""GDAL's own error messages (``CPLError``) while a file is read or written, so a failure names its cause.

GDAL reports many failures only through its error handler: the GTiff driver logs ``_tiffWriteProc:No space left
on device`` and carries on, and a read that fails says ``TIFFReadEncodedStrip() failed`` while the reason
(``TIFFFillStrip:Read error at scanline 0; got 389 bytes, expected 1967``) went to the handler just before. Inside a
``rasterio.Env`` rasterio installs its handler for the thread (``CPLPushErrorHandler``), which logs every
``CE_Failure`` to the logger ``rasterio._env`` as ``GDAL signalled an error: err_no=%r, msg=%r`` at INFO (rasterio
1.3 to 1.5, ``_env.pyx`` ``log_error``). ``capture`` enters such an Env and collects those records, with their
``CPLE_*`` error number, for the block it guards; the logger's visibility is left as it was.
"""

import logging
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple, Union

import rasterio
from rasterio.errors import RasterioError

from .errors import ReadError

GDAL_LOGGER = "rasterio._env"
"""The logger rasterio's GDAL error handler writes to."""
SIGNALLED = "GDAL signalled an error"
"""How rasterio's handler starts the record of a ``CE_Failure`` (args: the CPLE error number, the message)."""

CPLE_NAMES = {
    1: "CPLE_AppDefined",
    2: "CPLE_OutOfMemory",
    3: "CPLE_FileIO",
    4: "CPLE_OpenFailed",
    5: "CPLE_IllegalArg",
    6: "CPLE_NotSupported",
    7: "CPLE_AssertionFailed",
    8: "CPLE_NoWriteAccess",
    9: "CPLE_UserInterrupt",
    10: "CPLE_ObjectNull",
}
"""GDAL's error numbers (``cpl_error.h``), for messages."""

OS_ERROR_WORDS = ("No space", "quota", "Permission denied", "Read-only", "Input/output error", "File too large")
"""Parts of the operating system's error texts (``strerror``) GDAL passes on: the cause of a failed write."""

_FUNCTION_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\(\))?:\s*")


class GdalFailures:
    """The ``CE_Failure`` messages GDAL reported while a ``capture`` block ran.

    Attributes:
        messages: (CPLE error number, message) in the order reported, each message once.
    """

    def __init__(self, watch: Optional[str] = None):
        self.messages: List[Tuple[int, str]] = []
        self.watch = watch
        self._lock = threading.Lock()

    def add(self, number: int, message: str) -> None:
        """Record one failure (repeats of a message are kept once)."""
        with self._lock:
            if all(message != m for _, m in self.messages):
                self.messages.append((number, message))

    def __bool__(self) -> bool:
        return bool(self.messages)

    def reason(self) -> Optional[str]:
        """The first failure without GDAL's function prefix (``_tiffWriteProc:No space left on device`` ->
        ``No space left on device``), or None when there was none. A message naming an operating-system error
        wins over the generic ones reported after it."""
        if not self.messages:
            return None
        for number, message in self.messages:
            text = _FUNCTION_PREFIX.sub("", message).strip()
            if number == 3 or any(word in text for word in OS_ERROR_WORDS):
                return text
        return _FUNCTION_PREFIX.sub("", self.messages[0][1]).strip()

    def text(self, limit: int = 3) -> str:
        """The first ``limit`` messages, ``; ``-separated, for a message's detail."""
        shown = [m for _, m in self.messages[:limit]]
        more = len(self.messages) - len(shown)
        return "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")


_lock = threading.Lock()
_collectors: Dict[int, List[GdalFailures]] = {}  # thread id -> active collectors of that thread
_watchers: List[GdalFailures] = []  # collectors that also take messages naming their ``watch`` from any thread
_active = 0
_saved_level = logging.NOTSET
_natural_level = logging.WARNING


class _Hook(logging.Filter):
    """A filter on ``GDAL_LOGGER``: hands rasterio's failure records to the collectors, and lets through only
    what the logger let through before ``capture`` lowered its level."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        signalled = isinstance(record.msg, str) and record.msg.startswith(SIGNALLED)
        if signalled and isinstance(args, tuple) and len(args) == 2:
            number, message = args[0], str(args[1])
            with _lock:
                # record.thread is None only when logging.logThreads is off: then no thread's collector matches.
                targets = list(_collectors.get(record.thread, ())) if record.thread is not None else []
                targets += [c for c in _watchers if c.watch and c.watch in message and c not in targets]
            for collector in targets:
                collector.add(int(number) if isinstance(number, int) else 0, message)
        return record.levelno >= _natural_level


_hook = _Hook()


def _start() -> None:
    global _active, _saved_level, _natural_level
    with _lock:
        _active += 1
        if _active == 1:
            logger = logging.getLogger(GDAL_LOGGER)
            _saved_level, _natural_level = logger.level, logger.getEffectiveLevel()
            logger.addFilter(_hook)
            if _natural_level > logging.INFO:
                logger.setLevel(logging.INFO)


def _stop() -> None:
    global _active
    with _lock:
        _active -= 1
        if _active == 0:
            logger = logging.getLogger(GDAL_LOGGER)
            logger.removeFilter(_hook)
            logger.setLevel(_saved_level)


@contextmanager
def capture(watch: Optional[str] = None) -> Iterator[GdalFailures]:
    """Collect the ``CE_Failure`` messages GDAL reports in this thread while the block runs (and, with ``watch``,
    those of any thread whose text contains ``watch``, e.g. a file name).

    The block runs inside a ``rasterio.Env`` (so GDAL's errors of this thread reach rasterio's handler rather
    than stderr). Nothing is raised here: the caller decides what a failure means.
    """
    failures = GdalFailures(watch)
    thread = threading.get_ident()
    _start()
    with _lock:
        _collectors.setdefault(thread, []).append(failures)
        if watch:
            _watchers.append(failures)
    try:
        with rasterio.Env():
            yield failures
    finally:
        with _lock:
            _collectors[thread].remove(failures)
            if not _collectors[thread]:
                del _collectors[thread]
            if failures in _watchers:
                _watchers.remove(failures)
        _stop()


def describe(error: BaseException, failures: Optional[GdalFailures] = None) -> str:
    """GDAL's reason for ``error`` (a rasterio or OS error): the failures GDAL reported first, when any, else the
    error's own text (an ``OSError``'s ``strerror``)."""
    if failures:
        return failures.text()
    if isinstance(error, OSError) and error.strerror and not isinstance(error, RasterioError):
        return error.strerror
    return str(error) or type(error).__name__


@contextmanager
def reading(path: Union[str, Path], what: str = "file") -> Iterator[GdalFailures]:
    """Run a read of ``path`` with GDAL's failures captured; a rasterio or OS error becomes a ``ReadError`` that
    names the file and GDAL's reason (``cannot read scene file /data/a.tif: TIFFFillStrip:Read error at scanline 0;
    got 389 bytes, expected 1967``).

    Args:
        path: the file read (for the message).
        what: the kind of file, e.g. ``scene file``, ``reference``.

    Raises:
        ReadError: the read failed.
    """
    with capture() as failures:
        try:
            yield failures
        except ReadError:
            raise
        except (RasterioError, OSError) as error:
            raise read_error(path, describe(error, failures), what) from error


def read_error(path: Union[str, Path], reason: str, what: str = "file") -> ReadError:
    """The ``ReadError`` ``cannot read <what> <path>: <reason>``."""
    return ReadError(f"cannot read {what} {path}: {reason}", Path(path), reason)
