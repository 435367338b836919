"""``cloudscore:maskscene``: one scene with every pixel below the clear threshold set to nodata."""

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ..core.errors import Cancelled, CloudScoreError
from ..core.mask_scene import CLEAR, NO_SCORE, NOT_CLEAR  # the clear mask's values, for the help
from ..core.mask_scene import MaskSceneRequest, check_mask_outputs, check_mask_scene, mask_scene
from ..core.pipeline import DEFAULT_THRESHOLD
from ..qgis_logging import feedback_logging
from ..translation import tr
from . import shared_parameters
from .algorithm_base import CloudScoreAlgorithm


def help_text() -> str:
    """The algorithm's help (``shortHelpString``): HTML, in the user's language."""
    return tr(
        """<p>Masks one Sentinel-2 scene with its per-pixel clear score: every pixel whose score in the
<b>QA band</b> is below the <b>clear threshold</b> becomes nodata in every band. A score equal to the threshold is
clear (kept), as in Earth Engine's Cloud Score+ recipe <code>score.gte(threshold)</code>; pixels whose score is
nodata or NaN are never clear and are masked too. Clear pixels keep the input's values exactly.</p>
<h3>Input</h3>
<p>One raster holding the scene's bands and its QA band (a 0..1 clear score such as Cloud Score+
<code>cs</code> or <code>cs_cdf</code>, or the demo's <code>clear</code>), e.g. a GeoTIFF of a scene folder made by
<code>cloudscore:fetchscenes</code>. A QA band with a GDAL scale/offset is scaled first (uint8 0..100 with scale 0.01
reads 0..1).</p>
<h3>Parameters</h3>
<ul>
<li><b>QA band</b>: the clear score band, by its description (<code>cs</code>, <code>cs_cdf</code>,
<code>clear</code>; matched exactly, else ignoring case) or its 1-based number.</li>
<li><b>Clear threshold</b>: 0..1, default {0:.2f}; 0.50..0.65 works well; higher also removes haze
and thin cloud.</li>
</ul>
<h3>Outputs</h3>
<ul>
<li><b>Masked scene</b>: a GeoTIFF with every band of the input (the QA band too), in the input's data type, with
its band descriptions, scales and tags, and the input's nodata value (0 when it has none) where the pixel is not
clear. It is still a scene for <code>cloudscore:compositefolder</code>. Tags <code>CLOUDSCORE_QA_BAND</code>,
<code>CLOUDSCORE_CLEAR_THRESHOLD</code> and <code>CLOUDSCORE_CLEAR_FRACTION</code> record the masking.</li>
<li><b>Clear mask</b> (optional): a uint8 GeoTIFF, {1} clear, {2} not clear, {3} no score
(nodata). It feeds <code>cloudscore:evaluatemask</code> as a binary mask.</li>
<li>Numbers: the clear fraction (clear pixels / pixels with a score, 0..1), clear pixels and scored pixels.</li>
</ul>
<p>Work is done block by block; both files are written under temporary names and renamed into place at the end,
so a cancelled or failed run leaves no partial output.</p>"""
    ).format(DEFAULT_THRESHOLD, CLEAR, NOT_CLEAR, NO_SCORE)


class MaskSceneAlgorithm(CloudScoreAlgorithm):
    """One scene with unclear pixels set to nodata, and optionally its clear mask (see ``help_text``)."""

    NAME = "maskscene"
    GROUP_ID = "masks"

    INPUT = shared_parameters.INPUT
    QA_BAND = shared_parameters.QA_BAND
    THRESHOLD = shared_parameters.THRESHOLD
    OUTPUT = "OUTPUT"
    CLEAR_MASK = "CLEAR_MASK"
    CLEAR_FRACTION = "CLEAR_FRACTION"
    CLEAR_PIXELS = "CLEAR_PIXELS"
    SCORED_PIXELS = "SCORED_PIXELS"

    def displayName(self):  # noqa: N802
        return tr("Mask a scene by its clear score")

    def group(self):
        return tr("Masks")

    def shortHelpString(self):  # noqa: N802
        return help_text()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Scene (raster with a QA band)")))
        self.addParameter(
            QgsProcessingParameterString(
                self.QA_BAND, tr("QA band (clear score 0..1): name or number"), defaultValue="cs"
            )
        )
        shared_parameters.add_threshold_parameter(self)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Masked scene")))
        self.addParameter(
            QgsProcessingParameterRasterDestination(
                self.CLEAR_MASK,
                tr("Clear mask (1 clear, 0 not clear, 255 no score)"),
                optional=True,
                createByDefault=False,
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.CLEAR_FRACTION, tr("Clear fraction of the scored pixels (0..1)")))
        self.addOutput(QgsProcessingOutputNumber(self.CLEAR_PIXELS, tr("Clear pixels")))
        self.addOutput(QgsProcessingOutputNumber(self.SCORED_PIXELS, tr("Pixels with a score")))

    def _request(self, parameters, context) -> MaskSceneRequest:
        """Translate the parameters to a ``MaskSceneRequest`` (raises ``InputError`` naming the parameter)."""
        return MaskSceneRequest(
            scene=shared_parameters.raster_path(self, parameters, self.INPUT, context),
            qa_band=self.parameterAsString(parameters, self.QA_BAND, context),
            output=self.parameterAsOutputLayer(parameters, self.OUTPUT, context),
            threshold=self.parameterAsDouble(parameters, self.THRESHOLD, context),
            clear_mask=self.parameterAsOutputLayer(parameters, self.CLEAR_MASK, context) or None,
        )

    def check(self, parameters, context) -> None:
        """Reject bad input before the run, with a message naming the parameter and the accepted values: the scene,
        its QA band and the threshold, and the outputs (.tif files, not the input, the clear mask not OUTPUT)."""
        request = self._request(parameters, context)
        check_mask_scene(request)
        check_mask_outputs(request)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        try:
            request = self._request(parameters, context)
            with feedback_logging(feedback):
                result = mask_scene(request, progress=feedback.setProgress, is_canceled=feedback.isCanceled)
        except Cancelled as error:
            raise QgsProcessingException(tr("Cancelled: no masked scene was written")) from error
        except CloudScoreError as error:  # bad input, a damaged scene, an output that could not be written
            raise QgsProcessingException(str(error)) from error
        feedback.pushInfo(
            tr("Clear pixels: {0} of {1} scored ({2:.1%}) at threshold {3:g}").format(
                result.clear_pixels, result.scored_pixels, result.clear_fraction, result.threshold
            )
        )
        return {
            self.OUTPUT: str(result.output),
            self.CLEAR_MASK: str(result.clear_mask) if result.clear_mask else None,
            self.CLEAR_FRACTION: result.clear_fraction,
            self.CLEAR_PIXELS: result.clear_pixels,
            self.SCORED_PIXELS: result.scored_pixels,
        }
