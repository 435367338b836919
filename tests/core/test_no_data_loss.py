"""No user data is ever lost (issue 11): outputs never replace inputs, writes are verified before the rename, a full
disk or a GDAL write error fails the run and keeps the older file byte for byte, killed runs' partial files are
swept, damaged inputs are named with GDAL's reason, and absurd output grids are refused.

Every test works on a private copy of the real demo scenes and checks that their bytes did not change.
"""

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import rasterio

from cloudscore_composite.plugin.core.atomic_file import atomic_bytes, stale_partials, sweep_stale_partials
from cloudscore_composite.plugin.core.earthengine.cache import TileCache
from cloudscore_composite.plugin.core.errors import InputError, ReadError, WriteError
from cloudscore_composite.plugin.core.evaluation import EvaluationRequest, evaluate
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.grid import Grid
from cloudscore_composite.plugin.core.mask_scene import MaskSceneRequest, mask_scene
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite
from cloudscore_composite.plugin.core.scene_export import export_scenes
from cloudscore_composite.plugin.core.verified_write import check_raster, verified_raster

from ..conftest import PLUGINS_DIR
from ..file_faults import checksums, copy_demo_scenes, corrupt_a_block, fill, partial_files, sha256, small_tmpfs

START, END = date(2015, 7, 1), date(2015, 10, 1)
SCENE = "20150731T100009_20150731T100009_T33TVL.tif"
NO_SPACE = "No space left on device"


def request(output, **changes):
    fields = dict(start=START, end=END, qa_band="clear", output=output, threshold=0.6)
    fields.update(changes)
    return CompositeRequest(**fields)


@pytest.fixture
def scenes(tmp_path):
    """A private copy of the demo scenes."""
    return copy_demo_scenes(tmp_path / "scenes")


@pytest.fixture
def inputs_unchanged(scenes):
    """Asserts, after the test, that no byte of the input scenes changed and no file was added to their folder
    (other than those the test put there itself before calling ``inputs_unchanged.snapshot()``)."""

    class Guard:
        def __init__(self):
            self.before = checksums(scenes)

        def snapshot(self):
            self.before = checksums(scenes)

    guard = Guard()
    yield guard
    assert checksums(scenes) == guard.before


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs (see ``file_faults.small_tmpfs``)."""
    with small_tmpfs(
        tmp_path, "; the full disk is also tested by injecting write errors (test_injected_gdal_write_errors_...)"
    ) as mount:
        yield mount


# ---- 1. never write over an input -------------------------------------------------------------------------------


def test_an_output_that_is_an_input_scene_is_refused_before_any_work(scenes, inputs_unchanged):
    with pytest.raises(InputError, match=r"^OUTPUT: .*is one of the input scenes") as error:
        run_composite(request(scenes / SCENE), FolderSource(scenes))
    assert error.value.field == "OUTPUT"
    assert partial_files(scenes) == []


@pytest.mark.parametrize("spelling", ["symlink", "dotdot", "relative", "hardlink"])
def test_every_spelling_of_an_input_is_recognised(tmp_path, scenes, inputs_unchanged, monkeypatch, spelling):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "sub").mkdir(parents=True)
    if spelling == "symlink":
        output = elsewhere / "composite.tif"
        output.symlink_to(scenes / SCENE)
    elif spelling == "dotdot":
        output = scenes / ".." / "scenes" / SCENE
    elif spelling == "relative":
        monkeypatch.chdir(elsewhere / "sub")
        output = Path("..") / ".." / "scenes" / SCENE
    else:
        output = elsewhere / "composite.tif"
        os.link(scenes / SCENE, output)
    inputs_unchanged.snapshot()  # the link is the test's own
    with pytest.raises(InputError, match="^OUTPUT: .*is one of the input scenes"):
        run_composite(request(output), FolderSource(scenes))


def test_an_unticked_scene_and_a_skipped_file_are_inputs_too(scenes, inputs_unchanged):
    damaged = scenes / "copy.tif"
    damaged.write_bytes((scenes / SCENE).read_bytes()[:5000])
    inputs_unchanged.snapshot()
    source = FolderSource(scenes)
    for output in (scenes / SCENE, damaged):
        with pytest.raises(InputError, match="^OUTPUT: .*is one of the input scenes"):
            run_composite(request(output, excluded_scenes=[Path(SCENE).stem]), source)


def test_fetching_scenes_into_their_own_folder_is_refused(tmp_path, scenes, inputs_unchanged):
    source = FolderSource(scenes)
    found = source.search(START, END)
    link = tmp_path / "link_to_scenes"
    link.symlink_to(scenes, target_is_directory=True)
    for folder in (scenes, link, tmp_path / "x" / ".." / "scenes"):
        with pytest.raises(InputError, match="^OUTPUT: folder .* is the input scene folder"):
            export_scenes(source, found, folder, bands=["B4"])


def test_fetching_never_replaces_an_input_through_a_link(tmp_path, scenes, inputs_unchanged):
    source = FolderSource(scenes)
    found = source.search(START, END)
    target = tmp_path / "fetched"
    target.mkdir()
    (target / SCENE).symlink_to(scenes / SCENE)  # a file of the output folder that is an input
    with pytest.raises(InputError, match="^OUTPUT: .*is one of the input scenes"):
        export_scenes(source, found, target, bands=["B4"])
    assert sorted(p.name for p in target.iterdir()) == [SCENE]  # nothing written, not even the other scenes


def test_masking_a_scene_onto_itself_is_refused(tmp_path, scenes, inputs_unchanged):
    link = tmp_path / "masked.tif"
    link.symlink_to(scenes / SCENE)
    with pytest.raises(InputError, match=r"^OUTPUT: .*is the input scene \(INPUT\)"):
        mask_scene(MaskSceneRequest(scenes / SCENE, "clear", link, 0.6))
    with pytest.raises(InputError, match=r"^CLEAR_MASK: .*is the input scene \(INPUT\)"):
        mask_scene(MaskSceneRequest(scenes / SCENE, "clear", tmp_path / "ok.tif", 0.6, clear_mask=scenes / SCENE))


# ---- 2. verified writes: a full disk, GDAL write errors -----------------------------------------------------------


@pytest.mark.parametrize("output_format", ["GTiff", "COG"])
def test_a_full_disk_fails_the_composite_and_keeps_the_older_one(small_disk, scenes, inputs_unchanged, output_format):
    output = small_disk / "composite.tif"
    source = FolderSource(scenes)
    run_composite(request(output, output_format=output_format), source)  # an older, good composite
    older = sha256(output)
    fill(small_disk)
    with pytest.raises(WriteError) as error:
        run_composite(request(output, threshold=0.5, output_format=output_format), source)
    assert str(error.value).startswith(f"could not write {output}: {NO_SPACE}")
    assert error.value.path == output and error.value.reason == NO_SPACE
    assert sha256(output) == older
    assert sorted(p.name for p in small_disk.iterdir()) == ["composite.tif", "filler"]  # no partial file left
    with rasterio.open(output) as old:
        old.read()


def test_a_full_disk_fails_maskscene_and_keeps_both_older_outputs(small_disk, scenes, inputs_unchanged):
    masked, mask = small_disk / "masked.tif", small_disk / "clear.tif"
    mask_scene(MaskSceneRequest(scenes / SCENE, "clear", masked, threshold=0.6, clear_mask=mask))
    older = sha256(masked), sha256(mask)
    fill(small_disk, leave=32 * 1024)
    with pytest.raises(WriteError, match=f"could not write .*: {NO_SPACE}"):
        mask_scene(MaskSceneRequest(scenes / SCENE, "clear", masked, threshold=0.4, clear_mask=mask))
    assert (sha256(masked), sha256(mask)) == older
    assert partial_files(small_disk) == []


def test_a_full_disk_fails_fetchscenes_and_keeps_the_older_scene_file(small_disk, scenes, inputs_unchanged):
    source = FolderSource(scenes)
    found = [s for s in source.search(START, END) if s.path.name == SCENE]
    export_scenes(source, found, small_disk, bands=["B4", "clear"])  # an older fetch of that scene
    older = sha256(small_disk / SCENE)
    fill(small_disk)
    with pytest.raises(WriteError, match=f"could not write {small_disk / SCENE}: {NO_SPACE}"):
        export_scenes(source, found, small_disk)  # every band now: a different file
    assert sha256(small_disk / SCENE) == older
    assert partial_files(small_disk) == []


def test_a_full_disk_fails_tile_cache_entries_and_reports(small_disk):
    cache = TileCache(small_disk)
    cache.put("COPERNICUS/S2_HARMONIZED/x", "tile_0_0", ["B4"], b"an older entry")
    fill(small_disk, leave=4096)
    with pytest.raises(WriteError, match=f"could not write tile-cache entry .*B4\\.[0-9a-f]{{16}}\\.tif: {NO_SPACE}"):
        cache.put("COPERNICUS/S2_HARMONIZED/x", "tile_0_0", ["B4"], os.urandom(512 * 1024))
    assert list(cache.entries("COPERNICUS/S2_HARMONIZED/x", "tile_0_0")) == ["B4"]  # the older, intact entry
    report = small_disk / "report.html"
    (small_disk / "filler").unlink()
    atomic_bytes(report, b"<html>older</html>")
    fill(small_disk, leave=4096)
    with pytest.raises(WriteError, match=f"could not write report {report}: {NO_SPACE}"):
        atomic_bytes(report, os.urandom(512 * 1024), "report ")
    assert report.read_bytes() == b"<html>older</html>"
    assert partial_files(small_disk) == []
    assert partial_files(cache.tiles_folder / "COPERNICUS/S2_HARMONIZED/x/tile_0_0") == []


INJECTED_WRITE_ERROR = """
import json, resource, signal, sys
from datetime import date
sys.path.insert(0, {plugins!r})
from cloudscore_composite.plugin.core.errors import CloudScoreError
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.mask_scene import MaskSceneRequest, mask_scene
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
try:
    if {what!r} == "composite":
        run_composite(CompositeRequest(start=date(2015, 7, 1), end=date(2015, 10, 1), qa_band="clear",
                                       output={output!r}, threshold=0.5), FolderSource({scenes!r}))
    else:
        mask_scene(MaskSceneRequest({scene!r}, "clear", {output!r}, threshold=0.5))
    print(json.dumps({{"error": None}}))
except CloudScoreError as error:
    print(json.dumps({{"error": type(error).__name__, "message": str(error)}}))
"""


@pytest.mark.parametrize("what", ["composite", "maskscene"])
def test_injected_gdal_write_errors_fail_the_run_and_keep_the_older_file(tmp_path, scenes, inputs_unchanged, what):
    """GDAL write errors without a full disk: the child process may not write files past a few kB (RLIMIT_FSIZE),
    so GDAL's writes fail with EFBIG, which its GTiff driver only logs."""
    output = tmp_path / "out.tif"
    if what == "composite":
        run_composite(request(output), FolderSource(scenes))
    else:
        mask_scene(MaskSceneRequest(scenes / SCENE, "clear", output, threshold=0.6))
    older = sha256(output)
    limit = 20000 if what == "composite" else 4000
    assert output.stat().st_size > limit
    script = INJECTED_WRITE_ERROR.format(
        plugins=str(PLUGINS_DIR),
        what=what,
        output=str(output),
        limit=limit,
        scenes=str(scenes),
        scene=str(scenes / SCENE),
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["error"] == "WriteError"
    assert outcome["message"].startswith(f"could not write {output}: File too large")
    assert "Traceback" not in done.stderr
    assert sha256(output) == older and partial_files(tmp_path) == []


def test_a_file_that_does_not_read_back_as_written_is_not_accepted(tmp_path):
    grid = Grid(rasterio.crs.CRS.from_epsg(32633), rasterio.transform.from_origin(0, 2560, 10, 10), 256, 256)
    profile = dict(
        driver="GTiff",
        width=256,
        height=256,
        count=1,
        dtype="uint16",
        crs=grid.crs,
        transform=grid.transform,
        tiled=True,
        blockxsize=256,
        blockysize=256,
    )
    path = tmp_path / "written.tif"
    with verified_raster(path, tmp_path / "target.tif", verify=False, **profile) as dst:
        dst.write(np.arange(256 * 256, dtype=np.uint16).reshape(256, 256), 1)
    written = dst.written
    check_raster(path, tmp_path / "target.tif", written)  # as written
    with rasterio.open(path, "r+") as damaged:  # a block that changed on the disk
        damaged.write(np.zeros((1, 16, 16), dtype=np.uint16), window=rasterio.windows.Window(0, 0, 16, 16))
    with pytest.raises(WriteError, match=r"target\.tif: band 1 of the window .* reads back different"):
        check_raster(path, tmp_path / "target.tif", written)


# ---- 3. partial files of killed runs ----------------------------------------------------------------------------

KILLED_RUN = """
import sys, time
from datetime import date
sys.path.insert(0, {plugins!r})
from cloudscore_composite.plugin.core.folder_source import FolderSource
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite

class Slow(FolderSource):
    def read_block(self, *args, **kwargs):
        time.sleep(0.2)
        return super().read_block(*args, **kwargs)

run_composite(CompositeRequest(start=date(2015, 7, 1), end=date(2015, 10, 1), qa_band="clear", output={output!r},
                               block_size=16, threads=1), Slow({scenes!r}))
"""


def test_a_killed_run_leaves_a_partial_file_that_the_next_run_sweeps(tmp_path, scenes, inputs_unchanged, caplog):
    output = tmp_path / "composite.tif"
    run_composite(request(output), FolderSource(scenes))
    older = sha256(output)
    script = KILLED_RUN.format(plugins=str(PLUGINS_DIR), output=str(output), scenes=str(scenes))
    child = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while not partial_files(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # a few blocks into the run
    child.send_signal(signal.SIGKILL)
    child.wait()
    left = partial_files(tmp_path)
    assert len(left) == 1 and left[0].startswith(".composite.") and left[0].endswith(".partial.tif")
    assert sha256(output) == older  # the killed run never replaced the older composite
    with caplog.at_level(logging.INFO):
        run_composite(request(output, threshold=0.5), FolderSource(scenes))
    assert partial_files(tmp_path) == []
    assert any(
        "Removed 1 partial file(s) an interrupted run left for composite.tif" in r.getMessage()
        and left[0] in r.getMessage()
        for r in caplog.records
    )


def test_partial_files_of_a_running_writer_or_of_another_target_are_kept(tmp_path):
    import fcntl

    target = tmp_path / "composite.tif"
    running = tmp_path / ".composite.0123abcd.partial.tif"
    stale = tmp_path / ".composite.89abcdef.partial.tif"
    stale_helper = tmp_path / ".composite.89abcdef.partial.tif.gtiff.tif"
    other = tmp_path / ".other.0123abcd.partial.tif"
    for path in (running, stale, stale_helper, other):
        path.write_bytes(b"x" * 100)
        os.utime(path, (time.time() - 60, time.time() - 60))
    with open(running, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as atomic_path holds its file
        assert stale_partials(target) == [stale, stale_helper]
        assert sweep_stale_partials(target) == [stale, stale_helper]
    assert running.exists() and other.exists() and not stale.exists() and not stale_helper.exists()
    fresh = tmp_path / ".composite.fedcba98.partial.tif"
    fresh.write_bytes(b"x")
    assert stale_partials(target, before=time.time() - 30) == [running]  # newer than the run: not its business


# ---- 4. damaged inputs are named ---------------------------------------------------------------------------------


def test_a_truncated_scene_and_a_text_file_are_skipped_named_and_recorded(tmp_path, scenes, inputs_unchanged, caplog):
    (scenes / "copy.tif").write_bytes((scenes / SCENE).read_bytes()[:5000])  # head -c 5000 scene.tif > copy.tif
    (scenes / "notes.tif").write_text("not a raster\n")
    inputs_unchanged.snapshot()
    output = tmp_path / "composite.tif"
    with caplog.at_level(logging.WARNING):
        source = FolderSource(scenes)
        result = run_composite(request(output), source)
    assert len(result.plan.scenes) == 5
    reasons = dict(source.skipped_files)
    assert (
        reasons["copy.tif"].startswith("damaged: block 0,")
        and "beyond the end of the 5000-byte file" in reasons["copy.tif"]
    )
    assert reasons["notes.tif"] == "not a readable raster (not recognized as a supported file format.)"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "2 file(s) of the folder" in w and "copy.tif (damaged" in w and "notes.tif (not a readable" in w
        for w in warnings
    ), warnings
    with rasterio.open(output) as out:
        skipped = out.tags()["CLOUDSCORE_SKIPPED_SCENES"]
    assert "copy.tif (damaged: block 0" in skipped and "notes.tif (not a readable raster" in skipped


def test_a_block_that_does_not_decode_fails_the_run_with_the_file_name(tmp_path, scenes, inputs_unchanged):
    output = tmp_path / "composite.tif"
    run_composite(request(output), FolderSource(scenes))
    older = sha256(output)
    corrupt_a_block(scenes / SCENE)
    inputs_unchanged.snapshot()
    with pytest.raises(ReadError) as error:
        run_composite(request(output, threshold=0.5), FolderSource(scenes))
    assert str(error.value).startswith(f"cannot read scene file {scenes / SCENE}: ")
    assert "Decoding error" in str(error.value) or "decode" in str(error.value).lower()
    assert sha256(output) == older and partial_files(tmp_path) == []


def test_maskscene_and_evaluatemask_name_the_damaged_file(tmp_path, scenes, inputs_unchanged):
    truncated = scenes / "copy.tif"
    truncated.write_bytes((scenes / SCENE).read_bytes()[:5000])
    corrupted = scenes / "corrupted.tif"
    shutil.copy(scenes / SCENE, corrupted)
    corrupt_a_block(corrupted)
    inputs_unchanged.snapshot()
    with pytest.raises(InputError, match=r"^INPUT: scene '.*copy\.tif' is damaged: block .* beyond the end"):
        mask_scene(MaskSceneRequest(truncated, "clear", tmp_path / "masked.tif", 0.6))
    with pytest.raises(ReadError, match=f"^cannot read scene {corrupted}: .*"):
        mask_scene(MaskSceneRequest(corrupted, "clear", tmp_path / "masked.tif", 0.6))
    assert list(tmp_path.glob("*masked*")) == [] and partial_files(tmp_path) == []
    reference = tmp_path / "reference.tif"  # every pixel labelled land (ALCD class 5)
    with rasterio.open(scenes / SCENE) as src:
        profile = dict(src.profile, count=1, dtype="uint8", nodata=0)
    with rasterio.open(reference, "w", **profile) as dst:
        dst.write(np.full((1, profile["height"], profile["width"]), 5, dtype=np.uint8))
    with pytest.raises(ReadError, match=f"^cannot read SCORE raster {corrupted}: "):
        evaluate(EvaluationRequest(reference=reference, score=corrupted, qa_band="clear", thresholds=[0.6]))


# ---- 5. a sane output grid ---------------------------------------------------------------------------------------


def test_a_grid_far_too_fine_is_refused_with_its_size_and_the_ceiling(tmp_path, scenes, inputs_unchanged):
    with pytest.raises(InputError) as error:
        run_composite(request(tmp_path / "c.tif", resolution=0.001), FolderSource(scenes))
    message = str(error.value)
    assert error.value.field == "RESOLUTION"
    assert "output grid would be 99" in message and "pixels of 0.001 m x 14 band(s)" in message
    assert "over the ceiling of 20 GB (setting cloudscore_composite/output_ceiling_gb)" in message
    assert list(tmp_path.glob("*.tif")) == [] and partial_files(tmp_path) == []
    run_composite(
        request(
            tmp_path / "c.tif",
            resolution=0.5,
            output_ceiling_gb=None,
            bands=["B4"],
            aoi=(465300.0, 5079400.0, 465310.0, 5079410.0),
        ),
        FolderSource(scenes),
    )  # no ceiling


def test_a_grid_far_too_coarse_is_refused(tmp_path, scenes, inputs_unchanged):
    with pytest.raises(
        InputError,
        match=r"^RESOLUTION: the output grid would be only 1 x 1 pixels of 10000 m: "
        r"at least 4 x 4",
    ):
        run_composite(request(tmp_path / "c.tif", resolution=10000), FolderSource(scenes))


def test_an_area_whose_pixels_are_all_outside_the_scenes_is_refused(tmp_path, scenes, inputs_unchanged):
    output = tmp_path / "c.tif"
    run_composite(request(output), FolderSource(scenes))
    older = sha256(output)
    # The AOI's box reaches the scenes, its polygon lies east of them: no pixel of it has a score.
    polygon = {
        "type": "Polygon",
        "coordinates": [
            [(466500, 5079300), (467500, 5079300), (467500, 5080200), (466500, 5080200), (466500, 5079300)]
        ],
    }
    with pytest.raises(InputError, match=r"^EXTENT: none of the .* output pixels lies on a scene pixel"):
        run_composite(
            request(output, aoi=(465200.0, 5079300.0, 467500.0, 5080200.0), aoi_crs="EPSG:32633", clip=[polygon]),
            FolderSource(scenes),
        )
    assert sha256(output) == older and partial_files(tmp_path) == []


# ---- 6. clearer messages -----------------------------------------------------------------------------------------


def test_input_naming_a_file_says_it_is_a_file(scenes, inputs_unchanged):
    with pytest.raises(InputError, match=r"^INPUT: '.*\.tif' is a file, not a folder"):
        FolderSource(scenes / SCENE)


def test_narrowing_to_the_common_bands_is_a_warning_naming_them(tmp_path, scenes, caplog):
    fewer = scenes / SCENE
    with rasterio.open(fewer) as src:
        keep = [i for i, name in enumerate(src.descriptions, start=1) if name not in ("B10", "B11")]
        profile, tags, data = src.profile, src.tags(), src.read(keep)
        names = [src.descriptions[i - 1] for i in keep]
    profile.update(count=len(keep))
    fewer.unlink()
    with rasterio.open(fewer, "w", **profile) as dst:
        dst.write(data)
        dst.update_tags(**tags)
        for index, name in enumerate(names, start=1):
            dst.set_band_description(index, name)
    with caplog.at_level(logging.WARNING):
        result = run_composite(request(tmp_path / "c.tif"), FolderSource(scenes))
    assert "B10" not in result.plan.bands and "B11" not in result.plan.bands
    assert any(
        r.getMessage().startswith(
            f"Band(s) B10, B11 are left out: not every scene has them (1 scene(s) lack some: {Path(SCENE).stem})"
        )
        for r in caplog.records
    )
