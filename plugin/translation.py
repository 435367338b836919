"""The QGIS side's user-visible text in the user's language: ``tr()`` and the plugin's ``QTranslator``.

Every string a user reads goes through ``tr("...")`` with a literal argument (a template for ``.format()`` where
values go in, never an f-string; ``tr("%n scene(s)", "", count)`` where a noun is counted). ``pylupdate5``
(``make translations``) extracts a bare ``tr("...")`` call under the context ``@default`` wherever it stands
(``self.tr`` would be extracted under the class it is written in but looked up under the object's class), so
``tr`` looks the text up under that same context at run time; ``tests/qgis/test_translations.py`` proves it for
every string. Translations live in ``i18n/cloudscore_composite_<locale>.qm`` (built by ``lrelease`` from a
``.ts`` file). Core's messages stay English; the QGIS side wraps them where it shows them.
"""

from pathlib import Path
from typing import List, Optional

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

from .paths import PLUGIN_ROOT

CONTEXT = "@default"
"""The context ``pylupdate5`` gives a bare ``tr("...")`` call: the one ``tr`` looks up under."""

I18N_DIR = PLUGIN_ROOT / "i18n"
QM_PREFIX = "cloudscore_composite_"


def tr(text: str, disambiguation: Optional[str] = None, n: int = -1) -> str:
    """``text`` (English, a literal) in the language of the installed translator, or as it is without one.

    With a count, ``tr("%n scene(s) found", "", count)``, the translation has a form per plural class of its
    language (Qt's numerus forms) and ``%n`` becomes the count; untranslated, English's ``(s)`` is resolved:
    ``1 scene found``, ``3 scenes found``.
    """
    text_in_language = QCoreApplication.translate(CONTEXT, text, disambiguation, n)
    if n >= 0 and text_in_language == text.replace("%n", str(n)):  # no translation: English's two forms
        return text_in_language.replace("(s)", "" if n == 1 else "s")
    return text_in_language


def translated(text: str) -> str:
    """``tr`` for a text defined before the translator exists (a module constant), which is marked there as
    ``QT_TR_NOOP("...")`` for ``pylupdate5`` and looked up here, when it is shown."""
    return QCoreApplication.translate(CONTEXT, text)


def user_locale() -> str:
    """The user's QGIS locale, e.g. ``de`` or ``pt_BR``: QGIS's ``locale/userLocale`` setting (what the
    language chosen in QGIS's options is stored as), else the system's locale."""
    value = QgsSettings().value("locale/userLocale", "") or ""
    return str(value) or QLocale.system().name()


def translation_files(locale: str, folder: Optional[Path] = None) -> List[Path]:
    """The ``.qm`` files to try for ``locale`` in ``folder`` (default ``I18N_DIR``), most specific first:
    ``..._pt_BR.qm``, then ``..._pt.qm``."""
    folder = I18N_DIR if folder is None else folder
    names = [locale, locale.split("_")[0]] if "_" in locale else [locale]
    return [folder / f"{QM_PREFIX}{name}.qm" for name in names if name]


def install_translator(locale: Optional[str] = None, folder: Optional[Path] = None) -> Optional[QTranslator]:
    """Load the first existing ``.qm`` of ``translation_files(locale)`` and install it in the application.

    Args:
        locale: e.g. ``de_DE``; default ``user_locale()``.
        folder: where the ``.qm`` files are (default the plugin's ``i18n/``).

    Returns:
        The installed translator (keep it, and give it to ``remove_translator`` on unload), or None when no
        file exists for the locale or none loads: the text then stays English.
    """
    for path in translation_files(locale if locale is not None else user_locale(), folder):
        if path.is_file():
            translator = QTranslator()
            if translator.load(str(path)):
                QCoreApplication.installTranslator(translator)
                return translator
    return None


def remove_translator(translator: Optional[QTranslator]) -> None:
    """Uninstall a translator ``install_translator`` returned (None: nothing to do)."""
    if translator is not None:
        QCoreApplication.removeTranslator(translator)
