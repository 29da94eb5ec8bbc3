import numpy as np
import pytest

from mnd.certify import univariate_lp


def test_two_points_exact_cost():
    # f rises by 1 over [0.2, 0.8]: int |f''| = 2 * slope = 2 / 0.6
    lp = univariate_lp([0.0, 1.0], 0.2, spacing=0.05)
    assert lp.cost == pytest.approx(2 / 0.6, rel=1e-8)
    assert lp.status.startswith("Optimization terminated")


def test_interpolation_constraints_hold():
    x = np.array([-2.0, 0.5, 3.0])
    lp = univariate_lp(x, 0.3, spacing=0.05)
    for xn in x:
        np.testing.assert_allclose(lp(np.linspace(xn - 0.3, xn + 0.3, 7)), xn, atol=1e-7)


def test_linear_extension_beyond_grid():
    lp = univariate_lp([0.0, 1.0], 0.2, spacing=0.05)
    far = lp(np.array([-50.0, 50.0]))
    np.testing.assert_allclose(far, [0.0, 1.0], atol=1e-6)


@pytest.mark.parametrize(
    "x, rho, spacing, message",
    [
        ([0.0, 0.5], 0.3, 0.01, "overlap"),
        ([0.0], 0.1, 0.01, "at least 2"),
        ([0.0, 0.0], 0.1, 0.01, "distinct"),
        ([0.0, 1.0], -0.1, 0.01, "rho must be > 0"),
        ([0.0, 1.0], 0.1, 0.0, "spacing must be > 0"),
        ([0.0, np.nan], 0.1, 0.01, "non-finite"),
        ([0.0, 1e6], 0.1, 1e-3, "too fine"),
    ],
)
def test_invalid_input(x, rho, spacing, message):
    with pytest.raises(ValueError, match=message):
        univariate_lp(x, rho, spacing=spacing)


def test_coarse_uniform_grid_is_refused():
    with pytest.raises(ValueError, match="too coarse"):
        univariate_lp([0.0, 1.0], 0.004, spacing=0.01, include_ball_ends=False)


def test_lp_solution_takes_scalars_columns_and_refuses_other_shapes():
    sol = univariate_lp(np.array([-2.0, 0.0, 3.0]), 0.3, spacing=0.05)
    y = np.array([-2.1, 0.1, 1.5, 5.0])
    assert isinstance(sol(0.1), float) and sol(0.1) == pytest.approx(sol(y)[1])
    np.testing.assert_array_equal(sol(y[:, None])[:, 0], sol(y))
    with pytest.raises(ValueError, match=r"y must have shape \(n,\) or \(n, 1\)"):
        sol(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="y contains non-finite"):
        sol(np.array([np.nan]))
