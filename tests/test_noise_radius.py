"""mnd.radius: reading rho off the noise (chapter 2), against exact values, Monte Carlo and brute force."""

import numpy as np
import pytest

import mnd
from mnd import data
from mnd import noise_radius as radius
from mnd.noise_radius import expected_max_normal, offline_radius

X4 = np.linspace(-5, 5, 4)


def test_sample_hulls_match_direct_computation():
    Y, T = data.noisy_samples(X4, 0.3, 50, seed=2)
    lo, hi = radius.sample_hulls(Y, T, X4)
    for n, xn in enumerate(X4):
        block = Y[n * 50:(n + 1) * 50]  # rows are grouped by clean point
        assert lo[n] == block.min() and hi[n] == block.max()
    target = mnd.univariate_intervals(X4, lo, hi)
    np.testing.assert_allclose(target(Y), T, atol=1e-12)  # the hull target maps every sample home


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros(3), np.zeros(2), X4), "same length"),
        ((np.zeros(2), np.array([1.0, 1.0]), np.array([1.0, 2.0])), "no samples have target x = 2"),
        ((np.array([np.nan]), np.array([1.0]), np.array([1.0])), "non-finite"),
    ],
)
def test_sample_hulls_errors(args, message):
    with pytest.raises(ValueError, match=message):
        radius.sample_hulls(*args)


def test_expected_max_normal_exact_values_and_monte_carlo():
    assert radius.expected_max_normal(1) == 0.0
    assert radius.expected_max_normal(2) == pytest.approx(1 / np.sqrt(np.pi), rel=1e-10)
    assert radius.expected_max_normal(3) == pytest.approx(3 / (2 * np.sqrt(np.pi)), rel=1e-10)
    z = np.random.default_rng(0).standard_normal((20_000, 200)).max(axis=1)
    assert radius.expected_max_normal(200) == pytest.approx(z.mean(), abs=4 * z.std() / np.sqrt(z.size))
    assert radius.expected_max_normal(200) == pytest.approx(2.746, abs=1e-3)


@pytest.mark.parametrize("M", [0, -3, 2.0, True])
def test_expected_max_normal_errors(M):
    with pytest.raises(ValueError, match="M must be a positive integer"):
        radius.expected_max_normal(M)


def test_online_objective_against_monte_carlo():
    sigma, lam, rho = 0.3, 1e-3, 0.6
    J, fit = radius.online_objective(X4, sigma, lam, rho)
    f = mnd.univariate(X4, rho)
    assert J == pytest.approx(fit + lam * f.representation_cost(), rel=1e-12)
    rng = np.random.default_rng(3)
    eps = sigma * rng.standard_normal((4, 200_000))
    se = (f((X4[:, None] + eps).ravel()).reshape(eps.shape) - X4[:, None]) ** 2
    assert fit == pytest.approx(se.mean(), abs=5 * se.std() / np.sqrt(se.size))


def test_online_radius_is_the_brute_force_minimiser_and_grows_as_lambda_falls():
    sigma = 0.3
    radii = []
    for lam in (1e-2, 1e-3, 1e-4):
        r = radius.online_radius(X4, sigma, lam)
        rs = np.linspace(0.05, 1.6, 311)
        J = [radius.online_objective(X4, sigma, lam, q)[0] for q in rs]
        assert r == pytest.approx(rs[int(np.argmin(J))], abs=0.01)
        assert radius.online_objective(X4, sigma, lam, r)[0] <= min(J) + 1e-12
        radii.append(r)
    assert radii[0] < radii[1] < radii[2] < (10 / 3) / 2


@pytest.mark.parametrize(
    "args, message",
    [
        ((X4, 0.3, 0.0), "lam must be > 0"),
        ((X4, -0.3, 1e-3), "sigma must be > 0"),
        ((np.array([0.0]), 0.3, 1e-3), "at least 2"),
        ((np.array([0.0, 0.0, 1.0]), 0.3, 1e-3), "distinct"),
    ],
)
def test_online_radius_errors(args, message):
    with pytest.raises(ValueError, match=message):
        radius.online_radius(*args)


def test_online_objective_errors():
    with pytest.raises(ValueError, match="lam must be >= 0|lam must be finite"):
        radius.online_objective(X4, 0.3, -1.0, 0.5)
    with pytest.raises(ValueError, match="closer than 2\\*rho"):
        radius.online_objective(X4, 0.3, 1e-3, 2.0)


@pytest.mark.parametrize("rho0", [0.2, 0.9, 1.5])
def test_fit_radius_recovers_the_radius_of_a_closed_form(rho0):
    assert radius.fit_radius(mnd.univariate(X4, rho0), X4) == pytest.approx(rho0, abs=1e-4)


def test_fit_radius_on_irregular_data_and_custom_grid():
    x = np.array([-2.0, -0.5, 1.0, 4.0])
    g = np.linspace(-4, 6, 3001)
    assert radius.fit_radius(mnd.univariate(x, 0.3), x, g) == pytest.approx(0.3, abs=1e-4)


@pytest.mark.parametrize(
    "h, grid, message",
    [
        (None, None, "callable"),
        (lambda y: y, [0.0], "at least 3"),
        (lambda y: y[:2], None, "shape"),
    ],
)
def test_fit_radius_errors(h, grid, message):
    with pytest.raises(ValueError, match=message):
        radius.fit_radius(h, X4, grid)


def test_rho_from_sigma():
    assert mnd.noise_radius.rho_from_sigma(0.3, 2.0) == pytest.approx(0.6)
    assert mnd.noise_radius.rho_from_sigma(0.3) == pytest.approx(0.6)  # default c = 2
    with pytest.raises(ValueError, match="sigma must be > 0"):
        mnd.noise_radius.rho_from_sigma(0.0)
    with pytest.raises(ValueError, match="c must be > 0"):
        mnd.noise_radius.rho_from_sigma(0.1, c=-1.0)


# ----------------------------------------------------------------------------- offline_radius: the mean half-width of the sample hulls


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


def test_authors_radius_is_sigma_sqrt_2_ln_M_and_tracks_the_expected_maximum():
    from mnd.noise_radius import authors_radius, expected_max_normal

    assert authors_radius(0.05, 4096) == pytest.approx(0.05 * np.sqrt(2 * np.log(4096)), rel=1e-15)
    assert authors_radius(1.0, 2) == pytest.approx(np.sqrt(2 * np.log(2)))
    # the leading term of E max of M normals: above it for every M here, and the ratio -> 1 slowly
    ratios = [authors_radius(1.0, M) / expected_max_normal(M) for M in (10, 100, 1000, 10_000)]
    assert all(r > 1 for r in ratios) and ratios == sorted(ratios, reverse=True)
    for bad in (1, 0):
        with pytest.raises(ValueError, match="M"):
            authors_radius(1.0, bad)
    with pytest.raises(TypeError, match="M"):
        authors_radius(1.0, 2.5)
    with pytest.raises(ValueError, match="sigma"):
        authors_radius(-1.0, 10)
