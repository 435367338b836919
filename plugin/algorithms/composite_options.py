"""What every composite algorithm shares: the compositor's parameters, dates and extent, and the run itself.

``cloudscore:compositefolder`` and ``cloudscore:compositeearthengine`` differ only in their source; the
parameters that say *how* to composite (METHOD, PERCENTILES, BANDS, FORMAT, SCALE_TO_BYTE) and the way a run
reports progress, stages, skipped scenes and errors live here once.
"""

from typing import Any, Dict, Optional

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterString,
)

from ..core.compositing import DEFAULT_PERCENTILES, METHODS, parse_percentiles
from ..core.engines import ENGINE_LABELS, ENGINES, SERVERS
from ..core.errors import Cancelled, CloudScoreError
from ..core.pipeline import CompositeRequest, CompositeResult, run_composite
from ..core.raster_output import COMPRESSIONS, FORMATS
from ..core.scene import parse_band_list
from ..core.source import Source
from ..output_settings import output_ceiling_gb
from ..qgis_logging import feedback_logging
from ..translation import tr, translated
from .styling import style_output_on_load

METHOD = "METHOD"
PERCENTILES = "PERCENTILES"
BANDS = "BANDS"
FORMAT = "FORMAT"
COMPRESSION = "COMPRESSION"
SCALE_TO_BYTE = "SCALE_TO_BYTE"
ENGINE = "ENGINE"
BUCKET = "BUCKET"
OUTPUT = "OUTPUT"
SCENE_COUNT = "SCENE_COUNT"
SCENES = "SCENES"
CLEAR_FRACTION = "CLEAR_FRACTION"
ENGINE_USED = "ENGINE"
"""The output naming the engine used (``engines.ENGINES``), under the same name as the parameter."""


def engine_help() -> str:
    """The help's part on where the composite is computed (ENGINE): HTML, in the user's language."""
    return tr(
        """<h3>Where the composite is computed (ENGINE)</h3>
<ul>
<li><b>0 On Earth Engine's servers</b> (default): Earth Engine computes the composite with its own reducers (the
request becomes an Earth Engine expression: the collection filtered by extent and dates, each scene linked to its
Cloud Score+ image, masked at the threshold, reduced) and only the composite is downloaded: the statistics and the
<code>count</code> band as uint16, in tiles within Earth Engine's request limits, cached by request so a cancelled
run resumes. It costs EECU time from the Cloud project's quota and needs the IAM permission
<code>earthengine.computations.create</code> on the project. Earth Engine's reducers may compute order statistics
(median, percentiles) slightly differently from numpy; no per-scene clear fraction is known afterwards (the
clear fraction of the whole run is).</li>
<li><b>1 On this computer</b>: every scene's bands and its score are downloaded into the tile cache and composited
here with numpy; a second run with another threshold, method or band subset downloads nothing. Downloads are
far larger (about 25 times for a season of one MGRS tile).</li>
<li><b>2 Export to Cloud Storage</b> (needs <b>BUCKET</b>, a Cloud Storage bucket): for areas beyond interactive
requests (a country, a season of tens of thousands of scenes). The same expression runs as an Earth Engine batch
task (<code>image:export</code>) that writes Cloud-Optimized GeoTIFFs to
<code>gs://BUCKET/cloudscore_composite/</code>; the plugin polls the task (its state and progress show as the
progress), then lists and downloads the files (Cloud Storage JSON API; resumed, checked by MD5), stitches them and
writes the output like the other engines. Cancel cancels the task. A run stopped otherwise (QGIS closed) leaves
the task running: the task is recorded in a hidden file beside the output, and the next run of the same request
picks it up (a second start of the same request never starts a second task). It costs batch EECU time and
Cloud Storage; the account of your credentials needs write and read access to the bucket (token scope
<code>cloud-platform</code>, which the plugin's credentials carry). Earth Engine runs about two batch tasks
per project at a time; tasks queue.</li>
</ul>
<p>The engine used is recorded in the output's <code>CLOUDSCORE_ENGINE</code> tag (<code>earthengine-servers</code>,
<code>this-computer</code> or <code>export</code>) and in the <code>ENGINE</code> output.</p>"""
    )


def options_help() -> str:
    """The help's part on the composite options and what is guaranteed: HTML, in the user's language."""
    return tr(
        """<h3>Composite options</h3>
<ul>
<li><b>Method</b> (per band, over the clear observations): 0 <code>median</code> (default; the mean of the two
middle values for an even count), 1 <code>mean</code>, 2 <code>min</code>, 3 <code>max</code>,
4 <code>percentiles</code> (numpy's linear interpolation), 5 <code>best</code> (best-pixel mosaic: every band
from the observation with the highest clear score; ties go to the most recent scene).</li>
<li><b>Percentiles</b>: comma-separated values in 0..100 for the percentiles method; default 25,50,75 (the
Pan-European seasonal mosaic's).</li>
<li><b>Bands</b>: comma-separated Sentinel-2 bands to composite, e.g. <code>B4,B3,B2,B8</code>; default every
band all scenes have.</li>
<li><b>Format</b>: 0 GeoTIFF (tiled, DEFLATE), 1 Cloud-Optimized GeoTIFF (GDAL's COG driver: 512 px tiles and
overviews).</li>
<li><b>Compression</b>: 0 DEFLATE (default; every GeoTIFF reader has it), 1 ZSTD (faster to write and read, where
GDAL was built with it; some other tools cannot read it).</li>
<li><b>Scale reflectance to bytes</b>: store reflectance as uint8 = DN / 40 (reflectance x 250, capped at 255);
the scale 40 is recorded in each band, so GDAL and QGIS can read DN back. The count is capped at 255.</li>
</ul>
<p>Output bands are named after band and statistic (<code>B4_median</code>, <code>B4_p25</code>, ...), then
<code>count</code>, the number of clear observations per pixel (the valid-observation count).</p>
<h3>What is guaranteed</h3>
<p>The output is written under a hidden temporary name, GDAL's write errors (a full disk) fail the run, and the
file is read back and compared before it is renamed into place: a failed or cancelled run leaves an older file of
the same name as it was. An output that is one of the input scenes is refused before the run. A grid larger than
the setting <code>cloudscore_composite/output_ceiling_gb</code> (default 20 GB uncompressed; 0 = none) or smaller
than 4 x 4 pixels is refused (RESOLUTION, EXTENT), and so is an extent where no pixel has a score. Damaged scene
files are skipped with their name and GDAL's reason (also in the <code>CLOUDSCORE_SKIPPED_SCENES</code> tag).</p>"""
    )


def add_composite_parameters(algorithm: QgsProcessingAlgorithm) -> None:
    """Add METHOD, PERCENTILES, BANDS, FORMAT, COMPRESSION and SCALE_TO_BYTE to an algorithm."""
    parameters = [
        QgsProcessingParameterEnum(METHOD, tr("Composite method"), options=list(METHODS), defaultValue=0),
        QgsProcessingParameterString(
            PERCENTILES,
            tr("Percentiles (comma-separated, 0..100; for the percentiles method)"),
            defaultValue=",".join(f"{p:g}" for p in DEFAULT_PERCENTILES),
            optional=True,
        ),
        QgsProcessingParameterString(
            BANDS, tr("Bands to composite (comma-separated, e.g. B4,B3,B2,B8; default: all)"), optional=True
        ),
        QgsProcessingParameterEnum(
            FORMAT, tr("Output format"), options=["GeoTIFF", "Cloud-Optimized GeoTIFF"], defaultValue=0
        ),
        QgsProcessingParameterEnum(
            COMPRESSION, tr("Output compression"), options=["DEFLATE", tr("ZSTD (faster)")], defaultValue=0
        ),
        QgsProcessingParameterBoolean(SCALE_TO_BYTE, tr("Scale reflectance to bytes (DN / 40)"), defaultValue=False),
    ]
    for parameter in parameters:
        algorithm.addParameter(parameter)


def composite_options(
    algorithm: QgsProcessingAlgorithm, parameters: Dict[str, Any], context: QgsProcessingContext
) -> Dict[str, Any]:
    """``CompositeRequest`` keyword arguments from the parameters ``add_composite_parameters`` added.

    Raises:
        InputError: ``PERCENTILES`` when a value is not a number in 0..100 or repeats (``parse_percentiles``).
    """
    percentiles_text = (algorithm.parameterAsString(parameters, PERCENTILES, context) or "").strip()
    percentiles = parse_percentiles(percentiles_text, PERCENTILES) if percentiles_text else DEFAULT_PERCENTILES
    bands = parse_band_list(algorithm.parameterAsString(parameters, BANDS, context))
    return dict(
        method=METHODS[algorithm.parameterAsEnum(parameters, METHOD, context)],
        percentiles=percentiles,
        bands=bands or None,
        output_format=FORMATS[algorithm.parameterAsEnum(parameters, FORMAT, context)],
        compression=COMPRESSIONS[algorithm.parameterAsEnum(parameters, COMPRESSION, context)],
        scale_to_byte=algorithm.parameterAsBoolean(parameters, SCALE_TO_BYTE, context),
        output_ceiling_gb=output_ceiling_gb(),  # the user's setting, shared with the dock
    )


def add_engine_parameter(algorithm: QgsProcessingAlgorithm, description: Optional[str] = None) -> None:
    """Add ``ENGINE``: the ``engines.ENGINES`` in order (0 Earth Engine's servers, 1 this computer, 2 export),
    default 0."""
    algorithm.addParameter(
        QgsProcessingParameterEnum(
            ENGINE,
            description or tr("Where the composite is computed"),
            options=[translated(ENGINE_LABELS[e]) for e in ENGINES],
            defaultValue=ENGINES.index(SERVERS),
        )
    )


def add_bucket_parameter(algorithm: QgsProcessingAlgorithm) -> None:
    """Add ``BUCKET``: the Cloud Storage bucket of an export (ENGINE 2); optional, required by that engine."""
    algorithm.addParameter(
        QgsProcessingParameterString(
            BUCKET, tr("Cloud Storage bucket (export to Cloud Storage, ENGINE 2)"), optional=True
        )
    )


def bucket_value(
    algorithm: QgsProcessingAlgorithm, parameters: Dict[str, Any], context: QgsProcessingContext
) -> Optional[str]:
    """``BUCKET`` for ``CompositeRequest.bucket``: the text stripped, None when empty (the request refuses an
    export without one, naming ``BUCKET``)."""
    return (algorithm.parameterAsString(parameters, BUCKET, context) or "").strip() or None


def engine_value(
    algorithm: QgsProcessingAlgorithm,
    parameters: Dict[str, Any],
    context: QgsProcessingContext,
    source: Optional[Source] = None,
) -> Optional[str]:
    """The ``ENGINE`` parameter as one of ``engines.ENGINES`` for ``CompositeRequest.engine``.

    With ``source``: Earth Engine's servers (0, the default) asked of a source that cannot compute on servers (a
    scene folder) means that source's own engine (None), so the default suits every source; any other choice is
    passed on as it is, for ``engines.check_engine`` to refuse.
    """
    engine = ENGINES[algorithm.parameterAsEnum(parameters, ENGINE, context)]
    if source is not None and engine == SERVERS and SERVERS not in source.engines:
        return None
    return engine


def run_composite_algorithm(
    request: CompositeRequest, source: Source, context: QgsProcessingContext, feedback: QgsProcessingFeedback
) -> CompositeResult:
    """Run the pipeline for an algorithm: progress, stage text, cancel, core logs to the feedback, a report of
    the scenes used and skipped, and the true-colour style when the output is loaded.

    Raises:
        QgsProcessingException: bad input (the message names the parameter), a source's error (e.g. Earth
            Engine credentials) or a cancel (nothing written).
    """
    try:
        with feedback_logging(feedback):
            result = run_composite(
                request,
                source,
                progress=feedback.setProgress,
                is_canceled=feedback.isCanceled,
                stage=feedback.setProgressText,
            )
    except Cancelled as error:
        raise QgsProcessingException(tr("Cancelled: no composite was written")) from error
    except CloudScoreError as error:  # bad input, Earth Engine credentials, project or refusals: their message
        raise QgsProcessingException(str(error)) from error
    scene_ids = [s.scene_id for s in result.plan.scenes]
    feedback.pushInfo(tr("Scenes kept: {0} ({1})").format(len(scene_ids), ", ".join(scene_ids)))
    # Scenes skipped for want of the QA band, and damaged files, were said once by the run's own warnings.
    feedback.pushInfo(tr("Clear fraction: {0:.1%} of the scored pixels").format(result.clear_fraction))
    feedback.pushInfo(tr("Output: {0} ({1})").format(result.output, ", ".join(result.band_names)))
    style_output_on_load(context, str(result.output))
    return result


def add_composite_outputs(algorithm: QgsProcessingAlgorithm) -> None:
    """Add the outputs every composite algorithm reports: ``SCENE_COUNT``, ``SCENES`` (system:index values,
    comma-separated) and ``CLEAR_FRACTION`` (clear / scored pixels, 0..1)."""
    algorithm.addOutput(QgsProcessingOutputNumber(SCENE_COUNT, tr("Number of scenes used")))
    algorithm.addOutput(QgsProcessingOutputString(SCENES, tr("Scenes used (system:index, comma-separated)")))
    algorithm.addOutput(QgsProcessingOutputNumber(CLEAR_FRACTION, tr("Clear fraction of the scored pixels (0..1)")))


def composite_outputs(result: CompositeResult) -> Dict[str, Any]:
    """The result dictionary of a composite run: ``OUTPUT`` (the file) and the outputs of
    ``add_composite_outputs``."""
    scene_ids = [s.scene_id for s in result.plan.scenes]
    return {
        OUTPUT: str(result.output),
        SCENE_COUNT: len(scene_ids),
        SCENES: ",".join(scene_ids),
        CLEAR_FRACTION: result.clear_fraction,
    }
