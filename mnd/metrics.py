"""Comparing denoisers in function space (chapters 1-2).

All functions take denoisers as callables on numpy batches (``RampSum``, eMMSE, or a network's
``denoise``), so closed forms, solvers and trained networks are compared the same way.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._checks import as_finite_array, points_2d, positive_scalar
from .data import sample_ball

Denoiser = Callable[[np.ndarray], np.ndarray]


def _pointwise_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, float), np.asarray(b, float)
    diff = a - b
    return np.abs(diff) if diff.ndim == 1 else np.linalg.norm(diff, axis=-1)


def sup_error(f: Denoiser, g: Denoiser, points: np.ndarray) -> float:
    """``max_i |f(y_i) - g(y_i)|`` over the given points (Euclidean norm for ``d > 1``)."""
    pts = as_finite_array(points, "points")
    return float(np.max(_pointwise_distance(f(pts), g(pts))))


def rms_error(f: Denoiser, g: Denoiser, points: np.ndarray) -> float:
    """``sqrt(mean_i |f(y_i) - g(y_i)|^2)`` over the given points."""
    pts = as_finite_array(points, "points")
    return float(np.sqrt(np.mean(_pointwise_distance(f(pts), g(pts)) ** 2)))


def ball_points(x_clean: np.ndarray, rho: float, m: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``m`` points in and on each ball ``B(x_n, rho)`` with their targets ``x_n``.

    Returns ``(points, targets)``, ``(N m,)`` each for 1D input, ``(N m, d)`` otherwise.
    """
    scalar = np.ndim(x_clean) == 1
    X = points_2d(x_clean, "x_clean")
    rho = positive_scalar(rho, "rho")
    pts = np.concatenate([sample_ball(x, rho, m, seed=seed + i) for i, x in enumerate(X)])
    tgt = np.repeat(X, m, axis=0)
    return (pts[:, 0], tgt[:, 0]) if scalar else (pts, tgt)


def interpolation_error(f: Denoiser, x_clean: np.ndarray, rho: float, m: int = 64, seed: int = 0) -> float:
    """``max |f(y) - x_n|`` over ``y`` in the balls ``B(x_n, rho)``: 0 for an exact interpolant."""
    pts, tgt = ball_points(x_clean, rho, m, seed)
    return float(np.max(_pointwise_distance(f(pts), tgt)))


def nearest_clean(x_clean: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The clean point nearest to each ``y`` (same shape as ``y``)."""
    scalar = np.ndim(x_clean) == 1
    X = points_2d(x_clean, "x_clean")
    Y = as_finite_array(y, "y").reshape(-1, X.shape[1])
    idx = np.argmin(((Y[:, None, :] - X[None, :, :]) ** 2).sum(-1), axis=1)
    return X[idx, 0] if scalar else X[idx]


def contraction_margin(f: Denoiser, x_clean: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``|y - x_n(y)| - |f(y) - x_n(y)|`` with ``x_n(y)`` the nearest clean point.

    Non-negative everywhere exactly when ``f`` never moves a point away from its nearest clean
    point (the contraction property of chapter 2).
    """
    xn = nearest_clean(x_clean, y)
    return _pointwise_distance(y, xn) - _pointwise_distance(f(y), xn)


def cost_gap(trained_cost: float, optimal_cost: float) -> float:
    """``trained_cost / optimal_cost``: 1 means the trained network reached the minimum cost."""
    optimal_cost = positive_scalar(optimal_cost, "optimal_cost")
    return float(trained_cost) / optimal_cost


def denoising_mse(f: Denoiser, x_test: np.ndarray, sigma: float, m: int = 1, seed: int = 0) -> float:
    """Test MSE ``mean |f(x + eps) - x|^2`` over clean test points ``x`` and ``m`` noise draws each
    (squared Euclidean norm per point, averaged)."""
    scalar = np.ndim(x_test) == 1
    X = points_2d(x_test, "x_test")
    sigma = positive_scalar(sigma, "sigma")
    rng = np.random.default_rng(seed)
    T = np.repeat(X, m, axis=0)
    Y = T + sigma * rng.standard_normal(T.shape)
    out = f(Y[:, 0]) if scalar else f(Y)
    out = np.asarray(out, float).reshape(T.shape)
    return float(np.mean(np.sum((out - T) ** 2, axis=1)))
