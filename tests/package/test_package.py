"""`make package` (scripts/package.py): what goes in the zip, the metadata for upload, and the plugin repository's
blocking scans (Bandit, detect-secrets) as the build's own gate. Runs without QGIS; the scanners come from .venv."""

import configparser
import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from ..conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import package
from repository_scans import bandit, detect_secrets, zip_problems
from upload_metadata import MetadataError, addresses, build_metadata, changelog

TOOLS = Path(sys.executable).parent
ADDRESSES = {
    "PLUGIN_EMAIL": "maintainers@example.org",
    "PLUGIN_REPOSITORY": "https://github.com/example/cloudscore-composite",
    "PLUGIN_TRACKER": "https://github.com/example/cloudscore-composite/issues",
    "PLUGIN_HOMEPAGE": "https://example.org/cloudscore",
}
AWS_EXAMPLE_KEY = "AKIA" + "IOSFODNN7EXAMPLE"  # AWS's documented example access key id (in two parts here)


def _metadata(archive: Path) -> configparser.SectionProxy:
    with zipfile.ZipFile(archive) as zipped:
        text = zipped.read("cloudscore_composite/metadata.txt").decode("utf-8")
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_string(text)  # as the plugin repository reads it
    return parser["general"]


def _names(archive: Path):
    with zipfile.ZipFile(archive) as zipped:
        return zipped.namelist()


@pytest.fixture(scope="module")
def checkout_zip(tmp_path_factory):
    """The checkout's own zip, built and scanned as `make package` does, with the four addresses given."""
    target = tmp_path_factory.mktemp("package") / "cloudscore_composite.zip"
    return package.build(ROOT, target, TOOLS, ADDRESSES, scan=True), target


def test_checkout_passes_the_repository_scans_and_is_upload_ready(checkout_zip, capsys):
    code, target = checkout_zip
    assert code == 0, "make package refused the checkout: see the scan findings above"
    general = _metadata(target)
    assert general["supportsQt6"] == "True" and general["qgisMaximumVersion"] == "4.99"
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["email"] == ADDRESSES["PLUGIN_EMAIL"] and general["repository"] == ADDRESSES["PLUGIN_REPOSITORY"]
    assert general["tracker"] == ADDRESSES["PLUGIN_TRACKER"] and general["homepage"] == ADDRESSES["PLUGIN_HOMEPAGE"]
    assert general["changelog"].startswith("0.1.0")
    assert "email" not in (ROOT / "metadata.txt").read_text(encoding="utf-8")  # the checkout's stays as it was


def test_checkout_zip_holds_the_plugin_only(checkout_zip):
    code, target = checkout_zip
    assert code == 0
    names = _names(target)
    assert {
        "cloudscore_composite/__init__.py",
        "cloudscore_composite/metadata.txt",
        "cloudscore_composite/plugin/qgis_compat.py",
        "cloudscore_composite/ui/composite_dock.ui",
        "cloudscore_composite/plugin/core/earthengine/auth.py",
        "cloudscore_composite/resources/help/index.html",  # the dock's Help (make help builds it from the README)
        "cloudscore_composite/resources/figures/orbits.png",  # a figure the help shows
    } <= set(names)
    assert not [name for name in names if name.split("/")[1] in ("tests", "scripts", "build", ".venv")]
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    assert zip_problems(target, "cloudscore_composite") == []  # no hidden file, nothing executable


def test_without_addresses_the_zip_is_for_install_from_zip_only(tmp_path, capsys):
    target = tmp_path / "plain.zip"
    assert package.build(ROOT, target, TOOLS, {}, scan=False) == 0
    out = capsys.readouterr().out
    assert "For Install from ZIP only" in out and "email, repository" in out and "PLUGIN_EMAIL" in out
    general = _metadata(target)
    assert "email" not in general and "repository" not in general and general["supportsQt6"] == "True"


def test_package_cfg_gives_addresses_and_the_environment_wins(tmp_path):
    (tmp_path / "package.cfg").write_text(
        "[upload]\nemail = cfg@example.org\nrepository = https://example.org/r\n", encoding="utf-8"
    )
    assert addresses(tmp_path, {}) == {"email": "cfg@example.org", "repository": "https://example.org/r"}
    assert addresses(tmp_path, {"PLUGIN_EMAIL": "env@example.org", "PLUGIN_TRACKER": " "})["email"] == "env@example.org"


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"PLUGIN_EMAIL": "not-an-address"}, "is not an email address"),
        ({"PLUGIN_REPOSITORY": "github.com/example"}, "repository 'github.com/example' is not an http(s) URL"),
        ({"PLUGIN_HOMEPAGE": "ftp://example.org"}, "homepage"),
    ],
)
def test_bad_addresses_are_refused(tmp_path, environ, message):
    with pytest.raises(MetadataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        addresses(tmp_path, environ)


def test_unknown_package_cfg_key_is_refused(tmp_path):
    (tmp_path / "package.cfg").write_text("[upload]\nmail = a@example.org\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="unknown key"):
        addresses(tmp_path, {})


def test_changelog_from_markdown():
    text = changelog(
        "# Changelog\n\nIntro text.\n\n## 0.2.0 - 2026-12-01\n\n- `fixed` a thing\n  on two lines\n"
        "* another\n\n## 0.1.0\n\n- first\n"
    )
    assert text == "0.2.0 - 2026-12-01\n- fixed a thing on two lines\n- another\n0.1.0\n- first"


def test_metadata_keeps_its_keys_and_says_what_upload_lacks():
    source = "[general]\nname=X\nqgisMinimumVersion=3.22\ndescription=d\nabout=a\nversion=1\nauthor=me\n"
    text, missing = build_metadata(source, {}, "")
    assert missing == ["email", "repository"] and "qgisMinimumVersion=3.22" in text
    text, missing = build_metadata(source, {"email": "a@b.org", "repository": "https://b.org"}, "1\n- x")
    assert missing == [] and "changelog=1\n\t- x" in text


def _plugin_tree(root: Path, code: str, notes: str) -> Path:
    (root / "plugin").mkdir(parents=True)
    (root / "resources").mkdir()
    (root / "metadata.txt").write_text(
        "[general]\nname=X\nqgisMinimumVersion=3.22\ndescription=d\nabout=a\nversion=1\nauthor=me\n", encoding="utf-8"
    )
    (root / "__init__.py").write_text("", encoding="utf-8")
    (root / "plugin" / "settings.py").write_text(code, encoding="utf-8")
    (root / "resources" / "notes.txt").write_text(notes, encoding="utf-8")
    return root


def test_a_bandit_or_secrets_finding_fails_the_build_and_leaves_no_zip(tmp_path, capsys):
    root = _plugin_tree(tmp_path / "plugin_root", 'password = "hunter2-not-real"\n', f"key: {AWS_EXAMPLE_KEY}\n")
    target = tmp_path / "out" / "x.zip"
    assert package.build(root, target, TOOLS, {}) == 1
    err = capsys.readouterr().err
    assert "would block this version" in err
    assert "plugin/settings.py:1: B105" in err and "resources/notes.txt:1: AWS Access Key" in err
    assert not target.exists() and not list(target.parent.iterdir())


def test_inline_markers_with_a_reason_let_the_same_lines_pass(tmp_path, capsys):
    root = _plugin_tree(
        tmp_path / "plugin_root",
        'password = "hunter2-not-real"  # nosec B105  # pragma: allowlist secret  # a test fixture\n',
        f"key: {AWS_EXAMPLE_KEY}  # pragma: allowlist secret\n",
    )
    target = tmp_path / "x.zip"
    assert package.build(root, target, TOOLS, {}) == 0
    assert "Bandit 0, detect-secrets 0" in capsys.readouterr().out and target.is_file()


def test_hidden_and_executable_files_stay_out(tmp_path):
    root = _plugin_tree(tmp_path / "plugin_root", "X = 1\n", "notes\n")
    (root / "plugin" / ".hidden.py").write_text("X = 2\n", encoding="utf-8")
    (root / "plugin" / ".cache").mkdir()
    (root / "plugin" / ".cache" / "y.py").write_text("Y = 1\n", encoding="utf-8")
    tool = root / "plugin" / "tool.py"
    tool.write_text("#!/usr/bin/env python3\n", encoding="utf-8")
    tool.chmod(0o755)
    target = tmp_path / "x.zip"
    assert package.build(root, target, TOOLS, {}, scan=False) == 0
    names = _names(target)
    assert "cloudscore_composite/plugin/tool.py" in names and not [name for name in names if "/." in name]
    with zipfile.ZipFile(target) as zipped:
        assert stat.S_IMODE(zipped.getinfo("cloudscore_composite/plugin/tool.py").external_attr >> 16) == 0o644
    assert zip_problems(target, "cloudscore_composite") == []


def test_zip_checks_find_hidden_executable_and_stray_entries(tmp_path):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("cloudscore_composite/.env", "A=1\n")
        run = zipfile.ZipInfo("cloudscore_composite/run.sh")
        run.external_attr = (0o100755) << 16
        zipped.writestr(run, "#!/bin/sh\n")
        zipped.writestr("other/file.py", "")
    problems = zip_problems(archive, "cloudscore_composite")
    assert len(problems) == 3
    assert "hidden" in problems[0] and "executable" in problems[1] and "outside the plugin folder" in problems[2]


def test_earthengine_public_client_is_allowed_only_by_its_markers(tmp_path):
    """auth.py passes both scanners because of its inline markers: without them Bandit and detect-secrets flag the
    public installed-app client secret (and Bandit the variable name and token URL)."""
    source = (ROOT / "plugin" / "core" / "earthengine" / "auth.py").read_text(encoding="utf-8")
    marked, stripped = tmp_path / "marked", tmp_path / "stripped"
    marked.mkdir()
    stripped.mkdir()
    (marked / "auth.py").write_text(source, encoding="utf-8")
    bare = "\n".join(
        line.split("  # pragma: allowlist secret")[0].split("  # nosec")[0] for line in source.splitlines()
    )
    (stripped / "auth.py").write_text(bare, encoding="utf-8")
    assert bandit(TOOLS, marked) == [] and detect_secrets(TOOLS, marked) == []
    secret_line = next(
        number for number, line in enumerate(source.splitlines(), 1) if line.startswith("EE_PUBLIC_CLIENT_SECRET =")
    )
    assert [finding.split(" ")[0] for finding in bandit(TOOLS, stripped)].count(f"auth.py:{secret_line}:") == 1
    assert all(" B105 " in finding for finding in bandit(TOOLS, stripped))
    assert detect_secrets(TOOLS, stripped) == [f"auth.py:{secret_line}: Secret Keyword"]


def test_tools_are_the_pinned_ones():
    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert {"bandit", "detect-secrets", "flake8", "PyQt6"} <= set(pins)
    assert all(os.access(TOOLS / name, os.X_OK) for name in ("bandit", "detect-secrets", "flake8"))
