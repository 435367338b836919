"""The QGIS plugin repository's scans, run on a plugin zip's contents before ``make package`` calls it done.

Since 2026 plugins.qgis.org scans every upload (https://plugins.qgis.org/docs/security-scanning; its scanner is
qgis/QGIS-Plugins-Website ``qgis-app/plugins/security_scanner.py``): any Bandit or detect-secrets finding blocks the
version; flake8, file permissions and hidden files are reported only. Here:

- Bandit: every test at every severity and confidence, except the ones the repository's rules leave out (B404
  ``import subprocess``, B411 ``xmlrpc``; it also leaves out B109 and B410, which Bandit 1.9 no longer has), so
  whatever passes here passes there. ``# nosec B105`` on a line skips that test there and here alike.
- detect-secrets: ``scan --all-files`` with every plugin (the repository disables IPPublicDetector and skips
  ``metadata.txt``; we do neither). ``# pragma: allowlist secret`` allows one line.
- flake8: ``--max-line-length=120`` as the repository runs it, as a report.
- The zip itself: no hidden file or folder, no executable or symbolic link, everything under one plugin folder.
"""

import json
import stat
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import List, Sequence

BANDIT_SKIPPED = ("B404", "B411")
FLAKE8_ARGS = ("--max-line-length=120",)


class ScanError(Exception):
    """A scanner could not run (missing, or its output unreadable)."""


@dataclass
class ScanReport:
    """Findings that block an upload (Bandit, detect-secrets, the zip's files) and those only reported (flake8)."""

    bandit: List[str] = field(default_factory=list)
    secrets: List[str] = field(default_factory=list)
    files: List[str] = field(default_factory=list)
    flake8: List[str] = field(default_factory=list)

    @property
    def blocking(self) -> List[str]:
        return (
            [f"Bandit: {item}" for item in self.bandit]
            + [f"detect-secrets: {item}" for item in self.secrets]
            + [f"zip: {item}" for item in self.files]
        )

    def summary(self) -> str:
        return (
            f"Bandit {len(self.bandit)}, detect-secrets {len(self.secrets)}, zip files {len(self.files)} "
            f"finding(s); flake8 {len(self.flake8)} (report only)"
        )


def zip_problems(archive: Path, plugin: str) -> List[str]:
    """What the repository's file checks would flag, and what QGIS's *Install from ZIP* would refuse."""
    problems = []
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            path = PurePosixPath(info.filename)
            mode = info.external_attr >> 16
            if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] != plugin:
                problems.append(f"{info.filename}: outside the plugin folder {plugin}/")
            if any(part.startswith(".") for part in path.parts):
                problems.append(f"{info.filename}: hidden file or folder")
            if stat.S_ISLNK(mode):
                problems.append(f"{info.filename}: symbolic link")
            elif mode & 0o111 and not info.is_dir():
                problems.append(f"{info.filename}: executable ({oct(mode & 0o777)})")
    return problems


def _run(command: Sequence[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise ScanError(f"{command[0]} is missing: run `make deps` (pip install -r requirements-dev.txt)") from error


def _json(command: Sequence[str], cwd: Path) -> dict:
    result = _run(command, cwd)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise ScanError(
            f"{Path(command[0]).name} failed (exit {result.returncode}): "
            f"{(result.stderr or result.stdout).strip()[-2000:]}"
        ) from error


def bandit(tools: Path, folder: Path) -> List[str]:
    """Bandit's findings (and files it could not read) under ``folder``, as ``path:line: Bxxx text``."""
    report = _json([str(tools / "bandit"), "-r", ".", "-f", "json", "-q", "-s", ",".join(BANDIT_SKIPPED)], folder)
    findings = [
        f"{_relative(item['filename'])}:{item['line_number']}: {item['test_id']} {item['issue_text']} "
        f"(severity {item['issue_severity']}, confidence {item['issue_confidence']})"
        for item in report.get("results", [])
    ]
    findings += [f"{_relative(item['filename'])}: not scanned: {item['reason']}" for item in report.get("errors", [])]
    return findings


def detect_secrets(tools: Path, folder: Path) -> List[str]:
    """detect-secrets' findings in every file under ``folder``, as ``path:line: type``."""
    report = _json([str(tools / "detect-secrets"), "scan", "--all-files", "."], folder)
    return [
        f"{_relative(path)}:{item['line_number']}: {item['type']}"
        for path, items in sorted(report.get("results", {}).items())
        for item in items
    ]


def flake8(tools: Path, folder: Path) -> List[str]:
    """flake8's findings under ``folder`` (``path:line:col: code text``)."""
    result = _run([str(tools / "flake8"), *FLAKE8_ARGS, "."], folder)
    if result.returncode not in (0, 1):
        raise ScanError(f"flake8 failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
    return [_relative(line) for line in result.stdout.splitlines() if line.strip()]


def _relative(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def scan_zip(archive: Path, plugin: str, tools: Path) -> ScanReport:
    """Every scan on ``archive``'s contents, unpacked in a temporary folder."""
    report = ScanReport(files=zip_problems(archive, plugin))
    if any("outside the plugin folder" in problem for problem in report.files):
        return report  # not unpacked anywhere
    with tempfile.TemporaryDirectory(prefix="cloudscore-scan-") as tmp:
        folder = Path(tmp)
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(folder)
        report.bandit = bandit(tools, folder)
        report.secrets = detect_secrets(tools, folder)
        report.flake8 = flake8(tools, folder)
    return report
