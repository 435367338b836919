"""The fake Earth Engine's batch export and Cloud Storage, checked against what Google's own client sends (the
recorded request bodies of tests/data/earthengine/export_<method>.json) and the REST references, never against
the plugin's client: the official body is accepted and exported on its grid, equal to computePixels of the same
expression; the task moves PENDING -> RUNNING -> SUCCEEDED; the bucket serves the files by prefix and by range."""

import json
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
import requests
from rasterio.io import MemoryFile

from ...fake_earthengine import TOKEN, FakeEarthEngine

REFERENCES = Path(__file__).resolve().parents[2] / "data" / "earthengine"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def fake():
    with FakeEarthEngine() as server:
        yield server


def reference(method="median"):
    return json.loads((REFERENCES / f"export_{method}.json").read_text())


def start(fake, body, project="my-project"):
    return requests.post(f"{fake.url}/v1/projects/{project}/image:export", json=body, headers=AUTH, timeout=60)


def poll(fake, name):
    return requests.get(f"{fake.url}/v1/{name}", headers=AUTH, timeout=30).json()


def geotiff(content):
    with MemoryFile(content) as memory, memory.open() as dataset:
        return dataset.read(), dataset.transform, dataset.crs, list(dataset.descriptions)


@pytest.mark.parametrize("method", ["median", "percentiles"])
def test_the_official_clients_export_runs_on_its_grid(fake, method):
    document = reference(method)
    fake.export_file_side = 64
    answer = start(fake, document["body"])
    assert answer.status_code == 200, answer.text
    operation = answer.json()
    assert operation["name"].startswith("projects/my-project/operations/") and operation["done"] is False
    assert operation["metadata"]["state"] == "PENDING" and operation["metadata"]["type"] == "EXPORT_IMAGE"
    states = []
    while not operation["done"]:
        operation = poll(fake, operation["name"])
        states.append((operation["metadata"]["state"], operation["metadata"].get("progress")))
    assert states == [("PENDING", None), ("RUNNING", 0.25), ("RUNNING", 0.5), ("RUNNING", 0.75), ("SUCCEEDED", 1.0)]
    assert "error" not in operation
    prefix = document["export"]["fileNamePrefix"]
    names = fake.object_names(document["export"]["bucket"])
    assert names == [f"{prefix}-{r:010d}-{c:010d}.tif" for r in (0, 64) for c in (0, 64)]
    # stitched, the files equal computePixels of the same image on the same grid
    export = document["export"]
    width, height = (int(v) for v in export["dimensions"].split("x"))
    t = export["crsTransform"]
    grid = {
        "dimensions": {"width": width, "height": height},
        "crsCode": export["crs"],
        "affineTransform": dict(zip(("scaleX", "shearX", "translateX", "shearY", "scaleY", "translateY"), t)),
    }
    recipe = json.loads((REFERENCES / f"recipe_{method}.json").read_text())["expression"]
    computed = requests.post(
        f"{fake.url}/v1/projects/my-project/image:computePixels",
        headers=AUTH,
        timeout=60,
        json={"expression": recipe, "fileFormat": "GEO_TIFF", "grid": grid},
    )
    expected, transform, crs, descriptions = geotiff(computed.content)
    stitched = np.zeros_like(expected)
    for name in names:
        data, part, part_crs, part_names = geotiff(fake.buckets[export["bucket"]][name].data)
        col, row = ~transform * (part.c, part.f)
        stitched[:, round(row) : round(row) + data.shape[1], round(col) : round(col) + data.shape[2]] = data
        assert part_crs == crs and part_names == descriptions
    assert np.array_equal(stitched, expected) and (expected[-1] > 0).any()


def test_a_repeated_request_id_answers_the_same_task(fake):
    body = reference()["body"]
    first, second = start(fake, body).json(), start(fake, body).json()
    assert first["name"] == second["name"] and len(fake.operations) == 1
    fake.duplicate_conflict = True
    conflict = start(fake, body)
    assert conflict.status_code == 409 and conflict.json()["error"]["status"] == "ALREADY_EXISTS"
    listed = requests.get(
        f"{fake.url}/v1/projects/my-project/operations", params={"pageSize": 500}, headers=AUTH, timeout=30
    ).json()
    assert [o["name"] for o in listed["operations"]] == [first["name"]]
    assert listed["operations"][0]["metadata"]["description"] == body["description"]


def test_cancel_ends_the_task_cancelled(fake):
    operation = start(fake, reference()["body"]).json()
    cancel = requests.post(f"{fake.url}/v1/{operation['name']}:cancel", json={}, headers=AUTH, timeout=30)
    assert cancel.status_code == 200 and cancel.json() == {}
    operation = poll(fake, operation["name"])
    assert operation["done"] and operation["metadata"]["state"] == "CANCELLED" and operation["error"]["code"] == 1
    again = requests.post(f"{fake.url}/v1/{operation['name']}:cancel", json={}, headers=AUTH, timeout=30)
    assert again.status_code == 400
    assert fake.object_names(reference()["export"]["bucket"]) == []


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda b: b.update(unknownField=1), "Unknown name"),
        (lambda b: b.pop("fileExportOptions"), "fileExportOptions"),
        (lambda b: b["fileExportOptions"].update(fileFormat="TF_RECORD_IMAGE"), "GEO_TIFF"),
        (lambda b: b["fileExportOptions"]["cloudStorageDestination"].pop("bucket"), "bucket"),
        (lambda b: b.update(maxPixels={"value": 10100}), "Int64Value"),
        (lambda b: b.update(requestId="not allowed!"), "requestId"),
        (lambda b: b["expression"].update(result="1"), "no grid"),
    ],
)
def test_bad_export_requests_are_refused(fake, change, words):
    body = reference()["body"]
    change(body)
    answer = start(fake, body)
    assert answer.status_code == 400 and words in answer.json()["error"]["message"]


def test_an_export_over_max_pixels_fails(fake):
    body = dict(reference()["body"], maxPixels={"value": "100"})
    operation = start(fake, body).json()
    while not operation["done"]:
        operation = poll(fake, operation["name"])
    assert operation["metadata"]["state"] == "FAILED"
    assert operation["error"]["message"] == "Too many pixels in the region. Found 10100, but maxPixels allows only 100."


def test_cloud_storage_lists_by_prefix_pages_and_serves_ranges(fake):
    for name in ("a/x-1.tif", "a/x-2.tif", "a/y.tif", "b/x.tif"):
        fake.put_object("bkt", name, name.encode() * 10)
    fake.storage_page_size = 1
    url = f"{fake.url}/storage/v1/b/bkt/o"
    page = requests.get(url, params={"prefix": "a/x"}, headers=AUTH, timeout=30).json()
    assert [i["name"] for i in page["items"]] == ["a/x-1.tif"] and page["nextPageToken"]
    page = requests.get(
        url, params={"prefix": "a/x", "pageToken": page["nextPageToken"]}, headers=AUTH, timeout=30
    ).json()
    assert [i["name"] for i in page["items"]] == ["a/x-2.tif"] and "nextPageToken" not in page
    item = page["items"][0]
    assert item["size"] == str(len(b"a/x-2.tif" * 10)) and item["md5Hash"] and item["generation"]
    media = f"{url}/{quote('a/x-2.tif', safe='')}"
    whole = requests.get(media, params={"alt": "media"}, headers=AUTH, timeout=30)
    assert whole.status_code == 200 and whole.content == b"a/x-2.tif" * 10
    part = requests.get(media, params={"alt": "media"}, headers=dict(AUTH, Range="bytes=5-"), timeout=30)
    assert part.status_code == 206 and part.content == whole.content[5:]
    assert part.headers["Content-Range"] == f"bytes 5-{len(whole.content) - 1}/{len(whole.content)}"
    past = requests.get(media, params={"alt": "media"}, headers=dict(AUTH, Range="bytes=999-"), timeout=30)
    assert past.status_code == 416
    assert requests.get(f"{fake.url}/storage/v1/b/none/o", headers=AUTH, timeout=30).status_code == 404
    assert requests.get(url, timeout=30).status_code == 401
