"""Generalisation to unseen clean points: min-cost denoiser versus eMMSE (chapter 2).

Setting. Clean data ``x ~ p``, a continuous distribution on the real line (a frozen
``scipy.stats`` distribution, e.g. :func:`uniform`). ``N`` training points ``x_1 < ... < x_N`` are
drawn from ``p`` (:func:`sample_clean`). A denoiser ``h`` built from them is scored on *fresh*
clean points by the test mean squared error at noise level ``sigma``,

    MSE(h, sigma) = E_{x ~ p} E_{eps ~ N(0, sigma^2)} (h(x + eps) - x)^2 .

For the identity ``h(y) = y`` this is exactly ``sigma^2``. :func:`heldout_mse` computes it by a
deterministic quadrature (so curves are smooth in ``sigma`` and crossings can be root-found);
:func:`heldout_mse_mc` by plain Monte Carlo, as an independent check.

The two denoisers compared:

- eMMSE of the training points at noise level ``sigma`` (:func:`mnd.emmse`);
- the min-cost denoiser with radius ``rho = c sigma`` (:func:`rho_from_sigma`). While every gap
  exceeds ``2 rho`` it is Proposition 1 (:func:`mnd.univariate`). Random training points have
  some small gaps, where the rho-ball problem is infeasible; :func:`capped_min_cost_denoiser` then caps
  the radius on that side of each point at ``kappa`` times the half-gap (``0 < kappa < 1``; the
  default ``kappa = 1/2`` keeps every ramp at least half its gap long, so no slope exceeds 2), i.e. it
  is the min-cost interpolant of the intervals ``[x_n - r_n^-, x_n + r_n^+]`` with
  ``r_n^- = min(rho, kappa (x_n - x_{n-1}) / 2)`` and ``r_n^+ = min(rho, kappa (x_{n+1} - x_n) / 2)``
  (``r_1^- = r_N^+ = rho``).

Low-noise limits (:func:`low_noise_limits`): as ``sigma -> 0``, eMMSE tends to the projection
onto the nearest training point, so its MSE tends to ``E (x - x_nn(x))^2 > 0``; with
``rho = c sigma -> 0`` the min-cost denoiser tends to ``clip(y, x_1, x_N)``, so its MSE tends to
``E (x - clip(x, x_1, x_N))^2``, which only counts test points beyond the training range.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from scipy import integrate, stats
from scipy.optimize import brentq

from ._checks import as_finite_array, positive_scalar
from .closed_form import univariate_intervals
from .emmse import emmse
from .ramps import RampSum

Denoiser = Callable[[np.ndarray], np.ndarray]


# ---------------------------------------------------------------------------------------------
# data


def uniform(low: float = -5.0, high: float = 5.0):
    """The uniform distribution on ``[low, high]`` as a frozen ``scipy.stats`` distribution."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        raise ValueError(f"need finite low < high, got low = {low}, high = {high}")
    return stats.uniform(loc=float(low), scale=float(high) - float(low))


def _check_dist(dist: object):
    """``dist`` must be a frozen univariate continuous ``scipy.stats`` distribution."""
    if not (hasattr(dist, "ppf") and hasattr(dist, "rvs") and hasattr(dist, "pdf")):
        raise ValueError(
            "dist must be a frozen continuous scipy.stats distribution (with ppf, pdf and rvs), "
            f"got {type(dist).__name__}"
        )
    if not isinstance(getattr(dist, "dist", None), stats.rv_continuous):
        raise ValueError("dist must be a continuous distribution (scipy.stats.rv_continuous, frozen)")
    return dist


def _count(n: object, name: str, minimum: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n!r}")
    return int(n)


def sample_clean(dist: object, n: int, seed: int = 0) -> np.ndarray:
    """``n`` clean points drawn i.i.d. from ``dist`` (seeded), returned sorted.

    Raises ``ValueError`` for ``n < 2`` or a ``dist`` that is not a frozen continuous scipy.stats
    distribution.
    """
    dist = _check_dist(dist)
    n = _count(n, "n", 2)
    x = np.sort(np.asarray(dist.rvs(size=n, random_state=np.random.default_rng(seed)), dtype=float))
    if np.any(np.diff(x) == 0):  # probability zero for a continuous distribution
        raise ValueError("sampled training points are not distinct; change the seed")
    return x


# ---------------------------------------------------------------------------------------------
# the min-cost denoiser with rho tied to sigma


def rho_from_sigma(sigma: float, c: float = 2.0) -> float:
    """The ball radius ``rho = c sigma`` read off the noise level.

    A noisy sample ``x_n + eps`` lies within ``c sigma`` of ``x_n`` with probability
    ``2 Phi(c) - 1`` (0.683, 0.954, 0.997 for ``c`` = 1, 2, 3).
    """
    sigma = positive_scalar(sigma, "sigma")
    c = positive_scalar(c, "c")
    return c * sigma


def capped_radii(x_train: object, rho: float, kappa: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted points and per-side radii ``(x, r_minus, r_plus)`` with every radius at most ``rho``
    and at most ``kappa`` times the half-gap to the neighbour on that side (outer sides: ``rho``).

    Raises ``ValueError`` unless ``0 < kappa < 1``, ``rho > 0`` and the points are distinct
    (at least two).
    """
    x = as_finite_array(x_train, "x_train").reshape(-1)
    if x.size < 2:
        raise ValueError(f"need at least two training points, got {x.size}")
    x = np.sort(x)
    if np.any(np.diff(x) == 0):
        raise ValueError("training points must be distinct")
    rho = positive_scalar(rho, "rho")
    kappa = positive_scalar(kappa, "kappa")
    if kappa >= 1:
        raise ValueError(f"kappa must be < 1 (the ramp needs a positive length), got {kappa}")
    half = kappa * np.diff(x) / 2
    r_minus = np.minimum(rho, np.concatenate([[np.inf], half]))
    r_plus = np.minimum(rho, np.concatenate([half, [np.inf]]))
    return x, r_minus, r_plus


def capped_min_cost_denoiser(x_train: object, rho: float, kappa: float = 0.5) -> RampSum:
    """Min-cost 1D denoiser of the training points with radius ``rho``, capped where balls would
    overlap (module docstring). Equal to :func:`mnd.univariate` ``(x_train, rho)`` whenever
    ``2 rho <= kappa * min gap``; cost ``sum_n 2 D_n / (D_n - r_n^+ - r_{n+1}^-)``.
    """
    x, rm, rp = capped_radii(x_train, rho, kappa)
    return univariate_intervals(x, x - rm, x + rp)


def min_cost_at_sigma(x_train: object, sigma: float, c: float = 2.0, kappa: float = 0.5) -> RampSum:
    """:func:`capped_min_cost_denoiser` with ``rho = rho_from_sigma(sigma, c)``."""
    return capped_min_cost_denoiser(x_train, rho_from_sigma(sigma, c), kappa)


def curvature_cost(h: Denoiser, grid: object) -> float:
    """``R(h) = integral |h''|`` of a 1D denoiser, as the total variation of its slopes on ``grid``:
    ``sum_i |s_{i+1} - s_i|`` with ``s_i`` the slope of the chord over ``[g_i, g_{i+1}]``.

    Exact for a piecewise-linear ``h`` whose kinks are grid points and that is linear beyond the
    grid; otherwise a lower bound that converges as the grid is refined. (With the free linear skip
    connection this is the representation cost in 1D, chapter 1.) ``grid`` must be increasing.
    """
    if not callable(h):
        raise ValueError(f"h must be a callable denoiser, got {type(h).__name__}")
    g = as_finite_array(grid, "grid").reshape(-1)
    if g.size < 3:
        raise ValueError(f"grid needs at least three points, got {g.size}")
    if np.any(np.diff(g) <= 0):
        raise ValueError("grid must be strictly increasing")
    v = np.asarray(h(g), dtype=float).reshape(-1)
    if v.shape != g.shape:
        raise ValueError(f"h must map shape (n,) to (n,), got {v.shape} for n = {g.size}")
    slopes = np.diff(v) / np.diff(g)
    return float(np.sum(np.abs(np.diff(slopes))))


# ---------------------------------------------------------------------------------------------
# test error


def quadrature_nodes(dist: object, sigma: float, n_x: int = 1000, n_t: int = 161, t_max: float = 8.0):
    """Nodes and weights for ``E_{x~p} E_eps g(x, x + eps)``: returns ``(x, y, w_t)``.

    ``x_i = F^{-1}((i + 1/2) / n_x)`` (equal weights ``1/n_x``); noise nodes ``sigma t_k`` with
    ``t_k`` equally spaced on ``[-t_max, t_max]`` and weights the standard normal mass of each
    node's cell, renormalised to sum 1; the ``t_k`` are then rescaled so the discrete noise has
    variance exactly 1. ``y[i, k] = x_i + sigma t_k``.
    """
    dist = _check_dist(dist)
    sigma = positive_scalar(sigma, "sigma")
    n_x = _count(n_x, "n_x", 1)
    n_t = _count(n_t, "n_t", 3)
    t_max = positive_scalar(t_max, "t_max")
    x = np.asarray(dist.ppf((np.arange(n_x) + 0.5) / n_x), dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError("dist.ppf returned non-finite quantiles")
    t = np.linspace(-t_max, t_max, n_t)
    dt = t[1] - t[0]
    w = stats.norm.cdf(t + dt / 2) - stats.norm.cdf(t - dt / 2)
    w /= w.sum()
    t = t / np.sqrt(np.sum(w * t**2))
    return x, x[:, None] + sigma * t[None, :], w


def heldout_mse(h: Denoiser, dist: object, sigma: float, n_x: int = 1000, n_t: int = 161, t_max: float = 8.0) -> float:
    """``E_{x~p} E_eps (h(x + eps) - x)^2`` by the quadrature of :func:`quadrature_nodes`.

    ``h`` maps a batch ``(n,)`` to ``(n,)``. Relative accuracy about ``1e-4`` with the defaults
    for the piecewise-linear and eMMSE denoisers of chapter 2 (checked against Monte Carlo).
    """
    if not callable(h):
        raise ValueError(f"h must be a callable denoiser, got {type(h).__name__}")
    x, y, w = quadrature_nodes(dist, sigma, n_x, n_t, t_max)
    out = np.asarray(h(y.ravel()), dtype=float)
    if out.shape != (y.size,):
        raise ValueError(f"h must map shape (n,) to shape (n,), got {out.shape} for n = {y.size}")
    return float(np.mean(((out.reshape(y.shape) - x[:, None]) ** 2) @ w))


def heldout_mse_mc(h: Denoiser, dist: object, sigma: float, n: int = 200_000, seed: int = 0) -> tuple[float, float]:
    """Monte Carlo estimate of the test MSE: ``n`` fresh clean points from ``dist``, one noise draw
    each. Returns ``(mean, standard error)``."""
    if not callable(h):
        raise ValueError(f"h must be a callable denoiser, got {type(h).__name__}")
    dist = _check_dist(dist)
    sigma = positive_scalar(sigma, "sigma")
    n = _count(n, "n", 2)
    rng = np.random.default_rng(seed)
    x = np.asarray(dist.rvs(size=n, random_state=rng), dtype=float)
    se = (np.asarray(h(x + sigma * rng.standard_normal(n)), dtype=float) - x) ** 2
    return float(se.mean()), float(se.std(ddof=1) / np.sqrt(n))


def low_noise_limits(x_train: object, dist: object) -> dict[str, float]:
    """The ``sigma -> 0`` limits of the two test-MSE curves, by adaptive quadrature of ``p``.

    ``"emmse"``: ``E (x - x_nn(x))^2`` (nearest training point, cells split at midpoints);
    ``"min_cost"``: ``E (x - clip(x, x_1, x_N))^2`` (only mass beyond the training range counts).
    """
    dist = _check_dist(dist)
    x = as_finite_array(x_train, "x_train").reshape(-1)
    if x.size < 2:
        raise ValueError(f"need at least two training points, got {x.size}")
    x = np.sort(x)
    lo, hi = (float(v) for v in dist.support())
    edges = np.concatenate([[lo], (x[:-1] + x[1:]) / 2, [hi]])

    def part(a: float, b: float, c: float) -> float:
        a, b = max(a, lo), min(b, hi)
        if b <= a:
            return 0.0
        return integrate.quad(lambda s: (s - c) ** 2 * dist.pdf(s), a, b, limit=200)[0]

    nn = sum(part(edges[i], edges[i + 1], x[i]) for i in range(x.size))
    ends = part(lo, x[0], x[0]) + part(x[-1], hi, x[-1])
    return {"emmse": float(nn), "min_cost": float(ends)}


def mse_curves(
    x_train: object,
    dist: object,
    sigmas: Sequence[float],
    c: float = 2.0,
    kappa: float = 0.5,
    **quad,
) -> dict[str, np.ndarray]:
    """Test MSE against ``sigma`` for eMMSE, the min-cost denoiser (``rho = c sigma``, capped by
    ``kappa``) and the identity (exactly ``sigma^2``). Returns arrays keyed ``"sigma"``,
    ``"emmse"``, ``"min_cost"``, ``"identity"``. ``quad`` is passed to :func:`heldout_mse`.
    """
    s = as_finite_array(sigmas, "sigmas").reshape(-1)
    if s.size == 0 or np.any(s <= 0):
        raise ValueError("sigmas must be a non-empty sequence of positive noise levels")
    x = as_finite_array(x_train, "x_train").reshape(-1)
    e = np.array([heldout_mse(emmse(x, si), dist, si, **quad) for si in s])
    m = np.array([heldout_mse(min_cost_at_sigma(x, si, c, kappa), dist, si, **quad) for si in s])
    return {"sigma": s, "emmse": e, "min_cost": m, "identity": s**2}


def crossing_sigma(
    x_train: object,
    dist: object,
    c: float = 2.0,
    kappa: float = 0.5,
    bracket: tuple[float, float] = (0.05, 3.0),
    xtol: float = 1e-4,
    **quad,
) -> float:
    """The noise level where the test-MSE curves of eMMSE and the min-cost denoiser cross:
    the root of ``MSE(min_cost, sigma) - MSE(eMMSE, sigma)`` in ``bracket`` (Brent's method).

    Raises ``ValueError`` if the difference does not change sign across the bracket.
    """
    lo, hi = (positive_scalar(b, "bracket") for b in bracket)
    if hi <= lo:
        raise ValueError(f"bracket must be (low, high) with low < high, got {bracket}")
    x = as_finite_array(x_train, "x_train").reshape(-1)

    def diff(s: float) -> float:
        return heldout_mse(min_cost_at_sigma(x, s, c, kappa), dist, s, **quad) - heldout_mse(emmse(x, s), dist, s, **quad)

    d_lo, d_hi = diff(lo), diff(hi)
    if np.sign(d_lo) == np.sign(d_hi):
        raise ValueError(
            f"the curves do not cross in sigma in [{lo:g}, {hi:g}]: MSE(min-cost) - MSE(eMMSE) is "
            f"{d_lo:.3g} at the low end and {d_hi:.3g} at the high end"
        )
    return float(brentq(diff, lo, hi, xtol=xtol))
