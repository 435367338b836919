"""Per-pixel composites of the clear observations of a stack of scenes.

Every method works on one block in memory: a stack (scenes, bands, rows, cols) of reflectance and a clear mask
(scenes, rows, cols). Order statistics (median, percentiles) come from one sort along time with unclear values
pushed to the end as NaN; each pixel then reads the ranks its own count of clear observations calls for
(no per-pixel Python). The sort runs on a few rows at a time copied with time as the last axis, so each
pixel's observations are contiguous and the copy stays in the CPU cache. The approach is the one odc-algo's
``xr_quantile`` takes, written anew here.
"""

import math
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import List, Optional, Sequence, Tuple, cast

import numpy as np

from .errors import InputError

METHODS = ("median", "mean", "min", "max", "percentiles", "best")
"""Composite methods. ``best`` is the best-pixel mosaic: per pixel, all bands of the clear observation with the
highest clear score (ties to the most recent scene)."""

DEFAULT_PERCENTILES = (25.0, 50.0, 75.0)
"""Percentiles of the Pan-European seasonal cloudless mosaic (OpenGeoHub 2021): quartiles and median."""

COUNT_BAND = "count"
"""Description of the valid-observation count band, always the output's last band."""

# Rows per unit of work when one block is split over threads: small enough that a unit stays in cache,
# large enough that numpy's per-call overhead does not dominate.
_ROWS_PER_UNIT = 16


def check_percentiles(percentiles: Sequence[float], field: str = "PERCENTILES") -> Tuple[float, ...]:
    """The percentiles as floats, in the given order, when each is in 0..100 and none repeats.

    Raises:
        InputError: ``field`` when the list is empty, holds a non-number, a value outside 0..100 or a repeat.
    """
    try:
        values = tuple(float(p) for p in percentiles)
    except (TypeError, ValueError):
        raise InputError(field, f"percentiles {percentiles!r} must be numbers in 0..100, e.g. 25, 50, 75") from None
    if not values:
        raise InputError(field, "give at least one percentile in 0..100, e.g. 25, 50, 75")
    bad = [p for p in values if not (0.0 <= p <= 100.0) or math.isnan(p)]
    if bad:
        raise InputError(field, f"percentiles {bad} are outside 0..100")
    if len(set(values)) != len(values):
        raise InputError(field, f"percentiles {list(values)} repeat a value")
    return values


def parse_percentiles(text: str, field: str = "PERCENTILES") -> Tuple[float, ...]:
    """``"25, 50, 75"`` (commas or semicolons) as (25.0, 50.0, 75.0), checked by ``check_percentiles``.

    Raises:
        InputError: ``field`` when a value is not a number, none is given, one is outside 0..100 or repeats.
    """
    parts = [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]
    try:
        values = [float(part) for part in parts]
    except ValueError:
        raise InputError(field, f"{text!r} must be numbers in 0..100 separated by commas, e.g. 25,50,75") from None
    return check_percentiles(values, field)


def statistic_names(method: str, percentiles: Sequence[float] = DEFAULT_PERCENTILES) -> List[str]:
    """Names of the statistics a method computes per band: ``["median"]``, ``["p25", "p50", "p75"]``, ...

    Raises:
        InputError: ``METHOD`` when the method is unknown; ``PERCENTILES`` as ``check_percentiles``.
    """
    if method not in METHODS:
        raise InputError("METHOD", f"method {method!r} is not one of {', '.join(METHODS)}")
    if method == "percentiles":
        return [f"p{p:g}" for p in check_percentiles(percentiles)]
    return [method]


def output_band_names(
    bands: Sequence[str], method: str, percentiles: Sequence[float] = DEFAULT_PERCENTILES
) -> List[str]:
    """Descriptions of a composite's bands: per band each statistic (``B4_p25``, ``B4_p50``, ...), then ``count``."""
    statistics = statistic_names(method, percentiles)
    return [f"{band}_{statistic}" for band in bands for statistic in statistics] + [COUNT_BAND]


def composite(
    stack: np.ndarray,
    clear: np.ndarray,
    method: str = "median",
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    scores: Optional[np.ndarray] = None,
    threads: int = 1,
) -> Tuple[np.ndarray, np.ndarray]:
    """Per-pixel, per-band composite of the clear observations, and how many there are.

    Methods, each over the clear observations of a pixel:
        ``median``: numpy's median (mean of the two middle values for an even count);
        ``percentiles``: numpy's default ``linear`` percentile (Hyndman & Fan type 7), one per value;
        ``mean``, ``min``, ``max``;
        ``best``: every band from the one observation with the highest clear score; ties go to the most
        recent scene (the scenes must be in time order).
    Values are ordered as float32, which is exact for reflectance DN (uint16, scale 10000).

    Args:
        stack: reflectance, shape (scenes, bands, rows, cols), any real dtype (uint16 DN or float32).
        clear: bool, shape (scenes, rows, cols): True where the scene's pixel is a clear, valid observation.
        method: one of ``METHODS``.
        percentiles: values in 0..100, for ``percentiles``.
        scores: clear scores 0..1, float, shape (scenes, rows, cols); needed for ``best`` only.
        threads: number of threads sharing the rows (numpy releases the GIL).

    Returns:
        (values, count): values float64 (bands, statistics, rows, cols), NaN where count is 0, statistics as
        ``statistic_names``; count int64 (rows, cols), the valid-observation count.

    Raises:
        ValueError: shapes that do not match, or ``best`` without scores.
        InputError: an unknown method or bad percentiles.
    """
    statistics = statistic_names(method, percentiles)
    if stack.ndim != 4 or clear.shape != (stack.shape[0],) + stack.shape[2:]:
        raise ValueError(f"stack {stack.shape} and clear {clear.shape} do not match (scenes, bands, rows, cols)")
    if method == "best" and (scores is None or scores.shape != clear.shape):
        raise ValueError("the best-pixel mosaic needs scores of shape (scenes, rows, cols)")
    _, bands, rows, cols = stack.shape
    values = np.empty((bands, len(statistics), rows, cols), dtype=np.float64)
    count = np.empty((rows, cols), dtype=np.int64)

    def unit(start: int) -> None:
        part = slice(start, min(start + _ROWS_PER_UNIT, rows))
        part_scores = scores[:, part] if scores is not None else None
        values[:, :, part], count[part] = _composite_rows(
            stack[:, :, part], clear[:, part], method, percentiles, part_scores
        )

    starts = range(0, rows, _ROWS_PER_UNIT)
    if threads > 1 and rows > _ROWS_PER_UNIT:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(unit, starts))
    else:
        for start in starts:
            unit(start)
    return values, count


def _composite_rows(
    stack: np.ndarray, clear: np.ndarray, method: str, percentiles: Sequence[float], scores: Optional[np.ndarray]
) -> Tuple[np.ndarray, np.ndarray]:
    count = np.count_nonzero(clear, axis=0)
    if method == "best":
        # composite() refuses "best" without scores.
        values = _best(stack, clear, cast(np.ndarray, scores))[:, np.newaxis]
    elif method == "mean":
        total = np.where(clear[:, np.newaxis], stack, 0).sum(axis=0, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = (total / count)[:, np.newaxis]
    elif method in ("min", "max"):
        reduce = np.fmin.reduce if method == "min" else np.fmax.reduce  # fmin/fmax skip NaN
        values = reduce(_unclear_as_nan(stack, clear[:, np.newaxis]), axis=0).astype(np.float64)[:, np.newaxis]
    else:
        ordered = _sorted_along_time(stack, clear)  # each pixel's clear values first, in order
        fractions = [0.5] if method == "median" else [p / 100.0 for p in percentiles]
        with np.errstate(invalid="ignore"):  # pixels without a clear value read inf - inf; they become NaN below
            values = np.stack([_order_statistic(*ordered, count, q, method) for q in fractions], axis=1)
    values[..., count == 0] = np.nan
    return values, count


def _unclear_as_nan(stack: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """C-ordered float32 copy of ``stack`` with unclear observations set to NaN (``clear`` broadcasts to it).

    Setting all 32 bits of an unclear value makes it a NaN; one bitwise OR with a mask broadcast over the
    bands is several times faster than a masked assignment.
    """
    filled = stack.astype(np.float32, order="C")
    unclear_bits = clear.astype(np.uint32, order="C")
    unclear_bits -= 1  # clear -> 0, unclear -> 0xFFFFFFFF (wraps around)
    bits = filled.view(np.uint32)
    np.bitwise_or(bits, unclear_bits, out=bits)
    return filled


def _sorted_along_time(stack: np.ndarray, clear: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(values, slots): per pixel and band, the clear values in ascending order, then the unclear ones (as +inf, or
    NaN for stacks deeper than ``_NETWORK_MAX_SCENES``); rank ``r`` is in ``values[slots[r]]``. ``values`` is
    float32 (scenes + 1 or scenes, bands, rows, cols), ``slots`` intp (scenes,). Clear values must be finite (the
    pipeline only calls a value clear when it is).

    Up to ``_NETWORK_MAX_SCENES`` scenes, the values go through a sorting network (``sorting_network``): each
    compare-exchange is one ``minimum`` and one ``maximum`` over all pixels at once, many times faster than
    numpy's sort of millions of short rows, and it yields the same values in the same order. Deeper stacks are
    sorted by numpy with time as the last axis.
    """
    scenes = stack.shape[0]
    if scenes > _NETWORK_MAX_SCENES:
        ordered = _unclear_as_nan(np.moveaxis(stack, 0, -1), np.moveaxis(clear, 0, -1))
        ordered.sort(axis=-1)  # NaN sorts last: each pixel's clear values come first, in order
        return np.moveaxis(ordered, -1, 0), np.arange(scenes)
    # One spare row: a compare-exchange writes its minimum there and swaps the rows' roles, so no value is copied.
    work = np.empty((scenes + 1,) + stack.shape[1:], dtype=np.float32)
    np.copyto(work[:scenes], stack, casting="unsafe")  # uint16 DN and float32 are exact in float32
    np.copyto(work[:scenes], np.float32(np.inf), where=~clear[:, np.newaxis])
    rows = list(work)
    slot, spare = list(range(scenes)), scenes  # slot[rank]: the row of ``work`` holding that rank now
    for low, high in sorting_network(scenes):
        np.minimum(rows[slot[low]], rows[slot[high]], out=rows[spare])
        np.maximum(rows[slot[low]], rows[slot[high]], out=rows[slot[high]])
        slot[low], spare = spare, slot[low]
    return work, np.array(slot, dtype=np.intp)  # the rows are not reordered: ranks are read through ``slot``


_NETWORK_MAX_SCENES = 64
"""Deepest stack sorted by a sorting network; beyond it the network's n log² n compare-exchanges lose to a sort."""


@cache
def sorting_network(size: int) -> Tuple[Tuple[int, int], ...]:
    """Compare-exchange pairs (low, high), low < high, that sort ``size`` values when each puts the smaller value at
    ``low``: Batcher's odd-even merge sort on the next power of two, without the pairs that reach past ``size``
    (those positions would hold +inf padding, which every compare-exchange leaves in place).

    Source: K. E. Batcher, "Sorting networks and their applications", AFIPS 1968; iterative form after Knuth,
    The Art of Computer Programming vol. 3, 5.3.4.
    """
    padded = 1 << max(size - 1, 0).bit_length()
    pairs = []
    merged = 1  # sorted runs of this length are merged pairwise
    while merged < padded:
        gap = merged
        while gap >= 1:
            for start in range(gap % merged, padded - gap, 2 * gap):
                for offset in range(min(gap, padded - start - gap)):
                    low, high = start + offset, start + offset + gap
                    if low // (2 * merged) == high // (2 * merged) and high < size:
                        pairs.append((low, high))
            gap //= 2
        merged *= 2
    return tuple(pairs)


def _order_statistic(
    ordered: np.ndarray, slots: np.ndarray, count: np.ndarray, fraction: float, method: str
) -> np.ndarray:
    """One order statistic of each pixel's ``count`` clear values, the first ranks of ``ordered`` (sorted on the
    first axis, rank ``r`` in row ``slots[r]``, see ``_sorted_along_time``).

    ``median`` averages the two middle values as ``numpy.median`` does. Otherwise numpy's ``linear``
    percentile: virtual index ``(n - 1) * q`` and numpy's two-sided lerp, so results match
    ``numpy.nanpercentile`` bit for bit on the same float64 values.
    """
    last = np.maximum(count, 1) - 1  # pixels with no clear value read rank 0; they become NaN later
    if method == "median":
        lower, upper, weight = last // 2, (last + 1) // 2, None
    else:
        virtual = last * fraction
        lower = np.minimum(np.floor(virtual).astype(np.intp), last)
        upper = np.minimum(lower + 1, last)
        weight = virtual - lower
    a = _at_rank(ordered, slots[lower])
    b = _at_rank(ordered, slots[upper])
    if weight is None:
        return (a + b) / 2.0
    difference = b - a
    result = a + difference * weight
    high = weight >= 0.5  # numpy's lerp computes from the upper end there, for symmetry
    result[:, high] = (b - difference * (1 - weight))[:, high]
    return result


def _at_rank(ordered: np.ndarray, row: np.ndarray) -> np.ndarray:
    """float64 (bands, rows, cols): the value in each pixel's ``row`` (rows, cols) of ``ordered``'s first axis."""
    picked = np.take_along_axis(ordered, row.astype(np.intp)[np.newaxis, np.newaxis], axis=0)[0]
    return picked.astype(np.float64)


def _best(stack: np.ndarray, clear: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """float64 (bands, rows, cols): every band of the clear observation with the highest score, latest on ties."""
    ranked = np.where(clear, scores, -np.inf)[::-1]  # latest scene first: argmax's first hit is the latest
    latest_best = ranked.shape[0] - 1 - np.argmax(ranked, axis=0)
    picked = np.take_along_axis(stack, latest_best[np.newaxis, np.newaxis], axis=0)[0]
    return picked.astype(np.float64)
