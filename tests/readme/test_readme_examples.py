"""Every shell example of README.md runs as a newcomer would paste it (issue 14, item 6).

Each fenced ```` ```sh ```` block of the README is run verbatim with ``bash -e -o pipefail`` from the repository's
root, after ``make demo`` (the first checked block runs it), through ``scripts/qgis_process.sh``. A block preceded by
``<!-- not checked: reason -->`` is left out, and must give its reason. A run passes when it exits 0, prints no
``ERROR:`` line and no Python traceback, every output it names (``KEY=build/...``) was written by it, every file it
wrote under ``build/demo/`` is a valid raster, table or report, and the demo scenes and test data are unchanged
(no ``.aux.xml`` beside them either). Earth Engine examples talk to the tests' local fake server through the
documented variables ``CLOUDSCORE_EE_API_URL``, ``CLOUDSCORE_EE_TOKEN`` and ``CLOUDSCORE_EE_CACHE``.

The examples write into the checkout's ``build/demo/`` (as the README says), so a file lock keeps two runs of this
module (two checkouts' users, or two helpers) from interleaving there.
"""

import fcntl
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest
import rasterio

from ..conftest import ROOT
from ..fake_earthengine import TOKEN, FakeEarthEngine

README = ROOT / "README.md"
WRAPPER = ROOT / "scripts" / "qgis_process.sh"
BUILD = ROOT / "build"
OUTPUTS = BUILD / "demo"
# What the examples read: they must leave it as it was (git status of these paths, ignored files included).
INPUTS = ("resources/demo", "resources/models", "tests/data/alcd")

SH_BLOCK = re.compile(r"^```sh\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
ANY_FENCE = re.compile(r"^```.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#+ +(.+)$", re.MULTILINE)
NAMED_OUTPUT = re.compile(r"""[\w:]+=(build/[^\s"';]+)""")
# A qgis_process started without the wrapper: no offscreen platform, the user's own profile, no plugin path.
BARE_QGIS_PROCESS = re.compile(r"(^|[\s;|&(])(/usr/bin/)?qgis_process(\.bin)?\s")
RUNS_QGIS_PROCESS = re.compile(r"qgis_process(\.bin|\.sh)?\s+(run|help|plugins|list)\b")
NOT_CHECKED = "not checked:"


@dataclass(frozen=True)
class Example:
    """One ```` ```sh ```` block of the README."""

    line: int  # the block's first script line in README.md, 1-based
    section: str  # the heading above it
    script: str
    not_checked: Optional[str]  # the reason given by its marker, None when the block is checked

    @property
    def named_outputs(self) -> List[Path]:
        """The paths under build/ the script names as ``KEY=value`` (shell expansions cannot be known here)."""
        return [ROOT / value for value in NAMED_OUTPUT.findall(self.script) if "$" not in value]

    @property
    def label(self) -> str:
        words = re.sub(r"[^a-z0-9]+", "-", self.section.lower()).strip("-")
        return f"line{self.line}-{words[:40]}"


def _marker_reason(before: str) -> Optional[str]:
    """The reason of a ``<!-- not checked: ... -->`` comment right before a block (only blank space between)."""
    text = before.rstrip()
    if not text.endswith("-->") or "<!--" not in text:
        return None
    comment = text[text.rindex("<!--") + 4 : -3].strip()
    if not comment.startswith(NOT_CHECKED):
        return None
    return " ".join(comment[len(NOT_CHECKED) :].split())


def readme_examples() -> List[Example]:
    """Every ```` ```sh ```` block of README.md, in the order of the file."""
    text = README.read_text(encoding="utf-8")
    examples = []
    for match in SH_BLOCK.finditer(text):
        before = text[: match.start()]
        headings = HEADING.findall(ANY_FENCE.sub("", before))
        examples.append(
            Example(
                line=before.count("\n") + 2,
                section=headings[-1] if headings else "top",
                script=match.group(1),
                not_checked=_marker_reason(before),
            )
        )
    return examples


# The examples assume `make demo` has run (it makes build/demo/): the block that runs it goes first.
CHECKED = sorted(
    (example for example in readme_examples() if example.not_checked is None),
    key=lambda example: "make demo" not in example.script,
)


def _files(folder: Path) -> Dict[Path, int]:
    """Every file under ``folder`` with its modification time (ns)."""
    if not folder.is_dir():
        return {}
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


def _inputs_state() -> str:
    """git's view of the examples' inputs, untracked and ignored files included."""
    return subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all", "--", *INPUTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _check_raster(path: Path) -> None:
    with rasterio.open(path) as dataset:
        assert dataset.crs is not None, f"{path} has no CRS"
        assert dataset.count >= 1 and dataset.width >= 1 and dataset.height >= 1, f"{path} is empty"
        bands = dataset.read(masked=True)  # decodes every block: a damaged file fails here
    assert bands.count() > 0, f"{path} holds no valid pixel"


def _check_table(path: Path) -> None:
    from osgeo import ogr

    source = ogr.Open(str(path))
    assert source is not None, f"{path} is not a table OGR reads"
    layer = source.GetLayer(0)
    assert layer.GetFeatureCount() > 0, f"{path} has no row"
    assert layer.GetLayerDefn().GetFieldCount() > 0, f"{path} has no column"


def _check_report(path: Path) -> None:
    text = path.read_text(encoding="utf-8").lower()
    assert "<html" in text and "</html>" in text and "<table" in text, f"{path} is not a whole HTML report"


CHECKS = {".tif": _check_raster, ".gpkg": _check_table, ".csv": _check_table, ".html": _check_report}


def _check_output(path: Path) -> None:
    check = CHECKS.get(path.suffix.lower())
    if check is not None:
        check(path)


@pytest.fixture(scope="module")
def example_env(tmp_path_factory) -> Iterator[Dict[str, str]]:
    """The environment of every example: the caller's, Earth Engine pointed at a local fake server; and a lock
    on build/demo for the whole module."""
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / "readme-examples.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with FakeEarthEngine() as fake:
            env = dict(os.environ)
            for name in (
                "CLOUDSCORE_EE_PROJECT",
                "CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY",
                "CLOUDSCORE_EE_OAUTH_URL",
                "GOOGLE_APPLICATION_CREDENTIALS",
                "QGIS_PROCESS",
            ):
                env.pop(name, None)
            env.update(
                CLOUDSCORE_EE_API_URL=fake.url,
                CLOUDSCORE_GCS_API_URL=fake.url,
                CLOUDSCORE_EE_TOKEN=TOKEN,
                CLOUDSCORE_EE_CACHE=str(tmp_path_factory.mktemp("ee_cache")),
            )
            yield env


def test_every_shell_example_is_in_a_checked_block_or_says_why():
    """Examples cannot hide from the test: every qgis_process command is in a ```sh block and goes through the
    wrapper; a block left out names its reason."""
    examples = readme_examples()
    assert len(CHECKED) >= 8, [e.label for e in examples]
    for example in examples:
        if example.not_checked is not None:
            assert len(example.not_checked) >= 10, f"README line {example.line}: say why it is not checked"
        for line in example.script.splitlines():
            assert not BARE_QGIS_PROCESS.search(line), f"README line {example.line}: use scripts/qgis_process.sh"
    text = README.read_text(encoding="utf-8")
    outside = ANY_FENCE.sub("", text)
    indented = [line for line in outside.splitlines() if line.startswith("    ") and RUNS_QGIS_PROCESS.search(line)]
    assert indented == [], "qgis_process examples outside a ```sh block"


@pytest.mark.parametrize("example", CHECKED, ids=[example.label for example in CHECKED])
def test_readme_example_runs_verbatim(example: Example, example_env):
    for path in example.named_outputs:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    before, inputs_before = _files(OUTPUTS), _inputs_state()

    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", example.script],
        cwd=ROOT,
        env=example_env,
        capture_output=True,
        text=True,
        timeout=900,
    )

    said = done.stdout + done.stderr
    where = f"README line {example.line}:\n{example.script}\n--- output ---\n{said[-6000:]}"
    assert done.returncode == 0, where
    assert not re.search(r"^ERROR:", said, re.MULTILINE), where
    assert "Traceback (most recent call last)" not in said, where
    written = sorted(path for path, mtime in _files(OUTPUTS).items() if before.get(path) != mtime)
    assert not [p for p in written if ".partial" in p.name], f"partial files left: {written}"
    if RUNS_QGIS_PROCESS.search(example.script) and " run " in example.script:
        assert written, f"README line {example.line} wrote nothing under {OUTPUTS}"
    for path in example.named_outputs:
        assert path.exists(), f"README line {example.line} names {path}, which it did not write"
        if path.is_dir():
            assert any(path.glob("*.tif")), f"{path} holds no raster"
            assert any(path in p.parents for p in written), f"{path}: the run wrote nothing in it"
        else:
            assert path in written, f"{path} is older than the run"
    for path in written:
        _check_output(path)
    assert _inputs_state() == inputs_before, "the example changed the demo scenes or the test data"


def test_the_wrapper_sets_up_a_fresh_clone_and_leaves_the_users_profile_alone(tmp_path):
    """A clone without build/: the wrapper links the plugin, enables it in its own profile, and writes nothing
    into the user's QGIS profiles, the default one or one QGIS_CUSTOM_CONFIG_PATH points at."""
    clone = tmp_path / "clone"
    (clone / "scripts").mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.name not in {"build", "scripts", ".git", ".venv", "tests"}:
            (clone / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    shutil.copy2(WRAPPER, clone / "scripts" / WRAPPER.name)
    home, users_profile = tmp_path / "home", tmp_path / "users-profile"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QGIS_", "QT_QPA"))}
    env.update(HOME=str(home), QGIS_CUSTOM_CONFIG_PATH=str(users_profile))

    done = subprocess.run(
        [str(clone / "scripts" / WRAPPER.name), "plugins"], env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^\*\s+cloudscore_composite\s*$", done.stdout, re.MULTILINE), done.stdout  # * = enabled
    link = clone / "build" / "plugins" / "cloudscore_composite"
    assert link.is_symlink() and link.resolve() == clone.resolve()
    settings = clone / "build" / "qgis-profile" / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    assert "cloudscore_composite=true" in settings.read_text().splitlines()
    # QGIS's profiles live in ~/.local/share/QGIS (QGIS itself still keeps a network cache in ~/.cache/QGIS).
    assert not users_profile.exists() and not (home / ".local" / "share" / "QGIS").exists()
