"""Every composite method against an independent numpy computation, on random stacks and the real demo scenes."""

import warnings

import numpy as np
import pytest

from cloudscore_composite.plugin.core.compositing import (
    COUNT_BAND,
    METHODS,
    composite,
    output_band_names,
    statistic_names,
)
from cloudscore_composite.plugin.core.errors import InputError

from .demo_reference import read_demo

PERCENTILES = (0, 10, 25, 33.3, 50, 75, 90, 100)


def numpy_reference(stack, clear, method, percentiles=PERCENTILES, scores=None):
    """The method computed pixel-independently by numpy's nan-functions on float64 (bands, statistics, rows, cols)."""
    values = np.where(clear[:, np.newaxis], stack.astype(np.float64), np.nan)  # (scenes, bands, rows, cols)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels
        if method == "percentiles":
            return np.moveaxis(np.nanpercentile(values, percentiles, axis=0), 0, 1)
        if method == "best":
            return best_by_loop(stack, clear, scores)[:, np.newaxis]
        function = {"median": np.nanmedian, "mean": np.nanmean, "min": np.nanmin, "max": np.nanmax}[method]
        return function(values, axis=0)[:, np.newaxis]


def best_by_loop(stack, clear, scores):
    """The best-pixel rule written out pixel by pixel: highest clear score, the latest scene on ties."""
    scenes, bands, rows, cols = stack.shape
    out = np.full((bands, rows, cols), np.nan)
    for r in range(rows):
        for c in range(cols):
            best = None
            for t in range(scenes):
                if clear[t, r, c] and (best is None or scores[t, r, c] >= scores[best, r, c]):
                    best = t
            if best is not None:
                out[:, r, c] = stack[best, :, r, c]
    return out


@pytest.fixture(scope="module")
def random_stack():
    """uint16 DN with hidden nodata, all-cloud pixels, single clear observations and tied scores."""
    rng = np.random.default_rng(7)
    scenes, bands, rows, cols = 9, 3, 37, 29
    stack = rng.integers(1, 10000, size=(scenes, bands, rows, cols)).astype(np.uint16)
    scores = rng.integers(0, 20, size=(scenes, rows, cols)).astype(np.float32) / 19  # coarse: many ties
    valid = rng.random((scenes, rows, cols)) > 0.1
    stack[np.broadcast_to(~valid[:, np.newaxis], stack.shape)] = 0  # hidden nodata: never clear
    clear = (scores >= np.float32(0.45)) & valid
    clear[:, 0, 0] = False  # all cloud
    clear[:, 0, 1] = False
    clear[4, 0, 1] = True  # a single clear observation
    clear[:, 0, 2] = False
    clear[[1, 6], 0, 2] = True  # two: median is the mean of both
    scores[:, 0, 3] = 0.9  # equal best scores in every scene: the latest wins
    clear[:, 0, 3] = True
    return stack, clear, scores


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("threads", [1, 3])
def test_every_method_matches_numpy_on_a_random_stack(random_stack, method, threads):
    stack, clear, scores = random_stack
    values, count = composite(stack, clear, method, PERCENTILES, scores, threads=threads)
    expected = numpy_reference(stack, clear, method, PERCENTILES, scores)
    assert values.shape == expected.shape
    assert np.array_equal(count, clear.sum(axis=0))
    # order statistics match numpy bit for bit; the mean up to float64 summation order
    if method == "mean":
        assert np.allclose(values, expected, rtol=1e-12, atol=0, equal_nan=True)
    else:
        assert np.array_equal(values, expected, equal_nan=True)
    assert np.isnan(values[..., 0, 0]).all() and count[0, 0] == 0
    assert (values[:, 0, 0, 1] == stack[4, :, 0, 1]).all()


def test_the_median_of_two_is_their_mean_and_best_ties_go_to_the_latest(random_stack):
    stack, clear, scores = random_stack
    median, _ = composite(stack, clear, "median")
    assert np.array_equal(median[:, 0, 0, 2], (stack[1, :, 0, 2].astype(float) + stack[6, :, 0, 2]) / 2)
    best, _ = composite(stack, clear, "best", scores=scores)
    assert np.array_equal(best[:, 0, 0, 3], stack[-1, :, 0, 3])


def test_best_takes_all_bands_from_one_scene(random_stack):
    stack, clear, scores = random_stack
    best, count = composite(stack, clear, "best", scores=scores)
    # every composited pixel equals, in all bands at once, one of its clear observations
    matches = (best[np.newaxis, :, 0] == stack).all(axis=1) & clear
    assert (matches.any(axis=0) == (count > 0)).all()


@pytest.mark.parametrize("method", METHODS)
def test_every_method_matches_numpy_on_the_demo_scenes(method):
    _, stack, scores, _ = read_demo()  # (scenes, 13, rows, cols), (scenes, rows, cols)
    clear = (scores >= np.float32(0.6)) & (stack != 0).all(axis=1)
    values, count = composite(stack, clear, method, (25, 50, 75), scores)
    expected = numpy_reference(stack, clear, method, (25, 50, 75), scores)
    assert np.allclose(values, expected, rtol=1e-12, atol=0, equal_nan=True)
    assert np.array_equal(count, clear.sum(axis=0))
    assert count.min() > 0 and count.max() == 4


def test_band_names_name_band_and_statistic():
    assert output_band_names(["B4", "B8"], "percentiles", (25, 50, 75)) == [
        "B4_p25",
        "B4_p50",
        "B4_p75",
        "B8_p25",
        "B8_p50",
        "B8_p75",
        COUNT_BAND,
    ]
    assert output_band_names(["B2"], "median") == ["B2_median", "count"]
    assert statistic_names("percentiles", [2.5, 97.5]) == ["p2.5", "p97.5"]


@pytest.mark.parametrize(
    "method, percentiles, message",
    [
        ("mode", (50,), r"METHOD: method 'mode' is not one of median, mean"),
        ("percentiles", (), r"PERCENTILES: give at least one"),
        ("percentiles", (50, 101), r"PERCENTILES: percentiles \[101.0\] are outside 0..100"),
        ("percentiles", (50, 50), r"PERCENTILES: .* repeat"),
        ("percentiles", ("x",), r"PERCENTILES: .* must be numbers"),
    ],
)
def test_bad_method_or_percentiles_name_the_field(method, percentiles, message):
    with pytest.raises(InputError, match=message):
        statistic_names(method, percentiles)


def test_shapes_must_agree():
    with pytest.raises(ValueError, match="do not match"):
        composite(np.zeros((3, 2, 4, 4)), np.zeros((2, 4, 4), bool))
    with pytest.raises(ValueError, match="needs scores"):
        composite(np.zeros((3, 2, 4, 4)), np.zeros((3, 4, 4), bool), "best")
