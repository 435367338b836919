"""What differs between the QGIS versions the plugin runs on (3.22 on Qt5 .. 4.x on Qt6), in one place.

``QgsField`` types: QGIS 3.38 and newer take ``QMetaType.Type`` (QGIS 4 has nothing else: PyQt6's ``QVariant`` has
no ``Type``); QGIS 3.22 .. 3.36 take ``QVariant.Type``. ``FieldType.Double`` (``LongLong``, ``Int``, ``String``,
``DateTime``, ``Date``, ``Bool``) is the right one for the QGIS that runs::

    fields.append(QgsField("threshold", FieldType.Double))

A layer's title and abstract (the Layers panel's tooltip): QGIS 3.38 and newer keep them in the layer's
``serverProperties()`` (QGIS 4 nowhere else), older ones on the layer itself: ``title_and_abstract_owner``.

This is the only module allowed ``# qt5-only:`` lines: the Qt6 check (``tests/qt6``) leaves them out because QGIS 4
never runs them.
"""

from typing import NamedTuple, Optional

from qgis.core import Qgis
from qgis.PyQt.QtCore import QMetaType, QVariant

QMETATYPE_FIELDS_SINCE = 33800
"""``Qgis.versionInt()`` of QGIS 3.38, the first whose ``QgsField`` takes ``QMetaType.Type``."""


class FieldTypes(NamedTuple):
    """``QgsField`` types by their ``QVariant.Type`` names."""

    Double: object
    LongLong: object
    Int: object
    String: object
    DateTime: object
    Date: object
    Bool: object


def uses_qmetatype(version_int: Optional[int] = None) -> bool:
    """Whether ``QgsField`` takes ``QMetaType.Type`` in QGIS ``version_int`` (default: the running QGIS)."""
    return (Qgis.versionInt() if version_int is None else version_int) >= QMETATYPE_FIELDS_SINCE


def field_types(qmetatype: bool) -> FieldTypes:
    """The field types as ``QMetaType.Type`` (``qmetatype``) or as ``QVariant.Type`` members."""
    if qmetatype:
        kind = QMetaType.Type
        return FieldTypes(
            Double=kind.Double,
            LongLong=kind.LongLong,
            Int=kind.Int,
            String=kind.QString,
            DateTime=kind.QDateTime,
            Date=kind.QDate,
            Bool=kind.Bool,
        )
    kind = QVariant.Type  # qt5-only: QGIS 3.22 .. 3.36, which run on Qt5 only
    return FieldTypes(
        Double=kind.Double,
        LongLong=kind.LongLong,
        Int=kind.Int,
        String=kind.String,
        DateTime=kind.DateTime,
        Date=kind.Date,
        Bool=kind.Bool,
    )


FieldType = field_types(uses_qmetatype())
"""The ``QgsField`` types of the running QGIS."""


def title_and_abstract_owner(layer):
    """What holds ``layer``'s title and abstract (``setTitle``, ``setAbstract``): its ``serverProperties()`` where
    they have them (QGIS 3.38 and newer), else the layer itself."""
    server = layer.serverProperties()
    return server if hasattr(server, "setAbstract") else layer
