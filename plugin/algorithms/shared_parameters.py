"""The Processing parameters the algorithms share (source, AOI extent, dates, QA band, clear threshold, resolution,
output CRS): their definitions and their values translated to core types."""

import re
from datetime import date
from typing import Any, Dict, Optional, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QDate, QT_TR_NOOP

from ..core.earthengine.search import COLLECTIONS
from ..core.errors import InputError
from ..core.folder_source import FolderSource
from ..core.grid import Bounds
from ..core.pipeline import DEFAULT_THRESHOLD
from ..core.source import Source
from ..earthengine_settings import earth_engine_source
from ..qgis_crs import crs_for_core
from ..translation import tr, translated
from .algorithm_base import inputs_without_pam

SOURCE = "SOURCE"
INPUT = "INPUT"
COLLECTION = "COLLECTION"
PROJECT = "PROJECT"
SOURCE_OPTIONS = (
    QT_TR_NOOP("Scene folder (GeoTIFF)"),
    QT_TR_NOOP("Earth Engine (Sentinel-2 with Cloud Score+)"),
)
FOLDER, EARTH_ENGINE = 0, 1
EXTENT = "EXTENT"
START_DATE = "START_DATE"
END_DATE = "END_DATE"
QA_BAND = "QA_BAND"
THRESHOLD = "THRESHOLD"
RESOLUTION = "RESOLUTION"
CRS = "CRS"


def source_help() -> str:
    """The help's part on the scene source: HTML, in the user's language."""
    return tr(
        """<h3>Scene source</h3>
<p><b>Earth Engine</b>: the <b>collection</b> <code>COPERNICUS/S2_SR_HARMONIZED</code> (L2A, default) or
<code>COPERNICUS/S2_HARMONIZED</code> (L1C), each scene linked to its Cloud Score+ image
(<code>GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED</code>, QA bands <code>cs</code> and <code>cs_cdf</code>) by its
<code>system:index</code>. It needs an extent, Earth Engine credentials (a QGIS authentication configuration
chosen in the plugin's Earth Engine settings, the <code>CLOUDSCORE_EE_TOKEN</code> environment variable, a
service-account key named by <code>CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY</code>, <code>earthengine
authenticate</code>'s credentials file or application-default credentials, in that order) and a Cloud project
(advanced parameter, <code>CLOUDSCORE_EE_PROJECT</code> or the
credentials' own); the settings' tile cache, requests in flight and size ceiling apply. Scenes whose score is not
published yet have no QA band.</p>
"""
    )


def folder_help() -> str:
    """The help's part on the scene folder: HTML, in the user's language."""
    return tr(
        """<p><b>Scene folder</b>: one GeoTIFF per scene, directly in the folder, bands named by their
descriptions (<code>B1</code>..<code>B12</code>, <code>B8A</code> reflectance x 10000, any other name such as
<code>cs</code>, <code>cs_cdf</code> or <code>clear</code> a 0..1 clear score), the acquisition time in the
<code>ACQUISITION_TIME</code> tag or in a <code>system:index</code> file name
(<code>20230105T184749_20230105T184745_T11SKB.tif</code>). The output of <code>cloudscore:fetchscenes</code> is
such a folder.</p>"""
    )


def is_empty(parameters: dict, name: str) -> bool:
    """True when the parameter was not given (absent, None or an empty string)."""
    return parameters.get(name) in (None, "")


def parameter_date(
    alg: QgsProcessingAlgorithm, parameters: dict, name: str, context: QgsProcessingContext
) -> Optional[date]:
    """An optional date parameter as a ``date`` (None when not given).

    Raises:
        InputError: ``name`` when a value is given that is not a date.
    """
    return None if is_empty(parameters, name) else date_value(alg, parameters, name, context)


def add_folder_parameter(alg: QgsProcessingAlgorithm, description: Optional[str] = None, optional: bool = False):
    """The ``INPUT`` scene folder parameter."""
    alg.addParameter(
        QgsProcessingParameterFile(
            INPUT,
            description or tr("Folder of Sentinel-2 scenes (GeoTIFF)"),
            behavior=QgsProcessingParameterFile.Behavior.Folder,
            optional=optional,
        )
    )


def add_source_parameters(alg: QgsProcessingAlgorithm, folder_description: str):
    """``SOURCE`` (scene folder or Earth Engine), ``INPUT`` (the folder), ``COLLECTION`` and ``PROJECT`` (Earth
    Engine; the project is an advanced parameter)."""
    alg.addParameter(
        QgsProcessingParameterEnum(
            SOURCE, tr("Scene source"), options=[translated(o) for o in SOURCE_OPTIONS], defaultValue=FOLDER
        )
    )
    add_folder_parameter(alg, tr("{0} (scene folder source)").format(folder_description), optional=True)
    alg.addParameter(
        QgsProcessingParameterEnum(
            COLLECTION, tr("Earth Engine collection (Earth Engine source)"), options=list(COLLECTIONS), defaultValue=0
        )
    )
    add_project_parameter(alg, tr("Earth Engine Cloud project"))


def add_project_parameter(alg: QgsProcessingAlgorithm, label: Optional[str] = None) -> None:
    """``PROJECT``: the Google Cloud project billed for Earth Engine requests (optional, advanced)."""
    project = QgsProcessingParameterString(
        PROJECT,
        tr("{0} (default: CLOUDSCORE_EE_PROJECT, then the credentials')").format(label or tr("Cloud project")),
        optional=True,
    )
    project.setFlags(project.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
    alg.addParameter(project)


def earth_engine_from_parameters(
    alg: QgsProcessingAlgorithm, parameters: dict, context: QgsProcessingContext
) -> Source:
    """The Earth Engine source of ``COLLECTION`` and ``PROJECT``, with the user's Earth Engine settings (cache,
    requests in flight, size ceiling, stored credentials). Nothing touches the network here."""
    return earth_engine_source(
        COLLECTIONS[alg.parameterAsEnum(parameters, COLLECTION, context)],
        alg.parameterAsString(parameters, PROJECT, context),
    )


def scene_source(alg: QgsProcessingAlgorithm, parameters: dict, context: QgsProcessingContext) -> Source:
    """The source the ``SOURCE`` parameter names: the ``INPUT`` folder, or Earth Engine's ``COLLECTION``.

    Nothing touches the network here (Earth Engine credentials are resolved at the first search).

    Raises:
        InputError: ``INPUT`` for a missing or empty folder with the folder source.
        AuthError: the QGIS authentication configuration set for Earth Engine cannot be read.
    """
    if alg.parameterAsEnum(parameters, SOURCE, context) == EARTH_ENGINE:
        return earth_engine_from_parameters(alg, parameters, context)
    return folder_source(alg, parameters, context)


def check_search(source: Source, start: date, end: date, aoi: Optional[Bounds], aoi_crs: Optional[str]) -> None:
    """Before a run: a source that needs an AOI must have one; a source whose search is cheap (local files) must
    find scenes. A search over the network (Earth Engine) is left to the run.

    Raises:
        InputError: ``EXTENT`` when the source needs an AOI and has none; the source's ``no_scene_error``.
    """
    if source.needs_aoi and aoi is None:
        raise source.aoi_needed_error()
    if source.search_is_cheap and not source.search(start, end, aoi, aoi_crs):
        raise source.no_scene_error(start, end, aoi, aoi_crs)


def folder_source(alg: QgsProcessingAlgorithm, parameters: dict, context: QgsProcessingContext) -> FolderSource:
    """The ``INPUT`` folder as a source.

    Raises:
        InputError: ``INPUT`` for a missing, empty or unreadable folder (the operating system's reason given).
    """
    folder = alg.parameterAsFile(parameters, INPUT, context)
    try:
        return FolderSource(folder, field=INPUT)
    except OSError as error:  # e.g. a folder without read permission
        raise InputError(
            INPUT, tr("cannot read the folder {0!r}: {1}").format(folder, error.strerror or error)
        ) from error


def raster_path(
    alg: QgsProcessingAlgorithm, parameters: dict, name: str, context: QgsProcessingContext, required: bool = True
) -> Optional[str]:
    """The file (data source) of the raster layer or file parameter ``name``; None when an optional one is empty.

    Raises:
        InputError: ``name`` when it is required and empty, or the value is not a raster layer or file QGIS opens.
    """
    if is_empty(parameters, name):
        if required:
            raise InputError(name, tr("choose a raster layer or file"))
        return None
    with inputs_without_pam():  # the layer is only asked its file: no statistics saved beside the input
        layer = alg.parameterAsRasterLayer(parameters, name, context)
    if layer is None or not layer.isValid():
        raise InputError(name, tr("{0!r} is not a raster layer or file").format(parameters.get(name)))
    return layer.source()


def date_range(
    alg: QgsProcessingAlgorithm, parameters: dict, context: QgsProcessingContext, required: bool = True
) -> Tuple[Optional[date], Optional[date]]:
    """``START_DATE`` and ``END_DATE`` as ``[start, end)`` dates; (None, None) when both are empty and not required.

    Raises:
        InputError: ``START_DATE``/``END_DATE`` when one is missing or not a date, ``END_DATE`` when the end is not
            after the start.
    """
    start = parameter_date(alg, parameters, START_DATE, context)
    end = parameter_date(alg, parameters, END_DATE, context)
    if start is None and end is None and not required:
        return None, None
    if start is None:
        raise InputError(START_DATE, tr("give the start date (YYYY-MM-DD)"))
    if end is None:
        raise InputError(END_DATE, tr("give the end date (YYYY-MM-DD; excluded)"))
    if end <= start:
        raise InputError(END_DATE, tr("end date {0} must be after start date {1} (end is excluded)").format(end, start))
    return start, end


def add_extent_parameter(alg: QgsProcessingAlgorithm, description: Optional[str] = None) -> None:
    """The optional ``EXTENT`` parameter (any CRS)."""
    description = description or tr("Area of interest (default: all scenes)")
    alg.addParameter(QgsProcessingParameterExtent(EXTENT, description, optional=True))


def add_date_parameters(alg: QgsProcessingAlgorithm, optional: bool = False, note: str = "") -> None:
    """``START_DATE`` (included) and ``END_DATE`` (excluded), UTC days; ``note`` is added to both descriptions."""
    dates = ((START_DATE, tr("Start date (included{0})")), (END_DATE, tr("End date (excluded{0})")))
    for name, description in ((name, template.format(note)) for name, template in dates):
        alg.addParameter(
            QgsProcessingParameterDateTime(
                name, description, type=QgsProcessingParameterDateTime.Type.Date, optional=optional
            )
        )


def add_aoi_and_dates(
    alg: QgsProcessingAlgorithm,
    extent_description: Optional[str] = None,
    dates_optional: bool = False,
) -> None:
    """The optional ``EXTENT`` and the ``START_DATE`` (included) / ``END_DATE`` (excluded) date parameters."""
    add_extent_parameter(alg, extent_description)
    add_date_parameters(alg, dates_optional, tr("; optional with a scene layer") if dates_optional else "")


def add_threshold_parameter(alg: QgsProcessingAlgorithm, description: Optional[str] = None) -> None:
    """``THRESHOLD``: 0..1, default ``DEFAULT_THRESHOLD``."""
    alg.addParameter(
        QgsProcessingParameterNumber(
            THRESHOLD,
            description or tr("Clear threshold (clear where score >= threshold)"),
            type=QgsProcessingParameterNumber.Type.Double,
            defaultValue=DEFAULT_THRESHOLD,
            minValue=0.0,
            maxValue=1.0,
        )
    )


def add_clear_score_parameters(alg: QgsProcessingAlgorithm, threshold_description: Optional[str] = None) -> None:
    """``QA_BAND`` (a band name, default ``cs``) and ``THRESHOLD`` (0..1, default ``DEFAULT_THRESHOLD``)."""
    alg.addParameter(QgsProcessingParameterString(QA_BAND, tr("QA band (clear score 0..1)"), defaultValue="cs"))
    add_threshold_parameter(alg, threshold_description)


def add_resolution_parameter(alg: QgsProcessingAlgorithm, default: Optional[float] = None) -> None:
    """``RESOLUTION`` in metres; optional (the scenes' own) when there is no default."""
    description = (
        tr("Resolution in metres (default: the scenes' own)") if default is None else tr("Resolution in metres")
    )
    alg.addParameter(
        QgsProcessingParameterNumber(
            RESOLUTION,
            description,
            type=QgsProcessingParameterNumber.Type.Double,
            optional=default is None,
            defaultValue=default,
            minValue=0.0,
        )
    )


def resolution_value(alg: QgsProcessingAlgorithm, parameters: dict, context: QgsProcessingContext) -> Optional[float]:
    """The ``RESOLUTION`` parameter in metres, or None when it is not given (the scenes' own)."""
    return None if is_empty(parameters, RESOLUTION) else alg.parameterAsDouble(parameters, RESOLUTION, context)


def date_value(
    algorithm: QgsProcessingAlgorithm, parameters: Dict[str, Any], name: str, context: QgsProcessingContext
) -> date:
    """A date parameter as a ``datetime.date``.

    Raises:
        InputError: ``name`` when the value is not a date.
    """
    value = algorithm.parameterAsDateTime(parameters, name, context).date()
    if not isinstance(value, QDate) or not value.isValid():
        raise InputError(name, tr("{0!r} is not a date (YYYY-MM-DD)").format(parameters.get(name)))
    return date(value.year(), value.month(), value.day())


def extent_value(
    algorithm: QgsProcessingAlgorithm, parameters: Dict[str, Any], name: str, context: QgsProcessingContext
) -> Tuple[Optional[Bounds], Optional[str]]:
    """(AOI bounds, AOI CRS as ``crs_for_core`` gives it) of an optional extent parameter; (None, None) when it is
    not set.

    Raises:
        InputError: ``name`` when the extent names a CRS QGIS does not know (``...,45.9 [EPSG:999999]``): it is
            never read in another CRS silently.
    """
    if parameters.get(name) in (None, ""):
        return None, None
    extent = algorithm.parameterAsExtent(parameters, name, context)
    if extent.isNull():
        return None, None
    crs = algorithm.parameterAsExtentCrs(parameters, name, context)
    named = re.search(r"\[(.*)\]\s*$", parameters[name]) if isinstance(parameters[name], str) else None
    if named and not QgsCoordinateReferenceSystem(named.group(1).strip()).isValid():
        raise InputError(
            name,
            tr(
                "the CRS {0!r} of the extent is not one QGIS knows: give the extent as "
                "xmin,xmax,ymin,ymax [EPSG:code] with a valid code (e.g. EPSG:4326)"
            ).format(named.group(1).strip()),
        )
    aoi = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
    return aoi, crs_for_core(crs)


def crs_help() -> str:
    """The help's part on the output CRS (a list item): HTML, in the user's language."""
    return tr(
        """<li><b>Output CRS</b> (optional): a projected CRS in metres, e.g. EPSG:3035 (the Pan-European mosaic's,
at 30 m) for a mosaic across UTM zones; scenes in other CRSs are warped onto it (nearest neighbour). Default: the
CRS most scenes share, aligned to their pixels.</li>"""
    )


def add_crs_parameter(algorithm: QgsProcessingAlgorithm, description: Optional[str] = None) -> None:
    """Add the optional ``CRS`` of the output grid."""
    description = description or tr("Output CRS (default: the CRS most scenes share)")
    algorithm.addParameter(QgsProcessingParameterCrs(CRS, description, optional=True))


def crs_value(
    algorithm: QgsProcessingAlgorithm, parameters: Dict[str, Any], context: QgsProcessingContext
) -> Optional[str]:
    """``CRS`` for ``CompositeRequest.crs``: ``EPSG:<code>`` or the CRS's WKT; None when not set (the request
    checks it is projected in metres, naming ``CRS``).

    Raises:
        InputError: ``CRS`` when a value is given that QGIS does not know as a CRS (never ignored silently).
    """
    if parameters.get(CRS) in (None, ""):
        return None
    crs = algorithm.parameterAsCrs(parameters, CRS, context)
    if not crs.isValid():
        raise InputError(
            CRS, tr("{0!r} is not a CRS QGIS knows: give e.g. EPSG:3035 or EPSG:32633").format(parameters.get(CRS))
        )
    return crs_for_core(crs)
