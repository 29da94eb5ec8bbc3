"""mnd.metrics: distances between denoisers, interpolation and contraction, test error on fresh
clean points, curvature cost, and a network against a closed form."""

import numpy as np
import pytest
from scipy import stats

import mnd
from mnd import metrics


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


# ----------------------------------------------------------------------------- test MSE on fresh clean points

DIST = mnd.data.uniform(-5.0, 5.0)
X_TR = mnd.data.sample_clean(DIST, 20, seed=0)  # 20 training points drawn from DIST


@pytest.mark.parametrize("sigma", [0.01, 0.3, 2.0])
def test_identity_mse_is_sigma_squared(sigma):
    assert mnd.metrics.heldout_mse(lambda y: y, DIST, sigma) == pytest.approx(sigma**2, rel=1e-12)


def test_constant_denoiser_mse_is_second_moment():
    # h = 0: MSE = E x^2 = 100/12 for U[-5, 5], whatever the noise
    assert mnd.metrics.heldout_mse(lambda y: 0 * y, DIST, 0.7) == pytest.approx(100 / 12, rel=1e-5)
    # and on a normal distribution N(1, 2^2): E x^2 = 5
    assert mnd.metrics.heldout_mse(lambda y: 0 * y, stats.norm(1.0, 2.0), 0.7, n_x=4000) == pytest.approx(5.0, rel=2e-3)


@pytest.mark.parametrize("sigma", [0.05, 0.6])
def test_quadrature_matches_monte_carlo(sigma):
    for h in (mnd.emmse(X_TR, sigma), mnd.capped_min_cost_denoiser(X_TR, 2.0 * sigma, 0.5)):
        q = mnd.metrics.heldout_mse(h, DIST, sigma)
        mc, se = mnd.metrics.heldout_mse_mc(h, DIST, sigma, n=400_000, seed=11)
        assert abs(q - mc) < 5 * se


def test_monte_carlo_identity():
    mean, se = mnd.metrics.heldout_mse_mc(lambda y: y, DIST, 0.4, n=100_000, seed=1)
    assert abs(mean - 0.16) < 5 * se


def _exact_limits_uniform(x, a=-5.0, b=5.0):
    """Closed forms for U[a, b]: nearest-point cells and the two uncovered ends."""
    edges = np.concatenate([[a], (x[:-1] + x[1:]) / 2, [b]])
    nn = sum(((edges[i + 1] - x[i]) ** 3 - (edges[i] - x[i]) ** 3) / 3 for i in range(x.size)) / (b - a)
    ends = ((x[0] - a) ** 3 + (b - x[-1]) ** 3) / 3 / (b - a)
    return nn, ends


def test_low_noise_limits_exact_and_approached():
    nn, ends = _exact_limits_uniform(X_TR)
    lim = mnd.metrics.low_noise_limits(X_TR, DIST)
    assert lim["emmse"] == pytest.approx(nn, rel=1e-8)
    assert lim["min_cost"] == pytest.approx(ends, rel=1e-8)
    assert lim["min_cost"] < lim["emmse"] / 5
    s = 2e-3
    assert mnd.metrics.heldout_mse(mnd.emmse(X_TR, s), DIST, s, n_x=4000) == pytest.approx(nn, rel=5e-3)
    assert mnd.metrics.heldout_mse(mnd.capped_min_cost_denoiser(X_TR, 2.0 * s, 0.5), DIST, s, n_x=4000) == pytest.approx(ends, rel=0.05)


def test_low_noise_limits_normal_distribution():
    x = np.array([-1.0, 0.5, 2.0])
    dist = stats.norm(0.0, 1.0)
    lim = mnd.metrics.low_noise_limits(x, dist)
    z = dist.rvs(size=400_000, random_state=np.random.default_rng(0))
    nn = x[np.argmin(np.abs(z[:, None] - x[None, :]), axis=1)]
    assert lim["emmse"] == pytest.approx(np.mean((z - nn) ** 2), rel=0.02)
    assert lim["min_cost"] == pytest.approx(np.mean((z - np.clip(z, x[0], x[-1])) ** 2), rel=0.02)


def _min_cost(s):
    """The min-cost denoiser at noise level s: rho = 2 s, capped at half of each half-gap."""
    return mnd.capped_min_cost_denoiser(X_TR, 2.0 * s, 0.5)


def _emmse(s):
    return mnd.emmse(X_TR, s)


def test_mse_at_low_and_high_noise():
    sig = np.array([0.02, 0.1, 2.5])
    mc = [mnd.metrics.heldout_mse(_min_cost(s), DIST, s) for s in sig]
    em = [mnd.metrics.heldout_mse(_emmse(s), DIST, s) for s in sig]
    assert mc[0] < em[0] / 4  # low noise: min-cost far better than eMMSE
    assert mc[-1] > em[-1]  # high noise: eMMSE better
    assert mnd.metrics.heldout_mse(lambda y: y, DIST, 0.1) == pytest.approx(0.1**2, rel=1e-9)


def test_crossing_exists_and_is_a_sign_change():
    """The crossing (c = 2, kappa = 1/2), and an independent paired Monte Carlo check that the
    min-cost denoiser is better below it and worse above it."""
    s_x = mnd.metrics.mse_crossing(_min_cost, _emmse, DIST)
    assert 0.8 < s_x < 1.2

    def diff(s, **quad):
        return (mnd.metrics.heldout_mse(_min_cost(s), DIST, s, **quad)
                - mnd.metrics.heldout_mse(_emmse(s), DIST, s, **quad))

    assert abs(diff(s_x)) < 1e-6
    # a finer quadrature puts the sign change at the same place
    assert diff(0.97 * s_x, n_x=2000, n_t=321) < 0 < diff(1.03 * s_x, n_x=2000, n_t=321)
    rng = np.random.default_rng(5)
    for s, sign in ((0.5, -1), (2.0, +1)):
        x = DIST.rvs(size=400_000, random_state=rng)
        y = x + s * rng.standard_normal(x.size)
        d = (_min_cost(s)(y) - x) ** 2 - (_emmse(s)(y) - x) ** 2
        assert sign * d.mean() > 4 * d.std() / np.sqrt(d.size)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: mnd.metrics.heldout_mse("not a function", DIST, 0.1), "callable"),
        (lambda: mnd.metrics.heldout_mse(lambda y: y, DIST, -0.1), "sigma must be > 0"),
        (lambda: mnd.metrics.heldout_mse(lambda y: y[:3], DIST, 0.1), "shape"),
        (lambda: mnd.metrics.heldout_mse(lambda y: y, stats.poisson(2.0), 0.1), "continuous"),
        (lambda: mnd.metrics.heldout_mse(lambda y: y, DIST, 0.1, n_t=2), "n_t must be an integer >= 3"),
        (lambda: mnd.metrics.heldout_mse(lambda y: y, DIST, 0.1, n_x=0), "n_x must be an integer >= 1"),
        (lambda: mnd.metrics.heldout_mse_mc(None, DIST, 0.1), "callable"),
        (lambda: mnd.metrics.heldout_mse_mc(lambda y: y, DIST, 0.1, n=1), "n must be an integer >= 2"),
        (lambda: mnd.metrics.low_noise_limits([1.0], DIST), "at least 2"),
        (lambda: mnd.metrics.mse_crossing(_min_cost, _emmse, DIST, bracket=(0.01, 0.1)), "do not cross"),
        (lambda: mnd.metrics.mse_crossing(_min_cost, _emmse, DIST, bracket=(1.0, 0.5)), "low < high"),
        (lambda: mnd.metrics.mse_crossing(_min_cost, _emmse, DIST, bracket=(0.0, 0.5)),
         "bracket must be > 0"),
    ],
)
def test_mse_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- curvature cost


def test_curvature_cost():
    x = np.array([-3.0, -1.0, 0.5, 3.0])
    f = mnd.univariate(x, 0.4)
    g = np.linspace(-5, 5, 10001)  # contains every kink x_n +- 0.4 (step 0.001)
    assert mnd.metrics.curvature_cost(f, g) == pytest.approx(f.representation_cost(), rel=1e-9)
    assert mnd.metrics.curvature_cost(lambda y: 3 * y + 1, g) == pytest.approx(0.0, abs=1e-6)
    # eMMSE of two points: int |h''| = 2 max h' = 2 D^2 / (4 sigma^2) for the logistic step
    s = 0.5
    h = mnd.emmse(np.array([-1.0, 1.0]), s)
    assert mnd.metrics.curvature_cost(h, np.linspace(-6, 6, 120001)) == pytest.approx(2 * 4 / (4 * s**2), rel=1e-4)


@pytest.mark.parametrize(
    "h, grid, message",
    [
        ("f", np.linspace(0, 1, 5), "callable"),
        (lambda y: y, [0.0, 1.0], "at least 3"),
        (lambda y: y, [0.0, 2.0, 1.0], "strictly increasing"),
        (lambda y: y[:-1], np.linspace(0, 1, 5), "shape"),
    ],
)
def test_curvature_cost_errors(h, grid, message):
    with pytest.raises(ValueError, match=message):
        mnd.metrics.curvature_cost(h, grid)
