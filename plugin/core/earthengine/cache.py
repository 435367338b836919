"""On-disk cache of fetched ``getPixels`` tiles, so re-runs and resumed runs fetch only what is missing.

Layout: ``<folder>/cloudscore_ee_tiles/<asset id>/<grid tile key>/<band>+<band>....<sha256 prefix>.tif``: the
tiles live in a subfolder of their own, so clearing the cache never touches other files of the chosen folder. An
entry holds some bands of one asset on one grid tile; a later run that wants other bands of that tile fetches only
those. Entries are written to a temporary name and renamed into place (``atomic_file.atomic_path``), and carry
their own checksum in their name: an entry whose bytes do not match (a disk error, a copy cut short) is deleted
and fetched again. Checksums are verified lazily, when an entry is first looked up, and once per process for an
unchanged file (same size and modification time).
"""

import hashlib
import logging
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ..atomic_file import atomic_bytes, write_error

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "CLOUDSCORE_EE_CACHE"
_SAFE_ASSET = re.compile(r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*")
_ENTRY = re.compile(r"(?P<bands>[A-Za-z0-9_+]+)\.(?P<digest>[0-9a-f]{16})\.tif")
_CHUNK = 1 << 20
TILES_SUBFOLDER = "cloudscore_ee_tiles"
"""The subfolder of the chosen cache folder that holds the tiles (and is all that ``TileCache.clear`` deletes)."""

# Entries whose checksum was verified in this process: path -> (size, mtime in ns) when verified.
_verified: Dict[Path, Tuple[int, int]] = {}
_verified_lock = threading.Lock()


def default_cache_dir() -> Path:
    """``CLOUDSCORE_EE_CACHE``, else ``$XDG_CACHE_HOME`` (or ``~/.cache``) ``/cloudscore_composite/earthengine``."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cloudscore_composite" / "earthengine"


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            sha.update(chunk)
    return sha.hexdigest()[:16]


class TileCache:
    """Tiles of Earth Engine assets on disk, safe to use from several threads (one writer per tile).

    Args:
        folder: the folder the user chose (created when needed); the tiles go to its ``TILES_SUBFOLDER``.
            Default ``default_cache_dir()``. Nothing is read until an entry is looked up.
    """

    def __init__(self, folder: Union[str, Path, None] = None):
        self.folder = Path(folder) if folder else default_cache_dir()
        self.tiles_folder = self.folder / TILES_SUBFOLDER

    def _tile_dir(self, asset_id: str, tile_key: str) -> Path:
        if not _SAFE_ASSET.fullmatch(asset_id) or ".." in asset_id.split("/"):
            asset_id = "other/" + hashlib.sha256(asset_id.encode("utf-8")).hexdigest()[:24]
        return self.tiles_folder / asset_id / tile_key

    @staticmethod
    def _is_intact(path: Path, digest: str) -> bool:
        stat = path.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
        with _verified_lock:
            if _verified.get(path) == stamp:
                return True
        if _digest(path) != digest:
            return False
        with _verified_lock:
            _verified[path] = stamp
        return True

    def entries(self, asset_id: str, tile_key: str) -> Dict[str, Tuple[Path, int]]:
        """The intact cached bands of one asset on one tile: band -> (file, 1-based band index in it).

        Corrupt entries found on the way are deleted (with a logged warning), so they are fetched again.
        """
        folder = self._tile_dir(asset_id, tile_key)
        found: Dict[str, Tuple[Path, int]] = {}
        if not folder.is_dir():
            return found
        for path in sorted(folder.iterdir()):
            match = _ENTRY.fullmatch(path.name)
            if not match:
                continue
            try:
                intact = self._is_intact(path, match.group("digest"))
            except OSError:
                continue  # removed by another run meanwhile
            if not intact:
                log.warning("Cache entry %s is corrupt (checksum mismatch): deleted, it will be fetched again", path)
                path.unlink(missing_ok=True)
                continue
            for index, band in enumerate(match.group("bands").split("+"), start=1):
                found.setdefault(band, (path, index))
        return found

    def missing(self, asset_id: str, tile_key: str, bands: Iterable[str]) -> List[str]:
        """The bands of ``bands`` (in their order) that are not cached for this asset and tile."""
        cached = self.entries(asset_id, tile_key)
        return [band for band in bands if band not in cached]

    def locate(self, asset_id: str, tile_key: str, band: str) -> Optional[Tuple[Path, int]]:
        """(file, 1-based band index) of one cached band, or None."""
        return self.entries(asset_id, tile_key).get(band)

    def put(self, asset_id: str, tile_key: str, bands: Sequence[str], content: bytes) -> Path:
        """Store a GeoTIFF holding ``bands`` (in that order) of an asset on a tile; returns its path.

        The bytes are written to a temporary file in the same folder, read back and compared, and renamed into
        place (``atomic_file.atomic_bytes``), so a reader never sees half an entry; a crash leaves at most a stray
        hidden temporary file (ignored by lookups, swept by the next write of the same entry, removed by
        ``clear``).

        Raises:
            WriteError: the folder or the file could not be written (disk full, permissions: the entry's path and
                the system's reason); no entry is left.
        """
        folder = self._tile_dir(asset_id, tile_key)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise write_error(folder, error.strerror or str(error), "the tile-cache folder ") from error
        digest = hashlib.sha256(content).hexdigest()[:16]
        path = folder / f"{'+'.join(bands)}.{digest}.tif"
        return atomic_bytes(path, content, "tile-cache entry ")

    def size_bytes(self) -> int:
        """Bytes the cached tiles take on disk."""
        if not self.tiles_folder.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.tiles_folder.rglob("*") if p.is_file())

    def clear(self) -> None:
        """Delete every cached tile: the ``TILES_SUBFOLDER`` only; the chosen folder and its other files stay."""
        if self.tiles_folder.is_dir() and not self.tiles_folder.is_symlink():
            shutil.rmtree(self.tiles_folder)
        with _verified_lock:
            for path in [p for p in _verified if self.tiles_folder in p.parents]:
                del _verified[path]
        log.info("Cleared the Earth Engine tile cache %s", self.tiles_folder)
