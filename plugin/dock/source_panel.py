"""The dock's source panel: a folder of GeoTIFFs or Earth Engine (collection, Cloud project, settings), and the
QA bands the source offers. It owns those widgets of the dock's form; the dock asks it for the source."""

from pathlib import Path
from typing import Dict, List, Optional, Sequence

from qgis.PyQt.QtCore import QObject, QT_TR_NOOP, QTimer, pyqtSignal
from qgis.PyQt.QtWidgets import QWidget

from ..translation import tr, translated
from ..core.errors import InputError
from ..core.folder_source import FolderSource
from ..core.scene import Scene
from ..core.source import Source
from .widget_settings import setting
from .text import sentence, show_message

try:  # the Earth Engine source is optional: the dock offers it only when it is there
    from ..core.earthengine.search import COLLECTIONS, SCORE_BANDS
    from ..core.earthengine.source import EarthEngineSource
    from .earthengine_box import EarthEngineSettingsBox
    from ..earthengine_settings import earth_engine_source
except ImportError:  # pragma: no cover
    earth_engine_source, COLLECTIONS, SCORE_BANDS, EarthEngineSettingsBox = None, (), (), None
    EarthEngineSource = None

FOLDER, EARTH_ENGINE = "folder", "earthengine"
SOURCES = {
    FOLDER: QT_TR_NOOP("Folder of GeoTIFFs"),
    EARTH_ENGINE: QT_TR_NOOP("Earth Engine"),
}

PREFERRED_QA_BANDS = ("cs_cdf", "cs", "clear")
"""QA bands picked, in this order, when the source has several and the user has not chosen one before."""

FOLDER_REFRESH_DELAY_MS = 400
"""Wait this long after the last edit of the folder path before reading the folder (typing a path
passes through many folders that exist)."""


def folder_signature(folder: str) -> Optional[tuple]:
    """(path, modification time in ns, number of entries) of a folder; None when it cannot be read."""
    if not folder:
        return None
    path = Path(folder).expanduser()
    try:
        return str(path), path.stat().st_mtime_ns, sum(1 for _ in path.iterdir())
    except OSError:
        return None


class SourcePanel(QObject):
    """The source widgets of the dock's form (``sourceCombo``, ``sourceStack``, ``folderWidget``,
    ``folderMessageLabel``, ``collectionCombo``, ``projectLineEdit``, the Earth Engine settings group) and the
    QA band list (``qaBandCombo``) they fill.

    A folder is scanned (its scene headers read) when its path settles, and again only when it changed: its
    modification time or number of entries (``folder_signature``).

    ``scenes_changed`` is emitted when ``folder_scenes`` changed (a folder scanned, another folder, Earth Engine
    chosen): the AOI panel shows the size of the whole area and its hints again.
    """

    scenes_changed = pyqtSignal()

    def __init__(self, ui, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.ui = ui
        self._announced_scenes: object = ()  # folder_scenes() when scenes_changed was last emitted (never: ())
        self._scanned_folder: Optional[str] = None
        self._folder_signature: Optional[tuple] = None  # folder_signature() of the last scan
        self._folder_error: Optional[InputError] = None
        self._folder_source: Optional[FolderSource] = None
        self._capabilities: Dict[str, Source] = {}  # collection -> an Earth Engine source only asked what it can do
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(FOLDER_REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.earth_engine_settings = None
        if EarthEngineSettingsBox is not None:
            self.earth_engine_settings = EarthEngineSettingsBox(ui.earthEnginePage)
            ui.earthEnginePageLayout.addRow(self.earth_engine_settings)

    # ---- construction -------------------------------------------------------------------------------

    def fill_widgets(self) -> None:
        """Offer the sources (Earth Engine when installed) and its collections."""
        ui = self.ui
        for key, label in SOURCES.items():
            if key != EARTH_ENGINE or earth_engine_source is not None:
                ui.sourceCombo.addItem(translated(label), key)
        for collection in COLLECTIONS:
            ui.collectionCombo.addItem(collection, collection)
        ui.folderWidget.lineEdit().setPlaceholderText(tr("Folder of Sentinel-2 GeoTIFF scenes"))

    def remembered_widgets(self) -> Dict[str, QWidget]:
        """Settings key -> widget of every source field remembered between sessions."""
        ui = self.ui
        return {
            "source": ui.sourceCombo,
            "folder": ui.folderWidget,
            "ee_collection": ui.collectionCombo,
            "ee_project": ui.projectLineEdit,
        }

    def start(self) -> None:
        """After the settings are restored: connect and show the source chosen."""
        self.ui.sourceCombo.currentIndexChanged.connect(self._kind_changed)
        self.ui.folderWidget.fileChanged.connect(lambda _path: self._refresh_timer.start())
        self._kind_changed()

    # ---- the source ---------------------------------------------------------------------------------

    def kind(self) -> str:
        """``folder`` or ``earthengine``."""
        return self.ui.sourceCombo.currentData() or FOLDER

    def set_kind(self, kind: str) -> None:
        """Choose the source: ``folder`` or ``earthengine``."""
        self.ui.sourceCombo.setCurrentIndex(self.ui.sourceCombo.findData(kind))

    def _kind_changed(self) -> None:
        self.ui.sourceStack.setCurrentIndex(0 if self.kind() == FOLDER else 1)
        self.refresh()

    def folder(self) -> str:
        """The folder path as entered (stripped)."""
        return self.ui.folderWidget.filePath().strip()

    def set_folder(self, folder) -> None:
        """Choose the folder source with ``folder`` and read it now (the QA band list is refreshed at once)."""
        self.set_kind(FOLDER)
        self.ui.folderWidget.setFilePath(str(folder))
        self.refresh()

    def refresh_soon(self) -> None:
        """Read the folder shortly, when it has not been read yet (the dock is shown)."""
        if self.kind() == FOLDER and self.folder() != self._scanned_folder:
            self._refresh_timer.start()

    def refresh(self) -> None:
        """Read the source's QA bands (for a folder: scan it if it changed and say what it holds, or why
        nothing)."""
        self._refresh_timer.stop()
        if self.kind() == EARTH_ENGINE:
            self._fill_qa_bands(list(SCORE_BANDS))
            show_message(self.ui.folderMessageLabel, "", error=False)
            self._announce_scenes()
            return
        folder = self.folder()
        self._scan_folder(folder)
        if self._folder_error is not None:
            self._fill_qa_bands([])
            # No folder chosen yet is a prompt, not an error.
            show_message(self.ui.folderMessageLabel, sentence(self._folder_error.message), error=bool(folder))
            self._announce_scenes()
            return
        source = self._folder_source
        qa_bands = source.qa_bands()
        self._fill_qa_bands(qa_bands)
        first, last = source.scenes[0].time.date(), source.scenes[-1].time.date()
        text = tr("%n scene(s) acquired {0} .. {1}.", "", len(source.scenes)).format(first, last)
        if not qa_bands:
            text += tr(" None has a QA band (a clear-score band such as cs or cs_cdf).")
        if source.skipped_files:  # damaged or not scenes: named, with the reason (also in the log)
            skipped = "; ".join(f"{name} ({why})" for name, why in source.skipped_files)  # file names, core's why
            text += tr(" %n file(s) skipped: {0}.", "", len(source.skipped_files)).format(skipped)
        show_message(self.ui.folderMessageLabel, text, error=not qa_bands or bool(source.skipped_files))
        self._announce_scenes()

    def _announce_scenes(self) -> None:
        """Emit ``scenes_changed`` when ``folder_scenes`` is another list than last time (a scan makes a new one;
        an unchanged folder is not scanned again)."""
        scenes = self.folder_scenes()
        if scenes is not self._announced_scenes:
            self._announced_scenes = scenes
            self.scenes_changed.emit()

    def _scan_folder(self, folder: str) -> None:
        """Read the folder's scene headers, unless it is unchanged since the last scan (same modification time
        and number of entries): a Run or Find scenes does not open every header again on the main thread."""
        signature = folder_signature(folder)
        if signature is not None and signature == self._folder_signature and folder == self._scanned_folder:
            return
        self._scanned_folder, self._folder_signature = folder, signature
        self._folder_error, self._folder_source = None, None
        try:
            self._folder_source = FolderSource(folder)
        except InputError as error:
            self._folder_error = error
        except OSError as error:  # e.g. a folder without read permission
            self._folder_error = InputError(
                "INPUT", tr("cannot read the folder {0!r}: {1}").format(folder, error.strerror or error)
            )

    def _fill_qa_bands(self, qa_bands: List[str]) -> None:
        combo = self.ui.qaBandCombo
        wanted = combo.currentText() or setting("qa_band", "")
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(qa_bands)
        preferred = [wanted] + list(PREFERRED_QA_BANDS)
        combo.setCurrentIndex(next((qa_bands.index(b) for b in preferred if b in qa_bands), 0))
        combo.blockSignals(False)
        combo.setEnabled(bool(qa_bands))

    def folder_scenes(self) -> Optional[Sequence[Scene]]:
        """The scenes of the folder as last scanned; None for Earth Engine or a folder without scenes."""
        if self.kind() != FOLDER or self._folder_source is None:
            return None
        return self._folder_source.scenes

    def current_source(self) -> Source:
        """The source the widgets describe (a folder is scanned again when it changed, so new files count).

        Raises:
            InputError: ``INPUT`` for a folder that is missing or holds no scene.
        """
        if self.kind() == EARTH_ENGINE:
            return earth_engine_source(self.ui.collectionCombo.currentData(), self.ui.projectLineEdit.text())
        self.refresh()
        if self._folder_error is not None:
            raise self._folder_error
        return self._folder_source

    def capabilities(self) -> Source:
        """A source to ask what it can do (``engines``, ``needs_aoi``, ``default_crs``...) without scanning a
        folder, reading a secret or going over the network: the folder as last scanned (a plain ``Source``, whose
        answers are a local source's, while none is), or an Earth Engine source of the collection chosen that is
        never searched."""
        if self.kind() != EARTH_ENGINE:
            return self._folder_source or Source()
        collection = self.ui.collectionCombo.currentData() or COLLECTIONS[0]
        if collection not in self._capabilities:
            self._capabilities[collection] = EarthEngineSource(collection)
        return self._capabilities[collection]

    def reset(self) -> None:
        """Put the Earth Engine settings back to their defaults and read the source again."""
        if self.earth_engine_settings is not None:
            self.earth_engine_settings.reset()
        self.refresh()
