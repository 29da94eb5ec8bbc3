"""The dictionary conic program (mnd.optimal.dictionary_min_cost) against the closed forms.

Stated accuracy (module docstring of mnd.dictionary): ``lower_bound <= true minimum <= cost``
rigorously (up to the solver's 1e-8 tolerances), and with the default knobs in 2D the bracket is
about 1e-5 wide relative. So for a closed form ``R*`` that is the minimum we check
``lower_bound <= R* (1 + 1e-7)``, ``cost >= R* (1 - 1e-7)`` and ``cost - lower_bound <= 1e-4 cost``.
"""

import numpy as np
import pytest

import mnd
from mnd import metrics
from mnd.certify.conic import _solve_socp
from mnd.certify.dictionary import (
    direction_grid, grid_units, multitangent_directions, sampled_points, tangent_points, tangent_units,
)
from mnd.certify.dual import certify_dual
from mnd.closed_form import facet_normal_cost
from mnd.certify import DictionarySolution, dictionary_min_cost

SOLVER = 1e-7  # relative slack for the solver's tolerances
BRACKET = 1e-4  # stated width of [lower_bound, cost] with the default knobs in 2D


def equilateral():
    ang = np.pi / 2 + np.array([0, 2 * np.pi / 3, 4 * np.pi / 3])
    return np.column_stack([np.cos(ang), np.sin(ang)])


def obtuse_120():
    a = np.radians(120)
    return np.array([[0.0, 0.0], [1.3, 0.0], [1.3 * np.cos(a), 1.3 * np.sin(a)]])


def random_obtuse_triangle(rng):
    ang = np.radians(rng.uniform(92, 165))
    L1, L2 = rng.uniform(0.8, 2.0, 2)
    rot = rng.uniform(0, 2 * np.pi)
    R = np.array([[np.cos(rot), -np.sin(rot)], [np.sin(rot), np.cos(rot)]])
    V = np.array([[L1, 0.0], [L2 * np.cos(ang), L2 * np.sin(ang)]]) @ R.T
    X = np.concatenate([[[0.0, 0.0]], V]) + rng.standard_normal(2)
    return X[rng.permutation(3)]


def check_bracket(sol: DictionarySolution, R: float):
    assert sol.status == "optimal"
    assert sol.lower_bound <= R * (1 + SOLVER)
    assert sol.cost >= R * (1 - SOLVER)
    assert sol.cost - sol.lower_bound <= BRACKET * sol.cost


@pytest.mark.parametrize("name, X, R", [("equilateral", equilateral(), 6 / 1.1), ("obtuse", obtuse_120(), 52 / 9)])
def test_reference_triangles(name, X, R):
    sol = dictionary_min_cost(X, 0.2)
    check_bracket(sol, R)
    assert sol.cost == pytest.approx(mnd.min_cost_denoiser(X, 0.2).representation_cost(), rel=BRACKET)


@pytest.mark.parametrize("seed", [0, 1])
def test_random_obtuse_triangle(seed):
    rng = np.random.default_rng(seed)
    X = random_obtuse_triangle(rng)
    rho = 0.15
    h = mnd.obtuse_simplex(X, rho)
    sol = dictionary_min_cost(X, rho)
    check_bracket(sol, h.representation_cost())
    # the optimum's costly units follow the closed form's directions (bend lines perpendicular to the edges)
    from mnd.alignment import unit_alignment

    assert isinstance(sol, mnd.ReluNet)  # the certificate's network is a ReluNet
    assert unit_alignment(sol, h, rel_tol=0.05).max_angle < 1.0


def test_with_closed_form_units_certificate():
    for X, h in ((equilateral(), mnd.equilateral_simplex(equilateral(), 0.2)), (obtuse_120(), mnd.obtuse_simplex(obtuse_120(), 0.2))):
        R = h.representation_cost()
        sol = dictionary_min_cost(X, 0.2, n_directions=180, extra_units=h)
        assert sol.cost <= R * (1 + SOLVER)  # the closed form is feasible
        assert sol.cost >= R * (1 - 1e-6)  # and nothing cheaper exists
        assert sol.lower_bound <= sol.cost * (1 + SOLVER)
        assert sol.extra.any()
        assert 0 < sol.extra_cost <= sol.cost * (1 + SOLVER)


def test_network_interpolates_constraint_points_and_balls():
    X = obtuse_120()
    sol = dictionary_min_cost(X, 0.2, n_directions=180, certify=False)
    assert sol.residual < 1e-6
    np.testing.assert_allclose(sol(sol.points), sol.targets, atol=1e-6)
    # tangent dictionary: every unit is affine on every ball, so the whole ball is interpolated
    assert metrics.interpolation_error(sol, X, 0.2, m=300) < 1e-5
    assert sol.cost == pytest.approx(sol.unit_costs().sum())


def test_two_points_match_univariate_formula():
    X = np.array([[0.3, -0.2], [1.5, 0.7]])
    D = np.linalg.norm(X[1] - X[0])
    rho = 0.25
    R = 2 * D / (D - 2 * rho)
    sol = dictionary_min_cost(X, rho)
    check_bracket(sol, R)


def test_acute_triangle_matches_facet_normal_candidate():
    X = np.array([[0.0, 0.0], [1.5, 0.0], [0.4, 1.2]])
    sol = dictionary_min_cost(X, 0.2)
    R = facet_normal_cost(X, 0.2)
    check_bracket(sol, R)


def test_solution_helpers():
    X = equilateral()
    sol = dictionary_min_cost(X, 0.2, n_directions=90)
    assert sol.gap >= -SOLVER
    assert sol.extra_cost == 0.0
    groups = sol.direction_costs()
    assert sum(c for _, c in groups) == pytest.approx(sol.unit_costs()[sol.active(1e-3)].sum())
    sub = sol.units(sol.active(1e-3))
    assert sub.W.shape[0] == sub.b.shape[0] == sub.A.shape[1] == len(sol.active(1e-3))
    assert sub.representation_cost() == pytest.approx(sol.unit_costs()[sol.active(1e-3)].sum())
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        sol(np.zeros(3))
    uncertified = dictionary_min_cost(X, 0.2, n_directions=90, certify=False, refine=0)
    assert uncertified.lower_bound is None and uncertified.gap is None


def test_grid_mode_runs_and_is_uncertified():
    X = obtuse_120()
    sol = dictionary_min_cost(X, 0.2, n_directions=24, offsets="grid", n_offsets=8, n_boundary=8, n_interior=0)
    assert sol.lower_bound is None
    assert sol.residual < 1e-6
    assert sol.points.shape == (3 * 9, 2)


def test_three_dimensions():
    X = np.array([[0.0, 0.0, 0.0], [1.2, 0.0, 0.0], [-0.3, 1.1, 0.0], [-0.2, -0.3, 1.0]])
    R = mnd.obtuse_simplex(X, 0.2).representation_cost()
    sol = dictionary_min_cost(X, 0.2, n_directions=300, refine=2)
    assert sol.cost >= R * (1 - SOLVER)
    assert sol.cost <= R * 1.01
    assert metrics.interpolation_error(sol, X, 0.2, m=100) < 1e-5


def test_certificate_is_valid_for_any_multipliers():
    # weak duality: any Lambda gives a lower bound, so never above the true minimum
    rng = np.random.default_rng(5)
    X = obtuse_120()
    Y, T = tangent_points(X, 0.2)
    for _ in range(3):
        lb, gamma = certify_dual(X, 0.2, Y, T, rng.standard_normal(Y.shape), rtol=1e-3)
        assert lb <= 52 / 9 * (1 + SOLVER)
        assert gamma > 0


def test_direction_grid_shapes():
    assert np.allclose(np.linalg.norm(direction_grid(2, 7), axis=1), 1)
    assert np.allclose(np.linalg.norm(direction_grid(3, 50), axis=1), 1)
    with pytest.raises(ValueError, match="d = 2 or 3"):
        direction_grid(4, 10)


def test_dictionary_that_cannot_interpolate():
    Y, T = tangent_points(obtuse_120(), 0.2)
    with pytest.raises(ValueError, match="cannot interpolate"):
        _solve_socp(np.zeros((len(Y), 1)), Y, T, {})


def _W(kind):
    h = mnd.obtuse_simplex(obtuse_120(), 0.2)
    net = h.to_relu_net()
    W, b = net.W, net.b
    if kind == "cut":
        return (W, b - 0.1 * np.linalg.norm(W, axis=1))
    if kind == "zero":
        return (np.zeros_like(W), b)
    if kind == "shape":
        return (W[:, :1], b)
    return W


@pytest.mark.parametrize(
    "X, rho, kw, message",
    [
        (np.array([0.0, 1.0, 2.0]), 0.1, {}, r"shape \(N, d\)"),
        (np.array([[0.0, 0.0]]), 0.1, {}, r"N >= 2"),
        (np.array([[0.0], [1.0]]), 0.1, {}, "d = 2 or d = 3"),
        (np.zeros((3, 4)) + np.eye(3, 4), 0.1, {}, "d = 2 or d = 3"),
        (obtuse_120(), 0.0, {}, "rho must be > 0"),
        (obtuse_120(), 0.7, {}, "balls overlap"),
        (np.array([[0.0, 0.0], [np.nan, 1.0]]), 0.1, {}, "non-finite"),
        (obtuse_120(), 0.2, {"n_directions": 4}, "n_directions must be between"),
        (obtuse_120(), 0.2, {"n_directions": 90.5}, "n_directions must be an integer"),
        (obtuse_120(), 0.2, {"n_directions": True}, "n_directions must be an integer"),
        (obtuse_120(), 0.2, {"offsets": "random"}, "offsets must be one of"),
        (obtuse_120(), 0.2, {"offsets": "grid", "n_offsets": 0}, "n_offsets must be between"),
        (obtuse_120(), 0.2, {"offsets": "grid", "n_boundary": 3}, "n_boundary must be between"),
        (obtuse_120(), 0.2, {"offsets": "grid", "n_interior": -1}, "n_interior must be between"),
        (obtuse_120(), 0.2, {"cert_rtol": 0.0}, "cert_rtol must be > 0"),
        (obtuse_120(), 0.2, {"refine": -1}, "refine must be between"),
        (obtuse_120(), 0.2, {"extra_units": "shape"}, "extra_units W must have shape"),
        (obtuse_120(), 0.2, {"extra_units": "zero"}, "non-zero direction"),
        (obtuse_120(), 0.2, {"extra_units": "cut"}, "cuts the ball"),
    ],
)
def test_errors(X, rho, kw, message):
    if isinstance(kw.get("extra_units"), str) and kw["extra_units"] != "units":
        kw = dict(kw, extra_units=_W(kw["extra_units"]))
    with pytest.raises(ValueError, match=message):
        dictionary_min_cost(X, rho, **kw)


def test_extra_units_of_the_wrong_type():
    with pytest.raises(TypeError, match="extra_units must be a network"):
        dictionary_min_cost(obtuse_120(), 0.2, extra_units="units")


def test_equilateral_formula_is_beaten_at_large_rho():
    # Above about 0.6613 Rc the conic program finds an exact interpolant cheaper than the formula.
    X = equilateral()
    with pytest.warns(UserWarning, match="not the minimiser"):
        R = mnd.equilateral_simplex(X, 0.7).representation_cost()
    sol = dictionary_min_cost(X, 0.7)
    assert sol.cost < 0.98 * R
    assert metrics.interpolation_error(sol, X, 0.7, m=300) < 1e-5
    assert sol.lower_bound <= sol.cost
    # and just below the threshold they agree
    R = mnd.equilateral_simplex(X, 0.66).representation_cost()
    check_bracket(dictionary_min_cost(X, 0.66), R)


def test_multitangent_directions_touch_d_balls():
    X = obtuse_120()
    W = multitangent_directions(X, 0.2)
    assert W.shape == (3 * 6, 2)  # per pair: two outer and four inner common tangents
    for w in W:
        t = X @ w
        touching = [(n, s) for n in range(3) for s in (1, -1)]
        # some offset is a touching position of two balls at once
        offs = np.array([t[n] + s * 0.2 for n, s in touching])
        diffs = np.abs(offs[:, None] - offs[None, :]) + np.eye(len(offs)) * 9
        pairs = np.argwhere(diffs < 1e-9)
        assert any(touching[i][0] != touching[j][0] for i, j in pairs)
    Xt = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / np.sqrt(3)
    W3 = multitangent_directions(Xt, 0.2)
    assert W3.shape[1] == 3 and len(W3) > 0
    np.testing.assert_allclose(np.linalg.norm(W3, axis=1), 1)
    assert multitangent_directions(np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]), 0.2).shape == (0, 3)


def test_tangent_units_touch_and_do_not_cut():
    X = equilateral()
    W, b = tangent_units(X, 0.2, direction_grid(2, 60))
    dist = W @ X.T + b[:, None]  # signed distance of each centre to each unit's line
    assert np.all(np.abs(dist) >= 0.2 - 1e-12)  # no ball is cut
    assert np.all(np.isclose(np.abs(dist), 0.2).any(axis=1))  # every line touches a ball
    side = dist > 0
    assert np.all(side.any(axis=1) & ~side.all(axis=1))  # none is zero or affine on every ball


def test_grid_helpers():
    X = obtuse_120()
    Y, T = sampled_points(X, 0.2, 8, 4)
    assert Y.shape == (3 * 13, 2) and T.shape == Y.shape
    np.testing.assert_allclose(np.linalg.norm(Y - T, axis=1).max(), 0.2)
    W, b = grid_units(Y, direction_grid(2, 10), 5)
    assert W.shape == (50, 2) and b.shape == (50,)


def test_plain_grid_is_worse_for_the_equilateral_triangle():
    X = equilateral()
    R = 6 / 1.1
    plain = dictionary_min_cost(X, 0.2, n_directions=48, refine=0, multitangent=False)
    touching = dictionary_min_cost(X, 0.2, n_directions=48, refine=0)
    assert plain.cost > R * 1.01  # a tilted start line touches only one of the two balls
    assert touching.cost == pytest.approx(R, rel=1e-6)
    assert plain.settings["multitangent"] is False


def test_three_dimensional_certificate():
    # the cube-sphere branch and bound (coarse tolerance to stay fast): a valid, informative bound
    X = np.array([[0.0, 0.0, 0.0], [1.2, 0.0, 0.0], [-0.3, 1.1, 0.0], [-0.2, -0.3, 1.0]])
    R = mnd.obtuse_simplex(X, 0.2).representation_cost()
    sol = dictionary_min_cost(X, 0.2, n_directions=200, refine=2, certify=True, cert_rtol=0.05)
    assert 0.9 * R <= sol.lower_bound <= R * (1 + SOLVER) <= sol.cost * (1 + SOLVER)
