"""Write a file under a temporary name beside its target, check it, and rename it into place when complete.

Every file the plugin writes goes through here: composites, masked scenes, clear masks, fetched scenes, reports,
tile-cache entries. The temporary file is hidden and named after its target, ``.<stem>.<8 hex>.partial<suffix>``
(helper files of the same write add to that name, e.g. ``.partial.tif.gtiff.tif``); it is locked while it is
written (``fcntl.flock`` on POSIX), so a later run can tell the partial files of a run that was killed (``kill -9``,
a crash, a power cut: nothing could remove them) from those of a run still going, and sweeps the former.
"""

import errno
import logging
import os
import re
import shutil
import time
import uuid
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Union

from .errors import WriteError

if TYPE_CHECKING:  # verified_write imports this module
    from .verified_write import VerifiedWriter

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover (Windows: a file another process holds open cannot be deleted there)
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

PARTIAL = "partial"
"""The word that marks a temporary file: ``.<stem>.<8 hex>.partial<suffix>``."""


def partial_pattern(path: Union[str, Path]) -> "re.Pattern[str]":
    """The names of the partial files of writes to ``path`` (in its folder): group ``token`` is the write's."""
    path = Path(path)
    return re.compile(rf"\.{re.escape(path.stem)}\.(?P<token>[0-9a-f]{{8}})\.{PARTIAL}(\..*)?")


def _held_open(path: Path) -> bool:
    """True when a running writer holds ``path`` (its lock, see ``atomic_path``); False when nobody does or it
    is gone."""
    if fcntl is None:  # pragma: no cover
        return False  # Windows refuses to delete a file held open: the unlink fails and the file is kept
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases a lock just taken
    return False


def stale_partials(path: Union[str, Path], before: Optional[float] = None) -> List[Path]:
    """The hidden partial files earlier writes to ``path`` left behind: in ``path``'s folder, named
    ``partial_pattern(path)``, every file of the same write last modified before ``before`` (seconds since the
    epoch, default now) and none of them held by a running writer.

    Never raises: a folder that cannot be listed has none.
    """
    path = Path(path)
    pattern = partial_pattern(path)
    before = time.time() if before is None else before
    groups: Dict[str, List[Path]] = {}
    try:
        for entry in os.scandir(path.parent if str(path.parent) else "."):
            match = pattern.fullmatch(entry.name)
            if match and entry.is_file(follow_symlinks=False):
                groups.setdefault(match.group("token"), []).append(Path(entry.path))
    except OSError:
        return []
    stale = []
    for files in groups.values():
        try:
            old = all(f.stat().st_mtime < before for f in files)
        except OSError:
            continue  # removed meanwhile
        if old and not any(_held_open(f) for f in files):
            stale.extend(sorted(files))
    return stale


def sweep_stale_partials(path: Union[str, Path], before: Optional[float] = None) -> List[Path]:
    """Delete ``stale_partials(path, before)`` and say so in the log (names and sizes); returns those deleted.

    Never raises: a file that cannot be deleted is left (and logged).
    """
    removed, size = [], 0
    for stale in stale_partials(path, before):
        try:
            bytes_ = stale.stat().st_size
            stale.unlink()
        except OSError as error:
            log.warning("Could not remove %s, left by an interrupted run: %s", stale, error.strerror or error)
            continue
        removed.append(stale)
        size += bytes_
    if removed:
        shown = f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.1f} kB"
        log.info(
            "Removed %d partial file(s) an interrupted run left for %s (%s): %s",
            len(removed),
            Path(path).name,
            shown,
            ", ".join(p.name for p in removed),
        )
    return removed


def _fsync(path: Path, directory: bool = False) -> None:
    """Flush ``path`` (a file, or a folder's entries) to the disk; a disk that cannot raises ``OSError``."""
    if os.name == "nt":  # pragma: no cover (no fsync of folders; files are flushed when closed)
        return
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(fd)
    except OSError as error:
        if not directory or error.errno not in (errno.EINVAL, errno.EBADF):  # some file systems cannot
            raise
    finally:
        os.close(fd)


def free_space_note(path: Union[str, Path]) -> str:
    """`` (the disk holding <folder> has N MB free)`` when the folder of ``path`` has under 1 GB free, else ``""``:
    a hint for a write that failed without saying why."""
    try:
        free = shutil.disk_usage(Path(path).parent).free
    except OSError:
        return ""
    return f" (the disk holding {Path(path).parent} has {free / 2**20:.1f} MB free)" if free < 2**30 else ""


def write_error(target: Union[str, Path], reason: str, what: str = "", detail: str = "") -> WriteError:
    """The ``WriteError`` for ``target``: ``could not write <what><target>: <reason><detail>`` (``detail``, e.g.
    GDAL's own messages, is in the message only, not in the error's ``reason``)."""
    return WriteError(f"could not write {what}{target}: {reason}{detail}", Path(target), reason)


@contextmanager
def atomic_path(path: Union[str, Path]) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path``; rename it onto ``path`` when the block succeeds.

    The caller writes the whole file to the yielded path (and checks it: see ``atomic_raster``,
    ``atomic_bytes``). The temporary file exists (empty) when the block starts and is locked for the whole write,
    so other runs leave it alone; partial files that killed runs left for ``path`` are swept first
    (``sweep_stale_partials``). When the ``with`` block ends without an exception the file is flushed to the disk
    and renamed onto ``path`` (same folder, so the rename is atomic and an older ``path`` is replaced in one step);
    on any exception, a cancel included, the temporary file and its helper files are removed and ``path`` is left
    byte for byte as it was. The temporary name keeps the target's suffix so drivers that look at it (GDAL) pick
    the format.

    Raises:
        WriteError: the temporary file cannot be created, flushed or renamed (the reason is the system's).
    """
    path = Path(path)
    token = uuid.uuid4().hex[:8]
    temporary = path.with_name(f".{path.stem}.{token}.{PARTIAL}{path.suffix}")
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o666)
    except OSError as error:
        raise write_error(path, error.strerror or str(error)) from error
    try:
        # The new file's time is the file system's "now": files of earlier writes are older than it.
        now = os.fstat(fd).st_mtime
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover (Windows renames no file held open: the writer's own handle keeps it instead)
            os.close(fd)
            fd = None
        sweep_stale_partials(path, before=now)
        yield temporary
        try:
            _fsync(temporary)
            os.replace(temporary, path)
        except OSError as error:
            raise write_error(path, error.strerror or str(error)) from error
        try:
            _fsync(path.parent if str(path.parent) else Path("."), directory=True)
        except OSError as error:  # the file is in place; the folder entry may not be on the disk yet
            log.warning("Could not flush the folder of %s to the disk: %s", path, error.strerror or error)
    except BaseException:
        _remove_write(path, token)
        raise
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


def _remove_write(path: Path, token: str) -> None:
    """Delete the temporary file of the write ``token`` to ``path`` and its helper files (a COG's GeoTIFF,
    GDAL's ``.ovr.tmp``), never anything else."""
    pattern = partial_pattern(path)
    try:
        entries = list(os.scandir(path.parent if str(path.parent) else "."))
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and match.group("token") == token:
            Path(entry.path).unlink(missing_ok=True)


def atomic_bytes(path: Union[str, Path], content: bytes, what: str = "") -> Path:
    """Write ``content`` to ``path`` through ``atomic_path``: written, flushed, read back and compared (CRC-32)
    before the rename; returns ``path``.

    Args:
        path: the target file.
        content: all of its bytes.
        what: words naming the kind of file in a message (``"tile-cache entry "``).

    Raises:
        WriteError: the file could not be written or does not read back as written (the reason is the system's,
            e.g. ``No space left on device``); nothing is left but an older ``path``, untouched.
    """
    path = Path(path)
    with atomic_path(path) as temporary:
        try:
            with open(temporary, "wb") as handle:
                handle.write(content)
            back = temporary.read_bytes()
        except OSError as error:
            raise write_error(path, error.strerror or str(error), what) from error
        if len(back) != len(content) or zlib.crc32(back) != zlib.crc32(content):
            raise write_error(
                path,
                f"the file read back ({len(back)} bytes) differs from the {len(content)} "
                f"bytes written{free_space_note(path)}",
                what,
            )
    return path


@contextmanager
def atomic_raster(path: Union[str, Path], **profile: Any) -> Iterator["VerifiedWriter"]:
    """Open a raster for writing with ``rasterio.open(..., "w", **profile)`` under ``atomic_path``, checked
    (``verified_write.verified_raster``: GDAL's write errors fail it, the file is read back and compared with what
    was written) before it is renamed onto ``path``.

    The dataset is closed and checked before the rename, so ``path`` appears only complete; on an exception
    nothing is left.

    Raises:
        WriteError: the raster could not be written completely (the message names ``path`` and GDAL's reason).
    """
    from .verified_write import verified_raster  # it uses this module's helpers

    path = Path(path)
    with atomic_path(path) as partial, verified_raster(partial, path, **profile) as dst:
        yield dst
