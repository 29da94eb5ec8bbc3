"""Closed forms in R^d: subspace, rays and the dispatcher min_cost_denoiser.

Every closed form is checked against quantities computed here without it: the per-ray (or
along-the-line) Proposition 1 cost ``sum 2 D / (D - 2 rho)`` from the gaps, the formula evaluated
point by point, exact interpolation on points sampled in and on every ball, the 1D linear
program of :mod:`mnd.optimal`, and (slow tests) networks trained by constraints.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mnd
from mnd import closed_form as cf
from mnd.metrics import interpolation_error
from mnd.certify import univariate_lp


# ----------------------------------------------------------------------------- helpers

def random_rotation(d: int, rng: np.random.Generator) -> np.ndarray:
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def simplex_directions(k: int) -> np.ndarray:
    """``k`` unit vectors in R^(k-1) with pairwise cosine -1/(k-1) (a regular simplex's vertices)."""
    E = np.eye(k) - 1.0 / k
    _, _, Vt = np.linalg.svd(E)
    D = E @ Vt[: k - 1].T
    return D / np.linalg.norm(D, axis=1, keepdims=True)


def prop1_cost(offsets: np.ndarray, rho: float) -> float:
    D = np.diff(np.sort(offsets))
    return float(np.sum(2 * D / (D - 2 * rho)))


def clip01(t):
    return np.clip(t, 0.0, 1.0)


def rays_reference(x0, dirs, offsets, rho, Y):
    """``x0 + sum_j u_j f_j(u_j.(y - x0))``, f_j written out from Proposition 1 (no mnd code)."""
    out = np.tile(x0, (Y.shape[0], 1)).astype(float)
    for u, t in zip(dirs, offsets):
        s = (Y - x0) @ u
        knots = np.concatenate([[0.0], np.sort(t)])
        f = np.zeros(Y.shape[0])
        for a, b in zip(knots[:-1], knots[1:]):
            f += (b - a) * clip01((s - a - rho) / (b - a - 2 * rho))
        out += f[:, None] * u
    return out


def ball_grid(X: np.ndarray, rho: float, m: int = 40, seed: int = 7) -> np.ndarray:
    """Random points in the balls plus +-rho along every coordinate and along random directions."""
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    g = rng.standard_normal((X.shape[0], m, d))
    g /= np.linalg.norm(g, axis=2, keepdims=True)
    r = rho * np.concatenate([np.ones((X.shape[0], m // 2, 1)), rng.uniform(size=(X.shape[0], m - m // 2, 1))], axis=1)
    return (X[:, None, :] + g * r).reshape(-1, d)


@st.composite
def rays_problem(draw):
    """Points on rays from an apex meeting at >= 90 degrees, shuffled; returns everything needed
    to build the reference: (X, apex index (maybe negative), x0, dirs, offsets per ray, rho)."""
    d = draw(st.integers(2, 4))
    kind = draw(st.sampled_from(["orthogonal", "simplex", "angles2d"]))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    if kind == "orthogonal":  # rays along +-q_i: pairwise 90 or 180 degrees
        Q = random_rotation(d, rng)
        cand = np.concatenate([Q.T, -Q.T])
        k = draw(st.integers(1, 2 * d))
        idx = draw(st.permutations(list(range(2 * d))))[:k]
        dirs = cand[np.asarray(idx)]
    elif kind == "simplex":  # k <= d + 1 rays with pairwise angle arccos(-1/(k-1)) > 90
        k = draw(st.integers(2, d + 1))
        S = simplex_directions(k)
        dirs = np.pad(S, ((0, 0), (0, d - S.shape[1]))) @ random_rotation(d, rng).T
    else:  # planar rays with cyclic angular gaps >= 90 degrees (exactly 90 allowed)
        k = draw(st.integers(2, 4))
        extra = draw(st.lists(st.sampled_from([0.0, 0.0, 7.0, 23.5, 45.0]), min_size=k, max_size=k))
        gaps = np.full(k, 90.0) + np.asarray(extra)
        gaps = gaps * (360.0 / gaps.sum()) if gaps.sum() > 360 else gaps
        if k == 4:
            gaps = np.full(4, 90.0)
        ang = np.deg2rad(draw(st.floats(0, 360)) + np.concatenate([[0.0], np.cumsum(gaps[:-1])]))
        dirs2 = np.column_stack([np.cos(ang), np.sin(ang)])
        dirs = np.pad(dirs2, ((0, 0), (0, d - 2))) @ random_rotation(d, rng).T
    offsets = []
    for _ in range(len(dirs)):
        n = draw(st.integers(1, 3))
        offsets.append(np.cumsum(rng.uniform(0.5, 3.0, size=n)))
    min_gap = min(np.min(np.diff(np.concatenate([[0.0], t]))) for t in offsets)
    rho = draw(st.floats(0.05, 0.45)) * min_gap
    x0 = rng.uniform(-3, 3, size=d)
    pts = [x0] + [x0 + ti * u for u, t in zip(dirs, offsets) for ti in t]
    X = np.array(pts)
    perm = rng.permutation(len(X))
    X = X[perm]
    apex = int(np.flatnonzero(perm == 0)[0])
    if draw(st.booleans()):
        apex -= len(X)  # negative index
    return X, apex, x0, dirs, offsets, rho


# ----------------------------------------------------------------------------- rays

@given(rays_problem())
def test_rays_interpolate_and_cost_is_sum_of_per_ray_prop1_costs(problem):
    X, apex, x0, dirs, offsets, rho = problem
    h = cf.rays(X, rho, apex=apex)
    assert interpolation_error(h, X, rho) < 1e-10 * (1 + np.abs(X).max())
    Y = ball_grid(X, rho)
    assert np.max(np.abs(h(Y) - np.repeat(X, 40, axis=0))) < 1e-10 * (1 + np.abs(X).max())
    expected = sum(prop1_cost(np.concatenate([[0.0], t]), rho) for t in offsets)
    assert h.representation_cost() == pytest.approx(expected, rel=1e-10)
    assert h.n_ramps == sum(len(t) for t in offsets)


@given(rays_problem())
def test_rays_match_the_formula_everywhere(problem):
    X, apex, x0, dirs, offsets, rho = problem
    h = cf.rays(X, rho, apex=apex)
    Y = np.random.default_rng(0).uniform(X.min(0) - 2, X.max(0) + 2, size=(500, X.shape[1]))
    np.testing.assert_allclose(h(Y), rays_reference(x0, dirs, offsets, rho, Y), atol=1e-9)
    # min_cost_denoiser finds a closed form for the same data, and it is the same function
    np.testing.assert_allclose(mnd.min_cost_denoiser(X, rho)(Y), h(Y), atol=1e-9)


def test_rays_exact_right_angles_with_rounding_pass():
    """Right angles computed in floating point (cos ~ 1e-16 of either sign) must pass."""
    rng = np.random.default_rng(3)
    for trial in range(50):
        d = 2 + trial % 4
        Q = random_rotation(d, rng) * rng.uniform(0.5, 2)  # scaled rotation: orthogonal columns
        x0 = rng.uniform(-100, 100, size=d)
        X = np.array([x0] + [x0 + s * Q[:, i] * t for i in range(d) for s in (1, -1) for t in (1.0, 2.5)])
        h = cf.rays(X, 0.2, apex=0)
        assert interpolation_error(h, X, 0.2) < 1e-9
    th = np.deg2rad(90.0)  # 90 degrees via cos/sin: cos(pi/2) = 6e-17
    X = np.array([[0, 0], [1, 0], [np.cos(th), np.sin(th)], [2 * np.cos(2 * th), 2 * np.sin(2 * th)]])
    assert cf.rays(X, 0.3).n_ramps == 3


def test_rays_nearly_collinear_points_share_a_ray():
    u = np.array([3.0, 4.0]) / 5
    X = np.array([[1.0, 1.0], [1.0, 1.0] + 1.0 * u, [1.0, 1.0] + 2.0 * u + [1e-12, -1e-12], [1.0 - 1.5, 1.0 + 1.5 * 0.75]])
    h = cf.rays(X, 0.2)
    assert h.n_ramps == 3  # two ramps on the first ray, one on the other
    assert interpolation_error(h, X, 0.2) < 1e-9
    # a deviation of 1e-3 radians is a different ray, which meets the first at an acute angle
    R = np.array([[np.cos(1e-3), -np.sin(1e-3)], [np.sin(1e-3), np.cos(1e-3)]])
    X2 = X.copy()
    X2[2] = X[0] + R @ (X[2] - X[0])
    with pytest.raises(ValueError, match=r"rays 0 and 1 meet at 0\.1 degrees.*raise angle_tol above 1\.0e-03"):
        cf.rays(X2, 0.2)
    assert cf.rays(X2, 0.2, angle_tol=2e-3).n_ramps == 3


def test_rays_with_a_single_point_on_some_rays_and_one_ray():
    X = np.array([[0.0, 0.0, 0.0], [1, 0, 0], [2, 0, 0], [3.5, 0, 0], [0, 0.9, 0], [0, 0, -1.7]])
    h = cf.rays(X, 0.25)
    assert h.representation_cost() == pytest.approx(
        prop1_cost(np.array([0, 1, 2, 3.5]), 0.25) + prop1_cost(np.array([0, 0.9]), 0.25)
        + prop1_cost(np.array([0, 1.7]), 0.25), rel=1e-12)
    one = cf.rays(np.array([[2.0, 1.0], [2.0, 4.0]]), 0.5)  # N = 2: a single ray
    assert one.representation_cost() == pytest.approx(2 * 3 / 2)


def test_rays_apex_index_and_order_do_not_matter():
    X = np.array([[0.0, 0.0], [1, 0], [2, 0], [0, 1], [-1.2, -0.4]])
    ref = cf.rays(X, 0.2, apex=0)
    Y = np.random.default_rng(1).uniform(-3, 3, size=(200, 2))
    for perm in ([4, 3, 2, 1, 0], [1, 0, 3, 4, 2]):
        apex = perm.index(0)
        for a in (apex, apex - 5, np.int64(apex)):
            np.testing.assert_allclose(cf.rays(X[perm], 0.2, apex=a)(Y), ref(Y), atol=1e-12)


def test_rays_in_d1_and_shapes():
    X = np.array([[0.0], [1.0], [-1.5], [2.2]])
    h = cf.rays(X, 0.2)
    assert h(np.array([[0.1], [1.1], [-1.4]])).shape == (3, 1)
    assert interpolation_error(h, X, 0.2) < 1e-12
    assert h.representation_cost() == pytest.approx(mnd.univariate(X[:, 0], 0.2).representation_cost())


def test_rays_error_messages():
    # acute pair, with the angle in the message (the example wording)
    a = np.deg2rad(71.3)
    X = np.array([[0.0, 0.0], [1, 0], [-1, -1], [np.cos(a), np.sin(a)]])
    with pytest.raises(ValueError, match=r"rays 0 and 2 meet at 71\.3 degrees; the closed form needs at least 90"):
        cf.rays(X, 0.2)
    # a hair below 90 degrees is reported with enough digits not to read "90.0"
    a = np.deg2rad(89.99)
    with pytest.raises(ValueError, match=r"meet at 89\.99000\d degrees"):
        cf.rays(np.array([[0.0, 0.0], [1, 0], [np.cos(a), np.sin(a)]]), 0.2)
    with pytest.raises(ValueError, match=r"closer than 2\*rho along ray 1: points 2 and 3 are 0\.3 apart"):
        cf.rays(np.array([[0.0, 0.0], [0, 1], [1, 0], [1.3, 0]]), 0.2)
    with pytest.raises(ValueError, match=r"closer than 2\*rho along ray 0: points 0 and 1 are 0\.3 apart"):
        cf.rays(np.array([[0.0, 0.0], [0.3, 0]]), 0.2)
    with pytest.raises(ValueError, match=r"point 1 coincides with the apex \(point 0\)"):
        cf.rays(np.array([[0.0, 0.0], [0.0, 0.0], [1, 0]]), 0.2)
    with pytest.raises(ValueError, match=r"points 1 and 2 coincide"):
        cf.rays(np.array([[0.0, 0.0], [1, 0], [1, 0]]), 0.2)
    with pytest.raises(ValueError, match=r"on different rays closer than 2\*rho: point 1 \(ray 0\) and point 2 \(ray 1\)"):
        cf.rays_formula(np.array([[0.0, 0.0], [1, 0], [1, 0.3]]), 0.2)
    for bad in (3, -4, 1.0, True, "0"):
        with pytest.raises(ValueError, match="apex must be an index"):
            cf.rays(np.array([[0.0, 0.0], [1, 0], [0, 1]]), 0.2, apex=bad)
    with pytest.raises(ValueError, match="rho must be > 0"):
        cf.rays(np.array([[0.0, 0.0], [1, 0]]), 0.0)
    with pytest.raises(ValueError, match=r"shape \(N, d\) with N >= 2"):
        cf.rays(np.array([[0.0, 0.0]]), 0.1)
    with pytest.raises(ValueError, match="non-finite"):
        cf.rays(np.array([[0.0, np.nan], [1, 0]]), 0.1)


def test_rays_formula_on_acute_rays_stops_interpolating():
    """Same cost as for obtuse rays (it does not depend on the angles) but an interpolation error
    that grows as the angle closes; zero at 90 degrees and above."""
    rho, errs = 0.2, []
    for deg in (120, 90, 85, 60, 30):
        a = np.deg2rad(deg)
        X = np.array([[0.0, 0.0], [1, 0], [2, 0], [np.cos(a), np.sin(a)], [2 * np.cos(a), 2 * np.sin(a)]])
        h = cf.rays_formula(X, rho)
        assert h.representation_cost() == pytest.approx(4 * 2 * 1 / (1 - 2 * rho))
        errs.append(interpolation_error(h, X, rho, m=400))
    assert errs[0] < 1e-12 and errs[1] < 1e-12
    assert 0 < errs[2] < errs[3] < errs[4]
    assert errs[4] > 0.5
    # ... while rays() refuses the acute ones
    with pytest.raises(ValueError, match="meet at 30.0 degrees"):
        cf.rays(X, rho)


def test_rays_sampled_equals_rays_when_the_ball_extremes_are_sampled():
    """With the points x_n +- rho u_j among the constraint points, every hull is [t - rho, t + rho]
    (or reaches rho for the apex group), so the sampled form is the closed form."""
    a = np.deg2rad([20.0, 125.0, 250.0])
    P = np.column_stack([np.cos(a), np.sin(a)])
    X = [1.0, -1.0] + np.concatenate([[[0.0, 0.0]], 1.1 * P, 2.5 * P[1:2]])
    rho = 0.25
    Y = np.concatenate([x + s * rho * P for x in X for s in (1, -1)])
    T = np.repeat(X, 6, axis=0)
    h, hs = cf.rays(X, rho), cf.rays_sampled(X, Y, T)
    assert hs.representation_cost() == pytest.approx(h.representation_cost(), rel=1e-12)
    Z = np.random.default_rng(0).uniform(-3, 4, size=(300, 2))
    np.testing.assert_allclose(hs(Z), h(Z), atol=1e-12)


def test_rays_sampled_on_random_samples_interpolates_them_and_costs_less():
    from mnd.data import constraint_points

    X = np.array([[0.0, 0.0, 0.0], [1.0, 0, 0], [2.0, 0, 0], [0, 1.3, 0], [0, 0, -1.0]]) @ random_rotation(3, np.random.default_rng(1)).T
    rho = 0.2
    Y, T = constraint_points(X, rho=rho, M=50, seed=3)
    hs = cf.rays_sampled(X, Y[::-1], T[::-1], apex=-5)
    np.testing.assert_allclose(hs(Y), T, atol=1e-12)
    assert hs.representation_cost() < cf.rays(X, rho).representation_cost()
    with pytest.raises(ValueError, match=r"target T\[0\] is not one of the clean points"):
        cf.rays_sampled(X, Y, T + 1.0)
    with pytest.raises(ValueError, match="clean point 4 has no constraint point"):
        cf.rays_sampled(X, Y[:200], T[:200])
    with pytest.raises(ValueError, match=r"Y and T must both have shape \(n, 3\)"):
        cf.rays_sampled(X, Y[:, :2], T)
    with pytest.raises(ValueError, match="constraint points along ray 0: intervals overlap"):
        cf.rays_sampled(X, np.concatenate([Y, [[0.95, 0, 0] @ random_rotation(3, np.random.default_rng(1)).T]]),
                        np.concatenate([T, X[:1]]))


# ----------------------------------------------------------------------------- subspace

@given(st.integers(2, 6), st.integers(1, 5), st.integers(0, 10_000), st.floats(0.05, 0.45))
def test_subspace_collinear(N, d, seed, frac):
    """h(y) = xbar + u f*(u.(y - xbar)): interpolates, costs Prop. 1 along the line, ignores the
    orthogonal part of y."""
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    t = np.cumsum(rng.uniform(0.4, 3.0, size=N))
    rho = frac * np.min(np.diff(t)) if N > 1 else 0.1
    p = rng.uniform(-4, 4, size=d)
    X = (p + t[:, None] * u)[rng.permutation(N)]
    h = cf.subspace(X, rho)
    assert h.representation_cost() == pytest.approx(prop1_cost(t, rho), rel=1e-9)
    assert interpolation_error(h, X, rho) < 1e-9
    Y = rng.uniform(-6, 6, size=(300, d))
    s = (Y - p) @ u
    # f* along the line, written out
    f = t[0] + sum((b - a) * clip01((s - a - rho) / (b - a - 2 * rho)) for a, b in zip(t[:-1], t[1:]))
    ref = p + f[:, None] * u
    np.testing.assert_allclose(h(Y), ref, atol=1e-9)
    if d > 1:  # moving y orthogonally to the line does not change h(y)
        v = rng.standard_normal(d)
        v -= (v @ u) * u
        np.testing.assert_allclose(h(Y + v), h(Y), atol=1e-9)


def test_subspace_line_matches_the_independent_lp():
    rng = np.random.default_rng(5)
    u = np.array([1.0, -2.0, 0.5]) / np.linalg.norm([1.0, -2.0, 0.5])
    t = np.array([-2.0, -0.5, 0.7, 2.0])
    X = np.array([0.3, -0.2, 1.0]) + t[:, None] * u
    rho = 0.2
    h = cf.subspace(X[rng.permutation(4)], rho)
    z = (X - X.mean(0)) @ u  # the points' coordinates along the line
    lp = univariate_lp(z, rho, spacing=0.01)
    assert lp.cost == pytest.approx(h.representation_cost(), rel=1e-6)


def test_subspace_nearly_collinear_and_scale_free():
    rng = np.random.default_rng(2)
    u = np.array([0.6, 0.8])
    X = np.array([1.0, 2.0]) + np.array([0.0, 1.0, 2.5])[:, None] * u
    X_noisy = X + 1e-13 * rng.standard_normal(X.shape)
    h = cf.subspace(X_noisy, 0.2)
    assert h.n_ramps == 2
    assert interpolation_error(h, X, 0.2) < 1e-11
    big = cf.subspace(1e6 * X_noisy, 0.2e6)  # relative tolerance: same answer at any scale
    assert big.representation_cost() == pytest.approx(h.representation_cost(), rel=1e-9)
    # coordinates typed to 6 decimals are still collinear (interpolation up to the rounding) ...
    X_typed = np.round(X, 6)
    assert interpolation_error(cf.subspace(X_typed, 0.2), X_typed, 0.2) < 1e-6
    assert mnd.min_cost_denoiser(X_typed, 0.2).n_ramps == 2
    # ... but a deviation of 1e-4 is a second dimension
    with pytest.raises(ValueError, match="span all of R"):
        cf.subspace(X + [[0, 0], [0, 1e-4], [0, 0]], 0.2)


def test_subspace_rays_and_simplices_inside_a_plane():
    rng = np.random.default_rng(4)
    # obtuse rays in a plane of R^4: equal to rays() in the ambient space
    a = np.deg2rad([0, 100, 215])
    P = np.column_stack([np.cos(a), np.sin(a)])
    Z = np.concatenate([[[0.0, 0.0]], P, 2.2 * P[:2]])
    B = random_rotation(4, rng)[:, :2]
    X = 1.5 + Z @ B.T
    h = cf.subspace(X, 0.2)
    assert interpolation_error(h, X, 0.2) < 1e-10
    Y = rng.uniform(-2, 5, size=(300, 4))
    np.testing.assert_allclose(h(Y), cf.rays(X, 0.2)(Y), atol=1e-9)
    # equilateral triangle in R^3: the equilateral closed form inside the plane
    T = np.array([[1.0, 0.0], [-0.5, np.sqrt(3) / 2], [-0.5, -np.sqrt(3) / 2]])
    X3 = T @ random_rotation(3, rng)[:, :2].T + [0.5, -1.0, 2.0]
    h3 = cf.subspace(X3, 0.2)
    assert h3.representation_cost() == pytest.approx(2 * 3 * 1 / (1.5 - 0.4), rel=1e-9)  # 5.4545
    assert interpolation_error(h3, X3, 0.2) < 1e-10
    assert h3(X3).shape == (3, 3)


def test_subspace_error_messages():
    with pytest.raises(ValueError, match=r"span all of R\^2 \(affine rank 2\)"):
        cf.subspace(np.array([[0.0, 0.0], [1, 0], [0, 1]]), 0.1)
    with pytest.raises(ValueError, match=r"no closed form is known for these 4 points in a 2-dimensional affine subspace of R\^3"):
        cf.subspace(np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0.6, 0.7, 0]]), 0.1)
    with pytest.raises(ValueError, match=r"collinear data, along their line: clean points closer than 2\*rho"):
        cf.subspace(np.array([[0.0, 0.0], [1, 1], [1.2, 1.2]]), 0.2)
    with pytest.raises(ValueError, match="all clean points coincide"):
        cf.subspace(np.array([[1.0, 1.0], [1.0, 1.0]]), 0.2)
    with pytest.raises(ValueError, match="must be distinct"):
        cf.subspace(np.array([[0.0, 0.0], [1, 1], [1, 1]]), 0.2)
    with pytest.raises(ValueError, match="rho must be > 0"):
        cf.subspace(np.array([[0.0, 0.0], [1, 1]]), -1.0)
    with pytest.raises(ValueError, match=r"shape \(N, d\)"):
        cf.subspace(np.array([0.0, 1.0, 2.0]), 0.1)


def test_affine_basis_and_lift():
    X = np.array([[0.0, 0, 0], [1, 1, 0], [2, 2, 0]]) + 3.0
    xbar, U = cf.affine_basis(X)
    np.testing.assert_allclose(xbar, [4, 4, 3])
    assert U.shape == (3, 1) and abs(abs(U[:, 0] @ [1, 1, 0]) / np.sqrt(2) - 1) < 1e-12
    g = mnd.univariate(np.array([-1.0, 1.0]), 0.3)
    h = cf.lift(g, xbar, U)
    assert h.representation_cost() == pytest.approx(g.representation_cost())
    with pytest.raises(ValueError, match="orthonormal"):
        cf.lift(g, xbar, 2 * U)
    with pytest.raises(ValueError, match=r"U must have shape \(d, r\)"):
        cf.lift(g, xbar, np.eye(3))
    with pytest.raises(ValueError, match=r"tol must be in \(0, 1\)"):
        cf.affine_basis(X, tol=0)


# ----------------------------------------------------------------------------- dispatcher

def test_min_cost_denoiser_picks_the_matching_closed_form():
    x = np.array([2.0, -1.0, 0.5])
    f = mnd.min_cost_denoiser(x, 0.2)
    assert f(np.array([0.4, 2.1])).shape == (2,) and f.representation_cost() == pytest.approx(mnd.univariate(x, 0.2).representation_cost())
    f1 = mnd.min_cost_denoiser(x[:, None], 0.2)  # (N, 1): takes and returns (n, 1)
    assert f1(np.array([[0.4], [2.1]])).shape == (2, 1)
    np.testing.assert_allclose(f1(np.array([[0.4], [2.1]]))[:, 0], [0.5, 2.0])
    line = np.array([[0.0, 0.0], [1, 2], [2, 4]])
    assert mnd.min_cost_denoiser(line, 0.2).representation_cost() == pytest.approx(cf.subspace(line, 0.2).representation_cost())
    tri = np.array([[0.0, 0.0], [1.3, 0], [1.3 * np.cos(2 * np.pi / 3), 1.3 * np.sin(2 * np.pi / 3)]])
    assert mnd.min_cost_denoiser(tri, 0.2).representation_cost() == pytest.approx(5.7778, abs=1e-4)
    eq = np.array([[1.0, 0.0], [-0.5, np.sqrt(3) / 2], [-0.5, -np.sqrt(3) / 2]])
    assert mnd.min_cost_denoiser(eq, 0.2).representation_cost() == pytest.approx(5.4545, abs=1e-4)
    rays_X = np.array([[1.0, 2.0], [2, 2], [3, 2], [1, 3], [0.2, 1.1]])
    h = mnd.min_cost_denoiser(rays_X[::-1], 0.2)  # apex found although it is the last point
    assert interpolation_error(h, rays_X, 0.2) < 1e-12


def test_min_cost_denoiser_error_lists_what_was_tried():
    X = np.array([[0.0, 0.0], [1, 0], [0.4, 0.9], [3, 3.0]])
    with pytest.raises(ValueError) as exc:
        mnd.min_cost_denoiser(X, 0.2)
    msg = str(exc.value)
    for part in ("no closed form applies", "subspace: the data span all of R^2", "obtuse simplex:",
                 "equilateral simplex:", "rays: no point is an apex", "between 0 and 90 degrees"):
        assert part in msg
    # rays from the origin whose balls overlap across rays: the apex passes the quick test and
    # the rays closed form says why it fails
    R = np.array([[0.0, 0.0], [1, 0], [2, 0], [0, 1], [0, 2], [-0.3, -0.3]])
    with pytest.raises(ValueError, match=r"rays: apex 0: .*closer than 2\*rho"):
        mnd.min_cost_denoiser(R, 0.45)
    # a generic cloud: a short message, decided without grouping rays around every point
    cloud = np.random.default_rng(0).normal(size=(400, 3)) * 10
    with pytest.raises(ValueError, match="no point is an apex") as exc:
        mnd.min_cost_denoiser(cloud, 0.01)
    assert len(str(exc.value)) < 1000
    with pytest.raises(ValueError, match=r"Tried univariate \(Proposition 1\): clean points closer than 2\*rho"):
        mnd.min_cost_denoiser(np.array([0.0, 0.3, 2.0]), 0.2)
    with pytest.raises(ValueError, match=r"subspace: collinear data, along their line"):
        mnd.min_cost_denoiser(np.array([[0.0, 0.0], [1, 1], [1.2, 1.2]]), 0.2)
    with pytest.raises(ValueError, match="rho must be > 0"):
        mnd.min_cost_denoiser(X, 0.0)


# ----------------------------------------------------------------------------- trained networks

@pytest.mark.slow
def test_constrained_training_does_not_beat_the_rays_closed_form():
    """An independent optimiser (augmented Lagrangian over network weights, knowing nothing of the
    closed form) interpolates the sampled balls at about the cost of the cheapest ray-aligned
    interpolant of the same samples (rays_sampled), and not much below the closed form."""
    torch = pytest.importorskip("torch")
    from mnd.data import constraint_points
    from mnd.nets import ShallowDenoiser, train

    torch.set_num_threads(1)  # the machine is shared: more threads are much slower here
    a = np.deg2rad([10.0, 130.0, 245.0])
    P = np.column_stack([np.cos(a), np.sin(a)])
    X = np.concatenate([[[0.0, 0.0]], P, 2.2 * P[:1]])
    rho, M = 0.2, 60
    h = cf.rays(X, rho)
    net = ShallowDenoiser(2, 48, x_clean=X, seed=0)
    train(net, X, mode="interpolate", rho=rho, M=M, steps=(8, 15), beta=(100.0, 10.0), inner=40,
          progress=False)
    assert interpolation_error(net.denoise, X, rho) < 0.06
    sampled = cf.rays_sampled(X, *constraint_points(X, rho=rho, M=M, seed=0))
    gap = net.representation_cost() / h.representation_cost()
    assert sampled.representation_cost() / h.representation_cost() < gap + 0.03
    assert 0.93 < gap < 1.05
