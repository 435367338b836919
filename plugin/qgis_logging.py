"""Route the plugin's Python logging to the QGIS message log (and, on request, the message bar)."""

import logging
from contextlib import contextmanager
from typing import Iterator

from qgis.core import Qgis, QgsMessageLog

LOGGER_NAME = __name__.split(".")[0]
"""The plugin package's logger: every module's ``logging.getLogger(__name__)`` is below it."""

TAG = "CloudScore Composite"

_QGIS_LEVEL = {
    logging.DEBUG: Qgis.Info,
    logging.INFO: Qgis.Info,
    logging.WARNING: Qgis.Warning,
    logging.ERROR: Qgis.Critical,
    logging.CRITICAL: Qgis.Critical,
}


def qgis_level(levelno: int):
    """The ``Qgis.MessageLevel`` for a Python logging level."""
    return _QGIS_LEVEL.get(levelno, Qgis.Critical if levelno > logging.ERROR else Qgis.Info)


class QgisLogHandler(logging.Handler):
    """Writes records to the QGIS message log under the plugin's tab; a record logged with
    ``extra={"message_bar": True}`` is also pushed to the message bar of ``iface`` (when there is one)."""

    def __init__(self, iface=None):
        super().__init__(level=logging.INFO)
        self.iface = iface
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            level = qgis_level(record.levelno)
            QgsMessageLog.logMessage(message, TAG, level, notifyUser=record.levelno >= logging.WARNING)
            if getattr(record, "message_bar", False) and self.iface is not None:
                self.iface.messageBar().pushMessage(TAG, message, level, 0 if level == Qgis.Critical else 8)
        except Exception:  # noqa: BLE001 (logging must never raise into the caller)
            self.handleError(record)


def install(iface=None) -> QgisLogHandler:
    """Attach a ``QgisLogHandler`` to the plugin's logger and return it (pass it to ``uninstall``)."""
    handler = QgisLogHandler(iface)
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return handler


def uninstall(handler: QgisLogHandler) -> None:
    """Detach a handler attached by ``install``."""
    logging.getLogger(LOGGER_NAME).removeHandler(handler)


class FeedbackLogHandler(logging.Handler):
    """Writes records to a Processing feedback: info to the algorithm log, warnings and errors as errors."""

    def __init__(self, feedback):
        super().__init__(level=logging.INFO)
        self.feedback = feedback
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        message = self.format(record)
        if record.levelno >= logging.WARNING:
            self.feedback.reportError(message, fatalError=False)
        else:
            self.feedback.pushInfo(message)


@contextmanager
def feedback_logging(feedback) -> Iterator[None]:
    """Within the block, the plugin's log records also go to ``feedback`` (a ``QgsProcessingFeedback``)."""
    handler = FeedbackLogHandler(feedback)
    logger = logging.getLogger(LOGGER_NAME)
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
