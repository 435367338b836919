"""A small table (a feature sink, e.g. ``evaluatemask``'s scores as CSV) written like every other file of the plugin:
under a hidden temporary name, read back and counted, then renamed into place.

QGIS writes a sink to a file with ``QgsVectorFileWriter``, which replaces an existing file of that name before it
writes: a full disk would leave neither the old table nor a whole new one. For a destination that is one file
(``.csv``, ``.gpkg``, ``.geojson``, ``.xlsx``...) the sink is therefore created at a temporary name beside it
(``core.atomic_file.atomic_path``), filled, closed, opened again and its features counted, and only then renamed
onto the destination; the layer QGIS loads when the run ends is moved to the destination's name too. Other
destinations (a temporary layer, a table inside a database) are written as QGIS writes them.

A CSV holds no types: its numbers are written unquoted (GDAL quotes 64-bit integers by default) and a ``.csvt``
sidecar beside it, written the same verified way, names each column's type, so OGR (``ogrinfo``, QGIS's ``ogr``
layers) and spreadsheet tools read the counts as integers and the ratios as reals, not as text.
"""

import re
from pathlib import Path
from typing import Any, Dict, List, Sequence

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsVectorLayer,
)

from ..core.atomic_file import atomic_bytes, atomic_path, free_space_note, write_error
from ..core.errors import WriteError
from ..qgis_compat import FieldType

SINGLE_FILE_SUFFIXES = (".csv", ".gpkg", ".geojson", ".json", ".xlsx", ".ods", ".sqlite", ".fgb", ".gml", ".kml")
"""Destinations that are one file, written atomically (a shapefile is several files: written as QGIS writes it)."""

PROVIDER_URI = re.compile(r"^[A-Za-z][A-Za-z0-9_]+:")
"""``memory:``, ``ogr:dbname=...``, ``postgres:``: destinations that are not a plain file path (``C:`` is)."""


CSV_LAYER_OPTIONS = ["STRING_QUOTING=IF_NEEDED"]
"""GDAL's CSV layer options: quote only text that needs it (by default GDAL quotes 64-bit integers too)."""


def csvt_text(fields: QgsFields) -> str:
    """The ``.csvt`` line naming the OGR type of each of ``fields`` (``Integer64``, ``Real``... else ``String``)."""
    names = {
        FieldType.Double: "Real",
        FieldType.LongLong: "Integer64",
        FieldType.Int: "Integer",
        FieldType.Date: "Date",
        FieldType.DateTime: "DateTime",
    }
    return ",".join(names.get(field.type(), "String") for field in fields) + "\n"


def _redirected(parameters: Dict[str, Any], name: str, path: Path) -> Dict[str, Any]:
    """``parameters`` with the sink ``name`` sent to ``path``, keeping the original's load-on-completion details."""
    value = parameters.get(name)
    definition = QgsProcessingOutputLayerDefinition(str(path))
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        definition.destinationProject = value.destinationProject
        definition.destinationName = value.destinationName
        definition.createOptions = value.createOptions
    return dict(parameters, **{name: definition})


def _fill(sink, fields: QgsFields, rows: Sequence[List[Any]], destination: str) -> None:
    for row in rows:
        feature = QgsFeature(fields)
        feature.setAttributes(list(row))
        if not sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert):
            reason = sink.lastError() if hasattr(sink, "lastError") else ""
            raise write_error(destination, reason or "QGIS could not add a row")


def write_table(
    algorithm: QgsProcessingAlgorithm,
    parameters: Dict[str, Any],
    name: str,
    context: QgsProcessingContext,
    fields: QgsFields,
    geometry_type,
    crs,
    rows: Sequence[List[Any]],
) -> str:
    """Create the sink ``name`` and add one feature without geometry per row (attributes in ``fields``' order);
    returns the destination's id, as ``parameterAsSink`` does.

    A destination that is one local file is written under a temporary name, read back (its features counted) and
    renamed into place only when complete.

    Raises:
        QgsProcessingException: the sink cannot be created, or the file could not be written completely (the
            message names ``name``, the file and the reason); an older file of that name is untouched.
    """
    destination = algorithm.parameterAsOutputLayer(parameters, name, context) or ""
    target = Path(destination)
    if PROVIDER_URI.match(destination) or target.suffix.lower() not in SINGLE_FILE_SUFFIXES:
        sink, sink_id = algorithm.parameterAsSink(parameters, name, context, fields, geometry_type, crs)
        if sink is None:
            raise QgsProcessingException(algorithm.invalidSinkError(parameters, name))
        try:
            _fill(sink, fields, rows, destination)
        except WriteError as error:
            raise QgsProcessingException(f"{name}: {error}") from error
        return sink_id
    try:
        with atomic_path(target) as partial:
            partial.unlink()  # QGIS's writer creates the file itself (an empty one would be taken for a layer)
            redirected = _redirected(parameters, name, partial)
            csv = target.suffix.lower() == ".csv"
            sink, sink_id = algorithm.parameterAsSink(
                redirected, name, context, fields, geometry_type, crs, layerOptions=CSV_LAYER_OPTIONS if csv else []
            )
            if sink is None:
                raise QgsProcessingException(algorithm.invalidSinkError(parameters, name))
            _fill(sink, fields, rows, destination)
            del sink  # closes the file
            layer = QgsVectorLayer(str(partial), "check", "ogr")
            count = layer.featureCount() if layer.isValid() else -1
            del layer
            if count != len(rows):
                raise write_error(
                    target, f"the table read back has {max(count, 0)} of its {len(rows)} rows" + free_space_note(target)
                )
        if csv:  # once the table is in place (a partial .csvt's sweep would take the table's partial file too)
            atomic_bytes(target.with_suffix(".csvt"), csvt_text(fields).encode("ascii"), "column types ")
    except WriteError as error:
        raise QgsProcessingException(f"{name}: {error}") from error
    details = context.layersToLoadOnCompletion()
    moved = details.pop(sink_id, None) or details.pop(str(partial), None)
    if moved is not None:
        details[str(target)] = moved
        context.setLayersToLoadOnCompletion(details)
    return str(target)
