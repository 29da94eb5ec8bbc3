"""Reading the ball radius ``rho`` off the noise.

The rho-ball problem idealises "the noisy samples of ``x_n`` fill a neighbourhood of ``x_n``".
Which neighbourhood depends on how the network is trained:

- *Offline* (``M`` fixed samples per point): the network must map every sample to its clean point,
  and nothing else, so in 1D the exact low-noise target is Proposition 1 with per-point intervals,
  the hull ``[min_m y_nm, max_m y_nm]`` of each point's samples (:func:`sample_hulls`). Its
  half-width is about ``sigma e_M`` with ``e_M = E max`` of ``M`` standard normals
  (:func:`expected_max_normal`; ``e_200 = 2.75``).
- *Online* (fresh Gaussian noise every step): the samples are unbounded, so no radius holds all of
  them. Within the family ``f*_rho`` of Proposition 1 the online objective
  ``J(rho) = (1/N) sum_n E_eps (f*_rho(x_n + eps) - x_n)^2 + lam R(f*_rho)`` trades the tail
  mass outside the plateaus against the cost ``R(f*_rho) = sum_n 2 D_n / (D_n - 2 rho)``;
  :func:`online_radius` returns its minimiser, which grows slowly as ``lam`` shrinks.

:func:`fit_radius` goes the other way: the ``rho`` whose ``f*_rho`` is closest (RMS on a grid)
to a given denoiser, e.g. a trained network.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import integrate, stats
from scipy.optimize import minimize_scalar

from ._checks import nonneg_scalar, points_1d, positive_int, positive_scalar
from .closed_form.univariate import _sorted_distinct_1d, univariate

Denoiser = Callable[[np.ndarray], np.ndarray]


def sample_hulls(y: object, target: object, x_clean: object) -> tuple[np.ndarray, np.ndarray]:
    """Per clean point ``x_n`` the hull ``[lo_n, hi_n]`` of the samples ``y_i`` with ``target_i = x_n``.

    ``y`` and ``target`` as returned by :func:`mnd.data.noisy_samples` for 1D data (shape
    ``(N M,)``). Returns ``(lo, hi)`` in the order of ``x_clean``. The exact target of offline
    training at low noise is then ``mnd.univariate_intervals(x_clean, lo, hi)``.
    """
    Y = points_1d(y, "y", 1)
    T = points_1d(target, "target", 1)
    X = points_1d(x_clean, "x_clean", 1)
    if Y.size != T.size:
        raise ValueError(f"y and target must have the same length, got {Y.size} and {T.size}")
    lo, hi = np.empty(X.size), np.empty(X.size)
    for n, xn in enumerate(X):
        mine = Y[T == xn]
        if mine.size == 0:
            raise ValueError(f"no samples have target x = {xn:g}")
        lo[n], hi[n] = mine.min(), mine.max()
    return lo, hi


def expected_max_normal(M: int) -> float:
    """``e_M = E max(Z_1, ..., Z_M)`` for i.i.d. standard normals, ``= int M t phi(t) Phi(t)^(M-1) dt``.

    ``e_1 = 0``, ``e_2 = 1/sqrt(pi)``; ``e_M ~ sqrt(2 ln M)`` for large ``M``.
    """
    if isinstance(M, bool) or not isinstance(M, (int, np.integer)) or M < 1:
        raise ValueError(f"M must be a positive integer, got {M!r}")
    M = int(M)
    if M == 1:
        return 0.0

    def integrand(t: float) -> float:
        return t * M * stats.norm.pdf(t) * np.exp((M - 1) * stats.norm.logcdf(t))

    return float(integrate.quad(integrand, -12.0, 12.0, limit=200, points=[np.sqrt(2 * np.log(M))])[0])


def _noise_rule(sigma: float, n_t: int = 2001, t_max: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``sigma t_k`` and weights (normal mass per cell, normalised) for ``E_eps g(eps)``."""
    n_t = positive_int(n_t, "n_t", 3)
    t = np.linspace(-t_max, t_max, n_t)
    dt = t[1] - t[0]
    w = stats.norm.cdf(t + dt / 2) - stats.norm.cdf(t - dt / 2)
    return sigma * t, w / w.sum()


def online_objective(x_clean: object, sigma: float, lam: float, rho: float, n_t: int = 2001) -> tuple[float, float]:
    """``(J(rho), fit(rho))`` for ``f*_rho = univariate(x_clean, rho)``:
    ``fit = (1/N) sum_n E_eps (f*_rho(x_n + eps) - x_n)^2`` (eps ~ N(0, sigma^2), by quadrature on
    ``n_t`` nodes) and ``J = fit + lam R(f*_rho)``. ``lam >= 0``."""
    x = _sorted_distinct_1d(x_clean, "x_clean")
    sigma = positive_scalar(sigma, "sigma")
    lam = nonneg_scalar(lam, "lam")
    f = univariate(x, rho)
    eps, w = _noise_rule(sigma, n_t)
    out = f((x[:, None] + eps[None, :]).ravel()).reshape(x.size, eps.size)
    fit = float(np.mean(((out - x[:, None]) ** 2) @ w))
    return fit + lam * f.representation_cost(), fit


def online_radius(x_clean: object, sigma: float, lam: float, n_t: int = 2001) -> float:
    """The ``rho`` in ``(0, min gap / 2)`` minimising :func:`online_objective` (bounded Brent search):
    the best Proposition-1 denoiser for online training at noise ``sigma`` and weight decay ``lam``.
    Requires ``lam > 0`` (for ``lam = 0`` the objective keeps falling toward the half-gap)."""
    x = _sorted_distinct_1d(x_clean, "x_clean")
    positive_scalar(sigma, "sigma")
    lam = positive_scalar(lam, "lam")
    n_t = positive_int(n_t, "n_t", 3)
    half = float(np.min(np.diff(x))) / 2
    res = minimize_scalar(
        lambda r: online_objective(x, sigma, lam, r, n_t)[0],
        bounds=(1e-6 * half, (1 - 1e-6) * half), method="bounded", options={"xatol": 1e-7 * half},
    )
    return float(res.x)


def fit_radius(h: Denoiser, x_clean: object, grid: object | None = None) -> float:
    """The ``rho`` in ``(0, min gap / 2)`` whose ``f*_rho`` is closest to ``h`` in RMS on ``grid``
    (default: 2001 points spanning the data widened by one mean gap on each side)."""
    if not callable(h):
        raise ValueError(f"h must be a callable denoiser, got {type(h).__name__}")
    x = _sorted_distinct_1d(x_clean, "x_clean")
    half = float(np.min(np.diff(x))) / 2
    if grid is None:
        pad = float(np.mean(np.diff(x)))
        grid = np.linspace(x[0] - pad, x[-1] + pad, 2001)
    g = points_1d(grid, "grid", 3)
    if g.size < 2:
        raise ValueError("grid needs at least two points")
    hv = np.asarray(h(g), dtype=float).reshape(-1)
    if hv.shape != g.shape:
        raise ValueError(f"h must map shape (n,) to (n,), got {hv.shape} for n = {g.size}")

    def rms(r: float) -> float:
        return float(np.sqrt(np.mean((hv - univariate(x, r)(g)) ** 2)))

    # coarse scan then a bounded refinement (the RMS need not be unimodal in rho)
    rs = np.linspace(0.01, 0.99, 99) * half
    k = int(np.argmin([rms(r) for r in rs]))
    lo, hi = rs[max(k - 1, 0)], rs[min(k + 1, rs.size - 1)]
    res = minimize_scalar(rms, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6 * half})
    return float(res.x)


def authors_radius(sigma: float, M: int) -> float:
    """``rho = sigma sqrt(2 ln M)``: the authors' rule for ``M`` noisy samples per clean point
    (the code of the paper's experiments, ``yanivbl6/triangles_denoiser``, ``mnist.py``).

    ``sqrt(2 ln M)`` is the leading term of ``E max`` of ``M`` standard normals
    (:func:`expected_max_normal`), so ``rho`` is about how far the farthest of ``M`` samples reaches
    along one direction. ``M >= 2`` (for ``M = 1`` it would be 0).
    """
    sigma = positive_scalar(sigma, "sigma")
    M = positive_int(M, "M")
    if M < 2:
        raise ValueError(f"M must be at least 2 samples per point (sqrt(2 ln 1) = 0), got {M}")
    return float(sigma * np.sqrt(2.0 * np.log(M)))


def rho_from_sigma(sigma: float, c: float = 2.0) -> float:
    """The ball radius ``rho = c sigma`` read off the noise level.

    A noisy sample ``x_n + eps`` lies within ``c sigma`` of ``x_n`` with probability
    ``2 Phi(c) - 1`` (0.683, 0.954, 0.997 for ``c`` = 1, 2, 3).
    """
    sigma = positive_scalar(sigma, "sigma")
    c = positive_scalar(c, "c")
    return c * sigma



def offline_radius(y: object, target: object, x_clean: object) -> float:
    """The radius read off offline training samples: the mean half-width of the sample hulls,

    ``rho_M = (1 / 2N) sum_n [(x_n - lo_n) + (hi_n - x_n)] = (1 / N) sum_n (hi_n - lo_n) / 2``,

    with ``[lo_n, hi_n]`` the hull of the samples of ``x_n`` (:func:`sample_hulls`; same
    arguments). For ``M`` Gaussian samples per point its expectation is ``e_M sigma``
    (:func:`expected_max_normal`), the offline counterpart of :func:`online_radius`.
    """
    lo, hi = sample_hulls(y, target, x_clean)
    return float(np.mean(hi - lo) / 2)
