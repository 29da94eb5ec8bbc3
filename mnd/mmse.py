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

from ._checks import as_finite_array, points_2d, positive_scalar


def emmse_posterior(x_clean: object, sigma: float, y: object) -> np.ndarray:
    """Posterior weights ``softmax_n(-|y - x_n|^2/(2 sigma^2))``, shape ``(n_points, N)``."""
    X = points_2d(x_clean, "x_clean")
    sigma = positive_scalar(sigma, "sigma")
    Y = as_finite_array(y, "y")
    Y = Y.reshape(-1, 1) if (X.shape[1] == 1 and Y.ndim <= 1) else Y
    if Y.ndim != 2 or Y.shape[1] != X.shape[1]:
        raise ValueError(f"y must have shape (n, {X.shape[1]}), got shape {Y.shape}")
    # |y - x|^2 = |y|^2 - 2 y.x + |x|^2; the |y|^2 term cancels in the softmax.
    logits = (Y @ X.T - 0.5 * np.sum(X**2, axis=1)) / sigma**2
    return softmax(logits, axis=1)


def emmse(x_clean: object, sigma: float) -> Callable[[np.ndarray], np.ndarray]:
    """Return the eMMSE denoiser ``y -> sum_n x_n softmax_n(-|y - x_n|^2/(2 sigma^2))``.

    ``x_clean``: ``(N,)`` for 1D data (the denoiser then maps ``(n,)`` to ``(n,)``) or ``(N, d)``
    (maps ``(n, d)`` to ``(n, d)``).
    """
    X = points_2d(x_clean, "x_clean")
    sigma = positive_scalar(sigma, "sigma")
    scalar = np.ndim(x_clean) == 1

    def denoise(y: np.ndarray) -> np.ndarray:
        out = emmse_posterior(X, sigma, y) @ X
        return out[:, 0] if scalar else out

    denoise.__doc__ = f"eMMSE denoiser of {X.shape[0]} points in d = {X.shape[1]}, sigma = {sigma:g}"
    return denoise
