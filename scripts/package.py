"""`make package`: zip the plugin for QGIS's *Install from ZIP* (no tests, scripts or build files inside), then run
the QGIS plugin repository's scans on the zip's contents; a Bandit or detect-secrets finding fails the build.

Takes the files git tracks or would track (not ignored) under the plugin's own paths, from the work tree (without
git: every file there but caches and hidden ones); hidden files never go in, every file is stored non-executable.
The zip's ``metadata.txt`` gets the maintainers' addresses (``PLUGIN_EMAIL``, ``PLUGIN_REPOSITORY``,
``PLUGIN_TRACKER``, ``PLUGIN_HOMEPAGE`` or ``package.cfg``, see ``upload_metadata.py``) and the changelog from
``CHANGELOG.md``; without an email and a repository the zip is for *Install from ZIP* only, and says so.

Runs on /usr/bin/python3 (standard library only); the scanners come from ``.venv/bin`` (requirements-dev.txt).
"""

import argparse
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import List, Mapping, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from repository_scans import ScanError, scan_zip
from upload_metadata import ENVIRONMENT, MetadataError, addresses, build_metadata, changelog

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "cloudscore_composite"
INCLUDE = ["metadata.txt", "__init__.py", "LICENSE", "README.md", "plugin", "ui", "resources", "i18n"]
SKIPPED_PARTS = ("__pycache__",)
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".aux.xml", ".partial")
FILE_MODE = 0o644


def plugin_files(root: Path) -> List[str]:
    """The files that go in the zip, relative to ``root``: git's view (tracked or not ignored) when ``root`` is a
    checkout, else every file under ``INCLUDE``; never a hidden file or folder, a cache or a partial file."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *INCLUDE],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        listed = [
            path.relative_to(root).as_posix()
            for name in INCLUDE
            for path in ([root / name] if (root / name).is_file() else sorted((root / name).rglob("*")))
        ]
    return sorted(
        name
        for name in set(listed)
        if name
        and (root / name).is_file()
        and not (root / name).is_symlink()
        and not any(part.startswith(".") or part in SKIPPED_PARTS for part in Path(name).parts)
        and not name.endswith(SKIPPED_SUFFIXES)
    )


def write_zip(root: Path, target: Path, files: Sequence[str], metadata: str) -> None:
    """``files`` under the folder ``PLUGIN/`` in ``target``, ``metadata.txt`` replaced by ``metadata``; every entry
    stored as a plain, non-executable file (whatever its mode in the work tree)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            info = zipfile.ZipInfo.from_file(root / name, f"{PLUGIN}/{name}")
            info.external_attr = (0o100000 | FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = metadata.encode("utf-8") if name == "metadata.txt" else (root / name).read_bytes()
            archive.writestr(info, data)


def build(root: Path, target: Path, tools: Path, environ: Mapping[str, str], scan: bool = True) -> int:
    """Build ``target`` from the checkout at ``root`` and scan it; 0 when done, 1 when refused (nothing left at
    ``target`` then)."""
    try:
        given = addresses(root, environ)
        changes_file = root / "CHANGELOG.md"
        changes = changelog(changes_file.read_text(encoding="utf-8")) if changes_file.is_file() else ""
        metadata, missing = build_metadata((root / "metadata.txt").read_text(encoding="utf-8"), given, changes)
    except MetadataError as error:
        print(f"make package: {error}", file=sys.stderr)
        return 1
    files = plugin_files(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    target.unlink(missing_ok=True)
    write_zip(root, partial, files, metadata)
    if scan:
        try:
            report = scan_zip(partial, PLUGIN, tools)
        except ScanError as error:
            partial.unlink(missing_ok=True)
            print(f"make package: {error}", file=sys.stderr)
            return 1
        for line in report.flake8:
            print(f"flake8 (report only): {line}")
        print(f"Scans of the zip's contents: {report.summary()}")
        if report.blocking:
            partial.unlink(missing_ok=True)
            print("make package: the QGIS plugin repository would block this version:", file=sys.stderr)
            for line in report.blocking:
                print(f"  {line}", file=sys.stderr)
            print(
                "Fix the code, or mark a false positive inline with a one-line reason (`# nosec Bxxx  # why`, "
                "`# pragma: allowlist secret`).",
                file=sys.stderr,
            )
            return 1
    partial.replace(target)
    shown = target.relative_to(root) if target.is_relative_to(root) else target
    print(f"Wrote {shown} ({len(files)} files)")
    if missing:
        needed = ", ".join(ENVIRONMENT.get(key, key) for key in missing)
        print(
            f"For Install from ZIP only: it cannot be uploaded to plugins.qgis.org, its metadata lacks "
            f"{', '.join(missing)} (set {needed}, or put them in package.cfg; see the README)."
        )
    else:
        print(f"Upload-ready for plugins.qgis.org: {', '.join(f'{key}={value}' for key, value in given.items())}.")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT / "build" / f"{PLUGIN}.zip")
    parser.add_argument(
        "--tools",
        type=Path,
        default=ROOT / ".venv" / "bin",
        help="folder holding bandit, detect-secrets and flake8 (default: .venv/bin)",
    )
    parser.add_argument("--no-scan", action="store_true", help="build the zip without the repository's scans")
    args = parser.parse_args(argv)
    return build(ROOT, args.output.resolve(), args.tools, os.environ, scan=not args.no_scan)


if __name__ == "__main__":
    sys.exit(main())
