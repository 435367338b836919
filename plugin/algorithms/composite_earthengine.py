"""``cloudscore:compositeearthengine``: a Cloud Score+ composite of Sentinel-2 scenes from Earth Engine, computed on
its servers (only the composite is downloaded), on this computer (every scene is downloaded), or by a batch export
to a Cloud Storage bucket (downloaded and stitched when the task is done)."""

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterRasterDestination,
)

from ..core.earthengine.search import COLLECTIONS, SCORE_BANDS
from ..core.engines import check_engine
from ..core.errors import CloudScoreError
from ..core.pipeline import CompositeRequest
from ..core.source import Source
from ..translation import tr
from . import composite_options as options
from . import shared_parameters
from .algorithm_base import CloudScoreAlgorithm
from .composite_options import (
    engine_help,
    options_help,
    add_composite_outputs,
    add_bucket_parameter,
    add_composite_parameters,
    add_engine_parameter,
    bucket_value,
    composite_options,
    composite_outputs,
    engine_value,
    run_composite_algorithm,
)
from .shared_parameters import (
    add_crs_parameter,
    add_date_parameters,
    add_project_parameter,
    add_resolution_parameter,
    add_threshold_parameter,
    crs_value,
    date_value,
    earth_engine_from_parameters,
    extent_value,
)

DEFAULT_RESOLUTION = 10.0
"""Metres: the finest Sentinel-2 bands (B2, B3, B4, B8) and Cloud Score+ are 10 m."""


def help_text() -> str:
    """The algorithm's help (``shortHelpString``): HTML, in the user's language."""
    return (
        tr("""<p>Builds a cloud-free composite of Sentinel-2 scenes that the plugin finds itself in Google Earth Engine,
masked with the <b>Cloud Score+</b> clear scores (GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED, linked to each scene by
its <code>system:index</code>), computed on Earth Engine's servers (the default: only the composite is downloaded),
on this computer (every scene is downloaded) or by a batch export to a Cloud Storage bucket (large areas); see
<b>ENGINE</b> below.</p>
<p>Every pixel whose score in the <b>QA band</b> is below the <b>clear threshold</b> is masked (a score equal to
the threshold is clear, as in Earth Engine's Cloud Score+ recipe <code>score.gte(threshold)</code>); nodata and
missing scores are never clear. Scenes that have no Cloud Score+ image yet are listed in the log and skipped,
never silently masked. The output holds the chosen statistic of the clear observations per band as reflectance
x 10000, and a <code>count</code> band with the number of clear observations per pixel.</p>
<h3>Parameters</h3>
<ul>
<li><b>Extent</b>: area of interest, in any CRS (required: Earth Engine holds the whole world).</li>
<li><b>Start date</b> and <b>end date</b>: scenes acquired in [start, end), UTC days (end excluded).</li>
<li><b>Collection</b>: <code>COPERNICUS/S2_SR_HARMONIZED</code> (L2A surface reflectance, no B10) or
<code>COPERNICUS/S2_HARMONIZED</code> (L1C top-of-atmosphere).</li>
<li><b>QA band</b>: <code>cs</code> (spectral similarity to a clear reference) or <code>cs_cdf</code> (the
score's rank through time at the pixel); both 0 (occluded) .. 1 (clear).</li>
<li><b>Clear threshold</b>: 0..1, default 0.60; 0.50..0.65 works well; higher also removes haze and thin cloud.</li>
<li><b>Resolution</b>: output pixel size in metres, default 10.</li>
<li><b>CRS</b>: output CRS, default the UTM zone of the extent's centre.</li>
<li><b>Cloud project</b>: the Google Cloud project billed for the requests (Earth Engine API enabled and registered
for Earth Engine); default <code>CLOUDSCORE_EE_PROJECT</code>, then the one <code>earthengine set_project</code>
saved.</li>
<li><b>ENGINE</b>: where the composite is computed: 0 on Earth Engine's servers (default), 1 on this computer,
2 export to Cloud Storage. See below.</li>
<li><b>BUCKET</b>: the Cloud Storage bucket of an export (ENGINE 2; required then), e.g. <code>my-exports</code>.</li>
</ul>""")
        + engine_help()
        + tr("""
<h3>Credentials, cache and limits</h3>
<p>Credentials come from, in this order: a QGIS authentication configuration chosen in the plugin's settings, the
<code>CLOUDSCORE_EE_TOKEN</code> environment variable (an access token), a service-account key named by
<code>CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY</code> (needs google-auth), the file <code>earthengine authenticate</code>
writes (with or without its own OAuth client), application-default credentials (<code>gcloud auth
application-default login</code>).</p>
<p>Pixels (the composite's, or with ENGINE 1 every scene's) are downloaded in tiles within Earth Engine's request
limits (48 MB, 32768 px a side), several at a time, retried on rate limits and server errors, and kept in a tile
cache: a cancelled run resumes with the missing tiles; with ENGINE 1 a second run with another threshold, method or
band subset downloads nothing. The log gives the estimate of requests and megabytes before the download; a download
larger than the ceiling (setting <code>cloudscore_composite/earthengine/ceiling_mb</code>) is refused.</p>
<p>The output's tags record the scenes used and skipped, QA band, threshold, dates, method, engine and plugin
version.</p>""")
    )


class CompositeEarthEngineAlgorithm(CloudScoreAlgorithm):
    """Composite of Earth Engine Sentinel-2 scenes masked by Cloud Score+ (see ``help_text``)."""

    NAME = "compositeearthengine"
    GROUP_ID = "composites"

    EXTENT = shared_parameters.EXTENT
    START_DATE = shared_parameters.START_DATE
    END_DATE = shared_parameters.END_DATE
    COLLECTION = shared_parameters.COLLECTION
    QA_BAND = shared_parameters.QA_BAND
    THRESHOLD = shared_parameters.THRESHOLD
    RESOLUTION = shared_parameters.RESOLUTION
    CRS = shared_parameters.CRS
    PROJECT = shared_parameters.PROJECT
    OUTPUT = "OUTPUT"
    SCENE_COUNT = options.SCENE_COUNT
    SCENES = options.SCENES
    SKIPPED_SCENES = "SKIPPED_SCENES"
    CLEAR_FRACTION = options.CLEAR_FRACTION
    ENGINE = options.ENGINE
    BUCKET = options.BUCKET

    def displayName(self):  # noqa: N802
        return tr("Composite Earth Engine scenes (Cloud Score+)")

    def group(self):
        return tr("Composites")

    def shortHelpString(self):  # noqa: N802
        return help_text() + options_help()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Area of interest")))
        add_date_parameters(self)
        self.addParameter(
            QgsProcessingParameterEnum(
                self.COLLECTION, tr("Sentinel-2 collection"), options=list(COLLECTIONS), defaultValue=0
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.QA_BAND, tr("QA band (Cloud Score+ clear score 0..1)"), options=list(SCORE_BANDS), defaultValue=0
            )
        )
        add_threshold_parameter(self)
        add_composite_parameters(self)
        add_resolution_parameter(self, default=DEFAULT_RESOLUTION)
        add_crs_parameter(self, tr("Output CRS (default: the UTM zone of the extent's centre)"))
        add_engine_parameter(self)
        add_bucket_parameter(self)
        add_project_parameter(self)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Composite")))
        add_composite_outputs(self)
        self.addOutput(
            QgsProcessingOutputString(
                self.SKIPPED_SCENES, tr("Scenes without a Cloud Score+ image, skipped (comma-separated)")
            )
        )
        self.addOutput(
            QgsProcessingOutputString(
                options.ENGINE_USED, tr("Where the composite was computed (earthengine-servers, this-computer, export)")
            )
        )

    def _request(self, parameters, context: QgsProcessingContext, output: str, source: Source) -> CompositeRequest:
        """Translate the parameters to a ``CompositeRequest`` for ``source`` and check it on its own and against
        what the source can do (raises ``InputError`` naming the parameter; nothing goes over the network)."""
        aoi, aoi_crs = extent_value(self, parameters, self.EXTENT, context)
        if aoi is None and source.needs_aoi:
            raise source.aoi_needed_error()
        # Not set: the pipeline asks the source (Earth Engine: the UTM zone of the extent's centre).
        target_crs = crs_value(self, parameters, context)
        request = CompositeRequest(
            start=date_value(self, parameters, self.START_DATE, context),
            end=date_value(self, parameters, self.END_DATE, context),
            qa_band=SCORE_BANDS[self.parameterAsEnum(parameters, self.QA_BAND, context)],
            output=output,
            threshold=self.parameterAsDouble(parameters, self.THRESHOLD, context),
            aoi=aoi,
            aoi_crs=aoi_crs,
            resolution=self.parameterAsDouble(parameters, self.RESOLUTION, context) or DEFAULT_RESOLUTION,
            crs=target_crs,
            engine=engine_value(self, parameters, context),
            bucket=bucket_value(self, parameters, context),
            **composite_options(self, parameters, context),
        )
        request.validate()  # ENGINE 2 (export) without a BUCKET is refused here, before any request
        check_engine(request.engine, source.engines)
        return request

    def _source(self, parameters, context: QgsProcessingContext):
        return earth_engine_from_parameters(self, parameters, context)

    def check(self, parameters, context) -> None:
        """Reject bad input before the run (no network: the search is the run's first step)."""
        self._request(parameters, context, "", self._source(parameters, context))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        try:
            source = self._source(parameters, context)
            request = self._request(parameters, context, output, source)
            result = run_composite_algorithm(request, source, context, feedback)
        except CloudScoreError as error:  # bad input, credentials, project, Earth Engine's own refusals
            raise QgsProcessingException(str(error)) from error
        return dict(
            composite_outputs(result),
            **{
                self.SKIPPED_SCENES: ",".join(s.scene_id for s in result.plan.skipped),
                options.ENGINE_USED: result.plan.engine,
            },
        )
