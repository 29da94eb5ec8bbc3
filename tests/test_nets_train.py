"""mnd.nets.train: the one training entry point (online, offline by Adam or L-BFGS, interpolation,
expected loss), its schedules, and its refusal of training that cannot succeed."""

import copy

import numpy as np
import pytest
import torch

import mnd
import mnd.gaussian as gnp
import mnd.nets.gaussian as gt
from mnd import data
from mnd.data import constraint_points
from mnd.metrics import sup_error
from mnd.nets import MODES, ShallowDenoiser, train

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


# ----------------------------------------------------------------------------- mode="expected"
#
# Tests for ``train(..., mode="expected")``: full-batch Adam on the exact expected denoising loss.
#
# Monte Carlo bound used in the gradient test: the online-mode gradient at fixed weights is an
# unbiased estimate of the expected-mode gradient. We average R = 300 independent online gradients
# (each itself a mean over N B = 2 x 2,000 noisy samples) and require every coordinate to lie within
# 6 standard errors (sample standard deviation over the R repeats / sqrt(R)) of the expected-mode
# gradient. For a correct gradient a 6-SE miss has probability ~2e-9 per coordinate (CLT), < 5e-8
# over the 21 coordinates (union bound), so the test cannot fail by chance; the seeds are fixed, so
# it is deterministic too. A negative control (the gradient at a 10% larger sigma) must fall outside
# the same band, which shows the band is tight enough to catch a wrong gradient.
X2D = np.array([[0.0, 0.0], [2.0, 1.0], [-1.0, 2.5]])


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _exact(net: ShallowDenoiser, X: np.ndarray, sigma: float, lam: float = 0.0) -> float:
    fit = gnp.expected_denoising_loss(net.to_relu_net(), X.reshape(len(X), -1), sigma)
    return fit + lam * net.penalty().item()


def test_expected_is_a_mode():
    assert "expected" in MODES and {"online", "offline", "interpolate"} <= set(MODES)


def test_expected_mode_decreases_the_exact_loss():
    sigma, lam = 0.5, 1e-3
    net = ShallowDenoiser(2, 8, x_clean=X2D, seed=0)
    before = _exact(net, X2D, sigma, lam)
    hist = train(net, X2D, sigma, mode="expected", lam=lam, steps=150, lr=1e-2, progress=False)
    after = _exact(net, X2D, sigma, lam)
    assert after < 0.2 * before
    assert hist.loss[-1] < 0.2 * hist.loss[0]
    assert hist.mode == "expected" and len(hist.cost) == len(hist.loss) == len(hist.step)


def test_logged_loss_equals_numpy_expected_loss():
    """The loss logged at step t is evaluated before that step's update: it must equal the numpy
    closed form (plus lam C) at the weights left by step t - 1 (seen by the callback), and at the
    initial weights for t = 1."""
    sigma, lam = 0.8, 1e-2
    net = ShallowDenoiser(1, 12, x_clean=X4, seed=3)
    first = _exact(net, X4, sigma, lam)
    after_step: list[float] = []

    def cb(step, n, h):
        after_step.append(_exact(n, X4, sigma, lam))
        return False

    hist = train(net, X4, sigma, mode="expected", lam=lam, steps=40, lr=1e-2, log_every=1,
                 progress=False, callback=cb)
    np.testing.assert_allclose(hist.loss, [first] + after_step[:-1], rtol=1e-11, atol=1e-13)
    # the trained weights: the numpy loss the callback saw last is the final network's
    assert after_step[-1] == pytest.approx(_exact(net, X4, sigma, lam), rel=1e-14)
    assert after_step[-1] < first


def test_expected_mode_is_deterministic_and_seed_free():
    kw = dict(mode="expected", lam=1e-4, steps=30, lr=1e-2, progress=False)
    a, b = ShallowDenoiser(1, 8, x_clean=X4, seed=5), ShallowDenoiser(1, 8, x_clean=X4, seed=5)
    ha, hb = train(a, X4, 1.0, seed=0, **kw), train(b, X4, 1.0, seed=123, **kw)
    assert ha.loss == hb.loss and ha.cost == hb.cost


def _grads_after_one_step(net0: ShallowDenoiser, **kw) -> np.ndarray:
    """The gradient used by the first Adam step (still in ``.grad`` when the callback runs)."""
    net = copy.deepcopy(net0)
    out: list[np.ndarray] = []

    def cb(step, n, h):
        out.append(np.concatenate([p.grad.detach().numpy().ravel() for p in n.parameters()]))
        return True

    train(net, kw.pop("X"), steps=1, progress=False, callback=cb, **kw)
    return out[0]


def test_expected_gradient_is_the_mean_online_gradient():
    sigma, lam = 0.7, 1e-2
    X = X2D[:2]
    net0 = ShallowDenoiser(2, 3, x_clean=X, seed=7)
    with torch.no_grad():  # a generic point: non-zero skip and offset, units bending near the data
        net0.A.mul_(20.0)
        net0.V.copy_(torch.tensor([[0.3, -0.2], [0.1, 0.4]], dtype=net0.V.dtype))
        net0.c.copy_(torch.tensor([0.2, -0.1], dtype=net0.c.dtype))
    n_params = sum(p.numel() for p in net0.parameters())
    assert n_params == 21
    g_exp = _grads_after_one_step(net0, X=X, sigma=sigma, mode="expected", lam=lam)
    R, B = 300, 2000
    G = np.stack([_grads_after_one_step(net0, X=X, sigma=sigma, mode="online", lam=lam, batch=B, seed=s)
                  for s in range(R)])
    mean, se = G.mean(0), G.std(0, ddof=1) / np.sqrt(R)
    assert np.all(np.abs(mean - g_exp) <= 6.0 * se + 1e-12), np.abs(mean - g_exp) / se
    # the band is tight: it is a small fraction of the gradient, and rejects a wrong gradient
    assert 6.0 * se.max() < 0.05 * np.abs(g_exp).max()
    g_wrong = _grads_after_one_step(net0, X=X, sigma=1.1 * sigma, mode="expected", lam=lam)
    assert np.all(np.abs(mean - g_wrong) > 6.0 * se)


def test_expected_gradient_matches_closed_form_autograd():
    """The step's gradient is the autograd gradient of the torch closed form (plus lam C)."""
    sigma, lam = 0.6, 1e-3
    net0 = ShallowDenoiser(2, 5, x_clean=X2D, seed=2)
    g_train = _grads_after_one_step(net0, X=X2D, sigma=sigma, mode="expected", lam=lam)
    net = copy.deepcopy(net0)
    loss = gt.expected_denoising_loss(net.W, net.b, net.A, net.V, net.c, torch.as_tensor(X2D), sigma)
    (loss + lam * net.penalty()).backward()
    g_ref = np.concatenate([p.grad.numpy().ravel() for p in net.parameters()])
    np.testing.assert_allclose(g_train, g_ref, rtol=1e-12, atol=1e-14)


def test_callback_stops_expected_training():
    net = ShallowDenoiser(1, 4, x_clean=X4, seed=0)
    hist = train(net, X4, 0.5, mode="expected", steps=50, log_every=5, progress=False,
                 callback=lambda step, n, h: step >= 15)
    assert hist.step == [5, 10, 15]


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (dict(sigma=None), ValueError, "needs sigma"),
        (dict(sigma=None, rho=0.5), ValueError, "needs sigma"),
        (dict(sigma=-1.0), ValueError, "sigma must be > 0"),
        (dict(sigma=0.0), ValueError, "sigma must be > 0"),
        (dict(sigma=float("nan")), ValueError, "sigma must be finite"),
        (dict(sigma="0.5"), TypeError, "sigma must be a real number"),
        (dict(steps=0), ValueError, "steps must be an integer >= 1"),
        (dict(lam=-1.0), ValueError, "lam must be finite and >= 0"),
    ],
)
def test_invalid_arguments_expected(kwargs, exc, message):
    net = ShallowDenoiser(1, 4)
    args = dict(sigma=0.5) | kwargs
    with pytest.raises(exc, match=message):
        train(net, X4, mode="expected", progress=False, **args)


def test_dimension_mismatch_expected():
    with pytest.raises(ValueError, match="dimension"):
        train(ShallowDenoiser(2, 4), X4, 0.5, mode="expected", progress=False)


@pytest.mark.slow
def test_fit_interpolant_is_the_two_stage_preset_and_reaches_the_closed_form():
    """fit_interpolant = ShallowDenoiser(d, width, X, seed) + train(interpolate, stages (10, 20) at
    beta (100, 10)); on the equilateral triangle it interpolates the balls at about the cost of
    the closed form (Proposition: equilateral simplex)."""
    import mnd
    from mnd.nets import ShallowDenoiser, fit_interpolant, train

    ang = np.pi / 2 + 2 * np.pi / 3 * np.arange(3)
    X, rho = np.column_stack([np.cos(ang), np.sin(ang)]), 0.2
    net, hist = fit_interpolant(X, rho, M=60)
    ref = ShallowDenoiser(2, 64, x_clean=X, seed=0)
    train(ref, X, mode="interpolate", rho=rho, M=60, steps=(10, 20), beta=(100.0, 10.0), seed=0)
    for a, b in zip(net.parameters(), ref.parameters()):
        assert torch.equal(a, b)
    h = mnd.equilateral_simplex(X, rho)
    assert mnd.metrics.interpolation_error(net.denoise, X, rho, m=100) < 0.02
    assert abs(net.representation_cost() / h.representation_cost() - 1) < 0.03
    with pytest.raises(ValueError, match="x_clean"):
        fit_interpolant(np.ones((3, 2, 2)), rho)
