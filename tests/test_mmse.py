import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mnd
from mnd.mmse import emmse_posterior


def direct_emmse(X, sigma, Y):
    """Textbook formula with plain exponentials (fine for moderate sigma)."""
    w = np.exp(-((Y[:, None, :] - X[None, :, :]) ** 2).sum(-1) / (2 * sigma**2))
    return (w / w.sum(1, keepdims=True)) @ X


@given(st.integers(1, 3), st.floats(0.5, 3.0))
def test_matches_direct_formula(d, sigma):
    rng = np.random.default_rng(d)
    X = rng.standard_normal((5, d))
    Y = rng.standard_normal((40, d)) * 2
    np.testing.assert_allclose(mnd.emmse(X, sigma)(Y), direct_emmse(X, sigma, Y), rtol=1e-10, atol=1e-12)


def test_tweedie_identity_by_finite_differences():
    """h(y) = y + sigma^2 grad log p_sigma(y), with p_sigma the Gaussian mixture on the data."""
    rng = np.random.default_rng(1)
    X, sigma = rng.standard_normal((4, 2)), 0.7
    Y = rng.standard_normal((10, 2))

    def log_p(Z):
        sq = ((Z[:, None, :] - X[None]) ** 2).sum(-1)
        return np.log(np.exp(-sq / (2 * sigma**2)).mean(1))

    eps = 1e-6
    grad = np.stack([(log_p(Y + eps * e) - log_p(Y - eps * e)) / (2 * eps) for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(mnd.emmse(X, sigma)(Y), Y + sigma**2 * grad, atol=1e-7)


def test_small_sigma_limit_is_nearest_point():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((6, 3))
    Y = rng.standard_normal((200, 3))
    out = mnd.emmse(X, 1e-4)(Y)
    nearest = X[np.argmin(((Y[:, None] - X[None]) ** 2).sum(-1), axis=1)]
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, nearest, atol=1e-9)


def test_one_dimensional_shapes_and_symmetry():
    f = mnd.emmse(np.array([-1.0, 1.0]), 0.5)
    out = f(np.array([-0.3, 0.0, 0.3]))
    assert out.shape == (3,)
    assert out[1] == pytest.approx(0.0, abs=1e-15)
    assert out[0] == pytest.approx(-out[2])
    # two points at +-1: h(y) = tanh(y / sigma^2)
    assert out[2] == pytest.approx(np.tanh(0.3 / 0.25))


def test_posterior_rows_sum_to_one():
    P = emmse_posterior(np.array([[0.0], [1.0], [3.0]]), 0.01, np.array([[0.4], [100.0]]))
    np.testing.assert_allclose(P.sum(1), 1.0)


@pytest.mark.parametrize(
    "X, sigma, exc, message",
    [
        ([0.0, 1.0], 0.0, ValueError, "sigma must be > 0"),
        ([0.0, np.nan], 1.0, ValueError, "non-finite"),
        (np.zeros((0, 2)), 1.0, ValueError, "N >= 1"),
        ([0.0, 1.0], "1", TypeError, "sigma"),
    ],
)
def test_invalid_input(X, sigma, exc, message):
    with pytest.raises(exc, match=message):
        mnd.emmse(X, sigma)


def test_wrong_query_dimension():
    f = mnd.emmse(np.zeros((3, 2)), 1.0)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        f(np.zeros((4, 3)))


# ----------------------------------------------------------------------------- numerics and shapes

def test_far_from_the_origin_no_cancellation():
    """Data translated to 1e8: squared distances are taken after centring, so the answer is exact."""
    c = 1e8
    h = mnd.emmse([c, c + 1], 0.1)
    y = np.array([c + 0.2, c + 0.5, c + 0.8])
    ref = mnd.emmse([0.0, 1.0], 0.1)(y - c)
    np.testing.assert_allclose(h(y) - c, ref, atol=1e-7)
    assert h(np.array([c + 0.5]))[0] - c == pytest.approx(0.5, abs=1e-7)


@pytest.mark.parametrize("sigma", [1e-150, 1e-155, 1e-300])
def test_tiny_sigma_is_the_nearest_point(sigma):
    h = mnd.emmse([0.0, 1.0, 3.0], sigma)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        out = h(np.array([0.2, 0.8, 1.9, 2.1, 0.5]))
    np.testing.assert_array_equal(out, [0.0, 1.0, 1.0, 3.0, 0.5])  # a tie averages the two


def test_output_follows_the_input_convention():
    h = mnd.emmse(np.array([0.0, 1.0]), 0.5)
    flat, col = h(np.array([0.2, 0.7])), h(np.array([[0.2], [0.7]]))
    assert flat.shape == (2,) and col.shape == (2, 1)
    np.testing.assert_array_equal(flat, col[:, 0])
    with pytest.raises(ValueError, match=r"y must have shape \(n, 1\) or \(n,\).*\(2, 2\)"):
        h(np.zeros((2, 2)))
    h2 = mnd.emmse(np.eye(3), 0.5)
    with pytest.raises(ValueError, match=r"y must have shape \(n, 3\)"):
        h2(np.zeros(6))


def test_chunked_evaluation_matches_the_posterior():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 2))
    Y = rng.normal(size=(5000, 2))  # 5000 x 600 is more than one chunk
    P = emmse_posterior(X, 0.3, Y)
    np.testing.assert_allclose(mnd.emmse(X, 0.3)(Y), P @ X, atol=1e-12)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
