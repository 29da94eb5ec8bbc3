"""Facet-normal ramps: an interpolant of any simplex, and a *candidate* for acute ones (chapter 5).

Let ``x_0, ..., x_{N-1}`` be affinely independent (``N <= d + 1``). For each vertex ``k`` let
``n_k`` be the unit normal of the facet opposite ``x_k`` (taken inside the affine hull of the
points), pointing toward ``x_k``, and ``H_k`` the height of ``x_k`` above that facet. For any
centre ``c``

    h_c(y) = c + sum_k (x_k - c) clip((n_k . (y - x_j(k)) - rho) / (H_k - 2 rho)),

with ``x_j(k)`` any vertex of the facet opposite ``k``, interpolates every ball once every
``H_k > 2 rho``: on ball ``k`` its own ramp is at 1 (``n_k . (y - x_j) >= H_k - rho``) and every
other ramp is at 0 (ball ``k`` lies on their facets, ``n_m . (y - x_j) <= rho``), so
``h_c = c + (x_k - c) = x_k``. Its cost is

    R(c) = sum_k 2 |x_k - c| / (H_k - 2 rho),

smallest at the weighted geometric median (Fermat-Weber point) of the vertices with weights
``2 / (H_k - 2 rho)``. For a regular simplex that point is the centroid and ``h_c`` is the
equilateral closed form (bend hyperplanes parallel to the facets). For an acute triangle the
book's conic program finds the same cost and directions (chapter 5); that this is the minimum
for every acute triangle, or in higher dimension, is **not** proved here: it is a candidate.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_finite_array, positive_scalar
from .ramps import RampSum


def fermat_weber(P: object, weights: object, tol: float = 1e-13, max_iter: int = 100_000) -> np.ndarray:
    """Minimiser of ``sum_k w_k |p_k - c|`` over ``c`` (weights > 0).

    If some point ``p_m`` satisfies ``|sum_{k != m} w_k (p_k - p_m)/|p_k - p_m|| <= w_m`` it is the
    minimiser (the subgradient condition at a vertex); otherwise Weiszfeld's iteration from the
    weighted mean converges to the interior minimiser.
    """
    P = as_finite_array(P, "P")
    w = as_finite_array(weights, "weights").reshape(-1)
    if P.ndim != 2 or w.shape != (P.shape[0],):
        raise ValueError(f"P must be (N, d) and weights (N,), got {P.shape} and {w.shape}")
    if np.any(w <= 0):
        raise ValueError("weights must be > 0")
    for m in range(P.shape[0]):
        D = np.delete(P, m, axis=0) - P[m]
        r = np.linalg.norm(D, axis=1)
        if np.any(r == 0):
            raise ValueError("points must be distinct")
        pull = (np.delete(w, m)[:, None] * D / r[:, None]).sum(axis=0)
        if np.linalg.norm(pull) <= w[m]:
            return P[m].copy()
    c = (w[:, None] * P).sum(axis=0) / w.sum()
    scale = np.abs(P).max() + 1.0
    for _ in range(max_iter):
        r = np.maximum(np.linalg.norm(P - c, axis=1), 1e-300)
        c_new = (w[:, None] / r[:, None] * P).sum(axis=0) / (w / r).sum()
        if np.linalg.norm(c_new - c) <= tol * scale:
            return c_new
        c = c_new
    return c


def facet_normals(X: object) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals ``n_k`` (rows, in the affine hull, pointing toward ``x_k``) of the facets
    opposite each vertex, and the heights ``H_k``. ``X``: ``(N, d)`` affinely independent."""
    from .closed_form import _check_affinely_independent, _points_nd, affine_basis

    X = _points_nd(X)
    _check_affinely_independent(X, 1e-9)
    xbar, U = affine_basis(X)
    Z = (X - xbar) @ U  # (N, r) with r = N - 1
    N, r = Z.shape
    normals, heights = np.empty((N, X.shape[1])), np.empty(N)
    for k in range(N):
        F = np.delete(Z, k, axis=0)
        if r == 1:
            m = np.ones(1)
        else:
            _, _, Vt = np.linalg.svd(F[1:] - F[0])
            m = Vt[-1]
        h = m @ (Z[k] - F[0])
        if h < 0:
            m, h = -m, -h
        normals[k], heights[k] = U @ m, h
    return normals, heights


def facet_normal_simplex(X: object, rho: float, centre: object | None = None) -> RampSum:
    """The facet-normal ramp sum ``h_c`` of the module docstring as a :class:`RampSum`.

    ``centre=None`` uses the cheapest centre (:func:`fermat_weber` with weights
    ``2 / (H_k - 2 rho)``). Ramps whose output ``x_k - c`` vanishes (centre at a vertex) are left
    out. Raises ``ValueError`` for affinely dependent points, ``rho <= 0`` or a height
    ``H_k <= 2 rho`` (rho too large: the ramp toward ``x_k`` would need negative width).
    """
    from .closed_form import _points_nd

    X = _points_nd(X)
    rho = positive_scalar(rho, "rho")
    normals, H = facet_normals(X)
    k = int(np.argmin(H))
    if H[k] <= 2 * rho:
        raise ValueError(
            f"rho too large: vertex {k} is {H[k]:g} above the opposite facet, but the facet-normal "
            f"ramps need every height > 2*rho = {2 * rho:g}"
        )
    width = H - 2 * rho
    if centre is None:
        c = fermat_weber(X, 2.0 / width)
    else:
        c = as_finite_array(centre, "centre").reshape(-1)
        if c.shape != (X.shape[1],):
            raise ValueError(f"centre must have shape ({X.shape[1]},), got {c.shape}")
    N = X.shape[0]
    base = np.array([X[(j + 1) % N] for j in range(N)])  # a vertex of the facet opposite j
    starts = np.einsum("kd,kd->k", normals, base) + rho
    outputs = X - c
    keep = np.linalg.norm(outputs, axis=1) > 0
    return RampSum(c, normals[keep], outputs[keep], starts[keep], (starts + width)[keep], scalar=False)


def facet_normal_cost(X: object, rho: float, centre: object | None = None) -> float:
    """``R(c) = sum_k 2 |x_k - c| / (H_k - 2 rho)`` (cheapest centre by default)."""
    return facet_normal_simplex(X, rho, centre).representation_cost()
