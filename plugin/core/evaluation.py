"""Judge a clear mask against a reference class map: confusion matrix and scores of the "not clear" class.

The prediction is either a clear score raster with a QA band, masked at one or more clear thresholds
(``masking.clear_mask``: clear where ``score >= threshold``), or a binary mask raster. The truth is a class map
such as the ALCD reference masks (Baetens, Desjardins and Hagolle 2019, "Validation of Copernicus Sentinel-2
cloud masks obtained from MAJA, Sen2Cor, and FMask processors using reference cloud masks generated with a
supervised active learning procedure", Remote Sensing 11(4), 433), whose classes are 0 no data, 1 not used,
2 low clouds, 3 high clouds, 4 cloud shadows, 5 land, 6 water, 7 snow.

Grid: the score (or mask) is read onto the reference's grid with nearest neighbour, not the other way round.
The reference is the truth being counted: on its own grid every labelled reference pixel counts exactly once,
whether the reference is a dense class map or sparse labelled points, and its classes are never resampled
(moving a coarse reference onto a fine score grid would count each label many times; moving a fine or sparse
reference onto a coarse grid would drop labels). Nearest neighbour keeps the score values as they are, so the
threshold applies to real scores, never to blends of neighbours. Counts are therefore in reference pixels.
"""

import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt
from rasterio.io import DatasetReader
from rasterio.warp import transform_bounds
from rasterio.windows import Window
from rasterio.windows import intersect as windows_intersect  # windows sharing only an edge do not

from .errors import Cancelled, InputError
from .gdal_errors import reading
from .grid import Grid, check_block_size, intersection
from .masking import check_threshold, clear_mask
from .score_raster import BandRef, ScoreRange, band_index, band_label, grid_of, open_raster, read_bands

log = logging.getLogger(__name__)

ALCD_NOT_CLEAR = (2, 3, 4)
"""ALCD reference classes that are not clear: 2 low clouds, 3 high clouds, 4 cloud shadows (Baetens et al. 2019)."""
ALCD_CLEAR = (5, 6, 7)
"""ALCD reference classes that are clear: 5 land, 6 water, 7 snow. 0 (no data), 1 (not used) are ignored."""

DEFAULT_BLOCK_SIZE = 512
"""Side of the square blocks of the reference read at a time, in pixels."""


def _split(text: str) -> List[str]:
    return [item for item in re.split(r"[\s,;]+", str(text or "").strip()) if item]


def parse_thresholds(text: str, field: str = "THRESHOLDS") -> List[float]:
    """Clear thresholds from text such as ``0.4, 0.5 0.6`` (commas, semicolons or spaces), sorted, no repeats.

    Returns:
        the thresholds, 0..1 each; an empty list for empty text.

    Raises:
        InputError: ``field`` when an item is not a number in 0..1.
    """
    values = []
    for item in _split(text):
        try:
            value = float(item)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise InputError(
                field,
                f"{item!r} is not a clear threshold in the accepted range 0..1; give numbers "
                "0..1 separated by commas, e.g. 0.4,0.5,0.6",
            )
        values.append(value)
    return sorted(set(values))


def parse_classes(text: str, field: str) -> Tuple[int, ...]:
    """Reference class values from text such as ``2,3,4``.

    Raises:
        InputError: ``field`` when the text is empty or an item is not a whole number.
    """
    items = _split(text)
    if not items:
        raise InputError(field, "give at least one class value (whole numbers separated by commas, e.g. 2,3,4)")
    bad = [item for item in items if not re.fullmatch(r"[+-]?\d+", item)]
    if bad:
        raise InputError(field, f"class value(s) {', '.join(bad)} are not whole numbers; e.g. 2,3,4")
    return tuple(sorted({int(item) for item in items}))


@dataclass(frozen=True)
class ReferenceClasses:
    """Which reference class values count as not clear and which as clear; every other value is ignored.

    Defaults are ALCD's (``ALCD_NOT_CLEAR``, ``ALCD_CLEAR``).
    """

    not_clear: Tuple[int, ...] = ALCD_NOT_CLEAR
    clear: Tuple[int, ...] = ALCD_CLEAR

    def check(self) -> None:
        """Raises InputError (``NOT_CLEAR_CLASSES``/``CLEAR_CLASSES``) when a list is empty or a value is in both."""
        if not self.not_clear:
            raise InputError("NOT_CLEAR_CLASSES", "give at least one reference class that is not clear")
        if not self.clear:
            raise InputError("CLEAR_CLASSES", "give at least one reference class that is clear")
        both = sorted(set(self.not_clear) & set(self.clear))
        if both:
            raise InputError(
                "CLEAR_CLASSES",
                f"class(es) {', '.join(map(str, both))} cannot be both clear and not clear (also in NOT_CLEAR_CLASSES)",
            )

    @property
    def all(self) -> Tuple[int, ...]:
        """Every class counted, not clear ones first."""
        return tuple(self.not_clear) + tuple(self.clear)


def _ratio(numerator: int, denominator: int) -> Optional[float]:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Confusion:
    """Confusion matrix of the "not clear" class at one threshold (None for a binary mask).

    Positive = not clear (cloud or shadow). ``tp``: reference not clear, predicted not clear; ``fp``: reference
    clear, predicted not clear; ``fn``: reference not clear, predicted clear; ``tn``: reference clear, predicted
    clear. Counts are reference pixels. ``flagged`` holds, per reference class, the pixels predicted not clear.
    Scores are the usual definitions (e.g. Baetens et al. 2019): accuracy (tp+tn)/total, precision tp/(tp+fp),
    recall tp/(tp+fn), F1 2tp/(2tp+fp+fn) (the harmonic mean of precision and recall); each is None when its
    denominator is 0.
    """

    threshold: Optional[float]
    tp: int
    fp: int
    fn: int
    tn: int
    flagged: Dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Reference pixels counted: tp + fp + fn + tn."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def accuracy(self) -> Optional[float]:
        """Overall accuracy (tp + tn) / total, 0..1; None when no pixel was counted."""
        return _ratio(self.tp + self.tn, self.total)

    @property
    def precision(self) -> Optional[float]:
        """Of the pixels predicted not clear, the share that is not clear in the reference: tp / (tp + fp), 0..1;
        None when no pixel was predicted not clear."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> Optional[float]:
        """Of the reference's not-clear pixels, the share predicted not clear: tp / (tp + fn), 0..1; None when the
        reference has no not-clear pixel."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> Optional[float]:
        """F1 of the not-clear class, 2tp / (2tp + fp + fn), 0..1 (the harmonic mean of precision and recall);
        None when neither the reference nor the prediction has a not-clear pixel."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass
class EvaluationRequest:
    """What to evaluate: a clear score raster at thresholds, or a binary mask, against a reference class map.

    Attributes:
        reference: class map raster (e.g. an ALCD reference mask, uint8 classes).
        score: clear score raster (give ``score`` or ``mask``, not both).
        qa_band: the score's band: description (``cs``) or 1-based number.
        thresholds: clear thresholds 0..1 to evaluate the score at (at least one).
        mask: binary mask raster; pixels on its nodata value are not counted.
        mask_bands: 1-based bands of ``mask``; a pixel is "set" where any of them is nonzero.
        mask_marks_clear: True when a set pixel is clear (``maskscene``'s clear mask: 1 clear, 0 not clear),
            False when a set pixel is not clear (cloud masks such as Sentinel-2's ``MSK_CLASSI``).
        reference_band: 1-based band of ``reference`` holding the classes.
        classes: which reference classes are not clear / clear.
        block_size: side of the square blocks of the reference read at a time, in pixels.
    """

    reference: Union[str, Path]
    score: Optional[Union[str, Path]] = None
    qa_band: Optional[BandRef] = None
    thresholds: Sequence[float] = ()
    mask: Optional[Union[str, Path]] = None
    mask_bands: Sequence[int] = (1,)
    mask_marks_clear: bool = True
    reference_band: int = 1
    classes: ReferenceClasses = ReferenceClasses()
    block_size: int = DEFAULT_BLOCK_SIZE

    @property
    def uses_score(self) -> bool:
        """True when a clear score raster is evaluated (at thresholds), False for a binary mask."""
        return bool(str(self.score or "").strip())


@dataclass
class EvaluationResult:
    """What ``evaluate`` counted.

    Attributes:
        confusions: one per threshold, ascending; a single one with threshold None for a binary mask.
        labelled_pixels: reference pixels in a counted class.
        unscored_pixels: of those, the ones without a score / mask value (nodata, outside its extent): not counted.
        class_pixels: counted pixels per reference class.
        grid: the reference grid the counts are on.
        prediction: what was evaluated, in words; reference: the reference file and band.
        classes: the reference classes used.
    """

    confusions: List[Confusion]
    labelled_pixels: int
    unscored_pixels: int
    class_pixels: Dict[int, int]
    grid: Grid
    prediction: str
    reference: str
    classes: ReferenceClasses

    def at(self, threshold: Optional[float]) -> Confusion:
        """The confusion at ``threshold`` (None for a binary mask). Raises KeyError when it was not evaluated."""
        for confusion in self.confusions:
            if confusion.threshold == threshold:
                return confusion
        raise KeyError(threshold)

    @property
    def best(self) -> Confusion:
        """The confusion with the highest F1 (the lowest such threshold on a tie; undefined F1 counts as -1)."""
        return max(self.confusions, key=lambda c: (c.f1 if c.f1 is not None else -1.0, -(c.threshold or 0.0)))


def _prediction_path(request: EvaluationRequest) -> Tuple[Union[str, Path], str]:
    has_score, has_mask = request.uses_score, bool(str(request.mask or "").strip())
    if has_score == has_mask:
        raise InputError(
            "SCORE",
            "give either a clear score raster (SCORE, with QA_BAND and thresholds) or a binary "
            "mask raster (MASK), not " + ("both" if has_score else "neither"),
        )
    # Neither is None here: has_score or has_mask said it is given.
    return (request.score or "", "SCORE") if has_score else (request.mask or "", "MASK")


def _prediction_bands(request: EvaluationRequest, src: DatasetReader) -> List[int]:
    if request.uses_score:
        return [band_index(src, request.qa_band, "QA_BAND")]
    if not request.mask_bands:
        raise InputError("MASK_BANDS", "choose at least one band of the mask")
    return [band_index(src, band, "MASK_BANDS") for band in request.mask_bands]


def _describe_prediction(request: EvaluationRequest, src: DatasetReader, bands: List[int]) -> str:
    name = Path(src.name).name
    if request.uses_score:
        return f"clear score (QA band {band_label(src, bands[0])}) of {name}"
    labels = " or ".join(band_label(src, b) for b in bands)
    meaning = "clear" if request.mask_marks_clear else "not clear"
    return f"binary mask {name}: {labels} nonzero = {meaning}"


def _overlap_window(reference: Grid, prediction: Grid) -> Optional[Window]:
    """The window of the reference grid covering the prediction's extent, or None when they do not overlap."""
    bounds = prediction.bounds
    if prediction.crs != reference.crs:
        bounds = transform_bounds(prediction.crs, reference.crs, *bounds, densify_pts=21)
    overlap = intersection(reference.bounds, bounds)
    if overlap is None:
        return None
    inverse = ~reference.transform
    cols, rows = zip(*(inverse * (x, y) for x in (overlap[0], overlap[2]) for y in (overlap[1], overlap[3])))
    col0, row0 = max(0, math.floor(min(cols))), max(0, math.floor(min(rows)))
    col1, row1 = min(reference.width, math.ceil(max(cols))), min(reference.height, math.ceil(max(rows)))
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def check_evaluation(request: EvaluationRequest) -> Window:
    """Check everything that can be checked before reading pixels; return the reference window to read.

    Raises:
        InputError: ``SCORE`` (neither or both of score and mask, or unreadable), ``MASK``, ``QA_BAND``,
            ``MASK_BANDS``, ``THRESHOLD`` (none given, or outside 0..1), ``REFERENCE`` (unreadable, no CRS,
            not overlapping the prediction), ``REFERENCE_BAND``, ``NOT_CLEAR_CLASSES``/``CLEAR_CLASSES``,
            ``BLOCK_SIZE``.
    """
    request.classes.check()
    check_block_size(request.block_size)
    path, field_name = _prediction_path(request)
    if request.uses_score:
        if not request.thresholds:
            raise InputError("THRESHOLD", "give at least one clear threshold 0..1")
        for threshold in request.thresholds:
            check_threshold(threshold)
    with open_raster(path, field_name) as src, open_raster(request.reference, "REFERENCE") as ref:
        _prediction_bands(request, src)
        band_index(ref, request.reference_band, "REFERENCE_BAND")
        reference_grid, prediction_grid = grid_of(ref, "REFERENCE"), grid_of(src, field_name)
        window = _overlap_window(reference_grid, prediction_grid)
        if window is None:
            raise InputError(
                "REFERENCE",
                f"the reference {Path(ref.name).name} does not overlap the "
                f"{'clear score raster' if request.uses_score else 'mask'} "
                f"{Path(src.name).name}",
            )
    return window


def _not_clear_predictions(
    request: EvaluationRequest, values: npt.NDArray[Any], thresholds: Sequence[Optional[float]]
) -> List[npt.NDArray[np.bool_]]:
    """Per threshold, where the prediction says not clear, from the valid values (bands, pixels) of counted pixels.

    Returns:
        one 1-D bool array (pixels,) per threshold (one for a mask).
    """
    if request.uses_score:
        valid = np.ones(values.shape[1], dtype=bool)
        return [~clear_mask(values[0], valid, t) for t in thresholds if t is not None]  # a score's are all numbers
    marked = (values != 0).any(axis=0)
    return [~marked if request.mask_marks_clear else marked]


def _confusion(
    threshold: Optional[float], flagged: Dict[int, int], class_pixels: Dict[int, int], classes: ReferenceClasses
) -> Confusion:
    """The confusion matrix from per-class counts: pixels of each class, and those predicted not clear."""
    tp = sum(flagged[c] for c in classes.not_clear)
    fp = sum(flagged[c] for c in classes.clear)
    fn = sum(class_pixels[c] for c in classes.not_clear) - tp
    tn = sum(class_pixels[c] for c in classes.clear) - fp
    return Confusion(threshold, tp, fp, fn, tn, dict(flagged))


def evaluate(
    request: EvaluationRequest,
    progress: Optional[Callable[[float], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> EvaluationResult:
    """Count the confusion matrix of the "not clear" class for every threshold (or the mask), block by block.

    Counted pixels: reference pixels in one of ``classes`` that have a valid score (or mask value) on the
    reference grid (see the module docstring for the grid choice). Reference pixels without one are reported as
    ``unscored_pixels``; a missing score is neither clear nor cloud here, as nothing was predicted.

    Args:
        request: prediction, reference, classes.
        progress: called with the percentage done, 0..100.
        is_canceled: polled before each block; when it returns True the run stops.

    Raises:
        InputError: see ``check_evaluation``; ``REFERENCE`` when no counted reference pixel has a score.
        ReadError: a block of the reference or the prediction cannot be read (the file and GDAL's reason).
        Cancelled: ``is_canceled`` returned True.
    """
    window = check_evaluation(request)
    path, field_name = _prediction_path(request)
    thresholds: List[Optional[float]] = [None]  # a mask: one prediction
    if request.uses_score:
        thresholds = [*sorted({float(t) for t in request.thresholds})]
    classes = request.classes.all
    class_pixels = dict.fromkeys(classes, 0)
    flagged = [dict.fromkeys(classes, 0) for _ in thresholds]
    labelled = 0
    with open_raster(path, field_name) as src, open_raster(request.reference, "REFERENCE") as ref:
        bands = _prediction_bands(request, src)
        reference_index = band_index(ref, request.reference_band, "REFERENCE_BAND")
        grid = grid_of(ref, "REFERENCE")
        blocks = list(grid.blocks(request.block_size))
        scores = ScoreRange()
        for done, block in enumerate(blocks, start=1):
            if is_canceled is not None and is_canceled():
                raise Cancelled("cancelled by the user")
            if progress is not None and done > 1:
                progress(100.0 * (done - 1) / len(blocks))
            with reading(request.reference, "REFERENCE raster"):
                truth, truth_valid = read_bands(ref, [reference_index], block)
            labels = np.where(truth_valid[0], truth[0], np.nan)
            counted = np.isin(labels, classes)
            labelled += int(counted.sum())
            if not (counted.any() and windows_intersect(block, window)):
                continue  # no labelled pixel, or no score here: nothing to count
            with reading(path, f"{field_name} raster"):  # "cannot read SCORE raster /data/x.tif: ..."
                values, valid = read_bands(src, bands, block, grid)
            scored = counted & valid.all(axis=0)
            labels, values = labels[scored], values[:, scored]
            if request.uses_score:
                scores.add(values)
            predictions = _not_clear_predictions(request, values, thresholds)
            for cls in classes:
                of_class = labels == cls
                class_pixels[cls] += int(of_class.sum())
                for counts, not_clear in zip(flagged, predictions):
                    counts[cls] += int((not_clear & of_class).sum())
        if progress is not None:
            progress(100.0)
        if is_canceled is not None and is_canceled():
            raise Cancelled("cancelled by the user")
        prediction = _describe_prediction(request, src, bands)
        reference = f"{Path(ref.name).name}, {band_label(ref, reference_index)}"
        scores.warn_if_above_one(f"{band_label(src, bands[0])} of {Path(src.name).name}")
    counted_total = sum(class_pixels.values())
    if counted_total == 0:
        raise InputError(
            "REFERENCE",
            f"no reference pixel of the classes {', '.join(map(str, classes))} has a "
            f"score: check the reference band and the class values",
        )
    confusions = [_confusion(t, counts, class_pixels, request.classes) for t, counts in zip(thresholds, flagged)]
    result = EvaluationResult(
        confusions, labelled, labelled - counted_total, class_pixels, grid, prediction, reference, request.classes
    )
    log.info(
        "Evaluated %s against %s: %d reference pixels counted, %d without a score",
        prediction,
        reference,
        counted_total,
        result.unscored_pixels,
    )
    return result
