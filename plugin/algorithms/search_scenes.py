"""``cloudscore:searchscenes``: the scenes over an AOI in a date range, as a layer of footprints."""

import json
from datetime import datetime, timezone

from osgeo import ogr
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QT_TR_NOOP, QTime, Qt

from ..core.errors import Cancelled, CloudScoreError, InputError
from ..core.footprints import WGS84, scene_footprint
from ..core.masking import check_threshold
from ..core.scene import majority_crs
from ..core.scene_stats import find_scenes
from ..qgis_compat import FieldType
from ..qgis_logging import feedback_logging
from ..translation import tr, translated
from . import shared_parameters
from .algorithm_base import CloudScoreAlgorithm
from .shared_parameters import (
    EXTENT,
    QA_BAND,
    THRESHOLD,
    add_aoi_and_dates,
    add_clear_score_parameters,
    add_source_parameters,
    date_range,
    extent_value,
    scene_source,
)


def help_text() -> str:
    """The algorithm's help (``shortHelpString``): HTML, in the user's language."""
    return (
        tr("""<p>Lists the Sentinel-2 scenes acquired over an area of interest (AOI) in a date range, as a polygon layer
of scene footprints, one feature per scene, in acquisition order. Use it to see what a composite would use, to
pick scenes (select features, or filter on the fields) and to feed <code>cloudscore:fetchscenes</code>, which
takes this layer's <code>id</code> field.</p>
<h3>Fields</h3>
<ul>
<li><code>id</code>: the scene's Earth Engine <code>system:index</code> (e.g.
<code>20150711T100008_20150711T100008_T33TVL</code>), or the file name without extension.</li>
<li><code>time</code>: acquisition time (UTC).</li>
<li><code>tile</code>: MGRS tile (e.g. <code>33TVL</code>); <code>platform</code>: Sentinel-2A/B/C when known.</li>
<li><code>cloud_pct</code>: the scene's <code>CLOUDY_PIXEL_PERCENTAGE</code> (0..100, whole tile, from the product
metadata) when the source knows it, else NULL.</li>
<li><code>score_available</code>: true when the scene has the <b>QA band</b> (its per-pixel clear score). Scenes
without it are skipped by the composite algorithms (and reported), never silently masked.</li>
<li><code>clear_fraction</code>: the fraction (0..1) of the scene's scored pixels inside the AOI whose clear score
is at least the <b>clear threshold</b> (a score equal to the threshold is clear). Computed when the scores are
local (the scene folder source; Earth Engine scores would need a download first), on a grid of at most 512 x 512
pixels over the AOI; NULL when the scene has no score or no scored pixel in the AOI.</li>
<li><code>orbit</code>: the relative orbit (1..143, the <code>SENSING_ORBIT_NUMBER</code> tag or Earth Engine
property), NULL when unknown. <code>compositefolder</code> with ORBITS 1 composites each orbit on its own.</li>
</ul>
<h3>Parameters</h3>
<ul>
<li><b>Scene source</b>: a scene folder (default) or Earth Engine, see below.</li>
<li><b>Extent</b> (optional): the AOI, in any CRS; default all scenes. A scene is listed when its footprint
overlaps the AOI.</li>
<li><b>Start date</b> and <b>end date</b>: scenes acquired in [start, end), UTC days (the end date is
excluded).</li>
<li><b>QA band</b>: the clear score band (<code>cs</code> or <code>cs_cdf</code> for Cloud Score+); default
<code>cs</code>.</li>
<li><b>Clear threshold</b>: 0..1, default 0.60 (Earth Engine's Cloud Score+ example); only used for
<code>clear_fraction</code>.</li>
<li><b>Footprint CRS</b>: EPSG:4326 (longitude/latitude, default) or the scenes' own CRS (the one most scenes
share; footprints of scenes in other CRSs are reprojected).</li>
</ul>
<p>Footprints are the scenes' raster rectangles (including any nodata border), densified so they stay exact
when reprojected.</p>
""")  # nosec B608  # help text in HTML ("select features ... from"), no SQL anywhere
        + shared_parameters.source_help()
        + shared_parameters.folder_help()
        + tr("""
<p>Outputs: the footprint layer, <code>SCENE_COUNT</code> (scenes found) and <code>SCORED_COUNT</code> (scenes
with the QA band). A search that finds no scene fails with a message saying what the folder holds.</p>""")
    )


FOOTPRINT_CRS_OPTIONS = (
    QT_TR_NOOP("EPSG:4326 (longitude/latitude)"),
    QT_TR_NOOP("The scenes' own CRS"),
)


def footprint_fields() -> QgsFields:
    """The attribute table of a footprint layer (see ``help_text``)."""
    fields = QgsFields()
    for name, kind in (
        ("id", FieldType.String),
        ("time", FieldType.DateTime),
        ("tile", FieldType.String),
        ("platform", FieldType.String),
        ("cloud_pct", FieldType.Double),
        ("score_available", FieldType.Bool),
        ("clear_fraction", FieldType.Double),
        ("orbit", FieldType.Int),
    ):
        fields.append(QgsField(name, kind))
    return fields


def utc_datetime(when: datetime) -> QDateTime:
    """A timezone-aware datetime as a UTC ``QDateTime`` (whole seconds), whatever the machine's time zone."""
    when = when.astimezone(timezone.utc)
    return QDateTime(
        QDate(when.year, when.month, when.day), QTime(when.hour, when.minute, when.second), Qt.TimeSpec.UTC
    )


def qgs_geometry(geojson: dict) -> QgsGeometry:
    """A GeoJSON geometry dict as a multi-part ``QgsGeometry`` (QGIS 3.22 has no GeoJSON geometry reader)."""
    geometry = QgsGeometry.fromWkt(ogr.CreateGeometryFromJson(json.dumps(geojson)).ExportToWkt())
    geometry.convertToMultiType()
    return geometry


class SearchScenesAlgorithm(CloudScoreAlgorithm):
    """Scene footprints with id, time, tile, cloud %, score availability and clear fraction (see ``help_text``)."""

    NAME = "searchscenes"
    GROUP_ID = "scenes"

    FOOTPRINT_CRS = "FOOTPRINT_CRS"
    OUTPUT = "OUTPUT"
    SCENE_COUNT = "SCENE_COUNT"
    SCORED_COUNT = "SCORED_COUNT"

    def displayName(self):  # noqa: N802
        return tr("Search scenes")

    def group(self):
        return tr("Scenes")

    def shortHelpString(self):  # noqa: N802
        return help_text()

    def initAlgorithm(self, config=None):  # noqa: N802
        add_source_parameters(self, tr("Folder of Sentinel-2 scenes (GeoTIFF)"))
        add_aoi_and_dates(self)
        add_clear_score_parameters(self, tr("Clear threshold for the clear fraction (clear where score >= threshold)"))
        self.addParameter(
            QgsProcessingParameterEnum(
                self.FOOTPRINT_CRS,
                tr("Footprint CRS"),
                options=[translated(o) for o in FOOTPRINT_CRS_OPTIONS],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Scene footprints"), type=QgsProcessing.SourceType.TypeVectorPolygon
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.SCENE_COUNT, tr("Number of scenes found")))
        self.addOutput(QgsProcessingOutputNumber(self.SCORED_COUNT, tr("Number of scenes with the QA band")))

    def _inputs(self, parameters, context):
        """(source, start, end, aoi, aoi_crs, qa_band, threshold); raises ``InputError`` naming the parameter."""
        source = scene_source(self, parameters, context)
        start, end = date_range(self, parameters, context)
        aoi, aoi_crs = extent_value(self, parameters, EXTENT, context)
        qa_band = self.parameterAsString(parameters, QA_BAND, context).strip()
        if not qa_band:
            raise InputError(QA_BAND, tr("name the band holding the clear score (e.g. cs, cs_cdf)"))
        if qa_band not in source.qa_bands():
            raise InputError(
                QA_BAND,
                tr("no scene has the QA band {0!r}; QA bands found: {1}").format(
                    qa_band, ", ".join(source.qa_bands()) or tr("none")
                ),
            )
        threshold = check_threshold(self.parameterAsDouble(parameters, THRESHOLD, context))
        return source, start, end, aoi, aoi_crs, qa_band, threshold

    def check(self, parameters, context) -> None:
        """Reject bad input before the run, with a message naming the parameter and the accepted values."""
        source, start, end, aoi, aoi_crs, _, _ = self._inputs(parameters, context)
        shared_parameters.check_search(source, start, end, aoi, aoi_crs)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        try:
            source, start, end, aoi, aoi_crs, qa_band, threshold = self._inputs(parameters, context)
            for name, why in source.skipped_files:  # damaged files of a folder: named, with GDAL's reason
                feedback.pushWarning(tr("Skipped {0}: {1}").format(name, why))
            with feedback_logging(feedback):
                # Scores are read where the search is cheap (local files); others would need a download first.
                search = find_scenes(
                    source,
                    start,
                    end,
                    aoi,
                    aoi_crs,
                    qa_band,
                    read_scores=source.search_is_cheap,
                    progress=lambda done, total: feedback.setProgress(100.0 * done / total),
                    is_canceled=feedback.isCanceled,
                )
        except Cancelled as error:
            raise QgsProcessingException(tr("Cancelled: no footprint layer was written")) from error
        except CloudScoreError as error:  # bad input, or Earth Engine refusing (its message says why)
            raise QgsProcessingException(str(error)) from error
        fractions = search.clear_fractions(threshold)
        crs = (
            WGS84 if self.parameterAsEnum(parameters, self.FOOTPRINT_CRS, context) == 0 else majority_crs(search.scenes)
        )
        fields = footprint_fields()
        sink, dest_id = self.parameterAsSink(
            parameters,
            self.OUTPUT,
            context,
            fields,
            QgsWkbTypes.Type.MultiPolygon,
            QgsCoordinateReferenceSystem.fromWkt(crs.to_wkt()),
        )
        if sink is None:
            raise QgsProcessingException(tr("{0}: the footprint layer could not be created").format(self.OUTPUT))
        # No cancel check while writing: the features are few and a half-written layer is worse than a wait.
        for scene in search.scenes:
            feature = QgsFeature(fields)
            feature.setGeometry(qgs_geometry(scene_footprint(scene, crs)))
            feature.setAttributes(
                [
                    scene.scene_id,
                    utc_datetime(scene.time),
                    scene.tile,
                    scene.platform,
                    scene.cloudy_percentage,
                    qa_band in scene.band_names,
                    fractions.get(scene.scene_id),
                    scene.orbit,
                ]
            )
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        scored = sum(qa_band in s.band_names for s in search.scenes)
        feedback.pushInfo(
            tr("Scenes found: {0}, with the QA band {1!r}: {2}").format(len(search.scenes), qa_band, scored)
        )
        return {self.OUTPUT: dest_id, self.SCENE_COUNT: len(search.scenes), self.SCORED_COUNT: scored}
