"""Write a file under a temporary name beside its target and rename it into place when complete."""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Union

import rasterio


@contextmanager
def atomic_path(path: Union[str, Path]) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path``; rename it onto ``path`` when the block succeeds.

    The caller writes the whole file to the yielded path. When the ``with`` block ends without an exception
    the file is renamed onto ``path`` (same folder, so the rename is atomic and an older ``path`` is replaced
    in one step); on any exception, a cancel included, the temporary file is removed and ``path`` is left as
    it was. The temporary name keeps the target's suffix so drivers that look at it (GDAL) pick the format.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_raster(path: Union[str, Path], **profile) -> Iterator[rasterio.io.DatasetWriter]:
    """Open a raster for writing with ``rasterio.open(..., "w", **profile)`` through ``atomic_path``.

    The dataset is closed before the rename, so ``path`` appears only complete; on an exception nothing is left.
    """
    with atomic_path(path) as partial, rasterio.open(partial, "w", **profile) as dst:
        yield dst
