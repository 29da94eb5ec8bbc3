import numpy as np
import pytest

import mnd
from mnd import data, metrics


def test_equispaced():
    np.testing.assert_allclose(data.equispaced(4), [-5, -5 / 3, 5 / 3, 5])
    with pytest.raises(ValueError, match="at least two"):
        data.equispaced(1)
    with pytest.raises(ValueError, match="low < high"):
        data.equispaced(3, 1.0, 0.0)
    with pytest.raises(TypeError):
        data.equispaced(2.5)


def test_random_with_gap_respects_gap_and_range():
    for seed in range(20):
        x = data.random_with_gap(8, -3.0, 4.0, 0.6, seed=seed)
        assert np.all(np.diff(x) >= 0.6 - 1e-12) and x.min() >= -3 and x.max() <= 4
    assert not np.allclose(data.random_with_gap(5, 0, 10, 1, seed=1), data.random_with_gap(5, 0, 10, 1, seed=2))
    with pytest.raises(ValueError, match="do not fit"):
        data.random_with_gap(5, 0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="min_gap must be > 0"):
        data.random_with_gap(5, 0.0, 1.0, 0.0)


def test_noisy_samples_statistics_and_seed():
    y, t = data.noisy_samples(np.array([[0.0, 0.0], [5.0, 5.0]]), 0.5, 20_000, seed=3)
    assert y.shape == t.shape == (40_000, 2)
    eps = y - t
    # mean within 6 standard errors (0.5/sqrt(40000) = 0.0025), std within 2%
    assert np.all(np.abs(eps.mean(0)) < 6 * 0.0025)
    np.testing.assert_allclose(eps.std(0), 0.5, rtol=0.02)
    y2, _ = data.noisy_samples(np.array([[0.0, 0.0], [5.0, 5.0]]), 0.5, 20_000, seed=3)
    np.testing.assert_array_equal(y, y2)
    y1, t1 = data.noisy_samples(np.array([0.0, 1.0]), 0.1, 3)
    assert y1.shape == (6,) and list(t1) == [0, 0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match="m must be a positive integer"):
        data.noisy_samples(np.array([0.0]), 0.1, 0)


def test_sample_ball():
    p = data.sample_ball([1.0, 2.0, 3.0], 0.5, 1000, seed=0)
    r = np.linalg.norm(p - [1, 2, 3], axis=1)
    assert np.all(r <= 0.5 + 1e-12)
    np.testing.assert_allclose(r[:500], 0.5)  # boundary_fraction = 0.5 on the sphere
    # the rest uniform in the ball: fraction within radius rho/2 is 1/8 in 3D (+- 6 standard errors)
    frac = np.mean(r[500:] < 0.25)
    assert abs(frac - 1 / 8) < 6 * np.sqrt(1 / 8 * 7 / 8 / 500)
    # 2D: the sphere points are evenly spread (largest angular gap small)
    q = data.sample_ball([0.0, 0.0], 1.0, 40, seed=1)[:20]
    ang = np.sort(np.arctan2(q[:, 1], q[:, 0]))
    assert np.max(np.diff(np.r_[ang, ang[0] + 2 * np.pi])) < 2 * np.pi / 10
    only_axes = data.sample_ball([0.0, 0.0], 1.0, 40, boundary_fraction=0.0)
    assert np.sum(np.isclose(np.linalg.norm(only_axes, axis=1), 1.0)) >= 4
    with pytest.raises(ValueError, match="boundary_fraction"):
        data.sample_ball([0.0], 1.0, 4, boundary_fraction=2.0)
    with pytest.raises(ValueError, match="m must be"):
        data.sample_ball([0.0], 1.0, 0)


def test_metrics_on_known_functions():
    x = np.array([-1.0, 1.0])
    ident = lambda y: y
    y = np.linspace(-3, 3, 61)
    assert metrics.sup_error(ident, lambda y: y + 0.5, y) == pytest.approx(0.5)
    assert metrics.rms_error(ident, lambda y: y + 0.5, y) == pytest.approx(0.5)
    np.testing.assert_allclose(metrics.contraction_margin(ident, x, y), 0.0)
    assert metrics.interpolation_error(mnd.univariate(x, 0.3), x, 0.3) < 1e-12
    assert metrics.interpolation_error(ident, x, 0.3) == pytest.approx(0.3)
    assert metrics.cost_gap(3.0, 2.0) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="optimal_cost must be > 0"):
        metrics.cost_gap(1.0, 0.0)


def test_denoising_mse_of_identity_is_sigma_squared():
    x = np.random.default_rng(0).standard_normal((2000, 2))
    mse = metrics.denoising_mse(lambda y: y, x, 0.3, m=5, seed=1)
    # E|eps|^2 = d sigma^2 = 0.18; 10000 draws, std of |eps|^2 = sqrt(2 d) sigma^2 -> 6 s.e. = 0.0016
    assert mse == pytest.approx(0.18, abs=6 * np.sqrt(4) * 0.09 / 100)


def test_nearest_clean():
    np.testing.assert_array_equal(metrics.nearest_clean(np.array([0.0, 10.0]), np.array([1.0, 6.0])), [0.0, 10.0])
