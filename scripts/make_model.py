"""Write the shipped graphical model resources/models/search_fetch_composite.model3 with QGIS's model API.

The model chains cloudscore:searchscenes -> cloudscore:fetchscenes -> cloudscore:compositefolder: it lists the
scenes over an AOI in a date range, copies them clipped to the AOI into a scene folder, and composites that
folder. Run with QGIS's Python (the plugin is loaded from this checkout):

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/make_model.py [--output resources/models/...model3]
"""

import argparse
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGINS_DIR = ROOT / "build" / "plugins"
PLUGIN = "cloudscore_composite"
MODEL_PATH = ROOT / "resources" / "models" / "search_fetch_composite.model3"
QGIS_PLUGINS = Path("/usr/share/qgis/python/plugins")  # QGIS's own Processing framework (Debian)

log = logging.getLogger("make_model")

DESCRIPTION = (
    "Lists the Sentinel-2 scenes of a scene folder over an area of interest in [start, end) "
    "(cloudscore:searchscenes), copies them clipped to the area into a new scene folder (cloudscore:fetchscenes) "
    "and composites that folder (cloudscore:compositefolder): pixels whose clear score in the QA band is below "
    "the clear threshold are masked, the output holds the per-band median of the clear observations and a "
    "count band. The result is the composite cloudscore:compositefolder makes of the original folder over the "
    "same area."
)


def link_plugin() -> None:
    """Make the checkout importable as ``cloudscore_composite`` (as the tests and ``make link`` do)."""
    link = PLUGINS_DIR / PLUGIN
    if not link.exists():
        PLUGINS_DIR.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT, target_is_directory=True)
    sys.path[:0] = [str(PLUGINS_DIR), str(QGIS_PLUGINS)]


def build_model():
    """The model as a ``QgsProcessingModelAlgorithm`` (the cloudscore provider must be registered)."""
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterDateTime,
        QgsProcessingParameterExtent,
        QgsProcessingParameterFile,
        QgsProcessingParameterNumber,
        QgsProcessingParameterString,
    )
    from qgis.PyQt.QtCore import QPointF

    model = QgsProcessingModelAlgorithm("Search, fetch and composite", "CloudScore Composite", "cloudscore_composite")
    model.setHelpContent(
        {"ALG_DESC": DESCRIPTION, "ALG_CREATOR": "CloudScore Composite", "ALG_HELP_CREATOR": "scripts/make_model.py"}
    )
    inputs = [
        QgsProcessingParameterFile(
            "scenes", "Folder of Sentinel-2 scenes (GeoTIFF)", behavior=QgsProcessingParameterFile.Folder
        ),
        QgsProcessingParameterExtent("aoi", "Area of interest"),
        QgsProcessingParameterDateTime("start_date", "Start date (included)", type=QgsProcessingParameterDateTime.Date),
        QgsProcessingParameterDateTime("end_date", "End date (excluded)", type=QgsProcessingParameterDateTime.Date),
        QgsProcessingParameterString("qa_band", "QA band (clear score 0..1)", defaultValue="cs"),
        QgsProcessingParameterNumber(
            "threshold",
            "Clear threshold (clear where score >= threshold)",
            type=QgsProcessingParameterNumber.Double,
            defaultValue=0.6,
            minValue=0.0,
            maxValue=1.0,
        ),
    ]
    for row, definition in enumerate(inputs):
        component = QgsProcessingModelParameter(definition.name())
        component.setPosition(QPointF(120, 60 + 70 * row))
        model.addModelParameter(definition, component)

    def source(name):
        return [QgsProcessingModelChildParameterSource.fromModelParameter(name)]

    def child(child_id, algorithm, description, column, sources):
        step = QgsProcessingModelChildAlgorithm(algorithm)
        step.setChildId(child_id)
        step.setDescription(description)
        step.setPosition(QPointF(420 + 260 * column, 120 + 120 * column))
        for name, value in sources.items():
            step.addParameterSources(name, value)
        return step

    dates = dict(START_DATE=source("start_date"), END_DATE=source("end_date"))
    search = child(
        "search",
        "cloudscore:searchscenes",
        "Search scenes",
        0,
        dict(
            INPUT=source("scenes"),
            EXTENT=source("aoi"),
            QA_BAND=source("qa_band"),
            THRESHOLD=source("threshold"),
            FOOTPRINT_CRS=[QgsProcessingModelChildParameterSource.fromStaticValue(0)],
            **dates,
        ),
    )
    fetch = child(
        "fetch",
        "cloudscore:fetchscenes",
        "Fetch scenes clipped to the AOI",
        1,
        dict(
            INPUT=source("scenes"),
            SCENES=[QgsProcessingModelChildParameterSource.fromChildOutput("search", "OUTPUT")],
            ID_FIELD=[QgsProcessingModelChildParameterSource.fromStaticValue("id")],
            EXTENT=source("aoi"),
            **dates,
        ),
    )
    composite = child(
        "composite",
        "cloudscore:compositefolder",
        "Composite the fetched folder",
        2,
        dict(
            INPUT=[QgsProcessingModelChildParameterSource.fromChildOutput("fetch", "OUTPUT")],
            EXTENT=source("aoi"),
            QA_BAND=source("qa_band"),
            THRESHOLD=source("threshold"),
            **dates,
        ),
    )
    output = QgsProcessingModelOutput("Composite", "Composite")
    output.setChildId("composite")
    output.setChildOutputName("OUTPUT")
    output.setPosition(QPointF(1000, 480))
    composite.setModelOutputs({"Composite": output})
    for step in (search, fetch, composite):
        model.addChildAlgorithm(step)
    model.updateDestinationParameters()
    return model


def main() -> int:
    # Qt writes XML attributes in hash order; a fixed seed makes the file the same on every run.
    os.environ["QT_HASH_SEED"] = "0"
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    link_plugin()
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    import cloudscore_composite

    plugin = cloudscore_composite.classFactory(None)
    plugin.initProcessing()
    model = build_model()
    problems = [name for name, step in model.childAlgorithms().items() if step.algorithm() is None]
    if problems:
        log.error("Algorithms not found: %s", ", ".join(problems))
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if not model.toFile(str(args.output)):
        log.error("Could not write %s", args.output)
        return 1
    log.info("Wrote %s", args.output)
    plugin.unload()
    return 0


if __name__ == "__main__":
    sys.exit(main())
