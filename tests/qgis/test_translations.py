"""The QGIS side is translatable: the committed template holds every string pylupdate5 extracts, no user-visible
literal bypasses ``tr()``, and a compiled translation loaded by the plugin's own code changes what the algorithms
and the dock show, looked up under the very context the string was extracted under."""

import ast
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit, QWidget

from ..conftest import DEMO_DIR, ROOT

TEMPLATE = ROOT / "i18n" / "cloudscore_composite_en.ts"
PYLUPDATE = shutil.which("pylupdate5") or "/usr/bin/pylupdate5"
LRELEASE = "/usr/lib/qt5/bin/lrelease"
MARK = "\u27e6"  # the pseudo-translation's mark: every translated text starts with it

# ----------------------------------------------------------------------------------------------------------- helpers


def qgis_side_sources():
    """What ``make translations`` scans: the plugin's Python outside ``plugin/core`` and the Designer forms."""
    python = sorted(p for p in (ROOT / "plugin").rglob("*.py") if "core" not in p.relative_to(ROOT / "plugin").parts)
    return python + sorted((ROOT / "ui").glob("*.ui"))


def extract(folder: Path) -> Path:
    """Run pylupdate5 on the QGIS side as ``make translations`` does, into ``folder``; return the ``.ts``."""
    ts = folder / "extracted.ts"
    subprocess.run(
        [PYLUPDATE, "-noobsolete", *map(str, qgis_side_sources()), "-ts", str(ts)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return ts


def messages(ts: Path):
    """The (context, source) pairs of a ``.ts`` file."""
    root = ElementTree.parse(ts).getroot()
    return {
        (context.findtext("name"), message.findtext("source"))
        for context in root.iter("context")
        for message in context.iter("message")
    }


def translate_ts(template: Path, target: Path, translate) -> None:
    """Write ``target``: ``template`` with each message's translation ``translate(context, source)`` (None: left
    unfinished)."""
    tree = ElementTree.parse(template)
    tree.getroot().set("language", "de_DE")
    for context in tree.getroot().iter("context"):
        for message in context.iter("message"):
            text = translate(context.findtext("name"), message.findtext("source"))
            if text is not None:
                translation = message.find("translation")
                translation.attrib.pop("type", None)
                if message.get("numerus") == "yes":  # German: a singular and a plural form
                    translation.clear()
                    for _ in range(2):
                        ElementTree.SubElement(translation, "numerusform").text = text
                else:
                    translation.text = text
    tree.write(target, encoding="utf-8", xml_declaration=True)


def compile_qm(ts: Path, qm: Path) -> None:
    """lrelease ``ts`` into ``qm``."""
    subprocess.run([LRELEASE, "-silent", str(ts), "-qm", str(qm)], check=True, capture_output=True)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    return extract(tmp_path_factory.mktemp("pylupdate"))


# ------------------------------------------------------------------------------------------------ (a) the template


def test_committed_template_is_up_to_date(extracted):
    """``make translations`` was run after the last change of a user string: same (context, source) messages."""
    committed, current = messages(TEMPLATE), messages(extracted)
    assert current - committed == set(), "not in i18n/cloudscore_composite_en.ts: run make translations"
    assert committed - current == set(), "gone from the code but still in the template: run make translations"


def test_template_holds_the_algorithms_and_the_form(extracted):
    """The template is not trivially empty: algorithm names, help and the Designer form's labels are in it."""
    found = messages(extracted)
    assert ("@default", "Composite a folder of scenes") in found
    assert any(context == "CompositeDockContents" for context, _ in found)  # the .ui form's class, uic's context
    assert len(found) > 200


# -------------------------------------------------------------------------------------- (b) no literal outside tr()

# Where a user reads the text: the method returns, calls and constructors below.
RETURNING_TEXT = {"displayName", "group", "shortHelpString", "longName", "shortDescription", "helpUrl"}
TEXT_CALLS = {
    # Processing feedback and the message bar
    "pushInfo", "pushWarning", "reportError", "pushDebugInfo", "pushConsoleInfo", "setProgressText", "pushMessage",
    "pushCritical", "pushSuccess",
    # widgets
    "setText", "setToolTip", "setWindowTitle", "setPlaceholderText", "setStatusTip", "setTitle", "setWhatsThis",
    "setSpecialValueText", "setLabelText", "addItem", "insertItem", "setHorizontalHeaderLabels", "setHeaderLabels",
    "information", "warning", "critical", "question", "error",  # QMessageBox.*, log.warning/error
    # errors the QGIS side raises
    "QgsProcessingException", "InputError", "CloudScoreError",
    "setNotSetText", "setDefaultText", "addRow",
    # widgets built with their text
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QToolButton", "QAction", "QMenu",
    "QgsCollapsibleGroupBox",
    # the plugin's own message helpers: the dock's message bar and status, a task's stage
    "_notify", "warn", "_start_task", "report_stage", "report_count",
}  # fmt: skip
TEXT_AFTER_FIRST = {"show_message", "_report_failure", "QgsRasterLayer"}
"""Calls whose first argument is not text (a label, an error, a path) but the second is."""
PARAMETER_CLASS = re.compile(r"QgsProcessing(Parameter|Output)\w+$")

ALLOWED = {
    # (file relative to plugin/, literal): why it is not translated
    ("plugin_main.py", "&CloudScore Composite"): "the menu named after the product, the same in every language",
    ("dock/dock_widget.py", "CloudScore Composite"): "the product's name as the dock's title",
    ("dock/composite_panel.py", " ZSTD"): "a driver and codec name (GTiff ZSTD), as FORMAT's values",
}


def has_words(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]{2}", text))


def shown_words(text: str) -> bool:
    """Words a translation could change: not a link's text (a file or folder name), a path nor HTML tags."""
    text = re.sub(r"<a [^>]*>.*?</a>", "", text)
    return has_words(re.sub(r"<[^>]*>|(?<![\w.])/[^\s\]]*", "", text))


def untranslated(node):
    """The literal texts with words in ``node`` that no ``tr()`` wraps (``tr("...").format()`` is wrapped)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if has_words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return [text] if has_words(text) else []
    if isinstance(node, ast.BinOp):
        return untranslated(node.left) + untranslated(node.right)
    if isinstance(node, ast.IfExp):
        return untranslated(node.body) + untranslated(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [text for element in node.elts for text in untranslated(element)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return untranslated(node.func.value)
    return []


def call_name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def text_arguments(call: ast.Call):
    name = call_name(call)
    if PARAMETER_CLASS.match(name):  # (name, description, ...): the name is the parameter's key
        return call.args[1:2] + [k.value for k in call.keywords if k.arg == "description"]
    if name in ("InputError",):  # (field, message): the field is the parameter's key
        return call.args[1:2]
    if name in TEXT_AFTER_FIRST:
        return call.args[1:2]
    if name in ("addItem", "insertItem"):  # (text, userData): the data is an id
        return [a for a in call.args if not isinstance(a, ast.Name)][:1]
    if name in TEXT_CALLS:
        return list(call.args) + [k.value for k in call.keywords if k.arg in ("text", "title", "message")]
    return []


def scan(source: str):
    """(line, text) of every user-visible literal outside ``tr()`` in the Python ``source``, and of every ``tr()``
    call pylupdate5 cannot extract as it is looked up (not one literal, an f-string, a method ``.tr``)."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in RETURNING_TEXT:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    found += [(inner.lineno, text) for text in untranslated(inner.value)]
        elif isinstance(node, ast.Call):
            for argument in text_arguments(node):
                found += [(node.lineno, text) for text in untranslated(argument)]
            if call_name(node) == "tr":  # tr("text") or, counting, tr("%n thing(s)", "", n)
                literal = (
                    len(node.args) in (1, 3)
                    and not node.keywords
                    and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2])
                )
                if not literal or isinstance(node.func, ast.Attribute):
                    found.append((node.lineno, "tr() not of one string literal: " + ast.unparse(node)))
    return found


def test_no_user_visible_literal_outside_tr():
    plugin = ROOT / "plugin"
    problems = [
        f"plugin/{path.relative_to(plugin)}:{line}: {text!r}"
        for path in qgis_side_sources()
        if path.suffix == ".py"
        for line, text in scan(path.read_text(encoding="utf-8"))
        if (str(path.relative_to(plugin)), text) not in ALLOWED
    ]
    assert problems == []


def test_scan_finds_what_it_should():
    """The scan itself: each kind of bypass is caught, the translated forms pass."""
    source = """
def displayName(self):
    return "Name"
def f(feedback, label, n):
    feedback.pushInfo(f"{n} scenes kept")
    label.setText("Done: " + str(n))
    raise QgsProcessingException("bad {0}".format(n))
    QgsProcessingParameterNumber("THRESHOLD", "Clear threshold")
    InputError("THRESHOLD", f"{n} is outside 0..1")
    feedback.pushInfo(tr("{0} scenes kept").format(n))
    label.setText(tr("Done"))
    InputError("THRESHOLD", tr("outside 0..1"))
    tr(f"{n} scenes")
"""
    found = scan(source)
    assert [line for line, _ in found] == [3, 5, 6, 7, 8, 9, 13]


def test_core_labels_the_qgis_side_shows_are_marked():
    """Core's option labels (engines, orbit modes, seam weights) are in ``core_labels.CORE_LABELS``, so pylupdate5
    extracts them and the dock and the algorithms show them translated."""
    from cloudscore_composite.plugin.core.engines import ENGINE_LABELS
    from cloudscore_composite.plugin.core.orbits import ORBIT_LABELS, SEAM_LABELS
    from cloudscore_composite.plugin.core_labels import CORE_LABELS

    shown = {*ENGINE_LABELS.values(), *ORBIT_LABELS.values(), *SEAM_LABELS.values()}
    assert shown - set(CORE_LABELS) == set()
    assert {("@default", label) for label in CORE_LABELS} <= messages(TEMPLATE)


def test_counted_text_reads_as_english_without_a_translation():
    """``tr("%n scene(s) ...", "", n)``: Qt's numerus form for translators, English's two forms without one."""
    from cloudscore_composite.plugin.translation import tr

    assert tr("%n scene(s) found.", "", 1) == "1 scene found."
    assert tr("%n scene(s) found.", "", 3) == "3 scenes found."
    assert tr("%n scene(s) found.", "", 0) == "0 scenes found."


# ----------------------------------------------------------------------------- (c) a real translation, really used


def algorithm(algorithm_id):
    return QgsApplication.processingRegistry().algorithmById(algorithm_id)


@pytest.fixture
def locale_de(monkeypatch, tmp_path):
    """QGIS's ``locale/userLocale`` set to ``de_DE`` and the plugin's i18n folder a private one (the checkout is
    left alone); both restored afterwards, and the dock's remembered fields (a dock saves them when unloaded)."""
    from cloudscore_composite.plugin import translation

    settings = QgsSettings()
    kept = {key: settings.value(key) for key in settings.allKeys() if key.startswith("cloudscore_composite/")}
    previous = settings.value("locale/userLocale", None)
    settings.setValue("locale/userLocale", "de_DE")
    monkeypatch.setattr(translation, "I18N_DIR", tmp_path)
    yield tmp_path
    if previous is None:
        settings.remove("locale/userLocale")
    else:
        settings.setValue("locale/userLocale", previous)
    settings.remove("cloudscore_composite")
    for key, value in kept.items():
        settings.setValue(key, value)


GERMAN = {
    ("@default", "Composite a folder of scenes"): "Einen Ordner von Szenen zusammensetzen",
    ("CompositeDockContents", "Clear threshold"): "Klarheitsschwelle",
}


def test_a_german_translation_changes_the_algorithm_and_the_dock(plugin, qgis_iface, extracted, locale_de):
    """A .ts with two German strings, compiled by lrelease, loaded by the plugin's own code (a new plugin object,
    as QGIS creates it, for the user's locale de_DE: the file ``..._de.qm``), shows in the algorithm's name and
    the dock's label, and English comes back when the plugin is unloaded."""
    import cloudscore_composite
    from cloudscore_composite.plugin.dock.dock_widget import CompositeDock

    assert set(GERMAN) <= messages(extracted)
    translate_ts(extracted, locale_de / "de.ts", lambda context, source: GERMAN.get((context, source)))
    compile_qm(locale_de / "de.ts", locale_de / "cloudscore_composite_de.qm")

    compositefolder = algorithm("cloudscore:compositefolder")
    assert compositefolder.displayName() == "Composite a folder of scenes"
    german = cloudscore_composite.classFactory(qgis_iface)
    try:
        assert german.translator is not None
        assert compositefolder.displayName() == "Einen Ordner von Szenen zusammensetzen"
        assert compositefolder.create().displayName() == "Einen Ordner von Szenen zusammensetzen"
        dock = CompositeDock(qgis_iface, None)
        try:
            assert "Klarheitsschwelle" in [label.text() for label in dock.findChildren(QLabel)]
        finally:
            dock.unload()
            dock.deleteLater()
    finally:
        german.unload()
    assert german.translator is None
    assert compositefolder.displayName() == "Composite a folder of scenes"


def test_qgis_process_shows_the_translation(tmp_path, extracted):
    """Under ``qgis_process`` (no GUI: classFactory and initProcessing only) the algorithms are translated too: the
    plugin installed as from a ZIP with a German ``.qm``, a throwaway profile whose QGIS language is German."""
    from .conftest import QGIS_PROCESS

    plugin_dir = tmp_path / "plugins" / "cloudscore_composite"
    plugin_dir.mkdir(parents=True)
    for name in ("__init__.py", "metadata.txt"):
        shutil.copy(ROOT / name, plugin_dir / name)
    for name in ("plugin", "ui"):
        shutil.copytree(ROOT / name, plugin_dir / name, ignore=shutil.ignore_patterns("__pycache__"))
    (plugin_dir / "resources").mkdir()
    shutil.copy(ROOT / "resources" / "icon.svg", plugin_dir / "resources")
    (plugin_dir / "i18n").mkdir()
    translate_ts(extracted, tmp_path / "de.ts", lambda context, source: GERMAN.get((context, source)))
    compile_qm(tmp_path / "de.ts", plugin_dir / "i18n" / "cloudscore_composite_de.qm")
    settings = tmp_path / "profile" / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    settings.parent.mkdir(parents=True)
    settings.write_text("[locale]\nuserLocale=de\noverrideFlag=true\n")
    (tmp_path / "runtime").mkdir(mode=0o700)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QGIS_OPTS="",
        QGIS_PLUGINPATH=str(plugin_dir.parent),
        QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"),
        XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    run = dict(env=env, capture_output=True, text=True, timeout=120)
    subprocess.run([QGIS_PROCESS, "plugins", "enable", "cloudscore_composite"], check=True, **run)
    listed = subprocess.run([QGIS_PROCESS, "list"], check=True, **run).stdout
    assert "cloudscore:compositefolder\tEinen Ordner von Szenen zusammensetzen" in listed
    assert "cloudscore:maskscene\tMask a scene by its clear score" in listed  # untranslated: English


def test_no_translation_file_keeps_english(plugin, qgis_iface, locale_de):
    """No ``.qm`` for the user's locale: no translator, the text stays English."""
    import cloudscore_composite

    instance = cloudscore_composite.classFactory(qgis_iface)
    try:
        assert instance.translator is None
        assert algorithm("cloudscore:compositefolder").displayName() == "Composite a folder of scenes"
    finally:
        instance.unload()


def test_language_file_serves_its_regional_variants(tmp_path):
    """``de_AT`` falls back to ``..._de.qm``; ``pt_BR`` prefers ``..._pt_BR.qm``."""
    from cloudscore_composite.plugin.translation import translation_files

    assert [p.name for p in translation_files("de_AT", tmp_path)] == [
        "cloudscore_composite_de_AT.qm",
        "cloudscore_composite_de.qm",
    ]
    assert [p.name for p in translation_files("de", tmp_path)] == ["cloudscore_composite_de.qm"]


NOT_TRANSLATED = {
    "Browse": "QgsFileWidget's own tool tip, translated by QGIS",
    "Select CRS": "QgsProjectionSelectionWidget's own tool tip, translated by QGIS",
    "Choose the folder holding the Sentinel-2 scenes.": "core's message (plugin/core stays English), shown as it is",
    "DEFLATE": "a codec's name (COMPRESSION)",
    "Full path to the file(s), including name and extension": "QgsFileWidget's own tool tip, translated by QGIS",
}
"""Texts shown untranslated on purpose, with the reason."""
ENUMS_NOT_TRANSLATED = {
    "METHOD": "method ids (median, p25...), also the output's band names",
    "FORMAT": "format names (GeoTIFF, Cloud-Optimized GeoTIFF)",
    "COLLECTION": "Earth Engine collection ids",
    "QA_BAND": "band names (cs, cs_cdf)",
}
COMBOS_NOT_TRANSLATED = {
    "collectionCombo": "Earth Engine collection ids",
    "methodCombo": "method ids (median, p25...), also the output's band names and the METHOD values",
    "qaBandCombo": "band names of the scenes",
    "bandsCombo": "band names",
    "cmbConfigSelect": "QgsAuthConfigSelect's own list, translated by QGIS",
    "": "QgsProjectionSelectionWidget's own list (CRS names), translated by QGIS",
}


TIPS_NOT_TRANSLATED = {
    "boundsCrsWidget": "QgsProjectionSelectionWidget's tip: the CRS's WKT",
}


def algorithm_texts(alg):
    """(where, text) of what an algorithm shows: name, group, help, parameter and output descriptions, options."""
    texts = [("displayName", alg.displayName()), ("group", alg.group()), ("help", alg.shortHelpString())]
    for parameter in alg.parameterDefinitions():
        texts.append((parameter.name(), parameter.description()))
        if parameter.type() == "enum" and parameter.name() not in ENUMS_NOT_TRANSLATED:
            texts += [(parameter.name(), option) for option in parameter.options()]
    texts += [(output.name(), output.description()) for output in alg.outputDefinitions()]
    return [(f"{alg.id()} {where}", text) for where, text in texts]


def dock_texts(dock):
    """(widget, text) of what a new dock shows: labels, buttons, group boxes, combo box items, tool tips and
    placeholders."""
    texts = []
    for widget in dock.findChildren(QWidget):
        name = widget.objectName()
        if name and name not in TIPS_NOT_TRANSLATED:  # unnamed: the inner widgets of QGIS's own, QGIS's tips
            texts.append((f"{name} tip", widget.toolTip()))
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append((name, widget.text()))
        if isinstance(widget, QGroupBox):
            texts.append((name, widget.title()))
        if isinstance(widget, QLineEdit):
            texts.append((f"{name} placeholder", widget.placeholderText()))
        if isinstance(widget, QComboBox) and name not in COMBOS_NOT_TRANSLATED:
            texts += [(name, widget.itemText(i)) for i in range(widget.count())]
    return texts


def test_every_extracted_string_is_looked_up_under_its_context(plugin, qgis_iface, extracted, locale_de):
    """Proof that extraction and lookup agree, for all strings: every message of the template translated to
    a marked copy of itself; then everything an algorithm and a new dock show carries the mark (a text built of
    several translated parts carries it at least once)."""
    import cloudscore_composite
    from cloudscore_composite.plugin.dock.dock_widget import CompositeDock
    from cloudscore_composite.plugin.translation import tr

    translate_ts(extracted, locale_de / "de.ts", lambda context, source: MARK + source)
    compile_qm(locale_de / "de.ts", locale_de / "cloudscore_composite_de.qm")
    marked = cloudscore_composite.classFactory(qgis_iface)
    try:
        assert marked.translator is not None
        assert tr("%n scene(s) found.", "", 3) == MARK + "3 scene(s) found."  # the translation, as it is
        # create(): a new instance runs initAlgorithm in the language of now (the registry's ran at load time)
        shown = [
            pair
            for alg in QgsApplication.processingRegistry().providerById("cloudscore").algorithms()
            for pair in algorithm_texts(alg.create())
        ]
        plugin.dock.set_folder("")  # the new dock restores the remembered folder: one an earlier test left may be gone
        dock = CompositeDock(qgis_iface, None)
        try:
            shown += dock_texts(dock)
            dock.set_folder(str(DEMO_DIR))  # a message built while the dock works: counted scenes, dates
            shown.append(("folderMessageLabel with the demo folder", dock.ui.folderMessageLabel.text()))
        finally:
            dock.unload()
            dock.deleteLater()
    finally:
        marked.unload()
    unmarked = [
        f"{where}: {text!r}"
        for where, text in shown
        if shown_words(text) and MARK not in text and text.strip() not in NOT_TRANSLATED
    ]
    assert "\n".join(unmarked) == ""
