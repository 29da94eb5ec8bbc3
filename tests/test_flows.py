"""Score flow and probability flow (mnd.flows).

Hidden orthogonal data sets (random rotation, lengths, apex position and point order): the score
flow ends every start at the nearest subset sum; the probability flow ends at a vertex above the
critical noise level and on the hyperbox boundary below it; the integrator agrees with the exact
solutions and with a fine reference to better than 1e-6; bad input raises a named error.
"""

import itertools

import numpy as np
import pytest

import mnd
from mnd import flows


def hidden_orthogonal(rng, d, k, shuffle=True):
    """An apex and k orthogonal edges of random lengths in R^d, randomly rotated and shifted.
    Returns (X, apex index, unit edges U, lengths L)."""
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    U = (Q * np.sign(np.diag(R))).T[:k]
    L = rng.uniform(0.8, 2.0, k)
    x0 = rng.standard_normal(d)
    X = np.vstack([x0, x0 + L[:, None] * U])
    perm = rng.permutation(k + 1) if shuffle else np.arange(k + 1)
    return X[perm], int(np.argmin(perm)), U[perm[perm > 0] - 1], L[perm[perm > 0] - 1]


def starts_in_coordinates(X, apex, tau, off=0.0, rng=None):
    """Points x_0 + sum_n tau_n (x_n - x_0), plus an offset of size `off` in random directions."""
    E = np.delete(X, apex, axis=0) - X[apex]
    Y = X[apex] + tau @ E
    if off:
        Y = Y + off * rng.standard_normal(Y.shape)
    return Y


def brute_nearest_vertex(X, apex, Y):
    """The nearest of all 2^k subset sums, by enumeration."""
    E = np.delete(X, apex, axis=0) - X[apex]
    V = np.array([X[apex] + np.array(s) @ E for s in itertools.product([0, 1], repeat=len(E))])
    return V[np.argmin(((Y[:, None] - V[None]) ** 2).sum(-1), axis=1)]


@pytest.mark.parametrize("d, k, seed", [(2, 2, 0), (3, 3, 1), (5, 3, 2), (6, 6, 3)])
def test_score_flow_ends_at_the_nearest_subset_sum(d, k, seed):
    rng = np.random.default_rng(seed)
    X, apex, _, L = hidden_orthogonal(rng, d, k)
    rho = 0.3 * L.min()
    Y0 = starts_in_coordinates(X, apex, rng.uniform(-0.4, 1.4, (80, k)), off=0.2, rng=rng)
    tau, _ = flows.hyperbox_coordinates(X, Y0, apex=apex)
    keep = np.all(np.abs(tau - 0.5) > 0.03, axis=1)  # away from the separatrices tau_n = 1/2
    Y0, tau = Y0[keep], tau[keep]
    res = flows.score_flow(mnd.obtuse_simplex(X, rho, apex=apex), Y0, 40.0, n_save=2)
    np.testing.assert_allclose(res.ends, brute_nearest_vertex(X, apex, Y0), atol=1e-6)
    cls = flows.classify_endpoints(X, res.ends, 1e-6, apex=apex)
    assert set(cls.labels) <= {"training", "virtual"}
    np.testing.assert_array_equal(cls.subsets, tau > 0.5)


@pytest.mark.parametrize("d, k, seed", [(2, 2, 4), (3, 3, 5), (4, 2, 6)])
def test_score_flow_agrees_with_the_exact_solution(d, k, seed):
    """Error of the integrator along the whole path, against the closed-form solution."""
    rng = np.random.default_rng(seed)
    X, apex, _, L = hidden_orthogonal(rng, d, k)
    rho = 0.2 * L.min()
    Y0 = starts_in_coordinates(X, apex, rng.uniform(-0.3, 1.3, (80, k)), off=0.1, rng=rng)
    res = flows.score_flow(mnd.obtuse_simplex(X, rho, apex=apex), Y0, 25.0, n_save=26)
    exact = flows.orthogonal_score_flow(X, Y0, rho, res.r, apex=apex)
    assert np.abs(res.paths - exact).max() < 1e-6
    assert res.paths.shape == (26, 80, d) and res.ends.shape == (80, d)


@pytest.mark.parametrize("seed", range(8))
def test_score_flow_error_across_bends_on_random_data(seed):
    """Random lengths, radii, dimensions and starts: every path crosses bends of the field at
    random places inside the steps, and still stays within 1e-6 of the exact solution."""
    rng = np.random.default_rng(100 + seed)
    d = int(rng.integers(2, 7))
    k = int(rng.integers(2, d + 1))
    X, apex, _, L = hidden_orthogonal(rng, d, k)
    rho = rng.uniform(0.05, 0.4) * L.min()
    Y0 = starts_in_coordinates(X, apex, rng.uniform(-0.3, 1.3, (100, k)), off=0.1, rng=rng)
    res = flows.score_flow(mnd.obtuse_simplex(X, rho, apex=apex), Y0, 30.0, n_save=16)
    exact = flows.orthogonal_score_flow(X, Y0, rho, res.r, apex=apex)
    assert np.abs(res.paths - exact).max() < 1e-6


@pytest.mark.parametrize("d, k, seed", [(2, 2, 7), (3, 3, 8), (8, 5, 9)])
def test_probability_flow_agrees_with_the_exact_solution(d, k, seed):
    rng = np.random.default_rng(seed)
    X, apex, _, L = hidden_orthogonal(rng, d, k)
    alpha, sigma_T = 2.0, 0.2 * L.min()
    Y0 = starts_in_coordinates(X, apex, rng.uniform(-0.3, 1.3, (80, k)), off=0.1, rng=rng)
    family = flows.ramp_family(mnd.obtuse_simplex(X, 0.1, apex=apex), 0.1)
    res = flows.probability_flow(family, Y0, sigma_T, alpha, n_save=21)
    exact = flows.orthogonal_probability_flow(X, Y0, sigma_T, alpha, res.r, apex=apex)
    assert np.abs(res.paths - exact).max() < 1e-6
    np.testing.assert_allclose(res.rho, alpha * np.exp(-res.r))
    assert res.r[0] == pytest.approx(-np.log(sigma_T))


def test_probability_flow_vertex_above_the_critical_noise_boundary_below():
    rng = np.random.default_rng(10)
    X, apex, _, L = hidden_orthogonal(rng, 3, 3)
    alpha = 1.0
    # coordinates 0 and 1 near 1, coordinate 2 decides the critical noise level
    tau = np.column_stack([rng.uniform(0.94, 1.0, 40), rng.uniform(0.94, 1.0, 40),
                           rng.uniform(0.15, 0.3, 40)])
    Y0 = starts_in_coordinates(X, apex, tau)
    s_crit = flows.critical_sigma(X, Y0, alpha, apex=apex)
    np.testing.assert_allclose(s_crit, np.max(np.minimum(tau, 1 - tau) * L, axis=1) / alpha)
    family = flows.ramp_family(mnd.obtuse_simplex(X, 0.1, apex=apex), 0.1)
    for i in range(0, 40, 8):
        y = Y0[i:i + 1]
        above = flows.probability_flow(family, y, 1.02 * s_crit[i], alpha, n_save=2)
        below = flows.probability_flow(family, y, 0.98 * s_crit[i], alpha, n_save=2)
        np.testing.assert_allclose(above.ends, brute_nearest_vertex(X, apex, y), atol=1e-6)
        assert flows.classify_endpoints(X, above.ends, 1e-6, apex=apex).labels[0] == "virtual"
        lab = flows.classify_endpoints(X, below.ends, 1e-6, apex=apex).labels[0]
        assert lab == "boundary"
        tau_end, res = flows.hyperbox_coordinates(X, below.ends, apex=apex)
        assert 0.0 < tau_end[0, 2] < 1.0 and res[0] < 1e-6  # frozen inside its edge


def test_probability_flow_limit_formula():
    rng = np.random.default_rng(11)
    X, apex, _, L = hidden_orthogonal(rng, 4, 3)
    Y0 = starts_in_coordinates(X, apex, rng.uniform(0, 1, (50, 3)))
    sigma_T, alpha = 0.3 * L.min(), 1.2
    a = alpha * sigma_T / L
    tau0, _ = flows.hyperbox_coordinates(X, Y0, apex=apex)
    expect = np.where(tau0 <= a, 0.0, np.where(tau0 >= 1 - a, 1.0,
                                               0.5 + (tau0 - 0.5) / (1 - 2 * a)))
    end = flows.orthogonal_probability_flow(X, Y0, sigma_T, alpha, np.inf, apex=apex)[0]
    np.testing.assert_allclose(flows.hyperbox_coordinates(X, end, apex=apex)[0], expect,
                               atol=1e-12)


def test_fine_reference_for_other_denoisers():
    """Equilateral triangle (ramp sum and its ReLU network) and eMMSE: default tolerances
    against a run with tolerances 100 times tighter."""
    X = np.array([[1.0, 0.0], [-0.5, np.sqrt(3) / 2], [-0.5, -np.sqrt(3) / 2]]) * 1.3 + 0.2
    rng = np.random.default_rng(12)
    Y0 = rng.uniform(-1, 1.5, (40, 2))
    h = mnd.equilateral_simplex(X, 0.25)
    for f in (h, h.to_relu_net(), mnd.emmse(X, 0.3)):
        a = flows.score_flow(f, Y0[:20], 8.0, n_save=9)
        b = flows.score_flow(f, Y0[:20], 8.0, n_save=9, rtol=1e-11, atol=1e-13)
        assert np.abs(a.paths - b.paths).max() < 1e-6
    fam = flows.ramp_family(h, 0.25)
    a = flows.probability_flow(fam, Y0, 0.5, 1.0, n_save=11)
    b = flows.probability_flow(fam, Y0, 0.5, 1.0, n_save=11, rtol=1e-11, atol=1e-13)
    assert np.abs(a.paths - b.paths).max() < 1e-6


def test_obtuse_triangle_keeps_its_virtual_point_only_near_right_angles():
    """For an obtuse (not right) apex angle theta, the subset sum x_1 + x_2 is a stable
    stationary point iff L |cos theta| < rho for both edges; the score flow ends at subset sums."""
    rng = np.random.default_rng(13)
    rho = 0.2
    for theta, stable in [(95.0, True), (120.0, False)]:
        t = np.radians(theta)
        X = np.array([[0.0, 0.0], [1.0, 0.0], [np.cos(t), np.sin(t)]])
        h = mnd.obtuse_simplex(X, rho, apex=0)
        v = X[1] + X[2]
        assert (np.abs(h(v[None]) - v).max() < 1e-12) == stable
        Y0 = v + 0.05 * rng.standard_normal((20, 2))
        ends = flows.score_flow(h, Y0, 40.0, n_save=2).ends
        labels = flows.classify_endpoints(X, ends, 1e-6).labels
        assert np.all(labels == ("virtual" if stable else "training"))


def test_stationary_points_orthogonal_and_equilateral():
    """Orthogonal data: the 3^k points with tau_n in {0, 1/2, 1}, stable exactly at the 2^k
    vertices. Equilateral triangle: vertices (stable), edge midpoints (saddles), centroid
    (source), with the eigenvalues 4 rho / (3 Rc - 4 rho) and -(2 Rc - 4 rho) / (3 Rc - 4 rho)."""
    rng = np.random.default_rng(17)
    X, apex, _, L = hidden_orthogonal(rng, 3, 3)
    sp = flows.stationary_points(mnd.obtuse_simplex(X, 0.2 * L.min(), apex=apex))
    tau, res = flows.hyperbox_coordinates(X, sp.points, apex=apex)
    assert len(sp.points) == 27 and res.max() < 1e-9
    assert {tuple(t) for t in np.round(2 * tau).astype(int)} == set(
        itertools.product([0, 1, 2], repeat=3))
    np.testing.assert_array_equal(sp.stable, np.all(np.abs(tau - 0.5) > 0.25, axis=1))
    Rc, rho = 1.3, 0.2
    T = Rc * np.array([[1.0, 0.0], [-0.5, np.sqrt(3) / 2], [-0.5, -np.sqrt(3) / 2]])
    sp = flows.stationary_points(mnd.equilateral_simplex(T, rho))
    assert len(sp.points) == 7 and sp.stable.sum() == 3
    up, down = 4 * rho / (3 * Rc - 4 * rho), -(2 * Rc - 4 * rho) / (3 * Rc - 4 * rho)
    for y, ev, st in zip(sp.points, sp.eigenvalues, sp.stable):
        r = np.linalg.norm(y)
        if st:
            assert r == pytest.approx(Rc) and np.allclose(ev, -1.0)
        elif r < 1e-9:
            np.testing.assert_allclose(ev, [up, up])
        else:
            assert r == pytest.approx(Rc / 2)
            np.testing.assert_allclose(ev, [up, down])


def test_fixed_point_iteration_is_repeated_denoising():
    rng = np.random.default_rng(14)
    X, apex, _, L = hidden_orthogonal(rng, 3, 3)
    h = mnd.obtuse_simplex(X, 0.25 * L.min(), apex=apex)
    Y0 = rng.standard_normal((10, 3))
    res = flows.fixed_point_iteration(h, Y0, 7, n_save=8)
    Y = Y0
    for k in range(7):
        Y = h(Y)
        np.testing.assert_allclose(res.paths[k + 1], Y, atol=1e-14)
    V = brute_nearest_vertex(X, apex, Y0)  # every subset sum is a fixed point
    np.testing.assert_allclose(flows.fixed_point_iteration(h, V, 3).ends, V, atol=1e-12)


def test_ramp_family_reproduces_the_closed_forms():
    rng = np.random.default_rng(15)
    X, apex, _, L = hidden_orthogonal(rng, 3, 3)
    T = np.array([[1.0, 0.0], [-0.5, np.sqrt(3) / 2], [-0.5, -np.sqrt(3) / 2]])
    x1 = np.array([-1.0, 0.5, 2.0])
    cases = [(lambda r: mnd.obtuse_simplex(X, r, apex=apex), 0.1, [0.02, 0.3 * L.min()], 3),
             (lambda r: mnd.equilateral_simplex(T, r), 0.2, [0.05, 0.5], 2),
             (lambda r: mnd.univariate(x1, r), 0.1, [0.01, 0.4], 1)]
    for build, r_ref, rhos, d in cases:
        fam = flows.ramp_family(build(r_ref), r_ref)
        Y = 2 * rng.standard_normal((200, d))
        for r in rhos:
            np.testing.assert_allclose(fam(r)(Y), build(r)(Y), atol=1e-12)


def test_classify_endpoints_by_hand():
    X = np.array([[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    ends = np.array([[0.0, 0.0, 0.0], [2.0, 1e-4, 0.0], [2.0, 1.0, 0.0], [1.0, 0.0, 0.0],
                     [1.0, 0.5, 0.0], [1.0, 0.0, 0.5], [3.0, 1.0, 0.0]])
    cls = flows.classify_endpoints(X, ends, 1e-3)
    assert list(cls.labels) == ["training", "training", "virtual", "boundary", "other", "other",
                                "other"]
    assert cls.fractions()["other"] == pytest.approx(3 / 7)
    inf = flows.classify_endpoints(X, np.array([[2.15, 0.9, 0.1]]), 0.2, norm=np.inf)
    assert inf.labels[0] == "virtual"


def test_emmse_probability_flow_memorises():
    rng = np.random.default_rng(16)
    X, apex, _, L = hidden_orthogonal(rng, 4, 4)
    alpha, sigma_T = 2.0, 0.2 * L.min()
    Y0 = X[rng.integers(0, 5, 100)] + sigma_T * rng.standard_normal((100, 4))
    res = flows.probability_flow(lambda rho: mnd.emmse(X, rho / alpha), Y0, sigma_T, alpha,
                                 n_save=2, rtol=1e-7, atol=1e-9)
    cls = flows.classify_endpoints(X, res.ends, 1e-3, apex=apex)
    assert np.all(cls.labels == "training")


# ---------------------------------------------------------------------------------------------
# bad input

X_ORTH = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.5]])
X_SKEW = np.array([[0.0, 0.0], [1.0, 0.0], [-0.5, 1.0]])  # obtuse, not orthogonal
H = mnd.obtuse_simplex(X_ORTH, 0.2)
FAM = flows.ramp_family(H, 0.2)
Y_OK = np.array([[0.3, 0.2], [0.9, 1.2]])


@pytest.mark.parametrize("call, exc, message", [
    (lambda: flows.orthogonal_score_flow(X_SKEW, Y_OK, 0.2, 1.0), ValueError, "not orthogonal"),
    (lambda: flows.critical_sigma(X_SKEW, Y_OK, 1.0), ValueError, "not orthogonal"),
    (lambda: flows.orthogonal_probability_flow(X_SKEW, Y_OK, 0.1, 1.0, 3.0), ValueError,
     "not orthogonal"),
    (lambda: flows.orthogonal_score_flow(X_ORTH, Y_OK, 0.6, 1.0), ValueError, "rho .* too large"),
    (lambda: flows.orthogonal_probability_flow(X_ORTH, Y_OK, 0.3, 2.0, 3.0), ValueError,
     "alpha \\* sigma_T"),
    (lambda: flows.orthogonal_probability_flow(X_ORTH, Y_OK, 0.1, 1.0, 0.0), ValueError,
     "times >= 2.3"),
    (lambda: flows.critical_sigma(X_ORTH, Y_OK, 0.0), ValueError, "alpha must be > 0"),
    (lambda: flows.critical_sigma(X_ORTH, Y_OK[:, :1], 1.0), ValueError, "y0 must have shape"),
    (lambda: flows.score_flow(H, Y_OK, -1.0), ValueError, "r_max must be > 0"),
    (lambda: flows.score_flow(H, Y_OK[0], 1.0), ValueError, "y0 must have shape"),
    (lambda: flows.score_flow(H, np.ones((2, 3)), 1.0), ValueError, "shape"),
    (lambda: flows.score_flow(lambda y: y[:, :1], Y_OK, 1.0), ValueError, "returned shape"),
    (lambda: flows.score_flow(lambda y: y * np.nan, Y_OK, 1.0), ValueError, "non-finite"),
    (lambda: flows.score_flow("h", Y_OK, 1.0), TypeError, "h must be a denoiser"),
    (lambda: flows.score_flow(H, [[np.nan, 0.0]], 1.0), ValueError, "y0"),
    (lambda: flows.score_flow(H, Y_OK, 1.0, rtol=0.5), ValueError, "rtol"),
    (lambda: flows.score_flow(H, Y_OK, 1.0, n_save=1), ValueError, "n_save"),
    (lambda: flows.probability_flow(FAM, Y_OK, 0.1, -1.0), ValueError, "alpha must be > 0"),
    (lambda: flows.probability_flow(FAM, Y_OK, 0.0, 1.0), ValueError, "sigma_T must be > 0"),
    (lambda: flows.probability_flow(FAM, Y_OK, 0.1, 1.0, sigma_end=0.2), ValueError,
     "sigma_end must be < sigma_T"),
    (lambda: flows.probability_flow(FAM, Y_OK, 0.3, 2.0), ValueError, "out of range"),
    (lambda: flows.probability_flow(H, Y_OK, 0.1, 1.0), ValueError, "out of range"),
    (lambda: flows.probability_flow(3.0, Y_OK, 0.1, 1.0), TypeError, "h_at_rho"),
    (lambda: flows.probability_flow(lambda r: mnd.obtuse_simplex(X_ORTH, r), Y_OK, 0.3, 2.0),
     ValueError, "out of range.*2\\*rho"),
    (lambda: flows.fixed_point_iteration(H, Y_OK, 0), ValueError, "n_iter"),
    (lambda: flows.ramp_family(H.to_relu_net(), 0.2), TypeError, "RampSum"),
    (lambda: flows.stationary_points(H.to_relu_net()), TypeError, "RampSum"),
    (lambda: flows.stationary_points(H, max_ramps=1), ValueError, "max_ramps"),
    (lambda: FAM(0.5), ValueError, "too large"),
    (lambda: FAM(-0.1), ValueError, "rho must be > 0"),
    (lambda: flows.classify_endpoints(X_ORTH, Y_OK, 0.0), ValueError, "tol must be > 0"),
    (lambda: flows.classify_endpoints(X_ORTH, Y_OK, 0.1, norm=1), ValueError, "norm"),
    (lambda: flows.classify_endpoints(X_ORTH, np.ones((2, 3)), 0.1), ValueError, "ends must"),
    (lambda: flows.classify_endpoints(X_ORTH, Y_OK, 0.1, apex=3), ValueError, "apex"),
    (lambda: flows.classify_endpoints(np.array([[0.0, 0], [1, 0], [2, 0]]), Y_OK, 0.1),
     ValueError, "linearly dependent"),
    (lambda: flows.hyperbox_coordinates(np.zeros((4, 2)) + np.arange(4)[:, None], Y_OK),
     ValueError, "N <= d \\+ 1"),
])
def test_bad_input_raises_a_named_error(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
