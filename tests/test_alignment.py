"""Unit alignment (mnd.alignment): angles between the lines of network units and ramp directions."""

import numpy as np
import pytest

from mnd import closed_form as cf
from mnd.alignment import line_angles, unit_alignment


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
    W, b, A = h.relu_units()
    al = unit_alignment(W, A, h)
    assert al.weighted_mean == pytest.approx(0, abs=1e-6) and al.max_angle < 1e-5
    # each ramp's two units are matched to a ramp with the same direction, and the matched cost
    # per direction adds up to the closed form's cost
    np.testing.assert_allclose(al.unit_costs.sum(), h.representation_cost())
    np.testing.assert_allclose(np.diag(line_angles(W, h.directions[al.matched])), 0, atol=1e-5)
    per_ramp = al.cost_per_ramp(h.n_ramps)
    assert per_ramp.sum() == pytest.approx(h.representation_cost())
    # units of ramps sharing a direction may be matched to either ramp, so compare per direction
    dirs = np.round(np.abs(h.directions @ [1.0, 0.3]), 9)
    for d in np.unique(dirs):
        assert per_ramp[dirs == d].sum() == pytest.approx((2 * h.slopes())[dirs == d].sum())
    # a RampSum or its direction array give the same answer
    assert unit_alignment(W, A, h.directions).weighted_mean == al.weighted_mean


def test_rotated_network_is_off_by_the_rotation():
    h = obtuse_rays()
    W, _, A = h.relu_units()
    al = unit_alignment(W @ rot(7.0).T, rot(7.0) @ A, h)
    np.testing.assert_allclose(al.angles, 7.0, atol=1e-9)
    assert al.weighted_mean == pytest.approx(7.0)


def test_weighting_and_inactive_units():
    U = np.array([[1.0, 0.0]])
    W = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])  # angles 0, 45, 90
    A = np.array([[3.0, 1.0, 1e-4], [0.0, 0.0, 0.0]])  # costs 3, sqrt(2), 1e-4
    al = unit_alignment(W, A, U)  # the third unit (cost below 1% of the largest) is inactive
    assert al.angles.size == 2
    assert al.weighted_mean == pytest.approx((0 * 3 + 45 * np.sqrt(2)) / (3 + np.sqrt(2)))
    assert al.max_angle == pytest.approx(45)
    assert unit_alignment(W, A, U, rel_tol=0).max_angle == pytest.approx(90)


def test_unit_alignment_errors():
    with pytest.raises(ValueError, match=r"A must have shape \(d, K\) = \(2, 3\)"):
        unit_alignment(np.ones((3, 2)), np.ones((3, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="no active unit"):
        unit_alignment(np.ones((3, 2)), np.zeros((2, 3)), np.ones((1, 2)))


# ----------------------------------------------------------------------------- mnd.compare

def test_compare_exact_network_of_a_closed_form():
    """The network built from a closed form's ramps is the closed form: zero errors, gap 1, angle 0."""
    pytest.importorskip("torch")
    from mnd import compare
    from mnd.nets import ShallowDenoiser
    from mnd.train import constraint_points

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
    text = str(compare.Table({"exact": c}))
    assert "gap/samp" in text and "exact" in text and "1.000" in text
    html = compare.Table({"exact": c})._repr_html_()
    assert html.startswith("<table") and html.count("<tr>") == 2
    G = compare.box_grid(X, margin=0.5, n=7)
    assert G.shape == (49, 2)
    np.testing.assert_allclose(G.min(0), X.min(0) - 0.5)
    assert compare.box_grid(np.zeros((2, 6)) + np.arange(2)[:, None], n=41, max_points=1000).shape[0] <= 1000
