"""The zip's ``metadata.txt``: the checkout's, with the maintainers' addresses and the changelog added.

The QGIS plugin repository refuses an upload whose metadata lacks ``email`` or ``repository``; ``tracker`` and
``homepage`` are shown on the plugin's page. This repository does not know the maintainers' real addresses, so
``make package`` takes them from the environment (``PLUGIN_EMAIL``, ``PLUGIN_REPOSITORY``, ``PLUGIN_TRACKER``,
``PLUGIN_HOMEPAGE``) or from ``package.cfg`` at the repository's root (the environment wins)::

    [upload]
    email = maintainers@example.org
    repository = https://github.com/example/cloudscore-composite
    tracker = https://github.com/example/cloudscore-composite/issues
    homepage = https://github.com/example/cloudscore-composite

``changelog`` comes from ``CHANGELOG.md`` (``## <version>`` headings, ``-`` items).
"""

import configparser
import io
import re
from pathlib import Path
from typing import Dict, List, Mapping, Tuple

ADDRESS_KEYS = ("email", "repository", "tracker", "homepage")
ENVIRONMENT = {key: f"PLUGIN_{key.upper()}" for key in ADDRESS_KEYS}
CONFIG_FILE = "package.cfg"
CONFIG_SECTION = "upload"
UPLOAD_REQUIRED = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email", "repository")
"""What the plugin repository requires in ``[general]`` (its upload validator)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")


class MetadataError(Exception):
    """An address or the changelog cannot go into the metadata as given."""


def addresses(root: Path, environ: Mapping[str, str]) -> Dict[str, str]:
    """The maintainers' addresses given: ``package.cfg``'s ``[upload]`` values, then ``PLUGIN_*`` variables over
    them; empty values count as not given.

    Raises:
        MetadataError: a malformed ``package.cfg``, an email that is not one, an address that is not an http(s) URL.
    """
    values: Dict[str, str] = {}
    config_path = root / CONFIG_FILE
    if config_path.is_file():
        config = configparser.ConfigParser(interpolation=None)
        try:
            config.read(config_path, encoding="utf-8")
        except configparser.Error as error:
            raise MetadataError(f"{CONFIG_FILE}: {error}") from error
        if config.has_section(CONFIG_SECTION):
            unknown = sorted(set(config[CONFIG_SECTION]) - set(ADDRESS_KEYS))
            if unknown:
                raise MetadataError(
                    f"{CONFIG_FILE}: unknown key(s) {', '.join(unknown)} in [{CONFIG_SECTION}] "
                    f"(known: {', '.join(ADDRESS_KEYS)})"
                )
            values.update({key: value.strip() for key, value in config[CONFIG_SECTION].items()})
    for key, variable in ENVIRONMENT.items():
        if environ.get(variable, "").strip():
            values[key] = environ[variable].strip()
    values = {key: value for key, value in values.items() if value}
    problems = []
    if "email" in values and not _EMAIL.match(values["email"]):
        problems.append(f"email {values['email']!r} is not an email address")
    problems.extend(
        f"{key} {values[key]!r} is not an http(s) URL"
        for key in ("repository", "tracker", "homepage")
        if key in values and not _URL.match(values[key])
    )
    if problems:
        raise MetadataError("; ".join(problems))
    return values


def changelog(markdown: str) -> str:
    """``CHANGELOG.md`` as the metadata's ``changelog`` (plain lines): from the first ``##`` heading on, headings
    (``## 0.2.0 - 2026-12-01``) lose their ``#``, ``-``/``*`` items stay items (wrapped lines joined), backticks
    go; the title and any text before the first version are left out."""
    lines: List[str] = []
    started = False
    for raw in markdown.splitlines():
        text = raw.strip().replace("`", "")
        started = started or text.startswith("## ")
        if not text or not started:
            continue
        if text.startswith("#"):
            lines.append(text.lstrip("#").strip())
        elif text[:2] in ("- ", "* "):
            lines.append("- " + text[2:].strip())
        elif lines and lines[-1].startswith("- "):
            lines[-1] += " " + text
        else:
            lines.append(text)
    return "\n".join(lines)


def build_metadata(source: str, given: Mapping[str, str], changes: str) -> Tuple[str, List[str]]:
    """The zip's ``metadata.txt`` from the checkout's (``source``): ``given`` addresses and ``changes`` set in
    ``[general]``; and the keys the plugin repository requires that are still missing (empty: upload-ready).

    Raises:
        MetadataError: the checkout's metadata has no ``[general]`` section or does not parse.
    """
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # QGIS's keys are camelCase
    try:
        parser.read_string(source)
    except configparser.Error as error:
        raise MetadataError(f"metadata.txt: {error}") from error
    if not parser.has_section("general"):
        raise MetadataError("metadata.txt has no [general] section")
    general = parser["general"]
    for key in ADDRESS_KEYS:
        if key in given:
            general[key] = given[key]
    if changes:
        general["changelog"] = changes
    out = io.StringIO()
    parser.write(out, space_around_delimiters=False)
    missing = [key for key in UPLOAD_REQUIRED if not general.get(key, "").strip()]
    return out.getvalue(), missing
