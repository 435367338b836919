"""*Help*: the plugin's help, HTML built from the README (scripts/build_help.py, committed as
resources/help/index.html), opens in the plugin's own viewer at the dock's section, with no web browser involved;
the committed HTML is what a fresh build from the README gives."""

import re
import sys
from pathlib import Path

import pytest
from qgis.PyQt.QtCore import QPoint, QUrl
from qgis.PyQt.QtGui import QDesktopServices

from ..conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import build_help  # from scripts/, put on the path above

DOCK_SECTION = "the-dock-panel"
EARTH_ENGINE_SECTION = "earth-engine-source"


@pytest.fixture
def no_browser(monkeypatch):
    """Fail the test if anything hands a URL to the system (a web browser)."""

    def fail(url):
        pytest.fail(f"a URL went to the system's browser: {url.toString()}")

    monkeypatch.setattr(QDesktopServices, "openUrl", fail)


def viewer_of(dock):
    from cloudscore_composite.plugin.dock.help_viewer import HelpViewer

    viewers = dock.findChildren(HelpViewer)
    assert len(viewers) == 1  # one window, reused
    return viewers[0]


def heading_block(document, anchor):
    """The block of the document that holds the anchor ``anchor`` (a heading's ``<a name>``)."""
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            if anchor in fragments.fragment().charFormat().anchorNames():
                return block
            fragments += 1
        block = block.next()
    raise AssertionError(f"no anchor {anchor!r} in the help")


def assert_scrolled_to(viewer, anchor, text):
    """The viewer shows ``anchor``'s heading (``text``) at the top of its view."""
    browser = viewer.browser
    block = heading_block(browser.document(), anchor)
    assert block.text() == text
    top = browser.document().documentLayout().blockBoundingRect(block).top()
    assert top > 1000  # far down the help: a scroll was needed
    assert abs(browser.verticalScrollBar().value() - top) <= 2  # at the top of the view
    assert browser.cursorForPosition(QPoint(20, 2)).block().text() == text


def test_the_committed_help_is_a_fresh_build_of_the_readme():
    """``make help`` was run after the README's last change (run it and commit resources/help/index.html): the
    README's digest on any Qt, the whole file on the Qt that built it (another Qt writes its HTML a little
    differently)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    committed = build_help.HELP_HTML.read_text(encoding="utf-8")
    assert build_help.meta(committed, "source-sha256") == build_help.source_digest(readme)
    if build_help.meta(committed, "generator") == build_help.generator():
        assert committed == build_help.build_html(readme)


def test_headings_get_githubs_anchors():
    assert build_help.github_slug("The dock panel") == "the-dock-panel"
    assert build_help.github_slug("Processing: cloudscore:compositefolder") == "processing-cloudscorecompositefolder"
    assert build_help.github_slug("From a shell: scripts/qgis_process.sh") == "from-a-shell-scriptsqgis_processsh"
    assert build_help.github_slug("Qt6 and QGIS 4") == "qt6-and-qgis-4"
    assert build_help.github_slug("Large areas: relative orbits, seams and UTM zones") == (
        "large-areas-relative-orbits-seams-and-utm-zones"
    )
    assert build_help.unique_slugs(["Usage", "Usage", "Usage"]) == ["usage", "usage-1", "usage-2"]

    html = build_help.HELP_HTML.read_text(encoding="utf-8")
    headings = re.findall(r"^#{1,6} (.+)$", _outside_code((ROOT / "README.md").read_text(encoding="utf-8")), re.M)
    names = re.findall(r'<a name="([^"]+)">', html)
    assert names == build_help.unique_slugs([h.replace("`", "") for h in headings])
    assert {DOCK_SECTION, EARTH_ENGINE_SECTION} <= set(names)


def _outside_code(markdown):
    """``markdown`` without its fenced code blocks (their ``#`` lines are shell comments, not headings)."""
    return re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)


def test_images_resolve_relative_to_the_html():
    html = build_help.HELP_HTML.read_text(encoding="utf-8")
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert sources  # the README's figure
    for source in sources:
        assert (build_help.HELP_HTML.parent / source).is_file(), source


def test_help_opens_in_the_plugins_viewer_at_the_dock_section(dock, no_browser):
    from cloudscore_composite.plugin.dock.help_viewer import HELP_HTML

    dock.ui.helpButton.click()

    viewer = viewer_of(dock)
    assert viewer.isVisible()
    source = viewer.browser.source()
    assert source.toLocalFile() == str(HELP_HTML) and source.fragment() == DOCK_SECTION
    assert dock.help_url() == source and dock.help_url().toLocalFile().endswith("resources/help/index.html")
    assert_scrolled_to(viewer, DOCK_SECTION, "The dock panel")
    assert "Find scenes" in viewer.browser.toPlainText()  # the README's text, rendered (no Markdown marks)
    assert "### The dock panel" not in viewer.browser.toPlainText()


def test_open_help_at_another_section_reuses_the_window(dock, no_browser):
    dock.open_help(EARTH_ENGINE_SECTION)  # what a "How to set up" link does
    assert_scrolled_to(viewer_of(dock), EARTH_ENGINE_SECTION, "Earth Engine source")
    assert dock.help_url(EARTH_ENGINE_SECTION).fragment() == EARTH_ENGINE_SECTION

    dock.open_help()
    assert_scrolled_to(viewer_of(dock), DOCK_SECTION, "The dock panel")


def test_links_in_the_help_stay_in_the_viewer_and_other_sites_go_to_the_browser(dock, monkeypatch):
    dock.open_help()
    viewer = viewer_of(dock)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", opened.append)

    viewer.browser.anchorClicked.emit(QUrl("#the-output"))  # a link to a heading of the help
    assert opened == []
    assert_scrolled_to(viewer, "the-output", "The output")
    assert viewer.back_button.isEnabled()
    viewer.back_button.click()
    assert_scrolled_to(viewer, DOCK_SECTION, "The dock panel")

    register = QUrl("https://code.earthengine.google.com/register")  # a link of the README to another site
    viewer.browser.anchorClicked.emit(register)
    assert opened == [register]
    assert viewer.browser.source().fragment() == DOCK_SECTION  # the help stays where it was


def test_a_missing_help_file_is_said_in_the_viewer(dock, monkeypatch, tmp_path, no_browser):
    from cloudscore_composite.plugin.dock import help_viewer

    missing = Path(tmp_path) / "index.html"
    monkeypatch.setattr(help_viewer, "HELP_HTML", missing)
    dock.open_help()
    text = viewer_of(dock).browser.toPlainText()
    assert str(missing) in text and "README.md" in text
