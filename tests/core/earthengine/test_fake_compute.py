"""The fake Earth Engine's ``image:computePixels`` against an independent numpy computation on the demo scenes.

The expressions are Google's own serialization of the recipe (tests/data/earthengine/recipe_*.json, written by
earthengine-api 1.7.50); the expected pixels are computed here straight from the demo GeoTIFFs in resources/demo
(B2, B3, B4, B8 as uint16 digital numbers, the ``clear`` band standing in for Cloud Score+ ``cs``, nodata 0), with
numpy's definitions, so the fake's expression evaluator is checked against something that shares no code with it.
"""

import copy
import json
import urllib.error
import urllib.request
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.io import MemoryFile

from ...conftest import DEMO_DIR
from ...earthengine_expressions import (
    Band,
    ExpressionError,
    Image,
    Pixels,
    evaluate,
    load_algorithms,
)
from ...fake_earthengine import L1C, SCORES, TOKEN, FakeEarthEngine

DATA = Path(__file__).resolve().parents[2] / "data" / "earthengine"
METHODS = ("median", "mean", "min", "max", "percentiles", "best")
BANDS = ("B2", "B3", "B4", "B8")
THRESHOLD = 0.6
PERCENTILES = (25, 50, 75)
PROJECT = "my-ee-project"


def recipe(method):
    """Google's serialization of the recipe for ``method``: (expression, parameters)."""
    document = json.loads((DATA / f"recipe_{method}.json").read_text())
    return document["expression"], document["parameters"]


def rest_grid(grid, width=None, height=None):
    """A REST PixelGrid of the demo grid (or of a grid of another size with the same origin and pixels)."""
    t = grid.transform
    return {
        "dimensions": {"width": width or grid.width, "height": height or grid.height},
        "affineTransform": {
            "scaleX": t.a,
            "shearX": t.b,
            "translateX": t.c,
            "shearY": t.d,
            "scaleY": t.e,
            "translateY": t.f,
        },
        "crsCode": f"EPSG:{grid.crs.to_epsg()}",
    }


def post(server, body, token=TOKEN):
    """POST a computePixels request: (status, headers, body bytes)."""
    request = urllib.request.Request(
        f"{server.url}/v1/projects/{PROJECT}/image:computePixels",
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def compute(server, expression, grid, **extra):
    """POST ``expression`` on ``grid`` as a GEO_TIFF computePixels request."""
    return post(server, {"expression": expression, "fileFormat": "GEO_TIFF", "grid": grid, **extra})


def decode(content):
    """(band names, pixels as an array of the file's type, dtype, crs, transform, (height, width))."""
    with MemoryFile(content) as memory, memory.open() as dataset:
        return (
            list(dataset.descriptions),
            dataset.read(),
            dataset.dtypes[0],
            dataset.crs,
            dataset.transform,
            (dataset.height, dataset.width),
        )


def error_message(content):
    """The message of an Earth Engine error body."""
    return json.loads(content)["error"]["message"]


# --- the independent reference --------------------------------------------------------------------------------


def demo_stack():
    """The demo scenes in time order: system:index, bands (n, 4, rows, cols) and score (n, rows, cols), float64."""
    scenes = []
    for path in DEMO_DIR.glob("*.tif"):
        with rasterio.open(path) as src:
            tags, names = src.tags(), list(src.descriptions)
            bands = np.stack([src.read(names.index(b) + 1) for b in BANDS]).astype(np.float64)
            scenes.append(
                (
                    tags["ACQUISITION_TIME"],
                    tags["SYSTEM_INDEX"],
                    bands,
                    src.read(names.index("clear") + 1).astype(np.float64),
                )
            )
    scenes.sort(key=lambda s: s[0])
    return [s[1] for s in scenes], np.stack([s[2] for s in scenes]), np.stack([s[3] for s in scenes])


def to_uint16(values):
    """Image.round (halves up for these positive values) then Image.toUint16 (clamp), masked (NaN) as 0."""
    rounded = np.floor(np.nan_to_num(values, nan=0.0) + 0.5)
    return np.clip(rounded, 0, 65535).astype(np.uint16)


def percentile_linear(observed, percentile):
    """Hyndman and Fan's definition 7 (numpy's "linear" method) written out: over each pixel's n valid values in
    order x[0..n-1], h = (n - 1) p / 100 and the value x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
    The demo's whole numbers and quartiles make every step exact."""
    ordered = np.sort(observed, axis=0)  # NaN last
    n = (~np.isnan(observed)).sum(axis=0)
    h = (n - 1) * percentile / 100
    low = np.floor(h).clip(0).astype(int)
    high = np.minimum(low + 1, np.maximum(n - 1, 0))
    below = np.take_along_axis(ordered, low[None], axis=0)[0]
    above = np.take_along_axis(ordered, high[None], axis=0)[0]
    return np.where(n > 0, below + (h - low) * (above - below), np.nan)


def expected(method, unscored=()):
    """The recipe computed directly: name -> uint16 array."""
    indexes, bands, score = demo_stack()
    scored = (score != 0) & ~np.isin(indexes, list(unscored))[:, None, None]  # score nodata 0; no Cloud Score+
    clear = scored & (score >= THRESHOLD)
    observed = np.where(clear[:, None] & (bands != 0), bands, np.nan)  # (n, 4, rows, cols), NaN = masked
    result = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels: masked, written as 0
        if method == "percentiles":
            for b, band in enumerate(BANDS):
                for percentile in PERCENTILES:
                    result[f"{band}_p{percentile}"] = to_uint16(percentile_linear(observed[:, b], percentile))
        elif method == "best":
            quality = np.where(clear, score, -np.inf)[::-1]  # reversed: argmax's first hit is the LAST image
            last = len(indexes) - 1 - np.argmax(quality, axis=0)
            chosen = np.take_along_axis(observed, last[None, None], axis=0)[0]
            for b, band in enumerate(BANDS):
                result[band] = to_uint16(np.where(clear.any(axis=0), chosen[b], np.nan))
        else:
            reduce = {"median": np.nanmedian, "mean": np.nanmean, "min": np.nanmin, "max": np.nanmax}[method]
            values = reduce(observed, axis=0)
            for b, band in enumerate(BANDS):
                result[band] = to_uint16(values[b])
    result["count"] = clear.sum(axis=0).astype(np.uint16)
    result["scored"] = scored.sum(axis=0).astype(np.uint16)
    return result


@pytest.fixture(scope="module")
def references():
    """The expected bands of every method on the demo scenes."""
    return {method: expected(method) for method in METHODS}


# --- the recipe end to end ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_each_reference_expression_matches_numpy_on_the_demo_scenes(server, demo_grid, references, method):
    expression, parameters = recipe(method)
    assert parameters["collection"] == L1C
    status, _, content = compute(server, expression, rest_grid(demo_grid))
    assert status == 200, content[:300]
    names, data, dtype, crs, transform, shape = decode(content)
    reference = references[method]
    assert names == list(reference)
    assert dtype == "uint16"
    assert crs.to_epsg() == 32633 and transform == demo_grid.transform and shape == demo_grid.shape
    for name, band in zip(names, data):
        np.testing.assert_array_equal(band, reference[name], err_msg=f"{method}: band {name}")
    assert reference["count"].max() > 0 and reference["count"].min() < 5  # the demo has clear and cloudy pixels


def test_inlined_form_gives_the_same_answer(server, demo_grid):
    """The same graph with every reference replaced by its node (functionDefinitionValue bodies inline too)."""
    expression, _ = recipe("percentiles")
    values = expression["values"]

    def inline(node):
        kind, content = next(iter(node.items()))
        if kind == "valueReference":
            return inline(values[content])
        if kind == "arrayValue":
            return {kind: {"values": [inline(v) for v in content["values"]]}}
        if kind == "dictionaryValue":
            return {kind: {"values": {k: inline(v) for k, v in content["values"].items()}}}
        if kind == "functionDefinitionValue":
            body = content["body"]
            return {
                kind: {
                    "argumentNames": content["argumentNames"],
                    "body": inline(values[body] if isinstance(body, str) else body),
                }
            }
        if kind == "functionInvocationValue":
            return {kind: {**content, "arguments": {k: inline(v) for k, v in content["arguments"].items()}}}
        return node

    inlined = {"result": "r", "values": {"r": inline(values[expression["result"]])}}
    assert "valueReference" not in json.dumps(inlined)
    first = compute(server, expression, rest_grid(demo_grid))
    second = compute(server, inlined, rest_grid(demo_grid))
    assert first[0] == second[0] == 200
    np.testing.assert_array_equal(decode(first[2])[1], decode(second[2])[1])


def test_an_unscored_scene_contributes_nothing(demo_grid):
    indexes, _, _ = demo_stack()
    skipped = indexes[0]  # 2015-07-11: clear everywhere, so every count drops by one
    with FakeEarthEngine(unscored={skipped}) as server:
        status, _, content = compute(server, recipe("median")[0], rest_grid(demo_grid))
    assert status == 200, content[:300]
    names, data, _, _, _, _ = decode(content)
    reference = expected("median", unscored={skipped})
    for name, band in zip(names, data):
        np.testing.assert_array_equal(band, reference[name], err_msg=name)
    scored, count = data[names.index("scored")], data[names.index("count")]
    assert (scored == 4).all()
    np.testing.assert_array_equal(count, expected("median")["count"] - 1)


def test_band_ids_pick_output_bands(server, demo_grid, references):
    status, _, content = compute(server, recipe("median")[0], rest_grid(demo_grid), bandIds=["count", "B4"])
    assert status == 200
    names, data, _, _, _, _ = decode(content)
    assert names == ["count", "B4"]
    np.testing.assert_array_equal(data[0], references["median"]["count"])
    np.testing.assert_array_equal(data[1], references["median"]["B4"])
    status, _, content = compute(server, recipe("median")[0], rest_grid(demo_grid), bandIds=["B5"])
    assert status == 400 and "B5" in error_message(content)


# --- validation against the algorithms list ---------------------------------------------------------------------


def outermost(expression):
    """The result's functionInvocationValue (Image.toUint16 in the recipes)."""
    return expression["values"][expression["result"]]["functionInvocationValue"]


def test_an_unknown_function_is_a_400(server, demo_grid):
    expression = copy.deepcopy(recipe("median")[0])
    outermost(expression)["functionName"] = "Image.toUint17"
    status, _, content = compute(server, expression, rest_grid(demo_grid))
    assert status == 400
    assert json.loads(content)["error"]["status"] == "INVALID_ARGUMENT"
    assert "Image.toUint17" in error_message(content)


def test_an_unknown_argument_name_is_a_400(server, demo_grid):
    expression = copy.deepcopy(recipe("median")[0])
    invocation = outermost(expression)
    invocation["arguments"]["image"] = invocation["arguments"].pop("value")
    status, _, content = compute(server, expression, rest_grid(demo_grid))
    assert status == 400 and "'image'" in error_message(content)


def test_a_missing_required_argument_is_a_400(server, demo_grid):
    expression = copy.deepcopy(recipe("median")[0])
    outermost(expression)["arguments"].clear()
    status, _, content = compute(server, expression, rest_grid(demo_grid))
    assert status == 400 and "'value' is required" in error_message(content)


def test_a_real_function_the_fake_lacks_is_a_400_saying_so(server, demo_grid):
    expression = copy.deepcopy(recipe("median")[0])
    outermost(expression)["functionName"] = "Image.abs"  # real (same argument), not implemented here
    assert "Image.abs" in load_algorithms()
    status, _, content = compute(server, expression, rest_grid(demo_grid))
    assert status == 400 and "does not implement" in error_message(content)


def test_every_implementation_is_a_real_function():
    from ...earthengine_expressions import IMPLEMENTATIONS

    assert set(IMPLEMENTATIONS) <= set(load_algorithms())


# --- limits, faults, accounting --------------------------------------------------------------------------------


def test_size_limit_counts_the_output_types(server, demo_grid):
    """1200 x 1200 px: 6 uint16 bands are 17.28 MB and pass; uncast (4 float64 medians, 2 int32 counts) they are
    57.6 MB, over Earth Engine's 48 MiB."""
    cast = recipe("median")[0]
    uncast = copy.deepcopy(cast)
    uncast["values"][uncast["result"]] = outermost(uncast)["arguments"]["value"]  # drop Image.toUint16
    grid = rest_grid(demo_grid, 1200, 1200)
    status, _, content = compute(server, uncast, grid)
    assert status == 400
    assert error_message(content) == (
        "Total request size (57600000 bytes) must be less than or equal to 50331648 bytes."
    )
    status, _, content = compute(server, cast, grid)
    assert status == 200, content[:300]
    names, data, dtype, _, _, shape = decode(content)
    assert shape == (1200, 1200) and dtype == "uint16" and len(names) == 6
    # the demo patch in the top-left corner, nothing (count 0, masked) outside it
    small = decode(compute(server, cast, rest_grid(demo_grid))[2])[1]
    rows, cols = demo_grid.shape
    np.testing.assert_array_equal(data[:, :rows, :cols], small)
    assert not data[:, rows:, :].any() and not data[:, :, cols:].any()


def test_uncast_output_is_one_widest_type_with_real_values(server, demo_grid, references):
    uncast = copy.deepcopy(recipe("mean")[0])
    uncast["values"][uncast["result"]] = outermost(uncast)["arguments"]["value"]["functionInvocationValue"][
        "arguments"
    ]["value"]  # drop Image.toUint16 and Image.round
    status, _, content = compute(server, uncast, rest_grid(demo_grid))
    assert status == 200
    names, data, dtype, _, _, _ = decode(content)
    assert dtype == "float64"
    assert to_uint16(data[names.index("B4")]).tolist() == references["mean"]["B4"].tolist()
    assert (data[names.index("B4")] % 1 != 0).any()  # unrounded means


def test_a_scripted_429_is_answered_then_the_request_succeeds(server, demo_grid):
    server.add_fault("computePixels", status=429, message="Too many concurrent requests.", headers={"Retry-After": "7"})
    expression = recipe("min")[0]
    status, headers, content = compute(server, expression, rest_grid(demo_grid))
    assert status == 429 and headers["Retry-After"] == "7"
    assert json.loads(content)["error"]["status"] == "RESOURCE_EXHAUSTED"
    status, _, _ = compute(server, expression, rest_grid(demo_grid))
    assert status == 200
    assert server.count("computePixels") == 2
    assert server.requests_of("computePixels")[0]["expression"] == expression


def test_an_unknown_token_is_a_401(server, demo_grid):
    status, _, _ = post(
        server, {"expression": recipe("min")[0], "fileFormat": "GEO_TIFF", "grid": rest_grid(demo_grid)}, token="nope"
    )
    assert status == 401


def test_bytes_sent_counts_response_bodies_per_kind(server, demo_grid):
    status, _, content = compute(server, recipe("max")[0], rest_grid(demo_grid))
    assert status == 200
    scene = next(iter(server.scenes))
    request = urllib.request.Request(
        f"{server.url}/v1/projects/earthengine-public/assets/{L1C}/{scene}:getPixels",
        method="POST",
        data=json.dumps({"fileFormat": "GEO_TIFF", "bandIds": ["B2"], "grid": rest_grid(demo_grid)}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request) as answer:
        pixels = answer.read()
    assert server.bytes_sent("computePixels") == len(content)
    assert server.bytes_sent("getPixels") == len(pixels)
    server.reset_log()
    assert server.bytes_sent("computePixels") == 0


# --- the other filters, on the fake's collections ----------------------------------------------------------------


def call(name, **arguments):
    """An inlined functionInvocationValue."""
    return {"functionInvocationValue": {"functionName": name, "arguments": arguments}}


def const(value):
    """A constantValue node."""
    return {"constantValue": value}


def counted(collection_filter, collection=L1C):
    """An expression: the number of scenes passing ``collection_filter`` at each pixel (their first band unmasked
    there)."""
    scenes = call(
        "Collection.filter", collection=call("ImageCollection.load", id=const(collection)), filter=collection_filter
    )
    return {
        "result": "0",
        "values": {
            "0": call(
                "reduce.count",
                collection=call(
                    "Collection.map",
                    collection=scenes,
                    baseAlgorithm={
                        "functionDefinitionValue": {
                            "argumentNames": ["x"],
                            "body": call("Image.select", input={"argumentReference": "x"}, bandSelectors=const([0])),
                        }
                    },
                ),
            )
        },
    }


def scenes_passing(server, demo_grid, collection_filter, collection=L1C):
    """How many demo scenes of ``collection`` pass ``collection_filter``, as the fake counts them."""
    status, _, content = compute(server, counted(collection_filter, collection), rest_grid(demo_grid))
    assert status == 200, content[:300]
    data = decode(content)[1][0]
    assert (data == data[0, 0]).all()  # every demo scene covers the whole grid
    return int(data[0, 0])


def millis(text):
    """Milliseconds since the epoch of an ISO time."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def test_filters_not_equals_less_than_and(server, demo_grid):
    indexes, _, _ = demo_stack()
    before_september = call(
        "Filter.lessThan", leftField=const("system:time_start"), rightValue=const(millis("2015-09-01T00:00:00Z"))
    )
    not_second = call(
        "Filter.not", filter=call("Filter.equals", leftField=const("system:index"), rightValue=const(indexes[1]))
    )
    assert scenes_passing(server, demo_grid, before_september) == 4
    assert scenes_passing(server, demo_grid, not_second) == 4
    both = call("Filter.and", filters={"arrayValue": {"values": [before_september, not_second]}})
    assert scenes_passing(server, demo_grid, both) == 3


def test_date_range_is_start_inclusive_end_exclusive_in_utc(server, demo_grid):
    # the first scene at 2015-07-11T10:00:08Z, the last at 2015-09-09T10:00:17Z
    def within(start, end):
        return call(
            "Filter.dateRangeContains",
            leftValue=call("DateRange", start=const(start), end=const(end)),
            rightField=const("system:time_start"),
        )

    assert scenes_passing(server, demo_grid, within("2015-07-11T10:00:08", "2015-09-09T10:00:17")) == 4
    assert scenes_passing(server, demo_grid, within("2015-07-11T10:00:09", "2015-09-09T10:00:18")) == 4
    assert scenes_passing(server, demo_grid, within("2015-07-11", "2015-09-10")) == 5


def test_list_contains_and_intersects(server, demo_grid):
    indexes, _, _ = demo_stack()
    listed = call("Filter.listContains", leftValue=const(indexes[:2]), rightField=const("system:index"))
    assert scenes_passing(server, demo_grid, listed) == 2
    assert scenes_passing(server, demo_grid, listed, SCORES) == 2  # Cloud Score+ images share the index
    far = call(
        "Filter.intersects",
        leftField=const(".all"),
        rightValue=call(
            "Feature",
            geometry=call(
                "GeometryConstructors.Polygon", coordinates=const([[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]])
            ),
        ),
    )
    status, _, content = compute(server, counted(far), rest_grid(demo_grid))
    assert status == 400 and "no bands" in error_message(content)  # an empty collection reduces to no bands


# --- the evaluator on synthetic images ----------------------------------------------------------------------------


def synthetic(values, dtype="uint16", name="b", properties=None):
    """An image of one band from a list of rows; NaN = masked."""
    array = np.array(values, dtype=float)
    return Image([Band(name, dtype, Pixels(lambda: (np.nan_to_num(array), ~np.isnan(array))))], dict(properties or {}))


def run(node, images, shape=(1, 3)):
    """Evaluate ``node`` with ``images`` as the collection ``C``."""
    catalog = {"C": images}
    return evaluate({"result": "0", "values": {"0": node}}, catalog.get, shape)


LOADED = call("ImageCollection.load", id=const("C"))


def pixels(image, name):
    """A band's values as nested lists, NaN where masked."""
    values, mask = image.band(name).pixels.get()
    return np.where(mask, values, np.nan).tolist()


def test_quality_mosaic_ties_go_to_the_last_image():
    images = [
        synthetic([[1, 5, np.nan]], name="q", properties={"i": 0}),
        synthetic([[1, 4, 2]], name="q", properties={"i": 1}),
    ]
    for i, image in enumerate(images):
        image.bands.append(Band("v", "uint8", Pixels(lambda i=i: (np.full((1, 3), 10.0 + i), np.ones((1, 3), bool)))))
    result = run(call("ImageCollection.qualityMosaic", collection=LOADED, qualityBand=const("q")), images)
    assert pixels(result, "v") == [[11, 10, 11]]  # tie -> last; highest; the only unmasked
    assert [b.dtype for b in result.bands] == ["uint16", "uint8"]


def test_reducer_types_names_and_count():
    images = [synthetic([[1, np.nan, np.nan]]), synthetic([[2, 4, np.nan]]), synthetic([[4, 6, np.nan]])]
    median = run(call("reduce.median", collection=LOADED), images)
    assert median.band_names == ["b"] and median.bands[0].dtype == "float64"
    values = pixels(median, "b")[0]
    assert values[:2] == [2, 5] and np.isnan(values[2])
    count = run(call("reduce.count", collection=LOADED), images)
    assert count.bands[0].dtype == "int32" and pixels(count, "b") == [[3, 2, 0]]  # 0 and unmasked where none
    minimum = run(call("reduce.min", collection=LOADED), images)
    assert minimum.bands[0].dtype == "uint16" and pixels(minimum, "b")[0][:2] == [1, 4]
    percentiles = run(
        call(
            "ImageCollection.reduce",
            collection=LOADED,
            reducer=call("Reducer.percentile", percentiles=const([0, 50, 100])),
        ),
        images,
    )
    assert percentiles.band_names == ["b_p0", "b_p50", "b_p100"]
    assert {b.dtype for b in percentiles.bands} == {"float64"}
    assert pixels(percentiles, "b_p50")[0][:2] == [2, 5]


def test_round_cast_compare_and_mask_types():
    image = call("ImageCollection.load", id=const("C"))
    first = call("Image.select", input={"valueReference": "1"}, bandSelectors=const([0]))
    node = call(
        "Image.addBands",
        dstImg=call("Image.toUint16", value=call("Image.round", value=first)),
        srcImg=call("Image.gte", image1=first, image2=call("Image.constant", value=const(0))),
    )
    expression = {"result": "0", "values": {"0": node, "1": call("reduce.mean", collection=image)}}
    result = evaluate(expression, {"C": [synthetic([[2.5, -5, 70000.4]], "float32")]}.get, (1, 3))
    assert result.band_names == ["b", "b_1"]
    assert [b.dtype for b in result.bands] == ["uint16", "uint8"]
    assert pixels(result, "b") == [[3, 0, 65535]]  # halves up, clamped
    assert pixels(result, "b_1") == [[1, 0, 1]]


def test_update_mask_with_a_masked_mask_masks():
    images = [synthetic([[1, 2, 3]], name="v")]
    score = synthetic([[0.9, 0.1, np.nan]], "float32", name="cs")
    images[0].bands.append(score.bands[0])
    mapped = call(
        "Collection.map",
        collection=LOADED,
        baseAlgorithm={
            "functionDefinitionValue": {
                "argumentNames": ["x"],
                "body": call(
                    "Image.updateMask",
                    image={"argumentReference": "x"},
                    mask=call(
                        "Image.gte",
                        image1=call("Image.select", input={"argumentReference": "x"}, bandSelectors=const(["cs"])),
                        image2=call("Image.constant", value=const(0.6)),
                    ),
                ),
            }
        },
    )
    result = run(call("reduce.max", collection=mapped), images)
    assert pixels(result, "v")[0][0] == 1 and np.isnan(pixels(result, "v")[0][1:]).all()


def test_select_errors_are_expression_errors():
    with pytest.raises(ExpressionError, match="did not match any bands"):
        run(
            call("Image.select", input=call("reduce.max", collection=LOADED), bandSelectors=const(["x"])),
            [synthetic([[1, 2, 3]])],
        )


def test_select_by_regex_and_index_with_new_names_and_add_bands_overwrite():
    image = synthetic([[1, 2, 3]], name="B2")
    image.bands += [b.renamed(n) for b in synthetic([[4, 5, 6]]).bands for n in ("B3", "cs")]
    collection = [image]
    picked = run(
        call(
            "Image.select",
            input=call("reduce.max", collection=LOADED),
            bandSelectors=const(["B.", 2]),
            newNames=const(["x", "y", "z"]),
        ),
        collection,
    )
    assert picked.band_names == ["x", "y", "z"]
    replaced = run(
        call(
            "Image.addBands",
            dstImg=call("reduce.max", collection=LOADED),
            srcImg=call("Image.rename", input=call("Image.constant", value=const(7)), names=const(["B3"])),
            overwrite=const(True),
        ),
        collection,
    )
    assert replaced.band_names == ["B2", "B3", "cs"]
    assert pixels(replaced, "B3") == [[7, 7, 7]] and replaced.band("B3").dtype == "uint8"
