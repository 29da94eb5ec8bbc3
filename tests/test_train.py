import numpy as np
import pytest

import mnd
from mnd.metrics import sup_error
from mnd.nets import ShallowDenoiser
from mnd.train import constraint_points, train

X4 = np.linspace(-5, 5, 4)


def test_online_training_moves_toward_univariate():
    """Online training at low noise (sigma = 0.2, lam = 1e-4) brings the network within 0.35 of
    f* (rho = 2 sigma) in sup norm on the balls, from a random start that is >= 3 away."""
    sigma = 0.2
    target = mnd.univariate(X4, 2 * sigma)
    balls = np.concatenate([np.linspace(x - 2 * sigma, x + 2 * sigma, 21) for x in X4])
    net = ShallowDenoiser(1, 64, x_clean=X4, seed=0)
    start = sup_error(net.denoise, target, balls)
    hist = train(net, X4, sigma, mode="online", lam=1e-4, steps=2500, lr=3e-3, batch=64, seed=1, progress=False)
    end = sup_error(net.denoise, target, balls)
    assert start > 3.0
    assert end < 0.35
    assert hist.loss[-1] < 0.1 * hist.loss[0]


def test_offline_training_is_deterministic_and_fits_its_samples():
    kw = dict(mode="offline", lam=1e-5, steps=400, lr=5e-3, M=20, seed=4, progress=False)
    a, b = ShallowDenoiser(1, 32, x_clean=X4, seed=2), ShallowDenoiser(1, 32, x_clean=X4, seed=2)
    ha, hb = train(a, X4, 0.2, **kw), train(b, X4, 0.2, **kw)
    assert ha.loss == hb.loss
    assert ha.loss[-1] < 0.05


def test_interpolate_mode_reaches_min_cost_interpolant():
    """Augmented Lagrangian: within 2% of the Prop. 1 cost and 0.1 in sup norm on a grid."""
    rho = 0.4
    target = mnd.univariate(X4, rho)
    net = ShallowDenoiser(1, 32, x_clean=X4, seed=0)
    hist = train(net, X4, mode="interpolate", rho=rho, M=30, steps=30, progress=False)
    assert hist.residual[-1] < 1e-2
    assert net.representation_cost() == pytest.approx(target.representation_cost(), rel=0.02)
    grid = np.linspace(-7, 7, 1401)
    assert sup_error(net.denoise, target, grid) < 0.1


def test_constraint_points_cover_ball_boundary():
    Y, T = constraint_points(np.array([[0.0, 0.0], [3.0, 0.0]]), rho=0.5, M=10)
    assert Y.shape == (20, 2) and T.shape == (20, 2)
    r = np.linalg.norm(Y - T, axis=1)
    assert r.max() == pytest.approx(0.5) and np.all(r <= 0.5 + 1e-12)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(mode="sgd"), "mode must be one of"),
        (dict(mode="online", sigma=None), "needs sigma"),
        (dict(mode="online", sigma=-1.0), "sigma must be > 0"),
        (dict(mode="online", steps=0), "steps must be a positive integer"),
        (dict(mode="online", lam=-1.0), "lam must be >= 0"),
        (dict(mode="interpolate", sigma=None, rho=None), "needs sigma"),
    ],
)
def test_invalid_arguments(kwargs, message):
    net = ShallowDenoiser(1, 4)
    args = dict(sigma=0.1) | kwargs
    with pytest.raises(ValueError, match=message):
        train(net, X4, progress=False, **args)


def test_dimension_mismatch():
    with pytest.raises(ValueError, match="dimension"):
        train(ShallowDenoiser(2, 4), X4, 0.1, progress=False)


def test_callback_stops_training():
    net = ShallowDenoiser(1, 8, x_clean=X4, seed=0)
    hist = train(net, X4, 0.2, mode="online", steps=100, log_every=10, progress=False,
                 callback=lambda step, n, h: step >= 30)
    assert hist.step == [10, 20, 30]
    hist = train(net, X4, mode="interpolate", rho=0.3, M=10, steps=10, inner=5, progress=False,
                 callback=lambda step, n, h: step >= 2)
    assert hist.step == [1, 2]


def test_augmented_lagrangian_on_given_samples_matches_hull_closed_form():
    """In 1D the min-cost interpolant of finite samples is Proposition 1 on each point's sample hull
    (mnd.univariate_intervals); the constrained trainer must reach its cost within 2%, both with
    and without beta growth, and interpolate the samples."""
    from mnd import data
    from mnd.train import augmented_lagrangian

    Y, T = data.noisy_samples(X4, 0.2, 15, seed=3)
    lo = np.array([Y[T == x].min() for x in X4])
    hi = np.array([Y[T == x].max() for x in X4])
    target = mnd.univariate_intervals(X4, lo, hi).representation_cost()
    for grow in (True, False):
        net = ShallowDenoiser(1, 32, x_clean=X4, seed=0)
        hist = augmented_lagrangian(net, Y[:, None], T[:, None], outer=30, inner=50, grow_beta=grow, progress=False)
        assert hist.residual[-1] < 1e-2
        assert net.representation_cost() == pytest.approx(target, rel=0.02)
    with pytest.raises(ValueError, match="shape"):
        augmented_lagrangian(net, Y[:, None], T[:5, None])
    with pytest.raises(ValueError, match="outer must be a positive integer"):
        augmented_lagrangian(net, Y[:, None], T[:, None], outer=0)
