"""Clear masks: the threshold rule, its precision, nodata."""

import numpy as np
import pytest

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
