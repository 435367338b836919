"""An evaluator of Earth Engine expression graphs with numpy, for the fake server's ``image:computePixels``.

Built only from the official references, never from the plugin's client code:

- the expression format (``{"result": KEY, "values": {KEY: ValueNode}}`` or one inlined ValueNode) as Google's
  serializer writes it (earthengine-api ``python/ee/serializer.py``, ``customfunction.py``, ``function.py``):
  ``constantValue``, ``integerValue``, ``nullValue``, ``valueReference``, ``argumentReference``,
  ``arrayValue {values}``, ``dictionaryValue {values}``, ``functionDefinitionValue {argumentNames, body}`` (body a
  key of ``values`` or an inlined node) and ``functionInvocationValue {functionName | functionReference,
  arguments}``;
- the signatures and descriptions of the recorded ``algorithms.list`` answer (``tests/data/earthengine/
  algorithms.json``, a copy of shared/data/earthengine-api/algorithms.json from earthengine-api 1.7.50, Apache-2.0,
  see ``LICENSE-earthengine-api.txt`` beside it). Every invocation is checked against it: an unknown function, an
  argument the signature lacks or a missing required argument is an ``ExpressionError`` (the server's HTTP 400),
  and so is a function the signature list has but this fake does not implement.

The numbers are an independent numpy reference, not Earth Engine's own code: median = ``numpy.nanmedian``,
percentiles = ``numpy.nanpercentile`` with linear interpolation, mean = ``numpy.nanmean``. The real Earth Engine
may differ in interpolation: its percentile reducer computes percentiles directly only up to ``maxRaw`` values and
from a histogram beyond, and its median is a percentile reducer too. This fake is numpy's definition.

Images are lazy: each band has a name, the data type Earth Engine would report for it and its pixels, computed
on first use (values as float64, which holds every value of the tracked types exactly, and a boolean mask per
band, as Earth Engine keeps one mask per band). So band names and types are known before any pixel is read, which
is what the 48 MB request limit needs. Every implemented image algorithm is per pixel, so a caller may evaluate a
large grid strip by strip.

Data types (numpy names) follow what Earth Engine reports: Sentinel-2 reflectance uint16, Cloud Score+ float32
(both as the catalog gives them); reduce.median / reduce.mean and the percentile, median and mean reducers float64;
min / max / qualityMosaic keep the input type; count int32 (an assumption: Earth Engine reports an int range, the
fake takes 32 bits); comparisons (``Image.gte``, ...) uint8 (boolean); ``Image.round`` keeps the type; the casts
their named type; ``Image.constant`` the smallest integer type holding an integral value, else float64 (an
assumption).
"""

import functools
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union
from zoneinfo import ZoneInfo

import numpy as np

ALGORITHMS_JSON = Path(__file__).resolve().parent / "data" / "earthengine" / "algorithms.json"

PixelArrays = Tuple[np.ndarray, np.ndarray]
"""(values as float64, mask as bool), each of the evaluation's (height, width) shape."""

_MISSING = object()  # a property an element does not have: filters on it fail


class ExpressionError(ValueError):
    """An expression the server refuses (HTTP 400 INVALID_ARGUMENT), with an Earth Engine style message."""


# --- values ------------------------------------------------------------------------------------------------------


class Pixels:
    """One band's pixels, computed once on first use (several bands and images may share one)."""

    def __init__(self, compute: Callable[[], PixelArrays]):
        self._compute = compute
        self._result: Optional[PixelArrays] = None

    def get(self) -> PixelArrays:
        """The (values, mask) arrays, computing them the first time."""
        if self._result is None:
            self._result = self._compute()
            self._compute = None  # let what the computation held go
        return self._result


@dataclass(frozen=True)
class Band:
    """An image band: its name, its Earth Engine data type (a numpy dtype name) and its lazy pixels."""

    name: str
    dtype: str
    pixels: Pixels

    def renamed(self, name: str) -> "Band":
        """The same band (same pixels) under another name."""
        return replace(self, name=name)


@dataclass
class Image:
    """An Earth Engine image: bands in order, metadata properties and footprint (GeoJSON in EPSG:4326; None for
    an unbounded image such as a constant or a composite)."""

    bands: List[Band]
    properties: Dict[str, Any] = field(default_factory=dict)
    geometry: Optional[Dict[str, Any]] = None

    @property
    def band_names(self) -> List[str]:
        """The band names in order."""
        return [b.name for b in self.bands]

    def band(self, name: str) -> Optional[Band]:
        """The band called ``name``, or None."""
        return next((b for b in self.bands if b.name == name), None)


@dataclass
class Feature:
    """A Feature (``Feature`` algorithm): a GeoJSON geometry and properties."""

    geometry: Optional[Dict[str, Any]]
    properties: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Collection:
    """An ImageCollection or FeatureCollection: its elements in collection order."""

    elements: List[Any]


@dataclass
class Filter:
    """A filter: a predicate on a collection element."""

    test: Callable[[Any], bool]


@dataclass(frozen=True)
class Date:
    """A Date, in milliseconds since 1970-01-01T00:00:00Z."""

    millis: float


@dataclass(frozen=True)
class DateRange:
    """A DateRange: start inclusive, end exclusive, in milliseconds since the epoch."""

    start: float
    end: float


@dataclass(frozen=True)
class ReducerOutput:
    """One output of a reducer: its name, the input it reads (for multi-input reducers), how it reduces a stack
    (n, height, width) of float64 values with NaN where masked, and its output type (None = the input's)."""

    name: str
    reduce: Callable[[np.ndarray], PixelArrays]
    dtype: Optional[str]
    input_index: int = 0


@dataclass(frozen=True)
class Reducer:
    """A reducer: its outputs and its number of inputs."""

    outputs: Tuple[ReducerOutput, ...]
    inputs: int = 1


@dataclass
class Function:
    """A user function (``functionDefinitionValue``): argument names, body (a key of ``values`` or an inlined
    node) and the environment it was defined in."""

    argument_names: List[str]
    body: Any
    env: "_Env"


class _Env:
    """Argument bindings of one function call (argumentReference looks names up here, then outward), and the
    cache of the references evaluated under them."""

    def __init__(self, bindings: Dict[str, Any], parent: Optional["_Env"] = None):
        self.bindings = bindings
        self.parent = parent
        self.cache: Dict[str, Any] = {}

    def lookup(self, name: str) -> Any:
        """The value bound to an argument name here or in an enclosing call."""
        env: Optional[_Env] = self
        while env is not None:
            if name in env.bindings:
                return env.bindings[name]
            env = env.parent
        raise ExpressionError(f"Unbound argument reference '{name}'.")


Catalog = Callable[[str], Optional[List[Image]]]
"""``catalog(collection_id)``: the collection's images in collection order (lazy bands on the evaluation's grid),
or None when there is no such collection."""


# --- the algorithms list ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """An algorithm's signature from algorithms.json: argument names, the required ones and the defaults."""

    name: str
    arguments: Tuple[str, ...]
    required: Tuple[str, ...]
    defaults: Dict[str, Any]


@functools.cache
def load_algorithms(path: Union[str, Path] = ALGORITHMS_JSON) -> Dict[str, Signature]:
    """The signatures of a recorded ``algorithms.list`` answer, by function name (``Image.select``, without the
    ``algorithms/`` prefix)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    signatures = {}
    for algorithm in document["algorithms"]:
        name = algorithm["name"].removeprefix("algorithms/")
        arguments = algorithm.get("arguments", [])
        signatures[name] = Signature(
            name,
            tuple(a["argumentName"] for a in arguments),
            tuple(a["argumentName"] for a in arguments if not a.get("optional")),
            {a["argumentName"]: a.get("defaultValue") for a in arguments if a.get("optional")},
        )
    return signatures


# --- decoding and validation -----------------------------------------------------------------------------------


def _split(expression: Dict[str, Any]) -> Tuple[Any, Dict[str, Any]]:
    """(result node, values): an Expression ``{result, values}`` or one inlined ValueNode."""
    if not isinstance(expression, dict):
        raise ExpressionError("Invalid expression: not a JSON object.")
    if "result" in expression and "values" in expression:
        values = expression["values"]
        if not isinstance(values, dict) or expression["result"] not in values:
            raise ExpressionError(f"Invalid expression: result '{expression['result']}' is not a key of values.")
        return {"valueReference": expression["result"]}, values
    return expression, {}


def validate(expression: Dict[str, Any], algorithms: Optional[Dict[str, Signature]] = None) -> None:
    """Check every node reachable from the result (function bodies included) before anything is computed: each
    ValueNode of a known kind, each reference to an existing key, each ``functionInvocationValue`` of a function
    of ``algorithms`` with only its arguments and all its required ones, and implemented by this fake. Raises
    ExpressionError."""
    algorithms = algorithms if algorithms is not None else load_algorithms()
    root, values = _split(expression)
    seen: set = set()

    def reference(key: Any) -> None:
        if not isinstance(key, str) or key not in values:
            raise ExpressionError(f"Invalid expression: reference to unknown value '{key}'.")
        if key not in seen:
            seen.add(key)
            visit(values[key])

    def body(node: Any) -> None:  # a body or a functionReference: a key, or an inlined node
        if isinstance(node, str):
            reference(node)
        else:
            visit(node)

    def visit(node: Any) -> None:
        if not isinstance(node, dict) or len(node) != 1:
            raise ExpressionError(f"Invalid ValueNode: {json.dumps(node)[:200]}")
        kind, content = next(iter(node.items()))
        if kind in ("constantValue", "integerValue", "nullValue", "argumentReference"):
            return
        if kind == "valueReference":
            reference(content)
        elif kind == "arrayValue":
            for item in content.get("values", []):
                visit(item)
        elif kind == "dictionaryValue":
            for item in content.get("values", {}).values():
                visit(item)
        elif kind == "functionDefinitionValue":
            body(content["body"])
        elif kind == "functionInvocationValue":
            arguments = content.get("arguments", {})
            if "functionName" in content:
                _check_invocation(content["functionName"], arguments, algorithms)
            elif "functionReference" in content:
                body(content["functionReference"])
            else:
                raise ExpressionError("Invalid functionInvocationValue: no functionName or functionReference.")
            for argument in arguments.values():
                visit(argument)
        elif kind == "bytesValue":
            raise ExpressionError("bytesValue is not implemented by this fake Earth Engine.")
        else:
            raise ExpressionError(f"Invalid ValueNode kind '{kind}'.")

    visit(root)


def _check_invocation(name: str, arguments: Dict[str, Any], algorithms: Dict[str, Signature]) -> None:
    signature = algorithms.get(name)
    if signature is None:
        raise ExpressionError(f"Unknown function: '{name}'.")
    for argument in arguments:
        if argument not in signature.arguments:
            raise ExpressionError(
                f"{name}: Unrecognized argument '{argument}'; the function takes {', '.join(signature.arguments)}."
            )
    for argument in signature.required:
        if argument not in arguments:
            raise ExpressionError(f"{name}: Parameter '{argument}' is required.")
    if name not in IMPLEMENTATIONS:
        raise ExpressionError(f"{name} is a real Earth Engine function, but this fake server does not implement it.")


# --- evaluation ------------------------------------------------------------------------------------------------


class Evaluator:
    """Evaluates one validated expression on a grid of ``shape`` (height, width), with images from ``catalog``."""

    def __init__(
        self,
        expression: Dict[str, Any],
        catalog: Catalog,
        shape: Tuple[int, int],
        algorithms: Optional[Dict[str, Signature]] = None,
    ):
        self.algorithms = algorithms if algorithms is not None else load_algorithms()
        validate(expression, self.algorithms)
        self.root, self.values = _split(expression)
        self.catalog = catalog
        self.shape = tuple(shape)
        self._globals = _Env({})
        self._free: Dict[str, frozenset] = {}

    def run(self) -> Any:
        """The value of the expression's result."""
        return self.value(self.root, self._globals)

    def value(self, node: Dict[str, Any], env: _Env) -> Any:
        """The value of one ValueNode under the argument bindings ``env``."""
        kind, content = next(iter(node.items()))
        if kind == "constantValue":
            return content
        if kind == "integerValue":
            return int(content)
        if kind == "nullValue":
            return None
        if kind == "argumentReference":
            return env.lookup(content)
        if kind == "valueReference":
            return self.reference(content, env)
        if kind == "arrayValue":
            return [self.value(item, env) for item in content.get("values", [])]
        if kind == "dictionaryValue":
            return {key: self.value(item, env) for key, item in content.get("values", {}).items()}
        if kind == "functionDefinitionValue":
            return Function(list(content["argumentNames"]), content["body"], env)
        # functionInvocationValue (validate() left nothing else)
        arguments = {name: self.value(item, env) for name, item in content.get("arguments", {}).items()}
        if "functionName" in content:
            return self.invoke(content["functionName"], arguments)
        target = content["functionReference"]
        function = self.reference(target, env) if isinstance(target, str) else self.value(target, env)
        return self.call(function, arguments)

    def reference(self, key: str, env: _Env) -> Any:
        """A ``valueReference``: a shared subgraph, evaluated once per set of bindings it depends on (once overall
        when it refers to no function argument), so shared images share their computed pixels."""
        cache = env.cache if self._free_arguments(key) else self._globals.cache
        if key not in cache:
            cache[key] = self.value(self.values[key], env)
        return cache[key]

    def _free_arguments(self, key: str) -> frozenset:
        """The argument names the node at ``key`` refers to without binding them itself."""
        if key not in self._free:
            self._free[key] = frozenset()  # a reference cycle ends here
            self._free[key] = self._free_in(self.values[key])
        return self._free[key]

    def _free_in(self, node: Any) -> frozenset:
        """The argument names a node (or a key) refers to without binding them itself."""
        if isinstance(node, str):  # a body or functionReference given as a key
            return self._free_arguments(node)
        kind, content = next(iter(node.items()))
        if kind == "argumentReference":
            return frozenset([content])
        if kind == "valueReference":
            return self._free_arguments(content)
        if kind == "arrayValue":
            return frozenset().union(*(self._free_in(v) for v in content.get("values", [])))
        if kind == "dictionaryValue":
            return frozenset().union(*(self._free_in(v) for v in content.get("values", {}).values()))
        if kind == "functionDefinitionValue":
            return self._free_in(content["body"]) - set(content["argumentNames"])
        if kind == "functionInvocationValue":
            free = frozenset().union(*(self._free_in(v) for v in content.get("arguments", {}).values()))
            if "functionReference" in content:
                free |= self._free_in(content["functionReference"])
            return free
        return frozenset()

    def call(self, function: Any, arguments: Dict[str, Any]) -> Any:
        """Call a user function with arguments by name (``Collection.map`` passes its element positionally)."""
        if not isinstance(function, Function):
            raise ExpressionError(f"Expected a function, got {_kind(function)}.")
        missing = [n for n in function.argument_names if n not in arguments]
        unknown = [n for n in arguments if n not in function.argument_names]
        if missing or unknown:
            raise ExpressionError(f"Function takes {function.argument_names}, called with {sorted(arguments)}.")
        env = _Env(dict(arguments), function.env)
        body = function.body
        return self.value(self.values[body] if isinstance(body, str) else body, env)

    def invoke(self, name: str, arguments: Dict[str, Any]) -> Any:
        """An algorithm call: the signature's defaults for omitted optional arguments, then the implementation."""
        given = dict(self.algorithms[name].defaults)
        given.update(arguments)
        return IMPLEMENTATIONS[name](self, given)


def evaluate(
    expression: Dict[str, Any],
    catalog: Catalog,
    shape: Tuple[int, int],
    algorithms: Optional[Dict[str, Signature]] = None,
) -> Any:
    """Validate then evaluate ``expression`` (an Expression or an inlined ValueNode) on a grid of ``shape``
    (height, width) with images from ``catalog``. Raises ExpressionError for what the server answers with 400."""
    return Evaluator(expression, catalog, shape, algorithms).run()


def band_arrays(image: Image, band_ids: Optional[Sequence[str]] = None) -> Tuple[List[Band], List[PixelArrays]]:
    """The bands named ``band_ids`` (all when None) and their computed (values, mask)."""
    bands = select_bands(image, band_ids)
    return bands, [b.pixels.get() for b in bands]


def select_bands(image: Image, band_ids: Optional[Sequence[str]] = None) -> List[Band]:
    """The bands named ``band_ids`` in that order (all when None), as ``bandIds`` picks them; an unknown name is
    an ExpressionError."""
    if band_ids is None:
        return list(image.bands)
    bands = []
    for name in band_ids:
        band = image.band(name)
        if band is None:
            raise ExpressionError(f"Image.select: Pattern '{name}' did not match any bands.")
        bands.append(band)
    return bands


# --- helpers ---------------------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    """The type name of a value, for error messages."""
    return type(value).__name__


def _expect(value: Any, cls, function: str, argument: str) -> Any:
    """``value`` when it is a ``cls``, else the ExpressionError Earth Engine gives for an argument of the wrong
    type."""
    if not isinstance(value, cls):
        names = cls.__name__ if isinstance(cls, type) else "/".join(c.__name__ for c in cls)
        raise ExpressionError(
            f"{function}, argument '{argument}': Invalid type. Expected type: {names}. Actual type: {_kind(value)}."
        )
    return value


def _as_list(value: Any) -> List[Any]:
    """A list argument that may also be given as one item (or None for none)."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _with_valid(stack: np.ndarray, reduce: Callable[[np.ndarray], np.ndarray]) -> PixelArrays:
    """Reduce a NaN-masked stack over its first axis where at least one value is valid; masked elsewhere. Pixels
    with no valid value are filled before reducing, so numpy neither warns nor depends on warning filters."""
    valid = ~np.isnan(stack).all(axis=0)  # all False for an empty stack
    if not stack.shape[0]:
        return np.zeros(stack.shape[1:]), valid
    filled = np.where(valid, stack, 0.0)
    return np.where(valid, reduce(filled), 0.0), valid


def _stack(images: Sequence[Image], name: str, shape: Tuple[int, ...]) -> np.ndarray:
    """The values of band ``name`` of each image, NaN where masked or where an image lacks the band."""
    layers = []
    for image in images:
        band = image.band(name)
        if band is None:
            layers.append(np.full(shape, np.nan))
        else:
            values, mask = band.pixels.get()
            layers.append(np.where(mask, values, np.nan))
    return np.stack(layers) if layers else np.zeros((0,) + tuple(shape))


def _band_types(images: Sequence[Image]) -> Dict[str, str]:
    """Each band name of a collection (first appearance order, bands matched by name) and its type, the widest
    when images disagree."""
    types: Dict[str, str] = {}
    for image in images:
        for band in image.bands:
            types[band.name] = (
                band.dtype if band.name not in types else np.result_type(types[band.name], band.dtype).name
            )
    return types


def _millis(value: Any, time_zone: Optional[str] = None) -> float:
    """Milliseconds since the epoch of a Date, a number (milliseconds) or a date string (UTC unless
    ``time_zone``), as the Date and DateRange descriptions define them."""
    if isinstance(value, Date):
        return value.millis
    if isinstance(value, bool):
        raise ExpressionError(f"Invalid date: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        zone = ZoneInfo(time_zone) if time_zone else timezone.utc
        text = value.strip().replace("Z", "+00:00")
        try:
            when = (
                datetime.strptime(text, "%Y-%j") if re.fullmatch(r"\d{4}-\d{3}", text) else datetime.fromisoformat(text)
            )
        except ValueError as error:
            raise ExpressionError(f"Invalid date string '{value}': {error}") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=zone)
        return when.timestamp() * 1000.0
    raise ExpressionError(f"Invalid date: {_kind(value)}")


# --- geometry (planar in longitude/latitude; holes ignored) -----------------------------------------------------


def _shells(geometry: Dict[str, Any]) -> List[List[Tuple[float, float]]]:
    """The outer rings (or single points) of a GeoJSON geometry, as lists of (x, y)."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return [[tuple(coordinates)]]
    if kind == "MultiPoint":
        return [[tuple(p)] for p in coordinates]
    if kind == "LineString":
        return [[tuple(p) for p in coordinates]]
    if kind == "Polygon":
        return [[tuple(p) for p in coordinates[0]]]
    if kind == "MultiPolygon":
        return [[tuple(p) for p in polygon[0]] for polygon in coordinates]
    if kind == "GeometryCollection":
        return [shell for g in geometry["geometries"] for shell in _shells(g)]
    raise ExpressionError(f"Geometry type {kind!r} is not implemented by this fake Earth Engine.")


def _edges(ring):
    """The edges of a closed or open ring, as point pairs."""
    return [(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))] if len(ring) > 1 else []


def _orientation(p, q, r) -> float:
    """Twice the signed area of the triangle p, q, r: positive when r is left of p -> q."""
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _on_segment(p, q, r) -> bool:
    """Whether q, collinear with p and r, lies between them."""
    return min(p[0], r[0]) <= q[0] <= max(p[0], r[0]) and min(p[1], r[1]) <= q[1] <= max(p[1], r[1])


def _segments_meet(a, b) -> bool:
    """Whether two segments cross or touch (the orientation test)."""
    (p1, p2), (q1, q2) = a, b
    d1, d2 = _orientation(q1, q2, p1), _orientation(q1, q2, p2)
    d3, d4 = _orientation(p1, p2, q1), _orientation(p1, p2, q2)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return (
        (d1 == 0 and _on_segment(q1, p1, q2))
        or (d2 == 0 and _on_segment(q1, p2, q2))
        or (d3 == 0 and _on_segment(p1, q1, p2))
        or (d4 == 0 and _on_segment(p1, q2, p2))
    )


def _inside(point, ring) -> bool:
    """Even-odd rule, as the Polygon constructor's default ``evenOdd``."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in _edges(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def geometries_intersect(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    """Whether two GeoJSON geometries intersect (boundaries touching counts), with straight edges in
    longitude/latitude: the real Earth Engine uses geodesic edges, which matters only for very long edges."""
    for ring_a in _shells(a):
        for ring_b in _shells(b):
            if any(_segments_meet(e, f) for e in _edges(ring_a) for f in _edges(ring_b)):
                return True
            if _inside(ring_a[0], ring_b) or _inside(ring_b[0], ring_a) or ring_a[0] == ring_b[0]:
                return True
    return False


def _geometry_of(value: Any) -> Dict[str, Any]:
    """The GeoJSON geometry of an image (its footprint), a feature or a geometry."""
    if isinstance(value, (Image, Feature)):
        if value.geometry is None:  # unbounded: intersects everything
            return {"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90]]]}
        return value.geometry
    if isinstance(value, dict) and "type" in value:
        return value
    raise ExpressionError(f"Expected a geometry, got {_kind(value)}.")


def _points(coordinates: Any) -> List[List[float]]:
    """A list of points from a list of Points or of pairs, or a flat list of numbers in x, y order."""
    if coordinates and all(isinstance(c, (int, float)) for c in coordinates):
        return [list(map(float, coordinates[i : i + 2])) for i in range(0, len(coordinates), 2)]
    points = []
    for c in coordinates:
        if isinstance(c, dict) and c.get("type") == "Point":
            c = c["coordinates"]
        points.append([float(c[0]), float(c[1])])
    return points


def _check_crs(function: str, crs: Any) -> None:
    """Geometry constructors: coordinates in EPSG:4326 (the default for numbers) only."""
    if crs not in (None, "EPSG:4326"):
        raise ExpressionError(f"{function}: only EPSG:4326 coordinates are implemented by this fake Earth Engine.")


# --- algorithms: collections, filters, features, dates ----------------------------------------------------------


def _image_collection_load(ev: Evaluator, a: Dict[str, Any]) -> Collection:
    """ImageCollection.load: "Returns the image collection given its ID." (the version is ignored)."""
    images = ev.catalog(a["id"])
    if images is None:
        raise ExpressionError(
            f"ImageCollection.load: ImageCollection asset '{a['id']}' not found (does not exist "
            f"or caller does not have access)."
        )
    return Collection(list(images))


def _collection_filter(ev: Evaluator, a: Dict[str, Any]) -> Collection:
    """Collection.filter: "Applies a filter to a given collection." (filter strings are not implemented)."""
    collection = _expect(a["collection"], Collection, "Collection.filter", "collection")
    if isinstance(a["filter"], str):
        raise ExpressionError("Collection.filter: filter strings are not implemented by this fake Earth Engine.")
    keep = _expect(a["filter"], Filter, "Collection.filter", "filter")
    return Collection([e for e in collection.elements if keep.test(e)])


def _collection_map(ev: Evaluator, a: Dict[str, Any]) -> Collection:
    """Collection.map: "Maps an algorithm over a collection." Nulls are dropped when ``dropNulls``, else an
    error."""
    collection = _expect(a["collection"], Collection, "Collection.map", "collection")
    function = _expect(a["baseAlgorithm"], Function, "Collection.map", "baseAlgorithm")
    if len(function.argument_names) != 1:
        raise ExpressionError("Collection.map: the algorithm must take exactly one argument.")
    results = []
    for element in collection.elements:
        result = ev.call(function, {function.argument_names[0]: element})
        if result is None:
            if not a.get("dropNulls"):
                raise ExpressionError("Collection.map: the mapped algorithm returned null; set dropNulls.")
            continue
        results.append(result)
    return Collection(results)


def _property(element: Any, selector: str) -> Any:
    """A filter's field selector on an element: ``.all`` (the element itself; its geometry for geometry
    filters), ``.geo`` (its geometry) or a property name."""
    if selector == ".all":
        return element
    if selector == ".geo":
        return _geometry_of(element)
    properties = getattr(element, "properties", None) or {}
    return properties.get(selector, _MISSING)


def _binary_filter(name: str, a: Dict[str, Any], passes: Callable[[Any, Any], bool]) -> Filter:
    """A binary filter as the Filter.* descriptions define it: each operand a value (``leftValue``,
    ``rightValue``) or a selector on the element (``leftField``, ``rightField``); a missing property fails."""
    for side in ("left", "right"):
        if (a.get(f"{side}Value") is None) == (a.get(f"{side}Field") is None):
            raise ExpressionError(f"{name}: exactly one of {side}Value and {side}Field must be given.")

    def operand(element: Any, side: str) -> Any:
        selector = a.get(f"{side}Field")
        return a[f"{side}Value"] if selector is None else _property(element, selector)

    def test(element: Any) -> bool:
        left, right = operand(element, "left"), operand(element, "right")
        if left is _MISSING or right is _MISSING or left is None or right is None:
            return False
        return bool(passes(left, right))

    return Filter(test)


def _filter_intersects(ev: Evaluator, a: Dict[str, Any]) -> Filter:
    """Filter.intersects: "passes if the left geometry intersects the right geometry"."""
    return _binary_filter(
        "Filter.intersects", a, lambda left, right: geometries_intersect(_geometry_of(left), _geometry_of(right))
    )


def _filter_date_range_contains(ev: Evaluator, a: Dict[str, Any]) -> Filter:
    """Filter.dateRangeContains: "passes if the left operand, a date range, contains the right operand, a date"
    (start inclusive, end exclusive, as DateRange defines)."""

    def contains(left: Any, right: Any) -> bool:
        _expect(left, DateRange, "Filter.dateRangeContains", "leftValue")
        return left.start <= _millis(right) < left.end

    return _binary_filter("Filter.dateRangeContains", a, contains)


def _list_contains(name: str) -> Callable[[Evaluator, Dict[str, Any]], Filter]:
    """Filter.listContains / Filter.inList: "passes if the left operand, a list, contains the right operand"."""

    def implementation(ev: Evaluator, a: Dict[str, Any]) -> Filter:
        return _binary_filter(name, a, lambda left, right: right in _expect(left, list, name, "left operand"))

    return implementation


def _filter_equals(ev: Evaluator, a: Dict[str, Any]) -> Filter:
    """Filter.equals: "passes if the operands are equal"."""
    return _binary_filter("Filter.equals", a, lambda left, right: left == right)


def _filter_less_than(ev: Evaluator, a: Dict[str, Any]) -> Filter:
    """Filter.lessThan: "passes if the left operand is less than the right operand"."""

    def less(left: Any, right: Any) -> bool:
        if isinstance(left, Date) or isinstance(right, Date):
            left, right = _millis(left), _millis(right)
        return left < right

    return _binary_filter("Filter.lessThan", a, less)


def _filter_not(ev: Evaluator, a: Dict[str, Any]) -> Filter:
    """Filter.not: "passes if the provided filter fails"."""
    inner = _expect(a["filter"], Filter, "Filter.not", "filter")
    return Filter(lambda element: not inner.test(element))


def _filter_and(ev: Evaluator, a: Dict[str, Any]) -> Filter:
    """Filter.and: "passes if each of the component filters pass"."""
    filters = [_expect(f, Filter, "Filter.and", "filters") for f in _as_list(a["filters"])]
    return Filter(lambda element: all(f.test(element) for f in filters))


def _filter_or(ev: Evaluator, a: Dict[str, Any]) -> Filter:
    """Filter.or: passes if any of the component filters passes."""
    filters = [_expect(f, Filter, "Filter.or", "filters") for f in _as_list(a["filters"])]
    return Filter(lambda element: any(f.test(element) for f in filters))


def _feature(ev: Evaluator, a: Dict[str, Any]) -> Feature:
    """Feature: "a Feature composed of the given geometry and metadata"."""
    geometry = a.get("geometry")
    if isinstance(geometry, Feature):
        geometry = geometry.geometry
    return Feature(geometry, dict(a.get("metadata") or {}))


def _polygon(ev: Evaluator, a: Dict[str, Any]) -> Dict[str, Any]:
    """GeometryConstructors.Polygon: "A list of LinearRings where the first is the shell and the rest are holes,
    or for a simple polygon, a list of Points or pairs of Numbers in x,y order", as GeoJSON (rings closed)."""
    _check_crs("GeometryConstructors.Polygon", a.get("crs"))
    coordinates = a["coordinates"]
    simple = coordinates and (
        isinstance(coordinates[0], (int, float))
        or (isinstance(coordinates[0], dict) and coordinates[0].get("type") == "Point")
        or (isinstance(coordinates[0], list) and coordinates[0] and isinstance(coordinates[0][0], (int, float)))
    )
    rings = [_points(coordinates)] if simple else [_points(ring) for ring in coordinates]
    for ring in rings:
        if ring and ring[0] != ring[-1]:
            ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": rings}


def _rectangle(ev: Evaluator, a: Dict[str, Any]) -> Dict[str, Any]:
    """GeometryConstructors.Rectangle: from two corner points (or xMin, yMin, xMax, yMax), as a GeoJSON
    Polygon."""
    _check_crs("GeometryConstructors.Rectangle", a.get("crs"))
    (x0, y0), (x1, y1) = _points(a["coordinates"])
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _date(ev: Evaluator, a: Dict[str, Any]) -> Date:
    """Date: from milliseconds since the epoch or a date string (UTC unless ``timeZone``)."""
    return Date(_millis(a["value"], a.get("timeZone")))


def _date_range(ev: Evaluator, a: Dict[str, Any]) -> DateRange:
    """DateRange: "start (inclusive) and end (exclusive) ... If 'end' is not specified, a 1-millisecond range
    starting at 'start' is created." Strings are read in ``timeZone``, UTC by default."""
    start = _millis(a["start"], a.get("timeZone"))
    end = start + 1 if a.get("end") is None else _millis(a["end"], a.get("timeZone"))
    return DateRange(start, end)


# --- algorithms: images ----------------------------------------------------------------------------------------


def _image_select(ev: Evaluator, a: Dict[str, Any]) -> Image:
    """Image.select: "Selects bands from an image by name, RE2-compatible regex, or index and optionally renames
    them." A selector matches whole band names; each selector's matches in image order."""
    image = _expect(a["input"], Image, "Image.select", "input")
    chosen: List[Band] = []
    for selector in _as_list(a["bandSelectors"]):
        if isinstance(selector, (int, float)) and not isinstance(selector, bool):
            index = int(selector)
            if not 0 <= index < len(image.bands):
                raise ExpressionError(
                    f"Image.select: Band index {index} out of bounds; the image has {len(image.bands)} bands."
                )
            chosen.append(image.bands[index])
            continue
        matches = [b for b in image.bands if re.fullmatch(str(selector), b.name)]
        if not matches:
            raise ExpressionError(f"Image.select: Pattern '{selector}' did not match any bands.")
        chosen.extend(matches)
    new_names = a.get("newNames")
    if new_names is not None:
        if len(new_names) != len(chosen):
            raise ExpressionError(f"Image.select: {len(chosen)} bands selected but {len(new_names)} new names.")
        chosen = [b.renamed(n) for b, n in zip(chosen, new_names)]
    return Image(chosen, image.properties, image.geometry)


def _image_rename(ev: Evaluator, a: Dict[str, Any]) -> Image:
    """Image.rename: "New names for the image's bands. Must exactly match the number of bands in input."."""
    image = _expect(a["input"], Image, "Image.rename", "input")
    names = _as_list(a["names"])
    if len(names) != len(image.bands):
        raise ExpressionError(f"Image.rename: Can't rename {len(image.bands)} bands to {len(names)} names.")
    return Image([b.renamed(n) for b, n in zip(image.bands, names)], image.properties, image.geometry)


def _image_add_bands(ev: Evaluator, a: Dict[str, Any]) -> Image:
    """Image.addBands: all bands of ``dstImg`` then the (``names``) bands of ``srcImg``; a name already present
    is overwritten in place when ``overwrite``, else the new band gets a numerical suffix (foo_1, foo_2, ...).
    Metadata and footprint from ``dstImg``."""
    destination = _expect(a["dstImg"], Image, "Image.addBands", "dstImg")
    source = _expect(a["srcImg"], Image, "Image.addBands", "srcImg")
    added = source.bands if a.get("names") is None else [_select_one(source, n) for n in a["names"]]
    bands = list(destination.bands)
    for band in added:
        names = [b.name for b in bands]
        if band.name in names:
            if a.get("overwrite"):
                bands[names.index(band.name)] = band
                continue
            suffix = 1
            while f"{band.name}_{suffix}" in names:
                suffix += 1
            band = band.renamed(f"{band.name}_{suffix}")
        bands.append(band)
    return Image(bands, destination.properties, destination.geometry)


def _select_one(image: Image, name: str) -> Band:
    """The band called ``name``, or the error Image.select gives."""
    band = image.band(name)
    if band is None:
        raise ExpressionError(f"Image.select: Pattern '{name}' did not match any bands.")
    return band


def _constant_type(value: float) -> str:
    """The type assumed for a constant: the smallest integer type holding a whole number, else float64."""
    if float(value).is_integer():
        for dtype in ("uint8", "int8", "uint16", "int16", "uint32", "int32"):
            info = np.iinfo(dtype)
            if info.min <= value <= info.max:
                return dtype
        return "int64"
    return "float64"


def _image_constant(ev: Evaluator, a: Dict[str, Any]) -> Image:
    """Image.constant: "an image containing a constant value everywhere"; a list gives one band per value,
    named ``constant`` for one value, else ``constant_0``, ``constant_1``, ..."""
    values = _as_list(a["value"])
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ExpressionError(
            "Image.constant: the value must be a number or a list of numbers (arrays are not "
            "implemented by this fake Earth Engine)."
        )
    names = ["constant"] if len(values) == 1 else [f"constant_{i}" for i in range(len(values))]
    shape = ev.shape
    bands = [
        Band(n, _constant_type(v), Pixels(lambda v=v: (np.full(shape, float(v)), np.ones(shape, bool))))
        for n, v in zip(names, values)
    ]
    return Image(bands)


def _pairs(name: str, first: Image, second: Image) -> List[Tuple[str, Band, Band]]:
    """Band pairs of a binary image operation: "If either image1 or image2 has only 1 band, then it is used
    against all the bands in the other image. If the images have the same number of bands, but not the same
    names, they're used pairwise in the natural order. The output bands are named for the longer of the two
    inputs, or if they're equal in length, in image1's order."."""
    n1, n2 = len(first.bands), len(second.bands)
    if n1 == n2:
        return [(b1.name, b1, b2) for b1, b2 in zip(first.bands, second.bands)]
    if n2 == 1:
        return [(b1.name, b1, second.bands[0]) for b1 in first.bands]
    if n1 == 1:
        return [(b2.name, first.bands[0], b2) for b2 in second.bands]
    raise ExpressionError(f"{name}: Images must contain the same number of bands or only 1 band. Got {n1} and {n2}.")


def _comparison(name: str, compare: Callable[[np.ndarray, np.ndarray], np.ndarray]):
    """An Image comparison (gte, gt, lt, lte, eq, neq): 1 where it holds, else 0, boolean (uint8); masked where
    either input is."""

    def implementation(ev: Evaluator, a: Dict[str, Any]) -> Image:
        first = _expect(a["image1"], Image, name, "image1")
        second = _expect(a["image2"], Image, name, "image2")

        def compute(b1: Band, b2: Band) -> PixelArrays:
            (v1, m1), (v2, m2) = b1.pixels.get(), b2.pixels.get()
            return compare(v1, v2).astype(float), m1 & m2

        bands = [
            Band(n, "uint8", Pixels(functools.partial(compute, b1, b2))) for n, b1, b2 in _pairs(name, first, second)
        ]
        return Image(bands, first.properties, first.geometry)

    return implementation


def _image_update_mask(ev: Evaluator, a: Dict[str, Any]) -> Image:
    """Image.updateMask: "Updates an image's mask at all positions where the existing mask is not zero." A
    one-band mask applies to every band, else band by band. A mask value is valid where not zero and where the
    mask image itself is not masked (the fake's masks are boolean; fractional masks count as valid)."""
    image = _expect(a["image"], Image, "Image.updateMask", "image")
    mask_image = _expect(a["mask"], Image, "Image.updateMask", "mask")
    if len(mask_image.bands) == 1:
        masks = [mask_image.bands[0]] * len(image.bands)
    elif len(mask_image.bands) == len(image.bands):
        masks = mask_image.bands
    else:
        raise ExpressionError(
            f"Image.updateMask: the mask has {len(mask_image.bands)} bands; expected 1 or {len(image.bands)}."
        )

    def compute(band: Band, mask_band: Band) -> PixelArrays:
        (values, mask), (mask_values, mask_mask) = band.pixels.get(), mask_band.pixels.get()
        return values, mask & mask_mask & (mask_values != 0)

    bands = [replace(b, pixels=Pixels(functools.partial(compute, b, m))) for b, m in zip(image.bands, masks)]
    return Image(bands, image.properties, image.geometry)


def _unary(name: str, operation: Callable[[np.ndarray], np.ndarray], dtype: Optional[str] = None):
    """A per-pixel operation on every band, the mask unchanged; the type ``dtype``, or kept when None."""

    def implementation(ev: Evaluator, a: Dict[str, Any]) -> Image:
        image = _expect(a["value"], Image, name, "value")

        def compute(band: Band) -> PixelArrays:
            values, mask = band.pixels.get()
            return operation(values), mask

        bands = [Band(b.name, dtype or b.dtype, Pixels(functools.partial(compute, b))) for b in image.bands]
        return Image(bands, image.properties, image.geometry)

    return implementation


def round_half_away_from_zero(values: np.ndarray) -> np.ndarray:
    """Image.round ("the integer nearest to the input") with halves away from zero: floor(x + 0.5) for x >= 0, as
    Java's Math.round; for negative halves Java would round up instead, and which one Earth Engine does is not
    documented (no negative value reaches it in this project)."""
    return np.where(values >= 0, np.floor(values + 0.5), -np.floor(-values + 0.5))


def _cast(dtype: str) -> Callable[[np.ndarray], np.ndarray]:
    """Image.to<Type>: integers clamp to the type's range and drop the fraction (a cast truncates toward zero);
    floats round to the type's precision."""
    if np.issubdtype(np.dtype(dtype), np.integer):
        info = np.iinfo(dtype)
        return lambda values: np.trunc(np.clip(np.nan_to_num(values), info.min, info.max))
    return lambda values: values.astype(dtype).astype(float)


def _image_link_collection(ev: Evaluator, a: Dict[str, Any]) -> Image:
    """Image.linkCollection: add or overwrite ``linkedBands`` and ``linkedProperties`` from the image of
    ``imageCollection`` with the same ``matchPropertyName`` (default ``system:index``); "If a matching image is
    not found, any new or updated bands will be fully masked and any new or updated metadata will be null." The
    footprint stays the source's."""
    image = _expect(a["input"], Image, "Image.linkCollection", "input")
    collection = _expect(a["imageCollection"], Collection, "Image.linkCollection", "imageCollection")
    key = a.get("matchPropertyName") or "system:index"
    wanted = image.properties.get(key, _MISSING)
    match = next(
        (
            e
            for e in collection.elements
            if wanted is not _MISSING and getattr(e, "properties", {}).get(key, _MISSING) == wanted
        ),
        None,
    )
    types = _band_types(collection.elements)
    shape = ev.shape
    bands = list(image.bands)
    for name in _as_list(a.get("linkedBands")):
        if match is not None:
            linked = _select_one(match, name)
        else:  # the type of the band elsewhere in the collection; float64 if no image has it
            linked = Band(name, types.get(name, "float64"), Pixels(lambda: (np.zeros(shape), np.zeros(shape, bool))))
        names = [b.name for b in bands]
        if name in names:
            bands[names.index(name)] = linked
        else:
            bands.append(linked)
    properties = dict(image.properties)
    for name in _as_list(a.get("linkedProperties")):
        properties[name] = None if match is None else match.properties.get(name)
    return Image(bands, properties, image.geometry)


# --- algorithms: reducers and composites -----------------------------------------------------------------------


def _output(name: str, reduce: Callable[[np.ndarray], np.ndarray], dtype: Optional[str]) -> ReducerOutput:
    """A reducer output from a numpy reduction over the stack's first axis (masked where no value is valid)."""
    return ReducerOutput(name, lambda stack: _with_valid(stack, reduce), dtype)


def _count(stack: np.ndarray) -> PixelArrays:
    """The number of unmasked observations; 0, and unmasked, where there is none."""
    return (~np.isnan(stack)).sum(axis=0).astype(float), np.ones(stack.shape[1:], bool)


MEDIAN = _output("median", lambda s: np.nanmedian(s, axis=0), "float64")
MEAN = _output("mean", lambda s: np.nanmean(s, axis=0), "float64")
MINIMUM = _output("min", lambda s: np.nanmin(s, axis=0), None)
MAXIMUM = _output("max", lambda s: np.nanmax(s, axis=0), None)
COUNT = ReducerOutput("count", _count, "int32")


def nan_percentile(stack: np.ndarray, percentile: float) -> np.ndarray:
    """``numpy.nanpercentile(stack, percentile, axis=0, method="linear")``, computed for all pixels with the same
    number of valid values at once: ``numpy.percentile`` over each pixel's valid values (sorted first, NaN last),
    which is what nanpercentile does one pixel at a time (its per-pixel loop is far too slow for a grid)."""
    ordered = np.sort(stack, axis=0)
    counts = (~np.isnan(stack)).sum(axis=0)
    result = np.full(stack.shape[1:], np.nan)
    for count in np.unique(counts):
        if count:
            here = counts == count
            result[here] = np.percentile(ordered[:count][:, here], percentile, axis=0, method="linear")
    return result


def _reducer_percentile(ev: Evaluator, a: Dict[str, Any]) -> Reducer:
    """Reducer.percentile: outputs named ``outputNames`` or ``p<percentile>``, numpy.nanpercentile's values
    (linear interpolation; see the module docstring for how Earth Engine may differ)."""
    percentiles = [float(p) for p in _as_list(a["percentiles"])]
    if any(not 0 <= p <= 100 for p in percentiles):
        raise ExpressionError("Reducer.percentile: percentiles must be between 0 and 100.")
    names = a.get("outputNames")
    names = [f"p{p:g}" for p in percentiles] if names is None else list(names)
    if len(names) != len(percentiles):
        raise ExpressionError(f"Reducer.percentile: {len(percentiles)} percentiles but {len(names)} output names.")
    return Reducer(
        tuple(_output(n, lambda s, p=p: nan_percentile(s, p), "float64") for n, p in zip(names, percentiles))
    )


def _simple_reducer(output: ReducerOutput, name: str):
    """Reducer.median / mean / min / max / count with one input (bucket and raw-size options ignored: numpy
    computes exactly)."""

    def implementation(ev: Evaluator, a: Dict[str, Any]) -> Reducer:
        if int(a.get("numInputs") or 1) != 1:
            raise ExpressionError(f"{name}: numInputs other than 1 is not implemented by this fake Earth Engine.")
        return Reducer((output,))

    return implementation


def _reducer_combine(ev: Evaluator, a: Dict[str, Any]) -> Reducer:
    """Reducer.combine: "outputs will be those of reducer1 followed by those of reducer2, where the output names
    of reducer2 are prefixed with the given string"; with ``sharedInputs`` both read the same inputs, else the
    inputs are reducer1's followed by reducer2's."""
    first = _expect(a["reducer1"], Reducer, "Reducer.combine", "reducer1")
    second = _expect(a["reducer2"], Reducer, "Reducer.combine", "reducer2")
    prefix = a.get("outputPrefix") or ""
    if a.get("sharedInputs"):
        if first.inputs != second.inputs:
            raise ExpressionError("Reducer.combine: reducers with shared inputs must have the same number of inputs.")
        shift, inputs = 0, first.inputs
    else:
        shift, inputs = first.inputs, first.inputs + second.inputs
    renamed = tuple(replace(o, name=prefix + o.name, input_index=o.input_index + shift) for o in second.outputs)
    return Reducer(first.outputs + renamed, inputs)


def _reduce(collection: Collection, output: ReducerOutput, shape: Tuple[int, int], named) -> Image:
    """One output per band of the collection (bands matched by name, in first appearance order)."""
    images = collection.elements
    types = _band_types(images)
    bands = [
        Band(
            named(name),
            output.dtype or dtype,
            Pixels(functools.partial(lambda n: output.reduce(_stack(images, n, shape)), name)),
        )
        for name, dtype in types.items()
    ]
    return Image(bands)


def _reduce_to(output: ReducerOutput, name: str):
    """reduce.median / mean / min / max / count: "Reduces an image collection by calculating the <statistic>
    ... across the stack of all matching bands. Bands are matched by name." Band names are kept."""

    def implementation(ev: Evaluator, a: Dict[str, Any]) -> Image:
        collection = _expect(a["collection"], Collection, name, "collection")
        return _reduce(collection, output, ev.shape, lambda band: band)

    return implementation


def _image_collection_reduce(ev: Evaluator, a: Dict[str, Any]) -> Image:
    """ImageCollection.reduce: a single-input reducer is applied to each band and names its outputs
    ``<band>_<output>`` (band-major order); a multi-input reducer needs as many bands as inputs and uses its
    output names directly."""
    collection = _expect(a["collection"], Collection, "ImageCollection.reduce", "collection")
    reducer = _expect(a["reducer"], Reducer, "ImageCollection.reduce", "reducer")
    if reducer.inputs == 1:
        images = [_reduce(collection, o, ev.shape, lambda band, o=o: f"{band}_{o.name}") for o in reducer.outputs]
        count = len(images[0].bands) if images else 0
        return Image([image.bands[i] for i in range(count) for image in images])
    types = _band_types(collection.elements)
    if len(types) != reducer.inputs:
        raise ExpressionError(
            f"ImageCollection.reduce: the reducer takes {reducer.inputs} inputs but the "
            f"collection has {len(types)} bands."
        )
    names = list(types)
    images = collection.elements
    return Image(
        [
            Band(
                o.name,
                o.dtype or types[names[o.input_index]],
                Pixels(functools.partial(lambda o: o.reduce(_stack(images, names[o.input_index], ev.shape)), o)),
            )
            for o in reducer.outputs
        ]
    )


def _quality_mosaic(ev: Evaluator, a: Dict[str, Any]) -> Image:
    """ImageCollection.qualityMosaic: "Composites all the images in a collection, using a quality band as a
    per-pixel ordering function": per pixel, every band of the image whose quality band is unmasked and highest;
    ties go to the last image in collection order (as a mosaic, later images on top). Types are kept."""
    collection = _expect(a["collection"], Collection, "ImageCollection.qualityMosaic", "collection")
    quality = a["qualityBand"]
    images = collection.elements
    shape = ev.shape

    @functools.cache
    def chosen() -> np.ndarray:
        best, index = np.full(shape, -np.inf), np.full(shape, -1)
        for i, image in enumerate(images):
            values, mask = _select_one(image, quality).pixels.get()
            better = mask & (values >= best)  # >=: a later image wins a tie
            best, index = np.where(better, values, best), np.where(better, i, index)
        return index

    def compute(name: str) -> PixelArrays:
        index = chosen()
        values, mask = np.zeros(shape), np.zeros(shape, bool)
        for i, image in enumerate(images):
            band = image.band(name)
            if band is not None:
                here = index == i
                band_values, band_mask = band.pixels.get()
                values, mask = np.where(here, band_values, values), np.where(here, band_mask, mask)
        return values, mask

    return Image([Band(n, t, Pixels(functools.partial(compute, n))) for n, t in _band_types(images).items()])


# --- the dispatch table ----------------------------------------------------------------------------------------

_CASTS = {
    "toUint8": "uint8",
    "toUint16": "uint16",
    "toUint32": "uint32",
    "toInt8": "int8",
    "toInt16": "int16",
    "toInt32": "int32",
    "toInt64": "int64",
    "toFloat": "float32",
    "toDouble": "float64",
}

IMPLEMENTATIONS: Dict[str, Callable[[Evaluator, Dict[str, Any]], Any]] = {
    "ImageCollection.load": _image_collection_load,
    "Collection.filter": _collection_filter,
    "Collection.map": _collection_map,
    "Filter.intersects": _filter_intersects,
    "Filter.dateRangeContains": _filter_date_range_contains,
    "Filter.listContains": _list_contains("Filter.listContains"),
    "Filter.inList": _list_contains("Filter.inList"),
    "Filter.equals": _filter_equals,
    "Filter.lessThan": _filter_less_than,
    "Filter.not": _filter_not,
    "Filter.and": _filter_and,
    "Filter.or": _filter_or,
    "Feature": _feature,
    "GeometryConstructors.Polygon": _polygon,
    "GeometryConstructors.Rectangle": _rectangle,
    "Date": _date,
    "DateRange": _date_range,
    "Image.linkCollection": _image_link_collection,
    "Image.select": _image_select,
    "Image.rename": _image_rename,
    "Image.addBands": _image_add_bands,
    "Image.constant": _image_constant,
    "Image.gte": _comparison("Image.gte", np.greater_equal),
    "Image.gt": _comparison("Image.gt", np.greater),
    "Image.lte": _comparison("Image.lte", np.less_equal),
    "Image.lt": _comparison("Image.lt", np.less),
    "Image.eq": _comparison("Image.eq", np.equal),
    "Image.neq": _comparison("Image.neq", np.not_equal),
    "Image.updateMask": _image_update_mask,
    "Image.round": _unary("Image.round", round_half_away_from_zero),
    **{f"Image.{name}": _unary(f"Image.{name}", _cast(dtype), dtype) for name, dtype in _CASTS.items()},
    "reduce.median": _reduce_to(MEDIAN, "reduce.median"),
    "reduce.mean": _reduce_to(MEAN, "reduce.mean"),
    "reduce.min": _reduce_to(MINIMUM, "reduce.min"),
    "reduce.max": _reduce_to(MAXIMUM, "reduce.max"),
    "reduce.count": _reduce_to(COUNT, "reduce.count"),
    "Reducer.percentile": _reducer_percentile,
    "Reducer.median": _simple_reducer(MEDIAN, "Reducer.median"),
    "Reducer.mean": _simple_reducer(MEAN, "Reducer.mean"),
    "Reducer.min": _simple_reducer(MINIMUM, "Reducer.min"),
    "Reducer.max": _simple_reducer(MAXIMUM, "Reducer.max"),
    "Reducer.count": _simple_reducer(COUNT, "Reducer.count"),
    "Reducer.combine": _reducer_combine,
    "ImageCollection.reduce": _image_collection_reduce,
    "ImageCollection.qualityMosaic": _quality_mosaic,
}
"""Function name -> implementation(evaluator, arguments with defaults filled in)."""
