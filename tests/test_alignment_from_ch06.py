"""mnd.alignment.span_alignment (chapter 6): span fractions and alignment of a network's units."""

import numpy as np
import pytest

import mnd
from mnd import data
from mnd.alignment import random_fraction_mean, span_alignment


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
