"""``cloudscore:fetchscenes``: scenes (of a search, or over an AOI in dates) written to a scene folder."""

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ..core.errors import Cancelled, CloudScoreError, InputError
from ..core.scene import parse_band_list
from ..core.scene_export import check_output_folder, export_scenes, scenes_by_id
from ..qgis_logging import feedback_logging
from ..qgis_crs import crs_for_core
from ..translation import tr
from . import shared_parameters
from .algorithm_base import CloudScoreAlgorithm
from .shared_parameters import (
    EXTENT,
    add_aoi_and_dates,
    add_source_parameters,
    date_range,
    extent_value,
    scene_source,
)


def help_text() -> str:
    """The algorithm's help (``shortHelpString``): HTML, in the user's language."""
    return (
        tr("""<p>Writes scenes to a folder in the scene-folder layout, ready for <code>cloudscore:compositefolder</code>
(its <b>Folder of Sentinel-2 scenes</b>) and for <code>cloudscore:seasonalcomposites</code>: one GeoTIFF per
scene named <code>&lt;system:index&gt;.tif</code>, bands named by their descriptions, the acquisition time,
<code>system:index</code>, MGRS tile, cloud percentage and platform in tags.</p>
<p>Which scenes: the features of a <b>scene layer</b> (the output of <code>cloudscore:searchscenes</code>, or any
layer with a field of scene ids; with "selected features only", just those), matched by the <b>id field</b>
(default <code>id</code>); or, without a scene layer, every scene acquired in [<b>start date</b>, <b>end
date</b>) (UTC days, end excluded) over the <b>extent</b>. With a scene layer the dates are optional: without
them the days named by the ids (a <code>system:index</code> starts with the acquisition time) are searched. Ids
not found are reported.</p>
<p><b>Extent</b> (optional, any CRS): each scene is clipped to it, widened outwards to whole pixels of the scene
(no resampling; the scene's own CRS, dtype, nodata, band descriptions, scale/offset and tags are kept), so a
composite of the folder over the same extent is pixel for pixel the composite of the whole scenes. Without an
extent, whole scenes are copied. Scenes the extent misses are left out.</p>
<p>From <b>Earth Engine</b> the pixels are downloaded (into the tile cache, so an interrupted fetch resumes)
on a grid aligned to each scene's own 10 m pixels and written as float32 (reflectance x 10000, scores 0..1, nodata
0); give an extent there (whole scenes are about 110 km across), or the scene layer's extent is searched.</p>
<p><b>Bands</b> (optional): comma-separated band names to keep, e.g. <code>B2,B3,B4,B8,cs</code> (Sentinel-2
bands and the QA band); default every band.</p>
<p>Each scene file is written under a hidden temporary name and renamed into place when complete: a cancelled
or failed run leaves no half-written file, and keeps the scenes already written; running again keeps scene
files that are already there for the same scene, clip and bands (so an interrupted run resumes).</p>
""")
        + shared_parameters.source_help()
        + shared_parameters.folder_help()
        + tr("""
<p>Outputs: <code>OUTPUT</code> (the folder), <code>SCENE_COUNT</code> (scene files in it from this run,
written or kept) and <code>SCENE_IDS</code> (their ids, <code>system:index</code>, comma-separated).</p>""")
    )


class FetchScenesAlgorithm(CloudScoreAlgorithm):
    """Scenes copied/clipped to a scene folder (see ``help_text``)."""

    NAME = "fetchscenes"
    GROUP_ID = "scenes"

    SCENES = "SCENES"
    ID_FIELD = "ID_FIELD"
    BANDS = "BANDS"
    OUTPUT = "OUTPUT"
    SCENE_COUNT = "SCENE_COUNT"
    SCENE_IDS = "SCENE_IDS"

    def displayName(self):  # noqa: N802
        return tr("Fetch scenes to a folder")

    def group(self):
        return tr("Scenes")

    def shortHelpString(self):  # noqa: N802
        return help_text()

    def initAlgorithm(self, config=None):  # noqa: N802
        add_source_parameters(self, tr("Folder of Sentinel-2 scenes to fetch from (GeoTIFF)"))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.SCENES,
                tr("Scene layer (e.g. from Search scenes; default: every scene in the dates)"),
                types=[QgsProcessing.SourceType.TypeVector],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.ID_FIELD,
                tr("Scene id field"),
                defaultValue="id",
                parentLayerParameterName=self.SCENES,
                type=QgsProcessingParameterField.DataType.String,
                optional=True,
            )
        )
        add_aoi_and_dates(self, tr("Clip to this extent (default: whole scenes)"), dates_optional=True)
        self.addParameter(
            QgsProcessingParameterString(self.BANDS, tr("Bands to keep, comma-separated (default: all)"), optional=True)
        )
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Output scene folder")))
        self.addOutput(QgsProcessingOutputNumber(self.SCENE_COUNT, tr("Number of scenes in the folder")))
        self.addOutput(QgsProcessingOutputString(self.SCENE_IDS, tr("Scene ids (system:index, comma-separated)")))

    def _bands(self, parameters, context):
        return parse_band_list(self.parameterAsString(parameters, self.BANDS, context)) or None

    def _scene_layer(self, parameters, context):
        """The scene layer's ids (selected features only when asked) and extent (bounds, CRS WKT), or None."""
        if shared_parameters.is_empty(parameters, self.SCENES):
            return None, (None, None)
        layer = self.parameterAsSource(parameters, self.SCENES, context)
        if layer is None:
            raise InputError(self.SCENES, tr("the scene layer cannot be read"))
        field = self.parameterAsString(parameters, self.ID_FIELD, context) or "id"
        index = layer.fields().lookupField(field)
        if index < 0:
            raise InputError(
                self.ID_FIELD,
                tr("the scene layer has no field {0!r}; its fields are {1}").format(
                    field, ", ".join(layer.fields().names())
                ),
            )
        ids = [str(f.attributes()[index]) for f in layer.getFeatures() if f.attributes()[index] not in (None, "")]
        extent = layer.sourceExtent()
        bounds = (
            None
            if extent.isNull() or extent.isEmpty()
            else (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
        )
        return ids, (bounds, crs_for_core(layer.sourceCrs()) if bounds else None)

    def _scenes(self, parameters, context, source=None):
        """(source, scenes, ids not found, aoi, aoi_crs, bands) of ``source`` (default: the parameters'); raises
        ``InputError`` naming the parameter."""
        source = source or scene_source(self, parameters, context)
        ids, layer_extent = self._scene_layer(parameters, context)
        start, end = date_range(self, parameters, context, required=ids is None)
        aoi, aoi_crs = extent_value(self, parameters, EXTENT, context)
        if ids is None:
            shared_parameters.check_search(source, start, end, aoi, aoi_crs)
            scenes, missing = source.search(start, end, aoi, aoi_crs), []
            if not scenes:
                raise source.no_scene_error(start, end, aoi, aoi_crs)
        else:
            # A source that needs an area (Earth Engine) searches without an extent over the scene layer's.
            search_aoi = (aoi, aoi_crs) if aoi is not None or not source.needs_aoi else layer_extent
            scenes, missing = scenes_by_id(source, ids, start, end, *search_aoi)
            if not scenes:
                raise InputError(
                    self.SCENES,
                    tr("none of the {0} scene id(s) of the layer is in the {1}").format(len(ids), source.describe())
                    + (tr(" over the extent") if aoi else ""),
                )
        bands = self._bands(parameters, context)
        lacking = [s.scene_id for s in scenes if bands and not set(bands) <= set(s.band_names)]
        if lacking:
            raise InputError(
                self.BANDS, tr("scene(s) {0} lack some of the bands {1}").format(", ".join(lacking), ", ".join(bands))
            )
        return source, scenes, missing, aoi, aoi_crs, bands

    def check(self, parameters, context) -> None:
        """Reject bad input before the run, with a message naming the parameter and the accepted values.

        A source whose search goes over the network (Earth Engine) is not searched here: only the parameters are
        checked."""
        source = scene_source(self, parameters, context)
        if not source.search_is_cheap:
            ids, _ = self._scene_layer(parameters, context)
            start, end = date_range(self, parameters, context, required=ids is None)
            if ids is None:
                shared_parameters.check_search(source, start, end, *extent_value(self, parameters, EXTENT, context))
        else:
            self._scenes(parameters, context, source)
        check_output_folder(source, self.parameterAsFileOutput(parameters, self.OUTPUT, context))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        folder = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            source, scenes, missing, aoi, aoi_crs, bands = self._scenes(parameters, context)
            for name, why in source.skipped_files:
                feedback.pushWarning(tr("Skipped {0}: {1}").format(name, why))
            if missing:
                feedback.pushWarning(
                    tr("Scene id(s) not found in the {0}: {1}").format(source.describe(), ", ".join(missing))
                )
            with feedback_logging(feedback):
                result = export_scenes(
                    source,
                    scenes,
                    folder,
                    aoi,
                    aoi_crs,
                    bands,
                    progress=feedback.setProgress,
                    is_canceled=feedback.isCanceled,
                )
        except Cancelled as error:
            raise QgsProcessingException(
                tr("Cancelled: scene files completed before the cancel are kept, no partial file was left")
            ) from error
        except CloudScoreError as error:  # bad input, or Earth Engine refusing (its message says why)
            raise QgsProcessingException(str(error)) from error
        if result.outside:
            feedback.pushWarning(tr("Scene(s) outside the extent, left out: {0}").format(", ".join(result.outside)))
        if not result.files:
            raise QgsProcessingException(
                tr("{0}: the extent touches none of the {1} scene(s)").format(EXTENT, len(scenes))
            )
        ids = [s.scene_id for s in scenes if s.scene_id not in result.outside]
        feedback.pushInfo(
            tr("Scene files: {0} written, {1} kept, in {2}").format(len(result.written), len(result.kept), folder)
        )
        return {self.OUTPUT: folder, self.SCENE_COUNT: len(ids), self.SCENE_IDS: ",".join(ids)}
