"""mnd.alignment: angles between network units and ramp directions, edge matching, span fractions."""

import numpy as np
import pytest

import mnd
from mnd import closed_form as cf
from mnd import alignment as edges
from mnd import alignment as span
from mnd import data
from mnd.alignment import line_angles, unit_alignment
from mnd.alignment import random_fraction_mean, span_alignment


def rot(deg: float) -> np.ndarray:
    a = np.deg2rad(deg)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def test_line_angles_known_values_sign_and_scale():
    W = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0], [-3.0, 0.0], [1.0, np.sqrt(3)]])
    U = np.array([[2.0, 0.0], [0.0, -1.0]])
    np.testing.assert_allclose(line_angles(W, U), [[0, 90], [90, 0], [45, 45], [0, 90], [60, 30]], atol=1e-12)
    # exact parallel lines give exactly 0 (no nan from rounding above 1)
    assert line_angles(np.array([[1e-8, 1e-8]]), np.array([[3.0, 3.0]]))[0, 0] == pytest.approx(0, abs=1e-6)


def test_line_angles_errors():
    with pytest.raises(ValueError, match="same d"):
        line_angles(np.ones((2, 2)), np.ones((1, 3)))
    with pytest.raises(ValueError, match="non-zero"):
        line_angles(np.array([[0.0, 0.0]]), np.ones((1, 2)))
    with pytest.raises(ValueError, match="non-finite"):
        line_angles(np.array([[np.nan, 0.0]]), np.ones((1, 2)))


def obtuse_rays() -> cf.RampSum:
    a = np.deg2rad([0.0, 120.0, 240.0])
    P = np.column_stack([np.cos(a), np.sin(a)])
    return cf.rays(np.concatenate([[[0.0, 0.0]], P, 2 * P[:1]]), 0.2)


def test_exact_network_of_a_closed_form_is_perfectly_aligned():
    h = obtuse_rays()
    net = h.to_relu_net()
    W = net.W
    al = unit_alignment(net, h)
    assert al.weighted_mean == pytest.approx(0, abs=1e-6) and al.max_angle < 1e-5
    # each ramp's two units are matched to a ramp with the same direction, and the matched cost
    # per direction adds up to the closed form's cost
    np.testing.assert_allclose(al.unit_costs.sum(), h.representation_cost())
    np.testing.assert_allclose(np.diag(line_angles(W, h.directions[al.matched])), 0, atol=1e-5)
    per_ramp = al.cost_per_direction()
    assert per_ramp.shape == (h.n_ramps,)
    assert per_ramp.sum() == pytest.approx(h.representation_cost())
    # units of ramps sharing a direction may be matched to either ramp, so compare per direction
    dirs = np.round(np.abs(h.directions @ [1.0, 0.3]), 9)
    for d in np.unique(dirs):
        assert per_ramp[dirs == d].sum() == pytest.approx((2 * h.slopes())[dirs == d].sum())
    # a RampSum or its direction array give the same answer
    assert unit_alignment(net, h.directions).weighted_mean == al.weighted_mean
    # a RampSum is itself accepted as the network (it converts exactly)
    assert unit_alignment(h, h).weighted_mean == al.weighted_mean


def test_rotated_network_is_off_by_the_rotation():
    h = obtuse_rays()
    net = h.to_relu_net()
    al = unit_alignment(mnd.ReluNet(net.W @ rot(7.0).T, net.b, rot(7.0) @ net.A), h)
    np.testing.assert_allclose(al.angles, 7.0, atol=1e-9)
    assert al.weighted_mean == pytest.approx(7.0)


def test_weighting_and_inactive_units():
    U = np.array([[1.0, 0.0]])
    W = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])  # angles 0, 45, 90
    A = np.array([[3.0, 1.0, 1e-4], [0.0, 0.0, 0.0]])  # costs 3, sqrt(2), 1e-4
    net = mnd.ReluNet(W, np.zeros(3), A)
    al = unit_alignment(net, U)  # the third unit (cost below 1% of the largest) is inactive
    assert al.angles.size == 2
    assert al.weighted_mean == pytest.approx((0 * 3 + 45 * np.sqrt(2)) / (3 + np.sqrt(2)))
    assert al.max_angle == pytest.approx(45)
    assert unit_alignment(net, U, rel_tol=0).max_angle == pytest.approx(90)


def test_unit_alignment_errors():
    with pytest.raises(ValueError, match=r"A must have shape \(2, 3\)"):
        mnd.ReluNet(np.ones((3, 2)), np.zeros(3), np.ones((3, 2)))
    with pytest.raises(ValueError, match="no active unit"):
        unit_alignment(mnd.ReluNet(np.ones((3, 2)), np.zeros(3), np.zeros((2, 3))), np.ones((1, 2)))
    with pytest.raises(TypeError, match="net must be a network"):
        unit_alignment(np.ones((3, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"directions must have shape \(J, 2\)"):
        unit_alignment(mnd.ReluNet(np.ones((3, 2)), np.zeros(3), np.ones((2, 3))), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"rel_tol must be in \[0, 1\)"):
        unit_alignment(mnd.ReluNet(np.ones((3, 2)), np.zeros(3), np.ones((2, 3))), np.ones((1, 2)),
                       rel_tol=float("nan"))


# ----------------------------------------------------------------------------- mnd.metrics.compare

def test_compare_exact_network_of_a_closed_form():
    """The network built from a closed form's ramps is the closed form: zero errors, gap 1, angle 0."""
    pytest.importorskip("torch")
    from mnd import metrics as compare
    from mnd.nets import ShallowDenoiser
    from mnd.data import constraint_points

    a = np.deg2rad([0.0, 120.0, 240.0])
    P = np.column_stack([np.cos(a), np.sin(a)])
    X = np.concatenate([[[0.0, 0.0]], P, 2 * P[:1]])
    h = cf.rays(X, 0.2)
    net = ShallowDenoiser.from_ramps(h)
    sampled = cf.rays_sampled(X, *constraint_points(X, rho=0.2, M=30))
    c = compare.compare(net, h, X, 0.2, n=15, seconds=1.5, sampled=sampled)
    assert c.ball_error < 1e-12 and c.grid_sup < 1e-12 and c.grid_rms < 1e-12
    assert c.cost_gap == pytest.approx(1.0) and c.alignment < 1e-5
    assert c.sampled_gap == pytest.approx(h.representation_cost() / sampled.representation_cost()) and c.sampled_gap > 1
    assert c.within(ball=0.01, grid=0.01, gap=0.2, angle=1.0)
    assert not c.within(ball=0.01, grid=0.01, gap=0.001, angle=1.0)  # 1 - gap/samp is above 0.001
    table = mnd.show.Table([{"network": "exact", **c.row()}], formats={"cost gap": ".3f"})
    text = str(table)
    assert "gap/samp" in text and "exact" in text and "1.000" in text
    html = table._repr_html_()
    assert html.startswith("<table") and html.count("<tr>") == 2
    G = compare.box_grid(X, margin=0.5, n=7)
    assert G.shape == (49, 2)
    np.testing.assert_allclose(G.min(0), X.min(0) - 0.5)
    assert compare.box_grid(np.zeros((2, 6)) + np.arange(2)[:, None], n=41, max_points=1000).shape[0] <= 1000


# ---------------------------------------------------------------------------------------------
# span fractions
# ---------------------------------------------------------------------------------------------

def test_edge_basis_spans_the_edges():
    X = np.array([[1.0, 1.0, 0.0, 5.0], [3.0, 1.0, 0.0, 5.0], [1.0, 4.0, 0.0, 5.0]])
    B = span.edge_basis(X)
    assert B.shape == (4, 2)
    np.testing.assert_allclose(B.T @ B, np.eye(2), atol=1e-12)
    P = B @ B.T  # projects onto span{e_1, e_2}
    np.testing.assert_allclose(P, np.diag([1.0, 1.0, 0.0, 0.0]), atol=1e-12)
    # collinear points: a one-dimensional span; scale does not matter
    assert span.edge_basis(np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0]]) * 1e-6).shape == (2, 1)
    with pytest.raises(ValueError, match="N >= 2"):
        span.edge_basis(np.ones((1, 3)))
    with pytest.raises(ValueError, match="coincide"):
        span.edge_basis(np.ones((3, 3)))


def test_span_fraction_exact_values():
    B = np.eye(4)[:, :2]  # span of e_1, e_2 in R^4
    V = np.array([[1.0, 0, 0, 0], [0, 0, 0, 2.0], [1.0, 0, 1.0, 0], [3.0, 4.0, 0, 0], [1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_allclose(span.span_fraction(V, B), [1.0, 0.0, 0.5, 1.0, 0.5])
    assert span.span_fraction(np.array([0.0, 1.0, 0.0, np.sqrt(3.0)]), B) == pytest.approx(0.25)
    # invariant under scaling and sign of each row
    np.testing.assert_allclose(span.span_fraction(-7 * V, B), span.span_fraction(V, B))
    # weighted mean with unit costs
    assert span.weighted_span_fraction(V[:2], B, [3.0, 1.0]) == pytest.approx(0.75)


def test_span_fraction_errors():
    B = np.eye(3)[:, :1]
    with pytest.raises(ValueError, match="zero vector"):
        span.span_fraction(np.zeros((2, 3)), B)
    with pytest.raises(ValueError, match="same d"):
        span.span_fraction(np.ones((2, 4)), B)
    with pytest.raises(ValueError, match="orthonormal"):
        span.span_fraction(np.ones((2, 3)), 2 * B)
    with pytest.raises(ValueError, match="non-finite"):
        span.span_fraction(np.array([[np.nan, 1.0, 0.0]]), B)
    with pytest.raises(ValueError, match="weights"):
        span.weighted_span_fraction(np.ones((2, 3)), B, [1.0])
    with pytest.raises(ValueError, match="weights"):
        span.weighted_span_fraction(np.ones((2, 3)), B, [0.0, 0.0])


def test_random_direction_baseline_monte_carlo():
    d, r, n = 64, 2, 20_000
    rng = np.random.default_rng(0)
    G = rng.standard_normal((n, d))
    Q, _ = np.linalg.qr(rng.standard_normal((d, r)))  # a random r-dimensional subspace
    f = span.span_fraction(G, Q)
    mean = span.random_fraction_mean(r, d)
    assert mean == r / d
    # Beta(1, 31) has sd ~ 0.030, so the Monte Carlo mean has sd ~ 2.1e-4: 10 sd cannot fail by chance
    sd = np.sqrt(mean * (1 - mean) / (d / 2 + 1))
    assert abs(f.mean() - mean) < 10 * sd / np.sqrt(n)
    # quantiles of the Beta law match the empirical ones (DKW bound at level 1e-9: eps ~ 0.023)
    for q in (0.5, 0.9, 0.99):
        assert abs(np.mean(f <= span.random_fraction_quantile(q, r, d)) - q) < 0.023
    assert span.random_fraction_quantile(0.5, 64, 64) == 1.0
    np.testing.assert_allclose(span.random_fraction_quantile(np.array([0.0, 1.0]), 3, 10), [0.0, 1.0])


def test_random_baseline_errors():
    with pytest.raises(ValueError, match="1 <= r <= d"):
        span.random_fraction_mean(0, 64)
    with pytest.raises(ValueError, match="1 <= r <= d"):
        span.random_fraction_quantile(0.5, 65, 64)
    with pytest.raises(TypeError, match="integer"):
        span.random_fraction_mean(2.0, 64)
    with pytest.raises(ValueError, match="quantile levels"):
        span.random_fraction_quantile(1.5, 2, 64)


# ---------------------------------------------------------------------------------------------
# edge matching
# ---------------------------------------------------------------------------------------------

def test_edge_vectors_and_best_edges():
    X = np.array([[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    pairs, E = edges.edge_vectors(X)
    assert pairs.tolist() == [[0, 1], [0, 2], [1, 2]]
    np.testing.assert_allclose(E, [[2, 0, 0], [0, 3, 0], [-2, 3, 0]])
    V = np.array([[-5.0, 0.0, 0.0],           # along edge (0, 1), opposite sign
                  [0.0, 1.0, 1.0],            # 45 degrees from edge (0, 2), farther from the others
                  [-2.0, 3.0, 0.0],           # exactly edge (1, 2)
                  [0.0, 0.0, 1.0]])           # orthogonal to every edge
    m = edges.best_edges(V, X)
    assert m.index[:3].tolist() == [0, 1, 2]
    assert m.pairs[2].tolist() == [1, 2]
    np.testing.assert_allclose(m.angles, [0.0, 45.0, 0.0, 90.0], atol=1e-6)
    with pytest.raises(ValueError, match="coincide"):
        edges.edge_vectors(np.array([[1.0, 2.0], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="N >= 2"):
        edges.edge_vectors(np.ones((1, 2)))


# ----------------------------------------------------------------------------- span_alignment: span fractions and angles of every active unit


def digits3():
    return data.digits(classes=(0, 1, 2), per_class=1, seed=0)


def obtuse3():
    """Three digit-like points in R^64 with an obtuse angle at x_0."""
    X = digits3()
    e1, e2 = X[1] - X[0], X[2] - X[0]
    perp = e2 - (e2 @ e1) / (e1 @ e1) * e1
    return np.stack([X[0], X[1], X[0] - 0.3 * e1 + perp])  # x_2 - x_0 has a negative e1 component


def test_closed_form_network_lies_in_span_along_its_ramps():
    X = obtuse3()
    assert mnd.closed_form.vertex_angles(X)[0] > 90
    h = mnd.obtuse_simplex(X, 0.05, apex=0)
    s = span_alignment(h.to_relu_net(), X, h.directions, h.outputs)
    assert len(s.index) == 2 * h.n_ramps  # every unit of the closed form is active
    np.testing.assert_allclose(s.span_w, 1.0, atol=1e-12)
    np.testing.assert_allclose(s.span_a, 1.0, atol=1e-12)
    np.testing.assert_allclose(s.angle_w, 0.0, atol=1e-5)
    np.testing.assert_allclose(s.angle_pw, 0.0, atol=1e-5)
    np.testing.assert_allclose(s.angle_a, 0.0, atol=1e-5)
    # unit j and unit J + j are the two halves of ramp j
    np.testing.assert_array_equal(s.match_w, np.tile(np.arange(h.n_ramps), 2))
    np.testing.assert_array_equal(s.match_a, s.match_w)
    # default references are the edges: the obtuse closed form's ramps are the edges x_1 - x_0, x_2 - x_0
    e = span_alignment(h, X)
    np.testing.assert_allclose(e.angle_w, 0.0, atol=1e-5)
    assert set(e.match_w.tolist()) == {0, 1}  # edges (0, 1) and (0, 2) in edge_vectors order
    assert e.mean("span_w") == pytest.approx(1.0, abs=1e-12)


def test_random_units_match_the_beta_mean_within_monte_carlo_error():
    X, d, K = digits3(), 64, 4000
    rng = np.random.default_rng(3)
    W = rng.standard_normal((K, d))
    A = rng.standard_normal((d, K))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    A /= np.linalg.norm(A, axis=0, keepdims=True)  # every unit costs 1: weighted mean = plain mean
    s = span_alignment(mnd.ReluNet(W, np.zeros(K), A), X, rel_tol=0)
    assert len(s.index) == K
    r = 2
    mean = random_fraction_mean(r, d)
    sd = np.sqrt((r / 2) * ((d - r) / 2) / ((d / 2) ** 2 * (d / 2 + 1)))  # Beta(r/2, (d-r)/2)
    for field in ("span_w", "span_a"):
        assert abs(s.mean(field) - mean) < 4 * sd / np.sqrt(K)
    # a random unit is far from every one of the three edges, nowhere near aligned
    assert np.median(s.angle_w) > 70


def test_against_independent_projection_angles_and_active_set():
    X = digits3()
    rng = np.random.default_rng(7)
    K, d = 30, 64
    W = rng.standard_normal((K, d))
    A = rng.standard_normal((d, K)) * np.geomspace(1e-4, 1, K)  # costs spread over 4 decades
    net = mnd.ReluNet(W, rng.standard_normal(K), A)
    s = span_alignment(net, X, rel_tol=0.05)
    cost = np.linalg.norm(A, axis=0) * np.linalg.norm(W, axis=1)
    np.testing.assert_array_equal(s.index, np.flatnonzero(cost > 0.05 * cost.max()))
    np.testing.assert_allclose(s.unit_costs, cost[s.index])
    # projection onto span{x_1 - x_0, x_2 - x_0} by least squares, not by the SVD basis
    E = (X[1:] - X[0]).T

    def frac(V):
        P = E @ np.linalg.lstsq(E, V.T, rcond=None)[0]
        return np.sum(P**2, axis=0) / np.sum(V**2, axis=1)

    np.testing.assert_allclose(s.span_w, frac(W[s.index]), rtol=1e-10)
    np.testing.assert_allclose(s.span_a, frac(A[:, s.index].T), rtol=1e-10)
    edges = np.array([X[1] - X[0], X[2] - X[0], X[2] - X[1]])
    for k, unit in enumerate(s.index):
        cos = np.abs(edges @ W[unit]) / (np.linalg.norm(edges, axis=1) * np.linalg.norm(W[unit]))
        assert s.angle_w[k] == pytest.approx(np.degrees(np.arccos(cos.max())), abs=1e-8)
        assert s.match_w[k] == np.argmax(cos)
    w = np.average(s.angle_a, weights=s.unit_costs)
    assert s.mean("angle_a") == pytest.approx(w)


def test_unit_orthogonal_to_span_has_nan_in_span_angle_and_errors():
    X = digits3()
    E = np.array([X[1] - X[0], X[2] - X[0]])
    z = np.random.default_rng(0).standard_normal(64)
    z -= E.T @ np.linalg.lstsq(E.T, z, rcond=None)[0]  # orthogonal to the edge span
    W = np.stack([z, E[0]])
    net = mnd.ReluNet(W, np.zeros(2), W.T.copy())
    s = span_alignment(net, X)
    assert s.span_w[0] == pytest.approx(0.0, abs=1e-12) and np.isnan(s.angle_pw[0])
    assert s.angle_pw[1] == pytest.approx(0.0, abs=1e-5)
    assert s.mean("angle_pw") == pytest.approx(0.0, abs=1e-5)  # nan entries are skipped
    with pytest.raises(ValueError, match="shape"):
        span_alignment(net, X[:, :10])
    with pytest.raises(ValueError, match="inputs"):
        span_alignment(net, X, inputs=np.ones((2, 5)))
    with pytest.raises(ValueError, match="field"):
        s.mean("W")
    with pytest.raises(ValueError, match="no active"):
        span_alignment(mnd.ReluNet(W, np.zeros(2), np.zeros((64, 2))), X)
