"""Small text helpers of the dock's messages: sentences, a label showing a message or an error.

(Counted nouns are ``translation.tr("%n scene(s) ...", "", count)``: each language has its own plural forms.)"""

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QPalette
from qgis.PyQt.QtWidgets import QLabel


def sentence(text: str) -> str:
    """``text`` with its first letter upper-cased and a full stop at the end (none added after ``.``, ``!``, ``?``)."""
    text = text[:1].upper() + text[1:]
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def capitalised(text: str) -> str:
    """``text`` with its first letter upper-cased (a label as the start of a name)."""
    return text[:1].upper() + text[1:]


def show_message(label: QLabel, text: str, error: bool) -> None:
    """Show ``text`` in ``label``, dark red for an error, else in the colour of ordinary text."""
    label.setText(text)
    palette = label.palette()
    parent = label.parentWidget()
    normal = (parent.palette() if parent is not None else QPalette()).color(QPalette.ColorRole.WindowText)
    palette.setColor(QPalette.ColorRole.WindowText, QColor(Qt.GlobalColor.darkRed) if error else normal)
    label.setPalette(palette)
