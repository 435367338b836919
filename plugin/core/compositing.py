"""Per-pixel composites of the clear observations of a stack of scenes."""

from typing import Tuple

import numpy as np


def median_composite(stack: np.ndarray, clear: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Per-pixel, per-band median of the clear observations, and how many there are.

    The median follows numpy's definition: the middle value of an odd count, the mean of the two middle
    values of an even count. It is computed by one sort along time with unclear values pushed to the end,
    then reading the middle ranks of each pixel's clear values (no per-pixel Python).

    Args:
        stack: reflectance, shape (scenes, bands, rows, cols), any real dtype.
        clear: bool, shape (scenes, rows, cols): True where the scene's pixel is a clear, valid observation
            of every band.

    Returns:
        (median, count): median float64 (bands, rows, cols), NaN where count is 0; count int64 (rows, cols),
        the number of clear observations (the valid-observation count).
    """
    if stack.ndim != 4 or clear.shape != (stack.shape[0],) + stack.shape[2:]:
        raise ValueError(f"stack {stack.shape} and clear {clear.shape} do not match (scenes, bands, rows, cols)")
    count = clear.sum(axis=0)
    ordered = np.sort(np.where(clear[:, np.newaxis], stack.astype(np.float64), np.inf), axis=0)
    filled = np.maximum(count, 1)  # rank 0 where nothing is clear; those pixels become NaN below

    def value_at(rank: np.ndarray) -> np.ndarray:
        return np.take_along_axis(ordered, rank[np.newaxis, np.newaxis], axis=0)[0]

    median = (value_at((filled - 1) // 2) + value_at(filled // 2)) / 2.0
    median[:, count == 0] = np.nan
    return median, count
