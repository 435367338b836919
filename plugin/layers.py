"""Load a composite GeoTIFF as styled QGIS layers: RGB reflectance, the valid-observation count, statistics.

Output bands are described ``<band>_<statistic>`` (``B4_median``, ``B4_p25``, ..., then ``count``); older
composites describe them by the band alone (``B4``). Both are read here.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import rasterio
from qgis.core import (
    QgsColorRampShader,
    QgsContrastEnhancement,
    QgsLayerTreeGroup,
    QgsMultiBandColorRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsRasterShader,
    QgsSingleBandPseudoColorRenderer,
    QgsStyle,
)
from qgis.PyQt.QtCore import QT_TR_NOOP

from .core.engines import EXPORT, SERVERS, THIS_COMPUTER
from .core.orbits import BLENDED, ORBIT_LABELS, SEAM_LABELS
from .core.output_paths import same_file
from .core.result_names import compact_period
from .qgis_compat import title_and_abstract_owner
from .translation import tr, translated

log = logging.getLogger(__name__)

STRETCH_TO_MIN_MAX = QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum
"""Linear stretch between a minimum and a maximum value (the display stretch of reflectance)."""

TRUE_COLOUR = ("B4", "B3", "B2")
"""Red, green, blue bands of the true-colour view (Earth Engine's Cloud Score+ example)."""

BAND_COMBINATIONS: Dict[str, Tuple[str, str, str]] = {
    QT_TR_NOOP("True colour (B4/B3/B2)"): TRUE_COLOUR,
    QT_TR_NOOP("False colour infrared (B8/B4/B3)"): ("B8", "B4", "B3"),
    QT_TR_NOOP("Short-wave infrared (B12/B8A/B4)"): ("B12", "B8A", "B4"),
    QT_TR_NOOP("Agriculture (B11/B8/B2)"): ("B11", "B8", "B2"),
    QT_TR_NOOP("Geology (B12/B11/B2)"): ("B12", "B11", "B2"),
    QT_TR_NOOP("Vegetation and water (B8/B11/B2)"): ("B8", "B11", "B2"),
}
"""Common Sentinel-2 RGB band combinations (as in the Copernicus Browser and Sentinel Hub's custom scripts); the
English name is the key (remembered in the settings), ``translated(name)`` what the user reads."""

REFLECTANCE_STRETCH = (0, 2500)
"""Display stretch of reflectance DN (scale 10000), as in Earth Engine's example: 0..0.25 reflectance."""

COUNT_BAND = "count"
COUNT_RAMP = "Viridis"

MONTHS = (
    QT_TR_NOOP("Jan"),
    QT_TR_NOOP("Feb"),
    QT_TR_NOOP("Mar"),
    QT_TR_NOOP("Apr"),
    QT_TR_NOOP("May"),
    QT_TR_NOOP("Jun"),
    QT_TR_NOOP("Jul"),
    QT_TR_NOOP("Aug"),
    QT_TR_NOOP("Sep"),
    QT_TR_NOOP("Oct"),
    QT_TR_NOOP("Nov"),
    QT_TR_NOOP("Dec"),
)
"""Month abbreviations of layer and group names (``translated(month)`` is what the user reads)."""

COMPUTED = {
    SERVERS: QT_TR_NOOP("Computed on Earth Engine's servers."),
    THIS_COMPUTER: QT_TR_NOOP("Computed on this computer."),
    EXPORT: QT_TR_NOOP("Computed by an export to Cloud Storage."),
}
"""Where the composite was computed (``CLOUDSCORE_ENGINE``), for the abstract."""

OUTPUT_PROPERTY = "cloudscore_composite/output"
"""Custom property of a result's layer group: the composite file its layers show (kept in the project), so that a
rerun to the same file replaces the group."""

PREFERRED_STATISTICS = (None, "median", "p50", "mean", "best")
"""Statistic shown when a composite holds several: a plain band (older files), the median, the 50th
percentile, the mean, the best pixel; otherwise the first statistic in the file."""


def split_band_name(description: str) -> Tuple[str, Optional[str]]:
    """(band, statistic) of an output band description: ``B4_p25`` -> (``B4``, ``p25``), ``B4`` -> (``B4``, None)."""
    band, separator, statistic = description.partition("_")
    return (band, statistic) if separator else (description, None)


def find_band(descriptions: Sequence[str], band: str, statistic: Optional[str] = None) -> int:
    """1-based number of ``band`` among a composite's band ``descriptions``.

    Without ``statistic``, the one of ``PREFERRED_STATISTICS`` first present, else the band's first statistic;
    with one, exactly ``<band>_<statistic>``.

    Raises:
        KeyError: the band (with that statistic) is not in the file.
    """
    found = {
        split_band_name(d)[1]: i + 1
        for i, d in reversed(list(enumerate(descriptions)))
        if d and split_band_name(d)[0] == band
    }
    if statistic is not None:
        if statistic not in found:
            raise KeyError(f"{band}_{statistic}")
        return found[statistic]
    for preferred in PREFERRED_STATISTICS:
        if preferred in found:
            return found[preferred]
    if not found:
        raise KeyError(band)
    return min(found.values())


def band_numbers(path: Path, names: Iterable[str], statistic: Optional[str] = None) -> Tuple[int, ...]:
    """1-based band numbers of the bands ``names`` (``B4``...) in a composite file (see ``find_band``).

    Raises:
        KeyError: a name is not among the file's bands.
    """
    with rasterio.open(path) as src:
        descriptions = list(src.descriptions)
    return tuple(find_band(descriptions, name, statistic) for name in names)


def statistics(descriptions: Sequence[str]) -> List[str]:
    """The statistics of a composite's bands in file order, e.g. ``["p25", "p50", "p75"]`` ([] for plain bands)."""
    found = [split_band_name(d)[1] for d in descriptions if d and d != COUNT_BAND]
    return list(dict.fromkeys(s for s in found if s))


def style_rgb(layer: QgsRasterLayer, bands: Sequence[int], stretch: Tuple[float, float] = REFLECTANCE_STRETCH) -> None:
    """Show three bands of ``layer`` as red, green, blue, each stretched linearly over ``stretch``."""
    renderer = QgsMultiBandColorRenderer(layer.dataProvider(), *bands)
    setters = (
        renderer.setRedContrastEnhancement,
        renderer.setGreenContrastEnhancement,
        renderer.setBlueContrastEnhancement,
    )
    for band, setter in zip(bands, setters):
        enhancement = QgsContrastEnhancement(layer.dataProvider().dataType(band))
        enhancement.setContrastEnhancementAlgorithm(STRETCH_TO_MIN_MAX)
        enhancement.setMinimumValue(stretch[0])
        enhancement.setMaximumValue(stretch[1])
        setter(enhancement)
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def style_band_combination(
    layer: QgsRasterLayer, combination: Sequence[str] = TRUE_COLOUR, statistic: Optional[str] = None
) -> Tuple[str, str, str]:
    """Show a composite layer as RGB ``combination`` (band names such as ``B8``, ``B4``, ``B3``), 0..2500.

    When the composite lacks a band of ``combination`` (a band subset), true colour is shown if it has B4, B3
    and B2, else its first three spectral bands; a warning is logged.

    Returns:
        the band descriptions shown as red, green, blue (``combination`` itself unless a band was missing).
    """
    with rasterio.open(layer.source()) as src:
        descriptions = list(src.descriptions)
    for candidate in (tuple(combination), TRUE_COLOUR):
        try:
            bands = tuple(find_band(descriptions, name, statistic) for name in candidate)
            break
        except KeyError:
            continue
    else:
        spectral = [
            i + 1
            for i, d in enumerate(descriptions)
            if d != COUNT_BAND and (statistic is None or split_band_name(d or "")[1] == statistic)
        ]
        bands = tuple((spectral * 3)[:3]) if spectral else (1, 1, 1)
    shown = tuple(split_band_name(descriptions[b - 1] or f"band {b}")[0] for b in bands)
    if shown != tuple(combination):
        log.warning(
            tr("%s has no band %s of %s: showing %s instead"),
            layer.name(),
            ", ".join(b for b in combination if b not in shown),
            "/".join(combination),
            "/".join(shown),
        )
    style_rgb(layer, bands)
    return shown


def style_count(layer: QgsRasterLayer, band: int, maximum: int) -> None:
    """Show the valid-observation count band as a pseudocolour ramp 1..``maximum`` with a legend entry per step.

    0 is nodata, so pixels with no clear observation stay transparent.
    """
    maximum = max(int(maximum), 1)
    ramp = QgsStyle.defaultStyle().colorRamp(COUNT_RAMP)
    steps = min(maximum, 8)
    values = sorted({1 + round(i * (maximum - 1) / max(steps - 1, 1)) for i in range(steps)})
    items = [QgsColorRampShader.ColorRampItem(v, ramp.color((v - 1) / max(maximum - 1, 1)), str(v)) for v in values]
    shader_function = QgsColorRampShader(1, maximum, ramp, QgsColorRampShader.Type.Interpolated)
    shader_function.setColorRampItemList(items)
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(shader_function)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), band, shader)
    renderer.setClassificationMin(1)
    renderer.setClassificationMax(maximum)
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def tag_list(tags: Dict[str, str], key: str) -> List[str]:
    """A comma-separated provenance tag (scene ids) as a list; [] when the tag is absent or empty."""
    return [item for item in tags.get(key, "").split(",") if item]


def period_name(start: date, end: date) -> str:
    """The dates ``[start, end)`` as a short period in the user's language: ``Jul–Sep 2015``, ``3–17 Jul 2015``
    (``result_names.compact_period``)."""
    return compact_period(start, end, [translated(month) for month in MONTHS])


def layer_name(what: str, group_name: str) -> str:
    """A result layer's name: what it shows first, so that names still differ where the Layers panel cuts them:
    ``p50 · T33TVL Jul–Sep 2015``."""
    return tr("{0} · {1}").format(what, group_name)


@dataclass
class RasterFacts:
    """What a composite file itself says about its making, besides its tags (for the abstract).

    Attributes:
        bands: the Sentinel-2 bands composited, in file order (``B2``, ``B3`` ...).
        width, height: pixels.
        resolution: pixel width and height in the CRS's units (metres).
        crs: the CRS as an authority id (``EPSG:32633``) or its name.
        layout: ``COG`` for a Cloud-Optimized GeoTIFF, else ``GeoTIFF``.
        compression: e.g. ``DEFLATE``; "" when none.
        data_type: e.g. ``uint16``.
    """

    bands: List[str]
    width: int
    height: int
    resolution: Tuple[float, float]
    crs: str
    layout: str
    compression: str
    data_type: str

    @classmethod
    def read(cls, src) -> "RasterFacts":
        """The facts of an open rasterio dataset."""
        structure = src.tags(ns="IMAGE_STRUCTURE")
        crs = src.crs
        authority = crs.to_authority() if crs is not None else None
        crs_text = ":".join(authority) if authority else (crs.to_string() if crs is not None else "?")
        bands = [split_band_name(d)[0] for d in src.descriptions if d and d != COUNT_BAND]
        return cls(
            bands=list(dict.fromkeys(bands)),
            width=src.width,
            height=src.height,
            resolution=tuple(abs(r) for r in src.res),
            crs=crs_text,
            layout="COG" if structure.get("LAYOUT", "").upper() == "COG" else "GeoTIFF",
            compression=structure.get("COMPRESSION", "") or (src.compression.name.upper() if src.compression else ""),
            data_type=src.dtypes[0] if src.dtypes else "?",
        )


def composite_abstract(
    tags: Dict[str, str],
    facts: Optional[RasterFacts] = None,
    aoi: Optional[str] = None,
    excluded: Sequence[str] = (),
    output: Optional[Path] = None,
) -> str:
    """The layer abstract of a composite: every parameter of its making, one per line.

    From its provenance tags: dates, method and percentiles, QA band and threshold, engine, orbits, source,
    scenes used and skipped, clear fraction; from the file (``facts``): bands, grid, CRS, format. What the file
    does not record comes from the run: ``aoi`` (its kind, bounds and CRS, in words), the ``excluded`` (unticked)
    scenes and the ``output`` file.
    """
    scenes, skipped = tag_list(tags, "CLOUDSCORE_SCENES"), tag_list(tags, "CLOUDSCORE_SKIPPED_SCENES")
    lines = [
        tr("Cloud-free Sentinel-2 composite ({0}) of the scenes acquired {1} .. {2} (end excluded).").format(
            tags.get("CLOUDSCORE_METHOD", "median"),
            tags.get("CLOUDSCORE_START_DATE", "?"),
            tags.get("CLOUDSCORE_END_DATE", "?"),
        ),
    ]
    if tags.get("CLOUDSCORE_PERCENTILES"):
        lines.append(tr("Percentiles: {0}.").format(", ".join(tag_list(tags, "CLOUDSCORE_PERCENTILES"))))
    lines.append(
        tr("QA band: {0}; clear threshold: {1} (clear where score >= threshold).").format(
            tags.get("CLOUDSCORE_QA_BAND", "?"), tags.get("CLOUDSCORE_CLEAR_THRESHOLD", "?")
        )
    )
    if aoi:
        lines.append(tr("Area of interest: {0}.").format(aoi))
    if facts is not None:
        lines.append(tr("Bands: {0}.").format(", ".join(facts.bands) or tr("none")))
    engine = tags.get("CLOUDSCORE_ENGINE")
    if engine:
        lines.append(translated(COMPUTED[engine]) if engine in COMPUTED else tr("Computed: {0}.").format(engine))
    orbits = tags.get("CLOUDSCORE_ORBITS")
    if orbits:
        orbit_text = translated(ORBIT_LABELS[orbits]) if orbits in ORBIT_LABELS else orbits
        weights = tags.get("CLOUDSCORE_SEAM_WEIGHTS")
        if orbits == BLENDED and weights:
            orbit_text = tr("{0}, seam weights: {1}, power {2}").format(
                orbit_text,
                translated(SEAM_LABELS[weights]) if weights in SEAM_LABELS else weights,
                tags.get("CLOUDSCORE_SEAM_POWER", "?"),
            )
        lines.append(
            tr("Orbits: {0} (relative orbits {1}).").format(
                orbit_text, tags.get("CLOUDSCORE_RELATIVE_ORBITS", "?").replace(",", ", ")
            )
        )
    if facts is not None:
        lines.append(
            tr("Grid: {0} x {1} pixels of {2:g} x {3:g} m in {4}.").format(
                facts.width, facts.height, facts.resolution[0], facts.resolution[1], facts.crs
            )
        )
        values = (
            tr("bytes (reflectance x 10000 = byte x {0})").format(tags["CLOUDSCORE_BYTE_SCALE"])
            if "CLOUDSCORE_BYTE_SCALE" in tags
            else tr("{0} (reflectance x 10000)").format(facts.data_type)
        )
        lines.append(
            tr("Format: {0}, {1} compression, {2}.").format(facts.layout, facts.compression or tr("no"), values)
        )
    lines += [
        tr("Source: {0}.").format(tags.get("CLOUDSCORE_SOURCE", "?")),
        tr("Scenes ({0}): {1}.").format(len(scenes), ", ".join(scenes) or tr("none")),
    ]
    if excluded:
        lines.append(tr("Left out (unticked) ({0}): {1}.").format(len(excluded), ", ".join(excluded)))
    if skipped:
        lines.append(
            tr("Skipped, without the QA band or not a usable scene file ({0}): {1}.").format(
                len(skipped), ", ".join(skipped)
            )
        )
    if "CLOUDSCORE_CLEAR_FRACTION" in tags:
        lines.append(
            tr("Clear fraction of the scored pixels: {0:.1%}.").format(float(tags["CLOUDSCORE_CLEAR_FRACTION"]))
        )
    if output is not None:
        lines.append(tr("Output: {0}").format(output))
    return "\n".join(lines)


def set_abstract(layer: QgsRasterLayer, abstract: str, title: Optional[str] = None) -> None:
    """Put ``abstract`` (and ``title``) in the layer's metadata (Layer Properties > Metadata) and in its own title
    and abstract, which the Layers panel shows as the layer's tooltip (QGIS 3.38 and newer keep them in the
    layer's server properties)."""
    metadata = layer.metadata()
    metadata.setAbstract(abstract)
    if title:
        metadata.setTitle(title)
    layer.setMetadata(metadata)
    owner = title_and_abstract_owner(layer)
    owner.setAbstract(abstract)
    if title:
        owner.setTitle(title)


def _shown_statistic(descriptions: Sequence[str], combination: Sequence[str]) -> Optional[str]:
    """The statistic an RGB layer without an explicit one shows (see ``find_band``)."""
    try:
        return split_band_name(descriptions[find_band(descriptions, combination[0]) - 1])[1]
    except KeyError:
        return None


@dataclass
class CompositeLayers:
    """The layers ``load_composite_layers`` added.

    Attributes:
        rgb: the composite as RGB (the preferred statistic).
        count: the valid-observation count.
        group: the layer group holding them.
        statistic_layers: statistic (``p25``, ``p75`` ...) -> its RGB layer, when asked for.
        shown_combination: the bands the RGB layers show (the combination asked for unless a band was missing).
    """

    rgb: QgsRasterLayer
    count: QgsRasterLayer
    group: QgsLayerTreeGroup
    statistic_layers: Dict[str, QgsRasterLayer] = field(default_factory=dict)
    shown_combination: Tuple[str, ...] = TRUE_COLOUR

    def restyle(self, combination: Sequence[str]) -> Tuple[str, ...]:
        """Show every RGB layer (the composite and the statistic layers) as band ``combination``; returns the
        bands shown (see ``style_band_combination``)."""
        self.shown_combination = style_band_combination(self.rgb, combination)
        for statistic, layer in self.statistic_layers.items():
            style_band_combination(layer, combination, statistic)
        return self.shown_combination


def _is_result_group(group: QgsLayerTreeGroup, path: Path) -> bool:
    """True when ``group`` is a result group of the composite ``path``: marked so (``OUTPUT_PROPERTY``), or (a
    project saved by an older version) holding only layers of that file."""
    marked = group.customProperty(OUTPUT_PROPERTY)
    if marked:
        return same_file(str(marked), path)
    layers = [node.layer() for node in group.findLayers()]
    return bool(layers) and all(layer is not None and same_file(layer.source(), path) for layer in layers)


def remove_result_groups(path: Path, project: Optional[QgsProject] = None) -> Tuple[QgsLayerTreeGroup, int]:
    """Take the layers of earlier results of the file ``path`` out of ``project``: their groups' layers of that
    file (they would show the new file under the old parameters); a group the user added other layers to keeps
    those and stops being a result group.

    Returns:
        where the first such group stood (its parent and index), for the new group; the root and 0 without one.
    """
    project = project or QgsProject.instance()
    root = project.layerTreeRoot()
    place: Tuple[QgsLayerTreeGroup, int] = (root, 0)
    groups = [g for g in root.findGroups(True) if _is_result_group(g, path)]
    for number, group in enumerate(groups):
        parent = group.parent()
        if number == 0 and isinstance(parent, QgsLayerTreeGroup):
            place = (parent, parent.children().index(group))
        ours = [
            n.layerId() for n in group.findLayers() if n.layer() is not None and same_file(n.layer().source(), path)
        ]
        project.removeMapLayers(ours)
        if group.children():
            group.removeCustomProperty(OUTPUT_PROPERTY)
        elif isinstance(parent, QgsLayerTreeGroup):
            parent.removeChildNode(group)
    parent, index = place
    return parent, min(index, len(parent.children()))


def load_composite_layers(
    path: Path,
    group_name: str,
    scene_count: Optional[int] = None,
    project: Optional[QgsProject] = None,
    combination: Sequence[str] = TRUE_COLOUR,
    statistic_layers: bool = False,
    title: Optional[str] = None,
    aoi: Optional[str] = None,
    excluded: Sequence[str] = (),
) -> CompositeLayers:
    """Add a composite to ``project`` (default: the current one) as a layer group at the top of the tree, in place
    of the group of an earlier result of the same file (see ``remove_result_groups``).

    The group holds the composite as RGB ``combination`` (default B4/B3/B2, stretched 0..2500), the
    ``count`` band as a pseudocolour layer with a legend 1..``scene_count`` (default: the number of scenes
    in the file's ``CLOUDSCORE_SCENES`` tag) and, with ``statistic_layers``, one RGB layer per statistic
    (``p25``, ``p75`` ... of a percentile composite). Layers are named statistic first (``p50 · <group_name>``,
    ``count · <group_name>``); their title (``title``, default ``group_name``, e.g. the area and the exact dates)
    and abstract (every parameter: ``composite_abstract`` with ``aoi`` and ``excluded``) are their tooltip.

    Raises:
        ValueError: the file does not open as a raster layer.
    """
    project = project or QgsProject.instance()
    path = Path(path)
    with rasterio.open(path) as src:
        descriptions = list(src.descriptions)
        tags = src.tags()
        facts = RasterFacts.read(src)
    if scene_count is None:
        scene_count = len(tag_list(tags, "CLOUDSCORE_SCENES")) or 1
    abstract = composite_abstract(tags, facts, aoi, excluded, path)
    full_title = title or group_name

    def new_layer(what: str, long_what: str) -> QgsRasterLayer:
        layer = QgsRasterLayer(str(path), layer_name(what, group_name))
        if not layer.isValid():
            raise ValueError(tr("{0} does not open as a raster layer").format(path))
        set_abstract(layer, abstract, layer_name(long_what, full_title))
        return layer

    shown_statistic = _shown_statistic(descriptions, combination)
    rgb_statistic = shown_statistic or tags.get("CLOUDSCORE_METHOD") or tr("composite")
    rgb = new_layer(rgb_statistic, tr("{0} composite").format(rgb_statistic))
    shown = style_band_combination(rgb, combination)
    count = new_layer(tr("count"), tr("valid-observation count"))
    style_count(count, descriptions.index(COUNT_BAND) + 1, scene_count)
    extra = {}
    if statistic_layers:
        for statistic in [s for s in statistics(descriptions) if s != shown_statistic]:
            extra[statistic] = new_layer(statistic, tr("{0} composite").format(statistic))
            style_band_combination(extra[statistic], combination, statistic)

    parent, index = remove_result_groups(path, project)
    group = parent.insertGroup(index, group_name)
    group.setCustomProperty(OUTPUT_PROPERTY, str(path))
    for layer in [rgb] + list(extra.values()) + [count]:
        project.addMapLayer(layer, False)
        group.addLayer(layer)
    for layer in extra.values():  # shown on demand: the composite itself stays on top
        group.findLayer(layer.id()).setItemVisibilityChecked(False)
    return CompositeLayers(rgb, count, group, extra, shown)
