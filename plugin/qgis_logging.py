"""Route the plugin's Python logging to the QGIS message log, and to a Processing feedback during a run."""

import logging
from contextlib import contextmanager
from typing import Iterator

from qgis.core import Qgis, QgsMessageLog

LOGGER_NAME = __name__.split(".")[0]
"""The plugin package's logger: every module's ``logging.getLogger(__name__)`` is below it."""

TAG = "CloudScore Composite"

# Without a handler, Python's last-resort handler would print the plugin's warnings to stderr (``qgis_process``
# shows them as unlabelled lines, and again for every check of the parameters); they reach the user through the
# QGIS message log (``install``) and, during a Processing run, the feedback (``feedback_logging``).
logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())

_QGIS_LEVEL = {
    logging.DEBUG: Qgis.MessageLevel.Info,
    logging.INFO: Qgis.MessageLevel.Info,
    logging.WARNING: Qgis.MessageLevel.Warning,
    logging.ERROR: Qgis.MessageLevel.Critical,
    logging.CRITICAL: Qgis.MessageLevel.Critical,
}


_PYTHON_LEVEL = {
    Qgis.MessageLevel.Info: logging.INFO,
    Qgis.MessageLevel.Success: logging.INFO,
    Qgis.MessageLevel.Warning: logging.WARNING,
    Qgis.MessageLevel.Critical: logging.ERROR,
}


def qgis_level(levelno: int):
    """The ``Qgis.MessageLevel`` for a Python logging level."""
    return _QGIS_LEVEL.get(levelno, Qgis.MessageLevel.Critical if levelno > logging.ERROR else Qgis.MessageLevel.Info)


def python_level(level) -> int:
    """The Python logging level for a ``Qgis.MessageLevel`` (a message bar item logged as well): info for the
    others."""
    return _PYTHON_LEVEL.get(level, logging.INFO)


class QgisLogHandler(logging.Handler):
    """Writes records to the QGIS message log under the plugin's tab (warnings and errors notify the user)."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            QgsMessageLog.logMessage(
                self.format(record), TAG, qgis_level(record.levelno), notifyUser=record.levelno >= logging.WARNING
            )
        except Exception:  # noqa: BLE001 (logging must never raise into the caller)
            self.handleError(record)


def install() -> QgisLogHandler:
    """Attach a ``QgisLogHandler`` to the plugin's logger and return it (pass it to ``uninstall``)."""
    handler = QgisLogHandler()
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return handler


def uninstall(handler: QgisLogHandler) -> None:
    """Detach a handler attached by ``install``."""
    logging.getLogger(LOGGER_NAME).removeHandler(handler)


class FeedbackLogHandler(logging.Handler):
    """Writes records to a Processing feedback, each message once: info with ``pushInfo``, warnings with
    ``pushWarning`` (a successful run's notes: skipped scenes, a QA range...), errors with ``reportError``."""

    def __init__(self, feedback):
        super().__init__(level=logging.INFO)
        self.feedback = feedback
        self.said = set()
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            if message in self.said:
                return
            self.said.add(message)
            if record.levelno >= logging.ERROR:
                self.feedback.reportError(message, fatalError=False)
            elif record.levelno >= logging.WARNING:
                self.feedback.pushWarning(message)
            else:
                self.feedback.pushInfo(message)
        except Exception:  # noqa: BLE001 (logging must never raise into the caller)
            self.handleError(record)


@contextmanager
def feedback_logging(feedback) -> Iterator[None]:
    """Within the block, the plugin's log records also go to ``feedback`` (a ``QgsProcessingFeedback``), each
    message once per feedback. Nested blocks for the same feedback share its handler (nothing is said twice)."""
    logger = logging.getLogger(LOGGER_NAME)
    if any(isinstance(h, FeedbackLogHandler) and h.feedback is feedback for h in logger.handlers):
        yield
        return
    handler = FeedbackLogHandler(feedback)
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
