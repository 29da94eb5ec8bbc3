"""The empirical MMSE denoiser.

``h(y) = sum_n x_n softmax_n(-|y - x_n|^2 / (2 sigma^2)) = y + sigma^2 grad log p_sigma(y)``
with ``p_sigma = (1/N) sum_n N(x_n, sigma^2 I)``: the posterior mean of the clean point when the
clean data are uniform on the training set. Computed with log-sum-exp, so it is stable for tiny
sigma, where it snaps to the nearest training point.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.special import softmax

from ._checks import as_points, in_chunks, points_2d, positive_scalar


def _logits(Xc: np.ndarray, Yc: np.ndarray, sigma: float) -> np.ndarray:
    """``-|y - x_n|^2 / (2 sigma^2)`` for centred points, without overflow or underflow in sigma."""
    d2 = np.sum(Yc ** 2, axis=1)[:, None] - 2.0 * (Yc @ Xc.T) + np.sum(Xc ** 2, axis=1)[None, :]
    d2 = d2 - d2.min(axis=1, keepdims=True)  # the nearest point gets logit 0: always finite
    with np.errstate(over="ignore"):
        return -(d2 / sigma) / (2.0 * sigma)  # overflow to -inf is the right limit (weight 0)


def emmse_posterior(x_clean: object, sigma: float, y: object) -> np.ndarray:
    """Posterior weights ``softmax_n(-|y - x_n|^2/(2 sigma^2))``, shape ``(n_points, N)``.

    Distances are taken after subtracting the data's mean (no cancellation for data far from the
    origin) and the softmax is a log-sum-exp, so any ``sigma > 0`` works (tiny ``sigma`` gives the
    nearest point)."""
    X = points_2d(x_clean, "x_clean")
    sigma = positive_scalar(sigma, "sigma")
    Y, _ = as_points(y, X.shape[1], "y")
    ref = X.mean(axis=0)
    Xc, Yc = X - ref, Y - ref
    return in_chunks(lambda Yi: softmax(_logits(Xc, Yi, sigma), axis=1), Yc, len(X))


def emmse(x_clean: object, sigma: float) -> Callable[[np.ndarray], np.ndarray]:
    """Return the eMMSE denoiser ``y -> sum_n x_n softmax_n(-|y - x_n|^2/(2 sigma^2))``.

    ``x_clean``: ``(N,)`` or ``(N, 1)`` for 1D data, ``(N, d)`` otherwise. The denoiser follows the
    package's shape convention: ``(n, d) -> (n, d)``, and for ``d = 1`` also ``(n,) -> (n,)``.
    Evaluated in chunks (memory independent of the number of queries), in centred coordinates.
    """
    X = points_2d(x_clean, "x_clean")
    sigma = positive_scalar(sigma, "sigma")
    ref = X.mean(axis=0)
    Xc = X - ref

    def denoise(y: np.ndarray) -> np.ndarray:
        Y, flat = as_points(y, X.shape[1], "y")
        out = in_chunks(lambda Yi: ref + softmax(_logits(Xc, Yi, sigma), axis=1) @ Xc, Y - ref, len(X),
                        budget=1 << 21)  # smaller blocks: measured faster for the softmax
        return out[:, 0] if flat else out

    denoise.__doc__ = f"eMMSE denoiser of {X.shape[0]} points in d = {X.shape[1]}, sigma = {sigma:g}"
    return denoise
