"""Errors the core raises, so every entry point can report them the same way."""

from pathlib import Path


class CloudScoreError(Exception):
    """Base class of the errors this plugin raises on purpose."""


class InputError(CloudScoreError, ValueError):
    """Bad user input, tied to the field (Processing parameter name) that holds it.

    ``str(error)`` starts with the field name, e.g. ``THRESHOLD: clear threshold 1.5 is outside 0..1``,
    so the message is useful as it is in a log, a message bar or a Processing error.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class NoScenesFound(InputError):
    """Nothing to composite: the search found no scene in the dates and AOI (``START_DATE`` or ``EXTENT``, from a
    source's ``no_scene_error``), or no scene found carries the QA band (``QA_BAND``). A season or a run over other
    dates may still find some: ``seasonalcomposites`` skips a season on this error and on no other."""


class FileError(CloudScoreError):
    """A file the plugin reads or writes failed: the message names the file and the reason (GDAL's or the
    operating system's), e.g. ``cannot read scene file a.tif: TIFFFillStrip:Read error at scanline 0``.

    Attributes:
        path: the file (for an output, the target the user named, not its hidden temporary file).
        reason: the cause alone, e.g. ``No space left on device``.
    """

    def __init__(self, message: str, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(message)


class ReadError(FileError):
    """An input file cannot be opened or read: truncated, not a raster, a block that fails to decode."""


class WriteError(FileError):
    """An output could not be written completely (disk full, no permission, a GDAL write error, a file that does
    not read back as written); nothing was renamed into place, an older file of that name is untouched."""


class Cancelled(CloudScoreError):
    """The user cancelled the run; nothing was written, what was fetched is kept."""
