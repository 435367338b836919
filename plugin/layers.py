"""Load a composite GeoTIFF as styled QGIS layers: RGB reflectance and the valid-observation count."""

from pathlib import Path
from typing import Iterable, Optional, Sequence, Tuple

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

TRUE_COLOUR = ("B4", "B3", "B2")
"""Red, green, blue bands of the true-colour view (Earth Engine's Cloud Score+ example)."""

REFLECTANCE_STRETCH = (0, 2500)
"""Display stretch of reflectance DN (scale 10000), as in Earth Engine's example: 0..0.25 reflectance."""

COUNT_BAND = "count"
COUNT_RAMP = "Viridis"


def band_numbers(path: Path, names: Iterable[str]) -> Tuple[int, ...]:
    """1-based band numbers of the bands described ``names`` in a raster file.

    Raises:
        KeyError: a name is not among the file's band descriptions.
    """
    with rasterio.open(path) as src:
        descriptions = list(src.descriptions)
    return tuple(descriptions.index(name) + 1 for name in names)


def style_rgb(layer: QgsRasterLayer, bands: Sequence[int], stretch: Tuple[float, float] = REFLECTANCE_STRETCH) -> None:
    """Show three bands of ``layer`` as red, green, blue, each stretched linearly over ``stretch``."""
    renderer = QgsMultiBandColorRenderer(layer.dataProvider(), *bands)
    setters = (renderer.setRedContrastEnhancement, renderer.setGreenContrastEnhancement,
               renderer.setBlueContrastEnhancement)
    for band, setter in zip(bands, setters):
        enhancement = QgsContrastEnhancement(layer.dataProvider().dataType(band))
        enhancement.setContrastEnhancementAlgorithm(QgsContrastEnhancement.StretchToMinimumMaximum)
        enhancement.setMinimumValue(stretch[0])
        enhancement.setMaximumValue(stretch[1])
        setter(enhancement)
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def style_count(layer: QgsRasterLayer, band: int, maximum: int) -> None:
    """Show the valid-observation count band as a pseudocolour ramp 1..``maximum`` with a legend entry per step.

    0 is nodata, so pixels with no clear observation stay transparent.
    """
    maximum = max(int(maximum), 1)
    ramp = QgsStyle.defaultStyle().colorRamp(COUNT_RAMP)
    steps = min(maximum, 8)
    values = sorted({1 + round(i * (maximum - 1) / max(steps - 1, 1)) for i in range(steps)})
    items = [
        QgsColorRampShader.ColorRampItem(v, ramp.color((v - 1) / max(maximum - 1, 1)), str(v)) for v in values
    ]
    shader_function = QgsColorRampShader(1, maximum, ramp, QgsColorRampShader.Interpolated)
    shader_function.setColorRampItemList(items)
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(shader_function)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), band, shader)
    renderer.setClassificationMin(1)
    renderer.setClassificationMax(maximum)
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def load_composite_layers(
    path: Path,
    group_name: str,
    scene_count: int,
    project: Optional[QgsProject] = None,
) -> Tuple[QgsRasterLayer, QgsRasterLayer, QgsLayerTreeGroup]:
    """Add a composite to ``project`` (default: the current one) as a layer group at the top of the tree.

    The group holds the composite in true colour (B4/B3/B2 stretched 0..2500; the first three bands when
    those are not all there) and the ``count`` band as a pseudocolour layer.

    Returns:
        (RGB layer, count layer, group).

    Raises:
        ValueError: the file does not open as a raster layer.
    """
    project = project or QgsProject.instance()
    path = Path(path)
    with rasterio.open(path) as src:
        descriptions = list(src.descriptions)
    rgb = QgsRasterLayer(str(path), f"{group_name} composite")
    count = QgsRasterLayer(str(path), f"{group_name} valid-observation count")
    if not rgb.isValid() or not count.isValid():
        raise ValueError(f"{path} does not open as a raster layer")
    if all(b in descriptions for b in TRUE_COLOUR):
        style_rgb(rgb, band_numbers(path, TRUE_COLOUR))
    else:
        spectral = [i + 1 for i, d in enumerate(descriptions) if d != COUNT_BAND]
        style_rgb(rgb, (spectral * 3)[:3] if len(spectral) < 3 else spectral[:3])
    style_count(count, descriptions.index(COUNT_BAND) + 1, scene_count)

    group = project.layerTreeRoot().insertGroup(0, group_name)
    for layer in (rgb, count):
        project.addMapLayer(layer, False)
        group.addLayer(layer)
    return rgb, count, group
