"""Tests for mnd.gaussian (numpy) and mnd.gaussian_torch.

Monte Carlo checks use a fixed seed and n = 400,000 samples; an estimate passes if it is within
6 standard errors (sample standard deviation / sqrt(n)) of the closed form. For a correct formula
a 6-sigma miss has probability ~2e-9 per check, so the tests cannot fail by chance (and with the
fixed seed they are deterministic anyway). Hypothesis runs with derandomize=True, deadline=None.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.special import ndtr

from mnd.gaussian import (
    bivariate_normal_cdf,
    expected_denoising_loss as _loss_of_net,
    relu_covariance,
    relu_mean,
    relu_product_mean,
    relu_second_moment,
    relu_variance,
)

import mnd.gaussian as gnp
from mnd import ReluNet


def expected_denoising_loss(W, b, A, V, c, x, sigma):
    """The numpy loss of the network with these weights (it takes a ReluNet)."""
    return _loss_of_net(ReluNet(W, b, A, V, c), x, sigma)


torch = pytest.importorskip("torch")
import mnd.nets.gaussian as gt  # noqa: E402

DET = settings(derandomize=True, deadline=None, max_examples=40)
N_MC = 400_000
N_SE = 6.0


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Small tensors: one thread is fastest and immune to CPU oversubscription; restored after."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _phi(x):
    return np.exp(-0.5 * np.asarray(x) ** 2) / math.sqrt(2 * math.pi)


def _mc_check(samples: np.ndarray, exact: float) -> None:
    mean = samples.mean()
    se = samples.std(ddof=1) / math.sqrt(samples.size)
    assert abs(mean - exact) <= N_SE * se + 1e-12, (mean, exact, se)


def _pair_samples(rng, mu1, mu2, s1, s2, r, n=N_MC):
    x = rng.standard_normal(n)
    y = r * x + math.sqrt(max(0.0, 1 - r * r)) * rng.standard_normal(n)
    return np.maximum(mu1 + s1 * x, 0.0), np.maximum(mu2 + s2 * y, 0.0)


# ------------------------------------------------------------------------------------------
# import hygiene
# ------------------------------------------------------------------------------------------
def test_numpy_module_does_not_import_torch():
    code = "import sys, mnd.gaussian; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------------------------------
# Monte Carlo
# ------------------------------------------------------------------------------------------
UNITS = [(0.3, 1.0), (-1.2, 0.7), (2.5, 0.5), (-0.1, 2.0), (0.0, 1.3)]


@pytest.mark.parametrize("mu,s", UNITS)
def test_one_unit_moments_vs_monte_carlo(mu, s):
    rng = np.random.default_rng(20231)
    u = np.maximum(mu + s * rng.standard_normal(N_MC), 0.0)
    _mc_check(u, relu_mean(mu, s))
    _mc_check(u * u, relu_second_moment(mu, s))
    # variance: sample variance has SE ~ std((u - mean)^2) / sqrt(n)
    _mc_check((u - u.mean()) ** 2 * N_MC / (N_MC - 1), relu_variance(mu, s))


PAIRS = [
    (0.3, -0.4, 1.0, 0.8, 0.5),
    (1.5, 2.0, 0.6, 1.1, -0.7),
    (-0.5, 0.2, 1.0, 1.0, 0.95),
    (0.1, 0.1, 0.9, 1.2, -0.97),
    (2.0, -1.0, 0.5, 0.5, 0.0),
    (0.4, 0.9, 1.0, 0.3, 1.0),
    (0.4, 0.9, 1.0, 0.3, -1.0),
]


@pytest.mark.parametrize("mu1,mu2,s1,s2,r", PAIRS)
def test_pair_moments_vs_monte_carlo(mu1, mu2, s1, s2, r):
    rng = np.random.default_rng(777)
    u, v = _pair_samples(rng, mu1, mu2, s1, s2, r)
    _mc_check(u * v, relu_product_mean(mu1, mu2, s1, s2, r))
    # sample covariance: SE from the delta method, std((u - ubar)(v - vbar)) / sqrt(n)
    _mc_check((u - u.mean()) * (v - v.mean()), relu_covariance(mu1, mu2, s1, s2, r))


def test_stein_identity_vs_monte_carlo():
    """E[[w.(x+eps)+b]_+ eps] = sigma^2 Phi(mu/s) w (the cross term of the loss)."""
    rng = np.random.default_rng(5)
    w, b, x, sigma = np.array([0.8, -1.3]), 0.2, np.array([0.5, 0.1]), 0.6
    eps = sigma * rng.standard_normal((N_MC, 2))
    u = np.maximum((x + eps) @ w + b, 0.0)
    mu, s = w @ x + b, sigma * np.linalg.norm(w)
    exact = sigma**2 * ndtr(mu / s) * w
    for i in range(2):
        _mc_check(u * eps[:, i], exact[i])


def test_expected_loss_vs_monte_carlo():
    """Random network d = 2, K = 5, N = 3; 400,000 noise draws per point, 6 standard errors."""
    rng = np.random.default_rng(2023)
    d, K, N, sigma = 2, 5, 3, 0.45
    W = rng.normal(size=(K, d))
    b = rng.normal(size=K)
    A = rng.normal(size=(d, K))
    V = 0.5 * rng.normal(size=(d, d))
    c = rng.normal(size=d)
    x = rng.normal(size=(N, d))
    exact = expected_denoising_loss(W, b, A, V, c, x, sigma)
    means, variances = [], []
    for n in range(N):
        y = x[n] + sigma * rng.standard_normal((N_MC, d))
        h = np.maximum(y @ W.T + b, 0.0) @ A.T + y @ V.T + c
        loss = np.sum((h - x[n]) ** 2, axis=1)
        means.append(loss.mean())
        variances.append(loss.var(ddof=1) / N_MC)
    est, se = np.mean(means), math.sqrt(np.sum(variances)) / N
    assert abs(est - exact) <= N_SE * se, (est, exact, se)


def test_expected_loss_vs_quadrature_1d():
    """d = 1: the expectation is a 1D integral, computed by quad between the kinks (tol 1e-9)."""
    rng = np.random.default_rng(11)
    K, N, sigma = 4, 2, 0.8
    W = rng.normal(size=(K, 1))
    b = rng.normal(size=K)
    A = rng.normal(size=(1, K))
    V = rng.normal(size=(1, 1))
    c = rng.normal(size=1)
    x = rng.normal(size=(N, 1))
    total = 0.0
    for n in range(N):
        def f(e, n=n):
            y = x[n, 0] + e
            h = A[0] @ np.maximum(W[:, 0] * y + b, 0.0) + V[0, 0] * y + c[0]
            return (h - x[n, 0]) ** 2 * _phi(e / sigma) / sigma

        kinks = sorted((-b / W[:, 0]) - x[n, 0])
        pts = [-np.inf, *kinks, np.inf]
        total += sum(integrate.quad(f, lo, hi, epsabs=1e-13, epsrel=1e-12)[0] for lo, hi in zip(pts[:-1], pts[1:]))
    exact = expected_denoising_loss(W, b, A, V, c, x, sigma)
    assert exact == pytest.approx(total / N, rel=1e-9, abs=1e-10)


def test_expected_loss_sigma_zero_is_deterministic():
    rng = np.random.default_rng(3)
    W, b, A = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(3, 4))
    V, c, x = rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=(5, 3))
    h = np.maximum(x @ W.T + b, 0.0) @ A.T + x @ V.T + c
    expected = np.mean(np.sum((h - x) ** 2, axis=1))
    assert expected_denoising_loss(W, b, A, V, c, x, 0.0) == pytest.approx(expected, rel=1e-14)


def test_expected_loss_parallel_and_dead_units_vs_monte_carlo():
    """Units with r = +1, r = -1 off the diagonal and a unit with w = 0 (s = 0)."""
    rng = np.random.default_rng(8)
    W = np.array([[1.0, 0.0], [2.0, 0.0], [-1.0, 0.0], [0.0, 0.0], [0.3, 0.4]])
    b = rng.normal(size=5)
    A, V, c, x, sigma = rng.normal(size=(2, 5)), rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(2, 2)), 0.5
    exact = expected_denoising_loss(W, b, A, V, c, x, sigma)
    means, variances = [], []
    for n in range(2):
        y = x[n] + sigma * rng.standard_normal((N_MC, 2))
        loss = np.sum((np.maximum(y @ W.T + b, 0.0) @ A.T + y @ V.T + c - x[n]) ** 2, axis=1)
        means.append(loss.mean())
        variances.append(loss.var(ddof=1) / N_MC)
    assert abs(np.mean(means) - exact) <= N_SE * math.sqrt(np.sum(variances)) / 2


# ------------------------------------------------------------------------------------------
# scipy references
# ------------------------------------------------------------------------------------------
def _quad_moment(mu, s, power):
    """E[z]_+^power by adaptive quadrature of z^power * scipy.stats.norm.pdf over z > 0."""
    f = lambda z: z**power * stats.norm.pdf(z, loc=mu, scale=s)  # noqa: E731
    pts = [0.0, mu, np.inf] if mu > 0 else [0.0, np.inf]
    return sum(integrate.quad(f, a, b, epsabs=1e-14, epsrel=1e-12)[0] for a, b in zip(pts[:-1], pts[1:]))


@DET
@given(mu=st.floats(-5, 5), s=st.floats(0.05, 3))
def test_one_unit_moments_vs_scipy_quad(mu, s):
    m1 = _quad_moment(mu, s, 1)
    m2 = _quad_moment(mu, s, 2)
    assert relu_mean(mu, s) == pytest.approx(m1, rel=1e-9, abs=1e-13)
    assert relu_second_moment(mu, s) == pytest.approx(m2, rel=1e-9, abs=1e-13)
    assert relu_variance(mu, s) == pytest.approx(m2 - m1 * m1, rel=1e-7, abs=1e-12)
    # scipy.stats.norm: P(z > 0) is the derivative of the mean with respect to mu
    h = 1e-6
    dm = (relu_mean(mu + h, s) - relu_mean(mu - h, s)) / (2 * h)
    assert dm == pytest.approx(stats.norm.sf(0.0, loc=mu, scale=s), abs=1e-8)


@DET
@given(a=st.floats(-6, 6), b=st.floats(-6, 6), r=st.floats(-0.9999, 0.9999))
def test_bivariate_cdf_vs_scipy(a, b, r):
    ref = stats.multivariate_normal.cdf([a, b], mean=[0.0, 0.0], cov=[[1.0, r], [r, 1.0]])
    assert abs(bivariate_normal_cdf(a, b, r) - ref) <= 1e-14


@pytest.mark.parametrize("r", [-1.0, -0.99, -0.93, -0.5, 0.0, 0.3, 0.9, 0.926, 0.999999, 1.0])
def test_bivariate_cdf_vs_scipy_grid(r):
    g = np.array([-7.0, -3.0, -1.0, -0.2, 0.0, 0.5, 2.0, 6.0])
    A, B = np.meshgrid(g, g)
    cov = [[1.0, r], [r, 1.0]]
    ref = np.array(
        [
            stats.multivariate_normal.cdf([a, b], mean=[0.0, 0.0], cov=cov, allow_singular=True)
            for a, b in zip(A.ravel(), B.ravel())
        ]
    )
    assert np.max(np.abs(bivariate_normal_cdf(A.ravel(), B.ravel(), r) - ref)) <= 1e-14


def _phi2_quad(a, b, r):
    """Independent reference: Phi2 = int_{-inf}^a phi(x) Phi((b - r x)/q) dx by adaptive quad."""
    q = math.sqrt(1 - r * r)
    return integrate.quad(lambda x: _phi(x) * ndtr((b - r * x) / q), -np.inf, a, epsabs=1e-15, epsrel=1e-13, limit=200)[0]


@pytest.mark.parametrize(
    "a,b,r",
    [(0.3, -0.7, 0.2), (-2.0, 1.5, -0.6), (1.0, 1.2, 0.97), (-0.5, -0.4, -0.99), (2.5, 2.4, 0.9999), (-3.0, 3.1, -0.95)],
)
def test_bivariate_cdf_vs_quadrature(a, b, r):
    assert bivariate_normal_cdf(a, b, r) == pytest.approx(_phi2_quad(a, b, r), abs=1e-12)


def _product_quad(mu1, mu2, s1, s2, r):
    """E[z1]_+[z2]_+ as a 1D integral over z1 of z1 E[[z2]_+ | z1] (inner mean in closed form)."""
    q = math.sqrt(1 - r * r)

    def f(x):
        m, sd = mu2 + s2 * r * x, s2 * q
        return (mu1 + s1 * x) * (m * ndtr(m / sd) + sd * _phi(m / sd)) * _phi(x)

    lo = -mu1 / s1
    pieces = [(lo, lo + 4), (lo + 4, np.inf)]
    return sum(integrate.quad(f, a, bb, epsabs=1e-14, epsrel=1e-12, limit=200)[0] for a, bb in pieces)


@DET
@given(
    mu1=st.floats(-4, 4), mu2=st.floats(-4, 4), s1=st.floats(0.1, 2), s2=st.floats(0.1, 2), r=st.floats(-0.995, 0.995)
)
def test_product_mean_vs_quadrature(mu1, mu2, s1, s2, r):
    ref = _product_quad(mu1, mu2, s1, s2, r)
    scale = s1 * s2 + abs(mu1 * mu2)
    assert abs(relu_product_mean(mu1, mu2, s1, s2, r) - ref) <= 1e-9 * scale
    cov_ref = ref - relu_mean(mu1, s1) * relu_mean(mu2, s2)
    assert abs(relu_covariance(mu1, mu2, s1, s2, r) - cov_ref) <= 1e-9 * scale


def test_product_formula_as_stated_in_math_md():
    """The stated closed form (with Phi2 from scipy) matches the implementation."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        mu1, mu2 = rng.normal(size=2) * 2
        s1, s2 = rng.uniform(0.2, 2, 2)
        r = rng.uniform(-0.95, 0.95)
        a1, a2, q = mu1 / s1, mu2 / s2, math.sqrt(1 - r * r)
        A1, A2 = (a1 - r * a2) / q, (a2 - r * a1) / q
        P2 = stats.multivariate_normal.cdf([a1, a2], mean=[0.0, 0.0], cov=[[1, r], [r, 1]])
        stated = (
            (mu1 * mu2 + r * s1 * s2) * P2
            + mu1 * s2 * _phi(a2) * ndtr(A1)
            + mu2 * s1 * _phi(a1) * ndtr(A2)
            + s1 * s2 * q * _phi(a1) * _phi(A2)
        )
        assert relu_product_mean(mu1, mu2, s1, s2, r) == pytest.approx(stated, rel=1e-12, abs=1e-14)


# ------------------------------------------------------------------------------------------
# exact limits
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mu", [-2.0, -1e-300, 0.0, 1e-300, 0.7, 3e5])
def test_s_zero_is_exact(mu):
    relu = max(mu, 0.0)
    assert relu_mean(mu, 0.0) == relu
    assert relu_second_moment(mu, 0.0) == relu * relu
    assert relu_variance(mu, 0.0) == 0.0
    for r in (-1.0, 0.3, 1.0):
        assert relu_covariance(mu, 0.4, 0.0, 1.3, r) == 0.0
        assert relu_covariance(0.4, mu, 1.3, 0.0, r) == 0.0
        assert relu_product_mean(mu, 0.4, 0.0, 1.3, r) == relu * relu_mean(0.4, 1.3)
        assert relu_product_mean(mu, -0.5, 0.0, 0.0, r) == 0.0
        assert relu_product_mean(mu, 2.5, 0.0, 0.0, r) == relu * 2.5


def test_s_to_zero_is_continuous():
    for mu in (-1.0, 0.5):
        assert relu_mean(mu, 1e-9) == pytest.approx(max(mu, 0.0), abs=1e-12)
        assert relu_variance(mu, 1e-9) == pytest.approx(0.0, abs=1e-17)
        assert relu_covariance(mu, 0.5, 1e-9, 1.0, 0.4) == pytest.approx(0.0, abs=1e-9)


def _r_pm1_quad(mu1, mu2, s1, s2, sign):
    f = lambda x: max(mu1 + s1 * x, 0.0) * max(mu2 + sign * s2 * x, 0.0) * _phi(x)  # noqa: E731
    kinks = sorted({-mu1 / s1, -sign * mu2 / s2})
    pts = [-np.inf, *kinks, np.inf]
    return sum(integrate.quad(f, a, b, epsabs=1e-14, epsrel=1e-12)[0] for a, b in zip(pts[:-1], pts[1:]))


@pytest.mark.parametrize(
    "mu1,mu2,s1,s2", [(0.3, -0.4, 1.0, 0.8), (1.0, 1.0, 0.5, 0.5), (-1.0, 2.0, 0.7, 1.5), (2.0, -1.5, 1.0, 1.0)]
)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_r_plus_minus_one_is_exact(mu1, mu2, s1, s2, sign):
    ref = _r_pm1_quad(mu1, mu2, s1, s2, sign)
    got = relu_product_mean(mu1, mu2, s1, s2, sign)
    assert got == pytest.approx(ref, rel=1e-10, abs=1e-13)
    # the limit r -> +-1 is continuous (d/dr E[z1]_+[z2]_+ = s1 s2 Phi2(...) <= s1 s2)
    near = relu_product_mean(mu1, mu2, s1, s2, sign * (1 - 1e-10))
    assert near == pytest.approx(got, abs=1e-8 * s1 * s2)


def test_variance_is_covariance_with_itself():
    mu = np.array([-3.0, -0.5, 0.0, 0.4, 5.0])
    s = np.array([1.0, 0.3, 2.0, 0.0, 1.5])
    np.testing.assert_allclose(relu_covariance(mu, mu, s, s, 1.0), relu_variance(mu, s), rtol=1e-14, atol=1e-300)


def test_bivariate_cdf_special_values():
    g = np.array([-np.inf, -40.0, -5.0, -1.0, 0.0, 0.3, 2.0, 45.0, np.inf])
    A, B = [v.ravel() for v in np.meshgrid(g, g)]
    Pa, Pb = ndtr(A), ndtr(B)
    np.testing.assert_allclose(bivariate_normal_cdf(A, B, 0.0), Pa * Pb, rtol=1e-14, atol=1e-16)
    np.testing.assert_array_equal(bivariate_normal_cdf(A, B, 1.0), ndtr(np.minimum(A, B)))
    np.testing.assert_allclose(bivariate_normal_cdf(A, B, -1.0), np.maximum(0.0, Pa + Pb - 1.0), rtol=0, atol=4.5e-16)
    # one infinite limit: Phi2(inf, b) = Phi(b), Phi2(-inf, b) = 0, for any r
    for r in (-0.95, -0.3, 0.5, 0.99):
        np.testing.assert_allclose(bivariate_normal_cdf(np.inf, g, r), ndtr(g), rtol=1e-15, atol=0)
        np.testing.assert_array_equal(bivariate_normal_cdf(-np.inf, g, r), 0.0)
    # symmetry and the reflection identity Phi2(a, b; r) + Phi2(a, -b; -r) = Phi(a)
    rng = np.random.default_rng(1)
    a, b, r = rng.normal(size=200) * 3, rng.normal(size=200) * 3, rng.uniform(-1, 1, 200)
    np.testing.assert_array_equal(bivariate_normal_cdf(a, b, r), bivariate_normal_cdf(b, a, r))
    np.testing.assert_allclose(bivariate_normal_cdf(a, b, r) + bivariate_normal_cdf(a, -b, -r), ndtr(a), atol=1e-15)


def test_broadcasting_and_scalar_returns():
    assert np.ndim(relu_mean(0.3, 1.0)) == 0
    out = relu_covariance(np.zeros((3, 1)), np.zeros((1, 4)), 1.0, np.ones(4), 0.2)
    assert out.shape == (3, 4)
    assert bivariate_normal_cdf(np.zeros((2, 1, 1)), np.zeros(5), 0.5).shape == (2, 1, 5)


# ------------------------------------------------------------------------------------------
# large |mu/s|
# ------------------------------------------------------------------------------------------
def _tail_series(x, n, terms=12):
    """E[(X - x)_+^n] = phi(x) sum_j (-1)^j (2j+n)! / (2^j j!) x^-(2j+n+1), x -> +inf."""
    tot = sum(
        (-1) ** j * math.factorial(2 * j + n) / (2**j * math.factorial(j)) * x ** -(2 * j + n + 1) for j in range(terms)
    )
    return _phi(x) * tot


@pytest.mark.parametrize("x", [15.0, 20.0, 30.0])
def test_inactive_unit_asymptotics(x):
    s = 0.7
    assert relu_mean(-x * s, s) == pytest.approx(s * _tail_series(x, 1), rel=1e-11)
    assert relu_second_moment(-x * s, s) == pytest.approx(s * s * _tail_series(x, 2), rel=1e-11)
    assert relu_variance(-x * s, s) == pytest.approx(s * s * _tail_series(x, 2), rel=1e-11)


@pytest.mark.parametrize("a", [8.0, 40.0, 1e4, 1e8, 1e150, 1e300])
def test_large_ratio_stability(a):
    s = 1.3
    for mu, sd in ((a * s, s), (-a * s, s), (1.0, 1.0 / a), (-1.0, 1.0 / a)):
        vals = [
            relu_mean(mu, sd), relu_variance(mu, sd),
            relu_covariance(mu, 0.3, sd, 1.0, 0.4), relu_covariance(mu, mu, sd, sd, 0.9),
            relu_product_mean(mu, -mu, sd, sd, -0.5), relu_product_mean(mu, 0.3, sd, 1.0, 0.95),
        ]
        if abs(mu) < 1e150:  # beyond, E[z]_+^2 ~ mu^2 genuinely overflows
            vals.append(relu_second_moment(mu, sd))
        assert np.all(np.isfinite(vals))
    if a < 1e150:  # mu^2 overflows beyond
        mu = a * s
        assert relu_mean(mu, s) == pytest.approx(mu, rel=1e-15)
        assert relu_second_moment(mu, s) == pytest.approx(mu * mu + s * s, rel=1e-15)
        # active units: Var -> s^2, Cov -> r s1 s2, no cancellation even at mu/s = 1e8
        assert relu_variance(mu, s) == pytest.approx(s * s, rel=1e-13)
        assert relu_covariance(mu, 2 * mu, s, 2 * s, 0.3) == pytest.approx(0.3 * 2 * s * s, rel=1e-13)
        assert relu_covariance(mu, -mu, s, s, 0.3) == pytest.approx(0.0, abs=1e-12)
        assert relu_covariance(-mu, -mu, s, s, 0.3) == pytest.approx(0.0, abs=1e-12)
        # one active, one half-active unit: Cov = r s1 s2 Phi(a2)
        assert relu_covariance(mu, 0.0, s, 1.0, 0.6) == pytest.approx(0.6 * s * 0.5, rel=1e-12)
    for r in (0.5, -0.5, 0.97, -0.97):
        vals = bivariate_normal_cdf([a, -a, a], [0.3, 0.3, -a], r)
        if a >= 40:  # exact: Phi(-40) underflows to 0
            np.testing.assert_array_equal(vals, [ndtr(0.3), 0.0, 0.0])
        else:
            cov = [[1.0, r], [r, 1.0]]
            ref = [stats.multivariate_normal.cdf(p, mean=[0.0, 0.0], cov=cov) for p in ([a, 0.3], [-a, 0.3], [a, -a])]
            np.testing.assert_allclose(vals, ref, rtol=1e-13, atol=1e-16)


# ------------------------------------------------------------------------------------------
# torch vs numpy, gradients
# ------------------------------------------------------------------------------------------
def _t(x):
    return torch.as_tensor(np.asarray(x, dtype=float), dtype=torch.float64)


def _random_pairs(seed, n=400):
    rng = np.random.default_rng(seed)
    mu1, mu2 = rng.normal(size=(2, n)) * 4
    s1, s2 = rng.uniform(0, 3, (2, n))
    r = rng.uniform(-1, 1, n)
    s1[:20] = 0.0
    s2[15:30] = 0.0
    r[30:60] = 1.0
    r[60:90] = -1.0
    r[90:120] = rng.choice([-0.93, 0.93, 0.99999], 30)
    mu1[120:150] *= 50
    mu2[150:180] = mu1[150:180]
    s2[150:180] = s1[150:180]
    return mu1, mu2, s1, s2, r


def test_torch_matches_numpy():
    mu1, mu2, s1, s2, r = _random_pairs(0)
    for name in ("relu_mean", "relu_second_moment", "relu_variance"):
        ref = getattr(gnp, name)(mu1, s1)
        got = getattr(gt, name)(_t(mu1), _t(s1)).numpy()
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10, err_msg=name)
    args = (mu1, mu2, s1, s2, r)
    for name in ("relu_covariance", "relu_product_mean"):
        got = getattr(gt, name)(*map(_t, args)).numpy()
        np.testing.assert_allclose(got, getattr(gnp, name)(*args), rtol=1e-10, atol=1e-10, err_msg=name)
    a, b = mu1 / 2, mu2 / 2
    got = gt.bivariate_normal_cdf(_t(a), _t(b), _t(r)).numpy()
    np.testing.assert_allclose(got, bivariate_normal_cdf(a, b, r), rtol=1e-10, atol=1e-15)


@DET
@given(
    mu1=st.floats(-30, 30), mu2=st.floats(-30, 30), s1=st.floats(0, 3), s2=st.floats(0, 3),
    r=st.one_of(st.floats(-1, 1), st.sampled_from([-1.0, 1.0, 0.925, -0.925])),
)
def test_torch_matches_numpy_property(mu1, mu2, s1, s2, r):
    args = (mu1, mu2, s1, s2, r)
    assert gt.relu_covariance(*map(_t, args)).item() == pytest.approx(relu_covariance(*args), rel=1e-10, abs=1e-10)
    assert gt.relu_product_mean(*map(_t, args)).item() == pytest.approx(relu_product_mean(*args), rel=1e-10, abs=1e-10)
    assert gt.relu_mean(_t(mu1), _t(s1)).item() == pytest.approx(relu_mean(mu1, s1), rel=1e-10, abs=1e-10)


def _net(seed, d=2, K=5, N=3):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(K, d)), rng.normal(size=K), rng.normal(size=(d, K)),
        0.5 * rng.normal(size=(d, d)), rng.normal(size=d), rng.normal(size=(N, d)),
    )


def test_torch_loss_matches_numpy():
    for seed, sigma in ((0, 0.45), (1, 0.0), (2, 2.0)):
        net = _net(seed)
        ref = expected_denoising_loss(*net, sigma)
        got = gt.expected_denoising_loss(*map(_t, net), sigma)
        assert got.dim() == 0
        assert got.item() == pytest.approx(ref, rel=1e-10)
    W, b, A, V, c, x = _net(3)
    W[1] = 2 * W[0]  # r = +1 off the diagonal
    W[2] = -W[0]  # r = -1
    W[3] = 0.0  # s = 0
    net = (W, b, A, V, c, x)
    args = [_t(v).requires_grad_() for v in net]
    loss = gt.expected_denoising_loss(*args, 0.7)
    assert loss.item() == pytest.approx(expected_denoising_loss(*net, 0.7), rel=1e-10)
    loss.backward()
    assert all(bool(torch.isfinite(a.grad).all()) for a in args)


def _req(*xs):
    return tuple(_t(x).requires_grad_() for x in xs)


def test_gradcheck_one_unit():
    mu = np.array([-2.5, -0.7, 0.1, 0.9, 3.0, -6.0])
    s = np.array([1.0, 0.4, 2.0, 0.8, 1.2, 1.1])
    for f in (gt.relu_mean, gt.relu_second_moment, gt.relu_variance):
        assert torch.autograd.gradcheck(f, _req(mu, s))
        assert torch.autograd.gradgradcheck(f, _req(mu, s))


def test_gradcheck_pairs_and_bivariate_cdf():
    mu1 = np.array([-1.0, 0.5, 2.0, -0.3, 0.8])
    mu2 = np.array([0.4, -0.6, 1.5, -2.0, 0.7])
    s1 = np.array([1.0, 0.7, 0.5, 1.3, 0.9])
    s2 = np.array([0.6, 1.2, 0.8, 0.5, 1.1])
    r = np.array([0.3, -0.6, 0.95, -0.97, 0.1])  # both quadrature branches
    assert torch.autograd.gradcheck(gt.relu_covariance, _req(mu1, mu2, s1, s2, r))
    assert torch.autograd.gradcheck(gt.relu_product_mean, _req(mu1, mu2, s1, s2, r))
    assert torch.autograd.gradcheck(gt.bivariate_normal_cdf, _req(mu1, mu2, r))
    assert torch.autograd.gradgradcheck(gt.bivariate_normal_cdf, _req(mu1, mu2, r))


def test_price_theorem_r_gradient_including_r_pm1():
    """d/dr E[z1]_+[z2]_+ = s1 s2 Phi2(a1, a2; r) (Price's theorem), finite and exact at r = +-1."""
    mu1 = np.array([3.0, 3.0, -0.5, 0.3, 0.4, 1.0, -2.0])
    mu2 = np.array([3.0, -2.0, 1.0, 0.2, -0.9, 0.5, -1.0])
    s1 = np.array([1.0, 1.0, 1.0, 1.0, 0.8, 1.3, 0.6])
    s2 = np.array([1.0, 1.5, 2.0, 1.0, 1.1, 0.4, 0.9])
    r = np.array([1.0, -1.0, 1.0, -1.0, 0.3, -0.96, 0.99])
    args = _req(mu1, mu2, s1, s2, r)
    for f in (gt.relu_covariance, gt.relu_product_mean):
        (grad_r,) = torch.autograd.grad(f(*args).sum(), args[4])
        price = s1 * s2 * bivariate_normal_cdf(mu1 / s1, mu2 / s2, r)
        np.testing.assert_allclose(grad_r.numpy(), price, rtol=1e-12, atol=1e-15)


def test_torch_gradients_finite_at_edge_cases():
    mu1 = np.array([1.0, 0.0, 1e10, -60.0, 1e-300, 2.0])
    mu2 = np.array([2.0, 0.0, -1e10, -60.0, 0.5, 2.0])
    s1 = np.array([1e-200, 0.0, 1.0, 1.0, 1e-299, 1.0])
    s2 = np.array([1.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    r = np.array([0.99, 1.0, 0.5, 0.9, 0.3, 1.0])
    args = _req(mu1, mu2, s1, s2, r)
    out = gt.relu_covariance(*args) + gt.relu_product_mean(*args) + gt.relu_variance(args[0], args[2])
    out.sum().backward()
    assert all(bool(torch.isfinite(a.grad).all()) for a in args)


def test_gradcheck_expected_loss():
    W, b, A, V, c, x = _net(7, d=2, K=3, N=2)
    args = _req(W, b, A, V, c, x) + _req(0.6)
    assert torch.autograd.gradcheck(gt.expected_denoising_loss, args)


# ------------------------------------------------------------------------------------------
# errors
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mod", ["numpy", "torch"])
def test_value_errors_moments(mod):
    m = gnp if mod == "numpy" else gt
    conv = (lambda v: np.asarray(v, dtype=float)) if mod == "numpy" else _t
    with pytest.raises(ValueError, match="s must be a standard deviation"):
        m.relu_mean(conv(0.0), conv(-1.0))
    with pytest.raises(ValueError, match="s must be a standard deviation"):
        m.relu_second_moment(conv(0.0), conv([1.0, -1e-9]))
    with pytest.raises(ValueError, match="s must be a standard deviation"):
        m.relu_variance(conv(0.0), conv(-2.0))
    with pytest.raises(ValueError, match="s2 must be"):
        m.relu_covariance(conv(0.0), conv(0.0), conv(1.0), conv(-1.0), conv(0.0))
    with pytest.raises(ValueError, match="s1 must be"):
        m.relu_product_mean(conv(0.0), conv(0.0), conv(-1.0), conv(1.0), conv(0.0))
    for f in (m.relu_covariance, m.relu_product_mean):
        with pytest.raises(ValueError, match="correlation"):
            f(conv(0.0), conv(0.0), conv(1.0), conv(1.0), conv(1.0 + 1e-12))
    with pytest.raises(ValueError, match="correlation"):
        m.bivariate_normal_cdf(conv(0.0), conv(0.0), conv(-1.5))
    with pytest.raises(ValueError, match="non-finite"):
        m.relu_mean(conv(np.nan), conv(1.0))
    with pytest.raises(ValueError, match="non-finite"):
        m.relu_mean(conv(0.0), conv(np.inf))
    with pytest.raises(ValueError, match="non-finite"):
        m.relu_covariance(conv(np.inf), conv(0.0), conv(1.0), conv(1.0), conv(0.0))
    with pytest.raises(ValueError, match="non-finite"):
        m.relu_covariance(conv(0.0), conv(0.0), conv(1.0), conv(1.0), conv(np.nan))
    with pytest.raises(ValueError, match="nan"):
        m.bivariate_normal_cdf(conv(np.nan), conv(0.0), conv(0.0))
    with pytest.raises(ValueError, match="shape mismatch"):
        m.relu_mean(conv([0.0, 1.0]), conv([1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="shape mismatch"):
        m.relu_covariance(conv([0.0, 1.0]), conv(0.0), conv(1.0), conv(1.0), conv([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match="shape mismatch"):
        m.bivariate_normal_cdf(conv([0.0, 1.0]), conv([0.0, 1.0, 2.0]), conv(0.0))


@pytest.mark.parametrize("mod", ["numpy", "torch"])
def test_value_errors_loss(mod):
    f = expected_denoising_loss if mod == "numpy" else gt.expected_denoising_loss
    conv = (lambda v: np.asarray(v, dtype=float)) if mod == "numpy" else _t
    W, b, A, V, c, x = _net(0)
    good = dict(W=W, b=b, A=A, V=V, c=c, x_clean=x)

    def call(sigma=0.5, **over):
        kw = {**good, **over}
        return f(*(conv(kw[k]) for k in ("W", "b", "A", "V", "c", "x_clean")), sigma)

    call()  # valid
    bad = {
        "W must have shape": dict(W=W[0]),
        "b must have shape": dict(b=b[:-1]),
        "A must have shape": dict(A=A.T),
        "V must have shape": dict(V=np.eye(3)),
        "c must have shape": dict(c=np.zeros(3)),
        "x_clean must have shape": dict(x_clean=x[:, :1]),
        "non-finite": dict(W=np.where(np.eye(5, 2) > 0, np.nan, W)),
    }
    for msg, over in bad.items():
        with pytest.raises(ValueError, match=msg):
            call(**over)
    with pytest.raises(ValueError, match="x_clean must have shape"):
        call(x_clean=np.zeros((0, 2)))
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        call(sigma=-0.1)
    with pytest.raises(ValueError, match="non-finite|sigma must be finite"):
        call(sigma=float("nan"))
    with pytest.raises(ValueError, match="sigma must be a scalar"):
        call(sigma=conv([0.1, 0.2]))


# ----------------------------------------------------------------------------- small products, relative accuracy

def _product_reference(a1, a2, r):
    """E[(a1 + X)_+ (a2 + Y)_+] to 50 digits (mpmath), integrating over the rarer unit."""
    import mpmath as mp

    mp.mp.dps = 50
    if a2 < a1:
        a1, a2 = a2, a1
    a1, a2, r = mp.mpf(a1), mp.mpf(a2), mp.mpf(r)
    q = mp.sqrt(1 - r * r)

    def f(u):
        t = (a2 + r * (u - a1)) / q
        return u * mp.npdf(u - a1) * q * (t * mp.ncdf(t) + mp.npdf(t))

    us = [mp.mpf(10) ** k for k in np.linspace(-8, 2.5, 120)]
    peak = max(us, key=f)
    return float(mp.quad(f, sorted({mp.mpf(0), *us[::8], peak}) + [mp.inf]))


@pytest.mark.parametrize("a1, a2, r", [
    (-8.0, -8.0, 0.0), (-16.0, -2.0, 0.5), (-4.0, -4.0, -0.9), (0.0, -0.5, -0.9999), (0.0, -1.0, -0.999),
    (2.0, -16.0, 0.9), (2.0, -8.0, -0.9), (-16.0, -16.0, 0.999), (-1.5, -1.5, -0.5), (-30.0, -1.0, 0.3),
])
def test_small_products_keep_their_relative_accuracy(a1, a2, r):
    """Far tails and anti-correlated units: the product is tiny (down to 1e-284 here) and the
    old Cov + m1 m2 evaluation had lost every digit; now relative error < 1e-8."""
    exact = _product_reference(a1, a2, r)
    got = relu_product_mean(a1, a2, 1.0, 1.0, r)
    assert exact > 0 and got == pytest.approx(exact, rel=1e-8)
    # scaling: E[z1]_+[z2]_+ = s1 s2 G(mu1/s1, mu2/s2, r)
    assert relu_product_mean(3 * a1, 0.5 * a2, 3.0, 0.5, r) == pytest.approx(1.5 * exact, rel=1e-8)


def test_product_mean_is_never_negative_on_a_grid():
    a = np.linspace(-12, 3, 13)
    A1, A2, R = np.meshgrid(a, a, np.linspace(-0.999, 0.999, 11), indexing="ij")
    vals = relu_product_mean(A1, A2, 1.0, 1.0, R)
    assert vals.size == 1859 and np.all(vals >= 0)
    # and it agrees with the closed form where both units are often active
    both = (A1 > 0.5) & (A2 > 0.5)
    ref = relu_covariance(A1, A2, 1.0, 1.0, R) + relu_mean(A1, 1.0) * relu_mean(A2, 1.0)
    np.testing.assert_allclose(vals[both], ref[both], rtol=1e-12)
