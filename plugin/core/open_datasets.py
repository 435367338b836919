"""Raster files kept open for a whole run, one handle per file and thread.

Opening a GeoTIFF costs about a millisecond, most of it under Python's lock; a run that opens every scene for
every block spends a third of its time there. A ``DatasetCache`` opens each file once per worker thread (GDAL
datasets must not be shared between threads) and closes them all when the run ends, cancelled or failed included.
Each thread keeps at most ``max_open`` files, least recently used closed first, so a folder of many scenes never
runs out of file handles.
"""

import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Optional, Union

import rasterio
from rasterio.env import get_gdal_config, set_gdal_config
from rasterio.io import DatasetReader

GDAL_CACHE_MB = 16
"""GDAL's block cache while datasets are kept open, in MB. Tiles are read once each when the compositing blocks
follow the scenes' tiles, and the output is written a block of all bands at a time, so a small cache loses nothing
(measured: 16 MB as fast as 64 MB) and keeps memory bounded (GDAL's default is 5% of RAM, 1.2 GB on a 24 GB
machine, which open datasets would fill; 64 MB cost 90 MB more peak memory on the 8 GB bench stack)."""


_gdal_cache_lock = threading.Lock()
_gdal_cache_users = 0
_gdal_cache_saved: Optional[int] = None


@contextmanager
def small_gdal_cache() -> Iterator[None]:
    """GDAL's block cache at ``GDAL_CACHE_MB`` until the ``with`` block ends, then as it was. The cache is one for the
    whole process: runs that overlap (two tasks in QGIS) share the setting, and the last one to end restores it
    (``rasterio.Env`` would restore what it saw when it began, leaving a small cache behind)."""
    global _gdal_cache_users, _gdal_cache_saved
    with _gdal_cache_lock:
        if _gdal_cache_users == 0:
            _gdal_cache_saved = get_gdal_config("GDAL_CACHEMAX")  # bytes
            set_gdal_config("GDAL_CACHEMAX", GDAL_CACHE_MB * 2**20)  # bytes: rasterio calls GDALSetCacheMax64
        _gdal_cache_users += 1
    try:
        yield
    finally:
        with _gdal_cache_lock:
            _gdal_cache_users -= 1
            if _gdal_cache_users == 0 and _gdal_cache_saved is not None:
                set_gdal_config("GDAL_CACHEMAX", _gdal_cache_saved)


def default_max_open() -> int:
    """Files each thread may keep open: half of the process's file handle limit (less 128 for everything else)
    shared by one thread per CPU core, 16..512 (224 with Linux's usual limit of 1024 on 2 cores)."""
    try:
        import resource  # Unix only
    except ImportError:  # Windows: the C runtime's default of 512 open files
        soft = 512
    else:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            soft = 4096
    return max(16, min(512, (soft - 128) // (2 * (os.cpu_count() or 1))))


class DatasetCache:
    """Open datasets per thread: ``open(path)`` returns this thread's handle of ``path``, opening it on first use.

    Use it as a context manager (or call ``close``) from the thread that owns the run, after the worker threads are
    done: every handle is closed then. Handles must not be closed by their users.

    Args:
        max_open: files kept open per thread; the least recently used is closed beyond it.
    """

    def __init__(self, max_open: int = 0):
        self.max_open = max_open or default_max_open()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._per_thread: List[OrderedDict[str, DatasetReader]] = []
        self._closed = False

    def open(self, path: Union[str, Path]) -> DatasetReader:
        """This thread's open dataset of ``path`` (read-only).

        Raises:
            RuntimeError: the cache is closed.
            RasterioIOError: the file cannot be opened (as ``rasterio.open``).
        """
        datasets = getattr(self._local, "datasets", None)
        if datasets is None:
            datasets = OrderedDict()
            with self._lock:
                if self._closed:
                    raise RuntimeError("the dataset cache is closed")
                self._per_thread.append(datasets)
            self._local.datasets = datasets
        key = str(path)
        dataset = datasets.get(key)
        if dataset is not None and not dataset.closed:
            datasets.move_to_end(key)
            return dataset
        if self._closed:
            raise RuntimeError("the dataset cache is closed")
        dataset = rasterio.open(key)
        datasets[key] = dataset
        while len(datasets) > self.max_open:
            _, oldest = datasets.popitem(last=False)
            oldest.close()
        return dataset

    def open_count(self) -> int:
        """Datasets open now, over all threads."""
        with self._lock:
            return sum(1 for datasets in self._per_thread for d in list(datasets.values()) if not d.closed)

    def close(self) -> None:
        """Close every dataset of every thread; later ``open`` calls raise. Safe to call twice."""
        with self._lock:
            self._closed = True
            per_thread, self._per_thread = self._per_thread, []
        for datasets in per_thread:
            while datasets:
                _, dataset = datasets.popitem()
                dataset.close()

    def __enter__(self) -> "DatasetCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class KeptOpen:
    """What a source mixes in to read its files through a ``DatasetCache`` while ``kept_open`` is active, in the
    threads that say they read for it (``reading_here``), and open and close them per read otherwise (a single read,
    a preview, a scene table's statistics read by another task at the same time)."""

    _dataset_cache = None
    _kept_open_depth = 0

    @contextmanager
    def kept_open(self) -> Iterator[None]:
        """Keep the files this source reads open until the ``with`` block ends (nested blocks share one cache),
        under a GDAL block cache of ``GDAL_CACHE_MB``. The pipeline enters it around a run's blocks."""
        lock = self.__dict__.setdefault("_kept_open_lock", threading.Lock())
        with lock:
            if self._kept_open_depth == 0:
                self._dataset_cache = DatasetCache()
            self._kept_open_depth += 1
        try:
            with small_gdal_cache():
                yield
        finally:
            with lock:
                self._kept_open_depth -= 1
                cache = self._dataset_cache if self._kept_open_depth == 0 else None
                if cache is not None:
                    self._dataset_cache = None
            if cache is not None:
                cache.close()

    @contextmanager
    def reading_here(self) -> Iterator[None]:
        """Mark this thread as one of ``kept_open``'s readers until the ``with`` block ends (the pipeline's block
        workers): its reads then use, and keep, the handles of the cache. Does nothing outside ``kept_open``."""
        local = self.__dict__.setdefault("_kept_open_readers", threading.local())
        local.depth = getattr(local, "depth", 0) + 1
        try:
            yield
        finally:
            local.depth -= 1

    @contextmanager
    def opened(self, path: Union[str, Path]) -> Iterator[DatasetReader]:
        """``path`` open for reading: inside ``kept_open`` and ``reading_here``, this thread's kept-open handle
        (left open), else a fresh one closed at the end of the ``with`` block.

        Raises:
            RasterioIOError: the file cannot be opened.
        """
        cache = self._dataset_cache
        readers = self.__dict__.get("_kept_open_readers")
        if cache is not None and readers is not None and getattr(readers, "depth", 0) > 0:
            yield cache.open(path)
        else:
            with rasterio.open(path) as dataset:
                yield dataset
