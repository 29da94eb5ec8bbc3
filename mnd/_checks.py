"""Input validation shared by the public functions (errors name the violated assumption)."""

from __future__ import annotations

import numbers

import numpy as np


def as_finite_array(x: object, name: str) -> np.ndarray:
    """``x`` as a float array; ``TypeError`` if not numeric, ``ValueError`` if not finite."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be numeric, got {type(x).__name__}")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric array-like, got {type(x).__name__}") from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    return arr


def positive_scalar(x: object, name: str) -> float:
    """``x`` as a float that must be finite and > 0."""
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    if x <= 0:
        raise ValueError(f"{name} must be > 0, got {x}")
    return x


def points_2d(x: object, name: str) -> np.ndarray:
    """Clean points as ``(N, d)``; a 1D array of length ``N`` becomes ``(N, 1)``."""
    arr = as_finite_array(x, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must have shape (N,) or (N, d) with N >= 1, got shape {arr.shape}")
    return arr
