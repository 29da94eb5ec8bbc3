"""Closed-form min-cost denoisers (numpy only), one module per result of the paper.

Each constructor validates its assumptions and returns a :class:`~mnd.ramps.RampSum`; a violated
assumption raises ``ValueError`` naming it. :func:`min_cost_denoiser` picks the one that applies.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_finite_array, points_nd, positive_scalar
from ..ramps import RampSum
from .rays import rays, rays_formula, rays_sampled
from .simplex import (
    equilateral_simplex, facet_normal_cost, facet_normal_simplex, facet_normals, fermat_weber,
    obtuse_simplex, obtuse_vertex, orthocenter, orthocentric_triangle, vertex_angles,
)
from .subspace import affine_basis, lift, subspace
from .univariate import (
    capped_min_cost_denoiser, capped_radii, univariate, univariate_cost, univariate_intervals,
)

__all__ = [
    "affine_basis", "capped_min_cost_denoiser", "capped_radii", "equilateral_simplex",
    "facet_normal_cost", "facet_normal_simplex", "facet_normals", "fermat_weber", "lift",
    "min_cost_denoiser", "obtuse_simplex", "obtuse_vertex", "orthocenter", "orthocentric_triangle", "rays", "rays_formula", "rays_sampled",
    "subspace", "univariate", "univariate_cost", "univariate_intervals", "vertex_angles",
]


def min_cost_denoiser(X: object, rho: float, tol: float = 1e-7) -> RampSum:
    """The closed-form min-cost denoiser that applies to ``X``, or ``ValueError`` listing what was
    tried and why each did not apply.

    Order: univariate (Proposition 1) for ``X`` of shape ``(N,)`` or ``(N, 1)``; subspace (affine rank below ``d``, which covers
    collinear data and rays or simplices inside a subspace); obtuse simplex; equilateral simplex;
    rays (each point tried as the apex).
    """
    arr = as_finite_array(X, "X")
    rho = positive_scalar(rho, "rho")
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1):
        try:
            g = univariate(arr.reshape(-1), rho)
        except ValueError as exc:
            raise ValueError(f"no closed form applies to these points. Tried univariate (Proposition 1): {exc}") from exc
        return g
    X = points_nd(arr)
    reasons = []
    xbar, U = affine_basis(X, tol)
    if U.shape[1] < X.shape[1]:
        try:
            return subspace(X, rho, tol)
        except ValueError as exc:
            reasons.append(f"subspace: {exc}")
    else:
        reasons.append(f"subspace: the data span all of R^{X.shape[1]}")
    for name, build in (("obtuse simplex", lambda: obtuse_simplex(X, rho, tol=tol)),
                        ("equilateral simplex", lambda: equilateral_simplex(X, rho))):
        try:
            return build()
        except ValueError as exc:
            reasons.append(f"{name}: {exc}")
    ray_reasons = []
    candidates = [a for a in range(X.shape[0]) if _could_be_apex(X, a)]
    for a in candidates:
        try:
            return rays(X, rho, apex=a)
        except ValueError as exc:
            ray_reasons.append(f"apex {a}: {exc}")
    if not candidates:
        ray_reasons.append(f"no point is an apex: from each of the {X.shape[0]} points, two others are "
                           "seen at an angle strictly between 0 and 90 degrees")
    shown = ray_reasons[:3] + ([f"... ({len(ray_reasons) - 3} more apexes fail)"] if len(ray_reasons) > 3 else [])
    reasons.append("rays: " + "; ".join(shown))
    raise ValueError("no closed form applies to these points. Tried " + " | ".join(r[:300] for r in reasons))


def _could_be_apex(X: np.ndarray, a: int, angle_tol: float = 1e-6) -> bool:
    """A fast necessary condition for :func:`rays` with apex ``a``: among a few other points (the
    first ``4 d + 2``), any two are seen from ``x_a`` on one ray (angle below ``angle_tol``) or
    at 90 degrees or more. A generic point cloud fails it at once, so the dispatcher decides "no
    closed form" in ``O(N d^2)`` time instead of grouping rays around every point."""
    V = np.delete(X, a, axis=0) - X[a]
    V = V[: 4 * X.shape[1] + 2]
    n = np.linalg.norm(V, axis=1)
    if np.any(n == 0):
        return False
    U = V / n[:, None]
    G = U @ U.T
    np.fill_diagonal(G, -1.0)
    return not np.any((G > np.sin(angle_tol)) & (G < np.cos(angle_tol)))
