"""Style a composite output when Processing loads it into the project."""

from pathlib import Path

from qgis.core import QgsProcessingContext, QgsProcessingLayerPostProcessorInterface, QgsRasterLayer

from ..layers import TRUE_COLOUR, band_numbers, style_rgb


class CompositeStyler(QgsProcessingLayerPostProcessorInterface):
    """Shows a loaded composite in true colour (B4/B3/B2, 0..2500) once Processing has added it."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if isinstance(layer, QgsRasterLayer) and layer.isValid():
            try:
                style_rgb(layer, band_numbers(Path(layer.source()), TRUE_COLOUR))
            except (KeyError, ValueError):
                pass  # a band subset without B4/B3/B2 keeps QGIS's default style


# Processing keeps only a pointer to the post-processor: it must outlive the algorithm run.
_STYLER = CompositeStyler()


def style_output_on_load(context: QgsProcessingContext, output: str) -> None:
    """When the run will load ``output`` into the project, have it styled in true colour."""
    if context.willLoadLayerOnCompletion(output):
        context.layerToLoadOnCompletionDetails(output).setPostProcessor(_STYLER)
