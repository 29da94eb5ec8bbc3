"""mnd.generalisation: test MSE on fresh points, low-noise limits and the crossing (chapter 2).

Every quadrature result is checked against an independent computation: exact formulas for the
identity and constant denoisers and for the low-noise limits on a uniform distribution, and
Monte Carlo (paired where differences matter) for eMMSE and the min-cost denoiser.
"""

import numpy as np
import pytest
from scipy import stats

import mnd
from mnd import generalisation as gen

DIST = gen.uniform(-5.0, 5.0)
X_TR = gen.sample_clean(DIST, 20, seed=0)  # the chapter's training set


# ----------------------------------------------------------------------------- data


def test_uniform_and_sample_clean():
    x = gen.sample_clean(DIST, 50, seed=3)
    assert x.shape == (50,) and np.all(np.diff(x) > 0)
    assert x.min() >= -5 and x.max() <= 5
    np.testing.assert_array_equal(x, gen.sample_clean(DIST, 50, seed=3))
    assert not np.array_equal(x, gen.sample_clean(DIST, 50, seed=4))
    assert DIST.mean() == pytest.approx(0.0) and DIST.var() == pytest.approx(100 / 12)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gen.uniform(1.0, 1.0), "low < high"),
        (lambda: gen.uniform(0.0, np.inf), "low < high"),
        (lambda: gen.sample_clean(DIST, 1), "n must be an integer >= 2"),
        (lambda: gen.sample_clean(DIST, 2.5), "n must be an integer >= 2"),
        (lambda: gen.sample_clean([0, 1], 5), "frozen continuous scipy.stats"),
        (lambda: gen.sample_clean(stats.poisson(3.0), 5), "frozen continuous scipy.stats|continuous distribution"),
    ],
)
def test_data_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- min-cost denoiser


def test_rho_from_sigma():
    assert gen.rho_from_sigma(0.3, 2.0) == pytest.approx(0.6)
    assert gen.rho_from_sigma(0.3) == pytest.approx(0.6)  # default c = 2
    with pytest.raises(ValueError, match="sigma must be > 0"):
        gen.rho_from_sigma(0.0)
    with pytest.raises(ValueError, match="c must be > 0"):
        gen.rho_from_sigma(0.1, c=-1.0)


def test_capped_radii_and_denoiser():
    x = np.array([0.0, 1.0, 1.2, 4.0])
    xs, rm, rp = gen.capped_radii(x[::-1], rho=0.3, kappa=0.5)
    np.testing.assert_array_equal(xs, x)
    np.testing.assert_allclose(rm, [0.3, 0.25, 0.05, 0.3])
    np.testing.assert_allclose(rp, [0.25, 0.05, 0.3, 0.3])
    f = gen.capped_min_cost_denoiser(x, 0.3, kappa=0.5)
    for xn, a, b in zip(xs, rm, rp):
        np.testing.assert_allclose(f(np.linspace(xn - a, xn + b, 7)), xn, atol=1e-12)
    # no ramp steeper than 1 / (1 - kappa)
    assert np.max(f.slopes()) <= 1 / (1 - 0.5) + 1e-12
    # cost formula sum 2 D_n / (D_n - r_n^+ - r_{n+1}^-)
    D = np.diff(x)
    assert f.representation_cost() == pytest.approx(np.sum(2 * D / (D - rp[:-1] - rm[1:])))


def test_min_cost_equals_proposition_1_when_balls_fit():
    x = np.array([-2.0, 0.0, 3.0])
    rho = 0.45  # 2 rho = 0.9 <= 0.5 * min gap = 1.0
    g = np.linspace(-4, 5, 2001)
    np.testing.assert_allclose(gen.capped_min_cost_denoiser(x, rho)(g), mnd.univariate(x, rho)(g), atol=1e-12)
    assert gen.min_cost_at_sigma(x, 0.15, c=3.0).representation_cost() == pytest.approx(mnd.univariate_cost(x, 0.45))


@pytest.mark.parametrize(
    "args, message",
    [
        (([0.0, 1.0], 0.1, 1.0), "kappa must be < 1"),
        (([0.0, 1.0], 0.1, 0.0), "kappa must be > 0"),
        (([0.0, 1.0], 0.0, 0.5), "rho must be > 0"),
        (([0.0], 0.1, 0.5), "at least two"),
        (([0.0, 0.0, 1.0], 0.1, 0.5), "distinct"),
        (([0.0, np.nan], 0.1, 0.5), "non-finite"),
    ],
)
def test_capped_radii_errors(args, message):
    with pytest.raises(ValueError, match=message):
        gen.capped_radii(*args)
    with pytest.raises(ValueError, match=message):
        gen.capped_min_cost_denoiser(*args)


# ----------------------------------------------------------------------------- test MSE


@pytest.mark.parametrize("sigma", [0.01, 0.3, 2.0])
def test_identity_mse_is_sigma_squared(sigma):
    assert gen.heldout_mse(lambda y: y, DIST, sigma) == pytest.approx(sigma**2, rel=1e-12)


def test_constant_denoiser_mse_is_second_moment():
    # h = 0: MSE = E x^2 = 100/12 for U[-5, 5], whatever the noise
    assert gen.heldout_mse(lambda y: 0 * y, DIST, 0.7) == pytest.approx(100 / 12, rel=1e-5)
    # and on a normal distribution N(1, 2^2): E x^2 = 5
    assert gen.heldout_mse(lambda y: 0 * y, stats.norm(1.0, 2.0), 0.7, n_x=4000) == pytest.approx(5.0, rel=2e-3)


@pytest.mark.parametrize("sigma", [0.05, 0.6])
def test_quadrature_matches_monte_carlo(sigma):
    for h in (mnd.emmse(X_TR, sigma), gen.min_cost_at_sigma(X_TR, sigma)):
        q = gen.heldout_mse(h, DIST, sigma)
        mc, se = gen.heldout_mse_mc(h, DIST, sigma, n=400_000, seed=11)
        assert abs(q - mc) < 5 * se


def test_monte_carlo_identity():
    mean, se = gen.heldout_mse_mc(lambda y: y, DIST, 0.4, n=100_000, seed=1)
    assert abs(mean - 0.16) < 5 * se


def _exact_limits_uniform(x, a=-5.0, b=5.0):
    """Closed forms for U[a, b]: nearest-point cells and the two uncovered ends."""
    edges = np.concatenate([[a], (x[:-1] + x[1:]) / 2, [b]])
    nn = sum(((edges[i + 1] - x[i]) ** 3 - (edges[i] - x[i]) ** 3) / 3 for i in range(x.size)) / (b - a)
    ends = ((x[0] - a) ** 3 + (b - x[-1]) ** 3) / 3 / (b - a)
    return nn, ends


def test_low_noise_limits_exact_and_approached():
    nn, ends = _exact_limits_uniform(X_TR)
    lim = gen.low_noise_limits(X_TR, DIST)
    assert lim["emmse"] == pytest.approx(nn, rel=1e-8)
    assert lim["min_cost"] == pytest.approx(ends, rel=1e-8)
    assert lim["min_cost"] < lim["emmse"] / 5
    s = 2e-3
    assert gen.heldout_mse(mnd.emmse(X_TR, s), DIST, s, n_x=4000) == pytest.approx(nn, rel=5e-3)
    assert gen.heldout_mse(gen.min_cost_at_sigma(X_TR, s), DIST, s, n_x=4000) == pytest.approx(ends, rel=0.05)


def test_low_noise_limits_normal_distribution():
    x = np.array([-1.0, 0.5, 2.0])
    dist = stats.norm(0.0, 1.0)
    lim = gen.low_noise_limits(x, dist)
    z = dist.rvs(size=400_000, random_state=np.random.default_rng(0))
    nn = x[np.argmin(np.abs(z[:, None] - x[None, :]), axis=1)]
    assert lim["emmse"] == pytest.approx(np.mean((z - nn) ** 2), rel=0.02)
    assert lim["min_cost"] == pytest.approx(np.mean((z - np.clip(z, x[0], x[-1])) ** 2), rel=0.02)


def test_mse_curves():
    sig = np.array([0.02, 0.1, 2.5])
    cur = gen.mse_curves(X_TR, DIST, sig, c=2.0)
    assert set(cur) == {"sigma", "emmse", "min_cost", "identity"}
    np.testing.assert_allclose(cur["identity"], sig**2)
    assert cur["min_cost"][0] < cur["emmse"][0] / 4  # low noise: min-cost far better
    assert cur["min_cost"][-1] > cur["emmse"][-1]  # high noise: eMMSE better
    assert cur["emmse"][1] == pytest.approx(gen.heldout_mse(mnd.emmse(X_TR, 0.1), DIST, 0.1))


def test_crossing_exists_and_is_a_sign_change():
    """The chapter's crossing (c = 2, kappa = 1/2), and an independent paired Monte Carlo check that
    the min-cost denoiser is better below it and worse above it."""
    s_x = gen.crossing_sigma(X_TR, DIST, c=2.0, kappa=0.5)
    assert 0.8 < s_x < 1.2

    def diff(s, **quad):
        return gen.heldout_mse(gen.min_cost_at_sigma(X_TR, s), DIST, s, **quad) - gen.heldout_mse(
            mnd.emmse(X_TR, s), DIST, s, **quad)

    assert abs(diff(s_x)) < 1e-6
    # a finer quadrature puts the sign change at the same place
    assert diff(0.97 * s_x, n_x=2000, n_t=321) < 0 < diff(1.03 * s_x, n_x=2000, n_t=321)
    rng = np.random.default_rng(5)
    for s, sign in ((0.5, -1), (2.0, +1)):
        x = DIST.rvs(size=400_000, random_state=rng)
        y = x + s * rng.standard_normal(x.size)
        d = (gen.min_cost_at_sigma(X_TR, s)(y) - x) ** 2 - (mnd.emmse(X_TR, s)(y) - x) ** 2
        assert sign * d.mean() > 4 * d.std() / np.sqrt(d.size)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gen.heldout_mse("not a function", DIST, 0.1), "callable"),
        (lambda: gen.heldout_mse(lambda y: y, DIST, -0.1), "sigma must be > 0"),
        (lambda: gen.heldout_mse(lambda y: y[:3], DIST, 0.1), "shape"),
        (lambda: gen.heldout_mse(lambda y: y, stats.poisson(2.0), 0.1), "continuous"),
        (lambda: gen.heldout_mse(lambda y: y, DIST, 0.1, n_t=2), "n_t must be an integer >= 3"),
        (lambda: gen.heldout_mse(lambda y: y, DIST, 0.1, n_x=0), "n_x must be an integer >= 1"),
        (lambda: gen.heldout_mse_mc(None, DIST, 0.1), "callable"),
        (lambda: gen.heldout_mse_mc(lambda y: y, DIST, 0.1, n=1), "n must be an integer >= 2"),
        (lambda: gen.low_noise_limits([1.0], DIST), "at least two"),
        (lambda: gen.mse_curves(X_TR, DIST, []), "non-empty"),
        (lambda: gen.mse_curves(X_TR, DIST, [0.1, -0.2]), "positive"),
        (lambda: gen.crossing_sigma(X_TR, DIST, bracket=(0.01, 0.1)), "do not cross"),
        (lambda: gen.crossing_sigma(X_TR, DIST, bracket=(1.0, 0.5)), "low < high"),
        (lambda: gen.crossing_sigma(X_TR, DIST, bracket=(0.0, 0.5)), "bracket must be > 0"),
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
    assert gen.curvature_cost(f, g) == pytest.approx(f.representation_cost(), rel=1e-9)
    assert gen.curvature_cost(lambda y: 3 * y + 1, g) == pytest.approx(0.0, abs=1e-6)
    # eMMSE of two points: int |h''| = 2 max h' = 2 D^2 / (4 sigma^2) for the logistic step
    s = 0.5
    h = mnd.emmse(np.array([-1.0, 1.0]), s)
    assert gen.curvature_cost(h, np.linspace(-6, 6, 120001)) == pytest.approx(2 * 4 / (4 * s**2), rel=1e-4)


@pytest.mark.parametrize(
    "h, grid, message",
    [
        ("f", np.linspace(0, 1, 5), "callable"),
        (lambda y: y, [0.0, 1.0], "at least three"),
        (lambda y: y, [0.0, 2.0, 1.0], "strictly increasing"),
        (lambda y: y[:-1], np.linspace(0, 1, 5), "shape"),
    ],
)
def test_curvature_cost_errors(h, grid, message):
    with pytest.raises(ValueError, match=message):
        gen.curvature_cost(h, grid)


def test_numpy_only_modules_do_not_import_torch():
    import subprocess
    import sys

    code = "import sys, mnd.generalisation, mnd.radius; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
