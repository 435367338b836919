"""`make help`: the plugin's help, ``resources/help/index.html``, generated from ``README.md`` by Qt's own Markdown
reader (``QTextDocument.setMarkdown``, Qt >= 5.14: no other dependency), for the dock's help viewer.

Each heading gets the anchor GitHub gives it (``#the-dock-panel``, ``#earth-engine-source``), so links made for
the README on GitHub work in the help too. Code is set in the generic ``monospace`` family, code blocks as ``<pre>``
lines; images and links to the checkout's files are made relative to the HTML's folder. What Qt would take from the
machine (the default font, the palette's link colour) is left out, so the output depends on the README and the Qt
version only; ``tests/qgis/test_dock_help.py`` checks that the committed file equals a fresh build.

Usage: ``python scripts/build_help.py [--check]`` (``--check``: exit 1 when the committed file is stale, write
nothing).
"""

import argparse
import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
HELP_HTML = ROOT / "resources" / "help" / "index.html"
TITLE = "CloudScore Composite"

CODE_FAMILY = "monospace"
CODE_BACKGROUND, CODE_TEXT = "#f2f2f2", "#1f1f1f"
"""Code blocks' band and text: dark on light whatever the viewer's palette (a dark theme's light text would vanish)."""
HEADING_SIZE = {1: 3, 2: 2, 3: 1, 4: 0, 5: -1, 6: -2}
"""``QTextCharFormat.FontSizeAdjustment`` per heading level (Qt's Markdown reader's own; it drops it on code)."""
HEADING_TOP_MARGIN = {1: 0, 2: 24, 3: 18}
HEADING_OTHER_TOP_MARGIN = 12
HEADING_BOTTOM_MARGIN = 6
MAX_IMAGE_WIDTH = 640
"""Wider images are scaled down to this width (px) in the HTML."""
_BODY_STYLE = re.compile(r'<body style="[^"]*">')
_PUNCTUATION = re.compile(r"[^\w\- ]")  # GitHub's: every character but word ones, hyphens and spaces


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, each space a hyphen
    (``Processing: `cloudscore:compositefolder``` -> ``processing-cloudscorecompositefolder``)."""
    return _PUNCTUATION.sub("", text.lower()).replace(" ", "-")


def unique_slugs(texts: List[str]) -> List[str]:
    """``github_slug`` of each heading, numbered as GitHub numbers repeats: ``usage``, ``usage-1``, ``usage-2``."""
    seen: Dict[str, int] = {}
    slugs = []
    for text in texts:
        slug = github_slug(text)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        slugs.append(slug if count == 0 else f"{slug}-{count}")
    return slugs


def _relative_target(target: str, markdown_dir: Path, html_dir: Path) -> str:
    """``target`` (a link or image address in the Markdown) as seen from ``html_dir``: a path relative to the
    Markdown's folder is made relative to the HTML's; an in-page anchor or an address with a scheme stays."""
    if not target or target.startswith(("#", "/")) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target):
        return target
    path, hash_mark, fragment = target.partition("#")
    relative = os.path.relpath(markdown_dir / path, html_dir)
    return Path(relative).as_posix() + hash_mark + fragment


def build_html(markdown: str, markdown_dir: Path = ROOT, html_dir: Path = HELP_HTML.parent) -> str:
    """The HTML of ``markdown`` (a file in ``markdown_dir``) for a file in ``html_dir``. Needs a
    ``QGuiApplication`` (fonts)."""
    from qgis.PyQt.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat

    document = QTextDocument()
    document.setMarkdown(markdown, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, TITLE)

    blocks = []
    block = document.begin()
    while block.isValid():
        blocks.append(block)
        block = block.next()
    headings = [b for b in blocks if b.blockFormat().headingLevel() > 0]
    slugs = unique_slugs([b.text() for b in headings])

    anchors = {block.position(): slug for block, slug in zip(headings, slugs)}
    cursor = QTextCursor(document)
    for block in blocks:
        # Qt writes a block's own character format on <li> as a second style attribute, which its reader takes
        # for the whole item ("**Source**: a ..." all bold): the fragments carry every character's format anyway.
        cursor.setPosition(block.position())
        cursor.setBlockCharFormat(QTextCharFormat())
        level = block.blockFormat().headingLevel()
        code_block = block.blockFormat().hasProperty(QTextFormat.Property.BlockCodeLanguage)
        if level or code_block:
            layout = QTextBlockFormat()
            if level:
                layout.setTopMargin(HEADING_TOP_MARGIN.get(level, HEADING_OTHER_TOP_MARGIN))
                layout.setBottomMargin(HEADING_BOTTOM_MARGIN)
            else:  # one <pre> per line, on a shaded band
                layout.setNonBreakableLines(True)
                layout.setBackground(_color(CODE_BACKGROUND))
            cursor.setPosition(block.position())
            cursor.mergeBlockFormat(layout)
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            fragments += 1
            if fragment.isValid():  # the heading's anchor on its first fragment: one <a name> per heading
                anchor = anchors.pop(block.position(), None)
                _normalise(cursor, fragment, level, code_block, anchor, markdown_dir, html_dir)

    html = document.toHtml()
    html = _BODY_STYLE.sub("<body>", html, count=1)  # the viewer's own font, not this machine's default
    # Qt's version (its writer's output differs a little between versions) and the Markdown's digest (which does
    # not): the freshness test compares the whole file on the same Qt, the digest on any.
    head = (
        '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
        f'<meta name="generator" content="{generator()}" />'
        f'<meta name="source-sha256" content="{source_digest(markdown)}" />'
        "<!-- pragma: allowlist secret (a digest of the README, for detect-secrets' scan) -->"
    )
    return html.replace("<head>", head, 1).rstrip("\n") + "\n"


def generator() -> str:
    """What wrote the HTML: ``Qt 5.15.8 Markdown reader`` (the running Qt's version)."""
    from qgis.PyQt.QtCore import qVersion

    return f"Qt {qVersion()} Markdown reader"


def source_digest(markdown: str) -> str:
    """The SHA-256 of the Markdown the HTML was built from (hex)."""
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest()


def meta(html: str, name: str) -> Optional[str]:
    """The content of the HTML's ``<meta name=...>`` tag ``name``, or None."""
    found = re.search(rf'<meta name="{re.escape(name)}" content="([^"]*)" />', html)
    return found.group(1) if found else None


def _color(name: str):
    from qgis.PyQt.QtGui import QBrush, QColor

    return QBrush(QColor(name))


# QTextFormat properties of a font Qt's Markdown reader copies from this machine's fixed font into code spans.
_FONT_PROPERTIES = tuple(range(0x1FE0, 0x200A)) + (0x2023, 0x2033, 0x2034)


def _normalise(
    cursor, fragment, level: int, code_block: bool, anchor: Optional[str], markdown_dir: Path, html_dir: Path
) -> None:
    """Give ``fragment`` the formats that do not depend on the machine: code in ``CODE_FAMILY``, headings' size
    and weight kept on their code, links in the viewer's colour, addresses relative to the HTML; ``anchor``: the
    name of the heading that starts with it."""
    from qgis.PyQt.QtGui import QFont, QImageReader, QTextFormat

    char_format = fragment.charFormat()
    changed = False
    # Code spans carry this machine's fixed font (whose family or pitch may be anything): its family marks them.
    if char_format.hasProperty(QTextFormat.Property.FontFamily) or code_block:
        for key in _FONT_PROPERTIES:
            char_format.clearProperty(key)
        char_format.setFontFamily(CODE_FAMILY)
        char_format.setFontFixedPitch(True)
        if code_block:
            char_format.setForeground(_color(CODE_TEXT))
        changed = True
    if level:
        char_format.setProperty(QTextFormat.Property.FontSizeAdjustment, HEADING_SIZE.get(level, 0))
        char_format.setFontWeight(QFont.Weight.Bold)
        changed = True
    if char_format.isAnchor() and char_format.anchorHref():
        char_format.clearForeground()  # the viewer's palette gives links their colour
        char_format.setAnchorHref(_relative_target(char_format.anchorHref(), markdown_dir, html_dir))
        changed = True
    if anchor is not None:
        char_format.setAnchor(True)
        char_format.setAnchorNames([anchor])
        changed = True
    if char_format.isImageFormat():
        image = char_format.toImageFormat()
        size = QImageReader(str(markdown_dir / image.name())).size()  # invalid for an address elsewhere
        if size.isValid() and size.width() > MAX_IMAGE_WIDTH:  # no sideways scrolling in the viewer
            image.setWidth(MAX_IMAGE_WIDTH)
            image.setHeight(round(size.height() * MAX_IMAGE_WIDTH / size.width()))
        image.setName(_relative_target(image.name(), markdown_dir, html_dir))
        char_format = image
        changed = True
    if changed:
        cursor.setPosition(fragment.position())
        cursor.setPosition(fragment.position() + fragment.length(), cursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(char_format)


def main(argv: Optional[List[str]] = None) -> int:
    """Write ``HELP_HTML`` from ``README`` (or, with ``--check``, say whether it is up to date)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed HTML is stale")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.PyQt.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 (fonts need it alive)
    html = build_html(README.read_text(encoding="utf-8"))
    current = HELP_HTML.read_text(encoding="utf-8") if HELP_HTML.is_file() else None
    if args.check:
        if current != html:
            print(f"{HELP_HTML.relative_to(ROOT)} is stale: run make help", file=sys.stderr)
            return 1
        return 0
    if current != html:  # an unchanged file keeps its time stamp
        HELP_HTML.parent.mkdir(parents=True, exist_ok=True)
        HELP_HTML.write_text(html, encoding="utf-8")
        print(f"Wrote {HELP_HTML.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
