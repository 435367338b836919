"""Clear masks and the median composite against independent numpy computations."""

import numpy as np
import pytest

from cloudscore_composite.plugin.core.compositing import median_composite
from cloudscore_composite.plugin.core.errors import InputError
from cloudscore_composite.plugin.core.masking import clear_mask


def test_a_score_equal_to_the_threshold_is_clear():
    score = np.array([0.59, 0.6, 0.61, np.nan, 1.0], dtype=np.float32)
    valid = np.array([True, True, True, True, False])
    assert clear_mask(score, valid, 0.6).tolist() == [False, True, True, False, False]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_equality_holds_in_the_score_precision(dtype):
    score = np.array([0.7, np.nextafter(dtype(0.7), dtype(0))], dtype=dtype)
    assert clear_mask(score, np.ones(2, bool), 0.7).tolist() == [True, False]


def test_nodata_is_never_clear_even_at_threshold_zero():
    score = np.array([0.0, 0.0, np.nan], dtype=np.float32)
    valid = np.array([True, False, True])
    assert clear_mask(score, valid, 0.0).tolist() == [True, False, False]


@pytest.mark.parametrize("threshold", [-0.01, 1.01, float("nan"), "0.5"])
def test_threshold_outside_0_1_is_refused(threshold):
    with pytest.raises(InputError, match=r"THRESHOLD: .*accepted range 0\.\.1"):
        clear_mask(np.zeros(3, np.float32), np.ones(3, bool), threshold)


def test_median_matches_numpy_on_random_stacks_with_holes():
    rng = np.random.default_rng(7)
    scenes, bands, rows, cols = 9, 3, 31, 27
    stack = rng.integers(1, 10000, size=(scenes, bands, rows, cols)).astype(np.uint16)
    clear = rng.random((scenes, rows, cols)) > 0.45
    clear[:, 0, 0] = False  # all cloud
    clear[:, 0, 1] = False
    clear[4, 0, 1] = True  # a single clear observation
    clear[:, 0, 2] = False
    clear[[1, 6], 0, 2] = True  # two: the mean of both

    median, count = median_composite(stack, clear)

    with np.testing.suppress_warnings() as quiet:
        quiet.filter(RuntimeWarning, "All-NaN slice")
        expected = np.nanmedian(np.where(clear[:, None], stack.astype(float), np.nan), axis=0)
    assert np.array_equal(count, clear.sum(axis=0))
    assert np.allclose(median, expected, equal_nan=True)
    assert np.isnan(median[:, 0, 0]).all() and count[0, 0] == 0
    assert np.array_equal(median[:, 0, 1], stack[4, :, 0, 1])
    assert np.array_equal(median[:, 0, 2], (stack[1, :, 0, 2].astype(float) + stack[6, :, 0, 2]) / 2)


def test_shapes_must_agree():
    with pytest.raises(ValueError):
        median_composite(np.zeros((3, 2, 4, 4)), np.zeros((2, 4, 4), bool))
