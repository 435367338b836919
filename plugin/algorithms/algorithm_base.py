"""What every ``cloudscore`` Processing algorithm shares: icon, group, help and instance creation from class data,
and the check of the parameters before a run."""

from qgis.core import QgsProcessingAlgorithm
from qgis.PyQt.QtGui import QIcon

from ..core.errors import CloudScoreError
from ..paths import ICON_PATH


class CloudScoreAlgorithm(QgsProcessingAlgorithm):
    """Base of the plugin's algorithms: subclasses set ``NAME``, ``DISPLAY_NAME``, ``GROUP``, ``GROUP_ID`` and
    ``HELP`` (HTML for ``shortHelpString``), implement ``initAlgorithm`` and ``processAlgorithm``, and may override
    ``check`` to refuse bad input before the run."""

    NAME = ""
    DISPLAY_NAME = ""
    GROUP = ""
    GROUP_ID = ""
    HELP = ""

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802
        return self.DISPLAY_NAME

    def group(self):
        return self.GROUP

    def groupId(self):  # noqa: N802
        return self.GROUP_ID

    def shortHelpString(self):  # noqa: N802
        return self.HELP

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
            where = f" {error.filename!r}" if error.filename else ""
            return False, f"cannot read{where}: {error.strerror or error}"
        return super().checkParameterValues(parameters, context)
