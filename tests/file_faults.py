"""Helpers of the no-data-loss tests (core and QGIS): checksums of a folder, hidden partial files, a private copy of
the demo scenes, and a small disk to fill."""

import hashlib
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
import rasterio

from .conftest import DEMO_DIR


def sha256(path) -> str:
    """The file's SHA-256, hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def checksums(folder) -> dict:
    """sha256 of every file of ``folder`` (not its subfolders), by name."""
    return {p.name: sha256(p) for p in sorted(Path(folder).iterdir()) if p.is_file()}


def partial_files(folder) -> list:
    """Names of the hidden partial files (``.NAME.<hex>.partial...``) in ``folder``."""
    return sorted(p.name for p in Path(folder).iterdir() if ".partial" in p.name)


def copy_demo_scenes(folder: Path) -> Path:
    """A private copy of the demo scenes in ``folder`` (made), which the test may damage or write beside."""
    folder.mkdir()
    for path in DEMO_DIR.glob("*.tif"):
        shutil.copy(path, folder / path.name)
    return folder


@contextmanager
def small_tmpfs(tmp_path: Path, note: str = ""):
    """A 4 MB tmpfs mounted under ``tmp_path`` (unmounted afterwards); the test is skipped with the reason when
    mounting is not permitted (``note`` says where the case is covered otherwise)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or done.returncode}){note}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int = 8192) -> None:
    """Fill ``disk`` up to ``leave`` bytes free."""
    stat = os.statvfs(disk)
    with open(disk / "filler", "wb") as handle:
        handle.write(b"\0" * max(stat.f_bavail * stat.f_frsize - leave, 0))


def corrupt_a_block(path: Path) -> None:
    """Overwrite the middle of one compressed strip of band 1 with garbage (the file still opens)."""
    with rasterio.open(path) as src:
        offset = int(src.get_tag_item("BLOCK_OFFSET_0_50", "TIFF", bidx=1))
        size = int(src.get_tag_item("BLOCK_SIZE_0_50", "TIFF", bidx=1))
    with open(path, "r+b") as handle:
        handle.seek(offset + 2)
        handle.write(b"\xff" * (size - 4))
