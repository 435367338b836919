"""``cloudscore:seasonalcomposites``: one clear-score composite per season and year, named by season."""

import re
from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputMultipleLayers,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ..core.engines import EXPORT, check_engine
from ..core.errors import Cancelled, CloudScoreError, InputError
from ..core.pipeline import CompositeRequest, plan_composite, start_export
from ..core.seasons import (
    no_season_error,
    nothing_to_composite,
    parse_seasons,
    parse_years,
    season_periods,
    seasons_with_scenes,
)
from ..qgis_logging import feedback_logging
from ..translation import tr
from . import shared_parameters
from .algorithm_base import CloudScoreAlgorithm
from .composite_options import (
    engine_help,
    options_help,
    add_bucket_parameter,
    add_composite_parameters,
    add_engine_parameter,
    bucket_value,
    composite_options,
    engine_value,
    run_composite_algorithm,
)
from .orbit_options import orbits_help, add_orbit_parameters, orbit_options
from .shared_parameters import (
    crs_help,
    EXTENT,
    QA_BAND,
    THRESHOLD,
    add_clear_score_parameters,
    add_crs_parameter,
    add_extent_parameter,
    add_resolution_parameter,
    add_source_parameters,
    check_search,
    crs_value,
    extent_value,
    resolution_value,
    scene_source,
)


def help_text() -> str:
    """The algorithm's help (``shortHelpString``): HTML, in the user's language."""
    return (
        tr("""<p>Builds one cloud-free composite per season and year from a folder of Sentinel-2 scenes with a per-pixel
clear score, as the Pan-European seasonal cloudless mosaic did (four seasons a year; per band the 25th, 50th and
75th percentiles and the count of valid observations, with <b>Method</b> = percentiles).</p>
<p>Each composite is made exactly as <code>cloudscore:compositefolder</code> makes one (pixels whose score in the
<b>QA band</b> is below the <b>clear threshold</b> are masked; a score equal to the threshold is clear; a
<code>count</code> band holds the clear observations per pixel) over the season's dates, and written to the
<b>output folder</b> as <code>&lt;prefix&gt;_&lt;year&gt;_&lt;season&gt;.tif</code>, e.g.
<code>composite_2016_MAM.tif</code>.</p>
<h3>Seasons</h3>
<ul>
<li><b>Years</b>: one year (<code>2016</code>), several (<code>2015,2017</code>) or a range (<code>2015-2017</code>,
both included).</li>
<li><b>Seasons</b>: empty (default) for the <b>meteorological seasons</b>: <code>DJF</code> (December of the
<b>previous</b> year, January, February), <code>MAM</code> (March-May), <code>JJA</code> (June-August),
<code>SON</code> (September-November). So DJF 2016 is 2015-12-01 to 2016-02-29. Or custom month ranges
<code>name=first-last</code> separated by <code>;</code>, e.g. <code>winter=12-2;summer=6-8</code> or
<code>jan=1</code>: months 1..12, both ends included; a range over the new year (<code>12-2</code>) belongs to the
year of its last month, like DJF. Names become part of the file names (letters, digits, <code>_</code>,
<code>-</code>).</li>
</ul>
<p>A season with no scene carrying the QA band (over the extent) is reported in the log and skipped; the run
fails only when no season has any. With a scene folder the seasons are searched before the run; with Earth
Engine each season is searched once, when its turn comes.</p>
<h3>Other parameters</h3>
<ul>
<li><b>Scene source</b>: a scene folder (default) or Earth Engine (see below; needs an extent).</li>
<li><b>Extent</b> (optional for a folder): area of interest, in any CRS; default the union of the scenes (per
season). Give it for composites on one grid across seasons.</li>
<li><b>QA band</b>: clear score band, e.g. <code>cs</code> or <code>cs_cdf</code> (Cloud Score+).</li>
<li><b>Clear threshold</b>: 0..1, default 0.60; 0.50..0.65 works well.</li>
<li><b>Resolution</b> (optional): output pixel size in metres; default the scenes' own.</li>
""")
        + crs_help()
        + tr("""
<li><b>File name prefix</b>: default <code>composite</code>.</li>
<li><b>ENGINE</b> (Earth Engine source): where each composite is computed: 0 on Earth Engine's servers (default),
1 on this computer, 2 export to Cloud Storage (one batch task per season, all started first so that Earth Engine
runs them side by side; each season then waits for its own). A scene folder is always composited on this
computer: with it, 0 (the default) and 1 both mean this computer, and 2 is refused.</li>
<li><b>BUCKET</b>: the Cloud Storage bucket of the exports (ENGINE 2; required then).</li>
</ul>
""")
        + options_help()
        + orbits_help()
        + engine_help()
        + shared_parameters.source_help()
        + shared_parameters.folder_help()
        + tr("""
<p>Outputs: <code>OUTPUT</code> (the folder), <code>OUTPUTS</code> (the composites written, a list of file paths,
in year and season order), <code>COMPOSITE_COUNT</code>, <code>SKIPPED</code> (the seasons skipped, e.g.
<code>2016_DJF</code>, comma-separated). Each file is written under a temporary name and renamed into place when
complete: a cancel leaves no half-written file (composites of seasons finished before the cancel are kept).</p>""")
    )


_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class SeasonalCompositesAlgorithm(CloudScoreAlgorithm):
    """One composite per season of each year (see ``help_text``)."""

    NAME = "seasonalcomposites"
    GROUP_ID = "composites"

    YEARS = "YEARS"
    SEASONS = "SEASONS"
    RESOLUTION = shared_parameters.RESOLUTION
    PREFIX = "PREFIX"
    OUTPUT = "OUTPUT"
    OUTPUTS = "OUTPUTS"
    COMPOSITE_COUNT = "COMPOSITE_COUNT"
    SKIPPED = "SKIPPED"

    def displayName(self):  # noqa: N802
        return tr("Seasonal composites")

    def group(self):
        return tr("Composites")

    def shortHelpString(self):  # noqa: N802
        return help_text()

    def initAlgorithm(self, config=None):  # noqa: N802
        add_source_parameters(self, tr("Folder of Sentinel-2 scenes (GeoTIFF)"))
        add_extent_parameter(self)
        self.addParameter(QgsProcessingParameterString(self.YEARS, tr("Years (e.g. 2016, 2015,2017 or 2015-2017)")))
        self.addParameter(
            QgsProcessingParameterString(
                self.SEASONS,
                tr("Seasons (default: meteorological DJF, MAM, JJA, SON; or e.g. winter=12-2;summer=6-8)"),
                optional=True,
            )
        )
        add_clear_score_parameters(self)
        add_resolution_parameter(self)
        add_crs_parameter(self)
        add_composite_parameters(self)
        add_orbit_parameters(self)
        add_engine_parameter(
            self, tr("Where the composites are computed (Earth Engine source; a folder: this computer)")
        )
        add_bucket_parameter(self)
        self.addParameter(QgsProcessingParameterString(self.PREFIX, tr("File name prefix"), defaultValue="composite"))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Output folder")))
        self.addOutput(QgsProcessingOutputMultipleLayers(self.OUTPUTS, tr("Seasonal composites")))
        self.addOutput(QgsProcessingOutputNumber(self.COMPOSITE_COUNT, tr("Number of composites written")))
        self.addOutput(QgsProcessingOutputString(self.SKIPPED, tr("Seasons skipped (no scene), comma-separated")))

    def _plan(self, parameters, context, folder: str):
        """(source, [(period, request)], skipped seasons); raises ``InputError`` naming the parameter.

        When the source's search is cheap (a folder) the seasons are searched and those without a scored scene
        skipped. Otherwise (Earth Engine, whose search goes over the network) only the parameters are checked and
        every season is planned: each season's run searches it once and is skipped when it finds nothing
        (``nothing_to_composite``)."""
        source = scene_source(self, parameters, context)
        years = parse_years(self.parameterAsString(parameters, self.YEARS, context), self.YEARS)
        seasons = parse_seasons(self.parameterAsString(parameters, self.SEASONS, context))
        prefix = (self.parameterAsString(parameters, self.PREFIX, context) or "").strip()
        if not _PREFIX.fullmatch(prefix):
            raise InputError(
                self.PREFIX,
                tr("prefix {0!r} must be letters, digits, _, - or . (it starts the file names)").format(prefix),
            )
        aoi, aoi_crs = extent_value(self, parameters, EXTENT, context)
        resolution = resolution_value(self, parameters, context)
        qa_band = self.parameterAsString(parameters, QA_BAND, context).strip()
        options = composite_options(self, parameters, context)
        options.update(orbit_options(self, parameters, context), crs=crs_value(self, parameters, context))
        engine = engine_value(self, parameters, context, source)
        check_engine(engine, source.engines)
        periods = season_periods(years, seasons)
        if source.search_is_cheap:
            runnable, skipped = seasons_with_scenes(periods, source, qa_band, aoi, aoi_crs)
        else:
            check_search(source, periods[0].start, periods[-1].end, aoi, aoi_crs)
            runnable, skipped = periods, []
        requests = [
            (
                period,
                CompositeRequest(
                    start=period.start,
                    end=period.end,
                    qa_band=qa_band,
                    output=Path(folder) / period.output_name(prefix),
                    threshold=self.parameterAsDouble(parameters, THRESHOLD, context),
                    aoi=aoi,
                    aoi_crs=aoi_crs,
                    resolution=resolution,
                    engine=engine,
                    bucket=bucket_value(self, parameters, context),
                    **options,
                ),
            )
            for period in runnable
        ]
        return source, requests, skipped

    def check(self, parameters, context) -> None:
        """Reject bad input before the run, with a message naming the parameter and the accepted values."""
        source, requests, _ = self._plan(parameters, context, folder="")
        for _, request in requests:
            if source.search_is_cheap:  # reads scene headers only
                plan_composite(request, source)
            else:
                request.validate()

    @staticmethod
    def _start_exports(requests, source, feedback) -> None:
        """Start every season's export task before waiting for any (Earth Engine runs about two batch tasks per
        project at a time, the rest queue); each season's run then finds its task again. A season that cannot
        start (no scene, a refusal) is left to its own run, which reports it."""
        for period, request in requests:
            if feedback.isCanceled():
                return
            try:
                with feedback_logging(feedback):
                    start_export(request, source, feedback.isCanceled)
            except Cancelled:
                return
            except CloudScoreError as error:
                feedback.pushInfo(
                    tr("Season {0}: no export task started now ({1}); its run says why").format(period.label, error)
                )

    @staticmethod
    def _report_skipped(feedback, season) -> None:
        feedback.pushWarning(
            tr("Season {0} ({1} to {2}, end excluded) skipped: {3}").format(
                season.period.label, season.period.start, season.period.end, season.reason
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        folder = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            source, requests, skipped = self._plan(parameters, context, folder)
            searched = source.search_is_cheap
            Path(folder).mkdir(parents=True, exist_ok=True)
            for _, request in requests:  # so that a run's QA_BAND error can only mean "no scene has it"
                request.validate()
        except CloudScoreError as error:  # bad input, or Earth Engine refusing the search (its message says why)
            raise QgsProcessingException(str(error)) from error
        except OSError as error:
            raise QgsProcessingException(
                tr("{0}: cannot create the folder {1!r}: {2}").format(self.OUTPUT, folder, error)
            ) from error
        for season in skipped:
            self._report_skipped(feedback, season)
        exporting = bool(requests) and requests[0][1].engine == EXPORT
        if exporting:
            self._start_exports(requests, source, feedback)
        # One step per season: QGIS's multi-step feedback scales each composite's 0..100 % into the run's.
        steps = QgsProcessingMultiStepFeedback(len(requests), feedback)
        written = []
        for index, (period, request) in enumerate(requests):
            steps.setCurrentStep(index)
            feedback.pushInfo(
                tr("Season {0}: {1} to {2} (end excluded)").format(period.label, period.start, period.end)
            )
            try:
                result = run_composite_algorithm(request, source, context, steps)
            except (QgsProcessingException, CloudScoreError) as error:  # input, cancel, Earth Engine's refusals
                # Not searched before: a season that finds nothing is skipped, as the pre-search would have.
                season = None if searched else nothing_to_composite(error.__cause__ or error, period)
                if season is not None:
                    skipped.append(season)
                    self._report_skipped(feedback, season)
                    continue
                kept = f"; composites finished before it are kept: {', '.join(written)}" if written else ""
                if exporting and feedback.isCanceled():  # the later seasons' tasks were started: stop them too
                    for _, later in requests[index + 1 :]:
                        source.cancel_export(later)
                raise QgsProcessingException(f"{error}{kept}") from error
            written.append(str(result.output))
        if not written:  # only without the search first: it refuses a run where no season has a scene
            raise QgsProcessingException(
                str(no_season_error([p for p, _ in requests], source, requests[0][1].qa_band, requests[0][1].aoi))
            )
        return {
            self.OUTPUT: folder,
            self.OUTPUTS: written,
            self.COMPOSITE_COUNT: len(written),
            self.SKIPPED: ",".join(s.period.label for s in skipped),
        }
