"""The dock's composite panel: where and how to composite (engine, method, percentiles, bands, format), where to
write it, and how the result is shown (band combination, a layer per percentile). It owns those widgets of the
dock's form."""

import uuid
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from qgis.core import QgsProcessingUtils, QgsProject
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, QT_TR_NOOP
from qgis.PyQt.QtWidgets import QLabel, QLineEdit, QMessageBox, QWidget

from ..translation import tr, translated
from ..core.compositing import DEFAULT_PERCENTILES, METHODS, parse_percentiles
from ..core.orbits import ORBIT_LABELS, ORBIT_MODES
from ..core.engines import ENGINE_LABELS, ENGINES, EXPORT
from ..core.errors import InputError
from ..core.pipeline import CompositeRequest, CompositeResult
from ..core.raster_output import DEFAULT_COMPRESSION, FORMATS, available_compressions
from ..core.result_names import next_free_path
from ..core.scene import S2_BANDS
from ..layers import BAND_COMBINATIONS, CompositeLayers, load_composite_layers
from .aoi import ALL_SCENES, AOI_KINDS, LAYER, Aoi


OFFERED_ENGINES = ENGINES
"""The engines the dock offers, in the order of the Processing ``ENGINE``."""
BUCKET_TOOLTIP = QT_TR_NOOP(
    "Cloud Storage bucket the export writes its files to (under cloudscore_composite/); the account of your Earth "
    "Engine credentials needs write and read access to it. The files stay in the bucket (storage is billed): delete "
    "them or give the bucket a lifecycle rule. Shown for Export to Cloud Storage.",
)
FORMAT_LABELS = {"GTiff": QT_TR_NOOP("GeoTIFF"), "COG": QT_TR_NOOP("COG")}
"""The format combo's label of each of the core's ``FORMATS``; the item's data is the format (what the request
takes and the settings remember), followed by `` ZSTD`` for its ZSTD-compressed entry."""
ZSTD_FORMAT_LABEL = QT_TR_NOOP("{0} (ZSTD)")
FORMAT_TOOLTIP = QT_TR_NOOP(
    "GeoTIFF: tiled, compressed GeoTIFF. COG: Cloud Optimized GeoTIFF (with overviews), for serving or sharing. "
    "Both are DEFLATE-compressed, which every GeoTIFF reader reads; the (ZSTD) entries, offered where GDAL has "
    "ZSTD, are faster to write and read but not readable by every tool."
)
OVERWRITE, NEW_NAME, KEEP = "overwrite", "new name", "keep"
"""Answers to "the output file exists" (``CompositePanel.ask_overwrite``): overwrite it, write to the name
proposed instead, or cancel the run (the file is kept)."""


def describe_aoi(aoi: Optional[Aoi]) -> str:
    """The AOI in words for a result's abstract: its kind, bounds and CRS (``Polygon layer 'Fields': bounding box
    465300, 5079400, 465900, 5080100 in EPSG:32633; pixels outside its polygons are nodata``); None is the whole
    area of the scenes."""
    if aoi is None:
        return translated(AOI_KINDS[ALL_SCENES])
    bounds = ", ".join(f"{value:.10g}" for value in aoi.bounds())
    crs = aoi.crs.authid() or aoi.crs.userFriendlyIdentifier()
    if aoi.kind == LAYER:
        text = tr("{0} {1!r}: bounding box {2} in {3}").format(translated(AOI_KINDS[LAYER]), aoi.label, bounds, crs)
        return text + ("; " + tr("pixels outside its polygons are nodata") if aoi.clip else "")
    return tr("{0}: {1} in {2}").format(translated(AOI_KINDS.get(aoi.kind, aoi.kind)), bounds, crs)


class CompositePanel(QObject):
    """The composite, output and display widgets of the dock's form (``engineCombo``, ``methodCombo`` ...
    ``combinationCombo``) and the layers of the last result.

    The engine combo lists every engine the dock offers, so the choice made for Earth Engine is kept (and
    remembered) while a folder is chosen; it is shown only for a source that can compute in more than one place.
    The export's bucket (``bucketLineEdit``, made here below the engine) is shown when the export is chosen.

    Args:
        ui: the dock's form.
        warn: called with a message for the user when the composite lacks a band of the combination chosen.
    """

    def __init__(self, ui, warn: Callable[[str], None], parent: Optional[QObject] = None):
        super().__init__(parent)
        self.ui = ui
        self.warn = warn
        self._result_layers: Optional[CompositeLayers] = None
        self._engines_shown = False

    # ---- construction -------------------------------------------------------------------------------

    def fill_widgets(self) -> None:
        """Offer the methods, bands, formats and band combinations; the default percentiles."""
        ui = self.ui
        for engine in OFFERED_ENGINES:
            ui.engineCombo.addItem(translated(ENGINE_LABELS[engine]), engine)
        ui.bucketLabel = QLabel(tr("Bucket"))
        ui.bucketLineEdit = QLineEdit()
        ui.bucketLineEdit.setObjectName("bucketLineEdit")
        ui.bucketLineEdit.setPlaceholderText(tr("Cloud Storage bucket, e.g. my-exports"))
        ui.bucketLineEdit.setToolTip(translated(BUCKET_TOOLTIP))
        ui.bucketLabel.setBuddy(ui.bucketLineEdit)
        ui.compositeLayout.insertRow(1, ui.bucketLabel, ui.bucketLineEdit)
        self._show_bucket()
        for method in METHODS:
            ui.methodCombo.addItem(method, method)
        for mode in ORBIT_MODES:
            ui.orbitsCombo.addItem(translated(ORBIT_LABELS[mode]), mode)
        ui.percentilesLineEdit.setText(", ".join(f"{p:g}" for p in DEFAULT_PERCENTILES))
        ui.bandsCombo.addItems(list(S2_BANDS))
        ui.bandsCombo.setDefaultText(tr("all bands"))
        labels = {fmt: translated(FORMAT_LABELS.get(fmt, fmt)) for fmt in FORMATS}
        for output_format in FORMATS:
            ui.formatCombo.addItem(labels[output_format], output_format)
        if "ZSTD" in available_compressions():  # the faster compression, where GDAL has it; DEFLATE stays first
            for output_format in FORMATS:
                label = translated(ZSTD_FORMAT_LABEL).format(labels[output_format])
                ui.formatCombo.addItem(label, f"{output_format} ZSTD")
        ui.formatCombo.setToolTip(translated(FORMAT_TOOLTIP))
        for label in BAND_COMBINATIONS:
            ui.combinationCombo.addItem(translated(label), label)  # the English name is the setting
        ui.outputFolderWidget.lineEdit().setPlaceholderText(tr("[QGIS's temporary folder]"))

    def remembered_widgets(self) -> Dict[str, QWidget]:
        """Settings key -> widget of every composite, output and display field."""
        ui = self.ui
        return {
            "engine": ui.engineCombo,
            "bucket": ui.bucketLineEdit,
            "method": ui.methodCombo,
            "percentiles": ui.percentilesLineEdit,
            "bands": ui.bandsCombo,
            "format": ui.formatCombo,
            "scale_to_byte": ui.scaleToByteCheckBox,
            "statistic_layers": ui.statisticLayersCheckBox,
            "output_folder": ui.outputFolderWidget,
            "output_name": ui.outputNameLineEdit,
            "band_combination": ui.combinationCombo,
            "orbits": ui.orbitsCombo,
        }

    def start(self) -> None:
        """After the settings are restored: connect; enable the percentile fields for the method chosen."""
        self.ui.methodCombo.currentIndexChanged.connect(self._method_changed)
        self.ui.engineCombo.currentIndexChanged.connect(self._show_bucket)
        self.ui.combinationCombo.currentIndexChanged.connect(self._combination_changed)
        self._method_changed()

    # ---- the request --------------------------------------------------------------------------------

    def _method_changed(self) -> None:
        percentiles = self.ui.methodCombo.currentData() == "percentiles"
        self.ui.percentilesLineEdit.setEnabled(percentiles)
        self.ui.statisticLayersCheckBox.setEnabled(percentiles)

    def show_engines(self, offered: Sequence[str]) -> None:
        """Show the engine choice only when the source offers several engines (``Source.engines``): a folder is
        always composited on this computer."""
        shown = len([e for e in offered if e in OFFERED_ENGINES]) > 1
        self.ui.engineLabel.setVisible(shown)
        self.ui.engineCombo.setVisible(shown)
        self.ui.engineCombo.setEnabled(shown)
        self._engines_shown = shown
        self._show_bucket()

    def _show_bucket(self) -> None:
        """The bucket field only for the export, and only while the engine choice is shown."""
        shown = self._engines_shown and self.ui.engineCombo.currentData() == EXPORT
        self.ui.bucketLabel.setVisible(shown)
        self.ui.bucketLineEdit.setVisible(shown)

    def bucket(self) -> Optional[str]:
        """``CompositeRequest.bucket``: the bucket entered (stripped), None when empty."""
        return self.ui.bucketLineEdit.text().strip() or None

    def engine(self, offered: Sequence[str]) -> Optional[str]:
        """``CompositeRequest.engine``: the engine chosen when the source offers it, else None (the source's
        preferred engine)."""
        chosen = self.ui.engineCombo.currentData()
        return chosen if chosen in offered else None

    def statistics_per_band(self) -> int:
        """Statistics per band of the output (for the download estimate): the number of percentiles for the
        percentiles method (the default ones while the field is not valid), else 1."""
        if self.ui.methodCombo.currentData() != "percentiles":
            return 1
        try:
            return len(parse_percentiles(self.ui.percentilesLineEdit.text()))
        except InputError:  # Run will say what is wrong; the estimate shows the default's size
            return len(DEFAULT_PERCENTILES)

    def bands(self) -> Optional[List[str]]:
        """The bands ticked, in Sentinel-2 order; None for all of them."""
        checked = self.ui.bandsCombo.checkedItems()
        return [b for b in S2_BANDS if b in checked] or None

    def options(self) -> Dict[str, Any]:
        """``CompositeRequest`` keyword arguments: ``bands``, ``method``, ``percentiles``, ``output_format``,
        ``compression`` (the format combo's ``COG ZSTD`` is COG with ZSTD), ``scale_to_byte``, ``orbits`` (the seam
        weights are the defaults, ``orbits.SWATH_EDGE`` with p = 2).

        Raises:
            InputError: ``PERCENTILES`` for the percentiles method with bad percentiles (``parse_percentiles``).
        """
        method = self.ui.methodCombo.currentData()
        percentiles = (
            parse_percentiles(self.ui.percentilesLineEdit.text()) if method == "percentiles" else DEFAULT_PERCENTILES
        )
        return dict(
            bands=self.bands(),
            method=method,
            percentiles=percentiles,
            output_format=self.ui.formatCombo.currentData().split()[0],
            compression=(self.ui.formatCombo.currentData().split()[1:] or [DEFAULT_COMPRESSION])[0],
            scale_to_byte=self.ui.scaleToByteCheckBox.isChecked(),
            orbits=self.ui.orbitsCombo.currentData(),
        )

    def output_path(self, start: date, end: date) -> Path:
        """The output file: folder + name entered (``.tif`` added), or a new file in QGIS's temporary folder.

        Raises:
            InputError: ``OUTPUT`` when the folder does not exist.
        """
        folder_text = self.ui.outputFolderWidget.filePath().strip()
        folder = Path(folder_text).expanduser() if folder_text else Path(QgsProcessingUtils.tempFolder())
        if not folder.is_dir():
            raise InputError("OUTPUT", tr("output folder {0!r} does not exist").format(str(folder)))
        name = self.ui.outputNameLineEdit.text().strip()
        if not name:
            name = f"composite_{start:%Y%m%d}_{end:%Y%m%d}_{uuid.uuid4().hex[:8]}.tif"
        path = folder / name
        return path if path.suffix else path.with_suffix(".tif")

    def confirm_output(self, request: CompositeRequest) -> bool:
        """Before a run: when the file the run writes (``request.output``; the statistics and the count are bands
        of it, nothing else is written beside it) exists, ask whether to overwrite it, to write to the next free
        name instead (``composite_2.tif``: set in ``request.output`` and the name field) or to cancel.

        Returns:
            True to go on with the run, False when the user cancelled (the file is kept).
        """
        path = Path(request.output)
        if not path.exists():
            return True
        proposed = next_free_path(path)
        answer = self.ask_overwrite(path, proposed)
        if answer == NEW_NAME:
            request.output = proposed
            self.ui.outputNameLineEdit.setText(proposed.name)
        return answer in (OVERWRITE, NEW_NAME)

    def ask_overwrite(self, path: Path, proposed: Path) -> str:
        """Ask the user what to do with the existing output ``path``: ``OVERWRITE``, ``NEW_NAME`` (``proposed``,
        the default button) or ``KEEP`` (Escape, closing the box). Tests replace this method."""
        parent = self.parent() if isinstance(self.parent(), QWidget) else None
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(tr("Output file exists"))
        box.setText(tr("{0} already exists in {1}.").format(path.name, path.parent))
        box.setInformativeText(
            tr("Overwrite it (layers of the earlier result are replaced), or write this composite to {0}?").format(
                proposed.name
            )
        )
        overwrite = box.addButton(tr("Overwrite"), QMessageBox.ButtonRole.DestructiveRole)
        new_name = box.addButton(tr("Write to {0}").format(proposed.name), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(new_name)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        return OVERWRITE if clicked is overwrite else NEW_NAME if clicked is new_name else KEEP

    # ---- the result ---------------------------------------------------------------------------------

    def combination(self) -> Tuple[str, str, str]:
        """The band combination chosen (red, green, blue band names)."""
        return BAND_COMBINATIONS.get(self.ui.combinationCombo.currentData(), next(iter(BAND_COMBINATIONS.values())))

    def load_result(
        self,
        result: CompositeResult,
        group_name: str,
        title: Optional[str] = None,
        aoi: Optional[str] = None,
        excluded: Sequence[str] = (),
    ) -> CompositeLayers:
        """Add the result to the project as layer group ``group_name`` in the combination chosen (and a layer
        per percentile when asked), in place of an earlier result of the same file; warn when a band of the
        combination is missing. ``title`` (the layers' tooltip title), ``aoi`` (``describe_aoi``) and the
        ``excluded`` scenes go in the layers' abstract (see ``layers.load_composite_layers``).

        Raises:
            whatever ``load_composite_layers`` raises (e.g. ValueError: the file does not open).
        """
        self._result_layers = load_composite_layers(
            result.output,
            group_name,
            len(result.plan.scenes),
            combination=self.combination(),
            statistic_layers=self.ui.statisticLayersCheckBox.isEnabled()
            and self.ui.statisticLayersCheckBox.isChecked(),
            title=title,
            aoi=aoi,
            excluded=excluded,
        )
        self._warn_combination(self._result_layers.shown_combination)
        return self._result_layers

    def result_layers(self) -> Optional[CompositeLayers]:
        """The layers of the last result still in the project, or None."""
        layers = self._result_layers
        if layers is None or sip.isdeleted(layers.rgb) or QgsProject.instance().mapLayer(layers.rgb.id()) is None:
            return None
        return layers

    def _combination_changed(self) -> None:
        layers = self.result_layers()
        if layers is None:
            return
        self._warn_combination(layers.restyle(self.combination()))

    def _warn_combination(self, shown: Tuple[str, ...]) -> None:
        """Tell the user when the composite lacks a band of the chosen combination (another one is shown)."""
        wanted = self.combination()
        if tuple(shown) != tuple(wanted):
            missing = ", ".join(b for b in wanted if b not in shown)
            self.warn(
                tr("The composite has no band {0} of {1}: showing {2} instead.").format(
                    missing, self.ui.combinationCombo.currentText(), "/".join(shown)
                )
            )
