"""The plugin's help in a window of its own: ``resources/help/index.html``, the README as HTML (built by
``scripts/build_help.py``, ``make help``), in a ``QTextBrowser``. No web browser is needed: links within the help
are followed in the window (*Back* returns), only links to other sites go to the system's browser."""

from typing import Optional

from qgis.PyQt.QtCore import QT_TR_NOOP, QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ..paths import PLUGIN_ROOT
from ..translation import tr, translated

HELP_HTML = PLUGIN_ROOT / "resources" / "help" / "index.html"
HELP_ANCHOR = "the-dock-panel"
"""The anchor GitHub gives the README's heading "The dock panel" (``build_help.github_slug``)."""
MISSING_HELP = QT_TR_NOOP(
    "The help file {0} is missing: this copy of the plugin was not built with it (make help builds it). The same "
    "text is the plugin's README.md."
)
WINDOW_SIZE = (780, 720)


def help_url(anchor: str = HELP_ANCHOR) -> QUrl:
    """The help file's URL at ``anchor`` (a heading's GitHub-style anchor, e.g. ``the-dock-panel``; empty: the
    top)."""
    url = QUrl.fromLocalFile(str(HELP_HTML))
    if anchor:
        url.setFragment(anchor)
    return url


class HelpViewer(QDialog):
    """A window showing the help (``HELP_HTML``) at a section; one per dock, reused.

    Args:
        parent: the dock (the window closes with it).
    """

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setObjectName("CloudScoreCompositeHelp")
        self.setWindowTitle(tr("CloudScore Composite help"))
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # followed by _follow: in the window, or by the system for other sites
        self.browser.anchorClicked.connect(self._follow)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        self.back_button = QPushButton(tr("Back"))
        self.back_button.setToolTip(tr("Back to where you were before following a link."))
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        buttons.addButton(self.back_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(*WINDOW_SIZE)

    def show_section(self, anchor: str = HELP_ANCHOR) -> None:
        """Show the window with the help scrolled to ``anchor``."""
        if not HELP_HTML.is_file():
            self.browser.setPlainText(translated(MISSING_HELP).format(HELP_HTML))
        else:
            self.browser.setSource(help_url(anchor))  # the same file again: only scrolls
        self.show()
        self.raise_()
        self.activateWindow()
        if anchor and HELP_HTML.is_file():
            self.browser.scrollToAnchor(anchor)  # again, now that the window's width lays the text out

    def _follow(self, url: QUrl) -> None:
        """A link clicked: within the help, go there in the window; elsewhere, to the system's browser."""
        target = self.browser.source().resolved(url)
        if _same_file(target, self.browser.source()):
            self.browser.setSource(target)
        else:
            QDesktopServices.openUrl(target)


def _same_file(url: QUrl, other: QUrl) -> bool:
    """True when ``url`` and ``other`` are the same local file, whatever their fragments."""
    return url.isLocalFile() and other.isLocalFile() and url.toLocalFile() == other.toLocalFile()
