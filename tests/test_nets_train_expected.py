"""Tests for ``train(..., mode="expected")``: full-batch Adam on the exact expected denoising loss.

Monte Carlo bound used in the gradient test: the online-mode gradient at fixed weights is an
unbiased estimate of the expected-mode gradient. We average R = 300 independent online gradients
(each itself a mean over N B = 2 x 2,000 noisy samples) and require every coordinate to lie within
6 standard errors (sample standard deviation over the R repeats / sqrt(R)) of the expected-mode
gradient. For a correct gradient a 6-SE miss has probability ~2e-9 per coordinate (CLT), < 5e-8
over the 21 coordinates (union bound), so the test cannot fail by chance; the seeds are fixed, so
it is deterministic too. A negative control (the gradient at a 10% larger sigma) must fall outside
the same band, which shows the band is tight enough to catch a wrong gradient.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import mnd.gaussian as gnp  # noqa: E402
import mnd.nets.gaussian as gt  # noqa: E402
from mnd.nets import ShallowDenoiser  # noqa: E402
from mnd.nets import MODES, train  # noqa: E402

X4 = np.linspace(-5, 5, 4)
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
