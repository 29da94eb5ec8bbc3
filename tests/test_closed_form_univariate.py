"""Proposition 1 (mnd.univariate) against exact values, the definition and an independent LP."""

import numpy as np
import pytest
from hypothesis import given

import mnd
from mnd.metrics import contraction_margin
from mnd.certify import univariate_lp

from strategies import univariate_problem


def test_exact_values_on_paper_data():
    x = np.linspace(-5, 5, 4)  # gaps 10/3
    f = mnd.univariate(x, 0.5)
    D = 10 / 3
    assert f.representation_cost() == pytest.approx(3 * 2 * D / (D - 1.0), rel=1e-14)
    # plateaus, ends, midpoints
    np.testing.assert_allclose(f(np.array([-100, -5.5, -4.5, 0.0, 5.5, 100])), [-5, -5, -5, 0.0, 5, 5], atol=1e-12)
    # slope D/(D - 2 rho) inside the middle ramp
    assert (f(np.array([0.1]))[0] - f(np.array([0.0]))[0]) / 0.1 == pytest.approx(D / (D - 1.0))


@given(univariate_problem())
def test_interpolates_on_balls_and_is_constant_beyond_ends(problem):
    x, rho = problem
    f = mnd.univariate(x, rho)
    for xn in x:
        ball = np.linspace(xn - rho, xn + rho, 11)
        np.testing.assert_allclose(f(ball), xn, atol=1e-9)
    xs = np.sort(x)
    np.testing.assert_allclose(f(np.array([xs[0] - 10, xs[-1] + 10])), [xs[0], xs[-1]], atol=1e-12)


@given(univariate_problem())
def test_cost_formula(problem):
    x, rho = problem
    D = np.diff(np.sort(x))
    assert mnd.univariate(x, rho).representation_cost() == pytest.approx(np.sum(2 * D / (D - 2 * rho)), rel=1e-12)


@given(univariate_problem(max_points=6))
def test_matches_independent_lp(problem):
    """The LP minimises int|f''| over all piecewise-linear f on a grid, knowing nothing of Prop. 1."""
    x, rho = problem
    f = mnd.univariate(x, rho)
    lp = univariate_lp(x, rho, spacing=0.02)
    assert lp.cost == pytest.approx(f.representation_cost(), rel=1e-6)
    grid = np.linspace(x.min() - 2, x.max() + 2, 3001)
    # Values agree up to the LP's solver tolerance (uniqueness of the minimiser).
    assert np.max(np.abs(lp(grid) - f(grid))) < 1e-5 * (1 + np.ptp(x))


@given(univariate_problem(max_points=5))
def test_uniform_grid_lp_converges_to_closed_form(problem):
    """Without the ball ends on the grid the LP is only O(spacing) accurate, from below."""
    x, rho = problem
    rho = max(rho, 0.03)  # the uniform grid must put nodes in every ball (spacing 0.01)
    exact = mnd.univariate(x, rho).representation_cost()
    coarse = univariate_lp(x, rho, spacing=0.01, include_ball_ends=False).cost
    assert coarse <= exact * (1 + 1e-7)
    D = np.diff(np.sort(x))
    # Plateaus can shrink by at most one spacing at each end: cost with 2 rho - 2h in place of 2 rho.
    lower = np.sum(2 * D / (D - 2 * rho + 2 * 0.01))
    assert coarse >= lower * (1 - 1e-7)


@given(univariate_problem())
def test_contraction_towards_nearest_clean_point(problem):
    x, rho = problem
    f = mnd.univariate(x, rho)
    y = np.linspace(x.min() - 3, x.max() + 3, 5001)
    assert contraction_margin(f, x, y).min() >= -1e-9


def test_unsorted_input_is_sorted():
    x = np.array([3.0, -1.0, 1.0])
    f1, f2 = mnd.univariate(x, 0.2), mnd.univariate(np.sort(x), 0.2)
    y = np.linspace(-3, 5, 101)
    np.testing.assert_array_equal(f1(y), f2(y))


@pytest.mark.parametrize(
    "x, rho, message",
    [
        ([0.0, 1.0, 1.0], 0.1, "distinct"),
        ([0.0], 0.1, "at least 2"),
        ([0.0, 1.0], 0.0, "rho must be > 0"),
        ([0.0, 1.0], -1.0, "rho must be > 0"),
        ([0.0, 1.0, 1.5], 0.25, "closer than 2\\*rho"),
        ([0.0, 1.0, 1.5], 0.3, "closer than 2\\*rho"),
        ([0.0, np.nan], 0.1, "non-finite"),
        ([0.0, np.inf], 0.1, "non-finite"),
        ([0.0, 1.0], np.inf, "finite"),
        (np.zeros((2, 2)), 0.1, "shape"),
    ],
)
def test_invalid_input_raises(x, rho, message):
    with pytest.raises(ValueError, match=message):
        mnd.univariate(x, rho)


def test_rho_type_error():
    with pytest.raises(TypeError, match="rho"):
        mnd.univariate([0.0, 1.0], "0.1")


def test_intervals_version_matches_rho_version():
    x = np.array([0.0, 2.0, 5.0])
    a = mnd.univariate(x, 0.3)
    b = mnd.univariate_intervals(x, x - 0.3, x + 0.3)
    y = np.linspace(-2, 7, 301)
    np.testing.assert_allclose(a(y), b(y))


def test_intervals_asymmetric_cost_and_errors():
    x = np.array([0.0, 1.0])
    f = mnd.univariate_intervals(x, [-0.1, 0.8], [0.3, 1.2])
    assert f.representation_cost() == pytest.approx(2 * 1.0 / (0.8 - 0.3))
    with pytest.raises(ValueError, match="overlap"):
        mnd.univariate_intervals(x, [-0.1, 0.2], [0.3, 1.2])
    with pytest.raises(ValueError, match="empty"):
        mnd.univariate_intervals(x, [0.5, 0.8], [0.3, 1.2])
    with pytest.raises(ValueError, match="same length"):
        mnd.univariate_intervals(x, [0.5, 0.8, 1.0], [0.3, 1.2])


# ----------------------------------------------------------------------------- capped radii (points closer than 2 rho)


def test_capped_radii_and_denoiser():
    x = np.array([0.0, 1.0, 1.2, 4.0])
    xs, rm, rp = mnd.closed_form.capped_radii(x[::-1], rho=0.3, kappa=0.5)
    np.testing.assert_array_equal(xs, x)
    np.testing.assert_allclose(rm, [0.3, 0.25, 0.05, 0.3])
    np.testing.assert_allclose(rp, [0.25, 0.05, 0.3, 0.3])
    f = mnd.closed_form.capped_min_cost_denoiser(x, 0.3, kappa=0.5)
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
    np.testing.assert_allclose(mnd.closed_form.capped_min_cost_denoiser(x, rho)(g), mnd.univariate(x, rho)(g), atol=1e-12)
    assert mnd.capped_min_cost_denoiser(x, 3.0 * 0.15).representation_cost() == pytest.approx(mnd.univariate_cost(x, 0.45))


@pytest.mark.parametrize(
    "args, message",
    [
        (([0.0, 1.0], 0.1, 1.0), r"kappa must be in \(0, 1\)"),
        (([0.0, 1.0], 0.1, 0.0), r"kappa must be in \(0, 1\)"),
        (([0.0, 1.0], 0.0, 0.5), "rho must be > 0"),
        (([0.0], 0.1, 0.5), "at least 2"),
        (([0.0, 0.0, 1.0], 0.1, 0.5), "distinct"),
        (([0.0, np.nan], 0.1, 0.5), "non-finite"),
    ],
)
def test_capped_radii_errors(args, message):
    with pytest.raises(ValueError, match=message):
        mnd.closed_form.capped_radii(*args)
    with pytest.raises(ValueError, match=message):
        mnd.closed_form.capped_min_cost_denoiser(*args)

