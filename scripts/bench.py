"""`make bench`: the compositing engine against numpy baselines measured in the same run, and a stack on disk
larger than 3 GB composited with bounded memory.

Cases (issue 3 targets):
  1. median + count vs numpy.nanmedian on the same stack: ours at least 8x faster;
  2. p25/p50/p75 + count vs numpy.nanpercentile: ours at least 100x faster;
  3. median + count vs one plain pass over the same stack (stack.sum over time): ours within 25x of it;
  4. a stack on disk > 3 GB composited to a file (the whole pipeline, FolderSource, GeoTIFF output) with peak
     resident memory under 1 GB, measured in a child process (VmHWM, the kernel's peak resident set size).
Whole process (issue 17 targets), `qgis_process run cloudscore:compositefolder` (median) through
scripts/qgis_process.sh against the floor measured in the same run: QGIS's start-up (`qgis_process help` of the
algorithm, which loads QGIS, its providers and the plugin) + one rasterio read of every input file (in a process of
its own, after a first read has put the files in the page cache); float32 scenes in 512 px tiles:
  5. 24 scenes x 4 bands (3 + QA band) x 1024 x 1024 px: ours at most 1.3x the floor;
  6. 24 scenes x 5 bands (4 + QA band) x 4096 x 4096 px (8 GB): ours at most 1.8x the floor, peak resident
     memory under 1 GB (the process's own, from wait4: a small launcher starts it, so nothing of this script's
     memory is counted).

The synthetic stack has a realistic shape: uint16 reflectance, float32 clear scores with cloud blobs covering
about 40% of each scene at the default threshold 0.6. Exit status 1 when a target is missed.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build" / "plugins"))  # `make bench` links the checkout there as the plugin

from cloudscore_composite.plugin.core.compositing import composite  # noqa: E402

THRESHOLD = np.float32(0.6)
CLOUDY_FRACTION = 0.4
BAND_NAMES = ("B2", "B3", "B4", "B8")
QA_SCALE = 1e-4  # the QA band is stored as uint16 0..10000 with this GDAL scale, read back as 0..1


def cloud_scores(rng: np.random.Generator, rows: int, cols: int, blob: int = 64) -> np.ndarray:
    """float32 (rows, cols) clear scores 0..1: blobs of ``blob`` px, ``CLOUDY_FRACTION`` of them below 0.6."""
    coarse = rng.random((rows // blob + 1, cols // blob + 1), dtype=np.float32)
    base = np.repeat(np.repeat(coarse, blob, axis=0), blob, axis=1)[:rows, :cols]
    # base < 0.4 (40% of the blobs) maps below 0.6; a little per-pixel noise blurs the blob edges
    noise = rng.normal(0, 0.02, (rows, cols)).astype(np.float32)
    return np.clip(base / (CLOUDY_FRACTION / float(THRESHOLD)) + noise, 0, 1).astype(np.float32)


def synthetic_stack(scenes: int, bands: int, size: int, seed: int = 1):
    """(stack uint16 (scenes, bands, size, size), scores float32 (scenes, size, size))."""
    rng = np.random.default_rng(seed)
    stack = rng.integers(200, 4000, size=(scenes, bands, size, size), dtype=np.uint16)
    scores = np.stack([cloud_scores(rng, size, size) for _ in range(scenes)])
    return stack, scores


def timed(function, repeat: int = 1):
    """(best wall time in seconds over ``repeat`` runs, the last result): the best run is the one least
    disturbed by other work on the machine."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def nan_stack(stack: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """What numpy's nan-functions need: float32 with NaN where not clear (built outside the timings)."""
    values = stack.astype(np.float32)
    values[~np.broadcast_to(clear[:, np.newaxis], values.shape)] = np.nan
    return values


def report(
    name: str, ours: float, baseline: float, baseline_name: str, target: str, ok: bool, ratio_text: str = "faster"
) -> dict:
    """Print one case; the ratio is baseline / ours ("faster") or ours / baseline ("of the floor")."""
    ratio = baseline / ours if ratio_text == "faster" else ours / baseline
    print(
        f"{name}\n    ours {ours:8.3f} s   {baseline_name} {baseline:8.3f} s   ours {ratio:.1f}x {ratio_text}   "
        f"target {target}: {'PASS' if ok else 'FAIL'}"
    )
    return dict(
        case=name,
        ours_s=round(ours, 3),
        baseline=baseline_name,
        baseline_s=round(baseline, 3),
        ratio=round(ratio, 2),
        target=target,
        passed=ok,
    )


def in_memory_cases(scenes: int, bands: int, size: int, threads: int, percentile_rows: int, repeat: int) -> list:
    stack, scores = synthetic_stack(scenes, bands, size)
    clear = scores >= THRESHOLD
    print(
        f"In-memory stack: {scenes} scenes x {bands} bands x {size} x {size} px uint16 "
        f"({stack.nbytes / 2**20:.0f} MB), {1 - clear.mean():.0%} cloudy; ours on {threads} thread(s) (numpy's "
        f"functions use one); best of {repeat} runs, nanpercentile once"
    )
    values = nan_stack(stack, clear)
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-cloud pixels
        ours_median, (median, count) = timed(lambda: composite(stack, clear, "median", threads=threads), repeat)
        numpy_median, expected = timed(
            lambda: (np.nanmedian(values, axis=0), np.count_nonzero(~np.isnan(values[:, 0]), axis=0)), repeat
        )
        assert np.array_equal(median[:, 0], expected[0], equal_nan=True) and np.array_equal(count, expected[1])
        results.append(
            report(
                "1. median + count vs numpy.nanmedian",
                ours_median,
                numpy_median,
                "nanmedian",
                ">= 8x faster",
                numpy_median / ours_median >= 8,
            )
        )

        quartiles = (25, 50, 75)
        ours_p, (pct, _) = timed(lambda: composite(stack, clear, "percentiles", quartiles, threads=threads), repeat)
        # nanpercentile runs a Python loop per pixel (minutes on a full stack). By default it is timed on the
        # whole stack, once; --percentile-rows times it on the first rows only and scales by rows (its cost
        # per pixel does not depend on the row), for a quicker look.
        rows = min(percentile_rows or size, size)
        numpy_part, expected_p = timed(lambda: np.nanpercentile(values[:, :, :rows], quartiles, axis=0))
        numpy_p = numpy_part * size / rows
        assert np.array_equal(np.moveaxis(pct, 1, 0)[:, :, :rows], expected_p, equal_nan=True)
        name = "2. p25/p50/p75 + count vs numpy.nanpercentile"
        if rows < size:
            name += f" (timed on {rows} of {size} rows, x {size / rows:g})"
        results.append(report(name, ours_p, numpy_p, "nanpercentile", ">= 100x faster", numpy_p / ours_p >= 100))

    floor, _ = timed(lambda: stack.sum(axis=0), repeat)
    results.append(
        report(
            "3. median + count vs one pass (stack.sum over time)",
            ours_median,
            floor,
            "sum",
            "<= 25x of the floor",
            ours_median <= 25 * floor,
            "of the floor",
        )
    )
    print("    (ours equals numpy's results exactly in cases 1 and 2)")
    return results


def write_disk_stack(
    folder: Path, scenes: int, size: int, dtype: str = "uint16", band_names: tuple = BAND_NAMES
) -> int:
    """Write ``scenes`` GeoTIFF scenes unless present: ``band_names`` reflectance bands of ``dtype`` (DN 200..4000)
    + QA band ``cs``, uint16 scaled 1e-4 (read back as 0..1) or, for float32 scenes, float32 0..1. 512 px internal
    tiles, uncompressed.

    Returns the total size in bytes. Written row-strip by row-strip, so this process stays small too.
    """
    import rasterio
    from rasterio.transform import from_origin

    marker = folder / "complete.json"
    wanted = dict(scenes=scenes, size=size)
    if dtype != "uint16" or band_names != BAND_NAMES:
        wanted.update(dtype=dtype, bands=list(band_names))
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return sum(p.stat().st_size for p in folder.glob("*.tif"))
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.tif"):
        old.unlink()
    rng = np.random.default_rng(2)
    first = datetime(2021, 4, 1, 10, 0, tzinfo=timezone.utc)
    strip = 512
    for index in range(scenes):
        when = first + timedelta(days=5 * index)
        stamp = when.strftime("%Y%m%dT%H%M%S")
        profile = dict(
            driver="GTiff",
            width=size,
            height=size,
            count=len(band_names) + 1,
            dtype=dtype,
            crs="EPSG:32633",
            transform=from_origin(500000, 5100000, 10, 10),
            tiled=True,
            blockxsize=512,
            blockysize=512,
            BIGTIFF="IF_SAFER",
        )
        with rasterio.open(folder / f"{stamp}_{stamp}_T33TVL.tif", "w", **profile) as dst:
            for band, name in enumerate(band_names + ("cs",), start=1):
                dst.set_band_description(band, name)
            qa_scale = QA_SCALE if dtype == "uint16" else 1.0
            dst.scales = (1.0,) * len(band_names) + (qa_scale,)
            dst.update_tags(ACQUISITION_TIME=when.isoformat())
            scores = cloud_scores(rng, size, size)
            for row in range(0, size, strip):
                rows = min(strip, size - row)
                window = rasterio.windows.Window(0, row, size, rows)
                reflectance = rng.integers(200, 4000, size=(len(band_names), rows, size), dtype=np.uint16)
                dst.write(reflectance.astype(dtype), indexes=list(range(1, len(band_names) + 1)), window=window)
                qa = scores[row : row + rows] if dtype != "uint16" else np.rint(scores[row : row + rows] / QA_SCALE)
                dst.write(qa.astype(dtype), indexes=len(band_names) + 1, window=window)
        print(f"    wrote scene {index + 1}/{scenes}", flush=True)
    marker.write_text(json.dumps(wanted))
    return sum(p.stat().st_size for p in folder.glob("*.tif"))


def disk_worker(folder: str, output: str) -> None:
    """Child process: composite the disk stack with the real pipeline, print seconds and peak RSS as JSON."""
    from cloudscore_composite.plugin.core.folder_source import FolderSource
    from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite

    request = CompositeRequest(start=date(2021, 1, 1), end=date(2022, 1, 1), qa_band="cs", output=output)
    seconds, result = timed(lambda: run_composite(request, FolderSource(folder)))
    print(
        json.dumps(
            dict(
                seconds=seconds,
                peak_rss_mb=peak_resident_mb(),
                scenes=len(result.plan.scenes),
                clear_fraction=result.clear_fraction,
            )
        )
    )


def peak_resident_mb() -> float:
    """This process's peak resident memory in MB: VmHWM from /proc/self/status on Linux, else getrusage.

    (Linux carries ``ru_maxrss`` over an exec from the forking parent, so getrusage in a child started by a
    large parent reports the parent's peak; VmHWM belongs to the new process image only.)
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux, bytes on macOS


def disk_case(workdir: Path, scenes: int, size: int) -> dict:
    folder = workdir / f"stack_{scenes}x{size}"
    print(f"Disk stack: {scenes} scenes x {len(BAND_NAMES)} bands (+ QA band) x {size} x {size} px uint16 in {folder}")
    total = write_disk_stack(folder, scenes, size)
    output = workdir / "disk_composite.tif"
    child = subprocess.run(
        [sys.executable, __file__, "--disk-worker", str(folder), str(output)],
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    ok = total > 3 * 2**30 and measured["peak_rss_mb"] < 1024
    print(
        f"4. {total / 2**30:.2f} GiB on disk composited to {output.name} (median + count)\n"
        f"    time {measured['seconds']:.1f} s   peak resident memory {measured['peak_rss_mb']:.0f} MB   "
        f"target > 3 GiB on disk, < 1024 MiB resident: {'PASS' if ok else 'FAIL'}"
    )
    output.unlink(missing_ok=True)
    return dict(
        case="4. disk stack",
        gigabytes=round(total / 2**30, 2),
        seconds=round(measured["seconds"], 1),
        peak_rss_mb=round(measured["peak_rss_mb"]),
        passed=ok,
    )


WHOLE_PROCESS_STACKS = (
    # case, scenes, reflectance bands, side in pixels, target (ours / floor)
    ("5.", 24, ("B2", "B3", "B4"), 1024, 1.3),
    ("6.", 24, ("B2", "B3", "B4", "B8"), 4096, 1.8),
)
WHOLE_PROCESS_MEMORY_MB = 1024


def measure_command(command: list) -> dict:
    """Run ``command`` as the child of a small launcher process (``--measure``): its wall time in seconds and its
    peak resident memory in MB (``ru_maxrss`` of that child alone, from ``wait4``).

    Raises:
        RuntimeError: the command failed (its output's tail in the message).
    """
    run = subprocess.run([sys.executable, __file__, "--measure", *command], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} ... failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def measure_worker(command: list) -> int:
    """Launcher process: run ``command``, print its seconds and peak resident MB as JSON; its exit status."""
    import tempfile

    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            output.seek(0)
            sys.stdout.write(output.read().decode(errors="replace")[-3000:])
            return 1
    print(json.dumps(dict(seconds=seconds, peak_rss_mb=usage.ru_maxrss / 1024)))  # kB on Linux
    return 0


def read_worker(folder: str) -> None:
    """Child process: read every band of every GeoTIFF of ``folder`` once with rasterio (the I/O floor); prints the
    seconds the reads took as JSON."""
    import rasterio

    paths = sorted(Path(folder).glob("*.tif"))
    start = time.perf_counter()
    for path in paths:
        with rasterio.open(path) as src:
            src.read()
    print(json.dumps(dict(seconds=time.perf_counter() - start, files=len(paths))))


def whole_process_cases(workdir: Path, qgis_process: str, repeat: int) -> list:
    """Cases 5 and 6: ``qgis_process`` compositing a float32 stack against QGIS's start-up + one read of the stack,
    each the best of ``repeat`` runs, interleaved so that all three meet the same load."""
    results = []
    for case, scenes, bands, size, target in WHOLE_PROCESS_STACKS:
        folder = workdir / f"stack_{scenes}x{len(bands) + 1}x{size}_float32"
        print(
            f"{case} Whole process: {scenes} scenes x {len(bands) + 1} bands x {size} x {size} px float32 in {folder}",
            flush=True,
        )
        total = write_disk_stack(folder, scenes, size, "float32", bands)
        output = workdir / f"whole_process_{size}.tif"
        composite_command = [qgis_process, "--json", "run", "cloudscore:compositefolder", "--"] + [
            f"{key}={value}"
            for key, value in dict(
                INPUT=folder, START_DATE="2021-01-01", END_DATE="2022-01-01", QA_BAND="cs", OUTPUT=output
            ).items()
        ]
        read_command = [sys.executable, __file__, "--read-worker", str(folder)]
        json.loads(subprocess.run(read_command, capture_output=True, text=True, check=True).stdout)  # page cache
        best = dict(startup=float("inf"), read=float("inf"), ours=float("inf"))
        peak = 0.0
        for _ in range(repeat):
            read = subprocess.run(read_command, capture_output=True, text=True, check=True)
            best["read"] = min(best["read"], json.loads(read.stdout.strip().splitlines()[-1])["seconds"])
            startup = measure_command([qgis_process, "help", "cloudscore:compositefolder"])
            best["startup"] = min(best["startup"], startup["seconds"])
            ours = measure_command(composite_command)
            if ours["seconds"] < best["ours"]:
                best["ours"], peak = ours["seconds"], ours["peak_rss_mb"]
            output.unlink(missing_ok=True)
        floor = best["startup"] + best["read"]
        ratio = best["ours"] / floor
        ok = ratio <= target and peak < WHOLE_PROCESS_MEMORY_MB
        print(
            f"    qgis_process {best['ours']:.2f} s   floor {floor:.2f} s (start-up {best['startup']:.2f} s + read "
            f"{best['read']:.2f} s of {total / 2**30:.2f} GiB)   ours {ratio:.2f}x the floor   peak resident memory "
            f"{peak:.0f} MB\n    target <= {target}x the floor, < {WHOLE_PROCESS_MEMORY_MB} MB: "
            f"{'PASS' if ok else 'FAIL'} (best of {repeat})",
            flush=True,
        )
        results.append(
            dict(
                case=f"{case} whole process {scenes}x{len(bands) + 1}x{size} float32",
                gigabytes=round(total / 2**30, 2),
                ours_s=round(best["ours"], 2),
                startup_s=round(best["startup"], 2),
                read_s=round(best["read"], 2),
                floor_s=round(floor, 2),
                ratio=round(ratio, 2),
                target=f"<= {target}x the floor",
                peak_rss_mb=round(peak),
                passed=ok,
            )
        )
    return results


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GB RAM, Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenes", type=int, default=24)
    parser.add_argument("--bands", type=int, default=4)
    parser.add_argument("--size", type=int, default=1024, help="side of the in-memory stack in pixels")
    parser.add_argument(
        "--percentile-rows",
        type=int,
        default=0,
        help="time nanpercentile on this many rows and scale to the stack (default 0: all rows)",
    )
    parser.add_argument("--disk-size", type=int, default=4096, help="side of the on-disk scenes in pixels")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the best is kept (nanpercentile: 1)")
    parser.add_argument("--skip-disk", action="store_true", help="leave out case 4 (it writes 4 GB)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--skip-qgis", action="store_true", help="leave out cases 5 and 6 (qgis_process; 8.4 GB)")
    parser.add_argument("--only-qgis", action="store_true", help="run cases 5 and 6 only")
    parser.add_argument("--qgis-process", default=str(ROOT / "scripts" / "qgis_process.sh"))
    parser.add_argument("--whole-repeat", type=int, default=3, help="runs per whole-process timing; the best is kept")
    parser.add_argument("--disk-worker", nargs=2, metavar=("FOLDER", "OUTPUT"), help=argparse.SUPPRESS)
    parser.add_argument("--read-worker", metavar="FOLDER", help=argparse.SUPPRESS)
    if sys.argv[1:2] == ["--measure"]:  # the launcher: everything after it is the command
        return measure_worker(sys.argv[2:])
    arguments = parser.parse_args()
    if arguments.disk_worker:
        disk_worker(*arguments.disk_worker)
        return 0
    if arguments.read_worker:
        read_worker(arguments.read_worker)
        return 0
    print(f"Machine: {machine()}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} at the start")
    results = []
    if not arguments.only_qgis:
        results += in_memory_cases(
            arguments.scenes,
            arguments.bands,
            arguments.size,
            os.cpu_count() or 1,
            arguments.percentile_rows,
            arguments.repeat,
        )
    if not arguments.skip_disk and not arguments.only_qgis:
        arguments.workdir.mkdir(parents=True, exist_ok=True)
        results.append(disk_case(arguments.workdir, arguments.scenes, arguments.disk_size))
    if not arguments.skip_qgis:
        arguments.workdir.mkdir(parents=True, exist_ok=True)
        results += whole_process_cases(arguments.workdir, arguments.qgis_process, arguments.whole_repeat)
    print(f"Load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} at the end (1, 5, 15 min)")
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(dict(machine=machine(), results=results), indent=2))
    return 0 if all(r["passed"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
