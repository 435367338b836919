"""``cloudscore:evaluatemask``: a clear score (at thresholds) or a binary mask against a reference class map."""

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBand,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QT_TR_NOOP

from ..core.errors import Cancelled, CloudScoreError, InputError
from ..core.evaluation import (
    ALCD_CLEAR,
    ALCD_NOT_CLEAR,
    Confusion,
    EvaluationRequest,
    ReferenceClasses,
    check_evaluation,
    evaluate,
    parse_classes,
    parse_thresholds,
)
from ..core.evaluation_report import check_report_path, write_report
from ..core.masking import check_threshold
from ..core.output_paths import check_not_input, same_file
from ..qgis_compat import FieldType
from ..qgis_logging import feedback_logging
from ..translation import tr, translated
from . import shared_parameters
from .algorithm_base import CloudScoreAlgorithm
from .table_output import PROVIDER_URI, write_table


def _classes(values) -> str:
    return ",".join(map(str, values))


def help_text() -> str:
    """The algorithm's help (``shortHelpString``): HTML, in the user's language."""
    return tr(
        """<p>Judges a cloud mask against a reference class map, such as the ALCD reference masks (Baetens et al.
2019), so a user can choose the clear threshold that suits their region. It counts the confusion matrix of the
<b>not clear</b> class (cloud and shadow are positive) and reports overall accuracy, precision, recall and F1.</p>
<h3>What is evaluated</h3>
<ul>
<li>Either a <b>clear score raster</b> with its <b>QA band</b> (name or number; a 0..1 score such as Cloud Score+
<code>cs</code>) masked at the <b>clear threshold</b> (clear where score &gt;= threshold, as
<code>cloudscore:maskscene</code> and <code>cloudscore:compositefolder</code> do) and at every value of
<b>thresholds</b> (optional, e.g. <code>0.3,0.4,0.5,0.6,0.7</code>);</li>
<li>or a <b>binary mask</b> raster: a pixel is "set" where any of the chosen <b>mask bands</b> is nonzero; choose
whether set means clear (<code>cloudscore:maskscene</code>'s clear mask: 1 clear, 0 not clear) or not clear (a
cloud mask such as Sentinel-2's <code>MSK_CLASSI</code>: opaque clouds, cirrus). Pixels on the mask's nodata value
are not counted.</li>
</ul>
<h3>Reference</h3>
<p>A class map (one band of whole-number classes). Defaults are ALCD's: classes
<code>{0}</code> (2 low clouds, 3 high clouds, 4 cloud shadows) are not clear,
<code>{1}</code> (5 land, 6 water, 7 snow) are clear; every other value (ALCD's 0 no data, 1 not
used) is ignored. Change both lists for another reference.</p>
<p>The score or mask is read onto the <b>reference's grid</b> with nearest neighbour: every labelled reference pixel
counts once (also for sparse labelled points), classes are never resampled and thresholds apply to real scores.
Counts are therefore reference pixels. Reference pixels without a score (outside the raster, nodata) are not
counted and are reported.</p>
<h3>Outputs</h3>
<ul>
<li><b>Scores per threshold</b>: a table without geometry, one row per threshold (or one for a mask): threshold,
TP, FP, FN, TN, accuracy, precision, recall, F1 (empty where undefined).</li>
<li><b>HTML report</b>: the table (the row of the best F1 highlighted), a plot of F1 (with precision and recall)
against the threshold, and the confusion matrix and per-class breakdown at the <b>clear threshold</b> (or of the
mask), the same numbers as the outputs below.</li>
<li>Numbers for the clear threshold (or the mask): TP, FP, FN, TN, ACCURACY, PRECISION, RECALL, F1; and
BEST_THRESHOLD, the threshold with the highest F1.</li>
</ul>
<p>Definitions: accuracy (TP+TN)/all, precision TP/(TP+FP), recall TP/(TP+FN), F1 2TP/(2TP+FP+FN).</p>"""
    ).format(_classes(ALCD_NOT_CLEAR), _classes(ALCD_CLEAR))


MASK_MEANINGS = (
    QT_TR_NOOP("nonzero = clear (maskscene's clear mask)"),
    QT_TR_NOOP("nonzero = not clear (a cloud mask, e.g. MSK_CLASSI)"),
)
_COUNT_FIELDS = ("tp", "fp", "fn", "tn")
_SCORE_FIELDS = ("accuracy", "precision", "recall", "f1")


def _values(confusion: Confusion) -> list:
    """TP, FP, FN, TN, accuracy, precision, recall, F1 of one confusion (None where a score is undefined)."""
    return [getattr(confusion, name) for name in _COUNT_FIELDS + _SCORE_FIELDS]


class EvaluateMaskAlgorithm(CloudScoreAlgorithm):
    """Confusion matrix and scores of a clear score or mask against a reference class map (see ``help_text``)."""

    NAME = "evaluatemask"
    GROUP_ID = "masks"

    SCORE = "SCORE"
    QA_BAND = shared_parameters.QA_BAND
    THRESHOLD = shared_parameters.THRESHOLD
    THRESHOLDS = "THRESHOLDS"
    MASK = "MASK"
    MASK_BANDS = "MASK_BANDS"
    MASK_MEANING = "MASK_MEANING"
    REFERENCE = "REFERENCE"
    REFERENCE_BAND = "REFERENCE_BAND"
    NOT_CLEAR_CLASSES = "NOT_CLEAR_CLASSES"
    CLEAR_CLASSES = "CLEAR_CLASSES"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"
    BEST_THRESHOLD = "BEST_THRESHOLD"

    def displayName(self):  # noqa: N802
        return tr("Evaluate a cloud mask against a reference")

    def group(self):
        return tr("Masks")

    def shortHelpString(self):  # noqa: N802
        return help_text()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterRasterLayer(
                self.SCORE, tr("Clear score raster (or give a binary mask)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.QA_BAND, tr("QA band of the score raster: name or number"), defaultValue="cs", optional=True
            )
        )
        shared_parameters.add_threshold_parameter(self)
        self.addParameter(
            QgsProcessingParameterString(
                self.THRESHOLDS, tr("More thresholds to compare (e.g. 0.3,0.4,0.5,0.6,0.7)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterRasterLayer(self.MASK, tr("Binary mask raster (instead of a score)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterBand(
                self.MASK_BANDS,
                tr("Mask bands (set where any is nonzero)"),
                defaultValue=[1],
                parentLayerParameterName=self.MASK,
                optional=True,
                allowMultiple=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.MASK_MEANING,
                tr("A set mask pixel means"),
                options=[translated(m) for m in MASK_MEANINGS],
                defaultValue=0,
            )
        )
        self.addParameter(QgsProcessingParameterRasterLayer(self.REFERENCE, tr("Reference class map")))
        self.addParameter(
            QgsProcessingParameterBand(
                self.REFERENCE_BAND,
                tr("Reference band (default 1)"),
                defaultValue=1,
                parentLayerParameterName=self.REFERENCE,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.NOT_CLEAR_CLASSES,
                tr("Reference classes that are not clear"),
                defaultValue=_classes(ALCD_NOT_CLEAR),
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.CLEAR_CLASSES, tr("Reference classes that are clear"), defaultValue=_classes(ALCD_CLEAR)
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Scores per threshold"), type=QgsProcessing.SourceType.TypeVector
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.REPORT, tr("HTML report"), fileFilter="HTML files (*.html)", optional=True, createByDefault=True
            )
        )
        for name in _COUNT_FIELDS + _SCORE_FIELDS:
            self.addOutput(
                QgsProcessingOutputNumber(name.upper(), tr("{0} at the clear threshold (or of the mask)").format(name))
            )
        self.addOutput(QgsProcessingOutputNumber(self.BEST_THRESHOLD, tr("Threshold with the highest F1")))

    def _request(self, parameters, context) -> EvaluationRequest:
        """Translate the parameters to an ``EvaluationRequest`` (raises ``InputError`` naming the parameter)."""
        threshold = check_threshold(self.parameterAsDouble(parameters, self.THRESHOLD, context))
        more = parse_thresholds(self.parameterAsString(parameters, self.THRESHOLDS, context), self.THRESHOLDS)
        classes = ReferenceClasses(
            not_clear=parse_classes(
                self.parameterAsString(parameters, self.NOT_CLEAR_CLASSES, context), self.NOT_CLEAR_CLASSES
            ),
            clear=parse_classes(self.parameterAsString(parameters, self.CLEAR_CLASSES, context), self.CLEAR_CLASSES),
        )
        mask_bands = self.parameterAsInts(parameters, self.MASK_BANDS, context) or [1]
        return EvaluationRequest(
            reference=shared_parameters.raster_path(self, parameters, self.REFERENCE, context),
            score=shared_parameters.raster_path(self, parameters, self.SCORE, context, required=False),
            qa_band=self.parameterAsString(parameters, self.QA_BAND, context),
            thresholds=sorted({threshold, *more}),
            mask=shared_parameters.raster_path(self, parameters, self.MASK, context, required=False),
            mask_bands=mask_bands,
            mask_marks_clear=self.parameterAsEnum(parameters, self.MASK_MEANING, context) == 0,
            reference_band=self.parameterAsInt(parameters, self.REFERENCE_BAND, context) or 1,
            classes=classes,
        )

    def _report_path(self, parameters, context):
        """The ``REPORT`` file, checked (an .html file in a writable folder), or None when no report is wanted."""
        report = self.parameterAsFileOutput(parameters, self.REPORT, context)
        return check_report_path(report, self.REPORT) if report else None

    def _check_outputs(self, parameters, context, request: EvaluationRequest):
        """The ``REPORT`` file (or None), checked, and neither it nor the ``OUTPUT`` table file is an input raster.

        Raises:
            InputError: ``REPORT`` or ``OUTPUT``.
        """
        inputs = [path for path in (request.score, request.mask, request.reference) if path]
        report = self._report_path(parameters, context)
        if report:
            check_not_input(report, inputs, self.REPORT, "one of the input rasters")
        table = self.parameterAsOutputLayer(parameters, self.OUTPUT, context) or ""
        if table and not PROVIDER_URI.match(table):
            check_not_input(table, inputs, self.OUTPUT, "one of the input rasters")
            if report and same_file(table, report):
                raise InputError(self.REPORT, tr("the report must be another file than the table (OUTPUT)"))
        return report

    def check(self, parameters, context) -> None:
        """Reject bad input before the run, with a message naming the parameter and the accepted values."""
        request = self._request(parameters, context)
        check_evaluation(request)
        self._check_outputs(parameters, context, request)

    @staticmethod
    def _fields() -> QgsFields:
        fields = QgsFields()
        fields.append(QgsField("threshold", FieldType.Double))
        for name in _COUNT_FIELDS:
            fields.append(QgsField(name, FieldType.LongLong))
        for name in _SCORE_FIELDS:
            fields.append(QgsField(name, FieldType.Double))
        return fields

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        try:
            request = self._request(parameters, context)
            report = self._check_outputs(parameters, context, request)  # checked before the evaluation
            main_threshold = self.parameterAsDouble(parameters, self.THRESHOLD, context) if request.uses_score else None
            with feedback_logging(feedback):
                result = evaluate(request, progress=feedback.setProgress, is_canceled=feedback.isCanceled)
        except Cancelled as error:
            raise QgsProcessingException(tr("Cancelled: no table or report was written")) from error
        except CloudScoreError as error:  # bad input, or a raster that cannot be read (its name, GDAL's reason)
            raise QgsProcessingException(str(error)) from error
        # The outputs are made only once the evaluation succeeded (a cancel leaves neither), the table first (a
        # file table under a temporary name, read back, renamed into place: table_output): when it cannot be
        # written the run stops before the report is written. (A report that fails after the table was written
        # leaves the table: its rows are still right.)
        sink_id = write_table(
            self,
            parameters,
            self.OUTPUT,
            context,
            self._fields(),
            QgsWkbTypes.Type.NoGeometry,
            QgsCoordinateReferenceSystem(),
            [[confusion.threshold] + _values(confusion) for confusion in result.confusions],
        )
        if report:
            try:
                write_report(result, report, main_threshold=main_threshold)
            except CloudScoreError as error:
                raise QgsProcessingException(
                    tr("{0}: the report could not be written: {1}").format(self.REPORT, error)
                ) from error
        main = result.at(main_threshold)
        feedback.pushInfo(
            tr(
                "{0}: F1 {1}, precision {2}, recall {3}, accuracy {4} on {5} reference pixels "
                "({6} without a score, not counted)"
            ).format(
                result.prediction,
                main.f1,
                main.precision,
                main.recall,
                main.accuracy,
                main.total,
                result.unscored_pixels,
            )
        )
        outputs = {
            self.OUTPUT: sink_id,
            self.REPORT: str(report) if report else None,
            self.BEST_THRESHOLD: result.best.threshold,
        }
        outputs.update(zip((n.upper() for n in _COUNT_FIELDS + _SCORE_FIELDS), _values(main)))
        return outputs
