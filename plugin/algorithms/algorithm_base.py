"""What every ``cloudscore`` Processing algorithm shares: icon, group, help and instance creation from class data,
and the check of the parameters before a run."""

from contextlib import contextmanager
from typing import Iterator

from qgis.core import QgsProcessingAlgorithm
from qgis.PyQt.QtGui import QIcon

from ..core.errors import CloudScoreError
from ..paths import ICON_PATH
from ..translation import tr


@contextmanager
def inputs_without_pam() -> Iterator[None]:
    """Within the block, rasters GDAL opens in this thread keep no ``.aux.xml`` (GDAL's PAM is off for them).

    QGIS loads a raster layer parameter given as a file to check it, and the layer's default style computes
    statistics and histograms, which GDAL would save beside the user's input when the layer is freed. Our
    algorithms only take the layer's file name from it (core reads the file itself), so nothing is saved.
    """
    from osgeo import gdal

    previous = gdal.GetThreadLocalConfigOption("GDAL_PAM_ENABLED", None)
    gdal.SetThreadLocalConfigOption("GDAL_PAM_ENABLED", "NO")
    try:
        yield
    finally:
        gdal.SetThreadLocalConfigOption("GDAL_PAM_ENABLED", previous)


class CloudScoreAlgorithm(QgsProcessingAlgorithm):
    """Base of the plugin's algorithms: subclasses set ``NAME`` and ``GROUP_ID`` (ids, never translated),
    return their translated ``displayName``, ``group`` and ``shortHelpString`` (HTML) built with ``tr()`` when
    asked (so the user's language applies, also after the translator is installed), implement ``initAlgorithm``
    and ``processAlgorithm``, and may override ``check`` to refuse bad input before the run."""

    NAME = ""
    GROUP_ID = ""

    def name(self):
        return self.NAME

    def groupId(self):  # noqa: N802
        return self.GROUP_ID

    def icon(self):
        return QIcon(str(ICON_PATH))

    def createInstance(self):  # noqa: N802
        return type(self)()

    def check(self, parameters, context) -> None:
        """Raise ``CloudScoreError`` (``InputError`` naming the parameter) for input QGIS's own checks let pass.

        The default checks nothing more. Overrides must not go over the network: they run when a dialog's
        Run button is pressed and for every row of a batch.
        """

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """``check``, then QGIS's own checks. ``check`` goes first so that its message, which names the parameter
        and the accepted values, is the one the user sees. A file or folder the checks cannot read (``OSError``)
        is refused with the operating system's reason and the path, not a traceback."""
        try:
            self.check(parameters, context)
        except CloudScoreError as error:
            return False, str(error)
        except OSError as error:
            if error.filename:
                return False, tr("cannot read {0!r}: {1}").format(error.filename, error.strerror or error)
            return False, tr("cannot read: {0}").format(error.strerror or error)
        with inputs_without_pam():
            return super().checkParameterValues(parameters, context)
