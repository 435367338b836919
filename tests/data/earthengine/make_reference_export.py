"""Write the reference batch-export requests of the Cloud Score+ recipe, as Google's own client sends them.

Run by hand, never by the tests (they only read the JSON it writes), in a virtual environment with the official
client: ``pip install earthengine-api==1.7.50``, then
``python tests/data/earthengine/make_reference_export.py ../shared/data/earthengine-api/algorithms.json``.

The client is initialised offline from the recorded ``algorithms.list`` answer (as make_reference_expressions.py
does), and its Cloud API resource is replaced by a recorder: ``ee.batch.Export.image.toCloudStorage(...).start()``
goes through ``ee.data.exportImage`` -> ``_prepare_and_run_export`` -> ``_get_cloud_projects().image().export(
project=..., body=...)``; the recorder keeps the ``project`` and ``body`` instead of sending them, so nothing
touches the network. ``Task.status()`` and ``Task.cancel()`` are recorded the same way (``operations().get(name)``,
``operations().cancel(name, body)``), and so is ``ee.data.listOperations()`` (``operations().list(pageSize, name)``),
giving the operation paths the plugin polls, cancels and lists.

Each file ``export_<method>.json`` holds ``{"client", "method", "parameters", "export", "project", "body",
"status_call", "cancel_call", "list_call"}``: the recipe's inputs (those of make_reference_expressions.py), the export
parameters given to ``toCloudStorage`` (``export``) and what the client sent.
"""

import copy
import json
import sys
from pathlib import Path

import ee

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_reference_expressions import PARAMETERS, initialise_offline, recipe

HERE = Path(__file__).resolve().parent
OPERATION = "projects/my-project/operations/OPERATION-ID"
EXPORT = {
    # The demo scenes' own grid (EPSG:32633, resources/demo): crs, crsTransform (xScale, xShearing, xTranslation,
    # yShearing, yScale, yTranslation) and "WIDTHxHEIGHT" dimensions: the client turns these into an exact
    # rectangle of that lattice (python/ee/image.py _apply_crs_and_affine).
    "crs": "EPSG:32633",
    "crsTransform": [9.99479222007154, 0.0, 465181.0522318204, 0.0, -9.997448467363668, 5080254.63349641],
    "dimensions": "100x101",
    "description": "cloudscore_composite",
    "bucket": "my-bucket",
    "fileNamePrefix": "cloudscore/composite_0123456789abcdef01234567",
    "maxPixels": 10100,
    "formatOptions": {"cloudOptimized": True},
    "request_id": "cloudscore-0123456789abcdef01234567",
}


class _Call:
    def __init__(self, calls, kind, arguments):
        self.calls, self.kind, self.arguments = calls, kind, arguments

    def execute(self, num_retries=0):
        self.calls.append({"kind": self.kind, "num_retries": num_retries, **self.arguments})
        if self.kind == "export":
            return {"name": OPERATION, "metadata": {"state": "PENDING"}}
        if self.kind == "get":
            return {"name": OPERATION, "done": False, "metadata": {"state": "RUNNING", "progress": 0.5}}
        if self.kind == "list":
            return {"operations": []}
        return {}


class _Recorder:
    """Stands in for ``ee.data._get_cloud_projects()``: records ``image().export``, ``operations().get`` and
    ``operations().cancel`` instead of sending them."""

    def __init__(self):
        self.calls = []

    def image(self):
        return self

    def operations(self):
        return self

    def export(self, **arguments):
        return _Call(self.calls, "export", arguments)

    def get(self, **arguments):
        return _Call(self.calls, "get", arguments)

    def cancel(self, **arguments):
        return _Call(self.calls, "cancel", arguments)

    def list(self, **arguments):
        return _Call(self.calls, "list", arguments)

    def list_next(self, request, response):
        return None  # one page


def main(algorithms_json: str) -> None:
    initialise_offline(algorithms_json)
    recorder = _Recorder()
    ee.data._get_cloud_projects = lambda: recorder
    ee.data._execute_cloud_call = lambda call, num_retries=0: call.execute(num_retries)
    for method in ("median", "percentiles"):
        recorder.calls.clear()
        # A deep copy: the client pops what it uses out of formatOptions (batch.py _build_image_file_export_options)
        options = copy.deepcopy({k: v for k, v in EXPORT.items() if k != "request_id"})
        task = ee.batch.Export.image.toCloudStorage(recipe(method, PARAMETERS), **options)
        task.id = task._request_id = EXPORT["request_id"]  # what start() would draw from ee.data.newTaskId()
        task.start()
        task.name = OPERATION
        task.status()
        task.cancel()
        ee.data.listOperations()
        export, status, cancel, listing = recorder.calls
        document = {
            "client": f"earthengine-api {ee.__version__}",
            "method": method,
            "parameters": PARAMETERS,
            "export": EXPORT,
            "project": export["project"],
            "num_retries": export["num_retries"],
            "body": export["body"],
            "status_call": {"name": status["name"]},
            "cancel_call": {"name": cancel["name"], "body": cancel["body"]},
            "list_call": {"name": listing["name"], "pageSize": listing["pageSize"]},
        }
        (HERE / f"export_{method}.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
