"""The composite as an Earth Engine expression graph, for ``image:computePixels`` (computed on Google's servers).

The graph is Earth Engine's Cloud Score+ recipe (the catalogue's example for GOOGLE/CLOUD_SCORE_PLUS/V1/
S2_HARMONIZED) written the way Google's own client serializes it: earthengine-api's ``python/ee/serializer.py``
in its compound Cloud API form, ``{"result": KEY, "values": {KEY: ValueNode}}``, with the function and argument
names of the server's algorithm list (``algorithms.list``). In ee-Python terms the graph is::

    scenes = ImageCollection(collection).filterBounds(aoi).filterDate(start, end)
                 .filter(Filter.inList('system:index', scene_ids))
    linked = scenes.linkCollection(ImageCollection(SCORE_COLLECTION), [qa_band])
    clear = linked.map(lambda image: image.updateMask(image.select(qa_band).gte(threshold)))
    statistics = clear.select(bands).median()        # or mean/min/max, reduce(Reducer.percentile), qualityMosaic
    image = statistics.select(names).addBands(clear.select([qa_band]).count().rename(['count']))
                      .addBands(linked.select([qa_band]).count().rename(['scored'])).round().toUint16()

``tests/data/earthengine/recipe_<method>.json`` holds what earthengine-api 1.7.50 serializes for that recipe; the
tests check this module against it. The client turns ``filterBounds`` into ``Filter.intersects`` on ``.all``
with a ``Feature``, ``filterDate`` into ``Filter.dateRangeContains`` of a ``DateRange``, ``Filter.inList`` into
``Filter.listContains`` and ``linkCollection``/``select`` on a collection into ``Collection.map``.
"""

import hashlib
import json
from datetime import date
from typing import Any, Dict, List, Sequence

from ..compositing import statistic_names
from .search import SCORE_COLLECTION

COUNT_NAME = "count"
"""The band of clear observations per pixel (as the local engine's ``count``)."""
SCORED_NAME = "scored"
"""The band of observations with a score per pixel: with ``count`` it gives the clear fraction."""
MAPPING_VARIABLE = "_MAPPING_VAR_0_0"
"""The argument name earthengine-api's ``customfunction.py`` gives a function mapped at depth 0."""
_REDUCERS = {"median": "reduce.median", "mean": "reduce.mean", "min": "reduce.min", "max": "reduce.max"}

ValueNode = Dict[str, Any]


def _constant(value: Any) -> ValueNode:
    return {"constantValue": value}


def _call(function: str, **arguments: ValueNode) -> ValueNode:
    return {"functionInvocationValue": {"functionName": function, "arguments": arguments}}


class _Graph:
    """Named values of a compound expression: shared subtrees and function bodies are stored once, by key."""

    def __init__(self) -> None:
        self.values: Dict[str, ValueNode] = {"0": {}}  # "0" is the result, as the official client names it

    def reference(self, node: ValueNode) -> ValueNode:
        key = str(len(self.values))
        self.values[key] = node
        return {"valueReference": key}

    def mapped(self, collection: ValueNode, body: ValueNode) -> ValueNode:
        """``Collection.map`` of a one-argument function whose body uses ``MAPPING_VARIABLE``."""
        function = {
            "functionDefinitionValue": {
                "argumentNames": [MAPPING_VARIABLE],
                "body": self.reference(body)["valueReference"],
            }
        }
        return _call("Collection.map", collection=collection, baseAlgorithm=function)


def _select(image: ValueNode, bands: Sequence[str]) -> ValueNode:
    return _call("Image.select", input=image, bandSelectors=_constant(list(bands)))


def statistic_band_names(bands: Sequence[str], method: str, percentiles: Sequence[float]) -> List[str]:
    """The names Earth Engine gives the statistic bands, in the output's order (band by band, then statistic):
    ``reduce.*`` and ``qualityMosaic`` keep the band names (``B4``), ``Reducer.percentile`` with output names
    ``p25``... gives ``B4_p25`` (``algorithms.list``: ImageCollection.reduce)."""
    if method == "percentiles":
        return [f"{band}_{name}" for band in bands for name in statistic_names(method, percentiles)]
    return list(bands)


def composite_expression(
    collection: str,
    geometry: Dict[str, Any],
    start: date,
    end: date,
    scene_ids: Sequence[str],
    qa_band: str,
    threshold: float,
    bands: Sequence[str],
    method: str,
    percentiles: Sequence[float] = (),
) -> Dict[str, Any]:
    """The expression computing a composite on Earth Engine's servers (see the module docstring).

    Args:
        collection: ``COPERNICUS/S2_SR_HARMONIZED`` or ``COPERNICUS/S2_HARMONIZED``.
        geometry: the AOI, a GeoJSON Polygon in EPSG:4326 (lon/lat).
        start, end: acquisition dates ``[start, end)``, UTC days.
        scene_ids: the ``system:index`` of every scene to composite (those the search found with a score).
        qa_band: ``cs`` or ``cs_cdf``.
        threshold: clear threshold 0..1; clear where ``score >= threshold`` (``Image.gte``).
        bands: Sentinel-2 bands, in output order.
        method: ``median``, ``mean``, ``min``, ``max``, ``percentiles`` or ``best`` (``qualityMosaic`` on the QA
            band: every band of the observation with the highest score).
        percentiles: 0..100, for ``percentiles``.

    Returns:
        ``{"result": "0", "values": {...}}``: an image of uint16 bands, the statistics
        (``statistic_band_names``), then ``count`` and ``scored``; 0 where masked.

    Raises:
        InputError: ``METHOD`` or ``PERCENTILES`` out of range (``compositing.statistic_names``).
    """
    names = statistic_names(method, percentiles)
    graph = _Graph()
    image = {"argumentReference": MAPPING_VARIABLE}
    aoi = _call("GeometryConstructors.Polygon", coordinates=_constant(geometry["coordinates"]), evenOdd=_constant(True))
    scenes = _call("ImageCollection.load", id=_constant(collection))
    for condition in (
        _call("Filter.intersects", leftField=_constant(".all"), rightValue=_call("Feature", geometry=aoi)),
        _call(
            "Filter.dateRangeContains",
            leftValue=_call("DateRange", start=_constant(start.isoformat()), end=_constant(end.isoformat())),
            rightField=_constant("system:time_start"),
        ),
        _call("Filter.listContains", leftValue=_constant(list(scene_ids)), rightField=_constant("system:index")),
    ):
        scenes = _call("Collection.filter", collection=scenes, filter=condition)
    scores = _call("ImageCollection.load", id=_constant(SCORE_COLLECTION))
    linked = graph.reference(
        graph.mapped(
            scenes, _call("Image.linkCollection", input=image, imageCollection=scores, linkedBands=_constant([qa_band]))
        )
    )
    is_clear = _call(
        "Image.gte", image1=_select(image, [qa_band]), image2=_call("Image.constant", value=_constant(threshold))
    )
    clear = graph.reference(graph.mapped(linked, _call("Image.updateMask", image=image, mask=is_clear)))
    if method == "best":
        statistics = _call("ImageCollection.qualityMosaic", collection=clear, qualityBand=_constant(qa_band))
    else:
        selected = graph.mapped(clear, _select(image, bands))
        if method == "percentiles":
            reducer = _call(
                "Reducer.percentile", percentiles=_constant(list(percentiles)), outputNames=_constant(names)
            )
            statistics = _call("ImageCollection.reduce", collection=selected, reducer=reducer)
        else:
            statistics = _call(_REDUCERS[method], collection=selected)
    qa_only = _select(image, [qa_band])
    count = _call(
        "Image.rename",
        input=_call("reduce.count", collection=graph.mapped(clear, qa_only)),
        names=_constant([COUNT_NAME]),
    )
    scored = _call(
        "Image.rename",
        input=_call("reduce.count", collection=graph.mapped(linked, qa_only)),
        names=_constant([SCORED_NAME]),
    )
    result = _select(statistics, statistic_band_names(bands, method, percentiles))
    for extra in (count, scored):
        result = _call("Image.addBands", dstImg=result, srcImg=extra)
    graph.values["0"] = _call("Image.toUint16", value=_call("Image.round", value=result))
    return {"result": "0", "values": graph.values}


def expression_key(expression: Dict[str, Any]) -> str:
    """A stable name of an expression (SHA-256 of its canonical JSON, 24 hex digits): the same request gives the
    same key, so computed tiles are found again in the cache."""
    text = json.dumps(expression, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
