"""Load a composite GeoTIFF as styled QGIS layers: RGB reflectance, the valid-observation count, statistics.

Output bands are described ``<band>_<statistic>`` (``B4_median``, ``B4_p25``, ..., then ``count``); older
composites describe them by the band alone (``B4``). Both are read here.
"""

import logging
from dataclasses import dataclass, field
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

from .translation import tr

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


def composite_abstract(tags: Dict[str, str]) -> str:
    """The layer abstract of a composite, from its provenance tags: dates, scenes, QA band, threshold, method."""
    scenes, skipped = tag_list(tags, "CLOUDSCORE_SCENES"), tag_list(tags, "CLOUDSCORE_SKIPPED_SCENES")
    lines = [
        tr("Cloud-free Sentinel-2 composite ({0}) of the scenes acquired {1} .. {2} (end excluded).").format(
            tags.get("CLOUDSCORE_METHOD", "median"),
            tags.get("CLOUDSCORE_START_DATE", "?"),
            tags.get("CLOUDSCORE_END_DATE", "?"),
        ),
        tr("QA band: {0}; clear threshold: {1} (clear where score >= threshold).").format(
            tags.get("CLOUDSCORE_QA_BAND", "?"), tags.get("CLOUDSCORE_CLEAR_THRESHOLD", "?")
        ),
        tr("Source: {0}.").format(tags.get("CLOUDSCORE_SOURCE", "?")),
        tr("Scenes ({0}): {1}.").format(len(scenes), ", ".join(scenes) or tr("none")),
    ]
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
    return "\n".join(lines)


def set_abstract(layer: QgsRasterLayer, abstract: str) -> None:
    """Put ``abstract`` in the layer's metadata (Layer Properties > Metadata)."""
    metadata = layer.metadata()
    metadata.setAbstract(abstract)
    layer.setMetadata(metadata)


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


def load_composite_layers(
    path: Path,
    group_name: str,
    scene_count: Optional[int] = None,
    project: Optional[QgsProject] = None,
    combination: Sequence[str] = TRUE_COLOUR,
    statistic_layers: bool = False,
) -> CompositeLayers:
    """Add a composite to ``project`` (default: the current one) as a layer group at the top of the tree.

    The group holds the composite as RGB ``combination`` (default B4/B3/B2, stretched 0..2500), the
    ``count`` band as a pseudocolour layer with a legend 1..``scene_count`` (default: the number of scenes
    in the file's ``CLOUDSCORE_SCENES`` tag) and, with ``statistic_layers``, one RGB layer per statistic
    (``p25``, ``p75`` ... of a percentile composite). Every layer's abstract lists the scenes, QA band and
    threshold.

    Raises:
        ValueError: the file does not open as a raster layer.
    """
    project = project or QgsProject.instance()
    path = Path(path)
    with rasterio.open(path) as src:
        descriptions = list(src.descriptions)
        tags = src.tags()
    if scene_count is None:
        scene_count = len(tag_list(tags, "CLOUDSCORE_SCENES")) or 1
    abstract = composite_abstract(tags)

    def new_layer(name: str) -> QgsRasterLayer:
        layer = QgsRasterLayer(str(path), name)
        if not layer.isValid():
            raise ValueError(tr("{0} does not open as a raster layer").format(path))
        set_abstract(layer, abstract)
        return layer

    rgb = new_layer(tr("{0} composite").format(group_name))
    shown = style_band_combination(rgb, combination)
    count = new_layer(tr("{0} valid-observation count").format(group_name))
    style_count(count, descriptions.index(COUNT_BAND) + 1, scene_count)
    extra = {}
    if statistic_layers:
        shown_statistic = _shown_statistic(descriptions, combination)
        for statistic in [s for s in statistics(descriptions) if s != shown_statistic]:
            extra[statistic] = new_layer(f"{group_name} {statistic}")
            style_band_combination(extra[statistic], combination, statistic)

    group = project.layerTreeRoot().insertGroup(0, group_name)
    for layer in [rgb] + list(extra.values()) + [count]:
        project.addMapLayer(layer, False)
        group.addLayer(layer)
    for layer in extra.values():  # shown on demand: the composite itself stays on top
        group.findLayer(layer.id()).setItemVisibilityChecked(False)
    return CompositeLayers(rgb, count, group, extra, shown)
