"""Input validation shared by the public functions (errors name the violated assumption).

Shape convention for denoisers: a denoiser in ``R^d`` maps points ``(n, d)`` to ``(n, d)``; for
``d = 1`` it also takes a flat ``(n,)`` array and then returns ``(n,)`` (:func:`as_points`).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import stats


def as_finite_array(x: object, name: str, allow_inf: bool = False) -> np.ndarray:
    """``x`` as a float array; ``TypeError`` if not numeric (strings, None, objects, complex),
    ``ValueError`` if not finite (``allow_inf``: only nan is refused)."""
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be numeric, got {type(x).__name__}")
    if np.iscomplexobj(x):
        raise TypeError(f"{name} must be real, got complex values")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric array-like, got {type(x).__name__}") from exc
    if np.asarray(x).dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric array-like, got values of type {np.asarray(x).dtype}")
    if allow_inf:
        if np.any(np.isnan(arr)):
            raise ValueError(f"{name} contains nan")
    elif not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    return arr


def positive_scalar(x: object, name: str) -> float:
    """``x`` as a float that must be finite and > 0."""
    x = real_scalar(x, name)
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


def points_nd(X: object, name: str = "X") -> np.ndarray:
    """Clean points ``(N, d)`` with ``N >= 2``."""
    arr = as_finite_array(X, name)
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise ValueError(f"{name} must have shape (N, d) with N >= 2, got shape {arr.shape}")
    return arr


def _closest_pair(X: np.ndarray) -> tuple[int, int, float]:
    """Indices and distance of the closest pair of rows (``inf`` for fewer than two rows)."""
    if X.shape[0] < 2:
        return 0, 0, float("inf")
    from scipy.spatial import cKDTree

    dist, idx = cKDTree(X).query(X, k=2)
    i = int(np.argmin(dist[:, 1]))
    return i, int(idx[i, 1]), float(dist[i, 1])


def check_separation(X: np.ndarray, rho: float) -> None:
    """Balls ``B(x_n, rho)`` must be disjoint: every pairwise distance > 2 rho (a k-d tree query:
    O(N log N) time, O(N) memory)."""
    i, j, dist_ij = _closest_pair(X)
    if dist_ij == 0:
        raise ValueError(f"clean points must be distinct: points {min(i, j)} and {max(i, j)} coincide")
    if dist_ij <= 2 * rho:
        raise ValueError(
            f"clean points closer than 2*rho: points {min(i, j)} and {max(i, j)} are {dist_ij:g} apart, "
            f"2*rho = {2 * rho:g}"
        )


def check_distinct(X: np.ndarray) -> None:
    """``ValueError`` if two rows of ``X`` coincide."""
    i, j, dist_ij = _closest_pair(X)
    if dist_ij == 0:
        raise ValueError(f"clean points must be distinct: points {min(i, j)} and {max(i, j)} coincide")


def check_dist(dist: object):
    """``dist`` must be a frozen univariate continuous ``scipy.stats`` distribution."""
    if not (hasattr(dist, "ppf") and hasattr(dist, "rvs") and hasattr(dist, "pdf")):
        raise ValueError(
            "dist must be a frozen continuous scipy.stats distribution (with ppf, pdf and rvs), "
            f"got {type(dist).__name__}"
        )
    if not isinstance(getattr(dist, "dist", None), stats.rv_continuous):
        raise ValueError("dist must be a continuous distribution (scipy.stats.rv_continuous, frozen)")
    return dist


def count(n: object, name: str, minimum: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n!r}")
    return int(n)


def as_points(y: object, d: int, name: str = "y") -> tuple[np.ndarray, bool]:
    """Query points as ``(n, d)`` and whether they came flat: ``(n,)`` is accepted for ``d = 1``
    only (and a scalar as one point). Any other shape raises ``ValueError`` naming both shapes."""
    Y = as_finite_array(y, name)
    if d == 1 and Y.ndim <= 1:
        return Y.reshape(-1, 1), True
    if Y.ndim != 2 or Y.shape[1] != d:
        raise ValueError(f"{name} must have shape (n, {d})" + (" or (n,)" if d == 1 else "")
                         + f" for a denoiser in d = {d}, got shape {Y.shape}")
    return Y, False


def check_rel_tol(rel_tol: object, name: str = "rel_tol") -> float:
    """A relative tolerance in ``[0, 1)``."""
    if isinstance(rel_tol, bool) or not isinstance(rel_tol, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {type(rel_tol).__name__}")
    t = float(rel_tol)
    if not (0.0 <= t < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {t}")
    return t


def positive_int(n: object, name: str, minimum: int = 1) -> int:
    """An integer ``>= minimum`` (bools refused)."""
    if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n}")
    return int(n)


def real_scalar(x: object, name: str) -> float:
    """``x`` as a finite real number (bools, strings, complex and arrays refused)."""
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    return x


def nonneg_scalar(x: object, name: str) -> float:
    """``x`` as a finite real number ``>= 0``."""
    x = real_scalar(x, name)
    if x < 0:
        raise ValueError(f"{name} must be >= 0, got {x}")
    return x


def fraction(x: object, name: str, low_open: bool = False, high_open: bool = True) -> float:
    """``x`` as a real number in ``[0, 1)`` (default), ``(0, 1)``, ``[0, 1]`` or ``(0, 1]``."""
    x = real_scalar(x, name)
    lo_ok = x > 0 if low_open else x >= 0
    hi_ok = x < 1 if high_open else x <= 1
    if not (lo_ok and hi_ok):
        raise ValueError(f"{name} must be in {'(' if low_open else '['}0, 1{')' if high_open else ']'}, got {x}")
    return x


def tolerance(x: object, name: str = "tol") -> float:
    """A relative tolerance in ``(0, 1)``."""
    return fraction(x, name, low_open=True, high_open=True)


def points_1d(x: object, name: str = "x", minimum: int = 2) -> np.ndarray:
    """Univariate points as a flat array: ``(N,)`` or ``(N, 1)`` accepted, at least ``minimum``."""
    arr = as_finite_array(x, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must have shape (N,) or (N, 1) (univariate points), got shape {arr.shape}")
    if arr.size < minimum:
        raise ValueError(f"{name} must hold at least {minimum} points, got {arr.size}")
    return arr


def row_norms(V: np.ndarray, axis: int = 1) -> np.ndarray:
    """Euclidean norms along ``axis`` without overflow or underflow: each vector is scaled by its
    largest entry first (``|v| = m |v / m|``, ``m = max |v_i|``)."""
    V = np.asarray(V, dtype=float)
    m = np.max(np.abs(V), axis=axis, keepdims=True, initial=0.0)
    return (m * np.linalg.norm(V / np.where(m > 0, m, 1.0), axis=axis, keepdims=True)).squeeze(axis)


def in_chunks(fn, Y: np.ndarray, columns: int, budget: int = 1 << 22) -> np.ndarray:
    """``fn(Y)`` for a function of rows, evaluated on blocks of rows so that an intermediate
    ``(rows, columns)`` array stays under ``budget`` elements (32 MB of floats): peak memory does
    not grow with the number of rows. ``fn`` maps ``(k, d)`` to ``(k, d_out)``."""
    step = max(1, budget // max(columns, 1))
    if Y.shape[0] <= step:
        return fn(Y)
    return np.concatenate([fn(Y[i:i + step]) for i in range(0, Y.shape[0], step)])
