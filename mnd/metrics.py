"""Comparing denoisers in function space, and a network with a closed form.

All functions take denoisers as callables on numpy batches (``RampSum``, eMMSE, or a network's
``denoise``), so closed forms, solvers and trained networks are compared the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import integrate, stats

from ._checks import (
    as_finite_array, as_points, check_dist, count, nonneg_scalar, points_1d, points_2d, positive_int,
    positive_scalar,
)
from .alignment import unit_alignment
from .data import sample_ball
from .ramps import RampSum
from .relu_net import as_relu_net

Denoiser = Callable[[np.ndarray], np.ndarray]


def as_denoiser(f: object, name: str = "f") -> Denoiser:
    """A numpy callable from a denoiser: a callable (``RampSum``, ``ReluNet``, eMMSE) as it is, an
    object with a ``denoise`` method (a torch ``ShallowDenoiser``) through that method."""
    den = getattr(f, "denoise", None)
    if callable(den):
        return den
    if callable(f):
        return f
    raise TypeError(f"{name} must be a denoiser (a callable on numpy arrays, or an object with "
                    f"denoise), got {type(f).__name__}")


def evaluate(f: object, points: object, name: str = "f", points_name: str = "points"
             ) -> tuple[np.ndarray, np.ndarray]:
    """``(Y, f(Y))``, both ``(n, d)``, after checking shapes: ``points`` is ``(n, d)``, or ``(n,)``
    for ``d = 1``; ``f`` must return the same shape, or for ``d = 1`` either ``(n,)`` or ``(n, 1)``.
    Any other output shape raises ``ValueError`` naming both shapes (no silent broadcasting)."""
    P = as_finite_array(points, points_name)
    if P.ndim not in (1, 2):
        raise ValueError(f"{points_name} must have shape (n, d) or (n,), got shape {P.shape}")
    if P.shape[0] == 0:
        raise ValueError(f"{points_name} must hold at least one point, got shape {P.shape}")
    Y = P[:, None] if P.ndim == 1 else P
    out = np.asarray(as_denoiser(f, name)(P), dtype=float)
    n, d = Y.shape
    if out.shape == (n, d) or (d == 1 and out.shape == (n,)):
        return Y, out.reshape(n, d)
    raise ValueError(f"{name} returned shape {out.shape} for points of shape {P.shape}; a denoiser "
                     f"must map (n, d) to (n, d) (for d = 1, (n,) or (n, 1))")


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise Euclidean distances of two ``(n, d)`` arrays."""
    return np.linalg.norm(a - b, axis=1)


def sup_error(f: Denoiser, g: Denoiser, points: np.ndarray) -> float:
    """``max_i |f(y_i) - g(y_i)|`` over the given points (Euclidean norm for ``d > 1``).
    Both outputs are checked against the points' shape first (:func:`evaluate`)."""
    _, fy = evaluate(f, points, "f")
    _, gy = evaluate(g, points, "g")
    return float(np.max(_distances(fy, gy)))


def rms_error(f: Denoiser, g: Denoiser, points: np.ndarray) -> float:
    """``sqrt(mean_i |f(y_i) - g(y_i)|^2)`` over the given points (shapes checked as in
    :func:`sup_error`)."""
    _, fy = evaluate(f, points, "f")
    _, gy = evaluate(g, points, "g")
    return float(np.sqrt(np.mean(_distances(fy, gy) ** 2)))


def ball_points(x_clean: np.ndarray, rho: float, m: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``m`` points in and on each ball ``B(x_n, rho)`` with their targets ``x_n``.

    Returns ``(points, targets)``, ``(N m,)`` each for 1D input ``(N,)``, ``(N m, d)`` otherwise.
    """
    scalar = np.ndim(x_clean) == 1
    X = points_2d(x_clean, "x_clean")
    rho = positive_scalar(rho, "rho")
    m = positive_int(m, "m")
    pts = np.concatenate([sample_ball(x, rho, m, seed=seed + i) for i, x in enumerate(X)])
    tgt = np.repeat(X, m, axis=0)
    return (pts[:, 0], tgt[:, 0]) if scalar else (pts, tgt)


def interpolation_error(f: Denoiser, x_clean: np.ndarray, rho: float, m: int = 64, seed: int = 0) -> float:
    """``max |f(y) - x_n|`` over ``y`` in the balls ``B(x_n, rho)``: 0 for an exact interpolant."""
    pts, tgt = ball_points(x_clean, rho, m, seed)
    _, out = evaluate(f, pts, "f")
    return float(np.max(_distances(out, tgt.reshape(out.shape))))


def nearest_clean(x_clean: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The clean point nearest to each ``y`` (same shape as ``y``): a k-d tree query, memory
    independent of the number of points. ``y`` must be ``(n, d)`` (or ``(n,)`` for ``d = 1``)."""
    from scipy.spatial import cKDTree

    X = points_2d(x_clean, "x_clean")
    Y, flat = as_points(y, X.shape[1], "y")
    _, idx = cKDTree(X).query(Y)
    out = X[idx]
    return out[:, 0] if flat else out


def contraction_margin(f: Denoiser, x_clean: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``|y - x_n(y)| - |f(y) - x_n(y)|`` with ``x_n(y)`` the nearest clean point.

    Non-negative everywhere exactly when ``f`` never moves a point away from its nearest clean
    point (the contraction property of Proposition 1).
    """
    Y, fy = evaluate(f, y, "f", "y")
    xn = nearest_clean(x_clean, Y)
    return _distances(Y, xn) - _distances(fy, xn)


def cost_gap(trained_cost: float, optimal_cost: float) -> float:
    """``trained_cost / optimal_cost``: 1 means the trained network reached the minimum cost."""
    optimal_cost = positive_scalar(optimal_cost, "optimal_cost")
    return nonneg_scalar(trained_cost, "trained_cost") / optimal_cost


def denoising_mse(f: Denoiser, x_test: np.ndarray, sigma: float, m: int = 1, seed: int = 0) -> float:
    """Test MSE ``mean |f(x + eps) - x|^2`` over clean test points ``x`` and ``m`` noise draws each
    (squared Euclidean norm per point, averaged)."""
    scalar = np.ndim(x_test) == 1
    X = points_2d(x_test, "x_test")
    sigma = positive_scalar(sigma, "sigma")
    m = positive_int(m, "m")
    rng = np.random.default_rng(seed)
    T = np.repeat(X, m, axis=0)
    Y = T + sigma * rng.standard_normal(T.shape)
    _, out = evaluate(f, Y[:, 0] if scalar else Y, "f")
    return float(np.mean(np.sum((out - T) ** 2, axis=1)))


# ---------------------------------------------------------------------------------------------
# Univariate denoisers: curvature cost and test error on fresh clean points


def curvature_cost(h: Denoiser, grid: object) -> float:
    """``R(h) = integral |h''|`` of a 1D denoiser, as the total variation of its slopes on ``grid``:
    ``sum_i |s_{i+1} - s_i|`` with ``s_i`` the slope of the chord over ``[g_i, g_{i+1}]``.

    Exact for a piecewise-linear ``h`` whose kinks are grid points and that is linear beyond the
    grid; otherwise a lower bound that converges as the grid is refined. (With the free linear skip
    connection this is the representation cost in 1D, Savarese et al. 2019.) ``grid`` must be increasing.
    """
    if not callable(h):
        raise ValueError(f"h must be a callable denoiser, got {type(h).__name__}")
    g = points_1d(grid, "grid", 3)
    if np.any(np.diff(g) <= 0):
        raise ValueError("grid must be strictly increasing")
    v = np.asarray(h(g), dtype=float).reshape(-1)
    if v.shape != g.shape:
        raise ValueError(f"h must map shape (n,) to (n,), got {v.shape} for n = {g.size}")
    slopes = np.diff(v) / np.diff(g)
    return float(np.sum(np.abs(np.diff(slopes))))


def quadrature_nodes(dist: object, sigma: float, n_x: int = 1000, n_t: int = 161, t_max: float = 8.0):
    """Nodes and weights for ``E_{x~p} E_eps g(x, x + eps)``: returns ``(x, y, w_t)``.

    ``x_i = F^{-1}((i + 1/2) / n_x)`` (equal weights ``1/n_x``); noise nodes ``sigma t_k`` with
    ``t_k`` equally spaced on ``[-t_max, t_max]`` and weights the standard normal mass of each
    node's cell, renormalised to sum 1; the ``t_k`` are then rescaled so the discrete noise has
    variance exactly 1. ``y[i, k] = x_i + sigma t_k``.
    """
    dist = check_dist(dist)
    sigma = positive_scalar(sigma, "sigma")
    n_x = count(n_x, "n_x", 1)
    n_t = count(n_t, "n_t", 3)
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
    for piecewise-linear and eMMSE denoisers (checked against Monte Carlo in the tests).
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
    dist = check_dist(dist)
    sigma = positive_scalar(sigma, "sigma")
    n = count(n, "n", 2)
    rng = np.random.default_rng(seed)
    x = np.asarray(dist.rvs(size=n, random_state=rng), dtype=float)
    se = (np.asarray(h(x + sigma * rng.standard_normal(n)), dtype=float) - x) ** 2
    return float(se.mean()), float(se.std(ddof=1) / np.sqrt(n))


def low_noise_limits(x_train: object, dist: object) -> dict[str, float]:
    """The ``sigma -> 0`` limits of the two test-MSE curves, by adaptive quadrature of ``p``.

    ``"emmse"``: ``E (x - x_nn(x))^2`` (nearest training point, cells split at midpoints);
    ``"min_cost"``: ``E (x - clip(x, x_1, x_N))^2`` (only mass beyond the training range counts).
    """
    dist = check_dist(dist)
    x = np.sort(points_1d(x_train, "x_train", 2))
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


def mse_crossing(
    family_a: Callable[[float], Denoiser],
    family_b: Callable[[float], Denoiser],
    dist: object,
    bracket: tuple[float, float] = (0.05, 3.0),
    xtol: float = 1e-4,
    **quad,
) -> float:
    """The noise level where two families of 1D denoisers have equal test MSE: the root of
    ``heldout_mse(family_a(s), dist, s) - heldout_mse(family_b(s), dist, s)`` in ``bracket``
    (Brent's method). ``family_x(sigma)`` builds the denoiser used at noise level ``sigma`` (e.g.
    ``lambda s: mnd.emmse(x, s)``); ``quad`` is passed to :func:`heldout_mse`. Raises
    ``ValueError`` if the difference does not change sign across the bracket.
    """
    from scipy.optimize import brentq

    if not (callable(family_a) and callable(family_b)):
        raise TypeError("family_a and family_b must be callables sigma -> denoiser")
    lo, hi = (positive_scalar(b, "bracket") for b in bracket)
    if hi <= lo:
        raise ValueError(f"bracket must be (low, high) with low < high, got {bracket}")

    def diff(s: float) -> float:
        return heldout_mse(family_a(s), dist, s, **quad) - heldout_mse(family_b(s), dist, s, **quad)

    d_lo, d_hi = diff(lo), diff(hi)
    if np.sign(d_lo) == np.sign(d_hi):
        raise ValueError(
            f"the curves do not cross in sigma in [{lo:g}, {hi:g}]: MSE(a) - MSE(b) is "
            f"{d_lo:.3g} at the low end and {d_hi:.3g} at the high end"
        )
    return float(brentq(diff, lo, hi, xtol=xtol))


# ---------------------------------------------------------------------------------------------
# A network against a closed form
#
# For clean points ``X``, radius ``rho``, a closed form ``h*`` (a :class:`~mnd.ramps.RampSum`) and a
# network ``h`` (a :class:`~mnd.ReluNet` or a trained ``ShallowDenoiser``):
#
# - ball error ``max |h(y) - x_n|`` over points ``y`` in and on the balls ``B(x_n, rho)``
#   (:func:`mnd.metrics.interpolation_error`; 0 for an exact interpolant);
# - grid error ``max |h(y) - h*(y)|`` (and the RMS) on a grid over the data's bounding box widened
#   by ``margin``: function-space distance where the data live;
# - cost gap ``R(h) / R(h*)`` with ``R(h) = sum_k |a_k||w_k|`` (:func:`mnd.metrics.cost_gap`);
# - alignment: the cost-weighted mean angle between the lines of the active units' ``w_k`` and the
#   closed form's ramp directions (:func:`mnd.alignment.unit_alignment`).


@dataclass(frozen=True)
class Comparison:
    """The four numbers of the module docstring (angles in degrees) and the training time."""

    ball_error: float
    grid_sup: float
    grid_rms: float
    cost_gap: float
    alignment: float
    max_angle: float
    seconds: float = float("nan")
    sampled_gap: float = float("nan")

    def row(self) -> dict[str, object]:
        """The comparison as a table row (for :class:`mnd.show.Table`): errors, gaps, angles."""
        return {"ball err": self.ball_error, "grid sup": self.grid_sup, "grid RMS": self.grid_rms,
                "cost gap": self.cost_gap,
                "gap/samp": "–" if np.isnan(self.sampled_gap) else self.sampled_gap,
                "mean deg": self.alignment, "max deg": self.max_angle}

    def within(self, ball: float, grid: float, gap: float, angle: float) -> bool:
        """True if ball error <= ``ball``, grid RMS <= ``grid``, weighted mean angle <= ``angle``
        and the cost is right: ``cost_gap <= 1 + gap`` and ``|sampled_gap - 1| <= gap`` when the
        sampled target is known, else ``|cost_gap - 1| <= gap``."""
        cost_ok = self.cost_gap <= 1 + gap and abs(
            (self.cost_gap if np.isnan(self.sampled_gap) else self.sampled_gap) - 1) <= gap
        return bool(self.ball_error <= ball and self.grid_rms <= grid and cost_ok and self.alignment <= angle)


def box_grid(X: np.ndarray, margin: float = 0.5, n: int = 41, max_points: int = 20_000) -> np.ndarray:
    """Grid over the bounding box of ``X`` widened by ``margin`` on every side: ``n`` points per
    axis (fewer in high dimension, so that the grid has at most ``max_points`` points)."""
    X = points_2d(X, "X")
    margin = nonneg_scalar(margin, "margin")
    n = positive_int(n, "n", 2)
    max_points = positive_int(max_points, "max_points", 2)
    d = X.shape[1]
    n = max(2, min(n, int(max_points ** (1.0 / d))))
    axes = [np.linspace(lo - margin, hi + margin, n) for lo, hi in zip(X.min(0), X.max(0))]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)


def compare(net, h: RampSum, X: np.ndarray, rho: float, margin: float = 0.5, n: int = 41,
            m: int = 200, seed: int = 12345, seconds: float = float("nan"),
            sampled: RampSum | None = None) -> Comparison:
    """Compare a network (a ``ShallowDenoiser``, a ``ReluNet`` or anything with ``denoise`` or
    ``__call__`` and ``to_relu_net``) with the closed form ``h`` on data ``X`` with radius ``rho``.

    The ball error uses ``m`` points per ball drawn with ``seed`` (not the training points); the
    grid is :func:`box_grid` ``(X, margin, n)``. If ``sampled`` is given (the closed form of the
    network's own constraint points, e.g. :func:`mnd.closed_form.rays_sampled`), ``sampled_gap``
    is ``R(net) / R(sampled)``.
    """
    X = points_2d(X, "X")
    rho = positive_scalar(rho, "rho")
    f = as_relu_net(net)
    if X.shape[1] != f.d:
        raise ValueError(f"X must have shape (N, {f.d}) for a network in d = {f.d}, got shape {X.shape}")
    m = positive_int(m, "m")
    G = box_grid(X, margin, n)
    diff = np.linalg.norm(f(G) - h(G), axis=1)
    al = unit_alignment(net, h)
    return Comparison(
        ball_error=interpolation_error(f, X, rho, m=m, seed=seed),
        grid_sup=float(diff.max()),
        grid_rms=float(np.sqrt(np.mean(diff ** 2))),
        cost_gap=cost_gap(f.representation_cost(), h.representation_cost()),
        alignment=al.weighted_mean,
        max_angle=al.max_angle,
        seconds=seconds,
        sampled_gap=float("nan") if sampled is None else cost_gap(f.representation_cost(), sampled.representation_cost()),
    )

