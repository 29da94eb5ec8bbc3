"""Tests for the functions chapter 2 added to mnd (noise_radius.offline_radius)."""

import numpy as np
import pytest

import mnd
from mnd.noise_radius import expected_max_normal, offline_radius


def test_offline_radius_by_hand():
    x = np.array([0.0, 10.0])
    y = np.array([-1.0, 0.5, 2.0, 9.0, 10.0, 13.0])
    t = np.array([0.0, 0.0, 0.0, 10.0, 10.0, 10.0])
    # hulls [-1, 2] and [9, 13]: half-widths 1.5 and 2
    assert offline_radius(y, t, x) == pytest.approx(1.75)


def test_offline_radius_permutation_and_scale():
    x = mnd.data.equispaced(5, -4, 4)
    y, t = mnd.data.noisy_samples(x, 0.1, 30, seed=3)
    perm = np.random.default_rng(0).permutation(y.size)
    r = offline_radius(y, t, x)
    assert offline_radius(y[perm], t[perm], x) == pytest.approx(r, rel=1e-15)
    assert offline_radius(3 * y, 3 * t, 3 * x) == pytest.approx(3 * r, rel=1e-12)


def test_offline_radius_matches_expected_max():
    # 100 hull sides, each a maximum of M = 200 normals: mean close to e_200 sigma
    x = mnd.data.equispaced(50, -50, 50)
    sigma, M = 0.1, 200
    y, t = mnd.data.noisy_samples(x, sigma, M, seed=1)
    assert offline_radius(y, t, x) / sigma == pytest.approx(expected_max_normal(M), rel=0.05)


def test_offline_radius_missing_point():
    with pytest.raises(ValueError):
        offline_radius(np.array([0.1, 0.2]), np.array([0.0, 0.0]), np.array([0.0, 1.0]))
