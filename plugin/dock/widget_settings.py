"""Every field of the dock remembered in ``QgsSettings`` (group ``cloudscore_composite/``), with defaults."""

from typing import Any, Callable, Dict, Tuple

from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsSettings
from qgis.gui import QgsCheckableComboBox, QgsFileWidget, QgsMapLayerComboBox, QgsProjectionSelectionWidget
from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtWidgets import QAbstractButton, QComboBox, QDateEdit, QDoubleSpinBox, QLineEdit, QSpinBox

SETTINGS_GROUP = "cloudscore_composite"
"""``QgsSettings`` group of everything the dock remembers."""


def setting(key: str, default=None, value_type=str):
    """The value remembered under ``cloudscore_composite/<key>``, as ``value_type``, or ``default``."""
    return QgsSettings().value(f"{SETTINGS_GROUP}/{key}", default, type=value_type)


def set_setting(key: str, value) -> None:
    """Remember ``value`` under ``cloudscore_composite/<key>``."""
    QgsSettings().setValue(f"{SETTINGS_GROUP}/{key}", value)


PENDING_LAYER_ID = "cloudscoreLayerId"
"""Dynamic property of a ``QgsMapLayerComboBox``: the layer id remembered, chosen again once a project holds it."""


def reapply_pending_layer(widget: QgsMapLayerComboBox) -> bool:
    """Choose the remembered layer in ``widget`` when it has none and the project now holds it (call it after a
    project is read); True when a layer was chosen."""
    layer_id = widget.property(PENDING_LAYER_ID)
    layer = QgsProject.instance().mapLayer(layer_id) if layer_id else None
    if widget.currentLayer() is not None or layer is None:
        return False
    widget.setProperty(PENDING_LAYER_ID, "")
    widget.setLayer(layer)
    return True


def _accessors(widget) -> Tuple[Callable[[], Any], Callable[[Any], None], type]:
    """(get, set, stored type) of a widget's value as stored in the settings."""
    if isinstance(widget, QgsFileWidget):
        return widget.filePath, widget.setFilePath, str
    if isinstance(widget, QgsProjectionSelectionWidget):
        return (
            lambda: widget.crs().authid() or widget.crs().toWkt(),
            lambda v: widget.setCrs(QgsCoordinateReferenceSystem(v)),
            str,
        )
    if isinstance(widget, QgsMapLayerComboBox):

        def layer_id() -> str:
            layer = widget.currentLayer()
            if layer is not None:
                widget.setProperty(PENDING_LAYER_ID, "")  # a layer chosen since: the remembered id is done with
                return layer.id()
            # The project holding the remembered layer may not be read yet: keep its id for the next save.
            return widget.property(PENDING_LAYER_ID) or ""

        def choose(value: str) -> None:
            layer = QgsProject.instance().mapLayer(value) if value else None
            widget.setProperty(PENDING_LAYER_ID, "" if layer is not None else value or "")
            widget.setLayer(layer)

        return layer_id, choose, str
    if isinstance(widget, QgsCheckableComboBox):

        def check(value: str) -> None:
            widget.deselectAllOptions()  # setCheckedItems only adds ticks
            widget.setCheckedItems([x for x in value.split(",") if x])

        return lambda: ",".join(widget.checkedItems()), check, str
    if isinstance(widget, QComboBox):

        def select(value: str) -> None:
            index = widget.findData(value)
            index = index if index >= 0 else widget.findText(value)
            if index >= 0:
                widget.setCurrentIndex(index)

        return (lambda: widget.currentData() if widget.currentData() is not None else widget.currentText(), select, str)
    if isinstance(widget, QDateEdit):
        return (
            lambda: widget.date().toString(Qt.DateFormat.ISODate),
            lambda v: (
                widget.setDate(QDate.fromString(v, Qt.DateFormat.ISODate))
                if QDate.fromString(v, Qt.DateFormat.ISODate).isValid()
                else None
            ),
            str,
        )
    if isinstance(widget, QDoubleSpinBox):
        return widget.value, widget.setValue, float
    if isinstance(widget, QSpinBox):
        return widget.value, widget.setValue, int
    if isinstance(widget, QAbstractButton):
        return widget.isChecked, widget.setChecked, bool
    if isinstance(widget, QLineEdit):
        return widget.text, widget.setText, str
    raise TypeError(f"no settings accessors for {type(widget).__name__}")


class WidgetSettings:
    """Binds widgets to keys under ``cloudscore_composite/``: ``restore``, ``save`` and ``reset`` them all.

    A widget's default is its value when ``add`` is called (the Designer form's value).
    """

    def __init__(self):
        self._fields: Dict[str, Tuple[Callable[[], Any], Callable[[Any], None], type, Any]] = {}

    def add(self, key: str, widget) -> None:
        """Remember ``widget`` under ``key``; its current value becomes its default."""
        get, put, stored = _accessors(widget)
        self._fields[key] = (get, put, stored, get())

    def keys(self):
        """The keys bound, in the order added."""
        return list(self._fields)

    def restore(self) -> None:
        """Put the remembered values (or the defaults) into the widgets."""
        for key, (_get, put, stored, default) in self._fields.items():
            put(setting(key, default, stored))

    def save(self) -> None:
        """Remember every widget's value."""
        for key, (get, _put, _stored, _default) in self._fields.items():
            set_setting(key, get())

    def reset(self) -> None:
        """Put every widget back to its default and remember that."""
        for _get, put, _stored, default in self._fields.values():
            put(default)
        self.save()
