"""mnd.nets.train: the one training entry point (online, offline by Adam or L-BFGS, interpolation,
expected loss), its schedules, and its refusal of training that cannot succeed."""

import numpy as np
import pytest

import mnd
from mnd import data
from mnd.data import constraint_points
from mnd.metrics import sup_error
from mnd.nets import ShallowDenoiser, train

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
        (dict(mode="online", steps=0), "steps must be an integer >= 1"),
        (dict(mode="online", lam=-1.0), "lam must be finite and >= 0"),
        (dict(mode="online", lam=float("nan")), "lam must be finite and >= 0"),
        (dict(mode="online", lr=float("inf")), "lr must be finite"),
        (dict(mode="online", batch=0), "batch must be an integer >= 1"),
        (dict(mode="online", rho=0.1, steps=(1, 2)), r"\(stages\) apply to mode=.interpolate."),
        (dict(mode="interpolate", rho=0.1, steps=(1, 2), beta=10.0), "stages need steps and beta"),
        (dict(mode="interpolate", rho=0.1, steps=(1, 2), beta=(1.0,)), "stages need steps and beta"),
        (dict(mode="online", optimizer="lbfgs"), "optimizer='lbfgs' applies to mode='offline'"),
        (dict(mode="offline", optimizer="sgd"), "optimizer must be"),
        (dict(mode="online", samples=(np.zeros(3), np.zeros(3))), "samples apply to mode"),
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

    Y, T = data.noisy_samples(X4, 0.2, 15, seed=3)
    lo = np.array([Y[T == x].min() for x in X4])
    hi = np.array([Y[T == x].max() for x in X4])
    target = mnd.univariate_intervals(X4, lo, hi).representation_cost()
    for grow in (True, False):
        net = ShallowDenoiser(1, 32, x_clean=X4, seed=0)
        hist = train(net, X4, mode="interpolate", samples=(Y[:, None], T[:, None]), steps=30, inner=50,
                     grow_beta=grow, progress=False)
        assert hist.residual[-1] < 1e-2
        assert net.representation_cost() == pytest.approx(target, rel=0.02)
    with pytest.raises(ValueError, match="shape"):
        train(net, X4, mode="interpolate", samples=(Y[:, None], T[:5, None]), progress=False)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        train(net, X4, mode="interpolate", samples=(Y[:, None], T[:, None]), steps=0, progress=False)


# ----------------------------------------------------------------------------- training that cannot succeed

def test_interpolation_of_overlapping_balls_is_refused():
    """Points 1 apart with rho = 0.8: no network interpolates both balls; say so before training."""
    net = ShallowDenoiser(1, 8, seed=0)
    with pytest.raises(ValueError, match="closer than 2\\*rho"):
        train(net, np.array([0.0, 1.0]), mode="interpolate", rho=0.8, progress=False)


def test_interpolation_that_stops_infeasible_warns():
    net = ShallowDenoiser(1, 4, x_clean=X4, seed=0)
    with pytest.warns(RuntimeWarning, match="interpolation not reached"):
        train(net, X4, mode="interpolate", rho=0.3, M=10, steps=1, inner=1, beta=1e-3,
              grow_beta=False, progress=False)


def test_divergence_raises_instead_of_returning_a_nan_model():
    net = ShallowDenoiser(1, 8, x_clean=X4, seed=0)
    with pytest.raises(FloatingPointError, match="training diverged"):
        train(net, X4, 0.1, mode="online", lr=1e100, steps=50, progress=False)


def test_data_with_nan_is_refused():
    with pytest.raises(ValueError, match="x_clean contains non-finite"):
        ShallowDenoiser(1, 4, x_clean=np.array([0.0, np.nan]))
    net = ShallowDenoiser(1, 4, seed=0)
    with pytest.raises(ValueError, match="x_clean contains non-finite"):
        train(net, np.array([0.0, np.nan]), 0.1, progress=False)
    with pytest.raises(ValueError, match=r"x_clean must have shape \(N,\) or \(N, d\) with N >= 1"):
        train(net, np.zeros(0), 0.1, progress=False)


def test_expected_mode_checks_its_memory_before_allocating():
    net = ShallowDenoiser(2, 512, seed=0)
    X = np.random.default_rng(0).normal(size=(200, 2))
    with pytest.raises(ValueError, match="mode='expected' needs about .* GiB"):
        train(net, X, 0.1, mode="expected", steps=1, progress=False)


def test_offline_lbfgs_and_two_stage_schedule_are_options_of_train():
    """One entry point: offline L-BFGS lowers the offline loss, and the two-stage interpolation
    schedule (stiff beta, then soft) logs both stages' rounds in one history."""
    net = ShallowDenoiser(1, 16, x_clean=X4, seed=0)
    hist = train(net, X4, 0.3, mode="offline", optimizer="lbfgs", lam=1e-4, M=20, steps=3,
                 inner=30, progress=False)
    assert hist.step == [1, 2, 3] and hist.loss[-1] <= hist.loss[0]
    net = ShallowDenoiser(1, 16, x_clean=X4, seed=0)
    hist = train(net, X4, mode="interpolate", rho=0.3, M=20, steps=(4, 6), beta=(100.0, 10.0),
                 progress=False)
    assert hist.step == list(range(1, 11)) and hist.residual[-1] < 0.05


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

    X = data.digits(classes=(0, 1), per_class=2, seed=0)
    losses = []
    for rounds in (1, 3):
        net = ShallowDenoiser(64, 8, x_clean=X, seed=0)
        net.V.requires_grad_(False)
        hist = train(net, X, 0.1, mode="offline", optimizer="lbfgs", lam=1e-3, M=10, seed=0,
                     steps=rounds, inner=20, progress=False)
        assert torch.count_nonzero(net.V) == 0
        losses.append(hist.loss[-1])
        assert len(hist.step) == rounds and hist.mode == "offline"
        assert hist.residual[-1] <= hist.loss[-1]
    assert losses[1] < losses[0]
    kw = dict(mode="offline", optimizer="lbfgs", progress=False)
    with pytest.raises(ValueError, match="lam"):
        train(net, X, 0.1, lam=-1.0, **kw)
    with pytest.raises(ValueError, match="dimension"):
        train(net, X[:, :10], 0.1, **kw)
    with pytest.raises(ValueError, match="steps"):
        train(net, X, 0.1, steps=0, **kw)


def test_interpolate_samples_reaches_the_obtuse_closed_form(one_torch_thread):
    torch = one_torch_thread
    from mnd.alignment import unit_alignment

    def interpolate_samples(net, Y, T, outer=80, inner=50, callback=None):
        """The fixed-beta augmented Lagrangian on given samples (grow_beta=False)."""
        return train(net, X, mode="interpolate", samples=(Y, T), steps=outer, inner=inner,
                     grow_beta=False, callback=callback, progress=False)

    # an obtuse triangle: 120-degree apex at the origin, legs 1.3; 60 samples per point
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
    al = unit_alignment(net, cf)
    assert al.weighted_mean < 10.0  # units along the edges leaving the apex
    stops = interpolate_samples(ShallowDenoiser(2, 4, seed=1), Y, T, outer=10, callback=lambda it, n, h: it == 3)
    assert stops.step == [1, 2, 3]
    with pytest.raises(ValueError, match="shape"):
        interpolate_samples(net, Y, T[:, :1])
    with pytest.raises(ValueError, match="steps"):
        interpolate_samples(net, Y, T, outer=0)




@pytest.mark.slow
def test_online_training_on_figure1_data_reaches_emmse():
    """Figure 1's data and noise (mnd.paper.FIGURE1) with a short online run (width 64, lr 3e-3,
    3000 steps of batch 128): the network's online loss is within 1% of eMMSE's, which is the
    minimum of the online loss, and the curves are within 0.2 of each other on [-7, 7]."""
    p = mnd.paper.FIGURE1
    x = data.equispaced(p["n_points"], p["low"], p["high"])
    net = ShallowDenoiser(1, 64, x_clean=x, seed=0)
    train(net, x, p["sigma"], mode="online", lam=p["lam"], steps=3000, batch=128, lr=3e-3, seed=1,
          progress=False)
    h = mnd.emmse(x, p["sigma"])
    loss = {k: mnd.metrics.denoising_mse(f, x, p["sigma"], m=50_000, seed=7)
            for k, f in (("net", net), ("eMMSE", h))}
    assert loss["eMMSE"] <= loss["net"] <= 1.01 * loss["eMMSE"]
    g = np.linspace(-7, 7, 701)
    assert np.max(np.abs(net.denoise(g) - h(g))) < 0.2


def test_training_is_deterministic():
    x = data.equispaced(4, -5, 5)
    g = np.linspace(-8, 8, 101)
    outs = []
    for _ in range(2):
        net = ShallowDenoiser(1, 8, x_clean=x, seed=0)
        train(net, x, 1.5, mode="online", steps=40, batch=8, seed=1, progress=False)
        outs.append(net.denoise(g))
    np.testing.assert_array_equal(*outs)


@pytest.mark.parametrize("mode", ["offline", "interpolate"])
def test_flat_1d_samples_are_accepted(mode):
    """noisy_samples returns flat (n,) arrays for 1D data; train takes them in every mode."""
    Y, T = data.noisy_samples(X4, 0.2, 10, seed=0)
    assert Y.ndim == 1
    net = ShallowDenoiser(1, 8, x_clean=X4, seed=0)
    hist = train(net, X4, 0.2, mode=mode, samples=(Y, T), steps=3, progress=False)
    assert len(hist.step) >= 1 and np.isfinite(hist.loss[-1])
