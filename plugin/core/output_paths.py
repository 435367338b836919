"""Outputs that would write over an input are refused before any work, as ``gdal_translate`` and ``rio`` refuse
to write onto their own input.

Two paths name the same file when they resolve to the same path (``~``, relative paths, ``..`` and symbolic links
resolved) or, when both exist, when the operating system says they are the same file (``os.path.samefile``: hard
links, and names that differ only in case on a case-insensitive file system such as macOS's or Windows').
"""

import os
from pathlib import Path
from typing import Iterable, Optional, Union

from .errors import InputError

PathLike = Union[str, Path]


def resolved(path: PathLike) -> Path:
    """``path`` absolute, with ``~``, ``..`` and symbolic links resolved (``os.path.realpath``; the parts that do
    not exist yet are kept as written) and its case folded where the system folds it (``os.path.normcase``)."""
    return Path(os.path.normcase(os.path.realpath(os.path.expanduser(str(path)))))


def same_file(a: PathLike, b: PathLike) -> bool:
    """True when ``a`` and ``b`` name the same file or folder (see the module docstring)."""
    if resolved(a) == resolved(b):
        return True
    try:
        return os.path.samefile(os.path.expanduser(str(a)), os.path.expanduser(str(b)))
    except OSError:  # one of them does not exist: then it is not the other
        return False


def input_among(output: PathLike, inputs: Iterable[PathLike]) -> Optional[Path]:
    """The input of ``inputs`` that ``output`` names (``same_file``), or None."""
    if not str(output or "").strip():
        return None
    for path in inputs:
        if path is not None and same_file(output, path):
            return Path(path)
    return None


def check_not_input(
    output: PathLike, inputs: Iterable[PathLike], field: str = "OUTPUT", what: str = "one of the input scenes"
) -> None:
    """Refuse an ``output`` that is one of ``inputs`` (``same_file``).

    Raises:
        InputError: ``field``: ``OUTPUT: '/data/a.tif' is one of the input scenes (/data/a.tif): choose another
            file``.
    """
    found = input_among(output, inputs)
    if found is not None:
        shown = f" ({found})" if str(found) != str(output) else ""
        raise InputError(
            field, f"{str(output)!r} is {what}{shown}: writing it would destroy that input; choose another file"
        )


def check_folder_not_input(
    folder: PathLike, input_folders: Iterable[PathLike], field: str = "OUTPUT", what: str = "the input scene folder"
) -> None:
    """Refuse an output ``folder`` that is one of ``input_folders`` (``same_file``): files written there would
    replace the inputs of the same name.

    Raises:
        InputError: ``field``: ``OUTPUT: folder '/data/scenes' is the input scene folder: ...``.
    """
    found = input_among(folder, input_folders)
    if found is not None:
        shown = f" ({found})" if str(found) != str(folder) else ""
        raise InputError(
            field,
            f"folder {str(folder)!r} is {what}{shown}: the scene files written there would "
            "replace the input scenes; choose another folder",
        )
