"""Clear masks from per-pixel clear scores."""

import math

import numpy as np

from .errors import InputError


def check_threshold(threshold: float) -> float:
    """Return ``threshold`` as a float when it is a clear threshold in 0..1.

    Raises:
        InputError: field ``THRESHOLD``, when it is not a number in 0..1.
    """
    if not isinstance(threshold, (int, float)) or not math.isfinite(threshold) or not 0.0 <= threshold <= 1.0:
        raise InputError("THRESHOLD", f"clear threshold {threshold!r} is outside the accepted range 0..1")
    return float(threshold)


def clear_mask(score: np.ndarray, valid: np.ndarray, threshold: float) -> np.ndarray:
    """Where a pixel is clear: its score is valid and ``score >= threshold``.

    Equality is clear, as in Earth Engine's Cloud Score+ recipe (``score.gte(threshold)``); geedim, by
    contrast, masks ``score <= threshold``. Nodata, NaN and missing scores are never clear, whatever the
    threshold.

    Args:
        score: clear scores 0 (occluded) .. 1 (clear), any float dtype, any shape.
        valid: bool, same shape: False where the score is nodata or outside the scene.
        threshold: clear threshold 0..1.

    Returns:
        bool array of ``score``'s shape.

    Raises:
        InputError: ``THRESHOLD`` outside 0..1.
    """
    threshold = check_threshold(threshold)
    # Compare in the score's own precision: float32(0.7) < 0.7, so a float32 score stored as 0.7 would
    # otherwise fail a 0.7 threshold it equals.
    limit = np.asarray(threshold, dtype=score.dtype) if np.issubdtype(score.dtype, np.floating) else threshold
    with np.errstate(invalid="ignore"):
        return valid & (score >= limit)
