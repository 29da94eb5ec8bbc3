"""Chapter 6 helpers: scikit-learn digits, span fractions, edge matching, offline L-BFGS."""

import numpy as np
import pytest

from mnd import data, edges, span


# ---------------------------------------------------------------------------------------------
# data.digits
# ---------------------------------------------------------------------------------------------

def test_digits_shape_range_labels_and_seed():
    X, y, idx = data.digits(classes=(3, 7), per_class=4, seed=5, return_labels=True, return_indices=True)
    assert X.shape == (8, 64) and y.tolist() == [3] * 4 + [7] * 4 and idx.shape == (8,)
    assert X.min() >= 0 and X.max() <= 1 and X.max() > 0.9  # pixels p/16, every digit has ink
    assert len(set(idx.tolist())) == 8  # without replacement
    np.testing.assert_array_equal(X, data.digits(classes=(3, 7), per_class=4, seed=5))
    assert not np.array_equal(X, data.digits(classes=(3, 7), per_class=4, seed=6))


def test_digits_indices_value_range_and_exclusion():
    X01 = data.digits(indices=[0, 10, 20])
    Xpm = data.digits(indices=[0, 10, 20], value_range=(-1.0, 1.0))
    np.testing.assert_allclose(Xpm, 2 * X01 - 1)  # linear map of the same pixels
    from sklearn.datasets import load_digits
    raw = load_digits()
    np.testing.assert_allclose(X01, raw.data[[0, 10, 20]] / 16)
    np.testing.assert_allclose(X01[0].reshape(8, 8), raw.images[0] / 16)  # rows read row by row
    _, idx_train = data.digits(classes=(0, 1), per_class=10, seed=0, return_indices=True)
    _, y_test, idx_test = data.digits(classes=(0, 1), per_class=50, seed=1, exclude=idx_train,
                                      return_labels=True, return_indices=True)
    assert not set(idx_train.tolist()) & set(idx_test.tolist())
    assert set(y_test.tolist()) == {0, 1}


def test_digits_errors():
    with pytest.raises(ValueError, match="classes are 0..9"):
        data.digits(classes=(10,))
    with pytest.raises(ValueError, match="per_class must be a positive integer"):
        data.digits(per_class=0)
    with pytest.raises(ValueError, match="only .* images available"):
        data.digits(classes=(0,), per_class=1000)
    with pytest.raises(ValueError, match="value_range"):
        data.digits(value_range=(1.0, 1.0))
    with pytest.raises(ValueError, match="indices must lie"):
        data.digits(indices=[5000])
    with pytest.raises(ValueError, match="distinct digits"):
        data.digits(classes=(1, 1))
    with pytest.raises(ValueError, match="either indices or exclude"):
        data.digits(indices=[1], exclude=[2])
    all_zeros = np.flatnonzero(data.digits(indices=np.arange(1797), return_labels=True)[1] == 0)
    with pytest.raises(ValueError, match="only 0 images available"):
        data.digits(classes=(0,), exclude=all_zeros)


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


# ---------------------------------------------------------------------------------------------
# full-batch L-BFGS fits (offline loss; fixed-beta augmented Lagrangian)
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def one_torch_thread():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: extra threads only contend (16 s instead of 0.3 s here)
    yield torch
    torch.set_num_threads(threads)


def test_offline_lbfgs_decreases_loss_and_keeps_frozen_params(one_torch_thread):
    torch = one_torch_thread
    from mnd.lbfgs_fit import train_offline_lbfgs
    from mnd.nets import ShallowDenoiser

    X = data.digits(classes=(0, 1), per_class=2, seed=0)
    losses = []
    for rounds in (1, 3):
        net = ShallowDenoiser(64, 8, x_clean=X, seed=0)
        net.V.requires_grad_(False)
        hist = train_offline_lbfgs(net, X, 0.1, 1e-3, M=10, seed=0, rounds=rounds, iters=20)
        assert torch.count_nonzero(net.V) == 0
        losses.append(hist.loss[-1])
        assert len(hist.step) == rounds and hist.mode == "offline-lbfgs"
        assert hist.residual[-1] <= hist.loss[-1]
    assert losses[1] < losses[0]
    with pytest.raises(ValueError, match="lam"):
        train_offline_lbfgs(net, X, 0.1, -1.0)
    with pytest.raises(ValueError, match="dimension"):
        train_offline_lbfgs(net, X[:, :10], 0.1, 1e-3)
    with pytest.raises(ValueError, match="rounds"):
        train_offline_lbfgs(net, X, 0.1, 1e-3, rounds=0)


def test_interpolate_samples_reaches_the_obtuse_closed_form(one_torch_thread):
    torch = one_torch_thread
    import mnd
    from mnd.alignment import unit_alignment
    from mnd.lbfgs_fit import interpolate_samples
    from mnd.nets import ShallowDenoiser

    # the design notes' obtuse triangle: 120-degree apex at the origin, legs 1.3; 60 samples per point
    a = np.radians(120)
    X = np.array([[0.0, 0.0], [1.3, 0.0], [1.3 * np.cos(a), 1.3 * np.sin(a)]])
    Y, T = data.noisy_samples(X, 0.05, 60, seed=0)
    U = mnd.obtuse_simplex(X, 1e-3, apex=0).directions
    cf = mnd.obtuse_simplex(X, float(np.abs((Y - T) @ U.T).max()), apex=0)
    assert np.abs(cf(Y) - T).max() < 1e-12  # the closed form at the effective radius is feasible
    net = ShallowDenoiser(2, 64, x_clean=X, seed=0)
    net.V.requires_grad_(False)
    hist = interpolate_samples(net, Y, T, outer=40, inner=50)
    assert hist.residual[-1] < 5e-3 and torch.count_nonzero(net.V) == 0
    # the closed form satisfies the same constraints, so the optimum costs at most as much
    assert hist.cost[-1] < cf.representation_cost()
    al = unit_alignment(net.W.detach().numpy(), net.A.detach().numpy(), cf)
    assert al.weighted_mean < 10.0  # units along the edges leaving the apex
    stops = interpolate_samples(ShallowDenoiser(2, 4, seed=1), Y, T, outer=10, callback=lambda it, n, h: it == 3)
    assert stops.step == [1, 2, 3]
    with pytest.raises(ValueError, match="shape"):
        interpolate_samples(net, Y, T[:, :1])
    with pytest.raises(ValueError, match="outer"):
        interpolate_samples(net, Y, T, outer=0)


# ---------------------------------------------------------------------------------------------
# drawing helpers
# ---------------------------------------------------------------------------------------------

def test_image_helpers():
    import matplotlib.pyplot as plt

    from mnd import images

    v = np.arange(64.0)
    assert images.as_image(v)[1, 0] == 8.0  # row by row
    with pytest.raises(ValueError, match="length 64"):
        images.as_image(np.ones(63))
    V = np.array([[1.0, -2.0], [-3.0, 1.0], [0.0, 1.0]])
    U = np.array([[-1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(images.orient(V, U), [[-1.0, 2.0], [3.0, -1.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="same shape"):
        images.orient(V, U[:2])
    fig, axes = plt.subplots(1, 2)
    images.draw_digit(axes[0], v / 64, "digit")
    images.draw_direction(axes[1], v - 32, "direction")
    assert axes[0].get_title() == "digit" and not axes[1].get_xticks().size
    plt.close(fig)
