"""Simplex closed forms (obtuse, equilateral) and the facet-normal candidate (chapter 5).

Random obtuse and regular simplices in d = 2, 3, 4: exact interpolation on the balls, the cost
formulas, the bend hyperplanes, and every error message.
"""

import numpy as np
import pytest

import mnd
from mnd.alignment import line_angles
from mnd.closed_form import obtuse_vertex
from mnd.closed_form import facet_normal_cost, facet_normal_simplex, facet_normals, fermat_weber


def random_rotation(rng, d):
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def random_obtuse(rng, d, n_edges=None):
    """Apex plus ``n_edges`` (default d) edges with pairwise angles >= 90 degrees, shuffled.
    Returns (X, index of the apex)."""
    k = d if n_edges is None else n_edges
    t = rng.uniform(0.0, 1.0 / k)
    U = np.eye(d)[:k] - t * np.ones((k, d)) * (np.arange(d) < k)  # u_i . u_j = -2t + k t^2 <= 0
    U += 0.02 * t * rng.standard_normal(U.shape)
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    G = U @ U.T
    np.fill_diagonal(G, -1)
    assert G.max() <= 0
    L = rng.uniform(0.8, 2.0, k)
    Q = random_rotation(rng, d)
    x0 = rng.standard_normal(d)
    X = np.concatenate([[x0], x0 + (L[:, None] * U) @ Q.T])
    perm = rng.permutation(k + 1)
    return X[perm], int(np.argmin(perm))


def regular_simplex(rng, d, N=None):
    """N (default d + 1) vertices of a regular simplex, randomly rotated, scaled and shifted."""
    N = d + 1 if N is None else N
    E = np.eye(N) - 1.0 / N  # centred standard simplex in R^N, rank N - 1
    _, _, Vt = np.linalg.svd(E)
    Z = E @ Vt[: N - 1].T  # (N, N - 1), edges sqrt(2)
    scale = rng.uniform(0.7, 2.0)
    P = np.zeros((N, d))
    P[:, : N - 1] = Z * scale
    return P @ random_rotation(rng, d).T + rng.standard_normal(d)


def ball_and_sphere_points(X, rho, rng, m=400):
    """Points inside every ball and exactly on every sphere, with targets."""
    N, d = X.shape
    g = rng.standard_normal((N, m, d))
    g /= np.linalg.norm(g, axis=2, keepdims=True)
    r = rho * np.concatenate([np.ones(m // 2), rng.uniform(size=m - m // 2) ** (1 / d)])
    Y = X[:, None, :] + g * r[None, :, None]
    return Y.reshape(-1, d), np.repeat(X, m, axis=0)


# ------------------------------------------------------------------------------------ obtuse
@pytest.mark.parametrize("d", [2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_obtuse_simplex_random(d, seed):
    rng = np.random.default_rng(100 * d + seed)
    X, apex = random_obtuse(rng, d)
    L = np.linalg.norm(np.delete(X, apex, 0) - X[apex], axis=1)
    rho = rng.uniform(0.05, 0.45) * L.min()
    assert obtuse_vertex(X) == apex
    h = mnd.obtuse_simplex(X, rho)
    Y, T = ball_and_sphere_points(X, rho, rng)
    assert np.abs(h(Y) - T).max() < 1e-12
    assert h.representation_cost() == pytest.approx(np.sum(2 * L / (L - 2 * rho)), rel=1e-12)
    # bend hyperplanes: perpendicular to the edges at the apex, at distance rho and L - rho from it
    E = np.delete(X, apex, 0) - X[apex]
    assert line_angles(h.directions, E).min(axis=1).max() < 1e-5  # degrees (arccos near 1: ~1e-6 resolution)
    bh = h.bend_hyperplanes()
    dist = bh.offsets - bh.normals @ X[apex]
    expect = np.sort(np.concatenate([np.full(d, rho), L - rho]))
    np.testing.assert_allclose(np.sort(dist), expect, atol=1e-12)
    # the dispatcher picks the same closed form
    g = mnd.min_cost_denoiser(X, rho)
    assert np.abs(g(Y) - h(Y)).max() < 1e-12


def test_obtuse_reference_value():
    a = np.radians(120)
    X = np.array([[0.0, 0.0], [1.3, 0.0], [1.3 * np.cos(a), 1.3 * np.sin(a)]])
    assert mnd.obtuse_simplex(X, 0.2).representation_cost() == pytest.approx(5.7778, abs=5e-5)
    assert mnd.obtuse_simplex(X, 0.2, apex=0).representation_cost() == pytest.approx(52 / 9)
    assert mnd.obtuse_simplex(X, 0.2, apex=-3).representation_cost() == pytest.approx(52 / 9)


def test_right_angle_counts_as_obtuse():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    assert obtuse_vertex(X) == 0
    assert mnd.obtuse_simplex(X, 0.1).representation_cost() == pytest.approx(2 / 0.8 + 4 / 1.8)


def test_fewer_edges_than_dimensions():
    rng = np.random.default_rng(7)
    X, apex = random_obtuse(rng, 4, n_edges=2)  # a triangle in R^4
    h = mnd.obtuse_simplex(X, 0.1)
    Y, T = ball_and_sphere_points(X, 0.1, rng)
    assert np.abs(h(Y) - T).max() < 1e-12


def test_obtuse_vertex_none_for_acute():
    assert obtuse_vertex(np.array([[0.0, 0.0], [1.0, 0.0], [0.4, 0.9]])) is None


@pytest.mark.parametrize(
    "X, rho, apex, message",
    [
        ([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], 0.1, None, "affinely dependent"),
        ([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0]], 0.1, None, "affinely dependent"),
        ([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]], 0.1, None, "all points coincide"),
        ([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], 0.1, None, "cannot be affinely independent"),
        ([[0.0, 0.0], [1.0, 0.0], [0.5, 0.9]], 0.1, None, "no obtuse vertex"),
        ([[0.0, 0.0], [1.0, 0.0], [-0.5, 0.9]], 0.1, 1, "point 1 is not an obtuse vertex"),
        ([[0.0, 0.0], [1.0, 0.0], [-0.5, 0.9]], 0.1, 3, "apex must be an index"),
        ([[0.0, 0.0], [1.0, 0.0], [-0.5, 0.9]], 0.1, 1.0, "apex must be an index"),
        ([[0.0, 0.0], [1.0, 0.0], [-0.5, 0.9]], 0.5, None, "rho too large"),
        ([[0.0, 0.0], [1.0, 0.0], [-0.5, 0.9]], 0.0, None, "rho must be > 0"),
        ([[0.0, 0.0], [1.0, 0.0], [-0.5, np.nan]], 0.1, None, "non-finite"),
        ([0.0, 1.0, 2.0], 0.1, None, "shape"),
        ([[0.0, 0.0]], 0.1, None, "N >= 2"),
    ],
)
def test_obtuse_errors(X, rho, apex, message):
    with pytest.raises(ValueError, match=message):
        mnd.obtuse_simplex(np.array(X), rho, apex=apex)


def test_obtuse_vertex_rejects_duplicates():
    with pytest.raises(ValueError, match="distinct"):
        obtuse_vertex(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0]]))


# ------------------------------------------------------------------------------- equilateral
@pytest.mark.parametrize("d", [2, 3, 4])
@pytest.mark.parametrize("seed", range(3))
def test_equilateral_simplex_random(d, seed):
    rng = np.random.default_rng(10 * d + seed)
    X = regular_simplex(rng, d)
    N = d + 1
    xbar = X.mean(0)
    Rc = np.linalg.norm(X[0] - xbar)
    rho = rng.uniform(0.05, 0.4) * N * Rc / (N - 1)  # below the minimality threshold (see below)
    h = mnd.equilateral_simplex(X, rho)
    Y, T = ball_and_sphere_points(X, rho, rng)
    assert np.abs(h(Y) - T).max() < 1e-12
    assert h.representation_cost() == pytest.approx(2 * N * Rc / (N * Rc / (N - 1) - 2 * rho), rel=1e-12)
    # bend hyperplanes orthogonal to x_n - xbar (parallel to the facet opposite x_n)
    assert line_angles(h.directions, X - xbar).min(axis=1).max() < 1e-5  # degrees (arccos near 1: ~1e-6 resolution)
    for n in range(N):
        facet = np.delete(X, n, 0)
        edges = facet[1:] - facet[0]
        assert np.abs(edges @ h.directions[n]).max() < 1e-10
    g = mnd.min_cost_denoiser(X, rho)
    assert np.abs(g(Y) - h(Y)).max() < 1e-12
    # the facet-normal ramps with their cheapest centre are the same function
    f = facet_normal_simplex(X, rho)
    assert np.abs(f(Y) - h(Y)).max() < 1e-9
    assert f.representation_cost() == pytest.approx(h.representation_cost(), rel=1e-9)


def test_equilateral_reference_value():
    ang = np.pi / 2 + np.array([0, 2 * np.pi / 3, 4 * np.pi / 3])
    X = np.column_stack([np.cos(ang), np.sin(ang)])
    assert mnd.equilateral_simplex(X, 0.2).representation_cost() == pytest.approx(6 / 1.1)
    assert mnd.equilateral_simplex(X, 0.2).representation_cost() == pytest.approx(5.4545, abs=5e-5)


def test_regular_triangle_in_3d():
    rng = np.random.default_rng(3)
    X = regular_simplex(rng, 3, N=3)
    h = mnd.equilateral_simplex(X, 0.2)
    Y, T = ball_and_sphere_points(X, 0.2, rng)
    assert np.abs(h(Y) - T).max() < 1e-12


def test_equilateral_within_tolerance_interpolates_approximately():
    rng = np.random.default_rng(4)
    X = regular_simplex(rng, 2) + 1e-8 * rng.standard_normal((3, 2))
    h = mnd.equilateral_simplex(X, 0.2, tol=1e-6)
    Y, T = ball_and_sphere_points(X, 0.2, rng)
    assert np.abs(h(Y) - T).max() < 1e-6


@pytest.mark.parametrize(
    "X, rho, kw, message",
    [
        ([[0.0, 0.0], [1.0, 0.0]], 0.1, {}, "N >= 3"),
        ([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], 0.1, {}, "affinely dependent"),
        ([[0.0, 0.0], [1.0, 0.0], [0.5, 0.8]], 0.1, {}, "unequal edges"),
        ([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2 + 1e-4]], 0.1, {"tol": 1e-6}, "unequal edges"),
        ([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]], 0.45, {}, "rho too large"),
        ([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]], -1.0, {}, "rho must be > 0"),
        ([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]], 0.1, {"tol": 0.0}, r"tol must be in \(0, 1\)"),
        ([[0.0, 0.0], [1.0, 0.0], [0.5, np.inf]], 0.1, {}, "non-finite"),
    ],
)
def test_equilateral_errors(X, rho, kw, message):
    with pytest.raises(ValueError, match=message):
        mnd.equilateral_simplex(np.array(X), rho, **kw)


def test_equilateral_loose_tolerance_accepts_near_regular():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2 + 1e-4]])
    assert mnd.equilateral_simplex(X, 0.1, tol=1e-3).n_ramps == 3


def test_dispatcher_reports_acute_triangle():
    with pytest.raises(ValueError, match="no closed form applies"):
        mnd.min_cost_denoiser(np.array([[0.0, 0.0], [1.5, 0.0], [0.4, 1.2]]), 0.2)


# ------------------------------------------------------------------------- facet-normal ramps
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("seed", range(3))
def test_facet_normal_interpolates_any_simplex(d, seed):
    rng = np.random.default_rng(50 + 10 * d + seed)
    X = rng.standard_normal((d + 1, d)) * 1.5
    normals, H = facet_normals(X)
    rho = 0.3 * H.min()
    for centre in (None, X.mean(0), rng.standard_normal(d)):
        h = facet_normal_simplex(X, rho, centre)
        Y, T = ball_and_sphere_points(X, rho, rng, m=200)
        assert np.abs(h(Y) - T).max() < 1e-12
        c = h.c
        assert h.representation_cost() == pytest.approx(np.sum(2 * np.linalg.norm(X - c, axis=1) / (H - 2 * rho)))
    # heights and normals: n_k is orthogonal to the opposite facet and H_k is x_k's distance to it
    for k in range(d + 1):
        F = np.delete(X, k, 0)
        assert np.abs((F[1:] - F[0]) @ normals[k]).max() < 1e-10
        assert normals[k] @ (X[k] - F[0]) == pytest.approx(H[k])


def test_cheapest_centre_is_cheapest():
    rng = np.random.default_rng(9)
    X = np.array([[0.0, 0.0], [1.5, 0.0], [0.4, 1.2]])
    best = facet_normal_cost(X, 0.2)
    for c in rng.uniform(-0.5, 1.5, (200, 2)):
        assert facet_normal_cost(X, 0.2, c) >= best - 1e-9


def test_fermat_weber_vertex_and_interior():
    P = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(fermat_weber(P, [10.0, 1.0, 1.0]), [0.0, 0.0])
    c = fermat_weber(P, [1.0, 1.0, 1.0])  # Fermat point: every side seen at 120 degrees
    u = (P - c) / np.linalg.norm(P - c, axis=1, keepdims=True)
    G = u @ u.T
    np.testing.assert_allclose(G[~np.eye(3, dtype=bool)], -0.5, atol=1e-8)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: facet_normal_simplex(np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]), 0.1), "affinely dependent"),
        (lambda: facet_normal_simplex(np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.3]]), 0.2), "rho too large"),
        (lambda: facet_normal_simplex(np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.9]]), 0.1, [0.0]), "centre must have shape"),
        (lambda: facet_normal_simplex(np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.9]]), 0.0), "rho must be > 0"),
        (lambda: fermat_weber(np.zeros((3, 2)), [1.0, 1.0]), "weights"),
        (lambda: fermat_weber(np.eye(2), [1.0, -1.0]), "weights must be > 0"),
        (lambda: fermat_weber(np.zeros((2, 2)), [1.0, 1.0]), "distinct"),
    ],
)
def test_facet_normal_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("N, ratio", [(3, 0.70), (4, 0.64)])
def test_equilateral_warns_where_it_is_not_the_minimiser(N, ratio):
    rng = np.random.default_rng(N)
    X = regular_simplex(rng, N - 1)
    Rc = np.linalg.norm(X[0] - X.mean(0))
    with pytest.warns(UserWarning, match="not the minimiser"):
        h = mnd.equilateral_simplex(X, ratio * Rc)
    Y, T = ball_and_sphere_points(X, ratio * Rc, rng)
    assert np.abs(h(Y) - T).max() < 1e-12  # still an interpolant


# ------------------------------------------------------------------------- the authors' acute formula
def _acute_triangles(n: int, seed: int):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        X = rng.uniform(-1.5, 1.5, (3, 2))
        if mnd.closed_form.vertex_angles(X).max() < 80 and facet_normals(X)[1].min() > 1.0:
            out.append(X)
    return out


def _authors_formula(X: np.ndarray, rho: float, Y: np.ndarray) -> np.ndarray:
    """The comment in yanivbl6/triangles_denoiser/mnist.py, written out literally (independently
    of RampSum): f(y) = x0 + sum_i u_i s_i ([t - a_i]_+ - [t - b_i]_+), t = u_i . (y - x0)."""
    A, B, C = X
    # orthocentre: intersection of the altitudes from A and from B
    M = np.array([C - B, C - A])
    x0 = np.linalg.solve(M, np.array([(C - B) @ A, (C - A) @ B]))
    out = np.tile(x0, (len(Y), 1))
    for i in range(3):
        j = (i + 1) % 3
        r = np.linalg.norm(X[i] - x0)
        u = (X[i] - x0) / r
        a, b = u @ (X[j] - x0) + rho, r - rho
        s = r / (b - a)
        t = (Y - x0) @ u
        out += np.outer(s * (np.maximum(t - a, 0) - np.maximum(t - b, 0)), u)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_orthocentric_triangle_is_the_authors_formula_and_interpolates(seed):
    from mnd.closed_form import orthocenter, orthocentric_triangle

    rng = np.random.default_rng(seed)
    for X in _acute_triangles(3, seed):
        _, H = facet_normals(X)
        rho = rng.uniform(0.05, 0.3) * H.min()
        h = orthocentric_triangle(X, rho)
        Y = rng.uniform(-3, 3, (500, 2))
        assert np.abs(h(Y) - _authors_formula(X, rho, Y)).max() < 1e-12
        Yb, T = ball_and_sphere_points(X, rho, rng, m=200)
        assert np.abs(h(Yb) - T).max() < 1e-12                       # every ball, exactly
        x0 = orthocenter(X)
        for i in range(3):                                           # the altitudes meet at x0
            j, k = (i + 1) % 3, (i + 2) % 3
            assert abs((x0 - X[i]) @ (X[j] - X[k])) < 1e-12 * (1 + np.abs(X).max()) ** 2
        cost = np.sum(2 * np.linalg.norm(X - x0, axis=1) / (H - 2 * rho))
        assert h.representation_cost() == pytest.approx(cost, rel=1e-12)
        assert facet_normal_cost(X, rho, "orthocenter") == pytest.approx(cost, rel=1e-12)
        # the book's candidate (cheapest centre of the same family) is never dearer
        assert facet_normal_cost(X, rho) <= cost * (1 + 1e-12)


def test_orthocentre_is_the_zero_rho_limit_of_the_cheapest_centre():
    """At rho = 0 the Fermat-Weber weights are 2/H_k and sum_k n_k / H_k = 0 (facet normals times
    facet lengths sum to zero), so the cheapest centre is the orthocentre; the excess of the
    orthocentric member shrinks like rho^2."""
    from mnd.closed_form import orthocenter

    for X in _acute_triangles(5, 11):
        normals, H = facet_normals(X)
        assert np.abs((normals / H[:, None]).sum(0)).max() < 1e-12
        assert np.abs(fermat_weber(X, 2.0 / H) - orthocenter(X)).max() < 1e-9
        excess = [facet_normal_cost(X, r, "orthocenter") / facet_normal_cost(X, r) - 1
                  for r in (0.02, 0.04)]
        assert 0 <= excess[0] < excess[1]
        assert 2.5 < excess[1] / max(excess[0], 1e-300) < 6.0        # about 4: rho^2


def test_orthocentric_triangle_never_beats_the_certificate():
    from mnd.certify import dictionary_min_cost
    from mnd.closed_form import orthocentric_triangle

    X = np.array([[0.0, 0.0], [2.0, 0.0], [0.8, 1.7]])
    rho = 0.2
    sol = dictionary_min_cost(X, rho, certify=True)
    assert sol.lower_bound is not None and sol.lower_bound <= sol.cost * (1 + 1e-6)
    cost = orthocentric_triangle(X, rho).representation_cost()
    assert cost >= sol.lower_bound * (1 - 1e-9)


@pytest.mark.parametrize("X, rho, message", [
    (np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.8], [0.2, 0.2]]), 0.1, "needs a triangle"),
    (np.array([[0.0, 0.0], [2.0, 0.0], [0.3, 0.5]]), 0.05, "not acute"),
    (np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.5]]), 1.05, "closer than 2\\*rho"),
    (np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 3 ** 0.5]]), 0.9, "reaches the ramp of its opposite edge"),
    (np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]), 0.1, "affinely"),
])
def test_orthocentric_triangle_errors(X, rho, message):
    from mnd.closed_form import orthocentric_triangle

    with pytest.raises(ValueError, match=message):
        orthocentric_triangle(X, rho)
