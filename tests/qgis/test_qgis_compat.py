"""Field types through ``plugin.qgis_compat`` (QMetaType.Type from QGIS 3.38, QVariant.Type before), and the folder
widgets' storage mode set in code (not in the .ui, which QGIS 3.22's and QGIS 4's uic read differently)."""

import pytest
from qgis.core import QgsField, QgsVectorLayer
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import QMetaType, QVariant

NAMES = ("Double", "LongLong", "Int", "String", "DateTime", "Date", "Bool")


def test_qmetatype_from_qgis_3_38():
    from cloudscore_composite.plugin.qgis_compat import uses_qmetatype

    assert not uses_qmetatype(32200) and not uses_qmetatype(33600) and not uses_qmetatype(33799)
    assert uses_qmetatype(33800) and uses_qmetatype(34000) and uses_qmetatype(40000)


@pytest.mark.parametrize("qmetatype", [False, True])
def test_both_kinds_name_the_same_types(qmetatype):
    from cloudscore_composite.plugin.qgis_compat import field_types

    types = field_types(qmetatype)
    expected = QMetaType.Type if qmetatype else QVariant.Type
    for name in NAMES:
        value = getattr(types, name)
        assert type(value) is expected
        # QMetaType and QVariant number the types alike (QString = String = 10 ...)
        assert int(value) == int(getattr(QVariant.Type, name))


def test_running_qgis_gets_its_own_kind():
    from cloudscore_composite.plugin.qgis_compat import FieldType, uses_qmetatype

    assert type(FieldType.Double) is (QMetaType.Type if uses_qmetatype() else QVariant.Type)
    for name in NAMES:
        assert QgsField("f", getattr(FieldType, name)).type() == getattr(QVariant.Type, name)


def test_footprint_layer_fields_keep_their_types():
    from cloudscore_composite.plugin.algorithms.search_scenes import footprint_fields

    fields = footprint_fields()
    assert [(field.name(), field.type()) for field in fields] == [
        ("id", QVariant.Type.String),
        ("time", QVariant.Type.DateTime),
        ("tile", QVariant.Type.String),
        ("platform", QVariant.Type.String),
        ("cloud_pct", QVariant.Type.Double),
        ("score_available", QVariant.Type.Bool),
        ("clear_fraction", QVariant.Type.Double),
        ("orbit", QVariant.Type.Int),
    ]
    layer = QgsVectorLayer("Polygon?crs=EPSG:4326", "footprints", "memory")
    assert layer.dataProvider().addAttributes(fields.toList())
    layer.updateFields()
    assert [field.type() for field in layer.fields()] == [field.type() for field in fields]


def test_evaluation_table_fields_keep_their_types():
    from cloudscore_composite.plugin.algorithms.evaluate_mask import EvaluateMaskAlgorithm

    fields = EvaluateMaskAlgorithm._fields()
    assert [(field.name(), field.type()) for field in fields] == [
        ("threshold", QVariant.Type.Double),
        ("tp", QVariant.Type.LongLong),
        ("fp", QVariant.Type.LongLong),
        ("fn", QVariant.Type.LongLong),
        ("tn", QVariant.Type.LongLong),
        ("accuracy", QVariant.Type.Double),
        ("precision", QVariant.Type.Double),
        ("recall", QVariant.Type.Double),
        ("f1", QVariant.Type.Double),
    ]


def test_dock_folder_widgets_pick_folders(plugin):
    ui = plugin.dock.ui
    assert ui.folderWidget.storageMode() == QgsFileWidget.StorageMode.GetDirectory
    assert ui.outputFolderWidget.storageMode() == QgsFileWidget.StorageMode.GetDirectory
