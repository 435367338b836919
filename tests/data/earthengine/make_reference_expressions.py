"""Write the reference expression graphs of the Cloud Score+ recipe, serialized by Google's own client.

Run by hand, never by the tests (they only read the JSON it wrote), in a virtual environment with the official
client: ``pip install earthengine-api==1.7.50``, then
``python tests/data/earthengine/make_reference_expressions.py ../shared/data/earthengine-api/algorithms.json``.
The client is initialised offline from the recorded ``algorithms.list`` answer (as its own test base class does),
so nothing touches the network. Each file ``recipe_<method>.json`` holds ``{"parameters": ..., "expression": ...}``:
the recipe's inputs and the ``expression`` that ``ee.data.computePixels`` would send for them.
"""

import json
import sys
from pathlib import Path

import ee

HERE = Path(__file__).resolve().parent
SCORE_COLLECTION = "GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED"
PARAMETERS = {
    "collection": "COPERNICUS/S2_HARMONIZED",
    "ring": [[14.55, 45.86], [14.57, 45.86], [14.57, 45.88], [14.55, 45.88], [14.55, 45.86]],
    "start": "2015-07-01",
    "end": "2015-10-01",
    "scene_ids": [
        "20150711T100008_20150711T100008_T33TVL",
        "20150731T100009_20150731T100009_T33TVL",
        "20150820T100728_20150820T100728_T33TVL",
        "20150830T100547_20150830T100547_T33TVL",
        "20150909T100017_20150909T100017_T33TVL",
    ],
    "qa_band": "cs",
    "threshold": 0.6,
    "bands": ["B2", "B3", "B4", "B8"],
    "percentiles": [25, 50, 75],
}


def recipe(method: str, p: dict) -> ee.Image:
    """Earth Engine's Cloud Score+ example, as the plugin asks for it: the chosen scenes over the AOI and dates,
    linked to their scores, masked where the score is below the threshold, reduced, with the clear count and the
    scored count, rounded and cast to uint16."""
    aoi = ee.Geometry.Polygon([p["ring"]])
    scenes = (
        ee.ImageCollection(p["collection"])
        .filterBounds(aoi)
        .filterDate(p["start"], p["end"])
        .filter(ee.Filter.inList("system:index", p["scene_ids"]))
    )
    linked = scenes.linkCollection(ee.ImageCollection(SCORE_COLLECTION), [p["qa_band"]])
    clear = linked.map(lambda image: image.updateMask(image.select(p["qa_band"]).gte(p["threshold"])))
    bands = p["bands"]
    if method == "percentiles":
        names = [f"p{q:g}" for q in p["percentiles"]]
        statistics = clear.select(bands).reduce(ee.Reducer.percentile(p["percentiles"], names))
        selected = [f"{band}_{name}" for band in bands for name in names]
    elif method == "best":
        statistics, selected = clear.qualityMosaic(p["qa_band"]), bands
    else:
        statistics, selected = getattr(clear.select(bands), method)(), bands
    count = clear.select([p["qa_band"]]).count().rename(["count"])
    scored = linked.select([p["qa_band"]]).count().rename(["scored"])
    return statistics.select(selected).addBands(count).addBands(scored).round().toUint16()


def initialise_offline(algorithms_json: str) -> None:
    """Initialise the official client from the recorded ``algorithms.list`` answer, without the network."""
    algorithms = json.loads(Path(algorithms_json).read_text())
    ee.Reset()
    ee.data._install_cloud_api_resource = lambda: None  # offline, as ee/apitestcase.py does
    ee.data.getAlgorithms = lambda: ee._cloud_api_utils.convert_algorithms(algorithms)
    ee.Initialize(None, "", project="my-project")


def main(algorithms_json: str) -> None:
    initialise_offline(algorithms_json)
    for method in ("median", "mean", "min", "max", "percentiles", "best"):
        expression = ee.serializer.encode(recipe(method, PARAMETERS), for_cloud_api=True)
        document = {
            "client": f"earthengine-api {ee.__version__}",
            "method": method,
            "parameters": PARAMETERS,
            "expression": expression,
        }
        (HERE / f"recipe_{method}.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
