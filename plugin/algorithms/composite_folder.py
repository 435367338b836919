"""``cloudscore:compositefolder``: a clear-score composite of a folder of Sentinel-2 GeoTIFF scenes."""

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingParameterRasterDestination,
)

from ..core.errors import InputError
from ..core.pipeline import CompositeRequest, plan_composite
from ..translation import tr
from . import composite_options as options
from . import shared_parameters
from .algorithm_base import CloudScoreAlgorithm
from .composite_options import (
    options_help,
    add_composite_outputs,
    add_composite_parameters,
    composite_options,
    composite_outputs,
    run_composite_algorithm,
)
from .orbit_options import orbits_help, add_orbit_parameters, orbit_options
from .shared_parameters import (
    crs_help,
    add_crs_parameter,
    crs_value,
    date_value,
    extent_value,
    add_aoi_and_dates,
    add_clear_score_parameters,
    add_folder_parameter,
    add_resolution_parameter,
    folder_source,
    resolution_value,
)


def help_text() -> str:
    """The algorithm's help (``shortHelpString``): HTML, in the user's language."""
    return (
        tr("""<p>Builds a cloud-free composite from a folder of Sentinel-2 scenes that carry a per-pixel clear
score.</p>
<p>Every pixel whose score in the <b>QA band</b> is below the <b>clear threshold</b> is masked (a score equal to
the threshold is clear, as in Earth Engine's Cloud Score+ recipe <code>score.gte(threshold)</code>); nodata and
missing scores are never clear. The output holds, per band, the chosen statistic of the clear observations
(default: the median) as reflectance x 10000 (uint16), and a <code>count</code> band with the number of clear
observations per pixel. Pixels with no clear observation are nodata (0).</p>
<h3>Input folder</h3>
<p>One GeoTIFF per scene, directly in the folder. Bands are identified by their descriptions: Earth Engine names
<code>B1</code>..<code>B12</code>, <code>B8A</code> for reflectance, any other name (<code>cs</code>,
<code>cs_cdf</code>, <code>clear</code>) for a QA band holding a 0..1 clear score. The acquisition time comes from
the <code>ACQUISITION_TIME</code> tag or from an Earth Engine <code>system:index</code> file name such as
<code>20230105T184749_20230105T184745_T11SKB.tif</code>.</p>
<h3>Parameters</h3>
<ul>
<li><b>Extent</b> (optional): area of interest, in any CRS; default the union of the scenes.</li>
<li><b>Start date</b> and <b>end date</b>: scenes acquired in [start, end), UTC days (end excluded).</li>
<li><b>QA band</b>: name of the clear score band, e.g. <code>cs</code> or <code>cs_cdf</code> (Cloud Score+).</li>
<li><b>Clear threshold</b>: 0..1, default 0.60; 0.50..0.65 works well; higher also removes haze and thin cloud.</li>
<li><b>Resolution</b> (optional): output pixel size in metres; default the scenes' own (no resampling).</li>
""")
        + crs_help()
        + """
</ul>
"""
        + options_help()
        + orbits_help()
        + tr("""
<p>The output's tags record the scenes used, QA band, threshold, dates, method, orbits and plugin version.</p>""")
    )


class CompositeFolderAlgorithm(CloudScoreAlgorithm):
    """Composite (median, percentiles, ... see ``help_text``) + valid-observation count of a folder of scenes."""

    NAME = "compositefolder"
    GROUP_ID = "composites"

    INPUT = shared_parameters.INPUT
    EXTENT = shared_parameters.EXTENT
    START_DATE = shared_parameters.START_DATE
    END_DATE = shared_parameters.END_DATE
    QA_BAND = shared_parameters.QA_BAND
    THRESHOLD = shared_parameters.THRESHOLD
    RESOLUTION = shared_parameters.RESOLUTION
    OUTPUT = "OUTPUT"
    SCENE_COUNT = options.SCENE_COUNT
    SCENES = options.SCENES
    CLEAR_FRACTION = options.CLEAR_FRACTION

    def displayName(self):  # noqa: N802
        return tr("Composite a folder of scenes")

    def group(self):
        return tr("Composites")

    def shortHelpString(self):  # noqa: N802
        return help_text()

    def initAlgorithm(self, config=None):  # noqa: N802
        add_folder_parameter(self)
        add_aoi_and_dates(self)
        add_clear_score_parameters(self)
        add_resolution_parameter(self)
        add_crs_parameter(self)
        add_composite_parameters(self)
        add_orbit_parameters(self)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Composite")))
        add_composite_outputs(self)

    def _request(self, parameters, context: QgsProcessingContext, output: str) -> CompositeRequest:
        """Translate the parameters to a ``CompositeRequest`` (raises ``InputError`` naming the parameter)."""
        aoi, aoi_crs = extent_value(self, parameters, self.EXTENT, context)
        return CompositeRequest(
            start=date_value(self, parameters, self.START_DATE, context),
            end=date_value(self, parameters, self.END_DATE, context),
            qa_band=self.parameterAsString(parameters, self.QA_BAND, context),
            output=output,
            threshold=self.parameterAsDouble(parameters, self.THRESHOLD, context),
            aoi=aoi,
            aoi_crs=aoi_crs,
            resolution=resolution_value(self, parameters, context),
            crs=crs_value(self, parameters, context),
            **composite_options(self, parameters, context),
            **orbit_options(self, parameters, context),
        )

    def check(self, parameters, context) -> None:
        """Plan the composite (no pixel is read): every input error is found before the run, an ``OUTPUT`` that is
        one of the input scenes included."""
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context) or ""
        plan_composite(self._request(parameters, context, output=output), folder_source(self, parameters, context))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        try:
            request = self._request(parameters, context, output)
            source = folder_source(self, parameters, context)
        except InputError as error:
            raise QgsProcessingException(str(error)) from error
        result = run_composite_algorithm(request, source, context, feedback)
        return composite_outputs(result)
