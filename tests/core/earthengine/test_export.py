"""Composites exported by an Earth Engine batch task to Cloud Storage, against the local fake (127.0.0.1): the
request body as Google's client sends it, the task's life (polled, cancelled, resumed, failed), the download of its
files (paged listing, Range resume, MD5) and the stitched output, equal to the servers' composite."""

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from cloudscore_composite.plugin.core.earthengine.auth import StaticToken
from cloudscore_composite.plugin.core.earthengine.errors import EarthEngineError
from cloudscore_composite.plugin.core.earthengine.export import (
    LIST_PAGE_SIZE,
    ExportRecord,
    PollPolicy,
    ShardComposite,
    export_body,
    export_expression,
    file_prefix,
    files_folder,
    request_id,
    shard_offsets,
)
from cloudscore_composite.plugin.core.earthengine.expression import composite_expression
from cloudscore_composite.plugin.core.earthengine.storage import (
    STORAGE_URL_ENV,
    StorageClient,
    StorageError,
    StorageObject,
    storage_url,
)
from cloudscore_composite.plugin.core.engines import EXPORT, SERVERS, check_bucket
from cloudscore_composite.plugin.core.errors import Cancelled, InputError
from cloudscore_composite.plugin.core.grid import Grid
from cloudscore_composite.plugin.core.pipeline import run_composite, start_export
from rasterio.crs import CRS

from ...fake_earthengine import TOKEN
from ..demo_reference import CLOUDY_SCENE
from .test_expression import expand
from .test_server_composite import reference, request

REFERENCES = Path(__file__).resolve().parents[2] / "data" / "earthengine"
BUCKET = "my-bucket"


def exported(tmp_path, grid, name="out.tif", **changes):
    """The test request, exported to ``BUCKET``."""
    return request(tmp_path, grid, name, engine=EXPORT, bucket=BUCKET, **changes)


@pytest.fixture
def polls():
    """The waits between two polls of a task, in seconds (nothing really sleeps)."""
    return []


@pytest.fixture
def export_source(make_source, server, polls):
    """``export_source(**changes)``: the fake's Earth Engine source with its Cloud Storage on the fake too and a
    poll policy that records its waits; exports split into 64-px files (4 for the 100 x 101 demo grid)."""
    server.export_file_side = 64

    def make(**changes):
        return make_source(storage_url=server.url, poll=PollPolicy(sleep=polls.append, step=math.inf), **changes)

    return make


def read(path):
    with rasterio.open(path) as src:
        return src.read(), src.tags(), list(src.descriptions), src.dtypes[0], src.nodata


def hidden_beside(path: Path):
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f".{path.name}"))


# --- the wire format -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["median", "percentiles"])
def test_the_export_body_equals_the_official_clients(method):
    reference_ = json.loads((REFERENCES / f"export_{method}.json").read_text())
    p, export = reference_["parameters"], reference_["export"]
    expression = composite_expression(
        p["collection"],
        {"type": "Polygon", "coordinates": [p["ring"]]},
        date.fromisoformat(p["start"]),
        date.fromisoformat(p["end"]),
        p["scene_ids"],
        p["qa_band"],
        p["threshold"],
        p["bands"],
        method,
        p["percentiles"],
    )
    width, height = (int(v) for v in export["dimensions"].split("x"))
    grid = Grid(CRS.from_string(export["crs"]), Affine(*export["crsTransform"]), width, height)
    assert width * height == export["maxPixels"]  # the reference asked for exactly the grid's pixels
    ours = export_body(
        expression, grid, export["bucket"], export["fileNamePrefix"], export["description"], export["request_id"]
    )
    theirs = reference_["body"]
    assert set(ours) == set(theirs)
    assert {k: v for k, v in ours.items() if k != "expression"} == {
        k: v for k, v in theirs.items() if k != "expression"
    }
    assert expand(ours["expression"]) == expand(theirs["expression"])
    json.dumps(ours)
    # The client retries the start because it carries a request id; it polls, cancels and lists these paths.
    assert reference_["num_retries"] == 5 and reference_["project"] == "projects/my-project"
    assert reference_["status_call"] == {"name": "projects/my-project/operations/OPERATION-ID"}
    assert reference_["cancel_call"] == {"name": "projects/my-project/operations/OPERATION-ID", "body": {}}
    assert reference_["list_call"] == {"name": "projects/my-project", "pageSize": LIST_PAGE_SIZE}


def test_names_of_the_request_and_its_files():
    assert request_id("a" * 24, 3) == "cloudscore-" + "a" * 24 + "-3" and len(request_id("a" * 24, 999)) <= 60
    assert file_prefix("k", 2) == "cloudscore_composite/k_2"
    assert shard_offsets("p/k_0.tif", "p/k_0") == (0, 0)
    assert shard_offsets("p/k_0-0000000256-0000000512.tif", "p/k_0") == (256, 512)
    assert shard_offsets("p/k_01.tif", "p/k_0") is None and shard_offsets("p/k_0-1-2.tif", "p/k_0") is None
    assert shard_offsets("q/k_0.tif", "p/k_0") is None


@pytest.mark.parametrize("name, expected", [("my-bucket", "my-bucket"), ("gs://my.bucket_1/", "my.bucket_1")])
def test_bucket_names(name, expected):
    assert check_bucket(name) == expected


@pytest.mark.parametrize(
    "name, words",
    [
        ("", "needs a bucket"),
        ("  ", "needs a bucket"),
        ("My-Bucket", "lower-case"),
        ("ab", "3..63"),
        ("a" * 64, "3..63"),
        ("-ab", "lower-case"),
        ("192.168.1.1", "IP address"),
        ("my-google-bucket", "google"),
        ("bucket/folder", "no '/'"),
    ],
)
def test_bad_bucket_names_are_refused(name, words):
    with pytest.raises(InputError, match=words) as error:
        check_bucket(name)
    assert error.value.field == "BUCKET"


def test_an_export_without_a_bucket_is_refused_before_any_request(export_source, demo_grid, server, tmp_path):
    with pytest.raises(InputError, match="BUCKET: the export to Cloud Storage"):
        run_composite(request(tmp_path, demo_grid, engine=EXPORT), export_source())
    assert server.log == []


def test_the_storage_root_is_https_or_loopback():
    assert storage_url(environ={}) == "https://storage.googleapis.com"
    assert storage_url(environ={STORAGE_URL_ENV: "http://127.0.0.1:8080/"}) == "http://127.0.0.1:8080"
    with pytest.raises(InputError, match="must start with https://") as error:
        storage_url(environ={STORAGE_URL_ENV: "http://storage.example.com"})
    assert error.value.field == STORAGE_URL_ENV


# --- a whole export ------------------------------------------------------------------------------------------


def test_an_export_equals_the_servers_composite_stitched_from_shards(export_source, demo_grid, server, polls, tmp_path):
    stages, progress = [], []
    result = run_composite(
        exported(tmp_path, demo_grid), export_source(), progress=progress.append, stage=stages.append
    )
    servers = run_composite(request(tmp_path, demo_grid, "servers.tif", engine=SERVERS), export_source())
    data, tags, names, dtype, nodata = read(result.output)
    servers_data, servers_tags, servers_names, servers_dtype, _ = read(servers.output)
    assert np.array_equal(data, servers_data) and names == servers_names and dtype == servers_dtype == "uint16"
    expected, count = reference("median")
    assert np.array_equal(data[:-1], expected) and np.array_equal(data[-1], count) and nodata == 0
    assert tags["CLOUDSCORE_ENGINE"] == "export" and servers_tags["CLOUDSCORE_ENGINE"] == SERVERS
    assert tags["CLOUDSCORE_CLEAR_FRACTION"] == servers_tags["CLOUDSCORE_CLEAR_FRACTION"]
    assert result.plan.engine == EXPORT and result.clear_fraction == pytest.approx(servers.clear_fraction)
    # four files in the bucket, each downloaded once; the task went PENDING -> RUNNING -> SUCCEEDED
    files = server.object_names(BUCKET)
    assert len(files) == 4 and all(shard_offsets(f, files[0][:-26]) for f in files)
    assert server.count("storageMedia") == 4 and server.count("export") == 1
    assert [s for s in stages if s.startswith("export")] == [
        "export PENDING",
        "export PENDING",
        "export RUNNING 25%",
        "export RUNNING 50%",
        "export RUNNING 75%",
        "export SUCCEEDED",
    ]
    assert "download 4/4" in stages and stages[-1].startswith("composite block")
    assert progress == sorted(progress) and len(set(progress)) >= 6 and progress[-1] == 100
    assert polls == [5.0, 7.5, 11.25, 16.875, 25.3125]  # a growing interval between the five polls
    body = server.requests_of("export")[0]
    assert body["fileExportOptions"]["cloudStorageDestination"]["bucket"] == BUCKET
    assert body["requestId"].endswith("-0") and body["maxPixels"] == {"value": str(100 * 101)}
    assert hidden_beside(result.output) == []  # record and downloaded files removed once the output is written


def test_the_export_of_a_subset_with_a_clip_in_bytes(export_source, demo_grid, server, tmp_path):
    west = {
        "type": "Polygon",
        "coordinates": [
            [
                (demo_grid.bounds[0], demo_grid.bounds[1]),
                (demo_grid.bounds[0] + 500, demo_grid.bounds[1]),
                (demo_grid.bounds[0] + 500, demo_grid.bounds[3]),
                (demo_grid.bounds[0], demo_grid.bounds[3]),
                (demo_grid.bounds[0], demo_grid.bounds[1]),
            ]
        ],
    }
    chosen = exported(
        tmp_path, demo_grid, clip=[west], scale_to_byte=True, method="percentiles", excluded_scenes=[CLOUDY_SCENE]
    )
    result = run_composite(chosen, export_source())
    data, tags, names, dtype, _ = read(result.output)
    assert dtype == "uint8" and tags["CLOUDSCORE_BYTE_SCALE"] == "40" and names[:3] == ["B2_p25", "B2_p50", "B2_p75"]
    assert (data[:, :, 60:] == 0).all() and (data[-1, :, :40] > 0).any()
    assert CLOUDY_SCENE not in json.dumps(server.requests_of("export")[0])


def test_a_single_file_export(export_source, demo_grid, server, tmp_path):
    server.export_file_side = None  # small enough for one file: <prefix>.tif
    result = run_composite(exported(tmp_path, demo_grid), export_source())
    [name] = server.object_names(BUCKET)
    assert name.endswith("_0.tif")
    assert np.array_equal(read(result.output)[0][:-1], reference("median")[0])


# --- the task's life -----------------------------------------------------------------------------------------


def test_a_second_start_of_the_same_request_reuses_its_task(export_source, demo_grid, server, tmp_path):
    source = export_source()
    start_export(exported(tmp_path, demo_grid), source)
    record = ExportRecord.load(tmp_path / "out.tif")
    assert record.operation in server.operations and record.attempt == 0 and record.bucket == BUCKET
    start_export(exported(tmp_path, demo_grid), source)  # found again from the record: no new request
    assert server.count("export") == 1
    ExportRecord.path(tmp_path / "out.tif").unlink()  # the record lost: the request id finds the task
    start_export(exported(tmp_path, demo_grid), source)
    assert server.count("export") == 2 and len(server.operations) == 1
    result = run_composite(exported(tmp_path, demo_grid), source)  # waits for that task
    assert len(server.operations) == 1 and server.count("export") == 2
    assert np.array_equal(read(result.output)[0][:-1], reference("median")[0])


def test_a_request_id_answered_with_already_exists_is_found_in_the_listing(export_source, demo_grid, server, tmp_path):
    source = export_source()
    start_export(exported(tmp_path, demo_grid), source)
    ExportRecord.path(tmp_path / "out.tif").unlink()
    server.duplicate_conflict = True
    result = run_composite(exported(tmp_path, demo_grid), source)
    assert len(server.operations) == 1 and server.count("listOperations") == 1
    assert server.requests_of("listOperations")[0]["pageSize"] == str(LIST_PAGE_SIZE)
    assert result.output.exists()


def test_cancel_cancels_the_task_and_the_next_run_starts_a_new_one(export_source, demo_grid, server, tmp_path):
    stop = []

    def stage(text):
        if text == "export RUNNING 50%":
            stop.append(True)

    with pytest.raises(Cancelled):
        run_composite(exported(tmp_path, demo_grid), export_source(), is_canceled=lambda: bool(stop), stage=stage)
    [name] = server.operations
    assert server.count("cancel") == 1 and server.operation(name).cancelled
    assert not (tmp_path / "out.tif").exists()
    record = ExportRecord.load(tmp_path / "out.tif")
    assert record.attempt == 1 and record.operation is None
    result = run_composite(exported(tmp_path, demo_grid), export_source())
    assert len(server.operations) == 2 and server.requests_of("export")[-1]["requestId"].endswith("-1")
    assert np.array_equal(read(result.output)[0][:-1], reference("median")[0])


def test_a_run_stopped_without_cancelling_the_task_resumes_polling_it(export_source, demo_grid, server, tmp_path):
    # QGIS closing: the run stops, the task goes on, the next run finds it from the record beside the output.
    stop = []
    with pytest.raises(Cancelled):
        run_composite(
            exported(tmp_path, demo_grid),
            export_source(),
            is_canceled=lambda: bool(stop),
            stage=lambda text: stop.append(True) if text.startswith("export RUNNING") else None,
            cancel_remote=lambda: False,
        )
    assert server.count("cancel") == 0
    record = ExportRecord.load(tmp_path / "out.tif")
    assert record.operation in server.operations and hidden_beside(tmp_path / "out.tif") == [".out.tif.export.json"]
    stages = []
    result = run_composite(exported(tmp_path, demo_grid), export_source(), stage=stages.append)
    assert server.count("export") == 1 and len(server.operations) == 1
    assert "export RUNNING 50%" in stages and "export PENDING" not in stages
    assert result.output.exists() and hidden_beside(result.output) == []


def test_a_failed_task_shows_earth_engines_message_and_the_next_run_starts_anew(
    export_source, demo_grid, server, tmp_path
):
    server.export_outcome, server.export_message = "FAILED", "Computation timed out."
    with pytest.raises(EarthEngineError, match="export task .* failed: Computation timed out. Run again"):
        run_composite(exported(tmp_path, demo_grid), export_source())
    assert not (tmp_path / "out.tif").exists() and ExportRecord.load(tmp_path / "out.tif").attempt == 1
    server.export_outcome = "SUCCEEDED"
    result = run_composite(exported(tmp_path, demo_grid), export_source())
    assert len(server.operations) == 2 and result.output.exists()


def test_a_task_cancelled_elsewhere_is_reported(export_source, demo_grid, server, tmp_path):
    server.export_outcome, server.export_message = "CANCELLED", "Cancelled."
    with pytest.raises(EarthEngineError, match="was cancelled"):
        run_composite(exported(tmp_path, demo_grid), export_source())


def test_too_many_pixels_fail_the_task_with_earth_engines_message(export_source, demo_grid, server, tmp_path):
    from cloudscore_composite.plugin.core.earthengine import export as export_module

    original = export_module.export_body

    def smaller_limit(*args, **kwargs):
        body = original(*args, **kwargs)
        body["maxPixels"] = {"value": "100"}
        return body

    export_module.export_body = smaller_limit
    try:
        with pytest.raises(EarthEngineError, match="Too many pixels in the region. Found 10100"):
            run_composite(exported(tmp_path, demo_grid), export_source())
    finally:
        export_module.export_body = original


def test_a_succeeded_task_whose_files_are_gone_is_exported_again(export_source, demo_grid, server, tmp_path):
    first = run_composite(exported(tmp_path, demo_grid, "first.tif"), export_source())
    # another output of the same request: the request id finds the succeeded task and its files
    run_composite(exported(tmp_path, demo_grid, "second.tif"), export_source())
    assert len(server.operations) == 1
    server.buckets[BUCKET].clear()
    third = run_composite(exported(tmp_path, demo_grid, "third.tif"), export_source())
    assert len(server.operations) == 2
    assert np.array_equal(read(first.output)[0], read(third.output)[0])


# --- faults and the download ---------------------------------------------------------------------------------


def test_rate_limits_and_server_errors_are_retried(export_source, demo_grid, server, sleeps, tmp_path):
    server.add_fault("operation", status=503, times=2)
    server.add_fault("storageList", status=429, headers={"Retry-After": "3"})
    server.add_fault("storageMedia", status=500)
    server.add_fault("export", status=503)
    result = run_composite(exported(tmp_path, demo_grid), export_source())
    assert result.output.exists() and 3.0 in sleeps and len(sleeps) == 5
    assert len(server.operations) == 1  # the retried start carried its request id


def test_the_listing_is_paged(export_source, demo_grid, server, tmp_path):
    server.storage_page_size = 1
    result = run_composite(exported(tmp_path, demo_grid), export_source())
    assert server.count("storageList") == 4 and server.count("storageMedia") == 4
    assert [q.get("pageToken") for q in server.requests_of("storageList")] == [None, "1", "2", "3"]
    assert np.array_equal(read(result.output)[0][:-1], reference("median")[0])


def test_a_download_cut_short_resumes_with_a_range_request(export_source, demo_grid, server, tmp_path):
    server.add_fault("storageMedia", truncate=True)
    result = run_composite(exported(tmp_path, demo_grid), export_source())
    first, again = server.requests_of("storageMedia")[:2]
    assert "Range" not in first and again["Range"].startswith("bytes=") and again["Range"] != "bytes=0-"
    assert again["alt"] == "media" and again["generation"]
    assert np.array_equal(read(result.output)[0][:-1], reference("median")[0])


def test_a_corrupt_download_is_caught_by_its_md5_and_fetched_again(export_source, demo_grid, server, tmp_path):
    server.add_fault("storageMedia", garbage=True)
    result = run_composite(exported(tmp_path, demo_grid), export_source())
    ranges = [q.get("Range") for q in server.requests_of("storageMedia")]
    assert ranges[1] is not None and ranges[2] is None  # resumed after the short body, then from 0 after the MD5
    assert server.count("storageMedia") == 6
    assert np.array_equal(read(result.output)[0][:-1], reference("median")[0])


def test_a_run_cancelled_during_the_download_keeps_what_it_downloaded(export_source, demo_grid, server, tmp_path):
    stop = []
    with pytest.raises(Cancelled):
        run_composite(
            exported(tmp_path, demo_grid),
            export_source(),
            is_canceled=lambda: bool(stop),
            stage=lambda text: stop.append(True) if text == "download 3/4" else None,
        )
    assert server.count("cancel") == 0  # the task had succeeded: nothing to cancel
    assert len(list(files_folder(tmp_path / "out.tif").glob("*.tif"))) == 2
    result = run_composite(exported(tmp_path, demo_grid), export_source())
    assert server.count("storageMedia") == 4 and server.count("export") == 1
    assert np.array_equal(read(result.output)[0][:-1], reference("median")[0])


def test_refusals_of_cloud_storage_say_what_to_fix(export_source, demo_grid, server, tmp_path):
    server.add_fault("storageList", status=403, message="caller does not have storage.objects.list access")
    with pytest.raises(StorageError, match="Storage Object Viewer.*devstorage.read_only or cloud-platform"):
        run_composite(exported(tmp_path, demo_grid), export_source())
    client = StorageClient(StaticToken(TOKEN), server.url)
    with pytest.raises(StorageError, match="no such bucket or file.*'nowhere'"):
        client.list_objects("nowhere", "x")


def test_a_partial_file_from_an_earlier_run_is_resumed(server, tmp_path):
    data = bytes(range(256)) * 40
    server.put_object(BUCKET, "folder/file.tif", data)
    client = StorageClient(StaticToken(TOKEN), server.url)
    [obj] = client.list_objects(BUCKET, "folder/")
    assert obj == StorageObject(BUCKET, "folder/file.tif", len(data), obj.md5, obj.generation) and obj.md5
    target = tmp_path / "file.tif"
    (tmp_path / "file.tif.part").write_bytes(data[:1000])
    written = []
    client.download(obj, target, on_bytes=written.append)
    assert target.read_bytes() == data and sum(written) == len(data) - 1000
    assert server.requests_of("storageMedia")[-1]["Range"] == "bytes=1000-"
    assert not (tmp_path / "file.tif.part").exists()


# --- stitching -----------------------------------------------------------------------------------------------


def _tile(path, grid, col, row, width, height, bands=2, value=1):
    transform = grid.transform * Affine.translation(col, row)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=bands,
        dtype="uint16",
        crs=grid.crs,
        transform=transform,
    ) as dst:
        dst.write(np.full((bands, height, width), value, dtype="uint16"))
    return path


def test_files_must_tile_the_grid_exactly(tmp_path):
    grid = Grid(CRS.from_epsg(32633), Affine(10, 0, 400000, 0, -10, 5000000), 30, 20)
    a = _tile(tmp_path / "a.tif", grid, 0, 0, 16, 20, value=1)
    b = _tile(tmp_path / "b.tif", grid, 16, 0, 14, 20, value=2)
    stitched = ShardComposite([a, b], grid, 2)
    window = rasterio.windows.Window(10, 5, 12, 4)
    block = stitched.read(window)
    assert block.shape == (2, 4, 12) and (block[:, :, :6] == 1).all() and (block[:, :, 6:] == 2).all()
    with pytest.raises(EarthEngineError, match="do not tile"):
        ShardComposite([a], grid, 2)
    with pytest.raises(EarthEngineError, match="some twice"):
        ShardComposite([a, b, _tile(tmp_path / "c.tif", grid, 10, 0, 6, 20)], grid, 2)
    with pytest.raises(EarthEngineError, match="is not a part"):
        ShardComposite([a, _tile(tmp_path / "d.tif", grid, 16, 0, 14, 20, bands=3)], grid, 2)
    shifted = Grid(grid.crs, grid.transform * Affine.translation(0.5, 0), 30, 20)
    with pytest.raises(EarthEngineError, match="is not a part"):
        ShardComposite([a, _tile(tmp_path / "e.tif", shifted, 16, 0, 14, 20)], grid, 2)


def test_poll_waits_are_cancelled_within_a_step():
    slept = []
    policy = PollPolicy(first=1.0, factor=2.0, longest=3.0, sleep=slept.append, step=0.25)
    delays = policy.delays()
    assert [next(delays) for _ in range(4)] == [1.0, 2.0, 3.0, 3.0]
    policy.wait(1.0)
    assert slept == [0.25] * 4
    with pytest.raises(Cancelled):
        policy.wait(10.0, should_stop=lambda: len(slept) >= 6)
    assert len(slept) == 6


def test_the_export_expression_wraps_the_grid_as_the_client_does(demo_grid):
    inner = {"result": "0", "values": {"0": {"constantValue": 1}}}
    wrapped = export_expression(inner, demo_grid)
    top = wrapped["values"][wrapped["result"]]["functionInvocationValue"]
    assert top["functionName"] == "Image.clipToBoundsAndScale"
    reproject = wrapped["values"][top["arguments"]["input"]["valueReference"]]["functionInvocationValue"]
    assert reproject["functionName"] == "Image.reproject"
    assert reproject["arguments"]["crs"]["functionInvocationValue"]["arguments"]["crs"] == {
        "constantValue": "EPSG:32633"
    }
    assert reproject["arguments"]["image"] == {"constantValue": 1}
    odd = Grid(
        CRS.from_wkt(demo_grid.crs.to_wkt().replace("WGS 84 / UTM zone 33N", "custom")), demo_grid.transform, 10, 10
    )
    if odd.crs.to_epsg(100) is None:
        crs = export_expression(inner, odd)["values"]["1"]["functionInvocationValue"]["arguments"]["crs"]
        assert crs["functionInvocationValue"]["arguments"]["crs"]["constantValue"].startswith(("PROJCS", "PROJCRS"))


def test_cancel_export_stops_a_started_task_but_keeps_a_finished_one(export_source, demo_grid, server, tmp_path):
    # seasonalcomposites starts every season's task first; a cancel then stops those not finished.
    source = export_source()
    waiting = exported(tmp_path, demo_grid, "waiting.tif")
    start_export(waiting, source)
    source.cancel_export(waiting)
    [name] = server.operations
    assert server.count("cancel") == 1 and server.operation(name).cancelled
    assert not ExportRecord.path(tmp_path / "waiting.tif").exists()
    source.cancel_export(waiting)  # nothing recorded any more: nothing to do
    assert server.count("cancel") == 1

    done = exported(tmp_path, demo_grid, "done.tif", method="mean")
    start_export(done, source)
    record = ExportRecord.load(tmp_path / "done.tif")
    while not server.operation(record.operation).written:
        server.poll_operation(record.operation)
    source.cancel_export(done)
    assert server.count("cancel") == 1 and ExportRecord.load(tmp_path / "done.tif") == record
    result = run_composite(done, source)  # downloads the finished task's files, no new task
    assert result.output.exists() and len(server.operations) == 2
