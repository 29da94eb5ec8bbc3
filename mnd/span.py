"""How much of a vector lies in the span of the data's edges (chapter 6).

For clean points ``x_0, ..., x_{N-1}`` in ``R^d`` the *edge span* is the linear span of the edge
vectors ``x_i - x_0`` (equivalently of ``x_i - xbar``), of dimension ``r <= N - 1``. With ``P`` the
orthogonal projection onto it, the *span fraction* of a non-zero vector ``v`` is

    f(v) = |P v|^2 / |v|^2  in [0, 1],

the share of its squared length inside the span (``sqrt(f)`` is the cosine of the angle between
``v`` and the span). The min-cost denoiser of data in an affine subspace has every input weight
``w_k`` and output weight ``a_k`` in the edge span (``f = 1``). For a direction drawn uniformly on
the sphere ``S^{d-1}``, ``f`` follows a ``Beta(r/2, (d - r)/2)`` law with mean ``r / d``: the baseline
that says how much alignment chance alone would give.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import beta

from ._checks import as_finite_array


def edge_basis(X: object, tol: float = 1e-9) -> np.ndarray:
    """Orthonormal basis ``(d, r)`` of the span of the edges ``x_i - x_0`` of the rows of ``X``.

    ``r`` counts singular values of the edge matrix above ``tol`` times the largest (relative, so
    the result does not depend on the data's scale). Needs ``N >= 2`` distinct points.
    """
    X = as_finite_array(X, "X")
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"X must have shape (N, d) with N >= 2, got shape {X.shape}")
    E = X[1:] - X[0]
    _, s, Vt = np.linalg.svd(E, full_matrices=False)
    if s[0] == 0:
        raise ValueError("all points coincide: the edge span is {0}")
    r = int(np.sum(s > tol * s[0]))
    return Vt[:r].T


def span_fraction(V: object, basis: object) -> np.ndarray:
    """``|P v|^2 / |v|^2`` for every row ``v`` of ``V`` (``(K, d)``, or one vector ``(d,)``).

    ``basis``: ``(d, r)`` with orthonormal columns (e.g. from :func:`edge_basis`). Returns ``(K,)``
    (a float for a single vector). Zero rows raise ``ValueError``.
    """
    single = np.ndim(V) == 1
    V = np.atleast_2d(as_finite_array(V, "V"))
    B = as_finite_array(basis, "basis")
    if B.ndim != 2 or V.ndim != 2 or B.shape[0] != V.shape[1]:
        raise ValueError(f"V must be (K, d) and basis (d, r) with the same d, got {V.shape} and {B.shape}")
    if not np.allclose(B.T @ B, np.eye(B.shape[1]), atol=1e-8):
        raise ValueError("basis must have orthonormal columns")
    norms2 = np.sum(V**2, axis=1)
    if np.any(norms2 == 0):
        raise ValueError("span fraction is undefined for a zero vector")
    frac = np.clip(np.sum((V @ B) ** 2, axis=1) / norms2, 0.0, 1.0)
    return float(frac[0]) if single else frac


def weighted_span_fraction(V: object, basis: object, weights: object) -> float:
    """``sum_k c_k f(v_k) / sum_k c_k``: the span fraction averaged with weights ``c_k >= 0`` (for a
    network, each unit's share ``|a_k||w_k|`` of the representation cost)."""
    f = np.atleast_1d(span_fraction(V, basis))
    c = as_finite_array(weights, "weights").reshape(-1)
    if c.shape != f.shape or np.any(c < 0) or c.sum() == 0:
        raise ValueError("weights must be non-negative, one per row of V, and not all zero")
    return float(np.sum(c * f) / c.sum())


def random_fraction_mean(r: int, d: int) -> float:
    """``E f(v) = r / d`` for ``v`` uniform on the sphere in ``R^d`` and a subspace of dimension ``r``."""
    _check_dims(r, d)
    return r / d


def random_fraction_quantile(q: float | np.ndarray, r: int, d: int) -> float | np.ndarray:
    """Quantile ``q`` of ``f(v)`` for a uniformly random direction: ``Beta(r/2, (d - r)/2)``.

    ``f = (g_1^2 + .. + g_r^2) / (g_1^2 + .. + g_d^2)`` for Gaussian ``g``, a ratio of independent
    chi-squares, hence the Beta law. For ``r = d`` every direction lies in the span (``f = 1``).
    """
    _check_dims(r, d)
    q = np.asarray(q, float)
    if np.any((q < 0) | (q > 1)):
        raise ValueError(f"quantile levels must lie in [0, 1], got {q}")
    out = np.ones_like(q) if r == d else beta.ppf(q, r / 2, (d - r) / 2)
    return float(out) if out.ndim == 0 else out


def _check_dims(r: int, d: int) -> None:
    for name, v in (("r", r), ("d", d)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    if not 1 <= r <= d:
        raise ValueError(f"need 1 <= r <= d, got r = {r}, d = {d}")
